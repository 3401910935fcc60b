// act_simd.h: the elementwise activations on one 4-lane vector, as templates
// on the activation so that a caller's loop has them inline (the GEMM's
// epilogue, act_forward / act_backward in gemm.cpp, the fused small-network
// kernel in tiny_net.cpp). The reference's rules (core/models/layers.cpp):
// the slope at x = 0 is the left one.
#pragma once
#include "core/fast/simd.h"
#include "core/spec.h"

namespace nn::fast {

// h = act(z)
template <Activation A>
NN_SIMD_INLINE simd::f4 act_f4(simd::f4 z, simd::f4 alpha) {
  using simd::splat;
  const simd::f4 zero = splat(0.f);
  if constexpr (A == Activation::ReLU) return simd::max(z, zero);
  else if constexpr (A == Activation::LeakyReLU) return simd::select(z > zero, z, alpha * z);
  else if constexpr (A == Activation::ELU) return simd::select(z > zero, z, alpha * (simd::exp(z) - splat(1.f)));
  else if constexpr (A == Activation::Tanh) return simd::tanh(z);
  else if constexpr (A == Activation::Sigmoid) return simd::sigmoid(z);
  else return z;  // Linear (Maxout is not elementwise)
}

// dz = dh * act'(z), given z and h = act(z)
template <Activation A>
NN_SIMD_INLINE simd::f4 act_grad_f4(simd::f4 z, simd::f4 h, simd::f4 dh, simd::f4 alpha) {
  using simd::splat;
  const simd::f4 zero = splat(0.f), one = splat(1.f);
  if constexpr (A == Activation::ReLU) return simd::select(z > zero, dh, zero);  // slope 1 where z > 0
  else if constexpr (A == Activation::LeakyReLU) return simd::select(z > zero, dh, alpha * dh);
  else if constexpr (A == Activation::ELU) return simd::select(z > zero, dh, dh * (h + alpha));  // alpha e^z = h + alpha
  else if constexpr (A == Activation::Tanh) return dh * (one - h * h);
  else if constexpr (A == Activation::Sigmoid) return dh * h * (one - h);
  else return dh;
}

// Calls f.template operator()<A>() for the runtime activation act: one
// switch per call site, the loop inside specialised per activation.
template <class F>
inline void with_activation(Activation act, F&& f) {
  switch (act) {
    case Activation::ReLU: f.template operator()<Activation::ReLU>(); return;
    case Activation::LeakyReLU: f.template operator()<Activation::LeakyReLU>(); return;
    case Activation::ELU: f.template operator()<Activation::ELU>(); return;
    case Activation::Tanh: f.template operator()<Activation::Tanh>(); return;
    case Activation::Sigmoid: f.template operator()<Activation::Sigmoid>(); return;
    case Activation::Linear:
    case Activation::Maxout: f.template operator()<Activation::Linear>(); return;
  }
}

}  // namespace nn::fast
