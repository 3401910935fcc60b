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
    layers_.push_back(L);
    macs_ += long(L.in) * L.out;
    max_layer_macs_ = std::max(max_layer_macs_, long(L.in) * L.out);
    fan_in = L.out;
  }
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
    z_[l].assign(layers_[l].act == Activation::Linear ? 0 : G * layers_[l].out, splat(0.f));
    widest = std::max({widest, size_t(layers_[l].in), size_t(layers_[l].out)});
  }
  d_.assign(G * widest, splat(0.f));
  dx_.assign(G * widest, splat(0.f));
  rows_.assign(4 * size_t(layers_.back().out), 0.f);
  drows_.assign(rows_.size(), 0.f);
}

size_t TinyNet::workspace_floats() const {
  size_t v = d_.size() + dx_.size();
  for (const auto& a : a_) v += a.size();
  for (const auto& z : z_) v += z.size();
  return 4 * v + rows_.size() + drows_.size();
}

namespace {

inline float hsum(f4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// Forward of one layer over G groups: x (G x in) -> z (G x out, not kept for
// Linear), h (G x out). Four units at a time share each x[k].
template <Activation A>
void dense_forward(const f4* x, f4* z, f4* h, int G, int in, int out, const float* Wt, const float* b, f4 alpha) {
  for (int g = 0; g < G; ++g, x += in, h += out) {
    int u = 0;
    for (; u + 4 <= out; u += 4) {
      f4 c0 = splat(b ? b[u] : 0.f), c1 = splat(b ? b[u + 1] : 0.f), c2 = splat(b ? b[u + 2] : 0.f),
         c3 = splat(b ? b[u + 3] : 0.f);
      const float* w = Wt + u;
      for (int k = 0; k < in; ++k, w += out) {
        const f4 xk = x[k];
        c0 += splat(w[0]) * xk;
        c1 += splat(w[1]) * xk;
        c2 += splat(w[2]) * xk;
        c3 += splat(w[3]) * xk;
      }
      if constexpr (A != Activation::Linear) {
        f4* zg = z + long(g) * out + u;
        zg[0] = c0, zg[1] = c1, zg[2] = c2, zg[3] = c3;
      }
      h[u] = act_f4<A>(c0, alpha);
      h[u + 1] = act_f4<A>(c1, alpha);
      h[u + 2] = act_f4<A>(c2, alpha);
      h[u + 3] = act_f4<A>(c3, alpha);
    }
    for (; u < out; ++u) {
      f4 c = splat(b ? b[u] : 0.f);
      const float* w = Wt + u;
      for (int k = 0; k < in; ++k, w += out) c += splat(*w) * x[k];
      if constexpr (A != Activation::Linear) z[long(g) * out + u] = c;
      h[u] = act_f4<A>(c, alpha);
    }
  }
}

// Backward of one layer: d (G x out) holds dh and becomes dz; writes db
// (unless null), dWt (in x out) and dx (G x in, unless null).
template <Activation A>
void dense_backward(const f4* x, const f4* z, const f4* h, f4* d, f4* dx, int G, int in, int out, const float* Wt,
                    float* dWt, float* db, f4 alpha) {
  const long n = long(G) * out;
  if constexpr (A != Activation::Linear)
    for (long i = 0; i < n; ++i) d[i] = act_grad_f4<A>(z[i], h[i], d[i], alpha);
  if (db)
    for (int u = 0; u < out; ++u) {
      f4 acc = splat(0.f);
      for (int g = 0; g < G; ++g) acc += d[long(g) * out + u];
      db[u] = hsum(acc);
    }
  // dWt[k, u] = sum over groups and lanes of x[k] dz[u]
  for (int k = 0; k < in; ++k) {
    float* dw = dWt + long(k) * out;
    int u = 0;
    for (; u + 4 <= out; u += 4) {
      f4 c0 = splat(0.f), c1 = c0, c2 = c0, c3 = c0;
      for (int g = 0; g < G; ++g) {
        const f4 xk = x[long(g) * in + k];
        const f4* dg = d + long(g) * out + u;
        c0 += xk * dg[0];
        c1 += xk * dg[1];
        c2 += xk * dg[2];
        c3 += xk * dg[3];
      }
      dw[u] = hsum(c0), dw[u + 1] = hsum(c1), dw[u + 2] = hsum(c2), dw[u + 3] = hsum(c3);
    }
    for (; u < out; ++u) {
      f4 c = splat(0.f);
      for (int g = 0; g < G; ++g) c += x[long(g) * in + k] * d[long(g) * out + u];
      dw[u] = hsum(c);
    }
  }
  if (!dx) return;
  // dx[k] = sum_u Wt[k, u] dz[u], four inputs at a time
  for (int g = 0; g < G; ++g) {
    const f4* dg = d + long(g) * out;
    f4* xg = dx + long(g) * in;
    int k = 0;
    for (; k + 4 <= in; k += 4) {
      f4 c0 = splat(0.f), c1 = c0, c2 = c0, c3 = c0;
      const float* w = Wt + long(k) * out;
      for (int u = 0; u < out; ++u) {
        const f4 du = dg[u];
        c0 += splat(w[u]) * du;
        c1 += splat(w[out + u]) * du;
        c2 += splat(w[2 * out + u]) * du;
        c3 += splat(w[3 * out + u]) * du;
      }
      xg[k] = c0, xg[k + 1] = c1, xg[k + 2] = c2, xg[k + 3] = c3;
    }
    for (; k < in; ++k) {
      f4 c = splat(0.f);
      const float* w = Wt + long(k) * out;
      for (int u = 0; u < out; ++u) c += splat(w[u]) * dg[u];
      xg[k] = c;
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
      i4 yv = {-1, -1, -1, -1};
      for (int i = 0; i < m; ++i) yv[i] = y[idx[4 * g + i]];
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
    for (int g = 0; g < G; ++g) {
      const int m = std::min(4, n - 4 * g);
      for (int k = 0; k < D; ++k) {
        f4 v = splat(0.f);
        for (int i = 0; i < m; ++i) v[i] = X[long(idx[4 * g + i]) * D + k];
        a[long(g) * D + k] = v;
      }
    }
  }
  for (int l = 0; l < L; ++l) {
    const Layer& ly = layers_[size_t(l)];
    const float* b = ly.b >= 0 ? params.value(ly.b) : nullptr;
    with_activation(ly.act, [&]<Activation A>() {
      dense_forward<A>(a_[size_t(l)].data(), z_[size_t(l)].data(), a_[size_t(l) + 1].data(), G, ly.in, ly.out,
                       params.value(ly.W), b, splat(ly.alpha));
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
                        G, ly.in, ly.out, params.value(ly.W), params.grad(ly.W), db, splat(ly.alpha));
    });
    std::swap(d, dx);
  }
  return total;
}

}  // namespace nn::fast
