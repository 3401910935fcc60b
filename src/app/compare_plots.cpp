// compare_plots.cpp: the plots while comparing runs: each run's minibatch
// loss, accuracy and learning rate on the same axes, one colour per run with
// a legend, so the difference is read off one plot instead of remembered.
#include <algorithm>
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
