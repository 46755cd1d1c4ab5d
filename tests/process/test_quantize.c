/*
 * musc_quantize: starts snap to the grid, ends only on request, a positive
 * duration never snaps below one grid step, other timed objects snap too,
 * and bad arguments or overflow leave the music unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *notes(const int64_t (*tn)[2], size_t n)
{
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(musc_track_add_note(t, tn[i][0], tn[i][1], 60, 64), MUSC_OK);
    return m;
}

/* Without snap_ends a note moves as a whole and keeps its duration. */
static void starts_snap_durations_kept(void **state)
{
    (void)state;
    const int64_t in[][2] = {{5, 7}, {7, 3}, {11, 0}, {13, 30}};
    const int64_t want_t[] = {6, 6, 12, 12};
    musc_music *m = notes(in, 4);
    assert_int_equal(musc_quantize(m, 6, 0, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(m->tracks[0].notes[i].time, want_t[i]);
        assert_int_equal(m->tracks[0].notes[i].duration, in[i][1]);
    }
    musc_music_free(m);
}

static void ends_snap_on_request(void **state)
{
    (void)state;
    /* grid 6: [5,12) -> [6,12); [7,10) -> [6,12) (end 10 -> 12);
     * [13,14) -> [12,12) would vanish, so it keeps one step: [12,18) */
    const int64_t in[][2] = {{5, 7}, {7, 3}, {13, 1}, {20, 0}};
    const int64_t want[][2] = {{6, 6}, {6, 6}, {12, 6}, {18, 0}};
    musc_music *m = notes(in, 4);
    assert_int_equal(musc_quantize(m, 6, 1, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(m->tracks[0].notes[i].time, want[i][0]);
        assert_int_equal(m->tracks[0].notes[i].duration, want[i][1]);
    }
    musc_music_free(m);
}

/* Exact halves of the grid go to the even multiple by default. */
static void halves_to_even_and_other_modes(void **state)
{
    (void)state;
    const int64_t in[][2] = {{3, 0}, {9, 0}, {15, 0}, {4, 0}};
    struct { musc_rounding r; int64_t want[4]; } cases[] = {
        {MUSC_ROUND_NEAREST_EVEN, {0, 12, 12, 6}},
        {MUSC_ROUND_NEAREST_UP, {6, 12, 18, 6}},
        {MUSC_ROUND_FLOOR, {0, 6, 12, 0}},
        {MUSC_ROUND_CEIL, {6, 12, 18, 6}},
    };
    for (size_t c = 0; c < 4; c++) {
        musc_music *m = notes(in, 4);
        assert_int_equal(musc_quantize(m, 6, 0, cases[c].r), MUSC_OK);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(m->tracks[0].notes[i].time, cases[c].want[i]);
        musc_music_free(m);
    }
}

static void other_objects_snap(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_tempo(m, 13, 100.0);
    musc_music_add_time_signature(m, 13, 3, 4);
    musc_music_add_key_signature(m, 13, 0, MUSC_MODE_MAJOR, 0);
    musc_music_add_lyric(m, 13, "a");
    musc_music_add_annotation(m, 13, MUSC_ANN_TEXT, "b");
    musc_music_add_raw_event(m, 13, 0x7f, (const uint8_t *)"x", 1, 0);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int16_t p[] = {60};
    musc_track_add_chord(t, 13, 2, p, 1, 64);
    musc_track_add_control(t, 13, 7, 100);
    musc_track_add_pitch_bend(t, 13, 0);
    musc_track_add_pressure(t, 13, 60, 5);
    musc_track_add_lyric(t, 13, "c");
    musc_track_add_annotation(t, 13, MUSC_ANN_CUE, "d");
    assert_int_equal(musc_quantize(m, 12, 1, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tempos[0].time, 12);
    assert_int_equal(m->time_signatures[0].time, 12);
    assert_int_equal(m->key_signatures[0].time, 12);
    assert_int_equal(m->lyrics[0].time, 12);
    assert_int_equal(m->annotations[0].time, 12);
    assert_int_equal(m->raw_events[0].time, 12);
    t = &m->tracks[0];
    assert_int_equal(t->chords[0].time, 12);
    assert_int_equal(t->chords[0].duration, 12);
    assert_int_equal(t->controls[0].time, 12);
    assert_int_equal(t->pitch_bends[0].time, 12);
    assert_int_equal(t->pressures[0].time, 12);
    assert_int_equal(t->lyrics[0].time, 12);
    assert_int_equal(t->annotations[0].time, 12);
    musc_music_free(m);
}

static void grid_one_is_identity(void **state)
{
    (void)state;
    const int64_t in[][2] = {{5, 7}, {7, 3}};
    musc_music *m = notes(in, 2), *before = musc_music_copy(m);
    assert_int_equal(musc_quantize(m, 1, 1, MUSC_ROUND_CEIL), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void errors_leave_music_unchanged(void **state)
{
    (void)state;
    const int64_t in[][2] = {{5, 7}, {INT64_MAX - 10, 3}};
    musc_music *m = notes(in, 2), *before = musc_music_copy(m);
    assert_int_equal(musc_quantize(m, 0, 0, MUSC_ROUND_FLOOR), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "grid"));
    assert_int_equal(musc_quantize(m, -4, 0, MUSC_ROUND_FLOOR), MUSC_ERR_ARG);
    assert_int_equal(musc_quantize(m, 4, 0, (musc_rounding)-1), MUSC_ERR_ARG);
    assert_true(musc_music_equal(m, before));
    /* the second note's start rounds up past INT64_MAX: checked before any write */
    assert_int_equal(musc_quantize(m, 1000, 0, MUSC_ROUND_CEIL), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "tracks[0].notes[1]"));
    assert_true(musc_music_equal(m, before));
    /* rounding down is fine though, and the first note moved */
    assert_int_equal(musc_quantize(m, 1000, 0, MUSC_ROUND_FLOOR), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 0);
    assert_int_equal(m->tracks[0].notes[1].time % 1000, 0);
    musc_music_free(m);
    musc_music_free(before);
}

/* Quantizing twice changes nothing the second time; results validate and
 * every snapped time is on the grid. */
static void idempotent_on_random_music(void **state)
{
    (void)state;
    uint32_t x = 7;
    for (int round = 0; round < 40; round++) {
        musc_music *m = musc_music_new(24);
        musc_track *t = musc_music_add_track(m, 0, 0, NULL);
        for (int i = 0; i < 100; i++) {
            x = x * 1664525u + 1013904223u;
            musc_track_add_note(t, x % 10000, (x >> 20) % 40, 60, 64);
        }
        int64_t grid = 1 + round % 13;
        int snap_ends = round % 2;
        musc_rounding r = (musc_rounding)(round % 4);
        assert_int_equal(musc_quantize(m, grid, snap_ends, r), MUSC_OK);
        assert_int_equal(musc_music_validate(m), MUSC_OK);
        for (size_t i = 0; i < t->n_notes; i++) {
            assert_int_equal(t->notes[i].time % grid, 0);
            if (snap_ends)
                assert_int_equal(t->notes[i].duration % grid, 0);
        }
        musc_music *once = musc_music_copy(m);
        assert_int_equal(musc_quantize(m, grid, snap_ends, r), MUSC_OK);
        assert_true(musc_music_equal(m, once));
        musc_music_free(once);
        musc_music_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(starts_snap_durations_kept),
        cmocka_unit_test(ends_snap_on_request),
        cmocka_unit_test(halves_to_even_and_other_modes),
        cmocka_unit_test(other_objects_snap),
        cmocka_unit_test(grid_one_is_identity),
        cmocka_unit_test(errors_leave_music_unchanged),
        cmocka_unit_test(idempotent_on_random_music),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
