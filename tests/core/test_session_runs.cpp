// Tests of a session's comparison ("runs", version 3): runs round-trip
// through the file and the link, each run's "spec" holds only what differs
// from the session's spec, older versions keep loading (and are refused a
// "runs" key), bad runs are refused with their path, and the "differs from
// A" lines name each changed field.
#include <catch2/catch.hpp>

#include "core/data/dataset.h"
#include "core/io/session.h"
#include "core/limits.h"
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
  CHECK(back.version == 3);
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
