// analysis.cpp: the right-hand column: plots of the losses, accuracies and
// learning rate, and the inspector (per-layer activations, dead and saturated
// units, gradient norms, update/parameter ratios, weights as colour grids).
#include <algorithm>
#include <cstdarg>
#include <cmath>
#include <cstdio>
#include <string>

#include "app.h"
#include "core/train/gradcheck.h"
#include "core/models/losses.h"
#include "core/data/preprocess.h"
#include "imgui.h"
#include "palette.h"
#include "plot.h"
#include "widgets.h"

namespace app {

void plot_controls(AppState& s, float w, const char* smoothing_tip) {
  ImGui::Checkbox("log scale", &s.display.plot_log);
  tooltip("Plot the losses on a log scale: exponential progress becomes a straight line.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w * 0.35f);
  ImGui::SliderFloat("smoothing", &s.display.plot_smoothing, 0.f, 0.99f, "%.2f");
  tooltip(smoothing_tip);
}

void loss_and_accuracy_plots(AppState& s, const History& h, bool with_reg, const char* acc_title,
                             const char* held_out, float loss_height) {
  const float u = s.display.ui_scale, w = ImGui::GetContentRegionAvail().x;
  ImGui::TextUnformatted("Loss per step (minibatch)");
  PlotOptions lo;
  lo.log_y = s.display.plot_log;
  lo.smoothing = s.display.plot_smoothing;
  std::vector<PlotSeries> loss = {{"data", &h.step, &h.data_loss, IM_COL32(0, 114, 178, 255)}};
  if (with_reg) loss.push_back({"reg", &h.step, &h.reg_loss, IM_COL32(213, 94, 0, 255)});
  loss.push_back({"total", &h.step, &h.total_loss, IM_COL32(60, 60, 60, 255)});
  plot_lines("loss", {w, loss_height * u}, loss, lo, u);
  PlotOptions ao;
  if (nn::is_regression(s.edit.data.problem) && !s.images.active) {
    // A regression has no accuracy: its error is the RMSE of the outputs.
    ImGui::TextUnformatted("Error: RMSE (whole sets)");
    ao.y_min = 0;
    plot_lines("rmse", {w, 110 * u},
               {{"train", &h.eval_step, &h.train_rmse, IM_COL32(0, 158, 115, 255)},
                {held_out, &h.eval_step, &h.val_rmse, IM_COL32(204, 121, 167, 255)}},
               ao, u);
    return;
  }
  ImGui::TextUnformatted(acc_title);
  ao.y_min = 0;
  ao.y_max = 1;
  plot_lines("acc", {w, 110 * u},
             {{"train", &h.eval_step, &h.train_acc, IM_COL32(0, 158, 115, 255)},
              {held_out, &h.eval_step, &h.val_acc, IM_COL32(204, 121, 167, 255)}},
             ao, u);
}

void draw_plots(AppState& s) {
  if (s.compare.active()) return draw_compare_plots(s);  // every run's curves on the same axes
  if (s.spec.kind == nn::ModelKind::KNN) return;
  if (!ImGui::CollapsingHeader("Plots", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const float u = s.display.ui_scale, w = ImGui::GetContentRegionAvail().x;
  const History& h = s.training.history;
  plot_controls(s, w, "Exponential moving average of the curves: minibatch losses are noisy.");
  loss_and_accuracy_plots(s, h, /*with_reg=*/true, "Accuracy (whole sets)", "validation", 130);
  ImGui::TextUnformatted("Learning rate");
  PlotOptions lro;
  lro.log_y = true;
  plot_lines("lr", {w, 70 * u}, {{"lr", &h.step, &h.lr, IM_COL32(120, 120, 120, 255)}}, lro, u);
}

// A small histogram drawn as bars.
static void histogram(const std::vector<int>& counts, float w, float hgt, ImU32 col) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy({w, hgt});
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, {p.x + w, p.y + hgt}, IM_COL32(255, 255, 255, 255));
  const int mx = counts.empty() ? 1 : std::max(1, *std::max_element(counts.begin(), counts.end()));
  const float bw = counts.empty() ? 0 : w / counts.size();
  for (size_t i = 0; i < counts.size(); ++i) {
    const float bh = hgt * counts[i] / float(mx);
    dl->AddRectFilled({p.x + i * bw, p.y + hgt - bh}, {p.x + (i + 1) * bw - 1, p.y + hgt}, col);
  }
  dl->AddRect(p, {p.x + w, p.y + hgt}, IM_COL32(0, 0, 0, 50));
}

// What each hidden unit computes over the plane [-1.25, 1.25]^2: one small
// map per unit, blue below zero, orange above, white at zero.
static void neuron_maps(const nn::Mat& A, float u) {
  const int G = Snapshot::kNeuronGrid, units = int(A.cols());
  const float px = 1.6f * u, side = G * px, gap = 4 * u;
  const float avail = ImGui::GetContentRegionAvail().x;
  const int per_row = std::max(1, int((avail + gap) / (side + gap)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int k = 0; k < units; ++k) {
    if (k % per_row) ImGui::SameLine(0, gap);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy({side, side});
    const double m = std::max(1e-9, A.col(k).cwiseAbs().maxCoeff());
    for (int r = 0; r < G; ++r)
      for (int c = 0; c < G; ++c) {
        const float t = float(A(r * G + c, k) / m);
        const ImU32 col = t >= 0 ? IM_COL32(255, int(255 - 90 * t), int(255 - 255 * t), 255)
                                 : IM_COL32(int(255 + 255 * t), int(255 + 141 * t), int(255 + 77 * t), 255);
        dl->AddRectFilled({p.x + c * px, p.y + r * px}, {p.x + (c + 1) * px, p.y + (r + 1) * px}, col);
      }
    dl->AddRect(p, {p.x + side, p.y + side}, IM_COL32(0, 0, 0, 70));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Unit %d: its activation over the plane (max |a| = %.3g). A map that is white everywhere "
                        "is a unit that never fires.", k + 1, m);
  }
}

// A weight matrix as a grid of cells: blue negative, red positive.
static void weight_grid(const nn::Mat& W, float max_w, float u) {
  const int R = int(W.rows()), C = int(W.cols());
  const float cell = std::clamp(max_w / std::max(C, 1), 3 * u, 14 * u);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy({cell * C, cell * R});
  const double m = std::max(1e-9, W.cwiseAbs().maxCoeff());
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const float t = float(W(r, c) / m);
      const ImU32 col = t >= 0 ? IM_COL32(255, int(255 * (1 - t)), int(255 * (1 - t)), 255)
                               : IM_COL32(int(255 * (1 + t)), int(255 * (1 + t)), 255, 255);
      dl->AddRectFilled({p.x + c * cell, p.y + r * cell}, {p.x + (c + 1) * cell, p.y + (r + 1) * cell}, col);
    }
  dl->AddRect(p, {p.x + cell * C, p.y + cell * R}, IM_COL32(0, 0, 0, 60));
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d x %d, |max| = %.3g (red +, blue -)", R, C, m);
}

void draw_inspector(AppState& s) {
  if (s.spec.kind == nn::ModelKind::KNN) return;
  if (!ImGui::CollapsingHeader("Inspector", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const Snapshot* snap = s.training.snapshot.get();
  if (!snap || snap->step == 0) {
    ImGui::TextDisabled("Train a step to see inside the model.");
  }
  if (!snap) return;
  const float u = s.display.ui_scale, w = ImGui::GetContentRegionAvail().x;
  // Update/parameter ratios: the course's rule of thumb is about 1e-3.
  if (!snap->params.empty() &&
      ImGui::BeginTable("params", 4, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
    // Fixed stretch weights: weights taken from the columns' content are 0
    // on a frame where nothing has been measured yet, and 0/0 made the
    // window's content size NaN (found by UBSan in ImGui's layout).
    const auto stretch = ImGuiTableColumnFlags_WidthStretch;
    ImGui::TableSetupColumn("param", stretch, 0.8f);
    ImGui::TableSetupColumn("|W|", stretch, 1.0f);
    ImGui::TableSetupColumn("|grad|", stretch, 1.0f);
    ImGui::TableSetupColumn("update/param", stretch, 1.5f);
    ImGui::TableHeadersRow();
    for (const auto& p : snap->params) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn(); ImGui::TextUnformatted(p.name.c_str());
      ImGui::TableNextColumn(); ImGui::Text("%.3g", p.param_norm);
      ImGui::TableNextColumn(); ImGui::Text("%.3g", p.grad_norm);
      ImGui::TableNextColumn();
      const bool off = p.name[0] == 'W' && std::isfinite(p.update_ratio) &&
                       (p.update_ratio > 1e-2 || p.update_ratio < 1e-5);
      if (off) ImGui::TextColored({0.75f, 0.1f, 0.1f, 1}, "%.1e", p.update_ratio);
      else ImGui::Text("%.1e", p.update_ratio);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("norm(update)/norm(W). About 1e-3 is healthy; far above: learning rate too high; far "
                          "below: too low.");
    }
    ImGui::EndTable();
  }
  const History& h = s.training.history;
  if (!h.ratio_step.empty()) {
    ImGui::TextUnformatted("update / parameter ratio (dashed: 1e-3)");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("norm(update) / norm(W) per step. Around 1e-3 is healthy: far above, the learning rate is "
                        "too high; far below, too low.");
    const ImU32 cols[] = {IM_COL32(0, 114, 178, 255), IM_COL32(213, 94, 0, 255), IM_COL32(0, 158, 115, 255),
                                 IM_COL32(204, 121, 167, 255), IM_COL32(120, 120, 120, 255)};
    std::vector<PlotSeries> series;
    for (size_t i = 0; i < h.ratios.size() && i < 5; ++i)
      series.push_back({h.ratio_names[i], &h.ratio_step, &h.ratios[i], cols[i]});
    PlotOptions ro;
    ro.log_y = true;
    ro.marks = {1e-3f};
    plot_lines("ratios", {w, 90 * u}, series, ro, u);
  }
  // Dead ReLU units per layer and overall: one layer can be far deader than the average.
  auto is_relu = [&](size_t i) {
    return i < s.spec.hidden.size() && s.spec.hidden[i].type != nn::LayerType::Pool &&
           (s.spec.hidden[i].act == nn::Activation::ReLU || s.spec.hidden[i].act == nn::Activation::LeakyReLU);
  };
  double dead_units = 0;
  int relu_units = 0, relu_layers = 0;
  std::string per_layer;
  for (size_t i = 0; i < snap->layers.size(); ++i)
    if (is_relu(i)) {
      dead_units += snap->layers[i].dead_fraction * snap->layers[i].units;
      relu_units += snap->layers[i].units;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.0f%%", relu_layers++ ? ", " : "", 100 * snap->layers[i].dead_fraction);
      per_layer += buf;
    }
  if (relu_layers > 1 && relu_units > 0) {
    ImGui::TextWrapped("dead ReLU units: %.0f%% overall; per layer %s", 100 * dead_units / relu_units,
                       per_layer.c_str());
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Units whose input is <= 0 on every training point. The overall fraction can hide a layer "
                        "that is much deader than the rest.");
  }
  for (size_t i = 0; i < snap->layers.size(); ++i) {
    const nn::LayerStats& L = snap->layers[i];
    ImGui::Text("%s: %d units, mean %.2f, std %.2f", L.name.c_str(), L.units, L.act_mean, L.act_std);
    if (is_relu(i) && L.dead_fraction == 0) {
      ImGui::SameLine();
      ImGui::TextDisabled("dead 0%%");
    } else if (L.dead_fraction > 0 || L.saturated_fraction > 0) {
      ImGui::SameLine();
      ImGui::TextColored({0.75f, 0.1f, 0.1f, 1}, "%s%.0f%%", L.dead_fraction > 0 ? "dead " : "saturated ",
                         100 * (L.dead_fraction > 0 ? L.dead_fraction : L.saturated_fraction));
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip(L.dead_fraction > 0 ? "ReLU units that output 0 for every training point: no gradient "
                                                "flows through them, so they never recover."
                                              : "tanh/sigmoid outputs within 1%% of their bounds, where the "
                                                "gradient nearly vanishes.");
    }
    histogram(L.histogram, w, 34 * u, IM_COL32(0, 114, 178, 200));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Histogram of this layer's activations over the training points, from %.2g to %.2g.",
                        L.hist_lo, L.hist_hi);
    if (snap->neuron_maps && i < snap->neuron_maps->size() && (*snap->neuron_maps)[i].size() > 0)
      neuron_maps((*snap->neuron_maps)[i], u);
  }
  if (snap->weights && !snap->weights->empty() && ImGui::TreeNode("Weights")) {
    for (size_t i = 0; i < snap->weights->size(); ++i) {
      ImGui::Text("W%d", int(i + 1));
      weight_grid((*snap->weights)[i], w, u);
    }
    ImGui::TreePop();
  }
}

// Gradient check of the current model on a few training points (or on one
// probe input placed next to a ReLU kink): analytic gradients against
// centered differences, worst relative error per parameter. A preset can set
// the settings, open this section and run the check (GradCheckPanel).
// Wrapped text in a colour (long results must not run off the column).
static void colored_wrapped(const ImVec4& col, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::TextWrappedV(fmt, args);
  ImGui::PopStyleColor();
  va_end(args);
}

static void run_gradient_check(AppState& s, const Snapshot& snap) {
  GradCheckPanel& g = s.gradcheck;
  g.have = false;
  g.error.clear();
  g.probe_note.clear();
  try {
    std::vector<nn::Point> train;
    for (const auto& p : s.edit.data.points)
      if (!p.validation && int(train.size()) < 16) train.push_back(p);
    if (train.empty()) throw std::runtime_error("there are no training points to check on");
    auto model = snap.predictor->model->clone();
    nn::Mat X = snap.predictor->preprocessor.transform(nn::points_to_matrix(train));
    nn::Labels y = nn::points_labels(train);
    if (s.spec.kind == nn::ModelKind::Net && g.set.probe_unit > 0) {
      const nn::KinkProbe probe = nn::place_on_kink(*model, X.topRows(1), g.set.probe_unit - 1, g.set.probe_pre);
      X = probe.x;
      y.resize(1);
      char buf[200];
      std::snprintf(buf, sizeof buf, "Checked on one probe input: training point 1 moved to where unit %d's input is "
                    "%.2e (%s).", g.set.probe_unit, probe.pre, nn::enum_label(probe.act));
      g.probe_note = buf;
    }
    g.result = nn::grad_check(*model, X, y, g.set.h, g.set.include_reg, 20, 1);
    g.have = true;
  } catch (const std::exception& e) {
    g.error = std::string("The check could not run: ") + e.what();
  }
}

static void gradient_check_section(AppState& s) {
  if (s.spec.kind == nn::ModelKind::KNN) return;
  GradCheckPanel& g = s.gradcheck;
  const bool open_now = g.set.open;  // a preset opens the section and scrolls to it
  if (open_now) ImGui::SetNextItemOpen(true, ImGuiCond_Always);
  g.set.open = false;
  if (!ImGui::CollapsingHeader("Gradient check")) return;
  if (open_now) ImGui::SetScrollHereY(0.f);
  if (slider_double(s, "step h", g.set.h, nn::kMinGradCheckStep, 1e-1, "%.0e", true,
                    "Step of the centered difference (f(x+h) - f(x-h)) / 2h. Too large: truncation error and "
                    "kinks; too small: round-off.") && g.have)
    g.set.run = true;  // check again at once while h is dragged
  ImGui::Checkbox("include regularisation", &g.set.include_reg);
  tooltip("Check the gradient of the data loss plus the penalty, or of the data loss alone.");
  if (s.spec.kind == nn::ModelKind::Net) {
    bool probe = g.set.probe_unit > 0;
    if (ImGui::Checkbox("probe a ReLU kink", &probe)) g.set.probe_unit = probe ? 1 : 0;
    tooltip("Check one input instead of the training points: the first training point moved until the input of "
            "first-layer unit k equals the value below (just under ReLU's kink at 0).");
    if (g.set.probe_unit > 0) {
      const int width = s.spec.hidden.empty() ? 1 : std::max(1, s.spec.hidden[0].width);
      g.set.probe_unit = std::min(g.set.probe_unit, width);
      slider_int(s, "unit k", g.set.probe_unit, 1, width, "Which first-layer unit's kink the probe input sits next to.");
      slider_double(s, "unit input", g.set.probe_pre, -1e-2, 1e-2, "%.1e", false,
                    "The unit's input z = w.x + b at the probe. At -1e-6 ReLU's gradient is exactly 0, but any "
                    "step h > 1e-6 of the unit's bias crosses the kink.");
    }
  }
  const Snapshot* snap = s.training.snapshot.get();
  ImGui::BeginDisabled(!snap || !snap->predictor);
  const bool clicked = ImGui::Button("Run check now");
  tooltip("Compare backprop's gradient with a numerical one on up to 16 training points (20 entries per parameter).");
  ImGui::EndDisabled();
  // A preset's check waits for the snapshot of its own model.
  const bool auto_run = g.set.run && snap && snap->predictor && snap->predictor->spec == s.spec;
  if ((clicked && snap && snap->predictor) || auto_run) {
    g.set.run = false;
    run_gradient_check(s, *snap);
  }
  if (!g.error.empty()) colored_wrapped({0.75f, 0.1f, 0.1f, 1}, "%s", g.error.c_str());
  if (!g.have) return;
  if (!g.probe_note.empty()) ImGui::TextWrapped("%s", g.probe_note.c_str());
  const bool ok = g.result.max_rel_error_smooth < 1e-6;
  colored_wrapped(ok ? ImVec4(0.1f, 0.5f, 0.2f, 1) : ImVec4(0.75f, 0.1f, 0.1f, 1),
                  "worst relative error %.1e (%.1e away from kinks): %s", g.result.max_rel_error,
                  g.result.max_rel_error_smooth, ok ? "the gradient is right" : "look closer");
  int kinks = 0;
  for (const auto& e : g.result.entries) kinks += e.kink;
  if (kinks > 0)
    colored_wrapped({0.75f, 0.35f, 0.f, 1}, "%d of %d checked entries crossed a kink: there the numerical gradient "
                    "is wrong, not backprop.", kinks, int(g.result.entries.size()));
  if (ImGui::BeginTable("gc", 5, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
    const auto stretch = ImGuiTableColumnFlags_WidthStretch;  // fixed weights, as in the params table
    ImGui::TableSetupColumn("param", stretch, 1.0f);
    ImGui::TableSetupColumn("analytic", stretch, 1.0f);
    ImGui::TableSetupColumn("numeric", stretch, 1.0f);
    ImGui::TableSetupColumn("rel. error", stretch, 1.0f);
    ImGui::TableSetupColumn("kink", stretch, 0.6f);
    ImGui::TableHeadersRow();
    for (const auto& e : g.result.worst) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn(); ImGui::Text("%s[%d]", e.param.c_str(), e.index);
      ImGui::TableNextColumn(); ImGui::Text("%.3e", e.analytic);
      ImGui::TableNextColumn(); ImGui::Text("%.3e", e.numeric);
      ImGui::TableNextColumn();
      if (e.rel_error > 1e-4) ImGui::TextColored({0.75f, 0.1f, 0.1f, 1}, "%.1e", e.rel_error);
      else ImGui::Text("%.1e", e.rel_error);
      ImGui::TableNextColumn();
      if (e.kink) ImGui::TextColored({0.75f, 0.35f, 0.f, 1}, "crossed");
      if (e.kink && ImGui::IsItemHovered())
        ImGui::SetTooltip("x+h and x-h lie on different sides of a kink (ReLU at 0, a hinge margin, a max): the "
                          "numerical gradient is wrong there, not backprop.");
    }
    ImGui::EndTable();
  }
  ImGui::TextWrapped("Rule of thumb: below 1e-7 is excellent, around 1e-4 is suspicious unless a kink was crossed.");
}

// The linear classifier's W and b as numbers: edit them and the regions and
// losses follow at once (training pauses so the edit is not undone).
static void linear_weights_section(AppState& s) {
  if (s.spec.kind != nn::ModelKind::Linear || !s.training.snapshot || !s.training.snapshot->predictor) return;
  nn::Mat W, b;
  if (!linear_weights(s, W, b) || !ImGui::CollapsingHeader("Weights W and b", ImGuiTreeNodeFlags_DefaultOpen)) return;
  bool changed = false;
  for (int c = 0; c < W.rows(); ++c) {
    ImGui::PushID(c);
    const Rgb k = kClassColors[c % 8];
    ImGui::TextColored(ImVec4(k.r / 300.f, k.g / 300.f, k.b / 300.f, 1), "class %d", c + 1);
    for (int j = 0; j < W.cols() && j < 4; ++j) {
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.6f);
      ImGui::PushID(j);
      changed |= ImGui::DragScalar("##w", ImGuiDataType_Double, &W(c, j), 0.01f, nullptr, nullptr, "%.2f");
      tooltip("One weight of this class's row of W: drag to rotate and scale the class's line.");
      ImGui::PopID();
    }
    if (b.size()) {
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.6f);
      changed |= ImGui::DragScalar("##b", ImGuiDataType_Double, &b(0, c), 0.01f, nullptr, nullptr, "b %.2f");
      tooltip("This class's bias: drag to shift its line without turning it.");
    }
    ImGui::PopID();
  }
  if (changed) {
    set_playing(s, false);
    s.training.host->set_linear_params(W, b);
  }
  if (s.training.snapshot->current_loss.data_loss >= 0)
    ImGui::Text("loss on the training points: %.4f = data %.4f + reg %.4f", s.training.snapshot->current_loss.total(),
                s.training.snapshot->current_loss.data_loss, s.training.snapshot->current_loss.reg_loss);
}

// x, y, class, scores and loss of every point, for small data sets.
static void point_table_section(AppState& s) {
  if (s.spec.kind == nn::ModelKind::KNN || !s.training.snapshot || !s.training.snapshot->predictor) return;
  if (!ImGui::CollapsingHeader("Points table")) return;
  const int n = int(s.edit.data.points.size());
  if (n == 0) { ImGui::TextDisabled("No points."); return; }
  if (n > 200) { ImGui::TextDisabled("The table shows data sets of up to 200 points (this one has %d).", n); return; }
  const nn::Mat sc = s.training.snapshot->predictor->predict_scores(nn::points_to_matrix(s.edit.data.points));
  const int C = int(sc.cols());
  // The snapshot's model may be older than the points (a new class just
  // added): then the loss column stays empty until it catches up.
  const nn::Labels y = nn::points_labels(s.edit.data.points);
  const bool known = std::all_of(y.begin(), y.end(), [&](int l) { return l >= 0 && l < C; });
  const nn::Mat losses = known ? nn::Mat(nn::data_loss(sc, y, s.spec.loss).per_point) : nn::Mat();
  if (ImGui::BeginTable("points", 4 + C, ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit,
                        {0, 220 * s.display.ui_scale})) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("x");
    ImGui::TableSetupColumn("y");
    ImGui::TableSetupColumn("class");
    for (int c = 0; c < C; ++c) {
      char name[16];  // TableSetupColumn copies it
      std::snprintf(name, sizeof name, "s%d", c + 1);
      ImGui::TableSetupColumn(name);
    }
    ImGui::TableSetupColumn("loss");
    ImGui::TableHeadersRow();
    for (int i = 0; i < n; ++i) {
      const auto& p = s.edit.data.points[i];
      ImGui::TableNextRow();
      ImGui::TableNextColumn(); ImGui::Text("%.2f", p.x);
      ImGui::TableNextColumn(); ImGui::Text("%.2f", p.y);
      ImGui::TableNextColumn(); ImGui::Text("%d%s", p.label + 1, p.validation ? " v" : "");
      for (int c = 0; c < C; ++c) {
        ImGui::TableNextColumn();
        if (c == p.label) ImGui::TextColored({0.1f, 0.45f, 0.2f, 1}, "%.2f", sc(i, c));
        else ImGui::Text("%.2f", sc(i, c));
      }
      ImGui::TableNextColumn();
      if (known) ImGui::Text("%.3f", losses(i, 0));
      else ImGui::TextDisabled("-");
    }
    ImGui::EndTable();
  }
}

void draw_analysis(AppState& s) {
  ImGui::Begin("Analysis", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoTitleBar);
  // Comparing runs: the plots show every run, the rest the run whose tab is selected.
  const int shown = s.compare.active() ? s.compare.selected : 0;
  with_run(s, shown, [&] {
    if (s.spec.kind == nn::ModelKind::KNN && !s.compare.active()) {
      ImGui::TextWrapped("kNN has nothing to train: it stores the training points and lets the k nearest vote. "
                         "Pick a linear classifier or a neural net to see training curves here.");
    }
    linear_weights_section(s);
  });
  draw_plots(s);
  if (s.compare.active())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(shown)), "Below: run %s (its tab in the sidebar)",
                       run_label(s, shown).c_str());
  with_run(s, shown, [&] {
    draw_inspector(s);
    point_table_section(s);
    gradient_check_section(s);
  });
  ImGui::End();
}

}  // namespace app
