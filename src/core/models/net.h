// net.h: a network built from a ModelSpec: on an image input, conv and pool
// layers first, then fully connected hidden layers, then a final affine to
// the class scores, scored with any of the losses. Per hidden layer:
//   conv: conv -> [spatial batchnorm] -> activation -> [dropout]
//   pool: max pool
//   fc:   affine -> [batchnorm] -> activation (or maxout) -> [dropout]
// The conv and pool layers work on (N x C*H*W) matrices laid out as in
// conv_layers.h; the first fully connected layer (or the output layer) reads
// the last volume flattened, which in that layout is the same matrix.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/models/conv_layers.h"
#include "core/models/layers.h"
#include "core/models/losses.h"
#include "core/models/model.h"

namespace nn {

// Whether a description's layers can be built, and the volume after each,
// without building anything (the session loader uses it to refuse a spec
// with the layer named). Everything make_model would refuse about the layers
// is found here: limits, order (conv and pool before fc), an image input for
// conv and pool, options a layer type does not take, and filters or windows
// that do not tile their input (conv_output_volume, as the ConvNet calculator).
struct NetLayout {
  std::vector<Volume> volumes;  // [0] the input, [l+1] after hidden layer l; flat = 1 x 1 x D
  int bad_layer = -1;           // the hidden layer at fault; -1 for the spec as a whole
  std::string problem;          // a sentence without the layer's name; empty when buildable
  bool ok() const { return problem.empty(); }
};
// input_dim is the number of features per row the data gives, for flat
// inputs (0: not known yet; image inputs take theirs from spec.input).
NetLayout net_layout(const ModelSpec& spec, int input_dim = 0);

// What one hidden layer's backward needs from its forward.
struct HiddenCache {
  AffineCache affine;  // fc
  ConvCache conv;      // conv
  MaxPoolCache pool;   // pool
  BatchNormCache bn;   // fc and conv (conv: over (N*H'*W', K), see conv_layers.h)
  ActCache act;  // act.x is the activation's input (after batchnorm), also for maxout
  MaxoutCache maxout;
  DropoutCache dropout;
};

// One hidden layer: its parameters and the caches of the last training pass.
struct HiddenLayer {
  HiddenLayerSpec spec;
  int pieces = 0;  // fc: affine outputs, width * maxout_k for Maxout, width otherwise;
                   // conv: K, the channels batchnorm normalises; pool: 0
  ConvGeom geom;   // conv and pool: input and output volumes, F, S, P
  Mat W, b;        // fc: (pieces, fan_in), (1, pieces); conv: (K, C*F*F), (1, K);
                   // pool: empty. b stays zero without a bias
  Mat dW, db;
  Mat gamma, beta, dgamma, dbeta;   // (1, pieces), batchnorm only
  Mat running_mean, running_var;    // (1, pieces), batchnorm only (test-time statistics)
  HiddenCache cache;  // of the last forward_backward (training mode)
  bool has_weights() const { return spec.type != LayerType::Pool; }
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
  // "W1","b1","gamma1","beta1", ..., "W<L>","b<L>" with L = hidden layers + 1:
  // the number is the layer's position, so a pool layer (no parameters) leaves
  // its number out ("W1", "W3" around pool 2) and W3 always belongs to the
  // inspector's layer 3. No "b" entries without a bias; gamma/beta only where
  // batchnorm is on (per channel for conv layers).
  std::vector<ParamRef> params() override;
  // "running_mean1", "running_var1", ... where batchnorm is on.
  std::vector<ParamRef> buffers() override;
  LossParts forward_backward(const Mat& X, const Labels& y, Rng& rng) override;
  // Test mode (no dropout, batchnorm running averages).
  Mat scores(const Mat& X) const override;
  LossParts loss(const Mat& X, const Labels& y) const override;
  LossParts forward_backward_targets(const Mat& X, const Mat& T, Rng& rng) override;
  LossParts loss_targets(const Mat& X, const Mat& T) const override;
  void set_hyperparameters(const ModelSpec& spec) override;
  const LossSpec& loss_spec() const override { return loss_spec_; }
  void set_loss_spec(const LossSpec& loss) override { loss_spec_ = loss; }
  std::vector<int32_t> kink_pattern() const override;
  // Pool layers report their maxima as both pre and post (act Linear).
  std::vector<LayerActivations> hidden_activations(const Mat& X) const override;
  // Throws std::runtime_error for a network with conv or pool layers: they
  // are no chain of affine layers (the 2D scorer never sees them).
  std::vector<FoldedLayer> folded_layers() const override;
  std::unique_ptr<Model> clone() const override { return std::make_unique<Net>(*this); }

  // Sum of the regularisation of every W (never b, gamma, beta).
  double reg_loss() const override;

  std::vector<HiddenLayer> layers;  // hidden layers, input side first
  Volume input_volume;              // image inputs: W x H x D; flat: 1 x 1 x features
  Mat W_out, b_out;                 // final affine: (C, last width), (1, C)
  Mat dW_out, db_out;
  bool use_bias = true;

 private:
  // Shared forward. train: dropout on, batch statistics, caches written into
  // `layers` (so it needs a mutable Net). Test mode writes nothing of the Net.
  Mat forward_train(const Mat& X, Rng& rng);
  Mat forward_test(const Mat& X, std::vector<LayerActivations>* hidden) const;
  void check_input(const Mat& X) const;
  // The backward pass from the data loss of the training-mode scores s.
  LossParts backward(const Mat& s, const DataLoss& dl);

  LossSpec loss_spec_;  // loss kind, delta, reg, lambda, l1_ratio (may be changed live)
  int input_dim_ = 0;
  AffineCache out_cache_;
  Mat last_scores_;
  Labels last_y_;
  Mat last_T_;  // regression targets of the last forward_backward_targets
};

}  // namespace nn
