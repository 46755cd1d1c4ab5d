/*
 * MusPy's piano-roll representation: a T x 128 grid of time steps by
 * pitches holding velocities (or 1 for "sounding"). Painting follows the
 * sorted note order, so where notes overlap the later one wins; decoding
 * reads each pitch column as runs of nonzero cells.
 */
#include "musc/repr.h"

#include <stdlib.h>
#include <string.h>

#include "collect.h"

musc_pianoroll_options musc_pianoroll_options_default(void)
{
    musc_pianoroll_options o = {0};
    o.encode_velocity = 1;
    o.resolution = MUSC_DEFAULT_RESOLUTION;
    o.program = 0;
    o.is_drum = 0;
    o.default_velocity = MUSC_DEFAULT_VELOCITY;
    return o;
}

void musc_pianoroll_paint(const musc_note *notes, size_t n, int encode_velocity,
                          uint8_t *roll, size_t n_steps)
{
    for (size_t i = 0; i < n; i++) {
        const musc_note *nt = &notes[i];
        if (nt->pitch < 0 || nt->pitch > 127 || nt->time < 0 || nt->duration <= 0)
            continue;
        if ((uint64_t)nt->time >= n_steps)
            continue;
        uint64_t end = (uint64_t)nt->time + (uint64_t)nt->duration;
        if (end > n_steps)
            end = n_steps;
        uint8_t v;
        if (encode_velocity)
            v = (uint8_t)(nt->velocity < 0 ? 0 : nt->velocity > 127 ? 127 : nt->velocity);
        else if (nt->velocity > 0)
            v = 1;
        else
            continue; /* MusPy writes velocity > 0, which leaves the cells as they were */
        for (uint64_t t = (uint64_t)nt->time; t < end; t++)
            roll[t * 128 + (size_t)nt->pitch] = v;
    }
}

musc_status musc_pianoroll_encode(const musc_music *music,
                                  const musc_pianoroll_options *options, uint8_t **roll,
                                  size_t *n_steps)
{
    musc_pianoroll_options o = options ? *options : musc_pianoroll_options_default();
    *roll = NULL;
    *n_steps = 0;
    if (!music)
        return musc_error(MUSC_ERR_ARG, "piano-roll encode: music is NULL");
    musc_note *notes;
    size_t nn;
    musc_status st = musc_repr_collect_notes(music, &notes, &nn);
    if (st || !nn)
        return st;
    int64_t length = 0;
    for (size_t i = 0; i < nn; i++) {
        if (notes[i].time < 0 || notes[i].duration < 0 ||
            notes[i].duration > INT64_MAX - 1 - notes[i].time) {
            free(notes);
            return musc_error(MUSC_ERR_RANGE, "piano-roll encode: note %zu has time %lld, duration %lld",
                              i, (long long)notes[i].time, (long long)notes[i].duration);
        }
        if (notes[i].time + notes[i].duration > length)
            length = notes[i].time + notes[i].duration;
    }
    length += 1; /* MusPy's length: latest end + 1 */
    if (length > MUSC_REPR_MAX_STEPS) {
        free(notes);
        return musc_error(MUSC_ERR_RANGE, "piano-roll encode: %lld steps, over the limit of %lld",
                          (long long)length, (long long)MUSC_REPR_MAX_STEPS);
    }
    uint8_t *a = calloc((size_t)length, 128);
    if (!a) {
        free(notes);
        return musc_error(MUSC_ERR_NOMEM, "piano-roll encode: out of memory for %lld steps",
                          (long long)length);
    }
    musc_pianoroll_paint(notes, nn, o.encode_velocity, a, (size_t)length);
    free(notes);
    *roll = a;
    *n_steps = (size_t)length;
    return MUSC_OK;
}

musc_status musc_pianoroll_decode(const uint8_t *roll, size_t n_steps,
                                  const musc_pianoroll_options *options, musc_music **out)
{
    musc_pianoroll_options o = options ? *options : musc_pianoroll_options_default();
    *out = NULL;
    musc_status st = musc_repr_check_decode("piano-roll decode", o.resolution, o.program,
                                            o.default_velocity);
    if (st)
        return st;
    if (n_steps && !roll)
        return musc_error(MUSC_ERR_ARG, "piano-roll decode: roll is NULL");
    musc_track *track;
    musc_music *m = musc_repr_new_single_track(o.resolution, o.program, o.is_drum, &track);
    if (!m)
        return MUSC_ERR_NOMEM;
    for (int p = 0; p < 128; p++) {
        size_t t = 0;
        while (t < n_steps) {
            if (!roll[t * 128 + (size_t)p]) {
                t++;
                continue;
            }
            size_t start = t;
            while (t < n_steps && roll[t * 128 + (size_t)p])
                t++;
            int v = o.encode_velocity ? roll[start * 128 + (size_t)p] : o.default_velocity;
            if (v > 127)
                v = 127;
            if (musc_track_add_note(track, (int64_t)start, (int64_t)(t - start), p, v)) {
                musc_music_free(m);
                return musc_error(MUSC_ERR_NOMEM, "piano-roll decode: out of memory");
            }
        }
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}
