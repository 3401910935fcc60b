// fast_engine.cpp: the float32 engine. Not written yet: every description
// trains on the reference engine until it is.
#include "core/fast/fast_engine.h"

#include <stdexcept>

namespace nn {

bool fast_engine_supports(const ModelSpec&) { return false; }

std::unique_ptr<Engine> make_fast_engine(const ModelSpec&, const Model&) {
  throw std::runtime_error("The fast engine is not available in this build.");
}

}  // namespace nn
