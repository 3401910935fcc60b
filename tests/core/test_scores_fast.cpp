// Tests of Trainer::predict_scores_fast (Engine::scores_fast): the fast
// engine's float forward pass over many rows gives the scores of the double
// reference (predict_scores) up to float rounding, for a linear classifier,
// an MLP and a small ConvNet, including a row count that is not a multiple
// of the engine's chunk; the reference engine gives exactly predict_scores.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/data/examples.h"
#include "core/rng.h"
#include "core/train/trainer.h"

using namespace nn;

// 8x8 grey images with random pixels and labels 0..2.
static Examples random_images(int n_train, int n_val, uint64_t seed) {
  Rng rng(seed);
  Examples e;
  e.num_classes = 3;
  e.shape = {8, 8, 1};
  auto fill = [&](Mat& X, Labels& y, int n) {
    X.resize(n, 64);
    y.resize(n);
    for (int i = 0; i < n; ++i) {
      y[i] = i % 3;
      for (int j = 0; j < 64; ++j) X(i, j) = std::clamp(0.5 + 0.3 * rng.normal() + 0.1 * y[i] * (j % 3 == 0), 0.0, 1.0);
    }
  };
  fill(e.X_train, e.y_train, n_train);
  fill(e.X_val, e.y_val, n_val);
  return e;
}

static ModelSpec spec_of(const char* which, EngineKind engine) {
  ModelSpec s;
  s.input = {8, 8, 1};
  s.optim.kind = OptimKind::Adam;
  s.optim.lr = 1e-2;
  s.optim.batch_size = 16;
  s.preprocess.image = ImageNorm::MeanImage;
  s.engine = engine;
  s.seed = 3;
  const std::string w = which;
  if (w == "linear") {
    s.kind = ModelKind::Linear;
    s.hidden.clear();
  } else if (w == "mlp") {
    s.hidden = {HiddenLayerSpec::fc(12)};
  } else {
    s.hidden = {HiddenLayerSpec::conv(4, 3, 1, 1), HiddenLayerSpec::pool(2, 2), HiddenLayerSpec::conv(5, 3, 1, 1)};
  }
  return s;
}

TEST_CASE("predict_scores_fast equals predict_scores up to float rounding", "[trainer][scores_fast]") {
  const Examples e = random_images(90, 1037, 5);  // 1037 rows: not a multiple of any chunk
  for (const char* which : {"linear", "mlp", "convnet"}) {
    for (EngineKind engine : {EngineKind::Fast, EngineKind::Reference}) {
      Trainer t(e, spec_of(which, engine));
      for (int i = 0; i < 10; ++i) t.step();
      const Mat ref = t.predict_scores(e.X_val), fast = t.predict_scores_fast(e.X_val);
      REQUIRE(fast.rows() == ref.rows());
      REQUIRE(fast.cols() == ref.cols());
      const double scale = 1 + ref.cwiseAbs().maxCoeff();
      const double diff = (fast - ref).cwiseAbs().maxCoeff();
      INFO(which << ", " << to_string(engine) << ": max |fast - ref| = " << diff << " (scale " << scale << ")");
      if (engine == EngineKind::Reference) CHECK(diff == 0.0);
      else CHECK(diff < 1e-4 * scale);
      // The same arg-max except where two scores tie within rounding.
      int differ = 0;
      for (Eigen::Index i = 0; i < ref.rows(); ++i) {
        Eigen::Index a = 0, b = 0;
        ref.row(i).maxCoeff(&a);
        fast.row(i).maxCoeff(&b);
        if (a != b && std::abs(ref(i, a) - ref(i, b)) > 1e-4 * scale) ++differ;
      }
      CHECK(differ == 0);
    }
  }
}
