// embed.cpp: nnplay as a demo inside course notes. Start-up options (preset,
// layout, controls, autoplay), the compact and canvas-only layouts, and the
// rules that keep many demos on one page light: an idle app draws no frames;
// an embedded demo trains only when visible and touched (or autoplay and
// visible), and pauses when it scrolls out of view or its tab is hidden.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "core/fast/parallel.h"
#include "imgui.h"
#include "widgets.h"

namespace app {

// Wall-clock seconds: ImGui's clock stands still while no frames are drawn.
static double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void wake(AppState& s, double seconds) {
  s.embed.awake_until = std::max(s.embed.awake_until, now_s() + seconds);
  if (s.platform.on_wake) s.platform.on_wake();
}

bool wants_frame(AppState& s) {
  if (s.frame < 10) return true;  // the first frames lay out the windows
  if (s.training.playing) return true;
  // Training that Step or Epoch asked for runs only while frames tick, and a
  // result computed off the UI thread (kNN neighbours, an evaluation) shows
  // only when a frame takes it. Commands not yet published (a model switch,
  // a new spec) need frames too: the single-threaded build applies them only
  // inside a frame. Never leave these to the wake-up timer below: on a slow
  // machine the next frame can come after it ran out, and nothing would
  // wake the app again.
  for (int i = 0; i < s.compare.count(); ++i) {
    const Training& t = run_training(s, i);
    if ((t.snapshot && t.snapshot->busy) ||
        (t.host && (t.host->has_news() || t.host->has_pending_commands() || t.host->image_eval_waiting())))
      return true;
  }
  // Work a frame must drive or collect: the image kNN's cross-validation
  // (advanced in frames by the single-threaded build, its result taken by a
  // frame in both) and a PNG export (taken right after a drawn frame).
  if (s.images.active && s.images.cv.task) return true;
  if (s.png.requested) return true;
  // Decision regions to recompute: only the Points mode draws them (in the
  // Images mode they wait, dirty, for the way back, and must not keep an
  // image comparison drawing frames for ever after a Reset).
  if (!s.images.active) {
    if (s.display.regions.dirty) return true;
    for (const auto& r : s.compare.runs)
      if (r->regions.dirty) return true;
  }
  if (now_s() < s.embed.awake_until) return true;
  // A notice on the status bar stays for 8 s: draw once more when it goes.
  if (!s.message.empty() && ImGui::GetTime() - s.message_time < 8.2) return true;
  return false;
}

static bool play_allowed(const AppState& s) {
  if (!s.embed.embedded) return true;
  return s.embed.visible && (s.embed.touched || s.embed.launch.autoplay);
}

void request_playing(AppState& s, bool on) {
  if (on && !play_allowed(s)) {
    s.embed.play_when_allowed = true;
    set_playing(s, false);
    return;
  }
  s.embed.play_when_allowed = false;
  set_playing(s, on);
  wake(s);
}

void set_visible(AppState& s, bool visible) {
  if (s.embed.visible == visible) return;
  s.embed.visible = visible;
  wake(s);
  if (!visible && s.training.playing) {
    set_playing(s, false);
    s.embed.paused_hidden = true;
  } else if (visible && (s.embed.paused_hidden || s.embed.play_when_allowed)) {
    s.embed.paused_hidden = false;
    if (play_allowed(s)) request_playing(s, true);
  }
}

void touched(AppState& s) {
  wake(s);
  if (s.embed.touched) return;
  s.embed.touched = true;
  // The reader's first input: computations (kNN regions after an edit,
  // training) may follow, so the thread pool's workers start now (web
  // threaded build; elsewhere the pool already starts on first use).
  nn::start_parallel_pool();
  if (s.embed.play_when_allowed && play_allowed(s)) request_playing(s, true);
}

void apply_launch(AppState& s, const nn::LaunchOptions& o) {
  s.embed.launch = o;
  s.embed.errors.clear();
  for (const std::string& e : o.errors) s.embed.errors += (s.embed.errors.empty() ? "" : "\n") + e;
  if (!o.preset.empty()) {
    const bool was_playing = s.training.playing;
    if (show_demo(s, o.preset, "") && nn::is_convnet_preset(o.preset) && o.ui != nn::UiLayout::Full)
      s.embed.launch.ui = nn::UiLayout::Full;  // the calculator is a window of the full layout
    // A preset may ask to play; an embedded demo waits for its reader.
    if (s.training.playing && !was_playing) request_playing(s, true);
  }
  if (o.autoplay) request_playing(s, true);
  if (!s.embed.errors.empty()) notify(s, "Some start-up parameters were ignored (see the canvas).");
  wake(s, 1.5);
}

// ---- Compact and canvas-only layouts ---------------------------------------------

static bool shows(const AppState& s, nn::Control c) {
  const std::vector<nn::Control> list = nn::shown_controls(s.embed.launch);
  return std::find(list.begin(), list.end(), c) != list.end();
}

// A combo wide enough for its longest item (its arrow and padding included),
// so that "SVM (Weston-Watkins)" is never cut.
template <class E>
static float combo_width() {
  float w = 0;
  for (const auto& row : nn::enum_rows<E>()) w = std::max(w, ImGui::CalcTextSize(row.label).x);
  return w + ImGui::GetFrameHeight() + ImGui::GetStyle().FramePadding.x * 2 + ImGui::GetStyle().ItemInnerSpacing.x;
}

// The width a labelled control takes on the bar: the widget, the gap and its label.
static float with_label(float widget, const char* label) {
  return widget + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

// The widgets' widths at the current font (the bar and its row estimate agree).
struct BarWidths {
  float slider, model, k, loss, optim, layers, act, speed;
  explicit BarWidths(float display_w) {
    const float fs = ImGui::GetFontSize();
    slider = std::min(fs * 9, display_w * 0.4f);
    model = combo_width<nn::ModelKind>();
    k = fs * 5;
    loss = combo_width<nn::LossKind>();
    optim = combo_width<nn::OptimKind>();
    layers = fs * 5;
    act = combo_width<nn::Activation>();
    speed = fs * 6;
  }
};

// The bar under the canvas: Play/Step/Reset and the chosen controls, wrapped
// onto as many rows as the width needs.
static void embed_bar(AppState& s, float bar_h) {
  const float u = s.display.ui_scale;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos({0, io.DisplaySize.y - bar_h});
  ImGui::SetNextWindowSize({io.DisplaySize.x, bar_h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {6 * u, 4 * u});
  ImGui::Begin("Controls", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings);
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  // Keeps the next item on this row if it fits, else starts a new row.
  auto next = [&](float width) {
    const float x = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x;
    if (x + width <= right) ImGui::SameLine();
  };
  const bool trainable = s.spec.kind != nn::ModelKind::KNN;
  const float fs = ImGui::GetFontSize();
  bool first = true;
  auto place = [&](float width) { if (!first) next(width); first = false; };
  if (trainable && shows(s, nn::Control::Play)) {
    place(fs * 4);
    if (ImGui::Button(s.training.playing ? "Pause" : "Play", {fs * 4, 0})) touched(s), request_playing(s, !s.training.playing);
    tooltip("Train continuously (Space).");
  }
  if (trainable && shows(s, nn::Control::Step)) {
    place(fs * 3);
    if (ImGui::Button("Step")) touched(s), step_runs(s, 1);  // every run of a comparison
    tooltip("One minibatch update (S).");
  }
  if (trainable && shows(s, nn::Control::Reset)) {
    place(fs * 3.5f);
    if (ImGui::Button("Reset")) touched(s), reset_runs(s);
    tooltip("A fresh initialisation with the same seed (R).");
  }
  nn::ModelSpec sp = s.spec;
  const BarWidths bw(io.DisplaySize.x);
  const float slider_w = bw.slider;
  // Never wider than the bar: a long label on a narrow frame shrinks its widget.
  const float inner = right - ImGui::GetWindowPos().x - ImGui::GetStyle().WindowPadding.x;
  const char* next_label = "";
  auto labelled = [&](float w) {
    const float full = with_label(w, next_label);
    if (full > inner) w = std::max(fs * 3, w - (full - inner));
    place(with_label(w, next_label));
    ImGui::SetNextItemWidth(w);
  };
  auto label = [&](const char* l) { next_label = l; };
  if (shows(s, nn::Control::Model)) {
    label("model");
    labelled(bw.model);
    enum_combo("model", sp.kind, "kNN, a linear classifier or a neural network.");
    if (sp.kind == nn::ModelKind::KNN) {
      label("k");
      labelled(bw.k);
      slider_int(s, "k", sp.knn.k, 1, 25, "Neighbours that vote.");
    }
  }
  if (trainable && shows(s, nn::Control::Lr)) {
    label("lr");
    labelled(slider_w);
    slider_double(s, "lr", sp.optim.lr, 1e-5, 10, "%.1e", true, "Learning rate: the step size.");
  }
  if (trainable && shows(s, nn::Control::Reg)) {
    label("lambda");
    labelled(slider_w);
    slider_double(s, "lambda", sp.loss.lambda, 1e-6, 10, "%.1e", true, "Regularisation strength.");
  }
  if (trainable && shows(s, nn::Control::Loss)) {
    label("loss");
    labelled(bw.loss);
    enum_combo("loss", sp.loss.kind, "Softmax (cross-entropy) or one of the hinge (SVM) losses.");
  }
  if (trainable && shows(s, nn::Control::Optim)) {
    label("optimiser");
    labelled(bw.optim);
    enum_combo("optimiser", sp.optim.kind, "How the gradient becomes an update.");
  }
  if (trainable && shows(s, nn::Control::Batch)) {
    label("batch");
    labelled(slider_w);
    slider_int(s, "batch", sp.optim.batch_size, 0, nn::kUiMaxBatch, "Points per step (0: the full batch).", true);
  }
  if (sp.kind == nn::ModelKind::Net && shows(s, nn::Control::Layers)) {
    int layers = int(sp.hidden.size()), width = sp.hidden.empty() ? 8 : sp.hidden[0].width;
    label("layers");
    labelled(bw.layers);
    const bool a = slider_int(s, "layers", layers, 0, nn::kUiMaxHiddenLayers, "Hidden layers.");
    label("width");
    labelled(bw.layers);
    const bool b = slider_int(s, "width", width, 1, nn::kUiMaxLayerWidth, "Neurons per hidden layer.", true);
    if (a || b) {
      nn::HiddenLayerSpec h = sp.hidden.empty() ? nn::HiddenLayerSpec{} : sp.hidden[0];
      h.width = width;
      sp.hidden.assign(size_t(layers), h);
    }
  }
  if (sp.kind == nn::ModelKind::Net && shows(s, nn::Control::Act) && !sp.hidden.empty()) {
    nn::Activation act = sp.hidden[0].act;
    label("activation");
    labelled(bw.act);
    if (enum_combo("activation", act, "The hidden layers' non-linearity."))
      for (auto& h : sp.hidden) h.act = act;
  }
  if (shows(s, nn::Control::Data)) {
    place(fs * 6);
    if (ImGui::Button("New data")) touched(s), generate_data(s);
    tooltip("Draw a new data set from the generator.");
  }
  if (trainable && shows(s, nn::Control::Speed)) {
    label("speed");
    labelled(bw.speed);
    if (slider_int(s, "speed", s.training.steps_per_frame, 1, nn::kUiMaxStepsPerFrame, "Training steps per frame.", true))
      set_steps_per_frame(s, s.training.steps_per_frame);
  }
  if (!(sp == s.spec)) {
    touched(s);
    const nn::ModelSpec old_a = s.spec;
    s.spec = sp;
    shared_spec_changed(s, old_a);  // a comparison's other runs follow in the settings they share with A
  }
  if (trainable && shows(s, nn::Control::Stats) && s.compare.active()) {
    // Each panel shows its run's numbers; the bar says how far they are.
    char text[64];
    std::snprintf(text, sizeof text, "%d runs, step %lld", s.compare.count(),
                  (long long)(s.training.snapshot ? s.training.snapshot->step : 0));
    place(ImGui::CalcTextSize(text).x);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text);
  } else if (trainable && shows(s, nn::Control::Stats) && s.training.snapshot) {
    const Snapshot& snap = *s.training.snapshot;
    char text[128];
    const auto& h = s.training.history;
    if (nn::is_regression(s.edit.data.problem))
      std::snprintf(text, sizeof text, "step %lld  loss %.3f  RMSE %.3f", (long long)snap.step,
                    snap.last.data_loss + snap.last.reg_loss, h.train_rmse.empty() ? 0.0 : double(h.train_rmse.back()));
    else
      std::snprintf(text, sizeof text, "step %lld  loss %.3f  acc %.0f%%", (long long)snap.step,
                    snap.last.data_loss + snap.last.reg_loss, h.train_acc.empty() ? 0.0 : 100 * h.train_acc.back());
    place(ImGui::CalcTextSize(text).x);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(text);
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

// Rows the bar needs at this width: a first pass measures nothing, so
// estimate from the number of controls and the width.
static int bar_rows(const AppState& s, float width) {
  const float fs = ImGui::GetFontSize(), gap = ImGui::GetStyle().ItemSpacing.x;
  const BarWidths bw(width);
  const float avail = std::max(1.f, width - fs);
  // Lay the controls out the way embed_bar wraps them: a control that does
  // not fit on the row starts the next one.
  int rows = 1;
  float x = 0;
  auto add = [&](float w) {
    w = std::min(w, avail);
    if (x > 0 && x + gap + w > avail) ++rows, x = 0;
    x += (x > 0 ? gap : 0) + w;
  };
  for (nn::Control c : nn::shown_controls(s.embed.launch)) {
    switch (c) {
      case nn::Control::Play: add(fs * 4); break;
      case nn::Control::Step: add(fs * 3); break;
      case nn::Control::Reset: add(fs * 3.5f); break;
      case nn::Control::Lr: add(with_label(bw.slider, "lr")); break;
      case nn::Control::Reg: add(with_label(bw.slider, "lambda")); break;
      case nn::Control::Loss: add(with_label(bw.loss, "loss")); break;
      case nn::Control::Optim: add(with_label(bw.optim, "optimiser")); break;
      case nn::Control::Batch: add(with_label(bw.slider, "batch")); break;
      case nn::Control::Layers: add(with_label(bw.layers, "layers")), add(with_label(bw.layers, "width")); break;
      case nn::Control::Act: add(with_label(bw.act, "activation")); break;
      case nn::Control::Model: add(with_label(bw.model, "model")), add(with_label(bw.k, "k")); break;
      case nn::Control::Data: add(fs * 6); break;
      case nn::Control::Speed: add(with_label(bw.speed, "speed")); break;
      case nn::Control::Stats: add(ImGui::CalcTextSize("step 00000  loss 0.000  acc 100%").x); break;
    }
  }
  return std::clamp(rows, 1, 5);
}

// Bad start-up parameters (and, in the small layouts, the latest notice)
// over the canvas's top edge, until dismissed.
void draw_launch_notice(AppState& s, bool with_messages) {
  const ImGuiIO& io = ImGui::GetIO();
  const float W = io.DisplaySize.x, H = io.DisplaySize.y, u = s.display.ui_scale;
  const View& v = s.display.view;
  std::string msg = !s.embed.errors.empty() ? s.embed.errors
                          : (with_messages && !s.message.empty() && ImGui::GetTime() - s.message_time < 8) ? s.message : "";
  if (msg.empty()) return;
  // A small layout keeps the canvas: a notice shows its first clause only
  // ('Loaded "SVM against softmax"'), the description stays in the full app.
  if (s.embed.errors.empty() && s.embed.launch.ui != nn::UiLayout::Full)
    if (const size_t colon = msg.find("\": "); colon != std::string::npos) msg = msg.substr(0, colon + 1);
  // Comparing: at the canvas's bottom, clear of the panels' labels.
  if (s.compare.active()) ImGui::SetNextWindowPos({v.x + 6 * u, v.y + v.h - 6 * u}, 0, {0, 1});
  else ImGui::SetNextWindowPos({v.x + 6 * u, v.y + 6 * u});
  ImGui::SetNextWindowSizeConstraints({0, 0}, {v.w - 12 * u, H * 0.5f});
  ImGui::SetNextWindowBgAlpha(0.85f);
  ImGui::Begin("Notice", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::min(v.w, W) - 24 * u);
  if (!s.embed.errors.empty()) ImGui::TextColored({0.7f, 0.05f, 0.05f, 1}, "%s", msg.c_str());
  else ImGui::TextUnformatted(msg.c_str());
  ImGui::PopTextWrapPos();
  if (!s.embed.errors.empty() && ImGui::SmallButton("OK")) s.embed.errors.clear();
  ImGui::End();
}

void draw_embedded_layout(AppState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  const float W = io.DisplaySize.x, H = io.DisplaySize.y, u = s.display.ui_scale;
  const float row = ImGui::GetFrameHeightWithSpacing();
  const float bar_h = bar_rows(s, W) * row + 8 * u;
  s.display.wide_layout = false;
  s.display.view = {0, 0, std::max(1.f, W), std::max(1.f, H - bar_h)};
  if (s.compare.active()) {
    draw_compare_canvas(s);  // every run as a small multiple, in the embed's canvas
  } else {
    update_regions(s);
    draw_canvas(s);
  }
  embed_bar(s, bar_h);
  draw_launch_notice(s, /*with_messages=*/true);
  if (s.embed.embedded && !s.training.playing && s.embed.play_when_allowed && !s.embed.touched) {
    const char* hint = "Click Play (or the canvas) to start";
    const ImVec2 ts = ImGui::CalcTextSize(hint);
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 p{(W - ts.x) / 2, s.display.view.h - ts.y - 10 * u};
    dl->AddRectFilled({p.x - 6 * u, p.y - 3 * u}, {p.x + ts.x + 6 * u, p.y + ts.y + 3 * u}, IM_COL32(255, 255, 255, 220),
                      4 * u);
    dl->AddText(p, IM_COL32(30, 30, 30, 255), hint);
  }
}

}  // namespace app
