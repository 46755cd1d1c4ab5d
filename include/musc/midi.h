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
 *  - One musc track per (MIDI track, channel, program) as MusPy does; the
 *    program is the one in force on that channel when the note ends. Channel
 *    10 (index 9) is a drum track. Controls, bends and pressure go to the
 *    track of their (MIDI track, channel, current program).
 *  - Note-on with velocity 0 is a note-off. A note-off closes an open note of
 *    the same (track, channel, pitch) chosen by musc_read_options.overlap.
 *    Unmatched note-offs are ignored. Notes still open at the end of a MIDI
 *    track are closed at the time of the track's last event (and reported).
 *  - Running status is kept across meta and sysex events, as real files
 *    need. Tempo, time and key signatures, markers, text, cue points and
 *    lyrics go to the music; track and instrument names to the tracks of
 *    that MIDI track; copyright to metadata.copyright, the first track name
 *    of track 0 of a format 1 file (or a format 0 file) also to metadata.title.
 *    Other meta events and sysex are kept as raw events.
 *  - Limits: at most 65535 tracks, events bounded by the file size, so memory
 *    use stays proportional to the input.
 *
 * Writing: SMF format 1. Track 0 holds title, tempos, time and key
 * signatures, markers, text, lyrics and raw events at their real times; then
 * one MIDI track per musc track on its channel (drums on 10; others take
 * track->channel when 0..15, else the next free channel skipping 10), with
 * name, program change, notes (note-off as 0x80), controls, bends and pressure.
 */
#ifndef MUSC_MIDI_H
#define MUSC_MIDI_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse a MIDI file held in memory. On success *out is a new music the
 * caller frees. `options` and `report` may be NULL. Errors: MUSC_ERR_FORMAT
 * (with byte offset and what was expected), MUSC_ERR_NOMEM. */
musc_status musc_midi_read_mem(const uint8_t *data, size_t size,
                               const musc_read_options *options, musc_music **out,
                               musc_report *report);

/* Read a MIDI file from disk (see musc_midi_read_mem). */
musc_status musc_midi_read(const char *path, const musc_read_options *options,
                           musc_music **out, musc_report *report);

/* Encode a music as an SMF type 1 file in memory. *data is malloc'd (caller
 * frees). Errors: MUSC_ERR_INVALID (fails validation), MUSC_ERR_NOMEM. */
musc_status musc_midi_write_mem(const musc_music *music, uint8_t **data, size_t *size);

/* Write a MIDI file atomically (see musc_write). */
musc_status musc_midi_write(const musc_music *music, const char *path,
                            const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
