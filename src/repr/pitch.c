/*
 * MusPy's pitch-based representation: one token per time step holding the
 * sounding pitch (0..127), a rest (128) or, with hold state, a hold (129)
 * after a note's onset step. Meant for monophonic melodies; polyphony is
 * resolved by letting later notes overwrite earlier ones, as MusPy does.
 */
#include "musc/repr.h"

#include <stdlib.h>

#include "collect.h"

musc_pitch_options musc_pitch_options_default(void)
{
    musc_pitch_options o = {0};
    o.use_hold_state = 0;
    o.resolution = MUSC_DEFAULT_RESOLUTION;
    o.program = 0;
    o.is_drum = 0;
    o.default_velocity = MUSC_DEFAULT_VELOCITY;
    return o;
}

musc_status musc_pitch_encode(const musc_music *music, const musc_pitch_options *options,
                              int32_t **tokens, size_t *n)
{
    musc_pitch_options o = options ? *options : musc_pitch_options_default();
    *tokens = NULL;
    *n = 0;
    if (!music)
        return musc_error(MUSC_ERR_ARG, "pitch encode: music is NULL");
    musc_note *notes;
    size_t nn;
    musc_status st = musc_repr_collect_notes(music, &notes, &nn);
    if (st)
        return st;
    int64_t length = 0;
    for (size_t i = 0; i < nn; i++) {
        if (notes[i].time < 0 || notes[i].duration < 0 || notes[i].duration > INT64_MAX - notes[i].time) {
            free(notes);
            return musc_error(MUSC_ERR_RANGE, "pitch encode: note %zu has time %lld, duration %lld",
                              i, (long long)notes[i].time, (long long)notes[i].duration);
        }
        int64_t end = notes[i].time + notes[i].duration;
        if (end > length)
            length = end;
    }
    if (length == 0) {
        free(notes);
        return MUSC_OK;
    }
    if (length > MUSC_REPR_MAX_STEPS) {
        free(notes);
        return musc_error(MUSC_ERR_RANGE, "pitch encode: %lld steps, over the limit of %lld",
                          (long long)length, (long long)MUSC_REPR_MAX_STEPS);
    }
    int32_t *a = malloc((size_t)length * sizeof *a);
    if (!a) {
        free(notes);
        return musc_error(MUSC_ERR_NOMEM, "pitch encode: out of memory for %lld steps",
                          (long long)length);
    }
    for (int64_t t = 0; t < length; t++)
        a[t] = MUSC_PITCH_REST;
    for (size_t i = 0; i < nn; i++) {
        const musc_note *nt = &notes[i];
        if (nt->duration == 0)
            continue;
        int64_t end = nt->time + nt->duration;
        if (o.use_hold_state) {
            a[nt->time] = nt->pitch;
            for (int64_t t = nt->time + 1; t < end; t++)
                a[t] = MUSC_PITCH_HOLD;
        } else {
            for (int64_t t = nt->time; t < end; t++)
                a[t] = nt->pitch;
        }
    }
    free(notes);
    *tokens = a;
    *n = (size_t)length;
    return MUSC_OK;
}

musc_status musc_pitch_decode(const int32_t *tokens, size_t n,
                              const musc_pitch_options *options, musc_music **out)
{
    musc_pitch_options o = options ? *options : musc_pitch_options_default();
    *out = NULL;
    musc_status st = musc_repr_check_decode("pitch decode", o.resolution, o.program,
                                            o.default_velocity);
    if (st)
        return st;
    if (n && !tokens)
        return musc_error(MUSC_ERR_ARG, "pitch decode: tokens is NULL");
    musc_track *track;
    musc_music *m = musc_repr_new_single_track(o.resolution, o.program, o.is_drum, &track);
    if (!m)
        return MUSC_ERR_NOMEM;
    size_t i = 0;
    while (i < n) {
        int32_t v = tokens[i];
        if (v < 0 || v > 127) { /* rest, stray hold, or unknown */
            i++;
            continue;
        }
        size_t j = i + 1;
        if (o.use_hold_state) {
            /* the onset step, then every hold after it */
            while (j < n && tokens[j] == MUSC_PITCH_HOLD)
                j++;
        } else {
            while (j < n && tokens[j] == v)
                j++;
        }
        if (musc_track_add_note(track, (int64_t)i, (int64_t)(j - i), v, o.default_velocity)) {
            musc_music_free(m);
            return musc_error(MUSC_ERR_NOMEM, "pitch decode: out of memory");
        }
        i = j;
    }
    *out = m;
    return MUSC_OK;
}
