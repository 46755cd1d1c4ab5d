/*
 * Trimming a music to the window [start, end) and moving it to time 0.
 *
 * Objects are kept when their time lies in the window; notes and chords
 * crossing `end` are shortened to end there, while those starting before
 * `start` are dropped rather than cut (a cut note would sound like a new
 * attack). State that a listener hears at `start` although it was set
 * earlier is carried to `start` instead of being dropped: the tempo, key
 * and time signature in force, the latest value of each controller (volume,
 * pan, sustain pedal...), the latest pitch bend, and raw events (system
 * exclusive set-up messages, sequencer meta events), which are kept in order.
 */
#include "musc/process.h"

#include <inttypes.h>
#include <stdlib.h>

typedef struct window {
    int64_t start, end; /* end < 0: no upper limit */
} window;

static int before_end(const window *w, int64_t t) { return w->end < 0 || t < w->end; }

static int inside(const window *w, int64_t t) { return t >= w->start && before_end(w, t); }

/* Index of the element in force at w->start among those before it (the
 * latest time; the last stored on ties), or SIZE_MAX when one at w->start
 * itself takes over or none came before. Elements start with int64_t time. */
#define IN_FORCE(arr, n, w, out)                                                       \
    do {                                                                               \
        (out) = SIZE_MAX;                                                              \
        int at_start_ = 0;                                                             \
        for (size_t i_ = 0; i_ < (n); i_++) {                                          \
            if ((arr)[i_].time == (w)->start)                                          \
                at_start_ = 1;                                                         \
            else if ((arr)[i_].time < (w)->start &&                                   \
                     ((out) == SIZE_MAX || (arr)[i_].time >= (arr)[(out)].time))       \
                (out) = i_;                                                            \
        }                                                                              \
        if (at_start_)                                                                 \
            (out) = SIZE_MAX;                                                          \
    } while (0)

/* Keep the in-force element (moved to start) and those inside the window. */
#define TRIM_STATEFUL(arr, n, w)                                                       \
    do {                                                                               \
        size_t keep_, k_ = 0;                                                          \
        IN_FORCE(arr, n, w, keep_);                                                    \
        for (size_t i_ = 0; i_ < (n); i_++) {                                          \
            if (i_ == keep_)                                                           \
                (arr)[i_].time = (w)->start;                                           \
            else if (!inside(w, (arr)[i_].time))                                       \
                continue;                                                              \
            (arr)[k_++] = (arr)[i_];                                                   \
        }                                                                              \
        (n) = k_;                                                                      \
    } while (0)

/* Keep the elements inside the window; `drop` frees what a dropped one owns. */
#define TRIM_POINTS(arr, n, w, drop)                                                   \
    do {                                                                               \
        size_t k_ = 0;                                                                 \
        for (size_t i_ = 0; i_ < (n); i_++) {                                          \
            if (!inside(w, (arr)[i_].time)) {                                          \
                drop;                                                                  \
                continue;                                                              \
            }                                                                          \
            (arr)[k_++] = (arr)[i_];                                                   \
        }                                                                              \
        (n) = k_;                                                                      \
    } while (0)

/* Notes and chords: like TRIM_POINTS, and an end past w->end is cut there. */
#define TRIM_SPANS(arr, n, w, drop)                                                    \
    do {                                                                               \
        size_t k_ = 0;                                                                 \
        for (size_t i_ = 0; i_ < (n); i_++) {                                          \
            if (!inside(w, (arr)[i_].time)) {                                          \
                drop;                                                                  \
                continue;                                                              \
            }                                                                          \
            if ((w)->end >= 0 && (arr)[i_].duration > (w)->end - (arr)[i_].time)       \
                (arr)[i_].duration = (w)->end - (arr)[i_].time;                        \
            (arr)[k_++] = (arr)[i_];                                                   \
        }                                                                              \
        (n) = k_;                                                                      \
    } while (0)

#define SHIFT(arr, n, by)                                                              \
    for (size_t i_ = 0; i_ < (n); i_++)                                                \
    (arr)[i_].time -= (by)

/* Controls: the latest value of each controller number before start is
 * carried to start, unless the same controller is set again at start. */
static void trim_controls(musc_track *t, const window *w)
{
    size_t last[256];
    unsigned char at_start[256] = {0};
    for (size_t c = 0; c < 256; c++)
        last[c] = SIZE_MAX;
    for (size_t i = 0; i < t->n_controls; i++) {
        const musc_control *c = &t->controls[i];
        if (c->time == w->start)
            at_start[c->number] = 1;
        else if (c->time < w->start &&
                 (last[c->number] == SIZE_MAX || c->time >= t->controls[last[c->number]].time))
            last[c->number] = i;
    }
    size_t k = 0;
    for (size_t i = 0; i < t->n_controls; i++) {
        musc_control c = t->controls[i];
        if (c.time < w->start && last[c.number] == i && !at_start[c.number])
            c.time = w->start;
        else if (!inside(w, c.time))
            continue;
        t->controls[k++] = c;
    }
    t->n_controls = k;
}

static void trim_track(musc_track *t, const window *w)
{
    TRIM_SPANS(t->notes, t->n_notes, w, (void)0);
    TRIM_SPANS(t->chords, t->n_chords, w, free(t->chords[i_].pitches));
    TRIM_POINTS(t->lyrics, t->n_lyrics, w, free(t->lyrics[i_].text));
    TRIM_POINTS(t->annotations, t->n_annotations, w, free(t->annotations[i_].text));
    trim_controls(t, w);
    TRIM_STATEFUL(t->pitch_bends, t->n_pitch_bends, w);
    TRIM_POINTS(t->pressures, t->n_pressures, w, (void)0);
    TRIM_SPANS(t->hairpins, t->n_hairpins, w, (void)0);
    SHIFT(t->notes, t->n_notes, w->start);
    SHIFT(t->chords, t->n_chords, w->start);
    SHIFT(t->lyrics, t->n_lyrics, w->start);
    SHIFT(t->annotations, t->n_annotations, w->start);
    SHIFT(t->controls, t->n_controls, w->start);
    SHIFT(t->pitch_bends, t->n_pitch_bends, w->start);
    SHIFT(t->pressures, t->n_pressures, w->start);
    SHIFT(t->hairpins, t->n_hairpins, w->start);
}

/* Raw events before start are set-up state: kept, moved to start. */
static void trim_raw_events(musc_music *m, const window *w)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n_raw_events; i++) {
        musc_raw_event r = m->raw_events[i];
        if (r.time < w->start) {
            r.time = w->start;
        } else if (!before_end(w, r.time)) {
            free(r.data);
            continue;
        }
        m->raw_events[k++] = r;
    }
    m->n_raw_events = k;
}

musc_status musc_trim(musc_music *music, int64_t start, int64_t end)
{
    if (!music)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    if (start < 0)
        return musc_error(MUSC_ERR_ARG, "trim start = %" PRId64 ", expected >= 0", start);
    if (end >= 0 && end < start)
        return musc_error(MUSC_ERR_ARG, "trim end = %" PRId64 " is before start = %" PRId64,
                          end, start);
    window w = {start, end < 0 ? -1 : end};
    musc_music *m = music;
    TRIM_STATEFUL(m->tempos, m->n_tempos, &w);
    TRIM_STATEFUL(m->key_signatures, m->n_key_signatures, &w);
    TRIM_STATEFUL(m->time_signatures, m->n_time_signatures, &w);
    TRIM_POINTS(m->lyrics, m->n_lyrics, &w, free(m->lyrics[i_].text));
    TRIM_POINTS(m->annotations, m->n_annotations, &w, free(m->annotations[i_].text));
    trim_raw_events(m, &w);
    for (size_t ti = 0; ti < m->n_tracks; ti++)
        trim_track(&m->tracks[ti], &w);
    SHIFT(m->tempos, m->n_tempos, start);
    SHIFT(m->key_signatures, m->n_key_signatures, start);
    SHIFT(m->time_signatures, m->n_time_signatures, start);
    SHIFT(m->lyrics, m->n_lyrics, start);
    SHIFT(m->annotations, m->n_annotations, start);
    SHIFT(m->raw_events, m->n_raw_events, start);
    return MUSC_OK;
}
