// canvas.cpp: the data plane: decision regions, grid and axes, the points,
// and the mouse (left-click adds a point of the current class, right-click
// removes the nearest point).
#include <cmath>
#include <cstdio>

#include "app.h"
#include "imgui.h"
#include "palette.h"

namespace app {

static ImU32 class_color(int c, int alpha = 255) {
  const Rgb k = kClassColors[((c % 8) + 8) % 8];
  return IM_COL32(k.r, k.g, k.b, alpha);
}

static void draw_axes(const AppState& s, ImDrawList* dl) {
  const View& v = s.view;
  const float sc = s.ui_scale;
  const double x0 = v.to_world_x(v.x), x1 = v.to_world_x(v.x + v.w);
  const double y0 = v.to_world_y(v.y + v.h), y1 = v.to_world_y(v.y);
  const double step = 0.5;
  char buf[16];
  for (double gx = std::ceil(x0 / step) * step; gx <= x1; gx += step) {
    const float px = v.to_px_x(gx);
    const bool axis = std::abs(gx) < 1e-9;
    dl->AddLine({px, v.y}, {px, v.y + v.h}, axis ? IM_COL32(0, 0, 0, 110) : IM_COL32(0, 0, 0, 28),
                axis ? 1.5f * sc : 1.f * sc);
    std::snprintf(buf, sizeof buf, "%g", std::abs(gx) < 1e-9 ? 0.0 : gx);
    dl->AddText({px + 3 * sc, v.to_px_y(0) + 2 * sc}, IM_COL32(0, 0, 0, 120), buf);
  }
  for (double gy = std::ceil(y0 / step) * step; gy <= y1; gy += step) {
    const float py = v.to_px_y(gy);
    const bool axis = std::abs(gy) < 1e-9;
    dl->AddLine({v.x, py}, {v.x + v.w, py}, axis ? IM_COL32(0, 0, 0, 110) : IM_COL32(0, 0, 0, 28),
                axis ? 1.5f * sc : 1.f * sc);
    if (!axis) {
      std::snprintf(buf, sizeof buf, "%g", gy);
      dl->AddText({v.to_px_x(0) + 3 * sc, py + 2 * sc}, IM_COL32(0, 0, 0, 120), buf);
    }
  }
}

void draw_canvas(AppState& s) {
  const View& v = s.view;
  ImGui::SetNextWindowPos({v.x, v.y});
  ImGui::SetNextWindowSize({v.w, v.h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {0, 0});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  ImGui::Begin("Canvas", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* dl = ImGui::GetWindowDrawList();

  ImGui::SetCursorScreenPos({v.x, v.y});
  ImGui::InvisibleButton("plane", {v.w, v.h}, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Left))
    add_point(s, v.to_world_x(m.x), v.to_world_y(m.y), s.current_class);
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right))
    remove_nearest(s, v.to_world_x(m.x), v.to_world_y(m.y), 14 * s.ui_scale / v.scale());

  if (s.regions.texture)
    dl->AddImage((ImTextureID)(intptr_t)s.regions.texture, {v.x, v.y}, {v.x + v.w, v.y + v.h});
  else
    dl->AddRectFilled({v.x, v.y}, {v.x + v.w, v.y + v.h}, IM_COL32(245, 245, 245, 255));
  draw_axes(s, dl);

  const float r = 5.5f * s.ui_scale;
  for (const nn::Point& p : s.data.points) {
    const ImVec2 c{v.to_px_x(p.x), v.to_px_y(p.y)};
    if (p.validation) {
      dl->AddCircleFilled(c, r, IM_COL32(255, 255, 255, 230));
      dl->AddCircle(c, r, class_color(p.label), 0, 2.5f * s.ui_scale);
    } else {
      dl->AddCircleFilled(c, r, class_color(p.label));
      dl->AddCircle(c, r, IM_COL32(30, 30, 30, 220), 0, 1.2f * s.ui_scale);
    }
  }

  if (hovered) {
    // A ring in the current class colour previews where a click adds a point.
    dl->AddCircle(m, r + 2 * s.ui_scale, class_color(s.current_class, 200), 0, 1.5f * s.ui_scale);
    ImGui::BeginTooltip();
    ImGui::Text("x = %.2f, y = %.2f", v.to_world_x(m.x), v.to_world_y(m.y));
    const Regions& rg = s.regions;
    const int cx = int(m.x - v.x), cy = int(m.y - v.y);
    if (cx >= 0 && cy >= 0 && cx < rg.w && cy < rg.h && !rg.labels.empty()) {
      const int label = rg.labels[size_t(cy) * rg.w + cx];
      if (label >= 0)
        ImGui::Text("predicted: class %d (%s), %.0f%% of votes", label + 1, kClassNames[label],
                    100.0 * rg.confidence[size_t(cy) * rg.w + cx]);
    }
    ImGui::TextDisabled("left-click: add   right-click: remove");
    ImGui::EndTooltip();
  }
  ImGui::End();
  ImGui::PopStyleVar(2);
}

}  // namespace app
