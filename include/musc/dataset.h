/*
 * Datasets: from a folder of scores to memory-mapped token shards for
 * training, with an SQLite catalogue of the pieces.
 *
 * musc_dataset_build() scans a folder recursively for every file musc_read()
 * knows by extension (musc_format_from_path), converts the files in parallel
 * threads, drops exact duplicates, splits the pieces into train / valid /
 * test by a hash of their content and writes into the output folder:
 *
 *   train.shard, valid.shard, test.shard   token shards (format below)
 *   catalogue.sqlite                       one row per piece (table below)
 *   failures.tsv                           "path<TAB>reason" per file that
 *                                          could not be read or encoded
 *
 * A file holding several pieces, an ABC tune book, gives one piece per
 * tune, named "book.abc#k" for its k-th tune (1-based); a tune that fails
 * is listed under that name in failures.tsv. Piano-roll lists (rolls.h,
 * the JSB chorales' JSON) likewise give one piece per entry, "file.json#k"
 * (1-based in file order), and each such piece keeps the split the file
 * gives it (its "train", "valid" or "test" list) instead of the hash
 * split below; entries of any other key are split by hash.
 *
 * The output is byte-identical whatever the number of threads: files are
 * sorted by path, each is converted on its own, and results are gathered in
 * path order. One bad file never stops a build; it is listed in
 * failures.tsv.
 *
 * Content hash: 64-bit FNV-1a over the piece's notes quantized to 12 ticks
 * per quarter (nearest, halves up), each note as (onset, duration, pitch,
 * program, drum flag) in little-endian int64s, the notes sorted, so the
 * hash ignores the file format, the resolution, track order, velocities,
 * tempo and metadata. Of several files with one hash the first by path is
 * kept; the others are recorded in the catalogue's `duplicates` table.
 *
 * Split: u = (splitmix64(hash) >> 11) / 2^53 in [0, 1) goes to train when
 * u < a/(a+b+c), to valid when u < (a+b)/(a+b+c), else to test, for ratios
 * a:b:c (default 8:1:1). A piece keeps its split when files are added or
 * removed, and identical music lands in one split only.
 *
 * ---- Shard file format, version 1 (all integers little-endian) ----------
 *
 *   offset size  field
 *        0    8  magic "MUSCSHRD"
 *        8    4  version (1)
 *       12    4  header size in bytes (192)
 *       16    4  representation (musc_dataset_repr)
 *       20    4  fields: int32 codes per row (MMT 6, event 1, REMI 1,
 *                note 3 or 4)
 *       24    4  split (0 train, 1 valid, 2 test)
 *       28    4  reserved, 0
 *       32    8  n_pieces
 *       40    8  n_rows: rows of all pieces together
 *       48    8  index offset (bytes from the start of the file)
 *       56    8  rows offset (a multiple of 64)
 *       64   96  config: 12 int64 slots describing the representation's
 *                options (below; unused slots 0)
 *      160   16  reserved, 0
 *      176    8  file size in bytes
 *      184    4  CRC-32 (zlib) of bytes 192 .. end of file
 *      188    4  CRC-32 (zlib) of header bytes 0 .. 187
 *      192       index: n_pieces entries of 32 bytes:
 *                  uint64 first row, uint64 n_rows, uint64 content hash,
 *                  int64 catalogue piece id
 *                zero padding up to the rows offset
 *   rows offset  n_rows * fields int32 codes, row-major, pieces one after
 *                another in index order (path order)
 *
 * Config slots by representation (f = the slot holds an IEEE-754 double
 * bit for bit):
 *   MMT:   0 max_beat, 1 keep_drums, 2 shift_to_first_beat, 3 max_seq_len
 *   event: 0 use_single_note_off_event, 1 use_end_of_sequence_event,
 *          2 encode_velocity, 3 force_velocity_event, 4 max_time_shift,
 *          5 velocity_bins, 6 resolution (the music is rescaled to it
 *          before encoding)
 *   REMI:  0 ppq, 1 max_duration, 2 n_velocities, 3 n_tempos,
 *          4 tempo_min (f), 5 tempo_max (f), 6 use_programs, 7 use_tempos,
 *          8 use_chords, 9 use_time_signatures, 10 use_bos_eos
 *   note:  0 use_start_end, 1 encode_velocity, 2 resolution (as event)
 *
 * ---- Catalogue (catalogue.sqlite) ---------------------------------------
 *
 *   pieces(id INTEGER PRIMARY KEY, path TEXT (relative to the scanned
 *     folder), hash TEXT (16 hex digits), format TEXT, title TEXT,
 *     split TEXT ('train', 'valid', 'test'), in_shards INTEGER (0 when
 *     --where left it out), resolution INTEGER, beats REAL (end time in
 *     quarter notes), seconds REAL, n_tracks INTEGER, instruments TEXT
 *     (MMT instrument names, comma-separated, sorted, 'drums' for drum
 *     tracks), programs TEXT (GM programs of pitched tracks, comma-separated,
 *     sorted), has_drums INTEGER, tempo REAL (first tempo, 120 when none),
 *     key TEXT ('C major', 'A minor', NULL when none), meter TEXT ('3/4',
 *     NULL when none), n_notes INTEGER, pitch_min INTEGER, pitch_max
 *     INTEGER, n_rows INTEGER (encoded rows), and MusPy metrics of the
 *     whole piece with MusPy's defaults (metrics.h; NULL where MusPy gives
 *     NaN): polyphony, pitch_class_entropy, scale_consistency,
 *     groove_consistency (measure = 4 quarters), empty_beat_rate, all REAL)
 *   duplicates(path TEXT, hash TEXT, duplicate_of TEXT)
 *   info(key TEXT PRIMARY KEY, value TEXT): musc version, repr, split ratios
 */
#ifndef MUSC_DATASET_H
#define MUSC_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "musc/repr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum musc_dataset_repr {
    MUSC_DATASET_MMT = 1,
    MUSC_DATASET_EVENT = 2,
    MUSC_DATASET_REMI = 3,
    MUSC_DATASET_NOTE = 4
} musc_dataset_repr;

enum { MUSC_SPLIT_TRAIN = 0, MUSC_SPLIT_VALID = 1, MUSC_SPLIT_TEST = 2, MUSC_N_SPLITS = 3 };

#define MUSC_SHARD_VERSION 1
#define MUSC_SHARD_HEADER_SIZE 192
#define MUSC_SHARD_CONFIG_SLOTS 12

/* Name of a representation ("mmt", "event", "remi", "note"), NULL if unknown. */
const char *musc_dataset_repr_name(int repr);

/* The representation called `name`, or 0 if none. */
int musc_dataset_repr_from_name(const char *name);

/* Name of a split ("train", "valid", "test"), NULL if out of range. */
const char *musc_split_name(int split);

/* Called from the thread that runs musc_dataset_build() after each file
 * (done of total), so a command-line tool can draw a progress bar. */
typedef void (*musc_dataset_progress_fn)(void *user, size_t done, size_t total);

typedef struct musc_dataset_options {
    int repr;                 /* musc_dataset_repr, default MUSC_DATASET_MMT */
    int jobs;                 /* converting threads, default 1, 1..256 */
    unsigned split[3];        /* train:valid:test ratios, default 8:1:1 */
    const char *where;        /* SQL condition on the catalogue's pieces
                                 table selecting what goes into the shards,
                                 NULL = all */
    int overwrite;            /* replace an existing output, default 0 */
    int resolution;           /* event and note: ticks per quarter the music
                                 is rescaled to, default 24 (MusPy) */
    musc_mmt_options mmt;
    musc_event_options event;
    musc_remi_options remi;
    musc_note_repr_options note;
    musc_dataset_progress_fn progress; /* may be NULL */
    void *progress_user;
} musc_dataset_options;

/* Defaults: MMT with max_beat 1024 (so the loader can cut windows of 256
 * beats anywhere in a piece) and shift_to_first_beat (as MMT's extract.py),
 * one job, 8:1:1, every piece, no overwrite, MusPy's defaults for the
 * other representations. */
musc_dataset_options musc_dataset_options_default(void);

typedef struct musc_dataset_summary {
    size_t n_files;      /* files found */
    size_t n_failed;     /* entries in failures.tsv (files, or tunes of a book) */
    size_t n_duplicates; /* dropped as duplicates */
    size_t n_pieces;     /* catalogue rows */
    size_t n_selected;   /* pieces in the shards (the --where subset) */
    size_t pieces[MUSC_N_SPLITS];
    uint64_t rows[MUSC_N_SPLITS];
} musc_dataset_summary;

/* Build a dataset from the files under `dir` into the folder `out` (created
 * if absent; its files are written under temporary names and renamed into
 * place). `options` may be NULL (defaults); `summary` may be NULL. Errors:
 * MUSC_ERR_ARG (bad options, or a `where` clause that does not compile, with
 * SQLite's message), MUSC_ERR_EXISTS (out already holds a dataset and
 * !overwrite), MUSC_ERR_IO (dir unreadable, out unwritable), MUSC_ERR_NOMEM.
 * Files that fail are no error: they go to failures.tsv. Every piece's codes
 * stay in memory until the shards are written (4 bytes a code: POP909 in MMT
 * takes 36 MB). */
musc_status musc_dataset_build(const char *dir, const char *out,
                               const musc_dataset_options *options,
                               musc_dataset_summary *summary);

/* One result row of musc_dataset_query: n columns, names and values as
 * text (NULL for SQL NULL). Return nonzero to stop. */
typedef int (*musc_row_fn)(void *user, int n, const char *const *names,
                           const char *const *values);

/* List the catalogue's pieces (all columns, by id) matching the SQL
 * condition `where` (NULL or "" = all) of the dataset in `out`. The
 * catalogue is opened read-only and the condition may only read: anything
 * else (two statements, writes, ATTACH, PRAGMA) is refused with
 * MUSC_ERR_ARG. Errors: MUSC_ERR_NOTFOUND (no catalogue), MUSC_ERR_ARG,
 * MUSC_ERR_FORMAT (not a musc catalogue). */
musc_status musc_dataset_query(const char *out, const char *where, musc_row_fn fn,
                               void *user);

/* Figures of a built dataset (musc dataset stats). */
typedef struct musc_dataset_stats {
    int repr;
    size_t pieces[MUSC_N_SPLITS];   /* in the shards */
    double seconds[MUSC_N_SPLITS];
    uint64_t notes[MUSC_N_SPLITS];
    uint64_t rows[MUSC_N_SPLITS];   /* from the shard headers */
    uint64_t codes[MUSC_N_SPLITS];  /* rows * fields */
    size_t n_failed, n_duplicates, n_left_out; /* left out = not selected by --where */
    /* Instrument histogram over the pieces in the shards: names[i] appears
     * in counts[i] pieces, most frequent first (ties by name). */
    char **names;
    size_t *counts;
    size_t n_instruments;
} musc_dataset_stats;

/* Read the figures of the dataset in `out` (catalogue and shard headers;
 * each shard is fully validated). Free with musc_dataset_stats_clear().
 * Errors as musc_dataset_query and musc_shard_open. */
musc_status musc_dataset_stats_read(const char *out, musc_dataset_stats *stats);

/* Free what musc_dataset_stats_read allocated and zero the struct. NULL is a
 * no-op. */
void musc_dataset_stats_clear(musc_dataset_stats *stats);

/* ---- shards ------------------------------------------------------------- */

typedef struct musc_shard musc_shard; /* an open, memory-mapped shard */

typedef struct musc_shard_info {
    uint32_t version;
    int repr;      /* musc_dataset_repr */
    int fields;    /* int32 codes per row */
    int split;
    uint64_t n_pieces;
    uint64_t n_rows;
    int64_t config[MUSC_SHARD_CONFIG_SLOTS];
} musc_shard_info;

typedef struct musc_shard_piece {
    const int32_t *rows; /* n_rows * fields codes, inside the mapping */
    size_t n_rows;
    uint64_t hash;
    int64_t id;          /* catalogue pieces.id */
} musc_shard_piece;

/* Map a shard read-only and check it: magic, version, header checksum,
 * sizes and offsets against the file size, the index, and the CRC-32 of the
 * whole body. Errors: MUSC_ERR_IO (cannot open or map), MUSC_ERR_FORMAT
 * (not a shard, truncated, a checksum mismatch, an inconsistent index; the
 * message says which), MUSC_ERR_UNSUPPORTED (a newer version), MUSC_ERR_NOMEM.
 * Close with musc_shard_close(). The mapping is shared by every reader of
 * the handle; the handle is read-only and safe to use from many threads. */
musc_status musc_shard_open(const char *path, musc_shard **out);

/* Unmap and free. NULL is a no-op. Pointers into the shard die with it. */
void musc_shard_close(musc_shard *shard);

/* The header of an open shard (valid while it is open). */
const musc_shard_info *musc_shard_get_info(const musc_shard *shard);

/* Piece `index` (< n_pieces): pointers into the mapping. MUSC_ERR_ARG when
 * out of range. */
musc_status musc_shard_get_piece(const musc_shard *shard, size_t index,
                                 musc_shard_piece *piece);

/* The MMT options a shard was built with (decoding qpm default).
 * MUSC_ERR_ARG if the shard is not MMT. */
musc_status musc_shard_mmt_options(const musc_shard *shard, musc_mmt_options *options);

/* ---- loader: random training windows ------------------------------------
 *
 * A loader draws training examples from one open shard with its own random
 * generator (splitmix64 seeded by `seed`), so a seed gives the same stream
 * of examples on every machine. One loader per thread; the shard may be
 * shared.
 *
 * Each example is a window of at most `window` rows:
 *  - MMT: MMT's dataset.py. A random piece; a random start beat with up to
 *    10 draws to find a window with > 10 notes (or with as many notes as
 *    the piece has, when fewer); the notes whose beats fall in [start,
 *    start + beats) with beats re-zeroed; then augmentation; then start-of-
 *    song, the instrument rows of the notes kept, start-of-notes, the
 *    notes, end-of-song, cut to `window` rows keeping end-of-song last.
 *    `beats` 0 takes the shard's max_beat.
 *  - event, REMI, note: a random piece and a random window of `window`
 *    consecutive rows inside it (the whole piece when shorter).
 * Augmentation:
 *  - transposition by s, uniform in [transpose_min, transpose_max] and
 *    narrowed so that every pitched note of the window stays in 0..127
 *    (s = 0 when no shift fits); drums never move (MMT class 65, REMI
 *    Program_128). MMT's training uses -5..6. event: note-on and note-off
 *    codes move; REMI: Pitch tokens; note: the pitch column.
 *  - time stretch by f, uniform in [stretch_min, stretch_max] (1..1 = off;
 *    0.5..2 allowed): MMT onsets become round(12 * beat + position) * f
 *    (halves up) and durations snap again to MMT's lengths; notes pushed
 *    past `beats` are dropped; note: time and duration (or end) columns
 *    scale alike. event and REMI encode time in tokens whose stretch is
 *    not a simple map: a stretch range other than 1..1 is MUSC_ERR_UNSUPPORTED
 *    for them.
 */
typedef struct musc_loader musc_loader;

typedef struct musc_loader_options {
    size_t window;        /* rows per example, default 1024 (MMT), >= 4 for MMT */
    int beats;            /* MMT: beats per window, default 256; 0 = the shard's max_beat */
    uint64_t seed;        /* default 0 */
    int transpose_min;    /* default 0 */
    int transpose_max;    /* default 0 */
    double stretch_min;   /* default 1 */
    double stretch_max;   /* default 1 */
} musc_loader_options;

/* Defaults: window 1024 rows, 256 beats, seed 0, no transposition, no
 * stretch. MMT's training augmentation is transpose -5..6. */
musc_loader_options musc_loader_options_default(void);

/* A loader over `shard` (not owned; keep it open while the loader lives).
 * Errors: MUSC_ERR_ARG (bad options, an empty shard), MUSC_ERR_UNSUPPORTED
 * (stretch for event/REMI), MUSC_ERR_NOMEM. */
musc_status musc_loader_new(const musc_shard *shard, const musc_loader_options *options,
                            musc_loader **out);

/* Free a loader (not its shard). NULL is a no-op. */
void musc_loader_free(musc_loader *loader);

/* Draw the next example into `rows` (room for window * fields codes) and
 * its length in rows into *n_rows (<= window; the rest of the buffer is
 * zero). *piece, if not NULL, receives the piece's index in the shard and
 * *shift the transposition applied. Errors: MUSC_ERR_FORMAT (a piece whose
 * rows are not valid for the representation), MUSC_ERR_NOMEM. */
musc_status musc_loader_next(musc_loader *loader, int32_t *rows, size_t *n_rows,
                             size_t *piece, int *shift);

#ifdef __cplusplus
}
#endif
#endif
