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

musc_status musc_music_beats(const musc_music *m, int downbeats_only, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t end = musc_music_end_time(m);
    int res = m->resolution > 0 ? m->resolution : MUSC_DEFAULT_RESOLUTION;
    size_t cap = 0;
    int64_t *beats = NULL;
    size_t count = 0;
    /* segment k runs from the k-th signature's time to the next one's */
    size_t nts = m->n_time_signatures;
    size_t k = 0;
    int num = 4, den = 4;
    int64_t seg_start = 0;
    if (nts && m->time_signatures[0].time <= 0) {
        num = m->time_signatures[0].numerator;
        den = m->time_signatures[0].denominator;
        k = 1;
    }
    for (;;) {
        int64_t seg_end = k < nts ? m->time_signatures[k].time : end;
        if (seg_end > end)
            seg_end = end;
        if (num < 1) num = 1;
        if (den < 1) den = 1;
        /* a beat is a 1/den note: 4*res/den ticks (at least one tick) */
        int64_t beat = (int64_t)4 * res / den;
        if (beat < 1)
            beat = 1;
        int64_t j = 0;
        for (int64_t t = seg_start; t < seg_end; t += beat, j++) {
            if (downbeats_only && j % num)
                continue;
            if (count >= ((size_t)1 << 28)) {
                free(beats);
                return musc_error(MUSC_ERR_RANGE, "more than %zu beats before end time %lld; "
                                  "is the end time sane?", count, (long long)end);
            }
            if (musc_grow((void **)&beats, &cap, count + 1, sizeof *beats)) {
                free(beats);
                return musc_error(MUSC_ERR_NOMEM, "out of memory building %zu beats", count);
            }
            beats[count++] = t;
        }
        if (k >= nts || m->time_signatures[k].time >= end)
            break;
        seg_start = m->time_signatures[k].time;
        num = m->time_signatures[k].numerator;
        den = m->time_signatures[k].denominator;
        k++;
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
