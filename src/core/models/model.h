// model.h: what every trainable classifier (linear, network) offers the
// optimisers, the trainer, the gradient check and the UI.
#pragma once
#include <memory>
#include <string>
#include <vector>

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

// What the inspector shows for one hidden layer (computed in test mode over
// the points it is given).
struct LayerStats {
  std::string name;
  int units = 0;
  double act_mean = 0, act_std = 0;
  std::vector<int> histogram;       // counts over [hist_lo, hist_hi]
  double hist_lo = -1, hist_hi = 1;
  double dead_fraction = 0;         // ReLU units never active on any point
  double saturated_fraction = 0;    // tanh/sigmoid outputs within 1% of their bounds
};

class Model {
 public:
  virtual ~Model() = default;
  virtual int input_dim() const = 0;
  virtual int num_classes() const = 0;
  virtual std::vector<ParamRef> params() = 0;
  // Training mode (dropout on, batchnorm batch statistics): loss of the batch
  // X (N x D) with labels y, and gradients of data + reg loss in every grad.
  virtual LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) = 0;
  // Test mode, no gradients.
  virtual Mat scores(const Mat& X) = 0;  // N x C
  virtual LossParts loss(const Mat& X, const Labels& y) = 0;
  // Per hidden layer statistics in test mode over X (empty for linear models).
  virtual std::vector<LayerStats> inspect(const Mat& X) { (void)X; return {}; }
  virtual std::unique_ptr<Model> clone() const = 0;
};

}  // namespace nn

namespace nn {
// Builds a linear classifier or a network from its description (model.cpp).
// KNN is not a trainable Model: asking for one throws std::runtime_error.
std::unique_ptr<Model> make_model(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng);
}  // namespace nn
