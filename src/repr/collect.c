/*
 * Note gathering and single-track construction shared by the MusPy-style
 * representations. MusPy merges all tracks into one stream before encoding
 * and decodes into a single track; these helpers do exactly that.
 */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))

static int cmp_note(const void *pa, const void *pb)
{
    const musc_note *a = pa, *b = pb;
    int c = CMP(a->time, b->time);
    if (!c) c = CMP(a->pitch, b->pitch);
    if (!c) c = CMP(a->duration, b->duration);
    if (!c) c = CMP(a->velocity, b->velocity);
    return c;
}

void musc_repr_sort_notes(musc_note *notes, size_t n)
{
    /* the key covers every field, so equal notes are identical and qsort's
     * instability cannot show */
    if (n > 1)
        qsort(notes, n, sizeof *notes, cmp_note);
}

musc_status musc_repr_collect_notes(const musc_music *music, musc_note **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t total = 0;
    for (size_t i = 0; i < music->n_tracks; i++)
        total += music->tracks[i].n_notes;
    if (total == 0)
        return MUSC_OK;
    if (total > SIZE_MAX / sizeof(musc_note))
        return musc_error(MUSC_ERR_NOMEM, "too many notes (%zu)", total);
    musc_note *notes = malloc(total * sizeof *notes);
    if (!notes)
        return musc_error(MUSC_ERR_NOMEM, "out of memory collecting %zu notes", total);
    size_t k = 0;
    for (size_t i = 0; i < music->n_tracks; i++) {
        const musc_track *t = &music->tracks[i];
        if (t->n_notes)
            memcpy(notes + k, t->notes, t->n_notes * sizeof *notes);
        k += t->n_notes;
    }
    musc_repr_sort_notes(notes, total);
    *out = notes;
    *n = total;
    return MUSC_OK;
}

musc_music *musc_repr_new_single_track(int resolution, int program, int is_drum,
                                       musc_track **track)
{
    musc_music *m = musc_music_new(resolution);
    if (!m)
        return NULL;
    musc_track *t = musc_music_add_track(m, program, is_drum, NULL);
    if (!t) {
        musc_music_free(m);
        musc_error(MUSC_ERR_NOMEM, "out of memory adding a track");
        return NULL;
    }
    *track = t;
    return m;
}

musc_status musc_repr_check_decode(const char *who, int resolution, int program,
                                   int default_velocity)
{
    if (resolution < 1)
        return musc_error(MUSC_ERR_ARG, "%s: resolution = %d, expected >= 1", who, resolution);
    if (program < 0 || program > 127)
        return musc_error(MUSC_ERR_ARG, "%s: program = %d, expected 0..127", who, program);
    if (default_velocity < 0 || default_velocity > 127)
        return musc_error(MUSC_ERR_ARG, "%s: default_velocity = %d, expected 0..127", who,
                          default_velocity);
    return MUSC_OK;
}
