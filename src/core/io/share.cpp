// share.cpp: see share.h.
#include "core/io/share.h"

#include <algorithm>

#include "core/limits.h"

namespace nn {

std::string share_query(const ShareOptions& o) {
  LaunchOptions l;
  l.ui = o.ui;
  l.autoplay = o.autoplay;
  // The full layout shows every control; elsewhere only a choice that
  // differs from the layout's default set is written.
  if (o.ui != UiLayout::Full && !o.controls.empty() && o.controls != default_controls(o.ui)) l.controls = o.controls;
  return launch_query(l);
}

ShareLink make_share_link(Session session, const ShareOptions& o, const std::string& base) {
  if (!o.with_model) session.trained.reset();
  ShareLink out;
  const std::string fragment = "#s=" + encode_session_url(session);
  std::string b = base;
  if (const size_t cut = b.find_first_of("?#"); cut != std::string::npos) b.erase(cut);
  const std::string url = b + share_query(o) + fragment;
  out.chars = url.size();
  out.fragment_chars = fragment.size();
  out.too_long = out.chars > kShareLinkChars;
  if (out.too_long) {
    out.message = "This session makes a link of " + std::to_string(out.chars) + " characters, more than the " +
                  std::to_string(kShareLinkChars) + " a link should hold" +
                  (session.trained ? " (untick \"include trained model\" for a shorter one)" : "") +
                  ": save the session as a file instead and open it with Open file.";
  } else {
    out.url = url;
    out.message = "The link has " + std::to_string(out.chars) + " characters (at most " +
                  std::to_string(kShareLinkChars) + ").";
  }
  return out;
}

std::string html_attr_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string iframe_snippet(const std::string& url, const ShareOptions& o) {
  const int w = std::clamp(o.width, kShareFrameMin, kShareFrameMax);
  const int h = std::clamp(o.height, kShareFrameMin, kShareFrameMax);
  return "<iframe src=\"" + html_attr_escape(url) + "\" width=\"" + std::to_string(w) + "\" height=\"" +
         std::to_string(h) + "\" loading=\"lazy\" title=\"" + html_attr_escape(o.title.empty() ? "nnplay demo" : o.title) +
         "\" allow=\"clipboard-write\"></iframe>";
}

}  // namespace nn
