// parallel.cpp: the fork-join pool behind parallel_for. Workers are created
// once (on first use, or when start_parallel_pool() is called after
// defer_parallel_pool()) and sleep on a condition variable between jobs.
#include "core/fast/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace nn {

#if NNPLAY_THREADED
namespace {

// How many chunks a job of n items is split into with `threads` threads:
// the pool's split, used also by the caller alone before the pool starts.
int chunk_count(int threads, int n, int min_chunk) {
  return std::max(1, std::min(threads * 4, n / std::max(1, min_chunk)));
}

// Calls fn on chunk c of `chunks` covering [0, n).
void run_chunk(const std::function<void(int, int)>& fn, int n, int c, int chunks) {
  const int begin = int(long(n) * c / chunks), end = int(long(n) * (c + 1) / chunks);
  if (begin < end) fn(begin, end);
}

// A job waits only for chunks that a running thread took (done_ counts
// them): a worker that has not started yet takes none, so the caller runs
// every chunk itself and never waits for a thread that is still starting.
//
// Waking a sleeping thread (a futex, or Atomics.wait/notify on the web) can
// take tens of microseconds, more in a VM, and a training step is a string of
// short jobs (a few per layer, some a fraction of a millisecond): a worker
// woken for each one can arrive after the caller has taken every chunk
// itself (a conv layer's job has one chunk per thread). With
// set_parallel_spin(s > 0) a worker spins on the job counter for s seconds
// after a job before it sleeps, and the caller spins likewise for its last
// chunks, so that during training the next job finds the worker awake.
// Off by default (see parallel.h).
std::atomic<double> g_spin_seconds{0.0};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until done() or the spin time has passed; true if done() held.
// After the first few hundred rounds each round also yields the core, so on
// a loaded machine a spinning thread gives way to the threads doing work.
template <class Done>
bool spin_until(Done&& done) {
  const double spin = g_spin_seconds.load(std::memory_order_relaxed);
  if (spin <= 0) return done();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 1;; ++i) {
    if (done()) return true;
    cpu_relax();
    if (i < 512) continue;
    std::this_thread::yield();
    if ((i & 15) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > spin)
      return done();
  }
}

class Pool {
 public:
  explicit Pool(int threads) {
    for (int i = 0; i + 1 < threads; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    { std::lock_guard<std::mutex> lk(m_); quit_ = true; }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int threads() const { return int(workers_.size()) + 1; }

  void run(int n, const std::function<void(int, int)>& fn, int min_chunk) {
    std::lock_guard<std::mutex> one_job(job_m_);  // one parallel_for at a time
    const int chunks = chunk_count(threads(), n, min_chunk);
    bool sleepers;
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn; n_ = n; chunks_ = chunks; next_ = 0; done_.store(0, std::memory_order_relaxed);
      generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
      sleepers = sleeping_ > 0;
    }
    if (sleepers) cv_.notify_all();
    work();
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == chunks; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_cv_.wait(lk, [&] { return done_.load(std::memory_order_acquire) == chunks; });
    }
    std::lock_guard<std::mutex> lk(m_);
    fn_ = nullptr;
  }

 private:
  void loop() {
    long seen = 0;
    for (;;) {
      if (!spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
        std::unique_lock<std::mutex> lk(m_);
        ++sleeping_;
        cv_.wait(lk, [&] { return quit_ || generation_.load(std::memory_order_relaxed) != seen; });
        --sleeping_;
        if (quit_) return;
      }
      {
        std::lock_guard<std::mutex> lk(m_);
        if (quit_) return;
        seen = generation_.load(std::memory_order_relaxed);
      }
      work();
    }
  }
  void work() {
    for (;;) {
      int c, n, chunks;
      const std::function<void(int, int)>* fn;
      {
        std::lock_guard<std::mutex> lk(m_);
        if (!fn_ || next_ >= chunks_) return;
        c = next_++; n = n_; chunks = chunks_; fn = fn_;
      }
      run_chunk(*fn, n, c, chunks);
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
        std::lock_guard<std::mutex> lk(m_);  // the caller may be between its check and its wait
        done_cv_.notify_all();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex m_, job_m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int, int)>* fn_ = nullptr;
  int n_ = 0, chunks_ = 0, next_ = 0, sleeping_ = 0;
  std::atomic<int> done_{0};
  std::atomic<long> generation_{0};
  bool quit_ = false;
};

#ifndef NNPLAY_MAX_WORKERS
#define NNPLAY_MAX_WORKERS 7
#endif

std::atomic<int> g_requested{0};
std::atomic<bool> g_deferred{false};
std::atomic<Pool*> g_pool{nullptr};
std::mutex g_create_m;
std::unique_ptr<Pool> g_pool_owner;  // joins the workers at exit

int planned_threads() {
  const int r = g_requested.load();
  const int n = r > 0 ? r : int(std::thread::hardware_concurrency());
  return std::clamp(n, 1, NNPLAY_MAX_WORKERS + 1);
}

Pool* create_pool() {
  std::lock_guard<std::mutex> lk(g_create_m);
  if (!g_pool_owner) {
    g_pool_owner = std::make_unique<Pool>(planned_threads());
    g_pool.store(g_pool_owner.get(), std::memory_order_release);
  }
  return g_pool_owner.get();
}

// The pool for a job now, or null while it is deferred and not started.
Pool* job_pool() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p || g_deferred.load()) return p;
  return create_pool();
}

}  // namespace

void parallel_for(int n, const std::function<void(int, int)>& fn, int min_chunk) {
  if (n <= 0) return;
  if (n <= min_chunk) { fn(0, n); return; }
  if (Pool* p = job_pool()) {
    if (p->threads() == 1) fn(0, n);
    else p->run(n, fn, min_chunk);
    return;
  }
  // Not started: the caller runs the pool's chunks in order.
  const int threads = planned_threads();
  if (threads == 1) { fn(0, n); return; }
  const int chunks = chunk_count(threads, n, min_chunk);
  for (int c = 0; c < chunks; ++c) run_chunk(fn, n, c, chunks);
}
int parallel_threads() {
  const Pool* p = g_pool.load(std::memory_order_acquire);
  return p ? p->threads() : planned_threads();
}
void set_parallel_threads(int n) { g_requested = n; }
void set_parallel_spin(double seconds) { g_spin_seconds = seconds; }
void defer_parallel_pool() { g_deferred = true; }
void start_parallel_pool() { create_pool(); }
bool parallel_pool_started() { return g_pool.load(std::memory_order_acquire) != nullptr; }

#else

void parallel_for(int n, const std::function<void(int, int)>& fn, int) {
  if (n > 0) fn(0, n);
}
int parallel_threads() { return 1; }
void set_parallel_threads(int) {}
void set_parallel_spin(double) {}
void defer_parallel_pool() {}
void start_parallel_pool() {}
bool parallel_pool_started() { return false; }

#endif

}  // namespace nn
