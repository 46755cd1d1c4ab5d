/*
 * Velocity clipping, MusPy's clip(): every note and chord velocity is
 * limited to [lower, upper]. Drum tracks are clipped too, since their
 * velocities mean loudness like any other.
 */
#include "musc/process.h"

static int16_t clip(int16_t v, int lower, int upper)
{
    return (int16_t)(v < lower ? lower : v > upper ? upper : v);
}

musc_status musc_clip_velocity(musc_music *music, int lower, int upper)
{
    if (!music)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    if (lower < 0 || upper > 127 || lower > upper)
        return musc_error(MUSC_ERR_ARG,
                          "velocity bounds [%d, %d], expected 0 <= lower <= upper <= 127", lower,
                          upper);
    for (size_t ti = 0; ti < music->n_tracks; ti++) {
        musc_track *t = &music->tracks[ti];
        for (size_t i = 0; i < t->n_notes; i++)
            t->notes[i].velocity = clip(t->notes[i].velocity, lower, upper);
        for (size_t i = 0; i < t->n_chords; i++)
            t->chords[i].velocity = clip(t->chords[i].velocity, lower, upper);
    }
    return MUSC_OK;
}
