/*
 * Small builders shared by the representation tests: a one-track music
 * from a note list, and a check that a track holds exactly given notes.
 */
#ifndef MUSC_TEST_REPR_HELPERS_H
#define MUSC_TEST_REPR_HELPERS_H

#include "test_support.h"
#include "musc/musc.h"

typedef struct tnote {
    int64_t time, duration;
    int pitch, velocity;
} tnote;

static inline musc_music *music_of(int resolution, int program, int is_drum, const tnote *notes,
                                   size_t n)
{
    musc_music *m = musc_music_new(resolution);
    assert_non_null(m);
    musc_track *t = musc_music_add_track(m, program, is_drum, NULL);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(musc_track_add_note(t, notes[i].time, notes[i].duration, notes[i].pitch,
                                             notes[i].velocity),
                         MUSC_OK);
    return m;
}

static inline void expect_notes(const musc_track *t, const tnote *notes, size_t n)
{
    assert_int_equal(t->n_notes, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t->notes[i].time, notes[i].time);
        assert_int_equal(t->notes[i].duration, notes[i].duration);
        assert_int_equal(t->notes[i].pitch, notes[i].pitch);
        assert_int_equal(t->notes[i].velocity, notes[i].velocity);
    }
}

static inline void expect_tokens(const int32_t *got, size_t n, const int32_t *want, size_t nw)
{
    assert_int_equal(n, nw);
    for (size_t i = 0; i < n; i++) {
        if (got[i] != want[i])
            fail_msg("token %zu: got %d, want %d", i, got[i], want[i]);
    }
}

#define N(a) (sizeof(a) / sizeof *(a))

#endif
