// tiny_net.cpp: the fused small-network training pass (see tiny_net.h):
// examples in the lanes, one routine per layer and direction specialised
// for its activation, the loss on the same vectors.
#include "core/fast/tiny_net.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/fast/act_simd.h"
#include "core/fast/fast_loss.h"

namespace nn::fast {

using simd::f4;
using simd::i4;
using simd::splat;

// Whether the backward pass needs the pre-activation z (ReLU, leaky ReLU and
// ELU look at its sign; tanh and sigmoid need only h = act(z); linear neither).
constexpr bool keeps_z(Activation a) {
  return a == Activation::ReLU || a == Activation::LeakyReLU || a == Activation::ELU;
}

std::string tiny_net_unsupported(const ModelSpec& spec, int input_dim, int classes) {
  if (spec.kind != ModelKind::Net && spec.kind != ModelKind::Linear) return "not a network or linear classifier";
  if (input_dim > kTinyMaxWidth || classes > kTinyMaxWidth) return "input or class count above the small-network width";
  if (spec.kind == ModelKind::Net)
    for (const HiddenLayerSpec& h : spec.hidden) {
      if (h.type != LayerType::FC) return "conv or pool layers";
      if (h.batchnorm || h.dropout_keep < 1.0 || h.act == Activation::Maxout) return "batchnorm, dropout or maxout";
      if (h.width > kTinyMaxWidth) return "a layer wider than the small-network width";
    }
  return "";
}

bool tiny_net_loss_supported(LossKind kind) {
  switch (kind) {
    case LossKind::SVM:
    case LossKind::OneVsAll:
    case LossKind::CrammerSinger:
    case LossKind::Softmax: return true;
    // Regression losses see real targets, which this pass does not carry:
    // they train through the layer path.
    case LossKind::Squared:
    case LossKind::Absolute:
    case LossKind::Huber: return false;
  }
  return false;  // a kind added later goes through the layer path until this pass learns it
}

TinyNet::TinyNet(const ModelSpec& spec, int input_dim, int classes, const ParamArena& params) {
  const std::string why = tiny_net_unsupported(spec, input_dim, classes);
  if (!why.empty()) throw std::logic_error("TinyNet: " + why);
  auto block = [&](const std::string& name) {
    const int b = params.find(name);
    if (b < 0) throw std::logic_error("TinyNet: no parameter " + name);
    return b;
  };
  int fan_in = input_dim;
  const bool linear = spec.kind == ModelKind::Linear;
  const size_t hidden = linear ? 0 : spec.hidden.size();
  for (size_t l = 0; l <= hidden; ++l) {
    Layer L;
    L.in = fan_in;
    L.out = l < hidden ? spec.hidden[l].width : classes;
    L.act = l < hidden ? spec.hidden[l].act : Activation::Linear;
    const std::string suffix = linear ? "" : std::to_string(l + 1);
    L.W = block("W" + suffix);
    L.b = spec.use_bias ? block("b" + suffix) : -1;
    L.ws_offset = macs_;
    layers_.push_back(L);
    macs_ += long(L.in) * L.out;
    max_layer_macs_ = std::max(max_layer_macs_, long(L.in) * L.out);
    fan_in = L.out;
  }
  ws_.assign(size_t(macs_), splat(0.f));
  set_alpha(spec);
}

void TinyNet::set_alpha(const ModelSpec& spec) {
  for (size_t l = 0; l + 1 < layers_.size() && l < spec.hidden.size(); ++l) layers_[l].alpha = float(spec.hidden[l].alpha);
}

void TinyNet::reserve(int groups) {
  if (groups <= groups_cap_) return;
  groups_cap_ = groups;
  const size_t G = size_t(groups);
  a_.resize(layers_.size() + 1);
  z_.resize(layers_.size());
  size_t widest = 0;
  a_[0].assign(G * layers_[0].in, splat(0.f));
  for (size_t l = 0; l < layers_.size(); ++l) {
    a_[l + 1].assign(G * layers_[l].out, splat(0.f));
    z_[l].assign(keeps_z(layers_[l].act) ? G * layers_[l].out : 0, splat(0.f));
    widest = std::max({widest, size_t(layers_[l].in), size_t(layers_[l].out)});
  }
  d_.assign(G * widest, splat(0.f));
  dx_.assign(G * widest, splat(0.f));
  rows_.assign(4 * size_t(layers_.back().out), 0.f);
  drows_.assign(rows_.size(), 0.f);
}

size_t TinyNet::workspace_floats() const {
  size_t v = d_.size() + dx_.size() + ws_.size();
  for (const auto& a : a_) v += a.size();
  for (const auto& z : z_) v += z.size();
  return 4 * v + rows_.size() + drows_.size();
}

namespace {

// {hsum(c0), hsum(c1), hsum(c2), hsum(c3)} by a transpose-and-add (each
// sum as (v0 + v2) + (v1 + v3)).
inline f4 hsum4(f4 c0, f4 c1, f4 c2, f4 c3) {
  const f4 s01 = __builtin_shufflevector(c0, c1, 0, 4, 1, 5) + __builtin_shufflevector(c0, c1, 2, 6, 3, 7);
  const f4 s23 = __builtin_shufflevector(c2, c3, 0, 4, 1, 5) + __builtin_shufflevector(c2, c3, 2, 6, 3, 7);
  return __builtin_shufflevector(s01, s23, 0, 1, 4, 5) + __builtin_shufflevector(s01, s23, 2, 3, 6, 7);
}

// A block of R <= 4 units (or inputs) at a time: R independent sums in
// registers, so a layer of width 6 runs as one block of 4 and one of 2.

// Forward, units [u, u + R) of one group: z = b + sum_k Ws[k, u] x[k], h = act(z).
template <Activation A, int R>
NN_SIMD_INLINE void forward_block(const f4* x, f4* z, f4* h, int in, int out, const f4* Ws, const float* b, f4 alpha,
                                  int u) {
  f4 c[R];
  for (int r = 0; r < R; ++r) c[r] = splat(b ? b[u + r] : 0.f);
  const f4* w = Ws + u;
  for (int k = 0; k < in; ++k, w += out) {
    const f4 xk = x[k];
    for (int r = 0; r < R; ++r) c[r] += w[r] * xk;
  }
  for (int r = 0; r < R; ++r) {
    if constexpr (keeps_z(A)) z[u + r] = c[r];
    h[u + r] = act_f4<A>(c[r], alpha);
  }
}

// Forward of one layer over G groups: x (G x in) -> z (G x out, not kept for
// Linear), h (G x out). Ws: Wt with every weight splatted to a vector (in x out).
template <Activation A>
void dense_forward(const f4* x, f4* z, f4* h, int G, int in, int out, const f4* Ws, const float* b, f4 alpha) {
  for (int g = 0; g < G; ++g, x += in, z += (keeps_z(A) ? out : 0), h += out) {
    int u = 0;
    for (; u + 4 <= out; u += 4) forward_block<A, 4>(x, z, h, in, out, Ws, b, alpha, u);
    switch (out - u) {
      case 3: forward_block<A, 3>(x, z, h, in, out, Ws, b, alpha, u); break;
      case 2: forward_block<A, 2>(x, z, h, in, out, Ws, b, alpha, u); break;
      case 1: forward_block<A, 1>(x, z, h, in, out, Ws, b, alpha, u); break;
      default: break;
    }
  }
}

// out[u + r] = sum over groups and lanes of x_g[k] * d_g[u + r], r < R (x
// null: of d_g[u + r] alone, the bias gradient).
template <int R>
NN_SIMD_INLINE void reduce_block(const f4* x, int in, int k, const f4* d, int out, int u, int G, float* dst) {
  f4 c[4] = {splat(0.f), splat(0.f), splat(0.f), splat(0.f)};
  for (int g = 0; g < G; ++g) {
    const f4* dg = d + long(g) * out + u;
    if (x) {
      const f4 xk = x[long(g) * in + k];
      for (int r = 0; r < R; ++r) c[r] += xk * dg[r];
    } else {
      for (int r = 0; r < R; ++r) c[r] += dg[r];
    }
  }
  const f4 sums = hsum4(c[0], c[1], c[2], c[3]);
  if constexpr (R == 4) simd::store(dst + u, sums);
  else
    for (int r = 0; r < R; ++r) dst[u + r] = sums[r];
}

inline void reduce_row(const f4* x, int in, int k, const f4* d, int out, int G, float* dst) {
  int u = 0;
  for (; u + 4 <= out; u += 4) reduce_block<4>(x, in, k, d, out, u, G, dst);
  switch (out - u) {
    case 3: reduce_block<3>(x, in, k, d, out, u, G, dst); break;
    case 2: reduce_block<2>(x, in, k, d, out, u, G, dst); break;
    case 1: reduce_block<1>(x, in, k, d, out, u, G, dst); break;
    default: break;
  }
}

// The whole of a layer's dWt (in x out, row-major: column j = k * out + u)
// or, x null, its db (in = 1): out[j] = sum over groups and lanes of
// x_g[j / out] * d_g[j % out] (or of d_g[j]). Four columns share one
// transpose-and-add whatever `out` is, so a layer of width 2 or 6 does not
// leave half of them empty (reduce_row's blocks stop at a row's end). Each
// column's sum is reduce_block's, term for term and in the same order.
// Columns j .. j + R - 1, the first at row k, unit u (j = k * out + u).
template <int R>
NN_SIMD_INLINE void reduce_cols_block(const f4* x, int in, const f4* d, int out, int G, float* dst, int j, int k,
                                      int u) {
  const f4* xp[R];
  const f4* dp[R];
  for (int r = 0; r < R; ++r) {
    xp[r] = x ? x + k : nullptr;
    dp[r] = d + u;
    if (++u == out) u = 0, ++k;
  }
  f4 c[4] = {splat(0.f), splat(0.f), splat(0.f), splat(0.f)};
  for (int g = 0; g < G; ++g) {
    if (x) {
      for (int r = 0; r < R; ++r) c[r] += xp[r][long(g) * in] * dp[r][long(g) * out];
    } else {
      for (int r = 0; r < R; ++r) c[r] += dp[r][long(g) * out];
    }
  }
  const f4 sums = hsum4(c[0], c[1], c[2], c[3]);
  if constexpr (R == 4) simd::store(dst + j, sums);
  else
    for (int r = 0; r < R; ++r) dst[j + r] = sums[r];
}

// dWt of a layer of width 2, four columns (two rows k, k + 1 of both units)
// per reduction: each column's sum as reduce_cols_block's, with two loads
// of x and two of d per group instead of four each.
NN_SIMD_INLINE void reduce_cols_block_w2(const f4* x, int in, const f4* d, int G, float* dst, int k) {
  f4 c0 = splat(0.f), c1 = splat(0.f), c2 = splat(0.f), c3 = splat(0.f);
  for (int g = 0; g < G; ++g) {
    const f4 x0 = x[long(g) * in + k], x1 = x[long(g) * in + k + 1];
    const f4 d0 = d[long(g) * 2], d1 = d[long(g) * 2 + 1];
    c0 += x0 * d0;
    c1 += x0 * d1;
    c2 += x1 * d0;
    c3 += x1 * d1;
  }
  simd::store(dst + 2 * k, hsum4(c0, c1, c2, c3));
}

inline void reduce_cols(const f4* x, int in, const f4* d, int out, int G, float* dst) {
  if (x && out == 2) {  // the playground's width-2 layers and two-class outputs
    int k = 0;
    for (; k + 2 <= in; k += 2) reduce_cols_block_w2(x, in, d, G, dst, k);
    if (k < in) reduce_cols_block<2>(x, in, d, 2, G, dst, 2 * k, k, 0);
    return;
  }
  const int cols = x ? in * out : out;
  int j = 0, k = 0, u = 0;  // j = k * out + u, advanced without a division
  for (; j + 4 <= cols; j += 4) {
    reduce_cols_block<4>(x, in, d, out, G, dst, j, k, u);
    for (u += 4; u >= out; u -= out) ++k;
  }
  switch (cols - j) {
    case 3: reduce_cols_block<3>(x, in, d, out, G, dst, j, k, u); break;
    case 2: reduce_cols_block<2>(x, in, d, out, G, dst, j, k, u); break;
    case 1: reduce_cols_block<1>(x, in, d, out, G, dst, j, k, u); break;
    default: break;
  }
}

// dx[k + r] = sum_u Wt[k + r, u] dz[u] for one group, r < R.
template <int R>
NN_SIMD_INLINE void dx_block(const f4* dg, f4* xg, const f4* Ws, int out, int k) {
  f4 c[R];
  for (int r = 0; r < R; ++r) c[r] = splat(0.f);
  const f4* w = Ws + long(k) * out;
  for (int u = 0; u < out; ++u) {
    const f4 du = dg[u];
    for (int r = 0; r < R; ++r) c[r] += w[long(r) * out + u] * du;
  }
  for (int r = 0; r < R; ++r) xg[k + r] = c[r];
}

// Backward of one layer: d (G x out) holds dh and becomes dz; writes db
// (unless null), dWt (in x out) and dx (G x in, unless null). Ws as in forward.
template <Activation A>
void dense_backward(const f4* x, const f4* z, const f4* h, f4* d, f4* dx, int G, int in, int out, const f4* Ws,
                    float* dWt, float* db, f4 alpha) {
  const long n = long(G) * out;
  if constexpr (keeps_z(A))
    for (long i = 0; i < n; ++i) d[i] = act_grad_f4<A>(z[i], h[i], d[i], alpha);
  else if constexpr (A != Activation::Linear)
    for (long i = 0; i < n; ++i) d[i] = act_grad_f4<A>(h[i], h[i], d[i], alpha);  // z unused
  if (db) reduce_cols(nullptr, in, d, out, G, db);  // db[u] = sum of dz[u]
  // dWt[k, u] = sum over groups and lanes of x[k] dz[u]
  if (out % 4 == 0)
    for (int k = 0; k < in; ++k) reduce_row(x, in, k, d, out, G, dWt + long(k) * out);
  else
    reduce_cols(x, in, d, out, G, dWt);
  if (!dx) return;
  for (int g = 0; g < G; ++g) {
    const f4* dg = d + long(g) * out;
    f4* xg = dx + long(g) * in;
    int k = 0;
    for (; k + 4 <= in; k += 4) dx_block<4>(dg, xg, Ws, out, k);
    switch (in - k) {
      case 3: dx_block<3>(dg, xg, Ws, out, k); break;
      case 2: dx_block<2>(dg, xg, Ws, out, k); break;
      case 1: dx_block<1>(dg, xg, Ws, out, k); break;
      default: break;
    }
  }
}

}  // namespace

// Scores s (G x C) -> the data loss summed over the n examples, and ds (G x C)
// = d(mean loss)/ds, zero in the lanes past n.
double TinyNet::loss_and_grad(const f4* s, f4* ds, const int* y, const int* idx, int n, const LossSpec& loss) {
  const int C = layers_.back().out, G = (n + 3) / 4;
  const float inv_n = 1.f / float(n);
  double total = 0;
  if (loss.kind == LossKind::Softmax) {
    // L_i = log sum_j e^{s_j - max} - (s_y - max); dL_i/ds_j = p_j - 1[j == y]
    const f4 vinv_n = splat(inv_n), zero = splat(0.f);
    for (int g = 0; g < G; ++g) {
      const f4* sg = s + long(g) * C;
      f4* dg = ds + long(g) * C;
      const int m = std::min(4, n - 4 * g);  // examples in this group
      int32_t labels[4] = {-1, -1, -1, -1};  // -1: no example in the lane
      for (int i = 0; i < m; ++i) labels[i] = y[idx[4 * g + i]];
      i4 yv;
      std::memcpy(&yv, labels, sizeof yv);
      f4 mx = sg[0], nonfinite = zero * sg[0];  // NaN in a lane whose scores are not all finite
      for (int j = 1; j < C; ++j) {
        mx = simd::max(mx, sg[j]);
        nonfinite += zero * sg[j];
      }
      f4 sum = zero, sy = zero;
      for (int j = 0; j < C; ++j) {
        const f4 e = simd::exp(sg[j] - mx);
        dg[j] = e;
        sum += e;
        sy = simd::select(yv == i4{j, j, j, j}, sg[j], sy);
      }
      const f4 li = simd::log(sum) - (sy - mx) + nonfinite;
      const f4 scale = vinv_n / sum;
      const i4 live = i4{0, 1, 2, 3} < i4{m, m, m, m};
      for (int j = 0; j < C; ++j) {
        const f4 p = dg[j] * scale - simd::select(yv == i4{j, j, j, j}, vinv_n, zero);
        dg[j] = simd::select(live, p, zero);
      }
      for (int i = 0; i < m; ++i) total += double(li[i]);
    }
    return total;
  }
  // The row-wise losses of fast_loss.h on the group's four examples as rows.
  for (int g = 0; g < G; ++g) {
    const int m = std::min(4, n - 4 * g);
    int yg[4];
    for (int i = 0; i < m; ++i) {
      yg[i] = y[idx[4 * g + i]];
      for (int j = 0; j < C; ++j) rows_[size_t(i) * C + j] = s[long(g) * C + j][i];
    }
    total += data_loss_sum(rows_.data(), yg, m, C, loss, drows_.data(), n);
    for (int j = 0; j < C; ++j) {
      f4 v = splat(0.f);
      for (int i = 0; i < m; ++i) v[i] = drows_[size_t(i) * C + j];
      ds[long(g) * C + j] = v;
    }
  }
  return total;
}

double TinyNet::forward_backward(const float* X, const int* y, const int* idx, int n, const LossSpec& loss,
                                 ParamArena& params) {
  const int G = (n + 3) / 4, L = int(layers_.size());
  reserve(G);
  // The batch, four examples per group (the lanes past n stay 0).
  {
    const int D = layers_[0].in;
    f4* a = a_[0].data();
    static const float zeros[kTinyMaxWidth] = {};
    for (int g = 0; g < G; ++g) {
      const int m = std::min(4, n - 4 * g);
      const float* r[4];
      for (int i = 0; i < 4; ++i) r[i] = i < m ? X + long(idx[4 * g + i]) * D : zeros;
      for (int k = 0; k < D; ++k) a[long(g) * D + k] = f4{r[0][k], r[1][k], r[2][k], r[3][k]};
    }
  }
  // Every weight splatted once per step: the products below load a vector
  // instead of broadcasting a float each time (G times forward, G backward).
  {
    f4* ws = ws_.data();
    for (const Layer& ly : layers_) {
      const float* w = params.value(ly.W);
      for (long i = 0; i < long(ly.in) * ly.out; ++i) ws[i] = splat(w[i]);
      ws += long(ly.in) * ly.out;
    }
  }
  for (int l = 0; l < L; ++l) {
    const Layer& ly = layers_[size_t(l)];
    const float* b = ly.b >= 0 ? params.value(ly.b) : nullptr;
    with_activation(ly.act, [&]<Activation A>() {
      dense_forward<A>(a_[size_t(l)].data(), z_[size_t(l)].data(), a_[size_t(l) + 1].data(), G, ly.in, ly.out,
                       ws_.data() + ly.ws_offset, b, splat(ly.alpha));
    });
  }
  const double total = loss_and_grad(a_[size_t(L)].data(), d_.data(), y, idx, n, loss);
  f4* d = d_.data();
  f4* dx = dx_.data();
  for (int l = L - 1; l >= 0; --l) {
    const Layer& ly = layers_[size_t(l)];
    float* db = ly.b >= 0 ? params.grad(ly.b) : nullptr;
    with_activation(ly.act, [&]<Activation A>() {
      dense_backward<A>(a_[size_t(l)].data(), z_[size_t(l)].data(), a_[size_t(l) + 1].data(), d, l > 0 ? dx : nullptr,
                        G, ly.in, ly.out, ws_.data() + ly.ws_offset, params.grad(ly.W), db, splat(ly.alpha));
    });
    std::swap(d, dx);
  }
  return total;
}

}  // namespace nn::fast
