// fast_eval.h: the decision-region kernel. A trained linear classifier or
// network (plus its preprocessing) is flattened into float layers, batchnorm
// and the preprocessing's affine map folded into the weights, and evaluated
// four points per SIMD vector. scores_reference() is the plain scalar version
// of the same arithmetic; the tests hold both against Model::scores().
#pragma once
#include <vector>

#include "model.h"
#include "preprocess.h"

namespace nn {

class FastScorer {
 public:
  FastScorer() = default;
  // Takes a LinearClassifier or Net (throws std::runtime_error otherwise).
  FastScorer(const Model& model, const Preprocessor& pre);

  int num_classes() const { return classes_; }
  bool empty() const { return layers_.empty(); }

  // Scores of n points: out is n x C, row-major.
  void scores(const float* xs, const float* ys, int n, float* out) const;
  void scores_reference(const float* xs, const float* ys, int n, float* out) const;

  // Arg-max class and a confidence in [0, 1]: the softmax probability of the
  // winner rescaled so that 1/C (a uniform guess) maps to 0.
  // If score_class >= 0, heat receives that class's softmax probability.
  void classify(const float* xs, const float* ys, int n, int* labels, float* confidence,
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
