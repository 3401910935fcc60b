// optim.h: the parameter updates of the course (SGD, Momentum, Nesterov,
// Adagrad, RMSProp, Adam), full-batch L-BFGS on a loss closure, and gradient
// clipping by global norm.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/models/model.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

// A matrix with a name: a parameter ("W1"), a batchnorm statistic
// ("running_mean1") or an optimiser's state for one parameter ("m.W1").
struct NamedMat {
  std::string name;
  Mat value;
};

// What an optimiser remembers between steps, by name, for saving a trained
// model: the step count t and one matrix per parameter and state vector,
// named "<state>.<param>" ("v.W1", "cache.b2", "m.W1" and "v.W1" for Adam).
// SGD and L-BFGS keep no matrices here (L-BFGS's pairs are not saved).
struct OptimizerState {
  OptimKind kind = OptimKind::SGD;
  int64_t t = 0;
  std::vector<NamedMat> slots;
};

// ---- First-order updates ---------------------------------------------------
// Each optimiser keeps its own state (velocity v, cache, Adam's m and v, the
// step count t), one matrix per parameter with the parameter's shape. The
// state survives hyperparameter changes (the UI edits lr and mu while
// training) and is zeroed by itself when the parameter shapes change.
class Optimizer {
 public:
  explicit Optimizer(const OptimSpec& spec) : spec_(spec) {}
  virtual ~Optimizer() = default;

  // One update of every parameter from its grad: x is *p.value, dx is *p.grad.
  // lr is the learning rate for this step (the schedule's, not spec.lr).
  virtual void step(std::vector<ParamRef>& params, double lr) = 0;
  // Forget the state: the next step behaves like the first one.
  virtual void reset() { t_ = 0; }
  virtual std::unique_ptr<Optimizer> clone() const = 0;

  // New hyperparameters (mu, decay_rate, beta1, beta2, eps); state is kept.
  void set_spec(const OptimSpec& spec) { spec_ = spec; }
  const OptimSpec& spec() const { return spec_; }
  OptimKind kind() const { return spec_.kind; }
  int64_t t() const { return t_; }  // steps since the last reset

  // The state by name (see OptimizerState); an optimiser that has not
  // stepped yet reports t = 0 and no matrices.
  OptimizerState state(const std::vector<ConstParamRef>& params) const;
  // Puts back a saved state for these parameters. Throws std::runtime_error
  // naming the first slot that is missing or has the wrong shape, or if the
  // state is of another kind. An empty state (t = 0) resets.
  void set_state(const OptimizerState& state, const std::vector<ConstParamRef>& params);

 protected:
  // Makes `state` one zero matrix per parameter, shaped like it, unless it
  // already matches every shape (then it is kept). Returns true if it zeroed.
  static bool fit_state(const std::vector<ParamRef>& params, std::vector<Mat>& state);
  // The state vectors by name ("v", "cache", "m"), one Mat per parameter.
  virtual std::vector<std::pair<const char*, std::vector<Mat>*>> slots() { return {}; }

  OptimSpec spec_;
  int64_t t_ = 0;
};

// x -= lr * dx
class SGD : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<SGD>(*this); }
};

// v = mu * v - lr * dx    (integrate velocity)
// x += v                  (integrate position)
class Momentum : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  void reset() override { Optimizer::reset(); v.clear(); }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Momentum>(*this); }
  std::vector<Mat> v;
 protected:
  std::vector<std::pair<const char*, std::vector<Mat>*>> slots() override { return {{"v", &v}}; }  // velocity, one per parameter
};

// Nesterov momentum in the cs231n form (the gradient is taken at x, which
// stands for the look-ahead point):
// v_prev = v
// v = mu * v - lr * dx
// x += -mu * v_prev + (1 + mu) * v
class Nesterov : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  void reset() override { Optimizer::reset(); v.clear(); }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Nesterov>(*this); }
  std::vector<Mat> v;
 protected:
  std::vector<std::pair<const char*, std::vector<Mat>*>> slots() override { return {{"v", &v}}; }
};

// cache += dx^2
// x -= lr * dx / (sqrt(cache) + eps)
class Adagrad : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  void reset() override { Optimizer::reset(); cache.clear(); }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adagrad>(*this); }
  std::vector<Mat> cache;
 protected:
  std::vector<std::pair<const char*, std::vector<Mat>*>> slots() override { return {{"cache", &cache}}; }
};

// cache = decay_rate * cache + (1 - decay_rate) * dx^2
// x -= lr * dx / (sqrt(cache) + eps)
class RMSProp : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  void reset() override { Optimizer::reset(); cache.clear(); }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<RMSProp>(*this); }
  std::vector<Mat> cache;
 protected:
  std::vector<std::pair<const char*, std::vector<Mat>*>> slots() override { return {{"cache", &cache}}; }
};

// m = beta1 * m + (1 - beta1) * dx
// v = beta2 * v + (1 - beta2) * dx^2
// mt = m / (1 - beta1^t),  vt = v / (1 - beta2^t)    (bias correction, t from 1)
// x -= lr * mt / (sqrt(vt) + eps)
// Without the correction m and v start near zero and the first steps would
// be tiny; with it the first step is lr * dx / |dx|, about lr per entry.
class Adam : public Optimizer {
 public:
  using Optimizer::Optimizer;
  void step(std::vector<ParamRef>& params, double lr) override;
  void reset() override { Optimizer::reset(); m.clear(); v.clear(); }
  std::unique_ptr<Optimizer> clone() const override { return std::make_unique<Adam>(*this); }
  std::vector<Mat> m, v;
 protected:
  std::vector<std::pair<const char*, std::vector<Mat>*>> slots() override { return {{"m", &m}, {"v", &v}}; }
};

// The first-order optimiser named by spec.kind. L-BFGS is not one of them
// (it needs the whole loss function, not a gradient): asking for it throws
// std::runtime_error.
std::unique_ptr<Optimizer> make_optimizer(const OptimSpec& spec);

// ---- Gradient clipping -----------------------------------------------------
// The global norm is sqrt(sum over every parameter of sum dx^2). If it exceeds
// max_norm (> 0), every grad is scaled by max_norm / norm, so the direction
// is kept and only the step length is bounded. max_norm <= 0 clips nothing.
// Returns the norm before clipping.
double clip_global_norm(std::vector<ParamRef>& params, double max_norm);

// ---- L-BFGS ------------------------------------------------------------------
// Parameters as one long vector (W1 row-major, then b1, ...), for L-BFGS.
Eigen::VectorXd flatten_values(const std::vector<ParamRef>& params);
Eigen::VectorXd flatten_grads(const std::vector<ParamRef>& params);
// Writes x back into the parameters (x must have the total parameter count).
void unflatten_values(const Eigen::VectorXd& x, std::vector<ParamRef>& params);

// What one L-BFGS iteration did.
struct LbfgsStep {
  double loss_before = 0;  // f at the starting x
  double loss = 0;         // f at the returned x
  double grad_norm = 0;    // |grad f| at the starting x
  double t = 0;            // step length the line search accepted (0: no move)
  int evaluations = 0;     // calls of the objective
  bool moved = false;      // false: converged (tiny gradient) or line search failed
};

// Limited-memory BFGS: keeps the last m pairs s = x_new - x, y = g_new - g
// and turns them into an approximation of the inverse Hessian applied to the
// gradient (the two-loop recursion), then searches along that direction.
//
// It needs the FULL batch: the line search compares f at different x, and
// the pairs (s, y) measure the curvature of one fixed function. With
// minibatches, every evaluation would be of a different function, so losses
// would not be comparable and y would mix gradient noise into the curvature.
class LBFGS {
 public:
  // f(x, grad) returns the loss at x and writes its gradient into grad.
  // It must be deterministic: the same x gives the same loss.
  using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;

  explicit LBFGS(int m = 10) { set_history(m); }
  // One iteration: direction by the two-loop recursion, then a backtracking
  // line search until the Armijo condition
  //   f(x + t d) <= f(x) + c1 * t * grad . d
  // holds. x is updated in place.
  LbfgsStep step(const Objective& f, Eigen::VectorXd& x);
  void reset() { s_.clear(); y_.clear(); }
  void set_history(int m);  // keeps the newest min(m, size) pairs
  int history() const { return m_; }
  int pairs() const { return int(s_.size()); }

  double c1 = 1e-4;           // Armijo sufficient-decrease constant
  double shrink = 0.5;        // t *= shrink after each rejected trial
  int max_backtracks = 40;
  double grad_tol = 1e-12;    // |grad| below this: converged, do not move

 private:
  // r = H * g, with H the L-BFGS inverse Hessian approximation.
  Eigen::VectorXd two_loop(const Eigen::VectorXd& g) const;
  int m_ = 10;
  std::deque<Eigen::VectorXd> s_, y_;  // oldest first
};

}  // namespace nn
