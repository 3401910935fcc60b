// knn.h: k-nearest-neighbour classification of 2D points: a brute-force
// reference and a uniform-grid accelerated search that returns exactly the
// same neighbours, majority or distance-weighted vote, deterministic ties.
//
// Ordering and ties (the documented rule): neighbours are sorted by
// (distance, index in the training list), so of two equally distant points
// the one added first wins. Votes are counted per class; if several classes
// share the top count (or top weight), the winner is the tied class whose
// closest member comes first in that neighbour order.
// L2 distances are compared squared: the square root is monotonic, so it
// cannot change which points are nearest; it is taken only for weights.
#pragma once
#include <vector>

#include <Eigen/Dense>

#include "core/data/dataset.h"
#include "core/spec.h"
#include "core/tensor.h"

namespace nn {

struct KnnVote {
  int label = -1;           // -1 when there are no training points
  double confidence = 0;    // winner's share of the (weighted) votes, 0..1
};

class KnnIndex {
 public:
  KnnIndex() = default;
  // Indexes every point given (the caller passes the training points).
  explicit KnnIndex(const std::vector<Point>& train, int num_classes);

  int size() const { return int(pts_.size()); }
  int num_classes() const { return num_classes_; }
  const std::vector<Point>& points() const { return pts_; }

  // Indices of the k nearest points, nearest first (ties by index).
  std::vector<int> neighbours(double x, double y, int k, Metric m) const;        // grid search
  std::vector<int> neighbours_brute(double x, double y, int k, Metric m) const;  // reference

  KnnVote vote(double x, double y, const KnnSpec& spec) const;        // grid search
  KnnVote vote_brute(double x, double y, const KnnSpec& spec) const;  // reference
  int predict(double x, double y, const KnnSpec& spec) const { return vote(x, y, spec).label; }

  // Distance as compared (L1 sum, or squared L2) and as a true distance.
  static double compare_distance(double dx, double dy, Metric m);
  static double true_distance(double dx, double dy, Metric m);

 private:
  KnnVote tally(double x, double y, const std::vector<int>& nb, const KnnSpec& spec) const;

  std::vector<Point> pts_;
  int num_classes_ = 2;
  // Uniform grid over the points' bounding box: cell (i, j) holds the indices
  // of its points in cell_start_[c] .. cell_start_[c + 1] of cell_items_.
  double x0_ = 0, y0_ = 0, cell_ = 1;
  int nx_ = 0, ny_ = 0;
  std::vector<int> cell_start_, cell_items_;
};

// Decision regions: labels and confidences of a W x H grid of pixel centres
// spanning [x0, x1] x [y1, y0] (row 0 at y1, the top). Split across threads.
void knn_grid(const KnnIndex& index, const KnnSpec& spec, int W, int H, double x0, double x1,
              double y0, double y1, std::vector<int>& labels, std::vector<float>& confidence);

// The vote of n neighbours, nearest first, by the rule at the top of this
// file: labels[j] and dist[j] (true distance) of neighbour j.
KnnVote knn_tally(const int* labels, const double* dist, int n, bool weighted);

// ---- kNN regression -------------------------------------------------------------
// The prediction at a query is the mean of its k nearest training points'
// targets (target_of, dataset.h), each weighted by 1/distance when
// spec.weighted (a neighbour at distance 0 then decides alone, as the mean
// of the zero-distance ones). Regression1D measures distance along x only
// (the query's y is ignored); Regression2D over (x, y). Brute force over
// every point, ties by index as above. NaN with no training points.
double knn_regress(const std::vector<Point>& train, ProblemKind problem, double x, double y, const KnnSpec& spec);

// ---- kNN on rows (images) -----------------------------------------------------
// Training and query rows are images flattened to D values (images.h). The
// same ordering and tie rule as for points: neighbours sorted by (distance,
// training row index).

using MatRowsF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The k nearest training rows of each of n queries, nearest first.
struct RowNeighbours {
  int k = 0;                 // min(k asked, training rows)
  std::vector<int> index;    // n x k, row q's neighbours at [q*k, q*k + k)
  std::vector<double> dist;  // n x k, true distances: L1 sum |a - b|, or Euclidean
};

// Reference: every pair compared in double precision, sum |a - b| or
// sum (a - b)^2, then sorted.
RowNeighbours knn_rows_brute(const MatRowsF& train, const MatRowsF& queries, int k, Metric m);
// Fast path, tested against the reference: float SIMD over tiles of queries x
// training rows, threaded over the queries. L2 uses the expansion
// ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2, so the inner loop is a matrix
// product (one multiply-add per value pair); L1 has no such form and sums
// |a - b| in the same tiles.
RowNeighbours knn_rows(const MatRowsF& train, const MatRowsF& queries, int k, Metric m);

// Votes of the first spec.k neighbours of each query (nb.k >= spec.k).
std::vector<KnnVote> knn_rows_votes(const RowNeighbours& nb, const Labels& y_train, const KnnSpec& spec);
// knn_rows + the votes' labels.
Labels knn_rows_predict(const MatRowsF& train, const Labels& y_train, const MatRowsF& queries,
                        const KnnSpec& spec);

}  // namespace nn
