// cv.cpp: k-fold cross-validation of the kNN's k (see cv.h).
#include "core/train/cv.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/limits.h"
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

std::vector<int> knn_cv_curve_of(const std::vector<KnnSpec>& runs) {
  std::vector<int> of(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    of[i] = int(i);
    for (size_t j = 0; j < i; ++j)
      if (runs[j].metric == runs[i].metric && runs[j].weighted == runs[i].weighted) {
        of[i] = int(j);
        break;
      }
  }
  return of;
}

std::vector<CvResult> knn_cross_validate_runs(const Dataset& data, const std::vector<KnnSpec>& runs,
                                              const std::vector<int>& ks, int folds, uint64_t seed) {
  const std::vector<int> of = knn_cv_curve_of(runs);
  std::vector<CvResult> out(runs.size());
  for (size_t i = 0; i < runs.size(); ++i)
    out[i] = of[i] == int(i) ? knn_cross_validate_folds(data, ks, runs[i].metric, folds, seed, runs[i].weighted)
                             : out[size_t(of[i])];
  return out;
}

std::vector<int> image_cv_ks() {
  std::vector<int> ks;
  for (int k : {1, 2, 3, 5, 7, 10, 15, 20, 30, 50})
    if (k <= kUiMaxImageK) ks.push_back(k);
  return ks;
}

KnnRowsCv::KnnRowsCv(std::shared_ptr<const MatRowsF> X, Labels y, std::vector<int> ks, Metric metric, int folds,
                     uint64_t seed, bool weighted)
    : X_(std::move(X)), y_(std::move(y)), ks_(std::move(ks)), metric_(metric), weighted_(weighted) {
  if (!X_) throw std::runtime_error("cross-validation: no rows");
  const int n = int(X_->rows());
  check_cv_args(ks_, folds, n, "rows");
  if (size_t(n) != y_.size()) throw std::runtime_error("cross-validation: one label per row");
  folds_ = std::min(folds, n);
  fold_idx_ = kfold_indices(n, folds_, seed);
  result_.ks = ks_;
  result_.fold_acc.assign(ks_.size(), std::vector<double>(size_t(folds_), 0.0));
  start_fold();
}

// The rows of every fold but fold_ become the training rows (in fold order, as
// cross_validate gathers them).
void KnnRowsCv::start_fold() {
  at_ = 0;
  correct_.assign(ks_.size(), 0);
  if (done()) return;
  std::vector<int> rest;
  for (int g = 0; g < folds_; ++g)
    if (g != fold_) rest.insert(rest.end(), fold_idx_[size_t(g)].begin(), fold_idx_[size_t(g)].end());
  train_.resize(Eigen::Index(rest.size()), X_->cols());
  y_train_.resize(rest.size());
  for (size_t i = 0; i < rest.size(); ++i) {
    train_.row(Eigen::Index(i)) = X_->row(rest[i]);
    y_train_[i] = y_[size_t(rest[i])];
  }
}

bool KnnRowsCv::advance(int rows) {
  if (done()) return true;
  const std::vector<int>& held = fold_idx_[size_t(fold_)];
  const int n = std::clamp(rows, 1, int(held.size()) - at_);
  MatRowsF q(n, X_->cols());
  for (int i = 0; i < n; ++i) q.row(i) = X_->row(held[size_t(at_ + i)]);
  const int k_max = *std::max_element(ks_.begin(), ks_.end());
  const RowNeighbours nb = knn_rows(train_, q, k_max, metric_);
  for (size_t ki = 0; ki < ks_.size(); ++ki) {
    const std::vector<KnnVote> v = knn_rows_votes(nb, y_train_, KnnSpec{ks_[ki], metric_, weighted_});
    for (int i = 0; i < n; ++i) correct_[ki] += v[size_t(i)].label == y_[size_t(held[size_t(at_ + i)])];
  }
  at_ += n;
  predicted_ += n;
  if (at_ >= int(held.size())) {
    for (size_t ki = 0; ki < ks_.size(); ++ki)
      result_.fold_acc[ki][size_t(fold_)] = held.empty() ? 0.0 : double(correct_[ki]) / double(held.size());
    ++fold_;
    start_fold();
    if (done()) {
      summarise_folds(result_);
      train_.resize(0, 0);
    }
  }
  return done();
}

double KnnRowsCv::progress() const { return X_->rows() ? double(predicted_) / double(X_->rows()) : 1.0; }

const CvResult& KnnRowsCv::result() const {
  if (!done()) throw std::logic_error("cross-validation: not finished");
  return result_;
}

CvResult knn_cross_validate_rows(const MatRowsF& X, const Labels& y, const std::vector<int>& ks, Metric metric,
                                 int folds, uint64_t seed, bool weighted) {
  KnnRowsCv cv(std::make_shared<const MatRowsF>(X), y, ks, metric, folds, seed, weighted);
  while (!cv.advance(1 << 30)) {
  }
  return cv.result();
}

}  // namespace nn

