/* Every encoder refuses lengths that would exhaust memory (a note at an
 * absurd tick), with MUSC_ERR_RANGE instead of a giant allocation. */
#include "helpers.h"

#include <stdlib.h>

static void absurd_lengths_are_refused(void **state)
{
    (void)state;
    tnote far[] = {{MUSC_REPR_MAX_STEPS, 1, 60, 64}};
    musc_music *m = music_of(24, 0, 0, far, N(far));
    int32_t *tok;
    size_t n;
    uint8_t *roll;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_ERR_RANGE);
    assert_int_equal(musc_pianoroll_encode(m, NULL, &roll, &n), MUSC_ERR_RANGE);
    musc_event_options eo = musc_event_options_default();
    eo.max_time_shift = 1;
    m->tracks[0].notes[0].time = (int64_t)1 << 40;
    assert_int_equal(musc_event_encode(m, &eo, &tok, &n), MUSC_ERR_RANGE);
    assert_int_equal(musc_remi_encode(m, NULL, &tok, &n), MUSC_ERR_RANGE);
    assert_null(tok);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(absurd_lengths_are_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
