// compare_canvas.cpp: the runs of a comparison as small multiples: two
// panels side by side, or 2 x 2 for three or four runs. Each panel shows its
// run's decision regions over the same points, its label and latest numbers;
// the hover readout names the run under the mouse. Left-click adds a point
// and right-click removes one, for every run at once (the other tools work
// on the one-run canvas).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "imgui.h"
#include "palette.h"

namespace app {

namespace {

View& panel_view(AppState& s, int i) { return i == 0 ? s.compare.view_a : s.compare.runs[size_t(i - 1)]->view; }

// Light grid lines every 0.5 and the axes, inside panel v.
void draw_grid(const View& v, ImDrawList* dl, float u) {
  const double x0 = v.to_world_x(v.x), x1 = v.to_world_x(v.x + v.w);
  const double y0 = v.to_world_y(v.y + v.h), y1 = v.to_world_y(v.y);
  for (double gx = std::ceil(x0 / 0.5) * 0.5; gx <= x1; gx += 0.5) {
    const bool axis = std::abs(gx) < 1e-9;
    dl->AddLine({v.to_px_x(gx), v.y}, {v.to_px_x(gx), v.y + v.h}, IM_COL32(0, 0, 0, axis ? 90 : 22), u);
  }
  for (double gy = std::ceil(y0 / 0.5) * 0.5; gy <= y1; gy += 0.5) {
    const bool axis = std::abs(gy) < 1e-9;
    dl->AddLine({v.x, v.to_px_y(gy)}, {v.x + v.w, v.to_px_y(gy)}, IM_COL32(0, 0, 0, axis ? 90 : 22), u);
  }
}

void draw_points(const AppState& s, const View& v, ImDrawList* dl, float r) {
  const float u = s.display.ui_scale;
  for (const nn::Point& p : s.edit.data.points) {
    if (p.validation && !s.display.show_validation) continue;
    draw_data_point(s, dl, v.to_px_x(p.x), v.to_px_y(p.y), p, r, 1.8f * u, 0.8f * u);
  }
}

// "A: SGD  step 120  loss 0.53  train 87%" in a box at the panel's top left.
void draw_label(const AppState& s, int i, const View& v, ImDrawList* dl) {
  const float u = s.display.ui_scale;
  std::string text = run_label(s, i);
  char buf[96];
  const Training& t = run_training(s, i);
  if (run_spec(s, i).kind == nn::ModelKind::KNN) {
    const nn::KnnSpec& k = run_spec(s, i).knn;
    std::snprintf(buf, sizeof buf, "   %d-NN, %s", k.k, nn::to_string(k.metric));
    text += buf;
  } else if (t.snapshot) {
    const Snapshot& sn = *t.snapshot;
    std::snprintf(buf, sizeof buf, "   step %lld", (long long)sn.step);
    text += buf;
    if (sn.last.step > 0) {
      std::snprintf(buf, sizeof buf, "  loss %.3g", sn.last.data_loss + sn.last.reg_loss);
      text += buf;
    }
    if (!t.history.train_rmse.empty() && std::isfinite(t.history.train_rmse.back())) {
      std::snprintf(buf, sizeof buf, "  RMSE %.3f", t.history.train_rmse.back());
      text += buf;
    } else if (!t.history.train_acc.empty()) {
      std::snprintf(buf, sizeof buf, "  train %.0f%%", 100.0 * t.history.train_acc.back());
      text += buf;
    }
    if (sn.divergence.diverged) text += "  (diverged)";
  }
  // The run's name on the first line, its numbers on the second.
  const std::string name = run_label(s, i);
  const std::string numbers = text.size() > name.size() + 3 ? text.substr(name.size() + 3) : "";
  const ImVec2 t1 = ImGui::CalcTextSize(name.c_str()), t2 = ImGui::CalcTextSize(numbers.c_str());
  const float bw = std::max(t1.x, t2.x) + 10 * u, bh = t1.y * (numbers.empty() ? 1 : 2) + 6 * u;
  const ImVec2 a{v.x + 6 * u, v.y + 6 * u};
  dl->AddRectFilled(a, {a.x + bw, a.y + bh}, IM_COL32(255, 255, 255, 225), 3 * u);
  dl->AddRect(a, {a.x + bw, a.y + bh}, run_color(i), 3 * u, 0, 1.5f * u);
  dl->AddText({a.x + 5 * u, a.y + 3 * u}, run_color(i), name.c_str());
  if (!numbers.empty()) dl->AddText({a.x + 5 * u, a.y + 3 * u + t1.y}, IM_COL32(40, 40, 40, 255), numbers.c_str());
}

// The tooltip over panel i: the run, the position, its prediction there,
// and (when comparing) what every other run predicts at the same place.
void hover_readout(const AppState& s, int i, const View& v) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  const double wx = v.to_world_x(m.x), wy = v.to_world_y(m.y);
  ImGui::BeginTooltip();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "run %s", run_label(s, i).c_str());
  ImGui::Text("x = %.2f, y = %.2f", wx, wy);
  for (int j = 0; j < s.compare.count(); ++j) {
    const Regions& rg = run_regions(s, j);
    const View& vj = j == 0 ? s.compare.view_a : s.compare.runs[size_t(j - 1)]->view;
    const int cx = int((vj.to_px_x(wx) - vj.x) / std::max(1, rg.divisor));
    const int cy = int((vj.to_px_y(wy) - vj.y) / std::max(1, rg.divisor));
    if (cx < 0 || cy < 0 || cx >= rg.w || cy >= rg.h || rg.labels.empty()) continue;
    const size_t k = size_t(cy) * rg.w + cx;
    const int label = rg.labels[k];
    if (label < 0) continue;
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(j)), "%s%c predicts class %d (%s), %.0f%%",
                       j == i ? "> " : "  ", char('A' + j), label + 1, kClassNames[label % 8], 100.0 * rg.confidence[k]);
  }
  ImGui::EndTooltip();
}

}  // namespace

void draw_compare_canvas(AppState& s) {
  const View full = s.display.view;
  const float u = s.display.ui_scale, gap = 6 * u;
  const int n = s.compare.count();
  // Two runs: side by side or one above the other, whichever shows the
  // plane larger (it is drawn square); three or four: 2 x 2.
  int cols = 2, rows = 2;
  if (n == 2) {
    const float side_by_side = std::min((full.w - gap) / 2, full.h), stacked = std::min(full.w, (full.h - gap) / 2);
    cols = side_by_side >= stacked ? 2 : 1;
    rows = 3 - cols;
  }
  const float pw = (full.w - gap * (cols - 1)) / cols, ph = (full.h - gap * (rows - 1)) / rows;
  for (int i = 0; i < n; ++i) {
    View& v = panel_view(s, i);
    v = full;
    v.x = full.x + (i % cols) * (pw + gap);
    v.y = full.y + (i / cols) * (ph + gap);
    v.w = std::max(1.f, pw);
    v.h = std::max(1.f, ph);
    with_run(s, i, [&] { update_regions(s); }, /*panel_view=*/true);
  }

  ImGui::SetNextWindowPos({full.x, full.y});
  ImGui::SetNextWindowSize({full.w, full.h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  ImGui::Begin("Canvas", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled({full.x, full.y}, {full.x + full.w, full.y + full.h}, IM_COL32(225, 225, 225, 255));
  ImGui::SetCursorScreenPos({full.x, full.y});
  ImGui::InvisibleButton("plane", {full.w, full.h}, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 m = ImGui::GetIO().MousePos;
  int hovered_panel = -1;
  // Smaller points in smaller panels, so that the regions stay visible.
  const float point_r = std::clamp(std::min(pw, ph) / 110.f, 2.5f * u, 4.5f * u);
  for (int i = 0; i < n; ++i) {
    const View& v = panel_view(s, i);
    const Regions& rg = run_regions(s, i);
    dl->PushClipRect({v.x, v.y}, {v.x + v.w, v.y + v.h}, true);
    if (rg.texture) {
      const ImVec2 uv1{v.w / float(rg.w * rg.divisor), v.h / float(rg.h * rg.divisor)};
      dl->AddImage((ImTextureID)(intptr_t)rg.texture, {v.x, v.y}, {v.x + v.w, v.y + v.h}, {0, 0}, uv1);
    } else {
      dl->AddRectFilled({v.x, v.y}, {v.x + v.w, v.y + v.h}, IM_COL32(250, 250, 250, 255));
    }
    draw_grid(v, dl, u);
    if (s.edit.data.problem == nn::ProblemKind::Regression1D)
      with_run(s, i, [&] { draw_regression_1d(s, dl); }, /*panel_view=*/true);
    draw_points(s, v, dl, point_r);
    draw_label(s, i, v, dl);
    dl->PopClipRect();
    dl->AddRect({v.x, v.y}, {v.x + v.w, v.y + v.h}, run_color(i), 0, 0, 2 * u);
    if (hovered && m.x >= v.x && m.x < v.x + v.w && m.y >= v.y && m.y < v.y + v.h) hovered_panel = i;
  }
  if (hovered_panel >= 0) {
    const View& v = panel_view(s, hovered_panel);
    const double wx = v.to_world_x(m.x), wy = v.to_world_y(m.y);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) add_point(s, wx, wy, s.edit.current_class);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) remove_nearest(s, wx, wy, 15 * u / v.scale());
    hover_readout(s, hovered_panel, v);
  }
  ImGui::End();
  ImGui::PopStyleVar(2);
}

}  // namespace app
