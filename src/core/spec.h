// spec.h: everything that describes a run as plain data: model kind, network
// layers, loss, regularisation, initialisation, optimiser, schedule,
// preprocessing and seed. Presets, saved sessions, URLs and the UI's editors
// all read and write this one description (session.h serialises it).
#pragma once
#include <cstdint>
#include <span>
#include <type_traits>
#include <string>
#include <vector>

namespace nn {

enum class ModelKind { KNN, Linear, Net };
enum class Metric { L1, L2 };
// SVM = multiclass hinge of Weston and Watkins (sum over wrong classes);
// OneVsAll = a binary hinge per class; CrammerSinger = hinge on the largest
// wrong score only; Softmax = cross-entropy of the softmax probabilities.
// The regression losses compare real-valued outputs s with targets t
// (r = s - t): Squared = 0.5 r^2 (L2), Absolute = |r| (L1), Huber = 0.5 r^2
// for |r| <= delta and delta (|r| - delta/2) beyond.
enum class LossKind { SVM, OneVsAll, CrammerSinger, Softmax, Squared, Absolute, Huber };
// True for the losses of real-valued targets (Squared, Absolute, Huber).
constexpr bool is_regression(LossKind k) {
  return k == LossKind::Squared || k == LossKind::Absolute || k == LossKind::Huber;
}
// What the points ask for: a class per point (classification), or a real
// target: in Regression1D the input is the point's x and the target its y
// (the model's second input is held at 0); in Regression2D the input is
// (x, y) and the target the point's value.
enum class ProblemKind { Classification, Regression1D, Regression2D };
constexpr bool is_regression(ProblemKind p) { return p != ProblemKind::Classification; }
enum class RegKind { None, L2, L1, ElasticNet };
enum class Activation { ReLU, LeakyReLU, ELU, Tanh, Sigmoid, Maxout, Linear };
// Xavier = N(0,1)/sqrt(fan_in); He = N(0,1)*sqrt(2/fan_in);
// SmallRandom = 0.01*N(0,1).
enum class InitKind { Zeros, Constant, SmallRandom, Xavier, He };
enum class OptimKind { SGD, Momentum, Nesterov, Adagrad, RMSProp, Adam, LBFGS };
enum class ScheduleKind { Constant, Step, Exponential, InvT };
enum class PreprocessKind { None, MeanSubtract, Normalize, PCA, Whiten };
// Preprocessing of image rows, statistics from the training images:
// MeanImage subtracts the mean image; Global subtracts the one mean of all
// pixels and divides by their one standard deviation (a constant scale and
// shift of every value); PerPixel subtracts the mean image and divides each
// pixel by its own standard deviation over the training images.
enum class ImageNorm { None, MeanImage, Global, PerPixel };
// Which arithmetic trains the model: the float32 SIMD engine (core/fast), or
// the readable double-precision reference it is tested against.
enum class EngineKind { Fast, Reference };

struct KnnSpec {
  int k = 1;
  Metric metric = Metric::L2;
  bool weighted = false;  // votes weighted by 1/distance
  bool operator==(const KnnSpec&) const = default;
};

// What a hidden layer computes. Conv and pool layers need an image input
// (ModelSpec::input) and come before every fully connected layer; the volume
// the last of them outputs is flattened (a no-op, see conv_layers.h) for the
// fully connected layers and the output layer.
enum class LayerType { FC, Conv, Pool };

// One hidden layer. Each type reads only its own fields:
//   FC:   width, act, alpha, maxout_k, batchnorm, dropout_keep
//   Conv: filters, size, stride, pad, act (not maxout), alpha, batchnorm
//         (per channel: spatial batch normalisation), dropout_keep (each
//         value of the output volume dropped on its own)
//   Pool: size, stride (max pooling, no padding; no activation, batchnorm or
//         dropout: the network refuses batchnorm or dropout on a pool layer)
struct HiddenLayerSpec {
  int width = 8;
  Activation act = Activation::ReLU;
  double alpha = 0.01;    // Leaky ReLU slope / ELU scale
  int maxout_k = 2;       // pieces of a Maxout unit
  bool batchnorm = false; // batch normalisation after the affine (or conv), before act
  double dropout_keep = 1.0;  // inverted dropout keep probability p (1 = off)
  // After the fully connected fields, so that brace-initialised layers
  // ({16, Activation::ReLU}) keep meaning what they meant.
  LayerType type = LayerType::FC;
  int filters = 8;  // conv: K, the number of filters (the output depth)
  int size = 3;     // conv: F (filters are F x F x input depth); pool: F (F x F windows)
  int stride = 1;   // conv and pool: S
  int pad = 0;      // conv: P, zero padding on every side
  bool operator==(const HiddenLayerSpec&) const = default;

  static HiddenLayerSpec fc(int width, Activation act = Activation::ReLU);
  static HiddenLayerSpec conv(int K, int F, int S = 1, int P = 0, Activation act = Activation::ReLU);
  static HiddenLayerSpec pool(int F = 2, int S = 2);
};

// The input as an image volume, width x height x depth (the course's
// W x H x D; depth 1 for grey, 3 for RGB). All zero: flat features, as the 2D
// playground's points, whose count the data decides.
struct InputShape {
  int width = 0, height = 0, depth = 0;
  bool is_image() const { return width > 0 || height > 0 || depth > 0; }
  int size() const { return width * height * depth; }  // features per image
  bool operator==(const InputShape&) const = default;
};

struct LossSpec {
  LossKind kind = LossKind::Softmax;
  double delta = 1.0;     // SVM margin; Huber: where the square turns linear
  RegKind reg = RegKind::L2;
  double lambda = 1e-3;   // regularisation strength (never on biases)
  double l1_ratio = 0.5;  // elastic net: share of L1 in the penalty
  bool operator==(const LossSpec&) const = default;
};

struct InitSpec {
  InitKind kind = InitKind::He;
  double constant = 0.0;     // for InitKind::Constant
  double bias = 0.0;         // initial bias value
  bool random_bias = false;  // biases ~ 0.01*N(0,1) instead of `bias`
  double gain = 1.0;         // multiplies the random kinds' scale (large gain: saturation demos)
  bool operator==(const InitSpec&) const = default;
};

struct OptimSpec {
  OptimKind kind = OptimKind::Adam;
  double lr = 1e-2;
  double mu = 0.9;            // momentum / Nesterov
  double decay_rate = 0.99;   // RMSProp
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam (eps also Adagrad/RMSProp)
  int lbfgs_m = 10;           // L-BFGS history
  int batch_size = 32;        // 0 = full batch
  ScheduleKind schedule = ScheduleKind::Constant;
  double step_epochs = 50;    // Step: multiply by decay every step_epochs epochs
  double decay = 0.5;         // Step: factor; Exponential: lr*exp(-decay*epoch); InvT: lr/(1+decay*epoch)
  double clip_norm = 0.0;     // gradient clipping by global norm (0 = off)
  bool operator==(const OptimSpec&) const = default;
};

struct PreprocessSpec {
  PreprocessKind kind = PreprocessKind::None;
  // Feature expansion, appended after the two raw coordinates.
  bool square = false;   // x1^2, x2^2
  bool cross = false;    // x1*x2
  bool sines = false;    // sin x1, sin x2
  // Input scale s: every feature the model sees is multiplied by s, after the
  // expansion and the kind step (so "normalise" then s = 10 gives features of
  // standard deviation 10). Range kMinInputScale..kMaxInputScale (limits.h).
  double scale = 1.0;
  // Image rows only (the Trainer's example path), where the 2D fields above
  // must stay at their defaults.
  ImageNorm image = ImageNorm::None;
  bool operator==(const PreprocessSpec&) const = default;
};

struct ModelSpec {
  ModelKind kind = ModelKind::Net;
  KnnSpec knn;
  bool use_bias = true;  // false: no b, boundaries pass through the origin
  InputShape input;      // image models only; all zero for flat features
  std::vector<HiddenLayerSpec> hidden = {{}, {}};  // empty for Linear
  LossSpec loss;
  InitSpec init;
  OptimSpec optim;
  PreprocessSpec preprocess;
  EngineKind engine = EngineKind::Fast;
  uint64_t seed = 1;
  bool operator==(const ModelSpec&) const = default;
};

// True when the network has a conv or pool layer (the fast engine trains
// them unless fast_engine_unsupported() names a layer option it lacks).
bool has_conv_layers(const ModelSpec& spec);
// True when networks built from a and b have the same parameters and the same
// layer outputs (same kind, bias, input shape, and per hidden layer the same
// type and the fields that set shapes: width, maxout k, filters, size,
// stride, pad, batchnorm; and the activation). Training can then go on from
// a's parameters with b's hyperparameters (dropout p, alpha, loss, optimiser).
bool same_architecture(const ModelSpec& a, const ModelSpec& b);

// ---- Descriptor tables ---------------------------------------------------------
// One row per value of an enum: the value, its id in files and links (stable:
// never rename one), the label the UI shows and a tooltip. to_string,
// from_string, the session reader and writer and every UI menu derive from
// these rows, so a new value is one new row.
template <class E>
struct EnumRow {
  E value;
  const char* id;
  const char* label;
  const char* tip;
};

// enum_rows<E>() is defined for every enum of the spec (spec.cpp) and for
// the data generators (dataset.h).
template <class E> std::span<const EnumRow<E>> enum_rows();
template <> std::span<const EnumRow<ModelKind>> enum_rows<ModelKind>();
template <> std::span<const EnumRow<Metric>> enum_rows<Metric>();
template <> std::span<const EnumRow<LossKind>> enum_rows<LossKind>();
template <> std::span<const EnumRow<RegKind>> enum_rows<RegKind>();
template <> std::span<const EnumRow<Activation>> enum_rows<Activation>();
template <> std::span<const EnumRow<LayerType>> enum_rows<LayerType>();
template <> std::span<const EnumRow<InitKind>> enum_rows<InitKind>();
template <> std::span<const EnumRow<OptimKind>> enum_rows<OptimKind>();
template <> std::span<const EnumRow<ScheduleKind>> enum_rows<ScheduleKind>();
template <> std::span<const EnumRow<PreprocessKind>> enum_rows<PreprocessKind>();
template <> std::span<const EnumRow<ImageNorm>> enum_rows<ImageNorm>();
template <> std::span<const EnumRow<EngineKind>> enum_rows<EngineKind>();
template <> std::span<const EnumRow<ProblemKind>> enum_rows<ProblemKind>();

template <class E>
  requires std::is_enum_v<E>
const EnumRow<E>* enum_row(E v) {
  for (const EnumRow<E>& r : enum_rows<E>())
    if (r.value == v) return &r;
  return nullptr;
}
// The id written to files ("leaky_relu"), "?" for a value without a row.
template <class E>
  requires std::is_enum_v<E>
const char* to_string(E v) {
  const EnumRow<E>* r = enum_row(v);
  return r ? r->id : "?";
}
template <class E>
  requires std::is_enum_v<E>
const char* enum_label(E v) {
  const EnumRow<E>* r = enum_row(v);
  return r ? r->label : "?";
}
// Parses an id (exact, lowercase). Returns false and leaves `out` unchanged
// for an unknown one.
template <class E>
  requires std::is_enum_v<E>
bool from_string(const std::string& s, E& out) {
  for (const EnumRow<E>& r : enum_rows<E>())
    if (s == r.id) {
      out = r.value;
      return true;
    }
  return false;
}
// "relu, leaky_relu, ...": the accepted ids, for error messages.
template <class E> std::string enum_ids() {
  std::string out;
  for (const EnumRow<E>& r : enum_rows<E>()) out += (out.empty() ? "" : ", ") + std::string(r.id);
  return out;
}

}  // namespace nn
