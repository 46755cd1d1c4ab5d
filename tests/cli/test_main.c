/* musc itself: global options, the command table, usage errors. */
#include "cli_test.h"

static void no_arguments_is_a_usage_error(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(musc_run(&out, &err, ""), 2);
    assert_non_null(strstr(err, "usage: musc"));
    assert_string_equal(out, "");
    free(out);
    free(err);
}

static void help_lists_every_command_on_stdout(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(musc_run(&out, NULL, "--help"), 0);
    assert_non_null(strstr(out, "info"));
    assert_non_null(strstr(out, "convert"));
    assert_non_null(strstr(out, "example"));
    free(out);
}

static void version_prints_the_library_version(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(musc_run(&out, NULL, "--version"), 0);
    assert_non_null(strstr(out, "musc 0."));
    free(out);
}

static void unknown_command_is_a_usage_error(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(musc_run(NULL, &err, "frobnicate"), 2);
    assert_non_null(strstr(err, "unknown command 'frobnicate'"));
    free(err);
}

static void every_command_has_help(void **state)
{
    (void)state;
    static const char *const cmds[] = {"info", "convert", "example"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char *out, *err;
        assert_int_equal(musc_run(&out, &err, "%s --help", cmds[i]), 0);
        char want[64];
        snprintf(want, sizeof want, "usage: musc %s", cmds[i]);
        assert_non_null(strstr(out, want));
        assert_non_null(strstr(out, "exit status"));
        assert_string_equal(err, "");
        free(out);
        free(err);
    }
}

static void unknown_option_names_the_option(void **state)
{
    (void)state;
    static const char *const cmds[] = {"info", "convert", "example"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char *err;
        assert_int_equal(musc_run(NULL, &err, "%s --no-such-option", cmds[i]), 2);
        assert_non_null(strstr(err, "--no-such-option"));
        free(err);
        assert_int_equal(musc_run(NULL, &err, "%s -Z", cmds[i]), 2);
        assert_non_null(strstr(err, "-Z"));
        free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_arguments_is_a_usage_error),
        cmocka_unit_test(help_lists_every_command_on_stdout),
        cmocka_unit_test(version_prints_the_library_version),
        cmocka_unit_test(unknown_command_is_a_usage_error),
        cmocka_unit_test(every_command_has_help),
        cmocka_unit_test(unknown_option_names_the_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
