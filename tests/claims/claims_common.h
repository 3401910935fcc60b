// claims_common.h: shared helpers of the claims tests: load a preset from
// assets/presets, run a bounded number of training steps, measure losses and
// predictions on a grid. Each claims test states its thresholds beside them.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/session.h"
#include "core/io/source_paths.h"
#include "core/train/trainer.h"

namespace claims {

// The text of preset <id>.
inline std::string preset_text(const std::string& id) {
  const std::string path = nn::source_assets_dir() + "/presets/" + id + ".json";
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open preset " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The preset <id> exactly as the app loads it.
inline nn::Session load_preset(const std::string& id) { return nn::load_session(preset_text(id)); }

// The preset with its data generator's point count changed to n.
inline nn::Session load_preset_with_n(const std::string& id, int n) {
  nlohmann::json j = nlohmann::json::parse(preset_text(id));
  j["data"]["generator"]["n"] = n;
  return nn::load_session(j.dump());
}

// A trainer that evaluates on the full sets only when asked (speed).
inline nn::Trainer make_trainer(const nn::Dataset& data, const nn::ModelSpec& spec) {
  nn::Trainer t(data, spec);
  t.set_eval_every(1 << 30);
  return t;
}

// Runs `steps` updates (fewer if training diverges); returns each step's minibatch data loss + reg loss.
inline std::vector<double> run(nn::Trainer& t, int steps) {
  std::vector<double> losses;
  losses.reserve(size_t(steps));
  for (int i = 0; i < steps && !t.divergence().diverged; ++i) {
    const nn::StepStats s = t.step();
    losses.push_back(s.data_loss + s.reg_loss);
  }
  return losses;
}

// Total (data + reg) loss over the whole training set, test mode.
inline double train_loss(nn::Trainer& t) {
  return t.model().loss(t.X_train(), t.y_train()).total();
}

inline double stddev(const std::vector<double>& v, size_t from, size_t to) {
  double m = 0, q = 0;
  for (size_t i = from; i < to; ++i) m += v[i];
  m /= double(to - from);
  for (size_t i = from; i < to; ++i) q += (v[i] - m) * (v[i] - m);
  return std::sqrt(q / double(to - from));
}

// Every parameter of the model, flattened into one vector.
inline std::vector<double> flat_params(const nn::Model& m) {
  std::vector<double> out;
  for (const nn::ConstParamRef& p : m.params_view())
    out.insert(out.end(), p.value->data(), p.value->data() + p.value->size());
  return out;
}
inline double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(s);
}

inline double mean(const std::vector<double>& v, size_t from = 0, size_t to = size_t(-1)) {
  to = std::min(to, v.size());
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return s / double(to - from);
}

// A g x g grid of query points over the canvas, as raw N x 2 coordinates.
inline std::vector<std::pair<double, double>> grid(int g, double extent = nn::kPlaneExtent) {
  std::vector<std::pair<double, double>> q;
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j)
      q.push_back({-extent + 2 * extent * (i + 0.5) / g, -extent + 2 * extent * (j + 0.5) / g});
  return q;
}

// Number of horizontally or vertically adjacent grid cells with different
// labels: a measure of how long and how ragged the decision boundary is.
inline int boundary_cells(const std::vector<int>& labels, int g) {
  int n = 0;
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j) {
      if (i + 1 < g && labels[i * g + j] != labels[(i + 1) * g + j]) ++n;
      if (j + 1 < g && labels[i * g + j] != labels[i * g + j + 1]) ++n;
    }
  return n;
}

// Measured values, printed when NNPLAY_CLAIMS_VERBOSE is set (to write the
// claims table); the assertions never depend on it.
inline void measure(const char* id, const std::string& what) {
  if (std::getenv("NNPLAY_CLAIMS_VERBOSE")) std::printf("MEASURE %s: %s\n", id, what.c_str());
}
inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace claims
