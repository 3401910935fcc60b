// conv_size.cpp: (W - F' + 2P)/S + 1 per dimension, and the output volume.
#include "core/models/conv_size.h"

#include <cstdio>

namespace nn {

static std::string fmt2(double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", a);
  return buf;
}

// The filter must fit in the padded input, and the stride must step exactly
// from one border to the other: a filter that does not tile the input is an
// error, never silently truncated.
OutputSize conv_output_size(int W, int F, int S, int P, int dilation) {
  OutputSize r;
  if (W < 1 || F < 1 || S < 1 || P < 0 || dilation < 1) {
    r.reason = "cannot be computed: it needs W >= 1, F >= 1, S >= 1, P >= 0 and dilation >= 1";
    return r;
  }
  const int64_t Fe = int64_t(dilation) * (F - 1) + 1;
  const int64_t span = int64_t(W) - Fe + 2 * int64_t(P);  // room the filter slides over
  r.exact = double(span) / S + 1;
  if (span < 0) {
    r.reason = "is impossible: the filter (F' = " + std::to_string(Fe) + ") is larger than the padded input (" +
               std::to_string(W) + " + 2*" + std::to_string(P) + " = " + std::to_string(W + 2 * int64_t(P)) +
               "); use a smaller filter or more padding";
    return r;
  }
  if (span % S != 0) {
    r.reason = "(" + std::to_string(W) + " - " + std::to_string(Fe) + " + 2*" + std::to_string(P) + ")/" +
               std::to_string(S) + " + 1 = " + fmt2(r.exact) +
               " is not an integer; pick S dividing W - F' + 2P = " + std::to_string(span) + " or change P";
    return r;
  }
  r.valid = true;
  r.size = int(span / S + 1);
  return r;
}

VolumeSize conv_output_volume(const Volume& in, int F, int S, int P, int depth_out, int dilation) {
  VolumeSize r;
  const OutputSize ow = conv_output_size(in.W, F, S, P, dilation);
  const OutputSize oh = conv_output_size(in.H, F, S, P, dilation);
  if (!ow.valid) {
    r.reason = "output width " + ow.reason;
    return r;
  }
  if (!oh.valid) {
    r.reason = "output height " + oh.reason;
    return r;
  }
  if (depth_out < 1) {
    r.reason = "the output needs a depth of at least 1 (got " + std::to_string(depth_out) + ")";
    return r;
  }
  r.valid = true;
  r.out = {ow.size, oh.size, depth_out};
  return r;
}

}  // namespace nn
