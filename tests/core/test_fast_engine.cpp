// Tests of the float32 engine against the double-precision reference it
// speeds up: the GEMM kernel and the activations on odd shapes, one step's
// gradient for every loss, regulariser, activation, bias/no-bias, batchnorm,
// maxout and dropout combination on random shapes, every optimiser's update,
// clipping, restore_last_good, set_params / model() and test-mode scores.
// Each bound is stated where it is checked; float32 has a unit roundoff of
// 6e-8, and the bounds leave room for sums of a few hundred terms.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "core/fast/fast_engine.h"
#include "core/fast/fast_layers.h"
#include "core/fast/fast_loss.h"
#include "core/fast/fast_optim.h"
#include "core/fast/gemm.h"
#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/models/layers.h"
#include "core/models/net.h"
#include "core/train/optim.h"
#include "test_util.h"

using namespace nn;

namespace {

std::vector<float> random_floats(size_t n, Rng& rng, double scale = 1.0) {
  std::vector<float> v(n);
  for (float& x : v) x = float(scale * rng.normal());
  return v;
}

double rel_diff(const Mat& a, const Mat& b) { return (a - b).norm() / std::max(1e-30, b.norm()); }

}  // namespace

TEST_CASE("the 4x8 float GEMM matches the plain triple loop on odd shapes, both A layouts, with bias and activation",
          "[fast_engine]") {
  Rng rng(11);
  // |C - C_ref| <= 1e-5 * (1 + sum_k |a_ik b_kj|): float products summed over K <= 37.
  for (int I : {1, 2, 3, 4, 5, 7, 9, 17})
    for (int J : {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 33})
      for (int K : {1, 3, 8, 37})
        for (bool transposed : {false, true}) {
          const std::vector<float> A = random_floats(size_t(I) * K, rng),
                                   B = random_floats(size_t(K) * J + fast::kGemmSlack, rng),
                                   bias = random_floats(size_t(J), rng);
          const fast::GemmA a = transposed ? fast::GemmA{A.data(), 1, I} : fast::GemmA{A.data(), K, 1};
          const Activation act = Activation((I + J + K) % 5);  // ReLU .. Sigmoid
          std::vector<float> C(size_t(I) * J), Cr(size_t(I) * J), H(size_t(I) * J), Hr(size_t(I) * J);
          fast::gemm(I, J, K, a, B.data(), J, C.data(), J, {bias.data(), act, 0.1f, H.data()});
          fast::gemm_reference(I, J, K, a, B.data(), J, Cr.data(), J, {bias.data(), act, 0.1f, Hr.data()});
          for (int i = 0; i < I; ++i)
            for (int j = 0; j < J; ++j) {
              double mag = 1 + std::fabs(bias[size_t(j)]);
              for (int k = 0; k < K; ++k) mag += std::fabs(a.at(i, k) * B[size_t(k) * J + j]);
              const size_t at = size_t(i) * J + j;
              INFO("I=" << I << " J=" << J << " K=" << K << " transposed=" << transposed);
              REQUIRE(std::fabs(C[at] - Cr[at]) <= 1e-5 * mag);
              REQUIRE(std::fabs(H[at] - Hr[at]) <= 1e-5 * mag);
            }
        }
}

TEST_CASE("transpose_rows writes exactly the transpose, any shape and any range of output rows", "[fast_engine]") {
  Rng rng(12);
  for (int rows : {1, 3, 4, 5, 8, 11})
    for (int cols : {1, 2, 4, 6, 9, 16})
      for (int o0 = 0; o0 <= cols; ++o0)
        for (int o1 = o0; o1 <= cols; ++o1) {
          const std::vector<float> src = random_floats(size_t(rows) * cols, rng);
          std::vector<float> dst(size_t(rows) * cols, -7.f);
          fast::transpose_rows(src.data(), rows, cols, dst.data(), o0, o1);
          INFO("rows=" << rows << " cols=" << cols << " o0=" << o0 << " o1=" << o1);
          for (int o = 0; o < cols; ++o)
            for (int i = 0; i < rows; ++i)
              REQUIRE(dst[size_t(o) * rows + i] == (o >= o0 && o < o1 ? src[size_t(i) * cols + o] : -7.f));
        }
}

TEST_CASE("parallel_for runs every item once per job, back to back and after the workers went to sleep",
          "[fast_engine]") {
  // Jobs right after one another find the workers spinning; a pause longer
  // than the spin time lets them sleep, and the next job must wake them (a
  // lost wake-up would hang here, or a chunk would run twice or not at all).
  for (double spin : {kParallelSpinSeconds, 0.0}) {
    set_parallel_spin(spin);
    for (int job = 0; job < 120; ++job) {
      const int n = 1 + job % 37;
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      for (auto& h : hits) h = 0;
      parallel_for(n, [&](int b, int e) {
        for (int i = b; i < e; ++i) hits[size_t(i)].fetch_add(1);
      });
      for (int i = 0; i < n; ++i) REQUIRE(hits[size_t(i)].load() == 1);
      if (job % 20 == 19) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  set_parallel_spin(0);  // the default
}

TEST_CASE("copy32 copies exactly the n values std::copy does, at every alignment", "[fast_engine]") {
  Rng rng(11);
  const std::vector<float> src = random_floats(48, rng);
  std::vector<int> isrc(48);
  for (size_t k = 0; k < isrc.size(); ++k) isrc[k] = int(rng.randint(1 << 30)) - (1 << 29);
  for (size_t n = 0; n <= 40; ++n)
    for (size_t from = 0; from < 4; ++from)
      for (size_t to = 0; to < 4; ++to) {
        std::vector<float> got(48, -7.f), want(48, -7.f);
        simd::copy32(got.data() + to, src.data() + from, n);
        std::copy(src.begin() + long(from), src.begin() + long(from + n), want.begin() + long(to));
        REQUIRE(got == want);  // the values, and nothing written outside them
        std::vector<int> igot(48, 5), iwant(48, 5);
        simd::copy32(igot.data() + to, isrc.data() + from, n);
        std::copy(isrc.begin() + long(from), isrc.begin() + long(from + n), iwant.begin() + long(to));
        REQUIRE(igot == iwant);
      }
}

TEST_CASE("reg_loss_and_grad equals reg_loss then add_reg_grad bit for bit, every regulariser and length",
          "[fast_engine]") {
  Rng rng(17);
  for (RegKind reg : {RegKind::None, RegKind::L2, RegKind::L1, RegKind::ElasticNet})
    for (long n : {0L, 1L, 3L, 4L, 7L, 12L, 255L, 256L, 257L, 600L}) {
      LossSpec spec;
      spec.reg = reg;
      spec.lambda = 0.0137;
      spec.l1_ratio = 0.3;
      std::vector<float> W(size_t(n) + 1), g(W.size()), g2(W.size());
      for (size_t k = 0; k < W.size(); ++k) {
        W[k] = k % 5 == 0 ? 0.f : float(rng.uniform(-2, 2));
        g[k] = g2[k] = float(rng.uniform(-1, 1));
      }
      const double a = fast::reg_loss(W.data(), n, spec);
      fast::add_reg_grad(W.data(), n, spec, g.data());
      const double b = fast::reg_loss_and_grad(W.data(), n, spec, g2.data());
      REQUIRE(std::memcmp(&a, &b, sizeof a) == 0);
      REQUIRE(std::memcmp(g.data(), g2.data(), g.size() * sizeof(float)) == 0);  // the element past n untouched too
    }
}

TEST_CASE("the SIMD activations and their derivatives match the reference layers", "[fast_engine]") {
  Rng rng(12);
  const int N = 7, M = 9;  // 63 values: vectors and a tail
  const Mat x = test::random_mat(N, M, rng, 3.0), dout = test::random_mat(N, M, rng);
  std::vector<float> xf(x.data(), x.data() + x.size()), df(dout.data(), dout.data() + dout.size());
  for (Activation act : {Activation::ReLU, Activation::LeakyReLU, Activation::ELU, Activation::Tanh,
                         Activation::Sigmoid, Activation::Linear}) {
    const double alpha = 0.3;
    ActCache cache;
    const Mat out = activation_forward(act, alpha, x, cache);
    const Mat dx = activation_backward(act, alpha, dout, cache);
    std::vector<float> h(xf.size()), dz(xf.size());
    fast::act_forward(act, float(alpha), xf.data(), h.data(), N * M);
    fast::act_backward(act, float(alpha), xf.data(), h.data(), df.data(), dz.data(), N * M);
    // Absolute 1e-6 on values of size up to ~10 (float inputs, simd.h's exp ~2e-7 relative).
    for (Eigen::Index k = 0; k < x.size(); ++k) {
      INFO(enum_label(act) << " at x = " << x.data()[k]);
      REQUIRE(std::fabs(h[size_t(k)] - out.data()[k]) <= 1e-6 * (1 + std::fabs(out.data()[k])));
      REQUIRE(std::fabs(dz[size_t(k)] - dx.data()[k]) <= 1e-6 * (1 + std::fabs(dx.data()[k])));
    }
  }
}

namespace {

struct Case {
  ModelSpec spec;
  int D, C, N;
};

// One SGD step with lr = 1 on the fast engine moves x to x - g: g = x_before - x_after.
// The reference's forward_backward on the same rows, with the same dropout stream, gives its g.
void check_one_step_with(const Case& c, uint64_t seed, const FastEngineOptions& options) {
  Rng rng(seed);
  const Mat X = test::random_mat(c.N + 5, c.D, rng);
  const Labels y = test::random_labels(c.N + 5, c.C, rng);
  ModelSpec spec = c.spec;
  spec.optim.kind = OptimKind::SGD;
  Rng init(seed + 1);
  std::unique_ptr<Model> ref = make_model(spec, c.D, c.C, init);
  // Biases and batchnorm parameters away from their initial 0 / 1 so their gradients matter.
  for (const ParamRef& p : ref->params())
    if (!p.regularized) *p.value += 0.1 * test::random_mat(int(p.value->rows()), int(p.value->cols()), rng);
  std::unique_ptr<Engine> fast = make_fast_engine(spec, *ref, options);
  fast->set_training_set(X, y);
  std::vector<int> idx(size_t(c.N));
  for (int i = 0; i < c.N; ++i) idx[size_t(i)] = (i * 7 + 3) % (c.N + 5);
  Mat Xb(c.N, c.D);
  Labels yb(size_t(c.N));
  for (int i = 0; i < c.N; ++i) {
    Xb.row(i) = X.row(idx[size_t(i)]);
    yb[size_t(i)] = y[size_t(idx[size_t(i)])];
  }
  const std::unique_ptr<Model> before = fast->model().clone();  // the float values, as doubles
  Rng r1(seed + 2), r2(seed + 2);
  const EngineStep s = fast->step(idx.data(), c.N, 1.0, 0.0, r1);
  ref->copy_params_from(*before);  // both start from exactly the same (float-representable) values
  const LossParts lp = ref->forward_backward(Xb, yb, r2);
  // Losses: relative 1e-5 (float sums over the batch and the classes).
  REQUIRE(s.loss.data_loss == Approx(lp.data_loss).epsilon(1e-5).margin(1e-7));
  REQUIRE(s.loss.reg_loss == Approx(lp.reg_loss).epsilon(1e-5).margin(1e-9));
  const Model& after = fast->model();
  double sum_sq = 0;
  for (const ParamRef& p : ref->params()) sum_sq += p.grad->squaredNorm();
  REQUIRE(s.grad_norm == Approx(std::sqrt(sum_sq)).epsilon(1e-4));
  for (const ParamRef& p : ref->params()) {
    const Mat g = *before->param(p.name) - *after.param(p.name);
    // Per parameter, relative (norm-wise) 1e-4 of the gradient (2e-3 with
    // batchnorm: it divides by the batch's standard deviation, so a unit whose
    // values in the batch are close together amplifies the float rounding of
    // x - mean; measured up to 6e-4 on these shapes), plus 1e-6 of
    // the parameter for the float cancellation in x - (x - g), plus 1e-6 of
    // the whole gradient: a bias before batchnorm has an exact gradient of 0,
    // so its float gradient is rounding noise on the scale of the others.
    INFO("N " << c.N << " D " << c.D << " C " << c.C << " |g| " << p.grad->norm() << " |x| " << before->param(p.name)->norm());
    INFO(p.name << " of a " << enum_label(spec.kind) << " with loss " << enum_label(spec.loss.kind) << ", reg "
                << enum_label(spec.loss.reg));
    bool bn = false;
    for (const HiddenLayerSpec& h : spec.hidden) bn = bn || h.batchnorm;
    REQUIRE((g - *p.grad).norm() <=
            (bn ? 2e-3 : 1e-4) * p.grad->norm() + 1e-6 * before->param(p.name)->norm() + 1e-6 * std::sqrt(sum_sq) + 1e-7);
  }
}

// Both fast paths: small fully connected nets take the fused pass
// (tiny_net.h) by default; with it off they take the layer path.
void check_one_step(const Case& c, uint64_t seed) {
  FastEngineOptions layers;
  layers.fused_small = false;
  {
    INFO("default options (small nets: the fused pass)");
    check_one_step_with(c, seed, {});
  }
  INFO("the layer path");
  check_one_step_with(c, seed, layers);
}

}  // namespace

TEST_CASE("one fast step has the reference's loss and gradient: linear classifiers, every loss and regulariser",
          "[fast_engine]") {
  Rng shapes(21);
  int n = 0;
  for (LossKind loss : {LossKind::SVM, LossKind::OneVsAll, LossKind::CrammerSinger, LossKind::Softmax})
    for (RegKind reg : {RegKind::None, RegKind::L2, RegKind::L1, RegKind::ElasticNet})
      for (bool bias : {true, false}) {
        Case c;
        c.spec.kind = ModelKind::Linear;
        c.spec.hidden.clear();
        c.spec.use_bias = bias;
        c.spec.loss.kind = loss;
        c.spec.loss.reg = reg;
        c.spec.loss.lambda = 0.05;
        c.spec.loss.delta = 0.7;
        c.D = 1 + shapes.randint(12);
        c.C = 2 + shapes.randint(6);
        c.N = 1 + shapes.randint(40);
        check_one_step(c, 100 + uint64_t(n++));
      }
}

TEST_CASE("one fast step has the reference's loss and gradient: networks with every activation, batchnorm, "
          "maxout and dropout",
          "[fast_engine]") {
  Rng shapes(22);
  int n = 0;
  for (Activation act : {Activation::ReLU, Activation::LeakyReLU, Activation::ELU, Activation::Tanh,
                         Activation::Sigmoid, Activation::Maxout, Activation::Linear})
    for (int variant = 0; variant < 4; ++variant) {  // plain, batchnorm, dropout, both
      Case c;
      c.spec.kind = ModelKind::Net;
      c.spec.hidden.clear();
      const int layers = 1 + shapes.randint(3);
      for (int l = 0; l < layers; ++l) {
        HiddenLayerSpec h = HiddenLayerSpec::fc(1 + shapes.randint(19), act);
        h.alpha = 0.2;
        h.maxout_k = 2 + shapes.randint(2);
        h.batchnorm = variant & 1;
        h.dropout_keep = variant & 2 ? 0.7 : 1.0;
        c.spec.hidden.push_back(h);
      }
      c.spec.use_bias = n % 3 != 0;
      c.spec.loss.kind = LossKind(n % 4);
      c.spec.loss.reg = RegKind(n % 4);
      c.spec.loss.lambda = 0.01;
      c.spec.init.kind = InitKind::Xavier;
      c.D = 1 + shapes.randint(10);
      c.C = 2 + shapes.randint(4);
      c.N = 2 + shapes.randint(50);  // batchnorm needs two rows for a nonzero variance
      INFO("activation " << enum_label(act) << ", variant " << variant);
      check_one_step(c, 200 + uint64_t(n++));
    }
}

TEST_CASE("every fast optimiser update follows the reference's over several steps", "[fast_engine]") {
  Rng rng(31);
  for (OptimKind kind : {OptimKind::SGD, OptimKind::Momentum, OptimKind::Nesterov, OptimKind::Adagrad,
                         OptimKind::RMSProp, OptimKind::Adam}) {
    OptimSpec spec;
    spec.kind = kind;
    spec.mu = 0.8;
    spec.decay_rate = 0.95;
    const int rows = 3, cols = 7;  // 21 values: vectors and a tail
    Mat x = test::random_mat(rows, cols, rng), dx(rows, cols);
    std::vector<ParamRef> refs = {{"x", &x, &dx, true}};
    std::unique_ptr<Optimizer> ref = make_optimizer(spec);
    fast::FastOptimizer opt(spec);
    std::vector<float> xf(x.data(), x.data() + x.size()), xn(xf.size()), gf(xf.size());
    for (int step = 0; step < 5; ++step) {
      dx = test::random_mat(rows, cols, rng);
      for (Eigen::Index k = 0; k < dx.size(); ++k) gf[size_t(k)] = float(dx.data()[k]);
      ref->step(refs, 0.05);
      opt.step(xf.data(), xn.data(), gf.data(), xf.size(), 0.05, 1);
      std::swap(xf, xn);
      // Per value: 1e-6 absolute on parameters of size ~1 (float state over 5 steps).
      for (Eigen::Index k = 0; k < x.size(); ++k) {
        INFO(enum_label(kind) << " step " << step + 1);
        REQUIRE(std::fabs(xf[size_t(k)] - x.data()[k]) <= 1e-6 * (1 + std::fabs(x.data()[k])));
      }
    }
    REQUIRE(opt.t() == 5);
  }
}

TEST_CASE("fast gradient clipping scales to the same global norm as the reference's", "[fast_engine]") {
  Rng rng(32);
  std::vector<float> g = random_floats(103, rng);
  Mat gm(1, 103);
  for (int k = 0; k < 103; ++k) gm(0, k) = g[size_t(k)];
  Mat x = Mat::Zero(1, 103);
  std::vector<ParamRef> refs = {{"x", &x, &gm, true}};
  const double norm_ref = clip_global_norm(refs, 2.0);
  const double norm = fast::clip_global_norm(g.data(), g.size(), 2.0);
  REQUIRE(norm == Approx(norm_ref).epsilon(1e-6));
  for (int k = 0; k < 103; ++k) REQUIRE(g[size_t(k)] == Approx(gm(0, k)).epsilon(1e-5).margin(1e-7));
  REQUIRE(fast::clip_global_norm(g.data(), g.size(), 0.0) == Approx(2.0).epsilon(1e-5));  // 0: no clipping
}

namespace {
ModelSpec small_net() {
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(16, Activation::ReLU), HiddenLayerSpec::fc(16, Activation::Tanh)};
  spec.hidden[0].batchnorm = true;
  spec.hidden[1].dropout_keep = 0.8;
  spec.optim.kind = OptimKind::Adam;
  spec.optim.lr = 0.01;
  return spec;
}
}  // namespace

TEST_CASE("restore_last_good puts back the parameters, running averages and optimiser state", "[fast_engine]") {
  Rng rng(41);
  const Mat X = test::random_mat(40, 5, rng);
  const Labels y = test::random_labels(40, 3, rng);
  const ModelSpec spec = small_net();
  Rng init(1);
  std::unique_ptr<Model> m0 = make_model(spec, 5, 3, init);
  std::unique_ptr<Engine> a = make_fast_engine(spec, *m0), b = make_fast_engine(spec, *m0);
  a->set_training_set(X, y);
  b->set_training_set(X, y);
  std::vector<int> idx = {1, 5, 9, 13, 17, 21, 25, 29};
  Rng ra(3), rb(3);
  a->step(idx.data(), 8, 0.01, 0, ra);
  b->step(idx.data(), 8, 0.01, 0, rb);
  Rng wasted = ra;
  a->step(idx.data() + 2, 6, 0.5, 0, wasted);  // a bad step, undone
  a->restore_last_good();
  for (const ConstParamRef& p : b->model().params_view()) REQUIRE(*a->model().param(p.name) == *p.value);
  REQUIRE(*a->model().param("running_mean1") == *b->model().param("running_mean1"));
  // The optimiser state too: the next step is identical.
  const EngineStep sa = a->step(idx.data(), 8, 0.01, 0, ra), sb = b->step(idx.data(), 8, 0.01, 0, rb);
  REQUIRE(sa.loss.data_loss == sb.loss.data_loss);
  for (const ConstParamRef& p : b->model().params_view()) REQUIRE(*a->model().param(p.name) == *p.value);
}

TEST_CASE("the fast engine's test-mode scores and evaluation match the reference model's", "[fast_engine]") {
  Rng rng(51);
  const Mat X = test::random_mat(300, 4, rng);  // more rows than one test-mode chunk
  const Labels y = test::random_labels(300, 3, rng);
  ModelSpec spec = small_net();
  spec.hidden.push_back(HiddenLayerSpec::fc(6, Activation::Maxout));
  Rng init(2);
  std::unique_ptr<Model> m0 = make_model(spec, 4, 3, init);
  std::unique_ptr<Engine> fast = make_fast_engine(spec, *m0);
  fast->set_training_set(X, y);
  std::vector<int> idx(32);
  for (int i = 0; i < 32; ++i) idx[size_t(i)] = i * 3;
  Rng r(5);
  for (int s = 0; s < 20; ++s) fast->step(idx.data(), 32, 0.01, 0, r);  // batchnorm running averages move
  const Model& m = fast->model();
  // Relative 1e-5: three float layers with batchnorm folded in test mode.
  REQUIRE(rel_diff(fast->scores(X), m.scores(X)) < 1e-5);
  const Evaluation e = fast->evaluate(X, y);
  const LossParts lp = m.loss(X, y);
  REQUIRE(e.loss.data_loss == Approx(lp.data_loss).epsilon(1e-5));
  REQUIRE(e.loss.reg_loss == Approx(lp.reg_loss).epsilon(1e-5));
  REQUIRE(e.accuracy == Approx(test::accuracy(const_cast<Model&>(m), X, y)).margin(1.0 / 300 + 1e-12));
}

TEST_CASE("set_params and model() round-trip, and a wrong architecture is refused", "[fast_engine]") {
  const ModelSpec spec = small_net();
  Rng i1(3), i2(4);
  std::unique_ptr<Model> m1 = make_model(spec, 3, 2, i1), m2 = make_model(spec, 3, 2, i2);
  std::unique_ptr<Engine> fast = make_fast_engine(spec, *m1);
  fast->set_params(*m2);
  for (const ConstParamRef& p : m2->params_view())
    REQUIRE((*fast->model().param(p.name) - *p.value).cwiseAbs().maxCoeff() <= 1e-7 * (1 + p.value->cwiseAbs().maxCoeff()));
  ModelSpec other = spec;
  other.hidden[0].width = 5;
  std::unique_ptr<Model> m3 = make_model(other, 3, 2, i1);
  REQUIRE_THROWS_WITH(fast->set_params(*m3), Catch::Contains("W1"));
}

TEST_CASE("engine routing: L-BFGS and conv layers with batchnorm go to the reference with a reason", "[fast_engine]") {
  ModelSpec spec = small_net();
  REQUIRE(fast_engine_supports(spec));
  REQUIRE(engine_for(spec) == EngineKind::Fast);
  spec.engine = EngineKind::Reference;
  REQUIRE(engine_for(spec) == EngineKind::Reference);
  spec.engine = EngineKind::Fast;
  spec.optim.kind = OptimKind::LBFGS;
  REQUIRE(engine_for(spec) == EngineKind::Reference);
  REQUIRE_THAT(fast_engine_unsupported(spec), Catch::Contains("L-BFGS"));
  spec.optim.kind = OptimKind::Adam;
  spec.input = {8, 8, 1};
  spec.hidden = {HiddenLayerSpec::conv(4, 3), HiddenLayerSpec::pool()};
  REQUIRE(engine_for(spec) == EngineKind::Fast);  // conv and pool layers train fast
  spec.hidden[0].batchnorm = true;                // spatial batchnorm does not (yet)
  REQUIRE(engine_for(spec) == EngineKind::Reference);
  REQUIRE_THAT(fast_engine_unsupported(spec), Catch::Contains("conv layer 1") && Catch::Contains("batchnorm"));
}

TEST_CASE("the fast optimiser state saves by the reference's names and restores the same next step", "[fast_engine]") {
  Rng rng(61);
  const Mat X = test::random_mat(40, 5, rng);
  const Labels y = test::random_labels(40, 3, rng);
  std::vector<int> idx = {0, 3, 6, 9, 12, 15, 18, 21};
  for (OptimKind kind : {OptimKind::SGD, OptimKind::Momentum, OptimKind::RMSProp, OptimKind::Adam}) {
    ModelSpec spec = small_net();
    // No batchnorm here: the bias before it has a zero gradient that Adam and
    // RMSProp turn into lr-sized moves on rounding noise, different in double.
    spec.hidden[0].batchnorm = false;
    spec.hidden[1].dropout_keep = 1.0;
    spec.optim.kind = kind;
    Rng init(1);
    std::unique_ptr<Model> m0 = make_model(spec, 5, 3, init);
    std::unique_ptr<Engine> a = make_fast_engine(spec, *m0);
    a->set_training_set(X, y);
    Rng r(2);
    for (int s = 0; s < 3; ++s) a->step(idx.data(), 8, 0.01, 0, r);
    const OptimizerState st = a->optimizer_state();
    REQUIRE(st.t == 3);
    if (kind == OptimKind::Adam) REQUIRE(st.slots[0].name == "m.W1");
    // A fresh fast engine and a reference engine take the saved parameters and state.
    std::unique_ptr<Engine> b = make_fast_engine(spec, a->model());
    ModelSpec rs = spec;
    rs.engine = EngineKind::Reference;
    std::unique_ptr<Engine> ref = make_engine(rs, a->model().clone());
    b->set_training_set(X, y);
    ref->set_training_set(X, y);
    REQUIRE(b->set_optimizer_state(st));
    REQUIRE(ref->set_optimizer_state(st));
    Rng ra(3), rb(3), rc(3);
    const EngineStep sa = a->step(idx.data(), 8, 0.01, 0, ra), sb = b->step(idx.data(), 8, 0.01, 0, rb);
    ref->step(idx.data(), 8, 0.01, 0, rc);
    REQUIRE(sa.loss.data_loss == sb.loss.data_loss);
    for (const ConstParamRef& p : a->model().params_view()) {
      REQUIRE(*b->model().param(p.name) == *p.value);
      // The reference continues the same run within float rounding (relative 1e-5).
      REQUIRE((*ref->model().param(p.name) - *p.value).norm() <= 1e-5 * p.value->norm() + 1e-7);
    }
  }
  ModelSpec spec = small_net();
  Rng init(1);
  std::unique_ptr<Engine> e = make_fast_engine(spec, *make_model(spec, 5, 3, init));
  OptimizerState wrong;
  wrong.kind = OptimKind::SGD;
  REQUIRE_THROWS_WITH(e->set_optimizer_state(wrong), Catch::Contains("sgd"));
}
