// fuzz_session.cpp: the session loader (a pasted or opened .json file).
// Any text either loads or is refused with a SessionError; nothing else may
// escape. What loads must survive save -> load -> save unchanged (the
// round trip session.h promises).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/session.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nn::Session s;
  try {
    s = nn::load_session(text);
  } catch (const nn::SessionError&) {
    return 0;  // refused with a message: fine
  }
  const std::string saved = nn::save_session(s);
  nn::Session again;
  try {
    again = nn::load_session(saved);
  } catch (const nn::SessionError& e) {
    std::fprintf(stderr, "saved session does not load: %s\n", e.what());
    FUZZ_CHECK(false, "a loaded session must load again after saving");
  }
  FUZZ_CHECK(nn::save_session(again) == saved, "save -> load -> save must give the same text");
  return 0;
}
