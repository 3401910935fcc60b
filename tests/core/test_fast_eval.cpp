// Tests of the float SIMD decision-region kernel: the vectorised exp/tanh/
// sigmoid approximations (maximum errors stated below), and the scorer against
// the double-precision engine for every activation, batchnorm, maxout and
// every preprocessing.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/fast/fast_eval.h"
#include "core/models/net.h"
#include "core/models/linear.h"
#include "core/fast/simd.h"

using namespace nn;

TEST_CASE("vectorised exp, tanh and sigmoid are accurate", "[fast_eval]") {
  // Stated bounds: exp relative error < 1e-6 on [-80, 80]; tanh and sigmoid
  // absolute error < 1e-6 on [-20, 20]. (Measured: about 2e-7.)
  double max_exp = 0, max_tanh = 0, max_sig = 0;
  for (int i = 0; i <= 160000; ++i) {
    const float x = -80.f + i * 0.001f;
    float e[4];
    simd::store(e, simd::exp(simd::splat(x)));
    max_exp = std::max(max_exp, std::abs(e[0] - std::exp(double(x))) / std::exp(double(x)));
    if (std::abs(x) <= 20) {
      float t[4], s[4];
      simd::store(t, simd::tanh(simd::splat(x)));
      simd::store(s, simd::sigmoid(simd::splat(x)));
      max_tanh = std::max(max_tanh, std::abs(t[0] - std::tanh(double(x))));
      max_sig = std::max(max_sig, std::abs(s[0] - 1 / (1 + std::exp(-double(x)))));
    }
  }
  INFO("max errors: exp " << max_exp << ", tanh " << max_tanh << ", sigmoid " << max_sig);
  CHECK(max_exp < 1e-6);
  CHECK(max_tanh < 1e-6);
  CHECK(max_sig < 1e-6);
}

static void compare_to_engine(Model& m, const Preprocessor& pre, double tol) {
  FastScorer fs(m, pre);
  Rng rng(3);
  const int n = 203;  // not a multiple of the block size
  std::vector<float> xs(n), ys(n);
  Mat X(n, 2);
  for (int i = 0; i < n; ++i) {
    xs[i] = float(rng.uniform(-1.2, 1.2));
    ys[i] = float(rng.uniform(-1.2, 1.2));
    X(i, 0) = xs[i];
    X(i, 1) = ys[i];
  }
  const Mat ref = m.scores(pre.transform(X));
  std::vector<float> fast(size_t(n) * fs.num_classes()), plain(fast.size());
  fs.scores(xs.data(), ys.data(), n, fast.data());
  fs.scores_reference(xs.data(), ys.data(), n, plain.data());
  double max_err = 0, max_simd_vs_plain = 0;
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < fs.num_classes(); ++c) {
      const double scale = 1 + std::abs(ref(i, c));
      max_err = std::max(max_err, std::abs(fast[i * fs.num_classes() + c] - ref(i, c)) / scale);
      max_simd_vs_plain = std::max(max_simd_vs_plain,
                                   double(std::abs(fast[i * fs.num_classes() + c] - plain[i * fs.num_classes() + c])) / scale);
    }
  INFO("max error vs double engine " << max_err << ", SIMD vs scalar " << max_simd_vs_plain);
  CHECK(max_err < tol);
  CHECK(max_simd_vs_plain < tol);
  // Arg-max labels agree wherever the engine's top two scores are not nearly tied.
  std::vector<int> labels(n);
  std::vector<float> conf(n);
  fs.classify(xs.data(), ys.data(), n, labels.data(), conf.data());
  for (int i = 0; i < n; ++i) {
    Eigen::Index best;
    ref.row(i).maxCoeff(&best);
    double second = -INFINITY;
    for (int c = 0; c < ref.cols(); ++c) if (c != best) second = std::max(second, ref(i, c));
    if (ref(i, best) - second > 1e-3) CHECK(labels[i] == int(best));
    CHECK(conf[i] >= 0.f);
    CHECK(conf[i] <= 1.f);
  }
}

static Preprocessor fitted(PreprocessKind kind, bool expand, uint64_t seed, double scale = 1.0) {
  Rng rng(seed);
  Mat X(50, 2);
  for (int i = 0; i < 50; ++i) { X(i, 0) = rng.normal(0.3, 0.5); X(i, 1) = rng.normal(-0.2, 0.2) + 0.5 * X(i, 0); }
  PreprocessSpec ps;
  ps.kind = kind;
  ps.square = ps.cross = ps.sines = expand;
  ps.scale = scale;
  Preprocessor pre;
  pre.fit(ps, X);
  return pre;
}

TEST_CASE("fast scorer matches the engine for linear classifiers and every preprocessing", "[fast_eval]") {
  for (PreprocessKind k : {PreprocessKind::None, PreprocessKind::MeanSubtract, PreprocessKind::Normalize,
                           PreprocessKind::PCA, PreprocessKind::Whiten})
    for (bool expand : {false, true})
      for (double scale : {1.0, 0.1, 20.0}) {
        INFO(to_string(k) << (expand ? " expanded" : "") << " scale " << scale);
        const Preprocessor pre = fitted(k, expand, 5, scale);
        ModelSpec spec;
        spec.kind = ModelKind::Linear;
        spec.init.kind = InitKind::Xavier;
        Rng rng(9);
        auto m = make_model(spec, pre.output_dim(), 3, rng);
        compare_to_engine(*m, pre, 1e-4);
      }
}

TEST_CASE("fast scorer matches the engine for networks with every activation", "[fast_eval]") {
  for (Activation a : {Activation::ReLU, Activation::LeakyReLU, Activation::ELU, Activation::Tanh,
                       Activation::Sigmoid, Activation::Maxout, Activation::Linear})
    for (bool bn : {false, true}) {
      ModelSpec spec;
      spec.kind = ModelKind::Net;
      spec.init.kind = InitKind::Xavier;
      spec.init.random_bias = true;
      spec.hidden = {{16, a, 0.1, 3, bn, 1.0}, {9, a, 0.1, 2, bn, 0.8}, {5, a, 0.1, 2, false, 1.0}};
      Rng rng(11);
      const Preprocessor pre = fitted(PreprocessKind::Normalize, true, 6);
      auto m = make_model(spec, pre.output_dim(), 4, rng);
      if (bn) {
        // Give batchnorm non-trivial running statistics by training steps.
        Mat X(32, pre.output_dim());
        for (int i = 0; i < X.rows(); ++i)
          for (int j = 0; j < X.cols(); ++j) X(i, j) = rng.normal();
        Labels y(32);
        for (auto& v : y) v = rng.randint(4);
        for (int s = 0; s < 5; ++s) m->forward_backward(X, y, rng);
      }
      INFO("activation " << to_string(a) << (bn ? " with batchnorm" : ""));
      compare_to_engine(*m, pre, 2e-4);
    }
}

TEST_CASE("scorer_grid labels pixels as classify does", "[fast_eval]") {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  spec.hidden = {{8, Activation::Tanh}};
  spec.init.kind = InitKind::Xavier;
  Rng rng(2);
  const Preprocessor pre = fitted(PreprocessKind::None, false, 1);
  auto m = make_model(spec, 2, 3, rng);
  FastScorer fs(*m, pre);
  std::vector<int> labels;
  std::vector<float> conf, heat;
  scorer_grid(fs, 37, 21, -1, 1, -1, 1, labels, conf, 1, &heat);
  REQUIRE(labels.size() == 37u * 21u);
  for (int r = 0; r < 21; r += 4)
    for (int c = 0; c < 37; c += 6) {
      const float x = float(-1 + 2.0 * (c + 0.5) / 37), y = float(1 - 2.0 * (r + 0.5) / 21);
      int l;
      float cf, h;
      fs.classify(&x, &y, 1, &l, &cf, 1, &h);
      CHECK(labels[r * 37 + c] == l);
      CHECK(heat[r * 37 + c] == Approx(h));
    }
}

TEST_CASE("the scorer counts its multiply-adds per point (the regions' cost bound)", "[fast_eval]") {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  spec.hidden = {{16, Activation::ReLU}, {16, Activation::ReLU}};
  Rng rng(4);
  const Preprocessor pre = fitted(PreprocessKind::None, false, 1);
  auto m = make_model(spec, 2, 3, rng);
  // 2 -> 16 -> 16 -> 3: 2*16 + 16*16 + 16*3.
  CHECK(FastScorer(*m, pre).multiply_adds() == 2 * 16 + 16 * 16 + 16 * 3);
  // Maxout with k pieces computes k affine outputs per unit.
  spec.hidden = {{8, Activation::Maxout, 0.1, 3}};
  auto mx = make_model(spec, 2, 3, rng);
  CHECK(FastScorer(*mx, pre).multiply_adds() == 2 * 24 + 8 * 3);
}
