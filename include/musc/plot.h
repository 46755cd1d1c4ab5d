/*
 * Piano-roll pictures (PNG or SVG, drawn with cairo).
 *
 * A multitrack piano roll: time runs left to right, pitch bottom to top with
 * note names on the axis (black-key rows shaded); each track has its own
 * colour, named in a legend by its General MIDI instrument (and track name).
 * Drum tracks are drawn in a lane of their own below the pitched roll, one
 * row per drum key used, each hit a short mark at its onset. Thin lines mark
 * beats and darker ones bars, both from the time signatures (4/4 if none,
 * as musc_music_beats), with bar numbers underneath.
 */
#ifndef MUSC_PLOT_H
#define MUSC_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct musc_plot_options {
    int width, height;     /* picture size in pixels (SVG: points); 0 = 1600 x 900;
                              each 200..20000 (height from 120), 64 Mpixel at most */
    double beat_start;     /* first quarter-note beat shown (0 = the start) */
    double beat_end;       /* last beat shown (exclusive); <= beat_start = the end */
    const int *tracks;     /* indices of the tracks to draw, NULL = every track */
    size_t n_tracks;
    const char *title;     /* drawn at the top; NULL = the music's title, if any */
    int overwrite;         /* nonzero: replace an existing file */
} musc_plot_options;

/* Defaults: 1600 x 900, whole piece, every track, no overwrite. */
musc_plot_options musc_plot_options_default(void);

/* Draw `music` as a piano roll into `path`: PNG for .png, SVG for .svg
 * (case-insensitive). The file is written atomically. `options` may be NULL.
 * Errors: MUSC_ERR_ARG (bad size, unknown extension, track index out of
 * range), MUSC_ERR_EXISTS (file exists and !overwrite), MUSC_ERR_IO,
 * MUSC_ERR_NOMEM, MUSC_ERR_RANGE (absurd end time). */
musc_status musc_plot_pianoroll(const musc_music *music, const musc_plot_options *options,
                                const char *path);

/* Where musc_plot_pianoroll puts the centre of (time in ticks, pitch) for a
 * pitched track, in pixels from the top-left corner; for a drum key pass
 * drum = 1 (the centre of the key's row in the drum lane at that time).
 * Returns MUSC_OK, or MUSC_ERR_NOTFOUND when that pitch or key has no row
 * in the picture (outside the drawn range), MUSC_ERR_ARG as above. */
musc_status musc_plot_locate(const musc_music *music, const musc_plot_options *options,
                             int64_t time, int pitch, int drum, double *x, double *y);

/* The colour of the k-th drawn track (0-based among those drawn), as RGB
 * components in 0..1. */
void musc_plot_track_color(size_t k, double rgb[3]);

#ifdef __cplusplus
}
#endif
#endif
