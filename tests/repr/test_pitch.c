/* Pitch-based representation: exact tokens, hold state, round trips. */
#include "helpers.h"

#include <stdlib.h>

static void rests_are_128_without_hold(void **state)
{
    (void)state;
    tnote in[] = {{0, 2, 60, 64}, {3, 1, 62, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_OK);
    int32_t want[] = {60, 60, 128, 62};
    expect_tokens(tok, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_pitch_decode(tok, n, NULL, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 1);
    assert_int_equal(back->resolution, 24);
    expect_notes(&back->tracks[0], in, N(in));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void hold_state_marks_continuations(void **state)
{
    (void)state;
    tnote in[] = {{0, 2, 60, 64}, {3, 1, 62, 64}, {4, 1, 62, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    musc_pitch_options o = musc_pitch_options_default();
    o.use_hold_state = 1;
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_pitch_encode(m, &o, &tok, &n), MUSC_OK);
    int32_t want[] = {60, 129, 128, 62, 62};
    expect_tokens(tok, n, want, N(want));
    /* repeated pitch tokens stay separate notes with hold state */
    musc_music *back;
    assert_int_equal(musc_pitch_decode(tok, n, &o, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void repeated_notes_merge_without_hold(void **state)
{
    (void)state;
    tnote in[] = {{0, 1, 60, 64}, {1, 1, 60, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_OK);
    musc_music *back;
    assert_int_equal(musc_pitch_decode(tok, n, NULL, &back), MUSC_OK);
    tnote want[] = {{0, 2, 60, 64}};
    expect_notes(&back->tracks[0], want, N(want));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void later_notes_overwrite_polyphony(void **state)
{
    (void)state;
    tnote in[] = {{0, 4, 60, 64}, {1, 1, 64, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_OK);
    int32_t want[] = {60, 64, 60, 60};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_music_free(m);
}

static void empty_music_and_zero_length_notes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    int32_t *tok = (int32_t *)1;
    size_t n = 9;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_OK);
    assert_null(tok);
    assert_int_equal(n, 0);
    musc_music_free(m);
    tnote in[] = {{0, 2, 60, 64}, {2, 0, 70, 64}};
    m = music_of(24, 0, 0, in, N(in));
    musc_pitch_options o = musc_pitch_options_default();
    o.use_hold_state = 1;
    assert_int_equal(musc_pitch_encode(m, &o, &tok, &n), MUSC_OK);
    int32_t want[] = {60, 129};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_music_free(m);
}

static void decode_options_and_errors(void **state)
{
    (void)state;
    int32_t tok[] = {129, 500, -3, 40, 129, 128};
    musc_pitch_options o = musc_pitch_options_default();
    o.use_hold_state = 1;
    o.resolution = 4;
    o.program = 40;
    o.is_drum = 1;
    o.default_velocity = 99;
    musc_music *m;
    assert_int_equal(musc_pitch_decode(tok, N(tok), &o, &m), MUSC_OK);
    assert_int_equal(m->resolution, 4);
    assert_int_equal(m->tracks[0].program, 40);
    assert_true(m->tracks[0].is_drum);
    tnote want[] = {{3, 2, 40, 99}};
    expect_notes(&m->tracks[0], want, N(want));
    musc_music_free(m);
    o.resolution = 0;
    assert_int_equal(musc_pitch_decode(tok, N(tok), &o, &m), MUSC_ERR_ARG);
    assert_null(m);
    o = musc_pitch_options_default();
    o.program = 128;
    assert_int_equal(musc_pitch_decode(tok, N(tok), &o, &m), MUSC_ERR_ARG);
    assert_int_equal(musc_pitch_decode(NULL, 3, NULL, &m), MUSC_ERR_ARG);
}

static void merges_all_tracks(void **state)
{
    (void)state;
    tnote a[] = {{2, 2, 67, 64}};
    musc_music *m = music_of(24, 0, 0, a, N(a));
    musc_track *t = musc_music_add_track(m, 0, 1, NULL);
    assert_int_equal(musc_track_add_note(t, 0, 2, 36, 64), MUSC_OK);
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_pitch_encode(m, NULL, &tok, &n), MUSC_OK);
    int32_t want[] = {36, 36, 67, 67};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rests_are_128_without_hold),
        cmocka_unit_test(hold_state_marks_continuations),
        cmocka_unit_test(repeated_notes_merge_without_hold),
        cmocka_unit_test(later_notes_overwrite_polyphony),
        cmocka_unit_test(empty_music_and_zero_length_notes),
        cmocka_unit_test(decode_options_and_errors),
        cmocka_unit_test(merges_all_tracks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
