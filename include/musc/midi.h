/*
 * Standard MIDI Files (SMF) in and out.
 *
 * Reading (formats 0, 1 and 2; RIFF "RMID" wrappers; SMPTE division):
 *  - resolution = the header's ticks per quarter. An SMPTE division
 *    (frames/s x ticks/frame) is converted, not rejected: resolution =
 *    frames x ticks-per-frame (29.97 drop-frame counts as 30) and one tempo
 *    of 60 qpm at time 0, so a quarter lasts one second and every tick stays
 *    exact. Tempo events in such a file (which do not affect SMPTE timing)
 *    are kept as raw events.
 *  - Formats 0 and 1: every track starts at tick 0. Format 2 tracks are
 *    independent patterns: they are laid one after another, each starting at
 *    the previous track's end-of-track time. Chunks other than MTrk are
 *    skipped; RMID files are read from their "data" chunk.
 *  - One musc track per (MIDI track, channel, program) as MusPy does; the
 *    program is the one in force on that channel when the note ends, and
 *    each MIDI track starts with program 0 on every channel (MusPy). Channel
 *    10 (index 9) is a drum track; track->channel is the source channel.
 *    Tracks are ordered by MIDI track, then by when their first note ended
 *    (MusPy's order; notes closed by end-of-track count in channel, pitch
 *    order; note-less tracks last). Every list comes out sorted as by
 *    musc_music_sort(). Controls, bends and pressure go to the track of
 *    their (MIDI track, channel, current program); a group that ends up
 *    without notes (controls sent before the program change, say) gives
 *    them to the first group of the same MIDI track and channel that has
 *    notes, and stays a note-less track only when that channel has no notes
 *    in its MIDI track (MUSC_MIDI_READ_DROP_NOTELESS drops it instead, as
 *    MusPy does).
 *  - Note-on with velocity 0 is a note-off. A note-off closes an open note of
 *    the same (track, channel, pitch) chosen by musc_read_options.overlap.
 *    Unmatched note-offs are ignored. Notes still open at the end of a MIDI
 *    track are closed at the time of the track's last event and reported as
 *    MUSC_REPAIR_UNCLOSED_NOTE in both modes (it is legal SMF, so strict mode
 *    does not fail). Note-off velocities are not kept.
 *  - Running status is kept across meta and sysex events, as real files
 *    need. Where events go: tempo (0x51), time signature (0x58, denominator
 *    2^0..2^7) and key signature (0x59, with root and mode) to the music's
 *    lists; text (0x01), marker (0x06) and cue point (0x07) to music
 *    annotations (MUSC_ANN_TEXT / MARKER / CUE); lyrics (0x05) to
 *    music->lyrics; the first copyright (0x02) to metadata.copyright; the
 *    first track name (0x03) and instrument name (0x04) of a MIDI track to
 *    every musc track made from it, and the first track name of track 0 of a
 *    format 0 or 1 file also to metadata.title. Kept as raw events (type =
 *    meta type, data = payload, track = MIDI track index): sequence number
 *    0x00, program name 0x08, device name 0x09, channel prefix 0x20, port
 *    0x21, SMPTE offset 0x54, sequencer-specific 0x7F, unknown types, later
 *    copyrights and names, names of a MIDI track that yields no musc track,
 *    and known events whose values are unusable (tempo 0, ...). Sysex: raw
 *    MUSC_RAW_SYSEX (data after F0, its closing F7 included) and
 *    MUSC_RAW_ESCAPE (data after F7). End of track (0x2F) ends the track.
 *  - Text: a meta text ends at its first NUL byte; text that is not valid
 *    UTF-8 is read as Latin-1 (as mido does) and converted to UTF-8.
 *  - Strict mode (musc_read_options.strict) fails with MUSC_ERR_FORMAT, the
 *    message naming the byte offset, on: a bad header (length < 6, format >
 *    2, division 0, SMPTE rate other than 24/25/29/30 or 0 ticks per frame),
 *    a track count that disagrees with the header (format 0: not 1), a chunk
 *    running past the data or trailing bytes too short for a chunk, an event
 *    crossing its chunk's end, a missing end-of-track or data after it, a
 *    data byte where no running status exists, a status byte 0xF1..0xFE
 *    other than 0xF7, a data byte > 127, a variable-length number over 4
 *    bytes, a tempo/time/key signature/end-of-track of the wrong length or
 *    out of range, a meta type > 0x7F, and junk before MThd.
 *  - Repair mode (the default) fixes each of those and logs it in the report
 *    with its byte offset (from the start of the input, RIFF wrapper
 *    included): junk before MThd is skipped (MThd searched in the first 4096
 *    bytes); header fields are read as format 1 / 480 ticks per quarter; a
 *    chunk length is trusted only when it ends at the data's end or at what
 *    looks like the next chunk id, else the track runs to its end-of-track
 *    (never past the next "MTrk"); bytes after end-of-track are skipped; an
 *    event cut off by the end of the data is dropped; a stray data byte or
 *    illegal status byte is skipped (with the nominal data bytes of F1-F3);
 *    data bytes > 127 are clamped to 127; over-long variable-length numbers
 *    are clamped to 0x0FFFFFFF; unusable meta events become raw events;
 *    garbage between chunks is skipped up to the next "MTrk".
 *  - Limits: at most 65535 MIDI tracks, inputs up to 2^34 bytes (so ticks
 *    never overflow), events bounded by the file size, so memory use stays
 *    proportional to the input.
 *
 * Writing: SMF format 1, division = music->resolution (above 32767 is refused
 * with MUSC_ERR_RANGE rather than rescaled, which would round times; change
 * the resolution first). Validation comes first (MUSC_ERR_INVALID).
 *  - Track 0 (the meta track): title as its track name and copyright at
 *    tick 0, then at their times the raw events, time signatures (MIDI
 *    clocks per click = one beat, a dotted beat in compound meters such as
 *    6/8; 8 32nds per quarter), key signatures (root is not stored: a reader
 *    derives it; MUSC_MODE_NONE goes out as major), tempos, music
 *    annotations (TEXT 0x01, MARKER 0x06, CUE 0x07; CHORD and OTHER as text
 *    0x01) and music lyrics (0x05). Raw meta and sysex events are written
 *    verbatim in their stored order, except types the writer owns: end of
 *    track, tempo, time and key signature (a raw one is either unusable,
 *    which would make the file invalid, or an SMPTE file's tempo, which had
 *    no effect there and would change the timing here). Creators,
 *    collection and source fields have no MIDI event and are not written.
 *  - Then one MIDI track per musc track, in order: track name (0x03),
 *    instrument name (0x04), one program change at tick 0, then notes
 *    (chords as their notes), controls, pitch bends, channel and key
 *    pressure, and the track's lyrics and annotations (a reader gathers
 *    those into the music's lists). A track with no notes, controls, bends
 *    or pressure is written but a reader keeps no track for it.
 *  - Channels: drums on 10 (index 9) whatever the hint; a pitched track keeps
 *    track->channel when it is 0..15 and not 9; the rest take the lowest
 *    channel no track has claimed, skipping 9, and cycle 0, 1, ... (skipping
 *    9) once all are taken. Tracks sharing a channel stay apart because each
 *    has its own MIDI track.
 *  - Notes: note-off as 0x80 with velocity 64; a note of velocity 0 goes out
 *    with velocity 1 (a note-on of 0 would be a note-off). At one tick the
 *    order is: note-offs, text, controls/bends/pressure, note-ons; notes of
 *    one pitch starting together open shortest first, and a zero-length
 *    note's off follows its on directly, so a FIFO reader rebuilds the same
 *    notes, repeated and zero-length ones included. Overlapping notes of one
 *    pitch in one track cannot be told apart in MIDI: a FIFO reader gives the
 *    first off to the first on. Running status is used (and reset after
 *    meta and sysex events, as SMF requires).
 *  - Lists need not be sorted: an unsorted list is written in stable time
 *    order (notes in musc_music_sort's order).
 *  - MUSC_ERR_RANGE for what SMF cannot store: a tempo outside 1..16777215
 *    microseconds per quarter (about 3.58..6e7 qpm), a time signature
 *    denominator other than 1, 2, 4, ... 128 (the reader's range), a gap
 *    between two events of a track over 2^28-1 ticks, more than 65534
 *    tracks, a text or raw event over 2^28-1 bytes.
 *  - Known losses: a tempo is stored as whole microseconds per quarter, so
 *    it reads back exactly only when 60e6/qpm is whole (always so for a
 *    tempo read from MIDI); a raw track name in a music without a title is
 *    the meta track's first name and reads back as the title.
 */
#ifndef MUSC_MIDI_H
#define MUSC_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* musc_read_options.flags bits for MIDI reading. */
#define MUSC_MIDI_READ_DROP_NOTELESS 0x1 /* drop tracks without notes (MusPy) */

/* Parse a MIDI file held in memory. On success *out is a new music the
 * caller frees. `options` and `report` may be NULL. Errors: MUSC_ERR_FORMAT
 * (with byte offset and what was expected), MUSC_ERR_NOMEM. */
musc_status musc_midi_read_mem(const uint8_t *data, size_t size,
                               const musc_read_options *options, musc_music **out,
                               musc_report *report);

/* Read a MIDI file from disk (see musc_midi_read_mem). */
musc_status musc_midi_read(const char *path, const musc_read_options *options,
                           musc_music **out, musc_report *report);

/* Encode a music as an SMF format 1 file in memory (rules above). On success
 * *data is malloc'd (the caller frees it) and *size is its length; on error
 * *data is NULL and *size 0. The music is not changed. Errors: MUSC_ERR_ARG
 * (NULL argument), MUSC_ERR_INVALID (fails musc_music_validate),
 * MUSC_ERR_RANGE (a value SMF cannot store, named in the message),
 * MUSC_ERR_NOMEM. */
musc_status musc_midi_write_mem(const musc_music *music, uint8_t **data, size_t *size);

/* Write a MIDI file atomically (see musc_write): nothing is written unless
 * encoding succeeds, and an existing file is replaced only with
 * options->overwrite (options NULL = defaults: refuse, MUSC_ERR_EXISTS).
 * Errors: those of musc_midi_write_mem, MUSC_ERR_EXISTS, MUSC_ERR_IO. */
musc_status musc_midi_write(const musc_music *music, const char *path,
                            const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
