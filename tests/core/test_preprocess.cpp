// Tests of preprocessing: statistics come from the training rows only;
// normalised training features have mean 0 and std 1; PCA decorrelates with
// variances in descending order; whitening gives identity covariance; the
// feature expansion columns and the bias trick are exact.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/data/preprocess.h"
#include "core/rng.h"

using namespace nn;

// Correlated, shifted, anisotropic 2D data: N x 2.
static Mat correlated_data(int n, uint64_t seed, double shift = 0.0) {
  Rng rng(seed);
  Mat X(n, 2);
  for (int i = 0; i < n; ++i) {
    const double a = rng.normal(), b = rng.normal();
    X(i, 0) = 0.3 + shift + 0.8 * a;
    X(i, 1) = -0.2 + shift + 0.5 * a + 0.3 * b;
  }
  return X;
}

static Mat covariance(const Mat& X) {
  const Mat Xc = X.rowwise() - X.colwise().mean();
  return Xc.transpose() * Xc / double(X.rows());
}

static PreprocessSpec spec_of(PreprocessKind kind, bool square = false, bool cross = false,
                              bool sines = false) {
  PreprocessSpec s;
  s.kind = kind;
  s.square = square;
  s.cross = cross;
  s.sines = sines;
  return s;
}

TEST_CASE("points_to_matrix and points_labels keep order", "[preprocess]") {
  const std::vector<Point> pts = {{0.5, -1, 2}, {3, 4, 0, true}};
  const Mat X = points_to_matrix(pts);
  REQUIRE(X.rows() == 2);
  REQUIRE(X.cols() == 2);
  REQUIRE(X(0, 0) == 0.5);
  REQUIRE(X(0, 1) == -1);
  REQUIRE(X(1, 0) == 3);
  REQUIRE(X(1, 1) == 4);
  REQUIRE(points_labels(pts) == Labels{2, 0});
}

TEST_CASE("feature expansion appends exact columns in documented order", "[preprocess]") {
  Mat X(2, 2);
  X << 0.5, -2.0, 1.5, 3.0;
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::None, true, true, true), X);
  REQUIRE(p.output_dim() == 7);
  const Mat F = p.transform(X);
  REQUIRE(F.cols() == 7);
  for (int i = 0; i < 2; ++i) {
    const double x1 = X(i, 0), x2 = X(i, 1);
    REQUIRE(F(i, 0) == x1);
    REQUIRE(F(i, 1) == x2);
    REQUIRE(F(i, 2) == x1 * x1);
    REQUIRE(F(i, 3) == x2 * x2);
    REQUIRE(F(i, 4) == x1 * x2);
    REQUIRE(F(i, 5) == std::sin(x1));
    REQUIRE(F(i, 6) == std::sin(x2));
  }
  REQUIRE(feature_names(spec_of(PreprocessKind::None, false, true, false)) ==
          std::vector<std::string>{"x1", "x2", "x1*x2"});
  // Only the cross term: x1, x2, x1*x2.
  p.fit(spec_of(PreprocessKind::None, false, true, false), X);
  REQUIRE(p.output_dim() == 3);
  REQUIRE(p.transform(X)(1, 2) == 1.5 * 3.0);
}

TEST_CASE("add_bias_column appends a column of ones", "[preprocess]") {
  Mat X(3, 2);
  X << 1, 2, 3, 4, 5, 6;
  const Mat Xb = add_bias_column(X);
  REQUIRE(Xb.cols() == 3);
  REQUIRE(Xb.leftCols(2) == X);
  REQUIRE(Xb.col(2) == Eigen::VectorXd::Ones(3));
}

TEST_CASE("mean subtraction and normalisation: training mean 0, std 1", "[preprocess]") {
  const Mat X = correlated_data(500, 1);
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::MeanSubtract, true, true, true), X);
  const Mat M = p.transform(X);
  REQUIRE(M.colwise().mean().cwiseAbs().maxCoeff() < 1e-9);

  p.fit(spec_of(PreprocessKind::Normalize, true, true, true), X);
  const Mat N = p.transform(X);
  REQUIRE(N.cols() == 7);
  REQUIRE(N.colwise().mean().cwiseAbs().maxCoeff() < 1e-9);
  for (int j = 0; j < N.cols(); ++j) {
    const double std = std::sqrt(N.col(j).squaredNorm() / N.rows());
    REQUIRE(std::abs(std - 1.0) < 1e-9);
  }
}

TEST_CASE("normalisation leaves a constant feature unscaled instead of dividing by 0",
          "[preprocess]") {
  Mat X(4, 2);
  X << 1, 5, 2, 5, 3, 5, 4, 5;  // x2 is constant
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::Normalize), X);
  const Mat N = p.transform(X);
  REQUIRE(N.allFinite());
  REQUIRE(N.col(1).cwiseAbs().maxCoeff() == 0.0);
  REQUIRE(p.stddev()(1) == 1.0);
}

TEST_CASE("PCA: training covariance is diagonal with descending variances", "[preprocess]") {
  const Mat X = correlated_data(1000, 2);
  for (bool expand : {false, true}) {
    Preprocessor p;
    p.fit(spec_of(PreprocessKind::PCA, expand, expand, false), X);
    const Mat Z = p.transform(X);
    const Mat C = covariance(Z);
    const int D = int(C.rows());
    for (int a = 0; a < D; ++a) {
      for (int b = 0; b < D; ++b)
        if (a != b) REQUIRE(std::abs(C(a, b)) < 1e-9);
      REQUIRE(std::abs(C(a, a) - p.eigvals()(a)) < 1e-9);  // eigenvalue = variance along it
      if (a > 0) REQUIRE(C(a, a) <= C(a - 1, a - 1));
    }
    // Eigenvectors are orthonormal and their sign is fixed: largest |component| > 0.
    const Mat& V = p.eigvecs();
    REQUIRE((V.transpose() * V - Mat::Identity(D, D)).cwiseAbs().maxCoeff() < 1e-9);
    for (int j = 0; j < D; ++j) {
      Eigen::Index big;
      V.col(j).cwiseAbs().maxCoeff(&big);
      REQUIRE(V(big, j) > 0);
    }
  }
}

TEST_CASE("whitening: training covariance is the identity", "[preprocess]") {
  const Mat X = correlated_data(1000, 3);
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::Whiten, true, false, false), X);
  // The variance along eigenvector j becomes lambda_j / (lambda_j + 1e-5):
  // within 1e-3 of 1 when every lambda_j > 0.01.
  REQUIRE(p.eigvals().minCoeff() > 0.01);
  const Mat C = covariance(p.transform(X));
  const Mat I = Mat::Identity(C.rows(), C.cols());
  REQUIRE((C - I).cwiseAbs().maxCoeff() < 1e-3);
}

TEST_CASE("transform applies the training statistics to other rows", "[preprocess]") {
  const Mat X_train = correlated_data(400, 4);
  const Mat X_val = correlated_data(400, 5, /*shift=*/3.0);  // deliberately shifted
  for (PreprocessKind kind : {PreprocessKind::MeanSubtract, PreprocessKind::Normalize,
                              PreprocessKind::PCA, PreprocessKind::Whiten}) {
    INFO(to_string(kind));
    Preprocessor p;
    p.fit(spec_of(kind), X_train);
    const Vec train_mean = X_train.colwise().mean();
    REQUIRE((p.mean() - train_mean).cwiseAbs().maxCoeff() < 1e-12);
    // Validation rows keep their shift: they were not centred on their own mean.
    const Mat Z = p.transform(X_val);
    REQUIRE(Z.colwise().mean().cwiseAbs().maxCoeff() > 1.0);
    // And each row is transformed on its own: row i alone gives the same result.
    const Mat row = p.transform(X_val.row(7));
    REQUIRE((row - Z.row(7)).cwiseAbs().maxCoeff() < 1e-12);
  }
  // Exactly: mean subtraction moves validation by the training mean.
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::MeanSubtract), X_train);
  const Mat expected = X_val.rowwise() - X_train.colwise().mean();
  REQUIRE((p.transform(X_val) - expected).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("fit with no rows is the identity; wrong input width is refused", "[preprocess]") {
  Preprocessor p;
  p.fit(spec_of(PreprocessKind::Whiten), Mat(0, 2));
  const Mat X = correlated_data(5, 6);
  REQUIRE((p.transform(X) - X).cwiseAbs().maxCoeff() < 1e-4);  // divided by sqrt(1 + 1e-5)
  REQUIRE_THROWS_AS(p.fit(spec_of(PreprocessKind::None), Mat(3, 3)), std::runtime_error);
  Preprocessor unfitted;
  REQUIRE_THROWS_AS(unfitted.transform(X), std::runtime_error);
}

TEST_CASE("the input scale multiplies what the model sees, after the kind step", "[preprocess]") {
  const Mat X_train = correlated_data(200, 8);
  const Mat X_val = correlated_data(50, 9, /*shift=*/1.0);
  for (PreprocessKind kind : {PreprocessKind::None, PreprocessKind::Normalize, PreprocessKind::Whiten}) {
    INFO(to_string(kind));
    PreprocessSpec plain = spec_of(kind, true, true, false);
    PreprocessSpec scaled = plain;
    scaled.scale = 7.5;
    Preprocessor a, b;
    a.fit(plain, X_train);
    b.fit(scaled, X_train);
    // The statistics are those of the unscaled features; only the output is scaled.
    REQUIRE((a.mean() - b.mean()).cwiseAbs().maxCoeff() == 0.0);
    REQUIRE((b.transform(X_val) - 7.5 * a.transform(X_val)).cwiseAbs().maxCoeff() < 1e-12);
  }
  // Normalise then s: every training feature has standard deviation s.
  PreprocessSpec ps = spec_of(PreprocessKind::Normalize);
  ps.scale = 10;
  Preprocessor p;
  p.fit(ps, X_train);
  const Mat Z = p.transform(X_train);
  for (int j = 0; j < Z.cols(); ++j) {
    const double sd = std::sqrt((Z.col(j).array() - Z.col(j).mean()).square().mean());
    REQUIRE(sd == Approx(10.0).epsilon(1e-9));
  }
}
