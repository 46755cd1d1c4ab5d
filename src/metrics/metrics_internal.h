/*
 * What the metric families share: the notes of a piece gathered into one
 * array and put in onset order once (a radix sort, so a whole corpus runs at
 * thousands of files per second), and time grids of beats or measures,
 * uniform (MusPy) or from the time signatures.
 */
#ifndef MUSC_METRICS_INTERNAL_H
#define MUSC_METRICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "musc/metrics.h"

typedef struct mnote {
    int64_t start, end;
    int16_t pitch;
    uint8_t drum;
    uint32_t track;
} mnote;

/* All notes of a piece: notes[order[k]] runs in onset order (ties keep track
 * order, then stored order); by_track[tstart[t] .. tstart[t+1]) lists track
 * t's notes in onset order. */
typedef struct mnotes {
    mnote *notes;
    uint32_t *order;
    uint32_t *by_track;
    size_t *tstart; /* n_tracks + 1 */
    size_t n, n_tracks;
    int64_t length; /* MusPy's song length */
    int resolution;
} mnotes;

/* Gather and sort. MUSC_ERR_NOMEM or MUSC_ERR_RANGE (over 2^32 notes). */
musc_status mnotes_build(const musc_music *music, mnotes *out);
void mnotes_free(mnotes *m);

/* MusPy's song length: the latest track end time (notes, chords, lyrics,
 * annotations, control changes), 0 without tracks. */
int64_t metrics_song_length(const musc_music *music);

/* Sort n unsigned keys ascending (LSD radix, bytes that never vary are
 * skipped); tmp holds n keys. Only bits from `first_bit` (a multiple of 8)
 * up take part: keys equal there keep their order (stable). */
void metrics_radix_sort(uint64_t *keys, size_t n, uint64_t *tmp, int first_bit);

/* A partition of [0, ...) into units (beats or measures): uniform steps of
 * `step` ticks, or, when step == 0, bounds[0..n] (bounds[0] = 0; unit i is
 * [bounds[i], bounds[i+1])). n units in all. */
typedef struct mgrid {
    int64_t step;
    int64_t *bounds;
    size_t n;
} mgrid;

static inline size_t mgrid_unit(const mgrid *g, int64_t t)
{
    if (g->step > 0) {
        int64_t u = t / g->step;
        return (size_t)u < g->n ? (size_t)u : g->n - 1;
    }
    size_t lo = 0, hi = g->n; /* largest i < n with bounds[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->bounds[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The unit of t, searching forward from unit `hint` (a unit at or before
 * t's): cheap for times met in order, as notes sorted by onset are. */
static inline size_t mgrid_unit_from(const mgrid *g, int64_t t, size_t hint)
{
    if (g->step > 0)
        return mgrid_unit(g, t);
    size_t i = hint < g->n ? hint : g->n - 1;
    if (g->bounds[i] > t)
        return mgrid_unit(g, t);
    for (int k = 0; k < 8; k++) {
        if (i + 1 >= g->n || g->bounds[i + 1] > t)
            return i;
        i++;
    }
    return mgrid_unit(g, t);
}

static inline int64_t mgrid_start(const mgrid *g, size_t i)
{
    return g->step > 0 ? (int64_t)i * g->step : g->bounds[i];
}

static inline int64_t mgrid_len(const mgrid *g, size_t i)
{
    return g->step > 0 ? g->step : g->bounds[i + 1] - g->bounds[i];
}

/* Units from the time signatures (beats, or bars when `bars`) covering
 * [0, last]: every unit that starts at or before `last`. 0 on success, -1
 * when out of memory or more than `limit` units (g is then empty). */
int mgrid_from_meter(const musc_music *music, int64_t last, int bars, size_t limit, mgrid *g);

/* rhythm.c */
double metrics_empty_unit_rate(const mnotes *m, const mgrid *g);
double metrics_groove(const mnotes *m, const mgrid *g, uint64_t *scratch);
double metrics_drum_rate(const mnotes *m, int kind); /* 0 duple, 1 triple, 2 sixteenths */

/* polyphony.c: statistics of the binary piano roll of a note list */
typedef struct roll_stats {
    int64_t cells;       /* active (step, pitch) cells */
    int64_t steps_any;   /* steps with >= 1 active pitch */
    int64_t steps_over;  /* steps with more than the threshold */
    int64_t pitch_ticks[128];
} roll_stats;

/* idx[0..n) index m->notes in onset order; drum notes are skipped. scratch
 * holds 3 * n keys. */
void metrics_roll(const mnotes *m, const uint32_t *idx, size_t n, int threshold,
                  roll_stats *rs, uint64_t *scratch);

/* pitch.c */
int metrics_scale_has(int root, int mode, int pitch_class);
double metrics_entropy(const int64_t *counts, int n);
void metrics_pitch_family(const musc_music *music, int root, int mode, musc_metrics *out);

/* musegan.c */
musc_status metrics_musegan(const musc_music *music, const mnotes *m,
                            const musc_metrics_options *o, musc_metrics *out);

#endif
