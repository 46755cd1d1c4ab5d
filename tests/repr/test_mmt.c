/* MMT representation: exact rows for hand-made pieces, MMT's tables,
 * rescaling, drums, max_beat, shifting, cutting, duplicates, decoding. */
#include "helpers.h"

#include <stdlib.h>

static void expect_rows(const int32_t *got, size_t n, const int32_t (*want)[6], size_t nw)
{
    assert_int_equal(n, nw);
    for (size_t i = 0; i < n; i++)
        for (int f = 0; f < 6; f++)
            if (got[6 * i + f] != want[i][f])
                fail_msg("row %zu field %d: got %d, want %d", i, f, got[6 * i + f], want[i][f]);
}

static musc_music *small_piece(void)
{
    musc_music *m = musc_music_new(12);
    musc_track *t = musc_music_add_track(m, 40, 0, "violin");
    musc_track_add_note(t, 6, 24, 72, 90);
    t = musc_music_add_track(m, 0, 0, "piano");
    musc_track_add_note(t, 12, 13, 64, 70);
    musc_track_add_note(t, 0, 12, 60, 80);
    t = musc_music_add_track(m, 0, 1, "drums");
    musc_track_add_note(t, 0, 1, 36, 100);
    t = musc_music_add_track(m, 100, 0, "fx"); /* no MMT class */
    musc_track_add_note(t, 0, 4, 50, 100);
    return m;
}

static void exact_rows_of_a_small_piece(void **state)
{
    (void)state;
    musc_music *m = small_piece();
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {
        {0, 0, 0, 0, 0, 0},    {1, 0, 0, 0, 0, 1},     {1, 0, 0, 0, 0, 25},
        {2, 0, 0, 0, 0, 0},    {3, 1, 1, 61, 12, 1},   {3, 1, 7, 73, 18, 25},
        {3, 2, 1, 65, 12, 1},  {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));

    musc_music *back;
    assert_int_equal(musc_mmt_decode(codes, n, NULL, &back), MUSC_OK);
    assert_int_equal(back->resolution, 12);
    assert_int_equal(back->n_tempos, 1);
    assert_true(back->tempos[0].qpm == 100.0);
    assert_int_equal(back->n_tracks, 2);
    assert_int_equal(back->tracks[0].program, 0);
    assert_int_equal(back->tracks[1].program, 40);
    tnote piano[] = {{0, 12, 60, 64}, {12, 12, 64, 64}};
    tnote violin[] = {{6, 24, 72, 64}};
    expect_notes(&back->tracks[0], piano, N(piano));
    expect_notes(&back->tracks[1], violin, N(violin));
    free(codes);
    musc_music_free(back);
    musc_music_free(m);
}

static void drums_kept_as_class_65(void **state)
{
    (void)state;
    musc_music *m = small_piece();
    musc_mmt_options o = musc_mmt_options_default();
    o.keep_drums = 1;
    int sizes[6];
    musc_mmt_field_sizes(&o, sizes);
    assert_int_equal(sizes[5], 66);
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, &o, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {
        {0, 0, 0, 0, 0, 0},   {1, 0, 0, 0, 0, 1},    {1, 0, 0, 0, 0, 25},  {1, 0, 0, 0, 0, 65},
        {2, 0, 0, 0, 0, 0},   {3, 1, 1, 37, 1, 65},  {3, 1, 1, 61, 12, 1}, {3, 1, 7, 73, 18, 25},
        {3, 2, 1, 65, 12, 1}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_mmt_decode(codes, n, &o, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 3);
    assert_true(back->tracks[2].is_drum);
    tnote drums[] = {{0, 1, 36, 64}};
    expect_notes(&back->tracks[2], drums, N(drums));
    musc_music_free(back);
    /* without the option the drum class is out of range and skipped */
    assert_int_equal(musc_mmt_decode(codes, n, NULL, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 2);
    musc_music_free(back);
    free(codes);
    musc_music_free(m);
}

static void tables_match_mmt(void **state)
{
    (void)state;
    int sizes[6];
    musc_mmt_field_sizes(NULL, sizes);
    int want_sizes[6] = {5, 257, 13, 129, 33, 65};
    for (int i = 0; i < 6; i++)
        assert_int_equal(sizes[i], want_sizes[i]);
    assert_int_equal(musc_mmt_instrument_of_program(0), 1);
    assert_int_equal(musc_mmt_instrument_of_program(3), 1);
    assert_int_equal(musc_mmt_instrument_of_program(48), 31); /* strings */
    assert_int_equal(musc_mmt_instrument_of_program(44), 31);
    assert_int_equal(musc_mmt_instrument_of_program(110), 25); /* fiddle -> violin */
    assert_int_equal(musc_mmt_instrument_of_program(76), 0);
    assert_int_equal(musc_mmt_instrument_of_program(96), 0);
    assert_int_equal(musc_mmt_instrument_of_program(116), 0);
    assert_int_equal(musc_mmt_instrument_of_program(119), 64);
    assert_int_equal(musc_mmt_instrument_of_program(127), 0);
    assert_int_equal(musc_mmt_instrument_of_program(-1), 0);
    assert_int_equal(musc_mmt_instrument_of_program(128), 0);
    assert_int_equal(musc_mmt_program_of_instrument(31), 49);
    assert_int_equal(musc_mmt_program_of_instrument(64), 118);
    assert_int_equal(musc_mmt_program_of_instrument(65), -1);
    assert_string_equal(musc_mmt_instrument_name(1), "piano");
    assert_string_equal(musc_mmt_instrument_name(53), "ocarina");
    assert_string_equal(musc_mmt_instrument_name(64), "synth-drums");
    assert_string_equal(musc_mmt_instrument_name(65), "drums");
    assert_null(musc_mmt_instrument_name(0));
    /* every class decodes to a program that folds back to it */
    for (int c = 1; c <= 64; c++)
        assert_int_equal(musc_mmt_instrument_of_program(musc_mmt_program_of_instrument(c)), c);
    assert_int_equal(musc_mmt_duration_code(0), 1);
    assert_int_equal(musc_mmt_duration_code(13), 12);  /* 12 is nearer than 15 */
    assert_int_equal(musc_mmt_duration_code(14), 13);  /* 15 */
    assert_int_equal(musc_mmt_duration_code(17), 14);  /* tie 16/18 -> 16 */
    assert_int_equal(musc_mmt_duration_code(288), 31); /* tie 192/384 -> 192 */
    assert_int_equal(musc_mmt_duration_code(289), 32);
    assert_int_equal(musc_mmt_duration_code(100000), 32);
    assert_int_equal(musc_mmt_duration_of_code(32), 384);
    assert_int_equal(musc_mmt_duration_of_code(0), 0);
    assert_int_equal(musc_mmt_duration_of_code(33), 0);
}

static void rescales_like_muspy(void **state)
{
    (void)state;
    /* at 24 ticks per quarter: 1 -> 0.5 -> 0, 3 -> 1.5 -> 2, 5 -> 2.5 -> 2 */
    tnote in[] = {{1, 2, 60, 64}, {3, 2, 62, 64}, {48, 5, 64, 64}};
    musc_music *m = music_of(24, 0, 0, in, N(in));
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    /* (1,2): 0..2 -> dur 2; (3,2): 2..2 -> dur 0 -> 1; (48,5): 24..26 (26.5 -> 26) */
    static const int32_t want[][6] = {{0, 0, 0, 0, 0, 0},   {1, 0, 0, 0, 0, 1},
                                      {2, 0, 0, 0, 0, 0},   {3, 1, 1, 61, 2, 1},
                                      {3, 1, 3, 63, 1, 1},  {3, 3, 1, 65, 2, 1},
                                      {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    free(codes);
    musc_music_free(m);
}

static void max_beat_shift_and_cut(void **state)
{
    (void)state;
    tnote in[] = {{12 * 10, 12, 60, 64}, {12 * 11, 12, 62, 64}, {12 * 300, 12, 64, 64}};
    musc_music *m = music_of(12, 0, 0, in, N(in));
    musc_track *t = musc_music_add_track(m, 73, 0, NULL);
    musc_track_add_note(t, 12 * 256, 12, 70, 64); /* only note of the flute: at beat 256 */
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {{0, 0, 0, 0, 0, 0},    {1, 0, 0, 0, 0, 1},
                                      {2, 0, 0, 0, 0, 0},    {3, 11, 1, 61, 12, 1},
                                      {3, 12, 1, 63, 12, 1}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    free(codes);

    musc_mmt_options o = musc_mmt_options_default();
    o.shift_to_first_beat = 1;
    o.max_beat = 1024;
    assert_int_equal(musc_mmt_encode(m, &o, &codes, &n), MUSC_OK);
    static const int32_t shifted[][6] = {
        {0, 0, 0, 0, 0, 0},     {1, 0, 0, 0, 0, 1},     {1, 0, 0, 0, 0, 50},
        {2, 0, 0, 0, 0, 0},     {3, 1, 1, 61, 12, 1},   {3, 2, 1, 63, 12, 1},
        {3, 247, 1, 71, 12, 50}, {3, 291, 1, 65, 12, 1}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, shifted, N(shifted));
    free(codes);

    o.max_seq_len = 6;
    assert_int_equal(musc_mmt_encode(m, &o, &codes, &n), MUSC_OK);
    static const int32_t cut[][6] = {{0, 0, 0, 0, 0, 0},   {1, 0, 0, 0, 0, 1},
                                     {1, 0, 0, 0, 0, 50},  {2, 0, 0, 0, 0, 0},
                                     {3, 1, 1, 61, 12, 1}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, cut, N(cut));
    free(codes);
    o.max_seq_len = 2;
    assert_int_equal(musc_mmt_encode(m, &o, &codes, &n), MUSC_ERR_ARG);
    o = musc_mmt_options_default();
    o.max_beat = 0;
    assert_int_equal(musc_mmt_encode(m, &o, &codes, &n), MUSC_ERR_ARG);
    assert_null(codes);
    musc_music_free(m);
}

static void duplicates_removed_but_folded_twins_kept(void **state)
{
    (void)state;
    tnote in[] = {{0, 12, 60, 64}, {0, 12, 60, 100}};
    musc_music *m = music_of(12, 0, 0, in, N(in));
    musc_track *t = musc_music_add_track(m, 1, 0, NULL); /* also piano */
    musc_track_add_note(t, 0, 12, 60, 64);
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {{0, 0, 0, 0, 0, 0},  {1, 0, 0, 0, 0, 1},
                                      {2, 0, 0, 0, 0, 0},  {3, 1, 1, 61, 12, 1},
                                      {3, 1, 1, 61, 12, 1}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    free(codes);
    musc_music_free(m);
}

static void empty_music(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {{0, 0, 0, 0, 0, 0}, {2, 0, 0, 0, 0, 0}, {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_mmt_decode(codes, n, NULL, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 0);
    musc_music_free(back);
    free(codes);
    musc_music_free(m);
}

static void decoding_skips_bad_notes_and_stops_at_eos(void **state)
{
    (void)state;
    static const int32_t rows[][6] = {
        {0, 0, 0, 0, 0, 0},    {3, 1, 1, 61, 12, 1},  {3, 0, 1, 61, 12, 1},
        {3, 257, 1, 61, 12, 1}, {3, 1, 13, 61, 12, 1}, {3, 1, 1, 61, 33, 1},
        {3, 1, 1, 61, 12, 65}, {3, 2, 5, 128, 32, 31}, {4, 0, 0, 0, 0, 0},
        {3, 3, 1, 61, 12, 1},  {9, 0, 0, 0, 0, 0}};
    musc_music *back;
    assert_int_equal(musc_mmt_decode(&rows[0][0], N(rows), NULL, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 2);
    assert_int_equal(back->tracks[1].program, 49);
    tnote piano[] = {{0, 12, 60, 64}};
    tnote strings[] = {{16, 384, 127, 64}};
    expect_notes(&back->tracks[0], piano, N(piano));
    expect_notes(&back->tracks[1], strings, N(strings));
    musc_music_free(back);
    static const int32_t bad[][6] = {{0, 0, 0, 0, 0, 0}, {7, 0, 0, 0, 0, 0}};
    assert_int_equal(musc_mmt_decode(&bad[0][0], N(bad), NULL, &back), MUSC_ERR_FORMAT);
    assert_null(back);
    musc_mmt_options o = musc_mmt_options_default();
    o.qpm = 0;
    assert_int_equal(musc_mmt_decode(&rows[0][0], N(rows), &o, &back), MUSC_ERR_ARG);
    assert_int_equal(musc_mmt_decode(NULL, 2, NULL, &back), MUSC_ERR_ARG);
}

static void round_trip_equals_quantized_input(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(12);
    musc_music_add_tempo(m, 0, 100.0);
    static const int programs[] = {0, 33, 49, 73};
    static const int lens[] = {1, 3, 6, 12, 24, 48, 96, 384};
    unsigned seed = 7;
    for (size_t p = 0; p < N(programs); p++) {
        musc_track *t = musc_music_add_track(m, programs[p], 0, NULL);
        for (int i = 0; i < 50; i++) {
            seed = seed * 1103515245u + 12345u;
            int64_t time = (seed >> 8) % (12 * 200);
            int pitch = 30 + (int)((seed >> 20) % 70);
            int len = lens[(seed >> 4) % N(lens)];
            musc_track_add_note(t, time, len, pitch, 64);
        }
    }
    musc_music_sort(m);
    /* remove exact duplicates the generator may have made */
    for (size_t i = 0; i < m->n_tracks; i++) {
        musc_track *t = &m->tracks[i];
        size_t k = 0;
        for (size_t j = 0; j < t->n_notes; j++)
            if (!k || t->notes[k - 1].time != t->notes[j].time ||
                t->notes[k - 1].pitch != t->notes[j].pitch ||
                t->notes[k - 1].duration != t->notes[j].duration)
                t->notes[k++] = t->notes[j];
        t->n_notes = k;
    }
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode(m, NULL, &codes, &n), MUSC_OK);
    musc_music *back;
    assert_int_equal(musc_mmt_decode(codes, n, NULL, &back), MUSC_OK);
    char diff[256];
    if (!musc_music_diff(m, back, diff, sizeof diff))
        fail_msg("round trip differs: %s", diff);
    free(codes);
    musc_music_free(back);
    musc_music_free(m);
}

static void extract_then_encode_notes(void **state)
{
    (void)state;
    musc_music *m = small_piece();
    musc_mmt_options o = musc_mmt_options_default();
    o.keep_drums = 1;
    musc_mmt_note *notes;
    size_t nn;
    assert_int_equal(musc_mmt_extract(m, &o, &notes, &nn), MUSC_OK);
    assert_int_equal(nn, 4);
    assert_int_equal(notes[0].program, MUSC_MMT_DRUM_PROGRAM);
    assert_int_equal(notes[3].beat, 1);
    assert_int_equal(notes[3].duration, 13); /* raw, not yet snapped */
    /* MMT's load-time augmentation: shift pitches, drop the first beat */
    for (size_t i = 0; i < nn; i++)
        notes[i].pitch += 2;
    int32_t *codes;
    size_t n;
    assert_int_equal(musc_mmt_encode_notes(notes + 3, 1, &o, &codes, &n), MUSC_OK);
    static const int32_t want[][6] = {{0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 1},
                                      {2, 0, 0, 0, 0, 0}, {3, 2, 1, 67, 12, 1},
                                      {4, 0, 0, 0, 0, 0}};
    expect_rows(codes, n, want, N(want));
    free(codes);
    notes[1].pitch = 128;
    assert_int_equal(musc_mmt_encode_notes(notes, nn, &o, &codes, &n), MUSC_ERR_RANGE);
    notes[1].pitch = 60;
    notes[1].program = 97; /* no class */
    assert_int_equal(musc_mmt_encode_notes(notes, nn, &o, &codes, &n), MUSC_ERR_RANGE);
    assert_int_equal(musc_mmt_encode_notes(NULL, 1, &o, &codes, &n), MUSC_ERR_ARG);
    free(notes);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_rows_of_a_small_piece),
        cmocka_unit_test(drums_kept_as_class_65),
        cmocka_unit_test(tables_match_mmt),
        cmocka_unit_test(rescales_like_muspy),
        cmocka_unit_test(max_beat_shift_and_cut),
        cmocka_unit_test(duplicates_removed_but_folded_twins_kept),
        cmocka_unit_test(empty_music),
        cmocka_unit_test(decoding_skips_bad_notes_and_stops_at_eos),
        cmocka_unit_test(round_trip_equals_quantized_input),
        cmocka_unit_test(extract_then_encode_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
