// net.cpp: the fully connected network: construction from a ModelSpec,
// forward (train and test mode), backward, and the folded test-mode layers.
#include "core/models/net.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/limits.h"
#include "core/models/losses.h"

namespace nn {

static void validate(const ModelSpec& spec, int input_dim, int num_classes) {
  if (input_dim < 1) throw std::runtime_error("A network needs at least one input feature.");
  if (num_classes < 2) throw std::runtime_error("A network needs at least two classes.");
  if (int(spec.hidden.size()) > kMaxHiddenLayers)
    throw std::runtime_error("A network can have " + limit_message("hidden layers", kMaxHiddenLayers, (long long)spec.hidden.size()) + "; remove some.");
  for (size_t l = 0; l < spec.hidden.size(); ++l) {
    const HiddenLayerSpec& h = spec.hidden[l];
    const std::string layer = "Hidden layer " + std::to_string(l + 1);
    if (h.width < 1 || h.width > kMaxLayerWidth)
      throw std::runtime_error(layer + " needs a width between 1 and " +
                               std::to_string(kMaxLayerWidth) + ".");
    if (h.act == Activation::Maxout && (h.maxout_k < 1 || h.maxout_k > kMaxMaxoutPieces))
      throw std::runtime_error(layer + ": a maxout unit needs between 1 and " +
                               std::to_string(kMaxMaxoutPieces) + " pieces.");
    if (!(h.dropout_keep > 0.0 && h.dropout_keep <= 1.0))
      throw std::runtime_error(layer + ": the dropout keep probability p must be in (0, 1].");
    if (!std::isfinite(h.alpha))
      throw std::runtime_error(layer + ": the activation's alpha must be a finite number.");
  }
}

Net::Net(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng)
    : use_bias(spec.use_bias), loss_spec_(spec.loss), input_dim_(input_dim) {
  validate(spec, input_dim, num_classes);
  int fan_in = input_dim;
  for (const HiddenLayerSpec& hs : spec.hidden) {
    HiddenLayer L;
    L.spec = hs;
    L.pieces = hs.act == Activation::Maxout ? hs.width * hs.maxout_k : hs.width;
    L.W.resize(L.pieces, fan_in);
    L.b = Mat::Zero(1, L.pieces);
    init_weights(L.W, spec.init, rng);
    if (use_bias) init_bias(L.b, spec.init, rng);
    L.dW = Mat::Zero(L.pieces, fan_in);
    L.db = Mat::Zero(1, L.pieces);
    if (hs.batchnorm) {
      L.gamma = Mat::Ones(1, L.pieces);
      L.beta = Mat::Zero(1, L.pieces);
      L.dgamma = Mat::Zero(1, L.pieces);
      L.dbeta = Mat::Zero(1, L.pieces);
      L.running_mean = Mat::Zero(1, L.pieces);
      L.running_var = Mat::Ones(1, L.pieces);
    }
    layers.push_back(std::move(L));
    fan_in = hs.width;
  }
  W_out.resize(num_classes, fan_in);
  b_out = Mat::Zero(1, num_classes);
  init_weights(W_out, spec.init, rng);
  if (use_bias) init_bias(b_out, spec.init, rng);
  dW_out = Mat::Zero(num_classes, fan_in);
  db_out = Mat::Zero(1, num_classes);
}

std::vector<ParamRef> Net::params() {
  std::vector<ParamRef> out;
  for (size_t l = 0; l < layers.size(); ++l) {
    HiddenLayer& L = layers[l];
    const std::string n = std::to_string(l + 1);
    out.push_back({"W" + n, &L.W, &L.dW, true});
    if (use_bias) out.push_back({"b" + n, &L.b, &L.db, false});
    if (L.spec.batchnorm) {
      out.push_back({"gamma" + n, &L.gamma, &L.dgamma, false});
      out.push_back({"beta" + n, &L.beta, &L.dbeta, false});
    }
  }
  const std::string n = std::to_string(layers.size() + 1);
  out.push_back({"W" + n, &W_out, &dW_out, true});
  if (use_bias) out.push_back({"b" + n, &b_out, &db_out, false});
  return out;
}

void Net::check_input(const Mat& X) const {
  if (X.cols() != input_dim_)
    throw std::runtime_error("The network expects " + std::to_string(input_dim_) +
                             " input features but got " + std::to_string(X.cols()) +
                             ": rebuild the model after changing the features.");
}

// ---- One hidden layer --------------------------------------------------------------
// x is (N, fan_in); returns (N, width). `act_out` (optional) receives the
// activation's output before dropout. The running averages come apart from L
// so that test mode can pass copies and leave the Net untouched.

static Mat hidden_forward(const HiddenLayer& L, const Mat& x, bool train, Rng* rng,
                          Mat& running_mean, Mat& running_var, HiddenCache& c, Mat* act_out) {
  Mat a = affine_forward(x, L.W, L.b, c.affine);  // (N, pieces)
  if (L.spec.batchnorm)
    a = batchnorm_forward(a, L.gamma, L.beta, train, running_mean, running_var, c.bn);
  Mat h;
  if (L.spec.act == Activation::Maxout) {
    c.act.x = a;
    h = maxout_forward(a, L.spec.maxout_k, c.maxout);  // (N, width)
  } else {
    h = activation_forward(L.spec.act, L.spec.alpha, a, c.act);
  }
  if (act_out) *act_out = h;
  if (train) h = dropout_forward(h, L.spec.dropout_keep, true, *rng, c.dropout);
  return h;
}

// dh is (N, width); fills L.dW, L.db (and dgamma, dbeta) and returns dx (N, fan_in).
// Regularisation is added by the caller.
static Mat hidden_backward(HiddenLayer& L, const Mat& dh) {
  const HiddenCache& c = L.cache;
  Mat d = dropout_backward(dh, c.dropout);
  if (L.spec.act == Activation::Maxout) d = maxout_backward(d, L.spec.maxout_k, c.maxout);
  else d = activation_backward(L.spec.act, L.spec.alpha, d, c.act);
  if (L.spec.batchnorm) {
    Mat da;
    batchnorm_backward(d, c.bn, da, L.dgamma, L.dbeta);
    d = std::move(da);
  }
  Mat dx;
  affine_backward(d, L.W, c.affine, dx, L.dW, L.db);
  return dx;
}

// ---- Whole network -------------------------------------------------------------------

Mat Net::forward_train(const Mat& X, Rng& rng) {
  Mat h = X;
  for (HiddenLayer& L : layers)
    h = hidden_forward(L, h, true, &rng, L.running_mean, L.running_var, L.cache, nullptr);
  return affine_forward(h, W_out, b_out, out_cache_);  // (N, C)
}

Mat Net::forward_test(const Mat& X, std::vector<LayerActivations>* hidden) const {
  check_input(X);
  Mat h = X;
  for (size_t l = 0; l < layers.size(); ++l) {
    const HiddenLayer& L = layers[l];
    HiddenCache c;
    Mat running_mean = L.running_mean, running_var = L.running_var;  // read only in test mode
    Mat act;
    h = hidden_forward(L, h, false, nullptr, running_mean, running_var, c, &act);
    if (hidden)
      hidden->push_back({"hidden " + std::to_string(l + 1), L.spec.act, std::move(c.act.x), std::move(act)});
  }
  AffineCache c;
  return affine_forward(h, W_out, b_out, c);
}

double Net::reg_loss() const {
  double r = 0;
  for (const HiddenLayer& L : layers)
    r += nn::reg_loss(L.W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio);
  return r + nn::reg_loss(W_out, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio);
}

LossParts Net::forward_backward(const Mat& X, const Labels& y, Rng& rng) {
  check_input(X);
  const Mat s = forward_train(X, rng);
  const DataLoss dl = data_loss(s, y, loss_spec_);

  // Backward, output side first.
  Mat dh;
  affine_backward(dl.dscores, W_out, out_cache_, dh, dW_out, db_out);
  for (size_t l = layers.size(); l-- > 0;) dh = hidden_backward(layers[l], dh);

  // Regularisation on every W; biases stay exactly zero without a bias.
  add_reg_grad(W_out, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio, dW_out);
  for (HiddenLayer& L : layers) {
    add_reg_grad(L.W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio, L.dW);
    if (!use_bias) L.db.setZero();
  }
  if (!use_bias) db_out.setZero();

  last_scores_ = s;
  last_y_ = y;
  return {dl.loss, reg_loss()};
}

Mat Net::scores(const Mat& X) const { return forward_test(X, nullptr); }

LossParts Net::loss(const Mat& X, const Labels& y) const {
  const DataLoss dl = data_loss(scores(X), y, loss_spec_);
  return {dl.loss, reg_loss()};
}

std::vector<LayerActivations> Net::hidden_activations(const Mat& X) const {
  std::vector<LayerActivations> hidden;
  forward_test(X, &hidden);
  return hidden;
}

void Net::set_hyperparameters(const ModelSpec& spec) {
  loss_spec_ = spec.loss;
  // Only what changes no shape: dropout p and the activation's alpha.
  for (size_t l = 0; l < layers.size() && l < spec.hidden.size(); ++l) {
    layers[l].spec.dropout_keep = spec.hidden[l].dropout_keep;
    layers[l].spec.alpha = spec.hidden[l].alpha;
  }
}

std::vector<ParamRef> Net::buffers() {
  std::vector<ParamRef> out;
  for (size_t l = 0; l < layers.size(); ++l) {
    HiddenLayer& L = layers[l];
    if (!L.spec.batchnorm) continue;
    const std::string n = std::to_string(l + 1);
    out.push_back({"running_mean" + n, &L.running_mean, nullptr, false});
    out.push_back({"running_var" + n, &L.running_var, nullptr, false});
  }
  return out;
}

std::vector<FoldedLayer> Net::folded_layers() const {
  std::vector<FoldedLayer> out;
  for (const HiddenLayer& L : layers) {
    FoldedLayer f{L.W, L.b, L.spec.act, L.spec.alpha, L.spec.act == Activation::Maxout ? L.spec.maxout_k : 1};
    if (L.spec.batchnorm) {
      // Test mode: gamma (a - mean) / sqrt(var + eps) + beta per unit, folded into W and b.
      for (Eigen::Index o = 0; o < f.W.rows(); ++o) {
        const double g = L.gamma(0, o) / std::sqrt(L.running_var(0, o) + kBatchNormEps);
        f.W.row(o) *= g;
        f.b(0, o) = (f.b(0, o) - L.running_mean(0, o)) * g + L.beta(0, o);
      }
    }
    out.push_back(std::move(f));
  }
  out.push_back({W_out, b_out, Activation::Linear, 0, 1});
  return out;
}

std::vector<int32_t> Net::kink_pattern() const {
  std::vector<int32_t> pattern;
  for (const HiddenLayer& L : layers) {
    if (L.spec.act == Activation::Maxout)
      pattern.insert(pattern.end(), L.cache.maxout.argmax.begin(), L.cache.maxout.argmax.end());
    else
      append_activation_kinks(L.spec.act, L.spec.alpha, L.cache.act.x, pattern);
    append_reg_kinks(L.W, loss_spec_, pattern);
  }
  append_reg_kinks(W_out, loss_spec_, pattern);
  append_loss_kinks(last_scores_, last_y_, loss_spec_, pattern);
  return pattern;
}

}  // namespace nn
