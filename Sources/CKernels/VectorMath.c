// exp, log, tanh and sigmoid over float32 arrays: the algorithms, coefficients
// and special values of Micrograd's FastMath.swift (read its comments for the
// why of each step), with every polynomial step and the range reductions as
// explicit fused multiply-adds.
//
// Each function is written once, as an inline scalar function, and compiled
// into loops for each instruction set (AVX-512, AVX2+FMA, and baseline, where
// fmaf is libm's correctly rounded software fma). Clang vectorises the loops;
// every element goes through the same IEEE operations (fma, +, *, /, selects,
// integer bit tricks) on every level, so all levels give the same bits. Only
// the written fmaf calls fuse: contraction of a*b+c is off for this file.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MG_INLINE static inline __attribute__((always_inline))

MG_INLINE float float_from_bits(uint32_t bits) {
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

MG_INLINE uint32_t bits_of_float(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

/// x limited to [low, high]; a NaN stays NaN (both comparisons are false).
MG_INLINE float clamped(float x, float low, float high) {
  x = x < low ? low : x;
  return x > high ? high : x;
}

/// 2^n for n in [-126, 127], built from its exponent bits.
MG_INLINE float power_of_two(int32_t n) { return float_from_bits(((uint32_t)n + 127u) << 23); }

/// e^x = 2^k * (returned y), for x already clamped, with y = e^r, |r| <= ln 2 / 2.
MG_INLINE float reduced_exp(float x, int32_t *k) {
  // Round x*log2(e) to an integer by adding 1.5*2^23 (it lands in the low mantissa bits).
  const float shifter = 12582912.0f;
  float shifted = fmaf(x, 1.44269504f, shifter);
  *k = (int32_t)(bits_of_float(shifted) - bits_of_float(shifter));
  float fk = shifted - shifter;
  // ln 2 in two parts, the first exact in 9 bits.
  float r = fmaf(fk, -0.693359375f, x);
  r = fmaf(fk, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = fmaf(p, r, 1.3981999507e-3f);
  p = fmaf(p, r, 8.3334519073e-3f);
  p = fmaf(p, r, 4.1665795894e-2f);
  p = fmaf(p, r, 1.6666665459e-1f);
  p = fmaf(p, r, 5.0000001201e-1f);
  return fmaf(p, r * r, r) + 1.0f;
}

MG_INLINE float scalar_exp(float x) {
  // Past 88.8 the result is inf, below -104 it is 0 (the scaling over- or underflows by itself).
  int32_t k;
  float y = reduced_exp(clamped(x, -104.0f, 88.8f), &k);
  // 2^k in two normal factors, so the product rounds once even for denormal results.
  int32_t half = k >> 1;
  return y * power_of_two(half) * power_of_two(k - half);
}

/// e^x for the denominators of tanh and sigmoid: as scalar_exp wherever that is
/// normal or overflows, at most e^-86 below (1 + either is exactly 1).
MG_INLINE float exp_of_denominator(float x) {
  int32_t k;
  float y = reduced_exp(clamped(x, -86.0f, 88.8f), &k);
  return y * power_of_two(k - 1) * 2.0f;
}

MG_INLINE float scalar_log(float x) {
  // Denormals: scale into the normal range first, remember the 23.
  int denormal = x < 1.17549435e-38f;
  float normal = denormal ? x * 8388608.0f : x;
  int32_t bits = (int32_t)bits_of_float(normal);
  float e = (float)((bits >> 23) & 0xFF) - (denormal ? 126.0f + 23.0f : 126.0f);
  // The mantissa as a float in [0.5, 1), then m - 1 with m in [sqrt(1/2), sqrt(2)).
  float m = float_from_bits(((uint32_t)bits & 0x007FFFFFu) | 0x3F000000u);
  int below = m < 0.707106781186547524f;
  e = below ? e - 1.0f : e;
  m = below ? m + m - 1.0f : m - 1.0f;
  float z = m * m;
  float p = 7.0376836292e-2f;
  p = fmaf(p, m, -1.1514610310e-1f);
  p = fmaf(p, m, 1.1676998740e-1f);
  p = fmaf(p, m, -1.2420140846e-1f);
  p = fmaf(p, m, 1.4249322787e-1f);
  p = fmaf(p, m, -1.6668057665e-1f);
  p = fmaf(p, m, 2.0000714765e-1f);
  p = fmaf(p, m, -2.4999993993e-1f);
  p = fmaf(p, m, 3.3333331174e-1f);
  float y = p * m * z;
  y = fmaf(e, -2.12194440e-4f, y);
  y = fmaf(-0.5f, z, y);
  float result = fmaf(e, 0.693359375f, m + y);
  // log(0) = -inf, log(x < 0) = nan, log(inf) = inf, nan stays.
  float special = x == 0.0f ? -INFINITY : (x < 0.0f ? NAN : x);
  return x > 0.0f && x < INFINITY ? result : special;
}

MG_INLINE float scalar_tanh(float x) {
  float magnitude = fabsf(x);
  float z = x * x;
  float p = -5.70498872745e-3f;
  p = fmaf(p, z, 2.06390887954e-2f);
  p = fmaf(p, z, -5.37397155531e-2f);
  p = fmaf(p, z, 1.33314422036e-1f);
  p = fmaf(p, z, -3.33332819422e-1f);
  float small = fmaf(p * z, magnitude, magnitude);
  float large = 1.0f - 2.0f / (exp_of_denominator(magnitude + magnitude) + 1.0f);
  // Both forms on |x| (so tanh(-0) = -0); x's sign goes back on.
  float result = magnitude < 0.625f ? small : large;
  return float_from_bits(bits_of_float(result) | (bits_of_float(x) & 0x80000000u));
}

/// 1 / (1 + e^-x), 0 where e^-x overflows (as PyTorch).
MG_INLINE float scalar_sigmoid(float x) { return 1.0f / (1.0f + exp_of_denominator(-x)); }

typedef void (*mg_kernel)(const float *x, float *y, long n);

// One function's loops for one instruction set: in place (one pointer, so the
// vectoriser needs no overlap check) or between two arrays.
#define MG_LOOPS(function, level, attributes)                                      \
  attributes static void function##_in_place_##level(float *y, long n) {           \
    for (long i = 0; i < n; i++) y[i] = scalar_##function(y[i]);                    \
  }                                                                                \
  attributes static void function##_##level(const float *x, float *y, long n) {    \
    if (x == y) {                                                                  \
      function##_in_place_##level(y, n);                                           \
      return;                                                                      \
    }                                                                              \
    for (long i = 0; i < n; i++) y[i] = scalar_##function(x[i]);                    \
  }

#define MG_LEVEL(level, attributes)        \
  MG_LOOPS(exp, level, attributes)         \
  MG_LOOPS(log, level, attributes)         \
  MG_LOOPS(tanh, level, attributes)        \
  MG_LOOPS(sigmoid, level, attributes)     \
  static const mg_kernel kernels_##level[4] = {exp_##level, log_##level, tanh_##level, sigmoid_##level};

MG_LEVEL(baseline, )

#if defined(__x86_64__) || defined(__i386__)
#define MG_X86 1
MG_LEVEL(avx2, __attribute__((target("avx2,fma"))))
MG_LEVEL(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"), min_vector_width(512))))
#endif

/// The level in use and its kernels: set once by the constructor below, before
/// main runs (and before any other thread exists); baseline until then.
static int active_level = MG_LEVEL_NONE;
static const mg_kernel *active_kernels = kernels_baseline;

/// The highest level this CPU supports.
static int supported_level(void) {
#ifdef MG_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return MG_LEVEL_NONE;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return MG_LEVEL_AVX512;
  return MG_LEVEL_AVX2_FMA;
#else
  return MG_LEVEL_NONE;
#endif
}

static const mg_kernel *kernels_at(int level) {
  switch (level) {
#ifdef MG_X86
  case MG_LEVEL_AVX512: return kernels_avx512;
  case MG_LEVEL_AVX2_FMA: return kernels_avx2;
#endif
  default: return kernels_baseline;
  }
}

__attribute__((constructor)) static void choose_level(void) {
  active_level = supported_level();
  active_kernels = kernels_at(active_level);
}

int mg_vector_math_level(void) { return active_level; }

void mg_unary_f32(int function, const float *x, float *y, long n) {
  if (function < 0 || function > 3) return;
  active_kernels[function](x, y, n);
}

int mg_unary_f32_at_level(int function, int level, const float *x, float *y, long n) {
  if (function < 0 || function > 3 || level < MG_LEVEL_NONE || level > supported_level()) return 0;
  kernels_at(level)[function](x, y, n);
  return 1;
}

void mg_exp_f32(const float *x, float *y, long n) { active_kernels[MG_UNARY_EXP](x, y, n); }
void mg_log_f32(const float *x, float *y, long n) { active_kernels[MG_UNARY_LOG](x, y, n); }
void mg_tanh_f32(const float *x, float *y, long n) { active_kernels[MG_UNARY_TANH](x, y, n); }
void mg_sigmoid_f32(const float *x, float *y, long n) { active_kernels[MG_UNARY_SIGMOID](x, y, n); }
