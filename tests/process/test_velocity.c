/*
 * musc_clip_velocity: note and chord velocities (drums included) clipped to
 * [lower, upper]; bad bounds are an error that changes nothing.
 */
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *piece(void)
{
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int v[] = {0, 1, 40, 64, 100, 127};
    for (size_t i = 0; i < 6; i++)
        musc_track_add_note(t, (int64_t)i, 1, 60, v[i]);
    int16_t p[] = {60};
    musc_track_add_chord(t, 0, 1, p, 1, 120);
    musc_track_add_chord(t, 0, 1, p, 1, 5);
    t = musc_music_add_track(m, 0, 1, NULL);
    musc_track_add_note(t, 0, 1, 36, 127);
    return m;
}

static void clips_notes_chords_and_drums(void **state)
{
    (void)state;
    musc_music *m = piece();
    assert_int_equal(musc_clip_velocity(m, 10, 100), MUSC_OK);
    int want[] = {10, 10, 40, 64, 100, 100};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(m->tracks[0].notes[i].velocity, want[i]);
    assert_int_equal(m->tracks[0].chords[0].velocity, 100);
    assert_int_equal(m->tracks[0].chords[1].velocity, 10);
    assert_int_equal(m->tracks[1].notes[0].velocity, 100);
    musc_music_free(m);
}

static void full_range_is_identity_and_single_value(void **state)
{
    (void)state;
    musc_music *m = piece(), *before = piece();
    assert_int_equal(musc_clip_velocity(m, 0, 127), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    assert_int_equal(musc_clip_velocity(m, 64, 64), MUSC_OK);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(m->tracks[0].notes[i].velocity, 64);
    musc_music_free(m);
    musc_music_free(before);
}

static void bad_bounds_change_nothing(void **state)
{
    (void)state;
    musc_music *m = piece(), *before = piece();
    assert_int_equal(musc_clip_velocity(m, -1, 100), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "[-1, 100]"));
    assert_int_equal(musc_clip_velocity(m, 0, 128), MUSC_ERR_ARG);
    assert_int_equal(musc_clip_velocity(m, 90, 80), MUSC_ERR_ARG);
    assert_int_equal(musc_clip_velocity(NULL, 0, 127), MUSC_ERR_ARG);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clips_notes_chords_and_drums),
        cmocka_unit_test(full_range_is_identity_and_single_value),
        cmocka_unit_test(bad_bounds_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
