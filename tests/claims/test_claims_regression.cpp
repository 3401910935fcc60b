// Claims of the regression cards, run on their presets:
//   regression-outliers  three far points move an L2 fit much more than a
//                        Huber or L1 fit of the same network.
//   regression-vs-bins   L2 regression against softmax classification over
//                        bins of the target: learning rates that reach a
//                        good fit, and steps to get there. Measured: both fit
//                        at three of seven rates, the bins' range higher, and
//                        L2 alone diverges at the top (the card's caveat).
// Measured figures print with NNPLAY_CLAIMS_VERBOSE=1 (README "Regression").
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "claims_common.h"
#include "core/data/preprocess.h"

using namespace nn;

namespace {

// The fitted curve at n evenly spaced x in [-1, 1].
std::vector<double> curve(Trainer& t, int n = 101) {
  Mat q(n, 2);
  for (int i = 0; i < n; ++i) q.row(i) << -1.0 + 2.0 * i / (n - 1), 0.0;
  const Mat s = t.predict_scores(q);
  return std::vector<double>(s.data(), s.data() + n);
}

double mean_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += std::abs(a[i] - b[i]);
  return s / double(a.size());
}

}  // namespace

TEST_CASE("regression-outliers: three far points shift the L2 fit far more than Huber's or L1's",
          "[claims][regression-outliers]") {
  const Session s = claims::load_preset("regression-outliers");
  REQUIRE(s.data.problem == ProblemKind::Regression1D);
  REQUIRE(s.runs.size() == 3);
  // The preset lists the three outliers last.
  Dataset clean = s.data;
  clean.points.resize(clean.points.size() - 3);
  const int steps = 1500;
  std::vector<double> shift, at_outliers;
  for (const SessionRun& run : s.runs) {
    Trainer with = claims::make_trainer(s.data, run.spec), without = claims::make_trainer(clean, run.spec);
    claims::run(with, steps);
    claims::run(without, steps);
    REQUIRE(!with.divergence().diverged);
    const std::vector<double> a = curve(with), b = curve(without);
    shift.push_back(mean_abs_diff(a, b));
    at_outliers.push_back(std::abs(a[80] - b[80]));  // x = 0.6, under the outliers
    claims::measure("regression-outliers", run.name + ": mean |shift| of the curve " + claims::num(shift.back()) +
                                               ", shift at x = 0.6 " + claims::num(at_outliers.back()) +
                                               ", clean-fit RMSE " + claims::num(without.rmse(false)));
  }
  INFO("mean shift L2 " << shift[0] << ", Huber " << shift[1] << ", L1 " << shift[2]);
  INFO("shift at x = 0.6: L2 " << at_outliers[0] << ", Huber " << at_outliers[1] << ", L1 " << at_outliers[2]);
  // The card's statement: the L2 curve moves at least three times as much,
  // over the whole curve and under the outliers.
  REQUIRE(shift[0] > 3 * shift[1]);
  REQUIRE(shift[0] > 3 * shift[2]);
  REQUIRE(at_outliers[0] > 3 * at_outliers[1]);
  REQUIRE(at_outliers[0] > 3 * at_outliers[2]);
  // And the L2 curve is pulled a visible distance (a tenth of the y range) towards them.
  REQUIRE(at_outliers[0] > 0.2);
}

namespace {

constexpr int kBins = 8;

struct Outcome {
  bool good = false;    // RMSE below the threshold at some evaluation
  int steps = -1;       // first evaluated step where it was
  bool diverged = false;
  double final_rmse = 0;
};

// Trains t for up to max_steps, checking every 25 steps the RMSE of
// predict(t) against the targets.
template <class Predict>
Outcome train_to_fit(Trainer& t, const std::vector<double>& targets, int max_steps, double threshold,
                     Predict predict) {
  Outcome o;
  for (int step = 1; step <= max_steps; ++step) {
    t.step();
    if (t.divergence().diverged) {
      o.diverged = true;
      return o;
    }
    if (step % 25) continue;
    const std::vector<double> p = predict(t);
    double se = 0;
    for (size_t i = 0; i < p.size(); ++i) se += (p[i] - targets[i]) * (p[i] - targets[i]);
    o.final_rmse = std::sqrt(se / double(p.size()));
    if (!std::isfinite(o.final_rmse)) {
      o.diverged = true;
      return o;
    }
    if (o.final_rmse < threshold && !o.good) {
      o.good = true;
      o.steps = step;
      return o;
    }
  }
  return o;
}

}  // namespace

TEST_CASE("regression-vs-bins: learning rates that reach a good fit, L2 regression against softmax over bins",
          "[claims][regression-vs-bins]") {
  const Session s = claims::load_preset("regression-vs-bins");
  REQUIRE(s.data.problem == ProblemKind::Regression1D);
  REQUIRE(s.spec.loss.kind == LossKind::Squared);
  // The same points as a classification: input (x, 0) (y = 0 on the canvas),
  // label = which of 8 equal bins of the targets' range holds y.
  std::vector<double> xs, targets;
  for (const Point& p : s.data.points) {
    xs.push_back(p.x);
    targets.push_back(p.y);
  }
  const double lo = *std::min_element(targets.begin(), targets.end());
  const double hi = *std::max_element(targets.begin(), targets.end());
  const double width = (hi - lo) / kBins;
  Dataset bins;
  bins.num_classes = kBins;
  for (size_t i = 0; i < xs.size(); ++i) {
    Point p;
    p.x = xs[i];
    p.y = 0;
    p.label = std::min(kBins - 1, int((targets[i] - lo) / width));
    bins.points.push_back(p);
  }
  ModelSpec cls = s.spec;
  cls.loss.kind = LossKind::Softmax;

  Mat X(Eigen::Index(xs.size()), 2);
  for (size_t i = 0; i < xs.size(); ++i) X.row(Eigen::Index(i)) << xs[i], 0.0;
  // The classifier's estimate of y: the centre of its highest-scoring bin.
  auto bin_prediction = [&](Trainer& t) {
    const Mat sc = t.predict_scores(X);
    std::vector<double> p(xs.size());
    for (Eigen::Index i = 0; i < sc.rows(); ++i) {
      Eigen::Index b = 0;
      sc.row(i).maxCoeff(&b);
      p[size_t(i)] = lo + (double(b) + 0.5) * width;
    }
    return p;
  };
  auto reg_prediction = [&](Trainer& t) {
    const Mat sc = t.predict_scores(X);
    return std::vector<double>(sc.data(), sc.data() + sc.rows());
  };

  // A good fit: RMSE below 0.15 against the targets (they span about 1.7;
  // the bins' own rounding costs about width / sqrt(12) = 0.06 and the noise 0.05).
  const double threshold = 0.15;
  const int max_steps = 3000;
  const std::vector<double> lrs = {0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0};
  int good_reg = 0, good_cls = 0, div_reg = 0, div_cls = 0;
  double top_good_reg = 0, top_good_cls = 0;  // the highest learning rate with a good fit
  std::vector<int> steps_reg, steps_cls;
  for (double lr : lrs) {
    ModelSpec r = s.spec, c = cls;
    r.optim.lr = c.optim.lr = lr;
    Trainer tr = claims::make_trainer(s.data, r), tc = claims::make_trainer(bins, c);
    const Outcome a = train_to_fit(tr, targets, max_steps, threshold, reg_prediction);
    const Outcome b = train_to_fit(tc, targets, max_steps, threshold, bin_prediction);
    good_reg += a.good;
    good_cls += b.good;
    if (a.good) top_good_reg = lr;
    if (b.good) top_good_cls = lr;
    div_reg += a.diverged;
    div_cls += b.diverged;
    steps_reg.push_back(a.steps);
    steps_cls.push_back(b.steps);
    claims::measure("regression-vs-bins",
                    "lr " + claims::num(lr) + ": L2 " +
                        (a.diverged ? std::string("diverged")
                                    : a.good ? "good fit at step " + std::to_string(a.steps)
                                             : "no good fit (RMSE " + claims::num(a.final_rmse) + ")") +
                        "; bins " +
                        (b.diverged ? std::string("diverged")
                                    : b.good ? "good fit at step " + std::to_string(b.steps)
                                             : "no good fit (RMSE " + claims::num(b.final_rmse) + ")"));
  }
  claims::measure("regression-vs-bins", "good fits over 7 learning rates: L2 " + std::to_string(good_reg) +
                                            ", bins " + std::to_string(good_cls) + "; diverged: L2 " +
                                            std::to_string(div_reg) + ", bins " + std::to_string(div_cls));
  INFO("good fits: L2 " << good_reg << ", bins " << good_cls << "; diverged: L2 " << div_reg << ", bins " << div_cls);
  // What the card states after measuring. The part of the claim that holds:
  // the classifier over bins tolerates higher learning rates (its highest
  // learning rate with a good fit is above L2's) and stays finite at a
  // learning rate where L2 regression diverges (the softmax gradient is
  // bounded, the squared error's grows with the error).
  REQUIRE(top_good_cls > top_good_reg);
  REQUIRE(div_reg > div_cls);
  // The caveat: the range of good learning rates is not wider for the bins,
  // only shifted up; L2 regression fits well at lower learning rates.
  REQUIRE(good_cls <= good_reg);
  REQUIRE(good_reg >= 1);
}
