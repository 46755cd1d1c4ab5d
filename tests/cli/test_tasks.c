/* musc train --task T and musc eval T route to the tasks' own commands. */
#include "cli_test.h"

#define P "cli_tasks"

static void eval_routes_to_each_task(void **state)
{
    (void)state;
    char *out, *direct;
    assert_int_equal(musc_run(&out, NULL, "eval harmonize --help"), 0);
    assert_int_equal(musc_run(&direct, NULL, "harmonize eval --help"), 0);
    assert_true(strlen(out) > 0);
    assert_string_equal(out, direct);
    free(out);
    free(direct);
    assert_int_equal(musc_run(&out, NULL, "eval instrument --help"), 0);
    assert_int_equal(musc_run(&direct, NULL, "instrument eval --help"), 0);
    assert_true(strlen(out) > 0);
    assert_string_equal(out, direct);
    free(out);
    free(direct);
    assert_int_equal(musc_run(&out, NULL, "eval --help"), 0);
    assert_non_null(strstr(out, "instrument"));
    free(out);
}

static void train_task_routes_and_defaults_to_mmt(void **state)
{
    (void)state;
    char *out, *direct;
    assert_int_equal(musc_run(&out, NULL, "train --task instrument --help"), 0);
    assert_int_equal(musc_run(&direct, NULL, "instrument train --help"), 0);
    assert_string_equal(out, direct);
    free(out);
    free(direct);
    assert_int_equal(musc_run(&out, NULL, "train --help --task=harmonize"), 0);
    assert_int_equal(musc_run(&direct, NULL, "harmonize train --help"), 0);
    assert_string_equal(out, direct);
    free(out);
    free(direct);
    assert_int_equal(musc_run(&out, NULL, "train --help"), 0);
    assert_non_null(strstr(out, "Multitrack Music Transformer"));
    free(out);
}

static void bad_tasks_are_usage_errors(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "eval"), 2);
    assert_non_null(strstr(err, "task"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "eval bogus"), 2);
    assert_non_null(strstr(err, "bogus"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "eval mmt"), 2);
    free(err);
    assert_int_equal(musc_run(NULL, &err, "train --task bogus"), 2);
    assert_non_null(strstr(err, "bogus"));
    free(err);
    assert_int_equal(musc_run(NULL, &err, "train --task"), 2);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eval_routes_to_each_task),
        cmocka_unit_test(train_task_routes_and_defaults_to_mmt),
        cmocka_unit_test(bad_tasks_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
