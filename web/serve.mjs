// serve.mjs: a small static server for the built site with the headers that
// make the page cross-origin isolated (so the threaded build can use
// SharedArrayBuffer). --no-isolation serves without them (the page then
// loads the single-threaded fallback, as on a plain static host).
//   node web/serve.mjs [--root build/site] [--port 8080] [--host 127.0.0.1] [--no-isolation]
// It listens on 127.0.0.1 (this machine only) unless --host says otherwise,
// serves only files inside the root (no "..", encoded or not, no symlinks
// leading out), and sends a Content-Security-Policy the page satisfies.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 && i + 1 < args.length ? args[i + 1] : def; };
const port = Number(opt('--port', process.env.PORT || 8080));
const host = opt('--host', '127.0.0.1');
const isolate = !args.includes('--no-isolation');

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve: --port must be a whole number from 0 (any free port) to 65535 (got ${opt('--port')})`);
  process.exit(2);
}
let root;
try {
  root = fs.realpathSync(path.resolve(opt('--root', 'build/site')));
} catch {
  root = path.resolve(opt('--root', 'build/site'));
}
if (!fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`serve: ${root}/index.html not found: build the site first (./build-wasm.sh build)`);
  process.exit(2);
}

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.data': 'application/octet-stream',
};

// What the page may do. WebAssembly compilation needs 'wasm-unsafe-eval';
// the threaded build's workers come from the site (or a blob: URL); the
// page's own script and style are files (web/shell.js, web/shell.css), so no
// 'unsafe-inline' and no 'unsafe-eval'. The favicon is a data: URL and a
// download is a blob: link.
const csp = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const inside = (p) => p === root || p.startsWith(root + path.sep);

// The file a request path names, or an HTTP status when there is none to serve.
function resolve(urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return 400;  // malformed %-escape
  }
  if (rel.includes('\0')) return 400;
  // Refuse ".." segments outright (after decoding, so %2e%2e and ..%2f count too).
  if (rel.split(/[\\/]/).includes('..')) return 403;
  let file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (!inside(file)) return 403;
  try {
    file = fs.realpathSync(file);  // follow symlinks, then check again
  } catch {
    return 404;
  }
  if (!inside(file)) return 403;
  let st = fs.statSync(file);
  if (st.isDirectory()) {
    file = path.join(file, 'index.html');
    try {
      file = fs.realpathSync(file);
      st = fs.statSync(file);
    } catch {
      return 404;
    }
    if (!inside(file)) return 403;
  }
  return st.isFile() ? file : 404;
}

const server = http.createServer((req, res) => {
  const common = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  const refuse = (code, text) => res.writeHead(code, { ...common, 'Content-Type': 'text/plain' }).end(text);
  if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'method not allowed');
  let urlPath;
  try {
    urlPath = new URL(req.url, 'http://localhost').pathname;
  } catch {
    return refuse(400, 'bad request');
  }
  // Check the raw path too: the URL parser folds "/a/../.." before we see it.
  if (req.url.split('?')[0].split('/').some((s) => s === '..')) return refuse(403, 'forbidden');
  const file = resolve(urlPath);
  if (file === 400) return refuse(400, 'bad request');
  if (file === 403) return refuse(403, 'forbidden');
  if (file === 404) return refuse(404, 'not found');
  fs.readFile(file, (err, body) => {
    if (err) return refuse(404, 'not found');
    const headers = {
      ...common,
      'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': csp,
      'Content-Length': body.length,  // lets the page show a fetch's progress (the image sets)
    };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : body);
  });
});

server.on('error', (e) => {
  if (e.code === 'EADDRINUSE') {
    console.error(`serve: port ${port} is already in use. Stop the program using it, or choose another port: --port ${port + 1}`);
  } else if (e.code === 'EACCES') {
    console.error(`serve: not allowed to listen on port ${port}; choose a port above 1024 with --port`);
  } else {
    console.error(`serve: ${e.message}`);
  }
  process.exit(3);
});
server.listen(port, host, () => {
  const shown = host === '127.0.0.1' ? 'localhost' : host;
  console.log(`nnplay served at http://${shown}:${server.address().port}/ ` +
              (isolate ? '(cross-origin isolated: threaded build)' : '(no isolation headers: fallback build)') +
              (host === '127.0.0.1' ? ' [this machine only; --host 0.0.0.0 to share]' : ''));
});
