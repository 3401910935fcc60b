// regression.cpp: the regression side of the 2D playground. The problem
// switch (classification, 1D curve, 2D surface) and its generators; in 1D
// the fitted curve drawn per pixel column with, for a network, one hidden
// layer's units as faint curves (the last layer's contributions
// W_out[j] * h_j(x), or an earlier layer's outputs h_j(x); a ReLU unit's is
// zero up to its kink, then a line); in 2D the output as a
// heatmap with contour lines (computed in update_regions through the SIMD
// scorer); the points coloured by value; the hover readouts.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "core/data/preprocess.h"
#include "core/fast/fast_eval.h"
#include "core/models/losses.h"
#include "core/train/inspect.h"
#include "imgui.h"
#include "widgets.h"

namespace app {

// ---- Colour scale of values: blue (-1) .. white (0) .. orange (+1) --------------

void value_rgb(double v, unsigned char* out) {
  const double t = std::clamp(v / kValueRange, -1.0, 1.0);
  const double a = std::abs(t);
  // Negative toward (33, 102, 172), positive toward (230, 120, 20).
  const double r = t < 0 ? 33 : 230, g = t < 0 ? 102 : 120, b = t < 0 ? 172 : 20;
  out[0] = (unsigned char)std::lround(255 + (r - 255) * a);
  out[1] = (unsigned char)std::lround(255 + (g - 255) * a);
  out[2] = (unsigned char)std::lround(255 + (b - 255) * a);
  out[3] = 255;
}

unsigned value_color(double v, int alpha) {
  unsigned char c[4];
  value_rgb(v, c);
  return IM_COL32(c[0], c[1], c[2], alpha);
}

// ---- The problem switch -----------------------------------------------------------

static void fit_loss(nn::ModelSpec& sp, nn::ProblemKind p) {
  if (nn::is_regression(p) && !nn::is_regression(sp.loss.kind)) sp.loss.kind = nn::LossKind::Squared;
  if (!nn::is_regression(p) && nn::is_regression(sp.loss.kind)) sp.loss.kind = nn::LossKind::Softmax;
}

void sync_losses(AppState& s) {
  const nn::ProblemKind p = s.edit.data.problem;
  if (s.images.active) return;
  nn::ModelSpec a = s.spec;
  fit_loss(a, p);
  if (!(a == s.spec)) {
    s.spec = a;
    spec_changed(s);
  }
  for (int i = 1; i < s.compare.count(); ++i) {
    nn::ModelSpec& sp = s.compare.runs[size_t(i - 1)]->spec;
    nn::ModelSpec b = sp;
    fit_loss(b, p);
    if (b == sp) continue;
    sp = b;
    const int keep = s.compare.selected;
    s.compare.selected = i;
    selected_spec_changed(s);
    s.compare.selected = keep;
  }
}

void set_problem(AppState& s, nn::ProblemKind p) {
  if (s.edit.data.problem == p) return;
  s.edit.begin();
  s.edit.data.problem = p;
  if (p == nn::ProblemKind::Regression2D)
    for (nn::Point& q : s.edit.data.points) q.value = q.label == 0 ? -0.5 : 0.5;  // something to fit at once
  data_changed(s);  // the loss follows the problem, in every run (sync_losses)
}

void generate_regression_data(AppState& s) {
  s.edit.begin();
  nn::Dataset d = nn::generate_regression(s.edit.reg_gen, s.edit.gen.n, s.edit.reg_noise, uint64_t(s.edit.gen.seed));
  nn::split_train_val(d, s.edit.gen.val_ratio, uint64_t(s.edit.gen.seed));
  s.edit.data.problem = d.problem;
  s.edit.data.points = d.points;
  data_changed(s);
}

void show_generator(AppState& s, const nn::DataGenerator& g) {
  GenSettings& gen = s.edit.gen;
  gen.n = std::clamp(g.n, 2, nn::kUiMaxGenPointsTyped);
  gen.seed = int(std::min<uint64_t>(g.seed, 9999));
  gen.val_ratio = float(std::clamp(g.val_ratio, 0.0, 0.9));
  if (g.regression) {
    s.edit.reg_gen = g.reg_kind;
    s.edit.reg_noise = std::clamp(g.noise, 0.0, 0.5);
  } else {
    gen.kind = g.kind;
    gen.classes = std::clamp(g.classes, 2, nn::kUiClasses);
    gen.noise = float(std::clamp(g.noise, 0.0, 0.5));
  }
}

void sync_generator_menu(AppState& s) {
  const nn::ProblemKind p = s.edit.data.problem;
  if (nn::is_regression(p) && nn::reg_gen_problem(s.edit.reg_gen) != p)
    s.edit.reg_gen = p == nn::ProblemKind::Regression1D ? nn::RegGen::Sine : nn::RegGen::Plane;
}

// 1D: which hidden layer's units the faint curves show (stored as
// display.show_units and display.units_layer; the last layer as -1, so it
// stays the last whatever the depth becomes).
static void unit_curves_combo(AppState& s) {
  const int L = s.spec.kind == nn::ModelKind::Net ? int(s.spec.hidden.size()) : 0;
  if (L == 0) return;
  std::vector<std::string> names = {"off"};
  for (int l = 1; l <= L; ++l) names.push_back("layer " + std::to_string(l) + (l == L ? ": w h(x)" : ": h(x)"));
  std::vector<const char*> items;
  for (const std::string& n : names) items.push_back(n.c_str());
  const int layer = s.display.units_layer < 0 || s.display.units_layer >= L ? L - 1 : s.display.units_layer;
  int pick = s.display.show_units ? layer + 1 : 0;
  if (combo("unit curves", pick, items.data(), int(items.size()),
            "Faint curves of one hidden layer's units. The last layer (w h(x)): each unit's contribution "
            "W_out[j] h_j(x) to the fitted curve (they add up to the curve minus the output bias). An earlier "
            "layer (h(x)): each unit's output h_j(x). A ReLU unit is flat up to its kink and straight after it; the curve bends only where "
            "some unit switches on or off.")) {
    s.display.show_units = pick > 0;
    if (pick > 0) s.display.units_layer = pick == L ? -1 : pick - 1;
  }
}

// The Data panel's regression part: the problem switch always; in a
// regression, the value of new 2D points and the generators.
bool regression_data_controls(AppState& s) {
  nn::ProblemKind p = s.edit.data.problem;
  if (enum_combo("problem", p,
                 "Classification: points have classes. Regression 1D: fit a curve y = f(x) through the points. "
                 "Regression 2D: points carry a value (colour), fit a surface over the plane."))
    set_problem(s, p);
  if (!nn::is_regression(s.edit.data.problem)) return false;
  if (s.edit.data.problem == nn::ProblemKind::Regression2D)
    slider_double(s, "new value", s.edit.new_value, -kValueRange, kValueRange, "%.2f", false,
                  "The value a clicked point carries (its colour: blue negative, orange positive).");
  else {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("Click: add (x, y). Right-click: erase. Move tool: drag.");
    ImGui::PopStyleColor();
    unit_curves_combo(s);
  }
  if (ImGui::TreeNodeEx("Generate a regression set", ImGuiTreeNodeFlags_DefaultOpen)) {
    enum_combo("function", s.edit.reg_gen, "The function the points sample (1D ones fit a curve, 2D ones a surface).");
    slider_int(s, "points", s.edit.gen.n, 5, nn::kUiMaxGenPoints, "How many points to generate.", true);
    slider_double(s, "noise", s.edit.reg_noise, 0.0, 0.5, "%.2f", false, "Standard deviation of the noise on the targets.");
    slider_int(s, "seed", s.edit.gen.seed, 0, 9999, "The same seed always generates the same points.");
    double vr = s.edit.gen.val_ratio;
    if (slider_double(s, "validation", vr, 0.0, 0.9, "%.2f", false, "Share of points held out for validation."))
      s.edit.gen.val_ratio = float(vr);
    if (ImGui::Button("Generate")) generate_regression_data(s);
    tooltip("Replace the points with samples of the function (undo brings the old ones back).");
    ImGui::TreePop();
  }
  return true;
}

// The Display section in a regression: the contour lines of the 2D
// heatmap (a 1D curve's unit curves are chosen in the Data panel).
bool regression_display_controls(AppState& s) {
  const nn::ProblemKind p = s.edit.data.problem;
  if (!nn::is_regression(p) || s.images.active) return false;
  if (p == nn::ProblemKind::Regression2D) {
    if (ImGui::Checkbox("contour lines", &s.display.show_contour)) s.display.regions.dirty = true;
    tooltip("A line wherever the output crosses a multiple of 0.25.");
  } else {
    ImGui::TextDisabled("The curve's unit curves: see \"unit curves\" in Data.");
  }
  return true;
}

// ---- Predictions ----------------------------------------------------------------------

// The model's output at raw points (N x 2), or kNN's mean of neighbours; false
// when there is no model yet.
bool regression_predict(const AppState& s, const nn::Mat& X, std::vector<double>& out) {
  out.assign(size_t(X.rows()), 0.0);
  if (s.spec.kind == nn::ModelKind::KNN) {
    std::vector<nn::Point> train;
    for (const nn::Point& p : s.edit.data.points)
      if (!p.validation) train.push_back(p);
    if (train.empty()) return false;
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      out[size_t(i)] = nn::knn_regress(train, s.edit.data.problem, X(i, 0), X(i, 1), s.spec.knn);
    return true;
  }
  const Snapshot* snap = s.training.snapshot.get();
  if (!snap || !snap->predictor || snap->predictor->problem != s.edit.data.problem) return false;
  if (snap->predictor->model->num_classes() != 1) return false;
  const nn::Mat sc = snap->predictor->predict_scores(X);
  for (Eigen::Index i = 0; i < X.rows(); ++i) out[size_t(i)] = sc(i, 0);
  return true;
}

// ---- 1D: the curve and the hidden units' contributions ------------------------------

void draw_regression_1d(const AppState& s, ImDrawList* dl) {
  const View& v = s.display.view;
  const float u = s.display.ui_scale;
  const int cols = std::max(2, int(v.w / u));  // one sample per CSS pixel column
  nn::Mat X(cols, 2);
  for (int i = 0; i < cols; ++i) X.row(i) << v.to_world_x(v.x + (i + 0.5f) * v.w / cols), 0.0;
  std::vector<double> f;
  if (!regression_predict(s, X, f)) return;
  dl->PushClipRect({v.x, v.y}, {v.x + v.w, v.y + v.h}, true);
  // One hidden layer's units (nn::unit_curves): the last layer's
  // contributions W_out[j] h_j(x), which add up to f(x) - b, or an earlier
  // layer's outputs h_j(x).
  const Snapshot* snap = s.training.snapshot.get();
  // (Within the inspector's budget of multiply-adds, as the unit maps: a
  // huge network draws its curve without them.)
  if (s.spec.kind == nn::ModelKind::Net && snap && snap->predictor && s.display.show_units &&
      nn::weight_multiply_adds(*snap->predictor->model) * cols <= nn::kInspectMultiplyAdds) {
    try {
      const nn::Mat H = nn::unit_curves(*snap->predictor->model, snap->predictor->preprocessor.transform(X),
                                        s.display.units_layer);
      if (H.rows() == cols && H.cols() <= 64) {
        std::vector<ImVec2> line(static_cast<size_t>(cols));
        for (Eigen::Index j = 0; j < H.cols(); ++j) {
          for (int i = 0; i < cols; ++i)
            line[size_t(i)] = {v.x + (i + 0.5f) * v.w / cols, v.to_px_y(std::clamp(H(i, j), -1e3, 1e3))};
          dl->AddPolyline(line.data(), cols, IM_COL32(90, 60, 160, 70), 0, 1.2f * u);
        }
      }
    } catch (const std::exception&) {
    }
  }
  std::vector<ImVec2> line(static_cast<size_t>(cols));
  for (int i = 0; i < cols; ++i) {
    const double y = std::clamp(f[size_t(i)], -1e3, 1e3);
    line[size_t(i)] = {v.x + (i + 0.5f) * v.w / cols, v.to_px_y(y)};
  }
  dl->AddPolyline(line.data(), cols, IM_COL32(20, 20, 20, 255), 0, 2.5f * u);
  dl->PopClipRect();
}

// ---- 2D: the heatmap with contour lines (update_regions) ------------------------------

void regression_regions(AppState& s, int w, int h, double x0, double x1, double y0, double y1) {
  Regions& r = s.display.regions;
  r.labels.assign(size_t(w) * h, -1);
  r.confidence.assign(size_t(w) * h, 0.f);
  r.value.assign(size_t(w) * h, std::nanf(""));
  const Snapshot* snap = s.training.snapshot.get();
  const bool knn = s.spec.kind == nn::ModelKind::KNN;
  const auto at = [&](int i, double lo, double hi, int n) { return lo + (hi - lo) * (i + 0.5) / n; };
  if (knn) {
    nn::Mat X(w, 2);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) X.row(x) << at(x, x0, x1, w), at(y, y1, y0, h);
      std::vector<double> f;
      if (!regression_predict(s, X, f)) break;
      for (int x = 0; x < w; ++x) r.value[size_t(y) * w + x] = float(f[size_t(x)]);
    }
  } else if (snap && snap->scorer && snap->scorer->num_classes() == 1 && snap->predictor &&
             snap->predictor->problem == nn::ProblemKind::Regression2D) {
    std::vector<float> xs(static_cast<size_t>(w)), ys(static_cast<size_t>(w));
    for (int x = 0; x < w; ++x) xs[size_t(x)] = float(at(x, x0, x1, w));
    for (int y = 0; y < h; ++y) {
      std::fill(ys.begin(), ys.end(), float(at(y, y1, y0, h)));
      snap->scorer->scores(xs.data(), ys.data(), w, r.value.data() + size_t(y) * w);
    }
    r.generation = snap->generation;
  }
  r.rgba.resize(size_t(w) * h * 4);
  for (size_t i = 0; i < r.value.size(); ++i) {
    if (std::isnan(r.value[i])) {
      r.rgba[i * 4] = r.rgba[i * 4 + 1] = r.rgba[i * 4 + 2] = 245;
      r.rgba[i * 4 + 3] = 255;
    } else {
      value_rgb(r.value[i], &r.rgba[i * 4]);
    }
  }
  if (!s.display.show_contour) return;
  // Contour lines every kContourStep: darken texels whose right or lower
  // neighbour lies in another band.
  auto band = [](float f) { return std::isnan(f) ? INT32_MIN : int(std::floor(f / kContourStep)); };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t i = size_t(y) * w + x;
      const int b = band(r.value[i]);
      const bool edge = (x + 1 < w && band(r.value[i + 1]) != b) || (y + 1 < h && band(r.value[i + w]) != b);
      if (edge && b != INT32_MIN)
        for (int k = 0; k < 3; ++k) r.rgba[i * 4 + k] = (unsigned char)(r.rgba[i * 4 + k] * 0.55f);
    }
}

// ---- Hover readouts ---------------------------------------------------------------------

void regression_point_tooltip(const AppState& s, const nn::Point& p) {
  const nn::ProblemKind pk = s.edit.data.problem;
  const double t = nn::target_of(pk, p);
  if (pk == nn::ProblemKind::Regression1D) ImGui::Text("point x = %.3f, target y = %.3f%s", p.x, t, p.validation ? ", validation" : "");
  else ImGui::Text("point (%.2f, %.2f), target value %.3f%s", p.x, p.y, t, p.validation ? ", validation" : "");
  nn::Mat X(1, 2);
  X << p.x, p.y;
  std::vector<double> f;
  if (!regression_predict(s, X, f)) return;
  ImGui::Text("prediction %.3f, error %+.3f", f[0], f[0] - t);
  if (s.spec.kind != nn::ModelKind::KNN && nn::is_regression(s.spec.loss.kind))
    ImGui::Text("%s loss of this point: %.4f", nn::enum_label(s.spec.loss.kind),
                nn::regression_point_loss(f[0] - t, s.spec.loss.kind, s.spec.loss.delta));
}

void regression_plane_tooltip(const AppState& s, double x, double y) {
  nn::Mat X(1, 2);
  X << x, y;
  std::vector<double> f;
  const bool have = regression_predict(s, X, f);
  if (s.edit.data.problem == nn::ProblemKind::Regression1D) {
    ImGui::Text("x = %.2f, y = %.2f", x, y);
    if (have) ImGui::Text("the curve at x: %.3f", f[0]);
  } else {
    ImGui::Text("x = %.2f, y = %.2f", x, y);
    if (have) ImGui::Text("predicted value %.3f", f[0]);
  }
}

}  // namespace app
