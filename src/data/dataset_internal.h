/*
 * Pieces shared by the dataset modules: little-endian byte access, the
 * shard writer, the catalogue writer and the random generator.
 */
#ifndef MUSC_DATA_INTERNAL_H
#define MUSC_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "musc/dataset.h"

static inline void le_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t le_get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline uint64_t le_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* splitmix64: one step of the generator, also a good 64-bit mixer. */
static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* One piece handed to the shard writer. */
typedef struct shard_piece_in {
    const int32_t *rows;
    size_t n_rows;
    uint64_t hash;
    int64_t id;
} shard_piece_in;

/* Write a shard atomically (see the format in dataset.h). `info` gives
 * repr, fields, split and config; counts come from the pieces. */
musc_status musc_shard_write(const char *path, const musc_shard_info *info,
                             const shard_piece_in *pieces, size_t n, int overwrite);

/* Fill the config slots of a shard header from the build options. */
void musc_shard_config_of(const musc_dataset_options *options, int fields,
                          musc_shard_info *info);

/* What the build learns about one file. */
typedef struct dataset_piece {
    char *path;         /* relative to the scanned folder */
    const char *format; /* static name */
    char *error;        /* non-NULL: the file failed, this is why */
    uint64_t hash;
    char *title;
    int resolution;
    double beats, seconds;
    int n_tracks;
    char *instruments, *programs;
    int has_drums;
    double tempo;
    char *key, *meter;
    size_t n_notes;
    int pitch_min, pitch_max;
    /* MusPy metrics for the catalogue (NaN where MusPy gives NaN) */
    double polyphony, pitch_class_entropy, scale_consistency, groove_consistency,
        empty_beat_rate;
    int32_t *rows;
    size_t n_rows;
    /* filled after conversion */
    size_t dup_of; /* index of the piece this duplicates, SIZE_MAX if none */
    int split;
    int given_split; /* 1 + the split a file assigns (piano-roll lists), 0 = by hash */
    int64_t id;    /* catalogue id, 0 for failures and duplicates */
    int selected;
    /* a file of several pieces (an ABC book): one entry per piece, flattened
     * into the list in their place after conversion */
    struct dataset_piece *subs;
    size_t n_subs;
} dataset_piece;

/* Create the catalogue at `path` (a fresh file) from pieces[0..n), run the
 * `where` selection (NULL = all) and set each kept piece's `selected` and
 * the in_shards column. */
musc_status musc_catalogue_write(const char *path, dataset_piece *pieces, size_t n,
                                 const musc_dataset_options *options);

#endif
