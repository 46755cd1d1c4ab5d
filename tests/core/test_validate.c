/*
 * musc_music_validate: a valid music passes, and each invariant's violation
 * is reported as MUSC_ERR_INVALID with a message naming the path, the value
 * and what was expected.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *valid(void)
{
    musc_music *m = musc_music_new(24);
    musc_set_string(&m->metadata.title, "Tïtle");
    musc_music_add_creator(m, "C");
    musc_music_add_tempo(m, 0, 120);
    musc_music_add_key_signature(m, 0, -7, MUSC_MODE_NONE, -1);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_lyric(m, 0, "l");
    musc_music_add_annotation(m, 0, 0, "a");
    musc_music_add_raw_event(m, 0, MUSC_RAW_ESCAPE, (const uint8_t *)"ab", 2, 0);
    musc_track *t = musc_music_add_track(m, 127, 0, "piano");
    musc_track_add_note(t, 0, 24, 127, 127);
    musc_track_add_note(t, 0, 0, 0, 0);
    int16_t p[] = {0, 127};
    musc_track_add_chord(t, 0, 24, p, 2, 64);
    musc_track_add_lyric(t, 0, "x");
    musc_track_add_annotation(t, 0, 0, "y");
    musc_track_add_control(t, 0, 127, 127);
    musc_track_add_pitch_bend(t, 0, -8192);
    musc_track_add_pitch_bend(t, 0, 8191);
    musc_track_add_pressure(t, 0, -1, 127);
    musc_track_add_pressure(t, 0, 127, 0);
    t = musc_music_add_track(m, 0, 1, NULL);
    t->channel = 15;
    return m;
}

/* Break a fresh valid music with `edit`; validate must name `expect`. */
static void expect_invalid(void (*edit)(musc_music *), const char *expect)
{
    musc_music *m = valid();
    edit(m);
    assert_int_equal(musc_music_validate(m), MUSC_ERR_INVALID);
    if (!strstr(musc_errmsg(), expect))
        fail_msg("message \"%s\" does not contain \"%s\"", musc_errmsg(), expect);
    musc_music_free(m);
}

#define T0 (&m->tracks[0])
static void e_res(musc_music *m) { m->resolution = 0; }
static void e_title(musc_music *m) { musc_set_string(&m->metadata.title, "bad\xff"); }
static void e_srcfmt(musc_music *m) { musc_set_string(&m->metadata.source_format, "\xc0\x80"); }
static void e_creator_null(musc_music *m) { free(m->metadata.creators[0]); m->metadata.creators[0] = NULL; }
static void e_creator_utf8(musc_music *m) { musc_set_string(&m->metadata.creators[0], "\xed\xa0\x80"); }
static void e_tempo_time(musc_music *m) { m->tempos[0].time = -1; }
static void e_qpm(musc_music *m) { m->tempos[0].qpm = 0; }
static void e_qpm_nan(musc_music *m) { m->tempos[0].qpm = NAN; }
static void e_fifths(musc_music *m) { m->key_signatures[0].fifths = 8; }
static void e_mode(musc_music *m) { m->key_signatures[0].mode = 2; }
static void e_root(musc_music *m) { m->key_signatures[0].root = 12; }
static void e_num(musc_music *m) { m->time_signatures[0].numerator = 0; }
static void e_den(musc_music *m) { m->time_signatures[0].denominator = 0; }
static void e_ts_time(musc_music *m) { m->time_signatures[0].time = -5; }
static void e_lyric_time(musc_music *m) { m->lyrics[0].time = -2; }
static void e_lyric_utf8(musc_music *m) { musc_set_string(&m->lyrics[0].text, "\x80"); }
static void e_ann_utf8(musc_music *m) { musc_set_string(&m->annotations[0].text, "\xf8"); }
static void e_raw_type(musc_music *m) { m->raw_events[0].type = 200; }
static void e_raw_null(musc_music *m) { free(m->raw_events[0].data); m->raw_events[0].data = NULL; }
static void e_raw_time(musc_music *m) { m->raw_events[0].time = -1; }
static void e_program(musc_music *m) { T0->program = 128; }
static void e_channel(musc_music *m) { m->tracks[1].channel = 16; }
static void e_tname(musc_music *m) { musc_set_string(&T0->name, "\xff"); }
static void e_iname(musc_music *m) { musc_set_string(&T0->instrument_name, "\xff"); }
static void e_note_time(musc_music *m) { T0->notes[1].time = -1; }
static void e_note_dur(musc_music *m) { T0->notes[1].duration = -3; }
static void e_note_pitch(musc_music *m) { T0->notes[1].pitch = 130; }
static void e_note_neg_pitch(musc_music *m) { T0->notes[0].pitch = -1; }
static void e_note_vel(musc_music *m) { T0->notes[1].velocity = 128; }
static void e_note_end(musc_music *m) { T0->notes[1].time = INT64_MAX - 1; T0->notes[1].duration = 2; }
static void e_chord_time(musc_music *m) { T0->chords[0].time = -1; }
static void e_chord_dur(musc_music *m) { T0->chords[0].duration = -1; }
static void e_chord_end(musc_music *m) { T0->chords[0].time = INT64_MAX; }
static void e_chord_vel(musc_music *m) { T0->chords[0].velocity = -1; }
static void e_chord_pitch(musc_music *m) { T0->chords[0].pitches[1] = 128; }
static void e_chord_null(musc_music *m) { free(T0->chords[0].pitches); T0->chords[0].pitches = NULL; }
static void e_tlyric(musc_music *m) { T0->lyrics[0].time = -1; }
static void e_tann(musc_music *m) { musc_set_string(&T0->annotations[0].text, "\xc3"); }
static void e_ctl_num(musc_music *m) { T0->controls[0].number = 128; }
static void e_ctl_val(musc_music *m) { T0->controls[0].value = 200; }
static void e_ctl_time(musc_music *m) { T0->controls[0].time = -1; }
static void e_bend_lo(musc_music *m) { T0->pitch_bends[0].value = -8193; }
static void e_bend_hi(musc_music *m) { T0->pitch_bends[1].value = 8192; }
static void e_bend_time(musc_music *m) { T0->pitch_bends[1].time = -1; }
static void e_press_pitch(musc_music *m) { T0->pressures[0].pitch = -2; }
static void e_press_val(musc_music *m) { T0->pressures[1].value = 128; }
static void e_notes_null(musc_music *m) { free(T0->notes); T0->notes = NULL; }
static void e_tempos_null(musc_music *m) { free(m->tempos); m->tempos = NULL; }

static void valid_music_passes(void **state)
{
    (void)state;
    musc_music *m = valid();
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_music_free(m);
    assert_int_equal(musc_music_validate(NULL), MUSC_ERR_ARG);
}

static void music_level_violations(void **state)
{
    (void)state;
    expect_invalid(e_res, "resolution = 0, expected >= 1");
    expect_invalid(e_title, "metadata.title is not valid UTF-8");
    expect_invalid(e_srcfmt, "metadata.source_format is not valid UTF-8"); /* overlong */
    expect_invalid(e_creator_null, "metadata.creators[0] is NULL");
    expect_invalid(e_creator_utf8, "metadata.creators[0] is not valid UTF-8"); /* surrogate */
    expect_invalid(e_tempo_time, "tempos[0].time = -1, expected >= 0");
    expect_invalid(e_qpm, "tempos[0].qpm = 0, expected a finite value > 0");
    expect_invalid(e_qpm_nan, "tempos[0].qpm = ");
    expect_invalid(e_fifths, "key_signatures[0].fifths = 8, expected -7..7");
    expect_invalid(e_mode, "key_signatures[0].mode = 2");
    expect_invalid(e_root, "key_signatures[0].root = 12, expected -1..11");
    expect_invalid(e_num, "time_signatures[0].numerator = 0");
    expect_invalid(e_den, "time_signatures[0].denominator = 0, expected >= 1");
    expect_invalid(e_ts_time, "time_signatures[0].time = -5");
    expect_invalid(e_lyric_time, "lyrics[0].time = -2");
    expect_invalid(e_lyric_utf8, "lyrics[0].text is not valid UTF-8");
    expect_invalid(e_ann_utf8, "annotations[0].text is not valid UTF-8");
    expect_invalid(e_raw_type, "raw_events[0].type = 200");
    expect_invalid(e_raw_null, "raw_events[0].data is NULL with size 2");
    expect_invalid(e_raw_time, "raw_events[0].time = -1");
    expect_invalid(e_tempos_null, "tempos is NULL with 1 elements");
}

static void track_level_violations(void **state)
{
    (void)state;
    expect_invalid(e_program, "tracks[0].program = 128, expected 0..127");
    expect_invalid(e_channel, "tracks[1].channel = 16, expected -1..15");
    expect_invalid(e_tname, "tracks[0].name is not valid UTF-8");
    expect_invalid(e_iname, "tracks[0].instrument_name is not valid UTF-8");
    expect_invalid(e_note_time, "tracks[0].notes[1].time = -1, expected >= 0");
    expect_invalid(e_note_dur, "tracks[0].notes[1].duration = -3, expected >= 0");
    expect_invalid(e_note_pitch, "tracks[0].notes[1].pitch = 130, expected 0..127");
    expect_invalid(e_note_neg_pitch, "tracks[0].notes[0].pitch = -1, expected 0..127");
    expect_invalid(e_note_vel, "tracks[0].notes[1].velocity = 128, expected 0..127");
    expect_invalid(e_note_end, "tracks[0].notes[1] ends past the largest tick");
    expect_invalid(e_chord_time, "tracks[0].chords[0].time = -1, expected >= 0");
    expect_invalid(e_chord_dur, "tracks[0].chords[0].duration = -1, expected >= 0");
    expect_invalid(e_chord_end, "tracks[0].chords[0] ends past the largest tick");
    expect_invalid(e_chord_vel, "tracks[0].chords[0].velocity = -1, expected 0..127");
    expect_invalid(e_chord_pitch, "tracks[0].chords[0].pitches[1] = 128, expected 0..127");
    expect_invalid(e_chord_null, "tracks[0].chords[0].pitches is NULL");
    expect_invalid(e_tlyric, "tracks[0].lyrics[0].time = -1");
    expect_invalid(e_tann, "tracks[0].annotations[0].text is not valid UTF-8");
    expect_invalid(e_ctl_num, "tracks[0].controls[0].number = 128, expected 0..127");
    expect_invalid(e_ctl_val, "tracks[0].controls[0].value = 200, expected 0..127");
    expect_invalid(e_ctl_time, "tracks[0].controls[0].time = -1");
    expect_invalid(e_bend_lo, "tracks[0].pitch_bends[0].value = -8193, expected -8192..8191");
    expect_invalid(e_bend_hi, "tracks[0].pitch_bends[1].value = 8192");
    expect_invalid(e_bend_time, "tracks[0].pitch_bends[1].time = -1");
    expect_invalid(e_press_pitch, "tracks[0].pressures[0].pitch = -2");
    expect_invalid(e_press_val, "tracks[0].pressures[1].value = 128");
    expect_invalid(e_notes_null, "tracks[0].notes is NULL with 2 elements");
}

/* The first violation in storage order is the one reported. */
static void first_violation_wins(void **state)
{
    (void)state;
    musc_music *m = valid();
    m->tracks[0].notes[1].pitch = 200;
    m->tracks[0].notes[0].velocity = 300;
    assert_int_equal(musc_music_validate(m), MUSC_ERR_INVALID);
    assert_non_null(strstr(musc_errmsg(), "notes[0].velocity = 300"));
    musc_music_free(m);
}

static void valid_utf8_accepted(void **state)
{
    (void)state;
    musc_music *m = valid();
    musc_set_string(&m->metadata.title, "\xf0\x9f\x8e\xb5 Gr\xc3\xbc\xc3\x9f \xe6\x9b\xb2");
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_set_string(&m->metadata.title, "\xf4\x90\x80\x80"); /* above U+10FFFF */
    assert_int_equal(musc_music_validate(m), MUSC_ERR_INVALID);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_music_passes),
        cmocka_unit_test(music_level_violations),
        cmocka_unit_test(track_level_violations),
        cmocka_unit_test(first_violation_wins),
        cmocka_unit_test(valid_utf8_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
