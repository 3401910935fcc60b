// dataset.cpp: train/validation splits, k-fold indices and the seeded toy
// data generators (blobs, circle, xor, spiral, moons, linear).
#include "core/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/rng.h"

namespace nn {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Fisher-Yates shuffle of 0..n-1.
std::vector<int> shuffled_indices(int n, Rng& rng) {
  std::vector<int> idx(std::max(n, 0));
  for (int i = 0; i < n; ++i) idx[i] = i;
  for (int i = n - 1; i > 0; --i) std::swap(idx[i], idx[rng.randint(i + 1)]);
  return idx;
}

void check_generator_args(int n, double noise, int classes) {
  if (n < 0 || n > kMaxPoints)
    throw std::runtime_error("number of points must be between 0 and " +
                             std::to_string(kMaxPoints) + " (got " + std::to_string(n) + ")");
  if (!std::isfinite(noise) || noise < 0)
    throw std::runtime_error("noise must be a non-negative number");
  if (classes < 2 || classes > kMaxClasses)
    throw std::runtime_error("number of classes must be between 2 and " +
                             std::to_string(kMaxClasses) + " (got " + std::to_string(classes) +
                             ")");
}

// Adds the Gaussian jitter and clamps to the canvas.
Point make_point(double x, double y, int label, double noise, Rng& rng) {
  Point p;
  p.x = std::clamp(x + noise * rng.normal(), -kGenExtent, kGenExtent);
  p.y = std::clamp(y + noise * rng.normal(), -kGenExtent, kGenExtent);
  p.label = label;
  return p;
}

// n points, point i of class c = i % classes at place(i, c) -> {x, y} (which
// may draw from rng), jittered by `jitter`.
template <class Place>
Dataset generate(int n, int classes, double jitter, Rng& rng, Place place) {
  Dataset d;
  d.num_classes = classes;
  d.points.reserve(n);
  for (int i = 0; i < n; ++i) {
    const int c = i % classes;
    const auto [x, y] = place(i, c);
    d.points.push_back(make_point(x, y, c, jitter, rng));
  }
  return d;
}

}  // namespace

// ---- Splits -----------------------------------------------------------------

void split_train_val(Dataset& data, double val_ratio, uint64_t seed) {
  if (!(val_ratio >= 0 && val_ratio <= 1))
    throw std::runtime_error("validation ratio must be between 0 and 1");
  const int n = int(data.points.size());
  const int n_val = int(std::llround(val_ratio * n));
  Rng rng(seed);
  const std::vector<int> order = shuffled_indices(n, rng);
  for (int i = 0; i < n; ++i) data.points[order[i]].validation = i < n_val;
}

std::vector<std::vector<int>> kfold_indices(int n, int k, uint64_t seed) {
  if (k < 1) throw std::runtime_error("the number of folds must be at least 1");
  Rng rng(seed);
  const std::vector<int> order = shuffled_indices(n, rng);
  // Contiguous chunks of the shuffled order: the first n % k folds get one more.
  std::vector<std::vector<int>> folds(k);
  int start = 0;
  for (int f = 0; f < k; ++f) {
    const int size = std::max(n, 0) / k + (f < std::max(n, 0) % k ? 1 : 0);
    folds[f].assign(order.begin() + start, order.begin() + start + size);
    start += size;
  }
  return folds;
}

// ---- Generators -------------------------------------------------------------

Dataset make_blobs(int n, double noise, uint64_t seed, int classes) {
  check_generator_args(n, noise, classes);
  Rng rng(seed);
  const double spread = 0.1 + noise;  // std of each blob
  return generate(n, classes, spread, rng, [&](int, int c) {
    const double angle = 2 * kPi * c / classes;
    return std::pair{0.6 * std::cos(angle), 0.6 * std::sin(angle)};
  });
}

Dataset make_circle(int n, double noise, uint64_t seed) {
  check_generator_args(n, noise, 2);
  Rng rng(seed);
  return generate(n, 2, noise, rng, [&](int, int c) {
    // Uniform over the area: radius ~ sqrt of a uniform between the squared radii.
    const double r_in = c == 0 ? 0.0 : 0.7, r_out = c == 0 ? 0.45 : 1.0;
    const double r = std::sqrt(rng.uniform(r_in * r_in, r_out * r_out));
    const double angle = rng.uniform(0, 2 * kPi);
    return std::pair{r * std::cos(angle), r * std::sin(angle)};
  });
}

Dataset make_xor(int n, double noise, uint64_t seed) {
  check_generator_args(n, noise, 2);
  Rng rng(seed);
  return generate(n, 2, noise, rng, [&](int, int c) {
    const double sx = rng.uniform() < 0.5 ? -1.0 : 1.0;
    const double sy = c == 0 ? sx : -sx;  // class 0: same signs, x*y > 0
    const double x = sx * rng.uniform(0.05, 1.0);
    return std::pair{x, sy * rng.uniform(0.05, 1.0)};
  });
}

Dataset make_spiral(int n, double noise, uint64_t seed, int classes) {
  check_generator_args(n, noise, classes);
  Rng rng(seed);
  // As in the CS231n notes: radius grows linearly to 1 along an arm while the
  // angle winds 4 radians; noise is added to the angle. The notes start every
  // arm at radius 0, which puts the first point of every class on the origin
  // (coincident points with different labels); here arm points sit at radii
  // 1/count, 2/count, ..., 1, so no two classes share a point.
  return generate(n, classes, 0.0, rng, [&](int i, int c) {
    const int j = i / classes;
    const int count = (n - c + classes - 1) / classes;  // points in class c
    const double r = double(j + 1) / count;
    const double t = 2 * kPi * c / classes + 4 * r + noise * rng.normal();
    return std::pair{r * std::sin(t), r * std::cos(t)};
  });
}

Dataset make_moons(int n, double noise, uint64_t seed) {
  check_generator_args(n, noise, 2);
  Rng rng(seed);
  return generate(n, 2, noise, rng, [&](int, int c) {
    const double t = rng.uniform(0, kPi);
    // The two half circles of unit radius span x in [-1, 2], y in [-0.5, 1];
    // centre them and scale by 0.6 into [-0.9, 0.9] x [-0.45, 0.45].
    const double x = c == 0 ? std::cos(t) : 1 - std::cos(t);
    const double y = c == 0 ? std::sin(t) : 0.5 - std::sin(t);
    return std::pair{0.6 * (x - 0.5), 0.6 * (y - 0.25)};
  });
}

Dataset make_linear(int n, double noise, uint64_t seed, int classes) {
  check_generator_args(n, noise, classes);
  Rng rng(seed);
  // Templates w_c are unit vectors at equal angles (randomly rotated) around
  // an apex a near the origin; argmax_c w_c . (x - a) cuts the plane into
  // wedges of half-angle pi/C. Points are drawn inside wedge c at least
  // `margin` away from both of its boundary lines.
  const double margin = 0.1, radius = 0.9;
  const double rotation = rng.uniform(0, 2 * kPi);
  const double ax = rng.uniform(-0.15, 0.15), ay = rng.uniform(-0.15, 0.15);
  const double half = kPi / classes;
  return generate(n, classes, noise, rng, [&](int, int c) {
    double r, delta;
    do {
      r = radius * std::sqrt(rng.uniform());  // uniform over the wedge's area
      delta = rng.uniform(-half, half);       // angle from the wedge's centre line
    } while (r * std::sin(half - std::abs(delta)) < margin);
    const double angle = rotation + 2 * kPi * c / classes + delta;
    return std::pair{ax + r * std::cos(angle), ay + r * std::sin(angle)};
  });
}

// ---- By name ------------------------------------------------------------------

template <>
std::span<const EnumRow<DataGen>> enum_rows<DataGen>() {
  static constexpr EnumRow<DataGen> rows[] = {
      {DataGen::Blobs, "blobs", "Gaussian blobs", "Round clusters, one per class, around a circle."},
      {DataGen::Circle, "circle", "Circle", "A disc inside a ring: no line separates them."},
      {DataGen::Xor, "xor", "XOR", "Opposite quadrants share a class: the classic non-linear problem."},
      {DataGen::Spiral, "spiral", "Spiral", "Interleaved spiral arms, one per class (the CS231n data set)."},
      {DataGen::Moons, "moons", "Two moons", "Two interleaving half circles."},
      {DataGen::Linear, "linear", "Linearly separable", "Wedges that a linear classifier can separate exactly."},
  };
  return rows;
}

bool gen_has_classes(DataGen gen) {
  return gen == DataGen::Blobs || gen == DataGen::Spiral || gen == DataGen::Linear;
}

Dataset generate(DataGen gen, int n, int classes, double noise, uint64_t seed) {
  check_generator_args(n, noise, classes);
  switch (gen) {
    case DataGen::Blobs: return make_blobs(n, noise, seed, classes);
    case DataGen::Circle: return make_circle(n, noise, seed);
    case DataGen::Xor: return make_xor(n, noise, seed);
    case DataGen::Spiral: return make_spiral(n, noise, seed, classes);
    case DataGen::Moons: return make_moons(n, noise, seed);
    case DataGen::Linear: return make_linear(n, noise, seed, classes);
  }
  throw std::runtime_error("unknown data generator");
}

// ---- Regression ------------------------------------------------------------------

template <>
std::span<const EnumRow<RegGen>> enum_rows<RegGen>() {
  static constexpr EnumRow<RegGen> rows[] = {
      {RegGen::Sine, "sine", "Sine (1D)", "y = 0.8 sin(pi x): one period over the canvas."},
      {RegGen::Step, "step", "Step (1D)", "y jumps from -0.5 to +0.5 at x = 0: a kink no smooth curve hits."},
      {RegGen::Polynomial, "polynomial", "Polynomial (1D)", "y = x^3 - 0.6 x: a cubic with a hump each side."},
      {RegGen::Plane, "plane", "Plane (2D)", "v = 0.6 x + 0.4 y: a linear model fits it exactly."},
      {RegGen::Gaussians, "gaussians", "Sum of Gaussians (2D)",
       "Four bumps of height +1 or -1: needs hidden units to fit."},
  };
  return rows;
}

ProblemKind reg_gen_problem(RegGen gen) {
  return gen == RegGen::Plane || gen == RegGen::Gaussians ? ProblemKind::Regression2D : ProblemKind::Regression1D;
}

void add_outliers(Dataset& d, int k, double x, double t) {
  for (int i = 0; i < k; ++i) {
    Point p;
    p.x = x + 0.05 * (i - 0.5 * (k - 1));
    if (d.problem == ProblemKind::Regression1D) p.y = t;
    else p.value = t;
    d.points.push_back(p);
  }
}

Dataset generate_regression(RegGen gen, int n, double noise, uint64_t seed) {
  check_generator_args(n, noise, 2);
  Rng rng(seed);
  Dataset d;
  d.problem = reg_gen_problem(gen);
  d.num_classes = 2;  // unused by a regression; kept valid for a switch back
  d.points.reserve(size_t(n));
  const double bx[4] = {-0.5, 0.5, -0.5, 0.5}, by[4] = {-0.5, -0.5, 0.5, 0.5}, bh[4] = {1, -1, -1, 1};
  for (int i = 0; i < n; ++i) {
    Point p;
    p.x = rng.uniform(-1, 1);
    const double e = noise * rng.normal();
    switch (gen) {
      case RegGen::Sine: p.y = 0.8 * std::sin(kPi * p.x) + e; break;
      case RegGen::Step: p.y = (p.x < 0 ? -0.5 : 0.5) + e; break;
      case RegGen::Polynomial: p.y = p.x * p.x * p.x - 0.6 * p.x + e; break;
      case RegGen::Plane:
      case RegGen::Gaussians: {
        p.y = rng.uniform(-1, 1);
        double v = 0.6 * p.x + 0.4 * p.y;
        if (gen == RegGen::Gaussians) {
          v = 0;
          for (int b = 0; b < 4; ++b) {
            const double dx = p.x - bx[b], dy = p.y - by[b];
            v += bh[b] * std::exp(-(dx * dx + dy * dy) / (2 * 0.3 * 0.3));
          }
        }
        p.value = v + e;
        break;
      }
    }
    if (d.problem == ProblemKind::Regression1D) p.y = std::clamp(p.y, -kGenExtent, kGenExtent);
    d.points.push_back(p);
  }
  return d;
}

}  // namespace nn
