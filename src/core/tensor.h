// tensor.h: the matrix types of the engine. Rows are examples (N x D), as in
// the course's numpy code. Doubles throughout the reference engine so that
// numerical gradient checks are meaningful; fast float kernels live apart.
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace nn {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vec = Eigen::Matrix<double, 1, Eigen::Dynamic, Eigen::RowMajor>;  // row vector
using Labels = std::vector<int>;

}  // namespace nn
