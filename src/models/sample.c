/*
 * Sampling from an MMT model, one row at a time with the decoder's KV
 * cache. Each row is built field by field: the type first, then (for a
 * note) beat, position, pitch, duration and instrument, each from its own
 * head. Before drawing a field, every code the grammar forbids is masked,
 * then MMT's filtering (top-k, by default keeping ceil(10%) of the field's
 * codes) and the temperature apply. The grammar is a small state machine:
 * the last type, the running beat and position, and the instruments that
 * the instrument rows declared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmt_internal.h"

musc_mmt_sample_options musc_mmt_sample_options_default(void)
{
    musc_mmt_sample_options o;
    memset(&o, 0, sizeof o);
    o.temperature = 1.0f;
    o.use_cache = 1;
    return o;
}

/* ---- grammar -------------------------------------------------------------- */

typedef struct grammar {
    const int *V;               /* field sizes */
    int type;                   /* type of the last row, -1 before any */
    int beat, position;         /* of the last note (codes), 0 before any */
    int last_instrument;        /* code of the last instrument row, 0 before any */
    unsigned char *declared;    /* [V_instrument] */
    unsigned char *requested;   /* [V_instrument]: allowed in instrument rows */
    size_t notes;
} grammar;

static int grammar_init(grammar *g, const int *V, const int *instruments, int n_instruments)
{
    memset(g, 0, sizeof *g);
    g->V = V;
    g->type = -1;
    g->declared = calloc((size_t)V[5], 1);
    g->requested = calloc((size_t)V[5], 1);
    if (!g->declared || !g->requested)
        return -1;
    for (int i = 1; i < V[5]; i++)
        g->requested[i] = instruments ? 0 : 1;
    for (int i = 0; instruments && i < n_instruments; i++)
        if (instruments[i] >= 1 && instruments[i] < V[5])
            g->requested[instruments[i]] = 1;
    return 0;
}

static void grammar_free(grammar *g)
{
    free(g->declared);
    free(g->requested);
}

/* Is there an instrument code above the last one that may still be declared? */
static int more_instruments(const grammar *g)
{
    for (int i = g->last_instrument + 1; i < g->V[5]; i++)
        if (g->requested[i])
            return 1;
    return 0;
}

/* Types allowed for the next row. */
static void allowed_types(const grammar *g, unsigned char ok[5])
{
    memset(ok, 0, 5);
    switch (g->type) {
    case -1: ok[MUSC_MMT_START_OF_SONG] = 1; break;
    case MUSC_MMT_START_OF_SONG: ok[MUSC_MMT_INSTRUMENT] = more_instruments(g); break;
    case MUSC_MMT_INSTRUMENT:
        ok[MUSC_MMT_INSTRUMENT] = more_instruments(g);
        ok[MUSC_MMT_START_OF_NOTES] = 1;
        break;
    case MUSC_MMT_START_OF_NOTES: ok[MUSC_MMT_NOTE] = 1; break;
    case MUSC_MMT_NOTE:
        ok[MUSC_MMT_NOTE] = 1;
        ok[MUSC_MMT_END_OF_SONG] = 1;
        break;
    default: break;
    }
}

/* Codes allowed for field f (> 0) of a row of type `type` whose earlier
 * fields are row[0..f). Returns how many. */
static int allowed_codes(const grammar *g, int type, const int32_t *row, int f, unsigned char *ok)
{
    const int V = g->V[f];
    memset(ok, 0, (size_t)V);
    int n = 0;
    if (type == MUSC_MMT_INSTRUMENT) {
        if (f != 5) {
            ok[0] = 1;
            return 1;
        }
        for (int i = g->last_instrument + 1; i < V; i++)
            n += ok[i] = g->requested[i];
        return n;
    }
    if (type != MUSC_MMT_NOTE) {
        ok[0] = 1;
        return 1;
    }
    int lo = 1;
    if (f == 1)
        lo = g->beat > 1 ? g->beat : 1;
    else if (f == 2 && row[1] == g->beat)
        lo = g->position > 1 ? g->position : 1;
    for (int i = lo; i < V; i++) {
        int allow = f == 5 ? g->declared[i] : 1;
        n += ok[i] = (unsigned char)allow;
    }
    return n;
}

static musc_status grammar_feed(grammar *g, const int32_t *row, size_t index)
{
    const int type = row[0];
    unsigned char okt[5];
    allowed_types(g, okt);
    /* a song may end anywhere (the sampler closes it when out of room) */
    okt[MUSC_MMT_END_OF_SONG] |= g->type >= 0 && g->type != MUSC_MMT_END_OF_SONG;
    if (type < 0 || type > 4 || !okt[type])
        return musc_error(MUSC_ERR_FORMAT, "mmt: row %zu has type %d, not allowed after type %d",
                          index, type, g->type);
    for (int f = 1; f < NF; f++) {
        unsigned char *ok = malloc((size_t)g->V[f]);
        if (!ok)
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        int good = row[f] >= 0 && row[f] < g->V[f] && (allowed_codes(g, type, row, f, ok), ok[row[f]]);
        free(ok);
        if (!good)
            return musc_error(MUSC_ERR_FORMAT, "mmt: row %zu (type %d) has %s code %d, not allowed here",
                              index, type, musc_mmt_field_name(f), (int)row[f]);
    }
    g->type = type;
    if (type == MUSC_MMT_INSTRUMENT) {
        g->last_instrument = row[5];
        g->declared[row[5]] = 1;
    } else if (type == MUSC_MMT_NOTE) {
        g->beat = row[1];
        g->position = row[2];
        g->notes++;
    }
    return MUSC_OK;
}

musc_status musc_mmt_check_grammar(const int32_t *codes, size_t n_rows, const int V[NF],
                                   int complete)
{
    grammar g;
    if (grammar_init(&g, V, NULL, 0))
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    musc_status st = MUSC_OK;
    for (size_t i = 0; i < n_rows && st == MUSC_OK; i++)
        st = grammar_feed(&g, codes + i * NF, i);
    if (st == MUSC_OK && complete && (n_rows == 0 || g.type != MUSC_MMT_END_OF_SONG))
        st = musc_error(MUSC_ERR_FORMAT, "mmt: the sequence does not end with end-of-song");
    grammar_free(&g);
    return st;
}

size_t musc_mmt_prompt_rows(const int32_t *codes, size_t n_rows, int beats)
{
    size_t i = 0;
    for (; i < n_rows; i++) {
        const int32_t *r = codes + i * NF;
        if (r[0] == MUSC_MMT_END_OF_SONG || (r[0] == MUSC_MMT_NOTE && (int64_t)r[1] - 1 >= beats))
            break;
    }
    return i;
}

/* ---- filtering and drawing ------------------------------------------------ */

typedef struct cand {
    float v;
    int i;
} cand;

static int cand_desc(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i - y->i;
}

/* Draw a code from logits[V] among ok[] codes (at least one). */
static int draw(const float *logits, const unsigned char *ok, int V,
                const musc_mmt_sample_options *o, cand *c, musc_nn_rng *rng)
{
    int n = 0;
    for (int i = 0; i < V; i++)
        if (ok[i])
            c[n++] = (cand){logits[i], i};
    if (n == 1)
        return c[0].i;
    qsort(c, (size_t)n, sizeof *c, cand_desc);
    if (!(o->temperature > 0.0f))
        return c[0].i;
    int keep = n;
    if (o->top_p > 0.0f) {
        double mx = c[0].v, s = 0.0;
        for (int i = 0; i < n; i++)
            s += exp((c[i].v - mx) / o->temperature);
        double cum = 0.0;
        for (keep = 0; keep < n;) {
            cum += exp((c[keep].v - mx) / o->temperature) / s;
            keep++;
            if (cum >= o->top_p)
                break;
        }
    } else {
        int k = o->top_k > 0 ? o->top_k : (int)ceil(0.1 * V);
        keep = k < n ? k : n;
    }
    if (keep < 1)
        keep = 1;
    double mx = c[0].v, s = 0.0;
    double *p = malloc((size_t)keep * sizeof *p);
    if (!p)
        return c[0].i;
    for (int i = 0; i < keep; i++)
        s += p[i] = exp((c[i].v - mx) / o->temperature);
    double u = (double)(musc_nn_rng_next(rng) >> 11) * 0x1.0p-53 * s;
    int pick = keep - 1;
    for (int i = 0; i < keep; i++) {
        u -= p[i];
        if (u < 0) {
            pick = i;
            break;
        }
    }
    free(p);
    return c[pick].i;
}

/* ---- the loop --------------------------------------------------------------- */

typedef struct sampler {
    musc_mmt_model *m;
    const musc_mmt_sample_options *o;
    int32_t *rows;
    size_t n, cap;
} sampler;

/* Feed row `n - 1` to the model (cached), or recompute all rows. */
static musc_status feed_last(sampler *s)
{
    musc_mmt_model *m = s->m;
    if (s->o->use_cache)
        return musc_mmt_model_step(m, s->rows + (s->n - 1) * NF);
    const int T = (int)s->n, C = m->cfg.d_model;
    if (T > m->cfg.max_seq_len)
        return musc_error(MUSC_ERR_RANGE, "mmt: the model's context holds %d rows",
                          m->cfg.max_seq_len);
    musc_status st = mmt_reserve(m, 1, T);
    if (st != MUSC_OK)
        return st;
    memcpy(m->in, s->rows, (size_t)T * NF * sizeof(int32_t));
    if ((st = mmt_hidden(m, 1, T, 0, 0)) != MUSC_OK)
        return st;
    memcpy(m->s_h, m->h + (size_t)(T - 1) * C, (size_t)C * sizeof(float));
    return MUSC_OK;
}

static int push(sampler *s, const int32_t *row)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        int32_t *r = realloc(s->rows, cap * NF * sizeof *r);
        if (!r)
            return -1;
        s->rows = r;
        s->cap = cap;
    }
    memcpy(s->rows + s->n * NF, row, NF * sizeof *row);
    s->n++;
    return 0;
}

musc_status musc_mmt_generate(musc_mmt_model *m, const int32_t *prompt, size_t n_prompt,
                              const musc_mmt_sample_options *options, int32_t **codes,
                              size_t *n_rows, size_t *n_notes)
{
    *codes = NULL;
    *n_rows = 0;
    musc_mmt_sample_options o = options ? *options : musc_mmt_sample_options_default();
    const int *V = m->cfg.field_sizes;
    if (!(o.temperature >= 0.0f) || o.top_k < 0 || !(o.top_p >= 0.0f && o.top_p <= 1.0f) ||
        o.max_beats < 0 || o.max_notes < 0 || o.min_notes < 0 || o.max_rows < 0 || o.n_instruments < 0)
        return musc_error(MUSC_ERR_ARG, "mmt generate: bad sampling options");
    for (int i = 0; o.instruments && i < o.n_instruments; i++)
        if (o.instruments[i] < 1 || o.instruments[i] >= V[5])
            return musc_error(MUSC_ERR_ARG, "mmt generate: instrument code %d outside 1..%d",
                              o.instruments[i], V[5] - 1);
    if (o.instruments && o.n_instruments == 0)
        return musc_error(MUSC_ERR_ARG, "mmt generate: an empty instrument list");
    int max_rows = m->cfg.max_seq_len + 1;
    if (o.max_rows > 0 && o.max_rows < max_rows)
        max_rows = o.max_rows;
    static const int32_t sos[NF] = {0};
    if (!prompt || !n_prompt) {
        prompt = sos;
        n_prompt = 1;
    }
    if (n_prompt > 0 && prompt[(n_prompt - 1) * NF] == MUSC_MMT_END_OF_SONG)
        n_prompt--;
    if ((int)n_prompt + 1 > max_rows || n_prompt < 1)
        return musc_error(MUSC_ERR_ARG, "mmt generate: a prompt of %zu rows (the model reads at "
                          "most %d)", n_prompt, max_rows - 1);
    grammar g;
    sampler s = {m, &o, NULL, 0, 0};
    int maxv = 0;
    for (int f = 0; f < NF; f++)
        maxv = V[f] > maxv ? V[f] : maxv;
    float *logits = malloc((size_t)maxv * sizeof *logits);
    unsigned char *ok = malloc((size_t)maxv);
    cand *cands = malloc((size_t)maxv * sizeof *cands);
    musc_status st = MUSC_OK;
    if (grammar_init(&g, V, o.instruments, o.n_instruments) || !logits || !ok || !cands) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (o.instruments) {
        /* the prompt's own instrument rows stay allowed */
        for (size_t i = 0; i < n_prompt; i++)
            if (prompt[i * NF] == MUSC_MMT_INSTRUMENT && prompt[i * NF + 5] >= 1 &&
                prompt[i * NF + 5] < V[5])
                g.requested[prompt[i * NF + 5]] = 1;
    }
    if ((st = musc_mmt_model_begin(m)) != MUSC_OK)
        goto done;
    for (size_t i = 0; i < n_prompt; i++) {
        if ((st = grammar_feed(&g, prompt + i * NF, i)) != MUSC_OK) {
            st = musc_error(MUSC_ERR_ARG, "mmt generate: the prompt breaks the grammar: %s",
                            musc_errmsg());
            goto done;
        }
        if (push(&s, prompt + i * NF)) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((st = feed_last(&s)) != MUSC_OK)
            goto done;
    }
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, o.seed);
    for (;;) {
        int32_t row[NF] = {0};
        int stop = (int)s.n + 1 >= max_rows || (o.max_notes > 0 && g.notes >= (size_t)o.max_notes &&
                                                g.type == MUSC_MMT_NOTE);
        unsigned char okt[5];
        allowed_types(&g, okt);
        if (o.min_notes > 0 && g.notes < (size_t)o.min_notes && okt[MUSC_MMT_NOTE])
            okt[MUSC_MMT_END_OF_SONG] = 0;
        if (!memchr(okt, 1, 5))
            stop = 1;
        if (!stop) {
            if ((st = musc_mmt_model_head(m, 0, row, logits)) != MUSC_OK)
                goto done;
            row[0] = draw(logits, okt, 5, &o, cands, &rng);
            for (int f = 1; f < NF; f++) {
                int n = allowed_codes(&g, row[0], row, f, ok);
                if (n == 0) {
                    st = musc_error(MUSC_ERR_INTERNAL, "mmt generate: no code allowed for %s",
                                    musc_mmt_field_name(f));
                    goto done;
                }
                if (n == 1 && ok[0]) {
                    row[f] = 0;
                    continue;
                }
                if ((st = musc_mmt_model_head(m, f, row, logits)) != MUSC_OK)
                    goto done;
                row[f] = draw(logits, ok, V[f], &o, cands, &rng);
                if (f == 1 && o.max_beats > 0 && (int64_t)row[1] - 1 >= o.max_beats) {
                    stop = 1;
                    break;
                }
            }
            if (!stop && row[0] == MUSC_MMT_END_OF_SONG)
                stop = 1;
        }
        if (stop) {
            int32_t eos[NF] = {MUSC_MMT_END_OF_SONG, 0, 0, 0, 0, 0};
            if (push(&s, eos))
                st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            break;
        }
        if ((st = grammar_feed(&g, row, s.n)) != MUSC_OK) {
            st = musc_error(MUSC_ERR_INTERNAL, "mmt generate: %s", musc_errmsg());
            goto done;
        }
        if (push(&s, row)) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((int)s.n + 1 < max_rows && (st = feed_last(&s)) != MUSC_OK)
            goto done;
    }
done:
    grammar_free(&g);
    free(logits);
    free(ok);
    free(cands);
    if (st != MUSC_OK) {
        free(s.rows);
        return st;
    }
    *codes = s.rows;
    *n_rows = s.n;
    if (n_notes)
        *n_notes = g.notes;
    return MUSC_OK;
}
