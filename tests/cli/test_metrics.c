/* musc metrics: one file, several files (mean and std), --compare, JSON,
 * usage errors and unreadable files. */
#include "cli_test.h"

#include <math.h>

#include "musc/musc.h"

#define P "cli_metrics"

/* small_midi: C4 then E4 (a quarter each, 96 ticks per quarter), 3/4 */

static json_t *metric(json_t *file, const char *name)
{
    return json_object_get(json_object_get(file, "metrics"), name);
}

static void one_file_text_and_json(void **state)
{
    (void)state;
    char *mid = scratch(P, "one.mid"), *out, *err;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, &err, "metrics '%s'", mid), 0);
    assert_non_null(strstr(out, "pitch_class_entropy"));
    assert_non_null(strstr(out, "Acoustic Guitar (nylon)"));
    assert_string_equal(err, "");
    free(out);
    free(err);
    assert_int_equal(musc_run(&out, NULL, "metrics --json '%s'", mid), 0);
    json_t *j = parse_json(out);
    json_t *f = json_array_get(json_object_get(j, "files"), 0);
    assert_int_equal(json_integer_value(metric(f, "n_notes")), 2);
    assert_float_equal(json_real_value(metric(f, "pitch_range")), 4, 1e-9);
    assert_float_equal(json_real_value(metric(f, "pitch_entropy")), 1, 1e-9); /* two pitches */
    assert_true(json_is_null(metric(f, "drum_pattern_consistency")));        /* NaN */
    /* 3/4 at 96: one bar [0, 288) covers the piece; the TS groove has 1 bar */
    assert_true(json_is_null(metric(f, "groove_consistency_ts")));
    json_decref(j);
    free(out);
    free(mid);
}

static void several_files_give_mean_and_std(void **state)
{
    (void)state;
    char *a = scratch(P, "a.mid"), *b = scratch(P, "b.json"), *out;
    write_small_midi(a, sizeof small_midi);
    /* b: one note: pitch_range 0; a: 4 -> mean 2, std 2 */
    musc_music *m = musc_music_new(96);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 96, 60, 64);
    musc_write_options wo = musc_write_options_default();
    assert_int_equal(musc_write(m, b, &wo), MUSC_OK);
    musc_music_free(m);
    assert_int_equal(musc_run(&out, NULL, "metrics --json '%s' '%s'", a, b), 0);
    json_t *j = parse_json(out);
    json_t *s = json_object_get(json_object_get(j, "summary"), "pitch_range");
    assert_int_equal(json_int_field(s, "n"), 2);
    assert_float_equal(json_real_value(json_object_get(s, "mean")), 2, 1e-9);
    assert_float_equal(json_real_value(json_object_get(s, "std")), 2, 1e-9);
    json_decref(j);
    free(out);
    assert_int_equal(musc_run(&out, NULL, "metrics '%s' '%s'", a, b), 0);
    assert_non_null(strstr(out, "2 files"));
    assert_non_null(strstr(out, "mean"));
    free(out);
    /* compare: gap = B - A */
    assert_int_equal(musc_run(&out, NULL, "metrics --json --compare '%s' '%s'", a, b), 0);
    j = parse_json(out);
    assert_float_equal(json_real_value(json_object_get(json_object_get(j, "gap"), "pitch_range")),
                       -4, 1e-9);
    json_decref(j);
    free(out);
    assert_int_equal(musc_run(&out, NULL, "metrics --compare '%s' '%s'", a, b), 0);
    assert_non_null(strstr(out, "gap B-A"));
    free(out);
    free(a);
    free(b);
}

static void directory_is_searched(void **state)
{
    (void)state;
    char *dir = scratch(P, "dir"), *out, cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/sub'", dir, dir);
    assert_int_equal(system(cmd), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/sub/x.mid", dir);
    write_small_midi(path, sizeof small_midi);
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    assert_int_equal(test_write_file(path, "hi", 2), 0);
    assert_int_equal(musc_run(&out, NULL, "metrics --json '%s'", dir), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "n_files"), 1);
    json_decref(j);
    free(out);
    free(dir);
}

static void errors_and_usage(void **state)
{
    (void)state;
    char *bad = scratch(P, "bad.mid"), *good = scratch(P, "good.mid"), *out, *err;
    assert_int_equal(test_write_file(bad, "not midi", 8), 0);
    write_small_midi(good, sizeof small_midi);
    /* a bad file is reported and skipped; the others are measured; exit 1 */
    assert_int_equal(musc_run(&out, &err, "metrics '%s' '%s'", bad, good), 1);
    assert_non_null(strstr(err, "bad.mid"));
    assert_non_null(strstr(out, "1 files"));
    free(out);
    free(err);
    assert_int_equal(musc_run(NULL, NULL, "metrics /nonexistent/x.mid"), 1);
    assert_int_equal(musc_run(NULL, NULL, "metrics"), 2);
    assert_int_equal(musc_run(NULL, NULL, "metrics --compare '%s'", good), 2);
    assert_int_equal(musc_run(NULL, NULL, "metrics --scale 13:major '%s'", good), 2);
    assert_int_equal(musc_run(NULL, NULL, "metrics --bogus '%s'", good), 2);
    assert_int_equal(musc_run(&out, NULL, "metrics --help"), 0);
    assert_non_null(strstr(out, "--compare"));
    free(out);
    free(bad);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_file_text_and_json),
        cmocka_unit_test(several_files_give_mean_and_std),
        cmocka_unit_test(directory_is_searched),
        cmocka_unit_test(errors_and_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
