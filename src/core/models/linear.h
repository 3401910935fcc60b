// linear.h: the linear classifier f(x) = W x + b with any of the losses
// (SVM, one-vs-all, Crammer-Singer, softmax) and L2 / L1 / elastic-net
// regularisation of W. W and b are public so the UI can drag them.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/models/losses.h"
#include "core/models/model.h"

namespace nn {

class LinearClassifier : public Model {
 public:
  // W is initialised per `init` (fan_in = input_dim); b per init.bias /
  // init.random_bias, or fixed at zero when use_bias is false.
  LinearClassifier(int input_dim, int num_classes, const LossSpec& loss, bool use_bias,
                   const InitSpec& init, Rng& rng);

  ModelKind kind() const override { return ModelKind::Linear; }
  int input_dim() const override { return int(W.cols()); }
  int num_classes() const override { return int(W.rows()); }
  // "W" and, with a bias, "b".
  std::vector<ParamRef> params() override;
  LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) override;
  // scores = X W^T + b: X is (N, D), result (N, C).
  Mat scores(const Mat& X) const override;
  LossParts loss(const Mat& X, const Labels& y) const override;
  LossParts forward_backward_targets(const Mat& X, const Mat& T, Rng& rng) override;
  LossParts loss_targets(const Mat& X, const Mat& T) const override;
  double reg_loss() const override;
  void set_hyperparameters(const ModelSpec& spec) override { loss_spec_ = spec.loss; }
  const LossSpec& loss_spec() const override { return loss_spec_; }
  void set_loss_spec(const LossSpec& loss) override { loss_spec_ = loss; }
  // Where the last forward_backward sat on the piecewise-linear loss surface
  // (hinge margins, L1 signs); see gradcheck.h.
  std::vector<int32_t> kink_pattern() const override;
  std::vector<FoldedLayer> folded_layers() const override { return {{W, b, Activation::Linear, 0, 1}}; }
  std::unique_ptr<Model> clone() const override { return std::make_unique<LinearClassifier>(*this); }

  Mat W;   // (C, D): row c is class c's template
  Mat b;   // (1, C); stays zero when !use_bias
  Mat dW;  // (C, D)
  Mat db;  // (1, C)
  bool use_bias = true;

 private:
  void check_input(const Mat& X) const;
  // The backward pass from a data loss of scores s = X W^T + b.
  LossParts backward(const Mat& X, const Mat& s, const DataLoss& dl);
  LossSpec loss_spec_;  // loss kind, delta, reg, lambda, l1_ratio (may be changed live)
  Mat last_scores_;
  Labels last_y_;
  Mat last_T_;  // regression targets of the last forward_backward_targets
};

}  // namespace nn
