// main_native.cpp: the desktop build (GLFW + OpenGL 3.3 core), for debugging.
//   nnplay [--frames N] [--screenshot out.png] [--size 1280x800] [--scale S] [--demo]
//          [--open concepts,convnet,help] [--data DIR]
// --frames N renders N frames and exits (with --screenshot, the last frame is
// saved as PNG); --demo starts training the start-up network at once.
// --data DIR: where image mode reads its sets (Fashion-MNIST's idx files or
// .nnimg subsets) instead of the packages' places.
#include <GLFW/glfw3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "app/gl.h"
#include "core/data/images.h"
#include "core/fast/parallel.h"
#include "platform/window.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

static bool save_screenshot(GLFWwindow* win, const char* path) {
  int w, h;
  glfwGetFramebufferSize(win, &w, &h);
  std::vector<unsigned char> px(size_t(w) * h * 4), flipped(px.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  for (int y = 0; y < h; ++y)
    std::memcpy(&flipped[size_t(y) * w * 4], &px[size_t(h - 1 - y) * w * 4], size_t(w) * 4);
  return stbi_write_png(path, w, h, 4, flipped.data(), w * 4) != 0;
}

// --demo: train the start-up network while the frames run.
static void start_demo(app::AppState& s) {
  s.steps_per_frame = 10;
  s.host->set_steps_per_frame(10);
  app::set_playing(s, true);
}

int main(int argc, char** argv) {
  long frames = -1;
  const char* shot = nullptr;
  int width = 1280, height = 800;
  float scale = 1;
  bool demo = false;
  std::string open;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--frames") && i + 1 < argc) frames = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--screenshot") && i + 1 < argc) shot = argv[++i];
    else if (!std::strcmp(argv[i], "--size") && i + 1 < argc) std::sscanf(argv[++i], "%dx%d", &width, &height);
    else if (!std::strcmp(argv[i], "--scale") && i + 1 < argc) scale = float(std::atof(argv[++i]));
    else if (!std::strcmp(argv[i], "--demo")) demo = true;
    else if (!std::strcmp(argv[i], "--open") && i + 1 < argc) open = argv[++i];
    else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) nn::image_sources().dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: nnplay [--frames N] [--screenshot out.png] [--size WxH] [--scale S] [--demo] "
                           "[--open concepts,convnet,help] [--data DIR]\n");
      return 2;
    }
  }
  platform::Window w;
  if (!platform::window_open(w, "nnplay", width, height, scale, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")) {
    std::fprintf(stderr, "nnplay: could not open a window with an OpenGL 3.3 context (is a display available?)\n");
    return 1;
  }
  app::AppState& s = app::app_state();
  char info[96];
  std::snprintf(info, sizeof info, "native (%d threads)", nn::parallel_threads());
  app::app_init(s, scale, info);
  if (demo) start_demo(s);
  s.show_concepts = open.find("concepts") != std::string::npos;
  s.show_convnet = open.find("convnet") != std::string::npos;
  s.show_help = open.find("help") != std::string::npos;

  int rc = 0;
  for (long f = 0; !glfwWindowShouldClose(w.glfw) && (frames < 0 || f < frames); ++f) {
    platform::window_begin_frame(w);
    app::app_frame(s);
    platform::window_render(w);
    if (shot && frames >= 0 && f == frames - 1) {
      if (save_screenshot(w.glfw, shot)) std::printf("nnplay: saved %s\n", shot);
      else { std::fprintf(stderr, "nnplay: could not write %s\n", shot); rc = 1; }
    }
    platform::window_swap(w);
  }
  std::printf("nnplay: %ld frames, %d points\n", s.frame, int(s.data.points.size()));
  app::app_shutdown(s);
  platform::window_close(w);
  return rc;
}
