// panels.cpp: the sidebar (data and model controls), the status bar and the
// help window. Each is a function of the app state: it reads the state and
// writes the user's intent back into it.
#include <algorithm>
#include <cstdio>

#include "app.h"
#include "imgui.h"
#include "palette.h"

namespace app {

static void tooltip(const char* text) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_DelayShort)) ImGui::SetTooltip("%s", text);
}

static void class_buttons(AppState& s) {
  const float sz = ImGui::GetFrameHeight() * 1.25f;
  const int shown = std::clamp(s.classes_in_use + 1, 2, 6);
  for (int c = 0; c < shown; ++c) {
    if (c > 0) ImGui::SameLine();
    const Rgb k = kClassColors[c];
    ImGui::PushID(c);
    ImGui::PushStyleColor(ImGuiCol_Button, IM_COL32(k.r, k.g, k.b, 255));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, IM_COL32(k.r, k.g, k.b, 210));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, IM_COL32(k.r, k.g, k.b, 160));
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(20, 20, 20, 255));
    const bool selected = s.current_class == c;
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, selected ? 3.f * s.ui_scale : 0.f);
    ImGui::PushStyleColor(ImGuiCol_Border, IM_COL32(20, 20, 20, 255));
    char label[8];
    std::snprintf(label, sizeof label, "%d", c + 1);
    if (ImGui::Button(label, {sz, sz})) s.current_class = c;
    ImGui::PopStyleColor(5);
    ImGui::PopStyleVar();
    char tip[96];
    std::snprintf(tip, sizeof tip, "Draw points of class %d (%s). Shortcut: key %d.", c + 1, kClassNames[c], c + 1);
    tooltip(tip);
    ImGui::PopID();
  }
}

static void data_section(AppState& s) {
  if (!ImGui::CollapsingHeader("Data", ImGuiTreeNodeFlags_DefaultOpen)) return;
  ImGui::TextUnformatted("Class to draw");
  class_buttons(s);
  int counts[nn::kMaxClasses] = {0};
  for (const auto& p : s.data.points) ++counts[std::clamp(p.label, 0, nn::kMaxClasses - 1)];
  ImGui::Text("%d points", int(s.data.points.size()));
  for (int c = 0; c < s.classes_in_use; ++c) {
    ImGui::SameLine();
    const Rgb k = kClassColors[c];
    ImGui::TextColored(ImVec4(k.r / 255.f * 0.8f, k.g / 255.f * 0.8f, k.b / 255.f * 0.8f, 1), "%d", counts[c]);
  }
  if (ImGui::Button("Clear")) clear_points(s);
  tooltip("Remove every point from the canvas.");
}

static void model_section(AppState& s) {
  if (!ImGui::CollapsingHeader("Model: k-nearest neighbours", ImGuiTreeNodeFlags_DefaultOpen)) return;
  nn::KnnSpec& k = s.spec.knn;
  const nn::KnnSpec before = k;
  ImGui::SliderInt("k", &k.k, 1, 25);
  tooltip("How many of the nearest training points vote on the class. k = 1 follows every point "
          "(zero training error, ragged regions); larger k smooths the boundary.");
  int metric = k.metric == nn::Metric::L1 ? 0 : 1;
  ImGui::RadioButton("L1 (Manhattan)", &metric, 0);
  tooltip("Distance = |dx| + |dy|: boundaries follow axis-aligned and diagonal pieces.");
  ImGui::SameLine();
  ImGui::RadioButton("L2 (Euclidean)", &metric, 1);
  tooltip("Distance = sqrt(dx^2 + dy^2), compared squared (the root never changes which point is nearer).");
  k.metric = metric == 0 ? nn::Metric::L1 : nn::Metric::L2;
  ImGui::Checkbox("Distance-weighted vote", &k.weighted);
  tooltip("Each neighbour's vote counts 1/distance, so close neighbours outweigh far ones.");
  k.k = std::clamp(k.k, 1, 1000);
  if (!(k == before)) s.regions.dirty = true;
}

void draw_sidebar(AppState& s) {
  ImGui::Begin("nnplay", nullptr,
               ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoSavedSettings);
  ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
  data_section(s);
  model_section(s);
  ImGui::PopItemWidth();
  ImGui::Spacing();
  ImGui::Separator();
  if (ImGui::Button("Help (H)")) s.show_help = !s.show_help;
  tooltip("Keyboard shortcuts and how to use the canvas.");
  ImGui::End();
}

void draw_status_bar(AppState& s) {
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {8 * s.ui_scale, 3 * s.ui_scale});
  ImGui::Begin("Status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings);
  ImGui::Text("nnplay | build: %s | %.0f fps | regions %dx%d in %.1f ms", s.build_info.c_str(), s.fps,
              s.regions.w, s.regions.h, s.regions.last_ms);
  if (!s.message.empty()) {
    ImGui::SameLine();
    ImGui::TextColored({0.75f, 0.1f, 0.1f, 1}, "| %s", s.message.c_str());
  }
  ImGui::End();
  ImGui::PopStyleVar();
}

void draw_help(AppState& s) {
  ImGui::SetNextWindowSize({420 * s.ui_scale, 0}, ImGuiCond_Appearing);
  ImGui::Begin("Help", &s.show_help, ImGuiWindowFlags_NoSavedSettings);
  ImGui::TextUnformatted("Canvas");
  ImGui::BulletText("Left-click: add a point of the selected class");
  ImGui::BulletText("Right-click: remove the nearest point");
  ImGui::TextUnformatted("Keys");
  ImGui::BulletText("1 - 6: select the class to draw");
  ImGui::BulletText("H or F1: show or hide this help");
  ImGui::End();
}

}  // namespace app
