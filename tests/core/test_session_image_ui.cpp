// The image mode's settings in a session's "ui": written, read back, clamped
// by the lenient reader, refused out of range by the strict loader.
#include <catch2/catch.hpp>

#include <string>

#include "core/io/session.h"
#include "core/limits.h"

using namespace nn;

TEST_CASE("image-mode settings round-trip through a session's ui", "[session][images]") {
  SessionUi ui;
  ui.image_mode = true;
  ui.image_set = 1;
  ui.image_model = 3;
  ui.image_train = 8000;
  ui.image_test = 500;
  ui.image_k = 7;
  Session s;
  s.ui = write_session_ui(ui);
  for (const char* key : {"image_mode", "image_set", "image_model", "image_train", "image_test", "image_k"})
    CHECK(s.ui.contains(key));
  const Session back = load_session(save_session(s));
  SessionUi got;
  CHECK(read_session_ui(back.ui, got).empty());
  CHECK(got == ui);
}

TEST_CASE("image-mode settings are clamped when read, refused out of range when loaded", "[session][images]") {
  nlohmann::json j = {{"image_set", 5}, {"image_model", -2}, {"image_train", 1e9}, {"image_k", 0}};
  SessionUi got;
  CHECK(read_session_ui(j, got).empty());
  CHECK(got.image_set == 1);
  CHECK(got.image_model == 0);
  CHECK(got.image_train == kUiMaxImageTrain);
  CHECK(got.image_k == 1);
  Session s;
  s.ui = write_session_ui(SessionUi{});
  std::string text = save_session(s);
  const std::string from = "\"image_k\": 5", to = "\"image_k\": 500";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), to);
  try {
    load_session(text);
    FAIL("an out-of-range image_k was accepted");
  } catch (const SessionError& e) {
    CHECK(std::string(e.what()).find("image_k") != std::string::npos);
  }
}
