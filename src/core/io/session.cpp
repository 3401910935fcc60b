// session.cpp: Session <-> JSON. The model description's parts list their
// fields once (fields_of), and that list both writes and reads them; the data,
// the trained model and the ui have a write_x and a read_x side by side.
// Reading validates every field and throws a SessionError whose message
// starts with the field's path.
#include "core/io/session.h"

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstring>
#include <sstream>
#include <type_traits>

#include "core/data/preprocess.h"
#include "core/io/compress.h"
#include "core/limits.h"
#include "core/models/net.h"
#include "core/train/optim.h"

namespace nn {

using json = nlohmann::json;           // what we read (key order does not matter)
using ojson = nlohmann::ordered_json;  // what we write (keys in a fixed, readable order)

namespace {

// ---- Reading helpers ----------------------------------------------------------

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw SessionError(path + ": " + message);
}

// Invalid UTF-8 in a string is replaced rather than refused, so saving never fails.
template <class J>
std::string dump_text(const J& j, int indent = -1) {
  return j.dump(indent, ' ', false, J::error_handler_t::replace);
}

// Writes v as JSON into out but stops once out holds more than `limit`
// characters: a huge or deep value costs no more than the message shows.
// Each level writes a character before descending, so the recursion is at
// most limit + 1 deep whatever v's depth.
void show_into(const json& v, std::string& out, size_t limit) {
  if (out.size() > limit) return;
  if (v.is_object() || v.is_array()) {
    out += v.is_object() ? '{' : '[';
    bool first = true;
    for (auto it = v.begin(); it != v.end() && out.size() <= limit; ++it) {
      if (!first) out += ',';
      first = false;
      if (v.is_object()) out += dump_text(json(it.key().substr(0, limit))) + ':';
      show_into(*it, out, limit);
    }
    out += v.is_object() ? '}' : ']';
  } else if (v.is_string()) {
    out += dump_text(json(v.get_ref<const std::string&>().substr(0, limit + 1)));
  } else {
    out += v.dump();
  }
}

// A JSON value as it appears in "(got ...)", at most 40 characters.
std::string show(const json& v) {
  std::string s;
  show_into(v, s, 40);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  if (v.is_number()) return s;
  return std::string(v.type_name()) + " " + s;
}

std::string megabytes(size_t bytes) {
  std::ostringstream os;
  os.precision(bytes < (10u << 20) ? 2 : 3);
  os << double(bytes) / double(1u << 20) << " MB";
  return os.str();
}

// Checks the raw text against the session limits before anything parses it:
// at most kMaxSessionBytes, nested at most kMaxJsonDepth arrays/objects deep.
// (A deeper value would be copied and printed by recursion, which overflows
// the stack, and a deep "ui" grows enormous when saved.) One linear scan that
// skips strings; brackets it miscounts in broken text only make the parser's
// own error come first.
void check_text_limits(const std::string& text, const std::string& where) {
  if (text.size() > kMaxSessionBytes)
    fail(where, "the session is too large: at most " + megabytes(kMaxSessionBytes) + " (" +
                    std::to_string(kMaxSessionBytes) + " bytes; got " + std::to_string(text.size()) + ")");
  int depth = 0, deepest = 0;
  size_t first_too_deep = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (depth == kMaxJsonDepth + 1 && first_too_deep == 0) first_too_deep = i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  if (deepest > kMaxJsonDepth)
    fail(where, "nested too deeply: " +
                    limit_message("levels of nested arrays and objects", kMaxJsonDepth, deepest) +
                    ", first exceeded at character " + std::to_string(first_too_deep + 1));
}

std::string fmt(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// The fields of one JSON object at `path`. Every getter records its key as
// known; finish() then rejects any key nobody asked for (typos in presets).
// Getters leave `out` untouched when the key is missing: the default stays.
class Fields {
 public:
  Fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j.is_object()) fail(path_, "must be an object (got " + show(j) + ")");
  }

  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  const json* find(const char* key) {
    known_.push_back(key);
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }

  // A finite number in the range lo..hi; an open end excludes the bound.
  void number(const char* key, double& out, double lo, double hi, bool lo_open = false,
              bool hi_open = false) {
    const json* v = find(key);
    if (!v) return;
    const std::string range = std::string(lo_open ? "(" : "[") + fmt(lo) + ", " + fmt(hi) +
                              (hi_open ? ")" : "]");
    if (!v->is_number()) fail(at(key), "must be a number in " + range + " (got " + show(*v) + ")");
    const double d = v->get<double>();
    const bool ok =
        std::isfinite(d) && (lo_open ? d > lo : d >= lo) && (hi_open ? d < hi : d <= hi);
    if (!ok) fail(at(key), "must be a number in " + range + " (got " + show(*v) + ")");
    out = d;
  }

  void integer(const char* key, int& out, int lo, int hi) {
    const json* v = find(key);
    if (!v) return;
    const std::string want =
        "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
    if (!is_integral(*v)) fail(at(key), want + " (got " + show(*v) + ")");
    const double d = v->get<double>();
    if (d < lo || d > hi) fail(at(key), want + " (got " + show(*v) + ")");
    out = int(d);
  }

  void seed(const char* key, uint64_t& out) {
    const json* v = find(key);
    if (!v) return;
    if (v->is_number_unsigned()) {
      out = v->get<uint64_t>();
      return;
    }
    // Non-negative integers parse as unsigned; what is left may be a whole float.
    const bool whole = is_integral(*v) && v->get<double>() >= 0 && v->get<double>() < 0x1.0p64;
    if (!whole) fail(at(key), "must be a non-negative integer (got " + show(*v) + ")");
    out = uint64_t(v->get<double>());
  }

  void boolean(const char* key, bool& out) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) fail(at(key), "must be true or false (got " + show(*v) + ")");
    out = v->get<bool>();
  }

  void text(const char* key, std::string& out, size_t max_len) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_string()) fail(at(key), "must be a string (got " + show(*v) + ")");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max_len)
      fail(at(key), "is too long (" + std::to_string(s.size()) + " characters, at most " +
                        std::to_string(max_len) + ")");
    out = s;
  }

  template <class E>
  void enumeration(const char* key, E& out) {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_string())
      fail(at(key), "must be one of " + enum_ids<E>() + " (got " + show(*v) + ")");
    if (!from_string(v->get<std::string>(), out))
      fail(at(key), "unknown name \"" + v->get<std::string>() + "\" (expected one of " +
                        enum_ids<E>() + ")");
  }

  // A nested part (see fields_of below); left as it is when the key is missing.
  template <class T>
  void part(const char* key, T& out);

  // A list of hidden layers, at most kMaxHiddenLayers.
  void layers(const char* key, std::vector<HiddenLayerSpec>& out);

  // Keys that must be present when the object is given at all.
  void require(std::initializer_list<const char*> keys, const char* why) const {
    for (const char* key : keys)
      if (!j_.contains(key)) fail(at(key), std::string("missing (") + why + ")");
  }

  void finish() const {
    std::string unknown;
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool ok = false;
      for (const char* k : known_) ok = ok || it.key() == k;
      if (!ok) unknown += std::string(unknown.empty() ? "" : ", ") + "\"" + it.key() + "\"";
    }
    if (unknown.empty()) return;
    std::string allowed;
    for (const char* k : known_) allowed += std::string(allowed.empty() ? "" : ", ") + k;
    fail(path_.empty() ? "(top level)" : path_,
         "unknown key " + unknown + " (allowed: " + allowed + ")");
  }

 private:
  static bool is_integral(const json& v) {
    if (v.is_number_integer()) return true;  // also covers unsigned
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d);
  }

  const json& j_;
  std::string path_;
  std::vector<const char*> known_;
};

// ---- The description, part by part --------------------------------------------
//
// Each part lists its fields once, in fields_of: the key, the member and the
// range a file may give. The same list writes the part (Writer, keys in the
// order listed) and reads it back (Fields, every value checked); a part is
// written as a const object, so `if constexpr (writing<S>)` marks what only
// one side does.

template <class S>
constexpr bool writing = std::is_const_v<S>;
template <class S, class T>
concept PartOf = std::same_as<std::remove_const_t<S>, T>;

template <class S>
ojson write_part(const S& x);

// The writing side of a field list (the ranges are the reader's business).
class Writer {
 public:
  ojson j = ojson::object();
  void number(const char* key, double v, double = 0, double = 0, bool = false, bool = false) { j[key] = v; }
  void integer(const char* key, int v, int = 0, int = 0) { j[key] = v; }
  void boolean(const char* key, bool v) { j[key] = v; }
  void seed(const char* key, uint64_t v) { j[key] = v; }
  template <class E>
  void enumeration(const char* key, E v) { j[key] = to_string(v); }
  template <class T>
  void part(const char* key, const T& x) { j[key] = write_part(x); }
  void layers(const char* key, const std::vector<HiddenLayerSpec>& hs) {
    ojson a = ojson::array();
    for (const HiddenLayerSpec& h : hs) a.push_back(write_part(h));
    j[key] = std::move(a);
  }
  void require(std::initializer_list<const char*>, const char*) {}
};

template <class S>
ojson write_part(const S& x) {
  Writer w;
  fields_of(w, x);
  return std::move(w.j);
}
template <class S>
S read_part(const json& j, const std::string& path) {
  S x;
  Fields f(j, path);
  fields_of(f, x);
  f.finish();
  return x;
}
template <class T>
void Fields::part(const char* key, T& out) {
  if (const json* v = find(key)) out = read_part<T>(*v, at(key));
}

void Fields::layers(const char* key, std::vector<HiddenLayerSpec>& out) {
  const json* v = find(key);
  if (!v) return;
  const std::string path = at(key);
  if (!v->is_array()) fail(path, "must be an array of layers (got " + show(*v) + ")");
  if (v->size() > size_t(kMaxHiddenLayers))
    fail(path, limit_message("hidden layers", kMaxHiddenLayers, (long long)v->size()));
  out.clear();
  for (size_t i = 0; i < v->size(); ++i)
    out.push_back(read_part<HiddenLayerSpec>((*v)[i], path + "[" + std::to_string(i) + "]"));
}

template <class V, PartOf<KnnSpec> S>
void fields_of(V& v, S& k) {
  v.integer("k", k.k, 1, 1000);
  v.enumeration("metric", k.metric);
  v.boolean("weighted", k.weighted);
}

// A hidden layer has its type and the fields that type reads (spec.h); the
// others are refused as unknown keys. A file may leave "type" out for a fully
// connected layer (older files do).
template <class V, PartOf<HiddenLayerSpec> S>
void fields_of(V& v, S& h) {
  v.enumeration("type", h.type);
  if constexpr (!writing<S>)
    if (h.type == LayerType::Pool) h = HiddenLayerSpec::pool();  // its defaults: 2 x 2, stride 2
  switch (h.type) {
    case LayerType::FC:
      v.integer("width", h.width, 1, kMaxLayerWidth);
      v.enumeration("act", h.act);
      v.number("alpha", h.alpha, 0, 10);
      v.integer("maxout_k", h.maxout_k, 1, kMaxMaxoutPieces);
      v.boolean("batchnorm", h.batchnorm);
      v.number("dropout_keep", h.dropout_keep, 0, 1, /*lo_open=*/true);
      break;
    case LayerType::Conv:
      v.integer("filters", h.filters, 1, kMaxFilters);
      v.integer("size", h.size, 1, kMaxFilterSize);
      v.integer("stride", h.stride, 1, kMaxStride);
      v.integer("pad", h.pad, 0, kMaxPad);
      v.enumeration("act", h.act);  // not maxout: check_layers refuses it
      v.number("alpha", h.alpha, 0, 10);
      v.boolean("batchnorm", h.batchnorm);
      v.number("dropout_keep", h.dropout_keep, 0, 1, /*lo_open=*/true);
      break;
    case LayerType::Pool:
      v.integer("size", h.size, 1, kMaxFilterSize);
      v.integer("stride", h.stride, 1, kMaxStride);
      break;
  }
}

// Only image models have one: a flat (2D) spec is written without "input".
template <class V, PartOf<InputShape> S>
void fields_of(V& v, S& in) {
  v.require({"width", "height", "depth"}, "an image input needs width, height and depth");
  v.integer("width", in.width, 1, kMaxImageSide);
  v.integer("height", in.height, 1, kMaxImageSide);
  v.integer("depth", in.depth, 1, kMaxImageDepth);
}

template <class V, PartOf<LossSpec> S>
void fields_of(V& v, S& l) {
  v.enumeration("kind", l.kind);
  v.number("delta", l.delta, 0, 100);
  v.enumeration("reg", l.reg);
  v.number("lambda", l.lambda, 0, 1e3);
  v.number("l1_ratio", l.l1_ratio, 0, 1);
}

template <class V, PartOf<InitSpec> S>
void fields_of(V& v, S& i) {
  v.enumeration("kind", i.kind);
  v.number("constant", i.constant, -10, 10);
  v.number("bias", i.bias, -10, 10);
  v.boolean("random_bias", i.random_bias);
  v.number("gain", i.gain, 1e-3, 1e3);
}

template <class V, PartOf<OptimSpec> S>
void fields_of(V& v, S& o) {
  v.enumeration("kind", o.kind);
  v.number("lr", o.lr, 0, 10, /*lo_open=*/true);
  v.number("mu", o.mu, 0, 1, false, /*hi_open=*/true);
  v.number("decay_rate", o.decay_rate, 0, 1, false, true);
  v.number("beta1", o.beta1, 0, 1, false, true);
  v.number("beta2", o.beta2, 0, 1, false, true);
  v.number("eps", o.eps, 0, 1, true);
  v.integer("lbfgs_m", o.lbfgs_m, 1, 100);
  v.integer("batch_size", o.batch_size, 0, kMaxBatchSize);
  v.enumeration("schedule", o.schedule);
  v.number("step_epochs", o.step_epochs, 0, 1e6, true);
  v.number("decay", o.decay, 0, 1e3);
  v.number("clip_norm", o.clip_norm, 0, 1e6);
}

template <class V, PartOf<PreprocessSpec> S>
void fields_of(V& v, S& p) {
  v.enumeration("kind", p.kind);
  v.boolean("square", p.square);
  v.boolean("cross", p.cross);
  v.boolean("sines", p.sines);
  v.number("scale", p.scale, kMinInputScale, kMaxInputScale);
  if (!writing<S> || p.image != ImageNorm::None)  // 2D sessions are written as before images
    v.enumeration("image", p.image);
}

template <class V, PartOf<ModelSpec> S>
void fields_of(V& v, S& s) {
  v.enumeration("kind", s.kind);
  v.part("knn", s.knn);
  v.boolean("use_bias", s.use_bias);
  if (!writing<S> || s.input.is_image()) v.part("input", s.input);
  v.layers("hidden", s.hidden);
  v.part("loss", s.loss);
  v.part("init", s.init);
  v.part("optim", s.optim);
  v.part("preprocess", s.preprocess);
  v.enumeration("engine", s.engine);
  v.seed("seed", s.seed);
}

// A network whose layers cannot be built (filters that do not tile their
// input, conv after fc, ...) is refused with the layer's path, as make_model
// would refuse it. Linear and kNN specs ignore their hidden layers.
void check_layers(const ModelSpec& s, const std::string& path) {
  if (s.kind != ModelKind::Net) return;
  const NetLayout layout = net_layout(s);
  if (layout.ok()) return;
  if (layout.bad_layer < 0) fail(path + (s.input.is_image() ? ".input" : ""), layout.problem);
  fail(path + ".hidden[" + std::to_string(layout.bad_layer) + "]", layout.problem);
}

ojson write_spec(const ModelSpec& s) { return write_part(s); }
ModelSpec read_spec(const json& j, const std::string& path) {
  ModelSpec s = read_part<ModelSpec>(j, path);
  check_layers(s, path);
  return s;
}

// ---- The data -----------------------------------------------------------------


// A regression point has no label: a 1D one is x (input) and y (target), a 2D
// one carries its target as "value".
ojson write_point(const Point& p, ProblemKind problem) {
  if (problem == ProblemKind::Regression1D) return {{"x", p.x}, {"y", p.y}, {"validation", p.validation}};
  if (problem == ProblemKind::Regression2D)
    return {{"x", p.x}, {"y", p.y}, {"value", p.value}, {"validation", p.validation}};
  return {{"x", p.x}, {"y", p.y}, {"label", p.label}, {"validation", p.validation}};
}
Point read_point(const json& j, const std::string& path, int num_classes, ProblemKind problem) {
  Point p;
  Fields f(j, path);
  const char* needs = problem == ProblemKind::Classification ? "missing (every point needs x, y and label)"
                      : problem == ProblemKind::Regression2D ? "missing (every point needs x, y and value)"
                                                             : "missing (every point needs x and y)";
  for (const char* key : {"x", "y"}) {
    if (!j.contains(key)) fail(f.at(key), needs);
    f.number(key, key[0] == 'x' ? p.x : p.y, -kMaxCoordinate, kMaxCoordinate);
  }
  if (is_regression(problem)) {
    if (problem == ProblemKind::Regression2D && !j.contains("value")) fail(f.at("value"), needs);
    f.number("value", p.value, -kMaxCoordinate, kMaxCoordinate);
    f.boolean("validation", p.validation);
    f.finish();
    return p;
  }
  if (!j.contains("label")) fail(f.at("label"), needs);
  f.integer("label", p.label, 0, 1 << 30);
  if (p.label >= num_classes)
    fail(f.at("label"), std::to_string(p.label) + " is not below num_classes (" +
                            std::to_string(num_classes) + ")");
  f.boolean("validation", p.validation);
  f.finish();
  return p;
}

ojson write_data(const Dataset& d) {
  ojson points = ojson::array();
  for (const Point& p : d.points) points.push_back(write_point(p, d.problem));
  if (is_regression(d.problem))  // older files (classification) stay as they were
    return {{"problem", to_string(d.problem)}, {"num_classes", d.num_classes}, {"points", points}};
  return {{"num_classes", d.num_classes}, {"points", points}};
}

// A generator description, {"kind": "spiral", "n": 300, "classes": 3,
// "noise": 0.1, "seed": 1, "val_ratio": 0.2}: only "kind" is required.
// The points are made by nn::generate and split by split_train_val with the
// same seed, so the same description always gives the same points.
// A regression generator, {"kind": "sine", "n": 40, "noise": 0.05, "seed": 1,
// "val_ratio": 0, "outliers": 3, "outlier_x": 0.6, "outlier_y": -1}: made by
// nn::generate_regression, then the outliers (training points, listed last)
// by nn::add_outliers.
static Dataset read_regression_generator(const json& j, const std::string& path, DataGenerator& g) {
  Fields f(j, path);
  g = DataGenerator{};
  g.regression = true;
  g.n = 40;
  g.noise = 0.05;
  f.enumeration("kind", g.reg_kind);
  f.integer("n", g.n, 1, kMaxPoints);
  f.number("noise", g.noise, 0, 10);
  f.seed("seed", g.seed);
  f.number("val_ratio", g.val_ratio, 0, 1);
  f.integer("outliers", g.outliers, 0, 100);
  f.number("outlier_x", g.outlier_x, -kGenExtent, kGenExtent);
  f.number("outlier_y", g.outlier_y, -kMaxCoordinate, kMaxCoordinate);
  f.finish();
  Dataset d = generate_regression(g.reg_kind, g.n, g.noise, g.seed);
  split_train_val(d, g.val_ratio, g.seed);
  add_outliers(d, g.outliers, g.outlier_x, g.outlier_y);
  return d;
}

Dataset read_generator(const json& j, const std::string& path, DataGenerator& g) {
  Fields f(j, path);
  RegGen reg_kind;
  if (j.is_object() && j.contains("kind") && j["kind"].is_string() &&
      from_string(j["kind"].get<std::string>(), reg_kind))
    return read_regression_generator(j, path, g);
  if (!j.contains("kind"))
    fail(f.at("kind"), "missing (one of " + enum_ids<DataGen>() + ", " + enum_ids<RegGen>() + ")");
  g = DataGenerator{};
  f.enumeration("kind", g.kind);
  const bool two_class = !gen_has_classes(g.kind);
  g.classes = g.kind == DataGen::Blobs || g.kind == DataGen::Spiral ? 3 : 2;
  f.integer("n", g.n, 1, kMaxPoints);
  f.integer("classes", g.classes, 2, kMaxClasses);
  if (two_class && g.classes != 2)
    fail(f.at("classes"), std::string(to_string(g.kind)) + " data always has 2 classes (got " +
                              std::to_string(g.classes) + "); leave \"classes\" out");
  f.number("noise", g.noise, 0, 10);
  f.seed("seed", g.seed);
  f.number("val_ratio", g.val_ratio, 0, 1);
  f.finish();
  Dataset d = generate(g.kind, g.n, g.classes, g.noise, g.seed);
  split_train_val(d, g.val_ratio, g.seed);
  return d;
}

// "data": the points, or a generator description (then `gen` is set).
Dataset read_data(const json& j, const std::string& path, std::optional<DataGenerator>& gen) {
  Dataset d;
  Fields f(j, path);
  int num_classes = d.num_classes;
  f.integer("num_classes", num_classes, 2, kMaxClasses);
  ProblemKind problem = ProblemKind::Classification;
  f.enumeration("problem", problem);
  const bool has_points = j.is_object() && j.contains("points");
  if (const json* v = f.find("generator")) {
    if (has_points)
      fail(path, "give either \"points\" or \"generator\", not both");
    DataGenerator g;
    d = read_generator(*v, f.at("generator"), g);
    gen = g;
    if (j.contains("problem") && problem != d.problem)
      fail(f.at("problem"), std::string("is ") + to_string(problem) + " but the generator makes " +
                                to_string(d.problem) + " points");
    // "num_classes" may ask the model to score more classes than the data has.
    if (j.contains("num_classes")) {
      if (num_classes < d.num_classes)
        fail(f.at("num_classes"), std::to_string(num_classes) + " is below the generator's " +
                                      std::to_string(d.num_classes) + " classes");
      d.num_classes = num_classes;
    }
  } else {
    d.num_classes = num_classes;
    d.problem = problem;
  }
  if (const json* v = f.find("points")) {
    const std::string at = f.at("points");
    if (!v->is_array()) fail(at, "must be an array of points (got " + show(*v) + ")");
    if (v->size() > size_t(kMaxPoints))
      fail(at, limit_message("points", kMaxPoints, (long long)v->size()));
    d.points.reserve(v->size());
    for (size_t i = 0; i < v->size(); ++i)
      d.points.push_back(read_point((*v)[i], at + "[" + std::to_string(i) + "]", d.num_classes, d.problem));
  }
  f.finish();
  return d;
}

// ---- Display settings ("ui") -------------------------------------------------------

// The one list of ui keys: calls f(key, field, lo, hi, saved) for each
// (lo..hi bound integers; saved says whether the writer writes the key).
template <class U, class F>
void ui_keys(U& u, F&& f) {
  f("play", u.play, 0, 1, false);
  f("steps_per_frame", u.steps_per_frame, 1, kUiMaxStepsPerFrame, true);
  f("plot_log", u.plot_log, 0, 1, true);
  f("show_validation", u.show_validation, 0, 1, true);
  f("heat_class", u.heat_class, -1, kMaxClasses - 1, true);
  f("show_preprocessed", u.show_preprocessed, 0, 1, true);
  f("image_mode", u.image_mode, 0, 1, true);
  f("image_set", u.image_set, 0, 1, true);
  f("image_model", u.image_model, 0, 3, true);
  f("image_train", u.image_train, 1000, kUiMaxImageTrain, true);
  f("image_test", u.image_test, 100, kUiMaxImageTest, true);
  f("image_k", u.image_k, 1, kUiMaxImageK, true);
}

}  // namespace

std::string read_session_ui(const nlohmann::json& ui, SessionUi& out) {
  if (!ui.is_object()) return "";
  std::string problems;
  ui_keys(out, [&](const char* key, auto& field, int lo, int hi, bool) {
    const auto it = ui.find(key);
    if (it == ui.end()) return;
    using T = std::decay_t<decltype(field)>;
    const bool ok = std::is_same_v<T, bool> ? it->is_boolean() : it->is_number();
    if (!ok) {
      problems += (problems.empty() ? "" : ", ") + std::string(key) + " (got " + show(*it) + ")";
      return;
    }
    if constexpr (std::is_same_v<T, bool>) field = it->template get<bool>();
    else {
      // Clamped while still a double: converting 1e300 to int is undefined.
      const double d = it->template get<double>();
      if (!std::isnan(d)) field = int(std::clamp(d, double(lo), double(hi)));
    }
  });
  if (ui.contains("gradcheck")) {
    try {
      out.gradcheck = read_gradcheck_settings(ui);
    } catch (const SessionError& e) {
      problems += (problems.empty() ? "" : ", ") + std::string(e.what());
    }
  }
  return problems;
}

nlohmann::json write_session_ui(const SessionUi& u) {
  nlohmann::json out = nlohmann::json::object();
  ui_keys(u, [&](const char* key, const auto& field, int, int, bool saved) {
    if (saved) out[key] = field;
  });
  GradCheckSettings g = u.gradcheck;
  g.run = false;
  if (!(g == GradCheckSettings{})) out["gradcheck"] = write_gradcheck_settings(g);
  return out;
}

namespace {
// ---- A trained model ------------------------------------------------------------

ojson write_mat(const NamedMat& m) {
  ojson values = ojson::array();
  for (Eigen::Index r = 0; r < m.value.rows(); ++r)
    for (Eigen::Index c = 0; c < m.value.cols(); ++c) values.push_back(m.value(r, c));
  return {{"name", m.name}, {"shape", {m.value.rows(), m.value.cols()}}, {"values", values}};
}

NamedMat read_mat(const json& j, const std::string& path) {
  NamedMat m;
  Fields f(j, path);
  if (j.is_object() && !j.contains("name")) fail(f.at("name"), "missing (every matrix has a name, shape and values)");
  f.text("name", m.name, 64);
  const json* shape = f.find("shape");
  if (!shape) fail(f.at("shape"), "missing (every matrix has a name, shape and values)");
  const bool pair = shape->is_array() && shape->size() == 2 && (*shape)[0].is_number_unsigned() &&
                    (*shape)[1].is_number_unsigned();
  if (!pair) fail(f.at("shape"), "must be [rows, columns] (got " + show(*shape) + ")");
  const uint64_t rows = (*shape)[0].get<uint64_t>(), cols = (*shape)[1].get<uint64_t>();
  if (rows > uint64_t(kMaxLayerWeights) || cols > uint64_t(kMaxLayerWeights) ||
      rows * cols > uint64_t(kMaxLayerWeights))
    fail(f.at("shape"), limit_message("values in one matrix", kMaxLayerWeights, (long long)(rows * cols)));
  const json* values = f.find("values");
  if (!values) fail(f.at("values"), "missing (every matrix has a name, shape and values)");
  if (!values->is_array()) fail(f.at("values"), "must be an array of numbers (got " + show(*values) + ")");
  if (values->size() != rows * cols)
    fail(f.at("values"), "has " + std::to_string(values->size()) + " numbers, shape [" + std::to_string(rows) +
                             ", " + std::to_string(cols) + "] needs " + std::to_string(rows * cols));
  m.value.resize(Eigen::Index(rows), Eigen::Index(cols));
  for (size_t i = 0; i < values->size(); ++i) {
    const json& v = (*values)[i];
    if (!v.is_number() || !std::isfinite(v.get<double>()))
      fail(f.at("values") + "[" + std::to_string(i) + "]", "must be a finite number (got " + show(v) + ")");
    m.value(Eigen::Index(i / cols), Eigen::Index(i % cols)) = v.get<double>();
  }
  f.finish();
  return m;
}

ojson write_mats(const std::vector<NamedMat>& ms) {
  ojson out = ojson::array();
  for (const NamedMat& m : ms) out.push_back(write_mat(m));
  return out;
}

std::vector<NamedMat> read_mats(const json& j, const std::string& path) {
  if (!j.is_array()) fail(path, "must be an array of matrices (got " + show(j) + ")");
  if (j.size() > 4 * size_t(kMaxHiddenLayers + 1) * 4)
    fail(path, limit_message("matrices", 4 * (kMaxHiddenLayers + 1) * 4, (long long)j.size()));
  std::vector<NamedMat> out;
  for (size_t i = 0; i < j.size(); ++i) out.push_back(read_mat(j[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
}

// The saved matrices must be exactly the ones the spec's network has.
void check_mats(const std::vector<NamedMat>& saved, const std::vector<ParamRef>& mine, const std::string& path,
                const char* what) {
  for (size_t i = 0; i < saved.size() && i < mine.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    if (saved[i].name != mine[i].name)
      fail(at + ".name", "is \"" + saved[i].name + "\" but the spec's network has " + mine[i].name + " here");
    if (saved[i].value.rows() != mine[i].value->rows() || saved[i].value.cols() != mine[i].value->cols())
      fail(at + ".shape", "is " + shape_text(saved[i].value.rows(), saved[i].value.cols()) +
                              " but the spec's network needs " +
                              shape_text(mine[i].value->rows(), mine[i].value->cols()) + " for " + mine[i].name);
  }
  if (saved.size() != mine.size()) {
    std::string names;
    for (const ParamRef& p : mine) names += (names.empty() ? "" : ", ") + p.name;
    fail(path, "has " + std::to_string(saved.size()) + " " + what + ", the spec's network has " +
                   std::to_string(mine.size()) + (names.empty() ? "" : " (" + names + ")"));
  }
}

ojson write_model(const TrainedState& t) {
  return {{"step", t.step},
          {"epoch", t.epoch},
          {"params", write_mats(t.params)},
          {"buffers", write_mats(t.buffers)},
          {"optimizer",
           {{"kind", to_string(t.optimizer.kind)}, {"t", t.optimizer.t}, {"state", write_mats(t.optimizer.slots)}}}};
}

// Reads "model" and checks it against the network that `spec` builds for
// `data` (input features from the preprocessing or the image shape, one
// score per class).
TrainedState read_model(const json& j, const std::string& path, const ModelSpec& spec, const Dataset& data) {
  TrainedState t;
  Fields f(j, path);
  if (spec.kind == ModelKind::KNN)
    fail(path, "a kNN model has no trained parameters (it remembers the training points); remove \"model\"");
  uint64_t step = 0;
  f.seed("step", step);
  if (step > (uint64_t(1) << 53)) fail(f.at("step"), limit_message("steps", 1LL << 53, (long long)step));
  t.step = int64_t(step);
  f.number("epoch", t.epoch, 0, 1e15);
  if (const json* v = f.find("params")) t.params = read_mats(*v, f.at("params"));
  if (const json* v = f.find("buffers")) t.buffers = read_mats(*v, f.at("buffers"));
  t.optimizer.kind = spec.optim.kind;
  if (const json* v = f.find("optimizer")) {
    Fields o(*v, f.at("optimizer"));
    o.enumeration("kind", t.optimizer.kind);
    uint64_t steps = 0;
    o.seed("t", steps);
    if (steps > (uint64_t(1) << 53)) fail(o.at("t"), limit_message("steps", 1LL << 53, (long long)steps));
    t.optimizer.t = int64_t(steps);
    if (const json* s = o.find("state")) t.optimizer.slots = read_mats(*s, o.at("state"));
    o.finish();
    if (t.optimizer.kind != spec.optim.kind)
      fail(o.at("kind"), std::string("is ") + to_string(t.optimizer.kind) + " but spec.optim.kind is " +
                             to_string(spec.optim.kind));
  }
  f.finish();

  // The network the spec builds; its random initial values do not matter.
  const int input_dim =
      spec.input.is_image() ? spec.input.size() : int(feature_names(spec.preprocess).size());
  std::unique_ptr<Model> model;
  try {
    Rng rng(spec.seed);
    model = make_model(spec, input_dim, is_regression(data.problem) ? 1 : data.num_classes, rng);
  } catch (const std::exception& e) {
    fail("spec", e.what());
  }
  check_mats(t.params, model->params(), f.at("params"), "parameter matrices");
  check_mats(t.buffers, model->buffers(), f.at("buffers"), "batchnorm statistics");
  if (spec.optim.kind != OptimKind::LBFGS) {
    try {
      make_optimizer(spec.optim)->set_state(t.optimizer, model->params_view());
    } catch (const std::exception& e) {
      fail(f.at("optimizer") + ".state", e.what());
    }
  }
  return t;
}

// ---- The whole session ----------------------------------------------------------

// "ui" is a flat object of the display settings the app knows (ui_keys), each
// a scalar of its own type, plus the gradient-check settings (one level of
// scalars): nothing nests deeper, so nothing in it can grow.
// Stricter than read_session_ui (which clamps and ignores): a file with an
// unknown key or a value out of range is refused with the key named.
json read_ui(const json& j, const std::string& path) {
  Fields f(j, path);
  SessionUi scratch;
  ui_keys(scratch, [&](const char* key, auto& field, int lo, int hi, bool) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, bool>) f.boolean(key, field);
    else f.integer(key, field, lo, hi);
  });
  // The one nested key: the gradient-check panel's settings, a small object
  // of scalars checked field by field ("ui.gradcheck.h: ...").
  if (f.find("gradcheck")) read_gradcheck_settings(j);
  f.finish();
  return j;  // flat and checked: copying it is cheap
}

// The runs of a comparison ("runs", version 3): see Session::runs.
ojson write_runs(const Session& s) {
  ojson runs = ojson::array();
  for (size_t i = 0; i < s.runs.size(); ++i) {
    ojson r = {{"name", s.runs[i].name}};
    if (i > 0) r["spec"] = ojson::parse(spec_changes(s.spec, s.runs[i].spec).dump());
    if (i > 0 && s.runs[i].trained) r["model"] = write_model(*s.runs[i].trained);
    runs.push_back(r);
  }
  return runs;
}

std::vector<SessionRun> read_runs(const json& j, const ModelSpec& spec, const Dataset& data, int version) {
  if (!j.is_array()) fail("runs", "must be an array of runs (got " + show(j) + ")");
  if (j.size() < 2 || j.size() > size_t(kMaxRuns))
    fail("runs", "a comparison has 2 to " + std::to_string(kMaxRuns) + " runs (got " + std::to_string(j.size()) + ")");
  std::vector<SessionRun> runs;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string path = "runs[" + std::to_string(i) + "]";
    Fields f(j[i], path);
    SessionRun r;
    f.text("name", r.name, kMaxRunNameChars);
    r.spec = spec;
    if (const json* v = f.find("spec")) {
      if (i == 0) fail(path + ".spec", "run A's description is the session's \"spec\" (give only its name here)");
      r.spec = apply_spec_changes(spec, *v, path + ".spec");
    }
    if (const json* v = f.find("model")) {
      if (i == 0) fail(path + ".model", "run A's trained model is the session's \"model\"");
      if (version < 4)
        fail(path + ".model", "a run's trained model needs \"version\": 4 (this file says " +
                                  std::to_string(version) + ")");
      r.trained = read_model(*v, path + ".model", r.spec, data);
    }
    f.finish();
    runs.push_back(r);
  }
  return runs;
}

ojson write_session(const Session& s) {
  bool run_models = false;
  for (size_t i = 1; i < s.runs.size(); ++i) run_models = run_models || s.runs[i].trained.has_value();
  const int needed = run_models ? 4 : !s.runs.empty() ? 3 : s.trained ? 2 : 1;
  ojson j = {{"version", std::max(s.version, needed)},
             {"name", s.name},
             {"description", s.description},
             {"data", write_data(s.data)},
             {"spec", write_spec(s.spec)},
             {"ui", s.ui.is_null() ? ojson::object() : ojson::parse(dump_text(s.ui))}};
  if (s.trained) j["model"] = write_model(*s.trained);
  if (!s.runs.empty()) j["runs"] = write_runs(s);
  return j;
}

Session read_session(const json& j) {
  Session s;
  if (!j.is_object()) fail("(top level)", "a session must be a JSON object (got " + show(j) + ")");
  Fields f(j, "");
  if (!j.contains("version"))
    fail("version", "missing (a session file starts with \"version\": " +
                        std::to_string(kSessionVersion) + ")");
  int version = 0;
  f.integer("version", version, 1, 1 << 30);
  if (version > kSessionVersion)
    fail("version", std::to_string(version) + " is newer than this nnplay can read (up to " +
                        std::to_string(kSessionVersion) + "); please update nnplay");
  s.version = version;
  f.text("name", s.name, 200);
  f.text("description", s.description, 20000);
  if (const json* v = f.find("data")) s.data = read_data(*v, "data", s.generator);
  if (const json* v = f.find("spec")) s.spec = read_spec(*v, "spec");
  if (const json* v = f.find("ui")) s.ui = read_ui(*v, "ui");
  if (const json* v = f.find("model")) {
    if (version < 2) fail("model", "a trained model needs \"version\": 2 (this file says " +
                                       std::to_string(version) + ")");
    s.trained = read_model(*v, "model", s.spec, s.data);
  }
  if (const json* v = f.find("runs")) {
    if (version < 3) fail("runs", "a comparison needs \"version\": 3 (this file says " +
                                      std::to_string(version) + ")");
    s.runs = read_runs(*v, s.spec, s.data, version);
  }
  f.finish();
  return s;
}

// nlohmann's messages start with "[json.exception.parse_error.101] " or similar.
std::string parse_error_text(const std::exception& e) {
  std::string m = e.what();
  const size_t close = m.find("] ");
  return close == std::string::npos ? m : m.substr(close + 2);
}

}  // namespace

// ---- Public API ---------------------------------------------------------------

GradCheckSettings read_gradcheck_settings(const json& ui) {
  GradCheckSettings g;
  if (!ui.is_object() || !ui.contains("gradcheck")) return g;
  Fields f(ui.at("gradcheck"), "ui.gradcheck");
  f.boolean("open", g.open);
  f.number("h", g.h, kMinGradCheckStep, kMaxGradCheckStep);
  f.boolean("include_reg", g.include_reg);
  f.integer("probe_unit", g.probe_unit, 0, kMaxLayerWidth);
  f.number("probe_pre", g.probe_pre, -1, 1);
  f.boolean("run", g.run);
  f.finish();
  return g;
}

json write_gradcheck_settings(const GradCheckSettings& g) {
  return {{"open", g.open}, {"h", g.h}, {"include_reg", g.include_reg}, {"probe_unit", g.probe_unit},
          {"probe_pre", g.probe_pre}, {"run", g.run}};
}

// Merge patch from a to b (RFC 7386): changed keys with b's value, objects
// recursively, keys b lacks as null.
static json merge_diff(const json& a, const json& b) {
  if (!a.is_object() || !b.is_object()) return b;
  json patch = json::object();
  for (auto it = b.begin(); it != b.end(); ++it) {
    auto was = a.find(it.key());
    if (was == a.end()) patch[it.key()] = it.value();
    else if (*was != it.value()) patch[it.key()] = merge_diff(*was, it.value());
  }
  for (auto it = a.begin(); it != a.end(); ++it)
    if (!b.contains(it.key())) patch[it.key()] = nullptr;
  return patch;
}

json spec_changes(const ModelSpec& a, const ModelSpec& b) {
  return merge_diff(json::parse(write_spec(a).dump()), json::parse(write_spec(b).dump()));
}

ModelSpec apply_spec_changes(const ModelSpec& a, const json& patch, const std::string& path) {
  if (!patch.is_object()) fail(path, "must be an object of the fields that differ from \"spec\" (got " + show(patch) + ")");
  json merged = json::parse(write_spec(a).dump());
  merged.merge_patch(patch);
  return read_spec(merged, path);
}

// The part of `patch` (a change of run A from old_a) that touches fields a
// run shares with old_a: a key whose value in the run differs from old_a's
// is the run's own and is left out.
static json shared_part(const json& old_a, const json& run, const json& patch) {
  json out = json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const auto a = old_a.find(it.key()), r = run.find(it.key());
    const bool in_a = a != old_a.end(), in_r = r != run.end();
    if (it.value().is_object() && in_a && in_r && a->is_object() && r->is_object()) {
      json sub = shared_part(*a, *r, it.value());
      if (!sub.empty()) out[it.key()] = std::move(sub);
    } else if (in_a == in_r && (!in_a || *a == *r)) {
      out[it.key()] = it.value();
    }
  }
  return out;
}

ModelSpec follow_shared_changes(const ModelSpec& run, const ModelSpec& old_a, const ModelSpec& new_a) {
  const json a = json::parse(write_spec(old_a).dump());
  const json patch = shared_part(a, json::parse(write_spec(run).dump()), merge_diff(a, json::parse(write_spec(new_a).dump())));
  return patch.empty() ? run : apply_spec_changes(run, patch, "spec");
}

// "optim.kind: momentum (A: sgd)" lines, walking the merge patch.
static void difference_lines(const json& a, const json& patch, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    auto was = a.is_object() ? a.find(it.key()) : a.end();
    if (it.value().is_object() && was != a.end() && was->is_object()) {
      difference_lines(*was, it.value(), key, out);
      continue;
    }
    const auto text = [](const json& v) {
      if (v.is_string()) return v.get<std::string>();
      std::string t;
      show_into(v, t, 40);
      return t.size() > 40 ? t.substr(0, 37) + "..." : t;
    };
    const std::string now = it.value().is_null() ? "(none)" : text(it.value());
    const std::string before = was == a.end() ? "(none)" : text(*was);
    out.push_back(key + ": " + now + " (A: " + before + ")");
  }
}

std::vector<std::string> spec_difference_lines(const ModelSpec& a, const ModelSpec& b) {
  std::vector<std::string> out;
  difference_lines(json::parse(write_spec(a).dump()), spec_changes(a, b), "", out);
  return out;
}

std::string save_session(const Session& s) {
  ojson j = write_session(s);
  // Pretty-print everything but the points and matrices, which get one line
  // each: dump with numbered placeholders, then splice them in. The
  // placeholder's tag is chosen to occur nowhere in the user's text (name,
  // description, ui), and enum names and numbers never contain '@'.
  const std::string user_text = dump_text(j["name"]) + dump_text(j["description"]) + dump_text(j["ui"]);
  std::string tag = "\"@@";
  while (user_text.find(tag.substr(1)) != std::string::npos) tag += "@";
  std::vector<ojson> lines;
  const auto one_line_each = [&](ojson& array) {
    for (ojson& item : array) {
      lines.push_back(std::move(item));
      item = tag.substr(1) + std::to_string(lines.size() - 1);
    }
  };
  one_line_each(j["data"]["points"]);
  const auto model_lines = [&](ojson& m) {
    one_line_each(m["params"]);
    one_line_each(m["buffers"]);
    one_line_each(m["optimizer"]["state"]);
  };
  if (j.contains("model")) model_lines(j["model"]);
  if (j.contains("runs"))
    for (ojson& r : j["runs"])
      if (r.contains("model")) model_lines(r["model"]);
  const std::string text = dump_text(j, 2);
  std::string out;
  out.reserve(text.size() + lines.size() * 64);
  size_t from = 0;
  for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, from)) {
    out.append(text, from, at - from);
    size_t end = at + tag.size();
    size_t index = 0;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') index = index * 10 + size_t(text[end++] - '0');
    out += dump_text(lines[index]);
    from = end + 1;  // past the closing quote
  }
  out.append(text, from, std::string::npos);
  return out + "\n";
}

Session load_session(const std::string& text) {
  check_text_limits(text, "(top level)");
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw SessionError("not JSON: " + parse_error_text(e));
  }
  return read_session(j);
}

// ---- URL form -------------------------------------------------------------------

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
int b64_value(char c) {
  const char* p = std::strchr(kB64, c);
  return c != '\0' && p ? int(p - kB64) : -1;
}
}  // namespace

std::string base64url_encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  // Every 3 bytes (24 bits) become 4 characters of 6 bits.
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? uint8_t(bytes[i + k]) : 0u);
    for (size_t k = 0; k < n + 1; ++k) out += kB64[(v >> (18 - 6 * k)) & 63];
  }
  return out;
}

std::string base64url_decode(const std::string& text) {
  if (text.size() % 4 == 1)
    throw SessionError("url: the link is cut short (" + std::to_string(text.size()) +
                       " characters is not a valid base64url length)");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t v = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int d = b64_value(text[i]);
    if (d < 0) {
      const unsigned char c = text[i];
      const std::string shown = c >= 32 && c < 127 ? std::string("'") + char(c) + "'"
                                                   : "byte " + std::to_string(int(c));
      throw SessionError("url: " + shown + " at position " + std::to_string(i) +
                         " is not a base64url character (A-Z a-z 0-9 - _)");
    }
    v = (v << 6) | uint32_t(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((v >> bits) & 0xFF);
    }
  }
  return out;
}

// "z." then base64url of the raw deflate stream; a link without the prefix
// is the older, uncompressed form (base64url of the JSON itself).
static std::string decode_link_body(const std::string& text) {
  const size_t n = std::strlen(kLinkDeflatePrefix);
  if (text.compare(0, n, kLinkDeflatePrefix) != 0) return base64url_decode(text);
  const std::string packed = base64url_decode(text.substr(n));
  try {
    return inflate_raw(packed, kMaxSessionBytes);
  } catch (const std::runtime_error& e) {
    throw SessionError(std::string("url: the link is damaged or incomplete (") + e.what() +
                       "); copy the whole link again");
  }
}

std::string encode_session_url(const Session& s) {
  return std::string(kLinkDeflatePrefix) + base64url_encode(deflate_raw(dump_text(write_session(s))));
}

Session decode_session_url(const std::string& fragment) {
  std::string text = fragment;
  if (!text.empty() && text[0] == '#') text.erase(0, 1);
  if (text.empty()) throw SessionError("url: the link holds no session");
  if (text.size() > kMaxLinkChars)
    throw SessionError("url: the link is too long: " +
                       limit_message("characters after #s=", (long long)kMaxLinkChars, (long long)text.size()));
  const std::string decoded = decode_link_body(text);
  check_text_limits(decoded, "url");
  json j;
  try {
    j = json::parse(decoded);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e999
    throw SessionError("url: the link is damaged (its decoded text is not JSON: " +
                       parse_error_text(e) + ")");
  }
  return read_session(j);
}

}  // namespace nn
