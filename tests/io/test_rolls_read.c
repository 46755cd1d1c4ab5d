/*
 * Piano-roll lists (JSB chorales JSON): chord and voice layouts with exact
 * notes, the grid, dispatch from the JSON reader, errors, and the four
 * shared JSB files against an independent count in Python.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "musc/rolls.h"
#include "test_support.h"

static void expect_note(const musc_music *m, size_t track, size_t i, int pitch, int64_t time,
                        int64_t duration)
{
    assert_true(track < m->n_tracks);
    if (i >= m->tracks[track].n_notes)
        fail_msg("track %zu has %zu notes, wanted note %zu", track, m->tracks[track].n_notes, i);
    const musc_note *n = &m->tracks[track].notes[i];
    if (n->pitch != pitch || n->time != time || n->duration != duration)
        fail_msg("track %zu note %zu: pitch %d at %lld for %lld, wanted %d at %lld for %lld", track,
                 i, n->pitch, (long long)n->time, (long long)n->duration, pitch, (long long)time,
                 (long long)duration);
}

static const char chords[] = "{\"train\": [[[60, 64], [60, 64], [60], [], [62.0], [62, 60]]],\n"
                             " \"test\": [[[70]], []]}";

static void chords_merge_held_steps(void **state)
{
    (void)state;
    test_save_seed("rolls", "chords", chords, strlen(chords));
    musc_music **list = NULL;
    int *splits = NULL;
    size_t n = 0;
    int rc = musc_rolls_read_book_mem((const uint8_t *)chords, strlen(chords), NULL, &list, &splits,
                                      &n, NULL);
    if (rc)
        fail_msg("%s", musc_errmsg());
    assert_int_equal(n, 3);
    assert_int_equal(splits[0], MUSC_ROLLS_TRAIN);
    assert_int_equal(splits[1], MUSC_ROLLS_TEST);
    assert_int_equal(splits[2], MUSC_ROLLS_TEST);
    musc_music *m = list[0];
    assert_string_equal(m->metadata.title, "train 1");
    assert_int_equal(m->resolution, 1); /* one step per quarter by default */
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].n_notes, 4);
    expect_note(m, 0, 0, 60, 0, 3);
    expect_note(m, 0, 1, 64, 0, 2);
    expect_note(m, 0, 2, 62, 4, 2);
    expect_note(m, 0, 3, 60, 5, 1);
    assert_string_equal(list[2]->metadata.title, "test 2");
    assert_int_equal(list[2]->tracks[0].n_notes, 0);
    musc_music_list_free(list, n);
    free(splits);
}

static const char voices[] = "{\"valid\": [[[72, 64, 55, 48], [72, -1, 55, 48], "
                             "[74, 65, 55, -1], [74, 65, 55, 48]]]}";

static void voices_become_satb_tracks(void **state)
{
    (void)state;
    test_save_seed("rolls", "voices", voices, strlen(voices));
    musc_music *m = NULL;
    musc_read_options o = musc_read_options_default();
    o.flags = MUSC_ROLLS_STEPS_PER_QUARTER(4);
    int rc = musc_rolls_read_mem((const uint8_t *)voices, strlen(voices), &o, &m, NULL);
    if (rc)
        fail_msg("%s", musc_errmsg());
    assert_int_equal(m->resolution, 4);
    assert_int_equal(m->n_tracks, 4);
    assert_string_equal(m->tracks[0].name, "Soprano");
    assert_string_equal(m->tracks[3].name, "Bass");
    expect_note(m, 0, 0, 72, 0, 2);
    expect_note(m, 0, 1, 74, 2, 2);
    expect_note(m, 1, 0, 64, 0, 1);
    expect_note(m, 1, 1, 65, 2, 2);
    expect_note(m, 2, 0, 55, 0, 4);
    expect_note(m, 3, 0, 48, 0, 2);
    expect_note(m, 3, 1, 48, 3, 1);
    musc_music_free(m);
    /* forced chords: one track, a pitch held across voices merges */
    o.flags = MUSC_ROLLS_CHORDS;
    rc = musc_rolls_read_mem((const uint8_t *)voices, strlen(voices), &o, &m, NULL);
    assert_int_equal(rc, MUSC_OK);
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].n_notes, 7);
    musc_music_free(m);
}

static void json_reader_dispatches_by_content(void **state)
{
    (void)state;
    char *path = test_tmp_path("rolls-16th.json");
    assert_int_equal(test_write_file(path, voices, strlen(voices)), 0);
    musc_music *m = NULL;
    int rc = musc_read(path, NULL, &m, NULL);
    if (rc)
        fail_msg("%s", musc_errmsg());
    assert_int_equal(m->resolution, 4); /* "16th" in the name */
    assert_int_equal(m->n_tracks, 4);
    assert_string_equal(m->metadata.source_filename, "rolls-16th.json");
    musc_music_free(m);
    free(path);
    /* a bare list of pieces */
    const char *bare = "[[[60], [60], [62]]]";
    rc = musc_json_read_mem((const uint8_t *)bare, strlen(bare), NULL, &m, NULL);
    assert_int_equal(rc, MUSC_OK);
    assert_string_equal(m->metadata.title, "piece 1");
    assert_int_equal(m->tracks[0].n_notes, 2);
    musc_music_free(m);
    /* MusPy JSON still reads as such; a list that is neither is an error */
    const char *muspy = "{\"resolution\": 12, \"tracks\": [{\"notes\": [{\"time\": 0, "
                        "\"pitch\": 60, \"duration\": 12}]}]}";
    rc = musc_json_read_mem((const uint8_t *)muspy, strlen(muspy), NULL, &m, NULL);
    assert_int_equal(rc, MUSC_OK);
    assert_int_equal(m->resolution, 12);
    musc_music_free(m);
    rc = musc_json_read_mem((const uint8_t *)"[1, 2]", 6, NULL, &m, NULL);
    assert_int_equal(rc, MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "piano-roll lists"));
    assert_int_equal(musc_rolls_detect((const uint8_t *)muspy, strlen(muspy)), 0);
    assert_int_equal(musc_rolls_detect((const uint8_t *)chords, strlen(chords)), 1);
}

static void expect_error(const char *text, int flags, int code, const char *needle)
{
    static int count;
    char name[32];
    snprintf(name, sizeof name, "error-%d", count++);
    test_save_seed("rolls", name, text, strlen(text));
    musc_music **list = NULL;
    size_t n = 0;
    musc_read_options o = musc_read_options_default();
    o.flags = flags;
    int rc = musc_rolls_read_book_mem((const uint8_t *)text, strlen(text), &o, &list, NULL, &n, NULL);
    if (rc != code)
        fail_msg("\"%s\": got %d, wanted %d (%s)", text, rc, code, musc_errmsg());
    if (!strstr(musc_errmsg(), needle))
        fail_msg("message \"%s\" lacks \"%s\"", musc_errmsg(), needle);
    assert_null(list);
}

static void errors_name_the_element(void **state)
{
    (void)state;
    expect_error("{\"train\": [[[60], [200]]]}", 0, MUSC_ERR_FORMAT, "train[0][1][0]");
    expect_error("{\"train\": [[[60], [60.5]]]}", 0, MUSC_ERR_FORMAT, "MIDI pitch");
    expect_error("{\"train\": [[[60], [-2]]]}", 0, MUSC_ERR_FORMAT, "train[0][1][0]");
    expect_error("{\"train\": [[[60], \"x\"]]}", 0, MUSC_ERR_FORMAT, "train[0][1]");
    expect_error("{\"train\": [5]}", 0, MUSC_ERR_FORMAT, "train[0]");
    expect_error("{\"train\": 5}", 0, MUSC_ERR_FORMAT, "list of pieces");
    expect_error("{\"train\": [[[60], [61]]", 0, MUSC_ERR_FORMAT, "JSON syntax");
    expect_error("{\"train\": [[[60], [61]]]} x", 0, MUSC_ERR_FORMAT, "JSON syntax");
    expect_error("{\"train\": [[[60, 61], [61]]]}", MUSC_ROLLS_VOICES, MUSC_ERR_FORMAT, "voices");
    expect_error("7", 0, MUSC_ERR_FORMAT, "expected an object");
    musc_music *m = NULL;
    musc_read_options o = musc_read_options_default();
    o.index = 5;
    assert_int_equal(musc_rolls_read_mem((const uint8_t *)chords, strlen(chords), &o, &m, NULL),
                     MUSC_ERR_NOTFOUND);
    /* deep nesting is refused, not a stack overflow */
    char deep[3000];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    expect_error(deep, 0, MUSC_ERR_FORMAT, "");
}

static void jsb_files_match_python(void **state)
{
    (void)state;
    const char *data = test_shared_data(), *src = getenv("MUSC_SOURCE_DIR");
    if (!data || !src || test_run("python3 -c 'import json'", NULL, NULL) != 0) {
        printf("SKIP: needs ../shared/data and python3\n");
        skip();
    }
    static const struct { const char *file; int grid, tracks; } files[] = {
        {"Jsb16thSeparated.json", 4, 4}, {"jsb-chorales-16th.json", 4, 1},
        {"jsb-chorales-8th.json", 2, 1}, {"jsb-chorales-quarter.json", 1, 1}};
    for (size_t f = 0; f < 4; f++) {
        char path[1024], cmd[2048];
        snprintf(path, sizeof path, "%s/jsb_chorales/%s", data, files[f].file);
        musc_music **list = NULL;
        int *splits = NULL;
        size_t n = 0;
        if (musc_rolls_read_book(path, NULL, &list, &splits, &n, NULL))
            fail_msg("%s", musc_errmsg());
        size_t per_split[3] = {0}, notes = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(splits[i] >= 0 && splits[i] < 3);
            per_split[splits[i]]++;
            assert_int_equal(list[i]->resolution, files[f].grid);
            assert_int_equal(list[i]->n_tracks, files[f].tracks);
            assert_int_equal(musc_music_validate(list[i]), MUSC_OK);
            notes += musc_music_note_count(list[i]);
        }
        /* SOURCE.md: 382 chorales, train 229 / valid 76 / test 77 */
        assert_int_equal(n, 382);
        assert_int_equal(per_split[0], 229);
        assert_int_equal(per_split[1], 76);
        assert_int_equal(per_split[2], 77);
        snprintf(cmd, sizeof cmd, "python3 '%s/tests/io/rolls_notes.py' '%s'", src, path);
        char *out = NULL;
        assert_int_equal(test_run(cmd, &out, NULL), 0);
        size_t py_pieces = 0, py_notes = 0;
        assert_int_equal(sscanf(out, "%zu %zu", &py_pieces, &py_notes), 2);
        assert_int_equal(py_pieces, n);
        if (py_notes != notes)
            fail_msg("%s: musc %zu notes, Python %zu", files[f].file, notes, py_notes);
        printf("%s: %zu pieces, %zu notes (Python agrees)\n", files[f].file, n, notes);
        free(out);
        musc_music_list_free(list, n);
        free(splits);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chords_merge_held_steps),
        cmocka_unit_test(voices_become_satb_tracks),
        cmocka_unit_test(json_reader_dispatches_by_content),
        cmocka_unit_test(errors_name_the_element),
        cmocka_unit_test(jsb_files_match_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
