// model.cpp: make_model, the one place that turns a ModelSpec into a trainable
// classifier (linear or network).
#include "core/models/model.h"

#include <stdexcept>
#include <string>

#include "core/data/dataset.h"
#include "core/models/linear.h"
#include "core/models/net.h"

namespace nn {

std::unique_ptr<Model> make_model(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng) {
  if (input_dim < 1)
    throw std::runtime_error("The model needs at least one input feature (got " +
                             std::to_string(input_dim) + ").");
  if (num_classes < 2 || num_classes > kMaxClasses)
    throw std::runtime_error("The number of classes must be between 2 and " +
                             std::to_string(kMaxClasses) + " (got " +
                             std::to_string(num_classes) + ").");
  switch (spec.kind) {
    case ModelKind::Linear:
      return std::make_unique<LinearClassifier>(input_dim, num_classes, spec.loss, spec.use_bias,
                                                spec.init, rng);
    case ModelKind::Net:
      return std::make_unique<Net>(spec, input_dim, num_classes, rng);
    case ModelKind::KNN:
      break;
  }
  throw std::runtime_error("kNN has no trainable parameters");
}

}  // namespace nn
