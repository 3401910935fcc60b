// session_test_util.h: the message a session or link is refused with, for the
// session, link and limit tests.
#pragma once
#include <string>

#include "core/io/session.h"

namespace nn::test {

// The loader's message for `text`, or "(loaded without error)".
inline std::string load_error(const std::string& text) {
  try {
    load_session(text);
  } catch (const SessionError& e) {
    return e.what();
  }
  return "(loaded without error)";
}

// The link decoder's message for `fragment`, or "(decoded without error)".
inline std::string url_error(const std::string& fragment) {
  try {
    decode_session_url(fragment);
  } catch (const SessionError& e) {
    return e.what();
  }
  return "(decoded without error)";
}

}  // namespace nn::test
