// Tests of compressed links: raw deflate round-trips any bytes; session
// links round-trip random sessions (with and without a trained model);
// older uncompressed links still load; junk, truncated, padded and oversized
// links fail with a message; the design size of a link holds.
#include <catch2/catch.hpp>

#include <cstdio>

#include "core/io/compress.h"
#include "core/io/session.h"
#include "session_test_util.h"
#include "core/limits.h"
#include "core/train/trainer.h"
#include "test_util.h"

using namespace nn;
using nn::test::load_error;
using nn::test::url_error;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// A session drawn from `seed`: some points, a random small network or linear
// model, random hyperparameters; half of them carry a trained model.
static Session random_session(uint64_t seed) {
  Rng rng(seed);
  Session s;
  s.name = "random " + std::to_string(seed);
  const int classes = 2 + rng.randint(4);
  s.data.num_classes = classes;
  s.data.points = test::random_points(rng.randint(400), classes, seed + 1);
  for (Point& p : s.data.points) p.validation = rng.uniform() < 0.2;
  s.spec.kind = rng.uniform() < 0.3 ? ModelKind::Linear : ModelKind::Net;
  s.spec.hidden.clear();
  for (int l = 0, n = 1 + rng.randint(3); l < n; ++l) {
    HiddenLayerSpec h;
    h.width = 1 + rng.randint(12);
    h.act = rng.uniform() < 0.5 ? Activation::ReLU : Activation::Tanh;
    h.batchnorm = rng.uniform() < 0.3;
    s.spec.hidden.push_back(h);
  }
  s.spec.optim.kind = rng.uniform() < 0.5 ? OptimKind::Adam : OptimKind::Momentum;
  s.spec.optim.lr = rng.uniform(0.001, 0.1);
  s.spec.optim.batch_size = 16;
  s.spec.loss.lambda = rng.uniform(0, 0.01);
  s.spec.seed = rng.next_u64();
  s.ui = {{"steps_per_frame", int(1 + seed % 10)}};
  if (seed % 2 == 0 && s.data.points.size() > 4) {
    Trainer t(s.data, s.spec);
    for (int i = 0; i < 5; ++i) t.step();
    s.trained = t.trained_state();
  }
  return s;
}

TEST_CASE("raw deflate round-trips any bytes", "[link]") {
  Rng rng(3);
  for (size_t n : {0, 1, 2, 100, 5000, 100000}) {
    std::string random(n, '\0'), repetitive(n, '\0');
    for (size_t i = 0; i < n; ++i) {
      random[i] = char(rng.randint(256));
      repetitive[i] = "abcab"[i % 5];
    }
    REQUIRE(inflate_raw(deflate_raw(random), n) == random);
    REQUIRE(inflate_raw(deflate_raw(repetitive), n) == repetitive);
    if (n >= 5000) REQUIRE(deflate_raw(repetitive).size() < n / 20);
  }
}

TEST_CASE("links round-trip random sessions", "[link]") {
  for (uint64_t seed = 1; seed <= 24; ++seed) {
    const Session s = random_session(seed);
    const std::string link = encode_session_url(s);
    REQUIRE(link.rfind("z.", 0) == 0);
    for (char c : link.substr(2))
      REQUIRE((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'));
    const Session back = decode_session_url(link);
    REQUIRE(back.trained.has_value() == s.trained.has_value());
    REQUIRE(save_session(back) == save_session(s));
    REQUIRE(save_session(decode_session_url("#" + link)) == save_session(s));
  }
}

TEST_CASE("older uncompressed links still load", "[link]") {
  // What earlier builds wrote after #s=: base64url of the minified JSON.
  const std::string json =
      R"({"version":1,"name":"old link","description":"","data":{"num_classes":2,"points":[)"
      R"({"x":0.25,"y":-0.5,"label":1,"validation":false}]},"spec":{"kind":"linear"},"ui":{}})";
  const Session s = decode_session_url(base64url_encode(json));
  REQUIRE(s.name == "old link");
  REQUIRE(s.version == 1);
  REQUIRE(s.data.points.size() == 1);
  REQUIRE(s.data.points[0].y == -0.5);
  REQUIRE(s.spec.kind == ModelKind::Linear);
}

TEST_CASE("junk, truncated and oversized links fail with a message", "[link]") {
  const std::string link = encode_session_url(random_session(2));
  CHECK_THAT(url_error("z."), StartsWith("url: the link is damaged or incomplete (its compressed data is cut short)"));
  CHECK_THAT(url_error("z.hello world"), StartsWith("url: ' ' at position 5 is not a base64url character"));
  CHECK_THAT(url_error("z." + base64url_encode("this is not deflate at all, just text")),
             StartsWith("url: the link is damaged or incomplete"));
  for (size_t keep : {size_t(3), link.size() / 4, link.size() / 2, link.size() - 2})
    CHECK_THAT(url_error(link.substr(0, keep)), StartsWith("url: "));
  // Valid stream, then extra bytes.
  const std::string packed = deflate_raw(save_session(random_session(4)));
  CHECK_THAT(url_error("z." + base64url_encode(packed + "xyz")), Contains("3 stray bytes follow"));
  // A small link that would unpack to more than a session may hold.
  const std::string bomb = deflate_raw(std::string(kMaxSessionBytes + 1, ' '));
  REQUIRE(bomb.size() < 100000);
  CHECK_THAT(url_error("z." + base64url_encode(bomb)), Contains("unpacks to more than"));
  // Longer than any link is allowed to be.
  CHECK_THAT(url_error("z." + std::string(kMaxLinkChars, 'A')), StartsWith("url: the link is too long"));
  // A valid stream of something that is not a session.
  CHECK_THAT(url_error("z." + base64url_encode(deflate_raw("[1, 2"))), StartsWith("url: the link is damaged"));
}

// The design case of the README: 1,000 points and a trained 2-16-16-3
// network with Adam's state. The link stays under kShareLinkChars.
static Session design_case() {
  Session s;
  s.data = generate(DataGen::Spiral, 1000, 3, 0.1, 9);
  split_train_val(s.data, 0.2, 9);
  s.spec.kind = ModelKind::Net;
  s.spec.hidden = {{16, Activation::ReLU}, {16, Activation::ReLU}};
  s.spec.optim.kind = OptimKind::Adam;
  s.spec.optim.lr = 0.01;
  s.spec.optim.batch_size = 64;
  s.spec.engine = EngineKind::Reference;  // saves Adam's m and v too: the largest case
  Trainer t(s.data, s.spec);
  for (int i = 0; i < 300; ++i) t.step();
  s.trained = t.trained_state();
  return s;
}

TEST_CASE("a 1,000-point session with a trained 2-16-16-3 network fits in a link", "[link]") {
  Session s = design_case();
  const std::string with_model = encode_session_url(s);
  REQUIRE(with_model.size() <= kShareLinkChars);
  s.trained.reset();
  const std::string settings_only = encode_session_url(s);
  REQUIRE(settings_only.size() < with_model.size());
  // Compression pays: the uncompressed form is much longer.
  s = design_case();
  REQUIRE(base64url_encode(nlohmann::json::parse(save_session(s)).dump()).size() > 2 * with_model.size());
}

TEST_CASE("link sizes (prints)", "[.link_size]") {
  Session s = design_case();
  const size_t with_model = encode_session_url(s).size();
  const size_t json_chars = nlohmann::json::parse(save_session(s)).dump().size();
  const size_t adam_slots = s.trained->optimizer.slots.size();
  std::printf("1000-point spiral, 2-16-16-3 net + Adam state (%zu matrices): link %zu chars (JSON %zu bytes); ",
              adam_slots, with_model, json_chars);
  s.trained->optimizer = {};
  std::printf("without the optimiser state: %zu chars; ", encode_session_url(s).size());
  s.trained.reset();
  std::printf("settings only: %zu chars\n", encode_session_url(s).size());
}
