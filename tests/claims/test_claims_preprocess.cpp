// Claims about preprocessing: PCA and whitening, on their presets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "claims_common.h"

using namespace nn;
using namespace claims;

static Mat covariance(const Mat& X) {
  const Mat C = X.rowwise() - X.colwise().mean();
  return C.transpose() * C / double(X.rows());
}

TEST_CASE("PCA: uncorrelated directions, largest variance first", "[claims][preprocess-pca]") {
  const Session s = load_preset("preprocess-pca");
  REQUIRE(s.spec.preprocess.kind == PreprocessKind::PCA);
  Trainer t = make_trainer(s.data, s.spec);
  const Preprocessor& p = t.preprocessor();
  const Mat cov = covariance(t.X_train());
  const double share = p.eigvals()(0) / p.eigvals().sum();
  measure("preprocess-pca", "eigenvalues " + num(p.eigvals()(0)) + ", " + num(p.eigvals()(1)) +
                                " (first holds " + num(share) + " of the variance); first direction (" +
                                num(p.eigvecs()(0, 0)) + ", " + num(p.eigvecs()(1, 0)) +
                                "); off-diagonal covariance after PCA " + num(cov(0, 1)));
  // Claims: after the projection the two coordinates are uncorrelated
  // (|cov| < 1e-12) and their variances are the eigenvalues, largest first.
  REQUIRE(std::abs(cov(0, 1)) < 1e-12);
  REQUIRE(cov(0, 0) == Approx(p.eigvals()(0)).epsilon(1e-9));
  REQUIRE(cov(1, 1) == Approx(p.eigvals()(1)).epsilon(1e-9));
  REQUIRE(p.eigvals()(0) > p.eigvals()(1));
  REQUIRE(share > 0.6);
}

TEST_CASE("whitening: unit variance in every direction, from training data only",
          "[claims][preprocess-whiten]") {
  const Session s = load_preset("preprocess-whiten");
  REQUIRE(s.spec.preprocess.kind == PreprocessKind::Whiten);
  Trainer t = make_trainer(s.data, s.spec);
  const Mat I = Mat::Identity(2, 2);
  const double train_dev = (covariance(t.X_train()) - I).cwiseAbs().maxCoeff();
  const double val_dev = (covariance(t.X_val()) - I).cwiseAbs().maxCoeff();
  measure("preprocess-whiten", "max |cov - I|: training points " + num(train_dev) +
                                   ", validation points " + num(val_dev));
  // Claims: the whitened training cloud has covariance I (within 1e-3: the
  // eps 1e-5 added to the eigenvalues); the validation points, transformed
  // with the training statistics, are only roughly white (off by > 0.01).
  REQUIRE(train_dev < 1e-3);
  REQUIRE(val_dev > 0.01);
}

// |dW| and |db| of the model's first full-batch gradient.
static std::pair<double, double> first_gradient(Trainer& t) {
  std::unique_ptr<Model> m = t.model().clone();
  Rng rng(1);
  m->forward_backward(t.X_train(), t.y_train(), rng);
  double w = 0, b = 0;
  for (const ParamRef& p : m->params()) (p.name == "W" ? w : b) += p.grad->squaredNorm();
  return {std::sqrt(w), std::sqrt(b)};
}

TEST_CASE("the data's scale sets the weight gradients' scale and the usable learning rate",
          "[claims][data-scale-gradient]") {
  const Session s = load_preset("data-scale-gradient");
  REQUIRE(s.spec.kind == ModelKind::Linear);
  REQUIRE(s.spec.optim.kind == OptimKind::SGD);
  const double S = s.spec.preprocess.scale;
  REQUIRE(S == 10.0);
  auto with_scale = [&](double scale, double lr) {
    ModelSpec spec = s.spec;
    spec.preprocess.scale = scale;
    spec.optim.lr = lr;
    return spec;
  };
  // Gradients at initialisation (same seed, so the same small weights).
  Trainer t1 = make_trainer(s.data, with_scale(1, s.spec.optim.lr));
  Trainer tS = make_trainer(s.data, with_scale(S, s.spec.optim.lr));
  const auto [w1, b1] = first_gradient(t1);
  const auto [wS, bS] = first_gradient(tS);
  // Usable learning rates: train 200 SGD steps at lr = 10^(k/2), and call a
  // rate usable when its final training loss is within 10 % of the best.
  std::vector<double> lrs;
  for (int k = -10; k <= 2; ++k) lrs.push_back(std::pow(10.0, k / 2.0));
  auto final_losses = [&](double scale) {
    std::vector<double> out;
    for (double lr : lrs) {
      Trainer t = make_trainer(s.data, with_scale(scale, lr));
      run(t, 200);
      out.push_back(t.divergence().diverged ? INFINITY : train_loss(t));
    }
    return out;
  };
  const std::vector<double> L1 = final_losses(1), LS = final_losses(S);
  auto usable = [&](const std::vector<double>& L, double& best_lr, double& largest) {
    size_t best = 0;
    for (size_t i = 0; i < L.size(); ++i)
      if (L[i] < L[best]) best = i;
    best_lr = lrs[best];
    largest = 0;
    for (size_t i = 0; i < L.size(); ++i)
      if (L[i] <= 1.1 * L[best]) largest = lrs[i];
    return L[best];
  };
  double best1, big1, bestS, bigS;
  const double min1 = usable(L1, best1, big1), minS = usable(LS, bestS, bigS);
  std::string curve1, curveS;
  for (size_t i = 0; i < lrs.size(); ++i) curve1 += " " + num(L1[i]), curveS += " " + num(LS[i]);
  measure("data-scale-gradient",
          "|dW| at init: s=1 " + num(w1) + ", s=" + num(S) + " " + num(wS) + " (x" + num(wS / w1) + "); |db| " +
              num(b1) + " vs " + num(bS) + "; final loss over lr 1e-5..10: s=1" + curve1 + "; s=" + num(S) +
              curveS + "; best lr s=1 " + num(best1) + " (loss " + num(min1) + "), s=" + num(S) + " " +
              num(bestS) + " (loss " + num(minS) + "); largest usable lr " + num(big1) + " vs " + num(bigS));
  // Claims: with small weights dW is proportional to x, so scaling the data
  // by s scales |dW| by s (within 5 %) while |db| barely moves (10 %); the
  // loss's curvature grows like s^2, so the usable learning rates move down
  // by at least s (a factor 10 here), and the preset's lr, among the best at
  // s = 1, ends at s above the starting loss log C: worse than not training.
  REQUIRE(wS / w1 == Approx(S).epsilon(0.05));
  REQUIRE(bS / b1 == Approx(1.0).epsilon(0.1));
  REQUIRE(big1 / bigS >= S * 0.99);
  REQUIRE(best1 / bestS >= S * 0.99);
  const size_t preset_lr = size_t(std::find(lrs.begin(), lrs.end(), s.spec.optim.lr) - lrs.begin());
  REQUIRE(preset_lr < lrs.size());
  REQUIRE(L1[preset_lr] <= 1.1 * min1);
  REQUIRE(LS[preset_lr] > std::log(double(s.data.num_classes)));
}
