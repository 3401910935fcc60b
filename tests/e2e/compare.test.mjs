// Comparing runs in the browser, on the threaded and the fallback build:
// a comparison preset opens with its runs, training gives each run a curve
// (different ones) and decision regions in its own panel, the runs stay step
// for step, Reset resets every run, more runs can be added (2 x 2 layout),
// removing a run keeps the others training, and a kNN comparison draws both
// panels (and cross-validates every kNN run: one curve for 1-NN and 5-NN,
// two for L1 and L2); the update-ratio plot has every run's curve, a link with trained
// models gives each run its model back, and the compact embedded layout
// shows both runs. Screenshots of the 2- and 4-run layouts go to test-output/.
import path from 'node:path';
import { openApp, api, apiString, frames, outDir } from './harness.mjs';

const showPreset = (page, id) =>
  page.evaluate((id) => window.Module.ccall('nnplay_show_preset', 'number', ['string'], [id]), id);
const runLabel = (page, i) => page.evaluate((i) => window.Module.UTF8ToString(window.Module._nnplay_run_label(i)), i);
const runInfo = (page) => page.evaluate(() => {
  const M = window.Module, out = [];
  for (let i = 0; i < M._nnplay_run_count(); i++)
    out.push({ step: M._nnplay_run_step(i), curve: M._nnplay_run_curve_length(i), loss: M._nnplay_run_loss(i),
               texels: M._nnplay_run_region_texels(i), label: M.UTF8ToString(M._nnplay_run_label(i)) });
  return out;
});
// Waits until every run has reached `step` (or the timeout passes).
const trainTo = async (page, step, timeout = 90000) => {
  await page.waitForFunction((step) => {
    const M = window.Module;
    for (let i = 0; i < M._nnplay_run_count(); i++) if (M._nnplay_run_step(i) < step) return false;
    return true;
  }, step, { timeout, polling: 100 }).catch(() => {});
};

async function suite(browser, url, build, report) {
  const tag = `[compare ${build}]`;
  const { page, logs } = await openApp(browser, url);
  report.check(`${tag} the momentum-vs-sgd preset opens`, (await showPreset(page, 'momentum-vs-sgd')) === 1);
  await frames(page, 3);
  report.check(`${tag} it has two runs, A momentum and B SGD`,
               (await api(page, 'nnplay_run_count')) === 2 && (await runLabel(page, 0)).startsWith('A: momentum') &&
               (await runLabel(page, 1)).startsWith('B: plain SGD'), `${await runLabel(page, 0)} / ${await runLabel(page, 1)}`);
  await api(page, 'nnplay_play', 1);
  await trainTo(page, 150);
  await api(page, 'nnplay_play', 0);
  // Each run's plot reads its host's snapshots, which reach the UI a few
  // frames after the step counter: wait (bounded) until every curve has caught up.
  await page.waitForFunction(() => {
    const M = window.Module;
    for (let i = 0; i < M._nnplay_run_count(); i++) if (M._nnplay_run_curve_length(i) < 150) return false;
    return true;
  }, null, { timeout: 15000, polling: 100 }).catch(() => {});
  await frames(page, 3);
  let runs = await runInfo(page);
  report.check(`${tag} both runs trained and have loss curves`,
               runs.every((r) => r.step >= 150 && r.curve >= 150), JSON.stringify(runs));
  report.check(`${tag} the two curves differ (momentum vs SGD)`,
               Number.isFinite(runs[0].loss) && Number.isFinite(runs[1].loss) && runs[0].loss !== runs[1].loss,
               `A loss ${runs[0].loss}, B loss ${runs[1].loss}`);
  report.check(`${tag} the runs train step for step (at most a frame's steps apart)`,
               Math.abs(runs[0].step - runs[1].step) <= 10, `A step ${runs[0].step}, B step ${runs[1].step}`);
  report.check(`${tag} each panel has its decision regions`, runs.every((r) => r.texels > 1000),
               runs.map((r) => r.texels).join(', '));
  const panelA = await page.evaluate(() => [0, 1, 2, 3].map((k) => window.Module._nnplay_run_panel(0, k)));
  const panelB = await page.evaluate(() => [0, 1, 2, 3].map((k) => window.Module._nnplay_run_panel(1, k)));
  // Side by side or one above the other (whichever shows the plane larger), never overlapping.
  const sideBySide = panelB[0] >= panelA[0] + panelA[2] - 0.5, stacked = panelB[1] >= panelA[1] + panelA[3] - 0.5;
  report.check(`${tag} two panels that do not overlap, each at least 250 px on its short side`,
               (sideBySide || stacked) && Math.min(panelA[2], panelA[3], panelB[2], panelB[3]) >= 250,
               `A ${panelA.map(Math.round)}, B ${panelB.map(Math.round)}`);
  report.check(`${tag} the update-ratio plot has a curve for each run`,
               (await api(page, 'nnplay_compare_ratio_series')) === 2, `${await api(page, 'nnplay_compare_ratio_series')}`);
  await page.screenshot({ path: path.join(outDir, `e2e-compare-2runs-${build}.png`) });

  // A link "with trained model" carries every run's model: after a Reset,
  // loading it gives each run its step and predictions back.
  const probe = () => page.evaluate(() => {
    const M = window.Module, out = [];
    for (let i = 0; i < M._nnplay_run_count(); i++)
      for (let k = 0; k < 60; k++) out.push(M._nnplay_run_predict(i, -1.2 + 0.04 * k, Math.sin(k) * 1.1));
    return out.join('');
  });
  const link = await page.evaluate(() => {
    const M = window.Module, p = M._malloc(1);
    M.stringToUTF8('', p, 1);
    const r = M.UTF8ToString(M._nnplay_share_link(1, 0, p, 0));
    M._free(p);
    return r;
  });
  const savedSteps = [await api(page, 'nnplay_run_step', 0), await api(page, 'nnplay_run_step', 1)];
  const savedPred = await probe();
  await api(page, 'nnplay_reset');
  await page.waitForFunction(() => window.Module._nnplay_run_step(1) === 0, null, { timeout: 20000 }).catch(() => {});
  const resetPred = await probe();
  const loaded = await page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]),
                                     link.slice(link.indexOf('#')));
  await page.waitForFunction((n) => window.Module._nnplay_run_step(0) === n[0] && window.Module._nnplay_run_step(1) === n[1],
                             savedSteps, { timeout: 20000 }).catch(() => {});
  const loadedPred = await probe();
  report.check(`${tag} a link with trained models gives every run its model back`,
               loaded === 1 && (await api(page, 'nnplay_run_count')) === 2 && loadedPred === savedPred && resetPred !== savedPred &&
               (await api(page, 'nnplay_run_step', 1)) === savedSteps[1],
               `steps ${savedSteps} -> ${await api(page, 'nnplay_run_step', 0)},${await api(page, 'nnplay_run_step', 1)}; ` +
               `predictions equal ${loadedPred === savedPred}, reset differs ${resetPred !== savedPred}`);

  // Reset acts on every run.
  await api(page, 'nnplay_reset');
  await page.waitForFunction(() => window.Module._nnplay_run_step(0) === 0 && window.Module._nnplay_run_step(1) === 0,
                             null, { timeout: 20000 }).catch(() => {});
  await frames(page, 3);
  runs = await runInfo(page);
  report.check(`${tag} Reset resets every run`, runs.every((r) => r.step === 0 && r.curve === 0), JSON.stringify(runs));

  // Up to four runs, then no more.
  report.check(`${tag} Compare adds runs C and D`,
               (await api(page, 'nnplay_compare_add')) === 1 && (await api(page, 'nnplay_compare_add')) === 1 &&
               (await api(page, 'nnplay_run_count')) === 4);
  report.check(`${tag} a fifth run is refused`, (await api(page, 'nnplay_compare_add')) === 0 &&
               (await api(page, 'nnplay_run_count')) === 4);
  await api(page, 'nnplay_play', 1);
  await trainTo(page, 60);
  await api(page, 'nnplay_play', 0);
  await frames(page, 6);
  runs = await runInfo(page);
  report.check(`${tag} four runs train, each with regions`, runs.length === 4 && runs.every((r) => r.step >= 60 && r.texels > 500),
               JSON.stringify(runs.map((r) => [r.step, r.texels])));
  await page.screenshot({ path: path.join(outDir, `e2e-compare-4runs-${build}.png`) });

  // Removing B keeps A, C and D (C becomes the second run) and their progress.
  const before = runs;
  await api(page, 'nnplay_compare_remove', 1);
  await frames(page, 3);
  runs = await runInfo(page);
  report.check(`${tag} removing run B keeps the other three`,
               runs.length === 3 && runs[0].step === before[0].step && runs[1].step === before[2].step &&
               runs[2].step === before[3].step, JSON.stringify(runs.map((r) => [r.label, r.step])));
  await api(page, 'nnplay_play', 1);
  await trainTo(page, before[0].step + 30);
  await api(page, 'nnplay_play', 0);
  runs = await runInfo(page);
  report.check(`${tag} the remaining runs go on training`, runs.every((r) => r.step >= before[0].step + 30),
               runs.map((r) => r.step).join(', '));
  report.check(`${tag} no page errors`, !logs.some((l) => l.startsWith('[pageerror]')),
               logs.filter((l) => l.startsWith('[pageerror]')).join('; '));
  await page.close();

  // kNN runs compare the same way; and the 2-run layout at 800 x 600.
  const { page: p2 } = await openApp(browser, url, { width: 800, height: 600 });
  report.check(`${tag} the knn-1-vs-5 preset opens with two runs`,
               (await showPreset(p2, 'knn-1-vs-5')) === 1 && (await api(p2, 'nnplay_run_count')) === 2);
  await frames(p2, 8);
  const knn = await runInfo(p2);
  report.check(`${tag} both kNN panels have regions`, knn.every((r) => r.texels > 500) && knn[1].label.includes('5-NN'),
               JSON.stringify(knn.map((r) => [r.label, r.texels])));
  await p2.screenshot({ path: path.join(outDir, `e2e-compare-knn-800x600-${build}.png`) });
  // "Cross-validate k" with kNN runs: every run gets a curve; 1-NN and 5-NN
  // read the same one (k is a dot on it), L1 and L2 get two different ones.
  await api(p2, 'nnplay_knn_cv');
  let cv = JSON.parse(await apiString(p2, 'nnplay_knn_cv_json'));
  const curves = (cv) => cv.runs.length === 2 && cv.ks.length >= 5 && cv.runs.every((r) => r.mean.length === cv.ks.length);
  report.check(`${tag} kNN cross-validation: both runs get a curve, 1-NN and 5-NN the same one`,
               curves(cv) && JSON.stringify(cv.runs[0].mean) === JSON.stringify(cv.runs[1].mean),
               JSON.stringify(cv.runs.map((r) => [r.label, r.k, r.mean.map((a) => a.toFixed(3)).join(' ')])));
  report.check(`${tag} the knn-l1-vs-l2 preset opens with two runs`,
               (await showPreset(p2, 'knn-l1-vs-l2')) === 1 && (await api(p2, 'nnplay_run_count')) === 2);
  await api(p2, 'nnplay_knn_cv');
  cv = JSON.parse(await apiString(p2, 'nnplay_knn_cv_json'));
  report.check(`${tag} kNN cross-validation: the L1 and L2 runs get different curves`,
               curves(cv) && JSON.stringify(cv.runs[0].mean) !== JSON.stringify(cv.runs[1].mean),
               JSON.stringify(cv.runs.map((r) => [r.label, r.mean.map((a) => a.toFixed(3)).join(' ')])));
  await frames(p2, 4);
  await p2.screenshot({ path: path.join(outDir, `e2e-compare-knn-cv-800x600-${build}.png`) });
  await p2.close();

  // An embedded comparison (compact layout) shows every run in the embed's canvas.
  const { page: p3 } = await openApp(browser, url + '?preset=momentum-vs-sgd&ui=compact', { width: 640, height: 480 });
  await api(p3, 'nnplay_step', 20);
  await trainTo(p3, 20, 30000);
  await frames(p3, 6);
  const emb = await runInfo(p3);
  const canvas = await p3.evaluate(() => [1, 2, 3, 4].map((k) => window.Module._nnplay_layout(k)));
  const panels = await p3.evaluate(() => [0, 1].map((i) => [0, 1, 2, 3].map((k) => window.Module._nnplay_run_panel(i, k))));
  const inside = panels.every(([x, y, w, h]) => x >= canvas[0] - 0.5 && y >= canvas[1] - 0.5 &&
                                                x + w <= canvas[0] + canvas[2] + 0.5 && y + h <= canvas[1] + canvas[3] + 0.5);
  report.check(`${tag} the compact layout shows both runs, each panel inside the canvas, with regions`,
               (await api(p3, 'nnplay_ui_layout')) === 1 && emb.length === 2 && inside &&
               emb.every((r) => r.step >= 20 && r.texels > 500),
               JSON.stringify({ canvas, panels, runs: emb.map((r) => [r.step, r.texels]) }));
  await p3.screenshot({ path: path.join(outDir, `e2e-compare-compact-${build}.png`) });
  await p3.close();
}

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  await suite(browser, isolatedUrl, 'threaded', report);
  await suite(browser, plainUrl, 'fallback', report);
}
