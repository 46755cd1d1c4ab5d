/*
 * ABC notation writer: one music becomes one tune (X:1).
 *
 * Each track becomes one voice, or several when its notes overlap with
 * different lengths: notes are grouped into chords (same onset and length)
 * and the chords dealt into "lanes" that never overlap; lane k > 0 of track
 * n is written as voice T<n>_<k>. Every lane is then written bar by bar:
 * rests fill gaps, notes and rests are split at bar lines (notes with ties),
 * so every bar adds up, and a lane's accidentals are written against the key
 * and the bar's earlier accidentals under both of ABC's conventions (same
 * letter in any octave, as abc2midi; same octave, as ABC 2.1), so either
 * kind of reader gets the written pitch.
 *
 * Lengths are fractions of L:1/8, exact for any resolution (odd factors
 * through one-note tuplets, see length_of). Notes of zero
 * length cannot be written in ABC and are left out. A key or tempo change
 * inside a note or rest is written at that token's start.
 */
#include "musc/abc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"

typedef struct sbuf {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)k < room) {
            b->n += (size_t)k;
            return;
        }
        if (musc_grow((void **)&b->s, &b->cap, b->n + (size_t)k + 1, 1)) {
            b->oom = 1;
            return;
        }
    }
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a ? a : 1;
}

/* A length in ticks as a multiple of L:1/8 (res/2 ticks): num/den reduced.
 * ABC readers (abc2midi among them) accept only power-of-two denominators,
 * so a length whose denominator has an odd factor k (a triplet eighth is
 * 2/3) is written inside a one-note tuplet "(k:q:1" with q the largest power
 * of two not above k, and its written length scaled by k/q. */
typedef struct abc_len {
    int64_t num, den; /* written length, den a power of two */
    int64_t p, q;     /* tuplet, p = 0 when none */
} abc_len;

static abc_len length_of(int64_t ticks, int res)
{
    abc_len l = {2 * ticks, res, 0, 0};
    int64_t g = gcd64(l.num, l.den);
    l.num /= g;
    l.den /= g;
    int64_t k = l.den;
    while (k % 2 == 0) k /= 2;
    if (k > 1) {
        int64_t q = 1;
        while (q * 2 <= k) q *= 2;
        l.p = k;
        l.q = q;
        l.den = l.den / k * q; /* num/den * k/q = num / (2^a * q) */
        g = gcd64(l.num, l.den);
        l.num /= g;
        l.den /= g;
    }
    return l;
}

static void put_tuplet(sbuf *b, abc_len l)
{
    if (l.p)
        put(b, "(%" PRId64 ":%" PRId64 ":1", l.p, l.q);
}

static void put_length(sbuf *b, abc_len l)
{
    if (l.num == l.den)
        return;
    if (l.den == 1)
        put(b, "%" PRId64, l.num);
    else if (l.num == 1 && l.den == 2)
        put(b, "/");
    else if (l.num == 1)
        put(b, "/%" PRId64, l.den);
    else
        put(b, "%" PRId64 "/%" PRId64, l.num, l.den);
}

static const int letter_pc[7] = {0, 2, 4, 5, 7, 9, 11}; /* C D E F G A B */

/* Key accidental per letter for a signature of `fifths`. */
static void key_accidentals(int fifths, int acc[7])
{
    static const int sharp_order[7] = {3, 0, 4, 1, 5, 2, 6}; /* F C G D A E B */
    memset(acc, 0, 7 * sizeof *acc);
    for (int i = 0; i < fifths && i < 7; i++) acc[sharp_order[i]] = 1;
    for (int i = 0; i < -fifths && i < 7; i++) acc[sharp_order[6 - i]] = -1;
}

typedef struct spell_state {
    int key[7];
    int letter[7];     /* accidental in force per letter (any octave) */
    int oct[7][12];    /* and per letter and octave */
    int fifths;
} spell_state;

static void bar_reset(spell_state *st)
{
    for (int l = 0; l < 7; l++) {
        st->letter[l] = st->key[l];
        for (int o = 0; o < 12; o++)
            st->oct[l][o] = st->key[l];
    }
}

static void put_pitch(sbuf *b, spell_state *st, int pitch)
{
    int pc = pitch % 12, letter = -1, acc = 0;
    for (int l = 0; l < 7; l++)
        if (letter_pc[l] == pc) letter = l;
    if (letter < 0) {
        /* a black key: sharp of the letter below in sharp keys, else flat above */
        for (int l = 0; l < 7; l++) {
            if (st->fifths >= 0 && letter_pc[l] == pc - 1) { letter = l; acc = 1; }
            if (st->fifths < 0 && letter_pc[l] == (pc + 1) % 12) { letter = l; acc = -1; }
        }
    }
    int octave = (pitch - acc) / 12 - 1; /* C4 = 60 */
    int oi = octave + 1;
    if (oi < 0) oi = 0;
    if (oi > 11) oi = 11;
    if (st->letter[letter] != acc || st->oct[letter][oi] != acc) {
        put(b, "%s", acc == 1 ? "^" : acc == -1 ? "_" : "=");
        st->letter[letter] = acc;
        st->oct[letter][oi] = acc;
    }
    static const char up[] = "CDEFGAB", low[] = "cdefgab";
    if (octave >= 5) {
        put(b, "%c", low[letter]);
        for (int o = 5; o < octave; o++) put(b, "'");
    } else {
        put(b, "%c", up[letter]);
        for (int o = 4; o > octave; o--) put(b, ",");
    }
}

static void put_key(sbuf *b, int fifths, int mode)
{
    static const char *major[15] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                    "G",  "D",  "A",  "E",  "B",  "F#", "C#"};
    static const char *minor[15] = {"Ab", "Eb", "Bb", "F",  "C",  "G",  "D", "A",
                                    "E",  "B",  "F#", "C#", "G#", "D#", "A#"};
    if (fifths < -7 || fifths > 7)
        fifths = 0;
    if (mode == MUSC_MODE_MINOR)
        put(b, "%sm", minor[fifths + 7]);
    else
        put(b, "%s", major[fifths + 7]);
}

static void put_text(sbuf *b, const char *t)
{
    for (; *t; t++)
        put(b, "%c", (*t == '\n' || *t == '\r') ? ' ' : *t == '"' ? '\'' : *t);
}

typedef struct event {
    int64_t time, dur;
    size_t first, n; /* pitches[first .. first+n) */
    int lane;
} event;

typedef struct writer {
    const musc_music *m;
    sbuf *b;
    const int64_t *bars; /* bar start times */
    size_t n_bars;
    int64_t end;
} writer;

/* Index of the bar containing time t. */
static size_t bar_of(const writer *w, int64_t t, size_t from)
{
    size_t i = from;
    while (i + 1 < w->n_bars && w->bars[i + 1] <= t)
        i++;
    return i;
}

/* A hairpin's start or end, as written: at the first note or rest that
 * starts at or after its time (notes and rests are split there, so that is
 * exact). `what` orders the marks of one time: ends first, then hairpins of
 * no length (start and end together), then starts. */
typedef struct pin_mark {
    int64_t time;
    int what; /* 0 end, 1 start and end, 2 start */
    int kind;
} pin_mark;

typedef struct lane_state {
    size_t bar;        /* bar the cursor is in */
    int bars_on_line;
    spell_state sp;
    size_t next_ts, next_ks, next_tempo, next_ann;
    const pin_mark *pins; /* lane 0 only: the track's hairpin marks, sorted */
    size_t n_pins, next_pin;
} lane_state;

/* Emit bar lines (and inline fields) up to time t. */
static void move_to(writer *w, lane_state *ls, int64_t t, int first_lane)
{
    const musc_music *m = w->m;
    size_t nb = bar_of(w, t, ls->bar);
    while (ls->bar < nb) {
        ls->bar++;
        put(w->b, "|");
        if (++ls->bars_on_line == 4) {
            put(w->b, "\n");
            ls->bars_on_line = 0;
        }
        bar_reset(&ls->sp);
    }
    /* fields in force from time <= t */
    while (ls->next_ts < m->n_time_signatures && m->time_signatures[ls->next_ts].time <= t) {
        const musc_time_signature *ts = &m->time_signatures[ls->next_ts++];
        if (ts->time > 0)
            put(w->b, "[M:%d/%d]", ts->numerator, ts->denominator);
    }
    while (ls->next_ks < m->n_key_signatures && m->key_signatures[ls->next_ks].time <= t) {
        const musc_key_signature *ks = &m->key_signatures[ls->next_ks++];
        if (ks->time > 0) {
            put(w->b, "[K:");
            put_key(w->b, ks->fifths, ks->mode);
            put(w->b, "]");
            ls->sp.fifths = ks->fifths;
            key_accidentals(ks->fifths, ls->sp.key);
            bar_reset(&ls->sp);
        }
    }
    while (first_lane && ls->next_tempo < m->n_tempos && m->tempos[ls->next_tempo].time <= t) {
        const musc_tempo *tp = &m->tempos[ls->next_tempo++];
        if (tp->time > 0)
            put(w->b, "[Q:1/4=%.0f]", tp->qpm);
    }
}

static void put_chord_symbols(writer *w, lane_state *ls, const musc_track *t, int64_t upto)
{
    while (ls->next_ann < t->n_annotations && t->annotations[ls->next_ann].time <= upto) {
        const musc_annotation *a = &t->annotations[ls->next_ann++];
        if (a->kind == MUSC_ANN_CHORD && a->text) {
            put(w->b, "\"");
            put_text(w->b, a->text);
            put(w->b, "\"");
        }
    }
}

static void put_hairpins(writer *w, lane_state *ls, int64_t upto)
{
    while (ls->next_pin < ls->n_pins && ls->pins[ls->next_pin].time <= upto) {
        const pin_mark *pm = &ls->pins[ls->next_pin++];
        char c = pm->kind == MUSC_HAIRPIN_CRESCENDO ? '<' : '>';
        if (pm->what >= 1)
            put(w->b, "!%c(!", c);
        if (pm->what <= 1)
            put(w->b, "!%c)!", c);
    }
}

/* Next time after `a` where a token must be split: a bar start or a
 * hairpin mark. */
static int64_t next_split(const writer *w, const lane_state *ls, int64_t a)
{
    size_t i = bar_of(w, a, ls->bar);
    int64_t e = i + 1 < w->n_bars ? w->bars[i + 1] : INT64_MAX;
    for (size_t k = ls->next_pin; k < ls->n_pins; k++)
        if (ls->pins[k].time > a) {
            if (ls->pins[k].time < e) e = ls->pins[k].time;
            break;
        }
    return e;
}

static int cmp_pin(const void *pa, const void *pb)
{
    const pin_mark *x = pa, *y = pb;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    if (x->what != y->what) return x->what - y->what;
    return x->kind - y->kind;
}

static void write_rest(writer *w, lane_state *ls, const musc_track *t, int chords, int64_t a,
                       int64_t b, int first_lane)
{
    while (a < b) {
        move_to(w, ls, a, first_lane);
        int64_t e = next_split(w, ls, a);
        if (chords) {
            /* chord symbols inside a rest: split the rest there */
            for (size_t k = ls->next_ann; k < t->n_annotations; k++)
                if (t->annotations[k].time > a) {
                    if (t->annotations[k].time < e) e = t->annotations[k].time;
                    break;
                }
            put_chord_symbols(w, ls, t, a);
        }
        put_hairpins(w, ls, a);
        if (e > b) e = b;
        abc_len len = length_of(e - a, w->m->resolution);
        put_tuplet(w->b, len);
        put(w->b, "z");
        put_length(w->b, len);
        put(w->b, " ");
        a = e;
    }
}

static void write_event(writer *w, lane_state *ls, const musc_track *t, int chords,
                        const event *ev, const int16_t *pitches, int first_lane)
{
    int64_t a = ev->time, b = ev->time + ev->dur;
    while (a < b) {
        move_to(w, ls, a, first_lane);
        if (chords)
            put_chord_symbols(w, ls, t, a);
        put_hairpins(w, ls, a);
        int64_t e = next_split(w, ls, a);
        if (e > b) e = b;
        abc_len len = length_of(e - a, w->m->resolution);
        put_tuplet(w->b, len);
        if (ev->n > 1) put(w->b, "[");
        for (size_t k = 0; k < ev->n; k++)
            put_pitch(w->b, &ls->sp, pitches[ev->first + k]);
        if (ev->n > 1) put(w->b, "]");
        put_length(w->b, len);
        if (e < b) put(w->b, "-");
        put(w->b, " ");
        a = e;
    }
}

static int cmp_note(const void *pa, const void *pb)
{
    const musc_note *x = pa, *y = pb;
    if (x->time != y->time) return x->time < y->time ? -1 : 1;
    if (x->duration != y->duration) return x->duration < y->duration ? -1 : 1;
    return x->pitch - y->pitch;
}

static int write_track(writer *w, size_t ti)
{
    const musc_music *m = w->m;
    const musc_track *t = &m->tracks[ti];
    musc_note *notes = NULL;
    event *ev = NULL;
    int16_t *pitches = NULL;
    int64_t *lane_end = NULL;
    pin_mark *pins = NULL;
    size_t n = 0, nev = 0, nlanes = 0, npins = 0;
    int rc = MUSC_ERR_NOMEM;
    if (t->n_hairpins) {
        if (!(pins = malloc(2 * t->n_hairpins * sizeof *pins)))
            goto done;
        for (size_t i = 0; i < t->n_hairpins; i++) {
            const musc_hairpin *h = &t->hairpins[i];
            if (h->duration == 0) {
                pins[npins++] = (pin_mark){h->time, 1, h->kind};
            } else {
                pins[npins++] = (pin_mark){h->time, 2, h->kind};
                pins[npins++] = (pin_mark){h->time + h->duration, 0, h->kind};
            }
        }
        qsort(pins, npins, sizeof *pins, cmp_pin);
    }
    if (t->n_notes) {
        if (!(notes = malloc(t->n_notes * sizeof *notes)) ||
            !(pitches = malloc(t->n_notes * sizeof *pitches)) ||
            !(ev = malloc(t->n_notes * sizeof *ev)) ||
            !(lane_end = malloc(t->n_notes * sizeof *lane_end)))
            goto done;
        for (size_t i = 0; i < t->n_notes; i++)
            if (t->notes[i].duration > 0)
                notes[n++] = t->notes[i];
        qsort(notes, n, sizeof *notes, cmp_note);
    }
    /* chords: same onset and length; then lanes that never overlap */
    for (size_t i = 0; i < n; i++) {
        if (nev && ev[nev - 1].time == notes[i].time && ev[nev - 1].dur == notes[i].duration) {
            /* a unison (the same pitch twice) is kept: [ee] reads back as two notes */
            pitches[ev[nev - 1].first + ev[nev - 1].n++] = notes[i].pitch;
            continue;
        }
        ev[nev] = (event){notes[i].time, notes[i].duration, i, 1, 0};
        pitches[i] = notes[i].pitch;
        nev++;
    }
    for (size_t i = 0; i < nev; i++) {
        size_t l = 0;
        while (l < nlanes && lane_end[l] > ev[i].time) l++;
        if (l == nlanes) nlanes++;
        lane_end[l] = ev[i].time + ev[i].dur;
        ev[i].lane = (int)l;
    }
    if (nlanes == 0)
        nlanes = 1;
    int first_key = m->n_key_signatures ? m->key_signatures[0].fifths : 0;
    for (size_t l = 0; l < nlanes; l++) {
        if (l == 0)
            put(w->b, "V:T%zu", ti + 1);
        else
            put(w->b, "V:T%zu_%zu", ti + 1, l);
        if (t->name) {
            put(w->b, " name=\"");
            put_text(w->b, t->name);
            put(w->b, "\"");
        }
        put(w->b, "\n%%%%MIDI program %d\n", t->program);
        if (t->is_drum)
            put(w->b, "%%%%MIDI channel 10\n");
        lane_state ls;
        memset(&ls, 0, sizeof ls);
        ls.sp.fifths = first_key;
        key_accidentals(first_key, ls.sp.key);
        bar_reset(&ls.sp);
        int chords = l == 0;
        int first_lane = ti == 0 && l == 0;
        if (l == 0) {
            ls.pins = pins;
            ls.n_pins = npins;
        }
        int64_t cursor = 0;
        for (size_t i = 0; i < nev; i++) {
            if ((size_t)ev[i].lane != l)
                continue;
            write_rest(w, &ls, t, chords, cursor, ev[i].time, first_lane);
            write_event(w, &ls, t, chords, &ev[i], pitches, first_lane);
            cursor = ev[i].time + ev[i].dur;
        }
        if (chords && ls.next_ann < t->n_annotations)
            write_rest(w, &ls, t, chords, cursor, w->end, first_lane);
        else if (ls.next_pin < ls.n_pins) /* rests up to the last hairpin mark */
            write_rest(w, &ls, t, chords, cursor, ls.pins[ls.n_pins - 1].time, first_lane);
        put_hairpins(w, &ls, INT64_MAX); /* marks at the end of the voice */
        put(w->b, "|]\n");
    }
    rc = w->b->oom ? MUSC_ERR_NOMEM : MUSC_OK;
done:
    free(notes);
    free(ev);
    free(pitches);
    free(lane_end);
    free(pins);
    return rc;
}

musc_status musc_abc_write_mem(const musc_music *m, char **text, size_t *size)
{
    *text = NULL;
    *size = 0;
    int rc = musc_music_validate(m);
    if (rc)
        return rc;
    musc_music *sorted = musc_music_copy(m);
    if (!sorted)
        return MUSC_ERR_NOMEM;
    musc_music_sort(sorted);
    m = sorted;
    sbuf b = {0};
    int64_t *bars = NULL;
    size_t n_bars = 0;
    rc = musc_music_beats(m, 1, &bars, &n_bars);
    if (rc)
        goto done;
    if (n_bars == 0) {
        free(bars);
        if (!(bars = malloc(sizeof *bars))) {
            rc = MUSC_ERR_NOMEM;
            goto done;
        }
        bars[0] = 0;
        n_bars = 1;
    }
    put(&b, "X:1\n");
    put(&b, "T:");
    put_text(&b, m->metadata.title ? m->metadata.title : "Untitled");
    put(&b, "\n");
    for (size_t i = 0; i < m->metadata.n_creators; i++) {
        put(&b, "C:");
        put_text(&b, m->metadata.creators[i]);
        put(&b, "\n");
    }
    if (m->n_time_signatures && m->time_signatures[0].time == 0)
        put(&b, "M:%d/%d\n", m->time_signatures[0].numerator, m->time_signatures[0].denominator);
    else
        put(&b, "M:4/4\n");
    put(&b, "L:1/8\n");
    if (m->n_tempos && m->tempos[0].time == 0)
        put(&b, "Q:1/4=%.0f\n", m->tempos[0].qpm);
    put(&b, "K:");
    put_key(&b, m->n_key_signatures ? m->key_signatures[0].fifths : 0,
            m->n_key_signatures ? m->key_signatures[0].mode : MUSC_MODE_MAJOR);
    put(&b, "\n");
    writer w = {m, &b, bars, n_bars, musc_music_end_time(m)};
    for (size_t i = 0; i < m->n_tracks && !rc; i++)
        rc = write_track(&w, i);
    if (!rc && b.oom)
        rc = MUSC_ERR_NOMEM;
done:
    free(bars);
    musc_music_free(sorted);
    if (rc) {
        free(b.s);
        if (rc == MUSC_ERR_NOMEM)
            musc_error(MUSC_ERR_NOMEM, "out of memory writing ABC");
        return rc;
    }
    if (!b.s) {
        /* nothing was written (cannot happen: the header is always there) */
        return musc_error(MUSC_ERR_INTERNAL, "ABC writer produced no text");
    }
    *text = b.s;
    *size = b.n;
    return MUSC_OK;
}

musc_status musc_abc_write(const musc_music *m, const char *path,
                           const musc_write_options *options)
{
    char *text;
    size_t size;
    int rc = musc_abc_write_mem(m, &text, &size);
    if (rc)
        return rc;
    rc = musc_file_write_atomic(path, text, size, options ? options->overwrite : 0);
    free(text);
    return rc;
}
