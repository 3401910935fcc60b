// session.h: a whole playground state (data, model description, UI state) as
// versioned JSON for saved files and presets, and as a compact URL fragment.
// Loading validates every field and names the offending one on error.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/dataset.h"
#include "core/spec.h"
#include "core/train/engine.h"

namespace nn {

// The version this build writes. Files with a larger version are refused.
// Version 2 added "model" (a trained model); version 3 added "runs" (a
// comparison of up to kMaxRuns configurations); version 4 a trained model
// for each run of a comparison ("runs"[i]."model"). A session keeps the
// lowest version its content needs (one loaded as version 3 and saved
// without run models stays 3), and every older file loads unchanged.
constexpr int kSessionVersion = 4;

// One run of a comparison: a name for the legends and panels, and its whole
// model description. All runs share the session's points (and so their
// train/validation split); each spec carries its own seed (equal in the
// presets, so the runs start from the same minibatch order).
struct SessionRun {
  std::string name;
  ModelSpec spec;
  // Runs B, C, D: their trained model ("with trained model"; version 4).
  // Run A's is the session's `trained`, so runs[0].trained stays empty.
  std::optional<TrainedState> trained;
  // Name and spec, and whether a model is present (the model's values are
  // compared through the saved text and the predictions in the tests).
  bool operator==(const SessionRun& o) const {
    return name == o.name && spec == o.spec && trained.has_value() == o.trained.has_value();
  }
};

// The generator description a session's "data" was made from (presets keep
// their points short this way: "data": {"generator": {...}}), so that a UI
// can show it in its generator menus. load_session fills it; save_session
// writes the points, not this (like "play", it is read only).
struct DataGenerator {
  bool regression = false;         // reg_kind applies (else kind)
  DataGen kind = DataGen::Blobs;   // classification generators
  RegGen reg_kind = RegGen::Sine;  // regression generators
  int n = 200;
  int classes = 2;                 // classification only
  double noise = 0.1;
  uint64_t seed = 1;
  double val_ratio = 0;
  int outliers = 0;                // regression only: add_outliers(k, x, y)
  double outlier_x = 0, outlier_y = 0;
  bool operator==(const DataGenerator&) const = default;
};

struct Session {
  int version = kSessionVersion;
  Dataset data;
  std::optional<DataGenerator> generator;  // set when "data" held a "generator"
  ModelSpec spec;
  std::string name;
  std::string description;
  // Display settings: a flat object of the keys of SessionUi below, each a
  // scalar of its type (load_session refuses anything else).
  nlohmann::json ui = nlohmann::json::object();
  // "With trained model": the parameters, batchnorm statistics, counters and
  // optimiser state, so that loading shows the same decision regions at once
  // (Trainer::trained_state / load_trained). Absent: "settings only".
  std::optional<TrainedState> trained;
  // A comparison: empty for one run, else 2..kMaxRuns runs A, B, ... with
  // runs[0].spec == spec (run A is the session's spec; `trained`, if any, is
  // run A's; each other run may carry its own in runs[i].trained, else it
  // starts fresh). In the file (version 3; version 4 with run models):
  //   "runs": [{"name": "SGD"},
  //            {"name": "SGD + momentum", "spec": {"optim": {"kind": "momentum"}},
  //             "model": {"step": 300, ...}}]   (as "model" below, for that run's spec)
  // Run A has only its name; every other run's "spec" holds only what
  // differs from the session's "spec" (merged over it as a JSON merge patch,
  // RFC 7386: objects merge key by key, arrays such as "hidden" are replaced
  // whole), and the result is checked like "spec" ("runs[1].spec.optim.lr: ...").
  std::vector<SessionRun> runs;
};

// The part of b's description that differs from a's, as a JSON merge patch
// over write_spec(a) (what a run's "spec" holds in a file); {} when equal.
nlohmann::json spec_changes(const ModelSpec& a, const ModelSpec& b);
// a's description with the patch merged over it, validated (path names the
// patch in messages, e.g. "runs[1].spec"). Throws SessionError.
ModelSpec apply_spec_changes(const ModelSpec& a, const nlohmann::json& patch, const std::string& path);
// Run A of a comparison changed from old_a to new_a (e.g. the learning rate
// on an embedded demo's bar): `run` with the same change in every field it
// shares with old_a; a field where the run differs from A (the thing being
// compared) keeps the run's value. Arrays count whole ("hidden"). Throws
// SessionError if the result is not a valid description.
ModelSpec follow_shared_changes(const ModelSpec& run, const ModelSpec& old_a, const ModelSpec& new_a);
// One line per field that differs, "optim.kind: momentum (A: sgd)", for the
// UI's "differs from A" notes; empty when equal.
std::vector<std::string> spec_difference_lines(const ModelSpec& a, const ModelSpec& b);

// The gradient-check panel's settings, kept in a session's "ui" object as
//   "gradcheck": {"open": true, "h": 1e-5, "include_reg": true,
//                 "probe_unit": 2, "probe_pre": -1e-6, "run": true}
// (every key optional). probe_unit > 0 checks one probe input instead of the
// training points: the first training point moved until first-layer unit
// probe_unit (1-based) has input probe_pre (see place_on_kink in gradcheck.h).
// run: check as soon as the session is loaded.
struct GradCheckSettings {
  bool open = false;
  double h = 1e-5;           // kMinGradCheckStep..kMaxGradCheckStep
  bool include_reg = true;
  int probe_unit = 0;        // 0: no probe
  double probe_pre = -1e-6;  // |probe_pre| <= 1
  bool run = false;
  bool operator==(const GradCheckSettings&) const = default;
};
// Reads ui["gradcheck"] (the defaults when it is absent); throws SessionError
// naming the field ("ui.gradcheck.h: ..."). load_session validates it too.
GradCheckSettings read_gradcheck_settings(const nlohmann::json& ui);
nlohmann::json write_gradcheck_settings(const GradCheckSettings& g);

// The display settings a session carries in its "ui" object. One list of
// keys (ui_keys in session.cpp) serves both read_session_ui and
// write_session_ui, so a setting cannot be read and then lost on save.
struct SessionUi {
  bool play = false;               // "play": start training on load (read only: a saved session opens paused)
  int steps_per_frame = 5;         // "steps_per_frame", 1..kUiMaxStepsPerFrame
  bool plot_log = true;            // "plot_log": losses on a log scale
  bool show_validation = true;     // "show_validation": draw the validation points
  int heat_class = -1;             // "heat_class": -1 class regions, c: class c's probability
  bool show_preprocessed = false;  // "show_preprocessed": the points as the model sees them
  // The image mode: whether it is open, its set (0 Fashion-MNIST, 1 MNIST),
  // model (0 kNN, 1 linear, 2 MLP, 3 ConvNet), training and test image
  // counts, and kNN's k ("image_mode", "image_set", "image_model",
  // "image_train", "image_test", "image_k").
  bool image_mode = false;
  int image_set = 0;
  int image_model = 1;
  int image_train = 5000;
  int image_test = 1000;
  int image_k = 5;
  GradCheckSettings gradcheck;     // "gradcheck" (an object; its "run" is read only, as "play"; written when not default)
  bool operator==(const SessionUi&) const = default;
};

// Reads the keys present in `ui` over `out` (a missing key keeps out's value;
// numbers are clamped into their range; other keys are ignored). Returns ""
// or a sentence naming the keys of the wrong type, which keep out's value.
std::string read_session_ui(const nlohmann::json& ui, SessionUi& out);
// Every key but "play".
nlohmann::json write_session_ui(const SessionUi& u);

// A session that cannot be loaded. The message starts with the path of the
// offending field, e.g. "spec.optim.lr: must be a number in (0, 10] (got -3)".
class SessionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Pretty JSON, keys in a fixed order, every spec field written out; one line
// per data point and per matrix of a trained model. save -> load -> save gives the same text. Two exceptions
// to "every field": each hidden layer writes its "type" and only the fields
// that type reads (spec.h), and "input" (width, height, depth) appears only
// for image models. A small ConvNet on 8x8 grey images:
//   "input": {"width": 8, "height": 8, "depth": 1},
//   "hidden": [
//     {"type": "conv", "filters": 4, "size": 3, "stride": 1, "pad": 1, "act": "relu",
//      "alpha": 0.01, "batchnorm": false, "dropout_keep": 1.0},
//     {"type": "pool", "size": 2, "stride": 2},
//     {"type": "fc", "width": 16, "act": "relu", "alpha": 0.01, "maxout_k": 2,
//      "batchnorm": false, "dropout_keep": 1.0}]
std::string save_session(const Session& s);

// Parses and validates. Missing fields take the defaults of spec.h (only
// "version" is required; a layer without "type" is fully connected, a pool
// layer defaults to 2 x 2 with stride 2), unknown keys are errors (a key of
// another layer type too). A network whose layers cannot be built (see
// net_layout in net.h: conv after fc, filters that do not tile their input,
// ...) is refused with the layer's path, e.g. "spec.hidden[2]: output width
// (7 - 3 + 2*0)/3 + 1 = 2.33 is not an integer; ...". Returns only a fully
// valid session; throws SessionError otherwise.
// "data" holds either "points" (a list) or, to keep presets short, a
// "generator": {"kind": "spiral", "n": 300, "classes": 3, "noise": 0.1,
// "seed": 1, "val_ratio": 0.2} (only "kind" is required; defaults n 200,
// classes 3 for blobs/spiral and 2 otherwise, noise 0.1, seed 1, val_ratio 0),
// made by nn::generate then split_train_val(val_ratio, seed): the same
// description always gives the same points. Saving writes the points.
// Before parsing, text over kMaxSessionBytes or nested deeper than
// kMaxJsonDepth is refused with a message naming the limit; messages quote
// at most 40 characters of a bad value.
// A trained model (version 2, after "ui"):
//   "model": {"step": 1200, "epoch": 48.0,
//     "params": [
//       {"name": "W1", "shape": [16, 2], "values": [0.12, -0.5, ...]}, ...],
//     "buffers": [],          (batchnorm running_mean<i>, running_var<i>)
//     "optimizer": {"kind": "adam", "t": 1200, "state": [
//       {"name": "m.W1", "shape": [16, 2], "values": [...]}, ...]}}
// values are row-major and written with enough digits to read back exactly.
// The matrices must be those of the network the spec builds, in its order,
// with its shapes; otherwise the session is refused with the field named,
// e.g. "model.params[2].shape: is [8, 16] but the spec's network needs
// [16, 16] for W2". The optimiser's kind must be spec.optim.kind.
Session load_session(const std::string& text);

// The session as a URL-fragment-safe string and back: "z." followed by the
// base64url (no padding) of the raw-deflated minified JSON. decode also reads
// the older uncompressed form (base64url of the JSON, no prefix). It throws
// SessionError ("url: ...") for characters outside base64url, a cut-short or
// corrupt stream, one that unpacks to more than kMaxSessionBytes, a
// fragment over kMaxLinkChars and decoded text over the depth limit.
// Sizes (test "link sizes", tag [.link_size]): a 1,000-point session with a
// trained 2-16-16-3 network is about 34,000 characters, 44,000 with Adam's
// state; settings only about 29,000. See kShareLinkChars.
constexpr char kLinkDeflatePrefix[] = "z.";
std::string encode_session_url(const Session& s);
Session decode_session_url(const std::string& fragment);

// base64url (RFC 4648 section 5, without '=' padding), exposed for tests.
std::string base64url_encode(const std::string& bytes);
// Throws SessionError naming the first bad character or a bad length.
std::string base64url_decode(const std::string& text);

}  // namespace nn
