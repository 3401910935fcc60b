// plot.cpp: see plot.h.
#include "plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace app {

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> t;
  if (!(hi > lo) || max_ticks < 2) return t;
  const double raw = (hi - lo) / (max_ticks - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) { step = m * mag; break; }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return t;
}

static void format_value(char* buf, size_t n, double v) {
  const double a = std::abs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e5)) std::snprintf(buf, n, "%.1e", v);
  else std::snprintf(buf, n, "%.4g", v);
}

namespace {
// One decimated, smoothed, transformed series ready to draw.
struct Prepared {
  std::vector<ImVec2> pts;  // (x, y) in data units (y after log)
};
}  // namespace

void plot_lines(const char* id, ImVec2 size, const std::vector<PlotSeries>& series, const PlotOptions& opt,
                float sc) {
  ImGui::PushID(id);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float left = 48 * sc, bottom = 18 * sc, top = 4 * sc, right = 8 * sc;
  const ImVec2 a{p0.x + left, p0.y + top}, b{p0.x + size.x - right, p0.y + size.y - bottom};
  dl->AddRectFilled(p0, {p0.x + size.x, p0.y + size.y}, IM_COL32(255, 255, 255, 255));
  const float pw = std::max(1.f, b.x - a.x);

  // Range of x over all series.
  double x_lo = INFINITY, x_hi = -INFINITY;
  for (const auto& s : series)
    if (s.x && !s.x->empty()) { x_lo = std::min(x_lo, double(s.x->front())); x_hi = std::max(x_hi, double(s.x->back())); }
  if (!(x_hi >= x_lo)) {
    dl->AddText({a.x + 6 * sc, a.y + 6 * sc}, IM_COL32(120, 120, 120, 255), "no data yet");
    ImGui::PopID();
    return;
  }
  if (x_hi == x_lo) x_hi = x_lo + 1;

  // Smooth, transform and decimate: per pixel column keep first/min/max/last.
  std::vector<Prepared> prep(series.size());
  double y_lo = INFINITY, y_hi = -INFINITY;
  for (size_t si = 0; si < series.size(); ++si) {
    const auto& s = series[si];
    if (!s.x || !s.y) continue;
    const size_t n = std::min(s.x->size(), s.y->size());
    double ema = NAN;
    int col = -1;
    float cmin = 0, cmax = 0, clast = 0, cx = 0;
    auto flush = [&] {
      if (col < 0) return;
      prep[si].pts.push_back({cx, cmin});
      if (cmax != cmin) prep[si].pts.push_back({cx, cmax});
      if (clast != cmax && clast != cmin) prep[si].pts.push_back({cx, clast});
    };
    for (size_t i = 0; i < n; ++i) {
      double y = (*s.y)[i];
      if (!std::isfinite(y)) continue;
      if (opt.smoothing > 0) ema = std::isnan(ema) ? y : opt.smoothing * ema + (1 - opt.smoothing) * y, y = ema;
      if (opt.log_y) { if (y <= 0) continue; y = std::log10(y); }
      const float x = (*s.x)[i];
      const int c = int((x - x_lo) / (x_hi - x_lo) * pw);
      if (c != col) { flush(); col = c; cmin = cmax = clast = float(y); cx = x; }
      else { cmin = std::min(cmin, float(y)); cmax = std::max(cmax, float(y)); clast = float(y); }
      y_lo = std::min(y_lo, y); y_hi = std::max(y_hi, y);
    }
    flush();
  }
  if (!std::isnan(opt.y_min)) y_lo = opt.log_y ? std::log10(opt.y_min) : opt.y_min;
  if (!std::isnan(opt.y_max)) y_hi = opt.log_y ? std::log10(opt.y_max) : opt.y_max;
  for (float m : opt.marks) {
    const double v = opt.log_y ? std::log10(m) : m;
    if (std::isfinite(v)) { y_lo = std::min(y_lo, v); y_hi = std::max(y_hi, v); }
  }
  if (!(y_hi >= y_lo)) { y_lo = 0; y_hi = 1; }
  if (opt.y_from_zero && !opt.log_y) { y_lo = std::min(y_lo, 0.0); y_hi = std::max(y_hi, 0.0); }
  if (y_hi - y_lo < 1e-12) { y_lo -= 0.5; y_hi += 0.5; }
  const double pad = (y_hi - y_lo) * 0.05;
  y_lo -= pad; y_hi += pad;

  auto X = [&](double x) { return float(a.x + (x - x_lo) / (x_hi - x_lo) * (b.x - a.x)); };
  auto Y = [&](double y) { return float(b.y - (y - y_lo) / (y_hi - y_lo) * (b.y - a.y)); };
  char buf[32];
  const ImU32 grid = IM_COL32(0, 0, 0, 25), text = IM_COL32(80, 80, 80, 255);
  // y ticks: decades on a log scale, 1-2-5 steps otherwise.
  std::vector<double> yt;
  if (opt.log_y) {
    for (double e = std::ceil(y_lo); e <= y_hi; e += 1) yt.push_back(e);
    if (yt.size() < 2) {  // less than a decade: 1-2-5 ticks of the values themselves
      yt.clear();
      for (double t : nice_ticks(std::pow(10.0, y_lo), std::pow(10.0, y_hi), 4))
        if (t > 0) yt.push_back(std::log10(t));
    }
  } else {
    yt = nice_ticks(y_lo, y_hi, std::max(2, int((b.y - a.y) / (22 * sc))));
  }
  for (double v : yt) {
    dl->AddLine({a.x, Y(v)}, {b.x, Y(v)}, grid);
    format_value(buf, sizeof buf, opt.log_y ? std::pow(10.0, v) : v);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText({a.x - ts.x - 4 * sc, Y(v) - ts.y * 0.5f}, text, buf);
  }
  for (double v : nice_ticks(x_lo, x_hi, std::max(2, int(pw / (70 * sc))))) {
    dl->AddLine({X(v), a.y}, {X(v), b.y}, grid);
    format_value(buf, sizeof buf, v);
    dl->AddText({X(v) - ImGui::CalcTextSize(buf).x * 0.5f, b.y + 2 * sc}, text, buf);
  }
  for (float m : opt.marks) {
    const double v = opt.log_y ? std::log10(m) : m;
    if (!std::isfinite(v)) continue;
    for (float x = a.x; x < b.x; x += 8 * sc)
      dl->AddLine({x, Y(v)}, {std::min(x + 4 * sc, b.x), Y(v)}, IM_COL32(200, 40, 40, 180), 1.2f * sc);
  }
  dl->PushClipRect(a, b, true);
  std::vector<ImVec2> line;
  for (size_t si = 0; si < series.size(); ++si) {
    line.clear();
    for (const ImVec2& p : prep[si].pts) line.push_back({X(p.x), Y(p.y)});
    if (line.size() == 1) dl->AddCircleFilled(line[0], 2.5f * sc, series[si].color);
    else if (line.size() > 1) dl->AddPolyline(line.data(), int(line.size()), series[si].color, 0, 1.6f * sc);
  }
  dl->PopClipRect();
  dl->AddRect(a, b, IM_COL32(0, 0, 0, 60));

  // Legend (top right) and hover readout.
  float lx = b.x - 4 * sc;
  for (size_t si = series.size(); si-- > 0;) {
    const ImVec2 ts = ImGui::CalcTextSize(series[si].name.c_str());
    lx -= ts.x + 18 * sc;
    dl->AddRectFilled({lx, a.y + 6 * sc}, {lx + 10 * sc, a.y + 6 * sc + ts.y * 0.6f}, series[si].color);
    dl->AddText({lx + 13 * sc, a.y + 2 * sc}, text, series[si].name.c_str());
  }
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (hovered && m.x >= a.x && m.x <= b.x) {
    const double xv = x_lo + (m.x - a.x) / (b.x - a.x) * (x_hi - x_lo);
    dl->AddLine({m.x, a.y}, {m.x, b.y}, IM_COL32(0, 0, 0, 90));
    ImGui::BeginTooltip();
    ImGui::Text("%s %.0f", opt.x_label, xv);
    for (const auto& s : series) {
      if (!s.x || s.x->empty()) continue;
      const size_t i = std::min(size_t(std::lower_bound(s.x->begin(), s.x->end(), float(xv)) - s.x->begin()),
                                s.x->size() - 1);
      if (i >= s.y->size()) continue;
      format_value(buf, sizeof buf, (*s.y)[i]);
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), "%s: %s", s.name.c_str(), buf);
    }
    ImGui::EndTooltip();
  }
  ImGui::PopID();
}

}  // namespace app
