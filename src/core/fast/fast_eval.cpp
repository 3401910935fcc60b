// fast_eval.cpp: see fast_eval.h. The kernel keeps a block of 16 points as
// activations laid out [unit][16] and computes two output units at a time in
// eight 4-lane accumulators (each weight loaded once per 16 points, each
// activation vector once per two units). For ReLU-like nets scorer_grid
// interpolates across 4x4-pixel cells that lie in one linear region.
#include "core/fast/fast_eval.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/limits.h"
#include "core/models/layers.h"

namespace nn {

namespace {

// The preprocessing after feature expansion is affine: z = (f - mean) M,
// with the input scale s folded into M.
void preprocess_kind_affine(const Preprocessor& pre, int D, Mat& M, Vec& mean);
void preprocess_affine(const Preprocessor& pre, int D, Mat& M, Vec& mean) {
  preprocess_kind_affine(pre, D, M, mean);
  M *= pre.spec().scale;
}
void preprocess_kind_affine(const Preprocessor& pre, int D, Mat& M, Vec& mean) {
  M = Mat::Identity(D, D);
  mean = Vec::Zero(D);
  switch (pre.spec().kind) {
    case PreprocessKind::None: return;
    case PreprocessKind::MeanSubtract: mean = pre.mean(); return;
    case PreprocessKind::Normalize:
      mean = pre.mean();
      for (int j = 0; j < D; ++j) M(j, j) = 1.0 / pre.stddev()(j);
      return;
    case PreprocessKind::PCA: mean = pre.mean(); M = pre.eigvecs(); return;
    case PreprocessKind::Whiten:
      mean = pre.mean();
      M = pre.eigvecs();
      for (int j = 0; j < D; ++j) M.col(j) /= std::sqrt(pre.eigvals()(j) + Preprocessor::kWhitenEps);
      return;
  }
}

}  // namespace

FastScorer::FastScorer(const Model& model, const Preprocessor& pre) : pre_(pre.spec()) {
  feat_dim_ = pre.output_dim();
  classes_ = model.num_classes();
  // (W, b, act) in double first (batchnorm already folded); floats at the end.
  std::vector<FoldedLayer> ds = model.folded_layers();
  if (ds.empty()) throw std::runtime_error("the fast scorer needs a model with at least one layer");
  // Fold the preprocessing into the first layer: h = (f - mean) M W^T + b
  //   = f (W M^T)^T + (b - mean M W^T).
  Mat M;
  Vec mean;
  preprocess_affine(pre, feat_dim_, M, mean);
  FoldedLayer& first = ds.front();
  if (first.W.cols() != feat_dim_) throw std::runtime_error("model input size does not match the preprocessing");
  const Mat W1 = first.W * M.transpose();
  first.b = first.b - mean * M * first.W.transpose();
  first.W = W1;

  max_units_ = feat_dim_;
  for (const FoldedLayer& d : ds) {
    Layer L;
    L.in = int(d.W.cols());
    L.out = int(d.W.rows());
    L.W.resize(size_t(L.out) * L.in);
    L.b.resize(L.out);
    for (int o = 0; o < L.out; ++o) {
      for (int i = 0; i < L.in; ++i) L.W[size_t(o) * L.in + i] = float(d.W(o, i));
      L.b[o] = d.b.size() ? float(d.b(0, o)) : 0.f;
    }
    L.act = d.act;
    L.alpha = float(d.alpha);
    L.maxout_k = d.maxout_k;
    max_units_ = std::max(max_units_, L.out);
    layers_.push_back(std::move(L));
  }
}

void FastScorer::features(float x, float y, float* f) const {
  int c = 0;
  f[c++] = x;
  f[c++] = y;
  if (pre_.square) { f[c++] = x * x; f[c++] = y * y; }
  if (pre_.cross) f[c++] = x * y;
  if (pre_.sines) { f[c++] = std::sin(x); f[c++] = std::sin(y); }
}

// ---- Scalar reference ---------------------------------------------------------
static float act_scalar(Activation a, float alpha, float v) {
  switch (a) {
    case Activation::ReLU: return v > 0 ? v : 0;
    case Activation::LeakyReLU: return v > 0 ? v : alpha * v;
    case Activation::ELU: return v > 0 ? v : alpha * (std::exp(v) - 1);
    case Activation::Tanh: return std::tanh(v);
    case Activation::Sigmoid: return 1 / (1 + std::exp(-v));
    default: return v;
  }
}

void FastScorer::scores_reference(const float* xs, const float* ys, int n, float* out) const {
  std::vector<float> a(max_units_ + 8), h(max_units_ + 8);
  for (int p = 0; p < n; ++p) {
    features(xs[p], ys[p], a.data());
    for (const Layer& L : layers_) {
      for (int o = 0; o < L.out; ++o) {
        float acc = L.b[o];
        for (int i = 0; i < L.in; ++i) acc += L.W[size_t(o) * L.in + i] * a[i];
        h[o] = acc;
      }
      if (L.act == Activation::Maxout) {
        for (int u = 0; u < L.units(); ++u) {
          float m = h[u * L.maxout_k];
          for (int j = 1; j < L.maxout_k; ++j) m = std::max(m, h[u * L.maxout_k + j]);
          a[u] = m;
        }
      } else {
        for (int o = 0; o < L.out; ++o) a[o] = act_scalar(L.act, L.alpha, h[o]);
      }
    }
    for (int c = 0; c < classes_; ++c) out[size_t(p) * classes_ + c] = a[c];
  }
}

// ---- SIMD kernel --------------------------------------------------------------
namespace {
constexpr int kBlock = 16;  // points per block: four f4 vectors
using simd::f4;

inline f4 act_simd(Activation a, float alpha, f4 v) {
  switch (a) {
    case Activation::ReLU: return simd::max(v, simd::splat(0.f));
    case Activation::LeakyReLU: return simd::select(v > simd::splat(0.f), v, v * simd::splat(alpha));
    case Activation::ELU:
      return simd::select(v > simd::splat(0.f), v, simd::splat(alpha) * (simd::exp(v) - simd::splat(1.f)));
    case Activation::Tanh: return simd::tanh(v);
    case Activation::Sigmoid: return simd::sigmoid(v);
    default: return v;
  }
}
}  // namespace

// One block of kBlock points through every layer. `a` holds the features as
// [feature][kBlock] on entry and the scores as [class][kBlock] on return (the
// returned pointer is a or h). Each pass over the inputs updates two output
// units at once (eight 4-lane accumulators), so every activation vector
// loaded serves two units.
const float* FastScorer::forward_block(float* a, float* h, uint32_t* pattern) const {
  const int words = pattern ? pattern_words() : 0;
  if (pattern) std::fill(pattern, pattern + size_t(words) * kBlock, 0u);
  int bit = 0;  // hidden unit counter across layers
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const int in = L.in;
    int o = 0;
    for (; o + 2 <= L.out; o += 2) {
      const float* w0 = &L.W[size_t(o) * in];
      const float* w1 = w0 + in;
      f4 p0 = simd::splat(L.b[o]), p1 = p0, p2 = p0, p3 = p0;
      f4 q0 = simd::splat(L.b[o + 1]), q1 = q0, q2 = q0, q3 = q0;
      for (int i = 0; i < in; ++i) {
        const float* ai = a + i * kBlock;
        const f4 x0 = simd::load(ai), x1 = simd::load(ai + 4), x2 = simd::load(ai + 8), x3 = simd::load(ai + 12);
        const f4 u = simd::splat(w0[i]), v = simd::splat(w1[i]);
        p0 += u * x0; p1 += u * x1; p2 += u * x2; p3 += u * x3;
        q0 += v * x0; q1 += v * x1; q2 += v * x2; q3 += v * x3;
      }
      float* ho = h + o * kBlock;
      simd::store(ho, p0); simd::store(ho + 4, p1); simd::store(ho + 8, p2); simd::store(ho + 12, p3);
      simd::store(ho + 16, q0); simd::store(ho + 20, q1); simd::store(ho + 24, q2); simd::store(ho + 28, q3);
    }
    for (; o < L.out; ++o) {
      const float* w = &L.W[size_t(o) * in];
      f4 acc0 = simd::splat(L.b[o]), acc1 = acc0, acc2 = acc0, acc3 = acc0;
      for (int i = 0; i < in; ++i) {
        const f4 wi = simd::splat(w[i]);
        const float* ai = a + i * kBlock;
        acc0 += wi * simd::load(ai);
        acc1 += wi * simd::load(ai + 4);
        acc2 += wi * simd::load(ai + 8);
        acc3 += wi * simd::load(ai + 12);
      }
      float* ho = h + o * kBlock;
      simd::store(ho, acc0); simd::store(ho + 4, acc1); simd::store(ho + 8, acc2); simd::store(ho + 12, acc3);
    }
    if (pattern && l + 1 < layers_.size()) {
      for (int o = 0; o < L.out; ++o, ++bit)
        for (int j = 0; j < kBlock; ++j)
          if (h[o * kBlock + j] > 0) pattern[size_t(j) * words + bit / 32] |= 1u << (bit % 32);
    }
    if (L.act == Activation::Maxout) {
      for (int u = 0; u < L.units(); ++u)
        for (int q = 0; q < kBlock; q += 4) {
          f4 mx = simd::load(h + (u * L.maxout_k) * kBlock + q);
          for (int j = 1; j < L.maxout_k; ++j) mx = simd::max(mx, simd::load(h + (u * L.maxout_k + j) * kBlock + q));
          simd::store(a + u * kBlock + q, mx);
        }
    } else if (L.act == Activation::Linear) {
      std::swap(a, h);  // the affine output is the layer's output
    } else {
      for (int q = 0; q < L.out * kBlock; q += 4) simd::store(a + q, act_simd(L.act, L.alpha, simd::load(h + q)));
    }
  }
  return a;
}

int FastScorer::pattern_words() const {
  int units = 0;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) units += layers_[l].out;
  return std::max(1, (units + 31) / 32);
}

bool FastScorer::piecewise_linear() const {
  if (pre_.square || pre_.cross || pre_.sines) return false;
  for (size_t l = 0; l + 1 < layers_.size(); ++l) {
    const Activation a = layers_[l].act;
    if (a != Activation::ReLU && a != Activation::LeakyReLU && a != Activation::Linear) return false;
    if (a == Activation::LeakyReLU && !(layers_[l].alpha >= 0)) return false;
  }
  return !layers_.empty();
}

// Two activation buffers of one thread, sized for the widest layer; reused
// across calls (no allocation per call once grown).
static float* scratch(size_t floats, int which) {
  thread_local std::vector<float> buf[2];
  if (buf[which].size() < floats) buf[which].resize(floats);
  return buf[which].data();
}

void FastScorer::load_block(const float* xs, const float* ys, int p0, int m, float* a) const {
  float f[16];
  for (int j = 0; j < kBlock; ++j) {
    const int p = p0 + std::min(j, m - 1);  // pad a partial block with its last point
    features(xs[p], ys[p], f);
    for (int i = 0; i < feat_dim_; ++i) a[i * kBlock + j] = f[i];
  }
}

void FastScorer::scores(const float* xs, const float* ys, int n, float* out) const {
  const size_t floats = size_t(max_units_ + 8) * kBlock;
  float* bufA = scratch(floats, 0);
  float* bufH = scratch(floats, 1);
  for (int p0 = 0; p0 < n; p0 += kBlock) {
    const int m = std::min(kBlock, n - p0);
    load_block(xs, ys, p0, m, bufA);
    const float* sc = forward_block(bufA, bufH);
    for (int j = 0; j < m; ++j)
      for (int c = 0; c < classes_; ++c) out[size_t(p0 + j) * classes_ + c] = sc[c * kBlock + j];
  }
}

// Arg-max, confidence and heat of one point from its C scores (scalar; the
// reference for the vectorised loop in classify()).
static void classify_scalar(const float* s, int C, int score_class, int& label, float& conf, float* heat) {
  int best = 0;
  for (int c = 1; c < C; ++c)
    if (s[c] > s[best]) best = c;
  float z = 0;
  for (int c = 0; c < C; ++c) z += std::exp(s[c] - s[best]);
  const float pmax = 1.f / z;
  label = best;
  conf = std::clamp((pmax - 1.f / C) / (1.f - 1.f / C), 0.f, 1.f);
  if (heat && score_class >= 0 && score_class < C) *heat = std::exp(s[score_class] - s[best]) / z;
}

void FastScorer::classify_reference(const float* xs, const float* ys, int n, int* labels, float* confidence,
                                    int score_class, float* heat) const {
  std::vector<float> sc(size_t(std::max(n, 1)) * classes_);
  scores_reference(xs, ys, n, sc.data());
  for (int j = 0; j < n; ++j)
    classify_scalar(&sc[size_t(j) * classes_], classes_, score_class, labels[j], confidence[j], heat ? &heat[j] : nullptr);
}

// Arg-max, confidence and heat of one block from its scores [class][kBlock].
void FastScorer::classify_block(const float* sc, int* lab, float* conf, int score_class, float* ht) const {
  const int C = classes_;
  const bool want_heat = score_class >= 0 && score_class < C;
  const f4 invC = simd::splat(1.f / C), scale = simd::splat(1.f / (1.f - 1.f / C));
  for (int q = 0; q < kBlock; q += 4) {
    // Arg-max (first of equal scores wins, as in the scalar loop), then the
    // softmax normaliser z = sum exp(s_c - s_best) with the vector exp.
    f4 best = simd::load(sc + q);
    simd::i4 arg = {0, 0, 0, 0};
    for (int c = 1; c < C; ++c) {
      const f4 v = simd::load(sc + c * kBlock + q);
      const simd::i4 gt = v > best;
      best = simd::select(gt, v, best);
      arg = (gt & simd::i4{c, c, c, c}) | (~gt & arg);
    }
    f4 z = simd::splat(0.f);
    for (int c = 0; c < C; ++c) z += simd::exp(simd::load(sc + c * kBlock + q) - best);
    const f4 pmax = simd::splat(1.f) / z;
    const f4 cf = simd::min(simd::max((pmax - invC) * scale, simd::splat(0.f)), simd::splat(1.f));
    std::memcpy(lab + q, &arg, sizeof arg);
    simd::store(conf + q, cf);
    if (want_heat) simd::store(ht + q, simd::exp(simd::load(sc + score_class * kBlock + q) - best) / z);
  }
}

void FastScorer::classify(const float* xs, const float* ys, int n, int* labels, float* confidence,
                          int score_class, float* heat) const {
  const size_t floats = size_t(max_units_ + 8) * kBlock;
  float* bufA = scratch(floats, 0);
  float* bufH = scratch(floats, 1);
  const bool want_heat = heat && score_class >= 0 && score_class < classes_;
  for (int p0 = 0; p0 < n; p0 += kBlock) {
    const int m = std::min(kBlock, n - p0);
    load_block(xs, ys, p0, m, bufA);
    const float* sc = forward_block(bufA, bufH);  // [class][kBlock]
    int lab[kBlock];
    float conf[kBlock], ht[kBlock];
    classify_block(sc, lab, conf, want_heat ? score_class : -1, ht);
    std::memcpy(labels + p0, lab, sizeof(int) * m);
    std::memcpy(confidence + p0, conf, sizeof(float) * m);
    if (want_heat) std::memcpy(heat + p0, ht, sizeof(float) * m);
  }
}

// Cells of 4x4 pixels. The activation pattern and scores are computed on the
// lattice of cell corners (pixel edges, shared by neighbouring cells). A cell
// whose four corners share the pattern lies inside one linear region (a
// region of fixed pattern is convex: every pre-activation is affine in (x, y)
// once the earlier layers' patterns are fixed), so there the scores are the
// affine interpolation of the corner scores; any other cell runs the network
// on its 16 pixels.
void FastScorer::grid_cells(int W, int H, double x0, double x1, double y0, double y1, int by0, int by1,
                            int* labels, float* confidence, int heat_class, float* heat) const {
  const int C = classes_, words = pattern_words();
  const int nbx = W / 4, LW = nbx + 1, LH = by1 - by0 + 1;
  const size_t floats = size_t(max_units_ + 8) * kBlock;
  float* bufA = scratch(floats, 0);
  float* bufH = scratch(floats, 1);
  // Lattice: scores [point][C] and patterns [point][words], row-major.
  std::vector<float> lx(LW), ly(LW), lsc(size_t(LW) * LH * C);
  std::vector<uint32_t> lpat(size_t(LW) * LH * words);
  uint32_t pat[kBlock * 64];
  std::vector<uint32_t> patbuf;
  uint32_t* pb = pat;
  if (words > 64) { patbuf.resize(size_t(kBlock) * words); pb = patbuf.data(); }
  for (int c = 0; c < LW; ++c) lx[c] = float(x0 + (x1 - x0) * (4.0 * c) / W);
  for (int lr = 0; lr < LH; ++lr) {
    std::fill(ly.begin(), ly.end(), float(y1 + (y0 - y1) * (4.0 * (by0 + lr)) / H));
    for (int p0 = 0; p0 < LW; p0 += kBlock) {
      const int m = std::min(kBlock, LW - p0);
      load_block(lx.data(), ly.data(), p0, m, bufA);
      const float* sc = forward_block(bufA, bufH, pb);
      for (int j = 0; j < m; ++j) {
        const size_t pt = size_t(lr) * LW + p0 + j;
        for (int k = 0; k < C; ++k) lsc[pt * C + k] = sc[k * kBlock + j];
        std::memcpy(&lpat[pt * words], pb + size_t(j) * words, sizeof(uint32_t) * words);
      }
    }
  }
  float xs[kBlock], ys[kBlock], sc_in[kBlock * kMaxClasses];
  int lab[kBlock];
  float conf[kBlock], ht[kBlock];
  const bool want_heat = heat && heat_class >= 0 && heat_class < C;
  for (int by = by0; by < by1; ++by) {
    const int lr = by - by0;
    for (int bx = 0; bx < nbx; ++bx) {
      const size_t p00 = size_t(lr) * LW + bx, p10 = p00 + 1, p01 = p00 + LW, p11 = p01 + 1;
      const uint32_t* q00 = &lpat[p00 * words];
      const bool uniform = std::equal(q00, q00 + words, &lpat[p10 * words]) &&
                           std::equal(q00, q00 + words, &lpat[p01 * words]) &&
                           std::equal(q00, q00 + words, &lpat[p11 * words]);
      const float* sc;
      if (uniform) {
        // Pixel (i, j) of the cell sits at u = (i + 0.5) / 4, v = (j + 0.5) / 4.
        for (int k = 0; k < C; ++k) {
          const float s00 = lsc[p00 * C + k], du = lsc[p10 * C + k] - s00, dv = lsc[p01 * C + k] - s00;
          for (int j = 0; j < 4; ++j)
            for (int i = 0; i < 4; ++i) sc_in[k * kBlock + j * 4 + i] = s00 + du * ((i + 0.5f) / 4) + dv * ((j + 0.5f) / 4);
        }
        sc = sc_in;
      } else {
        for (int j = 0; j < 4; ++j)
          for (int i = 0; i < 4; ++i) {
            xs[j * 4 + i] = float(x0 + (x1 - x0) * (4 * bx + i + 0.5) / W);
            ys[j * 4 + i] = float(y1 + (y0 - y1) * (4 * by + j + 0.5) / H);
          }
        load_block(xs, ys, 0, kBlock, bufA);
        sc = forward_block(bufA, bufH);
      }
      classify_block(sc, lab, conf, want_heat ? heat_class : -1, ht);
      for (int j = 0; j < 4; ++j) {
        const size_t off = size_t(4 * by + j) * W + 4 * bx;
        std::memcpy(labels + off, lab + j * 4, sizeof(int) * 4);
        std::memcpy(confidence + off, conf + j * 4, sizeof(float) * 4);
        if (want_heat) std::memcpy(heat + off, ht + j * 4, sizeof(float) * 4);
      }
    }
  }
}

double FastScorer::multiply_adds() const {
  double n = 0;
  for (const Layer& l : layers_) n += double(l.in) * l.out;
  return n;
}

void scorer_grid(const FastScorer& s, int W, int H, double x0, double x1, double y0, double y1,
                 std::vector<int>& labels, std::vector<float>& confidence, int heat_class,
                 std::vector<float>* heat) {
  labels.assign(size_t(W) * H, -1);
  confidence.assign(size_t(W) * H, 0.f);
  if (heat) heat->assign(size_t(W) * H, 0.f);
  if (s.empty() || W <= 0 || H <= 0) return;
  // Pixels [c0, c1) of rows [r0, r1), one network evaluation per pixel.
  auto direct = [&](int r0, int r1, int c0, int c1) {
    if (c0 >= c1) return;
    std::vector<float> xs(c1 - c0), ys(c1 - c0);
    for (int c = c0; c < c1; ++c) xs[c - c0] = float(x0 + (x1 - x0) * (c + 0.5) / W);
    for (int r = r0; r < r1; ++r) {
      std::fill(ys.begin(), ys.end(), float(y1 + (y0 - y1) * (r + 0.5) / H));
      const size_t off = size_t(r) * W + c0;
      s.classify(xs.data(), ys.data(), c1 - c0, &labels[off], &confidence[off], heat_class,
                 heat ? &(*heat)[off] : nullptr);
    }
  };
  if (!s.piecewise_linear() || W < 8 || H < 8) {
    parallel_for(H, [&](int r0, int r1) { direct(r0, r1, 0, W); }, 2);
    return;
  }
  const int nby = H / 4;
  parallel_for(nby, [&](int b0, int b1) {
    s.grid_cells(W, H, x0, x1, y0, y1, b0, b1, labels.data(), confidence.data(), heat_class,
                 heat ? heat->data() : nullptr);
    direct(4 * b0, 4 * b1, 4 * (W / 4), W);  // columns past the last whole cell
  }, 4);
  direct(4 * nby, H, 0, W);  // rows past the last whole cell
}

}  // namespace nn
