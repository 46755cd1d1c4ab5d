/*
 * Instrumentation models: two baselines and two recurrent networks, one
 * struct, one checkpoint format.
 *
 * Baselines (Arranger's): the zone model keeps one contiguous pitch range per
 * part, ordered like the parts' mean pitches, with the boundaries that
 * maximise training accuracy (a dynamic program over the 128 pitches). The
 * closest-pitch model walks the piece onset by onset and gives each note to
 * the part whose previous note is nearest; the notes of one onset are
 * assigned together, in pitch order, to parts in mean-pitch order (distinct
 * parts when the training parts are mostly monophonic, as in chorales and
 * quartets), so a chord is never piled onto one voice.
 *
 * Networks: the per-note feature codes are embedded and summed, run through
 * a stack of LSTM layers (causal for the online model; forward and reverse
 * halves concatenated for the offline one), with dropout between layers,
 * and a linear layer gives one logit per part. The transformer adds a
 * learned embedding of each note's index within its window (0..W-1) to the
 * summed features, runs the engine's pre-LN stack as an encoder
 * (bidirectional attention, a key padding mask for each window's length)
 * and the same linear layer; pieces longer than W are labelled window by
 * window and stitched (see musc_instrument_predict). Training samples windows of
 * up to seq_len notes, optionally transposed, and keeps the parameters that
 * scored best on the validation pieces.
 */
#include "musc/instrument.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model_config.h"
#include "musc/nn.h"

#define MAX_LAYERS 8
#define HINT_VOCAB (2 * MUSC_INSTR_HINT_RANGE + 1)

struct musc_instrument_model {
    musc_instrument_kind kind;
    musc_instrument_ensemble ens;
    int K;
    float mean[MUSC_INSTR_MAX_PARTS]; /* training mean pitch per part */
    int order[MUSC_INSTR_MAX_PARTS];  /* parts by ascending mean pitch */
    int part_of_pitch[128];           /* zone */
    int mono;                         /* closest: distinct parts per onset */
    /* networks */
    int layers, hidden, embed, hints, dirs;
    float dropout;
    int heads, window;           /* transformer */
    musc_nn_decoder *enc;        /* transformer: the stack, run as an encoder */
    const float *enc_out;        /* its output for the last forward */
    musc_nn_params params;
    /* activations for the current B x T (grown on demand) */
    float *act;
    size_t act_cap;
    int32_t *codes, *targets, *lens;
    size_t rows_cap, lens_cap;
};

#define N_KINDS 5
static const char *const kind_names[N_KINDS] = {"zone", "closest", "lstm", "bilstm",
                                                "transformer"};

const char *musc_instrument_kind_name(musc_instrument_kind k)
{
    return (unsigned)k < N_KINDS ? kind_names[k] : NULL;
}

int musc_instrument_kind_from_name(const char *name)
{
    for (int i = 0; name && i < N_KINDS; i++)
        if (!strcmp(name, kind_names[i]))
            return i;
    return -1;
}

musc_instrument_kind musc_instrument_model_kind(const musc_instrument_model *m) { return m->kind; }
musc_instrument_ensemble musc_instrument_model_ensemble(const musc_instrument_model *m)
{
    return m->ens;
}
int musc_instrument_model_parts(const musc_instrument_model *m) { return m->K; }
int musc_instrument_model_online(const musc_instrument_model *m)
{
    return m->kind != MUSC_INSTR_BILSTM && m->kind != MUSC_INSTR_TRANSFORMER;
}

static int is_rnn(const musc_instrument_model *m)
{
    return m->kind == MUSC_INSTR_LSTM || m->kind == MUSC_INSTR_BILSTM;
}
int musc_instrument_model_hints(const musc_instrument_model *m) { return m->hints; }

musc_instrument_train_options musc_instrument_train_defaults(void)
{
    musc_instrument_train_options o;
    memset(&o, 0, sizeof o);
    o.steps = 1500;
    o.batch = 16;
    o.seq_len = 256;
    o.lr = 2e-3f;
    o.dropout = 0.1f;
    o.seed = 1;
    return o;
}

void musc_instrument_model_free(musc_instrument_model *m)
{
    if (!m)
        return;
    musc_nn_params_free(&m->params);
    musc_nn_decoder_free(m->enc);
    free(m->act);
    free(m->codes);
    free(m->targets);
    free(m->lens);
    free(m);
}

/* ------------------------------------------------------------- statistics */

static void set_order(musc_instrument_model *m)
{
    for (int k = 0; k < m->K; k++)
        m->order[k] = k;
    for (int i = 1; i < m->K; i++) /* insertion sort by mean, stable */
        for (int j = i; j > 0 && m->mean[m->order[j]] < m->mean[m->order[j - 1]]; j--) {
            int t = m->order[j];
            m->order[j] = m->order[j - 1];
            m->order[j - 1] = t;
        }
}

/* Per-part pitch histogram, means, and how often a part sounds two notes at
 * one onset. */
static musc_status gather_stats(musc_instrument_model *m, const musc_instrument_set *set,
                                double (*hist)[128])
{
    double sum[MUSC_INSTR_MAX_PARTS] = {0};
    size_t cnt[MUSC_INSTR_MAX_PARTS] = {0}, total = 0, shared = 0;
    for (size_t i = 0; i < set->n_pieces; i++) {
        const musc_instrument_piece *p = &set->pieces[i];
        if (p->n_parts != m->K)
            return musc_error(MUSC_ERR_ARG, "instrument: piece %s has %d parts, expected %d",
                              p->name ? p->name : "?", p->n_parts, m->K);
        for (size_t j = 0; j < p->n_notes; j++) {
            const musc_instrument_note *n = &p->notes[j];
            if (n->label < 0 || n->label >= m->K)
                continue;
            hist[n->label][n->pitch] += 1;
            sum[n->label] += n->pitch;
            cnt[n->label]++;
            total++;
            /* notes are sorted by (time, pitch, label): look at neighbours */
            int dup = 0;
            for (size_t q = j; q-- > 0 && p->notes[q].time == n->time;)
                dup |= p->notes[q].label == n->label;
            for (size_t q = j + 1; q < p->n_notes && p->notes[q].time == n->time; q++)
                dup |= p->notes[q].label == n->label;
            shared += dup;
        }
    }
    if (!total)
        return musc_error(MUSC_ERR_ARG, "instrument: no labelled notes to train on");
    for (int k = 0; k < m->K; k++)
        m->mean[k] = cnt[k] ? (float)(sum[k] / cnt[k]) : 60.0f;
    m->mono = (double)shared / total < 0.05;
    set_order(m);
    return MUSC_OK;
}

/* Contiguous zones in mean-pitch order maximising the training notes that
 * fall in their own part's zone. */
static void fit_zones(musc_instrument_model *m, double (*hist)[128])
{
    int K = m->K;
    double best[MUSC_INSTR_MAX_PARTS][128];
    int from[MUSC_INSTR_MAX_PARTS][128];
    for (int r = 0; r < K; r++)
        for (int p = 0; p < 128; p++) {
            double gain = hist[m->order[r]][p];
            if (p == 0) {
                best[r][0] = gain;
                from[r][0] = r;
                continue;
            }
            int arg = 0;
            for (int q = 1; q <= r; q++)
                if (best[q][p - 1] > best[arg][p - 1])
                    arg = q;
            best[r][p] = best[arg][p - 1] + gain;
            from[r][p] = arg;
        }
    int r = 0;
    for (int q = 1; q < K; q++)
        if (best[q][127] > best[r][127])
            r = q;
    for (int p = 127; p >= 0; p--) {
        m->part_of_pitch[p] = m->order[r];
        r = from[r][p];
    }
}

/* ------------------------------------------------------------- baselines */

static void predict_zone(const musc_instrument_model *m, const musc_instrument_piece *p,
                         int *labels)
{
    for (size_t i = 0; i < p->n_notes; i++)
        labels[i] = m->part_of_pitch[p->notes[i].pitch];
}

static void predict_closest(const musc_instrument_model *m, const musc_instrument_piece *p,
                            int *labels)
{
    int K = m->K;
    double last[MUSC_INSTR_MAX_PARTS];
    for (int k = 0; k < K; k++)
        last[k] = m->mean[k];
    size_t i = 0;
    while (i < p->n_notes) {
        size_t j = i;
        while (j < p->n_notes && p->notes[j].time == p->notes[i].time)
            j++;
        size_t n = j - i; /* one onset, pitches ascending */
        int strict = m->mono && n <= (size_t)K;
        /* cost[a][r]: best cost with note a at rank r; rank sequence strictly
         * (or weakly) increasing */
        double prev[MUSC_INSTR_MAX_PARTS], cur[MUSC_INSTR_MAX_PARTS];
        unsigned char *back = malloc(n * MUSC_INSTR_MAX_PARTS);
        if (!back) { /* fall back to independent choices */
            for (size_t a = 0; a < n; a++) {
                int bk = 0;
                for (int k = 1; k < K; k++)
                    if (fabs(p->notes[i + a].pitch - last[k]) <
                        fabs(p->notes[i + a].pitch - last[bk]))
                        bk = k;
                labels[i + a] = bk;
            }
            i = j;
            continue;
        }
        for (size_t a = 0; a < n; a++) {
            double pitch = p->notes[i + a].pitch;
            for (int r = 0; r < K; r++) {
                double c = fabs(pitch - last[m->order[r]]);
                if (a == 0) {
                    cur[r] = c;
                    back[r] = 0;
                    continue;
                }
                double b = INFINITY;
                int arg = 0;
                for (int q = 0; q <= r - strict; q++)
                    if (prev[q] < b) {
                        b = prev[q];
                        arg = q;
                    }
                cur[r] = b + c;
                back[a * MUSC_INSTR_MAX_PARTS + r] = (unsigned char)arg;
            }
            memcpy(prev, cur, sizeof cur);
        }
        int r = 0;
        for (int q = 1; q < K; q++)
            if (prev[q] < prev[r])
                r = q;
        double sum[MUSC_INSTR_MAX_PARTS] = {0};
        int cnt[MUSC_INSTR_MAX_PARTS] = {0};
        for (size_t a = n; a-- > 0;) {
            int part = m->order[r];
            labels[i + a] = part;
            sum[part] += p->notes[i + a].pitch;
            cnt[part]++;
            r = back[a * MUSC_INSTR_MAX_PARTS + r];
        }
        for (int k = 0; k < K; k++)
            if (cnt[k])
                last[k] = sum[k] / cnt[k];
        free(back);
        i = j;
    }
}

/* --------------------------------------------------------------- network */

static int n_fields(const musc_instrument_model *m)
{
    return 4 + (m->hints ? 1 + m->K : 0);
}

static musc_status declare_params(musc_instrument_model *m)
{
    musc_nn_params *P = &m->params;
    int K = m->K, E = m->embed, H = m->hidden;
    char name[64];
    int st = 0;
#define ADD2(nm, a, b, fl)                                                                        \
    do {                                                                                          \
        int shp_[2] = {(a), (b)};                                                                 \
        if ((st = musc_nn_params_add(P, (nm), 2, shp_, (fl))) < 0)                                \
            return st;                                                                            \
    } while (0)
#define ADD1(nm, a, fl)                                                                           \
    do {                                                                                          \
        int shp_[1] = {(a)};                                                                      \
        if ((st = musc_nn_params_add(P, (nm), 1, shp_, (fl))) < 0)                                \
            return st;                                                                            \
    } while (0)
    ADD1("stats.mean", K, MUSC_NN_NO_DECAY);
    if (m->kind == MUSC_INSTR_ZONE)
        ADD1("zone.part", 128, MUSC_NN_NO_DECAY);
    if (m->kind == MUSC_INSTR_CLOSEST)
        ADD1("closest.mono", 1, MUSC_NN_NO_DECAY);
    if (m->kind < MUSC_INSTR_LSTM)
        return MUSC_OK;
    ADD2("emb.pitch", MUSC_INSTR_PITCHES, E, 0);
    ADD2("emb.duration", MUSC_INSTR_DURATIONS, E, 0);
    ADD2("emb.beat", MUSC_INSTR_BEATS, E, 0);
    ADD2("emb.position", MUSC_INSTR_POSITIONS, E, 0);
    if (m->hints) {
        ADD2("emb.entry", 1 << MUSC_INSTR_MAX_PARTS, E, 0);
        for (int k = 0; k < K; k++) {
            snprintf(name, sizeof name, "emb.pitch_hint%d", k);
            ADD2(name, HINT_VOCAB, E, 0);
        }
    }
    if (m->kind == MUSC_INSTR_TRANSFORMER) {
        ADD2("emb.index", m->window, E, 0);
        musc_nn_decoder_config dc = {m->layers, E, m->heads, 4 * E, m->dropout, 0.0f};
        if ((st = musc_nn_decoder_new(&dc, P, "enc.", &m->enc)) != MUSC_OK)
            return st;
    }
    for (int l = 0; m->kind != MUSC_INSTR_TRANSFORMER && l < m->layers; l++)
        for (int d = 0; d < m->dirs; d++) {
            int in = l == 0 ? E : H * m->dirs;
            snprintf(name, sizeof name, "lstm%d.%s.wx", l, d ? "rev" : "fwd");
            ADD2(name, 4 * H, in, 0);
            snprintf(name, sizeof name, "lstm%d.%s.wh", l, d ? "rev" : "fwd");
            ADD2(name, 4 * H, H, 0);
            snprintf(name, sizeof name, "lstm%d.%s.b", l, d ? "rev" : "fwd");
            ADD1(name, 4 * H, MUSC_NN_NO_DECAY);
        }
    ADD2("out.w", K, H * m->dirs, 0);
    ADD1("out.b", K, MUSC_NN_NO_DECAY);
#undef ADD1
#undef ADD2
    return MUSC_OK;
}

static float *tensor(musc_instrument_model *m, const char *name, int grad)
{
    int i = musc_nn_params_find(&m->params, name);
    if (i < 0)
        return NULL;
    return grad ? m->params.tensors[i].grad : m->params.tensors[i].data;
}

/* Copy the statistics into / out of the parameter tensors. */
static void stats_to_params(musc_instrument_model *m)
{
    float *mean = tensor(m, "stats.mean", 0);
    memcpy(mean, m->mean, (size_t)m->K * sizeof *mean);
    float *zone = tensor(m, "zone.part", 0);
    for (int p = 0; zone && p < 128; p++)
        zone[p] = (float)m->part_of_pitch[p];
    float *mono = tensor(m, "closest.mono", 0);
    if (mono)
        mono[0] = (float)m->mono;
}

static musc_status params_to_stats(musc_instrument_model *m)
{
    const float *mean = tensor(m, "stats.mean", 0);
    for (int k = 0; k < m->K; k++) {
        if (!(mean[k] >= 0 && mean[k] <= 127))
            return musc_error(MUSC_ERR_FORMAT, "instrument model: mean pitch %d is not 0..127", k);
        m->mean[k] = mean[k];
    }
    set_order(m);
    const float *zone = tensor(m, "zone.part", 0);
    for (int p = 0; zone && p < 128; p++) {
        if (!(zone[p] >= 0 && zone[p] < m->K))
            return musc_error(MUSC_ERR_FORMAT, "instrument model: zone of pitch %d is not a part",
                              p);
        m->part_of_pitch[p] = (int)zone[p];
    }
    const float *mono = tensor(m, "closest.mono", 0);
    if (mono)
        m->mono = mono[0] != 0;
    return MUSC_OK;
}

/* Activation layout for B x T rows: offsets into one float block. */
typedef struct {
    size_t x0, logits, lse, drop[MAX_LAYERS], cat[MAX_LAYERS];
    size_t h[MAX_LAYERS][2], c[MAX_LAYERS][2], g[MAX_LAYERS][2];
    size_t dx0, dA, dB, dh[2];
    size_t total;
} layout;

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

static layout plan(const musc_instrument_model *m, size_t N, int train)
{
    layout L;
    memset(&L, 0, sizeof L);
    size_t off = 0, E = (size_t)m->embed, H = (size_t)m->hidden, D = H * m->dirs;
#define TAKE(field, n) (L.field = off, off += round16(n))
    TAKE(x0, N * E);
    TAKE(logits, N * m->K);
    TAKE(lse, N);
    for (int l = 0; is_rnn(m) && l < m->layers; l++) {
        for (int d = 0; d < m->dirs; d++) {
            TAKE(h[l][d], N * H);
            TAKE(c[l][d], N * H);
            TAKE(g[l][d], N * 4 * H);
        }
        TAKE(cat[l], N * D);
        TAKE(drop[l], N * D);
    }
    if (train) {
        TAKE(dx0, N * E);
        TAKE(dA, N * D);
        TAKE(dB, N * (D > (size_t)m->K ? D : (size_t)m->K));
        TAKE(dh[0], N * H);
        TAKE(dh[1], N * H);
    }
#undef TAKE
    L.total = off;
    return L;
}

static musc_status reserve(musc_instrument_model *m, size_t N, size_t floats, int B)
{
    if ((size_t)B > m->lens_cap) {
        int32_t *l = realloc(m->lens, (size_t)B * sizeof *l);
        if (!l)
            return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
        m->lens = l;
        m->lens_cap = (size_t)B;
    }
    if (floats > m->act_cap) {
        float *a = realloc(m->act, floats * sizeof *a);
        if (!a)
            return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory for activations");
        m->act = a;
        m->act_cap = floats;
    }
    if (N > m->rows_cap) {
        int32_t *t = realloc(m->targets, N * sizeof *t);
        if (t)
            m->targets = t;
        int32_t *c = realloc(m->codes, N * (size_t)n_fields(m) * sizeof *c);
        if (c)
            m->codes = c;
        if (!t || !c)
            return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory for codes");
        m->rows_cap = N;
    }
    return MUSC_OK;
}

/* The n_fields(m) feature codes of one note; `means` are the pitch-hint
 * means (the piece's when labelled, else the model's) and entry hints are
 * used only when `labelled`. */
static void note_codes(const musc_instrument_model *m, const musc_instrument_note *n,
                       int labelled, const float *means, int shift, int32_t *c)
{
    int pitch = n->pitch + shift;
    while (pitch < 0)
        pitch += 12;
    while (pitch > 127)
        pitch -= 12;
    c[0] = pitch;
    c[1] = n->duration_code;
    c[2] = n->beat;
    c[3] = n->position;
    if (!m->hints)
        return;
    c[4] = labelled ? n->entry & 15 : 0;
    for (int k = 0; k < m->K; k++) {
        long d = lround((double)means[k] - n->pitch);
        d = d < -MUSC_INSTR_HINT_RANGE ? -MUSC_INSTR_HINT_RANGE
            : d > MUSC_INSTR_HINT_RANGE ? MUSC_INSTR_HINT_RANGE
                                        : d;
        c[5 + k] = (int32_t)d + MUSC_INSTR_HINT_RANGE;
    }
}

/* Feature codes of one window [start, start+len) of a piece into row block
 * `row` (T rows; rows past len are padding). */
static void encode(musc_instrument_model *m, const musc_instrument_piece *p, size_t start,
                   int len, int T, size_t row, int shift)
{
    int F = n_fields(m), labelled = p->n_parts == m->K;
    for (int t = 0; t < T; t++) {
        int32_t *c = m->codes + (row + t) * F;
        if (t >= len) {
            memset(c, 0, (size_t)F * sizeof *c);
            m->targets[row + t] = -1;
            continue;
        }
        const musc_instrument_note *n = &p->notes[start + t];
        note_codes(m, n, labelled, labelled ? p->mean_pitch : m->mean, shift, c);
        m->targets[row + t] = n->label >= 0 && n->label < m->K ? n->label : -1;
    }
}

static uint64_t mix(uint64_t seed, uint64_t a, uint64_t b)
{
    return (seed * 0x9e3779b97f4a7c15ull) ^ (a * 0xbf58476d1ce4e5b9ull) ^ (b + 0x94d049bb133111ebull);
}

/* Forward over m->codes for B x T rows (lengths m->lens); logits into the
 * layout. */
static musc_status forward(musc_instrument_model *m, const layout *L, int B, int T, int train,
                           uint64_t seed)
{
    size_t N = (size_t)B * T;
    int E = m->embed, H = m->hidden, D = H * m->dirs, F = n_fields(m);
    float *A = m->act;
    const float *tables[4 + 1 + MUSC_INSTR_MAX_PARTS];
    int vocabs[4 + 1 + MUSC_INSTR_MAX_PARTS] = {MUSC_INSTR_PITCHES, MUSC_INSTR_DURATIONS,
                                                MUSC_INSTR_BEATS, MUSC_INSTR_POSITIONS};
    tables[0] = tensor(m, "emb.pitch", 0);
    tables[1] = tensor(m, "emb.duration", 0);
    tables[2] = tensor(m, "emb.beat", 0);
    tables[3] = tensor(m, "emb.position", 0);
    if (m->hints) {
        tables[4] = tensor(m, "emb.entry", 0);
        vocabs[4] = 1 << MUSC_INSTR_MAX_PARTS;
        for (int k = 0; k < m->K; k++) {
            char nm[32];
            snprintf(nm, sizeof nm, "emb.pitch_hint%d", k);
            tables[5 + k] = tensor(m, nm, 0);
            vocabs[5 + k] = HINT_VOCAB;
        }
    }
    musc_status st = musc_nn_embedding_sum_forward(A + L->x0, m->codes, F, tables, vocabs, F,
                                                   (int)N, E);
    if (st)
        return st;
    if (m->kind == MUSC_INSTR_TRANSFORMER) {
        if (T > m->window)
            return musc_error(MUSC_ERR_ARG, "instrument: %d notes exceed the window of %d", T,
                              m->window);
        const float *pos = tensor(m, "emb.index", 0);
        for (size_t r = 0; r < N; r++) {
            float *x = A + L->x0 + r * E;
            const float *pe = pos + (r % (size_t)T) * E;
            for (int c = 0; c < E; c++)
                x[c] += pe[c];
        }
        musc_nn_decoder_set_mask(m->enc, 0, m->lens);
        st = musc_nn_decoder_forward(m->enc, &m->params, A + L->x0, B, T, train, seed, &m->enc_out);
        if (st)
            return st;
        musc_nn_linear_forward(A + L->logits, m->enc_out, tensor(m, "out.w", 0),
                               tensor(m, "out.b", 0), (int)N, E, m->K);
        return MUSC_OK;
    }
    const float *in = A + L->x0;
    int Din = E;
    for (int l = 0; l < m->layers; l++) {
        for (int d = 0; d < m->dirs; d++) {
            char nm[3][32];
            snprintf(nm[0], 32, "lstm%d.%s.wx", l, d ? "rev" : "fwd");
            snprintf(nm[1], 32, "lstm%d.%s.wh", l, d ? "rev" : "fwd");
            snprintf(nm[2], 32, "lstm%d.%s.b", l, d ? "rev" : "fwd");
            musc_nn_lstm_forward(A + L->h[l][d], A + L->c[l][d], A + L->g[l][d], in,
                                 tensor(m, nm[0], 0), tensor(m, nm[1], 0), tensor(m, nm[2], 0),
                                 m->lens, B, T, Din, H, d);
        }
        float *cat = A + L->cat[l];
        for (size_t r = 0; r < N; r++)
            for (int d = 0; d < m->dirs; d++)
                memcpy(cat + r * D + (size_t)d * H, A + L->h[l][d] + r * H,
                       (size_t)H * sizeof *cat);
        float p = train ? m->dropout : 0.0f;
        musc_nn_dropout_forward(A + L->drop[l], cat, N * D, p, mix(seed, 11, (uint64_t)l));
        in = A + L->drop[l];
        Din = D;
    }
    musc_nn_linear_forward(A + L->logits, in, tensor(m, "out.w", 0), tensor(m, "out.b", 0),
                           (int)N, D, m->K);
    return MUSC_OK;
}

static musc_status backward(musc_instrument_model *m, const layout *L, int B, int T,
                            uint64_t seed, double weight_sum)
{
    size_t N = (size_t)B * T;
    int E = m->embed, H = m->hidden, D = H * m->dirs, F = n_fields(m);
    float *A = m->act;
    /* the logits' gradient lives in dB until the first layer needs it */
    float *dlog = A + L->dB;
    memset(dlog, 0, N * (size_t)m->K * sizeof *dlog);
    musc_nn_xent_backward(dlog, A + L->logits, A + L->lse, m->targets, NULL, -1,
                          (float)(1.0 / weight_sum), (int)N, m->K);
    float *dy = A + L->dA;
    memset(dy, 0, N * (size_t)D * sizeof *dy);
    if (m->kind == MUSC_INSTR_TRANSFORMER) {
        musc_nn_linear_backward(dy, tensor(m, "out.w", 1), tensor(m, "out.b", 1), dlog,
                                m->enc_out, tensor(m, "out.w", 0), (int)N, E, m->K);
        memset(A + L->dx0, 0, N * (size_t)E * sizeof(float));
        musc_status st = musc_nn_decoder_backward(m->enc, &m->params, A + L->x0, dy, A + L->dx0);
        if (st)
            return st;
        float *dpos = tensor(m, "emb.index", 1);
        for (size_t r = 0; r < N; r++) {
            const float *g = A + L->dx0 + r * E;
            float *dp = dpos + (r % (size_t)T) * E;
            for (int c = 0; c < E; c++)
                dp[c] += g[c];
        }
    } else
        musc_nn_linear_backward(dy, tensor(m, "out.w", 1), tensor(m, "out.b", 1), dlog,
                                A + L->drop[m->layers - 1], tensor(m, "out.w", 0), (int)N, D,
                                m->K);
    for (int l = m->layers - 1; is_rnn(m) && l >= 0; l--) {
        float *dcat = A + L->dB;
        memset(dcat, 0, N * (size_t)D * sizeof *dcat);
        musc_nn_dropout_backward(dcat, dy, N * D, m->dropout, mix(seed, 11, (uint64_t)l));
        const float *in = l == 0 ? A + L->x0 : A + L->drop[l - 1];
        int Din = l == 0 ? E : D;
        float *din = l == 0 ? A + L->dx0 : A + L->dA;
        memset(din, 0, N * (size_t)Din * sizeof *din);
        for (int d = 0; d < m->dirs; d++) {
            float *dh = A + L->dh[d];
            for (size_t r = 0; r < N; r++)
                memcpy(dh + r * H, dcat + r * D + (size_t)d * H, (size_t)H * sizeof *dh);
            char nm[3][32];
            snprintf(nm[0], 32, "lstm%d.%s.wx", l, d ? "rev" : "fwd");
            snprintf(nm[1], 32, "lstm%d.%s.wh", l, d ? "rev" : "fwd");
            snprintf(nm[2], 32, "lstm%d.%s.b", l, d ? "rev" : "fwd");
            musc_status st = musc_nn_lstm_backward(
                din, tensor(m, nm[0], 1), tensor(m, nm[1], 1), tensor(m, nm[2], 1), dh, in,
                A + L->h[l][d], A + L->c[l][d], A + L->g[l][d], tensor(m, nm[0], 0),
                tensor(m, nm[1], 0), m->lens, B, T, Din, H, d);
            if (st)
                return st;
        }
        /* for l > 0, din is dA, where dy lived: dy was consumed into dcat
         * (dB) before din was cleared */
        dy = din;
    }
    float *dtables[4 + 1 + MUSC_INSTR_MAX_PARTS];
    dtables[0] = tensor(m, "emb.pitch", 1);
    dtables[1] = tensor(m, "emb.duration", 1);
    dtables[2] = tensor(m, "emb.beat", 1);
    dtables[3] = tensor(m, "emb.position", 1);
    if (m->hints) {
        dtables[4] = tensor(m, "emb.entry", 1);
        for (int k = 0; k < m->K; k++) {
            char nm[32];
            snprintf(nm, sizeof nm, "emb.pitch_hint%d", k);
            dtables[5 + k] = tensor(m, nm, 1);
        }
    }
    musc_nn_embedding_sum_backward(dtables, m->codes, F, F, A + L->dx0, (int)N, E);
    return MUSC_OK;
}

#define WINDOW_BATCH 16 /* transformer windows per forward */

/* The transformer over windows of W notes starting every W/2 (the last one
 * ending at the piece's end); each note keeps the label of the window
 * whose centre is nearest (the earlier one on a tie). */
static musc_status predict_windows(musc_instrument_model *m, const musc_instrument_piece *p,
                                   int *labels)
{
    size_t n = p->n_notes, W = (size_t)m->window, stride = W / 2 ? W / 2 : 1;
    int T = n < W ? (int)n : (int)W;
    size_t n_win = n <= W ? 1 : (n - W + stride - 1) / stride + 1;
    double *dist = malloc(n * sizeof *dist);
    if (!dist)
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    for (size_t i = 0; i < n; i++)
        dist[i] = INFINITY;
    musc_status st = MUSC_OK;
    for (size_t w0 = 0; w0 < n_win && !st; w0 += WINDOW_BATCH) {
        int B = n_win - w0 < WINDOW_BATCH ? (int)(n_win - w0) : WINDOW_BATCH;
        size_t N = (size_t)B * T, start[WINDOW_BATCH];
        layout L = plan(m, N, 0);
        if ((st = reserve(m, N, L.total, B)))
            break;
        for (int b = 0; b < B; b++) {
            size_t s = (w0 + b) * stride;
            start[b] = s + (size_t)T > n ? n - (size_t)T : s;
            m->lens[b] = T;
            encode(m, p, start[b], T, T, (size_t)b * T, 0);
        }
        if ((st = forward(m, &L, B, T, 0, 0)))
            break;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) {
                size_t i = start[b] + (size_t)t;
                double d = fabs((double)t - 0.5 * (T - 1));
                if (d >= dist[i])
                    continue;
                dist[i] = d;
                const float *lg = m->act + L.logits + ((size_t)b * T + t) * m->K;
                int best = 0;
                for (int k = 1; k < m->K; k++)
                    if (lg[k] > lg[best])
                        best = k;
                labels[i] = best;
            }
    }
    free(dist);
    return st;
}

static musc_status predict_net(musc_instrument_model *m, const musc_instrument_piece *p,
                               int *labels)
{
    if (p->n_notes > (size_t)1 << 24)
        return musc_error(MUSC_ERR_RANGE, "instrument: %zu notes is too many for one piece",
                          p->n_notes);
    if (m->kind == MUSC_INSTR_TRANSFORMER)
        return predict_windows(m, p, labels);
    int T = (int)p->n_notes;
    layout L = plan(m, (size_t)T, 0);
    musc_status st = reserve(m, (size_t)T, L.total, 1);
    if (st)
        return st;
    m->lens[0] = T;
    encode(m, p, 0, T, T, 0, 0);
    st = forward(m, &L, 1, T, 0, 0);
    if (st)
        return st;
    const float *lg = m->act + L.logits;
    for (int t = 0; t < T; t++) {
        int best = 0;
        for (int k = 1; k < m->K; k++)
            if (lg[(size_t)t * m->K + k] > lg[(size_t)t * m->K + best])
                best = k;
        labels[t] = best;
    }
    return MUSC_OK;
}

musc_status musc_instrument_predict(musc_instrument_model *m, const musc_instrument_piece *p,
                                    int *labels)
{
    if (!m || !p || (!labels && p->n_notes))
        return musc_error(MUSC_ERR_ARG, "instrument: predict needs a model, a piece and labels");
    if (p->n_parts && p->n_parts != m->K)
        return musc_error(MUSC_ERR_ARG, "instrument: the piece has %d parts, the model %d",
                          p->n_parts, m->K);
    if (!p->n_notes)
        return MUSC_OK;
    switch (m->kind) {
    case MUSC_INSTR_ZONE:
        predict_zone(m, p, labels);
        return MUSC_OK;
    case MUSC_INSTR_CLOSEST:
        predict_closest(m, p, labels);
        return MUSC_OK;
    default:
        return predict_net(m, p, labels);
    }
}

/* Label several pieces in one batch (padded to the longest; each keeps
 * its own length, so the result equals labelling them one by one). */
static musc_status predict_batch(musc_instrument_model *m, const musc_instrument_piece *const *ps,
                                 int B, int **labels)
{
    int T = 1;
    for (int b = 0; b < B; b++)
        T = ps[b]->n_notes > (size_t)T ? (int)ps[b]->n_notes : T;
    size_t N = (size_t)B * T;
    layout L = plan(m, N, 0);
    musc_status st = reserve(m, N, L.total, B);
    if (st)
        return st;
    for (int b = 0; b < B; b++) {
        m->lens[b] = (int32_t)ps[b]->n_notes;
        encode(m, ps[b], 0, (int)ps[b]->n_notes, T, (size_t)b * T, 0);
    }
    st = forward(m, &L, B, T, 0, 0);
    if (st)
        return st;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < m->lens[b]; t++) {
            const float *lg = m->act + L.logits + ((size_t)b * T + t) * m->K;
            int best = 0;
            for (int k = 1; k < m->K; k++)
                if (lg[k] > lg[best])
                    best = k;
            labels[b][t] = best;
        }
    return MUSC_OK;
}

static int by_length(const void *a, const void *b)
{
    const musc_instrument_piece *x = *(const musc_instrument_piece *const *)a,
                                *y = *(const musc_instrument_piece *const *)b;
    return (x->n_notes > y->n_notes) - (x->n_notes < y->n_notes);
}

#define EVAL_ROWS 8192 /* rows per evaluation batch (activation memory) */
#define EVAL_BATCH 32

musc_status musc_instrument_evaluate(musc_instrument_model *m, const musc_instrument_set *set,
                                     musc_instrument_eval *out)
{
    memset(out, 0, sizeof *out);
    out->n_parts = m->K;
    const musc_instrument_piece **order = malloc((set->n_pieces + 1) * sizeof *order);
    int **lab = calloc(set->n_pieces + 1, sizeof *lab);
    musc_status st = MUSC_OK;
    if (!order || !lab)
        st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    for (size_t i = 0; !st && i < set->n_pieces; i++) {
        const musc_instrument_piece *p = &set->pieces[i];
        order[i] = p;
        if (p->n_parts != m->K)
            st = musc_error(MUSC_ERR_ARG, "instrument: piece %s has %d parts, the model %d",
                            p->name ? p->name : "?", p->n_parts, m->K);
    }
    if (!st)
        qsort(order, set->n_pieces, sizeof *order, by_length);
    for (size_t i = 0; !st && i < set->n_pieces;) {
        /* a run of pieces of similar length (sorted): as many as fit */
        size_t j = i + 1;
        if (is_rnn(m))
            while (j < set->n_pieces && j - i < EVAL_BATCH &&
                   (j - i + 1) * order[j]->n_notes <= EVAL_ROWS)
                j++;
        for (size_t k = i; k < j && !st; k++)
            if (!(lab[k] = malloc((order[k]->n_notes + 1) * sizeof **lab)))
                st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
        if (!st && is_rnn(m) && j - i > 1)
            st = predict_batch(m, order + i, (int)(j - i), lab + i);
        else if (!st)
            st = musc_instrument_predict(m, order[i], lab[i]);
        for (size_t k = i; k < j && !st; k++) {
            const musc_instrument_piece *p = order[k];
            for (size_t q = 0; q < p->n_notes; q++) {
                int t = p->notes[q].label;
                if (t < 0 || t >= m->K)
                    continue;
                out->confusion[t * m->K + lab[k][q]]++;
                out->n_notes++;
                out->n_correct += lab[k][q] == t;
            }
        }
        i = j;
    }
    for (size_t i = 0; lab && i < set->n_pieces; i++)
        free(lab[i]);
    free(lab);
    free(order);
    return st;
}

/* ---------------------------------------------------------------- create */

static musc_status model_new(musc_instrument_kind kind, musc_instrument_ensemble e, int layers,
                             int hidden, int embed, int hints, int heads, int window,
                             float dropout, musc_instrument_model **out)
{
    *out = NULL;
    if ((unsigned)kind >= N_KINDS || (unsigned)e > 2)
        return musc_error(MUSC_ERR_ARG, "instrument: unknown model kind or ensemble");
    if (kind == MUSC_INSTR_TRANSFORMER) {
        embed = hidden;
        if (heads < 1 || hidden % heads || window < 1 || window > 1 << 16)
            return musc_error(MUSC_ERR_ARG,
                              "instrument: a transformer needs a width divisible by its heads "
                              "and a window of 1..65536 notes, got width %d, %d heads, window %d",
                              hidden, heads, window);
    }
    if (kind >= MUSC_INSTR_LSTM &&
        (layers < 1 || layers > MAX_LAYERS || hidden < 1 || hidden > 4096 || embed < 1 ||
         embed > 4096))
        return musc_error(MUSC_ERR_ARG,
                          "instrument: expected 1..%d layers and widths 1..4096, got %d, %d, %d",
                          MAX_LAYERS, layers, hidden, embed);
    musc_instrument_model *m = calloc(1, sizeof *m);
    if (!m)
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    m->kind = kind;
    m->ens = e;
    m->K = musc_instrument_part_count(e);
    m->layers = kind >= MUSC_INSTR_LSTM ? layers : 0;
    m->hidden = hidden;
    m->embed = embed;
    m->hints = kind >= MUSC_INSTR_LSTM && hints;
    m->dirs = kind == MUSC_INSTR_BILSTM ? 2 : 1;
    m->heads = kind == MUSC_INSTR_TRANSFORMER ? heads : 0;
    m->window = kind == MUSC_INSTR_TRANSFORMER ? window : 0;
    m->dropout = dropout;
    for (int k = 0; k < m->K; k++)
        m->mean[k] = 60.0f;
    set_order(m);
    musc_status st = declare_params(m);
    if (!st)
        st = musc_nn_params_alloc(&m->params, kind >= MUSC_INSTR_LSTM);
    if (st) {
        musc_instrument_model_free(m);
        return st;
    }
    *out = m;
    return MUSC_OK;
}

static void init_params(musc_instrument_model *m, uint64_t seed)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, seed);
    for (int i = 0; i < m->params.count; i++) {
        musc_nn_tensor *t = &m->params.tensors[i];
        if (!strncmp(t->name, "stats.", 6) || t->ndim == 1)
            continue; /* statistics and biases */
        float std = !strncmp(t->name, "emb.", 4) ? 0.1f : 1.0f / sqrtf((float)t->shape[1]);
        musc_nn_init_normal(t->data, t->size, std, &rng);
    }
    if (m->enc)
        musc_nn_decoder_init(m->enc, &m->params, &rng);
    /* forget-gate bias 1: remember by default */
    for (int l = 0; is_rnn(m) && l < m->layers; l++)
        for (int d = 0; d < m->dirs; d++) {
            char nm[32];
            snprintf(nm, sizeof nm, "lstm%d.%s.b", l, d ? "rev" : "fwd");
            float *b = tensor(m, nm, 0);
            for (int k = 0; k < m->hidden; k++)
                b[m->hidden + k] = 1.0f;
        }
}

static double accuracy(musc_instrument_model *m, const musc_instrument_set *set)
{
    musc_instrument_eval ev;
    if (!set || musc_instrument_evaluate(m, set, &ev) || !ev.n_notes)
        return -1.0;
    return (double)ev.n_correct / ev.n_notes;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static musc_status train_net(musc_instrument_model *m, const musc_instrument_set *train,
                             const musc_instrument_set *valid,
                             const musc_instrument_train_options *o)
{
    int B = o->batch > 0 ? o->batch : 16, T = o->seq_len > 0 ? o->seq_len : 256;
    int steps = o->steps > 0 ? o->steps : 1500;
    size_t N = (size_t)B * T;
    layout L = plan(m, N, 1);
    musc_status st = reserve(m, N, L.total, B);
    if (st)
        return st;
    init_params(m, o->seed);
    stats_to_params(m);
    musc_nn_adamw opt;
    musc_nn_adamw_config ac = musc_nn_adamw_default();
    st = musc_nn_adamw_init(&opt, &m->params, &ac);
    if (st)
        return st;
    float *best = malloc(m->params.size * sizeof *best);
    if (!best) {
        musc_nn_adamw_free(&opt);
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    }
    memcpy(best, m->params.data, m->params.size * sizeof *best);
    double best_acc = -1.0, loss_acc = 0.0, t0 = now_s();
    int loss_n = 0;
    musc_nn_schedule sched = {o->lr > 0 ? o->lr : 2e-3f, steps / 20, steps, 0.05f,
                              MUSC_NN_DECAY_COSINE};
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, o->seed ^ 0x5eedull);
    int every = o->log_every > 0 ? o->log_every : 100;
    for (int step = 0; step < steps; step++) {
        for (int b = 0; b < B; b++) {
            const musc_instrument_piece *p =
                &train->pieces[musc_nn_rng_next(&rng) % train->n_pieces];
            size_t start = 0;
            int len = (int)p->n_notes;
            if (p->n_notes > (size_t)T) {
                start = musc_nn_rng_next(&rng) % (p->n_notes - T + 1);
                len = T;
            }
            int shift = o->transpose ? (int)(musc_nn_rng_next(&rng) % 12) - 5 : 0;
            m->lens[b] = len;
            encode(m, p, start, len, T, (size_t)b * T, shift);
        }
        uint64_t seed = mix(o->seed, 3, (uint64_t)step);
        st = forward(m, &L, B, T, 1, seed);
        if (st)
            break;
        double ls, ws;
        musc_nn_xent_forward(&ls, &ws, NULL, m->act + L.lse, m->act + L.logits, m->targets, NULL,
                             -1, (int)N, m->K);
        if (ws <= 0)
            continue;
        musc_nn_params_zero_grad(&m->params);
        st = backward(m, &L, B, T, seed, ws);
        if (st)
            break;
        /* statistics are not trained */
        float *g = tensor(m, "stats.mean", 1);
        memset(g, 0, (size_t)m->K * sizeof *g);
        musc_nn_clip_grad_norm(&m->params, 1.0f);
        float *mean = tensor(m, "stats.mean", 0), keep[MUSC_INSTR_MAX_PARTS];
        memcpy(keep, mean, sizeof keep);
        musc_nn_adamw_step(&opt, &m->params, musc_nn_schedule_lr(&sched, step));
        memcpy(mean, keep, (size_t)m->K * sizeof *mean); /* no decay either */
        loss_acc += ls / ws;
        loss_n++;
        if ((step + 1) % every == 0 || step + 1 == steps) {
            double acc = accuracy(m, valid);
            if (acc > best_acc || !valid) {
                best_acc = acc;
                memcpy(best, m->params.data, m->params.size * sizeof *best);
            }
            if (o->progress)
                o->progress(o->ctx, step + 1, loss_acc / loss_n, acc, now_s() - t0);
            loss_acc = 0;
            loss_n = 0;
        }
    }
    memcpy(m->params.data, best, m->params.size * sizeof *best);
    free(best);
    musc_nn_adamw_free(&opt);
    return st;
}

musc_status musc_instrument_train(musc_instrument_kind kind, musc_instrument_ensemble e,
                                  const musc_instrument_set *train,
                                  const musc_instrument_set *valid,
                                  const musc_instrument_train_options *opt,
                                  musc_instrument_model **out)
{
    *out = NULL;
    musc_instrument_train_options o = opt ? *opt : musc_instrument_train_defaults();
    if (!train || !train->n_pieces)
        return musc_error(MUSC_ERR_ARG, "instrument: no training pieces");
    int bi = kind == MUSC_INSTR_BILSTM, tf = kind == MUSC_INSTR_TRANSFORMER;
    musc_instrument_model *m;
    musc_status st = model_new(kind, e, o.layers > 0 ? o.layers : 3,
                               o.hidden > 0 ? o.hidden : (bi ? 64 : tf ? 96 : 128),
                               o.embed > 0 ? o.embed : 128, o.hints, o.heads > 0 ? o.heads : 4,
                               o.seq_len > 0 ? o.seq_len : 256,
                               o.dropout < 0 ? 0.1f : o.dropout, &m);
    if (st)
        return st;
    double(*hist)[128] = calloc(MUSC_INSTR_MAX_PARTS, sizeof *hist);
    if (!hist) {
        musc_instrument_model_free(m);
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    }
    st = gather_stats(m, train, hist);
    if (!st && kind == MUSC_INSTR_ZONE)
        fit_zones(m, hist);
    free(hist);
    if (!st)
        stats_to_params(m);
    if (!st && kind >= MUSC_INSTR_LSTM)
        st = train_net(m, train, valid, &o);
    if (st) {
        musc_instrument_model_free(m);
        return st;
    }
    *out = m;
    return MUSC_OK;
}

/* ----------------------------------------------------------- save / load */

musc_status musc_instrument_save(const musc_instrument_model *m, const char *path)
{
    json_t *cfg = json_object();
    json_t *parts = json_array();
    if (!cfg || !parts) {
        json_decref(cfg);
        json_decref(parts);
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    }
    for (int k = 0; k < m->K; k++)
        json_array_append_new(parts, json_string(musc_instrument_part_name(m->ens, k)));
    json_object_set_new(cfg, "task", json_string("instrument"));
    json_object_set_new(cfg, "version", json_integer(1));
    json_object_set_new(cfg, "model", json_string(kind_names[m->kind]));
    json_object_set_new(cfg, "dataset", json_string(musc_instrument_ensemble_name(m->ens)));
    json_object_set_new(cfg, "parts", parts);
    json_object_set_new(cfg, "online", json_boolean(musc_instrument_model_online(m)));
    if (m->kind >= MUSC_INSTR_LSTM) {
        json_object_set_new(cfg, "layers", json_integer(m->layers));
        json_object_set_new(cfg, "hidden", json_integer(m->hidden));
        json_object_set_new(cfg, "embed", json_integer(m->embed));
        json_object_set_new(cfg, "hints", json_boolean(m->hints));
        json_object_set_new(cfg, "dropout", json_real(m->dropout));
    }
    if (m->kind == MUSC_INSTR_TRANSFORMER) {
        json_object_set_new(cfg, "heads", json_integer(m->heads));
        json_object_set_new(cfg, "window", json_integer(m->window));
    }
    return musc_model_save(path, &m->params, cfg, "instrument");
}

musc_status musc_instrument_load_model(const char *path, musc_instrument_model **out)
{
    *out = NULL;
    musc_nn_checkpoint *ck;
    json_t *cfg;
    musc_status st = musc_model_open(path, "instrument", "an instrument model", &ck, &cfg);
    if (st)
        return st;
    const char *ds = json_string_value(json_object_get(cfg, "dataset"));
    const char *kn = json_string_value(json_object_get(cfg, "model"));
    int e = musc_instrument_ensemble_from_name(ds), kind = musc_instrument_kind_from_name(kn);
    json_t *parts = json_object_get(cfg, "parts");
    if (e < 0) {
        st = musc_error(MUSC_ERR_FORMAT,
                        "%s: unknown ensemble '%s', expected bach, pop909 or quartet", path,
                        ds ? ds : "(none)");
        goto done;
    }
    if (!json_is_array(parts) ||
        json_array_size(parts) != (size_t)musc_instrument_part_count((musc_instrument_ensemble)e)) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: %zu parts, expected %d for %s", path,
                        json_is_array(parts) ? json_array_size(parts) : 0,
                        musc_instrument_part_count((musc_instrument_ensemble)e), ds);
        goto done;
    }
    if (kind < 0) {
        st = musc_error(MUSC_ERR_FORMAT,
                        "%s: unknown model '%s', expected zone, closest, lstm, bilstm or "
                        "transformer", path,
                        kn ? kn : "(none)");
        goto done;
    }
    int layers = 0, hidden = 0, embed = 0;
    int hints = json_is_true(json_object_get(cfg, "hints"));
    if (kind >= MUSC_INSTR_LSTM &&
        (musc_model_config_int(cfg, "layers", &layers) ||
         musc_model_config_int(cfg, "hidden", &hidden) ||
         musc_model_config_int(cfg, "embed", &embed))) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: expected integer layers, hidden and embed", path);
        goto done;
    }
    int heads = 0, window = 0;
    if (kind == MUSC_INSTR_TRANSFORMER &&
        (musc_model_config_int(cfg, "heads", &heads) ||
         musc_model_config_int(cfg, "window", &window))) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: expected integer heads and window", path);
        goto done;
    }
    json_t *jd = json_object_get(cfg, "dropout");
    float dropout = json_is_number(jd) ? (float)json_number_value(jd) : 0.1f;
    if (!(dropout >= 0.0f && dropout < 1.0f))
        dropout = 0.1f;
    musc_instrument_model *m;
    st = model_new((musc_instrument_kind)kind, (musc_instrument_ensemble)e, layers, hidden, embed,
                   hints, heads, window, dropout, &m);
    if (st)
        goto done;
    st = musc_nn_params_load(&m->params, ck);
    if (!st)
        st = params_to_stats(m);
    if (st) {
        musc_instrument_model_free(m);
        goto done;
    }
    *out = m;
done:
    json_decref(cfg);
    musc_nn_checkpoint_free(ck);
    return st;
}

/* ---------------------------------------------------------------- output */

musc_music *musc_instrument_arrange(const musc_instrument_piece *piece, const int *labels,
                                    musc_instrument_ensemble e, int strings,
                                    const musc_music *source)
{
    static const char *const names[3][MUSC_INSTR_MAX_PARTS] = {
        {"Soprano", "Alto", "Tenor", "Bass"},
        {"MELODY", "BRIDGE", "PIANO", NULL},
        {"Violin I", "Violin II", "Viola", "Cello"},
    };
    static const int programs[3][MUSC_INSTR_MAX_PARTS] = {
        {52, 52, 52, 52}, /* choir aahs */
        {73, 48, 0, 0},   /* flute lead, string ensemble, piano */
        {40, 40, 41, 42},
    };
    static const int string_programs[MUSC_INSTR_MAX_PARTS] = {40, 40, 41, 42};
    int K = musc_instrument_part_count(e);
    if (!K || !piece) {
        musc_error(MUSC_ERR_ARG, "instrument: unknown ensemble");
        return NULL;
    }
    musc_music *out = musc_music_new(piece->resolution);
    if (!out)
        return NULL;
    int ok = 1;
    for (int k = 0; k < K && ok; k++) {
        int prog = e == MUSC_INSTR_BACH && strings ? string_programs[k] : programs[e][k];
        ok = musc_music_add_track(out, prog, 0, names[e][k]) != NULL;
    }
    for (size_t i = 0; i < piece->n_notes && ok; i++) {
        int k = labels[i];
        if (k < 0 || k >= K)
            continue;
        ok = !musc_track_add_note(&out->tracks[k], piece->notes[i].time,
                                  piece->notes[i].duration, piece->notes[i].pitch,
                                  MUSC_DEFAULT_VELOCITY);
    }
    if (source && ok) {
        for (size_t i = 0; i < source->n_tempos && ok; i++)
            ok = !musc_music_add_tempo(out, source->tempos[i].time, source->tempos[i].qpm);
        for (size_t i = 0; i < source->n_key_signatures && ok; i++)
            ok = !musc_music_add_key_signature(out, source->key_signatures[i].time,
                                               source->key_signatures[i].fifths,
                                               source->key_signatures[i].mode,
                                               source->key_signatures[i].root);
        for (size_t i = 0; i < source->n_time_signatures && ok; i++)
            ok = !musc_music_add_time_signature(out, source->time_signatures[i].time,
                                                source->time_signatures[i].numerator,
                                                source->time_signatures[i].denominator);
        if (ok && source->metadata.title)
            ok = !musc_set_string(&out->metadata.title, source->metadata.title);
    }
    if (!ok) {
        musc_music_free(out);
        musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
        return NULL;
    }
    musc_music_sort(out);
    return out;
}

/* ------------------------------------------------------------ live stream
 * The online LSTM one note at a time: the state of every layer is carried
 * from note to note, so pushing a piece's notes in order gives the labels
 * musc_instrument_predict gives the whole piece (same weights, same
 * arithmetic per step; only float rounding inside the products may differ).
 */

struct musc_instrument_stream {
    const musc_instrument_model *m;
    int F, E, H, L;
    size_t pushed;
    const float *tables[4 + 1 + MUSC_INSTR_MAX_PARTS];
    int vocabs[4 + 1 + MUSC_INSTR_MAX_PARTS];
    const float *wx[MAX_LAYERS], *wh[MAX_LAYERS], *b[MAX_LAYERS], *ow, *ob;
    float *x, *gates, *state; /* state: [2][L][2][H] (h and c, double-buffered) */
    int cur;
};

static float *state_of(musc_instrument_stream *s, int buf, int layer, int c)
{
    return s->state + (((size_t)buf * s->L + layer) * 2 + c) * s->H;
}

musc_status musc_instrument_stream_new(const musc_instrument_model *cm,
                                       musc_instrument_stream **out)
{
    *out = NULL;
    if (!cm || (cm->kind != MUSC_INSTR_LSTM && cm->kind != MUSC_INSTR_ZONE))
        return musc_error(MUSC_ERR_ARG,
                          "instrument: a live stream needs an online LSTM or zone model, not %s",
                          cm ? kind_names[cm->kind] : "none");
    musc_instrument_model *m = (musc_instrument_model *)cm; /* only read: names to pointers */
    musc_instrument_stream *s = calloc(1, sizeof *s);
    if (!s)
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    s->m = cm;
    if (m->kind == MUSC_INSTR_LSTM) {
        s->F = n_fields(m);
        s->E = m->embed;
        s->H = m->hidden;
        s->L = m->layers;
        static const char *const emb[4] = {"emb.pitch", "emb.duration", "emb.beat",
                                           "emb.position"};
        static const int voc[4] = {MUSC_INSTR_PITCHES, MUSC_INSTR_DURATIONS, MUSC_INSTR_BEATS,
                                   MUSC_INSTR_POSITIONS};
        for (int f = 0; f < 4; f++) {
            s->tables[f] = tensor(m, emb[f], 0);
            s->vocabs[f] = voc[f];
        }
        if (m->hints) {
            s->tables[4] = tensor(m, "emb.entry", 0);
            s->vocabs[4] = 1 << MUSC_INSTR_MAX_PARTS;
            for (int k = 0; k < m->K; k++) {
                char nm[32];
                snprintf(nm, sizeof nm, "emb.pitch_hint%d", k);
                s->tables[5 + k] = tensor(m, nm, 0);
                s->vocabs[5 + k] = HINT_VOCAB;
            }
        }
        for (int l = 0; l < s->L; l++) {
            char nm[32];
            snprintf(nm, sizeof nm, "lstm%d.fwd.wx", l);
            s->wx[l] = tensor(m, nm, 0);
            snprintf(nm, sizeof nm, "lstm%d.fwd.wh", l);
            s->wh[l] = tensor(m, nm, 0);
            snprintf(nm, sizeof nm, "lstm%d.fwd.b", l);
            s->b[l] = tensor(m, nm, 0);
        }
        s->ow = tensor(m, "out.w", 0);
        s->ob = tensor(m, "out.b", 0);
        size_t in = (size_t)(s->E > s->H ? s->E : s->H);
        s->x = malloc(in * sizeof *s->x);
        s->gates = malloc(4 * (size_t)s->H * sizeof *s->gates);
        s->state = malloc(4 * (size_t)s->L * s->H * sizeof *s->state);
        if (!s->x || !s->gates || !s->state) {
            musc_instrument_stream_free(s);
            return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory for a stream");
        }
    }
    *out = s;
    return MUSC_OK;
}

void musc_instrument_stream_reset(musc_instrument_stream *s)
{
    if (s)
        s->pushed = 0;
}

musc_status musc_instrument_stream_push(musc_instrument_stream *s,
                                        const musc_instrument_note *note, int *part)
{
    if (!s || !note || !part)
        return musc_error(MUSC_ERR_ARG, "instrument: push needs a stream, a note and a part");
    if (note->pitch < 0 || note->pitch > 127 || note->duration_code < 0 ||
        note->duration_code >= MUSC_INSTR_DURATIONS || note->beat < 0 ||
        note->beat >= MUSC_INSTR_BEATS || note->position < 0 ||
        note->position >= MUSC_INSTR_POSITIONS)
        return musc_error(MUSC_ERR_RANGE,
                          "instrument: note %zu has pitch %d, duration code %d, beat %d, "
                          "position %d; expected 0..127, 0..%d, 0..%d, 0..%d",
                          s->pushed, note->pitch, note->duration_code, note->beat,
                          note->position, MUSC_INSTR_DURATIONS - 1, MUSC_INSTR_BEATS - 1,
                          MUSC_INSTR_POSITIONS - 1);
    const musc_instrument_model *m = s->m;
    if (m->kind == MUSC_INSTR_ZONE) {
        *part = m->part_of_pitch[note->pitch];
        s->pushed++;
        return MUSC_OK;
    }
    int32_t codes[4 + 1 + MUSC_INSTR_MAX_PARTS];
    note_codes(m, note, 0, m->mean, 0, codes);
    musc_status st = musc_nn_embedding_sum_forward(s->x, codes, s->F, s->tables, s->vocabs, s->F,
                                                   1, s->E);
    if (st)
        return st;
    int nxt = s->cur ^ 1, first = s->pushed == 0;
    const float *in = s->x;
    int Din = s->E;
    for (int l = 0; l < s->L; l++) {
        float *h = state_of(s, nxt, l, 0), *c = state_of(s, nxt, l, 1);
        musc_nn_lstm_step(h, c, s->gates, in, s->wx[l], s->wh[l], s->b[l],
                          first ? NULL : state_of(s, s->cur, l, 0),
                          first ? NULL : state_of(s, s->cur, l, 1), Din, s->H);
        in = h;
        Din = s->H;
    }
    float logits[MUSC_INSTR_MAX_PARTS];
    musc_nn_linear_forward(logits, in, s->ow, s->ob, 1, s->H, m->K);
    int best = 0;
    for (int k = 1; k < m->K; k++)
        if (logits[k] > logits[best])
            best = k;
    *part = best;
    s->cur = nxt;
    s->pushed++;
    return MUSC_OK;
}

void musc_instrument_stream_free(musc_instrument_stream *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->gates);
    free(s->state);
    free(s);
}
