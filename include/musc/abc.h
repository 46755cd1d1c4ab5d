/*
 * ABC notation (abcnotation.com, standard 2.1) in and out.
 *
 * Reading a tune book: a file may hold many tunes, each starting with an
 * "X:" line and ending at a blank line or the next "X:". Fields before the
 * first X: (a file header) are defaults for every tune.
 *
 * Rules musc follows when reading (each chosen to agree with abc2midi):
 *  - Header fields X T C O M L Q K P V are read; K: ends the header. In the
 *    body, field lines (K: M: L: Q: P: V:) and inline fields [K:...] etc.
 *    change the state from that point on. W: (words after the tune) is
 *    skipped. w: lines become track lyrics: their syllables go to the notes
 *    (rests and grace notes excepted) of the music line above (joined by
 *    backslash continuations), one each, at the note's time in every pass
 *    of a repeat; several w: lines under one music line are verses (verse
 *    0, 1, ...). Spaces and "-" separate syllables, "_" holds the previous
 *    syllable over a note and "*" skips one, "|" moves on to the next bar,
 *    "~" joins words (shown as a space) and "\-" is a literal hyphen.
 *  - Pitch: C is middle C (MIDI 60), c is 72, each ' raises and each ,
 *    lowers an octave. Accidentals ^ ^^ _ __ = override the key and carry
 *    to later notes of the same letter in any octave until the bar line, as
 *    abc2midi does; "%%propagate-accidentals pitch" limits that to the same
 *    octave (ABC 2.1's rule) and "not" turns it off.
 *  - Key: root A-G with # or b, mode maj/ion, min/m/aeo, dor, phr, lyd,
 *    mix, loc (first three letters, any case), then explicit accidentals
 *    (K:D =c ^g). K:none and K:HP have no sharps or flats. Modes other than
 *    major and minor are stored with mode MUSC_MODE_NONE and their root.
 *  - Lengths: L: sets the unit (default 1/8, or 1/16 when the meter is below
 *    3/4); A2 A/2 A/ A// A3/2 multiply it. Broken rhythm > < >> << >>> <<<
 *    gives 3:1, 7:1, 15:1. Tuplets (p:q:r with ABC's default q (3 for p in
 *    {2,4,8}, else 2, except 3 for p in {5,7,9} in compound meters).
 *  - Chords [CEG]: notes keep their own lengths; the chord advances time by
 *    its first note's length. Ties (-) merge a note with the next note of
 *    the same pitch that starts where it ends (also across bars).
 *  - Rests z and x advance time; Z (multi-measure rest) advances whole bars.
 *  - Repeats |: :| :: and endings [1 |1 :|2 [1,3 [1-2 are expanded into
 *    playing order (two passes unless the endings ask for more); a :| with
 *    no |: repeats from the start of the tune or part. A header "P:" order
 *    (e.g. P:AABA or P:A2B, with parentheses) replays the body's P: parts.
 *  - Voices V: become one track each (in order of appearance), each with
 *    its own time, named by name="..." or else the voice id; meters, keys
 *    and tempos are taken from the first voice that has them. Within a
 *    voice, "%%MIDI program N" sets the track's program (0-based, as
 *    abc2midi) and "%%MIDI channel 10" makes it a drum track.
 *  - Grace notes {...} are skipped (they take no time, as abc2midi with
 *    -NGRA). Decorations (. ~ H-W, !...!, +...+) and slurs are accepted and
 *    ignored, except !ppp!..!fff! which set the velocity (pp 45, p 60, mp 75,
 *    mf 90 (default 80 before any), f 105, ff 120, fff 127), and hairpins.
 *  - Hairpins: !crescendo(! or !<(! starts a crescendo on the voice's track,
 *    !crescendo)! or !<)! ends it; !diminuendo(! !>(! and !diminuendo)!
 *    !>)! likewise. Each mark takes the time where it stands: a start the
 *    onset of the note it precedes, an end (which ABC 2.1 places after the
 *    hairpin's last note) the end of that note, i.e. the onset of the note
 *    or rest it precedes. They are paired per kind in playing order, so a
 *    hairpin inside a repeat is played on each pass; a start while one of
 *    its kind is open ends that one there (crescendo and diminuendo may
 *    overlap), a start never ended runs to the end of the tune (the latest
 *    end of any voice), an end with none open is ignored. Inside [chords]
 *    they are ignored.
 *  - Guitar chords "Am7" become MUSC_ANN_CHORD annotations on the track at
 *    the time of the next note; other quoted text ("^text") becomes a text
 *    annotation. With MUSC_ABC_CHORD_TRACK in musc_read_options.flags, the
 *    chord symbols are also rendered as a track of block chords (program
 *    0, octave below middle C, each held until the next symbol).
 *  - Time: computed exactly as fractions; resolution is the least common
 *    multiple of 24 (MusPy's default) and every denominator (in quarter
 *    notes), so every onset and length is an exact tick. Tempo: Q:1/4=120, Q:3/8=60, Q:120 (in L units).
 *  - Unknown characters are skipped and reported (line and column) in
 *    repair mode; in strict mode they are an error.
 */
#ifndef MUSC_ABC_H
#define MUSC_ABC_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_ABC_CHORD_TRACK 0x1 /* musc_read_options.flags: render "Am7" as a chord track */

/* One tune of a book, as listed by musc_abc_list. */
typedef struct musc_abc_tune_info {
    int number;    /* the X: reference number (-1 if missing or not a number) */
    char *title;   /* first T: line, or NULL; owned */
    size_t line;   /* 1-based line of the X: field */
} musc_abc_tune_info;

/* List the tunes of a book held in memory. *tunes is malloc'd (free with
 * musc_abc_tune_info_free). MUSC_ERR_NOMEM on failure. */
musc_status musc_abc_list(const char *text, size_t size, musc_abc_tune_info **tunes, size_t *n);
void musc_abc_tune_info_free(musc_abc_tune_info *tunes, size_t n);

/* Read one tune: options->index is its 0-based position in the book (-1 or
 * NULL options: the first). On success *out is a new music the caller frees.
 * Errors: MUSC_ERR_FORMAT (with line and column), MUSC_ERR_NOTFOUND (no such
 * tune), MUSC_ERR_NOMEM. */
musc_status musc_abc_read_mem(const char *text, size_t size, const musc_read_options *options,
                              musc_music **out, musc_report *report);
musc_status musc_abc_read(const char *path, const musc_read_options *options, musc_music **out,
                          musc_report *report);

/* Read every tune of a book. *tunes is a malloc'd array of *n musics (free
 * with musc_music_list_free). In repair mode a tune that fails is skipped
 * and reported; in strict mode it fails the call. */
musc_status musc_abc_read_book_mem(const char *text, size_t size,
                                   const musc_read_options *options, musc_music ***tunes,
                                   size_t *n, musc_report *report);

/* Free an array of musics (each freed) and the array. */
void musc_music_list_free(musc_music **list, size_t n);

/* Write one music as one ABC tune (X:1): header T: C: M: L:1/8 Q: K:, then
 * one voice per track (V:T<n> name="..." with %%MIDI program / channel 10),
 * and extra voices T<n>_<k> for notes that overlap with other lengths. Notes
 * are split at bar lines with ties, rests fill the gaps, chord symbols come
 * from MUSC_ANN_CHORD annotations, meter/key/tempo changes are written
 * inline. Hairpins become !<(! !<)! !>(! !>)! before the first note or
 * rest of the track's first voice at their start and end times (notes and
 * rests are split there, with ties, so the times are exact; marks at the
 * voice's end come before its final bar line; two hairpins of one kind that
 * overlap do not read back as written, since ABC pairs a start with the
 * next end).
 * Zero-length notes are left out (ABC cannot hold them); tempos
 * are rounded to whole quarter notes per minute. The text reads back with
 * musc and abc2midi. *text is malloc'd and NUL-terminated (caller frees).
 * Errors: MUSC_ERR_INVALID (fails musc_music_validate), MUSC_ERR_NOMEM. */
musc_status musc_abc_write_mem(const musc_music *music, char **text, size_t *size);

/* Write an ABC file atomically; refuses to replace an existing file unless
 * options->overwrite (options may be NULL). */
musc_status musc_abc_write(const musc_music *music, const char *path,
                           const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
