// Tests of image-row preprocessing: the mean image, mean subtraction, global
// and per-pixel normalisation, statistics from the training rows only.
#include <catch2/catch.hpp>

#include "core/data/preprocess.h"
#include "core/rng.h"

using namespace nn;

static Mat rows(int n, int d, Rng& rng) {
  Mat m(n, d);
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < d; ++c) m(i, c) = 0.1 * c + (c + 1) * 0.05 * rng.normal();  // each pixel its own mean and spread
  return m;
}

TEST_CASE("image preprocessing: mean image, global and per-pixel normalisation", "[preprocess][images]") {
  Rng rng(1);
  Mat X = rows(200, 9, rng);
  X.col(4).setConstant(0.3);  // a pixel that never changes
  ImagePreprocessor p;

  p.fit(ImageNorm::None, X);
  REQUIRE(p.transform(X) == X);
  REQUIRE(p.mean_image().isApprox(X.colwise().mean()));  // kept for display whatever the kind

  p.fit(ImageNorm::MeanImage, X);
  Mat Y = p.transform(X);
  REQUIRE(Y.colwise().mean().cwiseAbs().maxCoeff() < 1e-12);
  REQUIRE((Y - (X.rowwise() - X.colwise().mean())).cwiseAbs().maxCoeff() < 1e-12);

  p.fit(ImageNorm::Global, X);
  Y = p.transform(X);
  REQUIRE(std::abs(Y.mean()) < 1e-12);
  REQUIRE(std::sqrt(Y.array().square().mean()) == Approx(1.0));
  // One shift and one scale for every value: the columns keep their differences in spread.
  REQUIRE(p.scale().maxCoeff() == p.scale().minCoeff());
  Mat col_std = (Y.rowwise() - Y.colwise().mean()).array().square().colwise().mean().sqrt();
  REQUIRE(col_std(8) > 3 * col_std(0));

  p.fit(ImageNorm::PerPixel, X);
  Y = p.transform(X);
  col_std = (Y.rowwise() - Y.colwise().mean()).array().square().colwise().mean().sqrt();
  for (int c = 0; c < 9; ++c) {
    REQUIRE(std::abs(Y.col(c).mean()) < 1e-12);
    if (c != 4) REQUIRE(col_std(c) == Approx(1.0));
  }
  REQUIRE(Y.col(4).cwiseAbs().maxCoeff() < 1e-12);  // constant pixel: centred, not divided by 0
  REQUIRE(p.pixel_std()(4) == 1.0);
}

TEST_CASE("image preprocessing uses the training statistics on other rows; float rows agree", "[preprocess][images]") {
  Rng rng(2);
  const Mat X = rows(100, 5, rng), V = rows(30, 5, rng);
  for (ImageNorm k : {ImageNorm::MeanImage, ImageNorm::Global, ImageNorm::PerPixel}) {
    ImagePreprocessor p;
    p.fit(k, X);
    const Mat Yv = p.transform(V);
    REQUIRE((Yv - ((V.rowwise() - p.shift()).array().rowwise() / p.scale().array()).matrix()).cwiseAbs().maxCoeff() <
            1e-12);
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Vf = V.cast<float>();
    p.transform_inplace(Vf);
    REQUIRE((Vf.cast<double>() - Yv).cwiseAbs().maxCoeff() < 1e-5);
  }
  ImagePreprocessor p;
  p.fit(ImageNorm::PerPixel, X);
  REQUIRE_THROWS_WITH(p.transform(Mat::Zero(2, 4)), Catch::Contains("rows of 5 values, not 4"));
}
