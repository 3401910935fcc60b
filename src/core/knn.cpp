// knn.cpp: brute-force and grid-accelerated kNN over 2D points (see knn.h for
// the ordering and tie rules that both paths share).
#include "knn.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "parallel.h"

namespace nn {

double KnnIndex::compare_distance(double dx, double dy, Metric m) {
  return m == Metric::L1 ? std::abs(dx) + std::abs(dy) : dx * dx + dy * dy;
}
double KnnIndex::true_distance(double dx, double dy, Metric m) {
  return m == Metric::L1 ? std::abs(dx) + std::abs(dy) : std::sqrt(dx * dx + dy * dy);
}

KnnIndex::KnnIndex(const std::vector<Point>& train, int num_classes)
    : pts_(train), num_classes_(num_classes) {
  if (pts_.empty()) return;
  double x1 = pts_[0].x, y1 = pts_[0].y;
  x0_ = x1; y0_ = y1;
  for (const Point& p : pts_) {
    x0_ = std::min(x0_, p.x); x1 = std::max(x1, p.x);
    y0_ = std::min(y0_, p.y); y1 = std::max(y1, p.y);
  }
  // About two points per cell on a roughly square grid.
  const double w = std::max(x1 - x0_, 1e-9), h = std::max(y1 - y0_, 1e-9);
  const double cells = std::max(1.0, pts_.size() / 2.0);
  cell_ = std::max(std::sqrt(w * h / cells), 1e-9);
  nx_ = std::clamp(int(w / cell_) + 1, 1, 2048);
  ny_ = std::clamp(int(h / cell_) + 1, 1, 2048);
  cell_ = std::max(w / (nx_ - 0.5), h / (ny_ - 0.5));
  cell_ = std::max(cell_, 1e-9);

  std::vector<int> cell_of(pts_.size());
  cell_start_.assign(size_t(nx_) * ny_ + 1, 0);
  for (size_t i = 0; i < pts_.size(); ++i) {
    const int cx = std::clamp(int((pts_[i].x - x0_) / cell_), 0, nx_ - 1);
    const int cy = std::clamp(int((pts_[i].y - y0_) / cell_), 0, ny_ - 1);
    cell_of[i] = cy * nx_ + cx;
    ++cell_start_[cell_of[i] + 1];
  }
  for (size_t c = 1; c < cell_start_.size(); ++c) cell_start_[c] += cell_start_[c - 1];
  cell_items_.resize(pts_.size());
  std::vector<int> fill(cell_start_.begin(), cell_start_.end() - 1);
  for (size_t i = 0; i < pts_.size(); ++i) cell_items_[fill[cell_of[i]]++] = int(i);
}

namespace {
struct Cand {
  double d;
  int i;
  bool operator<(const Cand& o) const { return d < o.d || (d == o.d && i < o.i); }
};

// Keeps the k best candidates in sorted order (k is small: insertion sort).
struct TopK {
  explicit TopK(int k) : k(k) { best.reserve(k + 1); }
  void offer(Cand c) {
    if (int(best.size()) == k && !(c < best.back())) return;
    auto it = std::upper_bound(best.begin(), best.end(), c);
    best.insert(it, c);
    if (int(best.size()) > k) best.pop_back();
  }
  bool full() const { return int(best.size()) == k; }
  int k;
  std::vector<Cand> best;
};
}  // namespace

std::vector<int> KnnIndex::neighbours_brute(double x, double y, int k, Metric m) const {
  k = std::min(k, size());
  std::vector<Cand> all(pts_.size());
  for (size_t i = 0; i < pts_.size(); ++i)
    all[i] = {compare_distance(pts_[i].x - x, pts_[i].y - y, m), int(i)};
  std::partial_sort(all.begin(), all.begin() + k, all.end());
  std::vector<int> out(k);
  for (int j = 0; j < k; ++j) out[j] = all[j].i;
  return out;
}

std::vector<int> KnnIndex::neighbours(double x, double y, int k, Metric m) const {
  k = std::min(k, size());
  if (k <= 0) return {};
  TopK top(k);
  // Cell of the query, unclamped: it may lie outside the grid.
  const int qx = int(std::floor((x - x0_) / cell_)), qy = int(std::floor((y - y0_) / cell_));
  // Rings of cells at Chebyshev distance r from the query's cell. Any point in
  // ring r differs from the query by at least (r - 1) * cell_ along one axis,
  // so its L1 or L2 distance is at least that; once the k-th best is strictly
  // below the next ring's bound, no further point can enter or tie.
  const int r0 = std::max({0, -qx, qx - (nx_ - 1), -qy, qy - (ny_ - 1)});
  const int rmax = std::max({std::abs(qx), std::abs(qx - (nx_ - 1)), std::abs(qy), std::abs(qy - (ny_ - 1))});
  auto visit = [&](int cx, int cy) {
    if (cx < 0 || cy < 0 || cx >= nx_ || cy >= ny_) return;
    const int c = cy * nx_ + cx;
    for (int s = cell_start_[c]; s < cell_start_[c + 1]; ++s) {
      const int i = cell_items_[s];
      top.offer({compare_distance(pts_[i].x - x, pts_[i].y - y, m), i});
    }
  };
  for (int r = r0; r <= rmax; ++r) {
    if (r == 0) {
      visit(qx, qy);
    } else {
      for (int cx = std::max(qx - r, 0); cx <= std::min(qx + r, nx_ - 1); ++cx) {
        visit(cx, qy - r);
        visit(cx, qy + r);
      }
      for (int cy = std::max(qy - r + 1, 0); cy <= std::min(qy + r - 1, ny_ - 1); ++cy) {
        visit(qx - r, cy);
        visit(qx + r, cy);
      }
    }
    if (top.full()) {
      const double bound = r * cell_;  // lower bound for ring r + 1
      const double bound_cmp = m == Metric::L1 ? bound : bound * bound;
      if (top.best.back().d < bound_cmp) break;
    }
  }
  std::vector<int> out(top.best.size());
  for (size_t j = 0; j < out.size(); ++j) out[j] = top.best[j].i;
  return out;
}

KnnVote KnnIndex::tally(double x, double y, const std::vector<int>& nb, const KnnSpec& spec) const {
  KnnVote v;
  if (nb.empty()) return v;
  double votes[kMaxClasses] = {0};
  int first_seen[kMaxClasses];
  std::fill(first_seen, first_seen + kMaxClasses, std::numeric_limits<int>::max());
  double total = 0;
  for (size_t j = 0; j < nb.size(); ++j) {
    const Point& p = pts_[nb[j]];
    const int c = std::clamp(p.label, 0, kMaxClasses - 1);
    double w = 1.0;
    if (spec.weighted) w = 1.0 / (true_distance(p.x - x, p.y - y, spec.metric) + 1e-9);
    votes[c] += w;
    total += w;
    first_seen[c] = std::min(first_seen[c], int(j));
  }
  for (int c = 0; c < kMaxClasses; ++c) {
    if (votes[c] == 0) continue;
    if (v.label < 0 || votes[c] > votes[v.label] ||
        (votes[c] == votes[v.label] && first_seen[c] < first_seen[v.label]))
      v.label = c;
  }
  v.confidence = votes[v.label] / total;
  return v;
}

KnnVote KnnIndex::vote(double x, double y, const KnnSpec& spec) const {
  return tally(x, y, neighbours(x, y, spec.k, spec.metric), spec);
}
KnnVote KnnIndex::vote_brute(double x, double y, const KnnSpec& spec) const {
  return tally(x, y, neighbours_brute(x, y, spec.k, spec.metric), spec);
}

void knn_grid(const KnnIndex& index, const KnnSpec& spec, int W, int H, double x0, double x1,
              double y0, double y1, std::vector<int>& labels, std::vector<float>& confidence) {
  labels.assign(size_t(W) * H, -1);
  confidence.assign(size_t(W) * H, 0.f);
  if (index.size() == 0 || W <= 0 || H <= 0) return;
  parallel_for(H, [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      const double y = y1 + (y0 - y1) * (r + 0.5) / H;
      for (int c = 0; c < W; ++c) {
        const double x = x0 + (x1 - x0) * (c + 0.5) / W;
        const KnnVote v = index.vote(x, y, spec);
        labels[size_t(r) * W + c] = v.label;
        confidence[size_t(r) * W + c] = float(v.confidence);
      }
    }
  }, 4);
}

}  // namespace nn
