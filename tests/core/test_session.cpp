// Tests of sessions: save -> load -> save is the identity on the text, every
// enum name round-trips, short presets take the defaults, every kind of
// malformed input is refused with a message naming the field, and the URL
// form round-trips and refuses garbage. Also the spec enums' names, and the
// display settings a session carries ("ui"), which once lost show_preprocessed.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "core/data/dataset.h"
#include "core/io/session.h"
#include "session_test_util.h"

using namespace nn;
using nn::test::load_error;
using nn::test::url_error;
using json = nlohmann::json;

static bool same_spec(const ModelSpec& a, const ModelSpec& b) {
  return a.kind == b.kind && a.knn == b.knn && a.use_bias == b.use_bias && a.input == b.input &&
         a.hidden == b.hidden &&
         a.loss == b.loss && a.init == b.init && a.optim == b.optim &&
         a.preprocess == b.preprocess && a.seed == b.seed;
}

static bool same_session(const Session& a, const Session& b) {
  return a.version == b.version && a.name == b.name && a.description == b.description &&
         a.data.num_classes == b.data.num_classes && a.data.points == b.data.points &&
         same_spec(a.spec, b.spec) && a.ui == b.ui;
}

// A session with no field left at its default.
static Session rich_session() {
  Session s;
  s.name = "Spiral \"demo\" \xC3\xA9";  // quotes and a UTF-8 letter
  s.description = "Three arms.\nTry more hidden units.";
  s.data.num_classes = 3;
  for (int i = 0; i < 10; ++i)
    s.data.points.push_back({0.1 * i - 0.45678901234567, -1.0 / (i + 3), i % 3, i % 4 == 0});
  ModelSpec& m = s.spec;
  m.kind = ModelKind::Linear;
  m.knn = {7, Metric::L1, true};
  m.use_bias = false;
  m.hidden = {{16, Activation::Tanh, 0.2, 3, true, 0.5}, {3, Activation::Maxout, 0.01, 4, false, 0.9}};
  m.loss = {LossKind::CrammerSinger, 2.5, RegKind::ElasticNet, 0.3, 0.25};
  m.init = {InitKind::Constant, 0.125, -0.5, true};
  m.optim.kind = OptimKind::Nesterov;
  m.optim.lr = 0.3;
  m.optim.mu = 0.95;
  m.optim.decay_rate = 0.9;
  m.optim.beta1 = 0.8;
  m.optim.beta2 = 0.99;
  m.optim.eps = 1e-6;
  m.optim.lbfgs_m = 5;
  m.optim.batch_size = 0;
  m.optim.schedule = ScheduleKind::Step;
  m.optim.step_epochs = 20;
  m.optim.decay = 0.1;
  m.optim.clip_norm = 5;
  m.preprocess = {PreprocessKind::Whiten, true, true, true, 0.25};
  m.seed = 18446744073709551615ull;  // the largest uint64 survives JSON
  s.ui = {{"steps_per_frame", 7}, {"plot_log", true}, {"heat_class", 2}, {"play", false}};
  return s;
}

// The rich session's JSON with one edit applied.
static std::string edited(const std::function<void(json&)>& edit) {
  json j = json::parse(save_session(rich_session()));
  edit(j);
  return j.dump();
}

TEST_CASE("save -> load -> save gives identical text and equal sessions", "[session]") {
  for (const Session& s : {Session{}, rich_session()}) {
    const std::string text = save_session(s);
    const Session back = load_session(text);
    REQUIRE(same_session(s, back));
    REQUIRE(save_session(back) == text);
  }
}

TEST_CASE("saved text is readable: version first, one line per point", "[session]") {
  const std::string text = save_session(rich_session());
  REQUIRE(text.rfind("{\n  \"version\": " + std::to_string(kSessionVersion) + ",", 0) == 0);
  REQUIRE(text.find(
              "\n      {\"x\":-0.45678901234567,\"y\":-0.3333333333333333,\"label\":0,"
              "\"validation\":true},\n") != std::string::npos);
  const Session empty;
  REQUIRE(save_session(empty).find("\"points\": []") != std::string::npos);
}

// Every value of an enum, in the order of its descriptor table.
template <class E>
static std::vector<E> values_of() {
  std::vector<E> v;
  for (const EnumRow<E>& r : enum_rows<E>()) v.push_back(r.value);
  return v;
}

// A table row per value: unique ids and labels, and a tooltip for each.
template <class E>
static void check_table(size_t expected_rows) {
  const auto rows = enum_rows<E>();
  REQUIRE(rows.size() == expected_rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    CHECK(std::string(rows[i].tip).size() > 5);
    for (size_t j = 0; j < i; ++j) {
      CHECK(std::string(rows[i].id) != rows[j].id);
      CHECK(std::string(rows[i].label) != rows[j].label);
      CHECK(rows[i].value != rows[j].value);
    }
  }
}

TEST_CASE("every enum has one descriptor row per value", "[session]") {
  check_table<ModelKind>(3);
  check_table<Metric>(2);
  check_table<LossKind>(7);
  check_table<RegKind>(4);
  check_table<Activation>(7);
  check_table<LayerType>(3);
  check_table<InitKind>(5);
  check_table<OptimKind>(7);
  check_table<ScheduleKind>(4);
  check_table<PreprocessKind>(5);
  check_table<EngineKind>(2);
  check_table<DataGen>(6);
  check_table<RegGen>(5);
  check_table<ProblemKind>(3);
  CHECK(enum_ids<Metric>() == "l1, l2");
  CHECK(std::string(enum_label(Activation::LeakyReLU)) == "Leaky ReLU");
}

TEST_CASE("every enum value round-trips through a session", "[session]") {
  auto round_trip = [](const Session& s) {
    const Session back = load_session(save_session(s));
    REQUIRE(same_spec(s.spec, back.spec));
  };
  Session s;
  for (ModelKind v : values_of<ModelKind>()) { s.spec.kind = v; round_trip(s); }
  for (Metric v : values_of<Metric>()) { s.spec.knn.metric = v; round_trip(s); }
  for (LossKind v : values_of<LossKind>()) { s.spec.loss.kind = v; round_trip(s); }
  for (RegKind v : values_of<RegKind>()) { s.spec.loss.reg = v; round_trip(s); }
  for (Activation v : values_of<Activation>()) { s.spec.hidden[1].act = v; round_trip(s); }
  // A layer saves only its type's fields: start from a layer whose others are defaults.
  s.spec.hidden[1] = HiddenLayerSpec{};
  for (LayerType v : values_of<LayerType>()) {
    s.spec.kind = ModelKind::Linear;  // a network would refuse conv layers on flat input
    s.spec.hidden[1].type = v;
    round_trip(s);
  }
  s.spec.hidden[1] = HiddenLayerSpec{};
  for (InitKind v : values_of<InitKind>()) { s.spec.init.kind = v; round_trip(s); }
  for (OptimKind v : values_of<OptimKind>()) { s.spec.optim.kind = v; round_trip(s); }
  for (ScheduleKind v : values_of<ScheduleKind>()) { s.spec.optim.schedule = v; round_trip(s); }
  for (PreprocessKind v : values_of<PreprocessKind>()) { s.spec.preprocess.kind = v; round_trip(s); }
  for (EngineKind v : values_of<EngineKind>()) { s.spec.engine = v; round_trip(s); }
}

TEST_CASE("spec enum names round-trip through from_string", "[session]") {
  auto check = [](const auto& values) {
    for (auto v : values) {
      auto back = values.front() == v ? values.back() : values.front();
      REQUIRE(from_string(to_string(v), back));
      REQUIRE(back == v);
    }
    auto keep = values.front();
    REQUIRE_FALSE(from_string("no_such_name", keep));
    REQUIRE(keep == values.front());
  };
  check(values_of<ModelKind>());
  check(values_of<Metric>());
  check(values_of<LossKind>());
  check(values_of<RegKind>());
  check(values_of<Activation>());
  check(values_of<LayerType>());
  check(values_of<InitKind>());
  check(values_of<OptimKind>());
  check(values_of<ScheduleKind>());
  check(values_of<PreprocessKind>());
  check(values_of<EngineKind>());
  check(values_of<DataGen>());
  REQUIRE(values_of<Activation>().size() == 7);
  REQUIRE(std::string(to_string(LossKind::OneVsAll)) == "ova_hinge");
  REQUIRE(std::string(to_string(ScheduleKind::InvT)) == "inv_t");
  REQUIRE(std::string(to_string(Activation::LeakyReLU)) == "leaky_relu");
}

TEST_CASE("a short preset takes the defaults of spec.h for missing fields", "[session]") {
  const Session s = load_session(R"({"version": 1, "spec": {"optim": {"lr": 0.5},
      "hidden": [{"width": 4}]}, "data": {"points": [{"x": 0.5, "y": 0, "label": 1}]}})");
  ModelSpec expected;
  expected.optim.lr = 0.5;
  expected.hidden = {HiddenLayerSpec{}};
  expected.hidden[0].width = 4;
  REQUIRE(same_spec(s.spec, expected));
  REQUIRE(s.data.num_classes == 2);
  REQUIRE(s.data.points == std::vector<Point>{{0.5, 0, 1, false}});
  REQUIRE(s.name.empty());
  REQUIRE(s.ui == json::object());
  // An integer where a number is expected is fine (1 == 1.0).
  REQUIRE(load_session(R"({"version": 1, "spec": {"optim": {"lr": 1}}})").spec.optim.lr == 1.0);
  REQUIRE(load_session(R"({"version": 1, "spec": {"hidden": []}})").spec.hidden.empty());
}

TEST_CASE("malformed sessions are refused with the field's path", "[session]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;

  // Not JSON at all.
  CHECK_THAT(load_error("{\"version\": 1,"), StartsWith("not JSON: ") && Contains("line 1"));
  CHECK_THAT(load_error("[1, 2]"), Contains("must be a JSON object"));
  // Wrong type.
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["optim"]["lr"] = "fast"; })),
             StartsWith("spec.optim.lr: must be a number") && Contains("string \"fast\""));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["use_bias"] = 1; })),
             StartsWith("spec.use_bias: must be true or false"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["hidden"] = 3; })),
             StartsWith("spec.hidden: must be an array"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["loss"] = "softmax"; })),
             StartsWith("spec.loss: must be an object"));
  CHECK_THAT(load_error(edited([](json& j) { j["name"] = 5; })), StartsWith("name: must be a string"));
  CHECK_THAT(load_error(edited([](json& j) { j["ui"] = json::array(); })), StartsWith("ui: must be an object"));
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["points"][2] = json::array({1, 2, 0}); })),
             StartsWith("data.points[2]: must be an object"));
  // Bad enum name.
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["hidden"][1]["act"] = "relux"; })),
             StartsWith("spec.hidden[1].act: unknown name \"relux\"") && Contains("leaky_relu"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["optim"]["kind"] = "ADAM"; })),
             StartsWith("spec.optim.kind: unknown name"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["loss"]["kind"] = 2; })),
             StartsWith("spec.loss.kind: must be one of svm, ova_hinge, crammer_singer, softmax"));
  // Out of range.
  CHECK(load_error(edited([](json& j) { j["spec"]["optim"]["lr"] = -3; })) ==
        "spec.optim.lr: must be a number in (0, 10] (got -3)");
  CHECK(load_error(edited([](json& j) { j["spec"]["preprocess"]["scale"] = 0; })) ==
        "spec.preprocess.scale: must be a number in [0.001, 1000] (got 0)");
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["optim"]["lr"] = 0; })), StartsWith("spec.optim.lr:"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["knn"]["k"] = 0; })),
             StartsWith("spec.knn.k: must be an integer in 1..1000"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["knn"]["k"] = 2.5; })),
             StartsWith("spec.knn.k: must be an integer"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["hidden"][0]["width"] = 513; })),
             StartsWith("spec.hidden[0].width: must be an integer in 1..512"));
  CHECK_THAT(load_error(edited([](json& j) {
               j["spec"]["hidden"] = json::array();
               for (int i = 0; i < 17; ++i) j["spec"]["hidden"].push_back(json::object());
             })),
             StartsWith("spec.hidden: at most 16 hidden layers"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["loss"]["lambda"] = 1001; })),
             StartsWith("spec.loss.lambda: must be a number in [0, 1000]"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["hidden"][0]["dropout_keep"] = 0; })),
             StartsWith("spec.hidden[0].dropout_keep: must be a number in (0, 1]"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["optim"]["batch_size"] = -1; })),
             StartsWith("spec.optim.batch_size:"));
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["num_classes"] = 11; })),
             StartsWith("data.num_classes: must be an integer in 2..10"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["seed"] = -1; })),
             StartsWith("spec.seed: must be a non-negative integer"));
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["seed"] = 1.5; })),
             StartsWith("spec.seed: must be a non-negative integer"));
  // Unknown keys (typos).
  CHECK_THAT(load_error(edited([](json& j) { j["spec"]["optim"]["lrr"] = 0.1; })),
             StartsWith("spec.optim: unknown key \"lrr\"") && Contains("allowed: kind, lr,"));
  CHECK_THAT(load_error(edited([](json& j) { j["colour"] = "red"; })),
             StartsWith("(top level): unknown key \"colour\""));
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["points"][0]["z"] = 0; })),
             StartsWith("data.points[0]: unknown key \"z\""));
  // Labels.
  CHECK(load_error(edited([](json& j) { j["data"]["points"][4]["label"] = 9; })) ==
        "data.points[4].label: 9 is not below num_classes (3)");
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["points"][4]["label"] = -1; })),
             StartsWith("data.points[4].label: must be an integer"));
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["points"][3].erase("label"); })),
             StartsWith("data.points[3].label: missing"));
  // Coordinates: too large, or NaN (which JSON cannot hold: it is saved as null).
  CHECK_THAT(load_error(edited([](json& j) { j["data"]["points"][1]["y"] = 2e6; })),
             StartsWith("data.points[1].y: must be a number in [-1e+06, 1e+06]"));
  CHECK_THAT(load_error(R"({"version":1,"data":{"points":[{"x":1e999,"y":0,"label":0}]}})"),
             StartsWith("not JSON: number overflow") && Contains("1e999"));
  Session nan_session;
  nan_session.data.points.push_back({std::numeric_limits<double>::quiet_NaN(), 0.0, 0});
  CHECK_THAT(load_error(save_session(nan_session)),
             StartsWith("data.points[0].x: must be a number") && Contains("null"));
  // Versions.
  CHECK_THAT(load_error(edited([](json& j) { j["version"] = kSessionVersion + 1; })),
             StartsWith("version: " + std::to_string(kSessionVersion + 1) +
                        " is newer than this nnplay can read (up to " + std::to_string(kSessionVersion) + ")"));
  CHECK_THAT(load_error(edited([](json& j) { j.erase("version"); })), StartsWith("version: missing"));
  CHECK_THAT(load_error(edited([](json& j) { j["version"] = 0; })), StartsWith("version: must be an integer"));
}

TEST_CASE("too many points are refused", "[session]") {
  json j = {{"version", 1}, {"data", {{"points", json::array()}}}};
  for (int i = 0; i <= kMaxPoints; ++i) j["data"]["points"].push_back({{"x", 0}, {"y", 0}, {"label", 0}});
  REQUIRE_THAT(load_error(j.dump()), Catch::Matchers::StartsWith("data.points: at most 100000 points"));
}

TEST_CASE("base64url matches RFC 4648 test vectors and refuses bad input", "[session]") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (const auto& [raw, enc] : vectors) {
    REQUIRE(base64url_encode(raw) == enc);
    REQUIRE(base64url_decode(enc) == raw);
  }
  REQUIRE_THROWS_AS(base64url_decode("Zm9vY"), SessionError);  // length 5: impossible
  REQUIRE_THROWS_WITH(base64url_decode("Zm9+"),
                      Catch::Matchers::Contains("'+' at position 3 is not a base64url character"));
}

TEST_CASE("URL form round-trips and refuses garbage", "[session]") {
  const Session s = rich_session();
  const std::string url = encode_session_url(s);
  REQUIRE(url.rfind(kLinkDeflatePrefix, 0) == 0);
  for (char c : url.substr(std::strlen(kLinkDeflatePrefix)))
    REQUIRE((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'));
  REQUIRE(same_session(decode_session_url(url), s));
  REQUIRE(same_session(decode_session_url("#" + url), s));
  REQUIRE(save_session(decode_session_url(url)) == save_session(s));

  using Catch::Matchers::StartsWith;
  auto url_error = [](const std::string& text) -> std::string {
    try {
      decode_session_url(text);
    } catch (const SessionError& e) {
      return e.what();
    }
    return "(decoded without error)";
  };
  CHECK_THAT(url_error(""), StartsWith("url: the link holds no session"));
  CHECK_THAT(url_error("hello world!"), StartsWith("url: ' ' at position 5"));
  CHECK_THAT(url_error(url.substr(0, url.size() / 2)), StartsWith("url:"));
  CHECK_THAT(url_error(base64url_encode("not json")), StartsWith("url: the link is damaged"));
  // A well-formed link whose content is invalid names the field.
  Session bad = s;
  bad.spec.optim.lr = 50;
  CHECK_THAT(url_error(encode_session_url(bad)), StartsWith("spec.optim.lr:"));
}

TEST_CASE("a data generator loads as the same points every time", "[session]") {
  const std::string text = R"({"version": 1, "data": {"generator":
      {"kind": "spiral", "n": 90, "classes": 3, "noise": 0.1, "seed": 7, "val_ratio": 0.2}}})";
  const Session a = load_session(text), b = load_session(text);
  Dataset want = generate(DataGen::Spiral, 90, 3, 0.1, 7);
  split_train_val(want, 0.2, 7);
  REQUIRE(a.data.num_classes == 3);
  REQUIRE(a.data.points == want.points);
  REQUIRE(b.data.points == a.data.points);
  int val = 0;
  for (const Point& p : a.data.points) val += p.validation;
  REQUIRE(val == 18);  // round(0.2 * 90)

  // Saving writes the points; loading that gives the same session.
  const Session c = load_session(save_session(a));
  REQUIRE(same_session(a, c));
  REQUIRE(json::parse(save_session(a))["data"].contains("points"));

  // Only "kind" is required; two-class shapes default to 2 classes.
  const Session d = load_session(R"({"version": 1, "data": {"generator": {"kind": "moons"}}})");
  REQUIRE(d.data.num_classes == 2);
  REQUIRE(d.data.points == generate(DataGen::Moons, 200, 2, 0.1, 1).points);
  // num_classes may exceed the generated classes (the model scores more).
  const Session e = load_session(
      R"({"version": 1, "data": {"num_classes": 4, "generator": {"kind": "xor", "n": 10}}})");
  REQUIRE(e.data.num_classes == 4);
  REQUIRE(e.data.points.size() == 10);
}

TEST_CASE("a loaded session says which generator made its points (for the generator menus)", "[session][regression]") {
  const Session a = load_session(R"({"version": 1, "data": {"generator":
      {"kind": "spiral", "n": 90, "classes": 4, "noise": 0.2, "seed": 7, "val_ratio": 0.2}}})");
  REQUIRE(a.generator.has_value());
  CHECK_FALSE(a.generator->regression);
  CHECK(a.generator->kind == DataGen::Spiral);
  CHECK(a.generator->n == 90);
  CHECK(a.generator->classes == 4);
  CHECK(a.generator->noise == 0.2);
  CHECK(a.generator->seed == 7);
  CHECK(a.generator->val_ratio == 0.2);
  // Defaults are those the points were made with.
  const Session m = load_session(R"({"version": 1, "data": {"generator": {"kind": "moons"}}})");
  REQUIRE(m.generator.has_value());
  CHECK(m.generator->classes == 2);
  CHECK(m.generator->n == 200);
  // A regression preset: the Gaussians surface, not the default sine.
  const Session g = load_session(R"({"version": 3, "data": {"generator":
      {"kind": "gaussians", "n": 300, "noise": 0.02, "seed": 1, "val_ratio": 0.2}}})");
  REQUIRE(g.generator.has_value());
  CHECK(g.generator->regression);
  CHECK(g.generator->reg_kind == RegGen::Gaussians);
  CHECK(g.generator->n == 300);
  CHECK(g.generator->noise == 0.02);
  CHECK(reg_gen_problem(g.generator->reg_kind) == g.data.problem);
  const Session o = load_session(R"({"version": 3, "data": {"generator":
      {"kind": "polynomial", "n": 30, "outliers": 3, "outlier_x": 0.6, "outlier_y": 1.1}}})");
  REQUIRE(o.generator.has_value());
  CHECK(o.generator->reg_kind == RegGen::Polynomial);
  CHECK(o.generator->noise == 0.05);
  CHECK(o.generator->outliers == 3);
  CHECK(o.data.points.size() == 33);
  // Points (and a saved session, which writes its points) carry no generator.
  CHECK_FALSE(load_session(save_session(g)).generator.has_value());
  CHECK_FALSE(load_session(R"({"version": 1, "data": {"points": [{"x": 0, "y": 0, "label": 0}]}})").generator.has_value());
}

TEST_CASE("bad data generators are refused with the field's path", "[session]") {
  using Catch::Matchers::StartsWith;
  auto gen = [](const std::string& fields) {
    return load_error(R"({"version": 1, "data": {"generator": {)" + fields + "}}}");
  };
  REQUIRE_THAT(gen(R"("n": 10)"), StartsWith("data.generator.kind: missing"));
  REQUIRE_THAT(gen(R"("kind": "galaxy")"),
               StartsWith("data.generator.kind: unknown name \"galaxy\" (expected one of blobs, "
                          "circle, xor, spiral, moons, linear)"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "n": 0)"),
               StartsWith("data.generator.n: must be an integer in 1..100000 (got 0)"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "n": 2.5)"), StartsWith("data.generator.n: must be an integer"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "classes": 11)"),
               StartsWith("data.generator.classes: must be an integer in 2..10 (got 11)"));
  REQUIRE_THAT(gen(R"("kind": "circle", "classes": 3)"),
               StartsWith("data.generator.classes: circle data always has 2 classes"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "noise": -0.1)"),
               StartsWith("data.generator.noise: must be a number in [0, 10]"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "seed": -1)"),
               StartsWith("data.generator.seed: must be a non-negative integer"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "val_ratio": 1.5)"),
               StartsWith("data.generator.val_ratio: must be a number in [0, 1] (got 1.5)"));
  REQUIRE_THAT(gen(R"("kind": "blobs", "nosie": 0.2)"),
               StartsWith("data.generator: unknown key \"nosie\""));
  REQUIRE_THAT(load_error(R"({"version": 1, "data": {"generator": "spiral"}})"),
               StartsWith("data.generator: must be an object"));
  REQUIRE_THAT(load_error(R"({"version": 1, "data": {"points": [],
                   "generator": {"kind": "blobs"}}})"),
               StartsWith("data: give either \"points\" or \"generator\", not both"));
  REQUIRE_THAT(load_error(R"({"version": 1, "data": {"num_classes": 2,
                   "generator": {"kind": "spiral", "classes": 3}}})"),
               StartsWith("data.num_classes: 2 is below the generator's 3 classes"));
}

// ---- ConvNets ------------------------------------------------------------------------

using HL = HiddenLayerSpec;

// conv -> pool -> conv -> pool -> fc on 8x8 grey images, with options on the layers.
static Session convnet_session() {
  Session s;
  s.name = "Bars";
  ModelSpec& m = s.spec;
  m.input = {8, 8, 1};
  m.hidden = {HL::conv(4, 3, 1, 1, Activation::LeakyReLU), HL::pool(2, 2), HL::conv(6, 5, 1, 2, Activation::Tanh),
              HL::pool(2, 2), HL::fc(16, Activation::ELU)};
  m.hidden[0].alpha = 0.2;
  m.hidden[0].batchnorm = true;
  m.hidden[0].dropout_keep = 0.75;
  m.hidden[4].maxout_k = 3;
  m.engine = EngineKind::Reference;
  return s;
}

TEST_CASE("a ConvNet spec round-trips: save -> load -> save gives the same text", "[session]") {
  const Session s = convnet_session();
  const std::string text = save_session(s);
  const Session back = load_session(text);
  REQUIRE(same_session(s, back));
  REQUIRE(save_session(back) == text);
  REQUIRE(same_session(decode_session_url(encode_session_url(s)), s));
  // Each layer writes its type and its own fields only; the input appears.
  const json j = json::parse(text)["spec"];
  CHECK(j["input"] == json({{"width", 8}, {"height", 8}, {"depth", 1}}));
  CHECK(j["hidden"][1] == json({{"type", "pool"}, {"size", 2}, {"stride", 2}}));
  CHECK(j["hidden"][0]["type"] == "conv");
  CHECK(j["hidden"][0]["filters"] == 4);
  CHECK_FALSE(j["hidden"][0].contains("width"));
  CHECK(j["hidden"][4]["type"] == "fc");
  CHECK_FALSE(j["hidden"][4].contains("filters"));
  // A flat (2D) spec writes no input.
  CHECK_FALSE(json::parse(save_session(Session{}))["spec"].contains("input"));
}

TEST_CASE("layers without a type load as fully connected; pool layers have their own defaults", "[session]") {
  const Session s = load_session(R"({"version": 1, "spec": {"hidden": [{"width": 4, "act": "tanh"}, {}]}})");
  REQUIRE(s.spec.hidden.size() == 2);
  CHECK(s.spec.hidden[0] == HL::fc(4, Activation::Tanh));
  CHECK(s.spec.hidden[1] == HiddenLayerSpec{});
  CHECK(s.spec.hidden[1].type == LayerType::FC);
  CHECK_FALSE(s.spec.input.is_image());
  const Session p = load_session(R"({"version": 1, "spec": {"input": {"width": 6, "height": 4, "depth": 3},
      "hidden": [{"type": "conv", "filters": 2, "pad": 1}, {"type": "pool"}]}})");
  CHECK(p.spec.input == InputShape{6, 4, 3});
  CHECK(p.spec.hidden[0] == HL::conv(2, 3, 1, 1));
  CHECK(p.spec.hidden[1] == HL::pool(2, 2));
}

TEST_CASE("bad ConvNet specs are refused with the field's path", "[session]") {
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  auto text = [](const std::function<void(json&)>& edit) {
    json j = json::parse(save_session(convnet_session()));
    edit(j);
    return j.dump();
  };
  auto bad = [&](const std::function<void(json&)>& edit) { return load_error(text(edit)); };
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["type"] = "dense"; }),
             StartsWith("spec.hidden[0].type: unknown name \"dense\" (expected one of fc, conv, pool)"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["filters"] = 257; }),
             StartsWith("spec.hidden[0].filters: must be an integer in 1..256 (got 257)"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["size"] = 12; }),
             StartsWith("spec.hidden[0].size: must be an integer in 1..11"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][2]["stride"] = 0; }),
             StartsWith("spec.hidden[2].stride: must be an integer in 1..8"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["pad"] = -1; }),
             StartsWith("spec.hidden[0].pad: must be an integer in 0..8"));
  CHECK_THAT(bad([](json& j) { j["spec"]["input"]["width"] = 257; }),
             StartsWith("spec.input.width: must be an integer in 1..256"));
  CHECK_THAT(bad([](json& j) { j["spec"]["input"]["depth"] = 4; }),
             StartsWith("spec.input.depth: must be an integer in 1..3"));
  CHECK_THAT(bad([](json& j) { j["spec"]["input"].erase("height"); }), StartsWith("spec.input.height: missing"));
  CHECK_THAT(bad([](json& j) { j["spec"]["input"]["colour"] = true; }),
             StartsWith("spec.input: unknown key \"colour\""));
  // A key of another layer type.
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][1]["pad"] = 1; }),
             StartsWith("spec.hidden[1]: unknown key \"pad\" (allowed: type, size, stride)"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["width"] = 8; }),
             StartsWith("spec.hidden[0]: unknown key \"width\""));
  // Layers that cannot be built, named by their path.
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][1]["stride"] = 4; }),
             StartsWith("spec.hidden[1]: output width (8 - 2 + 2*0)/4 + 1 = 2.50 is not an integer"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["stride"] = 3; }),
             StartsWith("spec.hidden[0]: output width (8 - 3 + 2*1)/3 + 1 = 3.33 is not an integer"));
  CHECK_THAT(bad([](json& j) { j["spec"]["hidden"][0]["act"] = "maxout"; }),
             StartsWith("spec.hidden[0]: maxout is for fully connected layers"));
  CHECK_THAT(bad([](json& j) {
               auto& h = j["spec"]["hidden"];
               h.insert(h.begin(), json({{"width", 8}}));
             }),
             StartsWith("spec.hidden[1]: conv and pool layers must come before the fully connected ones"));
  CHECK_THAT(bad([](json& j) { j["spec"].erase("input"); }),
             StartsWith("spec.hidden[0]: a conv layer needs an image input"));
  // The same layers in a linear classifier's spec are not built, so not refused.
  CHECK_NOTHROW(load_session(text([](json& j) {
    j["spec"]["kind"] = "linear";
    j["spec"].erase("input");
  })));
}

TEST_CASE("every display setting survives save and load", "[session]") {
  // No field at its default, so a key the writer drops reads back as the default.
  SessionUi ui;
  ui.steps_per_frame = 37;
  ui.plot_log = false;
  ui.show_validation = false;
  ui.heat_class = 2;
  ui.show_preprocessed = true;
  ui.gradcheck.h = 1e-3;
  ui.gradcheck.probe_unit = 2;
  ui.gradcheck.probe_pre = 2e-6;
  ui.gradcheck.include_reg = false;
  Session s;
  s.ui = write_session_ui(ui);
  const Session back = load_session(save_session(s));
  SessionUi read;
  REQUIRE(read_session_ui(back.ui, read).empty());
  CHECK(read == ui);
  CHECK(back.ui.at("show_preprocessed") == true);
  // "play" is read from presets but a saved session opens paused.
  CHECK_FALSE(back.ui.contains("play"));
  // Nor does a gradient check run on load unless a preset asks for it.
  ui.gradcheck.run = true;
  CHECK_FALSE(write_session_ui(ui).at("gradcheck").at("run").get<bool>());
  CHECK_THAT(load_error(R"({"version": 1, "ui": {"gradcheck": {"h": 0}}})"),
             Catch::Matchers::StartsWith("ui.gradcheck.h: must be a number in [1e-12, 1]"));
}

TEST_CASE("display settings: missing keys keep the given values, bad ones are named and clamped", "[session]") {
  SessionUi base;
  base.steps_per_frame = 9;
  SessionUi ui = base;
  CHECK(read_session_ui(json::object(), ui).empty());
  CHECK(ui == base);

  ui = base;
  const std::string problems =
      read_session_ui(json{{"play", true}, {"plot_log", "yes"}, {"heat_class", 99}, {"steps_per_frame", 0}}, ui);
  CHECK(problems == "plot_log (got string \"yes\")");
  CHECK(ui.play);
  CHECK(ui.plot_log == base.plot_log);
  CHECK(ui.heat_class == kMaxClasses - 1);
  CHECK(ui.steps_per_frame == 1);
}
