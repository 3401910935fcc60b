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

// A tick's value: whole numbers below 1e5 in full ("10000", where %g would
// write "1e+04"), very small or large ones in exponent form.
void format_value(char* buf, size_t n, double v) {
  const double a = std::abs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e5)) std::snprintf(buf, n, "%.1e", v);
  else if (a >= 1 && v == std::round(v)) std::snprintf(buf, n, "%.0f", v);
  else std::snprintf(buf, n, "%.4g", v);
}

namespace {

// One decimated, smoothed, transformed series ready to draw: (x, y) in data
// units (y after log).
using Prepared = std::vector<ImVec2>;

// The plot's rectangle [a, b] in pixels and the data range it shows.
struct Frame {
  ImVec2 a, b;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  float X(double x) const { return float(a.x + (x - x_lo) / (x_hi - x_lo) * (b.x - a.x)); }
  float Y(double y) const { return float(b.y - (y - y_lo) / (y_hi - y_lo) * (b.y - a.y)); }
};

constexpr ImU32 kGrid = IM_COL32(0, 0, 0, 25), kText = IM_COL32(80, 80, 80, 255);

// Range of x over all series; false if there is no data.
bool x_range(const std::vector<PlotSeries>& series, Frame& f) {
  for (const auto& s : series)
    if (s.x && !s.x->empty()) {
      f.x_lo = std::min(f.x_lo, double(s.x->front()));
      f.x_hi = std::max(f.x_hi, double(s.x->back()));
    }
  if (!(f.x_hi >= f.x_lo)) return false;
  if (f.x_hi == f.x_lo) f.x_hi = f.x_lo + 1;
  return true;
}

// Smooth, transform and decimate one series: per pixel column keep the
// first, min, max and last value. Widens f's y range to the values kept.
Prepared prepare(const PlotSeries& s, const PlotOptions& opt, float pw, Frame& f) {
  Prepared pts;
  if (!s.x || !s.y) return pts;
  const size_t n = std::min(s.x->size(), s.y->size());
  double ema = NAN;
  int col = -1;
  float cmin = 0, cmax = 0, clast = 0, cx = 0;
  auto flush = [&] {
    if (col < 0) return;
    pts.push_back({cx, cmin});
    if (cmax != cmin) pts.push_back({cx, cmax});
    if (clast != cmax && clast != cmin) pts.push_back({cx, clast});
  };
  for (size_t i = 0; i < n; ++i) {
    double y = (*s.y)[i];
    if (!std::isfinite(y)) continue;
    if (opt.smoothing > 0) ema = std::isnan(ema) ? y : opt.smoothing * ema + (1 - opt.smoothing) * y, y = ema;
    if (opt.log_y) { if (y <= 0) continue; y = std::log10(y); }
    const float x = (*s.x)[i];
    const int c = int((x - f.x_lo) / (f.x_hi - f.x_lo) * pw);
    if (c != col) { flush(); col = c; cmin = cmax = clast = float(y); cx = x; }
    else { cmin = std::min(cmin, float(y)); cmax = std::max(cmax, float(y)); clast = float(y); }
    f.y_lo = std::min(f.y_lo, y);
    f.y_hi = std::max(f.y_hi, y);
  }
  flush();
  return pts;
}

// The y range: the data's, or the options' fixed bounds, always including
// the reference marks, never empty, with 5% padding.
void y_range(const PlotOptions& opt, Frame& f) {
  if (!std::isnan(opt.y_min)) f.y_lo = opt.log_y ? std::log10(opt.y_min) : opt.y_min;
  if (!std::isnan(opt.y_max)) f.y_hi = opt.log_y ? std::log10(opt.y_max) : opt.y_max;
  for (float m : opt.marks) {
    const double v = opt.log_y ? std::log10(m) : m;
    if (std::isfinite(v)) { f.y_lo = std::min(f.y_lo, v); f.y_hi = std::max(f.y_hi, v); }
  }
  if (!(f.y_hi >= f.y_lo)) { f.y_lo = 0; f.y_hi = 1; }
  if (opt.y_from_zero && !opt.log_y) { f.y_lo = std::min(f.y_lo, 0.0); f.y_hi = std::max(f.y_hi, 0.0); }
  if (f.y_hi - f.y_lo < 1e-12) { f.y_lo -= 0.5; f.y_hi += 0.5; }
  const double pad = (f.y_hi - f.y_lo) * 0.05;
  f.y_lo -= pad;
  f.y_hi += pad;
}

// y ticks: decades on a log scale (1-2-5 steps of the values within less
// than a decade), 1-2-5 steps otherwise. In plotted units.
std::vector<double> y_ticks(const PlotOptions& opt, const Frame& f, float sc) {
  if (!opt.log_y) return nice_ticks(f.y_lo, f.y_hi, std::max(2, int((f.b.y - f.a.y) / (22 * sc))));
  std::vector<double> yt;
  for (double e = std::ceil(f.y_lo); e <= f.y_hi; e += 1) yt.push_back(e);
  if (yt.size() >= 2) return yt;
  yt.clear();
  for (double t : nice_ticks(std::pow(10.0, f.y_lo), std::pow(10.0, f.y_hi), 4))
    if (t > 0) yt.push_back(std::log10(t));
  return yt;
}

// Grid lines with their values, and the dashed reference marks.
void draw_grid(ImDrawList* dl, const PlotOptions& opt, const Frame& f, float sc) {
  char buf[32];
  for (double v : y_ticks(opt, f, sc)) {
    dl->AddLine({f.a.x, f.Y(v)}, {f.b.x, f.Y(v)}, kGrid);
    format_value(buf, sizeof buf, opt.log_y ? std::pow(10.0, v) : v);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText({f.a.x - ts.x - 4 * sc, f.Y(v) - ts.y * 0.5f}, kText, buf);
  }
  for (double v : nice_ticks(f.x_lo, f.x_hi, std::max(2, int((f.b.x - f.a.x) / (70 * sc))))) {
    dl->AddLine({f.X(v), f.a.y}, {f.X(v), f.b.y}, kGrid);
    format_value(buf, sizeof buf, v);
    // Centred on its tick, but the last one kept inside the plot's right edge.
    const float w = ImGui::CalcTextSize(buf).x;
    dl->AddText({std::min(f.X(v) - w * 0.5f, f.b.x - w), f.b.y + 2 * sc}, kText, buf);
  }
  for (float m : opt.marks) {
    const double v = opt.log_y ? std::log10(m) : m;
    if (!std::isfinite(v)) continue;
    for (float x = f.a.x; x < f.b.x; x += 8 * sc)
      dl->AddLine({x, f.Y(v)}, {std::min(x + 4 * sc, f.b.x), f.Y(v)}, IM_COL32(200, 40, 40, 180), 1.2f * sc);
  }
}

void draw_series(ImDrawList* dl, const std::vector<PlotSeries>& series, const std::vector<Prepared>& prep,
                 const Frame& f, float sc) {
  dl->PushClipRect(f.a, f.b, true);
  std::vector<ImVec2> line;
  for (size_t si = 0; si < series.size(); ++si) {
    line.clear();
    for (const ImVec2& p : prep[si]) line.push_back({f.X(p.x), f.Y(p.y)});
    if (line.size() == 1) dl->AddCircleFilled(line[0], 2.5f * sc, series[si].color);
    else if (line.size() > 1) dl->AddPolyline(line.data(), int(line.size()), series[si].color, 0, 1.6f * sc);
  }
  dl->PopClipRect();
  dl->AddRect(f.a, f.b, IM_COL32(0, 0, 0, 60));
}

// Legend, right-aligned at the top.
void draw_legend(ImDrawList* dl, const std::vector<PlotSeries>& series, const Frame& f, float sc) {
  float lx = f.b.x - 4 * sc;
  for (size_t si = series.size(); si-- > 0;) {
    const ImVec2 ts = ImGui::CalcTextSize(series[si].name.c_str());
    lx -= ts.x + 18 * sc;
    dl->AddRectFilled({lx, f.a.y + 6 * sc}, {lx + 10 * sc, f.a.y + 6 * sc + ts.y * 0.6f}, series[si].color);
    dl->AddText({lx + 13 * sc, f.a.y + 2 * sc}, kText, series[si].name.c_str());
  }
}

// A vertical line at the mouse and a tooltip with each series' value there.
void hover_readout(ImDrawList* dl, const std::vector<PlotSeries>& series, const PlotOptions& opt, const Frame& f) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (m.x < f.a.x || m.x > f.b.x) return;
  const double xv = f.x_lo + (m.x - f.a.x) / (f.b.x - f.a.x) * (f.x_hi - f.x_lo);
  dl->AddLine({m.x, f.a.y}, {m.x, f.b.y}, IM_COL32(0, 0, 0, 90));
  char buf[32];
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

// The start of every plot: its ID scope, an invisible button over the whole
// area (hover and click), a white background, and the frame's rectangle
// inside the given margins (pixels before scaling). The caller pops the ID.
struct PlotArea {
  ImVec2 p0;
  ImDrawList* dl;
  bool hovered, clicked;
  Frame f;
};
PlotArea begin_plot(const char* id, ImVec2 size, float left, float bottom, float top, float right, float sc) {
  ImGui::PushID(id);
  PlotArea p;
  p.p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("plot", size);
  p.hovered = ImGui::IsItemHovered();
  p.clicked = ImGui::IsItemClicked();
  p.dl = ImGui::GetWindowDrawList();
  p.f.a = {p.p0.x + left * sc, p.p0.y + top * sc};
  p.f.b = {p.p0.x + size.x - right * sc, p.p0.y + size.y - bottom * sc};
  p.dl->AddRectFilled(p.p0, {p.p0.x + size.x, p.p0.y + size.y}, IM_COL32(255, 255, 255, 255));
  return p;
}

// The cross-validation plots' axes: k across (with half a k of room either
// side so the end columns' dots are not on the frame), accuracy up.
void k_axes(ImDrawList* dl, Frame& f, float sc) {
  const double xpad = std::max(0.5, (f.x_hi - f.x_lo) * 0.03);
  f.x_lo -= xpad;
  f.x_hi += xpad;
  PlotOptions opt;
  opt.x_label = "k";
  y_range(opt, f);
  draw_grid(dl, opt, f, sc);
}

}  // namespace

void plot_lines(const char* id, ImVec2 size, const std::vector<PlotSeries>& series, const PlotOptions& opt,
                float sc) {
  PlotArea area = begin_plot(id, size, 48, 18, 4, 8, sc);
  ImDrawList* dl = area.dl;
  const bool hovered = area.hovered;
  Frame& f = area.f;
  if (!x_range(series, f)) {
    dl->AddText({f.a.x + 6 * sc, f.a.y + 6 * sc}, IM_COL32(120, 120, 120, 255), "no data yet");
    ImGui::PopID();
    return;
  }
  const float pw = std::max(1.f, f.b.x - f.a.x);
  std::vector<Prepared> prep;
  for (const auto& s : series) prep.push_back(prepare(s, opt, pw, f));
  y_range(opt, f);
  draw_grid(dl, opt, f, sc);
  draw_series(dl, series, prep, f, sc);
  draw_legend(dl, series, f, sc);
  if (hovered) hover_readout(dl, series, opt, f);
  ImGui::PopID();
}

int plot_cv_over_k(const char* id, ImVec2 size, const std::vector<int>& ks,
                   const std::vector<std::vector<double>>& fold_acc, const std::vector<double>& mean,
                   const std::vector<double>& sd, float sc) {
  PlotArea area = begin_plot(id, size, 48, 32, 4, 10, sc);
  const ImVec2 p0 = area.p0;
  ImDrawList* dl = area.dl;
  const bool hovered = area.hovered, clicked = area.clicked;
  Frame& f = area.f;
  const size_t n = std::min({ks.size(), fold_acc.size(), mean.size(), sd.size()});
  if (n == 0) {
    dl->AddText({f.a.x + 6 * sc, f.a.y + 6 * sc}, IM_COL32(120, 120, 120, 255), "no result yet");
    ImGui::PopID();
    return -1;
  }
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    f.x_lo = std::min(f.x_lo, double(ks[i]));
    f.x_hi = std::max(f.x_hi, double(ks[i]));
    for (double a : fold_acc[i]) { f.y_lo = std::min(f.y_lo, a); f.y_hi = std::max(f.y_hi, a); }
    f.y_lo = std::min(f.y_lo, mean[i] - sd[i]);
    f.y_hi = std::max(f.y_hi, mean[i] + sd[i]);
    if (mean[i] > mean[best]) best = i;
  }
  k_axes(dl, f, sc);
  dl->AddText({f.b.x - ImGui::CalcTextSize("k (neighbours)").x, f.b.y + 16 * sc}, kText, "k (neighbours)");
  const ImU32 dot = IM_COL32(90, 90, 90, 150), line = IM_COL32(0, 114, 178, 255);
  dl->PushClipRect(f.a, f.b, true);
  for (size_t i = 0; i < n; ++i)
    for (double a : fold_acc[i]) dl->AddCircleFilled({f.X(ks[i]), f.Y(a)}, 2.6f * sc, dot);
  std::vector<ImVec2> pts;
  for (size_t i = 0; i < n; ++i) {
    const float x = f.X(ks[i]), cap = 4 * sc;
    const float y0 = f.Y(mean[i] - sd[i]), y1 = f.Y(mean[i] + sd[i]);
    dl->AddLine({x, y0}, {x, y1}, line, 1.4f * sc);
    dl->AddLine({x - cap, y0}, {x + cap, y0}, line, 1.4f * sc);
    dl->AddLine({x - cap, y1}, {x + cap, y1}, line, 1.4f * sc);
    pts.push_back({x, f.Y(mean[i])});
  }
  if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), line, 0, 1.8f * sc);
  dl->AddCircle(pts[best], 6 * sc, IM_COL32(213, 94, 0, 255), 0, 2 * sc);
  dl->PopClipRect();
  dl->AddRect(f.a, f.b, IM_COL32(0, 0, 0, 60));
  // Legend.
  const float ly = f.b.y + 16 * sc;
  dl->AddCircleFilled({p0.x + 8 * sc, ly + 7 * sc}, 2.6f * sc, dot);
  dl->AddText({p0.x + 14 * sc, ly}, kText, "folds");
  dl->AddLine({p0.x + 60 * sc, ly + 7 * sc}, {p0.x + 76 * sc, ly + 7 * sc}, line, 1.8f * sc);
  dl->AddText({p0.x + 80 * sc, ly}, kText, "mean +- std");
  // The column under the mouse: its numbers, and a click picks its k.
  int picked = -1;
  if (hovered) {
    const float mx = ImGui::GetIO().MousePos.x;
    size_t near = 0;
    for (size_t i = 1; i < n; ++i)
      if (std::abs(f.X(ks[i]) - mx) < std::abs(f.X(ks[near]) - mx)) near = i;
    dl->AddLine({f.X(ks[near]), f.a.y}, {f.X(ks[near]), f.b.y}, IM_COL32(0, 0, 0, 60));
    ImGui::BeginTooltip();
    ImGui::Text("k = %d: mean %.3f, std %.3f", ks[near], mean[near], sd[near]);
    std::string folds;
    char b[16];
    for (double a : fold_acc[near]) {
      std::snprintf(b, sizeof b, "%s%.3f", folds.empty() ? "" : ", ", a);
      folds += b;
    }
    ImGui::Text("folds: %s", folds.c_str());
    ImGui::TextDisabled("click: use this k");
    ImGui::EndTooltip();
    if (clicked) picked = ks[near];
  }
  ImGui::PopID();
  return picked;
}

int plot_cv_curves(const char* id, ImVec2 size, const std::vector<CvCurve>& curves, float sc) {
  PlotArea area = begin_plot(id, size, 48, 34, 4, 10, sc);
  const ImVec2 p0 = area.p0;
  ImDrawList* dl = area.dl;
  const bool hovered = area.hovered, clicked = area.clicked;
  Frame& f = area.f;
  // Legend under the axis: each curve's colour and name.
  float lx = p0.x + 8 * sc;
  const float ly = f.b.y + 18 * sc;
  for (const CvCurve& c : curves) {
    dl->AddLine({lx, ly + 7 * sc}, {lx + 16 * sc, ly + 7 * sc}, c.color, 2 * sc);
    dl->AddCircleFilled({lx + 8 * sc, ly + 7 * sc}, 3 * sc, c.color);
    dl->AddText({lx + 20 * sc, ly}, kText, c.name.c_str());
    lx += 28 * sc + ImGui::CalcTextSize(c.name.c_str()).x;
  }
  auto count = [](const CvCurve& c) {
    return c.ks && c.mean && c.sd ? std::min({c.ks->size(), c.mean->size(), c.sd->size()}) : size_t(0);
  };
  const CvCurve* widest = nullptr;
  for (const CvCurve& c : curves) {
    const size_t n = count(c);
    if (n && (!widest || n > count(*widest))) widest = &c;
    for (size_t i = 0; i < n; ++i) {
      f.x_lo = std::min(f.x_lo, double((*c.ks)[i]));
      f.x_hi = std::max(f.x_hi, double((*c.ks)[i]));
      f.y_lo = std::min(f.y_lo, (*c.mean)[i] - (*c.sd)[i]);
      f.y_hi = std::max(f.y_hi, (*c.mean)[i] + (*c.sd)[i]);
    }
  }
  if (!widest) {
    dl->AddText({f.a.x + 6 * sc, f.a.y + 6 * sc}, IM_COL32(120, 120, 120, 255), "no result yet");
    ImGui::PopID();
    return -1;
  }
  k_axes(dl, f, sc);
  dl->PushClipRect(f.a, f.b, true);
  // Curves that coincide (runs differing only in k) are drawn a few pixels
  // apart, so each run's colour and mark stay visible.
  const float spread = 3 * sc;
  for (size_t c = 0; c < curves.size(); ++c) {
    const CvCurve& cv = curves[c];
    const size_t n = count(cv);
    if (!n) continue;
    const float dx = (float(c) - 0.5f * float(curves.size() - 1)) * spread;
    const ImU32 col = cv.color, faint = (col & 0x00FFFFFFu) | (110u << 24);
    std::vector<ImVec2> pts;
    for (size_t i = 0; i < n; ++i) {
      const float x = f.X((*cv.ks)[i]) + dx;
      dl->AddLine({x, f.Y((*cv.mean)[i] - (*cv.sd)[i])}, {x, f.Y((*cv.mean)[i] + (*cv.sd)[i])}, faint, 1.2f * sc);
      pts.push_back({x, f.Y((*cv.mean)[i])});
    }
    if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), col, 0, 1.8f * sc);
    for (size_t i = 0; i < n; ++i)
      if ((*cv.ks)[i] == cv.mark_k) {
        dl->AddCircleFilled(pts[i], 5 * sc, IM_COL32(255, 255, 255, 255));
        dl->AddCircleFilled(pts[i], 4 * sc, col);
      }
  }
  dl->PopClipRect();
  dl->AddRect(f.a, f.b, IM_COL32(0, 0, 0, 60));
  dl->AddText({f.b.x - ImGui::CalcTextSize("k (neighbours)").x, f.b.y + 18 * sc}, kText, "k (neighbours)");
  int picked = -1;
  if (hovered) {
    const std::vector<int>& ks = *widest->ks;
    const float mx = ImGui::GetIO().MousePos.x;
    size_t near = 0;
    for (size_t i = 1; i < count(*widest); ++i)
      if (std::abs(f.X(ks[i]) - mx) < std::abs(f.X(ks[near]) - mx)) near = i;
    dl->AddLine({f.X(ks[near]), f.a.y}, {f.X(ks[near]), f.b.y}, IM_COL32(0, 0, 0, 60));
    ImGui::BeginTooltip();
    ImGui::Text("k = %d", ks[near]);
    for (const CvCurve& c : curves)
      for (size_t i = 0; i < count(c); ++i)
        if ((*c.ks)[i] == ks[near])
          ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c.color), "%s: mean %.3f, std %.3f", c.name.c_str(),
                             (*c.mean)[i], (*c.sd)[i]);
    ImGui::TextDisabled("click: use this k in the selected run");
    ImGui::EndTooltip();
    if (clicked) picked = ks[near];
  }
  ImGui::PopID();
  return picked;
}

}  // namespace app
