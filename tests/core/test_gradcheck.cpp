// Tests of the gradient check itself: it catches a wrong gradient, flags
// kinks (a ReLU input and a hinge margin placed exactly on 0), leaves the
// model exactly as it was, honours include_reg, picks entries
// deterministically, and reproduces itself with dropout.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/train/gradcheck.h"
#include "core/models/linear.h"
#include "core/models/net.h"
#include "core/rng.h"

using namespace nn;

// f(w) = 0.5 * sum(w^2) (so df/dw = w), reporting a gradient scaled by `factor`.
class ScaledGradientModel : public Model {
 public:
  explicit ScaledGradientModel(double factor) : factor_(factor) {
    w = (Mat(1, 3) << 1.0, -2.0, 0.5).finished();
    dw = Mat::Zero(1, 3);
  }
  ModelKind kind() const override { return ModelKind::Linear; }
  int input_dim() const override { return 1; }
  int num_classes() const override { return 2; }
  std::vector<ParamRef> params() override { return {{"w", &w, &dw, false}}; }
  LossParts forward_backward(const Mat&, const Labels&, Rng&) override {
    dw = factor_ * w;
    return {0.5 * w.squaredNorm(), 0.0};
  }
  Mat scores(const Mat& X) const override { return Mat::Zero(X.rows(), 2); }
  LossParts loss(const Mat&, const Labels&) const override { return {0.5 * w.squaredNorm(), 0.0}; }
  double reg_loss() const override { return 0; }
  void set_hyperparameters(const ModelSpec&) override {}
  const LossSpec& loss_spec() const override { return loss_; }
  void set_loss_spec(const LossSpec& l) override { loss_ = l; }
  std::vector<int32_t> kink_pattern() const override { return {}; }
  std::vector<FoldedLayer> folded_layers() const override { return {}; }
  std::unique_ptr<Model> clone() const override { return std::make_unique<ScaledGradientModel>(*this); }
  Mat w, dw;

 private:
  double factor_;
  LossSpec loss_;
};

static std::vector<Mat> values_of(Model& m) {
  std::vector<Mat> v;
  for (const ParamRef& p : m.params()) v.push_back(*p.value);
  return v;
}

TEST_CASE("relative error follows the documented formula and guard", "[gradcheck]") {
  CHECK(grad_rel_error(0.0, 0.0, 0.0) == 0.0);
  CHECK(grad_rel_error(1.0, 1.1, 1e-10) == Approx(0.1 / 1.1));
  CHECK(grad_rel_error(-2.0, 2.0, 1e-10) == Approx(2.0));
  // Both below the numeric gradient's resolution: equal.
  CHECK(grad_rel_error(1e-17, 1.1e-11, 2.2e-10) == 0.0);
  // Just above it, the plain formula again.
  CHECK(grad_rel_error(1e-9, 2e-9, 2.2e-10) == Approx(0.5));
}

TEST_CASE("numeric_gradient restores x exactly", "[gradcheck]") {
  Mat x = (Mat(1, 3) << 0.1, 0.2, 0.3).finished();
  const Mat before = x;
  const Mat g = numeric_gradient([&] { return x.array().sin().sum(); }, x);
  CHECK(x == before);
  CHECK(g(0, 2) == Approx(std::cos(0.3)).epsilon(1e-8));
}

TEST_CASE("the gradient check catches a wrong gradient and passes a right one", "[gradcheck]") {
  ScaledGradientModel right(1.0), wrong(0.5);
  const Mat X = Mat::Zero(1, 1);
  const Labels y = {0};
  const GradCheckResult ok = grad_check(right, X, y);
  CHECK(ok.max_rel_error < 1e-8);
  const GradCheckResult bad = grad_check(wrong, X, y);
  CHECK(bad.max_rel_error == Approx(0.5).epsilon(1e-6));
  REQUIRE(bad.worst.size() == 1);
  CHECK(bad.worst[0].param == "w");
  REQUIRE(bad.max_per_param.size() == 1);
  CHECK(bad.max_per_param[0].second == Approx(0.5).epsilon(1e-6));
  CHECK_FALSE(bad.kink_crossed);  // no pattern for an unknown model
  // include_reg = false on a model without regularisation changes nothing.
  CHECK(grad_check(right, X, y, 1e-5, false).max_rel_error == ok.max_rel_error);
}

TEST_CASE("a ReLU input exactly at 0 is reported as a kink", "[gradcheck]") {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  HiddenLayerSpec h;
  h.width = 2;
  h.act = Activation::ReLU;
  spec.hidden = {h};
  spec.loss.lambda = 0;
  Rng rng(1);
  Net net(spec, 2, 2, rng);
  // Unit 0: pre-activation 2*1 + (-1)*2 + 0 = 0 exactly on the one point.
  net.layers[0].W << 2, -1, 0.5, 0.5;
  net.layers[0].b << 0, 0.1;
  const Mat X = (Mat(1, 2) << 1, 2).finished();
  const Labels y = {1};
  const GradCheckResult r = grad_check(net, X, y);
  CHECK(r.kink_crossed);
  bool w1_kink = false;
  int not_kink = 0;
  for (const GradCheckEntry& e : r.entries) {
    if (e.param == "W1" && e.index == 0) {
      w1_kink = e.kink;
      // The analytic slope at the kink is ReLU's 0; the numeric one is half
      // of the slope on the active side: the check is wrong by O(1) here.
      CHECK(e.rel_error > 0.1);
    }
    not_kink += !e.kink;
  }
  CHECK(w1_kink);
  CHECK(not_kink > 0);  // W2, b2 and unit 1's weights do not move unit 0 across 0
  CHECK(r.max_rel_error_smooth < 1e-6);
}

TEST_CASE("a hinge margin exactly at 0 is reported as a kink", "[gradcheck]") {
  LossSpec loss;
  loss.kind = LossKind::SVM;
  loss.lambda = 0;
  Rng rng(2);
  LinearClassifier m(2, 2, loss, true, InitSpec{InitKind::Zeros}, rng);
  m.b << 0.0, -1.0;  // margin s_1 - s_0 + delta = -1 - 0 + 1 = 0 for label 0
  const Mat X = (Mat(1, 2) << 0.5, -0.25).finished();
  const GradCheckResult r = grad_check(m, X, {0});
  CHECK(r.kink_crossed);
  for (const GradCheckEntry& e : r.entries) CHECK(e.kink);  // every entry moves that margin
}

TEST_CASE("the gradient check leaves the model exactly as it was", "[gradcheck]") {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  HiddenLayerSpec h;
  h.width = 6;
  h.batchnorm = true;
  h.dropout_keep = 0.8;
  spec.hidden = {h, h};
  spec.loss.lambda = 0.1;
  Rng rng(3);
  Net net(spec, 2, 3, rng);
  Mat X(10, 2);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
  const Labels y = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
  net.forward_backward(X, y, rng);  // some gradients and running averages
  const std::vector<Mat> before = values_of(net);
  std::vector<Mat> grads_before;
  for (const ParamRef& p : net.params()) grads_before.push_back(*p.grad);
  const Mat rm = net.layers[0].running_mean, rv = net.layers[1].running_var;

  const GradCheckResult r = grad_check(net, X, y, 1e-5, false, 0);
  CHECK(r.entries.size() > 50);

  const std::vector<Mat> after = values_of(net);
  for (size_t k = 0; k < before.size(); ++k) CHECK(after[k] == before[k]);  // bit for bit
  size_t k = 0;
  for (const ParamRef& p : net.params()) CHECK(*p.grad == grads_before[k++]);
  CHECK(net.layers[0].running_mean == rm);
  CHECK(net.layers[1].running_var == rv);
  CHECK(net.loss_spec().lambda == 0.1);  // include_reg = false only switched the copy's off
}

TEST_CASE("include_reg decides whether lambda * W is in the checked gradient", "[gradcheck]") {
  LossSpec loss;
  loss.lambda = 2.0;
  Rng rng(4);
  LinearClassifier m(2, 3, loss, true, InitSpec{InitKind::Xavier}, rng);
  Mat X(6, 2);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
  const Labels y = {0, 1, 2, 2, 1, 0};
  const GradCheckResult with = grad_check(m, X, y, 1e-5, true);
  const GradCheckResult without = grad_check(m, X, y, 1e-5, false);
  CHECK(with.max_rel_error < 1e-6);
  CHECK(without.max_rel_error < 1e-6);
  // W[0]: the two analytic gradients differ by exactly lambda * W[0] (L2).
  REQUIRE(with.entries[0].param == "W");
  CHECK(with.entries[0].analytic - without.entries[0].analytic == Approx(2.0 * m.W(0, 0)));
}

TEST_CASE("entries are chosen evenly and deterministically, and runs reproduce", "[gradcheck]") {
  ModelSpec spec;
  spec.kind = ModelKind::Net;
  HiddenLayerSpec h;
  h.width = 10;
  h.dropout_keep = 0.5;
  spec.hidden = {h};
  Rng rng(5);
  Net net(spec, 2, 2, rng);
  Mat X(8, 2);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.normal();
  const Labels y = {0, 1, 0, 1, 1, 0, 0, 1};
  const GradCheckResult a = grad_check(net, X, y, 1e-5, true, 4, 7);
  const GradCheckResult b = grad_check(net, X, y, 1e-5, true, 4, 7);
  // W1 (10x2 = 20 entries): 4 of them at 0, 5, 10, 15; b2 (2 entries): both.
  std::vector<int> w1, b2;
  for (const GradCheckEntry& e : a.entries) {
    if (e.param == "W1") w1.push_back(e.index);
    if (e.param == "b2") b2.push_back(e.index);
  }
  CHECK(w1 == std::vector<int>{0, 5, 10, 15});
  CHECK(b2 == std::vector<int>{0, 1});
  REQUIRE(a.entries.size() == b.entries.size());
  for (size_t k = 0; k < a.entries.size(); ++k) {
    CHECK(a.entries[k].analytic == b.entries[k].analytic);
    CHECK(a.entries[k].numeric == b.entries[k].numeric);
  }
  // Dropout masks are identical across the +-h evaluations: the check passes.
  CHECK(a.max_rel_error_smooth < 1e-6);
  CHECK(a.max_per_param.size() == 4);  // W1, b1, W2, b2
}
