// gemm.cpp: the 4x8 float32 GEMM micro-kernel with its bias + activation
// epilogue, and the SIMD activations.
#include "core/fast/gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fast/act_simd.h"
#include "core/fast/parallel.h"
#include "core/fast/simd.h"

namespace nn::fast {

using simd::f4;
using simd::splat;

namespace {

// The first n (< 4) lanes of p; the others 0.
inline f4 load_part(const float* p, int n) {
  float t[4] = {0, 0, 0, 0};
  std::memcpy(t, p, size_t(n) * sizeof(float));
  return simd::load(t);
}
inline void store_part(float* p, f4 v, int n) {
  float t[4];
  simd::store(t, v);
  std::memcpy(p, t, size_t(n) * sizeof(float));
}

// R rows of C (R = 1..4) starting at row i, all J columns: 8 columns at a
// time (R x 2 accumulators), then 4, then the last 1..3 as a part vector.
template <int R>
void rows_kernel(int i, int J, int K, const GemmA& A, const float* B, int ldb, float* C, int ldc) {
  const float* a[R];
  for (int r = 0; r < R; ++r) a[r] = A.p + long(i + r) * A.a_row;
  const long ac = A.a_col;
  int j = 0;
  for (; j + 8 <= J; j += 8) {
    f4 c0[R], c1[R];
    for (int r = 0; r < R; ++r) c0[r] = c1[r] = splat(0.f);
    const float* b = B + j;
    for (int k = 0; k < K; ++k, b += ldb) {
      const f4 b0 = simd::load(b), b1 = simd::load(b + 4);
      for (int r = 0; r < R; ++r) {
        const f4 av = splat(a[r][k * ac]);
        c0[r] += av * b0;
        c1[r] += av * b1;
      }
    }
    for (int r = 0; r < R; ++r) {
      simd::store(C + long(i + r) * ldc + j, c0[r]);
      simd::store(C + long(i + r) * ldc + j + 4, c1[r]);
    }
  }
  if (j + 4 <= J) {
    f4 c0[R];
    for (int r = 0; r < R; ++r) c0[r] = splat(0.f);
    const float* b = B + j;
    for (int k = 0; k < K; ++k, b += ldb) {
      const f4 b0 = simd::load(b);
      for (int r = 0; r < R; ++r) c0[r] += splat(a[r][k * ac]) * b0;
    }
    for (int r = 0; r < R; ++r) simd::store(C + long(i + r) * ldc + j, c0[r]);
    j += 4;
  }
  if (j < J) {
    const int n = J - j;
    f4 c0[R];
    for (int r = 0; r < R; ++r) c0[r] = splat(0.f);
    const float* b = B + j;
    for (int k = 0; k < K; ++k, b += ldb) {
      const f4 b0 = simd::load(b);  // lanes past column J read B's slack (gemm.h) and are dropped
      for (int r = 0; r < R; ++r) c0[r] += splat(a[r][k * ac]) * b0;
    }
    for (int r = 0; r < R; ++r) store_part(C + long(i + r) * ldc + j, c0[r], n);
  }
}

void epilogue_rows(int i0, int i1, int J, float* C, int ldc, const Epilogue& ep) {
  if (ep.bias)
    for (int i = i0; i < i1; ++i) {
      float* c = C + long(i) * ldc;
      int j = 0;
      for (; j + 4 <= J; j += 4) simd::store(c + j, simd::load(c + j) + simd::load(ep.bias + j));
      for (; j < J; ++j) c[j] += ep.bias[j];
    }
  if (!ep.post) return;
  if (ldc == J)  // the rows are one contiguous run: one call, full vectors across row ends
    act_forward(ep.act, ep.alpha, C + long(i0) * J, ep.post + long(i0) * J, (i1 - i0) * J);
  else
    for (int i = i0; i < i1; ++i) act_forward(ep.act, ep.alpha, C + long(i) * ldc, ep.post + long(i) * ldc, J);
}

// Rows [i0, i1) of C: blocks of four, then the remainder.
void gemm_rows(int i0, int i1, int J, int K, const GemmA& A, const float* B, int ldb, float* C, int ldc,
               const Epilogue& ep) {
  int i = i0;
  for (; i + 4 <= i1; i += 4) {
    rows_kernel<4>(i, J, K, A, B, ldb, C, ldc);
    epilogue_rows(i, i + 4, J, C, ldc, ep);
  }
  switch (i1 - i) {
    case 3: rows_kernel<3>(i, J, K, A, B, ldb, C, ldc); break;
    case 2: rows_kernel<2>(i, J, K, A, B, ldb, C, ldc); break;
    case 1: rows_kernel<1>(i, J, K, A, B, ldb, C, ldc); break;
    default: break;
  }
  epilogue_rows(i, i1, J, C, ldc, ep);
}

}  // namespace

void gemm(int I, int J, int K, GemmA A, const float* B, int ldb, float* C, int ldc, const Epilogue& ep,
          int threads) {
  if (I <= 0 || J <= 0) return;
  if (threads > 1 && long(I) * J * K >= kGemmParallelMacs && I >= 8) {
    // Whole blocks of four rows per chunk, so the split does not change the tiles.
    const int blocks = (I + 3) / 4;
    parallel_for(blocks, [&](int b0, int b1) {
      gemm_rows(b0 * 4, std::min(I, b1 * 4), J, K, A, B, ldb, C, ldc, ep);
    });
    return;
  }
  gemm_rows(0, I, J, K, A, B, ldb, C, ldc, ep);
}

void gemm_reference(int I, int J, int K, GemmA A, const float* B, int ldb, float* C, int ldc,
                    const Epilogue& ep) {
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j) {
      double s = 0;
      for (int k = 0; k < K; ++k) s += double(A.at(i, k)) * B[long(k) * ldb + j];
      C[long(i) * ldc + j] = float(s + (ep.bias ? ep.bias[j] : 0.f));
    }
  if (!ep.post) return;
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j) {
      const double z = C[long(i) * ldc + j];
      double h = z;
      switch (ep.act) {
        case Activation::ReLU: h = z > 0 ? z : 0; break;
        case Activation::LeakyReLU: h = z > 0 ? z : ep.alpha * z; break;
        case Activation::ELU: h = z > 0 ? z : ep.alpha * (std::exp(z) - 1); break;
        case Activation::Tanh: h = std::tanh(z); break;
        case Activation::Sigmoid: h = 1 / (1 + std::exp(-z)); break;
        default: break;
      }
      ep.post[long(i) * ldc + j] = float(h);
    }
}

// ---- Activations -----------------------------------------------------------------------

namespace {
template <class F>
inline void map1(const float* x, float* y, int n, F f) {
  int j = 0;
  for (; j + 4 <= n; j += 4) simd::store(y + j, f(simd::load(x + j)));
  if (j < n) store_part(y + j, f(load_part(x + j, n - j)), n - j);
}
}  // namespace

void act_forward(Activation act, float alpha, const float* z, float* h, int n) {
  if (act == Activation::Linear || act == Activation::Maxout) {
    if (h != z) std::memcpy(h, z, size_t(n) * sizeof(float));
    return;
  }
  const f4 al = splat(alpha);
  with_activation(act, [&]<Activation A>() { map1(z, h, n, [&](f4 x) { return act_f4<A>(x, al); }); });
}

void act_backward(Activation act, float alpha, const float* z, const float* h, const float* dh, float* dz, int n) {
  if (act == Activation::Linear || act == Activation::Maxout) {
    if (dz != dh) std::memcpy(dz, dh, size_t(n) * sizeof(float));
    return;
  }
  const f4 al = splat(alpha);
  with_activation(act, [&]<Activation A>() {
    int j = 0;
    for (; j + 4 <= n; j += 4)
      simd::store(dz + j, act_grad_f4<A>(simd::load(z + j), simd::load(h + j), simd::load(dh + j), al));
    if (j < n) {
      const int m = n - j;
      store_part(dz + j, act_grad_f4<A>(load_part(z + j, m), load_part(h + j, m), load_part(dh + j, m), al), m);
    }
  });
}

}  // namespace nn::fast
