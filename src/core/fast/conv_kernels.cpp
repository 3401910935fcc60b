// conv_kernels.cpp: float32 conv and max-pool kernels (see conv_kernels.h).
// Sections: two GEMM micro-kernels, im2col/col2im, the conv layer, the
// direct conv, max pooling, memory accounting.
#include "core/fast/conv_kernels.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/models/net.h"

namespace nn {

using simd::f4;

// ---- f32_gemm_4x8: C = A B + bias, optional ReLU -----------------------------------
// C (M x N, row stride ldc), B (Kd x N, row stride ldb), A (M x Kd) read as
// A[i*a_rs + p*a_cs], so A may be a matrix or the transpose of one (dcol =
// W^T dout reads W with a_rs = 1). The tile is MR rows by NV vectors of 4
// columns, held in registers across the whole Kd loop: per step NV loads of
// B, MR broadcasts of A, MR*NV multiply-adds.

template <int MR, int NV>
static inline void gemm_tile(int Kd, const float* A, long a_rs, long a_cs, const float* B, long ldb, float* C,
                             long ldc, const float* bias, bool relu) {
  f4 acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = simd::splat(bias ? bias[i] : 0.f);
  for (int p = 0; p < Kd; ++p) {
    f4 bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = simd::load(B + p * ldb + 4 * v);
    for (int i = 0; i < MR; ++i) {
      const f4 a = simd::splat(A[i * a_rs + p * a_cs]);
      for (int v = 0; v < NV; ++v) acc[i][v] += a * bv[v];
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) {
      if (relu) acc[i][v] = simd::max(acc[i][v], simd::splat(0.f));
      simd::store(C + i * ldc + 4 * v, acc[i][v]);
    }
}

// The last N % 4 columns, scalar.
template <int MR>
static inline void gemm_tile_scalar(int Kd, int cols, const float* A, long a_rs, long a_cs, const float* B,
                                    long ldb, float* C, long ldc, const float* bias, bool relu) {
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < cols; ++j) {
      float s = bias ? bias[i] : 0.f;
      for (int p = 0; p < Kd; ++p) s += A[i * a_rs + p * a_cs] * B[p * ldb + j];
      C[i * ldc + j] = relu ? std::max(s, 0.f) : s;
    }
}

template <int MR>
static void gemm_rows(int N, int Kd, const float* A, long a_rs, long a_cs, const float* B, long ldb, float* C,
                      long ldc, const float* bias, bool relu, int j0, int j1) {
  int j = j0;
  for (; j + 8 <= j1; j += 8) gemm_tile<MR, 2>(Kd, A, a_rs, a_cs, B + j, ldb, C + j, ldc, bias, relu);
  for (; j + 4 <= j1; j += 4) gemm_tile<MR, 1>(Kd, A, a_rs, a_cs, B + j, ldb, C + j, ldc, bias, relu);
  if (j < j1) gemm_tile_scalar<MR>(Kd, j1 - j, A, a_rs, a_cs, B + j, ldb, C + j, ldc, bias, relu);
}

// Columns in panels of 64 outer, rows inner: a panel of B (Kd x 64) stays in
// L1 while every 4-row block of A passes over it.
static void f32_gemm_4x8(int M, int N, int Kd, const float* A, long a_rs, long a_cs, const float* B, long ldb,
                         float* C, long ldc, const float* bias, bool relu) {
  for (int j0 = 0; j0 < N; j0 += 64) {
    const int j1 = std::min(N, j0 + 64);
    int i = 0;
    for (; i + 4 <= M; i += 4)
      gemm_rows<4>(N, Kd, A + i * a_rs, a_rs, a_cs, B, ldb, C + i * ldc, ldc, bias ? bias + i : nullptr, relu,
                   j0, j1);
    const float* Ai = A + i * a_rs;
    float* Ci = C + i * ldc;
    const float* bi = bias ? bias + i : nullptr;
    switch (M - i) {
      case 3: gemm_rows<3>(N, Kd, Ai, a_rs, a_cs, B, ldb, Ci, ldc, bi, relu, j0, j1); break;
      case 2: gemm_rows<2>(N, Kd, Ai, a_rs, a_cs, B, ldb, Ci, ldc, bi, relu, j0, j1); break;
      case 1: gemm_rows<1>(N, Kd, Ai, a_rs, a_cs, B, ldb, Ci, ldc, bi, relu, j0, j1); break;
      default: break;
    }
  }
}

// ---- f32_gemm_nt_2x4: C += A B^T ---------------------------------------------------
// A (M x L), B (N x L), both row-major with rows of length L: C[i][j] +=
// dot(A row i, B row j). The tile keeps MR x NR vector accumulators over L
// and sums their lanes at the end (dW += dout col^T: both rows contiguous).

static inline float hsum(f4 v) { return (v[0] + v[2]) + (v[1] + v[3]); }

template <int MR, int NR>
static inline void gemm_nt_tile(int L, const float* A, const float* B, float* C, long ldc) {
  f4 acc[MR][NR];
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) acc[i][j] = simd::splat(0.f);
  int t = 0;
  for (; t + 4 <= L; t += 4) {
    f4 a[MR], b[NR];
    for (int i = 0; i < MR; ++i) a[i] = simd::load(A + long(i) * L + t);
    for (int j = 0; j < NR; ++j) b[j] = simd::load(B + long(j) * L + t);
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) acc[i][j] += a[i] * b[j];
  }
  for (int i = 0; i < MR; ++i)
    for (int j = 0; j < NR; ++j) {
      float s = hsum(acc[i][j]);
      for (int u = t; u < L; ++u) s += A[long(i) * L + u] * B[long(j) * L + u];
      C[i * ldc + j] += s;
    }
}

template <int MR>
static void gemm_nt_rows(int N, int L, const float* A, const float* B, float* C, long ldc) {
  int j = 0;
  for (; j + 4 <= N; j += 4) gemm_nt_tile<MR, 4>(L, A, B + long(j) * L, C + j, ldc);
  for (; j < N; ++j) gemm_nt_tile<MR, 1>(L, A, B + long(j) * L, C + j, ldc);
}

static void f32_gemm_nt_2x4(int M, int N, int L, const float* A, const float* B, float* C, long ldc) {
  int i = 0;
  for (; i + 2 <= M; i += 2) gemm_nt_rows<2>(N, L, A + long(i) * L, B, C + i * ldc, ldc);
  if (i < M) gemm_nt_rows<1>(N, L, A + long(i) * L, B, C + i * ldc, ldc);
}

// ---- im2col / col2im ----------------------------------------------------------------
// For one tap, the output columns whose input column is inside the image:
// ix = ox*S - P + kx in [0, W) <=> ox in [ox0, ox1) (the direct conv below).
static inline void valid_range(int kx, int n_out, int size, int S, int P, int& o0, int& o1) {
  const int lo = P - kx;             // ox*S >= lo
  const int hi = size - 1 + P - kx;  // ox*S <= hi
  o0 = lo <= 0 ? 0 : (lo + S - 1) / S;
  o1 = hi < 0 ? 0 : std::min(n_out, hi / S + 1);
  if (o1 < o0) o1 = o0;
}

// col (C*F*F x H'*W'): row (c*F + ky)*F + kx, column oy*W' + ox holds
// x[c, oy*S - P + ky, ox*S - P + kx], 0 where that lands on the padding.
//
// Both go through the padded image xp (C planes of Hp x Wp = H+2P x W+2P, x
// inside, zeros around; x itself when P = 0): a col row is then H' runs of W'
// floats read at a fixed stride, with no edge cases. Before this, each of
// those runs was split at the padding into a zero part, a copy and a zero
// part: on workload 6 im2col was about a quarter of a 1-thread training
// step, most of it the per-run overhead (a memcpy or memset call per part).

static int padded_h(const ConvGeom& g) { return g.H + 2 * g.P; }
static int padded_w(const ConvGeom& g) { return g.W + 2 * g.P; }
// Floats of the padded image (none when P = 0: x is used as it is).
static long pad_floats(const ConvGeom& g) { return g.P == 0 ? 0 : long(g.C) * padded_h(g) * padded_w(g); }

// Short runs (a dozen floats): inline vector moves. A loop of plain moves
// would be turned back into a memcpy / memset call (memory.copy / .fill in
// the threaded build) costing more than the run itself; simd::copy32 and the
// empty asm in keep_in_register prevent that (simd.h).
static inline void zero_run(float* dst, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    simd::i4 z = {0, 0, 0, 0};
    simd::keep_in_register(z);
    std::memcpy(dst + i, &z, sizeof z);
  }
  for (; i < n; ++i) dst[i] = 0.f;
}

// xp = x with P zeros on every side of each channel plane.
static void pad_image(const float* x, const ConvGeom& g, float* xp) {
  const int Hp = padded_h(g), Wp = padded_w(g), P = g.P;
  for (int c = 0; c < g.C; ++c) {
    float* plane = xp + long(c) * Hp * Wp;
    zero_run(plane, long(P) * Wp + P);  // the top rows and the first row's left edge
    for (int y = 0; y < g.H; ++y) {
      float* row = plane + long(y + P) * Wp + P;
      simd::copy32(row, x + (long(c) * g.H + y) * g.W, size_t(g.W));
      zero_run(row + g.W, 2 * P);  // this row's right edge and the next one's left edge
    }
    zero_run(plane + long(g.H + P) * Wp + P, long(P) * Wp - P);  // the bottom rows (left edge already done)
  }
}

// xp: the padded image (x itself when P = 0).
static void im2col(const float* xp, const ConvGeom& g, float* col) {
  const int HWo = g.H_out * g.W_out, Hp = padded_h(g), Wp = padded_w(g);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.F; ++ky)
      for (int kx = 0; kx < g.F; ++kx) {
        float* row = col + long((c * g.F + ky) * g.F + kx) * HWo;
        const float* src = xp + (long(c) * Hp + ky) * Wp + kx;
        for (int oy = 0; oy < g.H_out; ++oy) {
          float* dst = row + oy * g.W_out;
          const float* s = src + long(oy) * g.S * Wp;
          if (g.S == 1) simd::copy32(dst, s, size_t(g.W_out));
          else for (int ox = 0; ox < g.W_out; ++ox) dst[ox] = s[ox * g.S];
        }
      }
}

// dx (C*H*W) = the sum, over every col entry, of that entry at the input
// position im2col read it from (overlapping windows add up). Summed into the
// padded image dxp (dx itself when P = 0), whose inside is then dx: each
// element gets the same terms in the same order as without the padding.
static void col2im(const float* col, const ConvGeom& g, float* dxp, float* dx) {
  const int HWo = g.H_out * g.W_out, Hp = padded_h(g), Wp = padded_w(g);
  if (g.P == 0) dxp = dx;
  zero_run(dxp, long(g.C) * Hp * Wp);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.F; ++ky)
      for (int kx = 0; kx < g.F; ++kx) {
        const float* row = col + long((c * g.F + ky) * g.F + kx) * HWo;
        float* base = dxp + (long(c) * Hp + ky) * Wp + kx;
        for (int oy = 0; oy < g.H_out; ++oy) {
          const float* src = row + oy * g.W_out;
          float* dst = base + long(oy) * g.S * Wp;
          if (g.S == 1) {
            int ox = 0;
            for (; ox + 4 <= g.W_out; ox += 4) simd::store(dst + ox, simd::load(dst + ox) + simd::load(src + ox));
            for (; ox < g.W_out; ++ox) dst[ox] += src[ox];
          } else
            for (int ox = 0; ox < g.W_out; ++ox) dst[ox * g.S] += src[ox];
        }
      }
  if (g.P == 0) return;
  for (int c = 0; c < g.C; ++c)
    for (int y = 0; y < g.H; ++y)
      simd::copy32(dx + (long(c) * g.H + y) * g.W, dxp + (long(c) * Hp + y + g.P) * Wp + g.P, size_t(g.W));
}

// ---- Workspace and slices ------------------------------------------------------------

static long col_floats(const ConvGeom& g) { return long(g.C) * g.F * g.F * g.H_out * g.W_out; }
static long w_floats(const ConvGeom& g) { return long(g.K) * g.C * g.F * g.F; }

// Per slice: the col buffer, then the padded image.
static long slice_floats(const ConvGeom& g) { return col_floats(g) + pad_floats(g); }

size_t ConvWorkspace::floats(const ConvGeom& g, int slices) {
  return size_t(slices) * slice_floats(g) + size_t(std::max(0, slices - 1)) * (w_floats(g) + g.K);
}

void ConvWorkspace::reserve(const ConvGeom& g, int threads) {
  slices = std::max(1, threads > 0 ? threads : parallel_threads());
  buf.assign(floats(g, slices), 0.f);
}

static int slices_for(const ConvGeom& g, int N, const ConvWorkspace& ws) {
  const long macs = long(N) * w_floats(g) * g.H_out * g.W_out;
  if (macs < ws.min_parallel_macs) return 1;
  return std::max(1, std::min(ws.slices, N));
}

static void check_ws(const ConvGeom& g, const ConvWorkspace& ws) {
  if (ws.buf.size() < ConvWorkspace::floats(g, ws.slices))
    throw std::runtime_error("The conv layer's workspace was reserved for another shape.");
}

// fn(slice, n0, n1) on consecutive images [n0, n1) of N, slices at once.
template <class Fn>
static void for_slices(int N, int slices, Fn&& fn) {
  if (slices <= 1) { fn(0, 0, N); return; }
  parallel_for(slices, [&](int s0, int s1) {
    for (int s = s0; s < s1; ++s) fn(s, int(long(N) * s / slices), int(long(N) * (s + 1) / slices));
  }, 1);
}

// ---- Convolution ----------------------------------------------------------------------

void conv_forward_f32(float* out, const float* x, const float* W, const float* b, int N, const ConvGeom& g,
                      bool relu, ConvWorkspace& ws) {
  check_ws(g, ws);
  const int CFF = g.C * g.F * g.F, HWo = g.H_out * g.W_out;
  const bool one_by_one = g.F == 1 && g.S == 1 && g.P == 0;  // col would be x itself
  for_slices(N, slices_for(g, N, ws), [&](int s, int n0, int n1) {
    float* col = ws.buf.data() + s * slice_floats(g);
    float* xp = col + col_floats(g);
    for (int n = n0; n < n1; ++n) {
      const float* xn = x + long(n) * g.in_cols();
      if (!one_by_one) {
        if (g.P > 0) pad_image(xn, g, xp);
        im2col(g.P > 0 ? xp : xn, g, col);
      }
      // out_n (K x H'W') = W (K x CFF) col (CFF x H'W') + b
      f32_gemm_4x8(g.K, HWo, CFF, W, CFF, 1, one_by_one ? xn : col, HWo, out + long(n) * g.out_cols(), HWo, b,
                   relu);
    }
  });
}

void conv_backward_f32(float* dx, float* dW, float* db, float* dout, const float* x, const float* W,
                       const float* relu_out, int N, const ConvGeom& g, ConvWorkspace& ws) {
  check_ws(g, ws);
  const int CFF = g.C * g.F * g.F, HWo = g.H_out * g.W_out;
  const long wf = w_floats(g);
  const int slices = slices_for(g, N, ws);
  float* partials = ws.buf.data() + ws.slices * slice_floats(g);  // slices 1.. : dW then db each
  for_slices(N, slices, [&](int s, int n0, int n1) {
    float* col = ws.buf.data() + s * slice_floats(g);
    float* xp = col + col_floats(g);  // the padded image, then the padded dx
    float* dW_s = s == 0 ? dW : partials + (s - 1) * (wf + g.K);
    float* db_s = !db ? nullptr : s == 0 ? db : partials + (s - 1) * (wf + g.K) + wf;
    std::fill(dW_s, dW_s + wf, 0.f);
    if (db_s) std::fill(db_s, db_s + g.K, 0.f);
    for (int n = n0; n < n1; ++n) {
      float* dn = dout + long(n) * g.out_cols();
      if (relu_out) {  // out = max(0, z): dz = dout where out > 0
        const float* on = relu_out + long(n) * g.out_cols();
        for (int o = 0; o < g.out_cols(); ++o)
          if (!(on[o] > 0.f)) dn[o] = 0.f;
      }
      if (db_s)  // out[k, :] = ... + b[k]
        for (int k = 0; k < g.K; ++k) {
          const float* r = dn + long(k) * HWo;
          f4 acc = simd::splat(0.f);
          int t = 0;
          for (; t + 4 <= HWo; t += 4) acc += simd::load(r + t);
          float sum = hsum(acc);
          for (; t < HWo; ++t) sum += r[t];
          db_s[k] += sum;
        }
      // out_n = W col + b: dW += dout_n col^T, dcol = W^T dout_n
      const float* xn = x + long(n) * g.in_cols();
      if (g.P > 0) pad_image(xn, g, xp);
      im2col(g.P > 0 ? xp : xn, g, col);
      f32_gemm_nt_2x4(g.K, CFF, HWo, dn, col, dW_s, CFF);
      if (dx) {
        f32_gemm_4x8(CFF, HWo, g.K, W, 1, CFF, dn, HWo, col, HWo, nullptr, false);
        col2im(col, g, xp, dx + long(n) * g.in_cols());
      }
    }
  });
  for (int s = 1; s < slices; ++s) {  // in slice order: the same sums for the same slice count
    const float* p = partials + (s - 1) * (wf + g.K);
    for (long i = 0; i < wf; ++i) dW[i] += p[i];
    if (db)
      for (int k = 0; k < g.K; ++k) db[k] += p[wf + k];
  }
}

// ---- Direct convolution (for comparison) ------------------------------------------------
// Per filter k: the output plane starts at b[k]; each tap (c, ky, kx) adds
// W[k,c,ky,kx] times the input shifted by that tap, one output row at a time.
void conv_forward_direct_f32(float* out, const float* x, const float* W, const float* b, int N,
                             const ConvGeom& g, bool relu) {
  const int HWo = g.H_out * g.W_out;
  for (int n = 0; n < N; ++n) {
    const float* xn = x + long(n) * g.in_cols();
    for (int k = 0; k < g.K; ++k) {
      float* o = out + long(n) * g.out_cols() + long(k) * HWo;
      std::fill(o, o + HWo, b ? b[k] : 0.f);
      for (int c = 0; c < g.C; ++c)
        for (int ky = 0; ky < g.F; ++ky) {
          int oy0, oy1;
          valid_range(ky, g.H_out, g.H, g.S, g.P, oy0, oy1);
          for (int kx = 0; kx < g.F; ++kx) {
            const float w = W[long(k) * g.C * g.F * g.F + (c * g.F + ky) * g.F + kx];
            const f4 wv = simd::splat(w);
            int ox0, ox1;
            valid_range(kx, g.W_out, g.W, g.S, g.P, ox0, ox1);
            for (int oy = oy0; oy < oy1; ++oy) {
              float* dst = o + oy * g.W_out;
              const float* src = xn + (c * g.H + oy * g.S - g.P + ky) * g.W - g.P + kx;
              int ox = ox0;
              if (g.S == 1)
                for (; ox + 4 <= ox1; ox += 4) simd::store(dst + ox, simd::load(dst + ox) + wv * simd::load(src + ox));
              for (; ox < ox1; ++ox) dst[ox] += w * src[ox * g.S];
            }
          }
        }
      if (relu)
        for (int i = 0; i < HWo; ++i) o[i] = std::max(o[i], 0.f);
    }
  }
}

// ---- Max pooling ----------------------------------------------------------------------

static bool pool_parallel(const ConvGeom& g, int N, int threads) {
  return threads != 1 && long(N) * g.out_cols() * g.F * g.F >= (1L << 16);
}

void maxpool_forward_f32(float* out, int32_t* argmax, const float* x, int N, const ConvGeom& g, int threads) {
  const int oc = g.out_cols();
  auto images = [&](int n0, int n1) {
    for (int n = n0; n < n1; ++n) {
      const float* xn = x + long(n) * g.in_cols();
      float* on = out + long(n) * oc;
      int32_t* an = argmax + long(n) * oc;
      for (int c = 0; c < g.C; ++c)
        for (int oy = 0; oy < g.H_out; ++oy)
          for (int ox = 0; ox < g.W_out; ++ox) {
            int best = (c * g.H + oy * g.S) * g.W + ox * g.S;
            float bv = xn[best];
            for (int ky = 0; ky < g.F; ++ky) {
              const int r = (c * g.H + oy * g.S + ky) * g.W + ox * g.S;
              for (int kx = 0; kx < g.F; ++kx)
                if (xn[r + kx] > bv) { bv = xn[r + kx]; best = r + kx; }  // strictly: ties keep the first
            }
            const int o = (c * g.H_out + oy) * g.W_out + ox;
            on[o] = bv;
            an[o] = best;
          }
    }
  };
  if (pool_parallel(g, N, threads)) parallel_for(N, images, 1);
  else images(0, N);
}

void maxpool_backward_f32(float* dx, const float* dout, const int32_t* argmax, const float* relu_x, int N,
                          const ConvGeom& g, int threads) {
  const int oc = g.out_cols();
  auto images = [&](int n0, int n1) {
    for (int n = n0; n < n1; ++n) {
      float* dn = dx + long(n) * g.in_cols();
      const float* rn = relu_x ? relu_x + long(n) * g.in_cols() : nullptr;
      const float* gn = dout + long(n) * oc;
      const int32_t* an = argmax + long(n) * oc;
      std::fill(dn, dn + g.in_cols(), 0.f);
      // out[o] = x[argmax[o]]: the winner alone gets the gradient (summed
      // over the windows it wins); with relu_x, only if it was positive.
      for (int o = 0; o < oc; ++o)
        if (!rn || rn[an[o]] > 0.f) dn[an[o]] += gn[o];
    }
  };
  if (pool_parallel(g, N, threads)) parallel_for(N, images, 1);
  else images(0, N);
}

// ---- Memory ---------------------------------------------------------------------------

// The leading conv/pool layers' geometries (throws net_layout's sentence).
static std::vector<std::pair<bool, ConvGeom>> stack_geoms(const ModelSpec& spec) {
  const NetLayout layout = net_layout(spec);
  if (!layout.ok()) throw std::runtime_error(layout.problem);
  std::vector<std::pair<bool, ConvGeom>> out;
  for (size_t l = 0; l < spec.hidden.size(); ++l) {
    const HiddenLayerSpec& h = spec.hidden[l];
    if (h.type == LayerType::FC) break;
    const Volume in = layout.volumes[l];
    if (h.type == LayerType::Conv) out.push_back({true, conv_geom(in, h.filters, h.size, h.stride, h.pad)});
    else out.push_back({false, pool_geom(in, h.size, h.stride)});
  }
  return out;
}

static ConvMemory memory_of(const std::vector<std::pair<bool, ConvGeom>>& geoms, int batch, int slices) {
  ConvMemory m;
  if (geoms.empty()) return m;
  const size_t fb = sizeof(float), B = size_t(std::max(batch, 0));
  size_t largest = size_t(geoms[0].second.in_cols());
  m.activations = B * largest * fb;
  for (const auto& [conv, g] : geoms) {
    m.activations += B * size_t(g.out_cols()) * fb;
    largest = std::max(largest, size_t(g.out_cols()));
    if (conv) {
      m.im2col += size_t(slices) * slice_floats(g) * fb;
      m.partial_grads += size_t(slices - 1) * (w_floats(g) + g.K) * fb;
    } else {
      m.argmax += B * size_t(g.out_cols()) * sizeof(int32_t);
    }
  }
  m.grad_buffers = 2 * B * largest * fb;
  return m;
}

ConvMemory conv_memory(const ModelSpec& spec, int batch, int threads) {
  return memory_of(stack_geoms(spec), batch, std::max(1, threads > 0 ? threads : parallel_threads()));
}

}  // namespace nn
