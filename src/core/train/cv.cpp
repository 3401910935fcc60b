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

CvResult knn_cross_validate_folds(const Dataset& data, const std::vector<int>& ks, Metric metric,
                                  int folds, uint64_t seed, bool weighted) {
  if (folds < 2) throw std::runtime_error("cross-validation needs at least 2 folds");
  for (int k : ks)
    if (k < 1) throw std::runtime_error("k must be at least 1 (got " + std::to_string(k) + ")");
  std::vector<Point> train;
  for (const Point& p : data.points)
    if (!p.validation) train.push_back(p);
  const int n = int(train.size());
  if (n < 2) throw std::runtime_error("cross-validation needs at least 2 training points");
  folds = std::min(folds, n);

  const std::vector<std::vector<int>> fold_idx = kfold_indices(n, folds, seed);
  CvResult r;
  r.ks = ks;
  r.fold_acc.assign(ks.size(), std::vector<double>(folds, 0.0));
  for (int f = 0; f < folds; ++f) {
    // Train on every fold but f.
    std::vector<Point> rest;
    for (int g = 0; g < folds; ++g)
      if (g != f)
        for (int i : fold_idx[g]) rest.push_back(train[i]);
    const KnnIndex index(rest, data.num_classes);
    for (size_t ki = 0; ki < ks.size(); ++ki) {
      const KnnSpec spec{ks[ki], metric, weighted};
      int correct = 0;
      for (int i : fold_idx[f])
        correct += index.predict(train[i].x, train[i].y, spec) == train[i].label;
      r.fold_acc[ki][f] = double(correct) / double(fold_idx[f].size());
    }
  }
  summarise_folds(r);
  return r;
}

std::vector<double> knn_cross_validate(const Dataset& data, const std::vector<int>& ks,
                                       Metric metric, int folds, uint64_t seed, bool weighted) {
  return knn_cross_validate_folds(data, ks, metric, folds, seed, weighted).mean_acc;
}

CvResult knn_cross_validate_rows(const MatRowsF& X, const Labels& y, const std::vector<int>& ks, Metric metric,
                                 int folds, uint64_t seed, bool weighted) {
  if (folds < 2) throw std::runtime_error("cross-validation needs at least 2 folds");
  if (ks.empty()) throw std::runtime_error("cross-validation needs at least one k");
  for (int k : ks)
    if (k < 1) throw std::runtime_error("k must be at least 1 (got " + std::to_string(k) + ")");
  const int n = int(X.rows());
  if (n < 2) throw std::runtime_error("cross-validation needs at least 2 training rows");
  if (size_t(n) != y.size()) throw std::runtime_error("cross-validation: one label per row");
  folds = std::min(folds, n);
  const int k_max = *std::max_element(ks.begin(), ks.end());

  const std::vector<std::vector<int>> fold_idx = kfold_indices(n, folds, seed);
  CvResult r;
  r.ks = ks;
  r.fold_acc.assign(ks.size(), std::vector<double>(folds, 0.0));
  for (int f = 0; f < folds; ++f) {
    std::vector<int> rest;
    for (int g = 0; g < folds; ++g)
      if (g != f) rest.insert(rest.end(), fold_idx[g].begin(), fold_idx[g].end());
    MatRowsF train(Eigen::Index(rest.size()), X.cols()), held(Eigen::Index(fold_idx[f].size()), X.cols());
    Labels y_train(rest.size());
    for (size_t i = 0; i < rest.size(); ++i) {
      train.row(Eigen::Index(i)) = X.row(rest[i]);
      y_train[i] = y[rest[i]];
    }
    for (size_t i = 0; i < fold_idx[f].size(); ++i) held.row(Eigen::Index(i)) = X.row(fold_idx[f][i]);
    const RowNeighbours nb = knn_rows(train, held, k_max, metric);
    for (size_t ki = 0; ki < ks.size(); ++ki) {
      const std::vector<KnnVote> v = knn_rows_votes(nb, y_train, KnnSpec{ks[ki], metric, weighted});
      int correct = 0;
      for (size_t i = 0; i < v.size(); ++i) correct += v[i].label == y[fold_idx[f][i]];
      r.fold_acc[ki][f] = v.empty() ? 0.0 : double(correct) / double(v.size());
    }
  }
  summarise_folds(r);
  return r;
}

}  // namespace nn

