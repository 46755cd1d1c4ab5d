/*
 * Softmax cross-entropy fused with its backward. Forward keeps only each
 * row's log-sum-exp; backward rebuilds the probabilities from the logits,
 * so no [N,V] probability buffer is needed. Rows with an ignored target
 * (padding) contribute nothing; per-row weights let a model weigh fields or
 * samples.
 */
#include "musc/nn.h"

#include <math.h>

#include "nn_internal.h"

NN_HOT static float row_lse(const float *x, int V)
{
    float m = x[0];
    for (int j = 1; j < V; j++)
        m = x[j] > m ? x[j] : m;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int j = 0; j < V; j++)
        s += nn_expf(x[j] - m);
    return m + logf(s);
}

static int counted(int32_t t, int ignore_index, int V)
{
    return t != ignore_index && t >= 0 && t < V;
}

void musc_nn_xent_forward(double *loss_sum, double *weight_sum, float *losses, float *lse,
                          const float *logits, const int32_t *targets, const float *weights,
                          int ignore_index, int N, int V)
{
    double ls = 0.0, ws = 0.0;
    /* Per-row work in parallel; the sums in row order (deterministic). */
#pragma omp parallel for schedule(static) if ((size_t)N * V > NN_PAR_MIN)
    for (int i = 0; i < N; i++)
        lse[i] = row_lse(logits + (size_t)i * V, V);
    for (int i = 0; i < N; i++) {
        float l = 0.0f;
        if (counted(targets[i], ignore_index, V)) {
            float w = weights ? weights[i] : 1.0f;
            l = lse[i] - logits[(size_t)i * V + targets[i]];
            ls += (double)w * l;
            ws += w;
        }
        if (losses)
            losses[i] = l;
    }
    *loss_sum = ls;
    *weight_sum = ws;
}

NN_HOT static void xent_row_backward(float *d, const float *x, float lse, float g, int V)
{
#pragma omp simd
    for (int j = 0; j < V; j++)
        d[j] += g * nn_expf(x[j] - lse);
}

void musc_nn_xent_backward(float *dlogits, const float *logits, const float *lse,
                           const int32_t *targets, const float *weights, int ignore_index,
                           float scale, int N, int V)
{
#pragma omp parallel for schedule(static) if ((size_t)N * V > NN_PAR_MIN)
    for (int i = 0; i < N; i++) {
        if (!counted(targets[i], ignore_index, V))
            continue;
        float g = scale * (weights ? weights[i] : 1.0f);
        float *d = dlogits + (size_t)i * V;
        xent_row_backward(d, logits + (size_t)i * V, lse[i], g, V);
        d[targets[i]] -= g;
    }
}
