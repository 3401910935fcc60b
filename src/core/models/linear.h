// linear.h: the linear classifier f(x) = W x + b with any of the losses
// (SVM, one-vs-all, Crammer-Singer, softmax) and L2 / L1 / elastic-net
// regularisation of W. W and b are public so the UI can drag them.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/models/model.h"

namespace nn {

class LinearClassifier : public Model {
 public:
  // W is initialised per `init` (fan_in = input_dim); b per init.bias /
  // init.random_bias, or fixed at zero when use_bias is false.
  LinearClassifier(int input_dim, int num_classes, const LossSpec& loss, bool use_bias,
                   const InitSpec& init, Rng& rng);

  int input_dim() const override { return int(W.cols()); }
  int num_classes() const override { return int(W.rows()); }
  // "W" and, with a bias, "b".
  std::vector<ParamRef> params() override;
  LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) override;
  Mat scores(const Mat& X) override { return compute_scores(X); }
  LossParts loss(const Mat& X, const Labels& y) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<LinearClassifier>(*this); }

  // scores = X W^T + b: X is (N, D), result (N, C). Thread-safe.
  Mat compute_scores(const Mat& X) const;
  // Softmax of the scores (N x C), whatever the loss: the UI's confidences.
  Mat probabilities(const Mat& X) const;
  // Data loss of each point, L_i (N x 1), no regularisation.
  Mat point_losses(const Mat& X, const Labels& y) const;
  // Where the last forward_backward sat on the piecewise-linear loss surface
  // (hinge margins, L1 signs); see gradcheck.h.
  std::vector<int32_t> kink_pattern() const;

  Mat W;   // (C, D): row c is class c's template
  Mat b;   // (1, C); stays zero when !use_bias
  Mat dW;  // (C, D)
  Mat db;  // (1, C)
  bool use_bias = true;
  LossSpec loss_spec;  // loss kind, delta, reg, lambda, l1_ratio (may be changed live)

 private:
  void check_input(const Mat& X) const;
  Mat last_scores_;
  Labels last_y_;
};

}  // namespace nn
