// cv.cpp: k-fold cross-validation of the kNN's k (see cv.h).
#include "core/train/cv.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/models/knn.h"

namespace nn {

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
  for (const std::vector<double>& acc : r.fold_acc) {
    double mean = 0, var = 0;
    for (double a : acc) mean += a / folds;
    for (double a : acc) var += (a - mean) * (a - mean) / folds;
    r.mean_acc.push_back(mean);
    r.std_acc.push_back(std::sqrt(var));
  }
  return r;
}

std::vector<double> knn_cross_validate(const Dataset& data, const std::vector<int>& ks,
                                       Metric metric, int folds, uint64_t seed, bool weighted) {
  return knn_cross_validate_folds(data, ks, metric, folds, seed, weighted).mean_acc;
}

}  // namespace nn
