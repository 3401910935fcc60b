// Tests of a session's comparison ("runs", version 3; run models, version 4): runs round-trip
// through the file and the link, each run's "spec" holds only what differs
// from the session's spec, older versions keep loading (and are refused a
// "runs" key), bad runs are refused with their path, and the "differs from
// A" lines name each changed field; every run's trained model round-trips and
// predicts as before, from a file and from a link.
#include <catch2/catch.hpp>

#include "core/data/dataset.h"
#include "core/io/session.h"
#include "core/limits.h"
#include "core/train/trainer.h"
#include "session_test_util.h"

using namespace nn;
using nn::test::load_error;
using json = nlohmann::json;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

Session comparison() {
  Session s;
  s.name = "momentum vs SGD";
  s.data = generate(DataGen::Spiral, 30, 3, 0.1, 2);
  split_train_val(s.data, 0.2, 3);
  s.spec.kind = ModelKind::Net;
  s.spec.optim.kind = OptimKind::SGD;
  s.spec.optim.lr = 0.05;
  s.spec.seed = 7;
  ModelSpec b = s.spec;
  b.optim.kind = OptimKind::Momentum;
  b.optim.mu = 0.95;
  ModelSpec c = s.spec;
  c.hidden = {{32, Activation::Tanh}};
  s.runs = {{"SGD", s.spec}, {"momentum", b}, {"wide tanh", c}};
  return s;
}

}  // namespace

TEST_CASE("a comparison round-trips through the file and the link", "[session][compare]") {
  const Session s = comparison();
  const std::string text = save_session(s);
  const Session back = load_session(text);
  CHECK(back.version == kSessionVersion);
  REQUIRE(back.runs.size() == 3);
  CHECK(back.runs == s.runs);
  CHECK(back.runs[0].spec == back.spec);
  CHECK(save_session(back) == text);
  const Session via_link = decode_session_url(encode_session_url(s));
  CHECK(via_link.runs == s.runs);
}

TEST_CASE("a run's spec in the file holds only its changes", "[session][compare]") {
  const Session s = comparison();
  const json j = json::parse(save_session(s));
  REQUIRE(j["runs"].size() == 3);
  CHECK(j["runs"][0] == json{{"name", "SGD"}});
  CHECK(j["runs"][1]["spec"] == json{{"optim", {{"kind", "momentum"}, {"mu", 0.95}}}});
  // Arrays are replaced whole.
  CHECK(j["runs"][2]["spec"].size() == 1);
  CHECK(j["runs"][2]["spec"]["hidden"].size() == 1);
  // An equal run has an empty patch.
  CHECK(spec_changes(s.spec, s.spec) == json::object());
}

TEST_CASE("a short preset's runs merge over the session's spec", "[session][compare]") {
  const std::string text = R"({"version": 3, "data": {"generator": {"kind": "blobs", "n": 20}},
    "spec": {"kind": "net", "optim": {"kind": "sgd", "lr": 0.1, "batch_size": 1}, "seed": 3},
    "runs": [{"name": "batch 1"}, {"name": "batch 64", "spec": {"optim": {"batch_size": 64}}}]})";
  const Session s = load_session(text);
  REQUIRE(s.runs.size() == 2);
  CHECK(s.runs[1].spec.optim.batch_size == 64);
  CHECK(s.runs[1].spec.optim.lr == 0.1);
  CHECK(s.runs[1].spec.seed == 3);
  CHECK(s.runs[0].spec.optim.batch_size == 1);
}

TEST_CASE("sessions without runs keep their version and load as before", "[session][compare]") {
  Session s = comparison();
  s.runs.clear();
  s.version = 1;
  CHECK(json::parse(save_session(s))["version"] == 1);
  const std::string v2 = R"({"version": 2, "spec": {"kind": "linear"}})";
  CHECK(load_session(v2).runs.empty());
}

TEST_CASE("bad runs are refused with their path", "[session][compare]") {
  const auto with_runs = [](const std::string& runs, int version = 3) {
    return R"({"version": )" + std::to_string(version) + R"(, "spec": {"kind": "net"}, "runs": )" + runs + "}";
  };
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"name": "b"}])", 2)),
             StartsWith("runs: a comparison needs \"version\": 3"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}])")), StartsWith("runs: a comparison has 2 to 4 runs (got 1)"));
  CHECK_THAT(load_error(with_runs(R"([{}, {}, {}, {}, {}])")), StartsWith("runs: a comparison has 2 to 4 runs (got 5)"));
  CHECK_THAT(load_error(with_runs(R"({"name": "a"})")), StartsWith("runs: must be an array"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"spec": {"optim": {"lr": -1}}}])")),
             StartsWith("runs[1].spec.optim.lr: must be a number"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"spec": {"optim": {"kind": "sgdd"}}}])")),
             StartsWith("runs[1].spec.optim.kind: unknown name"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"spec": 3}])")), StartsWith("runs[1].spec: must be an object"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a", "spec": {}}, {}])")), StartsWith("runs[0].spec: run A's description"));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"colour": "red"}])")), StartsWith("runs[1]: unknown key \"colour\""));
  CHECK_THAT(load_error(with_runs(R"([{"name": "a"}, {"name": ")" + std::string(kMaxRunNameChars + 1, 'x') + R"("}])")),
             StartsWith("runs[1].name: is too long"));
}

TEST_CASE("difference lines name each changed field with A's value", "[session][compare]") {
  const Session s = comparison();
  CHECK(spec_difference_lines(s.spec, s.spec).empty());
  const auto lines = spec_difference_lines(s.spec, s.runs[1].spec);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "optim.kind: momentum (A: sgd)");
  CHECK_THAT(lines[1], StartsWith("optim.mu: 0.95 (A: 0.9"));
  const auto wide = spec_difference_lines(s.spec, s.runs[2].spec);
  REQUIRE(wide.size() == 1);
  CHECK_THAT(wide[0], StartsWith("hidden: "));
  CHECK_THAT(wide[0], Contains("(A: "));
}

namespace {

// comparison() with runs A (SGD) and B (momentum) trained `steps` steps each
// (run C, a kNN, has no model) and every run's model in the session.
Session trained_comparison(int steps, std::vector<std::unique_ptr<Trainer>>& trainers) {
  Session s = comparison();
  s.runs[2].spec = s.spec;
  s.runs[2].spec.kind = ModelKind::KNN;
  for (int i = 0; i < 2; ++i) {
    trainers.push_back(std::make_unique<Trainer>(s.data, s.runs[size_t(i)].spec));
    for (int k = 0; k < steps; ++k) trainers.back()->step();
  }
  s.trained = trainers[0]->trained_state();
  s.runs[1].trained = trainers[1]->trained_state();
  return s;
}

Mat probe(int n) {
  Rng rng(21);
  Mat X(n, 2);
  for (int i = 0; i < n; ++i) X.row(i) << rng.uniform(-1.2, 1.2), rng.uniform(-1.2, 1.2);
  return X;
}

Mat scores_of(const Session& s, const ModelSpec& spec, const TrainedState& t, const Mat& X) {
  Trainer tr(s.data, spec);
  tr.load_trained(t);
  return tr.predict_scores(X);
}

}  // namespace

TEST_CASE("every run's trained model round-trips through the file (version 4)", "[session][compare]") {
  std::vector<std::unique_ptr<Trainer>> trainers;
  const Session s = trained_comparison(25, trainers);
  const std::string text = save_session(s);
  CHECK(json::parse(text)["version"] == 4);
  CHECK(json::parse(text)["runs"][1].contains("model"));
  CHECK_FALSE(json::parse(text)["runs"][0].contains("model"));  // A's is the session's "model"
  CHECK_FALSE(json::parse(text)["runs"][2].contains("model"));  // kNN: nothing trained
  // One line per matrix inside a run's model too.
  CHECK(text.find("\n          {\"name\":\"W1\",\"shape\":[8,2],\"values\":[") != std::string::npos);
  const Session back = load_session(text);
  REQUIRE(back.runs.size() == 3);
  REQUIRE(back.trained.has_value());
  REQUIRE(back.runs[1].trained.has_value());
  CHECK_FALSE(back.runs[0].trained.has_value());
  CHECK_FALSE(back.runs[2].trained.has_value());
  CHECK(back.runs[1].trained->step == 25);
  CHECK(save_session(back) == text);
  // A comparison without run models keeps version 3 when it was loaded as 3.
  Session plain = back;
  plain.version = 3;
  plain.runs[1].trained.reset();
  CHECK(json::parse(save_session(plain))["version"] == 3);
}

TEST_CASE("a link with every run's model reproduces each run's predictions", "[session][compare]") {
  std::vector<std::unique_ptr<Trainer>> trainers;
  const Session s = trained_comparison(25, trainers);
  const Mat X = probe(50);
  const Mat a = trainers[0]->predict_scores(X), b = trainers[1]->predict_scores(X);
  REQUIRE_FALSE((a.array() == b.array()).all());  // the runs differ, so a swap would be seen
  const Session back = decode_session_url(encode_session_url(s));
  REQUIRE(back.trained.has_value());
  REQUIRE(back.runs.size() == 3);
  REQUIRE(back.runs[1].trained.has_value());
  CHECK((scores_of(back, back.spec, *back.trained, X).array() == a.array()).all());
  CHECK((scores_of(back, back.runs[1].spec, *back.runs[1].trained, X).array() == b.array()).all());
}

TEST_CASE("bad run models are refused with their path", "[session][compare]") {
  std::vector<std::unique_ptr<Trainer>> trainers;
  const Session s = trained_comparison(2, trainers);
  const json good = json::parse(save_session(s));
  json j = good;
  j["version"] = 3;
  CHECK_THAT(load_error(j.dump()), StartsWith("runs[1].model: a run's trained model needs \"version\": 4"));
  j = good;
  j["runs"][0]["model"] = good["model"];
  CHECK_THAT(load_error(j.dump()), StartsWith("runs[0].model: run A's trained model is the session's \"model\""));
  j = good;
  j["runs"][2]["model"] = good["model"];
  CHECK_THAT(load_error(j.dump()), StartsWith("runs[2].model: a kNN model has no trained parameters"));
  j = good;
  j["runs"][1]["spec"]["hidden"] = json::array({{{"width", 4}}, {{"width", 8}}});  // B's network no longer fits its model
  CHECK_THAT(load_error(j.dump()), StartsWith("runs[1].model.params[0].shape: is [8, 2] but the spec's network needs [4, 2]"));
  j = good;
  j["runs"][1]["model"]["optimizer"]["kind"] = "sgd";
  CHECK_THAT(load_error(j.dump()), StartsWith("runs[1].model.optimizer.kind: is sgd but spec.optim.kind is momentum"));
}

TEST_CASE("a change of run A follows into the fields the other runs share with it", "[session][compare]") {
  ModelSpec a;
  a.kind = ModelKind::Net;
  a.optim.kind = OptimKind::SGD;
  a.optim.lr = 0.05;
  ModelSpec b = a;  // differs in the optimiser
  b.optim.kind = OptimKind::Momentum;
  ModelSpec c = a;  // differs in the learning rate
  c.optim.lr = 0.5;
  ModelSpec a2 = a;
  a2.optim.lr = 0.02;
  const ModelSpec b2 = follow_shared_changes(b, a, a2), c2 = follow_shared_changes(c, a, a2);
  CHECK(b2.optim.lr == 0.02);
  CHECK(b2.optim.kind == OptimKind::Momentum);
  CHECK(c2.optim.lr == 0.5);  // the compared field stays the run's own
  CHECK(c2 == c);
  ModelSpec a3 = a;
  a3.optim.kind = OptimKind::Adam;
  a3.loss.lambda = 0.01;
  const ModelSpec b3 = follow_shared_changes(b, a, a3), c3 = follow_shared_changes(c, a, a3);
  CHECK(b3.optim.kind == OptimKind::Momentum);
  CHECK(b3.loss.lambda == 0.01);
  CHECK(c3.optim.kind == OptimKind::Adam);
  CHECK(c3.optim.lr == 0.5);
  CHECK(follow_shared_changes(b, a, a) == b);  // no change, nothing follows
}

TEST_CASE("an image-mode comparison round-trips, and older image sessions load without runs", "[session][compare]") {
  // The image mode's runs are image models: the session's spec has an image
  // input, and each run after A patches it (kind and layers, a loss).
  Session s;
  s.name = "image runs";
  s.data = generate(DataGen::Blobs, 30, 3, 0.2, 1);
  s.spec.input = {28, 28, 1};
  s.spec.kind = ModelKind::Linear;
  s.spec.hidden.clear();
  s.spec.preprocess.image = ImageNorm::MeanImage;
  s.spec.optim.kind = OptimKind::Adam;
  s.spec.optim.lr = 1e-3;
  s.spec.optim.batch_size = 64;
  ModelSpec mlp = s.spec;
  mlp.kind = ModelKind::Net;
  mlp.hidden = {HiddenLayerSpec::fc(100)};
  ModelSpec conv = s.spec;
  conv.kind = ModelKind::Net;
  conv.hidden = {HiddenLayerSpec::conv(8, 5, 1, 2), HiddenLayerSpec::pool(2, 2)};
  ModelSpec svm = s.spec;
  svm.loss.kind = LossKind::SVM;
  s.runs = {{"softmax", s.spec}, {"MLP", mlp}, {"ConvNet", conv}, {"SVM", svm}};
  s.version = 3;  // as the app saves a comparison without models
  const std::string text = save_session(s);
  const Session back = load_session(text);
  CHECK(back.version == 3);
  REQUIRE(back.runs.size() == 4);
  CHECK(back.runs == s.runs);
  for (const SessionRun& r : back.runs) CHECK(r.spec.input.is_image());
  CHECK(save_session(back) == text);
  // The SVM run's entry holds its loss only.
  const json j = json::parse(text);
  CHECK(j["runs"][3]["spec"] == json::parse(R"({"loss": {"kind": "svm"}})"));
  const Session via_link = decode_session_url(encode_session_url(s));
  CHECK(via_link.runs == s.runs);
  // A version-1 image session (no runs) still loads as one run.
  Session one = s;
  one.runs.clear();
  one.version = 1;
  const Session old = load_session(save_session(one));
  CHECK(old.version == 1);
  CHECK(old.runs.empty());
  CHECK(old.spec == s.spec);
}
