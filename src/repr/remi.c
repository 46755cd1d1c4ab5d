/*
 * REMI (Huang & Yang, "Pop Music Transformer", 2020): bar and position
 * tokens on a metrical grid, then pitch, velocity and duration per note,
 * with tempo and chord tokens at positions and REMI+'s program tokens for
 * multitrack music. The vocabulary is fixed by the numeric options only,
 * so token ids do not move when a use_* switch changes (see repr.h).
 */
#include "musc/repr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_TIME_SIGS 64
#define N_CHORDS 60
#define N_PROGRAMS 129
#define DRUM_TOKEN 128
#define MAX_TOKENS MUSC_REPR_MAX_TOKENS

static const int sig_dens[4] = {2, 4, 8, 16};
static const char *const quality_names[5] = {"maj", "min", "dim", "aug", "dom7"};
static const char *const root_names[12] = {"C",  "C#", "D",  "D#", "E",  "F",
                                           "F#", "G",  "G#", "A",  "A#", "B"};

musc_remi_options musc_remi_options_default(void)
{
    musc_remi_options o;
    memset(&o, 0, sizeof o);
    o.ppq = 4;
    o.max_duration = 64;
    o.n_velocities = 32;
    o.n_tempos = 32;
    o.tempo_min = 40.0;
    o.tempo_max = 250.0;
    o.use_programs = 1;
    o.use_tempos = 1;
    o.use_chords = 0;
    o.use_time_signatures = 1;
    o.use_bos_eos = 0;
    o.program = 0;
    o.default_velocity = MUSC_DEFAULT_VELOCITY;
    return o;
}

musc_status musc_remi_vocab_of(const musc_remi_options *options, musc_remi_vocab *v)
{
    musc_remi_options o = options ? *options : musc_remi_options_default();
    memset(v, 0, sizeof *v);
    if (o.ppq < 1 || o.ppq > 96)
        return musc_error(MUSC_ERR_ARG, "remi: ppq = %d, expected 1..96", o.ppq);
    if (o.max_duration < 1 || o.max_duration > 65536)
        return musc_error(MUSC_ERR_ARG, "remi: max_duration = %d, expected 1..65536",
                          o.max_duration);
    if (o.n_velocities < 1 || o.n_velocities > 128)
        return musc_error(MUSC_ERR_ARG, "remi: n_velocities = %d, expected 1..128",
                          o.n_velocities);
    if (o.n_tempos < 1 || o.n_tempos > 4096)
        return musc_error(MUSC_ERR_ARG, "remi: n_tempos = %d, expected 1..4096", o.n_tempos);
    if (!(o.tempo_min > 0) || !isfinite(o.tempo_max) || o.tempo_max < o.tempo_min ||
        (o.n_tempos > 1 && o.tempo_max == o.tempo_min))
        return musc_error(MUSC_ERR_ARG, "remi: tempo range %g..%g is not valid", o.tempo_min,
                          o.tempo_max);
    if (o.program < 0 || o.program > 127)
        return musc_error(MUSC_ERR_ARG, "remi: program = %d, expected 0..127", o.program);
    if (o.default_velocity < 0 || o.default_velocity > 127)
        return musc_error(MUSC_ERR_ARG, "remi: default_velocity = %d, expected 0..127",
                          o.default_velocity);
    v->bar = 3;
    v->position = 4;
    v->n_positions = 16 * o.ppq;
    v->time_sig = v->position + v->n_positions;
    v->n_time_sigs = N_TIME_SIGS;
    v->tempo = v->time_sig + N_TIME_SIGS;
    v->n_tempos = o.n_tempos;
    v->chord = v->tempo + o.n_tempos;
    v->n_chords = N_CHORDS;
    v->program = v->chord + N_CHORDS;
    v->n_programs = N_PROGRAMS;
    v->pitch = v->program + N_PROGRAMS;
    v->velocity = v->pitch + 128;
    v->n_velocities = o.n_velocities;
    v->duration = v->velocity + o.n_velocities;
    v->n_durations = o.max_duration;
    v->size = v->duration + o.max_duration;
    return MUSC_OK;
}

static double tempo_value(const musc_remi_options *o, int i)
{
    if (o->n_tempos == 1)
        return o->tempo_min;
    return o->tempo_min + i * (o->tempo_max - o->tempo_min) / (o->n_tempos - 1);
}

static int tempo_bin(const musc_remi_options *o, double qpm)
{
    if (o->n_tempos == 1)
        return 0;
    double x = (qpm - o->tempo_min) / (o->tempo_max - o->tempo_min) * (o->n_tempos - 1);
    long i = lround(x);
    return i < 0 ? 0 : i >= o->n_tempos ? o->n_tempos - 1 : (int)i;
}

static int velocity_center(int bin, int bins)
{
    int v = (2 * bin + 1) * 128 / (2 * bins);
    return v > 127 ? 127 : v;
}

/* Time-signature token index, or -1 when REMI has none for it. */
static int sig_index(int num, int den)
{
    for (int d = 0; d < 4; d++)
        if (sig_dens[d] == den && num >= 1 && num <= 16)
            return d * 16 + num - 1;
    return -1;
}

const char *musc_remi_token_name(const musc_remi_options *options, int32_t t, char *buf,
                                 size_t size)
{
    musc_remi_options o = options ? *options : musc_remi_options_default();
    musc_remi_vocab v;
    if (!size)
        return buf;
    if (musc_remi_vocab_of(&o, &v) || t < 0 || t >= v.size)
        snprintf(buf, size, "Unknown");
    else if (t == MUSC_REMI_PAD)
        snprintf(buf, size, "PAD");
    else if (t == MUSC_REMI_BOS)
        snprintf(buf, size, "BOS");
    else if (t == MUSC_REMI_EOS)
        snprintf(buf, size, "EOS");
    else if (t == v.bar)
        snprintf(buf, size, "Bar");
    else if (t < v.time_sig)
        snprintf(buf, size, "Position_%d", t - v.position);
    else if (t < v.tempo)
        snprintf(buf, size, "TimeSig_%d/%d", (t - v.time_sig) % 16 + 1,
                 sig_dens[(t - v.time_sig) / 16]);
    else if (t < v.chord)
        snprintf(buf, size, "Tempo_%.1f", tempo_value(&o, t - v.tempo));
    else if (t < v.program)
        snprintf(buf, size, "Chord_%s:%s", root_names[(t - v.chord) / 5],
                 quality_names[(t - v.chord) % 5]);
    else if (t < v.pitch)
        snprintf(buf, size, "Program_%d", t - v.program);
    else if (t < v.velocity)
        snprintf(buf, size, "Pitch_%d", t - v.pitch);
    else if (t < v.duration)
        snprintf(buf, size, "Velocity_%d", t - v.velocity);
    else
        snprintf(buf, size, "Duration_%d", t - v.duration + 1);
    return buf;
}

/* Parse a chord symbol into root 0..11 and quality 0..4 (see repr.h). */
static int parse_chord(const char *s, int *root, int *quality)
{
    static const int letter[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (!s || *s < 'A' || *s > 'G')
        return -1;
    int r = letter[*s++ - 'A'];
    if (*s == '#')
        r++, s++;
    else if (*s == 'b')
        r += 11, s++;
    if (*s == ':')
        s++;
    static const struct {
        const char *text;
        int q;
    } forms[] = {{"", 0},     {"maj", 0},  {"M", 0},     {"maj7", 0}, {"M7", 0},   {"6", 0},
                 {"m", 1},    {"min", 1},  {"-", 1},     {"m7", 1},   {"min7", 1}, {"m6", 1},
                 {"dim", 2},  {"o", 2},    {"dim7", 2},  {"m7b5", 2}, {"aug", 3},  {"+", 3},
                 {"7", 4},    {"9", 4},    {"dom7", 4}};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strcmp(s, forms[i].text) == 0) {
            *root = r % 12;
            *quality = forms[i].q;
            return 0;
        }
    return -1;
}

/* ---- encoding ----------------------------------------------------------------- */

typedef struct tokbuf {
    int32_t *t;
    size_t n, cap;
    int failed;
} tokbuf;

static void push(tokbuf *b, int32_t tok)
{
    if (b->failed)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        int32_t *p = cap <= MAX_TOKENS ? realloc(b->t, cap * sizeof *p) : NULL;
        if (!p) {
            b->failed = 1;
            return;
        }
        b->t = p;
        b->cap = cap;
    }
    b->t[b->n++] = tok;
}

typedef struct rnote {
    int64_t step;
    int program, pitch, duration, velocity;
} rnote;

typedef struct mark {
    int64_t step;
    size_t seq;
    int value; /* tempo bin, chord index, or num*100+den for signatures */
} mark;

static int cmp_rnote(const void *pa, const void *pb)
{
    const rnote *a = pa, *b = pb;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    if (a->program != b->program)
        return a->program - b->program;
    if (a->pitch != b->pitch)
        return a->pitch - b->pitch;
    if (a->duration != b->duration)
        return a->duration - b->duration;
    return a->velocity - b->velocity;
}

static int cmp_mark(const void *pa, const void *pb)
{
    const mark *a = pa, *b = pb;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Keep the last mark of each step (marks sorted by step, then order). */
static size_t last_per_step(mark *m, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && m[k - 1].step == m[i].step)
            m[k - 1] = m[i];
        else
            m[k++] = m[i];
    }
    return k;
}

/* round(t * ppq / res), halves up; -1 if it would overflow. */
static int64_t to_step(int64_t t, int ppq, int res)
{
    if (t < 0 || t > INT64_MAX / (2 * 96))
        return -1;
    return (t * 2 * ppq + res) / (2 * (int64_t)res);
}

static musc_status bar_length(const musc_remi_vocab *v, int ppq, int num, int den, int64_t *len)
{
    if (sig_index(num, den) < 0 || (num * 4 * ppq) % den != 0)
        return musc_error(MUSC_ERR_UNSUPPORTED,
                          "remi encode: time signature %d/%d has no token at ppq %d", num, den,
                          ppq);
    *len = (int64_t)num * 4 * ppq / den;
    if (*len > v->n_positions)
        return musc_error(MUSC_ERR_UNSUPPORTED, "remi encode: a %d/%d bar is longer than 16 quarters",
                          num, den);
    return MUSC_OK;
}

musc_status musc_remi_encode(const musc_music *music, const musc_remi_options *options,
                             int32_t **tokens, size_t *n)
{
    musc_remi_options o = options ? *options : musc_remi_options_default();
    *tokens = NULL;
    *n = 0;
    musc_remi_vocab v;
    musc_status st = musc_remi_vocab_of(&o, &v);
    if (st)
        return st;
    if (!music || music->resolution < 1)
        return musc_error(MUSC_ERR_ARG, "remi encode: no music or resolution < 1");
    size_t total = 0;
    for (size_t i = 0; i < music->n_tracks; i++)
        total += music->tracks[i].n_notes;
    rnote *notes = total ? malloc(total * sizeof *notes) : NULL;
    size_t n_marks = music->n_tempos + music->n_annotations + music->n_time_signatures;
    mark *marks = malloc((n_marks ? n_marks : 1) * sizeof *marks);
    tokbuf b = {0};
    if ((total && !notes) || !marks) {
        st = musc_error(MUSC_ERR_NOMEM, "remi encode: out of memory");
        goto done;
    }
    size_t nn = 0;
    int64_t last = -1;
    for (size_t i = 0; i < music->n_tracks; i++) {
        const musc_track *t = &music->tracks[i];
        for (size_t j = 0; j < t->n_notes; j++) {
            const musc_note *src = &t->notes[j];
            int64_t s = to_step(src->time, o.ppq, music->resolution);
            int64_t d = to_step(src->duration, o.ppq, music->resolution);
            if (s < 0 || d < 0 || src->pitch < 0 || src->pitch > 127 || src->velocity < 0 ||
                src->velocity > 127) {
                st = musc_error(MUSC_ERR_RANGE, "remi encode: tracks[%zu].notes[%zu] is invalid",
                                i, j);
                goto done;
            }
            rnote *r = &notes[nn++];
            r->step = s;
            r->program = o.use_programs ? (t->is_drum ? DRUM_TOKEN : t->program) : 0;
            r->pitch = src->pitch;
            r->duration = d < 1 ? 1 : d > o.max_duration ? o.max_duration : (int)d;
            r->velocity = src->velocity * o.n_velocities / 128;
            if (s > last)
                last = s;
        }
    }
    if (nn > 1)
        qsort(notes, nn, sizeof *notes, cmp_rnote);

    /* tempos [0, nt), chords [nt, nt + nc), signatures after */
    size_t nt = 0, nc = 0, ns = 0;
    if (o.use_tempos)
        for (size_t i = 0; i < music->n_tempos; i++) {
            int64_t s = to_step(music->tempos[i].time, o.ppq, music->resolution);
            if (s < 0)
                continue;
            marks[nt] = (mark){s, i, tempo_bin(&o, music->tempos[i].qpm)};
            nt++;
        }
    if (nt > 1)
        qsort(marks, nt, sizeof *marks, cmp_mark);
    nt = last_per_step(marks, nt);
    mark *chords = marks + nt;
    if (o.use_chords)
        for (size_t i = 0; i < music->n_annotations; i++) {
            const musc_annotation *a = &music->annotations[i];
            int root, q;
            int64_t s = to_step(a->time, o.ppq, music->resolution);
            if (a->kind != MUSC_ANN_CHORD || s < 0 || parse_chord(a->text, &root, &q))
                continue;
            chords[nc] = (mark){s, i, root * 5 + q};
            nc++;
        }
    if (nc > 1)
        qsort(chords, nc, sizeof *chords, cmp_mark);
    nc = last_per_step(chords, nc);
    mark *sigs = chords + nc;
    if (o.use_time_signatures)
        for (size_t i = 0; i < music->n_time_signatures; i++) {
            const musc_time_signature *ts = &music->time_signatures[i];
            int64_t s = to_step(ts->time < 0 ? 0 : ts->time, o.ppq, music->resolution);
            if (s < 0)
                continue;
            int64_t len;
            if ((st = bar_length(&v, o.ppq, ts->numerator, ts->denominator, &len)))
                goto done;
            sigs[ns] = (mark){s, i, ts->numerator * 100 + ts->denominator};
            ns++;
        }
    if (ns > 1)
        qsort(sigs, ns, sizeof *sigs, cmp_mark);
    for (size_t i = 0; i < nt; i++)
        if (marks[i].step > last)
            last = marks[i].step;
    for (size_t i = 0; i < nc; i++)
        if (chords[i].step > last)
            last = chords[i].step;

    /* every bar costs a token and is at most n_positions long: refuse early
     * what could only end in MAX_TOKENS */
    if (last >= 0 && (uint64_t)last / (uint64_t)v.n_positions >= MAX_TOKENS) {
        st = musc_error(MUSC_ERR_RANGE, "remi encode: more than %zu tokens", MAX_TOKENS);
        goto done;
    }
    if (o.use_bos_eos)
        push(&b, MUSC_REMI_BOS);
    int sig = 404, emitted_sig = -1;
    size_t si = 0;
    while (si < ns && sigs[si].step <= 0)
        sig = sigs[si++].value;
    size_t ni = 0, ti = 0, ci = 0;
    int64_t bar_start = 0;
    while (bar_start <= last && !b.failed) {
        int64_t len;
        if ((st = bar_length(&v, o.ppq, sig / 100, sig % 100, &len)))
            goto done;
        push(&b, v.bar);
        if (ns && sig != emitted_sig) {
            push(&b, v.time_sig + sig_index(sig / 100, sig % 100));
            emitted_sig = sig;
        }
        int64_t bar_end = bar_start + len;
        for (;;) {
            int64_t s = INT64_MAX;
            if (ni < nn && notes[ni].step < s)
                s = notes[ni].step;
            if (ti < nt && marks[ti].step < s)
                s = marks[ti].step;
            if (ci < nc && chords[ci].step < s)
                s = chords[ci].step;
            if (s >= bar_end)
                break;
            push(&b, v.position + (int32_t)(s - bar_start));
            if (ti < nt && marks[ti].step == s)
                push(&b, v.tempo + marks[ti++].value);
            if (ci < nc && chords[ci].step == s)
                push(&b, v.chord + chords[ci++].value);
            while (ni < nn && notes[ni].step == s) {
                const rnote *r = &notes[ni++];
                if (o.use_programs)
                    push(&b, v.program + r->program);
                push(&b, v.pitch + r->pitch);
                push(&b, v.velocity + r->velocity);
                push(&b, v.duration + r->duration - 1);
            }
        }
        bar_start = bar_end;
        /* a change inside the bar waits for this barline */
        while (si < ns && sigs[si].step <= bar_start)
            sig = sigs[si++].value;
    }
    if (o.use_bos_eos)
        push(&b, MUSC_REMI_EOS);
    if (b.failed) {
        st = b.cap >= MAX_TOKENS
                 ? musc_error(MUSC_ERR_RANGE, "remi encode: more than %zu tokens", MAX_TOKENS)
                 : musc_error(MUSC_ERR_NOMEM, "remi encode: out of memory");
        goto done;
    }
    *tokens = b.t;
    *n = b.n;
    b.t = NULL;
    st = MUSC_OK;
done:
    free(b.t);
    free(notes);
    free(marks);
    return st;
}

/* ---- decoding ----------------------------------------------------------------- */

musc_status musc_remi_decode(const int32_t *tokens, size_t n, const musc_remi_options *options,
                             musc_music **out)
{
    musc_remi_options o = options ? *options : musc_remi_options_default();
    *out = NULL;
    musc_remi_vocab v;
    musc_status st = musc_remi_vocab_of(&o, &v);
    if (st)
        return st;
    if (n && !tokens)
        return musc_error(MUSC_ERR_ARG, "remi decode: tokens is NULL");
    musc_music *m = musc_music_new(o.ppq);
    if (!m)
        return MUSC_ERR_NOMEM;
    /* notes go to one scratch track per program token, merged at the end */
    musc_track scratch[N_PROGRAMS];
    memset(scratch, 0, sizeof scratch);
    int64_t bar_start = 0, bar_len = 4 * o.ppq, time = 0;
    int seen_bar = 0, program = o.use_programs ? 0 : o.program;
    int pending = 0, pitch = 0, velocity = o.default_velocity;
    int fail = 0;
    for (size_t i = 0; i < n && !fail; i++) {
        int32_t t = tokens[i];
        if (t < 0 || t >= v.size || t == MUSC_REMI_PAD || t == MUSC_REMI_BOS)
            continue;
        if (t == MUSC_REMI_EOS)
            break;
        if (t == v.bar) {
            if (seen_bar)
                bar_start += bar_len;
            seen_bar = 1;
            time = bar_start;
            pending = 0;
        } else if (t < v.time_sig) {
            time = bar_start + (t - v.position);
            pending = 0;
        } else if (t < v.tempo) {
            int num = (t - v.time_sig) % 16 + 1, den = sig_dens[(t - v.time_sig) / 16];
            if ((num * 4 * o.ppq) % den == 0) {
                bar_len = (int64_t)num * 4 * o.ppq / den;
                fail = musc_music_add_time_signature(m, bar_start, num, den) != MUSC_OK;
            }
        } else if (t < v.chord) {
            fail = musc_music_add_tempo(m, time, tempo_value(&o, t - v.tempo)) != MUSC_OK;
        } else if (t < v.program) {
            char text[16];
            snprintf(text, sizeof text, "%s:%s", root_names[(t - v.chord) / 5],
                     quality_names[(t - v.chord) % 5]);
            fail = musc_music_add_annotation(m, time, MUSC_ANN_CHORD, text) != MUSC_OK;
        } else if (t < v.pitch) {
            if (o.use_programs)
                program = t - v.program;
        } else if (t < v.velocity) {
            pending = 1;
            pitch = t - v.pitch;
            velocity = o.default_velocity;
        } else if (t < v.duration) {
            if (pending)
                velocity = velocity_center(t - v.velocity, o.n_velocities);
        } else if (pending) {
            fail = musc_track_add_note(&scratch[program], time, t - v.duration + 1, pitch,
                                       velocity) != MUSC_OK;
            pending = 0;
        }
    }
    /* tracks by program, drums last; without programs always one track */
    for (int p = 0; p < N_PROGRAMS && !fail; p++) {
        if (!scratch[p].n_notes && !(!o.use_programs && p == o.program))
            continue;
        int drum = p == DRUM_TOKEN;
        musc_track *t = musc_music_add_track(m, drum ? 0 : p, drum, NULL);
        if (!t) {
            fail = 1;
            break;
        }
        t->notes = scratch[p].notes;
        t->n_notes = scratch[p].n_notes;
        t->cap_notes = scratch[p].cap_notes;
        scratch[p].notes = NULL;
    }
    for (int p = 0; p < N_PROGRAMS; p++)
        free(scratch[p].notes);
    if (fail) {
        musc_music_free(m);
        return musc_error(MUSC_ERR_NOMEM, "remi decode: out of memory");
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}
