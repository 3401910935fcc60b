// cv.cpp: k-fold cross-validation of the kNN's k (see cv.h).
#include "core/train/cv.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/models/knn.h"

namespace nn {

// Mean and standard deviation over the folds, per k.
static void summarise_folds(CvResult& r) {
  for (const std::vector<double>& acc : r.fold_acc) {
    const double folds = double(acc.size());
    double mean = 0, var = 0;
    for (double a : acc) mean += a / folds;
    for (double a : acc) var += (a - mean) * (a - mean) / folds;
    r.mean_acc.push_back(mean);
    r.std_acc.push_back(std::sqrt(var));
  }
}

static void check_cv_args(const std::vector<int>& ks, int folds, int n, const char* items) {
  if (folds < 2) throw std::runtime_error("cross-validation needs at least 2 folds");
  if (ks.empty()) throw std::runtime_error("cross-validation needs at least one k");
  for (int k : ks)
    if (k < 1) throw std::runtime_error("k must be at least 1 (got " + std::to_string(k) + ")");
  if (n < 2) throw std::runtime_error(std::string("cross-validation needs at least 2 training ") + items);
}

// Fold f of `folds` (at most one per item) is held out while the others
// train: run_fold(rest, held) gets the items' indices and returns the held
// fold's accuracy for each k.
template <class RunFold>
static CvResult cross_validate(int n, const std::vector<int>& ks, int folds, uint64_t seed, RunFold run_fold) {
  folds = std::min(folds, n);
  const std::vector<std::vector<int>> fold_idx = kfold_indices(n, folds, seed);
  CvResult r;
  r.ks = ks;
  r.fold_acc.assign(ks.size(), std::vector<double>(folds, 0.0));
  for (int f = 0; f < folds; ++f) {
    std::vector<int> rest;
    for (int g = 0; g < folds; ++g)
      if (g != f) rest.insert(rest.end(), fold_idx[g].begin(), fold_idx[g].end());
    const std::vector<double> acc = run_fold(rest, fold_idx[f]);
    for (size_t ki = 0; ki < ks.size(); ++ki) r.fold_acc[ki][f] = acc[ki];
  }
  summarise_folds(r);
  return r;
}

CvResult knn_cross_validate_folds(const Dataset& data, const std::vector<int>& ks, Metric metric,
                                  int folds, uint64_t seed, bool weighted) {
  std::vector<Point> train;
  for (const Point& p : data.points)
    if (!p.validation) train.push_back(p);
  check_cv_args(ks, folds, int(train.size()), "points");
  return cross_validate(int(train.size()), ks, folds, seed, [&](const std::vector<int>& rest, const std::vector<int>& held) {
    std::vector<Point> rest_points;
    for (int i : rest) rest_points.push_back(train[i]);
    const KnnIndex index(rest_points, data.num_classes);
    std::vector<double> acc;
    for (int k : ks) {
      const KnnSpec spec{k, metric, weighted};
      int correct = 0;
      for (int i : held) correct += index.predict(train[i].x, train[i].y, spec) == train[i].label;
      acc.push_back(double(correct) / double(held.size()));
    }
    return acc;
  });
}

std::vector<double> knn_cross_validate(const Dataset& data, const std::vector<int>& ks,
                                       Metric metric, int folds, uint64_t seed, bool weighted) {
  return knn_cross_validate_folds(data, ks, metric, folds, seed, weighted).mean_acc;
}

CvResult knn_cross_validate_rows(const MatRowsF& X, const Labels& y, const std::vector<int>& ks, Metric metric,
                                 int folds, uint64_t seed, bool weighted) {
  const int n = int(X.rows());
  check_cv_args(ks, folds, n, "rows");
  if (size_t(n) != y.size()) throw std::runtime_error("cross-validation: one label per row");
  const int k_max = *std::max_element(ks.begin(), ks.end());
  return cross_validate(n, ks, folds, seed, [&](const std::vector<int>& rest, const std::vector<int>& held) {
    MatRowsF train(Eigen::Index(rest.size()), X.cols()), held_rows(Eigen::Index(held.size()), X.cols());
    Labels y_train(rest.size());
    for (size_t i = 0; i < rest.size(); ++i) {
      train.row(Eigen::Index(i)) = X.row(rest[i]);
      y_train[i] = y[rest[i]];
    }
    for (size_t i = 0; i < held.size(); ++i) held_rows.row(Eigen::Index(i)) = X.row(held[i]);
    const RowNeighbours nb = knn_rows(train, held_rows, k_max, metric);
    std::vector<double> acc;
    for (int k : ks) {
      const std::vector<KnnVote> v = knn_rows_votes(nb, y_train, KnnSpec{k, metric, weighted});
      int correct = 0;
      for (size_t i = 0; i < v.size(); ++i) correct += v[i].label == y[held[i]];
      acc.push_back(v.empty() ? 0.0 : double(correct) / double(v.size()));
    }
    return acc;
  });
}

}  // namespace nn

