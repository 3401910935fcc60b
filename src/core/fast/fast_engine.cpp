// fast_engine.cpp: the float32 engine: which descriptions it trains, the
// network built as a list of fast layers, and one step (gather the
// minibatch, forward, loss, backward, regularisation, clipping, update).
#include "core/fast/fast_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/fast/fast_conv_layers.h"
#include "core/fast/fast_layers.h"
#include "core/fast/fast_loss.h"
#include "core/fast/fast_optim.h"
#include "core/fast/gemm.h"
#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/fast/tiny_net.h"
#include "core/models/net.h"

namespace nn {

std::string fast_engine_unsupported(const ModelSpec& spec) {
  if (spec.kind == ModelKind::KNN) return "kNN has no training steps";
  if (spec.optim.kind == OptimKind::LBFGS)
    return "full-batch L-BFGS works on the double-precision loss function itself";
  if (spec.kind == ModelKind::Net) return fast::conv_layers_unsupported(spec);
  return "";
}

bool fast_engine_supports(const ModelSpec& spec) { return fast_engine_unsupported(spec).empty(); }

namespace {

using fast::DenseLayer;
using fast::Layer;
using fast::ParamArena;
using fast::Pass;

class FastEngine : public Engine {
 public:
  FastEngine(const ModelSpec& spec, const Model& initial, const FastEngineOptions& options);
  EngineKind kind() const override { return EngineKind::Fast; }
  void set_training_set(const Mat& X, const Labels& y) override;
  void set_training_targets(const Mat& T) override;
  EngineStep step(const int* idx, int n, double lr, double clip_norm, Rng& rng) override;
  void restore_last_good() override;
  std::string nonfinite_param() const override;
  bool params_finite() const override { return fast::all_finite(params_.values(), params_.size()); }
  void set_hyperparameters(const ModelSpec& spec) override;
  void reset_optimizer(const OptimSpec& optim) override;
  Evaluation evaluate(const Mat& X, const Labels& y) override;
  Evaluation evaluate_targets(const Mat& X, const Mat& T) override;
  Mat scores(const Mat& X) override;
  Mat scores_fast(const Mat& X) override;
  const Model& model() override;
  void set_params(const Model& m) override;
  void keep_params(int slot) override;
  void put_back_params(int slot) override;
  std::vector<ParamStats> param_stats() override;
  size_t workspace_bytes() const override;
  OptimizerState optimizer_state() override;
  bool set_optimizer_state(const OptimizerState& state) override;

 private:
  void build_layers(const ModelSpec& spec, int input_dim, int classes);
  void reserve(int N);
  void build_tiny(const ModelSpec& spec);
  void layers_step(const int* idx, int n, Rng& rng, EngineStep& out);
  bool use_tiny(int n) const;
  Pass pass(bool train, Rng* rng) { return {train, rng, &params_, &buffers_, threads_}; }
  void load_rows(const Mat& X, int r0, int n);  // X's rows [r0, r0+n) into the input buffer
  void forward(int N, bool train, Rng* rng);    // input buffer -> scores (acts_.back())
  double reg_loss() const;
  int chunk() const { return cap_ > 64 ? cap_ : 64; }  // rows per test-mode pass

  LossSpec loss_;
  int input_dim_ = 0, classes_ = 0, threads_ = 1;
  ParamArena params_, buffers_;
  std::vector<std::unique_ptr<Layer>> layers_;
  // The fused pass for small networks (null when the description has no
  // such form or options.fused_small is off); the layers above serve the
  // rest (test mode, larger batches).
  std::unique_ptr<fast::TinyNet> tiny_;
  bool fused_small_ = true;
  // The workspace, sized for cap_ rows: acts_[0] the input batch, acts_[l+1]
  // the output of layer l (acts_.back() the scores); two gradient buffers
  // used in turn by the backward pass; the batch's labels.
  std::vector<std::vector<float>> acts_;
  std::vector<float> d0_, d1_;
  std::vector<int> y_batch_;
  int cap_ = 0;
  std::vector<float> X_;  // the training set as floats, row-major
  Labels y_;
  std::vector<float> T_, T_batch_;  // regression targets (N x classes_), and the batch's
  fast::FastOptimizer opt_;
  OptimSpec opt_spec_;  // the optimiser's current constants (for a reset)
  std::unique_ptr<Model> model_;  // the double-precision copy model() hands out
  bool model_stale_ = true;
  bool stepped_ = false, restorable_ = false;
  std::vector<float> kept_params_[2], kept_buffers_[2];  // keep_params' slots
};

FastEngine::FastEngine(const ModelSpec& spec, const Model& initial, const FastEngineOptions& options)
    : loss_(spec.loss), input_dim_(initial.input_dim()), classes_(initial.num_classes()), opt_(spec.optim),
      opt_spec_(spec.optim) {
  const std::string why = fast_engine_unsupported(spec);
  if (!why.empty()) throw std::runtime_error("The fast engine cannot train this model: " + why + ".");
  const int pool = parallel_threads();
  threads_ = options.threads > 0 ? std::min(options.threads, pool) : pool;
  fused_small_ = options.fused_small;
  build_layers(spec, input_dim_, classes_);
  params_.allocate();
  buffers_.allocate();
  build_tiny(spec);
  model_ = initial.clone();
  model_->set_hyperparameters(spec);
  set_params(initial);
}

// The reference network's layers in order (Net::params() names): hidden
// fully connected layers "1".."L-1", then the output layer "L"; a linear
// classifier is the output layer alone, named "W" and "b".
void FastEngine::build_layers(const ModelSpec& spec, int input_dim, int classes) {
  HiddenLayerSpec out;
  out.width = classes;
  out.act = Activation::Linear;
  if (spec.kind == ModelKind::Linear) {
    layers_.push_back(std::make_unique<DenseLayer>(out, input_dim, spec.use_bias, "", params_, buffers_));
    layers_.front()->first = true;
    return;
  }
  int fan_in = input_dim;
  // Conv and pool layers: their volumes from the one layout function; the
  // last volume is the fully connected part's input as it is (flatten is the
  // identity in this layout, see conv_layers.h).
  const NetLayout layout = has_conv_layers(spec) ? net_layout(spec, input_dim) : NetLayout{};
  if (!layout.ok()) throw std::runtime_error(layout.problem);
  fast::ConvLayer* last_conv = nullptr;  // the layer just built, if a conv layer
  for (size_t l = 0; l < spec.hidden.size(); ++l) {
    const HiddenLayerSpec& h = spec.hidden[l];
    fast::ConvLayer* conv = nullptr;
    switch (h.type) {
      case LayerType::FC:
        layers_.push_back(
            std::make_unique<DenseLayer>(h, fan_in, spec.use_bias, std::to_string(l + 1), params_, buffers_));
        break;
      case LayerType::Conv: {
        auto L = std::make_unique<fast::ConvLayer>(
            h, conv_geom(layout.volumes[l], h.filters, h.size, h.stride, h.pad), spec.use_bias,
            std::to_string(l + 1), params_, threads_);
        conv = L.get();
        layers_.push_back(std::move(L));
        break;
      }
      case LayerType::Pool: {
        const bool relu_input = last_conv && last_conv->relu();
        if (relu_input) last_conv->set_masked_by_next();
        layers_.push_back(std::make_unique<fast::PoolLayer>(pool_geom(layout.volumes[l], h.size, h.stride), relu_input));
        break;
      }
    }
    last_conv = conv;
    fan_in = layers_.back()->out_cols;
  }
  layers_.push_back(std::make_unique<DenseLayer>(out, fan_in, spec.use_bias, std::to_string(spec.hidden.size() + 1),
                                                 params_, buffers_));
  layers_.front()->first = true;
}

void FastEngine::build_tiny(const ModelSpec& spec) {
  tiny_.reset();
  if (fused_small_ && fast::tiny_net_unsupported(spec, input_dim_, classes_).empty())
    tiny_ = std::make_unique<fast::TinyNet>(spec, input_dim_, classes_, params_);
}

// The fused pass while every product of the batch stays under the size at
// which gemm would split it over threads (it runs on the calling thread).
bool FastEngine::use_tiny(int n) const {
  return tiny_ && n > 0 && fast::tiny_net_loss_supported(loss_.kind) &&
         (threads_ <= 1 || tiny_->largest_product(n) < fast::kGemmParallelMacs);
}

void FastEngine::reserve(int N) {
  if (N <= cap_) return;
  cap_ = N;
  acts_.resize(layers_.size() + 1);
  size_t widest = size_t(input_dim_);
  acts_[0].assign(size_t(N) * input_dim_, 0.f);
  for (size_t l = 0; l < layers_.size(); ++l) {
    layers_[l]->reserve(N);
    acts_[l + 1].assign(size_t(N) * layers_[l]->out_cols, 0.f);
    widest = std::max(widest, size_t(layers_[l]->out_cols));
  }
  d0_.assign(size_t(N) * widest + fast::kGemmSlack, 0.f);  // gemm's B operand in backward
  d1_.assign(size_t(N) * widest + fast::kGemmSlack, 0.f);
  y_batch_.assign(size_t(N), 0);
  T_batch_.assign(size_t(N) * size_t(classes_), 0.f);
}

size_t FastEngine::workspace_bytes() const {
  size_t floats = d0_.size() + d1_.size() + (tiny_ ? tiny_->workspace_floats() : 0);
  for (const auto& a : acts_) floats += a.size();
  for (const auto& L : layers_) floats += L->workspace_floats();
  return floats * sizeof(float);
}

void FastEngine::set_training_set(const Mat& X, const Labels& y) {
  if (X.rows() > 0 && X.cols() != input_dim_)
    throw std::runtime_error("The model expects " + std::to_string(input_dim_) + " input features but got " +
                             std::to_string(X.cols()) + ": rebuild the model after changing the features.");
  X_.resize(size_t(X.size()));
  for (Eigen::Index k = 0; k < X.size(); ++k) X_[size_t(k)] = float(X.data()[k]);
  y_ = y;
}

void FastEngine::set_training_targets(const Mat& T) {
  if (T.rows() > 0 && T.cols() != classes_)
    throw std::runtime_error("The model has " + std::to_string(classes_) + " outputs but the targets have " +
                             std::to_string(T.cols()) + " columns.");
  T_.resize(size_t(T.size()));
  for (Eigen::Index k = 0; k < T.size(); ++k) T_[size_t(k)] = float(T.data()[k]);
}

void FastEngine::load_rows(const Mat& X, int r0, int n) {
  if (X.cols() != input_dim_)
    throw std::runtime_error("The model expects " + std::to_string(input_dim_) + " input features but got " +
                             std::to_string(X.cols()) + ".");
  const double* src = X.data() + long(r0) * input_dim_;
  float* dst = acts_[0].data();
  for (long k = 0; k < long(n) * input_dim_; ++k) dst[k] = float(src[k]);
}

void FastEngine::forward(int N, bool train, Rng* rng) {
  const Pass p = pass(train, rng);
  for (size_t l = 0; l < layers_.size(); ++l) layers_[l]->forward(acts_[l].data(), acts_[l + 1].data(), N, p);
}

double FastEngine::reg_loss() const {
  double r = 0;
  for (size_t b = 0; b < params_.blocks().size(); ++b)
    if (params_.blocks()[b].regularized) r += fast::reg_loss(params_.value(int(b)), long(params_.blocks()[b].size()), loss_);
  return r;
}

// The layer path's forward and backward: every parameter's gradient of the
// minibatch's data loss written into params_' grads, the loss into out.
void FastEngine::layers_step(const int* idx, int n, Rng& rng, EngineStep& out) {
  reserve(n);
  // The minibatch: rows idx[0..n) of the training set.
  float* x = acts_[0].data();
  const bool regression = is_regression(loss_.kind);
  if (regression && T_.size() != size_t(X_.size() / size_t(input_dim_)) * size_t(classes_))
    throw std::runtime_error("A regression step needs one target per training row.");
  for (int i = 0; i < n; ++i) {
    std::memcpy(x + long(i) * input_dim_, X_.data() + long(idx[i]) * input_dim_, size_t(input_dim_) * sizeof(float));
    if (regression)
      std::memcpy(T_batch_.data() + long(i) * classes_, T_.data() + long(idx[i]) * classes_,
                  size_t(classes_) * sizeof(float));
    else
      y_batch_[size_t(i)] = y_[size_t(idx[i])];
  }
  forward(n, true, &rng);

  // Loss and dscores (N, C), then backward, output side first.
  if (n == 0) out.loss.data_loss = 0.0;
  else if (regression)
    out.loss.data_loss =
        fast::regression_loss_sum(acts_.back().data(), T_batch_.data(), n, classes_, loss_, d0_.data(), n) / n;
  else
    out.loss.data_loss = fast::data_loss_sum(acts_.back().data(), y_batch_.data(), n, classes_, loss_, d0_.data(), n) / n;
  const Pass p = pass(true, &rng);
  float* d = d0_.data();
  float* dx = d1_.data();
  for (size_t l = layers_.size(); l-- > 0;) {
    layers_[l]->backward(acts_[l].data(), acts_[l + 1].data(), d, l > 0 ? dx : nullptr, n, p);
    std::swap(d, dx);
  }
}

EngineStep FastEngine::step(const int* idx, int n, double lr, double clip_norm, Rng& rng) {
  EngineStep out;
  buffers_.save();  // running averages before the step, for restore_last_good
  if (use_tiny(n)) {
    // No batchnorm or dropout here: no running averages, no random numbers.
    out.loss.data_loss = tiny_->forward_backward(X_.data(), y_.data(), idx, n, loss_, params_) / n;
  } else {
    layers_step(idx, n, rng, out);
  }
  // Regularisation on every W (never b, gamma, beta), before the update:
  // the penalty (as reg_loss()) and its gradient in one pass per block.
  double reg = 0;
  if (loss_.reg != RegKind::None)
    for (size_t b = 0; b < params_.blocks().size(); ++b)
      if (params_.blocks()[b].regularized)
        reg += fast::reg_loss_and_grad(params_.value(int(b)), long(params_.blocks()[b].size()), loss_, params_.grad(int(b)));
  out.loss.reg_loss = reg;

  out.grad_norm = fast::clip_global_norm(params_.grads(), params_.size(), clip_norm);
  opt_.step(params_.values(), params_.other(), params_.grads(), params_.size(), lr, threads_);
  params_.flip();
  stepped_ = restorable_ = true;
  model_stale_ = true;
  return out;
}

void FastEngine::restore_last_good() {
  if (!restorable_) return;
  params_.flip();
  buffers_.flip();
  opt_.undo();
  restorable_ = false;
  model_stale_ = true;
}

std::string FastEngine::nonfinite_param() const {
  if (fast::all_finite(params_.values(), params_.size())) return "";  // the common case, one vector pass
  for (size_t b = 0; b < params_.blocks().size(); ++b) {
    const float* v = params_.value(int(b));
    for (size_t k = 0; k < params_.blocks()[b].size(); ++k)
      if (!std::isfinite(v[k]))
        return "parameter " + params_.blocks()[b].name + (std::isnan(v[k]) ? " became NaN" : " became infinite");
  }
  return "";
}

void FastEngine::set_hyperparameters(const ModelSpec& spec) {
  loss_ = spec.loss;
  if (spec.kind == ModelKind::Net)
    for (size_t l = 0; l + 1 < layers_.size() && l < spec.hidden.size(); ++l) layers_[l]->set_hyperparameters(spec.hidden[l]);
  build_tiny(spec);  // dropout switched on or off changes whether the fused pass applies
  opt_.set_spec(spec.optim);  // keeps v, cache, m, t
  opt_spec_ = spec.optim;
  model_->set_hyperparameters(spec);
}

void FastEngine::reset_optimizer(const OptimSpec& optim) {
  opt_.reset(optim);
  opt_spec_ = optim;
  restorable_ = false;
}

Evaluation FastEngine::evaluate(const Mat& X, const Labels& y) {
  Evaluation e;
  const int N = int(X.rows());
  if (Eigen::Index(y.size()) != X.rows())
    throw std::runtime_error("Got " + std::to_string(y.size()) + " labels for " + std::to_string(N) + " points.");
  reserve(chunk());
  double total = 0;
  long correct = 0;
  for (int r0 = 0; r0 < N; r0 += chunk()) {
    const int n = std::min(chunk(), N - r0);
    load_rows(X, r0, n);
    forward(n, false, nullptr);
    int c = 0;
    total += fast::data_loss_sum(acts_.back().data(), y.data() + r0, n, classes_, loss_, nullptr, 0, &c);
    correct += c;
  }
  e.loss = {N > 0 ? total / N : 0.0, reg_loss()};
  e.accuracy = N > 0 ? double(correct) / N : std::numeric_limits<double>::quiet_NaN();
  return e;
}

Evaluation FastEngine::evaluate_targets(const Mat& X, const Mat& T) {
  Evaluation e;
  const int N = int(X.rows());
  if (T.rows() != X.rows() || (N > 0 && T.cols() != classes_))
    throw std::runtime_error("Got " + std::to_string(T.rows()) + " targets for " + std::to_string(N) + " points.");
  reserve(chunk());
  std::vector<float> t;
  double total = 0, sq = 0;
  for (int r0 = 0; r0 < N; r0 += chunk()) {
    const int n = std::min(chunk(), N - r0);
    load_rows(X, r0, n);
    forward(n, false, nullptr);
    t.resize(size_t(n) * size_t(classes_));
    for (size_t k = 0; k < t.size(); ++k) t[k] = float(T.data()[size_t(r0) * size_t(classes_) + k]);
    double s = 0;
    total += fast::regression_loss_sum(acts_.back().data(), t.data(), n, classes_, loss_, nullptr, 0, &s);
    sq += s;
  }
  e.loss = {N > 0 ? total / N : 0.0, reg_loss()};
  e.accuracy = std::numeric_limits<double>::quiet_NaN();
  e.rmse = N > 0 ? std::sqrt(sq / (double(N) * classes_)) : std::numeric_limits<double>::quiet_NaN();
  return e;
}

// Test mode in float, chunk by chunk as evaluate().
Mat FastEngine::scores_fast(const Mat& X) {
  const int N = int(X.rows());
  Mat out(N, classes_);
  reserve(chunk());
  for (int r0 = 0; r0 < N; r0 += chunk()) {
    const int n = std::min(chunk(), N - r0);
    load_rows(X, r0, n);
    forward(n, false, nullptr);
    const float* s = acts_.back().data();
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < classes_; ++c) out(r0 + i, c) = double(s[size_t(i) * classes_ + c]);
  }
  return out;
}

// The double-precision model of the current floats scores the points, so the
// Trainer's predictions equal those of a Predictor snapshot (a copy of
// model()) exactly; evaluate() is the float path that training statistics use.
Mat FastEngine::scores(const Mat& X) { return model().scores(X); }

// Copies between the arena's blocks and a double model's matrices, by name.
void copy_block(const fast::ParamBlock& b, const float* src, Mat& dst) {
  for (int r = 0; r < b.rows; ++r)
    for (int c = 0; c < b.cols; ++c)
      dst(r, c) = b.transposed ? src[long(c) * b.rows + r] : src[long(r) * b.cols + c];
}
void copy_block(const fast::ParamBlock& b, const Mat& src, float* dst) {
  for (int r = 0; r < b.rows; ++r)
    for (int c = 0; c < b.cols; ++c)
      (b.transposed ? dst[long(c) * b.rows + r] : dst[long(r) * b.cols + c]) = float(src(r, c));
}

const Model& FastEngine::model() {
  if (!model_stale_) return *model_;
  for (const ParamRef& p : model_->params()) {
    const int b = params_.find(p.name);
    copy_block(params_.blocks()[size_t(b)], params_.value(b), *p.value);
  }
  for (const ParamRef& p : model_->buffers()) {
    const int b = buffers_.find(p.name);
    copy_block(buffers_.blocks()[size_t(b)], buffers_.value(b), *p.value);
  }
  model_stale_ = false;
  return *model_;
}

void FastEngine::set_params(const Model& m) {
  // Everything is checked before anything is written.
  for (ParamArena* arena : {&params_, &buffers_})
    for (const fast::ParamBlock& b : arena->blocks()) {
      const Mat* v = m.param(b.name);
      if (!v) throw std::runtime_error("The model has no parameter " + b.name + ": it has another architecture.");
      if (v->rows() != b.rows || v->cols() != b.cols)
        throw std::runtime_error("Parameter " + b.name + " has another shape than the engine's.");
    }
  for (ParamArena* arena : {&params_, &buffers_})
    for (size_t b = 0; b < arena->blocks().size(); ++b)
      copy_block(arena->blocks()[b], *m.param(arena->blocks()[b].name), arena->value(int(b)));
  restorable_ = stepped_ = false;
  model_stale_ = true;
}

// Before every step: copy32, not std::copy (see simd.h: a small network's
// parameters are a few dozen floats, and in WebAssembly std::copy would be a
// call out of the module).
void FastEngine::keep_params(int slot) {
  kept_params_[slot].resize(params_.size());  // allocates on the first use of a slot only
  kept_buffers_[slot].resize(buffers_.size());
  simd::copy32(kept_params_[slot].data(), params_.values(), params_.size());
  simd::copy32(kept_buffers_[slot].data(), buffers_.values(), buffers_.size());
}

void FastEngine::put_back_params(int slot) {
  simd::copy32(params_.values(), kept_params_[slot].data(), kept_params_[slot].size());
  simd::copy32(buffers_.values(), kept_buffers_[slot].data(), kept_buffers_[slot].size());
  restorable_ = stepped_ = false;
  model_stale_ = true;
}

// Saved by the reference's names ("m.W1", "v.b2", ...), each in its
// parameter's shape, so that either engine can load what the other saved.
OptimizerState FastEngine::optimizer_state() {
  OptimizerState out;
  out.kind = opt_.kind();
  out.t = opt_.t();
  const std::vector<const char*> names = fast::FastOptimizer::slot_names(opt_.kind());
  for (size_t slot = 0; slot < names.size(); ++slot) {
    const std::vector<float>& v = *opt_.state(int(slot));
    if (v.size() != params_.size()) continue;  // not stepped yet
    for (const fast::ParamBlock& b : params_.blocks()) {
      Mat m(b.rows, b.cols);
      copy_block(b, v.data() + b.offset, m);
      out.slots.push_back({std::string(names[slot]) + "." + b.name, std::move(m)});
    }
  }
  return out;
}

bool FastEngine::set_optimizer_state(const OptimizerState& state) {
  if (state.kind != opt_.kind())
    throw std::runtime_error(std::string("the saved optimiser state is for ") + to_string(state.kind) + ", not " +
                             to_string(opt_.kind()));
  const std::vector<const char*> names = fast::FastOptimizer::slot_names(opt_.kind());
  // Checked in full before anything changes.
  if (!(state.t == 0 && state.slots.empty())) {
    if (state.slots.size() != names.size() * params_.blocks().size())
      throw std::runtime_error("the optimiser state has " + std::to_string(state.slots.size()) + " matrices, " +
                               to_string(opt_.kind()) + " keeps " +
                               std::to_string(names.size() * params_.blocks().size()));
    for (const char* slot : names)
      for (const fast::ParamBlock& b : params_.blocks()) {
        const std::string name = std::string(slot) + "." + b.name;
        const NamedMat* found = nullptr;
        for (const NamedMat& m : state.slots)
          if (m.name == name) found = &m;
        if (!found) throw std::runtime_error("the optimiser state has no \"" + name + "\"");
        if (found->value.rows() != b.rows || found->value.cols() != b.cols)
          throw std::runtime_error("the optimiser state \"" + name + "\" is " + std::to_string(found->value.rows()) +
                                   "x" + std::to_string(found->value.cols()) + ", its parameter is " +
                                   std::to_string(b.rows) + "x" + std::to_string(b.cols));
      }
  }
  opt_.reset(opt_spec_);
  restorable_ = false;
  if (state.t == 0 && state.slots.empty()) return true;
  for (size_t slot = 0; slot < names.size(); ++slot) {
    std::vector<float>& v = *opt_.state(int(slot));
    v.assign(params_.size(), 0.f);
    for (const fast::ParamBlock& b : params_.blocks())
      for (const NamedMat& m : state.slots)
        if (m.name == std::string(names[slot]) + "." + b.name) copy_block(b, m.value, v.data() + b.offset);
  }
  opt_.set_t(state.t);
  return true;
}

std::vector<ParamStats> FastEngine::param_stats() {
  std::vector<ParamStats> out;
  if (!stepped_) return out;
  for (size_t b = 0; b < params_.blocks().size(); ++b) {
    const fast::ParamBlock& blk = params_.blocks()[b];
    const float* now = params_.value(int(b));
    // After restore_last_good the values are those before the step: no update.
    const float* before = restorable_ ? params_.other() + blk.offset : now;
    const float* g = params_.grad(int(b));
    double pn = 0, gn = 0, bn = 0, un = 0;
    for (size_t k = 0; k < blk.size(); ++k) {
      pn += double(now[k]) * now[k];
      gn += double(g[k]) * g[k];
      bn += double(before[k]) * before[k];
      const double u = double(now[k]) - before[k];
      un += u * u;
    }
    ParamStats st;
    st.name = blk.name;
    st.param_norm = std::sqrt(pn);
    st.grad_norm = std::sqrt(gn);
    if (bn > 0) st.update_ratio = std::sqrt(un) / std::sqrt(bn);
    else st.update_ratio = un > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    out.push_back(st);
  }
  return out;
}

}  // namespace

std::unique_ptr<Engine> make_fast_engine(const ModelSpec& spec, const Model& initial, const FastEngineOptions& options) {
  return std::make_unique<FastEngine>(spec, initial, options);
}

}  // namespace nn
