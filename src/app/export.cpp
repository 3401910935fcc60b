// export.cpp: the canvas as a PNG (decision regions and points at the
// canvas's device resolution). A request makes the next frame draw the
// canvas alone (no windows, tooltips or notices over it); after that frame
// is rendered, after_render reads the canvas's rectangle from the back
// buffer, encodes it and hands it on: a download on the web, a file natively.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "app.h"
#include "gl.h"
#include "imgui.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

namespace app {

void request_png_export(AppState& s) {
  s.png.requested = true;
  wake(s);
}

static void append_bytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<unsigned char>*>(ctx);
  const auto* p = static_cast<const unsigned char*>(data);
  out->insert(out->end(), p, p + size);
}

// The canvas's rectangle of the back buffer, top row first.
static std::vector<unsigned char> read_canvas(const View& v, int& w, int& h) {
  const ImGuiIO& io = ImGui::GetIO();
  const int fb_h = int(io.DisplaySize.y * io.DisplayFramebufferScale.y + 0.5f);
  const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
  const int x0 = int(v.x * sx + 0.5f), y0 = int(v.y * sy + 0.5f);
  w = std::max(1, int(v.w * sx + 0.5f));
  h = std::max(1, int(v.h * sy + 0.5f));
  std::vector<unsigned char> px(size_t(w) * h * 4), rows(px.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(x0, fb_h - (y0 + h), w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  for (int y = 0; y < h; ++y) std::memcpy(&rows[size_t(y) * w * 4], &px[size_t(h - 1 - y) * w * 4], size_t(w) * 4);
  for (size_t i = 3; i < rows.size(); i += 4) rows[i] = 255;  // the canvas is opaque
  return rows;
}

static std::string file_name() {
  const std::time_t t = std::time(nullptr);
  char name[64];
  std::strftime(name, sizeof name, "nnplay-canvas-%Y%m%d-%H%M%S.png", std::localtime(&t));
  return name;
}

void after_render(AppState& s) {
  if (!s.png.capture_now) return;
  s.png.capture_now = false;
  int w = 0, h = 0;
  const std::vector<unsigned char> rgba = read_canvas(s.display.view, w, h);
  std::vector<unsigned char> png;
  if (!stbi_write_png_to_func(append_bytes, &png, w, h, 4, rgba.data(), w * 4) || png.empty()) {
    notify(s, "Could not encode the canvas as PNG.");
    return;
  }
  const std::string name = file_name();
  if (s.platform.download_png) {
    s.platform.download_png(name, png);
    s.png.last = name;
    notify(s, "Exported the canvas as " + name + " (" + std::to_string(w) + " x " + std::to_string(h) + " pixels).");
  } else {
    std::error_code ec;
    const std::filesystem::path path = std::filesystem::absolute(name, ec);
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
    if (f) {
      s.png.last = path.string();
      notify(s, "Saved the canvas as " + path.string() + " (" + std::to_string(w) + " x " + std::to_string(h) + " pixels).");
    } else {
      notify(s, "Could not write " + path.string() + ".");
    }
  }
  wake(s);
}

}  // namespace app
