// main_web.cpp: the WebAssembly entry point. Sizes the canvas to its CSS box
// times the device pixel ratio every frame (crisp on HiDPI, follows window
// and iframe resizes) and hands the frame loop to the browser. Reads the
// page's parameters (?preset=, ?ui=, ?controls=, ?autoplay; core/io/launch.h).
// An idle app draws nothing: the loop only counts the tick (ten a second
// once idle) until training, input (the page shell calls nnplay_wake /
// nnplay_touched), a resize or a message asks for frames again.
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/app.h"
#include "imgui.h"
#include "core/fast/parallel.h"
#include "core/io/launch.h"
#include "platform/window.h"

static platform::Window g_window;

// Browser services the app reaches through AppState's hooks.
EM_JS(void, js_set_hash, (const char* h), { history.replaceState(null, "", UTF8ToString(h)); });
EM_JS(void, js_download, (const char* name, const char* text), {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([UTF8ToString(text)], {type: 'application/json'}));
  a.download = UTF8ToString(name);
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
EM_JS(void, js_request_upload, (), { if (window.nnplayUpload) window.nnplayUpload(); });
// Image mode: the page shell fetches a set's .nnimg file into /data (shell.js).
EM_JS(void, js_fetch_image_set, (const char* file), {
  const name = UTF8ToString(file);
  if (window.nnplayFetchImages) window.nnplayFetchImages(name);
  else Module.ccall('nnplay_image_fetch_failed', null, ['string'], ['this page cannot fetch image sets']);
});
// The system clipboard: a hidden text area and execCommand('copy') (works in
// the frame after a click, and in an iframe without a permission), and the
// asynchronous Clipboard API where the page allows it. 1 if either took it.
EM_JS(int, js_copy_text, (const char* t), {
  const text = UTF8ToString(t);
  let ok = false;
  try {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.left = '-9999px';
    document.body.appendChild(area);
    area.select();
    ok = document.execCommand('copy');
    document.body.removeChild(area);
  } catch (e) {}
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).catch(() => {});
    ok = true;
  }
  return ok ? 1 : 0;
});
EM_JS(void, js_open_url, (const char* u), { window.open(UTF8ToString(u), '_blank', 'noopener'); });
// A download of bytes from the heap (copied out first: a Blob cannot view shared memory).
EM_JS(void, js_download_png, (const char* name, const unsigned char* p, int n), {
  const bytes = HEAPU8.slice(p, p + n);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], {type: 'image/png'}));
  a.download = UTF8ToString(name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
// localStorage through the page (the autosave). Storage may be disabled
// (privacy settings, sandboxed frames): every call is guarded.
EM_JS(char*, js_store_get, (const char* k), {
  let v = null;
  try { v = window.localStorage.getItem(UTF8ToString(k)); } catch (e) { v = null; }
  if (v === null) return 0;
  const n = lengthBytesUTF8(v) + 1;
  const p = _malloc(n);
  if (p) stringToUTF8(v, p, n);
  return p;
});
EM_JS(int, js_store_set, (const char* k, const char* v), {
  try { window.localStorage.setItem(UTF8ToString(k), UTF8ToString(v)); return 1; } catch (e) { return 0; }
});
EM_JS(void, js_store_remove, (const char* k), {
  try { window.localStorage.removeItem(UTF8ToString(k)); } catch (e) {}
});
EM_JS(int, js_store_available, (), {
  try { const s = window.localStorage; return s ? 1 : 0; } catch (e) { return 0; }
});
// The page's address without query or fragment (the Share window's links start with it).
EM_JS(char*, js_page_url, (), {
  const u = location.href.split('#')[0].split('?')[0];
  const n = lengthBytesUTF8(u) + 1;
  const p = _malloc(n);
  if (p) stringToUTF8(u, p, n);
  return p;
});
// A part of the page address, copied to the heap (the caller frees it):
// its fragment (#s=...) when `query` is 0, else its query (?preset=...).
// Not emscripten_run_script_string: that evals, which the page's
// Content-Security-Policy forbids.
EM_JS(char*, js_location_part, (int query), {
  const t = (query ? location.search : location.hash) || "";
  const n = lengthBytesUTF8(t) + 1;
  const p = _malloc(n);
  if (p) stringToUTF8(t, p, n);
  return p;
});
static std::string location_part(bool query) {
  char* raw = js_location_part(query ? 1 : 0);
  const std::string text = raw ? raw : "";
  std::free(raw);
  return text;
}

// Sizes the canvas's drawing buffer and GLFW's window to w x h. Not
// glfwSetWindowSize: Emscripten's GLFW turns a size equal to the screen's
// (a maximised or fullscreen browser window) into a fullscreen request, which
// the browser refuses without a click, so the canvas kept its old size and
// every frame asked again.
EM_JS(void, js_set_canvas_size, (int w, int h), {
  Browser.setCanvasSize(w, h);
  if (GLFW.active) { GLFW.active.width = w; GLFW.active.height = h; }
});

// True if the canvas's size changed.
static bool fit_canvas() {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const double dpr = emscripten_get_device_pixel_ratio();
  const int w = std::max(1, int(std::lround(css_w * dpr))), h = std::max(1, int(std::lround(css_h * dpr)));
  int cw, ch;
  glfwGetWindowSize(g_window.glfw, &cw, &ch);
  if (cw == w && ch == h) return false;
  js_set_canvas_size(w, h);
  return true;
}

// Idle for half a second, the loop ticks ten times a second instead of at
// every animation frame (a page of notes with many demos costs little CPU);
// wake() (input, a call from the page) and work to show bring it back at once.
static bool g_slow = false;
static int g_idle_ticks = 0;
static void tick_fast() {
  if (!g_slow) return;
  g_slow = false;
  emscripten_set_main_loop_timing(EM_TIMING_RAF, 1);
}

static void frame() {
  app::AppState& s = app::app_state();
  ++s.embed.ticks;
  app::autosave_tick(s);
  if (fit_canvas()) app::wake(s);
  if (!app::wants_frame(s)) {
    if (++g_idle_ticks >= 30 && !g_slow) {
      g_slow = true;
      emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, 100);
    }
    return;
  }
  g_idle_ticks = 0;
  tick_fast();
  platform::window_begin_frame(g_window);
  std::string what;
  if (!platform::window_guarded_frame([&] { app::app_frame(s); }, what)) app::frame_failed(s, what);
  platform::window_render(g_window);
  app::after_render(s);
}

// ImGui's copy (Ctrl+C in a text box) goes to the system clipboard too.
static std::string g_clipboard;
static void set_clipboard(void*, const char* text) {
  g_clipboard = text ? text : "";
  js_copy_text(g_clipboard.c_str());
}
static const char* get_clipboard(void*) { return g_clipboard.c_str(); }

int main() {
#if NNPLAY_THREADED
  // No pthread until the app asks for one: the training thread, the pool's
  // workers and a cross-validation thread start on first use (training, the
  // reader's first input, the image mode), each a Web Worker created then
  // (the build pre-creates none), so an idle demo in a page of notes has none.
  nn::defer_parallel_pool();
#endif
  const float dpr = float(emscripten_get_device_pixel_ratio());
  double css_w = 1280, css_h = 800;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  if (!platform::window_open(g_window, "nnplay", int(css_w * dpr), int(css_h * dpr), dpr, "/fonts/DejaVuSans.ttf")) {
    EM_ASM(if (Module.nnplayError) Module.nnplayError("WebGL 2 is not available in this browser."));
    return 1;
  }
  char info[96];
#if NNPLAY_THREADED
  std::snprintf(info, sizeof info, "threaded (SIMD + %d threads)", nn::parallel_threads());
#else
  std::snprintf(info, sizeof info, "fallback (SIMD, 1 thread)");
#endif
  app::AppState& s = app::app_state();
  app::app_init(s, dpr, info);
  s.platform.on_wake = tick_fast;
  s.platform.set_url_hash = [](const std::string& h) { js_set_hash(h.c_str()); };
  s.platform.download = [](const std::string& name, const std::string& text) { js_download(name.c_str(), text.c_str()); };
  s.platform.request_upload = [] { js_request_upload(); };
  nn::image_sources().subset_dir = "/data";
  s.platform.fetch_image_set = [](const std::string& file) { js_fetch_image_set(file.c_str()); };
  s.platform.copy_text = [](const std::string& text) { return js_copy_text(text.c_str()) != 0; };
  s.platform.open_url = [](const std::string& url) { js_open_url(url.c_str()); };
  s.platform.download_png = [](const std::string& name, const std::vector<unsigned char>& bytes) {
    js_download_png(name.c_str(), bytes.data(), int(bytes.size()));
  };
  if (js_store_available()) {
    s.platform.store_get = [](const std::string& key, std::string& out) {
      char* v = js_store_get(key.c_str());
      if (!v) return false;
      out = v;
      std::free(v);
      return true;
    };
    s.platform.store_set = [](const std::string& key, const std::string& text) { return js_store_set(key.c_str(), text.c_str()) != 0; };
    s.platform.store_remove = [](const std::string& key) { js_store_remove(key.c_str()); };
  }
  char* raw_url = js_page_url();
  s.platform.page_url = raw_url ? raw_url : "";
  std::free(raw_url);
  ImGui::GetIO().SetClipboardTextFn = set_clipboard;
  ImGui::GetIO().GetClipboardTextFn = get_clipboard;
  // A session in the page address (#s=...) replaces the start-up example;
  // if it is malformed the example stays and the Save / load window says why.
  const std::string hash = location_part(/*query=*/false);
  bool hash_session = false;
  if (hash.rfind("#s=", 0) == 0) {
    hash_session = app::load_text(s, hash);
    if (!hash_session) s.io.open = true;
  }
  // ?preset=, ?ui=, ?controls=, ?autoplay. Inside another page (an iframe)
  // the demo waits to be seen and touched before it trains.
  s.embed.embedded = EM_ASM_INT({ try { return window.self !== window.top ? 1 : 0; } catch (e) { return 1; } }) != 0;
  s.embed.visible = EM_ASM_INT({ return document.visibilityState === 'hidden' ? 0 : 1; }) != 0;
  const nn::LaunchOptions launch =
      nn::parse_launch_query(location_part(/*query=*/true), nn::preset_ids(app::assets_dir()));
  app::apply_launch(s, launch);
  // The autosave, unless the address opened a session (which wins, and says so).
  app::autosave_start(s, hash_session || !launch.preset.empty());
  EM_ASM(if (window.nnplayStarted) window.nnplayStarted(););
  emscripten_set_main_loop(frame, 0, true);
  return 0;
}
