// run.mjs: browser end-to-end tests of both web builds in headless Chromium.
// The threaded build is served with COOP/COEP (cross-origin isolated); the
// fallback is reached the way a static host reaches it: without the headers.
//
// Lanes: `node run.mjs --lanes 2` runs the groups (the checks in this file,
// then every tests/e2e/*.test.mjs) in two node processes at once, each with
// its own servers and browser, and prints each lane's output whole, then one
// summary. One lane keeps about 1.3 of the two cores busy (SwiftShader draws
// on one, the page and node on the other), so two lanes finish the stage in
// about two thirds of the time. `--lane K/N` runs lane K only; no option runs
// every group in this process, one after another.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, api, apiString, frames, clickWorld, Report, outDir } from './harness.mjs';

const report = new Report();
const here = path.dirname(new URL(import.meta.url).pathname);
// The soak runs by default (NNPLAY_SOAK=0 leaves it out, e.g. while iterating on other suites).
const suites = fs.readdirSync(here).filter((n) => n.endsWith('.test.mjs') && (n !== 'soak.test.mjs' || process.env.NNPLAY_SOAK !== '0')).sort();
// `--only compare,images` runs only the groups whose names start with these
// (while iterating on a suite; the test command runs them all).
const onlyArg = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
const groups = ['core', ...suites].filter((g) => !onlyArg || onlyArg.some((o) => g.startsWith(o)));
// Seconds each group took alone in a clean-clone run (stop 23, 2 cores), to
// balance the lanes; a group not listed counts as 60 s.
const SECONDS = { core: 74, 'compare.test.mjs': 52, 'concepts.test.mjs': 9, 'embed.test.mjs': 76, 'images.test.mjs': 98,
                  'regression.test.mjs': 65, 'robust.test.mjs': 72, 'session.test.mjs': 27, 'share.test.mjs': 79,
                  'soak.test.mjs': 73 };
// Longest first, each to the lane with the least so far.
function assign(n) {
  const lanes = Array.from({ length: n }, () => ({ groups: [], load: 0 }));
  for (const g of [...groups].sort((a, b) => (SECONDS[b] ?? 60) - (SECONDS[a] ?? 60))) {
    const lane = lanes.reduce((best, l) => (l.load < best.load ? l : best));
    lane.groups.push(g);
    lane.load += SECONDS[g] ?? 60;
  }
  return lanes;
}
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };

if (arg('--lanes') && Number(arg('--lanes')) > 1) {
  const n = Number(arg('--lanes'));
  const LANE_TIMEOUT = Number(process.env.NNPLAY_E2E_LANE_TIMEOUT || 1100);
  const lanes = assign(n);
  if (process.env.NNPLAY_SOAK === '0') console.log('soak.test.mjs: not run (NNPLAY_SOAK=0)');
  const t0 = Date.now();
  const results = await Promise.all(lanes.map((lane, k) => new Promise((resolve) => {
    // Its own process group, so a lane stopped for hanging takes its browser
    // and servers with it.
    const child = spawn(process.execPath, [path.join(here, 'run.mjs'), '--lane', `${k}/${n}`],
                        { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => { clearTimeout(timer); resolve({ k, lane, out, code, seconds: (Date.now() - t0) / 1000 }); });
    // A lane that hangs is stopped before the test command's own timeout
    // (1200 s) would stop this process, so what it printed is kept.
    const timer = setTimeout(() => {
      out += `\nstopped after ${LANE_TIMEOUT} s\n`;
      try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { child.kill('SIGKILL'); }
    }, LANE_TIMEOUT * 1000);
  })));
  let passed = 0, failed = 0;
  const times = [];
  for (const r of results) {
    console.log(`=== e2e lane ${r.k + 1} of ${n}: ${r.lane.groups.join(', ')} (${r.seconds.toFixed(0)} s) ===`);
    const lines = r.out.split('\n');
    const sum = lines.map((l) => l.match(/^e2e: (\d+) passed, (\d+) failed/)).filter(Boolean).pop();
    for (const l of lines) {
      if (/^e2e: \d+ passed/.test(l)) continue;
      if (l.startsWith('e2e times: ')) { times.push(l.slice(11)); continue; }
      if (l.length) console.log(l);
    }
    if (sum) { passed += Number(sum[1]); failed += Number(sum[2]); }
    if (!sum || r.code !== 0 && Number(sum[2]) === 0) {
      failed++;
      console.log(`FAIL e2e lane ${r.k + 1} did not finish (exit code ${r.code})`);
    }
  }
  console.log('e2e times: ' + times.join(', ') + `; the lanes together ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
const mine = arg('--lane') ? (() => { const [k, n] = arg('--lane').split('/').map(Number); return assign(n)[k].groups; })() : groups;

async function slice(browser, url, expect) {
  const { page, logs } = await openApp(browser, url);
  const tag = `[${expect}]`;
  const info = await apiString(page, 'nnplay_build_info');
  report.check(`${tag} page reports the ${expect} build`, info.startsWith(expect), info);
  const csp = await page.evaluate(() => window.__cspViolations);
  report.check(`${tag} the page runs under the server's Content-Security-Policy without a violation`,
               page.__csp.includes("script-src 'self' 'wasm-unsafe-eval'") && csp.length === 0,
               csp.length ? csp.join('; ') : page.__csp);
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  report.check(`${tag} crossOriginIsolated is ${expect === 'threaded'}`, isolated === (expect === 'threaded'));

  // The app starts with a spiral and a network: switch to kNN on an empty canvas.
  await api(page, 'nnplay_set_model', 0);
  await api(page, 'nnplay_clear');
  await frames(page, 2);
  // Class 1 (key "1") on the left, class 2 (key "2") on the right.
  const left = [[-0.7, 0.3], [-0.6, -0.2], [-0.8, -0.5], [-0.5, 0.6]];
  const right = [[0.6, 0.4], [0.7, -0.3], [0.5, -0.6], [0.8, 0.1]];
  await page.keyboard.press('1');
  for (const [x, y] of left) await clickWorld(page, x, y);
  await page.keyboard.press('2');
  for (const [x, y] of right) await clickWorld(page, x, y);

  const n = await api(page, 'nnplay_point_count');
  report.check(`${tag} 8 clicks added 8 points`, n === 8, `got ${n}`);
  let placed = true, labelsOk = true;
  const all = [...left.map((p) => [...p, 0]), ...right.map((p) => [...p, 1])];
  for (let i = 0; i < Math.min(n, 8); i++) {
    const px = await api(page, 'nnplay_point_x', i), py = await api(page, 'nnplay_point_y', i);
    const lab = await api(page, 'nnplay_point_label', i);
    if (Math.hypot(px - all[i][0], py - all[i][1]) > 0.02) placed = false;
    if (lab !== all[i][2]) labelsOk = false;
  }
  report.check(`${tag} points land where clicked (within 0.02)`, placed);
  report.check(`${tag} points carry the selected class`, labelsOk);

  await frames(page, 3);
  for (const [x, y, want] of [[-0.65, 0.1, 0], [0.65, 0.0, 1], [-0.3, -0.4, 0], [0.3, 0.5, 1]]) {
    const pred = await api(page, 'nnplay_predict', x, y);
    const shown = await api(page, 'nnplay_region_label', x, y);
    report.check(`${tag} kNN at (${x}, ${y}) predicts its neighbours' class ${want}`, pred === want, `got ${pred}`);
    report.check(`${tag} region drawn at (${x}, ${y}) matches the prediction`, shown === pred, `shown ${shown}`);
  }

  // k = 5 with a lone class-1 point inside the class-0 cluster: 1-NN follows
  // it, 5-NN outvotes it.
  await api(page, 'nnplay_add_point', -0.65, 0.05, 1);
  await api(page, 'nnplay_set_k', 1);
  await frames(page, 2);
  report.check(`${tag} 1-NN follows a lone point`, (await api(page, 'nnplay_predict', -0.65, 0.06)) === 1);
  await api(page, 'nnplay_set_k', 5);
  await frames(page, 2);
  report.check(`${tag} 5-NN outvotes it`, (await api(page, 'nnplay_predict', -0.65, 0.06)) === 0);
  report.check(`${tag} regions redrawn after k changed`, (await api(page, 'nnplay_region_label', -0.65, 0.06)) === 0);

  await page.screenshot({ path: path.join(outDir, `e2e-${expect}.png`) });

  await clickWorld(page, -0.65, 0.05, 'right');
  report.check(`${tag} right-click removes the nearest point`, (await api(page, 'nnplay_point_count')) === 8);

  await training(page, tag, expect);

  const errors = logs.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]'));
  report.check(`${tag} no page errors`, errors.length === 0, errors.join(' | '));
  await page.close();
}

// Generate a spiral, pick a 2-hidden-layer ReLU net, press Play: the training
// accuracy must pass 90 % within a bounded number of steps; pausing stops the
// step counter; undo/redo restore the exact points.
async function training(page, tag, expect) {
  await api(page, 'nnplay_generate', 3, 300, 3, 0.1, 1, 0.2);
  await api(page, 'nnplay_set_model', 2);
  await api(page, 'nnplay_set_hidden', 2, 16, 0);
  await api(page, 'nnplay_set_lr', 0.01);
  await api(page, 'nnplay_reset');
  await frames(page, 3);
  const snapshotPoints = async () => page.evaluate(() => {
    const M = window.Module, pts = [];
    for (let i = 0; i < M._nnplay_point_count(); i++)
      pts.push([M._nnplay_point_x(i), M._nnplay_point_y(i), M._nnplay_point_label(i), M._nnplay_point_is_validation(i)]);
    return JSON.stringify(pts);
  });
  const spiral = await snapshotPoints();
  report.check(`${tag} generated a 300-point spiral`, (await api(page, 'nnplay_point_count')) === 300);

  await page.keyboard.press('Space');  // Play
  // Reached within a number of steps, however slow the machine: poll the
  // step counter and the latest full-set accuracy until 90 % or 6000 steps.
  // Only a stalled counter (no step in 300 polls) ends the wait early.
  const t0 = Date.now();
  let acc = NaN, steps = 0, reachedAt = -1, lastSteps = -1, stalled = 0;
  while (steps <= 6000 && stalled < 300) {
    await frames(page, 2);
    acc = await api(page, 'nnplay_accuracy', 0);
    steps = await api(page, 'nnplay_step_count');
    stalled = steps === lastSteps ? stalled + 1 : 0;
    lastSteps = steps;
    if (acc >= 0.9) { reachedAt = steps; break; }
  }
  const fps = await api(page, 'nnplay_fps');
  console.log(`     ${tag} training: ${steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
              `train accuracy ${(100 * acc).toFixed(1)} %, ${fps.toFixed(0)} fps while training`);
  report.check(`${tag} spiral: train accuracy >= 90 % within 6000 steps`, reachedAt >= 0 && reachedAt <= 6000,
               `acc ${acc} at step ${steps}${stalled >= 300 ? ', the step counter stalled' : ''}`);
  await page.screenshot({ path: path.join(outDir, `e2e-${expect}-training.png`) });
  // One screenshot per panel: sidebar, canvas, analysis column.
  // The panels' rectangles as the app laid them out (nnplay_layout), not a
  // copy of its formula.
  const vp = page.viewportSize();
  const L = [];
  for (let i = 0; i < 8; i++) L.push(await api(page, 'nnplay_layout', i));
  const [sidebarW, canvasX, canvasY, canvasW, canvasH, analysisX, analysisW] = L;
  report.check(`${tag} the layout tiles the window: sidebar | canvas | analysis`,
               Math.abs(canvasX - sidebarW) < 0.5 && Math.abs(analysisX + analysisW - vp.width) < 0.5 &&
               canvasW > 100 && canvasH > 100 && analysisW > 0, L.map((v) => v.toFixed(1)).join(' '));
  for (const [name, clip] of [['sidebar', { x: 0, y: 0, width: sidebarW, height: vp.height }],
                              ['canvas', { x: canvasX, y: canvasY, width: canvasW, height: canvasH }],
                              ['analysis', { x: analysisX, y: 0, width: analysisW, height: vp.height }]])
    await page.screenshot({ path: path.join(outDir, `e2e-${expect}-panel-${name}.png`), clip });

  await page.keyboard.press('Space');  // Pause
  await frames(page, 5);
  const paused = await api(page, 'nnplay_step_count');
  await frames(page, 20);
  report.check(`${tag} pausing stops the step counter`, (await api(page, 'nnplay_step_count')) === paused);
  report.check(`${tag} the UI shows it paused`, (await api(page, 'nnplay_is_playing')) === 0);

  // Undo/redo: add two points, undo both, redo one.
  await api(page, 'nnplay_add_point', 0.1, 0.2, 0);
  await api(page, 'nnplay_add_point', -0.3, 0.4, 1);
  const afterOne = JSON.stringify(JSON.parse(spiral).concat([[0.1, 0.2, 0, 0]]));
  await page.keyboard.press('Control+z');
  await frames(page, 2);
  report.check(`${tag} Ctrl+Z undoes the last point exactly`, (await snapshotPoints()) === afterOne);
  await page.keyboard.press('Control+z');
  await frames(page, 2);
  report.check(`${tag} a second Ctrl+Z restores the spiral exactly`, (await snapshotPoints()) === spiral);
  await page.keyboard.press('Control+y');
  await frames(page, 2);
  report.check(`${tag} Ctrl+Y redoes it`, (await snapshotPoints()) === afterOne);

  await divergence(page, tag, expect);
}

// A run built to diverge: plain SGD at lr 10 with L2 strength 1, so every
// step multiplies the weights by about lr * lambda - 1 = 9 until the loss
// overflows. Stepping one step at a time and recording the parameters the
// app shows after each, the divergence must: be shown as a message, stop the
// step counter, leave exactly the parameters of the step it names as
// restored (one the run really had, with a finite loss), and keep every point.
async function divergence(page, tag, expect) {
  const session = {
    version: 1,
    data: { generator: { kind: 'spiral', n: 150, classes: 3, noise: 0.1, seed: 4 } },
    spec: { kind: 'net', hidden: [{ width: 16, act: 'relu' }, { width: 16, act: 'relu' }],
            loss: { kind: 'softmax', reg: 'l2', lambda: 1 }, optim: { kind: 'sgd', lr: 10, batch_size: 0 } },
  };
  const loaded = await page.evaluate((t) => window.nnplayLoadText(t), JSON.stringify(session));
  report.check(`${tag} divergence: the diverging session loads`, loaded === 1,
               await apiString(page, 'nnplay_io_status'));
  await api(page, 'nnplay_play', 0);
  await frames(page, 3);
  const points = await page.evaluate(() => {
    const M = window.Module, pts = [];
    for (let i = 0; i < M._nnplay_point_count(); i++) pts.push([M._nnplay_point_x(i), M._nnplay_point_y(i), M._nnplay_point_label(i)]);
    return JSON.stringify(pts);
  });
  // One step at a time, inside the page: step, wait for the snapshot of that
  // step (or the divergence), record the parameter hash.
  const run = await page.evaluate(async () => {
    const M = window.Module, hashes = {};
    const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
    for (let i = 0; i < 60; i++) await nextFrame();
    hashes[M._nnplay_param_step()] = M._nnplay_param_hash();
    for (let k = 1; k <= 1000 && !M._nnplay_diverged(); k++) {
      M._nnplay_step(1);
      let waited = 0;
      while (M._nnplay_param_step() < k && !M._nnplay_diverged() && waited++ < 600) await nextFrame();
      if (!M._nnplay_diverged()) hashes[M._nnplay_param_step()] = M._nnplay_param_hash();
    }
    for (let i = 0; i < 10; i++) await nextFrame();
    return { hashes, diverged: M._nnplay_diverged(), restored: M._nnplay_restored_step(),
             shownStep: M._nnplay_param_step(), shownHash: M._nnplay_param_hash(), steps: M._nnplay_step_count() };
  });
  const message = await apiString(page, 'nnplay_training_message');
  console.log(`     ${tag} divergence: ${message.split('\n')[0]}`);
  report.check(`${tag} divergence: the run diverges`, run.diverged === 1, `after ${run.steps} steps`);
  report.check(`${tag} divergence: the message is shown`, /diverged at step \d+/.test(message) &&
               message.includes(`restored to step ${run.restored}`), message.split('\n')[0]);
  report.check(`${tag} divergence: the parameters are those the run had after step ${run.restored}`,
               run.restored >= 0 && run.shownStep === run.restored && run.hashes[run.restored] !== undefined &&
               run.shownHash === run.hashes[run.restored],
               `shown step ${run.shownStep}, hash ${run.shownHash} vs recorded ${run.hashes[run.restored]}`);
  report.check(`${tag} divergence: the step counter is back at the restored step`, run.steps === run.restored,
               `${run.steps} vs ${run.restored}`);
  await page.keyboard.press('Space');  // Play: refused while diverged
  await frames(page, 20);
  report.check(`${tag} divergence: the step counter stays stopped`, (await api(page, 'nnplay_step_count')) === run.steps);
  report.check(`${tag} divergence: the points are kept`, (await page.evaluate(() => {
    const M = window.Module, pts = [];
    for (let i = 0; i < M._nnplay_point_count(); i++) pts.push([M._nnplay_point_x(i), M._nnplay_point_y(i), M._nnplay_point_label(i)]);
    return JSON.stringify(pts);
  })) === points);
  await page.screenshot({ path: path.join(outDir, `e2e-${expect}-diverged.png`) });
  await api(page, 'nnplay_play', 0);
}

const isolated = await startServer({ isolation: true });
const plain = await startServer({ isolation: false });
const browser = await launch();
try {
  if (mine.includes('core')) {
    await report.test('threaded build', () => slice(browser, isolated.url, 'threaded'));
    await report.test('fallback build', () => slice(browser, plain.url, 'fallback'));
    await report.test('forced fallback on an isolated host', async () => {
      const { page } = await openApp(browser, isolated.url + '?build=fallback');
      const info = await apiString(page, 'nnplay_build_info');
      report.check('?build=fallback loads the fallback build', info.startsWith('fallback'), info);
      await page.close();
    });
    await report.test('HiDPI (device pixel ratio 2)', async () => {
      const { page } = await openApp(browser, plain.url, { width: 1280, height: 800, dpr: 2 });
      const [w, cssW] = await page.evaluate(() => [document.getElementById('canvas').width,
                                                   document.getElementById('canvas').getBoundingClientRect().width]);
      report.check('[hidpi] the canvas has 2 device pixels per CSS pixel', w === 2 * cssW, `${w} for ${cssW} CSS px`);
      // Clicks still land where intended at DPR 2.
      await api(page, 'nnplay_set_model', 0);
      await api(page, 'nnplay_clear');
      await frames(page, 2);
      const cx = await api(page, 'nnplay_world_to_css_x', 0.5), cy = await api(page, 'nnplay_world_to_css_y', -0.25);
      await page.mouse.click(cx, cy);
      await frames(page, 3);
      const ok = (await api(page, 'nnplay_point_count')) === 1 &&
                 Math.hypot((await api(page, 'nnplay_point_x', 0)) - 0.5, (await api(page, 'nnplay_point_y', 0)) + 0.25) < 0.02;
      report.check('[hidpi] a click at DPR 2 adds the point where clicked', ok);
      await page.screenshot({ path: path.join(outDir, 'e2e-hidpi.png') });
      await page.close();
    });
    await report.test('embedded at 800x600 in an iframe', async () => {
      const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
      await page.setContent(`<iframe src="${plain.url}" width="800" height="600" style="border:1px solid #888"></iframe>`);
      const frame = page.frames()[1];
      await frame.waitForFunction(() => window.nnplay && window.nnplay.ready &&
                                        window.Module._nnplay_frame_count() > 10, null, { timeout: 60000 });
      const inFrame = await frame.evaluate(async () => {
        // As a reader's pointer would: an idle demo ticks slowly until woken.
        const M = window.Module;
        M._nnplay_wake();
        const before = M._nnplay_frame_count();
        await new Promise((r) => setTimeout(r, 500));
        const c = document.getElementById('canvas');
        return { advanced: M._nnplay_frame_count() - before, w: c.clientWidth, h: c.clientHeight,
                 info: M.UTF8ToString(M._nnplay_build_info()), canvasW: M._nnplay_layout(3) };
      });
      await page.screenshot({ path: path.join(outDir, 'e2e-iframe.png') });
      report.check('[iframe] the app keeps drawing inside an iframe', inFrame.advanced > 3, `${inFrame.advanced} frames in 0.5 s`);
      report.check('[iframe] it fills the 800x600 frame and lays out for it',
                   inFrame.w === 800 && inFrame.h === 600 && inFrame.canvasW > 100 && inFrame.canvasW < 800,
                   `canvas ${inFrame.w}x${inFrame.h}, plot area ${inFrame.canvasW} wide`);
      report.check('[iframe] a framed page (not isolated) runs the fallback build', inFrame.info.startsWith('fallback'), inFrame.info);
      await page.close();
    });
  }
  // More suites: every tests/e2e/*.test.mjs exports default async ({ browser, isolatedUrl, plainUrl, report }).
  if (process.env.NNPLAY_SOAK === '0' && !arg('--lane')) console.log('soak.test.mjs: not run (NNPLAY_SOAK=0)');
  for (const f of suites.filter((g) => mine.includes(g))) {
    const mod = await import(path.join(here, f));
    await report.test(f, () => mod.default({ browser, isolatedUrl: isolated.url, plainUrl: plain.url, report }));
  }
} finally {
  await browser.close();
  isolated.stop();
  plain.stop();
}
process.exit(report.summary());
