// Claims about regularisation and capacity: extreme lambda, more data,
// dropout, weight decay and the boundary, L1 against L2, adding capacity.
#include <catch2/catch.hpp>

#include <cmath>

#include "claims_common.h"
#include "core/models/linear.h"

using namespace nn;
using namespace claims;

struct Fit {
  double train_acc, val_acc, loss;
  int boundary;  // boundary cells on a 60 x 60 grid
};

static Fit fit(const Dataset& data, const ModelSpec& spec, int steps) {
  Trainer t = make_trainer(data, spec);
  run(t, steps);
  REQUIRE_FALSE(t.divergence().diverged);
  std::vector<int> labels;
  for (const auto& [x, y] : grid(60)) labels.push_back(t.predict(x, y));
  return {t.accuracy(false), t.accuracy(true), train_loss(t), boundary_cells(labels, 60)};
}

static std::string show(const Fit& f) {
  return "train acc " + num(f.train_acc) + " val acc " + num(f.val_acc) + " boundary " +
         num(f.boundary);
}

TEST_CASE("extreme regularisation: train and val both poor and close", "[claims][extreme-reg]") {
  const Session s = load_preset("extreme-reg");
  REQUIRE(s.spec.loss.lambda == 3.0);
  const Fit strong = fit(s.data, s.spec, 1000);
  ModelSpec mild = s.spec;
  mild.loss.lambda = 1e-3;
  const Fit normal = fit(s.data, mild, 1000);
  measure("extreme-reg", "lambda 3: " + show(strong) + "; lambda 1e-3: " + show(normal));
  // Claim: at lambda = 3 both accuracies are below 0.6 (3 classes: chance is
  // 0.33) and within 0.1 of each other; at lambda = 1e-3 training accuracy
  // is above 0.9.
  REQUIRE(strong.train_acc < 0.6);
  REQUIRE(strong.val_acc < 0.6);
  REQUIRE(std::abs(strong.train_acc - strong.val_acc) < 0.1);
  REQUIRE(normal.train_acc > 0.9);
}

TEST_CASE("more data shrinks the train/validation gap", "[claims][more-data]") {
  const Session small = load_preset("more-data");
  const Session large = load_preset_with_n("more-data", 400);
  const Fit a = fit(small.data, small.spec, 1500), b = fit(large.data, large.spec, 1500);
  const double gap_a = a.train_acc - a.val_acc, gap_b = b.train_acc - b.val_acc;
  measure("more-data", "60 points: " + show(a) + " gap " + num(gap_a) + "; 400 points: " +
                           show(b) + " gap " + num(gap_b));
  // Claim: with 400 points instead of 60 (same generator) the gap between
  // training and validation accuracy is smaller by at least 0.05.
  REQUIRE(gap_b < gap_a - 0.05);
}

TEST_CASE("dropout narrows the gap between training and validation", "[claims][dropout]") {
  const Session s = load_preset("dropout");
  REQUIRE(s.spec.hidden[0].dropout_keep == 0.5);
  const Fit drop = fit(s.data, s.spec, 2000);
  ModelSpec off = s.spec;
  for (auto& h : off.hidden) h.dropout_keep = 1.0;
  const Fit plain = fit(s.data, off, 2000);
  measure("dropout", "p=0.5: " + show(drop) + "; no dropout: " + show(plain));
  // Claim: with dropout the training accuracy is lower and the
  // train - validation gap smaller than without; validation accuracy stays
  // within 0.05 of the run without dropout (or better).
  REQUIRE(drop.train_acc < plain.train_acc);
  REQUIRE(drop.train_acc - drop.val_acc < plain.train_acc - plain.val_acc);
  REQUIRE(drop.val_acc > plain.val_acc - 0.05);
}

TEST_CASE("weight decay smooths the decision boundary", "[claims][reg-smooths-boundary]") {
  const Session s = load_preset("reg-smooths-boundary");
  REQUIRE(s.spec.loss.lambda == 0.01);
  const Fit reg = fit(s.data, s.spec, 2000);
  ModelSpec none = s.spec;
  none.loss.lambda = 0;
  const Fit free = fit(s.data, none, 2000);
  measure("reg-smooths-boundary", "lambda 0.01: " + show(reg) + "; lambda 0: " + show(free));
  // Claim: with lambda = 0.01 the boundary is shorter (at least 15% fewer
  // boundary cells) and training accuracy lower than with lambda = 0.
  REQUIRE(reg.boundary < 0.85 * free.boundary);
  REQUIRE(reg.train_acc < free.train_acc);
}

TEST_CASE("L1 gives sparse weights, L2 spreads them", "[claims][l1-vs-l2-sparsity]") {
  const Session s = load_preset("l1-vs-l2-sparsity");
  REQUIRE(s.spec.loss.reg == RegKind::L1);
  auto near_zero = [&](RegKind reg, double& acc) {
    ModelSpec spec = s.spec;
    spec.loss.reg = reg;
    Trainer t = make_trainer(s.data, spec);
    run(t, 3000);
    acc = t.accuracy(false);
    const Mat& W = dynamic_cast<const LinearClassifier&>(t.model()).W;
    return double((W.array().abs() < 1e-3).count()) / double(W.size());
  };
  double acc1, acc2;
  const double z1 = near_zero(RegKind::L1, acc1), z2 = near_zero(RegKind::L2, acc2);
  measure("l1-vs-l2-sparsity", "fraction of the 21 weights with |w| < 1e-3: L1=" + num(z1) +
                                   " (acc " + num(acc1) + ") L2=" + num(z2) + " (acc " +
                                   num(acc2) + ")");
  // Claim: with L1 at least a third of the weights are within 1e-3 of zero,
  // with L2 (same lambda) at most one in ten.
  REQUIRE(z1 >= 1.0 / 3);
  REQUIRE(z2 <= 0.1);
}

TEST_CASE("when validation tracks training, add capacity", "[claims][add-capacity]") {
  const Session s = load_preset("add-capacity");
  REQUIRE(s.spec.hidden[0].width == 2);
  const Fit small = fit(s.data, s.spec, 1500);
  ModelSpec wide = s.spec;
  wide.hidden[0].width = 32;
  const Fit big = fit(s.data, wide, 1500);
  measure("add-capacity", "width 2: " + show(small) + "; width 32: " + show(big));
  // Claim: with 2 hidden units both accuracies are below 0.75 and within
  // 0.1 of each other; with 32 units validation accuracy rises by over 0.15.
  REQUIRE(small.train_acc < 0.75);
  REQUIRE(std::abs(small.train_acc - small.val_acc) < 0.1);
  REQUIRE(big.val_acc > small.val_acc + 0.15);
}

TEST_CASE("a big regularised net beats a small one, and varies less",
          "[claims][big-net-plus-reg]") {
  const Session s = load_preset("big-net-plus-reg");
  REQUIRE(s.spec.hidden[0].width == 3);
  std::vector<double> small_val, big_val, small_loss, big_loss;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    ModelSpec spec = s.spec;
    spec.seed = seed;
    Fit f = fit(s.data, spec, 1500);
    small_val.push_back(f.val_acc);
    small_loss.push_back(f.loss);
    for (auto& h : spec.hidden) h.width = 64;
    f = fit(s.data, spec, 1500);
    big_val.push_back(f.val_acc);
    big_loss.push_back(f.loss);
  }
  const double sm = mean(small_val), bm = mean(big_val);
  const double ss = stddev(small_loss, 0, 5), bs = stddev(big_loss, 0, 5);
  measure("big-net-plus-reg", "5 seeds, 1500 steps: width 3 val acc mean " + num(sm) +
                                  " (min " + num(*std::min_element(small_val.begin(), small_val.end())) +
                                  "), loss std " + num(ss) + "; width 64 + L2: val acc mean " +
                                  num(bm) + " (min " +
                                  num(*std::min_element(big_val.begin(), big_val.end())) +
                                  "), loss std " + num(bs));
  // Claims: over 5 seeds the big regularised net's mean validation accuracy
  // is at least 0.1 higher, and its final training loss varies less from seed
  // to seed (std at most half the small net's).
  REQUIRE(bm > sm + 0.1);
  REQUIRE(bs < 0.5 * ss);
}
