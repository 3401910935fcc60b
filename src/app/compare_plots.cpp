// compare_plots.cpp: the plots while comparing runs: each run's minibatch
// loss, accuracy and learning rate on the same axes, one colour per run with
// a legend, so the difference is read off one plot instead of remembered.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app.h"
#include "imgui.h"
#include "plot.h"
#include "widgets.h"

namespace app {

// kNN runs have no curves: their accuracies on the training and validation
// points, side by side (only for data sets small enough to vote every frame).
static void knn_accuracies(const AppState& s) {
  if (s.images.active) return;  // image kNN runs: their test accuracy is on the templates tab and in the sidebar
  bool any = false;
  for (int i = 0; i < s.compare.count(); ++i) any = any || run_spec(s, i).kind == nn::ModelKind::KNN;
  if (!any) return;
  const auto& pts = s.edit.data.points;
  if (pts.size() > 1500) {
    ImGui::TextDisabled("kNN runs: compare their regions on the canvas.");
    return;
  }
  const nn::KnnIndex index = make_knn_index(s);
  if (!ImGui::BeginTable("knn_acc", 3, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("kNN run");
  ImGui::TableSetupColumn("train acc");
  ImGui::TableSetupColumn("val acc");
  ImGui::TableHeadersRow();
  for (int i = 0; i < s.compare.count(); ++i) {
    const nn::ModelSpec& spec = run_spec(s, i);
    if (spec.kind != nn::ModelKind::KNN) continue;
    int ok[2] = {0, 0}, n[2] = {0, 0};
    for (const nn::Point& p : pts) {
      ok[p.validation] += index.predict(p.x, p.y, spec.knn) == p.label;
      ++n[p.validation];
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "%s", run_label(s, i).c_str());
    for (int v = 0; v < 2; ++v) {
      ImGui::TableNextColumn();
      if (n[v]) ImGui::Text("%.1f%%", 100.0 * ok[v] / n[v]);
      else ImGui::TextDisabled("-");
    }
  }
  ImGui::EndTable();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("A training point votes with itself among its neighbours: 1-NN is always 100%% there.");
  ImGui::PopTextWrapPos();
}

// The kNN runs' cross-validation over k: one button makes every kNN run's
// curve (2D: at once; images: one run after the other, on a thread where the
// build has threads, so the app keeps drawing), and the curves are drawn over
// each other in the runs' colours, each run's own k a dot on its curve.
void draw_compare_knn_cv(AppState& s) {
  std::vector<int> knn;
  for (int i = 0; i < s.compare.count(); ++i)
    if (run_spec(s, i).kind == nn::ModelKind::KNN) knn.push_back(i);
  if (knn.empty()) return;
  const float u = s.display.ui_scale;
  ImGui::PushID("cmp_cv");
  ImGui::TextUnformatted("Cross-validation over k");
  ImGui::SameLine();
  const bool images = s.images.active;
  ImageCv& ic = s.images.cv;
  if (images && ic.task) {
    if (ImGui::SmallButton("Stop")) stop_image_cv(s);
  } else {
    ImGui::BeginDisabled(images && !s.images.rows);
    if (ImGui::SmallButton("Cross-validate k")) {
      if (images) start_image_cv(s);
      else run_knn_cv_2d(s, selected_spec(s));
    }
    ImGui::EndDisabled();
  }
  tooltip(images ? "Every kNN run: validation accuracy of each k on held-out folds of the training images (the test "
                   "images are not used), one run after the other. Runs that differ only in k share one curve."
                 : "Every kNN run: validation accuracy of each k on held-out folds of the training points (the "
                   "validation points are not used). Runs that differ only in k share one curve.");
  if (images) {
    ImGui::SetNextItemWidth(90 * u);
    ImGui::SliderInt("folds", &ic.folds, 2, 10, "%d", ImGuiSliderFlags_AlwaysClamp);
    tooltip("The training images are split into this many folds; each is held out in turn and predicted from the "
            "others.");
    if (ic.task && !ic.task_runs.empty()) {
      std::string who;
      for (int i : ic.task_runs) who += std::string(who.empty() ? "" : ", ") + char('A' + i);
      char b[64];
      std::snprintf(b, sizeof b, "run %s: %.0f%%", who.c_str(), 100 * ic.progress);
      ImGui::ProgressBar(ic.progress, {-1, 0}, b);
    }
    if (!ic.error.empty()) ImGui::TextColored({0.75f, 0.08f, 0.08f, 1}, "%s", ic.error.c_str());
  }
  const RunsCv& rc = images ? ic.runs : s.compare.knn_cv;
  std::vector<CvCurve> curves;
  std::vector<int> shown;
  for (int i : knn) {
    const nn::KnnSpec& spec = run_spec(s, i).knn;
    const nn::CvResult* r = rc.of(i, spec);
    if (!r) continue;
    curves.push_back({run_label(s, i), run_color(i), &r->ks, &r->mean_acc, &r->std_acc, spec.k});
    shown.push_back(i);
  }
  if (curves.empty()) {
    ImGui::TextDisabled(rc.result.empty() ? "Not run yet." : "The runs' settings changed: run it again.");
    ImGui::PopID();
    return;
  }
  const int picked = plot_cv_curves("cv", {ImGui::GetContentRegionAvail().x, 170 * u}, curves, u);
  // One line per run: its metric, its own k's accuracy and the best k on its curve.
  std::vector<nn::KnnSpec> specs;
  for (int i : shown) specs.push_back(run_spec(s, i).knn);
  const std::vector<int> of = nn::knn_cv_curve_of(specs);
  ImGui::PushTextWrapPos(0.0f);
  for (size_t j = 0; j < shown.size(); ++j) {
    const int i = shown[j];
    const nn::CvResult& r = *rc.of(i, specs[j]);
    size_t best = 0, own = r.ks.size();
    for (size_t q = 0; q < r.ks.size(); ++q) {
      if (r.mean_acc[q] > r.mean_acc[best]) best = q;
      if (r.ks[q] == specs[j].k) own = q;
    }
    std::string line = run_label(s, i) + " (" + nn::enum_label(specs[j].metric) + (specs[j].weighted ? ", weighted" : "") + "): ";
    char b[96];
    if (own < r.ks.size()) std::snprintf(b, sizeof b, "its k = %d scores %.3f; ", specs[j].k, r.mean_acc[own]);
    else std::snprintf(b, sizeof b, "its k = %d is not on the curve; ", specs[j].k);
    line += b;
    std::snprintf(b, sizeof b, "best k = %d (%.3f)", r.ks[best], r.mean_acc[best]);
    line += b;
    if (of[j] != int(j)) line += std::string(", the same curve as ") + char('A' + shown[size_t(of[j])]);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "%s", line.c_str());
  }
  ImGui::TextDisabled("%s. A run's k is a dot on its curve: k does not change the curve, the metric and the "
                      "weighting do.", rc.about.c_str());
  ImGui::PopTextWrapPos();
  // A click uses that k in the selected run (when it is a kNN).
  const int sel = std::clamp(s.compare.selected, 0, s.compare.count() - 1);
  if (picked > 0 && run_spec(s, sel).kind == nn::ModelKind::KNN && run_spec(s, sel).knn.k != picked) {
    if (images) {
      with_image_run(s, sel, [&] {
        s.images.spec.knn.k = picked;
        image_model_changed(s);
      });
      image_run_changed(s, sel);
    } else {
      selected_spec(s).knn.k = picked;
      selected_spec_changed(s);
    }
  }
  ImGui::PopID();
}

// Each run's update/parameter ratio of one weight matrix (the combo picks
// which: W1 is the first layer in every run), on one log plot with the 1e-3
// rule of thumb dashed: a run whose learning rate is far too high or too low
// sits far from the line. A run without that matrix (fewer layers) is left
// out and named.
static void update_ratio_plot(AppState& s, float w) {
  const float u = s.display.ui_scale;
  size_t layers = 0;
  for (int i = 0; i < s.compare.count(); ++i) {
    if (run_spec(s, i).kind == nn::ModelKind::KNN) continue;
    layers = std::max(layers, run_training(s, i).history.ratios.size());
  }
  if (layers == 0) return;
  int& pick = s.compare.ratio_layer;
  pick = std::clamp(pick, 0, int(layers) - 1);
  ImGui::TextUnformatted("Update / parameter ratio of");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("norm(update) / norm(W) per step for each run. Around 1e-3 (dashed) is healthy: far above, "
                      "the learning rate is too high; far below, too low.");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(70 * u);
  std::string current = "W" + std::to_string(pick + 1);
  if (ImGui::BeginCombo("##ratio_layer", current.c_str())) {
    for (int k = 0; k < int(layers); ++k) {
      const std::string name = "W" + std::to_string(k + 1);
      if (ImGui::Selectable(name.c_str(), k == pick)) pick = k;
    }
    ImGui::EndCombo();
  }
  std::vector<PlotSeries> series;
  std::string missing;
  for (int i = 0; i < s.compare.count(); ++i) {
    if (run_spec(s, i).kind == nn::ModelKind::KNN) continue;
    const History& h = run_training(s, i).history;
    if (size_t(pick) < h.ratios.size())
      series.push_back({std::string(1, char('A' + i)), &h.ratio_step, &h.ratios[size_t(pick)], run_color(i)});
    else
      missing += std::string(missing.empty() ? "" : ", ") + char('A' + i);
  }
  PlotOptions ro;
  ro.log_y = true;
  ro.marks = {1e-3f};
  plot_lines("cmp_ratio", {w, 80 * u}, series, ro, u);
  s.compare.ratio_series = int(series.size());
  if (!missing.empty()) ImGui::TextDisabled("No %s (or not trained yet): %s", current.c_str(), missing.c_str());
}

void draw_compare_plots(AppState& s) {
  if (!ImGui::CollapsingHeader("Plots", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const float u = s.display.ui_scale, w = ImGui::GetContentRegionAvail().x;
  plot_controls(s, w, "Exponential moving average of the curves. Set it to 0 to compare how noisy the runs' losses are.");
  std::vector<PlotSeries> loss, train_acc, val_acc, lr;
  for (int i = 0; i < s.compare.count(); ++i) {
    if (run_spec(s, i).kind == nn::ModelKind::KNN) continue;  // kNN has no curves: see its panel
    const History& h = run_training(s, i).history;
    const std::string name(1, char('A' + i));
    const ImU32 c = run_color(i);
    loss.push_back({name, &h.step, &h.total_loss, c});
    const bool reg = !s.images.active && nn::is_regression(s.edit.data.problem);  // RMSE in place of accuracy
    train_acc.push_back({name, &h.eval_step, reg ? &h.train_rmse : &h.train_acc, c});
    val_acc.push_back({name, &h.eval_step, reg ? &h.val_rmse : &h.val_acc, (c & 0x00FFFFFFu) | (150u << 24)});
    lr.push_back({name, &h.step, &h.lr, c});
  }
  draw_compare_knn_cv(s);
  knn_accuracies(s);
  if (loss.empty()) return;
  ImGui::TextUnformatted("Loss per step (minibatch, data + reg)");
  PlotOptions lo;
  lo.log_y = s.display.plot_log;
  lo.smoothing = s.display.plot_smoothing;
  plot_lines("cmp_loss", {w, 140 * u}, loss, lo, u);
  const bool reg = !s.images.active && nn::is_regression(s.edit.data.problem);
  ImGui::TextUnformatted(reg ? "Training error: RMSE (whole set)" : "Training accuracy (whole set)");
  PlotOptions ao;
  ao.y_min = 0;
  if (!reg) ao.y_max = 1;
  plot_lines("cmp_train_acc", {w, 100 * u}, train_acc, ao, u);
  ImGui::TextUnformatted(reg ? "Validation error: RMSE" : s.images.active ? "Test accuracy (test images)" : "Validation accuracy");
  plot_lines("cmp_val_acc", {w, 90 * u}, val_acc, ao, u);
  ImGui::TextUnformatted("Learning rate");
  PlotOptions lro;
  lro.log_y = true;
  plot_lines("cmp_lr", {w, 60 * u}, lr, lro, u);
  update_ratio_plot(s, w);
  // Which letter is which run.
  for (int i = 0; i < s.compare.count(); ++i)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "%s", run_label(s, i).c_str());
}

}  // namespace app
