// fast_optim.cpp: the updates as 4-lane loops, split over the pool for large
// networks (each value is updated by one thread, so the thread count does
// not change the result).
#include "core/fast/fast_optim.h"

#include <algorithm>
#include <cmath>

#include "core/fast/parallel.h"
#include "core/fast/simd.h"

namespace nn::fast {

using simd::f4;
using simd::splat;

void FastOptimizer::reset(const OptimSpec& spec) {
  spec_ = spec;
  for (int c = 0; c < 2; ++c) {
    s1_[c].clear();
    s2_[c].clear();
  }
  t_ = t_before_ = 0;
  can_undo_ = false;
}

std::vector<const char*> FastOptimizer::slot_names(OptimKind kind) {
  switch (kind) {
    case OptimKind::Momentum:
    case OptimKind::Nesterov: return {"v"};
    case OptimKind::Adagrad:
    case OptimKind::RMSProp: return {"cache"};
    case OptimKind::Adam: return {"m", "v"};
    default: return {};
  }
}

void FastOptimizer::undo() {
  if (!can_undo_) return;
  cur_ ^= 1;
  t_ = t_before_;
  can_undo_ = false;
}

namespace {

// One element (float) or four (f4) at index k.
inline f4 ld(const float* p, size_t k, f4) { return simd::load(p + k); }
inline float ld(const float* p, size_t k, float) { return p[k]; }
inline void st(float* p, size_t k, f4 v) { simd::store(p + k, v); }
inline void st(float* p, size_t k, float v) { p[k] = v; }
inline f4 root(f4 v) { return simd::sqrt(v); }
inline float root(float v) { return std::sqrt(v); }

struct Ctx {
  const float *x, *dx, *s1, *s2;  // before the step
  float *x_new, *s1n, *s2n;       // after
  float lr, mu, eps, decay_rate, beta1, beta2, inv_correction1, inv_correction2;
  // 1 - beta2 etc. from the double constants: 1 - float(0.999) would be off by 1e-5 (relative).
  float one_plus_mu, one_minus_decay_rate, one_minus_beta1, one_minus_beta2;
};

// The reference's lines (optim.cpp) for one element or one vector.
template <OptimKind K, class T>
inline void update(const Ctx& c, size_t k) {
  const T x = ld(c.x, k, T{}), dx = ld(c.dx, k, T{});
  if constexpr (K == OptimKind::SGD) {
    st(c.x_new, k, x - c.lr * dx);  // x -= lr * dx
  } else if constexpr (K == OptimKind::Momentum) {
    const T v = c.mu * ld(c.s1, k, T{}) - c.lr * dx;  // v = mu * v - lr * dx
    st(c.s1n, k, v);
    st(c.x_new, k, x + v);  // x += v
  } else if constexpr (K == OptimKind::Nesterov) {
    const T v_prev = ld(c.s1, k, T{});
    const T v = c.mu * v_prev - c.lr * dx;
    st(c.s1n, k, v);
    st(c.x_new, k, x + (-c.mu * v_prev + c.one_plus_mu * v));  // x += -mu * v_prev + (1 + mu) * v
  } else if constexpr (K == OptimKind::Adagrad) {
    const T cache = ld(c.s1, k, T{}) + dx * dx;  // cache += dx^2
    st(c.s1n, k, cache);
    st(c.x_new, k, x - c.lr * dx / (root(cache) + c.eps));
  } else if constexpr (K == OptimKind::RMSProp) {
    const T cache = c.decay_rate * ld(c.s1, k, T{}) + c.one_minus_decay_rate * dx * dx;
    st(c.s1n, k, cache);
    st(c.x_new, k, x - c.lr * dx / (root(cache) + c.eps));
  } else {  // Adam
    const T m = c.beta1 * ld(c.s1, k, T{}) + c.one_minus_beta1 * dx;
    const T v = c.beta2 * ld(c.s2, k, T{}) + c.one_minus_beta2 * dx * dx;
    st(c.s1n, k, m);
    st(c.s2n, k, v);
    const T mt = m * c.inv_correction1, vt = v * c.inv_correction2;  // bias correction: m / (1 - beta1^t), ...
    st(c.x_new, k, x - c.lr * mt / (root(vt) + c.eps));
  }
}

template <OptimKind K>
void run(const Ctx& c, size_t k0, size_t k1) {
  size_t k = k0;
  for (; k + 4 <= k1; k += 4) update<K, f4>(c, k);
  for (; k < k1; ++k) update<K, float>(c, k);
}

void run_kind(OptimKind kind, const Ctx& c, size_t k0, size_t k1) {
  switch (kind) {
    case OptimKind::SGD: run<OptimKind::SGD>(c, k0, k1); return;
    case OptimKind::Momentum: run<OptimKind::Momentum>(c, k0, k1); return;
    case OptimKind::Nesterov: run<OptimKind::Nesterov>(c, k0, k1); return;
    case OptimKind::Adagrad: run<OptimKind::Adagrad>(c, k0, k1); return;
    case OptimKind::RMSProp: run<OptimKind::RMSProp>(c, k0, k1); return;
    case OptimKind::Adam: run<OptimKind::Adam>(c, k0, k1); return;
    case OptimKind::LBFGS: return;
  }
}

}  // namespace


void FastOptimizer::step(const float* x, float* x_new, const float* dx, size_t n, double lr, int threads) {
  const OptimKind kind = spec_.kind;
  const bool one_state = kind == OptimKind::Momentum || kind == OptimKind::Nesterov ||
                         kind == OptimKind::Adagrad || kind == OptimKind::RMSProp;
  const bool two_states = kind == OptimKind::Adam;
  // Fresh (or reshaped) state: zeros and t from 0, as the reference's fit_state.
  if ((one_state || two_states) && (s1_[cur_].size() != n || s2_[cur_].size() != (two_states ? n : 0))) {
    for (int c = 0; c < 2; ++c) {
      s1_[c].assign(n, 0.f);
      s2_[c].assign(two_states ? n : 0, 0.f);
    }
    t_ = 0;
  }
  const int nxt = cur_ ^ 1;
  // The copy the step writes (it may be unsized after set_t's restore).
  if (s1_[nxt].size() != s1_[cur_].size()) s1_[nxt].assign(s1_[cur_].size(), 0.f);
  if (s2_[nxt].size() != s2_[cur_].size()) s2_[nxt].assign(s2_[cur_].size(), 0.f);
  t_before_ = t_;
  ++t_;
  Ctx c{x, dx, s1_[cur_].data(), s2_[cur_].data(), x_new, s1_[nxt].data(), s2_[nxt].data(),
        float(lr), float(spec_.mu), float(spec_.eps), float(spec_.decay_rate), float(spec_.beta1),
        float(spec_.beta2), two_states ? float(1 / (1 - std::pow(spec_.beta1, double(t_)))) : 1.f,
        two_states ? float(1 / (1 - std::pow(spec_.beta2, double(t_)))) : 1.f, float(1 + spec_.mu), float(1 - spec_.decay_rate),
        float(1 - spec_.beta1), float(1 - spec_.beta2)};
  constexpr size_t kParallelFloats = size_t(1) << 16, kBlock = 1024;
  if (threads > 1 && n >= kParallelFloats) {
    const int blocks = int((n + kBlock - 1) / kBlock);
    parallel_for(blocks, [&](int b0, int b1) { run_kind(kind, c, size_t(b0) * kBlock, std::min(n, size_t(b1) * kBlock)); });
  } else {
    run_kind(kind, c, 0, n);
  }
  cur_ = nxt;
  can_undo_ = true;
}

double sum_squares(const float* g, size_t n) {
  double sum = 0;
  size_t k = 0;
  while (k + 8 <= n) {
    // Two accumulators (independent chains); each lane sums at most 32 squares in float.
    f4 a0 = splat(0.f), a1 = splat(0.f);
    const size_t end = std::min(n, k + 256) & ~size_t(7);
    for (; k < end; k += 8) {
      const f4 v0 = simd::load(g + k), v1 = simd::load(g + k + 4);
      a0 += v0 * v0;
      a1 += v1 * v1;
    }
    const f4 a = a0 + a1;
    sum += (double(a[0]) + double(a[1])) + (double(a[2]) + double(a[3]));
  }
  for (; k < n; ++k) sum += double(g[k]) * g[k];
  return sum;
}

bool all_finite(const float* x, size_t n) {
  // x * 0 is 0 for a finite x and NaN for an infinite or NaN one.
  const f4 zero = splat(0.f);
  f4 acc = zero;
  size_t k = 0;
  for (; k + 4 <= n; k += 4) acc += simd::load(x + k) * zero;
  float tail = 0.f;
  for (; k < n; ++k) tail += x[k] * 0.f;
  return (acc[0] + acc[1] + acc[2] + acc[3] + tail) == 0.f;
}

double clip_global_norm(float* g, size_t n, double max_norm) {
  const double norm = std::sqrt(sum_squares(g, n));
  if (max_norm > 0 && norm > max_norm) {
    const float scale = float(max_norm / norm);
    for (size_t k = 0; k < n; ++k) g[k] *= scale;
  }
  return norm;
}

}  // namespace nn::fast
