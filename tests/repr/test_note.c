/* Note-based representation: rows, start/end and velocity options, errors. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

static void rows_are_sorted_notes_of_all_tracks(void **state)
{
    (void)state;
    tnote in[] = {{4, 2, 62, 100}, {0, 4, 60, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    musc_track *t = musc_music_add_track(m, 0, 1, NULL);
    assert_int_equal(musc_track_add_note(t, 0, 1, 36, 90), MUSC_OK);
    int64_t *rows;
    size_t n;
    assert_int_equal(musc_note_repr_encode(m, NULL, &rows, &n), MUSC_OK);
    int64_t want[] = {0, 36, 1, 90, 0, 60, 4, 64, 4, 62, 2, 100};
    assert_int_equal(n, 3);
    for (size_t i = 0; i < N(want); i++)
        assert_int_equal(rows[i], want[i]);
    musc_music *back;
    assert_int_equal(musc_note_repr_decode(rows, n, NULL, &back), MUSC_OK);
    tnote back_want[] = {{0, 1, 36, 90}, {0, 4, 60, 64}, {4, 2, 62, 100}};
    expect_notes(&back->tracks[0], back_want, N(back_want));
    free(rows);
    musc_music_free(back);
    musc_music_free(m);
}

static void start_end_without_velocity(void **state)
{
    (void)state;
    tnote in[] = {{0, 4, 60, 64}, {4, 2, 62, 100}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    musc_note_repr_options o = musc_note_repr_options_default();
    o.use_start_end = 1;
    o.encode_velocity = 0;
    o.default_velocity = 50;
    assert_int_equal(musc_note_repr_columns(&o), 3);
    int64_t *rows;
    size_t n;
    assert_int_equal(musc_note_repr_encode(m, &o, &rows, &n), MUSC_OK);
    int64_t want[] = {0, 60, 4, 4, 62, 6};
    assert_int_equal(n, 2);
    for (size_t i = 0; i < N(want); i++)
        assert_int_equal(rows[i], want[i]);
    musc_music *back;
    assert_int_equal(musc_note_repr_decode(rows, n, &o, &back), MUSC_OK);
    tnote back_want[] = {{0, 4, 60, 50}, {4, 2, 62, 50}};
    expect_notes(&back->tracks[0], back_want, N(back_want));
    free(rows);
    musc_music_free(back);
    musc_music_free(m);
}

static void invalid_rows_are_refused(void **state)
{
    (void)state;
    musc_music *back;
    int64_t bad_pitch[] = {0, 60, 4, 64, 1, 128, 4, 64};
    assert_int_equal(musc_note_repr_decode(bad_pitch, 2, NULL, &back), MUSC_ERR_RANGE);
    assert_null(back);
    assert_non_null(strstr(musc_errmsg(), "row 1"));
    int64_t bad_end[] = {5, 60, 4, 64};
    musc_note_repr_options o = musc_note_repr_options_default();
    o.use_start_end = 1;
    assert_int_equal(musc_note_repr_decode(bad_end, 1, &o, &back), MUSC_ERR_RANGE);
    int64_t overflow[] = {-5, 60, INT64_MAX, 64};
    assert_int_equal(musc_note_repr_decode(overflow, 1, &o, &back), MUSC_ERR_RANGE);
    int64_t bad_vel[] = {0, 60, 4, 200};
    assert_int_equal(musc_note_repr_decode(bad_vel, 1, NULL, &back), MUSC_ERR_RANGE);
    assert_int_equal(musc_note_repr_decode(NULL, 1, NULL, &back), MUSC_ERR_ARG);
    assert_int_equal(musc_note_repr_decode(NULL, 0, NULL, &back), MUSC_OK);
    assert_int_equal(back->tracks[0].n_notes, 0);
    musc_music_free(back);
    musc_music *m = musc_music_new(24);
    int64_t *rows;
    size_t n;
    assert_int_equal(musc_note_repr_encode(m, NULL, &rows, &n), MUSC_OK);
    assert_null(rows);
    assert_int_equal(n, 0);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_sorted_notes_of_all_tracks),
        cmocka_unit_test(start_end_without_velocity),
        cmocka_unit_test(invalid_rows_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
