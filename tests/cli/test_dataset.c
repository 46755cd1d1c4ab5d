/* musc dataset, end to end: build (jobs, split, where, force, json), query,
 * stats, failures.tsv, and usage errors with their exit codes. */
#include "test_support.h"
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char in_dir[512], out1[512], out2[512];

static void sh(const char *fmt, const char *a)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a);
    assert_int_equal(system(cmd), 0);
}

static void write_piece(const char *name, int seed, int n)
{
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, seed % 2 ? 40 : 0, 0, NULL);
    for (int i = 0; i < n; i++)
        musc_track_add_note(t, 12 * i, 12, 48 + (seed * 7 + i * 5) % 30, 80);
    if (seed % 3 == 0) {
        t = musc_music_add_track(m, 0, 1, "drums");
        musc_track_add_note(t, 0, 6, 36, 100);
    }
    char path[700];
    snprintf(path, sizeof path, "%s/%s", in_dir, name);
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    if (musc_write(m, path, &wo) != MUSC_OK)
        fail_msg("%s", musc_errmsg());
    musc_music_free(m);
}

static int setup(void **state)
{
    (void)state;
    char *d = test_tmp_path("cli-ds-in");
    snprintf(in_dir, sizeof in_dir, "%s", d);
    free(d);
    d = test_tmp_path("cli-ds-out1");
    snprintf(out1, sizeof out1, "%s", d);
    free(d);
    d = test_tmp_path("cli-ds-out2");
    snprintf(out2, sizeof out2, "%s", d);
    free(d);
    sh("rm -rf '%s'", in_dir);
    sh("rm -rf '%s'", out1);
    sh("rm -rf '%s'", out2);
    sh("mkdir -p '%s/x/y'", in_dir);
    char name[64];
    for (int i = 0; i < 24; i++) {
        snprintf(name, sizeof name, "%s/p%02d.json%s", i % 2 ? "x" : "x/y", i, i % 4 ? "" : ".gz");
        write_piece(name, i, 6 + i);
    }
    write_piece("dup.json", 5, 11); /* same notes as x/p05.json */
    char path[700];
    snprintf(path, sizeof path, "%s/broken.json", in_dir);
    assert_int_equal(test_write_file(path, "{\"resolution\": ", 15), 0);
    return 0;
}

static char *run(int *rc, const char *fmt, ...)
{
    char args[2048], cmd[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' dataset %s", test_musc_bin(), args);
    char *out = NULL, *err = NULL;
    *rc = test_run(cmd, &out, &err);
    if (err && *err)
        fprintf(stderr, "[%s] stderr: %s", args, err);
    free(err);
    return out;
}

static int same(const char *a, const char *b)
{
    size_t na, nb;
    char *x = test_read_file(a, &na), *y = test_read_file(b, &nb);
    int s = x && y && na == nb && !memcmp(x, y, na);
    free(x);
    free(y);
    return s;
}

static void build_is_the_same_for_one_and_two_jobs(void **state)
{
    (void)state;
    int rc;
    char *o = run(&rc, "build '%s' -o '%s' --jobs 1 --json", in_dir, out1);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "\"files\": 26"));
    assert_non_null(strstr(o, "\"failed\": 1"));
    assert_non_null(strstr(o, "\"duplicates\": 1"));
    assert_non_null(strstr(o, "\"pieces\": 24"));
    free(o);
    o = run(&rc, "build '%s' -o '%s' --jobs 2 --quiet", in_dir, out2);
    assert_int_equal(rc, 0);
    assert_string_equal(o, ""); /* --quiet */
    free(o);
    static const char *const files[] = {"train.shard", "valid.shard", "test.shard",
                                        "failures.tsv"};
    for (int i = 0; i < 4; i++) {
        char a[700], b[700];
        snprintf(a, sizeof a, "%s/%s", out1, files[i]);
        snprintf(b, sizeof b, "%s/%s", out2, files[i]);
        if (!same(a, b))
            fail_msg("%s differs between --jobs 1 and --jobs 2", files[i]);
    }
    char f[700];
    snprintf(f, sizeof f, "%s/failures.tsv", out1);
    char *t = test_read_file(f, NULL);
    assert_non_null(strstr(t, "\nbroken.json\t"));
    free(t);

    /* never overwrite without --force */
    o = run(&rc, "build '%s' -o '%s'", in_dir, out1);
    assert_int_equal(rc, 1);
    free(o);
    o = run(&rc, "build '%s' -o '%s' --force --split 1:0:0 --repr event -q", in_dir, out1);
    assert_int_equal(rc, 0);
    free(o);
    o = run(&rc, "stats '%s' --json", out1);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "\"repr\": \"event\""));
    assert_non_null(strstr(o, "\"train\": {\"pieces\": 24"));
    assert_non_null(strstr(o, "\"valid\": {\"pieces\": 0"));
    free(o);
}

static void query_and_stats(void **state)
{
    (void)state;
    int rc;
    char *o = run(&rc, "build '%s' -o '%s' --force -q", in_dir, out2);
    assert_int_equal(rc, 0);
    free(o);
    o = run(&rc, "query '%s' \"has_drums = 1 AND instruments LIKE '%%violin%%'\"", out2);
    assert_int_equal(rc, 0);
    /* seeds divisible by 3 have drums, odd seeds are violins: 3 9 15 21 */
    int lines = 0;
    for (char *c = o; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1 + 4);
    assert_non_null(strstr(o, "id\tpath\thash"));
    assert_non_null(strstr(o, "x/p03.json"));
    assert_non_null(strstr(o, "drums,violin"));
    free(o);
    o = run(&rc, "query '%s' 'WHERE n_notes > 28' --json", out2);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "\"path\": \"x/p23.json\""));
    assert_true(o[0] == '[');
    free(o);
    o = run(&rc, "query '%s' 'id = -1' --json", out2);
    assert_int_equal(rc, 0);
    assert_string_equal(o, "[]\n");
    free(o);
    o = run(&rc, "query '%s' '1; DROP TABLE pieces'", out2);
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "query '%s' 'id > 0'", out2);
    assert_int_equal(rc, 0); /* still there */
    free(o);

    o = run(&rc, "stats '%s'", out2);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "representation mmt; 1 failed, 1 duplicates"));
    assert_non_null(strstr(o, "piano"));
    assert_non_null(strstr(o, "violin"));
    free(o);

    /* --where: a subset in the shards */
    o = run(&rc, "build '%s' -o '%s' --force --where 'n_notes < 10' --json", in_dir, out2);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "\"selected\": 3")); /* p00 (7 notes with drums), p01, p02 */
    free(o);
    o = run(&rc, "build '%s' -o '%s' --force --where 'bogus ((' -q", in_dir, out2);
    assert_int_equal(rc, 2);
    free(o);
}

static void usage_errors(void **state)
{
    (void)state;
    int rc;
    char *o = run(&rc, "--help");
    assert_int_equal(rc, 0);
    assert_non_null(strstr(o, "musc dataset build"));
    free(o);
    o = run(&rc, "build --help");
    assert_int_equal(rc, 0);
    free(o);
    o = run(&rc, "build '%s'", in_dir);
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "build '%s' -o /tmp/x --repr nope", in_dir);
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "build '%s' -o /tmp/x --split 1:2", in_dir);
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "build '%s' -o /tmp/x --jobs 0", in_dir);
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "frobnicate");
    assert_int_equal(rc, 2);
    free(o);
    o = run(&rc, "stats /nonexistent");
    assert_int_equal(rc, 1);
    free(o);
    o = run(&rc, "build /nonexistent -o '%s'", out2);
    assert_int_equal(rc, 1);
    free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_is_the_same_for_one_and_two_jobs),
        cmocka_unit_test(query_and_stats),
        cmocka_unit_test(usage_errors),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
