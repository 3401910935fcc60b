// Tests of the float32 conv and max-pool kernels (core/fast/conv_kernels.h)
// against the double reference layers (core/models/conv_layers.h), which
// test_conv_layers.cpp gradient-checks.
//
// Error bound, stated once and used for every sum: a float32 result that
// adds L products of float-rounded inputs differs from the exact double one
// by at most (L + 4) u times the sum of the terms' magnitudes, u = 2^-24
// (each input rounded once, each product once, each of the L additions
// once; regrouping the additions, as the SIMD lanes and the thread slices
// do, keeps the bound). The sum of magnitudes is the reference layer run on
// |x|, |W|, |b|, |dout|, so each entry gets its own bound and a test cannot
// pass by a loose global tolerance. ReLU and max pooling are 1-Lipschitz,
// so they keep it.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/fast/conv_kernels.h"
#include "core/fast/fast_engine.h"
#include "core/train/engine.h"
#include "core/models/convnet_calc.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

namespace {

constexpr double kU = 1.0 / (1 << 24);  // unit round-off of float32

std::vector<float> to_f(const Mat& m) {
  std::vector<float> v(size_t(m.size()));
  for (Eigen::Index i = 0; i < m.size(); ++i) v[size_t(i)] = float(m.data()[i]);
  return v;
}
Mat abs_of(const Mat& m) { return m.cwiseAbs(); }

// Every entry: |fast - ref| <= (terms + 4) u mag. Returns the largest ratio
// error / bound seen (for the message), REQUIREs each.
double check_bound(const std::vector<float>& fast, const Mat& ref, const Mat& mag, long terms, const char* what) {
  REQUIRE(fast.size() == size_t(ref.size()));
  double worst = 0;
  for (Eigen::Index i = 0; i < ref.size(); ++i) {
    const double err = std::abs(double(fast[size_t(i)]) - ref.data()[i]);
    const double bound = double(terms + 4) * kU * mag.data()[i];
    if (err > bound) {
      INFO(what << " entry " << i << ": fast " << fast[size_t(i)] << " reference " << ref.data()[i]
                << " error " << err << " bound " << bound);
      REQUIRE(err <= bound);
    }
    if (bound > 0) worst = std::max(worst, err / bound);
  }
  return worst;
}

struct Case {
  Volume in;
  int K, F, S, P;
  const char* name;
};
// Stride 2 with padding 2 on depth 3, non-square inputs, even and odd F,
// 1x1, a filter as large as the input, workload 6's two layers, a column
// count that leaves a remainder in every GEMM tile (3x5 outputs).
const Case kCases[] = {
    {{7, 5, 3}, 2, 3, 2, 2, "7x5x3, 3x3 stride 2 pad 2"},
    {{5, 6, 2}, 3, 5, 1, 2, "5x6x2, 5x5 pad 2"},
    {{8, 6, 1}, 4, 4, 2, 1, "8x6x1, even 4x4 stride 2 pad 1"},
    {{4, 3, 3}, 5, 1, 1, 0, "4x3x3, 1x1"},
    {{6, 6, 2}, 1, 6, 1, 0, "6x6x2, filter as large as the input"},
    {{24, 24, 1}, 8, 5, 1, 2, "workload 6 conv 1"},
    {{12, 12, 8}, 16, 5, 1, 2, "workload 6 conv 2"},
    {{5, 3, 2}, 7, 1, 1, 0, "5x3x2, 1x1 to 7 filters (tails)"},
    {{11, 7, 3}, 6, 3, 2, 2, "11x7x3, stride 2 pad 2, 6 filters"},
};

ConvGeom geom_of(const Case& c) { return conv_geom(c.in, c.K, c.F, c.S, c.P); }

// A random valid case: output size, stride, filter and padding first, the
// input size that makes them tile exactly after.
Case random_case(Rng& rng) {
  for (;;) {
    Case c;
    c.F = 1 + rng.randint(5);
    c.S = 1 + rng.randint(3);
    c.P = rng.randint(c.F);  // P < F: every output sees the image
    c.K = 1 + rng.randint(9);
    const int Wo = 1 + rng.randint(9), Ho = 1 + rng.randint(9);
    c.in.W = (Wo - 1) * c.S + c.F - 2 * c.P;
    c.in.H = (Ho - 1) * c.S + c.F - 2 * c.P;
    c.in.D = 1 + rng.randint(4);
    c.name = "random";
    if (c.in.W >= 1 && c.in.H >= 1) return c;
  }
}

struct ConvRun {
  ConvGeom g;
  int N;
  Mat x, W, b, dout;
};
ConvRun make_run(const Case& c, int N, Rng& rng) {
  ConvRun r{geom_of(c), N, {}, {}, {}, {}};
  r.x = random_mat(N, r.g.in_cols(), rng);
  r.W = random_mat(r.g.K, r.g.C * r.g.F * r.g.F, rng, 0.3);
  r.b = random_mat(1, r.g.K, rng, 0.5);
  r.dout = random_mat(N, r.g.out_cols(), rng);
  return r;
}

void check_forward(const ConvRun& r, bool relu, bool direct, int threads) {
  ConvCache cache;
  Mat ref = conv_forward(r.x, r.W, r.b, r.g, cache);
  const Mat mag = conv_forward(abs_of(r.x), abs_of(r.W), abs_of(r.b), r.g, cache);
  if (relu) ref = ref.cwiseMax(0.0);
  const std::vector<float> x = to_f(r.x), W = to_f(r.W), b = to_f(r.b);
  std::vector<float> out(size_t(r.N) * r.g.out_cols(), -99.f);
  if (direct) {
    conv_forward_direct_f32(out.data(), x.data(), W.data(), b.data(), r.N, r.g, relu);
  } else {
    ConvWorkspace ws;
    ws.reserve(r.g, threads);
    ws.min_parallel_macs = 0;
    conv_forward_f32(out.data(), x.data(), W.data(), b.data(), r.N, r.g, relu, ws);
  }
  check_bound(out, ref, mag, long(r.g.C) * r.g.F * r.g.F + 1, "forward");
}

void check_backward(const ConvRun& r, bool with_dx, bool relu, int threads) {
  const std::vector<float> x = to_f(r.x), W = to_f(r.W), b = to_f(r.b);
  std::vector<float> dout = to_f(r.dout);
  std::vector<float> relu_out;
  Mat dout_ref = r.dout;
  ConvWorkspace ws;
  ws.reserve(r.g, threads);
  ws.min_parallel_macs = 0;
  if (relu) {  // the mask comes from the fast forward; the reference gets the same mask
    relu_out.resize(size_t(r.N) * r.g.out_cols());
    conv_forward_f32(relu_out.data(), x.data(), W.data(), b.data(), r.N, r.g, true, ws);
    for (Eigen::Index i = 0; i < dout_ref.size(); ++i)
      if (!(relu_out[size_t(i)] > 0)) dout_ref.data()[i] = 0;
  }
  ConvCache cache, cache_abs;
  Mat dx, dW, db, dx_mag, dW_mag, db_mag;
  conv_forward(r.x, r.W, r.b, r.g, cache);
  conv_backward(dout_ref, r.W, r.g, cache, dx, dW, db);
  conv_forward(abs_of(r.x), abs_of(r.W), abs_of(r.b), r.g, cache_abs);
  conv_backward(abs_of(dout_ref), abs_of(r.W), r.g, cache_abs, dx_mag, dW_mag, db_mag);

  std::vector<float> fdx(size_t(r.N) * r.g.in_cols(), -99.f), fdW(size_t(r.W.size()), -99.f), fdb(size_t(r.g.K), -99.f);
  conv_backward_f32(with_dx ? fdx.data() : nullptr, fdW.data(), fdb.data(), dout.data(), x.data(), W.data(),
                    relu ? relu_out.data() : nullptr, r.N, r.g, ws);
  const long per_image = long(r.g.H_out) * r.g.W_out;
  check_bound(fdW, dW, dW_mag, r.N * per_image, "dW");
  check_bound(fdb, db, db_mag, r.N * per_image, "db");
  if (with_dx) check_bound(fdx, dx, dx_mag, long(r.g.K) * r.g.F * r.g.F, "dx");
  else CHECK(fdx[0] == -99.f);  // not written
  if (relu)  // dout was masked in place
    for (size_t i = 0; i < dout.size(); ++i) REQUIRE(dout[i] == float(dout_ref.data()[i]));
}

}  // namespace

TEST_CASE("fast conv forward (im2col + GEMM) is the reference within float rounding", "[fast_conv]") {
  Rng rng(11);
  for (const Case& c : kCases) {
    SECTION(c.name) {
      const ConvRun r = make_run(c, 3, rng);
      check_forward(r, false, false, 1);
      check_forward(r, true, false, 1);
    }
  }
  SECTION("40 random shapes (F 1..5, S 1..3, P < F, depth 1..4)") {
    for (int t = 0; t < 40; ++t) {
      const Case c = random_case(rng);
      INFO("in " << c.in.W << "x" << c.in.H << "x" << c.in.D << " K " << c.K << " F " << c.F << " S " << c.S
                 << " P " << c.P);
      const ConvRun r = make_run(c, 2, rng);
      check_forward(r, t % 2 == 1, false, 1 + t % 2);
    }
  }
}

TEST_CASE("fast direct conv forward is the reference within float rounding", "[fast_conv]") {
  Rng rng(12);
  for (const Case& c : kCases) {
    const ConvRun r = make_run(c, 2, rng);
    INFO(c.name);
    check_forward(r, false, true, 1);
    check_forward(r, true, true, 1);
  }
  for (int t = 0; t < 20; ++t) check_forward(make_run(random_case(rng), 2, rng), t % 2 == 1, true, 1);
}

TEST_CASE("fast conv backward (dW, db, dx by col2im) is the reference within float rounding", "[fast_conv]") {
  Rng rng(13);
  for (const Case& c : kCases) {
    SECTION(c.name) {
      const ConvRun r = make_run(c, 3, rng);
      check_backward(r, true, false, 1);
      check_backward(r, true, true, 1);
      check_backward(r, false, false, 1);  // the input layer: no dx
    }
  }
  SECTION("40 random shapes") {
    for (int t = 0; t < 40; ++t) {
      const Case c = random_case(rng);
      INFO("in " << c.in.W << "x" << c.in.H << "x" << c.in.D << " K " << c.K << " F " << c.F << " S " << c.S
                 << " P " << c.P);
      check_backward(make_run(c, 1 + t % 4, rng), true, t % 3 == 0, 1 + t % 2);
    }
  }
}

TEST_CASE("fast conv: 1 and 2 thread slices agree (forward and dx exactly, dW and db within rounding)",
          "[fast_conv]") {
  Rng rng(14);
  const ConvRun r = make_run(kCases[6], 7, rng);  // workload 6's conv 2, an odd batch
  const std::vector<float> x = to_f(r.x), W = to_f(r.W), b = to_f(r.b);
  std::vector<float> out[2], dx[2], dW[2], db[2];
  for (int t = 0; t < 2; ++t) {
    ConvWorkspace ws;
    ws.reserve(r.g, t + 1);
    ws.min_parallel_macs = 0;
    REQUIRE(ws.slices == t + 1);
    out[t].assign(size_t(r.N) * r.g.out_cols(), 0.f);
    dx[t].assign(size_t(r.N) * r.g.in_cols(), 0.f);
    dW[t].assign(size_t(r.W.size()), 0.f);
    db[t].assign(size_t(r.g.K), 0.f);
    std::vector<float> dout = to_f(r.dout);
    conv_forward_f32(out[t].data(), x.data(), W.data(), b.data(), r.N, r.g, true, ws);
    conv_backward_f32(dx[t].data(), dW[t].data(), db[t].data(), dout.data(), x.data(), W.data(), out[t].data(),
                      r.N, r.g, ws);
  }
  CHECK(out[0] == out[1]);  // each image on its own: the same arithmetic
  CHECK(dx[0] == dx[1]);
  // dW, db: two partial sums added instead of one running sum. Bound as
  // above with L = N*H'*W' terms.
  const long L = long(r.N) * r.g.H_out * r.g.W_out;
  Mat mag_dW(r.W.rows(), r.W.cols()), dW1(r.W.rows(), r.W.cols());
  for (Eigen::Index i = 0; i < dW1.size(); ++i) dW1.data()[i] = dW[0][size_t(i)];
  // the magnitude: the reference backward on |x| and |masked dout|
  Mat dout_m = r.dout;
  for (Eigen::Index i = 0; i < dout_m.size(); ++i)
    if (!(out[0][size_t(i)] > 0)) dout_m.data()[i] = 0;
  ConvCache cache;
  Mat dxm, dWm, dbm;
  conv_forward(abs_of(r.x), abs_of(r.W), abs_of(r.b), r.g, cache);
  conv_backward(abs_of(dout_m), abs_of(r.W), r.g, cache, dxm, dWm, dbm);
  int differ = 0;
  for (Eigen::Index i = 0; i < dW1.size(); ++i) {
    const double err = std::abs(double(dW[0][size_t(i)]) - dW[1][size_t(i)]);
    REQUIRE(err <= 2.0 * (L + 4) * kU * dWm.data()[i]);
    differ += err > 0;
  }
  for (int k = 0; k < r.g.K; ++k)
    REQUIRE(std::abs(double(db[0][size_t(k)]) - db[1][size_t(k)]) <= 2.0 * (L + 4) * kU * dbm(0, k));
  INFO("dW entries that differ in rounding: " << differ << " of " << dW1.size());
  SUCCEED();
}

TEST_CASE("fast conv refuses filters that do not tile, with the calculator's sentence", "[fast_conv]") {
  // The kernels take a ConvGeom, which only conv_geom/pool_geom make: 7 wide,
  // F = 3, S = 3 gives (7 - 3)/3 + 1 = 2.33.
  const VolumeSize calc = conv_output_volume({7, 7, 1}, 3, 3, 0, 4);
  REQUIRE_FALSE(calc.valid);
  CHECK_THROWS_WITH(conv_geom({7, 7, 1}, 4, 3, 3, 0), calc.reason);
  CHECK_THROWS_WITH(conv_geom({7, 7, 1}, 4, 3, 3, 0), Catch::Contains("2.33 is not an integer"));
  CHECK_THROWS_WITH(pool_geom({7, 5, 2}, 2, 2), Catch::Contains("not an integer"));
  // The memory estimate of a network refuses it too, with the same sentence.
  ModelSpec spec;
  spec.input = {7, 7, 1};
  spec.hidden = {HiddenLayerSpec::conv(4, 3, 3, 0)};
  CHECK_THROWS_WITH(conv_memory(spec, 8, 1), Catch::Contains("2.33 is not an integer"));
  // A workspace reserved for one shape is refused for a larger one.
  ConvWorkspace ws;
  ws.reserve(conv_geom({5, 5, 1}, 2, 3, 1, 1), 1);
  const ConvGeom big = conv_geom({9, 9, 2}, 2, 3, 1, 1);
  std::vector<float> x(size_t(big.in_cols())), W(size_t(big.K * big.C * 9)), out(size_t(big.out_cols()));
  CHECK_THROWS_WITH(conv_forward_f32(out.data(), x.data(), W.data(), nullptr, 1, big, false, ws),
                    Catch::Contains("reserved for another shape"));
}

TEST_CASE("fast max pool forward equals the reference; backward within rounding, ReLU mask fused",
          "[fast_conv]") {
  struct PoolCase {
    Volume in;
    int F, S;
  };
  const PoolCase cases[] = {
      {{24, 24, 8}, 2, 2}, {{12, 12, 16}, 3, 3}, {{7, 5, 3}, 3, 2},  // overlapping, non-square
      {{6, 4, 2}, 2, 1},   {{5, 5, 1}, 5, 5},    {{9, 3, 4}, 3, 3},
  };
  Rng rng(15);
  for (const PoolCase& pc : cases) {
    const ConvGeom g = pool_geom(pc.in, pc.F, pc.S);
    const int N = 3;
    INFO(pc.in.W << "x" << pc.in.H << "x" << pc.in.D << " F " << pc.F << " S " << pc.S);
    const Mat x = random_mat(N, g.in_cols(), rng), dout = random_mat(N, g.out_cols(), rng);
    MaxPoolCache cache;
    const Mat ref = maxpool_forward(x, g, cache);
    const std::vector<float> fx = to_f(x), fdout = to_f(dout);
    std::vector<float> out(size_t(N) * g.out_cols());
    std::vector<int32_t> argmax(out.size());
    maxpool_forward_f32(out.data(), argmax.data(), fx.data(), N, g);
    for (size_t i = 0; i < out.size(); ++i) {
      REQUIRE(argmax[i] == cache.argmax[i]);  // normals: no ties, even after rounding to float
      REQUIRE(out[i] == float(ref.data()[i]));
    }
    // Backward: each dx entry sums the windows its input wins (<= F*F/S^2 + 1 terms).
    const Mat dx = maxpool_backward(dout, g, cache), mag = maxpool_backward(abs_of(dout), g, cache);
    std::vector<float> fdx(size_t(N) * g.in_cols(), -99.f);
    maxpool_backward_f32(fdx.data(), fdout.data(), argmax.data(), nullptr, N, g);
    check_bound(fdx, dx, mag, long(pc.F) * pc.F, "pool dx");
    // With the pool's input from a ReLU: winners <= 0 pass nothing.
    Mat dx_relu = dx;
    for (Eigen::Index i = 0; i < dx.size(); ++i)
      if (!(x.data()[i] > 0)) dx_relu.data()[i] = 0;
    maxpool_backward_f32(fdx.data(), fdout.data(), argmax.data(), fx.data(), N, g);
    check_bound(fdx, dx_relu, mag, long(pc.F) * pc.F, "pool dx with ReLU");
  }
}

TEST_CASE("fast max pool ties go to the first maximum, as the reference", "[fast_conv]") {
  const ConvGeom g = pool_geom({4, 2, 1}, 2, 2);
  const float x[8] = {1, 3, 2, 2, 3, 0, 2, -1};  // windows {1,3,3,0} and {2,2,2,-1}
  float out[2];
  int32_t argmax[2];
  maxpool_forward_f32(out, argmax, x, 1, g);
  CHECK(out[0] == 3);
  CHECK(argmax[0] == 1);  // the 3 at (0,1), not the one at (1,0)
  CHECK(out[1] == 2);
  CHECK(argmax[1] == 2);
}


// ---- Conv and pool layers in the fast engine ------------------------------------------
namespace {

using HL = HiddenLayerSpec;

// One SGD step with lr 1 on the fast engine moves each parameter by minus its
// gradient; the reference's forward_backward from the same (float) values
// gives the double gradient. Bound per parameter block, norm-wise: 1e-4 of
// the gradient + 1e-6 of the parameter (x - (x - g) in float) + 1e-6 of the
// whole gradient (as test_fast_engine.cpp's check_one_step).
void check_conv_step(const ModelSpec& base, int N, uint64_t seed) {
  ModelSpec spec = base;
  spec.optim.kind = OptimKind::SGD;
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::L2;
  spec.loss.lambda = 0.01;
  const int D = spec.input.size(), C = 4;
  Rng rng(seed);
  const Mat X = random_mat(N, D, rng);
  const Labels y = random_labels(N, C, rng);
  Rng init(seed + 1);
  std::unique_ptr<Model> ref = make_model(spec, D, C, init);
  for (const ParamRef& p : ref->params())  // biases away from 0 so their gradients matter
    if (!p.regularized) *p.value += 0.1 * random_mat(int(p.value->rows()), int(p.value->cols()), rng);
  REQUIRE(fast_engine_supports(spec));
  std::unique_ptr<Engine> fast = make_fast_engine(spec, *ref);
  fast->set_training_set(X, y);
  std::vector<int> idx(static_cast<size_t>(N), 0);
  for (int i = 0; i < N; ++i) idx[size_t(i)] = i;
  const std::unique_ptr<Model> before = fast->model().clone();
  Rng r1(seed + 2), r2(seed + 2);
  const EngineStep s = fast->step(idx.data(), N, 1.0, 0.0, r1);
  ref->copy_params_from(*before);
  const LossParts lp = ref->forward_backward(X, y, r2);
  REQUIRE(s.loss.data_loss == Approx(lp.data_loss).epsilon(1e-5));
  REQUIRE(s.loss.reg_loss == Approx(lp.reg_loss).epsilon(1e-5));
  double sum_sq = 0;
  for (const ParamRef& p : ref->params()) sum_sq += p.grad->squaredNorm();
  const Model& after = fast->model();
  for (const ParamRef& p : ref->params()) {
    const Mat g = *before->param(p.name) - *after.param(p.name);
    INFO(p.name << ": |g| " << p.grad->norm() << ", |g_fast - g| " << (g - *p.grad).norm());
    REQUIRE((g - *p.grad).norm() <=
            1e-4 * p.grad->norm() + 1e-6 * before->param(p.name)->norm() + 1e-6 * std::sqrt(sum_sq) + 1e-7);
  }
}

}  // namespace

TEST_CASE("one fast step of a ConvNet has the reference's loss and gradients", "[fast_conv]") {
  ModelSpec spec;
  SECTION("workload 6's network (ReLU conv before each pool: the mask fused into the pool)") {
    spec.input = {24, 24, 1};
    spec.hidden = {HL::conv(8, 5, 1, 2), HL::pool(2, 2), HL::conv(16, 5, 1, 2), HL::pool(3, 3)};
    check_conv_step(spec, 6, 31);
  }
  SECTION("non-square depth 3, stride 2 pad 2, conv after conv, a ReLU conv into a fully connected layer") {
    spec.input = {11, 7, 3};
    spec.hidden = {HL::conv(6, 3, 2, 2), HL::conv(4, 3, 1, 1, Activation::Linear), HL::conv(5, 2, 1, 0),
                   HL::fc(7, Activation::Tanh)};  // 6x5x6, 6x5x4, 5x4x5, 7
    check_conv_step(spec, 5, 32);
  }
  SECTION("tanh and leaky ReLU convs (activation after the conv), overlapping pools, no bias") {
    spec.input = {9, 7, 2};
    spec.use_bias = false;
    spec.hidden = {HL::conv(4, 3, 1, 1, Activation::Tanh), HL::pool(3, 2), HL::conv(3, 1, 1, 0, Activation::LeakyReLU),
                   HL::pool(2, 1)};  // 9x7x4, 4x3x4, 4x3x3, 3x2x3
    spec.hidden[2].alpha = 0.1;
    check_conv_step(spec, 4, 33);
  }
}

namespace {

// n random 12x12x1 images (uniform pixels) with labels from a fixed random
// linear rule, so that there is something to learn.
void random_images(int n, uint64_t seed, Mat& X, Labels& y) {
  Rng rng(seed);
  const Mat w = random_mat(3, 144, rng);
  X = Mat(n, 144);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.uniform();
  y.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    Eigen::Index best;
    (w * X.row(i).transpose()).maxCoeff(&best);
    y[size_t(i)] = int(best);
  }
}

ModelSpec small_convnet() {
  ModelSpec spec;
  spec.input = {12, 12, 1};
  spec.hidden = {HL::conv(6, 3, 1, 1), HL::pool(2, 2), HL::conv(8, 3, 1, 1), HL::pool(2, 2), HL::fc(16)};
  spec.loss.kind = LossKind::Softmax;
  spec.loss.lambda = 1e-3;
  spec.optim.kind = OptimKind::Momentum;
  spec.optim.lr = 0.02;
  spec.optim.batch_size = 16;
  spec.seed = 5;
  return spec;
}

// 100 steps of `spec` on `kind` (threads for the fast engine): the minibatch
// losses, with the trainer's stream (init, then each epoch's shuffle).
std::vector<double> run_losses(ModelSpec spec, EngineKind kind, int threads, const Mat& X, const Labels& y) {
  spec.engine = kind;
  Rng rng(spec.seed);
  std::unique_ptr<Model> init = make_model(spec, int(X.cols()), 3, rng);
  std::unique_ptr<Engine> e =
      kind == EngineKind::Fast ? make_fast_engine(spec, *init, {threads}) : make_engine(spec, std::move(init));
  REQUIRE(e->kind() == kind);
  e->set_training_set(X, y);
  const int n = int(X.rows()), batch = spec.optim.batch_size;
  std::vector<int> order(static_cast<size_t>(n), 0);
  for (int i = 0; i < n; ++i) order[size_t(i)] = i;
  std::vector<double> losses;
  for (int step = 0; step < 100; ++step) {
    const int at = (step * batch) % n;
    if (at == 0)
      for (int i = n - 1; i > 0; --i) std::swap(order[size_t(i)], order[size_t(rng.randint(i + 1))]);
    losses.push_back(e->step(order.data() + at, batch, spec.optim.lr, 0.0, rng).loss.total());
  }
  return losses;
}

}  // namespace

TEST_CASE("100 steps of a small ConvNet on 12x12 images: fast and reference losses agree", "[fast_conv]") {
  // Bound: 1e-3 relative at every step. Float rounding alone stays near 1e-7
  // (measured 1.6e-7, printed). What can exceed that is max pooling: when two
  // inputs of a window are within float rounding of each other, float and
  // double may pick different winners, and from then on the runs differ like
  // two runs (seen with lr 0.05: a jump to 1e-4 at step 92, 2e-3 by step 96,
  // growing with the step size). The bound leaves room for one such late
  // event, not for a wrong gradient (the one-step test above bounds that).
  Mat X;
  Labels y;
  random_images(160, 41, X, y);
  const ModelSpec spec = small_convnet();
  const std::vector<double> fast = run_losses(spec, EngineKind::Fast, 0, X, y);
  const std::vector<double> ref = run_losses(spec, EngineKind::Reference, 0, X, y);
  double worst = 0;
  for (size_t s = 0; s < ref.size(); ++s) {
    const double rel = std::abs(fast[s] - ref[s]) / ref[s];
    worst = std::max(worst, rel);
    INFO("step " << s + 1 << ": fast " << fast[s] << ", reference " << ref[s]);
    REQUIRE(rel <= 1e-3);
  }
  std::printf("small ConvNet, 100 steps: worst relative loss difference fast vs reference %.2e; loss %.3f -> %.3f\n",
              worst, ref.front(), ref.back());
  CHECK(ref.back() < 0.8 * ref.front());  // and it learns
}

TEST_CASE("a ConvNet run gives the same losses on 1 and 2 threads", "[fast_conv]") {
  // Forward and dx are per image, the same on any thread count; dW and db
  // add two partial sums instead of one: float rounding, 1e-5 relative after
  // 100 steps (measured 6e-8; a max-pool winner flipped by rounding, as
  // above, would exceed it: seen at lr 0.05, not at this step size).
  Mat X;
  Labels y;
  random_images(160, 42, X, y);
  ModelSpec spec = small_convnet();
  spec.hidden[0].filters = 16;  // large enough to be split (ConvWorkspace::min_parallel_macs)
  spec.hidden[2].filters = 16;
  const std::vector<double> one = run_losses(spec, EngineKind::Fast, 1, X, y);
  const std::vector<double> two = run_losses(spec, EngineKind::Fast, 2, X, y);
  for (size_t s = 0; s < one.size(); ++s) {
    REQUIRE(std::abs(one[s] - two[s]) <= 1e-5 * one[s]);
  }
}

TEST_CASE("workspace bytes of workload 6 at batch 64 against its activations", "[fast_conv]") {
  ModelSpec spec;
  spec.input = {24, 24, 1};
  spec.hidden = {HL::conv(8, 5, 1, 2), HL::pool(2, 2), HL::conv(16, 5, 1, 2), HL::pool(3, 3)};
  const ConvMemory m = conv_memory(spec, 64, 2);
  // activations: 64 * (576 + 4608 + 1152 + 2304 + 256) floats
  CHECK(m.activations == size_t(64) * (576 + 4608 + 1152 + 2304 + 256) * 4);
  // im2col: 2 slices * (25*576 + 200*144) col floats and the padded images
  // (1 x 28 x 28 and 8 x 16 x 16); partials: 1 * (8*25+8 + 16*200+16)
  CHECK(m.im2col == size_t(2) * (25 * 576 + 28 * 28 + 200 * 144 + 8 * 16 * 16) * 4);
  CHECK(m.partial_grads == size_t(8 * 25 + 8 + 16 * 200 + 16) * 4);
  CHECK(m.argmax == size_t(64) * (1152 + 256) * 4);
  CHECK(m.grad_buffers == size_t(2) * 64 * 4608 * 4);
  CHECK(m.workspace() <= 2 * m.activations);  // the target
}
