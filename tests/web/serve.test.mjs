// serve.test.mjs: the local server (web/serve.mjs) against a throw-away site:
// it serves files inside the root with the isolation and Content-Security-
// Policy headers, refuses everything outside it (.., encoded dots and
// slashes, a sibling folder whose name starts with the root's, symlinks
// leading out, malformed escapes, NUL bytes, other methods), and listens on
// 127.0.0.1 unless --host says otherwise. Requests are written by hand on a
// socket, so no client library tidies the path first.
// Run: node tests/web/serve.test.mjs   (last line: "serve: N passed, M failed")
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ' (' + detail + ')' : ''}`);
}

// A site and, next to it, things that must stay private.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nnplay-serve-'));
const root = path.join(tmp, 'site');
fs.mkdirSync(path.join(root, 'threaded'), { recursive: true });
fs.mkdirSync(path.join(tmp, 'site-private'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
fs.writeFileSync(path.join(root, 'threaded', 'nnplay.wasm'), Buffer.from([0, 97, 115, 109]));
fs.writeFileSync(path.join(root, 'app.js'), 'console.log(1)');
const SECRET = 'PRIVATE-' + Math.random().toString(36).slice(2);
fs.writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
fs.writeFileSync(path.join(tmp, 'site-private', 'secret.txt'), SECRET);
fs.symlinkSync(path.join(tmp, 'site-private'), path.join(root, 'linked-dir'));
fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'linked-file.txt'));
fs.symlinkSync(path.join(root, 'app.js'), path.join(root, 'inner-link.js'));  // stays inside: allowed

function start(extra = []) {
  const proc = spawn(process.execPath, [path.join(repo, 'web/serve.mjs'), '--root', root, '--port', '0', ...extra],
                     { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/served at http:\/\/([^:]+):(\d+)\//);
      if (m) resolve({ proc, host: m[1], port: Number(m[2]), line: out.trim() });
    });
    proc.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
    setTimeout(() => reject(new Error('serve.mjs did not start in 10 s')), 10000);
  });
}

// One raw HTTP/1.0 request; resolves to { status, headers, body }.
function raw(port, line, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    let data = '';
    sock.on('connect', () => sock.write(`${line}\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('end', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers = {};
      for (const l of lines.slice(1)) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      resolve({ status: Number((lines[0] || '').split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    sock.on('error', reject);
    sock.setTimeout(5000, () => { sock.destroy(); reject(new Error('timeout')); });
  });
}

try {
  const s = await start();
  check('binds to 127.0.0.1 by default and says so', s.host === 'localhost' && /this machine only/.test(s.line), s.line);
  // Reachable on loopback, not on the machine's other addresses.
  const external = Object.values(os.networkInterfaces()).flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal);
  if (external) {
    const reached = await raw(s.port, 'GET / HTTP/1.0', external.address).then(() => true, () => false);
    check(`not reachable on ${external.address} without --host`, !reached);
  } else {
    console.log('     (no non-loopback IPv4 address on this machine: reachability check skipped)');
  }

  const ok = await raw(s.port, 'GET / HTTP/1.0');
  check('serves index.html at /', ok.status === 200 && ok.body.includes('<title>t</title>'), `status ${ok.status}`);
  const csp = ok.headers['content-security-policy'] || '';
  check('sends a Content-Security-Policy without unsafe-inline or unsafe-eval',
        csp.includes("default-src 'self'") && csp.includes("'wasm-unsafe-eval'") &&
        !csp.includes("'unsafe-inline'") && !/'unsafe-eval'/.test(csp), csp);
  check('sends COOP and COEP (isolation on by default)',
        ok.headers['cross-origin-opener-policy'] === 'same-origin' && ok.headers['cross-origin-embedder-policy'] === 'require-corp');
  const wasm = await raw(s.port, 'GET /threaded/nnplay.wasm HTTP/1.0');
  check('serves .wasm as application/wasm', wasm.status === 200 && wasm.headers['content-type'] === 'application/wasm');
  const inner = await raw(s.port, 'GET /inner-link.js HTTP/1.0');
  check('a symlink that stays inside the root is served', inner.status === 200 && inner.body === 'console.log(1)');

  const hostile = [
    '/../secret.txt', '/../../secret.txt', '/threaded/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt',
    '/..%2fsecret.txt', '/..%2Fsecret.txt', '/%2e%2e%2fsecret.txt', '/threaded/..%2f..%2fsecret.txt',
    '/..%5csecret.txt', '/../site-private/secret.txt', '/%2e%2e/site-private/secret.txt',
    '/..%2fsite-private%2fsecret.txt', '/linked-dir/secret.txt', '/linked-file.txt', '/linked-dir/',
    '../secret.txt', '/%00', '/index.html%00.js', '/%E0%A4%A', '/%', '//etc/passwd', '/etc/passwd',
  ];
  for (const p of hostile) {
    const r = await raw(s.port, `GET ${p} HTTP/1.0`);
    check(`refuses ${p}`, r.status >= 400 && r.status < 500 && !r.body.includes(SECRET) && !r.body.includes('root:'),
          `status ${r.status}`);
  }
  const post = await raw(s.port, 'POST / HTTP/1.0');
  check('refuses methods other than GET and HEAD', post.status === 405, `status ${post.status}`);
  s.proc.kill();

  const plain = await start(['--no-isolation']);
  const np = await raw(plain.port, 'GET / HTTP/1.0');
  check('--no-isolation drops COOP/COEP but keeps the CSP',
        np.status === 200 && !np.headers['cross-origin-opener-policy'] && !!np.headers['content-security-policy']);
  plain.proc.kill();

  const shared = await start(['--host', '0.0.0.0']);
  const viaAny = await raw(shared.port, 'GET / HTTP/1.0', external ? external.address : '127.0.0.1');
  check('--host 0.0.0.0 listens on every address', shared.host === '0.0.0.0' && viaAny.status === 200, shared.line);
  shared.proc.kill();
} catch (e) {
  check('server test ran', false, e.stack || String(e));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`serve: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
