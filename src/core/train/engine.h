// engine.h: the arithmetic of a training run: the parameters, the optimiser's
// state, and one minibatch step (forward, backward, clipping, update). The
// Trainer owns everything around it (data order, schedule, statistics,
// divergence), so every engine sees the same minibatches from the same seeded
// stream. Two engines:
//   Reference (this folder): the readable double-precision Model + Optimizer.
//   Fast (core/fast): float32 SIMD kernels, tested against the reference.
#pragma once
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/models/model.h"
#include "core/spec.h"
#include "core/train/optim.h"

namespace nn {

// One parameter after the last step. The course's rule of thumb: the update
// ratio norm(update) / norm(param) should be around 1e-3; much larger and
// the learning rate is too high, much smaller and it is too low.
struct ParamStats {
  std::string name;  // "W1", "b1", ...
  double param_norm = 0;    // after the update
  double grad_norm = 0;     // the gradient the update used (after clipping)
  double update_ratio = 0;  // norm(x_after - x_before) / norm(x_before); inf if x_before = 0
};

// A trained model as a session saves it: the parameters and batchnorm
// statistics by name (in the model's params() and buffers() order, each
// with its shape), the step and epoch counters and the optimiser's memory.
// Enough for the loaded model to predict exactly as the saved one did.
struct TrainedState {
  std::vector<NamedMat> params;
  std::vector<NamedMat> buffers;
  int64_t step = 0;
  double epoch = 0;
  OptimizerState optimizer;
};

// Copies a trained state into `m` (which has the spec's shapes). Throws
// std::runtime_error naming the first matrix whose name or shape differs.
void load_params_into(Model& m, const TrainedState& t);

// What one step reports.
struct EngineStep {
  LossParts loss;        // of the minibatch, training mode, before the update
  double grad_norm = 0;  // global gradient norm before clipping
};

// Test-mode figures over a set of points.
struct Evaluation {
  LossParts loss;
  double accuracy = 0;  // fraction with the highest score on the label; NaN for no points
  // Regression (evaluate_targets): root mean squared error of the outputs,
  // sqrt(mean (s - t)^2), whatever the loss; NaN for no points.
  double rmse = std::numeric_limits<double>::quiet_NaN();
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual EngineKind kind() const = 0;

  // The preprocessed training set (N x D) that steps draw their rows from.
  virtual void set_training_set(const Mat& X, const Labels& y) = 0;
  // Regression: the real targets (N x K) of those rows. While the model's
  // loss is a regression loss, step() fits these (the labels are unused).
  virtual void set_training_targets(const Mat& T) = 0;

  // One first-order update on the training rows idx[0..n): forward/backward
  // in training mode (dropout masks drawn from rng layer by layer, row by
  // row, as the reference does), the global gradient norm clipped to
  // clip_norm (<= 0: no clipping), then the optimiser's update with lr.
  // The state before the update is kept for restore_last_good().
  virtual EngineStep step(const int* idx, int n, double lr, double clip_norm, Rng& rng) = 0;
  // Puts back the parameters and optimiser state from before the last step.
  virtual void restore_last_good() = 0;
  // "" if every parameter is finite, else e.g. "parameter W2 became NaN".
  virtual std::string nonfinite_param() const = 0;
  // True if every parameter is finite: nonfinite_param().empty() without
  // building a string (the Trainer asks after every step).
  virtual bool params_finite() const { return nonfinite_param().empty(); }

  // New hyperparameters that change no shape (loss, lambda, delta, dropout p,
  // alpha, the optimiser's constants). Parameters and optimiser state stay.
  virtual void set_hyperparameters(const ModelSpec& spec) = 0;
  // A fresh optimiser of optim.kind: the next step behaves like the first.
  virtual void reset_optimizer(const OptimSpec& optim) = 0;

  // Test mode (no dropout, batchnorm running averages).
  virtual Evaluation evaluate(const Mat& X, const Labels& y) = 0;
  // Regression: loss and RMSE against real targets T (N x K).
  virtual Evaluation evaluate_targets(const Mat& X, const Mat& T) = 0;
  virtual Mat scores(const Mat& X) = 0;
  // The engine's own arithmetic for many rows (the fast engine: its float
  // forward pass, equal to scores() up to float rounding); the image mode's
  // test predictions. The reference engine: scores().
  virtual Mat scores_fast(const Mat& X) { return scores(X); }

  // The current parameters as a double-precision model (the fast engine
  // copies its floats into one; the reference returns its own).
  virtual const Model& model() = 0;
  // Overwrites the parameters (and batchnorm statistics) with m's; m must
  // have the same names and shapes (throws std::runtime_error otherwise).
  virtual void set_params(const Model& m) = 0;
  // Parameter checkpoints for the Trainer's roll-back after a divergence:
  // keep_params copies the parameters and batchnorm statistics into slot 0
  // or 1, put_back_params copies them back (like set_params). A slot is
  // reused, so after its first use a checkpoint allocates nothing: the
  // Trainer takes one before every step.
  virtual void keep_params(int slot);
  virtual void put_back_params(int slot);
  // The model the engine trains in place, for full-batch L-BFGS (which works
  // on the double-precision loss function); null for the fast engine.
  virtual Model* live_model() { return nullptr; }
  // Per parameter after the last step: norms and update/parameter ratio.
  virtual std::vector<ParamStats> param_stats() = 0;
  // Bytes of per-batch scratch (activations, caches, gradient buffers) the
  // engine holds at its current batch capacity; 0 when it does not count.
  virtual size_t workspace_bytes() const { return 0; }

  // The optimiser's memory (velocity, caches, Adam's moments, t), for saving
  // a trained model, and putting it back: true if restored (throws
  // std::runtime_error naming the first missing or misshapen matrix); false
  // if this engine cannot, and then the caller restarts the optimiser. Both
  // engines do, by the same names ("m.W1", ...), so either loads the other's.
  virtual OptimizerState optimizer_state() { return {}; }
  virtual bool set_optimizer_state(const OptimizerState& state) { (void)state; return false; }

 private:
  std::unique_ptr<Model> kept_[2];  // keep_params' slots (by default, copies of model())
};

// The engine that trains `spec`: spec.engine, except that full-batch L-BFGS
// (and anything the fast engine cannot do) runs on the reference.
EngineKind engine_for(const ModelSpec& spec);
// That engine, starting from the parameters of `initial` (built by
// make_model from the run's seed, so both engines start alike).
std::unique_ptr<Engine> make_engine(const ModelSpec& spec, std::unique_ptr<Model> initial);

// ---- The reference engine --------------------------------------------------------
class ReferenceEngine : public Engine {
 public:
  ReferenceEngine(const ModelSpec& spec, std::unique_ptr<Model> model);
  EngineKind kind() const override { return EngineKind::Reference; }
  void set_training_set(const Mat& X, const Labels& y) override;
  void set_training_targets(const Mat& T) override { T_ = T; }
  EngineStep step(const int* idx, int n, double lr, double clip_norm, Rng& rng) override;
  void restore_last_good() override;
  std::string nonfinite_param() const override;
  void set_hyperparameters(const ModelSpec& spec) override;
  void reset_optimizer(const OptimSpec& optim) override;
  Evaluation evaluate(const Mat& X, const Labels& y) override;
  Evaluation evaluate_targets(const Mat& X, const Mat& T) override;
  Mat scores(const Mat& X) override { return model_->scores(X); }
  const Model& model() override { return *model_; }
  void set_params(const Model& m) override { model_->copy_params_from(m); }
  Model* live_model() override { return model_.get(); }
  std::vector<ParamStats> param_stats() override;
  OptimizerState optimizer_state() override;
  bool set_optimizer_state(const OptimizerState& state) override;

 private:
  std::unique_ptr<Model> model_;
  std::unique_ptr<Optimizer> optim_;  // null for L-BFGS (the Trainer drives it)
  OptimSpec optim_spec_;
  std::unique_ptr<Model> last_good_model_;
  std::unique_ptr<Optimizer> last_good_optim_;
  std::vector<double> grad_norms_;  // of the last step, after clipping
  Mat X_;
  Labels y_;
  Mat X_batch_;
  Labels y_batch_;
  Mat T_, T_batch_;  // regression targets
};

// Fraction of rows of `scores` whose highest entry is the label; NaN for none.
double accuracy_of_scores(const Mat& scores, const Labels& y);
// sqrt(mean over every entry of (scores - T)^2); NaN for no rows.
double rmse_of_scores(const Mat& scores, const Mat& T);

}  // namespace nn
