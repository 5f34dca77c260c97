// Vectorised float32 kernels in C for Micrograd: exp, log, tanh and sigmoid
// with fused multiply-adds (AVX2+FMA or AVX-512, chosen at run time), and a
// copy with non-temporal stores.
#ifndef MICROGRAD_CKERNELS_H
#define MICROGRAD_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// The functions of `mg_unary_f32`.
enum {
  MG_UNARY_EXP = 0,
  MG_UNARY_LOG = 1,
  MG_UNARY_TANH = 2,
  MG_UNARY_SIGMOID = 3,
};

/// The instruction sets of the math kernels.
enum {
  /// No FMA: the kernels still run (fmaf from libm, same results, slowly);
  /// Micrograd uses its portable Swift loops instead.
  MG_LEVEL_NONE = 0,
  /// AVX2 and FMA, 256-bit vectors.
  MG_LEVEL_AVX2_FMA = 1,
  /// AVX-512 (F, DQ, VL) with FMA, 512-bit vectors.
  MG_LEVEL_AVX512 = 2,
};

/// The level the kernels run at on this CPU, chosen once when the library loads.
int mg_vector_math_level(void);

/// `y[i] = f(x[i])` for `n` elements, `f` one of `MG_UNARY_*`, at the active
/// level; `y` may equal `x` (otherwise the two must not overlap). Every level
/// gives the same bits.
void mg_unary_f32(int function, const float *x, float *y, long n);

/// `mg_unary_f32` at a given level (for tests comparing levels): returns 0
/// and does nothing if this CPU lacks it, else 1.
int mg_unary_f32_at_level(int function, int level, const float *x, float *y, long n);

/// `y[i] = e^x[i]` (see `mg_unary_f32`).
void mg_exp_f32(const float *x, float *y, long n);
/// `y[i] = log(x[i])` (see `mg_unary_f32`).
void mg_log_f32(const float *x, float *y, long n);
/// `y[i] = tanh(x[i])` (see `mg_unary_f32`).
void mg_tanh_f32(const float *x, float *y, long n);
/// `y[i] = 1 / (1 + e^-x[i])` (see `mg_unary_f32`).
void mg_sigmoid_f32(const float *x, float *y, long n);

/// Copies `n` floats from `src` to `dst` (not overlapping) with non-temporal
/// stores, which bypass the caches: for outputs far larger than the last-level
/// cache that are not read again soon. The stores are weakly ordered: call
/// `mg_store_fence` before anything that tells another thread they are done.
void mg_stream_copy_f32(float *dst, const float *src, long n);

/// Orders every earlier store, non-temporal ones included, before any later
/// one (`sfence` on x86).
void mg_store_fence(void);

#ifdef __cplusplus
}
#endif

#endif
