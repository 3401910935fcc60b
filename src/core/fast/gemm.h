// gemm.h: the float32 matrix product behind every fast layer,
//   C (I x J) = A (I x K) B (K x J)   [then + bias, then an activation],
// as one register-blocked kernel (f32-gemm 4x8: four rows of C by two 4-lane
// vectors) on the portable vectors of simd.h (SSE natively, wasm simd128 on
// the web). gemm_reference() is the plain triple loop it is tested against.
#pragma once
#include "core/spec.h"

namespace nn::fast {

// B must stay readable for kGemmSlack floats past the end of its last row:
// the last 1-3 columns of C are computed with whole 4-lane loads of B, whose
// extra lanes are discarded. (Every buffer the engine passes as B has it.)
constexpr int kGemmSlack = 4;

// A is read through strides so that one kernel serves x W (A = x) and
// x^T dout (A = x transposed, for dW): element (i, k) is A[i*a_row + k*a_col].
// B and C are row-major with row strides ldb and ldc.
struct GemmA {
  const float* p = nullptr;
  int a_row = 0, a_col = 1;
  float at(int i, int k) const { return p[long(i) * a_row + long(k) * a_col]; }
};

// What happens to each finished block of rows of C while it is still in cache.
// bias (J floats) is added to every row; then, if post is set, post (same
// layout as C, row stride ldc) receives act(C) and C keeps the pre-activation.
struct Epilogue {
  const float* bias = nullptr;
  Activation act = Activation::Linear;  // any elementwise one (not Maxout)
  float alpha = 0;                      // leaky ReLU slope / ELU scale
  float* post = nullptr;
};

// Splits the rows of C over the thread pool when the product has at least
// kGemmParallelMacs multiply-adds and threads > 1; each row of C is computed by
// one thread in the same order either way, so the result does not depend on
// the thread count.
constexpr long kGemmParallelMacs = 1L << 18;
void gemm(int I, int J, int K, GemmA A, const float* B, int ldb, float* C, int ldc, const Epilogue& ep = {},
          int threads = 1);
void gemm_reference(int I, int J, int K, GemmA A, const float* B, int ldb, float* C, int ldc,
                    const Epilogue& ep = {});

// ---- Elementwise activations on rows of n floats ---------------------------------
// h = act(z); Linear copies (unless h == z). SIMD, with simd.h's exp/tanh/sigmoid.
void act_forward(Activation act, float alpha, const float* z, float* h, int n);
// dz = dh * act'(z) given z and h = act(z) (the reference's rules: the slope at
// x = 0 is the left one). dz may alias dh.
void act_backward(Activation act, float alpha, const float* z, const float* h, const float* dh, float* dz, int n);

}  // namespace nn::fast
