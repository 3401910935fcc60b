// Claims about initialisation: activation histograms and the init scale,
// dividing by sqrt(fan-in), zero init symmetry, zero weights with random biases.
#include <catch2/catch.hpp>

#include <cmath>

#include "claims_common.h"
#include "core/models/net.h"

using namespace nn;
using namespace claims;

static const Net& net(Trainer& t) { return dynamic_cast<const Net&>(t.model()); }

// act_std of every hidden layer before training.
static std::vector<double> layer_stds(const Dataset& data, const ModelSpec& spec) {
  Trainer t = make_trainer(data, spec);
  std::vector<double> out;
  for (const LayerStats& l : t.inspect()) out.push_back(l.act_std);
  return out;
}

static std::string show(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : " ") + num(x);
  return s;
}

TEST_CASE("tanh activations collapse with tiny init", "[claims][init-activation-histograms]") {
  const Session s = load_preset("init-activation-histograms");
  REQUIRE(s.spec.init.kind == InitKind::SmallRandom);
  const auto small = layer_stds(s.data, s.spec);
  ModelSpec xavier = s.spec;
  xavier.init.kind = InitKind::Xavier;
  const auto good = layer_stds(s.data, xavier);
  measure("init-activation-histograms",
          "act std per tanh layer, 0.01*N(0,1): " + show(small) + "; Xavier: " + show(good));
  // Claims: with 0.01 * N(0,1) each layer shrinks the spread (by about
  // 0.01 * sqrt(64) = 0.08): the sixth layer's std is below 1e-6; with
  // Xavier it stays above 0.1.
  REQUIRE(small.size() == 6);
  for (size_t i = 1; i < small.size(); ++i) REQUIRE(small[i] < 0.2 * small[i - 1]);
  REQUIRE(small.back() < 1e-6);
  REQUIRE(good.back() > 0.1);
  // The card's other failure, saturation from too large weights, needs an
  // init scale the engine does not offer (see the sigmoid preset instead).
}

TEST_CASE("dividing by sqrt(fan-in) keeps the variance", "[claims][init-fan-in-scaling]") {
  const Session s = load_preset("init-fan-in-scaling");
  REQUIRE(s.spec.init.kind == InitKind::Xavier);
  REQUIRE(s.spec.hidden[0].act == Activation::Linear);
  // Per-layer std ratio std_{l+1} / std_l over layers 2..6 (layer 1 has fan-in 2).
  auto mean_ratio = [&](int width, InitKind kind) {
    ModelSpec spec = s.spec;
    spec.init.kind = kind;
    for (auto& h : spec.hidden) h.width = width;
    const auto st = layer_stds(s.data, spec);
    double r = 0;
    for (size_t i = 2; i < st.size(); ++i) r += std::log(st[i] / st[i - 1]);
    return std::exp(r / double(st.size() - 2));
  };
  const double x16 = mean_ratio(16, InitKind::Xavier), x256 = mean_ratio(256, InitKind::Xavier);
  const double r16 = mean_ratio(16, InitKind::SmallRandom), r256 = mean_ratio(256, InitKind::SmallRandom);
  measure("init-fan-in-scaling", "mean per-layer std ratio: Xavier width 16=" + num(x16) +
                                     " width 256=" + num(x256) + "; 0.01*N(0,1) width 16=" +
                                     num(r16) + " (0.01 sqrt(16)=0.04) width 256=" + num(r256) +
                                     " (0.01 sqrt(256)=0.16)");
  // Claims: with fixed-scale weights the std grows like sqrt(fan-in) (ratio
  // within 25% of 0.01 sqrt(n)); divided by sqrt(n) (Xavier) the ratio is
  // within 25% of 1 at both widths.
  REQUIRE(r16 == Approx(0.04).epsilon(0.25));
  REQUIRE(r256 == Approx(0.16).epsilon(0.25));
  REQUIRE(x16 == Approx(1.0).epsilon(0.25));
  REQUIRE(x256 == Approx(1.0).epsilon(0.25));
}

// Largest distance between a row of W and the first row.
static double row_spread(const Mat& W) {
  double d = 0;
  for (int r = 1; r < W.rows(); ++r) d = std::max(d, (W.row(r) - W.row(0)).norm());
  return d;
}

TEST_CASE("zero init: units stay identical", "[claims][zero-init-symmetry]") {
  const Session s = load_preset("zero-init-symmetry");
  REQUIRE(s.spec.init.kind == InitKind::Zeros);
  Trainer t = make_trainer(s.data, s.spec);
  run(t, 1000);
  const Mat& W1 = net(t).layers[0].W;
  ModelSpec he = s.spec;
  he.init.kind = InitKind::He;
  Trainer h = make_trainer(s.data, he);
  run(h, 1000);
  measure("zero-init-symmetry", "after 1000 steps: |W1| " + num(W1.norm()) +
                                    ", largest row difference " + num(row_spread(W1)) +
                                    ", acc " + num(t.accuracy(false)) + "; He init: acc " +
                                    num(h.accuracy(false)) + ", row difference " +
                                    num(row_spread(net(h).layers[0].W)));
  // Claims: the weights do move (|W1| > 0.1), but every row of W1 stays an
  // exact copy of the first (difference 0), so the layer acts like one unit:
  // He init reaches at least 0.1 higher training accuracy. (Measured with
  // seeds 1 to 6 of this preset: He init ahead by 0.13 to 0.20 after 1000
  // steps; the gap depends on the minibatch order, so the bound keeps a margin.)
  REQUIRE(W1.norm() > 0.1);
  REQUIRE(row_spread(W1) == 0.0);
  REQUIRE(h.accuracy(false) > t.accuracy(false) + 0.1);
}

TEST_CASE("zero weights with random biases: symmetry broken, weakly",
          "[claims][zero-init-random-bias]") {
  const Session s = load_preset("zero-init-random-bias");
  REQUIRE(s.spec.init.kind == InitKind::Zeros);
  REQUIRE(s.spec.init.random_bias);
  Trainer t = make_trainer(s.data, s.spec);
  t.step();
  const double w1_after_one = net(t).layers[0].W.norm();
  run(t, 999);
  const Mat& W1 = net(t).layers[0].W;
  const double spread = row_spread(W1) / W1.norm();
  ModelSpec he = s.spec;
  he.init = InitSpec{};
  he.init.kind = InitKind::Xavier;
  Trainer x = make_trainer(s.data, he);
  run(x, 1000);
  measure("zero-init-random-bias", "W1 after step 1: " + num(w1_after_one) +
                                       "; after 1000 steps: row difference / |W1| " +
                                       num(spread) + ", acc " + num(t.accuracy(false)) +
                                       "; Xavier: acc " + num(x.accuracy(false)));
  // Claims (the card's caveat): on the first step W1 gets no gradient at all
  // (the zero weights above block it); the rows do come apart afterwards
  // (relative difference > 1e-3), so the symmetry is broken in principle;
  // after 1000 steps the net still trails Xavier init in training accuracy.
  REQUIRE(w1_after_one == 0.0);
  REQUIRE(spread > 1e-3);
  REQUIRE(x.accuracy(false) > t.accuracy(false));
}

// Smallest |cos| between two nonzero rows of W: 1 when every row points the
// same way (or the opposite way), lower once the units have come apart.
static double min_abs_cos(const Mat& W) {
  double m = 1;
  for (int i = 0; i < W.rows(); ++i)
    for (int j = i + 1; j < W.rows(); ++j) {
      const double ni = W.row(i).norm(), nj = W.row(j).norm();
      if (ni == 0 || nj == 0) continue;
      m = std::min(m, std::abs(W.row(i).dot(W.row(j))) / (ni * nj));
    }
  return m;
}

TEST_CASE("zero weights with random biases: the rows stay parallel for long, negative-bias ReLUs never move",
          "[claims][zero-init-random-bias]") {
  const Session s = load_preset("zero-init-random-bias");
  REQUIRE(s.spec.init.kind == InitKind::Zeros);
  REQUIRE(s.spec.init.random_bias);
  REQUIRE(s.spec.hidden.size() == 1);
  // The preset's tanh net: how the first layer's weight rows point over time.
  Trainer t = make_trainer(s.data, s.spec);
  run(t, 100);
  const double cos100 = min_abs_cos(net(t).layers[0].W);
  const double len_ratio100 = [&] {
    const Mat& W = net(t).layers[0].W;
    const Eigen::VectorXd n = W.rowwise().norm();
    return n.maxCoeff() / n.minCoeff();
  }();
  run(t, 1900);
  const double cos2000 = min_abs_cos(net(t).layers[0].W);
  // The same net with ReLU units: a unit whose bias starts negative sees
  // z = 0 . x + b < 0 for every input, so it outputs 0 and gets no gradient.
  ModelSpec relu = s.spec;
  relu.hidden[0].act = Activation::ReLU;
  Trainer r = make_trainer(s.data, relu);
  const Mat b0 = net(r).layers[0].b;
  run(r, 2000);
  const HiddenLayer& L = net(r).layers[0];
  int negative = 0, frozen = 0;
  for (int u = 0; u < L.W.rows(); ++u) {
    if (b0(0, u) >= 0) continue;
    ++negative;
    frozen += L.W.row(u).norm() == 0.0 && L.b(0, u) == b0(0, u);
  }
  const double dead = r.inspect()[0].dead_fraction;
  measure("zero-init-random-bias",
          "tanh: smallest |cos| between W1 rows after 100 steps " + num(cos100) + " (row lengths differ by x" +
              num(len_ratio100) + "), after 2000 steps " + num(cos2000) + "; ReLU: " + num(negative) + " of " +
              num(double(L.W.rows())) + " biases start negative, " + num(frozen) +
              " of them still have W row 0 and the same bias after 2000 steps; dead fraction " + num(dead));
  // Claims (the card's caveat): after 100 steps the rows differ in length
  // but not in direction (every pair has |cos| > 0.999); by 2000 steps they
  // point different ways (some pair below 0.9). With ReLU, every unit whose
  // bias starts negative is still exactly zero after 2000 steps, and such
  // units exist with this seed.
  REQUIRE(cos100 > 0.999);
  REQUIRE(len_ratio100 > 1.5);
  REQUIRE(cos2000 < 0.9);
  REQUIRE(negative > 0);
  REQUIRE(frozen == negative);
  REQUIRE(dead >= double(negative) / double(L.W.rows()));
}
