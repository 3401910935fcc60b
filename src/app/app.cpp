// app.cpp: the app state, data edits with undo/redo, and the frame: layout
// (sidebar, canvas, analysis column, status bar), keyboard shortcuts, and
// reading the trainer's latest snapshot once per frame.
#include "app.h"
#include "core/io/source_paths.h"

#include <algorithm>
#include <optional>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/data/dataset.h"
#include "core/limits.h"
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
  for (auto* v : {&step, &data_loss, &reg_loss, &total_loss, &lr, &eval_step, &train_acc, &val_acc, &train_rmse, &val_rmse,
                  &train_loss, &val_loss, &ratio_step})
    v->clear();
  ratio_names.clear();
  ratios.clear();
}

void notify(AppState& s, const std::string& text) {
  s.message = text;
  s.message_time = ImGui::GetTime();
}

void frame_failed(AppState& s, const std::string& what) {
  if (s.message.rfind("Internal error", 0) != 0) std::fprintf(stderr, "nnplay: a frame stopped on an exception: %s\n", what.c_str());
  notify(s, "Internal error while drawing (" + what + "); your points and model are kept.");
}

void app_init(AppState& s, float ui_scale, const std::string& build_info) {
  s.display.ui_scale = ui_scale;
  s.platform.build_info = build_info;
  s.training.host = std::make_unique<TrainingHost>();
  // Start like a lecture would: a 3-arm spiral and a small ReLU network.
  s.spec.kind = nn::ModelKind::Net;
  s.spec.hidden = {{16, nn::Activation::ReLU}, {16, nn::Activation::ReLU}};
  s.spec.optim.kind = nn::OptimKind::Adam;
  s.spec.optim.lr = 1e-2;
  s.spec.loss.lambda = 1e-4;
  s.spec.knn = {3, nn::Metric::L2, false};
  generate_data(s);
  s.edit.undo_stack.clear();
  spec_changed(s);
  s.training.host->set_steps_per_frame(s.training.steps_per_frame);
}

void app_shutdown(AppState& s) {
  stop_image_cv(s, /*wait=*/true);  // a cross-validation thread ends before the thread pool does
  s.compare.runs.clear();  // their worker threads end here
  s.training.host.reset();
}

// ---- Data editing ------------------------------------------------------------

void DataEditor::begin() {
  undo_stack.push_back(data);
  if (int(undo_stack.size()) > nn::kUiMaxUndo) undo_stack.erase(undo_stack.begin());
  redo_stack.clear();
}

void DataEditor::count_classes() {
  int max_label = 1;
  for (const auto& p : data.points) max_label = std::max(max_label, p.label);
  data.num_classes = std::clamp(max_label + 1, 2, nn::kMaxClasses);
}

bool DataEditor::add_point(double x, double y, int label) {
  begin();
  data.points.push_back({x, y, std::clamp(label, 0, nn::kMaxClasses - 1), false});
  return true;
}

bool DataEditor::remove_nearest(double x, double y, double max_dist) {
  int best = -1;
  double bd = max_dist * max_dist;
  for (int i = 0; i < int(data.points.size()); ++i) {
    const auto& p = data.points[i];
    const double d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
    if (d <= bd) { bd = d; best = i; }
  }
  if (best < 0) return false;
  begin();
  data.points.erase(data.points.begin() + best);
  return true;
}

bool DataEditor::clear() {
  if (data.points.empty()) return false;
  begin();
  data.points.clear();
  return true;
}

void DataEditor::generate() {
  begin();
  data = nn::generate(gen.kind, std::clamp(gen.n, 2, nn::kUiMaxGenPointsTyped), std::clamp(gen.classes, 2, nn::kUiClasses),
                      std::clamp(double(gen.noise), 0.0, 1.0), uint64_t(std::max(0, gen.seed)));
  nn::split_train_val(data, std::clamp(double(gen.val_ratio), 0.0, 0.9), uint64_t(gen.seed) + 7);
}

void DataEditor::replace(const nn::Dataset& d) {
  begin();
  data = d;
}

// Undo and redo: the current points go on one stack, the other's top becomes current.
static bool step_history(std::vector<nn::Dataset>& from, std::vector<nn::Dataset>& to, nn::Dataset& data) {
  if (from.empty()) return false;
  to.push_back(std::move(data));
  data = std::move(from.back());
  from.pop_back();
  return true;
}
bool DataEditor::undo() { return step_history(undo_stack, redo_stack, data); }
bool DataEditor::redo() { return step_history(redo_stack, undo_stack, data); }

void data_changed(AppState& s) {
  s.edit.count_classes();
  s.training.host->set_data(s.edit.data);
  s.display.regions.dirty = true;
  compare_data_changed(s);
  // After the data: a trainer refusing the new points' problem starts afresh
  // with the loss that fits them (the other order would pause training).
  sync_losses(s);
  sync_generator_menu(s);
}

void add_point(AppState& s, double x, double y, int label) {
  if (s.edit.data.points.size() >= size_t(nn::kMaxPoints)) {
    notify(s, "Point not added: " + nn::limit_message("points", nn::kMaxPoints, (long long)s.edit.data.points.size() + 1) + ".");
    return;
  }
  if (s.edit.add_point(x, y, label)) {
    if (s.edit.data.problem == nn::ProblemKind::Regression2D) s.edit.data.points.back().value = s.edit.new_value;
    data_changed(s);
  }
}
bool remove_nearest(AppState& s, double x, double y, double max_dist) {
  if (!s.edit.remove_nearest(x, y, max_dist)) return false;
  data_changed(s);
  return true;
}
void clear_points(AppState& s) {
  if (s.edit.clear()) data_changed(s);
}
void generate_data(AppState& s) {
  s.edit.generate();
  data_changed(s);
}
bool undo(AppState& s) {
  if (!s.edit.undo()) return false;
  data_changed(s);
  return true;
}
bool redo(AppState& s) {
  if (!s.edit.redo()) return false;
  data_changed(s);
  return true;
}

// ---- Model, sessions ------------------------------------------------------------

void spec_changed(AppState& s) {
  const bool trainable = s.spec.kind != nn::ModelKind::KNN;
  s.training.host->set_active(trainable);
  s.training.host->set_spec(s.spec);
  if (!trainable) s.training.playing = false;
  s.display.regions.dirty = true;
}

std::string assets_dir() {
#ifdef __EMSCRIPTEN__
  return "/assets";
#else
  return nn::source_assets_dir();
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

nn::SessionUi session_ui(const AppState& s) {
  nn::SessionUi ui;
  ui.play = s.training.playing;
  ui.steps_per_frame = s.training.steps_per_frame;
  ui.plot_log = s.display.plot_log;
  ui.show_validation = s.display.show_validation;
  ui.heat_class = s.display.heat_class;
  ui.show_preprocessed = s.display.show_preprocessed;
  ui.gradcheck = s.gradcheck.set;
  ui.image_mode = s.images.active;
  ui.image_set = s.images.set;
  ui.image_model = int(s.images.model);
  ui.image_train = s.images.train_size;
  ui.image_test = s.images.test_size;
  ui.image_k = s.images.spec.knn.k;
  return ui;
}

// play is applied by apply_session, after the new run has started.
void apply_session_ui(AppState& s, const nn::SessionUi& ui) {
  s.training.steps_per_frame = ui.steps_per_frame;
  s.display.plot_log = ui.plot_log;
  s.display.show_validation = ui.show_validation;
  s.display.heat_class = ui.heat_class;
  s.display.show_preprocessed = ui.show_preprocessed;
  s.gradcheck.set = ui.gradcheck;
  s.gradcheck.have = false;
  s.gradcheck.error.clear();
  apply_image_ui(s, ui);  // images_panel.cpp
}

void apply_session(AppState& s, const nn::Session& session) {
  s.edit.replace(session.data);
  if (session.generator) show_generator(s, *session.generator);
  // A model on images (an image-mode session or preset) is the image mode's;
  // the 2D playground keeps its own.
  const bool image_spec = session.spec.input.is_image();
  if (!image_spec) s.spec = session.spec;
  s.io.session_name = session.name;
  s.io.session_description = session.description;
  // Keys a session leaves out: training speed and log scale stay as they
  // are, the rest take their defaults.
  nn::SessionUi ui;
  ui.steps_per_frame = s.training.steps_per_frame;
  ui.plot_log = s.display.plot_log;
  const std::string problems = nn::read_session_ui(session.ui, ui);
  if (!problems.empty()) notify(s, "Some display settings of this session were ignored: " + problems);
  apply_session_ui(s, ui);
  data_changed(s);
  spec_changed(s);
  s.training.host->set_steps_per_frame(s.training.steps_per_frame);
  s.training.host->reset();
  if (session.trained) s.training.host->load_trained(*session.trained);
  apply_session_runs(s, session);
  set_playing(s, ui.play);
  s.images.active = false;  // the trainer has just been given the session's points
  if (image_spec) apply_image_spec(s, session.spec);
  set_image_mode(s, ui.image_mode);
  if (ui.image_mode && ui.play) set_image_playing(s, true);  // (kept until the set is loaded)
}

// A run's latest snapshot model as a session's trained model: parameters and
// batchnorm statistics exactly; the optimiser's memory stays with the trainer
// (loading restarts it). Nothing if the snapshot is of another model description.
std::optional<nn::TrainedState> snapshot_model(const AppState& s, const nn::ModelSpec& spec, const Training& training) {
  const Snapshot* snap = training.snapshot.get();
  if (!snap || !snap->predictor || !snap->predictor->model || spec.kind == nn::ModelKind::KNN) return std::nullopt;
  const nn::ModelSpec& was = snap->predictor->spec;
  if (!nn::same_architecture(was, spec) || !(was.preprocess == spec.preprocess)) return std::nullopt;
  if (snap->predictor->model->num_classes() != s.edit.data.num_classes) return std::nullopt;
  nn::TrainedState t;
  nn::Model& m = const_cast<nn::Model&>(*snap->predictor->model);  // params()/buffers() only collect pointers
  for (const nn::ParamRef& p : m.params()) t.params.push_back({p.name, *p.value});
  for (const nn::ParamRef& p : m.buffers()) t.buffers.push_back({p.name, *p.value});
  t.step = snap->predictor->step;
  t.epoch = snap->epoch;
  t.optimizer.kind = spec.optim.kind;
  return t;
}

nn::Session current_session(const AppState& s, bool with_model) {
  nn::Session out;
  if (with_model) out.trained = snapshot_model(s, s.spec, s.training);
  out.data = s.edit.data;
  // In the image mode the session holds the image model (with its preprocessing and kNN settings).
  out.spec = s.images.active && s.images.spec.input.is_image() ? s.images.spec : s.spec;
  out.name = s.io.session_name;
  out.description = s.io.session_description;
  out.ui = nn::write_session_ui(session_ui(s));
  // In the image mode the runs are image models (session_runs gives their
  // image specs, without trained models), else the 2D runs.
  out.runs = session_runs(s, with_model);
  return out;
}

bool linear_weights(const AppState& s, nn::Mat& W, nn::Mat& b) {
  if (!s.training.snapshot || !s.training.snapshot->predictor || s.training.snapshot->predictor->model->kind() != nn::ModelKind::Linear) return false;
  const nn::Model& m = *s.training.snapshot->predictor->model;
  const nn::Mat* w = m.param("W");
  if (!w) return false;
  W = *w;
  const nn::Mat* bias = m.param("b");
  b = bias ? *bias : nn::Mat();
  return true;
}

void set_playing(AppState& s, bool on) {
  if (s.spec.kind == nn::ModelKind::KNN) on = false;
  s.training.playing = on;
  s.training.host->set_playing(on);
  compare_set_playing(s, on);
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
    if (ImGui::IsKeyPressed(ImGuiKey(ImGuiKey_1 + c), false)) s.edit.current_class = c;
  if (ImGui::IsKeyPressed(ImGuiKey_Space, false)) {
    if (s.images.active) set_image_playing(s, !image_playing(s));
    else set_playing(s, !s.training.playing);
  }
  if (ImGui::IsKeyPressed(ImGuiKey_S, false)) step_runs(s, 1);
  if (ImGui::IsKeyPressed(ImGuiKey_E, false)) epoch_runs(s);
  if (ImGui::IsKeyPressed(ImGuiKey_R, false)) reset_runs(s);
  if (ImGui::IsKeyPressed(ImGuiKey_P, false)) request_png_export(s);
  if (ImGui::IsKeyPressed(ImGuiKey_H, false) || ImGui::IsKeyPressed(ImGuiKey_F1, false))
    s.show_help = !s.show_help;
}

void History::append(const Snapshot& snap) {
  if (run != snap.run) { clear(); run = snap.run; }
  for (const nn::StepStats& st : snap.new_history) {
    step.push_back(float(st.step));
    data_loss.push_back(float(st.data_loss));
    reg_loss.push_back(float(st.reg_loss));
    total_loss.push_back(float(st.data_loss + st.reg_loss));
    lr.push_back(float(st.lr));
    if (st.evaluated) {
      eval_step.push_back(float(st.step));
      train_acc.push_back(float(st.train_acc));
      val_acc.push_back(float(st.val_acc));
      train_rmse.push_back(float(st.train_rmse));
      val_rmse.push_back(float(st.val_rmse));
      train_loss.push_back(float(st.train_data_loss + st.train_reg_loss));
      val_loss.push_back(float(st.val_data_loss));
    }
  }
  // Sample the weights' update/parameter ratios (one point per snapshot).
  if (snap.new_history.empty() || snap.params.empty()) return;
  std::vector<std::pair<std::string, double>> w;
  for (const auto& p : snap.params)
    if (p.name[0] == 'W' && std::isfinite(p.update_ratio)) w.push_back({p.name, p.update_ratio});
  if (ratio_names.size() != w.size()) {
    ratio_step.clear();
    ratio_names.clear();
    ratios.assign(w.size(), {});
    for (const auto& [name, r] : w) ratio_names.push_back(name);
  }
  ratio_step.push_back(float(snap.step));
  for (size_t i = 0; i < w.size(); ++i) ratios[i].push_back(float(w[i].second));
}

bool Training::read_latest() {
  auto latest = host->take_snapshot();
  if (latest == snapshot) return false;
  snapshot = latest;
  if (!snapshot) return false;
  history.append(*snapshot);
  // Training stopped on its own: it diverged, or could not run.
  if (snapshot->divergence.diverged && playing) playing = false;
  if (!snapshot->playing && playing && snapshot->generation > 0 && !snapshot->error.empty()) playing = false;
  return true;
}

void app_frame(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  ++s.frame;
  s.fps = io.Framerate;
  frame_runs(s);  // s.training.host->frame(...) and read_latest(), for every run
  shortcuts(s);

  // An export: this frame draws the canvas alone, where it was (after_render reads it).
  if (s.png.requested) {
    s.png.requested = false;
    s.png.capture_now = true;
    if (s.compare.active()) {
      draw_compare_canvas(s);
    } else {
      update_regions(s);
      draw_canvas(s);
    }
    return;
  }
  if (s.embed.launch.ui != nn::UiLayout::Full) {
    draw_embedded_layout(s);
    if (s.show_help) draw_help(s);
    if (s.io.open) draw_session_window(s);
    if (s.share.open) draw_share_window(s);
    return;
  }
  if (s.images.active) {
    draw_image_mode(s);
    if (s.show_help) draw_help(s);
    if (s.io.open) draw_session_window(s);
    return;
  }
  const float W = io.DisplaySize.x, H = io.DisplaySize.y, u = s.display.ui_scale;
  const float status_h = ImGui::GetFrameHeight() + 6 * u;
  s.display.wide_layout = W >= 1100 * u;
  const float sidebar_w = std::clamp(W * 0.25f, 250 * u, 320 * u);
  const float analysis_w = s.display.wide_layout ? std::clamp(W * 0.27f, 300 * u, 420 * u) : 0.f;
  s.display.sidebar_w = sidebar_w;
  s.display.analysis_w = analysis_w;
  s.display.status_h = status_h;
  s.display.view.x = sidebar_w;
  s.display.view.y = 0;
  s.display.view.w = std::max(1.f, W - sidebar_w - analysis_w);
  s.display.view.h = std::max(1.f, H - status_h);

  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize({sidebar_w, H - status_h});
  draw_sidebar(s);
  if (s.compare.active()) {
    draw_compare_canvas(s);  // regions of every run, as small multiples
  } else {
    update_regions(s);
    draw_canvas(s);
  }
  draw_launch_notice(s, /*with_messages=*/false);
  if (s.display.wide_layout) {
    ImGui::SetNextWindowPos({W - analysis_w, 0});
    ImGui::SetNextWindowSize({analysis_w, H - status_h});
    draw_analysis(s);
  }
  draw_status_bar(s, W, H, status_h);
  if (s.show_help) draw_help(s);
  if (s.io.open) draw_session_window(s);
  if (s.share.open) draw_share_window(s);
  draw_autosave_notice(s);
  if (s.concepts.open) draw_concepts(s);
  if (s.convnet.open) draw_convnet(s);
}

}  // namespace app
