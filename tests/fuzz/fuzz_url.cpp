// fuzz_url.cpp: the page-address form of a session (#s=<base64url>).
// Two properties: any text either decodes to a session or is refused with a
// SessionError; and base64url_decode(base64url_encode(bytes)) == bytes for
// any bytes, with the encoding using only the URL-safe alphabet.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/io/session.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  const std::string enc = nn::base64url_encode(bytes);
  FUZZ_CHECK(enc.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                 std::string::npos,
             "base64url uses A-Z a-z 0-9 - _ only");
  FUZZ_CHECK(nn::base64url_decode(enc) == bytes, "base64url round trip");

  try {
    const nn::Session s = nn::decode_session_url(bytes);
    // A link that loads encodes to a link that loads to the same session.
    const std::string link = nn::encode_session_url(s);
    FUZZ_CHECK(nn::save_session(nn::decode_session_url(link)) == nn::save_session(s),
               "decode(encode(session)) == session");
  } catch (const nn::SessionError&) {
  }
  return 0;
}
