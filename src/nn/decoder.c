/*
 * The pre-LayerNorm GPT decoder stack used by every musc sequence model.
 * Forward keeps what backward needs per layer (the residual stream, the
 * normed inputs, qkv, attention output and log-sum-exp, the FFN hidden
 * before and after GELU); the pre-dropout branch outputs are not kept since
 * dropout masks are regenerated from the seed. Backward walks the layers in
 * reverse with the ops' backward functions, written in the same order as
 * forward so the two read side by side.
 */
#include "musc/nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

enum { LN1W, LN1B, QKVW, QKVB, PROJW, PROJB, LN2W, LN2B, FCW, FCB, FC2W, FC2B, NPARAM };

typedef struct layer_acts {
    float *resid;              /* [N,C] input of the layer */
    float *ln1, *ln1_mean, *ln1_rstd;
    float *qkv;                /* [N,3C] */
    float *att, *lse;          /* [N,C], [B,NH,T] */
    float *mid;                /* [N,C] resid + attention branch */
    float *ln2, *ln2_mean, *ln2_rstd;
    float *fc, *gelu;          /* [N,F] */
} layer_acts;

struct musc_nn_decoder {
    musc_nn_decoder_config cfg;
    int (*idx)[NPARAM];        /* parameter indices per layer */
    int lnf_w, lnf_b;
    /* training activations for B x T */
    int B, T, train;
    uint64_t seed;
    musc_nn_arena arena;
    layer_acts *acts;
    float *final_resid, *out, *lnf_mean, *lnf_rstd, *branch;
    float *dresid, *dC, *dbranch, *dF1, *dF2, *d3C;
    /* sampling */
    int max_T, pos;
    /* attention mask (musc_nn_decoder_set_mask): masked is 0 for the
     * original causal op */
    int masked, causal;
    const int32_t *lens;
    float *kcache, *vcache;    /* [n_layer, max_T, C] each */
    float *s_r, *s_ln, *s_qkv, *s_att, *s_tmp, *s_fc, *s_gelu, *s_scores, s_mean, s_rstd;
};

static const char *const pnames[NPARAM] = {"ln1.w",  "ln1.b",  "attn.qkv.w", "attn.qkv.b",
                                           "attn.proj.w", "attn.proj.b", "ln2.w", "ln2.b",
                                           "mlp.fc.w", "mlp.fc.b", "mlp.proj.w", "mlp.proj.b"};

static float *P(const musc_nn_params *p, int i) { return p->tensors[i].data; }
static float *G(const musc_nn_params *p, int i) { return p->tensors[i].grad; }

/* Each layer's dropout sites (0 attention branch, 1 FFN branch, 2 attention
 * probabilities) get their own stream. */
static uint64_t branch_seed(uint64_t seed, int layer, int site)
{
    return seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(3 * layer + site + 1));
}

musc_status musc_nn_decoder_new(const musc_nn_decoder_config *cfg, musc_nn_params *params,
                                const char *prefix, musc_nn_decoder **out)
{
    *out = NULL;
    if (cfg->n_layer < 1 || cfg->d_model < 1 || cfg->n_head < 1 || cfg->d_ff < 1 ||
        cfg->d_model % cfg->n_head || !(cfg->dropout >= 0.0f && cfg->dropout < 1.0f) ||
        !(cfg->attn_dropout >= 0.0f && cfg->attn_dropout < 1.0f))
        return musc_error(MUSC_ERR_ARG,
                          "decoder: bad config (layers %d, width %d, heads %d, ffn %d, "
                          "dropout %g; width must be a multiple of heads)",
                          cfg->n_layer, cfg->d_model, cfg->n_head, cfg->d_ff,
                          (double)cfg->dropout);
    musc_nn_decoder *d = calloc(1, sizeof *d);
    if (!d || !(d->idx = calloc((size_t)cfg->n_layer, sizeof *d->idx))) {
        free(d);
        return musc_error(MUSC_ERR_NOMEM, "decoder: out of memory");
    }
    d->cfg = *cfg;
    const int C = cfg->d_model, F = cfg->d_ff;
    char name[MUSC_NN_NAME_MAX];
    if (!prefix)
        prefix = "";
    for (int l = 0; l < cfg->n_layer; l++)
        for (int k = 0; k < NPARAM; k++) {
            int shape[2] = {0, 0}, nd = 1;
            switch (k) {
            case QKVW: shape[0] = 3 * C; shape[1] = C; nd = 2; break;
            case QKVB: shape[0] = 3 * C; break;
            case PROJW: shape[0] = C; shape[1] = C; nd = 2; break;
            case FCW: shape[0] = F; shape[1] = C; nd = 2; break;
            case FCB: shape[0] = F; break;
            case FC2W: shape[0] = C; shape[1] = F; nd = 2; break;
            default: shape[0] = C; break;
            }
            if (snprintf(name, sizeof name, "%sh%d.%s", prefix, l, pnames[k]) >= (int)sizeof name) {
                musc_nn_decoder_free(d);
                return musc_error(MUSC_ERR_ARG, "decoder: prefix '%s' too long", prefix);
            }
            int r = musc_nn_params_add(params, name, nd, shape, nd == 1 ? MUSC_NN_NO_DECAY : 0);
            if (r < 0) {
                musc_nn_decoder_free(d);
                return r;
            }
            d->idx[l][k] = r;
        }
    int shape[1] = {C};
    snprintf(name, sizeof name, "%sln_f.w", prefix);
    d->lnf_w = musc_nn_params_add(params, name, 1, shape, MUSC_NN_NO_DECAY);
    snprintf(name, sizeof name, "%sln_f.b", prefix);
    d->lnf_b = d->lnf_w < 0 ? d->lnf_w : musc_nn_params_add(params, name, 1, shape, MUSC_NN_NO_DECAY);
    if (d->lnf_b < 0) {
        int r = d->lnf_b;
        musc_nn_decoder_free(d);
        return r;
    }
    *out = d;
    return MUSC_OK;
}

void musc_nn_decoder_free(musc_nn_decoder *d)
{
    if (!d)
        return;
    musc_nn_arena_free(&d->arena);
    free(d->acts);
    free(d->idx);
    free(d->kcache);
    free(d->vcache);
    free(d->s_r);
    free(d);
}

void musc_nn_decoder_init(musc_nn_decoder *d, musc_nn_params *params, musc_nn_rng *rng)
{
    const float std = 0.02f, proj_std = 0.02f / sqrtf(2.0f * (float)d->cfg.n_layer);
    for (int l = 0; l < d->cfg.n_layer; l++)
        for (int k = 0; k < NPARAM; k++) {
            musc_nn_tensor *t = &params->tensors[d->idx[l][k]];
            if (k == LN1W || k == LN2W)
                for (size_t i = 0; i < t->size; i++)
                    t->data[i] = 1.0f;
            else if (t->ndim == 1)
                memset(t->data, 0, t->size * sizeof(float));
            else
                musc_nn_init_normal(t->data, t->size, (k == PROJW || k == FC2W) ? proj_std : std,
                                    rng);
        }
    for (int c = 0; c < d->cfg.d_model; c++) {
        P(params, d->lnf_w)[c] = 1.0f;
        P(params, d->lnf_b)[c] = 0.0f;
    }
}

/* Lay out the activations; with a measuring arena only counts. */
static void carve(musc_nn_decoder *d, musc_nn_arena *a, int B, int T)
{
    const size_t N = (size_t)B * T, C = (size_t)d->cfg.d_model, F = (size_t)d->cfg.d_ff;
    for (int l = 0; l < d->cfg.n_layer; l++) {
        layer_acts *x = &d->acts[l];
        x->resid = musc_nn_arena_floats(a, N * C);
        x->ln1 = musc_nn_arena_floats(a, N * C);
        x->ln1_mean = musc_nn_arena_floats(a, N);
        x->ln1_rstd = musc_nn_arena_floats(a, N);
        x->qkv = musc_nn_arena_floats(a, N * 3 * C);
        x->att = musc_nn_arena_floats(a, N * C);
        x->lse = musc_nn_arena_floats(a, N * (size_t)d->cfg.n_head);
        x->mid = musc_nn_arena_floats(a, N * C);
        x->ln2 = musc_nn_arena_floats(a, N * C);
        x->ln2_mean = musc_nn_arena_floats(a, N);
        x->ln2_rstd = musc_nn_arena_floats(a, N);
        x->fc = musc_nn_arena_floats(a, N * F);
        x->gelu = musc_nn_arena_floats(a, N * F);
    }
    d->final_resid = musc_nn_arena_floats(a, N * C);
    d->out = musc_nn_arena_floats(a, N * C);
    d->lnf_mean = musc_nn_arena_floats(a, N);
    d->lnf_rstd = musc_nn_arena_floats(a, N);
    d->branch = musc_nn_arena_floats(a, N * C);
    d->dresid = musc_nn_arena_floats(a, N * C);
    d->dC = musc_nn_arena_floats(a, N * C);
    d->dbranch = musc_nn_arena_floats(a, N * C);
    d->dF1 = musc_nn_arena_floats(a, N * F);
    d->dF2 = musc_nn_arena_floats(a, N * F);
    d->d3C = musc_nn_arena_floats(a, N * 3 * C);
}

size_t musc_nn_decoder_activation_bytes(const musc_nn_decoder *d, int B, int T)
{
    musc_nn_decoder tmp = *d;
    layer_acts *acts = calloc((size_t)d->cfg.n_layer, sizeof *acts);
    if (!acts)
        return 0;
    tmp.acts = acts;
    musc_nn_arena a = musc_nn_arena_measure();
    carve(&tmp, &a, B, T);
    free(acts);
    return a.failed ? 0 : a.used;
}

static musc_status ensure_acts(musc_nn_decoder *d, int B, int T)
{
    if (d->arena.base && d->B == B && d->T == T)
        return MUSC_OK;
    musc_nn_arena_free(&d->arena);
    free(d->acts);
    d->acts = calloc((size_t)d->cfg.n_layer, sizeof *d->acts);
    if (!d->acts)
        return musc_error(MUSC_ERR_NOMEM, "decoder: out of memory");
    size_t bytes = musc_nn_decoder_activation_bytes(d, B, T);
    if (!bytes)
        return musc_error(MUSC_ERR_NOMEM, "decoder: activations for B=%d T=%d too large", B, T);
    musc_status st = musc_nn_arena_init(&d->arena, bytes);
    if (st != MUSC_OK)
        return st;
    carve(d, &d->arena, B, T);
    d->B = B;
    d->T = T;
    return MUSC_OK;
}

/* out = resid + dropout(branch) */
static void add_branch(float *out, const float *resid, float *branch, size_t n, float p,
                       uint64_t seed)
{
    if (p > 0.0f)
        musc_nn_dropout_forward(branch, branch, n, p, seed);
    musc_nn_residual_forward(out, resid, branch, n);
}

musc_status musc_nn_decoder_forward(musc_nn_decoder *d, const musc_nn_params *params,
                                    const float *x, int B, int T, int train, uint64_t seed,
                                    const float **out)
{
    if (B < 1 || T < 1)
        return musc_error(MUSC_ERR_ARG, "decoder: batch %d x time %d", B, T);
    musc_status st = ensure_acts(d, B, T);
    if (st != MUSC_OK)
        return st;
    d->train = train;
    d->seed = seed;
    const int N = B * T, C = d->cfg.d_model, F = d->cfg.d_ff, NH = d->cfg.n_head;
    const float p = train ? d->cfg.dropout : 0.0f, pa = train ? d->cfg.attn_dropout : 0.0f;
    memcpy(d->acts[0].resid, x, (size_t)N * C * sizeof(float));
    for (int l = 0; l < d->cfg.n_layer; l++) {
        layer_acts *a = &d->acts[l];
        const int *w = d->idx[l];
        float *next = l + 1 < d->cfg.n_layer ? d->acts[l + 1].resid : d->final_resid;
        musc_nn_layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->resid, P(params, w[LN1W]),
                                  P(params, w[LN1B]), N, C);
        musc_nn_linear_forward(a->qkv, a->ln1, P(params, w[QKVW]), P(params, w[QKVB]), N, C,
                               3 * C);
        if ((st = d->masked ? musc_nn_attention_masked_forward(a->att, a->lse, a->qkv, d->lens, B,
                                                               T, C, NH, d->causal, pa,
                                                               branch_seed(seed, l, 2))
                            : musc_nn_attention_forward(a->att, a->lse, a->qkv, B, T, C, NH, pa,
                                                        branch_seed(seed, l, 2))) != MUSC_OK)
            return st;
        musc_nn_linear_forward(d->branch, a->att, P(params, w[PROJW]), P(params, w[PROJB]), N, C,
                               C);
        add_branch(a->mid, a->resid, d->branch, (size_t)N * C, p, branch_seed(seed, l, 0));
        musc_nn_layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->mid, P(params, w[LN2W]),
                                  P(params, w[LN2B]), N, C);
        musc_nn_linear_forward(a->fc, a->ln2, P(params, w[FCW]), P(params, w[FCB]), N, C, F);
        musc_nn_gelu_forward(a->gelu, a->fc, (size_t)N * F);
        musc_nn_linear_forward(d->branch, a->gelu, P(params, w[FC2W]), P(params, w[FC2B]), N, F,
                               C);
        add_branch(next, a->mid, d->branch, (size_t)N * C, p, branch_seed(seed, l, 1));
    }
    musc_nn_layernorm_forward(d->out, d->lnf_mean, d->lnf_rstd, d->final_resid,
                              P(params, d->lnf_w), P(params, d->lnf_b), N, C);
    *out = d->out;
    return MUSC_OK;
}

musc_status musc_nn_decoder_backward(musc_nn_decoder *d, musc_nn_params *params,
                                     const float *x, const float *dout, float *dx)
{
    (void)x; /* the forward kept its own copy of the input */
    if (!d->arena.base)
        return musc_error(MUSC_ERR_ARG, "decoder: backward without forward");
    if (!params->grad)
        return musc_error(MUSC_ERR_ARG, "decoder: parameters have no gradients");
    const int B = d->B, T = d->T, N = B * T, C = d->cfg.d_model, F = d->cfg.d_ff,
              NH = d->cfg.n_head;
    const size_t NC = (size_t)N * C, NF = (size_t)N * F;
    const float p = d->train ? d->cfg.dropout : 0.0f, pa = d->train ? d->cfg.attn_dropout : 0.0f;
    musc_status st;
    memset(d->dresid, 0, NC * sizeof(float));
    musc_nn_layernorm_backward(d->dresid, G(params, d->lnf_w), G(params, d->lnf_b), dout,
                               d->final_resid, P(params, d->lnf_w), d->lnf_mean, d->lnf_rstd, N,
                               C);
    for (int l = d->cfg.n_layer - 1; l >= 0; l--) {
        layer_acts *a = &d->acts[l];
        const int *w = d->idx[l];
        /* next = mid + drop(fc2(gelu)): dresid flows to mid unchanged */
        memset(d->dbranch, 0, NC * sizeof(float));
        musc_nn_dropout_backward(d->dbranch, d->dresid, NC, p, branch_seed(d->seed, l, 1));
        memset(d->dF1, 0, NF * sizeof(float));
        musc_nn_linear_backward(d->dF1, G(params, w[FC2W]), G(params, w[FC2B]), d->dbranch,
                                a->gelu, P(params, w[FC2W]), N, F, C);
        memset(d->dF2, 0, NF * sizeof(float));
        musc_nn_gelu_backward(d->dF2, a->fc, d->dF1, NF);
        memset(d->dC, 0, NC * sizeof(float));
        musc_nn_linear_backward(d->dC, G(params, w[FCW]), G(params, w[FCB]), d->dF2, a->ln2,
                                P(params, w[FCW]), N, C, F);
        musc_nn_layernorm_backward(d->dresid, G(params, w[LN2W]), G(params, w[LN2B]), d->dC,
                                   a->mid, P(params, w[LN2W]), a->ln2_mean, a->ln2_rstd, N, C);
        /* mid = resid + drop(proj(att)) */
        memset(d->dbranch, 0, NC * sizeof(float));
        musc_nn_dropout_backward(d->dbranch, d->dresid, NC, p, branch_seed(d->seed, l, 0));
        memset(d->dC, 0, NC * sizeof(float));
        musc_nn_linear_backward(d->dC, G(params, w[PROJW]), G(params, w[PROJB]), d->dbranch,
                                a->att, P(params, w[PROJW]), N, C, C);
        memset(d->d3C, 0, 3 * NC * sizeof(float));
        if ((st = d->masked ? musc_nn_attention_masked_backward(
                                  d->d3C, d->dC, a->qkv, a->att, a->lse, d->lens, B, T, C, NH,
                                  d->causal, pa, branch_seed(d->seed, l, 2))
                            : musc_nn_attention_backward(d->d3C, d->dC, a->qkv, a->att, a->lse,
                                                         B, T, C, NH, pa,
                                                         branch_seed(d->seed, l, 2))) != MUSC_OK)
            return st;
        memset(d->dC, 0, NC * sizeof(float));
        musc_nn_linear_backward(d->dC, G(params, w[QKVW]), G(params, w[QKVB]), d->d3C, a->ln1,
                                P(params, w[QKVW]), N, C, 3 * C);
        musc_nn_layernorm_backward(d->dresid, G(params, w[LN1W]), G(params, w[LN1B]), d->dC,
                                   a->resid, P(params, w[LN1W]), a->ln1_mean, a->ln1_rstd, N, C);
    }
    for (size_t i = 0; i < NC; i++)
        dx[i] += d->dresid[i];
    return MUSC_OK;
}

musc_status musc_nn_decoder_cache_reset(musc_nn_decoder *d, int max_T)
{
    if (max_T < 1)
        return musc_error(MUSC_ERR_ARG, "decoder: cache length %d", max_T);
    const size_t C = (size_t)d->cfg.d_model, F = (size_t)d->cfg.d_ff, L = (size_t)d->cfg.n_layer;
    free(d->kcache);
    free(d->vcache);
    free(d->s_r);
    d->kcache = malloc(L * (size_t)max_T * C * sizeof(float));
    d->vcache = malloc(L * (size_t)max_T * C * sizeof(float));
    size_t scratch = C * 9 + F * 2 + (size_t)d->cfg.n_head * (size_t)max_T;
    d->s_r = malloc(scratch * sizeof(float));
    if (!d->kcache || !d->vcache || !d->s_r) {
        free(d->kcache);
        free(d->vcache);
        free(d->s_r);
        d->kcache = d->vcache = d->s_r = NULL;
        d->max_T = 0;
        return musc_error(MUSC_ERR_NOMEM, "decoder: cannot allocate a KV cache for %d positions",
                          max_T);
    }
    d->s_ln = d->s_r + C;
    d->s_qkv = d->s_ln + C;
    d->s_att = d->s_qkv + 3 * C;
    d->s_tmp = d->s_att + C;
    d->s_fc = d->s_tmp + 2 * C;
    d->s_gelu = d->s_fc + F;
    d->s_scores = d->s_gelu + F;
    d->max_T = max_T;
    d->pos = 0;
    return MUSC_OK;
}

musc_status musc_nn_decoder_step(musc_nn_decoder *d, const musc_nn_params *params,
                                 const float *x, float *out)
{
    if (!d->kcache)
        return musc_error(MUSC_ERR_ARG, "decoder: step without a cache (call cache_reset)");
    if (d->masked && !d->causal)
        return musc_error(MUSC_ERR_ARG, "decoder: a bidirectional encoder cannot step");
    if (d->pos >= d->max_T)
        return musc_error(MUSC_ERR_RANGE, "decoder: the KV cache holds %d positions", d->max_T);
    const int C = d->cfg.d_model, F = d->cfg.d_ff, NH = d->cfg.n_head, pos = d->pos;
    float *r = d->s_r;
    memcpy(r, x, (size_t)C * sizeof(float));
    for (int l = 0; l < d->cfg.n_layer; l++) {
        const int *w = d->idx[l];
        size_t co = (size_t)l * d->max_T * C;
        musc_nn_layernorm_forward(d->s_ln, &d->s_mean, &d->s_rstd, r, P(params, w[LN1W]),
                                  P(params, w[LN1B]), 1, C);
        musc_nn_linear_forward(d->s_qkv, d->s_ln, P(params, w[QKVW]), P(params, w[QKVB]), 1, C,
                               3 * C);
        musc_nn_attention_step(d->s_att, d->s_qkv, d->kcache + co, d->vcache + co, pos, C, NH,
                               d->s_scores);
        musc_nn_linear_forward(d->s_tmp, d->s_att, P(params, w[PROJW]), P(params, w[PROJB]), 1, C,
                               C);
        musc_nn_residual_forward(r, r, d->s_tmp, (size_t)C);
        musc_nn_layernorm_forward(d->s_ln, &d->s_mean, &d->s_rstd, r, P(params, w[LN2W]),
                                  P(params, w[LN2B]), 1, C);
        musc_nn_linear_forward(d->s_fc, d->s_ln, P(params, w[FCW]), P(params, w[FCB]), 1, C, F);
        musc_nn_gelu_forward(d->s_gelu, d->s_fc, (size_t)F);
        musc_nn_linear_forward(d->s_tmp, d->s_gelu, P(params, w[FC2W]), P(params, w[FC2B]), 1, F,
                               C);
        musc_nn_residual_forward(r, r, d->s_tmp, (size_t)C);
    }
    musc_nn_layernorm_forward(out, &d->s_mean, &d->s_rstd, r, P(params, d->lnf_w),
                              P(params, d->lnf_b), 1, C);
    d->pos++;
    return MUSC_OK;
}

void musc_nn_decoder_set_mask(musc_nn_decoder *d, int causal, const int32_t *lens)
{
    d->causal = causal != 0;
    d->lens = lens;
    d->masked = !d->causal || lens;
}
