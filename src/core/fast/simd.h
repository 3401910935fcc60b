// simd.h: 4-lane float vectors through the compiler's vector extensions. The
// same source becomes SSE natively and wasm_simd128 under Emscripten
// (-msimd128). Includes vectorised exp/tanh/sigmoid approximations; their
// maximum errors are measured in tests/core/test_fast_eval.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#endif

// The helpers below are small and called in the innermost loops: always
// inlined, so that a vector never goes through a call.
#define NN_SIMD_INLINE inline __attribute__((always_inline))

namespace nn::simd {

typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));

NN_SIMD_INLINE f4 splat(float v) { return f4{v, v, v, v}; }
NN_SIMD_INLINE f4 load(const float* p) { f4 v; std::memcpy(&v, p, sizeof v); return v; }
NN_SIMD_INLINE void store(float* p, f4 v) { std::memcpy(p, &v, sizeof v); }
NN_SIMD_INLINE f4 as_f4(i4 v) { f4 r; std::memcpy(&r, &v, sizeof r); return r; }
NN_SIMD_INLINE i4 as_i4(f4 v) { i4 r; std::memcpy(&r, &v, sizeof r); return r; }
// mask lanes are all ones (true) or zero (false)
NN_SIMD_INLINE f4 select(i4 mask, f4 a, f4 b) { return as_f4((mask & as_i4(a)) | (~mask & as_i4(b))); }
// max = a > b ? a : b and min = a < b ? a : b lane by lane (b when either is
// NaN), as one instruction: SSE's maxps/minps have exactly this rule, wasm's
// pmax/pmin with the operands swapped.
NN_SIMD_INLINE f4 max(f4 a, f4 b) {
#if defined(__wasm_simd128__)
  return (f4)wasm_f32x4_pmax((v128_t)b, (v128_t)a);
#elif defined(__SSE__)
  return (f4)_mm_max_ps((__m128)a, (__m128)b);
#else
  return select(a > b, a, b);
#endif
}
NN_SIMD_INLINE f4 min(f4 a, f4 b) {
#if defined(__wasm_simd128__)
  return (f4)wasm_f32x4_pmin((v128_t)b, (v128_t)a);
#elif defined(__SSE__)
  return (f4)_mm_min_ps((__m128)a, (__m128)b);
#else
  return select(a < b, a, b);
#endif
}
NN_SIMD_INLINE f4 sqrt(f4 a) {
#if defined(__wasm_simd128__)
  return (f4)wasm_f32x4_sqrt((v128_t)a);
#elif defined(__SSE__)
  return (f4)_mm_sqrt_ps((__m128)a);
#else
  return f4{__builtin_sqrtf(a[0]), __builtin_sqrtf(a[1]), __builtin_sqrtf(a[2]), __builtin_sqrtf(a[3])};
#endif
}
NN_SIMD_INLINE f4 abs(f4 a) { return as_f4(as_i4(a) & i4{0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}); }

// ---- Copies that stay in WebAssembly ------------------------------------------
// With bulk memory (the threaded build), clang turns a memcpy or std::copy
// whose size is not a small constant (a 112-byte struct is already too large,
// even through __builtin_memcpy_inline) into the instruction memory.copy, and
// V8 runs memory.copy as a call out to C: tens of nanoseconds, for copies of a
// few dozen bytes on every training step. The helpers below copy through
// 16-byte vectors instead; in WebAssembly an empty asm statement on each
// vector keeps the compiler from fusing the moves back into one memory.copy.
// Natively they are plain copies.
NN_SIMD_INLINE void keep_in_register(i4& v) {
#if defined(__wasm__)
  __asm__ volatile("" : "+r"(v));
#else
  (void)v;
#endif
}

// Copies n 4-byte values (floats or ints).
template <class T>
NN_SIMD_INLINE void copy32(T* dst, const T* src, size_t n) {
  static_assert(sizeof(T) == 4, "copy32 copies 4-byte values");
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    i4 v;
    std::memcpy(&v, src + k, sizeof v);
    keep_in_register(v);
    std::memcpy(dst + k, &v, sizeof v);
  }
  for (; k < n; ++k) dst[k] = src[k];
}

// *dst = *src for a trivially copyable object whose size is a multiple of 16 bytes.
template <class T>
NN_SIMD_INLINE void copy_object(T* dst, const T* src) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) % 16 == 0, "copy_object: 16-byte blocks of a plain struct");
  char* d = reinterpret_cast<char*>(dst);
  const char* s = reinterpret_cast<const char*>(src);
  for (size_t k = 0; k < sizeof(T); k += 16) {
    i4 v;
    std::memcpy(&v, s + k, sizeof v);
    keep_in_register(v);
    std::memcpy(d + k, &v, sizeof v);
  }
}

// exp(x) for x in [-87, 88] (clamped outside): x = n ln2 + r with n an
// integer (Cody-Waite: ln2 split in two so r keeps its precision), |r| <= ln2/2;
// e^r by its Taylor polynomial to degree 6; 2^n built in the exponent bits.
// Relative error about 2e-7.
NN_SIMD_INLINE f4 exp(f4 x) {
  x = min(max(x, splat(-87.f)), splat(88.f));
  const f4 magic = splat(12582912.f);  // 1.5 * 2^23: adding it rounds to an integer
  const f4 n = (x * splat(1.44269504088896341f) + magic) - magic;
  const f4 r = (x - n * splat(0.693359375f)) - n * splat(-2.12194440e-4f);
  f4 p = splat(1.f / 720);
  p = p * r + splat(1.f / 120);
  p = p * r + splat(1.f / 24);
  p = p * r + splat(1.f / 6);
  p = p * r + splat(0.5f);
  p = p * r + splat(1.f);
  p = p * r + splat(1.f);
  const i4 ni = __builtin_convertvector(n, i4);
  const f4 scale = as_f4((ni + 127) << 23);
  return p * scale;
}

// tanh(x) as a rational function, x P(x^2) / Q(x^2) with P of degree 5 and
// Q of degree 3 in x^2, for |x| <= 9 (beyond, tanh rounds to +-1 in float):
// one division and 16 multiply-adds, no exp. The coefficients are our own
// minimax fit of the absolute error on [0, 9] (Remez exchange in 40-digit
// arithmetic: 5e-8), then nudged by a few ulps for float evaluation: measured
// absolute error 3.4e-7 in float (tests/core/test_tiny_net.cpp bounds it by
// 4e-7), odd exactly, clamped to [-1, 1].
NN_SIMD_INLINE f4 tanh(f4 x) {
  x = min(max(x, splat(-9.f)), splat(9.f));
  const f4 t = x * x;
  f4 p = splat(1.783723342640986e-11f);
  p = p * t + splat(-1.2590677833657082e-08f);
  p = p * t + splat(9.194866834150162e-06f);
  p = p * t + splat(0.002911968622356653f);
  p = p * t + splat(0.1291065514087677f);
  p = p * t + splat(1.f);
  f4 q = splat(0.00022693752544000745f);
  q = q * t + splat(0.02372605912387371f);
  q = q * t + splat(0.4624389111995697f);
  q = q * t + splat(1.f);
  return min(max(x * p / q, splat(-1.f)), splat(1.f));
}

// sigmoid(x) = 1 / (1 + exp(-x)); absolute error about 1e-7.
NN_SIMD_INLINE f4 sigmoid(f4 x) { return splat(1.f) / (splat(1.f) + exp(-x)); }

// Natural log for positive normal x (the softmax's log of a sum in [1, C]):
// x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1) / (m + 1),
// |s| <= 0.172, by its odd series to s^9 (truncation < 1e-9); e ln2 added
// with ln2 split in two as in exp. Relative error about 1e-7.
NN_SIMD_INLINE f4 log(f4 x) {
  const i4 bits = as_i4(x);
  i4 e = ((bits >> 23) & 0xff) - 127;
  f4 m = as_f4((bits & 0x007fffff) | 0x3f800000);  // [1, 2)
  const i4 big = m > splat(1.41421356f);
  m = select(big, m * splat(0.5f), m);
  e = e - big;  // big lanes are all ones (-1): e + 1
  const f4 s = (m - splat(1.f)) / (m + splat(1.f));
  const f4 s2 = s * s;
  f4 p = splat(1.f / 9);
  p = p * s2 + splat(1.f / 7);
  p = p * s2 + splat(1.f / 5);
  p = p * s2 + splat(1.f / 3);
  p = p * s2 + splat(1.f);
  const f4 ef = __builtin_convertvector(e, f4);
  return ef * splat(0.693359375f) + (splat(2.f) * s * p + ef * splat(-2.12194440e-4f));
}

}  // namespace nn::simd
