// preprocess.h: from the user's points to the matrix a model sees: feature
// expansion (x1^2, x2^2, x1*x2, sin) then mean subtraction, normalisation,
// PCA or whitening with statistics fitted on the training rows only.
#pragma once
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

Mat points_to_matrix(const std::vector<Point>& pts);  // N x 2 raw coordinates
Labels points_labels(const std::vector<Point>& pts);  // N labels
// The model's raw inputs for a problem: N x 2, (x, y) except in
// Regression1D, where the input is (x, 0): the second input is held at zero
// so that every 2D path (preprocessing, scorer, canvas) serves a curve fit.
Mat points_inputs(const std::vector<Point>& pts, ProblemKind problem);
// N x 1 real targets of a regression problem (target_of, dataset.h).
Mat points_targets(const std::vector<Point>& pts, ProblemKind problem);

// Feature expansion alone: N x 2 raw coordinates -> N x D columns
// x1, x2 [, x1^2, x2^2 if square] [, x1*x2 if cross] [, sin x1, sin x2 if sines].
Mat expand_features(const PreprocessSpec& spec, const Mat& X_raw);
// Names of those columns, in order ("x1", "x2", "x1^2", ...).
std::vector<std::string> feature_names(const PreprocessSpec& spec);

// The bias trick: N x D -> N x (D + 1) with a last column of ones, so that
// W x + b becomes one matrix product with b folded into W.
Mat add_bias_column(const Mat& X);

class Preprocessor {
 public:
  // Learns the statistics of the expanded training rows (N x 2 raw input).
  // With no rows there is nothing to learn: the kind step is the identity.
  void fit(const PreprocessSpec& spec, const Mat& X_train_raw);
  // Applies the fitted statistics to any rows (validation, grid queries),
  // then multiplies by the input scale s: N x 2 -> N x output_dim().
  Mat transform(const Mat& X_raw) const;
  int output_dim() const;

  const PreprocessSpec& spec() const { return spec_; }
  // Fitted statistics over the expanded features (D = output_dim()):
  const Vec& mean() const { return mean_; }        // 1 x D training mean
  const Vec& stddev() const { return std_; }       // 1 x D, zeros replaced by 1
  // D x D, column j is the j-th principal direction (largest variance first,
  // largest-magnitude component positive); eigvals() are the variances along them.
  const Mat& eigvecs() const { return eigvecs_; }
  const Vec& eigvals() const { return eigvals_; }

  static constexpr double kWhitenEps = 1e-5;  // added to eigenvalues before sqrt

 private:
  PreprocessSpec spec_;
  Vec mean_, std_, eigvals_;
  Mat eigvecs_;
};

// ---- Image rows -----------------------------------------------------------------
// Preprocessing of images flattened to rows (N x D): the statistics come from
// the training images (ImageNorm in spec.h). The mean image is kept whatever
// the kind, for display.
class ImagePreprocessor {
 public:
  void fit(ImageNorm kind, const Mat& X_train);
  Mat transform(const Mat& X) const;  // N x D -> N x D
  // In place on float rows (kNN on images).
  void transform_inplace(Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& X) const;
  int output_dim() const { return int(mean_image_.cols()); }

  ImageNorm kind() const { return kind_; }
  const Vec& mean_image() const { return mean_image_; }  // 1 x D mean of each pixel
  const Vec& pixel_std() const { return pixel_std_; }    // 1 x D, zeros replaced by 1
  double global_mean() const { return global_mean_; }    // of every value of every training image
  double global_std() const { return global_std_; }      // likewise (1 if 0)
  // The affine map the kind applies: x' = (x - shift) / scale, per column.
  const Vec& shift() const { return shift_; }
  const Vec& scale() const { return scale_; }

 private:
  ImageNorm kind_ = ImageNorm::None;
  Vec mean_image_, pixel_std_, shift_, scale_;
  double global_mean_ = 0, global_std_ = 1;
};

}  // namespace nn
