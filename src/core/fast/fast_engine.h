// fast_engine.h: the float32 SIMD training engine (see core/train/engine.h).
#pragma once
#include <memory>

#include "core/models/model.h"
#include "core/spec.h"
#include "core/train/engine.h"

namespace nn {

// True when the fast engine can train this description (every model the
// reference trains with a first-order optimiser).
bool fast_engine_supports(const ModelSpec& spec);
// A fast engine whose float parameters start as `initial`'s.
std::unique_ptr<Engine> make_fast_engine(const ModelSpec& spec, const Model& initial);

}  // namespace nn
