/*
 * Processing a music in place: resolution changes, quantization, transposition,
 * velocity clipping, trimming and merging.
 *
 * All functions edit `music` in place and keep it valid. On error the music
 * is left unchanged unless stated otherwise.
 */
#ifndef MUSC_PROCESS_H
#define MUSC_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum musc_rounding {
    MUSC_ROUND_NEAREST_EVEN = 0, /* halves to even, as Python's round() / MusPy */
    MUSC_ROUND_NEAREST_UP = 1,   /* halves away from zero */
    MUSC_ROUND_FLOOR = 2,
    MUSC_ROUND_CEIL = 3
} musc_rounding;

/* Change the resolution to `resolution` ticks per quarter, mapping every time
 * t to round(t * new / old). A note's start and end are mapped separately
 * (as MusPy) and its duration is end - start, except that a note that had a
 * positive duration never shrinks to zero: it keeps at least one tick.
 * Errors: MUSC_ERR_ARG for resolution < 1. */
musc_status musc_adjust_resolution(musc_music *music, int resolution, musc_rounding rounding);

/* Snap note starts (and, when `snap_ends`, note ends) to multiples of `grid`
 * ticks with `rounding`; a positive duration stays >= grid when ends are
 * snapped. Other timed events are snapped too. MUSC_ERR_ARG for grid < 1. */
musc_status musc_quantize(musc_music *music, int64_t grid, int snap_ends, musc_rounding rounding);

/* Transpose pitched tracks by `semitones` (drum tracks untouched). A pitch
 * leaving 0..127 is an error (MUSC_ERR_RANGE, music unchanged) unless
 * `drop_out_of_range`, which removes such notes. Key signatures follow. */
musc_status musc_transpose(musc_music *music, int semitones, int drop_out_of_range);

/* Clip velocities of notes and chords into [lower, upper] (0 <= lower <=
 * upper <= 127, else MUSC_ERR_ARG). */
musc_status musc_clip_velocity(musc_music *music, int lower, int upper);

/* Keep only [start, end): objects starting before `start` or at/after `end`
 * are dropped, notes crossing `end` are shortened to end there, notes
 * crossing `start` are dropped (MusPy drops them too); times then shift by
 * -start. The tempo, key and time signature in force at `start` are kept at
 * time 0. end < 0 means the end time. MUSC_ERR_ARG if start < 0 or end < start. */
musc_status musc_trim(musc_music *music, int64_t start, int64_t end);

/* Merge tracks: indices[0..n) are appended into the first of them (notes,
 * controls, everything) and the others removed; the result is re-sorted.
 * MUSC_ERR_ARG for bad or repeated indices. */
musc_status musc_merge_tracks(musc_music *music, const size_t *indices, size_t n);

#ifdef __cplusplus
}
#endif
#endif
