/*
 * MusicXML in and out: uncompressed .xml / .musicxml and compressed .mxl.
 *
 * Reading (MusicXML 1.0 to 4.0, score-partwise and score-timewise):
 *  - Parsing: libxml2 with no network (XML_PARSE_NONET), no external DTD,
 *    no entity substitution (entity references are ignored, so "billion
 *    laughs" documents cannot expand) and libxml2's default depth limit
 *    (XML_PARSE_HUGE off). UTF-8 and UTF-16 (by byte-order mark or the XML
 *    declaration) are both accepted. A zip ("PK\3\4") is read as .mxl: the
 *    score is the first <rootfile full-path> of META-INF/container.xml (when
 *    that is missing, the first .xml/.musicxml entry outside META-INF, as a
 *    repair). Entries are capped at 64 MiB uncompressed.
 *  - score-timewise is read by transposing it: each <measure><part id> is
 *    treated as measure of that part.
 *  - Resolution = the least common multiple of every <divisions> value, so
 *    every duration is an exact tick count (tuplets included). If the LCM
 *    exceeds 2^20 ticks per quarter, the resolution becomes the largest
 *    <divisions> value (at most 2^20) and times are rounded to it (a repair;
 *    an error in strict mode).
 *  - One musc track per <score-part>, in part-list order (parts without
 *    measures still get an empty track). name = <part-name>, instrument_name
 *    = the first <instrument-name>. Program = first <midi-program> minus 1
 *    (MusicXML counts 1..128), else guessed from the instrument or part name
 *    (piano, organ, guitar, violin, viola, cello, contrabass, flute, oboe,
 *    clarinet, bassoon, horn, trumpet, trombone, tuba, saxophones, voices,
 *    ...), else 0. channel = the first <midi-channel> minus 1 (else -1).
 *    A part is a drum track when it holds <unpitched> notes or
 *    its <midi-channel> is 10; an unpitched note's pitch is the
 *    <midi-unpitched> (minus 1) of its <instrument>, else of the part's
 *    first instrument, else its displayed pitch.
 *  - Notes: pitch = (octave + 1) * 12 + step + round(alter), then
 *    <transpose> (chromatic + 12 * octave-change) maps written to sounding
 *    pitch. <chord/> notes start with the previous note; <backup> and
 *    <forward> move the cursor (a backup before the measure start is
 *    clamped, reported). Tied notes (<tie> or <tied>, start/stop) are merged
 *    into one note in playing order: a tie-stop note extends an open
 *    tie-start note of the same pitch that ends where it begins (or, out of
 *    an underfilled measure, that ends in the measure before it when the
 *    tie-stop note is the first of its measure). A drawn tie start
 *    (<tied type="start">) also joins the next note of its <staff> and
 *    <voice> at the same pitch (spelled alike or not) that begins where it
 *    ends, without a tie stop, as MuseScore does; a <tie type="start">
 *    alone needs its stop. Grace notes
 *    are skipped unless MUSC_MUSICXML_KEEP_GRACE: then each becomes a note
 *    of resolution/8 ticks (at least 1) at the cursor, overlapping the
 *    principal note, which is not shortened (PLAY_ORNAMENTS, below, times
 *    them as MuseScore does instead). Cue notes are skipped (their
 *    duration still advances the cursor). A note without <duration> takes
 *    the length of its <type>, dots and <time-modification> (a repair).
 *    Pitches outside 0..127 are dropped (a repair).
 *  - Ornaments (MUSC_MUSICXML_PLAY_ORNAMENTS; off by default, as MusPy, whose
 *    reader skips grace notes and plays no ornaments): trills, mordents,
 *    turns and grace notes are played as MuseScore 3.2 plays them (measured
 *    by converting test scores with mscore3). The resolution becomes a
 *    multiple of 480 (when the cap allows). Ornament notes last a 32nd (a
 *    64th when the tempo makes that slower than 8 a second), or equal shares
 *    of the note when it is too short for the ornament's least number of
 *    notes (trill 4, mordent 3, turn 4); an ornament whose notes would be
 *    faster than 64 a second is not played. trill-mark: main and upper note
 *    alternate to the end; mordent: main, lower, main (held); inverted-
 *    mordent: main, upper, main; turn and delayed-turn: upper, main, lower,
 *    main; inverted-turn: lower, main, upper, main. The upper and lower
 *    notes are the next diatonic steps with the accidental written earlier
 *    in the bar on that line, else the key signature's (<accidental-mark>
 *    is ignored, as MuseScore does). A trill is played over the whole tied
 *    note; one of more than 4096 notes is left plain; a trill-mark whose
 *    <wavy-line> starts and never stops is played plain (MuseScore's reader
 *    drops it). Ornament note k starts at floor(k * step * 1000 / written
 *    length) per mille of the note's written length, rounded down on the
 *    480 grid, as MuseScore places it (so a half note's 32nds fall 59 and
 *    61 ticks apart). Grace notes start
 *    with their principal note and delay it: acciaccaturas (slash="yes")
 *    65 ms each, at most half the principal together; appoggiaturas share
 *    half the principal, or its undotted value when it is dotted (2/3 of a
 *    dotted note, 4/7 of a double-dotted one). Graces after the last note
 *    of a voice in a measure, or before a rest, are played after that note
 *    (a Nachschlag) and take the same share from its end; after a trill
 *    they are the trill's last notes, at its speed; graces before an
 *    ornamented note are likewise its first notes, and the ornament's
 *    neighbours then ignore the accidentals of those graces (MuseScore's
 *    rule); a trill's main-upper pairs fill the slots between, an odd slot
 *    left lengthening its last note (not over tied notes). Slashed eighth graces
 *    there are played before that note instead (MuseScore cannot place an
 *    acciaccatura after a note). Tempo is the music's at the note (120
 *    before any).
 *  - Measures: a measure lasts as long as the furthest cursor position of
 *    any part in it (so pickups and short measures keep their real length);
 *    an empty measure lasts its time signature.
 *  - Velocity: 64 until a dynamic is seen; <sound dynamics="d"> and a
 *    note's dynamics="d" give round(d * 0.9) (d is a percentage of forte =
 *    90); dynamics marks give pppp 8, ppp 16, pp 33, p 49, mp 64, mf 80,
 *    f 96, ff 112, fff 126, ffff 127 (sf, sfz, fz... change nothing). A
 *    dynamic holds in its part until the next one, in written order.
 *  - Hairpins: <wedge type="crescendo|diminuendo"> opens a musc_hairpin on
 *    its part's track at the cursor (+ <offset>), closed by the next
 *    <wedge type="stop"> of the same number (1..16, default 1) in playing
 *    order (repeats expanded); a start closes an open one of its number; a
 *    stop without a start is ignored; one never stopped lasts to the end.
 *    Velocities are not changed: musc_perform() plays the ramp.
 *  - Tempo: <sound tempo> (quarter notes per minute); a direction without
 *    one takes its <metronome> (per-minute x beat-unit in quarters, dots
 *    included). Tempos are music-level; one per time (the last one wins).
 *  - Key signatures from <key> (fifths; mode major/minor, other modes keep
 *    MUSC_MODE_NONE with the mode's tonic as root; no mode = major) and time
 *    signatures from <time> (beats "3+2" are summed; several beats/beat-type
 *    pairs are added over a common denominator), music-level, recorded only
 *    when they change. <harmony> becomes a MUSC_ANN_CHORD annotation on its
 *    part's track at the cursor (+ <offset>): root + accidentals + kind
 *    suffix + degrees + "/bass", e.g. "Am7", "C/E", "Bb7(b9)", "N.C."
 *    (kind "other" and unknown kinds use the kind's text= attribute).
 *    Every <lyric> of a note becomes a track lyric at the note's onset
 *    (text only; syllabic and extend are dropped) with verse = number - 1
 *    (number="1", "2", ...; a non-numeric number: the lyric's position on
 *    the note). Title from <work-title>
 *    (else <movement-title>), creators from <creator>, copyright from
 *    <rights>.
 *  - Repeats are expanded into playing order unless
 *    MUSC_MUSICXML_WRITTEN_ORDER: <repeat direction="backward" times="n">
 *    (default 2) jumps back to the last forward repeat, else to the start
 *    of the piece (as MuseScore plays it); <ending number="1, 2">
 *    measures play only on those passes; D.C. and D.S. (from <sound
 *    dacapo/dalsegno>, or from <words> that are exactly a standard phrase,
 *    case and spaces aside: "D.C.", "Da Capo", "D.S.", "Dal Segno", each
 *    alone or with "al Fine" / "al Coda"; longer prose such as "Menuetto
 *    da capo senza Ritornello" is not followed, as in MuseScore 3)
 *    jump at the end of their measure, once, to the start or the segno;
 *    after a jump, repeats are not taken again and only the last ending of
 *    each group plays (a group goes on past a first ending that stops
 *    before its backward repeat, up to the next ending); a second ending
 *    right after a used-up backward repeat plays on that last pass, and a
 *    forward repeat on an ending's measure counts only when it plays;
 *    "Fine" (<sound fine> or words "Fine") ends the piece after a jump
 *    and "To Coda" (<sound tocoda>, words "To Coda", or the first of two
 *    coda signs) jumps to the coda (<sound coda> or the last coda sign).
 *    Expansion stops at 100000 played measures (a repair).
 *  - Errors (MUSC_ERR_FORMAT, naming the line and what was expected): not
 *    XML, a root other than score-partwise/score-timewise, no <divisions>
 *    before the first duration in the whole document, a non-numeric or
 *    out-of-range <divisions>, <duration>, <alter>, <octave>, ... and times
 *    beyond 2^50 ticks. Unknown elements are ignored. In strict mode every
 *    repair is an error instead.
 *
 * Agreement with MuseScore 3's MIDI export (tests/io/test_musicxml_musescore.c,
 * all 457 files, 2026-11-25). With MUSC_MUSICXML_PLAY_ORNAMENTS: Bach
 * chorales 408 of 410 files note-equal (99.99 % of notes at the same pitch
 * and start); quartets 21 of 47 (Beethoven 4/22, 97.07 % of notes; Haydn
 * 3/9, 99.72 %; Mozart 14/16, 99.74 %); without it (the default, written
 * notes only): Bach 393, quartets 1 (91.9 %, 94.8 %, 92.6 % of notes,
 * repeats and jumps now agreeing). The largest remaining difference is
 * MuseScore's, not musc's: it drops the finale of Beethoven op. 18 no. 5
 * (a defective repeat). The rest: a Bach file where two voices share a
 * pitch; a trill on the second note of a tie (bwv183.5); grace notes and
 * other notes without <type> (MuseScore sounds an untyped note a
 * quarter); an overfull bar whose length MuseScore rounds (op. 18 no. 1/2);
 * tie starts followed by another pitch, which MuseScore ties to the next
 * note of that pitch however far on; and an unstopped wavy line that
 * MuseScore plays (K. 458/1), all listed in the test.
 *
 * Writing (score-partwise, version 4.0):
 *  - divisions = resolution (times some factor k when a time signature's
 *    bar is not a whole number of ticks); measures follow the time
 *    signatures (4/4 bars with no <time> element while there is none; a
 *    time signature that falls inside a bar ends that bar early) up to the
 *    last note end.
 *  - One part per track (P1, P2, ...), part-list with part-name (the track
 *    name, else "Track n"), instrument-name and <midi-instrument> with
 *    midi-channel (the track's channel + 1 when set and fitting drum/non-
 *    drum, else 10 for drums and 1..16 skipping 10) and midi-program =
 *    program + 1. Drum tracks write <unpitched> notes, each pitch with its
 *    own <score-instrument>/<midi-unpitched> so the pitch reads back.
 *  - Notes (track notes and the pitches of track chords) are grouped into
 *    voices: notes with the same onset and duration form a <chord/>; a note
 *    goes into the first voice free at its onset, else a new voice. Notes
 *    crossing a barline are split and tied. Voice 1 fills gaps with rests
 *    (a whole-measure rest when empty); other voices use <forward>. Voices
 *    after the first start with <backup>. Velocity is kept in the note's
 *    dynamics= attribute. Spelling: sharps when the key has fifths >= 0,
 *    else flats. <type> and <dot> are written when the duration is a plain
 *    or dotted note value; otherwise, when it is one in a tuplet ratio
 *    actual:normal (normal the largest power of two below actual: 3:2, 5:4,
 *    6:4, 7:4, 9:8 ... up to 15), <type>, <dot> and <time-modification>,
 *    and <tuplet type="start"/"stop"> brackets around each complete group
 *    (normal notes of its first note's value, in one voice and bar).
 *  - Key and time signatures go to every part, tempos (<sound tempo> and a
 *    metronome mark) to the first; chord annotations become <harmony>
 *    (parsed back from the text: root, accidentals, kind, "/bass"; a suffix
 *    with no MusicXML kind is written as kind "other" with text=), lyrics
 *    are attached to the note (or voice-1 rest) starting at their time
 *    (one <lyric number="verse + 1"> per verse);
 *    music-level lyrics and chord annotations go to the first part. A lyric
 *    with no note or rest starting at its time is not written.
 *  - Hairpins become <wedge> start and stop directions at their times,
 *    each under the lowest number 1..16 free at its start.
 *  - .mxl output is a zip holding "mimetype", META-INF/container.xml and
 *    score.musicxml.
 */
#ifndef MUSC_MUSICXML_H
#define MUSC_MUSICXML_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* musc_read_options.flags bits for MusicXML. */
#define MUSC_MUSICXML_KEEP_GRACE 0x1    /* grace notes become short notes */
#define MUSC_MUSICXML_WRITTEN_ORDER 0x2 /* do not expand repeats and jumps */
#define MUSC_MUSICXML_PLAY_ORNAMENTS 0x4 /* trills, mordents, turns, graces as MuseScore 3 */

/* Parse a MusicXML document (or a whole .mxl zip, detected by its "PK"
 * signature) held in memory. On success *out is a new music the caller
 * frees. `options` and `report` may be NULL. Errors: MUSC_ERR_FORMAT (with
 * the line and what was expected), MUSC_ERR_NOMEM. */
musc_status musc_musicxml_read_mem(const uint8_t *data, size_t size,
                                   const musc_read_options *options, musc_music **out,
                                   musc_report *report);

/* Read a .xml, .musicxml or .mxl file (the content decides, not the
 * name). See musc_musicxml_read_mem; adds MUSC_ERR_IO. */
musc_status musc_musicxml_read(const char *path, const musc_read_options *options,
                               musc_music **out, musc_report *report);

/* Extract the score document from an .mxl archive in memory. *xml is
 * malloc'd (caller frees). `report` (may be NULL) gets a repair when the
 * container file is missing. Errors: MUSC_ERR_FORMAT, MUSC_ERR_NOMEM. */
musc_status musc_mxl_extract(const uint8_t *data, size_t size, uint8_t **xml, size_t *xml_size,
                             musc_report *report);

/* Serialise a music as a MusicXML 4.0 score-partwise document (UTF-8).
 * *data is malloc'd (caller frees). Errors: MUSC_ERR_INVALID (fails
 * validation), MUSC_ERR_NOMEM. */
musc_status musc_musicxml_write_mem(const musc_music *music, uint8_t **data, size_t *size);

/* Wrap a MusicXML document into an .mxl archive in memory. *mxl is malloc'd
 * (caller frees). Errors: MUSC_ERR_NOMEM, MUSC_ERR_INTERNAL (libzip). */
musc_status musc_mxl_pack(const uint8_t *xml, size_t xml_size, uint8_t **mxl, size_t *mxl_size);

/* Write .xml/.musicxml (plain) or .mxl (compressed, by extension),
 * atomically (see musc_write). */
musc_status musc_musicxml_write(const musc_music *music, const char *path,
                                const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
