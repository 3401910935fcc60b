// compare.cpp: comparing runs side by side. Run A is the app's own spec and
// training; runs B, C, D (Compare::runs) each have a TrainingHost of their
// own (a worker thread in the threaded build). All runs get the same points
// and the same commands; while playing, no run trains more than one frame's
// steps ahead of the slowest, so the curves advance step for step.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>

#include "app.h"
#include "core/io/session.h"
#include "core/limits.h"
#include "gl.h"
#include "imgui.h"
#include "widgets.h"

namespace app {

namespace {

constexpr ImU32 kRunColors[nn::kMaxRuns] = {
    IM_COL32(35, 35, 35, 255),    // A: near black
    IM_COL32(215, 25, 80, 255),   // B: crimson
    IM_COL32(40, 90, 220, 255),   // C: royal blue
    IM_COL32(150, 100, 10, 255),  // D: brown
};

bool trainable(const nn::ModelSpec& spec) { return spec.kind != nn::ModelKind::KNN; }

// The description run r trains now: its image spec in the image mode.
const nn::ModelSpec& live_spec(const AppState& s, const CompareRun& r) {
  return s.images.active ? r.image_spec : r.spec;
}

// Gives run r's host the app's data and its description: the image rows
// (shared with every run) and its image spec, or the points and its 2D spec.
// Before the images have arrived (the web page is fetching them) an image
// run waits inactive; compare_rows_changed starts it.
void start_host(const AppState& s, CompareRun& r, bool images) {
  TrainingHost& h = *r.training.host;
  const nn::ModelSpec& spec = images ? r.image_spec : r.spec;
  if (images && !s.images.rows) {
    h.set_active(false);
    h.set_spec(spec);
    return;
  }
  if (images) h.set_image_data(s.images.rows);
  else h.set_data(s.edit.data);
  h.set_active(trainable(spec));
  h.set_spec(spec);
}

// A new run with the app's training speed; its image model starts as run
// A's (set the fields before start_host to give it another).
std::unique_ptr<CompareRun> new_run(const AppState& s, const nn::ModelSpec& spec, const std::string& name) {
  auto r = std::make_unique<CompareRun>();
  r->spec = spec;
  r->name = name;
  r->image_model = s.images.model;
  r->image_spec = s.images.spec;
  r->mlp_width = s.images.mlp_width;
  r->training.host = std::make_unique<TrainingHost>();
  r->training.steps_per_frame = s.training.steps_per_frame;
  r->training.host->set_steps_per_frame(s.training.steps_per_frame);
  return r;
}

void free_regions(Regions& r) {
  if (r.texture) glDeleteTextures(1, &r.texture);
  r.texture = 0;
}

void free_texture(ImageTex& t) {
  if (t.id) glDeleteTextures(1, &t.id);
  t = ImageTex{};
}

template <class F>
void each_host(AppState& s, F&& f) {
  f(*s.training.host);
  for (auto& r : s.compare.runs) f(*r->training.host);
}

}  // namespace

// Runs fn between two calls of swap (which swaps a run's parts into the
// app state and back), swapping back if fn throws.
template <class Swap>
static void swapped(const Swap& swap, const std::function<void()>& fn) {
  swap();
  try {
    fn();
  } catch (...) {
    swap();
    throw;
  }
  swap();
}

void with_run(AppState& s, int i, const std::function<void()>& fn, bool panel_view) {
  if (i <= 0 || i > int(s.compare.runs.size())) {
    if (panel_view && s.compare.active()) std::swap(s.display.view, s.compare.view_a);
    fn();
    if (panel_view && s.compare.active()) std::swap(s.display.view, s.compare.view_a);
    return;
  }
  CompareRun& r = *s.compare.runs[size_t(i - 1)];
  const auto swap_in = [&] {
    std::swap(s.spec, r.spec);
    std::swap(s.training, r.training);
    std::swap(s.display.regions, r.regions);
    if (panel_view) std::swap(s.display.view, r.view);
  };
  swapped(swap_in, fn);
}

void with_image_run(AppState& s, int i, const std::function<void()>& fn) {
  if (i <= 0 || i > int(s.compare.runs.size())) return fn();
  CompareRun& r = *s.compare.runs[size_t(i - 1)];
  ImageMode& m = s.images;
  const auto swap_in = [&] {
    std::swap(m.model, r.image_model);
    std::swap(m.spec, r.image_spec);
    std::swap(m.mlp_width, r.mlp_width);
    std::swap(m.weights_tex, r.weights_tex);
    std::swap(s.training, r.training);
  };
  swapped(swap_in, fn);
}

void image_run_changed(AppState& s, int i) {
  if (i < 0 || i >= s.compare.count()) return;
  bool others = false;
  for (int j = 0; j < s.compare.count(); ++j) others = others || (j != i && run_training(s, j).playing);
  Training& t = i == 0 ? s.training : s.compare.runs[size_t(i - 1)]->training;
  if (others && !t.playing && trainable(run_spec(s, i)) && s.images.rows) {
    t.playing = true;
    t.host->set_playing(true);
  }
}

const nn::CvResult* RunsCv::of(int i, const nn::KnnSpec& now) const {
  if (i < 0 || i >= int(result.size()) || result[size_t(i)].ks.empty()) return nullptr;
  const nn::KnnSpec& w = made_with[size_t(i)];
  return w.metric == now.metric && w.weighted == now.weighted ? &result[size_t(i)] : nullptr;
}

void RunsCv::set(int i, const nn::CvResult& r, const nn::KnnSpec& with) {
  if (i < 0) return;
  if (int(result.size()) <= i) {
    result.resize(size_t(i) + 1);
    made_with.resize(size_t(i) + 1);
  }
  result[size_t(i)] = r;
  made_with[size_t(i)] = with;
}

void RunsCv::remove(int i) {
  if (i < 0 || i >= int(result.size())) return;
  result.erase(result.begin() + i);
  made_with.erase(made_with.begin() + i);
}

unsigned run_color(int i) { return kRunColors[std::clamp(i, 0, nn::kMaxRuns - 1)]; }

const nn::ModelSpec& run_spec(const AppState& s, int i) {
  if (s.images.active) return i == 0 ? s.images.spec : s.compare.runs.at(i - 1)->image_spec;
  return i == 0 ? s.spec : s.compare.runs.at(i - 1)->spec;
}
const Training& run_training(const AppState& s, int i) {
  return i == 0 ? s.training : s.compare.runs.at(i - 1)->training;
}
const Regions& run_regions(const AppState& s, int i) {
  return i == 0 ? s.display.regions : s.compare.runs.at(i - 1)->regions;
}

std::string run_label(const AppState& s, int i) {
  const std::string letter(1, char('A' + i));
  const std::string& name = i == 0 ? s.compare.name_a : s.compare.runs.at(i - 1)->name;
  return name.empty() ? letter : letter + ": " + name;
}

void step_runs(AppState& s, int n) { each_host(s, [n](TrainingHost& h) { h.step(n); }); }
void epoch_runs(AppState& s) { each_host(s, [](TrainingHost& h) { h.step_epoch(); }); }
void reset_runs(AppState& s) {
  each_host(s, [](TrainingHost& h) { h.reset(); });
  s.display.regions.dirty = true;
  for (auto& r : s.compare.runs) r->regions.dirty = true;
}

void compare_data_changed(AppState& s) {
  for (auto& r : s.compare.runs) {
    r->training.host->set_data(s.edit.data);
    r->regions.dirty = true;
  }
}

void compare_set_playing(AppState& s, bool on) {
  for (auto& r : s.compare.runs) {
    r->training.playing = on && trainable(live_spec(s, *r));
    r->training.host->set_playing(r->training.playing);
  }
}

void compare_steps_per_frame(AppState& s) {
  for (auto& r : s.compare.runs) {
    r->training.steps_per_frame = s.training.steps_per_frame;
    r->training.host->set_steps_per_frame(s.training.steps_per_frame);
  }
}

void set_steps_per_frame(AppState& s, int n) {
  s.training.steps_per_frame = std::clamp(n, 1, nn::kUiMaxStepsPerFrame);
  s.training.host->set_steps_per_frame(s.training.steps_per_frame);
  compare_steps_per_frame(s);
}

void frame_runs(AppState& s) {
  const int n = s.compare.count();
  // The runs that can train keep step for step (a kNN run, a diverged run or
  // one that failed would hold the others forever: they don't pace).
  std::vector<const TrainingHost*> pacing;
  for (int i = 0; i < n; ++i)
    if (trainable(run_spec(s, i))) pacing.push_back(run_training(s, i).host.get());
  const int64_t limit = n > 1 ? lockstep_limit(pacing, s.training.steps_per_frame) : -1;
  // The image mode's test evaluations (a trained run's predictions, a kNN
  // run's search): the runs take turns.
  image_eval_pacer().set_runs(s.images.active ? n : 0);
  // The fallback build trains inside frame(): the runs share one budget.
  const double budget_ms = 8.0 / n;
  s.training.host->set_step_limit(limit);
  s.training.host->frame(budget_ms);
  s.training.read_latest();
  for (auto& r : s.compare.runs) {
    r->training.host->set_step_limit(limit);
    r->training.host->frame(budget_ms);
    r->training.read_latest();
  }
}

nn::ModelSpec& selected_spec(AppState& s) {
  const int i = s.compare.selected;
  return i <= 0 || i > int(s.compare.runs.size()) ? s.spec : s.compare.runs[size_t(i - 1)]->spec;
}

static void run_spec_changed(AppState& s, CompareRun& r) {
  r.training.host->set_active(trainable(r.spec));
  r.training.host->set_spec(r.spec);
  if (!trainable(r.spec)) {
    r.training.playing = false;
    r.training.host->set_playing(false);
  } else if (s.training.playing && !r.training.playing) {
    r.training.playing = true;
    r.training.host->set_playing(true);
  }
  r.regions.dirty = true;
}

void selected_spec_changed(AppState& s) {
  const int i = s.compare.selected;
  if (i <= 0 || i > int(s.compare.runs.size())) return spec_changed(s);
  run_spec_changed(s, *s.compare.runs[size_t(i - 1)]);
}

void shared_spec_changed(AppState& s, const nn::ModelSpec& old_a) {
  spec_changed(s);
  for (auto& r : s.compare.runs) {
    nn::ModelSpec next;
    try {
      next = nn::follow_shared_changes(r->spec, old_a, s.spec);
    } catch (const std::exception&) {
      continue;  // the change does not make a valid description for this run: it keeps its own
    }
    if (next == r->spec) continue;
    r->spec = next;
    run_spec_changed(s, *r);
  }
}

bool compare_add_run(AppState& s) {
  if (s.compare.count() >= nn::kMaxRuns) {
    notify(s, "At most " + std::to_string(nn::kMaxRuns) + " runs can be compared: remove one first.");
    return false;
  }
  const int sel = std::clamp(s.compare.selected, 0, s.compare.count() - 1);
  auto r = new_run(s, selected_spec(s), "");
  if (sel > 0) {  // the image model is the selected run's too
    const CompareRun& from = *s.compare.runs[size_t(sel - 1)];
    r->image_model = from.image_model;
    r->image_spec = from.image_spec;
    r->mlp_width = from.mlp_width;
  }
  start_host(s, *r, s.images.active);
  const bool playing = s.images.active ? image_playing(s) : s.training.playing;
  r->training.playing = playing && trainable(live_spec(s, *r)) && (!s.images.active || s.images.rows);
  r->training.host->set_playing(r->training.playing);
  s.compare.runs.push_back(std::move(r));
  s.compare.selected = s.compare.count() - 1;
  s.compare.select_request = s.compare.selected;
  reset_runs(s);
  notify(s, "Run " + std::string(1, char('A' + s.compare.selected)) +
                " is a copy: change its settings in its tab. Every run restarted, so they train step for step.");
  return true;
}

void compare_remove_run(AppState& s, int i) {
  if (i < 0 || i >= s.compare.count() || !s.compare.active()) return;
  const bool removing_a = i == 0;
  if (i == 0) {
    // B becomes A: its spec, training and regions take A's place.
    CompareRun& b = *s.compare.runs.front();
    std::swap(s.spec, b.spec);
    std::swap(s.training, b.training);
    std::swap(s.display.regions, b.regions);
    std::swap(s.compare.name_a, b.name);
    std::swap(s.images.model, b.image_model);
    std::swap(s.images.spec, b.image_spec);
    std::swap(s.images.mlp_width, b.mlp_width);
    std::swap(s.images.weights_tex, b.weights_tex);
    s.images.sketch_probs_for = -1;
    i = 1;
  }
  // The cross-validation curves follow their runs (B's becomes A's when A goes).
  const int gone = removing_a ? 0 : i;
  s.compare.knn_cv.remove(gone);
  if (s.images.cv.task && !s.images.cv.task_runs.empty()) stop_image_cv(s);
  s.images.cv.runs.remove(gone);
  free_regions(s.compare.runs[size_t(i - 1)]->regions);
  free_texture(s.compare.runs[size_t(i - 1)]->weights_tex);
  s.compare.runs.erase(s.compare.runs.begin() + (i - 1));
  s.compare.selected = std::clamp(s.compare.selected >= i ? s.compare.selected - 1 : s.compare.selected, 0,
                                  s.compare.count() - 1);
  s.compare.select_request = s.compare.selected;
  s.display.regions.dirty = true;
  if (!s.compare.active()) {
    s.compare.name_a.clear();
    s.training.host->set_step_limit(-1);
  }
}

// Entering (images) or leaving the image mode: every run after A trains on
// the shared image rows with its image model, or on the points again.
void compare_mode_changed(AppState& s, bool images) {
  for (auto& r : s.compare.runs) {
    if (images && r->image_spec.input.size() == 0) {  // a run made in 2D: A's image model
      r->image_model = s.images.model;
      r->image_spec = s.images.spec;
      r->mlp_width = s.images.mlp_width;
    }
    r->training.playing = false;
    r->training.host->set_playing(false);
    start_host(s, *r, images);
    r->training.host->reset();
    r->regions.dirty = true;
  }
}

// New image rows (a set, sizes or added drawings): every run after A takes
// them; unless keep_run, each restarts from its own initialisation.
void compare_rows_changed(AppState& s, bool keep_run) {
  if (!s.images.rows) return;
  for (auto& r : s.compare.runs) {
    r->training.host->set_image_data(s.images.rows);
    if (keep_run) continue;
    apply_image_model(r->image_spec, r->image_model, r->mlp_width);
    r->training.host->set_active(trainable(r->image_spec));
    r->training.host->set_spec(r->image_spec);
    r->training.host->reset();
  }
}

void compare_end(AppState& s) {
  while (s.compare.active()) compare_remove_run(s, s.compare.count() - 1);
  s.compare.knn_cv.clear();
  s.images.cv.runs.clear();
  s.compare.selected = 0;
  s.compare.name_a.clear();
}

std::vector<nn::SessionRun> session_runs(const AppState& s, bool with_model) {
  std::vector<nn::SessionRun> out;
  if (!s.compare.active()) return out;
  if (s.images.active) {
    // The image runs' descriptions (their trained models are not saved: nor is run A's in this mode).
    out.push_back({s.compare.name_a, s.images.spec, std::nullopt});
    for (const auto& r : s.compare.runs) out.push_back({r->name, r->image_spec, std::nullopt});
    return out;
  }
  out.push_back({s.compare.name_a, s.spec, std::nullopt});
  for (const auto& r : s.compare.runs)
    out.push_back({r->name, r->spec, with_model ? snapshot_model(s, r->spec, r->training) : std::nullopt});
  return out;
}

void apply_session_runs(AppState& s, const nn::Session& session) {
  compare_end(s);
  if (session.runs.size() < 2) return;
  s.compare.name_a = session.runs[0].name;
  // An image comparison: the runs' specs are image models; their 2D specs
  // are A's. Every host gets the points now (as A's just did); entering the
  // image mode (apply_session) gives them the images.
  const bool images = session.spec.input.is_image();
  for (size_t i = 1; i < session.runs.size() && s.compare.count() < nn::kMaxRuns; ++i) {
    const nn::SessionRun& sr = session.runs[i];
    auto r = new_run(s, images ? s.spec : sr.spec, sr.name);
    if (images) {
      r->image_spec = sr.spec;
      r->image_model = image_model_of(sr.spec);
      if (r->image_model == ImageModel::MLP) r->mlp_width = sr.spec.hidden.at(0).width;
      apply_image_model(r->image_spec, r->image_model, r->mlp_width);
    }
    start_host(s, *r, false);
    if (sr.trained && !images) r->training.host->load_trained(*sr.trained);
    s.compare.runs.push_back(std::move(r));
  }
  s.compare.selected = 0;
  s.compare.select_request = 0;
}

// ---- The sidebar's comparison bar ------------------------------------------------

void draw_compare_bar(AppState& s) {
  const bool at_limit = s.compare.count() >= nn::kMaxRuns;
  if (at_limit) ImGui::BeginDisabled();
  if (ImGui::Button(s.compare.active() ? "Compare: add a run" : "Compare")) compare_add_run(s);
  if (at_limit) ImGui::EndDisabled();
  tooltip("Copy the selected run's settings into a new run (up to 4). All runs share the points, the "
          "train/validation split and the seed, and train step for step.");
  if (!s.compare.active()) return;
  ImGui::SameLine();
  if (ImGui::Button("End")) {
    compare_end(s);
    return;
  }
  tooltip("End the comparison: keep run A only.");
  int remove = -1;
  if (ImGui::BeginTabBar("runs", ImGuiTabBarFlags_FittingPolicyResizeDown)) {
    for (int i = 0; i < s.compare.count(); ++i) {
      bool open = true;
      const ImGuiTabItemFlags flags = s.compare.select_request == i ? ImGuiTabItemFlags_SetSelected : 0;
      const ImVec4 col = ImGui::ColorConvertU32ToFloat4(run_color(i));
      ImGui::PushStyleColor(ImGuiCol_Text, col);
      const std::string label = run_label(s, i) + "###run" + std::to_string(i);
      if (ImGui::BeginTabItem(label.c_str(), &open, flags)) {
        s.compare.selected = i;
        ImGui::EndTabItem();
      }
      ImGui::PopStyleColor();
      if (!open) remove = i;
    }
    ImGui::EndTabBar();
  }
  s.compare.select_request = -1;
  if (remove >= 0) compare_remove_run(s, remove);
  if (!s.compare.active()) return;
  const int sel = std::clamp(s.compare.selected, 0, s.compare.count() - 1);
  ImGui::PushTextWrapPos(0.0f);
  if (sel == 0) {
    ImGui::TextDisabled("The settings below are run A's; pick a tab to edit another run.");
  } else {
    const auto lines = nn::spec_difference_lines(run_spec(s, 0), run_spec(s, sel));
    if (lines.empty()) {
      ImGui::TextDisabled("Run %c has A's settings: a control, its curves should match A's.", char('A' + sel));
    } else {
      ImGui::Text("Run %c differs from A in:", char('A' + sel));
      for (const std::string& l : lines) ImGui::TextColored({0.8f, 0.35f, 0.0f, 1.0f}, "  %s", l.c_str());
    }
  }
  ImGui::PopTextWrapPos();
}

}  // namespace app
