// Claims about preprocessing: PCA and whitening, on their presets.
#include <catch2/catch.hpp>

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
