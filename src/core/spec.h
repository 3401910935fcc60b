// spec.h: everything that describes a run as plain data: model kind, network
// layers, loss, regularisation, initialisation, optimiser, schedule,
// preprocessing and seed. Presets, saved sessions, URLs and the UI's editors
// all read and write this one description (session.h serialises it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nn {

enum class ModelKind { KNN, Linear, Net };
enum class Metric { L1, L2 };
// SVM = multiclass hinge of Weston and Watkins (sum over wrong classes);
// OneVsAll = a binary hinge per class; CrammerSinger = hinge on the largest
// wrong score only; Softmax = cross-entropy of the softmax probabilities.
enum class LossKind { SVM, OneVsAll, CrammerSinger, Softmax };
enum class RegKind { None, L2, L1, ElasticNet };
enum class Activation { ReLU, LeakyReLU, ELU, Tanh, Sigmoid, Maxout, Linear };
// Xavier = N(0,1)/sqrt(fan_in); He = N(0,1)*sqrt(2/fan_in);
// SmallRandom = 0.01*N(0,1).
enum class InitKind { Zeros, Constant, SmallRandom, Xavier, He };
enum class OptimKind { SGD, Momentum, Nesterov, Adagrad, RMSProp, Adam, LBFGS };
enum class ScheduleKind { Constant, Step, Exponential, InvT };
enum class PreprocessKind { None, MeanSubtract, Normalize, PCA, Whiten };

struct KnnSpec {
  int k = 1;
  Metric metric = Metric::L2;
  bool weighted = false;  // votes weighted by 1/distance
  bool operator==(const KnnSpec&) const = default;
};

struct HiddenLayerSpec {
  int width = 8;
  Activation act = Activation::ReLU;
  double alpha = 0.01;    // Leaky ReLU slope / ELU scale
  int maxout_k = 2;       // pieces of a Maxout unit
  bool batchnorm = false; // batch normalisation after the affine, before act
  double dropout_keep = 1.0;  // inverted dropout keep probability p (1 = off)
  bool operator==(const HiddenLayerSpec&) const = default;
};

struct LossSpec {
  LossKind kind = LossKind::Softmax;
  double delta = 1.0;     // SVM margin
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
  bool operator==(const PreprocessSpec&) const = default;
};

struct ModelSpec {
  ModelKind kind = ModelKind::Net;
  KnnSpec knn;
  bool use_bias = true;  // false: no b, boundaries pass through the origin
  std::vector<HiddenLayerSpec> hidden = {{}, {}};  // empty for Linear
  LossSpec loss;
  InitSpec init;
  OptimSpec optim;
  PreprocessSpec preprocess;
  uint64_t seed = 1;
  bool operator==(const ModelSpec&) const = default;
};

const char* to_string(ModelKind);
const char* to_string(Metric);
const char* to_string(LossKind);
const char* to_string(RegKind);
const char* to_string(Activation);
const char* to_string(InitKind);
const char* to_string(OptimKind);
const char* to_string(ScheduleKind);
const char* to_string(PreprocessKind);

// Parsing the names to_string() writes (exact lowercase, e.g. "leaky_relu").
// Returns false and leaves `out` unchanged for an unknown name.
bool from_string(const std::string& s, ModelKind& out);
bool from_string(const std::string& s, Metric& out);
bool from_string(const std::string& s, LossKind& out);
bool from_string(const std::string& s, RegKind& out);
bool from_string(const std::string& s, Activation& out);
bool from_string(const std::string& s, InitKind& out);
bool from_string(const std::string& s, OptimKind& out);
bool from_string(const std::string& s, ScheduleKind& out);
bool from_string(const std::string& s, PreprocessKind& out);

// Every value of an enum in declaration order, for menus and for listing the
// accepted names in error messages: for (auto a : enum_values<Activation>()).
template <class E> const std::vector<E>& enum_values();
template <> const std::vector<ModelKind>& enum_values<ModelKind>();
template <> const std::vector<Metric>& enum_values<Metric>();
template <> const std::vector<LossKind>& enum_values<LossKind>();
template <> const std::vector<RegKind>& enum_values<RegKind>();
template <> const std::vector<Activation>& enum_values<Activation>();
template <> const std::vector<InitKind>& enum_values<InitKind>();
template <> const std::vector<OptimKind>& enum_values<OptimKind>();
template <> const std::vector<ScheduleKind>& enum_values<ScheduleKind>();
template <> const std::vector<PreprocessKind>& enum_values<PreprocessKind>();

}  // namespace nn
