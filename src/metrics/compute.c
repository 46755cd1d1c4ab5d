/*
 * All metrics of a piece at once, the single-metric entry points that need
 * the sorted notes, and the table of metric names.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_internal.h"

#define MAX_TS_UNITS ((size_t)1 << 24)

musc_metrics_options musc_metrics_options_default(void)
{
    musc_metrics_options o;
    memset(&o, 0, sizeof o);
    o.polyphony_threshold = 2;
    o.measure_resolution = 0;
    o.scale_root = 0;
    o.scale_mode = MUSC_MODE_MAJOR;
    o.drum_meter = MUSC_METER_DUPLE;
    o.qualified_ticks = 0;
    return o;
}

void musc_metrics_clear(musc_metrics *m)
{
    if (!m)
        return;
    free(m->tracks);
    free(m->tonal_distances);
    memset(m, 0, sizeof *m);
}

static void set_all_nan(musc_metrics *out)
{
    size_t n;
    const musc_metric_info *t = musc_metric_table(&n);
    for (size_t i = 0; i < n; i++)
        *(double *)((char *)out + t[i].offset) = NAN;
}

musc_status musc_metrics_compute(const musc_music *music, const musc_metrics_options *options,
                                 musc_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (!music)
        return musc_error(MUSC_ERR_ARG, "metrics: music is NULL");
    musc_metrics_options o = options ? *options : musc_metrics_options_default();
    if (o.polyphony_threshold < 0 || o.measure_resolution < 0 || o.qualified_ticks < 0 ||
        o.scale_root < -1 || o.scale_root > 11 ||
        (o.scale_mode != MUSC_MODE_MAJOR && o.scale_mode != MUSC_MODE_MINOR) ||
        (o.drum_meter != MUSC_METER_DUPLE && o.drum_meter != MUSC_METER_TRIPLE))
        return musc_error(MUSC_ERR_ARG, "metrics: invalid option (threshold %d, measure %lld, "
                          "root %d, mode %d, meter %d, qualified %lld)", o.polyphony_threshold,
                          (long long)o.measure_resolution, o.scale_root, o.scale_mode,
                          o.drum_meter, (long long)o.qualified_ticks);
    if (o.scale_root == -1) {
        o.scale_root = 0;
        o.scale_mode = MUSC_MODE_MAJOR;
        for (size_t i = 0; i < music->n_key_signatures; i++) {
            const musc_key_signature *k = &music->key_signatures[i];
            if (k->root >= 0 && k->root < 12 &&
                (k->mode == MUSC_MODE_MAJOR || k->mode == MUSC_MODE_MINOR)) {
                o.scale_root = k->root;
                o.scale_mode = k->mode;
                break;
            }
        }
    }
    set_all_nan(out);
    mnotes m;
    musc_status st = mnotes_build(music, &m);
    if (st)
        return st;
    int64_t res = m.resolution;
    int64_t mres = o.measure_resolution > 0 ? o.measure_resolution : 4 * res;
    int has_tracks = music->n_tracks > 0;
    out->length = m.length;
    out->n_notes = m.n;
    for (size_t i = 0; i < m.n; i++)
        out->n_drum_notes += m.notes[i].drum;
    out->n_pitched_notes = m.n - out->n_drum_notes;

    metrics_pitch_family(music, o.scale_root, o.scale_mode, out);

    uint64_t *scratch = malloc((m.n ? 3 * m.n : 1) * sizeof *scratch);
    if (!scratch) {
        mnotes_free(&m);
        return musc_error(MUSC_ERR_NOMEM, "out of memory for metrics of %zu notes", m.n);
    }
    /* polyphony: the blended roll of every pitched track */
    roll_stats rs;
    metrics_roll(&m, m.order, m.n, o.polyphony_threshold, &rs, scratch);
    out->polyphony = rs.steps_any > 0 ? (double)rs.cells / (double)rs.steps_any : NAN;
    out->polyphony_rate = m.length >= 1 ? (double)rs.steps_over / (double)m.length : NAN;
    if (rs.cells > 0) {
        int64_t in = 0;
        for (int p = 0; p < 128; p++)
            if (metrics_scale_has(o.scale_root, o.scale_mode, p % 12))
                in += rs.pitch_ticks[p];
        out->in_scale_rate = (double)in / (double)rs.cells;
    }

    /* rhythm, MusPy's uniform grids: length // unit + 1 units */
    if (has_tracks && m.length >= 1) {
        mgrid beats = {res, NULL, (size_t)(m.length / res) + 1};
        mgrid meas = {mres, NULL, (size_t)(m.length / mres) + 1};
        out->empty_beat_rate = metrics_empty_unit_rate(&m, &beats);
        out->empty_measure_rate = metrics_empty_unit_rate(&m, &meas);
    }
    if (has_tracks) {
        mgrid meas = {mres, NULL, (size_t)(m.length / mres) + 1};
        out->groove_consistency = metrics_groove(&m, &meas, scratch);
    }
    /* the same from the time signatures (units starting at or before length) */
    if (has_tracks) {
        mgrid g;
        if (m.length >= 1 && mgrid_from_meter(music, m.length, 0, MAX_TS_UNITS, &g) == 0) {
            out->empty_beat_rate_ts = metrics_empty_unit_rate(&m, &g);
            free(g.bounds);
        }
        if (mgrid_from_meter(music, m.length, 1, MAX_TS_UNITS, &g) == 0) {
            if (m.length >= 1)
                out->empty_measure_rate_ts = metrics_empty_unit_rate(&m, &g);
            out->groove_consistency_ts = metrics_groove(&m, &g, scratch);
            free(g.bounds);
        }
    }
    out->drum_in_pattern_rate = metrics_drum_rate(&m, o.drum_meter);
    double duple = metrics_drum_rate(&m, 0), triple = metrics_drum_rate(&m, 1);
    out->drum_pattern_consistency = isnan(duple) ? NAN : duple > triple ? duple : triple;
    out->drum_pattern_rate = metrics_drum_rate(&m, 2);

    /* qualified notes over every pitched note */
    int64_t qt = o.qualified_ticks > 0 ? o.qualified_ticks : res / 8;
    if (qt < 1)
        qt = 1;
    size_t q = 0;
    for (size_t i = 0; i < m.n; i++)
        q += !m.notes[i].drum && m.notes[i].end - m.notes[i].start >= qt;
    if (out->n_pitched_notes)
        out->qualified_note_rate = (double)q / (double)out->n_pitched_notes;
    free(scratch);

    st = metrics_musegan(music, &m, &o, out);
    mnotes_free(&m);
    if (st) {
        musc_metrics_clear(out);
        return st;
    }
    return MUSC_OK;
}

/* ---- single metrics that need the sorted notes ---------------------------- */

static double one(const musc_music *music, const musc_metrics_options *o, size_t offset)
{
    musc_metrics r;
    if (musc_metrics_compute(music, o, &r))
        return NAN;
    double v = *(const double *)((const char *)&r + offset);
    musc_metrics_clear(&r);
    return v;
}

double musc_polyphony(const musc_music *music)
{
    return one(music, NULL, offsetof(musc_metrics, polyphony));
}

double musc_polyphony_rate(const musc_music *music, int threshold)
{
    musc_metrics_options o = musc_metrics_options_default();
    o.polyphony_threshold = threshold;
    return one(music, &o, offsetof(musc_metrics, polyphony_rate));
}

double musc_empty_beat_rate(const musc_music *music)
{
    return one(music, NULL, offsetof(musc_metrics, empty_beat_rate));
}

double musc_empty_measure_rate(const musc_music *music, int64_t measure_resolution)
{
    musc_metrics_options o = musc_metrics_options_default();
    o.measure_resolution = measure_resolution;
    return one(music, &o, offsetof(musc_metrics, empty_measure_rate));
}

double musc_drum_in_pattern_rate(const musc_music *music, int meter)
{
    musc_metrics_options o = musc_metrics_options_default();
    o.drum_meter = meter;
    return one(music, &o, offsetof(musc_metrics, drum_in_pattern_rate));
}

double musc_drum_pattern_consistency(const musc_music *music)
{
    return one(music, NULL, offsetof(musc_metrics, drum_pattern_consistency));
}

double musc_groove_consistency(const musc_music *music, int64_t measure_resolution)
{
    musc_metrics_options o = musc_metrics_options_default();
    o.measure_resolution = measure_resolution;
    return one(music, &o, offsetof(musc_metrics, groove_consistency));
}

/* ---- names ---------------------------------------------------------------- */

#define ROW(family, field) {#field, family, offsetof(musc_metrics, field)}
static const musc_metric_info table[] = {
    ROW("muspy", pitch_range),
    ROW("muspy", n_pitches_used),
    ROW("muspy", n_pitch_classes_used),
    ROW("muspy", polyphony),
    ROW("muspy", polyphony_rate),
    ROW("muspy", pitch_in_scale_rate),
    ROW("muspy", scale_consistency),
    ROW("muspy", pitch_entropy),
    ROW("muspy", pitch_class_entropy),
    ROW("muspy", empty_beat_rate),
    ROW("muspy", empty_measure_rate),
    ROW("muspy", drum_in_pattern_rate),
    ROW("muspy", drum_pattern_consistency),
    ROW("muspy", groove_consistency),
    ROW("muspy_ts", empty_beat_rate_ts),
    ROW("muspy_ts", empty_measure_rate_ts),
    ROW("muspy_ts", groove_consistency_ts),
    ROW("pypianoroll", qualified_note_rate),
    ROW("pypianoroll", polyphonic_rate),
    ROW("pypianoroll", in_scale_rate),
    ROW("pypianoroll", tonal_distance),
    ROW("musegan", empty_bar_rate),
    ROW("musegan", used_pitch_classes),
    ROW("musegan", drum_pattern_rate),
};
#undef ROW

const musc_metric_info *musc_metric_table(size_t *n)
{
    *n = sizeof table / sizeof *table;
    return table;
}

double musc_metric_value(const musc_metrics *metrics, const musc_metric_info *info)
{
    return *(const double *)((const char *)metrics + info->offset);
}
