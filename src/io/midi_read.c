/*
 * Standard MIDI File reader.
 *
 * The idea: one pass over each track chunk turns events straight into the
 * object model, with no intermediate event list and no allocation per event.
 *
 *  - A note is appended to its track at its note-on (duration -1 until it
 *    ends), so every track's notes come out in onset order and only chords
 *    (same onset) need a tiny insertion sort; musc_music_sort() then finds the
 *    lists already sorted. The note-off finds its note-on through a table of
 *    per-(channel, pitch) singly linked lists threaded through one pool of
 *    slots: O(1) for FIFO (push at tail), LIFO (push at head) and close-all.
 *  - A track is one (MIDI track, channel, program) group, created the first
 *    time an event needs it; cur[channel] caches the group of the program in
 *    force, so the common path is one array load. MusPy files a note under
 *    the program in force at its note-off: when a program change falls inside
 *    a note, the note moves to the other group (a rare slow path that leaves
 *    a hole compacted at the end of the MIDI track).
 *  - Damage is handled in one place, violation(): strict mode turns it into
 *    MUSC_ERR_FORMAT naming the byte offset, repair mode logs it in the report
 *    and the caller applies the documented fix.
 *
 * Bounds: every read is checked against the end of the data; allocations
 * grow only with events actually read, so memory stays proportional to the
 * input. Ticks cannot overflow: a delta is at most 2^28-1 (longer
 * variable-length numbers are clamped), each costs at least one input byte,
 * and inputs over 2^34 bytes are refused, so every time stays below 2^62.
 */
#include "musc/midi.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"

#define MAX_INPUT ((size_t)1 << 34)
#define MAX_MIDI_TRACKS 65535
#define MAX_VLQ 0x0FFFFFFFu
#define REPORT_LIMIT 10000 /* file.c keeps at most this many; stop formatting after */
#define NONE (-1)
#define NKEYS (16 * 128)
#define RMID_SEARCH 4096 /* bytes searched for a misplaced MThd in repair mode */

enum { TF_HOLES = 1, TF_UNSORTED = 2 };

typedef struct open_slot {
    int64_t offset;  /* byte offset of the note-on (for the unclosed-note report) */
    uint32_t track;  /* musc track holding the note */
    uint32_t note;   /* its index in that track's notes */
    int32_t next;    /* next open note of the same key, or NONE */
} open_slot;

typedef struct reader {
    const uint8_t *data; /* the whole input: offsets count from here */
    size_t size;
    int strict, overlap, flags;
    musc_report *report;
    size_t n_reported;
    musc_music *m;
    int format, smpte;

    /* state of the MIDI track being read */
    int midi_track;
    size_t first_track; /* its first musc track */
    int32_t cur[16];    /* musc track of (channel, current program), or NONE */
    uint8_t program[16];
    const uint8_t *name, *inst; /* first track / instrument name, not yet decoded */
    size_t name_len, inst_len;
    int64_t name_tick, inst_tick;

    unsigned ready; /* bit c: the rows of channel c below are initialised */
    int32_t group[16][128]; /* musc track per (channel, program) of this MIDI track */
    int32_t head[NKEYS], tail[NKEYS];
    open_slot *pool;
    size_t n_pool, cap_pool;
    int32_t free_slot;
    size_t n_open;
    size_t note_hint; /* notes the chunk can hold at most, for the first note track */

    uint8_t *tflags; /* TF_* per musc track */
    size_t cap_tflags;
    uint64_t *first_close; /* per musc track: sequence number of its first note end */
    size_t cap_first_close;
    uint64_t n_closed;
    int copyright_set;
} reader;

typedef struct track_end {
    const uint8_t *stop; /* first byte not consumed */
    int eot;             /* an end-of-track event was read */
    int cut;             /* the data ended inside an event */
    int64_t tick;        /* time of the last complete event */
} track_end;

#define OFF(p) ((size_t)((p) - r->data))

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static unsigned be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static musc_status nomem(void) { return musc_error(MUSC_ERR_NOMEM, "MIDI: out of memory"); }

/* Damage at byte `off`. Strict: MUSC_ERR_FORMAT. Repair: append to the
 * report (formatting only while the report still takes entries) and return
 * MUSC_OK so the caller applies its fix. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int violation(reader *r, int kind, size_t off, const char *fmt, ...)
{
    if (!r->strict && (!r->report || r->n_reported >= REPORT_LIMIT))
        return MUSC_OK;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->strict)
        return musc_error(MUSC_ERR_FORMAT, "MIDI byte %zu: %s", off, msg);
    r->n_reported++;
    return musc_report_add(r->report, kind, (int64_t)off, "%s", msg);
}

/* A repair that is made in both modes (an unclosed note is legal SMF). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int note_repair(reader *r, int kind, size_t off, const char *fmt, ...)
{
    if (!r->report || r->n_reported >= REPORT_LIMIT)
        return MUSC_OK;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->n_reported++;
    return musc_report_add(r->report, kind, (int64_t)off, "%s", msg);
}

/* Variable-length number starting at p. Returns the byte after it, or NULL
 * if the data ends first. More than 4 bytes is malformed: *overlong is set
 * and the value clamped to the 4-byte maximum. */
static const uint8_t *read_vlq(const uint8_t *p, const uint8_t *end, uint32_t *val, int *overlong)
{
    uint32_t v = 0;
    int n = 0;
    while (p < end) {
        unsigned c = *p++;
        if (n < 4)
            v = (v << 7) | (c & 0x7F);
        n++;
        if (!(c & 0x80)) {
            *overlong = n > 4;
            *val = n > 4 ? MAX_VLQ : v;
            return p;
        }
    }
    return NULL;
}

/* ---- text ------------------------------------------------------------------ */

static int utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned min;
        if ((c & 0xE0) == 0xC0) k = 1, c &= 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) k = 2, c &= 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) k = 3, c &= 0x07, min = 0x10000;
        else return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Meta text as a malloc'd UTF-8 string: it ends at the first NUL (some
 * writers pad with NULs); bytes that are not valid UTF-8 are read as
 * Latin-1, which is what most old files and mido assume. NULL if no memory. */
static char *text_dup(const uint8_t *s, size_t n)
{
    const uint8_t *z = memchr(s, 0, n);
    if (z)
        n = (size_t)(z - s);
    int ok = utf8_valid(s, n);
    char *d = malloc(ok ? n + 1 : 2 * n + 1);
    if (!d)
        return NULL;
    if (ok) {
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c < 0x80) {
            d[o++] = (char)c;
        } else {
            d[o++] = (char)(0xC0 | (c >> 6));
            d[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    d[o] = '\0';
    return d;
}

/* ---- tracks and notes --------------------------------------------------------- */

/* The tables below are set up per channel on its first event, so a file
 * that uses three channels does not pay for sixteen. */
static void init_channel(reader *r, unsigned ch)
{
    memset(r->group[ch], 0xFF, sizeof r->group[ch]);
    memset(r->head + (ch << 7), 0xFF, 128 * sizeof *r->head);
    memset(r->tail + (ch << 7), 0xFF, 128 * sizeof *r->tail);
    r->ready |= 1u << ch;
}

/* Create the musc track of (channel, current program) in this MIDI track. */
static int32_t make_group(reader *r, unsigned ch)
{
    unsigned prog = r->program[ch];
    int32_t g = r->group[ch][prog];
    if (g != NONE)
        return r->cur[ch] = g;
    musc_music *m = r->m;
    if (m->n_tracks >= INT32_MAX || MUSC_GROW(r->tflags, r->cap_tflags, m->n_tracks + 1) ||
        MUSC_GROW(r->first_close, r->cap_first_close, m->n_tracks + 1))
        return NONE;
    musc_track *t = musc_music_add_track(m, (int)prog, ch == 9, NULL);
    if (!t)
        return NONE;
    t->channel = (int)ch;
    g = (int32_t)(m->n_tracks - 1);
    r->tflags[g] = 0;
    r->first_close[g] = 0;
    r->group[ch][prog] = g;
    return r->cur[ch] = g;
}

static inline int32_t group_of(reader *r, unsigned ch)
{
    int32_t g = r->cur[ch];
    return g != NONE ? g : make_group(r, ch);
}

static int note_on(reader *r, unsigned ch, unsigned pitch, unsigned vel, int64_t tick,
                   const uint8_t *ev)
{
    int32_t g = group_of(r, ch);
    if (g == NONE)
        return nomem();
    musc_track *t = &r->m->tracks[g];
    if (!t->cap_notes && r->note_hint) {
        /* A note takes at least 6 bytes (two 3-byte events), so the chunk
         * size bounds the notes: sizing the first note track by it saves
         * the copies of growing it, and stays proportional to the input. */
        if (MUSC_GROW(t->notes, t->cap_notes, r->note_hint))
            return nomem();
        r->note_hint = 0;
    }
    if (t->n_notes >= UINT32_MAX || MUSC_GROW(t->notes, t->cap_notes, t->n_notes + 1))
        return nomem();
    size_t ni = t->n_notes++;
    t->notes[ni] = (musc_note){.time = tick, .duration = -1, .pitch = (int16_t)pitch,
                               .velocity = (int16_t)vel};
    int32_t s = r->free_slot;
    if (s != NONE) {
        r->free_slot = r->pool[s].next;
    } else {
        if (r->n_pool >= INT32_MAX || MUSC_GROW(r->pool, r->cap_pool, r->n_pool + 1))
            return nomem();
        s = (int32_t)r->n_pool++;
    }
    open_slot *o = &r->pool[s];
    o->offset = (int64_t)OFF(ev);
    o->track = (uint32_t)g;
    o->note = (uint32_t)ni;
    unsigned k = ch << 7 | pitch;
    if (r->head[k] == NONE) {
        o->next = NONE;
        r->head[k] = r->tail[k] = s;
    } else if (r->overlap == MUSC_OVERLAP_LIFO) {
        o->next = r->head[k];
        r->head[k] = s;
    } else {
        o->next = NONE;
        r->pool[r->tail[k]].next = s;
        r->tail[k] = s;
    }
    r->n_open++;
    return MUSC_OK;
}

/* End the open note in slot s at `tick`. It belongs to the group of the
 * program in force now: if that changed while it sounded, move it there. */
static int move_note(reader *r, uint32_t ti, musc_note *n, unsigned ch, int64_t tick)
{
    int32_t g = r->cur[ch];
    musc_note moved = *n;
    moved.duration = tick - moved.time;
    n->pitch = -1; /* a hole, compacted when the MIDI track ends */
    r->tflags[ti] |= TF_HOLES;
    if (g == NONE && (g = make_group(r, ch)) == NONE)
        return nomem();
    musc_track *t = &r->m->tracks[g];
    if (MUSC_GROW(t->notes, t->cap_notes, t->n_notes + 1))
        return nomem();
    t->notes[t->n_notes++] = moved;
    r->tflags[g] |= TF_UNSORTED;
    if (!r->first_close[g])
        r->first_close[g] = ++r->n_closed;
    return MUSC_OK;
}

static inline int close_slot(reader *r, int32_t s, unsigned ch, int64_t tick)
{
    uint32_t ti = r->pool[s].track;
    musc_note *n = &r->m->tracks[ti].notes[r->pool[s].note];
    if (r->cur[ch] != (int32_t)ti)
        return move_note(r, ti, n, ch, tick);
    n->duration = tick - n->time;
    if (!r->first_close[ti])
        r->first_close[ti] = ++r->n_closed;
    return MUSC_OK;
}

static inline void free_slot(reader *r, int32_t s)
{
    r->pool[s].next = r->free_slot;
    r->free_slot = s;
    r->n_open--;
}

static int note_off(reader *r, unsigned ch, unsigned pitch, int64_t tick)
{
    unsigned k = ch << 7 | pitch;
    int32_t s = r->head[k];
    if (s == NONE)
        return MUSC_OK; /* unmatched note-off: ignored */
    int all = r->overlap == MUSC_OVERLAP_CLOSE_ALL;
    do {
        int rc = close_slot(r, s, ch, tick);
        if (rc)
            return rc;
        int32_t next = r->pool[s].next;
        free_slot(r, s);
        s = next;
    } while (all && s != NONE);
    r->head[k] = s;
    if (s == NONE)
        r->tail[k] = NONE;
    return MUSC_OK;
}

/* ---- meta events ------------------------------------------------------------- */

static int add_raw(reader *r, int64_t tick, int type, const uint8_t *p, size_t len)
{
    return musc_music_add_raw_event(r->m, tick, type, p, len, r->midi_track) ? nomem()
                                                                               : MUSC_OK;
}

/* A known meta type with a fixed length. Returns MUSC_OK with *usable set when
 * the payload holds at least `need` bytes (a longer one is reported and its
 * head used), or an error in strict mode. */
static int meta_length(reader *r, const uint8_t *ev, const char *what, size_t len, size_t want,
                       size_t need, int *usable)
{
    *usable = len >= need;
    if (len == want)
        return MUSC_OK;
    return violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                     "%s event has %zu data bytes, expected %zu; %s", what, len, want,
                     *usable ? "extra bytes ignored" : "kept as a raw event");
}

static int text_to(reader *r, int64_t tick, int type, const uint8_t *p, size_t len)
{
    char *s = text_dup(p, len);
    if (!s)
        return nomem();
    musc_status rc;
    switch (type) {
    case 0x01: rc = musc_music_add_annotation(r->m, tick, MUSC_ANN_TEXT, s); break;
    case 0x05: rc = musc_music_add_lyric(r->m, tick, s); break;
    case 0x06: rc = musc_music_add_annotation(r->m, tick, MUSC_ANN_MARKER, s); break;
    case 0x07: rc = musc_music_add_annotation(r->m, tick, MUSC_ANN_CUE, s); break;
    default: /* 0x02 copyright */
        free(r->m->metadata.copyright);
        r->m->metadata.copyright = s;
        return MUSC_OK;
    }
    free(s);
    return rc;
}

static int meta_event(reader *r, unsigned type, const uint8_t *p, size_t len, int64_t tick,
                      const uint8_t *ev)
{
    int rc, ok;
    switch (type) {
    case 0x01: case 0x05: case 0x06: case 0x07:
        return text_to(r, tick, (int)type, p, len);
    case 0x02:
        if (r->copyright_set)
            return add_raw(r, tick, (int)type, p, len);
        r->copyright_set = 1;
        return text_to(r, tick, 0x02, p, len);
    case 0x03:
        if (r->name)
            return add_raw(r, tick, (int)type, p, len);
        r->name = p, r->name_len = len, r->name_tick = tick;
        return MUSC_OK;
    case 0x04:
        if (r->inst)
            return add_raw(r, tick, (int)type, p, len);
        r->inst = p, r->inst_len = len, r->inst_tick = tick;
        return MUSC_OK;
    case 0x51: {
        if ((rc = meta_length(r, ev, "tempo", len, 3, 3, &ok)))
            return rc;
        if (!ok || r->smpte) /* SMPTE time ignores tempo; keep it for writing back */
            return add_raw(r, tick, (int)type, p, len);
        uint32_t us = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        if (us == 0) {
            if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                "tempo of 0 microseconds per quarter; kept as a raw event")))
                return rc;
            return add_raw(r, tick, (int)type, p, len);
        }
        return musc_music_add_tempo(r->m, tick, 60e6 / us) ? nomem() : MUSC_OK;
    }
    case 0x58: {
        if ((rc = meta_length(r, ev, "time signature", len, 4, 2, &ok)))
            return rc;
        if (ok && p[0] >= 1 && p[1] <= 7)
            return musc_music_add_time_signature(r->m, tick, p[0], 1 << p[1]) ? nomem()
                                                                               : MUSC_OK;
        if (ok && (rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                  "time signature %u/2^%u out of range (numerator >= 1, "
                                  "denominator 2^0..2^7); kept as a raw event",
                                  p[0], p[1])))
            return rc;
        return add_raw(r, tick, (int)type, p, len);
    }
    case 0x59: {
        if ((rc = meta_length(r, ev, "key signature", len, 2, 2, &ok)))
            return rc;
        int sf = ok ? (int)(int8_t)p[0] : 0;
        if (ok && sf >= -7 && sf <= 7 && p[1] <= 1) {
            int mode = p[1] ? MUSC_MODE_MINOR : MUSC_MODE_MAJOR;
            int root = ((sf * 7) % 12 + 12 + (p[1] ? 9 : 0)) % 12;
            return musc_music_add_key_signature(r->m, tick, sf, mode, root) ? nomem()
                                                                             : MUSC_OK;
        }
        if (ok && (rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                  "key signature %d sharps, mode %u out of range (-7..7, 0..1); "
                                  "kept as a raw event",
                                  sf, p[1])))
            return rc;
        return add_raw(r, tick, (int)type, p, len);
    }
    default: /* 0x00, 0x08, 0x09, 0x20, 0x21, 0x54, 0x7F and unknown types */
        return add_raw(r, tick, (int)type, p, len);
    }
}

/* ---- events ------------------------------------------------------------------- */

/* The data ended inside the event starting at ev. */
static int cut(reader *r, track_end *te, const uint8_t *ev, int64_t last, const char *what)
{
    te->cut = 1;
    te->tick = last;
    te->stop = ev;
    return violation(r, MUSC_REPAIR_TRUNCATED, OFF(ev),
                     "track data ends inside an event (expected %s); event dropped", what);
}

/* Read events from p to end (a chunk's end, or the data's end when the chunk
 * length is not trusted), stopping after an end-of-track event. */
static int parse_events(reader *r, const uint8_t *p, const uint8_t *end, int64_t tick,
                        track_end *te)
{
    r->note_hint = (size_t)(end - p) / 6 + 1;
    unsigned status = 0; /* running status: kept across meta and sysex events */
    int rc;
    int64_t last = tick; /* time of the last complete event */
    te->eot = te->cut = 0;
    while (p < end) {
        const uint8_t *ev = p;
        uint32_t delta = *p++;
        if (delta & 0x80) {
            int overlong;
            if (!(p = read_vlq(ev, end, &delta, &overlong)))
                return cut(r, te, ev, last, "the rest of a delta time");
            if (overlong && (rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                            "delta time longer than 4 bytes; clamped to %u",
                                            MAX_VLQ)))
                return rc;
        }
        tick += delta;
        if (p >= end)
            return cut(r, te, ev, last, "an event after its delta time");
        unsigned b = *p;
        if (b >= 0xF0) {
            const uint8_t *sp = p++;
            if (b == 0xFF || b == 0xF0 || b == 0xF7) {
                unsigned type = 0;
                if (b == 0xFF) {
                    if (p >= end)
                        return cut(r, te, ev, last, "a meta event type");
                    type = *p++;
                }
                uint32_t len;
                int overlong;
                const uint8_t *q = read_vlq(p, end, &len, &overlong);
                if (!q)
                    return cut(r, te, ev, last, "an event length");
                if (overlong && (rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(p),
                                                "event length longer than 4 bytes")))
                    return rc;
                if (len > (size_t)(end - q))
                    return cut(r, te, ev, last, "the event's data");
                p = q + len;
                if (b != 0xFF) {
                    if ((rc = add_raw(r, tick, b == 0xF0 ? MUSC_RAW_SYSEX : MUSC_RAW_ESCAPE,
                                      q, len)))
                        return rc;
                } else if (type == 0x2F) {
                    if (len && (rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                               "end-of-track event has %u data bytes, "
                                               "expected 0",
                                               len)))
                        return rc;
                    te->eot = 1;
                    te->tick = tick;
                    te->stop = p;
                    return MUSC_OK;
                } else if (type >= 0x80) {
                    if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(sp) + 1,
                                        "meta event type 0x%02X, expected 0x00..0x7F; "
                                        "event skipped",
                                        type)))
                        return rc;
                } else if ((rc = meta_event(r, type, q, len, tick, ev))) {
                    return rc;
                }
            } else {
                /* System common and real-time messages have no place in a
                 * file; skip the status byte and its nominal data bytes. */
                if ((rc = violation(r, MUSC_REPAIR_BAD_STATUS, OFF(sp),
                                    "status byte 0x%02X is not allowed in a MIDI file; "
                                    "skipped",
                                    b)))
                    return rc;
                unsigned n = b == 0xF2 ? 2 : (b == 0xF1 || b == 0xF3) ? 1 : 0;
                while (n-- && p < end && *p < 0x80)
                    p++;
            }
            last = tick;
            continue;
        }
        if (b & 0x80) {
            status = b;
            p++;
        } else if (!status) {
            if ((rc = violation(r, MUSC_REPAIR_BAD_STATUS, OFF(p),
                                "data byte 0x%02X where a status byte was expected (no "
                                "running status yet); skipped",
                                b)))
                return rc;
            p++;
            last = tick;
            continue;
        }
        unsigned kind = status >> 4, ch = status & 15, d1, d2 = 0;
        if (!(r->ready >> ch & 1))
            init_channel(r, ch);
        if (kind == 0xC || kind == 0xD) {
            if (p >= end)
                return cut(r, te, ev, last, "a data byte");
            d1 = *p++;
        } else {
            if (end - p < 2)
                return cut(r, te, ev, last, "two data bytes");
            d1 = p[0];
            d2 = p[1];
            p += 2;
        }
        if ((d1 | d2) & 0x80) {
            if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(ev),
                                "data byte above 0x7F in a 0x%02X message; clamped to 127",
                                status)))
                return rc;
            d1 = d1 > 127 ? 127 : d1;
            d2 = d2 > 127 ? 127 : d2;
        }
        switch (kind) {
        case 0x8:
        case 0x9: /* a note-on with velocity 0 is a note-off */
            rc = kind == 0x9 && d2 ? note_on(r, ch, d1, d2, tick, ev) : note_off(r, ch, d1, tick);
            break;
        case 0xC:
            r->program[ch] = (uint8_t)d1;
            r->cur[ch] = r->group[ch][d1];
            rc = MUSC_OK;
            break;
        default: {
            int32_t g = group_of(r, ch);
            if (g == NONE)
                return nomem();
            musc_track *t = &r->m->tracks[g];
            if (kind == 0xB)
                rc = musc_track_add_control(t, tick, (int)d1, (int)d2);
            else if (kind == 0xE)
                rc = musc_track_add_pitch_bend(t, tick, (int)(d2 << 7 | d1) - 8192);
            else if (kind == 0xA)
                rc = musc_track_add_pressure(t, tick, (int)d1, (int)d2);
            else
                rc = musc_track_add_pressure(t, tick, -1, (int)d1);
        }
        }
        if (rc)
            return rc;
        last = tick;
    }
    te->tick = last;
    te->stop = p;
    return MUSC_OK;
}

/* ---- end of a MIDI track ------------------------------------------------------- */

#define NOTE_LESS(a, b)                                                                   \
    ((a).time != (b).time ? (a).time < (b).time                                           \
     : (a).pitch != (b).pitch ? (a).pitch < (b).pitch                                     \
     : (a).duration != (b).duration ? (a).duration < (b).duration                         \
                                    : (a).velocity < (b).velocity)

/* Notes arrive in onset order; sort each group of equal onsets (a chord) by
 * pitch with a bounded insertion sort. A group too large to sort this way is
 * left for musc_music_sort's merge sort, so hostile input stays O(n log n). */
static int order_chords(musc_note *a, size_t n)
{
    int unsorted = 0;
    for (size_t i = 1; i < n; i++) {
        if (!NOTE_LESS(a[i], a[i - 1]))
            continue;
        musc_note x = a[i];
        size_t j = i;
        while (j > 0 && NOTE_LESS(x, a[j - 1]) && i - j < 64) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
        unsorted |= j > 0 && NOTE_LESS(x, a[j - 1]);
    }
    return unsorted ? TF_UNSORTED : 0;
}

static void remove_holes(musc_track *t)
{
    size_t w = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].pitch >= 0)
            t->notes[w++] = t->notes[i];
    t->n_notes = w;
}

/* Move src's events of one list into dst. The stable sort that follows
 * keeps ties in array order, so the group made first goes first. */
#define MOVE_LIST(dst, src, field, src_first)                                             \
    do {                                                                                  \
        size_t nd = (dst)->n_##field, ns = (src)->n_##field, el = sizeof *(src)->field;  \
        if (ns) {                                                                         \
            if (MUSC_GROW((dst)->field, (dst)->cap_##field, nd + ns))                     \
                return nomem();                                                           \
            if (src_first) {                                                              \
                memmove((dst)->field + ns, (dst)->field, nd * el);                        \
                memcpy((dst)->field, (src)->field, ns * el);                              \
            } else {                                                                      \
                memcpy((dst)->field + nd, (src)->field, ns * el);                         \
            }                                                                             \
            (dst)->n_##field = nd + ns;                                                   \
            (src)->n_##field = 0;                                                         \
        }                                                                                 \
    } while (0)

static int set_names(reader *r, musc_track *t)
{
    if (r->name && !(t->name = text_dup(r->name, r->name_len)))
        return nomem();
    if (r->inst && !(t->instrument_name = text_dup(r->inst, r->inst_len)))
        return nomem();
    return MUSC_OK;
}

typedef struct track_key {
    uint64_t first_close; /* when its first note ended; UINT64_MAX without notes */
    size_t index;         /* creation order breaks ties */
    uint8_t flags;
} track_key;

static int cmp_track_key(const void *pa, const void *pb)
{
    const track_key *a = pa, *b = pb;
    if (a->first_close != b->first_close)
        return a->first_close < b->first_close ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* MusPy creates a track when its first note ends, so its tracks come in the
 * order of their first note-off. Match that: order this MIDI track's tracks
 * by the sequence number of their first note end (note-less tracks last). */
static int order_tracks(reader *r)
{
    musc_music *m = r->m;
    size_t first = r->first_track, n = m->n_tracks - first;
    if (n < 2)
        return MUSC_OK;
    track_key *k = malloc(n * sizeof *k);
    musc_track *tmp = malloc(n * sizeof *tmp);
    if (!k || !tmp) {
        free(k);
        free(tmp);
        return nomem();
    }
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t c = r->first_close[first + i];
        k[i] = (track_key){.first_close = c ? c : UINT64_MAX, .index = i,
                           .flags = r->tflags[first + i]};
        sorted &= i == 0 || cmp_track_key(&k[i - 1], &k[i]) < 0;
    }
    if (!sorted) {
        qsort(k, n, sizeof *k, cmp_track_key);
        memcpy(tmp, m->tracks + first, n * sizeof *tmp);
        for (size_t i = 0; i < n; i++) {
            m->tracks[first + i] = tmp[k[i].index];
            r->tflags[first + i] = k[i].flags;
        }
    }
    free(k);
    free(tmp);
    return MUSC_OK;
}

static int finish_midi_track(reader *r, int64_t end_tick)
{
    musc_music *m = r->m;
    int rc;
    /* notes still sounding end with the track */
    if (r->n_open) {
        for (unsigned k = 0; k < NKEYS; k++) {
            if (!(r->ready >> (k >> 7) & 1))
                continue;
            int32_t s;
            while ((s = r->head[k]) != NONE) {
                const musc_note *n = &m->tracks[r->pool[s].track].notes[r->pool[s].note];
                if ((rc = note_repair(r, MUSC_REPAIR_UNCLOSED_NOTE, (size_t)r->pool[s].offset,
                                      "note %d on channel %u (tick %lld) never ended; closed at "
                                      "tick %lld, the end of MIDI track %d",
                                      n->pitch, (k >> 7) + 1, (long long)n->time,
                                      (long long)end_tick, r->midi_track)) ||
                    (rc = close_slot(r, s, k >> 7, end_tick)))
                    return rc;
                r->head[k] = r->pool[s].next;
                free_slot(r, s);
            }
            r->tail[k] = NONE;
        }
    }
    for (size_t i = r->first_track; i < m->n_tracks; i++) {
        musc_track *t = &m->tracks[i];
        r->group[t->channel][t->program] = NONE;
        if (r->tflags[i] & TF_HOLES)
            remove_holes(t);
        if (!(r->tflags[i] & TF_UNSORTED))
            r->tflags[i] |= order_chords(t->notes, t->n_notes);
    }
    for (int c = 0; c < 16; c++)
        r->cur[c] = NONE, r->program[c] = 0;

    /* A group without notes (controls sent before the program change, say)
     * hands its events to the first group of its channel that has notes. */
    size_t with_notes[16]; /* first group of each channel that has notes */
    for (int c = 0; c < 16; c++)
        with_notes[c] = SIZE_MAX;
    for (size_t i = m->n_tracks; i-- > r->first_track;)
        if (m->tracks[i].n_notes)
            with_notes[m->tracks[i].channel] = i;
    for (size_t i = r->first_track; i < m->n_tracks; i++) {
        musc_track *t = &m->tracks[i];
        size_t j = with_notes[t->channel];
        if (t->n_notes || j == SIZE_MAX)
            continue;
        musc_track *to = &m->tracks[j];
        int first = i < j;
        r->tflags[j] |= TF_UNSORTED;
        MOVE_LIST(to, t, controls, first);
        MOVE_LIST(to, t, pitch_bends, first);
        MOVE_LIST(to, t, pressures, first);
    }
    size_t w = r->first_track;
    for (size_t i = r->first_track; i < m->n_tracks; i++) {
        musc_track *t = &m->tracks[i];
        if (!t->n_notes && ((r->flags & MUSC_MIDI_READ_DROP_NOTELESS) ||
                            !(t->n_controls || t->n_pitch_bends || t->n_pressures))) {
            musc_track_clear(t);
            continue;
        }
        if (w != i) {
            m->tracks[w] = *t;
            r->tflags[w] = r->tflags[i];
            r->first_close[w] = r->first_close[i];
            memset(t, 0, sizeof *t);
        }
        w++;
    }
    m->n_tracks = w;
    if ((rc = order_tracks(r)))
        return rc;

    for (size_t i = r->first_track; i < m->n_tracks; i++)
        if ((rc = set_names(r, &m->tracks[i])))
            return rc;
    int title = r->midi_track == 0 && r->format != 2 && r->name;
    if (title && !(m->metadata.title = text_dup(r->name, r->name_len)))
        return nomem();
    if (m->n_tracks == r->first_track) {
        /* nothing to hang the names on: keep them for writing back */
        if (r->name && !title && (rc = add_raw(r, r->name_tick, 0x03, r->name, r->name_len)))
            return rc;
        if (r->inst && (rc = add_raw(r, r->inst_tick, 0x04, r->inst, r->inst_len)))
            return rc;
    }
    r->name = r->inst = NULL;
    r->first_track = m->n_tracks;
    return MUSC_OK;
}

/* musc_music_sort() for the whole music, minus its scan of the tracks that
 * are known to be in order already (almost all: notes are appended in onset
 * order and chords sorted above), which would cost as much as the sort pass
 * above. The sort works in place, so sorting shallow copies of the track
 * structs sorts the tracks' own arrays. */
static void sort_music(reader *r)
{
    musc_music *m = r->m, view = *m;
    size_t n = 0;
    for (size_t i = 0; i < m->n_tracks; i++)
        n += (r->tflags[i] & TF_UNSORTED) != 0;
    view.tracks = n ? malloc(n * sizeof *view.tracks) : NULL;
    if (n && !view.tracks) {
        musc_music_sort(m);
        return;
    }
    view.n_tracks = view.cap_tracks = 0;
    for (size_t i = 0; i < m->n_tracks; i++)
        if (r->tflags[i] & TF_UNSORTED)
            view.tracks[view.n_tracks++] = m->tracks[i];
    musc_music_sort(&view);
    free(view.tracks);
}

/* ---- chunks ------------------------------------------------------------------- */

static int is_chunk_id(const uint8_t *p, const uint8_t *end)
{
    if (end - p < 4)
        return 0;
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return 0;
    return 1;
}

static int is_mtrk(const uint8_t *p, const uint8_t *end)
{
    return end - p >= 4 && memcmp(p, "MTrk", 4) == 0;
}

/* One MTrk chunk at `chunk` (8-byte header inside the data). Sets *next to
 * where the next chunk starts and *end_tick to the track's last time. */
static int read_track(reader *r, const uint8_t *chunk, const uint8_t *fend, int64_t tick0,
                      const uint8_t **next, int64_t *end_tick)
{
    const uint8_t *body = chunk + 8;
    uint32_t len = be32(chunk + 4);
    size_t avail = (size_t)(fend - body);
    const uint8_t *dend = len <= avail ? body + len : NULL; /* declared end, if inside */
    track_end te;
    int rc;

    if (r->strict) {
        if (!dend)
            return violation(r, MUSC_REPAIR_TRUNCATED, OFF(chunk),
                             "track chunk claims %u bytes but only %zu remain", len, avail);
        if ((rc = parse_events(r, body, dend, tick0, &te)))
            return rc;
        if (!te.eot)
            return violation(r, MUSC_REPAIR_MISSING_EOT, OFF(dend),
                             "track chunk ends without an end-of-track event");
        if (te.stop != dend)
            return violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(te.stop),
                             "end-of-track event %zu bytes before the end of its chunk",
                             (size_t)(dend - te.stop));
        *next = dend;
        *end_tick = te.tick;
        return MUSC_OK;
    }

    /* Repair: trust the length when it lands on the data's end or on what
     * looks like the next chunk; otherwise read to the end-of-track event. */
    int trust = dend && ((size_t)(fend - dend) < 8 || is_chunk_id(dend, fend));
    const uint8_t *end = dend;
    if (!trust) { /* read up to the end-of-track, but never into the next track */
        end = memmem(body, (size_t)(fend - body), "MTrk", 4);
        if (!end)
            end = fend;
    }
    if ((rc = parse_events(r, body, end, tick0, &te)))
        return rc;
    *end_tick = te.tick;
    if (te.eot) {
        if (trust && te.stop != dend) {
            if (is_mtrk(te.stop, fend)) {
                *next = te.stop;
                return violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(chunk + 4),
                                 "track chunk length %u is %zu bytes too long; the next "
                                 "track starts right after end-of-track",
                                 len, (size_t)(dend - te.stop));
            }
            *next = dend;
            return violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(te.stop),
                             "%zu bytes after end-of-track inside the chunk ignored",
                             (size_t)(dend - te.stop));
        }
        *next = te.stop;
        if (!trust && te.stop != dend) /* (equal: right length, junk after it) */
            return violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(chunk + 4),
                             "track chunk length %u disagrees with its data (%zu bytes up to "
                             "end-of-track); the data wins",
                             len, (size_t)(te.stop - body));
        return MUSC_OK;
    }
    *next = end;
    if (te.cut)
        return MUSC_OK; /* already reported as truncated */
    if (!dend)
        return violation(r, MUSC_REPAIR_TRUNCATED, OFF(chunk),
                         "track chunk claims %u bytes but only %zu remain; read what is there",
                         len, avail);
    return violation(r, MUSC_REPAIR_MISSING_EOT, OFF(te.stop),
                     "track ends without an end-of-track event; ended at tick %lld",
                     (long long)te.tick);
}

/* The header: format, track count, division -> resolution. */
static int read_header(reader *r, const uint8_t *h, const uint8_t *fend, const uint8_t **next,
                       unsigned *ntracks, int *resolution)
{
    int rc;
    if (fend - h < 14)
        return musc_error(MUSC_ERR_FORMAT,
                          "MIDI byte %zu: header chunk needs 14 bytes, the data has %zu",
                          OFF(h), (size_t)(fend - h));
    uint32_t hl = be32(h + 4);
    const uint8_t *after = h + 8 + 6;
    if (hl < 6) {
        if ((rc = violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(h + 4),
                            "header length %u, expected 6; read as 6", hl)))
            return rc;
    } else if (hl > 6) {
        /* longer headers are allowed (future fields are skipped), unless the
         * length runs past the data or misses the first track */
        size_t avail = (size_t)(fend - h - 8);
        if (hl <= avail && (r->strict || is_chunk_id(h + 8 + hl, fend) ||
                            (size_t)(fend - (h + 8 + hl)) < 8 || !is_mtrk(after, fend)))
            after = h + 8 + hl;
        else if ((rc = violation(r, MUSC_REPAIR_CHUNK_LENGTH, OFF(h + 4),
                                 "header length %u does not fit the data; read as 6", hl)))
            return rc;
    }
    r->format = (int)be16(h + 8);
    *ntracks = be16(h + 10);
    unsigned div = be16(h + 12);
    if (r->format > 2) {
        if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(h + 8),
                            "MIDI format %d, expected 0, 1 or 2; read as format 1", r->format)))
            return rc;
        r->format = 1;
    }
    if (r->format == 0 && *ntracks != 1 &&
        (rc = violation(r, MUSC_REPAIR_TRACK_COUNT, OFF(h + 10),
                        "format 0 file declares %u tracks, expected 1", *ntracks)))
        return rc;
    if (div & 0x8000) {
        int fps = -(int)(int8_t)(div >> 8), tpf = (int)(div & 0xFF);
        if ((fps != 24 && fps != 25 && fps != 29 && fps != 30) || tpf == 0) {
            if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(h + 12),
                                "SMPTE division %d frames/s x %d ticks/frame, expected 24, 25, "
                                "29 or 30 frames and >= 1 tick; used as %d x %d",
                                fps, tpf, fps, tpf ? tpf : 1)))
                return rc;
            if (!tpf)
                tpf = 1;
        }
        r->smpte = 1;
        *resolution = (fps == 29 ? 30 : fps) * tpf;
    } else if (div == 0) {
        if ((rc = violation(r, MUSC_REPAIR_BAD_DATA, OFF(h + 12),
                            "division of 0 ticks per quarter; read as 480")))
            return rc;
        *resolution = 480;
    } else {
        *resolution = (int)div;
    }
    *next = after;
    return MUSC_OK;
}

/* Find the SMF inside a RIFF "RMID" wrapper: the payload of its "data" chunk. */
static int unwrap_rmid(reader *r, const uint8_t **start, const uint8_t **fend)
{
    const uint8_t *p = *start + 12, *end = *fend;
    while (end - p >= 8) {
        uint32_t len = le32(p + 4);
        size_t avail = (size_t)(end - p - 8);
        if (memcmp(p, "data", 4) == 0) {
            if (len > avail) {
                int rc = violation(r, MUSC_REPAIR_TRUNCATED, OFF(p),
                                   "RMID data chunk claims %u bytes but only %zu remain", len,
                                   avail);
                if (rc)
                    return rc;
                len = (uint32_t)avail;
            }
            *start = p + 8;
            *fend = p + 8 + len;
            return MUSC_OK;
        }
        size_t step = (size_t)len + (len & 1); /* RIFF chunks are padded to even length */
        if (step > avail)
            break;
        p += 8 + step;
    }
    return musc_error(MUSC_ERR_FORMAT, "MIDI byte %zu: RIFF RMID file has no \"data\" chunk",
                      OFF(p < end ? p : end));
}

static int read_smf(reader *r)
{
    const uint8_t *start = r->data, *fend = r->data + r->size;
    int rc;
    if (r->size >= 12 && memcmp(start, "RIFF", 4) == 0 && memcmp(start + 8, "RMID", 4) == 0 &&
        (rc = unwrap_rmid(r, &start, &fend)))
        return rc;
    if ((size_t)(fend - start) < 4 || memcmp(start, "MThd", 4) != 0) {
        /* a few tools prepend junk (MacBinary headers, say) */
        const uint8_t *h = NULL;
        if (!r->strict && fend - start > 4) {
            size_t n = (size_t)(fend - start);
            h = memmem(start, n < RMID_SEARCH ? n : RMID_SEARCH, "MThd", 4);
        }
        if (!h)
            return musc_error(MUSC_ERR_FORMAT,
                              "MIDI byte %zu: not a MIDI file (expected \"MThd\")", OFF(start));
        if ((rc = violation(r, MUSC_REPAIR_OTHER, OFF(start),
                            "%zu bytes before the MThd header skipped", (size_t)(h - start))))
            return rc;
        start = h;
    }
    const uint8_t *p = NULL;
    unsigned ntracks = 0;
    int resolution = 0;
    if ((rc = read_header(r, start, fend, &p, &ntracks, &resolution)))
        return rc;
    if (!(r->m = musc_music_new(resolution)))
        return MUSC_ERR_NOMEM;
    musc_music *m = r->m;
    if (musc_set_string(&m->metadata.source_format, "midi"))
        return MUSC_ERR_NOMEM;
    if (r->smpte && musc_music_add_tempo(m, 0, 60.0))
        return nomem();

    int64_t tick0 = 0;
    unsigned n_mtrk = 0;
    while (p < fend) {
        if (fend - p < 8) {
            if ((rc = violation(r, MUSC_REPAIR_TRUNCATED, OFF(p),
                                "%zu bytes at the end are too short for a chunk; ignored",
                                (size_t)(fend - p))))
                return rc;
            break;
        }
        if (is_mtrk(p, fend)) {
            if (n_mtrk == MAX_MIDI_TRACKS) {
                if ((rc = violation(r, MUSC_REPAIR_TRACK_COUNT, OFF(p),
                                    "more than %d track chunks; the rest ignored",
                                    MAX_MIDI_TRACKS)))
                    return rc;
                break;
            }
            int64_t end_tick = tick0;
            r->midi_track = (int)n_mtrk++;
            if ((rc = read_track(r, p, fend, tick0, &p, &end_tick)) ||
                (rc = finish_midi_track(r, end_tick)))
                return rc;
            if (r->format == 2) /* independent patterns play one after another */
                tick0 = end_tick;
            continue;
        }
        uint32_t len = be32(p + 4);
        size_t avail = (size_t)(fend - p - 8);
        if (!r->strict && !is_chunk_id(p, fend)) {
            /* lost between chunks: resynchronise on the next track */
            const uint8_t *t = memmem(p, (size_t)(fend - p), "MTrk", 4);
            if ((rc = violation(r, MUSC_REPAIR_OTHER, OFF(p),
                                "%zu bytes of garbage between chunks skipped",
                                (size_t)((t ? t : fend) - p))))
                return rc;
            p = t ? t : fend;
            continue;
        }
        if (len > avail) {
            /* repair: maybe a wrong length landed us in track data; look on */
            const uint8_t *t = r->strict ? NULL : memmem(p + 4, (size_t)(fend - p - 4), "MTrk", 4);
            if ((rc = violation(r, MUSC_REPAIR_TRUNCATED, OFF(p),
                                "chunk \"%.4s\" claims %u bytes but only %zu remain; %s",
                                (const char *)p, len, avail,
                                t ? "skipped to the next track" : "ignored")))
                return rc;
            if (!t)
                break;
            p = t;
            continue;
        }
        p += 8 + (size_t)len; /* unknown chunk: skipped, as the standard asks */
    }
    if (n_mtrk != ntracks &&
        (rc = violation(r, MUSC_REPAIR_TRACK_COUNT, OFF(start + 10),
                        "header declares %u tracks, the file holds %u", ntracks, n_mtrk)))
        return rc;
    sort_music(r);
    return MUSC_OK;
}

musc_status musc_midi_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                               musc_music **out, musc_report *report)
{
    if (!out)
        return musc_error(MUSC_ERR_ARG, "MIDI: out is NULL");
    *out = NULL;
    if (!data && size)
        return musc_error(MUSC_ERR_ARG, "MIDI: data is NULL");
    if (size > MAX_INPUT)
        return musc_error(MUSC_ERR_NOMEM, "MIDI: %zu bytes is over the %zu-byte input limit",
                          size, MAX_INPUT);
    musc_read_options def = musc_read_options_default();
    if (!options)
        options = &def;
    if (options->overlap < MUSC_OVERLAP_FIFO || options->overlap > MUSC_OVERLAP_CLOSE_ALL)
        return musc_error(MUSC_ERR_ARG, "MIDI: unknown overlap policy %d", (int)options->overlap);
    reader *r = malloc(sizeof *r);
    if (!r)
        return nomem();
    memset(r, 0, offsetof(reader, group)); /* the tables after it: init_channel() */
    r->pool = NULL, r->n_pool = r->cap_pool = 0, r->free_slot = NONE, r->n_open = 0;
    r->tflags = NULL, r->cap_tflags = 0, r->copyright_set = 0;
    r->first_close = NULL, r->cap_first_close = 0, r->n_closed = 0;
    r->data = data ? data : (const uint8_t *)"";
    r->size = size;
    r->strict = options->strict;
    r->overlap = options->overlap;
    r->flags = options->flags;
    r->report = report;
    for (int c = 0; c < 16; c++)
        r->cur[c] = NONE;
    int rc = read_smf(r);
    if (rc) {
        musc_music_free(r->m);
        if (rc == MUSC_ERR_NOMEM)
            nomem();
    } else {
        *out = r->m;
    }
    free(r->pool);
    free(r->tflags);
    free(r->first_close);
    free(r);
    return rc;
}

musc_status musc_midi_read(const char *path, const musc_read_options *options, musc_music **out,
                           musc_report *report)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return musc_error(MUSC_ERR_ARG, "MIDI: path or out is NULL");
    uint8_t *data;
    size_t size;
    int rc = musc_file_read_all(path, 0, &data, &size);
    if (rc)
        return rc;
    rc = musc_midi_read_mem(data, size, options, out, report);
    free(data);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        return musc_error(rc, "%s: %s", path, msg);
    }
    const char *base = strrchr(path, '/');
    if (musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path)) {
        musc_music_free(*out);
        *out = NULL;
        return MUSC_ERR_NOMEM;
    }
    return MUSC_OK;
}
