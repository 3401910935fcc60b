// eval_pacer.h: spreads the test-set evaluations of compared runs over time.
// Each run evaluates its test images at most once per period while it
// trains; with several runs the evaluations of all of them together are
// also kept a shared gap of period / runs apart, and the run that has waited
// longest goes first, so four runs take turns (a quarter period apart)
// instead of paying for four evaluations in the same frame. Thread-safe: the
// threaded build's workers ask from their own threads.
#pragma once
#include <map>
#include <mutex>

namespace nn {

class EvalPacer {
 public:
  explicit EvalPacer(double period_ms = 500) : period_(period_ms) {}
  int join();               // a new run's id
  void leave(int id);       // the run is gone
  void set_runs(int n);     // the runs sharing the pacer now (clamped to >= 1)
  int runs() const;
  // Whether run `id` may evaluate now (if so, the evaluation counts as
  // started at now_ms). own_last_ms: the run's previous evaluation (a very
  // negative number: none). final: the run stopped training (or its model
  // changed) and wants its figure for the current step: it skips its own
  // period but still keeps the shared gap. One run alone never waits for a
  // shared gap. A run asks every frame while it wants to evaluate; among the
  // runs waiting, the one waiting longest (then the lowest id) goes first, so
  // every run that keeps asking is refreshed: once its own period has passed
  // it waits at most for the other runs' turns (runs - 1 shared gaps, or as
  // many frames when frames are slower). A run that stopped asking for two
  // periods no longer holds the others back.
  bool try_start(int id, double now_ms, double own_last_ms, bool final);

 private:
  struct Slot {
    double waiting_since = -1;  // < 0: not waiting
    double last_ask = -1e300;
  };
  mutable std::mutex m_;
  double period_;
  int runs_ = 1, next_id_ = 0;
  double last_ = -1e300;        // the latest evaluation granted to any run
  std::map<int, Slot> slots_;
};

}  // namespace nn
