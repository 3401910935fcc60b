// Share / embed, autosave and PNG export, on both web builds (threaded with
// COOP/COEP, fallback without): the Share window's link opened in a new page
// gives the same points, settings and predictions, with the chosen layout;
// the iframe snippet escapes it; work survives a reload; a corrupt or
// oversized autosave is set aside with a message; a session in the address
// wins over the autosave and says so; the PNG export is a PNG of the canvas.
import fs from 'node:fs';
import path from 'node:path';
import { outDir, openApp, api, apiString, frames } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ready = (page) => page.waitForFunction(() => window.nnplay && window.nnplay.ready &&
                                                   window.Module._nnplay_frame_count() > 10, null, { timeout: 90000 });
const str = (page, expr) => page.evaluate((e) => window.Module.UTF8ToString(window.Module['_' + e]()), expr);
const session = async (page) => JSON.parse(await apiString(page, 'nnplay_session_json'));
const predictions = (page) => page.evaluate(() => {
  const out = [];
  for (let i = 0; i < 100; i++) out.push(window.Module._nnplay_predict(-1.2 + 0.024 * i, Math.sin(i) * 1.1));
  return out;
});
const shareLink = (page, withModel, ui, controls, autoplay) =>
  page.evaluate(([w, u, c, a]) => {
    const M = window.Module;
    const n = M.lengthBytesUTF8(c) + 1, p = M._malloc(n);
    M.stringToUTF8(c, p, n);
    const r = M.UTF8ToString(M._nnplay_share_link(w, u, p, a));
    M._free(p);
    return r;
  }, [withModel, ui, controls, autoplay]);
const errorsOf = (logs) => logs.filter((l) => l.startsWith('[error]') || l.startsWith('[pageerror]'));

// Width and height from a PNG's IHDR, or null if the bytes are not a PNG.
function pngSize(buf) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 24 || !sig.every((b, i) => buf[i] === b) || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { w: buf.readUInt32BE(16), h: buf.readUInt32BE(20) };
}

async function slice(browser, url, build, report) {
  const tag = `[share ${build}]`;
  // ---- A trained session, shared ----------------------------------------------------
  const { page, logs } = await openApp(browser, url);
  report.check(`${tag} the page runs the ${build} build`, (await apiString(page, 'nnplay_build_info')).startsWith(build));
  await api(page, 'nnplay_generate', 3, 150, 3, 0.1, 5, 0.2);  // spiral, 150 points
  await api(page, 'nnplay_set_lr', 0.0123);
  await api(page, 'nnplay_step', 40);
  await page.waitForFunction(() => window.Module._nnplay_step_count() >= 40, null, { timeout: 60000 });
  await frames(page, 3);
  const link = await shareLink(page, 1, 0, '', 0);
  report.check(`${tag} the link is the page address with the session`, link.startsWith(url + '#s=z.'), link.slice(0, 60));
  const before = await session(page), predBefore = await predictions(page);

  const opened = await openApp(browser, link);
  const after = await session(opened.page);
  report.check(`${tag} the link opens the same points`, JSON.stringify(after.data) === JSON.stringify(before.data),
               `${after.data.points.length} vs ${before.data.points.length} points`);
  report.check(`${tag} and the same settings`, JSON.stringify(after.spec) === JSON.stringify(before.spec) &&
               after.spec.optim.lr === 0.0123);
  const predAfter = await predictions(opened.page);
  report.check(`${tag} and the trained model predicts the same on 100 points`,
               predAfter.every((p, i) => p === predBefore[i]) && (await api(opened.page, 'nnplay_step_count')) >= 40,
               `step ${await api(opened.page, 'nnplay_step_count')}`);
  report.check(`${tag} the opened link shows its restore notice of the address, not an autosave`,
               (await api(opened.page, 'nnplay_autosave_kind')) === 0);
  report.check(`${tag} no console error opening the link`, errorsOf(opened.logs).length === 0, errorsOf(opened.logs).join(' | '));
  await opened.page.close();

  // Layout, controls and autoplay travel in the query.
  const compact = await shareLink(page, 0, 1, 'play,lr,loss', 1);
  report.check(`${tag} the compact link's query`, compact.startsWith(url + '?ui=compact&controls=play,lr,loss&autoplay#s=z.'),
               compact.slice(0, 90));
  const snippet = await str(page, 'nnplay_share_snippet');
  report.check(`${tag} the iframe snippet escapes the link`,
               snippet.startsWith('<iframe src="' + compact.replace(/&/g, '&amp;') + '" width="640" height="480" loading="lazy"'),
               snippet.slice(0, 120));
  const small = await openApp(browser, compact, { width: 640, height: 480 });
  report.check(`${tag} the compact link opens the compact layout, playing (autoplay, top-level page)`,
               (await api(small.page, 'nnplay_ui_layout')) === 1 && (await api(small.page, 'nnplay_is_playing')) === 1 &&
               (await session(small.page)).data.points.length === before.data.points.length);
  report.check(`${tag} an embedded layout does not autosave`, (await api(small.page, 'nnplay_autosave_enabled')) === 0);
  await small.page.close();

  // The window itself, looked at.
  await api(page, 'nnplay_show_share', 1);
  await frames(page, 6);
  await page.screenshot({ path: path.join(outDir, `e2e-share-window-${build}.png`) });
  await api(page, 'nnplay_show_share', 0);

  // ---- PNG export -----------------------------------------------------------------------
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }),
                                        api(page, 'nnplay_export_png')]);
  const file = path.join(outDir, `e2e-share-export-${build}.png`);
  await download.saveAs(file);
  const size = pngSize(fs.readFileSync(file));
  const want = { w: await api(page, 'nnplay_canvas_px', 0), h: await api(page, 'nnplay_canvas_px', 1) };
  report.check(`${tag} the PNG export is a PNG of the canvas's size`, size && size.w === want.w && size.h === want.h,
               `${JSON.stringify(size)} vs ${JSON.stringify(want)}, ${download.suggestedFilename()}`);
  report.check(`${tag} no console error`, errorsOf(logs).length === 0, errorsOf(logs).join(' | '));
  await page.close();

  // ---- Autosave ---------------------------------------------------------------------------
  const a = await openApp(browser, url);
  report.check(`${tag} a fresh page has nothing to restore`, (await api(a.page, 'nnplay_autosave_kind')) === 0 &&
               (await api(a.page, 'nnplay_autosave_enabled')) === 1);
  await api(a.page, 'nnplay_clear');
  for (const [x, y, c] of [[-0.5, 0.5, 0], [0.5, 0.5, 1], [0.4, -0.6, 2], [-0.3, -0.2, 0], [0.1, 0.9, 1], [0.7, 0.1, 2], [-0.9, 0, 1]])
    await api(a.page, 'nnplay_add_point', x, y, c);
  await api(a.page, 'nnplay_set_lr', 0.0456);
  await frames(a.page, 3);
  const edited = await session(a.page);
  await a.page.reload();  // pagehide writes the session
  await ready(a.page);
  const restored = await session(a.page);
  report.check(`${tag} the work survives a reload`, JSON.stringify(restored.data) === JSON.stringify(edited.data) &&
               restored.spec.optim.lr === 0.0456, `${restored.data.points.length} points, lr ${restored.spec.optim.lr}`);
  const notice = await str(a.page, 'nnplay_autosave_notice');
  report.check(`${tag} with a notice offering to start fresh`, (await api(a.page, 'nnplay_autosave_kind')) === 1 &&
               notice.startsWith('Restored your work from'), notice);
  await frames(a.page, 3);
  await a.page.screenshot({ path: path.join(outDir, `e2e-share-restored-${build}.png`) });

  // A session in the address wins, says so, and keeps the autosave aside.
  const other = await shareLink(a.page, 0, 0, '', 0);
  await api(a.page, 'nnplay_generate', 1, 40, 2, 0.1, 3, 0);  // circle
  await frames(a.page, 2);
  const linkOf40 = await shareLink(a.page, 0, 0, '', 0);
  await a.page.goto('about:blank');  // (from the same address, only the fragment would change: no reload)
  await a.page.goto(linkOf40);
  await ready(a.page);
  report.check(`${tag} a link in the address wins over the autosave and says so`,
               (await api(a.page, 'nnplay_point_count')) === 40 && (await api(a.page, 'nnplay_autosave_kind')) === 2 &&
               (await str(a.page, 'nnplay_autosave_notice')).includes('page address'),
               await str(a.page, 'nnplay_autosave_notice'));
  report.check(`${tag} and keeps the autosave aside`,
               (await a.page.evaluate(() => localStorage.getItem('nnplay.autosave.previous') || '')).startsWith('nnplay-autosave 1 '));
  void other;

  // Corrupt and oversized autosaves: a message, set aside, the start-up example, no crash.
  for (const [what, value, says] of [
    ['corrupt', 'nnplay-autosave 1 1700000000\nz.AAAA-not-a-session', 'could not be restored'],
    ['unreadable', '{"not": "ours"}', 'not an nnplay autosave'],
    ['oversized', 'nnplay-autosave 1 1\nz.' + 'A'.repeat(2000001), 'too large']]) {
    await a.page.goto('about:blank');
    await a.page.goto(url);
    await ready(a.page);
    await a.page.evaluate((v) => { localStorage.setItem('nnplay.autosave', v); localStorage.removeItem('nnplay.autosave.bad'); }, value);
    // Leave without the page writing its own session over the planted one.
    await a.page.evaluate(() => { window.Module._nnplay_autosave_now = () => {}; });
    await a.page.reload();
    await ready(a.page);
    const msg = await str(a.page, 'nnplay_autosave_notice');
    const kept = await a.page.evaluate(() => [localStorage.getItem('nnplay.autosave'), localStorage.getItem('nnplay.autosave.bad')]);
    report.check(`${tag} a ${what} autosave gives a message`, (await api(a.page, 'nnplay_autosave_kind')) === 3 &&
                 msg.includes(says), msg.slice(0, 140));
    report.check(`${tag} and is set aside, not lost; the start-up example runs`,
                 kept[0] === null && kept[1] === value && (await api(a.page, 'nnplay_point_count')) > 0);
    if (what === 'corrupt') {
      await frames(a.page, 3);
      await a.page.screenshot({ path: path.join(outDir, `e2e-share-corrupt-${build}.png`) });
    }
  }
  report.check(`${tag} no console error in the autosave page`, errorsOf(a.logs).length === 0, errorsOf(a.logs).join(' | '));
  await a.page.close();
}

export default async function ({ browser, isolatedUrl, plainUrl, report }) {
  await slice(browser, isolatedUrl, 'threaded', report);
  await slice(browser, plainUrl, 'fallback', report);
}
