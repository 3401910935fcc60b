// training.cpp: see training.h. Commands are closures run on the training
// side in the order the UI posted them; the Snapshot published afterwards is
// immutable and shared, so the UI never locks anything while drawing.
#include "training.h"

#include "core/data/preprocess.h"
#include "core/fast/parallel.h"
#include "core/limits.h"
#include "core/train/eval_pacer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <new>

namespace app {

static double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

nn::EvalPacer& image_eval_pacer() {
  static nn::EvalPacer pacer(500);  // each run at most twice a second while it trains
  return pacer;
}

TrainingHost::TrainingHost() {
  snapshot_ = std::make_shared<Snapshot>();
  pacer_id_ = image_eval_pacer().join();
#if NNPLAY_THREADED
  // The worker thread starts when training is first asked for (frame()): a
  // demo embedded in notes that is never played costs no thread.
  can_thread_ = true;
#endif
}

TrainingHost::~TrainingHost() {
  // A worker thread that has not started yet is let go instead of joined: in
  // the web build its Web Worker starts only once the browser's main thread
  // is back in its event loop, so joining it here would wait forever (a run
  // removed in the frame after Play). It ends as soon as it starts.
  int created = 0;
  if (worker_.joinable() && worker_state_->compare_exchange_strong(created, 2)) {
    worker_.detach();
    image_eval_pacer().leave(pacer_id_);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(m_);
    quit_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  image_eval_pacer().leave(pacer_id_);
}

void TrainingHost::post(Command c) {
  {
    std::lock_guard<std::mutex> lk(m_);
    queue_.push_back(std::move(c));
    ++posted_;
  }
  cv_.notify_all();
}

// Training side: applies a change to the trainer. A change that re-initialised
// the weights starts a new run, with a notice saying why; an error is kept
// for the UI and returns false.
bool TrainingHost::change_trainer(const std::function<bool()>& change, const char* reinit_notice) {
  try {
    if (change()) {
      ++run_;
      published_step_ = 0;
      notice_ = reinit_notice;
    }
    error_.clear();
    return true;
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
}

void TrainingHost::set_data(const nn::Dataset& d) {
  post([this, d] {
    data_ = d;
    have_data_ = true;
    if (images_) {  // back from image mode: a trainer on points starts afresh
      images_ = false;
      rows_.reset();
      image_eval_.reset();
      knn_nb_.reset();
      trainer_.reset();
      dirty_ = true;
      return;
    }
    if (!trainer_) { dirty_ = true; return; }
    if (!change_trainer([&] { return trainer_->set_data(d); }, "The classes changed, so the weights were re-initialised.")) {
      trainer_.reset();
      dirty_ = true;
    }
  });
}

void TrainingHost::set_image_data(std::shared_ptr<const nn::Examples> rows) {
  post([this, rows] {
    rows_ = rows;
    have_data_ = true;
    knn_dirty_ = true;
    knn_nb_.reset();
    image_eval_.reset();
    if (!images_ || !trainer_) {
      images_ = true;
      trainer_.reset();
      dirty_ = true;
      return;
    }
    if (!change_trainer([&] { return trainer_->set_examples(rows); }, "The images changed, so the weights were re-initialised.")) {
      trainer_.reset();
      dirty_ = true;
    }
  });
}

void TrainingHost::set_spec(const nn::ModelSpec& s) {
  post([this, s] {
    if (s.kind != spec_.kind) image_eval_.reset();
    if (!(s.preprocess == spec_.preprocess) || s.knn.metric != spec_.knn.metric) knn_nb_.reset();
    knn_dirty_ = true;
    spec_ = s;
    have_spec_ = true;
    if (!trainer_) { dirty_ = true; return; }
    if (!change_trainer([&] { return trainer_->set_spec(s); }, "The architecture changed, so the weights were re-initialised."))
      playing_ = false;
  });
}

void TrainingHost::set_playing(bool on) { post([this, on] { playing_ = on; }); }
void TrainingHost::step(int n) { post([this, n] { pending_steps_ += n; }); }
void TrainingHost::step_epoch() {
  post([this] { if (trainer_) epoch_target_ = std::floor(trainer_->epoch() + 1e-9) + 1; });
}
void TrainingHost::reset() {
  post([this] {
    if (trainer_) trainer_->reset();
    if (trainer_) image_eval_.reset();
    ++run_;
    published_step_ = 0;
    pending_steps_ = 0;
    epoch_target_ = -1;
    notice_.clear();
    error_.clear();
  });
}
void TrainingHost::load_trained(const nn::TrainedState& t) {
  post([this, t] {
    ensure_trainer();
    if (!trainer_) return;
    try {
      trainer_->load_trained(t);
      published_step_ = 0;
      notice_ = "Loaded the trained model (step " + std::to_string(t.step) + ").";
    } catch (const std::exception& e) {
      error_ = std::string("The saved model could not be used: ") + e.what();
    }
  });
}

void TrainingHost::restore_last_good() {
  post([this] {
    if (!trainer_) return;
    trainer_->clear_divergence();
    notice_ = "Back to the last good parameters. Lower the learning rate before training on.";
  });
}
void TrainingHost::set_steps_per_frame(int n) { post([this, n] { steps_per_frame_ = std::max(1, n); }); }
void TrainingHost::set_active(bool on) {
  post([this, on] {
    active_ = on;
    if (!on) playing_ = false;
  });
}

void TrainingHost::set_linear_params(const nn::Mat& W, const nn::Mat& b) {
  post([this, W, b] {
    if (!trainer_) return;
    if (trainer_->spec().kind != nn::ModelKind::Linear) return;
    std::unique_ptr<nn::Model> m = trainer_->model().clone();
    for (const nn::ParamRef& p : m->params()) {
      const nn::Mat& v = p.name == "W" ? W : b;
      if ((p.name == "W" || p.name == "b") && p.value->rows() == v.rows() && p.value->cols() == v.cols()) *p.value = v;
    }
    trainer_->set_params(*m);
  });
}

std::shared_ptr<const Snapshot> TrainingHost::snapshot() const {
  std::lock_guard<std::mutex> lk(m_);
  return snapshot_;
}

std::shared_ptr<const Snapshot> TrainingHost::take_snapshot() {
  std::lock_guard<std::mutex> lk(m_);
  snapshot_taken_ = true;
  return snapshot_;
}

bool TrainingHost::has_news() const {
  std::lock_guard<std::mutex> lk(m_);
  return snapshot_ && !snapshot_taken_;
}

bool TrainingHost::has_pending_commands() const {
  std::lock_guard<std::mutex> lk(m_);
  return published_ != posted_;
}

void TrainingHost::install(std::shared_ptr<Snapshot> v) {
  std::lock_guard<std::mutex> lk(m_);
  if (snapshot_ && !snapshot_taken_ && snapshot_->run == v->run && !snapshot_->new_history.empty()) {
    // The UI never saw the previous snapshot: keep its steps (the newest
    // kMaxHistory, as the trainer does).
    std::vector<nn::StepStats> h = snapshot_->new_history;
    h.insert(h.end(), v->new_history.begin(), v->new_history.end());
    const size_t keep = nn::Trainer::kMaxHistory;
    if (h.size() > keep) h.erase(h.begin(), h.end() - long(keep));
    v->new_history = std::move(h);
  }
  snapshot_ = std::move(v);
  snapshot_taken_ = false;
  published_ = ran_;  // every command run so far is in this snapshot
  if (notify_ui) notify_ui();
}

// Any exception on the training side (out of memory above all: the web
// build's memory has a fixed maximum) ends up here: training stops, the UI
// shows the message, and the run keeps its last good parameters.
void TrainingHost::failed(const char* during, const std::exception& e, bool oom) {
  error_ = oom ? std::string("Out of memory while ") + during + " (the page may use at most " +
                     std::to_string(nn::kMaxWasmMemoryMB) + " MB). Use fewer points, a smaller network or minibatches."
               : std::string("Error while ") + during + ": " + e.what();
  playing_ = false;
  pending_steps_ = 0;
  epoch_target_ = -1;
}

int TrainingHost::run_commands() {
  std::deque<Command> cmds;
  {
    std::lock_guard<std::mutex> lk(m_);
    cmds.swap(queue_);
    ran_ = posted_;
  }
  for (auto& c : cmds) {
    try {
      c();
    } catch (const std::bad_alloc& e) {
      failed("applying a change", e, true);
    } catch (const std::exception& e) {
      failed("applying a change", e, false);
    }
  }
  return int(cmds.size());
}

void TrainingHost::ensure_trainer() {
  if (!active_ || !have_data_ || !have_spec_ || spec_.kind == nn::ModelKind::KNN) return;
  if (trainer_ && !dirty_) return;
  dirty_ = false;
  try {
    if (images_) {
      trainer_ = std::make_unique<nn::Trainer>(rows_, spec_);  // shared rows: no copy per run
      // Evaluating every image costs about as much as half an epoch's steps would.
      const long all = long(rows_->X_train.rows() + rows_->X_val.rows());
      trainer_->set_eval_every(int(std::max(10L, all / (2L * std::max(1, spec_.optim.batch_size)))));
    } else {
      trainer_ = std::make_unique<nn::Trainer>(data_, spec_);
    }
    ++run_;
    published_step_ = 0;
    error_.clear();
  } catch (const std::bad_alloc& e) {
    trainer_.reset();
    failed("setting up the model", e, true);
  } catch (const std::exception& e) {
    trainer_.reset();
    error_ = e.what();
    playing_ = false;
  }
}

int64_t lockstep_limit(const std::vector<const TrainingHost*>& hosts, int steps_per_frame) {
  if (hosts.size() < 2) return -1;
  int64_t slowest = INT64_MAX;
  for (const TrainingHost* h : hosts)
    if (h->paces()) slowest = std::min(slowest, h->live_step());
  return slowest == INT64_MAX ? -1 : slowest + std::max(1, steps_per_frame);
}

void TrainingHost::update_pace() {
  const bool paces = trainer_ && active_ && error_.empty() && !trainer_->divergence().diverged;
  live_step_.store(trainer_ ? trainer_->step_count() : 0, std::memory_order_relaxed);
  paces_.store(paces, std::memory_order_relaxed);
}

int TrainingHost::train_some(double budget_ms, int max_steps) {
  struct Pace {  // however the loop ends
    TrainingHost* h;
    ~Pace() { h->update_pace(); }
  } pace{this};
  if (!trainer_) { pending_steps_ = 0; epoch_target_ = -1; return 0; }
  const double t0 = now_ms();
  int done = 0;
  for (;;) {
    const int64_t limit = step_limit_.load();
    const bool want = pending_steps_ > 0 || epoch_target_ >= 0 ||
                      (playing_ && done < max_steps && (limit < 0 || trainer_->step_count() < limit));
    if (!want || now_ms() - t0 > budget_ms) break;
    if (trainer_->divergence().diverged) { playing_ = false; pending_steps_ = 0; epoch_target_ = -1; break; }
    try {
      trainer_->step();
    } catch (const std::bad_alloc& e) {
      failed("training", e, true);
      try {
        trainer_->restore_last_good();  // the step may have stopped half-way through its update
      } catch (const std::exception&) {
        trainer_.reset();
        dirty_ = true;
      }
      break;
    } catch (const std::exception& e) {
      error_ = e.what();
      playing_ = false;
      pending_steps_ = 0;
      epoch_target_ = -1;
      break;
    }
    error_.clear();
    ++done;
    live_step_.store(trainer_->step_count(), std::memory_order_relaxed);
    if (pending_steps_ > 0) --pending_steps_;
    if (epoch_target_ >= 0 && trainer_->epoch() >= epoch_target_ - 1e-9) epoch_target_ = -1;
  }
  return done;
}

void TrainingHost::publish(bool force_inspect) {
  try {
    publish_view(force_inspect);
  } catch (const std::bad_alloc& e) {
    failed("preparing the display", e, true);
    publish_error();
  } catch (const std::exception& e) {
    failed("preparing the display", e, false);
    publish_error();
  }
}

// A minimal snapshot that still carries the message.
void TrainingHost::publish_error() {
  auto v = std::make_shared<Snapshot>();
  v->generation = ++generation_;
  v->run = run_;
  v->error = error_;
  if (auto prev = snapshot()) v->step = prev->step, v->epoch = prev->epoch;
  install(std::move(v));
}

void TrainingHost::publish_view(bool force_inspect) {
  auto v = std::make_shared<Snapshot>();
  v->generation = ++generation_;
  v->run = run_;
  v->notice = notice_;
  v->error = error_;
  v->playing = playing_;
  v->busy = playing_ || pending_steps_ > 0 || epoch_target_ >= 0;
  if (trainer_ && active_) {
    v->step = trainer_->step_count();
    v->epoch = trainer_->epoch();
    v->last = trainer_->last();
    v->new_history = trainer_->history_since(published_step_);
    published_step_ = v->step;
    v->params = trainer_->param_stats();
    v->divergence = trainer_->divergence();
    auto snap = std::make_shared<const nn::Predictor>(trainer_->predictor());
    if (!images_) {
      try {
        v->scorer = std::make_shared<nn::FastScorer>(*snap->model, snap->preprocessor);
      } catch (const std::exception& e) {
        v->error = e.what();
      }
    }
    v->predictor = snap;
    if (images_) {
      // Templates or filters: the first layer's W, whatever its size.
      for (const auto& p : snap->model->params_view())
        if (p.name == "W" || p.name == "W1") { v->first_weights = std::make_shared<const nn::Mat>(*p.value); break; }
    } else if (spec_.kind == nn::ModelKind::Linear && trainer_->y_train().size() > 0 &&
               trainer_->y_train().size() <= 5000) {
      // Shown only by the linear classifier's weight editor: every other
      // model (and every compared run of one) would pay a pass over the
      // training set in doubles per publish, on a core the UI thread shares.
      try {
        v->current_loss = trainer_->regression() ? trainer_->model().loss_targets(trainer_->X_train(), trainer_->T_train())
                                                 : trainer_->model().loss(trainer_->X_train(), trainer_->y_train());
      } catch (const std::exception&) {}
    }
    const double t = now_ms();
    auto prev = snapshot();
    if (images_) {
      // The inspector's statistics would cost a pass over every image: not in image mode.
    } else if (force_inspect || t - last_inspect_ms_ > 200 || !prev || prev->run != run_) {
      last_inspect_ms_ = t;
      try { v->layers = trainer_->inspect(); } catch (const std::exception&) {}
      v->dead_units = nn::all_dead_message(v->layers);
      auto weights = std::make_shared<std::vector<nn::Mat>>();
      for (const auto& p : trainer_->model().params_view())
        if (p.name[0] == 'W' && p.value->size() <= 128 * 128) weights->push_back(*p.value);
      v->weights = std::move(weights);
      auto maps = std::make_shared<std::vector<nn::Mat>>();
      // The unit maps: only for a network with a layer narrow enough to show
      // (16 units or fewer) and within the inspector's budget.
      bool narrow = false;
      for (const nn::LayerStats& l : v->layers) narrow = narrow || (l.units > 0 && l.units <= 16);
      const double grid_cost = double(Snapshot::kNeuronGrid) * Snapshot::kNeuronGrid * nn::weight_multiply_adds(*snap->model);
      if (snap->model->kind() == nn::ModelKind::Net && narrow && grid_cost <= nn::kInspectMultiplyAdds) {
        const int G = Snapshot::kNeuronGrid;
        const double e = nn::kPlaneExtent;
        nn::Mat grid(G * G, 2);
        for (int r = 0; r < G; ++r)
          for (int c = 0; c < G; ++c) {
            grid(r * G + c, 0) = -e + 2 * e * (c + 0.5) / G;
            grid(r * G + c, 1) = e - 2 * e * (r + 0.5) / G;
          }
        try {
          for (const nn::LayerActivations& a : snap->model->hidden_activations(snap->preprocessor.transform(grid)))
            maps->push_back(a.post.cols() <= 16 ? a.post : nn::Mat());
        } catch (const std::exception&) {}
      }
      v->neuron_maps = std::move(maps);
    } else if (prev) {
      v->layers = prev->layers;
      v->dead_units = prev->dead_units;
      v->weights = prev->weights;          // shared, not copied
      v->neuron_maps = prev->neuron_maps;
    }
  }
  if (images_) publish_image_eval(*v, force_inspect);
  else eval_waiting_ = false;
  install(std::move(v));
}

// Image mode: the test images' predictions. A trained model's are taken from
// its engine at most twice a second while it trains, and when it stops; kNN
// finds the nearest training images of every test image once per data,
// metric and preprocessing (for the largest k offered) and votes per k.
void TrainingHost::publish_image_eval(Snapshot& v, bool force) {
  eval_waiting_ = false;  // (only a trained model's evaluation waits for its turn, below)
  if (!rows_ || rows_->y_val.empty()) return;
  if (spec_.kind == nn::ModelKind::KNN) {
    if (!knn_nb_) {
      // The search over every test image is the costliest evaluation there
      // is: compared kNN runs take turns with each other and with the
      // trained runs' evaluations, so a frame pays for one search at most
      // (the fallback build searches inside the frame).
      const double t = now_ms();
      if (!image_eval_pacer().try_start(pacer_id_, t, last_image_eval_ms_, true)) {
        eval_waiting_ = true;
        v.image_eval = image_eval_;
        return;
      }
      last_image_eval_ms_ = t;
      int nq = int(rows_->X_val.rows());
      std::string note;
#if !NNPLAY_THREADED
      // One thread: keep the frame that computes this short.
      if (nq > 500) { nq = 500; note = "kNN was evaluated on the first 500 test images (single-threaded build)."; }
#endif
      nn::ImagePreprocessor pre;
      pre.fit(spec_.preprocess.image, rows_->X_train);
      nn::MatRowsF tr = rows_->X_train.cast<float>(), q = rows_->X_val.topRows(nq).cast<float>();
      pre.transform_inplace(tr);
      pre.transform_inplace(q);
      knn_nb_ = std::make_shared<const nn::RowNeighbours>(
          nn::knn_rows(tr, q, std::min(nn::kUiMaxImageK, int(tr.rows())), spec_.knn.metric));
      knn_note_ = note;
      knn_dirty_ = true;
    }
    if (knn_dirty_ || !image_eval_) {
      knn_dirty_ = false;
      auto e = std::make_shared<ImageEval>();
      nn::KnnSpec ks = spec_.knn;
      ks.k = std::clamp(ks.k, 1, std::max(1, knn_nb_->k));
      const std::vector<nn::KnnVote> votes = nn::knn_rows_votes(*knn_nb_, rows_->y_train, ks);
      const int n = int(votes.size()), C = rows_->num_classes, K = knn_nb_->k;
      e->pred.resize(n);
      e->probs = nn::Mat::Zero(n, C);
      int ok = 0;
      for (int i = 0; i < n; ++i) {
        e->pred[i] = votes[i].label;
        ok += votes[i].label == rows_->y_val[i];
        double total = 0;
        for (int j = 0; j < ks.k; ++j) {
          const double w = ks.weighted ? 1.0 / std::max(1e-12, knn_nb_->dist[size_t(i) * K + j]) : 1.0;
          e->probs(i, rows_->y_train[knn_nb_->index[size_t(i) * K + j]]) += w;
          total += w;
        }
        if (total > 0) e->probs.row(i) /= total;
      }
      e->accuracy = n ? double(ok) / n : 0;
      e->neighbours = *knn_nb_;
      e->note = knn_note_;
      image_eval_ = e;
    }
  } else if (trainer_ && active_) {
    const double t = now_ms();
    const bool stale = !image_eval_ || image_eval_->step != trainer_->step_count();
    // While steps are running, at most twice a second; once they stop, as
    // soon as possible. Compared runs take turns (image_eval_pacer), so a
    // frame pays for one run's evaluation at most; a run whose final figure
    // had to wait asks again on the next frame (eval_waiting_).
    const bool idle = !playing_ && pending_steps_ == 0 && epoch_target_ < 0;
    const bool granted = stale && image_eval_pacer().try_start(pacer_id_, t, last_image_eval_ms_, force || idle);
    eval_waiting_ = stale && !granted && (force || idle);
    if (granted) {
      last_image_eval_ms_ = t;
      auto e = std::make_shared<ImageEval>();
      e->step = trainer_->step_count();
      const nn::Mat scores = trainer_->predict_scores_fast(rows_->X_val);
      const int n = int(scores.rows());
      e->pred.resize(n);
      e->probs.resize(n, scores.cols());
      int ok = 0;
      for (int i = 0; i < n; ++i) {
        Eigen::Index best = 0;
        const double mx = scores.row(i).maxCoeff(&best);
        e->probs.row(i) = (scores.row(i).array() - mx).exp().matrix();
        e->probs.row(i) /= e->probs.row(i).sum();
        e->pred[i] = int(best);
        ok += int(best) == rows_->y_val[i];
      }
      e->accuracy = n ? double(ok) / n : 0;
      image_eval_ = e;
    }
  } else {
    image_eval_.reset();
  }
  v.image_eval = image_eval_;
}

void TrainingHost::worker_loop(bool commands_ran) {
  long seen_tick = 0;
  for (;;) {
    try {
      if (!worker_iteration(seen_tick, commands_ran)) return;
      commands_ran = false;
    } catch (const std::bad_alloc& e) {  // never let an exception end the thread (std::terminate)
      failed("training", e, true);
    } catch (const std::exception& e) {
      failed("training", e, false);
    }
  }
}

// One wait-run-train-publish round of the worker; false when asked to quit.
// commands_ran: the frame ran commands whose snapshot is not published yet.
bool TrainingHost::worker_iteration(long& seen_tick, bool commands_ran) {
  {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] {
      return quit_ || !queue_.empty() ||
             (frame_tick_ != seen_tick && (playing_ || pending_steps_ > 0 || epoch_target_ >= 0 || eval_waiting_));
    });
    if (quit_) return false;
  }
  // (Whether commands ran is what run_commands says: a command posted after
  // a look at the queue and before it is taken must get its publish too.)
  const bool had_commands = run_commands() > 0 || commands_ran;
  ensure_trainer();
  update_pace();
  long tick;
  {
    std::lock_guard<std::mutex> lk(m_);
    tick = frame_tick_;
  }
  bool trained = false;
  if (tick != seen_tick && (playing_ || pending_steps_ > 0 || epoch_target_ >= 0)) {
    seen_tick = tick;
    // One frame's worth of steps, but never hold a snapshot back for long.
    // Nothing to publish when a step limit held this run back.
    trained = train_some(25, steps_per_frame_) > 0 || !playing_ || !error_.empty();
  }
  bool retry_eval = false;  // a final test evaluation waits for its turn: ask again on this frame
  if (!trained && tick != seen_tick && eval_waiting_) {
    seen_tick = tick;
    retry_eval = true;
  }
  if (trained || had_commands || retry_eval) publish(!trained);
  return true;
}

void TrainingHost::frame(double budget_ms) {
  if (threaded_) {
    {
      std::lock_guard<std::mutex> lk(m_);
      ++frame_tick_;
    }
    cv_.notify_all();
    return;
  }
  const bool had_commands = run_commands() > 0;
  ensure_trainer();
  update_pace();
  const bool want = playing_ || pending_steps_ > 0 || epoch_target_ >= 0;
  if (want && can_thread_) {
    // Until now the commands ran here; from now on the training side belongs
    // to the worker, which publishes their snapshot first (preparing it can
    // take long for a large model: never in the frame).
    threaded_ = true;
    worker_ = std::thread([this, had_commands, state = worker_state_] {
      int created = 0;
      if (state->compare_exchange_strong(created, 1)) worker_loop(had_commands);  // else: its host is gone
    });
    nn::start_parallel_pool();  // training is heavy work: the pool's workers too (first time only)
    {
      std::lock_guard<std::mutex> lk(m_);
      ++frame_tick_;
    }
    cv_.notify_all();
    return;
  }
  const bool trained = want && (train_some(budget_ms, steps_per_frame_) > 0 || !playing_ || !error_.empty());
  if (trained || had_commands || eval_waiting_) publish(!trained);
}

}  // namespace app
