// Every one of the 2^32 float inputs of the C math kernels (Sources/CKernels):
// the largest error against double-precision libm rounded to float, special
// values against the same reference, and bit identity of the AVX2 level with
// the active one and of in-place runs with out-of-place ones. About 1.5 min a
// function on one core. From the repository root:
//   clang -O2 -ISources/CKernels/include tools/runtime-bench/vector-math-exhaustive.c \
//     Sources/CKernels/VectorMath.c -lm -o /tmp/vector-math-exhaustive && /tmp/vector-math-exhaustive [0-3]
// (`tools/runtime-bench/run.sh accuracy` checks both Swift-side paths, and counts where they differ.)
#include "CKernels.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float float_from_bits(uint32_t bits) {
  float value;
  memcpy(&value, &bits, 4);
  return value;
}

static uint32_t bits_of_float(float value) {
  uint32_t bits;
  memcpy(&bits, &value, 4);
  return bits;
}

/// Position on the line of floats (so ulps are differences, across zero too).
static int64_t ordered(float x) {
  int64_t magnitude = bits_of_float(x) & 0x7fffffff;
  return bits_of_float(x) >> 31 ? -magnitude : magnitude;
}

static double reference(int function, double x) {
  switch (function) {
  case MG_UNARY_EXP: return exp(x);
  case MG_UNARY_LOG: return log(x);
  case MG_UNARY_TANH: return tanh(x);
  default: return -x >= 88.72283935546875 ? 0 : 1 / (1 + exp(-x));  // 0 once e^-x overflows, as PyTorch
  }
}

int main(int argc, char **argv) {
  const char *names[] = {"exp", "log", "tanh", "sigmoid"};
  int only = argc > 1 ? atoi(argv[1]) : -1;
  printf("level %d\n", mg_vector_math_level());
  const long chunk = 1 << 20;
  float *x = malloc(chunk * sizeof(float)), *y = malloc(chunk * sizeof(float));
  float *avx2 = malloc(chunk * sizeof(float)), *in_place = malloc(chunk * sizeof(float));
  for (int function = 0; function < 4; function++) {
    if (only >= 0 && function != only) continue;
    int64_t worst = 0;
    float worst_input = 0;
    long specials = 0, level_differences = 0, in_place_differences = 0, histogram[4] = {0};
    for (uint64_t start = 0; start < (1ull << 32); start += chunk) {
      for (long i = 0; i < chunk; i++) x[i] = float_from_bits((uint32_t)(start + i));
      mg_unary_f32(function, x, y, chunk);
      if (mg_unary_f32_at_level(function, MG_LEVEL_AVX2_FMA, x, avx2, chunk)) {
        for (long i = 0; i < chunk; i++) level_differences += bits_of_float(y[i]) != bits_of_float(avx2[i]);
      }
      memcpy(in_place, x, chunk * sizeof(float));
      mg_unary_f32(function, in_place, in_place, chunk);
      for (long i = 0; i < chunk; i++) in_place_differences += bits_of_float(y[i]) != bits_of_float(in_place[i]);
      for (long i = 0; i < chunk; i++) {
        float value = y[i], expected = (float)reference(function, (double)x[i]);
        if (isfinite(expected) && isfinite(value)) {
          int64_t error = llabs(ordered(value) - ordered(expected));
          histogram[error < 3 ? error : 3]++;
          if (error > worst) {
            worst = error;
            worst_input = x[i];
          }
        } else if (!(isnan(expected) && isnan(value)) && value != expected) {
          if (specials < 5) printf("  special %s(%a) = %a, expected %a\n", names[function], x[i], value, expected);
          specials++;
        }
      }
    }
    printf("%s: largest error %lld ulp at %a (%.9g); errors 0 ulp: %ld, 1: %ld, 2: %ld, more: %ld; "
           "special values differing: %ld; AVX2 differing from the active level: %ld; in place differing: %ld\n",
           names[function], (long long)worst, worst_input, worst_input, histogram[0], histogram[1], histogram[2],
           histogram[3], specials, level_differences, in_place_differences);
    fflush(stdout);
  }
  return 0;
}
