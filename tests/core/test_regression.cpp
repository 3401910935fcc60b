// Tests of regression: the L2 / L1 / Huber losses against centred numerical
// gradients (Huber at and around its kink), networks and linear models
// gradient-checked on real targets, the fast engine against the reference on
// regression steps, a network fitting a sine, kNN regression, the
// generators and sessions with regression points.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "core/data/dataset.h"
#include "core/data/preprocess.h"
#include "core/fast/fast_engine.h"
#include "core/io/session.h"
#include "core/models/knn.h"
#include "core/models/losses.h"
#include "core/models/net.h"
#include "core/train/engine.h"
#include "core/train/gradcheck.h"
#include "core/train/inspect.h"
#include "core/train/trainer.h"
#include "test_util.h"

using namespace nn;

namespace {

constexpr LossKind kRegLosses[] = {LossKind::Squared, LossKind::Absolute, LossKind::Huber};

// Centred difference of the mean loss with respect to every score.
Mat numeric_dscores(const Mat& S, const Mat& T, const LossSpec& spec, double h) {
  Mat s = S, g(S.rows(), S.cols());
  for (Eigen::Index k = 0; k < s.size(); ++k) {
    const double old = s.data()[k];
    s.data()[k] = old + h;
    const double fp = regression_loss(s, T, spec).loss;
    s.data()[k] = old - h;
    const double fm = regression_loss(s, T, spec).loss;
    s.data()[k] = old;
    g.data()[k] = (fp - fm) / (2 * h);
  }
  return g;
}

ModelSpec regression_net(LossKind loss, int width = 16) {
  ModelSpec s;
  s.kind = ModelKind::Net;
  s.hidden = {HiddenLayerSpec::fc(width, Activation::ReLU)};
  s.loss.kind = loss;
  s.loss.delta = 0.3;
  s.loss.reg = RegKind::L2;
  s.loss.lambda = 1e-4;
  s.optim.kind = OptimKind::Adam;
  s.optim.lr = 0.01;
  s.optim.batch_size = 16;
  s.seed = 3;
  return s;
}

}  // namespace

TEST_CASE("regression losses: values and dscores against the centred numerical gradient", "[regression]") {
  Rng rng(5);
  const Mat S = test::random_mat(9, 2, rng), T = test::random_mat(9, 2, rng);
  for (LossKind kind : kRegLosses) {
    LossSpec spec;
    spec.kind = kind;
    spec.delta = 0.7;
    const DataLoss dl = regression_loss(S, T, spec);
    // The mean of the per-point losses, each the sum of its outputs' losses.
    double total = 0;
    for (Eigen::Index i = 0; i < S.rows(); ++i)
      for (Eigen::Index k = 0; k < S.cols(); ++k) total += regression_point_loss(S(i, k) - T(i, k), kind, 0.7);
    REQUIRE(dl.loss == Approx(total / 9).epsilon(1e-12));
    REQUIRE(dl.per_point.sum() == Approx(total).epsilon(1e-12));
    // Random residuals lie at least 1e-3 from every kink (0 for L1, +-delta
    // for Huber) with probability near 1; h = 1e-6 stays on one piece.
    const Mat num = numeric_dscores(S, T, spec, 1e-6);
    INFO(enum_label(kind));
    REQUIRE((num - dl.dscores).cwiseAbs().maxCoeff() < 1e-8);
  }
  // The formulas at a few residuals: 0.5 r^2, |r|, and Huber's two pieces.
  CHECK(regression_point_loss(2.0, LossKind::Squared, 1) == 2.0);
  CHECK(regression_point_loss(-2.0, LossKind::Absolute, 1) == 2.0);
  CHECK(regression_point_loss(0.5, LossKind::Huber, 1) == 0.125);
  CHECK(regression_point_loss(-3.0, LossKind::Huber, 1) == 2.5);  // 1 * (3 - 0.5)
}

TEST_CASE("Huber at and around its kink: value and slope continuous, gradient checked on both sides",
          "[regression]") {
  const double delta = 0.5;
  LossSpec spec;
  spec.kind = LossKind::Huber;
  spec.delta = delta;
  for (double sign : {1.0, -1.0}) {
    // Exactly at the kink |r| = delta the pieces meet: 0.5 delta^2 both ways, slope delta.
    const double at = regression_point_loss(sign * delta, LossKind::Huber, delta);
    CHECK(at == Approx(0.5 * delta * delta));
    CHECK(regression_point_grad(sign * delta, LossKind::Huber, delta) == Approx(sign * delta));
    // Just inside, just outside and at the kink: the centred difference with
    // h well below the distance to the kink, and across it (h = 1e-4 at
    // the kink: the gradient is continuous, so the centred difference of a
    // C1 function still matches to O(h)).
    for (double off : {-1e-3, 0.0, 1e-3, 0.2, -0.2}) {
      const double r = sign * (delta + off);
      Mat S(1, 1), T(1, 1);
      S(0, 0) = r;
      T(0, 0) = 0;
      const DataLoss dl = regression_loss(S, T, spec);
      const double h = off == 0.0 ? 1e-4 : 1e-6;
      const double num = numeric_dscores(S, T, spec, h)(0, 0);
      INFO("r = " << r);
      REQUIRE(std::abs(num - dl.dscores(0, 0)) < (off == 0.0 ? 1e-4 : 1e-8));
    }
  }
  // L1 at its kink: the subgradient chosen is 0; on either side +-1.
  CHECK(regression_point_grad(0.0, LossKind::Absolute, 1) == 0.0);
  CHECK(regression_point_grad(1e-9, LossKind::Absolute, 1) == 1.0);
  CHECK(regression_point_grad(-1e-9, LossKind::Absolute, 1) == -1.0);
}

TEST_CASE("regression networks and linear models pass the gradient check for every regression loss",
          "[regression][gradcheck]") {
  Rng data_rng(7);
  const Mat X = test::random_mat(12, 2, data_rng), T = test::random_mat(12, 1, data_rng);
  for (LossKind kind : kRegLosses)
    for (ModelKind mk : {ModelKind::Net, ModelKind::Linear}) {
      ModelSpec spec = regression_net(kind, 5);
      spec.kind = mk;
      if (mk == ModelKind::Linear) spec.hidden.clear();
      spec.hidden = mk == ModelKind::Net ? std::vector<HiddenLayerSpec>{HiddenLayerSpec::fc(5, Activation::Tanh)}
                                         : std::vector<HiddenLayerSpec>{};
      spec.loss.lambda = 1e-2;
      Rng rng(spec.seed);
      std::unique_ptr<Model> m = make_model(spec, 2, 1, rng);
      REQUIRE(m->num_classes() == 1);
      const GradCheckResult r = grad_check_targets(*m, X, T, 1e-5, true, 0);
      INFO(enum_label(kind) << " " << enum_label(mk));
      // Tanh is smooth; the loss kinks (L1 sign, Huber side) are flagged when crossed.
      REQUIRE(r.max_rel_error_smooth < 1e-6);
      REQUIRE(!r.entries.empty());
    }
}

TEST_CASE("the fast engine's regression steps match the reference engine", "[regression][fast_engine]") {
  Dataset d = generate_regression(RegGen::Sine, 64, 0.1, 4);
  const Mat X = points_inputs(d.points, d.problem), T = points_targets(d.points, d.problem);
  const Labels y(size_t(X.rows()), 0);
  for (LossKind kind : kRegLosses) {
    ModelSpec spec = regression_net(kind, 12);
    spec.optim.kind = OptimKind::SGD;
    spec.optim.lr = 0.1;
    Rng rng(spec.seed);
    std::unique_ptr<Model> init = make_model(spec, 2, 1, rng);
    ReferenceEngine ref(spec, init->clone());
    std::unique_ptr<Engine> fast = make_fast_engine(spec, *init);
    for (Engine* e : {static_cast<Engine*>(&ref), fast.get()}) {
      e->set_training_set(X, y);
      e->set_training_targets(T);
    }
    std::vector<int> idx(16);
    Rng order(9), r1(2), r2(2);
    for (int step = 0; step < 30; ++step) {
      for (int& i : idx) i = order.randint(int(X.rows()));
      const EngineStep a = ref.step(idx.data(), 16, 0.1, 0, r1);
      const EngineStep b = fast->step(idx.data(), 16, 0.1, 0, r2);
      INFO(enum_label(kind) << " step " << step);
      // Float32 arithmetic over 30 steps of a 12-unit net: losses agree to 1e-4 relative.
      REQUIRE(b.loss.data_loss == Approx(a.loss.data_loss).epsilon(1e-4).margin(1e-6));
    }
    const Evaluation ea = ref.evaluate_targets(X, T), eb = fast->evaluate_targets(X, T);
    REQUIRE(eb.rmse == Approx(ea.rmse).epsilon(1e-4));
    REQUIRE(eb.loss.data_loss == Approx(ea.loss.data_loss).epsilon(1e-4));
    REQUIRE(std::isnan(ea.accuracy));
  }
}

TEST_CASE("a ReLU network fits a sine to RMSE below 0.1 in 2000 steps, on both engines", "[regression]") {
  // 60 points of y = 0.8 sin(pi x) with noise 0.05: the noise alone leaves an
  // RMSE of about 0.05, and the linear fit about 0.35.
  const Dataset d = generate_regression(RegGen::Sine, 60, 0.05, 2);
  for (EngineKind engine : {EngineKind::Fast, EngineKind::Reference}) {
    ModelSpec spec = regression_net(LossKind::Squared, 32);
    spec.engine = engine;
    Trainer t(d, spec);
    REQUIRE(t.regression());
    const double before = t.rmse(false);
    for (int i = 0; i < 2000; ++i) t.step();
    const double after = t.rmse(false);
    INFO(enum_label(engine) << ": RMSE " << before << " -> " << after);
    REQUIRE(after < 0.1);
    REQUIRE(t.last().evaluated);
    REQUIRE(std::isfinite(t.last().train_rmse));
    // The curve, read at x with any y (the second input is held at 0).
    Mat q(2, 2);
    q << 0.5, 0.9, 0.5, -0.7;
    const Mat s = t.predict_scores(q);
    REQUIRE(s(0, 0) == s(1, 0));
    REQUIRE(std::abs(s(0, 0) - 0.8) < 0.2);
  }
  // A linear model cannot bend: its RMSE stays far above the network's.
  ModelSpec lin = regression_net(LossKind::Squared);
  lin.kind = ModelKind::Linear;
  lin.hidden.clear();
  Trainer t(d, lin);
  for (int i = 0; i < 1000; ++i) t.step();
  REQUIRE(t.rmse(false) > 0.25);
}

TEST_CASE("unit curves: the last layer's contributions add up to the curve; a ReLU curve bends only where a unit switches",
          "[regression][inspect]") {
  const Dataset d = generate_regression(RegGen::Sine, 60, 0.05, 2);
  ModelSpec spec = regression_net(LossKind::Squared, 8);
  spec.hidden = {HiddenLayerSpec::fc(8, Activation::ReLU), HiddenLayerSpec::fc(6, Activation::ReLU)};
  Trainer t(d, spec);
  for (int i = 0; i < 300; ++i) t.step();
  const Predictor p = t.predictor();
  // The 1D view's inputs: x across the canvas, the second input held at 0.
  const int n = 601;
  Mat X(n, 2);
  for (int i = 0; i < n; ++i) X.row(i) << -1.25 + 2.5 * i / (n - 1), 0.0;
  const Mat Xp = p.preprocessor.transform(X);
  const Mat f = p.model->scores(Xp);
  const Mat last = unit_curves(*p.model, Xp, -1);
  REQUIRE(last.rows() == n);
  REQUIRE(last.cols() == 6);
  REQUIRE(unit_curves(*p.model, Xp, 1) == last);
  const Mat* b_out = nullptr;
  for (const ConstParamRef& q : p.model->params_view())
    if (q.name[0] == 'b') b_out = q.value;
  REQUIRE(b_out);
  REQUIRE(((last.rowwise().sum().array() + (*b_out)(0, 0)) - f.col(0).array()).abs().maxCoeff() < 1e-12);
  // An earlier layer's curves are its units' outputs.
  const std::vector<LayerActivations> acts = p.model->hidden_activations(Xp);
  REQUIRE(unit_curves(*p.model, Xp, 0) == acts[0].post);
  REQUIRE(unit_curves(*p.model, Xp, 2).size() == 0);

  // Where no unit of any layer switches between neighbouring samples the
  // curve is straight (second difference ~0); it does bend somewhere.
  auto pattern = [&](int i) {
    std::vector<bool> on;
    for (const LayerActivations& a : acts)
      for (Eigen::Index j = 0; j < a.pre.cols(); ++j) on.push_back(a.pre(i, j) > 0);
    return on;
  };
  int bends = 0, straight = 0;
  for (int i = 1; i + 1 < n; ++i) {
    const double d2 = std::abs(f(i + 1, 0) - 2 * f(i, 0) + f(i - 1, 0));
    if (pattern(i - 1) == pattern(i) && pattern(i) == pattern(i + 1)) {
      ++straight;
      REQUIRE(d2 < 1e-12);
    } else {
      bends += d2 > 1e-6;
    }
  }
  INFO("straight " << straight << ", bends " << bends);
  CHECK(bends >= 2);
  CHECK(straight > n / 2);

  // A model scoring several classes has no unit curves.
  Dataset c = generate(DataGen::Blobs, 30, 3, 0.1, 1);
  ModelSpec cs = spec;
  cs.loss.kind = LossKind::Softmax;
  Trainer tc(c, cs);
  REQUIRE(unit_curves(*tc.predictor().model, Xp, -1).size() == 0);
}

TEST_CASE("a regression loss needs regression points, and the reverse", "[regression]") {
  const Dataset reg = generate_regression(RegGen::Plane, 20, 0, 1);
  ModelSpec cls;
  REQUIRE_THROWS_WITH(Trainer(reg, cls), Catch::Contains("regression loss"));
  ModelSpec r = regression_net(LossKind::Huber);
  REQUIRE_THROWS_WITH(Trainer(generate(DataGen::Xor, 20, 2, 0, 1), r), Catch::Contains("real targets"));
}

TEST_CASE("kNN regression is the mean of the k nearest targets", "[regression][knn]") {
  std::vector<Point> pts(4);
  pts[0].x = 0.0, pts[0].y = 1.0;
  pts[1].x = 0.1, pts[1].y = 3.0;
  pts[2].x = 0.5, pts[2].y = -2.0;
  pts[3].x = 0.9, pts[3].y = 10.0;
  KnnSpec k;
  k.k = 2;
  // 1D: distance along x only; the query's y does not matter.
  REQUIRE(knn_regress(pts, ProblemKind::Regression1D, 0.02, 5.0, k) == Approx(2.0));
  k.k = 1;
  REQUIRE(knn_regress(pts, ProblemKind::Regression1D, 0.8, -4.0, k) == Approx(10.0));
  k.k = 10;  // more than there are: all of them
  REQUIRE(knn_regress(pts, ProblemKind::Regression1D, 0.0, 0.0, k) == Approx(3.0));
  // Weighted: 1/d weights; at distance 0 the point decides alone.
  k.k = 2;
  k.weighted = true;
  REQUIRE(knn_regress(pts, ProblemKind::Regression1D, 0.0, 0.0, k) == Approx(1.0));
  REQUIRE(knn_regress(pts, ProblemKind::Regression1D, 0.04, 0.0, k) == Approx((1.0 / 0.04 + 3.0 / 0.06) / (1 / 0.04 + 1 / 0.06)));
  // 2D: (x, y) distance and the point's value.
  for (size_t i = 0; i < pts.size(); ++i) pts[i].value = double(i);
  k.weighted = false;
  k.k = 1;
  REQUIRE(knn_regress(pts, ProblemKind::Regression2D, 0.5, -2.0, k) == Approx(2.0));
  REQUIRE(std::isnan(knn_regress({}, ProblemKind::Regression2D, 0, 0, k)));
}

TEST_CASE("regression generators: the stated functions, reproducible, the right problem", "[regression][dataset]") {
  for (const EnumRow<RegGen>& row : enum_rows<RegGen>()) {
    const Dataset a = generate_regression(row.value, 50, 0.0, 3), b = generate_regression(row.value, 50, 0.0, 3);
    REQUIRE(a.points == b.points);
    REQUIRE(a.problem == reg_gen_problem(row.value));
    REQUIRE(a.points.size() == 50);
    for (const Point& p : a.points) {
      REQUIRE(std::abs(p.x) <= 1.0);
      const double t = target_of(a.problem, p);
      switch (row.value) {
        case RegGen::Sine: REQUIRE(t == Approx(0.8 * std::sin(3.14159265358979323846 * p.x))); break;
        case RegGen::Step: REQUIRE(t == (p.x < 0 ? -0.5 : 0.5)); break;
        case RegGen::Polynomial: REQUIRE(t == Approx(p.x * p.x * p.x - 0.6 * p.x)); break;
        case RegGen::Plane: REQUIRE(t == Approx(0.6 * p.x + 0.4 * p.y)); break;
        case RegGen::Gaussians: REQUIRE(std::abs(t) <= 1.2); break;
      }
    }
  }
  REQUIRE_THROWS(generate_regression(RegGen::Sine, -1, 0, 1));
}

TEST_CASE("sessions keep the problem type and the targets; classification files are unchanged", "[regression][session]") {
  for (RegGen g : {RegGen::Polynomial, RegGen::Gaussians}) {
    Session s;
    s.data = generate_regression(g, 30, 0.1, 5);
    split_train_val(s.data, 0.2, 5);
    s.spec = regression_net(LossKind::Huber);
    const std::string text = save_session(s);
    const Session back = load_session(text);
    REQUIRE(back.data.problem == s.data.problem);
    REQUIRE(back.data.points == s.data.points);
    REQUIRE(back.spec.loss.kind == LossKind::Huber);
    REQUIRE(save_session(back) == text);
    // A trained regression model round-trips too (its one output).
    Trainer t(s.data, s.spec);
    for (int i = 0; i < 5; ++i) t.step();
    s.trained = t.trained_state();
    const Session with = load_session(save_session(s));
    REQUIRE(with.trained.has_value());
    Trainer t2(with.data, with.spec);
    t2.load_trained(*with.trained);
    Mat q(1, 2);
    q << 0.3, -0.2;
    REQUIRE(t2.predict_scores(q)(0, 0) == Approx(t.predict_scores(q)(0, 0)).epsilon(1e-12));
  }
  // A generator description in a file.
  const Session g = load_session(
      R"({"version": 3, "data": {"generator": {"kind": "sine", "n": 25, "noise": 0.1, "seed": 4}},
          "spec": {"loss": {"kind": "squared"}}})");
  REQUIRE(g.data.problem == ProblemKind::Regression1D);
  REQUIRE(g.data.points.size() == 25);
  // Outliers: appended last, training points, at the stated target around x.
  const Session o = load_session(
      R"({"version": 3, "data": {"generator": {"kind": "polynomial", "n": 20, "val_ratio": 0.5,
          "outliers": 3, "outlier_x": 0.6, "outlier_y": 1.1}}, "spec": {"loss": {"kind": "huber"}}})");
  REQUIRE(o.data.points.size() == 23);
  for (int i = 0; i < 3; ++i) {
    const Point& p = o.data.points[size_t(20 + i)];
    REQUIRE(p.y == 1.1);
    REQUIRE(!p.validation);
    REQUIRE(p.x == Approx(0.55 + 0.05 * i));
  }
  // A classification session writes no "problem" and no "value".
  Session c;
  c.data = generate(DataGen::Xor, 10, 2, 0.1, 1);
  const std::string text = save_session(c);
  REQUIRE(text.find("\"problem\"") == std::string::npos);
  REQUIRE(text.find("\"value\"") == std::string::npos);
  // A 2D regression point without its value is refused with its path.
  REQUIRE_THROWS_WITH(load_session(R"({"version": 3, "data": {"problem": "regression_2d", "points": [{"x": 0, "y": 0}]},
                                       "spec": {"loss": {"kind": "squared"}}})"),
                      Catch::Contains("value"));
}

TEST_CASE("ten clicked points: a 32-unit ReLU network's curve passes within 0.1 of each (the browser test's setting)",
          "[regression]") {
  Dataset d;
  d.problem = ProblemKind::Regression1D;
  for (int i = 0; i < 10; ++i) {
    Point p;
    p.x = -0.9 + 0.2 * i;
    p.y = 0.7 * std::sin(2.5 * p.x);
    d.points.push_back(p);
  }
  ModelSpec spec;  // the app's defaults (Adam, batch 32) with one hidden layer, as tests/e2e/regression.test.mjs sets
  spec.hidden = {HiddenLayerSpec::fc(32, Activation::ReLU)};
  spec.loss.kind = LossKind::Squared;
  spec.optim.lr = 0.02;
  Trainer t(d, spec);
  for (int i = 0; i < 1500; ++i) t.step();
  Mat X = points_inputs(d.points, d.problem);
  const Mat s = t.predict_scores(X);
  double worst = 0;
  for (int i = 0; i < 10; ++i) worst = std::max(worst, std::abs(s(i, 0) - d.points[size_t(i)].y));
  INFO("worst distance " << worst);
  REQUIRE(worst < 0.1);
}

TEST_CASE("2D regression: a tanh network learns the Gaussian bumps' signs in 800 steps (the browser test's setting)",
          "[regression]") {
  Dataset d = generate_regression(RegGen::Gaussians, 300, 0.02, 1);
  split_train_val(d, 0.2, 1);
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec::fc(16, Activation::Tanh), HiddenLayerSpec::fc(16, Activation::Tanh)};
  spec.loss.kind = LossKind::Squared;
  spec.optim.lr = 0.02;
  Trainer t(d, spec);
  for (int i = 0; i < 800; ++i) t.step();
  Mat q(4, 2);
  q << 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, -0.5, 0.5;  // bumps of height +1, +1, -1, -1
  const Mat s = t.predict_scores(q);
  INFO("outputs " << s.transpose() << ", validation RMSE " << t.rmse(true));
  REQUIRE(s(0, 0) > 0.3);
  REQUIRE(s(1, 0) > 0.3);
  REQUIRE(s(2, 0) < -0.3);
  REQUIRE(s(3, 0) < -0.3);
  REQUIRE(t.rmse(true) < 0.2);
}
