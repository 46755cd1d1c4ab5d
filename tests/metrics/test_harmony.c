/*
 * Harmony metrics (Yeh et al. 2021) on a two-frame example worked out by
 * hand, the triad vocabulary (parsing every spelling the three corpora
 * use), and the edge cases: no-chord frames, no notes, bad input.
 */
#include <math.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

#define EPS 1e-9
#define C_MAJ (0 * 4 + MUSC_TRIAD_MAJOR)
#define G_MAJ (7 * 4 + MUSC_TRIAD_MAJOR)
#define A_MIN (9 * 4 + MUSC_TRIAD_MINOR)

/* Resolution 4 (a 16th note is one tick); frames [0,8) C and [8,16) G;
 * human chords C, Am.
 *   n1 0-4 C4   under C: chord tone
 *   n2 4-6 D4   under C: non-chord tone; next E4 is 2 semitones away and a
 *               chord tone of C: proper
 *   n3 6-10 E4  cut at 8: under C a chord tone; under G a non-chord tone
 *               whose next note F#4 is not in G: not proper
 *   n4 10-12 F#4 under G: non-chord; next G4 is 1 semitone away, in G: proper
 *   n5 12-16 G4 under G: chord tone */
static const musc_note MELODY[] = {
    {0, 4, 60, 64}, {4, 2, 62, 64}, {6, 4, 64, 64}, {10, 2, 66, 64}, {12, 4, 67, 64}};
static const int64_t FRAMES[] = {0, 8, 16};
static const int CHORDS[] = {C_MAJ, G_MAJ};
static const int HUMAN[] = {C_MAJ, A_MIN};

static musc_harmony_input example(void)
{
    return (musc_harmony_input){MELODY, 5, FRAMES, 2, CHORDS, HUMAN, 4};
}

static void metrics_of_the_worked_example(void **state)
{
    (void)state;
    musc_harmony_input in = example();
    musc_harmony_metrics r;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_OK);
    assert_float_equal(r.che, log(2.0), EPS); /* two classes, half each */
    assert_float_equal(r.cc, 2, EPS);
    /* |centroid(C E G) - centroid(G B D)| from Harte's formula */
    assert_float_equal(r.ctd, 1.2133516482134197, 1e-12);
    /* chord tones n1, n3a, n5; non-chord n2, n3b, n4 of which n2, n4 proper */
    assert_float_equal(r.ctnctr, 5.0 / 6.0, EPS);
    /* per 16th step, sum over the three chord notes of the interval score:
     * C4/C: +1 +1 0 (x4 steps); D4/C: -1 -1 +1 (x2); E4/C: +1 +1 +1 (x2);
     * E4/G: +1 0 -1 (x2); F#4/G: -1 +1 +1 (x2); G4/G: +1 +1 0 (x4)
     * = 8 - 2 + 6 + 0 + 2 + 8 = 22 over 16 steps x 3 notes */
    assert_float_equal(r.pcs, 22.0 / 48.0, EPS);
    /* duration-weighted note-to-chord centroid distances:
     * (4 d(C,C) + 2 d(D,C) + 2 d(E,C) + 2 d(E,G) + 2 d(F#,G) + 4 d(G,G)) / 16
     * with d(C,C)=d(G,G)=1.02934166581592, d(D,C)=1.90863238951822,
     * d(E,C)=1.17766486496555, d(E,G)=1.74915530041923, d(F#,G)=1.79449933616807 */
    double mctd = (4 * 1.0293416658159198 + 2 * 1.9086323895182191 + 2 * 1.177664864965547 +
                   2 * 1.7491553004192324 + 2 * 1.7944993361680723 + 4 * 1.0293416658159205) /
                  16;
    assert_float_equal(r.mctd, mctd, 1e-12);
    assert_float_equal(r.accuracy, 0.5, EPS);
}

static void tonal_centroid_of_one_pitch_class_has_radius_one_and_a_half(void **state)
{
    (void)state;
    for (int k = 0; k < 12; k++) {
        double chroma[12] = {0}, c[6];
        chroma[k] = 3; /* normalised away */
        assert_int_equal(musc_tonal_centroid(chroma, c), 1);
        double n2 = 0;
        for (int i = 0; i < 6; i++)
            n2 += c[i] * c[i];
        assert_float_equal(n2, 1 + 1 + 0.25, EPS);
    }
    double empty[12] = {0}, c[6];
    assert_int_equal(musc_tonal_centroid(empty, c), 0);
    for (int i = 0; i < 6; i++)
        assert_float_equal(c[i], 0, 0);
    /* C and its fifth G sit 7/6 pi apart on the fifths circle... every
     * component: C = (0, 1, 0, 1, 0, 0.5) */
    double cpc[12] = {1};
    musc_tonal_centroid(cpc, c);
    assert_float_equal(c[0], 0, EPS);
    assert_float_equal(c[1], 1, EPS);
    assert_float_equal(c[3], 1, EPS);
    assert_float_equal(c[5], 0.5, EPS);
}

static void no_chord_frames_are_skipped_by_the_fit_metrics(void **state)
{
    (void)state;
    static const int chords[] = {MUSC_TRIAD_NONE, G_MAJ};
    musc_harmony_input in = example();
    in.chords = chords;
    musc_harmony_metrics r;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_OK);
    assert_float_equal(r.cc, 2, EPS);          /* no-chord is a class */
    assert_true(isnan(r.ctd));                 /* the only pair has a no-chord */
    /* under G only: n3b non-chord (not proper), n4 proper, n5 chord tone */
    assert_float_equal(r.ctnctr, 2.0 / 3.0, EPS);
    /* steps 8-15 only: 0 + 2 + 8 over 8 x 3 */
    assert_float_equal(r.pcs, 10.0 / 24.0, EPS);
    assert_float_equal(r.accuracy, 0, EPS);
}

static void no_melody_gives_nan_fit_metrics(void **state)
{
    (void)state;
    musc_harmony_input in = example();
    in.n_notes = 0;
    in.reference = NULL;
    musc_harmony_metrics r;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_OK);
    assert_float_equal(r.che, log(2.0), EPS);
    assert_true(isnan(r.ctnctr));
    assert_true(isnan(r.pcs));
    assert_true(isnan(r.mctd));
    assert_true(isnan(r.accuracy));
}

static void bad_input_is_refused(void **state)
{
    (void)state;
    musc_harmony_metrics r;
    musc_harmony_input in = example();
    static const int64_t reversed[] = {0, 8, 8};
    in.frames = reversed;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "frame 1"));
    in = example();
    static const int bad[] = {0, 49};
    in.chords = bad;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_ERR_ARG);
    in = example();
    in.resolution = 0;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_ERR_ARG);
    assert_int_equal(musc_harmony_metrics_compute(NULL, &r), MUSC_ERR_ARG);
    /* hostile pitches and a huge span do not crash */
    static const musc_note odd[] = {{0, 4, -5, 64}, {2, 1, 32767, 0}};
    static const int64_t huge[] = {0, (int64_t)1 << 40};
    in = example();
    in.melody = odd;
    in.n_notes = 2;
    in.frames = huge;
    in.n_frames = 1;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_ERR_RANGE);
    in.frames = FRAMES;
    assert_int_equal(musc_harmony_metrics_compute(&in, &r), MUSC_OK);
}

static void chord_symbols_reduce_to_triads(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int cls;
    } cases[] = {
        {"C", 0},           {"Am", 37},        {"Am7", 37},         {"G7", 28},
        {"Bbmaj7", 40},     {"F#m7b5/C#", 26}, {"Edim", 18},        {"Edim7", 18},
        {"G+", 31},         {"Caug7", 3},      {"Dsus4", 8},        {"D5", 8},
        {"C#:maj", 4},      {"B:min7", 45},    {"A:hdim7", 38},     {"G:7/b7", 28},
        {"Eb:sus4(b7)", 12}, {"F:min/b3", 21}, {"F:minmaj7", 21},   {"Cm(maj7)", 1},
        {"Bo", 46},         {"B\xc3\xb8" "7", 46}, {"Cb", 44},       {"B#m", 1},
        {"E\xe2\x99\xad", 12}, {"N", 48},      {"N.C.", 48},        {"NC", 48},
        {"C-7", 1},         {"Dmin", 9},       {"DM7", 8},          {"Ebm6", 13},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int got = musc_triad_parse(cases[i].text);
        if (got != cases[i].cls)
            fail_msg("'%s': got %d, expected %d", cases[i].text, got, cases[i].cls);
    }
    assert_int_equal(musc_triad_parse("H7"), -1);
    assert_int_equal(musc_triad_parse(""), -1);
    assert_int_equal(musc_triad_parse(NULL), -1);
    char buf[8];
    assert_string_equal(musc_triad_name(37, buf), "Am");
    assert_string_equal(musc_triad_name(42, buf), "Bbdim");
    assert_string_equal(musc_triad_name(35, buf), "Abaug");
    assert_string_equal(musc_triad_name(48, buf), "N.C.");
    /* every name parses back to its class */
    for (int c = 0; c < MUSC_TRIAD_COUNT; c++)
        assert_int_equal(musc_triad_parse(musc_triad_name(c, buf)), c);
    int pcs[3];
    assert_int_equal(musc_triad_pitch_classes(A_MIN, pcs), 3);
    assert_int_equal(pcs[0], 9);
    assert_int_equal(pcs[1], 0);
    assert_int_equal(pcs[2], 4);
    assert_int_equal(musc_triad_pitch_classes(MUSC_TRIAD_NONE, pcs), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metrics_of_the_worked_example),
        cmocka_unit_test(tonal_centroid_of_one_pitch_class_has_radius_one_and_a_half),
        cmocka_unit_test(no_chord_frames_are_skipped_by_the_fit_metrics),
        cmocka_unit_test(no_melody_gives_nan_fit_metrics),
        cmocka_unit_test(bad_input_is_refused),
        cmocka_unit_test(chord_symbols_reduce_to_triads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
