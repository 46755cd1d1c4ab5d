/*
 * Inverted dropout whose mask is a pure function of (seed, element index):
 * backward recomputes it instead of storing a mask, and the result is the
 * same for any thread count.
 */
#include "musc/nn.h"

#include "nn_internal.h"

#define BLOCK 4096

NN_HOT static void dropout_block(float *out, const float *in, size_t lo, size_t n, float p,
                                 float scale, uint64_t seed, int accumulate)
{
    if (accumulate) {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            out[i] += nn_hash_uniform(seed, lo + i) >= p ? in[i] * scale : 0.0f;
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            out[i] = nn_hash_uniform(seed, lo + i) >= p ? in[i] * scale : 0.0f;
    }
}

static void dropout(float *out, const float *in, size_t n, float p, uint64_t seed, int acc)
{
    float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
    long nb = (long)((n + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if (n > NN_PAR_MIN)
    for (long k = 0; k < nb; k++) {
        size_t lo = (size_t)k * BLOCK, len = n - lo < BLOCK ? n - lo : BLOCK;
        dropout_block(out + lo, in + lo, lo, len, p, scale, seed, acc);
    }
}

void musc_nn_dropout_forward(float *out, const float *in, size_t n, float p, uint64_t seed)
{
    if (p <= 0.0f) {
        if (out != in)
            for (size_t i = 0; i < n; i++)
                out[i] = in[i];
        return;
    }
    dropout(out, in, n, p, seed, 0);
}

void musc_nn_dropout_backward(float *din, const float *dout, size_t n, float p, uint64_t seed)
{
    if (p <= 0.0f) {
        for (size_t i = 0; i < n; i++)
            din[i] += dout[i];
        return;
    }
    dropout(din, dout, n, p, seed, 1);
}
