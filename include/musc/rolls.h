/*
 * Piano-roll lists in JSON (reading only): the layout of Boulanger-
 * Lewandowski et al. (ICML 2012) and Coconet (Huang et al., ISMIR 2017)
 * used for the JSB chorales:
 *
 *   {"train": [piece, ...], "valid": [...], "test": [...]}
 *
 * A piece is a list of time steps on a fixed grid; a step is the list of
 * MIDI pitches sounding then ([] is silence). Integral reals (60.0) are
 * accepted as pitches. A top-level list of pieces (no split) is read too.
 *
 * Two kinds of step, chosen per file:
 *  - chords (Boulanger-Lewandowski): a step is a set of pitches; the same
 *    pitch on consecutive steps is one held note (the layout cannot tell a
 *    held note from a repeated one). One track per piece.
 *  - voices (Coconet's Jsb16thSeparated): every step has the same number
 *    of entries, one per voice, -1 when that voice is silent; a voice
 *    keeping its pitch over consecutive steps is one note. One track per
 *    voice; four voices are named Soprano, Alto, Tenor, Bass in that order.
 *  A file is read as voices when every step has the same length (at least
 *  2) and some entry is -1, else as chords; MUSC_ROLLS_VOICES or
 *  MUSC_ROLLS_CHORDS in musc_read_options.flags force one.
 *
 * The grid: MUSC_ROLLS_STEPS_PER_QUARTER(n) in the flags sets it (1..255);
 * without it the readers that take a path use the file name ("16th" 4,
 * "8th" 2, "quarter" 1, case-insensitive) and otherwise, like the _mem
 * readers, one step per quarter note. The music's resolution is the
 * number of steps per quarter, so each step is one tick. Tracks have
 * program 0, velocity 64; no tempo, meter or key (the layout has none).
 * Each piece's title is "<split> <k>" (1-based within its split: "test 3").
 *
 * Errors are MUSC_ERR_FORMAT naming the element ("train[3][17][2]: expected
 * a MIDI pitch 0..127, got 200") or the line and column of a JSON syntax
 * error. Limits: 2^24 steps and 2^20 pieces per file, 1024 entries per step.
 */
#ifndef MUSC_ROLLS_H
#define MUSC_ROLLS_H

#include <stddef.h>
#include <stdint.h>

#include "musc/abc.h" /* musc_music_list_free */
#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_ROLLS_VOICES 0x1 /* musc_read_options.flags: steps are voices (-1 silent) */
#define MUSC_ROLLS_CHORDS 0x2 /* musc_read_options.flags: steps are sets of pitches */
#define MUSC_ROLLS_STEPS_PER_QUARTER(n) (((n) & 0xff) << 8) /* grid, 1..255 steps per quarter */

/* Split codes, the same numbers as the dataset's MUSC_SPLIT_* (dataset.h). */
enum { MUSC_ROLLS_TRAIN = 0, MUSC_ROLLS_VALID = 1, MUSC_ROLLS_TEST = 2, MUSC_ROLLS_NO_SPLIT = -1 };

/* Nonzero when JSON text (already decompressed) is laid out as piano-roll
 * lists: an object whose first key is "train", "valid" or "test", or a
 * list whose first element is a list of lists. Looks only at the start. */
int musc_rolls_detect(const uint8_t *data, size_t size);

/* Read every piece. *pieces is a malloc'd array of *n musics (free with
 * musc_music_list_free, abc.h); *splits (if splits is not NULL) a malloc'd
 * array of *n split codes (MUSC_ROLLS_TRAIN.. or MUSC_ROLLS_NO_SPLIT for a
 * top-level list or another key), which the caller frees. Pieces come in
 * file order. Errors: MUSC_ERR_FORMAT, MUSC_ERR_NOMEM. */
musc_status musc_rolls_read_book_mem(const uint8_t *data, size_t size,
                                     const musc_read_options *options, musc_music ***pieces,
                                     int **splits, size_t *n, musc_report *report);

/* Read one piece: options->index is its 0-based position in file order (-1
 * or NULL options: the first). MUSC_ERR_NOTFOUND when there is no such
 * piece; otherwise as musc_rolls_read_book_mem. */
musc_status musc_rolls_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                                musc_music **out, musc_report *report);

/* The same from a file (gzip-compressed too); the grid may come from the
 * file name (above). Errors also MUSC_ERR_IO; messages name the path. */
musc_status musc_rolls_read_book(const char *path, const musc_read_options *options,
                                 musc_music ***pieces, int **splits, size_t *n,
                                 musc_report *report);
musc_status musc_rolls_read(const char *path, const musc_read_options *options, musc_music **out,
                            musc_report *report);

#ifdef __cplusplus
}
#endif
#endif
