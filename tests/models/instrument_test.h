/* Constructed four-part pieces for the instrumentation tests. */
#ifndef MUSC_TESTS_INSTRUMENT_TEST_H
#define MUSC_TESTS_INSTRUMENT_TEST_H

#include "musc/musc.h"

/* A chorale-like piece: `beats` quarter-note chords in 4/4 at resolution 24,
 * voices moving by small steps around soprano 74, alto 64, tenor 54, bass 44 (never overlapping: at most 4 from the centre)
 * (a pseudo-random walk from `seed`), tracks named as in the music21 Bach
 * corpus. NULL on OOM. */
static inline musc_music *make_satb(int beats, unsigned seed)
{
    static const char *const names[4] = {"Soprano", "Alto", "Tenor", "Bass"};
    static const int centre[4] = {74, 64, 54, 44};
    musc_music *m = musc_music_new(24);
    if (!m)
        return NULL;
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_tempo(m, 0, 90);
    for (int v = 0; v < 4; v++) {
        musc_track *t = musc_music_add_track(m, 52, 0, names[v]);
        int pitch = centre[v];
        unsigned s = seed * 2654435761u + (unsigned)v * 40503u + 1u;
        for (int b = 0; b < beats; b++) {
            s = s * 1103515245u + 12345u;
            int step = (int)((s >> 16) % 5) - 2;
            pitch += step;
            if (pitch > centre[v] + 4)
                pitch -= 3;
            if (pitch < centre[v] - 4)
                pitch += 3;
            musc_track_add_note(t, (int64_t)b * 24, 24, pitch, 80);
        }
    }
    return m;
}

#endif
