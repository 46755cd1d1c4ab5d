/*
 * Pypianoroll's .npz piano-roll files, both ways, and the NumPy .npy arrays
 * they are made of.
 *
 * A .npz is a zip archive of .npy members (numpy.savez / savez_compressed).
 * Pypianoroll (Multitrack.save, v1) stores:
 *   pianoroll_{i}_csc_data, _indices, _indptr, _shape   track i's (T, 128)
 *       roll as the parts of a scipy.sparse CSC matrix: column = pitch,
 *       row = time step; _shape is the int array (T, 128)
 *   tempo      optional (T,) float64, qpm at each step
 *   downbeat   optional (T,) bool, first step of each bar
 *   beat       optional (T,) bool (newer Pypianoroll)
 *   info.json  {"resolution": r, "name": str|null,
 *               "0": {"program": p, "is_drum": bool, "name": str}, ...}
 *               ("beat_resolution" is read as a legacy name of resolution)
 *
 * Reading builds one musc track per roll: each run of consecutive steps
 * where a pitch's value is > 0 becomes one note, with the value at its
 * first step as velocity (clipped to 1..127), or MUSC_DEFAULT_VELOCITY for
 * boolean rolls (MusPy's from_pypianoroll intends this; it passes the flag
 * inverted). Duplicate CSC entries add up, as in scipy. Tempo changes come
 * from the steps where the tempo array changes (as MusPy). The beat and
 * downbeat arrays are checked but not kept: musc derives beats from time
 * signatures. An empty name ("") reads as no name.
 *
 * Writing follows MusPy's to_pypianoroll + Pypianoroll's save: every track
 * becomes a (T, 128) roll with T = musc_music_end_time(), uint8 velocities
 * (or bool with MUSC_NPZ_BINARY), painted in stored note order (a later
 * note overwrites an earlier overlapping one; zero-length notes vanish);
 * tempo as a per-step array when the music has tempos (120 before the
 * first); beat and downbeat arrays when it has time signatures. Notes of
 * one pitch that touch merge when read back: rolls cannot separate them.
 *
 * Hostile input: members are limited to MUSC_NPZ_MAX_MEMBER bytes
 * uncompressed and MUSC_NPZ_MAX_TOTAL in all, every index is checked, and
 * nothing of size T x 128 is allocated when reading, so a forged shape
 * cannot exhaust memory.
 */
#ifndef MUSC_NPZ_H
#define MUSC_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_NPZ_MAX_MEMBER ((size_t)256 << 20) /* bytes, one uncompressed member */
#define MUSC_NPZ_MAX_TOTAL ((size_t)1 << 30)    /* bytes, all members together */
#define MUSC_NPZ_MAX_STEPS ((int64_t)1 << 22)   /* steps per roll when writing */

/* musc_write_options.flags bit: write boolean rolls (Pypianoroll's
 * BinaryTrack) instead of uint8 velocities. */
#define MUSC_NPZ_BINARY 1

/* ---- .npy arrays ----------------------------------------------------------- */

typedef enum musc_npy_dtype {
    MUSC_NPY_BOOL = 0, /* |b1 */
    MUSC_NPY_U8,       /* |u1 */
    MUSC_NPY_I8,       /* |i1 */
    MUSC_NPY_I16,      /* <i2 */
    MUSC_NPY_U16,      /* <u2 */
    MUSC_NPY_I32,      /* <i4 */
    MUSC_NPY_U32,      /* <u4 */
    MUSC_NPY_I64,      /* <i8 */
    MUSC_NPY_U64,      /* <u8 */
    MUSC_NPY_F32,      /* <f4 */
    MUSC_NPY_F64       /* <f8 */
} musc_npy_dtype;

#define MUSC_NPY_MAX_DIMS 8

/* A parsed .npy array: a view into the buffer it was parsed from. */
typedef struct musc_npy {
    musc_npy_dtype dtype;
    int ndim;                         /* 0 for a scalar */
    int64_t shape[MUSC_NPY_MAX_DIMS];
    int fortran_order;                /* nonzero: column-major (only 0/1-D are read) */
    size_t count;                     /* number of elements */
    size_t itemsize;                  /* bytes per element */
    const uint8_t *data;              /* count * itemsize bytes, little-endian */
} musc_npy;

/* Parse a .npy file image (format versions 1.0, 2.0 and 3.0): magic,
 * header dict {'descr', 'fortran_order', 'shape'}, then the data, which
 * must be at least as long as the shape says (trailing bytes are ignored).
 * Big-endian and structured dtypes are MUSC_ERR_UNSUPPORTED; anything
 * malformed is MUSC_ERR_FORMAT. `out` points into `buf`. */
musc_status musc_npy_parse(const uint8_t *buf, size_t size, musc_npy *out);

/* Element i of an array as int64 (floats truncated toward zero, clamped)
 * or as double. i must be < count. */
int64_t musc_npy_get_i64(const musc_npy *a, size_t i);
double musc_npy_get_f64(const musc_npy *a, size_t i);

/* Serialise an array as a version 1.0 .npy image (version 2.0 when the
 * header needs it), C order, header padded to a multiple of 64 bytes as
 * numpy does. `data` holds the elements little-endian. *out is malloc'd;
 * the caller frees it. Errors: MUSC_ERR_ARG, MUSC_ERR_NOMEM. */
musc_status musc_npy_write(musc_npy_dtype dtype, int ndim, const int64_t *shape,
                           const void *data, uint8_t **out, size_t *out_size);

/* ---- .npz piano-roll files -------------------------------------------------- */

/* Read a Pypianoroll .npz image into a new music. `options` and `report`
 * may be NULL; in repair mode (the default) bad tempo values are skipped
 * and reported, in strict mode they are errors. Errors: MUSC_ERR_FORMAT
 * (not a zip, a missing or malformed member, naming it), MUSC_ERR_UNSUPPORTED
 * (a dtype musc does not read), MUSC_ERR_NOMEM (also a limit exceeded). */
musc_status musc_npz_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                              musc_music **out, musc_report *report);

/* Read a .npz file (see musc_npz_read_mem); MUSC_ERR_IO if unreadable. */
musc_status musc_npz_read(const char *path, const musc_read_options *options, musc_music **out,
                          musc_report *report);

/* Serialise a music as a Pypianoroll .npz image; *data is malloc'd (the
 * caller frees it). options may be NULL: compressed (deflate) by default,
 * stored with options->compress == 0; MUSC_NPZ_BINARY in options->flags
 * writes boolean rolls. Errors: MUSC_ERR_INVALID (invalid music),
 * MUSC_ERR_RANGE (more than MUSC_NPZ_MAX_STEPS steps), MUSC_ERR_NOMEM. */
musc_status musc_npz_write_mem(const musc_music *music, const musc_write_options *options,
                               uint8_t **data, size_t *size);

/* Write a .npz file atomically (see musc_write). */
musc_status musc_npz_write(const musc_music *music, const char *path,
                           const musc_write_options *options);

#ifdef __cplusplus
}
#endif
#endif
