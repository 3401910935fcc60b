// tiny_net.h: the fused training pass of a small fully connected network
// (the playground's 2-6-2-2 and 2-16-16-3 nets): forward, loss and backward
// of a whole minibatch in one routine, with the four SIMD lanes running four
// EXAMPLES side by side instead of four units. A layer narrower than the
// GEMM's 4x8 tile (fast/gemm.h) would leave most lanes of that kernel idle
// and pay a call per product, per bias, per activation; here every lane is
// busy whatever the widths (only the last group of a batch of 10 has two
// empty lanes), the bias and activation are applied while the sums are
// still in registers, and nothing is called per layer but the layer loop.
//
// Layout: the batch in groups of four examples; a layer's values for one
// group are `width` vectors, vector u holding unit u of the four examples.
//   forward   z[u] = b[u] + sum_k Wt[k, u] x[k]    (Wt stored fan_in x width, as the arena)
//             h[u] = act(z[u])
//   backward  dz = dh * act'(z)                    (act_grad_f4)
//             db[u]    = sum over examples of dz[u]
//             dWt[k,u] = sum over examples of x[k] dz[u]
//             dx[k]    = sum_u Wt[k, u] dz[u]
// It covers the fully connected networks and linear classifiers without
// batchnorm, dropout or maxout whose every width (input, hidden, classes) is
// at most kTinyMaxWidth, with the losses of fast_loss.h; FastEngine uses it
// for those when the batch's largest product is below the GEMM's threading
// threshold (small work stays on one thread), the layer path otherwise.
// Tested against the layer path and the double reference
// (tests/core/test_tiny_net.cpp).
#pragma once
#include <string>
#include <vector>

#include "core/fast/fast_layers.h"
#include "core/fast/simd.h"
#include "core/spec.h"

namespace nn::fast {

constexpr int kTinyMaxWidth = 32;

// "" if the fused pass can train this description, else why not.
std::string tiny_net_unsupported(const ModelSpec& spec, int input_dim, int classes);
// The losses it computes (the others go through the layer path).
bool tiny_net_loss_supported(LossKind kind);

class TinyNet {
 public:
  // The layers of `spec` over the parameter blocks of `params` (by the
  // reference's names: W1, b1, ... or W, b for the linear classifier).
  TinyNet(const ModelSpec& spec, int input_dim, int classes, const ParamArena& params);
  // Multiply-adds per example of the forward pass.
  long macs_per_example() const { return macs_; }
  // The widest single product of a batch of n rows (what gemm would split).
  long largest_product(int n) const { return long(n) * max_layer_macs_; }
  // The activations' alpha (the only thing set_hyperparameters changes here).
  void set_alpha(const ModelSpec& spec);
  // Training-mode forward and backward of rows idx[0..n) of X (row-major,
  // input_dim values per row) with labels y[idx[i]]: WRITES the gradient of
  // the mean data loss (1/n times the sum) into every parameter's grad;
  // returns the SUM of the n rows' data losses.
  double forward_backward(const float* X, const int* y, const int* idx, int n, const LossSpec& loss,
                          ParamArena& params);
  size_t workspace_floats() const;

 private:
  struct Layer {
    int in = 0, out = 0;
    int W = -1, b = -1;  // arena blocks (b = -1: no bias)
    Activation act = Activation::Linear;
    float alpha = 0;
    long ws_offset = 0;  // of its weights in ws_
  };
  void reserve(int groups);
  double loss_and_grad(const simd::f4* s, simd::f4* ds, const int* y, const int* idx, int n, const LossSpec& loss);

  std::vector<Layer> layers_;
  long macs_ = 0, max_layer_macs_ = 0;
  int groups_cap_ = 0;
  // Per layer l (groups x width vectors each): a_[l] its input (a_[0] the
  // batch, a_[L] the scores), z_[l] its pre-activation (kept only for the
  // ReLU family, whose slope depends on its sign); d_ and dx_: the
  // gradient flowing down, used in turn.
  std::vector<std::vector<simd::f4>> a_, z_;
  std::vector<simd::f4> d_, dx_;
  std::vector<simd::f4> ws_;  // every layer's Wt, each weight splatted to a vector
  std::vector<float> rows_, drows_;  // a group's scores as 4 rows, for the row-wise losses
};

}  // namespace nn::fast
