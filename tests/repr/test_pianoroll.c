/* Piano-roll representation: cells, binary mode, merging, round trips. */
#include "helpers.h"

#include <stdlib.h>

static void cells_hold_velocities(void **state)
{
    (void)state;
    tnote in[] = {{0, 2, 60, 80}, {1, 1, 64, 90}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    uint8_t *roll;
    size_t t;
    assert_int_equal(musc_pianoroll_encode(m, NULL, &roll, &t), MUSC_OK);
    assert_int_equal(t, 3); /* latest end + 1 */
    size_t nonzero = 0;
    for (size_t i = 0; i < t * 128; i++)
        nonzero += roll[i] != 0;
    assert_int_equal(nonzero, 3);
    assert_int_equal(roll[0 * 128 + 60], 80);
    assert_int_equal(roll[1 * 128 + 60], 80);
    assert_int_equal(roll[1 * 128 + 64], 90);
    musc_music *back;
    assert_int_equal(musc_pianoroll_decode(roll, t, NULL, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    free(roll);
    musc_music_free(back);
    musc_music_free(m);
}

static void binary_mode(void **state)
{
    (void)state;
    tnote in[] = {{0, 2, 60, 80}, {1, 1, 64, 0}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    musc_pianoroll_options o = musc_pianoroll_options_default();
    o.encode_velocity = 0;
    uint8_t *roll;
    size_t t;
    assert_int_equal(musc_pianoroll_encode(m, &o, &roll, &t), MUSC_OK);
    assert_int_equal(roll[0 * 128 + 60], 1);
    assert_int_equal(roll[1 * 128 + 60], 1);
    assert_int_equal(roll[1 * 128 + 64], 0); /* velocity 0 does not sound */
    musc_music *back;
    assert_int_equal(musc_pianoroll_decode(roll, t, &o, &back), MUSC_OK);
    tnote want[] = {{0, 2, 60, 64}};
    expect_notes(&back->tracks[0], want, N(want));
    free(roll);
    musc_music_free(back);
    musc_music_free(m);
}

static void touching_notes_merge_and_overlaps_overwrite(void **state)
{
    (void)state;
    tnote in[] = {{0, 1, 60, 80}, {1, 1, 60, 90}, {0, 4, 70, 10}, {2, 1, 70, 20}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    uint8_t *roll;
    size_t t;
    assert_int_equal(musc_pianoroll_encode(m, NULL, &roll, &t), MUSC_OK);
    assert_int_equal(roll[2 * 128 + 70], 20);
    assert_int_equal(roll[3 * 128 + 70], 10);
    musc_music *back;
    assert_int_equal(musc_pianoroll_decode(roll, t, NULL, &back), MUSC_OK);
    tnote want[] = {{0, 2, 60, 80}, {0, 4, 70, 10}};
    expect_notes(&back->tracks[0], want, N(want));
    free(roll);
    musc_music_free(back);
    musc_music_free(m);
}

static void empty_and_errors(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    uint8_t *roll;
    size_t t;
    assert_int_equal(musc_pianoroll_encode(m, NULL, &roll, &t), MUSC_OK);
    assert_null(roll);
    assert_int_equal(t, 0);
    musc_music_free(m);
    uint8_t cells[128] = {0};
    cells[5] = 200;
    musc_music *back;
    assert_int_equal(musc_pianoroll_decode(cells, 1, NULL, &back), MUSC_OK);
    tnote want[] = {{0, 1, 5, 127}};
    expect_notes(&back->tracks[0], want, N(want));
    musc_music_free(back);
    musc_pianoroll_options o = musc_pianoroll_options_default();
    o.default_velocity = -1;
    assert_int_equal(musc_pianoroll_decode(cells, 1, &o, &back), MUSC_ERR_ARG);
    assert_int_equal(musc_pianoroll_decode(NULL, 1, NULL, &back), MUSC_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cells_hold_velocities),
        cmocka_unit_test(binary_mode),
        cmocka_unit_test(touching_notes_merge_and_overlaps_overwrite),
        cmocka_unit_test(empty_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
