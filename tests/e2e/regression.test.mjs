// Regression in the browser, on the threaded and the fallback build: switch
// to 1D regression, click 10 points on the canvas (real mouse clicks at the
// world positions the page API converts), train a ReLU network, and the
// curve passes within 0.1 of every clicked point; the Move tool drags a
// point and right-click erases one. Then 2D regression: a sum-of-Gaussians
// set, trained, draws its heatmap (values in most texels, matching the
// model's output). Both regression presets open, and the function menu shows
// each one's generator. A regression CSV imports through the Save / load box
// and a bad row is named. Screenshots go to test-output/.
import path from 'node:path';
import { openApp, api, apiString, frames, clickWorld, outDir } from './harness.mjs';

const trainTo = async (page, step, timeout = 90000) => {
  await page.waitForFunction((step) => window.Module._nnplay_step_count() >= step, step, { timeout, polling: 100 })
    .catch(() => {});
};

async function suite(browser, url, build, report) {
  const tag = `[regression ${build}]`;
  const { page, logs } = await openApp(browser, url);
  await api(page, 'nnplay_clear');
  await api(page, 'nnplay_set_problem', 1);
  await frames(page, 3);
  report.check(`${tag} the problem switches to regression 1D`, (await api(page, 'nnplay_problem')) === 1);

  // Ten clicks along a smooth bump.
  const xs = [-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9];
  const ys = xs.map((x) => 0.7 * Math.sin(2.5 * x));
  for (let i = 0; i < xs.length; i++) await clickWorld(page, xs[i], ys[i]);
  const n = await api(page, 'nnplay_point_count');
  let placed = n === 10;
  for (let i = 0; i < Math.min(n, 10); i++)
    placed = placed && Math.hypot((await api(page, 'nnplay_point_x', i)) - xs[i], (await api(page, 'nnplay_point_y', i)) - ys[i]) < 0.02;
  report.check(`${tag} ten clicks add ten points where clicked`, placed, `${n} points`);

  // A network of 32 ReLU units with Adam (the default optimiser) and L2.
  await api(page, 'nnplay_set_model', 2);
  await api(page, 'nnplay_set_hidden', 1, 32, 0);
  await api(page, 'nnplay_set_loss', 4, 0);
  await api(page, 'nnplay_set_lr', 0.02);
  // The speed slider at 50 steps per frame (its top is 200: a larger value is clamped).
  await api(page, 'nnplay_set_speed', 100000);
  const top = await api(page, 'nnplay_speed');
  await api(page, 'nnplay_set_speed', 50);
  report.check(`${tag} the speed is clamped to its slider's range and set`, top === 200 && (await api(page, 'nnplay_speed')) === 50,
               `top ${top}`);
  await frames(page, 3);
  await api(page, 'nnplay_play', 1);
  await trainTo(page, 1500);
  await api(page, 'nnplay_play', 0);
  await frames(page, 4);
  const dist = [];
  for (let i = 0; i < xs.length; i++) dist.push(Math.abs((await api(page, 'nnplay_regression_predict', xs[i], 0)) - ys[i]));
  const worst = Math.max(...dist);
  report.check(`${tag} after training the curve passes within 0.1 of every clicked point`, worst < 0.1,
               `worst distance ${worst.toFixed(4)} at step ${await api(page, 'nnplay_step_count')}`);
  const rmse = await api(page, 'nnplay_rmse', 0);
  report.check(`${tag} the training RMSE is reported (below 0.1)`, Number.isFinite(rmse) && rmse < 0.1, `RMSE ${rmse}`);
  await page.screenshot({ path: path.join(outDir, `e2e-regression-1d-${build}.png`) });

  // Right-click erases the nearest point.
  await clickWorld(page, xs[4], ys[4], 'right');
  report.check(`${tag} right-click erases a point`, (await api(page, 'nnplay_point_count')) === 9);

  // kNN regression: the mean of the k nearest targets.
  await api(page, 'nnplay_set_model', 0);
  await api(page, 'nnplay_set_k', 1);
  await frames(page, 2);
  // Point 0 is the leftmost click: its target is where the click landed.
  const knn = await api(page, 'nnplay_regression_predict', (await api(page, 'nnplay_point_x', 0)) + 0.01, 0);
  const target = await api(page, 'nnplay_point_y', 0);
  report.check(`${tag} 1-NN regression returns the nearest point's target`, Math.abs(knn - target) < 1e-9,
               `${knn} vs ${target}`);

  // A press on the canvas (it adds a point) released outside the page, past
  // its left edge: the release still reaches the app (the page captures the
  // pointer), so the next click adds a point too. Before, ImGui kept the
  // button held and the click was lost (found by the soak, seed 104832).
  const before = await api(page, 'nnplay_point_count');
  const px = await api(page, 'nnplay_world_to_css_x', 0), py = await api(page, 'nnplay_world_to_css_y', 0.9);
  await page.mouse.move(px, py);
  await frames(page, 2);
  await page.mouse.down();
  await frames(page, 2);
  await page.mouse.move(-20, py, { steps: 4 });
  await page.mouse.up();
  await frames(page, 2);
  await clickWorld(page, 0.2, -0.9);
  const after = await api(page, 'nnplay_point_count');
  report.check(`${tag} after a press released outside the page, a click still adds a point`, after === before + 2,
               `${before} -> ${after} points`);

  // 2D: a sum of Gaussians, its heatmap drawn by the scorer.
  await api(page, 'nnplay_set_model', 2);
  await api(page, 'nnplay_generate_regression', 4, 300, 0.02, 1, 0.2);
  await frames(page, 3);
  report.check(`${tag} the Gaussians generator makes a 2D regression`, (await api(page, 'nnplay_problem')) === 2 &&
               (await api(page, 'nnplay_point_count')) === 300);
  await api(page, 'nnplay_set_hidden', 2, 16, 3);
  await frames(page, 2);
  await api(page, 'nnplay_play', 1);
  await trainTo(page, 800);
  await api(page, 'nnplay_play', 0);
  await frames(page, 8);
  const texels = await api(page, 'nnplay_region_value_texels');
  report.check(`${tag} the heatmap is drawn (values in over 10000 texels)`, texels > 10000, `${texels} texels`);
  const shown = await api(page, 'nnplay_region_value', 0.5, 0.5), model = await api(page, 'nnplay_regression_predict', 0.5, 0.5);
  report.check(`${tag} the heatmap shows the model's output (at (0.5, 0.5) within 0.05)`,
               Number.isFinite(shown) && Math.abs(shown - model) < 0.05, `texel ${shown}, model ${model}`);
  report.check(`${tag} the surface has learnt a bump (output above 0.3 at (0.5, 0.5))`, model > 0.3, `${model}`);
  await page.screenshot({ path: path.join(outDir, `e2e-regression-2d-${build}.png`) });

  // The generator menu follows a loaded preset (it showed Gaussians, row 4, until now).
  for (const [id, gen] of [['regression-outliers', 2], ['regression-vs-bins', 0]]) {
    const ok = await page.evaluate((id) => window.Module.ccall('nnplay_show_preset', 'number', ['string'], [id]), id);
    await frames(page, 3);
    report.check(`${tag} preset ${id} opens as a 1D regression`, ok === 1 && (await api(page, 'nnplay_problem')) === 1);
    const shown = await api(page, 'nnplay_regression_generator');
    report.check(`${tag} preset ${id}: the function menu shows its generator`, shown === gen, `row ${shown}`);
  }

  // CSV through the Save / load box: a 2D regression file (header x,y,value)
  // switches the problem; a bad row refuses the whole text and names its line.
  const loadText = (t) => page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]), t);
  const status = () => apiString(page, 'nnplay_io_status');
  const csvOk = await loadText('x,y,value,validation\n-0.5,0.5,0.8,0\n0.5,-0.5,-0.8,1\n0.1,0.2,0.3\n');
  report.check(`${tag} a regression CSV imports as 2D regression`, csvOk === 1 && (await api(page, 'nnplay_problem')) === 2 &&
               (await api(page, 'nnplay_point_count')) === 3 && (await api(page, 'nnplay_point_value', 1)) === -0.8,
               await status());
  report.check(`${tag} the function menu then offers a surface`, [3, 4].includes(await api(page, 'nnplay_regression_generator')));
  const csvBad = await loadText('x,value\n0.1,0.2\n0.3,high\n');
  const msg = await status();
  report.check(`${tag} a bad regression CSV row is named and nothing changes`, csvBad === 0 && msg.includes('line 3') &&
               msg.includes("value 'high' is not a number") && (await api(page, 'nnplay_problem')) === 2 &&
               (await api(page, 'nnplay_point_count')) === 3, msg.split('\n')[0]);
  report.check(`${tag} no page errors`, !logs.some((l) => l.startsWith('[pageerror]')),
               logs.filter((l) => l.startsWith('[pageerror]')).join('; '));
  await page.close();
}

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  await suite(browser, isolatedUrl, 'threaded', report);
  await suite(browser, plainUrl, 'fallback', report);
}
