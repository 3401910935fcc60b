// fast_loss.h: the data losses and the regularisation of the float32 engine,
// the same formulas as core/models/losses.h (the oracle of their tests).
// Scores and dscores are float; each loss value is summed in double.
#pragma once
#include "core/spec.h"

namespace nn::fast {

// scores (N, C), labels y (N) -> the SUM of the per-row losses L_i (callers
// add up chunks and divide by the total N). dscores (N, C), if not null,
// receives the gradient of the mean loss over norm_N rows. correct (if not
// null) counts rows whose highest score (lowest index on ties) is the label.
double data_loss_sum(const float* scores, const int* y, int N, int C, const LossSpec& spec, float* dscores,
                     int norm_N, int* correct = nullptr);

// Regression losses (spec.kind Squared, Absolute or Huber, see losses.h):
// outputs scores (N, K) against targets T (N, K) -> the SUM of the per-row
// losses; dscores as above; sq_err (if not null) receives sum (s - t)^2.
double regression_loss_sum(const float* scores, const float* T, int N, int K, const LossSpec& spec, float* dscores,
                           int norm_N, double* sq_err = nullptr);

// Penalty of one weight block of n values (L2: 0.5 lambda sum w^2; L1:
// lambda sum |w|; elastic net: lambda (r sum|w| + (1 - r) 0.5 sum w^2)).
double reg_loss(const float* W, long n, const LossSpec& spec);
// dW += d reg / dW (sign(0) = 0 for the L1 part).
void add_reg_grad(const float* W, long n, const LossSpec& spec, float* dW);
// Both in one pass over W: returns reg_loss(W, n, spec) and does
// add_reg_grad(W, n, spec, dW), with the same arithmetic bit for bit (one
// call and one loop per block instead of two, for the tiny networks' step).
double reg_loss_and_grad(const float* W, long n, const LossSpec& spec, float* dW);

}  // namespace nn::fast
