// parallel.cpp: the fork-join pool behind parallel_for. Workers are created
// once (lazily) and sleep on a condition variable between jobs.
#include "core/fast/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace nn {

#if NNPLAY_THREADED
namespace {

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
    const int chunks = std::max(1, std::min(threads() * 4, n / std::max(1, min_chunk)));
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn; n_ = n; chunks_ = chunks; next_ = 0; done_ = 0; ++generation_;
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return done_ == chunks_; });
    fn_ = nullptr;
  }

 private:
  void loop() {
    long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
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
      const int begin = int(long(n) * c / chunks), end = int(long(n) * (c + 1) / chunks);
      if (begin < end) (*fn)(begin, end);
      {
        std::lock_guard<std::mutex> lk(m_);
        if (++done_ == chunks_) done_cv_.notify_all();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex m_, job_m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int, int)>* fn_ = nullptr;
  int n_ = 0, chunks_ = 0, next_ = 0, done_ = 0;
  long generation_ = 0;
  bool quit_ = false;
};

#ifndef NNPLAY_MAX_WORKERS
#define NNPLAY_MAX_WORKERS 7
#endif

int g_requested = 0;

Pool& pool() {
  static Pool p([] {
    const int n = g_requested > 0 ? g_requested : int(std::thread::hardware_concurrency());
    return std::clamp(n, 1, NNPLAY_MAX_WORKERS + 1);
  }());
  return p;
}

}  // namespace

void parallel_for(int n, const std::function<void(int, int)>& fn, int min_chunk) {
  if (n <= 0) return;
  if (n <= min_chunk || pool().threads() == 1) { fn(0, n); return; }
  pool().run(n, fn, min_chunk);
}
int parallel_threads() { return pool().threads(); }
void set_parallel_threads(int n) { g_requested = n; }

#else

void parallel_for(int n, const std::function<void(int, int)>& fn, int) {
  if (n > 0) fn(0, n);
}
int parallel_threads() { return 1; }
void set_parallel_threads(int) {}

#endif

}  // namespace nn
