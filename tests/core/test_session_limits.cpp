// Hostile sessions and links: the inputs that once blanked the page or
// crashed the loader (20,000 '[' in a link, 87,000 nested arrays, a
// 60,000-deep object in "ui", a 30,000-deep "ui" that saved 1.8 GB) are
// refused with a message naming the limit, before anything is parsed; "ui"
// takes only its known flat keys; a message never quotes more than a few
// dozen characters of a bad value, however large the value.
#include <catch2/catch.hpp>

#include <string>

#include "core/io/session.h"
#include "session_test_util.h"
#include "core/limits.h"

using namespace nn;
using nn::test::load_error;
using nn::test::url_error;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

static std::string repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * size_t(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// {"version":1,"ui": <depth levels of {"a": ...}> 1 ...}
static std::string deep_object_in_ui(int depth) {
  return "{\"version\":1,\"ui\":" + repeat("{\"a\":", depth) + "1" + repeat("}", depth) + "}";
}

TEST_CASE("a link of 20,000 nested arrays in ui is refused with the depth limit", "[session-limits]") {
  const std::string text = "{\"version\":1,\"ui\":" + repeat("[", 20000) + repeat("]", 20000) + "}";
  const std::string link = base64url_encode(text);
  REQUIRE(link.size() > 50000);  // the 53 KB link of the report
  const std::string e = url_error("#" + link);
  CHECK_THAT(e, StartsWith("url: nested too deeply") && Contains("at most 64 levels") && Contains("got 20001"));
  CHECK(e.size() < 200);
}

TEST_CASE("87,000 nested arrays are refused before parsing", "[session-limits]") {
  const std::string text = repeat("[", 87000) + repeat("]", 87000);
  const std::string e = load_error(text);
  CHECK_THAT(e, StartsWith("(top level): nested too deeply") && Contains("at most 64") && Contains("got 87000"));
  CHECK(e.size() < 200);
}

TEST_CASE("deep objects in ui are refused: 60,000 and 30,000 levels", "[session-limits]") {
  for (int depth : {60000, 30000, 10000}) {
    const std::string e = load_error(deep_object_in_ui(depth));
    INFO("depth " << depth);
    CHECK_THAT(e, StartsWith("(top level): nested too deeply") &&
                      Contains("got " + std::to_string(depth + 1)));
    CHECK(e.size() < 200);
  }
}

TEST_CASE("the depth limit is exact: 64 levels parse, 65 do not", "[session-limits]") {
  // The top-level object is level 1; "x" is an unknown key, so a session
  // that passes the depth check is refused for that key instead.
  const auto nested = [](int levels) {
    return "{\"version\":1,\"x\":" + repeat("[", levels - 1) + repeat("]", levels - 1) + "}";
  };
  CHECK_THAT(load_error(nested(kMaxJsonDepth)), StartsWith("(top level): unknown key \"x\""));
  CHECK_THAT(load_error(nested(kMaxJsonDepth + 1)),
             StartsWith("(top level): nested too deeply") && Contains("got 65"));
  // Brackets inside strings do not count.
  const std::string in_string = "{\"version\":1,\"description\":\"" + repeat("[{", 500) + "\"}";
  CHECK(load_session(in_string).description.size() == 1000);
  const std::string escaped = "{\"version\":1,\"name\":\"\\\"" + repeat("[", 100) + "\"}";
  CHECK(load_session(escaped).name.size() == 101);
}

TEST_CASE("ui is a flat object of known display settings", "[session-limits]") {
  CHECK(load_session("{\"version\":1,\"ui\":{\"play\":true,\"steps_per_frame\":20,\"heat_class\":-1}}").ui.size() == 3);
  CHECK_THAT(load_error("{\"version\":1,\"ui\":{\"panels\":{\"loss\":true}}}"),
             StartsWith("ui: unknown key \"panels\"") && Contains("allowed: play, steps_per_frame"));
  CHECK_THAT(load_error("{\"version\":1,\"ui\":{\"play\":[[[true]]]}}"),
             StartsWith("ui.play: must be true or false (got array [[[true]]])"));
  CHECK_THAT(load_error("{\"version\":1,\"ui\":{\"steps_per_frame\":100000}}"),
             StartsWith("ui.steps_per_frame: must be an integer in 1..200"));
  CHECK_THAT(load_error("{\"version\":1,\"ui\":{\"heat_class\":\"all\"}}"), StartsWith("ui.heat_class:"));
  // A deep but legal-depth ui is refused at its first level and saves small.
  const std::string e = load_error(deep_object_in_ui(60));
  CHECK_THAT(e, StartsWith("ui: unknown key \"a\""));
}

TEST_CASE("a message quotes at most a few dozen characters of a bad value", "[session-limits]") {
  // 2 MB string, a 200,000-element array and a 60-deep array as the learning rate.
  const std::string big_string = "{\"version\":1,\"spec\":{\"optim\":{\"lr\":\"" + std::string(2u << 20, 'x') + "\"}}}";
  const std::string wide = "{\"version\":1,\"spec\":{\"optim\":{\"lr\":[" + repeat("1,", 200000) + "1]}}}";
  const std::string deep = "{\"version\":1,\"spec\":{\"optim\":{\"lr\":" + repeat("[", 60) + repeat("]", 60) + "}}}";
  for (const std::string& text : {big_string, wide, deep}) {
    const std::string e = load_error(text);
    CHECK_THAT(e, StartsWith("spec.optim.lr: must be a number"));
    CHECK(e.size() < 120);
  }
  CHECK_THAT(load_error(wide), Contains("(got array [1,1,1,1"));
}

TEST_CASE("a session over the size limit and a link over the length limit are refused", "[session-limits]") {
  std::string text = "{\"version\":1,\"description\":\"";
  text += std::string(kMaxSessionBytes, ' ');
  text += "\"}";
  CHECK_THAT(load_error(text), StartsWith("(top level): the session is too large: at most 16 MB") &&
                                   Contains("got " + std::to_string(text.size())));
  const std::string link(kMaxLinkChars + 4, 'A');
  CHECK_THAT(url_error(link), StartsWith("url: the link is too long: at most 1048576 characters after #s= (got 1048580)"));
}

TEST_CASE("a session at the limits still round-trips", "[session-limits]") {
  // The saved form of an ordinary session is far inside both limits.
  Session s;
  s.ui = {{"play", true}, {"steps_per_frame", 200}, {"plot_log", false},
          {"show_validation", true}, {"heat_class", 9}, {"show_preprocessed", true}};
  const std::string text = save_session(s);
  REQUIRE(load_session(text).ui == s.ui);
  REQUIRE(decode_session_url(encode_session_url(s)).ui == s.ui);
}
