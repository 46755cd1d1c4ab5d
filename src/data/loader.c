/*
 * Training examples from a memory-mapped shard: a random window per call,
 * with pitch transposition and (where the representation allows) time
 * stretch drawn from the loader's own seeded generator. MMT windows follow
 * MMT's dataset.py: notes of a random run of beats, re-zeroed, wrapped in
 * start-of-song, instrument rows and start-of-notes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"

struct musc_loader {
    const musc_shard *shard;
    musc_loader_options o;
    const musc_shard_info *info;
    uint64_t rng;
    int beats;
    int drums_code;            /* MMT instrument code never transposed */
    musc_remi_vocab remi;      /* REMI token layout */
    int single_note_off;       /* event */
    int32_t *scratch;          /* MMT: note rows of one piece */
    size_t cap_scratch;
    size_t *nonempty;          /* indices of pieces with rows */
    size_t n_nonempty;
};

musc_loader_options musc_loader_options_default(void)
{
    musc_loader_options o;
    memset(&o, 0, sizeof o);
    o.window = 1024;
    o.beats = 256;
    o.stretch_min = 1.0;
    o.stretch_max = 1.0;
    return o;
}

static uint64_t next_u64(musc_loader *l)
{
    return splitmix64(&l->rng);
}

/* Uniform integer in [lo, hi] (lo <= hi). */
static int64_t uniform_int(musc_loader *l, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(span ? next_u64(l) % span : next_u64(l));
}

static double uniform_real(musc_loader *l, double lo, double hi)
{
    double u = (double)(next_u64(l) >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * u;
}

musc_status musc_loader_new(const musc_shard *shard, const musc_loader_options *options,
                            musc_loader **out)
{
    *out = NULL;
    musc_loader_options o = options ? *options : musc_loader_options_default();
    const musc_shard_info *in = musc_shard_get_info(shard);
    if (o.window < 1 || (in->repr == MUSC_DATASET_MMT && o.window < 4))
        return musc_error(MUSC_ERR_ARG, "loader: window = %zu rows, too small", o.window);
    if (o.transpose_min > o.transpose_max || o.transpose_min < -127 || o.transpose_max > 127)
        return musc_error(MUSC_ERR_ARG, "loader: transpose range %d..%d", o.transpose_min,
                          o.transpose_max);
    if (!(o.stretch_min >= 0.5 && o.stretch_max <= 2.0 && o.stretch_min <= o.stretch_max))
        return musc_error(MUSC_ERR_ARG, "loader: stretch range %g..%g, expected within 0.5..2",
                          o.stretch_min, o.stretch_max);
    if ((in->repr == MUSC_DATASET_EVENT || in->repr == MUSC_DATASET_REMI) &&
        (o.stretch_min != 1.0 || o.stretch_max != 1.0))
        return musc_error(MUSC_ERR_UNSUPPORTED, "loader: time stretch is not available for %s",
                          musc_dataset_repr_name(in->repr));
    if (in->repr == MUSC_DATASET_MMT && o.beats < 0)
        return musc_error(MUSC_ERR_ARG, "loader: beats = %d", o.beats);
    musc_loader *l = calloc(1, sizeof *l);
    if (!l)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    l->shard = shard;
    l->o = o;
    l->info = in;
    l->rng = o.seed;
    l->beats = o.beats ? o.beats : (int)in->config[0];
    l->drums_code = in->repr == MUSC_DATASET_MMT ? MUSC_MMT_DRUMS : -1;
    if (in->repr == MUSC_DATASET_EVENT)
        l->single_note_off = in->config[0] != 0;
    if (in->repr == MUSC_DATASET_REMI) {
        musc_remi_options ro = musc_remi_options_default();
        ro.ppq = (int)in->config[0];
        ro.max_duration = (int)in->config[1];
        ro.n_velocities = (int)in->config[2];
        ro.n_tempos = (int)in->config[3];
        memcpy(&ro.tempo_min, &in->config[4], sizeof(double));
        memcpy(&ro.tempo_max, &in->config[5], sizeof(double));
        ro.use_programs = (int)in->config[6];
        ro.use_tempos = (int)in->config[7];
        ro.use_chords = (int)in->config[8];
        ro.use_time_signatures = (int)in->config[9];
        ro.use_bos_eos = (int)in->config[10];
        if (musc_remi_vocab_of(&ro, &l->remi) != MUSC_OK) {
            free(l);
            return musc_error(MUSC_ERR_FORMAT, "loader: the shard's REMI options are invalid");
        }
    }
    l->nonempty = malloc((in->n_pieces ? in->n_pieces : 1) * sizeof *l->nonempty);
    if (!l->nonempty) {
        free(l);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < in->n_pieces; i++) {
        musc_shard_piece p;
        musc_shard_get_piece(shard, i, &p);
        if (p.n_rows > (in->repr == MUSC_DATASET_MMT ? 3u : 0u))
            l->nonempty[l->n_nonempty++] = i;
    }
    if (l->n_nonempty == 0) {
        musc_loader_free(l);
        return musc_error(MUSC_ERR_ARG, "loader: the shard holds no pieces with notes");
    }
    *out = l;
    return MUSC_OK;
}

void musc_loader_free(musc_loader *l)
{
    if (!l)
        return;
    free(l->scratch);
    free(l->nonempty);
    free(l);
}

/* Draw a shift in [tmin, tmax] narrowed to keep pitches lo..hi in 0..127. */
static int draw_shift(musc_loader *l, int lo, int hi)
{
    int a = l->o.transpose_min, b = l->o.transpose_max;
    if (lo <= hi) {
        if (a < -lo)
            a = -lo;
        if (b > 127 - hi)
            b = 127 - hi;
    }
    if (a > b)
        return 0;
    if (a == b)
        return a;
    return (int)uniform_int(l, a, b);
}

static int cmp_row5(const void *x, const void *y)
{
    const int32_t *a = x, *b = y;
    for (int i = 1; i < 6; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static musc_status next_mmt(musc_loader *l, const musc_shard_piece *p, int32_t *rows,
                            size_t *n_out, int *shift_out)
{
    /* the piece's note rows, stretched if asked */
    if (p->n_rows > l->cap_scratch) {
        int32_t *s = realloc(l->scratch, p->n_rows * 6 * sizeof *s);
        if (!s)
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        l->scratch = s;
        l->cap_scratch = p->n_rows;
    }
    double f = l->o.stretch_min == l->o.stretch_max ? l->o.stretch_min
                                                    : uniform_real(l, l->o.stretch_min,
                                                                   l->o.stretch_max);
    size_t n = 0;
    for (size_t i = 0; i < p->n_rows; i++) {
        const int32_t *r = p->rows + 6 * i;
        if (r[0] != MUSC_MMT_NOTE)
            continue;
        if (r[1] < 1 || r[2] < 1 || r[2] > 12 || r[3] < 1 || r[3] > 128 || r[4] < 1 ||
            r[4] > MUSC_MMT_N_DURATIONS || r[5] < 1)
            return musc_error(MUSC_ERR_FORMAT, "loader: piece row %zu is not an MMT note", i);
        int32_t *w = l->scratch + 6 * n++;
        memcpy(w, r, 6 * sizeof *w);
        if (f != 1.0) {
            int64_t t = (int64_t)(r[1] - 1) * 12 + (r[2] - 1);
            int64_t ts = (int64_t)floor((double)t * f + 0.5);
            int64_t len = (int64_t)floor(musc_mmt_duration_of_code(r[4]) * f + 0.5);
            w[1] = (int32_t)(ts / 12 + 1);
            w[2] = (int32_t)(ts % 12 + 1);
            w[4] = musc_mmt_duration_code(len < 1 ? 1 : len);
        }
    }
    if (f != 1.0)
        qsort(l->scratch, n, 6 * sizeof *l->scratch, cmp_row5);

    /* a window of beats, as dataset.py: up to 10 draws for more than 10 notes */
    int64_t n_beats = n ? l->scratch[6 * (n - 1) + 1] : 0; /* last beat code = beat + 1 */
    int64_t start = 0;
    size_t first = 0, last = n;
    size_t want = n < 11 ? n : 11;
    for (int trial = 0; trial < 10; trial++) {
        start = n_beats > l->beats ? uniform_int(l, 0, n_beats - l->beats - 1) : 0;
        first = 0;
        while (first < n && l->scratch[6 * first + 1] - 1 < start)
            first++;
        last = first;
        while (last < n && l->scratch[6 * last + 1] - 1 < start + l->beats)
            last++;
        if (last - first >= want || n_beats <= l->beats)
            break;
    }

    /* shift: narrowed to the window's pitched notes */
    int lo = 128, hi = -1;
    for (size_t i = first; i < last; i++) {
        const int32_t *r = l->scratch + 6 * i;
        if (r[5] == l->drums_code)
            continue;
        if (r[3] - 1 < lo)
            lo = r[3] - 1;
        if (r[3] - 1 > hi)
            hi = r[3] - 1;
    }
    int shift = draw_shift(l, lo, hi);
    for (size_t i = first; i < last; i++) {
        int32_t *r = l->scratch + 6 * i;
        r[1] -= (int32_t)start;
        if (r[5] != l->drums_code)
            r[3] += shift;
    }
    if (shift && l->drums_code > 0)
        qsort(l->scratch + 6 * first, last - first, 6 * sizeof *l->scratch, cmp_row5);

    /* assemble: SOS, instruments, SON, notes, EOS, cut to the window */
    size_t window = l->o.window, k = 0;
    memset(rows, 0, window * 6 * sizeof *rows);
    unsigned char used[MUSC_MMT_DRUMS + 2] = {0};
    for (size_t i = first; i < last; i++) {
        int c = l->scratch[6 * i + 5];
        if (c >= 0 && c <= MUSC_MMT_DRUMS)
            used[c] = 1;
    }
    rows[6 * k++] = MUSC_MMT_START_OF_SONG;
    for (int c = 1; c <= MUSC_MMT_DRUMS && k < window - 1; c++)
        if (used[c]) {
            rows[6 * k] = MUSC_MMT_INSTRUMENT;
            rows[6 * k++ + 5] = c;
        }
    if (k < window - 1)
        rows[6 * k++] = MUSC_MMT_START_OF_NOTES;
    for (size_t i = first; i < last && k < window - 1; i++)
        memcpy(rows + 6 * k++, l->scratch + 6 * i, 6 * sizeof *rows);
    rows[6 * k++] = MUSC_MMT_END_OF_SONG;
    *n_out = k;
    *shift_out = shift;
    return MUSC_OK;
}

/* Is token t (REMI) a Program token; its program then. */
static int remi_program(const musc_remi_vocab *v, int32_t t)
{
    return t >= v->program && t < v->program + v->n_programs ? t - v->program : -1;
}

static void transpose_tokens(musc_loader *l, const musc_shard_piece *p, size_t start,
                             int32_t *rows, size_t n, int *shift_out)
{
    int lo = 128, hi = -1;
    const musc_remi_vocab *v = &l->remi;
    int repr = l->info->repr;
    int program = -1;
    if (repr == MUSC_DATASET_REMI)
        for (size_t i = start; i-- > 0;)
            if ((program = remi_program(v, p->rows[i])) >= 0)
                break;
    /* two passes: find the range, then move */
    for (int pass = 0; pass < 2; pass++) {
        int prog = program, shift = pass ? *shift_out : 0;
        for (size_t i = 0; i < n; i++) {
            int32_t *t = &rows[i];
            int pitch = -1, base = 0;
            if (repr == MUSC_DATASET_EVENT) {
                if (*t >= 0 && *t < 128)
                    pitch = *t;
                else if (!l->single_note_off && *t >= 128 && *t < 256)
                    pitch = *t - 128, base = 128;
            } else if (repr == MUSC_DATASET_REMI) {
                int pr = remi_program(v, *t);
                if (pr >= 0)
                    prog = pr;
                else if (*t >= v->pitch && *t < v->pitch + 128 && prog != 128)
                    pitch = *t - v->pitch, base = v->pitch;
            }
            if (pitch < 0)
                continue;
            if (!pass) {
                lo = pitch < lo ? pitch : lo;
                hi = pitch > hi ? pitch : hi;
            } else {
                *t = base + pitch + shift;
            }
        }
        if (!pass)
            *shift_out = draw_shift(l, lo, hi);
    }
}

musc_status musc_loader_next(musc_loader *l, int32_t *rows, size_t *n_rows, size_t *piece,
                             int *shift)
{
    size_t index = l->nonempty[uniform_int(l, 0, (int64_t)l->n_nonempty - 1)];
    musc_shard_piece p;
    musc_shard_get_piece(l->shard, index, &p);
    int s = 0;
    musc_status st = MUSC_OK;
    size_t fields = (size_t)l->info->fields, window = l->o.window;
    if (l->info->repr == MUSC_DATASET_MMT) {
        st = next_mmt(l, &p, rows, n_rows, &s);
    } else {
        size_t start = p.n_rows > window ? (size_t)uniform_int(l, 0, (int64_t)(p.n_rows - window)) : 0;
        size_t n = p.n_rows - start < window ? p.n_rows - start : window;
        memset(rows, 0, window * fields * sizeof *rows);
        memcpy(rows, p.rows + start * fields, n * fields * sizeof *rows);
        if (l->info->repr == MUSC_DATASET_NOTE) {
            int lo = 128, hi = -1;
            for (size_t i = 0; i < n; i++) {
                int q = rows[i * fields + 1];
                lo = q < lo ? q : lo;
                hi = q > hi ? q : hi;
            }
            s = draw_shift(l, lo, hi);
            double f = l->o.stretch_min == l->o.stretch_max
                           ? l->o.stretch_min
                           : uniform_real(l, l->o.stretch_min, l->o.stretch_max);
            for (size_t i = 0; i < n; i++) {
                int32_t *r = rows + i * fields;
                r[1] += s;
                if (f != 1.0) {
                    r[0] = (int32_t)floor(r[0] * f + 0.5);
                    r[2] = (int32_t)floor(r[2] * f + 0.5);
                }
            }
        } else {
            transpose_tokens(l, &p, start, rows, n, &s);
        }
        *n_rows = n;
    }
    if (st != MUSC_OK) {
        *n_rows = 0;
        return st;
    }
    if (piece)
        *piece = index;
    if (shift)
        *shift = s;
    return MUSC_OK;
}
