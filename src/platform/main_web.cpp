// main_web.cpp: the WebAssembly entry point. Sizes the canvas to its CSS box
// times the device pixel ratio every frame (crisp on HiDPI, follows window
// and iframe resizes) and hands the frame loop to the browser. Reads the
// page's parameters (?preset=, ?ui=, ?controls=, ?autoplay; core/io/launch.h).
// An idle app draws nothing: the loop only counts the tick until training,
// input (the page shell calls nnplay_wake / nnplay_touched), a resize or a
// message asks for frames again.
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/app.h"
#include "core/fast/parallel.h"
#include "core/io/launch.h"
#include "platform/window.h"

static platform::Window g_window;

// Browser services the app reaches through AppState's hooks.
EM_JS(void, js_set_hash, (const char* h), { history.replaceState(null, '', UTF8ToString(h)); });
EM_JS(void, js_download, (const char* name, const char* text), {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([UTF8ToString(text)], {type: 'application/json'}));
  a.download = UTF8ToString(name);
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});
EM_JS(void, js_request_upload, (), { if (window.nnplayUpload) window.nnplayUpload(); });
// A part of the page address, copied to the heap (the caller frees it):
// its fragment (#s=...) when `query` is 0, else its query (?preset=...).
// Not emscripten_run_script_string: that evals, which the page's
// Content-Security-Policy forbids.
EM_JS(char*, js_location_part, (int query), {
  const t = (query ? location.search : location.hash) || '';
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

// True if the canvas's size changed.
static bool fit_canvas() {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const double dpr = emscripten_get_device_pixel_ratio();
  const int w = std::max(1, int(std::lround(css_w * dpr))), h = std::max(1, int(std::lround(css_h * dpr)));
  int cw, ch;
  glfwGetWindowSize(g_window.glfw, &cw, &ch);
  if (cw == w && ch == h) return false;
  glfwSetWindowSize(g_window.glfw, w, h);
  return true;
}

static void frame() {
  app::AppState& s = app::app_state();
  ++s.embed.ticks;
  if (fit_canvas()) app::wake(s);
  if (!app::wants_frame(s)) return;
  platform::window_begin_frame(g_window);
  app::app_frame(app::app_state());
  platform::window_render(g_window);
}

int main() {
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
  s.platform.set_url_hash = [](const std::string& h) { js_set_hash(h.c_str()); };
  s.platform.download = [](const std::string& name, const std::string& text) { js_download(name.c_str(), text.c_str()); };
  s.platform.request_upload = [] { js_request_upload(); };
  // A session in the page address (#s=...) replaces the start-up example;
  // if it is malformed the example stays and the Save / load window says why.
  const std::string hash = location_part(/*query=*/false);
  if (hash.rfind("#s=", 0) == 0 && !app::load_text(s, hash)) s.io.open = true;
  // ?preset=, ?ui=, ?controls=, ?autoplay. Inside another page (an iframe)
  // the demo waits to be seen and touched before it trains.
  s.embed.embedded = EM_ASM_INT({ try { return window.self !== window.top ? 1 : 0; } catch (e) { return 1; } }) != 0;
  s.embed.visible = EM_ASM_INT({ return document.visibilityState === 'hidden' ? 0 : 1; }) != 0;
  app::apply_launch(s, nn::parse_launch_query(location_part(/*query=*/true), nn::preset_ids(app::assets_dir())));
  EM_ASM(if (window.nnplayStarted) window.nnplayStarted(););
  emscripten_set_main_loop(frame, 0, true);
  return 0;
}
