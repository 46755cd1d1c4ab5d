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
 * "musc_*" keys (controls, pitch bends, pressures, raw events, channel) so
 * MusPy ignores them and musc reads them back.
 */
#ifndef MUSC_JSON_H
#define MUSC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse JSON text (not compressed) into a new music. Errors:
 * MUSC_ERR_FORMAT (with line and column), MUSC_ERR_NOMEM. */
musc_status musc_json_read_mem(const uint8_t *data, size_t size,
                               const musc_read_options *options, musc_music **out,
                               musc_report *report);

/* Read .json or .json.gz (gzip detected by content). */
musc_status musc_json_read(const char *path, const musc_read_options *options,
                           musc_music **out, musc_report *report);

/* Serialise to JSON text; *data malloc'd (caller frees), not NUL-counted. */
musc_status musc_json_write_mem(const musc_music *music, uint8_t **data, size_t *size);

/* Write .json, or gzip-compressed when options->compress says so (-1: when
 * the path ends in .gz). Atomic, see musc_write. */
musc_status musc_json_write(const musc_music *music, const char *path,
                            const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
