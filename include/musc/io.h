/*
 * Reading and writing files: options, repair reports and the format-neutral
 * entry points that pick a reader or writer from the file name.
 *
 * Readers have two modes. Strict: any violation of the format is an error.
 * Repair (the default): damage that can be worked around (a truncated track,
 * a wrong chunk length, a missing end-of-track, an illegal status byte, ...)
 * is fixed and each fix is appended to a musc_report the caller may pass.
 */
#ifndef MUSC_IO_H
#define MUSC_IO_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a reader pairs a note-off with earlier note-ons of the same pitch on
 * the same channel (and track). */
typedef enum musc_overlap {
    MUSC_OVERLAP_FIFO = 0,     /* close the earliest open note (default, MusPy) */
    MUSC_OVERLAP_LIFO = 1,     /* close the latest open note */
    MUSC_OVERLAP_CLOSE_ALL = 2 /* close every open note of that pitch */
} musc_overlap;

typedef struct musc_read_options {
    int strict;           /* nonzero: refuse damaged input instead of repairing */
    musc_overlap overlap; /* note pairing policy for MIDI-like input */
    int index;            /* which item of a collection (ABC tune book): 0-based, -1 = first */
    int flags;            /* format-specific bits, see each format's header */
} musc_read_options;

/* Defaults: repair mode, FIFO pairing, first item. */
musc_read_options musc_read_options_default(void);

typedef struct musc_write_options {
    int overwrite; /* nonzero: replace an existing file (else MUSC_ERR_EXISTS) */
    int compress;  /* formats that can compress (JSON: -1 = by .gz extension, 0 no, 1 yes) */
    int flags;     /* format-specific bits */
} musc_write_options;

/* Defaults: refuse to overwrite, compression from the file name. */
musc_write_options musc_write_options_default(void);

/* One repair made while reading damaged input. */
typedef struct musc_repair {
    int kind;        /* musc_repair_kind */
    int64_t offset;  /* byte offset in the input (or line number for text formats) */
    char *message;   /* what was wrong and what was done, owned */
} musc_repair;

typedef enum musc_repair_kind {
    MUSC_REPAIR_TRUNCATED = 1,      /* input ended inside a chunk or event */
    MUSC_REPAIR_CHUNK_LENGTH = 2,   /* a chunk length disagreed with the data */
    MUSC_REPAIR_MISSING_EOT = 3,    /* a track lacked its end-of-track event */
    MUSC_REPAIR_BAD_STATUS = 4,     /* an illegal or missing status byte was skipped */
    MUSC_REPAIR_BAD_DATA = 5,       /* a data byte > 127 or a bad meta length */
    MUSC_REPAIR_TRACK_COUNT = 6,    /* header track count disagreed with the file */
    MUSC_REPAIR_UNCLOSED_NOTE = 7,  /* a note still open at the end of its track */
    MUSC_REPAIR_OTHER = 8
} musc_repair_kind;

/* Short name of a repair kind ("truncated", "chunk_length", ...). */
const char *musc_repair_kind_name(int kind);

typedef struct musc_report {
    musc_repair *repairs;
    size_t n_repairs, cap_repairs;
} musc_report;

/* Append a repair (message printf-style). MUSC_ERR_NOMEM on failure. */
musc_status musc_report_add(musc_report *report, int kind, int64_t offset,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Free the repairs a report holds and zero it. NULL is a no-op. */
void musc_report_clear(musc_report *report);

/* The file formats musc knows. */
typedef enum musc_format {
    MUSC_FORMAT_UNKNOWN = 0,
    MUSC_FORMAT_MIDI,
    MUSC_FORMAT_JSON,
    MUSC_FORMAT_MUSICXML,
    MUSC_FORMAT_MXL,
    MUSC_FORMAT_ABC,
    MUSC_FORMAT_NPZ,
    MUSC_FORMAT_KERN /* Humdrum **kern, read only */
} musc_format;

/* The format a path names by its extension (case-insensitive): .mid .midi
 * .rmi .smf; .json .json.gz; .xml .musicxml; .mxl; .abc; .npz; .krn. */
musc_format musc_format_from_path(const char *path);

/* Name of a format ("midi", "json", ...). */
const char *musc_format_name(musc_format format);

/* Read any supported file, choosing the reader by extension. On success
 * *out holds a new music the caller frees. `options` and `report` may be
 * NULL. Errors: MUSC_ERR_IO, MUSC_ERR_FORMAT, MUSC_ERR_UNSUPPORTED (unknown
 * extension or a format not built in), MUSC_ERR_NOMEM. */
musc_status musc_read(const char *path, const musc_read_options *options,
                      musc_music **out, musc_report *report);

/* Write a music, choosing the writer by extension. The file is written to a
 * temporary name beside it and renamed into place, so a failure never leaves
 * a half-written file. Errors: MUSC_ERR_EXISTS (exists and !overwrite),
 * MUSC_ERR_IO, MUSC_ERR_INVALID, MUSC_ERR_UNSUPPORTED, MUSC_ERR_NOMEM. */
musc_status musc_write(const musc_music *music, const char *path,
                       const musc_write_options *options);

/* Read a whole file into memory (limit: max_size bytes, 0 = 1 GiB). *data is
 * malloc'd; the caller frees it. MUSC_ERR_IO / MUSC_ERR_NOMEM. */
musc_status musc_file_read_all(const char *path, size_t max_size, uint8_t **data,
                               size_t *size);

/* Write a buffer atomically: temporary file beside `path`, fsync, rename.
 * Refuses to replace an existing file unless `overwrite`. */
musc_status musc_file_write_atomic(const char *path, const void *data, size_t size,
                                   int overwrite);

#ifdef __cplusplus
}
#endif
#endif
