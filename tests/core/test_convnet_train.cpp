// Tests that ConvNets train: a tiny ConvNet learns horizontal versus vertical
// bars on 8x8 images with the reference engine, and a ConvNet spec goes
// through nn::Trainer (which reads 2D points: the points become 2 x 1 x 1
// "images") and trains on the fast engine.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <numeric>

#include "core/models/net.h"
#include "core/train/engine.h"
#include "core/train/trainer.h"

using namespace nn;
using namespace nn::test;
using HL = HiddenLayerSpec;

// n 8x8 grey images with one bar of ones at a random row (class 0,
// horizontal) or column (class 1, vertical), plus N(0, 0.3^2) noise on every
// pixel. No linear classifier on the pixels can separate them: it would need
// every row's weights to sum above its threshold and every column's below,
// but both sets of sums add up to the same total.
static void bars(int n, uint64_t seed, Mat& X, Labels& y) {
  Rng rng(seed);
  X.resize(n, 64);
  y.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    y[size_t(i)] = i % 2;
    const int at = rng.randint(8);
    for (int r = 0; r < 8; ++r)
      for (int c = 0; c < 8; ++c) X(i, r * 8 + c) = ((y[size_t(i)] == 0 ? r : c) == at ? 1.0 : 0.0) + 0.3 * rng.normal();
  }
}

TEST_CASE("a tiny ConvNet learns horizontal versus vertical bars on the reference engine", "[convnet_train]") {
  ModelSpec spec;
  spec.input = {8, 8, 1};
  spec.hidden = {HL::conv(4, 3, 1, 1), HL::pool(2, 2)};  // 8x8x4 -> 4x4x4 -> the 2 class scores
  spec.init.kind = InitKind::He;
  spec.loss.lambda = 1e-4;
  spec.optim.kind = OptimKind::Adam;
  spec.optim.lr = 0.01;
  spec.optim.batch_size = 20;
  spec.engine = EngineKind::Reference;
  spec.seed = 3;
  Mat X, X_test;
  Labels y, y_test;
  bars(200, 1, X, y);
  bars(200, 2, X_test, y_test);

  // What the Trainer does, on image rows: one seeded stream for the
  // initialisation, then each epoch's shuffle and the minibatch steps.
  Rng rng(spec.seed);
  std::unique_ptr<Engine> engine = make_engine(spec, make_model(spec, 64, 2, rng));
  REQUIRE(engine->kind() == EngineKind::Reference);
  engine->set_training_set(X, y);
  const double acc_before = engine->evaluate(X_test, y_test).accuracy;
  std::vector<int> order(200);
  std::iota(order.begin(), order.end(), 0);
  const int steps = 150, batch = spec.optim.batch_size;  // 15 epochs
  for (int step = 0; step < steps; ++step) {
    const int at = (step * batch) % 200;
    if (at == 0)
      for (int i = 199; i > 0; --i) std::swap(order[size_t(i)], order[size_t(rng.randint(i + 1))]);
    const EngineStep s = engine->step(order.data() + at, batch, spec.optim.lr, 0.0, rng);
    REQUIRE(std::isfinite(s.loss.total()));
  }
  const Evaluation after = engine->evaluate(X_test, y_test);
  INFO("test accuracy " << acc_before << " before, " << after.accuracy << " after " << steps << " steps");
  CHECK(acc_before < 0.75);
  CHECK(after.accuracy >= 0.95);
  CHECK(after.loss.data_loss < 0.3);
}

TEST_CASE("a ConvNet spec trains through the Trainer on the fast engine", "[convnet_train]") {
  // Points (x, y) read as 2 x 1 x 1 images: a 1x1 conv with 8 filters gives
  // 8 features of each coordinate, ReLU'd, then a fully connected layer.
  ModelSpec spec;
  spec.input = {2, 1, 1};
  spec.hidden = {HL::conv(8, 1), HL::fc(16)};
  spec.optim.lr = 0.02;
  spec.engine = EngineKind::Fast;
  Dataset data = generate(DataGen::Moons, 200, 2, 0.1, 5);
  Trainer t(data, spec);
  CHECK(t.engine_kind() == EngineKind::Fast);
  const double before = t.accuracy(false);
  for (int step = 0; step < 400; ++step) t.step();
  INFO("training accuracy " << before << " before, " << t.accuracy(false) << " after 400 steps");
  CHECK(t.accuracy(false) >= 0.95);
  const std::vector<LayerStats> stats = t.inspect();
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].name == "conv 1");
  CHECK(stats[0].units == 8);
}
