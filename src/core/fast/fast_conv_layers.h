// fast_conv_layers.h: the fast engine's conv and max-pool layers
// (fast::Layer, see fast_layers.h), over the float32 kernels of
// conv_kernels.h. Same parameters, names and shapes as the reference's conv
// layer: "W<n>" (K, C*F*F), "b<n>" (1, K).
//
// ReLU is fused: into the conv's GEMM epilogue on the way forward and, when
// a pool layer follows the conv, into the pool's backward (a winner that
// the ReLU switched off passes no gradient), so the conv's backward gets an
// already-masked gradient. Without a pool behind it the conv masks its own.
// Other activations (leaky ReLU, ELU, tanh, sigmoid) run after the conv on
// its kept pre-activation, with gemm.h's act_forward / act_backward.
#pragma once
#include <string>
#include <vector>

#include "core/fast/conv_kernels.h"
#include "core/fast/fast_layers.h"

namespace nn::fast {

// "" when every conv and pool layer of spec can run in the fast engine, else
// why not (the engine then trains on the reference).
std::string conv_layers_unsupported(const ModelSpec& spec);

class ConvLayer : public Layer {
 public:
  // suffix: the layer's position "1", "2", ...; threads: slices of the batch.
  ConvLayer(const HiddenLayerSpec& h, const ConvGeom& g, bool use_bias, const std::string& suffix,
            ParamArena& params, int threads);
  void reserve(int N) override;
  void forward(const float* x, float* y, int N, const Pass& pass) override;
  void backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) override;
  void set_hyperparameters(const HiddenLayerSpec& h) override { alpha_ = float(h.alpha); }
  size_t workspace_floats() const override { return ws_.buf.size() + z_.size(); }
  bool relu() const { return relu_; }
  // A pool layer behind this one masks the gradient for the ReLU.
  void set_masked_by_next() { masked_by_next_ = true; }

 private:
  ConvGeom g_;
  Activation act_ = Activation::ReLU;
  float alpha_ = 0;
  bool relu_ = false, masked_by_next_ = false;
  int W_ = -1, b_ = -1;
  ConvWorkspace ws_;
  std::vector<float> z_;  // (N, out_cols) pre-activation, for the activations not fused
};

class PoolLayer : public Layer {
 public:
  // relu_input: the input is a ReLU conv's output (see above).
  PoolLayer(const ConvGeom& g, bool relu_input);
  void reserve(int N) override;
  void forward(const float* x, float* y, int N, const Pass& pass) override;
  void backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) override;
  size_t workspace_floats() const override { return argmax_.size(); }  // int32, as many bytes as floats

 private:
  ConvGeom g_;
  bool relu_input_ = false;
  std::vector<int32_t> argmax_;
};

}  // namespace nn::fast
