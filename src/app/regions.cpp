// regions.cpp: the decision-region image behind the points: one texel per
// canvas pixel, class colour blended towards white as confidence drops,
// uploaded to a GL texture with linear filtering.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "app.h"
#include "gl.h"
#include "palette.h"

namespace app {

nn::KnnIndex make_knn_index(const AppState& s) {
  std::vector<nn::Point> train;
  train.reserve(s.data.points.size());
  for (const auto& p : s.data.points)
    if (!p.validation) train.push_back(p);
  return nn::KnnIndex(train, s.data.num_classes);
}

// Region colour of a class at a confidence in [0, 1]: pale for uncertain
// pixels, stronger for confident ones, always light enough for points on top.
static void shade(int label, float conf, unsigned char* out) {
  if (label < 0) { out[0] = out[1] = out[2] = 245; out[3] = 255; return; }
  const Rgb c = kClassColors[label % 8];
  const float t = 0.22f + 0.33f * std::clamp(conf, 0.f, 1.f);
  out[0] = (unsigned char)std::lround(255 + (c.r - 255) * t);
  out[1] = (unsigned char)std::lround(255 + (c.g - 255) * t);
  out[2] = (unsigned char)std::lround(255 + (c.b - 255) * t);
  out[3] = 255;
}

void update_regions(AppState& s) {
  Regions& r = s.regions;
  // One texel per framebuffer pixel of the canvas.
  const int w = std::max(1, int(std::lround(s.view.w))), h = std::max(1, int(std::lround(s.view.h)));
  if (w != r.w || h != r.h) { r.w = w; r.h = h; r.dirty = true; }
  if (!r.dirty) return;
  r.dirty = false;

  const auto t0 = std::chrono::steady_clock::now();
  const nn::KnnIndex index = make_knn_index(s);
  const View& v = s.view;
  nn::knn_grid(index, s.spec.knn, r.w, r.h, v.to_world_x(v.x), v.to_world_x(v.x + v.w),
               v.to_world_y(v.y + v.h), v.to_world_y(v.y), r.labels, r.confidence);
  r.rgba.resize(size_t(r.w) * r.h * 4);
  for (size_t i = 0; i < r.labels.size(); ++i) shade(r.labels[i], r.confidence[i], &r.rgba[i * 4]);
  r.last_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  if (!r.texture) {
    glGenTextures(1, &r.texture);
    glBindTexture(GL_TEXTURE_2D, r.texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  glBindTexture(GL_TEXTURE_2D, r.texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, r.w, r.h, 0, GL_RGBA, GL_UNSIGNED_BYTE, r.rgba.data());
}

}  // namespace app
