// losses.h: the data losses of a classifier (multiclass SVM, one-vs-all hinge,
// Crammer-Singer SVM, softmax cross-entropy) and of a regression (L2, L1,
// Huber), each giving the mean loss, the per-point losses and dscores; and the regularisation penalties on W.
#pragma once
#include <cstdint>
#include <vector>

#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

// What a data loss returns for a batch of scores (N x C) and labels y (N).
struct DataLoss {
  double loss = 0;  // mean over the batch: (1/N) sum_i L_i
  Mat dscores;      // N x C, gradient of `loss` (already divided by N)
  Mat per_point;    // N x 1, L_i
};

// Multiclass SVM (Weston-Watkins):
//   L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)
DataLoss svm_loss(const Mat& scores, const Labels& y, double delta);

// One-vs-all hinge: a binary hinge per class with target t_j = +1 for the
// true class and -1 otherwise:  L_i = sum_j max(0, delta - t_j * s_j)
DataLoss one_vs_all_loss(const Mat& scores, const Labels& y, double delta);

// Structured (Crammer-Singer) SVM, only the largest wrong score counts:
//   L_i = max(0, delta + max_{j != y_i} s_j - s_{y_i})
// Ties for the largest wrong score send the subgradient to the lowest index.
DataLoss crammer_singer_loss(const Mat& scores, const Labels& y, double delta);

// Softmax cross-entropy:  L_i = -log( e^{s_y} / sum_j e^{s_j} )
// computed with the row max subtracted, so large scores cannot overflow exp.
DataLoss softmax_loss(const Mat& scores, const Labels& y);

// The loss named by spec.kind (spec.delta for the hinge losses).
DataLoss data_loss(const Mat& scores, const Labels& y, const LossSpec& spec);

// ---- Regression ---------------------------------------------------------------
// Real-valued outputs s (N x K) against targets T (N x K), residual r = s - t:
//   Squared (L2):  L_i = sum_k 0.5 r^2                 dL/ds = r
//   Absolute (L1): L_i = sum_k |r|                     dL/ds = sign(r) (0 at r = 0)
//   Huber(delta):  L_i = sum_k 0.5 r^2    if |r| <= delta    dL/ds = r
//                          delta (|r| - delta/2) else        dL/ds = delta sign(r)
// Huber is the square near the fit and the absolute value (shifted to meet
// it with the same slope) beyond delta: continuous with a continuous first
// derivative, so its only kink is in the second derivative.
// Throws std::runtime_error for a classification loss or mismatched shapes.
DataLoss regression_loss(const Mat& scores, const Mat& T, const LossSpec& spec);
double regression_point_loss(double r, LossKind kind, double delta);  // one residual
double regression_point_grad(double r, LossKind kind, double delta);  // its dL/dr
// The gradient check's kink pattern: sign(r) for L1, which side of +-delta
// for Huber (its gradient is continuous there but its curvature is not).
void append_regression_kinks(const Mat& scores, const Mat& T, const LossSpec& spec,
                             std::vector<int32_t>& pattern);

// Softmax probabilities per row (N x C), numerically stable.
Mat softmax_probs(const Mat& scores);

// Regularisation of one weight matrix (never biases, gamma or beta):
//   L2:          0.5 * lambda * sum W^2      (the 0.5 makes the gradient lambda * W)
//   L1:          lambda * sum |W|            (subgradient lambda * sign(W), 0 at W = 0)
//   ElasticNet:  lambda * (l1_ratio * sum |W| + (1 - l1_ratio) * 0.5 * sum W^2)
double reg_loss(const Mat& W, RegKind kind, double lambda, double l1_ratio);
// dW += d reg_loss / dW
void add_reg_grad(const Mat& W, RegKind kind, double lambda, double l1_ratio, Mat& dW);

// Throws std::runtime_error unless y has one label in [0, C) per row of scores.
void check_labels(const Mat& scores, const Labels& y);

// ---- Kinks, for the gradient check --------------------------------------
// Appends one entry per place where the loss is not differentiable: the sign
// of every hinge margin, and for Crammer-Singer the index of the largest wrong
// score. Two score matrices with the same pattern lie on the same linear piece
// of the loss. Softmax is smooth and appends nothing.
void append_loss_kinks(const Mat& scores, const Labels& y, const LossSpec& spec,
                       std::vector<int32_t>& pattern);
// The sign of every entry of W when the penalty has an L1 part (|w| has a
// kink at 0); nothing otherwise.
void append_reg_kinks(const Mat& W, const LossSpec& spec, std::vector<int32_t>& pattern);

}  // namespace nn
