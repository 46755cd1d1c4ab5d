/*
 * Per-track metrics of MuseGAN (EB, UPC, QN, DP, TD) and Pypianoroll
 * (polyphonic rate, in-scale rate, tonal distance), from their definitions.
 *
 * MuseGAN evaluates 4/4 bars of a binary roll. Here bars come from the time
 * signatures, and a note occupies [onset, end) as in a roll: it makes a bar
 * non-empty only if it sounds inside it (zero-length notes fill nothing).
 *
 * Tonal distance (Harte et al. 2006, as MuseGAN uses it): per quarter-note
 * beat, each track's chroma (ticks sounded per pitch class) is normalised to
 * sum 1 and mapped to a 6-D tonal centroid (circle of fifths, minor thirds,
 * major thirds; radii 1, 1, 0.5); the distance of two tracks is the mean
 * Euclidean distance of their centroids over the beats where both sound.
 * Pypianoroll instead takes one Frobenius norm over all steps, which grows
 * with the piece's length and is NaN as soon as one step is silent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_internal.h"

#define MAX_UNITS ((size_t)1 << 24)

static void tonal_matrix(double phi[6][12])
{
    const double pi = 3.14159265358979323846;
    const double r[3] = {1.0, 1.0, 0.5};
    const double ang[3] = {7.0 * pi / 6.0, 3.0 * pi / 2.0, 2.0 * pi / 3.0};
    for (int d = 0; d < 3; d++)
        for (int l = 0; l < 12; l++) {
            phi[2 * d][l] = r[d] * sin(l * ang[d]);
            phi[2 * d + 1][l] = r[d] * cos(l * ang[d]);
        }
}

/* centroids[track][beat][0..5], beat flagged in [6] (1 = sounds) */
static double *tonal_centroids(const mnotes *m, const musc_music *music, size_t *n_beats)
{
    int64_t res = m->resolution;
    size_t nb = m->length > 0 ? (size_t)((m->length + res - 1) / res) : 0;
    *n_beats = nb;
    if (nb == 0 || nb > MAX_UNITS || m->n_tracks > ((size_t)1 << 21) / nb)
        return NULL;
    double *c = calloc(m->n_tracks * nb * 12, sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        const mnote *x = &m->notes[i];
        if (x->drum || x->end <= x->start)
            continue;
        double *row = c + (size_t)x->track * nb * 12;
        int pc = x->pitch % 12;
        for (int64_t b = x->start / res; b * res < x->end && (size_t)b < nb; b++) {
            int64_t lo = b * res > x->start ? b * res : x->start;
            int64_t hi = (b + 1) * res < x->end ? (b + 1) * res : x->end;
            row[(size_t)b * 12 + pc] += (double)(hi - lo);
        }
    }
    double phi[6][12];
    tonal_matrix(phi);
    /* in place: 12 chroma values become 6 coordinates and a flag */
    for (size_t t = 0; t < m->n_tracks; t++) {
        if (music->tracks[t].is_drum)
            continue;
        for (size_t b = 0; b < nb; b++) {
            double *v = c + (t * nb + b) * 12, sum = 0, z[6] = {0};
            for (int l = 0; l < 12; l++)
                sum += v[l];
            if (sum > 0)
                for (int d = 0; d < 6; d++) {
                    double s = 0;
                    for (int l = 0; l < 12; l++)
                        s += phi[d][l] * v[l];
                    z[d] = s / sum;
                }
            memcpy(v, z, sizeof z);
            v[6] = sum > 0;
        }
    }
    return c;
}

musc_status metrics_musegan(const musc_music *music, const mnotes *m,
                            const musc_metrics_options *o, musc_metrics *out)
{
    size_t nt = m->n_tracks;
    int64_t qt = o->qualified_ticks > 0 ? o->qualified_ticks : m->resolution / 8;
    if (qt < 1)
        qt = 1;
    out->n_tracks = nt;
    out->tracks = calloc(nt ? nt : 1, sizeof *out->tracks);
    out->tonal_distances = malloc((nt ? nt * nt : 1) * sizeof *out->tonal_distances);
    uint64_t *scratch = malloc((m->n ? 3 * m->n : 1) * sizeof *scratch);
    if (!out->tracks || !out->tonal_distances || !scratch) {
        free(scratch);
        return musc_error(MUSC_ERR_NOMEM, "out of memory for track metrics");
    }
    /* bars covering the sounding part [0, length) */
    mgrid bars = {0};
    int have_bars = m->length > 0 &&
                    mgrid_from_meter(music, m->length - 1, 1, MAX_UNITS, &bars) == 0;
    uint16_t *pcs = have_bars ? malloc(bars.n * sizeof *pcs) : NULL;
    uint8_t *sounded = have_bars ? malloc(bars.n) : NULL;
    if (have_bars && (!pcs || !sounded))
        have_bars = 0;

    double eb_sum = 0, upc_sum = 0, pp_sum = 0;
    size_t eb_n = 0, upc_n = 0, pp_n = 0;
    for (size_t t = 0; t < nt; t++) {
        musc_track_metrics *tm = &out->tracks[t];
        const musc_track *src = &music->tracks[t];
        const uint32_t *idx = m->by_track + m->tstart[t];
        size_t n = m->tstart[t + 1] - m->tstart[t];
        tm->n_notes = n;
        tm->is_drum = src->is_drum != 0;
        tm->program = src->program;
        tm->empty_bar_rate = tm->used_pitch_classes = tm->qualified_note_rate = NAN;
        tm->polyphonic_rate = tm->in_scale_rate = tm->drum_pattern_rate = NAN;
        if (have_bars) {
            memset(pcs, 0, bars.n * sizeof *pcs);
            memset(sounded, 0, bars.n);
            size_t hint = 0;
            for (size_t k = 0; k < n; k++) {
                const mnote *x = &m->notes[idx[k]];
                if (x->end <= x->start)
                    continue;
                hint = mgrid_unit_from(&bars, x->start, hint);
                size_t a = hint, b = mgrid_unit_from(&bars, x->end - 1, hint);
                for (size_t u = a; u <= b; u++) {
                    sounded[u] = 1;
                    pcs[u] |= (uint16_t)(1u << (x->pitch % 12));
                }
            }
            size_t empty = 0, full = 0, classes = 0;
            for (size_t u = 0; u < bars.n; u++) {
                if (!sounded[u]) {
                    empty++;
                    continue;
                }
                full++;
                for (int c = 0; c < 12; c++)
                    classes += (pcs[u] >> c) & 1u;
            }
            tm->empty_bar_rate = (double)empty / (double)bars.n;
            eb_sum += tm->empty_bar_rate;
            eb_n++;
            if (!tm->is_drum && full) {
                tm->used_pitch_classes = (double)classes / (double)full;
                upc_sum += tm->used_pitch_classes;
                upc_n++;
            }
        }
        if (tm->is_drum) {
            size_t hit = 0;
            for (size_t k = 0; k < n; k++) {
                int64_t pos = m->notes[idx[k]].start % m->resolution;
                hit += (4 * pos) % m->resolution == 0;
            }
            if (n)
                tm->drum_pattern_rate = (double)hit / (double)n;
            continue;
        }
        if (n) {
            size_t q = 0;
            for (size_t k = 0; k < n; k++) {
                const mnote *x = &m->notes[idx[k]];
                q += x->end - x->start >= qt;
            }
            tm->qualified_note_rate = (double)q / (double)n;
        }
        roll_stats rs;
        metrics_roll(m, idx, n, o->polyphony_threshold, &rs, scratch);
        if (n && m->length > 0) {
            tm->polyphonic_rate = (double)rs.steps_over / (double)m->length;
            pp_sum += tm->polyphonic_rate;
            pp_n++;
        }
        if (rs.cells > 0) {
            int64_t in = 0;
            for (int p = 0; p < 128; p++)
                if (metrics_scale_has(o->scale_root, o->scale_mode, p % 12))
                    in += rs.pitch_ticks[p];
            tm->in_scale_rate = (double)in / (double)rs.cells;
        }
    }
    free(pcs);
    free(sounded);
    free(bars.bounds);
    free(scratch);
    out->empty_bar_rate = eb_n ? eb_sum / (double)eb_n : NAN;
    out->used_pitch_classes = upc_n ? upc_sum / (double)upc_n : NAN;
    out->polyphonic_rate = pp_n ? pp_sum / (double)pp_n : NAN;

    for (size_t i = 0; i < nt * nt; i++)
        out->tonal_distances[i] = NAN;
    out->tonal_distance = NAN;
    size_t nb = 0;
    double *cent = nt > 1 ? tonal_centroids(m, music, &nb) : NULL;
    if (cent) {
        double td_sum = 0;
        size_t td_n = 0;
        for (size_t a = 0; a < nt; a++) {
            if (music->tracks[a].is_drum)
                continue;
            for (size_t b = a + 1; b < nt; b++) {
                if (music->tracks[b].is_drum)
                    continue;
                double sum = 0;
                size_t cnt = 0;
                for (size_t u = 0; u < nb; u++) {
                    const double *x = cent + (a * nb + u) * 12, *y = cent + (b * nb + u) * 12;
                    if (!(x[6] > 0 && y[6] > 0))
                        continue;
                    double d2 = 0;
                    for (int d = 0; d < 6; d++)
                        d2 += (x[d] - y[d]) * (x[d] - y[d]);
                    sum += sqrt(d2);
                    cnt++;
                }
                if (cnt) {
                    double td = sum / (double)cnt;
                    out->tonal_distances[a * nt + b] = out->tonal_distances[b * nt + a] = td;
                    td_sum += td;
                    td_n++;
                }
            }
        }
        out->tonal_distance = td_n ? td_sum / (double)td_n : NAN;
        free(cent);
    }
    return MUSC_OK;
}
