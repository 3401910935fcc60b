// knn_rows.cpp: kNN over image rows (see knn.h): the double-precision brute
// force reference, and the tiled float SIMD search it checks.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/models/knn.h"

namespace nn {

namespace {

void check_rows(const MatRowsF& train, const MatRowsF& queries, int k) {
  if (k < 1) throw std::runtime_error("k must be at least 1 (got " + std::to_string(k) + ")");
  if (train.rows() > 0 && queries.rows() > 0 && train.cols() != queries.cols())
    throw std::runtime_error("kNN: query rows have " + std::to_string(queries.cols()) +
                             " values but training rows " + std::to_string(train.cols()));
}

// The k best (distance, index) pairs seen so far, sorted; candidates arrive in
// increasing index order, so an equal distance never displaces an earlier row.
struct TopK {
  double* d;
  int* i;
  int k, n = 0;
  void push(double dist, int idx) {
    if (n == k && !(dist < d[k - 1])) return;
    int p = n < k ? n++ : k - 1;
    while (p > 0 && d[p - 1] > dist) {
      d[p] = d[p - 1];
      i[p] = i[p - 1];
      --p;
    }
    d[p] = dist;
    i[p] = idx;
  }
};

}  // namespace

RowNeighbours knn_rows_brute(const MatRowsF& train, const MatRowsF& queries, int k, Metric m) {
  check_rows(train, queries, k);
  RowNeighbours r;
  r.k = std::min<int>(k, int(train.rows()));
  const int n = int(queries.rows()), N = int(train.rows()), D = int(train.cols());
  r.index.resize(size_t(n) * r.k);
  r.dist.resize(size_t(n) * r.k);
  std::vector<std::pair<double, int>> all(N);
  for (int q = 0; q < n; ++q) {
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int c = 0; c < D; ++c) {
        const double diff = double(queries(q, c)) - double(train(j, c));
        s += m == Metric::L1 ? std::abs(diff) : diff * diff;
      }
      all[j] = {s, j};
    }
    std::partial_sort(all.begin(), all.begin() + r.k, all.end());
    for (int j = 0; j < r.k; ++j) {
      r.index[size_t(q) * r.k + j] = all[j].second;
      r.dist[size_t(q) * r.k + j] = m == Metric::L1 ? all[j].first : std::sqrt(all[j].first);
    }
  }
  return r;
}

namespace {

using simd::f4;

inline float hsum(f4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

// The 4 x 2 tile: out[a][b] = sum over c of q_a[c] * t_b[c] (L2: dot
// products) or |q_a[c] - t_b[c]| (L1), for D values.
template <Metric M>
inline void tile_4x2(const float* const q[4], const float* const t[2], int D, float out[4][2]) {
  f4 acc[4][2] = {};
  int c = 0;
  for (; c + 4 <= D; c += 4) {
    const f4 t0 = simd::load(t[0] + c), t1 = simd::load(t[1] + c);
    for (int a = 0; a < 4; ++a) {
      const f4 qa = simd::load(q[a] + c);
      if constexpr (M == Metric::L2) {
        acc[a][0] += qa * t0;
        acc[a][1] += qa * t1;
      } else {
        acc[a][0] += simd::abs(qa - t0);
        acc[a][1] += simd::abs(qa - t1);
      }
    }
  }
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 2; ++b) {
      float s = hsum(acc[a][b]);
      for (int cc = c; cc < D; ++cc)
        s += M == Metric::L2 ? q[a][cc] * t[b][cc] : std::abs(q[a][cc] - t[b][cc]);
      out[a][b] = s;
    }
}

// Queries [q0, q1) against every training row, tiles of 4 queries x 2 rows,
// training rows in blocks that stay in cache while the queries pass over them.
template <Metric M>
void search_chunk(const MatRowsF& train, const MatRowsF& queries, const std::vector<float>& tn,
                  const std::vector<float>& qn, int q0, int q1, int k, std::vector<double>& dbuf,
                  std::vector<int>& ibuf) {
  const int N = int(train.rows()), D = int(train.cols());
  constexpr int kBlock = 256;  // training rows per block (256 x 784 floats = 800 KB)
  std::vector<TopK> top;
  for (int q = q0; q < q1; ++q) top.push_back({dbuf.data() + size_t(q) * k, ibuf.data() + size_t(q) * k, k});
  for (int j0 = 0; j0 < N; j0 += kBlock) {
    const int j1 = std::min(N, j0 + kBlock);
    for (int qa = q0; qa < q1; qa += 4) {
      const float* q[4];
      for (int a = 0; a < 4; ++a) q[a] = queries.row(std::min(qa + a, q1 - 1)).data();  // pad with the last
      for (int j = j0; j < j1; j += 2) {
        const float* t[2] = {train.row(j).data(), train.row(std::min(j + 1, j1 - 1)).data()};
        float s[4][2];
        tile_4x2<M>(q, t, D, s);
        for (int a = 0; a < 4 && qa + a < q1; ++a)
          for (int b = 0; b < 2 && j + b < j1; ++b) {
            double d = s[a][b];
            if constexpr (M == Metric::L2) d = std::max(0.0, double(qn[qa + a]) + double(tn[j + b]) - 2.0 * d);
            top[qa + a - q0].push(d, j + b);
          }
      }
    }
  }
}

}  // namespace

RowNeighbours knn_rows(const MatRowsF& train, const MatRowsF& queries, int k, Metric m) {
  check_rows(train, queries, k);
  RowNeighbours r;
  r.k = std::min<int>(k, int(train.rows()));
  const int n = int(queries.rows());
  r.index.assign(size_t(n) * r.k, -1);
  r.dist.assign(size_t(n) * r.k, 0.0);
  if (r.k == 0 || n == 0) return r;
  std::vector<float> tn, qn;  // squared norms, for the L2 expansion
  if (m == Metric::L2) {
    tn.resize(train.rows());
    qn.resize(n);
    for (Eigen::Index j = 0; j < train.rows(); ++j) tn[j] = train.row(j).squaredNorm();
    for (int q = 0; q < n; ++q) qn[q] = queries.row(q).squaredNorm();
  }
  const int quads = (n + 3) / 4;
  parallel_for(quads, [&](int b, int e) {
    const int q0 = 4 * b, q1 = std::min(n, 4 * e);
    if (m == Metric::L2)
      search_chunk<Metric::L2>(train, queries, tn, qn, q0, q1, r.k, r.dist, r.index);
    else
      search_chunk<Metric::L1>(train, queries, tn, qn, q0, q1, r.k, r.dist, r.index);
  });
  if (m == Metric::L2)
    for (double& d : r.dist) d = std::sqrt(d);
  return r;
}

std::vector<KnnVote> knn_rows_votes(const RowNeighbours& nb, const Labels& y_train, const KnnSpec& spec) {
  if (spec.k < 1) throw std::runtime_error("k must be at least 1 (got " + std::to_string(spec.k) + ")");
  const int k = std::min(spec.k, nb.k);
  const size_t n = nb.k ? nb.index.size() / nb.k : 0;
  std::vector<KnnVote> votes(n);
  std::vector<int> labels(k);
  for (size_t q = 0; q < n; ++q) {
    for (int j = 0; j < k; ++j) labels[j] = y_train[nb.index[q * nb.k + j]];
    votes[q] = knn_tally(labels.data(), nb.dist.data() + q * nb.k, k, spec.weighted);
  }
  return votes;
}

Labels knn_rows_predict(const MatRowsF& train, const Labels& y_train, const MatRowsF& queries,
                        const KnnSpec& spec) {
  const std::vector<KnnVote> v = knn_rows_votes(knn_rows(train, queries, spec.k, spec.metric), y_train, spec);
  Labels out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i].label;
  return out;
}

}  // namespace nn
