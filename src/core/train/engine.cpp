// engine.cpp: the reference engine (the model and optimiser of the course,
// in doubles) and the choice between engines.
#include "core/train/engine.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/fast/fast_engine.h"
#include "core/models/losses.h"

namespace nn {

EngineKind engine_for(const ModelSpec& spec) {
  // Full-batch L-BFGS works on the double-precision loss function itself, so
  // it always runs on the reference engine.
  if (spec.engine == EngineKind::Fast && spec.optim.kind != OptimKind::LBFGS && fast_engine_supports(spec))
    return EngineKind::Fast;
  return EngineKind::Reference;
}

std::unique_ptr<Engine> make_engine(const ModelSpec& spec, std::unique_ptr<Model> initial) {
  if (engine_for(spec) == EngineKind::Fast) return make_fast_engine(spec, *initial);
  return std::make_unique<ReferenceEngine>(spec, std::move(initial));
}

double accuracy_of_scores(const Mat& scores, const Labels& y) {
  if (y.empty()) return std::numeric_limits<double>::quiet_NaN();
  int correct = 0;
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best;
    scores.row(i).maxCoeff(&best);
    correct += int(best) == y[size_t(i)];
  }
  return double(correct) / double(y.size());
}

static std::string shape_text(const Mat& m) {
  return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

void load_params_into(Model& m, const TrainedState& t) {
  const auto copy = [](const std::vector<ParamRef>& mine, const std::vector<NamedMat>& saved, const char* what) {
    if (mine.size() != saved.size())
      throw std::runtime_error(std::string("the saved model has ") + std::to_string(saved.size()) + " " + what +
                               ", this network has " + std::to_string(mine.size()));
    for (size_t i = 0; i < mine.size(); ++i) {
      if (mine[i].name != saved[i].name)
        throw std::runtime_error(std::string(what) + " " + std::to_string(i) + " is \"" + saved[i].name +
                                 "\", this network has \"" + mine[i].name + "\" there");
      if (mine[i].value->rows() != saved[i].value.rows() || mine[i].value->cols() != saved[i].value.cols())
        throw std::runtime_error(saved[i].name + " is " + shape_text(saved[i].value) + ", this network needs " +
                                 shape_text(*mine[i].value));
    }
    for (size_t i = 0; i < mine.size(); ++i) *mine[i].value = saved[i].value;
  };
  copy(m.params(), t.params, "parameters");
  copy(m.buffers(), t.buffers, "batchnorm statistics");
}

// ---- Reference engine ---------------------------------------------------------------

ReferenceEngine::ReferenceEngine(const ModelSpec& spec, std::unique_ptr<Model> model)
    : model_(std::move(model)) {
  reset_optimizer(spec.optim);
}

void ReferenceEngine::set_training_set(const Mat& X, const Labels& y) {
  X_ = X;
  y_ = y;
}

EngineStep ReferenceEngine::step(const int* idx, int n, double lr, double clip_norm, Rng& rng) {
  if (!optim_) throw std::runtime_error("L-BFGS takes no minibatch steps: the trainer runs it on the full batch.");
  last_good_model_ = model_->clone();
  last_good_optim_ = optim_->clone();
  X_batch_.resize(n, X_.cols());
  y_batch_.resize(size_t(n));
  for (int i = 0; i < n; ++i) {
    X_batch_.row(i) = X_.row(idx[i]);
    y_batch_[size_t(i)] = y_[size_t(idx[i])];
  }
  EngineStep out;
  if (is_regression(model_->loss_spec().kind)) {
    if (T_.rows() != X_.rows()) throw std::runtime_error("A regression step needs one target per training row.");
    T_batch_.resize(n, T_.cols());
    for (int i = 0; i < n; ++i) T_batch_.row(i) = T_.row(idx[i]);
    out.loss = model_->forward_backward_targets(X_batch_, T_batch_, rng);
  } else {
    out.loss = model_->forward_backward(X_batch_, y_batch_, rng);
  }
  std::vector<ParamRef> params = model_->params();
  out.grad_norm = clip_global_norm(params, clip_norm);
  grad_norms_.clear();
  for (const ParamRef& p : params) grad_norms_.push_back(p.grad->norm());
  optim_->step(params, lr);
  return out;
}

void Engine::keep_params(int slot) {
  std::unique_ptr<Model>& k = kept_[slot];
  if (k) k->copy_params_from(model());
  else k = model().clone();
}

void Engine::put_back_params(int slot) { set_params(*kept_[slot]); }

void ReferenceEngine::restore_last_good() {
  if (!last_good_model_) return;
  model_->copy_params_from(*last_good_model_);
  if (last_good_optim_ && optim_ && last_good_optim_->kind() == optim_spec_.kind) {
    optim_ = last_good_optim_->clone();
    optim_->set_spec(optim_spec_);
  }
}

std::string ReferenceEngine::nonfinite_param() const {
  for (const ConstParamRef& p : model_->params_view())
    if (!p.value->allFinite())
      return "parameter " + p.name + (p.value->hasNaN() ? " became NaN" : " became infinite");
  return "";
}

void ReferenceEngine::set_hyperparameters(const ModelSpec& spec) {
  model_->set_hyperparameters(spec);
  optim_spec_ = spec.optim;
  if (optim_) optim_->set_spec(spec.optim);  // keeps v, cache, m, t
}

void ReferenceEngine::reset_optimizer(const OptimSpec& optim) {
  optim_spec_ = optim;
  if (optim.kind == OptimKind::LBFGS) optim_.reset();
  else optim_ = make_optimizer(optim);
  last_good_optim_.reset();
}

Evaluation ReferenceEngine::evaluate(const Mat& X, const Labels& y) {
  Evaluation e;
  const Mat s = model_->scores(X);
  e.loss = {data_loss(s, y, model_->loss_spec()).loss, model_->reg_loss()};
  e.accuracy = accuracy_of_scores(s, y);
  return e;
}

Evaluation ReferenceEngine::evaluate_targets(const Mat& X, const Mat& T) {
  Evaluation e;
  const Mat s = model_->scores(X);
  e.loss = {regression_loss(s, T, model_->loss_spec()).loss, model_->reg_loss()};
  e.accuracy = std::numeric_limits<double>::quiet_NaN();
  e.rmse = rmse_of_scores(s, T);
  return e;
}

double rmse_of_scores(const Mat& scores, const Mat& T) {
  if (scores.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt((scores - T).squaredNorm() / double(scores.size()));
}

OptimizerState ReferenceEngine::optimizer_state() {
  if (!optim_) {  // L-BFGS: the trainer keeps its pairs, which are not saved
    OptimizerState s;
    s.kind = optim_spec_.kind;
    return s;
  }
  return optim_->state(model_->params_view());
}

bool ReferenceEngine::set_optimizer_state(const OptimizerState& state) {
  if (!optim_) {
    if (state.kind != optim_spec_.kind)
      throw std::runtime_error(std::string("the saved optimiser state is for ") + to_string(state.kind) +
                               ", not " + to_string(optim_spec_.kind));
    return true;
  }
  optim_->set_state(state, model_->params_view());
  last_good_optim_.reset();
  return true;
}

std::vector<ParamStats> ReferenceEngine::param_stats() {
  std::vector<ParamStats> out;
  if (!last_good_model_) return out;
  const std::vector<ConstParamRef> now = model_->params_view(), before = last_good_model_->params_view();
  for (size_t i = 0; i < now.size() && i < before.size(); ++i) {
    ParamStats st;
    st.name = now[i].name;
    st.param_norm = now[i].value->norm();
    st.grad_norm = i < grad_norms_.size() ? grad_norms_[i] : 0.0;
    const double before_norm = before[i].value->norm();
    const double update_norm = (*now[i].value - *before[i].value).norm();
    if (before_norm > 0) st.update_ratio = update_norm / before_norm;
    else st.update_ratio = update_norm > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    out.push_back(st);
  }
  return out;
}

}  // namespace nn
