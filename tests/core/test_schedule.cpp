// Tests of the learning rate schedules: each one's value at a few epochs.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/train/schedule.h"

using namespace nn;

static OptimSpec schedule_spec(ScheduleKind kind, double decay, double step_epochs = 10) {
  OptimSpec s;
  s.lr = 0.1;
  s.schedule = kind;
  s.decay = decay;
  s.step_epochs = step_epochs;
  return s;
}

TEST_CASE("constant schedule keeps lr", "[schedule]") {
  const OptimSpec s = schedule_spec(ScheduleKind::Constant, 0.5);
  for (double e : {0.0, 3.7, 1000.0}) REQUIRE(learning_rate(s, e) == 0.1);
}

TEST_CASE("step decay multiplies by decay every step_epochs", "[schedule]") {
  const OptimSpec s = schedule_spec(ScheduleKind::Step, 0.5, 10);
  REQUIRE(learning_rate(s, 0) == Approx(0.1));
  REQUIRE(learning_rate(s, 9.99) == Approx(0.1));
  REQUIRE(learning_rate(s, 10) == Approx(0.05));
  REQUIRE(learning_rate(s, 25) == Approx(0.025));
  REQUIRE(learning_rate(s, 30) == Approx(0.0125));
  // step_epochs <= 0 means no decay rather than a division by zero.
  REQUIRE(learning_rate(schedule_spec(ScheduleKind::Step, 0.5, 0), 42) == Approx(0.1));
}

TEST_CASE("exponential decay is lr * exp(-decay * epoch)", "[schedule]") {
  const OptimSpec s = schedule_spec(ScheduleKind::Exponential, 0.1);
  REQUIRE(learning_rate(s, 0) == Approx(0.1));
  REQUIRE(learning_rate(s, 1) == Approx(0.1 * std::exp(-0.1)));
  REQUIRE(learning_rate(s, 10) == Approx(0.1 / M_E));
  REQUIRE(learning_rate(s, 2.5) == Approx(0.1 * std::exp(-0.25)));
}

TEST_CASE("1/t decay is lr / (1 + decay * epoch)", "[schedule]") {
  const OptimSpec s = schedule_spec(ScheduleKind::InvT, 0.5);
  REQUIRE(learning_rate(s, 0) == Approx(0.1));
  REQUIRE(learning_rate(s, 2) == Approx(0.05));
  REQUIRE(learning_rate(s, 6) == Approx(0.025));
  REQUIRE(learning_rate(s, 0.5) == Approx(0.08));
}
