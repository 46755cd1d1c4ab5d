/* musc example: the piece musc composes for demos and first tries. */
#include "cli_test.h"

#include "musc/musc.h"

#define P "cli_example"

static void writes_a_four_track_midi_file(void **state)
{
    (void)state;
    char *mid = scratch(P, "piece.mid"), *err;
    assert_int_equal(musc_run(NULL, &err, "example -o '%s'", mid), 0);
    assert_non_null(strstr(err, "wrote"));
    free(err);

    musc_music *m = NULL;
    assert_int_equal(musc_read(mid, NULL, &m, NULL), MUSC_OK);
    assert_int_equal(m->n_tracks, 4);
    assert_int_equal(m->n_tempos, 1);
    assert_int_equal(m->n_time_signatures, 1);
    assert_int_equal(m->n_key_signatures, 1);
    assert_string_equal(m->metadata.title, "musc example");
    int drums = 0;
    for (size_t i = 0; i < m->n_tracks; i++) {
        assert_true(m->tracks[i].n_notes > 0);
        if (m->tracks[i].is_drum) {
            drums++;
            assert_int_equal(m->tracks[i].channel, 9);
        }
    }
    assert_int_equal(drums, 1);
    /* 8 bars of 4/4 at 480 ticks per quarter by default */
    assert_int_equal(musc_music_end_time(m), 8 * 4 * 480);
    musc_music_free(m);
    free(mid);
}

static void refuses_to_overwrite_without_force(void **state)
{
    (void)state;
    char *mid = scratch(P, "exists.mid"), *err;
    assert_int_equal(test_write_file(mid, "keep me", 7), 0);
    assert_int_equal(musc_run(NULL, &err, "example -o '%s'", mid), 1);
    assert_non_null(strstr(err, "--force"));
    free(err);
    char *kept = test_read_file(mid, NULL);
    assert_string_equal(kept, "keep me");
    free(kept);
    assert_int_equal(musc_run(NULL, NULL, "example -o '%s' --force", mid), 0);
    size_t size;
    kept = test_read_file(mid, &size);
    assert_memory_equal(kept, "MThd", 4);
    free(kept);
    free(mid);
}

static void same_seed_same_piece_other_seed_other_melody(void **state)
{
    (void)state;
    char *a = scratch(P, "seed-a.mid"), *b = scratch(P, "seed-b.mid"),
         *c = scratch(P, "seed-c.mid");
    assert_int_equal(musc_run(NULL, NULL, "example --seed 7 -o '%s'", a), 0);
    assert_int_equal(musc_run(NULL, NULL, "example --seed 7 -o '%s'", b), 0);
    assert_int_equal(musc_run(NULL, NULL, "example --seed 8 -o '%s'", c), 0);
    size_t na, nb, nc;
    char *da = test_read_file(a, &na), *db = test_read_file(b, &nb), *dc = test_read_file(c, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    assert_true(na != nc || memcmp(da, dc, na) != 0);
    test_save_seed("midi", "example-seed7.mid", da, na);
    free(da);
    free(db);
    free(dc);
    free(a);
    free(b);
    free(c);
}

static void bars_sets_the_length(void **state)
{
    (void)state;
    char *mid = scratch(P, "bars.mid"), *out;
    assert_int_equal(musc_run(&out, NULL, "example --bars 1 --json -o '%s'", mid), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "bars"), 1);
    assert_int_equal(json_int_field(j, "end_time"), 4 * 480);
    assert_int_equal(json_int_field(j, "n_tracks"), 4);
    assert_true(json_int_field(j, "n_notes") > 0);
    assert_string_equal(json_string_value(json_object_get(j, "format")), "midi");
    json_decref(j);
    free(out);
    assert_int_equal(musc_run(&out, NULL, "example --bars 32 --json -o '%s' --force", mid), 0);
    j = parse_json(out);
    assert_int_equal(json_int_field(j, "end_time"), 32 * 4 * 480);
    json_decref(j);
    free(out);
    free(mid);
}

static void writes_json_when_asked_by_extension(void **state)
{
    (void)state;
    char *json = scratch(P, "piece.json"), *out;
    assert_int_equal(musc_run(NULL, NULL, "example -q -o '%s'", json), 0);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", json), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "n_tracks"), 4);
    assert_int_equal(json_int_field(j, "resolution"), 480);
    json_decref(j);
    free(out);
    free(json);
}

/* Every format musc writes, read back through `musc info`. */
static void writes_every_format_it_can_read_back(void **state)
{
    (void)state;
    static const char *const names[] = {"any.json.gz", "any.abc", "any.npz", "any.midi"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *path = scratch(P, names[i]), *out;
        assert_int_equal(musc_run(NULL, NULL, "example -q --bars 2 -o '%s'", path), 0);
        assert_int_equal(musc_run(&out, NULL, "info --json '%s'", path), 0);
        json_t *j = parse_json(out);
        assert_int_equal(json_int_field(j, "n_tracks"), 4);
        assert_true(json_int_field(j, "n_notes") > 0);
        json_decref(j);
        free(out);
        free(path);
    }
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "example"), 2);
    assert_non_null(strstr(err, "-o OUT"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o x.mid --bars 0"), 2);
    assert_non_null(strstr(err, "--bars"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o x.mid --bars many"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o x.mid --seed -1"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o x.unknown"), 2);
    assert_non_null(strstr(err, "extension"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o x.mid extra"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "example -o"), 2);
    assert_non_null(strstr(err, "needs a value"));
    free(err);
}

static void unwritable_output_exits_1(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "example -o /nonexistent/dir/x.mid"), 1);
    assert_non_null(strstr(err, "musc example: "));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_a_four_track_midi_file),
        cmocka_unit_test(refuses_to_overwrite_without_force),
        cmocka_unit_test(same_seed_same_piece_other_seed_other_melody),
        cmocka_unit_test(bars_sets_the_length),
        cmocka_unit_test(writes_json_when_asked_by_extension),
        cmocka_unit_test(writes_every_format_it_can_read_back),
        cmocka_unit_test(usage_errors_exit_2),
        cmocka_unit_test(unwritable_output_exits_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
