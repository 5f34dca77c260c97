// A copy with non-temporal (streaming) stores: the destination's lines go to
// memory without being read into the caches first, which saves the read and
// leaves the caches to data used again. SSE's 16-byte streaming store is
// baseline x86-64; CPUs with AVX-512 use 64-byte ones (a whole cache line).
// The copy does not fence: a fence after every block of a fused kernel stalls
// the core until its streamed lines are written (5-10 % of B3's forward pass);
// the evaluator fences once per chunk of blocks instead.
#include "CKernels.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/// Ordinary stores until `dst` is aligned to `alignment` bytes; returns how many floats that took.
static long aligning_head(float *dst, const float *src, long n, uintptr_t alignment) {
  long head = 0;
  while (head < n && ((uintptr_t)(dst + head) & (alignment - 1)) != 0) {
    dst[head] = src[head];
    head++;
  }
  return head;
}

static void stream_copy_sse(float *dst, const float *src, long n) {
  long i = aligning_head(dst, src, n, 16);
  for (; i + 16 <= n; i += 16) {
    _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
    _mm_stream_ps(dst + i + 4, _mm_loadu_ps(src + i + 4));
    _mm_stream_ps(dst + i + 8, _mm_loadu_ps(src + i + 8));
    _mm_stream_ps(dst + i + 12, _mm_loadu_ps(src + i + 12));
  }
  for (; i + 4 <= n; i += 4) _mm_stream_ps(dst + i, _mm_loadu_ps(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

__attribute__((target("avx512f"), min_vector_width(512))) static void stream_copy_avx512(
  float *dst, const float *src, long n) {
  long i = aligning_head(dst, src, n, 64);
  for (; i + 32 <= n; i += 32) {
    _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    _mm512_stream_ps(dst + i + 16, _mm512_loadu_ps(src + i + 16));
  }
  for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

void mg_stream_copy_f32(float *dst, const float *src, long n) {
  if (n <= 0) return;
  // A float pointer that is not 4-byte aligned never reaches a 16-byte boundary.
  if (((uintptr_t)dst & 3) != 0) {
    memmove(dst, src, (size_t)n * sizeof(float));
    return;
  }
  if (mg_vector_math_level() >= MG_LEVEL_AVX512) {
    stream_copy_avx512(dst, src, n);
  } else {
    stream_copy_sse(dst, src, n);
  }
}

void mg_store_fence(void) { _mm_sfence(); }

#else

void mg_stream_copy_f32(float *dst, const float *src, long n) {
  if (n > 0) memcpy(dst, src, (size_t)n * sizeof(float));
}

void mg_store_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#endif
