// app.cpp: the app state, data edits with undo/redo, and the frame: layout
// (sidebar, canvas, analysis column, status bar), keyboard shortcuts, and
// reading the trainer's latest snapshot once per frame.
#include "app.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/data/dataset.h"
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

void History::clear() {
  for (auto* v : {&step, &data_loss, &reg_loss, &total_loss, &lr, &eval_step, &train_acc, &val_acc,
                  &train_loss, &val_loss, &ratio_step})
    v->clear();
  ratio_names.clear();
  ratios.clear();
}

void notify(AppState& s, const std::string& text) {
  s.message = text;
  s.message_time = ImGui::GetTime();
}

void app_init(AppState& s, float ui_scale, const std::string& build_info) {
  s.ui_scale = ui_scale;
  s.build_info = build_info;
  s.host = std::make_unique<TrainingHost>();
  // Start like a lecture would: a 3-arm spiral and a small ReLU network.
  s.spec.kind = nn::ModelKind::Net;
  s.spec.hidden = {{16, nn::Activation::ReLU}, {16, nn::Activation::ReLU}};
  s.spec.optim.kind = nn::OptimKind::Adam;
  s.spec.optim.lr = 1e-2;
  s.spec.loss.lambda = 1e-4;
  s.spec.knn = {3, nn::Metric::L2, false};
  generate_data(s);
  s.undo.clear();
  spec_changed(s);
  s.host->set_steps_per_frame(s.steps_per_frame);
}

void app_shutdown(AppState& s) { s.host.reset(); }

void begin_edit(AppState& s) {
  s.undo.push_back(s.data);
  if (s.undo.size() > 500) s.undo.erase(s.undo.begin());
  s.redo.clear();
}

void data_changed(AppState& s) {
  int max_label = 1;
  for (const auto& p : s.data.points) max_label = std::max(max_label, p.label);
  s.data.num_classes = std::clamp(max_label + 1, 2, nn::kMaxClasses);
  s.host->set_data(s.data);
  s.regions.dirty = true;
}

void add_point(AppState& s, double x, double y, int label) {
  begin_edit(s);
  label = std::clamp(label, 0, nn::kMaxClasses - 1);
  s.data.points.push_back({x, y, label, false});
  data_changed(s);
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
  begin_edit(s);
  s.data.points.erase(s.data.points.begin() + best);
  data_changed(s);
  return true;
}

void clear_points(AppState& s) {
  if (s.data.points.empty()) return;
  begin_edit(s);
  s.data.points.clear();
  data_changed(s);
}

void generate_data(AppState& s) {
  begin_edit(s);
  s.data = nn::generate(s.gen.kind, std::clamp(s.gen.n, 2, nn::kUiMaxGenPointsTyped), std::clamp(s.gen.classes, 2, nn::kUiClasses),
                        std::clamp(double(s.gen.noise), 0.0, 1.0), uint64_t(std::max(0, s.gen.seed)));
  nn::split_train_val(s.data, std::clamp(double(s.gen.val_ratio), 0.0, 0.9), uint64_t(s.gen.seed) + 7);
  data_changed(s);
}

bool undo(AppState& s) {
  if (s.undo.empty()) return false;
  s.redo.push_back(s.data);
  s.data = s.undo.back();
  s.undo.pop_back();
  data_changed(s);
  return true;
}

bool redo(AppState& s) {
  if (s.redo.empty()) return false;
  s.undo.push_back(s.data);
  s.data = s.redo.back();
  s.redo.pop_back();
  data_changed(s);
  return true;
}

void spec_changed(AppState& s) {
  const bool trainable = s.spec.kind != nn::ModelKind::KNN;
  s.host->set_active(trainable);
  s.host->set_spec(s.spec);
  if (!trainable) s.playing = false;
  s.regions.dirty = true;
}

std::string assets_dir() {
#ifdef __EMSCRIPTEN__
  return "/assets";
#else
  return NNPLAY_ASSETS_DIR;
#endif
}

bool read_text_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

void apply_session(AppState& s, const nn::Session& session) {
  begin_edit(s);
  s.data = session.data;
  s.spec = session.spec;
  s.session_name = session.name;
  s.session_description = session.description;
  const auto& ui = session.ui;
  auto get = [&](const char* key, auto def) {
    return ui.is_object() && ui.contains(key) ? ui.at(key).get<decltype(def)>() : def;
  };
  // Whole numbers are clamped while still doubles: converting 1e300 to int
  // is undefined behaviour (a link's "steps_per_frame": 1e300 did that).
  auto get_int = [&](const char* key, int def, int lo, int hi) {
    const double d = get(key, double(def));
    return std::isnan(d) ? def : int(std::clamp(d, double(lo), double(hi)));
  };
  try {
    s.steps_per_frame = get_int("steps_per_frame", s.steps_per_frame, 1, 200);
    s.plot_log = get("plot_log", s.plot_log);
    s.show_validation = get("show_validation", true);
    s.heat_class = get_int("heat_class", -1, -1, nn::kMaxClasses - 1);
    s.show_preprocessed = get("show_preprocessed", false);
  } catch (const std::exception& e) {
    notify(s, std::string("Some display settings of this session were ignored: ") + e.what());
  }
  data_changed(s);
  spec_changed(s);
  s.host->set_steps_per_frame(s.steps_per_frame);
  s.host->reset();
  set_playing(s, ui.is_object() && ui.contains("play") && ui.at("play").is_boolean() && ui.at("play").get<bool>());
}

nn::Session current_session(const AppState& s) {
  nn::Session out;
  out.data = s.data;
  out.spec = s.spec;
  out.name = s.session_name;
  out.description = s.session_description;
  out.ui = {{"steps_per_frame", s.steps_per_frame}, {"plot_log", s.plot_log},
            {"show_validation", s.show_validation}, {"heat_class", s.heat_class}};
  return out;
}

bool linear_weights(const AppState& s, nn::Mat& W, nn::Mat& b) {
  if (!s.tv || !s.tv->predictor || s.tv->predictor->model->kind() != nn::ModelKind::Linear) return false;
  const nn::Model& m = *s.tv->predictor->model;
  const nn::Mat* w = m.param("W");
  if (!w) return false;
  W = *w;
  const nn::Mat* bias = m.param("b");
  b = bias ? *bias : nn::Mat();
  return true;
}

void set_playing(AppState& s, bool on) {
  if (s.spec.kind == nn::ModelKind::KNN) on = false;
  s.playing = on;
  s.host->set_playing(on);
}

static void shortcuts(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const bool ctrl = io.KeyCtrl || io.KeySuper;
  if (ctrl && ImGui::IsKeyPressed(ImGuiKey_Z, false)) {
    if (io.KeyShift ? redo(s) : undo(s)) notify(s, io.KeyShift ? "Redone." : "Undone.");
    return;
  }
  if (ctrl && ImGui::IsKeyPressed(ImGuiKey_Y, false)) {
    if (redo(s)) notify(s, "Redone.");
    return;
  }
  if (ctrl) return;
  for (int c = 0; c < 6; ++c)
    if (ImGui::IsKeyPressed(ImGuiKey(ImGuiKey_1 + c), false)) s.current_class = c;
  if (ImGui::IsKeyPressed(ImGuiKey_Space, false)) set_playing(s, !s.playing);
  if (ImGui::IsKeyPressed(ImGuiKey_S, false)) s.host->step(1);
  if (ImGui::IsKeyPressed(ImGuiKey_E, false)) s.host->step_epoch();
  if (ImGui::IsKeyPressed(ImGuiKey_R, false)) s.host->reset();
  if (ImGui::IsKeyPressed(ImGuiKey_H, false) || ImGui::IsKeyPressed(ImGuiKey_F1, false))
    s.show_help = !s.show_help;
}

// Reads the newest snapshot and appends its steps to the plot series.
static void read_training(AppState& s) {
  auto tv = s.host->view();
  if (tv == s.tv) return;
  s.tv = tv;
  if (!tv) return;
  History& h = s.history;
  if (h.run != tv->run) { h.clear(); h.run = tv->run; }
  for (const nn::StepStats& st : tv->new_history) {
    h.step.push_back(float(st.step));
    h.data_loss.push_back(float(st.data_loss));
    h.reg_loss.push_back(float(st.reg_loss));
    h.total_loss.push_back(float(st.data_loss + st.reg_loss));
    h.lr.push_back(float(st.lr));
    if (st.evaluated) {
      h.eval_step.push_back(float(st.step));
      h.train_acc.push_back(float(st.train_acc));
      h.val_acc.push_back(float(st.val_acc));
      h.train_loss.push_back(float(st.train_data_loss + st.train_reg_loss));
      h.val_loss.push_back(float(st.val_data_loss));
    }
  }
  // Sample the weights' update/parameter ratios (one point per snapshot).
  if (!tv->new_history.empty() && !tv->params.empty()) {
    std::vector<std::pair<std::string, double>> w;
    for (const auto& p : tv->params)
      if (p.name[0] == 'W' && std::isfinite(p.update_ratio)) w.push_back({p.name, p.update_ratio});
    if (h.ratio_names.size() != w.size()) {
      h.ratio_step.clear();
      h.ratio_names.clear();
      h.ratios.assign(w.size(), {});
      for (const auto& [name, r] : w) h.ratio_names.push_back(name);
    }
    h.ratio_step.push_back(float(tv->step));
    for (size_t i = 0; i < w.size(); ++i) h.ratios[i].push_back(float(w[i].second));
  }
  if (tv->divergence.diverged && s.playing) s.playing = false;
  if (!tv->playing && s.playing && tv->generation > 0 && !tv->error.empty()) s.playing = false;
}

void app_frame(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  ++s.frame;
  s.fps = io.Framerate;
  s.host->frame(8.0);
  read_training(s);
  shortcuts(s);

  const float W = io.DisplaySize.x, H = io.DisplaySize.y, u = s.ui_scale;
  const float status_h = ImGui::GetFrameHeight() + 6 * u;
  s.wide_layout = W >= 1100 * u;
  const float sidebar_w = std::clamp(W * 0.25f, 250 * u, 320 * u);
  const float analysis_w = s.wide_layout ? std::clamp(W * 0.27f, 300 * u, 420 * u) : 0.f;
  s.view.x = sidebar_w;
  s.view.y = 0;
  s.view.w = std::max(1.f, W - sidebar_w - analysis_w);
  s.view.h = std::max(1.f, H - status_h);

  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize({sidebar_w, H - status_h});
  draw_sidebar(s);
  update_regions(s);
  draw_canvas(s);
  if (s.wide_layout) {
    ImGui::SetNextWindowPos({W - analysis_w, 0});
    ImGui::SetNextWindowSize({analysis_w, H - status_h});
    draw_analysis(s);
  }
  ImGui::SetNextWindowPos({0, H - status_h});
  ImGui::SetNextWindowSize({W, status_h});
  draw_status_bar(s);
  if (s.show_help) draw_help(s);
  if (s.show_io) draw_session_window(s);
  if (s.show_concepts) draw_concepts(s);
  if (s.show_convnet) draw_convnet(s);
}

}  // namespace app
