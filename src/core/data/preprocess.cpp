// preprocess.cpp: feature expansion and the four preprocessing steps of the
// CS231n notes (mean subtraction, normalisation, PCA, whitening).
#include "core/data/preprocess.h"

#include <cmath>
#include <stdexcept>

#include <Eigen/Eigenvalues>

namespace nn {

Mat points_to_matrix(const std::vector<Point>& pts) {
  Mat X(pts.size(), 2);
  for (size_t i = 0; i < pts.size(); ++i) {
    X(i, 0) = pts[i].x;
    X(i, 1) = pts[i].y;
  }
  return X;
}

Labels points_labels(const std::vector<Point>& pts) {
  Labels y(pts.size());
  for (size_t i = 0; i < pts.size(); ++i) y[i] = pts[i].label;
  return y;
}

Mat points_inputs(const std::vector<Point>& pts, ProblemKind problem) {
  Mat X = points_to_matrix(pts);
  if (problem == ProblemKind::Regression1D && X.rows() > 0) X.col(1).setZero();
  return X;
}

Mat points_targets(const std::vector<Point>& pts, ProblemKind problem) {
  Mat T(pts.size(), 1);
  for (size_t i = 0; i < pts.size(); ++i) T(Eigen::Index(i), 0) = target_of(problem, pts[i]);
  return T;
}

std::vector<std::string> feature_names(const PreprocessSpec& spec) {
  std::vector<std::string> names = {"x1", "x2"};
  if (spec.square) names.insert(names.end(), {"x1^2", "x2^2"});
  if (spec.cross) names.push_back("x1*x2");
  if (spec.sines) names.insert(names.end(), {"sin x1", "sin x2"});
  return names;
}

Mat expand_features(const PreprocessSpec& spec, const Mat& X_raw) {
  if (X_raw.cols() != 2)
    throw std::runtime_error("preprocessing expects the two raw coordinates (N x 2), got " +
                             std::to_string(X_raw.cols()) + " columns");
  const Eigen::Index N = X_raw.rows();
  Mat X(N, Eigen::Index(feature_names(spec).size()));
  // No points (e.g. an empty validation set): nothing to fill. Taking a
  // column of an empty matrix would offset its null data pointer (UBSan).
  if (N == 0) return X;
  const auto x1 = X_raw.col(0).array(), x2 = X_raw.col(1).array();
  X.col(0) = x1.matrix();
  X.col(1) = x2.matrix();
  Eigen::Index c = 2;
  if (spec.square) {
    X.col(c++) = x1.square().matrix();
    X.col(c++) = x2.square().matrix();
  }
  if (spec.cross) X.col(c++) = (x1 * x2).matrix();
  if (spec.sines) {
    X.col(c++) = x1.sin().matrix();
    X.col(c++) = x2.sin().matrix();
  }
  return X;
}

Mat add_bias_column(const Mat& X) {
  Mat Xb(X.rows(), X.cols() + 1);
  Xb.leftCols(X.cols()) = X;
  Xb.col(X.cols()).setOnes();
  return Xb;
}

void Preprocessor::fit(const PreprocessSpec& spec, const Mat& X_train_raw) {
  spec_ = spec;
  const Mat X = expand_features(spec, X_train_raw);  // N x D
  const Eigen::Index N = X.rows(), D = X.cols();

  // Identity statistics: what an empty training set leaves in place.
  mean_ = Vec::Zero(D);
  std_ = Vec::Ones(D);
  eigvecs_ = Mat::Identity(D, D);
  eigvals_ = Vec::Ones(D);
  if (N == 0) return;

  // Population statistics (divide by N), as np.mean / np.std / X.T.dot(X) / N.
  mean_ = X.colwise().mean();
  const Mat Xc = X.rowwise() - mean_;
  for (Eigen::Index j = 0; j < D; ++j) {
    const double s = std::sqrt(Xc.col(j).squaredNorm() / double(N));
    std_(j) = s > 1e-12 ? s : 1.0;  // a constant feature is left unscaled
  }

  const Mat cov = Xc.transpose() * Xc / double(N);  // D x D
  Eigen::SelfAdjointEigenSolver<Mat> eig(cov);
  // Eigen sorts eigenvalues ascending; we want the largest variance first.
  const Eigen::Index last = D - 1;
  for (Eigen::Index j = 0; j < D; ++j) {
    Eigen::VectorXd v = eig.eigenvectors().col(last - j);
    // An eigenvector's sign is arbitrary: make its largest-magnitude
    // component positive (the first such on a tie) so results are stable.
    Eigen::Index big = 0;
    v.cwiseAbs().maxCoeff(&big);
    if (v(big) < 0) v = -v;
    eigvecs_.col(j) = v;
    eigvals_(j) = std::max(eig.eigenvalues()(last - j), 0.0);  // rounding can go below 0
  }
}

// The kind step alone (mean subtraction, normalisation, PCA, whitening).
static Mat kind_step(const Preprocessor& p, Mat X) {
  switch (p.spec().kind) {
    case PreprocessKind::None:
      return X;
    case PreprocessKind::MeanSubtract:
      return X.rowwise() - p.mean();
    case PreprocessKind::Normalize:
      return (X.rowwise() - p.mean()).array().rowwise() / p.stddev().array();
    case PreprocessKind::PCA:
      return (X.rowwise() - p.mean()) * p.eigvecs();  // decorrelate: rotate into the eigenbasis
    case PreprocessKind::Whiten: {
      const Mat Xrot = (X.rowwise() - p.mean()) * p.eigvecs();
      const Vec scale = (p.eigvals().array() + Preprocessor::kWhitenEps).sqrt().matrix();
      return Xrot.array().rowwise() / scale.array();
    }
  }
  return X;
}

Mat Preprocessor::transform(const Mat& X_raw) const {
  Mat X = expand_features(spec_, X_raw);
  if (X.cols() != mean_.cols())
    throw std::runtime_error("the preprocessor must be fitted before it transforms data");
  X = kind_step(*this, std::move(X));
  if (spec_.scale != 1.0) X *= spec_.scale;  // the input scale s, last
  return X;
}

int Preprocessor::output_dim() const { return int(feature_names(spec_).size()); }

// ---- Image rows -----------------------------------------------------------------

void ImagePreprocessor::fit(ImageNorm kind, const Mat& X) {
  kind_ = kind;
  const Eigen::Index D = X.cols(), N = X.rows();
  mean_image_ = N > 0 ? Vec(X.colwise().mean()) : Vec::Zero(D);
  pixel_std_ = Vec::Ones(D);
  global_mean_ = N > 0 ? X.mean() : 0.0;
  global_std_ = 1.0;
  if (N > 0) {
    pixel_std_ = ((X.rowwise() - mean_image_).array().square().colwise().sum() / double(N)).sqrt().matrix();
    for (Eigen::Index c = 0; c < D; ++c)
      if (!(pixel_std_[c] > 1e-12)) pixel_std_[c] = 1.0;  // a pixel that never changes: leave it
    const double var = (X.array() - global_mean_).square().sum() / double(X.size());
    global_std_ = var > 1e-24 ? std::sqrt(var) : 1.0;
  }
  shift_ = Vec::Zero(D);
  scale_ = Vec::Ones(D);
  switch (kind_) {
    case ImageNorm::None: break;
    case ImageNorm::MeanImage: shift_ = mean_image_; break;
    case ImageNorm::Global:
      shift_.setConstant(global_mean_);
      scale_.setConstant(global_std_);
      break;
    case ImageNorm::PerPixel:
      shift_ = mean_image_;
      scale_ = pixel_std_;
      break;
  }
}

Mat ImagePreprocessor::transform(const Mat& X) const {
  if (X.cols() != shift_.cols())
    throw std::runtime_error("image preprocessing was fitted on rows of " + std::to_string(shift_.cols()) +
                             " values, not " + std::to_string(X.cols()));
  if (kind_ == ImageNorm::None) return X;
  return ((X.rowwise() - shift_).array().rowwise() / scale_.array()).matrix();
}

void ImagePreprocessor::transform_inplace(Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& X) const {
  if (X.cols() != shift_.cols())
    throw std::runtime_error("image preprocessing was fitted on rows of " + std::to_string(shift_.cols()) +
                             " values, not " + std::to_string(X.cols()));
  if (kind_ == ImageNorm::None) return;
  const Eigen::RowVectorXf sh = shift_.cast<float>(), inv = scale_.cast<float>().cwiseInverse();
  X = ((X.rowwise() - sh).array().rowwise() * inv.array()).matrix();
}

}  // namespace nn

