// app.cpp: the app state, data edits and the frame layout (sidebar on the
// left, canvas in the middle, status bar at the bottom).
#include "app.h"

#include <algorithm>
#include <cmath>

#include "imgui.h"

namespace app {

AppState& app_state() {
  static AppState s;
  return s;
}

double View::scale() const { return std::min(w, h) / (2.0 * extent); }
float View::to_px_x(double wx) const { return float(x + w * 0.5 + wx * scale()); }
float View::to_px_y(double wy) const { return float(y + h * 0.5 - wy * scale()); }
double View::to_world_x(float px) const { return (px - (x + w * 0.5)) / scale(); }
double View::to_world_y(float py) const { return ((y + h * 0.5) - py) / scale(); }

void app_init(AppState& s, float ui_scale, const std::string& build_info) {
  s.ui_scale = ui_scale;
  s.build_info = build_info;
  s.spec.kind = nn::ModelKind::KNN;
  s.spec.knn = {3, nn::Metric::L2, false};
  s.data.num_classes = 2;
}

void app_shutdown(AppState&) {}

void add_point(AppState& s, double x, double y, int label) {
  label = std::clamp(label, 0, nn::kMaxClasses - 1);
  s.data.points.push_back({x, y, label, false});
  s.data.num_classes = std::max(s.data.num_classes, label + 1);
  s.classes_in_use = std::max(s.classes_in_use, label + 1);
  s.regions.dirty = true;
}

bool remove_nearest(AppState& s, double x, double y, double max_dist) {
  int best = -1;
  double bd = max_dist * max_dist;
  for (int i = 0; i < int(s.data.points.size()); ++i) {
    const auto& p = s.data.points[i];
    const double d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
    if (d <= bd) { bd = d; best = i; }
  }
  if (best < 0) return false;
  s.data.points.erase(s.data.points.begin() + best);
  s.regions.dirty = true;
  return true;
}

void clear_points(AppState& s) {
  s.data.points.clear();
  s.regions.dirty = true;
}

void app_frame(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  ++s.frame;
  s.fps = io.Framerate;

  // Keyboard shortcuts (ignored while typing in a text field).
  if (!io.WantTextInput) {
    for (int c = 0; c < 6; ++c)
      if (ImGui::IsKeyPressed(ImGuiKey(ImGuiKey_1 + c), false)) s.current_class = c;
    if (ImGui::IsKeyPressed(ImGuiKey_H, false) || ImGui::IsKeyPressed(ImGuiKey_F1, false))
      s.show_help = !s.show_help;
  }

  const float W = io.DisplaySize.x, H = io.DisplaySize.y;
  const float status_h = ImGui::GetFrameHeight() + 6 * s.ui_scale;
  const float sidebar_w = std::clamp(W * 0.26f, 230 * s.ui_scale, 330 * s.ui_scale);
  s.view.x = sidebar_w;
  s.view.y = 0;
  s.view.w = std::max(1.f, W - sidebar_w);
  s.view.h = std::max(1.f, H - status_h);

  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize({sidebar_w, H - status_h});
  draw_sidebar(s);
  update_regions(s);
  draw_canvas(s);
  ImGui::SetNextWindowPos({0, H - status_h});
  ImGui::SetNextWindowSize({W, status_h});
  draw_status_bar(s);
  if (s.show_help) draw_help(s);
}

}  // namespace app
