// gradcheck.cpp: centred-difference gradient check of any Model, with kink
// detection for the linear classifier and the network.
#include "core/train/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>


namespace nn {

double grad_rel_error(double analytic, double numeric, double abs_tol) {
  const double scale = std::max(std::abs(analytic), std::abs(numeric));
  if (scale <= abs_tol || scale == 0.0) return 0.0;  // both zero within what h can resolve
  return std::abs(analytic - numeric) / scale;
}

double max_rel_error(const Mat& analytic, const Mat& numeric, double abs_tol) {
  double worst = 0;
  for (Eigen::Index k = 0; k < analytic.size(); ++k)
    worst = std::max(worst, grad_rel_error(analytic.data()[k], numeric.data()[k], abs_tol));
  return worst;
}

Mat numeric_gradient(const std::function<double()>& f, Mat& x, double h) {
  Mat grad(x.rows(), x.cols());
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    double& xk = x.data()[k];
    const double old = xk;
    xk = old + h;
    const double x_plus = xk, f_plus = f();
    xk = old - h;
    const double x_minus = xk, f_minus = f();
    xk = old;
    grad.data()[k] = (f_plus - f_minus) / (x_plus - x_minus);
  }
  return grad;
}

// Up to `max` indices out of [0, n), evenly spaced (all of them if n <= max).
static std::vector<int> chosen_entries(int n, int max) {
  std::vector<int> idx;
  if (max <= 0 || n <= max) {
    for (int k = 0; k < n; ++k) idx.push_back(k);
    return idx;
  }
  for (int k = 0; k < max; ++k) idx.push_back(int(int64_t(k) * n / max));
  return idx;
}

// The check for either kind of target: fb runs forward_backward on the copy.
static GradCheckResult grad_check_with(const Model& m, const std::function<LossParts(Model&, Rng&)>& fb, double h,
                                       bool include_reg, int max_entries_per_param, uint64_t seed);

GradCheckResult grad_check(const Model& m, const Mat& X, const Labels& y, double h, bool include_reg,
                           int max_entries_per_param, uint64_t seed) {
  return grad_check_with(
      m, [&](Model& w, Rng& rng) { return w.forward_backward(X, y, rng); }, h, include_reg, max_entries_per_param,
      seed);
}

GradCheckResult grad_check_targets(const Model& m, const Mat& X, const Mat& T, double h, bool include_reg,
                                   int max_entries_per_param, uint64_t seed) {
  return grad_check_with(
      m, [&](Model& w, Rng& rng) { return w.forward_backward_targets(X, T, rng); }, h, include_reg,
      max_entries_per_param, seed);
}

static GradCheckResult grad_check_with(const Model& m, const std::function<LossParts(Model&, Rng&)>& fb, double h,
                                       bool include_reg, int max_entries_per_param, uint64_t seed) {
  if (!(h > 0)) throw std::runtime_error("The gradient check step h must be positive.");
  std::unique_ptr<Model> work = m.clone();
  if (!include_reg) {
    LossSpec loss = work->loss_spec();
    loss.lambda = 0.0;
    work->set_loss_spec(loss);
  }

  // Every evaluation starts from the same Rng state: same dropout masks.
  Rng rng(seed);
  auto total_loss = [&]() {
    rng.reseed(seed);
    return fb(*work, rng).total();
  };

  const double f0 = total_loss();
  std::vector<ParamRef> params = work->params();
  std::vector<Mat> analytic;
  for (const ParamRef& p : params) analytic.push_back(*p.grad);
  const double abs_tol =
      10.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(f0)) / h;

  GradCheckResult res;
  for (size_t pi = 0; pi < params.size(); ++pi) {
    const ParamRef& p = params[pi];
    double param_max = 0;
    GradCheckEntry worst{p.name, -1, 0, 0, 0, false};
    for (int idx : chosen_entries(int(p.value->size()), max_entries_per_param)) {
      double& x = p.value->data()[idx];
      const double old = x;
      x = old + h;
      const double x_plus = x;
      const double f_plus = total_loss();
      const std::vector<int32_t> pattern_plus = work->kink_pattern();
      x = old - h;
      const double x_minus = x;
      const double f_minus = total_loss();
      const std::vector<int32_t> pattern_minus = work->kink_pattern();
      x = old;  // exact restore: the saved value, not old + h - h

      // Divide by the step actually taken ((old+h) - (old-h) in doubles).
      const double numeric = (f_plus - f_minus) / (x_plus - x_minus);
      const double a = analytic[pi].data()[idx];
      GradCheckEntry e{p.name, idx, a, numeric, grad_rel_error(a, numeric, abs_tol),
                       pattern_plus != pattern_minus};
      res.max_rel_error = std::max(res.max_rel_error, e.rel_error);
      if (!e.kink) res.max_rel_error_smooth = std::max(res.max_rel_error_smooth, e.rel_error);
      res.kink_crossed = res.kink_crossed || e.kink;
      if (worst.index < 0 || e.rel_error > worst.rel_error) worst = e;
      param_max = std::max(param_max, e.rel_error);
      res.entries.push_back(std::move(e));
    }
    if (worst.index >= 0) res.worst.push_back(worst);
    res.max_per_param.emplace_back(p.name, param_max);
  }
  return res;
}

KinkProbe place_on_kink(const Model& m, const Mat& x0, int unit, double pre) {
  const Mat* W = m.param("W1");
  if (m.kind() != ModelKind::Net || !W) throw std::runtime_error("the kink probe needs a neural network");
  if (m.param("gamma1")) throw std::runtime_error("the kink probe needs a first layer without batchnorm");
  if (x0.rows() != 1 || x0.cols() != W->cols())
    throw std::runtime_error("the kink probe starts from one input row of " + std::to_string(W->cols()) +
                             " features");
  if (unit < 0 || unit >= W->rows())
    throw std::runtime_error("the first layer has no unit " + std::to_string(unit + 1) + " (it has " +
                             std::to_string(W->rows()) + ")");
  const Mat* b = m.param("b1");
  const Eigen::RowVectorXd w = W->row(unit);
  const double bias = b ? (*b)(0, unit) : 0.0;
  const double w2 = w.squaredNorm();
  if (!(w2 > 0)) throw std::runtime_error("unit " + std::to_string(unit + 1) + " has all-zero weights: no input moves it");
  KinkProbe probe;
  const double z0 = x0.row(0).dot(w) + bias;
  probe.x = x0 + ((pre - z0) / w2) * w;
  const std::vector<LayerActivations> acts = m.hidden_activations(probe.x);
  if (acts.empty() || acts[0].type != LayerType::FC || unit >= acts[0].pre.cols())
    throw std::runtime_error("the kink probe needs a fully connected first layer");
  probe.pre = acts[0].pre(0, unit);
  probe.act = acts[0].act;
  return probe;
}

}  // namespace nn
