/*
 * What the MMT model, its sampler and its trainer share: the model struct
 * (parameter indices, activation buffers for one batch shape, the
 * sampling state).
 */
#ifndef MUSC_MMT_INTERNAL_H
#define MUSC_MMT_INTERNAL_H

#include "musc/mmt.h"

#define NF MUSC_MMT_FIELDS

struct musc_mmt_model {
    musc_mmt_config cfg;
    musc_mmt_options tok;
    musc_nn_params p;
    musc_nn_decoder *dec;
    int emb[NF], pos, headw[NF], headb[NF];
    int cond[NF][NF];      /* cond[f][g], g < f: table of field g for head f; -1 if absent */
    /* activations for B x T input rows */
    int B, T;
    int32_t *in;           /* [N, 6] input codes */
    int32_t *posidx;       /* [N] */
    int32_t *tgt;          /* [6][N] target codes, -1 = ignored */
    int32_t *condc;        /* [N, 6] codes that condition the heads (0 for ignored rows) */
    float *x, *dx, *dh, *hin, *dhin; /* [N, C] */
    const float *h;        /* decoder output [N, C] */
    float *logits[NF], *lse[NF], *dlogits; /* [N, V_f], [N], [N, max V] */
    /* step-by-step */
    float *s_x, *s_h;      /* [C] */
    int s_pos;
    int32_t *s_rows;       /* rows fed so far (no-cache mode), [max_seq_len, 6] */
};

/* Run the embeddings and decoder over m->in for B x T rows; m->h is the
 * normed output. */
musc_status mmt_hidden(musc_mmt_model *m, int B, int T, int train, uint64_t seed);

/* Make room for B x T rows. */
musc_status mmt_reserve(musc_mmt_model *m, int B, int T);

#endif
