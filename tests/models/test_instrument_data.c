/*
 * Instrumentation data: a constructed four-part score becomes a sorted,
 * labelled note stream with grid features and hints; tracks that are not
 * the ensemble are refused; mixtures; duration codes; the 8:1:1 split; and
 * (with ../shared/data) the Bach chorale counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instrument_test.h"
#include "test_support.h"

static void test_extract_sorts_by_onset_then_pitch_with_part_labels(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_music_add_time_signature(m, 0, 3, 4);
    const char *names[4] = {"Bass", "Tenor", "Alto", "Soprano"}; /* any track order */
    musc_track *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = musc_music_add_track(m, 0, 0, names[i]);
    /* bass enters at 0, others at beat 1; soprano crosses below alto once */
    musc_track_add_note(t[0], 0, 48, 48, 80);
    musc_track_add_note(t[1], 24, 24, 55, 80);
    musc_track_add_note(t[2], 24, 24, 64, 80);
    musc_track_add_note(t[3], 24, 12, 62, 80); /* below the alto */
    musc_track_add_note(t[3], 36, 12, 67, 80); /* half a beat later */
    musc_track_add_note(t[3], 80, 8, 69, 80);  /* bar 2 (72 = downbeat), beat 0, 8/24 */
    int16_t ch[2] = {50, 43};
    musc_track_add_chord(t[0], 72, 24, ch, 2, 80); /* a chord counts as notes */
    musc_instrument_piece p;
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &p), MUSC_OK);
    assert_int_equal(p.n_parts, 4);
    assert_int_equal(p.n_notes, 8);
    static const int times[8] = {0, 24, 24, 24, 36, 72, 72, 80};
    static const int pitches[8] = {48, 55, 62, 64, 67, 43, 50, 69};
    static const int labels[8] = {3, 2, 0, 1, 0, 3, 3, 0};
    static const int beats[8] = {0, 1, 1, 1, 1, 0, 0, 0};
    static const int positions[8] = {0, 0, 0, 0, 6, 0, 0, 4};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(p.notes[i].time, times[i]);
        assert_int_equal(p.notes[i].pitch, pitches[i]);
        assert_int_equal(p.notes[i].label, labels[i]);
        assert_int_equal(p.notes[i].beat, beats[i]);
        assert_int_equal(p.notes[i].position, positions[i]);
    }
    /* entry hints: bass at 0, the other three at 24 */
    assert_int_equal(p.notes[0].entry, 1 << 3);
    assert_int_equal(p.notes[1].entry, 7);
    assert_int_equal(p.notes[4].entry, 0);
    /* pitch hints: the parts' means */
    assert_float_equal(p.mean_pitch[0], (62 + 67 + 69) / 3.0, 1e-4);
    assert_float_equal(p.mean_pitch[3], (48 + 50 + 43) / 3.0, 1e-4);
    assert_int_equal(p.notes[0].duration_code, musc_instrument_duration_code(48, 24));
    musc_instrument_piece_clear(&p);
    musc_music_free(m);
}

static void test_tracks_that_are_not_the_ensemble_are_refused(void **state)
{
    (void)state;
    musc_music *m = make_satb(8, 1);
    musc_instrument_piece p;
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &p), MUSC_OK);
    musc_instrument_piece_clear(&p);
    /* the same tracks are not a quartet or POP909 */
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_QUARTET, &p), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "violin"));
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_POP909, &p), MUSC_ERR_NOTFOUND);
    /* a fifth part (a doubling instrument) drops the piece */
    musc_track *horn = musc_music_add_track(m, 60, 0, "Horn 2");
    musc_track_add_note(horn, 0, 24, 70, 80);
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &p), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "Soprano, Alto, Tenor, Bass"));
    musc_music_remove_track(m, 4);
    /* two sopranos and no alto */
    musc_set_string(&m->tracks[1].name, "Soprano 2");
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &p), MUSC_ERR_NOTFOUND);
    musc_music_free(m);

    /* quartet naming variants, in score order */
    m = musc_music_new(24);
    const char *q[4] = {"1st Violin", "Violin II.", "Viola", "Violoncello"};
    for (int i = 0; i < 4; i++)
        musc_track_add_note(musc_music_add_track(m, 40, 0, q[i]), 0, 24, 76 - 7 * i, 80);
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_QUARTET, &p), MUSC_OK);
    assert_int_equal(p.notes[0].label, 3); /* lowest pitch: the cello */
    musc_instrument_piece_clear(&p);
    musc_music_free(m);

    m = musc_music_new(480);
    const char *pop[3] = {"MELODY", "BRIDGE", "PIANO"};
    for (int i = 0; i < 3; i++)
        musc_track_add_note(musc_music_add_track(m, 0, 0, pop[i]), 0, 480, 72 - 12 * i, 80);
    assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_POP909, &p), MUSC_OK);
    assert_int_equal(p.n_parts, 3);
    assert_int_equal(p.notes[2].label, 0);
    musc_instrument_piece_clear(&p);
    musc_music_free(m);
}

static void test_mixture_merges_pitched_tracks_and_refuses_drums_only(void **state)
{
    (void)state;
    musc_music *m = make_satb(4, 2);
    musc_track *d = musc_music_add_track(m, 0, 1, "Drums");
    musc_track_add_note(d, 0, 6, 36, 100);
    musc_instrument_piece p;
    assert_int_equal(musc_instrument_mixture(m, &p), MUSC_OK);
    assert_int_equal(p.n_notes, 16); /* the drum note is left out */
    assert_int_equal(p.n_parts, 0);
    for (size_t i = 0; i < p.n_notes; i++)
        assert_int_equal(p.notes[i].label, -1);
    for (size_t i = 1; i < p.n_notes; i++)
        assert_true(p.notes[i - 1].time < p.notes[i].time ||
                    (p.notes[i - 1].time == p.notes[i].time &&
                     p.notes[i - 1].pitch <= p.notes[i].pitch));
    musc_instrument_piece_clear(&p);
    for (int i = 0; i < 4; i++)
        musc_music_remove_track(m, 0);
    assert_int_equal(musc_instrument_mixture(m, &p), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "drum"));
    musc_music_remove_track(m, 0);
    assert_int_equal(musc_instrument_mixture(m, &p), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "no notes"));
    musc_music_free(m);
}

static void test_duration_codes_are_monotonic_and_bounded(void **state)
{
    (void)state;
    assert_int_equal(musc_instrument_duration_code(0, 24), 0);
    assert_int_equal(musc_instrument_duration_code(24, 24), 12);   /* a quarter */
    assert_int_equal(musc_instrument_duration_code(8, 24), 4);     /* a triplet eighth */
    assert_int_equal(musc_instrument_duration_code(480, 480), 12); /* any resolution */
    assert_int_equal(musc_instrument_duration_code(96, 24), 24 + 8); /* a whole: 2 doublings */
    int prev = 0;
    for (int d = 0; d < 24 * 400; d += 3) {
        int c = musc_instrument_duration_code(d, 24);
        assert_true(c >= prev && c < MUSC_INSTR_DURATIONS);
        prev = c;
    }
    assert_int_equal(prev, MUSC_INSTR_DURATIONS - 1);
}

static void test_split_is_deterministic_and_near_8_1_1(void **state)
{
    (void)state;
    int count[3] = {0};
    char path[64];
    for (int i = 1; i <= 2000; i++) {
        snprintf(path, sizeof path, "POP909/%03d/%03d.mid", i, i); /* same ending every time */
        int s = musc_instrument_split_of(path);
        assert_int_equal(s, musc_instrument_split_of(path));
        count[s]++;
    }
    printf("split of 2000 paths: %d %d %d\n", count[0], count[1], count[2]);
    assert_true(count[0] > 1500 && count[0] < 1700);
    assert_true(count[1] > 140 && count[1] < 260);
    assert_true(count[2] > 140 && count[2] < 260);
}

static void test_transpose_folds_into_range(void **state)
{
    (void)state;
    musc_instrument_note notes[2] = {{0, 1, 126, 0, 0, 0, 0, 0}, {0, 1, 3, 0, 0, 0, 0, 1}};
    musc_instrument_piece p = {NULL, 24, 2, {60, 70, 0, 0}, notes, 2};
    musc_instrument_piece_transpose(&p, 5);
    assert_int_equal(notes[0].pitch, 119);
    assert_int_equal(notes[1].pitch, 8);
    musc_instrument_piece_transpose(&p, -10);
    assert_int_equal(notes[1].pitch, 10);
    assert_float_equal(p.mean_pitch[1], 65, 1e-6);
}

static void test_bach_corpus_counts(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        skip();
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/music21_corpus/bach", data);
    musc_instrument_set all;
    assert_int_equal(musc_instrument_load(dir, MUSC_INSTR_BACH, -1, &all), MUSC_OK);
    printf("bach: %zu files, %zu SATB pieces, %zu dropped, %zu unreadable\n", all.n_files,
           all.n_pieces, all.n_dropped, all.n_failed);
    assert_int_equal(all.n_files, all.n_pieces + all.n_dropped + all.n_failed);
    assert_true(all.n_pieces > 300);
    assert_true(all.n_dropped > 10); /* chorales with instruments doubling the voices */
    size_t sizes[3] = {0};
    for (size_t i = 0; i < all.n_pieces; i++) {
        assert_int_equal(all.pieces[i].n_parts, 4);
        assert_true(strncmp(all.pieces[i].name, "bach/", 5) == 0);
        sizes[musc_instrument_split_of(all.pieces[i].name)]++;
    }
    musc_instrument_set test;
    assert_int_equal(musc_instrument_load(dir, MUSC_INSTR_BACH, 2, &test), MUSC_OK);
    assert_int_equal(test.n_pieces, sizes[2]);
    musc_instrument_set_free(&test);
    musc_instrument_set_free(&all);
    /* a folder without the ensemble */
    assert_int_equal(musc_instrument_load(dir, MUSC_INSTR_QUARTET, -1, &all), MUSC_ERR_NOTFOUND);
    assert_int_equal(musc_instrument_load("/nonexistent-folder", MUSC_INSTR_BACH, -1, &all),
                     MUSC_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_sorts_by_onset_then_pitch_with_part_labels),
        cmocka_unit_test(test_tracks_that_are_not_the_ensemble_are_refused),
        cmocka_unit_test(test_mixture_merges_pitched_tracks_and_refuses_drums_only),
        cmocka_unit_test(test_duration_codes_are_monotonic_and_bounded),
        cmocka_unit_test(test_split_is_deterministic_and_near_8_1_1),
        cmocka_unit_test(test_transpose_folds_into_range),
        cmocka_unit_test(test_bach_corpus_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
