// Tests of scorer_grid's piecewise-linear fast path (scores interpolated
// across 4x4-pixel cells whose corners share the ReLU activation pattern):
// every pixel against the scalar reference (classify_reference), for ReLU,
// leaky ReLU and batchnorm nets, grids that are not multiples of 4, and the
// cases that must not take the path (tanh, feature expansion).
#include <catch2/catch.hpp>

#include <cmath>

#include "core/fast/fast_eval.h"
#include "core/models/net.h"

using namespace nn;

namespace {

// Max differences of scorer_grid against per-pixel classify_reference; labels
// are compared where the reference's top two scores differ by > 1e-3.
void check_grid(const FastScorer& fs, int W, int H, double x0, double x1, double y0, double y1) {
  std::vector<int> labels;
  std::vector<float> conf, heat;
  const int heat_class = fs.num_classes() - 1;
  scorer_grid(fs, W, H, x0, x1, y0, y1, labels, conf, heat_class, &heat);
  REQUIRE(labels.size() == size_t(W) * H);
  int mismatches = 0;
  double max_conf = 0, max_heat = 0;
  const int C = fs.num_classes();
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) {
      const float x = float(x0 + (x1 - x0) * (c + 0.5) / W), y = float(y1 + (y0 - y1) * (r + 0.5) / H);
      int l;
      float cf, h;
      std::vector<float> sc(C);
      fs.classify_reference(&x, &y, 1, &l, &cf, heat_class, &h);
      fs.scores_reference(&x, &y, 1, sc.data());
      std::sort(sc.begin(), sc.end());
      const size_t i = size_t(r) * W + c;
      if (sc[C - 1] - sc[C - 2] > 1e-3 && labels[i] != l) ++mismatches;
      max_conf = std::max(max_conf, double(std::abs(conf[i] - cf)));
      max_heat = std::max(max_heat, double(std::abs(heat[i] - h)));
    }
  INFO("grid " << W << "x" << H << ": max |conf| " << max_conf << ", max |heat| " << max_heat);
  CHECK(mismatches == 0);
  CHECK(max_conf < 1e-4);
  CHECK(max_heat < 1e-4);
}

std::unique_ptr<Model> net(std::vector<HiddenLayerSpec> hidden, int classes, uint64_t seed) {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  spec.init.kind = InitKind::He;
  spec.init.random_bias = true;
  spec.hidden = std::move(hidden);
  Rng rng(seed);
  return make_model(spec, 2, classes, rng);
}

Preprocessor fitted(bool expand) {
  Rng rng(4);
  Mat X(40, 2);
  for (int i = 0; i < 40; ++i) { X(i, 0) = rng.normal(0.2, 0.6); X(i, 1) = rng.normal(-0.1, 0.4); }
  PreprocessSpec ps;
  ps.kind = PreprocessKind::Normalize;
  ps.square = ps.cross = expand;
  Preprocessor pre;
  pre.fit(ps, X);
  return pre;
}

}  // namespace

TEST_CASE("piecewise-linear grid matches per-pixel scoring", "[fast_grid]") {
  const Preprocessor pre = fitted(false);
  auto relu = net({{16, Activation::ReLU}, {16, Activation::ReLU}}, 3, 7);
  FastScorer fs(*relu, pre);
  REQUIRE(fs.piecewise_linear());
  check_grid(fs, 128, 96, -1.2, 1.2, -1.2, 1.2);
  check_grid(fs, 53, 38, -3, 2, -1, 4);  // not multiples of 4, off-centre window

  auto leaky = net({{9, Activation::LeakyReLU, 0.1}, {40, Activation::ReLU}, {3, Activation::Linear}}, 4, 8);
  FastScorer fl(*leaky, pre);
  REQUIRE(fl.piecewise_linear());
  check_grid(fl, 64, 64, -1.2, 1.2, -1.2, 1.2);

  auto bn = net({{12, Activation::ReLU, 0.01, 2, true, 1.0}}, 2, 9);
  FastScorer fb(*bn, pre);
  check_grid(fb, 40, 44, -1.2, 1.2, -1.2, 1.2);
}

TEST_CASE("smooth activations and feature expansion use per-pixel scoring", "[fast_grid]") {
  auto tanh_net = net({{8, Activation::Tanh}}, 3, 3);
  FastScorer ft(*tanh_net, fitted(false));
  CHECK_FALSE(ft.piecewise_linear());
  check_grid(ft, 33, 20, -1.2, 1.2, -1.2, 1.2);

  const Preprocessor expanded = fitted(true);
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  spec.hidden = {{8, Activation::ReLU}};
  spec.preprocess = expanded.spec();
  Rng rng(5);
  auto m = make_model(spec, expanded.output_dim(), 3, rng);
  FastScorer fe(*m, expanded);
  CHECK_FALSE(fe.piecewise_linear());
  check_grid(fe, 33, 20, -1.2, 1.2, -1.2, 1.2);
}
