// fast_loss.cpp: SVM (Weston-Watkins), one-vs-all, Crammer-Singer and softmax
// on float scores, and the L2 / L1 / elastic-net penalties.
#include "core/fast/fast_loss.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/fast/simd.h"

namespace nn::fast {

// Index of the largest score of a row other than column yi (lowest on ties).
static int largest_wrong(const float* s, int C, int yi) {
  int best = -1;
  for (int j = 0; j < C; ++j) {
    if (j == yi) continue;
    if (best < 0 || s[j] > s[best]) best = j;
  }
  return best;
}

double data_loss_sum(const float* scores, const int* y, int N, int C, const LossSpec& spec, float* dscores,
                     int norm_N, int* correct) {
  double total = 0;
  const float inv_N = norm_N > 0 ? 1.f / float(norm_N) : 0.f;
  const float delta = float(spec.delta);
  if (correct) *correct = 0;
  for (int i = 0; i < N; ++i) {
    const float* s = scores + long(i) * C;
    float* ds = dscores ? dscores + long(i) * C : nullptr;
    const int yi = y[i];
    if (correct) {
      int best = 0;
      for (int j = 1; j < C; ++j)
        if (s[j] > s[best]) best = j;
      *correct += best == yi;
    }
    if (ds) std::memset(ds, 0, size_t(C) * sizeof(float));
    // One hinge of wrong class j against the label, max(0, s_j - s_y + delta):
    // the multiclass SVM sums it over j, Crammer-Singer takes the largest s_j.
    auto hinge_against_label = [&](int j) {
      const float margin = s[j] - s[yi] + delta;
      if (margin <= 0) return;
      total += margin;
      if (ds) {
        ds[j] += inv_N;
        ds[yi] -= inv_N;
      }
    };
    switch (spec.kind) {
      case LossKind::SVM:  // L_i = sum_{j != y} max(0, s_j - s_y + delta)
        for (int j = 0; j < C; ++j)
          if (j != yi) hinge_against_label(j);
        break;
      case LossKind::OneVsAll:  // L_i = sum_j max(0, delta - t_j s_j), t = +1 for the label, -1 else
        for (int j = 0; j < C; ++j) {
          const float t = j == yi ? 1.f : -1.f;
          const float margin = delta - t * s[j];
          if (margin > 0) {
            total += margin;
            if (ds) ds[j] = -t * inv_N;
          }
        }
        break;
      case LossKind::CrammerSinger: {  // L_i = max(0, delta + max_{j != y} s_j - s_y)
        if (C < 2) break;
        hinge_against_label(largest_wrong(s, C, yi));
        break;
      }
      case LossKind::Softmax: {  // L_i = log sum_j e^{s_j - max} - (s_y - max)
        float mx = s[0];
        for (int j = 1; j < C; ++j) mx = s[j] > mx ? s[j] : mx;
        double sum = 0;
        for (int j = 0; j < C; ++j) {
          const float e = std::exp(s[j] - mx);
          if (ds) ds[j] = e;
          sum += e;
        }
        total += std::log(sum) - double(s[yi] - mx);
        if (ds) {  // dL_i/ds_j = p_j - 1[j == y]
          const float scale = float(1.0 / sum) * inv_N;
          for (int j = 0; j < C; ++j) ds[j] *= scale;
          ds[yi] -= inv_N;
        }
        break;
      }
      case LossKind::Squared:
      case LossKind::Absolute:
      case LossKind::Huber: break;  // regression: regression_loss_sum
    }
  }
  return total;
}

double regression_loss_sum(const float* scores, const float* T, int N, int K, const LossSpec& spec, float* dscores,
                           int norm_N, double* sq_err) {
  double total = 0, sq = 0;
  const float inv_N = norm_N > 0 ? 1.f / float(norm_N) : 0.f;
  const float delta = float(spec.delta);
  for (long k = 0; k < long(N) * K; ++k) {
    const float r = scores[k] - T[k];  // residual
    const float a = std::fabs(r);
    sq += double(r) * r;
    float g = r;  // dL/dr
    switch (spec.kind) {
      case LossKind::Absolute:  // |r|
        total += a;
        g = float((r > 0) - (r < 0));
        break;
      case LossKind::Huber:  // 0.5 r^2 inside delta, delta (|r| - delta/2) outside
        if (a <= delta) total += 0.5 * double(r) * r;
        else {
          total += double(delta) * (a - 0.5 * double(delta));
          g = r > 0 ? delta : -delta;
        }
        break;
      default: total += 0.5 * double(r) * r; break;  // squared
    }
    if (dscores) dscores[k] = g * inv_N;
  }
  if (sq_err) *sq_err = sq;
  return total;
}

namespace {
// The penalty from the sums of squares and of absolute values (reg_loss's end).
double reg_from_sums(double sq, double ab, const LossSpec& spec) {
  switch (spec.reg) {
    case RegKind::None: return 0.0;
    case RegKind::L2: return 0.5 * spec.lambda * sq;
    case RegKind::L1: return spec.lambda * ab;
    case RegKind::ElasticNet: return spec.lambda * (spec.l1_ratio * ab + (1.0 - spec.l1_ratio) * 0.5 * sq);
  }
  return 0.0;
}
}  // namespace

double reg_loss(const float* W, long n, const LossSpec& spec) {
  if (spec.reg == RegKind::None || n == 0) return 0.0;
  // Four-lane float partial sums over runs of 256 values, added up in double.
  double sq = 0, ab = 0;
  long k = 0;
  while (k + 4 <= n) {
    simd::f4 s2 = simd::splat(0.f), s1 = simd::splat(0.f);
    const long end = std::min(n, k + 256) & ~3L;
    for (; k < end; k += 4) {
      const simd::f4 w = simd::load(W + k);
      s2 += w * w;
      s1 += simd::abs(w);
    }
    sq += (double(s2[0]) + double(s2[1])) + (double(s2[2]) + double(s2[3]));
    ab += (double(s1[0]) + double(s1[1])) + (double(s1[2]) + double(s1[3]));
  }
  for (; k < n; ++k) {
    sq += double(W[k]) * W[k];
    ab += std::fabs(double(W[k]));
  }
  return reg_from_sums(sq, ab, spec);
}

namespace {
// The gradient's coefficients: dW += l2 * W + l1 * sign(W).
void reg_grad_coefficients(const LossSpec& spec, float& l2, float& l1) {
  l2 = l1 = 0;
  switch (spec.reg) {
    case RegKind::None: return;
    case RegKind::L2: l2 = float(spec.lambda); return;
    case RegKind::L1: l1 = float(spec.lambda); return;
    case RegKind::ElasticNet:
      l1 = float(spec.lambda * spec.l1_ratio);
      l2 = float(spec.lambda * (1.0 - spec.l1_ratio));
      return;
  }
}

}  // namespace

double reg_loss_and_grad(const float* W, long n, const LossSpec& spec, float* dW) {
  using simd::f4;
  if (spec.reg == RegKind::None || n == 0) return 0.0;
  float l2, l1;
  reg_grad_coefficients(spec, l2, l1);
  const f4 vl2 = simd::splat(l2), vl1 = simd::splat(l1), zero = simd::splat(0.f), one = simd::splat(1.f);
  // reg_loss's sums (four-lane float partial sums over runs of 256 values,
  // added up in double) and add_reg_grad's update, element for element.
  double sq = 0, ab = 0;
  long k = 0;
  while (k + 4 <= n) {
    f4 s2 = zero, s1 = zero;
    const long end = std::min(n, k + 256) & ~3L;
    for (; k < end; k += 4) {
      const f4 w = simd::load(W + k);
      s2 += w * w;
      s1 += simd::abs(w);
      const f4 sign = simd::select(w > zero, one, simd::select(w < zero, -one, zero));
      simd::store(dW + k, simd::load(dW + k) + vl2 * w + vl1 * sign);
    }
    sq += (double(s2[0]) + double(s2[1])) + (double(s2[2]) + double(s2[3]));
    ab += (double(s1[0]) + double(s1[1])) + (double(s1[2]) + double(s1[3]));
  }
  for (; k < n; ++k) {
    const float w = W[k];
    sq += double(w) * w;
    ab += std::fabs(double(w));
    dW[k] += l2 * w + l1 * float((w > 0) - (w < 0));
  }
  return reg_from_sums(sq, ab, spec);
}

void add_reg_grad(const float* W, long n, const LossSpec& spec, float* dW) {
  using simd::f4;
  if (spec.reg == RegKind::None) return;
  float l2, l1;  // dW += l2 * W + l1 * sign(W)
  reg_grad_coefficients(spec, l2, l1);
  const f4 vl2 = simd::splat(l2), vl1 = simd::splat(l1), zero = simd::splat(0.f), one = simd::splat(1.f);
  long k = 0;
  for (; k + 4 <= n; k += 4) {
    const f4 w = simd::load(W + k);
    const f4 sign = simd::select(w > zero, one, simd::select(w < zero, -one, zero));
    simd::store(dW + k, simd::load(dW + k) + vl2 * w + vl1 * sign);
  }
  for (; k < n; ++k) {
    const float w = W[k];
    dW[k] += l2 * w + l1 * float((w > 0) - (w < 0));
  }
}

}  // namespace nn::fast
