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
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

static void row(std::ostream& out, const StepStats& s) {
  char line[160];
  std::snprintf(line, sizeof line, "%8" PRId64 " %8s %10s %10s %10s %9s %9s\n", s.step, cell(s.epoch, "%.2f").c_str(),
                cell(s.lr, "%.3g").c_str(), cell(s.data_loss + s.reg_loss, "%.4f").c_str(),
                cell(s.train_data_loss + s.train_reg_loss, "%.4f").c_str(), cell(100 * s.train_acc, "%.1f%%").c_str(),
                cell(100 * s.val_acc, "%.1f%%").c_str());
  out << line;
}

int train_headless(const Session& s, int64_t steps, std::ostream& out, int rows) {
  out << (s.name.empty() ? std::string("(unnamed session)") : s.name) << ": " << s.data.points.size() << " points, "
      << s.data.num_classes << " classes, " << to_string(s.spec.kind) << " model, " << to_string(s.spec.optim.kind)
      << " lr " << s.spec.optim.lr << "\n";
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
  out << "    step    epoch         lr batch loss train loss train acc   val acc\n";
  StepStats s_last;
  for (int64_t i = 1; i <= steps; ++i) {
    s_last = t->step();
    if (t->divergence().diverged) {
      row(out, s_last);
      out << t->divergence().message << "\n";
      return kHeadlessDiverged;
    }
    if (i == 1 || i == steps || i % every == 0) row(out, s_last);
  }
  char line[160];
  std::snprintf(line, sizeof line, "done: %" PRId64 " steps, train accuracy %s, validation accuracy %s\n",
                t->step_count(), cell(100 * t->accuracy(false), "%.1f%%").c_str(),
                cell(100 * t->accuracy(true), "%.1f%%").c_str());
  out << line;
  return kHeadlessOk;
}

}  // namespace nn
