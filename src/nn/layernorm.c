/*
 * Layer norm over channels (eps 1e-5, biased variance as PyTorch). Mean and
 * variance take two passes for accuracy; the weight and bias gradients are
 * reduced per column block so no two threads write the same sum.
 */
#include "musc/nn.h"

#include <math.h>
#include <omp.h>

#include "nn_internal.h"

NN_HOT static void layernorm_row(float *o, float *mean_out, float *rstd_out, const float *x,
                                 const float *w, const float *b, int C)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int c = 0; c < C; c++)
        s += x[c];
    float m = s / (float)C, v = 0.0f;
#pragma omp simd reduction(+ : v)
    for (int c = 0; c < C; c++)
        v += (x[c] - m) * (x[c] - m);
    float r = 1.0f / sqrtf(v / (float)C + 1e-5f);
#pragma omp simd
    for (int c = 0; c < C; c++)
        o[c] = (x[c] - m) * r * w[c] + b[c];
    *mean_out = m;
    *rstd_out = r;
}

void musc_nn_layernorm_forward(float *out, float *mean, float *rstd, const float *in,
                               const float *w, const float *b, int N, int C)
{
#pragma omp parallel for schedule(static) if ((size_t)N * C > NN_PAR_MIN)
    for (int n = 0; n < N; n++)
        layernorm_row(out + (size_t)n * C, mean + n, rstd + n, in + (size_t)n * C, w, b, C);
}

NN_HOT static void layernorm_row_backward(float *dx, const float *g, const float *x,
                                          const float *w, float m, float r, int C)
{
    float a = 0.0f, bsum = 0.0f; /* mean of dnorm, mean of dnorm * norm */
#pragma omp simd reduction(+ : a, bsum)
    for (int c = 0; c < C; c++) {
        float dn = g[c] * w[c];
        a += dn;
        bsum += dn * (x[c] - m) * r;
    }
    a /= (float)C;
    bsum /= (float)C;
#pragma omp simd
    for (int c = 0; c < C; c++) {
        float norm = (x[c] - m) * r;
        dx[c] += (g[c] * w[c] - a - norm * bsum) * r;
    }
}

NN_HOT static void layernorm_param_grad(float *dw, float *db, const float *g, const float *x,
                                        float m, float r, int lo, int hi)
{
#pragma omp simd
    for (int c = lo; c < hi; c++) {
        dw[c] += g[c] * (x[c] - m) * r;
        db[c] += g[c];
    }
}

void musc_nn_layernorm_backward(float *din, float *dw, float *db, const float *dout,
                                const float *in, const float *w, const float *mean,
                                const float *rstd, int N, int C)
{
#pragma omp parallel if ((size_t)N * C > NN_PAR_MIN)
    {
#pragma omp for schedule(static)
        for (int n = 0; n < N; n++)
            layernorm_row_backward(din + (size_t)n * C, dout + (size_t)n * C,
                                   in + (size_t)n * C, w, mean[n], rstd[n], C);
        int lo, hi;
        nn_chunk(C, omp_get_num_threads(), omp_get_thread_num(), &lo, &hi);
        for (int n = 0; n < N; n++)
            layernorm_param_grad(dw, db, dout + (size_t)n * C, in + (size_t)n * C, mean[n],
                                 rstd[n], lo, hi);
    }
}
