// fast_conv_layers.cpp: the fast engine's conv and max-pool layers.
#include "core/fast/fast_conv_layers.h"

#include <stdexcept>

#include "core/fast/gemm.h"

namespace nn::fast {

std::string conv_layers_unsupported(const ModelSpec& spec) {
  for (size_t l = 0; l < spec.hidden.size(); ++l) {
    const HiddenLayerSpec& h = spec.hidden[l];
    if (h.type != LayerType::Conv) continue;
    const std::string which = "conv layer " + std::to_string(l + 1);
    if (h.act == Activation::Maxout) return which + " uses maxout, which conv layers do not have";
    if (h.batchnorm) return which + " has spatial batchnorm, which the fast engine does not have";
    if (h.dropout_keep < 1) return which + " has dropout, which the fast engine's conv layers do not have";
  }
  return "";
}

ConvLayer::ConvLayer(const HiddenLayerSpec& h, const ConvGeom& g, bool use_bias, const std::string& suffix,
                     ParamArena& params, int threads)
    : g_(g), act_(h.act), alpha_(float(h.alpha)), relu_(h.act == Activation::ReLU) {
  in_cols = g.in_cols();
  out_cols = g.out_cols();
  W_ = params.add("W" + suffix, g.K, g.C * g.F * g.F, true);
  if (use_bias) b_ = params.add("b" + suffix, 1, g.K, false);
  ws_.reserve(g, threads);
}

static bool fused(Activation a) { return a == Activation::ReLU || a == Activation::Linear; }

void ConvLayer::reserve(int N) {
  if (!fused(act_)) z_.assign(size_t(N) * out_cols, 0.f);
}

void ConvLayer::forward(const float* x, float* y, int N, const Pass& pass) {
  const float* b = b_ >= 0 ? pass.params->value(b_) : nullptr;
  if (fused(act_)) {
    conv_forward_f32(y, x, pass.params->value(W_), b, N, g_, relu_, ws_);
    return;
  }
  conv_forward_f32(z_.data(), x, pass.params->value(W_), b, N, g_, false, ws_);
  act_forward(act_, alpha_, z_.data(), y, N * out_cols);
}

void ConvLayer::backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) {
  if (!fused(act_)) act_backward(act_, alpha_, z_.data(), y, dy, dy, N * out_cols);  // dy := dz
  conv_backward_f32(dx, pass.params->grad(W_), b_ >= 0 ? pass.params->grad(b_) : nullptr, dy, x,
                    pass.params->value(W_), relu_ && !masked_by_next_ ? y : nullptr, N, g_, ws_);
}

PoolLayer::PoolLayer(const ConvGeom& g, bool relu_input) : g_(g), relu_input_(relu_input) {
  in_cols = g.in_cols();
  out_cols = g.out_cols();
}

void PoolLayer::reserve(int N) { argmax_.assign(size_t(N) * out_cols, 0); }

void PoolLayer::forward(const float* x, float* y, int N, const Pass& pass) {
  maxpool_forward_f32(y, argmax_.data(), x, N, g_, pass.threads);
}

void PoolLayer::backward(const float* x, const float*, float* dy, float* dx, int N, const Pass& pass) {
  if (dx) maxpool_backward_f32(dx, dy, argmax_.data(), relu_input_ ? x : nullptr, N, g_, pass.threads);
}

}  // namespace nn::fast
