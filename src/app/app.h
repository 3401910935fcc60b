// app.h: the playground's state and the per-frame entry point. Panels are free
// functions of this state (panels_*.cpp, canvas.cpp); platform code calls
// app_frame() once per frame between ImGui's NewFrame and Render.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/models/knn.h"
#include "core/io/session.h"
#include "core/spec.h"
#include "training.h"

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
  std::vector<unsigned char> rgba;
  bool dirty = true;
  long generation = -1;   // TrainView generation drawn
  double last_ms = 0;     // time of the last computation
  double ms_per_texel = 0;
};

enum class Tool { Add, Spray, Erase, Move };

// Series for the plots (appended from each TrainView's new history).
struct History {
  long run = -1;
  std::vector<float> step, data_loss, reg_loss, total_loss, lr;
  std::vector<float> eval_step, train_acc, val_acc, train_loss, val_loss;
  // Update/parameter ratio of each weight matrix, sampled once per snapshot.
  std::vector<float> ratio_step;
  std::vector<std::string> ratio_names;
  std::vector<std::vector<float>> ratios;
  void clear();
};

struct GenSettings {
  nn::DataGen kind = nn::DataGen::Spiral;
  int n = 300;
  int classes = 3;
  float noise = 0.1f;
  int seed = 1;
  float val_ratio = 0.2f;
};

struct AppState {
  nn::Dataset data;
  std::vector<nn::Dataset> undo, redo;
  int current_class = 0;
  Tool tool = Tool::Add;
  float brush_radius = 0.12f;  // world units
  int brush_density = 4;       // points per frame while spraying
  int dragging = -1;           // point being moved
  GenSettings gen;
  bool show_validation = true;
  bool show_preprocessed = false;

  nn::ModelSpec spec;
  std::unique_ptr<TrainingHost> host;
  std::shared_ptr<const TrainView> tv;  // latest snapshot read this frame
  History history;
  bool playing = false;
  int steps_per_frame = 5;

  View view;
  Regions regions;
  int heat_class = -1;       // -1: class regions; c: class c's probability as a heatmap
  bool show_contour = true;

  bool plot_log = true;
  float plot_smoothing = 0.6f;
  bool wide_layout = true;   // plots/inspector in their own column
  // This frame's layout in pixels: the sidebar on the left, the analysis
  // column on the right (width 0 when not wide), the status bar at the bottom;
  // the canvas is `view` (set in app_frame, exported for tests).
  float sidebar_w = 0, analysis_w = 0, status_h = 0;

  float ui_scale = 1;        // device pixel ratio (and monitor content scale)
  long frame = 0;
  double fps = 0;
  std::string build_info;    // e.g. "threaded (SIMD + 4 threads)"
  std::string message;       // last user-facing notice
  double message_time = 0;
  bool show_help = false;
  bool show_io = false;         // the save / load window (session_panel.cpp)
  std::string io_text;          // its text box
  std::string io_status;        // its last result, shown in the window
  bool io_error = false;
  // Platform hooks (set by the web entry point; empty natively).
  std::function<void(const std::string&)> set_url_hash;
  std::function<void(const std::string& name, const std::string& text)> download;
  std::function<void()> request_upload;
  bool show_concepts = false;   // the concept browser (concepts.cpp)
  bool show_convnet = false;    // the ConvNet calculator (convnet_panel.cpp)
  std::string session_name, session_description;  // of the loaded preset or session
};

AppState& app_state();          // the one instance (the exported C API reads it)
void app_init(AppState& s, float ui_scale, const std::string& build_info);
void app_frame(AppState& s);    // builds the whole UI for this frame
void app_shutdown(AppState& s);
void notify(AppState& s, const std::string& text);

// Editing the data. begin_edit() snapshots for undo; data_changed() tells the
// trainer and the regions.
void begin_edit(AppState& s);
void data_changed(AppState& s);
void add_point(AppState& s, double x, double y, int label);   // one undoable edit
bool remove_nearest(AppState& s, double x, double y, double max_dist);
void clear_points(AppState& s);
void generate_data(AppState& s);
bool undo(AppState& s);
bool redo(AppState& s);

// Replaces data and model with a saved session or a preset and starts a fresh
// run (undoable as a data edit). ui keys understood: "play" (bool),
// "steps_per_frame" (int), "plot_log" (bool), "show_validation" (bool),
// "heat_class" (int, -1 = class regions), "show_preprocessed" (bool).
void apply_session(AppState& s, const nn::Session& session);
nn::Session current_session(const AppState& s);
// Where assets/ is: embedded at /assets on the web, the source tree natively.
std::string assets_dir();
bool read_text_file(const std::string& path, std::string& out);

// The model description changed (hyperparameters or architecture).
void spec_changed(AppState& s);
void set_playing(AppState& s, bool on);

// Panels and canvas.
void draw_canvas(AppState& s);
void draw_sidebar(AppState& s);
void draw_analysis(AppState& s);   // plots + inspector
void draw_plots(AppState& s);
void draw_inspector(AppState& s);
void draw_status_bar(AppState& s);
void draw_help(AppState& s);
void draw_session_window(AppState& s);  // session_panel.cpp
// Loads a session JSON, a link (or its #s=... fragment) or CSV points. On any
// problem nothing changes and the message says what was wrong; returns success.
bool load_text(AppState& s, const std::string& text);
// The message for a text over nn::kMaxSessionBytes (load_text's, and the page's
// for a file it does not even read).
std::string text_too_large(size_t bytes);
void draw_concepts(AppState& s);   // concepts.cpp: the concept browser with "Show me"
void draw_convnet(AppState& s);    // convnet_panel.cpp: the ConvNet calculator
// Selects a ConvNet calculator preset by id (nn::convnet_preset_ids()); false if unknown.
bool convnet_select_preset(const std::string& id);


// The linear classifier's W (C x D) and b (1 x C, empty without a bias) from
// the latest snapshot; false when the model is not a linear classifier.
bool linear_weights(const AppState& s, nn::Mat& W, nn::Mat& b);

// Regions: recompute if dirty and upload to the GPU texture.
void update_regions(AppState& s);
nn::KnnIndex make_knn_index(const AppState& s);

}  // namespace app
