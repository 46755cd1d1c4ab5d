/*
 * Melodies with their chords, for the harmonizer: a melody track made
 * monophonic, cut into frames (half bars, beats or bars), labelled with
 * the human chord of each frame, and the key shift that moves it to C.
 * Also POP909's chord and beat files, and whole corpora split 8:1:1 by a
 * hash of each piece's path, so training never sees an evaluation piece.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "musc/abc.h"
#include "musc/harmonize.h"
#include "musc/io.h"
#include "harmonize_internal.h"

#define MAX_FRAMES ((size_t)1 << 24)
#define MAX_TICK ((int64_t)1 << 60)

musc_status musc_harmony_melody_track(const musc_music *music, int *track)
{
    size_t best = 0;
    int index = -1;
    for (size_t i = 0; music && i < music->n_tracks; i++)
        if (!music->tracks[i].is_drum && music->tracks[i].n_notes > best) {
            best = music->tracks[i].n_notes;
            index = (int)i;
        }
    if (index < 0)
        return musc_error(MUSC_ERR_NOTFOUND,
                          "no melody: expected a non-drum track with notes (the music has "
                          "%zu track%s, none pitched with notes)",
                          music ? music->n_tracks : 0,
                          music && music->n_tracks == 1 ? "" : "s");
    *track = index;
    return MUSC_OK;
}

void musc_harmony_piece_clear(musc_harmony_piece *p)
{
    if (!p)
        return;
    free(p->melody);
    free(p->frames);
    free(p->chords);
    free(p->bar_start);
    memset(p, 0, sizeof *p);
}

static int cmp_onset_high_first(const void *a, const void *b)
{
    const musc_note *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (y->pitch > x->pitch) - (y->pitch < x->pitch);
}

/* The highest note of each onset, each cut at the next onset. */
static musc_status monophonic(const musc_track *t, musc_note **out, size_t *n)
{
    musc_note *v = malloc((t->n_notes ? t->n_notes : 1) * sizeof *v);
    if (!v)
        return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].duration > 0 && t->notes[i].time >= 0 && t->notes[i].pitch >= 0 &&
            t->notes[i].pitch <= 127 && t->notes[i].time <= MAX_TICK &&
            t->notes[i].duration <= MAX_TICK) /* no overflow in time + duration */
            v[k++] = t->notes[i];
    qsort(v, k, sizeof *v, cmp_onset_high_first);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || v[i].time != v[m - 1].time)
            v[m++] = v[i];
    for (size_t i = 0; i + 1 < m; i++)
        if (v[i].time + v[i].duration > v[i + 1].time)
            v[i].duration = v[i + 1].time - v[i].time;
    *out = v;
    *n = m;
    return MUSC_OK;
}

/* Krumhansl-Kessler probe-tone profiles. */
static const double KK_MAJOR[12] = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                    2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
static const double KK_MINOR[12] = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                    2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

static double correlation(const double *x, const double *profile, int tonic)
{
    double mx = 0, mp = 0;
    for (int k = 0; k < 12; k++)
        mx += x[k] / 12, mp += profile[k] / 12;
    double sxy = 0, sxx = 0, syy = 0;
    for (int k = 0; k < 12; k++) {
        double a = x[(k + tonic) % 12] - mx, b = profile[k] - mp;
        sxy += a * b, sxx += a * a, syy += b * b;
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

/* Semitones up from the piece's key signature to none (C major / A minor). */
static int key_shift_of(const musc_music *m, const musc_note *notes, size_t n)
{
    if (m->n_key_signatures) {
        const musc_key_signature *first = &m->key_signatures[0];
        for (size_t i = 1; i < m->n_key_signatures; i++)
            if (m->key_signatures[i].time < first->time)
                first = &m->key_signatures[i];
        if (first->fifths >= -7 && first->fifths <= 7) {
            int major_tonic = ((first->fifths * 7) % 12 + 12) % 12;
            return (12 - major_tonic) % 12;
        }
    }
    double hist[12] = {0};
    for (size_t i = 0; i < n; i++)
        hist[notes[i].pitch % 12] += (double)notes[i].duration;
    double best = -2;
    int major_tonic = 0;
    for (int t = 0; t < 12; t++) {
        double a = correlation(hist, KK_MAJOR, t), b = correlation(hist, KK_MINOR, t);
        if (a > best)
            best = a, major_tonic = t;
        if (b > best)
            best = b, major_tonic = (t + 3) % 12; /* the relative major */
    }
    return (12 - major_tonic) % 12;
}

typedef struct i64vec {
    int64_t *v;
    size_t n, cap;
} i64vec;

static int push64(i64vec *a, int64_t x)
{
    if (a->n && x <= a->v[a->n - 1])
        return 0; /* bounds strictly increase */
    if (a->n >= MAX_FRAMES + 1)
        return -2;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        int64_t *p = realloc(a->v, cap * sizeof *p);
        if (!p)
            return -1;
        a->v = p, a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* Frame bounds from beats and bar starts, covering [0, end). */
static int build_frames(musc_harmony_rate rate, const int64_t *beats, size_t nb,
                        const int64_t *bars, size_t nbar, int64_t end, int resolution, i64vec *f)
{
    int rc = 0;
    if (rate == MUSC_HARMONY_BEAT) {
        if (nb == 0 || beats[0] > 0)
            rc = rc ? rc : push64(f, 0);
        for (size_t i = 0; i < nb && !rc; i++)
            rc = push64(f, beats[i]);
        int64_t step = nb >= 2 ? beats[nb - 1] - beats[nb - 2] : resolution;
        if (step < 1)
            step = 1;
        while (!rc && f->v[f->n - 1] < end)
            rc = push64(f, f->v[f->n - 1] + step);
        return rc;
    }
    if (nbar == 0 || bars[0] > 0)
        rc = push64(f, 0);
    size_t bi = 0;
    for (size_t i = 0; i < nbar && !rc; i++) {
        int64_t a = bars[i];
        int64_t b = i + 1 < nbar ? bars[i + 1] : -1;
        rc = push64(f, a);
        if (rc || rate != MUSC_HARMONY_HALF_BAR || b < 0)
            continue;
        while (bi < nb && beats[bi] < a)
            bi++;
        size_t first = bi, k = 0;
        while (bi + k < nb && beats[bi + k] < b)
            k++;
        if (k >= 2 && k % 2 == 0)
            rc = push64(f, beats[first + k / 2]);
        else if (k >= 3)
            rc = push64(f, a + (b - a) / 2);
    }
    /* continue past the last bar start with bars as long as the one before */
    int64_t bar = nbar >= 2 ? bars[nbar - 1] - bars[nbar - 2] : 4 * (int64_t)resolution;
    if (bar < 2)
        bar = 2;
    while (!rc && f->v[f->n - 1] < end) {
        int64_t a = f->v[f->n - 1];
        if (rate == MUSC_HARMONY_HALF_BAR && nbar && a >= bars[nbar - 1]) {
            rc = push64(f, a + bar / 2);
            if (!rc)
                rc = push64(f, a + bar);
        } else {
            rc = push64(f, a + bar);
        }
    }
    return rc;
}

/* Which frames start a bar: the given bar starts, then (past the last one)
 * whole bars as long as the last, as build_frames continues them. */
static void mark_bar_starts(musc_harmony_piece *p, const int64_t *bars, size_t nbar)
{
    int64_t bar = nbar >= 2 ? bars[nbar - 1] - bars[nbar - 2] : 4 * (int64_t)p->resolution;
    if (bar < 2)
        bar = 2;
    int64_t last = nbar ? bars[nbar - 1] : 0;
    size_t j = 0;
    for (size_t f = 0; f < p->n_frames; f++) {
        int64_t t = p->frames[f];
        while (j < nbar && bars[j] < t)
            j++;
        if (f == 0 || (j < nbar && bars[j] == t))
            p->bar_start[f] = 1;
        else
            p->bar_start[f] = t > last && (t - last) % bar == 0;
    }
}

typedef struct chord_mark {
    int64_t time;
    size_t order;
    int cls;
} chord_mark;

static int cmp_mark(const void *a, const void *b)
{
    const chord_mark *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Human chords per frame: the class sounding longest in the frame. NULL
 * (and MUSC_OK) when the music has no chord symbols. */
static musc_status frame_chords(const musc_music *m, const int64_t *fr, size_t nf, int **out)
{
    *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < m->n_annotations; i++)
        n += m->annotations[i].kind == MUSC_ANN_CHORD;
    for (size_t t = 0; t < m->n_tracks; t++)
        for (size_t i = 0; i < m->tracks[t].n_annotations; i++)
            n += m->tracks[t].annotations[i].kind == MUSC_ANN_CHORD;
    if (n == 0)
        return MUSC_OK;
    chord_mark *marks = malloc(n * sizeof *marks);
    int *chords = malloc((nf ? nf : 1) * sizeof *chords);
    if (!marks || !chords) {
        free(marks);
        free(chords);
        return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    }
    size_t k = 0;
    for (size_t t = 0; t <= m->n_tracks; t++) {
        const musc_annotation *a = t == 0 ? m->annotations : m->tracks[t - 1].annotations;
        size_t na = t == 0 ? m->n_annotations : m->tracks[t - 1].n_annotations;
        for (size_t i = 0; i < na; i++) {
            int cls = a[i].kind == MUSC_ANN_CHORD ? musc_triad_parse(a[i].text) : -1;
            if (cls >= 0)
                marks[k] = (chord_mark){a[i].time, k, cls}, k++;
        }
    }
    qsort(marks, k, sizeof *marks, cmp_mark);
    size_t s = 0;
    for (size_t f = 0; f < nf; f++) {
        int64_t a = fr[f], b = fr[f + 1];
        double cover[MUSC_TRIAD_COUNT] = {0};
        while (s < k && s + 1 < k && marks[s + 1].time <= a)
            s++;
        /* before the first symbol: no chord */
        if (k == 0 || marks[0].time > a)
            cover[MUSC_TRIAD_NONE] += (double)((k && marks[0].time < b ? marks[0].time : b) - a);
        for (size_t j = s; j < k && marks[j].time < b; j++) {
            int64_t x = marks[j].time > a ? marks[j].time : a;
            int64_t y = j + 1 < k && marks[j + 1].time < b ? marks[j + 1].time : b;
            if (y > x)
                cover[marks[j].cls] += (double)(y - x);
        }
        int best = MUSC_TRIAD_NONE;
        for (int c = 0; c < MUSC_TRIAD_COUNT; c++)
            if (cover[c] > cover[best])
                best = c;
        chords[f] = best;
    }
    free(marks);
    *out = chords;
    return MUSC_OK;
}

musc_status musc_harmony_piece_from_grid(const musc_music *music, int track,
                                         musc_harmony_rate rate, const int64_t *beats,
                                         size_t n_beats, const int64_t *downbeats,
                                         size_t n_downbeats, musc_harmony_piece *out)
{
    if (!out)
        return musc_error(MUSC_ERR_ARG, "harmonize: no output piece");
    memset(out, 0, sizeof *out);
    if (!music || (n_beats && !beats) || (n_downbeats && !downbeats) ||
        (rate != MUSC_HARMONY_HALF_BAR && rate != MUSC_HARMONY_BEAT && rate != MUSC_HARMONY_BAR))
        return musc_error(MUSC_ERR_ARG, "harmonize: bad arguments");
    musc_status st;
    if (track < 0 && (st = musc_harmony_melody_track(music, &track)))
        return st;
    if ((size_t)track >= music->n_tracks)
        return musc_error(MUSC_ERR_ARG, "harmonize: track %d out of range (the music has %zu)",
                          track, music->n_tracks);
    if (music->tracks[track].is_drum)
        return musc_error(MUSC_ERR_ARG, "harmonize: track %d is a drum track, expected a melody",
                          track);
    if ((st = monophonic(&music->tracks[track], &out->melody, &out->n_notes)))
        return st;
    if (out->n_notes == 0) {
        musc_harmony_piece_clear(out);
        return musc_error(MUSC_ERR_NOTFOUND, "harmonize: track %d has no notes to harmonize",
                          track);
    }
    out->resolution = music->resolution;
    out->key_shift = key_shift_of(music, out->melody, out->n_notes);
    const musc_note *last = &out->melody[out->n_notes - 1];
    int64_t end = last->time + last->duration;
    i64vec f = {0};
    int rc = build_frames(rate, beats, n_beats, downbeats, n_downbeats, end,
                          music->resolution, &f);
    if (rc) {
        free(f.v);
        musc_harmony_piece_clear(out);
        return rc == -2 ? musc_error(MUSC_ERR_RANGE, "harmonize: more than 2^24 frames")
                        : musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    }
    while (f.n > 2 && f.v[f.n - 2] >= end) /* no frames after the melody */
        f.n--;
    out->frames = f.v;
    out->n_frames = f.n - 1;
    if (!(out->bar_start = malloc(out->n_frames))) {
        musc_harmony_piece_clear(out);
        return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    }
    mark_bar_starts(out, downbeats, n_downbeats);
    if ((st = frame_chords(music, out->frames, out->n_frames, &out->chords))) {
        musc_harmony_piece_clear(out);
        return st;
    }
    return MUSC_OK;
}

musc_status musc_harmony_piece_from_music(const musc_music *music, int track,
                                          musc_harmony_rate rate, musc_harmony_piece *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!music)
        return musc_error(MUSC_ERR_ARG, "harmonize: no music");
    int64_t *beats = NULL, *bars = NULL;
    size_t nb = 0, nbar = 0;
    musc_status st = musc_music_beats(music, 0, &beats, &nb);
    if (!st)
        st = musc_music_beats(music, 1, &bars, &nbar);
    if (!st)
        st = musc_harmony_piece_from_grid(music, track, rate, beats, nb, bars, nbar, out);
    free(beats);
    free(bars);
    return st;
}

/* ---- POP909's text files ---------------------------------------------------- */

int harmony_next_line(const char *text, size_t size, size_t *pos, char *buf, size_t cap)
{
    if (*pos >= size)
        return 0;
    size_t n = 0;
    while (*pos < size && text[*pos] != '\n') {
        if (n + 1 >= cap)
            return -1;
        buf[n++] = text[(*pos)++];
    }
    if (*pos < size)
        (*pos)++;
    while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    buf[n] = 0;
    return 1;
}

static int read_seconds(char **p, double *out)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
    char *end;
    double x = strtod(*p, &end);
    if (end == *p || !isfinite(x) || x < 0 || x > 1e7)
        return -1;
    *p = end;
    *out = x;
    return 0;
}

musc_status musc_harmony_read_chord_lab(const char *text, size_t size, musc_music *music)
{
    if (!music || (size && !text))
        return musc_error(MUSC_ERR_ARG, "chord file: no text or music");
    size_t before = music->n_annotations, pos = 0, line = 0;
    char buf[512];
    double prev_end = -1;
    musc_status st = MUSC_OK;
    int r;
    while ((r = harmony_next_line(text, size, &pos, buf, sizeof buf)) == 1) {
        line++;
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            continue;
        double a, b;
        if (read_seconds(&p, &a) || read_seconds(&p, &b)) {
            st = musc_error(MUSC_ERR_FORMAT,
                            "chord file line %zu: expected START END LABEL with times in "
                            "seconds (finite, >= 0)",
                            line);
            break;
        }
        if (b < a) {
            st = musc_error(MUSC_ERR_FORMAT, "chord file line %zu: END %g before START %g", line,
                            b, a);
            break;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p) {
            st = musc_error(MUSC_ERR_FORMAT, "chord file line %zu: missing chord label", line);
            break;
        }
        if (prev_end >= 0 && a > prev_end + 1e-3)
            st = musc_music_add_annotation(music, musc_music_seconds_to_ticks(music, prev_end),
                                           MUSC_ANN_CHORD, "N");
        if (!st)
            st = musc_music_add_annotation(music, musc_music_seconds_to_ticks(music, a),
                                           MUSC_ANN_CHORD, p);
        if (st)
            break;
        prev_end = b;
    }
    if (!st && r < 0)
        st = musc_error(MUSC_ERR_FORMAT, "chord file line %zu: line longer than %zu bytes",
                        line + 1, sizeof buf - 1);
    if (!st && prev_end >= 0)
        st = musc_music_add_annotation(music, musc_music_seconds_to_ticks(music, prev_end),
                                       MUSC_ANN_CHORD, "N");
    if (st) {
        for (size_t i = before; i < music->n_annotations; i++)
            free(music->annotations[i].text);
        music->n_annotations = before;
    }
    return st;
}

musc_status musc_harmony_read_beat_lab(const char *text, size_t size, const musc_music *music,
                                       int64_t **beats, size_t *n_beats, int64_t **downbeats,
                                       size_t *n_downbeats)
{
    *beats = *downbeats = NULL;
    *n_beats = *n_downbeats = 0;
    if (!music || (size && !text))
        return musc_error(MUSC_ERR_ARG, "beat file: no text or music");
    i64vec b = {0}, d = {0};
    size_t pos = 0, line = 0;
    char buf[256];
    musc_status st = MUSC_OK;
    int r;
    while ((r = harmony_next_line(text, size, &pos, buf, sizeof buf)) == 1) {
        line++;
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            continue;
        double t, f1, f2;
        if (read_seconds(&p, &t) || read_seconds(&p, &f1) || read_seconds(&p, &f2)) {
            st = musc_error(MUSC_ERR_FORMAT,
                            "beat file line %zu: expected TIME FLAG FLAG (numbers >= 0)", line);
            break;
        }
        int64_t tick = musc_music_seconds_to_ticks(music, t);
        int rc = push64(&b, tick);
        if (!rc && f2 >= 0.5)
            rc = push64(&d, tick);
        if (rc) {
            st = rc == -2 ? musc_error(MUSC_ERR_RANGE, "beat file: more than 2^24 beats")
                          : musc_error(MUSC_ERR_NOMEM, "beat file: out of memory");
            break;
        }
    }
    if (!st && r < 0)
        st = musc_error(MUSC_ERR_FORMAT, "beat file line %zu: line too long", line + 1);
    if (st) {
        free(b.v);
        free(d.v);
        return st;
    }
    *beats = b.v, *n_beats = b.n;
    *downbeats = d.v, *n_downbeats = d.n;
    return MUSC_OK;
}

/* ---- corpora ---------------------------------------------------------------- */

int musc_harmony_split_of(const char *name)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    h += 0x9e3779b97f4a7c15ull; /* splitmix64 */
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    double u = (double)(h >> 11) / 9007199254740992.0;
    return u < 0.8 ? 0 : u < 0.9 ? 1 : 2;
}

void musc_harmony_corpus_free(musc_harmony_corpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        musc_harmony_piece_clear(&c->pieces[i]);
        free(c->names[i]);
    }
    free(c->pieces);
    free(c->names);
    free(c->splits);
    memset(c, 0, sizeof *c);
}

/* Keep `piece` (taken over) under `name` if it has chords; else drop it. */
static musc_status corpus_add(musc_harmony_corpus *c, musc_harmony_piece *piece,
                              const char *name, int split)
{
    int useful = 0;
    for (size_t i = 0; piece->chords && i < piece->n_frames && !useful; i++)
        useful = piece->chords[i] != MUSC_TRIAD_NONE;
    if (!useful) {
        c->n_skipped++;
        musc_harmony_piece_clear(piece);
        return MUSC_OK;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        musc_harmony_piece *p = realloc(c->pieces, cap * sizeof *p);
        if (p)
            c->pieces = p;
        char **nm = p ? realloc(c->names, cap * sizeof *nm) : NULL;
        if (nm)
            c->names = nm;
        int *sp = nm ? realloc(c->splits, cap * sizeof *sp) : NULL;
        if (!sp) {
            musc_harmony_piece_clear(piece);
            return musc_error(MUSC_ERR_NOMEM, "harmonize corpus: out of memory");
        }
        c->splits = sp;
        c->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        musc_harmony_piece_clear(piece);
        return musc_error(MUSC_ERR_NOMEM, "harmonize corpus: out of memory");
    }
    c->pieces[c->n] = *piece;
    c->names[c->n] = copy;
    c->splits[c->n] = split;
    c->n++;
    memset(piece, 0, sizeof *piece);
    return MUSC_OK;
}

/* a + sep + b into buf; -1 when it does not fit */
static int join(char *buf, size_t cap, const char *a, const char *sep, const char *b)
{
    int n = snprintf(buf, cap, "%s%s%s", a, sep, b);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

static musc_status add_music(musc_harmony_corpus *c, const musc_music *m, int track,
                             musc_harmony_rate rate, const char *name, int split)
{
    musc_harmony_piece p;
    musc_status st = musc_harmony_piece_from_music(m, track, rate, &p);
    if (st == MUSC_ERR_NOMEM)
        return st;
    if (st) {
        c->n_skipped++;
        return MUSC_OK;
    }
    return corpus_add(c, &p, name, split);
}

/* The pickup (anacrusis) of an ABC tune, in ticks, or 0. The ABC reader
 * starts bar 1 at the first note, so a tune opening with a short bar has
 * every bar line shifted by the pickup's length. Without the bar lines
 * themselves, the chord symbols tell: when the first one comes after the
 * first note but within the first bar (lead sheets put the first chord on
 * the first full bar's downbeat), the bars are taken to start there. */
static int64_t abc_pickup(const musc_music *m)
{
    int64_t first_chord = -1, first_note = -1;
    for (size_t t = 0; t <= m->n_tracks; t++) {
        const musc_annotation *a = t == 0 ? m->annotations : m->tracks[t - 1].annotations;
        size_t na = t == 0 ? m->n_annotations : m->tracks[t - 1].n_annotations;
        for (size_t i = 0; i < na; i++)
            if (a[i].kind == MUSC_ANN_CHORD && musc_triad_parse(a[i].text) >= 0 &&
                (first_chord < 0 || a[i].time < first_chord))
                first_chord = a[i].time;
        if (t > 0 && m->tracks[t - 1].n_notes) {
            int64_t n0 = m->tracks[t - 1].notes[0].time;
            for (size_t i = 1; i < m->tracks[t - 1].n_notes; i++)
                if (m->tracks[t - 1].notes[i].time < n0)
                    n0 = m->tracks[t - 1].notes[i].time;
            if (first_note < 0 || n0 < first_note)
                first_note = n0;
        }
    }
    int num = 4, den = 4;
    for (size_t i = 0; i < m->n_time_signatures; i++)
        if (m->time_signatures[i].time <= 0)
            num = m->time_signatures[i].numerator, den = m->time_signatures[i].denominator;
    int64_t bar = (int64_t)num * 4 * m->resolution / (den > 0 ? den : 4);
    if (first_chord > 0 && first_note >= 0 && first_note < first_chord && first_chord < bar)
        return first_chord;
    return 0;
}

/* An ABC tune: as add_music, with the bars moved past a pickup. */
static musc_status add_abc_tune(musc_harmony_corpus *c, const musc_music *m,
                                musc_harmony_rate rate, const char *name, int split)
{
    int64_t pickup = abc_pickup(m);
    if (pickup <= 0)
        return add_music(c, m, -1, rate, name, split);
    int64_t *beats = NULL, *bars = NULL;
    size_t nb = 0, nbar = 0;
    musc_status st = musc_music_beats(m, 0, &beats, &nb);
    if (!st)
        st = musc_music_beats(m, 1, &bars, &nbar);
    for (size_t i = 0; !st && i < nb; i++)
        beats[i] += pickup;
    for (size_t i = 0; !st && i < nbar; i++)
        bars[i] += pickup;
    musc_harmony_piece p;
    memset(&p, 0, sizeof p);
    if (!st)
        st = musc_harmony_piece_from_grid(m, -1, rate, beats, nb, bars, nbar, &p);
    free(beats);
    free(bars);
    if (st == MUSC_ERR_NOMEM)
        return st;
    if (st) {
        c->n_skipped++;
        return MUSC_OK;
    }
    return corpus_add(c, &p, name, split);
}

/* A POP909 song: MIDI + chord_midi.txt + beat_midi.txt in one folder. */
static musc_status add_pop909(musc_harmony_corpus *c, musc_music *m, const char *folder,
                              musc_harmony_rate rate, const char *name, int split)
{
    char path[4096];
    uint8_t *text = NULL;
    size_t size = 0;
    musc_status st = join(path, sizeof path, folder, "/", "chord_midi.txt")
                         ? musc_error(MUSC_ERR_IO, "path too long")
                         : musc_file_read_all(path, 0, &text, &size);
    if (!st)
        st = musc_harmony_read_chord_lab((const char *)text, size, m);
    free(text);
    if (st) {
        c->n_failed++;
        return st == MUSC_ERR_NOMEM ? st : MUSC_OK;
    }
    int track = -1;
    for (size_t i = 0; i < m->n_tracks; i++)
        if (m->tracks[i].name && strcasecmp(m->tracks[i].name, "MELODY") == 0)
            track = (int)i;
    int bad_path = join(path, sizeof path, folder, "/", "beat_midi.txt");
    int64_t *beats = NULL, *bars = NULL;
    size_t nb = 0, nbar = 0;
    text = NULL;
    if (!bad_path && musc_file_read_all(path, 0, &text, &size) == MUSC_OK &&
        musc_harmony_read_beat_lab((const char *)text, size, m, &beats, &nb, &bars, &nbar) ==
            MUSC_OK &&
        nbar > 0) {
        free(text);
        musc_harmony_piece p;
        st = musc_harmony_piece_from_grid(m, track, rate, beats, nb, bars, nbar, &p);
        free(beats);
        free(bars);
        if (st == MUSC_ERR_NOMEM)
            return st;
        if (st) {
            c->n_skipped++;
            return MUSC_OK;
        }
        return corpus_add(c, &p, name, split);
    }
    free(text);
    free(beats);
    free(bars);
    return add_music(c, m, track, rate, name, split);
}

static musc_status add_file(musc_harmony_corpus *c, const char *path, const char *rel,
                            const char *folder, int want, musc_harmony_rate rate)
{
    musc_read_options ro = musc_read_options_default();
    musc_status st = MUSC_OK;
    if (has_ext(path, ".abc")) {
        uint8_t *text = NULL;
        size_t size = 0;
        musc_music **tunes = NULL;
        size_t nt = 0;
        if (musc_file_read_all(path, 0, &text, &size) ||
            musc_abc_read_book_mem((const char *)text, size, &ro, &tunes, &nt, NULL)) {
            free(text);
            c->n_failed++;
            return MUSC_OK;
        }
        free(text);
        char name[4200];
        for (size_t i = 0; i < nt && !st; i++) {
            char num[32];
            snprintf(num, sizeof num, "#%zu", i);
            if (join(name, sizeof name, rel, "", num))
                continue;
            int split = musc_harmony_split_of(name);
            if (want < 0 || split == want)
                st = add_abc_tune(c, tunes[i], rate, name, split);
        }
        musc_music_list_free(tunes, nt);
        return st;
    }
    int split = musc_harmony_split_of(rel);
    if (want >= 0 && split != want)
        return MUSC_OK;
    musc_music *m = NULL;
    if (musc_read(path, &ro, &m, NULL)) {
        c->n_failed++;
        return MUSC_OK;
    }
    char lab[4096];
    struct stat sb;
    if (!join(lab, sizeof lab, folder, "/", "chord_midi.txt") && (has_ext(path, ".mid") || has_ext(path, ".midi")) && stat(lab, &sb) == 0)
        st = add_pop909(c, m, folder, rate, rel, split);
    else
        st = add_music(c, m, -1, rate, rel, split);
    musc_music_free(m);
    return st;
}

static musc_status walk(musc_harmony_corpus *c, const char *root, const char *rel, int want,
                        musc_harmony_rate rate, int depth)
{
    char dir[4096];
    struct dirent **list = NULL;
    int n = join(dir, sizeof dir, root, *rel ? "/" : "", rel)
                ? -1
                : scandir(dir, &list, NULL, alphasort);
    if (n < 0)
        return depth == 0 ? musc_error(MUSC_ERR_IO, "harmonize corpus: cannot read folder %s",
                                       dir)
                          : MUSC_OK;
    musc_status st = MUSC_OK;
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        char sub[4096], path[8200];
        if (!st && name[0] != '.' && !join(sub, sizeof sub, rel, *rel ? "/" : "", name) &&
            !join(path, sizeof path, root, "/", sub)) {
            struct stat sb;
            if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && depth < 16)
                st = walk(c, root, sub, want, rate, depth + 1);
            else if (has_ext(name, ".abc") || has_ext(name, ".mxl") ||
                     has_ext(name, ".musicxml") || has_ext(name, ".xml") ||
                     has_ext(name, ".mid") || has_ext(name, ".midi"))
                st = add_file(c, path, sub, dir, want, rate);
        }
        free(list[i]);
    }
    free(list);
    return st;
}

musc_status musc_harmony_corpus_load(const char *dir, int split, musc_harmony_rate rate,
                                     musc_harmony_corpus *out)
{
    if (!out || !dir)
        return musc_error(MUSC_ERR_ARG, "harmonize corpus: no folder");
    memset(out, 0, sizeof *out);
    musc_status st = walk(out, dir, "", split, rate, 0);
    if (st)
        musc_harmony_corpus_free(out);
    return st;
}
