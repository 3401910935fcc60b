// launch.h: how nnplay is asked to start. On the web these are the page
// address's parameters (?preset=svm-vs-softmax&ui=compact&controls=play,step,lr
// &autoplay); natively the same options on the command line (--preset, --ui,
// --controls, --autoplay). Every value is validated: a bad one leaves its
// default and adds one sentence to `errors`, which the app shows in a notice.
#pragma once
#include <string>
#include <vector>

#include "core/io/session.h"
#include "core/spec.h"

namespace nn {

// How much of the app an (embedded) page shows.
//   full:    everything (the default)
//   compact: the canvas first, then a short bar of the chosen controls
//   canvas:  the canvas and Play/Step/Reset only
enum class UiLayout { Full, Compact, Canvas };
template <> std::span<const EnumRow<UiLayout>> enum_rows<UiLayout>();

// The controls a compact demo may show (?controls=play,step,lr).
enum class Control { Play, Step, Reset, Lr, Reg, Loss, Optim, Batch, Layers, Act, Model, Data, Speed, Stats };
template <> std::span<const EnumRow<Control>> enum_rows<Control>();

struct LaunchOptions {
  std::string preset;             // "" = the start-up example; a playground or ConvNet-calculator preset id
  UiLayout ui = UiLayout::Full;
  std::vector<Control> controls;  // as given, no repeats; empty = default_controls(ui)
  bool autoplay = false;          // start training once visible (embedded) or at once
  std::vector<std::string> errors;
};

// What ?ui=compact shows without ?controls=.
std::vector<Control> default_controls(UiLayout ui);
// The controls to show for `o`: o.controls if given, else the default set.
std::vector<Control> shown_controls(const LaunchOptions& o);

// One option by name ("preset", "ui", "controls", "autoplay"); `known_presets`
// validates the preset id. Returns false (and appends to o.errors) for an
// unknown name or bad value. "autoplay" takes "", "1", "true", "0", "false".
bool set_launch_option(LaunchOptions& o, const std::string& key, const std::string& value,
                       const std::vector<std::string>& known_presets);

// A page's query string ("?a=b&c", the '?' optional; %XX and '+' decoded).
// "build" and "s" are the page shell's and are accepted and ignored.
LaunchOptions parse_launch_query(const std::string& query, const std::vector<std::string>& known_presets);

// The query string that reproduces `o` (for the Share window's snippet):
// "?preset=x&ui=compact&controls=play,step&autoplay"; "" for the defaults.
std::string launch_query(const LaunchOptions& o);

// ---- Presets -------------------------------------------------------------------
// Every preset id: the playground presets (assets_dir/presets/<id>.json,
// sorted) then the ConvNet calculator's ("convnet-..."). 
std::vector<std::string> preset_ids(const std::string& assets_dir);
bool is_convnet_preset(const std::string& id);
// A playground preset as a session. Throws SessionError naming the id (and
// the field, for a preset that does not load).
Session load_preset(const std::string& assets_dir, const std::string& id);

}  // namespace nn
