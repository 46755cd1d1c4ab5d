#include "test_support.h"
#include "musc/musc.h"
static void new_music_has_defaults(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(0);
    assert_non_null(m);
    assert_int_equal(m->resolution, MUSC_DEFAULT_RESOLUTION);
    musc_music_free(m);
}
int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(new_music_has_defaults)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
