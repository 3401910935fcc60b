// Tests of the fused small-network pass (core/fast/tiny_net.h): its loss and
// gradients against the double reference's forward_backward, directly; the
// fast engine with the pass against the same engine without it (the layer
// path) over many steps; which descriptions it takes; whole runs of the
// playground's tanh classify2d network against the reference engine; and
// the vectorised log it uses for the softmax. Bounds are stated where they
// are checked (float32 unit roundoff 6e-8).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <memory>

#include "core/data/dataset.h"
#include "core/fast/fast_engine.h"
#include "core/fast/simd.h"
#include "core/fast/tiny_net.h"
#include "core/train/trainer.h"
#include "test_util.h"

using namespace nn;

namespace {

// A random small description: `layers` hidden layers of width 1..max_width
// with activation act (or a linear classifier for layers < 0).
ModelSpec small_spec(Rng& shapes, int layers, Activation act, LossKind loss, bool bias, int max_width) {
  ModelSpec spec;
  spec.kind = layers < 0 ? ModelKind::Linear : ModelKind::Net;
  spec.hidden.clear();
  for (int l = 0; l < layers; ++l) {
    HiddenLayerSpec h = HiddenLayerSpec::fc(1 + shapes.randint(max_width), act);
    h.alpha = 0.2;
    spec.hidden.push_back(h);
  }
  spec.use_bias = bias;
  spec.loss.kind = loss;
  spec.loss.delta = 0.7;
  spec.loss.reg = RegKind::None;
  spec.init.kind = InitKind::Xavier;
  return spec;
}

// The arena blocks the fast engine's dense layers register (names, shapes,
// W stored transposed), filled from the reference model.
void arena_from_model(const ModelSpec& spec, const Model& m, int D, int C, fast::ParamArena& P) {
  const bool linear = spec.kind == ModelKind::Linear;
  const size_t L = linear ? 0 : spec.hidden.size();
  int in = D;
  for (size_t l = 0; l <= L; ++l) {
    const int out = l < L ? spec.hidden[l].width : C;
    const std::string s = linear ? "" : std::to_string(l + 1);
    P.add("W" + s, out, in, true, true);
    if (spec.use_bias) P.add("b" + s, 1, out, false);
    in = out;
  }
  P.allocate();
  for (size_t b = 0; b < P.blocks().size(); ++b) {
    const fast::ParamBlock& blk = P.blocks()[b];
    const Mat& v = *m.param(blk.name);
    float* dst = P.value(int(b));
    for (int r = 0; r < blk.rows; ++r)
      for (int c = 0; c < blk.cols; ++c) (blk.transposed ? dst[long(c) * blk.rows + r] : dst[long(r) * blk.cols + c]) = float(v(r, c));
  }
}

}  // namespace

namespace {
// The fused pass on a batch of N rows of random data against the double
// reference's forward_backward: the loss and every parameter's gradient.
void check_against_reference(const ModelSpec& spec, int D, int C, int N, int n_case) {
  REQUIRE(fast::tiny_net_unsupported(spec, D, C).empty());
  Rng rng(500 + n_case);
  const Mat X = test::random_mat(N + 7, D, rng);
  const Labels y = test::random_labels(N + 7, C, rng);
  Rng init(600 + n_case);
  std::unique_ptr<Model> ref = make_model(spec, D, C, init);
  for (const ParamRef& p : ref->params())  // biases away from 0
    if (!p.regularized) *p.value += 0.1 * test::random_mat(int(p.value->rows()), int(p.value->cols()), rng);
  fast::ParamArena P;
  arena_from_model(spec, *ref, D, C, P);
  // The float values as doubles, so both start from the same numbers.
  for (const ParamRef& p : ref->params()) *p.value = p.value->cast<float>().cast<double>();
  std::vector<float> Xf(size_t(X.size()));
  for (Eigen::Index k = 0; k < X.size(); ++k) Xf[size_t(k)] = float(X.data()[k]);
  std::vector<int> idx(static_cast<size_t>(N));
  Mat Xb(N, D);
  Labels yb(static_cast<size_t>(N));
  for (int i = 0; i < N; ++i) {
    idx[size_t(i)] = (i * 5 + 2) % (N + 7);
    Xb.row(i) = X.row(idx[size_t(i)]).cast<float>().cast<double>();
    yb[size_t(i)] = y[size_t(idx[size_t(i)])];
  }
  fast::TinyNet net(spec, D, C, P);
  const double sum = net.forward_backward(Xf.data(), y.data(), idx.data(), N, spec.loss, P);
  Rng masks(1);
  const LossParts lp = ref->forward_backward(Xb, yb, masks);
  // Loss: relative 1e-5 (float sums over the layers and classes).
  REQUIRE(sum / N == Approx(lp.data_loss).epsilon(1e-5).margin(1e-6));
  double total_sq = 0;
  for (const ParamRef& p : ref->params()) total_sq += p.grad->squaredNorm();
  for (const ParamRef& p : ref->params()) {
    const int b = P.find(p.name);
    REQUIRE(b >= 0);
    const fast::ParamBlock& blk = P.blocks()[size_t(b)];
    Mat g(blk.rows, blk.cols);
    const float* src = P.grad(b);
    for (int r = 0; r < blk.rows; ++r)
      for (int c = 0; c < blk.cols; ++c) g(r, c) = blk.transposed ? src[long(c) * blk.rows + r] : src[long(r) * blk.cols + c];
    // Per parameter, norm-wise: 1e-4 of its gradient plus 1e-6 of the whole
    // gradient (a parameter whose exact gradient is ~0 gets float noise on
    // the scale of the others; the hinge losses' kinks are not hit by
    // random data at this distance).
    INFO(p.name << ": |g_ref| " << p.grad->norm() << ", |g_fast - g_ref| " << (g - *p.grad).norm());
    REQUIRE((g - *p.grad).norm() <= 1e-4 * p.grad->norm() + 1e-6 * std::sqrt(total_sq) + 1e-7);
  }
}
}  // namespace

TEST_CASE("the fused small-network pass has the reference's loss and gradient for every activation and loss",
          "[tiny_net]") {
  Rng shapes(41);
  int n_case = 0;
  for (Activation act : {Activation::ReLU, Activation::LeakyReLU, Activation::ELU, Activation::Tanh,
                         Activation::Sigmoid, Activation::Linear})
    for (LossKind loss : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax}) {
      const int layers = act == Activation::Linear && loss == LossKind::SVM ? -1 : shapes.randint(4);  // -1: linear classifier
      ModelSpec spec = small_spec(shapes, layers, act, loss, n_case % 3 != 0, fast::kTinyMaxWidth);
      const int D = 1 + shapes.randint(fast::kTinyMaxWidth), C = 2 + shapes.randint(9);
      const int N = 1 + shapes.randint(41);  // batches that are and are not multiples of 4
      INFO("case " << n_case << ": " << enum_label(act) << ", " << enum_label(loss) << ", " << layers
                   << " hidden layers, D " << D << " C " << C << " N " << N);
      check_against_reference(spec, D, C, N, n_case);
      ++n_case;
    }
}


TEST_CASE("the fused pass's packed gradient sums: layers of width 2 after odd and even widths, widths 1, 3, 5, 6",
          "[tiny_net]") {
  // The dW reductions of layers whose width is not a multiple of four (four
  // columns per sum, and the width-2 form two rows at a time with an odd
  // row left over) against the reference.
  const std::vector<std::vector<int>> nets = {{5, 2}, {6, 2}, {3, 2, 2}, {2}, {7, 1}, {6, 3}, {5, 6, 2}, {1, 5}};
  int n_case = 100;
  for (const auto& widths : nets)
    for (int D : {1, 2, 3})
      for (int C : {2, 3}) {
        ModelSpec spec;
        spec.hidden.clear();
        for (int w : widths) spec.hidden.push_back(HiddenLayerSpec::fc(w, Activation::Tanh));
        spec.loss.kind = LossKind::Softmax;
        spec.loss.reg = RegKind::None;
        spec.init.kind = InitKind::Xavier;
        const int N = 1 + (n_case * 7) % 23;
        INFO("case " << n_case << ": D " << D << " C " << C << " N " << N << " widths " << widths.size());
        check_against_reference(spec, D, C, N, n_case);
        ++n_case;
      }
}

TEST_CASE("the fast engine with the fused pass follows the layer path step by step, and leaves it for dropout",
          "[tiny_net]") {
  Rng shapes(42);
  for (int n_case = 0; n_case < 12; ++n_case) {
    const Activation acts[] = {Activation::Tanh, Activation::ReLU, Activation::Sigmoid, Activation::ELU};
    const LossKind losses[] = {LossKind::Softmax, LossKind::SVM, LossKind::Softmax, LossKind::OneVsAll};
    ModelSpec spec = small_spec(shapes, 1 + n_case % 3, acts[n_case % 4], losses[n_case % 4], true, 16);
    spec.loss.reg = RegKind(n_case % 4);
    spec.loss.lambda = 0.01;
    spec.optim.kind = n_case % 2 ? OptimKind::Adam : OptimKind::Momentum;
    spec.optim.lr = 0.02;
    const int D = 2 + shapes.randint(6), C = 2 + shapes.randint(3), rows = 60;
    INFO("case " << n_case << ", D " << D << " C " << C);
    Rng rng(700 + n_case);
    const Mat X = test::random_mat(rows, D, rng);
    const Labels y = test::random_labels(rows, C, rng);
    Rng init(800 + n_case);
    std::unique_ptr<Model> m0 = make_model(spec, D, C, init);
    FastEngineOptions fused, layers;
    layers.fused_small = false;
    std::unique_ptr<Engine> a = make_fast_engine(spec, *m0, fused), b = make_fast_engine(spec, *m0, layers);
    a->set_training_set(X, y);
    b->set_training_set(X, y);
    std::vector<int> idx(rows);
    for (int i = 0; i < rows; ++i) idx[size_t(i)] = (i * 7 + 1) % rows;
    Rng ra(3), rb(3);
    for (int step = 0; step < 30; ++step) {
      const int n = 1 + (step * 7) % 13;  // 1..13 rows
      const int* batch = idx.data() + (step * 11) % (rows - 13);
      const EngineStep sa = a->step(batch, n, 0.05, 0.0, ra), sb = b->step(batch, n, 0.05, 0.0, rb);
      // Losses relative 1e-5 (float rounding, compounded over the steps).
      REQUIRE(sa.loss.data_loss == Approx(sb.loss.data_loss).epsilon(1e-5).margin(1e-7));
      REQUIRE(sa.grad_norm == Approx(sb.grad_norm).epsilon(1e-4).margin(1e-7));
    }
    // Parameters after 30 steps: relative 1e-5 norm-wise.
    const Model& ma = a->model();
    const Model& mb = b->model();
    for (const ConstParamRef& p : mb.params_view()) {
      INFO(p.name);
      REQUIRE((*ma.param(p.name) - *p.value).norm() <= 1e-5 * p.value->norm() + 1e-7);
    }
    // Dropout switched on without a new model: the fused engine must go back
    // to the layers (the pass has no dropout): both now run the same code on
    // the same parameters, so with the same mask stream the steps are equal.
    ModelSpec drop = spec;
    for (HiddenLayerSpec& h : drop.hidden) h.dropout_keep = 0.5;
    a->set_params(mb);
    a->reset_optimizer(spec.optim);
    b->reset_optimizer(spec.optim);
    a->set_hyperparameters(drop);
    b->set_hyperparameters(drop);
    Rng da(9), db(9);
    const EngineStep sa = a->step(idx.data(), 12, 0.05, 0.0, da), sb = b->step(idx.data(), 12, 0.05, 0.0, db);
    REQUIRE(sa.loss.data_loss == sb.loss.data_loss);
    for (const ConstParamRef& p : b->model().params_view()) REQUIRE(*a->model().param(p.name) == *p.value);
  }
}

TEST_CASE("the fused pass takes small fully connected nets and refuses what it does not compute", "[tiny_net]") {
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(6, Activation::Tanh), HiddenLayerSpec::fc(2, Activation::Tanh)};
  CHECK(fast::tiny_net_unsupported(spec, 2, 2).empty());
  CHECK_FALSE(fast::tiny_net_unsupported(spec, fast::kTinyMaxWidth + 1, 2).empty());  // 784 pixels go to the GEMMs
  CHECK_FALSE(fast::tiny_net_unsupported(spec, 2, fast::kTinyMaxWidth + 1).empty());
  for (int variant = 0; variant < 4; ++variant) {
    ModelSpec s = spec;
    HiddenLayerSpec& h = s.hidden[1];
    if (variant == 0) h.batchnorm = true;
    if (variant == 1) h.dropout_keep = 0.8;
    if (variant == 2) h.act = Activation::Maxout;
    if (variant == 3) h.width = fast::kTinyMaxWidth + 1;
    INFO("variant " << variant);
    CHECK_FALSE(fast::tiny_net_unsupported(s, 2, 2).empty());
  }
  ModelSpec conv;
  conv.input = {8, 8, 1};
  conv.hidden = {HiddenLayerSpec::conv(2, 3, 1, 1), HiddenLayerSpec::pool(2, 2)};
  CHECK_FALSE(fast::tiny_net_unsupported(conv, 64, 2).empty());
}

TEST_CASE("500 steps of the classify2d tanh net: fast (fused) and reference losses agree every 50 steps",
          "[tiny_net]") {
  // ConvNetJS's classify2d default: 2-6-2-2 tanh, softmax, L2 1e-3,
  // momentum, batch 10, on the circle data. Bound: 1e-3 relative, as for
  // the spiral run (test_fast_engine_runs.cpp); tanh saturation keeps the
  // float rounding small here.
  const Dataset data = make_circle(100, 0.1, 7);
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(6, Activation::Tanh), HiddenLayerSpec::fc(2, Activation::Tanh)};
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::L2;
  spec.loss.lambda = 1e-3;
  spec.init.kind = InitKind::Xavier;
  spec.optim.kind = OptimKind::Momentum;
  spec.optim.lr = 0.05;
  spec.optim.mu = 0.9;
  spec.optim.batch_size = 10;
  ModelSpec rs = spec;
  rs.engine = EngineKind::Reference;
  Trainer fast(data, spec), ref(data, rs);
  REQUIRE(fast.engine_kind() == EngineKind::Fast);
  fast.set_eval_every(1 << 30);
  ref.set_eval_every(1 << 30);
  double worst = 0;
  for (int step = 1; step <= 500; ++step) {
    const StepStats a = fast.step(), b = ref.step();
    if (step % 50) continue;
    const double ta = a.data_loss + a.reg_loss, tb = b.data_loss + b.reg_loss;
    worst = std::max(worst, std::fabs(ta - tb) / tb);
    INFO("step " << step << ": fast " << ta << ", reference " << tb);
    REQUIRE(std::fabs(ta - tb) <= 1e-3 * tb);
  }
  const double acc_fast = fast.accuracy(false), acc_ref = ref.accuracy(false);
  std::printf("classify2d tanh net, fused fast vs reference, 500 steps: worst relative loss difference %.2e, "
              "accuracy %.3f vs %.3f\n", worst, acc_fast, acc_ref);
  REQUIRE(acc_ref > 0.8);  // it learns the circle
  REQUIRE(std::fabs(acc_fast - acc_ref) <= 0.01);
}

TEST_CASE("vectorised log is accurate on the softmax's range and beyond", "[tiny_net]") {
  // Stated bound: absolute error below 2e-7 + 1e-7 |log x| (about one float
  // rounding of the result) for x from 1e-30 to 1e30.
  double worst = 0;
  for (double e = -30; e <= 30; e += 0.0137) {
    const float x = float(std::pow(10.0, e));
    float out[4];
    simd::store(out, simd::log(simd::splat(x)));
    const double want = std::log(double(x));
    const double err = std::fabs(out[0] - want);
    worst = std::max(worst, err / (2e-7 + 1e-7 * std::fabs(want)));
    INFO("x = " << x);
    REQUIRE(err <= 2e-7 + 1e-7 * std::fabs(want));
  }
  for (float x : {1.f, 2.f, 1.41421f, 1.41422f, 0.70710f, 3.f, 10.f}) {
    float out[4];
    simd::store(out, simd::log(simd::splat(x)));
    INFO("x = " << x);
    REQUIRE(std::fabs(out[0] - std::log(double(x))) <= 2e-7);
  }
  std::printf("simd::log: worst error %.2f of the bound\n", worst);
}

TEST_CASE("the rational tanh is within 4e-7 of tanh everywhere, odd, and never beyond +-1", "[tiny_net]") {
  // Stated bound: absolute error 4e-7 (measured 3.4e-7: a few float
  // roundings of the 16 multiply-adds; the fit itself is 5e-8).
  double worst = 0, worst_x = 0;
  int not_odd = 0, beyond_one = 0;
  for (int i = 0; i <= 400000; ++i) {
    const float x = float(-12.0 + 24.0 * i / 400000);
    float out[4], neg[4];
    simd::store(out, simd::tanh(simd::splat(x)));
    simd::store(neg, simd::tanh(simd::splat(-x)));
    const double err = std::fabs(out[0] - std::tanh(double(x)));
    if (err > worst) worst = err, worst_x = x;
    not_odd += neg[0] != -out[0];
    beyond_one += std::fabs(out[0]) > 1.f;
  }
  INFO("worst at x = " << worst_x);
  REQUIRE(worst <= 4e-7);
  REQUIRE(not_odd == 0);
  REQUIRE(beyond_one == 0);
  float big[4];
  simd::store(big, simd::tanh(simd::f4{-1e30f, 1e30f, -INFINITY, INFINITY}));
  CHECK(big[0] == -1.f);
  CHECK(big[1] == 1.f);
  CHECK(big[2] == -1.f);
  CHECK(big[3] == 1.f);
  std::printf("rational tanh: worst absolute error %.2e\n", worst);
}
