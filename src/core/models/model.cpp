// model.cpp: make_model, the one place that turns a ModelSpec into a trainable
// classifier (linear or network), and the Model helpers shared by both.
#include "core/models/model.h"

#include <stdexcept>
#include <string>

#include "core/limits.h"
#include "core/models/linear.h"
#include "core/models/losses.h"
#include "core/models/net.h"

namespace nn {

std::vector<ConstParamRef> Model::params_view() const {
  // params() only collects pointers; it changes nothing of the model.
  std::vector<ConstParamRef> out;
  for (const ParamRef& p : const_cast<Model*>(this)->params())
    out.push_back({p.name, p.value, p.grad, p.regularized});
  return out;
}

const Mat* Model::param(const std::string& name) const {
  Model& self = const_cast<Model&>(*this);  // params() and buffers() only collect pointers
  for (const ParamRef& p : self.params())
    if (p.name == name) return p.value;
  for (const ParamRef& p : self.buffers())
    if (p.name == name) return p.value;
  return nullptr;
}

// Throws unless `to` and `src` hold the same names with the same shapes.
static void check_same(const std::vector<ParamRef>& to, const std::vector<ParamRef>& src) {
  if (to.size() != src.size())
    throw std::runtime_error("The parameters come from a model with " + std::to_string(src.size()) +
                             " tensors; this one has " + std::to_string(to.size()) + ".");
  for (size_t i = 0; i < to.size(); ++i)
    if (to[i].name != src[i].name || to[i].value->rows() != src[i].value->rows() ||
        to[i].value->cols() != src[i].value->cols())
      throw std::runtime_error("Parameter " + src[i].name + " does not match " + to[i].name +
                               " of this model (the name or the shape differs).");
}

void Model::copy_params_from(const Model& other) {
  Model& from = const_cast<Model&>(other);  // only read through the pointers
  const std::vector<ParamRef> p = params(), bu = buffers(), fp = from.params(), fb = from.buffers();
  check_same(p, fp);
  check_same(bu, fb);
  for (size_t i = 0; i < p.size(); ++i) *p[i].value = *fp[i].value;
  for (size_t i = 0; i < bu.size(); ++i) *bu[i].value = *fb[i].value;
}

Mat probabilities(const Model& m, const Mat& X) { return softmax_probs(m.scores(X)); }

Mat point_losses(const Model& m, const Mat& X, const Labels& y) {
  return data_loss(m.scores(X), y, m.loss_spec()).per_point;
}

Mat point_losses_targets(const Model& m, const Mat& X, const Mat& T) {
  return regression_loss(m.scores(X), T, m.loss_spec()).per_point;
}

LossParts Model::forward_backward_targets(const Mat& X, const Mat& T, Rng& rng) {
  (void)X, (void)T, (void)rng;
  throw std::runtime_error("This model does not fit real-valued targets.");
}

LossParts Model::loss_targets(const Mat& X, const Mat& T) const {
  (void)X, (void)T;
  throw std::runtime_error("This model does not fit real-valued targets.");
}

std::unique_ptr<Model> make_model(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng) {
  if (input_dim < 1)
    throw std::runtime_error("The model needs at least one input feature (got " +
                             std::to_string(input_dim) + ").");
  if (num_classes < (is_regression(spec.loss.kind) ? 1 : 2) || num_classes > kMaxClasses)
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
