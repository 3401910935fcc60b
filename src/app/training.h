// training.h: runs the engine's Trainer away from the UI. In the threaded
// build a worker thread owns the Trainer; in the fallback build pump() trains
// for a time budget each frame. Either way the UI sends commands and reads
// only immutable snapshots (Snapshot), so drawing never waits on training.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/examples.h"
#include "core/fast/fast_eval.h"
#include "core/models/knn.h"
#include "core/train/inspect.h"
#include "core/train/eval_pacer.h"
#include "core/train/trainer.h"

namespace app {

// Image mode: the model's predictions on the test images (the Examples'
// validation rows), with their softmax probabilities (kNN: the vote shares).
struct ImageEval {
  int64_t step = 0;
  nn::Labels pred;              // per test image
  nn::Mat probs;                // test images x C
  double accuracy = 0;          // share of pred == label
  nn::RowNeighbours neighbours; // kNN only: the k nearest training images of each test image
  std::string note;             // e.g. which test images kNN was evaluated on
};

// What the UI may read about training, published after each batch of steps.
struct Snapshot {
  long generation = 0;               // bumps on every publish
  long run = 0;                      // bumps when the run started over (history cleared)
  int64_t step = 0;
  double epoch = 0;
  nn::StepStats last;
  std::vector<nn::StepStats> new_history;  // steps since the previous publish
  std::vector<nn::ParamStats> params;
  std::vector<nn::LayerStats> layers;
  // The inspector's matrices are refreshed with its statistics (at most five
  // times a second); the snapshots published in between share them (a copy
  // per publish and run was 200 KB of unit maps for a 2-16-16-3 network).
  // Null before the first inspection.
  std::shared_ptr<const std::vector<nn::Mat>> weights;  // W of each layer (for the weight grid), capped in size
  // Each hidden unit's activation over a kNeuronGrid^2 grid of the visible
  // plane (layers of at most 16 units): one (grid^2 x units) matrix per layer.
  std::shared_ptr<const std::vector<nn::Mat>> neuron_maps;
  static constexpr int kNeuronGrid = 28;
  nn::DivergenceStatus divergence;
  std::shared_ptr<const nn::FastScorer> scorer;  // null before a model exists
  std::shared_ptr<const nn::Predictor> predictor;  // model + preprocessing (hover readouts)
  nn::LossParts current_loss{-1, 0};  // whole training set now (test mode); -1: unknown
  std::string notice;                // e.g. "Architecture changed: weights re-initialised."
  std::string error;                 // e.g. no training points, out of memory
  std::string dead_units;            // a ReLU layer is entirely dead (nn::all_dead_message)
  bool playing = false;
  bool busy = false;                 // steps are still to run (playing, Step n, Epoch): keep drawing frames
  // Image mode only: test predictions (refreshed at most twice a second while
  // training) and the first layer's W at any size (templates or filters).
  std::shared_ptr<const ImageEval> image_eval;
  std::shared_ptr<const nn::Mat> first_weights;
};

class TrainingHost {
 public:
  TrainingHost();
  ~TrainingHost();
  bool threaded() const { return threaded_; }  // the worker thread has started

  // Commands (UI thread). They apply in order on the training side.
  void set_data(const nn::Dataset& d);
  // Image mode: rows instead of points (validation rows = the test images).
  // set_data switches back to points.
  void set_image_data(std::shared_ptr<const nn::Examples> rows);
  void set_spec(const nn::ModelSpec& s);
  void set_playing(bool on);
  void step(int n);               // n minibatch steps
  void step_epoch();              // steps until the epoch counter passes the next whole number
  void reset();
  void restore_last_good();
  void set_steps_per_frame(int n);
  // While playing, train no further than step max_step (-1: no limit): keeps
  // compared runs step for step. Takes effect at once (not queued).
  void set_step_limit(int64_t max_step) { step_limit_.store(max_step); }
  // For lockstep_limit, read on the UI thread while the training side runs:
  // the step the trainer is at now (a snapshot is a publish behind), and
  // whether this run sets the pace (it has a model to train, has not
  // diverged and has no error).
  int64_t live_step() const { return live_step_.load(std::memory_order_relaxed); }
  bool paces() const { return paces_.load(std::memory_order_relaxed); }
  void set_active(bool on);       // false while a kNN is selected: nothing to train
  // Puts a session's trained model into the run (after set_data/set_spec):
  // the regions show it at once. A model that does not fit is reported in
  // the snapshot's error and the fresh run stays.
  void load_trained(const nn::TrainedState& t);
  // Sets a linear classifier's W (C x D) and b (1 x C) by hand.
  void set_linear_params(const nn::Mat& W, const nn::Mat& b);

  // Once per frame (UI thread): lets the worker run the next frame's steps,
  // or, in the fallback build, trains here for at most budget_ms.
  void frame(double budget_ms);
  std::shared_ptr<const Snapshot> snapshot() const;  // the latest published
  // The latest published, taken by the UI's history: a snapshot published
  // before the UI took the previous one carries that one's new_history too,
  // so the loss curve never loses steps when two publishes fall in one frame.
  std::shared_ptr<const Snapshot> take_snapshot();
  bool has_news() const;  // a snapshot the UI has not taken yet
  // Commands posted whose snapshot is not published yet. The fallback build
  // applies commands only inside frame(), so the UI must keep drawing frames
  // while this is true: a wake-up timer alone can lapse on a slow machine
  // before the next frame comes, leaving the command queued for good.
  bool has_pending_commands() const;
  // Image mode: the test images' evaluation for the current step waits for
  // its turn among the compared runs (keep drawing frames until it ran).
  bool image_eval_waiting() const { return eval_waiting_; }
  // Called (on the training side) after each publish, when set: the native
  // loop sleeps in glfwWaitEvents while idle and needs an event to see it.
  static inline void (*notify_ui)() = nullptr;

 private:
  using Command = std::function<void()>;
  void post(Command c);
  void worker_loop(bool commands_ran);
  int run_commands();             // training side; returns how many ran
  int train_some(double budget_ms, int max_steps);  // returns the steps done
  void publish(bool force_inspect);
  void update_pace();             // training side: live_step_ and paces_ from the trainer
  void ensure_trainer();
  bool change_trainer(const std::function<bool()>& change, const char* reinit_notice);
  // Training side: an exception becomes error_ and training stops.
  void failed(const char* during, const std::exception& e, bool out_of_memory);
  bool worker_iteration(long& seen_tick, bool commands_ran);
  void publish_view(bool force_inspect);
  void publish_error();
  void publish_image_eval(Snapshot& v, bool force);
  void install(std::shared_ptr<Snapshot> v);  // makes v the published snapshot

  bool threaded_ = false;         // the worker thread owns the training side
  bool can_thread_ = false;       // threaded build: start the worker when training is first asked for
  std::atomic<int64_t> step_limit_{-1};
  std::atomic<int64_t> live_step_{0};
  std::atomic<bool> paces_{false};
  std::thread worker_;
  // 0: the worker thread was created but has not started; 1: it runs;
  // 2: the host was destroyed before it started, so it must not run. Shared
  // with the thread, which may start after the host is gone.
  std::shared_ptr<std::atomic<int>> worker_state_ = std::make_shared<std::atomic<int>>(0);
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<Command> queue_;
  bool quit_ = false;
  long frame_tick_ = 0;           // UI frames seen (worker trains once per tick)
  std::shared_ptr<const Snapshot> snapshot_;
  bool snapshot_taken_ = false;   // the UI took snapshot_ (take_snapshot)
  long posted_ = 0;               // commands posted so far
  long ran_ = 0;                  // ... of which taken by run_commands
  long published_ = 0;            // ... of which run before the latest publish

  // Training side only.
  std::unique_ptr<nn::Trainer> trainer_;
  nn::Dataset data_;
  nn::ModelSpec spec_;
  bool have_data_ = false, have_spec_ = false, dirty_ = true, active_ = false;
  bool playing_ = false;
  int steps_per_frame_ = 5;
  long pending_steps_ = 0;
  double epoch_target_ = -1;
  long generation_ = 0, run_ = 0;
  int64_t published_step_ = 0;
  std::string notice_, error_;
  double last_inspect_ms_ = -1e9;
  // Image mode.
  bool images_ = false, knn_dirty_ = true;
  std::shared_ptr<const nn::Examples> rows_;
  std::shared_ptr<const ImageEval> image_eval_;
  std::shared_ptr<const nn::RowNeighbours> knn_nb_;  // kNN: every test image's nearest training images
  std::string knn_note_;
  double last_image_eval_ms_ = -1e9;
  int pacer_id_ = -1;                       // its place in image_eval_pacer()
  std::atomic<bool> eval_waiting_{false};   // a final test evaluation waits for its turn
};

// The step limit that keeps compared runs step for step: the slowest of the
// hosts that set the pace (paces()) plus one frame's steps, from their live
// step counts. -1 (no limit) for fewer than two hosts or when none paces.
// Limits taken from the snapshots instead lag a publish behind: at 60 frames
// a second each of four runs trained 0.57x of one run's steps.
int64_t lockstep_limit(const std::vector<const TrainingHost*>& hosts, int steps_per_frame);

// The pacer every host's test-set evaluation (image mode) asks before it
// runs: compared runs take turns, so a frame pays for one evaluation at most.
// The app tells it how many runs share it: every run in image mode (frame_runs).
nn::EvalPacer& image_eval_pacer();

}  // namespace app
