// Tests of k-fold cross-validation of the kNN's k: only training points are
// used, the result matches a hand-written fold loop, it is deterministic for
// a seed, and a clean data set is learned while label noise is not.
#include <catch2/catch.hpp>

#include "core/train/cv.h"
#include "core/models/knn.h"
#include "core/rng.h"

using namespace nn;

TEST_CASE("cross-validation matches a direct fold-by-fold computation", "[cv]") {
  Dataset d = make_spiral(150, 0.3, 5, 3);
  split_train_val(d, 0.2, 9);
  const std::vector<int> ks = {1, 3, 5, 9};
  const int folds = 4;
  const CvResult r = knn_cross_validate_folds(d, ks, Metric::L2, folds, 77);

  std::vector<Point> train;
  for (const Point& p : d.points)
    if (!p.validation) train.push_back(p);
  REQUIRE(train.size() == 120);
  const auto idx = kfold_indices(int(train.size()), folds, 77);
  for (size_t ki = 0; ki < ks.size(); ++ki) {
    double mean = 0;
    for (int f = 0; f < folds; ++f) {
      std::vector<Point> rest;
      for (int g = 0; g < folds; ++g)
        if (g != f)
          for (int i : idx[g]) rest.push_back(train[i]);
      int correct = 0;
      for (int i : idx[f])
        correct += KnnIndex(rest, 3).vote_brute(train[i].x, train[i].y, {ks[ki], Metric::L2, false})
                       .label == train[i].label;
      const double acc = double(correct) / idx[f].size();
      REQUIRE(r.fold_acc[ki][f] == Approx(acc).margin(1e-12));
      mean += acc / folds;
    }
    REQUIRE(r.mean_acc[ki] == Approx(mean).margin(1e-12));
  }
  REQUIRE(knn_cross_validate(d, ks, Metric::L2, folds, 77) == r.mean_acc);
}

TEST_CASE("validation points never take part in cross-validation", "[cv]") {
  Dataset d = make_blobs(120, 0.05, 2, 3);
  split_train_val(d, 0.25, 3);
  const auto before = knn_cross_validate(d, {1, 5}, Metric::L1, 5, 4);
  // Scramble the labels of the validation points only: nothing changes.
  Dataset scrambled = d;
  for (Point& p : scrambled.points)
    if (p.validation) p.label = (p.label + 1) % 3;
  REQUIRE(knn_cross_validate(scrambled, {1, 5}, Metric::L1, 5, 4) == before);
}

TEST_CASE("cross-validation tells clean data from random labels", "[cv]") {
  const Dataset clean = make_blobs(200, 0.0, 1, 2);  // two tight, far apart blobs
  for (double acc : knn_cross_validate(clean, {1, 3, 7}, Metric::L2, 5, 1)) REQUIRE(acc == 1.0);

  Dataset noisy = make_blobs(400, 0.0, 1, 2);
  Rng rng(5);
  for (Point& p : noisy.points) p.label = rng.randint(2);  // labels carry no signal
  for (double acc : knn_cross_validate(noisy, {1, 15}, Metric::L2, 5, 1)) {
    REQUIRE(acc > 0.3);
    REQUIRE(acc < 0.7);
  }
}

TEST_CASE("cross-validation refuses what it cannot do", "[cv]") {
  Dataset d = make_blobs(20, 0.1, 1, 2);
  REQUIRE_THROWS_AS(knn_cross_validate(d, {1}, Metric::L2, 1, 1), std::runtime_error);
  REQUIRE_THROWS_AS(knn_cross_validate(d, {0}, Metric::L2, 5, 1), std::runtime_error);
  split_train_val(d, 0.95, 1);  // one training point left
  REQUIRE_THROWS_AS(knn_cross_validate(d, {1}, Metric::L2, 5, 1), std::runtime_error);
  // More folds than points becomes leave-one-out.
  Dataset small = make_blobs(6, 0.01, 1, 2);
  const CvResult r = knn_cross_validate_folds(small, {1}, Metric::L2, 50, 1);
  REQUIRE(r.fold_acc[0].size() == 6);
}

TEST_CASE("KnnRowsCv in small pieces gives exactly the one-call result", "[cv][images]") {
  Rng rng(5);
  MatRowsF X(83, 5);
  Labels y(83);
  for (int i = 0; i < 83; ++i) {
    for (int j = 0; j < 5; ++j) X(i, j) = float(rng.uniform());
    y[size_t(i)] = X(i, 0) > X(i, 2) ? 1 : (X(i, 1) > 0.7f ? 2 : 0);
  }
  const std::vector<int> ks = {1, 4, 9};
  for (Metric m : {Metric::L1, Metric::L2}) {
    const CvResult whole = knn_cross_validate_rows(X, y, ks, m, 5, 3, true);
    KnnRowsCv cv(std::make_shared<const MatRowsF>(X), y, ks, m, 5, 3, true);
    REQUIRE_THROWS_AS(cv.result(), std::logic_error);
    double last = -1;
    int calls = 0;
    while (!cv.advance(4)) {  // 4 held-out rows at a time (a piece never crosses into the next fold)
      REQUIRE(cv.progress() > last);
      last = cv.progress();
      ++calls;
    }
    CHECK(calls >= 83 / 4);
    CHECK(cv.progress() == 1.0);
    const CvResult& r = cv.result();
    REQUIRE(r.ks == ks);
    REQUIRE(r.fold_acc == whole.fold_acc);
    REQUIRE(r.mean_acc == whole.mean_acc);
    REQUIRE(r.std_acc == whole.std_acc);
    CHECK(cv.advance(4));  // finished stays finished
  }
  REQUIRE_THROWS_WITH(KnnRowsCv(std::make_shared<const MatRowsF>(X), y, {1}, Metric::L2, 1, 1), Catch::Contains("2 folds"));
  REQUIRE_THROWS_WITH(KnnRowsCv(nullptr, y, {1}, Metric::L2, 5, 1), Catch::Contains("no rows"));
}

// Comparing kNN runs: each run's curve is the one-run result for its metric
// and weighting, so runs that differ only in k read one curve (computed
// once), and runs that differ in the metric or the weighting get their own.
TEST_CASE("compared kNN runs: k never changes a run's curve, the metric and the weighting do", "[cv][compare]") {
  Dataset d = make_spiral(150, 0.3, 5, 3);
  split_train_val(d, 0.2, 9);
  const std::vector<int> ks = {1, 3, 5, 9, 15};
  const std::vector<KnnSpec> runs = {
      {1, Metric::L2, false}, {5, Metric::L2, false}, {1, Metric::L1, false}, {7, Metric::L2, true}};
  REQUIRE(knn_cv_curve_of(runs) == std::vector<int>{0, 0, 2, 3});
  REQUIRE(knn_cv_curve_of({{3, Metric::L1, false}, {1, Metric::L2, false}, {9, Metric::L1, false}}) ==
          std::vector<int>{0, 1, 0});
  const std::vector<CvResult> r = knn_cross_validate_runs(d, runs, ks, 5, 4);
  REQUIRE(r.size() == runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    INFO("run " << i);
    const CvResult one = knn_cross_validate_folds(d, ks, runs[i].metric, 5, 4, runs[i].weighted);
    CHECK(r[i].ks == ks);
    CHECK(r[i].fold_acc == one.fold_acc);
    CHECK(r[i].mean_acc == one.mean_acc);
    CHECK(r[i].std_acc == one.std_acc);
  }
  CHECK(r[0].mean_acc == r[1].mean_acc);  // 1-NN and 5-NN: the same curve
  CHECK(r[0].mean_acc != r[2].mean_acc);  // L1 against L2: another one
  CHECK(r[0].mean_acc != r[3].mean_acc);  // weighted votes: another one ...
  CHECK(r[0].mean_acc[0] == r[3].mean_acc[0]);  // ... except at k = 1, where one neighbour votes alone
}
