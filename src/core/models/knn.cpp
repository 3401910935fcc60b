// knn.cpp: brute-force and grid-accelerated kNN over 2D points (see knn.h for
// the ordering and tie rules that both paths share).
#include "core/models/knn.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/fast/parallel.h"

namespace nn {

double KnnIndex::compare_distance(double dx, double dy, Metric m) {
  return m == Metric::L1 ? std::abs(dx) + std::abs(dy) : dx * dx + dy * dy;
}
double KnnIndex::true_distance(double dx, double dy, Metric m) {
  return m == Metric::L1 ? std::abs(dx) + std::abs(dy) : std::sqrt(dx * dx + dy * dy);
}

// The bounding box [x0, x1] x [y0, y1] of a non-empty set of points.
static void bounding_box(const std::vector<Point>& pts, double& x0, double& y0, double& x1, double& y1) {
  x0 = x1 = pts[0].x;
  y0 = y1 = pts[0].y;
  for (const Point& p : pts) {
    x0 = std::min(x0, p.x); x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y); y1 = std::max(y1, p.y);
  }
}

KnnIndex::KnnIndex(const std::vector<Point>& train, int num_classes)
    : pts_(train), num_classes_(num_classes) {
  if (pts_.empty()) return;
  double x1, y1;
  bounding_box(pts_, x0_, y0_, x1, y1);
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
  // Cell of the query, unclamped: it may lie outside the grid. A query very
  // far away in cell units (the points span a tiny box) would overflow the
  // ring arithmetic: brute force is exact and cheap enough there.
  const double fx = std::floor((x - x0_) / cell_), fy = std::floor((y - y0_) / cell_);
  if (!(std::abs(fx) < 1e8 && std::abs(fy) < 1e8)) return neighbours_brute(x, y, k, m);
  const int qx = int(fx), qy = int(fy);
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

namespace {
// The vote of n neighbours sorted nearest first; index_of(j) is the j-th
// neighbour's position in pts. Ties go to the class seen first (knn.h).
template <class IndexOf>
KnnVote tally_votes(const std::vector<Point>& pts, size_t n, IndexOf index_of, double x, double y,
                    const KnnSpec& spec) {
  // On the stack for the usual small k (the grid calls this per pixel).
  int labels_small[64];
  double dist_small[64];
  std::vector<int> labels_big;
  std::vector<double> dist_big;
  int* labels = labels_small;
  double* dist = dist_small;
  if (n > 64) {
    labels_big.resize(n);
    dist_big.resize(n);
    labels = labels_big.data();
    dist = dist_big.data();
  }
  for (size_t j = 0; j < n; ++j) {
    const Point& p = pts[index_of(j)];
    labels[j] = p.label;
    dist[j] = KnnIndex::true_distance(p.x - x, p.y - y, spec.metric);
  }
  return knn_tally(labels, dist, int(n), spec.weighted);
}
}  // namespace

KnnVote knn_tally(const int* labels, const double* dist, int n, bool weighted) {
  KnnVote v;
  if (n <= 0) return v;
  double votes[kMaxClasses] = {0};
  int first_seen[kMaxClasses];
  std::fill(first_seen, first_seen + kMaxClasses, std::numeric_limits<int>::max());
  double total = 0;
  for (int j = 0; j < n; ++j) {
    const int c = std::clamp(labels[j], 0, kMaxClasses - 1);
    const double w = weighted ? 1.0 / (dist[j] + 1e-9) : 1.0;
    votes[c] += w;
    total += w;
    first_seen[c] = std::min(first_seen[c], j);
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

KnnVote KnnIndex::tally(double x, double y, const std::vector<int>& nb, const KnnSpec& spec) const {
  return tally_votes(pts_, nb.size(), [&](size_t j) { return nb[j]; }, x, y, spec);
}

KnnVote KnnIndex::vote(double x, double y, const KnnSpec& spec) const {
  return tally(x, y, neighbours(x, y, spec.k, spec.metric), spec);
}
KnnVote KnnIndex::vote_brute(double x, double y, const KnnSpec& spec) const {
  return tally(x, y, neighbours_brute(x, y, spec.k, spec.metric), spec);
}

// ---- Decision regions ---------------------------------------------------------
// knn_grid answers every pixel exactly as KnnIndex::vote would, but shares the
// search between neighbouring pixels. For a tile of pixels with centre c and
// half-extent h (L2: half diagonal, L1: half width + half height), let d_k(c)
// be the k-th nearest distance from c. For any pixel p of the tile,
// d_k(p) <= d_k(c) + h, so every neighbour q of p has
// |q - c| <= |q - p| + |p - c| <= d_k(c) + 2h. The points within that radius
// of c (the tile's candidates) therefore contain all k neighbours of every
// pixel of the tile, ties included; each pixel then ranks only those
// candidates by the same (distance, index) order. A tile whose candidates
// all have one class is filled with that class at confidence 1 (the vote
// cannot differ); a tile with too many candidates (dense data, large tile)
// is split in four.
namespace {

// The training points bucketed by a uniform grid, sorted by cell.
struct Buckets {
  double x0 = 0, y0 = 0, cell = 1;
  int nx = 1, ny = 1;
  std::vector<int> start;  // nx * ny + 1
  std::vector<double> xs, ys;
  std::vector<int> idx, label;  // label clamped to 0..kMaxClasses-1 as the vote does

  explicit Buckets(const std::vector<Point>& pts) {
    double x1, y1;
    bounding_box(pts, x0, y0, x1, y1);
    const double w = std::max(x1 - x0, 1e-9), h = std::max(y1 - y0, 1e-9);
    cell = std::max(std::sqrt(w * h / std::max(1.0, pts.size() / 4.0)), 1e-9);
    nx = std::clamp(int(w / cell) + 1, 1, 1024);
    ny = std::clamp(int(h / cell) + 1, 1, 1024);
    cell = std::max({w / (nx - 0.5), h / (ny - 0.5), 1e-9});
    std::vector<int> cell_of(pts.size());
    start.assign(size_t(nx) * ny + 1, 0);
    for (size_t i = 0; i < pts.size(); ++i) {
      cell_of[i] = cy_of(pts[i].y) * nx + cx_of(pts[i].x);
      ++start[cell_of[i] + 1];
    }
    for (size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
    xs.resize(pts.size()); ys.resize(pts.size()); idx.resize(pts.size()); label.resize(pts.size());
    std::vector<int> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < pts.size(); ++i) {
      const int s = fill[cell_of[i]]++;
      xs[s] = pts[i].x; ys[s] = pts[i].y; idx[s] = int(i);
      label[s] = std::clamp(pts[i].label, 0, kMaxClasses - 1);
    }
  }
  // Clamped in double first: a far query must not overflow int.
  int cx_of(double x) const { return int(std::clamp(std::floor((x - x0) / cell), 0.0, double(nx - 1))); }
  int cy_of(double y) const { return int(std::clamp(std::floor((y - y0) / cell), 0.0, double(ny - 1))); }
};

struct GridJob {
  const KnnIndex& index;
  const KnnSpec& spec;
  const Buckets& b;
  int W, H;
  double x0, x1, y0, y1;
  int k;
  size_t cap;
  std::vector<int>& labels;
  std::vector<float>& confidence;

  // Pixel centres, computed exactly as a direct query's caller does.
  double px(int c) const { return x0 + (x1 - x0) * (c + 0.5) / W; }
  double py(int r) const { return y1 + (y0 - y1) * (r + 0.5) / H; }
};

// Per-thread scratch space.
struct Scratch {
  std::vector<double> cx, cy, sx, sy, sd;
  std::vector<int> ci, si;
  std::vector<std::pair<double, int>> order;
  std::vector<Cand> best;
};

// The vote of the k nearest (already sorted) neighbours: KnnIndex::vote's tally.
KnnVote tally_sorted(const GridJob& g, double x, double y, const std::vector<Cand>& nb) {
  return tally_votes(g.index.points(), nb.size(), [&](size_t j) { return nb[j].i; }, x, y, g.spec);
}

void grid_tile(const GridJob& g, Scratch& s, int c0, int c1, int r0, int r1) {
  const Metric m = g.spec.metric;
  const double cxp = 0.5 * (g.px(c0) + g.px(c1 - 1)), cyp = 0.5 * (g.py(r0) + g.py(r1 - 1));
  const double hx = 0.5 * std::abs(g.px(c1 - 1) - g.px(c0)), hy = 0.5 * std::abs(g.py(r1 - 1) - g.py(r0));
  const double h = m == Metric::L1 ? hx + hy : std::sqrt(hx * hx + hy * hy);
  const std::vector<int> nb = g.index.neighbours(cxp, cyp, g.k, m);
  const Point& kth = g.index.points()[nb.back()];
  const double dk = KnnIndex::true_distance(kth.x - cxp, kth.y - cyp, m);
  // Widened a little so that rounding cannot drop a point on the boundary.
  const double R = (dk + 2 * h) * (1 + 1e-9) + 1e-12;
  const double R_cmp = m == Metric::L1 ? R : R * R;
  s.cx.clear(); s.cy.clear(); s.ci.clear();
  int first_label = -1;
  bool one_label = true;
  const int bx0 = g.b.cx_of(cxp - R), bx1 = g.b.cx_of(cxp + R);
  const int by0 = g.b.cy_of(cyp - R), by1 = g.b.cy_of(cyp + R);
  for (int by = by0; by <= by1; ++by)
    for (int bx = bx0; bx <= bx1; ++bx) {
      const int cell = by * g.b.nx + bx;
      for (int t = g.b.start[cell]; t < g.b.start[cell + 1]; ++t) {
        if (KnnIndex::compare_distance(g.b.xs[t] - cxp, g.b.ys[t] - cyp, m) > R_cmp) continue;
        s.cx.push_back(g.b.xs[t]); s.cy.push_back(g.b.ys[t]); s.ci.push_back(g.b.idx[t]);
        if (first_label < 0) first_label = g.b.label[t];
        one_label = one_label && g.b.label[t] == first_label;
      }
    }
  if (one_label) {
    // Every neighbour of every pixel here has this class: the vote is that
    // class with all of the (weighted) votes, confidence exactly 1.
    for (int r = r0; r < r1; ++r)
      for (int c = c0; c < c1; ++c) {
        g.labels[size_t(r) * g.W + c] = first_label;
        g.confidence[size_t(r) * g.W + c] = 1.f;
      }
    return;
  }
  if (s.ci.size() > g.cap && (c1 - c0 > 1 || r1 - r0 > 1)) {
    const int cm = (c0 + c1 + 1) / 2, rm = (r0 + r1 + 1) / 2;
    grid_tile(g, s, c0, cm, r0, rm);
    if (cm < c1) grid_tile(g, s, cm, c1, r0, rm);
    if (rm < r1) grid_tile(g, s, c0, cm, rm, r1);
    if (cm < c1 && rm < r1) grid_tile(g, s, cm, c1, rm, r1);
    return;
  }
  // Candidates sorted by their true distance dc from the tile's centre: for a
  // pixel p at distance hp from it, a candidate is at least dc - hp from p, so
  // the scan stops once that bound exceeds the current k-th distance.
  const size_t n = s.ci.size();
  s.order.resize(n);
  for (size_t j = 0; j < n; ++j)
    s.order[j] = {KnnIndex::true_distance(s.cx[j] - cxp, s.cy[j] - cyp, m), int(j)};
  std::sort(s.order.begin(), s.order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  s.sx.resize(n); s.sy.resize(n); s.sd.resize(n); s.si.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const int o = s.order[j].second;
    s.sx[j] = s.cx[o]; s.sy[j] = s.cy[o]; s.si[j] = s.ci[o]; s.sd[j] = s.order[j].first;
  }
  for (int r = r0; r < r1; ++r) {
    const double y = g.py(r);
    for (int c = c0; c < c1; ++c) {
      const double x = g.px(c);
      // Slightly enlarged so rounding never stops the scan too early.
      const double hp = KnnIndex::true_distance(x - cxp, y - cyp, m) * (1 + 1e-9) + 1e-12;
      // Top k by (distance, index), kept sorted by insertion; distances as
      // KnnIndex::compare_distance(p.x - x, p.y - y, m) computes them.
      s.best.clear();
      double kth_true = std::numeric_limits<double>::infinity();
      for (size_t j = 0; j < n; ++j) {
        if (s.sd[j] - hp > kth_true) break;
        const Cand cand{KnnIndex::compare_distance(s.sx[j] - x, s.sy[j] - y, m), s.si[j]};
        if (int(s.best.size()) == g.k) {
          if (!(cand < s.best.back())) continue;
          s.best.pop_back();
        }
        s.best.insert(std::upper_bound(s.best.begin(), s.best.end(), cand), cand);
        if (int(s.best.size()) == g.k) {
          const double d = s.best.back().d;
          kth_true = (m == Metric::L1 ? d : std::sqrt(d)) * (1 + 1e-9) + 1e-12;
        }
      }
      const KnnVote v = tally_sorted(g, x, y, s.best);
      g.labels[size_t(r) * g.W + c] = v.label;
      g.confidence[size_t(r) * g.W + c] = float(v.confidence);
    }
  }
}

}  // namespace

void knn_grid(const KnnIndex& index, const KnnSpec& spec, int W, int H, double x0, double x1,
              double y0, double y1, std::vector<int>& labels, std::vector<float>& confidence) {
  labels.assign(size_t(W) * H, -1);
  confidence.assign(size_t(W) * H, 0.f);
  if (index.size() == 0 || W <= 0 || H <= 0 || spec.k <= 0) return;
  const Buckets b(index.points());
  const int k = std::min(spec.k, index.size());
  const GridJob g{index, spec, b, W, H, x0, x1, y0, y1, k, size_t(std::max(256, 16 * k)), labels, confidence};
  constexpr int kTile = 16;
  const int tiles_x = (W + kTile - 1) / kTile, tiles_y = (H + kTile - 1) / kTile;
  parallel_for(tiles_y, [&](int t0, int t1) {
    Scratch s;
    for (int ty = t0; ty < t1; ++ty)
      for (int tx = 0; tx < tiles_x; ++tx)
        grid_tile(g, s, tx * kTile, std::min(W, (tx + 1) * kTile), ty * kTile, std::min(H, (ty + 1) * kTile));
  });
}

// ---- kNN regression -------------------------------------------------------------

double knn_regress(const std::vector<Point>& train, ProblemKind problem, double x, double y, const KnnSpec& spec) {
  if (train.empty() || spec.k < 1) return std::numeric_limits<double>::quiet_NaN();
  const bool along_x = problem == ProblemKind::Regression1D;
  std::vector<std::pair<double, int>> d(train.size());  // (compared distance, index)
  for (size_t i = 0; i < train.size(); ++i)
    d[i] = {KnnIndex::compare_distance(train[i].x - x, along_x ? 0.0 : train[i].y - y, spec.metric), int(i)};
  const size_t k = std::min(size_t(spec.k), d.size());
  std::partial_sort(d.begin(), d.begin() + long(k), d.end());
  double sum = 0, wsum = 0, exact_sum = 0;
  int exact = 0;
  for (size_t j = 0; j < k; ++j) {
    const Point& p = train[size_t(d[j].second)];
    const double t = target_of(problem, p);
    if (!spec.weighted) {
      sum += t;
      wsum += 1;
      continue;
    }
    const double dist = KnnIndex::true_distance(p.x - x, along_x ? 0.0 : p.y - y, spec.metric);
    if (dist == 0) {
      exact_sum += t;
      ++exact;
    } else {
      sum += t / dist;
      wsum += 1 / dist;
    }
  }
  if (exact > 0) return exact_sum / exact;
  return sum / wsum;
}

}  // namespace nn
