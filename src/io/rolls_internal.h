/*
 * Shared between the piano-roll list reader and the JSON reader, which
 * hands such files over to it.
 */
#ifndef MUSC_IO_ROLLS_INTERNAL_H
#define MUSC_IO_ROLLS_INTERNAL_H

/* Steps per quarter note that a file name suggests ("16th" 4, "8th" 2,
 * "quarter" 1, case-insensitive), 0 when it says nothing. */
int musc_rolls_grid_of_name(const char *path);

#endif
