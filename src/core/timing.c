/*
 * Time in the object model: end time, the tempo map (ticks <-> seconds) and
 * the beat grid implied by the time signatures.
 *
 * The tempo map is piecewise linear: between two tempo changes one tick lasts
 * 60 / (qpm * resolution) seconds. Before the first tempo MusPy assumes 120
 * qpm, and so does musc.
 */
#include "musc/music.h"

#include <math.h>
#include <stdlib.h>

#include "grow.h"

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Saturating end of an interval: time + duration without overflow. */
static int64_t end_of(int64_t t, int64_t d)
{
    if (d > 0 && t > INT64_MAX - d)
        return INT64_MAX;
    return t + (d > 0 ? d : 0);
}

/* Latest time in one track, note and chord ends included. */
static int64_t track_end_time(const musc_track *t)
{
    int64_t e = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        e = max64(e, end_of(t->notes[i].time, t->notes[i].duration));
    for (size_t i = 0; i < t->n_chords; i++)
        e = max64(e, end_of(t->chords[i].time, t->chords[i].duration));
    for (size_t i = 0; i < t->n_lyrics; i++) e = max64(e, t->lyrics[i].time);
    for (size_t i = 0; i < t->n_annotations; i++) e = max64(e, t->annotations[i].time);
    for (size_t i = 0; i < t->n_controls; i++) e = max64(e, t->controls[i].time);
    for (size_t i = 0; i < t->n_pitch_bends; i++) e = max64(e, t->pitch_bends[i].time);
    for (size_t i = 0; i < t->n_pressures; i++) e = max64(e, t->pressures[i].time);
    for (size_t i = 0; i < t->n_hairpins; i++)
        e = max64(e, end_of(t->hairpins[i].time, t->hairpins[i].duration));
    return e;
}

int64_t musc_music_end_time(const musc_music *m)
{
    int64_t e = 0;
    for (size_t i = 0; i < m->n_tempos; i++) e = max64(e, m->tempos[i].time);
    for (size_t i = 0; i < m->n_key_signatures; i++) e = max64(e, m->key_signatures[i].time);
    for (size_t i = 0; i < m->n_time_signatures; i++) e = max64(e, m->time_signatures[i].time);
    for (size_t i = 0; i < m->n_lyrics; i++) e = max64(e, m->lyrics[i].time);
    for (size_t i = 0; i < m->n_annotations; i++) e = max64(e, m->annotations[i].time);
    /* raw events are timed objects too: a trailing sysex belongs to the piece */
    for (size_t i = 0; i < m->n_raw_events; i++) e = max64(e, m->raw_events[i].time);
    for (size_t ti = 0; ti < m->n_tracks; ti++)
        e = max64(e, track_end_time(&m->tracks[ti]));
    return e;
}

size_t musc_music_note_count(const musc_music *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_tracks; i++)
        n += m->tracks[i].n_notes;
    return n;
}

static double sec_per_tick(const musc_music *m, double qpm)
{
    int res = m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION;
    if (!(qpm > 0) || !isfinite(qpm))
        qpm = MUSC_DEFAULT_QPM;
    return 60.0 / (qpm * res);
}

double musc_music_ticks_to_seconds(const musc_music *m, int64_t ticks)
{
    double qpm = MUSC_DEFAULT_QPM, sec = 0;
    int64_t at = 0;
    for (size_t i = 0; i < m->n_tempos && m->tempos[i].time < ticks; i++) {
        if (m->tempos[i].time > at) {
            sec += (double)(m->tempos[i].time - at) * sec_per_tick(m, qpm);
            at = m->tempos[i].time;
        }
        qpm = m->tempos[i].qpm;
    }
    if (ticks < 0 && m->n_tempos && m->tempos[0].time <= 0)
        qpm = m->tempos[0].qpm;
    return sec + (double)(ticks - at) * sec_per_tick(m, qpm);
}

int64_t musc_music_seconds_to_ticks(const musc_music *m, double seconds)
{
    double qpm = MUSC_DEFAULT_QPM, sec = 0;
    int64_t at = 0;
    if (isnan(seconds))
        return 0; /* no tick is right; 0 keeps callers' arithmetic defined */
    if (seconds < 0 && m->n_tempos && m->tempos[0].time <= 0)
        qpm = m->tempos[0].qpm;
    for (size_t i = 0; i < m->n_tempos && seconds >= 0; i++) {
        const musc_tempo *t = &m->tempos[i];
        if (t->time > at) {
            double seg = (double)(t->time - at) * sec_per_tick(m, qpm);
            if (sec + seg > seconds)
                break;
            sec += seg;
            at = t->time;
        }
        qpm = t->qpm;
    }
    double ticks = (double)at + (seconds - sec) / sec_per_tick(m, qpm);
    if (ticks >= 9.2e18)
        return INT64_MAX;
    if (ticks <= -9.2e18)
        return INT64_MIN;
    return (int64_t)llround(ticks);
}

/* Offset of beat j from its segment start: round(j * num4 / den) with halves
 * to even, as MusPy rounds its float beat grid (np.arange then round()). The
 * product needs up to ~93 bits, hence 128-bit arithmetic where available. */
static int64_t beat_offset(int64_t j, int64_t num4, int64_t den)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef __int128 wide;
    wide p = (wide)j * num4;
    wide q = p / den, r = p % den;
    if (2 * r > den || (2 * r == den && (q & 1)))
        q++;
    return q > (wide)INT64_MAX ? INT64_MAX : (int64_t)q;
#else
    long double v = (long double)j * (long double)num4 / (long double)den;
    return v >= 9.2e18L ? INT64_MAX : (int64_t)llroundl(v);
#endif
}

#define MUSC_MAX_BEATS ((size_t)1 << 28)

/* One stretch of constant meter: [start, end) with num/den. */
typedef struct meter_segment {
    int64_t start, end;
    int num, den;
} meter_segment;

/* The k-th segment (k from 0); returns 0 when there is none. Segment 0 is
 * 4/4 from time 0 unless a signature sits at time 0. */
static int segment(const musc_music *m, int64_t end, size_t k, meter_segment *s)
{
    size_t nts = m->n_time_signatures;
    /* index of the signature that opens segment k, or nts for implicit 4/4 */
    int implicit = !(nts && m->time_signatures[0].time <= 0);
    size_t open = implicit ? k - 1 : k; /* k == 0 && implicit: wraps, unused */
    if (implicit && k == 0) {
        s->start = 0;
        s->num = s->den = 4;
    } else {
        if (open >= nts)
            return 0;
        const musc_time_signature *ts = &m->time_signatures[open];
        int first_at_zero = !implicit && open == 0; /* time <= 0: starts the piece */
        if (!first_at_zero && ts->time >= end)
            return 0;
        s->start = first_at_zero ? 0 : ts->time;
        s->num = ts->numerator;
        s->den = ts->denominator;
    }
    size_t next = implicit ? k : k + 1;
    s->end = next < nts && m->time_signatures[next].time < end ? m->time_signatures[next].time
                                                              : end;
    if (s->num < 1) s->num = 1;
    if (s->den < 1) s->den = 1;
    return 1;
}

musc_status musc_music_beats(const musc_music *m, int downbeats_only, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t end = musc_music_end_time(m);
    int64_t num4_res = (int64_t)4 * (m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION);
    meter_segment s;
    /* count first (an estimate from the segment lengths, no loop over
     * beats), so an absurd end time is refused before any allocation */
    double estimate = 0;
    for (size_t k = 0; segment(m, end, k, &s); k++) {
        if (s.end <= s.start)
            continue;
        double per_tick = num4_res < s.den ? 1.0 : (double)s.den / (double)num4_res;
        estimate += (double)(s.end - s.start) * per_tick / (downbeats_only ? s.num : 1) + 1;
    }
    if (estimate > (double)MUSC_MAX_BEATS)
        return musc_error(MUSC_ERR_RANGE, "about %.0f beats before end time %lld, more than "
                          "%zu; is the end time sane?", estimate, (long long)end,
                          MUSC_MAX_BEATS);
    size_t cap = (size_t)estimate + 1, count = 0;
    int64_t *beats = malloc(cap * sizeof *beats);
    if (!beats)
        return musc_error(MUSC_ERR_NOMEM, "out of memory building %zu beats", cap);
    for (size_t k = 0; segment(m, end, k, &s); k++) {
        /* a beat is a 1/den note, 4*res/den ticks; beats shorter than a tick
         * are stretched to one tick so that beat times stay distinct */
        int64_t num4 = num4_res, d = s.den;
        if (num4 < d)
            num4 = d = 1;
        int64_t step = downbeats_only ? s.num : 1;
        for (int64_t j = 0; s.start < s.end; j += step) {
            int64_t off = beat_offset(j, num4, d);
            if (off >= s.end - s.start)
                break;
            if (musc_grow((void **)&beats, &cap, count + 1, sizeof *beats)) {
                free(beats);
                return musc_error(MUSC_ERR_NOMEM, "out of memory building %zu beats", count);
            }
            beats[count++] = s.start + off;
        }
    }
    if (count == 0) {
        free(beats);
        beats = NULL;
    }
    *out = beats;
    *n = count;
    return MUSC_OK;
}

musc_status musc_track_pedals(const musc_track *t, musc_pedal **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    musc_pedal *p = NULL;
    size_t count = 0, cap = 0;
    int down = 0;
    int64_t start = 0, last = track_end_time(t);
    for (size_t i = 0; i < t->n_controls; i++) {
        const musc_control *c = &t->controls[i];
        if (c->number != 64)
            continue;
        if (c->value >= 64 && !down) {
            down = 1;
            start = c->time;
        } else if (c->value < 64 && down) {
            down = 0;
            if (musc_grow((void **)&p, &cap, count + 1, sizeof *p))
                goto nomem;
            p[count++] = (musc_pedal){start, c->time - start};
        }
    }
    if (down) {
        if (musc_grow((void **)&p, &cap, count + 1, sizeof *p))
            goto nomem;
        p[count++] = (musc_pedal){start, last - start};
    }
    *out = p;
    *n = count;
    return MUSC_OK;
nomem:
    free(p);
    return musc_error(MUSC_ERR_NOMEM, "out of memory");
}
