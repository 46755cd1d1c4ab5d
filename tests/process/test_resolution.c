/*
 * musc_adjust_resolution: MusPy's rounding (halves to even), the one-tick
 * floor for notes that had a length, every timed object mapped, exact
 * arithmetic for huge times, and errors that leave the music unchanged.
 */
#include <stdint.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *one_note(int res, int64_t time, int64_t dur)
{
    musc_music *m = musc_music_new(res);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    assert_int_equal(musc_track_add_note(t, time, dur, 60, 64), MUSC_OK);
    return m;
}

/* 480 -> 12 makes ticks that are 20 mod 40 exact halves: Python's round(). */
static void halves_round_to_even(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(480);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int64_t times[] = {20, 60, 100, 140, 0, 19, 21, 480};
    int64_t want[] = {0, 2, 2, 4, 0, 0, 1, 12};
    for (size_t i = 0; i < 8; i++)
        musc_track_add_note(t, times[i], 0, 60, 64);
    assert_int_equal(musc_adjust_resolution(m, 12, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->resolution, 12);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(m->tracks[0].notes[i].time, want[i]);
    musc_music_free(m);
}

static void other_rounding_modes(void **state)
{
    (void)state;
    struct { musc_rounding r; int64_t want[4]; } cases[] = {
        {MUSC_ROUND_NEAREST_UP, {1, 2, 3, 0}},
        {MUSC_ROUND_FLOOR, {0, 1, 2, 0}},
        {MUSC_ROUND_CEIL, {1, 2, 3, 1}},
        {MUSC_ROUND_NEAREST_EVEN, {0, 2, 2, 0}},
    };
    int64_t times[] = {20, 60, 100, 1}; /* 0.5, 1.5, 2.5, 0.025 at 12 */
    for (size_t c = 0; c < 4; c++) {
        musc_music *m = musc_music_new(480);
        for (size_t i = 0; i < 4; i++)
            musc_music_add_lyric(m, times[i], "x");
        assert_int_equal(musc_adjust_resolution(m, 12, cases[c].r), MUSC_OK);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(m->lyrics[i].time, cases[c].want[i]);
        musc_music_free(m);
    }
}

/* Start and end map separately: adjacent notes stay adjacent. */
static void note_ends_map_separately(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(480);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 30, 60, 64);  /* end 30 -> 0.75 -> 1 */
    musc_track_add_note(t, 30, 30, 62, 64); /* 0.75 .. 1.5 -> 1 .. 2 */
    assert_int_equal(musc_adjust_resolution(m, 12, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 0);
    assert_int_equal(m->tracks[0].notes[0].duration, 1);
    assert_int_equal(m->tracks[0].notes[1].time, 1);
    assert_int_equal(m->tracks[0].notes[1].duration, 1);
    musc_music_free(m);
}

/* MusPy would make this note 0 ticks long; musc keeps one tick. */
static void positive_duration_keeps_one_tick(void **state)
{
    (void)state;
    musc_music *m = one_note(480, 100, 10); /* floor: 2.5 .. 2.75 -> 2 .. 2 */
    musc_music *z = one_note(480, 0, 5);    /* 0 .. 0.125 -> 0 .. 0 */
    assert_int_equal(musc_adjust_resolution(z, 12, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(z->tracks[0].notes[0].time, 0);
    assert_int_equal(z->tracks[0].notes[0].duration, 1);
    assert_int_equal(musc_adjust_resolution(m, 12, MUSC_ROUND_FLOOR), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 2);
    assert_int_equal(m->tracks[0].notes[0].duration, 1);
    musc_music_free(m);
    musc_music_free(z);
}

static void zero_duration_stays_zero(void **state)
{
    (void)state;
    musc_music *m = one_note(480, 960, 0);
    assert_int_equal(musc_adjust_resolution(m, 7, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 14);
    assert_int_equal(m->tracks[0].notes[0].duration, 0);
    musc_music_free(m);
}

static void upsampling_is_exact(void **state)
{
    (void)state;
    musc_music *m = one_note(24, 7, 5);
    assert_int_equal(musc_adjust_resolution(m, 960, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 280);
    assert_int_equal(m->tracks[0].notes[0].duration, 200);
    /* and back again, losslessly */
    assert_int_equal(musc_adjust_resolution(m, 24, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, 7);
    assert_int_equal(m->tracks[0].notes[0].duration, 5);
    musc_music_free(m);
}

/* Every timed list moves; qpm (per quarter) does not change. */
static void every_timed_object_is_mapped(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(100);
    musc_music_add_tempo(m, 200, 90.0);
    musc_music_add_key_signature(m, 200, 2, MUSC_MODE_MAJOR, 2);
    musc_music_add_time_signature(m, 200, 3, 4);
    musc_music_add_lyric(m, 200, "la");
    musc_music_add_annotation(m, 200, MUSC_ANN_MARKER, "A");
    uint8_t sysex[] = {0x7e, 0x7f, 0x09, 0x01, 0xf7};
    musc_music_add_raw_event(m, 200, MUSC_RAW_SYSEX, sysex, sizeof sysex, 0);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    int16_t p[] = {60, 64};
    musc_track_add_note(t, 200, 100, 60, 64);
    musc_track_add_chord(t, 200, 100, p, 2, 64);
    musc_track_add_lyric(t, 200, "la");
    musc_track_add_annotation(t, 200, MUSC_ANN_TEXT, "t");
    musc_track_add_control(t, 200, 64, 127);
    musc_track_add_pitch_bend(t, 200, 100);
    musc_track_add_pressure(t, 200, -1, 30);
    assert_int_equal(musc_adjust_resolution(m, 10, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tempos[0].time, 20);
    assert_true(m->tempos[0].qpm == 90.0);
    assert_int_equal(m->key_signatures[0].time, 20);
    assert_int_equal(m->time_signatures[0].time, 20);
    assert_int_equal(m->lyrics[0].time, 20);
    assert_int_equal(m->annotations[0].time, 20);
    assert_int_equal(m->raw_events[0].time, 20);
    t = &m->tracks[0];
    assert_int_equal(t->notes[0].time, 20);
    assert_int_equal(t->notes[0].duration, 10);
    assert_int_equal(t->chords[0].time, 20);
    assert_int_equal(t->chords[0].duration, 10);
    assert_int_equal(t->lyrics[0].time, 20);
    assert_int_equal(t->annotations[0].time, 20);
    assert_int_equal(t->controls[0].time, 20);
    assert_int_equal(t->pitch_bends[0].time, 20);
    assert_int_equal(t->pressures[0].time, 20);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
}

/* t * new overflows int64 although the result fits: still exact. */
static void huge_times_do_not_overflow(void **state)
{
    (void)state;
    int64_t big = INT64_MAX / 2 + 1; /* 2^62 */
    musc_music *m = one_note(1 << 20, big, 1 << 20);
    assert_int_equal(musc_adjust_resolution(m, 1 << 19, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
    assert_int_equal(m->tracks[0].notes[0].time, big / 2);
    assert_int_equal(m->tracks[0].notes[0].duration, 1 << 19);
    musc_music_free(m);

    /* 3 * (2^62 + 1) / 7 needs 64+ bit intermediates */
    m = musc_music_new(7);
    musc_music_add_lyric(m, big + 1, NULL);
    assert_int_equal(musc_adjust_resolution(m, 3, MUSC_ROUND_FLOOR), MUSC_OK);
    /* floor(3 * (2^62 + 1) / 7) = 1976436865040309102 */
    assert_int_equal(m->lyrics[0].time, INT64_C(1976436865040309102));
    musc_music_free(m);
}

static void overflow_is_range_error_and_unchanged(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(1);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 10, 5, 60, 64);         /* fine on its own */
    musc_track_add_control(t, INT64_MAX / 2, 7, 100); /* doubles past the top */
    musc_music *before = musc_music_copy(m);
    assert_int_equal(musc_adjust_resolution(m, 4, MUSC_ROUND_NEAREST_EVEN), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "tracks[0].controls[0]"));
    assert_true(musc_music_equal(m, before));
    assert_int_equal(m->resolution, 1);
    musc_music_free(m);
    musc_music_free(before);
}

static void bad_arguments(void **state)
{
    (void)state;
    musc_music *m = one_note(24, 5, 5);
    musc_music *before = musc_music_copy(m);
    assert_int_equal(musc_adjust_resolution(m, 0, MUSC_ROUND_NEAREST_EVEN), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "resolution"));
    assert_int_equal(musc_adjust_resolution(m, -3, MUSC_ROUND_NEAREST_EVEN), MUSC_ERR_ARG);
    assert_int_equal(musc_adjust_resolution(m, 12, (musc_rounding)9), MUSC_ERR_ARG);
    assert_int_equal(musc_adjust_resolution(NULL, 12, MUSC_ROUND_FLOOR), MUSC_ERR_ARG);
    m->resolution = 0;
    assert_int_equal(musc_adjust_resolution(m, 12, MUSC_ROUND_FLOOR), MUSC_ERR_INVALID);
    m->resolution = 24;
    assert_true(musc_music_equal(m, before));
    /* same resolution: nothing to do */
    assert_int_equal(musc_adjust_resolution(m, 24, MUSC_ROUND_CEIL), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

/* Random music: up by an integer factor and back down is lossless, and
 * every result validates. */
static void random_round_trips(void **state)
{
    (void)state;
    uint32_t x = 99;
    for (int round = 0; round < 50; round++) {
        musc_music *m = musc_music_new(1 + (int)(round % 17) * 5);
        musc_track *t = musc_music_add_track(m, 0, 0, NULL);
        for (int i = 0; i < 200; i++) {
            x = x * 1664525u + 1013904223u;
            musc_track_add_note(t, x % 100000, (x >> 20) % 50, (int)((x >> 8) % 128), 64);
            musc_track_add_control(t, (x >> 3) % 100000, 1, 2);
        }
        musc_music_add_tempo(m, x % 5000, 77);
        musc_music *orig = musc_music_copy(m);
        int factor = 2 + round % 7;
        assert_int_equal(musc_adjust_resolution(m, m->resolution * factor,
                                                (musc_rounding)(round % 4)), MUSC_OK);
        assert_int_equal(musc_music_validate(m), MUSC_OK);
        assert_int_equal(musc_adjust_resolution(m, orig->resolution, MUSC_ROUND_NEAREST_EVEN),
                         MUSC_OK);
        char buf[200];
        if (!musc_music_diff(m, orig, buf, sizeof buf))
            fail_msg("round %d: %s", round, buf);
        /* and a lossy change down still gives a valid music */
        assert_int_equal(musc_adjust_resolution(m, 3, MUSC_ROUND_NEAREST_EVEN), MUSC_OK);
        assert_int_equal(musc_music_validate(m), MUSC_OK);
        for (size_t i = 0; i < t->n_notes; i++)
            if (orig->tracks[0].notes[i].duration > 0)
                assert_true(m->tracks[0].notes[i].duration >= 1);
        musc_music_free(m);
        musc_music_free(orig);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(halves_round_to_even),
        cmocka_unit_test(other_rounding_modes),
        cmocka_unit_test(note_ends_map_separately),
        cmocka_unit_test(positive_duration_keeps_one_tick),
        cmocka_unit_test(zero_duration_stays_zero),
        cmocka_unit_test(upsampling_is_exact),
        cmocka_unit_test(every_timed_object_is_mapped),
        cmocka_unit_test(huge_times_do_not_overflow),
        cmocka_unit_test(overflow_is_range_error_and_unchanged),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(random_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
