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
    onRuntimeInitialized: () => { notice.style.display = 'none'; window.nnplay.ready = true; wireEmbedding(); },
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

  // Image mode: the app asks for a set's file (data/<name>.nnimg) only when
  // the user enters Images. Its progress and any failure go to the app, which
  // shows them; the bytes become /data/<name> in the app's file system.
  window.nnplayFetchImages = async (file) => {
    const M = window.Module;
    try {
      const r = await fetch('data/' + file);
      if (!r.ok) throw new Error('data/' + file + ': HTTP ' + r.status);
      const total = Number(r.headers.get('Content-Length')) || 0;
      const reader = r.body.getReader();
      const parts = [];
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        got += value.length;
        M._nnplay_image_progress(got, total);
      }
      const bytes = new Uint8Array(got);
      let at = 0;
      for (const p of parts) { bytes.set(p, at); at += p.length; }
      try { M.FS_createPath('/', 'data', true, true); } catch (e) { /* already there */ }
      try { M.FS_unlink('/data/' + file); } catch (e) { /* not there yet */ }
      M.FS_createDataFile('/data', file, bytes, true, true, true);
      window.nnplay.imageBytes = (window.nnplay.imageBytes || 0) + got;
      M._nnplay_image_fetched();
    } catch (e) {
      M.ccall('nnplay_image_fetch_failed', null, ['string'], [String(e && e.message ? e.message : e)]);
    }
  };

  // Visibility and input for the app. Inside an iframe, an IntersectionObserver
  // with no root measures against the top-level page's viewport.
  function wireEmbedding() {
    const M = window.Module, canvas = document.getElementById('canvas');
    let inView = true;
    const report = () => M._nnplay_set_visible(inView && document.visibilityState !== 'hidden' ? 1 : 0);
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((entries) => {
        for (const e of entries) inView = e.isIntersecting;
        report();
      }, { threshold: 0.2 }).observe(canvas);
    }
    document.addEventListener('visibilitychange', report);
    // The autosave (top-level full app only; the app decides): write the
    // session now when the page is hidden or left, so a reload loses nothing.
    const saveNow = () => { try { M._nnplay_autosave_now(); } catch (e) { console.warn('nnplay: autosave failed', e); } };
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') saveNow(); });
    window.addEventListener('pagehide', saveNow);
    report();
    // A press on the canvas captures the pointer, so the release reaches the
    // app wherever it happens: outside the canvas, outside an embedding
    // iframe, outside the window. Emscripten's GLFW listens for mouseup on the
    // canvas only (its capture call exists in Firefox alone): a release
    // elsewhere was lost and ImGui kept the button held, so a slider dragged
    // past the page's edge followed the pointer and the next click on the
    // canvas added nothing (found by the browser soak, seed 104832).
    canvas.addEventListener('pointerdown', (e) => {
      try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
    });
    for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart'])
      canvas.addEventListener(ev, () => M._nnplay_touched(), { passive: true });
    for (const ev of ['pointermove', 'pointerup', 'keyup', 'focus', 'blur'])
      canvas.addEventListener(ev, () => M._nnplay_wake(), { passive: true });
    window.addEventListener('resize', () => M._nnplay_wake());
    // A call into the app's API from the page (tests, a course page's script)
    // draws its result: wrap every exported nnplay_ function but the counters.
    const quiet = new Set(['_nnplay_wake', '_nnplay_touched', '_nnplay_set_visible', '_nnplay_frame_count',
                           '_nnplay_drawn_frames', '_nnplay_visible', '_nnplay_autosave_now']);
    // Emscripten's export stub replaces Module._nnplay_x by the raw export on
    // its first call, and an optimised build's export names are minified (so
    // the raw export cannot be looked up by name): the property keeps the
    // wrapper and takes what the stub assigns as the function to call. (A
    // plain replacement woke the app on each function's first call only.)
    for (const k of Object.keys(M)) {
      if (!k.startsWith('_nnplay_') || quiet.has(k) || typeof M[k] !== 'function') continue;
      let f = M[k];
      const wrapper = function () { const r = f.apply(this, arguments); M._nnplay_wake(); return r; };
      Object.defineProperty(M, k, { configurable: true, enumerable: true, get: () => wrapper, set: (g) => { f = g; } });
    }
  }

  const s = document.createElement('script');
  s.src = build + '/nnplay.js';
  s.onerror = () => fail('Could not load ' + s.src + '. Was the web build made (./build-wasm.sh)?');
  document.body.appendChild(s);
  // Focus only a top-level page: in an iframe it would scroll the notes to the demo.
  if (window.self === window.top) canvas.focus();
})();
