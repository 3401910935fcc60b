// conv_layers.h: the layers of a ConvNet as forward/backward pairs written
// as the course's naive loops (convolution, max pooling, spatial batch
// normalisation, flatten). They are for reading and for gradient checks;
// a fast path, if any, lives elsewhere and is tested against these.
//
// Layout. A minibatch of image volumes is a Mat with one row per image
// (N x C*H*W); within a row the values are channel-major, then row, then
// column: value (c, y, x) sits in column (c*H + y)*W + x. A layer's output
// uses the same layout with its own depth and size, so layers chain without
// copies.
//
// Filters are square (the course's F x F; FH != FW is not supported). The
// weights of a conv layer are W (K x C*F*F), row k one filter with tap
// (c, ky, kx) in column (c*F + ky)*F + kx, and b (1 x K): the same
// "one row of W per output unit" as affine_forward, so init's fan_in is
// W.cols() = C*F*F.
//
// Flatten. Because a row already lists a volume's values one after another,
// flattening a (K x H' x W') volume for a fully connected layer is the
// identity: the conv output (N x K*H'*W') IS the affine layer's input
// (N x D) with D = K*H'*W', feature (k*H' + y)*W' + x. There is no flatten
// function and no copy; affine_backward's dx comes back in the same layout.
#pragma once
#include <vector>

#include "core/models/conv_size.h"
#include "core/models/layers.h"
#include "core/tensor.h"

namespace nn {

// ---- Geometry ---------------------------------------------------------------------
// One conv or pool layer on one image volume. Sizes in pixels.
struct ConvGeom {
  int C = 0, H = 0, W = 0;   // input depth, height, width
  int K = 0;                 // output depth: the filters (conv), or C (pool)
  int F = 1, S = 1, P = 0;   // window size F x F, stride, zero padding on every side
  int H_out = 0, W_out = 0;  // by conv_output_volume (conv_size.h)
  int in_cols() const { return C * H * W; }
  int out_cols() const { return K * H_out * W_out; }
  Volume in() const { return {W, H, C}; }
  Volume out() const { return {W_out, H_out, K}; }
};
// A conv layer of K filters F x F x in.D, stride S, padding P on `in`. When
// the filters do not fit or do not tile the input exactly (e.g. 7 wide,
// F = 3, S = 3: (7 - 3)/3 + 1 = 2.33), throws std::runtime_error with the
// ConvNet calculator's sentence ("output width (7 - 3 + 2*0)/3 + 1 = 2.33 is
// not an integer; ..."): nothing is silently cropped.
ConvGeom conv_geom(const Volume& in, int K, int F, int S, int P);
// A max-pool layer of F x F windows with stride S (no padding); same errors.
ConvGeom pool_geom(const Volume& in, int F, int S);

// ---- Convolution ------------------------------------------------------------------
// x is (N, C*H*W), W is (K, C*F*F), b is (1, K); out is (N, K*H'*W') with
//   out[n, k, oy, ox] = b[k] + sum over c, ky, kx of
//                       W[k, c, ky, kx] * x[n, c, oy*S - P + ky, ox*S - P + kx]
// where taps that land on the padding read 0.
struct ConvCache {
  Mat x;  // the input
};
Mat conv_forward(const Mat& x, const Mat& W, const Mat& b, const ConvGeom& g, ConvCache& cache);
// dout is (N, K*H'*W') -> dx (N, C*H*W), dW (K, C*F*F), db (1, K).
void conv_backward(const Mat& dout, const Mat& W, const ConvGeom& g, const ConvCache& cache, Mat& dx,
                   Mat& dW, Mat& db);

// ---- Max pooling -------------------------------------------------------------------
// x is (N, C*H*W); out is (N, C*H'*W'), each channel pooled on its own:
//   out[n, c, oy, ox] = max over ky, kx < F of x[n, c, oy*S + ky, ox*S + kx].
// Ties: the first maximum in scan order (lowest ky, then lowest kx) wins and
// alone receives the gradient. Windows overlap when S < F (AlexNet's 3/2):
// an input that wins several windows sums their gradients.
struct MaxPoolCache {
  int in_cols = 0;
  std::vector<int> argmax;  // N*C*H'*W', row-major like out: the winner's column in x
};
Mat maxpool_forward(const Mat& x, const ConvGeom& g, MaxPoolCache& cache);
// dout is (N, C*H'*W') -> dx (N, C*H*W).
Mat maxpool_backward(const Mat& dout, const ConvGeom& g, const MaxPoolCache& cache);

// ---- Spatial batch normalisation ---------------------------------------------------
// Batch normalisation of a conv layer's output, one mean, variance, gamma and
// beta per channel (not per position): the statistics of channel k run over
// every image and every position, N*H'*W' values. x and out are
// (N, C*H*W) in the layout above; gamma, beta, running_mean and running_var
// are (1, C). It is batchnorm_forward (layers.h) on the values regrouped as
// (N*H*W, C), so train/test modes, eps and momentum are the same.
Mat spatial_batchnorm_forward(const Mat& x, int C, const Mat& gamma, const Mat& beta, bool train,
                              Mat& running_mean, Mat& running_var, BatchNormCache& cache);
// dout (N, C*H*W) -> dx (N, C*H*W), dgamma (1, C), dbeta (1, C). Train mode only.
void spatial_batchnorm_backward(const Mat& dout, int C, const BatchNormCache& cache, Mat& dx, Mat& dgamma,
                                Mat& dbeta);

// (N, C*HW) with channel-major rows <-> (N*HW, C) with one row per (image,
// position): the regrouping spatial batch normalisation works on.
Mat channels_to_columns(const Mat& x, int C);
Mat columns_to_channels(const Mat& x, int N, int C);

}  // namespace nn
