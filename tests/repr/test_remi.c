/* REMI: vocabulary layout, exact tokens for a small piece, round trips of
 * quantized music, options, chords, time signatures and junk input. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

static musc_music *small_piece(void)
{
    musc_music *m = musc_music_new(4);
    musc_music_add_tempo(m, 0, 120.0);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 4, 60, 64);
    musc_track_add_note(t, 6, 2, 64, 100);
    t = musc_music_add_track(m, 0, 1, NULL);
    musc_track_add_note(t, 16, 1, 36, 100);
    return m;
}

static void vocabulary_layout(void **state)
{
    (void)state;
    musc_remi_vocab v;
    assert_int_equal(musc_remi_vocab_of(NULL, &v), MUSC_OK);
    assert_int_equal(v.bar, 3);
    assert_int_equal(v.position, 4);
    assert_int_equal(v.time_sig, 68);
    assert_int_equal(v.tempo, 132);
    assert_int_equal(v.chord, 164);
    assert_int_equal(v.program, 224);
    assert_int_equal(v.pitch, 353);
    assert_int_equal(v.velocity, 481);
    assert_int_equal(v.duration, 513);
    assert_int_equal(v.size, 577);
    char buf[32];
    assert_string_equal(musc_remi_token_name(NULL, 0, buf, sizeof buf), "PAD");
    assert_string_equal(musc_remi_token_name(NULL, 3, buf, sizeof buf), "Bar");
    assert_string_equal(musc_remi_token_name(NULL, 7, buf, sizeof buf), "Position_3");
    assert_string_equal(musc_remi_token_name(NULL, 86, buf, sizeof buf), "TimeSig_3/4");
    assert_string_equal(musc_remi_token_name(NULL, 132, buf, sizeof buf), "Tempo_40.0");
    assert_string_equal(musc_remi_token_name(NULL, 163, buf, sizeof buf), "Tempo_250.0");
    assert_string_equal(musc_remi_token_name(NULL, 164 + 9 * 5 + 1, buf, sizeof buf),
                        "Chord_A:min");
    assert_string_equal(musc_remi_token_name(NULL, 352, buf, sizeof buf), "Program_128");
    assert_string_equal(musc_remi_token_name(NULL, 413, buf, sizeof buf), "Pitch_60");
    assert_string_equal(musc_remi_token_name(NULL, 497, buf, sizeof buf), "Velocity_16");
    assert_string_equal(musc_remi_token_name(NULL, 516, buf, sizeof buf), "Duration_4");
    assert_string_equal(musc_remi_token_name(NULL, 577, buf, sizeof buf), "Unknown");
    musc_remi_options o = musc_remi_options_default();
    o.ppq = 0;
    assert_int_equal(musc_remi_vocab_of(&o, &v), MUSC_ERR_ARG);
    o = musc_remi_options_default();
    o.tempo_max = 10;
    assert_int_equal(musc_remi_vocab_of(&o, &v), MUSC_ERR_ARG);
}

static void exact_tokens_of_a_small_piece(void **state)
{
    (void)state;
    musc_music *m = small_piece();
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, NULL, &tok, &n), MUSC_OK);
    int32_t want[] = {3,   87,  4,   144, 224, 413, 497, 516, 10,  224, 417,
                      506, 514, 3,   4,   352, 389, 506, 513};
    expect_tokens(tok, n, want, N(want));
    musc_music *back;
    assert_int_equal(musc_remi_decode(tok, n, NULL, &back), MUSC_OK);
    assert_int_equal(back->resolution, 4);
    assert_int_equal(back->n_tempos, 1);
    assert_true(back->tempos[0].qpm > 121.29 && back->tempos[0].qpm < 121.30);
    assert_int_equal(back->n_time_signatures, 1);
    assert_int_equal(back->n_tracks, 2);
    assert_false(back->tracks[0].is_drum);
    assert_true(back->tracks[1].is_drum);
    tnote piano[] = {{0, 4, 60, 66}, {6, 2, 64, 102}};
    tnote drums[] = {{16, 1, 36, 102}};
    expect_notes(&back->tracks[0], piano, N(piano));
    expect_notes(&back->tracks[1], drums, N(drums));
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void round_trip_of_quantized_music(void **state)
{
    (void)state;
    musc_remi_options o = musc_remi_options_default();
    o.use_chords = 1;
    musc_music *m = musc_music_new(4);
    musc_music_add_tempo(m, 0, 40.0 + 12 * 210.0 / 31);
    musc_music_add_tempo(m, 30, 40.0 + 20 * 210.0 / 31);
    musc_music_add_time_signature(m, 0, 3, 4);
    musc_music_add_time_signature(m, 24, 6, 8);
    musc_music_add_annotation(m, 0, MUSC_ANN_CHORD, "C:maj");
    musc_music_add_annotation(m, 12, MUSC_ANN_CHORD, "A:min");
    static const int programs[] = {0, 33, 73};
    unsigned seed = 3;
    for (size_t p = 0; p < N(programs) + 1; p++) {
        int drum = p == N(programs);
        musc_track *t = musc_music_add_track(m, drum ? 0 : programs[p], drum, NULL);
        for (int i = 0; i < 40; i++) {
            seed = seed * 1103515245u + 12345u;
            int bin = (int)((seed >> 8) % 32);
            musc_track_add_note(t, (seed >> 12) % 200, 1 + (seed >> 3) % 64,
                                30 + (int)((seed >> 20) % 70), (2 * bin + 1) * 2);
        }
    }
    musc_music_sort(m);
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, &o, &tok, &n), MUSC_OK);
    musc_music *back;
    assert_int_equal(musc_remi_decode(tok, n, &o, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, m->n_tracks);
    for (size_t i = 0; i < m->n_tracks; i++) {
        assert_int_equal(back->tracks[i].program, m->tracks[i].program);
        assert_int_equal(back->tracks[i].is_drum, m->tracks[i].is_drum);
        const musc_track *t = &m->tracks[i];
        tnote *want = malloc(t->n_notes * sizeof *want);
        for (size_t j = 0; j < t->n_notes; j++)
            want[j] = (tnote){t->notes[j].time, t->notes[j].duration, t->notes[j].pitch,
                              t->notes[j].velocity};
        expect_notes(&back->tracks[i], want, t->n_notes);
        free(want);
    }
    assert_int_equal(back->n_tempos, 2);
    assert_int_equal(back->tempos[1].time, 30);
    assert_true(back->tempos[1].qpm == m->tempos[1].qpm);
    assert_int_equal(back->n_time_signatures, 2);
    assert_int_equal(back->time_signatures[1].time, 24);
    assert_int_equal(back->time_signatures[1].numerator, 6);
    assert_int_equal(back->time_signatures[1].denominator, 8);
    assert_int_equal(back->n_annotations, 2);
    assert_string_equal(back->annotations[1].text, "A:min");
    assert_int_equal(back->annotations[1].time, 12);
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void rescales_to_the_grid(void **state)
{
    (void)state;
    /* 480 ticks per quarter, 16th grid: 60 ticks is half a step (rounds up) */
    tnote in[] = {{59, 480, 60, 64}, {60, 10, 62, 64}, {7680, 100000, 64, 64}};
    musc_music *m = music_of(480, 5, 0, in, N(in));
    musc_remi_options o = musc_remi_options_default();
    o.use_programs = 0;
    o.program = 7;
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, &o, &tok, &n), MUSC_OK);
    musc_music *back;
    assert_int_equal(musc_remi_decode(tok, n, &o, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 1);
    assert_int_equal(back->tracks[0].program, 7);
    tnote want[] = {{0, 4, 60, 66}, {1, 1, 62, 66}, {64, 64, 64, 66}};
    expect_notes(&back->tracks[0], want, N(want));
    /* 64 steps = 4 bars of 4/4: bars 0..4 are opened */
    size_t bars = 0;
    for (size_t i = 0; i < n; i++)
        bars += tok[i] == 3;
    assert_int_equal(bars, 5);
    free(tok);
    musc_music_free(back);
    musc_music_free(m);
}

static void signature_changes_wait_for_the_barline(void **state)
{
    (void)state;
    tnote in[] = {{20, 1, 60, 64}};
    musc_music *m = music_of(4, 0, 0, in, N(in));
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_time_signature(m, 10, 3, 4); /* mid-bar: applies at step 16 */
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, NULL, &tok, &n), MUSC_OK);
    int32_t want[] = {3, 87, 3, 86, 8, 224, 413, 497, 513};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_music_add_time_signature(m, 30, 5, 32);
    assert_int_equal(musc_remi_encode(m, NULL, &tok, &n), MUSC_ERR_UNSUPPORTED);
    musc_remi_options o = musc_remi_options_default();
    o.use_time_signatures = 0; /* all bars 4/4 */
    assert_int_equal(musc_remi_encode(m, &o, &tok, &n), MUSC_OK);
    int32_t want44[] = {3, 3, 8, 224, 413, 497, 513};
    expect_tokens(tok, n, want44, N(want44));
    free(tok);
    musc_music_free(m);
}

static void chord_symbols(void **state)
{
    (void)state;
    static const char *texts[] = {"C", "Cmaj7", "Am", "A:min", "Bbdim", "F#+", "G7", "Ebm7b5",
                                  "H", "Csus4", "X"};
    static const int want[] = {0, 0, 46, 46, 52, 33, 39, 17}; /* root*5 + quality */
    musc_music *m = musc_music_new(4);
    for (size_t i = 0; i < N(texts); i++)
        musc_music_add_annotation(m, (int64_t)i * 4, MUSC_ANN_CHORD, texts[i]);
    musc_music_add_annotation(m, 0, MUSC_ANN_TEXT, "Am"); /* not a chord annotation */
    musc_remi_options o = musc_remi_options_default();
    o.use_chords = 1;
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, &o, &tok, &n), MUSC_OK);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tok[i] >= 164 && tok[i] < 224) {
            assert_true(k < N(want));
            assert_int_equal(tok[i] - 164, want[k]);
            k++;
        }
    assert_int_equal(k, N(want));
    free(tok);
    musc_music_free(m);
}

static void empty_music_and_bos_eos(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    int32_t *tok;
    size_t n;
    assert_int_equal(musc_remi_encode(m, NULL, &tok, &n), MUSC_OK);
    assert_int_equal(n, 0);
    free(tok);
    musc_remi_options o = musc_remi_options_default();
    o.use_bos_eos = 1;
    assert_int_equal(musc_remi_encode(m, &o, &tok, &n), MUSC_OK);
    int32_t want[] = {1, 2};
    expect_tokens(tok, n, want, N(want));
    free(tok);
    musc_music_free(m);
    /* decoding stops at EOS */
    int32_t seq[] = {1, 3, 4, 413, 497, 516, 2, 3, 4, 414, 516};
    musc_music *back;
    assert_int_equal(musc_remi_decode(seq, N(seq), NULL, &back), MUSC_OK);
    assert_int_equal(back->n_tracks, 1);
    assert_int_equal(back->tracks[0].n_notes, 1);
    musc_music_free(back);
}

static void junk_tokens_decode_to_valid_music(void **state)
{
    (void)state;
    unsigned seed = 11;
    for (int round = 0; round < 50; round++) {
        int32_t tok[300];
        for (size_t i = 0; i < N(tok); i++) {
            seed = seed * 1103515245u + 12345u;
            tok[i] = (int32_t)((seed >> 8) % 600) - 10;
        }
        musc_music *back;
        assert_int_equal(musc_remi_decode(tok, N(tok), NULL, &back), MUSC_OK);
        assert_int_equal(musc_music_validate(back), MUSC_OK);
        musc_music_free(back);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vocabulary_layout),
        cmocka_unit_test(exact_tokens_of_a_small_piece),
        cmocka_unit_test(round_trip_of_quantized_music),
        cmocka_unit_test(rescales_to_the_grid),
        cmocka_unit_test(signature_changes_wait_for_the_barline),
        cmocka_unit_test(chord_symbols),
        cmocka_unit_test(empty_music_and_bos_eos),
        cmocka_unit_test(junk_tokens_decode_to_valid_music),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
