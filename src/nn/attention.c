/*
 * Causal multi-head self-attention without a T x T matrix.
 *
 * For each (batch, head), query rows are taken in tiles of TILE rows. A
 * tile's scores against all keys it may see (keys 0..end of tile) form a
 * TILE x T strip, computed by one sgemm; each row gets an exact softmax
 * (max, exp, sum) with the causal part beyond the diagonal zeroed, and its
 * log-sum-exp is kept; a second sgemm multiplies the strip by V. So memory
 * per thread is O(TILE x T) instead of O(T^2) per head, and the big
 * products all run in sgemm.
 *
 * Backward recomputes each strip's probabilities from the saved log-sum-exp
 * (P = exp(S - lse)), then with D_i = dO_i . O_i:
 *   dP = dO V^T,  dS = P * (dP - D),  dQ += s dS K,  dK += s dS^T Q,
 *   dV += P^T dO      (s = 1/sqrt(head size)).
 * Dropout on the probabilities (as MMT's x-transformers applies) multiplies
 * P by a regenerated mask / (1 - p) before V, and dP by the same mask.
 * Each (batch, head) pair belongs to one thread, and its gradient columns
 * to nobody else, so there are no races and no atomics.
 */
#include "musc/nn.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

#define TILE 64

/* Softmax of row[0..n) in place, zeros in row[n..len); returns the
 * log-sum-exp. */
NN_HOT static float softmax_row(float *row, int n, int len)
{
    float m = row[0];
    for (int j = 1; j < n; j++)
        m = row[j] > m ? row[j] : m;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < n; j++) {
        float e = nn_expf(row[j] - m);
        row[j] = e;
        s += e;
    }
    float inv = 1.0f / s;
#pragma omp simd
    for (int j = 0; j < n; j++)
        row[j] *= inv;
    for (int j = n; j < len; j++)
        row[j] = 0.0f;
    return m + logf(s);
}

/* P = exp(S - lse) on row[0..n), zeros after; returns nothing. */
NN_HOT static void probs_row(float *row, int n, int len, float lse)
{
#pragma omp simd
    for (int j = 0; j < n; j++)
        row[j] = nn_expf(row[j] - lse);
    for (int j = n; j < len; j++)
        row[j] = 0.0f;
}

/* dS = P * (dP - D), in place in dp. */
NN_HOT static void dscores_row(float *dp, const float *p, int n, float D)
{
#pragma omp simd
    for (int j = 0; j < n; j++)
        dp[j] = p[j] * (dp[j] - D);
}

NN_HOT static float dot(const float *a, const float *b, int n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* Attention-probability dropout: the keep decision for (pair bh, row i,
 * key j) is a hash of its flat index, so backward regenerates it. */
NN_HOT static void dropout_row(float *p, int n, float drop, float scale, uint64_t seed,
                               uint64_t base)
{
#pragma omp simd
    for (int j = 0; j < n; j++)
        p[j] = nn_hash_uniform(seed, base + (uint64_t)j) >= drop ? p[j] * scale : 0.0f;
}

/* With dropout: dS = P * (mask * dP / (1 - drop) - D) into dp, and P
 * becomes the dropped-out probabilities (for dV). */
NN_HOT static void dscores_dropout_row(float *dp, float *p, int n, float D, float drop,
                                       float scale, uint64_t seed, uint64_t base)
{
#pragma omp simd
    for (int j = 0; j < n; j++) {
        int keep = nn_hash_uniform(seed, base + (uint64_t)j) >= drop;
        float dpm = keep ? dp[j] * scale : 0.0f;
        dp[j] = p[j] * (dpm - D);
        p[j] = keep ? p[j] * scale : 0.0f;
    }
}

static uint64_t row_base(int bh, int T, int i)
{
    return ((uint64_t)bh * (uint64_t)T + (uint64_t)i) * (uint64_t)T;
}

/* The causal ops are the masked ones with every row valid (defined below). */
musc_status musc_nn_attention_forward(float *out, float *lse, const float *qkv, int B, int T,
                                      int C, int NH, float dropout, uint64_t seed)
{
    return musc_nn_attention_masked_forward(out, lse, qkv, NULL, B, T, C, NH, 1, dropout, seed);
}

musc_status musc_nn_attention_backward(float *dqkv, const float *dout, const float *qkv,
                                       const float *out, const float *lse, int B, int T, int C,
                                       int NH, float dropout, uint64_t seed)
{
    return musc_nn_attention_masked_backward(dqkv, dout, qkv, out, lse, NULL, B, T, C, NH, 1,
                                             dropout, seed);
}

void musc_nn_attention_step(float *out, const float *qkv, float *kcache, float *vcache, int pos,
                            int C, int NH, float *scratch)
{
    const int hs = C / NH, n = pos + 1;
    const float scale = 1.0f / sqrtf((float)hs);
    memcpy(kcache + (size_t)pos * C, qkv + C, (size_t)C * sizeof *kcache);
    memcpy(vcache + (size_t)pos * C, qkv + 2 * C, (size_t)C * sizeof *vcache);
#pragma omp parallel for schedule(static) if ((size_t)n * C > 4 * 65536)
    for (int h = 0; h < NH; h++) {
        const float *q = qkv + (size_t)h * hs;
        float *s = scratch + (size_t)h * n, *o = out + (size_t)h * hs;
        for (int j = 0; j < n; j++)
            s[j] = scale * dot(q, kcache + (size_t)j * C + (size_t)h * hs, hs);
        softmax_row(s, n, n);
        for (int d = 0; d < hs; d++)
            o[d] = 0.0f;
        for (int j = 0; j < n; j++) {
            const float *v = vcache + (size_t)j * C + (size_t)h * hs;
            float p = s[j];
#pragma omp simd
            for (int d = 0; d < hs; d++)
                o[d] += p * v[d];
        }
    }
}

/* ------------------------------------------------------------------------
 * Masked variant: the same tiled strips, but which keys a query row sees is
 * set per sequence: keys 0 .. len-1 (a key padding mask, len = lens[b] or
 * T), and only keys up to the row itself when `causal`. Rows at or past len
 * are padding: their output and log-sum-exp are zero and they pass no
 * gradient. With causal != 0 and lens == NULL this is
 * musc_nn_attention_forward / _backward.
 */

static int keys_seen(int causal, int i, int len)
{
    return causal && i + 1 < len ? i + 1 : len;
}

musc_status musc_nn_attention_masked_forward(float *out, float *lse, const float *qkv,
                                             const int32_t *lens, int B, int T, int C, int NH,
                                             int causal, float dropout, uint64_t seed)
{
    nn_blas_single_thread();
    const int hs = C / NH, ld = 3 * C;
    const float scale = 1.0f / sqrtf((float)hs);
    const int tile = T < TILE ? T : TILE;
    int failed = 0;
#pragma omp parallel if ((double)B * NH * T * T * hs > NN_PAR_MIN_FLOPS)
    {
        float *S = malloc((size_t)tile * T * sizeof *S);
        if (!S) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int bh = 0; bh < B * NH; bh++) {
            if (!S)
                continue;
            int b = bh / NH, h = bh % NH;
            int len = lens ? lens[b] : T;
            len = len < 0 ? 0 : len > T ? T : len;
            const float *Q = qkv + (size_t)b * T * ld + (size_t)h * hs;
            const float *K = Q + C, *V = Q + 2 * C;
            float *O = out + (size_t)b * T * C + (size_t)h * hs;
            float *L = lse + (size_t)bh * T;
            for (int i = len; i < T; i++) {
                memset(O + (size_t)i * C, 0, (size_t)hs * sizeof *O);
                L[i] = 0.0f;
            }
            for (int i0 = 0; i0 < len; i0 += tile) {
                int bq = len - i0 < tile ? len - i0 : tile;
                int keys = causal ? i0 + bq : len;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bq, keys, hs, scale,
                            Q + (size_t)i0 * ld, ld, K, ld, 0.0f, S, T);
                for (int r = 0; r < bq; r++) {
                    int n = keys_seen(causal, i0 + r, len);
                    L[i0 + r] = softmax_row(S + (size_t)r * T, n, keys);
                    if (dropout > 0.0f)
                        dropout_row(S + (size_t)r * T, n, dropout, 1.0f / (1.0f - dropout), seed,
                                    row_base(bh, T, i0 + r));
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bq, hs, keys, 1.0f, S, T,
                            V, ld, 0.0f, O + (size_t)i0 * C, C);
            }
        }
        free(S);
    }
    if (failed)
        return musc_error(MUSC_ERR_NOMEM, "attention: cannot allocate scratch for T=%d", T);
    return MUSC_OK;
}

musc_status musc_nn_attention_masked_backward(float *dqkv, const float *dout, const float *qkv,
                                              const float *out, const float *lse,
                                              const int32_t *lens, int B, int T, int C, int NH,
                                              int causal, float dropout, uint64_t seed)
{
    nn_blas_single_thread();
    const int hs = C / NH, ld = 3 * C;
    const float scale = 1.0f / sqrtf((float)hs);
    const int tile = T < TILE ? T : TILE;
    int failed = 0;
#pragma omp parallel if ((double)B * NH * T * T * hs > NN_PAR_MIN_FLOPS)
    {
        float *P = malloc((size_t)tile * T * sizeof *P);
        float *dP = malloc((size_t)tile * T * sizeof *dP);
        if (!P || !dP) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int bh = 0; bh < B * NH; bh++) {
            if (!P || !dP)
                continue;
            int b = bh / NH, h = bh % NH;
            int len = lens ? lens[b] : T;
            len = len < 0 ? 0 : len > T ? T : len;
            size_t qoff = (size_t)b * T * ld + (size_t)h * hs;
            size_t ooff = (size_t)b * T * C + (size_t)h * hs;
            const float *Q = qkv + qoff, *K = Q + C, *V = Q + 2 * C;
            float *dQ = dqkv + qoff, *dK = dQ + C, *dV = dQ + 2 * C;
            const float *O = out + ooff, *dO = dout + ooff;
            const float *L = lse + (size_t)bh * T;
            for (int i0 = 0; i0 < len; i0 += tile) {
                int bq = len - i0 < tile ? len - i0 : tile;
                int keys = causal ? i0 + bq : len;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bq, keys, hs, scale,
                            Q + (size_t)i0 * ld, ld, K, ld, 0.0f, P, T);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, bq, keys, hs, 1.0f,
                            dO + (size_t)i0 * C, C, V, ld, 0.0f, dP, T);
                for (int r = 0; r < bq; r++) {
                    int i = i0 + r, n = keys_seen(causal, i, len);
                    float *p = P + (size_t)r * T, *dp = dP + (size_t)r * T;
                    probs_row(p, n, keys, L[i]);
                    float D = dot(dO + (size_t)i * C, O + (size_t)i * C, hs);
                    if (dropout > 0.0f)
                        dscores_dropout_row(dp, p, n, D, dropout, 1.0f / (1.0f - dropout), seed,
                                            row_base(bh, T, i));
                    else
                        dscores_row(dp, p, n, D);
                    for (int j = n; j < keys; j++)
                        dp[j] = 0.0f;
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, bq, hs, keys, scale, dP, T,
                            K, ld, 1.0f, dQ + (size_t)i0 * ld, ld);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, keys, hs, bq, scale, dP, T,
                            Q + (size_t)i0 * ld, ld, 1.0f, dK, ld);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, keys, hs, bq, 1.0f, P, T,
                            dO + (size_t)i0 * C, C, 1.0f, dV, ld);
            }
        }
        free(P);
        free(dP);
    }
    if (failed)
        return musc_error(MUSC_ERR_NOMEM, "attention: cannot allocate scratch for T=%d", T);
    return MUSC_OK;
}
