// trainer.h: one training run of a linear classifier or network: the data,
// the preprocessing fitted on it, the model, the optimiser, the seeded random
// stream, step and epoch counters, per-step statistics and divergence checks.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/examples.h"
#include "core/models/model.h"
#include "core/train/engine.h"
#include "core/train/inspect.h"
#include "core/train/optim.h"
#include "core/data/preprocess.h"
#include "core/rng.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one step did and, when `evaluated`, how the model does on the whole
// training and validation sets afterwards (test mode: no dropout, batchnorm
// running averages).
struct StepStats {
  int64_t step = 0;      // updates done, this one included (the first step is 1)
  double epoch = 0;      // passes over the training set after this step (fractional)
  double lr = 0;         // learning rate used; for L-BFGS the step length t its line search took
  double data_loss = 0;  // of this step's minibatch, training mode, before the update
  double reg_loss = 0;
  double grad_norm = 0;  // global gradient norm, before clipping
  bool evaluated = false;
  double train_acc = kNaN, val_acc = kNaN;  // in [0, 1]; val_* are NaN without validation points
  double train_data_loss = kNaN, train_reg_loss = kNaN, val_data_loss = kNaN;
  // Regression: root mean squared error of the outputs (NaN otherwise, and
  // then the *_acc fields are NaN in a regression).
  double train_rmse = kNaN, val_rmse = kNaN;
};

struct DivergenceStatus {
  bool diverged = false;
  int64_t step = 0;           // the step that produced NaN or Inf
  int64_t restored_step = 0;  // the parameters are now those after this step
  std::string message;        // a sentence for the user
};

// A frozen copy of the model and its preprocessing: predicts raw points on
// another thread while training goes on.
struct Predictor {
  std::unique_ptr<Model> model;
  Preprocessor preprocessor;             // 2D points
  bool rows = false;                     // true: rows of an Examples set, through image_preprocessor
  ImagePreprocessor image_preprocessor;
  ModelSpec spec;
  int64_t step = 0;  // the step the copy was taken after
  ProblemKind problem = ProblemKind::Classification;  // Regression1D: inputs (x, 0)

  // Regression: N x outputs real predictions.
  Mat predict_scores(const Mat& X_raw) const;  // raw N x 2 coordinates (or N x D rows) -> N x C scores
  int predict(double x, double y) const;
};

// The working memory one training step of `spec` holds for `rows` rows: the
// activations of every layer (input and scores included), their gradients
// and the layers' caches, at the engine's precision. An estimate from the
// layer sizes, for refusing a step that cannot fit (kMaxStepMemoryMB).
double training_step_bytes(const ModelSpec& spec, int input_dim, int classes, size_t rows);

class Trainer {
 public:
  // Throws std::runtime_error for a kNN spec (kNN has no training: the UI
  // uses KnnIndex directly), a bad spec, or labels outside 0..num_classes-1.
  // A data set with no training points is fine until step() is called.
  Trainer(const Dataset& data, const ModelSpec& spec);
  // The example path: rows of D features (images: D = H*W*C) with labels,
  // already split into training and validation. Preprocessing is
  // spec.preprocess.image (ImagePreprocessor); the 2D fields of
  // spec.preprocess must be at their defaults. Conv layers read the rows as
  // spec.input volumes. Throws as above, or if D is 0.
  Trainer(const Examples& rows, const ModelSpec& spec);
  // The same on rows shared with others (no copy of the raw rows: compared
  // runs in the image mode all read one set; each keeps only its own
  // preprocessed copy).
  Trainer(std::shared_ptr<const Examples> rows, const ModelSpec& spec);

  // One minibatch update (or one L-BFGS iteration on the full batch).
  // Throws std::runtime_error if there are no training points or if training
  // has diverged and the divergence was not cleared.
  StepStats step();

  // New description. If the parameter shapes stay the same (same kind,
  // bias, hidden widths, activations, maxout k, batchnorm, preprocessing,
  // init and seed), parameters and optimiser state are kept and the new
  // hyperparameters apply from the next step (lr, mu, lambda, delta, loss,
  // dropout p, batch size, schedule, clipping...); a different optimiser
  // kind restarts the optimiser state only. Otherwise the run starts over
  // like reset(). Returns true if it started over.
  bool set_spec(const ModelSpec& spec);
  // New points (the user edited them): preprocessing is refitted on the new
  // training points and the current epoch restarts. Parameters are kept if
  // the input dimension and the number of classes are unchanged; otherwise
  // the run starts over. Returns true if it started over.
  bool set_data(const Dataset& data);
  // The same for the example path (only on a Trainer built from Examples).
  bool set_examples(const Examples& rows);
  bool set_examples(std::shared_ptr<const Examples> rows);  // shared, as the constructor
  // True when built from Examples.
  bool rows_mode() const { return rows_mode_; }
  // Fresh initialisation from spec.seed: counters 0, history and divergence
  // cleared. Same seed, same steps => same run bit for bit.
  void reset();

  // ---- Divergence --------------------------------------------------------
  // A step diverges when its loss or its updated parameters are not finite.
  // The loss of step k is measured BEFORE its update, at the parameters step
  // k-1 left; so a non-finite loss condemns those parameters too, and step()
  // rolls back to the last parameters whose loss came out finite: two steps
  // back (with a fresh optimiser state, since the velocity or history that
  // led there points the wrong way). A finite loss with non-finite updated
  // parameters rolls back one step, optimiser state included. The step
  // counter, epoch position and history follow the parameters back.
  const DivergenceStatus& divergence() const { return divergence_; }
  void clear_divergence() { divergence_ = {}; }
  // Puts back the model and optimiser state from before the last step, e.g.
  // after a step that threw part-way (out of memory).
  void restore_last_good();

  // ---- Dead units ----------------------------------------------------------
  // all_dead_message (inspect.h) on the training points: a sentence when a
  // ReLU layer has every unit dead, "" otherwise. Not an error: a lesson.
  std::string dead_units_message();

  // ---- Statistics --------------------------------------------------------
  int64_t step_count() const { return step_; }
  // The training rows (indices into X_train) the last minibatch step used.
  const std::vector<int>& last_batch() const { return last_batch_; }
  // The seed of the minibatch order, derived from spec.seed (and nothing else).
  static uint64_t order_seed(uint64_t seed) { return seed ^ 0x6a09e667f3bcc909ULL; }
  double epoch() const { return double(epochs_done_) + double(cursor_) / double(std::max<size_t>(1, y_train_.size())); }
  // The last step's statistics (after load_trained, the loaded state's).
  const StepStats& last() const { return history_count_ == 0 ? last_ : history_[history_slot(history_count_ - 1)]; }
  // The recent steps, oldest first: the last kMaxHistory (a copy).
  // A UI keeps its own record, appending history_since() after each batch of
  // steps (at most kUiMaxStepsPerFrame), so a short window is enough, and it
  // stays in cache: a long one cost tiny nets a sixth of their step time.
  std::vector<StepStats> history() const { return history_since(std::numeric_limits<int64_t>::min()); }
  // The entries with step > after_step, for a UI that appends incrementally.
  std::vector<StepStats> history_since(int64_t after_step) const;
  static constexpr size_t kMaxHistory = 8192;  // a power of two (the ring's index is masked)
  // Full-set evaluation every n steps; 0 (default) = every step up to 1000
  // training points, every 10 steps above.
  void set_eval_every(int n) { eval_every_ = n < 0 ? 0 : n; }
  int eval_every() const;
  // Norms and update/parameter ratios of the last step (computed on demand).
  const std::vector<ParamStats>& param_stats();
  // Per hidden layer statistics on the training points (test mode).
  std::vector<LayerStats> inspect();

  // ---- Predictions (test mode) -------------------------------------------
  Mat predict_scores(const Mat& X_raw);  // raw N x 2 coordinates (or N x D rows) -> N x C
  // The same through the training engine's own arithmetic (the fast engine's
  // float forward pass: equal up to float rounding, and much faster for conv layers).
  Mat predict_scores_fast(const Mat& X_raw);
  int predict(double x, double y);
  // Fraction of correctly classified training (or validation) points; NaN if
  // there are none.
  double accuracy(bool validation);
  // Regression: RMSE over the training (or validation) points; NaN otherwise.
  double rmse(bool validation);
  // True when the points are a regression problem (targets, not labels).
  bool regression() const;

  Predictor predictor();

  // ---- Parameters --------------------------------------------------------
  // The current parameters as a double-precision model (read only).
  const Model& model() { return engine_->model(); }
  // Sets the parameters by hand (same shapes), e.g. a line dragged on the canvas.
  void set_params(const Model& m) { engine_->set_params(m); }
  // The trained model for a session: parameters, batchnorm statistics, step
  // and epoch counters, optimiser state.
  TrainedState trained_state();
  // Puts a saved trained model back: the predictions are exactly the saved
  // model's at once, and training continues from its step counter and
  // optimiser state (the epoch restarts at its beginning, with a fresh
  // shuffle). History and divergence are cleared and the state is evaluated
  // once (last()). Throws std::runtime_error naming the first matrix whose
  // name or shape does not fit the spec, and then changes nothing.
  void load_trained(const TrainedState& t);
  // The engine that trains: spec().engine, except that full-batch L-BFGS
  // always runs on the reference engine.
  EngineKind engine_kind() const { return engine_->kind(); }

  // ---- Parts, for the UI's panels ----------------------------------------
  const ModelSpec& spec() const { return spec_; }
  const Dataset& data() const { return data_; }
  const Preprocessor& preprocessor() const { return pre_; }
  const ImagePreprocessor& image_preprocessor() const { return ipre_; }
  const Examples& examples() const { return *rows_; }
  const Mat& X_train() const { return X_train_; }  // preprocessed, N_train x D
  const Labels& y_train() const { return y_train_; }
  const Mat& X_val() const { return X_val_; }
  const Labels& y_val() const { return y_val_; }
  const Mat& T_train() const { return T_train_; }  // regression targets
  const Mat& T_val() const { return T_val_; }

 private:
  void fit_preprocessing();
  int input_dim() const { return rows_mode_ ? ipre_.output_dim() : pre_.output_dim(); }
  // Outputs of the model: the classes, or one real output for a regression.
  int num_classes() const { return rows_mode_ ? rows_->num_classes : is_regression(data_.problem) ? 1 : data_.num_classes; }
  // Raw rows -> what the model sees (a 1D regression's second input held at 0).
  Mat inputs_of(const Mat& X_raw) const;
  void new_engine(std::unique_ptr<Model> initial);
  void minibatch_update(StepStats& s);
  void lbfgs_update(StepStats& s);
  std::string what_diverged(const StepStats& s);
  // The rare branches of step(), out of line: its common path then holds no
  // object with a destructor, so that in WebAssembly (whose exceptions
  // Emscripten 3.1.6 implements in JavaScript) no call of a step goes out to
  // a JavaScript exception wrapper and back.
  void check_step_rows(size_t rows);
  void diverged_step(const StepStats& s);
  // The parameters and counters at one moment, for rolling back.
  struct Checkpoint {
    int slot = -1;  // the engine's keep_params slot; -1: none taken
    int64_t step = 0, epochs_done = 0;
    size_t cursor = 0;
  };
  Checkpoint checkpoint();
  void roll_back_to(const Checkpoint& c);
  void evaluate(StepStats& s);

  Dataset data_;
  ModelSpec spec_;
  Preprocessor pre_;
  bool rows_mode_ = false;  // the example path: rows_ and ipre_ instead of data_ and pre_
  std::shared_ptr<const Examples> rows_;  // the example path's rows (never null there)
  ImagePreprocessor ipre_;
  Mat X_train_, X_val_;  // preprocessed
  Labels y_train_, y_val_;
  Mat T_train_, T_val_;  // regression targets (N x 1); no rows for classification
  // The rows per step for which the step memory check passed (0: not checked
  // since the spec or the data last changed), so a step does not rebuild the
  // network's layout to check it again.
  size_t step_memory_rows_ = 0;

  std::unique_ptr<Engine> engine_;
  LBFGS lbfgs_;
  // L-BFGS's state before the last step, to undo a step that diverged.
  LBFGS last_good_lbfgs_;
  std::unique_ptr<Model> last_good_model_;
  // Before the current step (its loss is measured there), and the latest
  // parameters whose measured loss was finite.
  Checkpoint before_step_, finite_loss_;
  Rng rng_;  // initialisation, then dropout masks (and L-BFGS's masks)
  // The epoch shuffles only, seeded from spec.seed alone: runs that differ
  // in architecture, initialisation, dropout or optimiser but share the
  // seed, the points and the batch size draw the same minibatches.
  Rng order_rng_;
  std::vector<int> last_batch_;  // rows of the last minibatch

  // Position in the epoch: order_ is this epoch's shuffle of 0..N_train-1 and
  // cursor_ the number of its points already used.
  std::vector<int> order_;
  std::vector<int> all_rows_;  // 0..N_train-1, the full batch
  size_t cursor_ = 0;
  int64_t epochs_done_ = 0;
  int64_t step_ = 0;

  int eval_every_ = 0;
  // last() while the history is empty (after reset or load_trained); once a
  // step is recorded, last() is the history's last entry.
  StepStats last_;
  // The history as a ring of at most kMaxHistory entries (it grows to that
  // size, then the newest entry overwrites the oldest): a step never moves
  // the others, where trimming a vector moved 458 KB every 4,096 steps (in
  // WebAssembly a memory.copy, a call out to C: 3-5 % of a tiny network's
  // step). Entry i (0 the oldest) is history_[history_slot(i)].
  std::vector<StepStats> history_;
  size_t history_start_ = 0, history_count_ = 0;
  size_t history_slot(size_t i) const { return (history_start_ + i) & (kMaxHistory - 1); }
  void clear_history() {
    history_.clear();
    history_start_ = history_count_ = 0;
  }
  std::vector<ParamStats> param_stats_;
  int64_t param_stats_step_ = -1;  // the step param_stats_ was computed after
  DivergenceStatus divergence_;
};

}  // namespace nn
