/*
 * Moving every timed object of a music through one time map. Resolution
 * changes and quantization differ only in the map, so the walk over the
 * object model (and the rule for note and chord ends) lives here once.
 */
#ifndef MUSC_PROCESS_TIMEMAP_H
#define MUSC_PROCESS_TIMEMAP_H

#include <stdint.h>

#include "musc/music.h"

struct musc_time_map {
    /* Map one time; return 0, or -1 if the result does not fit int64. */
    int (*point)(const struct musc_time_map *map, int64_t t, int64_t *out);
    /* Nonzero: a note's end is mapped on its own and the duration becomes
     * end' - start'. Zero: the note moves and keeps its duration. */
    int map_ends;
    /* With map_ends, a positive duration never becomes shorter than this. */
    int64_t min_duration;
    /* Parameters for `point`. */
    int64_t num, den;
    int rounding;
};

/* Apply `map` to every timed object (notes, chords, lyrics, annotations,
 * controls, pitch bends, pressures, tempos, key and time signatures, raw
 * events). All results are computed before anything is written, so on
 * MUSC_ERR_RANGE (a time would overflow int64) the music is unchanged. */
musc_status musc_map_times(musc_music *music, const struct musc_time_map *map);

#endif
