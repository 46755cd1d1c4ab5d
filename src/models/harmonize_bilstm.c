/*
 * The BiLSTM harmonizer: melody features per frame, a stack of
 * bidirectional LSTM layers, a softmax over the 49 chord classes and an
 * optional chord-function head (MTHarmonizer's auxiliary task).
 *
 * Everything happens in the key of C (each piece moved by its key_shift),
 * like the HMM, so the network learns key-relative harmony from pieces in
 * any key without transposition augmentation, which would undo exactly that.
 *
 * Features are computed once per piece into a [n_frames, NF] array; the
 * network reads windows of it. Activations live in a workspace sized for
 * B x T rows: training keeps one; inference makes one per call, so a
 * loaded network can decode from several threads at once.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harmonize_internal.h"
#include "model_config.h"
#include "musc/harmonize.h"
#include "musc/nn.h"

#define NC MUSC_TRIAD_COUNT
#define NF 29         /* features per frame */
#define NFUNC 5       /* tonic, subdominant, dominant, other, no-chord */
#define MAX_LAYERS 4
#define MAX_HIDDEN 512

struct musc_harmony_net {
    int layers, hidden, aux;
    float dropout, aux_weight;
    double trans_weight, prior_weight;
    musc_nn_params params;
};

musc_harmony_net_options musc_harmony_net_defaults(void)
{
    musc_harmony_net_options o;
    memset(&o, 0, sizeof o);
    o.layers = 2;
    o.hidden = 64;
    o.dropout = 0.2f;
    o.aux_weight = 0;
    o.steps = 3000;
    o.batch = 16;
    o.seq_len = 64;
    o.lr = 2e-3f;
    o.eval_every = 200;
    o.seed = 1;
    return o;
}

double musc_harmony_net_transition_weight(const musc_harmony_net *n) { return n->trans_weight; }
int musc_harmony_net_layers(const musc_harmony_net *n) { return n->layers; }
int musc_harmony_net_hidden(const musc_harmony_net *n) { return n->hidden; }
size_t musc_harmony_net_parameters(const musc_harmony_net *n)
{
    size_t s = 0;
    for (int i = 0; i < n->params.count; i++)
        s += n->params.tensors[i].size;
    return s;
}

void harmony_net_set_transition_weight(musc_harmony_net *n, double w) { n->trans_weight = w; }
double musc_harmony_net_prior_weight(const musc_harmony_net *n) { return n->prior_weight; }
void musc_harmony_net_set_prior_weight(musc_harmony_net *n, double w)
{
    n->prior_weight = !(w >= 0) ? 0 : w > 2 ? 2 : w;
}

void musc_harmony_net_free(musc_harmony_net *n)
{
    if (!n)
        return;
    musc_nn_params_free(&n->params);
    free(n);
}

/* The chord function of a class in C major / A minor. */
static int chord_function(int c)
{
    if (c < 0 || c >= MUSC_TRIAD_NONE)
        return 4;
    int root = c / 4, q = c % 4;
    if ((root == 0 && q == MUSC_TRIAD_MAJOR) || (root == 9 && q == MUSC_TRIAD_MINOR) ||
        (root == 4 && q == MUSC_TRIAD_MINOR))
        return 0;
    if ((root == 5 && q == MUSC_TRIAD_MAJOR) || (root == 2 && q == MUSC_TRIAD_MINOR))
        return 1;
    if ((root == 7 && q == MUSC_TRIAD_MAJOR) || (root == 11 && q == MUSC_TRIAD_DIM) ||
        (root == 4 && q == MUSC_TRIAD_MAJOR) || (root == 8 && q == MUSC_TRIAD_DIM))
        return 2;
    return 3;
}

static int chord_in_c(int c, int key_shift)
{
    if (c < 0 || c >= MUSC_TRIAD_NONE)
        return MUSC_TRIAD_NONE;
    return ((c / 4 + key_shift) % 12) * 4 + c % 4;
}

/* Features of every frame of a piece (key of C): feat[f * NF + k]. */
static float *piece_features(const musc_harmony_piece *p)
{
    size_t nf = p->n_frames;
    float *feat = calloc(nf ? nf * NF : 1, sizeof *feat);
    if (!feat)
        return NULL;
    const int64_t *fr = p->frames;
    double res = p->resolution > 0 ? p->resolution : 1;
    size_t f = 0;
    for (size_t i = 0; i < p->n_notes && nf; i++) {
        int64_t s = p->melody[i].time, e = s + p->melody[i].duration;
        int pc = ((p->melody[i].pitch + p->key_shift) % 12 + 12) % 12;
        while (f > 0 && fr[f] > s)
            f--;
        while (f < nf && fr[f + 1] <= s)
            f++;
        if (f < nf && s >= fr[f])
            feat[f * NF + 28] += 1.0f / 8; /* onsets */
        for (size_t g = f; g < nf && fr[g] < e; g++) {
            int64_t a = s > fr[g] ? s : fr[g], b = e < fr[g + 1] ? e : fr[g + 1];
            if (b <= a)
                continue;
            double len = (double)(fr[g + 1] - fr[g]);
            feat[g * NF + pc] += (float)((double)(b - a) / (len > 0 ? len : 1));
            if (a == fr[g])
                feat[g * NF + 12 + pc] = 1; /* sounding at the frame's start */
        }
    }
    for (f = 0; f < nf; f++) {
        float *x = feat + f * NF, sum = 0;
        for (int k = 0; k < 12; k++)
            sum += x[k];
        x[24] = sum < 1 ? 1 - sum : 0;
        x[25] = p->bar_start ? (float)(p->bar_start[f] != 0) : (f == 0);
        x[26] = sum <= 0;
        x[27] = (float)((double)(fr[f + 1] - fr[f]) / res / 4.0);
        if (x[27] > 4)
            x[27] = 4;
    }
    return feat;
}

/* ------------------------------------------------------------- parameters */

static musc_status declare(musc_harmony_net *n)
{
    musc_nn_params *P = &n->params;
    int H = n->hidden, D = 2 * H;
    char name[64];
    int st;
#define ADD(nm, nd, a, b, fl)                                                                     \
    do {                                                                                          \
        int shp_[2] = {(a), (b)};                                                                 \
        if ((st = musc_nn_params_add(P, (nm), (nd), shp_, (fl))) < 0)                             \
            return st;                                                                            \
    } while (0)
    for (int l = 0; l < n->layers; l++)
        for (int d = 0; d < 2; d++) {
            const char *dir = d ? "rev" : "fwd";
            snprintf(name, sizeof name, "lstm%d.%s.wx", l, dir);
            ADD(name, 2, 4 * H, l ? D : NF, 0);
            snprintf(name, sizeof name, "lstm%d.%s.wh", l, dir);
            ADD(name, 2, 4 * H, H, 0);
            snprintf(name, sizeof name, "lstm%d.%s.b", l, dir);
            ADD(name, 1, 4 * H, 0, MUSC_NN_NO_DECAY);
        }
    ADD("out.w", 2, NC, D, 0);
    ADD("out.b", 1, NC, 0, MUSC_NN_NO_DECAY);
    if (n->aux) {
        ADD("aux.w", 2, NFUNC, D, 0);
        ADD("aux.b", 1, NFUNC, 0, MUSC_NN_NO_DECAY);
    }
#undef ADD
    return MUSC_OK;
}

static float *tensor(const musc_harmony_net *n, const char *name, int grad)
{
    int i = musc_nn_params_find(&n->params, name);
    if (i < 0)
        return NULL;
    return grad ? n->params.tensors[i].grad : n->params.tensors[i].data;
}

static float *lstm_tensor(const musc_harmony_net *n, int l, int d, const char *what, int grad)
{
    char nm[32];
    snprintf(nm, sizeof nm, "lstm%d.%s.%s", l, d ? "rev" : "fwd", what);
    return tensor(n, nm, grad);
}

static musc_status net_new(int layers, int hidden, int aux, int with_grad, musc_harmony_net **out)
{
    *out = NULL;
    if (layers < 1 || layers > MAX_LAYERS || hidden < 1 || hidden > MAX_HIDDEN)
        return musc_error(MUSC_ERR_ARG,
                          "harmonize bilstm: expected 1..%d layers of 1..%d units, got %d x %d",
                          MAX_LAYERS, MAX_HIDDEN, layers, hidden);
    musc_harmony_net *n = calloc(1, sizeof *n);
    if (!n)
        return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
    n->layers = layers;
    n->hidden = hidden;
    n->aux = aux;
    n->trans_weight = 1;
    n->prior_weight = 0.4;
    musc_status st = declare(n);
    if (!st)
        st = musc_nn_params_alloc(&n->params, with_grad);
    if (st) {
        musc_harmony_net_free(n);
        return st;
    }
    *out = n;
    return MUSC_OK;
}

/* -------------------------------------------------------------- workspace */

typedef struct work {
    int B, T;
    float *x;                        /* [N, NF] inputs */
    float *h[MAX_LAYERS][2], *c[MAX_LAYERS][2], *g[MAX_LAYERS][2];
    float *cat[MAX_LAYERS], *drop[MAX_LAYERS];
    float *logits, *lse, *alogits, *alse;
    float *dlog, *dalog, *dA, *dB, *dh, *dx;
    int32_t *lens, *targets, *ftargets;
    float *block;
} work;

static void work_free(work *w)
{
    free(w->block);
    free(w->lens);
    free(w->targets);
    free(w->ftargets);
    memset(w, 0, sizeof *w);
}

static musc_status work_init(work *w, const musc_harmony_net *n, int B, int T, int train)
{
    memset(w, 0, sizeof *w);
    size_t N = (size_t)B * T, H = (size_t)n->hidden, D = 2 * H, off = 0;
    float **slots[8 * MAX_LAYERS + 16];
    size_t sizes[8 * MAX_LAYERS + 16];
    int k = 0;
#define SLOT(ptr, count) (slots[k] = &(ptr), sizes[k++] = (count))
    SLOT(w->x, N * NF);
    for (int l = 0; l < n->layers; l++) {
        for (int d = 0; d < 2; d++) {
            SLOT(w->h[l][d], N * H);
            SLOT(w->c[l][d], N * H);
            SLOT(w->g[l][d], N * 4 * H);
        }
        SLOT(w->cat[l], N * D);
        SLOT(w->drop[l], N * D);
    }
    SLOT(w->logits, N * NC);
    SLOT(w->lse, N);
    SLOT(w->alogits, N * NFUNC);
    SLOT(w->alse, N);
    if (train) {
        SLOT(w->dlog, N * NC);
        SLOT(w->dalog, N * NFUNC);
        SLOT(w->dA, N * D);
        SLOT(w->dB, N * D);
        SLOT(w->dh, N * H);
        SLOT(w->dx, N * D);
    }
#undef SLOT
    for (int i = 0; i < k; i++)
        off += (sizes[i] + 15) & ~(size_t)15;
    w->block = calloc(off ? off : 1, sizeof *w->block);
    w->lens = calloc((size_t)B, sizeof *w->lens);
    w->targets = calloc(N, sizeof *w->targets);
    w->ftargets = calloc(N, sizeof *w->ftargets);
    if (!w->block || !w->lens || !w->targets || !w->ftargets) {
        work_free(w);
        return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory for %zu rows", N);
    }
    off = 0;
    for (int i = 0; i < k; i++) {
        *slots[i] = w->block + off;
        off += (sizes[i] + 15) & ~(size_t)15;
    }
    w->B = B;
    w->T = T;
    return MUSC_OK;
}

static uint64_t mix(uint64_t seed, uint64_t a, uint64_t b)
{
    return (seed * 0x9e3779b97f4a7c15ull) ^ (a * 0xbf58476d1ce4e5b9ull) ^ (b + 0x94d049bb133111ebull);
}

/* Forward over w->x (B x T rows, lengths w->lens): logits (and the
 * auxiliary logits). */
static void forward(const musc_harmony_net *n, work *w, int train, uint64_t seed)
{
    int B = w->B, T = w->T, H = n->hidden, D = 2 * H;
    size_t N = (size_t)B * T;
    const float *in = w->x;
    int Din = NF;
    for (int l = 0; l < n->layers; l++) {
        for (int d = 0; d < 2; d++)
            musc_nn_lstm_forward(w->h[l][d], w->c[l][d], w->g[l][d], in,
                                 lstm_tensor(n, l, d, "wx", 0), lstm_tensor(n, l, d, "wh", 0),
                                 lstm_tensor(n, l, d, "b", 0), w->lens, B, T, Din, H, d);
        for (size_t r = 0; r < N; r++)
            for (int d = 0; d < 2; d++)
                memcpy(w->cat[l] + r * D + (size_t)d * H, w->h[l][d] + r * H,
                       (size_t)H * sizeof(float));
        musc_nn_dropout_forward(w->drop[l], w->cat[l], N * D, train ? n->dropout : 0.0f,
                                mix(seed, 7, (uint64_t)l));
        in = w->drop[l];
        Din = D;
    }
    musc_nn_linear_forward(w->logits, in, tensor(n, "out.w", 0), tensor(n, "out.b", 0), (int)N,
                           D, NC);
    if (n->aux)
        musc_nn_linear_forward(w->alogits, in, tensor(n, "aux.w", 0), tensor(n, "aux.b", 0),
                               (int)N, D, NFUNC);
}

static musc_status backward(musc_harmony_net *n, work *w, uint64_t seed, double ws)
{
    int B = w->B, T = w->T, H = n->hidden, D = 2 * H;
    size_t N = (size_t)B * T;
    const float *top = w->drop[n->layers - 1];
    memset(w->dlog, 0, N * NC * sizeof(float));
    musc_nn_xent_backward(w->dlog, w->logits, w->lse, w->targets, NULL, -1, (float)(1.0 / ws),
                          (int)N, NC);
    float *dy = w->dA;
    memset(dy, 0, N * (size_t)D * sizeof *dy);
    musc_nn_linear_backward(dy, tensor(n, "out.w", 1), tensor(n, "out.b", 1), w->dlog, top,
                            tensor(n, "out.w", 0), (int)N, D, NC);
    if (n->aux) {
        memset(w->dalog, 0, N * NFUNC * sizeof(float));
        musc_nn_xent_backward(w->dalog, w->alogits, w->alse, w->ftargets, NULL, -1,
                              (float)(n->aux_weight / ws), (int)N, NFUNC);
        musc_nn_linear_backward(dy, tensor(n, "aux.w", 1), tensor(n, "aux.b", 1), w->dalog, top,
                                tensor(n, "aux.w", 0), (int)N, D, NFUNC);
    }
    for (int l = n->layers - 1; l >= 0; l--) {
        float *dcat = w->dB;
        memset(dcat, 0, N * (size_t)D * sizeof *dcat);
        musc_nn_dropout_backward(dcat, dy, N * D, n->dropout, mix(seed, 7, (uint64_t)l));
        const float *in = l == 0 ? w->x : w->drop[l - 1];
        int Din = l == 0 ? NF : D;
        /* the first layer's input gradient is not needed */
        float *din = l == 0 ? NULL : w->dx;
        if (din)
            memset(din, 0, N * (size_t)Din * sizeof *din);
        for (int d = 0; d < 2; d++) {
            for (size_t r = 0; r < N; r++)
                memcpy(w->dh + r * H, dcat + r * D + (size_t)d * H, (size_t)H * sizeof(float));
            musc_status st = musc_nn_lstm_backward(
                din, lstm_tensor(n, l, d, "wx", 1), lstm_tensor(n, l, d, "wh", 1),
                lstm_tensor(n, l, d, "b", 1), w->dh, in, w->h[l][d], w->c[l][d], w->g[l][d],
                lstm_tensor(n, l, d, "wx", 0), lstm_tensor(n, l, d, "wh", 0), w->lens, B, T, Din,
                H, d);
            if (st)
                return st;
        }
        if (din) {
            memcpy(w->dA, din, N * (size_t)D * sizeof(float));
            dy = w->dA;
        }
    }
    return MUSC_OK;
}

/* ---------------------------------------------------------------- predict */

static void log_softmax_rows(float *logp, const float *logits, size_t rows)
{
    for (size_t r = 0; r < rows; r++) {
        const float *z = logits + r * NC;
        float m = z[0];
        for (int c = 1; c < NC; c++)
            if (z[c] > m)
                m = z[c];
        double s = 0;
        for (int c = 0; c < NC; c++)
            s += exp((double)(z[c] - m));
        float lse = m + (float)log(s);
        for (int c = 0; c < NC; c++)
            logp[r * NC + c] = z[c] - lse;
    }
}

musc_status musc_harmony_net_log_probs(const musc_harmony_net *n, const musc_harmony_piece *p,
                                       float *logp)
{
    if (!n || !p || (p->n_frames && !logp))
        return musc_error(MUSC_ERR_ARG, "harmonize bilstm: bad arguments");
    if (p->n_frames == 0)
        return MUSC_OK;
    if (p->n_frames > (1u << 24))
        return musc_error(MUSC_ERR_RANGE, "harmonize bilstm: %zu frames, at most 2^24",
                          p->n_frames);
    float *feat = piece_features(p);
    if (!feat)
        return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
    work w;
    musc_status st = work_init(&w, n, 1, (int)p->n_frames, 0);
    if (!st) {
        memcpy(w.x, feat, p->n_frames * NF * sizeof *feat);
        w.lens[0] = (int32_t)p->n_frames;
        forward(n, &w, 0, 0);
        log_softmax_rows(logp, w.logits, p->n_frames);
        work_free(&w);
    }
    free(feat);
    return st;
}

/* ----------------------------------------------------------------- train */

typedef struct tpiece {
    float *feat;
    int32_t *target, *ftarget;
    size_t n;
} tpiece;

static void tpieces_free(tpiece *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++) {
        free(t[i].feat);
        free(t[i].target);
        free(t[i].ftarget);
    }
    free(t);
}

static musc_status tpieces_make(const musc_harmony_piece *ps, size_t n, tpiece **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    tpiece *t = calloc(n ? n : 1, sizeof *t);
    if (!t)
        return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const musc_harmony_piece *p = &ps[i];
        if (!p->chords || !p->n_frames || p->n_frames > (1u << 24))
            continue;
        tpiece *q = &t[k++];
        q->n = p->n_frames;
        q->feat = piece_features(p);
        q->target = malloc(p->n_frames * sizeof *q->target);
        q->ftarget = malloc(p->n_frames * sizeof *q->ftarget);
        if (!q->feat || !q->target || !q->ftarget) {
            tpieces_free(t, k);
            return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
        }
        for (size_t f = 0; f < p->n_frames; f++) {
            q->target[f] = chord_in_c(p->chords[f], p->key_shift);
            q->ftarget[f] = chord_function(q->target[f]);
        }
    }
    *out = t;
    *count = k;
    return MUSC_OK;
}

/* Frame accuracy of argmax decoding (no-chord only where the melody rests,
 * as musc_harmonize_piece decodes). */
static double valid_accuracy(const musc_harmony_net *n, const tpiece *v, size_t nv)
{
    size_t right = 0, total = 0;
    for (size_t i = 0; i < nv; i++) {
        work w;
        if (work_init(&w, n, 1, (int)v[i].n, 0))
            return -1;
        memcpy(w.x, v[i].feat, v[i].n * NF * sizeof(float));
        w.lens[0] = (int32_t)v[i].n;
        forward(n, &w, 0, 0);
        for (size_t f = 0; f < v[i].n; f++) {
            const float *z = w.logits + f * NC;
            int rests = v[i].feat[f * NF + 26] > 0.5f, best = 0;
            for (int c = 1; c < NC; c++)
                if ((c != MUSC_TRIAD_NONE || rests) && z[c] > z[best])
                    best = c;
            right += best == v[i].target[f];
            total++;
        }
        work_free(&w);
    }
    return total ? (double)right / (double)total : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void init_params(musc_harmony_net *n, uint64_t seed)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, seed);
    for (int i = 0; i < n->params.count; i++) {
        musc_nn_tensor *t = &n->params.tensors[i];
        if (t->ndim == 1)
            continue;
        musc_nn_init_normal(t->data, t->size, 1.0f / sqrtf((float)t->shape[1]), &rng);
    }
    for (int l = 0; l < n->layers; l++)
        for (int d = 0; d < 2; d++) {
            float *b = lstm_tensor(n, l, d, "b", 0);
            for (int k = 0; k < n->hidden; k++)
                b[n->hidden + k] = 1.0f; /* forget gate open */
        }
}

musc_status musc_harmony_net_train(const musc_harmony_piece *train, size_t nt,
                                   const musc_harmony_piece *valid, size_t nv,
                                   const musc_harmony_net_options *opt, musc_harmony_net **out)
{
    *out = NULL;
    musc_harmony_net_options o = opt ? *opt : musc_harmony_net_defaults();
    if (o.steps < 1 || o.batch < 1 || o.seq_len < 1 || o.batch > 4096 || o.seq_len > 65536 ||
        !(o.lr > 0) || !(o.dropout >= 0 && o.dropout < 1) || !(o.aux_weight >= 0) ||
        o.eval_every < 1)
        return musc_error(MUSC_ERR_ARG, "harmonize bilstm: bad training options");
    musc_harmony_net *n;
    musc_status st = net_new(o.layers, o.hidden, o.aux_weight > 0, 1, &n);
    if (st)
        return st;
    n->dropout = o.dropout;
    n->aux_weight = o.aux_weight;
    tpiece *tp = NULL, *vp = NULL;
    size_t ntp = 0, nvp = 0;
    st = tpieces_make(train, nt, &tp, &ntp);
    if (!st)
        st = tpieces_make(valid, nv, &vp, &nvp);
    if (!st && ntp == 0)
        st = musc_error(MUSC_ERR_ARG, "harmonize bilstm: no training piece has chord symbols");
    int B = o.batch, T = o.seq_len;
    size_t N = (size_t)B * T;
    work w;
    memset(&w, 0, sizeof w);
    if (!st)
        st = work_init(&w, n, B, T, 1);
    musc_nn_adamw opt_state;
    memset(&opt_state, 0, sizeof opt_state);
    musc_nn_adamw_config ac = musc_nn_adamw_default();
    ac.weight_decay = 0.01f;
    if (!st)
        st = musc_nn_adamw_init(&opt_state, &n->params, &ac);
    float *best = st ? NULL : malloc(n->params.size * sizeof *best);
    if (!st && !best)
        st = musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
    if (!st) {
        init_params(n, o.seed);
        memcpy(best, n->params.data, n->params.size * sizeof *best);
        musc_nn_schedule sched = {o.lr, o.steps / 20, o.steps, 0.05f, MUSC_NN_DECAY_COSINE};
        musc_nn_rng rng;
        musc_nn_rng_seed(&rng, o.seed ^ 0x4a12ull);
        double best_acc = -2, loss_sum = 0, t0 = now_s();
        int loss_n = 0;
        for (int step = 0; step < o.steps && !st; step++) {
            for (int b = 0; b < B; b++) {
                const tpiece *q = &tp[musc_nn_rng_next(&rng) % ntp];
                size_t start = 0, len = q->n;
                if (len > (size_t)T) {
                    start = musc_nn_rng_next(&rng) % (q->n - (size_t)T + 1);
                    len = (size_t)T;
                }
                w.lens[b] = (int32_t)len;
                size_t row = (size_t)b * T;
                memcpy(w.x + row * NF, q->feat + start * NF, len * NF * sizeof(float));
                memset(w.x + (row + len) * NF, 0, ((size_t)T - len) * NF * sizeof(float));
                for (size_t t = 0; t < (size_t)T; t++) {
                    w.targets[row + t] = t < len ? q->target[start + t] : -1;
                    w.ftargets[row + t] = t < len ? q->ftarget[start + t] : -1;
                }
            }
            uint64_t seed = mix(o.seed, 5, (uint64_t)step);
            forward(n, &w, 1, seed);
            double ls, ws, als = 0, aws = 0;
            musc_nn_xent_forward(&ls, &ws, NULL, w.lse, w.logits, w.targets, NULL, -1, (int)N,
                                 NC);
            if (n->aux)
                musc_nn_xent_forward(&als, &aws, NULL, w.alse, w.alogits, w.ftargets, NULL, -1,
                                     (int)N, NFUNC);
            if (ws > 0) {
                musc_nn_params_zero_grad(&n->params);
                st = backward(n, &w, seed, ws);
                if (st)
                    break;
                musc_nn_clip_grad_norm(&n->params, 1.0f);
                musc_nn_adamw_step(&opt_state, &n->params, musc_nn_schedule_lr(&sched, step));
                loss_sum += (ls + n->aux_weight * als) / ws;
                loss_n++;
            }
            if ((step + 1) % o.eval_every == 0 || step + 1 == o.steps) {
                double acc = nvp ? valid_accuracy(n, vp, nvp) : -1;
                if (acc > best_acc || !nvp) {
                    best_acc = acc;
                    memcpy(best, n->params.data, n->params.size * sizeof *best);
                }
                if (o.progress)
                    o.progress(o.ctx, step + 1, loss_n ? loss_sum / loss_n : NAN, acc,
                               now_s() - t0);
                loss_sum = 0;
                loss_n = 0;
            }
        }
        memcpy(n->params.data, best, n->params.size * sizeof *best);
    }
    free(best);
    musc_nn_adamw_free(&opt_state);
    work_free(&w);
    tpieces_free(tp, ntp);
    tpieces_free(vp, nvp);
    if (st) {
        musc_harmony_net_free(n);
        return st;
    }
    *out = n;
    return MUSC_OK;
}

/* ------------------------------------------------------------ save / load */

musc_status musc_harmony_net_save(const musc_harmony_net *n, const char *path)
{
    json_t *cfg = json_object();
    if (!cfg)
        return musc_error(MUSC_ERR_NOMEM, "harmonize bilstm: out of memory");
    json_object_set_new(cfg, "task", json_string("harmonize"));
    json_object_set_new(cfg, "version", json_integer(1));
    json_object_set_new(cfg, "model", json_string("bilstm"));
    json_object_set_new(cfg, "features", json_integer(NF));
    json_object_set_new(cfg, "classes", json_integer(NC));
    json_object_set_new(cfg, "layers", json_integer(n->layers));
    json_object_set_new(cfg, "hidden", json_integer(n->hidden));
    json_object_set_new(cfg, "aux", json_boolean(n->aux));
    json_object_set_new(cfg, "aux_weight", json_real(n->aux_weight));
    json_object_set_new(cfg, "dropout", json_real(n->dropout));
    json_object_set_new(cfg, "transition_weight", json_real(n->trans_weight));
    json_object_set_new(cfg, "prior_weight", json_real(n->prior_weight));
    return musc_model_save(path, &n->params, cfg, "harmonize bilstm");
}

musc_status musc_harmony_net_load(const char *path, musc_harmony_net **out)
{
    *out = NULL;
    musc_nn_checkpoint *ck;
    json_t *cfg;
    musc_status st = musc_model_open(path, "harmonize", "a harmonization model", &ck, &cfg);
    if (st)
        return st;
    const char *model = json_string_value(json_object_get(cfg, "model"));
    int layers = 0, hidden = 0, features = 0, classes = 0;
    musc_harmony_net *n = NULL;
    if (!model || strcmp(model, "bilstm")) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: harmonization model '%s', expected 'bilstm'", path,
                        model ? model : "(none)");
    } else if (musc_model_config_int(cfg, "layers", &layers) ||
               musc_model_config_int(cfg, "hidden", &hidden) ||
               musc_model_config_int(cfg, "features", &features) ||
               musc_model_config_int(cfg, "classes", &classes) || features != NF ||
               classes != NC) {
        st = musc_error(MUSC_ERR_FORMAT,
                        "%s: expected integer layers and hidden, %d features and %d classes",
                        path, NF, NC);
    } else {
        st = net_new(layers, hidden, json_is_true(json_object_get(cfg, "aux")), 0, &n);
        if (!st)
            st = musc_nn_params_load(&n->params, ck);
        if (!st) {
            json_t *tw = json_object_get(cfg, "transition_weight");
            n->trans_weight = json_is_number(tw) ? json_number_value(tw) : 1;
            if (!(n->trans_weight >= 0 && n->trans_weight <= 100))
                st = musc_error(MUSC_ERR_FORMAT, "%s: transition_weight out of 0..100", path);
            json_t *pw = json_object_get(cfg, "prior_weight");
            n->prior_weight = json_is_number(pw) ? json_number_value(pw) : 0.4;
            if (!st && !(n->prior_weight >= 0 && n->prior_weight <= 2))
                st = musc_error(MUSC_ERR_FORMAT, "%s: prior_weight out of 0..2", path);
            json_t *aw = json_object_get(cfg, "aux_weight");
            n->aux_weight = json_is_number(aw) ? (float)json_number_value(aw) : 0;
            json_t *dr = json_object_get(cfg, "dropout");
            n->dropout = json_is_number(dr) ? (float)json_number_value(dr) : 0;
        }
        if (st) {
            musc_harmony_net_free(n);
            n = NULL;
        }
    }
    json_decref(cfg);
    musc_nn_checkpoint_free(ck);
    *out = n;
    return st;
}
