/*
 * musc dataset build over the two shared folders whose formats came last:
 * Humdrum **kern (haydn_op20) and piano-roll lists (jsb_chorales). Skips
 * without ../shared/data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

static char *build(const char *folder, musc_dataset_summary *s)
{
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        return NULL;
    }
    char dir[1024], name[256], cmd[2048];
    snprintf(dir, sizeof dir, "%s/%s", data, folder);
    snprintf(name, sizeof name, "ds-folder-%s", folder);
    char *out = test_tmp_path(name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    test_run(cmd, NULL, NULL);
    musc_dataset_options o = musc_dataset_options_default();
    o.jobs = 2;
    if (musc_dataset_build(dir, out, &o, s) != MUSC_OK)
        fail_msg("%s: %s", dir, musc_errmsg());
    return out;
}

static void haydn_op20_builds(void **state)
{
    (void)state;
    musc_dataset_summary s;
    char *out = build("haydn_op20", &s);
    if (!out)
        skip();
    /* 24 movements, each also as _tsroot.krn (the same notes plus analysis
     * spines): the copies are duplicates; .hrm is not a musc format */
    assert_int_equal(s.n_files, 48);
    assert_int_equal(s.n_failed, 0);
    assert_int_equal(s.n_duplicates, 24);
    assert_int_equal(s.n_pieces, 24);
    assert_true(s.rows[0] > 0);
    free(out);
}

typedef struct split_check {
    size_t rows, separated, agree;
} split_check;

static int check_row(void *user, int n, const char *const *names, const char *const *values)
{
    split_check *c = user;
    const char *path = NULL, *title = NULL, *split = NULL;
    for (int i = 0; i < n; i++) {
        if (!strcmp(names[i], "path"))
            path = values[i];
        else if (!strcmp(names[i], "title"))
            title = values[i];
        else if (!strcmp(names[i], "split"))
            split = values[i];
    }
    c->rows++;
    if (path && strstr(path, "Jsb16thSeparated.json#"))
        c->separated++;
    /* the title names the list the piece came from: "valid 12" */
    if (title && split && !strncmp(title, split, strlen(split)) && title[strlen(split)] == ' ')
        c->agree++;
    return 0;
}

static void jsb_chorales_builds_with_the_files_split(void **state)
{
    (void)state;
    musc_dataset_summary s;
    char *out = build("jsb_chorales", &s);
    if (!out)
        skip();
    assert_int_equal(s.n_files, 4);
    assert_int_equal(s.n_failed, 0);
    /* 4 files of 382 chorales; the 8th-note grid repeats many 16th pieces */
    assert_int_equal(s.n_pieces + s.n_duplicates, 4 * 382);
    split_check c = {0};
    assert_int_equal(musc_dataset_query(out, NULL, check_row, &c), MUSC_OK);
    assert_int_equal(c.rows, s.n_pieces);
    assert_int_equal(c.agree, c.rows);
    /* Jsb16thSeparated.json sorts first, so duplicates drop the other copies */
    assert_int_equal(c.separated, 382);
    printf("jsb_chorales: %zu pieces, %zu duplicates, train/valid/test %zu/%zu/%zu\n", s.n_pieces,
           s.n_duplicates, s.pieces[0], s.pieces[1], s.pieces[2]);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(haydn_op20_builds),
        cmocka_unit_test(jsb_chorales_builds_with_the_files_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
