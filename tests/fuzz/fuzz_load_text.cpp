// fuzz_load_text.cpp: what the page does with its address at start-up
// (main_web.cpp: location.hash -> app::load_text) and with text pasted into
// the Save / load box: a session JSON, a link or CSV points, applied to the
// app's state. Whatever the text, load_text answers true or false with a
// status message; on false nothing of the user's work changed.
#include <cstddef>
#include <cstdint>
#include <string>

#include "app.h"
#include "fuzz_check.h"
#include "imgui.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ImGui::CreateContext();  // the status line reads ImGui's clock; no window is opened
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  app::AppState s;
  app::app_init(s, 1.0f, "fuzz");
  const auto points_before = s.edit.data.points;
  const bool ok = app::load_text(s, text);
  FUZZ_CHECK(!s.io.status.empty(), "load_text always says what happened");
  FUZZ_CHECK(ok != s.io.error, "the status is an error exactly when nothing loaded");
  if (!ok) {
    FUZZ_CHECK(s.edit.data.points == points_before, "a refused text leaves the points as they were");
    FUZZ_CHECK(s.edit.undo_stack.empty(), "a refused text adds no undo step");
  }
  app::app_shutdown(s);
  return 0;
}
