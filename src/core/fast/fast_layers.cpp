// fast_layers.cpp: the parameter arena, the batchnorm / dropout helpers and
// the fully connected layer of the float32 engine.
#include "core/fast/fast_layers.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/fast/gemm.h"
#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/models/layers.h"

namespace nn::fast {

using simd::f4;
using simd::splat;

// ---- Arena ----------------------------------------------------------------------------

int ParamArena::add(const std::string& name, int rows, int cols, bool regularized, bool transposed) {
  ParamBlock b;
  b.name = name;
  b.rows = rows;
  b.cols = cols;
  b.regularized = regularized;
  b.transposed = transposed;
  // Blocks start on a 16-byte boundary (4 floats) so every row of a block
  // whose width is a multiple of 4 is aligned too.
  b.offset = (size_ + 3) & ~size_t(3);
  size_ = b.offset + b.size();
  blocks_.push_back(b);
  return int(blocks_.size()) - 1;
}

void ParamArena::allocate() {
  // kGemmSlack: a W block is gemm's B operand.
  values_[0].assign(size_ + kGemmSlack, 0.f);
  values_[1].assign(size_ + kGemmSlack, 0.f);
  grads_.assign(size_ + kGemmSlack, 0.f);
  cur_ = 0;
}

void ParamArena::save() {
  if (size_ > 0) simd::copy32(values_[cur_ ^ 1].data(), values_[cur_].data(), size_);
}

int ParamArena::find(const std::string& name) const {
  for (size_t i = 0; i < blocks_.size(); ++i)
    if (blocks_[i].name == name) return int(i);
  return -1;
}

// ---- Helpers ----------------------------------------------------------------------------

void column_sums(const float* x, int N, int M, float* out) {
  std::memset(out, 0, size_t(M) * sizeof(float));
  for (int n = 0; n < N; ++n) {
    const float* r = x + long(n) * M;
    int j = 0;
    for (; j + 4 <= M; j += 4) simd::store(out + j, simd::load(out + j) + simd::load(r + j));
    for (; j < M; ++j) out[j] += r[j];
  }
}

void batchnorm_forward(const float* x, int N, int M, const float* gamma, const float* beta, bool train,
                       float* running_mean, float* running_var, float* xhat, float* inv_std, float* out) {
  // mean and var live in inv_std's storage for a moment: var first, then 1/sqrt(var + eps).
  float* mean = xhat;  // row 0 of xhat as scratch for the mean until xhat is written
  if (train && N > 0) {
    column_sums(x, N, M, mean);
    for (int j = 0; j < M; ++j) mean[j] /= float(N);
    std::memset(inv_std, 0, size_t(M) * sizeof(float));
    for (int n = 0; n < N; ++n)
      for (int j = 0; j < M; ++j) {
        const float d = x[long(n) * M + j] - mean[j];
        inv_std[j] += d * d;
      }
    for (int j = 0; j < M; ++j) {
      const float var = inv_std[j] / float(N);  // biased, as the reference
      running_mean[j] = float(kBatchNormMomentum) * running_mean[j] + float(1 - kBatchNormMomentum) * mean[j];
      running_var[j] = float(kBatchNormMomentum) * running_var[j] + float(1 - kBatchNormMomentum) * var;
      inv_std[j] = var;
    }
  } else {
    std::memcpy(mean, running_mean, size_t(M) * sizeof(float));
    std::memcpy(inv_std, running_var, size_t(M) * sizeof(float));
  }
  for (int j = 0; j < M; ++j) inv_std[j] = 1.f / std::sqrt(inv_std[j] + float(kBatchNormEps));
  // Row 0 last: its xhat overwrites the mean.
  for (int n = N - 1; n >= 0; --n) {
    const float* xr = x + long(n) * M;
    float* hr = xhat + long(n) * M;
    float* o = out + long(n) * M;
    for (int j = 0; j < M; ++j) {
      const float xh = (xr[j] - mean[j]) * inv_std[j];
      hr[j] = xh;
      o[j] = gamma[j] * xh + beta[j];  // out = gamma * xhat + beta
    }
  }
}

void batchnorm_backward(const float* dout, const float* xhat, const float* inv_std, const float* gamma, int N,
                        int M, float* dx, float* dgamma, float* dbeta) {
  // out = gamma * xhat + beta
  column_sums(dout, N, M, dbeta);
  std::memset(dgamma, 0, size_t(M) * sizeof(float));
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < M; ++j) dgamma[j] += dout[long(n) * M + j] * xhat[long(n) * M + j];
  // dxhat = dout * gamma, sum(dxhat) = gamma * dbeta, sum(dxhat * xhat) = gamma * dgamma;
  //   dx = inv_std / N * (N * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))
  const float fN = float(N);
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < M; ++j) {
      const long k = long(n) * M + j;
      const float dxhat = dout[k] * gamma[j];
      dx[k] = inv_std[j] / fN * (fN * dxhat - gamma[j] * dbeta[j] - xhat[k] * gamma[j] * dgamma[j]);
    }
}

void dropout_forward(const float* h, int n, float p, Rng& rng, float* mask, float* y) {
  const float keep = 1.f / p;
  const double pd = p;
  for (int k = 0; k < n; ++k) mask[k] = rng.uniform() < pd ? keep : 0.f;
  int k = 0;
  for (; k + 4 <= n; k += 4) simd::store(y + k, simd::load(h + k) * simd::load(mask + k));
  for (; k < n; ++k) y[k] = h[k] * mask[k];
}

// dst (cols x rows) rows [o0, o1) = the transpose of src (rows x cols):
// dst[o][i] = src[i][o]. 4x4 blocks through registers, the edges one by one.
void transpose_rows(const float* src, int rows, int cols, float* dst, int o0, int o1) {
  int o = o0;
  for (; o + 4 <= o1; o += 4) {
    int i = 0;
    for (; i + 4 <= rows; i += 4) {
      const float* s0 = src + long(i) * cols + o;
      const f4 r0 = simd::load(s0), r1 = simd::load(s0 + cols), r2 = simd::load(s0 + 2 * cols),
               r3 = simd::load(s0 + 3 * cols);
      const f4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
      const f4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
      float* d = dst + long(o) * rows + i;
      simd::store(d, __builtin_shufflevector(t0, t2, 0, 1, 4, 5));
      simd::store(d + rows, __builtin_shufflevector(t0, t2, 2, 3, 6, 7));
      simd::store(d + 2 * rows, __builtin_shufflevector(t1, t3, 0, 1, 4, 5));
      simd::store(d + 3 * rows, __builtin_shufflevector(t1, t3, 2, 3, 6, 7));
    }
    for (; i < rows; ++i)
      for (int q = o; q < o + 4; ++q) dst[long(q) * rows + i] = src[long(i) * cols + q];
  }
  for (; o < o1; ++o)
    for (int i = 0; i < rows; ++i) dst[long(o) * rows + i] = src[long(i) * cols + o];
}

// ---- Dense layer -----------------------------------------------------------------------

DenseLayer::DenseLayer(const HiddenLayerSpec& h, int fan_in, bool use_bias, const std::string& suffix,
                       ParamArena& params, ParamArena& buffers)
    : spec_(h) {
  maxout_ = h.act == Activation::Maxout;
  bn_ = h.batchnorm;
  dropout_ = h.dropout_keep < 1.0;
  width_ = h.width;
  pieces_ = maxout_ ? h.width * h.maxout_k : h.width;
  direct_ = !maxout_ && !bn_ && !dropout_ && h.act == Activation::Linear;
  in_cols = fan_in;
  out_cols = width_;
  W_ = params.add("W" + suffix, pieces_, fan_in, true, true);
  if (use_bias) b_ = params.add("b" + suffix, 1, pieces_, false);
  if (bn_) {
    gamma_ = params.add("gamma" + suffix, 1, pieces_, false);
    beta_ = params.add("beta" + suffix, 1, pieces_, false);
    rmean_ = buffers.add("running_mean" + suffix, 1, pieces_, false);
    rvar_ = buffers.add("running_var" + suffix, 1, pieces_, false);
  }
}

void DenseLayer::set_hyperparameters(const HiddenLayerSpec& h) {
  spec_.alpha = h.alpha;
  spec_.dropout_keep = h.dropout_keep;
  const bool dropout = h.dropout_keep < 1.0;
  if (dropout != dropout_) {
    dropout_ = dropout;
    direct_ = !maxout_ && !bn_ && !dropout_ && spec_.act == Activation::Linear;
    const int N = cap_;
    cap_ = 0;
    reserve(N);  // a new cache (not in a step: the user changed p)
  }
}

void DenseLayer::reserve(int N) {
  if (N <= cap_) return;
  cap_ = N;
  const size_t np = size_t(N) * pieces_, nw = size_t(N) * width_;
  z_.assign(direct_ ? 0 : np, 0.f);
  xhat_.assign(bn_ ? np : 0, 0.f);
  a_.assign(bn_ ? np : 0, 0.f);
  h_.assign(dropout_ ? nw : 0, 0.f);
  mask_.assign(dropout_ ? nw : 0, 0.f);
  da_.assign(maxout_ ? np + kGemmSlack : 0, 0.f);  // gemm's B in backward
  argmax_.assign(maxout_ ? nw : 0, 0);
  inv_std_.assign(bn_ ? size_t(pieces_) : 0, 0.f);
  // W as (pieces, fan_in) for dx = d W; the first layer computes no dx.
  W_rm_.assign(first ? 0 : size_t(pieces_) * in_cols + kGemmSlack, 0.f);
}

size_t DenseLayer::workspace_floats() const {
  return z_.size() + xhat_.size() + a_.size() + h_.size() + mask_.size() + da_.size() + argmax_.size() +
         W_rm_.size() + inv_std_.size();
}

// x (N, fan_in) -> y (N, width)
void DenseLayer::forward(const float* x, float* y, int N, const Pass& pass) {
  ParamArena& P = *pass.params;
  const float* Wt = P.value(W_);  // (fan_in, pieces)
  const float* b = b_ >= 0 ? P.value(b_) : nullptr;
  const GemmA X{x, in_cols, 1};
  float* h = dropout_ ? h_.data() : y;  // activation output
  if (direct_) {
    gemm(N, pieces_, in_cols, X, Wt, pieces_, y, pieces_, {b}, pass.threads);
    return;
  }
  const bool fused = !bn_ && !maxout_;  // z = x Wt + b and h = act(z) in one pass over the rows
  Epilogue ep{b};
  if (fused) {
    ep.act = spec_.act;
    ep.alpha = float(spec_.alpha);
    ep.post = h;
  }
  gemm(N, pieces_, in_cols, X, Wt, pieces_, z_.data(), pieces_, ep, pass.threads);
  const float* a = z_.data();
  if (bn_) {
    ParamArena& B = *pass.buffers;
    batchnorm_forward(z_.data(), N, pieces_, P.value(gamma_), P.value(beta_), pass.train, B.value(rmean_),
                      B.value(rvar_), xhat_.data(), inv_std_.data(), a_.data());
    a = a_.data();
    if (!maxout_) act_forward(spec_.act, float(spec_.alpha), a, h, N * pieces_);
  }
  if (maxout_) {
    // out[n, u] = max of unit u's k pieces; ties go to the lowest piece
    const int k = spec_.maxout_k;
    for (int n = 0; n < N; ++n)
      for (int u = 0; u < width_; ++u) {
        const float* p = a + long(n) * pieces_ + long(u) * k;
        int best = 0;
        for (int q = 1; q < k; ++q)
          if (p[q] > p[best]) best = q;
        argmax_[size_t(n) * width_ + u] = best;
        h[long(n) * width_ + u] = p[best];
      }
  }
  if (dropout_ && pass.train) dropout_forward(h, N * width_, float(spec_.dropout_keep), *pass.rng, mask_.data(), y);
  else if (dropout_) std::memcpy(y, h, size_t(N) * width_ * sizeof(float));
}

void DenseLayer::backward(const float* x, const float* y, float* dy, float* dx, int N, const Pass& pass) {
  ParamArena& P = *pass.params;
  const int nw = N * width_;
  if (dropout_) {  // out = h * mask
    for (int k = 0; k < nw; ++k) dy[k] *= mask_[size_t(k)];
  }
  float* d = dy;  // becomes d(affine output), (N, pieces)
  if (!direct_) {
    const float* h = dropout_ ? h_.data() : y;
    const float* a = bn_ ? a_.data() : z_.data();
    if (maxout_) {
      // out[n,u] = a[n, u*k + argmax]: the gradient goes to the winner only
      const int k = spec_.maxout_k;
      std::memset(da_.data(), 0, size_t(N) * pieces_ * sizeof(float));
      for (int n = 0; n < N; ++n)
        for (int u = 0; u < width_; ++u)
          da_[size_t(n) * pieces_ + size_t(u) * k + size_t(argmax_[size_t(n) * width_ + u])] =
              dy[long(n) * width_ + u];
      d = da_.data();
    } else {
      act_backward(spec_.act, float(spec_.alpha), a, h, dy, dy, nw);
    }
    if (bn_)
      batchnorm_backward(d, xhat_.data(), inv_std_.data(), P.value(gamma_), N, pieces_, d, P.grad(gamma_),
                         P.grad(beta_));
  }
  // z = x Wt + b
  if (b_ >= 0) column_sums(d, N, pieces_, P.grad(b_));  // db (pieces)
  // dWt (fan_in, pieces) = x^T d: A(i, k) = x[k, i]
  gemm(in_cols, pieces_, N, GemmA{x, 1, in_cols}, d, pieces_, P.grad(W_), pieces_, {}, pass.threads);
  if (!dx) return;
  // dx (N, fan_in) = d W, with W (pieces, fan_in) the transpose of the stored Wt
  const float* Wt = P.value(W_);
  auto transpose = [&](int o0, int o1) { transpose_rows(Wt, in_cols, pieces_, W_rm_.data(), o0, o1); };
  // The transpose was nearly all of DenseLayer::backward's own time in a
  // profile of workload 7 (784-256-256-10), about 7 % of the step, on one
  // thread while the products around it ran on the pool: 4x4 blocks, split too.
  if (pass.threads > 1 && long(pieces_) * in_cols >= (1L << 15)) parallel_for(pieces_, transpose, 16);
  else transpose(0, pieces_);
  gemm(N, in_cols, pieces_, GemmA{d, pieces_, 1}, W_rm_.data(), in_cols, dx, in_cols, {}, pass.threads);
}

}  // namespace nn::fast
