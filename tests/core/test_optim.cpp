// Tests of the optimisers: each update matches the lecture formula computed
// by hand on a 2-parameter example, Adam's bias correction, state kept across
// hyperparameter changes and zeroed on shape changes, gradient clipping, and
// L-BFGS on a convex quadratic and on the Rosenbrock function.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/train/optim.h"

using namespace nn;

namespace {

// One 1 x 2 parameter x with its gradient dx, as an optimiser sees it.
struct TwoParams {
  Mat x = Mat(1, 2), dx = Mat(1, 2);
  TwoParams() { x << 1.0, -2.0; }
  std::vector<ParamRef> refs() { return {{"x", &x, &dx, true}}; }
};

// Two gradients, so that the second step exercises the optimiser's state.
const double kGrads[2][2] = {{0.5, -0.25}, {-0.3, 0.8}};

OptimSpec spec_of(OptimKind kind) {
  OptimSpec s;
  s.kind = kind;
  s.mu = 0.9;
  s.decay_rate = 0.99;
  s.beta1 = 0.9;
  s.beta2 = 0.999;
  s.eps = 1e-8;
  return s;
}

// Runs the optimiser for two steps with kGrads; returns x after each step.
std::vector<Mat> run_two_steps(Optimizer& opt, double lr) {
  TwoParams p;
  auto refs = p.refs();
  std::vector<Mat> xs;
  for (const auto& g : kGrads) {
    p.dx << g[0], g[1];
    opt.step(refs, lr);
    xs.push_back(p.x);
  }
  return xs;
}

}  // namespace

TEST_CASE("each optimiser's update matches the formula computed by hand", "[optim]") {
  const double lr = 0.1, mu = 0.9, decay_rate = 0.99, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const double x0[2] = {1.0, -2.0};

  // Hand computation, one coordinate at a time, with scalar state.
  auto expected = [&](OptimKind kind, int step, int j) {
    double x = x0[j], v = 0, cache = 0, m = 0, vv = 0;
    for (int t = 1; t <= step; ++t) {
      const double dx = kGrads[t - 1][j];
      switch (kind) {
        case OptimKind::SGD: x -= lr * dx; break;
        case OptimKind::Momentum: v = mu * v - lr * dx; x += v; break;
        case OptimKind::Nesterov: {
          const double v_prev = v;
          v = mu * v - lr * dx;
          x += -mu * v_prev + (1 + mu) * v;
          break;
        }
        case OptimKind::Adagrad: cache += dx * dx; x -= lr * dx / (std::sqrt(cache) + eps); break;
        case OptimKind::RMSProp:
          cache = decay_rate * cache + (1 - decay_rate) * dx * dx;
          x -= lr * dx / (std::sqrt(cache) + eps);
          break;
        case OptimKind::Adam: {
          m = beta1 * m + (1 - beta1) * dx;
          vv = beta2 * vv + (1 - beta2) * dx * dx;
          const double mt = m / (1 - std::pow(beta1, t)), vt = vv / (1 - std::pow(beta2, t));
          x -= lr * mt / (std::sqrt(vt) + eps);
          break;
        }
        case OptimKind::LBFGS: break;
      }
    }
    return x;
  };

  for (OptimKind kind : {OptimKind::SGD, OptimKind::Momentum, OptimKind::Nesterov,
                         OptimKind::Adagrad, OptimKind::RMSProp, OptimKind::Adam}) {
    INFO("optimiser " << int(kind));
    auto opt = make_optimizer(spec_of(kind));
    const auto xs = run_two_steps(*opt, lr);
    for (int step = 1; step <= 2; ++step)
      for (int j = 0; j < 2; ++j)
        REQUIRE(std::abs(xs[step - 1](0, j) - expected(kind, step, j)) < 1e-12);
    REQUIRE(opt->t() == 2);
  }
}

TEST_CASE("Nesterov's first steps are the look-ahead form, not plain momentum", "[optim]") {
  // Step 1 (v_prev = 0): v = -lr*dx, x += (1+mu)*v, so the move is (1+mu) times
  // the momentum move.
  auto nesterov = make_optimizer(spec_of(OptimKind::Nesterov));
  auto momentum = make_optimizer(spec_of(OptimKind::Momentum));
  const auto xn = run_two_steps(*nesterov, 0.1);
  const auto xm = run_two_steps(*momentum, 0.1);
  const double move_n = xn[0](0, 0) - 1.0, move_m = xm[0](0, 0) - 1.0;
  REQUIRE(move_m == Approx(-0.1 * 0.5).epsilon(1e-12));
  REQUIRE(move_n == Approx(1.9 * move_m).epsilon(1e-12));
  // Step 2: v2 = mu*v1 - lr*dx2; x += -mu*v1 + (1+mu)*v2.
  const double v1 = -0.05, v2 = 0.9 * v1 - 0.1 * (-0.3);
  REQUIRE(xn[1](0, 0) - xn[0](0, 0) == Approx(-0.9 * v1 + 1.9 * v2).epsilon(1e-12));
}

TEST_CASE("Adam's first step is about lr per entry thanks to bias correction", "[optim]") {
  const double lr = 1e-3;
  // Gradients of very different sizes: the first step is still ~lr for each.
  Mat x = Mat::Zero(1, 3), dx(1, 3);
  dx << 1e-4, 1.0, -50.0;
  std::vector<ParamRef> refs = {{"x", &x, &dx, true}};
  Adam adam(spec_of(OptimKind::Adam));
  adam.step(refs, lr);
  for (int j = 0; j < 3; ++j) REQUIRE(std::abs(x(0, j)) == Approx(lr).epsilon(1e-3));
  REQUIRE(x(0, 2) > 0);  // against the gradient
  // Without the correction the step would be (1-beta1)/sqrt(1-beta2) ~ 3.16
  // times larger; check we are nowhere near that.
  REQUIRE(std::abs(x(0, 1)) < 1.01 * lr);
}

TEST_CASE("optimiser state survives hyperparameter changes and resets on shape changes", "[optim]") {
  TwoParams p;
  auto refs = p.refs();
  Momentum opt(spec_of(OptimKind::Momentum));
  p.dx << 1.0, 1.0;
  opt.step(refs, 0.1);  // v = -0.1
  OptimSpec s = spec_of(OptimKind::Momentum);
  s.mu = 0.5;
  opt.set_spec(s);  // the UI moves the mu slider
  const double before = p.x(0, 0);
  opt.step(refs, 0.2);  // v = 0.5*(-0.1) - 0.2 = -0.25
  REQUIRE(p.x(0, 0) - before == Approx(-0.25).epsilon(1e-12));
  REQUIRE(opt.t() == 2);

  // A parameter of another shape (e.g. the hidden width changed): state zeroed.
  Mat x3 = Mat::Zero(1, 3), dx3 = Mat::Ones(1, 3);
  std::vector<ParamRef> refs3 = {{"x", &x3, &dx3, true}};
  opt.step(refs3, 0.1);
  REQUIRE(x3(0, 0) == Approx(-0.1).epsilon(1e-12));  // v started from zero
  REQUIRE(opt.t() == 1);

  opt.reset();
  REQUIRE(opt.t() == 0);
  REQUIRE(opt.v.empty());
}

TEST_CASE("make_optimizer refuses L-BFGS with a sentence", "[optim]") {
  OptimSpec s;
  s.kind = OptimKind::LBFGS;
  REQUIRE_THROWS_WITH(make_optimizer(s), Catch::Contains("L-BFGS"));
}

TEST_CASE("clipping scales the gradient to the max norm and leaves small ones alone", "[optim]") {
  Mat a(1, 2), da(1, 2), b(1, 1), db(1, 1);
  a.setZero();
  b.setZero();
  da << 3.0, 0.0;
  db << 4.0;  // global norm 5
  std::vector<ParamRef> refs = {{"a", &a, &da, true}, {"b", &b, &db, false}};

  REQUIRE(clip_global_norm(refs, 10.0) == Approx(5.0));
  REQUIRE(da(0, 0) == 3.0);  // untouched
  REQUIRE(db(0, 0) == 4.0);
  REQUIRE(clip_global_norm(refs, 0.0) == Approx(5.0));  // 0 = off
  REQUIRE(db(0, 0) == 4.0);

  REQUIRE(clip_global_norm(refs, 1.0) == Approx(5.0));  // returns the norm before
  REQUIRE(da(0, 0) == Approx(0.6).epsilon(1e-12));       // direction kept
  REQUIRE(db(0, 0) == Approx(0.8).epsilon(1e-12));
  REQUIRE(std::sqrt(da.squaredNorm() + db.squaredNorm()) == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("flatten and unflatten round-trip the parameters", "[optim]") {
  Mat W(2, 3), dW(2, 3), b(1, 2), db(1, 2);
  W << 1, 2, 3, 4, 5, 6;
  b << 7, 8;
  dW.setConstant(-1);
  db.setConstant(-2);
  std::vector<ParamRef> refs = {{"W", &W, &dW, true}, {"b", &b, &db, false}};
  Eigen::VectorXd x = flatten_values(refs);
  REQUIRE(x.size() == 8);
  for (int i = 0; i < 8; ++i) REQUIRE(x(i) == i + 1);  // row-major, W then b
  REQUIRE(flatten_grads(refs)(7) == -2);
  x *= 2;
  unflatten_values(x, refs);
  REQUIRE(W(1, 2) == 12);
  REQUIRE(b(0, 1) == 16);
  REQUIRE_THROWS(unflatten_values(Eigen::VectorXd::Zero(3), refs));
}

TEST_CASE("L-BFGS minimises a convex quadratic to 1e-6", "[optim]") {
  // f(x) = 0.5 x'Ax - b'x with A symmetric positive definite, ill-conditioned.
  const int n = 6;
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
  Eigen::VectorXd b(n);
  for (int i = 0; i < n; ++i) {
    A(i, i) = std::pow(4.0, i);  // condition number ~1000
    b(i) = i + 1.0;
  }
  A(0, 1) = A(1, 0) = 0.5;
  const Eigen::VectorXd x_star = A.ldlt().solve(b);
  LBFGS::Objective f = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = A * x - b;
    return 0.5 * x.dot(A * x) - b.dot(x);
  };
  LBFGS lbfgs(10);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
  int iters = 0;
  for (; iters < 200 && (x - x_star).norm() > 1e-9; ++iters) {
    const LbfgsStep st = lbfgs.step(f, x);
    REQUIRE(st.loss <= st.loss_before);  // never goes uphill
    if (!st.moved) break;
  }
  REQUIRE((x - x_star).norm() < 1e-6);
  REQUIRE(iters < 100);
}

TEST_CASE("L-BFGS minimises the 2D Rosenbrock function to 1e-6", "[optim]") {
  // f(a, b) = (1 - a)^2 + 100 (b - a^2)^2, minimum at (1, 1).
  LBFGS::Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = x(0), b = x(1);
    g.resize(2);
    g(0) = -2 * (1 - a) - 400 * a * (b - a * a);
    g(1) = 200 * (b - a * a);
    return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
  };
  LBFGS lbfgs(5);
  Eigen::VectorXd x(2);
  x << -1.2, 1.0;  // the classic start
  for (int i = 0; i < 1000; ++i)
    if (!lbfgs.step(f, x).moved) break;
  REQUIRE(std::abs(x(0) - 1) < 1e-6);
  REQUIRE(std::abs(x(1) - 1) < 1e-6);
}

TEST_CASE("L-BFGS keeps only its m newest pairs and stops at a zero gradient", "[optim]") {
  LBFGS::Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = x.cwiseProduct(Eigen::VectorXd::LinSpaced(x.size(), 1, 10));
    return 0.5 * x.dot(g);
  };
  LBFGS lbfgs(3);
  Eigen::VectorXd x = Eigen::VectorXd::Ones(10);
  for (int i = 0; i < 6; ++i) lbfgs.step(f, x);
  REQUIRE(lbfgs.pairs() <= 3);
  lbfgs.set_history(1);
  REQUIRE(lbfgs.pairs() <= 1);
  Eigen::VectorXd zero = Eigen::VectorXd::Zero(10);
  const LbfgsStep st = lbfgs.step(f, zero);
  REQUIRE_FALSE(st.moved);
  REQUIRE(st.evaluations == 1);
}
