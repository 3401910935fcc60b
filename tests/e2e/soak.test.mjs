// soak.test.mjs: a seeded random-interaction soak of both web builds. For
// NNPLAY_SOAK_SECONDS (default 45) per build it clicks, drags (on the canvas
// and across the sidebar's sliders), presses keys, switches models and
// losses, generates data, loads random valid and invalid sessions and links,
// and resizes the window. Afterwards: no page error, the app still answers
// (a training step advances, a click adds a point), and the heap malloc uses
// once warm stays under a stated bound. The seed is printed; replay with
// NNPLAY_SOAK_SEED=<seed> NNPLAY_SOAK_ACTIONS=<actions> (both printed).
import path from 'node:path';
import { openApp, api, apiString, frames, outDir } from './harness.mjs';

const SECONDS = Number(process.env.NNPLAY_SOAK_SECONDS || 45);
// To replay a failure exactly: the seed and the number of actions it printed.
const ACTIONS = Number(process.env.NNPLAY_SOAK_ACTIONS || 0);
// The heap in use may grow by at most this much past its peak during the
// warm-up (the first quarter of the run): undo history (500 steps) of the
// largest data the soak makes is well below it.
const HEAP_GROWTH_BOUND_MB = 96;

// mulberry32: a small seeded generator, so a run can be replayed.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = {
  kind: ['knn', 'linear', 'net'], act: ['relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'maxout', 'linear'],
  loss: ['svm', 'ova_hinge', 'crammer_singer', 'softmax'], reg: ['none', 'l2', 'l1', 'elastic_net'],
  optim: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'lbfgs'],
  init: ['zeros', 'constant', 'small_random', 'xavier', 'he'],
  pre: ['none', 'mean_subtract', 'normalize', 'pca', 'whiten'], gen: ['blobs', 'circle', 'xor', 'spiral', 'moons', 'linear'],
  schedule: ['constant', 'step', 'exponential', 'inv_t'], metric: ['l1', 'l2'],
};

function validSession(r) {
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const gen = pick(NAMES.gen);
  const twoClass = ['circle', 'xor', 'moons'].includes(gen);
  const hidden = [];
  for (let i = int(0, 3); i > 0; i--) hidden.push({ width: int(1, 24), act: pick(NAMES.act), maxout_k: int(1, 3) });
  return {
    version: 1,
    name: 'soak ' + int(0, 1e6),
    data: { generator: { kind: gen, n: int(2, 600), ...(twoClass ? {} : { classes: int(2, 6) }),
                         noise: r() * 0.5, seed: int(0, 1000), val_ratio: r() * 0.5 } },
    spec: {
      kind: pick(NAMES.kind), knn: { k: int(1, 15), metric: pick(NAMES.metric), weighted: r() < 0.5 },
      hidden, loss: { kind: pick(NAMES.loss), reg: pick(NAMES.reg), lambda: r() < 0.2 ? r() * 10 : r() * 0.01 },
      init: { kind: pick(NAMES.init) },
      optim: { kind: pick(NAMES.optim), lr: Math.pow(10, -4 + 5 * r()), batch_size: int(0, 64), schedule: pick(NAMES.schedule) },
      preprocess: { kind: pick(NAMES.pre), square: r() < 0.3, cross: r() < 0.3 },
    },
    ui: { play: r() < 0.5, steps_per_frame: int(1, 50), show_validation: r() < 0.5 },
  };
}

// Invalid texts of many kinds; each must be refused with a message.
function invalidText(r, valid) {
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const text = JSON.stringify(valid);
  const kinds = [
    () => text.slice(0, int(1, text.length - 1)),                                  // cut short
    () => JSON.stringify({ ...valid, spec: { ...valid.spec, optim: { lr: -int(1, 9) } } }),
    () => JSON.stringify({ ...valid, version: 99 }),
    () => JSON.stringify({ ...valid, ui: { play: [[[true]]] } }),
    () => JSON.stringify({ ...valid, ui: { zoom: 2 } }),
    () => '{"version":1,"ui":' + '['.repeat(int(65, 30000)) + ']'.repeat(20) + '}',
    () => '{"version":1,"ui":' + '{"a":'.repeat(int(65, 30000)) + '1}',
    () => JSON.stringify({ ...valid, spec: { ...valid.spec, hidden: Array(20).fill({ width: 4 }) } }),
    () => JSON.stringify({ ...valid, data: { points: [{ x: 0, y: 0, label: 99 }] } }),
    () => '#s=' + Array.from({ length: int(1, 400) }, () => String.fromCharCode(int(33, 126))).join(''),
    () => {  // a CSV with at least one bad row (a word for y, or a class outside 1..10), wherever it falls
      const n = int(1, 30), bad = int(0, n - 1);
      return 'x,y,class\n' + Array.from({ length: n }, (_, i) =>
        i === bad ? (r() < 0.5 ? `${r()},abc,${int(1, 10)}` : `${r()},${r()},${[0, 11, 12][int(0, 2)]}`)
                  : `${r()},${r() < 0.2 ? 'abc' : r()},${int(0, 12)}`).join('\n');
    },
    () => Array.from({ length: int(1, 2000) }, () => String.fromCharCode(int(1, 0xFFFF))).join(''),
    () => JSON.stringify({ ...valid, name: 'n'.repeat(int(201, 200000)) }),
  ];
  return kinds[Math.floor(r() * kinds.length)]();
}

async function soak(browser, url, expect, report, seed) {
  const tag = `[soak ${expect}]`;
  const r = rng(seed);
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const { page, logs } = await openApp(browser, url);
  const counts = {};
  const count = (k) => { counts[k] = (counts[k] || 0) + 1; };
  let refusedWithoutMessage = 0, heapWarm = 0, heapPeak = 0, heapEnd = 0;
  let actions = 0;
  // One round trip each (a page.evaluate costs milliseconds on a loaded machine).
  const layout = () => page.evaluate(() => [0, 1, 2, 3, 4, 5, 6, 7].map((i) => window.Module._nnplay_layout(i)));
  // The last actions, printed if the app stops answering (to replay by hand).
  const trail = [];
  const did = (what) => { trail.push(`${actions + 1}: ${what}`); if (trail.length > 6) trail.shift(); };
  // A promise that fails after 30 s, naming the last actions: the app has
  // stopped answering (its main thread is busy or blocked).
  const within30s = async (promise) => {
    let timer;
    const stalled = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${tag} seed ${seed}: no answer for 30 s after: ${trail.join(' | ')}`)), 30000);
    });
    try { return await Promise.race([promise, stalled]); } finally { clearTimeout(timer); }
  };
  // Waits for n more main-loop iterations in the page and returns the heap in use.
  const settle = (n) => within30s(page.evaluate((n) => new Promise((resolve) => {
    const M = window.Module, target = M._nnplay_frame_count() + n;
    const poll = () => (M._nnplay_frame_count() >= target ? resolve(M._nnplay_heap_used()) : requestAnimationFrame(poll));
    poll();
  }), n));
  const load = (t) => page.evaluate((t) => window.nnplayLoadText(t), t);
  // An API call, remembered in the trail with its arguments.
  const call = (fn, ...args) => {
    did(`${fn}(${args.map((v) => (Number.isInteger(v) ? v : Number(v).toPrecision(3))).join(', ')})`);
    return api(page, fn, ...args);
  };
  const short = (t) => (t.length > 60 ? `${t.slice(0, 60)}... (${t.length} chars)` : t);
  // One random action; returns what it counts as.
  const act = async (sideW, cx, cy, cw, ch, vp) => {
    const a = r();
    if (a < 0.22) {                                   // click on the canvas, either button
      const x = cx + r() * cw, y = cy + r() * ch, button = r() < 0.8 ? 'left' : 'right';
      did(`${button} click at (${x.toFixed(0)}, ${y.toFixed(0)})`);
      await page.mouse.click(x, y, { button });
      return 'click';
    } else if (a < 0.34) {                            // drag: canvas or sidebar (sliders, buttons)
      const onSide = r() < 0.6;
      const x0 = onSide ? r() * sideW : cx + r() * cw, y0 = r() * (vp.height - 30);
      const path = [];
      for (let i = 0; i < 4; i++) path.push([x0 + (r() - 0.5) * 200, y0 + (r() - 0.5) * 40]);
      did(`drag from (${x0.toFixed(0)}, ${y0.toFixed(0)}) via ${path.map(([x, y]) => `(${x.toFixed(0)}, ${y.toFixed(0)})`).join(' ')}`);
      await page.mouse.move(x0, y0);
      await page.mouse.down();
      for (const [x, y] of path) await page.mouse.move(x, y, { steps: 2 });
      await page.mouse.up();
      return onSide ? 'slider drag' : 'canvas drag';
    } else if (a < 0.44) {                            // keys
      const k = ['Space', 's', 'e', 'r', '1', '2', '3', '4', '5', '6', 'h', 'Control+z', 'Control+y', 'Escape', 'Tab'][int(0, 14)];
      did(`key ${k}`);
      await page.keyboard.press(k);
      return 'key';
    } else if (a < 0.50) {                            // wheel over a panel
      const x = r() * vp.width, y = r() * vp.height, dy = (r() - 0.5) * 600;
      did(`wheel ${dy.toFixed(0)} at (${x.toFixed(0)}, ${y.toFixed(0)})`);
      await page.mouse.move(x, y);
      await page.mouse.wheel(0, dy);
      return 'wheel';
    } else if (a < 0.60) {                            // model, architecture, learning rate, k
      const w = int(0, 3);
      if (w === 0) await call('nnplay_set_model', int(0, 2));
      else if (w === 1) await call('nnplay_set_hidden', int(0, 3), int(1, 32), int(0, 4));
      else if (w === 2) await call('nnplay_set_lr', Math.pow(10, -4 + 5 * r()));
      else await call('nnplay_set_k', int(1, 20));
      return 'model switch';
    } else if (a < 0.66) {                            // new data
      await call('nnplay_generate', int(0, 5), int(2, 800), int(2, 6), r() * 0.5, int(0, 999), r() * 0.5);
      return 'generate';
    } else if (a < 0.74) {                            // a valid session (model, loss, optimiser...)
      const text = JSON.stringify(validSession(r));
      did(`load ${short(text)}`);
      const ok = await load(text);
      if (!ok) console.log(`     ${tag} a valid session was refused: ${(await apiString(page, 'nnplay_io_status')).split('\n')[0]}`);
      return ok ? 'valid session' : 'valid session refused';
    } else if (a < 0.84) {                            // an invalid one
      const text = invalidText(r, validSession(r));
      did(`load ${short(text)}`);
      const ok = await load(text);
      const st = await apiString(page, 'nnplay_io_status');
      if (ok || st.length < 10) {
        refusedWithoutMessage++;
        console.log(`     ${tag} not refused with a message: ${short(text)} (${ok ? 'loaded' : 'no message'})`);
      }
      return 'invalid session';
    } else if (a < 0.90) {                            // training bursts
      await call(r() < 0.5 ? 'nnplay_play' : 'nnplay_step', int(0, 1) || int(1, 20));
      return 'train';
    } else if (a < 0.95) {                            // resize
      const size = { width: int(640, 1500), height: int(420, 950) };
      did(`resize to ${size.width}x${size.height}`);
      await page.setViewportSize(size);
      return 'resize';
    }                                                 // undo / redo / reset / clear
    await call(['nnplay_undo', 'nnplay_redo', 'nnplay_reset', 'nnplay_clear'][int(0, 3)]);
    return 'edit';
  };
  const t0 = Date.now();
  while (ACTIONS ? actions < ACTIONS : Date.now() - t0 < SECONDS * 1000) {
    const [sideW, cx, cy, cw, ch] = await layout();
    count(await within30s(act(sideW, cx, cy, cw, ch, page.viewportSize())));
    actions++;
    const heap = await settle(int(1, 3));           // throws if the app stops drawing
    if (Date.now() - t0 < SECONDS * 250) heapWarm = Math.max(heapWarm, heap);
    else heapPeak = Math.max(heapPeak, heap);
    heapEnd = heap;
  }
  const MB = (b) => (b / 1048576).toFixed(1);
  console.log(`     ${tag} seed ${seed}: ${actions} actions in ${((Date.now() - t0) / 1000).toFixed(0)} s: ` +
              Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') +
              ` (replay exactly: NNPLAY_SOAK_SEED=${seed} NNPLAY_SOAK_ACTIONS=${actions})`);
  console.log(`     ${tag} heap in use: warm peak ${MB(heapWarm)} MB, later peak ${MB(heapPeak)} MB, end ${MB(heapEnd)} MB ` +
              `(bound: warm + ${HEAP_GROWTH_BOUND_MB} MB); memory ${MB(await page.evaluate(() => window.Module.HEAP8.length))} MB`);
  await page.screenshot({ path: path.join(outDir, `e2e-soak-${expect}.png`) });

  // A floor, not a speed test: each action waits for 1-3 of the app's frames,
  // which a loaded 2-core machine draws at about 3 per second.
  const floor = Math.max(10, Math.round(SECONDS / 4));
  report.check(`${tag} ran ${actions} random actions (seed ${seed}; at least ${floor})`, actions >= floor);
  report.check(`${tag} every invalid text was refused with a message`, refusedWithoutMessage === 0,
               `${refusedWithoutMessage} were not`);
  report.check(`${tag} heap in use stays within warm + ${HEAP_GROWTH_BOUND_MB} MB`,
               heapPeak <= heapWarm + HEAP_GROWTH_BOUND_MB * 1048576, `warm ${MB(heapWarm)}, later peak ${MB(heapPeak)}`);

  // Still responding: a fresh network takes a step, a click adds a point.
  // What the random actions left selected is put back first: a drag across
  // the sidebar can pick the Spray tool (a click then adds several points),
  // Erase or Move, switch to image mode or add compared runs.
  const left = { tool: ['Add', 'Spray', 'Erase', 'Move'][await api(page, 'nnplay_tool')],
                 runs: await api(page, 'nnplay_run_count') };
  console.log(`     ${tag} the actions left: tool ${left.tool}, ${left.runs} run(s)`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await api(page, 'nnplay_close_windows');
  await api(page, 'nnplay_image_mode', 0);
  for (let i = left.runs - 1; i > 0; i--) await api(page, 'nnplay_compare_remove', i);
  await api(page, 'nnplay_set_tool', 0);
  await api(page, 'nnplay_play', 0);
  await api(page, 'nnplay_generate', 3, 200, 3, 0.1, 1, 0);
  await api(page, 'nnplay_set_model', 2);
  await api(page, 'nnplay_set_hidden', 1, 8, 0);
  await api(page, 'nnplay_set_lr', 0.01);
  await api(page, 'nnplay_reset');
  await frames(page, 5);
  const s0 = await api(page, 'nnplay_step_count');
  await api(page, 'nnplay_step', 3);
  let s1 = s0;
  for (let i = 0; i < 200 && s1 < s0 + 3; i++) { await frames(page, 1); s1 = await api(page, 'nnplay_step_count'); }
  report.check(`${tag} afterwards a training step still advances`, s1 >= s0 + 3, `${s0} -> ${s1}; ` +
               (await apiString(page, 'nnplay_training_message')).split('\n')[0]);
  const n0 = await api(page, 'nnplay_point_count');
  const [, cx, cy, cw, ch] = await layout();
  await page.mouse.click(cx + 0.8 * cw, cy + 0.8 * ch);
  await frames(page, 3);
  const n1 = await api(page, 'nnplay_point_count');
  report.check(`${tag} afterwards a click with the Add tool adds one point`, n1 === n0 + 1, `${n0} -> ${n1}`);
  // Chromium's note that a document-level wheel listener is passive (ImGui's
  // Emscripten backend registers one and asks to prevent the page's scroll,
  // which a full-window canvas does not have) is not an error of the app.
  const passiveWheel = /^\[error\] Unable to preventDefault inside passive event listener/;
  const errors = logs.filter((l) => (l.startsWith('[pageerror]') || l.startsWith('[error]')) && !passiveWheel.test(l))
    .concat((await page.evaluate(() => window.__cspViolations || [])).map((v) => `[csp] ${v}`));
  report.check(`${tag} no page errors`, errors.length === 0, errors.join(' | ').slice(0, 500));
  await page.close();
}

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  const seed = process.env.NNPLAY_SOAK_SEED ? Number(process.env.NNPLAY_SOAK_SEED) : (Date.now() % 1000000);
  console.log(`     soak seed ${seed} (replay: NNPLAY_SOAK_SEED=${seed} node tests/e2e/run.mjs)`);
  await soak(browser, isolatedUrl, 'threaded', report, seed);
  await soak(browser, plainUrl, 'fallback', report, seed);
}
// One build only (to replay a seed against the threaded or the fallback build).
export { soak as soakOne };
