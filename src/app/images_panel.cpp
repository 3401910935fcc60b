// images_panel.cpp: the Images mode. Real images (Fashion-MNIST, MNIST
// digits) instead of 2D points: kNN, a linear classifier (softmax or SVM), an
// MLP and a small ConvNet, trained by the same TrainingHost on the worker
// thread. Views: the test images with their predictions, the weights as
// images (linear templates, the MLP's first layer, the ConvNet's filters),
// the confusion matrix, the selected image's scores and (kNN) its nearest
// training images, the sketch pad (sketch.cpp) and the plots.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app.h"
#include "core/fast/parallel.h"
#include "core/limits.h"
#include "gl.h"
#include "imgui.h"
#include "plot.h"
#include "widgets.h"

namespace app {

static const char* const kSetIds[] = {"fashion-mnist", "mnist"};
static const char* const kSetLabels[] = {"Fashion-MNIST", "MNIST digits"};

// ---- Textures ----------------------------------------------------------------------

void upload_texture(ImageTex& t, const std::vector<unsigned char>& rgba, int w, int h) {
  // Nearest: every image pixel stays a crisp square when scaled up.
  upload_rgba(t.id, rgba.data(), w, h, /*smooth=*/false);
  t.w = w;
  t.h = h;
}

// An atlas of n tiles of side x side pixels, `cols` per row.
struct Atlas {
  int side = 28, cols = 1, n = 0;
  std::vector<unsigned char> rgba;
  int w() const { return side * cols; }
  int h() const { return side * std::max(1, (n + cols - 1) / cols); }
  void init(int side_, int cols_, int n_) {
    side = side_;
    cols = std::max(1, cols_);
    n = n_;
    rgba.assign(size_t(w()) * h() * 4, 0);
  }
  void put(int tile, int x, int y, unsigned char r, unsigned char g, unsigned char b) {
    const int px = (tile % cols) * side + x, py = (tile / cols) * side + y;
    unsigned char* p = &rgba[(size_t(py) * w() + px) * 4];
    p[0] = r; p[1] = g; p[2] = b; p[3] = 255;
  }
  // Grey image (values in [0, 1], white ink on black as in the data sets).
  template <class Row>
  void put_grey(int tile, const Row& v) {
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) {
        const unsigned char g = (unsigned char)std::lround(255 * std::clamp(double(v(y * side + x)), 0.0, 1.0));
        put(tile, x, y, g, g, g);
      }
  }
  // Signed weights: blue below zero, white at zero, red above, scaled by the largest |w|.
  template <class Row>
  void put_signed(int tile, const Row& v, int count) {
    double m = 1e-12;
    for (int i = 0; i < count; ++i) m = std::max(m, std::abs(double(v(i))));
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) {
        const double a = std::clamp(double(v(y * side + x)) / m, -1.0, 1.0);
        const unsigned char k = (unsigned char)std::lround(255 * (1 - std::abs(a)));
        if (a >= 0) put(tile, x, y, 255, k, k);
        else put(tile, x, y, k, k, 255);
      }
  }
  void upload(ImageTex& t) const { upload_texture(t, rgba, w(), h()); }
};

// The first n rows of W (side x side weights each) as signed tiles, acols to a row, into t.
template <class M>
static void upload_weight_rows(ImageTex& t, const M& W, int side, int acols, int n) {
  Atlas a;
  a.init(side, acols, n);
  for (int r = 0; r < n; ++r) a.put_signed(r, W.row(r), side * side);
  a.upload(t);
}

// Draws tile i of atlas texture t at the cursor, size px x px; returns true when clicked.
static bool tile(const ImageTex& t, int side, int cols, int i, float px, const char* id) {
  const float u0 = float((i % cols) * side) / t.w, v0 = float((i / cols) * side) / t.h;
  const float u1 = u0 + float(side) / t.w, v1 = v0 + float(side) / t.h;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton(id, {px, px});
  ImGui::GetWindowDrawList()->AddImage((ImTextureID)(intptr_t)t.id, p, {p.x + px, p.y + px}, {u0, v0}, {u1, v1});
  return clicked;
}

// ---- The model description -------------------------------------------------------

// The image spec for the chosen model: kind and layers follow `model`; the
// user's hyperparameters (loss, lr, lambda, batch, preprocessing, kNN) stay.
void apply_image_model(nn::ModelSpec& sp, ImageModel model, int mlp_width) {
  sp.input = {28, 28, 1};
  sp.preprocess.kind = nn::PreprocessKind::None;
  switch (model) {
    case ImageModel::KNN: sp.kind = nn::ModelKind::KNN; break;
    case ImageModel::Linear: sp.kind = nn::ModelKind::Linear; sp.hidden.clear(); break;
    case ImageModel::MLP:
      sp.kind = nn::ModelKind::Net;
      sp.hidden = {nn::HiddenLayerSpec::fc(mlp_width)};
      break;
    case ImageModel::ConvNet:
      // ConvNetJS's MNIST demo, with pools that tile 28 -> 14 -> 7 exactly:
      // conv 8 5x5 pad 2, pool 2, conv 16 5x5 pad 2, pool 2, fc 10.
      sp.kind = nn::ModelKind::Net;
      sp.hidden = {nn::HiddenLayerSpec::conv(8, 5, 1, 2), nn::HiddenLayerSpec::pool(2, 2),
                   nn::HiddenLayerSpec::conv(16, 5, 1, 2), nn::HiddenLayerSpec::pool(2, 2)};
      break;
  }
}

ImageModel image_model_of(const nn::ModelSpec& sp) {
  if (sp.kind == nn::ModelKind::KNN) return ImageModel::KNN;
  if (sp.kind == nn::ModelKind::Linear || sp.hidden.empty()) return ImageModel::Linear;
  return sp.hidden[0].type == nn::LayerType::FC ? ImageModel::MLP : ImageModel::ConvNet;
}

static void apply_model_choice(ImageMode& m) { apply_image_model(m.spec, m.model, m.mlp_width); }

bool image_playing(const AppState& s) {
  for (int i = 0; i < s.compare.count(); ++i)
    if (run_training(s, i).playing) return true;
  return false;
}

static void default_image_spec(ImageMode& m) {
  nn::ModelSpec& sp = m.spec;
  sp = nn::ModelSpec{};
  sp.loss.kind = nn::LossKind::Softmax;
  sp.loss.lambda = 1e-3;
  sp.optim.kind = nn::OptimKind::Adam;
  sp.optim.lr = 1e-3;
  sp.optim.batch_size = 64;
  sp.preprocess.image = nn::ImageNorm::MeanImage;
  sp.knn = {5, nn::Metric::L2, false};
  sp.engine = nn::EngineKind::Fast;
  sp.seed = 1;
  apply_model_choice(m);
}

void image_model_changed(AppState& s) {
  ImageMode& m = s.images;
  apply_model_choice(m);
  if (!m.active) return;
  const bool trainable = m.spec.kind != nn::ModelKind::KNN;
  if (!trainable) {  // this run only (in a comparison the others train on)
    s.training.playing = false;
    s.training.host->set_playing(false);
  }
  s.training.host->set_active(trainable);
  s.training.host->set_spec(m.spec);
  m.sketch_probs_for = -1;
}

void apply_image_spec(AppState& s, const nn::ModelSpec& spec) {
  ImageMode& m = s.images;
  m.spec = spec;
  if (m.model == ImageModel::MLP && !spec.hidden.empty() && spec.hidden[0].type == nn::LayerType::FC)
    m.mlp_width = spec.hidden[0].width;
  apply_model_choice(m);
  m.tab_request = m.model == ImageModel::KNN ? 0 : 1;  // a demo opens on its telling view
}

void set_image_playing(AppState& s, bool on) {
  // No images yet (the web page is fetching them): start once they are here.
  s.images.play_when_loaded = on && !s.images.rows;
  if (!s.images.rows) on = false;
  const bool a = on && s.images.spec.kind != nn::ModelKind::KNN;
  s.training.playing = a;
  s.training.host->set_playing(a);
  compare_set_playing(s, on);  // every other run whose model trains
}

// ---- Data ----------------------------------------------------------------------------

// The rows the trainer gets: a balanced subset of train_size training images
// and the first test_size test images (as validation rows: "test" in this mode).
// The sketches added to the training set (added[set]) come after the subset,
// so a run that keeps its model (keep_run) just sees more training rows.
static void make_rows(AppState& s, bool keep_run = false) {
  ImageMode& m = s.images;
  if (!m.data) return;
  const nn::ImageData& d = *m.data;
  const int C = std::max(1, d.train.num_classes());
  m.train_size = std::clamp(m.train_size, C, nn::kUiMaxImageTrain);
  m.test_size = std::clamp(m.test_size, 1, std::min(nn::kUiMaxImageTest, d.test.size()));
  nn::ImageSet base = nn::take_per_class(d.train, std::max(1, m.train_size / C));
  m.base_train = base.size();
  auto train = std::make_shared<nn::ImageSet>(nn::append_images(base, m.added[m.set], m.added_labels[m.set]));
  nn::ImageSet test = d.test;
  test.X = d.test.X.topRows(m.test_size);
  test.y.assign(d.test.y.begin(), d.test.y.begin() + m.test_size);
  m.rows = std::make_shared<const nn::Examples>(nn::to_examples(*train, &test));
  m.train_used = train;
  ++m.data_version;
  m.selected = std::clamp(m.selected, 0, m.test_size - 1);
  if (!m.active) return;  // sent when the mode is entered
  s.training.host->set_image_data(m.rows);
  compare_rows_changed(s, keep_run);  // the same rows for every compared run
  if (keep_run) return;  // the trainer keeps its weights (same shapes), as when a 2D point is added
  image_model_changed(s);
  s.training.host->reset();
}

bool add_sketch_to_training(AppState& s, int label) {
  ImageMode& m = s.images;
  if (!m.data || !m.rows) return false;
  const int C = m.data->train.num_classes();
  if (label < 0 || label >= C) return false;
  const std::vector<float> x = sketch_model_input(m);
  if (std::none_of(x.begin(), x.end(), [](float v) { return v > 0.05f; })) {
    notify(s, "Nothing to add: the sketch pad is empty.");
    return false;
  }
  if (int(m.added[m.set].size()) >= nn::kUiMaxAddedImages) {
    notify(s, "Not added: " + nn::limit_message("added drawings", nn::kUiMaxAddedImages, (long long)m.added[m.set].size() + 1) + ".");
    return false;
  }
  m.added[m.set].push_back(x);
  m.added_labels[m.set].push_back(label);
  make_rows(s, /*keep_run=*/true);
  notify(s, "Added the drawing to the training images as \"" + m.data->train.class_names[size_t(label)] + "\" (" +
                std::to_string(m.added[m.set].size()) + " added).");
  return true;
}

void clear_added_images(AppState& s) {
  ImageMode& m = s.images;
  if (m.added[m.set].empty()) return;
  m.added[m.set].clear();
  m.added_labels[m.set].clear();
  make_rows(s, /*keep_run=*/true);
}

static std::string set_file(int set) { return set == 0 ? nn::kFashionSubsetFile : nn::kMnistSubsetFile; }

// Loads the chosen set now (natively, or on the web once its file is here).
static void load_set(AppState& s) {
  ImageMode& m = s.images;
  m.waiting = false;
  m.loading.clear();
  try {
    auto d = std::make_shared<nn::ImageData>(nn::load_image_set(kSetIds[m.set]));
    m.data = d;
    m.data_name = kSetIds[m.set];
    m.error.clear();
    make_rows(s);
    if (m.play_when_loaded && m.active) set_image_playing(s, true);
    notify(s, std::string("Loaded ") + kSetLabels[m.set] + ": " + std::to_string(d->train.size()) + " training + " +
                  std::to_string(d->test.size()) + " test images.");
  } catch (const std::exception& e) {
    m.data.reset();
    m.rows.reset();
    m.train_used.reset();
    m.error = e.what();
    set_image_playing(s, false);
  }
}

void select_image_set(AppState& s, int set) {
  ImageMode& m = s.images;
  m.set = std::clamp(set, 0, 1);
  if (m.data && m.data_name == kSetIds[m.set] && m.error.empty()) return;
  set_image_playing(s, false);
  m.data.reset();
  m.rows.reset();
  const std::string dir = nn::image_sources().subset_dir;
  // The web page fetches a set's file only when it is first needed.
  if (s.platform.fetch_image_set && !std::filesystem::exists(dir + "/" + set_file(m.set))) {
    m.waiting = true;
    m.error.clear();
    m.loading = std::string("Loading ") + kSetLabels[m.set] + " ...";
    m.progress = -1;
    s.platform.fetch_image_set(set_file(m.set));
    return;
  }
  load_set(s);
}

void image_set_fetched(AppState& s, bool ok, const std::string& error) {
  ImageMode& m = s.images;
  if (!ok) {
    m.waiting = false;
    m.error = "Could not fetch the image set: " + (error.empty() ? std::string("unknown error") : error) +
              ". The 2D playground (Points) still works.";
    return;
  }
  load_set(s);
  wake(s);
}

void set_image_mode(AppState& s, bool on) {
  if (on == s.images.active) return;
  set_playing(s, false);
  s.images.active = on;
  if (on) {
    nn::start_parallel_pool();  // kNN and evaluations over thousands of images
    if (s.images.spec.input.size() == 0) default_image_spec(s.images);
    compare_mode_changed(s, true);  // compared runs train their image models on the same rows
    if (s.images.rows) {
      s.training.host->set_image_data(s.images.rows);
      image_model_changed(s);
      s.training.host->reset();
    } else {
      select_image_set(s, s.images.set);
    }
  } else {
    set_image_playing(s, false);
    compare_mode_changed(s, false);
    data_changed(s);  // the host goes back to the points
    spec_changed(s);
    s.training.host->reset();
  }
  wake(s);
}

void apply_image_ui(AppState& s, const nn::SessionUi& ui) {
  ImageMode& m = s.images;
  if (m.spec.input.size() == 0) default_image_spec(m);
  const bool reload = m.rows && (m.set != ui.image_set || m.train_size != ui.image_train || m.test_size != ui.image_test);
  m.model = ImageModel(std::clamp(ui.image_model, 0, 3));
  m.spec.knn.k = ui.image_k;
  m.train_size = ui.image_train;
  m.test_size = ui.image_test;
  if (m.set != ui.image_set) {
    m.set = ui.image_set;
    m.data.reset();
    m.rows.reset();
  } else if (reload) {
    make_rows(s);
  }
  apply_model_choice(m);
}

void draw_mode_switch(AppState& s) {
  int mode = s.images.active ? 1 : 0;
  const char* const items[] = {"Points", "Images"};
  const char* const tips[] = {"The 2D playground: points you draw or generate.",
                              "Real images (Fashion-MNIST, MNIST digits): kNN, linear templates, MLPs and ConvNets."};
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Mode");
  ImGui::SameLine();
  if (radio_row(mode, items, tips, 2)) set_image_mode(s, mode == 1);
  ImGui::Separator();
}

// ---- Sidebar ----------------------------------------------------------------------------

static void image_data_section(AppState& s) {
  ImageMode& m = s.images;
  if (!ImGui::CollapsingHeader("Images", ImGuiTreeNodeFlags_DefaultOpen)) return;
  int set = m.set;
  if (combo("data set", set, kSetLabels, 2,
            "Fashion-MNIST: 28x28 photos of 10 kinds of clothing. MNIST: 28x28 handwritten digits."))
    select_image_set(s, set);
  ImGui::BeginDisabled(!m.data);
  ImGui::SliderInt("training images", &m.train_size, 1000, nn::kUiMaxImageTrain, "%d", ImGuiSliderFlags_AlwaysClamp);
  tooltip("How many training images the models use (the same number of each class).");
  if (ImGui::IsItemDeactivatedAfterEdit()) make_rows(s);
  ImGui::SliderInt("test images", &m.test_size, 100, nn::kUiMaxImageTest, "%d", ImGuiSliderFlags_AlwaysClamp);
  tooltip("Held-out images the accuracy, the grid and the confusion matrix are measured on.");
  if (ImGui::IsItemDeactivatedAfterEdit()) make_rows(s);
  ImGui::EndDisabled();
  if (enum_combo("preprocess##img", m.spec.preprocess.image,
                 "Statistics of the training images only: subtract the mean image, normalise by one global "
                 "mean and std, or each pixel by its own.")) {
    image_model_changed(s);
    // Shared by every compared run, as the images are.
    for (int i = 1; i < s.compare.count(); ++i)
      with_image_run(s, i, [&, norm = m.spec.preprocess.image] {
        s.images.spec.preprocess.image = norm;
        image_model_changed(s);
      });
  }
  if (m.rows)
    ImGui::TextDisabled("%d training, %d test images", int(m.rows->X_train.rows()), int(m.rows->X_val.rows()));
}

static void image_model_section(AppState& s) {
  ImageMode& m = s.images;
  int model = int(m.model);
  const char* const items[] = {"kNN", "Linear", "MLP", "ConvNet"};
  const char* const tips[] = {"k nearest training images vote (no training).",
                              "Scores W x + b: each row of W is a template of its class.",
                              "One hidden layer of ReLU units.",
                              "conv 8@5x5 - pool - conv 16@5x5 - pool - fc: learns its filters."};
  bool changed = radio_row(model, items, tips, 4);
  m.model = ImageModel(model);
  nn::ModelSpec& sp = m.spec;
  const nn::ModelSpec before = sp;
  if (m.model == ImageModel::KNN) {
    slider_int(s, "k##img", sp.knn.k, 1, nn::kUiMaxImageK, "How many nearest training images vote.");
    enum_radio(sp.knn.metric);
    ImGui::SameLine();
    ImGui::Checkbox("weighted##img", &sp.knn.weighted);
    tooltip("Each neighbour votes with weight 1/distance.");
  } else {
    if (m.model == ImageModel::MLP &&
        slider_int(s, "hidden units", m.mlp_width, 10, 400, "Width of the hidden layer.", true))
      changed = true;
    if (m.model == ImageModel::ConvNet) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("28x28x1 > conv 8@5x5 pad 2 > pool 2 > conv 16@5x5 pad 2 > pool 2 > fc 10");
      ImGui::PopStyleColor();
    }
    enum_combo("loss##img", sp.loss.kind, "Softmax (cross-entropy) or a multiclass SVM (hinge) loss.");
    slider_double(s, "learning rate##img", sp.optim.lr, 1e-5, 1, "%.1e", true, "Step size of the optimiser.");
    slider_double(s, "lambda##img", sp.loss.lambda, 1e-6, 1, "%.1e", true, "L2 regularisation strength.");
    enum_combo("optimiser##img", sp.optim.kind, "SGD, momentum, Adagrad, RMSProp, Adam.");
    if (sp.optim.kind == nn::OptimKind::LBFGS) sp.optim.kind = nn::OptimKind::Adam;  // full batch: too slow here
    slider_int(s, "batch##img", sp.optim.batch_size, 1, nn::kUiMaxBatch, "Images per step.", true);
    if (sp.optim.batch_size < 1) sp.optim.batch_size = 64;
  }
  if (changed || !(before == sp)) image_model_changed(s);
}

// The model section edits the selected run's image model (A's without a comparison).
static void image_models_section(AppState& s) {
  const int sel = std::clamp(s.compare.selected, 0, s.compare.count() - 1);
  const std::string header =
      s.compare.active() ? "Model of run " + std::string(1, char('A' + sel)) + "###Model##img" : "Model###Model##img";
  if (!ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) return;
  const nn::ModelSpec before = run_spec(s, sel);
  with_image_run(s, sel, [&] { image_model_section(s); });
  if (!(before == run_spec(s, sel))) image_run_changed(s, sel);
}

static void image_training_section(AppState& s) {
  ImageMode& m = s.images;
  const Snapshot* snap = s.training.snapshot.get();
  if (!ImGui::CollapsingHeader("Training##img", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const bool knn = m.spec.kind == nn::ModelKind::KNN;
  bool any_trains = false;
  for (int i = 0; i < s.compare.count(); ++i) any_trains = any_trains || run_spec(s, i).kind != nn::ModelKind::KNN;
  const bool playing = image_playing(s);
  // Play, Step, Epoch and Reset act on every run of a comparison.
  ImGui::BeginDisabled(!any_trains || !m.rows);
  if (ImGui::Button(playing ? "Pause" : "Play", {ImGui::GetFontSize() * 4.5f, 0}))
    set_image_playing(s, !playing);
  tooltip("Train continuously (Space).");
  ImGui::SameLine();
  if (ImGui::Button("Step")) step_runs(s, 1);
  tooltip("One minibatch update (S).");
  ImGui::SameLine();
  if (ImGui::Button("Epoch")) epoch_runs(s);
  tooltip("Train until one more pass over the training images is done (E).");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) reset_runs(s);
  tooltip("Start again from a fresh initialisation (R).");
  if (slider_int(s, "steps/frame##img", s.training.steps_per_frame, 1, nn::kUiMaxStepsPerFrame, "Updates per frame.", true))
    set_steps_per_frame(s, s.training.steps_per_frame);
  ImGui::EndDisabled();
  if (s.compare.active()) {
    // One line per run: step, minibatch loss, test accuracy.
    for (int i = 0; i < s.compare.count(); ++i) {
      const Snapshot* rs = run_training(s, i).snapshot.get();
      std::string line = run_label(s, i);
      char b[96];
      if (run_spec(s, i).kind == nn::ModelKind::KNN) {
        line += ": kNN";
      } else if (rs) {
        std::snprintf(b, sizeof b, ": step %lld, loss %.3f", (long long)rs->step, rs->last.data_loss + rs->last.reg_loss);
        line += b;
      }
      if (rs && rs->image_eval && run_spec(s, i).kind != nn::ModelKind::KNN) {
        // The runs take turns evaluating: say which step each figure is from.
        std::snprintf(b, sizeof b, ", test %.1f%% (at step %lld)", 100 * rs->image_eval->accuracy,
                      (long long)rs->image_eval->step);
        line += b;
      } else if (rs && rs->image_eval) {
        std::snprintf(b, sizeof b, ", test %.1f%%", 100 * rs->image_eval->accuracy);
        line += b;
      }
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(run_color(i)));
      ImGui::TextWrapped("%s", line.c_str());
      ImGui::PopStyleColor();
      if (rs && rs->divergence.diverged) ImGui::TextColored({0.75f, 0.08f, 0.08f, 1}, "  diverged");
      else if (rs && !rs->error.empty() && run_spec(s, i).kind != nn::ModelKind::KNN)
        ImGui::TextColored({0.75f, 0.08f, 0.08f, 1}, "  %s", rs->error.c_str());
    }
    return;
  }
  if (knn) ImGui::TextDisabled("kNN has nothing to train: it remembers the training images.");
  if (!snap) return;
  if (!knn) {
    ImGui::Text("step %lld   epoch %.2f", (long long)snap->step, snap->epoch);
    if (snap->last.step > 0) ImGui::Text("loss %.4f", snap->last.data_loss + snap->last.reg_loss);
    const History& h = s.training.history;
    if (!h.train_acc.empty())
      ImGui::Text("train acc %.1f%% (at step %.0f)", 100 * h.train_acc.back(), double(h.eval_step.back()));
  }
  if (snap->image_eval)
    ImGui::Text("test acc %.1f%% (%d images)", 100 * snap->image_eval->accuracy, int(snap->image_eval->pred.size()));
  if (snap->image_eval && !snap->image_eval->note.empty()) ImGui::TextWrapped("%s", snap->image_eval->note.c_str());
  // (kNN: the trainer's refusal of a kNN description is no news here.)
  if (!snap->error.empty() && !knn) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
    ImGui::TextWrapped("%s", snap->error.c_str());
    ImGui::PopStyleColor();
  }
  if (snap->divergence.diverged) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
    ImGui::TextWrapped("%s", snap->divergence.message.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("Continue from last good parameters")) s.training.host->restore_last_good();
  }
}

static void draw_image_sidebar(AppState& s) {
  begin_sidebar(s);
  image_data_section(s);
  draw_compare_bar(s);  // Compare: runs B..D with image models of their own
  image_models_section(s);
  image_training_section(s);
  ImGui::PopItemWidth();
  ImGui::Separator();
  if (ImGui::Button("Save / load")) s.io.open = !s.io.open;
  tooltip("Save the session (the image mode's settings are kept in its display settings).");
  ImGui::SameLine();
  if (ImGui::Button("Help (H)")) s.show_help = !s.show_help;
  ImGui::End();
}

// ---- Views ---------------------------------------------------------------------------------

static const std::vector<std::string>& class_names(const AppState& s) {
  static const std::vector<std::string> none;
  return s.images.data ? s.images.data->test.class_names : none;
}

// A label under a tile: exactly w wide (clipped), so every column lines up.
static void small_label(const char* text, ImU32 col, float w, float h) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Dummy({w, h});
  const ImVec4 clip(p.x, p.y, p.x + w - 2, p.y + h);
  ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, col, text, nullptr, 0, &clip);
}

static ImU32 right_wrong(bool right) { return right ? IM_COL32(0, 150, 70, 255) : IM_COL32(210, 30, 30, 255); }

// The test images shown in the grid: all, the misclassified ones, or one confusion cell's.
static std::vector<int> grid_indices(const AppState& s, const ImageEval* e, bool wrong_only) {
  const ImageMode& m = s.images;
  std::vector<int> out;
  const int n = m.rows ? int(m.rows->y_val.size()) : 0;
  for (int i = 0; i < n; ++i) {
    const int y = m.rows->y_val[i];
    const int p = e && i < int(e->pred.size()) ? e->pred[i] : -1;
    if (m.confusion_true >= 0 && (y != m.confusion_true || p != m.confusion_pred)) continue;
    if (wrong_only && (p < 0 || p == y)) continue;
    out.push_back(i);
  }
  return out;
}

static bool g_wrong_only = false;  // not worth saving: a view filter

static void test_grid_view(AppState& s) {
  ImageMode& m = s.images;
  const ImageEval* e = s.training.snapshot ? s.training.snapshot->image_eval.get() : nullptr;
  const float u = s.display.ui_scale;
  ImGui::Checkbox("misclassified only", &g_wrong_only);
  if (m.confusion_true >= 0) {
    ImGui::SameLine();
    const auto& names = class_names(s);
    ImGui::Text("| true %s, predicted %s", names[m.confusion_true].c_str(), names[m.confusion_pred].c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("show all")) m.confusion_true = m.confusion_pred = -1;
  }
  const std::vector<int> idx = grid_indices(s, e, g_wrong_only);
  const float px = 56 * u, gap = 6 * u, label_h = ImGui::GetTextLineHeight();
  const float avail = ImGui::GetContentRegionAvail().x;
  const int cols = std::max(1, int((avail + gap) / (px + gap)));
  const int rows_fit = std::max(1, int((ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing()) /
                                       (px + label_h + gap + 4 * u)));
  const int per_page = cols * rows_fit;
  const int pages = std::max(1, int((idx.size() + per_page - 1) / per_page));
  m.page = std::clamp(m.page, 0, pages - 1);
  if (ImGui::ArrowButton("prev", ImGuiDir_Left)) m.page = std::max(0, m.page - 1);
  ImGui::SameLine();
  if (ImGui::ArrowButton("next", ImGuiDir_Right)) m.page = std::min(pages - 1, m.page + 1);
  ImGui::SameLine();
  ImGui::Text("page %d / %d (%d images)", m.page + 1, pages, int(idx.size()));
  const int first = m.page * per_page, count = std::clamp(int(idx.size()) - first, 0, per_page);
  // Rebuild the atlas when the page, the data or the filter changed.
  const long version = (m.data_version * 4096 + first) * 8 + (g_wrong_only ? 1 : 0) + (m.confusion_true + 1) * 16 * 64 +
                       (m.confusion_pred + 1) * 16 * 64 * 16 + (e ? e->step % 1000 : 0) * 1000003;
  const int acols = 16;
  if (m.grid_tex.version != version && m.data) {
    Atlas a;
    a.init(28, acols, std::max(1, count));
    for (int t = 0; t < count; ++t) a.put_grey(t, m.data->test.X.row(idx[first + t]));
    a.upload(m.grid_tex);
    m.grid_tex.version = version;
  }
  if (!m.grid_tex.id) return;
  const auto& names = class_names(s);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int t = 0; t < count; ++t) {
    const int i = idx[first + t];
    if (t % cols) ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(i);
    if (tile(m.grid_tex, 28, acols, t, px, "img")) { m.selected = i; m.sketch_probs_for = -1; }
    ImGui::PopID();
    const int y = m.rows->y_val[i];
    const int pred = e && i < int(e->pred.size()) ? e->pred[i] : -1;
    const ImU32 col = pred < 0 ? IM_COL32(150, 150, 150, 255) : right_wrong(pred == y);
    dl->AddRect({p.x - 1, p.y - 1}, {p.x + px + 1, p.y + px + 1}, i == m.selected ? IM_COL32(20, 20, 20, 255) : col, 0, 0,
                (i == m.selected ? 3.f : 2.f) * u);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("test image %d\ntrue: %s\npredicted: %s", i, names[y].c_str(),
                        pred >= 0 ? names[pred].c_str() : "-");
    const std::string lab = pred >= 0 ? names[pred] : std::string("?");
    small_label(lab.c_str(), col, px + gap * 0.5f, label_h);
    ImGui::EndGroup();
  }
}

// The selected test image through the ConvNet, layer by layer: every conv
// layer's maps before and after the ReLU and every pool layer's, one small
// grey tile per channel (black: the layer's smallest value, white: its
// largest). Computed here from the snapshot's copy of the model (one image:
// a few milliseconds), at most about three times a second while it trains.
static void activation_maps_view(AppState& s) {
  ImageMode& m = s.images;
  const Snapshot* snap = s.training.snapshot.get();
  const float u = s.display.ui_scale;
  if (!snap || !snap->predictor || !snap->predictor->model || !snap->predictor->rows || !m.rows || !m.data) return;
  const int i = std::clamp(m.selected, 0, int(m.rows->X_val.rows()) - 1);
  const long key = m.data_version * 10000 + i;
  const double now = ImGui::GetTime();
  const bool stale = m.act_for != key || (m.act_generation != snap->generation && now - m.act_time > 0.3);
  if (stale) {
    try {
      const nn::Predictor& p = *snap->predictor;
      if (p.model->input_dim() != int(m.rows->X_val.cols())) return;
      m.act_maps = nn::activation_maps(*p.model, p.image_preprocessor.transform(m.rows->X_val.row(i)));
    } catch (const std::exception& e) {
      m.act_maps.clear();
      ImGui::TextDisabled("No activation maps: %s", e.what());
      return;
    }
    m.act_for = key;
    m.act_generation = snap->generation;
    m.act_time = now;
    m.act_tex.resize(m.act_maps.size());
    for (size_t l = 0; l < m.act_maps.size(); ++l) {
      const nn::ActivationMaps& a = m.act_maps[l];
      if (a.width != a.height || a.channels < 1) continue;
      Atlas at;
      at.init(a.width, a.channels, a.channels);
      const double span = a.hi > a.lo ? a.hi - a.lo : 1.0;
      for (int c = 0; c < a.channels; ++c)
        for (int y = 0; y < a.height; ++y)
          for (int x = 0; x < a.width; ++x) {
            const double v = (a.values[size_t((c * a.height + y) * a.width + x)] - a.lo) / span;
            const unsigned char g = (unsigned char)std::lround(255 * std::clamp(v, 0.0, 1.0));
            at.put(c, x, y, g, g, g);
          }
      at.upload(m.act_tex[l]);
    }
  }
  if (m.act_maps.empty()) return;
  const auto& names = class_names(s);
  ImGui::Separator();
  ImGui::Text("Activation maps of test image %d (%s), step %lld", i, names[size_t(m.rows->y_val[size_t(i)])].c_str(),
              (long long)snap->step);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("Each tile is one channel; black is the layer's smallest value, white its largest. Click a "
                     "test image to follow another.");
  ImGui::PopStyleColor();
  const float gap = 4 * u, label_w = 130 * u;
  for (size_t l = 0; l < m.act_maps.size() && l < m.act_tex.size(); ++l) {
    const nn::ActivationMaps& a = m.act_maps[l];
    if (!m.act_tex[l].id) continue;
    const float px = std::clamp(float(a.width) * 1.6f, 28.f, 44.f) * u;
    ImGui::BeginGroup();
    ImGui::Text("%s", a.name.c_str());
    ImGui::TextDisabled("%d x %dx%d", a.channels, a.height, a.width);
    ImGui::TextDisabled("%.2g .. %.2g", a.lo, a.hi);
    ImGui::EndGroup();
    ImGui::SameLine(label_w);
    ImGui::BeginGroup();
    const int cols = std::max(1, int((ImGui::GetContentRegionAvail().x + gap) / (px + gap)));
    for (int c = 0; c < a.channels; ++c) {
      if (c % cols) ImGui::SameLine(0, gap);
      ImGui::PushID(int(l) * 1000 + c);
      tile(m.act_tex[l], a.width, a.channels, c, px, "act");
      ImGui::PopID();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s, channel %d", a.name.c_str(), c + 1);
    }
    ImGui::EndGroup();
    ImGui::Dummy({1, 2 * u});
  }
}

// The first layer's weights as images: the linear classifier's templates
// (one per class), the MLP's first units, the ConvNet's first filters.
static void weights_view(AppState& s) {
  ImageMode& m = s.images;
  const Snapshot* snap = s.training.snapshot.get();
  const float u = s.display.ui_scale;
  if (m.model == ImageModel::KNN) {
    ImGui::TextWrapped("kNN has no weights: it compares each test image with every training image. The mean "
                       "training image (what mean subtraction removes):");
    if (m.rows && m.mean_tex.version != m.data_version) {
      Atlas a;
      a.init(28, 1, 1);
      a.put_grey(0, m.rows->X_train.colwise().mean());
      a.upload(m.mean_tex);
      m.mean_tex.version = m.data_version;
    }
    if (m.mean_tex.id) tile(m.mean_tex, 28, 1, 0, 140 * u, "mean");
    return;
  }
  if (!snap || !snap->first_weights) {
    ImGui::TextDisabled("No weights yet: press Play or Step.");
    return;
  }
  const nn::Mat& W = *snap->first_weights;
  const auto& names = class_names(s);
  int side = 28, n = 0;
  const char* what = "";
  if (m.model == ImageModel::Linear) {
    n = int(W.rows());
    what = "Each row of W as a 28x28 image: the template its class's score matches (red: positive weight, blue: "
           "negative; each scaled by its own largest |w|).";
  } else if (m.model == ImageModel::MLP) {
    n = std::min<int>(int(W.rows()), 40);
    what = "The first layer's weights of the first hidden units, each as a 28x28 image.";
  } else {
    side = 5;
    n = int(W.rows());
    what = "The first conv layer's 5x5 filters (red positive, blue negative), as they learn.";
  }
  ImGui::TextWrapped("%s", what);
  ImGui::Text("step %lld", (long long)snap->step);
  if (W.cols() < side * side || n == 0) return;
  const int acols = 10;
  if (m.weights_tex.version != snap->generation) {
    upload_weight_rows(m.weights_tex, W, side, acols, n);
    m.weights_tex.version = snap->generation;
  }
  const float px = (m.model == ImageModel::ConvNet ? 48 : 84) * u, gap = 8 * u;
  const int cols = std::max(1, int((ImGui::GetContentRegionAvail().x + gap) / (px + gap)));
  for (int r = 0; r < n; ++r) {
    if (r % cols) ImGui::SameLine(0, gap);
    ImGui::BeginGroup();
    ImGui::PushID(r);
    tile(m.weights_tex, side, acols, r, px, "w");
    ImGui::PopID();
    if (m.model == ImageModel::Linear && r < int(names.size())) ImGui::TextUnformatted(names[r].c_str());
    else ImGui::Text("%d", r + 1);
    ImGui::EndGroup();
  }
  if (m.model == ImageModel::ConvNet) activation_maps_view(s);
}

// Comparing: every run's templates or filters, one band per run (so a
// class's templates line up in a column), each labelled with its run, step
// and test accuracy.
static void compare_weights_view(AppState& s) {
  const float u = s.display.ui_scale;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextDisabled("Each run's first layer as images: linear templates (one per class), an MLP's first 10 "
                      "units, a ConvNet's 5x5 filters. Red positive, blue negative, each scaled by its own largest "
                      "|w|.");
  ImGui::PopTextWrapPos();
  const auto& names = class_names(s);
  for (int i = 0; i < s.compare.count(); ++i) {
    ImGui::Separator();
    ImGui::PushID(i);
    with_image_run(s, i, [&] {
      ImageMode& m = s.images;
      const Snapshot* snap = s.training.snapshot.get();
      const ImageEval* e = snap ? snap->image_eval.get() : nullptr;
      std::string head = run_label(s, i);
      char b[96];
      if (m.model != ImageModel::KNN && snap) {
        std::snprintf(b, sizeof b, "   step %lld", (long long)snap->step);
        head += b;
      }
      if (e && m.model != ImageModel::KNN && snap && e->step != snap->step) {
        std::snprintf(b, sizeof b, "   test acc %.1f%% (at step %lld)", 100 * e->accuracy, (long long)e->step);
        head += b;
      } else if (e) {
        std::snprintf(b, sizeof b, "   test acc %.1f%%", 100 * e->accuracy);
        head += b;
      }
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "%s", head.c_str());
      if (m.model == ImageModel::KNN) {
        ImGui::TextDisabled("kNN has no weights: it compares each test image with every training image.");
        return;
      }
      if (!snap || !snap->first_weights) {
        ImGui::TextDisabled("No weights yet: press Play or Step.");
        return;
      }
      const nn::Mat& W = *snap->first_weights;
      const int side = m.model == ImageModel::ConvNet ? 5 : 28;
      const int n = m.model == ImageModel::MLP ? std::min<int>(int(W.rows()), 10) : int(W.rows());
      if (W.cols() < side * side || n == 0) return;
      const int acols = 10;
      // (A negative version: this layout's atlas, not the one-run view's.)
      if (m.weights_tex.version != -2 - snap->generation) {
        upload_weight_rows(m.weights_tex, W, side, acols, n);
        m.weights_tex.version = -2 - snap->generation;
      }
      const float gap = 5 * u;
      const float px = std::clamp((ImGui::GetContentRegionAvail().x - gap * (n - 1)) / float(n), 24 * u, 64 * u);
      const int cols = std::max(1, int((ImGui::GetContentRegionAvail().x + gap) / (px + gap)));
      for (int r = 0; r < n; ++r) {
        if (r % cols) ImGui::SameLine(0, gap);
        ImGui::BeginGroup();
        ImGui::PushID(r);
        tile(m.weights_tex, side, acols, r, px, "w");
        ImGui::PopID();
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("run %c, %s %d", char('A' + i), m.model == ImageModel::Linear ? "template" : "unit", r + 1);
        if (m.model == ImageModel::Linear && r < int(names.size()))
          small_label(names[r].c_str(), IM_COL32(60, 60, 60, 255), px, ImGui::GetTextLineHeight());
        ImGui::EndGroup();
      }
    });
    ImGui::PopID();
  }
}

// Comparing: which run the test images, confusion matrix, sketch pad and
// selected image show (the sidebar's selected run); returns it.
static int view_run(AppState& s, bool selector) {
  static int shown = 0;  // the run the views showed last frame
  if (!s.compare.active()) return shown = 0;
  int sel = std::clamp(s.compare.selected, 0, s.compare.count() - 1);
  if (selector) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("Showing run");
    for (int i = 0; i < s.compare.count(); ++i) {
      ImGui::SameLine();
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(run_color(i)));
      const std::string label = run_label(s, i) + "##view" + std::to_string(i);
      if (ImGui::RadioButton(label.c_str(), sel == i)) {
        sel = s.compare.selected = i;
        s.compare.select_request = i;
      }
      ImGui::PopStyleColor();
    }
    tooltip("The run these views show (the same as the run tab selected in the sidebar).");
  }
  if (sel != shown) {  // another run's predictions: recompute what depends on them
    s.images.sketch_probs_for = -1;
    s.images.act_for = -1;
    s.images.act_generation = -1;
    shown = sel;
  }
  return sel;
}

static void confusion_view(AppState& s) {
  ImageMode& m = s.images;
  const ImageEval* e = s.training.snapshot ? s.training.snapshot->image_eval.get() : nullptr;
  const auto& names = class_names(s);
  const int C = int(names.size());
  if (!e || !m.rows || C == 0) {
    ImGui::TextDisabled("No predictions yet.");
    return;
  }
  std::vector<int> cm(size_t(C) * C, 0);
  for (size_t i = 0; i < e->pred.size() && i < m.rows->y_val.size(); ++i)
    if (e->pred[i] >= 0) ++cm[size_t(m.rows->y_val[i]) * C + e->pred[i]];
  ImGui::TextWrapped("Rows: true class; columns: predicted class; counts of the %d test images. Click a cell to see its "
                     "images in the Test images tab.", int(e->pred.size()));
  const float u = s.display.ui_scale;
  const float label_w = 90 * u;
  const float cell = std::clamp((ImGui::GetContentRegionAvail().x - label_w) / C, 24 * u, 48 * u);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec2 p = ImGui::GetCursorScreenPos();
  // Column headers: predicted class numbers.
  for (int c = 0; c < C; ++c) {
    char b[8];
    std::snprintf(b, sizeof b, "%d", c);
    dl->AddText({p.x + label_w + c * cell + cell * 0.4f, p.y}, IM_COL32(60, 60, 60, 255), b);
  }
  p.y += ImGui::GetTextLineHeightWithSpacing();
  int row_max = 1;
  for (int v : cm) row_max = std::max(row_max, v);
  for (int r = 0; r < C; ++r) {
    char b[64];
    std::snprintf(b, sizeof b, "%d %s", r, names[r].c_str());
    dl->AddText({p.x, p.y + r * cell + cell * 0.3f}, IM_COL32(40, 40, 40, 255), b);
    for (int c = 0; c < C; ++c) {
      const int v = cm[size_t(r) * C + c];
      const float a = std::sqrt(float(v) / row_max);
      const ImVec2 q0{p.x + label_w + c * cell, p.y + r * cell}, q1{q0.x + cell - 1, q0.y + cell - 1};
      const ImU32 fill = r == c ? IM_COL32(0, 140, 70, int(40 + 215 * a)) : IM_COL32(210, 40, 40, v ? int(40 + 215 * a) : 10);
      dl->AddRectFilled(q0, q1, fill);
      if (m.confusion_true == r && m.confusion_pred == c) dl->AddRect(q0, q1, IM_COL32(0, 0, 0, 255), 0, 0, 2 * u);
      std::snprintf(b, sizeof b, "%d", v);
      const ImVec2 ts = ImGui::CalcTextSize(b);
      dl->AddText({q0.x + (cell - ts.x) / 2, q0.y + (cell - ts.y) / 2}, a > 0.6f ? IM_COL32(255, 255, 255, 255) : IM_COL32(20, 20, 20, 255), b);
      ImGui::SetCursorScreenPos(q0);
      ImGui::PushID(r * C + c);
      if (ImGui::InvisibleButton("cell", {cell - 1, cell - 1}) && v > 0) {
        m.confusion_true = r;
        m.confusion_pred = c;
        m.page = 0;
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%d test images of %s predicted as %s", v, names[r].c_str(), names[c].c_str());
      ImGui::PopID();
    }
  }
  ImGui::SetCursorScreenPos({p.x, p.y + C * cell + 4 * u});
  ImGui::Dummy({1, 1});
}

// Class probabilities as horizontal bars, the largest highlighted.
void probability_bars(AppState& s, const double* probs, int C, int truth) {
  const auto& names = class_names(s);
  const float u = s.display.ui_scale, w = ImGui::GetContentRegionAvail().x;
  const float name_w = 100 * u, bar_w = std::max(20.f, w - name_w - 50 * u), h = ImGui::GetTextLineHeight();
  int best = 0;
  for (int c = 1; c < C; ++c)
    if (probs[c] > probs[best]) best = c;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int c = 0; c < C && c < int(names.size()); ++c) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy({w, h + 2 * u});
    dl->AddText(p, c == truth ? IM_COL32(0, 110, 50, 255) : IM_COL32(40, 40, 40, 255), names[c].c_str());
    const ImVec2 b0{p.x + name_w, p.y + 1}, b1{b0.x + bar_w, p.y + h};
    dl->AddRectFilled(b0, b1, IM_COL32(235, 235, 235, 255));
    dl->AddRectFilled(b0, {b0.x + bar_w * float(std::clamp(probs[c], 0.0, 1.0)), b1.y},
                      c == best ? IM_COL32(0, 114, 178, 255) : IM_COL32(140, 170, 200, 255));
    char b[16];
    std::snprintf(b, sizeof b, "%.2f", probs[c]);
    dl->AddText({b1.x + 4 * u, p.y}, IM_COL32(40, 40, 40, 255), b);
  }
}

// The selected test image: big, its label, the model's probabilities, and
// for kNN the k nearest training images with their labels and distances.
static void detail_view(AppState& s) {
  ImageMode& m = s.images;
  if (!m.rows || !m.data) return;
  const ImageEval* e = s.training.snapshot ? s.training.snapshot->image_eval.get() : nullptr;
  const float u = s.display.ui_scale;
  const auto& names = class_names(s);
  const int i = std::clamp(m.selected, 0, int(m.rows->y_val.size()) - 1);
  const bool knn = m.spec.kind == nn::ModelKind::KNN;
  bool have_nb = knn && e && e->neighbours.k > 0 && size_t(i + 1) * e->neighbours.k <= e->neighbours.index.size();
  // (A snapshot from before the user's drawings were removed may name rows that are gone.)
  for (int j = 0; have_nb && j < e->neighbours.k; ++j)
    have_nb = e->neighbours.index[size_t(i) * e->neighbours.k + j] < m.train_used->size();
  const int k = have_nb ? std::min(m.spec.knn.k, e->neighbours.k) : 0;
  const long version = ((m.data_version * 10000 + i) * 64 + k) * 100003 +
                       (have_nb ? long(e->neighbours.index[size_t(i) * e->neighbours.k]) : 0);
  if (m.detail_tex.version != version) {
    Atlas a;
    a.init(28, 1 + k, 1 + k);
    a.put_grey(0, m.data->test.X.row(i));
    for (int j = 0; j < k; ++j) a.put_grey(1 + j, m.train_used->X.row(e->neighbours.index[size_t(i) * e->neighbours.k + j]));
    a.upload(m.detail_tex);
    m.detail_tex.version = version;
  }
  ImGui::Text("Test image %d: %s", i, names[m.rows->y_val[i]].c_str());
  tile(m.detail_tex, 28, 1 + k, 0, 112 * u, "sel");
  if (e && i < int(e->pred.size())) {
    const int pred = e->pred[i];
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(right_wrong(pred == m.rows->y_val[i])), "predicted: %s",
                       pred >= 0 ? names[pred].c_str() : "-");
    ImGui::TextDisabled(knn ? "vote shares" : "softmax of the scores");
    ImGui::EndGroup();
    std::vector<double> pr(size_t(e->probs.cols()));
    for (size_t c = 0; c < pr.size(); ++c) pr[c] = e->probs(i, Eigen::Index(c));
    probability_bars(s, pr.data(), int(pr.size()), m.rows->y_val[i]);
  }
  if (have_nb) {
    ImGui::Text("Its %d nearest training images (%s distance):", k, nn::enum_label(m.spec.knn.metric));
    const float px = 48 * u, gap = 6 * u;
    const int cols = std::max(1, int((ImGui::GetContentRegionAvail().x + gap) / (px + gap)));
    for (int j = 0; j < k; ++j) {
      if (j % cols) ImGui::SameLine(0, gap);
      ImGui::BeginGroup();
      ImGui::PushID(j);
      tile(m.detail_tex, 28, 1 + k, 1 + j, px, "nb");
      ImGui::PopID();
      const size_t at = size_t(i) * e->neighbours.k + j;
      const int lab = m.train_used->y[e->neighbours.index[at]];
      small_label(names[lab].c_str(), right_wrong(lab == m.rows->y_val[i]), px + gap * 0.5f, ImGui::GetTextLineHeight());
      ImGui::Text("%.1f", e->neighbours.dist[at]);
      ImGui::EndGroup();
    }
  }
}

// ---- Cross-validation over k (kNN) ---------------------------------------------------

// One run: the training rows and settings it was started with, the
// incremental driver, and what the UI thread may read while it runs.
struct ImageCvTask {
  std::shared_ptr<const nn::Examples> rows;
  nn::ImageNorm norm = nn::ImageNorm::None;
  nn::KnnSpec knn;
  int folds = 5;
  std::vector<int> ks;
  std::unique_ptr<nn::KnnRowsCv> cv;  // built by the first work()
  std::atomic<bool> cancel{false}, finished{false};
  std::atomic<float> progress{0};
  std::string error;                  // written before `finished`

  // Works for about budget_ms (to the end if that is larger); returns finished.
  bool work(double budget_ms) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    try {
      if (!cv) {
        // The kNN's own preprocessing, fitted on the training images.
        nn::ImagePreprocessor pre;
        pre.fit(norm, rows->X_train);
        auto X = std::make_shared<nn::MatRowsF>(rows->X_train.cast<float>());
        pre.transform_inplace(*X);
        cv = std::make_unique<nn::KnnRowsCv>(X, rows->y_train, ks, knn.metric, folds, /*seed=*/1, knn.weighted);
      }
      while (!cancel && !cv->done()) {
        cv->advance(NNPLAY_THREADED ? 32 : 16);  // (the pool runs one parallel_for at a time: keep each short)
        progress = float(cv->progress());
        if (std::chrono::duration<double, std::milli>(clock::now() - t0).count() > budget_ms) break;
      }
    } catch (const std::exception& e) {
      error = e.what();
      finished = true;
      return true;
    }
    if (cancel || cv->done()) finished = true;
    return finished;
  }
};

// Starts one cross-validation of the image kNN with these settings (the
// running one, if any, is already stopped).
static void launch_image_cv(AppState& s, const nn::KnnSpec& knn) {
  ImageMode& m = s.images;
  auto t = std::make_shared<ImageCvTask>();
  t->rows = m.rows;
  t->norm = m.spec.preprocess.image;  // (shared by every run of a comparison)
  t->knn = knn;
  t->folds = std::clamp(m.cv.folds, 2, 10);
  t->ks = nn::image_cv_ks();  // (the course's figure goes to 100; here to the largest k offered)
  m.cv.task = t;
  m.cv.error.clear();
  m.cv.progress = 0;
  char b[160];
  std::snprintf(b, sizeof b, "%d folds of the %d training images, %s distance%s, %s", t->folds,
                int(m.rows->X_train.rows()), nn::enum_label(t->knn.metric), t->knn.weighted ? ", weighted" : "",
                nn::enum_label(t->norm));
  m.cv.about = b;
  m.cv.for_data = m.data_version;
#if NNPLAY_THREADED
  // Its own thread, never joined: the task is shared, so stopping only asks
  // it to finish, and the UI thread never waits for it.
  std::thread([t] { t->work(1e300); }).detach();
  nn::start_parallel_pool();
#endif
  wake(s);
}

// Comparing: the next curve of the queue, if any (one run at a time).
static void launch_next_run_cv(AppState& s) {
  ImageCv& c = s.images.cv;
  c.task_runs.clear();
  while (!c.queue.empty() && !c.task) {
    std::vector<int> runs = c.queue.front();
    c.queue.erase(c.queue.begin());
    if (runs.empty() || runs[0] >= s.compare.count()) continue;
    c.task_runs = runs;
    launch_image_cv(s, run_spec(s, runs[0]).knn);
  }
}

void start_image_cv(AppState& s) {
  ImageMode& m = s.images;
  stop_image_cv(s);
  if (!m.rows) return;
  if (!s.compare.active()) return launch_image_cv(s, m.spec.knn);
  // Every kNN run: runs that differ only in k wait for one curve together.
  std::vector<int> knn_runs;
  std::vector<nn::KnnSpec> specs;
  for (int i = 0; i < s.compare.count(); ++i)
    if (run_spec(s, i).kind == nn::ModelKind::KNN) {
      knn_runs.push_back(i);
      specs.push_back(run_spec(s, i).knn);
    }
  const std::vector<int> of = nn::knn_cv_curve_of(specs);
  for (size_t j = 0; j < knn_runs.size(); ++j) {
    if (of[j] == int(j)) m.cv.queue.push_back({knn_runs[j]});
    else
      for (auto& q : m.cv.queue)
        if (q[0] == knn_runs[size_t(of[j])]) q.push_back(knn_runs[j]);
  }
  m.cv.runs.clear();
  launch_next_run_cv(s);
}

void stop_image_cv(AppState& s, bool wait) {
  s.images.cv.queue.clear();
  s.images.cv.task_runs.clear();
  auto& t = s.images.cv.task;
  if (!t) return;
  t->cancel = true;
#if NNPLAY_THREADED
  // It stops after its current piece (a few rows). Never on the browser's
  // main thread while the page runs: only at the native app's shutdown.
  for (int i = 0; wait && !t->finished && i < 2000; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
#else
  (void)wait;
#endif
  t.reset();
}

void image_cv_poll(AppState& s) {
  ImageCv& c = s.images.cv;
  if (!c.task) return;
#if !NNPLAY_THREADED
  c.task->work(20);  // one thread: a slice of each frame, so the page keeps drawing
#endif
  c.progress = c.task->progress;
  if (c.task->finished) {
    if (!c.task->error.empty()) {
      c.error = "Cross-validation failed: " + c.task->error;
      c.queue.clear();
    } else if (c.task->cv && c.task->cv->done()) {
      if (c.task_runs.empty()) {
        c.result = c.task->cv->result();
        c.have = true;
      } else {
        for (int i : c.task_runs) c.runs.set(i, c.task->cv->result(), c.task->knn);
        c.runs.about = c.about.substr(0, c.about.find(',')) + ", " + nn::enum_label(c.task->norm);
      }
    }
    c.task.reset();
    launch_next_run_cv(s);
  }
  wake(s);
}

// The right panel's kNN section: run it, watch it, read the course's figure,
// click a k to use it.
static void knn_cv_view(AppState& s) {
  ImageMode& m = s.images;
  ImageCv& c = m.cv;
  const float u = s.display.ui_scale;
  ImGui::TextUnformatted("Cross-validation over k");
  ImGui::SetNextItemWidth(90 * u);
  ImGui::SliderInt("folds##cv", &c.folds, 2, 10, "%d", ImGuiSliderFlags_AlwaysClamp);
  tooltip("The training images are split into this many folds; each is held out in turn and predicted from the others.");
  ImGui::SameLine();
  if (c.task) {
    if (ImGui::Button("Stop##cv")) stop_image_cv(s);
  } else {
    ImGui::BeginDisabled(!m.rows);
    if (ImGui::Button("Cross-validate k")) start_image_cv(s);
    ImGui::EndDisabled();
    tooltip("Validation accuracy of every k from 1 to 50 on held-out folds of the training images (the test images "
            "are not used), with the current metric and preprocessing.");
  }
  if (c.task) {
    char b[48];
    std::snprintf(b, sizeof b, "%.0f%%", 100 * c.progress);
    ImGui::ProgressBar(c.progress, {-1, 0}, b);
  }
  if (!c.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
    ImGui::TextWrapped("%s", c.error.c_str());
    ImGui::PopStyleColor();
  }
  if (!c.have) {
    if (!c.task) ImGui::TextDisabled("Not run yet.");
    return;
  }
  const nn::CvResult& r = c.result;
  const int picked = plot_cv_over_k("cvk", {ImGui::GetContentRegionAvail().x, 190 * u}, r.ks, r.fold_acc, r.mean_acc,
                                    r.std_acc, u);
  size_t best = 0;
  for (size_t i = 1; i < r.mean_acc.size(); ++i)
    if (r.mean_acc[i] > r.mean_acc[best]) best = i;
  ImGui::TextWrapped("%s. Best mean validation accuracy: k = %d (%.3f +- %.3f).", c.about.c_str(), r.ks[best],
                     r.mean_acc[best], r.std_acc[best]);
  if (c.for_data != m.data_version) ImGui::TextDisabled("(run on earlier training images)");
  const int use = picked > 0 ? picked : -1;
  if (m.spec.knn.k != r.ks[best]) {
    char b[32];
    std::snprintf(b, sizeof b, "Use k = %d", r.ks[best]);
    if (ImGui::SmallButton(b)) { m.spec.knn.k = r.ks[best]; image_model_changed(s); }
  }
  if (use > 0 && use != m.spec.knn.k) {
    m.spec.knn.k = use;
    image_model_changed(s);
  }
}

static void image_plots(AppState& s) {
  if (s.images.spec.kind == nn::ModelKind::KNN) {
    knn_cv_view(s);
    return;
  }
  ImGui::PushID("images");
  loss_and_accuracy_plots(s, s.training.history, /*with_reg=*/false, "Accuracy: training images and test images",
                          "test", 120);
  ImGui::PopID();
}

static void draw_image_center(AppState& s) {
  ImageMode& m = s.images;
  ImGui::Begin("Images##view", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoTitleBar);
  if (m.waiting) {
    ImGui::TextUnformatted(m.loading.c_str());
    const float t = float(ImGui::GetTime());
    ImGui::ProgressBar(m.progress >= 0 ? m.progress : -1.0f * t, {ImGui::GetContentRegionAvail().x * 0.6f, 0},
                       m.progress >= 0 ? nullptr : "");
    ImGui::TextDisabled("The image set is fetched only now that the Images mode is open.");
    ImGui::End();
    wake(s);
    return;
  }
  if (!m.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
    ImGui::TextWrapped("%s", m.error.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("Try again")) select_image_set(s, m.set);
    ImGui::SameLine();
    if (ImGui::Button("Back to Points")) set_image_mode(s, false);
    ImGui::End();
    return;
  }
  if (!m.rows) {
    ImGui::TextDisabled("No images loaded.");
    ImGui::End();
    return;
  }
  auto flags = [&](int t) {
    return m.tab_request == t ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
  };
  if (ImGui::BeginTabBar("imgtabs")) {
    // The weights tab keeps one id whatever its label says.
    const char* wlabel = s.compare.active() ? "Templates / filters###w"
                         : m.model == ImageModel::Linear ? "Templates###w"
                         : m.model == ImageModel::ConvNet ? "Filters###w"
                                                          : "Weights###w";
    // Comparing: the templates of every run side by side; the other views show one run, picked above them.
    const auto one_run = [&](void (*view)(AppState&)) {
      const int i = view_run(s, true);
      with_image_run(s, i, [&] { view(s); });
    };
    if (ImGui::BeginTabItem("Test images", nullptr, flags(0))) { one_run(test_grid_view); ImGui::EndTabItem(); }
    if (ImGui::BeginTabItem(wlabel, nullptr, flags(1))) {
      if (s.compare.active()) compare_weights_view(s);
      else weights_view(s);
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Confusion matrix", nullptr, flags(2))) { one_run(confusion_view); ImGui::EndTabItem(); }
    if (ImGui::BeginTabItem("Sketch pad", nullptr, flags(3))) { one_run(draw_sketch_pad); ImGui::EndTabItem(); }
    ImGui::EndTabBar();
  }
  m.tab_request = -1;
  ImGui::End();
}

static void draw_image_right(AppState& s) {
  ImGui::Begin("Selected image", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  const int i = view_run(s, false);
  if (s.compare.active()) {
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(run_color(i)), "Run %s", run_label(s, i).c_str());
    ImGui::PopTextWrapPos();
    tooltip("The selected image and its scores for this run; pick another run in the sidebar's tabs or above the "
            "test images.");
  }
  with_image_run(s, i, [&] { detail_view(s); });
  ImGui::Separator();
  if (s.compare.active()) draw_compare_plots(s);  // every run's curves on the same axes
  else image_plots(s);
  ImGui::End();
}

void draw_image_mode(AppState& s) {
  image_cv_poll(s);
  ImGuiIO& io = ImGui::GetIO();
  const float W = io.DisplaySize.x, H = io.DisplaySize.y, u = s.display.ui_scale;
  const float status_h = ImGui::GetFrameHeight() + 6 * u;
  const float sidebar_w = std::clamp(W * 0.25f, 250 * u, 320 * u);
  const float right_w = W >= 1000 * u ? std::clamp(W * 0.28f, 280 * u, 420 * u) : 0.f;
  s.display.sidebar_w = sidebar_w;
  s.display.analysis_w = right_w;
  s.display.status_h = status_h;
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize({sidebar_w, H - status_h});
  draw_image_sidebar(s);
  ImGui::SetNextWindowPos({sidebar_w, 0});
  ImGui::SetNextWindowSize({std::max(1.f, W - sidebar_w - right_w), H - status_h});
  draw_image_center(s);
  if (right_w > 0) {
    ImGui::SetNextWindowPos({W - right_w, 0});
    ImGui::SetNextWindowSize({right_w, H - status_h});
    draw_image_right(s);
  }
  draw_status_bar(s, W, H, status_h);
}

}  // namespace app
