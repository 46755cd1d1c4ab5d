/*
 * Writing Standard MIDI Files (format 1).
 *
 * The idea: size first, then write. A first pass computes an upper bound of
 * the file's size (every event has a bounded encoding: a delta of at most 4
 * bytes, a channel message of at most 3, a meta event of 2 + 4 + its text),
 * so the whole file goes into one malloc'd buffer with no bounds checks or
 * reallocations in the hot loop; the buffer is shrunk to its real size at the
 * end.
 *
 * Each MIDI track is a merge of time-sorted streams (notes on, notes off,
 * controls, ...). The model's lists are usually sorted already (a reader
 * produces them that way), so a stream walks the stored array directly and
 * only an unsorted list pays for a stable index sort. Note-offs come from a
 * small binary heap keyed on end time, so notes need no second sort by end.
 *
 * Order of events at one tick (chosen so a FIFO reader rebuilds the same
 * notes): note-offs of notes that end there, then text and lyrics, then
 * controls, bends and pressure, then note-ons. Note-ons of one pitch at one
 * tick go in order of duration, so when several notes of one pitch start
 * together the shortest is opened first and so closed first. A zero-length
 * note's off follows its on directly; since zero-length notes sort first,
 * they never capture another note's off.
 *
 * The rules for what goes where (meta track, channels, ...) are documented
 * in include/musc/midi.h.
 */
#include "musc/midi.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SMF_MAX_VLQ 0x0FFFFFFFu   /* 4-byte variable-length numbers: deltas, lengths */
#define SMF_MAX_DIVISION 32767    /* bit 15 of the division selects SMPTE */
#define SMF_MAX_TRACKS 65535
#define NOTE_OFF_VELOCITY 64      /* the MIDI spec's value for "no release velocity" */

/* Upper bounds of an event's encoded size, delta time included. */
#define CHANNEL_EVENT_MAX (4 + 3)
#define META_EVENT_MAX(len) (4 + 2 + 4 + (len)) /* delta, FF type, VLQ length, data */

/* ---- the output buffer --------------------------------------------------- */

typedef struct writer {
    uint8_t *p;      /* next byte to write */
    int64_t now;     /* time of the last event written in the current track */
    unsigned status; /* running status, 0 after a meta or sysex event */
} writer;

static inline uint8_t *put_vlq(uint8_t *p, uint32_t v)
{
    if (v < 0x80) {
        *p++ = (uint8_t)v;
    } else if (v < 0x4000) {
        *p++ = (uint8_t)(0x80 | (v >> 7));
        *p++ = (uint8_t)(v & 0x7F);
    } else if (v < 0x200000) {
        *p++ = (uint8_t)(0x80 | (v >> 14));
        *p++ = (uint8_t)(0x80 | ((v >> 7) & 0x7F));
        *p++ = (uint8_t)(v & 0x7F);
    } else {
        *p++ = (uint8_t)(0x80 | (v >> 21));
        *p++ = (uint8_t)(0x80 | ((v >> 14) & 0x7F));
        *p++ = (uint8_t)(0x80 | ((v >> 7) & 0x7F));
        *p++ = (uint8_t)(v & 0x7F);
    }
    return p;
}

static inline void put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Delta time up to `t`. Events arrive in time order, so t >= w->now; a gap
 * over 2^28-1 ticks cannot be stored in SMF (MUSC_ERR_RANGE). */
static inline musc_status put_delta(writer *w, int64_t t)
{
    uint64_t d = (uint64_t)(t - w->now);
    if (d > SMF_MAX_VLQ)
        return musc_error(MUSC_ERR_RANGE,
                          "a gap of %" PRIu64 " ticks before tick %" PRId64
                          " exceeds the SMF maximum delta time of %u ticks",
                          d, t, SMF_MAX_VLQ);
    w->p = put_vlq(w->p, (uint32_t)d);
    w->now = t;
    return MUSC_OK;
}

static inline void put_meta(writer *w, unsigned type, const void *data, size_t size)
{
    *w->p++ = 0xFF;
    *w->p++ = (uint8_t)type;
    w->p = put_vlq(w->p, (uint32_t)size);
    if (size)
        memcpy(w->p, data, size);
    w->p += size;
    w->status = 0; /* meta events cancel running status */
}

static musc_status put_meta_at(writer *w, int64_t t, unsigned type, const void *data,
                               size_t size)
{
    musc_status rc = put_delta(w, t);
    if (!rc)
        put_meta(w, type, data, size);
    return rc;
}

static size_t str_len(const char *s)
{
    return s ? strlen(s) : 0;
}

/* ---- time-ordered streams ------------------------------------------------ */

/* One timed list of the model, walked in time order. Every timed element
 * type starts with `int64_t time`, so one stream type serves them all. */
typedef struct stream {
    const char *base;
    size_t elem, n, pos;
    size_t *order; /* NULL: the stored order is already time order */
} stream;

static inline const void *stream_item(const stream *s)
{
    size_t i = s->order ? s->order[s->pos] : s->pos;
    return s->base + i * s->elem;
}

static inline int64_t stream_time(const stream *s)
{
    if (s->pos >= s->n)
        return INT64_MAX;
    int64_t t;
    memcpy(&t, stream_item(s), sizeof t);
    return t;
}

static inline int64_t elem_time(const char *base, size_t elem, size_t i)
{
    int64_t t;
    memcpy(&t, base + i * elem, sizeof t);
    return t;
}

/* What an index sort compares. */
typedef struct sort_key {
    const char *base;
    size_t elem;
    int notes; /* nonzero: key (time, pitch, duration, velocity), else time */
} sort_key;

static int key_less(const sort_key *k, size_t a, size_t b)
{
    if (!k->notes)
        return elem_time(k->base, k->elem, a) < elem_time(k->base, k->elem, b);
    const musc_note *x = (const musc_note *)(const void *)k->base + a;
    const musc_note *y = (const musc_note *)(const void *)k->base + b;
    if (x->time != y->time)
        return x->time < y->time;
    if (x->pitch != y->pitch)
        return x->pitch < y->pitch;
    if (x->duration != y->duration)
        return x->duration < y->duration;
    return x->velocity < y->velocity;
}

/* Stable bottom-up merge sort of the indices 0..n-1 by the key. */
static size_t *sorted_order(const sort_key *k, size_t n)
{
    size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    size_t *src = a, *dst = b;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t l = lo, r = mid, o = lo;
            while (l < mid && r < hi)
                dst[o++] = key_less(k, src[r], src[l]) ? src[r++] : src[l++];
            while (l < mid)
                dst[o++] = src[l++];
            while (r < hi)
                dst[o++] = src[r++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    free(dst);
    return src;
}

/* Open a stream over a timed list; sorts an index only if the list is out
 * of time order. */
static musc_status stream_open(stream *s, const void *base, size_t elem, size_t n)
{
    *s = (stream){.base = base, .elem = elem, .n = n};
    for (size_t i = 1; i < n; i++) {
        if (elem_time(s->base, elem, i) < elem_time(s->base, elem, i - 1)) {
            sort_key k = {s->base, elem, 0};
            if (!(s->order = sorted_order(&k, n)))
                return musc_error(MUSC_ERR_NOMEM, "out of memory sorting %zu events", n);
            break;
        }
    }
    return MUSC_OK;
}

/* Nonzero when notes[i-1] and notes[i] are in (time, pitch, duration)
 * order, which a reader's output and musc_music_sort's both are. */
static inline int notes_in_order(const musc_note *a, const musc_note *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    if (a->pitch != b->pitch)
        return a->pitch < b->pitch;
    return a->duration <= b->duration;
}

/* Notes need more than time order (see the top of the file): at one tick,
 * notes of one pitch must go shortest first. The stored order passes if it
 * is time-sorted and no pitch repeats at a tick with a shorter duration
 * after a longer one (checked in one cheap pass for the usual (time, pitch,
 * duration) order, else with a table per pitch); otherwise the notes are
 * written as musc_music_sort would order them, by (time, pitch, duration,
 * velocity). */
static musc_status notes_open(stream *s, const musc_note *notes, size_t n)
{
    *s = (stream){.base = (const char *)notes, .elem = sizeof *notes, .n = n};
    size_t i = 1;
    while (i < n && notes_in_order(&notes[i - 1], &notes[i]))
        i++;
    if (i >= n)
        return MUSC_OK;
    size_t stamp[128] = {0}, run = 0;
    int64_t last_dur[128];
    int64_t prev = INT64_MIN;
    for (i = 0; i < n; i++) {
        const musc_note *x = &notes[i];
        if (x->time != prev) {
            if (x->time < prev)
                goto sort;
            prev = x->time;
            run++;
        }
        int p = x->pitch;
        if (stamp[p] == run && x->duration < last_dur[p])
            goto sort;
        stamp[p] = run;
        last_dur[p] = x->duration;
    }
    return MUSC_OK;
sort:;
    sort_key k = {s->base, sizeof *notes, 1};
    if (!(s->order = sorted_order(&k, n)))
        return musc_error(MUSC_ERR_NOMEM, "out of memory sorting %zu notes", n);
    return MUSC_OK;
}

static void stream_close(stream *s)
{
    free(s->order);
    s->order = NULL;
}

/* ---- pending note-offs: a binary min-heap on (end, order of the on) ------ */

typedef struct pending {
    int64_t end;
    size_t seq;
    int pitch;
} pending;

typedef struct off_heap {
    pending *a;
    size_t n;
} off_heap;

static inline int pending_less(const pending *x, const pending *y)
{
    return x->end < y->end || (x->end == y->end && x->seq < y->seq);
}

static inline void heap_push(off_heap *h, pending v)
{
    size_t i = h->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pending_less(&v, &h->a[parent]))
            break;
        h->a[i] = h->a[parent];
        i = parent;
    }
    h->a[i] = v;
}

static inline void heap_pop(off_heap *h)
{
    pending v = h->a[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && pending_less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!pending_less(&h->a[c], &v))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (n)
        h->a[i] = v;
}

/* ---- checks and sizes ---------------------------------------------------- */

/* The running size bound. `overflow`: the bound passed SIZE_MAX;
 * `too_long`: a text or raw event is longer than an SMF length can say. */
typedef struct sizer {
    size_t total;
    int overflow, too_long;
} sizer;

static void add_size(sizer *z, size_t add)
{
    if (add > SIZE_MAX - z->total)
        z->overflow = 1;
    else
        z->total += add;
}

/* n events of at most `each` bytes */
static void add_events(sizer *z, size_t n, size_t each)
{
    if (n > SIZE_MAX / each)
        z->overflow = 1;
    else
        add_size(z, n * each);
}

static void add_meta(sizer *z, size_t len)
{
    if (len > SMF_MAX_VLQ)
        z->too_long = 1;
    else
        add_size(z, META_EVENT_MAX(len));
}

static void add_texts(sizer *z, const char *base, size_t elem, size_t text_offset, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *text;
        memcpy(&text, base + i * elem + text_offset, sizeof text);
        add_meta(z, str_len(text));
    }
}

/* Microseconds per quarter for a tempo, or 0 when SMF cannot store it. */
static uint32_t tempo_usec(double qpm)
{
    double us = floor(60e6 / qpm + 0.5);
    if (!(us >= 1 && us <= 0xFFFFFF))
        return 0;
    return (uint32_t)us;
}

/* log2 of a power-of-two denominator up to 2^7, or -1. SMF's byte could
 * say more, but readers (musc's strict one included) take 2^7 as the limit,
 * and no music needs 256th-note beats. */
static int denominator_log2(int d)
{
    if (d < 1 || d > 128 || (d & (d - 1)))
        return -1;
    int k = 0;
    while (d > 1) {
        d >>= 1;
        k++;
    }
    return k;
}

/* MIDI clocks (24 per quarter) per metronome click: one beat, or a dotted
 * beat in compound meters (6/8, 9/8, 12/16: numerator a multiple of 3 above
 * 3 with a denominator of 8 or more), as sequencers write it. */
static int clocks_per_click(int numerator, int denominator)
{
    int c = 96 / denominator;
    if (numerator > 3 && numerator % 3 == 0 && denominator >= 8)
        c = 288 / denominator;
    return c < 1 ? 1 : c > 255 ? 255 : c;
}

/* Everything SMF cannot hold that validation allows; also the size bound. */
static musc_status check_and_size(const musc_music *m, size_t *bound, size_t *max_notes)
{
    *max_notes = 0;
    if (m->resolution > SMF_MAX_DIVISION)
        return musc_error(MUSC_ERR_RANGE,
                          "resolution = %d ticks per quarter, but SMF stores at most %d; "
                          "change the resolution first (musc_music_adjust_resolution)",
                          m->resolution, SMF_MAX_DIVISION);
    if (m->n_tracks + 1 > SMF_MAX_TRACKS)
        return musc_error(MUSC_ERR_RANGE, "%zu tracks, but SMF stores at most %d (one is the "
                          "meta track)", m->n_tracks, SMF_MAX_TRACKS - 1);
    for (size_t i = 0; i < m->n_tempos; i++)
        if (!tempo_usec(m->tempos[i].qpm))
            return musc_error(MUSC_ERR_RANGE,
                              "tempos[%zu].qpm = %g cannot be stored in SMF (needs "
                              "1..16777215 microseconds per quarter, about 3.58..6e7 qpm)",
                              i, m->tempos[i].qpm);
    for (size_t i = 0; i < m->n_time_signatures; i++)
        if (denominator_log2(m->time_signatures[i].denominator) < 0)
            return musc_error(MUSC_ERR_RANGE,
                              "time_signatures[%zu].denominator = %d; MIDI stores only the "
                              "powers of two 1..128", i, m->time_signatures[i].denominator);

    sizer z = {14, 0, 0}; /* MThd */
    /* meta track: header, end of track, texts, then the lists */
    add_size(&z, 8 + CHANNEL_EVENT_MAX);
    add_meta(&z, str_len(m->metadata.title));
    add_meta(&z, str_len(m->metadata.copyright));
    add_events(&z, m->n_tempos, META_EVENT_MAX(3));
    add_events(&z, m->n_time_signatures, META_EVENT_MAX(4));
    add_events(&z, m->n_key_signatures, META_EVENT_MAX(2));
    add_texts(&z, (const char *)m->lyrics, sizeof *m->lyrics, offsetof(musc_lyric, text),
              m->n_lyrics);
    add_texts(&z, (const char *)m->annotations, sizeof *m->annotations,
              offsetof(musc_annotation, text), m->n_annotations);
    for (size_t i = 0; i < m->n_raw_events; i++)
        add_meta(&z, m->raw_events[i].size);
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        size_t n_notes = t->n_notes;
        for (size_t i = 0; i < t->n_chords; i++)
            n_notes += t->chords[i].n_pitches; /* each pitch is >= 2 bytes of memory */
        if (n_notes > *max_notes)
            *max_notes = n_notes;
        /* header, program change, end of track; two events per note */
        add_size(&z, 8 + 2 * CHANNEL_EVENT_MAX);
        add_events(&z, n_notes, 2 * CHANNEL_EVENT_MAX);
        add_events(&z, t->n_controls, CHANNEL_EVENT_MAX);
        add_events(&z, t->n_pitch_bends, CHANNEL_EVENT_MAX);
        add_events(&z, t->n_pressures, CHANNEL_EVENT_MAX);
        add_meta(&z, str_len(t->name));
        add_meta(&z, str_len(t->instrument_name));
        add_texts(&z, (const char *)t->lyrics, sizeof *t->lyrics, offsetof(musc_lyric, text),
                  t->n_lyrics);
        add_texts(&z, (const char *)t->annotations, sizeof *t->annotations,
                  offsetof(musc_annotation, text), t->n_annotations);
    }
    if (z.too_long)
        return musc_error(MUSC_ERR_RANGE, "a text or raw event is longer than the %u bytes an "
                          "SMF event can hold", SMF_MAX_VLQ);
    if (z.overflow)
        return musc_error(MUSC_ERR_NOMEM, "music too large to encode as MIDI");
    *bound = z.total;
    return MUSC_OK;
}

/* ---- channels ------------------------------------------------------------ */

/* Drums on channel 10 (index 9). A pitched track keeps its channel hint when
 * it is 0..15 and not 9; the others take the lowest channel no track has
 * claimed yet, skipping 9, and once all 15 are taken cycle 0, 1, ... 15. */
static void assign_channels(const musc_music *m, uint8_t *channel)
{
    int used[16] = {0};
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        if (t->is_drum) {
            channel[i] = 9;
        } else if (t->channel >= 0 && t->channel <= 15 && t->channel != 9) {
            channel[i] = (uint8_t)t->channel;
            used[t->channel] = 1;
        } else {
            channel[i] = 0xFF;
        }
    }
    int cycle = 0;
    for (size_t i = 0; i < m->n_tracks; i++) {
        if (channel[i] != 0xFF)
            continue;
        int c = 0;
        while (c < 16 && (c == 9 || used[c]))
            c++;
        if (c < 16) {
            used[c] = 1;
        } else {
            c = cycle;
            cycle = (cycle + 1) % 16;
            if (cycle == 9)
                cycle = 10;
        }
        channel[i] = (uint8_t)c;
    }
}

/* ---- tracks -------------------------------------------------------------- */

/* MIDI text-like meta type of an annotation. Chord symbols and other kinds
 * have no meta type of their own and go out as text events (0x01). */
static unsigned annotation_meta_type(int kind)
{
    switch (kind) {
    case MUSC_ANN_MARKER: return 0x06;
    case MUSC_ANN_CUE: return 0x07;
    default: return 0x01;
    }
}

static uint8_t *begin_track(writer *w, uint8_t *p)
{
    memcpy(p, "MTrk", 4);
    w->p = p + 8;
    w->now = 0;
    w->status = 0;
    return p;
}

static void end_track(writer *w, uint8_t *start)
{
    /* end of track at the time of the last event (delta 0) */
    *w->p++ = 0;
    *w->p++ = 0xFF;
    *w->p++ = 0x2F;
    *w->p++ = 0;
    put_u32be(start + 4, (uint32_t)(w->p - start - 8));
}

/* Write the text lists (lyrics, annotations) due at `t`. */
static musc_status put_texts_at(writer *w, int64_t t, stream *lyr, stream *ann)
{
    musc_status rc;
    while (stream_time(ann) == t) {
        const musc_annotation *a = stream_item(ann);
        if ((rc = put_meta_at(w, t, annotation_meta_type(a->kind), a->text, str_len(a->text))))
            return rc;
        ann->pos++;
    }
    while (stream_time(lyr) == t) {
        const musc_lyric *l = stream_item(lyr);
        if ((rc = put_meta_at(w, t, 0x05, l->text, str_len(l->text))))
            return rc;
        lyr->pos++;
    }
    return MUSC_OK;
}

/* Raw events of the types the writer owns are not written: end-of-track
 * would cut the track short; a raw tempo, time or key signature is one a
 * reader found unusable (wrong length, tempo 0, ...), which would make the
 * file invalid, or a tempo from an SMPTE file, where it had no effect and
 * would now change the timing. */
static int raw_is_written(const musc_raw_event *r)
{
    return r->type != 0x2F && r->type != 0x51 && r->type != 0x58 && r->type != 0x59;
}

static musc_status write_meta_track(writer *w, const musc_music *m)
{
    musc_status rc = MUSC_OK;
    stream tempo, tsig, ksig, lyr, ann, raw;
    memset(&tempo, 0, sizeof tempo);
    tsig = ksig = lyr = ann = raw = tempo;
    uint8_t *start = begin_track(w, w->p);

    /* title and copyright at tick 0, before anything else */
    if (m->metadata.title) {
        *w->p++ = 0;
        put_meta(w, 0x03, m->metadata.title, strlen(m->metadata.title));
    }
    if (m->metadata.copyright) {
        *w->p++ = 0;
        put_meta(w, 0x02, m->metadata.copyright, strlen(m->metadata.copyright));
    }
    if ((rc = stream_open(&tempo, m->tempos, sizeof *m->tempos, m->n_tempos)) ||
        (rc = stream_open(&tsig, m->time_signatures, sizeof *m->time_signatures,
                          m->n_time_signatures)) ||
        (rc = stream_open(&ksig, m->key_signatures, sizeof *m->key_signatures,
                          m->n_key_signatures)) ||
        (rc = stream_open(&lyr, m->lyrics, sizeof *m->lyrics, m->n_lyrics)) ||
        (rc = stream_open(&ann, m->annotations, sizeof *m->annotations, m->n_annotations)) ||
        (rc = stream_open(&raw, m->raw_events, sizeof *m->raw_events, m->n_raw_events)))
        goto done;
    for (;;) {
        int64_t t = stream_time(&tempo);
        int64_t x;
        if ((x = stream_time(&tsig)) < t) t = x;
        if ((x = stream_time(&ksig)) < t) t = x;
        if ((x = stream_time(&lyr)) < t) t = x;
        if ((x = stream_time(&ann)) < t) t = x;
        if ((x = stream_time(&raw)) < t) t = x;
        if (t == INT64_MAX)
            break;
        while (stream_time(&raw) == t) {
            const musc_raw_event *r = stream_item(&raw);
            raw.pos++;
            if (!raw_is_written(r))
                continue;
            if ((rc = put_delta(w, t)))
                goto done;
            if (r->type == MUSC_RAW_SYSEX || r->type == MUSC_RAW_ESCAPE) {
                *w->p++ = (uint8_t)r->type;
                w->p = put_vlq(w->p, (uint32_t)r->size);
                if (r->size)
                    memcpy(w->p, r->data, r->size);
                w->p += r->size;
                w->status = 0;
            } else {
                put_meta(w, (unsigned)r->type, r->data, r->size);
            }
        }
        while (stream_time(&tsig) == t) {
            const musc_time_signature *s = stream_item(&tsig);
            uint8_t d[4] = {(uint8_t)s->numerator, (uint8_t)denominator_log2(s->denominator),
                            (uint8_t)clocks_per_click(s->numerator, s->denominator), 8};
            if ((rc = put_meta_at(w, t, 0x58, d, 4)))
                goto done;
            tsig.pos++;
        }
        while (stream_time(&ksig) == t) {
            const musc_key_signature *k = stream_item(&ksig);
            /* MIDI has no "no mode": such a key goes out as major */
            uint8_t d[2] = {(uint8_t)(int8_t)k->fifths, k->mode == MUSC_MODE_MINOR ? 1 : 0};
            if ((rc = put_meta_at(w, t, 0x59, d, 2)))
                goto done;
            ksig.pos++;
        }
        while (stream_time(&tempo) == t) {
            uint32_t us = tempo_usec(((const musc_tempo *)stream_item(&tempo))->qpm);
            uint8_t d[3] = {(uint8_t)(us >> 16), (uint8_t)(us >> 8), (uint8_t)us};
            if ((rc = put_meta_at(w, t, 0x51, d, 3)))
                goto done;
            tempo.pos++;
        }
        if ((rc = put_texts_at(w, t, &lyr, &ann)))
            goto done;
    }
    end_track(w, start);
done:
    stream_close(&tempo);
    stream_close(&tsig);
    stream_close(&ksig);
    stream_close(&lyr);
    stream_close(&ann);
    stream_close(&raw);
    return rc;
}

/* Scratch memory shared by all tracks of one write. */
typedef struct scratch {
    off_heap heap;       /* capacity: the most notes of any track */
    musc_note *expanded; /* a track's notes plus its chords' notes */
} scratch;

/* Notes of a track as one array: the notes themselves, or (when the track
 * has chords) a scratch copy with every chord pitch added as a note. */
static musc_status track_notes(const musc_track *t, scratch *s, const musc_note **notes,
                               size_t *n)
{
    *notes = t->notes;
    *n = t->n_notes;
    if (!t->n_chords)
        return MUSC_OK;
    size_t total = t->n_notes;
    for (size_t i = 0; i < t->n_chords; i++)
        total += t->chords[i].n_pitches; /* counted by check_and_size */
    free(s->expanded);
    if (!(s->expanded = malloc((total ? total : 1) * sizeof *s->expanded)))
        return musc_error(MUSC_ERR_NOMEM, "out of memory for %zu notes", total);
    if (t->n_notes)
        memcpy(s->expanded, t->notes, t->n_notes * sizeof *t->notes);
    size_t k = t->n_notes;
    for (size_t i = 0; i < t->n_chords; i++) {
        const musc_chord *c = &t->chords[i];
        for (size_t j = 0; j < c->n_pitches; j++)
            s->expanded[k++] = (musc_note){.time = c->time, .duration = c->duration,
                                           .pitch = c->pitches[j], .velocity = c->velocity};
    }
    *notes = s->expanded;
    *n = total;
    return MUSC_OK;
}

static musc_status delta_error(int64_t from, int64_t to)
{
    return musc_error(MUSC_ERR_RANGE,
                      "a gap of %" PRId64 " ticks (from tick %" PRId64 " to %" PRId64
                      ") exceeds the SMF maximum delta time of %u ticks",
                      to - from, from, to, SMF_MAX_VLQ);
}

static inline size_t heap_push_n(pending *a, size_t n, pending v)
{
    off_heap h = {a, n};
    heap_push(&h, v);
    return h.n;
}

static inline size_t heap_pop_n(pending *a, size_t n)
{
    off_heap h = {a, n};
    heap_pop(&h);
    return h.n;
}

static int64_t min_time(const stream *a, const stream *b, const stream *c, const stream *d,
                        const stream *e)
{
    int64_t t = stream_time(a), x;
    if ((x = stream_time(b)) < t) t = x;
    if ((x = stream_time(c)) < t) t = x;
    if ((x = stream_time(d)) < t) t = x;
    if ((x = stream_time(e)) < t) t = x;
    return t;
}

/* A channel message with running status, on the locals of write_track. */
#define PUT_STATUS(st)                    \
    do {                                  \
        unsigned st_ = (st);              \
        if (st_ != status) {              \
            *p++ = (uint8_t)st_;          \
            status = st_;                 \
        }                                 \
    } while (0)
#define PUT2(st, a, b)                    \
    do {                                  \
        PUT_STATUS(st);                   \
        p[0] = (uint8_t)(a);              \
        p[1] = (uint8_t)(b);              \
        p += 2;                           \
    } while (0)
/* The first event at a tick carries the delta, the others 0. */
#define PUT_DELTA()                       \
    do {                                  \
        p = put_vlq(p, delta);            \
        delta = 0;                        \
    } while (0)

static musc_status write_track(writer *w, const musc_track *t, unsigned ch, scratch *sc)
{
    musc_status rc = MUSC_OK;
    stream on, ctl, bend, press, lyr, ann;
    memset(&on, 0, sizeof on);
    ctl = bend = press = lyr = ann = on;
    uint8_t *start = begin_track(w, w->p);
    const musc_note *notes;
    size_t n_notes;

    if (t->name) {
        *w->p++ = 0;
        put_meta(w, 0x03, t->name, strlen(t->name));
    }
    if (t->instrument_name) {
        *w->p++ = 0;
        put_meta(w, 0x04, t->instrument_name, strlen(t->instrument_name));
    }
    /* one program change before everything, so a reader that splits tracks by
     * the program in force puts every note and control back in this track */
    *w->p++ = 0;
    *w->p++ = (uint8_t)(0xC0 | ch);
    *w->p++ = (uint8_t)t->program;
    w->status = 0xC0 | ch;

    if ((rc = track_notes(t, sc, &notes, &n_notes)) || (rc = notes_open(&on, notes, n_notes)) ||
        (rc = stream_open(&ctl, t->controls, sizeof *t->controls, t->n_controls)) ||
        (rc = stream_open(&bend, t->pitch_bends, sizeof *t->pitch_bends, t->n_pitch_bends)) ||
        (rc = stream_open(&press, t->pressures, sizeof *t->pressures, t->n_pressures)) ||
        (rc = stream_open(&lyr, t->lyrics, sizeof *t->lyrics, t->n_lyrics)) ||
        (rc = stream_open(&ann, t->annotations, sizeof *t->annotations, t->n_annotations)))
        goto done;

    /* The loop keeps the output pointer, running status, note position and
     * heap size in locals: a store through a byte pointer may alias any
     * memory, so state kept in structs would be reloaded after every byte.
     * Each turn writes the earliest of: the next note-off (heap top), the
     * other streams' events at their next tick, the next note-on; ties go in
     * that order. An empty heap holds a sentinel ending at INT64_MAX. */
    uint8_t *p = w->p;
    unsigned status = w->status;
    int64_t last = 0;
    const size_t *order = on.order;
    size_t ni = 0, hn = 0, seq = 0;
    pending *heap = sc->heap.a;
    heap[0].end = INT64_MAX;
    int64_t t_on = n_notes ? notes[order ? order[0] : 0].time : INT64_MAX;
    int64_t t_other = min_time(&ctl, &bend, &press, &lyr, &ann);
    uint32_t delta;
    for (;;) {
        int64_t top = heap[0].end, now = top < t_on ? top : t_on;
        if (t_other < now)
            now = t_other;
        if (now == INT64_MAX)
            break;
        if ((uint64_t)(now - last) > SMF_MAX_VLQ) {
            rc = delta_error(last, now);
            goto done;
        }
        delta = (uint32_t)(now - last);
        last = now;
        if (top == now) {
            PUT_DELTA();
            PUT2(0x80 | ch, heap[0].pitch, NOTE_OFF_VELOCITY);
            hn = heap_pop_n(heap, hn);
            if (!hn)
                heap[0].end = INT64_MAX;
        } else if (t_other == now) {
            while (stream_time(&ann) == now) {
                const musc_annotation *a = stream_item(&ann);
                PUT_DELTA();
                w->p = p;
                put_meta(w, annotation_meta_type(a->kind), a->text, str_len(a->text));
                p = w->p;
                status = 0;
                ann.pos++;
            }
            while (stream_time(&lyr) == now) {
                const musc_lyric *l = stream_item(&lyr);
                PUT_DELTA();
                w->p = p;
                put_meta(w, 0x05, l->text, str_len(l->text));
                p = w->p;
                status = 0;
                lyr.pos++;
            }
            while (stream_time(&ctl) == now) {
                const musc_control *c = stream_item(&ctl);
                PUT_DELTA();
                PUT2(0xB0 | ch, c->number, c->value);
                ctl.pos++;
            }
            while (stream_time(&bend) == now) {
                unsigned v = (unsigned)(((const musc_pitch_bend *)stream_item(&bend))->value + 8192);
                PUT_DELTA();
                PUT2(0xE0 | ch, v & 0x7F, v >> 7);
                bend.pos++;
            }
            while (stream_time(&press) == now) {
                const musc_pressure *q = stream_item(&press);
                PUT_DELTA();
                if (q->pitch < 0) {
                    PUT_STATUS(0xD0 | ch);
                    *p++ = q->value;
                } else {
                    PUT2(0xA0 | ch, q->pitch, q->value);
                }
                press.pos++;
            }
            t_other = min_time(&ctl, &bend, &press, &lyr, &ann);
        } else {
            const musc_note *n = &notes[order ? order[ni] : ni];
            PUT_DELTA();
            /* a note-on of velocity 0 means note-off, so the quietest
             * storable note stands in for a silent one */
            PUT2(0x90 | ch, n->pitch, n->velocity ? n->velocity : 1);
            if (n->duration == 0) {
                *p++ = 0;
                PUT2(0x80 | ch, n->pitch, NOTE_OFF_VELOCITY);
            } else {
                hn = heap_push_n(heap, hn, (pending){n->time + n->duration, seq++, n->pitch});
            }
            ni++;
            t_on = ni < n_notes ? notes[order ? order[ni] : ni].time : INT64_MAX;
        }
    }
    w->p = p;
    w->status = status;
    w->now = last;
    end_track(w, start);
done:
    stream_close(&on);
    stream_close(&ctl);
    stream_close(&bend);
    stream_close(&press);
    stream_close(&lyr);
    stream_close(&ann);
    return rc;
}

/* ---- entry points -------------------------------------------------------- */

musc_status musc_midi_write_mem(const musc_music *music, uint8_t **data, size_t *size)
{
    if (!data || !size)
        return musc_error(MUSC_ERR_ARG, "musc_midi_write_mem: data and size must not be NULL");
    *data = NULL;
    *size = 0;
    musc_status rc = musc_music_validate(music);
    if (rc)
        return rc;
    size_t bound = 0, max_notes = 0;
    if ((rc = check_and_size(music, &bound, &max_notes)))
        return rc;

    scratch sc = {{NULL, 0}, NULL};
    uint8_t *buf = malloc(bound);
    uint8_t *channels = malloc(music->n_tracks ? music->n_tracks : 1);
    sc.heap.a = malloc((max_notes ? max_notes : 1) * sizeof *sc.heap.a);
    if (!buf || !channels || !sc.heap.a) {
        rc = musc_error(MUSC_ERR_NOMEM, "out of memory for a %zu-byte MIDI file", bound);
        goto fail;
    }
    assign_channels(music, channels);

    memcpy(buf, "MThd\0\0\0\6\0\1", 10);
    size_t n_tracks = music->n_tracks + 1;
    buf[10] = (uint8_t)(n_tracks >> 8);
    buf[11] = (uint8_t)n_tracks;
    buf[12] = (uint8_t)(music->resolution >> 8);
    buf[13] = (uint8_t)music->resolution;
    writer w = {.p = buf + 14};
    if ((rc = write_meta_track(&w, music)))
        goto fail;
    for (size_t i = 0; i < music->n_tracks; i++)
        if ((rc = write_track(&w, &music->tracks[i], channels[i], &sc)))
            goto fail;

    size_t n = (size_t)(w.p - buf);
    if (n > bound) { /* the size bound is wrong: memory is already corrupt */
        rc = musc_error(MUSC_ERR_INTERNAL, "MIDI writer overran its %zu-byte buffer", bound);
        goto fail;
    }
    uint8_t *shrunk = realloc(buf, n);
    *data = shrunk ? shrunk : buf;
    *size = n;
    free(channels);
    free(sc.heap.a);
    free(sc.expanded);
    return MUSC_OK;
fail:
    free(buf);
    free(channels);
    free(sc.heap.a);
    free(sc.expanded);
    return rc;
}

musc_status musc_midi_write(const musc_music *music, const char *path,
                            const musc_write_options *options)
{
    if (!path)
        return musc_error(MUSC_ERR_ARG, "musc_midi_write: path is NULL");
    musc_write_options defaults = musc_write_options_default();
    if (!options)
        options = &defaults;
    uint8_t *data;
    size_t size;
    musc_status rc = musc_midi_write_mem(music, &data, &size);
    if (rc)
        return rc;
    rc = musc_file_write_atomic(path, data, size, options->overwrite);
    free(data);
    return rc;
}
