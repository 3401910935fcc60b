// widgets.h: small ImGui helpers shared by the panels: a tooltip on the last
// item, and numeric inputs that clamp typed values to a valid range and say so.
#pragma once
#include <string>
#include <vector>

#include "core/spec.h"

namespace app {
struct AppState;
void tooltip(const char* text);
// A floating window's first size and place: w x h (before the UI scale),
// shrunk to leave bottom_margin under it, near the canvas's top-left corner.
void place_window(const AppState& s, float w, float h, float bottom_margin);
// A slider (logarithmic if log) whose typed values (Ctrl+click) are clamped
// into [lo, hi] with a notice naming the limits. Returns true if v changed.
bool slider_double(AppState& s, const char* label, double& v, double lo, double hi, const char* fmt,
                   bool log, const char* tip);
bool slider_int(AppState& s, const char* label, int& v, int lo, int hi, const char* tip, bool log = false);
bool combo(const char* label, int& index, const char* const* items, int count, const char* tip);
// A combo whose items each have their own tooltip (shown while hovering the
// open list); `tip` describes the closed combo.
bool combo_with_tips(const char* label, int& index, const char* const* items, const char* const* tips, int count,
                     const char* tip);
// Keeps the next item on the current row if `width` more pixels fit in the
// window's content region, else lets it start a new row.
void same_line_if_fits(float width);
// Radio buttons on one line (wrapped when the window is narrow), each with its tooltip. Returns true if index changed.
bool radio_row(int& index, const char* const* items, const char* const* tips, int count);

// The same for any enum with a descriptor table (core/spec.h): labels and
// tooltips come from its rows, in table order.
template <class E>
struct EnumItems {
  std::vector<const char*> labels, tips;
  int index = 0;
  explicit EnumItems(E v) {
    const auto rows = nn::enum_rows<E>();
    for (size_t i = 0; i < rows.size(); ++i) {
      labels.push_back(rows[i].label);
      tips.push_back(rows[i].tip);
      if (rows[i].value == v) index = int(i);
    }
  }
};
template <class E>
bool enum_combo(const char* label, E& v, const char* tip) {
  EnumItems<E> it(v);
  if (!combo_with_tips(label, it.index, it.labels.data(), it.tips.data(), int(it.labels.size()), tip)) return false;
  v = nn::enum_rows<E>()[size_t(it.index)].value;
  return true;
}
template <class E>
bool enum_radio(E& v) {
  EnumItems<E> it(v);
  if (!radio_row(it.index, it.labels.data(), it.tips.data(), int(it.labels.size()))) return false;
  v = nn::enum_rows<E>()[size_t(it.index)].value;
  return true;
}
}  // namespace app
