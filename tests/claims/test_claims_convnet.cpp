// Claims of the ConvNet cards whose calculator presets no engine test covers
// yet: the output-size formula with a larger stride, and what unpadded convs
// do to the volume. (The other calculator presets are checked in
// tests/core/test_convnet_calc.cpp, tagged with their ids.)
#include <catch2/catch.hpp>

#include "claims_common.h"
#include "core/models/convnet_calc.h"

using namespace nn;
using namespace claims;

TEST_CASE("output size: (W - F + 2P)/S + 1, smaller with a larger stride", "[claims][convnet-output-size]") {
  const ConvNetSpec net = convnet_preset("convnet-output-size");
  REQUIRE(net.layers.size() == 1);
  const ConvNetResult r = analyse_convnet(net);
  REQUIRE(r.valid);
  // The same layer at strides 1, 2 and 3.
  std::vector<ConvNetResult> by_stride;
  for (int S = 1; S <= 3; ++S) {
    ConvNetSpec n = net;
    n.layers[0].S = S;
    by_stride.push_back(analyse_convnet(n));
  }
  measure("convnet-output-size", "7x7 input, 3x3 filter: stride 1 -> " + num(by_stride[0].layers[1].out.W) +
                                     ", stride 2 -> " + num(by_stride[1].layers[1].out.W) + ", stride 3 -> " +
                                     (by_stride[2].valid ? "valid" : by_stride[2].message));
  // Claims: the preset (stride 2) gives (7 - 3)/2 + 1 = 3; stride 1 gives 5;
  // stride 3 gives 2.33, which the calculator refuses, naming the width.
  REQUIRE(r.layers[1].out == Volume{3, 3, 1});
  REQUIRE(by_stride[0].layers[1].out == Volume{5, 5, 1});
  REQUIRE_FALSE(by_stride[2].valid);
  REQUIRE_THAT(by_stride[2].message, Catch::Contains("2.33"));
}

TEST_CASE("without padding every 3x3 conv trims a pixel off each border", "[claims][convnet-no-padding]") {
  const ConvNetSpec net = convnet_preset("convnet-no-padding");
  const ConvNetResult r = analyse_convnet(net);
  REQUIRE(r.valid);
  ConvNetSpec padded = net;
  for (ConvLayerSpec& l : padded.layers) l.P = (l.F - 1) / 2;
  const ConvNetResult p = analyse_convnet(padded);
  REQUIRE(p.valid);
  std::string sizes;
  for (const ConvLayerResult& l : r.layers) sizes += " " + num(l.out.W);
  measure("convnet-no-padding", "widths without padding:" + sizes + "; with P = 1: " +
                                    num(p.layers.back().out.W));
  // Claims: each unpadded 3x3 layer shrinks width and height by 2 (32 -> 22
  // after five), while P = (F-1)/2 keeps 32 x 32 at every layer.
  for (size_t i = 1; i < r.layers.size(); ++i) {
    REQUIRE(r.layers[i].out.W == r.layers[i - 1].out.W - 2);
    REQUIRE(r.layers[i].out.H == r.layers[i - 1].out.H - 2);
    REQUIRE(p.layers[i].out.W == 32);
  }
  REQUIRE(r.layers.back().out.W == 22);
}
