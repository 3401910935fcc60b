// main_native.cpp: the desktop build (GLFW + OpenGL 3.3 core), for debugging.
//   nnplay [session.json | --preset ID] [--ui full|compact|canvas] [--controls play,step,lr,...]
//          [--autoplay] [--train N] [--frames N] [--screenshot out.png] [--size 1280x800]
//          [--scale S] [--demo] [--open concepts,convnet,help,share] [--list-presets]
// A session file or --preset opens it instead of the start-up example; --ui,
// --controls and --autoplay are the web page's ?ui=, ?controls=, ?autoplay.
// --train N trains the session's model N steps without a window, prints a
// step / loss / accuracy table (RMSE for a regression) and exits: 0 done,
// 3 diverged, 2 cannot train, 1 bad input (a CSV of points too: it has no
// model). --frames N renders N frames and exits (with --screenshot, the
// last frame is saved as PNG); --demo starts training at once.
// --data DIR: where image mode reads its sets (Fashion-MNIST's idx files or
// .nnimg subsets) instead of the packages' places.
#include <GLFW/glfw3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <iostream>

#include "app/app.h"
#include "core/io/source_paths.h"
#include "app/gl.h"
#include "core/data/images.h"
#include "core/fast/parallel.h"
#include "core/io/launch.h"
#include "core/data/csv.h"
#include "core/train/headless.h"
#include "platform/window.h"

#include <stb/stb_image_write.h>  // (the implementation is in src/app/export.cpp)

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
  s.training.steps_per_frame = 10;
  s.training.host->set_steps_per_frame(10);
  if (s.images.active) app::set_image_playing(s, true);
  else app::set_playing(s, true);
}

// --mode images [--image-set fashion-mnist|mnist] [--image-model knn|linear|mlp|convnet] [--image-tab N]:
// start in the image mode (for screenshots and trying it out).
static bool start_images(app::AppState& s, const std::string& set, const std::string& model, int tab) {
  const char* const models[] = {"knn", "linear", "mlp", "convnet"};
  int mi = -1;
  for (int i = 0; i < 4; ++i)
    if (model == models[i]) mi = i;
  if (!model.empty() && mi < 0) return false;
  if (!set.empty() && set != "fashion-mnist" && set != "mnist") return false;
  if (!set.empty()) s.images.set = set == "mnist" ? 1 : 0;
  app::set_image_mode(s, true);
  if (mi >= 0) {
    s.images.model = app::ImageModel(mi);
    app::image_model_changed(s);
  }
  s.images.tab_request = tab;
  return true;
}

// --image-do a,b,...: scripted steps in the image mode for screenshots and
// checks: "play", "select:N" (test image N), "sketch" (draws two vertical
// strokes joined at the top, a pair of trousers), "add:L" (adds the pad to
// the training images with label L), "cv" (starts cross-validation over k;
// in the Points mode, of the 2D kNN).
static bool image_actions(app::AppState& s, const std::string& list) {
  size_t at = 0;
  while (at <= list.size()) {
    const size_t end = std::min(list.find(',', at), list.size());
    const std::string a = list.substr(at, end - at);
    at = end + 1;
    if (a.empty()) continue;
    const size_t colon = a.find(':');
    const std::string name = a.substr(0, colon);
    const int arg = colon == std::string::npos ? 0 : std::atoi(a.c_str() + colon + 1);
    if (name == "play") app::set_image_playing(s, true);
    else if (name == "select") s.images.selected = arg;
    else if (name == "cv" && s.images.active) app::start_image_cv(s);
    else if (name == "cv") app::run_knn_cv_2d(s, s.spec);  // the Points mode's kNN
    else if (name == "add") app::add_sketch_to_training(s, arg);
    else if (name == "sketch") {
      app::sketch_clear(s);
      for (int i = 0; i <= 40; ++i) {
        const float t = i / 40.f;
        app::sketch_stroke(s, 10 - t, 3 + 22 * t);
        app::sketch_stroke(s, 18 + t, 3 + 22 * t);
        app::sketch_stroke(s, 10 + 8 * t, 3);
      }
    } else return false;
  }
  return true;
}

// The autosave's storage natively: one file per key in $XDG_STATE_HOME/nnplay
// (or ~/.local/state/nnplay). Only for interactive runs (not --frames).
static std::string state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) return std::string(x) + "/nnplay";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/nnplay";
  return "";
}
static void file_storage(app::PlatformHooks& p) {
  const std::string dir = state_dir();
  if (dir.empty()) return;
  p.store_get = [dir](const std::string& key, std::string& out) { return app::read_text_file(dir + "/" + key, out); };
  p.store_set = [dir](const std::string& key, const std::string& text) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string tmp = dir + "/" + key + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << text;
      if (!f) return false;
    }
    std::filesystem::rename(tmp, dir + "/" + key, ec);  // whole or not at all
    return !ec;
  };
  p.store_remove = [dir](const std::string& key) {
    std::error_code ec;
    std::filesystem::remove(dir + "/" + key, ec);
  };
}

static const char kUsage[] =
    "usage: nnplay [session.json | --preset ID] [--ui full|compact|canvas] [--controls play,step,lr,...]\n"
    "              [--autoplay] [--train N] [--frames N] [--screenshot out.png] [--size WxH] [--scale S]\n"
    "              [--demo] [--open concepts,convnet,help,share] [--list-presets] [--data DIR]\n"
    "              [--mode points|images] [--image-set fashion-mnist|mnist] [--image-model knn|linear|mlp|convnet]\n"
    "              [--image-tab 0..3] [--image-do play,select:N,sketch,add:L,cv] [--concepts-query TEXT]\n";

int main(int argc, char** argv) {
  long frames = -1;
  const char* shot = nullptr;
  int width = 1280, height = 800;
  float scale = 1;
  bool demo = false;
  std::string open, session_path, mode, image_set, image_model, image_do, concepts_query;
  int image_tab = -1;
  long long train_steps = -1;
  const std::string assets = nn::source_assets_dir();
  const std::vector<std::string> presets = nn::preset_ids(assets);
  nn::LaunchOptions launch;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--frames") && has_value) frames = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--screenshot") && has_value) shot = argv[++i];
    else if (!std::strcmp(argv[i], "--size") && has_value) std::sscanf(argv[++i], "%dx%d", &width, &height);
    else if (!std::strcmp(argv[i], "--scale") && has_value) scale = float(std::atof(argv[++i]));
    else if (!std::strcmp(argv[i], "--demo")) demo = true;
    else if (!std::strcmp(argv[i], "--open") && has_value) open = argv[++i];
    else if (!std::strcmp(argv[i], "--mode") && has_value) mode = argv[++i];
    else if (!std::strcmp(argv[i], "--image-set") && has_value) image_set = argv[++i];
    else if (!std::strcmp(argv[i], "--image-model") && has_value) image_model = argv[++i];
    else if (!std::strcmp(argv[i], "--image-tab") && has_value) image_tab = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--image-do") && has_value) image_do = argv[++i];
    else if (!std::strcmp(argv[i], "--concepts-query") && has_value) concepts_query = argv[++i];
    else if (!std::strcmp(argv[i], "--data") && has_value) nn::image_sources().dir = argv[++i];
    else if (!std::strcmp(argv[i], "--train") && has_value) {
      char* end = nullptr;
      train_steps = std::strtoll(argv[++i], &end, 10);
      if (*end || train_steps < 1 || train_steps > 100000000) {
        std::fprintf(stderr, "nnplay: --train takes a number of steps from 1 to 100000000 (got \"%s\")\n", argv[i]);
        return 1;
      }
    } else if (!std::strcmp(argv[i], "--list-presets")) {
      for (const std::string& id : presets) std::printf("%s\n", id.c_str());
      return 0;
    } else if (!std::strcmp(argv[i], "--autoplay")) nn::set_launch_option(launch, "autoplay", "", presets);
    else if ((!std::strcmp(argv[i], "--preset") || !std::strcmp(argv[i], "--ui") || !std::strcmp(argv[i], "--controls")) &&
             has_value) {
      const std::string key = argv[i] + 2;
      nn::set_launch_option(launch, key, argv[++i], presets);
    } else if (argv[i][0] != '-' && session_path.empty()) session_path = argv[i];
    else {
      std::fprintf(stderr, "nnplay: unknown or incomplete option \"%s\"\n%s", argv[i], kUsage);
      return 2;
    }
  }
  for (const std::string& e : launch.errors) std::fprintf(stderr, "nnplay: %s\n", e.c_str());
  if (!launch.errors.empty() && train_steps > 0) return 1;
  if (!session_path.empty() && !launch.preset.empty()) {
    std::fprintf(stderr, "nnplay: give a session file or --preset, not both\n");
    return 1;
  }

  // The session to open: a file, a preset, or (empty) the start-up example.
  std::string session_text, session_label;
  if (!session_path.empty()) {
    if (!app::read_text_file(session_path, session_text)) {
      std::fprintf(stderr, "nnplay: cannot read %s\n", session_path.c_str());
      return 1;
    }
    session_label = session_path;
  } else if (!launch.preset.empty() && !nn::is_convnet_preset(launch.preset)) {
    app::read_text_file(assets + "/presets/" + launch.preset + ".json", session_text);
    session_label = "preset " + launch.preset;
  }

  if (train_steps > 0) {
    if (session_text.empty()) {
      std::fprintf(stderr, "nnplay: --train needs a session file or a playground --preset\n");
      return 1;
    }
    nn::Session session;
    try {
      session = nn::load_session(session_text);
    } catch (const std::exception& e) {
      try {  // CSV points (which the window opens) carry no model to train
        const nn::Dataset d = nn::parse_points_csv(session_text);
        std::fprintf(stderr, "nnplay: %s holds %zu CSV points but no model: --train needs a session (open the CSV "
                             "in the window, then save the session as JSON)\n", session_label.c_str(), d.points.size());
      } catch (const std::exception&) {
        std::fprintf(stderr, "nnplay: %s: %s\n", session_label.c_str(), e.what());
      }
      return 1;
    }
    return nn::train_headless(session, train_steps, std::cout);
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
  if (!session_path.empty() && !app::load_text(s, session_text))
    std::fprintf(stderr, "nnplay: could not open %s: %s\n", session_label.c_str(), s.io.status.c_str());
  app::apply_launch(s, launch);  // --preset, --ui, --controls, --autoplay
  if (mode == "images" && !start_images(s, image_set, image_model, image_tab)) {
    std::fprintf(stderr, "nnplay: unknown --image-set or --image-model\n%s", kUsage);
    return 2;
  } else if (!mode.empty() && mode != "images" && mode != "points") {
    std::fprintf(stderr, "nnplay: --mode takes points or images\n%s", kUsage);
    return 2;
  }
  if (!image_do.empty() && !image_actions(s, image_do)) {
    std::fprintf(stderr, "nnplay: unknown --image-do step in \"%s\"\n%s", image_do.c_str(), kUsage);
    return 2;
  }
  if (frames < 0) {  // interactive: keep the work across runs, as the web build does
    file_storage(s.platform);
    app::autosave_start(s, !session_path.empty() || !launch.preset.empty());
  }
  if (demo) start_demo(s);
  s.concepts.open = open.find("concepts") != std::string::npos || !concepts_query.empty();
  std::snprintf(s.concepts.query, sizeof s.concepts.query, "%s", concepts_query.c_str());
  s.convnet.open = open.find("convnet") != std::string::npos;
  s.show_help = open.find("help") != std::string::npos;
  s.share.open = open.find("share") != std::string::npos;

  // A snapshot published while the loop sleeps below wakes it.
  app::TrainingHost::notify_ui = [] { glfwPostEmptyEvent(); };
  int rc = 0;
  for (long f = 0; !glfwWindowShouldClose(w.glfw) && (frames < 0 || f < frames); ++f) {
    ++s.embed.ticks;
    // Idle (not training, no input, nothing animating): sleep until an event.
    // A scripted run (--frames) never waits.
    if (frames < 0 && !app::wants_frame(s)) {
      glfwWaitEvents();
      app::wake(s);
    }
    app::autosave_tick(s);
    platform::window_begin_frame(w);
    std::string what;
    if (!platform::window_guarded_frame([&] { app::app_frame(s); }, what)) app::frame_failed(s, what);
    platform::window_render(w);
    app::after_render(s);
    if (shot && frames >= 0 && f == frames - 1) {
      if (save_screenshot(w.glfw, shot)) std::printf("nnplay: saved %s\n", shot);
      else { std::fprintf(stderr, "nnplay: could not write %s\n", shot); rc = 1; }
    }
    platform::window_swap(w);
  }
  app::TrainingHost::notify_ui = nullptr;
  app::autosave_now(s);
  std::printf("nnplay: %ld frames, %d points\n", s.frame, int(s.edit.data.points.size()));
  app::app_shutdown(s);
  platform::window_close(w);
  return rc;
}
