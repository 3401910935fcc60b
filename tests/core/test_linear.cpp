// Tests of the linear classifier: shapes and parameters, the bias switch,
// gradients of every loss x regularisation, the log(C) sanity check at small
// weights, per-point helpers, and plain gradient descent separating blobs.
//
// Gradient threshold: relative error < 1e-6 on every entry not flagged as a
// kink (softmax and L2 are smooth, ~1e-7..1e-9; hinge losses and L1 are exact
// up to round-off on their linear pieces; see gradcheck.h).
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>

#include "core/train/gradcheck.h"
#include "core/models/linear.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

// Gaussian blobs around the given centres, `per_class` points each.
static void blobs(const std::vector<std::pair<double, double>>& centres, int per_class, double spread,
                  uint64_t seed, Mat& X, Labels& y) {
  Rng rng(seed);
  const int C = int(centres.size());
  X.resize(C * per_class, 2);
  y.assign(C * per_class, 0);
  for (int c = 0; c < C; ++c)
    for (int k = 0; k < per_class; ++k) {
      const int i = c * per_class + k;
      X(i, 0) = centres[c].first + spread * rng.normal();
      X(i, 1) = centres[c].second + spread * rng.normal();
      y[i] = c;
    }
}

TEST_CASE("a linear classifier has W (C x D) and b (1 x C) named W and b", "[linear]") {
  Rng rng(1);
  LinearClassifier m(2, 3, LossSpec{}, true, InitSpec{}, rng);
  CHECK(m.W.rows() == 3);
  CHECK(m.W.cols() == 2);
  CHECK(m.b.rows() == 1);
  CHECK(m.b.cols() == 3);
  const auto ps = m.params();
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].name == "W");
  CHECK(ps[0].regularized);
  CHECK(ps[1].name == "b");
  CHECK_FALSE(ps[1].regularized);
  // Each row of W is a class's template: scores = X W^T + b.
  Mat X(1, 2);
  X << 0.5, -1.5;
  CHECK(m.scores(X).isApprox(X * m.W.transpose() + m.b));
  CHECK_THROWS_AS(m.scores(Mat::Zero(1, 3)), std::runtime_error);
}

TEST_CASE("without a bias b is not a parameter and boundaries pass through the origin",
          "[linear]") {
  Rng rng(2);
  InitSpec init;
  init.bias = 0.7;  // ignored without a bias
  LinearClassifier m(2, 4, LossSpec{}, false, init, rng);
  REQUIRE(m.params().size() == 1);
  CHECK(m.b.isZero());
  CHECK(m.scores(Mat::Zero(1, 2)).isZero());
  Mat X(3, 2);
  X << 1, 2, -1, 0.5, 3, -2;
  m.forward_backward(X, {0, 1, 3}, rng);
  CHECK(m.db.isZero());
}

TEST_CASE("linear gradients pass the check for every loss and regularisation", "[linear]") {
  Rng rng(3);
  Mat X(12, 2);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
  Labels y(12);
  for (int& v : y) v = rng.randint(3);
  for (LossKind loss : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax})
    for (RegKind reg : {RegKind::None, RegKind::L2, RegKind::L1, RegKind::ElasticNet})
      for (bool use_bias : {true, false}) {
        LossSpec spec;
        spec.kind = loss;
        spec.reg = reg;
        spec.lambda = 0.1;
        InitSpec init;
        init.kind = InitKind::Xavier;
        LinearClassifier m(2, 3, spec, use_bias, init, rng);
        INFO("loss " << int(loss) << " reg " << int(reg) << " bias " << use_bias);
        const GradCheckResult r = grad_check(m, X, y);
        CHECK(r.max_rel_error_smooth < 1e-6);
        CHECK(r.entries.size() == (use_bias ? 9u : 6u));
        // With these seeded random weights no entry sits within h of a kink.
        CHECK_FALSE(r.kink_crossed);
      }
}

TEST_CASE("with small random weights the softmax loss is about log(C)", "[linear]") {
  for (int C : {2, 3, 5, 8}) {
    Rng rng(10 + C);
    ModelSpec spec;
    spec.loss.lambda = 0;
    spec.init.kind = InitKind::SmallRandom;
    LinearClassifier m(2, C, spec.loss, true, spec.init, rng);
    Mat X(100, 2);
    for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
    Labels y(100);
    for (int& v : y) v = rng.randint(C);
    INFO("C = " << C);
    CHECK(m.loss(X, y).data_loss == Approx(std::log(double(C))).epsilon(0.05));
  }
}

TEST_CASE("per-point losses and probabilities agree with the batch loss", "[linear]") {
  Rng rng(4);
  LossSpec spec;
  spec.kind = LossKind::SVM;
  InitSpec init;
  init.kind = InitKind::Xavier;
  LinearClassifier m(2, 3, spec, true, init, rng);
  Mat X(5, 2);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
  const Labels y = {0, 1, 2, 1, 0};
  const Mat L = point_losses(m, X, y);
  REQUIRE(L.rows() == 5);
  CHECK(L.mean() == Approx(m.loss(X, y).data_loss));
  const Mat P = probabilities(m, X);
  for (Eigen::Index i = 0; i < 5; ++i) CHECK(P.row(i).sum() == Approx(1.0));
  // At W = 0, b = 0 every point's SVM loss is (C - 1) * delta.
  m.W.setZero();
  m.b.setZero();
  CHECK(point_losses(m, X, y).isApprox(Mat::Constant(5, 1, 2.0)));
}

TEST_CASE("softmax with full-batch gradient descent separates three blobs", "[linear]") {
  Mat X;
  Labels y;
  blobs({{-3, 0}, {3, 0}, {0, 4}}, 40, 0.5, 7, X, y);
  Rng rng(5);
  LossSpec spec;
  spec.lambda = 1e-4;
  LinearClassifier m(2, 3, spec, true, InitSpec{InitKind::SmallRandom}, rng);
  const double before = m.loss(X, y).total();
  for (int step = 0; step < 300; ++step) {
    m.forward_backward(X, y, rng);
    for (ParamRef& p : m.params()) *p.value -= 0.5 * *p.grad;  // plain gradient descent
  }
  CHECK(m.loss(X, y).total() < 0.2 * before);
  CHECK(accuracy(m, X, y) == 1.0);
}

TEST_CASE("the SVM also learns the blobs and every loss decreases under descent", "[linear]") {
  Mat X;
  Labels y;
  blobs({{-3, 0}, {3, 0}, {0, 4}}, 30, 0.5, 8, X, y);
  for (LossKind kind : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger}) {
    Rng rng(6);
    LossSpec spec;
    spec.kind = kind;
    LinearClassifier m(2, 3, spec, true, InitSpec{InitKind::SmallRandom}, rng);
    const double before = m.loss(X, y).total();
    for (int step = 0; step < 300; ++step) {
      m.forward_backward(X, y, rng);
      for (ParamRef& p : m.params()) *p.value -= 0.1 * *p.grad;
    }
    INFO("loss " << int(kind));
    CHECK(m.loss(X, y).total() < 0.5 * before);
    CHECK(accuracy(m, X, y) == 1.0);
  }
}
