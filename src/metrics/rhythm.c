/*
 * Rhythm metrics: empty beats and measures, groove consistency and drum
 * patterns (MusPy's definitions), over a uniform grid or one from the time
 * signatures.
 *
 * Empty units: MusPy lets a note touch every unit from its onset's to its
 * end's, both included (a note ending exactly on a beat touches that beat
 * too), and counts length // unit + 1 units. With notes in onset order the
 * touched units form runs whose union is counted in one pass.
 *
 * Groove: MusPy builds a (measures x steps) onset matrix and counts cells
 * that differ between neighbouring rows. The matrix is never built here:
 * summed over neighbours, |G_i| + |G_i+1| counts every distinct onset twice
 * except those in the first and last measure, and the cells two neighbours
 * share are onsets t whose position recurs one measure later.
 */
#include <math.h>

#include "metrics_internal.h"

double metrics_empty_unit_rate(const mnotes *m, const mgrid *g)
{
    if (g->n == 0)
        return NAN;
    size_t touched = 0;
    int64_t covered = -1; /* last unit counted */
    size_t hint = 0;
    for (size_t k = 0; k < m->n; k++) {
        const mnote *x = &m->notes[m->order[k]];
        hint = mgrid_unit_from(g, x->start, hint);
        int64_t a = (int64_t)hint, b = (int64_t)mgrid_unit_from(g, x->end, hint);
        if (b <= covered)
            continue;
        if (a <= covered)
            a = covered + 1;
        touched += (size_t)(b - a + 1);
        covered = b;
    }
    return 1.0 - (double)touched / (double)g->n;
}

/* index of t in sorted unique u[0..n), or -1 */
static long find(const uint64_t *u, size_t n, uint64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && u[lo] == t ? (long)lo : -1;
}

double metrics_groove(const mnotes *m, const mgrid *g, uint64_t *u)
{
    if (g->n < 2)
        return NAN;
    size_t nu = 0; /* distinct onsets, already in order */
    for (size_t k = 0; k < m->n; k++) {
        uint64_t t = (uint64_t)m->notes[m->order[k]].start;
        if (nu == 0 || u[nu - 1] != t)
            u[nu++] = t;
    }
    size_t first = 0, last = 0, shared = 0, i = 0, at = 0;
    for (size_t k = 0; k < nu; k++) {
        int64_t t = (int64_t)u[k];
        i = mgrid_unit_from(g, t, i);
        if (i == 0)
            first++;
        if (i == g->n - 1) {
            last++;
            continue;
        }
        int64_t off = t - mgrid_start(g, i);
        if (off >= mgrid_len(g, i + 1))
            continue;
        /* targets mostly increase: walk forward, search when they do not */
        uint64_t target = (uint64_t)(mgrid_start(g, i + 1) + off);
        if (at >= nu || u[at] > target) {
            long f = find(u, nu, target);
            shared += f >= 0;
            if (f >= 0)
                at = (size_t)f;
            continue;
        }
        while (at < nu && u[at] < target)
            at++;
        shared += at < nu && u[at] == target;
    }
    double hamming = 2.0 * (double)nu - (double)first - (double)last - 2.0 * (double)shared;
    double cells;
    if (g->step > 0) {
        cells = (double)g->step * (double)(g->n - 1);
    } else {
        cells = 0;
        for (size_t i = 0; i + 1 < g->n; i++) {
            int64_t a = mgrid_len(g, i), b = mgrid_len(g, i + 1);
            cells += (double)(a > b ? a : b);
        }
    }
    return 1.0 - hamming / cells;
}

/* kind 0: MusPy's duple pattern, 1: triple, 2: MuseGAN's sixteenth grid */
static int in_pattern(int64_t pos, int64_t res, int kind)
{
    if (pos == 0)
        return 1;
    switch (kind) {
    case 0:
        return (res % 4 == 0 && pos % (res / 4) == 0) || (res % 2 == 0 && pos % (res / 2) == 0);
    case 1:
        return res % 3 == 0 && pos % (res / 3) == 0;
    default:
        return (4 * pos) % res == 0;
    }
}

double metrics_drum_rate(const mnotes *m, int kind)
{
    size_t n = 0, hit = 0;
    int64_t res = m->resolution;
    for (size_t i = 0; i < m->n; i++) {
        const mnote *x = &m->notes[i];
        if (!x->drum)
            continue;
        n++;
        hit += (size_t)in_pattern(x->start % res, res, kind);
    }
    return n ? (double)hit / (double)n : NAN;
}
