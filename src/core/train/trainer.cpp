// trainer.cpp: the training loop of the playground, one step at a time:
// minibatch -> forward_backward -> clip -> optimiser update -> divergence
// check -> statistics. Read from Trainer::step() downwards.
#include "core/train/trainer.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/models/linear.h"
#include "core/models/net.h"
#include "core/train/schedule.h"

namespace nn {

// ---- Helpers -------------------------------------------------------------

// Throws unless every label is one of the data set's classes.
static void check_dataset(const Dataset& data) {
  if (data.num_classes < 2 || data.num_classes > kMaxClasses)
    throw std::runtime_error("The data set must have between 2 and " + std::to_string(kMaxClasses) +
                             " classes (it has " + std::to_string(data.num_classes) + ").");
  for (size_t i = 0; i < data.points.size(); ++i) {
    const int label = data.points[i].label;
    if (label < 0 || label >= data.num_classes)
      throw std::runtime_error("Point " + std::to_string(i) + " has label " + std::to_string(label) +
                               " but the data set has only " + std::to_string(data.num_classes) +
                               " classes (labels 0 to " + std::to_string(data.num_classes - 1) + ").");
  }
}

// True if a model built from b has exactly the parameters of one built from
// a, so training can go on with b's hyperparameters. Init and seed count as
// structure: changing them asks for a new initialisation.
static bool same_shapes(const ModelSpec& a, const ModelSpec& b) {
  if (a.kind != b.kind || a.use_bias != b.use_bias || !(a.preprocess == b.preprocess) ||
      !(a.init == b.init) || a.seed != b.seed)
    return false;
  if (a.kind != ModelKind::Net) return true;
  if (a.hidden.size() != b.hidden.size()) return false;
  for (size_t l = 0; l < a.hidden.size(); ++l) {
    const HiddenLayerSpec &h = a.hidden[l], &g = b.hidden[l];
    if (h.width != g.width || h.act != g.act || h.batchnorm != g.batchnorm) return false;
    if (h.act == Activation::Maxout && h.maxout_k != g.maxout_k) return false;
  }
  return true;
}

// Hands the hyperparameters that live inside a model (loss kind, delta, reg,
// lambda; per layer dropout p and the leaky/ELU alpha) to an existing model.
// Model has no setter for them, so we reach the two concrete classes.
static void apply_hyperparameters(Model& model, const ModelSpec& spec) {
  if (auto* linear = dynamic_cast<LinearClassifier*>(&model)) {
    linear->loss_spec = spec.loss;
  } else if (auto* net = dynamic_cast<Net*>(&model)) {
    net->loss_spec = spec.loss;
    for (size_t l = 0; l < net->layers.size() && l < spec.hidden.size(); ++l)
      net->layers[l].spec = spec.hidden[l];  // same shapes (same_shapes), new dropout p / alpha
  }
}

// Fraction of rows whose highest score is the label (test mode); NaN if none.
static double accuracy_of(Model& model, const Mat& X, const Labels& y) {
  if (y.empty()) return kNaN;
  const Mat scores = model.scores(X);  // N x C
  int correct = 0;
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    Eigen::Index best;
    scores.row(i).maxCoeff(&best);
    correct += int(best) == y[size_t(i)];
  }
  return double(correct) / double(y.size());
}

static int argmax_row(const Mat& scores) {
  Eigen::Index best = 0;
  scores.row(0).maxCoeff(&best);
  return int(best);
}

// ---- Set-up ----------------------------------------------------------------

Trainer::Trainer(const Dataset& data, const ModelSpec& spec) : data_(data), spec_(spec) {
  if (spec.kind == ModelKind::KNN)
    throw std::runtime_error(
        "kNN is not trained step by step: it just remembers the training points, so it has no Trainer.");
  check_dataset(data);
  reset();
}

// Splits the points into training and validation sets and fits the
// preprocessing on the training points only (validation must stay unseen).
void Trainer::fit_preprocessing() {
  std::vector<Point> train, val;
  for (const Point& p : data_.points) (p.validation ? val : train).push_back(p);
  pre_.fit(spec_.preprocess, points_to_matrix(train));
  X_train_ = pre_.transform(points_to_matrix(train));
  X_val_ = pre_.transform(points_to_matrix(val));
  y_train_ = points_labels(train);
  y_val_ = points_labels(val);
}

void Trainer::new_optimiser() {
  lbfgs_ = LBFGS(spec_.optim.lbfgs_m);
  if (spec_.optim.kind == OptimKind::LBFGS) optim_.reset();
  else optim_ = make_optimizer(spec_.optim);
}

void Trainer::reset() {
  fit_preprocessing();
  // The one random stream of the run: initialisation first, then the epoch
  // shuffles and dropout masks. A local until make_model succeeds, so a spec
  // it refuses changes nothing else.
  Rng rng(spec_.seed);
  model_ = make_model(spec_, pre_.output_dim(), data_.num_classes, rng);
  rng_ = rng;
  new_optimiser();
  last_good_model_.reset();
  last_good_optim_.reset();
  order_.clear();
  cursor_ = 0;
  epochs_done_ = 0;
  step_ = 0;
  last_ = {};
  history_.clear();
  param_stats_.clear();
  divergence_ = {};
}

bool Trainer::set_spec(const ModelSpec& spec) {
  if (spec.kind == ModelKind::KNN)
    throw std::runtime_error(
        "kNN is not trained step by step: it just remembers the training points, so it has no Trainer.");
  if (!same_shapes(spec_, spec)) {
    const ModelSpec old = spec_;
    spec_ = spec;
    try {
      reset();
    } catch (...) {
      spec_ = old;  // the model refused the spec: keep the run as it was
      fit_preprocessing();
      throw;
    }
    return true;
  }
  const bool new_kind = spec.optim.kind != spec_.optim.kind;
  spec_ = spec;
  apply_hyperparameters(*model_, spec_);
  if (new_kind) {
    new_optimiser();  // fresh state (caches, velocity, t, L-BFGS pairs), same parameters
    last_good_optim_.reset();
  } else {
    if (optim_) optim_->set_spec(spec_.optim);  // keeps v, cache, m, t
    lbfgs_.set_history(spec_.optim.lbfgs_m);
  }
  return false;
}

bool Trainer::set_data(const Dataset& data) {
  check_dataset(data);
  data_ = data;
  fit_preprocessing();
  order_.clear();  // start a new epoch over the new points
  cursor_ = 0;
  if (pre_.output_dim() != model_->input_dim() || data_.num_classes != model_->num_classes()) {
    reset();
    return true;
  }
  return false;
}

// ---- One step ----------------------------------------------------------------

StepStats Trainer::step() {
  if (divergence_.diverged)
    throw std::runtime_error(divergence_.message + " Reset, or clear the warning, to train again.");
  if (y_train_.empty())
    throw std::runtime_error("There are no training points: add points (not marked validation) to train.");

  // Keep the state before the step, to undo it if it diverges.
  last_good_model_ = model_->clone();
  last_good_optim_ = optim_ ? optim_->clone() : nullptr;
  const size_t cursor_before = cursor_;
  const int64_t epochs_before = epochs_done_;

  StepStats s;
  s.step = step_ + 1;
  const std::vector<double> grad_norms =
      spec_.optim.kind == OptimKind::LBFGS ? lbfgs_update(s) : minibatch_update(s);
  s.epoch = epoch();

  const std::string what = what_diverged(s);
  if (!what.empty()) {
    restore_last_good();
    cursor_ = cursor_before;
    epochs_done_ = epochs_before;
    std::ostringstream msg;
    msg << "Training diverged at step " << s.step << ": " << what << ". ";
    if (spec_.optim.kind == OptimKind::LBFGS) msg << "The loss overflowed; ";
    else msg << "The learning rate (" << s.lr << ") is probably too high; ";
    msg << "parameters were restored to step " << step_ << ".";
    divergence_ = {true, s.step, msg.str()};
    return s;
  }

  step_ = s.step;
  record_param_stats(grad_norms);
  if (step_ == 1 || step_ % eval_every() == 0) evaluate(s);
  last_ = s;
  if (history_.size() >= kMaxHistory)
    history_.erase(history_.begin(), history_.begin() + kMaxHistory / 2);
  history_.push_back(s);
  return s;
}

// SGD and friends: the next minibatch of this epoch's shuffle, its loss and
// gradient in training mode, clipping, then the optimiser's update.
std::vector<double> Trainer::minibatch_update(StepStats& s) {
  const size_t N = y_train_.size();
  const int batch_size = spec_.optim.batch_size;
  const size_t B = (batch_size <= 0 || size_t(batch_size) >= N) ? N : size_t(batch_size);
  s.lr = learning_rate(spec_.optim, epoch());

  Mat X_batch;  // B x D
  Labels y_batch;
  if (B == N) {  // full batch: one step is one epoch, no shuffle needed
    X_batch = X_train_;
    y_batch = y_train_;
    ++epochs_done_;
  } else {
    if (cursor_ == 0 || order_.size() != N) {  // a new epoch: fresh shuffle (Fisher-Yates)
      order_.resize(N);
      for (size_t i = 0; i < N; ++i) order_[i] = int(i);
      for (size_t i = N - 1; i > 0; --i) std::swap(order_[i], order_[size_t(rng_.randint(int(i) + 1))]);
      cursor_ = 0;
    }
    const size_t n = std::min(B, N - cursor_);  // the last batch of an epoch may be smaller
    X_batch.resize(Eigen::Index(n), X_train_.cols());
    y_batch.resize(n);
    for (size_t i = 0; i < n; ++i) {
      X_batch.row(Eigen::Index(i)) = X_train_.row(order_[cursor_ + i]);
      y_batch[i] = y_train_[size_t(order_[cursor_ + i])];
    }
    cursor_ += n;
    if (cursor_ == N) {
      ++epochs_done_;
      cursor_ = 0;
    }
  }

  const LossParts parts = model_->forward_backward(X_batch, y_batch, rng_);
  s.data_loss = parts.data_loss;
  s.reg_loss = parts.reg_loss;
  std::vector<ParamRef> params = model_->params();
  s.grad_norm = clip_global_norm(params, spec_.optim.clip_norm);
  std::vector<double> grad_norms;
  for (const ParamRef& p : params) grad_norms.push_back(p.grad->norm());
  optim_->step(params, s.lr);
  return grad_norms;
}

// One L-BFGS iteration over the FULL training set: its line search compares
// losses at several points and its (s, y) pairs measure curvature, which only
// make sense for one fixed function, not a different minibatch each time.
// No learning rate and no clipping: the line search chooses the step length.
std::vector<double> Trainer::lbfgs_update(StepStats& s) {
  std::vector<ParamRef> params = model_->params();
  Eigen::VectorXd x = flatten_values(params);
  // Dropout masks are drawn from a copy of one fresh stream at every
  // evaluation, so all evaluations of this iteration see the same masks and
  // the objective is deterministic. (Batchnorm running averages are updated
  // at every evaluation; they only matter in test mode.)
  const Rng masks(rng_.next_u64());
  LossParts at_start;
  Eigen::VectorXd grad_at_start;
  int calls = 0;
  const LBFGS::Objective f = [&](const Eigen::VectorXd& x_try, Eigen::VectorXd& grad) {
    unflatten_values(x_try, params);
    Rng rng = masks;
    const LossParts parts = model_->forward_backward(X_train_, y_train_, rng);
    grad = flatten_grads(params);
    if (calls++ == 0) {
      at_start = parts;
      grad_at_start = grad;
    }
    return parts.total();
  };
  lbfgs_.set_history(spec_.optim.lbfgs_m);
  const LbfgsStep result = lbfgs_.step(f, x);
  unflatten_values(x, params);  // the last evaluation may have been a rejected trial point
  ++epochs_done_;

  s.lr = result.t;
  s.data_loss = at_start.data_loss;
  s.reg_loss = at_start.reg_loss;
  s.grad_norm = result.grad_norm;
  std::vector<double> grad_norms;
  Eigen::Index at = 0;
  for (const ParamRef& p : params) {
    grad_norms.push_back(grad_at_start.segment(at, p.value->size()).norm());
    at += p.value->size();
  }
  return grad_norms;
}

// ---- Divergence --------------------------------------------------------------

// Empty if the step left a finite loss and finite parameters, else what broke.
std::string Trainer::what_diverged(const StepStats& s) {
  const double loss = s.data_loss + s.reg_loss;
  if (std::isnan(loss)) return "the loss became NaN";
  if (std::isinf(loss)) return "the loss became infinite";
  for (const ParamRef& p : model_->params())
    if (!p.value->allFinite())
      return "parameter " + p.name + (p.value->hasNaN() ? " became NaN" : " became infinite");
  return "";
}

void Trainer::restore_last_good() {
  if (!last_good_model_) return;
  model_ = last_good_model_->clone();
  apply_hyperparameters(*model_, spec_);  // the spec may have changed since
  if (last_good_optim_ && last_good_optim_->kind() == spec_.optim.kind) {
    optim_ = last_good_optim_->clone();
    optim_->set_spec(spec_.optim);
  } else {
    new_optimiser();
  }
  lbfgs_.reset();
}

// ---- Statistics --------------------------------------------------------------

void Trainer::record_param_stats(const std::vector<double>& grad_norms) {
  std::vector<ParamRef> now = model_->params(), before = last_good_model_->params();
  param_stats_.clear();
  for (size_t i = 0; i < now.size(); ++i) {
    ParamStats st;
    st.name = now[i].name;
    st.param_norm = now[i].value->norm();
    st.grad_norm = grad_norms[i];
    const double before_norm = before[i].value->norm();
    const double update_norm = (*now[i].value - *before[i].value).norm();
    if (before_norm > 0) st.update_ratio = update_norm / before_norm;
    else st.update_ratio = update_norm > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    param_stats_.push_back(st);
  }
}

// Test mode over the whole training and validation sets.
void Trainer::evaluate(StepStats& s) {
  s.evaluated = true;
  const LossParts train = model_->loss(X_train_, y_train_);
  s.train_data_loss = train.data_loss;
  s.train_reg_loss = train.reg_loss;
  s.train_acc = accuracy_of(*model_, X_train_, y_train_);
  if (!y_val_.empty()) {
    s.val_data_loss = model_->loss(X_val_, y_val_).data_loss;
    s.val_acc = accuracy_of(*model_, X_val_, y_val_);
  }
}

int Trainer::eval_every() const {
  if (eval_every_ > 0) return eval_every_;
  return y_train_.size() <= 1000 ? 1 : 10;
}

std::vector<StepStats> Trainer::history_since(int64_t after_step) const {
  auto first = std::upper_bound(history_.begin(), history_.end(), after_step,
                                [](int64_t step, const StepStats& s) { return step < s.step; });
  return std::vector<StepStats>(first, history_.end());
}

std::vector<LayerStats> Trainer::inspect() {
  if (y_train_.empty()) return {};
  return model_->inspect(X_train_);
}

// ---- Predictions ---------------------------------------------------------------

Mat Trainer::predict_scores(const Mat& X_raw) { return model_->scores(pre_.transform(X_raw)); }

int Trainer::predict(double x, double y) {
  Mat X(1, 2);
  X << x, y;
  return argmax_row(predict_scores(X));
}

double Trainer::accuracy(bool validation) {
  return validation ? accuracy_of(*model_, X_val_, y_val_) : accuracy_of(*model_, X_train_, y_train_);
}

Snapshot Trainer::snapshot() const {
  Snapshot snap;
  snap.model = model_->clone();
  snap.preprocessor = pre_;
  snap.spec = spec_;
  snap.last = last_;
  snap.step = step_;
  snap.epoch = epoch();
  snap.divergence = divergence_;
  return snap;
}

Mat Snapshot::predict_scores(const Mat& X_raw) { return model->scores(preprocessor.transform(X_raw)); }

int Snapshot::predict(double x, double y) {
  Mat X(1, 2);
  X << x, y;
  return argmax_row(predict_scores(X));
}

}  // namespace nn
