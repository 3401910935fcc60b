// schedule.cpp: the three common forms of learning rate decay of the course
// (step, exponential, 1/t) and no decay.
#include "core/train/schedule.h"

#include <cmath>

namespace nn {

double learning_rate(const OptimSpec& spec, double epoch) {
  switch (spec.schedule) {
    case ScheduleKind::Constant:
      return spec.lr;
    case ScheduleKind::Step:
      if (spec.step_epochs <= 0) return spec.lr;
      return spec.lr * std::pow(spec.decay, std::floor(epoch / spec.step_epochs));
    case ScheduleKind::Exponential:
      return spec.lr * std::exp(-spec.decay * epoch);
    case ScheduleKind::InvT:
      return spec.lr / (1 + spec.decay * epoch);
  }
  return spec.lr;
}

}  // namespace nn
