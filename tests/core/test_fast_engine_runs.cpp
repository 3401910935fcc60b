// Whole runs on the fast engine against the reference: the same seed gives
// the same initialisation, shuffles and dropout masks, so the two runs differ
// only by float32 rounding. 500 steps of a 2-16-16-3 network on the spiral,
// with Adam, and with batchnorm + dropout; and 1 against 2 threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "core/data/dataset.h"
#include "core/fast/fast_engine.h"
#include "core/fast/parallel.h"
#include "core/train/trainer.h"
#include "test_util.h"

using namespace nn;

namespace {

// With batchnorm the run uses SGD with momentum, not Adam: a bias before
// batchnorm has an exact gradient of 0, so both engines compute rounding
// noise for it (about 1e-8 in float, 1e-17 in double), and Adam divides by
// the gradient's RMS, moving that bias by about lr per step on noise, in
// different directions in the two engines. The training losses still agree
// (batchnorm removes the bias), but the running means follow the drifting
// biases and test-mode accuracy would differ by a few points. Momentum
// moves such a bias by lr * 1e-8: nothing.
ModelSpec spiral_net(bool bn_dropout) {
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(16, Activation::ReLU), HiddenLayerSpec::fc(16, Activation::ReLU)};
  if (bn_dropout)
    for (HiddenLayerSpec& h : spec.hidden) {
      h.batchnorm = true;
      h.dropout_keep = 0.9;
    }
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::L2;
  spec.loss.lambda = 1e-3;
  spec.optim.kind = bn_dropout ? OptimKind::Momentum : OptimKind::Adam;
  spec.optim.lr = bn_dropout ? 0.05 : 0.01;
  spec.optim.batch_size = 32;
  spec.seed = 7;
  return spec;
}

// Runs 500 steps on both engines; the minibatch losses agree within
// `loss_bound` (relative) at every 50th step and the final training
// accuracies within one point.
void compare_runs(const ModelSpec& base, double loss_bound) {
  const Dataset data = make_spiral(300, 0.1, 3, 3);
  ModelSpec fs = base, rs = base;
  fs.engine = EngineKind::Fast;
  rs.engine = EngineKind::Reference;
  Trainer fast(data, fs), ref(data, rs);
  REQUIRE(fast.engine_kind() == EngineKind::Fast);
  REQUIRE(ref.engine_kind() == EngineKind::Reference);
  fast.set_eval_every(1 << 30);
  ref.set_eval_every(1 << 30);
  double worst = 0;
  for (int step = 1; step <= 500; ++step) {
    const StepStats a = fast.step(), b = ref.step();
    if (step % 50 != 0) continue;
    const double rel = std::fabs(a.data_loss + a.reg_loss - b.data_loss - b.reg_loss) / (b.data_loss + b.reg_loss);
    worst = std::max(worst, rel);
    INFO("step " << step << ": fast " << a.data_loss + a.reg_loss << ", reference " << b.data_loss + b.reg_loss);
    REQUIRE(rel <= loss_bound);
  }
  const double acc_fast = fast.accuracy(false), acc_ref = ref.accuracy(false);
  std::printf("fast vs reference, 500 steps: worst relative loss difference %.2e, accuracy %.4f vs %.4f\n", worst,
              acc_fast, acc_ref);
  REQUIRE(acc_ref > 0.6);  // the run learns something
  REQUIRE(std::fabs(acc_fast - acc_ref) <= 0.01);
}

}  // namespace

TEST_CASE("500 Adam steps on the spiral: fast and reference losses agree every 50 steps, accuracy within a point",
          "[fast_engine_runs]") {
  // Bound: 1e-3 relative. Float rounding (1e-7 per operation) compounds over
  // 500 updates of a ReLU network; measured well below the bound.
  compare_runs(spiral_net(false), 1e-3);
}

TEST_CASE("500 momentum steps with batchnorm and dropout: the same masks, losses agree, accuracy within a point",
          "[fast_engine_runs]") {
  compare_runs(spiral_net(true), 1e-3);
}

TEST_CASE("1 and 2 threads give the same losses", "[fast_engine_runs]") {
  // Wide enough that the products and the update run on the pool
  // (kGemmParallelMacs): 64 x 160 x 256 multiply-adds per product.
  Rng rng(9);
  const int N = 256, D = 160, C = 10;
  const Mat X = test::random_mat(N, D, rng);
  const Labels y = test::random_labels(N, C, rng);
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(256, Activation::ReLU), HiddenLayerSpec::fc(256, Activation::Tanh)};
  spec.hidden[0].batchnorm = true;
  spec.hidden[1].dropout_keep = 0.8;
  spec.optim.kind = OptimKind::Adam;
  spec.optim.lr = 1e-3;
  Rng init(1);
  const std::unique_ptr<Model> m0 = make_model(spec, D, C, init);
  std::unique_ptr<Engine> one = make_fast_engine(spec, *m0, {1}), two = make_fast_engine(spec, *m0, {2});
  one->set_training_set(X, y);
  two->set_training_set(X, y);
  if (parallel_threads() < 2) WARN("the pool has one thread here: both runs are single-threaded");
  Rng r1(4), r2(4);
  std::vector<int> idx(64);
  for (int step = 0; step < 12; ++step) {
    for (int i = 0; i < 64; ++i) idx[size_t(i)] = (step * 64 + i * 5) % N;
    const EngineStep a = one->step(idx.data(), 64, 1e-3, 0, r1), b = two->step(idx.data(), 64, 1e-3, 0, r2);
    // Each value is computed by one thread in the same order whatever the
    // split, so the bound is float rounding at most: relative 1e-6 (in
    // practice the runs are bit for bit the same).
    REQUIRE(a.loss.data_loss == Approx(b.loss.data_loss).epsilon(1e-6));
    REQUIRE(a.grad_norm == Approx(b.grad_norm).epsilon(1e-6));
  }
  REQUIRE(one->evaluate(X, y).loss.data_loss == Approx(two->evaluate(X, y).loss.data_loss).epsilon(1e-6));
}

TEST_CASE("switching the engine keeps the parameters and the run goes on alike", "[fast_engine_runs]") {
  const Dataset data = make_spiral(150, 0.1, 5, 3);
  ModelSpec spec = spiral_net(false);
  Trainer t(data, spec), u(data, spec);
  for (int i = 0; i < 50; ++i) {
    t.step();
    u.step();
  }
  std::unique_ptr<Model> before = t.model().clone();
  spec.engine = EngineKind::Reference;
  REQUIRE_FALSE(t.set_spec(spec));  // not a restart
  REQUIRE(t.engine_kind() == EngineKind::Reference);
  for (const ConstParamRef& p : before->params_view()) REQUIRE(*t.model().param(p.name) == *p.value);
  // The optimiser restarts on the new engine (as for any engine switch); the
  // fast run with a fresh optimiser gives the same losses within float rounding.
  ModelSpec fresh = u.spec();
  fresh.optim.kind = OptimKind::RMSProp;
  u.set_spec(fresh);
  fresh.optim.kind = OptimKind::Adam;
  u.set_spec(fresh);  // a new optimiser kind resets the state: as the switch does
  for (int i = 0; i < 20; ++i) {
    const StepStats a = t.step(), b = u.step();
    REQUIRE(a.data_loss == Approx(b.data_loss).epsilon(1e-4));
  }
  spec.engine = EngineKind::Fast;
  t.set_spec(spec);
  REQUIRE(t.engine_kind() == EngineKind::Fast);
}
