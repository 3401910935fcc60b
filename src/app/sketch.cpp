// sketch.cpp: the sketch pad of the image mode. The student draws on a 28x28
// pad with the mouse; the drawing is framed like the data set's images
// (core/data/sketch.h) and the current model classifies it live: networks
// and linear classifiers show the softmax of their scores, kNN the vote of
// the nearest training images (shown too).
#include <algorithm>
#include <cmath>

#include "app.h"
#include "core/data/sketch.h"
#include "core/limits.h"
#include "imgui.h"
#include "widgets.h"

namespace app {

static constexpr int kPad = 28;

void sketch_clear(AppState& s) {
  std::fill(s.images.sketch.begin(), s.images.sketch.end(), 0.f);
  ++s.images.sketch_version;
}

void sketch_stroke(AppState& s, float x, float y) {
  nn::sketch_dab(s.images.sketch, kPad, x, y, s.images.brush);
  ++s.images.sketch_version;
}

// The pad as the model sees it: framed like the set, inverted if asked (the
// sets are white ink on black; "invert" lets a dark-on-light drawing through).
std::vector<float> sketch_model_input(const ImageMode& m) {
  std::vector<float> pad = m.sketch;
  if (m.sketch_invert)
    for (float& v : pad) v = 1 - v;
  return nn::frame_sketch(pad, kPad, m.set == 1 ? nn::mnist_framing() : nn::fashion_framing());
}

static bool sketch_empty(const ImageMode& m) {
  return std::none_of(m.sketch.begin(), m.sketch.end(), [](float v) { return v > 0.05f; });
}

void update_sketch_prediction(AppState& s) {
  ImageMode& m = s.images;
  const Snapshot* snap = s.training.snapshot.get();
  const bool knn = m.spec.kind == nn::ModelKind::KNN;
  const long key = m.sketch_version * 1000003 + (knn ? m.spec.knn.k * 7 + int(m.spec.knn.weighted) + int(m.spec.knn.metric) * 3 + m.data_version * 997
                                                      : (snap ? snap->generation : -1));
  if (key == m.sketch_probs_for) return;
  m.sketch_probs_for = key;
  m.sketch_probs.clear();
  m.sketch_neighbours.clear();
  m.sketch_pred = -1;
  if (!m.rows || !m.train_used || sketch_empty(m)) return;
  const std::vector<float> x = sketch_model_input(m);
  const int D = int(x.size()), C = m.rows->num_classes;
  if (m.train_used->dim() != D) return;
  try {
    if (knn) {
      const long want = m.data_version * 8 + int(m.spec.preprocess.image);
      if (m.knn_train_for != want) {
        m.knn_pre.fit(m.spec.preprocess.image, m.rows->X_train);
        m.knn_train = m.train_used->X;
        m.knn_pre.transform_inplace(m.knn_train);
        m.knn_train_for = want;
      }
      nn::MatRowsF q(1, D);
      for (int j = 0; j < D; ++j) q(0, j) = x[size_t(j)];
      m.knn_pre.transform_inplace(q);
      nn::KnnSpec ks = m.spec.knn;
      const nn::RowNeighbours nb = nn::knn_rows(m.knn_train, q, ks.k, ks.metric);
      ks.k = std::max(1, nb.k);
      m.sketch_probs.assign(size_t(C), 0.0);
      double total = 0;
      for (int j = 0; j < nb.k; ++j) {
        const double w = ks.weighted ? 1.0 / std::max(1e-12, nb.dist[size_t(j)]) : 1.0;
        m.sketch_probs[size_t(m.train_used->y[nb.index[size_t(j)]])] += w;
        total += w;
        m.sketch_neighbours.push_back(nb.index[size_t(j)]);
      }
      for (double& p : m.sketch_probs) p /= std::max(1e-300, total);
      m.sketch_pred = nn::knn_rows_votes(nb, m.train_used->y, ks)[0].label;
    } else {
      if (!snap || !snap->predictor || !snap->predictor->rows) return;
      nn::Mat X(1, D);
      for (int j = 0; j < D; ++j) X(0, j) = x[size_t(j)];
      const nn::Mat scores = snap->predictor->predict_scores(X);
      if (scores.cols() != C) return;
      const double mx = scores.maxCoeff();
      m.sketch_probs.resize(size_t(C));
      double total = 0;
      for (int c = 0; c < C; ++c) total += m.sketch_probs[size_t(c)] = std::exp(scores(0, c) - mx);
      for (double& p : m.sketch_probs) p /= total;
      m.sketch_pred = int(std::max_element(m.sketch_probs.begin(), m.sketch_probs.end()) - m.sketch_probs.begin());
    }
  } catch (const std::exception& e) {
    m.sketch_probs.clear();
    notify(s, std::string("The sketch could not be classified: ") + e.what());
  }
}

static void grey_to_rgba(const std::vector<float>& v, std::vector<unsigned char>& rgba, size_t at) {
  for (size_t i = 0; i < v.size(); ++i) {
    const unsigned char g = (unsigned char)std::lround(255 * std::clamp(v[i], 0.f, 1.f));
    unsigned char* p = &rgba[(at + i) * 4];
    p[0] = p[1] = p[2] = g;
    p[3] = 255;
  }
}

// "Add to training set with label L": the same gesture as placing a point
// in 2D. The drawing joins the training images framed as the model sees it.
static void add_to_training_row(AppState& s, const std::vector<std::string>& names) {
  ImageMode& m = s.images;
  const float u = s.display.ui_scale;
  if (names.empty()) return;
  ImGui::Separator();
  m.add_label = std::clamp(m.add_label, 0, int(names.size()) - 1);
  ImGui::BeginDisabled(sketch_empty(m) || !m.rows);
  if (ImGui::Button("Add to training set")) add_sketch_to_training(s, m.add_label);
  ImGui::EndDisabled();
  tooltip("Append the drawing (as the model sees it) to the training images with the label on the right. "
          "A trained model keeps its weights and trains on the grown set; kNN uses it at once.");
  ImGui::SameLine();
  ImGui::TextUnformatted("with label");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140 * u);
  if (ImGui::BeginCombo("##addlabel", names[size_t(m.add_label)].c_str())) {
    for (int c = 0; c < int(names.size()); ++c)
      if (ImGui::Selectable(names[size_t(c)].c_str(), c == m.add_label)) m.add_label = c;
    ImGui::EndCombo();
  }
  const int n = int(m.added[m.set].size());
  if (n > 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("Your drawings among the %d training images: %d (kept while the app runs, also across mode and "
                       "set switches; sessions hold no images, so they are not saved).",
                       m.rows ? int(m.rows->X_train.rows()) : 0, n);
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("Remove my drawings")) clear_added_images(s);
  }
}

void draw_sketch_pad(AppState& s) {
  ImageMode& m = s.images;
  const float u = s.display.ui_scale;
  ImGui::TextWrapped("Draw a %s with the left mouse button (white ink on black, like the data set). The model "
                     "sees it framed like its training images (right).",
                     m.set == 1 ? "digit" : "garment or shoe");
  if (ImGui::Button("Clear")) sketch_clear(s);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120 * u);
  ImGui::SliderFloat("brush", &m.brush, 0.5f, 3.0f, "%.1f");
  tooltip("Brush radius in pad pixels.");
  ImGui::SameLine();
  if (ImGui::Checkbox("invert", &m.sketch_invert)) ++m.sketch_version;
  tooltip("Invert the pad before classifying (the data sets are light ink on a black background).");

  const float side = std::min(280 * u, ImGui::GetContentRegionAvail().x * 0.55f);
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("pad", {side, side});
  const bool active = ImGui::IsItemActive();
  if (active) {
    const ImVec2 mp = ImGui::GetIO().MousePos, d = ImGui::GetIO().MouseDelta;
    const float k = kPad / side;
    // Dabs along the mouse's path this frame, about one per pad pixel.
    const int steps = std::max(1, int(std::hypot(d.x, d.y) * k * 2));
    for (int i = 1; i <= steps; ++i) {
      const float t = float(i) / steps;
      sketch_stroke(s, (mp.x - d.x * (1 - t) - p.x) * k, (mp.y - d.y * (1 - t) - p.y) * k);
    }
  }
  // Pad and framed input side by side in one texture (2 tiles of 28 x 28).
  const std::vector<float> framed = sketch_model_input(m);
  if (m.sketch_tex.version != m.sketch_version * 2 + int(m.sketch_invert) + m.set * 1000000007L) {
    std::vector<unsigned char> rgba(size_t(kPad) * kPad * 2 * 4);
    std::vector<unsigned char> a(size_t(kPad) * kPad * 4), b(a.size());
    grey_to_rgba(m.sketch, a, 0);
    grey_to_rgba(framed, b, 0);
    for (int r = 0; r < kPad; ++r) {
      std::copy_n(&a[size_t(r) * kPad * 4], kPad * 4, &rgba[size_t(r) * kPad * 2 * 4]);
      std::copy_n(&b[size_t(r) * kPad * 4], kPad * 4, &rgba[(size_t(r) * kPad * 2 + kPad) * 4]);
    }
    upload_texture(m.sketch_tex, rgba, kPad * 2, kPad);
    m.sketch_tex.version = m.sketch_version * 2 + int(m.sketch_invert) + m.set * 1000000007L;
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddImage((ImTextureID)(intptr_t)m.sketch_tex.id, p, {p.x + side, p.y + side}, {0, 0}, {0.5f, 1});
  dl->AddRect({p.x - 1, p.y - 1}, {p.x + side + 1, p.y + side + 1}, IM_COL32(80, 80, 80, 255));
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("model input");
  const ImVec2 q = ImGui::GetCursorScreenPos();
  const float small = 84 * u;
  ImGui::Dummy({small, small});
  dl->AddImage((ImTextureID)(intptr_t)m.sketch_tex.id, q, {q.x + small, q.y + small}, {0.5f, 0}, {1, 1});
  update_sketch_prediction(s);
  const auto& names = m.data ? m.data->test.class_names : std::vector<std::string>{};
  if (m.sketch_pred >= 0 && m.sketch_pred < int(names.size())) {
    ImGui::TextUnformatted("prediction:");
    ImGui::TextColored({0.0f, 0.35f, 0.7f, 1}, "%s", names[size_t(m.sketch_pred)].c_str());
  } else if (sketch_empty(m)) {
    ImGui::TextDisabled("(draw something)");
  } else {
    ImGui::TextDisabled("(no model yet: press Play)");
  }
  ImGui::EndGroup();
  if (!m.sketch_probs.empty()) {
    ImGui::TextDisabled(m.spec.kind == nn::ModelKind::KNN ? "vote shares of the k nearest training images"
                                                          : "probabilities (softmax of the scores)");
    probability_bars(s, m.sketch_probs.data(), int(m.sketch_probs.size()), -1);
  }
  add_to_training_row(s, names);
}

}  // namespace app
