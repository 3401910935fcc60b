// fast_eval.cpp: see fast_eval.h. The kernel keeps a block of 16 points as
// activations laid out [unit][16] and computes each output unit as four
// 4-lane accumulators, so every weight is loaded once per 16 points.
#include "fast_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "layers.h"
#include "linear.h"
#include "net.h"
#include "parallel.h"
#include "simd.h"

namespace nn {

namespace {

// The preprocessing after feature expansion is affine: z = (f - mean) M.
void preprocess_affine(const Preprocessor& pre, int D, Mat& M, Vec& mean) {
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
  // (W, b, act) in double first; folded into floats at the end.
  struct D { Mat W, b; Activation act; double alpha; int k; };
  std::vector<D> ds;
  if (auto* lin = dynamic_cast<const LinearClassifier*>(&model)) {
    ds.push_back({lin->W, lin->b, Activation::Linear, 0, 1});
  } else if (auto* net = dynamic_cast<const Net*>(&model)) {
    for (const HiddenLayer& L : net->layers) {
      Mat W = L.W, b = L.b;
      if (L.spec.batchnorm) {
        // test mode: gamma (h - mean) / sqrt(var + eps) + beta, per unit
        for (int o = 0; o < W.rows(); ++o) {
          const double s = L.gamma(0, o) / std::sqrt(L.running_var(0, o) + kBatchNormEps);
          W.row(o) *= s;
          b(0, o) = (b(0, o) - L.running_mean(0, o)) * s + L.beta(0, o);
        }
      }
      ds.push_back({W, b, L.spec.act, L.spec.alpha, L.spec.act == Activation::Maxout ? L.spec.maxout_k : 1});
    }
    ds.push_back({net->W_out, net->b_out, Activation::Linear, 0, 1});
  } else {
    throw std::runtime_error("the fast scorer handles linear classifiers and networks only");
  }
  // Fold the preprocessing into the first layer: h = (f - mean) M W^T + b
  //   = f (W M^T)^T + (b - mean M W^T).
  Mat M;
  Vec mean;
  preprocess_affine(pre, feat_dim_, M, mean);
  D& first = ds.front();
  if (first.W.cols() != feat_dim_) throw std::runtime_error("model input size does not match the preprocessing");
  const Mat W1 = first.W * M.transpose();
  first.b = first.b - mean * M * first.W.transpose();
  first.W = W1;

  max_units_ = feat_dim_;
  for (const D& d : ds) {
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
    L.maxout_k = d.k;
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

void FastScorer::scores(const float* xs, const float* ys, int n, float* out) const {
  // Activations of one block: [unit][kBlock], ping-ponged between layers.
  std::vector<float> bufA(size_t(max_units_ + 8) * kBlock), bufH(size_t(max_units_ + 8) * kBlock);
  float f[16];
  for (int p0 = 0; p0 < n; p0 += kBlock) {
    const int m = std::min(kBlock, n - p0);
    float* a = bufA.data();  // layer input (then its output)
    float* h = bufH.data();  // affine outputs before the activation
    for (int j = 0; j < kBlock; ++j) {
      const int p = p0 + std::min(j, m - 1);  // pad a partial block with its last point
      features(xs[p], ys[p], f);
      for (int i = 0; i < feat_dim_; ++i) a[i * kBlock + j] = f[i];
    }
    for (const Layer& L : layers_) {
      for (int o = 0; o < L.out; ++o) {
        const float* w = &L.W[size_t(o) * L.in];
        f4 acc0 = simd::splat(L.b[o]), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int i = 0; i < L.in; ++i) {
          const f4 wi = simd::splat(w[i]);
          const float* ai = a + i * kBlock;
          acc0 += wi * simd::load(ai);
          acc1 += wi * simd::load(ai + 4);
          acc2 += wi * simd::load(ai + 8);
          acc3 += wi * simd::load(ai + 12);
        }
        float* ho = h + o * kBlock;
        simd::store(ho, acc0);
        simd::store(ho + 4, acc1);
        simd::store(ho + 8, acc2);
        simd::store(ho + 12, acc3);
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
    for (int j = 0; j < m; ++j)
      for (int c = 0; c < classes_; ++c) out[size_t(p0 + j) * classes_ + c] = a[c * kBlock + j];
  }
}

void FastScorer::classify(const float* xs, const float* ys, int n, int* labels, float* confidence,
                          int score_class, float* heat) const {
  constexpr int kChunk = 256;
  float sc[kChunk * kMaxClasses];
  const int C = classes_;
  for (int p0 = 0; p0 < n; p0 += kChunk) {
    const int m = std::min(kChunk, n - p0);
    scores(xs + p0, ys + p0, m, sc);
    for (int j = 0; j < m; ++j) {
      const float* s = sc + j * C;
      int best = 0;
      for (int c = 1; c < C; ++c)
        if (s[c] > s[best]) best = c;
      float z = 0;
      for (int c = 0; c < C; ++c) z += std::exp(s[c] - s[best]);
      const float pmax = 1.f / z;
      labels[p0 + j] = best;
      confidence[p0 + j] = std::clamp((pmax - 1.f / C) / (1.f - 1.f / C), 0.f, 1.f);
      if (heat && score_class >= 0 && score_class < C) heat[p0 + j] = std::exp(s[score_class] - s[best]) / z;
    }
  }
}

void scorer_grid(const FastScorer& s, int W, int H, double x0, double x1, double y0, double y1,
                 std::vector<int>& labels, std::vector<float>& confidence, int heat_class,
                 std::vector<float>* heat) {
  labels.assign(size_t(W) * H, -1);
  confidence.assign(size_t(W) * H, 0.f);
  if (heat) heat->assign(size_t(W) * H, 0.f);
  if (s.empty() || W <= 0 || H <= 0) return;
  parallel_for(H, [&](int r0, int r1) {
    std::vector<float> xs(W), ys(W);
    for (int c = 0; c < W; ++c) xs[c] = float(x0 + (x1 - x0) * (c + 0.5) / W);
    for (int r = r0; r < r1; ++r) {
      std::fill(ys.begin(), ys.end(), float(y1 + (y0 - y1) * (r + 0.5) / H));
      const size_t off = size_t(r) * W;
      s.classify(xs.data(), ys.data(), W, &labels[off], &confidence[off], heat_class,
                 heat ? &(*heat)[off] : nullptr);
    }
  }, 2);
}

}  // namespace nn
