/*
 * musc_merge_tracks: everything of the listed tracks lands in the first,
 * sorted stably; the others are removed; bad indices change nothing.
 */
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *four_tracks(void)
{
    musc_music *m = musc_music_new(24);
    const char *names[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) {
        musc_track *t = musc_music_add_track(m, i, 0, names[i]);
        musc_track_add_note(t, 10 - i, 4, 60 + i, 64);
        musc_track_add_note(t, 20, 4, 60, 64 + i); /* equal time and pitch in every track */
        int16_t p[] = {(int16_t)(40 + i)};
        musc_track_add_chord(t, 5 * i, 2, p, 1, 64);
        musc_track_add_lyric(t, 3 * i, names[i]);
        musc_track_add_annotation(t, i, MUSC_ANN_TEXT, names[i]);
        musc_track_add_control(t, 7 - i, 7, 10 * i);
        musc_track_add_pitch_bend(t, i, i);
        musc_track_add_pressure(t, i, -1, i);
    }
    return m;
}

static void merges_into_first_listed(void **state)
{
    (void)state;
    musc_music *m = four_tracks();
    size_t idx[] = {2, 0, 3};
    assert_int_equal(musc_merge_tracks(m, idx, 3), MUSC_OK);
    assert_int_equal(m->n_tracks, 2);
    assert_string_equal(m->tracks[0].name, "b"); /* untouched track first */
    musc_track *t = &m->tracks[1];
    assert_string_equal(t->name, "c");
    assert_int_equal(t->program, 2);
    assert_int_equal(t->n_notes, 6);
    assert_int_equal(t->n_chords, 3);
    assert_int_equal(t->n_lyrics, 3);
    assert_int_equal(t->n_annotations, 3);
    assert_int_equal(t->n_controls, 3);
    assert_int_equal(t->n_pitch_bends, 3);
    assert_int_equal(t->n_pressures, 3);
    /* notes sorted by (time, pitch, duration, velocity) */
    for (size_t i = 1; i < t->n_notes; i++)
        assert_true(t->notes[i - 1].time <= t->notes[i].time);
    assert_int_equal(t->notes[0].time, 7);
    assert_int_equal(t->notes[5].velocity, 67);
    /* other lists sorted by time, stable in listed order on ties */
    assert_int_equal(t->controls[0].time, 4);
    assert_int_equal(t->chords[0].pitches[0], 40);
    assert_string_equal(t->lyrics[2].text, "d");
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
}

static void stable_on_equal_keys(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *a = musc_music_add_track(m, 0, 0, "a");
    musc_track_add_lyric(a, 0, "a");
    musc_track *b = musc_music_add_track(m, 0, 0, "b");
    musc_track_add_lyric(b, 0, "b");
    size_t idx[] = {1, 0};
    assert_int_equal(musc_merge_tracks(m, idx, 2), MUSC_OK);
    assert_int_equal(m->n_tracks, 1);
    assert_string_equal(m->tracks[0].name, "b");
    assert_string_equal(m->tracks[0].lyrics[0].text, "b");
    assert_string_equal(m->tracks[0].lyrics[1].text, "a");
    musc_music_free(m);
}

static void single_index_is_noop(void **state)
{
    (void)state;
    musc_music *m = four_tracks(), *before = four_tracks();
    size_t idx[] = {3};
    assert_int_equal(musc_merge_tracks(m, idx, 1), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void bad_indices_change_nothing(void **state)
{
    (void)state;
    musc_music *m = four_tracks(), *before = four_tracks();
    size_t out[] = {0, 4};
    assert_int_equal(musc_merge_tracks(m, out, 2), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "indices[1] = 4"));
    size_t twice[] = {1, 2, 1};
    assert_int_equal(musc_merge_tracks(m, twice, 3), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "listed twice"));
    assert_int_equal(musc_merge_tracks(m, out, 0), MUSC_ERR_ARG);
    assert_int_equal(musc_merge_tracks(m, NULL, 2), MUSC_ERR_ARG);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void merge_all_of_empty_tracks(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_track(m, 1, 0, NULL);
    musc_music_add_track(m, 2, 0, NULL);
    size_t idx[] = {0, 1};
    assert_int_equal(musc_merge_tracks(m, idx, 2), MUSC_OK);
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].program, 1);
    assert_int_equal(m->tracks[0].n_notes, 0);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(merges_into_first_listed),
        cmocka_unit_test(stable_on_equal_keys),
        cmocka_unit_test(single_index_is_noop),
        cmocka_unit_test(bad_indices_change_nothing),
        cmocka_unit_test(merge_all_of_empty_tracks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
