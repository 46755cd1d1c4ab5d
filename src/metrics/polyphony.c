/*
 * The binary piano roll of a note list, without building it.
 *
 * MusPy's polyphony metrics fill a (length x 128) boolean roll; a pop song at
 * 480 ticks per quarter makes that 20 million cells. The roll is a union of
 * intervals per pitch, so: walk the notes in onset order, merge each pitch's
 * overlapping notes into runs (the onsets of runs come out in order), sort
 * the run ends, and sweep the two sorted lists counting how many pitches
 * sound between consecutive events.
 */
#include <string.h>

#include "metrics_internal.h"

void metrics_roll(const mnotes *m, const uint32_t *idx, size_t n, int threshold,
                  roll_stats *rs, uint64_t *scratch)
{
    memset(rs, 0, sizeof *rs);
    uint64_t *starts = scratch, *ends = scratch + n, *tmp = scratch + 2 * n;
    size_t ns = 0, ne = 0;
    int64_t run_start[128], run_end[128];
    uint8_t open[128] = {0};
    for (size_t k = 0; k < n; k++) {
        const mnote *x = &m->notes[idx[k]];
        if (x->drum || x->end <= x->start)
            continue; /* a zero-length note fills no cell of a roll */
        int p = x->pitch;
        if (open[p] && x->start <= run_end[p]) {
            if (x->end > run_end[p])
                run_end[p] = x->end;
            continue;
        }
        if (open[p]) {
            ends[ne++] = (uint64_t)run_end[p];
            rs->pitch_ticks[p] += run_end[p] - run_start[p];
        }
        open[p] = 1;
        run_start[p] = x->start;
        run_end[p] = x->end;
        starts[ns++] = (uint64_t)x->start;
    }
    for (int p = 0; p < 128; p++) {
        if (open[p]) {
            ends[ne++] = (uint64_t)run_end[p];
            rs->pitch_ticks[p] += run_end[p] - run_start[p];
        }
        rs->cells += rs->pitch_ticks[p];
    }
    metrics_radix_sort(ends, ne, tmp, 0);
    /* between consecutive events the number of sounding pitches is constant */
    size_t i = 0, j = 0;
    int active = 0;
    int64_t prev = 0;
    while (j < ne) {
        int64_t t = (int64_t)ends[j];
        if (i < ns && (int64_t)starts[i] < t)
            t = (int64_t)starts[i];
        if (active > 0) {
            rs->steps_any += t - prev;
            if (active > threshold)
                rs->steps_over += t - prev;
        }
        while (j < ne && (int64_t)ends[j] == t) {
            active--;
            j++;
        }
        while (i < ns && (int64_t)starts[i] == t) {
            active++;
            i++;
        }
        prev = t;
    }
}
