// parallel.h: a tiny fork-join pool. parallel_for splits [0, n) into chunks
// run by the pool's workers and the calling thread. In single-threaded builds
// (NNPLAY_THREADED=0, the web fallback) everything runs on the caller.
#pragma once
#include <functional>

namespace nn {

// Calls fn(begin, end) on disjoint chunks covering [0, n); returns when all are done.
void parallel_for(int n, const std::function<void(int, int)>& fn, int min_chunk = 1);

// Threads parallel_for uses, including the caller (1 in single-threaded builds).
int parallel_threads();
// Sets the pool size (0 = one per hardware thread, capped by the build's
// worker limit). Only effective before the first parallel_for.
// Do not call parallel_for from inside fn: jobs do not nest.
void set_parallel_threads(int n);

}  // namespace nn
