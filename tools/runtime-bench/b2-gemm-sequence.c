// B2's matrix products alone, in the order and shapes of micrograd's compiled
// step (784-512-512-10, batch 256), through the same OpenBLAS cblas_sgemm:
// the floor OpenBLAS sets for B2. Forward products with beta 0; the three
// weight gradients as micrograd's sgd+matmul runs them (beta 1, alpha -lr,
// straight into the weight). Prints each product's mean time over 200 steps
// (after 20 warm-up steps) and their total, to compare with B2's step time
// and the per-instruction profile (`micrograd-bench --workload B2 --profile`).
//
//   cc -O2 b2-gemm-sequence.c $(pkg-config --cflags --libs openblas) -o b2-gemms
//   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ./b2-gemms
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *matrix(long rows, long columns) {
  long count = rows * columns;
  float *p = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
  for (long i = 0; i < count; i++) p[i] = (float)(rand() % 100) * 0.001f;
  return p;
}

struct product {
  const char *name;
  int transposeA, transposeB, m, n, k;
  float alpha, beta;
  float **a, **b, **c;
};

int main(void) {
  float *x = matrix(256, 784), *w1 = matrix(512, 784), *w2 = matrix(512, 512), *w3 = matrix(10, 512);
  float *h1 = matrix(256, 512), *h2 = matrix(256, 512), *logits = matrix(256, 10);
  float *g3 = matrix(256, 10), *g2 = matrix(256, 512), *g1 = matrix(256, 512);
  struct product products[] = {
    {"h1 = x W1^T", 0, 1, 256, 512, 784, 1, 0, &x, &w1, &h1},
    {"h2 = h1 W2^T", 0, 1, 256, 512, 512, 1, 0, &h1, &w2, &h2},
    {"logits = h2 W3^T", 0, 1, 256, 10, 512, 1, 0, &h2, &w3, &logits},
    {"g2 = g3 W3", 0, 0, 256, 512, 10, 1, 0, &g3, &w3, &g2},
    {"g1 = g2 W2", 0, 0, 256, 512, 512, 1, 0, &g2, &w2, &g1},
    {"W2 -= lr g2^T h1", 1, 0, 512, 512, 256, -0.01f, 1, &g2, &h1, &w2},
    {"W1 -= lr g1^T x", 1, 0, 512, 784, 256, -0.01f, 1, &g1, &x, &w1},
    {"W3 -= lr g3^T h2", 1, 0, 10, 512, 256, -0.01f, 1, &g3, &h2, &w3},
  };
  enum { count = sizeof products / sizeof products[0], warmup = 20, steps = 200 };
  double seconds[count] = {0};
  for (int step = 0; step < warmup + steps; step++) {
    for (int i = 0; i < count; i++) {
      struct product *p = &products[i];
      double start = now();
      cblas_sgemm(CblasRowMajor, p->transposeA ? CblasTrans : CblasNoTrans, p->transposeB ? CblasTrans : CblasNoTrans,
                  p->m, p->n, p->k, p->alpha, *p->a, p->transposeA ? p->m : p->k, *p->b, p->transposeB ? p->k : p->n,
                  p->beta, *p->c, p->n);
      if (step >= warmup) seconds[i] += now() - start;
    }
  }
  double total = 0;
  for (int i = 0; i < count; i++) {
    printf("%-18s %4d x %4d x %4d  %8.1f us\n", products[i].name, products[i].m, products[i].n, products[i].k,
           seconds[i] / steps * 1e6);
    total += seconds[i];
  }
  printf("total              %8.1f us a step (0.822 GFLOP: %.1f GFLOP/s)\n", total / steps * 1e6,
         0.822 / (total / steps));
  return 0;
}
