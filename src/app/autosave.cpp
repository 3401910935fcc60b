// autosave.cpp: the user's work survives a reload. The session (with its
// trained model) is written to the platform's small storage (the browser's
// localStorage through the page; natively a file in the state directory)
// when it changed, at most every kEvery seconds, and when the page is hidden
// or closed. At start it is restored with a notice that offers to start
// fresh; a session opened by the page address (#s= or ?preset=) wins and
// the autosave is kept aside; a corrupt or oversized autosave is set aside
// with a message, never loaded half-way. Embedded demos do not autosave.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>

#include "app.h"
#include "core/limits.h"
#include "imgui.h"

namespace app {

static const char kKey[] = "nnplay.autosave";
static const char kPrevious[] = "nnplay.autosave.previous";  // kept aside when a link won
static const char kBad[] = "nnplay.autosave.bad";            // set aside: could not be read
static const char kHeader[] = "nnplay-autosave 1 ";          // then the time (Unix seconds), '\n', the link fragment
static constexpr double kEvery = 2.0;                        // seconds between checks

static double wall_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// What changes when the user's work does: the points, the model description,
// the display settings and the training step.
static unsigned long long fingerprint(const AppState& s) {
  unsigned long long h = 1469598103934665603ull;
  auto mix = [&](const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  for (const nn::Point& p : s.edit.data.points) {
    mix(&p.x, sizeof p.x);
    mix(&p.y, sizeof p.y);
    mix(&p.label, sizeof p.label);
    const char v = p.validation;
    mix(&v, 1);
  }
  const std::string spec = nn::save_session([&] {
    nn::Session t;
    t.spec = s.spec;
    t.ui = nn::write_session_ui(session_ui(s));
    return t;
  }());
  mix(spec.data(), spec.size());
  const long long step = s.training.snapshot ? (long long)s.training.snapshot->step : 0;
  mix(&step, sizeof step);
  return h;
}

static std::string when(long long unix_s) {
  if (unix_s <= 0) return "an earlier visit";
  const std::time_t t = std::time_t(unix_s);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
  return buf;
}

// Splits a stored text into its time and fragment; false if it is not one.
static bool parse(const std::string& raw, long long& time, std::string& fragment) {
  if (raw.rfind(kHeader, 0) != 0) return false;
  const size_t nl = raw.find('\n');
  if (nl == std::string::npos) return false;
  time = std::atoll(raw.c_str() + std::strlen(kHeader));
  fragment = raw.substr(nl + 1);
  return true;
}

static void notice(AppState& s, Autosave::Notice kind, const std::string& text) {
  s.autosave.notice = kind;
  s.autosave.notice_text = text;
  notify(s, text);
  wake(s, 1.5);
}

// Moves an unreadable autosave out of the way (kept under kBad) and says why.
static void set_aside(AppState& s, const std::string& raw, const std::string& why) {
  s.platform.store_set(kBad, raw);
  s.platform.store_remove(kKey);
  s.autosave.bad_copy = raw;
  notice(s, Autosave::Notice::SetAside,
         "Your autosaved work could not be restored: " + why +
             ". It was set aside (not deleted) and the start-up example is shown.");
}

// Restores the stored text; false (with the reason shown) if it cannot be read.
static bool restore(AppState& s, const std::string& raw) {
  if (raw.size() > nn::kAutosaveChars) {
    set_aside(s, raw, "it is too large (" + std::to_string(raw.size()) + " characters, at most " +
                          std::to_string(nn::kAutosaveChars) + ")");
    return false;
  }
  long long time = 0;
  std::string fragment;
  if (!parse(raw, time, fragment)) {
    set_aside(s, raw, "it is not an nnplay autosave (its first line is damaged)");
    return false;
  }
  nn::Session session;
  try {
    session = nn::decode_session_url(fragment);
  } catch (const std::exception& e) {
    set_aside(s, raw, e.what());
    return false;
  }
  s.autosave.before_restore = nn::encode_session_url(current_session(s, false));
  apply_session(s, session);
  notice(s, Autosave::Notice::Restored, "Restored your work from " + when(time) + " (autosaved in this browser).");
  return true;
}

void autosave_start(AppState& s, bool url_session) {
  Autosave& a = s.autosave;
  a.enabled = s.platform.store_get && s.platform.store_set && s.platform.store_remove && !s.embed.embedded &&
              s.embed.launch.ui == nn::UiLayout::Full;
  if (!a.enabled) return;
  std::string raw;
  if (s.platform.store_get(kKey, raw) && !raw.empty()) {
    if (url_session) {
      // The page address wins; the autosave is kept aside until asked for.
      s.platform.store_set(kPrevious, raw);
      long long time = 0;
      std::string fragment;
      parse(raw, time, fragment);
      notice(s, Autosave::Notice::LinkWon,
             "The page address opened its own session, which replaces your autosaved work from " + when(time) +
                 " on screen; that work is kept aside.");
    } else {
      restore(s, raw);
    }
  }
  a.last_print = fingerprint(s);
  a.last_check = wall_s();
}

static void save(AppState& s) {
  Autosave& a = s.autosave;
  const std::string text = kHeader + std::to_string((long long)std::time(nullptr)) + "\n" +
                           nn::encode_session_url(current_session(s, true));
  if (text.size() > nn::kAutosaveChars) {
    if (!a.told_too_large) a.told_too_large = true, notice(s, Autosave::Notice::TooLarge,
             "Autosave paused: this session needs " + std::to_string(text.size()) + " characters, more than the " +
                 std::to_string(nn::kAutosaveChars) + " kept in the browser; save it as a file (Save / load).");
    return;
  }
  // The time changes every save: compare what follows it.
  const auto body = [](const std::string& t) { const size_t nl = t.find('\n'); return nl == std::string::npos ? t : t.substr(nl); };
  if (!a.last_saved.empty() && body(text) == body(a.last_saved)) return;
  if (!s.platform.store_set(kKey, text)) {
    notify(s, "Autosave failed: the browser's storage refused the session (full or disabled).");
    return;
  }
  a.last_saved = text;
  ++a.saves;
  a.told_too_large = false;
}

void autosave_tick(AppState& s) {
  Autosave& a = s.autosave;
  if (!a.enabled) return;
  const double now = wall_s();
  if (now - a.last_check < kEvery) return;
  a.last_check = now;
  const unsigned long long print = fingerprint(s);
  if (print == a.last_print) return;
  a.last_print = print;
  save(s);
}

void autosave_now(AppState& s) {
  if (!s.autosave.enabled) return;
  const unsigned long long print = fingerprint(s);
  if (print == s.autosave.last_print) return;  // nothing changed since the last save or the start
  s.autosave.last_print = print;
  save(s);
}

void draw_autosave_notice(AppState& s) {
  Autosave& a = s.autosave;
  if (a.notice == Autosave::Notice::None) return;
  const View& v = s.display.view;
  const float u = s.display.ui_scale;
  ImGui::SetNextWindowPos({v.x + v.w - 8 * u, v.y + 8 * u}, ImGuiCond_Always, {1, 0});
  ImGui::SetNextWindowSizeConstraints({0, 0}, {std::max(200 * u, v.w * 0.6f), v.h * 0.5f});
  ImGui::SetNextWindowBgAlpha(0.92f);
  ImGui::Begin("Autosave", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                        ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + std::max(180 * u, v.w * 0.6f - 20 * u));
  const bool bad = a.notice == Autosave::Notice::SetAside || a.notice == Autosave::Notice::TooLarge;
  if (bad) ImGui::TextColored({0.7f, 0.05f, 0.05f, 1}, "%s", a.notice_text.c_str());
  else ImGui::TextUnformatted(a.notice_text.c_str());
  ImGui::PopTextWrapPos();
  bool close = false;
  switch (a.notice) {
    case Autosave::Notice::Restored:
      if (ImGui::Button("Keep it")) close = true;
      ImGui::SameLine();
      if (ImGui::Button("Start fresh (undo restore)")) {
        try {
          apply_session(s, nn::decode_session_url(a.before_restore));
        } catch (const std::exception&) {
        }
        s.platform.store_remove(kKey);
        a.last_saved.clear();
        a.last_print = fingerprint(s);
        notify(s, "Started fresh; the autosaved work was removed from this browser.");
        close = true;
      }
      break;
    case Autosave::Notice::LinkWon:
      if (ImGui::Button("Open my autosaved work instead")) {
        std::string raw;
        a.notice = Autosave::Notice::None;
        if (s.platform.store_get(kPrevious, raw) && restore(s, raw)) s.platform.store_remove(kPrevious);
        if (a.notice == Autosave::Notice::Restored) a.notice = Autosave::Notice::None;
        a.last_print = 0;  // save it again under the main key
        ImGui::End();
        return;
      }
      ImGui::SameLine();
      if (ImGui::Button("OK")) close = true;
      break;
    case Autosave::Notice::SetAside:
      if (s.platform.download && ImGui::Button("Download the bad copy")) s.platform.download("nnplay-autosave-bad.txt", a.bad_copy);
      if (s.platform.download) ImGui::SameLine();
      if (ImGui::Button("OK")) close = true;
      break;
    case Autosave::Notice::TooLarge:
      if (ImGui::Button("OK")) close = true;
      break;
    case Autosave::Notice::None: break;
  }
  if (close) a.notice = Autosave::Notice::None;
  ImGui::End();
}

}  // namespace app
