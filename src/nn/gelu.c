/*
 * GELU with GPT-2's tanh approximation:
 *   gelu(x) = x/2 * (1 + tanh(k (x + 0.044715 x^3))),  k = sqrt(2/pi).
 * tanh comes from the vectorising nn_expf, since libm's stays scalar.
 */
#include "musc/nn.h"

#include "nn_internal.h"

#define GELU_K 0.7978845608028654f
#define GELU_A 0.044715f

NN_HOT static void gelu_block(float *out, const float *in, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        float t = nn_tanhf(GELU_K * (x + GELU_A * x * x * x));
        out[i] = 0.5f * x * (1.0f + t);
    }
}

NN_HOT static void gelu_backward_block(float *din, const float *in, const float *dout, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float x = in[i];
        float u = GELU_K * (x + GELU_A * x * x * x);
        float t = nn_tanhf(u);
        float du = GELU_K * (1.0f + 3.0f * GELU_A * x * x);
        float d = 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        din[i] += d * dout[i];
    }
}

#define BLOCK 4096

void musc_nn_gelu_forward(float *out, const float *in, size_t n)
{
    long nb = (long)((n + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if (n > NN_PAR_MIN)
    for (long k = 0; k < nb; k++) {
        size_t lo = (size_t)k * BLOCK, len = n - lo < BLOCK ? n - lo : BLOCK;
        gelu_block(out + lo, in + lo, len);
    }
}

void musc_nn_gelu_backward(float *din, const float *in, const float *dout, size_t n)
{
    long nb = (long)((n + BLOCK - 1) / BLOCK);
#pragma omp parallel for schedule(static) if (n > NN_PAR_MIN)
    for (long k = 0; k < nb; k++) {
        size_t lo = (size_t)k * BLOCK, len = n - lo < BLOCK ? n - lo : BLOCK;
        gelu_backward_block(din + lo, in + lo, dout + lo, len);
    }
}
