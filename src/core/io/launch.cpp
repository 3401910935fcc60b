// launch.cpp: start-up options (page parameters and command-line flags) and
// the preset catalogue.
#include "core/io/launch.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/models/convnet_calc.h"

namespace nn {

template <>
std::span<const EnumRow<UiLayout>> enum_rows<UiLayout>() {
  static const EnumRow<UiLayout> rows[] = {
      {UiLayout::Full, "full", "Full", "Every panel: the whole playground."},
      {UiLayout::Compact, "compact", "Compact",
       "The canvas first, with a short bar of the chosen controls: for a demo embedded in notes."},
      {UiLayout::Canvas, "canvas", "Canvas only", "The canvas with Play, Step and Reset: the smallest demo."},
  };
  return rows;
}

template <>
std::span<const EnumRow<Control>> enum_rows<Control>() {
  static const EnumRow<Control> rows[] = {
      {Control::Play, "play", "Play", "Start and pause training."},
      {Control::Step, "step", "Step", "One training step."},
      {Control::Reset, "reset", "Reset", "Re-initialise the model."},
      {Control::Lr, "lr", "Learning rate", "The learning rate slider."},
      {Control::Reg, "reg", "Regularisation", "The regularisation kind and strength lambda."},
      {Control::Loss, "loss", "Loss", "Softmax, SVM and the other losses."},
      {Control::Optim, "optim", "Optimiser", "SGD, Momentum, Adam, ..."},
      {Control::Batch, "batch", "Batch size", "The minibatch size."},
      {Control::Layers, "layers", "Hidden layers", "Number and width of the hidden layers."},
      {Control::Act, "act", "Activation", "The hidden layers' activation."},
      {Control::Model, "model", "Model", "kNN, linear classifier or network, and k for kNN."},
      {Control::Data, "data", "Data", "The data generator and its points."},
      {Control::Speed, "speed", "Speed", "Training steps per frame."},
      {Control::Stats, "stats", "Statistics", "Step, loss and accuracy under the canvas."},
  };
  return rows;
}

std::vector<Control> default_controls(UiLayout ui) {
  switch (ui) {
    case UiLayout::Canvas: return {Control::Play, Control::Step, Control::Reset};
    case UiLayout::Compact: return {Control::Play, Control::Step, Control::Reset, Control::Lr, Control::Stats};
    case UiLayout::Full: break;
  }
  std::vector<Control> all;
  for (const EnumRow<Control>& r : enum_rows<Control>()) all.push_back(r.value);
  return all;
}

std::vector<Control> shown_controls(const LaunchOptions& o) {
  return o.controls.empty() ? default_controls(o.ui) : o.controls;
}

static std::string joined(const std::vector<std::string>& items, size_t max_items = 1000) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max_items) out += ", ...";
  return out;
}

// A value as it appears in a message: quoted, shortened, control bytes shown as '?'.
static std::string shown_value(const std::string& v) {
  std::string s = v.size() > 40 ? v.substr(0, 37) + "..." : v;
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 32 || c == 127) c = '?';
  return "\"" + s + "\"";
}

bool set_launch_option(LaunchOptions& o, const std::string& key, const std::string& value,
                       const std::vector<std::string>& known_presets) {
  const auto bad = [&](const std::string& message) {
    o.errors.push_back(key + ": " + message);
    return false;
  };
  if (key == "preset") {
    if (std::find(known_presets.begin(), known_presets.end(), value) == known_presets.end())
      return bad("no preset " + shown_value(value) + " in this build (known: " + joined(known_presets) + ")");
    o.preset = value;
    return true;
  }
  if (key == "ui") {
    UiLayout ui;
    if (!from_string(value, ui)) return bad("unknown layout " + shown_value(value) + " (use one of " + enum_ids<UiLayout>() + ")");
    o.ui = ui;
    return true;
  }
  if (key == "controls") {
    std::vector<Control> list;
    std::vector<std::string> unknown;
    std::stringstream ss(value);
    for (std::string item; std::getline(ss, item, ',');) {
      if (item.empty()) continue;
      Control c;
      if (!from_string(item, c)) unknown.push_back(shown_value(item));
      else if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
    }
    if (!unknown.empty())
      return bad("unknown control" + std::string(unknown.size() > 1 ? "s " : " ") + joined(unknown, 5) +
                 " (use a comma-separated list of " + enum_ids<Control>() + ")");
    if (list.empty()) return bad("the list is empty (use a comma-separated list of " + enum_ids<Control>() + ")");
    o.controls = list;
    return true;
  }
  if (key == "autoplay") {
    if (value.empty() || value == "1" || value == "true") o.autoplay = true;
    else if (value == "0" || value == "false") o.autoplay = false;
    else return bad("must be empty, 1, true, 0 or false (got " + shown_value(value) + ")");
    return true;
  }
  o.errors.push_back("unknown parameter " + shown_value(key) + " (known: preset, ui, controls, autoplay)");
  return false;
}

// %XX and '+' decoding; a malformed escape is kept as it is.
static std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto hex = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else out += s[i];
  }
  return out;
}

LaunchOptions parse_launch_query(const std::string& query, const std::vector<std::string>& known_presets) {
  LaunchOptions o;
  std::string q = query;
  if (const size_t hash = q.find('#'); hash != std::string::npos) q.erase(hash);
  if (!q.empty() && q[0] == '?') q.erase(0, 1);
  if (q.size() > 4096) {
    o.errors.push_back("the page address's parameters are too long (" + std::to_string(q.size()) +
                       " characters, at most 4096)");
    return o;
  }
  std::stringstream ss(q);
  for (std::string part; std::getline(ss, part, '&');) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    const std::string key = url_decode(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : url_decode(part.substr(eq + 1));
    if (key == "build" || key == "s") continue;  // the page shell's
    set_launch_option(o, key, value, known_presets);
  }
  return o;
}

std::string launch_query(const LaunchOptions& o) {
  std::string q;
  const auto add = [&](const std::string& part) { q += (q.empty() ? "?" : "&") + part; };
  if (!o.preset.empty()) add("preset=" + o.preset);
  if (o.ui != UiLayout::Full) add(std::string("ui=") + to_string(o.ui));
  if (!o.controls.empty()) {
    std::string list;
    for (Control c : o.controls) list += (list.empty() ? "" : ",") + std::string(to_string(c));
    add("controls=" + list);
  }
  if (o.autoplay) add("autoplay");
  return q;
}

// ---- Presets -------------------------------------------------------------------

bool is_convnet_preset(const std::string& id) { return id.rfind("convnet-", 0) == 0; }

std::vector<std::string> preset_ids(const std::string& assets_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(assets_dir + "/presets", ec))
    if (e.path().extension() == ".json") ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : convnet_preset_ids()) ids.push_back(id);
  return ids;
}

Session load_preset(const std::string& assets_dir, const std::string& id) {
  const bool plain = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!plain) throw SessionError("preset: " + shown_value(id) + " is not a preset id (lower-case letters, digits, '-')");
  if (is_convnet_preset(id))
    throw SessionError("preset: " + id + " opens the ConvNet calculator; it has no network to train");
  const std::string path = assets_dir + "/presets/" + id + ".json";
  std::ifstream f(path, std::ios::binary);
  if (!f) throw SessionError("preset: no preset \"" + id + "\" in this build (no " + path + ")");
  std::ostringstream text;
  text << f.rdbuf();
  try {
    return load_session(text.str());
  } catch (const SessionError& e) {
    throw SessionError("preset " + id + ": " + e.what());
  }
}

}  // namespace nn
