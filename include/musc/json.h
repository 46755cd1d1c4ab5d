/*
 * MusPy's JSON schema (version 0.2), both ways, optionally gzip-compressed.
 *
 * Field names follow MusPy: metadata{schema_version,title,creators,copyright,
 * collection,source_filename,source_format}, resolution, tempos[{time,qpm}],
 * key_signatures[{time,root,mode,fifths,root_str}], time_signatures[{time,
 * numerator,denominator}], beats, barlines, lyrics[{time,lyric}],
 * annotations[{time,annotation,group}], tracks[{program,is_drum,name,
 * notes[{time,pitch,duration,velocity}],chords[{time,pitches,duration,
 * velocity}],lyrics,annotations}]. Fields MusPy lacks are stored under
 * "musc_*" keys, which MusPy ignores and musc reads back:
 *   per track: musc_channel (0..15, omitted when -1), musc_instrument_name,
 *     musc_controls[{time,number,value}], musc_pitch_bends[{time,value}],
 *     musc_pressures[{time,pitch,value}] (pitch omitted for channel pressure),
 *     musc_hairpins[{time,duration,kind}] (kind "crescendo" or "diminuendo");
 *   top level: musc_raw_events[{time,type,data,track}], data as a lowercase
 *     hex string ("7e7f0901f7", no separators).
 *
 * Reading, like MusPy: a missing or null field takes MusPy's default
 * (resolution 24, velocity 64, program 0, is_drum false, empty lists, the
 * metadata's schema_version "0.2"); unknown keys, "beats", "barlines",
 * "pitch_str" and "pitches_str" are ignored; lists keep file order (nothing
 * is sorted). Required fields (every "time", note pitch and duration, qpm,
 * time-signature numerator and denominator, lyric text, annotation value)
 * must be present. Integers may be written as integral reals (12.0). A
 * wrong type or an out-of-range value is MUSC_ERR_FORMAT, naming the field's
 * path: "tracks[2].notes[5].pitch: expected an integer 0..127, got 200";
 * a syntax error names line and column. Text is parsed as it streams (no
 * JSON tree is built), so memory stays near the size of the music. Strict
 * JSON: strings must be valid UTF-8 without \u0000, integers must fit in 64
 * bits, nesting is limited to 512 levels; a leading UTF-8 byte order mark is
 * skipped. A list key that appears twice in one object ("notes" twice in a
 * track) is an error rather than a silent merge; a repeated value key keeps
 * the last value, as Python does.
 *
 * Key signatures: MusPy's mode is a string, "major" or "minor" (any case);
 * absent means MUSC_MODE_NONE. Another mode ("dorian") becomes
 * MUSC_MODE_NONE with a repair note (an error in strict mode). root is 0..11;
 * without it, root_str ("C#", "Bb") gives the root. Without fifths, fifths
 * is derived from root and mode (major assumed), in -5..6 (Db, F#); with
 * neither fifths nor a root, fifths is 0 with a repair note (strict: error).
 * Writing emits root and mode only when known, fifths always, and root_str
 * spelled by the sign of fifths (flats when fifths < 0).
 *
 * Annotations: MusPy's "group" maps to the annotation kind:
 *   "text" <-> MUSC_ANN_TEXT, "marker" <-> MUSC_ANN_MARKER,
 *   "cue" <-> MUSC_ANN_CUE, "chord" <-> MUSC_ANN_CHORD (read also "harmony");
 * this holds when the annotation is a string. Any other group, no group, or
 * an annotation that is not a string (MusPy allows any value) reads as
 * MUSC_ANN_OTHER, with the string itself, or the value's compact JSON text
 * (`{"key":"C","figure":"I"}`). An OTHER annotation is written without a
 * group; its text is written back as a JSON value when it is exactly such
 * compact JSON text of an object, array, number or boolean, else as a
 * string, so both MusPy values and musc text survive a round trip. Groups
 * other than the four above are not kept.
 *
 * Writing, like MusPy's save_json: keys in MusPy's order, musc_* keys last,
 * null fields and empty lists left out, integers as integers, qpm always as
 * a real (120.0) in the shortest form that reads back exactly, UTF-8 text
 * unescaped (ensure_ascii=False). A NULL lyric or annotation text is written
 * as "" because MusPy requires the field; a NULL schema_version as "0.2".
 */
#ifndef MUSC_JSON_H
#define MUSC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* musc_write_options.flags bit for JSON: line breaks and two-space
 * indentation, with each note, chord, tempo, ... (an innermost object) on a
 * line of its own. Without it the output is compact (no whitespace). */
#define MUSC_JSON_INDENT 0x1

/* Decompressed size limit for .json.gz input, so a small "gzip bomb" cannot
 * exhaust memory: 1 GiB. Larger content is MUSC_ERR_NOMEM. */
#define MUSC_JSON_MAX_SIZE ((size_t)1 << 30)

/* Parse JSON text into a new music (*out; the caller frees it with
 * musc_music_free). gzip-compressed data (magic bytes 1f 8b) is
 * decompressed first. `options` and `report` may be NULL; repairs (see
 * above) are appended to `report`. Errors: MUSC_ERR_FORMAT (a syntax error
 * with line and column, a wrong type or range with the field's path,
 * damaged gzip data), MUSC_ERR_NOMEM (also: content over
 * MUSC_JSON_MAX_SIZE). On error *out is NULL. */
musc_status musc_json_read_mem(const uint8_t *data, size_t size,
                               const musc_read_options *options, musc_music **out,
                               musc_report *report);

/* Read .json or .json.gz (gzip detected by content, not by name). Errors as
 * musc_json_read_mem, messages prefixed with the path, plus MUSC_ERR_IO. */
musc_status musc_json_read(const char *path, const musc_read_options *options,
                           musc_music **out, musc_report *report);

/* Serialise to compact JSON text; *data is malloc'd (the caller frees it),
 * *size bytes, followed by a NUL that *size does not count. The music is
 * validated first: MUSC_ERR_INVALID names the bad field; MUSC_ERR_NOMEM. */
musc_status musc_json_write_mem(const musc_music *music, uint8_t **data, size_t *size);

/* musc_json_write_mem with format bits (MUSC_JSON_INDENT). */
musc_status musc_json_write_mem_flags(const musc_music *music, int flags, uint8_t **data,
                                      size_t *size);

/* Write .json, or gzip-compressed when options->compress says so (-1: when
 * the path ends in .gz, case-insensitive); options->flags takes
 * MUSC_JSON_INDENT. `options` may be NULL (defaults: no overwrite,
 * compression by name). Atomic, see musc_write. Errors: MUSC_ERR_EXISTS,
 * MUSC_ERR_IO, MUSC_ERR_INVALID, MUSC_ERR_NOMEM. */
musc_status musc_json_write(const musc_music *music, const char *path,
                            const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
