// model.h: what every trainable classifier (linear, network) offers the
// optimisers, the trainer, the gradient check, the inspector, the fast
// scorer and the UI. Callers never need to know the concrete class.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/models/conv_size.h"
#include "core/rng.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

// Data loss and regularisation loss are always reported apart.
struct LossParts {
  double data_loss = 0;
  double reg_loss = 0;
  double total() const { return data_loss + reg_loss; }
};

// A parameter and its gradient, as seen by optimisers and gradient checks.
struct ParamRef {
  std::string name;  // e.g. "W1", "b1", "gamma1"
  Mat* value;
  Mat* grad;
  bool regularized;  // false for biases, gamma and beta
};
struct ConstParamRef {
  std::string name;
  const Mat* value;
  const Mat* grad;
  bool regularized;
};

// One hidden layer's values in test mode over N points, for the inspector.
struct LayerActivations {
  std::string name;          // "hidden 1", ...; "conv 1", "pool 2" for image layers
  Activation act = Activation::Linear;
  Mat pre;                   // (N, pieces) input of the activation (after batchnorm)
  Mat post;                  // (N, width) output of the activation
  // Conv and pool layers: the output volume, K x H' x W' (pre and post are
  // then (N, K*H'*W') in the channel-major layout of conv_layers.h). Zero
  // for fully connected layers.
  LayerType type = LayerType::FC;
  Volume volume;
};

// One layer of the model as the test-mode chain out = act(x W^T + b), with
// batchnorm folded into W and b: what the fast decision-region scorer runs.
struct FoldedLayer {
  Mat W, b;                  // (out, in), (1, out)
  Activation act = Activation::Linear;
  double alpha = 0;
  int maxout_k = 1;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual ModelKind kind() const = 0;
  virtual int input_dim() const = 0;
  virtual int num_classes() const = 0;
  virtual std::vector<ParamRef> params() = 0;
  // State that is not trained by gradients but belongs to the model (the
  // batchnorm running averages), named like parameters; grad is null.
  virtual std::vector<ParamRef> buffers() { return {}; }
  // The parameters, read only.
  std::vector<ConstParamRef> params_view() const;
  // The parameter or buffer called `name` ("W", "b1", "running_var2"), or null.
  const Mat* param(const std::string& name) const;
  // Copies every parameter and buffer from `other`, which must have the same
  // names and shapes (throws std::runtime_error naming the first mismatch).
  void copy_params_from(const Model& other);

  // Training mode (dropout on, batchnorm batch statistics): loss of the batch
  // X (N x D) with labels y, and gradients of data + reg loss in every grad.
  virtual LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) = 0;
  // Test mode, no gradients. Thread-safe.
  virtual Mat scores(const Mat& X) const = 0;  // N x C
  virtual LossParts loss(const Mat& X, const Labels& y) const = 0;
  // Regression (a model built with a regression loss, num_classes() = its K
  // real outputs): the same with targets T (N x K). The base class throws.
  virtual LossParts forward_backward_targets(const Mat& X, const Mat& T, Rng& rng);
  virtual LossParts loss_targets(const Mat& X, const Mat& T) const;
  // The regularisation loss alone (it depends on the weights, not the data).
  virtual double reg_loss() const = 0;

  // The hyperparameters that live inside a model and change no shapes: the
  // loss (kind, delta, reg, lambda, l1_ratio) and, per layer, dropout p and
  // the activation's alpha. Parameters are kept.
  virtual void set_hyperparameters(const ModelSpec& spec) = 0;
  virtual const LossSpec& loss_spec() const = 0;
  virtual void set_loss_spec(const LossSpec& loss) = 0;

  // Where the last forward_backward sat relative to the kinks (ReLU signs,
  // maxout winners, hinge margins, L1 signs); see gradcheck.h.
  virtual std::vector<int32_t> kink_pattern() const = 0;
  // Every hidden layer in test mode over X (empty for a linear classifier).
  virtual std::vector<LayerActivations> hidden_activations(const Mat& X) const { (void)X; return {}; }
  // The model as affine + activation layers (see FoldedLayer).
  virtual std::vector<FoldedLayer> folded_layers() const = 0;
  virtual std::unique_ptr<Model> clone() const = 0;
};

// Softmax of the model's scores (N x C) whatever its loss: the UI's confidences.
Mat probabilities(const Model& m, const Mat& X);
// Data loss of each point, L_i (N x 1), with the model's loss, no regularisation.
Mat point_losses(const Model& m, const Mat& X, const Labels& y);
// The same for a regression model and targets T (N x K).
Mat point_losses_targets(const Model& m, const Mat& X, const Mat& T);

// Builds a linear classifier or a network from its description (model.cpp).
// KNN is not a trainable Model: asking for one throws std::runtime_error.
std::unique_ptr<Model> make_model(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng);

}  // namespace nn
