// shell.js: starts nnplay in index.html. Picks the threaded build when the
// page is cross-origin isolated, else the fallback (?build= forces one), shows
// start-up failures in #notice, and hands opened files to the app through
// its heap (a large file would overflow the stack that ccall's strings use).
(function () {
  const notice = document.getElementById('notice');
  const canvas = document.getElementById('canvas');
  const params = new URLSearchParams(location.search);
  const isolated = self.crossOriginIsolated === true;
  let build = params.get('build') || (isolated ? 'threaded' : 'fallback');
  if (build !== 'threaded' && build !== 'fallback') build = isolated ? 'threaded' : 'fallback';
  if (build === 'threaded' && !isolated) {
    console.warn('nnplay: threaded build needs cross-origin isolation; using the fallback');
    build = 'fallback';
  }
  function fail(msg) { notice.textContent = msg; notice.className = 'error'; notice.style.display = 'block'; }
  window.nnplay = { build: build, isolated: isolated, ready: false };
  window.Module = {
    canvas: canvas,
    locateFile: (path) => build + '/' + path,
    print: (t) => console.log(t),
    printErr: (t) => console.warn(t),
    nnplayError: fail,
    onRuntimeInitialized: () => { notice.style.display = 'none'; window.nnplay.ready = true; },
    onAbort: (what) => fail('nnplay stopped: ' + what),
  };
  canvas.addEventListener('contextmenu', (e) => e.preventDefault());
  window.addEventListener('error', (e) => { if (!window.nnplay.ready) fail('nnplay could not start: ' + e.message); });

  // Loads text (a session, a link or CSV points) into the app through its
  // heap; returns the app's 1 (loaded) or 0 (refused, with a message).
  // A text over the app's size limit is refused before it is copied.
  window.nnplayLoadText = (text) => {
    const M = window.Module;
    const n = M.lengthBytesUTF8(text);
    const p = M._nnplay_text_buffer(n);
    if (!p) return 0;
    M.stringToUTF8(text, p, n + 1);
    return M._nnplay_load_buffer();
  };
  // "Open file" in the app: read the chosen file and hand its text to the app.
  const upload = document.getElementById('upload');
  window.nnplayUpload = () => { upload.value = ''; upload.click(); };
  upload.addEventListener('change', async () => {
    const f = upload.files[0];
    if (!f) return;
    // Too large: the app says so without the page reading the file at all.
    if (!window.Module._nnplay_text_buffer(f.size)) return;
    window.nnplayLoadText(await f.text());
  });

  const s = document.createElement('script');
  s.src = build + '/nnplay.js';
  s.onerror = () => fail('Could not load ' + s.src + '. Was the web build made (./build-wasm.sh)?');
  document.body.appendChild(s);
  canvas.focus();
})();
