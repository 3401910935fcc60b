// Tests of the ConvNet calculator against the CS231n ConvNet notes' worked
// examples, the published AlexNet and VGG-16 parameter counts, and the
// VGG-16 activation breakdown (whose printed total does not match its rows);
// and against the network itself: the volumes and parameters of a ModelSpec's
// conv/pool/fc stack as the Net builds and runs it.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "core/models/convnet_calc.h"
#include "core/models/net.h"
#include "test_util.h"

using namespace nn;
using C = ConvLayerSpec;

static ConvNetResult one_layer(Volume in, ConvLayerSpec layer) {
  return analyse_convnet(ConvNetSpec{"", "", in, {layer}});
}

TEST_CASE("output size (W - F + 2P)/S + 1 on the notes' 7x7 example", "[convnet_calc]") {
  CHECK(conv_output_size(7, 3, 1, 0).valid);
  CHECK(conv_output_size(7, 3, 1, 0).size == 5);
  CHECK(conv_output_size(7, 3, 2, 0).size == 3);
  const OutputSize s3 = conv_output_size(7, 3, 3, 0);
  CHECK_FALSE(s3.valid);
  CHECK(s3.exact == Approx(7.0 / 3.0));  // (7 - 3)/3 + 1 = 2.33
  CHECK_THAT(s3.reason, Catch::Contains("2.33"));

  // Through the network analysis the message names the layer and the dimension.
  const ConvNetResult r = one_layer({7, 7, 1}, C::conv(1, 3, 3, 0, 1, "conv-s3"));
  CHECK_FALSE(r.valid);
  CHECK_FALSE(r.layers[1].valid);
  CHECK_THAT(r.message, Catch::StartsWith("conv-s3: output width"));
  CHECK_THAT(r.message, Catch::Contains("2.33"));

  // Only the height fails: 7 wide fits stride 2, 8 high does not.
  const ConvNetResult h = one_layer({7, 8, 1}, C::conv(1, 3, 2));
  CHECK_FALSE(h.valid);
  CHECK_THAT(h.message, Catch::Contains("output height"));
  CHECK_THAT(h.message, Catch::Contains("3.50"));

  // A filter larger than the padded input is refused, and nothing is counted after it.
  const ConvNetResult big = analyse_convnet({"", "", {5, 5, 1}, {C::conv(4, 7), C::fc(10)}});
  CHECK_FALSE(big.valid);
  CHECK_THAT(big.layers[1].message, Catch::Contains("larger than the padded input"));
  CHECK_FALSE(big.layers[2].valid);
  CHECK(big.total_params == 0);

  // Bad hyperparameters are reported, not crashed on.
  CHECK_FALSE(one_layer({7, 7, 1}, C::conv(1, 3, 0)).valid);
  CHECK_FALSE(one_layer({7, 7, 1}, C::conv(0, 3, 1)).valid);
  CHECK_FALSE(one_layer({7, 7, 1}, C::fc(0)).valid);
  CHECK_FALSE(analyse_convnet({"", "", {0, 7, 1}, {}}).valid);
  CHECK_THROWS_AS(analyse_convnet({"", "", {7, 7, 1}, {}}, 0), std::runtime_error);
}

TEST_CASE("a 5x5 filter on RGB has 76 parameters; 32x32x3 with ten of them, pad 2", "[convnet_calc][convnet-cifar-conv]") {
  const ConvNetResult one = one_layer({32, 32, 3}, C::conv(1, 5, 1, 2));
  CHECK(one.layers[1].params == 76);  // 5*5*3 weights + 1 bias

  const ConvNetResult r = analyse_convnet(convnet_preset("convnet-cifar-conv"));
  REQUIRE(r.valid);
  CHECK(r.layers[1].out == Volume{32, 32, 10});  // P = (F-1)/2 keeps the size at stride 1
  CHECK(r.layers[1].params == 760);
  CHECK(r.layers[1].weights == 750);
  CHECK(r.layers[1].biases == 10);
  // FLOPs: each of 32*32*10 outputs does 5*5*3 multiply-adds, counted as 2 FLOPs each.
  CHECK(r.layers[1].flops == 2LL * 32 * 32 * 10 * 75);
}

TEST_CASE("VGG-16: exact parameters and the real activation total", "[convnet_calc][convnet-vgg16]") {
  const ConvNetResult r = analyse_convnet(convnet_preset("convnet-vgg16"), 1);
  REQUIRE(r.valid);
  CHECK(r.total_params == 138357544LL);  // the published VGG-16 count, exactly
  CHECK(r.layers.back().out == Volume{1, 1, 1000});

  // The CS231n breakdown prints "TOTAL memory: 24M * 4 bytes ~= 93MB / image",
  // but its own rows (input + every CONV, POOL and FC output) add up to
  // 15,237,608 values = 60,950,432 bytes (58.1 MiB) in float32; the 24M does
  // not follow from the table (reported as cs231n/cs231n.github.io issue #88).
  // We assert the figure the rows give.
  CHECK(r.total_activations == 15237608LL);
  CHECK(r.activation_bytes(4) == 60950432LL);
  CHECK(r.activation_bytes(8) == 2 * 60950432LL);
  // The rows themselves, as printed in the notes.
  CHECK(r.layers[0].activations == 150528);    // INPUT 224*224*3 = 150K
  CHECK(r.layers[1].activations == 3211264);   // CONV3-64 224*224*64 = 3.2M
  CHECK(r.layers[1].params == 1728 + 64);      // (3*3*3)*64 weights + 64 biases
  CHECK(r.layers[2].params == 36864 + 64);     // (3*3*64)*64 + 64
  const ConvLayerResult& fc6 = r.layers[r.layers.size() - 3];
  CHECK(fc6.name == "fc6");
  CHECK(fc6.in == Volume{7, 7, 512});
  CHECK(fc6.weights == 102760448LL);           // 7*7*512*4096, the largest layer

  // Memory grows with the batch; parameters do not.
  const ConvNetResult r64 = analyse_convnet(convnet_preset("convnet-vgg16"), 64);
  CHECK(r64.activation_bytes(4) == 64 * 60950432LL);
  CHECK(r64.total_params == r.total_params);
  CHECK(r64.layers[1].act_bytes_f32 == 64LL * 3211264 * 4);

  // FLOPs = 2 * multiply-adds: 15.47 G multiply-adds, the usual "15.5 GFLOPs"
  // quoted for VGG-16 when one multiply-add is counted as one operation.
  CHECK(r.total_flops == 30940528640LL);
}

TEST_CASE("AlexNet (ungrouped) parameters match the published 62.3M", "[convnet_calc]") {
  const ConvNetResult r = analyse_convnet(convnet_preset("convnet-alexnet"));
  REQUIRE(r.valid);
  CHECK(r.layers[1].out == Volume{55, 55, 96});  // (227 - 11)/4 + 1 = 55
  CHECK(r.layers[1].params == 34944);            // (11*11*3 + 1)*96
  CHECK(r.layers[2].out == Volume{27, 27, 96});  // overlapping 3x3 stride-2 pool
  // Derived sum: 34,944 + 614,656 + 885,120 + 1,327,488 + 884,992
  //            + 37,752,832 + 16,781,312 + 4,097,000.
  CHECK(r.total_params == 62378344LL);
  // Against the published "62.3M": 1% absorbs the rounding of that figure
  // (sources print 62.3M or 62.4M) yet fails for the grouped two-GPU count
  // (60.97M, 2.1% off) or a missing conv3/conv4/conv5 (1.4-2.1% each); the
  // exact check above catches everything smaller, such as conv1 (0.06%).
  CHECK(double(r.total_params) == Approx(62.3e6).epsilon(0.01));
  CHECK(r.total_activations == 936323);
}

TEST_CASE("receptive field: three stacked 3x3 stride-1 convs see 7x7", "[convnet_calc]") {
  const ConvNetResult r = analyse_convnet(convnet_preset("convnet-stacked-3x3"));
  REQUIRE(r.valid);
  // Layers: conv, relu, conv, relu, conv, relu.
  CHECK(r.layers[1].rf == 3);
  CHECK(r.layers[3].rf == 5);
  CHECK(r.layers[5].rf == 7);
  CHECK(r.layers[6].rf == 7);  // ReLU does not widen the field
  CHECK(r.layers[5].jump == 1);
  // ReLUs are in place: the totals count the input and the three conv outputs.
  CHECK(r.layers[2].in_place);
  CHECK(r.total_activations == 4LL * 32 * 32 * 64);
  // Three 3x3 layers use 3*(3*3*C*C) weights versus 7*7*C*C for one 7x7 layer.
  CHECK(r.layers[1].weights + r.layers[3].weights + r.layers[5].weights == 27LL * 64 * 64);

  // Strides multiply the jump: a stride-2 pool then a 3x3 conv covers 2 + 2*2 = 6.
  const ConvNetResult s = analyse_convnet({"", "", {16, 16, 1}, {C::pool(2, 2), C::conv(1, 3, 1, 1)}});
  REQUIRE(s.valid);
  CHECK(s.layers[1].jump == 2);
  CHECK(s.layers[2].rf == 6);
}

TEST_CASE("FC on 7x7x512 equals a CONV with F=7, K=4096, giving 1x1x4096",
          "[convnet_calc][convnet-fc-to-conv][convnet-vgg16-conv-384]") {
  const ConvNetResult r = analyse_convnet(convnet_preset("convnet-fc-to-conv"));
  REQUIRE(r.valid);
  const ConvLayerResult& fc = r.layers[1];
  CHECK(fc.as_conv.F == 7);
  CHECK(fc.as_conv.FH == 7);
  CHECK(fc.as_conv.P == 0);
  CHECK(fc.as_conv.S == 1);
  CHECK(fc.as_conv.K == 4096);
  CHECK(fc.as_conv.out == Volume{1, 1, 4096});
  CHECK(fc.out == fc.as_conv.out);

  // Running that CONV layer gives the same volume and parameter count.
  const ConvNetResult c = one_layer({7, 7, 512}, C::conv(4096, 7, 1, 0));
  REQUIRE(c.valid);
  CHECK(c.layers[1].out == fc.out);
  CHECK(c.layers[1].params == fc.params);
  CHECK(c.layers[1].flops == fc.flops);

  // Converted VGG-16 on 384x384: pool5 is 12x12x512, so the scores come out 6x6x1000.
  const ConvNetResult v = analyse_convnet(convnet_preset("convnet-vgg16-conv-384"));
  REQUIRE(v.valid);
  CHECK(v.layers[v.layers.size() - 4].out == Volume{12, 12, 512});
  CHECK(v.layers.back().out == Volume{6, 6, 1000});
  CHECK(v.total_params == 138357544LL);  // same weights, only reshaped
}

TEST_CASE("CONV as an FC matrix: mostly zeros, few distinct values", "[convnet_calc]") {
  // 4x4x1 input, one 3x3 filter, pad 1: a 16 x 16 matrix. Along each axis the
  // four outputs have 2 + 3 + 3 + 2 = 10 taps inside the input (the border ones
  // hang over the padding), so the nonzeros are 10*10 = 100.
  const ConvNetResult r = one_layer({4, 4, 1}, C::conv(1, 3, 1, 1));
  REQUIRE(r.valid);
  const ConvAsFc& m = r.layers[1].as_fc;
  CHECK(m.rows == 16);
  CHECK(m.cols == 16);
  CHECK(m.entries == 256);
  CHECK(m.nonzeros == 100);
  CHECK(m.distinct == 9);

  // Without padding every tap lands inside: nonzeros = outputs * F*F*D_in.
  const ConvNetResult cifar = one_layer({32, 32, 3}, C::conv(10, 5, 1, 0));
  const ConvAsFc& m2 = cifar.layers[1].as_fc;
  CHECK(m2.nonzeros == 28LL * 28 * 10 * 75);
  CHECK(double(m2.nonzeros) / double(m2.entries) < 0.03);
}

TEST_CASE("dilated conv: F' = d*(F-1) + 1", "[convnet_calc][convnet-dilated]") {
  // A 3x3 filter with dilation 2 spans 5 pixels: on 7x7, (7 - 5)/1 + 1 = 3.
  const ConvNetResult r = one_layer({7, 7, 1}, C::conv(1, 3, 1, 0, 2));
  REQUIRE(r.valid);
  CHECK(r.layers[1].F_eff == 5);
  CHECK(r.layers[1].out == Volume{3, 3, 1});
  CHECK(r.layers[1].params == 10);  // still 3*3 weights + 1 bias
  CHECK(conv_output_size(7, 3, 1, 0, 3).size == 1);      // F' = 7 fits exactly once
  CHECK_FALSE(conv_output_size(7, 3, 1, 0, 4).valid);    // F' = 9 > 7

  // Dilations 1, 2, 4 grow the receptive field 3 -> 7 -> 15 with three layers.
  const ConvNetResult d = analyse_convnet(convnet_preset("convnet-dilated"));
  REQUIRE(d.valid);
  CHECK(d.layers[1].rf == 3);
  CHECK(d.layers[2].rf == 7);
  CHECK(d.layers[3].rf == 15);
  CHECK(d.layers[3].out == Volume{32, 32, 16});  // pad = dilation keeps the size
}

TEST_CASE("every preset id builds a valid network; unknown ids name the known ones", "[convnet_calc]") {
  for (const std::string& id : convnet_preset_ids()) {
    const ConvNetSpec n = convnet_preset(id);
    CHECK(n.id == id);
    const ConvNetResult r = analyse_convnet(n);
    INFO(id << ": " << r.message);
    CHECK(r.valid);
  }
  // The output-size preset: 7x7, 3x3 filter, stride 2 -> 3x3.
  CHECK(analyse_convnet(convnet_preset("convnet-output-size")).layers[1].out == Volume{3, 3, 1});
  try {
    convnet_preset("convnet-nope");
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("convnet-vgg16"));
  }
  CHECK(std::string(to_string(ConvLayerKind::Pool)) == "POOL");
}

// ---- The calculator and the network agree ---------------------------------------------

using HL = HiddenLayerSpec;

// The same stack as calculator rows: conv, pool and fc layers, then the
// output layer as an FC layer of `classes` outputs (activations are in place
// and change no size).
static ConvNetSpec as_calculator(const ModelSpec& spec, int classes) {
  ConvNetSpec n{"", "", {spec.input.width, spec.input.height, spec.input.depth}, {}};
  for (const HiddenLayerSpec& h : spec.hidden) {
    switch (h.type) {
      case LayerType::Conv: n.layers.push_back(C::conv(h.filters, h.size, h.stride, h.pad)); break;
      case LayerType::Pool: n.layers.push_back(C::pool(h.size, h.stride)); break;
      case LayerType::FC: n.layers.push_back(C::fc(h.width)); break;
    }
  }
  n.layers.push_back(C::fc(classes));
  return n;
}

static ModelSpec stack(InputShape in, std::vector<HiddenLayerSpec> hidden) {
  ModelSpec spec;
  spec.input = in;
  spec.hidden = std::move(hidden);
  return spec;
}

TEST_CASE("the network's volumes and parameters are the calculator's on the same stack", "[convnet_calc]") {
  const std::pair<const char*, ModelSpec> stacks[] = {
      // AlexNet's shape at a third of the size: 11x11 stride-4 filters,
      // overlapping 3/2 pools, padded 5x5 and 3x3 convs, two fc layers.
      {"AlexNet-like", stack({67, 67, 3}, {HL::conv(16, 11, 4, 0), HL::pool(3, 2), HL::conv(32, 5, 1, 2),
                                           HL::pool(3, 2), HL::conv(48, 3, 1, 1), HL::conv(48, 3, 1, 1),
                                           HL::conv(32, 3, 1, 1), HL::pool(3, 2), HL::fc(64), HL::fc(64)})},
      // VGG's shape: 3x3 pad-1 convs in blocks, 2x2 stride-2 pools.
      {"VGG-like", stack({32, 32, 3}, {HL::conv(16, 3, 1, 1), HL::conv(16, 3, 1, 1), HL::pool(2, 2),
                                       HL::conv(32, 3, 1, 1), HL::conv(32, 3, 1, 1), HL::pool(2, 2),
                                       HL::conv(64, 3, 1, 1), HL::conv(64, 3, 1, 1), HL::conv(64, 3, 1, 1),
                                       HL::pool(2, 2), HL::fc(128), HL::fc(128)})},
      // ConvNetJS's MNIST demo network.
      {"ConvNetJS MNIST", stack({24, 24, 1}, {HL::conv(8, 5, 1, 2), HL::pool(2, 2), HL::conv(16, 5, 1, 2),
                                              HL::pool(3, 3)})},
      // Odd sizes: non-square, stride 2 with padding 2, a stride-1 pool.
      {"odd", stack({9, 5, 2}, {HL::conv(3, 5, 2, 2), HL::pool(3, 1), HL::fc(4)})},
      // A filter as large as its input: 1 x 1 x K.
      {"whole-input filter", stack({6, 6, 3}, {HL::conv(4, 6, 1, 0), HL::fc(3)})},
  };
  const int classes = 10;
  for (const auto& [name, spec] : stacks) {
    INFO(name);
    const ConvNetResult r = analyse_convnet(as_calculator(spec, classes));
    REQUIRE(r.valid);
    const NetLayout layout = net_layout(spec);
    REQUIRE(layout.ok());
    REQUIRE(layout.volumes.size() == spec.hidden.size() + 1);
    for (size_t l = 0; l <= spec.hidden.size(); ++l) {
      INFO("volume " << l);
      CHECK(layout.volumes[l] == r.layers[l].out);
    }
    // The network built from the spec: parameters, and the sizes it really
    // computes on two images.
    Rng rng(1);
    Net net(spec, spec.input.size(), classes, rng);
    int64_t params = 0;
    for (const ParamRef& p : net.params()) params += p.value->size();
    CHECK(params == r.total_params);
    const Mat X = test::random_mat(2, spec.input.size(), rng);
    const std::vector<LayerActivations> acts = net.hidden_activations(X);
    REQUIRE(acts.size() == spec.hidden.size());
    for (size_t l = 0; l < acts.size(); ++l) CHECK(acts[l].post.cols() == r.layers[l + 1].out.count());
    CHECK(net.scores(X).cols() == classes);
  }
}

TEST_CASE("a stack the calculator refuses, the network refuses with the same sentence", "[convnet_calc]") {
  const ModelSpec bad[] = {
      stack({7, 7, 1}, {HL::conv(2, 3, 3, 0)}),                        // 2.33 wide
      stack({8, 6, 2}, {HL::conv(2, 3, 1, 1), HL::pool(2, 2), HL::pool(2, 2)}),  // 4x3 then 3 high / 2
      stack({5, 5, 1}, {HL::conv(2, 7, 1, 0)}),                        // filter larger than the input
  };
  for (const ModelSpec& spec : bad) {
    const ConvNetResult r = analyse_convnet(as_calculator(spec, 3));
    const NetLayout layout = net_layout(spec);
    REQUIRE_FALSE(r.valid);
    REQUIRE_FALSE(layout.ok());
    const ConvLayerResult& row = r.layers[size_t(layout.bad_layer) + 1];
    CHECK_FALSE(row.valid);
    CHECK(row.message == row.name + ": " + layout.problem);
    CHECK(r.message == row.message);
  }
}
