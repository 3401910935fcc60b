// share_panel.cpp: the Share / embed window. The current session as a page
// address (copy, preview) and the <iframe> snippet for course notes, with
// the reader's choices: trained model or settings only, layout, which
// controls, autoplay, the frame's size. The link itself is made by
// nn::make_share_link (core/io/share.h) from the same session the Save / load
// window writes; above nn::kShareLinkChars the window says so and offers
// the session as a file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "app.h"
#include "core/limits.h"
#include "imgui.h"
#include "imgui_stdlib.h"
#include "widgets.h"

namespace app {

static double wall_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Natively there is no page: the snippet starts with a placeholder to edit.
static const char kPlaceholderBase[] = "https://YOUR-HOST/nnplay/index.html";

void make_share(AppState& s) {
  ShareWindow& w = s.share;
  if (w.base_url.empty()) w.base_url = s.platform.page_url.empty() ? kPlaceholderBase : s.platform.page_url;
  w.link = nn::make_share_link(current_session(s, w.opt.with_model), w.opt, w.base_url);
  w.snippet = w.link.too_long ? "" : nn::iframe_snippet(w.link.url, w.opt);
  w.made_at = wall_s();
  w.stale = false;
}

static void copy(AppState& s, const std::string& text, const char* what) {
  bool ok = false;
  if (s.platform.copy_text) ok = s.platform.copy_text(text);
  else {
    ImGui::SetClipboardText(text.c_str());
    ok = true;
  }
  s.share.error = !ok;
  s.share.status = ok ? std::string("Copied the ") + what + " (" + std::to_string(text.size()) + " characters)."
                      : std::string("The browser did not allow copying: select the ") + what + " in its box and press Ctrl+C.";
  notify(s, s.share.status);
}

// The session as a file, for a link that would be too long.
static void offer_file(AppState& s) {
  const std::string text = nn::save_session(current_session(s, s.share.opt.with_model));
  if (s.platform.download) {
    s.platform.download("nnplay-session.json", text);
    s.share.status = "Downloaded nnplay-session.json: put it next to your notes and open it with Save / load -> Open file.";
  } else {
    std::ofstream f("nnplay-session.json", std::ios::binary);
    f << text;
    s.share.status = f ? "Wrote nnplay-session.json in the current directory (open it with: nnplay nnplay-session.json)."
                       : "Could not write nnplay-session.json in the current directory.";
  }
  s.share.error = false;
  notify(s, s.share.status);
}

void draw_share_window(AppState& s) {
  ShareWindow& w = s.share;
  const float u = s.display.ui_scale;
  place_window(s, 560, 560, 0);
  if (!ImGui::Begin("Share / embed", &w.open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  bool changed = false;
  changed |= ImGui::Checkbox("include trained model", &w.opt.with_model);
  tooltip("On: the link carries the trained parameters, so it opens on the same decision regions. Off: settings only "
          "(points and model description), a shorter link; the model trains from scratch.");
  ImGui::TextUnformatted("layout");
  ImGui::SameLine();
  changed |= enum_radio(w.opt.ui);
  if (w.opt.ui != nn::UiLayout::Full) {
    // Which controls the bar shows: the layout's default set until one is changed.
    std::vector<nn::Control> shown = w.opt.controls.empty() ? nn::default_controls(w.opt.ui) : w.opt.controls;
    ImGui::TextUnformatted("controls");
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    bool first = true;
    for (const auto& row : nn::enum_rows<nn::Control>()) {
      bool on = std::find(shown.begin(), shown.end(), row.value) != shown.end();
      const float need = ImGui::CalcTextSize(row.id).x + ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
      if (!first && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + need <= right) ImGui::SameLine();
      first = false;
      if (ImGui::Checkbox(row.id, &on)) {
        if (on) shown.push_back(row.value);
        else shown.erase(std::remove(shown.begin(), shown.end(), row.value), shown.end());
        w.opt.controls = shown.empty() ? std::vector<nn::Control>{nn::Control::Play} : shown;
        changed = true;
      }
      tooltip(row.tip);
    }
  }
  changed |= ImGui::Checkbox("autoplay", &w.opt.autoplay);
  tooltip("Start training as soon as the demo is visible. Off: an embedded demo waits until the reader clicks it.");
  ImGui::SetNextItemWidth(90 * u);
  changed |= ImGui::InputInt("width", &w.opt.width, 20, 100);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90 * u);
  changed |= ImGui::InputInt("height (CSS pixels)", &w.opt.height, 20, 100);
  w.opt.width = std::clamp(w.opt.width, nn::kShareFrameMin, nn::kShareFrameMax);
  w.opt.height = std::clamp(w.opt.height, nn::kShareFrameMin, nn::kShareFrameMax);
  const float label_w = ImGui::CalcTextSize("page address").x + ImGui::GetStyle().ItemInnerSpacing.x;
  ImGui::SetNextItemWidth(-label_w);
  changed |= ImGui::InputTextWithHint("frame title", "what a screen reader announces", &w.opt.title);
  tooltip("The iframe's title: what a screen reader announces.");
  ImGui::SetNextItemWidth(-label_w);
  changed |= ImGui::InputText("page address", &w.base_url);
  tooltip("The address of nnplay's index.html on the site that will serve it; the link starts with it.");

  // The session changes while training: make the link again now and then.
  if (changed) w.stale = true;
  if (w.stale || wall_s() - w.made_at > 1.5) make_share(s);

  ImGui::Separator();
  if (w.link.too_long) {
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(190, 20, 20, 255));
    ImGui::TextWrapped("%s", w.link.message.c_str());
    ImGui::PopStyleColor();
    if (ImGui::Button("Save the session as a file")) offer_file(s);
    tooltip("The session as nnplay-session.json: serve it with your notes, or open it with Save / load.");
  } else {
    ImGui::TextWrapped("%s", w.link.message.c_str());
    if (ImGui::Button("Copy link")) copy(s, w.link.url, "link");
    tooltip("Copy the page address that opens this session with these options.");
    ImGui::SameLine();
    if (ImGui::Button("Copy iframe snippet")) copy(s, w.snippet, "iframe snippet");
    tooltip("Copy the <iframe> element to paste into a page of course notes.");
    if (s.platform.open_url) {
      ImGui::SameLine();
      if (ImGui::Button("Preview")) s.platform.open_url(w.link.url);
      tooltip("Open the link in a new tab, as a reader would see it (full page, not at the frame's size).");
    }
    const float box_h = std::max(ImGui::GetTextLineHeight() * 3, (ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 2.5f) * 0.5f);
    ImGui::TextUnformatted("link");
    ImGui::InputTextMultiline("##link", &w.link.url, {-1, box_h}, ImGuiInputTextFlags_ReadOnly);
    ImGui::TextUnformatted("iframe snippet");
    ImGui::InputTextMultiline("##snippet", &w.snippet, {-1, box_h}, ImGuiInputTextFlags_ReadOnly);
  }
  if (!w.status.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, w.error ? IM_COL32(190, 20, 20, 255) : IM_COL32(20, 110, 40, 255));
    ImGui::TextWrapped("%s", w.status.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::End();
}

}  // namespace app
