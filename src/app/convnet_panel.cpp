// convnet_panel.cpp: the ConvNet calculator window: pick a preset or edit an
// input volume and a stack of CONV/POOL/FC/RELU layers, and read per layer the
// output volume, parameters, activation memory, FLOPs, receptive field and the
// FC <-> CONV equivalence (all computed by nn::analyse_convnet).
#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "app.h"
#include "core/models/convnet_calc.h"
#include "imgui.h"
#include "widgets.h"

namespace app {
namespace {

constexpr int kMaxLayers = 64;
constexpr ImU32 kErrorCol = IM_COL32(190, 20, 20, 255);

std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// v in units of `base` (1024 or 1000) with the largest prefix that keeps it
// at least 1, and 3 significant digits: "93.0 MB", "1.23M".
std::string scaled(double v, double base, const char* const* units, int count, const char* sep) {
  int u = 0;
  while (v >= base && u < count - 1) { v /= base; ++u; }
  char buf[40];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s%s" : v < 10 ? "%.2f%s%s" : v < 100 ? "%.1f%s%s" : "%.0f%s%s", v,
                sep, units[u]);
  return buf;
}

// Bytes in binary units, as the CS231n notes count them (24M floats * 4 B = 93 MB).
std::string human_bytes(double b) {
  const char* const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  return scaled(b, 1024, units, 6, " ");
}

// Counts in decimal units: 950, 1.23M, 15.5G.
std::string human_count(double v) {
  const char* const prefixes[] = {"", "K", "M", "G", "T", "P", "E"};
  return scaled(v, 1000, prefixes, 7, "");
}

std::string vol(const nn::Volume& v) {
  return std::to_string(v.W) + "x" + std::to_string(v.H) + "x" + std::to_string(v.D);
}

void cell_tip(const std::string& text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_DelayShort)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// A compact integer field whose typed value is clamped into [lo, hi], with a
// notice in the window and the status bar naming the limits.
bool int_field(AppState& s, ConvNetCalc& c, const char* label, const char* what, int& v, int lo, int hi, const char* tip) {
  int t = v;
  bool changed = ImGui::InputInt(label, &t, 0, 0);
  tooltip(tip);
  if (!changed) return false;
  if (t < lo || t > hi) {
    t = std::clamp(t, lo, hi);
    c.notice = std::string(what) + " was clamped to its range [" + with_commas(lo) + ", " + with_commas(hi) + "].";
    notify(s, c.notice);
  }
  changed = t != v;
  v = t;
  return changed;
}

// Sensible fields when a layer changes kind, so it is valid straight away.
void set_kind(nn::ConvLayerSpec& L, nn::ConvLayerKind k) {
  if (L.kind == k) return;
  // A preset's name ("conv1") would now be wrong: the new layer takes the automatic one.
  if (k == nn::ConvLayerKind::Conv) L = nn::ConvLayerSpec::conv(L.K > 0 ? L.K : 16, 3, 1, 1);
  else if (k == nn::ConvLayerKind::Pool) L = nn::ConvLayerSpec::pool(2, 2);
  else if (k == nn::ConvLayerKind::FC) L = nn::ConvLayerSpec::fc(L.K > 0 ? L.K : 10);
  else L = nn::ConvLayerSpec::relu();
}

// The kinds a layer can take (every ConvLayerKind but Input), named by nn::to_string.
constexpr nn::ConvLayerKind kLayerKinds[4] = {nn::ConvLayerKind::Conv, nn::ConvLayerKind::Pool,
                                              nn::ConvLayerKind::FC, nn::ConvLayerKind::ReLU};
const char* const kKindNames[4] = {nn::to_string(kLayerKinds[0]), nn::to_string(kLayerKinds[1]),
                                   nn::to_string(kLayerKinds[2]), nn::to_string(kLayerKinds[3])};

void preset_row(AppState& s, ConvNetCalc& c) {
  const bool edited = [&] {
    const nn::ConvNetSpec p = nn::convnet_preset(c.ids[c.preset]);
    return !(p.input == c.net.input && p.layers == c.net.layers);
  }();
  const std::string preview = c.names[c.preset] + (edited ? " (edited)" : "");
  ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Reset").x -
                                       ImGui::GetStyle().FramePadding.x * 2 - ImGui::GetStyle().ItemSpacing.x -
                                       ImGui::CalcTextSize("preset").x - ImGui::GetStyle().ItemInnerSpacing.x,
                                   ImGui::GetFontSize() * 26));
  if (ImGui::BeginCombo("preset", preview.c_str())) {
    for (int i = 0; i < int(c.ids.size()); ++i) {
      if (ImGui::Selectable(c.names[i].c_str(), i == c.preset)) convnet_select_preset(c, c.ids[i]);
      if (i == c.preset) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  tooltip("Start from a network of the course notes (AlexNet, VGG-16) or a small example a concept card points at.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!edited);
  if (ImGui::Button("Reset")) convnet_select_preset(c, c.ids[c.preset]);
  tooltip("Throw away your edits and reload the selected preset.");
  ImGui::EndDisabled();
  (void)s;
}

void input_row(AppState& s, ConvNetCalc& c) {
  const float w = ImGui::GetFontSize() * 4.2f;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("input");
  tooltip("The image or volume fed to the first layer: width x height x depth (3 for RGB).");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  int_field(s, c, "##inW", "Input width", c.net.input.W, 1, 100000, "Input width W in pixels.");
  ImGui::SameLine(0, 2);
  ImGui::TextUnformatted("x");
  ImGui::SameLine(0, 2);
  ImGui::SetNextItemWidth(w);
  int_field(s, c, "##inH", "Input height", c.net.input.H, 1, 100000, "Input height H in pixels.");
  ImGui::SameLine(0, 2);
  ImGui::TextUnformatted("x");
  ImGui::SameLine(0, 2);
  ImGui::SetNextItemWidth(w);
  int_field(s, c, "##inD", "Input depth", c.net.input.D, 1, 100000,
            "Input depth D: colour channels for an image, filters of the previous layer otherwise.");
  ImGui::SameLine();
  ImGui::TextUnformatted("  batch");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  int_field(s, c, "##batch", "Batch size", c.batch, 1, 10000,
            "Examples per forward pass: activation memory grows linearly with it, parameters do not.");
  ImGui::SameLine();
  int dt = c.f64 ? 1 : 0;
  ImGui::RadioButton("float32", &dt, 0);
  tooltip("Count 4 bytes per number, what GPUs usually train with.");
  ImGui::SameLine();
  ImGui::RadioButton("float64", &dt, 1);
  tooltip("Count 8 bytes per number, what this playground's engine uses.");
  c.f64 = dt == 1;
}

// What the arrow and remove buttons of the layer rows asked for (applied
// after the table, so the rows never see a list changing under them).
struct RowAction {
  int move_from = -1, move_to = -1, remove = -1;
};

void layer_columns(float fs) {
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("layer", ImGuiTableColumnFlags_WidthFixed, fs * 5.5f);
  ImGui::TableSetupColumn("kind", ImGuiTableColumnFlags_WidthFixed, fs * 4.8f);
  ImGui::TableSetupColumn("K", ImGuiTableColumnFlags_WidthFixed, fs * 3.6f);
  ImGui::TableSetupColumn("F", ImGuiTableColumnFlags_WidthFixed, fs * 2.4f);
  ImGui::TableSetupColumn("S", ImGuiTableColumnFlags_WidthFixed, fs * 2.4f);
  ImGui::TableSetupColumn("P", ImGuiTableColumnFlags_WidthFixed, fs * 2.4f);
  ImGui::TableSetupColumn("dilation", ImGuiTableColumnFlags_WidthFixed, fs * 3.4f);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, fs * 4.9f);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
}

// The K, F, S, P and dilation cells: only the fields the layer's kind reads.
void layer_fields(AppState& s, ConvNetCalc& c, nn::ConvLayerSpec& L) {
  const bool conv = L.kind == nn::ConvLayerKind::Conv, pool = L.kind == nn::ConvLayerKind::Pool,
             fc = L.kind == nn::ConvLayerKind::FC;
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (conv || fc)
    int_field(s, c, "##K", "K", L.K, 1, 100000,
              conv ? "K: number of filters, which becomes the output depth." : "K: number of outputs (neurons).");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (conv || pool) int_field(s, c, "##F", "F", L.F, 1, 1000, "F: the filter or window is F x F pixels.");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (conv || pool) int_field(s, c, "##S", "S", L.S, 1, 1000, "S: the stride, pixels the window moves per step.");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (conv || pool)
    int_field(s, c, "##P", "P", L.P, 0, 1000,
              "P: zeros added on each border; P = (F-1)/2 keeps the size at stride 1.");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (conv)
    int_field(s, c, "##d", "Dilation", L.dilation, 1, 1000,
              "Dilation d: taps d pixels apart, so the filter spans d(F-1)+1 pixels with the same weights.");
}

// Move up / move down / remove.
void row_buttons(int i, int count, RowAction& act) {
  ImGui::TableNextColumn();
  ImGui::BeginDisabled(i == 0);
  if (ImGui::ArrowButton("##up", ImGuiDir_Up)) { act.move_from = i; act.move_to = i - 1; }
  tooltip("Move this layer up.");
  ImGui::EndDisabled();
  ImGui::SameLine(0, 2);
  ImGui::BeginDisabled(i + 1 == count);
  if (ImGui::ArrowButton("##down", ImGuiDir_Down)) { act.move_from = i; act.move_to = i + 1; }
  tooltip("Move this layer down.");
  ImGui::EndDisabled();
  ImGui::SameLine(0, 2);
  if (ImGui::Button("x", {ImGui::GetFrameHeight(), 0})) act.remove = i;
  tooltip("Remove this layer.");
}

// One editable layer i of count: its name (red if invalid), kind, the fields
// its kind reads, and the move / remove buttons. res: its analysis, if any.
void layer_row(AppState& s, ConvNetCalc& c, nn::ConvLayerSpec& L, const nn::ConvLayerResult* res, int i, int count,
               RowAction& act) {
  ImGui::PushID(i);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  const std::string name = res ? res->name : "layer " + std::to_string(i + 1);
  if (res && !res->valid) ImGui::TextColored(ImColor(kErrorCol), "%s", name.c_str());
  else ImGui::TextUnformatted(name.c_str());
  if (res && !res->valid) cell_tip(res->message);
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(-FLT_MIN);
  int k = int(std::find(kLayerKinds, kLayerKinds + 4, L.kind) - kLayerKinds) % 4;
  if (combo("##kind", k, kKindNames, 4,
            "CONV: K filters of F x F over the whole depth. POOL: max over F x F windows, depth kept. "
            "FC: K outputs, each seeing the whole volume. RELU: max(0, x) in place."))
    set_kind(L, kLayerKinds[k]);
  layer_fields(s, c, L);
  row_buttons(i, count, act);
  ImGui::TableNextColumn();
  ImGui::PopID();
}

// Buttons that append a layer of each kind.
void add_layer_buttons(std::vector<nn::ConvLayerSpec>& layers) {
  ImGui::BeginDisabled(int(layers.size()) >= kMaxLayers);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("add");
  const nn::ConvLayerSpec adds[4] = {nn::ConvLayerSpec::conv(64, 3, 1, 1), nn::ConvLayerSpec::pool(2, 2),
                                     nn::ConvLayerSpec::fc(10), nn::ConvLayerSpec::relu()};
  const char* add_tips[4] = {"Append a 3x3 CONV with 64 filters, stride 1 and pad 1 (the size is kept).",
                             "Append a 2x2 max pool with stride 2 (halves width and height).",
                             "Append a fully-connected layer with 10 outputs (e.g. class scores).",
                             "Append a ReLU (computed in place, so no extra memory is counted)."};
  for (int k = 0; k < 4; ++k) {
    ImGui::SameLine();
    ImGui::PushID(k);
    if (ImGui::Button(kKindNames[k])) layers.push_back(adds[k]);
    tooltip(add_tips[k]);
    ImGui::PopID();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("(%d layers)", int(layers.size()));
}

void layer_editor(AppState& s, ConvNetCalc& c, const nn::ConvNetResult& R) {
  auto& layers = c.net.layers;
  // About a third of the window for the editor; the results table gets the rest.
  const int fit = int(ImGui::GetContentRegionAvail().y * 0.33f / ImGui::GetFrameHeightWithSpacing());
  const int rows = std::clamp(int(layers.size()), 1, std::clamp(fit, 3, 8));
  const float height = (rows + 1.3f) * ImGui::GetFrameHeightWithSpacing();
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuter |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
  RowAction act;
  if (ImGui::BeginTable("layers", 9, flags, {0, height})) {
    layer_columns(ImGui::GetFontSize());
    for (int i = 0; i < int(layers.size()); ++i)
      layer_row(s, c, layers[i], i + 1 < int(R.layers.size()) ? &R.layers[i + 1] : nullptr, i, int(layers.size()), act);
    ImGui::EndTable();
  }
  if (act.move_from >= 0) std::swap(layers[act.move_from], layers[act.move_to]);
  if (act.remove >= 0) layers.erase(layers.begin() + act.remove);
  add_layer_buttons(layers);
}

std::string params_tip(const nn::ConvLayerResult& L) {
  const auto& sp = L.spec;
  if (L.kind == nn::ConvLayerKind::Conv)
    return "Each of the K = " + std::to_string(sp.K) + " filters has F*F*D_in = " + std::to_string(sp.F) + "*" +
           std::to_string(sp.F) + "*" + std::to_string(L.in.D) + " weights and one bias: " + with_commas(L.weights) +
           " weights + " + with_commas(L.biases) + " biases.";
  if (L.kind == nn::ConvLayerKind::FC)
    return "One weight per input value per output: " + with_commas(L.in.count()) + " x " + std::to_string(sp.K) +
           " = " + with_commas(L.weights) + " weights + " + with_commas(L.biases) + " biases.";
  return "No parameters: this layer is a fixed function.";
}

std::string equiv_text(const nn::ConvLayerResult& L, std::string* tip) {
  if (L.kind == nn::ConvLayerKind::FC) {
    const auto& a = L.as_conv;
    *tip = "The same function as a CONV layer whose " + std::to_string(a.F) + "x" + std::to_string(a.FH) +
           " filters cover the whole " + vol(L.in) + " input, with S = 1, P = 0 and K = " + std::to_string(a.K) +
           " filters: output " + vol(a.out) + ". Slid over a larger image, it gives a grid of outputs in one pass.";
    return "CONV " + std::to_string(a.F) + "x" + std::to_string(a.FH) + ", K=" + std::to_string(a.K);
  }
  if (L.kind == nn::ConvLayerKind::Conv) {
    const auto& a = L.as_fc;
    const double share = a.entries > 0 ? 100.0 * double(a.nonzeros) / double(a.entries) : 0;
    char pct[32];
    std::snprintf(pct, sizeof pct, share < 0.01 ? "%.1e%%" : "%.2f%%", share);
    *tip = "The same function as one FC weight matrix of " + with_commas(a.rows) + " x " + with_commas(a.cols) +
           " = " + human_count(double(a.entries)) + " entries. Local connectivity makes only " +
           human_count(double(a.nonzeros)) + " of them (" + pct + ") nonzero, and parameter sharing makes those "
           "repeat just " + with_commas(a.distinct) + " distinct weights.";
    return "FC " + human_count(double(a.rows)) + " x " + human_count(double(a.cols)) + ", " + pct + " nz";
  }
  *tip = "";
  return "";
}

void results_columns(float fs) {
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("layer", 0, fs * 5.5f);
  ImGui::TableSetupColumn("kind", 0, fs * 3.2f);
  ImGui::TableSetupColumn("output", 0, fs * 6.2f);
  ImGui::TableSetupColumn("params", 0, fs * 6.0f);
  ImGui::TableSetupColumn("activations", 0, fs * 5.8f);
  ImGui::TableSetupColumn("memory", 0, fs * 4.6f);
  ImGui::TableSetupColumn("FLOPs", 0, fs * 3.6f);
  ImGui::TableSetupColumn("RF", 0, fs * 3.6f);
  ImGui::TableSetupColumn("as FC / as CONV", 0, fs * 12.5f);
  // Header tooltips: a header row drawn by hand so each can carry one.
  const char* head_tips[9] = {
      "The layer's name (hover a red one to see why it is invalid).",
      "CONV, POOL, FC or RELU (INPUT is the image itself).",
      "Output volume width x height x depth, from (W - F + 2P)/S + 1 per side.",
      "Learnable numbers: weights plus biases.",
      "Numbers this layer outputs for one example (what the backward pass must keep).",
      "Activation memory for the whole batch in the chosen number format (forward pass only).",
      "Floating-point operations for one example, counting a multiply-add as 2.",
      "Receptive field: width of the input patch one output value depends on.",
      "The same layer written the other way: an FC layer as a CONV, a CONV as one big FC matrix."};
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int col = 0; col < 9; ++col) {
    ImGui::TableSetColumnIndex(col);
    ImGui::TableHeader(ImGui::TableGetColumnName(col));
    cell_tip(head_tips[col]);
  }
}

// One analysed layer: output volume, parameters, activations, memory, FLOPs,
// receptive field and the FC <-> CONV equivalence, each cell with its
// formula as a tooltip. A row after an invalid layer is "not computed".
void result_row(const ConvNetCalc& c, const nn::ConvNetResult& R, const nn::ConvLayerResult& L, bool& after_invalid) {
  const int bytes = c.f64 ? 8 : 4;
  ImGui::PushID(&L);
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  if (!L.valid) ImGui::TextColored(ImColor(kErrorCol), "%s", L.name.c_str());
  else ImGui::TextUnformatted(L.name.c_str());
  if (!L.valid) cell_tip(L.message);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(nn::to_string(L.kind));
  ImGui::TableNextColumn();
  if (!L.valid) {
    ImGui::TextColored(ImColor(after_invalid ? IM_COL32(150, 110, 110, 255) : kErrorCol), "%s",
                       after_invalid ? "not computed" : "invalid");
    cell_tip(L.message);
    after_invalid = true;
    ImGui::PopID();
    return;
  }
  ImGui::TextUnformatted(vol(L.out).c_str());
  if (L.kind == nn::ConvLayerKind::Conv || L.kind == nn::ConvLayerKind::Pool) {
    char t[200];
    std::snprintf(t, sizeof t, "(%d - %d + 2*%d)/%d + 1 = %d wide, %s tall%s", L.in.W, L.F_eff, L.spec.P,
                  L.spec.S, L.out.W, std::to_string(L.out.H).c_str(),
                  L.F_eff != L.spec.F ? " (F' = d(F-1)+1 for the dilated filter)" : "");
    cell_tip(t);
  }
  ImGui::TableNextColumn();
  if (L.params > 0) { ImGui::TextUnformatted(with_commas(L.params).c_str()); cell_tip(params_tip(L)); }
  else ImGui::TextDisabled("0");
  ImGui::TableNextColumn();
  if (L.in_place) {
    ImGui::TextDisabled("in place");
    cell_tip("ReLU overwrites its input, so it adds no activation memory (" + with_commas(L.activations) +
             " values shared with the layer before).");
  } else {
    ImGui::TextUnformatted(with_commas(L.activations).c_str());
  }
  ImGui::TableNextColumn();
  if (!L.in_place) {
    const int64_t b = c.f64 ? L.act_bytes_f64 : L.act_bytes_f32;
    ImGui::TextUnformatted(human_bytes(double(b)).c_str());
    cell_tip(with_commas(L.activations) + " values x " + std::to_string(bytes) + " bytes x batch " +
             std::to_string(R.batch) + " = " + with_commas(b) + " bytes.");
  }
  ImGui::TableNextColumn();
  if (L.flops > 0) {
    ImGui::TextUnformatted(human_count(double(L.flops)).c_str());
    cell_tip(with_commas(L.flops) + " floating-point operations per example (2 per multiply-add).");
  }
  ImGui::TableNextColumn();
  if (L.kind != nn::ConvLayerKind::Input) {
    ImGui::Text("%" PRId64 " px", L.rf);
    cell_tip("One output value of " + L.name + " sees a " + std::to_string(L.rf) + " x " + std::to_string(L.rf) +
             " patch of the input; neighbouring outputs are " + std::to_string(L.jump) + " input pixels apart.");
  }
  ImGui::TableNextColumn();
  std::string tip;
  const std::string eq = equiv_text(L, &tip);
  if (!eq.empty()) { ImGui::TextUnformatted(eq.c_str()); cell_tip(tip); }
  ImGui::PopID();
}

// Sums over the (valid) layers.
void totals_row(const nn::ConvNetResult& R, int bytes) {
  ImGui::TableNextRow();
  ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(225, 232, 242, 255));
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("total");
  cell_tip(R.valid ? "Sums over the layers; ReLUs computed in place add no activations."
                   : "Sums over the valid layers only: fix the red layer to see the whole network.");
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(with_commas(R.total_params).c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(with_commas(R.total_activations).c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(human_bytes(double(R.activation_bytes(bytes))).c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(human_count(double(R.total_flops)).c_str());
}

void results_table(ConvNetCalc& c, const nn::ConvNetResult& R, float height) {
  const ImGuiTableFlags flags = ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersOuter | ImGuiTableFlags_BordersV |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
  if (!ImGui::BeginTable("results", 9, flags, {0, height})) return;
  results_columns(ImGui::GetFontSize());
  bool after_invalid = false;
  for (const nn::ConvLayerResult& L : R.layers) result_row(c, R, L, after_invalid);
  totals_row(R, c.f64 ? 8 : 4);
  ImGui::EndTable();
}

}  // namespace

void ensure_convnet_init(ConvNetCalc& c) {
  if (c.init) return;
  c.init = true;
  c.ids = nn::convnet_preset_ids();
  for (const auto& id : c.ids) c.names.push_back(nn::convnet_preset(id).name);
  const auto vgg = std::find(c.ids.begin(), c.ids.end(), "convnet-vgg16");
  c.preset = vgg == c.ids.end() ? 0 : int(vgg - c.ids.begin());
  c.net = nn::convnet_preset(c.ids[c.preset]);
}

bool convnet_select_preset(ConvNetCalc& c, const std::string& id) {
  ensure_convnet_init(c);
  const auto it = std::find(c.ids.begin(), c.ids.end(), id);
  if (it == c.ids.end()) return false;
  c.preset = int(it - c.ids.begin());
  c.net = nn::convnet_preset(id);
  c.notice.clear();
  return true;
}

void draw_convnet(AppState& s) {
  ConvNetCalc& c = s.convnet;
  ensure_convnet_init(c);
  place_window(s, 900, 680, 50);
  if (!ImGui::Begin("ConvNet calculator", &s.convnet.open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  preset_row(s, c);
  input_row(s, c);
  nn::ConvNetResult R;
  try {
    R = nn::analyse_convnet(c.net, c.batch);
  } catch (const std::exception& e) {  // only a batch outside 1..10,000, which the field prevents
    ImGui::TextColored(ImColor(kErrorCol), "%s", e.what());
    ImGui::End();
    return;
  }
  if (ImGui::CollapsingHeader("Layers", ImGuiTreeNodeFlags_DefaultOpen)) layer_editor(s, c, R);
  if (!c.notice.empty()) {
    ImGui::TextColored({0.55f, 0.3f, 0.f, 1}, "%s", c.notice.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("ok")) c.notice.clear();
    tooltip("Hide this notice.");
  }
  if (!R.valid) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorCol);
    ImGui::TextWrapped("%s", R.message.c_str());
    ImGui::PopStyleColor();
  }
  // Summary lines stay visible below the scrolling table.
  const int bytes = c.f64 ? 8 : 4;
  const float summary_h = ImGui::GetTextLineHeightWithSpacing() * 2 + ImGui::GetStyle().ItemSpacing.y;
  const float table_h = std::max(ImGui::GetContentRegionAvail().y - summary_h, ImGui::GetFrameHeight() * 6);
  results_table(c, R, table_h);
  ImGui::Text("Params: %s (%s as %s)", human_count(double(R.total_params)).c_str(),
              human_bytes(double(R.param_bytes(bytes))).c_str(), c.f64 ? "float64" : "float32");
  ImGui::SameLine();
  ImGui::Text("   FLOPs: %s per example", human_count(double(R.total_flops)).c_str());
  ImGui::Text("Activations: %s per example, %s for a batch of %d (forward only; about 2x with the backward pass)",
              human_count(double(R.total_activations)).c_str(),
              human_bytes(double(R.activation_bytes(bytes))).c_str(), R.batch);
  ImGui::End();
}

}  // namespace app
