// Tests of EvalPacer (the compared runs' test-set evaluations spread over
// frames): simulated frames, no clocks. Four runs asking every frame in the
// same order (the last run is the worst off) are each refreshed at least
// every two periods, never two evaluations in one frame or closer than the
// shared gap; a run that stops training gets its final figure within the
// other runs' turns; one run alone is never held back.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "core/train/eval_pacer.h"

using nn::EvalPacer;

namespace {

struct Simulated {
  std::vector<std::vector<double>> granted;  // per run, the frame times it evaluated at
  int most_in_a_frame = 0;
  double closest = 1e300;                    // smallest gap between two evaluations of any runs
};

// runs ask every frame_ms for total_ms, in the order 0, 1, ..., as the app's frame loop does.
Simulated simulate(EvalPacer& p, int runs, double frame_ms, double total_ms) {
  std::vector<int> id;
  for (int r = 0; r < runs; ++r) id.push_back(p.join());
  Simulated s;
  s.granted.resize(size_t(runs));
  std::vector<double> last(size_t(runs), -1e300);
  double prev = -1e300;
  for (double t = 0; t < total_ms; t += frame_ms) {
    int in_frame = 0;
    for (int r = 0; r < runs; ++r)
      if (p.try_start(id[size_t(r)], t, last[size_t(r)], false)) {
        last[size_t(r)] = t;
        s.granted[size_t(r)].push_back(t);
        ++in_frame;
        s.closest = std::min(s.closest, t - prev);
        prev = t;
      }
    s.most_in_a_frame = std::max(s.most_in_a_frame, in_frame);
  }
  return s;
}

double widest_gap(const std::vector<double>& times, double start, double end) {
  double w = 0, prev = start;
  for (double t : times) w = std::max(w, t - prev), prev = t;
  return std::max(w, end - prev);
}

}  // namespace

TEST_CASE("four training runs take turns: one evaluation per frame, each run refreshed", "[eval_pacer][compare]") {
  for (double frame_ms : {16.0, 40.0, 150.0, 300.0}) {  // 60 fps down to a loaded fallback page
    INFO("frames every " << frame_ms << " ms");
    EvalPacer p(500);
    p.set_runs(4);
    const double total = 20000;
    const Simulated s = simulate(p, 4, frame_ms, total);
    CHECK(s.most_in_a_frame == 1);
    CHECK(s.closest >= 500.0 / 4);
    for (int r = 0; r < 4; ++r) {
      INFO("run " << r);
      // Refreshed at least every two periods (or every four frames when frames are slower than that).
      CHECK(widest_gap(s.granted[size_t(r)], 0, total) <= std::max(2 * 500.0, 4 * frame_ms) + frame_ms);
      CHECK(s.granted[size_t(r)].size() >= size_t(total / std::max(2 * 500.0, 4 * frame_ms + frame_ms)));
    }
  }
}

TEST_CASE("without the pacer's shared gap four runs would evaluate in the same frame", "[eval_pacer][compare]") {
  // The control: a pacer told of one run only (no shared gap) lets all four evaluate in the first frame.
  EvalPacer alone(500);
  const Simulated s = simulate(alone, 4, 16, 2000);
  CHECK(s.most_in_a_frame == 4);
}

TEST_CASE("runs that stop training get their final figures one after the other", "[eval_pacer][compare]") {
  EvalPacer p(500);
  p.set_runs(4);
  std::vector<int> id;
  for (int r = 0; r < 4; ++r) id.push_back(p.join());
  for (int r = 0; r < 4; ++r) REQUIRE(p.try_start(id[size_t(r)], 1000.0 + 125 * r, -1e300, false));  // while training
  // All four stop at t = 1600: each wants its final figure at once (own period not passed).
  std::vector<double> got(4, -1);
  for (double t = 1600; t < 3000; t += 16)
    for (int r = 0; r < 4; ++r)
      if (got[size_t(r)] < 0 && p.try_start(id[size_t(r)], t, 1000.0 + 125 * r, true)) got[size_t(r)] = t;
  for (int r = 0; r < 4; ++r) {
    INFO("run " << r);
    CHECK(got[size_t(r)] >= 1600);
    CHECK(got[size_t(r)] <= 1600 + 3 * 125 + 16);  // within the other runs' turns
  }
}

TEST_CASE("one run alone is never held back by the shared gap", "[eval_pacer]") {
  EvalPacer p(500);
  p.set_runs(1);
  const int a = p.join();
  REQUIRE(p.try_start(a, 0, -1e300, false));
  CHECK_FALSE(p.try_start(a, 100, 0, false));  // its own period still applies while training
  CHECK(p.try_start(a, 100, 0, true));         // ... but not to its final figure
  CHECK(p.try_start(a, 600, 100, false));
  p.set_runs(0);
  CHECK(p.runs() == 1);
}

TEST_CASE("a run that stopped asking does not hold the others back for long", "[eval_pacer]") {
  EvalPacer p(500);
  p.set_runs(2);
  const int a = p.join(), b = p.join();
  REQUIRE(p.try_start(b, 0, -1e300, false));
  CHECK_FALSE(p.try_start(a, 10, -1e300, false));  // the shared gap: a waits since 10
  // b asks again later, after a went quiet (its host was reset): a's wait counts for two periods only.
  CHECK_FALSE(p.try_start(b, 600, 0, false));      // a waited longer
  CHECK(p.try_start(b, 1100, 0, false));           // a has not asked for 1090 ms
  p.leave(a);
}
