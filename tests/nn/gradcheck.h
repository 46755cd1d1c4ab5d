/*
 * Finite-difference gradient checking for the nn tests. A case supplies a
 * loss (forward, returning sum(out * r) in double for a fixed random r) and
 * the analytic gradients; each input element is nudged by +-eps and the
 * central difference compared with the analytic value.
 *
 * Error measure: |analytic - numeric| / max(|analytic| + |numeric|, floor).
 * The floor (1e-2 by default) keeps near-zero gradients, where float32
 * rounding in the forward dominates, from reporting huge relative errors;
 * those are then effectively judged on absolute error (< tol * floor).
 */
#ifndef MUSC_TEST_GRADCHECK_H
#define MUSC_TEST_GRADCHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "musc/nn.h"

typedef double (*gc_loss_fn)(void *ctx);

/* Largest error over x[0..n) (every element, or `max_checks` spread ones). */
static inline double gc_check(gc_loss_fn loss, void *ctx, float *x, const float *grad, size_t n,
                              float eps, double floor_, size_t max_checks)
{
    double worst = 0.0;
    size_t step = (max_checks && n > max_checks) ? n / max_checks : 1;
    for (size_t i = 0; i < n; i += step) {
        float saved = x[i];
        x[i] = saved + eps;
        double lp = loss(ctx);
        x[i] = saved - eps;
        double lm = loss(ctx);
        x[i] = saved;
        double num = (lp - lm) / (2.0 * (double)eps);
        double a = grad[i];
        double den = fabs(a) + fabs(num);
        if (den < floor_)
            den = floor_;
        double err = fabs(a - num) / den;
        if (err > worst)
            worst = err;
    }
    return worst;
}

static inline void gc_fill(float *x, size_t n, float scale, musc_nn_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        x[i] = scale * (2.0f * musc_nn_rng_uniform(rng) - 1.0f);
}

static inline double gc_dot(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

#endif
