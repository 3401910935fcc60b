// spec.cpp: the descriptor table of every enum of the run description (the
// ids are stored in saved sessions, presets and links: never rename one),
// and the small helpers that read a description's layers.
#include "core/spec.h"

namespace nn {

HiddenLayerSpec HiddenLayerSpec::fc(int width, Activation act) {
  HiddenLayerSpec h;
  h.width = width;
  h.act = act;
  return h;
}

HiddenLayerSpec HiddenLayerSpec::conv(int K, int F, int S, int P, Activation act) {
  HiddenLayerSpec h;
  h.type = LayerType::Conv;
  h.filters = K;
  h.size = F;
  h.stride = S;
  h.pad = P;
  h.act = act;
  return h;
}

HiddenLayerSpec HiddenLayerSpec::pool(int F, int S) {
  HiddenLayerSpec h;
  h.type = LayerType::Pool;
  h.size = F;
  h.stride = S;
  return h;
}

bool has_conv_layers(const ModelSpec& spec) {
  for (const HiddenLayerSpec& h : spec.hidden)
    if (h.type != LayerType::FC) return true;
  return false;
}

// The fields that give a layer its parameters' shapes and its output's size.
static bool same_layer_shape(const HiddenLayerSpec& h, const HiddenLayerSpec& g) {
  if (h.type != g.type) return false;
  switch (h.type) {
    case LayerType::FC:
      return h.width == g.width && h.act == g.act && h.batchnorm == g.batchnorm &&
             (h.act != Activation::Maxout || h.maxout_k == g.maxout_k);
    case LayerType::Conv:
      return h.filters == g.filters && h.size == g.size && h.stride == g.stride && h.pad == g.pad &&
             h.act == g.act && h.batchnorm == g.batchnorm;
    case LayerType::Pool: return h.size == g.size && h.stride == g.stride;
  }
  return false;
}

bool same_architecture(const ModelSpec& a, const ModelSpec& b) {
  if (a.kind != b.kind || a.use_bias != b.use_bias || !(a.input == b.input)) return false;
  if (a.kind != ModelKind::Net) return true;
  if (a.hidden.size() != b.hidden.size()) return false;
  for (size_t l = 0; l < a.hidden.size(); ++l)
    if (!same_layer_shape(a.hidden[l], b.hidden[l])) return false;
  return true;
}

template <>
std::span<const EnumRow<ModelKind>> enum_rows<ModelKind>() {
  static constexpr EnumRow<ModelKind> rows[] = {
      {ModelKind::KNN, "knn", "kNN", "k-nearest neighbours: no training, memorises the points."},
      {ModelKind::Linear, "linear", "Linear", "A linear classifier: one line (row of W) per class."},
      {ModelKind::Net, "net", "Neural net", "A fully connected network with hidden layers."},
  };
  return rows;
}

template <>
std::span<const EnumRow<Metric>> enum_rows<Metric>() {
  static constexpr EnumRow<Metric> rows[] = {
      {Metric::L1, "l1", "L1", "Distance |dx| + |dy|."},
      {Metric::L2, "l2", "L2",
       "Distance sqrt(dx^2 + dy^2), compared squared: the root never changes which point is nearer."},
  };
  return rows;
}

template <>
std::span<const EnumRow<LossKind>> enum_rows<LossKind>() {
  static constexpr EnumRow<LossKind> rows[] = {
      {LossKind::SVM, "svm", "SVM (Weston-Watkins)",
       "Every wrong class must score at least delta below the right one; each violation adds to the loss."},
      {LossKind::OneVsAll, "ova_hinge", "one-vs-all hinge",
       "A separate binary hinge per class: the right class above +delta, every other below -delta."},
      {LossKind::CrammerSinger, "crammer_singer", "structured SVM (Crammer-Singer)",
       "Only the highest-scoring wrong class must be delta below the right one."},
      {LossKind::Softmax, "softmax", "softmax",
       "Cross-entropy of the softmax probabilities: never fully satisfied, always pushes a little."},
      {LossKind::Squared, "squared", "L2 (squared error)",
       "Regression: 0.5 (s - t)^2. Large errors dominate, so a far point pulls the fit hard."},
      {LossKind::Absolute, "absolute", "L1 (absolute error)",
       "Regression: |s - t|. Every point pulls with the same force: robust to outliers, fits the median."},
      {LossKind::Huber, "huber", "Huber",
       "Regression: squared for errors below delta, absolute beyond: smooth near the fit, robust far away."},
  };
  return rows;
}

template <>
std::span<const EnumRow<RegKind>> enum_rows<RegKind>() {
  static constexpr EnumRow<RegKind> rows[] = {
      {RegKind::None, "none", "none", "No penalty on the weights."},
      {RegKind::L2, "l2", "L2", "0.5 lambda sum w^2: prefers many small, spread-out weights."},
      {RegKind::L1, "l1", "L1", "lambda sum |w|: drives many weights to exactly zero (sparse)."},
      {RegKind::ElasticNet, "elastic_net", "elastic net", "A mix of L1 and L2 (the L1 share sets the mix)."},
  };
  return rows;
}

template <>
std::span<const EnumRow<Activation>> enum_rows<Activation>() {
  static constexpr EnumRow<Activation> rows[] = {
      {Activation::ReLU, "relu", "ReLU", "max(0, x): cheap, does not saturate above 0, but a unit can die."},
      {Activation::LeakyReLU, "leaky_relu", "Leaky ReLU", "x above 0, alpha x below: keeps a small gradient."},
      {Activation::ELU, "elu", "ELU", "x above 0, alpha (e^x - 1) below: smooth, outputs near zero mean."},
      {Activation::Tanh, "tanh", "tanh", "Zero-centred, squashes to (-1, 1); saturates and kills gradients."},
      {Activation::Sigmoid, "sigmoid", "sigmoid",
       "Squashes to (0, 1); saturates, and its outputs are never zero-centred."},
      {Activation::Maxout, "maxout", "Maxout", "The max of k linear pieces: never dies, but k times the weights."},
      {Activation::Linear, "linear", "linear", "No non-linearity: stacked linear layers are still one linear map."},
  };
  return rows;
}

template <>
std::span<const EnumRow<LayerType>> enum_rows<LayerType>() {
  static constexpr EnumRow<LayerType> rows[] = {
      {LayerType::FC, "fc", "fully connected",
       "Every unit sees every input value: x W^T + b, then the activation."},
      {LayerType::Conv, "conv", "conv",
       "K filters of F x F x depth slide over the image with stride S and zero padding P; "
       "each gives one activation map."},
      {LayerType::Pool, "pool", "max pool",
       "Keeps the largest value of each F x F window (stride S), channel by channel: "
       "smaller maps, no parameters."},
  };
  return rows;
}

template <>
std::span<const EnumRow<InitKind>> enum_rows<InitKind>() {
  static constexpr EnumRow<InitKind> rows[] = {
      {InitKind::Zeros, "zeros", "zeros", "Every weight 0: hidden units stay identical (no symmetry breaking)."},
      {InitKind::Constant, "constant", "constant", "Every weight the same value: the same symmetry problem."},
      {InitKind::SmallRandom, "small_random", "small random 0.01",
       "0.01 N(0,1): fine for small nets, activations vanish in deep ones."},
      {InitKind::Xavier, "xavier", "Xavier 1/sqrt(n)", "N(0,1)/sqrt(fan_in): keeps the variance for tanh."},
      {InitKind::He, "he", "He sqrt(2/n)", "N(0,1) sqrt(2/fan_in): keeps the variance for ReLU."},
  };
  return rows;
}

template <>
std::span<const EnumRow<OptimKind>> enum_rows<OptimKind>() {
  static constexpr EnumRow<OptimKind> rows[] = {
      {OptimKind::SGD, "sgd", "SGD", "x -= lr dx: straight down the minibatch gradient."},
      {OptimKind::Momentum, "momentum", "momentum", "Keeps a velocity: steady directions speed up, jitter cancels."},
      {OptimKind::Nesterov, "nesterov", "Nesterov", "Momentum with the gradient taken at the look-ahead point."},
      {OptimKind::Adagrad, "adagrad", "Adagrad",
       "Divides by the root of all past squared gradients: steps shrink forever."},
      {OptimKind::RMSProp, "rmsprop", "RMSProp", "Like Adagrad with a leaky average, so steps do not die out."},
      {OptimKind::Adam, "adam", "Adam", "Momentum plus RMSProp's per-parameter scale, with bias correction."},
      {OptimKind::LBFGS, "lbfgs", "L-BFGS (full batch)",
       "Estimates curvature from past steps; needs the whole training set at every step."},
  };
  return rows;
}

template <>
std::span<const EnumRow<ScheduleKind>> enum_rows<ScheduleKind>() {
  static constexpr EnumRow<ScheduleKind> rows[] = {
      {ScheduleKind::Constant, "constant", "constant", "The same learning rate throughout."},
      {ScheduleKind::Step, "step", "step decay", "Multiply the rate by a factor every few epochs."},
      {ScheduleKind::Exponential, "exponential", "exponential decay", "lr exp(-k epoch)."},
      {ScheduleKind::InvT, "inv_t", "1/t decay", "lr / (1 + k epoch)."},
  };
  return rows;
}

template <>
std::span<const EnumRow<PreprocessKind>> enum_rows<PreprocessKind>() {
  static constexpr EnumRow<PreprocessKind> rows[] = {
      {PreprocessKind::None, "none", "none", "The raw coordinates."},
      {PreprocessKind::MeanSubtract, "mean_subtract", "mean subtraction", "Centre the training data at 0."},
      {PreprocessKind::Normalize, "normalize", "normalise", "Centre, then scale each feature to unit variance."},
      {PreprocessKind::PCA, "pca", "PCA", "Centre, then rotate onto the principal axes."},
      {PreprocessKind::Whiten, "whiten", "whiten", "PCA, then scale each axis to unit variance."},
  };
  return rows;
}

template <>
std::span<const EnumRow<ImageNorm>> enum_rows<ImageNorm>() {
  static constexpr EnumRow<ImageNorm> rows[] = {
      {ImageNorm::None, "none", "raw pixels", "Pixel values in [0, 1] as loaded."},
      {ImageNorm::MeanImage, "mean_image", "subtract the mean image",
       "Each pixel minus its mean over the training images."},
      {ImageNorm::Global, "global", "global normalisation",
       "Every value minus the one mean of all pixels, divided by their one standard deviation."},
      {ImageNorm::PerPixel, "per_pixel", "per-pixel normalisation",
       "Subtract the mean image, then divide each pixel by its own standard deviation."},
  };
  return rows;
}

template <>
std::span<const EnumRow<EngineKind>> enum_rows<EngineKind>() {
  static constexpr EnumRow<EngineKind> rows[] = {
      {EngineKind::Fast, "fast", "fast (float32 SIMD)",
       "Single precision, vectorised and threaded: what the playground trains with."},
      {EngineKind::Reference, "reference", "reference (double)",
       "The plain double-precision code the fast engine is tested against: slower, same curves."},
  };
  return rows;
}

template <>
std::span<const EnumRow<ProblemKind>> enum_rows<ProblemKind>() {
  static constexpr EnumRow<ProblemKind> rows[] = {
      {ProblemKind::Classification, "classification", "classification",
       "Each point has a class; the model scores the classes."},
      {ProblemKind::Regression1D, "regression_1d", "regression 1D",
       "Each point is an input x and a target y: the model fits a curve y = f(x)."},
      {ProblemKind::Regression2D, "regression_2d", "regression 2D",
       "Each point carries a real value: the model fits a surface over the plane (drawn as a heatmap)."},
  };
  return rows;
}

}  // namespace nn
