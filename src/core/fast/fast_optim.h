// fast_optim.h: the first-order updates of core/train/optim.h (SGD, Momentum,
// Nesterov, Adagrad, RMSProp, Adam: the same lines and constants) over one
// contiguous float arena, and gradient clipping by global norm.
//
// Double-buffered: a step reads the values x and state s from one copy and
// writes x' and s' into the other (the same memory traffic as updating in
// place), so the state before the step stays available for
// restore_last_good() without a copy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/spec.h"

namespace nn::fast {

class FastOptimizer {
 public:
  explicit FastOptimizer(const OptimSpec& spec = {}) : spec_(spec) {}
  // x (n values, read), x_new (written), dx the gradient. lr: this step's rate.
  void step(const float* x, float* x_new, const float* dx, size_t n, double lr, int threads);
  // Back to the state before the last step (once).
  void undo();
  // Forget everything: the next step behaves like the first.
  void reset(const OptimSpec& spec);
  // New constants (mu, decay_rate, beta1, beta2, eps); state kept.
  void set_spec(const OptimSpec& spec) { spec_ = spec; }
  int64_t t() const { return t_; }
  OptimKind kind() const { return spec_.kind; }
  // The state vectors for saving, by the reference's slot names ("v";
  // "cache"; "m" and "v" for Adam), each over the whole arena; empty before
  // the first step. state() points into the current copy.
  static std::vector<const char*> slot_names(OptimKind kind);
  std::vector<float>* state(int slot) { return slot == 0 ? &s1_[cur_] : &s2_[cur_]; }
  // Takes a saved state: t and the slot vectors (each sized like the arena)
  // already written through state(); no undo afterwards.
  void set_t(int64_t t) {
    t_ = t_before_ = t;
    can_undo_ = false;
  }

 private:
  OptimSpec spec_;
  // Velocity (Momentum, Nesterov), cache (Adagrad, RMSProp), m and v (Adam):
  // s1, s2; [cur] the current state, [cur ^ 1] the state before the last step.
  std::vector<float> s1_[2], s2_[2];
  int cur_ = 0;
  int64_t t_ = 0, t_before_ = 0;
  bool can_undo_ = false;
};

// Global gradient norm sqrt(sum g^2) (summed in double); if above max_norm
// (> 0), g is scaled by max_norm / norm. Returns the norm before clipping.
double clip_global_norm(float* g, size_t n, double max_norm);
// sum g^2: four-lane float partial sums over runs of 256 values, added up in double.
double sum_squares(const float* g, size_t n);
// True if every value is finite (no NaN or infinity).
bool all_finite(const float* x, size_t n);

}  // namespace nn::fast
