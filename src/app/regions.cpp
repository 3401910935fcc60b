// regions.cpp: the decision-region image behind the points. kNN regions are
// recomputed when the points or k change; a trained model's regions each time
// the trainer publishes a new snapshot, through the SIMD scorer. While
// training, the resolution drops (divisor 2, 3, ...) if a full-resolution
// image would take longer than the frame budget, and comes back to one texel
// per pixel as soon as training pauses (comparing runs, the budget is shared:
// each of n runs gets 1/n of it). Linear filtering keeps it smooth.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "app.h"
#include "gl.h"
#include "palette.h"

namespace app {

void upload_rgba(unsigned& texture, const unsigned char* rgba, int w, int h, bool smooth) {
  if (!texture) {
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    const GLint filter = smooth ? GL_LINEAR : GL_NEAREST;
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  glBindTexture(GL_TEXTURE_2D, texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
}

nn::KnnIndex make_knn_index(const AppState& s) {
  std::vector<nn::Point> train;
  train.reserve(s.edit.data.points.size());
  for (const auto& p : s.edit.data.points)
    if (!p.validation) train.push_back(p);
  return nn::KnnIndex(train, s.edit.data.num_classes);
}

// Region colour of a class at a confidence in [0, 1]: pale where the model is
// unsure, stronger where it is confident, always light enough for points.
static void shade(int label, float conf, unsigned char* out) {
  if (label < 0) { out[0] = out[1] = out[2] = 245; out[3] = 255; return; }
  const Rgb c = kClassColors[label % 8];
  const float t = 0.12f + 0.45f * std::clamp(conf, 0.f, 1.f);
  out[0] = (unsigned char)std::lround(255 + (c.r - 255) * t);
  out[1] = (unsigned char)std::lround(255 + (c.g - 255) * t);
  out[2] = (unsigned char)std::lround(255 + (c.b - 255) * t);
  out[3] = 255;
}

// One class's probability as a white-to-class-colour ramp.
static void shade_heat(int cls, float p, unsigned char* out) {
  const Rgb c = kClassColors[cls % 8];
  const float t = 0.85f * std::clamp(p, 0.f, 1.f);
  out[0] = (unsigned char)std::lround(255 + (c.r * 0.8f - 255) * t);
  out[1] = (unsigned char)std::lround(255 + (c.g * 0.8f - 255) * t);
  out[2] = (unsigned char)std::lround(255 + (c.b * 0.8f - 255) * t);
  out[3] = 255;
}

void update_regions(AppState& s) {
  Regions& r = s.display.regions;
  const bool knn = s.spec.kind == nn::ModelKind::KNN;
  const Snapshot* snap = s.training.snapshot.get();
  const bool training = !knn && s.training.playing;
  if (!knn && snap && snap->generation != r.generation) r.dirty = true;

  // Resolution: full while idle; while training, coarse enough for ~10 ms
  // per frame, shared by the runs of a comparison (each run gets its part).
  const int full_w = std::max(1, int(std::lround(s.display.view.w))), full_h = std::max(1, int(std::lround(s.display.view.h)));
  int divisor = 1;
  if (training && r.ms_per_texel > 0) {
    const double full_ms = r.ms_per_texel * full_w * full_h, budget_ms = 10.0 / s.compare.count();
    divisor = std::clamp(int(std::ceil(std::sqrt(full_ms / budget_ms))), 1, 8);
  }
  // A very large network (the engine allows 16 layers of 512 units: 4 M
  // multiply-adds a pixel) would hold the UI thread for minutes at full
  // resolution: coarsen until one image costs at most kRegionBudget.
  int cost_divisor = 1;
  if (!knn && snap && snap->scorer) {
    constexpr double kRegionBudget = 4e9;  // multiply-adds, about a second of wasm SIMD before interpolation
    const double cost = snap->scorer->multiply_adds() * full_w * full_h;
    cost_divisor = std::clamp(int(std::ceil(std::sqrt(cost / kRegionBudget))), 1, 64);
  }
  divisor = std::max(divisor, cost_divisor);
  if (!training && r.divisor != cost_divisor) r.dirty = true;  // refine once training pauses
  const int w = (full_w + divisor - 1) / divisor, h = (full_h + divisor - 1) / divisor;
  if (w != r.w || h != r.h) r.dirty = true;
  if (!r.dirty) return;
  r.dirty = false;
  r.w = w; r.h = h; r.divisor = divisor;

  const auto t0 = std::chrono::steady_clock::now();
  const View& v = s.display.view;
  // Texel centres span exactly the canvas (the last texel may overhang it).
  const double x0 = v.to_world_x(v.x), x1 = v.to_world_x(v.x + w * divisor);
  const double y1 = v.to_world_y(v.y), y0 = v.to_world_y(v.y + h * divisor);
  int heat_class = -1;
  if (nn::is_regression(s.edit.data.problem)) {
    // 1D: the curve is drawn over a plain plane; 2D: the output's heatmap.
    if (s.edit.data.problem == nn::ProblemKind::Regression2D) {
      regression_regions(s, w, h, x0, x1, y0, y1);
    } else {
      r.labels.assign(size_t(w) * h, -1);
      r.confidence.assign(size_t(w) * h, 0.f);
      r.value.clear();
      r.rgba.assign(size_t(w) * h * 4, 250);
      if (snap) r.generation = snap->generation;
    }
    r.last_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    r.ms_per_texel = r.last_ms / (double(w) * h);
    upload_rgba(r.texture, r.rgba.data(), w, h, /*smooth=*/true);
    return;
  }
  r.value.clear();
  if (knn) {
    const nn::KnnIndex index = make_knn_index(s);
    nn::knn_grid(index, s.spec.knn, w, h, x0, x1, y0, y1, r.labels, r.confidence);
  } else if (snap && snap->scorer) {
    heat_class = s.display.heat_class < snap->scorer->num_classes() ? s.display.heat_class : -1;
    nn::scorer_grid(*snap->scorer, w, h, x0, x1, y0, y1, r.labels, r.confidence, heat_class, &r.heat);
    r.generation = snap->generation;
  } else {
    r.labels.assign(size_t(w) * h, -1);
    r.confidence.assign(size_t(w) * h, 0.f);
  }
  r.rgba.resize(size_t(w) * h * 4);
  for (size_t i = 0; i < r.labels.size(); ++i) {
    if (heat_class >= 0) shade_heat(heat_class, r.heat[i], &r.rgba[i * 4]);
    else shade(r.labels[i], r.confidence[i], &r.rgba[i * 4]);
  }
  if (s.display.show_contour) {
    // The decision boundary: darken texels whose right or lower neighbour
    // belongs to another class.
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const size_t i = size_t(y) * w + x;
        const int l = r.labels[i];
        const bool edge = (x + 1 < w && r.labels[i + 1] != l) || (y + 1 < h && r.labels[i + w] != l);
        if (edge && l >= 0)
          for (int k = 0; k < 3; ++k) r.rgba[i * 4 + k] = (unsigned char)(r.rgba[i * 4 + k] * 0.45f);
      }
  }
  r.last_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  r.ms_per_texel = r.last_ms / (double(w) * h);

  upload_rgba(r.texture, r.rgba.data(), w, h, /*smooth=*/true);
}

}  // namespace app
