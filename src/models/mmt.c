/*
 * The Multitrack Music Transformer: six summed field embeddings plus a
 * learned position, the shared pre-LN decoder stack, six linear heads, and
 * the sum of six masked cross-entropies. Forward and backward are written
 * side by side; activations live in buffers sized for the last batch shape.
 * The optional conditioned heads add, to the hidden state a head reads, one
 * embedding per field already fixed in the target row.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmt_internal.h"

static const char *const field_names[NF] = {"type",  "beat",     "position",
                                            "pitch", "duration", "instrument"};

const char *musc_mmt_field_name(int field)
{
    return field >= 0 && field < NF ? field_names[field] : NULL;
}

static void mmt_field_defaults(int sizes[NF])
{
    musc_mmt_options o = musc_mmt_options_default();
    o.max_beat = 256;
    musc_mmt_field_sizes(&o, sizes);
}

musc_status musc_mmt_config_preset(const char *name, musc_mmt_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    mmt_field_defaults(cfg->field_sizes);
    if (name && !strcmp(name, "tiny")) {
        cfg->n_layer = 2, cfg->d_model = 32, cfg->n_head = 2, cfg->d_ff = 64;
        cfg->max_seq_len = 64, cfg->dropout = 0.0f;
    } else if (name && !strcmp(name, "small")) {
        cfg->n_layer = 4, cfg->d_model = 256, cfg->n_head = 8, cfg->d_ff = 1024;
        cfg->max_seq_len = 512, cfg->dropout = 0.1f;
    } else if (name && !strcmp(name, "mmt")) {
        cfg->n_layer = 6, cfg->d_model = 512, cfg->n_head = 8, cfg->d_ff = 2048;
        cfg->max_seq_len = 1024, cfg->dropout = 0.2f;
    } else {
        return musc_error(MUSC_ERR_ARG, "mmt: unknown preset '%s' (expected tiny, small or mmt)",
                          name ? name : "(null)");
    }
    return MUSC_OK;
}

musc_status musc_mmt_config_check(const musc_mmt_config *c)
{
    if (c->n_layer < 1 || c->n_layer > 256 || c->d_model < 1 || c->d_model > 65536 ||
        c->n_head < 1 || c->d_model % c->n_head || c->d_ff < 1 || c->d_ff > 1 << 20 ||
        c->max_seq_len < 1 || c->max_seq_len > 1 << 20)
        return musc_error(MUSC_ERR_ARG,
                          "mmt: bad config (layers %d, width %d, heads %d, ffn %d, positions %d; "
                          "the width must be a multiple of the heads)",
                          c->n_layer, c->d_model, c->n_head, c->d_ff, c->max_seq_len);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return musc_error(MUSC_ERR_ARG, "mmt: dropout %g outside [0, 1)", (double)c->dropout);
    for (int f = 0; f < NF; f++)
        if (c->field_sizes[f] < 2 || c->field_sizes[f] > 1 << 20)
            return musc_error(MUSC_ERR_ARG, "mmt: field %s has %d codes", field_names[f],
                              c->field_sizes[f]);
    if (c->conditioned_heads != 0 && c->conditioned_heads != 1)
        return musc_error(MUSC_ERR_ARG, "mmt: conditioned_heads must be 0 or 1");
    return MUSC_OK;
}

/* Declare every parameter of the model in m->p (and create the decoder). */
static musc_status declare(musc_mmt_model *m)
{
    const musc_mmt_config *c = &m->cfg;
    char name[MUSC_NN_NAME_MAX];
    for (int f = 0; f < NF; f++) {
        int shape[2] = {c->field_sizes[f], c->d_model};
        snprintf(name, sizeof name, "emb.%s", field_names[f]);
        if ((m->emb[f] = musc_nn_params_add(&m->p, name, 2, shape, MUSC_NN_NO_DECAY)) < 0)
            return m->emb[f];
    }
    int pshape[2] = {c->max_seq_len, c->d_model};
    if ((m->pos = musc_nn_params_add(&m->p, "pos", 2, pshape, MUSC_NN_NO_DECAY)) < 0)
        return m->pos;
    musc_nn_decoder_config dc = {c->n_layer, c->d_model, c->n_head, c->d_ff, c->dropout,
                                 c->dropout};
    musc_status st = musc_nn_decoder_new(&dc, &m->p, "dec.", &m->dec);
    if (st != MUSC_OK)
        return st;
    for (int f = 0; f < NF; f++) {
        int wshape[2] = {c->field_sizes[f], c->d_model}, bshape[1] = {c->field_sizes[f]};
        snprintf(name, sizeof name, "head.%s.w", field_names[f]);
        if ((m->headw[f] = musc_nn_params_add(&m->p, name, 2, wshape, 0)) < 0)
            return m->headw[f];
        snprintf(name, sizeof name, "head.%s.b", field_names[f]);
        if ((m->headb[f] = musc_nn_params_add(&m->p, name, 1, bshape, MUSC_NN_NO_DECAY)) < 0)
            return m->headb[f];
    }
    for (int f = 0; f < NF; f++)
        for (int g = 0; g < NF; g++) {
            m->cond[f][g] = -1;
            if (!c->conditioned_heads || g >= f)
                continue;
            int shape[2] = {c->field_sizes[g], c->d_model};
            snprintf(name, sizeof name, "cond.%s.%s", field_names[f], field_names[g]);
            if ((m->cond[f][g] = musc_nn_params_add(&m->p, name, 2, shape, MUSC_NN_NO_DECAY)) < 0)
                return m->cond[f][g];
        }
    return MUSC_OK;
}

size_t musc_mmt_config_param_count(const musc_mmt_config *cfg)
{
    if (musc_mmt_config_check(cfg) != MUSC_OK)
        return 0;
    musc_mmt_model m;
    memset(&m, 0, sizeof m);
    m.cfg = *cfg;
    size_t n = 0;
    if (declare(&m) == MUSC_OK)
        for (int i = 0; i < m.p.count; i++)
            n += m.p.tensors[i].size;
    musc_nn_decoder_free(m.dec);
    musc_nn_params_free(&m.p);
    return n;
}

musc_status musc_mmt_model_new(const musc_mmt_config *cfg, const musc_mmt_options *tokenizer,
                               int with_grad, musc_mmt_model **out)
{
    *out = NULL;
    musc_status st = musc_mmt_config_check(cfg);
    if (st != MUSC_OK)
        return st;
    musc_mmt_model *m = calloc(1, sizeof *m);
    if (!m)
        return musc_error(MUSC_ERR_NOMEM, "mmt: out of memory");
    m->cfg = *cfg;
    if (tokenizer) {
        m->tok = *tokenizer;
    } else {
        m->tok = musc_mmt_options_default();
        m->tok.max_beat = cfg->field_sizes[1] - 1;
        m->tok.keep_drums = cfg->field_sizes[5] > MUSC_MMT_N_INSTRUMENTS + 1;
    }
    if ((st = declare(m)) != MUSC_OK || (st = musc_nn_params_alloc(&m->p, with_grad)) != MUSC_OK) {
        musc_mmt_model_free(m);
        return st;
    }
    *out = m;
    return MUSC_OK;
}

static void free_acts(musc_mmt_model *m)
{
    free(m->in);
    free(m->posidx);
    free(m->tgt);
    free(m->condc);
    free(m->x);
    free(m->dx);
    free(m->dh);
    free(m->hin);
    free(m->dhin);
    free(m->dlogits);
    for (int f = 0; f < NF; f++) {
        free(m->logits[f]);
        free(m->lse[f]);
        m->logits[f] = m->lse[f] = NULL;
    }
    m->in = m->posidx = m->tgt = m->condc = NULL;
    m->x = m->dx = m->dh = m->hin = m->dhin = m->dlogits = NULL;
    m->B = m->T = 0;
}

void musc_mmt_model_free(musc_mmt_model *m)
{
    if (!m)
        return;
    free_acts(m);
    free(m->s_x);
    free(m->s_h);
    free(m->s_rows);
    musc_nn_decoder_free(m->dec);
    musc_nn_params_free(&m->p);
    free(m);
}

const musc_mmt_config *musc_mmt_model_config(const musc_mmt_model *m) { return &m->cfg; }
const musc_mmt_options *musc_mmt_model_tokenizer(const musc_mmt_model *m) { return &m->tok; }
musc_nn_params *musc_mmt_model_params(musc_mmt_model *m) { return &m->p; }

static float *D(const musc_mmt_model *m, int i) { return m->p.tensors[i].data; }
static float *G(const musc_mmt_model *m, int i) { return m->p.tensors[i].grad; }

void musc_mmt_model_init(musc_mmt_model *m, uint64_t seed)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, seed);
    musc_nn_decoder_init(m->dec, &m->p, &rng);
    for (int f = 0; f < NF; f++) {
        musc_nn_tensor *e = &m->p.tensors[m->emb[f]], *w = &m->p.tensors[m->headw[f]];
        musc_nn_init_normal(e->data, e->size, 0.02f, &rng);
        musc_nn_init_normal(w->data, w->size, 0.02f, &rng);
        memset(D(m, m->headb[f]), 0, m->p.tensors[m->headb[f]].size * sizeof(float));
    }
    musc_nn_tensor *pt = &m->p.tensors[m->pos];
    musc_nn_init_normal(pt->data, pt->size, 0.02f, &rng);
    for (int f = 0; f < NF; f++)
        for (int g = 0; g < f; g++)
            if (m->cond[f][g] >= 0) {
                musc_nn_tensor *t = &m->p.tensors[m->cond[f][g]];
                musc_nn_init_normal(t->data, t->size, 0.02f, &rng);
            }
}

/* ---------------------------------------------------------------- config */

char *musc_mmt_config_to_json(const musc_mmt_config *c, const musc_mmt_options *t,
                              const char *extra)
{
    json_t *o = json_object(), *fs = json_array(), *tk = json_object();
    if (!o || !fs || !tk) {
        json_decref(o);
        json_decref(fs);
        json_decref(tk);
        return NULL;
    }
    json_object_set_new(o, "model", json_string("mmt"));
    json_object_set_new(o, "n_layer", json_integer(c->n_layer));
    json_object_set_new(o, "d_model", json_integer(c->d_model));
    json_object_set_new(o, "n_head", json_integer(c->n_head));
    json_object_set_new(o, "d_ff", json_integer(c->d_ff));
    json_object_set_new(o, "max_seq_len", json_integer(c->max_seq_len));
    json_object_set_new(o, "dropout", json_real(c->dropout));
    for (int f = 0; f < NF; f++)
        json_array_append_new(fs, json_integer(c->field_sizes[f]));
    json_object_set_new(o, "field_sizes", fs);
    json_object_set_new(o, "conditioned_heads", json_integer(c->conditioned_heads));
    json_object_set_new(tk, "max_beat", json_integer(t->max_beat));
    json_object_set_new(tk, "keep_drums", json_integer(t->keep_drums));
    json_object_set_new(tk, "shift_to_first_beat", json_integer(t->shift_to_first_beat));
    json_object_set_new(tk, "max_seq_len", json_integer((json_int_t)t->max_seq_len));
    json_object_set_new(tk, "qpm", json_real(t->qpm));
    json_object_set_new(o, "tokenizer", tk);
    if (extra) {
        json_t *e = json_loads(extra, 0, NULL);
        if (json_is_object(e))
            json_object_update(o, e);
        json_decref(e);
    }
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

static int get_int(json_t *o, const char *key, int *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN ||
        json_integer_value(v) > INT32_MAX)
        return -1;
    *out = (int)json_integer_value(v);
    return 0;
}

musc_status musc_mmt_config_from_json(const char *text, musc_mmt_config *c,
                                      musc_mmt_options *tokenizer)
{
    memset(c, 0, sizeof *c);
    json_error_t err;
    json_t *o = json_loads(text ? text : "", 0, &err);
    const char *bad = NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        return musc_error(MUSC_ERR_FORMAT, "mmt config: not a JSON object (%s)", err.text);
    }
    json_t *model = json_object_get(o, "model");
    json_t *dr = json_object_get(o, "dropout");
    json_t *fs = json_object_get(o, "field_sizes");
    if (!json_is_string(model) || strcmp(json_string_value(model), "mmt"))
        bad = "model (expected \"mmt\")";
    else if (get_int(o, "n_layer", &c->n_layer))
        bad = "n_layer";
    else if (get_int(o, "d_model", &c->d_model))
        bad = "d_model";
    else if (get_int(o, "n_head", &c->n_head))
        bad = "n_head";
    else if (get_int(o, "d_ff", &c->d_ff))
        bad = "d_ff";
    else if (get_int(o, "max_seq_len", &c->max_seq_len))
        bad = "max_seq_len";
    else if (!json_is_number(dr))
        bad = "dropout";
    else if (!json_is_array(fs) || json_array_size(fs) != NF)
        bad = "field_sizes";
    else if (json_object_get(o, "conditioned_heads") &&
             get_int(o, "conditioned_heads", &c->conditioned_heads))
        bad = "conditioned_heads";
    if (!bad) {
        c->dropout = (float)json_number_value(dr);
        for (int f = 0; f < NF && !bad; f++) {
            json_t *v = json_array_get(fs, (size_t)f);
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > INT32_MAX)
                bad = "field_sizes";
            else
                c->field_sizes[f] = (int)json_integer_value(v);
        }
    }
    if (!bad && tokenizer) {
        musc_mmt_options t = musc_mmt_options_default();
        json_t *tk = json_object_get(o, "tokenizer");
        int msl = 0;
        if (!json_is_object(tk) || get_int(tk, "max_beat", &t.max_beat) ||
            get_int(tk, "keep_drums", &t.keep_drums) ||
            get_int(tk, "shift_to_first_beat", &t.shift_to_first_beat) ||
            get_int(tk, "max_seq_len", &msl) || msl < 0 ||
            !json_is_number(json_object_get(tk, "qpm")))
            bad = "tokenizer";
        else {
            t.max_seq_len = (size_t)msl;
            t.qpm = json_number_value(json_object_get(tk, "qpm"));
            *tokenizer = t;
        }
    }
    json_decref(o);
    if (bad)
        return musc_error(MUSC_ERR_FORMAT, "mmt config: missing or bad '%s'", bad);
    return musc_mmt_config_check(c);
}

/* ------------------------------------------------------------- save/load */

musc_status musc_mmt_model_save(const musc_mmt_model *m, const char *path, const char *extra)
{
    char *cfg = musc_mmt_config_to_json(&m->cfg, &m->tok, extra);
    if (!cfg)
        return musc_error(MUSC_ERR_NOMEM, "mmt: out of memory");
    musc_status st = musc_nn_params_save(path, &m->p, cfg);
    free(cfg);
    return st;
}

musc_status musc_mmt_model_load(const char *path, int with_grad, musc_mmt_model **out)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return musc_error(MUSC_ERR_NOTFOUND, "%s: no such model file or folder", path);
    char *file = NULL;
    if (S_ISDIR(sb.st_mode)) {
        static const char *const names[] = {"best.ckpt", "model.ckpt"};
        for (int i = 0; i < 2 && !file; i++) {
            size_t len = strlen(path) + strlen(names[i]) + 2;
            char *p = malloc(len);
            if (!p)
                return musc_error(MUSC_ERR_NOMEM, "out of memory");
            snprintf(p, len, "%s/%s", path, names[i]);
            if (stat(p, &sb) == 0)
                file = p;
            else
                free(p);
        }
        if (!file)
            return musc_error(MUSC_ERR_NOTFOUND, "%s: no best.ckpt or model.ckpt in the folder",
                              path);
    } else if (!(file = strdup(path))) {
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    musc_nn_checkpoint *ck;
    musc_status st = musc_nn_checkpoint_open(file, &ck);
    if (st != MUSC_OK) {
        free(file);
        return st;
    }
    musc_mmt_config cfg;
    musc_mmt_options tok;
    if (musc_nn_checkpoint_kind(ck) != MUSC_NN_CKPT_MODEL) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: not a model checkpoint (optimizer state?)", file);
    } else if ((st = musc_mmt_config_from_json(musc_nn_checkpoint_config(ck), &cfg, &tok)) !=
               MUSC_OK) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: not an MMT model: %s", file, musc_errmsg());
    } else if ((st = musc_mmt_model_new(&cfg, &tok, with_grad, out)) == MUSC_OK &&
               (st = musc_nn_params_load(&(*out)->p, ck)) != MUSC_OK) {
        st = musc_error(st, "%s: %s", file, musc_errmsg());
        musc_mmt_model_free(*out);
        *out = NULL;
    }
    musc_nn_checkpoint_free(ck);
    free(file);
    return st;
}

/* --------------------------------------------------------- forward/backward */

musc_status mmt_reserve(musc_mmt_model *m, int B, int T)
{
    if (m->in && m->B == B && m->T == T)
        return MUSC_OK;
    free_acts(m);
    size_t N = (size_t)B * T, C = (size_t)m->cfg.d_model;
    int maxv = 0;
    for (int f = 0; f < NF; f++)
        maxv = m->cfg.field_sizes[f] > maxv ? m->cfg.field_sizes[f] : maxv;
    int ok = (m->in = malloc(N * NF * sizeof *m->in)) && (m->posidx = malloc(N * sizeof(int32_t))) &&
             (m->tgt = malloc(N * NF * sizeof(int32_t))) &&
             (m->condc = calloc(N * NF, sizeof(int32_t))) && (m->x = malloc(N * C * sizeof(float))) &&
             (m->dx = malloc(N * C * sizeof(float))) && (m->dh = malloc(N * C * sizeof(float))) &&
             (m->hin = malloc(N * C * sizeof(float))) &&
             (m->dhin = malloc(N * C * sizeof(float))) &&
             (m->dlogits = malloc(N * (size_t)maxv * sizeof(float)));
    for (int f = 0; f < NF && ok; f++)
        ok = (m->logits[f] = malloc(N * (size_t)m->cfg.field_sizes[f] * sizeof(float))) &&
             (m->lse[f] = malloc(N * sizeof(float)));
    if (!ok) {
        free_acts(m);
        return musc_error(MUSC_ERR_NOMEM, "mmt: out of memory for a batch of %d x %d rows", B, T);
    }
    for (size_t i = 0; i < N; i++)
        m->posidx[i] = (int32_t)(i % (size_t)T);
    m->B = B;
    m->T = T;
    return MUSC_OK;
}

static uint64_t emb_seed(uint64_t seed) { return seed * 0xd1b54a32d192ed03ull + 0x51ed27u; }

musc_status mmt_hidden(musc_mmt_model *m, int B, int T, int train, uint64_t seed)
{
    const int N = B * T, C = m->cfg.d_model;
    const float *tables[NF];
    for (int f = 0; f < NF; f++)
        tables[f] = D(m, m->emb[f]);
    musc_status st = musc_nn_embedding_sum_forward(m->x, m->in, NF, tables, m->cfg.field_sizes,
                                                   NF, N, C);
    if (st != MUSC_OK)
        return st;
    musc_nn_embedding_forward(m->x, m->posidx, D(m, m->pos), N, m->cfg.max_seq_len, C, 1);
    if (train && m->cfg.dropout > 0.0f)
        musc_nn_dropout_forward(m->x, m->x, (size_t)N * C, m->cfg.dropout, emb_seed(seed));
    return musc_nn_decoder_forward(m->dec, &m->p, m->x, B, T, train, seed, &m->h);
}

/* hin = h + sum_{g<f} cond[f][g][condc[.,g]] for field f's head. */
static const float *head_input(musc_mmt_model *m, int f, int N)
{
    if (!m->cfg.conditioned_heads || f == 0)
        return m->h;
    const size_t C = (size_t)m->cfg.d_model;
    memcpy(m->hin, m->h, (size_t)N * C * sizeof(float));
    for (int g = 0; g < f; g++) {
        const float *t = D(m, m->cond[f][g]);
        for (int i = 0; i < N; i++) {
            float *o = m->hin + (size_t)i * C;
            const float *e = t + (size_t)m->condc[(size_t)i * NF + g] * C;
            for (size_t c = 0; c < C; c++)
                o[c] += e[c];
        }
    }
    return m->hin;
}

static musc_status check_cond(const musc_mmt_model *m, int N)
{
    if (!m->cfg.conditioned_heads)
        return MUSC_OK;
    for (int i = 0; i < N; i++)
        for (int g = 0; g < NF - 1; g++) {
            int32_t k = m->condc[(size_t)i * NF + g];
            if (k < 0 || k >= m->cfg.field_sizes[g])
                return musc_error(MUSC_ERR_RANGE, "mmt: row %d field %s has code %d outside [0, %d)",
                                  i, field_names[g], (int)k, m->cfg.field_sizes[g]);
        }
    return MUSC_OK;
}

static void heads_forward(musc_mmt_model *m, int N)
{
    const int C = m->cfg.d_model;
    for (int f = 0; f < NF; f++)
        musc_nn_linear_forward(m->logits[f], head_input(m, f, N), D(m, m->headw[f]),
                               D(m, m->headb[f]), N, C, m->cfg.field_sizes[f]);
}

musc_status musc_mmt_model_loss(musc_mmt_model *m, const int32_t *codes, const int *lengths,
                                int B, int T, int train, uint64_t seed, int backward,
                                double *field_loss, double *loss, long *n_targets)
{
    if (B < 1 || T < 2 || T - 1 > m->cfg.max_seq_len)
        return musc_error(MUSC_ERR_ARG, "mmt: batch of %d x %d rows (need 2..%d rows)", B, T,
                          m->cfg.max_seq_len + 1);
    if (backward && !m->p.grad)
        return musc_error(MUSC_ERR_ARG, "mmt: the model has no gradients");
    const int Ti = T - 1, N = B * Ti, C = m->cfg.d_model;
    musc_status st = mmt_reserve(m, B, Ti);
    if (st != MUSC_OK)
        return st;
    long counted = 0;
    for (int b = 0; b < B; b++) {
        int len = lengths ? lengths[b] : T;
        for (int t = 0; t < Ti; t++) {
            const int32_t *src = codes + ((size_t)b * T + t) * NF;
            size_t i = (size_t)b * Ti + t;
            memcpy(m->in + i * NF, src, NF * sizeof(int32_t));
            int real = t + 1 < len;
            counted += real;
            for (int f = 0; f < NF; f++) {
                int32_t k = src[NF + f];
                if (real && (k < 0 || k >= m->cfg.field_sizes[f]))
                    return musc_error(MUSC_ERR_RANGE,
                                      "mmt: sequence %d row %d field %s has code %d outside [0, %d)",
                                      b, t + 1, field_names[f], (int)k, m->cfg.field_sizes[f]);
                m->tgt[(size_t)f * N + i] = real ? k : -1;
                m->condc[i * NF + f] = real ? k : 0;
            }
        }
    }
    if ((st = mmt_hidden(m, B, Ti, train, seed)) != MUSC_OK)
        return st;
    heads_forward(m, N);
    double total = 0.0, ws[NF];
    for (int f = 0; f < NF; f++) {
        double ls;
        musc_nn_xent_forward(&ls, &ws[f], NULL, m->lse[f], m->logits[f], m->tgt + (size_t)f * N,
                             NULL, -1, N, m->cfg.field_sizes[f]);
        double l = ws[f] > 0 ? ls / ws[f] : 0.0;
        if (field_loss)
            field_loss[f] = l;
        total += l;
    }
    if (loss)
        *loss = total;
    if (n_targets)
        *n_targets = counted;
    if (!backward)
        return MUSC_OK;

    /* backward: heads, then the decoder, then the embeddings */
    const size_t NC = (size_t)N * C;
    memset(m->dh, 0, NC * sizeof(float));
    for (int f = 0; f < NF; f++) {
        const int V = m->cfg.field_sizes[f];
        if (ws[f] <= 0)
            continue;
        memset(m->dlogits, 0, (size_t)N * V * sizeof(float));
        musc_nn_xent_backward(m->dlogits, m->logits[f], m->lse[f], m->tgt + (size_t)f * N, NULL,
                              -1, (float)(1.0 / ws[f]), N, V);
        const float *in = head_input(m, f, N);
        if (in == m->h) {
            musc_nn_linear_backward(m->dh, G(m, m->headw[f]), G(m, m->headb[f]), m->dlogits, in,
                                    D(m, m->headw[f]), N, C, V);
            continue;
        }
        memset(m->dhin, 0, NC * sizeof(float));
        musc_nn_linear_backward(m->dhin, G(m, m->headw[f]), G(m, m->headb[f]), m->dlogits, in,
                                D(m, m->headw[f]), N, C, V);
        for (size_t j = 0; j < NC; j++)
            m->dh[j] += m->dhin[j];
        for (int g = 0; g < f; g++) {
            float *dt = G(m, m->cond[f][g]);
            for (int i = 0; i < N; i++) {
                float *d = dt + (size_t)m->condc[(size_t)i * NF + g] * C;
                const float *s = m->dhin + (size_t)i * C;
                for (int c = 0; c < C; c++)
                    d[c] += s[c];
            }
        }
    }
    memset(m->dx, 0, NC * sizeof(float));
    if ((st = musc_nn_decoder_backward(m->dec, &m->p, m->x, m->dh, m->dx)) != MUSC_OK)
        return st;
    if (train && m->cfg.dropout > 0.0f) {
        /* dropout backward in place: dx = mask * dx / (1 - p) */
        memcpy(m->dh, m->dx, NC * sizeof(float));
        memset(m->dx, 0, NC * sizeof(float));
        musc_nn_dropout_backward(m->dx, m->dh, NC, m->cfg.dropout, emb_seed(seed));
    }
    float *dtables[NF];
    for (int f = 0; f < NF; f++)
        dtables[f] = G(m, m->emb[f]);
    musc_nn_embedding_sum_backward(dtables, m->in, NF, NF, m->dx, N, C);
    musc_nn_embedding_backward(G(m, m->pos), m->posidx, m->dx, N, C);
    return MUSC_OK;
}

musc_status musc_mmt_model_forward(musc_mmt_model *m, const int32_t *codes, const int32_t *cond,
                                   int B, int T, const float **logits)
{
    if (B < 1 || T < 1 || T > m->cfg.max_seq_len)
        return musc_error(MUSC_ERR_ARG, "mmt: batch of %d x %d rows (at most %d rows)", B, T,
                          m->cfg.max_seq_len);
    musc_status st = mmt_reserve(m, B, T);
    if (st != MUSC_OK)
        return st;
    const size_t N = (size_t)B * T;
    memcpy(m->in, codes, N * NF * sizeof(int32_t));
    if (cond) {
        memcpy(m->condc, cond, N * NF * sizeof(int32_t));
    } else {
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) {
                int32_t *d = m->condc + ((size_t)b * T + t) * NF;
                if (t + 1 < T)
                    memcpy(d, codes + ((size_t)b * T + t + 1) * NF, NF * sizeof(int32_t));
                else
                    memset(d, 0, NF * sizeof(int32_t));
            }
    }
    if ((st = check_cond(m, (int)N)) != MUSC_OK || (st = mmt_hidden(m, B, T, 0, 0)) != MUSC_OK)
        return st;
    heads_forward(m, (int)N);
    for (int f = 0; f < NF; f++)
        logits[f] = m->logits[f];
    return MUSC_OK;
}

/* ----------------------------------------------------------------- steps */

musc_status musc_mmt_model_begin(musc_mmt_model *m)
{
    const size_t C = (size_t)m->cfg.d_model;
    if (!m->s_x) {
        m->s_x = malloc(C * sizeof(float));
        m->s_h = malloc(C * sizeof(float));
        if (!m->s_x || !m->s_h) {
            free(m->s_x);
            free(m->s_h);
            m->s_x = m->s_h = NULL;
            return musc_error(MUSC_ERR_NOMEM, "mmt: out of memory");
        }
    }
    m->s_pos = 0;
    return musc_nn_decoder_cache_reset(m->dec, m->cfg.max_seq_len);
}

musc_status musc_mmt_model_step(musc_mmt_model *m, const int32_t row[NF])
{
    if (!m->s_x)
        return musc_error(MUSC_ERR_ARG, "mmt: step before begin");
    if (m->s_pos >= m->cfg.max_seq_len)
        return musc_error(MUSC_ERR_RANGE, "mmt: the model's context holds %d rows",
                          m->cfg.max_seq_len);
    const int C = m->cfg.d_model;
    const float *tables[NF];
    for (int f = 0; f < NF; f++)
        tables[f] = D(m, m->emb[f]);
    musc_status st =
        musc_nn_embedding_sum_forward(m->s_x, row, NF, tables, m->cfg.field_sizes, NF, 1, C);
    if (st != MUSC_OK)
        return st;
    int32_t p = m->s_pos;
    musc_nn_embedding_forward(m->s_x, &p, D(m, m->pos), 1, m->cfg.max_seq_len, C, 1);
    if ((st = musc_nn_decoder_step(m->dec, &m->p, m->s_x, m->s_h)) != MUSC_OK)
        return st;
    m->s_pos++;
    return MUSC_OK;
}

musc_status musc_mmt_model_head(musc_mmt_model *m, int field, const int32_t row[NF],
                                float *logits)
{
    if (field < 0 || field >= NF || !m->s_h)
        return musc_error(MUSC_ERR_ARG, "mmt: head %d before any step", field);
    const int C = m->cfg.d_model;
    const float *in = m->s_h;
    float *tmp = NULL;
    if (m->cfg.conditioned_heads && field > 0) {
        if (!(tmp = malloc((size_t)C * sizeof(float))))
            return musc_error(MUSC_ERR_NOMEM, "mmt: out of memory");
        memcpy(tmp, m->s_h, (size_t)C * sizeof(float));
        for (int g = 0; g < field; g++) {
            if (row[g] < 0 || row[g] >= m->cfg.field_sizes[g]) {
                free(tmp);
                return musc_error(MUSC_ERR_RANGE, "mmt: field %s code %d outside [0, %d)",
                                  field_names[g], (int)row[g], m->cfg.field_sizes[g]);
            }
            const float *e = D(m, m->cond[field][g]) + (size_t)row[g] * C;
            for (int c = 0; c < C; c++)
                tmp[c] += e[c];
        }
        in = tmp;
    }
    musc_nn_linear_forward(logits, in, D(m, m->headw[field]), D(m, m->headb[field]), 1, C,
                           m->cfg.field_sizes[field]);
    free(tmp);
    return MUSC_OK;
}
