// losses.cpp: the data losses (SVM, one-vs-all, Crammer-Singer, softmax) with
// their dscores, and the L2 / L1 / elastic-net penalties with their gradients.
#include "core/models/losses.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nn {

void check_labels(const Mat& scores, const Labels& y) {
  if (Eigen::Index(y.size()) != scores.rows())
    throw std::runtime_error("Got " + std::to_string(y.size()) + " labels for " +
                             std::to_string(scores.rows()) + " points: give one label per point.");
  const int C = int(scores.cols());
  for (int label : y)
    if (label < 0 || label >= C)
      throw std::runtime_error("Label " + std::to_string(label) + " is out of range for " +
                               std::to_string(C) + " classes: labels must be 0.." +
                               std::to_string(C - 1) + ".");
}

// Starts a result of the right shapes; N = 0 gives loss 0 and empty matrices.
static DataLoss start(const Mat& scores, const Labels& y) {
  check_labels(scores, y);
  DataLoss out;
  out.dscores = Mat::Zero(scores.rows(), scores.cols());
  out.per_point = Mat::Zero(scores.rows(), 1);
  return out;
}

// loss = mean of per_point
static void finish(DataLoss& out) {
  const Eigen::Index N = out.per_point.rows();
  out.loss = N > 0 ? out.per_point.sum() / double(N) : 0.0;
}

DataLoss svm_loss(const Mat& scores, const Labels& y, double delta) {
  DataLoss out = start(scores, y);
  const Eigen::Index N = scores.rows(), C = scores.cols();
  for (Eigen::Index i = 0; i < N; ++i) {
    const int yi = y[i];
    for (Eigen::Index j = 0; j < C; ++j) {
      if (j == yi) continue;
      const double margin = scores(i, j) - scores(i, yi) + delta;
      if (margin > 0) {
        out.per_point(i, 0) += margin;
        // d margin / d s_j = 1, d margin / d s_y = -1
        out.dscores(i, j) += 1.0 / double(N);
        out.dscores(i, yi) -= 1.0 / double(N);
      }
    }
  }
  finish(out);
  return out;
}

DataLoss one_vs_all_loss(const Mat& scores, const Labels& y, double delta) {
  DataLoss out = start(scores, y);
  const Eigen::Index N = scores.rows(), C = scores.cols();
  for (Eigen::Index i = 0; i < N; ++i) {
    for (Eigen::Index j = 0; j < C; ++j) {
      const double t = (j == y[i]) ? 1.0 : -1.0;
      const double margin = delta - t * scores(i, j);
      if (margin > 0) {
        out.per_point(i, 0) += margin;
        out.dscores(i, j) = -t / double(N);  // d (delta - t s_j) / d s_j
      }
    }
  }
  finish(out);
  return out;
}

// Index of the largest score of row i other than column yi (lowest on ties).
static Eigen::Index largest_wrong(const Mat& scores, Eigen::Index i, int yi) {
  Eigen::Index best = -1;
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    if (j == yi) continue;
    if (best < 0 || scores(i, j) > scores(i, best)) best = j;
  }
  return best;
}

DataLoss crammer_singer_loss(const Mat& scores, const Labels& y, double delta) {
  DataLoss out = start(scores, y);
  const Eigen::Index N = scores.rows();
  if (scores.cols() < 2) {
    finish(out);
    return out;
  }
  for (Eigen::Index i = 0; i < N; ++i) {
    const int yi = y[i];
    const Eigen::Index j = largest_wrong(scores, i, yi);
    const double margin = delta + scores(i, j) - scores(i, yi);
    if (margin > 0) {
      out.per_point(i, 0) = margin;
      out.dscores(i, j) += 1.0 / double(N);
      out.dscores(i, yi) -= 1.0 / double(N);
    }
  }
  finish(out);
  return out;
}

Mat softmax_probs(const Mat& scores) {
  // Subtracting the row max leaves the probabilities unchanged and keeps exp <= 1.
  Mat shifted = scores.colwise() - scores.rowwise().maxCoeff();
  Mat probs = shifted.array().exp();
  probs.array().colwise() /= probs.rowwise().sum().array();
  return probs;
}

DataLoss softmax_loss(const Mat& scores, const Labels& y) {
  DataLoss out = start(scores, y);
  const Eigen::Index N = scores.rows();
  if (N == 0) {
    finish(out);
    return out;
  }
  // log p_y = (s_y - max) - log sum_j exp(s_j - max), stable for any scores.
  const Mat shifted = scores.colwise() - scores.rowwise().maxCoeff();
  Mat probs = shifted.array().exp();
  const Eigen::VectorXd sum = probs.rowwise().sum();
  probs.array().colwise() /= sum.array();
  for (Eigen::Index i = 0; i < N; ++i) out.per_point(i, 0) = std::log(sum(i)) - shifted(i, y[i]);
  // dL_i/ds_j = p_j - 1[j == y_i]
  out.dscores = probs;
  for (Eigen::Index i = 0; i < N; ++i) out.dscores(i, y[i]) -= 1.0;
  out.dscores /= double(N);
  finish(out);
  return out;
}

DataLoss data_loss(const Mat& scores, const Labels& y, const LossSpec& spec) {
  switch (spec.kind) {
    case LossKind::SVM: return svm_loss(scores, y, spec.delta);
    case LossKind::OneVsAll: return one_vs_all_loss(scores, y, spec.delta);
    case LossKind::CrammerSinger: return crammer_singer_loss(scores, y, spec.delta);
    case LossKind::Softmax: return softmax_loss(scores, y);
    case LossKind::Squared:
    case LossKind::Absolute:
    case LossKind::Huber:
      throw std::runtime_error(std::string("The ") + enum_label(spec.kind) +
                               " loss is a regression loss: it needs real targets, not class labels.");
  }
  throw std::runtime_error("Unknown loss kind.");
}

// ---- Regression -------------------------------------------------------------

double regression_point_loss(double r, LossKind kind, double delta) {
  switch (kind) {
    case LossKind::Absolute: return std::abs(r);
    case LossKind::Huber:
      return std::abs(r) <= delta ? 0.5 * r * r : delta * (std::abs(r) - 0.5 * delta);
    default: return 0.5 * r * r;
  }
}

double regression_point_grad(double r, LossKind kind, double delta) {
  switch (kind) {
    case LossKind::Absolute: return double((r > 0) - (r < 0));  // sign(r), 0 at r = 0
    case LossKind::Huber: return std::abs(r) <= delta ? r : (r > 0 ? delta : -delta);
    default: return r;
  }
}

DataLoss regression_loss(const Mat& scores, const Mat& T, const LossSpec& spec) {
  if (!is_regression(spec.kind))
    throw std::runtime_error(std::string("The ") + enum_label(spec.kind) +
                             " loss needs class labels; regression targets need the L2, L1 or Huber loss.");
  if (T.rows() != scores.rows() || T.cols() != scores.cols())
    throw std::runtime_error("Got " + std::to_string(T.rows()) + " x " + std::to_string(T.cols()) +
                             " targets for " + std::to_string(scores.rows()) + " x " +
                             std::to_string(scores.cols()) + " outputs: give one target per output.");
  if (spec.kind == LossKind::Huber && !(spec.delta > 0))
    throw std::runtime_error("Huber's delta must be positive.");
  const Eigen::Index N = scores.rows(), K = scores.cols();
  DataLoss out;
  out.dscores = Mat::Zero(N, K);
  out.per_point = Mat::Zero(N, 1);
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index k = 0; k < K; ++k) {
      const double r = scores(i, k) - T(i, k);  // residual
      out.per_point(i, 0) += regression_point_loss(r, spec.kind, spec.delta);
      out.dscores(i, k) = regression_point_grad(r, spec.kind, spec.delta);
    }
  if (N > 0) out.dscores /= double(N);
  out.loss = N > 0 ? out.per_point.mean() : 0.0;
  return out;
}

void append_regression_kinks(const Mat& scores, const Mat& T, const LossSpec& spec,
                             std::vector<int32_t>& pattern) {
  if (spec.kind == LossKind::Squared) return;
  for (Eigen::Index i = 0; i < scores.rows() && i < T.rows(); ++i)
    for (Eigen::Index k = 0; k < scores.cols() && k < T.cols(); ++k) {
      const double r = scores(i, k) - T(i, k);
      if (spec.kind == LossKind::Absolute) pattern.push_back((r > 0) - (r < 0));
      else pattern.push_back(r > spec.delta ? 1 : r < -spec.delta ? -1 : 0);
    }
}

// ---- Regularisation ---------------------------------------------------------

double reg_loss(const Mat& W, RegKind kind, double lambda, double l1_ratio) {
  switch (kind) {
    case RegKind::None: return 0.0;
    case RegKind::L2: return 0.5 * lambda * W.squaredNorm();
    case RegKind::L1: return lambda * W.cwiseAbs().sum();
    case RegKind::ElasticNet:
      return lambda * (l1_ratio * W.cwiseAbs().sum() + (1.0 - l1_ratio) * 0.5 * W.squaredNorm());
  }
  return 0.0;
}

// sign(w) with sign(0) = 0: the subgradient of |w| we use.
static Mat sign_of(const Mat& W) {
  return W.unaryExpr([](double w) { return double((w > 0) - (w < 0)); });
}

void add_reg_grad(const Mat& W, RegKind kind, double lambda, double l1_ratio, Mat& dW) {
  switch (kind) {
    case RegKind::None: return;
    case RegKind::L2: dW += lambda * W; return;
    case RegKind::L1: dW += lambda * sign_of(W); return;
    case RegKind::ElasticNet:
      dW += lambda * (l1_ratio * sign_of(W) + (1.0 - l1_ratio) * W);
      return;
  }
}

// ---- Kinks ------------------------------------------------------------------

void append_loss_kinks(const Mat& scores, const Labels& y, const LossSpec& spec,
                       std::vector<int32_t>& pattern) {
  const Eigen::Index N = scores.rows(), C = scores.cols();
  const double delta = spec.delta;
  for (Eigen::Index i = 0; i < N && i < Eigen::Index(y.size()); ++i) {
    const int yi = y[i];
    switch (spec.kind) {
      case LossKind::SVM:
        for (Eigen::Index j = 0; j < C; ++j)
          if (j != yi) pattern.push_back(scores(i, j) - scores(i, yi) + delta > 0);
        break;
      case LossKind::OneVsAll:
        for (Eigen::Index j = 0; j < C; ++j)
          pattern.push_back(delta - (j == yi ? 1.0 : -1.0) * scores(i, j) > 0);
        break;
      case LossKind::CrammerSinger: {
        if (C < 2) break;
        const Eigen::Index j = largest_wrong(scores, i, yi);
        pattern.push_back(int32_t(j));
        pattern.push_back(delta + scores(i, j) - scores(i, yi) > 0);
        break;
      }
      case LossKind::Softmax:
      case LossKind::Squared:
      case LossKind::Absolute:
      case LossKind::Huber: return;
    }
  }
}

void append_reg_kinks(const Mat& W, const LossSpec& spec, std::vector<int32_t>& pattern) {
  const bool has_l1 = spec.reg == RegKind::L1 ||
                      (spec.reg == RegKind::ElasticNet && spec.l1_ratio != 0.0);
  if (!has_l1 || spec.lambda == 0.0) return;
  for (Eigen::Index k = 0; k < W.size(); ++k) {
    const double w = W.data()[k];
    pattern.push_back((w > 0) - (w < 0));
  }
}

}  // namespace nn
