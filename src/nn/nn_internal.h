/*
 * Private helpers shared by the neural-engine sources: hot-loop function
 * cloning for AVX-512 / FMA (chosen at load time by CPU features, so the
 * library still runs on any x86-64; clones by "arch=" name would test the
 * CPU model and miss AMD's AVX-512 parts), and the OpenBLAS threading
 * policy.
 */
#ifndef MUSC_NN_INTERNAL_H
#define MUSC_NN_INTERNAL_H

#include <stddef.h>

#if defined(__clang__)
/* `omp simd` loops the optimizer leaves scalar in -O0/-O1 sanitizer builds
 * are not an error. */
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(MUSC_NN_NO_CLONES)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MUSC_NN_NO_CLONES_ASAN 1
#endif
#endif
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(MUSC_NN_NO_CLONES) && !defined(MUSC_NN_NO_CLONES_ASAN)
#define NN_CLONES __attribute__((target_clones("avx512f", "fma", "default")))
#else
#define NN_CLONES
#endif
/* gcc will not if-convert the float clamps in nn_expf while float compares
 * may trap, which keeps every loop calling it scalar; results and NaN
 * handling are unchanged without trapping math (musc never unmasks FP
 * exceptions). */
#if defined(__GNUC__) && !defined(__clang__)
#define NN_HOT NN_CLONES __attribute__((optimize("no-trapping-math", "no-math-errno")))
#else
#define NN_HOT NN_CLONES
#endif

/* The engine parallelises with OpenMP itself and calls sgemm on per-thread
 * blocks, so OpenBLAS must not start threads of its own (two thread pools
 * spinning against each other on two cores halves the speed). Called at the
 * top of every op that uses sgemm; cheap after the first call. */
void nn_blas_single_thread(void);

/* Below these sizes an op runs on the calling thread: waking a team costs
 * more than the work (elements touched, or multiply-adds for products). */
#define NN_PAR_MIN 16384
#define NN_PAR_MIN_FLOPS 4194304.0

/* Split [0, n) into `parts` nearly equal chunks; chunk i is [*lo, *hi). */
static inline void nn_chunk(int n, int parts, int i, int *lo, int *hi)
{
    long q = n / parts, r = n % parts;
    *lo = (int)(i * q + (i < r ? i : r));
    *hi = *lo + (int)q + (i < r ? 1 : 0);
}


#include <stdint.h>
#include <string.h>

/* expf that vectorises (a Cephes-style polynomial after range reduction,
 * within 2 ulp over the clamped range [-87, 88]); libm's expf stays scalar
 * without -ffast-math. */
__attribute__((always_inline)) static inline float nn_expf(float x)
{
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    /* floor by truncation of a positive number: y + 128 > 0 on the clamped
     * range, and a float-to-int conversion vectorises everywhere, floorf
     * does not before SSE4.1 */
    float n = (float)((int32_t)(x * 1.44269504088896341f + 128.5f) - 128);
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t e = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

/* tanh through nn_expf; exact limits at +-inf of the clamped range. */
__attribute__((always_inline)) static inline float nn_tanhf(float x)
{
    return 1.0f - 2.0f / (nn_expf(2.0f * x) + 1.0f);
}

/* The counter-based uniform of musc_nn_hash_uniform, inlined so that
 * dropout loops vectorise: splitmix64's finaliser over seed ^ index * odd. */
__attribute__((always_inline)) static inline float nn_hash_uniform(uint64_t seed, uint64_t index)
{
    uint64_t z = (seed ^ (index * 0xd1b54a32d192ed03ull)) + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (float)(uint32_t)(z >> 40) * (1.0f / 16777216.0f);
}

#endif
