// schedule.h: learning rate decay over training (constant, step, exponential,
// 1/t), as a function of the fractional epoch.
#pragma once
#include "core/spec.h"

namespace nn {

// The learning rate at `epoch` (fractional: 2.5 = halfway through the third):
//   Constant:    lr
//   Step:        lr * decay^floor(epoch / step_epochs)
//   Exponential: lr * exp(-decay * epoch)
//   InvT (1/t):  lr / (1 + decay * epoch)
// Step decay with step_epochs <= 0 never decays.
double learning_rate(const OptimSpec& spec, double epoch);

}  // namespace nn
