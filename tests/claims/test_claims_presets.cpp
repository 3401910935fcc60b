// Every preset a card names loads as a valid session, says what to look at,
// and uses only the "ui" keys the app understands, with the right types.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "claims_common.h"
#include "core/io/source_paths.h"

using namespace nn;
using json = nlohmann::json;

TEST_CASE("every card demo with a preset file loads and is well formed", "[claims][presets]") {
  std::ifstream f(nn::source_assets_dir() + "/cards.json");
  REQUIRE(f);
  const json cards = json::parse(f);
  std::set<std::string> ids;
  for (const json& c : cards["cards"])
    if (c["demo"].is_string()) ids.insert(c["demo"].get<std::string>());
  int loaded = 0;
  for (const std::string& id : ids) {
    if (id.rfind("convnet-", 0) == 0) continue;  // ConvNet calculator presets, not sessions
    std::string text;
    try {
      text = claims::preset_text(id);
    } catch (const std::runtime_error&) {
      continue;  // a text-only card
    }
    INFO("preset " << id);
    const Session s = load_session(text);
    REQUIRE_FALSE(s.name.empty());
    REQUIRE(s.description.size() > 40);
    // The app reads these keys (apply_session); nothing else is expected.
    for (auto it = s.ui.begin(); it != s.ui.end(); ++it) {
      INFO("ui key " << it.key());
      const std::string& k = it.key();
      if (k == "play" || k == "plot_log" || k == "show_validation" || k == "show_preprocessed")
        REQUIRE(it->is_boolean());
      else if (k == "steps_per_frame" || k == "heat_class")
        REQUIRE(it->is_number_integer());
      else if (k == "gradcheck")
        REQUIRE(it->is_object());  // its fields are validated by load_session (GradCheckSettings)
      else
        FAIL("unknown ui key");
    }
    // The raw file keeps its data short: a generator, not a list of points.
    REQUIRE(json::parse(text)["data"].contains("generator"));
    ++loaded;
  }
  REQUIRE(loaded >= 35);
}
