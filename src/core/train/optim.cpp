// optim.cpp: the first-order updates (SGD ... Adam), gradient clipping and
// L-BFGS. Each update is written as the lecture's numpy lines, per parameter.
#include "core/train/optim.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nn {

bool Optimizer::fit_state(const std::vector<ParamRef>& params, std::vector<Mat>& state) {
  bool same = state.size() == params.size();
  for (size_t i = 0; same && i < params.size(); ++i)
    same = state[i].rows() == params[i].value->rows() && state[i].cols() == params[i].value->cols();
  if (same) return false;
  state.clear();
  for (const ParamRef& p : params) state.push_back(Mat::Zero(p.value->rows(), p.value->cols()));
  return true;
}

OptimizerState Optimizer::state(const std::vector<ConstParamRef>& params) const {
  OptimizerState out;
  out.kind = spec_.kind;
  out.t = t_;
  // slots() only hands out pointers to this optimiser's own vectors.
  for (auto& [slot, mats] : const_cast<Optimizer*>(this)->slots()) {
    if (mats->size() != params.size()) continue;  // not stepped yet
    for (size_t i = 0; i < params.size(); ++i)
      out.slots.push_back({std::string(slot) + "." + params[i].name, (*mats)[i]});
  }
  return out;
}

void Optimizer::set_state(const OptimizerState& state, const std::vector<ConstParamRef>& params) {
  if (state.kind != spec_.kind)
    throw std::runtime_error(std::string("the saved optimiser state is for ") + to_string(state.kind) +
                             ", not " + to_string(spec_.kind));
  reset();
  if (state.t == 0 && state.slots.empty()) return;
  std::vector<std::pair<const char*, std::vector<Mat>*>> mine = slots();
  for (auto& [slot, mats] : mine) {
    mats->clear();
    for (const ConstParamRef& p : params) {
      const std::string name = std::string(slot) + "." + p.name;
      const NamedMat* found = nullptr;
      for (const NamedMat& m : state.slots)
        if (m.name == name) found = &m;
      if (!found) throw std::runtime_error("the optimiser state has no \"" + name + "\"");
      if (found->value.rows() != p.value->rows() || found->value.cols() != p.value->cols())
        throw std::runtime_error("the optimiser state \"" + name + "\" is " +
                                 std::to_string(found->value.rows()) + "x" + std::to_string(found->value.cols()) +
                                 ", its parameter is " + std::to_string(p.value->rows()) + "x" +
                                 std::to_string(p.value->cols()));
      mats->push_back(found->value);
    }
  }
  const size_t expected = mine.size() * params.size();
  if (state.slots.size() != expected)
    throw std::runtime_error("the optimiser state has " + std::to_string(state.slots.size()) +
                             " matrices, " + to_string(spec_.kind) + " keeps " + std::to_string(expected));
  t_ = state.t;
}

void SGD::step(std::vector<ParamRef>& params, double lr) {
  ++t_;
  for (ParamRef& p : params) {
    Mat& x = *p.value;
    const Mat& dx = *p.grad;
    x -= lr * dx;
  }
}

void Momentum::step(std::vector<ParamRef>& params, double lr) {
  if (fit_state(params, v)) t_ = 0;
  ++t_;
  const double mu = spec_.mu;
  for (size_t i = 0; i < params.size(); ++i) {
    Mat& x = *params[i].value;
    const Mat& dx = *params[i].grad;
    v[i] = mu * v[i] - lr * dx;
    x += v[i];
  }
}

void Nesterov::step(std::vector<ParamRef>& params, double lr) {
  if (fit_state(params, v)) t_ = 0;
  ++t_;
  const double mu = spec_.mu;
  for (size_t i = 0; i < params.size(); ++i) {
    Mat& x = *params[i].value;
    const Mat& dx = *params[i].grad;
    const Mat v_prev = v[i];
    v[i] = mu * v[i] - lr * dx;
    x += -mu * v_prev + (1 + mu) * v[i];
  }
}

void Adagrad::step(std::vector<ParamRef>& params, double lr) {
  if (fit_state(params, cache)) t_ = 0;
  ++t_;
  const double eps = spec_.eps;
  for (size_t i = 0; i < params.size(); ++i) {
    auto x = params[i].value->array();
    const auto dx = params[i].grad->array();
    cache[i].array() += dx.square();
    x -= lr * dx / (cache[i].array().sqrt() + eps);
  }
}

void RMSProp::step(std::vector<ParamRef>& params, double lr) {
  if (fit_state(params, cache)) t_ = 0;
  ++t_;
  const double decay_rate = spec_.decay_rate, eps = spec_.eps;
  for (size_t i = 0; i < params.size(); ++i) {
    auto x = params[i].value->array();
    const auto dx = params[i].grad->array();
    cache[i].array() = decay_rate * cache[i].array() + (1 - decay_rate) * dx.square();
    x -= lr * dx / (cache[i].array().sqrt() + eps);
  }
}

void Adam::step(std::vector<ParamRef>& params, double lr) {
  const bool m_new = fit_state(params, m);
  const bool v_new = fit_state(params, v);
  if (m_new || v_new) t_ = 0;
  ++t_;
  const double beta1 = spec_.beta1, beta2 = spec_.beta2, eps = spec_.eps;
  const double correction1 = 1 - std::pow(beta1, double(t_));
  const double correction2 = 1 - std::pow(beta2, double(t_));
  for (size_t i = 0; i < params.size(); ++i) {
    auto x = params[i].value->array();
    const auto dx = params[i].grad->array();
    m[i].array() = beta1 * m[i].array() + (1 - beta1) * dx;
    v[i].array() = beta2 * v[i].array() + (1 - beta2) * dx.square();
    const auto mt = m[i].array() / correction1;
    const auto vt = v[i].array() / correction2;
    x -= lr * mt / (vt.sqrt() + eps);
  }
}

std::unique_ptr<Optimizer> make_optimizer(const OptimSpec& spec) {
  switch (spec.kind) {
    case OptimKind::SGD: return std::make_unique<SGD>(spec);
    case OptimKind::Momentum: return std::make_unique<Momentum>(spec);
    case OptimKind::Nesterov: return std::make_unique<Nesterov>(spec);
    case OptimKind::Adagrad: return std::make_unique<Adagrad>(spec);
    case OptimKind::RMSProp: return std::make_unique<RMSProp>(spec);
    case OptimKind::Adam: return std::make_unique<Adam>(spec);
    case OptimKind::LBFGS: break;
  }
  throw std::runtime_error(
      "L-BFGS is not a per-step gradient update: it needs the whole loss function "
      "(use the LBFGS class, as the Trainer does).");
}

// ---- Gradient clipping -----------------------------------------------------

double clip_global_norm(std::vector<ParamRef>& params, double max_norm) {
  double sum_sq = 0;
  for (const ParamRef& p : params) sum_sq += p.grad->squaredNorm();
  const double norm = std::sqrt(sum_sq);
  if (max_norm > 0 && norm > max_norm) {
    const double scale = max_norm / norm;
    for (ParamRef& p : params) *p.grad *= scale;
  }
  return norm;
}

// ---- L-BFGS ------------------------------------------------------------------

static Eigen::Index total_size(const std::vector<ParamRef>& params) {
  Eigen::Index n = 0;
  for (const ParamRef& p : params) n += p.value->size();
  return n;
}

// All parameters' values (or gradients) end to end, in params() order.
static Eigen::VectorXd flatten(const std::vector<ParamRef>& params, Mat* ParamRef::*field) {
  Eigen::VectorXd x(total_size(params));
  Eigen::Index at = 0;
  for (const ParamRef& p : params) {
    const Mat& m = *(p.*field);
    x.segment(at, m.size()) = Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
    at += m.size();
  }
  return x;
}

Eigen::VectorXd flatten_values(const std::vector<ParamRef>& params) { return flatten(params, &ParamRef::value); }
Eigen::VectorXd flatten_grads(const std::vector<ParamRef>& params) { return flatten(params, &ParamRef::grad); }

void unflatten_values(const Eigen::VectorXd& x, std::vector<ParamRef>& params) {
  if (x.size() != total_size(params))
    throw std::runtime_error("unflatten_values: the vector has " + std::to_string(x.size()) +
                             " entries but the parameters have " +
                             std::to_string(total_size(params)) + ".");
  Eigen::Index at = 0;
  for (ParamRef& p : params) {
    Eigen::Map<Eigen::VectorXd>(p.value->data(), p.value->size()) = x.segment(at, p.value->size());
    at += p.value->size();
  }
}

void LBFGS::set_history(int m) {
  m_ = m < 1 ? 1 : m;
  while (int(s_.size()) > m_) { s_.pop_front(); y_.pop_front(); }
}

// The two-loop recursion (Nocedal & Wright, Algorithm 7.4). With no pairs
// yet, H is the identity and the direction is plain steepest descent.
Eigen::VectorXd LBFGS::two_loop(const Eigen::VectorXd& g) const {
  const int k = int(s_.size());
  std::vector<double> alpha(k), rho(k);
  Eigen::VectorXd q = g;
  for (int i = k - 1; i >= 0; --i) {  // newest to oldest
    rho[i] = 1.0 / y_[i].dot(s_[i]);
    alpha[i] = rho[i] * s_[i].dot(q);
    q -= alpha[i] * y_[i];
  }
  // Initial inverse Hessian H0 = gamma * I, scaled by the newest pair so
  // that a step of length 1 is usually about right.
  const double gamma = k > 0 ? s_[k - 1].dot(y_[k - 1]) / y_[k - 1].squaredNorm() : 1.0;
  Eigen::VectorXd r = gamma * q;
  for (int i = 0; i < k; ++i) {  // oldest to newest
    const double beta = rho[i] * y_[i].dot(r);
    r += s_[i] * (alpha[i] - beta);
  }
  return r;
}

LbfgsStep LBFGS::step(const Objective& f, Eigen::VectorXd& x) {
  LbfgsStep out;
  Eigen::VectorXd g(x.size());
  const double fx = f(x, g);
  out.evaluations = 1;
  out.loss_before = out.loss = fx;
  out.grad_norm = g.norm();
  if (!std::isfinite(fx) || !g.allFinite() || out.grad_norm < grad_tol) return out;

  Eigen::VectorXd d = -two_loop(g);
  double gd = g.dot(d);
  if (!(gd < 0)) {  // not a descent direction: the history misleads, drop it
    reset();
    d = -g;
    gd = -g.squaredNorm();
  }
  // Without history the direction -g has the gradient's length, which may be
  // huge: the first trial step then moves by at most 1.
  double t = s_.empty() ? std::min(1.0, 1.0 / out.grad_norm) : 1.0;

  Eigen::VectorXd x_new(x.size()), g_new(x.size());
  for (int tries = 0; tries <= max_backtracks; ++tries, t *= shrink) {
    x_new = x + t * d;
    const double f_new = f(x_new, g_new);
    ++out.evaluations;
    if (f_new <= fx + c1 * t * gd) {  // Armijo (false for NaN)
      const Eigen::VectorXd s = x_new - x, y = g_new - g;
      // Keep the pair only with positive curvature y.s > 0, so that H stays
      // positive definite (Armijo alone does not guarantee it).
      if (y.dot(s) > 1e-12 * s.norm() * y.norm()) {
        s_.push_back(s);
        y_.push_back(y);
        if (int(s_.size()) > m_) { s_.pop_front(); y_.pop_front(); }
      }
      x = x_new;
      out.loss = f_new;
      out.t = t;
      out.moved = true;
      return out;
    }
  }
  reset();  // no decrease found along d: start afresh next time
  return out;
}

}  // namespace nn
