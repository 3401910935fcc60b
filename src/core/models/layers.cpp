// layers.cpp: forward/backward pairs of the network's layers, each backward
// next to the forward it differentiates, plus weight initialisation.
#include "core/models/layers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nn {

// ---- Affine -------------------------------------------------------------------

Mat affine_forward(const Mat& x, const Mat& W, const Mat& b, AffineCache& cache) {
  cache.x = x;
  Mat out(x.rows(), W.rows());
  out.noalias() = x * W.transpose();  // (N, D) x (D, M)
  out.rowwise() += b.row(0);
  return out;
}

void affine_backward(const Mat& dout, const Mat& W, const AffineCache& cache, Mat& dx, Mat& dW,
                     Mat& db) {
  // out = x W^T + b
  dx.noalias() = dout * W;                    // (N, M) x (M, D)
  dW.noalias() = dout.transpose() * cache.x;  // (M, N) x (N, D)
  db = dout.colwise().sum();                  // (1, M)
}

// ---- ReLU: out = max(0, x) ----------------------------------------------------

Mat relu_forward(const Mat& x, ActCache& cache) {
  cache.x = x;
  cache.out = x.cwiseMax(0.0);
  return cache.out;
}

Mat relu_backward(const Mat& dout, const ActCache& cache) {
  // out = max(0, x): slope 1 where x > 0, 0 elsewhere (0 at x = 0)
  return (cache.x.array() > 0).select(dout, 0.0);
}

// ---- Leaky ReLU: out = x if x > 0 else alpha * x -------------------------------

Mat leaky_relu_forward(const Mat& x, double alpha, ActCache& cache) {
  cache.x = x;
  cache.out = (x.array() > 0).select(x, alpha * x);
  return cache.out;
}

Mat leaky_relu_backward(const Mat& dout, double alpha, const ActCache& cache) {
  // out = x if x > 0 else alpha * x
  return (cache.x.array() > 0).select(dout, alpha * dout);
}

// ---- ELU: out = x if x > 0 else alpha * (exp(x) - 1) ---------------------------

Mat elu_forward(const Mat& x, double alpha, ActCache& cache) {
  cache.x = x;
  cache.out = (x.array() > 0).select(x, alpha * (x.array().exp() - 1.0).matrix());
  return cache.out;
}

Mat elu_backward(const Mat& dout, double alpha, const ActCache& cache) {
  // out = alpha * (exp(x) - 1) for x <= 0, so d out / dx = alpha * exp(x) = out + alpha
  const Mat slope_neg = (cache.out.array() + alpha).matrix();
  return (cache.x.array() > 0).select(dout, dout.cwiseProduct(slope_neg));
}

// ---- tanh -------------------------------------------------------------------------

Mat tanh_forward(const Mat& x, ActCache& cache) {
  cache.x = x;
  cache.out = x.array().tanh();
  return cache.out;
}

Mat tanh_backward(const Mat& dout, const ActCache& cache) {
  // out = tanh(x): d out / dx = 1 - out^2
  return dout.array() * (1.0 - cache.out.array().square());
}

// ---- sigmoid: out = 1 / (1 + exp(-x)) ------------------------------------------

Mat sigmoid_forward(const Mat& x, ActCache& cache) {
  cache.x = x;
  cache.out = (1.0 + (-x.array()).exp()).inverse();
  return cache.out;
}

Mat sigmoid_backward(const Mat& dout, const ActCache& cache) {
  // out = 1 / (1 + exp(-x)): d out / dx = out * (1 - out)
  return dout.array() * cache.out.array() * (1.0 - cache.out.array());
}

// ---- Dispatch -----------------------------------------------------------------------

Mat activation_forward(Activation act, double alpha, const Mat& x, ActCache& cache) {
  switch (act) {
    case Activation::ReLU: return relu_forward(x, cache);
    case Activation::LeakyReLU: return leaky_relu_forward(x, alpha, cache);
    case Activation::ELU: return elu_forward(x, alpha, cache);
    case Activation::Tanh: return tanh_forward(x, cache);
    case Activation::Sigmoid: return sigmoid_forward(x, cache);
    case Activation::Linear:
      cache.x = x;
      cache.out = x;
      return x;
    case Activation::Maxout: break;
  }
  throw std::runtime_error("Maxout is not an elementwise activation: use maxout_forward.");
}

Mat activation_backward(Activation act, double alpha, const Mat& dout, const ActCache& cache) {
  switch (act) {
    case Activation::ReLU: return relu_backward(dout, cache);
    case Activation::LeakyReLU: return leaky_relu_backward(dout, alpha, cache);
    case Activation::ELU: return elu_backward(dout, alpha, cache);
    case Activation::Tanh: return tanh_backward(dout, cache);
    case Activation::Sigmoid: return sigmoid_backward(dout, cache);
    case Activation::Linear: return dout;
    case Activation::Maxout: break;
  }
  throw std::runtime_error("Maxout is not an elementwise activation: use maxout_backward.");
}

// ---- Maxout ----------------------------------------------------------------------------

Mat maxout_forward(const Mat& x, int k, MaxoutCache& cache) {
  if (k < 1 || x.cols() % k != 0)
    throw std::runtime_error("Maxout needs a multiple of k inputs per row.");
  const Eigen::Index N = x.rows(), width = x.cols() / k;
  Mat out(N, width);
  cache.in_cols = x.cols();
  cache.argmax.assign(size_t(N * width), 0);
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index u = 0; u < width; ++u) {
      int best = 0;
      for (int piece = 1; piece < k; ++piece)
        if (x(i, u * k + piece) > x(i, u * k + best)) best = piece;
      cache.argmax[size_t(i * width + u)] = best;
      out(i, u) = x(i, u * k + best);
    }
  return out;
}

Mat maxout_backward(const Mat& dout, int k, const MaxoutCache& cache) {
  // out[i,u] = x[i, u*k + argmax]: the gradient flows to the winning piece only
  const Eigen::Index N = dout.rows(), width = dout.cols();
  Mat dx = Mat::Zero(N, cache.in_cols);
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index u = 0; u < width; ++u)
      dx(i, u * k + cache.argmax[size_t(i * width + u)]) = dout(i, u);
  return dx;
}

// ---- Inverted dropout --------------------------------------------------------------

Mat dropout_forward(const Mat& x, double p, bool train, Rng& rng, DropoutCache& cache) {
  if (!train || p >= 1.0) {
    cache.mask.resize(0, 0);
    return x;
  }
  if (p <= 0.0) throw std::runtime_error("Dropout keep probability p must be above 0.");
  // mask = (rand < p) / p, drawn row by row so a seed gives the same mask everywhere
  cache.mask.resize(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.cols(); ++j) cache.mask(i, j) = rng.uniform() < p ? 1.0 / p : 0.0;
  return x.cwiseProduct(cache.mask);
}

Mat dropout_backward(const Mat& dout, const DropoutCache& cache) {
  // out = x * mask
  if (cache.mask.size() == 0) return dout;
  return dout.cwiseProduct(cache.mask);
}

// ---- Batch normalisation -------------------------------------------------------------

Mat batchnorm_forward(const Mat& x, const Mat& gamma, const Mat& beta, bool train,
                      Mat& running_mean, Mat& running_var, BatchNormCache& cache) {
  Mat mean, var;
  if (train && x.rows() > 0) {
    mean = x.colwise().mean();                                            // (1, M)
    var = (x.rowwise() - mean.row(0)).array().square().colwise().mean();  // (1, M), biased
    running_mean = kBatchNormMomentum * running_mean + (1.0 - kBatchNormMomentum) * mean;
    running_var = kBatchNormMomentum * running_var + (1.0 - kBatchNormMomentum) * var;
  } else {
    mean = running_mean;
    var = running_var;
  }
  cache.inv_std = (var.array() + kBatchNormEps).rsqrt();
  cache.xhat = (x.rowwise() - mean.row(0)).array().rowwise() * cache.inv_std.row(0).array();
  cache.gamma = gamma;
  // out = gamma * xhat + beta
  Mat out = cache.xhat.array().rowwise() * gamma.row(0).array();
  out.rowwise() += beta.row(0);
  return out;
}

void batchnorm_backward(const Mat& dout, const BatchNormCache& cache, Mat& dx, Mat& dgamma,
                        Mat& dbeta) {
  // out = gamma * xhat + beta
  dbeta = dout.colwise().sum();
  dgamma = dout.cwiseProduct(cache.xhat).colwise().sum();
  // xhat = (x - mean) * inv_std with the batch's own mean and var; the usual
  // simplified form of the three paths (direct, through mean, through var):
  //   dx = inv_std / N * (N * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat))
  const double N = double(dout.rows());
  const Mat dxhat = dout.array().rowwise() * cache.gamma.row(0).array();
  const Mat sum_dxhat = dxhat.colwise().sum();
  const Mat sum_dxhat_xhat = dxhat.cwiseProduct(cache.xhat).colwise().sum();
  Mat inner = N * dxhat;
  inner.rowwise() -= sum_dxhat.row(0);
  inner -= (cache.xhat.array().rowwise() * sum_dxhat_xhat.row(0).array()).matrix();
  dx = (inner.array().rowwise() * (cache.inv_std.row(0).array() / N)).matrix();
}

// ---- Initialisation ----------------------------------------------------------------------

void init_weights(Mat& W, const InitSpec& spec, Rng& rng) {
  const double fan_in = double(std::max<Eigen::Index>(1, W.cols()));
  double scale = 0;
  switch (spec.kind) {
    case InitKind::Zeros: W.setZero(); return;
    case InitKind::Constant: W.setConstant(spec.constant); return;
    case InitKind::SmallRandom: scale = 0.01; break;
    case InitKind::Xavier: scale = 1.0 / std::sqrt(fan_in); break;
    case InitKind::He: scale = std::sqrt(2.0 / fan_in); break;
  }
  scale *= spec.gain;
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = scale * rng.normal();
}

void init_bias(Mat& b, const InitSpec& spec, Rng& rng) {
  if (!spec.random_bias) {
    b.setConstant(spec.bias);
    return;
  }
  for (Eigen::Index k = 0; k < b.size(); ++k) b.data()[k] = 0.01 * rng.normal();
}

// ---- Kinks ---------------------------------------------------------------------------------

void append_activation_kinks(Activation act, double alpha, const Mat& x,
                             std::vector<int32_t>& pattern) {
  const bool kinked = act == Activation::ReLU || act == Activation::LeakyReLU ||
                      (act == Activation::ELU && alpha != 1.0);
  if (!kinked) return;
  for (Eigen::Index k = 0; k < x.size(); ++k) pattern.push_back(x.data()[k] > 0);
}

}  // namespace nn
