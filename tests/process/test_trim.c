/*
 * musc_trim: the window [start, end), notes cut at end and dropped when they
 * start before start, state in force at start carried to time 0, the shift
 * by -start, and argument errors that change nothing.
 */
#include <stdint.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

/* MusPy's trim(end): drop what starts at/after end, shorten notes crossing it. */
static void end_only_like_muspy(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 10, 60, 64);  /* kept */
    musc_track_add_note(t, 40, 20, 62, 64); /* crosses 48: cut to 8 */
    musc_track_add_note(t, 48, 5, 64, 64);  /* starts at end: dropped */
    musc_track_add_note(t, 38, 10, 65, 64); /* ends exactly at end: kept */
    musc_track_add_lyric(t, 47, "kept");
    musc_track_add_lyric(t, 48, "dropped");
    musc_music_add_tempo(m, 48, 90);
    assert_int_equal(musc_trim(m, 0, 48), MUSC_OK);
    t = &m->tracks[0];
    assert_int_equal(t->n_notes, 3);
    assert_int_equal(t->notes[1].time, 40);
    assert_int_equal(t->notes[1].duration, 8);
    assert_int_equal(t->notes[2].pitch, 65);
    assert_int_equal(t->notes[2].duration, 10);
    assert_int_equal(t->n_lyrics, 1);
    assert_string_equal(t->lyrics[0].text, "kept");
    assert_int_equal(m->n_tempos, 0);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
}

static void start_shifts_and_drops_crossing_notes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 10, 30, 60, 64); /* crosses start 24: dropped */
    musc_track_add_note(t, 24, 0, 61, 64);  /* zero length at start: kept at 0 */
    musc_track_add_note(t, 30, 100, 62, 64); /* cut at 72 -> 42 long */
    int16_t p[] = {60, 64};
    musc_track_add_chord(t, 20, 4, p, 2, 64); /* before start: dropped */
    musc_track_add_chord(t, 50, 40, p, 2, 64); /* cut */
    musc_track_add_annotation(t, 5, MUSC_ANN_TEXT, "before");
    musc_track_add_annotation(t, 25, MUSC_ANN_TEXT, "inside");
    musc_track_add_pressure(t, 5, -1, 3);
    musc_music_add_lyric(m, 23, "x");
    musc_music_add_lyric(m, 71, "y");
    musc_music_add_annotation(m, 72, MUSC_ANN_MARKER, "z");
    assert_int_equal(musc_trim(m, 24, 72), MUSC_OK);
    t = &m->tracks[0];
    assert_int_equal(t->n_notes, 2);
    assert_int_equal(t->notes[0].time, 0);
    assert_int_equal(t->notes[0].pitch, 61);
    assert_int_equal(t->notes[1].time, 6);
    assert_int_equal(t->notes[1].duration, 42);
    assert_int_equal(t->n_chords, 1);
    assert_int_equal(t->chords[0].time, 26);
    assert_int_equal(t->chords[0].duration, 22);
    assert_int_equal(t->n_annotations, 1);
    assert_string_equal(t->annotations[0].text, "inside");
    assert_int_equal(t->annotations[0].time, 1);
    assert_int_equal(t->n_pressures, 0);
    assert_int_equal(m->n_lyrics, 1);
    assert_int_equal(m->lyrics[0].time, 47);
    assert_int_equal(m->n_annotations, 0);
    musc_music_free(m);
}

/* Tempo, key and time signature in force at start land at time 0. */
static void state_in_force_is_carried(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_tempo(m, 0, 100);
    musc_music_add_tempo(m, 10, 110); /* in force at 24 */
    musc_music_add_tempo(m, 30, 130);
    musc_music_add_key_signature(m, 0, 1, MUSC_MODE_MAJOR, 7);
    musc_music_add_key_signature(m, 24, 2, MUSC_MODE_MAJOR, 2); /* at start itself wins */
    musc_music_add_time_signature(m, 0, 3, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_control(t, 0, 7, 90);
    musc_track_add_control(t, 5, 7, 100); /* carried */
    musc_track_add_control(t, 6, 64, 127); /* pedal down: carried */
    musc_track_add_control(t, 3, 10, 20);
    musc_track_add_control(t, 24, 10, 30); /* same controller at start wins */
    musc_track_add_control(t, 40, 64, 0);
    musc_track_add_pitch_bend(t, 2, 100);
    musc_track_add_pitch_bend(t, 4, 200); /* carried */
    uint8_t gm_on[] = {0x7e, 0x7f, 0x09, 0x01, 0xf7};
    musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, gm_on, sizeof gm_on, 0);
    assert_int_equal(musc_trim(m, 24, -1), MUSC_OK);
    assert_int_equal(m->n_tempos, 2);
    assert_int_equal(m->tempos[0].time, 0);
    assert_true(m->tempos[0].qpm == 110);
    assert_int_equal(m->tempos[1].time, 6);
    assert_int_equal(m->n_key_signatures, 1);
    assert_int_equal(m->key_signatures[0].fifths, 2);
    assert_int_equal(m->n_time_signatures, 1);
    assert_int_equal(m->time_signatures[0].time, 0);
    assert_int_equal(m->time_signatures[0].numerator, 3);
    t = &m->tracks[0];
    assert_int_equal(t->n_controls, 4);
    assert_int_equal(t->controls[0].number, 7);
    assert_int_equal(t->controls[0].value, 100);
    assert_int_equal(t->controls[0].time, 0);
    assert_int_equal(t->controls[1].number, 64);
    assert_int_equal(t->controls[1].time, 0);
    assert_int_equal(t->controls[2].number, 10);
    assert_int_equal(t->controls[2].value, 30);
    assert_int_equal(t->controls[3].time, 16);
    assert_int_equal(t->n_pitch_bends, 1);
    assert_int_equal(t->pitch_bends[0].value, 200);
    assert_int_equal(t->pitch_bends[0].time, 0);
    assert_int_equal(m->n_raw_events, 1);
    assert_int_equal(m->raw_events[0].time, 0);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
}

/* end < 0: no upper limit, so trim(0, -1) changes nothing at all, even
 * objects exactly at the end time. */
static void no_end_is_identity_from_zero(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 48, 60, 64);
    musc_track_add_note(t, 48, 0, 60, 64);
    musc_music_add_tempo(m, 48, 80);
    musc_music *before = musc_music_copy(m);
    assert_int_equal(musc_trim(m, 0, -1), MUSC_OK);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void empty_window_keeps_only_state(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 48, 60, 64);
    musc_track_add_lyric(t, 10, "gone");
    musc_music_add_tempo(m, 0, 80);
    assert_int_equal(musc_trim(m, 10, 10), MUSC_OK);
    assert_int_equal(m->tracks[0].n_notes, 0);
    assert_int_equal(m->tracks[0].n_lyrics, 0);
    assert_int_equal(m->n_tempos, 1);
    assert_int_equal(m->tempos[0].time, 0);
    assert_int_equal(musc_music_end_time(m), 0);
    musc_music_free(m);
}

static void bad_arguments_change_nothing(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 48, 60, 64);
    musc_music *before = musc_music_copy(m);
    assert_int_equal(musc_trim(m, -1, 10), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "start = -1"));
    assert_int_equal(musc_trim(m, 20, 10), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "before start"));
    assert_int_equal(musc_trim(NULL, 0, 10), MUSC_ERR_ARG);
    assert_true(musc_music_equal(m, before));
    musc_music_free(m);
    musc_music_free(before);
}

static void huge_times(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, INT64_MAX - 100, 100, 60, 64);
    musc_track_add_note(t, INT64_MAX - 50, 10, 61, 64);
    assert_int_equal(musc_trim(m, INT64_MAX - 60, INT64_MAX - 45), MUSC_OK);
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_int_equal(m->tracks[0].notes[0].time, 10);
    assert_int_equal(m->tracks[0].notes[0].duration, 5);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(end_only_like_muspy),
        cmocka_unit_test(start_shifts_and_drops_crossing_notes),
        cmocka_unit_test(state_in_force_is_carried),
        cmocka_unit_test(no_end_is_identity_from_zero),
        cmocka_unit_test(empty_window_keeps_only_state),
        cmocka_unit_test(bad_arguments_change_nothing),
        cmocka_unit_test(huge_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
