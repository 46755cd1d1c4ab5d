/* musc info: text and JSON descriptions, repair and strict modes, errors. */
#include "cli_test.h"

#include "musc/musc.h"

#define P "cli_info"

static void text_output_names_program_key_and_tempo(void **state)
{
    (void)state;
    char *mid = scratch(P, "small.mid"), *out, *err;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, &err, "info '%s'", mid), 0);
    assert_non_null(strstr(out, "Test Song"));
    assert_non_null(strstr(out, "Acoustic Guitar (nylon)"));
    assert_non_null(strstr(out, "Lead"));
    assert_non_null(strstr(out, "G major"));
    assert_non_null(strstr(out, "100 qpm"));
    assert_non_null(strstr(out, "3/4"));
    assert_non_null(strstr(out, "96 ticks per quarter"));
    assert_non_null(strstr(out, "192 ticks = 2.00 beats = 1.20 s"));
    assert_non_null(strstr(out, "repairs: none"));
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(mid);
}

static void json_output_has_the_documented_fields(void **state)
{
    (void)state;
    char *mid = scratch(P, "small-json.mid"), *out;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", mid), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "resolution"), 96);
    assert_int_equal(json_int_field(j, "n_notes"), 2);
    assert_int_equal(json_int_field(j, "end_time"), 192);
    assert_true(json_int_field(j, "n_tracks") >= 1);
    assert_true(json_real_value(json_object_get(j, "duration_seconds")) > 1.19);
    assert_true(json_real_value(json_object_get(j, "duration_seconds")) < 1.21);

    json_t *tracks = json_object_get(j, "tracks");
    assert_true(json_is_array(tracks));
    assert_int_equal(json_array_size(tracks), (size_t)json_int_field(j, "n_tracks"));
    json_t *lead = NULL;
    size_t i;
    json_t *t;
    json_array_foreach(tracks, i, t) {
        assert_true(json_is_boolean(json_object_get(t, "is_drum")));
        assert_non_null(json_object_get(t, "name"));
        assert_non_null(json_object_get(t, "channel"));
        assert_non_null(json_object_get(t, "program_name"));
        if (json_int_field(t, "n_notes") == 2)
            lead = t;
    }
    assert_non_null(lead);
    assert_int_equal(json_int_field(lead, "program"), 24);
    assert_int_equal(json_int_field(lead, "channel"), 0);
    assert_string_equal(json_string_value(json_object_get(lead, "name")), "Lead");

    json_t *tempos = json_object_get(j, "tempos");
    assert_int_equal(json_array_size(tempos), 1);
    assert_true(json_real_value(json_object_get(json_array_get(tempos, 0), "qpm")) == 100.0);
    json_t *ts = json_array_get(json_object_get(j, "time_signatures"), 0);
    assert_int_equal(json_int_field(ts, "numerator"), 3);
    assert_int_equal(json_int_field(ts, "denominator"), 4);
    json_t *key = json_array_get(json_object_get(j, "key_signatures"), 0);
    assert_int_equal(json_int_field(key, "fifths"), 1);
    assert_string_equal(json_string_value(json_object_get(key, "name")), "G major");
    assert_string_equal(json_string_value(json_object_get(key, "mode")), "major");
    assert_true(json_is_array(json_object_get(j, "repairs")));
    assert_int_equal(json_array_size(json_object_get(j, "repairs")), 0);
    json_decref(j);
    free(out);
    free(mid);
}

static void damaged_file_is_repaired_and_the_repairs_listed(void **state)
{
    (void)state;
    char *mid = scratch(P, "truncated.mid"), *out;
    write_small_midi(mid, SMALL_MIDI_TRUNCATED_SIZE);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", mid), 0);
    json_t *j = parse_json(out);
    json_t *repairs = json_object_get(j, "repairs");
    assert_true(json_array_size(repairs) >= 1);
    json_t *r = json_array_get(repairs, 0);
    assert_true(json_is_string(json_object_get(r, "kind")));
    assert_true(json_is_integer(json_object_get(r, "offset")));
    assert_true(json_is_string(json_object_get(r, "message")));
    assert_int_equal(json_int_field(j, "n_notes"), 2); /* the open E4 was closed */
    json_decref(j);
    free(out);

    assert_int_equal(musc_run(&out, NULL, "info '%s'", mid), 0);
    assert_non_null(strstr(out, "repairs:\n  at byte"));
    free(out);
    free(mid);
}

static void strict_mode_refuses_a_damaged_file(void **state)
{
    (void)state;
    char *mid = scratch(P, "strict.mid"), *out, *err;
    write_small_midi(mid, SMALL_MIDI_TRUNCATED_SIZE);
    assert_int_equal(musc_run(&out, &err, "info --strict '%s'", mid), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "musc info: "));
    assert_true(strlen(err) > strlen("musc info: \n"));
    free(out);
    free(err);
    free(mid);
}

static void missing_file_exits_1_naming_it(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "info /nonexistent/dir/none.mid"), 1);
    assert_non_null(strstr(err, "none.mid"));
    free(err);
}

static void malformed_file_exits_1_with_a_message(void **state)
{
    (void)state;
    char *mid = scratch(P, "garbage.mid"), *out, *err;
    const char garbage[] = "this is not a MIDI file at all, just text\n";
    assert_int_equal(test_write_file(mid, garbage, sizeof garbage - 1), 0);
    assert_int_equal(musc_run(&out, &err, "info '%s'", mid), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "musc info: "));
    free(out);
    free(err);
    free(mid);

    char *json = scratch(P, "garbage.json");
    const char bad_json[] = "{\"resolution\": ";
    assert_int_equal(test_write_file(json, bad_json, sizeof bad_json - 1), 0);
    assert_int_equal(musc_run(NULL, &err, "info '%s'", json), 1);
    assert_non_null(strstr(err, "musc info: "));
    free(err);
    free(json);
}

static void unknown_extension_exits_1(void **state)
{
    (void)state;
    char *txt = scratch(P, "notes.txt"), *err;
    assert_int_equal(test_write_file(txt, "x", 1), 0);
    assert_int_equal(musc_run(NULL, &err, "info '%s'", txt), 1);
    assert_non_null(strstr(err, "extension"));
    free(err);
    free(txt);
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "info"), 2);
    assert_non_null(strstr(err, "expects a FILE"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "info a.mid b.mid"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "info --overlap sideways a.mid"), 2);
    assert_non_null(strstr(err, "fifo, lifo or close_all"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "info a.mid --overlap"), 2);
    assert_non_null(strstr(err, "needs a value"));
    free(err);
}

static void overlap_policies_are_accepted(void **state)
{
    (void)state;
    char *mid = scratch(P, "overlap.mid");
    write_small_midi(mid, sizeof small_midi);
    static const char *const policies[] = {"fifo", "lifo", "close_all"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(musc_run(NULL, NULL, "info --overlap %s '%s'", policies[i], mid), 0);
    free(mid);
}

static void quiet_prints_nothing_on_success(void **state)
{
    (void)state;
    char *mid = scratch(P, "quiet.mid"), *out, *err;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, &err, "info --quiet '%s'", mid), 0);
    assert_string_equal(out, "");
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(mid);
}

static void names_cover_programs_and_keys(void **state)
{
    (void)state;
    assert_string_equal(musc_gm_program_name(0), "Acoustic Grand Piano");
    assert_string_equal(musc_gm_program_name(33), "Electric Bass (finger)");
    assert_string_equal(musc_gm_program_name(127), "Gunshot");
    assert_string_equal(musc_gm_program_name(128), "Unknown");
    assert_string_equal(musc_gm_program_name(-1), "Unknown");
    assert_string_equal(musc_gm_family_name(40), "Strings");
    assert_string_equal(musc_pitch_class_name(10, 1), "Bb");
    assert_string_equal(musc_pitch_class_name(10, 0), "A#");
    char buf[32];
    musc_key_signature k = {.fifths = -2, .mode = MUSC_MODE_MAJOR, .root = 10};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "Bb major");
    k = (musc_key_signature){.fifths = 3, .mode = MUSC_MODE_MINOR, .root = 6};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "F# minor");
    k = (musc_key_signature){.fifths = -7, .mode = MUSC_MODE_MINOR, .root = 8};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "Ab minor");
    k = (musc_key_signature){.fifths = 2, .mode = MUSC_MODE_NONE, .root = 2};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "D");
    k = (musc_key_signature){.fifths = -1, .mode = MUSC_MODE_NONE, .root = -1};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "1 flat");
    k = (musc_key_signature){.fifths = 0, .mode = MUSC_MODE_NONE, .root = -1};
    assert_string_equal(musc_key_signature_name(&k, buf, sizeof buf), "no sharps or flats");
    /* a short buffer still ends in NUL */
    k = (musc_key_signature){.fifths = 6, .mode = MUSC_MODE_MAJOR, .root = 6};
    assert_string_equal(musc_key_signature_name(&k, buf, 4), "F# ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_output_names_program_key_and_tempo),
        cmocka_unit_test(json_output_has_the_documented_fields),
        cmocka_unit_test(damaged_file_is_repaired_and_the_repairs_listed),
        cmocka_unit_test(strict_mode_refuses_a_damaged_file),
        cmocka_unit_test(missing_file_exits_1_naming_it),
        cmocka_unit_test(malformed_file_exits_1_with_a_message),
        cmocka_unit_test(unknown_extension_exits_1),
        cmocka_unit_test(usage_errors_exit_2),
        cmocka_unit_test(overlap_policies_are_accepted),
        cmocka_unit_test(quiet_prints_nothing_on_success),
        cmocka_unit_test(names_cover_programs_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
