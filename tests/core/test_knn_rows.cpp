// Tests of kNN on rows (images): the tiled SIMD search (L2 by the
// ||a||^2 - 2ab + ||b||^2 expansion, and L1) returns the brute-force
// reference's neighbours and distances on odd shapes; votes follow the 2D
// rule; cross-validation over k on rows agrees with a direct computation.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "core/models/knn.h"
#include "core/rng.h"
#include "core/train/cv.h"

using namespace nn;

static MatRowsF random_rows(int n, int d, Rng& rng) {
  MatRowsF m(n, d);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = float(rng.uniform(0.0, 1.0));
  return m;
}

TEST_CASE("knn_rows equals brute force on odd shapes, L1 and L2", "[knn][images]") {
  Rng rng(3);
  // Sizes that leave remainders in every tile dimension: queries % 4, rows % 2, D % 4.
  const std::vector<std::array<int, 3>> shapes = {{1, 1, 1}, {7, 5, 3}, {33, 9, 17}, {300, 13, 49}, {513, 6, 784}};
  for (const auto& [n_train, n_q, d] : shapes) {
    const MatRowsF train = random_rows(n_train, d, rng), q = random_rows(n_q, d, rng);
    for (Metric m : {Metric::L1, Metric::L2})
      for (int k : {1, 3, 10}) {
        const RowNeighbours fast = knn_rows(train, q, k, m), ref = knn_rows_brute(train, q, k, m);
        INFO("n_train " << n_train << " queries " << n_q << " D " << d << " k " << k << " L" << (m == Metric::L1 ? 1 : 2));
        REQUIRE(fast.k == std::min(k, n_train));
        REQUIRE(fast.index == ref.index);  // random data: no distance is within float error of another
        for (size_t i = 0; i < ref.dist.size(); ++i) REQUIRE(fast.dist[i] == Approx(ref.dist[i]).epsilon(1e-4).margin(1e-4));
      }
  }
}

TEST_CASE("knn_rows: duplicate training rows tie by index, a row's nearest is itself at distance 0", "[knn][images]") {
  Rng rng(5);
  MatRowsF train = random_rows(20, 11, rng);
  train.row(12) = train.row(4);  // equal rows: equal distances from anything
  for (Metric m : {Metric::L1, Metric::L2}) {
    const RowNeighbours nb = knn_rows(train, train, 2, m);
    for (int i = 0; i < 20; ++i) {
      const int first = nb.index[i * 2];
      REQUIRE(((first == i) || (i == 12 && first == 4)));
      REQUIRE(nb.dist[i * 2] == Approx(0.0).margin(1e-2));  // L2 by the expansion: sqrt of a rounding error
    }
    REQUIRE(nb.index[4 * 2 + 0] == 4);
    REQUIRE(nb.index[4 * 2 + 1] == 12);  // the duplicate comes second (larger index)
    REQUIRE(nb.index[12 * 2 + 1] == 12);
  }
}

TEST_CASE("knn_rows votes follow the 2D rule; mismatched widths and bad k are refused", "[knn][images]") {
  Rng rng(9);
  const MatRowsF train = random_rows(40, 8, rng), q = random_rows(10, 8, rng);
  Labels y(40);
  for (int i = 0; i < 40; ++i) y[i] = i % 3;
  const RowNeighbours nb = knn_rows_brute(train, q, 5, Metric::L2);
  for (bool weighted : {false, true}) {
    const std::vector<KnnVote> v = knn_rows_votes(nb, y, KnnSpec{5, Metric::L2, weighted});
    for (int i = 0; i < 10; ++i) {
      // Recount by hand.
      double votes[3] = {0, 0, 0};
      for (int j = 0; j < 5; ++j)
        votes[y[nb.index[i * 5 + j]]] += weighted ? 1.0 / (nb.dist[i * 5 + j] + 1e-9) : 1.0;
      const double best = std::max({votes[0], votes[1], votes[2]});
      REQUIRE(votes[v[i].label] == best);
    }
  }
  const Labels pred = knn_rows_predict(train, y, train, KnnSpec{1, Metric::L1, false});
  REQUIRE(pred == y);  // 1-NN remembers its training rows
  REQUIRE_THROWS_WITH(knn_rows(train, random_rows(2, 7, rng), 1, Metric::L2), Catch::Contains("7 values"));
  REQUIRE_THROWS_WITH(knn_rows(train, q, 0, Metric::L2), Catch::Contains("k must be at least 1"));
}

TEST_CASE("cross-validation over k on rows matches folds computed by hand", "[cv][images]") {
  Rng rng(11);
  const MatRowsF X = random_rows(60, 6, rng);
  Labels y(60);
  for (int i = 0; i < 60; ++i) y[i] = (X(i, 0) + X(i, 1) > 1.0f) ? 1 : 0;  // a learnable rule
  const std::vector<int> ks = {1, 3, 7};
  const CvResult r = knn_cross_validate_rows(X, y, ks, Metric::L2, 5, 42);
  REQUIRE(r.mean_acc.size() == 3);
  const auto folds = kfold_indices(60, 5, 42);
  for (size_t ki = 0; ki < ks.size(); ++ki)
    for (int f = 0; f < 5; ++f) {
      std::vector<int> rest;
      for (int g = 0; g < 5; ++g)
        if (g != f) rest.insert(rest.end(), folds[g].begin(), folds[g].end());
      MatRowsF tr(rest.size(), 6), te(folds[f].size(), 6);
      Labels ytr;
      for (size_t i = 0; i < rest.size(); ++i) tr.row(i) = X.row(rest[i]), ytr.push_back(y[rest[i]]);
      for (size_t i = 0; i < folds[f].size(); ++i) te.row(i) = X.row(folds[f][i]);
      const Labels p = knn_rows_predict(tr, ytr, te, KnnSpec{ks[ki], Metric::L2, false});
      int correct = 0;
      for (size_t i = 0; i < p.size(); ++i) correct += p[i] == y[folds[f][i]];
      REQUIRE(r.fold_acc[ki][f] == Approx(double(correct) / p.size()));
    }
  REQUIRE(r.mean_acc[1] > 0.6);  // the rule is learnable: well above chance at k = 3
  REQUIRE_THROWS_WITH(knn_cross_validate_rows(X, y, {0}, Metric::L2, 5, 1), Catch::Contains("k must be"));
  REQUIRE_THROWS_WITH(knn_cross_validate_rows(X, y, ks, Metric::L2, 1, 1), Catch::Contains("2 folds"));
}
