// Tests of the start-up options (page parameters / command-line flags), the
// preset catalogue, and the headless trainer behind `nnplay --train N`.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/io/launch.h"
#include "core/io/source_paths.h"
#include "core/train/headless.h"
#include "core/train/trainer.h"

using namespace nn;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

static const std::vector<std::string> kIds = {"svm-vs-softmax", "dead-relu-high-lr", "convnet-alexnet"};

TEST_CASE("good page parameters set every option", "[launch]") {
  const LaunchOptions o = parse_launch_query("?preset=svm-vs-softmax&ui=compact&controls=play,step,lr,lr&autoplay", kIds);
  REQUIRE(o.errors.empty());
  REQUIRE(o.preset == "svm-vs-softmax");
  REQUIRE(o.ui == UiLayout::Compact);
  REQUIRE(o.controls == std::vector<Control>{Control::Play, Control::Step, Control::Lr});  // no repeats
  REQUIRE(o.autoplay);
  REQUIRE(launch_query(o) == "?preset=svm-vs-softmax&ui=compact&controls=play,step,lr&autoplay");
  // The shell's own parameters pass; %XX is decoded; the fragment is not a parameter.
  const LaunchOptions p = parse_launch_query("build=fallback&s=abc&ui=%63anvas#s=z.xyz", kIds);
  REQUIRE(p.errors.empty());
  REQUIRE(p.ui == UiLayout::Canvas);
  REQUIRE(shown_controls(p) == std::vector<Control>{Control::Play, Control::Step, Control::Reset});
  REQUIRE(launch_query(LaunchOptions{}).empty());
  REQUIRE(shown_controls(LaunchOptions{}).size() == enum_rows<Control>().size());
}

TEST_CASE("bad page parameters give one message each and keep the default", "[launch]") {
  const LaunchOptions o =
      parse_launch_query("?preset=nope&ui=tiny&controls=play,fly&autoplay=maybe&colour=red", kIds);
  REQUIRE(o.preset.empty());
  REQUIRE(o.ui == UiLayout::Full);
  REQUIRE(o.controls.empty());
  REQUIRE_FALSE(o.autoplay);
  REQUIRE(o.errors.size() == 5);
  CHECK_THAT(o.errors[0], StartsWith("preset: no preset \"nope\" in this build (known: svm-vs-softmax,"));
  CHECK_THAT(o.errors[1], StartsWith("ui: unknown layout \"tiny\" (use one of full, compact, canvas)"));
  CHECK_THAT(o.errors[2], StartsWith("controls: unknown control \"fly\""));
  CHECK_THAT(o.errors[3], StartsWith("autoplay: must be empty, 1, true, 0 or false (got \"maybe\")"));
  CHECK_THAT(o.errors[4], StartsWith("unknown parameter \"colour\""));
  CHECK_THAT(parse_launch_query("controls=,,", kIds).errors.at(0), StartsWith("controls: the list is empty"));
  CHECK_THAT(parse_launch_query("preset=%3Cscript%3E", kIds).errors.at(0), Contains("\"<script>\""));
  CHECK_THAT(parse_launch_query("?" + std::string(5000, 'a'), kIds).errors.at(0), Contains("too long"));
}

TEST_CASE("every playground preset loads; the catalogue has the calculator's too", "[launch]") {
  const std::vector<std::string> ids = preset_ids(nn::source_assets_dir());
  int playground = 0;
  for (const std::string& id : ids) {
    if (is_convnet_preset(id)) continue;
    ++playground;
    INFO(id);
    REQUIRE_NOTHROW(load_preset(nn::source_assets_dir(), id));
  }
  REQUIRE(playground >= 30);
  REQUIRE(std::find(ids.begin(), ids.end(), "convnet-alexnet") != ids.end());
  CHECK_THROWS_WITH(load_preset(nn::source_assets_dir(), "../cards"), StartsWith("preset: \"../cards\" is not a preset id"));
  CHECK_THROWS_WITH(load_preset(nn::source_assets_dir(), "no-such"), StartsWith("preset: no preset \"no-such\""));
  CHECK_THROWS_WITH(load_preset(nn::source_assets_dir(), "convnet-alexnet"), Contains("ConvNet calculator"));
}

TEST_CASE("headless training prints a table and reports divergence in its exit code", "[launch]") {
  Session s;
  s.name = "blobs";
  s.data = generate(DataGen::Blobs, 120, 3, 0.1, 2);
  s.spec.kind = ModelKind::Linear;
  s.spec.optim.lr = 0.1;
  std::ostringstream out;
  REQUIRE(train_headless(s, 100, out, 10) == kHeadlessOk);
  const std::string table = out.str();
  CHECK_THAT(table, Contains("step    epoch         lr"));
  CHECK_THAT(table, Contains("\n       1 "));
  CHECK_THAT(table, Contains("\n     100 "));
  CHECK_THAT(table, Contains("done: 100 steps, train accuracy"));

  // lambda * lr so large that the L2 pull overshoots: |W| grows ~2e4x per step.
  s.spec.loss.reg = RegKind::L2;
  s.spec.loss.lambda = 1000;
  s.spec.optim.kind = OptimKind::SGD;  // Adam's steps are bounded by lr: it would only drift
  s.spec.optim.lr = 10;
  s.spec.init.kind = InitKind::SmallRandom;
  std::ostringstream bad;
  REQUIRE(train_headless(s, 1000, bad, 10) == kHeadlessDiverged);
  CHECK_THAT(bad.str(), Contains("Training diverged at step"));

  s.spec.kind = ModelKind::KNN;
  std::ostringstream knn;
  REQUIRE(train_headless(s, 10, knn) == kHeadlessCannotTrain);
}

// The number printed right after `key` (NaN if the key is missing).
static double number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return NAN;
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

TEST_CASE("headless training of a regression prints RMSE in place of accuracy", "[launch][regression]") {
  Session s;
  s.name = "sine";
  s.data = generate_regression(RegGen::Sine, 60, 0.05, 2);
  split_train_val(s.data, 0.25, 2);
  s.spec.kind = ModelKind::Net;
  s.spec.hidden = {HiddenLayerSpec{}};
  s.spec.hidden[0].width = 16;
  s.spec.loss.kind = LossKind::Squared;
  s.spec.optim.kind = OptimKind::Adam;
  s.spec.optim.lr = 0.02;
  std::ostringstream out;
  REQUIRE(train_headless(s, 200, out, 4) == kHeadlessOk);
  const std::string table = out.str();
  INFO(table);
  CHECK_THAT(table, Contains("60 points, regression 1D (a curve y = f(x)), net model, L2"));
  CHECK_THAT(table, Contains("train loss train RMSE   val RMSE\n"));
  CHECK_THAT(table, !Contains("acc"));
  // The summary's RMSEs are the trainer's own, and training lowered them.
  Trainer t(s.data, s.spec);
  for (int i = 0; i < 200; ++i) t.step();
  const double train = number_after(table, "done: 200 steps, train RMSE "), val = number_after(table, "validation RMSE ");
  CHECK(train == Approx(t.rmse(false)).margin(5e-5));
  CHECK(val == Approx(t.rmse(true)).margin(5e-5));
  Trainer fresh(s.data, s.spec);
  CHECK(train < 0.5 * fresh.rmse(false));

  // Without validation points the validation column says "-".
  split_train_val(s.data, 0.0, 2);
  std::ostringstream noval;
  REQUIRE(train_headless(s, 5, noval) == kHeadlessOk);
  CHECK_THAT(noval.str(), Contains("validation RMSE -\n"));

  // A classification loss on real targets cannot train; a blow-up exits 3.
  s.spec.loss.kind = LossKind::Softmax;
  std::ostringstream wrong;
  REQUIRE(train_headless(s, 5, wrong) == kHeadlessCannotTrain);
  CHECK_THAT(wrong.str(), Contains("choose a regression loss"));
  s.spec.loss.kind = LossKind::Squared;
  s.spec.optim.kind = OptimKind::SGD;
  s.spec.optim.lr = 5;
  std::ostringstream bad;
  REQUIRE(train_headless(s, 500, bad, 10) == kHeadlessDiverged);
  CHECK_THAT(bad.str(), Contains("Training diverged at step"));
}
