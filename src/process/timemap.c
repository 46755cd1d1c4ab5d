/*
 * The walk behind musc_map_times. It runs twice: a dry pass that only checks
 * that every mapped time fits, then the pass that writes. Checking first is
 * what lets a failed resolution change or quantization leave the music as it
 * was without copying it.
 */
#include "timemap.h"

#include <inttypes.h>

typedef struct walk {
    const struct musc_time_map *map;
    int write;
} walk;

static musc_status overflow(const char *what, size_t ti, size_t i, int64_t t)
{
    if (ti == SIZE_MAX)
        return musc_error(MUSC_ERR_RANGE, "%s[%zu].time = %" PRId64 " overflows when mapped",
                          what, i, t);
    return musc_error(MUSC_ERR_RANGE, "tracks[%zu].%s[%zu] at time %" PRId64
                      " overflows when mapped", ti, what, i, t);
}

/* Map a point time in place (or only check it on the dry pass). */
static int point(const walk *w, int64_t *t)
{
    int64_t v;
    if (w->map->point(w->map, *t, &v))
        return -1;
    if (w->write)
        *t = v;
    return 0;
}

/* Map an interval [*t, *t + *d) by the rule described in timemap.h. */
static int interval(const walk *w, int64_t *t, int64_t *d)
{
    const struct musc_time_map *map = w->map;
    int64_t t2, d2 = *d;
    if (map->point(map, *t, &t2))
        return -1;
    if (map->map_ends && *d > 0) {
        int64_t e2;
        if (*t > INT64_MAX - *d || map->point(map, *t + *d, &e2))
            return -1;
        d2 = e2 - t2;
        if (d2 < map->min_duration)
            d2 = map->min_duration;
    } else if (map->map_ends && *d < 0) {
        d2 = 0; /* invalid input; never produce a negative length */
    }
    if (d2 > 0 && t2 > INT64_MAX - d2)
        return -1;
    if (w->write) {
        *t = t2;
        *d = d2;
    }
    return 0;
}

#define POINTS(arr, n, what, ti)                                  \
    for (size_t i = 0; i < (n); i++)                              \
        if (point(w, &(arr)[i].time))                             \
            return overflow(what, ti, i, (arr)[i].time)

static musc_status walk_music(musc_music *m, const walk *w)
{
    POINTS(m->tempos, m->n_tempos, "tempos", SIZE_MAX);
    POINTS(m->key_signatures, m->n_key_signatures, "key_signatures", SIZE_MAX);
    POINTS(m->time_signatures, m->n_time_signatures, "time_signatures", SIZE_MAX);
    POINTS(m->lyrics, m->n_lyrics, "lyrics", SIZE_MAX);
    POINTS(m->annotations, m->n_annotations, "annotations", SIZE_MAX);
    POINTS(m->raw_events, m->n_raw_events, "raw_events", SIZE_MAX);
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        musc_track *t = &m->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++)
            if (interval(w, &t->notes[i].time, &t->notes[i].duration))
                return overflow("notes", ti, i, t->notes[i].time);
        for (size_t i = 0; i < t->n_chords; i++)
            if (interval(w, &t->chords[i].time, &t->chords[i].duration))
                return overflow("chords", ti, i, t->chords[i].time);
        POINTS(t->lyrics, t->n_lyrics, "lyrics", ti);
        POINTS(t->annotations, t->n_annotations, "annotations", ti);
        POINTS(t->controls, t->n_controls, "controls", ti);
        POINTS(t->pitch_bends, t->n_pitch_bends, "pitch_bends", ti);
        POINTS(t->pressures, t->n_pressures, "pressures", ti);
        for (size_t i = 0; i < t->n_hairpins; i++)
            if (interval(w, &t->hairpins[i].time, &t->hairpins[i].duration))
                return overflow("hairpins", ti, i, t->hairpins[i].time);
    }
    return MUSC_OK;
}

musc_status musc_map_times(musc_music *music, const struct musc_time_map *map)
{
    walk w = {map, 0};
    musc_status rc = walk_music(music, &w);
    if (rc)
        return rc;
    w.write = 1;
    return walk_music(music, &w);
}
