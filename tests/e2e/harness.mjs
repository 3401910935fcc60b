// harness.mjs: shared pieces of the browser tests: start the local server,
// launch Debian's Chromium through playwright-core, wait for the app, and a
// tiny check/report helper whose last line is "e2e: N passed, M failed".
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = path.join(repo, 'test-output');
fs.mkdirSync(outDir, { recursive: true });

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

export async function startServer({ isolation = true } = {}) {
  const port = await freePort();
  const args = [path.join(repo, 'web/serve.mjs'), '--root', path.join(repo, 'build/site'), '--port', String(port)];
  if (!isolation) args.push('--no-isolation');
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => { if (String(d).includes('served at')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    setTimeout(() => reject(new Error('server did not start in 10 s')), 10000);
  });
  return { url: `http://localhost:${port}/`, stop: () => proc.kill() };
}

// A static file server with no special headers at all (no COOP/COEP, no CSP):
// how a course-notes site without cross-origin isolation serves the pages.
export function staticServer(root) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json',
                  '.css': 'text/css' };
  const srv = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.join(root, rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () =>
    resolve({ url: `http://127.0.0.1:${srv.address().port}/`, stop: () => srv.close() })));
}

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
           '--ignore-gpu-blocklist'],
  });
}

// Opens the page and waits until the app has drawn a few frames.
export async function openApp(browser, url, { width = 1280, height = 800, dpr = 1 } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: dpr });
  const logs = [];
  page.on('console', (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  // Content-Security-Policy violations (the server sends a strict policy).
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`));
  });
  const response = await page.goto(url);
  page.__csp = response ? response.headers()['content-security-policy'] || '' : '';
  try {
    await page.waitForFunction(() => window.nnplay && window.nnplay.ready &&
                                     window.Module._nnplay_frame_count() > 10, null, { timeout: 60000 });
  } catch (e) {
    console.log(logs.join('\n'));
    throw new Error(`app at ${url} did not become ready: ${e.message}`);
  }
  return { page, logs };
}

export const api = (page, fn, ...args) =>
  page.evaluate(([fn, args]) => window.Module['_' + fn](...args), [fn, args]);
export const apiString = (page, fn) =>
  page.evaluate((fn) => window.Module.UTF8ToString(window.Module['_' + fn]()), fn);

// Waits for n more frames (so input has been processed and drawn).
export async function frames(page, n = 3) {
  const start = await api(page, 'nnplay_frame_count');
  await page.waitForFunction((t) => window.Module._nnplay_frame_count() >= t, start + n, { timeout: 30000 });
}

// A real mouse click (move, press, release, a couple of frames apart) at plane coordinates (x, y).
export async function clickWorld(page, x, y, button = 'left') {
  const cx = await api(page, 'nnplay_world_to_css_x', x), cy = await api(page, 'nnplay_world_to_css_y', y);
  await page.mouse.move(cx, cy);
  await frames(page, 2);
  await page.mouse.down({ button });
  await frames(page, 2);
  await page.mouse.up({ button });
  await frames(page, 2);
}

export class Report {
  constructor() { this.passed = 0; this.failed = 0; this.times = []; }
  check(name, ok, detail = '') {
    if (ok) this.passed++; else this.failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ' (' + detail + ')' : ''}`);
  }
  async test(name, fn) {
    const t0 = Date.now();
    try { await fn(); } catch (e) { this.check(name, false, e.stack || String(e)); }
    this.times.push([name, (Date.now() - t0) / 1000]);
  }
  summary() {
    // Where the stage's time goes (the test command's budget is kept from these).
    if (this.times.length > 1) console.log('e2e times: ' + this.times.map(([n, s]) => `${n} ${s.toFixed(0)} s`).join(', '));
    console.log(`e2e: ${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 ? 0 : 1;
  }
}
