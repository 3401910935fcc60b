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

// Size limits of a network (the UI's sliders stay inside them).
constexpr int kMaxHiddenLayers = 16;
constexpr int kMaxLayerWidth = 512;
constexpr int kMaxMaxoutPieces = 8;

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

  int input_dim() const override { return input_dim_; }
  int num_classes() const override { return int(W_out.rows()); }
  // "W1","b1","gamma1","beta1", ..., "W<L>","b<L>" with L = hidden layers + 1.
  // No "b" entries without a bias; gamma/beta only where batchnorm is on.
  std::vector<ParamRef> params() override;
  LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) override;
  Mat scores(const Mat& X) override { return compute_scores(X); }
  LossParts loss(const Mat& X, const Labels& y) override;
  std::vector<LayerStats> inspect(const Mat& X) override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<Net>(*this); }

  // Test mode (no dropout, batchnorm running averages). Thread-safe.
  Mat compute_scores(const Mat& X) const;
  // Output of every hidden layer in test mode: one (N, width) matrix per layer.
  std::vector<Mat> hidden_activations(const Mat& X) const;
  // Where the last forward_backward sat relative to the kinks (ReLU signs,
  // maxout winners, hinge margins, L1 signs); see gradcheck.h.
  std::vector<int32_t> kink_pattern() const;
  // Sum of the regularisation of every W (never b, gamma, beta).
  double reg_loss_total() const;

  std::vector<HiddenLayer> layers;  // hidden layers, input side first
  Mat W_out, b_out;                 // final affine: (C, last width), (1, C)
  Mat dW_out, db_out;
  bool use_bias = true;
  LossSpec loss_spec;  // loss kind, delta, reg, lambda, l1_ratio (may be changed live)

 private:
  // Shared forward. train: dropout on, batch statistics, caches written into
  // `layers` (so it needs a mutable Net). Test mode writes nothing of the Net.
  Mat forward_train(const Mat& X, Rng& rng);
  Mat forward_test(const Mat& X, std::vector<Mat>* hidden, std::vector<Mat>* pre) const;
  void check_input(const Mat& X) const;

  int input_dim_ = 0;
  AffineCache out_cache_;
  Mat last_scores_;
  Labels last_y_;
};

}  // namespace nn
