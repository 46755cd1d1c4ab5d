/*
 * Inverted dropout whose mask is a pure function of (seed, element index):
 * backward recomputes it instead of storing a mask, and the result is the
 * same for any thread count.
 */
#include "musc/nn.h"

#include "nn_internal.h"

void musc_nn_dropout_forward(float *out, const float *in, size_t n, float p, uint64_t seed)
{
    if (p <= 0.0f) {
        if (out != in)
            for (size_t i = 0; i < n; i++)
                out[i] = in[i];
        return;
    }
    float scale = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
#pragma omp parallel for schedule(static) if (n > NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        out[i] = musc_nn_hash_uniform(seed, i) >= p ? in[i] * scale : 0.0f;
}

void musc_nn_dropout_backward(float *din, const float *dout, size_t n, float p, uint64_t seed)
{
    float scale = p <= 0.0f ? 1.0f : (p < 1.0f ? 1.0f / (1.0f - p) : 0.0f);
#pragma omp parallel for schedule(static) if (n > NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        if (p <= 0.0f || musc_nn_hash_uniform(seed, i) >= p)
            din[i] += dout[i] * scale;
}
