/* musc convert: format conversion end to end, processing options, errors. */
#include "cli_test.h"

#include "musc/musc.h"

#define P "cli_convert"

static musc_music *read_or_fail(const char *path)
{
    musc_music *m = NULL;
    if (musc_read(path, NULL, &m, NULL) != MUSC_OK)
        fail_msg("cannot read %s: %s", path, musc_errmsg());
    return m;
}

/* Same tracks (program, drum, name) with the same notes, in order. */
static void assert_same_notes(const musc_music *a, const musc_music *b)
{
    assert_int_equal(a->resolution, b->resolution);
    assert_int_equal(a->n_tracks, b->n_tracks);
    for (size_t i = 0; i < a->n_tracks; i++) {
        const musc_track *x = &a->tracks[i], *y = &b->tracks[i];
        assert_int_equal(x->program, y->program);
        assert_int_equal(!!x->is_drum, !!y->is_drum);
        assert_string_equal(x->name ? x->name : "", y->name ? y->name : "");
        assert_int_equal(x->n_notes, y->n_notes);
        for (size_t k = 0; k < x->n_notes; k++) {
            assert_int_equal(x->notes[k].time, y->notes[k].time);
            assert_int_equal(x->notes[k].duration, y->notes[k].duration);
            assert_int_equal(x->notes[k].pitch, y->notes[k].pitch);
            assert_int_equal(x->notes[k].velocity, y->notes[k].velocity);
        }
    }
}

static void midi_to_json_to_midi_keeps_every_note(void **state)
{
    (void)state;
    char *mid = scratch(P, "src.mid"), *json = scratch(P, "mid.json"),
         *back = scratch(P, "back.mid");
    assert_int_equal(musc_run(NULL, NULL, "example -q --bars 6 --seed 3 -o '%s'", mid), 0);
    assert_int_equal(musc_run(NULL, NULL, "convert -q '%s' '%s'", mid, json), 0);
    assert_int_equal(musc_run(NULL, NULL, "convert -q '%s' '%s'", json, back), 0);
    musc_music *a = read_or_fail(mid), *b = read_or_fail(json), *c = read_or_fail(back);
    assert_same_notes(a, b);
    assert_same_notes(a, c);
    assert_int_equal(a->n_tempos, c->n_tempos);
    assert_true(a->tempos[0].qpm == c->tempos[0].qpm);
    assert_int_equal(a->n_key_signatures, c->n_key_signatures);
    assert_int_equal(a->n_time_signatures, c->n_time_signatures);
    musc_music_free(a);
    musc_music_free(b);
    musc_music_free(c);
    free(mid);
    free(json);
    free(back);
}

static void json_summary_reports_formats_and_counts(void **state)
{
    (void)state;
    char *mid = scratch(P, "sum.mid"), *json = scratch(P, "sum.json.gz"), *out;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, NULL, "convert --json '%s' '%s'", mid, json), 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "input_format")), "midi");
    assert_string_equal(json_string_value(json_object_get(j, "output_format")), "json");
    assert_int_equal(json_int_field(j, "n_notes"), 2);
    assert_int_equal(json_int_field(j, "resolution"), 96);
    assert_int_equal(json_array_size(json_object_get(j, "repairs")), 0);
    json_decref(j);
    free(out);
    /* the gzip-compressed JSON reads back */
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", json), 0);
    j = parse_json(out);
    assert_int_equal(json_int_field(j, "n_notes"), 2);
    json_decref(j);
    free(out);
    free(mid);
    free(json);
}

static void refuses_to_overwrite_without_force(void **state)
{
    (void)state;
    char *mid = scratch(P, "ow.mid"), *json = scratch(P, "ow.json"), *err;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(test_write_file(json, "keep", 4), 0);
    assert_int_equal(musc_run(NULL, &err, "convert '%s' '%s'", mid, json), 1);
    assert_non_null(strstr(err, "--force"));
    free(err);
    char *kept = test_read_file(json, NULL);
    assert_string_equal(kept, "keep");
    free(kept);
    assert_int_equal(musc_run(NULL, NULL, "convert --force '%s' '%s'", mid, json), 0);
    kept = test_read_file(json, NULL);
    assert_non_null(strstr(kept, "\"resolution\""));
    free(kept);
    free(mid);
    free(json);
}

static void repairs_go_to_stderr_unless_quiet(void **state)
{
    (void)state;
    char *mid = scratch(P, "damaged.mid"), *json = scratch(P, "damaged.json"), *out, *err;
    write_small_midi(mid, SMALL_MIDI_TRUNCATED_SIZE);
    assert_int_equal(musc_run(&out, &err, "convert '%s' '%s'", mid, json), 0);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "repaired at byte"));
    free(out);
    free(err);
    assert_int_equal(musc_run(&out, &err, "convert -q --force '%s' '%s'", mid, json), 0);
    assert_string_equal(out, "");
    assert_string_equal(err, "");
    free(out);
    free(err);
    unlink(json);
    assert_int_equal(musc_run(NULL, &err, "convert --strict '%s' '%s'", mid, json), 1);
    assert_non_null(strstr(err, "musc convert: "));
    free(err);
    assert_int_equal(access(json, F_OK), -1); /* nothing written */
    free(mid);
    free(json);
}

static void transpose_moves_pitched_tracks_only(void **state)
{
    (void)state;
    char *mid = scratch(P, "tr.mid"), *up = scratch(P, "tr-up.mid");
    assert_int_equal(musc_run(NULL, NULL, "example -q --bars 2 -o '%s'", mid), 0);
    assert_int_equal(musc_run(NULL, NULL, "convert -q --transpose 3 '%s' '%s'", mid, up), 0);
    musc_music *a = read_or_fail(mid), *b = read_or_fail(up);
    assert_int_equal(a->n_tracks, b->n_tracks);
    for (size_t i = 0; i < a->n_tracks; i++) {
        assert_int_equal(a->tracks[i].n_notes, b->tracks[i].n_notes);
        int shift = a->tracks[i].is_drum ? 0 : 3;
        for (size_t k = 0; k < a->tracks[i].n_notes; k++)
            assert_int_equal(b->tracks[i].notes[k].pitch, a->tracks[i].notes[k].pitch + shift);
    }
    assert_int_equal(b->key_signatures[0].fifths, -3); /* C major up 3 = Eb major */
    musc_music_free(a);
    musc_music_free(b);
    char *err;
    assert_int_equal(musc_run(NULL, &err, "convert --transpose 100 --force '%s' '%s'", mid, up),
                     1);
    assert_non_null(strstr(err, "musc convert: "));
    free(err);
    free(mid);
    free(up);
}

static void trim_keeps_a_window_of_beats(void **state)
{
    (void)state;
    char *mid = scratch(P, "trim.mid"), *cut = scratch(P, "trim-cut.mid");
    assert_int_equal(musc_run(NULL, NULL, "example -q --bars 4 -o '%s'", mid), 0);
    assert_int_equal(musc_run(NULL, NULL, "convert -q --trim 4:8 '%s' '%s'", mid, cut), 0);
    musc_music *a = read_or_fail(mid), *b = read_or_fail(cut);
    int64_t lo = 4 * (int64_t)a->resolution, hi = 8 * (int64_t)a->resolution;
    size_t expected = 0, got = 0;
    for (size_t i = 0; i < a->n_tracks; i++)
        for (size_t k = 0; k < a->tracks[i].n_notes; k++) {
            const musc_note *n = &a->tracks[i].notes[k];
            expected += n->time >= lo && n->time < hi;
        }
    for (size_t i = 0; i < b->n_tracks; i++)
        for (size_t k = 0; k < b->tracks[i].n_notes; k++) {
            const musc_note *n = &b->tracks[i].notes[k];
            assert_true(n->time >= 0 && n->time + n->duration <= 4 * (int64_t)b->resolution);
            got++;
        }
    assert_true(expected > 0);
    assert_int_equal(got, expected);
    musc_music_free(a);
    musc_music_free(b);
    char *err;
    assert_int_equal(musc_run(NULL, &err, "convert --trim 8:4 --force '%s' '%s'", mid, cut), 2);
    assert_non_null(strstr(err, "--trim"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert --trim 4 --force '%s' '%s'", mid, cut), 2);
    free(err);
    free(mid);
    free(cut);
}

static void resolution_and_quantize_rescale_times(void **state)
{
    (void)state;
    char *mid = scratch(P, "q.mid"), *q = scratch(P, "q.json"), *out;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(NULL, NULL, "convert -q --resolution 24 '%s' '%s'", mid, q), 0);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", q), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "resolution"), 24);
    assert_int_equal(json_int_field(j, "end_time"), 48);
    json_decref(j);
    free(out);

    char *ex = scratch(P, "q-ex.mid");
    assert_int_equal(musc_run(NULL, NULL, "example -q -o '%s'", ex), 0);
    assert_int_equal(
        musc_run(NULL, NULL, "convert -q --force --quantize 1/4 --snap-ends '%s' '%s'", ex, q), 0);
    musc_music *m = read_or_fail(q);
    for (size_t i = 0; i < m->n_tracks; i++)
        for (size_t k = 0; k < m->tracks[i].n_notes; k++) {
            assert_int_equal(m->tracks[i].notes[k].time % 480, 0);
            assert_int_equal(m->tracks[i].notes[k].duration % 480, 0);
        }
    musc_music_free(m);
    char *err;
    assert_int_equal(musc_run(NULL, &err, "convert --force --quantize 1/7 '%s' '%s'", ex, q), 1);
    assert_non_null(strstr(err, "whole number of ticks"));
    free(err);
    free(ex);
    free(mid);
    free(q);
}

static void input_errors_exit_1(void **state)
{
    (void)state;
    char *json = scratch(P, "none.json"), *err;
    assert_int_equal(musc_run(NULL, &err, "convert /nonexistent/in.mid '%s'", json), 1);
    assert_non_null(strstr(err, "in.mid"));
    free(err);
    char *bad = scratch(P, "bad.mid");
    assert_int_equal(test_write_file(bad, "MThd", 4), 0);
    assert_int_equal(musc_run(NULL, &err, "convert --strict '%s' '%s'", bad, json), 1);
    assert_non_null(strstr(err, "musc convert: "));
    free(err);
    assert_int_equal(access(json, F_OK), -1);
    free(bad);
    free(json);
}

/* Real files from ../shared/data (skipped without it): a POP909 song and a
 * Nottingham tune go MIDI -> JSON -> MIDI with every note kept. */
static void real_files_round_trip(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: real_files_round_trip needs ../shared/data\n");
        skip();
    }
    static const char *const files[] = {"pop909/POP909/001/001.mid",
                                        "nottingham/MIDI/jigs107.mid"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char src[1024];
        snprintf(src, sizeof src, "%s/%s", data, files[i]);
        if (access(src, R_OK) != 0) {
            printf("SKIP: %s not present\n", src);
            continue;
        }
        char *json = scratch(P, "real.json"), *back = scratch(P, "real.mid"), *out;
        assert_int_equal(musc_run(NULL, NULL, "convert -q '%s' '%s'", src, json), 0);
        assert_int_equal(musc_run(NULL, NULL, "convert -q '%s' '%s'", json, back), 0);
        musc_music *a = read_or_fail(src), *c = read_or_fail(back);
        assert_true(musc_music_note_count(a) > 0);
        assert_same_notes(a, c);
        musc_music_free(a);
        musc_music_free(c);
        assert_int_equal(musc_run(&out, NULL, "info --json '%s'", src), 0);
        json_t *j = parse_json(out);
        assert_true(json_int_field(j, "n_notes") > 0);
        json_decref(j);
        free(out);
        free(json);
        free(back);
    }
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "convert"), 2);
    assert_non_null(strstr(err, "expects IN and OUT"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.mid c.mid"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.wav2"), 2);
    assert_non_null(strstr(err, "extension"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.json --transpose x"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.json --resolution 0"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.json --quantize 0"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.json --snap-ends"), 2);
    assert_non_null(strstr(err, "--quantize"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "convert a.mid b.json --overlap x"), 2);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(midi_to_json_to_midi_keeps_every_note),
        cmocka_unit_test(json_summary_reports_formats_and_counts),
        cmocka_unit_test(refuses_to_overwrite_without_force),
        cmocka_unit_test(repairs_go_to_stderr_unless_quiet),
        cmocka_unit_test(transpose_moves_pitched_tracks_only),
        cmocka_unit_test(resolution_and_quantize_rescale_times),
        cmocka_unit_test(trim_keeps_a_window_of_beats),
        cmocka_unit_test(input_errors_exit_1),
        cmocka_unit_test(real_files_round_trip),
        cmocka_unit_test(usage_errors_exit_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
