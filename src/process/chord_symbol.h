/*
 * Transposing chord-symbol text ("Am7", "F#m7b5/C#", "B♭maj7") as found in
 * MUSC_ANN_CHORD annotations, so that a transposed lead sheet keeps
 * matching harmony.
 */
#ifndef MUSC_PROCESS_CHORD_SYMBOL_H
#define MUSC_PROCESS_CHORD_SYMBOL_H

#include <stdint.h>

/* How to spell a moved root: by the key in force (fifths < 0: flats, > 0:
 * sharps) or, with no such key, the usual lead-sheet names. */
typedef enum { MUSC_SPELL_USUAL = 0, MUSC_SPELL_SHARPS = 1, MUSC_SPELL_FLATS = 2 } musc_spelling;

/* Transpose the root and an optional "/bass" of a chord symbol by
 * `semitones`, keeping the rest of the text. On success returns 0 with *out
 * a malloc'd new text, or NULL when `text` does not start with a note name
 * (it is then left as it is). Returns -1 when out of memory. */
int musc_chord_symbol_transpose(const char *text, int64_t semitones, musc_spelling spelling,
                                char **out);

#endif
