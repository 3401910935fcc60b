// dataset.h: a 2D data set as the user draws it: points with integer labels
// (up to kMaxClasses classes) and a flag saying whether a point is held out
// for validation.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/spec.h"

namespace nn {

struct Point {
  double x = 0, y = 0;
  int label = 0;
  bool validation = false;  // held out: never trained on
  double value = 0;  // Regression2D: the real target at (x, y); unused otherwise
  bool operator==(const Point& o) const {
    return x == o.x && y == o.y && label == o.label && validation == o.validation && value == o.value;
  }
};

struct Dataset {
  std::vector<Point> points;
  int num_classes = 2;  // classes the model scores (labels are < num_classes)
  // Classification uses labels; Regression1D fits y = f(x) (the target is
  // the point's y); Regression2D fits the points' values over (x, y).
  ProblemKind problem = ProblemKind::Classification;
};

// The real target of a point in a regression problem (y in 1D, value in 2D).
inline double target_of(ProblemKind problem, const Point& p) {
  return problem == ProblemKind::Regression1D ? p.y : p.value;
}

// ---- Splits (dataset.cpp) ---------------------------------------------------

// Marks exactly round(val_ratio * N) points, chosen by a seeded shuffle, as
// validation and the rest as training. val_ratio must be in [0, 1].
void split_train_val(Dataset& data, double val_ratio, uint64_t seed);

// k folds of the shuffled indices 0..n-1 (fold sizes differ by at most one);
// together they hold every index exactly once. k >= 1; k > n gives empty folds.
std::vector<std::vector<int>> kfold_indices(int n, int k, uint64_t seed);

// ---- Generators (dataset.cpp) -----------------------------------------------
// Each returns n training points in roughly [-1, 1]^2, classes as balanced as
// n allows (point i has class i % C). `noise` is the standard deviation of
// Gaussian jitter in canvas units (0 = the clean shape; 0.1-0.3 is moderate);
// coordinates are clamped to the canvas. Same arguments, same points.

// C Gaussian blobs (std 0.1 + noise) with centres spread on a circle.
Dataset make_blobs(int n, double noise, uint64_t seed, int classes = 3);
// Class 0 is a disc of radius 0.45, class 1 the ring 0.7..1.0 around it.
Dataset make_circle(int n, double noise, uint64_t seed);
// Quadrants: class 0 where x*y > 0, class 1 where x*y < 0 (gap 0.05 at the axes).
Dataset make_xor(int n, double noise, uint64_t seed);
// The CS231n spiral: C arms, noise jitters the angle (in radians, as there).
Dataset make_spiral(int n, double noise, uint64_t seed, int classes = 3);
// Two interleaving half circles.
Dataset make_moons(int n, double noise, uint64_t seed);
// C wedges around a point near the origin, separated by lines with a margin
// of 0.1 (at noise 0): region c is where template w_c scores highest, so a
// linear classifier can reach 100% training accuracy.
Dataset make_linear(int n, double noise, uint64_t seed, int classes = 2);

enum class DataGen { Blobs, Circle, Xor, Spiral, Moons, Linear };
template <> std::span<const EnumRow<DataGen>> enum_rows<DataGen>();
// True for the generators whose number of classes can be chosen.
bool gen_has_classes(DataGen gen);
// Dispatches to make_xxx; `classes` is ignored by the two-class shapes
// (circle, xor, moons). Throws std::runtime_error for n outside 0..kMaxPoints
// or classes outside 2..kMaxClasses.
Dataset generate(DataGen gen, int n, int classes, double noise, uint64_t seed);

// ---- Regression generators (dataset.cpp) -------------------------------------
// 1D ones give Regression1D points, x uniform in [-1, 1] and y = f(x) plus
// Gaussian noise of standard deviation `noise`; 2D ones give Regression2D
// points uniform over [-1, 1]^2 whose value is f(x, y) plus noise. Targets
// stay within about [-1, 1] at noise 0.
//   Sine:       y = 0.8 sin(pi x)
//   Step:       y = -0.5 for x < 0, +0.5 for x >= 0
//   Polynomial: y = x^3 - 0.6 x  (one hump each side)
//   Plane:      v = 0.6 x + 0.4 y (TF Playground's "plane")
//   Gaussians:  v = sum of four Gaussian bumps (std 0.3) of heights +-1
//               (TF Playground's "multi Gaussian")
enum class RegGen { Sine, Step, Polynomial, Plane, Gaussians };
template <> std::span<const EnumRow<RegGen>> enum_rows<RegGen>();
// The problem a generator's points pose (Regression1D or Regression2D).
ProblemKind reg_gen_problem(RegGen gen);
// Throws std::runtime_error for n outside 0..kMaxPoints or a negative noise.
Dataset generate_regression(RegGen gen, int n, double noise, uint64_t seed);
// The outlier lesson: appends k training points at target t, their inputs
// 0.05 apart centred on x (1D: (x_i, t); 2D: (x_i, 0) with value t).
void add_outliers(Dataset& d, int k, double x, double t);

}  // namespace nn
