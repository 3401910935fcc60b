// widgets.cpp: see widgets.h.
#include "widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "imgui.h"

namespace app {

void tooltip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_DelayShort | ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void place_window(const AppState& s, float w, float h, float bottom_margin) {
  const float u = s.display.ui_scale;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize({std::min(w * u, display.x - 20 * u), std::min(h * u, display.y - bottom_margin * u)},
                           ImGuiCond_Appearing);
  ImGui::SetNextWindowPos({std::max(10 * u, std::min(s.display.view.x + 20 * u, display.x - (w + 10) * u)), 20 * u},
                          ImGuiCond_Appearing);
}

static void clamp_notice(AppState& s, const char* label, double lo, double hi) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s was clamped to its range [%g, %g].", label, lo, hi);
  notify(s, buf);
}

bool slider_double(AppState& s, const char* label, double& v, double lo, double hi, const char* fmt, bool log,
                   const char* tip) {
  double t = v;
  const ImGuiSliderFlags flags = log ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None;
  bool changed = ImGui::SliderScalar(label, ImGuiDataType_Double, &t, &lo, &hi, fmt, flags);
  if (tip) tooltip(tip);
  if (!changed) return false;
  if (!std::isfinite(t)) { notify(s, std::string(label) + ": not a number, kept the previous value."); return false; }
  if (t < lo || t > hi) { t = std::clamp(t, lo, hi); clamp_notice(s, label, lo, hi); }
  changed = t != v;
  v = t;
  return changed;
}

bool slider_int(AppState& s, const char* label, int& v, int lo, int hi, const char* tip, bool log) {
  int t = v;
  bool changed = ImGui::SliderInt(label, &t, lo, hi, "%d", log ? ImGuiSliderFlags_Logarithmic : 0);
  if (tip) tooltip(tip);
  if (!changed) return false;
  if (t < lo || t > hi) { t = std::clamp(t, lo, hi); clamp_notice(s, label, lo, hi); }
  changed = t != v;
  v = t;
  return changed;
}

bool combo(const char* label, int& index, const char* const* items, int count, const char* tip) {
  const bool changed = ImGui::Combo(label, &index, items, count);
  if (tip) tooltip(tip);
  return changed;
}

bool combo_with_tips(const char* label, int& index, const char* const* items, const char* const* tips, int count,
                     const char* tip) {
  bool changed = false;
  const char* preview = index >= 0 && index < count ? items[index] : "";
  if (ImGui::BeginCombo(label, preview)) {
    for (int i = 0; i < count; ++i) {
      if (ImGui::Selectable(items[i], i == index) && i != index) {
        index = i;
        changed = true;
      }
      if (tips && tips[i]) tooltip(tips[i]);
      if (i == index) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  } else if (tip) {
    tooltip(tip);
  }
  return changed;
}

void same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right) ImGui::SameLine();
}

bool radio_row(int& index, const char* const* items, const char* const* tips, int count) {
  const int before = index;
  for (int i = 0; i < count; ++i) {
    // A narrow window wraps the row instead of cutting its last buttons off.
    if (i > 0)
      same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(items[i]).x);
    ImGui::RadioButton(items[i], &index, i);
    if (tips && tips[i]) tooltip(tips[i]);
  }
  return index != before;
}

}  // namespace app
