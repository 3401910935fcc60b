// headless.cpp: the terminal trainer behind `nnplay --train N`.
#include "core/train/headless.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/train/trainer.h"

namespace nn {

static std::string cell(double v, const char* format) {
  if (std::isnan(v)) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, std::abs(v) >= 1e6 ? "%.3g" : format, v);  // a blowing-up loss stays in its column
  return buf;
}

// One table row; a regression shows the RMSE of the outputs where a
// classification shows its accuracy.
static void row(std::ostream& out, const StepStats& s, bool regression) {
  char line[160];
  const std::string train = regression ? cell(s.train_rmse, "%.4f") : cell(100 * s.train_acc, "%.1f%%");
  const std::string val = regression ? cell(s.val_rmse, "%.4f") : cell(100 * s.val_acc, "%.1f%%");
  std::snprintf(line, sizeof line, regression ? "%8" PRId64 " %8s %10s %10s %10s %10s %10s\n" : "%8" PRId64 " %8s %10s %10s %10s %9s %9s\n",
                s.step, cell(s.epoch, "%.2f").c_str(),
                cell(s.lr, "%.3g").c_str(), cell(s.data_loss + s.reg_loss, "%.4f").c_str(),
                cell(s.train_data_loss + s.train_reg_loss, "%.4f").c_str(), train.c_str(), val.c_str());
  out << line;
}

static std::string problem_text(const Dataset& d) {
  switch (d.problem) {
    case ProblemKind::Regression1D: return "regression 1D (a curve y = f(x))";
    case ProblemKind::Regression2D: return "regression 2D (a value over the plane)";
    default: return std::to_string(d.num_classes) + " classes";
  }
}

int train_headless(const Session& s, int64_t steps, std::ostream& out, int rows) {
  out << (s.name.empty() ? std::string("(unnamed session)") : s.name) << ": " << s.data.points.size() << " points, "
      << problem_text(s.data) << ", " << to_string(s.spec.kind) << " model, "
      << (is_regression(s.data.problem) ? std::string(enum_label(s.spec.loss.kind)) + " loss, " : std::string())
      << to_string(s.spec.optim.kind) << " lr " << s.spec.optim.lr << "\n";
  if (s.spec.kind == ModelKind::KNN) {
    out << "kNN has no training steps: it remembers the training points.\n";
    return kHeadlessCannotTrain;
  }
  std::unique_ptr<Trainer> t;
  try {
    t = std::make_unique<Trainer>(s.data, s.spec);
    if (s.trained) {
      t->load_trained(*s.trained);
      out << "continuing the saved model from step " << t->step_count() << "\n";
    }
  } catch (const std::exception& e) {
    out << "cannot train: " << e.what() << "\n";
    return kHeadlessCannotTrain;
  }
  if (t->y_train().empty()) {
    out << "cannot train: there are no training points.\n";
    return kHeadlessCannotTrain;
  }
  const int64_t every = std::max<int64_t>(1, steps / std::max(1, rows));
  t->set_eval_every(int(std::min<int64_t>(every, 1 << 30)));  // printed rows have full-set figures
  const bool reg = is_regression(s.data.problem);
  out << (reg ? "    step    epoch         lr batch loss train loss train RMSE   val RMSE\n"
              : "    step    epoch         lr batch loss train loss train acc   val acc\n");
  StepStats s_last;
  for (int64_t i = 1; i <= steps; ++i) {
    s_last = t->step();
    if (t->divergence().diverged) {
      row(out, s_last, reg);
      out << t->divergence().message << "\n";
      return kHeadlessDiverged;
    }
    if (i == 1 || i == steps || i % every == 0) row(out, s_last, reg);
  }
  char line[160];
  if (reg)
    std::snprintf(line, sizeof line, "done: %" PRId64 " steps, train RMSE %s, validation RMSE %s\n", t->step_count(),
                  cell(t->rmse(false), "%.4f").c_str(), cell(t->rmse(true), "%.4f").c_str());
  else
    std::snprintf(line, sizeof line, "done: %" PRId64 " steps, train accuracy %s, validation accuracy %s\n",
                  t->step_count(), cell(100 * t->accuracy(false), "%.1f%%").c_str(),
                  cell(100 * t->accuracy(true), "%.1f%%").c_str());
  out << line;
  return kHeadlessOk;
}

}  // namespace nn
