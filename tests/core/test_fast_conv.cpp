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
#include <vector>

#include "core/fast/conv_kernels.h"
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

TEST_CASE("workspace bytes of workload 6 at batch 64 against its activations", "[fast_conv]") {
  ModelSpec spec;
  spec.input = {24, 24, 1};
  spec.hidden = {HiddenLayerSpec::conv(8, 5, 1, 2), HiddenLayerSpec::pool(2, 2), HiddenLayerSpec::conv(16, 5, 1, 2),
                 HiddenLayerSpec::pool(3, 3)};
  const ConvMemory m = conv_memory(spec, 64, 2);
  // activations: 64 * (576 + 4608 + 1152 + 2304 + 256) floats
  CHECK(m.activations == size_t(64) * (576 + 4608 + 1152 + 2304 + 256) * 4);
  // im2col: 2 slices * (25*576 + 200*144) floats; partials: 1 * (8*25+8 + 16*200+16)
  CHECK(m.im2col == size_t(2) * (25 * 576 + 200 * 144) * 4);
  CHECK(m.partial_grads == size_t(8 * 25 + 8 + 16 * 200 + 16) * 4);
  CHECK(m.argmax == size_t(64) * (1152 + 256) * 4);
  CHECK(m.grad_buffers == size_t(2) * 64 * 4608 * 4);
  CHECK(m.workspace() <= 2 * m.activations);  // the target
}

// ---- ConvStack: the leading conv/pool layers chained ---------------------------------
// Through several layers the per-entry bound above compounds; these tests
// state a relative one instead: max |fast - ref| <= 1e-4 max |ref| for the
// output and each gradient (float32 through 4-5 layers of sums of <= 100
// terms; the measured ratio is ~1e-6).
namespace {

using HL = HiddenLayerSpec;

double max_abs(const Mat& m) { return m.cwiseAbs().maxCoeff(); }
double max_diff(const std::vector<float>& f, const Mat& m) {
  double d = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) d = std::max(d, std::abs(double(f[size_t(i)]) - m.data()[i]));
  return d;
}

// The reference chain of the same layers on double matrices: forward keeps
// what backward needs; backward returns dW, db per conv layer.
struct RefStack {
  std::vector<ConvGeom> g;
  std::vector<bool> conv, relu;
  std::vector<ConvCache> cc;
  std::vector<MaxPoolCache> pc;
  std::vector<ActCache> ac;
  Mat forward(const Mat& x, const std::vector<Mat>& W, const std::vector<Mat>& b) {
    Mat h = x;
    size_t ci = 0;
    for (size_t l = 0; l < g.size(); ++l) {
      if (conv[l]) {
        h = conv_forward(h, W[ci], b[ci], g[l], cc[l]);
        if (relu[l]) h = relu_forward(h, ac[l]);
        ++ci;
      } else {
        h = maxpool_forward(h, g[l], pc[l]);
      }
    }
    return h;
  }
  void backward(const Mat& dout, const std::vector<Mat>& W, std::vector<Mat>& dW, std::vector<Mat>& db) {
    Mat d = dout;
    size_t ci = W.size();
    for (size_t l = g.size(); l-- > 0;) {
      if (conv[l]) {
        --ci;
        if (relu[l]) d = relu_backward(d, ac[l]);
        Mat dx;
        conv_backward(d, W[ci], g[l], cc[l], dx, dW[ci], db[ci]);
        d = dx;
      } else {
        d = maxpool_backward(d, g[l], pc[l]);
      }
    }
  }
};

void check_stack(const ModelSpec& spec, int N, int threads, uint64_t seed) {
  ConvStack fast(spec, N + 2, threads);
  RefStack ref;
  for (int l = 0; l < fast.layers(); ++l) {
    ref.g.push_back(fast.geom(l));
    ref.conv.push_back(fast.is_conv(l));
    ref.relu.push_back(fast.is_conv(l) && spec.hidden[size_t(l)].act == Activation::ReLU);
  }
  ref.cc.resize(ref.g.size());
  ref.pc.resize(ref.g.size());
  ref.ac.resize(ref.g.size());
  Rng rng(seed);
  std::vector<Mat> W, b, dW(size_t(fast.conv_layers())), db(dW.size());
  std::vector<std::vector<float>> fW, fb, fdW, fdb;
  for (int l = 0; l < fast.layers(); ++l) {
    if (!fast.is_conv(l)) continue;
    const ConvGeom& g = fast.geom(l);
    W.push_back(random_mat(g.K, g.C * g.F * g.F, rng, std::sqrt(2.0 / (g.C * g.F * g.F))));
    b.push_back(random_mat(1, g.K, rng, 0.1));
    fW.push_back(to_f(W.back()));
    fb.push_back(to_f(b.back()));
    fdW.emplace_back(fW.back().size(), -99.f);
    fdb.emplace_back(fb.back().size(), -99.f);
  }
  std::vector<ConvLayerParams> p(W.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = {fW[i].data(), fb[i].data(), fdW[i].data(), fdb[i].data()};
  const Mat x = random_mat(N, fast.in_cols(), rng);
  const std::vector<float> fx = to_f(x);
  const Mat out = ref.forward(x, W, b);
  const float* fout = fast.forward(fx.data(), N, p);
  REQUIRE(out.cols() == fast.out_cols());
  const double out_err = max_diff(std::vector<float>(fout, fout + out.size()), out);
  CHECK(out_err <= 1e-4 * max_abs(out));
  const Mat dout = random_mat(N, fast.out_cols(), rng);
  const std::vector<float> fdout = to_f(dout);
  ref.backward(dout, W, dW, db);
  fast.backward(fdout.data(), N, p);
  CHECK(fdout == to_f(dout));  // the caller's gradient is left alone
  for (size_t i = 0; i < p.size(); ++i) {
    INFO("conv layer " << i << ": output error " << out_err);
    CHECK(max_diff(fdW[i], dW[i]) <= 1e-4 * max_abs(dW[i]));
    CHECK(max_diff(fdb[i], db[i]) <= 1e-4 * max_abs(db[i]));
  }
}

}  // namespace

TEST_CASE("ConvStack chains conv and pool layers as the reference layers do", "[fast_conv]") {
  ModelSpec spec;
  SECTION("workload 6's layers (ReLU conv before each pool)") {
    spec.input = {24, 24, 1};
    spec.hidden = {HL::conv(8, 5, 1, 2), HL::pool(2, 2), HL::conv(16, 5, 1, 2), HL::pool(3, 3), HL::fc(10)};
    check_stack(spec, 5, 1, 21);
    check_stack(spec, 5, 2, 21);
  }
  SECTION("non-square depth 2, a linear conv, conv after conv, ReLU conv last, stride 2") {
    spec.input = {12, 8, 2};
    spec.hidden = {HL::conv(4, 3, 1, 1), HL::pool(2, 2), HL::conv(3, 3, 1, 1, Activation::Linear),
                   HL::conv(5, 2, 1, 0), HL::conv(2, 3, 2, 2)};  // 12x8x4, 6x4x4, 6x4x3, 5x3x5, 4x3x2
    check_stack(spec, 3, 1, 22);
    check_stack(spec, 4, 2, 22);
  }
  SECTION("a linear conv before a pool, overlapping pools") {
    spec.input = {9, 7, 3};
    spec.hidden = {HL::conv(4, 3, 1, 1, Activation::Linear), HL::pool(3, 2), HL::pool(2, 1)};  // 9x7, 4x3, 3x2
    check_stack(spec, 3, 1, 23);
  }
}

TEST_CASE("ConvStack: what it refuses and the memory it holds", "[fast_conv]") {
  ModelSpec spec;
  spec.input = {8, 8, 1};
  spec.hidden = {HL::conv(4, 3, 1, 1, Activation::Tanh), HL::pool(2, 2)};
  CHECK_THAT(ConvStack::unsupported(spec), Catch::Contains("conv layer 1") && Catch::Contains("ReLU and linear"));
  CHECK_THROWS_WITH(ConvStack(spec, 4, 1), Catch::Contains("ReLU and linear"));
  spec.hidden[0].act = Activation::ReLU;
  spec.hidden[0].batchnorm = true;
  CHECK_THAT(ConvStack::unsupported(spec), Catch::Contains("batchnorm"));
  spec.hidden[0].batchnorm = false;
  spec.hidden[0].dropout_keep = 0.5;
  CHECK_THAT(ConvStack::unsupported(spec), Catch::Contains("dropout"));
  spec.hidden[0].dropout_keep = 1;
  CHECK(ConvStack::unsupported(spec).empty());
  ConvStack stack(spec, 16, 2);
  const ConvMemory a = stack.memory(), b = conv_memory(spec, 16, 2);
  CHECK(a.activations == b.activations);
  CHECK(a.workspace() == b.workspace());
  CHECK(a.activations == size_t(16) * (64 + 256 + 64) * 4);
  std::vector<float> x(size_t(17) * 64), W(36), bb(4), dW(36), db(4);
  const std::vector<ConvLayerParams> p = {{W.data(), bb.data(), dW.data(), db.data()}};
  CHECK_THROWS_WITH(stack.forward(x.data(), 17, p), Catch::Contains("up to 16 images"));
  CHECK_THROWS_WITH(stack.forward(x.data(), 4, {}), Catch::Contains("one ConvLayerParams per conv layer"));
}
