// Claims about the numerical gradient check near kinks (ReLU, hinge).
#include <catch2/catch.hpp>

#include <algorithm>

#include "claims_common.h"
#include "core/io/session.h"
#include "core/train/gradcheck.h"

using namespace nn;
using namespace claims;

TEST_CASE("numerical gradients go wrong near kinks", "[claims][gradcheck-kink]") {
  // Many kinks at once (the preset below shows one): two ReLU layers of 8,
  // SVM loss, L2 1e-3, He init, on 120 points of three blobs.
  Dataset data = generate(DataGen::Blobs, 120, 3, 0.1, 1);
  ModelSpec spec;
  spec.hidden = {HiddenLayerSpec{8}, HiddenLayerSpec{8}};
  spec.loss.kind = LossKind::SVM;
  Trainer t = make_trainer(data, spec);  // checked at initialisation, as in the course
  const Mat X = t.X_train().topRows(40);
  const Labels y(t.y_train().begin(), t.y_train().begin() + 40);
  auto worst_kink = [](const GradCheckResult& g) {
    double w = 0;
    for (const GradCheckEntry& e : g.entries)
      if (e.kink) w = std::max(w, e.rel_error);
    return w;
  };
  auto kinks = [](const GradCheckResult& g) {
    int n = 0;
    for (const GradCheckEntry& e : g.entries) n += e.kink;
    return n;
  };
  const GradCheckResult g5 = grad_check(t.model(), X, y, 1e-5);
  const GradCheckResult g2 = grad_check(t.model(), X, y, 1e-2);
  const GradCheckResult g10 = grad_check(t.model(), X, y, 1e-10);
  measure("gradcheck-kink",
          "h=1e-5: kinks " + num(kinks(g5)) + ", max rel " + num(g5.max_rel_error_smooth) +
              "; h=1e-2: kinks " + num(kinks(g2)) + "/" + num(g2.entries.size()) +
              ", worst kink rel " + num(worst_kink(g2)) + ", others " +
              num(g2.max_rel_error_smooth) + "; h=1e-10: max rel " +
              num(g10.max_rel_error_smooth));
  // Claims: with h = 1e-5 no entry crosses a kink and all agree to better
  // than 1e-6; with h = 1e-2 some entries straddle a kink and one is off by
  // more than 0.1, while the others stay exact to 1e-8 (the ReLU net with the
  // SVM loss and L2 is piecewise quadratic, where centred differences are
  // exact); with h = 1e-10 round-off makes the error worse than 1e-4.
  REQUIRE(kinks(g5) == 0);
  REQUIRE(g5.max_rel_error < 1e-6);
  REQUIRE(g2.kink_crossed);
  REQUIRE(worst_kink(g2) > 0.1);
  REQUIRE(g2.max_rel_error_smooth < 1e-8);
  REQUIRE(g10.max_rel_error_smooth > 1e-4);
}

TEST_CASE("the gradient-check preset: a probe input within h of a ReLU kink is flagged",
          "[claims][gradcheck-kink]") {
  const Session s = load_preset("gradcheck-kink");
  const GradCheckSettings g = read_gradcheck_settings(s.ui);
  REQUIRE(g.probe_unit > 0);
  REQUIRE(g.probe_pre == -1e-6);
  REQUIRE(g.h == 1e-5);
  // As the panel does: the model at initialisation, the first training point
  // moved onto the kink of unit probe_unit.
  Trainer t = make_trainer(s.data, s.spec);
  const int unit = g.probe_unit - 1;
  const KinkProbe probe = place_on_kink(t.model(), t.X_train().topRows(1), unit, g.probe_pre);
  const Labels y = {t.y_train()[0]};
  REQUIRE(probe.act == Activation::ReLU);
  auto bias_entry = [&](const GradCheckResult& r) {
    for (const GradCheckEntry& e : r.entries)
      if (e.param == "b1" && e.index == unit) return e;
    FAIL("b1 of the probed unit was not checked");
    return GradCheckEntry{};
  };
  auto kinks = [](const GradCheckResult& r) {
    int n = 0;
    for (const GradCheckEntry& e : r.entries) n += e.kink;
    return n;
  };
  const GradCheckResult at_h = grad_check(t.model(), probe.x, y, g.h, g.include_reg, 20, 1);
  const GradCheckResult small = grad_check(t.model(), probe.x, y, 1e-7, g.include_reg, 20, 1);
  const GradCheckResult tiny = grad_check(t.model(), probe.x, y, 1e-10, g.include_reg, 20, 1);
  const GradCheckEntry b = bias_entry(at_h), b_small = bias_entry(small);
  measure("gradcheck-kink",
          "probe: unit " + num(g.probe_unit) + " input " + num(probe.pre) + "; h=1e-5: b1[" + num(unit) +
              "] analytic " + num(b.analytic) + " numeric " + num(b.numeric) + " rel " + num(b.rel_error) +
              (b.kink ? " (crossed)" : "") + ", kinks " + num(kinks(at_h)) + "/" + num(at_h.entries.size()) +
              ", others max rel " + num(at_h.max_rel_error_smooth) + "; h=1e-7: kinks " + num(kinks(small)) +
              ", max rel " + num(small.max_rel_error) + "; h=1e-10: max rel " + num(tiny.max_rel_error_smooth));
  // Claims: the probe sits 1e-6 below the kink (to 1e-12); backprop's
  // gradient of the unit's bias is exactly 0 (the ReLU is off); with
  // h = 1e-5 its numerical gradient is not (relative error 1) and the entry
  // is flagged as crossing a kink, while the entries that cross no kink agree
  // to 1e-6; with h = 1e-7 < 1e-6 nothing is crossed and every entry agrees
  // to 1e-5; with h = 1e-10 round-off spoils entries that cross no kink.
  REQUIRE(std::abs(probe.pre - g.probe_pre) < 1e-12);
  REQUIRE(b.analytic == 0.0);
  REQUIRE(std::abs(b.numeric) > 1e-3);
  REQUIRE(b.rel_error == Approx(1.0));
  REQUIRE(b.kink);
  REQUIRE(at_h.max_rel_error_smooth < 1e-6);
  REQUIRE_FALSE(b_small.kink);
  REQUIRE(kinks(small) == 0);
  REQUIRE(small.max_rel_error < 1e-5);
  REQUIRE(tiny.max_rel_error_smooth > 1e-4);
}
