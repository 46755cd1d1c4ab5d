/*
 * Embeddings: table lookups, and MMT's sum of one table per token field.
 * Backward scatters rows into the table gradient in row order, so repeated
 * tokens accumulate deterministically (no atomics); it is a small share of
 * a step.
 */
#include "musc/nn.h"

#include <string.h>

#include "nn_internal.h"

musc_status musc_nn_embedding_forward(float *out, const int32_t *idx, const float *table,
                                      int N, int vocab, int C, int accumulate)
{
    for (int i = 0; i < N; i++)
        if (idx[i] < 0 || idx[i] >= vocab)
            return musc_error(MUSC_ERR_RANGE, "embedding: row %d has index %d outside [0, %d)",
                              i, (int)idx[i], vocab);
#pragma omp parallel for schedule(static) if ((size_t)N * C > NN_PAR_MIN)
    for (int i = 0; i < N; i++) {
        float *o = out + (size_t)i * C;
        const float *e = table + (size_t)idx[i] * C;
        if (accumulate) {
#pragma omp simd
            for (int c = 0; c < C; c++)
                o[c] += e[c];
        } else {
            memcpy(o, e, (size_t)C * sizeof *o);
        }
    }
    return MUSC_OK;
}

void musc_nn_embedding_backward(float *dtable, const int32_t *idx, const float *dout, int N,
                                int C)
{
    for (int i = 0; i < N; i++) {
        float *d = dtable + (size_t)idx[i] * C;
        const float *g = dout + (size_t)i * C;
#pragma omp simd
        for (int c = 0; c < C; c++)
            d[c] += g[c];
    }
}

musc_status musc_nn_embedding_sum_forward(float *out, const int32_t *idx, int stride,
                                          const float *const *tables, const int *vocabs,
                                          int nfields, int N, int C)
{
    for (int i = 0; i < N; i++)
        for (int f = 0; f < nfields; f++) {
            int32_t k = idx[(size_t)i * stride + f];
            if (k < 0 || k >= vocabs[f])
                return musc_error(MUSC_ERR_RANGE,
                                  "embedding: row %d field %d has code %d outside [0, %d)", i, f,
                                  (int)k, vocabs[f]);
        }
#pragma omp parallel for schedule(static) if ((size_t)N * C > NN_PAR_MIN)
    for (int i = 0; i < N; i++) {
        float *o = out + (size_t)i * C;
        memset(o, 0, (size_t)C * sizeof *o);
        for (int f = 0; f < nfields; f++) {
            const float *e = tables[f] + (size_t)idx[(size_t)i * stride + f] * C;
#pragma omp simd
            for (int c = 0; c < C; c++)
                o[c] += e[c];
        }
    }
    return MUSC_OK;
}

void musc_nn_embedding_sum_backward(float *const *dtables, const int32_t *idx, int stride,
                                    int nfields, const float *dout, int N, int C)
{
    /* One field per thread: each table is touched by one thread only. */
#pragma omp parallel for schedule(static) if ((size_t)N * C > NN_PAR_MIN)
    for (int f = 0; f < nfields; f++)
        for (int i = 0; i < N; i++) {
            float *d = dtables[f] + (size_t)idx[(size_t)i * stride + f] * C;
            const float *g = dout + (size_t)i * C;
#pragma omp simd
            for (int c = 0; c < C; c++)
                d[c] += g[c];
        }
}
