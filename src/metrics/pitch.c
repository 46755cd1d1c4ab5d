/*
 * Pitch metrics (MusPy): range, pitches and pitch classes used, scales and
 * entropies. All of them read only the note-count histogram of the pitched
 * (non-drum) tracks, so each single-metric function builds that histogram
 * and nothing else.
 */
#include <math.h>
#include <string.h>

#include "metrics_internal.h"

/* C major and C natural minor as bit sets of pitch classes */
static const unsigned scale_major = (1u << 0) | (1u << 2) | (1u << 4) | (1u << 5) | (1u << 7) |
                                    (1u << 9) | (1u << 11);
static const unsigned scale_minor = (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 7) |
                                    (1u << 8) | (1u << 10);

int metrics_scale_has(int root, int mode, int pc)
{
    unsigned set = mode == MUSC_MODE_MINOR ? scale_minor : scale_major;
    int rel = ((pc - root) % 12 + 12) % 12;
    return (set >> rel) & 1u;
}

double metrics_entropy(const int64_t *counts, int n)
{
    int64_t total = 0;
    for (int i = 0; i < n; i++)
        total += counts[i];
    if (total < 1)
        return NAN;
    double h = 0;
    for (int i = 0; i < n; i++) {
        if (counts[i] > 0) {
            double p = (double)counts[i] / (double)total;
            h -= p * log2(p);
        }
    }
    return h;
}

/* note counts per pitch over pitched tracks; returns the pitched note count */
static int64_t histogram(const musc_music *m, int64_t h[128])
{
    memset(h, 0, 128 * sizeof *h);
    int64_t n = 0;
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        if (t->is_drum)
            continue;
        for (size_t i = 0; i < t->n_notes; i++) {
            int p = t->notes[i].pitch;
            h[p < 0 ? 0 : p > 127 ? 127 : p]++;
            n++;
        }
    }
    return n;
}

int musc_pitch_range(const musc_music *m)
{
    int64_t h[128];
    histogram(m, h);
    int lo = -1, hi = -1;
    for (int p = 0; p < 128; p++) {
        if (h[p]) {
            if (lo < 0)
                lo = p;
            hi = p;
        }
    }
    return lo < 0 ? 0 : hi - lo;
}

int musc_n_pitches_used(const musc_music *m)
{
    int64_t h[128];
    histogram(m, h);
    int n = 0;
    for (int p = 0; p < 128; p++)
        n += h[p] > 0;
    return n;
}

int musc_n_pitch_classes_used(const musc_music *m)
{
    int64_t h[128];
    histogram(m, h);
    unsigned used = 0;
    for (int p = 0; p < 128; p++)
        if (h[p])
            used |= 1u << (p % 12);
    int n = 0;
    for (int c = 0; c < 12; c++)
        n += (used >> c) & 1u;
    return n;
}

static double in_scale(const int64_t h[128], int64_t n, int root, int mode)
{
    if (n < 1)
        return NAN;
    int64_t in = 0;
    for (int p = 0; p < 128; p++)
        if (h[p] && metrics_scale_has(root, mode, p % 12))
            in += h[p];
    return (double)in / (double)n;
}

double musc_pitch_in_scale_rate(const musc_music *m, int root, int mode)
{
    int64_t h[128];
    int64_t n = histogram(m, h);
    return in_scale(h, n, ((root % 12) + 12) % 12, mode);
}

static double scale_consistency(const int64_t h[128], int64_t n)
{
    if (n < 1)
        return NAN;
    double best = 0;
    for (int mode = MUSC_MODE_MAJOR; mode <= MUSC_MODE_MINOR; mode++)
        for (int root = 0; root < 12; root++) {
            double r = in_scale(h, n, root, mode);
            if (r > best)
                best = r;
        }
    return best;
}

double musc_scale_consistency(const musc_music *m)
{
    int64_t h[128];
    int64_t n = histogram(m, h);
    return scale_consistency(h, n);
}

double musc_pitch_entropy(const musc_music *m)
{
    int64_t h[128];
    histogram(m, h);
    return metrics_entropy(h, 128);
}

double musc_pitch_class_entropy(const musc_music *m)
{
    int64_t h[128], c[12] = {0};
    histogram(m, h);
    for (int p = 0; p < 128; p++)
        c[p % 12] += h[p];
    return metrics_entropy(c, 12);
}

/* fill the pitch family of `out` from the pitched-note histogram */
void metrics_pitch_family(const musc_music *m, int root, int mode, musc_metrics *out)
{
    int64_t h[128], c[12] = {0};
    int64_t n = histogram(m, h);
    int lo = -1, hi = -1, used = 0;
    for (int p = 0; p < 128; p++) {
        if (h[p]) {
            if (lo < 0)
                lo = p;
            hi = p;
            used++;
        }
        c[p % 12] += h[p];
    }
    int pcs = 0;
    for (int i = 0; i < 12; i++)
        pcs += c[i] > 0;
    out->pitch_range = lo < 0 ? 0 : hi - lo;
    out->n_pitches_used = used;
    out->n_pitch_classes_used = pcs;
    out->pitch_in_scale_rate = in_scale(h, n, root, mode);
    out->scale_consistency = scale_consistency(h, n);
    out->pitch_entropy = metrics_entropy(h, 128);
    out->pitch_class_entropy = metrics_entropy(c, 12);
}
