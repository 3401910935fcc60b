// conv_layers.cpp: convolution, max pooling and spatial batch normalisation
// as naive loops, each backward next to the forward it differentiates.
#include "core/models/conv_layers.h"

#include <stdexcept>
#include <string>

namespace nn {

// ---- Geometry ---------------------------------------------------------------------

static ConvGeom make_geom(const Volume& in, int F, int S, int P, int depth_out) {
  const VolumeSize vs = conv_output_volume(in, F, S, P, depth_out);
  if (!vs.valid) throw std::runtime_error(vs.reason);
  return {in.D, in.H, in.W, depth_out, F, S, P, vs.out.H, vs.out.W};
}

ConvGeom conv_geom(const Volume& in, int K, int F, int S, int P) {
  if (K < 1) throw std::runtime_error("a conv layer needs at least one filter (K >= 1)");
  return make_geom(in, F, S, P, K);
}

ConvGeom pool_geom(const Volume& in, int F, int S) { return make_geom(in, F, S, 0, in.D); }

static void check_cols(const char* what, const Mat& m, Eigen::Index rows, Eigen::Index cols) {
  if ((rows >= 0 && m.rows() != rows) || m.cols() != cols)
    throw std::runtime_error(std::string(what) + " is " + std::to_string(m.rows()) + " x " +
                             std::to_string(m.cols()) + " but the layer's shape needs " +
                             (rows >= 0 ? std::to_string(rows) : std::string("N")) + " x " +
                             std::to_string(cols) + ".");
}

// ---- Convolution ------------------------------------------------------------------

Mat conv_forward(const Mat& x, const Mat& W, const Mat& b, const ConvGeom& g, ConvCache& cache) {
  check_cols("The conv layer's input", x, -1, g.in_cols());
  check_cols("The conv layer's W", W, g.K, Eigen::Index(g.C) * g.F * g.F);
  check_cols("The conv layer's b", b, 1, g.K);
  cache.x = x;
  const Eigen::Index N = x.rows();
  Mat out(N, g.out_cols());
  for (Eigen::Index n = 0; n < N; ++n)
    for (int k = 0; k < g.K; ++k)
      for (int oy = 0; oy < g.H_out; ++oy)
        for (int ox = 0; ox < g.W_out; ++ox) {
          double sum = b(0, k);
          for (int c = 0; c < g.C; ++c)
            for (int ky = 0; ky < g.F; ++ky)
              for (int kx = 0; kx < g.F; ++kx) {
                const int iy = oy * g.S - g.P + ky, ix = ox * g.S - g.P + kx;
                if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;  // zero padding
                sum += W(k, (c * g.F + ky) * g.F + kx) * x(n, (c * g.H + iy) * g.W + ix);
              }
          out(n, (k * g.H_out + oy) * g.W_out + ox) = sum;
        }
  return out;
}

void conv_backward(const Mat& dout, const Mat& W, const ConvGeom& g, const ConvCache& cache, Mat& dx,
                   Mat& dW, Mat& db) {
  const Mat& x = cache.x;
  const Eigen::Index N = x.rows();
  check_cols("The conv layer's upstream gradient", dout, N, g.out_cols());
  dx = Mat::Zero(N, g.in_cols());
  dW = Mat::Zero(W.rows(), W.cols());
  db = Mat::Zero(1, g.K);
  // out[n,k,oy,ox] = b[k] + sum W[k,c,ky,kx] * x[n,c,iy,ix]: each term sends
  // dout to W (times x) and to x (times W); b collects dout directly.
  for (Eigen::Index n = 0; n < N; ++n)
    for (int k = 0; k < g.K; ++k)
      for (int oy = 0; oy < g.H_out; ++oy)
        for (int ox = 0; ox < g.W_out; ++ox) {
          const double d = dout(n, (k * g.H_out + oy) * g.W_out + ox);
          db(0, k) += d;
          for (int c = 0; c < g.C; ++c)
            for (int ky = 0; ky < g.F; ++ky)
              for (int kx = 0; kx < g.F; ++kx) {
                const int iy = oy * g.S - g.P + ky, ix = ox * g.S - g.P + kx;
                if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;  // padding has no gradient
                const int tap = (c * g.F + ky) * g.F + kx, in = (c * g.H + iy) * g.W + ix;
                dW(k, tap) += d * x(n, in);
                dx(n, in) += d * W(k, tap);
              }
        }
}

// ---- Max pooling -------------------------------------------------------------------

Mat maxpool_forward(const Mat& x, const ConvGeom& g, MaxPoolCache& cache) {
  check_cols("The pool layer's input", x, -1, g.in_cols());
  const Eigen::Index N = x.rows();
  Mat out(N, g.out_cols());
  cache.in_cols = g.in_cols();
  cache.argmax.assign(size_t(N * g.out_cols()), 0);
  for (Eigen::Index n = 0; n < N; ++n)
    for (int c = 0; c < g.C; ++c)
      for (int oy = 0; oy < g.H_out; ++oy)
        for (int ox = 0; ox < g.W_out; ++ox) {
          int best = (c * g.H + oy * g.S) * g.W + ox * g.S;  // the window's first tap
          for (int ky = 0; ky < g.F; ++ky)
            for (int kx = 0; kx < g.F; ++kx) {
              const int in = (c * g.H + oy * g.S + ky) * g.W + ox * g.S + kx;
              if (x(n, in) > x(n, best)) best = in;  // strictly greater: ties keep the first
            }
          const int o = (c * g.H_out + oy) * g.W_out + ox;
          cache.argmax[size_t(n * g.out_cols() + o)] = best;
          out(n, o) = x(n, best);
        }
  return out;
}

Mat maxpool_backward(const Mat& dout, const ConvGeom& g, const MaxPoolCache& cache) {
  check_cols("The pool layer's upstream gradient", dout, -1, g.out_cols());
  // out[n,o] = x[n, argmax]: the gradient flows to the winner only, summed
  // over the windows it wins.
  const Eigen::Index N = dout.rows();
  Mat dx = Mat::Zero(N, cache.in_cols);
  for (Eigen::Index n = 0; n < N; ++n)
    for (int o = 0; o < g.out_cols(); ++o) dx(n, cache.argmax[size_t(n * g.out_cols() + o)]) += dout(n, o);
  return dx;
}

// ---- Spatial batch normalisation ---------------------------------------------------

Mat channels_to_columns(const Mat& x, int C) {
  const Eigen::Index N = x.rows(), HW = x.cols() / C;
  Mat out(N * HW, C);
  for (Eigen::Index n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (Eigen::Index p = 0; p < HW; ++p) out(n * HW + p, c) = x(n, c * HW + p);
  return out;
}

Mat columns_to_channels(const Mat& x, int N, int C) {
  const Eigen::Index HW = N > 0 ? x.rows() / N : 0;
  Mat out(N, C * HW);
  for (Eigen::Index n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (Eigen::Index p = 0; p < HW; ++p) out(n, c * HW + p) = x(n * HW + p, c);
  return out;
}

Mat spatial_batchnorm_forward(const Mat& x, int C, const Mat& gamma, const Mat& beta, bool train,
                              Mat& running_mean, Mat& running_var, BatchNormCache& cache) {
  if (C < 1 || x.cols() % C != 0)
    throw std::runtime_error("Spatial batchnorm needs a whole number of positions per channel.");
  const Mat cols = channels_to_columns(x, C);  // (N*H*W, C)
  const Mat out = batchnorm_forward(cols, gamma, beta, train, running_mean, running_var, cache);
  return columns_to_channels(out, int(x.rows()), C);
}

void spatial_batchnorm_backward(const Mat& dout, int C, const BatchNormCache& cache, Mat& dx, Mat& dgamma,
                                Mat& dbeta) {
  // The forward is a regrouping, vanilla batchnorm, and the inverse
  // regrouping; the backward regroups the gradients the same way.
  Mat dcols;
  batchnorm_backward(channels_to_columns(dout, C), cache, dcols, dgamma, dbeta);
  dx = columns_to_channels(dcols, int(dout.rows()), C);
}

}  // namespace nn
