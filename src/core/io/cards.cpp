// cards.cpp: loading and searching the concept cards.
#include "core/io/cards.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

namespace nn {

// ordered_json keeps the file's order of topics (the browser shows them so).
using json = nlohmann::ordered_json;

static std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

static void fail(const std::string& what) { throw std::runtime_error("cards.json: " + what); }

// Card `i` named for messages: by id once it is known.
static std::string where(size_t i, const std::string& id) {
  return "card " + std::to_string(i) + (id.empty() ? "" : " (\"" + id + "\")");
}

static std::string get_string(const json& c, const char* key, const std::string& at, bool nullable) {
  auto it = c.find(key);
  if (it == c.end()) fail(at + " has no \"" + key + "\" field");
  if (nullable && it->is_null()) return "";
  if (!it->is_string()) fail(at + ": \"" + key + "\" must be a string" + (nullable ? " or null" : ""));
  return it->get<std::string>();
}

CardDeck load_card_deck(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    fail(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fail("the top level must be an object with \"topics\" and \"cards\"");

  CardDeck deck;
  if (!j.contains("version") || !j["version"].is_number_integer()) fail("\"version\" must be an integer");
  deck.version = j["version"].get<int>();
  if (j.contains("note") && j["note"].is_string()) deck.note = j["note"].get<std::string>();
  if (!j.contains("deck_count") || !j["deck_count"].is_number_integer() || j["deck_count"].get<int>() < 0)
    fail("\"deck_count\" must be a non-negative integer (the number of cards in the source deck)");
  deck.deck_count = j["deck_count"].get<int>();

  if (!j.contains("topics") || !j["topics"].is_object()) fail("\"topics\" must be an object {id: display name}");
  std::map<std::string, std::string> topic_names;
  for (auto it = j["topics"].begin(); it != j["topics"].end(); ++it) {
    if (!it.value().is_string()) fail("topic \"" + it.key() + "\" must map to a display name string");
    deck.topics.emplace_back(it.key(), it.value().get<std::string>());
    topic_names[it.key()] = it.value().get<std::string>();
  }

  if (!j.contains("cards") || !j["cards"].is_array()) fail("\"cards\" must be an array");
  std::set<std::string> ids;
  std::vector<int> used_by(deck.deck_count, -1);
  const json& arr = j["cards"];
  for (size_t i = 0; i < arr.size(); ++i) {
    const json& c = arr[i];
    if (!c.is_object()) fail(where(i, "") + " must be an object");
    Card card;
    card.id = get_string(c, "id", where(i, ""), false);
    const std::string at = where(i, card.id);
    if (card.id.empty()) fail(at + ": \"id\" is empty");
    if (!ids.insert(card.id).second) fail(at + ": the id is used by an earlier card");
    card.topic = get_string(c, "topic", at, false);
    auto t = topic_names.find(card.topic);
    if (t == topic_names.end()) fail(at + ": topic \"" + card.topic + "\" is not listed in \"topics\"");
    card.topic_name = t->second;
    card.question = get_string(c, "question", at, false);
    card.answer = get_string(c, "answer", at, false);
    if (card.question.empty()) fail(at + ": the question is empty");
    if (card.answer.empty()) fail(at + ": the answer is empty");
    card.demo = get_string(c, "demo", at, true);
    card.caveat = get_string(c, "caveat", at, true);
    if (c.contains("image_demo")) card.image_demo = get_string(c, "image_demo", at, true);
    if (!c.contains("deck_index") || !c["deck_index"].is_number_integer())
      fail(at + ": \"deck_index\" must be an integer");
    card.deck_index = c["deck_index"].get<int>();
    if (card.deck_index < 0 || card.deck_index >= deck.deck_count)
      fail(at + ": deck_index " + std::to_string(card.deck_index) + " is outside 0.." +
           std::to_string(deck.deck_count - 1));
    int& prev = used_by[card.deck_index];
    if (prev >= 0)
      fail(at + ": deck_index " + std::to_string(card.deck_index) + " is already used by " +
           where(prev, deck.cards[prev].id));
    prev = int(i);
    deck.cards.push_back(std::move(card));
  }
  return deck;
}

std::vector<Card> load_cards(const std::string& json_text) { return load_card_deck(json_text).cards; }

std::vector<int> search_cards(const std::vector<Card>& cards, const std::string& query) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : query + " ") {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!w.empty()) words.push_back(lower(w));
      w.clear();
    } else {
      w += ch;
    }
  }
  std::vector<int> hits;
  for (size_t i = 0; i < cards.size(); ++i) {
    const Card& c = cards[i];
    // One haystack per card; '\n' keeps a word from matching across two fields.
    const std::string text = lower(c.question + "\n" + c.answer + "\n" + c.topic + "\n" + c.topic_name);
    bool all = true;
    for (const std::string& word : words)
      if (text.find(word) == std::string::npos) { all = false; break; }
    if (all) hits.push_back(int(i));
  }
  return hits;
}

}  // namespace nn
