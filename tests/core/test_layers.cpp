// Tests of the layers: every backward against centred differences of
// f(x) = sum(forward(x) * dout) for a random upstream gradient dout, and the
// behaviours the lecture names (inverted dropout, batchnorm modes).
//
// Thresholds: relative error < 1e-6 for every layer (smooth layers give
// ~1e-7..1e-9 in doubles with h = 1e-5, see gradcheck.h). ReLU, Leaky ReLU,
// ELU with alpha != 1 and maxout are piecewise smooth: their inputs are kept
// more than 1e-3 from the kinks (REQUIREd), where centred differences of a
// linear piece are exact up to round-off, so the same threshold applies.
// Dropout is checked with a fixed mask (the Rng is reseeded before every
// evaluation); batchnorm in training mode with fresh running averages each
// evaluation, since its output does not depend on them.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>

#include "core/train/gradcheck.h"
#include "core/models/layers.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

// Random values at least `gap` away from zero.
static Mat away_from_zero(int rows, int cols, Rng& rng, double gap = 1e-2) {
  Mat m = random_mat(rows, cols, rng);
  for (Eigen::Index k = 0; k < m.size(); ++k)
    if (std::abs(m.data()[k]) < gap) m.data()[k] += m.data()[k] >= 0 ? gap : -gap;
  return m;
}

static double abs_tol(double f) { return 10 * 2.2e-16 * std::max(1.0, std::abs(f)) / 1e-5; }

// f(x) = sum(out .* dout): its gradient with respect to x is exactly what a
// backward given dout must return.
static double dot(const Mat& out, const Mat& dout) { return out.cwiseProduct(dout).sum(); }

TEST_CASE("affine backward matches centred differences for x, W and b", "[layers]") {
  Rng rng(1);
  Mat x = random_mat(5, 3, rng), W = random_mat(4, 3, rng), b = random_mat(1, 4, rng);
  const Mat dout = random_mat(5, 4, rng);
  AffineCache cache;
  const Mat out = affine_forward(x, W, b, cache);
  REQUIRE(out.rows() == 5);
  REQUIRE(out.cols() == 4);
  CHECK(out.row(2).isApprox(x.row(2) * W.transpose() + b));
  Mat dx, dW, db;
  affine_backward(dout, W, cache, dx, dW, db);
  auto f = [&] {
    AffineCache c;
    return dot(affine_forward(x, W, b, c), dout);
  };
  const double tol = abs_tol(f());
  CHECK(max_rel_error(dx, numeric_gradient(f, x), tol) < 1e-6);
  CHECK(max_rel_error(dW, numeric_gradient(f, W), tol) < 1e-6);
  CHECK(max_rel_error(db, numeric_gradient(f, b), tol) < 1e-6);
}

TEST_CASE("every elementwise activation's backward matches centred differences", "[layers]") {
  struct Case {
    Activation act;
    double alpha;
  };
  const Case cases[] = {{Activation::ReLU, 0},      {Activation::LeakyReLU, 0.01},
                        {Activation::LeakyReLU, 0.3}, {Activation::ELU, 1.0},
                        {Activation::ELU, 0.5},     {Activation::Tanh, 0},
                        {Activation::Sigmoid, 0},   {Activation::Linear, 0}};
  Rng rng(2);
  for (const Case& c : cases) {
    Mat x = away_from_zero(6, 5, rng);
    const Mat dout = random_mat(6, 5, rng);
    ActCache cache;
    activation_forward(c.act, c.alpha, x, cache);
    const Mat dx = activation_backward(c.act, c.alpha, dout, cache);
    auto f = [&] {
      ActCache cc;
      return dot(activation_forward(c.act, c.alpha, x, cc), dout);
    };
    INFO("activation " << int(c.act) << " alpha " << c.alpha);
    CHECK(max_rel_error(dx, numeric_gradient(f, x), abs_tol(f())) < 1e-6);
  }
}

TEST_CASE("activations have the lecture's shapes", "[layers]") {
  Mat x(1, 3);
  x << -2, 0, 3;
  ActCache c;
  CHECK(relu_forward(x, c).isApprox((Mat(1, 3) << 0, 0, 3).finished()));
  CHECK(leaky_relu_forward(x, 0.1, c)(0, 0) == Approx(-0.2));
  CHECK(elu_forward(x, 1.0, c)(0, 0) == Approx(std::exp(-2.0) - 1.0));
  CHECK(tanh_forward(x, c)(0, 1) == 0.0);
  CHECK(sigmoid_forward(x, c)(0, 1) == 0.5);
  // ReLU passes no gradient at or below 0.
  relu_forward(x, c);
  CHECK(relu_backward(Mat::Ones(1, 3), c).isApprox((Mat(1, 3) << 0, 0, 1).finished()));
}

TEST_CASE("maxout takes the max of each group of k and routes the gradient to it", "[layers]") {
  Mat x(1, 6);
  x << 1, 5, 2, -3, -1, -2;  // k = 3: units (1,5,2) and (-3,-1,-2)
  MaxoutCache cache;
  const Mat out = maxout_forward(x, 3, cache);
  REQUIRE(out.cols() == 2);
  CHECK(out(0, 0) == 5);
  CHECK(out(0, 1) == -1);
  const Mat dx = maxout_backward((Mat(1, 2) << 10, 20).finished(), 3, cache);
  CHECK(dx.isApprox((Mat(1, 6) << 0, 10, 0, 0, 20, 0).finished()));

  // Numerical check on random inputs whose pieces are far apart.
  Rng rng(4);
  for (int k : {2, 3}) {
    Mat xr = random_mat(5, 4 * k, rng);
    double closest = 1e9;
    for (Eigen::Index i = 0; i < xr.rows(); ++i)
      for (Eigen::Index a = 0; a < xr.cols(); ++a)
        for (Eigen::Index b = a + 1; b < xr.cols(); ++b)
          if (a / k == b / k) closest = std::min(closest, std::abs(xr(i, a) - xr(i, b)));
    REQUIRE(closest > 1e-3);
    const Mat dout = random_mat(5, 4, rng);
    MaxoutCache c;
    maxout_forward(xr, k, c);
    const Mat dxr = maxout_backward(dout, k, c);
    auto f = [&] {
      MaxoutCache cc;
      return dot(maxout_forward(xr, k, cc), dout);
    };
    CHECK(max_rel_error(dxr, numeric_gradient(f, xr), abs_tol(f())) < 1e-6);
  }
}

TEST_CASE("inverted dropout: scaled mask at train time, identity at test time", "[layers]") {
  Rng rng(6);
  const double p = 0.6;
  Mat x = random_mat(4, 5, rng);
  const Mat dout = random_mat(4, 5, rng);
  DropoutCache cache;
  rng.reseed(42);
  const Mat out = dropout_forward(x, p, true, rng, cache);
  for (Eigen::Index k = 0; k < out.size(); ++k) {
    const double m = cache.mask.data()[k];
    CHECK((m == 0.0 || m == Approx(1.0 / p)));
    CHECK(out.data()[k] == Approx(x.data()[k] * m));
  }
  const Mat dx = dropout_backward(dout, cache);
  // Fixed mask: the same seed before every evaluation.
  auto f = [&] {
    Rng r(42);
    DropoutCache c;
    return dot(dropout_forward(x, p, true, r, c), dout);
  };
  CHECK(max_rel_error(dx, numeric_gradient(f, x), abs_tol(f())) < 1e-6);

  // Test time: identity, no mask.
  DropoutCache test_cache;
  CHECK(dropout_forward(x, p, false, rng, test_cache) == x);
  CHECK(dropout_backward(dout, test_cache) == dout);

  // Keeps about a fraction p and preserves the expected activation.
  const Mat ones = Mat::Ones(200, 100);
  DropoutCache big;
  const Mat dropped = dropout_forward(ones, p, true, rng, big);
  const double kept = double((big.mask.array() > 0).count()) / double(ones.size());
  CHECK(kept == Approx(p).epsilon(0.05));
  CHECK(dropped.mean() == Approx(1.0).epsilon(0.05));
}

TEST_CASE("batchnorm training-mode backward matches centred differences", "[layers]") {
  Rng rng(7);
  Mat x = random_mat(6, 4, rng, 3.0);
  x.rowwise() += (Mat(1, 4) << 1, -2, 5, 0).finished().row(0);
  Mat gamma = random_mat(1, 4, rng), beta = random_mat(1, 4, rng);
  const Mat dout = random_mat(6, 4, rng);
  Mat rm = Mat::Zero(1, 4), rv = Mat::Ones(1, 4);
  BatchNormCache cache;
  const Mat out = batchnorm_forward(x, gamma, beta, true, rm, rv, cache);
  // Normalised per column: mean beta, std |gamma| (up to eps).
  CHECK(out.col(2).mean() == Approx(beta(0, 2)));
  Mat dx, dgamma, dbeta;
  batchnorm_backward(dout, cache, dx, dgamma, dbeta);
  auto f = [&] {
    Mat m = Mat::Zero(1, 4), v = Mat::Ones(1, 4);
    BatchNormCache c;
    return dot(batchnorm_forward(x, gamma, beta, true, m, v, c), dout);
  };
  const double tol = abs_tol(f());
  CHECK(max_rel_error(dx, numeric_gradient(f, x), tol) < 1e-6);
  CHECK(max_rel_error(dgamma, numeric_gradient(f, gamma), tol) < 1e-6);
  CHECK(max_rel_error(dbeta, numeric_gradient(f, beta), tol) < 1e-6);
}

TEST_CASE("batchnorm keeps running averages and uses them at test time", "[layers]") {
  Mat x(4, 2);
  x << 1, 10, 3, 10, 5, 10, 7, 10;  // column means 4 and 10, variances 5 and 0
  const Mat gamma = Mat::Ones(1, 2), beta = Mat::Zero(1, 2);
  Mat rm = Mat::Zero(1, 2), rv = Mat::Ones(1, 2);
  BatchNormCache cache;
  batchnorm_forward(x, gamma, beta, true, rm, rv, cache);
  CHECK(rm(0, 0) == Approx(0.1 * 4));  // 0.9 * 0 + 0.1 * 4
  CHECK(rv(0, 0) == Approx(0.9 + 0.1 * 5));
  CHECK(rv(0, 1) == Approx(0.9));
  // Test mode: normalises with the running averages, and changes nothing.
  const Mat rm_before = rm, rv_before = rv;
  const Mat out = batchnorm_forward(x, gamma, beta, false, rm, rv, cache);
  CHECK(rm == rm_before);
  CHECK(rv == rv_before);
  CHECK(out(0, 0) == Approx((1 - 0.4) / std::sqrt(1.4 + 1e-5)));
}

TEST_CASE("batchnorm on a batch of one gives beta, not NaN", "[layers]") {
  Mat x(1, 3);
  x << 2, -1, 7;
  const Mat gamma = Mat::Constant(1, 3, 2.0), beta = (Mat(1, 3) << 0.5, 0, -1).finished();
  Mat rm = Mat::Zero(1, 3), rv = Mat::Ones(1, 3);
  BatchNormCache cache;
  const Mat out = batchnorm_forward(x, gamma, beta, true, rm, rv, cache);
  REQUIRE(out.allFinite());
  CHECK(out.isApprox(beta));
  Mat dx, dgamma, dbeta;
  batchnorm_backward(Mat::Ones(1, 3), cache, dx, dgamma, dbeta);
  CHECK(dx.allFinite());
  CHECK(dgamma.allFinite());
  CHECK(rv.allFinite());
}

TEST_CASE("initialisers give the documented scales", "[layers]") {
  Rng rng(8);
  InitSpec spec;
  Mat W(200, 50);
  spec.kind = InitKind::Zeros;
  init_weights(W, spec, rng);
  CHECK(W.isZero());
  spec.kind = InitKind::Constant;
  spec.constant = 0.3;
  init_weights(W, spec, rng);
  CHECK((W.array() == 0.3).all());
  auto std_of = [](const Mat& m) { return std::sqrt((m.array() - m.mean()).square().mean()); };
  spec.kind = InitKind::SmallRandom;
  init_weights(W, spec, rng);
  CHECK(std_of(W) == Approx(0.01).epsilon(0.05));
  spec.kind = InitKind::Xavier;
  init_weights(W, spec, rng);
  CHECK(std_of(W) == Approx(1.0 / std::sqrt(50.0)).epsilon(0.05));
  spec.kind = InitKind::He;
  init_weights(W, spec, rng);
  CHECK(std_of(W) == Approx(std::sqrt(2.0 / 50.0)).epsilon(0.05));

  Mat b(1, 400);
  spec.bias = 0.1;
  init_bias(b, spec, rng);
  CHECK((b.array() == 0.1).all());
  spec.random_bias = true;
  init_bias(b, spec, rng);
  CHECK(std_of(b) == Approx(0.01).epsilon(0.15));
}

TEST_CASE("init gain multiplies the random initialisations' scale", "[layers]") {
  for (InitKind k : {InitKind::SmallRandom, InitKind::Xavier, InitKind::He}) {
    InitSpec a, b;
    a.kind = b.kind = k;
    b.gain = 7.5;
    Mat Wa(64, 100), Wb(64, 100);
    Rng ra(3), rb(3);
    init_weights(Wa, a, ra);
    init_weights(Wb, b, rb);
    // Same random stream, so every entry is scaled exactly by the gain.
    REQUIRE((Wb - 7.5 * Wa).cwiseAbs().maxCoeff() < 1e-12);
  }
  InitSpec c;
  c.kind = InitKind::Constant;
  c.constant = 0.3;
  c.gain = 10;  // no effect on the constant init
  Mat W(3, 4);
  Rng r(1);
  init_weights(W, c, r);
  REQUIRE(W.isConstant(0.3));
}
