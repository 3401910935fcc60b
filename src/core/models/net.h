// net.h: a fully connected network built from a ModelSpec: per hidden layer
// affine -> [batchnorm] -> activation (or maxout) -> [dropout], then a final
// affine to the class scores, scored with any of the losses.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/models/layers.h"
#include "core/models/model.h"

namespace nn {

// What one hidden layer's backward needs from its forward.
struct HiddenCache {
  AffineCache affine;
  BatchNormCache bn;
  ActCache act;  // act.x is the activation's input (after batchnorm), also for maxout
  MaxoutCache maxout;
  DropoutCache dropout;
};

// One hidden layer: its parameters and the caches of the last training pass.
struct HiddenLayer {
  HiddenLayerSpec spec;
  int pieces = 0;  // affine outputs: width * maxout_k for Maxout, width otherwise
  Mat W, b;        // (pieces, fan_in), (1, pieces); b stays zero without a bias
  Mat dW, db;
  Mat gamma, beta, dgamma, dbeta;   // (1, pieces), batchnorm only
  Mat running_mean, running_var;    // (1, pieces), batchnorm only (test-time statistics)
  HiddenCache cache;  // of the last forward_backward (training mode)
};

class Net : public Model {
 public:
  // Validates the spec (throws std::runtime_error with a sentence naming the
  // bad setting) and initialises every W per spec.init, biases per
  // init.bias / init.random_bias, gamma = 1, beta = 0, running var = 1.
  Net(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng);

  ModelKind kind() const override { return ModelKind::Net; }
  int input_dim() const override { return input_dim_; }
  int num_classes() const override { return int(W_out.rows()); }
  // "W1","b1","gamma1","beta1", ..., "W<L>","b<L>" with L = hidden layers + 1.
  // No "b" entries without a bias; gamma/beta only where batchnorm is on.
  std::vector<ParamRef> params() override;
  // "running_mean1", "running_var1", ... where batchnorm is on.
  std::vector<ParamRef> buffers() override;
  LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) override;
  // Test mode (no dropout, batchnorm running averages).
  Mat scores(const Mat& X) const override;
  LossParts loss(const Mat& X, const Labels& y) const override;
  void set_hyperparameters(const ModelSpec& spec) override;
  const LossSpec& loss_spec() const override { return loss_spec_; }
  void set_loss_spec(const LossSpec& loss) override { loss_spec_ = loss; }
  std::vector<int32_t> kink_pattern() const override;
  std::vector<LayerActivations> hidden_activations(const Mat& X) const override;
  std::vector<FoldedLayer> folded_layers() const override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<Net>(*this); }

  // Sum of the regularisation of every W (never b, gamma, beta).
  double reg_loss() const override;

  std::vector<HiddenLayer> layers;  // hidden layers, input side first
  Mat W_out, b_out;                 // final affine: (C, last width), (1, C)
  Mat dW_out, db_out;
  bool use_bias = true;

 private:
  // Shared forward. train: dropout on, batch statistics, caches written into
  // `layers` (so it needs a mutable Net). Test mode writes nothing of the Net.
  Mat forward_train(const Mat& X, Rng& rng);
  Mat forward_test(const Mat& X, std::vector<LayerActivations>* hidden) const;
  void check_input(const Mat& X) const;

  LossSpec loss_spec_;  // loss kind, delta, reg, lambda, l1_ratio (may be changed live)
  int input_dim_ = 0;
  AffineCache out_cache_;
  Mat last_scores_;
  Labels last_y_;
};

}  // namespace nn
