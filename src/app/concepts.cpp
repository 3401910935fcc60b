// concepts.cpp: the concept browser: the cards of assets/cards.json grouped by
// topic, with search, caveats, and "Show me" buttons that load a preset
// (assets/presets/<demo>.json) or open the ConvNet calculator on one of its
// presets.
#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "app.h"
#include "core/io/cards.h"
#include "core/models/convnet_calc.h"
#include "core/io/session.h"
#include "imgui.h"
#include "widgets.h"

namespace app {
namespace {

bool is_convnet_demo(const std::string& id) { return id.rfind("convnet-", 0) == 0; }

std::string preset_path(const std::string& id) { return assets_dir() + "/presets/" + id + ".json"; }

}  // namespace

void ensure_concepts_loaded(ConceptBrowser& c) {
  if (c.loaded) return;
  c.loaded = true;
  std::string text;
  const std::string path = assets_dir() + "/cards.json";
  if (!read_text_file(path, text)) {
    c.error = "Could not read " + path + ": the concept cards are missing from this build.";
    return;
  }
  try {
    c.deck = nn::load_card_deck(text);
  } catch (const std::exception& e) {
    c.error = std::string("The concept cards could not be loaded: ") + e.what();
    return;
  }
  const std::vector<std::string> calc_ids = nn::convnet_preset_ids();
  for (const nn::Card& card : c.deck.cards) {
    DemoKind k = DemoKind::None;
    if (!card.demo.empty()) {
      if (is_convnet_demo(card.demo))
        k = std::find(calc_ids.begin(), calc_ids.end(), card.demo) != calc_ids.end() ? DemoKind::ConvNet
                                                                                     : DemoKind::Missing;
      else
        k = std::ifstream(preset_path(card.demo)).good() ? DemoKind::Preset : DemoKind::Missing;
    }
    c.demo.push_back(k);
    c.image_demo.push_back(!card.image_demo.empty() && std::ifstream(preset_path(card.image_demo)).good());
    if (k == DemoKind::Preset || k == DemoKind::ConvNet) ++c.live_demos;
  }
  c.matches = nn::search_cards(c.deck.cards, "");
}


// Loads a demo by id: a playground preset, or a ConvNet calculator preset.
// Returns false (with the reason in the window and the status bar) on failure.
bool show_demo(AppState& s, const std::string& id, const std::string& card_id) {
  ConceptBrowser& c = s.concepts;
  c.shown_card = card_id;
  c.shown_error.clear();
  if (is_convnet_demo(id)) {
    try {
      const nn::ConvNetSpec net = nn::convnet_preset(id);
      convnet_select_preset(s.convnet, id);
      s.convnet.open = true;
      c.shown_name = net.name;
      c.shown_description =
          "Opened in the ConvNet calculator: hover a cell for its formula, edit a layer to see every size after it "
          "change.";
      notify(s, "ConvNet calculator: " + net.name);
      return true;
    } catch (const std::exception& e) {
      c.shown_error = e.what();
      notify(s, c.shown_error);
      return false;
    }
  }
  const bool plain_id = !id.empty() && std::all_of(id.begin(), id.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
  std::string text;
  if (!plain_id || !read_text_file(preset_path(id), text)) {
    c.shown_error = "The demo \"" + id + "\" is not in this build (no " + preset_path(id) + ").";
    notify(s, c.shown_error);
    return false;
  }
  try {
    const nn::Session session = nn::load_session(text);
    apply_session(s, session);
    c.shown_name = session.name.empty() ? id : session.name;
    c.shown_description = session.description;
    notify(s, "Loaded \"" + c.shown_name + "\"" +
                  (session.description.empty() ? std::string(".") : ": " + session.description));
    return true;
  } catch (const std::exception& e) {
    c.shown_error = "The demo \"" + id + "\" could not be loaded: " + e.what();
    notify(s, c.shown_error);
    return false;
  }
}

// Wrapped text drawn twice, one pixel apart: a bold look with the one font.
static void bold_wrapped(const std::string& text, ImU32 col) {
  const float wrap = ImGui::GetContentRegionAvail().x - 1;
  const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const char* b = text.c_str();
  const char* e = b + text.size();
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, col, b, e, wrap);
  dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), {p.x + 1, p.y}, col, b, e, wrap);
  ImGui::Dummy({size.x + 1, size.y});
}

static void colored_wrapped(const std::string& text, ImU32 col) {
  ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

static constexpr ImU32 kQuestionCol = IM_COL32(0, 70, 140, 255);
static constexpr ImU32 kCaveatCol = IM_COL32(168, 72, 0, 255);
static constexpr ImU32 kErrorCol = IM_COL32(190, 20, 20, 255);

static void draw_card(AppState& s, ConceptBrowser& c, int i) {
  const nn::Card& card = c.deck.cards[i];
  ImGui::PushID(i);
  bold_wrapped(card.question, kQuestionCol);
  ImGui::TextWrapped("%s", card.answer.c_str());
  if (!card.caveat.empty()) colored_wrapped("Caveat: " + card.caveat, kCaveatCol);
  switch (c.demo[i]) {
    case DemoKind::Preset:
    case DemoKind::ConvNet:
      if (ImGui::SmallButton(c.demo[i] == DemoKind::ConvNet ? "Show me in the calculator" : "Show me"))
        show_demo(s, card.demo, card.id);
      tooltip(c.demo[i] == DemoKind::ConvNet
                  ? "Opens the ConvNet calculator on a network that shows this concept."
                  : "Loads data, model and settings that show this concept (your current points can be restored "
                    "with Undo)");
      break;
    case DemoKind::Missing:
      ImGui::TextDisabled("text only (its demo \"%s\" is not in this build)", card.demo.c_str());
      break;
    case DemoKind::None:
      ImGui::TextDisabled("text only");
      break;
  }
  if (i < int(c.image_demo.size()) && c.image_demo[i]) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Show me on images")) show_demo(s, card.image_demo, card.id);
    tooltip("Opens the Images mode on Fashion-MNIST with a model and view that show this concept on real images.");
  }
  if (card.deck_index >= 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("  deck card %d", card.deck_index + 1);
  }
  if (c.shown_card == card.id) {
    if (!c.shown_error.empty()) colored_wrapped(c.shown_error, kErrorCol);
    else colored_wrapped(c.demo[i] == DemoKind::ConvNet ? "Opened in the ConvNet calculator (see the note above)."
                                                        : "Loaded into the playground (see the note above).",
                         IM_COL32(0, 120, 70, 255));
  }
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::PopID();
}

void draw_concepts(AppState& s) {
  ConceptBrowser& c = s.concepts;
  ensure_concepts_loaded(c);
  const float u = s.display.ui_scale;
  place_window(s, 560, 640, 60);
  if (!ImGui::Begin("Concepts", &s.concepts.open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  if (!c.error.empty()) {
    colored_wrapped(c.error, kErrorCol);
    ImGui::End();
    return;
  }
  ImGui::Text("%d cards, %d with live demos", int(c.deck.cards.size()), c.live_demos);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Cards follow the CS231n midterm deck, in our own words; a live demo loads a setting "
                      "of the playground or the ConvNet calculator that shows the claim.");
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputTextWithHint("##search", "search, e.g. \"relu dead\" or \"momentum\"", c.query, sizeof c.query);
  tooltip("Shows the cards containing every word you type (in the question, answer or topic).");
  const bool query_changed = c.last_query != c.query;
  if (query_changed) {
    c.last_query = c.query;
    c.matches = nn::search_cards(c.deck.cards, c.query);
  }
  if (!c.shown_name.empty() || !c.shown_error.empty()) {
    // The last demo's description, until it is hidden or another one is loaded.
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(232, 240, 250, 255));
    ImGui::BeginChild("shown", {0, 0}, ImGuiChildFlags_Border | ImGuiChildFlags_AutoResizeY);
    if (!c.shown_error.empty()) {
      colored_wrapped(c.shown_error, kErrorCol);
    } else {
      bold_wrapped("Showing: " + c.shown_name, IM_COL32(20, 20, 20, 255));
      if (!c.shown_description.empty()) ImGui::TextWrapped("%s", c.shown_description.c_str());
    }
    if (ImGui::SmallButton("hide")) c.shown_name.clear(), c.shown_error.clear(), c.shown_card.clear();
    tooltip("Hide this note (the demo stays loaded).");
    ImGui::EndChild();
    ImGui::PopStyleColor();
  }
  if (c.matches.empty()) ImGui::TextDisabled("No card matches \"%s\".", c.query);

  ImGui::BeginChild("cards", {0, 0}, false);
  const bool searching = c.query[0] != 0;
  for (const auto& [topic, topic_name] : c.deck.topics) {
    std::vector<int> in_topic;
    for (int i : c.matches)
      if (c.deck.cards[i].topic == topic) in_topic.push_back(i);
    if (in_topic.empty()) continue;
    // Stable id after "###": the count in the label changes with the search.
    char label[160];
    std::snprintf(label, sizeof label, "%s (%d)###%s", topic_name.c_str(), int(in_topic.size()), topic.c_str());
    if (query_changed) ImGui::SetNextItemOpen(searching, ImGuiCond_Always);
    if (!ImGui::CollapsingHeader(label)) continue;
    ImGui::Indent(4 * u);
    for (int i : in_topic) draw_card(s, c, i);
    ImGui::Unindent(4 * u);
  }
  ImGui::EndChild();
  ImGui::End();
}

}  // namespace app
