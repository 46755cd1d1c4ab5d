/* Event-based representation: MusPy's codes for small pieces, each option,
 * overlapping notes under each duplicate-note mode, round trips. */
#include "helpers.h"

#include <stdlib.h>

static const tnote two_notes[] = {{0, 4, 60, 64}, {4, 2, 62, 100}};

static int32_t *encode(const musc_music *m, const musc_event_options *o, size_t *n)
{
    int32_t *tok;
    assert_int_equal(musc_event_encode(m, o, &tok, n), MUSC_OK);
    return tok;
}

static void default_codes(void **state)
{
    (void)state;
    musc_music *m = music_of(24, 0, 0, two_notes, N(two_notes));
    size_t n;
    int32_t *tok = encode(m, NULL, &n);
    int32_t want[] = {60, 259, 188, 62, 257, 190};
    expect_tokens(tok, n, want, N(want));
    assert_int_equal(musc_event_vocab_size(NULL), 388);
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, NULL, &back), MUSC_OK);
    tnote back_want[] = {{0, 4, 60, 64}, {4, 2, 62, 64}};
    expect_notes(&back->tracks[0], back_want, N(back_want));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void velocity_events(void **state)
{
    (void)state;
    musc_music *m = music_of(24, 0, 0, two_notes, N(two_notes));
    musc_event_options o = musc_event_options_default();
    o.encode_velocity = 1;
    size_t n;
    int32_t *tok = encode(m, &o, &n);
    int32_t want[] = {372, 60, 259, 188, 381, 62, 257, 190};
    expect_tokens(tok, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    expect_notes(&back->tracks[0], two_notes, N(two_notes)); /* 64 and 100 are bin edges */
    free(tok);
    musc_music_free(back);
    musc_music_free(m);

    /* velocity 127 falls in bin 31 and decodes to 124 */
    tnote loud[] = {{0, 1, 60, 127}, {1, 1, 61, 127}};
    m = music_of(24, 0, 0, loud, N(loud));
    o.force_velocity_event = 0;
    tok = encode(m, &o, &n);
    int32_t want2[] = {387, 60, 256, 188, 61, 256, 189};
    expect_tokens(tok, n, want2, N(want2));
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    tnote back_want[] = {{0, 1, 60, 124}, {1, 1, 61, 124}};
    expect_notes(&back->tracks[0], back_want, N(back_want));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void single_note_off_and_eos(void **state)
{
    (void)state;
    musc_music *m = music_of(24, 0, 0, two_notes, N(two_notes));
    musc_event_options o = musc_event_options_default();
    o.use_single_note_off_event = 1;
    o.use_end_of_sequence_event = 1;
    size_t n;
    int32_t *tok = encode(m, &o, &n);
    /* shifts start at 129, velocities at 229, end-of-sequence at 261 */
    int32_t want[] = {60, 132, 128, 62, 130, 128, 261};
    expect_tokens(tok, n, want, N(want));
    assert_int_equal(musc_event_vocab_size(&o), 262);
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    tnote back_want[] = {{0, 4, 60, 64}, {4, 2, 62, 64}};
    expect_notes(&back->tracks[0], back_want, N(back_want));
    musc_music_free(back);
    free(tok);
    /* decoding stops at the end-of-sequence code */
    int32_t cut[] = {60, 129, 128, 261, 62, 129, 128};
    assert_int_equal(musc_event_decode(cut, N(cut), &o, &back), MUSC_OK);
    tnote cut_want[] = {{0, 1, 60, 64}};
    expect_notes(&back->tracks[0], cut_want, N(cut_want));
    musc_music_free(back);
    musc_music_free(m);
}

static void long_gaps_split_into_max_shifts(void **state)
{
    (void)state;
    tnote in[] = {{250, 7, 60, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    size_t n;
    int32_t *tok = encode(m, NULL, &n);
    int32_t want[] = {355, 355, 305, 60, 262, 188};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_event_options o = musc_event_options_default();
    o.max_time_shift = 8;
    tok = encode(m, &o, &n);
    /* 250 = 31 x 8 + 2; shifts at 256..263 */
    assert_int_equal(n, 31 + 1 + 1 + 1 + 1);
    for (size_t i = 0; i < 31; i++)
        assert_int_equal(tok[i], 263);
    assert_int_equal(tok[31], 257);
    assert_int_equal(tok[32], 60);
    assert_int_equal(tok[33], 262);
    assert_int_equal(tok[34], 188);
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void overlapping_notes_and_duplicate_modes(void **state)
{
    (void)state;
    tnote in[] = {{0, 4, 60, 64}, {2, 4, 60, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    size_t n;
    int32_t *tok = encode(m, NULL, &n);
    int32_t want[] = {60, 257, 60, 257, 188, 257, 188};
    expect_tokens(tok, n, want, N(want));
    musc_event_options o = musc_event_options_default();
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    musc_music_free(back);
    o.duplicate_note_mode = MUSC_OVERLAP_LIFO;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    tnote lifo[] = {{0, 6, 60, 64}, {2, 2, 60, 64}};
    expect_notes(&back->tracks[0], lifo, N(lifo));
    musc_music_free(back);
    o.duplicate_note_mode = MUSC_OVERLAP_CLOSE_ALL;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    tnote all[] = {{0, 4, 60, 64}, {2, 2, 60, 64}};
    expect_notes(&back->tracks[0], all, N(all));
    musc_music_free(back);
    o.duplicate_note_mode = 7;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_ERR_ARG);
    free(tok);
    musc_music_free(m);
}

static void zero_length_note_keeps_generation_order(void **state)
{
    (void)state;
    tnote in[] = {{0, 0, 60, 64}, {0, 2, 64, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    size_t n;
    int32_t *tok = encode(m, NULL, &n);
    int32_t want[] = {60, 188, 64, 257, 192};
    expect_tokens(tok, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, NULL, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void empty_music_and_hostile_codes(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    size_t n;
    int32_t *tok = encode(m, NULL, &n);
    assert_null(tok);
    assert_int_equal(n, 0);
    musc_event_options o = musc_event_options_default();
    o.use_end_of_sequence_event = 1;
    tok = encode(m, &o, &n);
    assert_int_equal(n, 1);
    assert_int_equal(tok[0], 388);
    free(tok);
    musc_music_free(m);
    /* unknown codes, a note-off without a note, a note never closed */
    int32_t junk[] = {-1, 9999, 200, 388, 61, 300, 70};
    musc_music *back;
    assert_int_equal(musc_event_decode(junk, N(junk), NULL, &back), MUSC_OK);
    assert_int_equal(back->tracks[0].n_notes, 0);
    musc_music_free(back);
    o = musc_event_options_default();
    o.max_time_shift = 0;
    assert_int_equal(musc_event_encode(m = musc_music_new(24), &o, &tok, &n), MUSC_ERR_ARG);
    o = musc_event_options_default();
    o.velocity_bins = 129;
    assert_int_equal(musc_event_decode(junk, N(junk), &o, &back), MUSC_ERR_ARG);
    assert_int_equal(musc_event_vocab_size(&o), 0);
    musc_music_free(m);
}

static void round_trip_polyphonic_piece(void **state)
{
    (void)state;
    tnote in[] = {{0, 24, 48, 80}, {0, 12, 60, 80}, {0, 12, 64, 80}, {12, 12, 62, 96},
                  {24, 300, 55, 32}, {30, 6, 67, 32}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    musc_event_options o = musc_event_options_default();
    o.encode_velocity = 1;
    size_t n;
    int32_t *tok = encode(m, &o, &n);
    musc_music *back;
    assert_int_equal(musc_event_decode(tok, n, &o, &back), MUSC_OK);
    expect_notes(&back->tracks[0], in, N(in));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_codes),
        cmocka_unit_test(velocity_events),
        cmocka_unit_test(single_note_off_and_eos),
        cmocka_unit_test(long_gaps_split_into_max_shifts),
        cmocka_unit_test(overlapping_notes_and_duplicate_modes),
        cmocka_unit_test(zero_length_note_keeps_generation_order),
        cmocka_unit_test(empty_music_and_hostile_codes),
        cmocka_unit_test(round_trip_polyphonic_piece),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
