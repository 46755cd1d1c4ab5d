/*
 * Errors: the status table, the per-thread message (set, replaced, cleared,
 * never shared between threads), and truncation of very long messages.
 */
#include <pthread.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static void strerror_covers_every_code(void **state)
{
    (void)state;
    assert_string_equal(musc_strerror(MUSC_OK), "success");
    assert_string_equal(musc_strerror(MUSC_ERR_NOMEM), "out of memory");
    int codes[] = {MUSC_ERR_IO, MUSC_ERR_FORMAT, MUSC_ERR_ARG, MUSC_ERR_UNSUPPORTED,
                   MUSC_ERR_RANGE, MUSC_ERR_INVALID, MUSC_ERR_EXISTS, MUSC_ERR_NOTFOUND,
                   MUSC_ERR_INTERNAL};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        const char *s = musc_strerror(codes[i]);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, musc_strerror(codes[j])); /* all distinct */
    }
    assert_string_equal(musc_strerror(-999), "unknown error");
    assert_string_equal(musc_strerror(5), "unknown error");
}

static void message_set_replaced_cleared(void **state)
{
    (void)state;
    musc_clear_error();
    assert_string_equal(musc_errmsg(), "");
    assert_int_equal(musc_error(MUSC_ERR_FORMAT, "bad byte 0x%02x at offset %d", 0xff, 14),
                     MUSC_ERR_FORMAT);
    assert_string_equal(musc_errmsg(), "bad byte 0xff at offset 14");
    musc_error(MUSC_ERR_ARG, "second");
    assert_string_equal(musc_errmsg(), "second");
    musc_clear_error();
    assert_string_equal(musc_errmsg(), "");
}

/* Library calls set it too, e.g. a bad argument. */
static void library_errors_set_message(void **state)
{
    (void)state;
    musc_clear_error();
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_remove_track(m, 3), MUSC_ERR_ARG);
    assert_true(strlen(musc_errmsg()) > 0);
    musc_music_free(m);
}

static void long_message_is_truncated(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    musc_error(MUSC_ERR_IO, "%s", big);
    size_t n = strlen(musc_errmsg());
    assert_true(n > 100 && n < sizeof big - 1);
}

static void *other_thread(void *arg)
{
    (void)arg;
    musc_error(MUSC_ERR_IO, "from the other thread");
    return (void *)(strcmp(musc_errmsg(), "from the other thread") == 0 ? (void *)1 : NULL);
}

static void messages_are_per_thread(void **state)
{
    (void)state;
    musc_error(MUSC_ERR_ARG, "main thread");
    pthread_t th;
    void *ok = NULL;
    assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
    assert_int_equal(pthread_join(th, &ok), 0);
    assert_non_null(ok);
    assert_string_equal(musc_errmsg(), "main thread");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strerror_covers_every_code),
        cmocka_unit_test(message_set_replaced_cleared),
        cmocka_unit_test(library_errors_set_message),
        cmocka_unit_test(long_message_is_truncated),
        cmocka_unit_test(messages_are_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
