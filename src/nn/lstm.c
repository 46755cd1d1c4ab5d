/*
 * LSTM layer with its backward pass (backpropagation through time).
 *
 * The input product for all time steps is one sgemm (x wx^T + b for every
 * row of the batch at once); only the recurrent product h_{t-1} wh^T has to
 * run step by step, as a [B,H] x [H,4H] sgemm whose rows are strided through
 * the [B,T,.] buffers. Backward mirrors it: the recurrent gradient is one
 * sgemm per step, and the weight and input gradients are gathered afterwards
 * in big products over all steps.
 *
 * Gate order i, f, g, o (PyTorch's). The cache keeps the activated gates and
 * the cell states; hidden states are the layer's output. Rows at or past a
 * sequence's length are held at zero (h, c and gates), so a reverse layer
 * starts each sequence from a zero state at its own last note and padding
 * never leaks into real positions, in either direction.
 */
#include "musc/nn.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

static inline float sigm(float x)
{
    return 1.0f / (1.0f + nn_expf(-x));
}

static int padded(const int32_t *lens, int b, int t)
{
    return lens && t >= lens[b];
}

NN_HOT static void cell_forward(float *g, float *c, float *h, const float *cprev, int H)
{
    float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
#pragma omp simd
    for (int k = 0; k < H; k++) {
        float i = sigm(gi[k]), f = sigm(gf[k]), gv = nn_tanhf(gg[k]), o = sigm(go[k]);
        float cv = i * gv + (cprev ? f * cprev[k] : 0.0f);
        gi[k] = i;
        gf[k] = f;
        gg[k] = gv;
        go[k] = o;
        c[k] = cv;
        h[k] = o * nn_tanhf(cv);
    }
}

void musc_nn_lstm_forward(float *h, float *c, float *gates, const float *x, const float *wx,
                          const float *wh, const float *b, const int32_t *lens, int B, int T,
                          int Din, int H, int reverse)
{
    const int G = 4 * H;
    musc_nn_linear_forward(gates, x, wx, b, B * T, Din, G);
    nn_blas_single_thread();
    for (int s = 0; s < T; s++) {
        int t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
        if (s > 0)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, G, H, 1.0f,
                        h + (size_t)tp * H, T * H, wh, H, 1.0f, gates + (size_t)t * G, T * G);
        for (int bi = 0; bi < B; bi++) {
            size_t row = (size_t)bi * T + t;
            if (padded(lens, bi, t)) {
                memset(h + row * H, 0, (size_t)H * sizeof *h);
                memset(c + row * H, 0, (size_t)H * sizeof *c);
                memset(gates + row * G, 0, (size_t)G * sizeof *gates);
                continue;
            }
            const float *cprev = s > 0 ? c + ((size_t)bi * T + tp) * H : NULL;
            cell_forward(gates + row * G, c + row * H, h + row * H, cprev, H);
        }
    }
}

NN_HOT static void cell_backward(float *dg, float *dcn, float *dhn, const float *dh,
                                 const float *g, const float *c, const float *cprev, int H)
{
    const float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
#pragma omp simd
    for (int k = 0; k < H; k++) {
        float dht = dh[k] + dhn[k];
        float tc = nn_tanhf(c[k]);
        float i = gi[k], f = gf[k], gv = gg[k], o = go[k];
        float dct = dcn[k] + dht * o * (1.0f - tc * tc);
        float cp = cprev ? cprev[k] : 0.0f;
        dg[k] = dct * gv * i * (1.0f - i);
        dg[H + k] = dct * cp * f * (1.0f - f);
        dg[2 * H + k] = dct * i * (1.0f - gv * gv);
        dg[3 * H + k] = dht * tc * o * (1.0f - o);
        dcn[k] = dct * f;
    }
}

musc_status musc_nn_lstm_backward(float *dx, float *dwx, float *dwh, float *db, const float *dh,
                                  const float *x, const float *h, const float *c,
                                  const float *gates, const float *wx, const float *wh,
                                  const int32_t *lens, int B, int T, int Din, int H, int reverse)
{
    const int G = 4 * H;
    float *dg = calloc((size_t)B * T * G, sizeof *dg);
    float *dhn = calloc((size_t)B * H, sizeof *dhn), *dcn = calloc((size_t)B * H, sizeof *dcn);
    if (!dg || !dhn || !dcn) {
        free(dg);
        free(dhn);
        free(dcn);
        return musc_error(MUSC_ERR_NOMEM, "lstm: out of memory for %d x %d x %d gradients", B, T,
                          G);
    }
    nn_blas_single_thread();
    for (int s = T - 1; s >= 0; s--) {
        int t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1;
        for (int bi = 0; bi < B; bi++) {
            size_t row = (size_t)bi * T + t;
            if (padded(lens, bi, t)) {
                memset(dcn + (size_t)bi * H, 0, (size_t)H * sizeof *dcn);
                memset(dhn + (size_t)bi * H, 0, (size_t)H * sizeof *dhn);
                continue; /* dg stays zero */
            }
            const float *cprev = s > 0 ? c + ((size_t)bi * T + tp) * H : NULL;
            cell_backward(dg + row * G, dcn + (size_t)bi * H, dhn + (size_t)bi * H,
                          dh + row * H, gates + row * G, c + row * H, cprev, H);
        }
        if (s > 0) /* gradient reaching h_{t-1} through the recurrence */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, G, 1.0f,
                        dg + (size_t)t * G, T * G, wh, H, 0.0f, dhn, H);
    }
    if (dwh && T > 1)
        for (int bi = 0; bi < B; bi++) {
            /* sum over steps s > 0 of dg_t^T h_prev: forward pairs t with
             * t-1, reverse pairs t with t+1, for t over T-1 rows */
            const float *a = dg + (size_t)bi * T * G + (reverse ? 0 : G);
            const float *hp = h + (size_t)bi * T * H + (reverse ? H : 0);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, H, T - 1, 1.0f, a, G, hp, H,
                        1.0f, dwh, H);
        }
    musc_nn_linear_backward(dx, dwx, db, dg, x, wx, B * T, Din, G);
    free(dg);
    free(dhn);
    free(dcn);
    return MUSC_OK;
}

void musc_nn_lstm_step(float *h, float *c, float *gates, const float *x, const float *wx,
                       const float *wh, const float *b, const float *hprev, const float *cprev,
                       int Din, int H)
{
    const int G = 4 * H;
    musc_nn_linear_forward(gates, x, wx, b, 1, Din, G);
    if (hprev) {
        nn_blas_single_thread();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, G, H, 1.0f, hprev, H, wh, H, 1.0f,
                    gates, G);
    }
    cell_forward(gates, c, h, hprev ? cprev : NULL, H);
}
