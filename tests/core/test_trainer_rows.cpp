// Tests of the Trainer's example path: rows of D features with labels (the
// image mode's input) train linear classifiers, MLPs and ConvNets through the
// same loop as 2D points, with image preprocessing fitted on training rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/data/examples.h"
#include "core/rng.h"
#include "core/train/trainer.h"

using namespace nn;

// 4x4 "images": class c has a bright pixel block in quadrant c, plus noise.
static Examples quadrant_images(int n_train, int n_val, uint64_t seed) {
  Rng rng(seed);
  Examples e;
  e.num_classes = 4;
  e.shape = {4, 4, 1};
  auto fill = [&](Mat& X, Labels& y, int n) {
    X.resize(n, 16);
    y.resize(n);
    for (int i = 0; i < n; ++i) {
      const int c = i % 4;
      y[i] = c;
      for (int py = 0; py < 4; ++py)
        for (int px = 0; px < 4; ++px) {
          const bool on = (py / 2) * 2 + (px / 2) == c;
          X(i, py * 4 + px) = std::clamp((on ? 0.8 : 0.2) + 0.15 * rng.normal(), 0.0, 1.0);
        }
    }
  };
  fill(e.X_train, e.y_train, n_train);
  fill(e.X_val, e.y_val, n_val);
  return e;
}

static ModelSpec softmax_spec() {
  ModelSpec s;
  s.kind = ModelKind::Linear;
  s.hidden.clear();
  s.optim.lr = 0.05;
  s.optim.batch_size = 16;
  return s;
}

TEST_CASE("rows: softmax and an MLP learn image rows; validation is predicted from training statistics", "[trainer][images]") {
  const Examples e = quadrant_images(200, 80, 1);
  for (ModelSpec spec : {softmax_spec(), ModelSpec{}}) {
    spec.preprocess.image = ImageNorm::PerPixel;
    Trainer t(e, spec);
    REQUIRE(t.rows_mode());
    REQUIRE(t.X_train().cols() == 16);
    for (int i = 0; i < 200; ++i) t.step();
    REQUIRE(t.accuracy(false) > 0.95);
    REQUIRE(t.accuracy(true) > 0.95);
    // The trainer's and a predictor's scores of raw rows agree.
    const Predictor p = t.predictor();
    REQUIRE((p.predict_scores(e.X_val) - t.predict_scores(e.X_val)).cwiseAbs().maxCoeff() < 1e-9);
    // Preprocessing statistics come from training rows only.
    REQUIRE(t.image_preprocessor().mean_image().isApprox(e.X_train.colwise().mean()));
  }
}

TEST_CASE("rows: same seed, same run; a conv spec reads the rows as volumes", "[trainer][images]") {
  const Examples e = quadrant_images(64, 16, 2);
  ModelSpec spec;
  spec.input = {4, 4, 1};
  spec.hidden = {HiddenLayerSpec::conv(3, 3, 1, 1), HiddenLayerSpec::pool(2, 2), HiddenLayerSpec::fc(8)};
  spec.preprocess.image = ImageNorm::MeanImage;
  Trainer a(e, spec), b(e, spec);
  for (int i = 0; i < 20; ++i) {
    const StepStats sa = a.step(), sb = b.step();
    REQUIRE(sa.data_loss == sb.data_loss);
    REQUIRE(std::isfinite(sa.data_loss));
  }
  REQUIRE(a.history().back().data_loss < a.history().front().data_loss);
  spec.input = {2, 8, 1};  // 16 values too, but not the data's geometry
  REQUIRE_THROWS_WITH(Trainer(e, spec), Catch::Contains("expects 2x8x1 images but the data are 4x4x1"));
  Examples flat = e;
  flat.shape = {};  // rows without a shape: the spec's shape must at least hold D values
  spec.input = {5, 5, 1};
  REQUIRE_THROWS_WITH(Trainer(flat, spec), Catch::Contains("16 features per row"));
}

TEST_CASE("rows: bad examples and 2D preprocessing are refused; set_examples keeps or restarts", "[trainer][images]") {
  Examples e = quadrant_images(32, 8, 3);
  ModelSpec spec = softmax_spec();
  spec.preprocess.kind = PreprocessKind::Normalize;
  REQUIRE_THROWS_WITH(Trainer(e, spec), Catch::Contains("preprocess.image"));
  spec.preprocess = {};
  Examples bad = e;
  bad.y_train[3] = 7;
  REQUIRE_THROWS_WITH(Trainer(bad, spec), Catch::Contains("label 7"));
  bad = e;
  bad.y_val.pop_back();
  REQUIRE_THROWS_WITH(Trainer(bad, spec), Catch::Contains("exactly one label"));

  Trainer t(e, spec);
  t.step();
  REQUIRE_FALSE(t.set_examples(quadrant_images(40, 8, 4)));  // same D and classes: parameters kept
  REQUIRE(t.step_count() == 1);
  Examples wider = e;
  wider.X_train.conservativeResize(Eigen::NoChange, 17);
  wider.X_train.col(16).setZero();
  wider.X_val = Mat(0, 17);
  wider.y_val.clear();
  REQUIRE(t.set_examples(wider));  // new D: starts over
  REQUIRE(t.step_count() == 0);
  REQUIRE_THROWS_WITH(t.set_data(Dataset{}), Catch::Contains("set_examples"));
}

TEST_CASE("rows: trainers sharing one set of rows train as trainers on their own copies", "[trainer][images]") {
  // Compared image runs share the rows (no copy per run); each keeps its own
  // preprocessing. Shared and copied rows give the same steps bit for bit,
  // and the shared rows are not copied.
  const auto rows = std::make_shared<const Examples>(quadrant_images(64, 16, 3));
  ModelSpec spec = softmax_spec();
  spec.preprocess.image = ImageNorm::MeanImage;
  ModelSpec other = spec;
  other.preprocess.image = ImageNorm::PerPixel;
  Trainer shared_a(rows, spec), shared_b(rows, other), own(*rows, spec);
  REQUIRE(&shared_a.examples() == rows.get());
  REQUIRE(&shared_b.examples() == rows.get());
  REQUIRE(&own.examples() != rows.get());
  for (int i = 0; i < 30; ++i) {
    const StepStats sa = shared_a.step(), so = own.step();
    shared_b.step();
    REQUIRE(sa.data_loss == so.data_loss);
  }
  REQUIRE(shared_a.predict_scores(rows->X_val) == own.predict_scores(rows->X_val));
  // Each trainer preprocessed with its own statistics.
  REQUIRE(shared_a.X_train() != shared_b.X_train());
  // New shared rows: kept by pointer too; null is refused.
  const auto more = std::make_shared<const Examples>(quadrant_images(80, 16, 4));
  shared_a.set_examples(more);
  REQUIRE(&shared_a.examples() == more.get());
  REQUIRE_THROWS(shared_a.set_examples(std::shared_ptr<const Examples>()));
  REQUIRE_THROWS(Trainer(std::shared_ptr<const Examples>(), spec));
}
