// fast_engine.h: the float32 SIMD training engine (see core/train/engine.h).
// The network is a list of fast::Layer (fast_layers.h) over one minibatch
// workspace; parameters live in one contiguous float arena; the losses,
// regularisation and optimisers are the reference's formulas in float.
#pragma once
#include <memory>
#include <string>

#include "core/models/model.h"
#include "core/spec.h"
#include "core/train/engine.h"

namespace nn {

// Why the fast engine cannot train this description ("" when it can): the
// sentence the UI shows next to the engine choice, e.g. "full-batch L-BFGS
// works on the double-precision loss function".
std::string fast_engine_unsupported(const ModelSpec& spec);
// True when the fast engine can train this description (every model the
// reference trains with a first-order optimiser).
bool fast_engine_supports(const ModelSpec& spec);

struct FastEngineOptions {
  // Threads for the large products and updates: 0 = every thread of the pool
  // (parallel.h), 1 = the calling thread only. Small work stays on one thread
  // whatever this says (see gemm.h's kGemmParallelMacs).
  int threads = 0;
  // Small fully connected networks train through the fused pass of
  // tiny_net.h (false: always the layer-by-layer path; the tests compare the two).
  bool fused_small = true;
};

// A fast engine whose float parameters start as `initial`'s.
std::unique_ptr<Engine> make_fast_engine(const ModelSpec& spec, const Model& initial,
                                         const FastEngineOptions& options = {});

}  // namespace nn
