// sketch.cpp: see sketch.h.
#include "core/data/sketch.h"

#include <algorithm>
#include <cmath>

namespace nn {

SketchFraming mnist_framing() { return {20, true}; }
SketchFraming fashion_framing() { return {28, false}; }

void sketch_dab(std::vector<float>& pad, int side, float x, float y, float radius) {
  const int r0 = std::max(0, int(std::floor(y - radius - 1))), r1 = std::min(side - 1, int(std::ceil(y + radius + 1)));
  const int c0 = std::max(0, int(std::floor(x - radius - 1))), c1 = std::min(side - 1, int(std::ceil(x + radius + 1)));
  for (int r = r0; r <= r1; ++r)
    for (int c = c0; c <= c1; ++c) {
      const float d = std::hypot(c + 0.5f - x, r + 0.5f - y);
      const float ink = std::clamp(radius + 0.5f - d, 0.f, 1.f);
      float& v = pad[size_t(r) * side + c];
      v = std::max(v, ink);
    }
}

// Bilinear sample of the pad at (x, y) in pixel-centre coordinates; 0 outside.
static float sample(const std::vector<float>& pad, int side, float x, float y) {
  const int x0 = int(std::floor(x)), y0 = int(std::floor(y));
  const float fx = x - x0, fy = y - y0;
  auto at = [&](int c, int r) { return (c < 0 || r < 0 || c >= side || r >= side) ? 0.f : pad[size_t(r) * side + c]; };
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

std::vector<float> frame_sketch(const std::vector<float>& pad, int side, const SketchFraming& f) {
  int top = side, bottom = -1, left = side, right = -1;
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c)
      if (pad[size_t(r) * side + c] > 0.05f) {
        top = std::min(top, r), bottom = std::max(bottom, r);
        left = std::min(left, c), right = std::max(right, c);
      }
  if (bottom < 0) return pad;
  // The box in pad pixels (edges, not centres) and its scale to `box` pixels.
  const float bw = float(right - left + 1), bh = float(bottom - top + 1);
  const float scale = float(f.box) / std::max(bw, bh);
  // Output pixel centre (ox + 0.5) maps to the pad point
  // px = left + (ox + 0.5 - x_off) / scale, so the box lands at x_off .. x_off + bw*scale.
  float x_off = (side - bw * scale) / 2, y_off = (side - bh * scale) / 2;
  auto render = [&](float xo, float yo) {
    std::vector<float> out(size_t(side) * side, 0.f);
    for (int r = 0; r < side; ++r)
      for (int c = 0; c < side; ++c) {
        const float px = left + (c + 0.5f - xo) / scale - 0.5f, py = top + (r + 0.5f - yo) / scale - 0.5f;
        out[size_t(r) * side + c] = std::clamp(sample(pad, side, px, py), 0.f, 1.f);
      }
    return out;
  };
  std::vector<float> out = render(x_off, y_off);
  if (f.center_of_mass) {
    double m = 0, mx = 0, my = 0;
    for (int r = 0; r < side; ++r)
      for (int c = 0; c < side; ++c) {
        const double v = out[size_t(r) * side + c];
        m += v, mx += v * (c + 0.5), my += v * (r + 0.5);
      }
    if (m > 0) out = render(x_off + float(side / 2.0 - mx / m), y_off + float(side / 2.0 - my / m));
  }
  return out;
}

}  // namespace nn
