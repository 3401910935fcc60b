// Tests of trained models in sessions (version 2): version-1 files still
// load; a session with a trained model round-trips save -> load -> save to
// the same text; the loaded model predicts exactly what the saved one did,
// from a file and from a link; a model that does not fit its spec is refused
// with the field named.
#include <catch2/catch.hpp>

#include <functional>

#include "core/io/session.h"
#include "session_test_util.h"
#include "core/train/trainer.h"
#include "test_util.h"

using namespace nn;
using nn::test::load_error;
using nn::test::url_error;
using json = nlohmann::json;
using Catch::Matchers::StartsWith;

// A spiral and a 2-16-16-3 network with batchnorm on the first layer,
// trained `steps` Adam steps.
static Session trained_session(int steps, OptimKind optim = OptimKind::Adam) {
  Session s;
  s.name = "trained spiral";
  s.data = generate(DataGen::Spiral, 150, 3, 0.1, 5);
  split_train_val(s.data, 0.2, 5);
  s.spec.kind = ModelKind::Net;
  s.spec.hidden = {{16, Activation::ReLU}, {16, Activation::Tanh}};
  s.spec.hidden[0].batchnorm = true;
  s.spec.optim.kind = optim;
  s.spec.optim.lr = optim == OptimKind::SGD ? 0.1 : 0.01;
  s.spec.optim.batch_size = 32;
  s.spec.engine = EngineKind::Reference;  // the engine that saves its optimiser memory
  Trainer t(s.data, s.spec);
  for (int i = 0; i < steps; ++i) t.step();
  s.trained = t.trained_state();
  return s;
}

static Mat probe_points(int n, uint64_t seed) {
  Rng rng(seed);
  Mat X(n, 2);
  for (int i = 0; i < n; ++i) X.row(i) << rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2);
  return X;
}

// The model a session carries, put into a fresh Trainer.
static Mat loaded_scores(const Session& s, const Mat& X) {
  Trainer t(s.data, s.spec);
  t.load_trained(*s.trained);
  return t.predict_scores(X);
}

static std::string edited(const Session& s, const std::function<void(json&)>& edit) {
  json j = json::parse(save_session(s));
  edit(j);
  return j.dump();
}

TEST_CASE("version-1 files load and save as version 1", "[session_model]") {
  const std::string v1 = R"({
  "version": 1,
  "name": "old file",
  "data": {"num_classes": 2, "points": [
      {"x": 0.5, "y": -0.25, "label": 1, "validation": false},
      {"x": -0.5, "y": 0.25, "label": 0, "validation": true}]},
  "spec": {"kind": "net", "hidden": [{"width": 4, "act": "relu"}], "optim": {"kind": "sgd", "lr": 0.1}}
})";
  const Session s = load_session(v1);
  REQUIRE(s.version == 1);
  REQUIRE_FALSE(s.trained.has_value());
  REQUIRE(s.data.points.size() == 2);
  REQUIRE(s.spec.hidden.size() == 1);
  const std::string text = save_session(s);
  REQUIRE(text.rfind("{\n  \"version\": 1,", 0) == 0);
  REQUIRE(text.find("\"model\"") == std::string::npos);
  REQUIRE(save_session(load_session(text)) == text);
}

TEST_CASE("a trained model round-trips: save -> load -> save gives the same text", "[session_model]") {
  for (OptimKind k : {OptimKind::Adam, OptimKind::Momentum, OptimKind::SGD, OptimKind::LBFGS}) {
    const Session s = trained_session(k == OptimKind::LBFGS ? 3 : 40, k);
    const std::string text = save_session(s);
    REQUIRE(text.rfind("{\n  \"version\": " + std::to_string(kSessionVersion) + ",", 0) == 0);
    // One line per matrix: W1 is 16 x 2 (16 neurons, 2 inputs).
    REQUIRE(text.find("\n      {\"name\":\"W1\",\"shape\":[16,2],\"values\":[") != std::string::npos);
    const Session back = load_session(text);
    REQUIRE(back.trained.has_value());
    REQUIRE(back.trained->step == s.trained->step);
    REQUIRE(back.trained->params.size() == s.trained->params.size());
    for (size_t i = 0; i < s.trained->params.size(); ++i) {
      REQUIRE(back.trained->params[i].name == s.trained->params[i].name);
      REQUIRE(back.trained->params[i].value == s.trained->params[i].value);  // bit for bit
    }
    REQUIRE(save_session(back) == text);
  }
}

TEST_CASE("a loaded model predicts exactly what the saved model predicted", "[session_model]") {
  Session s = trained_session(0);
  Trainer original(s.data, s.spec);
  for (int i = 0; i < 60; ++i) original.step();
  s.trained = original.trained_state();
  REQUIRE(s.trained->buffers.size() == 2);  // running_mean1, running_var1 of the batchnorm layer
  const Mat X = probe_points(100, 11);
  const Mat expected = original.predict_scores(X);

  const Session from_file = load_session(save_session(s));
  const Mat got_file = loaded_scores(from_file, X);
  REQUIRE(got_file.rows() == 100);
  CHECK((got_file.array() == expected.array()).all());

  const Session from_link = decode_session_url(encode_session_url(s));
  CHECK((loaded_scores(from_link, X).array() == expected.array()).all());

  // Training goes on from the saved counters and optimiser memory.
  Trainer loaded(from_file.data, from_file.spec);
  loaded.load_trained(*from_file.trained);
  REQUIRE(loaded.step_count() == 60);
  const TrainedState again = loaded.trained_state();
  REQUIRE(again.optimizer.t == 60);
  REQUIRE(again.optimizer.slots.size() == 2 * s.trained->params.size());  // Adam's m and v
  for (size_t i = 0; i < again.optimizer.slots.size(); ++i)
    REQUIRE(again.optimizer.slots[i].value == s.trained->optimizer.slots[i].value);
  REQUIRE(loaded.last().evaluated);
  REQUIRE(loaded.last().train_acc == original.accuracy(false));
  loaded.step();
  REQUIRE(loaded.step_count() == 61);

  // The fast (float32) engine: its model reloads exactly too, and it saves
  // its optimiser memory under the reference's names (m.W1, v.W1, ...).
  Session f = s;
  f.spec.engine = EngineKind::Fast;
  Trainer fast(f.data, f.spec);
  for (int i = 0; i < 30; ++i) fast.step();
  f.trained = fast.trained_state();
  REQUIRE(f.trained->optimizer.kind == OptimKind::Adam);
  const Session f_back = load_session(save_session(f));
  CHECK((loaded_scores(f_back, X).array() == fast.predict_scores(X).array()).all());

  // The untrained network of the same spec predicts something else.
  Trainer fresh(s.data, s.spec);
  CHECK_FALSE((fresh.predict_scores(X).array() == expected.array()).all());
}

TEST_CASE("a model that does not fit its spec is refused with the field named", "[session_model]") {
  const Session s = trained_session(5);
  // Sanity: the unedited text loads.
  REQUIRE(load_error(save_session(s)) == "(loaded without error)");

  // The spec asks for 8 neurons in the second layer; the saved W2 is 16 x 16.
  CHECK_THAT(load_error(edited(s, [](json& j) { j["spec"]["hidden"][1]["width"] = 8; })),
             StartsWith("model.params[4].shape: is [16, 16] but the spec's network needs [8, 16] for W2"));
  // A matrix with a wrong name, a missing matrix, a wrong value count.
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["params"][0]["name"] = "W9"; })),
             StartsWith("model.params[0].name: is \"W9\" but the spec's network has W1 here"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["params"].erase(j["model"]["params"].size() - 1); })),
             StartsWith("model.params: has"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["params"][1]["values"].erase(0); })),
             StartsWith("model.params[1].values: has 15 numbers, shape [1, 16] needs 16"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["params"][0]["values"][3] = "x"; })),
             StartsWith("model.params[0].values[3]: must be a finite number"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["params"][0]["shape"] = {16}; })),
             StartsWith("model.params[0].shape: must be [rows, columns]"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["buffers"] = json::array(); })),
             StartsWith("model.buffers: has 0 batchnorm statistics, the spec's network has 2"));
  // The optimiser state belongs to the spec's optimiser.
  CHECK_THAT(load_error(edited(s, [](json& j) { j["spec"]["optim"]["kind"] = "momentum"; })),
             StartsWith("model.optimizer.kind: is adam but spec.optim.kind is momentum"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["optimizer"]["state"].erase(0); })),
             StartsWith("model.optimizer.state: "));
  // More classes in the data: the output layer no longer fits.
  CHECK_THAT(load_error(edited(s, [](json& j) { j["data"]["num_classes"] = 4; })),
             StartsWith("model.params["));
  // A model needs version 2, and kNN has none.
  CHECK_THAT(load_error(edited(s, [](json& j) { j["version"] = 1; })), StartsWith("model: a trained model needs"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["spec"]["kind"] = "knn"; })), StartsWith("model: a kNN model"));
  CHECK_THAT(load_error(edited(s, [](json& j) { j["model"]["extra"] = 1; })), StartsWith("model: unknown key"));
}

TEST_CASE("Trainer::load_trained refuses a misshapen state and changes nothing", "[session_model]") {
  Session s = trained_session(10);
  Trainer t(s.data, s.spec);
  const Mat X = probe_points(20, 3);
  const Mat before = t.predict_scores(X);
  TrainedState bad = *s.trained;
  bad.params[4].value = Mat::Zero(3, 3);  // W1, b1, gamma1, beta1, W2
  REQUIRE_THROWS_WITH(t.load_trained(bad), Catch::Matchers::Contains("W2 is 3x3, this network needs 16x16"));
  REQUIRE((t.predict_scores(X).array() == before.array()).all());
  REQUIRE(t.step_count() == 0);
}
