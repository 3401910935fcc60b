// fast_layers.h: the float32 network as a list of layers, each a forward /
// backward pair over a minibatch workspace (the same layout as the reference:
// one row per example, N x C*H*W row-major for image volumes, N x width for
// fully connected layers, so a layer's output is the next layer's input
// without a copy).
//
// ---- How a layer is added ----------------------------------------------------------
// 1. Derive from fast::Layer. Set in_cols / out_cols (values per example) in
//    the constructor, and register the layer's parameters and buffers there
//    with ParamArena::add under the reference model's names and shapes
//    ("W3", "b3", "gamma3", "running_mean3", ...; Net::params() order), so
//    that model() / set_params() copy them by name. Keep the returned block
//    indices, not pointers: the engine double-buffers values (the optimiser
//    writes the new values beside the old ones, which restore_last_good()
//    puts back), so look the pointer up in every call: pass.params->value(i).
// 2. reserve(N): size every per-batch cache for N rows. The engine calls it
//    only when the batch capacity grows; forward/backward must not allocate.
// 3. forward(x, y, N, pass): x is (N, in_cols), y (N, out_cols) is owned by
//    the engine. pass.train: training mode (batch statistics, dropout masks
//    drawn from *pass.rng row by row in layer order, caches for backward).
//    Test mode must not touch the caches a pending backward needs? It may:
//    the engine never runs a test pass between a forward and its backward.
// 4. backward(x, y, dy, dx, N, pass): x and y as in the last training
//    forward; dy (N, out_cols) is scratch the layer may overwrite; write dx
//    (N, in_cols) unless it is null (the first layer), and WRITE (not add)
//    every parameter gradient: pass.params->grad(i). The engine adds the
//    regularisation of every block registered as regularized afterwards.
// 5. Build it in FastNet's constructor (fast_engine.cpp, build_layers) for
//    its LayerType, and list what it cannot do in fast_engine_unsupported().
// The kernels to build from: gemm.h (products with fused bias + activation),
// act_forward/act_backward, and the batchnorm / dropout helpers below.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/spec.h"

namespace nn::fast {

// ---- Parameters: one contiguous arena -------------------------------------------------
// Every parameter's values end to end (and its gradient at the same offset),
// so clipping and the optimisers are single loops over the whole network.
struct ParamBlock {
  std::string name;         // the reference's: "W1", "b1", "gamma1", "running_mean1"
  int rows = 0, cols = 0;   // the reference's shape
  bool regularized = false; // W only: never biases, gamma or beta
  bool transposed = false;  // stored cols x rows (a fully connected W as in x out)
  size_t offset = 0;
  size_t size() const { return size_t(rows) * size_t(cols); }
};

class ParamArena {
 public:
  // Registers a block (before allocate()); returns its index.
  int add(const std::string& name, int rows, int cols, bool regularized, bool transposed = false);
  void allocate();  // zeroed values (both copies) and gradients
  size_t size() const { return size_; }
  const std::vector<ParamBlock>& blocks() const { return blocks_; }
  int find(const std::string& name) const;  // -1 if absent

  float* value(int b) { return values_[cur_].data() + blocks_[size_t(b)].offset; }
  const float* value(int b) const { return values_[cur_].data() + blocks_[size_t(b)].offset; }
  float* grad(int b) { return grads_.data() + blocks_[size_t(b)].offset; }
  const float* grad(int b) const { return grads_.data() + blocks_[size_t(b)].offset; }
  float* values() { return values_[cur_].data(); }
  const float* values() const { return values_[cur_].data(); }
  float* grads() { return grads_.data(); }
  // The other copy: before a step the optimiser writes the new values there
  // and flip()s; afterwards it holds the values before the step.
  float* other() { return values_[cur_ ^ 1].data(); }
  const float* other() const { return values_[cur_ ^ 1].data(); }
  void flip() { cur_ ^= 1; }
  // Copies the current values into the other copy (state that a step changes
  // in place, such as batchnorm running averages, saved before the step).
  // Only the size() values (the padding after them stays zero in both copies).
  void save();

 private:
  std::vector<ParamBlock> blocks_;
  std::vector<float> values_[2], grads_;
  int cur_ = 0;
  size_t size_ = 0;
};

// What a layer's forward/backward needs besides its input.
struct Pass {
  bool train = false;
  Rng* rng = nullptr;           // training mode: dropout masks
  ParamArena* params = nullptr; // trained parameters (value/grad)
  ParamArena* buffers = nullptr;  // running averages (value only)
  int threads = 1;              // for gemm and other split work
};

class Layer {
 public:
  virtual ~Layer() = default;
  virtual void reserve(int N) = 0;
  virtual void forward(const float* x, float* y, int N, const Pass& pass) = 0;
  virtual void backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) = 0;
  // dropout p and the activation's alpha (what set_hyperparameters may change).
  virtual void set_hyperparameters(const HiddenLayerSpec& h) { (void)h; }
  // Floats of per-batch caches at the reserved capacity (the bench reports it).
  virtual size_t workspace_floats() const { return 0; }
  int in_cols = 0, out_cols = 0;  // values per example
  bool first = false;  // the engine's first layer: backward gets dx = null (no caches for it needed)
};

// ---- Shared pieces for layers -----------------------------------------------------------

// Batch normalisation of x (N, M), per column. Train: batch mean and biased
// variance, running = 0.9 running + 0.1 batch (layers.h constants). Test: the
// running averages. xhat and out are (N, M), inv_std (M).
void batchnorm_forward(const float* x, int N, int M, const float* gamma, const float* beta, bool train,
                       float* running_mean, float* running_var, float* xhat, float* inv_std, float* out);
// dout (N, M) -> dx (may alias dout), dgamma, dbeta (M each). Train mode only.
void batchnorm_backward(const float* dout, const float* xhat, const float* inv_std, const float* gamma, int N,
                        int M, float* dx, float* dgamma, float* dbeta);
// mask = (rng.uniform() < p) / p, row by row (as the reference), y = h * mask.
void dropout_forward(const float* h, int n, float p, Rng& rng, float* mask, float* y);
// Sum over N rows of (N, M): out (M).
void column_sums(const float* x, int N, int M, float* out);
// Rows [o0, o1) of dst (cols x rows) = the transpose of src (rows x cols).
void transpose_rows(const float* src, int rows, int cols, float* dst, int o0, int o1);

// ---- The fully connected layer -----------------------------------------------------------
// affine (x Wt + b, Wt stored in x out) -> [batchnorm] -> activation or maxout
// -> [dropout], with the reference hidden layer's parameters "W<n>", "b<n>",
// "gamma<n>", "beta<n>" and buffers "running_mean<n>", "running_var<n>". The
// output layer is one with act Linear (names "W"/"b" for the linear classifier).
class DenseLayer : public Layer {
 public:
  // suffix: "1", "2", ... (or "" for the linear classifier's W and b).
  DenseLayer(const HiddenLayerSpec& h, int fan_in, bool use_bias, const std::string& suffix, ParamArena& params,
             ParamArena& buffers);
  void reserve(int N) override;
  void forward(const float* x, float* y, int N, const Pass& pass) override;
  void backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) override;
  void set_hyperparameters(const HiddenLayerSpec& h) override;
  size_t workspace_floats() const override;

 private:
  HiddenLayerSpec spec_;
  int pieces_ = 0, width_ = 0;  // affine outputs, layer outputs (differ for maxout)
  int W_ = -1, b_ = -1, gamma_ = -1, beta_ = -1, rmean_ = -1, rvar_ = -1;  // block indices
  bool maxout_ = false, bn_ = false, dropout_ = false, direct_ = false;    // direct: affine straight into y
  // Per-batch caches (N rows): z affine output, a activation input (batchnorm
  // output), h activation output before dropout, mask, maxout winners.
  std::vector<float> z_, xhat_, a_, h_, mask_, da_, W_rm_, inv_std_;
  std::vector<int32_t> argmax_;
  int cap_ = 0;
};

}  // namespace nn::fast
