// convnet_calc.cpp: the ConvNet arithmetic (sizes, parameters, memory, FLOPs,
// receptive fields, FC <-> CONV) and the AlexNet / VGG-16 presets.
#include "core/models/convnet_calc.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <stdexcept>

namespace nn {

const char* to_string(ConvLayerKind k) {
  switch (k) {
    case ConvLayerKind::Input: return "INPUT";
    case ConvLayerKind::Conv: return "CONV";
    case ConvLayerKind::Pool: return "POOL";
    case ConvLayerKind::FC: return "FC";
    case ConvLayerKind::ReLU: return "RELU";
  }
  return "?";
}

ConvLayerSpec ConvLayerSpec::conv(int K, int F, int S, int P, int dilation, std::string name) {
  return {ConvLayerKind::Conv, std::move(name), K, F, S, P, dilation};
}
ConvLayerSpec ConvLayerSpec::pool(int F, int S, std::string name) {
  return {ConvLayerKind::Pool, std::move(name), 0, F, S, 0, 1};
}
ConvLayerSpec ConvLayerSpec::fc(int K, std::string name) {
  return {ConvLayerKind::FC, std::move(name), K, 1, 1, 0, 1};
}
ConvLayerSpec ConvLayerSpec::relu(std::string name) {
  return {ConvLayerKind::ReLU, std::move(name), 0, 1, 1, 0, 1};
}

// Number of (output position, filter tap) pairs along one axis whose input
// coordinate o*S - P + k*d falls inside [0, W): taps on the zero padding are
// not weights of the equivalent FC matrix.
static int64_t taps_inside(int W, int W_out, int F, int S, int P, int d) {
  int64_t n = 0;
  for (int o = 0; o < W_out; ++o) {
    const int64_t start = int64_t(o) * S - P;  // input coordinate of tap k = 0
    // 0 <= start + k*d <= W-1  <=>  k_lo <= k <= k_hi, with 0 <= k < F.
    const int64_t k_lo = start >= 0 ? 0 : (-start + d - 1) / d;
    const int64_t k_hi = std::min<int64_t>(F - 1, start > W - 1 ? -1 : (W - 1 - start) / d);
    if (k_hi >= k_lo) n += k_hi - k_lo + 1;
  }
  return n;
}

// Receptive fields of deep stacks of strided 1x1 layers can outgrow int64; they
// saturate (a field larger than any input is all that matters there).
static int64_t sat_mul(int64_t a, int64_t b) { return double(a) * double(b) > 4e18 ? INT64_MAX / 2 : a * b; }
static int64_t sat_add(int64_t a, int64_t b) { return double(a) + double(b) > 4e18 ? INT64_MAX / 2 : a + b; }

// Sizes the calculator accepts; larger ones could overflow the exact int64 counts.
static constexpr int kMaxSize = 1000000;
static constexpr double kMaxCount = 1e13;

// ---- The analysis, step by step ------------------------------------------------
// Each step fills part of one layer's row; a step that finds the layer
// impossible returns the reason (without the layer's name), "" otherwise.

// Row 0: the input volume, checked.
static ConvLayerResult input_row(const Volume& v) {
  ConvLayerResult in;
  in.kind = ConvLayerKind::Input;
  in.name = "input";
  in.in = in.out = v;
  if (v.W < 1 || v.H < 1 || v.D < 1) {
    in.valid = false;
    in.message = "input: the volume needs W, H and D of at least 1 (got " + std::to_string(v.W) + "x" +
                 std::to_string(v.H) + "x" + std::to_string(v.D) + ")";
  } else if (v.W > kMaxSize || v.H > kMaxSize || v.D > kMaxSize || double(v.W) * v.H * v.D > kMaxCount) {
    in.valid = false;
    in.message = "input: the volume is too large for the calculator (at most 1,000,000 per size and 10^13 values)";
  }
  return in;
}

// The layer's own name, or "conv3", "pool1", ... by its position among its kind.
static std::string layer_name(const ConvLayerSpec& s, int& count_of_kind) {
  ++count_of_kind;
  if (!s.name.empty()) return s.name;
  std::string base = to_string(s.kind);
  for (char& c : base) c = char(std::tolower(static_cast<unsigned char>(c)));
  return base + std::to_string(count_of_kind);
}

// CONV or POOL: the output volume (conv_size.h, shared with the network's
// layers) and how the window grows the receptive field.
static std::string size_window_layer(const ConvLayerSpec& s, const ConvLayerResult& prev, ConvLayerResult& L) {
  const bool conv = s.kind == ConvLayerKind::Conv;
  const int d = conv ? s.dilation : 1;
  const Volume v = L.in;
  if (conv && s.K < 1) return "needs at least one filter (K >= 1)";
  const VolumeSize vs = conv_output_volume(v, s.F, s.S, s.P, conv ? s.K : v.D, d);
  if (!vs.valid) return vs.reason;
  const double fanin = double(s.F) * s.F * v.D;
  if (double(vs.out.count()) * std::max(fanin, 1.0) > kMaxCount)
    return "the layer is too large for the calculator to count exactly";
  L.out = vs.out;
  L.F_eff = int(int64_t(d) * (s.F - 1) + 1);
  // Receptive field recurrence: each step of this layer's window moves
  // `jump` input pixels, so F' taps add (F'-1)*jump pixels to the field.
  L.rf = sat_add(prev.rf, sat_mul(L.F_eff - 1, prev.jump));
  L.jump = sat_mul(prev.jump, s.S);
  return "";
}

// CONV: parameters, FLOPs and the equivalent FC matrix.
static void count_conv(const ConvLayerSpec& s, ConvLayerResult& L) {
  const Volume v = L.in;
  // Each of the K filters has F*F*D_in weights and one bias.
  L.weights = int64_t(s.F) * s.F * v.D * s.K;
  L.biases = s.K;
  // Conventions: FLOPs = 2 * multiply-adds (one multiply and one add per
  // filter tap per output value). Bias adds, ReLU and max-pool comparisons
  // are not counted; taps on zero padding are (as a dense implementation
  // computes them).
  L.flops = 2 * L.out.count() * int64_t(s.F) * s.F * v.D;
  const int64_t sx = taps_inside(v.W, L.out.W, s.F, s.S, s.P, s.dilation);
  const int64_t sy = taps_inside(v.H, L.out.H, s.F, s.S, s.P, s.dilation);
  L.as_fc.rows = L.out.count();
  L.as_fc.cols = v.count();
  const double entries = double(L.as_fc.rows) * double(L.as_fc.cols);
  // The equivalent matrix can be too big for int64 even when the layer is
  // fine (it is the point of the comparison): saturate instead.
  L.as_fc.entries = entries < 9e18 ? L.as_fc.rows * L.as_fc.cols : INT64_MAX;
  // Output (ox, oy, k) reads taps (kx, ky, c): x and y choices are
  // independent, and every one of the D_in channels is read.
  L.as_fc.nonzeros = sx * sy * v.D * s.K;
  L.as_fc.distinct = L.weights;
}

// FC: 1 x 1 x K, every output connected to the whole input volume.
static std::string size_fc(const ConvLayerSpec& s, const ConvLayerResult& prev, ConvLayerResult& L) {
  const Volume v = L.in;
  if (s.K < 1) return "needs at least one output (K >= 1)";
  if (double(v.count()) * s.K > kMaxCount) return "the layer is too large for the calculator to count exactly";
  L.out = {1, 1, s.K};
  L.weights = v.count() * s.K;  // one weight per input value per output
  L.biases = s.K;
  L.flops = 2 * v.count() * s.K;
  // The equivalent CONV filter spans the whole input, so each output sees
  // every input pixel.
  L.as_conv = {v.W, v.H, 1, 0, s.K, L.out};
  L.rf = sat_add(prev.rf, sat_mul(v.W - 1, prev.jump));
  return "";
}

// One layer's row from its spec and the row above it.
static ConvLayerResult analyse_layer(const ConvLayerSpec& s, const ConvLayerResult& prev, int& count_of_kind) {
  ConvLayerResult L;
  L.kind = s.kind;
  L.spec = s;
  L.name = layer_name(s, count_of_kind);
  L.in = prev.out;
  L.rf = prev.rf;
  L.jump = prev.jump;
  std::string why;
  if (!prev.valid) {
    why = "not computed, because a layer above is invalid";
  } else if (s.K > kMaxSize || s.F > kMaxSize || s.S > kMaxSize || s.P > kMaxSize || s.dilation > kMaxSize) {
    why = "K, F, S, P and dilation must each be at most 1,000,000";
  } else {
    switch (s.kind) {
      case ConvLayerKind::Input:
        why = "an INPUT layer may only come first; set the network's input volume instead";
        break;
      case ConvLayerKind::Conv:
        why = size_window_layer(s, prev, L);
        if (why.empty()) count_conv(s, L);
        break;
      case ConvLayerKind::Pool: why = size_window_layer(s, prev, L); break;
      case ConvLayerKind::FC: why = size_fc(s, prev, L); break;
      case ConvLayerKind::ReLU:
        L.out = L.in;
        L.in_place = true;
        break;
    }
  }
  if (!why.empty()) {
    L.valid = false;
    L.message = L.name + ": " + why;
  }
  L.params = L.weights + L.biases;
  return L;
}

// Activation memory of one valid row for the whole batch.
static void count_memory(ConvLayerResult& L, int batch) {
  if (!L.valid) return;
  L.activations = L.out.count();
  L.act_bytes_f32 = L.activations * 4 * batch;
  L.act_bytes_f64 = L.activations * 8 * batch;
}

// Totals over the valid rows; the first invalid row's message is the network's.
static void add_totals(ConvNetResult& R) {
  for (const ConvLayerResult& L : R.layers) {
    if (!L.valid) {
      if (R.valid) R.message = L.message;
      R.valid = false;
      continue;
    }
    R.total_params += L.params;
    if (!L.in_place) R.total_activations += L.activations;
    R.total_flops += L.flops;
  }
}

ConvNetResult analyse_convnet(const ConvNetSpec& net, int batch) {
  if (batch < 1 || batch > 10000)
    throw std::runtime_error("The batch size must be between 1 and 10,000 (got " + std::to_string(batch) + ").");
  ConvNetResult R;
  R.batch = batch;
  R.layers.push_back(input_row(net.input));
  count_memory(R.layers.back(), batch);
  int counts[5] = {0, 0, 0, 0, 0};  // per kind, for default names
  for (const ConvLayerSpec& s : net.layers) {
    R.layers.push_back(analyse_layer(s, R.layers.back(), counts[int(s.kind)]));
    count_memory(R.layers.back(), batch);
  }
  add_totals(R);
  return R;
}

// ---- Presets ---------------------------------------------------------------

// AlexNet as in the CS231n notes: 227x227x3 input (the paper's "224" does not
// give integer sizes with an 11x11 stride-4 conv). The local response
// normalisation layers have no parameters and are left out. The original split
// conv2, conv4 and conv5 into two groups (one per GPU), each filter seeing half
// the input depth; here every filter sees the full depth, which gives the
// 62,378,344 parameters usually quoted as "62.3M" (the grouped net has
// 60,965,224, the paper's "60 million").
static ConvNetSpec alexnet() {
  using C = ConvLayerSpec;
  return {"convnet-alexnet", "AlexNet (227x227x3, ungrouped)", {227, 227, 3},
          {C::conv(96, 11, 4, 0, 1, "conv1"), C::pool(3, 2, "pool1"),
           C::conv(256, 5, 1, 2, 1, "conv2"), C::pool(3, 2, "pool2"),
           C::conv(384, 3, 1, 1, 1, "conv3"), C::conv(384, 3, 1, 1, 1, "conv4"),
           C::conv(256, 3, 1, 1, 1, "conv5"), C::pool(3, 2, "pool5"),
           C::fc(4096, "fc6"), C::fc(4096, "fc7"), C::fc(1000, "fc8")}};
}

// VGG-16 (configuration D): 3x3 convs with stride 1 and pad 1, 2x2 max pools
// with stride 2. Each CONV and the first two FC layers are followed by a ReLU,
// which is computed in place and left out, as in the CS231n breakdown.
static std::vector<ConvLayerSpec> vgg16_convs() {
  using C = ConvLayerSpec;
  std::vector<ConvLayerSpec> L;
  const int widths[5] = {64, 128, 256, 512, 512};
  const int reps[5] = {2, 2, 3, 3, 3};
  for (int b = 0; b < 5; ++b) {
    for (int r = 0; r < reps[b]; ++r)
      L.push_back(C::conv(widths[b], 3, 1, 1, 1, "conv" + std::to_string(b + 1) + "_" + std::to_string(r + 1)));
    L.push_back(C::pool(2, 2, "pool" + std::to_string(b + 1)));
  }
  return L;
}

static ConvNetSpec vgg16() {
  ConvNetSpec n{"convnet-vgg16", "VGG-16 (224x224x3)", {224, 224, 3}, vgg16_convs()};
  n.layers.push_back(ConvLayerSpec::fc(4096, "fc6"));
  n.layers.push_back(ConvLayerSpec::fc(4096, "fc7"));
  n.layers.push_back(ConvLayerSpec::fc(1000, "fc8"));
  return n;
}

// VGG-16 with fc6..fc8 rewritten as CONV layers (F=7 then 1x1), run on a
// 384x384 image: the 12x12x512 pool5 volume gives 6x6 = 36 class-score
// positions in one forward pass, sharing all the convolution work.
static ConvNetSpec vgg16_conv_384() {
  ConvNetSpec n{"convnet-vgg16-conv-384", "VGG-16, FC as CONV, on 384x384x3", {384, 384, 3}, vgg16_convs()};
  n.layers.push_back(ConvLayerSpec::conv(4096, 7, 1, 0, 1, "fc6-conv"));
  n.layers.push_back(ConvLayerSpec::conv(4096, 1, 1, 0, 1, "fc7-conv"));
  n.layers.push_back(ConvLayerSpec::conv(1000, 1, 1, 0, 1, "fc8-conv"));
  return n;
}

std::vector<std::string> convnet_preset_ids() {
  return {"convnet-output-size", "convnet-cifar-conv", "convnet-no-padding", "convnet-stacked-3x3",
          "convnet-dilated",     "convnet-fc-to-conv", "convnet-alexnet",    "convnet-vgg16",
          "convnet-vgg16-conv-384"};
}

ConvNetSpec convnet_preset(const std::string& id) {
  using C = ConvLayerSpec;
  // The notes' example: 7x7 input, 3x3 filter. Stride 1 gives 5, stride 2 gives
  // 3, stride 3 gives (7-3)/3 + 1 = 2.33 and does not fit (edit S to see it).
  if (id == "convnet-output-size")
    return {id, "7x7 input, 3x3 filter, stride 2", {7, 7, 1}, {C::conv(1, 3, 2, 0, 1, "conv1")}};
  // 32x32x3 with ten 5x5 filters, stride 1, pad 2 = (5-1)/2: size preserved, 76 params each.
  if (id == "convnet-cifar-conv")
    return {id, "32x32x3, ten 5x5 filters, pad 2", {32, 32, 3}, {C::conv(10, 5, 1, 2, 1, "conv1")}};
  // Five unpadded 3x3 convs eat 2 pixels each: 32 -> 22.
  if (id == "convnet-no-padding")
    return {id, "Five 3x3 convs without padding", {32, 32, 3},
            {C::conv(16, 3), C::conv(16, 3), C::conv(16, 3), C::conv(16, 3), C::conv(16, 3)}};
  // Three 3x3 stride-1 convs see a 7x7 patch, like one 7x7 conv, with fewer weights.
  if (id == "convnet-stacked-3x3")
    return {id, "Three stacked 3x3 convs (receptive field 7)", {32, 32, 64},
            {C::conv(64, 3, 1, 1), C::relu(), C::conv(64, 3, 1, 1), C::relu(), C::conv(64, 3, 1, 1), C::relu()}};
  // Dilations 1, 2, 4 of a 3x3 filter span 3, 5, 9 pixels: receptive field 15 after three layers.
  if (id == "convnet-dilated")
    return {id, "3x3 convs with dilation 1, 2, 4", {32, 32, 16},
            {C::conv(16, 3, 1, 1, 1), C::conv(16, 3, 1, 2, 2), C::conv(16, 3, 1, 4, 4)}};
  // An FC layer with K=4096 on a 7x7x512 volume equals a 7x7 CONV with 4096 filters.
  if (id == "convnet-fc-to-conv")
    return {id, "FC 4096 on 7x7x512 (= CONV F=7, K=4096)", {7, 7, 512}, {C::fc(4096, "fc6")}};
  if (id == "convnet-alexnet") return alexnet();
  if (id == "convnet-vgg16") return vgg16();
  if (id == "convnet-vgg16-conv-384") return vgg16_conv_384();
  std::string known;
  for (const std::string& k : convnet_preset_ids()) known += (known.empty() ? "" : ", ") + k;
  throw std::runtime_error("Unknown ConvNet preset \"" + id + "\". Known presets: " + known + ".");
}

}  // namespace nn
