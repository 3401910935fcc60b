// nnplay_bench.cpp: the benchmark workloads through nnplay's real engine
// (nn::Trainer on the fast float32 engine, the default, for training;
// nn::FastScorer + scorer_grid for the decision regions; nn::KnnIndex +
// knn_grid for kNN), a float32 matmul peak, ConvNetJS's MNIST network from
// the fast conv kernels, and an MLP 784-256-256-10 trained by the fast
// engine on 1 thread and on every thread of the pool.
// The same source runs natively and as WebAssembly under node; it prints one
// JSON object (bench/run.sh merges the objects of every implementation).
//   nnplay_bench [--impl NAME] [--quick]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if defined(__EMSCRIPTEN__)
#include <emscripten/emscripten.h>
#endif

#include "core/data/dataset.h"
#include "core/fast/conv_kernels.h"
#include "core/fast/fast_engine.h"
#include "core/fast/fast_eval.h"
#include "core/models/knn.h"
#include "core/fast/parallel.h"
#include "core/fast/simd.h"
#include "core/train/engine.h"
#include "core/train/trainer.h"
#include "bench_images.h"
#include "app/training.h"  // the app's TrainingHost (core only, no UI): workload 9's app loop

using namespace nn;

namespace {

// Under node, performance.now() as the JavaScript peers read it: libc++'s
// steady_clock goes through clock_gettime and a JavaScript exception wrapper,
// which cost a tiny network's timed loop about 6 % of its time per call.
double now_s() {
#if defined(__EMSCRIPTEN__)
  return emscripten_get_now() * 1e-3;
#else
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
#endif
}

bool g_quick = false;
double budget(double s) { return g_quick ? s * 0.2 : s; }

// Seconds per call of fn(): after a warm-up call, the time is split into
// five windows of at least seconds / 5 (and min_reps calls) each and the
// fastest window counts, so that a burst of load from other processes on a
// shared machine does not set the figure.
template <class F>
double time_per_call(F&& fn, double seconds, int min_reps = 2) {
  fn();  // warm-up
  double best = 1e300;
  for (int w = 0; w < 5; ++w) {
    int reps = 0;
    const double t0 = now_s();
    double t = t0;
    while (reps < min_reps || t - t0 < seconds / 5) {
      fn();
      ++reps;
      t = now_s();
    }
    best = std::min(best, (t - t0) / reps);
  }
  return best;
}

struct Result {
  std::string id, unit, what;
  double value;
};
std::vector<Result> g_results;

void record(const std::string& id, double value, const std::string& unit, const std::string& what) {
  g_results.push_back({id, unit, what, value});
  std::fprintf(stderr, "  %-28s %14.1f %-12s %s\n", id.c_str(), value, unit.c_str(), what.c_str());
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o;
}

HiddenLayerSpec layer(int width, Activation act) {
  HiddenLayerSpec h;
  h.width = width;
  h.act = act;
  return h;
}

// Every training figure is the fast engine's (the default): a run that fell
// back to the reference would report the wrong engine.
void check_fast(const Trainer& tr) {
  if (tr.engine_kind() != EngineKind::Fast) {
    std::fprintf(stderr, "bench: this workload does not run on the fast engine\n");
    std::exit(1);
  }
}

// Trains `steps` minibatch updates with the full-set evaluation off (the
// figure is the engine's update throughput).
double train_samples_per_s(Trainer& tr, int batch, double seconds) {
  tr.set_eval_every(1 << 30);
  const double per_step = time_per_call([&] { tr.step(); }, seconds, 20);
  return batch / per_step;
}

// ---- 1. ConvNetJS classify2d default ----------------------------------------
void workload_convnetjs() {
  std::fprintf(stderr, "[1] ConvNetJS classify2d default\n");
  Dataset data = make_circle(100, 0.1, 7);
  ModelSpec spec;
  spec.hidden = {layer(6, Activation::Tanh), layer(2, Activation::Tanh)};
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::L2;
  spec.loss.lambda = 0.001;
  spec.init.kind = InitKind::Xavier;
  spec.optim.kind = OptimKind::Momentum;
  spec.optim.lr = 0.01;
  spec.optim.mu = 0.1;
  spec.optim.batch_size = 10;
  Trainer tr(data, spec);
  check_fast(tr);
  record("w1.train_sps", train_samples_per_s(tr, 10, budget(1.0)), "samples/s",
         "training samples/s, 2-6-2-2 tanh softmax, SGD+momentum batch 10");
  // One classify2d frame: 20 passes over the 100 points (200 steps) + 81x81 grid.
  std::vector<int> labels;
  std::vector<float> conf;
  const double frame = time_per_call([&] {
    for (int s = 0; s < 200; ++s) tr.step();
    const Predictor snap = tr.predictor();
    FastScorer fs(*snap.model, snap.preprocessor);
    scorer_grid(fs, 81, 81, -1.2, 1.2, -1.2, 1.2, labels, conf);
  }, budget(1.0));
  record("w1.frames_per_s", 1 / frame, "frames/s", "classify2d frames/s: 20 epochs of 100 points + 81x81 grid");
}

// ---- 2. TF Playground default and largest network --------------------------
void workload_tfplayground(bool largest) {
  std::fprintf(stderr, "[2] TF Playground %s\n", largest ? "largest (7 features, 6x8 tanh, spiral)" : "default");
  Dataset data = largest ? make_spiral(500, 0.1, 5, 2) : make_circle(500, 0.1, 5);
  split_train_val(data, 0.5, 5);  // 250 training, 250 test points
  ModelSpec spec;
  spec.hidden.clear();
  if (largest) {
    for (int l = 0; l < 6; ++l) spec.hidden.push_back(layer(8, Activation::Tanh));
    spec.preprocess.square = spec.preprocess.cross = spec.preprocess.sines = true;
  } else {
    spec.hidden = {layer(4, Activation::Tanh), layer(2, Activation::Tanh)};
  }
  // nnplay has no squared loss on one +-1 output: two softmax scores instead.
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::None;
  spec.init.kind = InitKind::Xavier;
  spec.optim.kind = OptimKind::SGD;
  spec.optim.lr = 0.03;
  spec.optim.batch_size = 10;
  Trainer tr(data, spec);
  check_fast(tr);
  const std::string w = largest ? "w2b" : "w2a";
  record(w + ".train_sps", train_samples_per_s(tr, 10, budget(1.0)), "samples/s",
         largest ? "training samples/s, 7 features-6x8 tanh-2, SGD batch 10"
                 : "training samples/s, 2-4-2 tanh-2, SGD batch 10");
  // One TF Playground step: an epoch (25 updates of 10), the loss on the
  // training and test sets, a 100x100 grid.
  tr.set_eval_every(25);
  std::vector<int> labels;
  std::vector<float> conf;
  const double step = time_per_call([&] {
    for (int s = 0; s < 25; ++s) tr.step();
    const Predictor snap = tr.predictor();
    FastScorer fs(*snap.model, snap.preprocessor);
    scorer_grid(fs, 100, 100, -1.2, 1.2, -1.2, 1.2, labels, conf);
  }, budget(1.0));
  record(w + ".step_ms", step * 1e3, "ms/step", "one playground step: epoch of 250 + train/test loss + 100x100 grid");
}

// ---- 3. 2-16-16-3 ReLU spiral, Adam batch 32 --------------------------------
void workload_spiral() {
  std::fprintf(stderr, "[3] 2-16-16-3 ReLU spiral, Adam batch 32, 512x512 grid\n");
  Dataset data = make_spiral(300, 0.2, 3, 3);
  ModelSpec spec;
  spec.hidden = {layer(16, Activation::ReLU), layer(16, Activation::ReLU)};
  spec.loss.kind = LossKind::Softmax;
  spec.optim.kind = OptimKind::Adam;
  spec.optim.lr = 0.01;
  spec.optim.batch_size = 32;
  Trainer tr(data, spec);
  check_fast(tr);
  record("w3.train_sps", train_samples_per_s(tr, 32, budget(1.5)), "samples/s",
         "training samples/s, 2-16-16-3 ReLU softmax, Adam batch 32");
  for (int s = 0; s < 300; ++s) tr.step();

  const int G = 512;
  std::vector<int> labels;
  std::vector<float> conf;
  Predictor snap = tr.predictor();
  FastScorer fs(*snap.model, snap.preprocessor);
  const double grid = time_per_call([&] { scorer_grid(fs, G, G, -1.2, 1.2, -1.2, 1.2, labels, conf); },
                                    budget(1.5));
  record("w3.grid_pps", G * G / grid, "points/s",
         "512x512 grid points/s, idle (scorer_grid, " + std::to_string(parallel_threads()) +
             " threads; ReLU net: scores interpolated inside 4x4 cells of one activation pattern)");
  // Raw batched forward, one thread, no arg-max: the figure to put next to
  // tf.js's batched forward of the same net.
  std::vector<float> xs(size_t(G) * G), ys(xs.size()), sc(xs.size() * 3);
  for (int r = 0; r < G; ++r)
    for (int c = 0; c < G; ++c) {
      xs[size_t(r) * G + c] = float(-1.2 + 2.4 * (c + 0.5) / G);
      ys[size_t(r) * G + c] = float(1.2 - 2.4 * (r + 0.5) / G);
    }
  const double fwd = time_per_call([&] { fs.scores(xs.data(), ys.data(), G * G, sc.data()); }, budget(1.0));
  record("w3.forward_pps_1t", G * G / fwd, "points/s", "batched forward 262144x2 -> 3 scores, 1 thread (FastScorer::scores)");

  // While training: training runs on its own thread (as in the app); the
  // caller takes a snapshot and recomputes the 512x512 regions in a loop.
  int frames = 0;
  std::atomic<int64_t> steps_done{0};
  std::vector<std::pair<double, int64_t>> ends;  // (time, training steps) at the end of each frame
#if NNPLAY_THREADED
  // The training thread hands over a snapshot between two steps when asked
  // (as the app's training thread does), so it never waits on the drawing.
  std::mutex m;
  std::condition_variable cv;
  bool want = false, ready = false;
  Predictor handed;
  std::atomic<bool> stop{false};
  std::thread trainer_thread([&] {
    while (!stop.load()) {
      tr.step();
      ++steps_done;
      std::lock_guard<std::mutex> lk(m);
      if (want) { handed = tr.predictor(); want = false; ready = true; cv.notify_one(); }
    }
  });
  const double t0 = now_s();
  const int64_t steps0 = steps_done.load();
  while (now_s() - t0 < budget(2.0) || frames < 3) {
    Predictor s;
    {
      std::unique_lock<std::mutex> lk(m);
      want = true;
      cv.wait(lk, [&] { return ready; });
      ready = false;
      s = std::move(handed);
    }
    FastScorer f(*s.model, s.preprocessor);
    scorer_grid(f, G, G, -1.2, 1.2, -1.2, 1.2, labels, conf);
    ++frames;
    ends.push_back({now_s(), steps_done.load()});
  }
  stop = true;
  trainer_thread.join();
  const std::string how = "training on its own thread";
#else
  // No threads: each frame is a few training steps then the regions.
  const double t0 = now_s();
  const int64_t steps0 = steps_done.load();
  while (now_s() - t0 < budget(2.0) || frames < 3) {
    for (int s = 0; s < 10; ++s) { tr.step(); ++steps_done; }
    Predictor s = tr.predictor();
    FastScorer f(*s.model, s.preprocessor);
    scorer_grid(f, G, G, -1.2, 1.2, -1.2, 1.2, labels, conf);
    ++frames;
    ends.push_back({now_s(), steps_done.load()});
  }
  const std::string how = "single thread: 10 training steps then the grid, per frame";
#endif
  // The best of five windows of consecutive frames (see time_per_call).
  double best_fps = 0, best_sps = 0;
  const size_t g = std::max<size_t>(1, ends.size() / 5);
  for (size_t i = 0; i + g <= ends.size(); i += g) {
    const double t_prev = i == 0 ? t0 : ends[i - 1].first;
    const int64_t s_prev = i == 0 ? steps0 : ends[i - 1].second;
    const double dt = ends[i + g - 1].first - t_prev;
    if (dt > 0 && double(g) / dt > best_fps) {
      best_fps = double(g) / dt;
      best_sps = double(ends[i + g - 1].second - s_prev) * 32 / dt;
    }
  }
  record("w3.grid_pps_training", best_fps * G * G, "points/s",
         "512x512 grid points/s while training runs (" + how + ")");
  record("w3.regions_per_s_training", best_fps, "regions/s", "512x512 regions recomputed per second while training");
  record("w3.train_sps_during", best_sps, "samples/s", "training samples/s meanwhile");
}

// ---- 9. Comparing runs: four 2-16-16-3 networks with their regions ------------
// As the app's compare mode runs them: every run trains on its own thread (a
// TrainingHost each), 5 steps per frame tick (steps/frame), then publishes a
// snapshot; the drawing thread ticks and draws each run's regions from its
// latest snapshot. Four panels of 256x256 make the pixels of one 512x512
// canvas; the same loop with one run and one 512x512 panel is the baseline.
// Two ways of drawing, measured in the same process, alternating:
//  - every frame: each run's whole grid is recomputed every frame, whether
//    or not the run has published anything new (the first version of this
//    benchmark, and the upper bound of the drawing work);
//  - as the app: a run's regions are recomputed only when it has published a
//    new snapshot since they were drawn (regions.cpp's generation check), at
//    a resolution that keeps all runs' regions within one shared budget of
//    10 ms per frame (the app coarsens while training the same way); with
//    nothing new the drawing thread sleeps until a run publishes (the app's
//    idle loop waits for events), so only frames that show something count.
// What a user sees is measured below (host_frames): the app's own training
// host, paced at a 60 Hz display. Each frame starts on a vsync (every 1/60 s),
// ticks the runs, draws the regions of the runs that have published since
// (as the app), and then sleeps until the next vsync. A frame that is not
// done by the vsync after the one it started on has missed its deadline (its
// picture comes a vsync late; a late wake-up counts); the next frame then
// starts on the first vsync after it ended. Only the drawing thread's regions
// are in the frame here, not the app's ImGui windows, plots and texture upload.
struct CompareFigures {
  double fps = 0, sps_per_run = 0;
  double grid_ms_per_frame = 0;  // the drawing thread's time in the region grids, per frame
  double mean_divisor = 1;       // resolution: 1 = a texel per pixel, 2 = half, ...
  // Paced at 60 Hz only.
  int paced_frames = 0, missed = 0;  // frames drawn, and how many were not done by their vsync
  double worst_ms = 0;               // the longest frame (its vsync to the last region drawn)
  double p99_ms = 0;                 // the 99th percentile frame time
  double regions_per_run_s = 0;      // host_frames: each run's regions redrawn per second
};
// Waits until now_s() >= t: sleeps where a thread may sleep; the
// single-threaded WebAssembly build, which has no sleep that yields under
// node, spins (it has the core to itself in this loop anyway).
void wait_until_s(double t) {
#if defined(__EMSCRIPTEN__) && !NNPLAY_THREADED
  while (now_s() < t) {}
#else
  for (double d = t - now_s(); d > 0; d = t - now_s())
    std::this_thread::sleep_for(std::chrono::duration<double>(d));
#endif
}
// Run r of the comparison: 2-16-16-3, softmax, lr 0.01, batch 32, with
// SGD, momentum, RMSProp or Adam.
ModelSpec compare_spec(int r) {
  const OptimKind kinds[4] = {OptimKind::SGD, OptimKind::Momentum, OptimKind::RMSProp, OptimKind::Adam};
  ModelSpec spec;
  spec.hidden = {layer(16, Activation::ReLU), layer(16, Activation::ReLU)};
  spec.loss.kind = LossKind::Softmax;
  spec.optim.kind = kinds[r % 4];
  spec.optim.lr = 0.01;
  spec.optim.batch_size = 32;
  return spec;
}
CompareFigures compare_frames(int R, int G, bool as_app) {
  const Dataset data = make_spiral(300, 0.2, 3, 3);
  std::vector<std::unique_ptr<Trainer>> runs;
  for (int r = 0; r < R; ++r) {
    runs.push_back(std::make_unique<Trainer>(data, compare_spec(r)));
    check_fast(*runs.back());
  }
  constexpr int kStepsPerFrame = 5;
  constexpr double kRegionBudgetMs = 10.0;  // regions.cpp: all runs' regions per frame while training
  std::vector<int> labels;
  std::vector<float> conf;
  int frames = 0;
  long grids = 0;
  double grid_s = 0, divisor_sum = 0;
  std::atomic<int64_t> steps_done{0};
  std::vector<double> ms_per_texel(size_t(R), 0.0);
  std::vector<long> drawn(size_t(R), -1);
  // One run's regions: the whole grid every frame, or as the app does it.
  const auto draw = [&](int r, const Predictor& snap) {
    int divisor = 1;
    if (as_app && ms_per_texel[size_t(r)] > 0)
      divisor = std::clamp(int(std::ceil(std::sqrt(ms_per_texel[size_t(r)] * G * G / (kRegionBudgetMs / R)))), 1, 8);
    const int w = (G + divisor - 1) / divisor;
    const double t = now_s();
    FastScorer f(*snap.model, snap.preprocessor);
    scorer_grid(f, w, w, -1.2, 1.2, -1.2, 1.2, labels, conf);
    const double dt = now_s() - t;
    ms_per_texel[size_t(r)] = dt * 1e3 / (double(w) * w);
    grid_s += dt;
    divisor_sum += divisor;
    ++grids;
  };
#if NNPLAY_THREADED
  std::mutex m;
  std::condition_variable cv, published;
  long tick = 0, generation = 0;
  bool stop = false;
  struct Latest {
    std::shared_ptr<const Predictor> snap;
    long generation = 0;
  };
  std::vector<Latest> latest(static_cast<size_t>(R));
  for (int r = 0; r < R; ++r) latest[size_t(r)] = {std::make_shared<Predictor>(runs[size_t(r)]->predictor()), 0};
  std::vector<std::thread> threads;
  for (int r = 0; r < R; ++r)
    threads.emplace_back([&, r] {
      long seen = 0;
      for (;;) {
        {
          std::unique_lock<std::mutex> lk(m);
          cv.wait(lk, [&] { return stop || tick != seen; });
          if (stop) return;
          seen = tick;
        }
        for (int s = 0; s < kStepsPerFrame; ++s) runs[size_t(r)]->step();
        steps_done += kStepsPerFrame;
        auto snap = std::make_shared<const Predictor>(runs[size_t(r)]->predictor());
        std::lock_guard<std::mutex> lk(m);
        latest[size_t(r)] = {std::move(snap), ++generation};
        published.notify_one();
      }
    });
  const double t0 = now_s();
  while (now_s() - t0 < budget(2.0) || frames < 3) {
    {
      std::lock_guard<std::mutex> lk(m);
      ++tick;
    }
    cv.notify_all();
    std::vector<Latest> now(static_cast<size_t>(R));
    {
      std::unique_lock<std::mutex> lk(m);
      if (as_app) {
        const auto fresh = [&] {
          for (int r = 0; r < R; ++r)
            if (latest[size_t(r)].generation != drawn[size_t(r)]) return true;
          return false;
        };
        published.wait_for(lk, std::chrono::milliseconds(50), fresh);
      }
      now = latest;
    }
    bool any = false;
    for (int r = 0; r < R; ++r) {
      if (as_app && now[size_t(r)].generation == drawn[size_t(r)]) continue;
      draw(r, *now[size_t(r)].snap);
      drawn[size_t(r)] = now[size_t(r)].generation;
      any = true;
    }
    frames += any;
  }
  {
    std::lock_guard<std::mutex> lk(m);
    stop = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
#else
  // No threads: each frame trains every run's steps, then draws its regions
  // (every run has something new every frame, so both ways redraw them all;
  // as the app, at the budget's resolution).
  const double t0 = now_s();
  while (now_s() - t0 < budget(2.0) || frames < 3) {
    for (int r = 0; r < R; ++r) {
      for (int s = 0; s < kStepsPerFrame; ++s) runs[size_t(r)]->step();
      steps_done += kStepsPerFrame;
      draw(r, runs[size_t(r)]->predictor());
    }
    ++frames;
  }
#endif
  const double dt = now_s() - t0;
  CompareFigures out;
  out.fps = frames / dt;
  out.sps_per_run = double(steps_done.load()) * 32 / dt / R;
  out.grid_ms_per_frame = frames ? grid_s * 1e3 / frames : 0;
  out.mean_divisor = grids ? divisor_sum / double(grids) : 1;
  return out;
}

// The same comparison through the app's own training host (src/app/training.cpp,
// the code the app runs, without its window): one TrainingHost per run, each
// with its worker thread in the threaded build (in the fallback build frame()
// trains inside the frame, all runs sharing 8 ms as the app does), runs kept
// step for step by the step limit as the app's frame_runs does (app::lockstep_limit), and each run's
// regions drawn from its snapshot's scorer when it published a new one, within
// the shared 10 ms region budget. Uncapped (paced = false): with nothing new
// the loop waits for a publish, so only frames that show something count, as
// "as the app" above. Paced: a frame every 1/60 s as described above.
namespace host_loop {
std::mutex m;
std::condition_variable cv;
long news = 0;  // publishes so far (TrainingHost::notify_ui)
void on_publish() {
  {
    std::lock_guard<std::mutex> lk(m);
    ++news;
  }
  cv.notify_all();
}
}  // namespace host_loop

CompareFigures host_frames(int R, int G, bool paced) {
  const Dataset data = make_spiral(300, 0.2, 3, 3);
  constexpr int kStepsPerFrame = 5, kBatch = 32;  // kBatch: compare_spec's
  constexpr double kRegionBudgetMs = 10.0, kVsync = 1.0 / 60;
  app::TrainingHost::notify_ui = host_loop::on_publish;
  std::vector<std::unique_ptr<app::TrainingHost>> hosts;
  for (int r = 0; r < R; ++r) {
    auto h = std::make_unique<app::TrainingHost>();
    h->set_data(data);
    h->set_active(true);
    h->set_spec(compare_spec(r));
    h->set_steps_per_frame(kStepsPerFrame);
    h->set_playing(true);
    hosts.push_back(std::move(h));
  }
  std::vector<std::shared_ptr<const app::Snapshot>> snap(static_cast<size_t>(R));
  std::vector<long> drawn(size_t(R), -1);
  std::vector<double> ms_per_texel(size_t(R), 0.0);
  std::vector<int> labels;
  std::vector<float> conf;
  std::vector<double> frame_ms;
  int frames = 0, missed = 0;
  long grids = 0;
  double grid_s = 0;
  // One frame: tick every host (the fallback build trains here), read the
  // snapshots, draw the regions that have news. false: nothing new drawn.
  const auto frame = [&](bool wait_for_news) {
    std::vector<const app::TrainingHost*> pacing;
    for (const auto& h : hosts) pacing.push_back(h.get());
    const int64_t limit = app::lockstep_limit(pacing, kStepsPerFrame);  // as the app's frame_runs
    long seen;
    {
      std::lock_guard<std::mutex> lk(host_loop::m);
      seen = host_loop::news;
    }
    for (auto& h : hosts) {
      h->set_step_limit(limit);
      h->frame(8.0 / R);
    }
    const auto take = [&] {
      bool fresh = false;
      for (int r = 0; r < R; ++r) {
        snap[size_t(r)] = hosts[size_t(r)]->take_snapshot();
        fresh = fresh || (snap[size_t(r)]->scorer && snap[size_t(r)]->generation != drawn[size_t(r)]);
      }
      return fresh;
    };
    if (!take() && wait_for_news) {
      std::unique_lock<std::mutex> lk(host_loop::m);
      host_loop::cv.wait_for(lk, std::chrono::milliseconds(50), [&] { return host_loop::news != seen; });
      lk.unlock();
      take();
    }
    bool any = false;
    for (int r = 0; r < R; ++r) {
      const app::Snapshot& sp = *snap[size_t(r)];
      if (!sp.scorer || sp.generation == drawn[size_t(r)]) continue;
      int divisor = 1;
      if (ms_per_texel[size_t(r)] > 0)
        divisor = std::clamp(int(std::ceil(std::sqrt(ms_per_texel[size_t(r)] * G * G / (kRegionBudgetMs / R)))), 1, 8);
      const int w = (G + divisor - 1) / divisor;
      const double t = now_s();
      scorer_grid(*sp.scorer, w, w, -1.2, 1.2, -1.2, 1.2, labels, conf);
      const double dt = now_s() - t;
      ms_per_texel[size_t(r)] = dt * 1e3 / (double(w) * w);
      grid_s += dt;
      ++grids;
      drawn[size_t(r)] = sp.generation;
      any = true;
    }
    return any;
  };
  // Warm-up (the trainers are built, the worker threads start), not counted.
  for (const double w0 = now_s(); now_s() - w0 < 0.3;) frame(true);
  int64_t steps0 = 0;
  for (const auto& sp : snap) steps0 += sp->step;
  grids = 0;
  const double t0 = now_s();
  double slot = t0;
  while (now_s() - t0 < (paced ? budget(2.5) : budget(2.0)) || frames < 3) {
    const bool any = frame(!paced);
    if (!paced) {
      frames += any;
      continue;
    }
    ++frames;
    const double end = now_s();
    frame_ms.push_back((end - slot) * 1e3);
    slot += kVsync;
    if (end > slot) {
      ++missed;
      while (slot < end) slot += kVsync;
    }
    wait_until_s(slot);
  }
  const double dt = now_s() - t0;
  int64_t steps1 = 0;
  for (const auto& sp : snap) steps1 += sp->step;
  for (auto& h : hosts) h->set_playing(false);
  hosts.clear();  // joins the workers
  app::TrainingHost::notify_ui = nullptr;
  CompareFigures out;
  out.fps = frames / dt;
  out.sps_per_run = double(steps1 - steps0) * kBatch / dt / R;
  out.grid_ms_per_frame = frames ? grid_s * 1e3 / frames : 0;
  out.regions_per_run_s = double(grids) / R / dt;
  if (!frame_ms.empty()) {
    out.paced_frames = int(frame_ms.size());
    out.missed = missed;
    std::sort(frame_ms.begin(), frame_ms.end());
    out.worst_ms = frame_ms.back();
    out.p99_ms = frame_ms[std::min(frame_ms.size() - 1, size_t(0.99 * double(frame_ms.size())))];
  }
  return out;
}

void workload_compare() {
  std::fprintf(stderr, "[9] 4 runs of 2-16-16-3 (SGD, momentum, RMSProp, Adam), 4 panels of 256x256, 5 steps/frame\n");
  // Each configuration three times, interleaved (the machine's load drifts);
  // the median of the three.
  const auto median3 = [](std::vector<CompareFigures> v) {
    std::sort(v.begin(), v.end(), [](const CompareFigures& a, const CompareFigures& b) { return a.fps < b.fps; });
    return v[1];
  };
  std::vector<CompareFigures> one, four, one_app, four_app;
  for (int rep = 0; rep < 3; ++rep) {
    one.push_back(compare_frames(1, 512, false));
    four.push_back(compare_frames(4, 256, false));
    one_app.push_back(compare_frames(1, 512, true));
    four_app.push_back(compare_frames(4, 256, true));
  }
  // Through the app's TrainingHost, uncapped (three times, interleaved, the
  // median) and paced at 60 Hz (one run, four runs, one, four: the missed
  // frames of both rounds added up, the worst frame of both).
  std::vector<CompareFigures> one_host, four_host;
  for (int rep = 0; rep < 3; ++rep) {
    one_host.push_back(host_frames(1, 512, false));
    four_host.push_back(host_frames(4, 256, false));
  }
  const CompareFigures oh = median3(one_host), fh = median3(four_host);
  CompareFigures paced[2];
  for (int rep = 0; rep < 2; ++rep)
    for (int k = 0; k < 2; ++k) {
      const CompareFigures c = host_frames(k ? 4 : 1, k ? 256 : 512, true);
      CompareFigures& t = paced[k];
      t.paced_frames += c.paced_frames;
      t.missed += c.missed;
      t.worst_ms = std::max(t.worst_ms, c.worst_ms);
      t.p99_ms = std::max(t.p99_ms, c.p99_ms);
      t.fps += c.fps / 2;
      t.sps_per_run += c.sps_per_run / 2;
    }
  const CompareFigures o = median3(one), f = median3(four), oa = median3(one_app), fa = median3(four_app);
  const std::string how = NNPLAY_THREADED ? "each run on its own thread" : "one thread";
  record("w9.fps_one_run", o.fps, "frames/s", "1 run, 512x512 regions every frame, 5 steps/frame (" + how + "; median of 3)");
  record("w9.fps_four_runs", f.fps, "frames/s", "4 runs, 4 regions of 256x256 every frame, 5 steps/frame each");
  record("w9.fps_ratio", f.fps / o.fps, "x", "frame rate with 4 runs over 1 run, regions every frame");
  record("w9.train_sps_per_run", f.sps_per_run, "samples/s", "training samples/s of each of the 4 runs");
  record("w9.grid_ms_four_runs", f.grid_ms_per_frame, "ms/frame", "drawing thread's time in the 4 grids per frame, every frame");
  record("w9.app_fps_one_run", oa.fps, "frames/s", "as the app: 1 run, its regions when it has a new snapshot, shared 10 ms budget");
  record("w9.app_fps_four_runs", fa.fps, "frames/s", "as the app: 4 runs, a run's regions when it has a new snapshot");
  record("w9.app_fps_ratio", fa.fps / oa.fps, "x", "frame rate with 4 runs over 1 run, as the app");
  record("w9.app_train_sps_per_run", fa.sps_per_run, "samples/s", "training samples/s of each of the 4 runs, as the app");
  record("w9.app_grid_ms_four_runs", fa.grid_ms_per_frame, "ms/frame", "drawing thread's time in the grids per frame, as the app");
  record("w9.app_divisor_four_runs", fa.mean_divisor, "x", "mean region divisor of the 4 runs as the app (1: a texel per pixel)");
  record("w9.host_fps_one_run", oh.fps, "frames/s", "the app's TrainingHost, uncapped: 1 run, its regions when it has a new snapshot");
  record("w9.host_fps_four_runs", fh.fps, "frames/s", "the app's TrainingHost, uncapped: 4 runs, step for step");
  record("w9.host_fps_ratio", fh.fps / oh.fps, "x", "frame rate with 4 runs over 1 run, the app's TrainingHost uncapped");
  record("w9.host_regions_per_run_s_one_run", oh.regions_per_run_s, "1/s",
         "the app's TrainingHost, uncapped, 1 run: its regions redrawn per second");
  record("w9.host_regions_per_run_s_four_runs", fh.regions_per_run_s, "1/s",
         "the same with 4 runs, per run (a frame redraws only the runs that published since the last)");
  record("w9.host_train_sps_per_run_four_runs", fh.sps_per_run, "samples/s", "the app's TrainingHost, uncapped: training samples/s of each of the 4 runs");
  for (int k = 0; k < 2; ++k) {
    const CompareFigures& c = paced[k];
    const std::string runs = k ? "four_runs" : "one_run", who = k ? "4 runs" : "1 run";
    record("w9.paced_missed_" + runs, c.missed, "frames",
           "paced at 60 Hz, " + who + " through the app's TrainingHost: frames not done by their vsync, of " +
               std::to_string(c.paced_frames) + " (2 x 2.5 s, alternating with the other)");
    record("w9.paced_worst_ms_" + runs, c.worst_ms, "ms",
           "paced at 60 Hz, " + who + ": the longest frame, from its vsync to its last region (over 16.7 ms: missed)");
    record("w9.paced_p99_ms_" + runs, c.p99_ms, "ms", "paced at 60 Hz, " + who + ": 99th percentile frame time");
    record("w9.paced_fps_" + runs, c.fps, "frames/s", "paced at 60 Hz, " + who + ": frames drawn per second");
    record("w9.paced_train_sps_per_run_" + runs, c.sps_per_run, "samples/s", "paced at 60 Hz, " + who + ": training samples/s of each run");
  }
}

// ---- 4. kNN, k = 5, 3 classes, 512x512 grid ---------------------------------
void workload_knn() {
  std::fprintf(stderr, "[4] kNN k=5, 3 classes, 512x512 grid\n");
  KnnSpec spec;
  spec.k = 5;
  for (int n : {1000, 10000, 100000}) {
    const Dataset data = make_spiral(n, 0.3, 11, 3);
    const KnnIndex index(data.points, 3);
    std::vector<int> labels;
    std::vector<float> conf;
    const double t = time_per_call([&] { knn_grid(index, spec, 512, 512, -1.2, 1.2, -1.2, 1.2, labels, conf); },
                                   budget(1.0));
    record("w4.knn_ms_" + std::to_string(n / 1000) + "k", t * 1e3, "ms",
           "512x512 kNN regions for N = " + std::to_string(n) + " (knn_grid, " + std::to_string(parallel_threads()) +
               " threads)");
  }
}

// ---- 5. float32 matmul peak -------------------------------------------------
// C (M x N) = A (M x K) B (K x N) with 128-bit vectors: B packed into panels
// of 8 columns, a 4 x 8 block of C held in eight 4-lane accumulators.
void matmul_rows(const float* A, const float* Bp, float* C, int r0, int r1, int N, int K) {
  using simd::f4;
  for (int j = 0; j < N; j += 8) {
    const float* panel = Bp + size_t(j) * K;
    for (int i = r0; i < r1; i += 4) {
      f4 c00 = simd::splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const float* a0 = A + size_t(i) * K;
      const float* a1 = a0 + K;
      const float* a2 = a1 + K;
      const float* a3 = a2 + K;
      for (int k = 0; k < K; ++k) {
        const f4 b0 = simd::load(panel + k * 8), b1 = simd::load(panel + k * 8 + 4);
        f4 a = simd::splat(a0[k]);
        c00 += a * b0; c01 += a * b1;
        a = simd::splat(a1[k]);
        c10 += a * b0; c11 += a * b1;
        a = simd::splat(a2[k]);
        c20 += a * b0; c21 += a * b1;
        a = simd::splat(a3[k]);
        c30 += a * b0; c31 += a * b1;
      }
      float* c = C + size_t(i) * N + j;
      simd::store(c, c00); simd::store(c + 4, c01);
      simd::store(c + N, c10); simd::store(c + N + 4, c11);
      simd::store(c + 2 * N, c20); simd::store(c + 2 * N + 4, c21);
      simd::store(c + 3 * N, c30); simd::store(c + 3 * N + 4, c31);
    }
  }
}

void workload_matmul() {
  std::fprintf(stderr, "[5] float32 matmul peak\n");
  const int n = 256;
  std::vector<float> A(size_t(n) * n), B(A.size()), Bp(A.size()), C(A.size());
  for (size_t i = 0; i < A.size(); ++i) {
    A[i] = float((i * 7919) % 1000) / 1000.f - 0.5f;
    B[i] = float((i * 104729) % 1000) / 1000.f - 0.5f;
  }
  for (int j = 0; j < n; j += 8)
    for (int k = 0; k < n; ++k)
      for (int q = 0; q < 8; ++q) Bp[size_t(j) * n + k * 8 + q] = B[size_t(k) * n + j + q];
  // Spot check against a plain product so a broken kernel cannot report a peak.
  matmul_rows(A.data(), Bp.data(), C.data(), 0, n, n, n);
  for (int t = 0; t < 16; ++t) {
    const int i = (t * 37) % n, j = (t * 91) % n;
    double ref = 0;
    for (int k = 0; k < n; ++k) ref += double(A[size_t(i) * n + k]) * B[size_t(k) * n + j];
    if (std::abs(ref - C[size_t(i) * n + j]) > 1e-3) {
      std::fprintf(stderr, "matmul kernel is wrong at (%d, %d): %f vs %f\n", i, j, C[size_t(i) * n + j], ref);
      std::exit(1);
    }
  }
  const double flops = 2.0 * n * n * n;
  const double t1 = time_per_call([&] { matmul_rows(A.data(), Bp.data(), C.data(), 0, n, n, n); }, budget(1.0));
  record("w5.gflops_1t", flops / t1 / 1e9, "GFLOP/s", "float32 256^3 matmul, 128-bit SIMD, 1 thread");
  const double tn = time_per_call([&] {
    parallel_for(n / 4, [&](int b0, int b1) { matmul_rows(A.data(), Bp.data(), C.data(), b0 * 4, b1 * 4, n, n); });
  }, budget(1.0));
  record("w5.gflops_mt", flops / tn / 1e9, "GFLOP/s",
         "float32 256^3 matmul, 128-bit SIMD, " + std::to_string(parallel_threads()) + " threads");
}

// ---- 7. MLP 784-256-256-10, Adam batch 64 -----------------------------------
// MNIST-sized random inputs in [0, 1) with random labels (speed does not
// depend on the values), no regularisation, Adam (lr 1e-3, eps 1e-8) as the
// tf.js peer. The engine directly (no Trainer), on one thread and on all.
void workload_mlp() {
  std::fprintf(stderr, "[7] MLP 784-256-256-10 ReLU softmax, Adam batch 64\n");
  const int N = 2048, D = 784, C = 10, B = 64;
  Rng rng(17);
  Mat X(N, D);
  for (Eigen::Index k = 0; k < X.size(); ++k) X.data()[k] = rng.uniform();
  Labels y(N);
  for (int& v : y) v = rng.randint(C);
  ModelSpec spec;
  spec.hidden = {layer(256, Activation::ReLU), layer(256, Activation::ReLU)};
  spec.loss.kind = LossKind::Softmax;
  spec.loss.reg = RegKind::None;
  spec.optim.kind = OptimKind::Adam;
  spec.optim.lr = 1e-3;
  spec.optim.eps = 1e-8;
  Rng init(1);
  const std::unique_ptr<Model> m0 = make_model(spec, D, C, init);
  std::vector<int> order(N);
  for (int i = 0; i < N; ++i) order[size_t(i)] = (i * 7919) % N;
  double sps[3] = {0, 0, 0};  // 1 thread, all threads, all threads with workers that spin between jobs
  size_t workspace = 0;
  for (int t = 0; t < (parallel_threads() > 1 ? 3 : 2); ++t) {
    set_parallel_spin(t == 2 ? kParallelSpinSeconds : 0);
    std::unique_ptr<Engine> e = make_fast_engine(spec, *m0, {t == 0 ? 1 : 0});
    e->set_training_set(X, y);
    Rng r(3);
    int at = 0;
    const double per_step = time_per_call([&] {
      e->step(order.data() + at, B, spec.optim.lr, 0, r);
      at = (at + B) % N;
    }, budget(1.5), 5);
    sps[t] = B / per_step;
    if (t < 2) workspace = e->workspace_bytes();
  }
  set_parallel_spin(0);
  record("w7.train_sps_1t", sps[0], "samples/s", "training samples/s, MLP 784-256-256-10 ReLU, Adam batch 64, 1 thread");
  record("w7.train_sps", sps[1], "samples/s",
         "training samples/s, MLP 784-256-256-10 ReLU, Adam batch 64, " + std::to_string(parallel_threads()) +
             " threads");
  record("w7.speedup_mt", sps[1] / sps[0], "x", "all threads over 1 thread, workload 7");
  if (sps[2] > 0)
    record("w7.train_sps_spin", sps[2], "samples/s",
           "training samples/s, " + std::to_string(parallel_threads()) + " threads, workers spin 0.25 ms between jobs");
  record("w7.workspace_kb", double(workspace) / 1024, "KiB", "fast engine workspace at batch 64 (activations, caches, gradients)");
}

// ---- 6. ConvNetJS's MNIST demo network -----------------------------------------
// 24x24x1 -> conv 5x5 8 filters pad 2 ReLU -> max pool 2 -> conv 5x5 16
// filters pad 2 ReLU -> max pool 3 -> softmax 10, batch 20, SGD with
// momentum 0.9 (lr 0.01, no weight decay: the optimiser ConvNetJS, tf.js and
// nnplay all have), on random images. The headline figures train through
// the Engine interface the trainer uses (fast engine, and the reference
// engine alongside). ConvNet6 below is the same step written straight from
// the conv kernels (last affine layer and softmax as plain loops): it is
// what compares the im2col + GEMM forward with the direct one in a whole step.
struct ConvNet6 {
  static constexpr int N = 20, C = 10;
  ConvGeom g1 = conv_geom({24, 24, 1}, 8, 5, 1, 2), p1 = pool_geom({24, 24, 8}, 2, 2);
  ConvGeom g2 = conv_geom({12, 12, 8}, 16, 5, 1, 2), p2 = pool_geom({12, 12, 16}, 3, 3);
  int D = 256;  // p2.out_cols()
  std::vector<float> W1, b1, W2, b2, W3, b3;             // W3 (C x D)
  std::vector<float> dW1, db1, dW2, db2, dW3, db3;
  std::vector<float> v[6];                               // momentum velocities
  std::vector<float> x, a1, o1, a2, o2, scores, g_big, g_small, dscores;
  std::vector<int32_t> arg1, arg2;
  std::vector<int> y;
  ConvWorkspace ws1, ws2;
  ConvNet6(int threads, uint64_t seed) {
    Rng rng(seed);
    auto init = [&](std::vector<float>& w, size_t n, double fan_in) {
      w.resize(n);
      for (float& e : w) e = float(rng.normal() * std::sqrt(2.0 / fan_in));
    };
    init(W1, size_t(8) * 25, 25); b1.assign(8, 0.f);
    init(W2, size_t(16) * 200, 200); b2.assign(16, 0.f);
    init(W3, size_t(C) * D, D); b3.assign(C, 0.f);
    dW1 = W1; db1 = b1; dW2 = W2; db2 = b2; dW3 = W3; db3 = b3;
    const std::vector<float>* ps[6] = {&W1, &b1, &W2, &b2, &W3, &b3};
    for (int i = 0; i < 6; ++i) v[i].assign(ps[i]->size(), 0.f);
    x.resize(size_t(N) * 576);
    for (float& e : x) e = float(rng.uniform());
    y.resize(N);
    for (int& e : y) e = rng.randint(C);
    a1.resize(size_t(N) * g1.out_cols()); o1.resize(size_t(N) * p1.out_cols()); arg1.resize(o1.size());
    a2.resize(size_t(N) * g2.out_cols()); o2.resize(size_t(N) * p2.out_cols()); arg2.resize(o2.size());
    scores.resize(size_t(N) * C); dscores.resize(scores.size());
    g_big.resize(a1.size()); g_small.resize(a1.size());
    ws1.reserve(g1, threads); ws2.reserve(g2, threads);
  }
  float step(bool direct = false) {
    // forward
    if (direct) conv_forward_direct_f32(a1.data(), x.data(), W1.data(), b1.data(), N, g1, true);
    else conv_forward_f32(a1.data(), x.data(), W1.data(), b1.data(), N, g1, true, ws1);
    maxpool_forward_f32(o1.data(), arg1.data(), a1.data(), N, p1);
    if (direct) conv_forward_direct_f32(a2.data(), o1.data(), W2.data(), b2.data(), N, g2, true);
    else conv_forward_f32(a2.data(), o1.data(), W2.data(), b2.data(), N, g2, true, ws2);
    maxpool_forward_f32(o2.data(), arg2.data(), a2.data(), N, p2);
    float loss = 0;
    for (int n = 0; n < N; ++n) {  // scores = o2 W3^T + b3, softmax
      float* s = &scores[size_t(n) * C];
      float mx = -1e30f;
      for (int c = 0; c < C; ++c) {
        float t = b3[size_t(c)];
        for (int d = 0; d < D; ++d) t += W3[size_t(c) * D + d] * o2[size_t(n) * D + d];
        s[c] = t;
        mx = std::max(mx, t);
      }
      float z = 0;
      for (int c = 0; c < C; ++c) z += (s[c] = std::exp(s[c] - mx));
      for (int c = 0; c < C; ++c) dscores[size_t(n) * C + c] = (s[c] / z - (c == y[size_t(n)])) / N;
      loss += -std::log(s[y[size_t(n)]] / z) / N;
    }
    // backward
    std::fill(dW3.begin(), dW3.end(), 0.f);
    std::fill(db3.begin(), db3.end(), 0.f);
    std::fill(g_small.begin(), g_small.begin() + long(N) * D, 0.f);
    for (int n = 0; n < N; ++n)
      for (int c = 0; c < C; ++c) {
        const float d = dscores[size_t(n) * C + c];
        db3[size_t(c)] += d;
        for (int k = 0; k < D; ++k) {
          dW3[size_t(c) * D + k] += d * o2[size_t(n) * D + k];
          g_small[size_t(n) * D + k] += d * W3[size_t(c) * D + k];
        }
      }
    maxpool_backward_f32(g_big.data(), g_small.data(), arg2.data(), a2.data(), N, p2);  // ReLU mask fused
    conv_backward_f32(g_small.data(), dW2.data(), db2.data(), g_big.data(), o1.data(), W2.data(), nullptr, N, g2, ws2);
    maxpool_backward_f32(g_big.data(), g_small.data(), arg1.data(), a1.data(), N, p1);
    conv_backward_f32(nullptr, dW1.data(), db1.data(), g_big.data(), x.data(), W1.data(), nullptr, N, g1, ws1);
    // SGD with momentum: v = mu v - lr dW; W += v
    std::vector<float>* ps[6] = {&W1, &b1, &W2, &b2, &W3, &b3};
    const std::vector<float>* gs[6] = {&dW1, &db1, &dW2, &db2, &dW3, &db3};
    for (int i = 0; i < 6; ++i)
      for (size_t k = 0; k < ps[i]->size(); ++k) {
        v[i][k] = 0.9f * v[i][k] - 0.01f * (*gs[i])[k];
        (*ps[i])[k] += v[i][k];
      }
    return loss;
  }
};

ModelSpec convnet6_spec() {
  ModelSpec spec;
  spec.input = {24, 24, 1};
  spec.hidden = {HiddenLayerSpec::conv(8, 5, 1, 2), HiddenLayerSpec::pool(2, 2), HiddenLayerSpec::conv(16, 5, 1, 2),
                 HiddenLayerSpec::pool(3, 3)};
  spec.loss.kind = LossKind::Softmax;
  spec.loss.lambda = 0;
  spec.optim.kind = OptimKind::Momentum;
  spec.optim.lr = 0.01;
  spec.optim.mu = 0.9;
  spec.optim.batch_size = ConvNet6::N;
  return spec;
}

// Samples/s of engine steps of `batch` rows cycling through 200 random images.
double engine_sps(ModelSpec spec, EngineKind kind, int threads, int batch, double seconds, size_t* ws_bytes = nullptr) {
  spec.engine = kind;
  Rng rng(6);
  Mat X(200, 576);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = rng.uniform();
  Labels y(200);
  for (int& e : y) e = rng.randint(10);
  std::unique_ptr<Model> init = make_model(spec, 576, 10, rng);
  std::unique_ptr<Engine> e =
      kind == EngineKind::Fast ? make_fast_engine(spec, *init, {threads}) : make_engine(spec, std::move(init));
  e->set_training_set(X, y);
  std::vector<int> idx(264);
  for (int i = 0; i < 264; ++i) idx[size_t(i)] = i % 200;
  int at = 0;
  const double first = e->step(idx.data(), batch, spec.optim.lr, 0.0, rng).loss.total();
  double last = first;
  for (int i = 0; i < 30; ++i) last = e->step(idx.data() + (i * batch) % 200, batch, spec.optim.lr, 0.0, rng).loss.total();
  if (!std::isfinite(last) || !(last < first)) {  // it trains
    std::fprintf(stderr, "workload 6: the %s engine does not train (loss %f -> %f)\n",
                 kind == EngineKind::Fast ? "fast" : "reference", first, last);
    std::exit(1);
  }
  const double t = time_per_call([&] {
    e->step(idx.data() + at, batch, spec.optim.lr, 0.0, rng);
    at = (at + batch) % 200;
  }, seconds, 3);
  if (ws_bytes) *ws_bytes = e->workspace_bytes();
  return batch / t;
}

void workload_convnet() {
  std::fprintf(stderr, "[6] ConvNetJS MNIST demo net, batch 20, SGD+momentum\n");
  const int N = ConvNet6::N;
  const int T = parallel_threads();
  const ModelSpec spec = convnet6_spec();
  const double s1 = engine_sps(spec, EngineKind::Fast, 1, N, budget(1.5));
  record("w6.train_sps_1t", s1, "samples/s", "training samples/s, fast engine, 1 thread");
  const double sT = engine_sps(spec, EngineKind::Fast, 0, N, budget(1.5));
  record("w6.train_sps", sT, "samples/s", "training samples/s, fast engine, " + std::to_string(T) + " thread(s)");
  record("w6.speedup_threads", sT / s1, "x", std::to_string(T) + " threads over 1 (fast engine)");
  if (T > 1) {  // the same with workers that spin between jobs (set_parallel_spin)
    set_parallel_spin(kParallelSpinSeconds);
    const double sS = engine_sps(spec, EngineKind::Fast, 0, N, budget(1.5));
    set_parallel_spin(0);
    record("w6.train_sps_spin", sS, "samples/s",
           "training samples/s, " + std::to_string(T) + " threads, workers spin 0.25 ms between jobs");
  }
  record("w6.train_sps_reference", engine_sps(spec, EngineKind::Reference, 1, N, budget(1.0)), "samples/s",
         "training samples/s, reference engine (double, naive loops)");

  // The same step from the kernels: im2col + GEMM against the direct forward.
  ConvNet6 net1(1, 6);
  float first = net1.step();
  for (int i = 0; i < 30; ++i) net1.step();
  if (!(std::abs(first - std::log(10.f)) < 1.5f) || !(net1.step() < first)) {
    std::fprintf(stderr, "workload 6: the kernel step does not train\n");
    std::exit(1);
  }
  const double t1 = time_per_call([&] { net1.step(); }, budget(1.0), 5);
  record("w6.kernel_step_sps_1t", N / t1, "samples/s", "the step from the kernels, im2col + GEMM forward, 1 thread");
  const double td = time_per_call([&] { net1.step(true); }, budget(1.0), 5);
  record("w6.kernel_step_direct_sps_1t", N / td, "samples/s", "the same with the direct conv forward, 1 thread");
  // Each conv layer's forward alone, im2col + GEMM vs direct, 1 thread.
  ConvNet6& n = net1;
  const double f1 = time_per_call([&] {
    conv_forward_f32(n.a1.data(), n.x.data(), n.W1.data(), n.b1.data(), N, n.g1, true, n.ws1); }, budget(0.5), 5);
  const double f1d = time_per_call([&] {
    conv_forward_direct_f32(n.a1.data(), n.x.data(), n.W1.data(), n.b1.data(), N, n.g1, true); }, budget(0.5), 5);
  const double f2 = time_per_call([&] {
    conv_forward_f32(n.a2.data(), n.o1.data(), n.W2.data(), n.b2.data(), N, n.g2, true, n.ws2); }, budget(0.5), 5);
  const double f2d = time_per_call([&] {
    conv_forward_direct_f32(n.a2.data(), n.o1.data(), n.W2.data(), n.b2.data(), N, n.g2, true); }, budget(0.5), 5);
  const double b2t = time_per_call([&] {
    std::copy(n.a2.begin(), n.a2.end(), n.g_big.begin());
    conv_backward_f32(n.g_small.data(), n.dW2.data(), n.db2.data(), n.g_big.data(), n.o1.data(), n.W2.data(), nullptr,
                      N, n.g2, n.ws2); }, budget(0.5), 5);
  const double macs1 = double(N) * 8 * 25 * 576, macs2 = double(N) * 16 * 200 * 144;
  record("w6.conv1_fwd_gemm_gflops", 2 * macs1 / f1 / 1e9, "GFLOP/s", "conv 1 forward, im2col + GEMM, 1 thread");
  record("w6.conv1_fwd_direct_gflops", 2 * macs1 / f1d / 1e9, "GFLOP/s", "conv 1 forward, direct, 1 thread");
  record("w6.conv2_fwd_gemm_gflops", 2 * macs2 / f2 / 1e9, "GFLOP/s", "conv 2 forward, im2col + GEMM, 1 thread");
  record("w6.conv2_fwd_direct_gflops", 2 * macs2 / f2d / 1e9, "GFLOP/s", "conv 2 forward, direct, 1 thread");
  record("w6.conv2_bwd_gflops", 4 * macs2 / b2t / 1e9, "GFLOP/s", "conv 2 backward (dW + dx), 1 thread");

  // Memory at batch 64: the conv/pool part by conv_memory, and the whole
  // engine's workspace_bytes() (activations of every layer included).
  const ConvMemory m = conv_memory(spec, 64, T);
  record("w6.activation_bytes_b64", double(m.activations), "bytes", "conv/pool activations at batch 64 (input included)");
  record("w6.workspace_bytes_b64", double(m.workspace()), "bytes",
         "conv/pool workspace at batch 64: im2col " + std::to_string(m.im2col) + ", partial grads " +
             std::to_string(m.partial_grads) + ", argmax " + std::to_string(m.argmax) + ", gradient buffers " +
             std::to_string(m.grad_buffers));
  record("w6.workspace_over_activations", double(m.workspace()) / double(m.activations), "x",
         "workspace / activations at batch 64");
  size_t engine_bytes = 0;
  engine_sps(spec, EngineKind::Fast, 0, 64, budget(0.2), &engine_bytes);
  record("w6.engine_bytes_b64", double(engine_bytes), "bytes",
         "the fast engine's workspace_bytes() at batch 64 (activations + gradient buffers + im2col + argmax)");
}

}  // namespace

int main(int argc, char** argv) {
  std::string impl = "nnplay";
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--impl") && i + 1 < argc) impl = argv[++i];
    else if (!std::strcmp(argv[i], "--quick")) g_quick = true;
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
  }
  std::fprintf(stderr, "%s: %d thread(s)\n", impl.c_str(), parallel_threads());
  const double t0 = now_s();
  auto want = [&](const char* w) { return only.empty() || only.find(w) != std::string::npos; };
  if (want("1")) workload_convnetjs();
  if (want("2")) { workload_tfplayground(false); workload_tfplayground(true); }
  if (want("3")) workload_spiral();
  if (want("4")) workload_knn();
  if (want("5")) workload_matmul();
  if (want("6")) workload_convnet();
  if (want("7")) workload_mlp();
  if (want("8")) workload_images(record, g_quick);  // bench_images.cpp
  if (want("9")) workload_compare();
  std::printf("{\"impl\": \"%s\", \"threads\": %d, \"seconds\": %.1f, \"results\": [\n", json_escape(impl).c_str(),
              parallel_threads(), now_s() - t0);
  for (size_t i = 0; i < g_results.size(); ++i) {
    const Result& r = g_results[i];
    std::printf("  {\"id\": \"%s\", \"value\": %.6g, \"unit\": \"%s\", \"what\": \"%s\"}%s\n", r.id.c_str(), r.value,
                r.unit.c_str(), json_escape(r.what).c_str(), i + 1 < g_results.size() ? "," : "");
  }
  std::printf("]}\n");
  return 0;
}
