// layers.h: the layers of a network as forward/backward pairs of plain
// functions (affine, ReLU, Leaky ReLU, ELU, tanh, sigmoid, maxout, inverted
// dropout, batch normalisation), each with the cache its backward needs.
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

// ---- Affine: out = x W^T + b ------------------------------------------------
// x is (N, D), W is (M, D) (one row per output unit), b is (1, M), out is (N, M).
struct AffineCache {
  Mat x;
};
Mat affine_forward(const Mat& x, const Mat& W, const Mat& b, AffineCache& cache);
// dout is (N, M) -> dx (N, D), dW (M, D), db (1, M).
void affine_backward(const Mat& dout, const Mat& W, const AffineCache& cache, Mat& dx, Mat& dW,
                     Mat& db);

// ---- Elementwise activations ------------------------------------------------
// x and out are (N, M). The cache keeps what the backward reads.
struct ActCache {
  Mat x;    // input (pre-activation)
  Mat out;  // output
};
Mat relu_forward(const Mat& x, ActCache& cache);
Mat relu_backward(const Mat& dout, const ActCache& cache);
Mat leaky_relu_forward(const Mat& x, double alpha, ActCache& cache);
Mat leaky_relu_backward(const Mat& dout, double alpha, const ActCache& cache);
Mat elu_forward(const Mat& x, double alpha, ActCache& cache);
Mat elu_backward(const Mat& dout, double alpha, const ActCache& cache);
Mat tanh_forward(const Mat& x, ActCache& cache);
Mat tanh_backward(const Mat& dout, const ActCache& cache);
Mat sigmoid_forward(const Mat& x, ActCache& cache);
Mat sigmoid_backward(const Mat& dout, const ActCache& cache);

// One of the elementwise activations above by name (not Maxout; Linear = identity).
Mat activation_forward(Activation act, double alpha, const Mat& x, ActCache& cache);
Mat activation_backward(Activation act, double alpha, const Mat& dout, const ActCache& cache);

// ---- Maxout -------------------------------------------------------------------
// x is (N, width*k): unit u owns the k columns u*k .. u*k+k-1; out is (N, width),
// out[i,u] = max of unit u's k pieces. Ties go to the lowest piece.
struct MaxoutCache {
  Eigen::Index in_cols = 0;
  std::vector<int> argmax;  // N*width, row-major: winning piece of each output
};
Mat maxout_forward(const Mat& x, int k, MaxoutCache& cache);
Mat maxout_backward(const Mat& dout, int k, const MaxoutCache& cache);

// ---- Inverted dropout --------------------------------------------------------
// Keep each unit with probability p and scale the kept ones by 1/p at train
// time, so test time is the identity. x, mask and out are (N, M).
struct DropoutCache {
  Mat mask;  // 1/p where kept, 0 where dropped; empty when the layer was the identity
};
Mat dropout_forward(const Mat& x, double p, bool train, Rng& rng, DropoutCache& cache);
Mat dropout_backward(const Mat& dout, const DropoutCache& cache);

// ---- Batch normalisation ----------------------------------------------------
// x is (N, M); gamma, beta, running_mean, running_var are (1, M).
// Train: normalise with the batch mean and (biased) variance and update the
// running averages: running = momentum * running + (1 - momentum) * batch.
// Test: normalise with the running averages. A batch of one gives var = 0,
// xhat = 0 and out = beta: eps keeps 1/sqrt(var + eps) finite.
constexpr double kBatchNormEps = 1e-5;
constexpr double kBatchNormMomentum = 0.9;
struct BatchNormCache {
  Mat xhat;     // (N, M) normalised input
  Mat inv_std;  // (1, M) 1 / sqrt(var + eps)
  Mat gamma;    // (1, M) the gamma used
};
Mat batchnorm_forward(const Mat& x, const Mat& gamma, const Mat& beta, bool train,
                      Mat& running_mean, Mat& running_var, BatchNormCache& cache);
// dout (N, M) -> dx (N, M), dgamma (1, M), dbeta (1, M). Train mode only.
void batchnorm_backward(const Mat& dout, const BatchNormCache& cache, Mat& dx, Mat& dgamma,
                        Mat& dbeta);

// ---- Initialisation -----------------------------------------------------------
// Fills W (out x fan_in) per spec.kind: Zeros, Constant (spec.constant),
// SmallRandom 0.01*N(0,1), Xavier N(0,1)/sqrt(fan_in), He N(0,1)*sqrt(2/fan_in).
void init_weights(Mat& W, const InitSpec& spec, Rng& rng);
// b (1 x out) = spec.bias, or 0.01*N(0,1) per entry when spec.random_bias.
void init_bias(Mat& b, const InitSpec& spec, Rng& rng);

// ---- Kinks, for the gradient check --------------------------------------------
// Appends the sign of each pre-activation x (> 0 or not): ReLU and Leaky ReLU
// change slope there (and ELU when alpha != 1). Nothing for smooth activations.
void append_activation_kinks(Activation act, double alpha, const Mat& x,
                             std::vector<int32_t>& pattern);

}  // namespace nn
