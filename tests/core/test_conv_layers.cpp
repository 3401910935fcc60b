// Tests of the ConvNet layers: convolution, max pooling and spatial batch
// normalisation against hand-worked values, against the layers they must
// equal in special cases (a 1x1 conv is a per-pixel affine layer, a filter as
// large as the input is a fully connected layer), and every backward against
// centred differences of f(x) = sum(forward(x) .* dout) for a random dout.
//
// Thresholds: relative error < 1e-6 per entry. Convolution is linear in x, in
// W and in b separately, so its centred difference has no truncation error:
// what is left is round-off, ~1e-9 relative here. Max pooling is linear on
// each piece: the inputs are distinct by at least 1e-2 >> h = 1e-5 (REQUIREd),
// so no +-h evaluation changes a window's winner and the same bound holds.
// Spatial batchnorm is smooth (gradcheck.h: ~1e-7..1e-9).
#include <catch2/catch.hpp>

#include "test_util.h"

#include <algorithm>
#include <cmath>

#include "core/models/conv_layers.h"
#include "core/models/convnet_calc.h"
#include "core/rng.h"
#include "core/train/gradcheck.h"

using namespace nn;
using namespace nn::test;

static double abs_tol(double f) { return 10 * 2.2e-16 * std::max(1.0, std::abs(f)) / 1e-5; }
static double dot(const Mat& out, const Mat& dout) { return out.cwiseProduct(dout).sum(); }

// The layers' geometries the gradient checks run on: stride 2 with padding 2,
// depth 3, non-square inputs, several filters, F even and odd, 1x1.
struct ConvCase {
  Volume in;
  int K, F, S, P;
};
static const ConvCase kConvCases[] = {
    {{7, 5, 3}, 2, 3, 2, 2},  // 7 wide, 5 high, depth 3: (7-3+4)/2+1 = 5 by (5-3+4)/2+1 = 4
    {{5, 6, 2}, 3, 5, 1, 2},  // 5x5 filters keeping the size (P = (F-1)/2)
    {{8, 6, 1}, 4, 4, 2, 1},  // even F: (8-4+2)/2+1 = 4 by (6-4+2)/2+1 = 3
    {{4, 3, 3}, 2, 1, 1, 0},  // 1x1 filters
    {{6, 6, 2}, 1, 6, 1, 0},  // one filter as large as the input: 1x1x1 output
};

TEST_CASE("conv forward on a worked 1-channel example", "[conv_layers]") {
  // x (3x3):  1 2 3      filter (2x2):  1 0      b = 0.5, S = 1, P = 0
  //           4 5 6                     0 -1
  //           7 8 9      out[y][x] = x[y][x] - x[y+1][x+1] + 0.5 = -4 + 0.5 everywhere.
  const ConvGeom g = conv_geom({3, 3, 1}, 1, 2, 1, 0);
  REQUIRE(g.H_out == 2);
  REQUIRE(g.W_out == 2);
  Mat x(1, 9), W(1, 4), b(1, 1);
  x << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  W << 1, 0, 0, -1;
  b << 0.5;
  ConvCache cache;
  const Mat out = conv_forward(x, W, b, g, cache);
  REQUIRE(out.rows() == 1);
  REQUIRE(out.cols() == 4);
  for (int k = 0; k < 4; ++k) CHECK(out(0, k) == -3.5);

  // With P = 1 the output is 4x4; its corner (0, 0) sees the padding for
  // every tap but the bottom-right one: 0*1 + 0*0 + 0*0 + x[0][0]*(-1) + 0.5.
  const ConvGeom gp = conv_geom({3, 3, 1}, 1, 2, 1, 1);
  const Mat outp = conv_forward(x, W, b, gp, cache);
  REQUIRE(outp.cols() == 16);
  CHECK(outp(0, 0) == -0.5);
  // Its last entry (3, 3) sees only x[2][2] = 9 through the top-left tap.
  CHECK(outp(0, 15) == 9.5);
  // Stride 3 on the padded 5x5 picks outputs (0,0), (0,3), (3,0), (3,3) of
  // the stride-1 map. (Stride 2 would not tile it: (3 - 2 + 2)/2 + 1 = 2.5.)
  CHECK_THROWS_WITH(conv_geom({3, 3, 1}, 1, 2, 2, 1), Catch::Contains("2.50 is not an integer"));
  const ConvGeom gs = conv_geom({3, 3, 1}, 1, 2, 3, 1);
  REQUIRE(gs.out_cols() == 4);
  const Mat outs = conv_forward(x, W, b, gs, cache);
  CHECK(outs(0, 0) == outp(0, 0));
  CHECK(outs(0, 1) == outp(0, 3));
  CHECK(outs(0, 2) == outp(0, 12));
  CHECK(outs(0, 3) == outp(0, 15));
}

TEST_CASE("a 1x1 conv is an affine layer applied at every pixel", "[conv_layers]") {
  Rng rng(1);
  const ConvGeom g = conv_geom({5, 4, 3}, 6, 1, 1, 0);  // 5 wide, 4 high, 3 channels, 6 filters
  const Mat x = random_mat(2, g.in_cols(), rng), W = random_mat(6, 3, rng), b = random_mat(1, 6, rng);
  ConvCache cache;
  const Mat out = conv_forward(x, W, b, g, cache);
  for (int n = 0; n < 2; ++n)
    for (int p = 0; p < 20; ++p) {
      Mat pixel(1, 3);
      for (int c = 0; c < 3; ++c) pixel(0, c) = x(n, c * 20 + p);
      AffineCache ac;
      const Mat want = affine_forward(pixel, W, b, ac);
      for (int k = 0; k < 6; ++k) CHECK(out(n, k * 20 + p) == Approx(want(0, k)).epsilon(1e-12));
    }
}

TEST_CASE("flatten is the identity: a filter as large as the input is a fully connected layer",
          "[conv_layers]") {
  // Filter tap (c, ky, kx) and input value (c, y, x) use the same column order
  // when F = H = W, so the conv weights ARE the affine weights, unchanged.
  Rng rng(2);
  const ConvGeom g = conv_geom({4, 4, 3}, 5, 4, 1, 0);
  REQUIRE(g.out_cols() == 5);  // 1 x 1 x 5
  const Mat x = random_mat(3, g.in_cols(), rng), W = random_mat(5, 48, rng), b = random_mat(1, 5, rng);
  ConvCache cc;
  AffineCache ac;
  CHECK(conv_forward(x, W, b, g, cc).isApprox(affine_forward(x, W, b, ac), 1e-12));
}

TEST_CASE("conv backward matches centred differences for x, W and b", "[conv_layers]") {
  Rng rng(3);
  for (const ConvCase& cc : kConvCases) {
    const ConvGeom g = conv_geom(cc.in, cc.K, cc.F, cc.S, cc.P);
    INFO("input " << cc.in.W << "x" << cc.in.H << "x" << cc.in.D << ", K " << cc.K << ", F " << cc.F
                  << ", S " << cc.S << ", P " << cc.P);
    Mat x = random_mat(2, g.in_cols(), rng);
    Mat W = random_mat(g.K, g.C * g.F * g.F, rng), b = random_mat(1, g.K, rng);
    const Mat dout = random_mat(2, g.out_cols(), rng);
    ConvCache cache;
    conv_forward(x, W, b, g, cache);
    Mat dx, dW, db;
    conv_backward(dout, W, g, cache, dx, dW, db);
    auto f = [&] {
      ConvCache c;
      return dot(conv_forward(x, W, b, g, c), dout);
    };
    const double tol = abs_tol(f());
    CHECK(max_rel_error(dx, numeric_gradient(f, x), tol) < 1e-6);
    CHECK(max_rel_error(dW, numeric_gradient(f, W), tol) < 1e-6);
    CHECK(max_rel_error(db, numeric_gradient(f, b), tol) < 1e-6);
  }
}

TEST_CASE("with padding, the border inputs get gradient from fewer taps", "[conv_layers]") {
  // 3x3 input, 3x3 all-ones filter, P = 1: input (0,0) is read by the 4
  // outputs whose window covers it, the centre by all 9.
  const ConvGeom g = conv_geom({3, 3, 1}, 1, 3, 1, 1);
  const Mat x = Mat::Zero(1, 9), W = Mat::Ones(1, 9), b = Mat::Zero(1, 1), dout = Mat::Ones(1, 9);
  ConvCache cache;
  conv_forward(x, W, b, g, cache);
  Mat dx, dW, db;
  conv_backward(dout, W, g, cache, dx, dW, db);
  CHECK(dx(0, 0) == 4);
  CHECK(dx(0, 1) == 6);
  CHECK(dx(0, 4) == 9);
  CHECK(db(0, 0) == 9);
}

// Values at least 1e-2 apart (a shuffled ramp plus jitter below 1e-3), so no
// pooling window has a tie or a near tie.
static Mat distinct_values(int rows, int cols, Rng& rng) {
  std::vector<double> v(size_t(rows * cols));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.02 * double(i) - 0.01 * double(v.size());
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[size_t(rng.randint(int(i)))]);
  Mat m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = v[size_t(k)] + 1e-3 * rng.uniform();
  return m;
}

TEST_CASE("max pool forward takes each channel's window maximum", "[conv_layers]") {
  // One 4x4 channel, 2x2 windows, stride 2.
  const ConvGeom g = pool_geom({4, 4, 1}, 2, 2);
  Mat x(1, 16);
  x << 1, 2, 5, 6,
       3, 4, 8, 7,
       9, 0, 1, 1,
       0, 0, 1, 2;
  MaxPoolCache cache;
  const Mat out = maxpool_forward(x, g, cache);
  REQUIRE(out.cols() == 4);
  CHECK(out(0, 0) == 4);
  CHECK(out(0, 1) == 8);
  CHECK(out(0, 2) == 9);
  CHECK(out(0, 3) == 2);
  // Depth is kept, channels are pooled apart: a second channel of -x gives -min.
  const ConvGeom g2 = pool_geom({4, 4, 2}, 2, 2);
  Mat x2(1, 32);
  x2 << x, -x;
  const Mat out2 = maxpool_forward(x2, g2, cache);
  CHECK(out2(0, 4) == -1);
  CHECK(out2(0, 7) == -1);
}

TEST_CASE("max pool ties go to the first maximum in scan order", "[conv_layers]") {
  const ConvGeom g = pool_geom({2, 2, 1}, 2, 2);
  const Mat x = Mat::Constant(1, 4, 0.5);
  MaxPoolCache cache;
  maxpool_forward(x, g, cache);
  CHECK(cache.argmax[0] == 0);
  const Mat dx = maxpool_backward(Mat::Constant(1, 1, 3.0), g, cache);
  CHECK(dx(0, 0) == 3);
  CHECK(dx.sum() == 3);
}

TEST_CASE("max pool backward matches centred differences, overlapping windows included",
          "[conv_layers]") {
  struct PoolCase {
    Volume in;
    int F, S;
  };
  const PoolCase cases[] = {{{6, 4, 3}, 2, 2}, {{7, 5, 2}, 3, 2}, {{5, 4, 1}, 3, 1}, {{3, 3, 2}, 3, 1}};
  Rng rng(4);
  for (const PoolCase& pc : cases) {
    const ConvGeom g = pool_geom(pc.in, pc.F, pc.S);
    INFO("input " << pc.in.W << "x" << pc.in.H << "x" << pc.in.D << ", F " << pc.F << ", S " << pc.S);
    Mat x = distinct_values(3, g.in_cols(), rng);
    const Mat dout = random_mat(3, g.out_cols(), rng);
    MaxPoolCache cache;
    maxpool_forward(x, g, cache);
    const Mat dx = maxpool_backward(dout, g, cache);
    auto f = [&] {
      MaxPoolCache c;
      return dot(maxpool_forward(x, g, c), dout);
    };
    CHECK(max_rel_error(dx, numeric_gradient(f, x), abs_tol(f())) < 1e-6);
  }
  // Overlapping windows (F = 3, S = 2 on 5 wide, 3 high): column 2 belongs to
  // both; when it holds the maximum it collects both gradients.
  const ConvGeom g = pool_geom({5, 3, 1}, 3, 2);
  REQUIRE(g.out_cols() == 2);
  Mat x = Mat::Zero(1, 15);
  x(0, 1 * 5 + 2) = 1.0;
  MaxPoolCache cache;
  const Mat out = maxpool_forward(x, g, cache);
  CHECK(out(0, 0) == 1.0);
  CHECK(out(0, 1) == 1.0);
  Mat dout(1, 2);
  dout << 0.25, 2.0;
  const Mat dx = maxpool_backward(dout, g, cache);
  CHECK(dx(0, 7) == 2.25);
  CHECK(dx.sum() == 2.25);
}

TEST_CASE("filters that do not tile the input are refused with the calculator's sentence",
          "[conv_layers]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  // The notes' example: 7x7 input, F = 3, S = 3 gives 2.33.
  CHECK_THROWS_WITH(conv_geom({7, 7, 1}, 4, 3, 3, 0),
                    StartsWith("output width (7 - 3 + 2*0)/3 + 1 = 2.33 is not an integer"));
  // Only the height fails: 7 wide fits stride 2, 8 high does not.
  CHECK_THROWS_WITH(conv_geom({7, 8, 1}, 4, 3, 2, 0), StartsWith("output height") && Contains("3.50"));
  CHECK_THROWS_WITH(conv_geom({5, 5, 1}, 4, 7, 1, 0), Contains("larger than the padded input"));
  CHECK_THROWS_WITH(pool_geom({5, 4, 3}, 2, 2), StartsWith("output width (5 - 2 + 2*0)/2 + 1 = 2.50"));
  CHECK_THROWS_WITH(conv_geom({5, 5, 1}, 0, 3, 1, 0), Contains("at least one filter"));
  // The calculator gives the same sentence after the layer's name.
  const ConvNetResult r = analyse_convnet({"", "", {7, 7, 1}, {ConvLayerSpec::conv(4, 3, 3, 0, 1, "c")}});
  try {
    conv_geom({7, 7, 1}, 4, 3, 3, 0);
  } catch (const std::runtime_error& e) {
    CHECK(r.message == "c: " + std::string(e.what()));
  }
  // A wrong input width is refused rather than read out of bounds.
  const ConvGeom g = conv_geom({4, 4, 1}, 1, 3, 1, 1);
  ConvCache cache;
  CHECK_THROWS_WITH(conv_forward(Mat::Zero(2, 15), Mat::Zero(1, 9), Mat::Zero(1, 1), g, cache),
                    Contains("needs N x 16"));
}

TEST_CASE("spatial batchnorm normalises each channel over images and positions", "[conv_layers]") {
  Rng rng(5);
  const int N = 4, C = 3, HW = 6;
  Mat x = random_mat(N, C * HW, rng, 3.0);
  for (int c = 0; c < C; ++c) x.middleCols(c * HW, HW).array() += 5.0 * c;  // channel offsets
  Mat gamma(1, C), beta(1, C);
  gamma << 1, 2, 0.5;
  beta << 0, -1, 3;
  Mat rm = Mat::Zero(1, C), rv = Mat::Ones(1, C);
  BatchNormCache cache;
  const Mat out = spatial_batchnorm_forward(x, C, gamma, beta, true, rm, rv, cache);
  for (int c = 0; c < C; ++c) {
    const Mat ch = out.middleCols(c * HW, HW);  // N x HW values of channel c
    const double mean = ch.mean(), var = (ch.array() - mean).square().mean();
    CHECK(mean == Approx(beta(0, c)).margin(1e-9));
    CHECK(std::sqrt(var) == Approx(gamma(0, c)).epsilon(1e-4));  // eps = 1e-5 shrinks it a little
  }
  // The running mean moved towards each channel's own mean (about 5c).
  CHECK(rm(0, 2) > rm(0, 1));
  CHECK(rm(0, 1) > rm(0, 0) - 1.0);
  // Regrouping round-trips.
  CHECK(columns_to_channels(channels_to_columns(x, C), N, C) == x);
}

TEST_CASE("spatial batchnorm backward matches centred differences", "[conv_layers]") {
  Rng rng(6);
  const int N = 3, C = 2, HW = 5;
  Mat x = random_mat(N, C * HW, rng), gamma = random_mat(1, C, rng), beta = random_mat(1, C, rng);
  const Mat dout = random_mat(N, C * HW, rng);
  auto forward = [&](BatchNormCache& c) {
    Mat rm = Mat::Zero(1, C), rv = Mat::Ones(1, C);  // fresh: training mode does not read them
    return spatial_batchnorm_forward(x, C, gamma, beta, true, rm, rv, c);
  };
  BatchNormCache cache;
  forward(cache);
  Mat dx, dgamma, dbeta;
  spatial_batchnorm_backward(dout, C, cache, dx, dgamma, dbeta);
  auto f = [&] {
    BatchNormCache c;
    return dot(forward(c), dout);
  };
  const double tol = abs_tol(f());
  CHECK(max_rel_error(dx, numeric_gradient(f, x), tol) < 1e-6);
  CHECK(max_rel_error(dgamma, numeric_gradient(f, gamma), tol) < 1e-6);
  CHECK(max_rel_error(dbeta, numeric_gradient(f, beta), tol) < 1e-6);
}
