/*
 * musc_music_equal / musc_music_diff: equal copies, and each kind of
 * difference found and described; ignored fields stay ignored.
 */
#include <stdint.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static musc_music *piece(void)
{
    musc_music *m = musc_music_new(24);
    musc_set_string(&m->metadata.title, "T");
    musc_music_add_creator(m, "C");
    musc_music_add_tempo(m, 0, 120);
    musc_music_add_key_signature(m, 0, 0, 0, 0);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_lyric(m, 0, "l");
    musc_music_add_annotation(m, 0, 0, "a");
    musc_music_add_raw_event(m, 0, 0x7f, (const uint8_t *)"ab", 2, 0);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    musc_track_add_note(t, 0, 24, 60, 64);
    int16_t p[] = {60, 64};
    musc_track_add_chord(t, 0, 24, p, 2, 64);
    musc_track_add_lyric(t, 0, "x");
    musc_track_add_annotation(t, 0, 0, "y");
    musc_track_add_control(t, 0, 7, 100);
    musc_track_add_pitch_bend(t, 0, 5);
    musc_track_add_pressure(t, 0, -1, 5);
    return m;
}

/* Apply one edit to a fresh copy; the diff must name `expect`. */
static void expect_diff(void (*edit)(musc_music *), const char *expect)
{
    musc_music *a = piece(), *b = piece();
    edit(b);
    char buf[256];
    assert_false(musc_music_equal(a, b));
    assert_false(musc_music_diff(a, b, buf, sizeof buf));
    if (!strstr(buf, expect))
        fail_msg("diff \"%s\" does not mention \"%s\"", buf, expect);
    assert_false(musc_music_diff(b, a, NULL, 0)); /* symmetric, buffer optional */
    musc_music_free(a);
    musc_music_free(b);
}

static void e_res(musc_music *m) { m->resolution = 48; }
static void e_title(musc_music *m) { musc_set_string(&m->metadata.title, "U"); }
static void e_creator(musc_music *m) { musc_set_string(&m->metadata.creators[0], "D"); }
static void e_tempo(musc_music *m) { m->tempos[0].qpm = 121; }
static void e_key(musc_music *m) { m->key_signatures[0].mode = 1; }
static void e_ts(musc_music *m) { m->time_signatures[0].denominator = 8; }
static void e_lyric(musc_music *m) { musc_set_string(&m->lyrics[0].text, "m"); }
static void e_ann(musc_music *m) { m->annotations[0].kind = 1; }
static void e_raw(musc_music *m) { m->raw_events[0].data[1] = 'c'; }
static void e_ntracks(musc_music *m) { musc_music_add_track(m, 0, 0, NULL); }
static void e_program(musc_music *m) { m->tracks[0].program = 1; }
static void e_name(musc_music *m) { musc_set_string(&m->tracks[0].name, "organ"); }
static void e_note(musc_music *m) { m->tracks[0].notes[0].velocity = 65; }
static void e_nnotes(musc_music *m) { m->tracks[0].n_notes = 0; }
static void e_chord(musc_music *m) { m->tracks[0].chords[0].pitches[1] = 63; }
static void e_tlyric(musc_music *m) { m->tracks[0].lyrics[0].time = 1; }
static void e_tann(musc_music *m) { musc_set_string(&m->tracks[0].annotations[0].text, NULL); }
static void e_ctl(musc_music *m) { m->tracks[0].controls[0].number = 8; }
static void e_bend(musc_music *m) { m->tracks[0].pitch_bends[0].value = 6; }
static void e_press(musc_music *m) { m->tracks[0].pressures[0].pitch = 60; }

static void equal_copies(void **state)
{
    (void)state;
    musc_music *a = piece(), *b = musc_music_copy(a);
    char buf[64] = "junk";
    assert_true(musc_music_equal(a, b));
    assert_true(musc_music_diff(a, b, buf, sizeof buf));
    assert_string_equal(buf, "");
    assert_true(musc_music_equal(a, a));
    musc_music_free(a);
    musc_music_free(b);
}

static void each_difference_is_named(void **state)
{
    (void)state;
    expect_diff(e_res, "resolution: 24 vs 48");
    expect_diff(e_title, "metadata.title");
    expect_diff(e_creator, "metadata.creators[0]");
    expect_diff(e_tempo, "tempos[0]");
    expect_diff(e_key, "key_signatures[0]");
    expect_diff(e_ts, "time_signatures[0]");
    expect_diff(e_lyric, "lyrics[0]");
    expect_diff(e_ann, "annotations[0]");
    expect_diff(e_raw, "raw_events[0]");
    expect_diff(e_ntracks, "tracks: 1 vs 2");
    expect_diff(e_program, "tracks[0].program");
    expect_diff(e_name, "tracks[0].name: \"piano\" vs \"organ\"");
    expect_diff(e_note, "tracks[0].notes[0]");
    expect_diff(e_nnotes, "tracks[0].notes: 1 vs 0");
    expect_diff(e_chord, "tracks[0].chords[0]");
    expect_diff(e_tlyric, "tracks[0].lyrics[0]");
    expect_diff(e_tann, "tracks[0].annotations[0]");
    expect_diff(e_ctl, "tracks[0].controls[0]");
    expect_diff(e_bend, "tracks[0].pitch_bends[0]");
    expect_diff(e_press, "tracks[0].pressures[0]");
}

static void ignored_fields(void **state)
{
    (void)state;
    musc_music *a = piece(), *b = piece();
    b->tracks[0].channel = 5;
    b->raw_events[0].track = 3;
    musc_set_string(&b->metadata.source_filename, "x.mid");
    musc_set_string(&b->metadata.source_format, "midi");
    b->tempos[0].qpm = 120 * (1 + 1e-12); /* within the float tolerance */
    assert_true(musc_music_equal(a, b));
    musc_music_free(a);
    musc_music_free(b);
}

static void order_matters(void **state)
{
    (void)state;
    musc_music *a = musc_music_new(24), *b = musc_music_new(24);
    musc_music_add_lyric(a, 0, "1");
    musc_music_add_lyric(a, 0, "2");
    musc_music_add_lyric(b, 0, "2");
    musc_music_add_lyric(b, 0, "1");
    assert_false(musc_music_equal(a, b));
    musc_music_free(a);
    musc_music_free(b);
}

static void small_buffer_is_truncated_safely(void **state)
{
    (void)state;
    musc_music *a = piece(), *b = piece();
    b->tracks[0].notes[0].pitch = 61;
    char buf[8];
    assert_false(musc_music_diff(a, b, buf, sizeof buf));
    assert_int_equal(strlen(buf), 7);
    musc_music_free(a);
    musc_music_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_copies),
        cmocka_unit_test(each_difference_is_named),
        cmocka_unit_test(ignored_fields),
        cmocka_unit_test(order_matters),
        cmocka_unit_test(small_buffer_is_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
