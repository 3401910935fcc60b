// Claims about linear classifiers and their losses (cards of topic "linear",
// "practice" and the loss floor), each checked on its preset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "claims_common.h"
#include "core/models/linear.h"
#include "core/data/preprocess.h"

using namespace nn;
using namespace claims;

static const LinearClassifier& linear(Trainer& t) { return dynamic_cast<const LinearClassifier&>(t.model()); }

TEST_CASE("softmax: the first loss is log C with small weights", "[claims][softmax-initial-loss]") {
  const Session s = load_preset("softmax-initial-loss");
  const double logC = std::log(double(s.data.num_classes));
  Trainer t = make_trainer(s.data, s.spec);
  const double before = t.model().loss(t.X_train(), t.y_train()).data_loss;
  const double first = t.step().data_loss;
  measure("softmax-initial-loss", "C=" + num(s.data.num_classes) + " log C=" + num(logC) +
                                      " loss before=" + num(before) + " first step=" + num(first));
  // Claim: within 5% of log C (0.01 * N(0,1) weights give scores of about 0.01).
  REQUIRE(s.data.num_classes == 5);
  REQUIRE(std::abs(before - logC) < 0.05 * logC);
  REQUIRE(std::abs(first - logC) < 0.05 * logC);

  // The card's caveat: a large initial scale spreads the scores and the first
  // loss is much larger than log C. The init gain (the Model panel's "init
  // gain") scales the 0.01 * N(0,1) weights: 1000 gives weights of about 10.
  ModelSpec large = s.spec;
  large.init.gain = 1000;
  Trainer tl = make_trainer(s.data, large);
  const double large_before = tl.model().loss(tl.X_train(), tl.y_train()).data_loss;
  measure("softmax-initial-loss", "with init gain 1000 the loss before training=" + num(large_before));
  REQUIRE(large_before > 2 * logC);
}

TEST_CASE("with lambda > 0 the total loss stays above a floor", "[claims][reg-loss-floor]") {
  const Session s = load_preset("reg-loss-floor");
  REQUIRE(s.spec.loss.lambda == Approx(0.1));
  Trainer t = make_trainer(s.data, s.spec);
  // Zero weights: no penalty, data loss log 2.
  REQUIRE(train_loss(t) == Approx(std::log(2.0)).epsilon(1e-12));
  double min_loss = 1e9;
  for (int k = 0; k < 15; ++k) {
    run(t, 100);
    min_loss = std::min(min_loss, train_loss(t));
  }
  const double acc = t.accuracy(false);
  ModelSpec no_reg = s.spec;
  no_reg.loss.lambda = 0;
  Trainer t0 = make_trainer(s.data, no_reg);
  run(t0, 1500);
  const double loss0 = train_loss(t0);
  measure("reg-loss-floor", "lambda=0.1: min total loss over 1500 steps=" + num(min_loss) +
                                " train acc=" + num(acc) + "; lambda=0: loss=" + num(loss0));
  // Claim: with lambda = 0.1 the total loss never drops below 0.1 even though
  // the data are separable (100% training accuracy); without the penalty the
  // same run goes below 0.02.
  REQUIRE(acc == 1.0);
  REQUIRE(min_loss > 0.1);
  REQUIRE(loss0 < 0.02);
}

TEST_CASE("each row of W is one class's classifier", "[claims][linear-class-lines]") {
  const Session s = load_preset("linear-class-lines");
  Trainer t = make_trainer(s.data, s.spec);
  run(t, 600);
  const LinearClassifier& m = linear(t);
  // W is C x D: one row per class.
  REQUIRE(m.W.rows() == 3);
  REQUIRE(m.W.cols() == 2);
  // The prediction is the class whose row gives the largest W_c . x + b_c.
  int agree = 0;
  const auto q = grid(30);
  for (const auto& [x, y] : q) {
    int best = 0;
    double best_score = -1e300;
    for (int c = 0; c < 3; ++c) {
      const double score = m.W(c, 0) * x + m.W(c, 1) * y + m.b(0, c);
      if (score > best_score) best_score = score, best = c;
    }
    agree += t.predict(x, y) == best;
  }
  const double acc = t.accuracy(false);
  measure("linear-class-lines", "grid argmax agreement=" + num(agree) + "/" + num(q.size()) +
                                    " train acc=" + num(acc));
  REQUIRE(agree == int(q.size()));
  REQUIRE(acc > 0.95);  // the data are linearly separable up to a little noise
}

TEST_CASE("the bias trick gives the same scores with one matrix", "[claims][bias-trick]") {
  const Session s = load_preset("bias-trick");
  Trainer t = make_trainer(s.data, s.spec);
  run(t, 300);
  const LinearClassifier& m = linear(t);
  Mat Wb(m.W.rows(), m.W.cols() + 1);  // W' = [W | b]
  Wb << m.W, m.b.transpose();
  const Mat Xb = add_bias_column(t.X_train());  // x' = [x, 1]
  const Mat direct = m.scores(t.X_train());
  const Mat trick = Xb * Wb.transpose();
  const double diff = (direct - trick).cwiseAbs().maxCoeff();
  measure("bias-trick", "max |Wx+b - W'x'|=" + num(diff) + " |b|=" + num(m.b.norm()));
  REQUIRE(m.b.norm() > 0.01);  // the bias is really used
  REQUIRE(diff < 1e-12);
}

TEST_CASE("stronger L2 makes softmax probabilities flatter", "[claims][softmax-lambda-diffuse]") {
  const Session s = load_preset("softmax-lambda-diffuse");
  std::vector<double> max_prob;
  std::string text;
  for (double lambda : {1e-4, 1e-2, 1e-1, 1.0}) {
    ModelSpec spec = s.spec;
    spec.loss.lambda = lambda;
    Trainer t = make_trainer(s.data, spec);
    run(t, 800);
    const Mat P = probabilities(linear(t), t.X_train());
    max_prob.push_back(P.rowwise().maxCoeff().mean());
    text += "lambda=" + num(lambda) + ": mean max p=" + num(max_prob.back()) +
            " acc=" + num(t.accuracy(false)) + "; ";
  }
  measure("softmax-lambda-diffuse", text);
  // Claim: the mean largest probability decreases strictly as lambda grows,
  // from above 0.9 at lambda = 1e-4 to below 0.6 at lambda = 1.
  for (size_t i = 1; i < max_prob.size(); ++i) REQUIRE(max_prob[i] < max_prob[i - 1]);
  REQUIRE(max_prob.front() > 0.9);
  REQUIRE(max_prob.back() < 0.6);
}

TEST_CASE("without a bias every score is zero at the origin", "[claims][no-bias-origin]") {
  const Session s = load_preset("no-bias-origin");
  REQUIRE_FALSE(s.spec.use_bias);
  Trainer t = make_trainer(s.data, s.spec);
  run(t, 400);
  const Mat origin = Mat::Zero(1, 2);
  const Mat scores = t.predict_scores(origin);
  ModelSpec with_bias = s.spec;
  with_bias.use_bias = true;
  Trainer tb = make_trainer(s.data, with_bias);
  run(tb, 400);
  const Mat scores_b = tb.predict_scores(origin);
  measure("no-bias-origin", "max |score(0,0)| no bias=" + num(scores.cwiseAbs().maxCoeff()) +
                                " with bias=" + num(scores_b.cwiseAbs().maxCoeff()) +
                                " acc no bias=" + num(t.accuracy(false)));
  // Claim: W 0 = 0, so every class line passes through the origin.
  REQUIRE(scores.cwiseAbs().maxCoeff() == 0.0);
  REQUIRE(scores_b.cwiseAbs().maxCoeff() > 1e-3);
  REQUIRE(t.accuracy(false) > 0.9);  // blobs around the origin need no bias
}

TEST_CASE("SVM: delta only sets the scale of W; lambda decides", "[claims][svm-delta-vs-lambda]") {
  const Session s = load_preset("svm-delta-vs-lambda");
  REQUIRE(s.spec.optim.kind == OptimKind::SGD);
  REQUIRE(s.spec.init.kind == InitKind::Zeros);
  auto train = [&](double delta, double lambda, double lr) {
    ModelSpec spec = s.spec;
    spec.loss.delta = delta;
    spec.loss.lambda = lambda;
    spec.optim.lr = lr;
    auto t = std::make_unique<Trainer>(make_trainer(s.data, spec));
    run(*t, 500);
    return t;
  };
  const double lr = s.spec.optim.lr, lambda = s.spec.loss.lambda;
  const auto q = grid(40);
  auto differing = [&](Trainer& a, Trainer& b) {
    int n = 0;
    for (const auto& [x, y] : q) n += a.predict(x, y) != b.predict(x, y);
    return n;
  };
  auto rel = [](const Mat& a, const Mat& b) { return (a - b).norm() / b.norm(); };

  // Without regularisation: delta 2 (and lr 2x) gives exactly 2 W.
  auto a = train(1, 0, lr), b = train(2, 0, 2 * lr);
  const double e1 = rel(linear(*b).W, 2 * linear(*a).W);
  const int d1 = differing(*a, *b);
  // With regularisation, doubling delta is the same as halving lambda
  // (W = delta V turns delta L(V; 1) + lambda delta^2 R(V) into
  // delta [L(V; 1) + lambda delta R(V)]): delta 2 with lambda equals
  // delta 1 with lambda 2x, scaled by 2.
  auto c = train(1, 2 * lambda, lr), d = train(2, lambda, 2 * lr);
  const double e2 = rel(linear(*d).W, 2 * linear(*c).W);
  const int d2 = differing(*c, *d);
  // lambda itself changes the solution.
  auto e = train(1, 10.0, lr);
  const int d3 = differing(*a, *e);
  measure("svm-delta-vs-lambda", "no reg: |W(d=2) - 2W(d=1)|/|W|=" + num(e1) + " grid diffs=" +
                                     num(d1) + "; reg: rel=" + num(e2) + " diffs=" + num(d2) +
                                     "; lambda 0 vs 10: grid diffs=" + num(d3) + "/1600");
  REQUIRE(e1 < 1e-9);
  REQUIRE(d1 == 0);
  REQUIRE(e2 < 1e-9);
  REQUIRE(d2 == 0);
  REQUIRE(d3 > 16);  // more than 1% of the grid changes class
}

TEST_CASE("SVM ignores satisfied examples; softmax never does", "[claims][svm-vs-softmax]") {
  const Session s = load_preset("svm-vs-softmax");
  REQUIRE(s.spec.loss.kind == LossKind::SVM);
  auto zero_fraction = [](const Mat& L) { return double((L.array() == 0.0).count()) / L.rows(); };
  Trainer svm = make_trainer(s.data, s.spec);
  run(svm, 600);
  const Mat Ls = point_losses(linear(svm), svm.X_train(), svm.y_train());
  ModelSpec sm = s.spec;
  sm.loss.kind = LossKind::Softmax;
  Trainer soft = make_trainer(s.data, sm);
  run(soft, 600);
  const LinearClassifier& m = linear(soft);
  const Mat Lm = point_losses(m, soft.X_train(), soft.y_train());
  // Cross-entropy: L_i = -log p_{y_i}.
  const Mat P = probabilities(m, soft.X_train());
  double ce_err = 0;
  for (int i = 0; i < P.rows(); ++i)
    ce_err = std::max(ce_err, std::abs(Lm(i, 0) + std::log(P(i, soft.y_train()[i]))));
  measure("svm-vs-softmax", "points with zero loss: svm=" + num(zero_fraction(Ls)) +
                                " softmax=" + num(zero_fraction(Lm)) + " (min softmax L_i=" +
                                num(Lm.minCoeff()) + ") acc svm=" + num(svm.accuracy(false)) +
                                " softmax=" + num(soft.accuracy(false)) +
                                " max|L_i + log p_y|=" + num(ce_err));
  // Claim: most SVM examples (> 80%) contribute exactly zero; no softmax example does.
  REQUIRE(zero_fraction(Ls) > 0.8);
  REQUIRE(zero_fraction(Lm) == 0.0);
  REQUIRE(Lm.minCoeff() > 0.0);
  REQUIRE(ce_err < 1e-9);
}
