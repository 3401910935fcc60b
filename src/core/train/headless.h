// headless.h: training a session's model from a terminal, for a course
// author debugging a preset (nnplay --preset <id> --train N): a table of
// step / epoch / lr / loss / accuracy (RMSE in a regression), and an exit
// code that says whether training diverged.
#pragma once
#include <cstdint>
#include <ostream>

#include "core/io/session.h"

namespace nn {

enum HeadlessResult { kHeadlessOk = 0, kHeadlessCannotTrain = 2, kHeadlessDiverged = 3 };

// Trains `steps` steps (after the session's trained model, if it carries
// one) and writes a header, about `rows` evenly spaced table rows (always
// the first and the last step), then one summary line. Returns
// kHeadlessDiverged after printing the divergence message if a step produced
// NaN or Inf, kHeadlessCannotTrain for a kNN model or no training points.
int train_headless(const Session& s, int64_t steps, std::ostream& out, int rows = 20);

}  // namespace nn
