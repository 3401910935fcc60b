// Claims about optimisation: L-BFGS, momentum, learning-rate decay, batch
// size noise, Adagrad against RMSProp and gradient clipping, on their presets.
#include <catch2/catch.hpp>

#include <cmath>

#include "claims_common.h"

using namespace nn;
using namespace claims;

TEST_CASE("L-BFGS: full-batch iterations, far fewer of them", "[claims][lbfgs-full-batch]") {
  const Session s = load_preset("lbfgs-full-batch");
  REQUIRE(s.spec.optim.kind == OptimKind::LBFGS);
  Trainer t = make_trainer(s.data, s.spec);
  const double start = train_loss(t);
  run(t, 40);
  const double lbfgs = train_loss(t);
  const double epochs = t.epoch();
  // Full-batch gradient descent with the best of three learning rates.
  double gd = 1e9, best_lr = 0;
  for (double lr : {0.1, 0.3, 1.0}) {
    ModelSpec spec = s.spec;
    spec.optim.kind = OptimKind::SGD;
    spec.optim.lr = lr;
    spec.optim.batch_size = 0;
    Trainer g = make_trainer(s.data, spec);
    run(g, 40);
    if (!g.divergence().diverged && train_loss(g) < gd) gd = train_loss(g), best_lr = lr;
  }
  measure("lbfgs-full-batch", "40 iterations: epochs=" + num(epochs) + " loss " + num(start) +
                                  " -> L-BFGS " + num(lbfgs) + ", full-batch GD (best lr " +
                                  num(best_lr) + ") " + num(gd));
  // Claims: every L-BFGS iteration is a full pass (40 iterations = 40
  // epochs); after 40 iterations its loss is below half that of full-batch
  // gradient descent with the best of lr 0.1, 0.3, 1.
  REQUIRE(epochs == Approx(40.0));
  REQUIRE(lbfgs < 0.5 * gd);
}

TEST_CASE("momentum reaches a lower loss than plain SGD", "[claims][momentum-vs-sgd]") {
  const Session s = load_preset("momentum-vs-sgd");
  REQUIRE(s.spec.optim.kind == OptimKind::Momentum);
  Trainer m = make_trainer(s.data, s.spec);
  run(m, 1000);
  ModelSpec sgd = s.spec;
  sgd.optim.kind = OptimKind::SGD;
  Trainer g = make_trainer(s.data, sgd);
  run(g, 1000);
  const double lm = train_loss(m), lg = train_loss(g);
  measure("momentum-vs-sgd", "after 1000 steps at lr 0.01: momentum(mu 0.9) loss=" + num(lm) +
                                 " acc=" + num(m.accuracy(false)) + "; sgd loss=" + num(lg) +
                                 " acc=" + num(g.accuracy(false)));
  // Claim: with the same learning rate and steps, momentum ends below half
  // of SGD's loss.
  REQUIRE(lm < 0.5 * lg);
}

TEST_CASE("learning-rate decay ends lower and steadier", "[claims][lr-decay]") {
  const Session s = load_preset("lr-decay");
  REQUIRE(s.spec.optim.schedule == ScheduleKind::Step);
  REQUIRE(s.spec.optim.step_epochs == 100);
  auto train = [&](ScheduleKind schedule, double step_epochs, double& loss, double& wiggle) {
    ModelSpec spec = s.spec;
    spec.optim.schedule = schedule;
    spec.optim.step_epochs = step_epochs;
    Trainer t = make_trainer(s.data, spec);
    const auto l = run(t, 1500);  // 200 epochs of 240 training points
    REQUIRE_FALSE(t.divergence().diverged);
    loss = train_loss(t);
    wiggle = stddev(l, 1300, 1500);
  };
  double fd, sd, fc, sc, fe, se;
  train(ScheduleKind::Step, 100, fd, sd);
  train(ScheduleKind::Constant, 100, fc, sc);
  train(ScheduleKind::Step, 20, fe, se);
  measure("lr-decay", "after 1500 steps (lr 1): halved every 100 epochs: loss " + num(fd) +
                          " (minibatch loss std, last 200 steps " + num(sd) + "); constant: " +
                          num(fc) + " (std " + num(sc) + "); halved every 20 epochs: " +
                          num(fe) + " (std " + num(se) + ")");
  // Claims: the decayed run ends with a lower training loss than constant lr
  // and a minibatch loss that wiggles less (std at most 0.7x); decaying too
  // early (every 20 epochs) ends higher than decaying every 100.
  REQUIRE(fd < fc);
  REQUIRE(sd < 0.7 * sc);
  REQUIRE(fe > fd);
}

TEST_CASE("smaller batches make the loss noisier", "[claims][batch-size-noise]") {
  const Session s = load_preset("batch-size-noise");
  REQUIRE(s.spec.optim.batch_size == 1);
  auto wiggle = [&](int batch) {
    ModelSpec spec = s.spec;
    spec.optim.batch_size = batch;
    Trainer t = make_trainer(s.data, spec);
    const auto l = run(t, 600);
    std::vector<double> diff;
    for (size_t i = 301; i < l.size(); ++i) diff.push_back(l[i] - l[i - 1]);
    return stddev(diff, 0, diff.size());
  };
  const double w1 = wiggle(1), w4 = wiggle(4), w128 = wiggle(128);
  measure("batch-size-noise", "std of step-to-step loss change (steps 300-600): batch 1=" + num(w1) +
                                  " batch 4=" + num(w4) + " batch 128=" + num(w128));
  // Claim: the wiggle shrinks as the batch grows: batch 1 > batch 4 > 3x batch 128.
  REQUIRE(w1 > w4);
  REQUIRE(w4 > 3 * w128);
}

TEST_CASE("Adagrad's steps shrink, RMSProp's do not", "[claims][adagrad-vs-rmsprop]") {
  const Session s = load_preset("adagrad-vs-rmsprop");
  REQUIRE(s.spec.optim.kind == OptimKind::Adagrad);
  // Mean update size over late steps divided by that over early steps.
  auto late_over_early = [&](OptimKind kind) {
    ModelSpec spec = s.spec;
    spec.optim.kind = kind;
    Trainer t = make_trainer(s.data, spec);
    std::vector<double> size;
    for (int i = 0; i < 2000; ++i) {
      const auto before = flat_params(t.model());
      t.step();
      size.push_back(distance(before, flat_params(t.model())));
    }
    return mean(size, 1900, 2000) / mean(size, 10, 110);
  };
  const double ada = late_over_early(OptimKind::Adagrad);
  const double rms = late_over_early(OptimKind::RMSProp);
  measure("adagrad-vs-rmsprop", "update size, steps 1900-2000 over steps 10-110: adagrad=" +
                                    num(ada) + " rmsprop=" + num(rms));
  // Claim: Adagrad's late updates are under half its early ones, while
  // RMSProp's stay at more than 2x Adagrad's ratio.
  REQUIRE(ada < 0.5);
  REQUIRE(rms > 2 * ada);
}

TEST_CASE("clipping bounds every update", "[claims][gradient-clipping]") {
  const Session s = load_preset("gradient-clipping");
  REQUIRE(s.spec.optim.clip_norm == 1.0);
  REQUIRE(s.spec.optim.kind == OptimKind::SGD);
  Trainer t = make_trainer(s.data, s.spec);
  double max_update = 0, max_grad = 0;
  for (int i = 0; i < 300; ++i) {
    const auto before = flat_params(t.model());
    const StepStats st = t.step();
    max_update = std::max(max_update, distance(before, flat_params(t.model())));
    max_grad = std::max(max_grad, st.grad_norm);
  }
  ModelSpec off = s.spec;
  off.optim.clip_norm = 0;
  Trainer u = make_trainer(s.data, off);
  run(u, 300);
  measure("gradient-clipping", "clip 1, lr 3: largest raw grad norm " + num(max_grad) +
                                   ", largest update " + num(max_update) + ", loss " +
                                   num(train_loss(t)) + " acc " + num(t.accuracy(false)) +
                                   "; no clipping: diverged=" + num(u.divergence().diverged) +
                                   " loss " + num(train_loss(u)) + " acc " +
                                   num(u.accuracy(false)));
  // Claims: raw gradients exceed the threshold, yet no SGD update is longer
  // than lr * clip_norm = 3. Without clipping this run does not overflow (no
  // divergence is detected), but it ends stuck near chance (1/3 for three
  // classes; below 0.4) and at least 0.2 below the clipped run's accuracy.
  // (Seeds 1 to 6 of this preset: unclipped 0.30 to 0.35, clipped 0.54 to
  // 0.92. The whole-set loss is no fair judge at lr 3: the clipped run's few
  // confident mistakes can cost more than the stuck run's near-uniform scores.)
  REQUIRE(max_grad > 1.0);
  // (1 + 1e-6): the default engine updates in float32, whose rounding makes
  // the clipped step's length lr * clip_norm up to about 1e-7 longer.
  REQUIRE(max_update <= 3.0 * (1 + 1e-6));
  REQUIRE_FALSE(t.divergence().diverged);
  REQUIRE(u.accuracy(false) < t.accuracy(false) - 0.2);
  REQUIRE(u.accuracy(false) < 0.4);
}
