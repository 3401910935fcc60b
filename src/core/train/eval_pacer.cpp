// eval_pacer.cpp: see eval_pacer.h.
#include "core/train/eval_pacer.h"

#include <algorithm>

namespace nn {

int EvalPacer::join() {
  std::lock_guard<std::mutex> lk(m_);
  slots_[next_id_] = Slot{};
  return next_id_++;
}

void EvalPacer::leave(int id) {
  std::lock_guard<std::mutex> lk(m_);
  slots_.erase(id);
}

void EvalPacer::set_runs(int n) {
  std::lock_guard<std::mutex> lk(m_);
  runs_ = std::max(1, n);
}

int EvalPacer::runs() const {
  std::lock_guard<std::mutex> lk(m_);
  return runs_;
}

bool EvalPacer::try_start(int id, double now_ms, double own_last_ms, bool final) {
  std::lock_guard<std::mutex> lk(m_);
  Slot& me = slots_[id];
  if (!final && now_ms - own_last_ms < period_) {
    me.waiting_since = -1;  // not due: not waiting
    return false;
  }
  if (me.waiting_since < 0) me.waiting_since = now_ms;
  me.last_ask = now_ms;
  if (runs_ > 1) {
    if (now_ms - last_ < period_ / runs_) return false;
    for (const auto& [other, s] : slots_) {
      if (other == id || s.waiting_since < 0 || now_ms - s.last_ask > 2 * period_) continue;
      if (s.waiting_since < me.waiting_since || (s.waiting_since == me.waiting_since && other < id)) return false;
    }
  }
  me.waiting_since = -1;
  last_ = now_ms;
  return true;
}

}  // namespace nn
