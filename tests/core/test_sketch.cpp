// Tests of core/data/sketch: the brush and the framing that makes a drawing
// look like the data set's images.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/data/sketch.h"

using namespace nn;

namespace {

struct Box {
  int top = 99, bottom = -1, left = 99, right = -1;
  int h() const { return bottom - top + 1; }
  int w() const { return right - left + 1; }
};
Box ink_box(const std::vector<float>& v, int side, float thr = 0.05f) {
  Box b;
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c)
      if (v[size_t(r) * side + c] > thr) {
        b.top = std::min(b.top, r), b.bottom = std::max(b.bottom, r);
        b.left = std::min(b.left, c), b.right = std::max(b.right, c);
      }
  return b;
}
// Centre of mass in pixel-centre coordinates (the frame's centre is side / 2).
std::pair<double, double> centre_of_mass(const std::vector<float>& v, int side) {
  double m = 0, x = 0, y = 0;
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c) {
      const double a = v[size_t(r) * side + c];
      m += a, x += a * (c + 0.5), y += a * (r + 0.5);
    }
  return {x / m, y / m};
}
// A filled rectangle of ink.
std::vector<float> rect(int side, int top, int left, int h, int w) {
  std::vector<float> v(size_t(side) * side, 0.f);
  for (int r = top; r < top + h; ++r)
    for (int c = left; c < left + w; ++c) v[size_t(r) * side + c] = 1.f;
  return v;
}

}  // namespace

TEST_CASE("a brush dab inks a disc and never lowers ink", "[sketch]") {
  std::vector<float> pad(28 * 28, 0.f);
  sketch_dab(pad, 28, 14.f, 14.f, 2.f);
  CHECK(pad[14 * 28 + 14] == 1.f);                // centre pixel: full ink
  CHECK(pad[14 * 28 + 15] > 0.5f);                // pixel centre 1.6 away: inside radius + 0.5
  CHECK(pad[14 * 28 + 17] == 0.f);                // 3.5 away: outside
  CHECK(pad[14 * 28 + 20] == 0.f);                // far away: none
  CHECK(pad[0] == 0.f);
  pad[14 * 28 + 20] = 0.7f;
  sketch_dab(pad, 28, 14.f, 14.f, 2.f);
  CHECK(pad[14 * 28 + 20] == 0.7f);               // max, not overwrite
  // A dab at the border stays inside the pad.
  sketch_dab(pad, 28, 0.f, 27.9f, 3.f);
  CHECK(pad[27 * 28 + 0] == 1.f);
}

TEST_CASE("an empty pad stays empty when framed", "[sketch]") {
  const std::vector<float> pad(28 * 28, 0.f);
  const std::vector<float> out = frame_sketch(pad, 28, mnist_framing());
  CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == 0.f; }));
}

TEST_CASE("MNIST framing: a small drawing in a corner is scaled to a 20-pixel box and centred by mass", "[sketch]") {
  // An 8-pixel-high, 4-wide bar in the top-left corner.
  const std::vector<float> pad = rect(28, 1, 2, 8, 4);
  const std::vector<float> out = frame_sketch(pad, 28, mnist_framing());
  const Box b = ink_box(out, 28, 0.5f);
  // The longer side (8 px) becomes 20 px (bilinear edges: within one pixel).
  CHECK(std::abs(b.h() - 20) <= 1);
  CHECK(std::abs(b.w() - 10) <= 1);
  const auto [cx, cy] = centre_of_mass(out, 28);
  CHECK(cx == Approx(14.0).margin(0.5));
  CHECK(cy == Approx(14.0).margin(0.5));
  for (float v : out) CHECK((v >= 0.f && v <= 1.f));
}

TEST_CASE("Fashion framing: the longer side spans the frame, the box is centred", "[sketch]") {
  // A wide shape: 6 high, 14 wide, off-centre.
  const std::vector<float> pad = rect(28, 18, 10, 6, 14);
  const std::vector<float> out = frame_sketch(pad, 28, fashion_framing());
  const Box b = ink_box(out, 28, 0.5f);
  CHECK(b.w() >= 27);                       // 14 -> 28
  CHECK(std::abs(b.h() - 12) <= 1);         // 6 -> 12
  CHECK(std::abs((b.top + b.bottom + 1) / 2.0 - 14) <= 1);  // vertically centred
}

TEST_CASE("framing a drawing that already fits is close to the identity", "[sketch]") {
  // A 20-high, 10-wide bar already centred: MNIST framing changes little.
  const std::vector<float> pad = rect(28, 4, 9, 20, 10);
  const std::vector<float> out = frame_sketch(pad, 28, mnist_framing());
  double diff = 0;
  for (size_t i = 0; i < pad.size(); ++i) diff += std::abs(pad[i] - out[i]);
  CHECK(diff / (20 * 10) < 0.15);  // under 15% of the ink moved
}
