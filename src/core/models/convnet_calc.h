// convnet_calc.h: ConvNet arithmetic of the CS231n ConvNet notes as plain data:
// output volumes, parameters, activation memory, FLOPs, receptive fields and the
// FC <-> CONV equivalences, with AlexNet and VGG-16 presets. No UI here.
// Output volumes come from conv_size.h, the function the network's conv and
// pool layers use too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/models/conv_size.h"

namespace nn {

enum class ConvLayerKind { Input, Conv, Pool, FC, ReLU };
const char* to_string(ConvLayerKind);


// One layer as data; each kind reads only its own fields.
//   Conv: K filters of F x F x D_in, stride S, zero padding P, dilation d
//         (a dilated filter spans F' = d*(F-1) + 1 input pixels).
//   Pool: max pooling over F x F windows with stride S (padding P, usually 0).
//   FC:   K outputs, each connected to the whole input volume.
//   ReLU: elementwise, same volume.
// Input only appears as row 0 of a result; the input volume is ConvNetSpec::input.
struct ConvLayerSpec {
  ConvLayerKind kind = ConvLayerKind::Conv;
  std::string name;  // empty: named "conv3", "pool1", ... by position
  int K = 0;
  int F = 1, S = 1, P = 0;
  int dilation = 1;
  bool operator==(const ConvLayerSpec&) const = default;

  static ConvLayerSpec conv(int K, int F, int S = 1, int P = 0, int dilation = 1, std::string name = "");
  static ConvLayerSpec pool(int F, int S, std::string name = "");
  static ConvLayerSpec fc(int K, std::string name = "");
  static ConvLayerSpec relu(std::string name = "");
};

// A network: an input volume followed by layers.
struct ConvNetSpec {
  std::string id;    // preset id ("convnet-vgg16"), empty for user networks
  std::string name;  // display name
  Volume input;
  std::vector<ConvLayerSpec> layers;
};

// The same function as an FC layer, written as a CONV layer whose filter covers
// the whole input volume: F x FH = W_in x H_in, P = 0, S = 1, K filters.
struct FcAsConv {
  int F = 0, FH = 0, S = 1, P = 0, K = 0;
  Volume out;  // 1 x 1 x K
};

// The same function as a CONV layer, written as one FC weight matrix of
// (out volume) x (in volume) entries. Local connectivity makes most entries zero;
// parameter sharing makes the nonzero ones repeat only `distinct` values.
struct ConvAsFc {
  int64_t rows = 0, cols = 0;  // out.count() x in.count()
  int64_t entries = 0;         // rows * cols
  int64_t nonzeros = 0;        // filter taps that land inside the input (not on padding)
  int64_t distinct = 0;        // F*F*D_in*K shared weights
};

struct ConvLayerResult {
  ConvLayerKind kind = ConvLayerKind::Input;
  std::string name;
  ConvLayerSpec spec;  // as given (Input: default)
  Volume in, out;
  bool valid = true;
  std::string message;  // why not valid: names the layer and the dimension
  int F_eff = 0;        // d*(F-1)+1 for conv, F for pool, 0 otherwise
  int64_t weights = 0, biases = 0, params = 0;
  int64_t activations = 0;      // out.count(), one example
  bool in_place = false;        // ReLU overwrites its input: not added to the totals
  int64_t act_bytes_f32 = 0;    // activations * 4 bytes * batch
  int64_t act_bytes_f64 = 0;    // activations * 8 bytes * batch
  int64_t flops = 0;            // 2 * multiply-adds, one example (see convnet_calc.cpp)
  int64_t rf = 1;               // receptive field at the input, pixels along the width
  int64_t jump = 1;             // input pixels between adjacent outputs (stride product)
  FcAsConv as_conv;             // FC layers only
  ConvAsFc as_fc;               // Conv layers only
};

struct ConvNetResult {
  std::vector<ConvLayerResult> layers;  // layers[0] is the input volume
  bool valid = true;
  std::string message;                  // the first invalid layer's message
  int batch = 1;
  // Totals over valid layers. Activations count the input volume and every
  // layer's output except in-place ReLUs (the CS231n VGG-16 breakdown lists
  // CONV, POOL and FC outputs and folds each ReLU into the layer before it).
  int64_t total_params = 0;
  int64_t total_activations = 0;        // one example, forward pass only
  int64_t total_flops = 0;              // one example
  int64_t activation_bytes(int bytes_per_value) const { return total_activations * bytes_per_value * batch; }
  int64_t param_bytes(int bytes_per_value) const { return total_params * bytes_per_value; }
};

// Never throws on bad sizes: invalid layers come back with valid = false and a
// message; layers after the first invalid one are not computed. Throws
// std::runtime_error only when batch is outside 1..10,000.
ConvNetResult analyse_convnet(const ConvNetSpec& net, int batch = 1);

// Presets: "convnet-alexnet", "convnet-vgg16", "convnet-vgg16-conv-384" and the
// small examples the concept cards point at. convnet_preset throws
// std::runtime_error naming the known ids when `id` is unknown.
std::vector<std::string> convnet_preset_ids();
ConvNetSpec convnet_preset(const std::string& id);

}  // namespace nn
