// app.h: the playground's state and the per-frame entry point. The state is
// in parts (data editing, training, display, save/load, platform hooks, the
// windows' own state); panels are free functions of it (panels.cpp,
// canvas.cpp, analysis.cpp, ...); platform code calls app_frame() once per
// frame between ImGui's NewFrame and Render.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/images.h"
#include "core/train/cv.h"
#include "core/io/cards.h"
#include "core/io/launch.h"
#include "core/models/convnet_calc.h"
#include "core/rng.h"
#include "core/train/gradcheck.h"
#include "core/train/inspect.h"
#include "core/models/knn.h"
#include "core/data/preprocess.h"
#include "core/io/session.h"
#include "core/io/share.h"
#include "core/spec.h"
#include "training.h"

struct ImDrawList;

namespace app {

// The visible part of the plane: world [-extent, extent]^2 fitted into the canvas.
struct View {
  float x = 0, y = 0, w = 1, h = 1;  // canvas rectangle in framebuffer pixels
  double extent = 1.25;
  double scale() const;            // pixels per world unit
  float to_px_x(double wx) const;
  float to_px_y(double wy) const;
  double to_world_x(float px) const;
  double to_world_y(float py) const;
};

// Decision regions as an RGBA image at canvas resolution divided by `divisor`.
struct Regions {
  unsigned texture = 0;
  int w = 0, h = 0, divisor = 1;
  std::vector<int> labels;
  std::vector<float> confidence, heat;
  std::vector<float> value;  // 2D regression: the model's output per texel (NaN: none)
  std::vector<unsigned char> rgba;
  bool dirty = true;
  long generation = -1;   // Snapshot generation drawn
  double last_ms = 0;     // time of the last computation
  double ms_per_texel = 0;
};

enum class Tool { Add, Spray, Erase, Move };

// Series for the plots (appended from each Snapshot's new history).
struct History {
  long run = -1;
  std::vector<float> step, data_loss, reg_loss, total_loss, lr;
  std::vector<float> eval_step, train_acc, val_acc, train_loss, val_loss;
  std::vector<float> train_rmse, val_rmse;  // regression (NaN otherwise)
  // Update/parameter ratio of each weight matrix, sampled once per snapshot.
  std::vector<float> ratio_step;
  std::vector<std::string> ratio_names;
  std::vector<std::vector<float>> ratios;
  void clear();
  void append(const Snapshot& snap);  // the snapshot's new steps (clears on a new run)
};

struct GenSettings {
  nn::DataGen kind = nn::DataGen::Spiral;
  int n = 300;
  int classes = 3;
  float noise = 0.1f;
  int seed = 1;
  float val_ratio = 0.2f;
};

// The points and the tools that edit them, with undo and redo. Each edit
// returns whether the points changed; the caller then tells the trainer
// (data_changed). begin() saves the points for undo.
struct DataEditor {
  nn::Dataset data;
  std::vector<nn::Dataset> undo_stack, redo_stack;
  int current_class = 0;
  Tool tool = Tool::Add;
  float brush_radius = 0.12f;  // world units
  int brush_density = 4;       // points per frame while spraying
  int dragging = -1;           // point being moved
  GenSettings gen;
  nn::RegGen reg_gen = nn::RegGen::Sine;  // regression generator
  double reg_noise = 0.05;                // its noise on the targets
  double new_value = 0.5;                 // 2D regression: the value of a clicked point
  int spray_frame = 0;                 // frames of the current spray stroke
  nn::Rng spray_rng{12345};            // where sprayed points land
  int linear_drag_class = -1;          // linear model: the class whose line or arrow is dragged
  bool linear_drag_tip = false;        // ... by its arrow tip (else by its line)

  void begin();
  bool add_point(double x, double y, int label);
  bool remove_nearest(double x, double y, double max_dist);
  bool clear();
  void generate();                     // from gen
  void replace(const nn::Dataset& d);  // undoable
  bool undo();
  bool redo();
  void count_classes();                // num_classes from the labels present
};

// Training as the UI sees it: the host that trains, the latest snapshot it
// published, and the plot series built from the snapshots.
struct Training {
  std::unique_ptr<TrainingHost> host;
  std::shared_ptr<const Snapshot> snapshot;  // latest snapshot read this frame
  History history;
  bool playing = false;
  int steps_per_frame = 5;

  bool read_latest();  // takes the host's newest snapshot; true if it is new
};

// What the canvas and the plots show, and how.
struct Display {
  View view;
  Regions regions;
  int heat_class = -1;       // -1: class regions; c: class c's probability as a heatmap
  bool show_contour = true;
  bool show_units = true;    // 1D regression: one hidden layer's units as faint curves
  int units_layer = -1;      // ... of this hidden layer (0-based; -1: the last)
  bool show_validation = true;
  bool show_preprocessed = false;
  bool plot_log = true;
  float plot_smoothing = 0.6f;
  bool wide_layout = true;   // plots/inspector in their own column
  // This frame's layout in pixels: the sidebar on the left, the analysis
  // column on the right (width 0 when not wide), the status bar at the bottom;
  // the canvas is `view` (set in app_frame, exported for tests).
  float sidebar_w = 0, analysis_w = 0, status_h = 0;
  float ui_scale = 1;        // device pixel ratio (and monitor content scale)
};

// The save / load window (session_panel.cpp) and the loaded session's name.
struct SaveLoad {
  bool open = false;
  bool with_model = true;    // "with trained model" (else "settings only")
  std::string text;          // its text box
  std::string status;        // its last result, shown in the window
  bool error = false;
  std::string session_name, session_description;  // of the loaded preset or session
  void set_status(const std::string& msg, bool is_error) { status = msg; error = is_error; }
};

// Services of the page the app runs in (set by the web entry point; empty natively).
struct PlatformHooks {
  std::string build_info;    // e.g. "threaded (SIMD + 4 threads)"
  std::function<void(const std::string&)> set_url_hash;
  std::function<void(const std::string& name, const std::string& text)> download;
  std::function<void()> request_upload;
  // Image mode: fetch the named .nnimg file into nn::image_sources().subset_dir,
  // then call image_set_fetched. Empty natively (the files are on disk).
  std::function<void(const std::string& file)> fetch_image_set;
  // Share, export and autosave (share_panel.cpp, export.cpp, autosave.cpp); empty: not offered.
  std::string page_url;      // the page's address without query or fragment (web)
  std::function<bool(const std::string&)> copy_text;  // to the system clipboard
  std::function<void(const std::string& url)> open_url;  // a new tab (the Share window's preview)
  std::function<void(const std::string& name, const std::vector<unsigned char>& bytes)> download_png;
  // Small persistent key/value storage (web: localStorage; native: files in the state dir).
  std::function<bool(const std::string& key, std::string& out)> store_get;
  std::function<bool(const std::string& key, const std::string& text)> store_set;
  std::function<void(const std::string& key)> store_remove;
  // Called by wake(): the web loop ticks slowly while idle and speeds up here.
  std::function<void()> on_wake;
};

// The Share / embed window (share_panel.cpp): the session as a link and an
// <iframe> snippet with the chosen layout, controls, autoplay and size.
struct ShareWindow {
  bool open = false;
  nn::ShareOptions opt;
  std::string base_url;      // the address the link starts with (editable)
  nn::ShareLink link;
  std::string snippet;
  double made_at = -1e9;     // wall-clock seconds of the last link
  bool stale = true;         // options changed: make the link again
  std::string status;
  bool error = false;
};

// PNG export of the canvas (export.cpp): requested by a button or P; the next
// frame draws the canvas alone and the platform reads it after rendering.
struct CanvasExport {
  bool requested = false;
  bool capture_now = false;  // this frame drew the canvas alone
  std::string last;          // where the last export went
};

// Autosave (autosave.cpp): the web build keeps the session in the browser's
// storage, throttled, and restores it at start with a notice.
struct Autosave {
  bool enabled = false;
  enum class Notice { None, Restored, LinkWon, SetAside, TooLarge } notice = Notice::None;
  std::string notice_text;
  std::string before_restore;  // the session a restore replaced (undo), as a link fragment
  std::string bad_copy;        // a corrupt autosave, for its download
  std::string last_saved;      // the text last written
  unsigned long long last_print = 0;  // fingerprint of the state last checked
  double last_check = -1e9;    // wall-clock seconds
  long saves = 0;              // texts written (tests)
  bool told_too_large = false; // the "too large" notice was shown (once per session)
};

// The concept browser (concepts.cpp). The deck is read once, on first use;
// whether each card's demo exists is decided then too.
enum class DemoKind { None, Missing, Preset, ConvNet };
struct ConceptBrowser {
  bool open = false;
  bool loaded = false;
  std::string error;                // why the deck could not be read (shown in the window)
  nn::CardDeck deck;
  std::vector<DemoKind> demo;       // per card
  std::vector<bool> image_demo;     // per card: its image-mode preset exists
  int live_demos = 0;               // cards whose demo can be shown
  char query[128] = "";
  std::string last_query;
  std::vector<int> matches;         // indices into deck.cards for `query`
  // The last demo loaded from here: shown at the top of the window and under its card.
  std::string shown_card, shown_name, shown_description, shown_error;
};

// The ConvNet calculator (convnet_panel.cpp); it does not touch the playground's model.
struct ConvNetCalc {
  bool open = false;
  bool init = false;
  std::vector<std::string> ids, names;  // presets
  int preset = 0;                       // index into ids
  nn::ConvNetSpec net;                  // being edited
  int batch = 1;
  bool f64 = false;                     // activation memory in float64 (else float32)
  std::string notice;                   // last clamped input, shown in the window
};

// The inspector's gradient check (analysis.cpp): its settings and last result.
// A preset can set the settings (nn::SessionUi::gradcheck), open the panel and run the check.
struct GradCheckPanel {
  nn::GradCheckSettings set;  // h, regularisation, kink probe; set.open / set.run act once
  bool have = false;
  nn::GradCheckResult result;
  std::string error;
  std::string probe_note;     // where the probe input sits, for the last result
};

// How the app was asked to start (page parameters / command line) and the
// rules of an embedded demo (embed.cpp): idle frames are skipped, training
// waits until the demo is visible and touched (or autoplay and visible), and
// pauses while it is scrolled out of view or its tab is hidden.
struct Embed {
  nn::LaunchOptions launch;
  bool embedded = false;         // inside another page (an iframe)
  bool visible = true;           // in view and its tab shown (the page shell says)
  bool touched = false;          // the reader has clicked or typed in it
  bool play_when_allowed = false;  // training asked for while not allowed yet
  bool paused_hidden = false;    // paused because it went out of view
  double awake_until = 0;        // seconds (ImGui time): draw frames until then
  long ticks = 0;                // main-loop iterations, drawn or skipped
  std::string errors;            // bad start-up parameters, shown on the canvas
};

// Image mode (images_panel.cpp, sketch.cpp): the image set, its own model
// description (the 2D playground's `spec` is kept for coming back), the
// views' textures and the sketch pad.
enum class ImageModel { KNN, Linear, MLP, ConvNet };
struct ImageTex {  // one GL texture holding a view's pixels (an atlas of tiles)
  unsigned id = 0;
  int w = 0, h = 0;
  long version = -1;  // what it shows (a snapshot generation, a data version ...)
};
// Cross-validation over k of the image kNN (images_panel.cpp): on its own
// thread where the build has threads, else a slice of each frame.
struct ImageCvTask;
// Comparing kNN runs: each run's cross-validation curve (empty ks: none yet)
// and the kNN settings it was made with (a run whose metric or weighting
// changed since shows no curve until it is run again). Runs that differ only
// in k share one curve (nn::knn_cv_curve_of): each marks its own k on it.
struct RunsCv {
  std::vector<nn::CvResult> result;  // per run, 0 = A
  std::vector<nn::KnnSpec> made_with;
  std::string about;                 // what they ran on
  // Run i's curve, if it has one for its current settings (else null).
  const nn::CvResult* of(int i, const nn::KnnSpec& now) const;
  void set(int i, const nn::CvResult& r, const nn::KnnSpec& with);
  void remove(int i);                // run i left the comparison: the later runs move up
  void clear() { result.clear(); made_with.clear(); about.clear(); }
};
struct ImageCv {
  int folds = 5;
  std::shared_ptr<ImageCvTask> task;  // the run in progress (null when none)
  bool have = false;                  // `result` holds a finished run
  nn::CvResult result;
  std::string about;                  // what it ran on, e.g. "5 folds of 5000 training images, L2"
  std::string error;
  long for_data = -1;                 // ImageMode::data_version it ran on
  float progress = 0;
  // Comparing: every kNN run's curve, one cross-validation at a time. The
  // task in progress serves task_runs; each entry of `queue` is the runs of
  // one curve still to compute (runs differing only in k share one).
  RunsCv runs;
  std::vector<int> task_runs;
  std::vector<std::vector<int>> queue;
};

struct ImageMode {
  ImageCv cv;
  bool active = false;       // the Images mode is shown (else the 2D playground)
  int set = 0;               // 0 Fashion-MNIST, 1 MNIST digits
  int train_size = 5000;     // training images used (per the set's file order, balanced)
  int test_size = 1000;      // test images evaluated
  ImageModel model = ImageModel::Linear;
  nn::ModelSpec spec;        // the image model being trained
  int mlp_width = 100;
  // The loaded set (all of it) and the rows handed to the trainer.
  std::shared_ptr<const nn::ImageData> data;
  std::string data_name;     // "fashion-mnist" / "mnist" of `data`
  std::shared_ptr<const nn::Examples> rows;
  std::shared_ptr<const nn::ImageSet> train_used;  // the training images of `rows`, as pixels
  long data_version = 0;     // bumps whenever `rows` change
  std::string error;         // why the set could not be loaded (shown instead of the views)
  bool waiting = false;      // web: the page is fetching the set's file
  std::string loading;       // the page's progress message while waiting
  float progress = -1;       // share fetched, -1 unknown
  // Views.
  int selected = 0;          // the test image shown in detail
  int page = 0;              // first test image of the grid / page size
  int confusion_true = -1, confusion_pred = -1;  // the clicked cell (-1: none)
  int tab_request = -1;      // select this view tab next frame (0 test images, 1 weights, 2 confusion, 3 sketch)
  ImageTex grid_tex, weights_tex, detail_tex, sketch_tex, mean_tex;
  // Sketch pad: 28 x 28 values in [0, 1], as the data set's images (white ink on black).
  std::vector<float> sketch = std::vector<float>(28 * 28, 0.f);
  float brush = 1.4f;        // radius in pad pixels
  bool sketch_invert = false;
  long sketch_version = 0;
  std::vector<double> sketch_probs;  // the current model's probabilities for the pad (empty: none)
  int sketch_pred = -1;
  long sketch_probs_for = -1;        // sketch_version * 1000003 + snapshot generation
  std::vector<int> sketch_neighbours;  // kNN: the pad's nearest training images
  // kNN on the pad: the training images preprocessed, for the key below.
  nn::MatRowsF knn_train;
  nn::ImagePreprocessor knn_pre;
  long knn_train_for = -1;
  // Drawings added to the training images ("add to training set"), per set
  // (0 Fashion-MNIST, 1 MNIST): framed 28 x 28 pixels and their labels. They
  // stay while the app runs (across mode and set switches); sessions do not
  // hold image data, so they are not saved.
  std::vector<std::vector<float>> added[2];
  nn::Labels added_labels[2];
  // ConvNet: the selected test image's activation maps, layer by layer,
  // computed from a snapshot's copy of the model (never the trainer's).
  std::vector<nn::ActivationMaps> act_maps;
  std::vector<ImageTex> act_tex;     // one atlas per entry of act_maps
  long act_for = -1;                 // (data_version, selected) they show
  long act_generation = -1;          // the snapshot they came from
  double act_time = -1e9;            // when (ImGui time, s)
  bool play_when_loaded = false;  // Play was asked for before the set arrived
  int add_label = 0;         // the label the sketch pad adds with
  int base_train = 0;        // training rows before the added drawings
};

// A comparison (compare.cpp): runs B, C, D beside run A, which is AppState's
// own spec and training. Each run has its own host (worker thread), plot
// series and decision regions; all share the points, and training commands
// act on every run. With no extra runs the app is the one-run playground.
struct CompareRun {
  std::string name;          // legend and panel label ("" shows the letter)
  nn::ModelSpec spec;
  Training training;
  Regions regions;
  View view;                 // its panel on the canvas
  // Its image model (the image mode): as ImageMode's model, spec and
  // mlp_width are run A's. All runs share ImageMode's rows.
  ImageModel image_model = ImageModel::Linear;
  nn::ModelSpec image_spec;
  int mlp_width = 100;
  ImageTex weights_tex;      // its templates or filters
};
struct Compare {
  std::string name_a;        // run A's label
  std::vector<std::unique_ptr<CompareRun>> runs;  // B, C, D
  int selected = 0;          // the run the sidebar edits: 0 = A, i = runs[i - 1]
  int select_request = -1;   // a tab to bring to the front next frame (a run was added or removed)
  View view_a;               // run A's panel while comparing
  int ratio_layer = 0;       // the weight matrix (W1 = 0) of the update-ratio plot
  int ratio_series = -1;     // curves that plot showed when last drawn (tests)
  RunsCv knn_cv;             // 2D: the kNN runs' cross-validation curves (computed in the click)
  int count() const { return 1 + int(runs.size()); }
  bool active() const { return !runs.empty(); }
};

struct AppState {
  nn::ModelSpec spec;        // the model being trained
  DataEditor edit;
  Training training;
  Display display;
  SaveLoad io;
  PlatformHooks platform;
  ConceptBrowser concepts;
  ConvNetCalc convnet;
  GradCheckPanel gradcheck;
  Embed embed;
  ImageMode images;
  ShareWindow share;
  CanvasExport png;
  Autosave autosave;
  Compare compare;
  // The 2D kNN's cross-validation over k (panels.cpp): the last result and
  // the points it was run on (a few hundred points: computed in the click).
  nn::CvResult knn_cv;
  std::string knn_cv_about;
  bool show_help = false;
  long frame = 0;
  double fps = 0;
  std::string message;       // last user-facing notice (status bar)
  double message_time = 0;
};

AppState& app_state();          // the one instance (the exported test API reads it)
void app_init(AppState& s, float ui_scale, const std::string& build_info);
void app_frame(AppState& s);    // builds the whole UI for this frame
void app_shutdown(AppState& s);
void notify(AppState& s, const std::string& text);
// A frame stopped on an exception (a bug; the platform's frame guard caught
// it): says so on the status bar and the console, and the app goes on.
void frame_failed(AppState& s, const std::string& what);

// Editing the data: each is one undoable edit (DataEditor) followed by
// data_changed(), which tells the trainer and the regions.
void data_changed(AppState& s);
void add_point(AppState& s, double x, double y, int label);
bool remove_nearest(AppState& s, double x, double y, double max_dist);
void clear_points(AppState& s);
void generate_data(AppState& s);
bool undo(AppState& s);
bool redo(AppState& s);

// Replaces data and model with a saved session or a preset and starts a fresh
// run (undoable as a data edit). The display settings it carries are
// nn::SessionUi (core/io/session.h); session_ui() and apply_session_ui() map
// them to and from the app's state.
void apply_session(AppState& s, const nn::Session& session);
// with_model: also the trained parameters and batchnorm statistics of the
// latest snapshot (when it belongs to the current model description).
nn::Session current_session(const AppState& s, bool with_model = false);
nn::SessionUi session_ui(const AppState& s);
void apply_session_ui(AppState& s, const nn::SessionUi& ui);
// Where assets/ is: embedded at /assets on the web, the source tree natively.
std::string assets_dir();
bool read_text_file(const std::string& path, std::string& out);

// The model description changed (hyperparameters or architecture).
void spec_changed(AppState& s);
void set_playing(AppState& s, bool on);

// Comparisons (compare.cpp, compare_canvas.cpp, compare_plots.cpp).
// Every run (A and the compared ones) at once: n steps, one epoch, reset.
void step_runs(AppState& s, int n);
void epoch_runs(AppState& s);
void reset_runs(AppState& s);
// Once per frame: lets each run train (in step: no run more than a frame's
// steps ahead of the slowest) and reads their snapshots.
void frame_runs(AppState& s);
// "Compare": the selected run's settings become a new run (up to
// nn::kMaxRuns) and every run restarts, so they train step for step from the
// same start. False (with a notice) at the limit.
bool compare_add_run(AppState& s);
// Removes run i (0 = A: B takes its place); the others keep training.
void compare_remove_run(AppState& s, int i);
void compare_end(AppState& s);                // back to one run (A)
// The image mode opened (images) or closed: every other run switches with A.
void compare_mode_changed(AppState& s, bool images);
// The image rows changed: every other run takes them (keep_run: its weights too).
void compare_rows_changed(AppState& s, bool keep_run);
void compare_data_changed(AppState& s);       // the points changed: every other run
void compare_set_playing(AppState& s, bool on);
void compare_steps_per_frame(AppState& s);
// The training speed (clamped to 1..kUiMaxStepsPerFrame) for every run, as the speed sliders set it.
void set_steps_per_frame(AppState& s, int n);
// Run A's spec changed from old_a (an embedded demo's bar): every other run
// takes the same change in the fields it shares with A (the compared field
// stays its own; nn::follow_shared_changes), and each changed run restarts.
void shared_spec_changed(AppState& s, const nn::ModelSpec& old_a);
// The spec the sidebar edits (the selected run's), and its change.
nn::ModelSpec& selected_spec(AppState& s);
void selected_spec_changed(AppState& s);
// Runs fn with run i's spec, training and regions in run A's place (and,
// with panel_view, its canvas panel as the view), so the one-run code (the
// regions, the inspector) shows run i. Run 0 or no comparison: fn as is.
void with_run(AppState& s, int i, const std::function<void()>& fn, bool panel_view = false);
// The same in the image mode: run i's image model, spec, training and
// templates texture in run A's place (ImageMode's model, spec, mlp_width,
// weights_tex and AppState::training), so the one-run image views and the
// model section show or edit run i.
void with_image_run(AppState& s, int i, const std::function<void()>& fn);
// Run i's image model changed (the image sidebar edited it): its host takes
// the new spec, and it plays if the others do.
void image_run_changed(AppState& s, int i);
// Run i's parts (0 = A). In the image mode run_spec is the run's image spec.
const nn::ModelSpec& run_spec(const AppState& s, int i);
const Training& run_training(const AppState& s, int i);
const Regions& run_regions(const AppState& s, int i);
std::string run_label(const AppState& s, int i);   // "A: SGD"
unsigned run_color(int i);                          // ImU32
// Sessions: the runs of the comparison (empty for one run), and applying a
// session's runs after apply_session has set up run A.
// with_model: each run after A carries its latest trained model too (A's is the session's).
std::vector<nn::SessionRun> session_runs(const AppState& s, bool with_model = false);
// A run's latest snapshot model as a session's model; nothing for kNN or a
// snapshot of another model description (app.cpp).
std::optional<nn::TrainedState> snapshot_model(const AppState& s, const nn::ModelSpec& spec, const Training& training);
void apply_session_runs(AppState& s, const nn::Session& session);
void draw_compare_bar(AppState& s);    // sidebar: Compare, run tabs, differences from A
void draw_compare_canvas(AppState& s); // the runs as small multiples
void draw_compare_plots(AppState& s);  // the runs' curves overlaid
// The kNN runs' cross-validation curves overlaid, with the button that makes them (compare_plots.cpp).
void draw_compare_knn_cv(AppState& s);

// Embedding (embed.cpp).
// Applies start-up options: opens the preset, sets the layout, notes errors.
void apply_launch(AppState& s, const nn::LaunchOptions& o);
// Draw frames for the next `seconds` (input, resize, API calls, new data).
void wake(AppState& s, double seconds = 0.75);
// Whether the next main-loop iteration should draw: training, awake, or a
// message still on screen. Idle apps draw nothing.
bool wants_frame(AppState& s);
// The page shell: the demo scrolled into / out of view, or its tab shown / hidden.
void set_visible(AppState& s, bool visible);
// The reader clicked or typed in the demo.
void touched(AppState& s);
// set_playing with the embedding rules: an embedded demo plays only when
// visible and touched (or autoplay); otherwise it remembers the request.
void request_playing(AppState& s, bool on);
// Bad start-up parameters over the canvas (every layout); with_messages:
// the latest notice too (the small layouts have no status bar room).
void draw_launch_notice(AppState& s, bool with_messages);
// The compact and canvas-only layouts (launch.ui != full).
void draw_embedded_layout(AppState& s);

// Image mode (images_panel.cpp, sketch.cpp).
// The Points | Images switch (top of both sidebars).
void draw_mode_switch(AppState& s);
// The left sidebar's window with the mode switch at its top (panels.cpp).
void begin_sidebar(AppState& s);
// Enters (loads the chosen set, natively at once; on the web after the page
// fetched it) or leaves the image mode.
void set_image_mode(AppState& s, bool on);
// Picks a set by index (0 Fashion-MNIST, 1 MNIST digits) and (re)loads it.
void select_image_set(AppState& s, int set);
// Web: the page finished fetching a set's file into subset_dir (ok), or failed with `error`.
void image_set_fetched(AppState& s, bool ok, const std::string& error);
void image_model_changed(AppState& s);   // ImageMode::model or its settings changed
// The image model a spec describes (kNN, linear, an MLP of one FC layer, the ConvNet).
ImageModel image_model_of(const nn::ModelSpec& spec);
// Applies ImageModel `model` to an image spec: input, kind and layers (mlp_width for the MLP).
void apply_image_model(nn::ModelSpec& spec, ImageModel model, int mlp_width);
// Whether any run of the image mode is playing (the Play button's state).
bool image_playing(const AppState& s);
void set_image_playing(AppState& s, bool on);
// Appends the sketch pad's drawing (framed like the set) to the training
// images with `label`; the model keeps training on the grown set and kNN
// uses it at once. Returns false (with a notice) if the pad is empty or full.
bool add_sketch_to_training(AppState& s, int label);
void clear_added_images(AppState& s);
// The 2D kNN's cross-validation over k on the training points with sp's
// metric (panels.cpp).
// Comparing: every kNN run's curve (compare.knn_cv), each distinct one once.
void run_knn_cv_2d(AppState& s, const nn::ModelSpec& sp);
// Starts cross-validation over k of the image kNN on the training images
// (stopping one in progress); image_cv_poll (each frame) collects it.
// Comparing: of every kNN run, one curve after the other (images.cv.runs).
void start_image_cv(AppState& s);
void stop_image_cv(AppState& s, bool wait = false);  // wait: until its thread is done (native shutdown)
void image_cv_poll(AppState& s);
// The sketch pad as the model sees it (framed like the set, inverted if asked).
std::vector<float> sketch_model_input(const ImageMode& m);
// A session's image settings (set, model, sizes, k); the mode itself is
// entered by apply_session after the 2D part is in place.
void apply_image_ui(AppState& s, const nn::SessionUi& ui);
// A session's image model (spec.input is an image): its hyperparameters,
// preprocessing and kNN settings; the layers follow the ui's image_model.
void apply_image_spec(AppState& s, const nn::ModelSpec& spec);
void draw_image_mode(AppState& s);       // the whole frame's layout in image mode
void draw_sketch_pad(AppState& s);       // sketch.cpp
void sketch_clear(AppState& s);
void sketch_stroke(AppState& s, float x, float y);  // one dab at pad coordinates (0..28)
// The current model's class probabilities for the pad (updates sketch_probs).
void update_sketch_prediction(AppState& s);
// Uploads RGBA pixels (w x h) into a texture (created on first use).
void upload_texture(ImageTex& t, const std::vector<unsigned char>& rgba, int w, int h);
// The same for any GL texture id (regions.cpp); smooth: linear filtering, else nearest.
void upload_rgba(unsigned& texture, const unsigned char* rgba, int w, int h, bool smooth);
// Class probabilities as labelled bars (truth: the true class, -1 unknown).
void probability_bars(AppState& s, const double* probs, int C, int truth);
// Share, export, autosave.
void draw_share_window(AppState& s);          // share_panel.cpp
// Makes the link and snippet for the current session and options.
void make_share(AppState& s);
void request_png_export(AppState& s);         // export.cpp
// After the platform rendered a frame: reads the canvas if this frame was
// drawn for an export, and delivers the PNG (download or file).
void after_render(AppState& s);
// At start, after the page's link / preset / parameters were applied:
// url_session is true when they opened a session (it wins over the autosave).
void autosave_start(AppState& s, bool url_session);
// Every main-loop iteration (drawn or not): saves, throttled, if the state changed.
void autosave_tick(AppState& s);
void autosave_now(AppState& s);               // page hidden / closing
void draw_autosave_notice(AppState& s);

// Plots (analysis.cpp): the log-scale and smoothing controls; one run's loss
// per step (data, reg if with_reg, total) and whole-set accuracy (train and
// held_out: "validation", "test").
void plot_controls(AppState& s, float w, const char* smoothing_tip);
void loss_and_accuracy_plots(AppState& s, const History& h, bool with_reg, const char* acc_title,
                             const char* held_out, float loss_height);

// Panels and canvas.
void draw_canvas(AppState& s);

// ---- Regression (regression.cpp) ----------------------------------------------------
inline constexpr double kValueRange = 1.0;   // the colour scale's ends: -1 blue, +1 orange
inline constexpr double kContourStep = 0.25; // 2D regression: a contour line every 0.25
void value_rgb(double v, unsigned char* out);  // RGBA of a value on that scale
unsigned value_color(double v, int alpha = 255);  // ImU32
void set_problem(AppState& s, nn::ProblemKind p);
// A classification loss on regression points (or the reverse) becomes the
// problem's default (L2 / softmax) in every run; data_changed calls it.
void sync_losses(AppState& s);  // undoable; the loss follows in every run
void generate_regression_data(AppState& s);        // from edit.reg_gen and edit.gen's n, seed, split
// The generator menus show what made a loaded session's points (its
// "generator": kind, points, noise, seed, validation share).
void show_generator(AppState& s, const nn::DataGenerator& g);
// In a regression the function menu offers a function of the points' kind
// (a curve for 1D points, a surface for 2D ones); data_changed calls it.
void sync_generator_menu(AppState& s);
bool regression_data_controls(AppState& s);       // the problem switch (+ regression generators); true in a regression
bool regression_display_controls(AppState& s);    // the Display section in a regression (unit curves, contours); true if drawn
bool regression_predict(const AppState& s, const nn::Mat& X, std::vector<double>& out);
void draw_regression_1d(const AppState& s, ImDrawList* dl);
void regression_regions(AppState& s, int w, int h, double x0, double x1, double y0, double y1);
void regression_point_tooltip(const AppState& s, const nn::Point& p);
void regression_plane_tooltip(const AppState& s, double x, double y);
// A point as the canvas draws it at pixel (x, y): radius r, the ring of a
// validation point and the outline of a training point that thick.
void draw_point_marker(ImDrawList* dl, float x, float y, const nn::Point& p, float r, float val_ring, float outline);
void draw_data_point(const AppState& s, ImDrawList* dl, float x, float y, const nn::Point& p, float r, float val_ring,
                     float outline);
void draw_sidebar(AppState& s);
void draw_analysis(AppState& s);   // plots + inspector
void draw_plots(AppState& s);
void draw_inspector(AppState& s);
void draw_status_bar(AppState& s, float W, float H, float status_h);  // the bottom strip of a W x H frame
void draw_help(AppState& s);
void draw_session_window(AppState& s);  // session_panel.cpp
// Loads a session JSON, a link (or its #s=... fragment) or CSV points. On any
// problem nothing changes and the message says what was wrong; returns success.
bool load_text(AppState& s, const std::string& text);
// The message for a text over nn::kMaxSessionBytes (load_text's, and the page's
// for a file it does not even read).
std::string text_too_large(size_t bytes);
void draw_concepts(AppState& s);   // concepts.cpp: the concept browser with "Show me"
void ensure_concepts_loaded(ConceptBrowser& c);
// Loads a demo by id, as its "Show me" button does: a playground preset or a
// ConvNet calculator preset. False (with the reason shown) on failure.
bool show_demo(AppState& s, const std::string& id, const std::string& card_id);
void draw_convnet(AppState& s);    // convnet_panel.cpp: the ConvNet calculator
void ensure_convnet_init(ConvNetCalc& c);
// Selects a ConvNet calculator preset by id (nn::convnet_preset_ids()); false if unknown.
bool convnet_select_preset(ConvNetCalc& c, const std::string& id);

// The linear classifier's W (C x D) and b (1 x C, empty without a bias) from
// the latest snapshot; false when the model is not a linear classifier.
bool linear_weights(const AppState& s, nn::Mat& W, nn::Mat& b);

// Regions: recompute if dirty and upload to the GPU texture.
void update_regions(AppState& s);
nn::KnnIndex make_knn_index(const AppState& s);

}  // namespace app
