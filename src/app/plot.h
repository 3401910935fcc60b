// plot.h: line plots drawn with ImDrawList (ImPlot is not available): nice
// ticks, optional log scale and exponential smoothing, a hover readout, and
// min/max decimation to about one bucket per pixel so drawing costs the same
// however long training has run.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "imgui.h"

namespace app {

struct PlotSeries {
  std::string name;
  const std::vector<float>* x = nullptr;  // ascending (e.g. step)
  const std::vector<float>* y = nullptr;  // same length as x; NaN = gap
  ImU32 color = IM_COL32(0, 0, 0, 255);
};

struct PlotOptions {
  bool log_y = false;
  float smoothing = 0;       // exponential moving average weight, 0..0.99
  bool y_from_zero = false;  // include 0 in the y range (linear scale only)
  float y_min = NAN, y_max = NAN;  // fixed range where set
  std::vector<float> marks;  // horizontal reference lines (e.g. a rule of thumb)
  const char* x_label = "step";
};

void plot_lines(const char* id, ImVec2 size, const std::vector<PlotSeries>& series, const PlotOptions& opt,
                float ui_scale);

// Cross-validation over kNN's k, as in the course's figure: each fold's
// validation accuracy as a dot above its k, the mean over the folds as a line
// with error bars of one standard deviation, and the best mean marked. fold_acc
// [i][f] belongs to ks[i]; mean and sd have one value per k. Returns the k
// whose column was clicked, else -1. Used by both modes' kNN.
int plot_cv_over_k(const char* id, ImVec2 size, const std::vector<int>& ks,
                   const std::vector<std::vector<double>>& fold_acc, const std::vector<double>& mean,
                   const std::vector<double>& sd, float ui_scale);

// Several runs' cross-validation curves on one plot (comparing kNN runs):
// each curve's mean over the folds with one-std bars in its colour, and its
// run's own k as a filled dot. Returns the k whose column was clicked, else -1.
struct CvCurve {
  std::string name;  // the hover readout's label, e.g. "B: 5-NN"
  ImU32 color = IM_COL32(0, 0, 0, 255);
  const std::vector<int>* ks = nullptr;
  const std::vector<double>* mean = nullptr;
  const std::vector<double>* sd = nullptr;
  int mark_k = -1;
};
int plot_cv_curves(const char* id, ImVec2 size, const std::vector<CvCurve>& curves, float ui_scale);

// 1-2-5 ticks covering [lo, hi] (at most about max_ticks of them).
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// A tick value's label, written into buf (n bytes).
void format_value(char* buf, size_t n, double v);

}  // namespace app
