// linear.cpp: the linear classifier: scores, loss, gradients and the
// per-point helpers the UI shows.
#include "core/models/linear.h"

#include <stdexcept>
#include <string>

#include "core/models/layers.h"
#include "core/models/losses.h"

namespace nn {

LinearClassifier::LinearClassifier(int input_dim, int num_classes, const LossSpec& loss,
                                   bool with_bias, const InitSpec& init, Rng& rng)
    : use_bias(with_bias), loss_spec_(loss) {
  if (input_dim < 1) throw std::runtime_error("A linear classifier needs at least one input feature.");
  if (num_classes < (is_regression(loss.kind) ? 1 : 2))
    throw std::runtime_error(is_regression(loss.kind) ? "A linear regression needs at least one output."
                                                      : "A linear classifier needs at least two classes.");
  W.resize(num_classes, input_dim);
  b = Mat::Zero(1, num_classes);
  init_weights(W, init, rng);
  if (use_bias) init_bias(b, init, rng);
  dW = Mat::Zero(num_classes, input_dim);
  db = Mat::Zero(1, num_classes);
}

std::vector<ParamRef> LinearClassifier::params() {
  std::vector<ParamRef> out = {{"W", &W, &dW, true}};
  if (use_bias) out.push_back({"b", &b, &db, false});
  return out;
}

void LinearClassifier::check_input(const Mat& X) const {
  if (X.cols() != W.cols())
    throw std::runtime_error("The classifier expects " + std::to_string(W.cols()) +
                             " input features but got " + std::to_string(X.cols()) +
                             ": rebuild the model after changing the features.");
}

Mat LinearClassifier::scores(const Mat& X) const {
  check_input(X);
  Mat s(X.rows(), W.rows());
  s.noalias() = X * W.transpose();  // (N, D) x (D, C)
  if (use_bias) s.rowwise() += b.row(0);
  return s;
}

LossParts LinearClassifier::forward_backward(const Mat& X, const Labels& y, Rng& rng) {
  (void)rng;  // nothing random in a linear classifier
  const Mat s = scores(X);
  const DataLoss dl = data_loss(s, y, loss_spec_);
  last_y_ = y;
  last_T_.resize(0, 0);
  return backward(X, s, dl);
}

LossParts LinearClassifier::forward_backward_targets(const Mat& X, const Mat& T, Rng& rng) {
  (void)rng;
  const Mat s = scores(X);
  const DataLoss dl = regression_loss(s, T, loss_spec_);
  last_y_.clear();
  last_T_ = T;
  return backward(X, s, dl);
}

LossParts LinearClassifier::backward(const Mat& X, const Mat& s, const DataLoss& dl) {
  // scores = X W^T + b
  dW.noalias() = dl.dscores.transpose() * X;  // (C, N) x (N, D)
  add_reg_grad(W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio, dW);
  if (use_bias) db = dl.dscores.colwise().sum();
  else db.setZero();
  last_scores_ = s;
  return {dl.loss, reg_loss()};
}

LossParts LinearClassifier::loss_targets(const Mat& X, const Mat& T) const {
  return {regression_loss(scores(X), T, loss_spec_).loss, reg_loss()};
}

LossParts LinearClassifier::loss(const Mat& X, const Labels& y) const {
  const DataLoss dl = data_loss(scores(X), y, loss_spec_);
  return {dl.loss, reg_loss()};
}

double LinearClassifier::reg_loss() const {
  return nn::reg_loss(W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio);
}

std::vector<int32_t> LinearClassifier::kink_pattern() const {
  std::vector<int32_t> pattern;
  if (is_regression(loss_spec_.kind)) append_regression_kinks(last_scores_, last_T_, loss_spec_, pattern);
  else append_loss_kinks(last_scores_, last_y_, loss_spec_, pattern);
  append_reg_kinks(W, loss_spec_, pattern);
  return pattern;
}

}  // namespace nn
