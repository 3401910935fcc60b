// Tests of the losses: the lecture's worked values, dscores of every loss
// against centred differences, softmax stability, and the three penalties
// with their gradients.
//
// Thresholds: relative error < 1e-6 everywhere. In doubles with h = 1e-5 a
// smooth function (softmax, L2) gives ~1e-7..1e-9 (see gradcheck.h). The hinge
// losses and |w| are piecewise linear: away from their kinks the centred
// difference is exact up to round-off, so the same bound holds once the data
// keep every margin (and every w under L1) more than 1e-3 away from its kink;
// each test REQUIREs that of its data first.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>

#include "core/train/gradcheck.h"
#include "core/models/losses.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

// Round-off floor of a centred difference of f with h = 1e-5 (as grad_check uses).
static double abs_tol(double f) { return 10 * 2.2e-16 * std::max(1.0, std::abs(f)) / 1e-5; }

// Smallest distance of any hinge margin of these scores from its kink.
static double closest_margin(const Mat& s, const Labels& y, LossKind kind, double delta) {
  double closest = 1e9;
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    double largest_wrong = -1e300;
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
      if (j != y[i]) {
        closest = std::min(closest, std::abs(s(i, j) - s(i, y[i]) + delta));
        if (kind == LossKind::CrammerSinger && largest_wrong > -1e300)
          closest = std::min(closest, std::abs(s(i, j) - largest_wrong));
        largest_wrong = std::max(largest_wrong, s(i, j));
      }
      const double t = j == y[i] ? 1.0 : -1.0;
      if (kind == LossKind::OneVsAll) closest = std::min(closest, std::abs(delta - t * s(i, j)));
    }
  }
  return closest;
}

TEST_CASE("losses match the lecture's worked example", "[losses]") {
  // Cat image scores (cat, car, frog) = (3.2, 5.1, -1.7), true class cat.
  Mat s(1, 3);
  s << 3.2, 5.1, -1.7;
  const Labels y = {0};
  CHECK(svm_loss(s, y, 1.0).loss == Approx(2.9));                // max(0,5.1-3.2+1) + max(0,-1.7-3.2+1)
  CHECK(softmax_loss(s, y).loss == Approx(2.0404).epsilon(1e-4));  // -log(0.13)
  CHECK(one_vs_all_loss(s, y, 1.0).loss == Approx(6.1));         // 0 + (1+5.1) + max(0, 1-1.7)
  CHECK(crammer_singer_loss(s, y, 1.0).loss == Approx(2.9));     // 1 + 5.1 - 3.2

  // Two violating wrong classes: SVM sums them, Crammer-Singer takes the larger.
  Mat s2(1, 3);
  s2 << 1.0, 2.0, 1.5;
  CHECK(svm_loss(s2, y, 1.0).loss == Approx(2.0 + 1.5));
  CHECK(crammer_singer_loss(s2, y, 1.0).loss == Approx(2.0));
}

TEST_CASE("at W = 0 the SVM loss is (C-1) * delta and the softmax loss is log C", "[losses]") {
  const Mat s = Mat::Zero(4, 5);
  const Labels y = {0, 1, 2, 4};
  CHECK(svm_loss(s, y, 1.0).loss == Approx(4.0));
  CHECK(softmax_loss(s, y).loss == Approx(std::log(5.0)));
}

TEST_CASE("the loss is the mean of the per-point losses", "[losses]") {
  Rng rng(3);
  const Mat s = random_mat(7, 4, rng);
  const Labels y = random_labels(7, 4, rng);
  for (LossKind kind : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax}) {
    LossSpec spec;
    spec.kind = kind;
    const DataLoss dl = data_loss(s, y, spec);
    REQUIRE(dl.per_point.rows() == 7);
    CHECK(dl.loss == Approx(dl.per_point.mean()));
    CHECK((dl.per_point.array() >= 0).all());
  }
}

TEST_CASE("dscores of every loss match centred differences", "[losses]") {
  Rng rng(11);
  const int N = 6, C = 4;
  for (LossKind kind : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax}) {
    for (double delta : {1.0, 0.5}) {
      LossSpec spec;
      spec.kind = kind;
      spec.delta = delta;
      Mat s = random_mat(N, C, rng, 2.0);
      const Labels y = random_labels(N, C, rng);
      if (kind != LossKind::Softmax) REQUIRE(closest_margin(s, y, kind, delta) > 1e-3);
      const DataLoss dl = data_loss(s, y, spec);
      const Mat num = numeric_gradient([&] { return data_loss(s, y, spec).loss; }, s);
      INFO("loss " << int(kind) << " delta " << delta);
      CHECK(max_rel_error(dl.dscores, num, abs_tol(dl.loss)) < 1e-6);
      // A hinge loss that is not zero must have pushed some gradient.
      if (dl.loss > 0) CHECK(dl.dscores.cwiseAbs().sum() > 0);
    }
  }
}

TEST_CASE("softmax is stable for huge scores and its rows sum to one", "[losses]") {
  Mat big(2, 3), small(2, 3);
  big << 1000, 1001, 999, -1000, -1002, -1001;
  small << 1, 2, 0, 2, 0, 1;
  const Labels y = {1, 0};
  const DataLoss a = softmax_loss(big, y), b = softmax_loss(small, y);
  REQUIRE(std::isfinite(a.loss));
  CHECK(a.loss == Approx(b.loss));
  CHECK(a.dscores.isApprox(b.dscores));
  const Mat p = softmax_probs(big);
  for (Eigen::Index i = 0; i < p.rows(); ++i) CHECK(p.row(i).sum() == Approx(1.0));
  CHECK(p(0, 1) > p(0, 0));
}

TEST_CASE("labels that do not fit the scores are rejected", "[losses]") {
  const Mat s = Mat::Zero(2, 3);
  CHECK_THROWS_AS(softmax_loss(s, {0, 3}), std::runtime_error);
  CHECK_THROWS_AS(svm_loss(s, {0, -1}, 1.0), std::runtime_error);
  CHECK_THROWS_AS(svm_loss(s, {0}, 1.0), std::runtime_error);
}

TEST_CASE("an empty batch has zero loss, not NaN", "[losses]") {
  const Mat s(0, 3);
  CHECK(softmax_loss(s, {}).loss == 0.0);
  CHECK(svm_loss(s, {}, 1.0).loss == 0.0);
}

TEST_CASE("regularisation values follow the documented conventions", "[losses]") {
  Mat W(2, 2);
  W << 1, -2, 0, 3;  // sum W^2 = 14, sum |W| = 6
  CHECK(reg_loss(W, RegKind::None, 0.1, 0.5) == 0.0);
  CHECK(reg_loss(W, RegKind::L2, 0.1, 0.5) == Approx(0.5 * 0.1 * 14));
  CHECK(reg_loss(W, RegKind::L1, 0.1, 0.5) == Approx(0.1 * 6));
  CHECK(reg_loss(W, RegKind::ElasticNet, 0.1, 0.25) == Approx(0.1 * (0.25 * 6 + 0.75 * 0.5 * 14)));
  // L1 subgradient is 0 at w = 0.
  Mat dW = Mat::Zero(2, 2);
  add_reg_grad(W, RegKind::L1, 0.1, 0.5, dW);
  CHECK(dW(1, 0) == 0.0);
  CHECK(dW(0, 1) == Approx(-0.1));
}

TEST_CASE("the gradient of each regularisation matches centred differences", "[losses]") {
  Rng rng(5);
  Mat W = random_mat(4, 3, rng);
  W = W.array() + W.array().sign() * 0.1;    // push every w away from 0
  REQUIRE(W.cwiseAbs().minCoeff() > 1e-3);  // away from the kink of |w|
  for (RegKind kind : {RegKind::L2, RegKind::L1, RegKind::ElasticNet}) {
    const double lambda = 0.3, l1_ratio = 0.4;
    Mat dW = Mat::Zero(4, 3);
    add_reg_grad(W, kind, lambda, l1_ratio, dW);
    const Mat num = numeric_gradient([&] { return reg_loss(W, kind, lambda, l1_ratio); }, W);
    INFO("reg " << int(kind));
    CHECK(max_rel_error(dW, num, abs_tol(1.0)) < 1e-6);
    CHECK(dW.cwiseAbs().sum() > 0);
  }
}
