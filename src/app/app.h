// app.h: the playground's state and the per-frame entry point. Panels are free
// functions of this state (panels.cpp, canvas.cpp); platform code calls
// app_frame() once per frame between ImGui's NewFrame and Render.
#pragma once
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/knn.h"
#include "core/spec.h"

namespace app {

// The visible part of the plane: world [-extent, extent]^2 fitted into the canvas.
struct View {
  float x = 0, y = 0, w = 1, h = 1;  // canvas rectangle in framebuffer pixels
  double extent = 1.2;
  double scale() const;            // pixels per world unit
  float to_px_x(double wx) const;
  float to_px_y(double wy) const;
  double to_world_x(float px) const;
  double to_world_y(float py) const;
};

// Decision regions as an RGBA image at (a fraction of) canvas resolution.
struct Regions {
  unsigned texture = 0;
  int w = 0, h = 0;
  std::vector<int> labels;
  std::vector<float> confidence;
  std::vector<unsigned char> rgba;
  bool dirty = true;
  double last_ms = 0;  // time of the last computation
};

struct AppState {
  nn::Dataset data;
  int current_class = 0;
  int classes_in_use = 2;  // buttons shown (2..6); grows as classes are used
  nn::ModelSpec spec;
  View view;
  Regions regions;
  float ui_scale = 1;       // device pixel ratio (and monitor content scale)
  long frame = 0;
  double fps = 0;
  std::string build_info;   // e.g. "threaded (SIMD + 4 threads)"
  std::string message;      // last user-facing notice
  bool show_help = false;
};

AppState& app_state();          // the one instance (the exported C API reads it)
void app_init(AppState& s, float ui_scale, const std::string& build_info);
void app_frame(AppState& s);    // builds the whole UI for this frame
void app_shutdown(AppState& s);

// Editing the data (every edit marks the regions dirty).
void add_point(AppState& s, double x, double y, int label);
bool remove_nearest(AppState& s, double x, double y, double max_dist);
void clear_points(AppState& s);

// Panels and canvas.
void draw_canvas(AppState& s);
void draw_sidebar(AppState& s);
void draw_status_bar(AppState& s);
void draw_help(AppState& s);

// Regions: recompute if dirty and upload to the GPU texture.
void update_regions(AppState& s);
nn::KnnIndex make_knn_index(const AppState& s);

}  // namespace app
