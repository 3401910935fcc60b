// robust.test.mjs: focused checks of failures the soak found or that a
// hostile page address can cause, on both web builds.
//  1. The shown model is older than the points: a click adds a class the
//     training thread has not re-initialised the model for yet (it is busy
//     with a long step), and the mouse rests on the new point, so its tooltip
//     asks the old 3-class model for the loss of a class-5 point. That threw
//     on the UI thread, and an exception escaping a frame stops the
//     browser's main loop for good (the soak's "no frame for 30 s").
//  2. A link asking for the largest data set and the largest network: more
//     memory than the page may use. Training must stop with a message naming
//     the memory limit, the page must keep answering, the loaded points must
//     stay, and undo must bring back the points from before the link.
import { openApp, api, apiString, frames } from './harness.mjs';

// Waits for n main-loop iterations; false if the app stops answering for ms (30 s).
async function answers(page, n, ms = 30000) {
  let timer;
  const stalled = new Promise((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const waited = page.evaluate((n) => new Promise((resolve) => {
    const M = window.Module, target = M._nnplay_frame_count() + n;
    const poll = () => (M._nnplay_frame_count() >= target ? resolve(true) : requestAnimationFrame(poll));
    poll();
  }), n);
  try { return await Promise.race([waited, stalled]); } finally { clearTimeout(timer); }
}

const load = (page, text) => page.evaluate((t) => window.nnplayLoadText(t), text);
const pageErrors = (logs) => logs.filter((l) => l.startsWith('[pageerror]'));

async function staleModel(browser, url, expect, report) {
  const tag = `[robust ${expect}]`;
  const { page, logs } = await openApp(browser, url);
  // 20,000 points and two 256-wide layers, full batch: one step keeps the
  // training thread busy for many frames.
  const session = {
    version: 1, name: 'slow step',
    data: { generator: { kind: 'spiral', n: 20000, classes: 3, noise: 0.1, seed: 3 } },
    spec: { kind: 'net', hidden: [{ width: 256, act: 'relu' }, { width: 256, act: 'relu' }],
            optim: { kind: 'sgd', lr: 0.01, batch_size: 0 } },
    ui: { play: false },
  };
  report.check(`${tag} a 20,000-point session loads`, (await load(page, JSON.stringify(session))) === 1,
               (await apiString(page, 'nnplay_io_status')).split('\n')[0]);
  await api(page, 'nnplay_close_windows');
  // Wait for the 3-class model to be shown.
  for (let i = 0; i < 300 && (await api(page, 'nnplay_param_hash')) === -1; i++) await frames(page, 1);
  const [, cx, cy, cw, ch] = await page.evaluate(() => [0, 1, 2, 3, 4].map((i) => window.Module._nnplay_layout(i)));
  const x = cx + 0.93 * cw, y = cy + 0.07 * ch;  // an empty corner
  await page.mouse.move(x, y);
  await frames(page, 2);
  const n0 = await api(page, 'nnplay_point_count');
  await api(page, 'nnplay_step', 1);    // the training thread is busy for a while
  await api(page, 'nnplay_set_class', 4);
  await page.mouse.down();
  await frames(page, 1);
  await page.mouse.up();                // a class-5 point under the resting mouse
  const alive = await answers(page, 30);
  report.check(`${tag} the app keeps drawing while the shown model predates a new class`, alive,
               pageErrors(logs).join(' | ').slice(0, 300));
  if (alive) {
    report.check(`${tag} the click added the class-5 point`, (await api(page, 'nnplay_point_count')) === n0 + 1);
    report.check(`${tag} no page error`, pageErrors(logs).length === 0, pageErrors(logs).join(' | ').slice(0, 300));
  }
  await page.close();
}

async function outOfMemory(browser, url, expect, report) {
  const tag = `[robust ${expect}]`;
  const { page, logs } = await openApp(browser, url);
  await api(page, 'nnplay_play', 0);
  await api(page, 'nnplay_generate', 3, 300, 3, 0.1, 5, 0);  // the user's points
  await frames(page, 3);
  const mine = await api(page, 'nnplay_point_count');
  // The most points a session may have and the widest, deepest network,
  // trained on the full batch: far more than the page's memory maximum.
  const huge = {
    version: 1, name: 'too big',
    data: { generator: { kind: 'blobs', n: 100000, classes: 10, noise: 0.2, seed: 1 } },
    spec: { kind: 'net', hidden: Array(16).fill({ width: 512, act: 'relu' }),
            optim: { kind: 'adam', lr: 0.001, batch_size: 0 } },
    ui: { play: true },
  };
  const ok = await load(page, JSON.stringify(huge));
  report.check(`${tag} the session within every size limit loads`, ok === 1,
               (await apiString(page, 'nnplay_io_status')).split('\n')[0]);
  // Training starts and fails: wait (in steps of frames) for the message.
  let msg = '';
  // (The first frames after this load are long in the fallback build, which
  // does the loading work on its one thread: up to 90 s each on a loaded
  // machine before the page counts as stalled.)
  let stalled = false;
  for (let i = 0; i < 120 && !/memory/i.test(msg); i++) {
    if (!(await answers(page, 2, 90000))) { stalled = true; break; }
    msg = await apiString(page, 'nnplay_training_message');
  }
  report.check(`${tag} out of memory gives a message naming the memory limit`, /Out of memory/.test(msg) && /1024 MB/.test(msg),
               msg.split('\n')[0] || (stalled ? 'no message: the page did not answer for 90 s' : 'no message'));
  report.check(`${tag} the page still answers`, await answers(page, 5));
  report.check(`${tag} training stopped`, (await api(page, 'nnplay_is_playing')) === 0);
  report.check(`${tag} the loaded points are kept`, (await api(page, 'nnplay_point_count')) === 100000);
  await api(page, 'nnplay_undo');
  await frames(page, 3);
  report.check(`${tag} undo brings back the points from before the link`, (await api(page, 'nnplay_point_count')) === mine);
  report.check(`${tag} no page error`, pageErrors(logs).length === 0, pageErrors(logs).join(' | ').slice(0, 300));
  await page.close();
}

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  for (const [url, expect] of [[isolatedUrl, 'threaded'], [plainUrl, 'fallback']]) {
    await report.test(`stale model ${expect}`, () => staleModel(browser, url, expect, report));
    // The trainer refuses the too-large step with its message (both builds).
    await report.test(`out of memory ${expect}`, () => outOfMemory(browser, url, expect, report));
  }
}
