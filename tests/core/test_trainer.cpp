// Tests of the Trainer: linear classifiers and small networks learn the
// playground's data sets, momentum beats plain SGD, runs are reproducible bit
// for bit, divergence is caught and undone, live spec/data changes keep or
// reset the parameters as documented, and epochs are counted right.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "core/data/dataset.h"
#include "core/limits.h"
#include "core/train/trainer.h"

using namespace nn;

namespace {

ModelSpec linear_spec(LossKind loss, OptimKind optim, double lr) {
  ModelSpec s;
  s.kind = ModelKind::Linear;
  s.hidden.clear();
  s.loss.kind = loss;
  s.loss.lambda = 1e-4;
  s.optim.kind = optim;
  s.optim.lr = lr;
  s.optim.batch_size = 0;  // full batch
  s.init.kind = InitKind::SmallRandom;
  return s;
}

ModelSpec net_spec(int width, OptimKind optim, double lr) {
  ModelSpec s;
  s.kind = ModelKind::Net;
  s.hidden = {HiddenLayerSpec{}, HiddenLayerSpec{}};
  for (auto& h : s.hidden) {
    h.width = width;
    h.act = Activation::ReLU;
  }
  s.loss.kind = LossKind::Softmax;
  s.loss.lambda = 1e-4;
  s.optim.kind = optim;
  s.optim.lr = lr;
  s.optim.batch_size = 32;
  s.init.kind = InitKind::He;
  return s;
}

// Trains until the training accuracy reaches `target` or max_steps pass;
// returns the steps taken.
int train_until(Trainer& t, double target, int max_steps) {
  for (int i = 1; i <= max_steps; ++i) {
    t.step();
    if (t.accuracy(false) >= target) return i;
  }
  return max_steps + 1;
}

bool all_params_finite(Trainer& t) {
  for (const ConstParamRef& p : t.model().params_view())
    if (!p.value->allFinite()) return false;
  return true;
}

// Bit-for-bit equality of doubles, NaN included.
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("linear softmax and SVM reach 100% training accuracy on separable data", "[trainer]") {
  const Dataset blobs = generate(DataGen::Linear, 150, 3, 0.0, 5);
  for (LossKind loss : {LossKind::Softmax, LossKind::SVM}) {
    INFO("loss " << int(loss));
    Trainer t(blobs, linear_spec(loss, OptimKind::Adam, 0.05));
    REQUIRE(train_until(t, 1.0, 3000) <= 3000);
    REQUIRE(t.accuracy(false) == 1.0);
  }
}

TEST_CASE("L-BFGS trains a linear softmax to 100% on separable blobs and converges", "[trainer]") {
  const Dataset blobs = generate(DataGen::Blobs, 150, 3, 0.05, 5);
  ModelSpec s = linear_spec(LossKind::Softmax, OptimKind::LBFGS, 1.0);
  Trainer t(blobs, s);
  for (int i = 0; i < 60; ++i) t.step();
  REQUIRE(t.accuracy(false) == 1.0);
  // Each L-BFGS iteration is one pass over the whole training set.
  REQUIRE(t.epoch() == 60.0);
  // Its loss never goes up from one iteration to the next, and it reaches
  // the minimum: the gradient (at the start of the last iteration) vanishes.
  const auto& h = t.history();
  for (size_t i = 1; i < h.size(); ++i)
    REQUIRE(h[i].data_loss + h[i].reg_loss <= h[i - 1].data_loss + h[i - 1].reg_loss + 1e-12);
  REQUIRE(h.back().grad_norm < 1e-6);
  REQUIRE(h.back().data_loss < 0.5 * h.front().data_loss);
}

TEST_CASE("a 16-16 ReLU net with Adam learns XOR and the 3-arm spiral", "[trainer]") {
  ModelSpec s = net_spec(16, OptimKind::Adam, 1e-2);
  SECTION("XOR") {
    Trainer t(generate(DataGen::Xor, 200, 2, 0.0, 3), s);
    REQUIRE(train_until(t, 0.95, 3000) <= 3000);
  }
  SECTION("spiral") {
    const Dataset spiral = generate(DataGen::Spiral, 300, 3, 0.2, 3);
    Trainer t(spiral, s);
    REQUIRE(train_until(t, 0.95, 6000) <= 6000);
    // The spiral is not linearly separable: a linear softmax stays far below.
    Trainer linear(spiral, linear_spec(LossKind::Softmax, OptimKind::Adam, 0.05));
    for (int i = 0; i < 1000; ++i) linear.step();
    REQUIRE(linear.accuracy(false) < 0.7);
  }
}

TEST_CASE("momentum reaches a lower loss than plain SGD in the same number of steps", "[trainer]") {
  const Dataset data = generate(DataGen::Blobs, 200, 3, 0.1, 11);
  ModelSpec s = linear_spec(LossKind::Softmax, OptimKind::SGD, 0.01);
  Trainer sgd(data, s);
  s.optim.kind = OptimKind::Momentum;
  s.optim.mu = 0.9;
  Trainer momentum(data, s);
  for (int i = 0; i < 200; ++i) {
    sgd.step();
    momentum.step();
  }
  const double l_sgd = sgd.last().train_data_loss, l_mom = momentum.last().train_data_loss;
  REQUIRE(std::isfinite(l_mom));
  REQUIRE(l_mom < 0.8 * l_sgd);
}

TEST_CASE("the same seed gives the same history bit for bit", "[trainer]") {
  Dataset data = generate(DataGen::Spiral, 120, 3, 0.1, 2);
  split_train_val(data, 0.2, 9);
  ModelSpec s = net_spec(12, OptimKind::Nesterov, 0.05);
  s.hidden[0].dropout_keep = 0.8;  // dropout masks come from the seeded stream too
  s.optim.batch_size = 10;
  s.seed = 77;
  Trainer a(data, s), b(data, s);
  for (int i = 0; i < 60; ++i) {
    a.step();
    b.step();
  }
  REQUIRE(a.history().size() == 60);
  REQUIRE(b.history().size() == 60);
  const std::vector<StepStats> ha = a.history(), hb = b.history();  // copies: history() returns by value
  for (size_t i = 0; i < 60; ++i) {
    const StepStats &x = ha[i], &y = hb[i];
    REQUIRE(x.step == y.step);
    REQUIRE(same_bits(x.epoch, y.epoch));
    REQUIRE(same_bits(x.data_loss, y.data_loss));
    REQUIRE(same_bits(x.reg_loss, y.reg_loss));
    REQUIRE(same_bits(x.grad_norm, y.grad_norm));
    REQUIRE(same_bits(x.train_acc, y.train_acc));
    REQUIRE(same_bits(x.val_acc, y.val_acc));
    REQUIRE(same_bits(x.train_data_loss, y.train_data_loss));
  }
  // reset() replays the run from the start.
  const double first = a.history()[0].data_loss;
  a.reset();
  REQUIRE(a.step_count() == 0);
  REQUIRE(a.history().empty());
  REQUIRE(same_bits(a.step().data_loss, first));
  // A different seed gives a different run.
  s.seed = 78;
  Trainer c(data, s);
  REQUIRE_FALSE(same_bits(c.step().data_loss, first));
}

// All parameters of the model, in order, as one vector.
std::vector<double> flat_params(Trainer& t) {
  std::vector<double> out;
  for (const ConstParamRef& p : t.model().params_view())
    out.insert(out.end(), p.value->data(), p.value->data() + p.value->size());
  return out;
}

TEST_CASE("divergence is detected, named and undone", "[trainer]") {
  // With lr * lambda > 2 the L2 pull on W overshoots and grows W by
  // (lr * lambda - 1) per step, until the loss overflows.
  ModelSpec s = net_spec(16, OptimKind::SGD, 1e3);
  s.loss.lambda = 0.1;
  // Double precision: in float32 (largest value 3e38) the step-4 weights
  // restored here (|W| ~ 4e19) already overflow the scores of a 3-layer
  // network, so training could not go on from them.
  s.engine = EngineKind::Reference;
  Trainer t(generate(DataGen::Spiral, 150, 3, 0.1, 4), s);
  for (int i = 0; i < 200 && !t.divergence().diverged; ++i) t.step();
  REQUIRE(t.divergence().diverged);
  const int64_t diverged_at = t.divergence().step, restored = t.divergence().restored_step;
  const std::string& msg = t.divergence().message;
  INFO(msg);
  REQUIRE_THAT(msg, Catch::Contains("step " + std::to_string(diverged_at)));
  REQUIRE_THAT(msg, Catch::Contains("restored to step " + std::to_string(restored)));
  REQUIRE_THAT(msg, Catch::Contains("learning rate (1000)"));
  REQUIRE(restored < diverged_at);
  REQUIRE(t.step_count() == restored);
  REQUIRE(all_params_finite(t));
  REQUIRE(t.history().size() == size_t(restored));
  REQUIRE((t.history().empty() || t.history().back().step == restored));
  // Training refuses to go on until the warning is cleared.
  REQUIRE_THROWS_WITH(t.step(), Catch::Contains("diverged"));
  // With a sane learning rate it trains again from the restored parameters.
  s.optim.lr = 1e-2;
  REQUIRE_FALSE(t.set_spec(s));
  t.clear_divergence();
  const StepStats next = t.step();
  REQUIRE(next.step == restored + 1);
  REQUIRE(std::isfinite(next.data_loss));
}

// The loss of step k is measured before its update, at the parameters step
// k-1 left. When it is not finite those parameters are bad, and the rollback
// must reach further back, to parameters whose loss was measured finite.
// Full-batch runs without dropout or batchnorm, so the loss a step measures
// is exactly model().loss() on the training set. Many learning rates and
// models: both ways of diverging (non-finite loss; finite loss but
// non-finite updated parameters) must occur, and each must restore the
// parameters the run had after the restored step, bit for bit.
TEST_CASE("a divergence rolls back to parameters whose loss was finite", "[trainer]") {
  const Dataset data = generate(DataGen::Spiral, 120, 3, 0.1, 5);
  int loss_path = 0, param_path = 0;
  std::vector<ModelSpec> specs;
  for (double lr : {1e2, 1e3, 1e4, 1e6, 1e10, 1e30, 1e100, 1e200, 1e300, 1e307}) {
    for (int kind = 0; kind < 3; ++kind) {
      ModelSpec s = kind == 0 ? linear_spec(LossKind::Softmax, OptimKind::SGD, lr)
                  : kind == 1 ? linear_spec(LossKind::SVM, OptimKind::Momentum, lr)
                              : net_spec(8, OptimKind::SGD, lr);
      s.optim.batch_size = 0;
      s.loss.lambda = kind == 2 ? 0.1 : 0.0;
      specs.push_back(s);
    }
  }
  for (const ModelSpec& s : specs) {
    Trainer t(data, s);
    std::vector<std::vector<double>> after;  // after[k]: parameters after step k
    std::vector<double> measured = {kNaN};   // measured[k]: the loss step k measured (at after[k-1])
    after.push_back(flat_params(t));
    StepStats last;
    for (int i = 0; i < 300 && !t.divergence().diverged; ++i) {
      last = t.step();
      measured.push_back(last.data_loss + last.reg_loss);
      if (!t.divergence().diverged) after.push_back(flat_params(t));
    }
    if (!t.divergence().diverged) continue;
    const int64_t k = t.divergence().step, restored = t.divergence().restored_step;
    INFO("lr " << s.optim.lr << ", model " << to_string(s.kind) << ": " << t.divergence().message);
    REQUIRE(size_t(k) == after.size());
    const bool loss_finite = std::isfinite(last.data_loss + last.reg_loss);
    if (!loss_finite && k == 1) continue;  // the starting point itself overflows: nothing finite to return to
    (loss_finite ? param_path : loss_path)++;
    // One step back when the loss was finite, two when it was not.
    REQUIRE(restored == (loss_finite ? k - 1 : k - 2));
    REQUIRE(t.step_count() == restored);
    REQUIRE(flat_params(t) == after[size_t(restored)]);
    // The step after the restored parameters measured their loss finite,
    // and it still is.
    REQUIRE(std::isfinite(measured[size_t(restored) + 1]));
    REQUIRE(std::isfinite(t.model().loss(t.X_train(), t.y_train()).total()));
  }
  INFO("non-finite loss: " << loss_path << " runs, non-finite parameters: " << param_path << " runs");
  REQUIRE(loss_path > 0);
  REQUIRE(param_path > 0);
}

TEST_CASE("set_spec keeps parameters for hyperparameter changes and says when it re-initialises", "[trainer]") {
  const Dataset data = generate(DataGen::Moons, 100, 2, 0.1, 6);
  ModelSpec s = net_spec(8, OptimKind::Adam, 1e-2);
  Trainer t(data, s);
  for (int i = 0; i < 10; ++i) t.step();
  const Mat W1 = *t.model().params_view()[0].value;

  SECTION("learning rate, lambda, loss and dropout: parameters kept, counters go on") {
    s.optim.lr = 3e-3;
    s.loss.lambda = 1e-2;
    s.loss.kind = LossKind::SVM;
    s.hidden[1].dropout_keep = 0.5;
    REQUIRE_FALSE(t.set_spec(s));
    REQUIRE(*t.model().params_view()[0].value == W1);
    REQUIRE(t.step_count() == 10);
    const StepStats st = t.step();
    REQUIRE(st.step == 11);
    REQUIRE(st.lr == 3e-3);
    REQUIRE(t.spec().loss.kind == LossKind::SVM);
  }
  SECTION("optimiser kind: parameters kept") {
    s.optim.kind = OptimKind::RMSProp;
    REQUIRE_FALSE(t.set_spec(s));
    REQUIRE(*t.model().params_view()[0].value == W1);
    REQUIRE(t.step().step == 11);
  }
  SECTION("hidden width: re-initialised") {
    s.hidden[0].width = 12;
    REQUIRE(t.set_spec(s));
    REQUIRE(t.step_count() == 0);
    REQUIRE(t.history().empty());
    REQUIRE(t.model().params_view()[0].value->rows() == 12);
  }
  SECTION("a spec the model refuses leaves the run untouched") {
    s.hidden[0].width = 0;
    REQUIRE_THROWS(t.set_spec(s));
    REQUIRE(t.step_count() == 10);
    REQUIRE(*t.model().params_view()[0].value == W1);
    REQUIRE(t.spec().hidden[0].width == 8);
  }
}

TEST_CASE("set_data refits preprocessing and keeps parameters when shapes allow", "[trainer]") {
  Dataset data = generate(DataGen::Blobs, 60, 3, 0.1, 8);
  ModelSpec s = linear_spec(LossKind::Softmax, OptimKind::Adam, 0.05);
  s.preprocess.kind = PreprocessKind::Normalize;
  Trainer t(data, s);
  for (int i = 0; i < 5; ++i) t.step();
  const Mat W = *t.model().params_view()[0].value;
  data.points.push_back({0.5, 0.5, 1, false});
  REQUIRE_FALSE(t.set_data(data));
  REQUIRE(*t.model().params_view()[0].value == W);
  REQUIRE(t.y_train().size() == 61);
  data.num_classes = 4;
  REQUIRE(t.set_data(data));
  REQUIRE(t.model().num_classes() == 4);
  data.points.push_back({0, 0, 7, false});
  REQUIRE_THROWS_WITH(t.set_data(data), Catch::Contains("label 7"));
}

TEST_CASE("batch 1 and full batch both train, and epochs are counted in minibatches", "[trainer]") {
  const Dataset data = generate(DataGen::Blobs, 50, 2, 0.05, 12);
  ModelSpec s = linear_spec(LossKind::Softmax, OptimKind::SGD, 0.1);

  SECTION("batch 1 (pure SGD): 50 steps per epoch") {
    s.optim.batch_size = 1;
    Trainer t(data, s);
    for (int i = 0; i < 49; ++i) t.step();
    REQUIRE(t.epoch() == Approx(49.0 / 50));
    t.step();
    REQUIRE(t.epoch() == 1.0);
    for (int i = 0; i < 150; ++i) t.step();
    REQUIRE(t.accuracy(false) >= 0.95);
  }
  SECTION("batch 16: ceil(50/16) = 4 steps per epoch") {
    s.optim.batch_size = 16;
    Trainer t(data, s);
    for (int i = 0; i < 4; ++i) t.step();
    REQUIRE(t.epoch() == 1.0);
  }
  SECTION("full batch: one step per epoch, the minibatch loss is the training loss") {
    s.optim.batch_size = 0;
    Trainer t(data, s);
    for (int i = 0; i < 100; ++i) t.step();
    REQUIRE(t.epoch() == 100.0);
    REQUIRE(t.accuracy(false) >= 0.95);
    // The first step's loss is of the whole set at the initial parameters.
    Trainer u(data, s);
    const double before = u.model().loss(u.X_train(), u.y_train()).data_loss;
    // 1e-6: the step's loss is the fast engine's float32 arithmetic, the model's in double.
    REQUIRE(u.step().data_loss == Approx(before).epsilon(1e-6));
  }
}

TEST_CASE("the learning rate schedule is applied by epoch", "[trainer]") {
  ModelSpec s = linear_spec(LossKind::Softmax, OptimKind::SGD, 0.1);
  s.optim.schedule = ScheduleKind::Step;
  s.optim.step_epochs = 2;
  s.optim.decay = 0.5;
  Trainer t(generate(DataGen::Blobs, 30, 2, 0.1, 1), s);  // full batch: 1 epoch per step
  REQUIRE(t.step().lr == Approx(0.1));   // epoch 0
  REQUIRE(t.step().lr == Approx(0.1));   // epoch 1
  REQUIRE(t.step().lr == Approx(0.05));  // epoch 2
}

TEST_CASE("statistics: evaluation cadence, parameter stats, history, predictor", "[trainer]") {
  Dataset data = generate(DataGen::Circle, 100, 2, 0.05, 21);
  split_train_val(data, 0.25, 3);
  ModelSpec s = net_spec(8, OptimKind::Adam, 1e-2);
  Trainer t(data, s);
  t.set_eval_every(5);
  for (int i = 0; i < 10; ++i) t.step();
  const auto& h = t.history();
  REQUIRE(h[0].evaluated);  // the first step is always evaluated
  REQUIRE_FALSE(h[1].evaluated);
  REQUIRE(h[4].evaluated);
  REQUIRE(h[9].evaluated);
  REQUIRE(h[9].train_acc == Approx(t.accuracy(false)));
  REQUIRE(h[9].val_acc == Approx(t.accuracy(true)));
  REQUIRE(std::isfinite(h[9].val_data_loss));
  REQUIRE(t.history_since(7).size() == 3);
  REQUIRE(t.history_since(7)[0].step == 8);

  // "W1", "b1", "W2", "b2", "W3", "b3": norms and update ratios of the last step.
  const auto& ps = t.param_stats();
  REQUIRE(ps.size() == t.model().params_view().size());
  REQUIRE(ps[0].name == "W1");
  REQUIRE(ps[0].param_norm == Approx(t.model().params_view()[0].value->norm()));
  REQUIRE(ps[0].grad_norm > 0);
  // Adam moves each entry by about lr, so the ratio is of order lr * sqrt(#entries) / |W|.
  REQUIRE(ps[0].update_ratio > 1e-4);
  REQUIRE(ps[0].update_ratio < 1e-1);
  REQUIRE(t.inspect().size() == 2);

  const Predictor snap = t.predictor();
  REQUIRE(snap.step == 10);
  Mat X(3, 2);
  X << 0, 0, 0.9, 0.1, -0.3, 0.7;
  const Mat scores_at_10 = t.predict_scores(X);
  REQUIRE(snap.predict_scores(X) == scores_at_10);
  for (int i = 0; i < 3; ++i) REQUIRE(snap.predict(X(i, 0), X(i, 1)) == t.predict(X(i, 0), X(i, 1)));
  t.step();  // the predictor is a copy: training on does not change it
  REQUIRE(t.predict_scores(X) != scores_at_10);
  REQUIRE(snap.predict_scores(X) == scores_at_10);
  // last() is the step step() returned, field for field, and the history's last entry.
  {
    t.set_eval_every(4);  // step 12 is evaluated: every field is set
    const StepStats r = t.step();
    REQUIRE(r.evaluated);
    const std::vector<StepStats> h12 = t.history();  // a copy: history() returns by value
    for (const StepStats* x : {&t.last(), &h12.back()}) {
      REQUIRE(x->step == 12);
      REQUIRE(x->step == r.step);
      REQUIRE(x->evaluated == r.evaluated);
      for (auto field : {&StepStats::epoch, &StepStats::lr, &StepStats::data_loss, &StepStats::reg_loss,
                         &StepStats::grad_norm, &StepStats::train_acc, &StepStats::val_acc, &StepStats::train_data_loss,
                         &StepStats::train_reg_loss, &StepStats::val_data_loss, &StepStats::train_rmse,
                         &StepStats::val_rmse})
        REQUIRE(same_bits(x->*field, r.*field));
    }
  }
}

TEST_CASE("the history keeps the last kMaxHistory steps in order, across the ring's wrap", "[trainer]") {
  Dataset data = generate(DataGen::Circle, 40, 2, 0.05, 5);
  ModelSpec s = net_spec(4, OptimKind::SGD, 1e-2);
  s.optim.batch_size = 4;
  Trainer t(data, s);
  t.set_eval_every(1 << 30);
  const size_t cap = Trainer::kMaxHistory;
  for (size_t i = 0; i < cap + 1234; ++i) t.step();
  const std::vector<StepStats> h = t.history();
  REQUIRE(h.size() == cap);
  REQUIRE(h.front().step == int64_t(1234 + 1));
  for (size_t i = 1; i < h.size(); ++i) REQUIRE(h[i].step == h[i - 1].step + 1);
  REQUIRE(h.back().step == t.step_count());
  REQUIRE(same_bits(h.back().data_loss, t.last().data_loss));
  // history_since across the wrap, before the oldest entry, and at the end.
  const int64_t n = t.step_count();
  REQUIRE(t.history_since(n - 5).size() == 5);
  REQUIRE(t.history_since(n - 5)[0].step == n - 4);
  REQUIRE(t.history_since(n).empty());
  REQUIRE(t.history_since(0).size() == cap);
  REQUIRE(t.history_since(n - int64_t(cap) + 2).front().step == n - int64_t(cap) + 3);
  // The entries equal those of a trainer that kept every step (steps from the same seed).
  Trainer u(data, s);
  u.set_eval_every(1 << 30);
  std::vector<StepStats> all;
  for (size_t i = 0; i < cap + 1234; ++i) all.push_back(u.step());
  for (size_t i = 0; i < cap; ++i) {
    REQUIRE(h[i].step == all[1234 + i].step);
    REQUIRE(same_bits(h[i].data_loss, all[1234 + i].data_loss));
    REQUIRE(same_bits(h[i].grad_norm, all[1234 + i].grad_norm));
  }
  // A reset empties it; it fills again from the first step.
  t.reset();
  REQUIRE(t.history().empty());
  t.step();
  REQUIRE(t.history().size() == 1);
  REQUIRE(t.history().front().step == 1);
}

TEST_CASE("the trainer refuses kNN and training without points, with sentences", "[trainer]") {
  ModelSpec s;
  s.kind = ModelKind::KNN;
  REQUIRE_THROWS_WITH(Trainer(generate(DataGen::Blobs, 10, 2, 0.1, 1), s), Catch::Contains("kNN"));
  Dataset empty;
  Trainer t(empty, net_spec(4, OptimKind::SGD, 0.1));
  REQUIRE_THROWS_WITH(t.step(), Catch::Contains("no training points"));
  REQUIRE(std::isnan(t.accuracy(false)));
}

TEST_CASE("gradient clipping bounds the reported step", "[trainer]") {
  ModelSpec s = linear_spec(LossKind::SVM, OptimKind::SGD, 1.0);
  s.optim.clip_norm = 1e-3;
  s.init.kind = InitKind::Zeros;
  Trainer t(generate(DataGen::Blobs, 40, 2, 0.1, 2), s);
  const StepStats st = t.step();
  REQUIRE(st.grad_norm > 1e-3);  // reported before clipping
  double update_sq = 0;  // SGD moves by lr * clipped grad: norm exactly lr * clip_norm
  for (const ParamStats& p : t.param_stats()) update_sq += p.grad_norm * p.grad_norm;
  // 1e-6: the fast engine scales float32 gradients (rounding about 6e-8 each).
  REQUIRE(std::sqrt(update_sq) == Approx(1e-3).epsilon(1e-6));
}

TEST_CASE("a step too large for the memory limit is refused with a message before it allocates; minibatches fit",
          "[trainer][limits]") {
  // The largest network the engine accepts on the most points a session may
  // hold, trained on the full batch: far more than kMaxStepMemoryMB.
  const Dataset data = generate(DataGen::Blobs, kMaxPoints, 10, 0.2, 1);
  ModelSpec s = net_spec(kMaxLayerWidth, OptimKind::Adam, 1e-3);
  s.hidden.assign(kMaxHiddenLayers, HiddenLayerSpec::fc(kMaxLayerWidth));
  s.optim.batch_size = 0;
  // Even half of the points (whatever share is held out for validation).
  const double full = training_step_bytes(s, 2, 10, size_t(kMaxPoints) / 2);
  CHECK(full > kMaxStepMemoryMB * 1048576.0);
  Trainer t(data, s);
  try {
    t.step();
    FAIL("the full-batch step was not refused");
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    CHECK(m.find("Out of memory") != std::string::npos);
    CHECK(m.find(std::to_string(kMaxWasmMemoryMB) + " MB") != std::string::npos);
    CHECK(m.find("minibatches") != std::string::npos);
  }
  CHECK(t.step_count() == 0);
  // The same network with minibatches of 64 fits and trains (on a few
  // points: the first step also evaluates the whole set, which on all of
  // them would take minutes under the sanitizers).
  s.optim.batch_size = 64;
  CHECK(training_step_bytes(s, 2, 10, 64) < kMaxStepMemoryMB * 1048576.0);
  Trainer small(generate(DataGen::Blobs, 200, 10, 0.2, 1), s);
  const StepStats st = small.step();
  CHECK(small.step_count() == 1);
  CHECK(std::isfinite(st.data_loss));
}

TEST_CASE("the inspector samples fewer rows of an expensive network, within its multiply-add budget",
          "[trainer][limits]") {
  // 2-16-16-3: every row up to kMaxInspectRows.
  ModelSpec small = net_spec(16, OptimKind::Adam, 1e-3);
  Trainer a(generate(DataGen::Spiral, 300, 3, 0.1, 1), small);
  CHECK(weight_multiply_adds(a.model()) == 2 * 16 + 16 * 16 + 16 * 3);
  CHECK(inspect_rows(a.model(), 300) == 300);
  CHECK(inspect_rows(a.model(), 100000) == kMaxInspectRows);
  // 16 layers of 512 units: about 4 M multiply-adds a row, so the sample
  // shrinks to the budget (24 rows) and is then held at kMinInspectRows.
  ModelSpec big = net_spec(kMaxLayerWidth, OptimKind::Adam, 1e-3);
  big.hidden.assign(kMaxHiddenLayers, HiddenLayerSpec::fc(kMaxLayerWidth));
  Trainer b(generate(DataGen::Blobs, 200, 10, 0.2, 1), big);
  const double per_row = 2.0 * 512 + 15.0 * 512 * 512 + 512.0 * 10;
  CHECK(weight_multiply_adds(b.model()) == per_row);
  CHECK(kInspectMultiplyAdds / per_row < kMinInspectRows);
  CHECK(inspect_rows(b.model(), 100000) == kMinInspectRows);
  CHECK(inspect_rows(b.model(), 10) == 10);
  // The statistics still cover every hidden layer.
  CHECK(b.inspect().size() == size_t(kMaxHiddenLayers));
}
