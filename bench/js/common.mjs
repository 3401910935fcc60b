// common.mjs: timing, result recording and the data generators shared by the
// JavaScript peers of nnplay's benchmarks (same shapes as nnplay's
// make_circle / make_spiral; speed does not depend on the exact points).
export const quick = process.argv.includes('--quick');
export const budget = (s) => (quick ? s * 0.2 : s);
const now = () => performance.now() / 1000;

// Seconds per call of fn, after a warm-up call: five windows of at least
// seconds / 5 (and minReps calls) each, the fastest window counts (as in
// nnplay_bench.cpp), so a burst of load on a shared machine does not set it.
export function timePerCall(fn, seconds, minReps = 2) {
  fn();
  let best = Infinity;
  for (let w = 0; w < 5; w++) {
    let reps = 0;
    const t0 = now();
    let t = t0;
    while (reps < minReps || t - t0 < seconds / 5) { fn(); reps++; t = now(); }
    best = Math.min(best, (t - t0) / reps);
  }
  return best;
}

const results = [];
export function record(id, value, unit, what) {
  results.push({ id, value, unit, what });
  process.stderr.write(`  ${id.padEnd(28)} ${value.toFixed(1).padStart(14)} ${unit.padEnd(12)} ${what}\n`);
}
export function finish(impl, extra = {}) {
  process.stdout.write(JSON.stringify({ impl, threads: 1, ...extra, results }, null, 1) + '\n');
}

// Seeded uniform generator (mulberry32) so every run sees the same points.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function gauss(r) { return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()); }

// Class 0 a disc of radius 0.45, class 1 the ring 0.7..1.0.
export function circle(n, noise, seed) {
  const r = rng(seed), pts = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2, a = 2 * Math.PI * r();
    const rad = label === 0 ? 0.45 * Math.sqrt(r()) : 0.7 + 0.3 * r();
    pts.push({ x: rad * Math.cos(a) + noise * gauss(r), y: rad * Math.sin(a) + noise * gauss(r), label });
  }
  return pts;
}
// The CS231n spiral with `classes` arms.
export function spiral(n, noise, seed, classes) {
  const r = rng(seed), pts = [];
  for (let i = 0; i < n; i++) {
    const label = i % classes, t = (Math.floor(i / classes) + 0.5) / Math.ceil(n / classes);
    const a = label * 4 + 4 * t + noise * gauss(r);
    pts.push({ x: t * Math.sin(a), y: t * Math.cos(a), label });
  }
  return pts;
}
