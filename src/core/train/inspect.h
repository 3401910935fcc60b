// inspect.h: what the inspector shows for each hidden layer, computed in test
// mode over a set of points: the activations' mean, spread and histogram, and
// the fraction of dead (ReLU) or saturated (tanh, sigmoid) units.
#pragma once
#include <string>
#include <vector>

#include "core/models/model.h"

namespace nn {

// Conv and pool layers (LayerActivations::volume set): a unit is a channel,
// one filter's activation map; mean, spread and histogram run over every
// value of every map, and a filter is dead when its ReLU input is <= 0 at
// every position of every image.
struct LayerStats {
  std::string name;
  Activation act = Activation::Linear;
  int units = 0;                    // fc: width; conv and pool: channels (filters)
  double act_mean = 0, act_std = 0;
  std::vector<int> histogram;       // counts over [hist_lo, hist_hi]
  double hist_lo = -1, hist_hi = 1;
  double dead_fraction = 0;         // (Leaky) ReLU units (filters) whose input is <= 0 on every point
  double saturated_fraction = 0;    // tanh/sigmoid outputs within 1% of their bounds
};

constexpr int kHistogramBins = 30;

// One LayerStats per hidden layer of m over the points X (empty for a linear
// classifier).
std::vector<LayerStats> inspect_layers(const Model& m, const Mat& X);
// The statistics of one layer's activations (exposed for tests).
LayerStats layer_stats(const LayerActivations& a);

// The 1D regression view's faint per-unit curves for hidden layer `layer`
// (0-based; -1: the last) of a network with one output, evaluated at the
// rows of X (preprocessed inputs, N x 2): an (N x units) matrix, one column
// per unit. For the last hidden layer, unit j's contribution
// W_out(0, j) * h_j(x) to the output, so the columns add up to the output
// minus its bias; for an earlier layer, the unit's output h_j(x) itself.
// Empty for a model without hidden layers, with more than one output, or a
// layer index out of range.
Mat unit_curves(const Model& m, const Mat& X, int layer);

// Multiply-adds of one row through m's weight matrices (one per weight): the
// exact cost of a dense network or linear classifier's forward pass, a lower
// bound for conv layers (which reuse each weight at every position).
double weight_multiply_adds(const Model& m);
// How many of n rows the inspector uses for m (limits.h: kMaxInspectRows,
// kMinInspectRows, kInspectMultiplyAdds); n itself when fewer.
long inspect_rows(const Model& m, long n);

// A sentence for the user when a ReLU layer has every unit (filter) dead:
// zero output on every point, so no gradient reaches it or anything below it
// and training has stalled; "" when no layer is entirely dead. Leaky ReLU
// layers are not named: their negative side still passes a gradient.
std::string all_dead_message(const std::vector<LayerStats>& layers);

// The activation maps of one image through a ConvNet's conv and pool layers,
// as the image mode draws them: for a conv layer its output before the
// activation ("conv 1") and after it ("relu 1", named after the activation),
// for a pool layer its output. Fully connected layers are left out.
struct ActivationMaps {
  std::string name;
  int channels = 0, height = 0, width = 0;
  std::vector<double> values;  // channel-major: values[(c * height + y) * width + x]
  double lo = 0, hi = 0;       // the smallest and largest value (0, 0 if none)
};
// x: one row (1 x D) already preprocessed as the model's input.
std::vector<ActivationMaps> activation_maps(const Model& m, const Mat& x);

}  // namespace nn
