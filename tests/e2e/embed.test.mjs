// Embedding in course notes: the notes page served by a plain static server
// (no COOP/COEP headers, like a course site) loads every iframe without a
// console error; only the demo the reader touched trains, and it pauses when
// scrolled out of view; an idle demo draws no frames; ?preset= loads every
// preset; bad parameters give a message and the default state. The threaded
// build (project's server) starts no pthread Worker until it is used, and
// then trains.
import fs from 'node:fs';
import path from 'node:path';
import { repo, outDir, openApp, api, apiString, frames, staticServer } from './harness.mjs';


const inFrame = (frame, fn, ...args) => frame.evaluate(([fn, args]) => window.Module['_' + fn](...args), [fn, args]);
const frameReady = (frame) => frame.waitForFunction(() => window.nnplay && window.nnplay.ready &&
                                                         window.Module._nnplay_frame_count() > 10, null, { timeout: 90000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The ConvNet calculator's preset ids (nn::convnet_preset_ids()); the playground's come from assets/presets.
const convnetIds = ['convnet-output-size', 'convnet-cifar-conv', 'convnet-no-padding', 'convnet-stacked-3x3',
                    'convnet-dilated', 'convnet-fc-to-conv', 'convnet-alexnet', 'convnet-vgg16', 'convnet-vgg16-conv-384'];

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  const site = path.join(repo, 'build/site');
  const plain = await staticServer(site);
  try {
    // ---- The notes page ----------------------------------------------------------
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const logs = [];
    page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
    await page.goto(plain.url + 'notes-example.html');
    const iframes = await page.$$('iframe');
    report.check('[embed] the notes page has at least 5 demos', iframes.length >= 5, `${iframes.length}`);
    const frames_ = [];
    for (const el of iframes) {  // lazy iframes load when scrolled to
      await el.scrollIntoViewIfNeeded();
      const f = await el.contentFrame();
      await frameReady(f);
      frames_.push(f);
    }
    report.check('[embed] every iframe loaded the app', frames_.length === iframes.length);
    report.check('[embed] the iframes run the fallback build (no COOP/COEP)',
                 (await Promise.all(frames_.map((f) => f.evaluate(() => window.nnplay.build)))).every((b) => b === 'fallback'));
    const errors = logs.filter((l) => l.startsWith('[error]') || l.startsWith('[pageerror]'));
    report.check('[embed] no console errors on the notes page', errors.length === 0, errors.slice(0, 3).join(' | '));
    report.check('[embed] no demo trains before it is touched',
                 (await Promise.all(frames_.map((f) => inFrame(f, 'nnplay_step_count')))).every((n) => n === 0));

    // Idle: with nothing to do, the loop ticks but draws nothing.
    const last = frames_[frames_.length - 1];
    // Start-up draws for a while (the first frames, a notice shown for 8 s):
    // wait until a whole second passes without a drawn frame (at most 20 s).
    for (let t = 0, prev = -1; t < 20; t++) {
      const d = await inFrame(last, 'nnplay_drawn_frames');
      if (d === prev) break;
      prev = d;
      await sleep(1000);
    }
    const d0 = await inFrame(last, 'nnplay_drawn_frames'), t0 = await inFrame(last, 'nnplay_frame_count');
    await sleep(2000);
    const d1 = await inFrame(last, 'nnplay_drawn_frames'), t1 = await inFrame(last, 'nnplay_frame_count');
    console.log(`     [embed] idle demo over 2 s: ${d1 - d0} frames drawn, ${t1 - t0} loop ticks`);
    report.check('[embed] an idle demo draws no frames', d1 - d0 === 0 && t1 > t0, `${d1 - d0} drawn`);
    // ...and its loop ticks ten times a second, not at every animation frame (60).
    report.check('[embed] an idle demo\'s loop slows to about 10 ticks a second', t1 - t0 >= 5 && t1 - t0 <= 30,
                 `${t1 - t0} ticks in 2 s`);

    // Touch the linear-classifier demo (its preset asks to play): only it trains.
    const k = 1;
    await iframes[k].scrollIntoViewIfNeeded();
    await sleep(500);
    const box = await iframes[k].boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.3);
    await sleep(3000);
    const steps = await Promise.all(frames_.map((f) => inFrame(f, 'nnplay_step_count')));
    report.check('[embed] the touched demo trains', steps[k] > 0, `steps ${steps.join(',')}`);
    report.check('[embed] the others stay idle', steps.every((n, i) => i === k || n === 0), `steps ${steps.join(',')}`);
    await page.screenshot({ path: path.join(outDir, 'e2e-embed-notes.png') });

    // Scroll it out of view: it pauses; back in view: it resumes.
    await iframes[iframes.length - 1].scrollIntoViewIfNeeded();
    await sleep(1000);
    const a = await inFrame(frames_[k], 'nnplay_step_count');
    await sleep(1500);
    const b = await inFrame(frames_[k], 'nnplay_step_count');
    report.check('[embed] a demo scrolled out of view pauses', a === b && (await inFrame(frames_[k], 'nnplay_visible')) === 0,
                 `${a} -> ${b}`);
    await iframes[k].scrollIntoViewIfNeeded();
    // Back in view it trains again: wait for a step (up to 20 s on a loaded machine).
    let c = b;
    for (let t = 0; t < 40 && c <= b; t++) {
      await sleep(500);
      c = await inFrame(frames_[k], 'nnplay_step_count');
    }
    report.check('[embed] and resumes when scrolled back', c > b, `${b} -> ${c}`);
    await page.close();

    // ---- Every preset by ?preset= --------------------------------------------------
    // One page address of each kind (a 2D preset, a comparison, a regression, a
    // ConvNet calculator preset) is loaded for real; every preset then goes
    // through the same start-up parsing inside one page (nnplay_apply_launch
    // runs what the page's start-up runs on its query), which is the same code
    // without about fifty page loads.
    const ids = fs.readdirSync(path.join(repo, 'assets/presets')).filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, '')).sort().concat(convnetIds);
    const shown = async (pg, id) => {
      const errs = await pg.evaluate(() => window.Module.UTF8ToString(window.Module._nnplay_launch_errors()));
      const ok = id.startsWith('convnet-') ? (await pg.evaluate(() => window.Module._nnplay_convnet_open())) === 1
        : (await pg.evaluate(() => window.Module.UTF8ToString(window.Module._nnplay_session_name()))).length > 0 &&
          (await pg.evaluate(() => window.Module._nnplay_ui_layout())) === 1;
      return errs || !ok ? `${id}: ${errs || 'not shown'}` : '';
    };
    const p2 = await browser.newPage({ viewport: { width: 640, height: 480 } });
    const loaded = [];
    for (const id of ['svm-vs-softmax', 'momentum-vs-sgd', 'regression-outliers', 'convnet-alexnet']) {
      await p2.goto(`${plain.url}index.html?preset=${id}&ui=compact`);
      await p2.waitForFunction(() => window.nnplay && window.nnplay.ready && window.Module._nnplay_frame_count() > 10,
                               null, { timeout: 60000 });
      loaded.push(await shown(p2, id));
      if (id === 'svm-vs-softmax') await p2.screenshot({ path: path.join(outDir, 'e2e-embed-compact-640x480.png') });
    }
    report.check('[embed] a page address ?preset=ID&ui=compact opens each kind of preset',
                 loaded.every((m) => m === ''), loaded.filter((m) => m).join(' | '));
    const bad = [];
    for (const id of ids) {
      await p2.evaluate((q) => window.Module.ccall('nnplay_apply_launch', null, ['string'], [q]), `?preset=${id}&ui=compact`);
      await frames(p2, 2);
      const m = await shown(p2, id);
      if (m) bad.push(m);
    }
    report.check(`[embed] ?preset= loads each of the ${ids.length} presets`, bad.length === 0, bad.slice(0, 3).join(' | '));

    // ---- Bad parameters --------------------------------------------------------------
    await p2.goto(`${plain.url}index.html?preset=nope&ui=tiny&controls=play,fly&autoplay=maybe`);
    await p2.waitForFunction(() => window.nnplay && window.nnplay.ready && window.Module._nnplay_frame_count() > 10,
                             null, { timeout: 60000 });
    const msg = await p2.evaluate(() => window.Module.UTF8ToString(window.Module._nnplay_launch_errors()));
    report.check('[embed] bad parameters each get a message',
                 ['preset: no preset "nope"', 'ui: unknown layout "tiny"', 'controls: unknown control "fly"', 'autoplay: must be']
                   .every((m) => msg.includes(m)), msg.split('\n')[0]);
    report.check('[embed] and the default state: full layout, start-up example, not playing',
                 (await p2.evaluate(() => window.Module._nnplay_ui_layout())) === 0 &&
                 (await p2.evaluate(() => window.Module._nnplay_point_count())) > 0 &&
                 (await p2.evaluate(() => window.Module._nnplay_is_playing())) === 0);
    await p2.screenshot({ path: path.join(outDir, 'e2e-embed-bad-params.png') });

    // ---- Small frames ------------------------------------------------------------------
    // One page per pixel ratio, resized like an iframe whose size changes.
    for (const [dpr, sizes] of [[1, [[480, 360], [640, 480], [800, 600]]], [2, [[640, 480]]]]) {
      const [w0, h0] = sizes[0];
      const p3 = await browser.newPage({ viewport: { width: w0, height: h0 }, deviceScaleFactor: dpr });
      await p3.bringToFront();  // a background tab gets no animation frames, so the app would not tick
      await p3.goto(`${plain.url}index.html?preset=svm-vs-softmax&ui=compact&controls=play,step,reset,lr,loss,stats`);
      await p3.waitForFunction(() => window.nnplay && window.nnplay.ready && window.Module._nnplay_frame_count() > 10,
                               null, { timeout: 60000 });
      for (const [w, h] of sizes) {
        await p3.setViewportSize({ width: w, height: h });
        await frames(p3, 3);
        await p3.screenshot({ path: path.join(outDir, `e2e-embed-${w}x${h}-dpr${dpr}.png`) });
      }
      await p3.close();
    }
    await p2.close();

    // ---- Threads on first use (threaded build) ---------------------------------------
    // Emscripten's pthread Workers, alive or idle (as measure_notes.mjs counts them).
    const p4 = await browser.newPage({ viewport: { width: 640, height: 480 } });
    const logs4 = [];
    p4.on('console', (m) => logs4.push(`[${m.type()}] ${m.text()}`));
    p4.on('pageerror', (e) => logs4.push(`[pageerror] ${e.message}`));
    await p4.goto(`${isolatedUrl}index.html?ui=compact`);
    await p4.waitForFunction(() => window.nnplay && window.nnplay.ready && window.Module._nnplay_frame_count() > 10,
                             null, { timeout: 60000 });
    const workers = () => p4.evaluate(() => {
      const P = window.Module.PThread;
      return P ? P.runningWorkers.length + P.unusedWorkers.length : -1;
    });
    await sleep(1000);
    const build4 = await p4.evaluate(() => window.nnplay.build);
    const w0 = await workers();
    report.check('[embed] threaded: an idle demo has no pthread Worker before it is used',
                 build4 === 'threaded' && w0 === 0, `${build4} build, ${w0} Workers`);
    // Play: the training thread and the pool's workers start; it trains.
    await p4.evaluate(() => window.Module._nnplay_play(1));
    let s4 = 0;
    for (let t = 0; t < 40 && s4 === 0; t++) {
      await sleep(250);
      s4 = await p4.evaluate(() => window.Module._nnplay_step_count());
    }
    await sleep(500);
    const s5 = await p4.evaluate(() => window.Module._nnplay_step_count());
    const w1 = await workers();
    // The training thread, plus the pool's workers: one per hardware thread
    // with the caller (parallel.cpp), at most 4 in the web build.
    const pool = await p4.evaluate(() => Math.min(Math.max(navigator.hardwareConcurrency || 1, 1), 5));
    console.log(`     [embed] threaded: ${w0} Workers idle, ${w1} after Play (${s5} steps)`);
    report.check('[embed] threaded: after Play it trains on its own thread', s4 > 0 && s5 > s4, `steps ${s4} -> ${s5}`);
    report.check('[embed] threaded: Workers after Play = the training thread + the pool\'s', w1 === pool, `${w1}, expected ${pool}`);
    // A run removed in the frame after its training thread was created, before
    // that thread's Web Worker has loaded (which needs the main thread's event
    // loop): the main thread must not wait for the thread, or the page hangs.
    const withTimeout = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), ms))]);
    let how = '';
    for (let attempt = 0; attempt < 3 && how !== 'removed before its Worker loaded'; attempt++) {
      how = await withTimeout(p4.evaluate(() => new Promise((resolve) => {
        const M = window.Module, P = M.PThread, before = P.runningWorkers.length;
        M._nnplay_play(0);
        if (!M._nnplay_compare_add()) { resolve('compare_add refused'); return; }
        M._nnplay_play(1);
        let n = 0;
        const poll = () => {
          if (P.runningWorkers.length > before) {
            const fresh = P.runningWorkers.slice(before).some((w) => !w.loaded);
            M._nnplay_compare_remove(1);
            resolve(fresh ? 'removed before its Worker loaded' : 'its Worker had loaded already');
          } else if (++n > 600) {
            resolve('no new thread');
          } else {
            requestAnimationFrame(poll);
          }
        };
        requestAnimationFrame(poll);
      })), 20000);
    }
    const t6 = await withTimeout(p4.evaluate(() => window.Module._nnplay_frame_count()), 5000);
    await sleep(1000);
    const t7 = await withTimeout(p4.evaluate(() => window.Module._nnplay_frame_count()), 5000);
    const s6 = await withTimeout(p4.evaluate(() => window.Module._nnplay_step_count()), 5000);
    await sleep(1000);
    const s7 = await withTimeout(p4.evaluate(() => window.Module._nnplay_step_count()), 5000);
    report.check('[embed] threaded: a run removed before its thread started leaves the page running',
                 how === 'removed before its Worker loaded' && typeof t7 === 'number' && t7 > t6 && s7 > s6 &&
                 (await withTimeout(p4.evaluate(() => window.Module._nnplay_run_count()), 5000)) === 1,
                 `${how}; ticks ${t6} -> ${t7}, steps ${s6} -> ${s7}`);
    const errors4 = logs4.filter((l) => l.startsWith('[error]') || l.startsWith('[pageerror]'));
    report.check('[embed] threaded: no console errors', errors4.length === 0, errors4.slice(0, 3).join(' | '));
    await p4.close();
  } finally {
    plain.stop();
  }
}
