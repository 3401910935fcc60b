// measure_compare_fps.mjs: frames per second of a web build while one 2D run
// trains against four runs training side by side (README, "Comparing runs").
// Not a pass/fail test: it prints the figures. The session is
// momentum-vs-sgd's spiral with a 2-16-16-3 network (the bench's workload 9);
// "one" is run A alone, "four" is A plus three copies (Compare). Each
// configuration plays for 3 s, then drawn frames and every run's steps are
// counted over `seconds` (default 10); one / four / one / four, interleaved.
//   node tests/e2e/measure_compare_fps.mjs [threaded|fallback] [seconds]   (after ./build-wasm.sh)
import fs from 'node:fs';
import path from 'node:path';
import { repo, startServer, launch, openApp, api } from './harness.mjs';

const build = process.argv[2] || 'threaded';
const seconds = Number(process.argv[3] || 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const server = await startServer({ isolation: build === 'threaded' });
const browser = await launch();
const { page } = await openApp(browser, server.url + (build === 'threaded' ? '' : '?build=fallback'));
const info = await page.evaluate(() => window.Module.UTF8ToString(window.Module._nnplay_build_info ? window.Module._nnplay_build_info() : 0));
const session = JSON.parse(fs.readFileSync(path.join(repo, 'assets/presets/momentum-vs-sgd.json'), 'utf8'));
session.spec.hidden = session.spec.hidden.map((h) => ({ ...h, width: 16 }));
delete session.runs;
session.version = 1;
session.ui.play = false;

const steps = () => page.evaluate(() => {
  const M = window.Module, out = [];
  for (let i = 0; i < M._nnplay_run_count(); i++) out.push(M._nnplay_run_step(i));
  return out;
});
async function measure(runs) {
  const ok = await page.evaluate((t) => window.Module.ccall('nnplay_load_text', 'number', ['string'], [t]), JSON.stringify(session));
  if (ok !== 1) throw new Error('the session did not load');
  for (let i = 1; i < runs; i++) await api(page, 'nnplay_compare_add');
  await api(page, 'nnplay_reset');
  await api(page, 'nnplay_play', 1);
  await sleep(3000);
  const f0 = await api(page, 'nnplay_drawn_frames'), s0 = await steps(), t0 = Date.now();
  await sleep(seconds * 1000);
  const f1 = await api(page, 'nnplay_drawn_frames'), s1 = await steps(), t1 = Date.now();
  await api(page, 'nnplay_play', 0);
  const sec = (t1 - t0) / 1000;
  return { runs: s1.length, fps: (f1 - f0) / sec, steps_per_s: s1.map((s, i) => Math.round((s - s0[i]) / sec)) };
}
console.log(`build: ${build} ${info}`);
for (const runs of [1, 4, 1, 4]) {
  const r = await measure(runs);
  console.log(`${r.runs} run(s): ${r.fps.toFixed(1)} frames/s; steps/s per run: ${r.steps_per_s.join(', ')}`);
}
await browser.close();
server.stop();
