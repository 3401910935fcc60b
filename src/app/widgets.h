// widgets.h: small ImGui helpers shared by the panels: a tooltip on the last
// item, and numeric inputs that clamp typed values to a valid range and say so.
#pragma once
#include <string>

namespace app {
struct AppState;
void tooltip(const char* text);
// A slider (logarithmic if log) whose typed values (Ctrl+click) are clamped
// into [lo, hi] with a notice naming the limits. Returns true if v changed.
bool slider_double(AppState& s, const char* label, double& v, double lo, double hi, const char* fmt,
                   bool log, const char* tip);
bool slider_int(AppState& s, const char* label, int& v, int lo, int hi, const char* tip, bool log = false);
bool combo(const char* label, int& index, const char* const* items, int count, const char* tip);
}  // namespace app
