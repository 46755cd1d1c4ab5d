/*
 * MusicXML writer: score-partwise 4.0 from a musc music (rules in
 * include/musc/musicxml.h).
 *
 * The writer works on a sorted copy of the music. Bars come from the time
 * signatures; each track's notes are grouped into voices of non-overlapping
 * chords (same onset and duration), and each voice is written bar by bar,
 * cutting notes at barlines into tied pieces. Things that sit at a time
 * rather than on a note (key changes, tempos, chord symbols) are written in
 * a pass before the voices, reaching their offset with <forward> and
 * returning with <backup>, so the reader finds each at its exact tick.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"
#include "musc/musc.h"
#include "musicxml_internal.h"

#define MAX_BARS 200000
#define MAX_MULT 1024

/* ---- output buffer ------------------------------------------------------ */

typedef struct xbuf {
    char *p;
    size_t n, cap;
    int oom;
} xbuf;

static void put(xbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void put(xbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t need = b->n + (size_t)k + 1;
        size_t ncap = b->cap ? b->cap : 1 << 16;
        while (ncap < need)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

/* Text with XML's special characters escaped and control characters
 * (illegal in XML 1.0) dropped. */
static void put_text(xbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        case '\'': put(b, "&apos;"); break;
        case '\r': put(b, "&#13;"); break; /* a raw CR would read back as LF */
        default:
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                put(b, "%c", c);
        }
    }
}

/* ---- bars ------------------------------------------------------------- */

typedef struct bar {
    int64_t start, end; /* ticks of the music */
    int num, den;       /* meter in force */
    int new_meter;      /* write <time> here */
} bar;

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

/* Ticks-per-division multiplier making every bar a whole number of ticks. */
static int64_t division_multiplier(const musc_music *m)
{
    int64_t mult = 1;
    for (size_t i = 0; i < m->n_time_signatures; i++) {
        const musc_time_signature *t = &m->time_signatures[i];
        int64_t whole = 4 * (int64_t)m->resolution * mult * t->numerator;
        int64_t need = t->denominator / gcd64(whole, t->denominator);
        if (need > 1 && mult * need <= MAX_MULT)
            mult *= need;
    }
    return mult;
}

static musc_status make_bars(const musc_music *m, int64_t mult, int64_t end, bar **out,
                             size_t *n_out)
{
    bar *bars = NULL;
    size_t n = 0, cap = 0;
    int num = 4, den = 4;
    size_t ti = 0;
    int64_t t = 0;
    int new_meter = 0; /* no <time> until a time signature: 4/4 is implied */
    while (n == 0 || t < end) {
        while (ti < m->n_time_signatures && m->time_signatures[ti].time <= t) {
            num = m->time_signatures[ti].numerator;
            den = m->time_signatures[ti].denominator;
            new_meter = 1;
            ti++;
        }
        int64_t len = 4 * (int64_t)m->resolution * mult * num / den;
        if (len < 1)
            len = 1;
        int64_t e = t + len;
        if (ti < m->n_time_signatures && m->time_signatures[ti].time < e)
            e = m->time_signatures[ti].time;
        if (n >= MAX_BARS) {
            free(bars);
            return musc_error(MUSC_ERR_UNSUPPORTED,
                              "musicxml: the music needs over %d bars; not written", MAX_BARS);
        }
        if (MUSC_GROW(bars, cap, n + 1)) {
            free(bars);
            return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
        }
        bars[n++] = (bar){.start = t, .end = e, .num = num, .den = den, .new_meter = new_meter};
        new_meter = 0;
        t = e;
    }
    *out = bars;
    *n_out = n;
    return MUSC_OK;
}

/* ---- voices -------------------------------------------------------------- */

typedef struct wnote {
    int64_t time, dur; /* ticks * mult */
    int pitch, velocity;
} wnote;

typedef struct cluster { /* notes with one onset and duration */
    int64_t time, dur;
    size_t first, count; /* into the sorted wnote array */
} cluster;

typedef struct voice {
    cluster *c;
    size_t n, cap, next; /* next: first cluster not yet finished */
    int64_t end;
} voice;

typedef struct part_ctx {
    const musc_track *track;
    wnote *notes;
    size_t n_notes;
    voice *voices;
    size_t n_voices, cap_voices;
    const musc_lyric **lyrics; /* sorted by time */
    size_t n_lyrics, next_lyric;
    unsigned char *lyric_used;
    const musc_annotation **chords; /* chord annotations, sorted */
    size_t n_chords, next_chord;
    int index, channel, fifths;
    int64_t mult;
    /* the tuplet group being written in the current voice and bar: its
     * ratio, the ticks it still needs, where its start mark goes */
    int tup_open, tup_first, tup_actual, tup_normal;
    int64_t tup_left;
    size_t tup_start_at;
    struct wwedge {
        int64_t time; /* scaled by mult */
        int type;     /* MUSC_HAIRPIN_* for a start, 0 for a stop */
        int number;   /* 1..16 */
    } *wedges;        /* hairpin starts and stops, in writing order */
    size_t n_wedges, next_wedge;
} part_ctx;

static int cmp_wnote(const void *a, const void *b)
{
    const wnote *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->dur != y->dur)
        return x->dur > y->dur ? -1 : 1;
    if (x->pitch != y->pitch)
        return x->pitch < y->pitch ? -1 : 1;
    return x->velocity - y->velocity;
}

static musc_status build_voices(part_ctx *pc)
{
    qsort(pc->notes, pc->n_notes, sizeof *pc->notes, cmp_wnote);
    for (size_t i = 0; i < pc->n_notes;) {
        size_t j = i + 1;
        while (j < pc->n_notes && pc->notes[j].time == pc->notes[i].time &&
               pc->notes[j].dur == pc->notes[i].dur)
            j++;
        int64_t t = pc->notes[i].time, d = pc->notes[i].dur;
        size_t v = 0;
        while (v < pc->n_voices && pc->voices[v].end > t)
            v++;
        if (v == pc->n_voices) {
            if (MUSC_GROW(pc->voices, pc->cap_voices, v + 1))
                return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
            memset(&pc->voices[v], 0, sizeof pc->voices[v]);
            pc->n_voices++;
        }
        voice *vo = &pc->voices[v];
        if (MUSC_GROW(vo->c, vo->cap, vo->n + 1))
            return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
        vo->c[vo->n++] = (cluster){.time = t, .dur = d, .first = i, .count = j - i};
        vo->end = t + d;
        i = j;
    }
    return MUSC_OK;
}

/* ---- notes --------------------------------------------------------------- */

static void spell(int pitch, int fifths, char *step, int *alter, int *octave)
{
    static const char SHARP_STEP[] = "CCDDEFFGGAAB";
    static const int SHARP_ALT[] = {0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0};
    static const char FLAT_STEP[] = "CDDEEFGGAABB";
    static const int FLAT_ALT[] = {0, -1, 0, -1, 0, 0, -1, 0, -1, 0, -1, 0};
    int pc = pitch % 12;
    *step = fifths >= 0 ? SHARP_STEP[pc] : FLAT_STEP[pc];
    *alter = fifths >= 0 ? SHARP_ALT[pc] : FLAT_ALT[pc];
    *octave = pitch / 12 - 1;
}

/* <type> and dots for a duration, when it is a plain or dotted value. */
/* How a duration is written: note value k (lasting divisions * 2^(k-8)),
 * dots, and a tuplet ratio (actual notes in the time of normal; 1:1 when
 * none). k < 0 when nothing fits. */
typedef struct written_value {
    int k, dots, actual, normal;
} written_value;

static int plain_value(__int128 dur, __int128 divisions, written_value *w)
{
    for (int k = 0; k < 14; k++)
        for (int dots = 0; dots <= 3; dots++) {
            /* length * 2^(8 + dots) = divisions * 2^k * (2^(dots+1) - 1) */
            if ((dur << (8 + dots)) == (divisions << k) * ((1 << (dots + 1)) - 1)) {
                w->k = k;
                w->dots = dots;
                return 1;
            }
        }
    return 0;
}

/* A plain or dotted value, else a tuplet: `actual` notes in the time of
 * `normal` (the largest power of two below actual: 3:2, 5:4, 6:4, 7:4,
 * 9:8, ...), so that dur * actual / normal is a plain or dotted value. */
static written_value note_value(int64_t dur, int64_t divisions)
{
    written_value w = {-1, 0, 1, 1};
    if (dur <= 0 || plain_value(dur, divisions, &w))
        return w;
    for (int actual = 3; actual <= 15; actual++) {
        int normal = 1;
        while (normal * 2 < actual)
            normal *= 2;
        if (normal == actual)
            continue;
        if (((__int128)dur * actual) % normal == 0 &&
            plain_value((__int128)dur * actual / normal, divisions, &w)) {
            w.actual = actual;
            w.normal = normal;
            return w;
        }
    }
    w.k = -1;
    return w;
}

/* Insert text at byte offset `at` of the buffer. */
static void insert_at(xbuf *b, size_t at, const char *text)
{
    size_t len = strlen(text), n0 = b->n;
    put(b, "%s", text);
    if (b->oom || at > n0)
        return;
    memmove(b->p + at + len, b->p + at, n0 - at);
    memcpy(b->p + at, text, len);
}

/* Tuplet brackets: the first note of a group gets <tuplet type="start">
 * and the note that completes it (normal notes of the first one's value)
 * type="stop". The start is inserted only once the group is complete, so a
 * group that breaks off (another ratio, a plain note, the bar's end) leaves
 * no unmatched bracket. Returns 1 when this note closes a group. Call with
 * the buffer positioned inside the note's <notations>. */
static int tuplet_step(xbuf *b, part_ctx *pc, const written_value *w, int64_t dur,
                       int64_t divisions)
{
    if (w->k < 0 || w->actual == w->normal) {
        pc->tup_open = 0;
        return 0;
    }
    if (pc->tup_open && (pc->tup_actual != w->actual || pc->tup_normal != w->normal))
        pc->tup_open = 0;
    if (!pc->tup_open) {
        __int128 base = (__int128)divisions << w->k; /* value k times 2^8 */
        if (base % 256)
            return 0;
        pc->tup_open = 1;
        pc->tup_first = 1;
        pc->tup_actual = w->actual;
        pc->tup_normal = w->normal;
        pc->tup_left = (int64_t)(base / 256) * w->normal;
        pc->tup_start_at = b->n;
    } else {
        pc->tup_first = 0;
    }
    pc->tup_left -= dur;
    if (pc->tup_left > 0)
        return 0;
    int closes = pc->tup_left == 0 && !pc->tup_first;
    pc->tup_open = 0;
    if (closes)
        insert_at(b, pc->tup_start_at, "<tuplet type=\"start\"/>");
    return closes;
}

static void put_type(xbuf *b, const written_value *w)
{
    static const char *NAMES[] = {"1024th", "512th", "256th", "128th", "64th", "32nd",
                                  "16th",   "eighth", "quarter", "half", "whole", "breve",
                                  "long",   "maxima"};
    if (w->k < 0)
        return;
    put(b, "<type>%s</type>", NAMES[w->k]);
    for (int d = 0; d < w->dots; d++)
        put(b, "<dot/>");
}

static void put_time_modification(xbuf *b, const written_value *w)
{
    if (w->k >= 0 && w->actual != w->normal)
        put(b, "<time-modification><actual-notes>%d</actual-notes><normal-notes>%d"
               "</normal-notes></time-modification>",
            w->actual, w->normal);
}

static int is_drum_part(const part_ctx *pc)
{
    return pc->track && pc->track->is_drum;
}

/* The unused lyrics at time t (t < 0: none), one per verse, as <lyric
 * number="verse + 1"> elements; each lyric is taken once. The scan starts at
 * the first lyric of the current bar (pc->next_lyric). A second lyric of the
 * same verse at the same time waits for the next note of the chord. */
static void put_lyrics(xbuf *b, part_ctx *pc, int64_t t)
{
    uint64_t verses = 0; /* verses 0..63 written on this note */
    for (size_t i = pc->next_lyric; t >= 0 && i < pc->n_lyrics &&
                                    pc->lyrics[i]->time * pc->mult <= t;
         i++) {
        const musc_lyric *l = pc->lyrics[i];
        uint64_t bit = l->verse >= 0 && l->verse < 64 ? (uint64_t)1 << l->verse : 0;
        if (l->time * pc->mult != t || pc->lyric_used[i] || (verses & bit))
            continue;
        pc->lyric_used[i] = 1;
        verses |= bit;
        put(b, "<lyric number=\"%d\"><syllabic>single</syllabic><text>",
            l->verse >= 0 && l->verse < INT_MAX ? l->verse + 1 : 1);
        put_text(b, l->text ? l->text : "");
        put(b, "</text></lyric>");
        if (!bit)
            break;
    }
}

/* The first unused lyric time in [from, to), or `to`. */
static int64_t next_lyric_time(const part_ctx *pc, int64_t from, int64_t to)
{
    for (size_t i = pc->next_lyric; i < pc->n_lyrics; i++) {
        int64_t lt = pc->lyrics[i]->time * pc->mult;
        if (lt >= to)
            break;
        if (lt >= from && !pc->lyric_used[i])
            return lt;
    }
    return to;
}

static void put_note(xbuf *b, part_ctx *pc, const wnote *w, int chord, int64_t dur,
                     int64_t divisions, int tie_stop, int tie_start, int v, int64_t lyric_at)
{
    put(b, "<note dynamics=\"%.6g\">", w->velocity / 0.9);
    if (chord)
        put(b, "<chord/>");
    char step;
    int alter, octave;
    spell(w->pitch, pc->fifths, &step, &alter, &octave);
    if (is_drum_part(pc)) {
        put(b, "<unpitched><display-step>%c</display-step><display-octave>%d</display-octave>"
               "</unpitched>",
            step, octave);
    } else {
        put(b, "<pitch><step>%c</step>", step);
        if (alter)
            put(b, "<alter>%d</alter>", alter);
        put(b, "<octave>%d</octave></pitch>", octave);
    }
    put(b, "<duration>%" PRId64 "</duration>", dur);
    if (tie_stop)
        put(b, "<tie type=\"stop\"/>");
    if (tie_start)
        put(b, "<tie type=\"start\"/>");
    if (is_drum_part(pc))
        put(b, "<instrument id=\"P%d-I%d\"/>", pc->index + 1, w->pitch + 1);
    put(b, "<voice>%d</voice>", v + 1);
    written_value wv = note_value(dur, divisions);
    put_type(b, &wv);
    if (!is_drum_part(pc) && alter)
        put(b, "<accidental>%s</accidental>", alter > 0 ? "sharp" : "flat");
    put_time_modification(b, &wv);
    int tuplet = !chord && wv.k >= 0 && wv.actual != wv.normal;
    if (tie_stop || tie_start || tuplet) {
        put(b, "<notations>");
        int closes = chord ? 0 : tuplet_step(b, pc, &wv, dur, divisions);
        if (tie_stop)
            put(b, "<tied type=\"stop\"/>");
        if (tie_start)
            put(b, "<tied type=\"start\"/>");
        if (closes)
            put(b, "<tuplet type=\"stop\"/>");
        put(b, "</notations>");
    } else if (!chord) {
        pc->tup_open = 0;
    }
    put_lyrics(b, pc, lyric_at);
    put(b, "</note>\n");
}

static void put_rest(xbuf *b, part_ctx *pc, int64_t dur, int64_t divisions, int v,
                     int whole_bar, int64_t lyric_at)
{
    put(b, "<note><rest%s/><duration>%" PRId64 "</duration><voice>%d</voice>",
        whole_bar ? " measure=\"yes\"" : "", dur, v + 1);
    pc->tup_open &= !whole_bar;
    if (!whole_bar) {
        written_value wv = note_value(dur, divisions);
        put_type(b, &wv);
        put_time_modification(b, &wv);
        if (wv.k >= 0 && wv.actual != wv.normal) {
            put(b, "<notations>");
            if (tuplet_step(b, pc, &wv, dur, divisions))
                put(b, "<tuplet type=\"stop\"/>");
            put(b, "</notations>");
        } else {
            pc->tup_open = 0;
        }
    }
    put_lyrics(b, pc, lyric_at);
    put(b, "</note>\n");
}

/* A voice-1 gap [from, to): rests, split where a lyric sits so that the
 * lyric has a rest to ride on. */
static void put_gap(xbuf *b, part_ctx *pc, int64_t from, int64_t to, int64_t divisions,
                    const bar *br)
{
    if (from == br->start && to == br->end && next_lyric_time(pc, from, to) == to) {
        put_rest(b, pc, to - from, divisions, 0, 1, -1);
        return;
    }
    while (from < to) {
        int64_t next = next_lyric_time(pc, from + 1, to);
        put_rest(b, pc, next - from, divisions, 0, 0, from);
        from = next;
    }
}

/* Write voice v's part of bar br; returns the cursor (ticks) it ends at. */
static int64_t put_voice(xbuf *b, part_ctx *pc, int v, const bar *br, int64_t divisions)
{
    voice *vo = &pc->voices[v];
    int64_t cursor = br->start;
    pc->tup_open = 0;
    while (vo->next < vo->n) {
        const cluster *c = &vo->c[vo->next];
        if (c->dur > 0 ? c->time + c->dur <= br->start : c->time < br->start)
            vo->next++;
        else
            break;
    }
    for (size_t k = vo->next; k < vo->n && vo->c[k].time < br->end; k++) {
        const cluster *c = &vo->c[k];
        int64_t s = c->time > br->start ? c->time : br->start;
        int64_t e = c->time + c->dur < br->end ? c->time + c->dur : br->end;
        if (s > cursor) {
            if (v == 0)
                put_gap(b, pc, cursor, s, divisions, br);
            else
                put(b, "<forward><duration>%" PRId64 "</duration><voice>%d</voice></forward>\n",
                    s - cursor, v + 1);
        }
        /* a lyric inside the note splits it into tied pieces, so the lyric
         * keeps its time */
        int64_t p = s;
        do {
            int64_t q = next_lyric_time(pc, p + 1, e);
            for (size_t i = 0; i < c->count; i++)
                put_note(b, pc, &pc->notes[c->first + i], i > 0, q - p, divisions, c->time < p,
                         c->time + c->dur > q, v, p);
            p = q;
        } while (p < e);
        cursor = e;
    }
    if (v == 0 && cursor < br->end)
        put_gap(b, pc, cursor, br->end, divisions, br);
    return v == 0 ? br->end : cursor;
}

static int voice_in_bar(const voice *vo, const bar *br)
{
    for (size_t k = vo->next; k < vo->n && vo->c[k].time < br->end; k++)
        if (vo->c[k].dur > 0 ? vo->c[k].time + vo->c[k].dur > br->start
                             : vo->c[k].time >= br->start)
            return 1;
    return 0;
}

/* ---- things at a time: keys, tempos, chord symbols ----------------------- */

static const char *mode_name(const musc_key_signature *k)
{
    static const char *NAMES[12] = {"major", NULL, "dorian", NULL, "phrygian", "lydian",
                                    NULL, "mixolydian", NULL, "minor", NULL, "locrian"};
    if (k->mode == MUSC_MODE_MAJOR)
        return "major";
    if (k->mode == MUSC_MODE_MINOR)
        return "minor";
    if (k->root < 0)
        return "none";
    int shift = ((k->root - k->fifths * 7) % 12 + 24) % 12;
    const char *n = NAMES[shift];
    return n && shift != 0 && shift != 9 ? n : "none";
}

static void put_key(xbuf *b, const musc_key_signature *k)
{
    put(b, "<key><fifths>%d</fifths><mode>%s</mode></key>", k->fifths, mode_name(k));
}

static void put_harmony(xbuf *b, const char *text)
{
    int rs, ra, bs, ba;
    const char *suffix;
    size_t slen;
    static const char STEPS[] = "CDEFGAB";
    put(b, "<harmony>");
    if (strcmp(text, "N.C.") == 0) {
        put(b, "<root><root-step>C</root-step></root><kind text=\"N.C.\">none</kind>");
    } else if (mx_chord_split(text, &rs, &ra, &suffix, &slen, &bs, &ba) && slen < 64) {
        char suf[64];
        memcpy(suf, suffix, slen);
        suf[slen] = '\0';
        put(b, "<root><root-step>%c</root-step>", STEPS[rs]);
        if (ra)
            put(b, "<root-alter>%d</root-alter>", ra);
        put(b, "</root>");
        const char *kind = mx_kind_for_suffix(suf);
        put(b, "<kind text=\"");
        put_text(b, suf);
        put(b, "\">%s</kind>", kind ? kind : "other");
        if (bs >= 0) {
            put(b, "<bass><bass-step>%c</bass-step>", STEPS[bs]);
            if (ba)
                put(b, "<bass-alter>%d</bass-alter>", ba);
            put(b, "</bass>");
        }
    } else {
        put(b, "<function>");
        put_text(b, text);
        put(b, "</function><kind text=\"\">other</kind>");
    }
    put(b, "</harmony>\n");
}

static void put_tempo(xbuf *b, double qpm)
{
    put(b, "<direction placement=\"above\"><direction-type><metronome><beat-unit>quarter"
           "</beat-unit><per-minute>%.10g</per-minute></metronome></direction-type>"
           "<sound tempo=\"%.17g\"/></direction>\n",
        qpm, qpm);
}

/* Move the cursor of the "things at a time" pass to t with <forward>. */
static void seek(xbuf *b, int64_t *cursor, int64_t t)
{
    if (t > *cursor) {
        put(b, "<forward><duration>%" PRId64 "</duration></forward>\n", t - *cursor);
        *cursor = t;
    }
}

/* Key changes, tempos and chord symbols inside bar br (not at its start for
 * keys, which the bar's <attributes> hold). Returns the cursor offset. */
static int64_t put_timed(xbuf *b, const musc_music *m, part_ctx *pc, const bar *br, size_t *ki,
                         size_t *tempo_i)
{
    int64_t cursor = br->start;
    for (;;) {
        int64_t tk = INT64_MAX, tt = INT64_MAX, tc = INT64_MAX;
        if (*ki < m->n_key_signatures && m->key_signatures[*ki].time * pc->mult < br->end)
            tk = m->key_signatures[*ki].time * pc->mult;
        if (pc->index == 0 && *tempo_i < m->n_tempos &&
            m->tempos[*tempo_i].time * pc->mult < br->end)
            tt = m->tempos[*tempo_i].time * pc->mult;
        if (pc->next_chord < pc->n_chords &&
            pc->chords[pc->next_chord]->time * pc->mult < br->end)
            tc = pc->chords[pc->next_chord]->time * pc->mult;
        int64_t t = tk < tt ? (tk < tc ? tk : tc) : (tt < tc ? tt : tc);
        if (t == INT64_MAX)
            break;
        if (t < br->start)
            t = br->start;
        seek(b, &cursor, t);
        if (tk <= tt && tk <= tc) {
            const musc_key_signature *k = &m->key_signatures[(*ki)++];
            pc->fifths = k->fifths;
            put(b, "<attributes>");
            put_key(b, k);
            put(b, "</attributes>\n");
        } else if (tt <= tc) {
            put_tempo(b, m->tempos[(*tempo_i)++].qpm);
        } else {
            put_harmony(b, pc->chords[pc->next_chord++]->text);
        }
    }
    return cursor - br->start;
}

/* Hairpin starts and stops inside bar br (the last bar also takes those
 * at its end), as <wedge> directions. Returns the cursor offset. */
static int64_t put_wedges(xbuf *b, part_ctx *pc, const bar *br, int last)
{
    int64_t cursor = br->start;
    while (pc->next_wedge < pc->n_wedges &&
           (pc->wedges[pc->next_wedge].time < br->end || last)) {
        const struct wwedge *w = &pc->wedges[pc->next_wedge++];
        seek(b, &cursor, w->time);
        put(b, "<direction><direction-type><wedge type=\"%s\" number=\"%d\"/>"
               "</direction-type></direction>\n",
            w->type == MUSC_HAIRPIN_CRESCENDO    ? "crescendo"
            : w->type == MUSC_HAIRPIN_DIMINUENDO ? "diminuendo"
                                                 : "stop",
            w->number);
    }
    return cursor - br->start;
}

/* ---- parts --------------------------------------------------------------- */

static void put_part_list(xbuf *b, part_ctx *pcs, size_t n)
{
    put(b, "<part-list>\n");
    for (size_t i = 0; i < n; i++) {
        const musc_track *t = pcs[i].track;
        int p = (int)i + 1;
        put(b, "<score-part id=\"P%d\"><part-name>", p);
        put_text(b, t->name);
        put(b, "</part-name>\n");
        const char *iname = t->instrument_name ? t->instrument_name : t->name;
        if (t->is_drum) {
            /* one instrument per drum pitch used, so each reads back */
            unsigned char used[128] = {0};
            for (size_t k = 0; k < pcs[i].n_notes; k++)
                used[pcs[i].notes[k].pitch] = 1;
            for (int k = 0; k < 128; k++)
                if (used[k]) {
                    put(b, "<score-instrument id=\"P%d-I%d\"><instrument-name>", p, k + 1);
                    put_text(b, iname);
                    put(b, "</instrument-name></score-instrument>\n");
                }
            for (int k = 0; k < 128; k++)
                if (used[k])
                    put(b, "<midi-instrument id=\"P%d-I%d\"><midi-channel>10</midi-channel>"
                           "<midi-program>%d</midi-program><midi-unpitched>%d</midi-unpitched>"
                           "</midi-instrument>\n",
                        p, k + 1, t->program + 1, k + 1);
            if (!pcs[i].n_notes)
                put(b, "<score-instrument id=\"P%d-I0\"><instrument-name>Drums</instrument-name>"
                       "</score-instrument><midi-instrument id=\"P%d-I0\"><midi-channel>10"
                       "</midi-channel><midi-program>%d</midi-program></midi-instrument>\n",
                    p, p, t->program + 1);
        } else {
            put(b, "<score-instrument id=\"P%d-I1\"><instrument-name>", p);
            put_text(b, iname);
            put(b, "</instrument-name></score-instrument>\n"
                   "<midi-instrument id=\"P%d-I1\"><midi-channel>%d</midi-channel>"
                   "<midi-program>%d</midi-program></midi-instrument>\n",
                p, pcs[i].channel, t->program + 1);
        }
        put(b, "</score-part>\n");
    }
    put(b, "</part-list>\n");
}

static void put_clef(xbuf *b, const part_ctx *pc)
{
    if (is_drum_part(pc)) {
        put(b, "<clef><sign>percussion</sign></clef>");
        return;
    }
    long sum = 0;
    for (size_t i = 0; i < pc->n_notes; i++)
        sum += pc->notes[i].pitch;
    if (pc->n_notes && sum / (long)pc->n_notes < 55)
        put(b, "<clef><sign>F</sign><line>4</line></clef>");
    else
        put(b, "<clef><sign>G</sign><line>2</line></clef>");
}

static void put_part(xbuf *b, const musc_music *m, part_ctx *pc, const bar *bars, size_t n_bars,
                     int64_t divisions)
{
    size_t ki = 0, tempo_i = 0;
    put(b, "<part id=\"P%d\">\n", pc->index + 1);
    pc->fifths = 0;
    for (size_t bi = 0; bi < n_bars; bi++) {
        const bar *br = &bars[bi];
        put(b, "<measure number=\"%zu\">\n", bi + 1);
        /* a key at the bar start goes into the bar's attributes */
        const musc_key_signature *key = NULL;
        while (ki < m->n_key_signatures && m->key_signatures[ki].time * pc->mult <= br->start) {
            key = &m->key_signatures[ki++];
            pc->fifths = key->fifths;
        }
        if (bi == 0 || br->new_meter || key) {
            put(b, "<attributes>");
            if (bi == 0)
                put(b, "<divisions>%" PRId64 "</divisions>", divisions);
            if (key)
                put_key(b, key);
            if (br->new_meter)
                put(b, "<time><beats>%d</beats><beat-type>%d</beat-type></time>", br->num,
                    br->den);
            if (bi == 0)
                put_clef(b, pc);
            put(b, "</attributes>\n");
        }
        int64_t off = put_timed(b, m, pc, br, &ki, &tempo_i);
        if (off > 0)
            put(b, "<backup><duration>%" PRId64 "</duration></backup>\n", off);
        off = put_wedges(b, pc, br, bi + 1 == n_bars);
        if (off > 0)
            put(b, "<backup><duration>%" PRId64 "</duration></backup>\n", off);
        while (pc->next_lyric < pc->n_lyrics &&
               pc->lyrics[pc->next_lyric]->time * pc->mult < br->start)
            pc->next_lyric++;
        int64_t prev_end = -1; /* where the previous voice left the cursor */
        for (size_t v = 0; v < pc->n_voices || v == 0; v++) {
            if (v >= pc->n_voices) { /* no notes at all: a rest bar */
                put_gap(b, pc, br->start, br->end, divisions, br);
                break;
            }
            if (v > 0 && !voice_in_bar(&pc->voices[v], br))
                continue;
            if (prev_end > br->start)
                put(b, "<backup><duration>%" PRId64 "</duration></backup>\n",
                    prev_end - br->start);
            prev_end = put_voice(b, pc, (int)v, br, divisions);
        }
        if (bi + 1 == n_bars)
            put(b, "<barline location=\"right\"><bar-style>light-heavy</bar-style></barline>\n");
        put(b, "</measure>\n");
    }
    put(b, "</part>\n");
}

/* ---- collecting a track's material --------------------------------------- */

static int cmp_lyric_ptr(const void *a, const void *b)
{
    const musc_lyric *x = *(const musc_lyric *const *)a, *y = *(const musc_lyric *const *)b;
    return x->time < y->time ? -1 : x->time > y->time;
}

static int cmp_ann_ptr(const void *a, const void *b)
{
    const musc_annotation *x = *(const musc_annotation *const *)a;
    const musc_annotation *y = *(const musc_annotation *const *)b;
    return x->time < y->time ? -1 : x->time > y->time;
}

static int cmp_wwedge(const void *a, const void *b)
{
    const struct wwedge *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return 0;
}

/* A start and a stop per hairpin (the track's hairpins are sorted), each
 * pair under the lowest number 1..16 free at its start, so the reader pairs
 * overlapping hairpins right. At one time stops come first, except the stop
 * of a hairpin of no length, which follows its own start. */
static musc_status collect_wedges(const musc_track *t, part_ctx *pc)
{
    size_t n = t->n_hairpins;
    if (!n)
        return MUSC_OK;
    pc->wedges = malloc(2 * n * sizeof *pc->wedges);
    int *key = malloc(2 * n * sizeof *key);
    if (!pc->wedges || !key) {
        free(key);
        return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
    }
    int64_t slot_end[16];
    int slot_zero[16]; /* the slot's last hairpin had no length */
    for (int k = 0; k < 16; k++) {
        slot_end[k] = -1;
        slot_zero[k] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        const musc_hairpin *h = &t->hairpins[i];
        int64_t s = h->time * pc->mult, e = (h->time + h->duration) * pc->mult;
        int best = 0;
        for (int k = 0; k < 16; k++) {
            if (slot_end[k] < s || (slot_end[k] == s && !slot_zero[k])) {
                best = k;
                break;
            }
            if (slot_end[k] < slot_end[best])
                best = k;
        }
        slot_end[best] = e;
        slot_zero[best] = e == s;
        pc->wedges[2 * i] = (struct wwedge){s, h->kind, best + 1};
        pc->wedges[2 * i + 1] = (struct wwedge){e, 0, best + 1};
    }
    /* order by (time, class): stops of real hairpins, starts, stops of
     * hairpins of no length; insertion sort on a key keeps it stable */
    for (size_t i = 0; i < 2 * n; i++)
        key[i] = pc->wedges[i].type ? 1 : (i % 2 && pc->wedges[i].time == pc->wedges[i - 1].time) ? 2 : 0;
    for (size_t i = 1; i < 2 * n; i++)
        for (size_t j = i; j > 0; j--) {
            int c = cmp_wwedge(&pc->wedges[j - 1], &pc->wedges[j]);
            if (c < 0 || (c == 0 && key[j - 1] <= key[j]))
                break;
            struct wwedge tw = pc->wedges[j];
            pc->wedges[j] = pc->wedges[j - 1];
            pc->wedges[j - 1] = tw;
            int tk = key[j];
            key[j] = key[j - 1];
            key[j - 1] = tk;
        }
    free(key);
    pc->n_wedges = 2 * n;
    return MUSC_OK;
}

static musc_status collect(const musc_music *m, size_t ti, part_ctx *pc)
{
    const musc_track *t = &m->tracks[ti];
    size_t n = t->n_notes;
    for (size_t i = 0; i < t->n_chords; i++)
        n += t->chords[i].n_pitches;
    pc->notes = malloc((n ? n : 1) * sizeof *pc->notes);
    size_t nl = t->n_lyrics + (ti == 0 ? m->n_lyrics : 0);
    size_t na = t->n_annotations + (ti == 0 ? m->n_annotations : 0);
    pc->lyrics = malloc((nl ? nl : 1) * sizeof *pc->lyrics);
    pc->lyric_used = calloc(nl ? nl : 1, 1);
    pc->chords = malloc((na ? na : 1) * sizeof *pc->chords);
    if (!pc->notes || !pc->lyrics || !pc->lyric_used || !pc->chords)
        return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
    for (size_t i = 0; i < t->n_notes; i++)
        pc->notes[pc->n_notes++] =
            (wnote){.time = t->notes[i].time * pc->mult, .dur = t->notes[i].duration * pc->mult,
                    .pitch = t->notes[i].pitch, .velocity = t->notes[i].velocity};
    for (size_t i = 0; i < t->n_chords; i++)
        for (size_t k = 0; k < t->chords[i].n_pitches; k++)
            pc->notes[pc->n_notes++] = (wnote){.time = t->chords[i].time * pc->mult,
                                               .dur = t->chords[i].duration * pc->mult,
                                               .pitch = t->chords[i].pitches[k],
                                               .velocity = t->chords[i].velocity};
    for (size_t i = 0; i < t->n_lyrics; i++)
        pc->lyrics[pc->n_lyrics++] = &t->lyrics[i];
    for (size_t i = 0; ti == 0 && i < m->n_lyrics; i++)
        pc->lyrics[pc->n_lyrics++] = &m->lyrics[i];
    for (size_t i = 0; i < t->n_annotations; i++)
        if (t->annotations[i].kind == MUSC_ANN_CHORD && t->annotations[i].text)
            pc->chords[pc->n_chords++] = &t->annotations[i];
    for (size_t i = 0; ti == 0 && i < m->n_annotations; i++)
        if (m->annotations[i].kind == MUSC_ANN_CHORD && m->annotations[i].text)
            pc->chords[pc->n_chords++] = &m->annotations[i];
    /* stable enough: equal times keep no particular order */
    qsort(pc->lyrics, pc->n_lyrics, sizeof *pc->lyrics, cmp_lyric_ptr);
    qsort(pc->chords, pc->n_chords, sizeof *pc->chords, cmp_ann_ptr);
    musc_status st = collect_wedges(t, pc);
    return st ? st : build_voices(pc);
}

static void free_parts(part_ctx *pcs, size_t n)
{
    for (size_t i = 0; pcs && i < n; i++) {
        for (size_t v = 0; v < pcs[i].n_voices; v++)
            free(pcs[i].voices[v].c);
        free(pcs[i].voices);
        free(pcs[i].notes);
        free(pcs[i].lyrics);
        free(pcs[i].lyric_used);
        free(pcs[i].chords);
        free(pcs[i].wedges);
    }
    free(pcs);
}

static void put_header(xbuf *b, const musc_music *m)
{
    put(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
           "<!DOCTYPE score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\" "
           "\"http://www.musicxml.org/dtds/partwise.dtd\">\n"
           "<score-partwise version=\"4.0\">\n");
    if (m->metadata.title) {
        put(b, "<work><work-title>");
        put_text(b, m->metadata.title);
        put(b, "</work-title></work>\n");
    }
    put(b, "<identification>\n");
    for (size_t i = 0; i < m->metadata.n_creators; i++) {
        put(b, "<creator type=\"composer\">");
        put_text(b, m->metadata.creators[i]);
        put(b, "</creator>\n");
    }
    if (m->metadata.copyright) {
        put(b, "<rights>");
        put_text(b, m->metadata.copyright);
        put(b, "</rights>\n");
    }
    put(b, "<encoding><software>musc %s</software></encoding>\n</identification>\n",
        musc_version());
}

musc_status musc_musicxml_write_mem(const musc_music *music, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    musc_status st = musc_music_validate(music);
    if (st)
        return st;
    musc_music *m = musc_music_copy(music);
    if (!m)
        return musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
    musc_music_sort(m);
    int64_t mult = division_multiplier(m);
    if (musc_music_end_time(m) > INT64_MAX / 8 / mult / (m->resolution + 1)) {
        musc_music_free(m);
        return musc_error(MUSC_ERR_UNSUPPORTED, "musicxml: times too large to write");
    }
    int64_t divisions = (int64_t)m->resolution * mult;
    part_ctx *pcs = calloc(m->n_tracks ? m->n_tracks : 1, sizeof *pcs);
    bar *bars = NULL;
    size_t n_bars = 0;
    xbuf b = {0};
    if (!pcs) {
        st = musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
        goto done;
    }
    /* bars reach past the last note and the last thing written at a time */
    int64_t end = 1;
    int channel = 0;
    for (size_t i = 0; i < m->n_tracks; i++) {
        pcs[i].track = &m->tracks[i];
        pcs[i].index = (int)i;
        pcs[i].mult = mult;
        if (m->tracks[i].channel >= 0 && m->tracks[i].channel <= 15 &&
            (m->tracks[i].channel == 9) == (m->tracks[i].is_drum != 0)) {
            pcs[i].channel = m->tracks[i].channel + 1; /* keep the track's own */
        } else if (!m->tracks[i].is_drum) {
            pcs[i].channel = channel + 1;
            channel = (channel + 1) % 15;
            if (pcs[i].channel >= 10)
                pcs[i].channel++;
        }
        if ((st = collect(m, i, &pcs[i])))
            goto done;
        for (size_t k = 0; k < pcs[i].n_notes; k++) {
            int64_t e = pcs[i].notes[k].time + pcs[i].notes[k].dur;
            if (e > end)
                end = e;
            if (pcs[i].notes[k].time >= end)
                end = pcs[i].notes[k].time + 1;
        }
        for (size_t k = 0; k < pcs[i].n_lyrics; k++)
            if (pcs[i].lyrics[k]->time * mult >= end)
                end = pcs[i].lyrics[k]->time * mult + 1;
        for (size_t k = 0; k < pcs[i].n_chords; k++)
            if (pcs[i].chords[k]->time * mult >= end)
                end = pcs[i].chords[k]->time * mult + 1;
        for (size_t k = 0; k < pcs[i].n_wedges; k++) /* a stop may sit at the end */
            if (pcs[i].wedges[k].time > end || (pcs[i].wedges[k].type && pcs[i].wedges[k].time >= end))
                end = pcs[i].wedges[k].time + (pcs[i].wedges[k].type != 0);
    }
    for (size_t k = 0; k < m->n_tempos; k++)
        if (m->tempos[k].time * mult >= end)
            end = m->tempos[k].time * mult + 1;
    for (size_t k = 0; k < m->n_key_signatures; k++)
        if (m->key_signatures[k].time * mult >= end)
            end = m->key_signatures[k].time * mult + 1;
    for (size_t k = 0; k < m->n_time_signatures; k++) {
        m->time_signatures[k].time *= mult;
        if (m->time_signatures[k].time >= end)
            end = m->time_signatures[k].time + 1;
    }
    if ((st = make_bars(m, mult, end, &bars, &n_bars)))
        goto done;
    put_header(&b, m);
    put_part_list(&b, pcs, m->n_tracks);
    for (size_t i = 0; i < m->n_tracks && !b.oom; i++)
        put_part(&b, m, &pcs[i], bars, n_bars, divisions);
    put(&b, "</score-partwise>\n");
    if (b.oom) {
        st = musc_error(MUSC_ERR_NOMEM, "musicxml: out of memory");
        goto done;
    }
    *data = (uint8_t *)b.p;
    *size = b.n;
    b.p = NULL;
done:
    free(b.p);
    free(bars);
    free_parts(pcs, m->n_tracks);
    musc_music_free(m);
    return st;
}

static int ends_with_ci(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suf[i])
            return 0;
    }
    return 1;
}

musc_status musc_musicxml_write(const musc_music *music, const char *path,
                                const musc_write_options *options)
{
    uint8_t *xml;
    size_t n;
    musc_status st = musc_musicxml_write_mem(music, &xml, &n);
    if (st)
        return st;
    int overwrite = options ? options->overwrite : 0;
    if (ends_with_ci(path, ".mxl")) {
        uint8_t *z;
        size_t zn;
        st = musc_mxl_pack(xml, n, &z, &zn);
        free(xml);
        if (st)
            return st;
        st = musc_file_write_atomic(path, z, zn, overwrite);
        free(z);
        return st;
    }
    st = musc_file_write_atomic(path, xml, n, overwrite);
    free(xml);
    return st;
}
