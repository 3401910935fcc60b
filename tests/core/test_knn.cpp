// Tests of the kNN: 1-NN memorises the training set, the documented tie rule,
// squared L2 picks the same neighbours as L2, and the grid search agrees with
// brute force everywhere.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>

#include "core/models/knn.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

TEST_CASE("1-NN classifies every distinct training point as its own label", "[knn]") {
  const auto pts = random_points(500, 4, 7);
  KnnIndex index(pts, 4);
  for (Metric m : {Metric::L1, Metric::L2}) {
    KnnSpec spec{1, m, false};
    for (const Point& p : pts) {
      REQUIRE(index.predict(p.x, p.y, spec) == p.label);
      REQUIRE(index.vote_brute(p.x, p.y, spec).label == p.label);
    }
  }
}

TEST_CASE("equidistant neighbours are ordered by insertion index", "[knn]") {
  // Four points at distance 1 from the origin, added in order 0..3.
  std::vector<Point> pts = {{1, 0, 2}, {0, 1, 1}, {-1, 0, 0}, {0, -1, 1}};
  KnnIndex index(pts, 3);
  const auto nb = index.neighbours(0, 0, 4, Metric::L2);
  REQUIRE(nb == std::vector<int>{0, 1, 2, 3});
  REQUIRE(index.neighbours_brute(0, 0, 2, Metric::L1) == std::vector<int>{0, 1});
  // 1-NN at the centre: the first-added point (label 2) wins.
  REQUIRE(index.predict(0, 0, {1, Metric::L2, false}) == 2);
}

TEST_CASE("a tied vote goes to the class whose nearest member is closest", "[knn]") {
  // k = 4 around x = 0.1: two of class 0 (distances 0.2, 0.4) and two of
  // class 1 (distances 0.1 and 0.6): 2-2 tie, class 1 has the nearest member.
  std::vector<Point> pts = {{0.3, 0, 0}, {0.5, 0, 0}, {0.0, 0, 1}, {0.7, 0, 1}};
  KnnIndex index(pts, 2);
  const KnnVote v = index.vote(0.1, 0, {4, Metric::L2, false});
  REQUIRE(v.label == 1);
  REQUIRE(v.confidence == Approx(0.5));
  REQUIRE(index.vote_brute(0.1, 0, {4, Metric::L2, false}).label == 1);
}

TEST_CASE("squared L2 selects exactly the neighbours of true L2", "[knn]") {
  const auto pts = random_points(300, 3, 11);
  KnnIndex index(pts, 3);
  Rng rng(5);
  for (int q = 0; q < 200; ++q) {
    const double x = rng.uniform(-1.2, 1.2), y = rng.uniform(-1.2, 1.2);
    // Sort by the true (square-rooted) distance independently.
    std::vector<std::pair<double, int>> d;
    for (int i = 0; i < int(pts.size()); ++i)
      d.push_back({std::sqrt((pts[i].x - x) * (pts[i].x - x) + (pts[i].y - y) * (pts[i].y - y)), i});
    std::sort(d.begin(), d.end());
    const auto nb = index.neighbours_brute(x, y, 7, Metric::L2);
    for (int j = 0; j < 7; ++j) REQUIRE(nb[j] == d[j].second);
  }
}

TEST_CASE("grid search returns exactly the brute-force neighbours", "[knn]") {
  for (uint64_t seed : {1, 2, 3}) {
    // Clustered data and a lattice with many exact ties stress the ring bound.
    auto pts = random_points(2000, 5, seed, seed == 2 ? 0.05 : 1.0);
    if (seed == 3)
      for (int i = 0; i < int(pts.size()); ++i) { pts[i].x = (i % 40) * 0.05 - 1; pts[i].y = (i / 40) * 0.05 - 1; }
    KnnIndex index(pts, 5);
    Rng rng(seed + 100);
    for (Metric m : {Metric::L1, Metric::L2})
      for (int k : {1, 3, 5, 25}) {
        for (int q = 0; q < 150; ++q) {
          const double x = rng.uniform(-1.5, 1.5), y = rng.uniform(-1.5, 1.5);
          REQUIRE(index.neighbours(x, y, k, m) == index.neighbours_brute(x, y, k, m));
          const KnnSpec spec{k, m, q % 2 == 0};
          REQUIRE(index.vote(x, y, spec).label == index.vote_brute(x, y, spec).label);
        }
        // Far outside the data.
        REQUIRE(index.neighbours(40, -30, k, m) == index.neighbours_brute(40, -30, k, m));
      }
  }
}

TEST_CASE("k larger than the data set uses every point; empty index predicts nothing", "[knn]") {
  std::vector<Point> pts = {{0, 0, 0}, {1, 1, 1}, {1.1, 1, 1}};
  KnnIndex index(pts, 2);
  REQUIRE(index.neighbours(0, 0, 10, Metric::L1).size() == 3);
  REQUIRE(index.predict(0, 0, {10, Metric::L2, false}) == 1);  // 2 votes to 1
  REQUIRE(index.predict(0, 0, {10, Metric::L2, true}) == 0);   // distance-weighted: the point at 0 dominates
  KnnIndex empty({}, 2);
  REQUIRE(empty.predict(0, 0, {}) == -1);
}

TEST_CASE("knn_grid labels each pixel as a direct query would", "[knn]") {
  const auto pts = random_points(400, 3, 9);
  KnnIndex index(pts, 3);
  const KnnSpec spec{5, Metric::L2, false};
  std::vector<int> labels;
  std::vector<float> conf;
  const int W = 64, H = 48;
  knn_grid(index, spec, W, H, -1.2, 1.2, -1.2, 1.2, labels, conf);
  REQUIRE(labels.size() == size_t(W * H));
  for (int r = 0; r < H; r += 7)
    for (int c = 0; c < W; c += 5) {
      const double x = -1.2 + 2.4 * (c + 0.5) / W, y = 1.2 - 2.4 * (r + 0.5) / H;
      const KnnVote v = index.vote_brute(x, y, spec);
      REQUIRE(labels[r * W + c] == v.label);
      REQUIRE(conf[r * W + c] == Approx(v.confidence));
    }
}

TEST_CASE("knn_grid handles one and two training points and k above the count", "[knn]") {
  for (int n : {1, 2, 3}) {
    std::vector<Point> pts;
    for (int i = 0; i < n; ++i) pts.push_back({0.1 + 0.2 * i, 0.1, i % 2, false});
    KnnIndex index(pts, 2);
    for (int k : {1, 3, 5}) {
      std::vector<int> labels;
      std::vector<float> conf;
      const int W = 97, H = 61;  // odd sizes: partial tiles
      knn_grid(index, {k, Metric::L2, false}, W, H, -1.25, 1.25, -1.25, 1.25, labels, conf);
      REQUIRE(labels.size() == size_t(W * H));
      for (int r = 0; r < H; r += 5)
        for (int c = 0; c < W; c += 7) {
          const double x = -1.25 + 2.5 * (c + 0.5) / W, y = 1.25 - 2.5 * (r + 0.5) / H;
          REQUIRE(labels[r * W + c] == index.vote_brute(x, y, {k, Metric::L2, false}).label);
        }
    }
  }
}
