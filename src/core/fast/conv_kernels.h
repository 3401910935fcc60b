// conv_kernels.h: float32 convolution and max pooling, forward and backward,
// for a minibatch of image volumes. The plain double versions are
// conv_forward / conv_backward / maxpool_forward / maxpool_backward in
// core/models/conv_layers.h: same layout, same geometry (ConvGeom, so the
// same refusal of filters that do not tile), same tie rule for pooling.
// tests/core/test_fast_conv.cpp holds every kernel here against them.
//
// Layout (as conv_layers.h): a minibatch is N rows of C*H*W floats,
// value (c, y, x) of image n at n*C*H*W + (c*H + y)*W + x. W is K rows of
// C*F*F floats, tap (c, ky, kx) at (c*F + ky)*F + kx; b is K floats.
//
// How (measured on workload 6, see README "Benchmarks"): per image, im2col
// gathers the receptive fields into col (C*F*F x H'*W') and one SIMD GEMM
// gives out (K x H'*W') = W col + b, bias and ReLU applied in the GEMM's
// epilogue. Backward per image: dW += dout col^T (dot-product GEMM), db +=
// row sums of dout, dcol = W^T dout (the same GEMM as forward) scattered
// back by col2im into dx. A direct (sliding-window) forward is kept for the
// measurement it was compared in.
//
// Threads: the minibatch is cut into `slices` runs of consecutive images,
// one per thread of the pool (core/fast/parallel.h) when the layer's work is
// large enough to pay for it. Forward and pooling give bit-identical
// results for any slice count; dW and db are summed per slice and the slices
// added in order, so 1 and 2 slices differ by float rounding only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/models/conv_layers.h"
#include "core/spec.h"

namespace nn {

// ---- Workspace ----------------------------------------------------------------------
// Scratch for one conv layer, allocated once by reserve(); the kernels never
// allocate. Per slice: one col buffer (C*F*F x H'*W', reused for dcol), the
// padded image im2col reads (C x (H+2P) x (W+2P), none when P = 0; reused
// for the padded dx), and, for slices after the first, a private dW and db.
struct ConvWorkspace {
  std::vector<float> buf;
  int slices = 1;                 // slices the buffer was sized for
  long min_parallel_macs = 1L << 18;  // below this many multiply-adds per call: one slice
  // threads <= 0: parallel_threads().
  void reserve(const ConvGeom& g, int threads = 0);
  static size_t floats(const ConvGeom& g, int slices);
};

// ---- Convolution --------------------------------------------------------------------
// x (N, C*H*W), W (K, C*F*F), b (K) -> out (N, K*H'*W'):
//   out[n,k,oy,ox] = b[k] + sum_{c,ky,kx} W[k,c,ky,kx] x[n,c,oy*S-P+ky,ox*S-P+kx]
// then max(0, .) when relu. b may be null (no bias).
void conv_forward_f32(float* out, const float* x, const float* W, const float* b, int N, const ConvGeom& g,
                      bool relu, ConvWorkspace& ws);
// The same by sliding each filter tap over the input (no im2col); stride 1
// uses a vectorised row loop, other strides a scalar one. For comparison.
void conv_forward_direct_f32(float* out, const float* x, const float* W, const float* b, int N,
                             const ConvGeom& g, bool relu);
// dout (N, K*H'*W') -> dW (K, C*F*F), db (K) (overwritten; db may be null)
// and dx (N, C*H*W) (overwritten; null for the input layer, which needs
// none). relu_out: the forward's output when it applied ReLU (dout is then
// zeroed in place where relu_out <= 0), else null.
void conv_backward_f32(float* dx, float* dW, float* db, float* dout, const float* x, const float* W,
                       const float* relu_out, int N, const ConvGeom& g, ConvWorkspace& ws);

// ---- Max pooling -------------------------------------------------------------------
// x (N, C*H*W) -> out (N, C*H'*W'); argmax (N*C*H'*W') the winner's index in
// its image's row (as MaxPoolCache::argmax). Ties: the first in scan order.
// Large batches are split by image over the pool unless threads == 1.
void maxpool_forward_f32(float* out, int32_t* argmax, const float* x, int N, const ConvGeom& g, int threads = 0);
// dout (N, C*H'*W') -> dx (N, C*H*W), overwritten. relu_x: when the pool's
// input came out of a ReLU (fused into the conv), that input: a winner with
// relu_x <= 0 passes no gradient, so dx is already the conv's pre-ReLU
// gradient and conv_backward_f32 needs no relu_out.
void maxpool_backward_f32(float* dx, const float* dout, const int32_t* argmax, const float* relu_x, int N,
                          const ConvGeom& g, int threads = 0);

// ---- Memory of a ConvNet's conv and pool layers -----------------------------------
// For the fast path at a given batch size, in bytes. activations: what the
// forward keeps for the backward (the input and every conv/pool output, N
// rows each). workspace: everything else the conv and pool layers use: the
// im2col buffers and per-slice partial dW/db (ConvWorkspace), the pool
// layers' argmax indices, and two gradient buffers as large as the largest
// conv/pool volume, which backward uses in turn for dout and dx.
struct ConvMemory {
  size_t activations = 0;
  size_t im2col = 0, partial_grads = 0, argmax = 0, grad_buffers = 0;
  size_t workspace() const { return im2col + partial_grads + argmax + grad_buffers; }
};

// Of the leading conv and pool layers of spec at `batch` images (the input
// batch counted as an activation), as the fast engine's conv and pool layers
// (fast_conv_layers.h) and its activation and gradient buffers hold them.
// Throws net_layout's sentence for layers that do not tile.
ConvMemory conv_memory(const ModelSpec& spec, int batch, int threads = 0);

}  // namespace nn
