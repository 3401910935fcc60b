// serve.mjs: a small static server for the built site with the headers that
// make the page cross-origin isolated (so the threaded build can use
// SharedArrayBuffer). --no-isolation serves without them (the page then
// loads the single-threaded fallback, as on a plain static host).
//   node web/serve.mjs [--root build/site] [--port 8080] [--host 127.0.0.1] [--no-isolation]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 && i + 1 < args.length ? args[i + 1] : def; };
const root = path.resolve(opt('--root', 'build/site'));
const port = Number(opt('--port', process.env.PORT || 8080));
const host = opt('--host', '127.0.0.1');
const isolate = !args.includes('--no-isolation');

if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`serve: --port must be a whole number from 1 to 65535 (got ${opt('--port')})`);
  process.exit(2);
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

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
  if (!file.startsWith(root)) { res.writeHead(403).end('forbidden'); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'); return; }
    const headers = {
      'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'Cross-Origin-Resource-Policy': 'same-origin',
    };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(body);
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
  console.log(`nnplay served at http://${host === '127.0.0.1' ? 'localhost' : host}:${port}/ ` +
              (isolate ? '(cross-origin isolated: threaded build)' : '(no isolation headers: fallback build)'));
});
