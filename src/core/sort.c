/*
 * Stable sorting of every timed list. qsort is not stable, so each element
 * is ordered by its key and then by its original index, which a merge sort
 * would give for free; a small generic merge sort keeps it simple instead.
 */
#include "musc/music.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef int (*cmp_fn)(const void *, const void *);

/* The fallback insertion sort below moves elements through a 64-byte
 * buffer, and cmp_time reads the leading int64_t time: every sorted element
 * type must fit and start with its time. */
#define FITS(type)                                                                   \
    _Static_assert(sizeof(type) <= 64 && offsetof(type, time) == 0,                  \
                   #type " must be <= 64 bytes and start with its time")
FITS(musc_note);
FITS(musc_chord);
FITS(musc_tempo);
FITS(musc_key_signature);
FITS(musc_time_signature);
FITS(musc_lyric);
FITS(musc_annotation);
FITS(musc_control);
FITS(musc_pitch_bend);
FITS(musc_pressure);
FITS(musc_raw_event);

/* Bottom-up stable merge sort with one scratch buffer. Falls back to an
 * insertion sort (also stable) when the scratch buffer cannot be allocated. */
static void stable_sort(void *base, size_t n, size_t elem, cmp_fn cmp)
{
    if (n < 2)
        return;
    char *a = base;
    /* fast path: already sorted (the usual case after reading a file) */
    size_t i;
    for (i = 1; i < n; i++)
        if (cmp(a + (i - 1) * elem, a + i * elem) > 0)
            break;
    if (i == n)
        return;
    char *tmp = malloc(n * elem);
    if (!tmp) {
        char t[64];
        for (size_t j = 1; j < n; j++) {
            if (elem > sizeof t)
                return; /* cannot happen for the model's element types */
            memcpy(t, a + j * elem, elem);
            size_t k = j;
            while (k > 0 && cmp(a + (k - 1) * elem, t) > 0) {
                memcpy(a + k * elem, a + (k - 1) * elem, elem);
                k--;
            }
            memcpy(a + k * elem, t, elem);
        }
        return;
    }
    char *src = a, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t l = lo, r = mid, o = lo;
            while (l < mid && r < hi) {
                if (cmp(src + r * elem, src + l * elem) < 0)
                    memcpy(dst + o++ * elem, src + r++ * elem, elem);
                else
                    memcpy(dst + o++ * elem, src + l++ * elem, elem);
            }
            if (l < mid)
                memcpy(dst + o * elem, src + l * elem, (mid - l) * elem), o += mid - l;
            if (r < hi)
                memcpy(dst + o * elem, src + r * elem, (hi - r) * elem);
        }
        char *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * elem);
    free(tmp);
}

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

/* Every other element type starts with `int64_t time`. */
static int cmp_time(const void *pa, const void *pb)
{
    int64_t a, b;
    memcpy(&a, pa, sizeof a);
    memcpy(&b, pb, sizeof b);
    return CMP(a, b);
}

#define SORT_BY_TIME(obj, field) stable_sort((obj)->field, (obj)->n_##field, sizeof *(obj)->field, cmp_time)

void musc_music_sort(musc_music *m)
{
    SORT_BY_TIME(m, tempos);
    SORT_BY_TIME(m, key_signatures);
    SORT_BY_TIME(m, time_signatures);
    SORT_BY_TIME(m, lyrics);
    SORT_BY_TIME(m, annotations);
    SORT_BY_TIME(m, raw_events);
    for (size_t i = 0; i < m->n_tracks; i++)
        musc_track_sort(&m->tracks[i]);
}

void musc_track_sort(musc_track *t)
{
    stable_sort(t->notes, t->n_notes, sizeof *t->notes, cmp_note);
    SORT_BY_TIME(t, chords);
    SORT_BY_TIME(t, lyrics);
    SORT_BY_TIME(t, annotations);
    SORT_BY_TIME(t, controls);
    SORT_BY_TIME(t, pitch_bends);
    SORT_BY_TIME(t, pressures);
    SORT_BY_TIME(t, hairpins);
}
