// net.cpp: the network: which descriptions can be built (net_layout),
// construction from a ModelSpec, forward (train and test mode), backward,
// and the folded test-mode layers of fully connected networks.
#include "core/models/net.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/limits.h"
#include "core/models/losses.h"

namespace nn {

// ---- Layout: what can be built ----------------------------------------------------
// Each check returns why a layer cannot be built (a sentence without the
// layer's name), or "" when it can.

static std::string check_common(const HiddenLayerSpec& h) {
  if (!(h.dropout_keep > 0.0 && h.dropout_keep <= 1.0)) return "the dropout keep probability p must be in (0, 1]";
  if (!std::isfinite(h.alpha)) return "the activation's alpha must be a finite number";
  return "";
}

static std::string check_weights(int64_t rows, int64_t cols) {
  if (rows * cols > kMaxLayerWeights)
    return "the layer would have " + limit_message("weights", kMaxLayerWeights, (long long)(rows * cols)) +
           "; use fewer units, or pool the volume before it";
  return "";
}

static std::string in_range(const char* what, int v, int lo, int hi) {
  if (v >= lo && v <= hi) return "";
  return std::string(what) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
         " (got " + std::to_string(v) + ")";
}

static std::string check_fc(const HiddenLayerSpec& h, int64_t fan_in) {
  const bool maxout = h.act == Activation::Maxout;
  for (const std::string& why : {in_range("the width", h.width, 1, kMaxLayerWidth),
                                 maxout ? in_range("a maxout unit's pieces k", h.maxout_k, 1, kMaxMaxoutPieces)
                                        : std::string(),
                                 check_common(h)})
    if (!why.empty()) return why;
  return check_weights(int64_t(h.width) * (maxout ? h.maxout_k : 1), fan_in);
}

static std::string check_conv(const HiddenLayerSpec& h, const Volume& in) {
  for (const std::string& why : {in_range("the number of filters K", h.filters, 1, kMaxFilters),
                                 in_range("the filter size F", h.size, 1, kMaxFilterSize),
                                 in_range("the stride S", h.stride, 1, kMaxStride),
                                 in_range("the padding P", h.pad, 0, kMaxPad)})
    if (!why.empty()) return why;
  if (h.act == Activation::Maxout)
    return "maxout is for fully connected layers; a conv layer takes an elementwise activation (ReLU, tanh, ...)";
  const std::string why = check_common(h);
  if (!why.empty()) return why;
  return check_weights(h.filters, int64_t(in.D) * h.size * h.size);
}

static std::string check_pool(const HiddenLayerSpec& h) {
  for (const std::string& why : {in_range("the window size F", h.size, 1, kMaxFilterSize),
                                 in_range("the stride S", h.stride, 1, kMaxStride)})
    if (!why.empty()) return why;
  if (h.batchnorm) return "a max pool layer takes no batchnorm; put it on the conv layer before";
  if (h.dropout_keep != 1.0) return "a max pool layer takes no dropout; put it on the conv layer before";
  return "";
}

static std::string check_image_input(const InputShape& in) {
  if (in.width < 1 || in.height < 1 || in.depth < 1)
    return "the image input needs a width, height and depth of at least 1 (got " + std::to_string(in.width) +
           "x" + std::to_string(in.height) + "x" + std::to_string(in.depth) + ")";
  if (in.width > kMaxImageSide || in.height > kMaxImageSide)
    return "the image input can be at most " + std::to_string(kMaxImageSide) + " pixels wide and high (got " +
           std::to_string(in.width) + "x" + std::to_string(in.height) + ")";
  if (in.depth > kMaxImageDepth)
    return "the image input can have " + limit_message("channels", kMaxImageDepth, in.depth);
  return "";
}

// Conv or pool: the checks, then the output volume by the calculator's function.
static std::string window_layer(const HiddenLayerSpec& h, bool image, bool after_fc, Volume& v) {
  const bool conv = h.type == LayerType::Conv;
  if (!image)
    return std::string("a ") + (conv ? "conv" : "pool") +
           " layer needs an image input: set the input's width, height and depth";
  if (after_fc)
    return "conv and pool layers must come before the fully connected ones (a fully connected layer's "
           "output has no width and height)";
  std::string why = conv ? check_conv(h, v) : check_pool(h);
  if (!why.empty()) return why;
  const VolumeSize vs = conv_output_volume(v, h.size, h.stride, conv ? h.pad : 0, conv ? h.filters : v.D);
  if (!vs.valid) return vs.reason;
  if (vs.out.count() > kMaxLayerVolume)
    return "its output volume " + std::to_string(vs.out.W) + "x" + std::to_string(vs.out.H) + "x" +
           std::to_string(vs.out.D) + " has " +
           limit_message("values per image", kMaxLayerVolume, (long long)vs.out.count()) +
           "; use a stride, fewer filters or a pool layer before it";
  v = vs.out;
  return "";
}

NetLayout net_layout(const ModelSpec& spec, int input_dim) {
  NetLayout out;
  const bool image = spec.input.is_image();
  if (int(spec.hidden.size()) > kMaxHiddenLayers) {
    out.problem = "a network can have " +
                  limit_message("hidden layers", kMaxHiddenLayers, (long long)spec.hidden.size()) + "; remove some";
    return out;
  }
  if (image) {
    out.problem = check_image_input(spec.input);
    if (!out.ok()) return out;
  }
  Volume v = image ? Volume{spec.input.width, spec.input.height, spec.input.depth} : Volume{1, 1, input_dim};
  out.volumes.push_back(v);
  bool after_fc = false;
  for (size_t l = 0; l < spec.hidden.size(); ++l) {
    const HiddenLayerSpec& h = spec.hidden[l];
    std::string why;
    if (h.type == LayerType::FC) {
      why = check_fc(h, v.count());
      v = {1, 1, h.width};
      after_fc = true;
    } else {
      why = window_layer(h, image, after_fc, v);
    }
    if (!why.empty()) {
      out.bad_layer = int(l);
      out.problem = why;
      return out;
    }
    out.volumes.push_back(v);
  }
  return out;
}

// Throws std::runtime_error with a sentence naming the bad setting.
static NetLayout validate(const ModelSpec& spec, int input_dim, int num_classes) {
  if (input_dim < 1) throw std::runtime_error("A network needs at least one input feature.");
  if (is_regression(spec.loss.kind) && num_classes < 1)
    throw std::runtime_error("A regression network needs at least one output.");
  if (!is_regression(spec.loss.kind) && num_classes < 2)
    throw std::runtime_error("A network needs at least two classes.");
  if (spec.input.is_image() && spec.input.size() != input_dim && check_image_input(spec.input).empty())
    throw std::runtime_error("The network expects " + std::to_string(spec.input.width) + "x" +
                             std::to_string(spec.input.height) + "x" + std::to_string(spec.input.depth) +
                             " images (" + std::to_string(spec.input.size()) + " values per row) but the data has " +
                             std::to_string(input_dim) + " features per row.");
  NetLayout layout = net_layout(spec, input_dim);
  if (layout.ok()) return layout;
  std::string where = "The network: ";
  if (layout.bad_layer >= 0)
    where = "Hidden layer " + std::to_string(layout.bad_layer + 1) + " (" +
            enum_label(spec.hidden[size_t(layout.bad_layer)].type) + "): ";
  throw std::runtime_error(where + layout.problem + ".");
}

// One hidden layer with fresh parameters on an input volume `in` (flat: 1 x 1 x D).
// The Rng draws W row by row, then b (random_bias only), as for every layer.
static HiddenLayer make_layer(const HiddenLayerSpec& hs, const Volume& in, const InitSpec& init, bool use_bias,
                              Rng& rng) {
  HiddenLayer L;
  L.spec = hs;
  int fan_in = int(in.count());
  switch (hs.type) {
    case LayerType::FC: L.pieces = hs.act == Activation::Maxout ? hs.width * hs.maxout_k : hs.width; break;
    case LayerType::Conv:
      L.geom = conv_geom(in, hs.filters, hs.size, hs.stride, hs.pad);
      L.pieces = hs.filters;
      fan_in = in.D * hs.size * hs.size;  // one filter: F x F x C
      break;
    case LayerType::Pool: L.geom = pool_geom(in, hs.size, hs.stride); return L;
  }
  L.W.resize(L.pieces, fan_in);
  L.b = Mat::Zero(1, L.pieces);
  init_weights(L.W, init, rng);
  if (use_bias) init_bias(L.b, init, rng);
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
  return L;
}

Net::Net(const ModelSpec& spec, int input_dim, int num_classes, Rng& rng)
    : use_bias(spec.use_bias), loss_spec_(spec.loss), input_dim_(input_dim) {
  const NetLayout layout = validate(spec, input_dim, num_classes);
  input_volume = layout.volumes[0];
  for (size_t l = 0; l < spec.hidden.size(); ++l)
    layers.push_back(make_layer(spec.hidden[l], layout.volumes[l], spec.init, use_bias, rng));
  const int fan_in = int(layout.volumes.back().count());  // the last volume, flattened
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
    if (!L.has_weights()) continue;
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
// x is (N, fan_in): for conv and pool layers (N, C*H*W). Returns (N, width),
// or (N, K*H'*W') for conv and pool. `act_out` (optional) receives the
// activation's output before dropout. The running averages come apart from L
// so that test mode can pass copies and leave the Net untouched.

static Mat hidden_forward(const HiddenLayer& L, const Mat& x, bool train, Rng* rng,
                          Mat& running_mean, Mat& running_var, HiddenCache& c, Mat* act_out) {
  if (L.spec.type == LayerType::Pool) {
    Mat h = maxpool_forward(x, L.geom, c.pool);  // (N, C*H'*W')
    c.act.x = h;                                   // no activation: pre = post
    if (act_out) *act_out = h;
    return h;
  }
  const bool conv = L.spec.type == LayerType::Conv;
  Mat a = conv ? conv_forward(x, L.W, L.b, L.geom, c.conv)   // (N, K*H'*W')
               : affine_forward(x, L.W, L.b, c.affine);     // (N, pieces)
  if (L.spec.batchnorm)
    a = conv ? spatial_batchnorm_forward(a, L.pieces, L.gamma, L.beta, train, running_mean, running_var, c.bn)
             : batchnorm_forward(a, L.gamma, L.beta, train, running_mean, running_var, c.bn);
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

// dh is (N, width) (conv and pool: (N, K*H'*W')); fills L.dW, L.db (and
// dgamma, dbeta) and returns dx (N, fan_in). Regularisation is added by the caller.
static Mat hidden_backward(HiddenLayer& L, const Mat& dh) {
  const HiddenCache& c = L.cache;
  if (L.spec.type == LayerType::Pool) return maxpool_backward(dh, L.geom, c.pool);
  const bool conv = L.spec.type == LayerType::Conv;
  Mat d = dropout_backward(dh, c.dropout);
  if (L.spec.act == Activation::Maxout) d = maxout_backward(d, L.spec.maxout_k, c.maxout);
  else d = activation_backward(L.spec.act, L.spec.alpha, d, c.act);
  if (L.spec.batchnorm) {
    Mat da;
    if (conv) spatial_batchnorm_backward(d, L.pieces, c.bn, da, L.dgamma, L.dbeta);
    else batchnorm_backward(d, c.bn, da, L.dgamma, L.dbeta);
    d = std::move(da);
  }
  Mat dx;
  if (conv) conv_backward(d, L.W, L.geom, c.conv, dx, L.dW, L.db);
  else affine_backward(d, L.W, c.affine, dx, L.dW, L.db);
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
    if (!hidden) continue;
    const std::string n = std::to_string(l + 1);
    switch (L.spec.type) {
      case LayerType::FC:
        hidden->push_back({"hidden " + n, L.spec.act, std::move(c.act.x), std::move(act)});
        break;
      case LayerType::Conv:
        hidden->push_back({"conv " + n, L.spec.act, std::move(c.act.x), std::move(act), LayerType::Conv, L.geom.out()});
        break;
      case LayerType::Pool:
        hidden->push_back({"pool " + n, Activation::Linear, std::move(c.act.x), std::move(act), LayerType::Pool,
                           L.geom.out()});
        break;
    }
  }
  AffineCache c;
  return affine_forward(h, W_out, b_out, c);
}

double Net::reg_loss() const {
  double r = 0;
  for (const HiddenLayer& L : layers)
    if (L.has_weights()) r += nn::reg_loss(L.W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio);
  return r + nn::reg_loss(W_out, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio);
}

LossParts Net::forward_backward(const Mat& X, const Labels& y, Rng& rng) {
  check_input(X);
  const Mat s = forward_train(X, rng);
  const DataLoss dl = data_loss(s, y, loss_spec_);
  last_y_ = y;
  last_T_.resize(0, 0);
  return backward(s, dl);
}

LossParts Net::forward_backward_targets(const Mat& X, const Mat& T, Rng& rng) {
  check_input(X);
  const Mat s = forward_train(X, rng);
  const DataLoss dl = regression_loss(s, T, loss_spec_);
  last_y_.clear();
  last_T_ = T;
  return backward(s, dl);
}

LossParts Net::loss_targets(const Mat& X, const Mat& T) const {
  return {regression_loss(scores(X), T, loss_spec_).loss, reg_loss()};
}

LossParts Net::backward(const Mat& s, const DataLoss& dl) {
  // Backward, output side first.
  Mat dh;
  affine_backward(dl.dscores, W_out, out_cache_, dh, dW_out, db_out);
  for (size_t l = layers.size(); l-- > 0;) dh = hidden_backward(layers[l], dh);

  // Regularisation on every W; biases stay exactly zero without a bias.
  add_reg_grad(W_out, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio, dW_out);
  for (HiddenLayer& L : layers) {
    if (!L.has_weights()) continue;
    add_reg_grad(L.W, loss_spec_.reg, loss_spec_.lambda, loss_spec_.l1_ratio, L.dW);
    if (!use_bias) L.db.setZero();
  }
  if (!use_bias) db_out.setZero();

  last_scores_ = s;
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
  // Only what changes no shape: dropout p and the activation's alpha (pool
  // layers have neither).
  for (size_t l = 0; l < layers.size() && l < spec.hidden.size(); ++l) {
    if (!layers[l].has_weights()) continue;
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
  for (const HiddenLayer& L : layers)
    if (L.spec.type != LayerType::FC)
      throw std::runtime_error(
          "A ConvNet is not a chain of affine layers: only fully connected networks can be folded for the "
          "2D decision-region scorer.");
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
    if (L.spec.type == LayerType::Pool) {
      // A different winner in any window changes which input gets the gradient.
      pattern.insert(pattern.end(), L.cache.pool.argmax.begin(), L.cache.pool.argmax.end());
      continue;
    }
    if (L.spec.act == Activation::Maxout)
      pattern.insert(pattern.end(), L.cache.maxout.argmax.begin(), L.cache.maxout.argmax.end());
    else
      append_activation_kinks(L.spec.act, L.spec.alpha, L.cache.act.x, pattern);
    append_reg_kinks(L.W, loss_spec_, pattern);
  }
  append_reg_kinks(W_out, loss_spec_, pattern);
  if (is_regression(loss_spec_.kind)) append_regression_kinks(last_scores_, last_T_, loss_spec_, pattern);
  else append_loss_kinks(last_scores_, last_y_, loss_spec_, pattern);
  return pattern;
}

}  // namespace nn
