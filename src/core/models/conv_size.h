// conv_size.h: the output size of a conv or pool layer, (W - F + 2P)/S + 1,
// in one place. The ConvNet calculator (convnet_calc.h) and the conv and
// pool layers (conv_layers.h) both compute their volumes here, so a stack
// the calculator accepts is exactly a stack the network can build, with the
// same sentence when it cannot.
#pragma once
#include <cstdint>
#include <string>

namespace nn {

// A W x H x D volume (width, height, depth).
struct Volume {
  int W = 0, H = 0, D = 0;
  int64_t count() const { return int64_t(W) * H * D; }
  bool operator==(const Volume&) const = default;
};

// One spatial dimension through (W - F' + 2P)/S + 1, with F' = d*(F-1) + 1
// for a filter of F taps dilated by d.
struct OutputSize {
  bool valid = false;
  int size = 0;        // the integer size when valid
  double exact = 0;    // the formula's value, e.g. 2.333 for W=7, F=3, S=3
  std::string reason;  // why it is invalid, without the layer's name
};
OutputSize conv_output_size(int W, int F, int S, int P, int dilation = 1);

// The output volume of a layer sliding an F x F window with stride S over
// `in` padded by P on every side: width and height by conv_output_size, depth
// `depth_out` (K for a conv layer, in.D for pooling). When the window does not
// fit or does not tile the input, valid is false and reason says which
// dimension and why, e.g. "output width (7 - 3 + 2*0)/3 + 1 = 2.33 is not an
// integer; pick S dividing W - F' + 2P = 4 or change P".
struct VolumeSize {
  bool valid = false;
  Volume out;
  std::string reason;
};
VolumeSize conv_output_volume(const Volume& in, int F, int S, int P, int depth_out, int dilation = 1);

}  // namespace nn
