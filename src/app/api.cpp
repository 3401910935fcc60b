// api.cpp: the C API over the app state, exported from the web build so that
// the browser tests (tests/e2e) and course pages can drive and inspect the
// app. Every exported function is here. Coordinates: "world" is the data
// plane; "css" is CSS pixels in the canvas.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#ifdef __EMSCRIPTEN__
#include <malloc.h>
#endif

#include "app.h"
#include "core/io/launch.h"
#include "core/io/session.h"
#include "core/limits.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/em_macros.h>
#define NNPLAY_API extern "C" EMSCRIPTEN_KEEPALIVE
#else
#define NNPLAY_API extern "C" __attribute__((visibility("default"), used))
#endif

using app::app_state;

// What the last call that returns a string handed out (valid until the next one).
static std::string g_text;

// The value in row i of an enum's descriptor table (clamped into the table).
template <class E>
static E enum_at(int i) {
  const auto rows = nn::enum_rows<E>();
  return rows[size_t(std::clamp(i, 0, int(rows.size()) - 1))].value;
}

// Main-loop iterations (drawn or skipped because the app is idle): what
// tests wait on. nnplay_drawn_frames counts the frames actually drawn.
NNPLAY_API long nnplay_frame_count() { return app_state().embed.ticks; }
NNPLAY_API long nnplay_drawn_frames() { return app_state().frame; }
// Embedding: the page shell reports visibility and input; start-up errors.
NNPLAY_API void nnplay_wake() { app::wake(app_state()); }
NNPLAY_API void nnplay_touched() { app::touched(app_state()); }
NNPLAY_API void nnplay_set_visible(int on) { app::set_visible(app_state(), on != 0); }
NNPLAY_API int nnplay_visible() { return app_state().embed.visible ? 1 : 0; }
NNPLAY_API const char* nnplay_launch_errors() { return app_state().embed.errors.c_str(); }
// Applies a page query ("?preset=...&ui=...") as the page's start-up does,
// without reloading: the browser tests open every preset this way in one page.
NNPLAY_API void nnplay_apply_launch(const char* query) {
  app::apply_launch(app_state(), nn::parse_launch_query(query ? query : "", nn::preset_ids(app::assets_dir())));
}
NNPLAY_API int nnplay_ui_layout() { return int(app_state().embed.launch.ui); }
NNPLAY_API const char* nnplay_session_name() { return app_state().io.session_name.c_str(); }
NNPLAY_API const char* nnplay_build_info() { return app_state().platform.build_info.c_str(); }
NNPLAY_API double nnplay_fps() { return app_state().fps; }

// ---- Data --------------------------------------------------------------------
NNPLAY_API int nnplay_point_count() { return int(app_state().edit.data.points.size()); }
NNPLAY_API double nnplay_point_x(int i) { return app_state().edit.data.points.at(i).x; }
NNPLAY_API double nnplay_point_y(int i) { return app_state().edit.data.points.at(i).y; }
NNPLAY_API int nnplay_point_label(int i) { return app_state().edit.data.points.at(i).label; }
NNPLAY_API int nnplay_point_is_validation(int i) { return app_state().edit.data.points.at(i).validation; }
NNPLAY_API void nnplay_set_class(int c) { app_state().edit.current_class = c; }
// The canvas tool: 0 Add, 1 Spray, 2 Erase, 3 Move (the Data panel's radio buttons).
NNPLAY_API void nnplay_set_tool(int t) { app_state().edit.tool = app::Tool(std::clamp(t, 0, 3)); }
NNPLAY_API int nnplay_tool() { return int(app_state().edit.tool); }
NNPLAY_API void nnplay_clear() { app::clear_points(app_state()); }
NNPLAY_API void nnplay_add_point(double x, double y, int label) { app::add_point(app_state(), x, y, label); }
NNPLAY_API int nnplay_undo() { return app::undo(app_state()); }
NNPLAY_API int nnplay_redo() { return app::redo(app_state()); }
// kind: the row of nn::DataGen's table (0 blobs, 1 circle, 2 xor, 3 spiral, 4 moons, 5 linear)
NNPLAY_API void nnplay_generate(int kind, int n, int classes, double noise, int seed, double val_ratio) {
  auto& s = app_state();
  s.edit.gen = {enum_at<nn::DataGen>(kind), n, classes, float(noise), seed, float(val_ratio)};
  app::generate_data(s);
}

// ---- Model and training --------------------------------------------------------
// kind: 0 kNN, 1 linear, 2 network
NNPLAY_API void nnplay_set_model(int kind) {
  auto& s = app_state();
  s.spec.kind = enum_at<nn::ModelKind>(kind);
  app::spec_changed(s);
}
NNPLAY_API void nnplay_set_k(int k) {
  auto& s = app_state();
  s.spec.knn.k = k < 1 ? 1 : k;
  app::spec_changed(s);
}
// Two hidden layers of the given width; act: 0 ReLU, 1 leaky, 2 ELU, 3 tanh, 4 sigmoid
NNPLAY_API void nnplay_set_hidden(int layers, int width, int act) {
  auto& s = app_state();
  s.spec.hidden.assign(layers < 0 ? 0 : layers, nn::HiddenLayerSpec{width, enum_at<nn::Activation>(act)});
  app::spec_changed(s);
}
NNPLAY_API void nnplay_set_lr(double lr) {
  auto& s = app_state();
  s.spec.optim.lr = lr;
  app::spec_changed(s);
}
NNPLAY_API void nnplay_play(int on) { app::set_playing(app_state(), on != 0); }
// The speed slider: training steps per frame (1..kUiMaxStepsPerFrame).
NNPLAY_API void nnplay_set_speed(int steps_per_frame) { app::set_steps_per_frame(app_state(), steps_per_frame); }
NNPLAY_API int nnplay_speed() { return app_state().training.steps_per_frame; }
NNPLAY_API int nnplay_is_playing() { return app_state().training.playing; }
NNPLAY_API void nnplay_step(int n) { app::step_runs(app_state(), n); }      // every run of a comparison
NNPLAY_API void nnplay_reset() { app::reset_runs(app_state()); }
NNPLAY_API double nnplay_step_count() { return app_state().training.snapshot ? double(app_state().training.snapshot->step) : 0; }
NNPLAY_API double nnplay_epoch() { return app_state().training.snapshot ? app_state().training.snapshot->epoch : 0; }
// Accuracy on the training (or validation) points from the latest evaluation; NaN before any.
NNPLAY_API double nnplay_accuracy(int validation) {
  const auto& h = app_state().training.history;
  const auto& v = validation ? h.val_acc : h.train_acc;
  return v.empty() ? NAN : v.back();
}
NNPLAY_API double nnplay_loss() {
  const auto& h = app_state().training.history;
  return h.total_loss.empty() ? NAN : h.total_loss.back();
}
NNPLAY_API int nnplay_diverged() { return app_state().training.snapshot && app_state().training.snapshot->divergence.diverged; }
// The step whose parameters a divergence restored (-1: no divergence).
NNPLAY_API double nnplay_restored_step() {
  const auto& snap = app_state().training.snapshot;
  return snap && snap->divergence.diverged ? double(snap->divergence.restored_step) : -1;
}
// What the Training panel shows in colour: divergence, error and dead-unit
// messages, one per line ("" when there is none).
NNPLAY_API const char* nnplay_training_message() {
  std::string& out = g_text;
  out.clear();
  if (const auto& snap = app_state().training.snapshot) {
    if (snap->divergence.diverged) out += snap->divergence.message + "\n";
    if (!snap->error.empty()) out += snap->error + "\n";
    if (!snap->dead_units.empty() && !snap->divergence.diverged) out += snap->dead_units + "\n";
  }
  return out.c_str();
}
// A 32-bit FNV-1a hash of the bits of every parameter the app shows (the
// latest snapshot), to compare parameters across steps; -1 before a model.
NNPLAY_API double nnplay_param_hash() {
  const auto& snap = app_state().training.snapshot;
  if (!snap || !snap->predictor) return -1;
  uint32_t h = 2166136261u;
  for (const nn::ConstParamRef& p : snap->predictor->model->params_view()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p.value->data());
    for (size_t i = 0; i < size_t(p.value->size()) * sizeof(double); ++i) h = (h ^ bytes[i]) * 16777619u;
  }
  return double(h);
}
// The step of the snapshot nnplay_param_hash reads.
NNPLAY_API double nnplay_param_step() {
  const auto& snap = app_state().training.snapshot;
  return snap && snap->predictor ? double(snap->predictor->step) : -1;
}

// The class the current model predicts at a world point (-1: no model yet).
NNPLAY_API int nnplay_predict(double x, double y) {
  auto& s = app_state();
  if (s.spec.kind == nn::ModelKind::KNN) return app::make_knn_index(s).predict(x, y, s.spec.knn);
  if (!s.training.snapshot || !s.training.snapshot->predictor) return -1;
  return s.training.snapshot->predictor->predict(x, y);
}

// The class shown in the decision-region image at a world point (-1 outside
// the canvas or before the first computation).
NNPLAY_API int nnplay_region_label(double x, double y) {
  const auto& s = app_state();
  const auto& r = s.display.regions;
  const int c = int((s.display.view.to_px_x(x) - s.display.view.x) / r.divisor), row = int((s.display.view.to_px_y(y) - s.display.view.y) / r.divisor);
  if (r.labels.empty() || c < 0 || row < 0 || c >= r.w || row >= r.h) return -1;
  return r.labels[size_t(row) * r.w + c];
}
NNPLAY_API int nnplay_regions_dirty() { return app_state().display.regions.dirty ? 1 : 0; }

// World -> CSS pixels inside the canvas element (for synthesising clicks).
// The layout of the last frame in CSS pixels, as app_frame computed it:
// 0 sidebar width, 1 canvas x, 2 canvas y, 3 canvas width, 4 canvas height,
// 5 analysis column x, 6 its width (0 when the window is too narrow for it),
// 7 status bar height.
NNPLAY_API double nnplay_layout(int what) {
  const auto& d = app_state().display;
  const double u = d.ui_scale;
  switch (what) {
    case 0: return d.sidebar_w / u;
    case 1: return d.view.x / u;
    case 2: return d.view.y / u;
    case 3: return d.view.w / u;
    case 4: return d.view.h / u;
    case 5: return (d.view.x + d.view.w) / u;
    case 6: return d.analysis_w / u;
    case 7: return d.status_h / u;
    default: return NAN;
  }
}

// Closes the floating windows (help, save/load, concepts, calculator).
NNPLAY_API void nnplay_close_windows() {
  auto& s = app_state();
  s.show_help = s.io.open = s.concepts.open = s.convnet.open = false;
}

// Bytes of the heap in use by malloc (web build; 0 natively).
NNPLAY_API double nnplay_heap_used() {
#ifdef __EMSCRIPTEN__
  return double(mallinfo().uordblks);
#else
  return 0;
#endif
}

NNPLAY_API double nnplay_world_to_css_x(double x) { return app_state().display.view.to_px_x(x) / app_state().display.ui_scale; }
NNPLAY_API double nnplay_world_to_css_y(double y) { return app_state().display.view.to_px_y(y) / app_state().display.ui_scale; }

// ---- Save / load ------------------------------------------------------------------
// Loads a session JSON, a link or CSV (see load_text); 1 on success.
NNPLAY_API int nnplay_load_text(const char* text) { return app::load_text(app_state(), text ? text : "") ? 1 : 0; }
NNPLAY_API const char* nnplay_io_status() { return app_state().io.status.c_str(); }
// Large texts (files) go through the heap, not the small stack ccall uses:
// nnplay_text_buffer(n) gives room for n bytes and a terminating zero, or 0
// when n exceeds the session size limit (the Save / load window then says
// so and nothing changes); fill it (stringToUTF8), then nnplay_load_buffer().
static std::string g_text_buffer;
NNPLAY_API char* nnplay_text_buffer(double bytes) {
  auto& s = app_state();
  if (!(bytes >= 0) || bytes > double(nn::kMaxSessionBytes)) {
    s.io.set_status(app::text_too_large(bytes > 0 ? size_t(std::min(bytes, 1e15)) : 0), true);
    s.io.open = true;
    app::notify(s, s.io.status);
    return nullptr;
  }
  try {
    g_text_buffer.assign(size_t(bytes) + 1, '\0');
  } catch (const std::bad_alloc&) {
    s.io.set_status("Could not load: out of memory.\nNothing was changed.", true);
    s.io.open = true;
    return nullptr;
  }
  return g_text_buffer.data();
}
NNPLAY_API int nnplay_load_buffer() {
  const std::string text(g_text_buffer.c_str());
  std::string().swap(g_text_buffer);
  auto& s = app_state();
  const bool ok = app::load_text(s, text);
  if (!ok) s.io.open = true;
  return ok ? 1 : 0;
}
// The current session as JSON (valid until the next call).
NNPLAY_API const char* nnplay_session_json() {
  g_text = nn::save_session(app::current_session(app_state()));
  return g_text.c_str();
}
// The current session as a page-address fragment "#s=..." (valid until the next call).
NNPLAY_API const char* nnplay_session_link() {
  g_text = "#s=" + nn::encode_session_url(app::current_session(app_state()));
  return g_text.c_str();
}

// ---- Concept browser ------------------------------------------------------------
// Loads a demo as its "Show me" button would: 1 on success, 0 on failure.
NNPLAY_API int nnplay_show_preset(const char* id) { return app::show_demo(app_state(), id ? id : "", "") ? 1 : 0; }
// Cards in the deck (-1 if it could not be loaded).
NNPLAY_API int nnplay_card_count() {
  app::ConceptBrowser& c = app_state().concepts;
  app::ensure_concepts_loaded(c);
  return c.error.empty() ? int(c.deck.cards.size()) : -1;
}
// Cards whose demo can be shown (a preset file exists, or a calculator preset).
NNPLAY_API int nnplay_demo_count() {
  app::ConceptBrowser& c = app_state().concepts;
  app::ensure_concepts_loaded(c);
  return c.error.empty() ? c.live_demos : -1;
}
// Opens (1) or closes (0) the concept browser.
NNPLAY_API void nnplay_show_concepts(int on) { app_state().concepts.open = on != 0; }
// The kind of the current model: 0 kNN, 1 linear, 2 network (to check a demo loaded).
NNPLAY_API int nnplay_model_kind() { return int(app_state().spec.kind); }

// ---- ConvNet calculator -------------------------------------------------------------
// Whether the calculator window is open, and the total parameters of the
// network it shows (-1 if some layer is invalid).
NNPLAY_API int nnplay_convnet_open() { return app_state().convnet.open ? 1 : 0; }
NNPLAY_API double nnplay_convnet_total_params() {
  app::ConvNetCalc& c = app_state().convnet;
  app::ensure_convnet_init(c);
  try {
    const nn::ConvNetResult R = nn::analyse_convnet(c.net, c.batch);
    return R.valid ? double(R.total_params) : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

// ---- Image mode -------------------------------------------------------------------------
// Enter (1) or leave (0) the image mode; pick a set (0 Fashion-MNIST, 1 MNIST
// digits) and a model (0 kNN, 1 linear, 2 MLP, 3 ConvNet); play; show a view
// tab (0 test images, 1 templates/filters, 2 confusion matrix, 3 sketch pad).
NNPLAY_API void nnplay_image_mode(int on) { app::set_image_mode(app_state(), on != 0); }
NNPLAY_API void nnplay_image_set(int set) { app::select_image_set(app_state(), set); }
NNPLAY_API void nnplay_image_model(int model) {
  app::AppState& s = app_state();
  s.images.model = app::ImageModel(std::clamp(model, 0, 3));
  app::image_model_changed(s);
}
NNPLAY_API void nnplay_image_play(int on) { app::set_image_playing(app_state(), on != 0); }
NNPLAY_API void nnplay_image_tab(int tab) { app_state().images.tab_request = tab; }
// The page shell's side of fetching a set: progress, then done or failed.
NNPLAY_API void nnplay_image_progress(double loaded, double total) {
  app::ImageMode& m = app_state().images;
  char b[160];
  if (total > 0) std::snprintf(b, sizeof b, "Loading the image set: %.1f of %.1f MB", loaded / 1e6, total / 1e6);
  else std::snprintf(b, sizeof b, "Loading the image set: %.1f MB", loaded / 1e6);
  m.loading = b;
  m.progress = total > 0 ? float(loaded / total) : -1.f;
}
NNPLAY_API void nnplay_image_fetched() { app::image_set_fetched(app_state(), true, ""); }
NNPLAY_API void nnplay_image_fetch_failed(const char* why) { app::image_set_fetched(app_state(), false, why ? why : ""); }
// Sketch pad: clear, and one stroke from (x0, y0) to (x1, y1) in pad pixels (0..28).
NNPLAY_API void nnplay_sketch_clear() { app::sketch_clear(app_state()); }
NNPLAY_API void nnplay_sketch_stroke(double x0, double y0, double x1, double y1) {
  const int n = std::max(1, int(std::hypot(x1 - x0, y1 - y0) * 2));
  for (int i = 0; i <= n; ++i)
    app::sketch_stroke(app_state(), float(x0 + (x1 - x0) * i / n), float(y0 + (y1 - y0) * i / n));
}
// "Add to training set" on the sketch pad with class `label`: 1 if added.
NNPLAY_API int nnplay_image_add_sketch(int label) { return app::add_sketch_to_training(app_state(), label) ? 1 : 0; }
// Cross-validation over k of the image kNN (the right panel's button).
NNPLAY_API void nnplay_image_cv_start(int folds) {
  app_state().images.cv.folds = folds;
  app::start_image_cv(app_state());
}
// The image mode as JSON: what the tests check.
NNPLAY_API const char* nnplay_image_state() {
  app::AppState& s = app_state();
  app::ImageMode& m = s.images;
  app::update_sketch_prediction(s);
  const app::Snapshot* snap = s.training.snapshot.get();
  const app::ImageEval* e = snap ? snap->image_eval.get() : nullptr;
  nlohmann::json j;
  j["active"] = m.active;
  j["waiting"] = m.waiting;
  j["loading"] = m.loading;
  j["error"] = m.error;
  j["loaded"] = m.rows != nullptr;
  j["set"] = m.data_name;
  j["train"] = m.rows ? int(m.rows->X_train.rows()) : 0;
  j["test"] = m.rows ? int(m.rows->X_val.rows()) : 0;
  j["model"] = int(m.model);
  j["step"] = snap ? double(snap->step) : 0.0;
  j["test_acc"] = e ? e->accuracy : -1.0;
  j["eval_step"] = e ? double(e->step) : -1.0;
  j["eval_count"] = e ? int(e->pred.size()) : 0;
  j["knn_k"] = e ? e->neighbours.k : 0;
  j["weights_drawn"] = m.weights_tex.id != 0 && m.weights_tex.w > 0;
  j["weights_rows"] = snap && snap->first_weights ? int(snap->first_weights->rows()) : 0;
  j["grid_drawn"] = m.grid_tex.id != 0;
  j["sketch_pred"] = m.sketch_pred;
  j["sketch_probs"] = m.sketch_probs;
  j["added"] = int(m.added[m.set].size());
  j["sketch_nearest"] = m.sketch_neighbours.empty() ? -1 : m.sketch_neighbours[0];  // kNN: a training row index
  j["cv_running"] = m.cv.task != nullptr;
  j["cv_progress"] = m.cv.progress;
  j["cv_error"] = m.cv.error;
  j["cv_ks"] = m.cv.have ? m.cv.result.ks : std::vector<int>{};
  j["cv_mean"] = m.cv.have ? m.cv.result.mean_acc : std::vector<double>{};
  j["cv_folds"] = m.cv.have && !m.cv.result.fold_acc.empty() ? int(m.cv.result.fold_acc[0].size()) : 0;
  j["act_maps"] = int(m.act_maps.size());
  j["base_train"] = m.base_train;
  j["sketch_ink"] = std::count_if(m.sketch.begin(), m.sketch.end(), [](float v) { return v > 0.05f; });
  j["class_names"] = m.data ? m.data->test.class_names : std::vector<std::string>{};
  j["error_training"] = snap ? snap->error : std::string();
  // Every run of a comparison (one entry without): its model, step, test
  // accuracy, whether its templates/filters texture is drawn, and a checksum
  // of its first layer's weights (sum of |w|) to tell the runs apart.
  j["view_run"] = s.compare.selected;
  nlohmann::json runs = nlohmann::json::array();
  for (int i = 0; i < s.compare.count(); ++i)
    app::with_image_run(s, i, [&] {
      const app::Snapshot* rs = s.training.snapshot.get();
      const app::ImageEval* re = rs ? rs->image_eval.get() : nullptr;
      nlohmann::json r;
      r["label"] = app::run_label(s, i);
      r["model"] = int(m.model);
      r["playing"] = s.training.playing;
      r["step"] = rs ? double(rs->step) : 0.0;
      r["test_acc"] = re ? re->accuracy : -1.0;
      r["eval_step"] = re ? double(re->step) : -1.0;
      r["weights_drawn"] = m.weights_tex.id != 0 && m.weights_tex.w > 0;
      r["weights_rows"] = rs && rs->first_weights ? int(rs->first_weights->rows()) : 0;
      r["weights_abs_sum"] = rs && rs->first_weights ? rs->first_weights->cwiseAbs().sum() : 0.0;
      const nn::CvResult* cv = m.cv.runs.of(i, m.spec.knn);  // its cross-validation curve (kNN runs)
      r["cv_mean"] = cv && m.spec.kind == nn::ModelKind::KNN ? cv->mean_acc : std::vector<double>{};
      runs.push_back(r);
    });
  j["runs"] = runs;
  g_text = j.dump();
  return g_text.c_str();
}
// ---- Share / embed, PNG export, autosave ------------------------------------------------
// The Share window's link for these options (as its checkboxes set them):
// with_model 0/1, ui a row of UiLayout's table, controls a comma-separated
// list ("" = the layout's default), autoplay 0/1. "" when the session is too
// long for a link (nnplay_share_message says why). Valid until the next call.
NNPLAY_API const char* nnplay_share_link(int with_model, int ui, const char* controls, int autoplay) {
  auto& s = app_state();
  s.share.opt.with_model = with_model != 0;
  s.share.opt.ui = enum_at<nn::UiLayout>(ui);
  s.share.opt.autoplay = autoplay != 0;
  s.share.opt.controls.clear();
  if (controls && *controls) {
    nn::LaunchOptions parsed;
    if (nn::set_launch_option(parsed, "controls", controls, {})) s.share.opt.controls = parsed.controls;
  }
  app::make_share(s);
  g_text = s.share.link.url;
  return g_text.c_str();
}
NNPLAY_API const char* nnplay_share_snippet() { return app_state().share.snippet.c_str(); }
NNPLAY_API const char* nnplay_share_message() { return app_state().share.link.message.c_str(); }
NNPLAY_API void nnplay_show_share(int on) { app_state().share.open = on != 0, app_state().share.stale = true; }
// Asks for a PNG of the canvas (delivered after the next drawn frame).
NNPLAY_API void nnplay_export_png() { app::request_png_export(app_state()); }
NNPLAY_API const char* nnplay_last_export() { return app_state().png.last.c_str(); }
// The canvas's size in device pixels (what an export holds).
NNPLAY_API int nnplay_canvas_px(int height) {
  const app::View& v = app_state().display.view;
  return int((height ? v.h : v.w) + 0.5f);
}
// Autosave: save now (the page is being hidden or closed), its notice and state.
NNPLAY_API void nnplay_autosave_now() { app::autosave_now(app_state()); }
NNPLAY_API const char* nnplay_autosave_notice() {
  const auto& a = app_state().autosave;
  return a.notice == app::Autosave::Notice::None ? "" : a.notice_text.c_str();
}
// 0 none, 1 restored, 2 the address won, 3 set aside, 4 too large (the notice on screen).
NNPLAY_API int nnplay_autosave_kind() { return int(app_state().autosave.notice); }
NNPLAY_API int nnplay_autosave_enabled() { return app_state().autosave.enabled ? 1 : 0; }
NNPLAY_API long nnplay_autosave_saves() { return app_state().autosave.saves; }
// ---- Comparisons -------------------------------------------------------------
// Runs are numbered 0 (A) to nnplay_run_count() - 1; a bad index reads as
// NaN or -1.
NNPLAY_API int nnplay_run_count() { return app_state().compare.count(); }
NNPLAY_API int nnplay_compare_add() { return app::compare_add_run(app_state()) ? 1 : 0; }
NNPLAY_API void nnplay_compare_remove(int i) { app::compare_remove_run(app_state(), i); }
NNPLAY_API void nnplay_compare_select(int i) {
  auto& c = app_state().compare;
  if (i >= 0 && i < c.count()) c.selected = c.select_request = i;
}
NNPLAY_API const char* nnplay_run_label(int i) {
  const auto& s = app_state();
  g_text = i >= 0 && i < s.compare.count() ? app::run_label(s, i) : "";
  return g_text.c_str();
}
NNPLAY_API double nnplay_run_step(int i) {
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return -1;
  const auto& snap = app::run_training(s, i).snapshot;
  return snap ? double(snap->step) : 0;
}
// Points on run i's loss curve, and its latest minibatch loss.
NNPLAY_API int nnplay_run_curve_length(int i) {
  const auto& s = app_state();
  return i >= 0 && i < s.compare.count() ? int(app::run_training(s, i).history.total_loss.size()) : -1;
}
NNPLAY_API double nnplay_run_loss(int i) {
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return NAN;
  const auto& h = app::run_training(s, i).history.total_loss;
  return h.empty() ? NAN : h.back();
}
NNPLAY_API double nnplay_run_accuracy(int i, int validation) {
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return NAN;
  const auto& h = app::run_training(s, i).history;
  const auto& v = validation ? h.val_acc : h.train_acc;
  return v.empty() ? NAN : v.back();
}
// Run i's decision-region image: the number of its texels that show a class
// (0 before any is drawn), and its panel on the canvas in CSS pixels.
NNPLAY_API int nnplay_run_region_texels(int i) {
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return -1;
  int n = 0;
  for (int l : app::run_regions(s, i).labels) n += l >= 0;
  return n;
}
// Run i's predicted class at a world point from its latest snapshot (kNN:
// its vote), -1 before a model.
NNPLAY_API int nnplay_run_predict(int i, double x, double y) {
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return -1;
  const nn::ModelSpec& spec = app::run_spec(s, i);
  if (spec.kind == nn::ModelKind::KNN) return app::make_knn_index(s).predict(x, y, spec.knn);
  const auto& snap = app::run_training(s, i).snapshot;
  return snap && snap->predictor ? snap->predictor->predict(x, y) : -1;
}
// "Cross-validate k" in 2D: with a comparison, of every kNN run. Then each
// run's mean validation accuracy per k as JSON ([] for a run without a curve):
// {"ks": [...], "runs": [{"label", "k", "mean"}]}.
NNPLAY_API void nnplay_knn_cv() { app::run_knn_cv_2d(app_state(), app::selected_spec(app_state())); }
NNPLAY_API const char* nnplay_knn_cv_json() {
  const app::AppState& s = app_state();
  nlohmann::json j, runs = nlohmann::json::array();
  j["ks"] = s.compare.active() ? std::vector<int>{} : s.knn_cv.ks;
  for (int i = 0; i < s.compare.count(); ++i) {
    const nn::ModelSpec& sp = app::run_spec(s, i);
    const nn::CvResult* r = !s.compare.active() ? (s.knn_cv.ks.empty() ? nullptr : &s.knn_cv)
                                                : s.compare.knn_cv.of(i, sp.knn);
    if (r && sp.kind == nn::ModelKind::KNN) j["ks"] = r->ks;
    runs.push_back({{"label", app::run_label(s, i)}, {"k", sp.knn.k},
                    {"mean", r && sp.kind == nn::ModelKind::KNN ? r->mean_acc : std::vector<double>{}}});
  }
  j["runs"] = runs;
  g_text = j.dump();
  return g_text.c_str();
}
// Curves in the comparison's update-ratio plot as last drawn (one per run
// that has the chosen weight matrix), -1 before it was drawn.
NNPLAY_API int nnplay_compare_ratio_series() { return app_state().compare.ratio_series; }
NNPLAY_API double nnplay_run_panel(int i, int what) {  // what: 0 x, 1 y, 2 w, 3 h
  const auto& s = app_state();
  if (i < 0 || i >= s.compare.count()) return NAN;
  const app::View& v = !s.compare.active() ? s.display.view : i == 0 ? s.compare.view_a : s.compare.runs[size_t(i - 1)]->view;
  const float px[4] = {v.x, v.y, v.w, v.h};
  return px[std::clamp(what, 0, 3)] / s.display.ui_scale;
}


// ---- Regression -------------------------------------------------------------------
// problem: 0 classification, 1 regression 1D, 2 regression 2D (nn::ProblemKind's rows)
NNPLAY_API void nnplay_set_problem(int problem) { app::set_problem(app_state(), enum_at<nn::ProblemKind>(problem)); }
NNPLAY_API int nnplay_problem() { return int(app_state().edit.data.problem); }
// loss: the row of nn::LossKind's table (4 L2, 5 L1, 6 Huber)
NNPLAY_API void nnplay_set_loss(int loss, double delta) {
  auto& s = app_state();
  s.spec.loss.kind = enum_at<nn::LossKind>(loss);
  if (delta > 0) s.spec.loss.delta = delta;
  app::spec_changed(s);
}
// A 2D regression point carrying `value` (a 1D point is nnplay_add_point(x, y, 0)).
NNPLAY_API void nnplay_add_value_point(double x, double y, double value) {
  auto& s = app_state();
  s.edit.new_value = value;
  app::add_point(s, x, y, 0);
}
NNPLAY_API double nnplay_point_value(int i) { return app_state().edit.data.points.at(i).value; }
// kind: the row of nn::RegGen's table (0 sine, 1 step, 2 polynomial, 3 plane, 4 gaussians)
NNPLAY_API void nnplay_generate_regression(int kind, int n, double noise, int seed, double val_ratio) {
  auto& s = app_state();
  s.edit.reg_gen = enum_at<nn::RegGen>(kind);
  s.edit.gen.n = n;
  s.edit.reg_noise = noise;
  s.edit.gen.seed = seed;
  s.edit.gen.val_ratio = float(val_ratio);
  app::generate_regression_data(s);
}
// The row of nn::RegGen's table the regression generator menu shows (as above).
NNPLAY_API int nnplay_regression_generator() { return int(app_state().edit.reg_gen); }
// The current model's (or kNN's) output at a world point: the curve at x in
// 1D, the surface in 2D. NaN before a model exists.
NNPLAY_API double nnplay_regression_predict(double x, double y) {
  nn::Mat X(1, 2);
  X << x, y;
  std::vector<double> f;
  return app::regression_predict(app_state(), X, f) ? f[0] : NAN;
}
// The 2D heatmap's value at a world point (NaN where none is drawn), and the
// number of its texels that show a value.
NNPLAY_API double nnplay_region_value(double x, double y) {
  const auto& s = app_state();
  const auto& r = s.display.regions;
  const int c = int((s.display.view.to_px_x(x) - s.display.view.x) / r.divisor), row = int((s.display.view.to_px_y(y) - s.display.view.y) / r.divisor);
  if (r.value.empty() || c < 0 || row < 0 || c >= r.w || row >= r.h) return NAN;
  return r.value[size_t(row) * r.w + c];
}
NNPLAY_API int nnplay_region_value_texels() {
  int n = 0;
  for (float v : app_state().display.regions.value) n += !std::isnan(v);
  return n;
}
// RMSE on the training (or validation) points from the latest evaluation; NaN before any.
NNPLAY_API double nnplay_rmse(int validation) {
  const auto& h = app_state().training.history;
  const auto& v = validation ? h.val_rmse : h.train_rmse;
  return v.empty() ? NAN : v.back();
}
