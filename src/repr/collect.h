/*
 * Helpers shared by the representations (internal, not installed): gathering
 * every note of every track in MusPy's order, and building the one-track
 * music a MusPy-style decoder returns.
 */
#ifndef MUSC_REPR_COLLECT_H
#define MUSC_REPR_COLLECT_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

/* All notes of all tracks (drums included, as MusPy does), sorted by (time,
 * pitch, duration, velocity). *out is malloc'd (NULL when there are no
 * notes); the caller frees it. MUSC_ERR_NOMEM on failure. */
musc_status musc_repr_collect_notes(const musc_music *music, musc_note **out, size_t *n);

/* Sort notes by (time, pitch, duration, velocity). */
void musc_repr_sort_notes(musc_note *notes, size_t n);

/* A new music at `resolution` with one empty track (program, is_drum).
 * Returns NULL when out of memory (message set); *track points at it. */
musc_music *musc_repr_new_single_track(int resolution, int program, int is_drum,
                                       musc_track **track);

/* Check the decode fields every MusPy-style options struct shares. */
musc_status musc_repr_check_decode(const char *who, int resolution, int program,
                                   int default_velocity);

#endif
