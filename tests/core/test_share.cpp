// Tests of the Share / embed window's core: the query string from the
// window's options parses back to the same options (launch parser round
// trip); the whole link reopens the same session; a session over the link
// budget gives no link and says so; the iframe snippet escapes the address.
#include <catch2/catch.hpp>

#include "core/io/share.h"
#include "core/limits.h"
#include "core/train/trainer.h"

using namespace nn;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

static const std::vector<std::string> kIds = {"svm-vs-softmax"};

static std::string after(const std::string& url, char c) {
  const size_t i = url.find(c);
  return i == std::string::npos ? "" : url.substr(i);
}
static std::string query_of(const std::string& url) {
  std::string q = after(url, '?');
  return q.substr(0, q.find('#'));
}

TEST_CASE("every layout, control list and autoplay choice survives the launch parser", "[share]") {
  const auto rows = enum_rows<Control>();
  int checked = 0;
  for (UiLayout ui : {UiLayout::Full, UiLayout::Compact, UiLayout::Canvas}) {
    for (int mask = 0; mask < 64; ++mask) {
      for (bool autoplay : {false, true}) {
        ShareOptions o;
        o.ui = ui;
        o.autoplay = autoplay;
        // A subset of the controls, in a mask-dependent order (the order is kept).
        for (size_t i = 0; i < rows.size(); ++i)
          if ((mask >> (i % 6)) & 1) o.controls.push_back(rows[(i * 5 + size_t(mask)) % rows.size()].value);
        std::vector<Control> unique;
        for (Control c : o.controls)
          if (std::find(unique.begin(), unique.end(), c) == unique.end()) unique.push_back(c);
        o.controls = unique;
        const std::string q = share_query(o);
        const LaunchOptions back = parse_launch_query(q, kIds);
        INFO(q);
        REQUIRE(back.errors.empty());
        REQUIRE(back.ui == ui);
        REQUIRE(back.autoplay == autoplay);
        REQUIRE(back.preset.empty());
        if (ui == UiLayout::Full) {
          REQUIRE(back.controls.empty());  // the full layout shows everything
        } else {
          LaunchOptions want;
          want.ui = ui;
          want.controls = o.controls;
          REQUIRE(shown_controls(back) == shown_controls(want));
        }
        ++checked;
      }
    }
  }
  REQUIRE(checked == 3 * 64 * 2);
  // The defaults make no query at all; the layout's default set is not written.
  REQUIRE(share_query(ShareOptions{}).empty());
  ShareOptions c;
  c.ui = UiLayout::Compact;
  c.controls = default_controls(UiLayout::Compact);
  REQUIRE(share_query(c) == "?ui=compact");
  c.controls = {Control::Loss, Control::Play};
  c.autoplay = true;
  REQUIRE(share_query(c) == "?ui=compact&controls=loss,play&autoplay");
}

static Session trained_session() {
  Session s;
  s.name = "shared & \"quoted\"";
  s.data = generate(DataGen::Spiral, 120, 3, 0.1, 4);
  s.spec.kind = ModelKind::Net;
  s.spec.hidden = {{8, Activation::ReLU}};
  s.spec.optim.kind = OptimKind::Adam;
  s.spec.optim.lr = 0.01;
  s.spec.optim.batch_size = 16;
  Trainer t(s.data, s.spec);
  for (int i = 0; i < 20; ++i) t.step();
  s.trained = t.trained_state();
  return s;
}

TEST_CASE("a share link reopens the same session with its options", "[share]") {
  const Session s = trained_session();
  ShareOptions o;
  o.ui = UiLayout::Canvas;
  o.autoplay = true;
  const ShareLink l = make_share_link(s, o, "https://example.org/nnplay/index.html?build=fallback#s=old");
  REQUIRE_FALSE(l.too_long);
  REQUIRE(l.url.size() == l.chars);
  // The old query and fragment of the base address are replaced.
  REQUIRE_THAT(l.url, StartsWith("https://example.org/nnplay/index.html?ui=canvas&autoplay#s=z."));
  REQUIRE(l.fragment_chars == after(l.url, '#').size());
  REQUIRE(parse_launch_query(query_of(l.url), kIds).ui == UiLayout::Canvas);
  const Session back = decode_session_url(after(l.url, '#').substr(3));
  REQUIRE(back.trained.has_value());
  REQUIRE(save_session(back) == save_session(s));
  REQUIRE_THAT(l.message, Contains(std::to_string(l.chars) + " characters"));

  // Settings only: no model in the link, and a shorter link.
  o.with_model = false;
  const ShareLink settings = make_share_link(s, o, "https://example.org/nnplay/index.html");
  const Session plain = decode_session_url(after(settings.url, '#').substr(3));
  REQUIRE_FALSE(plain.trained.has_value());
  REQUIRE(settings.chars < l.chars);
  Session s2 = s;
  s2.trained.reset();
  REQUIRE(save_session(plain) == save_session(s2));
}

TEST_CASE("a session over the link budget gives no link and offers the file", "[share]") {
  Session big;
  big.data = generate(DataGen::Blobs, 6000, 3, 0.5, 11);  // full-precision coordinates: about 100 K characters
  big.spec.kind = ModelKind::Linear;
  const ShareLink l = make_share_link(big, ShareOptions{}, "https://example.org/index.html");
  REQUIRE(l.too_long);
  REQUIRE(l.url.empty());
  REQUIRE(l.chars > kShareLinkChars);
  REQUIRE_THAT(l.message, Contains(std::to_string(l.chars)) && Contains("as a file"));
}

TEST_CASE("the iframe snippet escapes the address and clamps its size", "[share]") {
  ShareOptions o;
  o.width = 10;       // below kShareFrameMin
  o.height = 100000;  // above kShareFrameMax
  o.title = "SVM <vs> \"softmax\"";
  const std::string snip = iframe_snippet("https://h/i.html?ui=compact&controls=play,lr&autoplay#s=z.ab-_", o);
  REQUIRE(snip ==
          "<iframe src=\"https://h/i.html?ui=compact&amp;controls=play,lr&amp;autoplay#s=z.ab-_\" width=\"" +
              std::to_string(kShareFrameMin) + "\" height=\"" + std::to_string(kShareFrameMax) +
              "\" loading=\"lazy\" title=\"SVM &lt;vs&gt; &quot;softmax&quot;\" allow=\"clipboard-write\""
              "></iframe>");
  REQUIRE(html_attr_escape("a'b&c") == "a&#39;b&amp;c");
}
