// sketch.h: a drawing from the sketch pad made to look like the data set's
// images before a model sees it. MNIST's digits were scaled so that their
// bounding box fits 20 x 20 pixels and then shifted so that their centre of
// mass sits at the centre of the 28 x 28 frame; Fashion-MNIST's products were
// trimmed and scaled so that their longer side spans the whole frame.
#pragma once
#include <vector>

namespace nn {

// How the drawing is framed: the longer side of the ink's bounding box is
// scaled to `box` pixels; then either the box's centre or the ink's centre of
// mass goes to the frame's centre.
struct SketchFraming {
  int box = 20;
  bool center_of_mass = true;
};
SketchFraming mnist_framing();    // 20, centre of mass
SketchFraming fashion_framing();  // 28, box centre

// side x side values in [0, 1] (row by row) -> the same size, framed as
// above with bilinear resampling. Ink is any value above 0.05; a pad without
// ink comes back unchanged (all zeros stays all zeros).
std::vector<float> frame_sketch(const std::vector<float>& pad, int side, const SketchFraming& f);

// One round brush dab at (x, y) in pad pixels (pixel (c, r) covers
// [c, c+1) x [r, r+1)) of radius `radius`: full ink inside radius - 0.5,
// fading to none at radius + 0.5; ink only ever increases (max).
void sketch_dab(std::vector<float>& pad, int side, float x, float y, float radius);

}  // namespace nn
