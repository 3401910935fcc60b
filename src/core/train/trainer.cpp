// trainer.cpp: the training loop of the playground, one step at a time:
// minibatch -> forward_backward -> clip -> optimiser update -> divergence
// check -> statistics. Read from Trainer::step() downwards.
#include "core/train/trainer.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/fast/simd.h"
#include "core/limits.h"
#include "core/models/net.h"
#include "core/train/schedule.h"

namespace nn {

// ---- Helpers -------------------------------------------------------------

// Throws unless every label is one of the data set's classes.
static void check_dataset(const Dataset& data) {
  if (is_regression(data.problem)) {
    for (size_t i = 0; i < data.points.size(); ++i)
      if (!std::isfinite(target_of(data.problem, data.points[i])))
        throw std::runtime_error("Point " + std::to_string(i) + " has no finite target value.");
    return;
  }
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
// Throws unless the rows are usable: D > 0, as many labels as rows, labels
// below the number of classes, the 2D preprocessing off.
static void check_examples(const Examples& e, const ModelSpec& spec) {
  if (e.num_classes < 2 || e.num_classes > kMaxClasses)
    throw std::runtime_error("The data set must have between 2 and " + std::to_string(kMaxClasses) +
                             " classes (it has " + std::to_string(e.num_classes) + ").");
  if (e.X_train.cols() < 1) throw std::runtime_error("The examples have no features (D = 0).");
  if (e.X_val.rows() > 0 && e.X_val.cols() != e.X_train.cols())
    throw std::runtime_error("Validation rows have " + std::to_string(e.X_val.cols()) + " values, training rows " +
                             std::to_string(e.X_train.cols()) + ".");
  if (size_t(e.X_train.rows()) != e.y_train.size() || size_t(e.X_val.rows()) != e.y_val.size())
    throw std::runtime_error("Each example needs exactly one label.");
  for (const Labels* y : {&e.y_train, &e.y_val})
    for (size_t i = 0; i < y->size(); ++i)
      if ((*y)[i] < 0 || (*y)[i] >= e.num_classes)
        throw std::runtime_error("Example " + std::to_string(i) + " has label " + std::to_string((*y)[i]) +
                                 " but the data set has only " + std::to_string(e.num_classes) + " classes.");
  const InputShape& a = spec.input;
  const InputShape& b = e.shape;
  if (a.is_image() && b.is_image() && a != b)
    throw std::runtime_error("The model expects " + std::to_string(a.width) + "x" + std::to_string(a.height) + "x" +
                             std::to_string(a.depth) + " images but the data are " + std::to_string(b.width) + "x" +
                             std::to_string(b.height) + "x" + std::to_string(b.depth) + ".");
  const PreprocessSpec& p = spec.preprocess;
  if (p.kind != PreprocessKind::None || p.square || p.cross || p.sines)
    throw std::runtime_error(
        "Rows of images are preprocessed by preprocess.image (mean image, global or per-pixel "
        "normalisation); the 2D preprocessing (kind, feature expansion) must be off.");
}

// Regression points need a regression loss and class labels a classification one.
static void check_problem(const Dataset& data, const ModelSpec& spec) {
  if (is_regression(data.problem) && !is_regression(spec.loss.kind))
    throw std::runtime_error(std::string("The points have real targets (") + enum_label(data.problem) +
                             "): choose a regression loss (L2, L1 or Huber), not " + enum_label(spec.loss.kind) + ".");
  if (!is_regression(data.problem) && is_regression(spec.loss.kind))
    throw std::runtime_error(std::string("The ") + enum_label(spec.loss.kind) +
                             " loss needs real targets: switch the problem to regression, or pick a classification loss.");
}

static bool same_shapes(const ModelSpec& a, const ModelSpec& b) {
  return same_architecture(a, b) && a.preprocess == b.preprocess && a.init == b.init && a.seed == b.seed;
}

static int argmax_row(const Mat& scores) {
  Eigen::Index best = 0;
  scores.row(0).maxCoeff(&best);
  return int(best);
}

// ---- Memory ----------------------------------------------------------------

double training_step_bytes(const ModelSpec& spec, int input_dim, int classes, size_t rows) {
  double values = double(input_dim) + classes;  // the input rows and the scores
  if (spec.kind == ModelKind::Net) {
    const NetLayout layout = net_layout(spec, input_dim);
    for (size_t l = 1; l < layout.volumes.size(); ++l) values += double(layout.volumes[l].count());
  }
  // Per value: the forward value, its gradient, a layer's pre-activation
  // cache and one more buffer (batchnorm, dropout mask, the GEMM's operand).
  const double bytes = spec.engine == EngineKind::Fast ? 4.0 : 8.0;
  return double(rows) * values * bytes * 4.0;
}

static void check_step_memory(const ModelSpec& spec, int input_dim, int classes, size_t rows) {
  const double need = training_step_bytes(spec, input_dim, classes, rows);
  const double mb = 1024.0 * 1024.0;
  if (need <= kMaxStepMemoryMB * mb) return;
  std::ostringstream msg;
  msg << "Out of memory: one training step of this model on " << rows << " rows would hold about "
      << std::lround(need / mb) << " MB, more than the " << kMaxStepMemoryMB
      << " MB a step may use (the page may use at most " << kMaxWasmMemoryMB
      << " MB in all). Use minibatches (a smaller batch size), fewer points or a smaller network.";
  throw std::runtime_error(msg.str());
}

// ---- Set-up ----------------------------------------------------------------

Trainer::Trainer(const Dataset& data, const ModelSpec& spec) : data_(data), spec_(spec) {
  if (spec.kind == ModelKind::KNN)
    throw std::runtime_error(
        "kNN is not trained step by step: it just remembers the training points, so it has no Trainer.");
  check_dataset(data);
  check_problem(data, spec);
  reset();
}

Trainer::Trainer(const Examples& rows, const ModelSpec& spec)
    : Trainer(std::make_shared<const Examples>(rows), spec) {}

Trainer::Trainer(std::shared_ptr<const Examples> rows, const ModelSpec& spec)
    : spec_(spec), rows_mode_(true), rows_(std::move(rows)) {
  if (!rows_) throw std::runtime_error("No rows to train on.");
  if (spec.kind == ModelKind::KNN)
    throw std::runtime_error(
        "kNN is not trained step by step: it just remembers the training points, so it has no Trainer.");
  check_examples(*rows_, spec);
  reset();
}

// Splits the points into training and validation sets and fits the
// preprocessing on the training points only (validation must stay unseen).
void Trainer::fit_preprocessing() {
  step_memory_rows_ = 0;  // the rows, the features or the spec change: check the step's memory again
  if (rows_mode_) {
    // Statistics of the training rows only, as for points.
    ipre_.fit(spec_.preprocess.image, rows_->X_train);
    X_train_ = ipre_.transform(rows_->X_train);
    X_val_ = rows_->X_val.rows() > 0 ? ipre_.transform(rows_->X_val) : Mat(0, rows_->X_train.cols());
    y_train_ = rows_->y_train;
    y_val_ = rows_->y_val;
    return;
  }
  std::vector<Point> train, val;
  for (const Point& p : data_.points) (p.validation ? val : train).push_back(p);
  pre_.fit(spec_.preprocess, points_inputs(train, data_.problem));
  X_train_ = pre_.transform(points_inputs(train, data_.problem));
  X_val_ = pre_.transform(points_inputs(val, data_.problem));
  if (is_regression(data_.problem)) {
    // Labels are placeholders (one per row, so counts read from them stay
    // right); the targets are what the loss sees.
    y_train_.assign(train.size(), 0);
    y_val_.assign(val.size(), 0);
    T_train_ = points_targets(train, data_.problem);
    T_val_ = points_targets(val, data_.problem);
  } else {
    y_train_ = points_labels(train);
    y_val_ = points_labels(val);
    T_train_.resize(0, 1);
    T_val_.resize(0, 1);
  }
}

bool Trainer::regression() const { return !rows_mode_ && is_regression(data_.problem); }

Mat Trainer::inputs_of(const Mat& X_raw) const {
  if (rows_mode_) return ipre_.transform(X_raw);
  if (data_.problem != ProblemKind::Regression1D || X_raw.cols() != 2) return pre_.transform(X_raw);
  Mat X = X_raw;
  X.col(1).setZero();
  return pre_.transform(X);
}

void Trainer::new_engine(std::unique_ptr<Model> initial) {
  engine_ = make_engine(spec_, std::move(initial));
  engine_->set_training_set(X_train_, y_train_);
  engine_->set_training_targets(T_train_);
  finite_loss_.slot = -1;  // the checkpoints' slots belonged to the old engine
  lbfgs_ = LBFGS(spec_.optim.lbfgs_m);
  last_good_lbfgs_ = lbfgs_;
}

void Trainer::reset() {
  fit_preprocessing();
  // Two random streams: initialisation then dropout masks in rng_, the
  // epoch shuffles in order_rng_ (so how many numbers the initialisation
  // draws cannot change the minibatch order). A local until make_model
  // succeeds, so a spec it refuses changes nothing else.
  Rng rng(spec_.seed);
  new_engine(make_model(spec_, input_dim(), num_classes(), rng));
  rng_ = rng;
  order_rng_ = Rng(order_seed(spec_.seed));
  last_batch_.clear();
  order_.clear();
  cursor_ = 0;
  epochs_done_ = 0;
  step_ = 0;
  last_ = {};
  clear_history();
  param_stats_.clear();
  param_stats_step_ = -1;
  divergence_ = {};
  before_step_ = {};
  finite_loss_ = {};
}

bool Trainer::set_spec(const ModelSpec& spec) {
  if (spec.kind == ModelKind::KNN)
    throw std::runtime_error(
        "kNN is not trained step by step: it just remembers the training points, so it has no Trainer.");
  if (rows_mode_) check_examples(*rows_, spec);
  else check_problem(data_, spec);
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
  step_memory_rows_ = 0;
  // Another engine (the user switched, or L-BFGS needs the reference): the
  // parameters move over and the optimiser starts fresh there.
  if (engine_for(spec_) != engine_->kind()) {
    std::unique_ptr<Model> params = engine_->model().clone();
    params->set_hyperparameters(spec_);
    new_engine(std::move(params));
    return false;
  }
  engine_->set_hyperparameters(spec_);
  if (new_kind) {
    engine_->reset_optimizer(spec_.optim);  // fresh state (caches, velocity, t), same parameters
    lbfgs_ = LBFGS(spec_.optim.lbfgs_m);
  } else {
    lbfgs_.set_history(spec_.optim.lbfgs_m);  // the others keep v, cache, m, t
  }
  return false;
}

bool Trainer::set_data(const Dataset& data) {
  if (rows_mode_) throw std::runtime_error("This trainer trains on rows: use set_examples.");
  check_dataset(data);
  check_problem(data, spec_);
  data_ = data;
  fit_preprocessing();
  order_.clear();  // start a new epoch over the new points
  cursor_ = 0;
  const Model& m = engine_->model();
  if (pre_.output_dim() != m.input_dim() || num_classes() != m.num_classes()) {
    reset();
    return true;
  }
  engine_->set_training_set(X_train_, y_train_);
  engine_->set_training_targets(T_train_);
  return false;
}

TrainedState Trainer::trained_state() {
  TrainedState t;
  const Model& m = engine_->model();
  Model& view = const_cast<Model&>(m);  // params()/buffers() only collect pointers
  for (const ParamRef& p : view.params()) t.params.push_back({p.name, *p.value});
  for (const ParamRef& p : view.buffers()) t.buffers.push_back({p.name, *p.value});
  t.step = step_;
  t.epoch = epoch();
  t.optimizer = engine_->optimizer_state();
  t.optimizer.kind = spec_.optim.kind;
  return t;
}

void Trainer::load_trained(const TrainedState& t) {
  std::unique_ptr<Model> m = engine_->model().clone();
  load_params_into(*m, t);  // throws before anything changes
  std::unique_ptr<Model> before = engine_->model().clone();
  engine_->set_params(*m);
  try {
    if (!engine_->set_optimizer_state(t.optimizer)) engine_->reset_optimizer(spec_.optim);
  } catch (...) {
    engine_->set_params(*before);
    throw;
  }
  lbfgs_ = LBFGS(spec_.optim.lbfgs_m);
  last_good_lbfgs_ = lbfgs_;
  last_good_model_.reset();
  step_ = t.step;
  epochs_done_ = int64_t(std::floor(std::max(0.0, t.epoch)));
  cursor_ = 0;
  order_.clear();
  clear_history();
  param_stats_.clear();
  param_stats_step_ = -1;
  divergence_ = {};
  before_step_ = {};
  finite_loss_ = {};  // the loaded parameters' loss has not been measured yet
  last_ = {};
  last_.step = step_;
  last_.epoch = epoch();
  if (!y_train_.empty()) evaluate(last_);
}

// ---- One step ----------------------------------------------------------------

StepStats Trainer::step() {
  if (divergence_.diverged)
    throw std::runtime_error(divergence_.message + " Reset, or clear the warning, to train again.");
  if (y_train_.empty())
    throw std::runtime_error("There are no training points: add points (not marked validation) to train.");

  {
    const size_t N = y_train_.size();
    const int bs = spec_.optim.batch_size;
    const bool full = spec_.optim.kind == OptimKind::LBFGS || bs <= 0 || size_t(bs) >= N;
    const size_t rows = full ? N : size_t(bs);
    if (rows != step_memory_rows_) check_step_rows(rows);
  }
  before_step_ = checkpoint();

  StepStats s;
  s.step = step_ + 1;
  if (spec_.optim.kind == OptimKind::LBFGS) lbfgs_update(s);
  else minibatch_update(s);
  s.epoch = epoch();

  // A finite loss and finite parameters, else the divergence branch. Every
  // return returns s itself, so s is built in the caller's StepStats (no copy
  // on return).
  if (!std::isfinite(s.data_loss + s.reg_loss) || !engine_->params_finite()) {
    diverged_step(s);
    return s;
  }
  finite_loss_ = before_step_;
  before_step_ = {};

  step_ = s.step;
  if (step_ == 1 || step_ % eval_every() == 0) evaluate(s);
  // The history's last entry is last() (no copy into last_).
  static_assert((kMaxHistory & (kMaxHistory - 1)) == 0, "kMaxHistory: a power of two");
  const size_t slot = history_slot(history_count_);  // the oldest entry's when full
  if (slot == history_.size()) history_.emplace_back();  // growing (only before the ring is full)
  simd::copy_object(&history_[slot], &s);  // 7 vector moves (simd.h: not a memory.copy)
  if (history_count_ < kMaxHistory) ++history_count_;
  else history_start_ = (history_start_ + 1) & (kMaxHistory - 1);
  return s;
}

// Throws unless a step of `rows` rows fits in memory; remembers a pass.
[[gnu::noinline]] void Trainer::check_step_rows(size_t rows) {
  check_step_memory(spec_, input_dim(), num_classes(), rows);
  step_memory_rows_ = rows;
}

// The step s left a non-finite loss or parameters: undo it as far as needed
// and record the divergence.
[[gnu::noinline]] void Trainer::diverged_step(const StepStats& s) {
  const bool loss_finite = std::isfinite(s.data_loss + s.reg_loss);
  const std::string what = what_diverged(s);
  std::ostringstream msg;
  msg << "Training diverged at step " << s.step << ": " << what << ". ";
  if (spec_.optim.kind == OptimKind::LBFGS) msg << "The loss overflowed; ";
  else msg << "The learning rate (" << s.lr << ") is probably too high; ";
  if (loss_finite) {
    // The parameters before this step had a finite loss: undo the step.
    restore_last_good();
    roll_back_to(before_step_);
    msg << "parameters were restored to step " << step_ << ".";
  } else if (finite_loss_.slot >= 0) {
    // The parameters before this step are already bad (their loss is this
    // step's): go back to the last ones whose loss was finite.
    roll_back_to(finite_loss_);
    engine_->put_back_params(finite_loss_.slot);
    engine_->reset_optimizer(spec_.optim);
    lbfgs_ = LBFGS(spec_.optim.lbfgs_m);
    msg << "parameters were restored to step " << step_
        << ", the last whose loss was finite, and the optimiser starts afresh.";
  } else {
    // Even the starting parameters give a non-finite loss.
    restore_last_good();
    roll_back_to(before_step_);
    msg << "the starting parameters already give a non-finite loss: change the initialisation.";
  }
  divergence_ = {true, s.step, step_, msg.str()};
}

// SGD and friends: the next minibatch of this epoch's shuffle, then the
// engine's step (training-mode loss and gradient, clipping, update).
void Trainer::minibatch_update(StepStats& s) {
  const size_t N = y_train_.size();
  const int batch_size = spec_.optim.batch_size;
  const size_t B = (batch_size <= 0 || size_t(batch_size) >= N) ? N : size_t(batch_size);
  s.lr = learning_rate(spec_.optim, epoch());

  const int* batch;  // B row indices into the training set
  size_t n;
  if (B == N) {  // full batch: one step is one epoch, no shuffle needed
    if (all_rows_.size() != N) {
      all_rows_.resize(N);
      for (size_t i = 0; i < N; ++i) all_rows_[i] = int(i);
    }
    batch = all_rows_.data();
    n = N;
    ++epochs_done_;
  } else {
    if (cursor_ == 0 || order_.size() != N) {  // a new epoch: fresh shuffle (Fisher-Yates)
      order_.resize(N);
      for (size_t i = 0; i < N; ++i) order_[i] = int(i);
      for (size_t i = N - 1; i > 0; --i) std::swap(order_[i], order_[size_t(order_rng_.randint(int(i) + 1))]);
      cursor_ = 0;
    }
    n = std::min(B, N - cursor_);  // the last batch of an epoch may be smaller
    batch = order_.data() + cursor_;
    cursor_ += n;
    if (cursor_ == N) {
      ++epochs_done_;
      cursor_ = 0;
    }
  }
  last_batch_.resize(n);  // allocates only when a batch is larger than any before
  simd::copy32(last_batch_.data(), batch, n);
  const EngineStep r = engine_->step(batch, int(n), s.lr, spec_.optim.clip_norm, rng_);
  s.data_loss = r.loss.data_loss;
  s.reg_loss = r.loss.reg_loss;
  s.grad_norm = r.grad_norm;
}

// One L-BFGS iteration over the FULL training set: its line search compares
// losses at several points and its (s, y) pairs measure curvature, which only
// make sense for one fixed function, not a different minibatch each time.
// No learning rate and no clipping: the line search chooses the step length.
void Trainer::lbfgs_update(StepStats& s) {
  Model* model = engine_->live_model();
  if (!model) throw std::runtime_error("L-BFGS needs the reference engine.");
  last_good_model_ = model->clone();
  last_good_lbfgs_ = lbfgs_;
  std::vector<ParamRef> params = model->params();
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
    const LossParts parts = regression() ? model->forward_backward_targets(X_train_, T_train_, rng)
                                         : model->forward_backward(X_train_, y_train_, rng);
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
}

// ---- Divergence --------------------------------------------------------------

// Empty if the step left a finite loss and finite parameters, else what broke.
std::string Trainer::what_diverged(const StepStats& s) {
  const double loss = s.data_loss + s.reg_loss;
  if (std::isnan(loss)) return "the loss became NaN";
  if (std::isinf(loss)) return "the loss became infinite";
  return engine_->nonfinite_param();
}

Trainer::Checkpoint Trainer::checkpoint() {
  Checkpoint c;
  c.slot = finite_loss_.slot == 0 ? 1 : 0;  // never the slot finite_loss_ holds
  engine_->keep_params(c.slot);
  c.step = step_;
  c.epochs_done = epochs_done_;
  c.cursor = cursor_;
  return c;
}

// Counters and history back to checkpoint c (the caller restores the
// parameters). If a new epoch was shuffled since, the next step starts a
// fresh one rather than reuse a position in a different shuffle.
void Trainer::roll_back_to(const Checkpoint& c) {
  if (epochs_done_ != c.epochs_done && c.cursor != 0) order_.clear();
  cursor_ = order_.empty() ? 0 : c.cursor;
  epochs_done_ = c.epochs_done;
  step_ = c.step;
  while (history_count_ > 0 && history_[history_slot(history_count_ - 1)].step > step_) --history_count_;
  last_ = history_count_ == 0 ? StepStats{} : history_[history_slot(history_count_ - 1)];
  param_stats_step_ = -1;
}

std::string Trainer::dead_units_message() { return all_dead_message(inspect()); }

void Trainer::restore_last_good() {
  if (spec_.optim.kind == OptimKind::LBFGS) {
    if (Model* model = engine_->live_model(); model && last_good_model_) model->copy_params_from(*last_good_model_);
    lbfgs_ = last_good_lbfgs_;
    return;
  }
  engine_->restore_last_good();
}

bool Trainer::set_examples(const Examples& rows) { return set_examples(std::make_shared<const Examples>(rows)); }

bool Trainer::set_examples(std::shared_ptr<const Examples> rows) {
  if (!rows_mode_) throw std::runtime_error("This trainer trains on 2D points: use set_data.");
  if (!rows) throw std::runtime_error("No rows to train on.");
  check_examples(*rows, spec_);
  rows_ = std::move(rows);
  fit_preprocessing();
  order_.clear();
  cursor_ = 0;
  const Model& m = engine_->model();
  if (input_dim() != m.input_dim() || num_classes() != m.num_classes()) {
    reset();
    return true;
  }
  engine_->set_training_set(X_train_, y_train_);
  return false;
}

// ---- Statistics --------------------------------------------------------------

const std::vector<ParamStats>& Trainer::param_stats() {
  if (param_stats_step_ != step_) {
    param_stats_ = engine_->param_stats();
    param_stats_step_ = step_;
  }
  return param_stats_;
}

// Test mode over the whole training and validation sets.
void Trainer::evaluate(StepStats& s) {
  s.evaluated = true;
  const bool reg = regression();
  // A regression reports RMSE against real targets where a classifier reports accuracy.
  auto eval = [&](const Mat& X, const Labels& y, const Mat& T) {
    return reg ? engine_->evaluate_targets(X, T) : engine_->evaluate(X, y);
  };
  const Evaluation train = eval(X_train_, y_train_, T_train_);
  s.train_data_loss = train.loss.data_loss;
  s.train_reg_loss = train.loss.reg_loss;
  (reg ? s.train_rmse : s.train_acc) = reg ? train.rmse : train.accuracy;
  if (!y_val_.empty()) {
    const Evaluation val = eval(X_val_, y_val_, T_val_);
    s.val_data_loss = val.loss.data_loss;
    (reg ? s.val_rmse : s.val_acc) = reg ? val.rmse : val.accuracy;
  }
}

int Trainer::eval_every() const {
  if (eval_every_ > 0) return eval_every_;
  return y_train_.size() <= 1000 ? 1 : 10;
}

std::vector<StepStats> Trainer::history_since(int64_t after_step) const {
  // The steps increase from the oldest entry to the newest: the first entry
  // with step > after_step by bisection over the ring's logical order.
  size_t lo = 0, hi = history_count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (history_[history_slot(mid)].step > after_step) hi = mid;
    else lo = mid + 1;
  }
  std::vector<StepStats> out;
  out.reserve(history_count_ - lo);
  for (size_t i = lo; i < history_count_; ++i) out.push_back(history_[history_slot(i)]);
  return out;
}

std::vector<LayerStats> Trainer::inspect() {
  if (y_train_.empty()) return {};
  const Eigen::Index N = X_train_.rows();
  const Eigen::Index n = inspect_rows(engine_->model(), long(N));
  if (n >= N) return inspect_layers(engine_->model(), X_train_);
  // Statistics of an evenly spaced sample: the whole set could need more
  // memory than training does (every layer's activations at once, in double)
  // and, for a large network, far more time than a snapshot may take.
  Mat sample(n, X_train_.cols());
  for (Eigen::Index i = 0; i < n; ++i) sample.row(i) = X_train_.row(i * N / n);
  return inspect_layers(engine_->model(), sample);
}

// ---- Predictions ---------------------------------------------------------------

Mat Trainer::predict_scores(const Mat& X_raw) { return engine_->scores(inputs_of(X_raw)); }

Mat Trainer::predict_scores_fast(const Mat& X_raw) { return engine_->scores_fast(inputs_of(X_raw)); }

double Trainer::rmse(bool validation) {
  if (!regression()) return kNaN;
  return validation ? engine_->evaluate_targets(X_val_, T_val_).rmse : engine_->evaluate_targets(X_train_, T_train_).rmse;
}

int Trainer::predict(double x, double y) {
  Mat X(1, 2);
  X << x, y;
  return argmax_row(predict_scores(X));
}

double Trainer::accuracy(bool validation) {
  return validation ? engine_->evaluate(X_val_, y_val_).accuracy : engine_->evaluate(X_train_, y_train_).accuracy;
}

Predictor Trainer::predictor() {
  return Predictor{engine_->model().clone(), pre_, rows_mode_, ipre_, spec_, step_, rows_mode_ ? ProblemKind::Classification : data_.problem};
}

Mat Predictor::predict_scores(const Mat& X_raw) const {
  if (rows) return model->scores(image_preprocessor.transform(X_raw));
  if (problem != ProblemKind::Regression1D || X_raw.cols() != 2) return model->scores(preprocessor.transform(X_raw));
  Mat X = X_raw;  // a curve: the model's second input is held at 0
  X.col(1).setZero();
  return model->scores(preprocessor.transform(X));
}

int Predictor::predict(double x, double y) const {
  Mat X(1, 2);
  X << x, y;
  return argmax_row(predict_scores(X));
}

}  // namespace nn
