// share.h: what the Share / embed window makes from the current session and
// the reader's choices: a page address that reproduces the session
// (base?ui=compact&controls=...&autoplay#s=z....) and the <iframe> snippet
// that embeds it in course notes. The link's session part is
// encode_session_url (session.h), the query part launch_query (launch.h):
// the window only chooses the options.
#pragma once
#include <string>
#include <vector>

#include "core/io/launch.h"
#include "core/io/session.h"

namespace nn {

struct ShareOptions {
  bool with_model = true;          // the trained parameters go into the link
  UiLayout ui = UiLayout::Full;
  std::vector<Control> controls;   // empty: the layout's default set (default_controls)
  bool autoplay = false;
  int width = 640, height = 480;   // the iframe's size in CSS pixels (clamped to kShareFrame...)
  std::string title = "nnplay demo";  // the iframe's title (screen readers)
};

// The iframe sizes the window offers.
constexpr int kShareFrameMin = 200, kShareFrameMax = 4000;

// The query string for the options, through launch_query: parsing it with
// parse_launch_query gives back ui, controls and autoplay. Controls equal
// to the layout's default set are left out (a shorter link).
std::string share_query(const ShareOptions& o);

struct ShareLink {
  std::string url;        // base + query + "#s=" + session; empty when too long
  size_t chars = 0;       // length of the whole address (also when too long)
  size_t fragment_chars = 0;  // of the "#s=..." part
  bool too_long = false;  // chars > kShareLinkChars: offer the session as a file instead
  std::string message;    // one sentence for the window: the size, or why there is no link
};

// base: the page's address without query or fragment ("https://host/nnplay/index.html").
// session.trained is dropped when !o.with_model.
ShareLink make_share_link(Session session, const ShareOptions& o, const std::string& base);

// The <iframe> element for course notes: src is the link with '&' and '"'
// escaped for an HTML attribute, width/height from the options,
// loading="lazy", a title, and allow="clipboard-write" so the demo's own
// Share window can copy (no style attribute: a strict CSP forbids it).
std::string iframe_snippet(const std::string& url, const ShareOptions& o);

// Text escaped for an HTML attribute value in double quotes (& < > " ').
std::string html_attr_escape(const std::string& text);

}  // namespace nn
