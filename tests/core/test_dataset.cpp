// Tests of the data sets: generators are seeded and deterministic, give the
// asked number of points with labels below num_classes inside the canvas;
// train/validation splits are exact; k folds partition the indices.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/data/dataset.h"

using namespace nn;

static const DataGen kAllGens[] = {DataGen::Blobs,  DataGen::Circle, DataGen::Xor,
                                   DataGen::Spiral, DataGen::Moons,  DataGen::Linear};

TEST_CASE("generators are deterministic for a seed and differ across seeds", "[dataset]") {
  for (DataGen g : kAllGens) {
    INFO(to_string(g));
    const Dataset a = generate(g, 200, 3, 0.1, 42);
    const Dataset b = generate(g, 200, 3, 0.1, 42);
    const Dataset c = generate(g, 200, 3, 0.1, 43);
    REQUIRE(a.points == b.points);
    REQUIRE(a.num_classes == b.num_classes);
    REQUIRE_FALSE(a.points == c.points);
  }
}

TEST_CASE("generators give n points, labels below num_classes, balanced classes", "[dataset]") {
  for (DataGen g : kAllGens) {
    for (int classes : {2, 3, 5, 8}) {
      INFO(to_string(g) << " with " << classes << " classes");
      const int n = 101;
      const Dataset d = generate(g, n, classes, 0.2, 7);
      const bool two_class = g == DataGen::Circle || g == DataGen::Xor || g == DataGen::Moons;
      const int C = two_class ? 2 : classes;
      REQUIRE(d.num_classes == C);
      REQUIRE(int(d.points.size()) == n);
      std::vector<int> count(C, 0);
      for (const Point& p : d.points) {
        REQUIRE(p.label >= 0);
        REQUIRE(p.label < C);
        REQUIRE_FALSE(p.validation);
        ++count[p.label];
      }
      const auto [lo, hi] = std::minmax_element(count.begin(), count.end());
      REQUIRE(*hi - *lo <= 1);
    }
  }
}

TEST_CASE("generated points stay inside the canvas, even with large noise", "[dataset]") {
  for (DataGen g : kAllGens)
    for (double noise : {0.0, 0.3, 2.0})
      for (const Point& p : generate(g, 500, 4, noise, 3).points) {
        INFO(to_string(g) << " noise " << noise);
        REQUIRE(std::isfinite(p.x));
        REQUIRE(std::isfinite(p.y));
        REQUIRE(std::abs(p.x) <= kGenExtent);
        REQUIRE(std::abs(p.y) <= kGenExtent);
      }
}

TEST_CASE("clean shapes have their defining geometry", "[dataset]") {
  for (const Point& p : make_circle(300, 0.0, 5).points) {
    const double r = std::hypot(p.x, p.y);
    if (p.label == 0) REQUIRE(r <= 0.45 + 1e-12);
    else REQUIRE((r >= 0.7 - 1e-12 && r <= 1.0 + 1e-12));
  }
  for (const Point& p : make_xor(300, 0.0, 5).points)
    REQUIRE((p.x * p.y > 0) == (p.label == 0));
}

TEST_CASE("make_linear at noise 0 is linearly separable (a perceptron converges)", "[dataset]") {
  for (int C : {2, 3, 5, 8}) {
    INFO(C << " classes");
    const Dataset d = make_linear(400, 0.0, 11, C);
    // Multiclass perceptron on (x, y, 1): converges iff the data is separable.
    std::vector<std::array<double, 3>> W(C, {0, 0, 0});
    bool converged = false;
    for (int epoch = 0; epoch < 2000 && !converged; ++epoch) {
      converged = true;
      for (const Point& p : d.points) {
        const double x[3] = {p.x, p.y, 1.0};
        int best = 0;
        double best_s = -1e300;
        for (int c = 0; c < C; ++c) {
          const double s = W[c][0] * x[0] + W[c][1] * x[1] + W[c][2] * x[2];
          if (s > best_s) best_s = s, best = c;
        }
        if (best != p.label) {
          converged = false;
          for (int k = 0; k < 3; ++k) W[p.label][k] += x[k], W[best][k] -= x[k];
        }
      }
    }
    REQUIRE(converged);
  }
}

TEST_CASE("generator names round-trip and bad arguments are refused", "[dataset]") {
  for (DataGen g : kAllGens) {
    DataGen back = DataGen::Blobs;
    REQUIRE(from_string(to_string(g), back));
    REQUIRE(back == g);
  }
  DataGen g = DataGen::Moons;
  REQUIRE_FALSE(from_string("spirals", g));
  REQUIRE(g == DataGen::Moons);
  REQUIRE_THROWS_AS(generate(DataGen::Blobs, 10, kMaxClasses + 1, 0.1, 1), std::runtime_error);
  REQUIRE_THROWS_AS(generate(DataGen::Blobs, 10, 1, 0.1, 1), std::runtime_error);
  REQUIRE_THROWS_AS(generate(DataGen::Spiral, -1, 3, 0.1, 1), std::runtime_error);
  REQUIRE_THROWS_AS(generate(DataGen::Spiral, 10, 3, -0.1, 1), std::runtime_error);
  REQUIRE(generate(DataGen::Circle, 0, 2, 0.1, 1).points.empty());
}

TEST_CASE("split_train_val marks exactly round(ratio * N) points, deterministically", "[dataset]") {
  for (int n : {0, 1, 7, 100, 333})
    for (double ratio : {0.0, 0.1, 0.25, 0.5, 0.9, 1.0}) {
      Dataset d = make_blobs(n, 0.1, 1, 3);
      split_train_val(d, ratio, 99);
      const long n_val = std::count_if(d.points.begin(), d.points.end(),
                                       [](const Point& p) { return p.validation; });
      REQUIRE(n_val == std::llround(ratio * n));
      Dataset e = make_blobs(n, 0.1, 1, 3);
      split_train_val(e, ratio, 99);
      REQUIRE(d.points == e.points);
    }
  Dataset a = make_blobs(200, 0.1, 1, 3), b = a;
  split_train_val(a, 0.3, 1);
  split_train_val(b, 0.3, 2);
  REQUIRE_FALSE(a.points == b.points);  // another seed picks other points
  REQUIRE_THROWS_AS(split_train_val(a, 1.5, 1), std::runtime_error);
}

TEST_CASE("kfold_indices partitions 0..n-1 into folds of near-equal size", "[dataset]") {
  for (int n : {0, 5, 10, 101})
    for (int k : {1, 2, 3, 5, 7, 12}) {
      INFO("n=" << n << " k=" << k);
      const auto folds = kfold_indices(n, k, 123);
      REQUIRE(int(folds.size()) == k);
      std::vector<int> all;
      size_t lo = SIZE_MAX, hi = 0;
      for (const auto& f : folds) {
        all.insert(all.end(), f.begin(), f.end());
        lo = std::min(lo, f.size());
        hi = std::max(hi, f.size());
      }
      REQUIRE(hi - lo <= 1);
      std::sort(all.begin(), all.end());
      std::vector<int> expect(n);
      for (int i = 0; i < n; ++i) expect[i] = i;
      REQUIRE(all == expect);
      REQUIRE(kfold_indices(n, k, 123) == folds);
    }
  // Shuffled: with 100 indices the first fold is not simply 0..19.
  const auto folds = kfold_indices(100, 5, 1);
  std::vector<int> first20(20);
  for (int i = 0; i < 20; ++i) first20[i] = i;
  REQUIRE(folds[0] != first20);
  REQUIRE_THROWS_AS(kfold_indices(10, 0, 1), std::runtime_error);
}

TEST_CASE("no generator puts points of different classes on the same spot", "[dataset]") {
  // make_spiral once started every arm at the origin: three classes shared
  // the point (0, 0). With noise 0 any such coincidence is exact.
  for (DataGen g : kAllGens)
    for (double noise : {0.0, 0.1})
      for (int classes : {2, 3, 5}) {
        const bool two_class = g == DataGen::Circle || g == DataGen::Xor || g == DataGen::Moons;
        const Dataset d = generate(g, 300, two_class ? 2 : classes, noise, 7);
        int clashes = 0;
        for (size_t i = 0; i < d.points.size(); ++i)
          for (size_t j = i + 1; j < d.points.size(); ++j)
            clashes += d.points[i].x == d.points[j].x && d.points[i].y == d.points[j].y &&
                       d.points[i].label != d.points[j].label;
        INFO(to_string(g) << " noise " << noise << " classes " << classes);
        CHECK(clashes == 0);
      }
  // Each arm of the spiral starts just off the origin, at radius 1/count.
  const Dataset s = generate(DataGen::Spiral, 300, 3, 0.0, 1);
  for (int c = 0; c < 3; ++c)
    CHECK(std::hypot(s.points[size_t(c)].x, s.points[size_t(c)].y) == Approx(0.01));
}
