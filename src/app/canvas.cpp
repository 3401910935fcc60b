// canvas.cpp: the data plane: decision regions, grid and axes, the points,
// the linear classifier's lines, and the mouse tools (add, spray, erase, move).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "core/limits.h"
#include "core/models/losses.h"
#include "core/data/preprocess.h"
#include "imgui.h"
#include "palette.h"

namespace app {

static ImU32 class_color(int c, int alpha = 255) {
  const Rgb k = kClassColors[((c % 8) + 8) % 8];
  return IM_COL32(k.r, k.g, k.b, alpha);
}

static void draw_axes(const AppState& s, ImDrawList* dl) {
  const View& v = s.display.view;
  const float sc = s.display.ui_scale;
  const double x0 = v.to_world_x(v.x), x1 = v.to_world_x(v.x + v.w);
  const double y0 = v.to_world_y(v.y + v.h), y1 = v.to_world_y(v.y);
  const double step = 0.5;
  char buf[16];
  for (double gx = std::ceil(x0 / step) * step; gx <= x1; gx += step) {
    const float px = v.to_px_x(gx);
    const bool axis = std::abs(gx) < 1e-9;
    dl->AddLine({px, v.y}, {px, v.y + v.h}, axis ? IM_COL32(0, 0, 0, 110) : IM_COL32(0, 0, 0, 28),
                axis ? 1.5f * sc : 1.f * sc);
    std::snprintf(buf, sizeof buf, "%g", std::abs(gx) < 1e-9 ? 0.0 : gx);
    dl->AddText({px + 3 * sc, v.to_px_y(0) + 2 * sc}, IM_COL32(0, 0, 0, 120), buf);
  }
  for (double gy = std::ceil(y0 / step) * step; gy <= y1; gy += step) {
    const float py = v.to_px_y(gy);
    const bool axis = std::abs(gy) < 1e-9;
    dl->AddLine({v.x, py}, {v.x + v.w, py}, axis ? IM_COL32(0, 0, 0, 110) : IM_COL32(0, 0, 0, 28),
                axis ? 1.5f * sc : 1.f * sc);
    if (!axis) {
      std::snprintf(buf, sizeof buf, "%g", gy);
      dl->AddText({v.to_px_x(0) + 3 * sc, py + 2 * sc}, IM_COL32(0, 0, 0, 120), buf);
    }
  }
}

// Each class's line w.x + b = 0 and an arrow along w (the side where the
// class's score grows). Only in the raw input space (no preprocessing).
// Dragging the arrow's tip turns and scales w; dragging the line moves it
// (changes b). Training pauses so the hand-set weights stay.
struct LinearGeom {
  double ax, ay;  // the line's closest point to the origin
  double tx, ty;  // the arrow's tip
};
static LinearGeom linear_geom(double w1, double w2, double b) {
  const double n2 = w1 * w1 + w2 * w2, n = std::sqrt(n2);
  const double ax = -b * w1 / n2, ay = -b * w2 / n2;
  const double len = 0.25 * std::min(1.0, n) / n;  // arrow length 0.25 |w| (at most 0.25)
  return {ax, ay, ax + w1 * len, ay + w2 * len};
}

// The linear classifier's W and b when it works on the raw (x, y) plane.
static bool raw_linear(const AppState& s, nn::Mat& W, nn::Mat& b) {
  if (!s.training.snapshot || !s.training.snapshot->predictor) return false;
  const auto& pre = s.training.snapshot->predictor->preprocessor.spec();
  if (pre.kind != nn::PreprocessKind::None || pre.square || pre.cross || pre.sines || pre.scale != 1.0) return false;
  return linear_weights(s, W, b) && W.cols() == 2;
}

static void draw_linear_lines(const AppState& s, ImDrawList* dl) {
  nn::Mat W, B;
  if (!raw_linear(s, W, B)) return;
  const View& v = s.display.view;
  const float u = s.display.ui_scale;
  dl->PushClipRect({v.x, v.y}, {v.x + v.w, v.y + v.h}, true);
  for (int c = 0; c < W.rows(); ++c) {
    const double w1 = W(c, 0), w2 = W(c, 1), b = B.size() ? B(0, c) : 0.0;
    if (w1 * w1 + w2 * w2 < 1e-12) continue;
    const LinearGeom g = linear_geom(w1, w2, b);
    const double L = 10 / std::sqrt(w1 * w1 + w2 * w2);
    dl->AddLine({v.to_px_x(g.ax + w2 * L), v.to_px_y(g.ay - w1 * L)}, {v.to_px_x(g.ax - w2 * L), v.to_px_y(g.ay + w1 * L)},
                class_color(c), 2.2f * u);
    const ImVec2 a{v.to_px_x(g.ax), v.to_px_y(g.ay)}, e{v.to_px_x(g.tx), v.to_px_y(g.ty)};
    dl->AddLine(a, e, class_color(c), 2.2f * u);
    const float ang = std::atan2(e.y - a.y, e.x - a.x), hs = 9 * u;
    dl->AddTriangleFilled(e, {e.x - hs * std::cos(ang - 0.4f), e.y - hs * std::sin(ang - 0.4f)},
                          {e.x - hs * std::cos(ang + 0.4f), e.y - hs * std::sin(ang + 0.4f)}, class_color(c));
    dl->AddCircle(e, 5 * u, IM_COL32(30, 30, 30, 160), 0, 1.2f * u);
  }
  dl->PopClipRect();
}

// Picks up an arrow tip or a line under the mouse and drags it.
static bool drag_linear(AppState& s, bool hovered) {
  int& cls = s.edit.linear_drag_class;
  bool& tip = s.edit.linear_drag_tip;
  nn::Mat W, b;
  if (!raw_linear(s, W, b)) { cls = -1; return false; }
  const View& v = s.display.view;
  const ImVec2 m = ImGui::GetIO().MousePos;
  const double mx = v.to_world_x(m.x), my = v.to_world_y(m.y), pick = 7 * s.display.ui_scale / v.scale();
  if (cls < 0 && hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left) && !ImGui::GetIO().KeyShift) {
    for (int c = 0; c < W.rows() && cls < 0; ++c) {
      const double w1 = W(c, 0), w2 = W(c, 1), bc = b.size() ? b(0, c) : 0.0;
      const double n = std::hypot(w1, w2);
      if (n < 1e-9) continue;
      const LinearGeom g = linear_geom(w1, w2, bc);
      if (std::hypot(mx - g.tx, my - g.ty) < pick * 1.5) { cls = c; tip = true; }
      else if (b.size() && std::abs(w1 * mx + w2 * my + bc) / n < pick) { cls = c; tip = false; }
    }
    if (cls >= 0) set_playing(s, false);
    return cls >= 0;
  }
  if (cls < 0) return false;
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) { cls = -1; return true; }
  const double w1 = W(cls, 0), w2 = W(cls, 1), bb = b.size() ? b(0, cls) : 0.0;
  const LinearGeom g = linear_geom(w1, w2, bb);
  if (tip) {
    // New w points from the line's anchor to the mouse; |arrow| = 0.25 |w|.
    const double dx = mx - g.ax, dy = my - g.ay, d = std::hypot(dx, dy);
    if (d > 1e-3) {
      const double n = std::max(d / 0.25, 1e-3);
      W(cls, 0) = dx / d * n;
      W(cls, 1) = dy / d * n;
      if (b.size()) b(0, cls) = -(W(cls, 0) * g.ax + W(cls, 1) * g.ay);  // keep the anchor on the line
    }
  } else if (b.size()) {
    b(0, cls) = -(w1 * mx + w2 * my);  // the line passes through the mouse
  }
  s.training.host->set_linear_params(W, b);
  return true;
}

// Scores, probabilities and loss of the point under the mouse.
static void point_tooltip(const AppState& s, const nn::Point& p) {
  ImGui::Text("point (%.2f, %.2f), class %d (%s)%s", p.x, p.y, p.label + 1, kClassNames[p.label % 8],
              p.validation ? ", validation" : "");
  if (s.spec.kind == nn::ModelKind::KNN || !s.training.snapshot || !s.training.snapshot->predictor) return;
  nn::Mat X(1, 2);
  X << p.x, p.y;
  const nn::Mat sc = s.training.snapshot->predictor->predict_scores(X);
  const nn::Mat pr = nn::softmax_probs(sc);
  const nn::Preprocessor& pre = s.training.snapshot->predictor->preprocessor;
  if (pre.spec().scale != 1.0) {
    const nn::Mat Z = pre.transform(X);
    ImGui::TextDisabled("the model sees (%.3g, %.3g): input scale s = %.3g", Z(0, 0), Z.cols() > 1 ? Z(0, 1) : 0.0,
                        pre.spec().scale);
  }
  // The snapshot's model may be older than the points: a click can add a
  // class the training side has not re-initialised the model for yet.
  const bool known = p.label < sc.cols();
  const double loss = known ? nn::data_loss(sc, {p.label}, s.spec.loss).loss : 0.0;
  if (ImGui::BeginTable("scores", 3, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_BordersInnerH)) {
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("score");
    ImGui::TableSetupColumn("softmax p");
    ImGui::TableHeadersRow();
    for (int c = 0; c < sc.cols(); ++c) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(class_color(c)), "%d%s", c + 1, c == p.label ? " (true)" : "");
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", sc(0, c));
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", pr(0, c));
    }
    ImGui::EndTable();
  }
  if (known) ImGui::Text("%s loss of this point: %.4f", nn::to_string(s.spec.loss.kind), loss);
  else ImGui::TextDisabled("No loss yet: the model shown has %d classes (it is being set up for class %d).", int(sc.cols()), p.label + 1);
}

static int nearest_point(const AppState& s, double x, double y, double max_dist) {
  int best = -1;
  double bd = max_dist * max_dist;
  for (int i = 0; i < int(s.edit.data.points.size()); ++i) {
    const auto& p = s.edit.data.points[i];
    if (p.validation && !s.display.show_validation) continue;
    const double d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
    if (d <= bd) { bd = d; best = i; }
  }
  return best;
}

static void handle_mouse(AppState& s, bool hovered) {
  const View& v = s.display.view;
  const ImVec2 m = ImGui::GetIO().MousePos;
  const double wx = v.to_world_x(m.x), wy = v.to_world_y(m.y);
  const double pick = 10 * s.display.ui_scale / v.scale();
  int& spray_frame = s.edit.spray_frame;
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) remove_nearest(s, wx, wy, pick * 1.5);
  if (s.edit.dragging >= 0) {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      auto& p = s.edit.data.points[s.edit.dragging];
      p.x = std::clamp(wx, -5.0, 5.0);
      p.y = std::clamp(wy, -5.0, 5.0);
      s.display.regions.dirty = s.spec.kind == nn::ModelKind::KNN;
    } else {
      s.edit.dragging = -1;
      data_changed(s);
    }
    return;
  }
  if (!hovered) return;
  switch (s.edit.tool) {
    case Tool::Add:
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) add_point(s, wx, wy, s.edit.current_class);
      break;
    case Tool::Move:
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        const int i = nearest_point(s, wx, wy, pick * 1.5);
        if (i >= 0) { s.edit.begin(); s.edit.dragging = i; }
      }
      break;
    case Tool::Erase:
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) s.edit.begin();
      if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        const size_t before = s.edit.data.points.size();
        const double r2 = double(s.edit.brush_radius) * s.edit.brush_radius;
        std::erase_if(s.edit.data.points, [&](const nn::Point& p) {
          return (p.x - wx) * (p.x - wx) + (p.y - wy) * (p.y - wy) <= r2;
        });
        if (s.edit.data.points.size() != before) data_changed(s);
      }
      break;
    case Tool::Spray:
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) { s.edit.begin(); spray_frame = 0; }
      if (ImGui::IsMouseDown(ImGuiMouseButton_Left) && (spray_frame++ % 2 == 0)) {
        // Uniform in the brush disc, deterministic sequence per spray stroke.
        nn::Rng& rng = s.edit.spray_rng;
        const size_t before = s.edit.data.points.size();
        for (int k = 0; k < s.edit.brush_density && s.edit.data.points.size() < size_t(nn::kUiMaxSprayPoints); ++k) {
          const double r = s.edit.brush_radius * std::sqrt(rng.uniform()), a = 6.283185307179586 * rng.uniform();
          s.edit.data.points.push_back({wx + r * std::cos(a), wy + r * std::sin(a), s.edit.current_class, false,
                                        s.edit.new_value});
        }
        if (s.edit.data.points.size() == before)
          notify(s, "The spray brush stops at " + std::to_string(nn::kUiMaxSprayPoints) +
                        " points; add more by clicking or by loading a file (up to " + std::to_string(nn::kMaxPoints) + ").");
        else
          data_changed(s);
      }
      break;
  }
}

// The points as drawn: the user's own, or (preprocessed view) a copy moved
// to the first two features the model sees.
static std::vector<nn::Point> preprocessed_points(const AppState& s) {
  std::vector<nn::Point> out = s.edit.data.points;
  if (out.empty()) return out;
  const nn::Mat Z = s.training.snapshot->predictor->preprocessor.transform(nn::points_to_matrix(out));
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].x = Z(i, 0);
    out[i].y = Z.cols() > 1 ? Z(i, 1) : 0;
  }
  return out;
}

// Training points filled, validation points as rings. Returns the point
// under the mouse (-1: none).
// A point as the canvas draws it: filled in its class colour with a dark
// outline, or (validation) white with a ring in its class colour.
void draw_point_marker(ImDrawList* dl, float x, float y, const nn::Point& p, float r, float val_ring, float outline) {
  const ImVec2 c{x, y};
  if (p.validation) {
    dl->AddCircleFilled(c, r, IM_COL32(255, 255, 255, 230));
    dl->AddCircle(c, r, class_color(p.label), 0, val_ring);
  } else {
    dl->AddCircleFilled(c, r, class_color(p.label));
    dl->AddCircle(c, r, IM_COL32(30, 30, 30, 200), 0, outline);
  }
}

// A point in any problem: classes in their colours; a 1D regression's points
// dark; a 2D regression's filled with their value's colour. Above
// kDensePoints points, each is a hexagon without an outline (validation: a
// white centre): about a fifth of the vertices of an outlined circle, so a
// frame with the largest data sets (the engine takes 100,000 points) stays
// short.
constexpr size_t kDensePoints = 4000;
void draw_data_point(const AppState& s, ImDrawList* dl, float x, float y, const nn::Point& p, float r, float val_ring,
                     float outline) {
  const nn::ProblemKind problem = s.edit.data.problem;
  const ImVec2 c{x, y};
  if (s.edit.data.points.size() > kDensePoints) {
    const ImU32 fill = !nn::is_regression(problem) ? class_color(p.label)
                       : problem == nn::ProblemKind::Regression2D ? value_color(p.value) : IM_COL32(200, 60, 40, 255);
    dl->AddNgonFilled(c, r, fill, 6);
    if (p.validation) dl->AddNgonFilled(c, 0.5f * r, IM_COL32(255, 255, 255, 230), 6);
    return;
  }
  if (!nn::is_regression(problem)) return draw_point_marker(dl, x, y, p, r, val_ring, outline);
  const ImU32 fill = problem == nn::ProblemKind::Regression2D ? value_color(p.value) : IM_COL32(200, 60, 40, 255);
  if (p.validation) {
    dl->AddCircleFilled(c, r, IM_COL32(255, 255, 255, 230));
    dl->AddCircle(c, r, fill == IM_COL32(255, 255, 255, 255) ? IM_COL32(30, 30, 30, 200) : fill, 0, val_ring);
  } else {
    dl->AddCircleFilled(c, r, fill);
    dl->AddCircle(c, r, IM_COL32(30, 30, 30, 200), 0, outline);
  }
}

static int draw_points(const AppState& s, ImDrawList* dl, const std::vector<nn::Point>& shown, bool hovered) {
  const View& v = s.display.view;
  const float u = s.display.ui_scale, r = 4.5f * u;
  const ImVec2 m = ImGui::GetIO().MousePos;
  int hovered_point = -1;
  for (int i = 0; i < int(shown.size()); ++i) {
    const nn::Point& p = shown[i];
    if (p.validation && !s.display.show_validation) continue;
    const ImVec2 c{v.to_px_x(p.x), v.to_px_y(p.y)};
    draw_data_point(s, dl, c.x, c.y, p, r, 2.2f * u, 1.f * u);
    if (hovered && std::abs(c.x - m.x) <= r + 2 && std::abs(c.y - m.y) <= r + 2) hovered_point = i;
  }
  return hovered_point;
}

// A line of text over the plane: what the preprocessed view shows, or how to start.
static void draw_banner(const AppState& s, ImDrawList* dl, bool pre_view) {
  const View& v = s.display.view;
  const float u = s.display.ui_scale;
  if (pre_view) {
    dl->AddText({v.x + 10 * u, v.y + 8 * u}, IM_COL32(120, 30, 30, 255),
                "Preprocessed view: the points as the model sees them (first two features)");
  } else if (s.edit.data.points.empty()) {
    const char* hint = "Click to add points, or generate a data set in the Data panel";
    const ImVec2 ts = ImGui::CalcTextSize(hint);
    dl->AddText({v.x + (v.w - ts.x) / 2, v.y + v.h * 0.3f}, IM_COL32(90, 90, 90, 255), hint);
  }
}

// The brush outline at the mouse, and a tooltip: the hovered point's scores,
// or the mouse's coordinates and the predicted class there.
static void hover_readout(const AppState& s, ImDrawList* dl, int hovered_point) {
  const View& v = s.display.view;
  const Regions& rg = s.display.regions;
  const float u = s.display.ui_scale, r = 4.5f * u;
  const ImVec2 m = ImGui::GetIO().MousePos;
  const Tool tool = s.edit.tool;
  if (tool == Tool::Spray || tool == Tool::Erase)
    dl->AddCircle(m, float(s.edit.brush_radius * v.scale()),
                  tool == Tool::Erase ? IM_COL32(60, 60, 60, 200) : class_color(s.edit.current_class, 220), 0, 1.5f * u);
  else if (tool == Tool::Add)
    dl->AddCircle(m, r + 2 * u, class_color(s.edit.current_class, 200), 0, 1.5f * u);
  ImGui::BeginTooltip();
  if (nn::is_regression(s.edit.data.problem)) {
    if (hovered_point >= 0) regression_point_tooltip(s, s.edit.data.points[hovered_point]);
    else regression_plane_tooltip(s, v.to_world_x(m.x), v.to_world_y(m.y));
  } else if (hovered_point >= 0) {
    point_tooltip(s, s.edit.data.points[hovered_point]);
  } else {
    ImGui::Text("x = %.2f, y = %.2f", v.to_world_x(m.x), v.to_world_y(m.y));
    const int cx = int((m.x - v.x) / rg.divisor), cy = int((m.y - v.y) / rg.divisor);
    if (cx >= 0 && cy >= 0 && cx < rg.w && cy < rg.h && !rg.labels.empty()) {
      const int label = rg.labels[size_t(cy) * rg.w + cx];
      if (label >= 0)
        ImGui::Text("predicted: class %d (%s), confidence %.0f%%", label + 1, kClassNames[label % 8],
                    100.0 * rg.confidence[size_t(cy) * rg.w + cx]);
    }
  }
  ImGui::EndTooltip();
}

void draw_canvas(AppState& s) {
  const View& v = s.display.view;
  ImGui::SetNextWindowPos({v.x, v.y});
  ImGui::SetNextWindowSize({v.w, v.h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  ImGui::Begin("Canvas", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::SetCursorScreenPos({v.x, v.y});
  ImGui::InvisibleButton("plane", {v.w, v.h}, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered() || ImGui::IsItemActive();

  // Preprocessed view: the points after the preprocessing the model sees; no editing.
  const bool pre_view = s.display.show_preprocessed && s.spec.kind != nn::ModelKind::KNN && s.training.snapshot &&
                        s.training.snapshot->predictor;
  if (!pre_view && (nn::is_regression(s.edit.data.problem) || !drag_linear(s, ImGui::IsItemHovered())))
    handle_mouse(s, ImGui::IsItemHovered());

  const Regions& rg = s.display.regions;
  if (rg.texture && !pre_view) {
    const ImVec2 uv1{v.w / float(rg.w * rg.divisor), v.h / float(rg.h * rg.divisor)};
    dl->AddImage((ImTextureID)(intptr_t)rg.texture, {v.x, v.y}, {v.x + v.w, v.y + v.h}, {0, 0}, uv1);
  } else {
    dl->AddRectFilled({v.x, v.y}, {v.x + v.w, v.y + v.h}, IM_COL32(250, 250, 250, 255));
  }
  draw_axes(s, dl);
  if (!pre_view && !nn::is_regression(s.edit.data.problem)) draw_linear_lines(s, dl);
  if (!pre_view && s.edit.data.problem == nn::ProblemKind::Regression1D) draw_regression_1d(s, dl);
  std::vector<nn::Point> moved;
  if (pre_view) moved = preprocessed_points(s);
  const int hovered_point = draw_points(s, dl, pre_view ? moved : s.edit.data.points, hovered);
  draw_banner(s, dl, pre_view);
  if (ImGui::IsItemHovered() && !pre_view && !s.png.capture_now) hover_readout(s, dl, hovered_point);
  ImGui::End();
  ImGui::PopStyleVar(2);
}

}  // namespace app
