/*
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction, and
 * weight decay applied to the weights directly rather than through the
 * gradient; a per-tensor flag exempts biases, norms and the like. Also the
 * global-norm gradient clip and the warm-up + decay learning-rate schedule.
 */
#include "musc/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

musc_nn_adamw_config musc_nn_adamw_default(void)
{
    musc_nn_adamw_config c = {0.9f, 0.999f, 1e-8f, 0.01f};
    return c;
}

musc_status musc_nn_adamw_init(musc_nn_adamw *opt, const musc_nn_params *params,
                               const musc_nn_adamw_config *cfg)
{
    memset(opt, 0, sizeof *opt);
    opt->cfg = cfg ? *cfg : musc_nn_adamw_default();
    opt->size = params->size;
    opt->m = calloc(opt->size ? opt->size : 1, sizeof(float));
    opt->v = calloc(opt->size ? opt->size : 1, sizeof(float));
    if (!opt->m || !opt->v) {
        musc_nn_adamw_free(opt);
        return musc_error(MUSC_ERR_NOMEM, "adamw: cannot allocate moments for %zu floats",
                          params->size);
    }
    return MUSC_OK;
}

void musc_nn_adamw_free(musc_nn_adamw *opt)
{
    free(opt->m);
    free(opt->v);
    memset(opt, 0, sizeof *opt);
}

NN_HOT static void adamw_block(float *p, const float *g, float *m, float *v, size_t n, float lr,
                               float b1, float b2, float eps, float decay, float c1, float c2)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float mi = b1 * m[i] + (1.0f - b1) * g[i];
        float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        float mhat = mi / c1, vhat = vi / c2;
        p[i] -= lr * (mhat / (sqrtf(vhat) + eps) + decay * p[i]);
    }
}

void musc_nn_adamw_step(musc_nn_adamw *opt, musc_nn_params *params, float lr)
{
    opt->step++;
    const musc_nn_adamw_config *c = &opt->cfg;
    float c1 = 1.0f - powf(c->beta1, (float)opt->step);
    float c2 = 1.0f - powf(c->beta2, (float)opt->step);
#pragma omp parallel for schedule(dynamic, 1) if (params->size > 4 * NN_PAR_MIN)
    for (int t = 0; t < params->count; t++) {
        musc_nn_tensor *x = &params->tensors[t];
        size_t off = (size_t)(x->data - params->data);
        float decay = (x->flags & MUSC_NN_NO_DECAY) ? 0.0f : c->weight_decay;
        adamw_block(x->data, x->grad, opt->m + off, opt->v + off, x->size, lr, c->beta1,
                    c->beta2, c->eps, decay, c1, c2);
    }
}

float musc_nn_clip_grad_norm(musc_nn_params *params, float max_norm)
{
    double ss = 0.0;
    /* Per-tensor sums in double, added in tensor order: deterministic. */
    for (int t = 0; t < params->count; t++) {
        const float *g = params->tensors[t].grad;
        double s = 0.0;
        for (size_t i = 0; i < params->tensors[t].size; i++)
            s += (double)g[i] * g[i];
        ss += s;
    }
    float norm = (float)sqrt(ss);
    if (max_norm > 0.0f && norm > max_norm) {
        float k = max_norm / (norm + 1e-6f);
        for (size_t i = 0; i < params->size; i++)
            params->grad[i] *= k;
    }
    return norm;
}

float musc_nn_schedule_lr(const musc_nn_schedule *s, long step)
{
    if (step < 0)
        step = 0;
    if (s->warmup_steps > 0 && step < s->warmup_steps)
        return s->lr * (float)(step + 1) / (float)s->warmup_steps;
    if (s->decay == MUSC_NN_DECAY_CONSTANT || s->decay_steps <= s->warmup_steps)
        return s->lr;
    if (step >= s->decay_steps)
        return s->lr * s->min_ratio;
    double frac = (double)(step - s->warmup_steps) / (double)(s->decay_steps - s->warmup_steps);
    double k = s->decay == MUSC_NN_DECAY_COSINE ? 0.5 * (1.0 + cos(3.141592653589793 * frac))
                                                : 1.0 - frac;
    return (float)(s->lr * (s->min_ratio + (1.0 - s->min_ratio) * k));
}
