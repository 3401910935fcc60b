// The image mode in both web builds: no image set is fetched at start-up;
// entering Images fetches Fashion-MNIST's subset (its size is reported);
// softmax trained for a fixed number of steps beats a stated test accuracy;
// the templates are drawn; the sketch pad gives a prediction; kNN shows its
// neighbours; a drawing added to the training set is used by kNN; cross-
// validation over k runs while the page keeps drawing; a ConvNet trains and
// shows its filters; a set that cannot be fetched gives a message and the 2D
// playground still works.
import fs from 'node:fs';
import path from 'node:path';
import { openApp, api, apiString, frames, outDir } from './harness.mjs';

const showPreset = (page, id) =>
  page.evaluate((id) => window.Module.ccall('nnplay_show_preset', 'number', ['string'], [id]), id);
const state = async (page) => JSON.parse(await apiString(page, 'nnplay_image_state'));
// Polls the app's image state from here (the page's CSP forbids evaluating strings).
async function waitState(page, cond, timeout = 120000) {
  const end = Date.now() + timeout;
  for (;;) {
    const s = await state(page);
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error('timed out waiting for the image state: ' + JSON.stringify({ ...s, class_names: undefined }));
    await new Promise((r) => setTimeout(r, 250));
  }
}

// Waits until the app's loop has ticked `ticks` times without drawing a
// frame (the app found nothing to do), reading only the two counters that do
// not wake it; returns the frames drawn meanwhile.
const counters = (page) => page.evaluate(() => [window.Module._nnplay_frame_count(), window.Module._nnplay_drawn_frames()]);
async function untilIdle(page, timeout = 180000, ticks = 8) {
  const end = Date.now() + timeout;
  let [since, d0] = await counters(page);
  const first = d0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const [t, d] = await counters(page);
    if (d !== d0) d0 = d, since = t;
    else if (t - since >= ticks) return d - first;
    if (Date.now() > end) throw new Error(`the app kept drawing for ${timeout} ms`);
  }
}
// Calls the app, then holds the page's main thread for longer than the
// app's wake-up window (0.75 s), as a loaded machine does between frames.
const callThenStall = (page, calls, ms = 1500) => page.evaluate(([calls, ms]) => {
  for (const [fn, ...args] of calls) window.Module['_' + fn](...args);
  const t = performance.now();
  while (performance.now() - t < ms) { /* busy */ }
}, [calls, ms]);

// Threshold: softmax on 5,000 Fashion-MNIST training images (mean image
// subtracted, Adam 1e-3, batch 64), 600 steps (about 7.7 epochs): test
// accuracy on the first 1,000 test images above 0.75 (native reaches ~0.83).
const kSoftmaxSteps = 600, kSoftmaxMinAcc = 0.75;

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  for (const [url, build] of [[isolatedUrl, 'threaded'], [plainUrl, 'fallback']]) {
    const tag = `[images ${build}]`;
    const { page, logs } = await openApp(browser, url);
    try {
      const atStart = await page.evaluate(() =>
        performance.getEntriesByType('resource').filter((e) => e.name.includes('.nnimg')).length);
      report.check(`${tag} no image set is fetched at start-up`, atStart === 0);

      // Enter Images: the page fetches the subset, the app loads it.
      const t0 = Date.now();
      await api(page, 'nnplay_image_mode', 1);
      await waitState(page, (s) => s.loaded || s.error.length > 0);
      let s = await state(page);
      const bytes = await page.evaluate(() => window.nnplay.imageBytes || 0);
      report.check(`${tag} entering Images fetches and loads Fashion-MNIST`,
                   s.loaded && s.set === 'fashion-mnist' && s.train === 5000 && s.test === 1000 && bytes > 1e6,
                   `${s.error || ''} fetched ${bytes} bytes, loaded in ${Date.now() - t0} ms`);

      // Softmax: a fixed number of steps, then the test accuracy the app reports.
      await api(page, 'nnplay_image_model', 1);
      await api(page, 'nnplay_image_tab', 1);
      await frames(page, 2);
      const t1 = Date.now();
      await api(page, 'nnplay_step', kSoftmaxSteps);
      await waitState(page, (s) => s.step >= kSoftmaxSteps && s.eval_step === s.step, 180000);
      s = await state(page);
      const ms = Date.now() - t1;
      report.check(`${tag} softmax: test accuracy after ${kSoftmaxSteps} steps beats ${kSoftmaxMinAcc}`,
                   s.test_acc > kSoftmaxMinAcc,
                   `test acc ${s.test_acc.toFixed(3)} on ${s.eval_count} images; ${(ms / kSoftmaxSteps).toFixed(2)} ms/step (with rendering)`);
      await frames(page, 4);
      s = await state(page);
      report.check(`${tag} the 10 templates are drawn`, s.weights_drawn && s.weights_rows === 10);
      await page.screenshot({ path: path.join(outDir, `images-templates-${build}.png`) });

      // A call into the app from the page draws its result every time, not
      // only on that function's first call (an optimised build's export
      // stubs replaced the page's waking wrapper on first use).
      await untilIdle(page);
      const [, idleDrawn] = await counters(page);
      await api(page, 'nnplay_image_tab', 1);  // its second call
      let woke = false;
      for (const end = Date.now() + 10000; !woke && Date.now() < end; await new Promise((r) => setTimeout(r, 50)))
        woke = (await counters(page))[1] > idleDrawn;
      report.check(`${tag} a repeated call into the app's API wakes the idle app`, woke);

      // Sketch pad: two vertical strokes (a pair of trouser legs) get a prediction.
      await api(page, 'nnplay_image_tab', 3);
      await api(page, 'nnplay_sketch_clear');
      await api(page, 'nnplay_sketch_stroke', 10, 3, 9, 25);
      await api(page, 'nnplay_sketch_stroke', 18, 3, 19, 25);
      await api(page, 'nnplay_sketch_stroke', 10, 3, 18, 3);
      await frames(page, 4);
      s = await state(page);
      const sum = s.sketch_probs.reduce((a, b) => a + b, 0);
      report.check(`${tag} the sketch pad gives a prediction with probabilities`,
                   s.sketch_ink > 20 && s.sketch_pred >= 0 && s.sketch_probs.length === 10 && Math.abs(sum - 1) < 1e-6,
                   `predicted ${s.class_names[s.sketch_pred]} (p = ${Math.max(...s.sketch_probs).toFixed(2)})`);
      await page.screenshot({ path: path.join(outDir, `images-sketch-${build}.png`) });

      // kNN: every test image's nearest training images, shown for the selected
      // one. The switch is followed by a frame later than the app's wake-up
      // window, and nothing wakes the app afterwards: the app itself must
      // keep drawing frames until the switch is applied and published (the
      // single-threaded build applies it only inside a frame). The state is
      // read once the app is idle again (that read returns before it draws).
      await untilIdle(page);
      await callThenStall(page, [['nnplay_image_model', 0], ['nnplay_image_tab', 0]]);
      await untilIdle(page);
      s = await state(page);
      report.check(`${tag} kNN finds neighbours and reports an accuracy, with no call to wake the app after the switch`,
                   s.model === 0 && s.knn_k >= 5 && s.test_acc > 0.5,
                   `k found ${s.knn_k}, test acc ${s.test_acc.toFixed(3)} on ${s.eval_count} images`);
      await frames(page, 4);
      await page.screenshot({ path: path.join(outDir, `images-knn-${build}.png`) });

      // Add to training set: the pad's drawing (still the trouser legs) joins
      // the training images with label 1; kNN finds neighbours again at once.
      const trainBefore = s.train;
      report.check(`${tag} "add to training set" is accepted`, (await api(page, 'nnplay_image_add_sketch', 1)) === 1);
      await frames(page, 2);
      s = await waitState(page, (s) => s.train === trainBefore + 1 && s.knn_k > 0, 120000);
      // The pad's nearest training image is now the drawing itself (the last row, distance 0).
      report.check(`${tag} the drawing is a training image and kNN uses it`,
                   s.added === 1 && s.train === trainBefore + 1 && s.sketch_nearest === trainBefore && s.test_acc > 0.5,
                   `${s.train} training images (${s.added} drawn), the pad's nearest: row ${s.sketch_nearest}, test acc ${s.test_acc.toFixed(3)}`);

      // Cross-validation over k (3 folds to keep it short); the page keeps
      // drawing frames meanwhile, by itself: after the start the page is
      // stalled past the wake-up window and nothing wakes the app, yet the
      // run goes on (single-threaded build: in frames) and a frame takes its
      // result (read once the app is idle again).
      await untilIdle(page);
      const tcv = Date.now();
      await callThenStall(page, [['nnplay_image_cv_start', 3]]);
      const cvFrames = await untilIdle(page, 240000), cvMs = Date.now() - tcv;
      s = await state(page);
      const best = s.cv_mean.indexOf(Math.max(...s.cv_mean));
      report.check(`${tag} cross-validation over k gives a mean accuracy per k`,
                   !s.cv_running && !s.cv_error && s.cv_folds === 3 && s.cv_ks.length >= 5 && s.cv_mean.every((a) => a > 0.5),
                   `${s.cv_error || ''} best k ${s.cv_ks[best]} (${(s.cv_mean[best] || 0).toFixed(3)}) in ${cvMs} ms`);
      report.check(`${tag} the page keeps drawing while it cross-validates`, cvFrames >= Math.max(2, cvMs / 1000),
                   `${cvFrames} frames drawn in ${cvMs} ms`);
      await frames(page, 3);
      await page.screenshot({ path: path.join(outDir, `images-knn-cv-${build}.png`) });
      const saved = JSON.parse(await apiString(page, 'nnplay_session_json'));
      report.check(`${tag} a session saved in Images holds the image model`,
                   saved.spec.kind === 'knn' && saved.spec.input && saved.spec.input.width === 28 && saved.ui.image_mode === true,
                   JSON.stringify({ kind: saved.spec.kind, input: saved.spec.input, image_mode: saved.ui.image_mode }));

      // ConvNet: a few steps, its 8 first-layer filters and the selected image's activation maps.
      await api(page, 'nnplay_image_model', 3);
      await api(page, 'nnplay_image_tab', 1);
      await frames(page, 2);
      const t2 = Date.now();
      await api(page, 'nnplay_step', 30);
      await waitState(page, (s) => s.model === 3 && s.step >= 30 && s.eval_step === s.step, 180000);
      await frames(page, 4);
      s = await state(page);
      report.check(`${tag} a ConvNet trains and shows its 8 filters and 6 layers of activation maps`,
                   s.weights_rows === 8 && s.weights_drawn && s.act_maps === 6 && !s.error_training,
                   `${((Date.now() - t2) / 30).toFixed(0)} ms/step with evaluation and rendering; test acc ${s.test_acc.toFixed(3)}`);
      await page.screenshot({ path: path.join(outDir, `images-convnet-${build}.png`) });

      // An image comparison: the linear-vs-MLP preset opens with two runs on
      // the same images; Step trains both, each run's templates/filters are
      // drawn and differ, a saved session holds both image models, Reset
      // resets every run, and loading the saved session gives both runs back.
      report.check(`${tag} the image comparison preset opens`, (await showPreset(page, 'image-linear-vs-mlp')) === 1);
      await api(page, 'nnplay_image_play', 0);
      await api(page, 'nnplay_reset');
      await api(page, 'nnplay_image_tab', 1);
      await frames(page, 2);
      await api(page, 'nnplay_step', 40);
      s = await waitState(page, (s) => s.runs.length === 2 && s.runs.every((r) => r.step >= 40 && r.eval_step === r.step), 120000);
      await frames(page, 4);
      s = await state(page);
      const [ra, rb] = s.runs;
      report.check(`${tag} image comparison: both runs trained step for step and report a test accuracy`,
                   s.active && ra.step === 40 && rb.step === 40 && ra.test_acc > 0.3 && rb.test_acc > 0.3 &&
                   ra.label.startsWith('A: linear') && rb.label.startsWith('B: MLP'),
                   JSON.stringify(s.runs.map((r) => [r.label, r.step, r.test_acc.toFixed(3)])));
      report.check(`${tag} image comparison: each run's templates/filters are drawn, and they differ`,
                   ra.weights_drawn && rb.weights_drawn && ra.weights_rows === 10 && rb.weights_rows === 100 &&
                   ra.weights_abs_sum > 0 && rb.weights_abs_sum > 0 && ra.weights_abs_sum !== rb.weights_abs_sum,
                   `rows ${ra.weights_rows} / ${rb.weights_rows}, sum |w| ${ra.weights_abs_sum.toFixed(2)} / ${rb.weights_abs_sum.toFixed(2)}`);
      await page.screenshot({ path: path.join(outDir, `images-compare-${build}.png`) });
      const savedCmp = await apiString(page, 'nnplay_session_json');
      const cmp = JSON.parse(savedCmp);
      report.check(`${tag} image comparison: a saved session holds both image models`,
                   cmp.spec.kind === 'linear' && cmp.spec.input.width === 28 && cmp.runs && cmp.runs.length === 2 &&
                   cmp.runs[1].spec.kind === 'net' && cmp.ui.image_mode === true, JSON.stringify(cmp.runs));
      await api(page, 'nnplay_reset');
      s = await waitState(page, (s) => s.runs.every((r) => r.step === 0), 30000);
      report.check(`${tag} image comparison: Reset resets every run`, s.runs.length === 2 && s.runs.every((r) => r.step === 0),
                   JSON.stringify(s.runs.map((r) => r.step)));
      await api(page, 'nnplay_compare_remove', 1);
      await frames(page, 2);
      const reloaded = await page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]), savedCmp);
      await frames(page, 3);
      s = await state(page);
      report.check(`${tag} image comparison: loading the saved session gives both runs back`,
                   reloaded === 1 && s.active && s.runs.length === 2 && s.runs[1].model === 2 && s.runs[0].model === 1,
                   JSON.stringify(s.runs.map((r) => [r.label, r.model])));
      await api(page, 'nnplay_image_play', 0);

      // An image kNN comparison (L2 against L1, 1,000 training images): "Cross-validate k"
      // gives each run its curve, one run after the other, while the page keeps drawing.
      const knnCmp = JSON.parse(savedCmp);
      knnCmp.spec = { ...knnCmp.spec, kind: 'knn', knn: { k: 5, metric: 'l2', weighted: false } };
      knnCmp.ui = { ...knnCmp.ui, image_model: 0, image_train: 1000, image_test: 200, play: false };
      knnCmp.runs = [{ name: 'L2' }, { name: 'L1', spec: { knn: { metric: 'l1' } } }];
      report.check(`${tag} an image kNN comparison loads`,
                   (await page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]),
                                        JSON.stringify(knnCmp))) === 1);
      s = await waitState(page, (s) => s.loaded && s.base_train === 1000 && s.runs.length === 2, 60000);
      await untilIdle(page);
      // The two kNN searches over the test images take turns (one per frame
      // at most): both runs still get their test accuracy.
      s = await waitState(page, (s) => s.runs.every((r) => r.test_acc >= 0), 60000);
      report.check(`${tag} image kNN comparison: each run has its test accuracy (the searches took turns)`,
                   s.runs.length === 2 && s.runs.every((r) => r.model === 0 && r.test_acc > 0.3 && r.test_acc <= 1),
                   JSON.stringify(s.runs.map((r) => [r.label, r.test_acc])));
      const tcv2 = Date.now();
      await callThenStall(page, [['nnplay_image_cv_start', 3]]);
      const cv2Frames = await untilIdle(page, 120000), cv2Ms = Date.now() - tcv2;
      s = await state(page);
      const [ka, kb] = s.runs;
      report.check(`${tag} image kNN comparison: each run gets its cross-validation curve, L1's differs from L2's`,
                   !s.cv_running && !s.cv_error && ka.model === 0 && kb.model === 0 && ka.cv_mean.length >= 5 &&
                   kb.cv_mean.length === ka.cv_mean.length && JSON.stringify(ka.cv_mean) !== JSON.stringify(kb.cv_mean),
                   `${s.cv_error || ''} ${JSON.stringify(s.runs.map((r) => [r.label, r.cv_mean.map((a) => a.toFixed(3)).join(' ')]))} in ${cv2Ms} ms, ${cv2Frames} frames`);
      report.check(`${tag} image kNN comparison: the page keeps drawing while the runs cross-validate`,
                   cv2Frames >= Math.max(2, cv2Ms / 1000), `${cv2Frames} frames drawn in ${cv2Ms} ms`);
      await frames(page, 3);
      await page.screenshot({ path: path.join(outDir, `images-compare-knn-cv-${build}.png`) });

      // A set that cannot be fetched: a message, and Points still works.
      await page.route('**/mnist.nnimg', (r) => r.abort());
      await api(page, 'nnplay_image_set', 1);
      await waitState(page, (s) => s.error.length > 0 || s.loaded, 60000);
      s = await state(page);
      report.check(`${tag} a set that cannot be fetched gives a message`, !s.loaded && s.error.includes('Could not fetch'), s.error);
      await api(page, 'nnplay_image_mode', 0);
      await frames(page, 3);
      report.check(`${tag} the 2D playground works after leaving Images`,
                   (await api(page, 'nnplay_point_count')) > 0 && !(await state(page)).active);
    } catch (e) {
      console.log(logs.slice(-20).join('\n'));
      throw e;
    } finally {
      await page.close();
    }
  }
}
