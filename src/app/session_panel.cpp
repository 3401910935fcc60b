// session_panel.cpp: save and load. One text box takes a session JSON, a link
// (or just its #s=... fragment) or CSV points; loading is all-or-nothing and
// a failure leaves the user's points and model untouched, with a message
// naming what was wrong.
#include <algorithm>

#include "app.h"
#include "core/data/csv.h"
#include "core/io/session.h"
#include "core/limits.h"
#include "imgui.h"
#include "imgui_stdlib.h"
#include "widgets.h"

namespace app {

// The window's result line, repeated in the status bar.
static void set_status(AppState& s, const std::string& msg, bool error) {
  s.io.set_status(msg, error);
  notify(s, msg);
}

std::string text_too_large(size_t bytes) {
  return "Could not load: the text is too large (" + std::to_string((bytes + (1u << 20) - 1) >> 20) +
         " MB; sessions, links and CSV files may have at most " + std::to_string(nn::kMaxSessionBytes >> 20) +
         " MB).\nNothing was changed.";
}

bool load_text(AppState& s, const std::string& raw) {
  if (raw.size() > nn::kMaxSessionBytes) {
    set_status(s, text_too_large(raw.size()), true);
    return false;
  }
  // Trim white space.
  const size_t a = raw.find_first_not_of(" \t\r\n"), b = raw.find_last_not_of(" \t\r\n");
  const std::string text = a == std::string::npos ? "" : raw.substr(a, b - a + 1);
  if (text.empty()) { set_status(s, "Nothing to load: paste a session, a link or CSV points first.", true); return false; }
  try {
    if (text[0] == '{' || text[0] == '[') {  // JSON (a session, or junk the loader names)
      apply_session(s, nn::load_session(text));
      set_status(s, "Loaded the session" + (s.io.session_name.empty() ? std::string() : " '" + s.io.session_name + "'") + ".", false);
      return true;
    }
    const size_t h = text.find("#s=");
    if (h != std::string::npos || text.rfind("s=", 0) == 0) {
      const std::string frag = h != std::string::npos ? text.substr(h + 3) : text.substr(2);
      apply_session(s, nn::decode_session_url(frag));
      set_status(s, "Loaded the session from the link.", false);
      return true;
    }
    nn::Dataset d = nn::parse_points_csv(text);
    s.edit.replace(d);
    data_changed(s);
    const char* kind = d.problem == nn::ProblemKind::Regression1D   ? " (regression 1D: x,value)"
                       : d.problem == nn::ProblemKind::Regression2D ? " (regression 2D: x,y,value)"
                                                                    : "";
    set_status(s, "Imported " + std::to_string(d.points.size()) + " points from CSV" + kind +
                      ". Undo brings the old ones back.", false);
    return true;
  } catch (const nn::CsvError& e) {
    std::string msg = e.what();
    for (size_t i = 1; i < std::min<size_t>(e.problems.size(), 5); ++i) msg += "\n  " + e.problems[i];
    set_status(s, msg + "\nNothing was changed.", true);
  } catch (const std::bad_alloc&) {
    set_status(s, "Could not load: out of memory (the page may use at most " + std::to_string(nn::kMaxWasmMemoryMB) +
                      " MB).\nNothing was changed.", true);
  } catch (const std::exception& e) {
    set_status(s, std::string("Could not load: ") + e.what() + "\nNothing was changed.", true);
  }
  return false;
}

void draw_session_window(AppState& s) {
  const float u = s.display.ui_scale;
  ImGui::SetNextWindowSize({520 * u, 420 * u}, ImGuiCond_Appearing);
  ImGui::SetNextWindowPos({s.display.view.x + 30 * u, 40 * u}, ImGuiCond_Appearing);
  if (!ImGui::Begin("Save / load", &s.io.open, ImGuiWindowFlags_NoSavedSettings)) { ImGui::End(); return; }
  ImGui::Checkbox("with trained model", &s.io.with_model);
  tooltip("On: the session also carries the trained parameters, so opening it shows the same decision regions at "
          "once. Off: settings only (points and model description); the model trains from scratch.");
  const nn::Session cur = current_session(s, s.io.with_model);
  if (ImGui::Button("Session JSON")) s.io.text = nn::save_session(cur), s.io.status.clear();
  tooltip("Write the points, the model description and the display settings as JSON into the box.");
  ImGui::SameLine();
  if (ImGui::Button("Link")) {
    const std::string link = "#s=" + nn::encode_session_url(cur);
    if (link.size() > nn::kShareLinkChars) {
      set_status(s, "This session makes a link of " + std::to_string(link.size()) + " characters, more than the " +
                        std::to_string(nn::kShareLinkChars) + " a link should hold: save it as a file (Download / "
                        "Session JSON) instead, or untick \"with trained model\".", true);
    } else {
      s.io.text = link;
      if (s.platform.set_url_hash) s.platform.set_url_hash(s.io.text);
      set_status(s, (s.platform.set_url_hash ? std::string("The page address now holds this session: copy it from the address bar")
                                             : std::string("Append this to the page address to share the session")) +
                        " (" + std::to_string(link.size()) + " characters).", false);
    }
  }
  tooltip("Encode the whole session in a link (the part after #), so a page address reproduces it.");
  ImGui::SameLine();
  if (ImGui::Button("CSV")) s.io.text = nn::points_to_csv(s.edit.data), s.io.status.clear();
  tooltip(s.edit.data.problem == nn::ProblemKind::Regression1D   ? "Write the points as x,value,validation lines (under that header)."
          : s.edit.data.problem == nn::ProblemKind::Regression2D ? "Write the points as x,y,value,validation lines (under that header)."
                                                                 : "Write the points as x,y,class,validation lines.");
  if (s.platform.download) {
    ImGui::SameLine();
    if (ImGui::Button("Download")) s.platform.download("nnplay-session.json", nn::save_session(cur));
    tooltip("Save the session as a .json file.");
    ImGui::SameLine();
    if (ImGui::Button("Open file")) s.platform.request_upload();
    tooltip("Load a session .json or a .csv file of points.");
  }
  ImGui::InputTextMultiline("##io", &s.io.text, {-1, ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 3.5f},
                            ImGuiInputTextFlags_AllowTabInput);
  if (ImGui::Button("Load from the box")) load_text(s, s.io.text);
  tooltip("Load what the box holds: a session JSON, a link, or CSV points. On an error nothing changes.");
  ImGui::SameLine();
  if (ImGui::Button("Clear box")) s.io.text.clear(), s.io.status.clear();
  if (!s.io.status.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, s.io.error ? IM_COL32(190, 20, 20, 255) : IM_COL32(20, 110, 40, 255));
    ImGui::TextWrapped("%s", s.io.status.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::End();
}

}  // namespace app
