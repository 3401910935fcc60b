// test_util.h: small helpers shared by the engine's tests (random matrices,
// labels and points from a seeded Rng, classification accuracy).
#pragma once
#include <vector>

#include "core/data/dataset.h"
#include "core/models/model.h"
#include "core/rng.h"

namespace nn::test {

inline Mat random_mat(int rows, int cols, Rng& rng, double scale = 1.0) {
  Mat m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = scale * rng.normal();
  return m;
}

inline Labels random_labels(int n, int classes, Rng& rng) {
  Labels y(n);
  for (int& v : y) v = rng.randint(classes);
  return y;
}

// n points uniform in [-spread, spread]^2 with random labels below `classes`.
inline std::vector<Point> random_points(int n, int classes, uint64_t seed, double spread = 1.0) {
  Rng rng(seed);
  std::vector<Point> pts(n);
  for (auto& p : pts) {
    p.x = rng.uniform(-spread, spread);
    p.y = rng.uniform(-spread, spread);
    p.label = rng.randint(classes);
  }
  return pts;
}

// Share of rows whose highest score is the label.
inline double accuracy(Model& m, const Mat& X, const Labels& y) {
  const Mat s = m.scores(X);
  int correct = 0;
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    Eigen::Index best;
    s.row(i).maxCoeff(&best);
    correct += int(best) == y[i];
  }
  return double(correct) / double(y.size());
}

}  // namespace nn::test
