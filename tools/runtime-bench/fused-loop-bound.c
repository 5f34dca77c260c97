// What B3's forward pass, y = tanh(1.5·x + 0.5)·sigmoid(x) + x·x, costs in the
// interpreter's structure against one register-resident loop, the code a
// compiler generating a loop per fused kernel (XLA, Inductor) would run. Both
// use the project's C math kernels (the same scalar functions), so they give
// the same bits, which this checks.
//
// - "stepwise" is the fused evaluator's structure in C: blocks of 512
//   elements, one vectorised loop per step through scratch rows that stay in
//   L1, the result streamed out (non-temporal stores, one fence per thread).
// - "one loop" computes each element start to finish in vector registers
//   (into one row per block, streamed out the same way).
//
// From the repository root (AVX-512 for the simple steps, as the benchmark's
// native build has; the math kernels pick their level at run time):
//   clang -O2 -pthread -ISources/CKernels/include tools/runtime-bench/fused-loop-bound.c \
//     Sources/CKernels/StreamCopy.c -lm -o /tmp/fused-loop-bound && /tmp/fused-loop-bound [log2 n] [runs]
#include "../../Sources/CKernels/VectorMath.c"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BLOCK 512
#define WIDE __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma"), min_vector_width(512), noinline))

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

WIDE static void multiply(const float *restrict a, const float *restrict b, float *restrict out, long n) {
  for (long i = 0; i < n; i++) out[i] = a[i] * b[i];
}

WIDE static void add(const float *restrict a, const float *restrict b, float *restrict out, long n) {
  for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/// The evaluator's way: a loop per step over a block, intermediates in scratch rows.
static void stepwise(const float *x, float *y, long n, float *scratch) {
  float *s0 = scratch, *s1 = scratch + BLOCK, *s2 = scratch + 2 * BLOCK;
  float *scale = scratch + 3 * BLOCK, *shift = scratch + 4 * BLOCK;
  for (long i = 0; i < BLOCK; i++) scale[i] = 1.5f, shift[i] = 0.5f;
  for (long start = 0; start < n; start += BLOCK) {
    long count = n - start < BLOCK ? n - start : BLOCK;
    const float *row = x + start;
    multiply(scale, row, s0, count);
    add(s0, shift, s1, count);
    mg_tanh_f32(s1, s0, count);
    mg_sigmoid_f32(row, s2, count);
    multiply(s0, s2, s1, count);
    multiply(row, row, s2, count);
    add(s1, s2, s0, count);
    mg_stream_copy_f32(y + start, s0, count);
  }
  mg_store_fence();
}

/// One loop: each element through the whole expression in registers (into a
/// row of the block, streamed out as the evaluator streams its result).
WIDE static void one_loop_block(const float *restrict x, float *restrict out, long n) {
  for (long i = 0; i < n; i++) {
    float v = x[i];
    out[i] = scalar_tanh(1.5f * v + 0.5f) * scalar_sigmoid(v) + v * v;
  }
}

static void one_loop(const float *x, float *y, long n, float *scratch) {
  for (long start = 0; start < n; start += BLOCK) {
    long count = n - start < BLOCK ? n - start : BLOCK;
    one_loop_block(x + start, scratch, count);
    mg_stream_copy_f32(y + start, scratch, count);
  }
  mg_store_fence();
}

struct share {
  const float *x;
  float *y;
  long n;
  int fused;
  float *scratch;
};

static void *run_share(void *argument) {
  struct share *share = argument;
  if (share->fused) {
    one_loop(share->x, share->y, share->n, share->scratch);
  } else {
    stepwise(share->x, share->y, share->n, share->scratch);
  }
  return NULL;
}

/// The best time of `runs` over `threads` equal shares.
static double best_time(const float *x, float *y, long n, int fused, int threads, int runs) {
  struct share shares[2];
  long half = (n / 2 / BLOCK) * BLOCK;
  for (int t = 0; t < threads; t++) {
    long first = threads == 1 ? 0 : t * half;
    shares[t] = (struct share){x + first, y + first, threads == 1 ? n : (t == 0 ? half : n - half), fused,
                               aligned_alloc(64, 5 * BLOCK * sizeof(float))};
  }
  double best = 1e30;
  for (int r = 0; r < runs; r++) {
    double start = now();
    pthread_t other;
    if (threads == 2) pthread_create(&other, NULL, run_share, &shares[1]);
    run_share(&shares[0]);
    if (threads == 2) pthread_join(other, NULL);
    double elapsed = now() - start;
    best = elapsed < best ? elapsed : best;
  }
  for (int t = 0; t < threads; t++) free(shares[t].scratch);
  return best;
}

int main(int argc, char **argv) {
  int power = argc > 1 ? atoi(argv[1]) : 24;
  int runs = argc > 2 ? atoi(argv[2]) : 20;
  if (power < 10 || power > 28 || runs < 1) {
    fprintf(stderr, "usage: fused-loop-bound [log2 n in 10...28] [runs >= 1]\n");
    return 2;
  }
  long n = 1L << power;
  float *x = aligned_alloc(64, (size_t)n * sizeof(float));
  float *a = aligned_alloc(64, (size_t)n * sizeof(float)), *b = aligned_alloc(64, (size_t)n * sizeof(float));
  if (!x || !a || !b) return 1;
  uint32_t state = 3;
  for (long i = 0; i < n; i++) {
    state = state * 1664525u + 1013904223u;
    x[i] = (float)(state >> 8) / 16777216.0f * 6.0f - 3.0f;
  }
  memset(a, 0, (size_t)n * sizeof(float));
  memset(b, 0, (size_t)n * sizeof(float));
  printf("n = 2^%d, math kernels at level %d, best of %d runs\n", power, mg_vector_math_level(), runs);
  for (int threads = 1; threads <= 2; threads++) {
    double steps = best_time(x, a, n, 0, threads, runs), fused = best_time(x, b, n, 1, threads, runs);
    long differences = 0;
    for (long i = 0; i < n; i++) differences += bits_of_float(a[i]) != bits_of_float(b[i]);
    printf("%d thread%s: stepwise %.2f ms (%.3f ns/element), one loop %.2f ms (%.3f ns/element): %.2fx; "
           "%ld results differ\n",
           threads, threads == 1 ? " " : "s", steps * 1e3, steps / n * 1e9, fused * 1e3, fused / n * 1e9,
           steps / fused, differences);
  }
  return 0;
}
