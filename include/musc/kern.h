/*
 * Humdrum **kern in (reading only).
 *
 * A Humdrum file is a grid: each line is one moment, each tab-separated
 * column a spine. musc reads the **kern spines as music and follows the
 * Humdrum Toolkit's semantics (humdrum.org, "**kern" and "Humdrum syntax"):
 *
 *  - Spines: every **kern spine becomes one track, in file order (Humdrum
 *    puts the lowest part on the left). A spine split (*^) makes voices of
 *    the same part: their notes go to that part's track; a join (*v, a run
 *    of adjacent *v merges into one), exchange (*x), add (*+, then its **
 *    exclusive interpretation) and terminate (*-) are followed. **harm
 *    tokens become music-level annotations (MUSC_ANN_OTHER, the token as
 *    text); every other spine (**dynam, **silbe, **text, **recip, ...) is
 *    ignored, but its columns are checked.
 *  - Time: every data line is one moment. A line starts when the earliest
 *    note still sounding from the previous lines ends, as in Humdrum's own
 *    rhythm tools. Durations are reciprocals of a whole note: 4 quarter,
 *    8 eighth, 6 = 1/6 whole (a triplet quarter), 3%2 = 2/3 of a whole,
 *    0 breve, 00 longa, 000 maxima, each '.' adds half of what the last
 *    added (4. = 3/2 quarter, 4.. = 7/4). In a chord (subtokens separated
 *    by spaces) each note keeps its own length; the line advances by the
 *    first note's. All times are exact fractions; the resolution is the
 *    least common multiple of 24 (MusPy's default) and every denominator
 *    (in quarter notes), so every onset and length is an exact tick. Should
 *    that exceed MUSC_KERN_MAX_RESOLUTION, 10080 is used (divisible by every
 *    n up to 10, 12, 14, 15, 16, ...) and times are rounded, with a repair
 *    note.
 *  - Pitch: c is middle C (MIDI 60), cc 72, ccc 84; C is 48, CC 36; each #
 *    raises and each - lowers a semitone; n is a natural. Kern spells every
 *    accidental, so key signatures do not change pitches. r is a rest (any
 *    letters after it only place it on the staff).
 *  - Ties: [ starts, _ continues, ] ends a tie: the note is lengthened to
 *    cover the next note of the same pitch in the same part that starts
 *    where it ends. A continuation with nothing to continue starts a new
 *    note (a repair note, never an error: repeats can legitimately cut a
 *    tie).
 *  - Grace notes (q, Q) are skipped: they take no time, as abc2midi does
 *    for ABC's with -NGRA.
 *  - Other signifiers (beams L J K k, stems / \, articulations ' ~ ^ ` ;,
 *    slurs ( ), phrases { }, ornaments, editorial x y, ...) are ignored.
 *  - Interpretations: *k[f#c#] key signature (sharps minus flats), *G:
 *    *g: *E-: key (upper case major, lower case minor, a mode suffix such
 *    as *d:dor gives MUSC_MODE_NONE), *M3/4 meter, *MM120 tempo (quarter
 *    notes per minute), *I"Name part name, *Icode instrument (violn viola
 *    cello cbass piano cemba organ flt picco oboe clars fagot corno tromp
 *    trmbn tuba guitr harp timpa recor, voices soprn mezzo calto tenor
 *    barit bass vox) giving the General MIDI program (voices: 52, Choir
 *    Aahs; other tracks 0) and the track's instrument_name. Keys, meters
 *    and tempos apply to the whole music; at one moment the leftmost spine
 *    that gives one wins. *clef, *met, *staff and the rest are accepted and
 *    ignored.
 *  - Repeats: when the file has section labels (*>A) and an unnamed
 *    expansion list (*>[A,A,B]), the sections are played in the list's
 *    order (named lists such as *>norep[A,B] are ignored); the lines before
 *    the first label are played once first. Without them, or with the flag
 *    MUSC_KERN_WRITTEN_ORDER, lines are read in written order. A list that
 *    names an unknown label is an error in strict mode; in repair mode the
 *    written order is used, with a repair note.
 *  - Reference records: !!!OTL gives the title, !!!COM the creator. Other
 *    comments (! and !!) are skipped.
 *  - Damage: a line with too few fields is padded with null tokens and one
 *    with too many is cut (repair notes; errors in strict mode); so is a
 *    token that is neither a note, a rest nor null, an out-of-range pitch,
 *    or an empty line. Errors name the line: "kern line 12: ...". Limits:
 *    4096 spines, 1024 **kern spines, 2^24 played lines, 2^26 tokens read
 *    (spines times played lines), times up to 2^36 quarter notes.
 */
#ifndef MUSC_KERN_H
#define MUSC_KERN_H

#include <stddef.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_KERN_WRITTEN_ORDER 0x1 /* musc_read_options.flags: ignore expansion lists */
#define MUSC_KERN_MAX_RESOLUTION 100800 /* above this, times are rounded to 10080 per quarter */

/* Read a Humdrum file held in memory. options and report may be NULL. On
 * success *out is a new music the caller frees. Errors: MUSC_ERR_FORMAT
 * (with the line), MUSC_ERR_NOMEM. */
musc_status musc_kern_read_mem(const char *text, size_t size, const musc_read_options *options,
                               musc_music **out, musc_report *report);

/* Read a .krn file; as musc_kern_read_mem, plus MUSC_ERR_IO. */
musc_status musc_kern_read(const char *path, const musc_read_options *options, musc_music **out,
                           musc_report *report);

#ifdef __cplusplus
}
#endif
#endif
