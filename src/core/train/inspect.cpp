// inspect.cpp: per-layer activation statistics for the inspector.
#include "core/train/inspect.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/limits.h"

namespace nn {

// Histogram range: the activation's bounds, or the data's range widened to at
// least [-1, 1] (ReLU from 0) for unbounded activations.
static void histogram_range(Activation act, const Mat& h, LayerStats& st) {
  const double mn = h.size() ? h.minCoeff() : 0.0, mx = h.size() ? h.maxCoeff() : 0.0;
  switch (act) {
    case Activation::Tanh: st.hist_lo = -1; st.hist_hi = 1; break;
    case Activation::Sigmoid: st.hist_lo = 0; st.hist_hi = 1; break;
    case Activation::ReLU: st.hist_lo = 0; st.hist_hi = std::max(1.0, mx); break;
    default: st.hist_lo = std::min(-1.0, mn); st.hist_hi = std::max(1.0, mx); break;
  }
}

// The share of units whose (Leaky) ReLU input is <= 0 on every point. pre is
// (N, units * positions) with each unit's positions contiguous (one column
// per unit for fc layers; one H' x W' map per filter for conv layers).
static double dead_share(const Mat& pre, int units) {
  if (pre.rows() == 0 || units <= 0 || pre.cols() % units != 0) return 0;
  const Eigen::Index positions = pre.cols() / units;
  int dead = 0;
  for (int u = 0; u < units; ++u)
    dead += (pre.middleCols(u * positions, positions).array() <= 0).all();
  return double(dead) / double(units);
}

LayerStats layer_stats(const LayerActivations& a) {
  const Mat& h = a.post;  // (N, width), or (N, K*H'*W') for conv and pool
  LayerStats st;
  st.name = a.name;
  st.act = a.act;
  st.units = a.volume.D > 0 ? a.volume.D : int(h.cols());
  st.histogram.assign(kHistogramBins, 0);
  const Eigen::Index count = h.size();
  if (count > 0) {
    st.act_mean = h.mean();
    st.act_std = std::sqrt((h.array() - st.act_mean).square().mean());
  }
  histogram_range(a.act, h, st);
  const double scale = kHistogramBins / (st.hist_hi - st.hist_lo);
  for (Eigen::Index k = 0; k < count; ++k) {
    const int bin = int(std::floor((h.data()[k] - st.hist_lo) * scale));
    st.histogram[std::clamp(bin, 0, kHistogramBins - 1)]++;
  }
  // Dead: a (Leaky) ReLU unit, or filter, whose input is <= 0 on every point.
  if (a.act == Activation::ReLU || a.act == Activation::LeakyReLU) st.dead_fraction = dead_share(a.pre, st.units);
  // Saturated: tanh within 0.01 of +-1, sigmoid within 0.01 of 0 or 1 (1% of
  // the bound's magnitude), where the local gradient nearly vanishes.
  if (count > 0 && a.act == Activation::Tanh)
    st.saturated_fraction = double((h.array().abs() >= 0.99).count()) / double(count);
  if (count > 0 && a.act == Activation::Sigmoid)
    st.saturated_fraction = double(((h.array() <= 0.01) || (h.array() >= 0.99)).count()) / double(count);
  return st;
}

std::string all_dead_message(const std::vector<LayerStats>& layers) {
  for (const LayerStats& l : layers) {
    if (l.act != Activation::ReLU || l.units <= 0 || l.dead_fraction < 1.0) continue;
    const std::string units = std::to_string(l.units) + (l.units == 1 ? " unit" : " units");
    return "Every unit of layer \"" + l.name + "\" is dead (" + units +
           ", ReLU input <= 0 on every training point): no gradient flows through it, so training has "
           "stalled. Usually the learning rate was too high; lower it and reset, or try leaky ReLU.";
  }
  return "";
}

double weight_multiply_adds(const Model& m) {
  double n = 0;
  for (const ConstParamRef& p : m.params_view())
    if (!p.name.empty() && p.name[0] == 'W') n += double(p.value->size());
  return n;
}

long inspect_rows(const Model& m, long n) {
  const double per_row = std::max(1.0, weight_multiply_adds(m));
  const long affordable = long(std::min(double(kMaxInspectRows), std::max(double(kMinInspectRows), kInspectMultiplyAdds / per_row)));
  return std::min(n, affordable);
}

std::vector<LayerStats> inspect_layers(const Model& m, const Mat& X) {
  std::vector<LayerStats> out;
  for (const LayerActivations& a : m.hidden_activations(X)) out.push_back(layer_stats(a));
  return out;
}

Mat unit_curves(const Model& m, const Mat& X, int layer) {
  if (m.num_classes() != 1) return {};
  std::vector<LayerActivations> acts = m.hidden_activations(X);
  const int L = int(acts.size());
  if (layer < 0) layer = L - 1;
  if (L == 0 || layer >= L) return {};
  Mat H = std::move(acts[size_t(layer)].post);  // (N, width)
  if (layer < L - 1) return H;
  const Mat* W_out = nullptr;
  for (const ConstParamRef& p : m.params_view())
    if (p.name[0] == 'W') W_out = p.value;  // the last W is the output layer's, (1, width)
  if (!W_out || W_out->rows() != 1 || W_out->cols() != H.cols()) return {};
  return H.array().rowwise() * W_out->row(0).array();
}

std::vector<ActivationMaps> activation_maps(const Model& m, const Mat& x) {
  std::vector<ActivationMaps> out;
  if (x.rows() != 1) throw std::runtime_error("activation_maps: one image at a time");
  for (const LayerActivations& a : m.hidden_activations(x)) {
    if (a.type == LayerType::FC) continue;
    auto add = [&](std::string name, const Mat& v) {
      if (v.size() != a.volume.count()) return;  // (e.g. maxout's pieces: not one map per channel)
      ActivationMaps am;
      am.name = std::move(name);
      am.channels = a.volume.D;
      am.height = a.volume.H;
      am.width = a.volume.W;
      am.values.assign(v.data(), v.data() + v.size());
      if (!am.values.empty()) {
        const auto [lo, hi] = std::minmax_element(am.values.begin(), am.values.end());
        am.lo = *lo;
        am.hi = *hi;
      }
      out.push_back(std::move(am));
    };
    if (a.type == LayerType::Conv) {
      add(a.name, a.pre);
      if (a.act != Activation::Linear) {
        std::string act = to_string(a.act);
        add(act + a.name.substr(a.name.find(' ')), a.post);
      }
    } else {
      add(a.name, a.post);
    }
  }
  return out;
}

}  // namespace nn
