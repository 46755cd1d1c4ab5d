/*
 * An expressive performance model: rules a player applies to a score, after
 * the KTH rule system in spirit (Friberg, Bresin, Sundberg 2006) but kept
 * small and deterministic.
 *
 * Everything is computed from the score as written, then applied in an order
 * that keeps it consistent:
 *   1. raise the resolution so millisecond offsets are whole ticks;
 *   2. per note, from the metrical grid and the phrase it sits in: a velocity
 *      (accent + phrase arc + noise), a new duration (articulation) and an
 *      onset offset in seconds (micro-timing + chord roll);
 *   3. rubato: a monotone time warp that adds a little time over the last
 *      bar of every phrase; it maps every timed object of every track, so
 *      the ensemble slows together and pedals stay with their notes;
 *   4. onset offsets, converted to ticks at the local tempo, clamped >= 0;
 *   5. no note left reaching into the next note of its pitch.
 *
 * Randomness is a hash of (seed, track, note index) or (seed, track, onset)
 * through splitmix64, never a stateful generator, so results do not depend
 * on iteration order and a seed reproduces a performance exactly.
 */
#include "musc/audio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_RESOLUTION 480
#define HAIRPIN_STEP 16 /* velocity of one dynamic level (p 49, mp 64, mf 80) */

musc_perform_options musc_perform_options_default(void)
{
    musc_perform_options o;
    memset(&o, 0, sizeof o);
    o.amount = 1;
    o.seed = 1;
    o.dynamics = 1;
    o.timing = 1;
    o.articulation = 1;
    o.chord_spread = 1;
    o.phrase_bars = 4;
    o.hairpins = 1;
    return o;
}

/* ---- deterministic noise ------------------------------------------------- */

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b, uint64_t salt)
{
    return splitmix(splitmix(splitmix(seed ^ salt) ^ a) ^ b);
}

/* Uniform in (0, 1). */
static double uniform(uint64_t h)
{
    return ((double)(h >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal, clipped to +-3 so no draw is absurd. */
static double normal(uint64_t h)
{
    double u1 = uniform(h), u2 = uniform(splitmix(h));
    double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    return z < -3 ? -3 : z > 3 ? 3 : z;
}

/* ---- the metrical grid --------------------------------------------------- */

typedef struct grid {
    const musc_time_signature *ts; /* sorted by time */
    size_t n;
    int resolution;
} grid;

typedef struct place {
    int64_t bar_start, bar_len, beat_len;
    int beat;           /* beat index in the bar */
    int on_beat;        /* the note starts exactly on a beat */
    int numerator;
    double phrase_pos;  /* 0..1 through the phrase */
    int64_t phrase_start, phrase_len;
} place;

static place locate(const grid *g, int64_t t, int phrase_bars)
{
    int num = 4, den = 4;
    int64_t origin = 0;
    size_t lo = 0, hi = g->n;
    while (lo < hi) { /* last signature at or before t */
        size_t mid = (lo + hi) / 2;
        if (g->ts[mid].time <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        /* nonsense signatures (0, or thousands of beats) are clamped */
        num = g->ts[lo - 1].numerator;
        den = g->ts[lo - 1].denominator;
        num = num < 1 ? 4 : num > 1024 ? 1024 : num;
        den = den < 1 ? 4 : den > 1024 ? 1024 : den;
        origin = g->ts[lo - 1].time;
    }
    place p;
    p.beat_len = (int64_t)4 * g->resolution / den;
    if (p.beat_len < 1)
        p.beat_len = 1;
    p.bar_len = p.beat_len * num;
    p.numerator = num;
    int64_t rel = t - origin;
    p.bar_start = origin + rel / p.bar_len * p.bar_len;
    int64_t in_bar = rel % p.bar_len;
    p.beat = (int)(in_bar / p.beat_len);
    p.on_beat = in_bar % p.beat_len == 0;
    p.phrase_len = p.bar_len * phrase_bars;
    p.phrase_start = origin + rel / p.phrase_len * p.phrase_len;
    p.phrase_pos = (double)(t - p.phrase_start) / (double)p.phrase_len;
    return p;
}

/* Velocity offset for a metrical position: downbeat strongest, the middle of
 * an even bar (or each dotted group of a compound one) next, then beats,
 * and off-beat notes a little weaker. */
static double accent(const place *p)
{
    if (!p->on_beat)
        return -3;
    if (p->beat == 0)
        return 8;
    int n = p->numerator;
    if ((n % 3 == 0 && n > 3 && p->beat % 3 == 0) || (n % 2 == 0 && n >= 4 && p->beat == n / 2))
        return 4;
    return 1;
}

/* Phrase arc: a rise to just past the middle and a softer close. */
static double arc(double pos)
{
    return 12 * (sin(M_PI * pow(pos, 0.8)) - 0.5);
}

/* ---- mapping every time in the music --------------------------------------- */

typedef int64_t (*time_map)(int64_t t, const void *ctx);

static void map_times(musc_music *m, time_map f, const void *ctx)
{
#define MAP(arr, n) for (size_t i = 0; i < (n); i++) (arr)[i].time = f((arr)[i].time, ctx)
#define MAP_SPAN(arr, n)                                                     \
    for (size_t i = 0; i < (n); i++) {                                       \
        int64_t s = f((arr)[i].time, ctx);                                   \
        int64_t e = f((arr)[i].time + (arr)[i].duration, ctx);              \
        (arr)[i].time = s;                                                   \
        (arr)[i].duration = e - s;                                           \
    }
    MAP(m->tempos, m->n_tempos);
    MAP(m->key_signatures, m->n_key_signatures);
    MAP(m->time_signatures, m->n_time_signatures);
    MAP(m->lyrics, m->n_lyrics);
    MAP(m->annotations, m->n_annotations);
    MAP(m->raw_events, m->n_raw_events);
    for (size_t k = 0; k < m->n_tracks; k++) {
        musc_track *t = &m->tracks[k];
        MAP_SPAN(t->notes, t->n_notes);
        MAP_SPAN(t->chords, t->n_chords);
        MAP(t->lyrics, t->n_lyrics);
        MAP(t->annotations, t->n_annotations);
        MAP(t->controls, t->n_controls);
        MAP(t->pitch_bends, t->n_pitch_bends);
        MAP(t->pressures, t->n_pressures);
        MAP_SPAN(t->hairpins, t->n_hairpins);
    }
#undef MAP
#undef MAP_SPAN
}

static int64_t scale_time(int64_t t, const void *ctx)
{
    return t * *(const int64_t *)ctx;
}

/* Rubato: each phrase gains `extra` ticks spread over its last bar with a
 * smooth (quadratic) ease, so the tempo eases down into the cadence. */
typedef struct warp {
    const grid *g;
    int phrase_bars;
    double extra_beats; /* time added per phrase, in beats */
} warp;

static double ease(double x)
{
    return x <= 0 ? 0 : x >= 1 ? 1 : x * x;
}

static int64_t warp_time(int64_t t, const void *ctx)
{
    const warp *w = ctx;
    if (t <= 0 || w->extra_beats <= 0)
        return t;
    /* Sum over the phrases that began before t: completed ones add their
     * full extra, the current one the eased part. Phrases are counted per
     * time-signature region. */
    double added = 0;
    int64_t region_start = 0;
    size_t i = 0;
    for (;;) {
        place p = locate(w->g, region_start, w->phrase_bars);
        int64_t region_end = INT64_MAX;
        while (i < w->g->n && w->g->ts[i].time <= region_start)
            i++;
        if (i < w->g->n)
            region_end = w->g->ts[i].time;
        int64_t upto = t < region_end ? t : region_end;
        int64_t full = (upto - region_start) / p.phrase_len;
        double extra = w->extra_beats * (double)p.beat_len;
        added += (double)full * extra;
        int64_t rest = (upto - region_start) - full * p.phrase_len;
        double last_bar_from = (double)(p.phrase_len - p.bar_len);
        added += extra * ease(((double)rest - last_bar_from) / (double)p.bar_len);
        if (t <= region_end)
            break;
        region_start = region_end;
    }
    return t + llround(added);
}

/* ---- hairpins ------------------------------------------------------------ */

/* First note (of a track sorted by time) with an onset at or after t. */
static size_t first_at(const musc_track *t, int64_t at)
{
    size_t lo = 0, hi = t->n_notes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->notes[mid].time < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Velocity offsets (before scaling by amount) that play a track's hairpins
 * (sorted by time) from its written velocities, as musc_perform documents.
 * The level at a hairpin's start is its first note's written velocity, or
 * the level a previous hairpin left held on notes of that velocity (so a
 * crescendo then a diminuendo swells and comes back). It ramps to the
 * written velocity of the first note after the hairpin when that is louder
 * (crescendo) or softer (diminuendo) than the start, else by one dynamic
 * level, which then holds on the following notes of the same written
 * velocity until the next hairpin starts. */
static void hairpin_offsets(const musc_track *t, double *delta)
{
    for (size_t i = 0; i < t->n_notes; i++)
        delta[i] = 0;
    int carry_vel = -1;   /* the written velocity a held level applies to */
    double carry = 0;     /* that level minus it */
    for (size_t k = 0; k < t->n_hairpins; k++) {
        const musc_hairpin *h = &t->hairpins[k];
        if (h->duration <= 0 || (h->kind != MUSC_HAIRPIN_CRESCENDO &&
                                 h->kind != MUSC_HAIRPIN_DIMINUENDO))
            continue;
        int64_t s = h->time, e = h->time + h->duration;
        size_t i0 = first_at(t, s), i1 = first_at(t, e);
        if (i0 >= i1)
            continue; /* no note under it */
        int v0 = t->notes[i0].velocity;
        double base = v0 + (v0 == carry_vel ? carry : 0), target;
        int hold = 0;
        if (i1 < t->n_notes && (h->kind > 0 ? t->notes[i1].velocity > base
                                            : t->notes[i1].velocity < base)) {
            target = t->notes[i1].velocity;
        } else {
            target = base + h->kind * HAIRPIN_STEP;
            hold = 1;
        }
        for (size_t i = i0; i < i1; i++)
            delta[i] += base - v0 + (target - base) * (double)(t->notes[i].time - s) /
                                        (double)(e - s);
        carry_vel = -1;
        if (!hold)
            continue;
        carry_vel = v0;
        carry = target - v0;
        int64_t until = INT64_MAX;
        for (size_t j = k + 1; j < t->n_hairpins; j++)
            if (t->hairpins[j].time >= e && t->hairpins[j].time < until)
                until = t->hairpins[j].time;
        for (size_t i = i1; i < t->n_notes && t->notes[i].time < until &&
                            t->notes[i].velocity == v0;
             i++)
            delta[i] += carry;
    }
}

/* ---- the model ----------------------------------------------------------- */

typedef struct note_ref {
    size_t index;
    int64_t time;
    int pitch;
} note_ref;

static int cmp_ref(const void *pa, const void *pb)
{
    const note_ref *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->pitch != b->pitch)
        return a->pitch - b->pitch;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_pitch_time(const void *pa, const void *pb)
{
    const note_ref *a = pa, *b = pb;
    if (a->pitch != b->pitch)
        return a->pitch - b->pitch;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_ts(const void *pa, const void *pb)
{
    const musc_time_signature *a = pa, *b = pb;
    return a->time < b->time ? -1 : a->time > b->time;
}

static double ticks_per_second(const musc_music *m, int64_t t)
{
    double qpm = MUSC_DEFAULT_QPM;
    for (size_t i = 0; i < m->n_tempos && m->tempos[i].time <= t; i++)
        qpm = m->tempos[i].qpm;
    return qpm * m->resolution / 60.0;
}

static musc_status check(const musc_music *m, const musc_perform_options *o)
{
    if (!m)
        return musc_error(MUSC_ERR_ARG, "no music to perform");
    if (!(o->amount >= 0 && o->amount <= 2))
        return musc_error(MUSC_ERR_ARG, "performance amount %g, expected 0..2", o->amount);
    if (!(o->dynamics >= 0 && o->dynamics <= 4) || !(o->timing >= 0 && o->timing <= 4) ||
        !(o->articulation >= 0 && o->articulation <= 4) ||
        !(o->chord_spread >= 0 && o->chord_spread <= 4) ||
        !(o->hairpins >= 0 && o->hairpins <= 4))
        return musc_error(MUSC_ERR_ARG, "performance factors must be in 0..4");
    if (o->phrase_bars < 1 || o->phrase_bars > 64)
        return musc_error(MUSC_ERR_ARG, "phrase of %d bars, expected 1..64", o->phrase_bars);
    if (m->resolution < 1 || m->resolution > (1 << 20))
        return musc_error(MUSC_ERR_INVALID, "resolution = %d, expected 1..%d", m->resolution,
                          1 << 20);
    for (size_t k = 0; k < m->n_tracks; k++)
        for (size_t i = 0; i < m->tracks[k].n_notes; i++) {
            const musc_note *n = &m->tracks[k].notes[i];
            if (n->time < 0 || n->duration < 0 || n->time > ((int64_t)1 << 40) ||
                n->duration > ((int64_t)1 << 40))
                return musc_error(MUSC_ERR_INVALID, "tracks[%zu].notes[%zu]: time %lld, duration "
                                  "%lld out of range", k, i, (long long)n->time,
                                  (long long)n->duration);
        }
    for (size_t k = 0; k < m->n_tracks; k++)
        for (size_t i = 0; i < m->tracks[k].n_hairpins; i++) {
            const musc_hairpin *h = &m->tracks[k].hairpins[i];
            if (h->time < 0 || h->duration < 0 || h->time > ((int64_t)1 << 40) ||
                h->duration > ((int64_t)1 << 40))
                return musc_error(MUSC_ERR_INVALID, "tracks[%zu].hairpins[%zu]: time %lld, "
                                  "duration %lld out of range", k, i, (long long)h->time,
                                  (long long)h->duration);
        }
    for (size_t i = 0; i < m->n_tempos; i++)
        if (!(m->tempos[i].qpm > 0) || !isfinite(m->tempos[i].qpm))
            return musc_error(MUSC_ERR_INVALID, "tempos[%zu].qpm = %g, expected > 0", i,
                              m->tempos[i].qpm);
    for (size_t i = 0; i < m->n_time_signatures; i++)
        if (m->time_signatures[i].time < 0 || m->time_signatures[i].time > ((int64_t)1 << 40))
            return musc_error(MUSC_ERR_INVALID, "time_signatures[%zu].time out of range", i);
    return MUSC_OK;
}

musc_status musc_perform(musc_music *m, const musc_perform_options *options)
{
    musc_perform_options defaults = musc_perform_options_default();
    const musc_perform_options *o = options ? options : &defaults;
    musc_status st = check(m, o);
    if (st != MUSC_OK || o->amount == 0)
        return st;

    /* Work space first, so a failure leaves the music untouched. */
    size_t max_notes = 0, total = 0;
    for (size_t k = 0; k < m->n_tracks; k++) {
        max_notes = m->tracks[k].n_notes > max_notes ? m->tracks[k].n_notes : max_notes;
        total += m->tracks[k].n_notes;
    }
    note_ref *refs = malloc((max_notes ? max_notes : 1) * sizeof *refs);
    double *offset = malloc((total ? total : 1) * sizeof *offset); /* seconds */
    int64_t *orig = malloc((total ? total : 1) * 2 * sizeof *orig); /* time, end */
    double *ramp = malloc((max_notes ? max_notes : 1) * sizeof *ramp); /* hairpins */
    musc_time_signature *ts = malloc((m->n_time_signatures ? m->n_time_signatures : 1) * sizeof *ts);
    if (!refs || !offset || !orig || !ts || !ramp) {
        free(ramp);
        free(refs);
        free(offset);
        free(orig);
        free(ts);
        return musc_error(MUSC_ERR_NOMEM, "out of memory for the performance");
    }
    musc_music_sort(m);

    /* 1. resolution */
    if (m->resolution < MIN_RESOLUTION) {
        int64_t k = (MIN_RESOLUTION + m->resolution - 1) / m->resolution;
        map_times(m, scale_time, &k);
        m->resolution = (int)(m->resolution * k);
    }
    if (m->n_time_signatures) {
        memcpy(ts, m->time_signatures, m->n_time_signatures * sizeof *ts);
        qsort(ts, m->n_time_signatures, sizeof *ts, cmp_ts);
    }
    grid g = {ts, m->n_time_signatures, m->resolution};
    size_t at = 0;
    for (size_t k = 0; k < m->n_tracks; k++)
        for (size_t i = 0; i < m->tracks[k].n_notes; i++, at++) {
            orig[2 * at] = m->tracks[k].notes[i].time;
            orig[2 * at + 1] = m->tracks[k].notes[i].time + m->tracks[k].notes[i].duration;
        }

    const double a = o->amount;
    const double dyn = a * o->dynamics, tim = a * o->timing, art = a * o->articulation,
                 spread = a * o->chord_spread, cresc = a * o->hairpins;

    /* 2. per-note velocity, duration and onset offset */
    size_t base = 0;
    for (size_t k = 0; k < m->n_tracks; k++) {
        musc_track *t = &m->tracks[k];
        size_t n = t->n_notes;
        hairpin_offsets(t, ramp); /* notes are still sorted by written time */
        for (size_t i = 0; i < n; i++)
            refs[i] = (note_ref){i, t->notes[i].time, t->notes[i].pitch};
        qsort(refs, n, sizeof *refs, cmp_ref);
        for (size_t r = 0; r < n;) {
            /* one onset group: refs[r..e) share a time */
            size_t e = r;
            while (e < n && refs[e].time == refs[r].time)
                e++;
            int64_t onset = refs[r].time;
            int64_t next_onset = e < n ? refs[e].time : -1;
            place p = locate(&g, onset, o->phrase_bars);
            double group_jitter = tim * 0.008 * normal(hash3(o->seed, k, (uint64_t)onset, 1));
            for (size_t q = r; q < e; q++) {
                size_t i = refs[q].index;
                musc_note *nt = &t->notes[i];
                /* dynamics */
                if (nt->velocity > 0) {
                    double v = nt->velocity +
                               dyn * (accent(&p) + (t->is_drum ? 0.5 : 1) * arc(p.phrase_pos) +
                                      2.5 * normal(hash3(o->seed, k, i, 2))) +
                               cresc * ramp[i];
                    long iv = lround(v);
                    nt->velocity = (int16_t)(iv < 1 ? 1 : iv > 127 ? 127 : iv);
                }
                /* articulation, from the gap to the next onset */
                if (!t->is_drum && art > 0 && next_onset > onset && nt->duration > 0) {
                    int64_t ioi = next_onset - onset, end = onset + nt->duration;
                    int64_t gap = next_onset - end;
                    if (gap >= 0 && gap <= p.beat_len / 8) {
                        int64_t overlap = llround(art * 0.03 * (double)p.beat_len);
                        nt->duration = next_onset - onset + overlap;
                    } else if (2 * nt->duration <= ioi) {
                        int64_t d = llround((double)nt->duration * (1 - 0.2 * (art < 1.5 ? art : 1.5)));
                        nt->duration = d < 1 ? 1 : d;
                    }
                }
                /* micro-timing: the group's shared jitter, a little of the
                 * note's own, and a roll upward through the chord */
                double own = tim * 0.002 * normal(hash3(o->seed, k, i, 3));
                double roll = t->is_drum || e - r < 2 ? 0 : spread * 0.006 * (double)(q - r);
                double off = group_jitter + own + (roll < 0.03 ? roll : 0.03);
                offset[base + i] = off < -0.1 ? -0.1 : off > 0.1 ? 0.1 : off;
            }
            r = e;
        }
        base += n;
    }

    /* 3. rubato over every timed object */
    warp w = {&g, o->phrase_bars, tim * 0.12};
    map_times(m, warp_time, &w);

    /* 4. onset offsets, at the local tempo */
    base = 0;
    for (size_t k = 0; k < m->n_tracks; k++) {
        musc_track *t = &m->tracks[k];
        /* Notes still sorted by written time: a later onset never moves to
         * or before an earlier one, so the order of the score survives. */
        int64_t floor_prev = -1, floor_cur = -1, group_time = -1;
        for (size_t i = 0; i < t->n_notes; i++) {
            musc_note *nt = &t->notes[i];
            if (nt->time != group_time) {
                group_time = nt->time;
                floor_prev = floor_cur;
            }
            double dt = offset[base + i] * ticks_per_second(m, nt->time);
            /* (an absurd tempo could make this overflow; a note never moves
             * more than a second's worth of ticks at 1000 qpm anyway) */
            double cap = 1000.0 / 60 * m->resolution;
            int64_t d = llround(dt < -cap ? -cap : dt > cap ? cap : dt);
            int64_t s = nt->time + d;
            if (s <= floor_prev)
                s = floor_prev + 1;
            if (s < 0)
                s = 0;
            int64_t end = nt->time + nt->duration + d;
            nt->time = s;
            nt->duration = end > s ? end - s : 0;
            floor_cur = s > floor_cur ? s : floor_cur;
        }
        base += t->n_notes;
    }

    /* 5. A note must not reach into the next note of its pitch (legato or
     * jitter can push it there): MIDI would pair the note-off with the
     * wrong note. Where the score had them apart, the earlier one now ends
     * where the later begins. */
    base = 0;
    for (size_t k = 0; k < m->n_tracks; k++) {
        musc_track *t = &m->tracks[k];
        size_t n = t->n_notes;
        for (size_t i = 0; i < n; i++)
            refs[i] = (note_ref){i, orig[2 * (base + i)], t->notes[i].pitch};
        qsort(refs, n, sizeof *refs, cmp_pitch_time);
        for (size_t q = 0; q + 1 < n; q++) {
            if (refs[q].pitch != refs[q + 1].pitch)
                continue;
            size_t ia = refs[q].index, ib = refs[q + 1].index;
            musc_note *a = &t->notes[ia], *b = &t->notes[ib];
            if (orig[2 * (base + ia) + 1] <= orig[2 * (base + ib)] && a->time + a->duration > b->time)
                a->duration = b->time > a->time ? b->time - a->time : 0;
        }
        base += n;
    }
    musc_music_sort(m);
    free(ramp);
    free(refs);
    free(offset);
    free(orig);
    free(ts);
    return MUSC_OK;
}
