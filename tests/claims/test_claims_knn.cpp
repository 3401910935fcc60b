// Claims about k-nearest neighbours, checked on the kNN presets with KnnIndex.
#include <catch2/catch.hpp>

#include <cmath>

#include "claims_common.h"
#include "core/models/knn.h"

using namespace nn;
using namespace claims;

static std::vector<Point> split(const Dataset& d, bool validation) {
  std::vector<Point> out;
  for (const Point& p : d.points)
    if (p.validation == validation) out.push_back(p);
  return out;
}

static double knn_accuracy(const KnnIndex& idx, const std::vector<Point>& pts, const KnnSpec& k) {
  int ok = 0;
  for (const Point& p : pts) ok += idx.predict(p.x, p.y, k) == p.label;
  return double(ok) / double(pts.size());
}

TEST_CASE("1-NN is perfect on training data, 5-NN smooths", "[claims][knn-1-vs-5]") {
  const Session s = load_preset("knn-1-vs-5");
  REQUIRE(s.spec.kind == ModelKind::KNN);
  const auto train = split(s.data, false), val = split(s.data, true);
  const KnnIndex idx(train, s.data.num_classes);
  KnnSpec k1 = s.spec.knn, k5 = s.spec.knn;
  k1.k = 1;
  k5.k = 5;
  const double tr1 = knn_accuracy(idx, train, k1), tr5 = knn_accuracy(idx, train, k5);
  const double va1 = knn_accuracy(idx, val, k1), va5 = knn_accuracy(idx, val, k5);
  const int g = 60;
  std::vector<int> l1, l5;
  for (const auto& [x, y] : grid(g)) {
    l1.push_back(idx.predict(x, y, k1));
    l5.push_back(idx.predict(x, y, k5));
  }
  const int b1 = boundary_cells(l1, g), b5 = boundary_cells(l5, g);
  measure("knn-1-vs-5", "train acc k1=" + num(tr1) + " k5=" + num(tr5) + "; val acc k1=" +
                            num(va1) + " k5=" + num(va5) + "; boundary cells (60x60) k1=" +
                            num(b1) + " k5=" + num(b5));
  // Claims: each training point is its own nearest neighbour (100%); 5-NN
  // gets some training points wrong on noisy data; its boundary is shorter
  // (at least 20% fewer boundary cells on a 60 x 60 grid); on the held-out
  // points 5-NN is at least as good as 1-NN here.
  REQUIRE(tr1 == 1.0);
  REQUIRE(tr5 < 1.0);
  REQUIRE(b5 < 0.8 * b1);
  REQUIRE(va5 >= va1);
}

// The card's claim on the playground's own start-up data: the default spiral
// (300 points, 3 classes, noise 0.1) and a few other seeds and sizes.
TEST_CASE("1-NN classifies every training point of a spiral correctly", "[claims][knn-1-vs-5]") {
  for (uint64_t seed : {1, 2, 3})
    for (int classes : {3, 5}) {
      const Dataset d = generate(DataGen::Spiral, 300, classes, 0.1, seed);
      const KnnIndex idx(d.points, d.num_classes);
      KnnSpec k1;
      k1.k = 1;
      INFO("seed " << seed << ", " << classes << " classes");
      CHECK(knn_accuracy(idx, d.points, k1) == 1.0);
    }
}

// Rotates every point about the origin.
static std::pair<double, double> rotate(double x, double y, double angle) {
  return {std::cos(angle) * x - std::sin(angle) * y, std::sin(angle) * x + std::cos(angle) * y};
}

TEST_CASE("L2 does not depend on the axes, L1 does", "[claims][knn-l1-vs-l2]") {
  const Session s = load_preset("knn-l1-vs-l2");
  REQUIRE(s.spec.knn.metric == Metric::L1);
  const auto train = split(s.data, false);
  const double angle = 0.5;  // radians
  std::vector<Point> turned = train;
  for (Point& p : turned) std::tie(p.x, p.y) = rotate(p.x, p.y, angle);
  const KnnIndex a(train, s.data.num_classes), b(turned, s.data.num_classes);
  int changed[2] = {0, 0};
  const auto q = grid(50);
  for (int m = 0; m < 2; ++m) {
    KnnSpec k = s.spec.knn;
    k.metric = m == 0 ? Metric::L1 : Metric::L2;
    for (const auto& [x, y] : q) {
      const auto [rx, ry] = rotate(x, y, angle);
      changed[m] += a.predict(x, y, k) != b.predict(rx, ry, k);
    }
  }
  // One large difference against several medium ones: (3, 0) and (2, 2).
  const bool l1_prefers_spread =
      KnnIndex::true_distance(3, 0, Metric::L1) < KnnIndex::true_distance(2, 2, Metric::L1);
  const bool l2_prefers_spread =
      KnnIndex::true_distance(2, 2, Metric::L2) < KnnIndex::true_distance(3, 0, Metric::L2);
  measure("knn-l1-vs-l2", "rotating data and queries by 0.5 rad changes " + num(changed[0]) +
                              "/2500 L1 predictions, " + num(changed[1]) + " L2 predictions");
  // Claim: rotating everything leaves every L2 prediction unchanged and
  // changes some L1 predictions (more than 1% of a 50 x 50 grid).
  REQUIRE(changed[1] == 0);
  REQUIRE(changed[0] > 25);
  // L2 dislikes one large difference more than several medium ones; L1 the opposite.
  REQUIRE(l1_prefers_spread);
  REQUIRE(l2_prefers_spread);
}

TEST_CASE("kNN: a common shift and scale change nothing, one axis does",
          "[claims][knn-feature-scaling]") {
  const Session s = load_preset("knn-feature-scaling");
  const auto train = split(s.data, false);
  auto transformed = [&](double ax, double ay, double sx, double sy) {
    std::vector<Point> out = train;
    for (Point& p : out) p.x = ax * p.x + sx, p.y = ay * p.y + sy;
    return out;
  };
  const KnnIndex base(train, s.data.num_classes);
  const auto q = grid(50);
  std::string text;
  int changed[3] = {0, 0, 0};
  for (Metric metric : {Metric::L2, Metric::L1}) {
    KnnSpec k = s.spec.knn;
    k.metric = metric;
    // (ax, ay, shift x, shift y): same factor + shift; same factor; x alone stretched.
    const double T[3][4] = {{2.5, 2.5, 0.3, -0.2}, {0.25, 0.25, 0, 0}, {4.0, 1.0, 0, 0}};
    for (int i = 0; i < 3; ++i) {
      const KnnIndex other(transformed(T[i][0], T[i][1], T[i][2], T[i][3]), s.data.num_classes);
      int n = 0;
      for (const auto& [x, y] : q)
        n += base.predict(x, y, k) != other.predict(T[i][0] * x + T[i][2], T[i][1] * y + T[i][3], k);
      changed[i] += n;
      text += std::string(to_string(metric)) + " case " + num(i) + ": " + num(n) + " changed; ";
    }
  }
  measure("knn-feature-scaling", text + "(of 2500 grid queries per case)");
  // Claim: the same scale (and shift) on both axes changes no prediction, for
  // L1 and L2; scaling x alone by 4 changes more than 1% of them.
  REQUIRE(changed[0] == 0);
  REQUIRE(changed[1] == 0);
  REQUIRE(changed[2] > 50);
}
