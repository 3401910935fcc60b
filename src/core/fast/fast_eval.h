// fast_eval.h: the decision-region kernel. A trained linear classifier or
// network (plus its preprocessing) is flattened into float layers, batchnorm
// and the preprocessing's affine map folded into the weights, and evaluated
// four points per SIMD vector. scores_reference() is the plain scalar version
// of the same arithmetic; the tests hold both against Model::scores().
#pragma once
#include <cstdint>
#include <vector>

#include "core/models/model.h"
#include "core/data/preprocess.h"

namespace nn {

class FastScorer {
 public:
  FastScorer() = default;
  // Any model with folded_layers() (linear classifiers and networks).
  FastScorer(const Model& model, const Preprocessor& pre);

  int num_classes() const { return classes_; }
  // Multiply-adds of the layers for one point (what one pixel of the
  // decision regions costs without interpolation).
  double multiply_adds() const;
  bool empty() const { return layers_.empty(); }

  // Scores of n points: out is n x C, row-major.
  void scores(const float* xs, const float* ys, int n, float* out) const;
  void scores_reference(const float* xs, const float* ys, int n, float* out) const;

  // Arg-max class and a confidence in [0, 1]: the softmax probability of the
  // winner rescaled so that 1/C (a uniform guess) maps to 0.
  // If score_class >= 0, heat receives that class's softmax probability.
  void classify(const float* xs, const float* ys, int n, int* labels, float* confidence,
                int score_class = -1, float* heat = nullptr) const;
  // True when every hidden activation is piecewise linear (ReLU, leaky ReLU,
  // linear) and the features are affine in (x, y) (no feature expansion).
  // Then the scores are one affine function across any convex area whose
  // corners share the activation pattern, and scorer_grid interpolates them
  // across such 4x4-pixel cells instead of running the network per pixel.
  bool piecewise_linear() const;
  // scorer_grid's fast path for that case: rows of 4x4 cells [by0, by1).
  void grid_cells(int W, int H, double x0, double x1, double y0, double y1, int by0, int by1, int* labels,
                  float* confidence, int heat_class, float* heat) const;
  // The same from scores_reference() with scalar std::exp: what the tests
  // hold classify() against.
  void classify_reference(const float* xs, const float* ys, int n, int* labels, float* confidence,
                          int score_class = -1, float* heat = nullptr) const;

 private:
  struct Layer {
    int in = 0, out = 0;          // out counts affine outputs (width * k for maxout)
    std::vector<float> W, b;      // (out x in) row-major, (out)
    Activation act = Activation::Linear;
    float alpha = 0;
    int maxout_k = 1;
    int units() const { return act == Activation::Maxout ? out / maxout_k : out; }
  };
  void features(float x, float y, float* f) const;  // raw point -> expanded features
  // The SIMD kernel's parts (fast_eval.cpp): one block of 16 points, laid
  // out [unit][16], through every layer; and the features of such a block.
  // With `pattern`, also records which hidden units are active (pre-activation
  // > 0), pattern_words() 32-bit words per point, [point][word].
  const float* forward_block(float* a, float* h, uint32_t* pattern = nullptr) const;
  int pattern_words() const;
  void classify_block(const float* sc, int* labels, float* confidence, int score_class, float* heat) const;
  void load_block(const float* xs, const float* ys, int p0, int m, float* a) const;

  PreprocessSpec pre_;
  int feat_dim_ = 2;
  std::vector<Layer> layers_;
  int classes_ = 0;
  int max_units_ = 0;
};

// Decision regions of a scorer over a W x H grid of pixel centres spanning
// [x0, x1] x [y1, y0] (row 0 at the top, y1). Split across threads.
void scorer_grid(const FastScorer& s, int W, int H, double x0, double x1, double y0, double y1,
                 std::vector<int>& labels, std::vector<float>& confidence, int heat_class = -1,
                 std::vector<float>* heat = nullptr);

}  // namespace nn
