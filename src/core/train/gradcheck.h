// gradcheck.h: the numerical gradient check: centred differences of the total
// loss against the analytic gradients of forward_backward, entry by entry, with
// detection of entries whose +-h evaluations fall on different sides of a kink.
//
// Why doubles and h = 1e-5 give relative errors of about 1e-7..1e-9 on smooth
// layers: the centred difference (f(x+h) - f(x-h)) / 2h has truncation error
// h^2/6 * f''' ~ 1e-11 and round-off error ~ eps * |f| / h ~ 1e-16 / 1e-5 =
// 1e-11 for a loss of order 1. Against gradient entries of order 1e-2..1e-4
// that is a relative error of 1e-7..1e-9. In floats (eps ~ 6e-8) the round-off
// alone would be ~1e-2, which is why the reference engine uses doubles.
// Piecewise-linear parts (ReLU, hinge, maxout, |w|) have f''' = 0 away from
// their kinks, so there the error is round-off only; an entry whose x+h and
// x-h evaluations straddle a kink can be wrong by O(1) and is flagged `kink`.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/models/model.h"

namespace nn {

struct GradCheckEntry {
  std::string param;  // e.g. "W1"
  int index;          // row-major index into the parameter
  double analytic, numeric, rel_error;
  bool kink;          // x+h and x-h lie on different sides of a kink
};

struct GradCheckResult {
  double max_rel_error = 0;                  // over every checked entry
  std::vector<GradCheckEntry> worst;         // per param group: its largest rel_error
  std::vector<std::pair<std::string, double>> max_per_param;
  bool kink_crossed = false;                 // any entry flagged kink
  // Additions beyond the promised API:
  double max_rel_error_smooth = 0;           // over entries not flagged kink
  std::vector<GradCheckEntry> entries;       // every checked entry, in order
};

// Relative error |a - n| / max(|a|, |n|), 0 when both are 0.
// Guard against tiny denominators: when max(|a|, |n|) <= abs_tol both are
// zero as far as the numeric gradient can tell, and the error is 0. The
// centred difference cannot resolve values below its round-off: a change of
// one ulp in f reads as ulp(f) / 2h ~ 1.1e-11 for |f| ~ 1 and h = 1e-5. A
// gradient that is truly 0 (e.g. the bias just before batchnorm, whose effect
// the mean subtraction cancels) reads as analytic 1e-17 against numeric 0 or
// +-1.1e-11; without the guard that is a "relative error" of 1. (A fixed floor
// like max(|a|, |n|, 1e-12) is below that noise and would not help.) Above
// abs_tol the plain formula is reported, so ordinary entries show their true
// 1e-7..1e-9.
double grad_rel_error(double analytic, double numeric, double abs_tol);
// Largest grad_rel_error over the entries of two same-shaped matrices.
double max_rel_error(const Mat& analytic, const Mat& numeric, double abs_tol);

// Centred-difference gradient of f() with respect to every entry of x:
// (f(x + h e_k) - f(x - h e_k)) / 2h. x is perturbed in place and each entry
// restored exactly. The oracle the layer and loss tests check backward against.
Mat numeric_gradient(const std::function<double()>& f, Mat& x, double h = 1e-5);

// Checks up to max_entries_per_param entries of every parameter (all of them
// when it has fewer, or when max_entries_per_param <= 0), evenly spaced over
// the row-major entries: deterministic. The numeric gradient is taken on the
// TOTAL loss (data + reg) of forward_backward in training mode; the Rng is
// reseeded with `seed` before every evaluation, so each evaluation draws the
// same dropout masks (batchnorm in training mode is deterministic given the
// batch). include_reg = false sets lambda to 0 for the check.
// abs_tol of grad_rel_error is 10 * eps * max(1, |f|) / h (about 20 times
// the one-ulp step of the numeric gradient; 2.2e-10 for |f| <= 1, h = 1e-5).
// The check runs on m.clone(): m itself (parameters, gradients, batchnorm
// running averages) is left exactly as it was; within the clone, every
// perturbed entry is also restored to its exact old value before the next.
// Kinks: the model reports a pattern (ReLU / Leaky ReLU signs,
// ELU signs when alpha != 1, maxout winners, hinge margin signs,
// Crammer-Singer winners, signs of W under L1); an entry is a kink when the
// patterns of its x+h and x-h evaluations differ.
GradCheckResult grad_check(const Model& m, const Mat& X, const Labels& y, double h = 1e-5,
                           bool include_reg = true, int max_entries_per_param = 50,
                           uint64_t seed = 1);
// The same for a regression model and real targets T (N x outputs), through
// forward_backward_targets; kinks include the L1 signs and Huber's sides.
GradCheckResult grad_check_targets(const Model& m, const Mat& X, const Mat& T, double h = 1e-5,
                                   bool include_reg = true, int max_entries_per_param = 50, uint64_t seed = 1);

// A probe input for the kink demo: the row x0 (1 x D, what the model sees)
// moved along the weight row w of first-layer unit `unit` (0-based) until
// that unit's input z = x.w + b equals `pre`:
//   x = x0 + (pre - z(x0)) w / |w|^2.
// With pre = -1e-6 the unit's ReLU sits just below its kink: its analytic
// gradient is exactly 0, and any step h > 1e-6 of its bias crosses the kink.
// Needs a network whose first hidden layer is fully connected without
// batchnorm (throws std::runtime_error otherwise, or when w = 0).
struct KinkProbe {
  Mat x;               // 1 x D, the probe input
  double pre = 0;      // the unit's input at x, as the model computes it
  Activation act = Activation::Linear;  // the first layer's activation
};
KinkProbe place_on_kink(const Model& m, const Mat& x0, int unit, double pre);

}  // namespace nn
