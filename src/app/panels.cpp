// panels.cpp: the sidebar (Data, Model, Loss & regularisation, Optimiser,
// Training), the status bar and the help window. Each panel is a function of
// the app state: it reads the state and writes the user's intent back.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "core/limits.h"
#include "core/data/dataset.h"
#include "core/fast/fast_engine.h"
#include "core/models/net.h"
#include "imgui.h"
#include "palette.h"
#include "plot.h"
#include "widgets.h"

namespace app {

static void class_buttons(AppState& s) {
  const float sz = ImGui::GetFrameHeight() * 1.2f;
  int used = 2;
  for (const auto& p : s.edit.data.points) used = std::max(used, p.label + 1);
  const int shown = std::clamp(used + 1, 2, nn::kUiClasses);
  for (int c = 0; c < shown; ++c) {
    if (c > 0) ImGui::SameLine();
    const Rgb k = kClassColors[c];
    ImGui::PushID(c);
    ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(k.r, k.g, k.b, 255));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, IM_COL32(k.r, k.g, k.b, 210));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, IM_COL32(k.r, k.g, k.b, 160));
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(20, 20, 20, 255));
    ImGui::PushStyleColor(ImGuiCol_Border, IM_COL32(20, 20, 20, 255));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, s.edit.current_class == c ? 3.f * s.display.ui_scale : 0.f);
    char label[8];
    std::snprintf(label, sizeof label, "%d", c + 1);
    if (ImGui::Button(label, {sz, sz})) s.edit.current_class = c;
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(5);
    char tip[96];
    std::snprintf(tip, sizeof tip, "Draw points of class %d (%s). Shortcut: key %d.", c + 1, kClassNames[c], c + 1);
    tooltip(tip);
    ImGui::PopID();
  }
}

static void data_section(AppState& s) {
  if (!ImGui::CollapsingHeader("Data", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const bool regression = regression_data_controls(s);
  if (!regression) class_buttons(s);
  int tool = int(s.edit.tool);
  static const char* const tools[] = {"Add", "Spray", "Erase", "Move"};
  static const char* const tool_tips[] = {"Left-click adds one point of the selected class.",
                                          "Hold the left button to spray points inside the brush.",
                                          "Hold the left button to erase the points under the brush.",
                                          "Drag a point to move it."};
  radio_row(tool, tools, tool_tips, 4);  // wraps in a narrow sidebar
  s.edit.tool = Tool(tool);
  if (s.edit.tool == Tool::Spray || s.edit.tool == Tool::Erase) {
    double r = s.edit.brush_radius;
    if (slider_double(s, "brush", r, 0.02, 0.6, "%.2f", false, "Brush radius in plane units.")) s.edit.brush_radius = float(r);
    if (s.edit.tool == Tool::Spray) slider_int(s, "density", s.edit.brush_density, 1, 20, "Points sprayed per stroke step.");
  }
  int counts[nn::kMaxClasses] = {0}, nval = 0;
  for (const auto& p : s.edit.data.points) { ++counts[std::clamp(p.label, 0, nn::kMaxClasses - 1)]; nval += p.validation; }
  ImGui::Text(regression ? "%d points (%d validation)" : "%d points (%d validation):", int(s.edit.data.points.size()), nval);
  for (int c = 0; c < s.edit.data.num_classes && !regression; ++c) {
    same_line_if_fits(ImGui::CalcTextSize(std::to_string(counts[c]).c_str()).x);
    const Rgb k = kClassColors[c];
    ImGui::TextColored(ImVec4(k.r / 320.f, k.g / 320.f, k.b / 320.f, 1), "%d", counts[c]);
  }
  if (ImGui::Button("Clear")) clear_points(s);
  tooltip("Remove every point (undo brings them back).");
  ImGui::SameLine();
  ImGui::BeginDisabled(s.edit.undo_stack.empty());
  if (ImGui::Button("Undo")) undo(s);
  tooltip("Undo the last edit of the data (Ctrl+Z).");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(s.edit.redo_stack.empty());
  if (ImGui::Button("Redo")) redo(s);
  tooltip("Redo an undone edit (Ctrl+Y or Ctrl+Shift+Z).");
  ImGui::EndDisabled();
  ImGui::Checkbox("Show validation points", &s.display.show_validation);
  tooltip("Validation points (hollow rings) are held out of training: they measure how well the model generalises.");

  if (!regression && ImGui::TreeNodeEx("Generate a data set", ImGuiTreeNodeFlags_DefaultOpen)) {
    enum_combo("shape", s.edit.gen.kind, "The shape of the generated classes.");
    slider_int(s, "points", s.edit.gen.n, 10, nn::kUiMaxGenPoints, "How many points to generate.", true);
    if (nn::gen_has_classes(s.edit.gen.kind))
      slider_int(s, "classes", s.edit.gen.classes, 2, nn::kUiClasses, "Number of classes (blobs, spiral arms, linear regions).");
    double noise = s.edit.gen.noise;
    if (slider_double(s, "noise", noise, 0.0, 0.5, "%.2f", false, "Random jitter added to every point.")) s.edit.gen.noise = float(noise);
    slider_int(s, "seed", s.edit.gen.seed, 0, 9999, "The same seed always generates the same points.");
    double vr = s.edit.gen.val_ratio;
    if (slider_double(s, "validation", vr, 0.0, 0.9, "%.2f", false,
                      "Share of points held out for validation, drawn as hollow rings."))
      s.edit.gen.val_ratio = float(vr);
    if (ImGui::Button("Generate")) generate_data(s);
    tooltip("Replace the points with a generated data set (undo brings the old ones back).");
    ImGui::SameLine();
    if (ImGui::Button("Re-split")) {
      s.edit.begin();
      nn::split_train_val(s.edit.data, s.edit.gen.val_ratio, uint64_t(s.edit.gen.seed) + 7 + s.edit.undo_stack.size());
      data_changed(s);
    }
    tooltip("Draw a new random train/validation split of the current points.");
    ImGui::TreePop();
  }
}

static void layer_editor(AppState& s, nn::ModelSpec& sp) {
  ImGui::TextUnformatted("Hidden layers");
  tooltip("Each hidden layer: affine, optional batchnorm, activation, optional dropout.");
  int remove = -1;
  for (int i = 0; i < int(sp.hidden.size()); ++i) {
    auto& L = sp.hidden[i];
    ImGui::PushID(i);
    ImGui::AlignTextToFramePadding();
    ImGui::Text("%d", i + 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.38f);
    slider_int(s, "##w", L.width, 1, nn::kUiMaxLayerWidth, "Units in this layer: more units, more capacity.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::GetFrameHeight() - 8 * s.display.ui_scale);
    enum_combo("##act", L.act, "The layer's non-linearity (hover the open list for each one's trade-off).");
    ImGui::SameLine();
    if (ImGui::Button("x", {ImGui::GetFrameHeight(), 0})) remove = i;
    tooltip("Remove this layer.");
    ImGui::Indent();
    ImGui::Checkbox("batchnorm", &L.batchnorm);
    tooltip("Normalise each unit over the minibatch before the activation, then scale by gamma and shift by beta.");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);
    slider_double(s, "keep p", L.dropout_keep, 0.1, 1.0, "%.2f", false,
                  "Dropout: each unit is kept with probability p during training (and scaled by 1/p); 1 = off.");
    if (L.act == nn::Activation::LeakyReLU || L.act == nn::Activation::ELU)
      slider_double(s, "alpha", L.alpha, 0.001, 1.0, "%.3f", true, "Slope (Leaky ReLU) or scale (ELU) below zero.");
    if (L.act == nn::Activation::Maxout)
      slider_int(s, "pieces k", L.maxout_k, 2, nn::kUiMaxMaxoutPieces, "Each Maxout unit outputs the max of k linear pieces.");
    ImGui::Unindent();
    ImGui::PopID();
  }
  if (remove >= 0) sp.hidden.erase(sp.hidden.begin() + remove);
  ImGui::BeginDisabled(int(sp.hidden.size()) >= nn::kUiMaxHiddenLayers);
  if (ImGui::Button("Add layer")) sp.hidden.push_back(sp.hidden.empty() ? nn::HiddenLayerSpec{} : sp.hidden.back());
  tooltip("Append a hidden layer: depth lets the network compose features.");
  ImGui::EndDisabled();
}

// Cross-validation over k on the training points (5 folds), drawn as the
// image mode draws it; clicking a column uses that k.
void run_knn_cv_2d(AppState& s, const nn::ModelSpec& sp) {
  std::vector<int> ks;
  for (int k : {1, 2, 3, 5, 7, 10, 15, 20, 30, 50}) ks.push_back(k);
  const int n_train = int(s.edit.data.points.size()) -
                      int(std::count_if(s.edit.data.points.begin(), s.edit.data.points.end(),
                                        [](const nn::Point& p) { return p.validation; }));
  char b[96];
  if (s.compare.active()) {
    // Every kNN run, each distinct curve once (runs differing only in k share one).
    RunsCv& c = s.compare.knn_cv;
    c.clear();
    std::vector<int> runs;
    std::vector<nn::KnnSpec> specs;
    for (int i = 0; i < s.compare.count(); ++i)
      if (run_spec(s, i).kind == nn::ModelKind::KNN) {
        runs.push_back(i);
        specs.push_back(run_spec(s, i).knn);
      }
    try {
      const std::vector<nn::CvResult> r = nn::knn_cross_validate_runs(s.edit.data, specs, ks, 5, /*seed=*/1);
      for (size_t j = 0; j < runs.size(); ++j) c.set(runs[j], r[j], specs[j]);
      std::snprintf(b, sizeof b, "5 folds of the %d training points", n_train);
      c.about = b;
    } catch (const std::exception& e) {
      c.clear();
      notify(s, std::string("Cross-validation: ") + e.what());
    }
    return;
  }
  try {
    s.knn_cv = nn::knn_cross_validate_folds(s.edit.data, ks, sp.knn.metric, 5, /*seed=*/1, sp.knn.weighted);
    std::snprintf(b, sizeof b, "5 folds of the %d training points, %s", n_train, nn::enum_label(sp.knn.metric));
    s.knn_cv_about = b;
  } catch (const std::exception& e) {
    s.knn_cv = {};
    notify(s, std::string("Cross-validation: ") + e.what());
  }
}

static void knn_cv_2d(AppState& s, nn::ModelSpec& sp) {
  if (ImGui::SmallButton("Cross-validate k")) run_knn_cv_2d(s, sp);
  if (s.compare.active()) {
    tooltip("Validation accuracy of each k on held-out folds of the training points, for every kNN run of the "
            "comparison: the curves are drawn over each other in the Plots panel, in the runs' colours.");
    return;
  }
  tooltip("Validation accuracy of each k on held-out folds of the training points (the validation points are not "
          "used): each fold's as a dot, the mean +- std as a line.");
  if (s.knn_cv.ks.empty()) return;
  if (ImGui::SameLine(); ImGui::SmallButton("hide##cv")) { s.knn_cv = {}; return; }
  const int picked = plot_cv_over_k("cv2d", {ImGui::GetContentRegionAvail().x, 150 * s.display.ui_scale}, s.knn_cv.ks,
                                    s.knn_cv.fold_acc, s.knn_cv.mean_acc, s.knn_cv.std_acc, s.display.ui_scale);
  if (picked > 0) sp.knn.k = picked;
  ImGui::TextDisabled("%s", s.knn_cv_about.c_str());
}

static void model_section(AppState& s, nn::ModelSpec& sp) {
  if (!ImGui::CollapsingHeader("Model", ImGuiTreeNodeFlags_DefaultOpen)) return;
  enum_radio(sp.kind);
  if (sp.kind == nn::ModelKind::KNN) {
    slider_int(s, "k", sp.knn.k, 1, 50,
               "How many nearest training points vote. k = 1 fits every point (zero training error); larger k smooths.");
    enum_radio(sp.knn.metric);
    ImGui::SameLine();
    ImGui::Checkbox("weighted", &sp.knn.weighted);
    tooltip("Each neighbour votes with weight 1/distance.");
    knn_cv_2d(s, sp);
    return;
  }
  ImGui::Checkbox("bias b", &sp.use_bias);
  tooltip("Without b every boundary w.x = 0 must pass through the origin.");
  if (sp.kind == nn::ModelKind::Net) layer_editor(s, sp);
  enum_combo("init", sp.init.kind,
             "Weight initialisation. Zeros leaves hidden units identical (symmetry); too large saturates "
             "tanh/sigmoid; He suits ReLU.");
  if (sp.init.kind == nn::InitKind::SmallRandom || sp.init.kind == nn::InitKind::Xavier ||
      sp.init.kind == nn::InitKind::He)
    slider_double(s, "init gain", sp.init.gain, 0.01, 100, "%.2f", true,
                  "Multiplies the random initial weights: large gains push tanh/sigmoid units onto their flat tails "
                  "(saturation), tiny ones make deep activations vanish.");
  if (sp.init.kind == nn::InitKind::Constant)
    slider_double(s, "constant", sp.init.constant, -1, 1, "%.3f", false, "Every weight starts at this value.");
  enum_combo("preprocess", sp.preprocess.kind,
             "Applied to the inputs with statistics from the training points only: centre, scale to unit "
             "variance, rotate onto principal axes (PCA), or rotate and scale to identity covariance (whiten).");
  ImGui::Checkbox("x\xc2\xb2", &sp.preprocess.square); tooltip("Add x1^2 and x2^2 as input features.");
  ImGui::SameLine(); ImGui::Checkbox("x1\xc2\xb7x2", &sp.preprocess.cross); tooltip("Add the product x1*x2 as a feature.");
  ImGui::SameLine(); ImGui::Checkbox("sin", &sp.preprocess.sines); tooltip("Add sin(x1) and sin(x2) as features.");
  slider_double(s, "input scale s", sp.preprocess.scale, nn::kUiMinInputScale, nn::kUiMaxInputScale, "%.3g", true,
                "Multiplies every feature by s before the model (after the preprocessing above). Weight gradients "
                "grow with s, so the learning rate that works shrinks: try s = 10 with plain SGD.");
  ImGui::Checkbox("Show preprocessed data", &s.display.show_preprocessed);
  tooltip("Draw the points as the model sees them after preprocessing (first two features).");
}

static void loss_section(AppState& s, nn::ModelSpec& sp) {
  if (sp.kind == nn::ModelKind::KNN) return;
  if (!ImGui::CollapsingHeader("Loss & regularisation", ImGuiTreeNodeFlags_DefaultOpen)) return;
  // Only the losses of the problem at hand: class losses or regression losses.
  const bool regression = nn::is_regression(s.edit.data.problem);
  if (ImGui::BeginCombo("loss", nn::enum_label(sp.loss.kind))) {
    for (const nn::EnumRow<nn::LossKind>& r : nn::enum_rows<nn::LossKind>()) {
      if (nn::is_regression(r.value) != regression) continue;
      if (ImGui::Selectable(r.label, r.value == sp.loss.kind)) sp.loss.kind = r.value;
      tooltip(r.tip);
    }
    ImGui::EndCombo();
  }
  tooltip(regression ? "L2 squares each error (a far point pulls hard); L1 takes its size; Huber squares small "
                       "errors and takes the size of large ones."
                     : "SVM: every wrong class must score delta below the right one. Softmax: cross-entropy of the "
                       "probabilities, never fully satisfied.");
  if (sp.loss.kind == nn::LossKind::Huber)
    slider_double(s, "delta", sp.loss.delta, 0.01, 10, "%.2f", true,
                  "Huber's delta: errors smaller than delta are squared, larger ones count by their size.");
  else if (sp.loss.kind != nn::LossKind::Softmax && !regression)
    slider_double(s, "delta", sp.loss.delta, 0.01, 10, "%.2f", true,
                  "The SVM margin. With regularisation only the ratio of delta to the weight scale matters.");
  enum_combo("reg", sp.loss.reg,
             "Penalty on the weights (never the biases): L2 prefers many small weights, L1 sparse ones.");
  if (sp.loss.reg != nn::RegKind::None)
    slider_double(s, "lambda", sp.loss.lambda, 1e-6, 10, "%.1e", true,
                  "Regularisation strength: larger lambda, simpler boundary, and the loss can no longer reach 0.");
  if (sp.loss.reg == nn::RegKind::ElasticNet)
    slider_double(s, "L1 share", sp.loss.l1_ratio, 0, 1, "%.2f", false, "Mix of L1 in the elastic net penalty.");
}

static void optim_section(AppState& s, nn::ModelSpec& sp) {
  if (sp.kind == nn::ModelKind::KNN) return;
  if (!ImGui::CollapsingHeader("Optimiser", ImGuiTreeNodeFlags_DefaultOpen)) return;
  auto& o = sp.optim;
  enum_combo("optimiser", o.kind,
             "SGD steps down the gradient; momentum keeps a velocity; Adagrad/RMSProp scale per parameter; Adam "
             "does both; L-BFGS uses curvature but needs the full training set each step.");
  slider_double(s, "learning rate", o.lr, 1e-5, 10, "%.1e", true,
                "Step size. Too high: the loss bounces or explodes; too low: it barely moves.");
  if (o.kind == nn::OptimKind::Momentum || o.kind == nn::OptimKind::Nesterov)
    slider_double(s, "mu", o.mu, 0, 0.999, "%.3f", false,
                  "Momentum: the share of the previous velocity kept each step (like friction: 0.9 keeps 90%).");
  if (o.kind == nn::OptimKind::RMSProp)
    slider_double(s, "decay rate", o.decay_rate, 0.5, 0.9999, "%.4f", false,
                  "How slowly RMSProp forgets past squared gradients.");
  if (o.kind == nn::OptimKind::Adam) {
    slider_double(s, "beta1", o.beta1, 0, 0.999, "%.3f", false, "Decay of Adam's first moment (momentum).");
    slider_double(s, "beta2", o.beta2, 0.9, 0.99999, "%.5f", false, "Decay of Adam's second moment (per-parameter scale).");
  }
  if (o.kind == nn::OptimKind::LBFGS) {
    slider_int(s, "history m", o.lbfgs_m, 1, 50, "Past steps L-BFGS keeps to estimate curvature.");
  } else {
    bool full = o.batch_size == 0;
    if (ImGui::Checkbox("full batch", &full)) o.batch_size = full ? 0 : 32;
    tooltip("Use every training point in each step (smooth but slow); otherwise a random minibatch.");
    if (!full) {
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
      slider_int(s, "batch", o.batch_size, 1, nn::kUiMaxBatch,
                 "Points per step. Small batches give noisy (wiggly) loss curves; 1 is pure SGD.", true);
    }
  }
  enum_combo("schedule", o.schedule,
             "How the learning rate falls over epochs: lowering it late lets the parameters settle into narrow "
             "minima.");
  if (o.schedule == nn::ScheduleKind::Step) {
    slider_double(s, "every (epochs)", o.step_epochs, 1, 1000, "%.0f", true, "Epochs between two decays.");
    slider_double(s, "factor", o.decay, 0.01, 0.99, "%.2f", false, "Multiply the learning rate by this at each decay.");
  } else if (o.schedule != nn::ScheduleKind::Constant) {
    slider_double(s, "decay k", o.decay, 1e-4, 1, "%.4f", true, "Decay constant per epoch.");
  }
  bool clip = o.clip_norm > 0;
  if (ImGui::Checkbox("clip gradients", &clip)) o.clip_norm = clip ? 5.0 : 0.0;
  tooltip("Scale the whole gradient down when its norm exceeds the limit: guards against explosions.");
  if (clip) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    slider_double(s, "max norm", o.clip_norm, 0.01, 100, "%.2f", true, "Largest global gradient norm allowed.");
  }
  enum_combo("engine", sp.engine,
             "Which arithmetic trains: the fast float32 engine, or the double-precision reference it is tested "
             "against. Switching keeps the weights.");
  if (sp.engine == nn::EngineKind::Fast) {
    const std::string why = nn::fast_engine_unsupported(sp);
    if (!why.empty()) {
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextDisabled("This model runs on the reference engine: %s.", why.c_str());
      ImGui::PopTextWrapPos();
    }
  }
  int seed = int(sp.seed % 10000);
  if (slider_int(s, "seed", seed, 0, 9999, "Seed of initialisation, shuffles and dropout: the same seed gives the same run."))
    sp.seed = uint64_t(seed);
}

static void training_section(AppState& s) {
  if (s.spec.kind == nn::ModelKind::KNN) return;
  if (!ImGui::CollapsingHeader("Training", ImGuiTreeNodeFlags_DefaultOpen)) return;
  const Snapshot* snap = s.training.snapshot.get();
  if (ImGui::Button(s.training.playing ? "Pause" : "Play", {ImGui::GetFontSize() * 4.5f, 0})) set_playing(s, !s.training.playing);
  tooltip("Train continuously (Space).");
  ImGui::SameLine();
  if (ImGui::Button("Step")) step_runs(s, 1);
  tooltip("One minibatch update (S).");
  ImGui::SameLine();
  if (ImGui::Button("Epoch")) epoch_runs(s);
  tooltip("Train until one more pass over the training points is done (E).");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) reset_runs(s);
  tooltip("Start again from a fresh initialisation with the same seed (R). Your points are kept.");
  if (slider_int(s, "steps/frame", s.training.steps_per_frame, 1, nn::kUiMaxStepsPerFrame, "Training speed: updates per displayed frame.", true))
    set_steps_per_frame(s, s.training.steps_per_frame);
  if (snap) {
    ImGui::Text("step %lld   epoch %.2f", (long long)snap->step, snap->epoch);
    if (snap->last.step > 0) {
      ImGui::Text("loss %.4f (data %.4f + reg %.4f)", snap->last.data_loss + snap->last.reg_loss, snap->last.data_loss,
                  snap->last.reg_loss);
      const auto& h = s.training.history;
      if (!h.train_rmse.empty() && std::isfinite(h.train_rmse.back())) {
        ImGui::Text("train RMSE %.4f", h.train_rmse.back());
        if (std::isfinite(h.val_rmse.back())) { ImGui::SameLine(); ImGui::Text("  val RMSE %.4f", h.val_rmse.back()); }
      } else if (!h.train_acc.empty()) {
        ImGui::Text("train acc %.1f%%", 100 * h.train_acc.back());
        if (std::isfinite(h.val_acc.back())) { ImGui::SameLine(); ImGui::Text("  val acc %.1f%%", 100 * h.val_acc.back()); }
      }
      ImGui::Text("learning rate %.2e", snap->last.lr);
    }
    if (snap->divergence.diverged) {
      ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
      ImGui::TextWrapped("%s", snap->divergence.message.c_str());
      ImGui::PopStyleColor();
      if (ImGui::Button("Continue from last good parameters")) s.training.host->restore_last_good();
      tooltip("The parameters are already back to the step before the blow-up; this lets training go on.");
    }
    if (!snap->error.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
      ImGui::TextWrapped("%s", snap->error.c_str());
      ImGui::PopStyleColor();
    }
    if (!snap->dead_units.empty() && !snap->divergence.diverged) {
      // A lesson rather than an error: amber, not red.
      ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(170, 95, 0, 255));
      ImGui::TextWrapped("%s", snap->dead_units.c_str());
      ImGui::PopStyleColor();
    }
    if (!snap->notice.empty()) ImGui::TextWrapped("%s", snap->notice.c_str());
  }
}

static void display_section(AppState& s) {
  if (!ImGui::CollapsingHeader("Display")) return;
  if (regression_display_controls(s)) return;
  int heat = s.display.heat_class + 1;
  const char* const items[] = {"class regions", "class 1 probability", "class 2 probability", "class 3 probability",
                                "class 4 probability", "class 5 probability", "class 6 probability"};
  if (combo("shading", heat, items, std::min(7, s.edit.data.num_classes + 1),
            "Colour the plane by predicted class (saturation = confidence) or by one class's softmax probability."))
    s.display.regions.dirty = true;
  s.display.heat_class = heat - 1;
  if (ImGui::Checkbox("decision boundary", &s.display.show_contour)) s.display.regions.dirty = true;
  tooltip("Outline where the predicted class changes.");
}

void begin_sidebar(AppState& s) {
  ImGui::Begin("nnplay", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  draw_mode_switch(s);
}

void draw_sidebar(AppState& s) {
  begin_sidebar(s);
  data_section(s);
  draw_compare_bar(s);  // with runs to compare, the sections below edit the selected run
  nn::ModelSpec& target = selected_spec(s);
  nn::ModelSpec sp = target;
  model_section(s, sp);
  loss_section(s, sp);
  optim_section(s, sp);
  if (!(sp == target)) {
    target = sp;
    selected_spec_changed(s);
  }
  training_section(s);
  display_section(s);
  if (!s.display.wide_layout) draw_plots(s);
  ImGui::PopItemWidth();
  ImGui::Separator();
  // The window buttons wrap onto as many rows as the sidebar's width needs.
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  bool first_button = true;
  auto button = [&](const char* label, const char* tip) {
    const float w = ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2;
    if (!first_button && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <= right) ImGui::SameLine();
    first_button = false;
    const bool pressed = ImGui::Button(label);
    tooltip(tip);
    return pressed;
  };
  if (button("Save / load", "Save the session (points, model, settings) as JSON, a link or CSV, or load one."))
    s.io.open = !s.io.open;
  if (button("Share / embed", "A link to this session and an <iframe> snippet for course notes, with the layout and "
                              "controls the reader gets."))
    s.share.open = !s.share.open, s.share.stale = true;
  if (button("Export PNG (P)", "Save the canvas (regions and points) as a PNG image at the screen's resolution."))
    request_png_export(s);
  if (button("Concepts", "Browse the course's concepts; 'Show me' loads a live demonstration."))
    s.concepts.open = !s.concepts.open;
  if (button("ConvNet calculator", "Output sizes, parameters, memory and receptive fields of a stack of conv/pool/FC layers."))
    s.convnet.open = !s.convnet.open;
  if (button("Help (H)", "Keyboard shortcuts and how to use the canvas.")) s.show_help = !s.show_help;
  ImGui::End();
}

void draw_status_bar(AppState& s, float W, float H, float status_h) {
  ImGui::SetNextWindowPos({0, H - status_h});
  ImGui::SetNextWindowSize({W, status_h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {8 * s.display.ui_scale, 3 * s.display.ui_scale});
  ImGui::Begin("Status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings);
  // The image mode draws no decision regions: their last timing would be the Points view's.
  if (s.images.active)
    ImGui::Text("nnplay | build: %s | %.0f fps", s.platform.build_info.c_str(), s.fps);
  else
    ImGui::Text("nnplay | build: %s | %.0f fps | regions %dx%d in %.1f ms", s.platform.build_info.c_str(), s.fps,
                s.display.regions.w, s.display.regions.h, s.display.regions.last_ms);
  if (!s.message.empty() && ImGui::GetTime() - s.message_time < 8) {
    ImGui::SameLine();
    ImGui::TextColored({0.05f, 0.3f, 0.6f, 1}, "| %s", s.message.c_str());
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

void draw_help(AppState& s) {
  ImGui::SetNextWindowSize({440 * s.display.ui_scale, 0}, ImGuiCond_Appearing);
  ImGui::SetNextWindowPos({s.display.view.x + 20 * s.display.ui_scale, 20 * s.display.ui_scale}, ImGuiCond_Appearing);
  ImGui::Begin("Help", &s.show_help, ImGuiWindowFlags_NoSavedSettings);
  const char* const canvas[] = {
      "Left-click: add a point (or spray / erase / move, per the tool)", "Right-click: remove the nearest point",
      "Hover a point: its scores, probabilities and loss",
      "Linear model: drag a line to move it, its arrow tip to turn and scale w",
      "(Shift+click adds a point right on a line)",
      ("Regression (Data > problem): 1D points are (x, target y), 2D points carry the 'new value'; "
       "hover a point for its target, prediction and loss")};
  const char* const keys[] = {"1 - 6: class to draw", "Space: play / pause training",
                                     "S: one step    E: one epoch    R: reset the weights",
                                     "Ctrl+Z: undo    Ctrl+Y (or Ctrl+Shift+Z): redo", "P: export the canvas as PNG",
                                     "H or F1: this help"};
  ImGui::TextUnformatted("Canvas");
  for (const char* line : canvas) ImGui::BulletText("%s", line);
  ImGui::TextUnformatted("Keys");
  for (const char* line : keys) ImGui::BulletText("%s", line);
  ImGui::End();
}

}  // namespace app
