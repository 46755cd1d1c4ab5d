/* musc convert/info on ABC tune books: --tune by number and title, --all. */
#include "cli_test.h"

#include "musc/musc.h"

#define P "cli_abc"

static const char book[] = "% a small book\n\n"
                           "X:4\nT:First Tune\nM:4/4\nL:1/8\nK:G\nGABc d2 B2|]\n\n"
                           "X:9\nT:Second Tune\nM:3/4\nL:1/4\nK:D\nd e f|a3|]\n\n"
                           "X:12\nT:Broken\nK:C\n\"never closed\n";

static char *write_book(void)
{
    char *path = scratch(P, "book.abc");
    assert_int_equal(test_write_file(path, book, strlen(book)), 0);
    return path;
}

static void tune_by_number_and_title(void **state)
{
    (void)state;
    char *abc = write_book(), *mid = scratch(P, "nine.mid"), *mid2 = scratch(P, "second.mid");
    char *out = NULL, *err = NULL;
    assert_int_equal(musc_run(NULL, NULL, "convert -q --tune 9 '%s' '%s'", abc, mid), 0);
    assert_int_equal(musc_run(NULL, NULL, "convert -q --tune 'second tune' '%s' '%s'", abc, mid2), 0);
    musc_music *a = NULL, *b = NULL;
    assert_int_equal(musc_read(mid, NULL, &a, NULL), 0);
    assert_int_equal(musc_read(mid2, NULL, &b, NULL), 0);
    assert_string_equal(a->metadata.title, "Second Tune");
    assert_int_equal(a->tracks[0].n_notes, 4);
    assert_true(musc_music_equal(a, b));
    musc_music_free(a);
    musc_music_free(b);
    /* info picks the same tune; the first tune without --tune */
    assert_int_equal(musc_run(&out, NULL, "info --json --tune 9 '%s'", abc), 0);
    assert_non_null(strstr(out, "\"Second Tune\""));
    free(out);
    assert_int_equal(musc_run(&out, NULL, "info --json '%s'", abc), 0);
    assert_non_null(strstr(out, "\"First Tune\""));
    free(out);
    /* a missing tune, and --tune on a file that is not ABC */
    assert_int_equal(musc_run(NULL, &err, "info --tune 5 '%s'", abc), 1);
    assert_non_null(strstr(err, "no tune X:5"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "info --tune 1 '%s'", mid), 1);
    assert_non_null(strstr(err, "ABC"));
    free(err);
    free(abc);
    free(mid);
    free(mid2);
}

static void all_tunes_into_a_directory(void **state)
{
    (void)state;
    char *abc = write_book(), *dir = scratch(P, "all");
    char cmd[4096], *err = NULL;
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    /* the broken tune is reported and skipped; the others are written */
    assert_int_equal(musc_run(NULL, &err, "convert --all --to json '%s' '%s'", abc, dir), 1);
    assert_non_null(strstr(err, "wrote 2 of 3 tunes"));
    assert_non_null(strstr(err, "X:12"));
    free(err);
    char path[4200];
    snprintf(path, sizeof path, "%s/cli_abc-book-4.json", dir);
    musc_music *m = NULL;
    assert_int_equal(musc_read(path, NULL, &m, NULL), 0);
    assert_string_equal(m->metadata.title, "First Tune");
    assert_int_equal(m->tracks[0].n_notes, 6);
    musc_music_free(m);
    snprintf(path, sizeof path, "%s/cli_abc-book-9.json", dir);
    assert_int_equal(access(path, F_OK), 0);
    /* existing outputs are not replaced without --force */
    assert_int_equal(musc_run(NULL, &err, "convert --all --to json '%s' '%s'", abc, dir), 1);
    assert_non_null(strstr(err, "exists"));
    free(err);
    /* usage errors */
    assert_int_equal(musc_run(NULL, NULL, "convert --all --to xyz '%s' '%s'", abc, dir), 2);
    assert_int_equal(musc_run(NULL, NULL, "convert --all --tune 4 '%s' '%s'", abc, dir), 2);
    free(abc);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tune_by_number_and_title),
        cmocka_unit_test(all_tunes_into_a_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
