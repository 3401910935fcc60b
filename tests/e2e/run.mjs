// run.mjs: browser end-to-end tests of both web builds in headless Chromium.
// The threaded build is served with COOP/COEP (cross-origin isolated); the
// fallback is reached the way a static host reaches it: without the headers.
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, openApp, api, apiString, frames, Report, outDir } from './harness.mjs';

const report = new Report();

async function clickWorld(page, x, y, button = 'left') {
  const cx = await api(page, 'nnplay_world_to_css_x', x), cy = await api(page, 'nnplay_world_to_css_y', y);
  await page.mouse.move(cx, cy);
  await frames(page, 2);
  await page.mouse.down({ button });
  await frames(page, 2);
  await page.mouse.up({ button });
  await frames(page, 2);
}

async function slice(browser, url, expect) {
  const { page, logs } = await openApp(browser, url);
  const tag = `[${expect}]`;
  const info = await apiString(page, 'nnplay_build_info');
  report.check(`${tag} page reports the ${expect} build`, info.startsWith(expect), info);
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
  const t0 = Date.now();
  let acc = NaN, steps = 0;
  while (Date.now() - t0 < 120000) {
    await frames(page, 5);
    acc = await api(page, 'nnplay_accuracy', 0);
    steps = await api(page, 'nnplay_step_count');
    if (acc >= 0.9 || steps > 6000) break;
  }
  const fps = await api(page, 'nnplay_fps');
  console.log(`     ${tag} training: ${steps} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
              `train accuracy ${(100 * acc).toFixed(1)} %, ${fps.toFixed(0)} fps while training`);
  report.check(`${tag} spiral: train accuracy >= 90 % within 6000 steps`, acc >= 0.9, `acc ${acc}, ${steps} steps`);
  await page.screenshot({ path: path.join(outDir, `e2e-${expect}-training.png`) });
  // One screenshot per panel: sidebar, canvas, analysis column.
  const vp = page.viewportSize();
  const sidebarW = Math.min(Math.max(vp.width * 0.25, 250), 320), analysisW = Math.min(Math.max(vp.width * 0.27, 300), 420);
  for (const [name, clip] of [['sidebar', { x: 0, y: 0, width: sidebarW, height: vp.height }],
                              ['canvas', { x: sidebarW, y: 0, width: vp.width - sidebarW - analysisW, height: vp.height }],
                              ['analysis', { x: vp.width - analysisW, y: 0, width: analysisW, height: vp.height }]])
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

  // A diverging run stops with a status and keeps the points.
  await api(page, 'nnplay_set_lr', 10);
  await api(page, 'nnplay_set_hidden', 2, 16, 4);
  await api(page, 'nnplay_play', 1);
  const t1 = Date.now();
  while (Date.now() - t1 < 30000 && !(await api(page, 'nnplay_diverged'))) await frames(page, 5);
  const diverged = await api(page, 'nnplay_diverged');
  console.log(`     ${tag} lr = 10 sigmoid net: diverged = ${diverged} after ${await api(page, 'nnplay_step_count')} steps`);
  report.check(`${tag} the points survive a model change and a high learning rate`,
               (await api(page, 'nnplay_point_count')) === 301);
  await api(page, 'nnplay_play', 0);
}

const isolated = await startServer({ isolation: true });
const plain = await startServer({ isolation: false });
const browser = await launch();
try {
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
    await page.screenshot({ path: path.join(outDir, 'e2e-iframe.png') });
    report.check('the page runs inside an iframe', true);
    await page.close();
  });
  // More suites: every tests/e2e/*.test.mjs exports default async ({ browser, isolatedUrl, plainUrl, report }).
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const f of fs.readdirSync(here).filter((n) => n.endsWith('.test.mjs')).sort()) {
    const mod = await import(path.join(here, f));
    await report.test(f, () => mod.default({ browser, isolatedUrl: isolated.url, plainUrl: plain.url, report }));
  }
} finally {
  await browser.close();
  isolated.stop();
  plain.stop();
}
process.exit(report.summary());
