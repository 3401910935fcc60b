// Tests of the network and make_model: parameter names, gradient checks with
// every activation, batchnorm, dropout, no bias, every loss and penalty; the
// lecture's sanity checks (log C at small weights, zero init keeps units
// identical); learning XOR; determinism; the inspector's statistics.
//
// Gradient threshold, per entry not flagged as a kink: relative error < 1e-6,
// or an absolute error < 1e-9 for entries whose gradient is itself tiny.
// Why the second clause: with h = 1e-5 a one-ulp change of a loss of order 1
// reads as 1.1e-11 in the numeric gradient, so an entry of size 2.5e-6 (which
// occurs in sigmoid nets) shows a round-off relative error of ~1.4e-6 however
// right its backward is; 1e-9 is still far below any real backprop mistake.
// Observed on these nets: 1e-9..1e-7 (see gradcheck.h for why). ReLU / Leaky
// ReLU / maxout / hinge losses / L1 are exact up to round-off on their linear
// pieces; entries whose +-h evaluations straddle a kink are flagged by
// grad_check and left out. We also require that at least 3/4 of the checked
// entries are kink-free, so the bound is not vacuous.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>
#include <functional>

#include "core/train/gradcheck.h"
#include "core/models/linear.h"
#include "core/models/net.h"
#include "core/train/inspect.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

static ModelSpec net_spec(std::vector<HiddenLayerSpec> hidden) {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  spec.hidden = std::move(hidden);
  spec.init.kind = InitKind::Xavier;
  spec.init.random_bias = true;
  spec.loss.lambda = 0.01;
  return spec;
}

static HiddenLayerSpec layer(int width, Activation act, double alpha = 0.1) {
  HiddenLayerSpec h;
  h.width = width;
  h.act = act;
  h.alpha = alpha;
  return h;
}

static void gd_step(Model& m, const Mat& X, const Labels& y, Rng& rng, double lr) {
  m.forward_backward(X, y, rng);
  for (ParamRef& p : m.params()) *p.value -= lr * *p.grad;
}

// Checks a network's gradients; returns the result for extra assertions.
static GradCheckResult check_net(const ModelSpec& spec, uint64_t seed, bool include_reg = true) {
  Rng rng(seed);
  Net net(spec, 2, 3, rng);
  const Mat X = random_mat(8, 2, rng);
  const Labels y = random_labels(8, 3, rng);
  const GradCheckResult r = grad_check(net, X, y, 1e-5, include_reg, 30, seed);
  int smooth = 0, bad = 0;
  for (const GradCheckEntry& e : r.entries) {
    if (e.kink) continue;
    ++smooth;
    if (e.rel_error >= 1e-6 && std::abs(e.analytic - e.numeric) >= 1e-9) {
      ++bad;
      UNSCOPED_INFO(e.param << "[" << e.index << "] analytic " << e.analytic << " numeric "
                            << e.numeric << " rel " << e.rel_error);
    }
  }
  CHECK(bad == 0);
  CHECK(smooth >= int(r.entries.size()) * 3 / 4);
  return r;
}

TEST_CASE("network parameters are named W1, b1, gamma1, beta1, ..., W<L>, b<L>", "[net]") {
  ModelSpec spec = net_spec({layer(4, Activation::ReLU), layer(3, Activation::Tanh)});
  spec.hidden[0].batchnorm = true;
  Rng rng(1);
  Net net(spec, 2, 5, rng);
  std::vector<std::string> names;
  for (const ParamRef& p : net.params()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"W1", "b1", "gamma1", "beta1", "W2", "b2", "W3", "b3"});
  for (const ParamRef& p : net.params()) CHECK(p.regularized == (p.name[0] == 'W'));
  CHECK(net.layers[0].W.rows() == 4);
  CHECK(net.layers[0].W.cols() == 2);
  CHECK(net.W_out.rows() == 5);
  CHECK(net.W_out.cols() == 3);
  CHECK(net.scores(random_mat(6, 2, rng)).cols() == 5);

  spec.use_bias = false;
  Net no_bias(spec, 2, 5, rng);
  names.clear();
  for (const ParamRef& p : no_bias.params()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"W1", "gamma1", "beta1", "W2", "W3"});
}

TEST_CASE("network gradients pass the check with every activation", "[net]") {
  for (Activation act : {Activation::ReLU, Activation::LeakyReLU, Activation::ELU, Activation::Tanh,
                         Activation::Sigmoid, Activation::Maxout, Activation::Linear}) {
    INFO("activation " << int(act));
    check_net(net_spec({layer(5, act), layer(4, act)}), 11);
  }
  INFO("ELU with alpha = 1 (smooth) and maxout with 3 pieces");
  check_net(net_spec({layer(5, Activation::ELU, 1.0)}), 12);
  HiddenLayerSpec mo = layer(4, Activation::Maxout);
  mo.maxout_k = 3;
  check_net(net_spec({mo}), 13);
}

TEST_CASE("network gradients pass the check with batchnorm in training mode", "[net]") {
  for (Activation act : {Activation::ReLU, Activation::Tanh, Activation::Sigmoid, Activation::Maxout}) {
    ModelSpec spec = net_spec({layer(5, act), layer(4, act)});
    for (auto& h : spec.hidden) h.batchnorm = true;
    INFO("activation " << int(act));
    check_net(spec, 21);
    spec.use_bias = false;
    check_net(spec, 22);
  }
}

TEST_CASE("network gradients pass the check with dropout (fixed masks)", "[net]") {
  ModelSpec spec = net_spec({layer(6, Activation::ReLU), layer(5, Activation::Tanh)});
  for (auto& h : spec.hidden) h.dropout_keep = 0.7;
  check_net(spec, 31);
  spec.hidden[0].batchnorm = true;
  check_net(spec, 32);
}

TEST_CASE("network gradients pass the check without a bias", "[net]") {
  ModelSpec spec = net_spec({layer(5, Activation::Tanh), layer(5, Activation::ReLU)});
  spec.use_bias = false;
  check_net(spec, 41);
}

TEST_CASE("network gradients pass the check for every loss and penalty", "[net]") {
  for (LossKind loss : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax})
    for (RegKind reg : {RegKind::None, RegKind::L2, RegKind::L1, RegKind::ElasticNet}) {
      ModelSpec spec = net_spec({layer(5, Activation::Tanh), layer(4, Activation::ReLU)});
      spec.loss.kind = loss;
      spec.loss.reg = reg;
      spec.loss.lambda = 0.05;
      INFO("loss " << int(loss) << " reg " << int(reg));
      check_net(spec, 51);
      check_net(spec, 52, false);  // data loss alone
    }
}

TEST_CASE("a network with small random weights starts at a softmax loss of about log(C)",
          "[net]") {
  for (int C : {2, 4, 8}) {
    ModelSpec spec = net_spec({layer(16, Activation::ReLU), layer(16, Activation::ReLU)});
    spec.init.kind = InitKind::SmallRandom;
    spec.init.random_bias = false;
    spec.loss.lambda = 0;
    Rng rng(60 + C);
    Net net(spec, 2, C, rng);
    const Mat X = random_mat(100, 2, rng);
    const Labels y = random_labels(100, C, rng);
    INFO("C = " << C);
    CHECK(net.loss(X, y).data_loss == Approx(std::log(double(C))).epsilon(0.05));
  }
}

TEST_CASE("zero or constant init leaves every hidden unit identical after training steps",
          "[net]") {
  for (InitKind kind : {InitKind::Zeros, InitKind::Constant}) {
    ModelSpec spec = net_spec({layer(4, Activation::ReLU), layer(3, Activation::Tanh)});
    spec.init.kind = kind;
    spec.init.constant = 0.3;
    spec.init.random_bias = false;
    spec.init.bias = 0.1;
    Rng rng(70);
    Net net(spec, 2, 3, rng);
    const Mat X = random_mat(20, 2, rng);
    const Labels y = random_labels(20, 3, rng);
    const Mat W1_before = net.layers[0].W;
    for (int step = 0; step < 5; ++step) gd_step(net, X, y, rng, 0.5);
    INFO("init " << int(kind));
    if (kind == InitKind::Constant) CHECK(net.layers[0].W != W1_before);  // it did learn
    for (int l = 0; l < 2; ++l) {
      const Mat& W = net.layers[l].W;
      for (Eigen::Index r = 1; r < W.rows(); ++r) CHECK(W.row(r) == W.row(0));
    }
  }
}

TEST_CASE("a two-hidden-layer ReLU net learns XOR with gradient descent", "[net]") {
  // 200 points uniform in [-1, 1]^2, class = sign(x1) xor sign(x2).
  Rng data_rng(80);
  Mat X(200, 2);
  Labels y(200);
  for (int i = 0; i < 200; ++i) {
    X(i, 0) = data_rng.uniform(-1, 1);
    X(i, 1) = data_rng.uniform(-1, 1);
    y[i] = (X(i, 0) > 0) != (X(i, 1) > 0);
  }
  ModelSpec spec = net_spec({layer(16, Activation::ReLU), layer(16, Activation::ReLU)});
  spec.init.kind = InitKind::He;
  spec.loss.lambda = 1e-4;
  Rng rng(81);
  Net net(spec, 2, 2, rng);
  const double before = net.loss(X, y).total();
  for (int step = 0; step < 2000; ++step) gd_step(net, X, y, rng, 0.2);
  CHECK(net.loss(X, y).total() < 0.5 * before);
  CHECK(accuracy(net, X, y) >= 0.95);
}

TEST_CASE("the same seed gives the same parameters bit for bit", "[net]") {
  ModelSpec spec = net_spec({layer(8, Activation::ReLU), layer(6, Activation::Maxout)});
  spec.hidden[0].dropout_keep = 0.8;
  spec.hidden[1].batchnorm = true;
  auto run = [&] {
    Rng rng(90);
    Net net(spec, 2, 3, rng);
    Rng data_rng(91);
    const Mat X = random_mat(16, 2, data_rng);
    const Labels y = random_labels(16, 3, data_rng);
    for (int step = 0; step < 20; ++step) gd_step(net, X, y, rng, 0.1);
    std::vector<Mat> values;
    for (const ParamRef& p : net.params()) values.push_back(*p.value);
    values.push_back(net.layers[1].running_mean);
    return values;
  };
  const auto a = run(), b = run();
  REQUIRE(a.size() == b.size());
  for (size_t k = 0; k < a.size(); ++k) CHECK(a[k] == b[k]);  // exact equality
}

TEST_CASE("batchnorm running statistics travel with clone() and a batch of one is safe",
          "[net]") {
  ModelSpec spec = net_spec({layer(6, Activation::ReLU)});
  spec.hidden[0].batchnorm = true;
  Rng rng(100);
  Net net(spec, 2, 3, rng);
  const Mat X = random_mat(30, 2, rng, 3.0);
  const Labels y = random_labels(30, 3, rng);
  for (int step = 0; step < 10; ++step) gd_step(net, X, y, rng, 0.1);
  REQUIRE_FALSE(net.layers[0].running_mean.isZero());
  const std::unique_ptr<Model> copy = net.clone();
  CHECK(copy->scores(X) == net.scores(X));
  // Training the copy does not touch the original's running averages.
  const Mat rm = net.layers[0].running_mean;
  gd_step(*copy, X, y, rng, 0.1);
  CHECK(net.layers[0].running_mean == rm);

  const LossParts one = net.forward_backward(X.topRows(1), {y[0]}, rng);
  CHECK(std::isfinite(one.total()));
  for (const ParamRef& p : net.params()) CHECK(p.grad->allFinite());
  CHECK(net.scores(X.topRows(1)).allFinite());
}

TEST_CASE("test mode is deterministic: no dropout in scores", "[net]") {
  ModelSpec spec = net_spec({layer(8, Activation::ReLU)});
  spec.hidden[0].dropout_keep = 0.5;
  Rng rng(110);
  Net net(spec, 2, 3, rng);
  const Mat X = random_mat(10, 2, rng);
  CHECK(net.scores(X) == net.scores(X));
  // Dropout changes the training-mode loss from one mask to the next.
  const Labels y = random_labels(10, 3, rng);
  const double a = net.forward_backward(X, y, rng).data_loss;
  const double b = net.forward_backward(X, y, rng).data_loss;
  CHECK(a != b);
}

TEST_CASE("inspect reports dead ReLU units, saturation and histograms", "[net]") {
  Rng rng(120);
  const Mat X = random_mat(50, 2, rng);

  ModelSpec spec = net_spec({layer(4, Activation::ReLU)});
  Net relu(spec, 2, 3, rng);
  relu.layers[0].W.setConstant(0.1);
  relu.layers[0].b << 10, -10, 10, 10;  // unit 2 is never active
  auto stats = inspect_layers(relu, X);
  REQUIRE(stats.size() == 1);
  CHECK(stats[0].units == 4);
  CHECK(stats[0].dead_fraction == 0.25);
  REQUIRE(stats[0].histogram.size() == 30);
  int total = 0;
  for (int c : stats[0].histogram) total += c;
  CHECK(total == 50 * 4);
  CHECK(stats[0].act_mean > 0);

  Net tanh_net(net_spec({layer(5, Activation::Tanh), layer(5, Activation::Sigmoid)}), 2, 3, rng);
  CHECK(inspect_layers(tanh_net, X)[0].saturated_fraction < 0.5);
  tanh_net.layers[0].W *= 1000.0;
  tanh_net.layers[1].W *= 1000.0;
  stats = inspect_layers(tanh_net, X);
  CHECK(stats[0].saturated_fraction > 0.9);
  CHECK(stats[1].saturated_fraction > 0.9);
  CHECK(stats[0].hist_lo == -1);
  CHECK(stats[1].hist_lo == 0);
  CHECK(stats[0].dead_fraction == 0);

  LinearClassifier lin(2, 3, LossSpec{}, true, InitSpec{}, rng);
  CHECK(inspect_layers(lin, X).empty());
}

TEST_CASE("hidden_activations gives one (N x width) matrix per layer", "[net]") {
  HiddenLayerSpec mo = layer(3, Activation::Maxout);
  mo.maxout_k = 4;
  Rng rng(130);
  Net net(net_spec({layer(7, Activation::ReLU), mo}), 2, 2, rng);
  const Mat X = random_mat(11, 2, rng);
  const auto acts = net.hidden_activations(X);
  REQUIRE(acts.size() == 2);
  CHECK(acts[0].post.rows() == 11);
  CHECK(acts[0].post.cols() == 7);
  CHECK(acts[1].post.cols() == 3);
  CHECK(acts[1].pre.cols() == 12);  // maxout: the k pieces of every unit
  CHECK(acts[0].post.minCoeff() >= 0);
  CHECK(net.layers[1].W.rows() == 12);  // width * k affine outputs
}

TEST_CASE("deep and wide networks build and train; oversized ones are refused", "[net]") {
  Rng rng(140);
  std::vector<HiddenLayerSpec> deep(8, layer(128, Activation::ReLU));
  ModelSpec spec = net_spec(deep);
  spec.init.kind = InitKind::He;
  Net net(spec, 2, 8, rng);
  const Mat X = random_mat(32, 2, rng);
  const Labels y = random_labels(32, 8, rng);
  CHECK(std::isfinite(net.forward_backward(X, y, rng).total()));
  CHECK(net.params().size() == 18);

  Net widest(net_spec({layer(512, Activation::Tanh)}), 2, 2, rng);
  Net deepest(net_spec(std::vector<HiddenLayerSpec>(16, layer(8, Activation::ReLU))), 2, 2, rng);
  CHECK(deepest.params().back().name == "b17");

  CHECK_THROWS_AS(Net(net_spec({layer(513, Activation::ReLU)}), 2, 2, rng), std::runtime_error);
  CHECK_THROWS_AS(Net(net_spec(std::vector<HiddenLayerSpec>(17, layer(4, Activation::ReLU))), 2, 2, rng),
                  std::runtime_error);
  HiddenLayerSpec bad = layer(4, Activation::ReLU);
  bad.dropout_keep = 0;
  CHECK_THROWS_AS(Net(net_spec({bad}), 2, 2, rng), std::runtime_error);
  CHECK_THROWS_AS(net.scores(Mat::Zero(3, 5)), std::runtime_error);
}

TEST_CASE("make_model builds linear classifiers and networks and refuses kNN", "[net]") {
  Rng rng(150);
  ModelSpec spec;
  spec.kind = ModelKind::Linear;  // hidden layers are ignored
  auto lin = make_model(spec, 2, 3, rng);
  REQUIRE(dynamic_cast<LinearClassifier*>(lin.get()) != nullptr);
  CHECK(lin->params().size() == 2);
  CHECK(lin->num_classes() == 3);

  spec.kind = ModelKind::Net;
  auto net = make_model(spec, 5, 4, rng);
  REQUIRE(dynamic_cast<Net*>(net.get()) != nullptr);
  CHECK(net->input_dim() == 5);
  CHECK(net->num_classes() == 4);

  spec.kind = ModelKind::KNN;
  CHECK_THROWS_WITH(make_model(spec, 2, 3, rng), "kNN has no trainable parameters");
  spec.kind = ModelKind::Net;
  CHECK_THROWS_AS(make_model(spec, 0, 3, rng), std::runtime_error);
  CHECK_THROWS_AS(make_model(spec, 2, 1, rng), std::runtime_error);
  CHECK_THROWS_AS(make_model(spec, 2, kMaxClasses + 1, rng), std::runtime_error);
  CHECK_NOTHROW(make_model(spec, 2, kMaxClasses, rng));
}

// ---- ConvNets ---------------------------------------------------------------------------
// Thresholds of the whole-network gradient checks below: the same as
// check_net (relative error < 1e-6 or absolute < 1e-9 per kink-free entry, at
// least 3/4 of the entries kink-free). A ConvNet adds two kinds of kinks,
// both reported by kink_pattern and so left out when crossed: the ReLU signs
// of every conv output and the max-pool winners. Away from them a conv net is
// a composition of linear maps and smooth functions, so nothing else changes.

using HL = HiddenLayerSpec;

static ModelSpec image_spec(InputShape in, std::vector<HiddenLayerSpec> hidden) {
  ModelSpec spec = net_spec(std::move(hidden));
  spec.input = in;
  return spec;
}

// conv -> pool -> conv -> pool -> fc on 8 wide, 6 high, 2-channel images.
static ModelSpec small_convnet() {
  return image_spec({8, 6, 2}, {HL::conv(3, 3, 1, 1), HL::pool(2, 2), HL::conv(4, 3, 1, 1, Activation::Tanh),
                                HL::pool(2, 1), HL::fc(5)});
}

static GradCheckResult check_image_net(const ModelSpec& spec, uint64_t seed, int classes = 3) {
  Rng rng(seed);
  Net net(spec, spec.input.size(), classes, rng);
  const Mat X = random_mat(4, spec.input.size(), rng);
  const Labels y = random_labels(4, classes, rng);
  const GradCheckResult r = grad_check(net, X, y, 1e-5, true, 30, seed);
  int smooth = 0, bad = 0;
  for (const GradCheckEntry& e : r.entries) {
    if (e.kink) continue;
    ++smooth;
    if (e.rel_error >= 1e-6 && std::abs(e.analytic - e.numeric) >= 1e-9) {
      ++bad;
      UNSCOPED_INFO(e.param << "[" << e.index << "] analytic " << e.analytic << " numeric " << e.numeric
                            << " rel " << e.rel_error);
    }
  }
  CHECK(bad == 0);
  CHECK(smooth >= int(r.entries.size()) * 3 / 4);
  return r;
}

TEST_CASE("a ConvNet's parameters are named by layer position and shaped (K, C*F*F)", "[net][conv]") {
  Rng rng(200);
  Net net(small_convnet(), 96, 3, rng);
  std::vector<std::string> names;
  for (const ParamRef& p : net.params()) names.push_back(p.name);
  // The pools (layers 2 and 4) have no parameters; fc 5 is W5, the output W6.
  CHECK(names == std::vector<std::string>{"W1", "b1", "W3", "b3", "W5", "b5", "W6", "b6"});
  CHECK(net.layers[0].W.rows() == 3);
  CHECK(net.layers[0].W.cols() == 2 * 3 * 3);
  CHECK(net.layers[2].W.cols() == 3 * 3 * 3);  // the pooled volume has depth 3
  // Volumes: 8x6x2 -> conv 8x6x3 -> pool 4x3x3 -> conv 4x3x4 -> pool (F 2, S 1) 3x2x4 -> fc 5.
  CHECK(net.layers[1].geom.out() == Volume{4, 3, 3});
  CHECK(net.layers[3].geom.out() == Volume{3, 2, 4});
  CHECK(net.layers[4].W.cols() == 3 * 2 * 4);  // the flattened volume
  CHECK(net.input_volume == Volume{8, 6, 2});
  CHECK(net.scores(random_mat(5, 96, rng)).cols() == 3);
}

TEST_CASE("He init of a conv layer uses fan_in = C*F*F", "[net][conv]") {
  ModelSpec spec = image_spec({16, 16, 3}, {HL::conv(64, 5, 1, 2)});
  spec.init.kind = InitKind::He;
  Rng rng(201);
  Net net(spec, 16 * 16 * 3, 2, rng);
  const Mat& W = net.layers[0].W;  // 64 x 75 draws of N(0, 2/75)
  const double var = W.array().square().mean();
  CHECK(var == Approx(2.0 / 75.0).epsilon(0.1));  // 4800 draws: the sample variance is within ~4%
}

TEST_CASE("ConvNet gradients pass the check: conv, pool, conv, pool, fc", "[net][conv]") {
  const GradCheckResult r = check_image_net(small_convnet(), 210);
  CHECK(r.max_per_param.size() == 8);
  INFO("stride 2 and padding 2 on a 7 x 5 x 3 input, no bias, SVM loss");
  ModelSpec strided = image_spec({7, 5, 3}, {HL::conv(2, 3, 2, 2), HL::pool(2, 1), HL::fc(4, Activation::Tanh)});
  strided.use_bias = false;
  strided.loss.kind = LossKind::SVM;
  check_image_net(strided, 211);
  INFO("a conv straight into the output layer, Leaky ReLU, L1 penalty");
  ModelSpec direct = image_spec({5, 5, 1}, {HL::conv(3, 2, 1, 0, Activation::LeakyReLU)});
  direct.hidden[0].alpha = 0.1;
  direct.loss.reg = RegKind::L1;
  check_image_net(direct, 212);
}

TEST_CASE("ConvNet gradients pass the check with spatial batchnorm and dropout", "[net][conv]") {
  ModelSpec spec = small_convnet();
  spec.hidden[0].batchnorm = true;
  spec.hidden[2].batchnorm = true;
  spec.hidden[0].dropout_keep = 0.8;
  spec.hidden[4].dropout_keep = 0.7;
  spec.hidden[4].batchnorm = true;
  const GradCheckResult r = check_image_net(spec, 220);
  std::vector<std::string> names;
  for (const auto& [name, err] : r.max_per_param) names.push_back(name);
  CHECK(names == std::vector<std::string>{"W1", "b1", "gamma1", "beta1", "W3", "b3", "gamma3", "beta3", "W5",
                                          "b5", "gamma5", "beta5", "W6", "b6"});
  Rng rng(221);
  Net net(spec, 96, 3, rng);
  CHECK(net.layers[0].gamma.cols() == 3);  // one per channel, not per position
  std::vector<std::string> buffers;
  for (const ParamRef& p : net.buffers()) buffers.push_back(p.name);
  CHECK(buffers == std::vector<std::string>{"running_mean1", "running_var1", "running_mean3", "running_var3",
                                            "running_mean5", "running_var5"});
}

TEST_CASE("max-pool winners and conv ReLU signs are kinks of a ConvNet", "[net][conv]") {
  // A 1x1 conv with W = 1, b = 0 and a linear activation passes the image
  // through; a 2x2 pool then picks the larger pixel of each window.
  ModelSpec spec = image_spec({2, 2, 1}, {HL::conv(1, 1, 1, 0, Activation::Linear), HL::pool(2, 2)});
  Rng rng(230);
  Net net(spec, 4, 2, rng);
  net.layers[0].W.setOnes();
  net.layers[0].b.setZero();
  Mat X(1, 4);
  X << 0.1, 0.5, 0.2, 0.3;
  net.forward_backward(X, {0}, rng);
  const std::vector<int32_t> a = net.kink_pattern();
  X(0, 2) = 0.9;  // another pixel wins the window
  net.forward_backward(X, {0}, rng);
  CHECK(net.kink_pattern() != a);
  X(0, 2) = 0.2;
  X(0, 3) = 0.4;  // the same winner, other values: the same pattern
  net.forward_backward(X, {0}, rng);
  CHECK(net.kink_pattern() == a);
}

TEST_CASE("hidden_activations gives conv and pool volumes; inspect counts dead filters", "[net][conv]") {
  Rng rng(240);
  Net net(small_convnet(), 96, 3, rng);
  const Mat X = random_mat(7, 96, rng);
  const auto acts = net.hidden_activations(X);
  REQUIRE(acts.size() == 5);
  CHECK(acts[0].name == "conv 1");
  CHECK(acts[1].name == "pool 2");
  CHECK(acts[4].name == "hidden 5");
  CHECK(acts[0].type == LayerType::Conv);
  CHECK(acts[0].volume == Volume{8, 6, 3});
  CHECK(acts[0].post.rows() == 7);
  CHECK(acts[0].post.cols() == 8 * 6 * 3);
  CHECK(acts[0].post.minCoeff() >= 0);  // ReLU
  CHECK(acts[1].volume == Volume{4, 3, 3});
  CHECK(acts[1].post.cols() == 36);
  CHECK(acts[4].volume == Volume{});

  // Filter 2 of the first conv layer never fires: a bias of -100 keeps its
  // input below 0 at every position of every image; the others do fire.
  net.layers[0].b(0, 1) = -100;
  const std::vector<LayerStats> stats = inspect_layers(net, X);
  REQUIRE(stats.size() == 5);
  CHECK(stats[0].units == 3);
  CHECK(stats[0].dead_fraction == Approx(1.0 / 3.0));
  int total = 0;
  for (int c : stats[0].histogram) total += c;
  CHECK(total == 7 * 8 * 6 * 3);  // every value of every map
  CHECK(stats[1].units == 3);
  CHECK(stats[1].dead_fraction == 0);  // a pool layer has no activation to die
  CHECK(stats[2].units == 4);
  CHECK(stats[2].saturated_fraction < 0.5);  // tanh, small weights
  // A filter that is negative at only some positions is alive.
  net.layers[0].b(0, 1) = 0;
  CHECK(inspect_layers(net, X)[0].dead_fraction == 0);
}

TEST_CASE("ConvNets refuse folding, and bad ConvNet specs are refused with the layer named", "[net][conv]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  Rng rng(250);
  Net net(small_convnet(), 96, 3, rng);
  CHECK_THROWS_WITH(net.folded_layers(), Contains("only fully connected networks can be folded"));

  auto error = [&](const ModelSpec& spec, int input_dim) -> std::string {
    try {
      Net n(spec, input_dim, 3, rng);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "(built without error)";
  };
  // Filters that do not tile the input: the calculator's sentence, never a crop.
  CHECK_THAT(error(image_spec({7, 7, 1}, {HL::conv(2, 3, 3, 0)}), 49),
             StartsWith("Hidden layer 1 (conv): output width (7 - 3 + 2*0)/3 + 1 = 2.33 is not an integer"));
  CHECK_THAT(error(image_spec({8, 8, 1}, {HL::conv(2, 3, 1, 1), HL::pool(3, 2)}), 64),
             StartsWith("Hidden layer 2 (max pool): output width (8 - 3 + 2*0)/2 + 1 = 3.50"));
  CHECK_THAT(error(image_spec({8, 8, 1}, {HL::fc(4), HL::conv(2, 3)}), 64),
             StartsWith("Hidden layer 2 (conv): conv and pool layers must come before the fully connected ones"));
  CHECK_THAT(error(net_spec({HL::conv(2, 1)}), 2), StartsWith("Hidden layer 1 (conv): a conv layer needs an image input"));
  CHECK_THAT(error(image_spec({4, 4, 1}, {HL::conv(2, 3, 1, 1, Activation::Maxout)}), 16),
             Contains("maxout is for fully connected layers"));
  ModelSpec pool_bn = image_spec({4, 4, 1}, {HL::pool(2, 2)});
  pool_bn.hidden[0].batchnorm = true;
  CHECK_THAT(error(pool_bn, 16), StartsWith("Hidden layer 1 (max pool): a max pool layer takes no batchnorm"));
  pool_bn.hidden[0].batchnorm = false;
  pool_bn.hidden[0].dropout_keep = 0.5;
  CHECK_THAT(error(pool_bn, 16), Contains("takes no dropout"));
  CHECK_THAT(error(image_spec({4, 4, 1}, {HL::conv(kMaxFilters + 1, 3)}), 16),
             Contains("the number of filters K must be between 1 and 256 (got 257)"));
  CHECK_THAT(error(image_spec({4, 4, 1}, {HL::conv(2, 3, 1, kMaxPad + 1)}), 16), Contains("the padding P"));
  CHECK_THAT(error(image_spec({8, 8, 0}, {}), 64), StartsWith("The network: the image input needs"));
  CHECK_THAT(error(image_spec({8, 8, 1}, {HL::conv(2, 3)}), 2),
             StartsWith("The network expects 8x8x1 images (64 values per row) but the data has 2 features"));
  // Volume and weight limits: 256x256 with 8 filters is 524288 values per image.
  CHECK_THAT(error(image_spec({256, 256, 1}, {HL::conv(8, 3, 1, 1)}), 65536),
             Contains("at most 262144 values per image (got 524288)"));
  CHECK_THAT(error(image_spec({64, 64, 3}, {HL::conv(16, 3, 1, 1), HL::fc(512)}), 64 * 64 * 3),
             Contains("at most 8388608 weights (got 33554432)"));
  // Linear classifiers ignore hidden layers, conv ones included.
  ModelSpec lin = image_spec({4, 4, 1}, {HL::conv(2, 3, 1, 1)});
  lin.kind = ModelKind::Linear;
  CHECK_NOTHROW(make_model(lin, 16, 3, rng));
}

TEST_CASE("a ConvNet with dropout is deterministic given the seed", "[net][conv]") {
  ModelSpec spec = small_convnet();
  spec.hidden[0].dropout_keep = 0.6;
  spec.hidden[2].batchnorm = true;
  auto run = [&] {
    Rng rng(260);
    Net net(spec, 96, 3, rng);
    Rng data_rng(261);
    const Mat X = random_mat(6, 96, data_rng);
    const Labels y = random_labels(6, 3, data_rng);
    for (int step = 0; step < 5; ++step) gd_step(net, X, y, rng, 0.1);
    std::vector<Mat> values;
    for (const ParamRef& p : net.params()) values.push_back(*p.value);
    values.push_back(net.layers[2].running_var);
    return values;
  };
  const auto a = run(), b = run();
  REQUIRE(a.size() == b.size());
  for (size_t k = 0; k < a.size(); ++k) CHECK(a[k] == b[k]);
}

TEST_CASE("has_conv_layers and same_architecture read a spec's layers", "[net][conv]") {
  const ModelSpec conv = small_convnet();
  CHECK(has_conv_layers(conv));
  CHECK_FALSE(has_conv_layers(net_spec({layer(4, Activation::ReLU)})));
  CHECK(has_conv_layers(image_spec({4, 4, 1}, {HL::pool(2, 2)})));

  // Hyperparameters that change no shape keep the architecture...
  ModelSpec b = conv;
  b.hidden[0].dropout_keep = 0.5;
  b.hidden[0].alpha = 0.3;
  b.optim.lr = 0.5;
  b.loss.lambda = 0.1;
  CHECK(same_architecture(conv, b));
  // ...and so do fields a layer's type does not read.
  b.hidden[1].filters = 99;
  b.hidden[1].act = Activation::Tanh;
  b.hidden[0].width = 3;
  CHECK(same_architecture(conv, b));
  // Anything that changes a parameter's shape or a layer's output does not.
  auto differs = [&](const std::function<void(ModelSpec&)>& edit) {
    ModelSpec c = conv;
    edit(c);
    return !same_architecture(conv, c);
  };
  CHECK(differs([](ModelSpec& s) { s.hidden[0].filters = 5; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[0].size = 5; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[0].stride = 2; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[0].pad = 0; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[0].batchnorm = true; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[0].act = Activation::Tanh; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[1].size = 3; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[1].stride = 1; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[1].type = LayerType::FC; }));
  CHECK(differs([](ModelSpec& s) { s.hidden[4].width = 6; }));
  CHECK(differs([](ModelSpec& s) { s.input.width = 10; }));
  CHECK(differs([](ModelSpec& s) { s.hidden.pop_back(); }));
  CHECK(differs([](ModelSpec& s) { s.use_bias = false; }));
}

TEST_CASE("activation_maps: each conv layer's output before and after its activation, and each pool's", "[net][conv]") {
  Rng rng(77);
  Net net(small_convnet(), 96, 3, rng);
  const Mat x = random_mat(1, 96, rng);
  const std::vector<ActivationMaps> maps = activation_maps(net, x);
  REQUIRE(maps.size() == 6);  // conv, relu, pool, conv, tanh, pool; the fc layer has no maps
  const char* names[] = {"conv 1", "relu 1", "pool 2", "conv 3", "tanh 3", "pool 4"};
  for (int i = 0; i < 6; ++i) CHECK(maps[size_t(i)].name == names[i]);
  CHECK((maps[0].channels == 3 && maps[0].height == 6 && maps[0].width == 8));
  CHECK((maps[2].channels == 3 && maps[2].height == 3 && maps[2].width == 4));
  CHECK(maps[3].channels == 4);
  // conv 1 by hand: 3x3 filters, pad 1, stride 1, over the 2 input channels
  // (input and maps channel-major; a filter's row of W is (channel, y, x)).
  const Mat& W = net.layers[0].W;
  const Mat& b = net.layers[0].b;
  auto in = [&](int d, int y, int xx) { return (y < 0 || y >= 6 || xx < 0 || xx >= 8) ? 0.0 : x(0, (d * 6 + y) * 8 + xx); };
  double worst = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 6; ++y)
      for (int xx = 0; xx < 8; ++xx) {
        double v = b(0, c);
        for (int d = 0; d < 2; ++d)
          for (int fy = 0; fy < 3; ++fy)
            for (int fx = 0; fx < 3; ++fx) v += W(c, (d * 3 + fy) * 3 + fx) * in(d, y + fy - 1, xx + fx - 1);
        const size_t at = size_t((c * 6 + y) * 8 + xx);
        worst = std::max(worst, std::abs(maps[0].values[at] - v));
        CHECK(maps[1].values[at] == std::max(0.0, maps[0].values[at]));  // relu
      }
  CHECK(worst < 1e-12);
  // pool 2 (2x2, stride 2) of the relu maps.
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 3; ++y)
      for (int xx = 0; xx < 4; ++xx) {
        double mx = -1e300;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) mx = std::max(mx, maps[1].values[size_t((c * 6 + 2 * y + dy) * 8 + 2 * xx + dx)]);
        CHECK(maps[2].values[size_t((c * 3 + y) * 4 + xx)] == mx);
      }
  for (const ActivationMaps& m : maps) {
    CHECK(m.lo == *std::min_element(m.values.begin(), m.values.end()));
    CHECK(m.hi == *std::max_element(m.values.begin(), m.values.end()));
  }
  CHECK_THROWS_WITH(activation_maps(net, random_mat(2, 96, rng)), Catch::Contains("one image"));
}
