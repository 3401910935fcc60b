// Tests of the Trainer's minibatch order, which a comparison of runs relies
// on: the order depends on the seed, the points and the batch size only, so
// two runs that differ in the optimiser, the architecture, the initialisation
// or dropout see the same minibatches at every step; equal settings give
// equal curves (the control of every comparison).
#include <catch2/catch.hpp>

#include <vector>

#include "core/data/dataset.h"
#include "core/train/trainer.h"

using namespace nn;

namespace {

Dataset spiral() {
  Dataset d = generate(DataGen::Spiral, 120, 3, 0.1, 5);
  split_train_val(d, 0.2, 9);
  return d;
}

ModelSpec base_spec() {
  ModelSpec s;
  s.kind = ModelKind::Net;
  s.hidden = {HiddenLayerSpec{}};
  s.hidden[0].width = 8;
  s.hidden[0].act = Activation::ReLU;
  s.loss.kind = LossKind::Softmax;
  s.optim.kind = OptimKind::SGD;
  s.optim.lr = 0.1;
  s.optim.batch_size = 10;
  s.init.kind = InitKind::He;
  s.seed = 42;
  return s;
}

// The rows of every minibatch over `steps` steps.
std::vector<std::vector<int>> batches(const Dataset& d, const ModelSpec& spec, int steps) {
  Trainer t(d, spec);
  std::vector<std::vector<int>> out;
  for (int i = 0; i < steps; ++i) {
    t.step();
    out.push_back(t.last_batch());
  }
  return out;
}

}  // namespace

TEST_CASE("two runs with equal settings give identical curves", "[trainer][compare]") {
  const Dataset d = spiral();
  ModelSpec spec = base_spec();
  spec.optim.kind = OptimKind::Momentum;
  Trainer a(d, spec), b(d, spec);
  for (int i = 0; i < 60; ++i) {
    const StepStats sa = a.step(), sb = b.step();
    REQUIRE(sa.data_loss == sb.data_loss);
    REQUIRE(sa.reg_loss == sb.reg_loss);
    REQUIRE(a.last_batch() == b.last_batch());
  }
  CHECK(a.accuracy(false) == b.accuracy(false));
}

TEST_CASE("runs differing only in the optimiser draw the same minibatches", "[trainer][compare]") {
  const Dataset d = spiral();
  const int steps = 40;  // 96 training points in batches of 10: more than four epochs
  ModelSpec sgd = base_spec();
  const auto reference = batches(d, sgd, steps);
  REQUIRE(reference.size() == size_t(steps));
  // Epochs reshuffle: the first and the second epoch differ.
  CHECK(reference[0] != reference[10]);
  for (OptimKind k : {OptimKind::Momentum, OptimKind::Nesterov, OptimKind::Adagrad, OptimKind::RMSProp, OptimKind::Adam}) {
    ModelSpec other = sgd;
    other.optim.kind = k;
    other.optim.lr = 0.01;
    CHECK(batches(d, other, steps) == reference);
  }
  // The losses differ, so the runs are not the same run.
  Trainer a(d, sgd);
  ModelSpec adam = sgd;
  adam.optim.kind = OptimKind::Adam;
  adam.optim.lr = 0.01;
  Trainer b(d, adam);
  double differ = 0;
  for (int i = 0; i < 10; ++i) differ += std::abs(a.step().data_loss - b.step().data_loss);
  CHECK(differ > 1e-6);
}

TEST_CASE("architecture, initialisation and dropout do not change the minibatch order", "[trainer][compare]") {
  const Dataset d = spiral();
  const int steps = 30;
  const ModelSpec base = base_spec();
  const auto reference = batches(d, base, steps);

  ModelSpec wider = base;  // draws more numbers for its initialisation
  wider.hidden[0].width = 32;
  wider.hidden.push_back(wider.hidden[0]);
  CHECK(batches(d, wider, steps) == reference);

  ModelSpec sigmoid = base;
  sigmoid.hidden[0].act = Activation::Sigmoid;
  sigmoid.init.kind = InitKind::Xavier;
  CHECK(batches(d, sigmoid, steps) == reference);

  ModelSpec dropout = base;  // draws masks from the other stream at every step
  dropout.hidden[0].dropout_keep = 0.5;
  CHECK(batches(d, dropout, steps) == reference);

  ModelSpec linear = base;
  linear.kind = ModelKind::Linear;
  linear.hidden.clear();
  CHECK(batches(d, linear, steps) == reference);
}

TEST_CASE("the seed and the batch size do change the minibatch order", "[trainer][compare]") {
  const Dataset d = spiral();
  const ModelSpec base = base_spec();
  const auto reference = batches(d, base, 12);
  ModelSpec other_seed = base;
  other_seed.seed = 43;
  CHECK(batches(d, other_seed, 12) != reference);
  ModelSpec other_batch = base;
  other_batch.optim.batch_size = 7;
  const auto b7 = batches(d, other_batch, 12);
  REQUIRE(b7.size() == 12);
  CHECK(b7[0].size() == 7);
}
