/* musc info/convert on Humdrum **kern and piano-roll lists (--tune). */
#include "cli_test.h"

#include "musc/musc.h"

#define P "cli_kern_rolls"

static void kern_converts_to_midi(void **state)
{
    (void)state;
    static const char krn[] = "!!!OTL: Two parts\n**kern\t**kern\n*M2/4\t*M2/4\n"
                              "4C\t8c\n.\t8d\n4D\t4e\n*-\t*-\n";
    char *in = scratch(P, "two.krn"), *mid = scratch(P, "two.mid"), *out = NULL;
    assert_int_equal(test_write_file(in, krn, strlen(krn)), 0);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", in), 0);
    assert_non_null(strstr(out, "\"format\": \"kern\""));
    assert_non_null(strstr(out, "\"n_notes\": 5"));
    free(out);
    assert_int_equal(musc_run(NULL, NULL, "convert -q '%s' '%s'", in, mid), 0);
    musc_music *m = NULL;
    assert_int_equal(musc_read(mid, NULL, &m, NULL), 0);
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(musc_music_note_count(m), 5);
    musc_music_free(m);
    /* writing kern is not supported: a clear error, exit 1 */
    char *err = NULL, *back = scratch(P, "back.krn");
    assert_int_equal(musc_run(NULL, &err, "convert -q '%s' '%s'", mid, back), 1);
    assert_non_null(strstr(err, "kern"));
    free(err);
    free(back);
    free(in);
    free(mid);
}

static void rolls_pieces_by_position_and_title(void **state)
{
    (void)state;
    static const char js[] = "{\"train\": [[[60], [60], [62]], [[70, 74]]], \"test\": [[[50]]]}";
    char *in = scratch(P, "book-8th.json"), *out = NULL, *err = NULL;
    assert_int_equal(test_write_file(in, js, strlen(js)), 0);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", in), 0);
    assert_non_null(strstr(out, "\"train 1\""));
    assert_non_null(strstr(out, "\"resolution\": 2")); /* "8th" in the name */
    free(out);
    assert_int_equal(musc_run(&out, NULL, "info --json --tune 2 '%s'", in), 0);
    assert_non_null(strstr(out, "\"train 2\""));
    free(out);
    assert_int_equal(musc_run(&out, NULL, "info --json --tune 'TEST 1' '%s'", in), 0);
    assert_non_null(strstr(out, "\"test 1\""));
    free(out);
    assert_int_equal(musc_run(NULL, &err, "info --tune 4 '%s'", in), 1);
    assert_non_null(strstr(err, "no piece 4 (the file holds 3)"));
    free(err);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kern_converts_to_midi),
        cmocka_unit_test(rolls_pieces_by_position_and_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
