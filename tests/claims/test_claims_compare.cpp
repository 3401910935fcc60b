// Claims of the comparison presets (the deck's "vs" cards): each test loads
// the preset, checks that its runs differ in exactly the setting the card is
// about, trains every run as the app does (same points, same seed, so the
// same minibatch order where the batch size is equal) and checks the
// comparison with the stated, measured bound.
#include <catch2/catch.hpp>

#include <cmath>

#include "claims_common.h"
#include "core/models/knn.h"
#include "core/train/cv.h"
#include "core/models/losses.h"

using namespace nn;
using namespace claims;

namespace {

// The preset's runs, after checking they differ from A only in `field`
// (the first key of each difference line, e.g. "optim.kind").
Session comparison(const std::string& id, size_t runs, const std::string& field) {
  Session s = load_preset(id);
  REQUIRE(s.runs.size() == runs);
  REQUIRE(s.runs[0].spec == s.spec);
  for (size_t i = 1; i < runs; ++i) {
    const auto lines = spec_difference_lines(s.spec, s.runs[i].spec);
    REQUIRE_FALSE(lines.empty());
    for (const std::string& l : lines) REQUIRE(l.rfind(field + ":", 0) == 0);
  }
  return s;
}

// Trains runs a and b side by side for `steps` steps; returns each run's
// per-step minibatch loss. Checks that they drew the same minibatches
// whenever their batch sizes are equal.
std::pair<std::vector<double>, std::vector<double>> side_by_side(Trainer& a, Trainer& b, int steps) {
  std::vector<double> la, lb;
  const bool same_batches = a.spec().optim.batch_size == b.spec().optim.batch_size;
  bool shared = true;
  for (int i = 0; i < steps; ++i) {
    if (!a.divergence().diverged) { const StepStats s = a.step(); la.push_back(s.data_loss + s.reg_loss); }
    if (!b.divergence().diverged) { const StepStats s = b.step(); lb.push_back(s.data_loss + s.reg_loss); }
    shared = shared && a.last_batch() == b.last_batch();
  }
  if (same_batches) CHECK(shared);
  return {la, lb};
}

// Standard deviation of the step-to-step change of a loss curve over [from, to).
double wiggle(const std::vector<double>& l, size_t from, size_t to) {
  std::vector<double> d;
  for (size_t i = std::max<size_t>(from, 1); i < std::min(to, l.size()); ++i) d.push_back(l[i] - l[i - 1]);
  return stddev(d, 0, d.size());
}

double dead_fraction(Trainer& t) {
  double dead = 0;
  const auto layers = t.inspect();
  for (const LayerStats& l : layers) dead += l.dead_fraction;
  return dead / double(std::max<size_t>(1, layers.size()));
}

}  // namespace

TEST_CASE("compare: momentum's training loss ends far below plain SGD's", "[claims][compare][momentum-vs-sgd]") {
  const Session s = comparison("momentum-vs-sgd", 2, "optim.kind");
  Trainer m = make_trainer(s.data, s.runs[0].spec), g = make_trainer(s.data, s.runs[1].spec);
  REQUIRE(m.spec().optim.kind == OptimKind::Momentum);
  REQUIRE(g.spec().optim.kind == OptimKind::SGD);
  side_by_side(m, g, 1000);
  const double lm = train_loss(m), lg = train_loss(g);
  measure("momentum-vs-sgd (compare)", "after 1000 shared minibatches: momentum loss " + num(lm) + " acc " +
                                           num(m.accuracy(false)) + "; SGD loss " + num(lg) + " acc " +
                                           num(g.accuracy(false)));
  // Claim: after the same 1000 minibatches momentum's loss is below half of SGD's.
  REQUIRE(lm < 0.5 * lg);
  REQUIRE(m.accuracy(false) > g.accuracy(false));
}

TEST_CASE("compare: batch 1's loss curve wiggles far more than batch 64's", "[claims][compare][batch-size-noise]") {
  const Session s = comparison("batch-size-noise", 2, "optim.batch_size");
  REQUIRE(s.runs[0].spec.optim.batch_size == 1);
  REQUIRE(s.runs[1].spec.optim.batch_size == 64);
  Trainer one = make_trainer(s.data, s.runs[0].spec), big = make_trainer(s.data, s.runs[1].spec);
  const auto [l1, l64] = side_by_side(one, big, 600);
  REQUIRE(l1.size() == 600);
  REQUIRE(l64.size() == 600);
  const double w1 = wiggle(l1, 300, 600), w64 = wiggle(l64, 300, 600);
  measure("batch-size-noise (compare)", "std of the step-to-step loss change, steps 300-600: batch 1 " + num(w1) +
                                            ", batch 64 " + num(w64) + " (ratio " + num(w1 / w64) +
                                            "); whole-set loss after 600 steps: batch 1 " + num(train_loss(one)) +
                                            ", batch 64 " + num(train_loss(big)));
  // Claim: batch 1's curve is at least 5x noisier than batch 64's, and both runs learn
  // (whole-set loss below log 3 = 1.0986, the loss of a uniform guess).
  REQUIRE(w1 > 5 * w64);
  REQUIRE(train_loss(one) < std::log(3.0));
  REQUIRE(train_loss(big) < std::log(3.0));
}

TEST_CASE("compare: L1 zeroes most weights, L2 none", "[claims][compare][l1-vs-l2-sparsity]") {
  const Session s = comparison("l1-vs-l2-sparsity", 2, "loss.reg");
  Trainer a = make_trainer(s.data, s.runs[0].spec), b = make_trainer(s.data, s.runs[1].spec);
  REQUIRE(a.spec().loss.reg == RegKind::L1);
  REQUIRE(b.spec().loss.reg == RegKind::L2);
  side_by_side(a, b, 3000);
  auto near_zero = [](Trainer& t) {
    const Mat& W = *t.model().param("W");
    return double((W.array().abs() < 1e-3).count()) / double(W.size());
  };
  const double z1 = near_zero(a), z2 = near_zero(b);
  measure("l1-vs-l2-sparsity (compare)", "weights with |w| < 1e-3 after 3000 shared minibatches: L1 " + num(z1) +
                                             " (acc " + num(a.accuracy(false)) + "), L2 " + num(z2) + " (acc " +
                                             num(b.accuracy(false)) + ")");
  // Claim: with L1 at least a third of the weights are within 1e-3 of zero; with L2 at most one in ten.
  REQUIRE(z1 >= 1.0 / 3);
  REQUIRE(z2 <= 0.1);
}

TEST_CASE("compare: the SVM's loss reaches zero on most points, softmax's on none", "[claims][compare][svm-vs-softmax]") {
  const Session s = comparison("svm-vs-softmax", 2, "loss.kind");
  Trainer svm = make_trainer(s.data, s.runs[0].spec), soft = make_trainer(s.data, s.runs[1].spec);
  REQUIRE(svm.spec().loss.kind == LossKind::SVM);
  REQUIRE(soft.spec().loss.kind == LossKind::Softmax);
  side_by_side(svm, soft, 600);
  auto zero_loss_fraction = [](Trainer& t) {
    const Mat S = t.model().scores(t.X_train());
    int zero = 0;
    for (Eigen::Index i = 0; i < S.rows(); ++i)
      zero += data_loss(S.row(i), {t.y_train()[size_t(i)]}, t.spec().loss).loss == 0.0;
    return double(zero) / double(S.rows());
  };
  const double zs = zero_loss_fraction(svm), zm = zero_loss_fraction(soft);
  measure("svm-vs-softmax (compare)", "training points with zero data loss after 600 shared minibatches: SVM " +
                                          num(zs) + ", softmax " + num(zm) + "; acc SVM " + num(svm.accuracy(false)) +
                                          ", softmax " + num(soft.accuracy(false)));
  // Claim: more than 80% of the SVM's points have exactly zero loss; none of softmax's.
  REQUIRE(zs > 0.8);
  REQUIRE(zm == 0.0);
}

TEST_CASE("compare: sigmoid lags behind ReLU and tanh", "[claims][compare][activation-compare]") {
  const Session s = comparison("activation-compare", 3, "hidden");
  double loss[3], acc[3];
  std::vector<Trainer> runs;
  for (const SessionRun& r : s.runs) runs.push_back(make_trainer(s.data, r.spec));
  REQUIRE(runs[0].spec().hidden[0].act == Activation::ReLU);
  REQUIRE(runs[1].spec().hidden[0].act == Activation::Tanh);
  REQUIRE(runs[2].spec().hidden[0].act == Activation::Sigmoid);
  side_by_side(runs[0], runs[2], 1500);
  run(runs[1], 1500);
  for (int i = 0; i < 3; ++i) {
    loss[i] = train_loss(runs[size_t(i)]);
    acc[i] = runs[size_t(i)].accuracy(false);
  }
  measure("activation-compare (compare)", "after 1500 SGD steps: ReLU loss " + num(loss[0]) + " acc " + num(acc[0]) +
                                              "; tanh loss " + num(loss[1]) + " acc " + num(acc[1]) +
                                              "; sigmoid loss " + num(loss[2]) + " acc " + num(acc[2]));
  // Claim: after the same 1500 minibatches sigmoid's loss is at least 1.5x ReLU's and tanh's.
  REQUIRE(loss[2] > 1.5 * loss[0]);
  REQUIRE(loss[2] > 1.5 * loss[1]);
}

TEST_CASE("compare: 1-NN is perfect on its training points, 5-NN smoother and no worse on validation",
          "[claims][compare][knn-1-vs-5]") {
  const Session s = comparison("knn-1-vs-5", 2, "knn.k");
  std::vector<Point> train, val;
  for (const Point& p : s.data.points) (p.validation ? val : train).push_back(p);
  const KnnIndex idx(train, s.data.num_classes);
  const KnnSpec& k1 = s.runs[0].spec.knn;
  const KnnSpec& k5 = s.runs[1].spec.knn;
  REQUIRE(k1.k == 1);
  REQUIRE(k5.k == 5);
  auto accuracy = [&](const std::vector<Point>& pts, const KnnSpec& k) {
    int ok = 0;
    for (const Point& p : pts) ok += idx.predict(p.x, p.y, k) == p.label;
    return double(ok) / double(pts.size());
  };
  const int g = 60;
  std::vector<int> l1, l5;
  for (const auto& [x, y] : grid(g)) {
    l1.push_back(idx.predict(x, y, k1));
    l5.push_back(idx.predict(x, y, k5));
  }
  const int b1 = boundary_cells(l1, g), b5 = boundary_cells(l5, g);
  const double tr1 = accuracy(train, k1), tr5 = accuracy(train, k5), va1 = accuracy(val, k1), va5 = accuracy(val, k5);
  measure("knn-1-vs-5 (compare)", "train acc 1-NN " + num(tr1) + ", 5-NN " + num(tr5) + "; val acc 1-NN " + num(va1) +
                                      ", 5-NN " + num(va5) + "; boundary cells on 60x60: 1-NN " + num(b1) + ", 5-NN " +
                                      num(b5));
  // Claim: 1-NN gets 100% of its training points; 5-NN fewer, with at least 20% fewer
  // boundary cells, and at least 1-NN's validation accuracy.
  REQUIRE(tr1 == 1.0);
  REQUIRE(tr5 < 1.0);
  REQUIRE(b5 < 0.8 * b1);
  REQUIRE(va5 >= va1);
}

TEST_CASE("compare: a too-high learning rate kills units a good one keeps", "[claims][compare][dead-relu-high-lr]") {
  const Session s = comparison("dead-relu-high-lr", 2, "optim.lr");
  Trainer hi = make_trainer(s.data, s.runs[0].spec), good = make_trainer(s.data, s.runs[1].spec);
  REQUIRE(hi.spec().optim.lr == 2.0);
  REQUIRE(good.spec().optim.lr == 0.05);
  side_by_side(hi, good, 300);
  REQUIRE_FALSE(hi.divergence().diverged);
  const double dh = dead_fraction(hi), dg = dead_fraction(good);
  measure("dead-relu-high-lr (compare)", "after 300 shared minibatches: lr 2 dead " + num(dh) + " acc " +
                                             num(hi.accuracy(false)) + "; lr 0.05 dead " + num(dg) + " acc " +
                                             num(good.accuracy(false)));
  // Claim: at lr 2 more than 30% of the units are dead, at lr 0.05 fewer than 10%.
  REQUIRE(dh > 0.3);
  REQUIRE(dg < 0.1);
}

TEST_CASE("compare: RMSProp keeps learning where Adagrad slows down", "[claims][compare][adagrad-vs-rmsprop]") {
  const Session s = comparison("adagrad-vs-rmsprop", 4, "optim.kind");
  Trainer ada = make_trainer(s.data, s.runs[0].spec), rms = make_trainer(s.data, s.runs[1].spec);
  REQUIRE(ada.spec().optim.kind == OptimKind::Adagrad);
  REQUIRE(rms.spec().optim.kind == OptimKind::RMSProp);
  side_by_side(ada, rms, 1500);
  const double la = train_loss(ada), lr = train_loss(rms);
  measure("adagrad-vs-rmsprop (compare)", "after 1500 shared minibatches: Adagrad loss " + num(la) + " acc " +
                                              num(ada.accuracy(false)) + "; RMSProp loss " + num(lr) + " acc " +
                                              num(rms.accuracy(false)));
  // Claim: after the same 1500 minibatches RMSProp's loss is below Adagrad's by at least a factor 1.5.
  REQUIRE(lr * 1.5 < la);
}

// Cross-validating the kNN runs of a comparison, as "Cross-validate k" does
// (5 folds of the training points, seed 1, the app's k values): runs that
// differ only in k read one curve, runs that differ in the metric get two.
TEST_CASE("compare: kNN runs' cross-validation curves: one for 1-NN and 5-NN, two for L1 and L2",
          "[claims][compare][knn-1-vs-5][knn-l1-vs-l2]") {
  const std::vector<int> ks = {1, 2, 3, 5, 7, 10, 15, 20, 30, 50};
  auto knn_specs = [](const Session& s) {
    std::vector<KnnSpec> out;
    for (const SessionRun& r : s.runs) out.push_back(r.spec.knn);
    return out;
  };
  const Session k15 = comparison("knn-1-vs-5", 2, "knn.k");
  const std::vector<CvResult> a = knn_cross_validate_runs(k15.data, knn_specs(k15), ks, 5, 1);
  const Session l12 = comparison("knn-l1-vs-l2", 2, "knn.metric");
  REQUIRE(l12.runs[0].spec.knn.metric == Metric::L1);
  REQUIRE(l12.runs[1].spec.knn.metric == Metric::L2);
  const std::vector<CvResult> b = knn_cross_validate_runs(l12.data, knn_specs(l12), ks, 5, 1);
  double most = 0;  // the largest difference between the L1 and L2 curves
  int differ = 0;   // k values where they differ
  for (size_t i = 0; i < ks.size(); ++i) {
    most = std::max(most, std::abs(b[0].mean_acc[i] - b[1].mean_acc[i]));
    differ += b[0].mean_acc[i] != b[1].mean_acc[i];
  }
  measure("knn-1-vs-5 (cross-validation)", "both runs' curve: k=1 " + num(a[0].mean_acc[0]) + ", k=5 " +
                                               num(a[0].mean_acc[3]) + "; the same curve for both: " +
                                               std::string(a[0].mean_acc == a[1].mean_acc ? "yes" : "no"));
  measure("knn-l1-vs-l2 (cross-validation)", "L1 and L2 curves differ at " + num(differ) + " of " + num(int(ks.size())) +
                                                 " k values, by up to " + num(most));
  // Claims: 1-NN and 5-NN share the curve exactly, and on it k = 5 scores
  // above k = 1 (cross-validation prefers the smoother run); L1 and L2 get two curves.
  REQUIRE(knn_cv_curve_of(knn_specs(k15)) == std::vector<int>{0, 0});
  REQUIRE(a[0].mean_acc == a[1].mean_acc);
  REQUIRE(a[0].ks[3] == 5);
  REQUIRE(a[0].mean_acc[3] > a[0].mean_acc[0]);
  REQUIRE(knn_cv_curve_of(knn_specs(l12)) == std::vector<int>{0, 1});
  REQUIRE(differ >= 1);
}
