// Tests of knn_grid's shared-candidate search (tiles of pixels share one
// candidate list): every pixel must get exactly the label and confidence of
// a direct query (KnnIndex::vote, and vote_brute, the plain reference), for
// both metrics, weighted votes, ties, dense clusters, tiles of one class
// and k >= N.
#include <catch2/catch.hpp>

#include "test_util.h"

#include <cmath>

#include "core/models/knn.h"
#include "core/rng.h"

using namespace nn;
using namespace nn::test;

namespace {

// Compares every pixel with a direct query; every `brute_every`-th pixel also
// with brute force. Returns the number of pixels checked.
int check_grid(const std::vector<Point>& pts, int classes, const KnnSpec& spec, int W, int H,
               double x0, double x1, double y0, double y1, int brute_every = 13) {
  KnnIndex index(pts, classes);
  std::vector<int> labels;
  std::vector<float> conf;
  knn_grid(index, spec, W, H, x0, x1, y0, y1, labels, conf);
  REQUIRE(labels.size() == size_t(W) * H);
  int mismatches = 0, checked = 0;
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) {
      const double x = x0 + (x1 - x0) * (c + 0.5) / W, y = y1 + (y0 - y1) * (r + 0.5) / H;
      const KnnVote v = index.vote(x, y, spec);
      const size_t i = size_t(r) * W + c;
      if (labels[i] != v.label || conf[i] != float(v.confidence)) ++mismatches;
      if ((r * W + c) % brute_every == 0) {
        const KnnVote vb = index.vote_brute(x, y, spec);
        if (labels[i] != vb.label || conf[i] != float(vb.confidence)) ++mismatches;
      }
      ++checked;
    }
  CHECK(mismatches == 0);
  return checked;
}

}  // namespace

TEST_CASE("knn_grid matches direct queries on every pixel (L2, L1, weighted)", "[knn_grid]") {
  const auto pts = random_points(3000, 3, 21, 1.0);
  for (Metric m : {Metric::L2, Metric::L1})
    for (bool weighted : {false, true}) {
      INFO("metric " << (m == Metric::L2 ? "L2" : "L1") << ", weighted " << weighted);
      CHECK(check_grid(pts, 3, {5, m, weighted}, 97, 61, -1.2, 1.2, -1.2, 1.2) == 97 * 61);
    }
}

TEST_CASE("knn_grid matches direct queries with ties, clusters and points outside the view", "[knn_grid]") {
  // Points on a lattice that the pixel centres hit exactly: many equidistant
  // neighbours, so the (distance, index) tie rule decides.
  std::vector<Point> lattice;
  for (int i = 0; i < 21; ++i)
    for (int j = 0; j < 21; ++j) lattice.push_back({-1.0 + 0.1 * i, -1.0 + 0.1 * j, (i * 7 + j * 3) % 3, false});
  for (int rep = 0; rep < 2; ++rep)  // duplicates: same place, later index
    for (int i = 0; i < 40; ++i) lattice.push_back(lattice[i * 5 % 441]);
  check_grid(lattice, 3, {4, Metric::L2, false}, 40, 40, -1.0, 1.0, -1.0, 1.0, 1);
  check_grid(lattice, 3, {6, Metric::L1, false}, 40, 40, -1.0, 1.0, -1.0, 1.0, 1);

  // A dense cluster (forces tiles to split) beside sparse points, viewed
  // through a window that extends past the data.
  auto pts = random_points(4000, 3, 5, 0.02);
  for (const Point& p : random_points(200, 3, 6, 1.0)) pts.push_back(p);
  check_grid(pts, 3, {5, Metric::L2, false}, 128, 96, -2.0, 2.0, -1.5, 1.5);
  check_grid(pts, 3, {7, Metric::L2, true}, 64, 64, -0.05, 0.05, -0.05, 0.05);
}

TEST_CASE("knn_grid matches direct queries where whole tiles share one class", "[knn_grid]") {
  // Labels by region (three wedges): most tiles see one class only and are
  // filled at once; pixels near the borders still rank their candidates.
  auto pts = random_points(5000, 3, 17, 1.1);
  for (Point& p : pts) p.label = p.x > 0.2 ? 0 : (p.y > 0 ? 1 : 2);
  check_grid(pts, 3, {5, Metric::L2, false}, 160, 120, -1.2, 1.2, -1.2, 1.2);
  check_grid(pts, 3, {3, Metric::L1, true}, 75, 75, -1.2, 1.2, -1.2, 1.2);
}

TEST_CASE("knn_grid with k at least N, one point, and an empty index", "[knn_grid]") {
  const auto few = random_points(4, 2, 9, 1.0);
  check_grid(few, 2, {9, Metric::L2, false}, 33, 17, -1.2, 1.2, -1.2, 1.2, 1);
  check_grid({{0.3, -0.2, 1, false}}, 2, {1, Metric::L1, true}, 20, 20, -1.0, 1.0, -1.0, 1.0, 1);
  KnnIndex empty({}, 2);
  std::vector<int> labels;
  std::vector<float> conf;
  knn_grid(empty, {3, Metric::L2, false}, 8, 8, -1, 1, -1, 1, labels, conf);
  REQUIRE(labels.size() == 64u);
  CHECK(std::all_of(labels.begin(), labels.end(), [](int l) { return l == -1; }));
}
