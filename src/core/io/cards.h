// cards.h: the concept cards (assets/cards.json) as data: loading with clear
// errors, and the search used by the concept browser.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace nn {

struct Card {
  std::string id;          // kebab-case, unique
  std::string topic;       // topic id, e.g. "optim"
  std::string topic_name;  // its display name from "topics", e.g. "Optimisation"
  std::string question;
  std::string answer;
  int deck_index = -1;     // position of the card in the CS231n midterm deck
  std::string demo;        // preset id that shows the claim live; empty if none
  std::string image_demo;  // optional "image_demo": an image-mode preset showing it on real images
  std::string caveat;      // where the deck's claim is wrong or needs a condition; empty if none
};

struct CardDeck {
  int version = 0;
  std::string note;
  int deck_count = 0;                                       // cards in the source deck
  std::vector<std::pair<std::string, std::string>> topics;  // (id, display name), file order
  std::vector<Card> cards;
};

// Parses the whole file. Throws std::runtime_error naming the card and field when
// the text is not JSON, a field is missing or has the wrong type, a question or
// answer is empty, an id repeats, a topic is not listed in "topics", or a
// deck_index is outside 0..deck_count-1 or used twice.
CardDeck load_card_deck(const std::string& json_text);
std::vector<Card> load_cards(const std::string& json_text);

// Indices of the cards matching every whitespace-separated word of `query`
// (case-insensitive substring of the question, answer, topic id or topic name).
// An empty query matches every card.
std::vector<int> search_cards(const std::vector<Card>& cards, const std::string& query);

}  // namespace nn
