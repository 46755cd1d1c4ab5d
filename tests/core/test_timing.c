/*
 * Time queries: end time, ticks <-> seconds through the tempo map (120 qpm
 * before the first tempo, changes, round trips), beats and downbeats from
 * time signatures (4/4 when none), and sustain pedals from control 64.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "test_support.h"
#include "musc/musc.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void end_time_covers_everything(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_end_time(m), 0);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 10, 20, 60, 64);
    assert_int_equal(musc_music_end_time(m), 30);
    int16_t p[] = {60};
    musc_track_add_chord(t, 20, 15, p, 1, 64);
    assert_int_equal(musc_music_end_time(m), 35);
    musc_music_add_tempo(m, 40, 90);
    assert_int_equal(musc_music_end_time(m), 40);
    musc_track_add_control(t, 41, 7, 1);
    assert_int_equal(musc_music_end_time(m), 41);
    musc_track_add_pitch_bend(t, 42, 0);
    musc_track_add_pressure(t, 43, -1, 0);
    musc_track_add_lyric(t, 44, "x");
    musc_track_add_annotation(t, 45, 0, "y");
    musc_music_add_key_signature(m, 46, 0, 0, 0);
    musc_music_add_time_signature(m, 47, 3, 4);
    musc_music_add_lyric(m, 48, "l");
    musc_music_add_annotation(m, 49, 0, "a");
    assert_int_equal(musc_music_end_time(m), 49);
    musc_music_add_raw_event(m, 50, MUSC_RAW_SYSEX, (const uint8_t *)"\x7e", 1, 0);
    assert_int_equal(musc_music_end_time(m), 50);
    /* a zero-length note at the very end counts by its time */
    musc_track_add_note(t, 60, 0, 60, 64);
    assert_int_equal(musc_music_end_time(m), 60);
    /* an end past INT64_MAX saturates instead of wrapping */
    t->notes[0].time = INT64_MAX - 5;
    assert_int_equal(musc_music_end_time(m), INT64_MAX);
    musc_music_free(m);
}

static void default_tempo_is_120(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    NEAR(musc_music_ticks_to_seconds(m, 0), 0.0);
    NEAR(musc_music_ticks_to_seconds(m, 24), 0.5);
    NEAR(musc_music_ticks_to_seconds(m, 480), 10.0);
    assert_int_equal(musc_music_seconds_to_ticks(m, 10.0), 480);
    NEAR(musc_music_ticks_to_seconds(m, -24), -0.5);
    assert_int_equal(musc_music_seconds_to_ticks(m, -0.5), -24);
    musc_music_free(m);
}

static void tempo_changes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_tempo(m, 0, 60);   /* 1 s per quarter */
    musc_music_add_tempo(m, 48, 120); /* 0.5 s per quarter */
    musc_music_add_tempo(m, 96, 240);
    NEAR(musc_music_ticks_to_seconds(m, 24), 1.0);
    NEAR(musc_music_ticks_to_seconds(m, 48), 2.0);
    NEAR(musc_music_ticks_to_seconds(m, 72), 2.5);
    NEAR(musc_music_ticks_to_seconds(m, 96), 3.0);
    NEAR(musc_music_ticks_to_seconds(m, 120), 3.25);
    assert_int_equal(musc_music_seconds_to_ticks(m, 2.0), 48);
    assert_int_equal(musc_music_seconds_to_ticks(m, 2.5), 72);
    assert_int_equal(musc_music_seconds_to_ticks(m, 3.25), 120);
    assert_int_equal(musc_music_seconds_to_ticks(m, 100.0), 96 + 97 * 96);
    /* before 0 the first tempo extrapolates */
    NEAR(musc_music_ticks_to_seconds(m, -24), -1.0);
    /* rounding to the nearest tick */
    assert_int_equal(musc_music_seconds_to_ticks(m, 1.0 / 24 * 0.49), 0);
    assert_int_equal(musc_music_seconds_to_ticks(m, 1.0 / 24 * 0.51), 1);
    musc_music_free(m);
}

/* No tempo at 0: 120 qpm until the first one. */
static void first_tempo_later(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_tempo(m, 48, 60);
    NEAR(musc_music_ticks_to_seconds(m, 24), 0.5);
    NEAR(musc_music_ticks_to_seconds(m, 48), 1.0);
    NEAR(musc_music_ticks_to_seconds(m, 72), 2.0);
    assert_int_equal(musc_music_seconds_to_ticks(m, 0.5), 24);
    assert_int_equal(musc_music_seconds_to_ticks(m, 2.0), 72);
    musc_music_free(m);
}

static void same_time_tempos_last_wins(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_tempo(m, 0, 60);
    musc_music_add_tempo(m, 0, 120);
    NEAR(musc_music_ticks_to_seconds(m, 24), 0.5);
    assert_int_equal(musc_music_seconds_to_ticks(m, 0.5), 24);
    musc_music_free(m);
}

static void round_trip_ticks_seconds_ticks(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(480);
    double qpm[] = {97.3, 140, 33.3333, 200.5, 61};
    for (int i = 0; i < 5; i++)
        musc_music_add_tempo(m, (int64_t)i * 1931, qpm[i]);
    for (int64_t t = 0; t < 20000; t += 7)
        assert_int_equal(musc_music_seconds_to_ticks(m, musc_music_ticks_to_seconds(m, t)), t);
    int64_t big = INT64_C(1) << 40;
    assert_int_equal(musc_music_seconds_to_ticks(m, musc_music_ticks_to_seconds(m, big)), big);
    /* absurd seconds saturate instead of overflowing */
    assert_int_equal(musc_music_seconds_to_ticks(m, 1e300), INT64_MAX);
    assert_int_equal(musc_music_seconds_to_ticks(m, -1e300), INT64_MIN);
    assert_int_equal(musc_music_seconds_to_ticks(m, NAN), 0);
    musc_music_free(m);
}

static void check_times(const int64_t *got, size_t n, const int64_t *want, size_t wn)
{
    assert_int_equal(n, wn);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("beat %zu is %lld, expected %lld", i, (long long)got[i], (long long)want[i]);
}

static void beats_default_four_four(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 32, 60, 64);
    int64_t *b;
    size_t n;
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    const int64_t want[] = {0, 4, 8, 12, 16, 20, 24, 28};
    check_times(b, n, want, 8);
    free(b);
    assert_int_equal(musc_music_beats(m, 1, &b, &n), MUSC_OK);
    const int64_t down[] = {0, 16};
    check_times(b, n, down, 2);
    free(b);
    musc_music_free(m);
}

/* 4/4 -> 3/4 -> 6/8: each change starts a bar; 6/8 beats are eighths. */
static void beats_with_signature_changes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_time_signature(m, 16, 3, 4);
    musc_music_add_time_signature(m, 28, 6, 8);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 40, 60, 64);
    int64_t *b;
    size_t n;
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    const int64_t want[] = {0, 4, 8, 12, 16, 20, 24, 28, 30, 32, 34, 36, 38};
    check_times(b, n, want, sizeof want / sizeof *want);
    free(b);
    assert_int_equal(musc_music_beats(m, 1, &b, &n), MUSC_OK);
    const int64_t down[] = {0, 16, 28}; /* a 6/8 bar is 12 ticks: the next is at 40 */
    check_times(b, n, down, 3);
    free(b);
    musc_music_free(m);
}

/* A change mid-bar restarts the bar; before the first signature it is 4/4. */
static void beats_first_signature_later(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(2);
    musc_music_add_time_signature(m, 6, 2, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 14, 60, 64);
    int64_t *b;
    size_t n;
    assert_int_equal(musc_music_beats(m, 1, &b, &n), MUSC_OK);
    const int64_t down[] = {0, 6, 10};
    check_times(b, n, down, 3);
    free(b);
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    const int64_t want[] = {0, 2, 4, 6, 8, 10, 12};
    check_times(b, n, want, 7);
    free(b);
    musc_music_free(m);
}

/* 4*24/5 = 19.2 ticks a beat: positions round without drifting. */
static void fractional_beats_do_not_drift(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_time_signature(m, 0, 3, 5);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 116, 60, 64);
    int64_t *b;
    size_t n;
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    const int64_t want[] = {0, 19, 38, 58, 77, 96, 115};
    check_times(b, n, want, 7);
    free(b);
    assert_int_equal(musc_music_beats(m, 1, &b, &n), MUSC_OK);
    const int64_t down[] = {0, 58, 115}; /* bars of 57.6 ticks */
    check_times(b, n, down, 3);
    free(b);
    /* beats shorter than a tick become one tick each */
    m->resolution = 1;
    m->time_signatures[0].denominator = 64;
    m->tracks[0].notes[0].duration = 5;
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    const int64_t ticks[] = {0, 1, 2, 3, 4};
    check_times(b, n, ticks, 5);
    free(b);
    musc_music_free(m);
}

/* A far end time is refused quickly, for downbeats too (no long loop). */
static void absurd_end_time_is_refused(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, INT64_C(1) << 50, 1, 60, 64);
    int64_t *b = NULL;
    size_t n;
    assert_int_equal(musc_music_beats(m, 1, &b, &n), MUSC_ERR_RANGE);
    assert_null(b);
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_ERR_RANGE);
    assert_null(b);
    musc_music_free(m);
}

static void beats_of_empty_music(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    int64_t *b = (int64_t *)1;
    size_t n = 99;
    assert_int_equal(musc_music_beats(m, 0, &b, &n), MUSC_OK);
    assert_int_equal(n, 0);
    free(b);
    musc_music_free(m);
}

static void pedals_from_cc64(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_control(t, 0, 64, 127);
    musc_track_add_control(t, 5, 64, 100); /* still down: no new pedal */
    musc_track_add_control(t, 10, 64, 0);
    musc_track_add_control(t, 12, 64, 10); /* already up */
    musc_track_add_control(t, 20, 64, 64); /* 64 counts as down */
    musc_track_add_control(t, 22, 7, 0);   /* other controllers ignored */
    musc_track_add_control(t, 25, 64, 63);
    musc_track_add_control(t, 30, 64, 90); /* never released */
    musc_track_add_note(t, 30, 10, 60, 64);
    musc_track_add_pitch_bend(t, 50, 0);   /* the track ends here */
    musc_pedal *p;
    size_t n;
    assert_int_equal(musc_track_pedals(t, &p, &n), MUSC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(p[0].time, 0);
    assert_int_equal(p[0].duration, 10);
    assert_int_equal(p[1].time, 20);
    assert_int_equal(p[1].duration, 5);
    assert_int_equal(p[2].time, 30);
    assert_int_equal(p[2].duration, 20);
    free(p);
    musc_music_free(m);
}

static void no_pedals(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_pedal *p = (musc_pedal *)1;
    size_t n = 5;
    assert_int_equal(musc_track_pedals(t, &p, &n), MUSC_OK);
    assert_int_equal(n, 0);
    assert_null(p);
    musc_music_free(m);
}

static void note_count(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_note_count(m), 0);
    musc_track_add_note(musc_music_add_track(m, 0, 0, NULL), 0, 1, 60, 64);
    musc_track *t = musc_music_add_track(m, 0, 1, NULL);
    musc_track_add_note(t, 0, 1, 36, 64);
    musc_track_add_note(t, 1, 1, 36, 64);
    assert_int_equal(musc_music_note_count(m), 3);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(end_time_covers_everything),
        cmocka_unit_test(default_tempo_is_120),
        cmocka_unit_test(tempo_changes),
        cmocka_unit_test(first_tempo_later),
        cmocka_unit_test(same_time_tempos_last_wins),
        cmocka_unit_test(round_trip_ticks_seconds_ticks),
        cmocka_unit_test(beats_default_four_four),
        cmocka_unit_test(beats_with_signature_changes),
        cmocka_unit_test(beats_first_signature_later),
        cmocka_unit_test(fractional_beats_do_not_drift),
        cmocka_unit_test(absurd_end_time_is_refused),
        cmocka_unit_test(beats_of_empty_music),
        cmocka_unit_test(pedals_from_cc64),
        cmocka_unit_test(no_pedals),
        cmocka_unit_test(note_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
