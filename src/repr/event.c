/*
 * MusPy's event-based representation (MIDI-like performance events):
 * note-on, note-off, time-shift and velocity codes in one stream. The
 * encoder builds (time, code) pairs note by note, sorts them stably by time
 * and walks them, emitting time shifts between distinct times; the decoder
 * replays the stream with a clock and a table of sounding notes per pitch.
 */
#include "musc/repr.h"

#include <stdlib.h>
#include <string.h>

#include "collect.h"

musc_event_options musc_event_options_default(void)
{
    musc_event_options o = {0};
    o.use_single_note_off_event = 0;
    o.use_end_of_sequence_event = 0;
    o.encode_velocity = 0;
    o.force_velocity_event = 1;
    o.max_time_shift = 100;
    o.velocity_bins = 32;
    o.resolution = MUSC_DEFAULT_RESOLUTION;
    o.program = 0;
    o.is_drum = 0;
    o.default_velocity = MUSC_DEFAULT_VELOCITY;
    o.duplicate_note_mode = MUSC_OVERLAP_FIFO;
    return o;
}

/* Code offsets of one configuration. */
typedef struct layout {
    int32_t note_off, time_shift, velocity, eos, vocab;
} layout;

static layout make_layout(const musc_event_options *o)
{
    layout l;
    l.note_off = 128;
    l.time_shift = o->use_single_note_off_event ? 129 : 256;
    l.velocity = l.time_shift + o->max_time_shift;
    l.eos = l.velocity + o->velocity_bins;
    l.vocab = l.eos + (o->use_end_of_sequence_event ? 1 : 0);
    return l;
}

static musc_status check_options(const char *who, const musc_event_options *o)
{
    if (o->max_time_shift < 1 || o->max_time_shift > (1 << 24))
        return musc_error(MUSC_ERR_ARG, "%s: max_time_shift = %d, expected 1..%d", who,
                          o->max_time_shift, 1 << 24);
    if (o->velocity_bins < 1 || o->velocity_bins > 128)
        return musc_error(MUSC_ERR_ARG, "%s: velocity_bins = %d, expected 1..128", who,
                          o->velocity_bins);
    return MUSC_OK;
}

size_t musc_event_vocab_size(const musc_event_options *options)
{
    musc_event_options o = options ? *options : musc_event_options_default();
    if (check_options("event vocab", &o))
        return 0;
    return (size_t)make_layout(&o).vocab;
}

typedef struct timed_code {
    int64_t time;
    size_t seq; /* generation order: makes the sort stable */
    int32_t code;
} timed_code;

static int cmp_timed(const void *pa, const void *pb)
{
    const timed_code *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void add_event(timed_code *ev, size_t *ne, int64_t time, int32_t code)
{
    ev[*ne] = (timed_code){time, *ne, code};
    (*ne)++;
}

musc_status musc_event_encode(const musc_music *music, const musc_event_options *options,
                              int32_t **tokens, size_t *n)
{
    musc_event_options o = options ? *options : musc_event_options_default();
    *tokens = NULL;
    *n = 0;
    if (!music)
        return musc_error(MUSC_ERR_ARG, "event encode: music is NULL");
    musc_status st = check_options("event encode", &o);
    if (st)
        return st;
    layout l = make_layout(&o);

    musc_note *notes;
    size_t nn;
    st = musc_repr_collect_notes(music, &notes, &nn);
    if (st)
        return st;
    timed_code *ev = NULL;
    if (nn) {
        if (nn > SIZE_MAX / 3 / sizeof *ev || !(ev = malloc(3 * nn * sizeof *ev))) {
            free(notes);
            return musc_error(MUSC_ERR_NOMEM, "event encode: out of memory for %zu notes", nn);
        }
    }
    size_t ne = 0;
    int32_t last_bin = -1;
    for (size_t i = 0; i < nn; i++) {
        const musc_note *nt = &notes[i];
        if (nt->time < 0 || nt->duration < 0 || nt->duration > INT64_MAX - nt->time ||
            nt->pitch < 0 || nt->pitch > 127 || nt->velocity < 0 || nt->velocity > 127) {
            free(notes);
            free(ev);
            return musc_error(MUSC_ERR_RANGE,
                              "event encode: invalid note (time %lld, duration %lld, pitch %d, "
                              "velocity %d)",
                              (long long)nt->time, (long long)nt->duration, nt->pitch,
                              nt->velocity);
        }
        if (o.encode_velocity) {
            int32_t bin = nt->velocity * o.velocity_bins / 128;
            if (o.force_velocity_event || bin != last_bin)
                add_event(ev, &ne, nt->time, l.velocity + bin);
            last_bin = bin;
        }
        add_event(ev, &ne, nt->time, nt->pitch);
        add_event(ev, &ne, nt->time + nt->duration,
                  o.use_single_note_off_event ? l.note_off : l.note_off + nt->pitch);
    }
    free(notes);
    if (ne > 1)
        qsort(ev, ne, sizeof *ev, cmp_timed);

    /* count first: time shifts of a sparse piece can outnumber its notes */
    size_t total = ne + (o.use_end_of_sequence_event ? 1 : 0);
    if (total > MUSC_REPR_MAX_TOKENS) {
        free(ev);
        return musc_error(MUSC_ERR_RANGE, "event encode: more than %zu codes",
                          MUSC_REPR_MAX_TOKENS);
    }
    int64_t cursor = 0;
    for (size_t i = 0; i < ne; i++) {
        if (ev[i].time > cursor) {
            uint64_t gap = (uint64_t)(ev[i].time - cursor);
            uint64_t k = gap / (uint64_t)o.max_time_shift + (gap % (uint64_t)o.max_time_shift != 0);
            if (k > MUSC_REPR_MAX_TOKENS - total) {
                free(ev);
                return musc_error(MUSC_ERR_RANGE, "event encode: more than %zu codes",
                                  MUSC_REPR_MAX_TOKENS);
            }
            total += (size_t)k;
            cursor = ev[i].time;
        }
    }
    int32_t *out = NULL;
    if (total && !(out = malloc(total * sizeof *out))) {
        free(ev);
        return musc_error(MUSC_ERR_NOMEM, "event encode: out of memory for %zu events", total);
    }
    size_t k = 0;
    cursor = 0;
    for (size_t i = 0; i < ne; i++) {
        if (ev[i].time > cursor) {
            int64_t gap = ev[i].time - cursor;
            for (int64_t d = gap / o.max_time_shift; d > 0; d--)
                out[k++] = l.time_shift + o.max_time_shift - 1;
            if (gap % o.max_time_shift)
                out[k++] = l.time_shift + (int32_t)(gap % o.max_time_shift) - 1;
            cursor = ev[i].time;
        }
        out[k++] = ev[i].code;
    }
    if (o.use_end_of_sequence_event)
        out[k++] = l.eos;
    free(ev);
    *tokens = out;
    *n = k;
    return MUSC_OK;
}

/* Sounding notes of one pitch, oldest first. */
typedef struct open_list {
    musc_note *notes;
    size_t n, cap;
} open_list;

static int push_open(open_list *ol, musc_note nt)
{
    if (ol->n == ol->cap) {
        size_t cap = ol->cap ? ol->cap * 2 : 4;
        musc_note *p = realloc(ol->notes, cap * sizeof *p);
        if (!p)
            return -1;
        ol->notes = p;
        ol->cap = cap;
    }
    ol->notes[ol->n++] = nt;
    return 0;
}

static int close_note(musc_track *t, musc_note nt, int64_t time)
{
    return musc_track_add_note(t, nt.time, time - nt.time, nt.pitch, nt.velocity) ? -1 : 0;
}

musc_status musc_event_decode(const int32_t *tokens, size_t n,
                              const musc_event_options *options, musc_music **out)
{
    musc_event_options o = options ? *options : musc_event_options_default();
    *out = NULL;
    musc_status st = check_options("event decode", &o);
    if (!st)
        st = musc_repr_check_decode("event decode", o.resolution, o.program, o.default_velocity);
    if (st)
        return st;
    if (o.duplicate_note_mode != MUSC_OVERLAP_FIFO && o.duplicate_note_mode != MUSC_OVERLAP_LIFO &&
        o.duplicate_note_mode != MUSC_OVERLAP_CLOSE_ALL)
        return musc_error(MUSC_ERR_ARG, "event decode: duplicate_note_mode = %d, expected 0..2",
                          o.duplicate_note_mode);
    if (n && !tokens)
        return musc_error(MUSC_ERR_ARG, "event decode: tokens is NULL");
    layout l = make_layout(&o);
    musc_track *track;
    musc_music *m = musc_repr_new_single_track(o.resolution, o.program, o.is_drum, &track);
    if (!m)
        return MUSC_ERR_NOMEM;
    open_list open[128];
    memset(open, 0, sizeof open);
    int64_t time = 0;
    int velocity = o.default_velocity;
    int fail = 0;
    for (size_t i = 0; i < n && !fail; i++) {
        int32_t c = tokens[i];
        if (c < 0 || c >= l.vocab)
            continue;
        if (o.use_end_of_sequence_event && c == l.eos)
            break;
        if (c < l.note_off) {
            musc_note nt = {time, 0, (int16_t)c, (int16_t)velocity};
            fail = push_open(&open[c], nt);
        } else if (c < l.time_shift) {
            if (o.use_single_note_off_event) {
                /* close every sounding note, pitch by pitch as MusPy does */
                for (int p = 0; p < 128 && !fail; p++) {
                    for (size_t j = 0; j < open[p].n && !fail; j++)
                        fail = close_note(track, open[p].notes[j], time);
                    open[p].n = 0;
                }
                continue;
            }
            open_list *ol = &open[c - l.note_off];
            if (!ol->n)
                continue;
            if (o.duplicate_note_mode == MUSC_OVERLAP_FIFO) {
                fail = close_note(track, ol->notes[0], time);
                memmove(ol->notes, ol->notes + 1, (ol->n - 1) * sizeof *ol->notes);
                ol->n--;
            } else if (o.duplicate_note_mode == MUSC_OVERLAP_LIFO) {
                fail = close_note(track, ol->notes[ol->n - 1], time);
                ol->n--;
            } else {
                for (size_t j = 0; j < ol->n && !fail; j++)
                    fail = close_note(track, ol->notes[j], time);
                ol->n = 0;
            }
        } else if (c < l.velocity) {
            int64_t shift = c - l.time_shift + 1;
            if (time > INT64_MAX - shift)
                break; /* the clock cannot advance further; stop like at the end */
            time += shift;
        } else if (c < l.eos) {
            /* in floating point, as MusPy computes it */
            velocity = (int)((c - l.velocity) * (128.0 / o.velocity_bins));
            if (velocity > 127)
                velocity = 127;
        }
    }
    for (int p = 0; p < 128; p++)
        free(open[p].notes);
    if (fail) {
        musc_music_free(m);
        return musc_error(MUSC_ERR_NOMEM, "event decode: out of memory");
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}
