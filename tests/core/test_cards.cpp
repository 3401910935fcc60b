// Tests of the concept cards: the shipped assets/cards.json is complete and
// well formed (one card per deck card, unique ids, known topics, calculator
// demos that exist), the loader's errors, and the browser's search.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/io/cards.h"
#include "core/io/session.h"
#include "core/io/source_paths.h"
#include "core/models/convnet_calc.h"

using namespace nn;

static std::string read_asset(const std::string& name) {
  const std::string path = nn::source_assets_dir() + "/" + name;
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

static bool is_kebab(const std::string& s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.find("--") == std::string::npos;
}

TEST_CASE("assets/cards.json covers every deck card exactly once", "[cards]") {
  const CardDeck deck = load_card_deck(read_asset("cards.json"));
  CHECK(deck.version == 1);
  CHECK_FALSE(deck.note.empty());
  // The CS231n midterm deck has 112 question/answer pairs after its title line.
  REQUIRE(deck.deck_count == 112);
  REQUIRE(int(deck.cards.size()) == deck.deck_count);

  const std::set<std::string> topics = {"knn", "linear", "nn", "init", "optim",
                                        "reg", "gradcheck", "preprocess", "convnet", "practice"};
  std::set<std::string> listed;
  for (const auto& [id, name] : deck.topics) {
    listed.insert(id);
    CHECK_FALSE(name.empty());
  }
  CHECK(listed == topics);

  std::set<std::string> ids;
  std::vector<int> seen(deck.deck_count, 0);
  std::set<std::string> calc_presets;
  for (const std::string& id : convnet_preset_ids()) calc_presets.insert(id);
  for (const Card& c : deck.cards) {
    INFO("card " << c.id);
    CHECK(is_kebab(c.id));
    CHECK(ids.insert(c.id).second);
    CHECK(topics.count(c.topic) == 1);
    CHECK_FALSE(c.question.empty());
    CHECK_FALSE(c.answer.empty());
    REQUIRE(c.deck_index >= 0);
    REQUIRE(c.deck_index < deck.deck_count);
    ++seen[c.deck_index];
    if (!c.demo.empty()) {
      CHECK(is_kebab(c.demo));
      // ConvNet arithmetic demos open the calculator, so they must be its presets.
      if (c.demo.rfind("convnet-", 0) == 0) CHECK(calc_presets.count(c.demo) == 1);
    }
  }
  for (int i = 0; i < deck.deck_count; ++i) {
    INFO("deck index " << i);
    CHECK(seen[i] == 1);
  }
  // Every ConvNet card points at a calculator preset.
  for (const Card& c : deck.cards)
    if (c.topic == "convnet" && !c.demo.empty()) CHECK(c.demo.rfind("convnet-", 0) == 0);
}

static std::set<std::string> test_tags();

// An image demo opens the Images mode: its preset must exist, be an image
// model, and have a claim test tagged with its id that runs the engine.
TEST_CASE("every card's image demo is an image preset with a claim test", "[cards]") {
  const CardDeck deck = load_card_deck(read_asset("cards.json"));
  const std::set<std::string> tags = test_tags();
  int n = 0;
  for (const Card& c : deck.cards) {
    if (c.image_demo.empty()) continue;
    INFO("card " << c.id << ", image demo " << c.image_demo);
    ++n;
    CHECK(c.image_demo.rfind("image-", 0) == 0);
    CHECK(tags.count(c.image_demo) == 1);
    const nn::Session session = nn::load_session(read_asset("presets/" + c.image_demo + ".json"));
    CHECK(session.spec.input.is_image());
  }
  CHECK(n >= 5);  // templates, nearest image, k by cross-validation, normalisation, a small ConvNet
}

TEST_CASE("load_cards reports what is wrong and where", "[cards]") {
  auto err = [](const std::string& text) {
    try {
      load_cards(text);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head = R"({"version":1,"deck_count":2,"topics":{"knn":"kNN"},"cards":[)";
  const std::string a = R"({"id":"a","topic":"knn","question":"q","answer":"x","deck_index":0,"demo":null,"caveat":null})";
  const std::string b = R"({"id":"b","topic":"knn","question":"q","answer":"y","deck_index":1,"demo":"knn-1-vs-5","caveat":"c"})";

  const std::vector<Card> ok = load_cards(head + a + "," + b + "]}");
  REQUIRE(ok.size() == 2);
  CHECK(ok[0].demo.empty());
  CHECK(ok[1].demo == "knn-1-vs-5");
  CHECK(ok[1].caveat == "c");
  CHECK(ok[1].topic_name == "kNN");

  CHECK_THAT(err("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(err("[]"), Catch::Contains("top level"));
  CHECK_THAT(err(head + a + "," + a + "]}"), Catch::Contains("\"a\"") && Catch::Contains("id is used"));
  std::string no_answer = b;
  no_answer.replace(no_answer.find(R"("answer":"y",)"), 13, "");
  CHECK_THAT(err(head + a + "," + no_answer + "]}"), Catch::Contains("card 1 (\"b\") has no \"answer\""));
  std::string empty_q = b;
  empty_q.replace(empty_q.find(R"("question":"q")"), 14, R"("question":"")");
  CHECK_THAT(err(head + a + "," + empty_q + "]}"), Catch::Contains("question is empty"));
  std::string bad_topic = b;
  bad_topic.replace(bad_topic.find("\"knn\""), 5, "\"cnn\"");
  CHECK_THAT(err(head + a + "," + bad_topic + "]}"), Catch::Contains("topic \"cnn\""));
  std::string same_index = b;
  same_index.replace(same_index.find("\"deck_index\":1"), 14, "\"deck_index\":0");
  CHECK_THAT(err(head + a + "," + same_index + "]}"), Catch::Contains("already used by card 0"));
  std::string out_of_range = b;
  out_of_range.replace(out_of_range.find("\"deck_index\":1"), 14, "\"deck_index\":2");
  CHECK_THAT(err(head + a + "," + out_of_range + "]}"), Catch::Contains("outside 0..1"));
}

TEST_CASE("search_cards: case-insensitive, every word must match", "[cards]") {
  const std::vector<Card> cards = load_cards(read_asset("cards.json"));
  CHECK(search_cards(cards, "").size() == cards.size());
  CHECK(search_cards(cards, "   ").size() == cards.size());
  CHECK(search_cards(cards, "qwertyuiop").empty());

  const auto sig = search_cards(cards, "SIGMOID");
  const auto sig_sat = search_cards(cards, "sigmoid saturat");
  REQUIRE_FALSE(sig_sat.empty());
  CHECK(sig_sat.size() < sig.size());  // a second word narrows the result
  for (int i : sig_sat) {
    std::string all = cards[i].question + cards[i].answer;
    for (char& ch : all) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(all.find("sigmoid") != std::string::npos);
    CHECK(all.find("saturat") != std::string::npos);
  }
  // Topic ids and display names are searchable too.
  const auto convnet = search_cards(cards, "convnet");
  int convnet_topic = 0;
  for (const Card& c : cards) convnet_topic += c.topic == "convnet";
  CHECK(int(convnet.size()) >= convnet_topic);

  // Hand-made cards pin the rules down exactly.
  std::vector<Card> tiny(3);
  tiny[0].question = "What is Momentum?";
  tiny[0].answer = "A velocity.";
  tiny[0].topic = "optim";
  tiny[1].question = "What is dropout?";
  tiny[1].answer = "Random zeroing.";
  tiny[1].topic = "reg";
  tiny[1].topic_name = "Regularisation";
  tiny[2].question = "Velocity and momentum";
  tiny[2].answer = "see above";
  tiny[2].topic = "optim";
  CHECK(search_cards(tiny, "momentum") == std::vector<int>{0, 2});
  CHECK(search_cards(tiny, "MOMENTUM velocity") == std::vector<int>{0, 2});
  CHECK(search_cards(tiny, "momentum zeroing").empty());
  CHECK(search_cards(tiny, "regularis") == std::vector<int>{1});
  CHECK(search_cards(tiny, "optim") == std::vector<int>{0, 2});
}

// ---- The README's coverage table ---------------------------------------------
// Generated from assets/cards.json and the test cases compiled into this
// binary: a card's demo counts as live when its preset file (or ConvNet
// calculator preset) exists, and as claim-tested when some test case carries
// the demo's id as a tag. The README holds the table between two markers;
// this test fails, printing the new table, when it differs.

static std::set<std::string> test_tags() {
  std::set<std::string> tags;
  for (const Catch::TestCase& tc : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    for (const std::string& t : tc.getTestCaseInfo().tags) tags.insert(t);
  return tags;
}

static std::string coverage_table(const CardDeck& deck, const std::set<std::string>& tags) {
  std::set<std::string> calc;
  for (const std::string& id : convnet_preset_ids()) calc.insert(id);
  auto live = [&](const Card& c) {
    if (c.demo.empty()) return false;
    if (c.demo.rfind("convnet-", 0) == 0) return calc.count(c.demo) == 1;
    return std::ifstream(nn::source_assets_dir() + "/presets/" + c.demo + ".json").good();
  };
  struct Row { int cards = 0, live = 0, presets = 0, calc = 0, tested = 0, text = 0, missing = 0, caveats = 0; };
  auto count = [&](Row& r, const Card& c) {
    ++r.cards;
    const bool l = live(c);
    r.live += l;
    r.presets += l && c.demo.rfind("convnet-", 0) != 0;
    r.calc += l && c.demo.rfind("convnet-", 0) == 0;
    r.tested += l && tags.count(c.demo) == 1;
    r.text += !l;
    r.missing += !c.demo.empty() && !l;
    r.caveats += !c.caveat.empty();
  };
  std::ostringstream out;
  out << "| Topic | Cards | Live demos | Claim-tested demos | Text-only facts | Caveats |\n"
      << "|---|---:|---:|---:|---:|---:|\n";
  Row total;
  for (const auto& [id, name] : deck.topics) {
    Row r;
    for (const Card& c : deck.cards)
      if (c.topic == id) count(r, c), count(total, c);
    out << "| " << name << " | " << r.cards << " | " << r.live << " | " << r.tested << " | " << r.text << " | "
        << r.caveats << " |\n";
  }
  out << "| **All** | **" << total.cards << "** | **" << total.live << "** | **" << total.tested << "** | **"
      << total.text << "** | **" << total.caveats << "** |\n\n";
  out << total.live << " of " << total.cards << " cards have a live demonstration: **Show me** loads a preset for "
      << total.presets << " of them and opens the **ConvNet calculator** on a preset for " << total.calc << ". "
      << total.tested << " of those demos have a claim test that runs the engine on them. "
      << total.text << " cards are facts shown as text";
  if (total.missing > 0) out << " (" << total.missing << " of them name a demo that is not built yet)";
  out << ", and " << total.caveats << " carry a caveat where the deck's claim is wrong or needs a condition.\n";
  return out.str();
}

TEST_CASE("the README's coverage table is the one assets/cards.json gives", "[cards]") {
  const CardDeck deck = load_card_deck(read_asset("cards.json"));
  const std::string table = coverage_table(deck, test_tags());
  const std::string readme = read_asset("../README.md");
  const std::string begin = "<!-- coverage table: generated by tests/core/test_cards.cpp -->\n";
  const std::string end = "<!-- end of coverage table -->";
  const size_t b = readme.find(begin), e = readme.find(end);
  INFO("README.md needs the markers\n" << begin << end);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  REQUIRE(b < e);
  const std::string current = readme.substr(b + begin.size(), e - b - begin.size());
  INFO("The README's concepts section is out of date. Replace the text between the markers with:\n\n" << table);
  CHECK(current == "\n" + table + "\n");
}
