// cv.h: k-fold cross-validation of the kNN's k on the training points, as in
// the CS231n notes: each fold is held out in turn and the accuracies averaged.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/data/dataset.h"
#include "core/models/knn.h"
#include "core/spec.h"

namespace nn {

struct CvResult {
  std::vector<int> ks;                          // the k values tried, as given
  std::vector<std::vector<double>> fold_acc;    // fold_acc[i][f]: accuracy of ks[i] on fold f
  std::vector<double> mean_acc, std_acc;        // per k, over the folds
};

// Uses only the training points (Point::validation == false), split into
// `folds` shuffled folds by kfold_indices(n_train, folds, seed); a fold is
// predicted by a KnnIndex over the other folds. folds larger than the number
// of training points is reduced to it (leave-one-out). Throws
// std::runtime_error for folds < 2, fewer than 2 training points, or a k < 1.
CvResult knn_cross_validate_folds(const Dataset& data, const std::vector<int>& ks, Metric metric,
                                  int folds, uint64_t seed, bool weighted = false);

// Mean validation accuracy per k (knn_cross_validate_folds(...).mean_acc).
std::vector<double> knn_cross_validate(const Dataset& data, const std::vector<int>& ks,
                                       Metric metric, int folds, uint64_t seed,
                                       bool weighted = false);

// Comparing kNN runs. A run's curve of validation accuracy over k depends on
// its metric and weighting (and on the data, folds and seed, which compared
// runs share), never on its own k: every k is tried, and the run's k is one
// point on the curve. For each run, the index of the first run with the same
// metric and weighting, whose curve it reads (its own index when none before).
std::vector<int> knn_cv_curve_of(const std::vector<KnnSpec>& runs);

// Every run's curve on the points (knn_cross_validate_folds with the run's
// metric and weighting), each distinct curve computed once: runs that differ
// only in k get equal results. Throws as knn_cross_validate_folds.
std::vector<CvResult> knn_cross_validate_runs(const Dataset& data, const std::vector<KnnSpec>& runs,
                                              const std::vector<int>& ks, int folds, uint64_t seed);

// The same on rows (images): `folds` shuffled folds of the rows of X by
// kfold_indices(N, folds, seed), each predicted by knn_rows over the other
// folds. The neighbours are searched once per fold for the largest k and
// every k votes with its first k of them. Throws as above.
CvResult knn_cross_validate_rows(const MatRowsF& X, const Labels& y, const std::vector<int>& ks, Metric metric,
                                 int folds, uint64_t seed, bool weighted = false);

// The k values the image mode cross-validates (1 to kUiMaxImageK).
std::vector<int> image_cv_ks();

// knn_cross_validate_rows a piece at a time, so that a caller can spread it
// over frames or run it on a thread and stop it early: each advance(n)
// predicts the next n held-out rows (of the current fold) for every k. The
// finished result equals knn_cross_validate_rows with the same arguments
// (which runs one of these to the end). The constructor checks the arguments
// and throws as above; X is shared, not copied.
class KnnRowsCv {
 public:
  KnnRowsCv(std::shared_ptr<const MatRowsF> X, Labels y, std::vector<int> ks, Metric metric, int folds,
            uint64_t seed, bool weighted = false);
  bool advance(int rows);          // returns done()
  bool done() const { return fold_ >= folds_; }
  double progress() const;         // share of the held-out predictions made, 0..1
  int folds() const { return folds_; }
  const CvResult& result() const;  // throws std::logic_error before done()

 private:
  void start_fold();
  std::shared_ptr<const MatRowsF> X_;
  Labels y_;
  std::vector<int> ks_;
  Metric metric_;
  bool weighted_;
  int folds_ = 0, fold_ = 0, at_ = 0, predicted_ = 0;
  std::vector<std::vector<int>> fold_idx_;
  MatRowsF train_;                 // the current fold's other rows
  Labels y_train_;
  std::vector<int> correct_;       // per k, in the current fold
  CvResult result_;
};

}  // namespace nn
