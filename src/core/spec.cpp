// spec.cpp: the stable lowercase names of the spec enums. Saved sessions,
// presets and URLs store these names, so never rename one.
#include "core/spec.h"

namespace nn {

const char* to_string(ModelKind v) {
  switch (v) {
    case ModelKind::KNN: return "knn";
    case ModelKind::Linear: return "linear";
    case ModelKind::Net: return "net";
  }
  return "?";
}

const char* to_string(Metric v) {
  switch (v) {
    case Metric::L1: return "l1";
    case Metric::L2: return "l2";
  }
  return "?";
}

const char* to_string(LossKind v) {
  switch (v) {
    case LossKind::SVM: return "svm";
    case LossKind::OneVsAll: return "ova_hinge";
    case LossKind::CrammerSinger: return "crammer_singer";
    case LossKind::Softmax: return "softmax";
  }
  return "?";
}

const char* to_string(RegKind v) {
  switch (v) {
    case RegKind::None: return "none";
    case RegKind::L2: return "l2";
    case RegKind::L1: return "l1";
    case RegKind::ElasticNet: return "elastic_net";
  }
  return "?";
}

const char* to_string(Activation v) {
  switch (v) {
    case Activation::ReLU: return "relu";
    case Activation::LeakyReLU: return "leaky_relu";
    case Activation::ELU: return "elu";
    case Activation::Tanh: return "tanh";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Maxout: return "maxout";
    case Activation::Linear: return "linear";
  }
  return "?";
}

const char* to_string(InitKind v) {
  switch (v) {
    case InitKind::Zeros: return "zeros";
    case InitKind::Constant: return "constant";
    case InitKind::SmallRandom: return "small_random";
    case InitKind::Xavier: return "xavier";
    case InitKind::He: return "he";
  }
  return "?";
}

const char* to_string(OptimKind v) {
  switch (v) {
    case OptimKind::SGD: return "sgd";
    case OptimKind::Momentum: return "momentum";
    case OptimKind::Nesterov: return "nesterov";
    case OptimKind::Adagrad: return "adagrad";
    case OptimKind::RMSProp: return "rmsprop";
    case OptimKind::Adam: return "adam";
    case OptimKind::LBFGS: return "lbfgs";
  }
  return "?";
}

const char* to_string(ScheduleKind v) {
  switch (v) {
    case ScheduleKind::Constant: return "constant";
    case ScheduleKind::Step: return "step";
    case ScheduleKind::Exponential: return "exponential";
    case ScheduleKind::InvT: return "inv_t";
  }
  return "?";
}

const char* to_string(PreprocessKind v) {
  switch (v) {
    case PreprocessKind::None: return "none";
    case PreprocessKind::MeanSubtract: return "mean_subtract";
    case PreprocessKind::Normalize: return "normalize";
    case PreprocessKind::PCA: return "pca";
    case PreprocessKind::Whiten: return "whiten";
  }
  return "?";
}

// ---- Every value, in declaration order -------------------------------------

template <> const std::vector<ModelKind>& enum_values<ModelKind>() {
  static const std::vector<ModelKind> v = {ModelKind::KNN, ModelKind::Linear, ModelKind::Net};
  return v;
}
template <> const std::vector<Metric>& enum_values<Metric>() {
  static const std::vector<Metric> v = {Metric::L1, Metric::L2};
  return v;
}
template <> const std::vector<LossKind>& enum_values<LossKind>() {
  static const std::vector<LossKind> v = {LossKind::SVM, LossKind::OneVsAll,
                                          LossKind::CrammerSinger, LossKind::Softmax};
  return v;
}
template <> const std::vector<RegKind>& enum_values<RegKind>() {
  static const std::vector<RegKind> v = {RegKind::None, RegKind::L2, RegKind::L1,
                                         RegKind::ElasticNet};
  return v;
}
template <> const std::vector<Activation>& enum_values<Activation>() {
  static const std::vector<Activation> v = {Activation::ReLU,    Activation::LeakyReLU,
                                            Activation::ELU,     Activation::Tanh,
                                            Activation::Sigmoid, Activation::Maxout,
                                            Activation::Linear};
  return v;
}
template <> const std::vector<InitKind>& enum_values<InitKind>() {
  static const std::vector<InitKind> v = {InitKind::Zeros, InitKind::Constant,
                                          InitKind::SmallRandom, InitKind::Xavier, InitKind::He};
  return v;
}
template <> const std::vector<OptimKind>& enum_values<OptimKind>() {
  static const std::vector<OptimKind> v = {OptimKind::SGD,     OptimKind::Momentum,
                                           OptimKind::Nesterov, OptimKind::Adagrad,
                                           OptimKind::RMSProp, OptimKind::Adam,
                                           OptimKind::LBFGS};
  return v;
}
template <> const std::vector<ScheduleKind>& enum_values<ScheduleKind>() {
  static const std::vector<ScheduleKind> v = {ScheduleKind::Constant, ScheduleKind::Step,
                                              ScheduleKind::Exponential, ScheduleKind::InvT};
  return v;
}
template <> const std::vector<PreprocessKind>& enum_values<PreprocessKind>() {
  static const std::vector<PreprocessKind> v = {PreprocessKind::None, PreprocessKind::MeanSubtract,
                                                PreprocessKind::Normalize, PreprocessKind::PCA,
                                                PreprocessKind::Whiten};
  return v;
}

// ---- Parsing: the inverse of to_string over enum_values ---------------------

namespace {
template <class E>
bool parse_enum(const std::string& s, E& out) {
  for (E v : enum_values<E>())
    if (s == to_string(v)) {
      out = v;
      return true;
    }
  return false;
}
}  // namespace

bool from_string(const std::string& s, ModelKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, Metric& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, LossKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, RegKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, Activation& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, InitKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, OptimKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, ScheduleKind& out) { return parse_enum(s, out); }
bool from_string(const std::string& s, PreprocessKind& out) { return parse_enum(s, out); }

}  // namespace nn
