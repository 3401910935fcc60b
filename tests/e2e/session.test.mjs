// Save/load in the browser: a session JSON round-trips, a link in the page
// address loads at start-up, and junk (bad JSON, a CSV with junk lines, a
// malformed link) gives a message and loses nothing the user made.
import { Buffer } from 'node:buffer';
import { openApp, api, apiString, frames } from './harness.mjs';

const pointsOf = (page) => page.evaluate(() => {
  const M = window.Module, pts = [];
  for (let i = 0; i < M._nnplay_point_count(); i++) pts.push([M._nnplay_point_x(i), M._nnplay_point_y(i), M._nnplay_point_label(i)]);
  return JSON.stringify(pts);
});
const loadText = (page, text) => page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]), text);

export default async function ({ browser, plainUrl, report }) {
  const { page } = await openApp(browser, plainUrl);
  await api(page, 'nnplay_generate', 4, 120, 2, 0.1, 3, 0.2);  // two moons
  await frames(page, 2);
  const before = await pointsOf(page);
  const json = await apiString(page, 'nnplay_session_json');
  report.check('[session] the session serialises to JSON', json.startsWith('{') && json.includes('"points"'));

  for (const [what, junk] of [['bad JSON', '{"version": 1, "data": '],
                              ['an out-of-range learning rate', json.replace(/"lr": [^,]+/, '"lr": -3')],
                              ['a CSV with junk lines', 'x,y,class\n0.1,0.2,1\n0.3,abc,2\n'],
                              ['a malformed link', '#s=%%%not-base64']]) {
    const ok = await loadText(page, junk);
    const status = await apiString(page, 'nnplay_io_status');
    report.check(`[session] ${what} is refused with a message`, ok === 0 && status.length > 10, status.split('\n')[0]);
    report.check(`[session] ${what} loses no points`, (await pointsOf(page)) === before);
  }
  const csvStatus = (await loadText(page, 'x,y,class\n0.1,0.2,1\n0.3,abc,2\n'), await apiString(page, 'nnplay_io_status'));
  report.check('[session] the CSV message names the bad line', csvStatus.includes('line 3'), csvStatus.split('\n')[0]);

  // Load the saved JSON back after clearing.
  await api(page, 'nnplay_clear');
  report.check('[session] the saved JSON loads back the same points', (await loadText(page, json)) === 1 && (await pointsOf(page)) === before);
  // Every display setting survives save and load (show_preprocessed was once lost).
  const settings = JSON.parse(json);
  settings.ui = { ...settings.ui, show_preprocessed: true, show_validation: false, heat_class: 1, plot_log: false };
  await loadText(page, JSON.stringify(settings));
  const saved = JSON.parse(await apiString(page, 'nnplay_session_json')).ui;
  report.check('[session] the display settings survive save and load',
               saved.show_preprocessed === true && saved.show_validation === false && saved.heat_class === 1 &&
               saved.plot_log === false, JSON.stringify(saved));
  await page.close();

  // A link: a fresh page opened with the session in its address starts from it.
  const { page: p1 } = await openApp(browser, plainUrl);
  await loadText(p1, json);
  const link = await apiString(p1, 'nnplay_session_link');
  await p1.close();
  const { page: p2 } = await openApp(browser, plainUrl + link);
  report.check('[session] a #s= link reproduces the points at start-up', (await pointsOf(p2)) === before,
               `link of ${link.length} characters`);
  await p2.close();
  // A malformed link keeps the start-up example and says why.
  const { page: p3 } = await openApp(browser, plainUrl + '#s=AAAA');
  const status = await apiString(p3, 'nnplay_io_status');
  report.check('[session] a malformed link at start-up gives a message and a working app',
               status.length > 10 && (await api(p3, 'nnplay_point_count')) > 0, status.split('\n')[0]);
  await p3.close();

  // Hostile input that once blanked the page: a 53 KB link of 20,000 nested
  // arrays in "ui". The page starts, keeps its example and names the limit.
  const deep = '{"version":1,"ui":' + '['.repeat(20000) + ']'.repeat(20000) + '}';
  const deepLink = '#s=' + Buffer.from(deep).toString('base64url');
  const { page: p4, logs: logs4 } = await openApp(browser, plainUrl + deepLink);
  const s4 = await apiString(p4, 'nnplay_io_status');
  report.check('[hostile] a link of 20,000 nested arrays: message naming the depth limit, app running',
               /nested too deeply: at most 64 levels/.test(s4) && (await api(p4, 'nnplay_point_count')) > 0 &&
               !logs4.some((l) => l.startsWith('[pageerror]')), s4.split('\n')[0]);
  // The same through the box, and its relatives, after the page is running.
  const before4 = await pointsOf(p4);
  const load4 = (t) => p4.evaluate((t) => window.nnplayLoadText(t), t);
  const cases = [
    ['87,000 nested arrays', '['.repeat(87000) + ']'.repeat(87000), /nested too deeply/],
    ['a 60,000-deep object in ui', '{"version":1,"ui":' + '{"a":'.repeat(60000) + '1' + '}'.repeat(60000) + '}', /nested too deeply/],
    ['a nested ui of legal depth', '{"version":1,"ui":{"panels":{"loss":true}}}', /ui: unknown key "panels"/],
    ['a text over 16 MB', '{"version":1,"description":"' + ' '.repeat(17 << 20) + '"}', /too large.*at most 16 MB/],
    ['a link over 1 MB', '#s=' + 'A'.repeat((1 << 20) + 8), /link is too long: at most 1048576/],
  ];
  for (const [what, text, want] of cases) {
    const ok = await load4(text);
    await frames(p4, 2);
    const st = await apiString(p4, 'nnplay_io_status');
    report.check(`[hostile] ${what}: refused with a message naming the limit`, ok === 0 && want.test(st), st.split('\n')[0]);
    report.check(`[hostile] ${what}: nothing lost`, (await pointsOf(p4)) === before4);
  }
  // A file larger than the limit is refused before the page reads it.
  const big = await p4.evaluate(() => window.Module._nnplay_text_buffer(64 * 1024 * 1024));
  report.check('[hostile] a 64 MB file is refused unread', big === 0 &&
               /at most 16 MB/.test(await apiString(p4, 'nnplay_io_status')));
  const errs = logs4.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]'));
  report.check('[hostile] no page errors', errs.length === 0, errs.join(' | ').slice(0, 300));
  await p4.close();
}
