// bench_images.cpp: image-mode timings on the shipped Fashion-MNIST subset
// (10,000 training + 2,000 test images of 28 x 28):
//   kNN L2 and L1 of the 2,000 test images against the 10,000 training images
//   (targets in the threaded web build: L2 < 2 s, L1 < 5 s), one sketch-pad
//   query (one image against the 10,000, < 20 ms), one epoch of softmax
//   and of a 784-100-10 MLP (Trainer, fast engine, batch 64), and one epoch
//   of the 10,000 images with the image mode's ConvNet (the image-convnet
//   preset's spec, read from assets/presets: conv 8@5x5 > pool > conv 16@5x5 >
//   pool > fc 10, Adam batch 64; target <= 10 s in the threaded web build).
#include "bench_images.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/data/images.h"
#include "core/fast/parallel.h"
#include "core/io/session.h"
#include "core/io/source_paths.h"
#include "core/models/knn.h"
#include "core/train/trainer.h"

using namespace nn;

namespace {
// Process CPU seconds of the last timed call (all threads): on a machine
// shared with other jobs the wall time mostly measures the others, so the
// bench also records CPU time / threads, the wall time on an idle machine.
double g_cpu = 0;

// Fastest wall time of `reps` calls.
double seconds_of(const std::function<void()>& fn, int reps) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    fn();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (wall < best) {
      best = wall;
      g_cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    }
  }
  return best;
}
}  // namespace

void workload_images(const BenchRecord& record, bool quick) {
  const std::string path = std::string(NNPLAY_DATA_DIR) + "/" + kFashionSubsetFile;
  std::fprintf(stderr, "[8] images: Fashion-MNIST subset %s\n", path.c_str());
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "  skipped: %s not built (run scripts/setup.sh, then build)\n", path.c_str());
    return;
  }
  const ImageData d = load_image_data_file(path);
  const int reps = quick ? 1 : 3;
  const std::string threads = std::to_string(parallel_threads()) + " threads";
  for (Metric m : {Metric::L2, Metric::L1}) {
    const double t = seconds_of([&] { knn_rows(d.train.X, d.test.X, 5, m); }, reps);
    const std::string what = std::to_string(d.test.size()) + " test x " + std::to_string(d.train.size()) +
                             " training images, k=5, " + (m == Metric::L2 ? "L2 (GEMM form)" : "L1");
    record(std::string("w8.knn_") + to_string(m) + "_s", t, "s", what + ", " + threads);
    record(std::string("w8.knn_") + to_string(m) + "_cpu_s", g_cpu / parallel_threads(), "s",
           what + ": CPU seconds / threads (the wall time on an idle machine)");
  }
  const MatRowsF one = d.test.X.topRows(1);
  const double q = seconds_of([&] { knn_rows(d.train.X, one, 5, Metric::L2); }, quick ? 5 : 20);
  record("w8.sketch_knn_ms", q * 1e3, "ms", "one 28x28 query against 10,000 training images, L2, k=5");

  auto epoch = [&](ModelSpec spec, const char* id, const char* what) {
    spec.optim.batch_size = 64;
    spec.preprocess.image = ImageNorm::MeanImage;
    Trainer t(to_examples(d.train), spec);
    t.set_eval_every(1 << 30);
    const double s = seconds_of([&] {
      const double start = t.epoch();
      while (t.epoch() < start + 1.0) t.step();
    }, reps);
    record(id, s, "s", what + (", " + threads));
    record(std::string(id) + "_cpu", g_cpu / parallel_threads(), "s", what + std::string(": CPU seconds / threads"));
  };
  ModelSpec soft;
  soft.kind = ModelKind::Linear;
  soft.hidden.clear();
  epoch(soft, "w8.softmax_epoch_s", "one epoch of 10,000 images, softmax, batch 64");
  ModelSpec mlp;
  mlp.hidden = {HiddenLayerSpec::fc(100)};
  epoch(mlp, "w8.mlp_epoch_s", "one epoch of 10,000 images, MLP 784-100-10 ReLU, batch 64");

  // The app's ConvNet: the spec of the image-convnet preset as the app loads
  // it (the app trains the preset on 5,000 of the images; here all 10,000).
  const std::string preset = source_assets_dir() + "/presets/image-convnet.json";
  std::ifstream in(preset);
  if (!in) {
    std::fprintf(stderr, "  ConvNet epoch skipped: cannot read %s\n", preset.c_str());
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  const ModelSpec conv = load_session(text.str()).spec;
  Trainer t(to_examples(d.train), conv);
  t.set_eval_every(1 << 30);
  const int conv_reps = quick ? 1 : 2;  // each rep is the next epoch of the same run
  const double s = seconds_of([&] {
    const double start = t.epoch();
    while (t.epoch() < start + 1.0) t.step();
  }, conv_reps);
  const std::string what = "one epoch of 10,000 images, the image mode's ConvNet (preset image-convnet: conv 8@5x5 pad 2, "
                           "pool 2, conv 16@5x5 pad 2, pool 2, fc 10; " + std::string(to_string(conv.optim.kind)) +
                           " batch " + std::to_string(conv.optim.batch_size) + ")";
  record("w8.convnet_epoch_s", s, "s", what + ", " + threads);
  record("w8.convnet_epoch_cpu_s", g_cpu / parallel_threads(), "s", what + ": CPU seconds / threads");
}
