/*
 * Merging tracks into one. The first listed track receives everything the
 * others hold and keeps its own program, drum flag, channel and names; the
 * others are removed. Every destination array is grown to its final size
 * before any element moves, so running out of memory leaves the music as it
 * was; after that the merge only moves elements (owned strings and pitch
 * arrays change hands, nothing is copied) and cannot fail.
 */
#include "musc/process.h"

#include <stdlib.h>
#include <string.h>

#include "../core/grow.h"

/* Sum of one list's counts over the source tracks, or SIZE_MAX on overflow. */
#define TOTAL(m, idx, n, field, out)                                            \
    do {                                                                        \
        (out) = 0;                                                              \
        for (size_t i_ = 0; i_ < (n); i_++) {                                   \
            size_t c_ = (m)->tracks[(idx)[i_]].n_##field;                       \
            (out) = (out) > SIZE_MAX - c_ ? SIZE_MAX : (out) + c_;              \
        }                                                                       \
    } while (0)

#define RESERVE(m, idx, n, dst, field)                                          \
    do {                                                                        \
        size_t need_;                                                           \
        TOTAL(m, idx, n, field, need_);                                         \
        if (need_ == SIZE_MAX || MUSC_GROW((dst)->field, (dst)->cap_##field, need_)) \
            return musc_error(MUSC_ERR_NOMEM, "out of memory merging %s", #field); \
    } while (0)

/* Move a source list to the end of the destination's (room is reserved). */
#define MOVE(dst, src, field)                                                   \
    do {                                                                        \
        if ((src)->n_##field)                                                   \
            memcpy((dst)->field + (dst)->n_##field, (src)->field,               \
                   (src)->n_##field * sizeof *(src)->field);                    \
        (dst)->n_##field += (src)->n_##field;                                   \
        (src)->n_##field = 0;                                                   \
    } while (0)

static musc_status reserve(musc_music *m, const size_t *idx, size_t n)
{
    musc_track *d = &m->tracks[idx[0]];
    RESERVE(m, idx, n, d, notes);
    RESERVE(m, idx, n, d, chords);
    RESERVE(m, idx, n, d, lyrics);
    RESERVE(m, idx, n, d, annotations);
    RESERVE(m, idx, n, d, controls);
    RESERVE(m, idx, n, d, pitch_bends);
    RESERVE(m, idx, n, d, pressures);
    RESERVE(m, idx, n, d, hairpins);
    return MUSC_OK;
}

static int by_index_desc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x < y) - (x > y);
}

musc_status musc_merge_tracks(musc_music *music, const size_t *indices, size_t n)
{
    if (!music || (n && !indices))
        return musc_error(MUSC_ERR_ARG, "music or indices is NULL");
    if (n == 0)
        return musc_error(MUSC_ERR_ARG, "no tracks to merge");
    for (size_t i = 0; i < n; i++) {
        if (indices[i] >= music->n_tracks)
            return musc_error(MUSC_ERR_ARG, "indices[%zu] = %zu, expected < %zu tracks", i,
                              indices[i], music->n_tracks);
        for (size_t j = 0; j < i; j++)
            if (indices[j] == indices[i])
                return musc_error(MUSC_ERR_ARG, "track %zu is listed twice (indices[%zu], "
                                  "indices[%zu])", indices[i], j, i);
    }
    if (n == 1)
        return MUSC_OK;
    size_t *gone = malloc((n - 1) * sizeof *gone);
    if (!gone)
        return musc_error(MUSC_ERR_NOMEM, "out of memory merging tracks");
    musc_status rc = reserve(music, indices, n);
    if (rc) {
        free(gone);
        return rc;
    }
    musc_track *d = &music->tracks[indices[0]];
    for (size_t i = 1; i < n; i++) {
        musc_track *s = &music->tracks[indices[i]];
        MOVE(d, s, notes);
        MOVE(d, s, chords);
        MOVE(d, s, lyrics);
        MOVE(d, s, annotations);
        MOVE(d, s, controls);
        MOVE(d, s, pitch_bends);
        MOVE(d, s, pressures);
        MOVE(d, s, hairpins);
        gone[i - 1] = indices[i];
    }
    musc_track_sort(d);
    /* remove from the highest index down so the lower indices stay valid */
    qsort(gone, n - 1, sizeof *gone, by_index_desc);
    for (size_t i = 0; i + 1 < n; i++)
        musc_music_remove_track(music, gone[i]);
    free(gone);
    return MUSC_OK;
}
