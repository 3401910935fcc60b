// simd.h: 4-lane float vectors through the compiler's vector extensions. The
// same source becomes SSE natively and wasm_simd128 under Emscripten
// (-msimd128). Includes vectorised exp/tanh/sigmoid approximations; their
// maximum errors are measured in tests/core/test_fast_eval.cpp.
#pragma once
#include <cstdint>
#include <cstring>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace nn::simd {

typedef float f4 __attribute__((vector_size(16)));
typedef int32_t i4 __attribute__((vector_size(16)));

inline f4 splat(float v) { return f4{v, v, v, v}; }
inline f4 load(const float* p) { f4 v; std::memcpy(&v, p, sizeof v); return v; }
inline void store(float* p, f4 v) { std::memcpy(p, &v, sizeof v); }
inline f4 as_f4(i4 v) { f4 r; std::memcpy(&r, &v, sizeof r); return r; }
inline i4 as_i4(f4 v) { i4 r; std::memcpy(&r, &v, sizeof r); return r; }
// mask lanes are all ones (true) or zero (false)
inline f4 select(i4 mask, f4 a, f4 b) { return as_f4((mask & as_i4(a)) | (~mask & as_i4(b))); }
inline f4 max(f4 a, f4 b) { return select(a > b, a, b); }
inline f4 min(f4 a, f4 b) { return select(a < b, a, b); }
inline f4 sqrt(f4 a) {
#if defined(__wasm_simd128__)
  return (f4)wasm_f32x4_sqrt((v128_t)a);
#elif defined(__SSE__)
  return (f4)_mm_sqrt_ps((__m128)a);
#else
  return f4{__builtin_sqrtf(a[0]), __builtin_sqrtf(a[1]), __builtin_sqrtf(a[2]), __builtin_sqrtf(a[3])};
#endif
}
inline f4 abs(f4 a) { return as_f4(as_i4(a) & i4{0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}); }

// exp(x) for x in [-87, 88] (clamped outside): x = n ln2 + r with n an
// integer (Cody-Waite: ln2 split in two so r keeps its precision), |r| <= ln2/2;
// e^r by its Taylor polynomial to degree 6; 2^n built in the exponent bits.
// Relative error about 2e-7.
inline f4 exp(f4 x) {
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

// tanh(x) = sign(x) (1 - 2 / (exp(2|x|) + 1)); absolute error about 2e-7.
inline f4 tanh(f4 x) {
  const f4 e = exp(splat(2.f) * abs(x));
  const f4 t = splat(1.f) - splat(2.f) / (e + splat(1.f));
  return select(x < splat(0.f), -t, t);
}

// sigmoid(x) = 1 / (1 + exp(-x)); absolute error about 1e-7.
inline f4 sigmoid(f4 x) { return splat(1.f) / (splat(1.f) + exp(-x)); }

}  // namespace nn::simd
