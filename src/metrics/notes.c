/*
 * The notes of a piece in onset order, and time grids.
 *
 * Every metric wants the notes sorted by onset, across tracks. A comparison
 * sort of a few thousand notes costs more than reading the file, so the
 * notes are sorted by a byte-wise radix sort of (onset << 24 | index) keys;
 * bytes that are equal in every key (the high bytes of the onset) are
 * skipped, so a pop song takes three or four passes.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics_internal.h"

void metrics_radix_sort(uint64_t *keys, size_t n, uint64_t *tmp, int first_bit)
{
    if (n < 2)
        return;
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= keys[i];
        all_and &= keys[i];
    }
    uint64_t varying = all_or ^ all_and;
    uint64_t *src = keys, *dst = tmp;
    for (int shift = first_bit; shift < 64; shift += 8) {
        if (!((varying >> shift) & 0xff))
            continue;
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xff]++;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static int64_t note_end(int64_t time, int64_t duration)
{
    /* saturate instead of overflowing on absurd values */
    return duration > INT64_MAX - time ? INT64_MAX : time + duration;
}

int64_t metrics_song_length(const musc_music *m)
{
    int64_t len = 0;
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++)
            len = max64(len, note_end(t->notes[i].time, t->notes[i].duration));
        for (size_t i = 0; i < t->n_chords; i++)
            len = max64(len, note_end(t->chords[i].time, t->chords[i].duration));
        for (size_t i = 0; i < t->n_lyrics; i++) len = max64(len, t->lyrics[i].time);
        for (size_t i = 0; i < t->n_annotations; i++) len = max64(len, t->annotations[i].time);
        for (size_t i = 0; i < t->n_controls; i++) len = max64(len, t->controls[i].time);
    }
    return len;
}

void mnotes_free(mnotes *m)
{
    if (!m)
        return;
    free(m->notes);
    free(m->order);
    free(m->by_track);
    free(m->tstart);
    memset(m, 0, sizeof *m);
}

static int cmp_key_start(const void *a, const void *b)
{
    /* fallback for onsets beyond 2^39 ticks: keys hold (start, index) pairs */
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

musc_status mnotes_build(const musc_music *music, mnotes *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    for (size_t ti = 0; ti < music->n_tracks; ti++)
        n += music->tracks[ti].n_notes;
    if (n > UINT32_MAX || music->n_tracks > UINT32_MAX)
        return musc_error(MUSC_ERR_RANGE, "%zu notes: metrics handle at most 2^32", n);
    out->n = n;
    out->n_tracks = music->n_tracks;
    out->resolution = music->resolution > 0 ? music->resolution : MUSC_DEFAULT_RESOLUTION;
    out->length = metrics_song_length(music);
    out->notes = malloc((n ? n : 1) * sizeof *out->notes);
    out->order = malloc((n ? n : 1) * sizeof *out->order);
    out->by_track = malloc((n ? n : 1) * sizeof *out->by_track);
    out->tstart = calloc(music->n_tracks + 1, sizeof *out->tstart);
    uint64_t *keys = malloc((n ? 2 * n : 1) * sizeof *keys);
    if (!out->notes || !out->order || !out->by_track || !out->tstart || !keys) {
        free(keys);
        mnotes_free(out);
        return musc_error(MUSC_ERR_NOMEM, "out of memory gathering %zu notes", n);
    }
    size_t k = 0;
    int64_t max_start = 0;
    for (size_t ti = 0; ti < music->n_tracks; ti++) {
        const musc_track *t = &music->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++, k++) {
            const musc_note *src = &t->notes[i];
            int64_t s = src->time < 0 ? 0 : src->time;
            mnote *d = &out->notes[k];
            d->start = s;
            d->end = note_end(s, src->duration < 0 ? 0 : src->duration);
            d->pitch = src->pitch < 0 ? 0 : src->pitch > 127 ? 127 : src->pitch;
            d->drum = t->is_drum != 0;
            d->track = (uint32_t)ti;
            max_start = max64(max_start, s);
        }
        out->tstart[ti + 1] = k;
    }
    if (max_start < ((int64_t)1 << 39) && n < ((size_t)1 << 24)) {
        for (size_t i = 0; i < n; i++)
            keys[i] = ((uint64_t)out->notes[i].start << 24) | i;
        metrics_radix_sort(keys, n, keys + n, 24); /* the index bits are already in order */
        for (size_t i = 0; i < n; i++)
            out->order[i] = (uint32_t)(keys[i] & 0xffffff);
    } else {
        int64_t *pairs = malloc((n ? n : 1) * 2 * sizeof *pairs);
        if (!pairs) {
            free(keys);
            mnotes_free(out);
            return musc_error(MUSC_ERR_NOMEM, "out of memory sorting %zu notes", n);
        }
        for (size_t i = 0; i < n; i++) {
            pairs[2 * i] = out->notes[i].start;
            pairs[2 * i + 1] = (int64_t)i;
        }
        qsort(pairs, n, 2 * sizeof *pairs, cmp_key_start);
        for (size_t i = 0; i < n; i++)
            out->order[i] = (uint32_t)pairs[2 * i + 1];
        free(pairs);
    }
    free(keys);
    /* stable partition of the onset order by track */
    size_t *fill = calloc(music->n_tracks + 1, sizeof *fill);
    if (!fill) {
        mnotes_free(out);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    memcpy(fill, out->tstart, (music->n_tracks + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        uint32_t j = out->order[i];
        out->by_track[fill[out->notes[j].track]++] = j;
    }
    free(fill);
    return MUSC_OK;
}

/* round(j * num / den), halves to even, as musc_music_beats places beats */
static int64_t unit_offset(int64_t j, int64_t num, int64_t den)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef __int128 wide;
    wide p = (wide)j * num, q = p / den, r = p % den;
    if (2 * r > den || (2 * r == den && (q & 1)))
        q++;
    return q > (wide)INT64_MAX ? INT64_MAX : (int64_t)q;
#else
    long double v = (long double)j * (long double)num / (long double)den;
    return v >= 9.2e18L ? INT64_MAX : (int64_t)llroundl(v);
#endif
}

static int grid_push(mgrid *g, size_t *cap, int64_t t, size_t limit)
{
    if (g->n + 1 >= *cap) {
        if (*cap > limit + 2)
            return -1;
        size_t nc = *cap ? 2 * *cap : 64;
        int64_t *b = realloc(g->bounds, nc * sizeof *b);
        if (!b)
            return -1;
        g->bounds = b;
        *cap = nc;
    }
    g->bounds[g->n++] = t;
    return 0;
}

int mgrid_from_meter(const musc_music *m, int64_t last, int bars, size_t limit, mgrid *g)
{
    memset(g, 0, sizeof *g);
    size_t cap = 0;
    int64_t res4 = 4 * (int64_t)(m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION);
    size_t nts = m->n_time_signatures;
    /* segments: implicit 4/4 from 0 unless a signature sits at (or before) 0 */
    size_t k = 0;
    int64_t seg_start = 0;
    int num = 4, den = 4;
    if (nts && m->time_signatures[0].time <= 0) {
        num = m->time_signatures[0].numerator;
        den = m->time_signatures[0].denominator;
        k = 1;
    }
    for (;;) {
        /* skip signatures at or before the segment start (a later one at
         * the same time wins) */
        while (k < nts && m->time_signatures[k].time <= seg_start) {
            num = m->time_signatures[k].numerator;
            den = m->time_signatures[k].denominator;
            k++;
        }
        int64_t seg_end = k < nts && m->time_signatures[k].time <= last
                              ? m->time_signatures[k].time
                              : INT64_MAX;
        int64_t unit_num = res4 * (bars ? (num < 1 ? 1 : num) : 1), unit_den = den < 1 ? 1 : den;
        if (unit_num < unit_den) /* shorter than a tick: one tick */
            unit_num = unit_den = 1;
        for (int64_t j = 0;; j++) {
            int64_t off = unit_offset(j, unit_num, unit_den);
            int64_t t = off > INT64_MAX - seg_start ? INT64_MAX : seg_start + off;
            if (t >= seg_end || (seg_end == INT64_MAX && t > last)) {
                if (seg_end == INT64_MAX) {
                    /* t is the end of the last unit */
                    if (grid_push(g, &cap, t, limit)) {
                        free(g->bounds);
                        memset(g, 0, sizeof *g);
                        return -1;
                    }
                    g->n--; /* bounds[n] holds the end, n counts units */
                    return 0;
                }
                break;
            }
            if (grid_push(g, &cap, t, limit)) {
                free(g->bounds);
                memset(g, 0, sizeof *g);
                return -1;
            }
        }
        seg_start = seg_end;
    }
}
