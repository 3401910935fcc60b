// parallel.h: a tiny fork-join pool. parallel_for splits [0, n) into chunks
// run by the pool's workers and the calling thread. In single-threaded builds
// (NNPLAY_THREADED=0, the web fallback) everything runs on the caller.
#pragma once
#include <functional>

namespace nn {

// Calls fn(begin, end) on disjoint chunks covering [0, n); returns when all are done.
void parallel_for(int n, const std::function<void(int, int)>& fn, int min_chunk = 1);

// Threads parallel_for uses, including the caller (1 in single-threaded
// builds). Also before the pool's workers exist: the work is split into the
// same chunks whether the workers or the caller alone run them, so results
// do not depend on when the pool started.
int parallel_threads();
// Sets the pool size (0 = one per hardware thread, capped by the build's
// worker limit). Only effective before the pool starts.
// Do not call parallel_for from inside fn: jobs do not nest.
void set_parallel_threads(int n);

// Spinning: after a job a worker may spin (yielding the core) for a while
// before it sleeps, and a job's caller as long for the workers' chunks,
// since waking a sleeping thread can cost as much as a training step's
// shorter jobs take. Off by default (workers sleep at once): on this 2-core
// VM under load the spin made two threads slower (README, Benchmarks); one
// idle-machine bench run found it 6-11 % faster on workloads 6 and 7 in
// every build, so turning it on needs more idle runs. kParallelSpinSeconds is the
// time the bench tries (its *_spin figures); set_parallel_spin(0) is off.
constexpr double kParallelSpinSeconds = 0.25e-3;
void set_parallel_spin(double seconds);

// By default the pool's workers are created by the first parallel_for that
// needs them, on whatever thread calls it. defer_parallel_pool() changes that
// (the threaded web build, so that an idle demo holds no Web Workers): from
// then on only start_parallel_pool() creates them, and until it does,
// parallel_for runs every chunk on its caller. Call start_parallel_pool() on
// the browser's main thread: there pthread_create returns at once and the
// Worker starts when the main thread is back in its event loop, whereas on a
// pthread (Emscripten 3.1.6) pthread_create waits for the main thread to
// serve it. parallel_for never waits for a worker that has not taken a chunk,
// so a job right after the start is simply run by its caller.
void defer_parallel_pool();
void start_parallel_pool();
// True once the pool's workers have been created (always false in
// single-threaded builds).
bool parallel_pool_started();

}  // namespace nn
