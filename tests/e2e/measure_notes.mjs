// measure_notes.mjs: how light the example notes page is with its six demos
// loaded and idle (README, "Embedding in course notes"). Not a pass/fail
// test: it prints the figures. For each build (fallback from a plain static
// server, threaded from the project's server with COOP/COEP) it scrolls
// through the page so every lazy iframe loads, waits until the demos stop
// drawing, then measures over 10 s the CPU time of all of Chromium's
// processes (CDP SystemInfo.getProcessInfo), the drawn frames, and the
// memory: each demo's WebAssembly memory, the page's JS heap (CDP
// Performance.getMetrics) and, where the page is cross-origin isolated,
// performance.measureUserAgentSpecificMemory().
//   node tests/e2e/measure_notes.mjs   (after ./build-wasm.sh)
import path from 'node:path';
import { repo, startServer, launch, staticServer } from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function cpuSeconds(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  return processInfo.reduce((t, p) => t + p.cpuTime, 0);
}

async function measure(browser, url, label) {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url + 'notes-example.html');
  const iframes = await page.$$('iframe');
  const frames = [];
  for (const el of iframes) {
    await el.scrollIntoViewIfNeeded();
    const f = await el.contentFrame();
    await f.waitForFunction(() => window.nnplay && window.nnplay.ready && window.Module._nnplay_frame_count() > 10,
                            null, { timeout: 120000 });
    frames.push(f);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  // Wait until no demo has drawn for 2 s (start-up frames and notices end), at most 40 s.
  const drawn = async () => (await Promise.all(frames.map((f) => f.evaluate(() => window.Module._nnplay_drawn_frames()))))
    .reduce((a, b) => a + b, 0);
  for (let t = 0, prev = -1, still = 0; t < 40 && still < 2; t++) {
    const d = await drawn();
    still = d === prev ? still + 1 : 0;
    prev = d;
    await sleep(1000);
  }
  const builds = await Promise.all(frames.map((f) => f.evaluate(() => window.nnplay.build)));
  const bcdp = await browser.newBrowserCDPSession();  // process information lives on the browser target
  const d0 = await drawn(), c0 = await cpuSeconds(bcdp), t0 = Date.now();
  await sleep(10000);
  const d1 = await drawn(), c1 = await cpuSeconds(bcdp), secs = (Date.now() - t0) / 1000;
  // The memory's own size: in the threaded build a Worker may have grown it
  // since the main thread last refreshed its HEAP views.
  const wasm = await Promise.all(frames.map((f) => f.evaluate(() =>
    window.Module.wasmMemory ? window.Module.wasmMemory.buffer.byteLength : window.Module.HEAPU8.length)));
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  let uaMemory = 'n/a (the page is not cross-origin isolated)';
  if (await page.evaluate(() => self.crossOriginIsolated && !!performance.measureUserAgentSpecificMemory)) {
    const r = await page.evaluate(() => performance.measureUserAgentSpecificMemory());
    uaMemory = `${(r.bytes / 2 ** 20).toFixed(1)} MB`;
  }
  const workers = await Promise.all(frames.map((f) => f.evaluate(() => (window.Module.PThread ? window.Module.PThread.runningWorkers.length + window.Module.PThread.unusedWorkers.length : 0))));
  console.log(`${label}: ${frames.length} demos (${[...new Set(builds)].join(', ')} build)`);
  console.log(`  idle over ${secs.toFixed(1)} s: ${d1 - d0} frames drawn by all demos; CPU time of all Chromium processes ` +
              `${(c1 - c0).toFixed(2)} s (${(100 * (c1 - c0) / secs).toFixed(1)} % of one core)`);
  console.log(`  memory: WebAssembly ${wasm.map((b) => (b / 2 ** 20).toFixed(0)).join(' + ')} MB = ` +
              `${(wasm.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(0)} MB; page JS heap used ` +
              `${(metrics.JSHeapUsedSize / 2 ** 20).toFixed(1)} MB; measureUserAgentSpecificMemory: ${uaMemory}`);
  console.log(`  pthread Web Workers per demo: ${workers.join(', ')}`);
  await page.close();
}

const site = path.join(repo, 'build/site');
const plain = await staticServer(site);
const isolated = await startServer({ isolation: true });
const browser = await launch();
try {
  await measure(browser, plain.url, 'plain static server (no COOP/COEP)');
  await measure(browser, isolated.url, "project's server (COOP/COEP)");
} finally {
  await browser.close();
  plain.stop();
  isolated.stop();
}
