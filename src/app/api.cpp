// api.cpp: a small C API over the app state, exported from the web build so
// that end-to-end tests (and course pages) can drive and inspect the app.
// Coordinates: "world" is the data plane; "css" is CSS pixels in the canvas.
#include <cstdio>
#include <string>

#include "app.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/em_macros.h>
#define NNPLAY_API extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define NNPLAY_API extern "C" __attribute__((visibility("default"), used))
#endif

using app::app_state;

NNPLAY_API long nnplay_frame_count() { return app_state().frame; }
NNPLAY_API const char* nnplay_build_info() { return app_state().build_info.c_str(); }
NNPLAY_API double nnplay_fps() { return app_state().fps; }
NNPLAY_API int nnplay_point_count() { return int(app_state().data.points.size()); }
NNPLAY_API double nnplay_point_x(int i) { return app_state().data.points.at(i).x; }
NNPLAY_API double nnplay_point_y(int i) { return app_state().data.points.at(i).y; }
NNPLAY_API int nnplay_point_label(int i) { return app_state().data.points.at(i).label; }
NNPLAY_API void nnplay_set_class(int c) { app_state().current_class = c; }
NNPLAY_API void nnplay_clear() { app::clear_points(app_state()); }
NNPLAY_API void nnplay_add_point(double x, double y, int label) { app::add_point(app_state(), x, y, label); }
NNPLAY_API void nnplay_set_k(int k) {
  app_state().spec.knn.k = k < 1 ? 1 : k;
  app_state().regions.dirty = true;
}

// The class the current model predicts at a world point (-1: no data).
NNPLAY_API int nnplay_predict(double x, double y) {
  const auto& s = app_state();
  return app::make_knn_index(s).predict(x, y, s.spec.knn);
}

// The class shown in the decision-region image at a world point (-1 outside
// the canvas or before the first computation).
NNPLAY_API int nnplay_region_label(double x, double y) {
  const auto& s = app_state();
  const auto& r = s.regions;
  const int c = int(s.view.to_px_x(x) - s.view.x), row = int(s.view.to_px_y(y) - s.view.y);
  if (r.labels.empty() || c < 0 || row < 0 || c >= r.w || row >= r.h) return -1;
  return r.labels[size_t(row) * r.w + c];
}
NNPLAY_API int nnplay_regions_dirty() { return app_state().regions.dirty ? 1 : 0; }

// World -> CSS pixels inside the canvas element (for synthesising clicks).
NNPLAY_API double nnplay_world_to_css_x(double x) { return app_state().view.to_px_x(x) / app_state().ui_scale; }
NNPLAY_API double nnplay_world_to_css_y(double y) { return app_state().view.to_px_y(y) / app_state().ui_scale; }
