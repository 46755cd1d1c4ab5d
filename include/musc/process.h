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
 * positive duration never shrinks to zero: it keeps at least one tick
 * (MusPy lets it become 0). Chords likewise; every other timed object
 * (lyrics, annotations, controls, pitch bends, pressures, tempos, key and
 * time signatures, raw events) is mapped as a point. The arithmetic is exact
 * for all int64 times (MusPy multiplies by a float factor; the two agree for
 * the usual resolutions). Errors: MUSC_ERR_ARG for resolution < 1 or an
 * unknown rounding, MUSC_ERR_INVALID if music->resolution < 1, MUSC_ERR_RANGE
 * if a mapped time would overflow int64 (music unchanged). */
musc_status musc_adjust_resolution(musc_music *music, int resolution, musc_rounding rounding);

/* Snap note starts (and, when `snap_ends`, note ends) to multiples of `grid`
 * ticks with `rounding`; a positive duration stays >= grid when ends are
 * snapped, and without snap_ends a note keeps its duration (it moves as a
 * whole). Chords likewise; other timed events are snapped too. Errors:
 * MUSC_ERR_ARG for grid outside 1..INT32_MAX or an unknown rounding,
 * MUSC_ERR_RANGE if a snapped time would overflow int64 (music unchanged). */
musc_status musc_quantize(musc_music *music, int64_t grid, int snap_ends, musc_rounding rounding);

/* Transpose pitched tracks by `semitones` (drum tracks untouched): notes,
 * chord pitches and polyphonic key pressures move; pitch bends and channel
 * pressure stay. A pitch leaving 0..127 is an error (MUSC_ERR_RANGE naming
 * it, music unchanged) unless `drop_out_of_range`, which removes such notes
 * and key pressures, and such pitches from chords (a chord left with none is
 * removed). Key signatures follow (MusPy leaves them): root + semitones mod
 * 12, and fifths + 7 * semitones spelled with the fewest accidentals, 0..5
 * sharps or 1..5 flats; six keep the original's side (sharps from 0), and a
 * shift by whole octaves leaves the key as it was. Chord symbols
 * (MUSC_ANN_CHORD annotations of the music and of pitched tracks, e.g.
 * "F#m7b5/C#") follow too: root and bass move, respelled with sharps or
 * flats after the key then in force, the rest of the text kept; text that
 * does not start with a note name is left alone. MUSC_ERR_NOMEM leaves the
 * music unchanged. */
musc_status musc_transpose(musc_music *music, int semitones, int drop_out_of_range);

/* Clip velocities of notes and chords into [lower, upper], drum tracks
 * included, as MusPy's clip() (0 <= lower <= upper <= 127, else MUSC_ERR_ARG
 * and the music unchanged). */
musc_status musc_clip_velocity(musc_music *music, int lower, int upper);

/* Keep only [start, end): objects starting before `start` or at/after `end`
 * are dropped, notes and chords crossing `end` are shortened to end there,
 * those crossing `start` are dropped (not cut: a cut note would be a new
 * attack); times then shift by -start. State in force at `start` is kept at
 * time 0: the tempo, key and time signature, the latest value of each
 * controller number and the latest pitch bend of each track (unless one is
 * set again exactly at `start`), and all raw events before `start` (set-up
 * messages such as a GM reset). end < 0 means no upper limit (so objects at
 * the end time stay; MusPy's trim(end) is musc_trim(m, 0, end)).
 * MUSC_ERR_ARG if start < 0 or 0 <= end < start. */
musc_status musc_trim(musc_music *music, int64_t start, int64_t end);

/* Merge tracks: indices[0..n) are appended into the first of them (notes,
 * controls, everything) and the others removed; the merged track is then
 * sorted with musc_track_sort (stable, so on equal keys the listed order
 * wins). It keeps its own program, drum flag, channel and names. Other
 * tracks keep their relative order. n == 1 is a no-op. MUSC_ERR_ARG for
 * n == 0 or bad or repeated indices, MUSC_ERR_NOMEM (music unchanged). */
musc_status musc_merge_tracks(musc_music *music, const size_t *indices, size_t n);

#ifdef __cplusplus
}
#endif
#endif
