/*
 * Loudness: EBU R128 measurement on signals of known loudness, and
 * normalization to a target with true-peak limiting, applied alike to stems.
 */
#include "test_support.h"
#include "audio_analysis.h"
#include "musc/musc.h"

#include <stdio.h>
#include <unistd.h>

static musc_audio sine(double seconds, double freq, double amp, int sr)
{
    musc_audio a = {0};
    a.n_frames = (size_t)(seconds * sr);
    a.channels = 2;
    a.sample_rate = sr;
    a.samples = malloc(a.n_frames * 2 * sizeof *a.samples);
    assert_non_null(a.samples);
    for (size_t i = 0; i < a.n_frames; i++)
        a.samples[2 * i] = a.samples[2 * i + 1] = (float)(amp * sin(2 * M_PI * freq * i / sr));
    return a;
}

static void sine_measures_as_expected(void **state)
{
    (void)state;
    /* a 997 Hz stereo sine of amplitude 0.1: -20 dBFS per channel, and the
     * two channels add +3 dB to the -3 dB a single channel reads */
    musc_audio a = sine(3, 997, 0.1, 48000);
    musc_loudness l;
    assert_int_equal(musc_audio_loudness(&a, MUSC_LOUDNESS_TRUE_PEAK, &l), MUSC_OK);
    printf("sine: %.2f LUFS, true peak %.2f dBTP\n", l.integrated, l.true_peak);
    assert_true(fabs(l.integrated - -20.0) < 0.1);
    assert_true(fabs(l.true_peak - -20.0) < 0.2);
    musc_audio_clear(&a);
}

static void normalize_reaches_target(void **state)
{
    (void)state;
    const double targets[] = {-14, -23, -9};
    for (size_t k = 0; k < 3; k++) {
        musc_audio a = sine(3, 440, 0.02, 44100);
        musc_normalize_report r;
        assert_int_equal(musc_audio_normalize(&a, targets[k], -1.0, NULL, 0, &r), MUSC_OK);
        printf("target %.1f: before %.2f, after %.2f LUFS, gain %.2f dB, limiter %.2f dB, "
               "peak %.2f dBTP\n", targets[k], r.before.integrated, r.after.integrated, r.gain_db,
               r.limiter_db, r.after.true_peak);
        assert_true(fabs(r.after.integrated - targets[k]) <= 0.5);
        assert_true(r.after.true_peak <= -1.0 + 0.05);
        musc_audio_clear(&a);
    }
}

static void limiter_holds_true_peak_under_ceiling(void **state)
{
    (void)state;
    /* quiet tone plus loud clicks: reaching -14 LUFS forces the clicks far
     * over the ceiling */
    musc_audio a = sine(4, 220, 0.05, 44100);
    for (size_t i = 4410; i < a.n_frames; i += 11025)
        for (size_t k = 0; k < 20; k++)
            a.samples[2 * (i + k)] = a.samples[2 * (i + k) + 1] = k % 2 ? -0.9f : 0.9f;
    musc_normalize_report r;
    assert_int_equal(musc_audio_normalize(&a, -14, -1.0, NULL, 0, &r), MUSC_OK);
    printf("clicks: before %.2f LUFS / %.2f dBTP; after %.2f LUFS / %.2f dBTP; limiter %.1f dB\n",
           r.before.integrated, r.before.true_peak, r.after.integrated, r.after.true_peak,
           r.limiter_db);
    assert_true(r.limiter_db < -3);
    assert_true(r.after.true_peak <= -1.0 + 0.1);
    assert_true(fabs(r.after.integrated - -14) <= 0.5);
    musc_audio_clear(&a);
}

static void normalized_stems_still_sum_to_mix(void **state)
{
    (void)state;
    if (access(TIMGM6MB, R_OK) != 0) {
        printf("SKIP: needs %s\n", TIMGM6MB);
        skip();
    }
    musc_music *m = musc_music_new(480);
    musc_track *p = musc_music_add_track(m, 0, 0, "piano");
    musc_track *d = musc_music_add_track(m, 0, 1, "drums");
    for (int i = 0; i < 8; i++) {
        assert_int_equal(musc_track_add_note(p, i * 240, 200, 60 + i, 110), MUSC_OK);
        assert_int_equal(musc_track_add_note(d, i * 240, 100, 36 + (i % 2) * 2, 127), MUSC_OK);
    }
    musc_render_options o = musc_render_options_default();
    o.soundfont = TIMGM6MB;
    o.max_tail = 1;
    musc_audio stems[2], mix;
    assert_int_equal(musc_render_stems(m, &o, stems, &mix, NULL), MUSC_OK);
    musc_normalize_report r;
    assert_int_equal(musc_audio_normalize(&mix, -14, -1, stems, 2, &r), MUSC_OK);
    printf("band: %.2f -> %.2f LUFS, limiter %.2f dB\n", r.before.integrated, r.after.integrated,
           r.limiter_db);
    assert_true(fabs(r.after.integrated - -14) <= 0.5);
    double worst = 0;
    for (size_t i = 0; i < 2 * mix.n_frames; i++)
        worst = fmax(worst, fabs((double)stems[0].samples[i] + stems[1].samples[i] - mix.samples[i]));
    assert_true(worst < 1e-5);
    musc_audio_clear(&stems[0]);
    musc_audio_clear(&stems[1]);
    musc_audio_clear(&mix);
    musc_music_free(m);
}

static void silent_audio_cannot_be_normalized(void **state)
{
    (void)state;
    musc_audio a = sine(2, 440, 0, 44100);
    assert_int_equal(musc_audio_normalize(&a, -14, -1, NULL, 0, NULL), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "silent"));
    musc_audio b = sine(1, 440, 0.1, 44100);
    assert_int_equal(musc_audio_normalize(&a, -14, -1, &b, 1, NULL), MUSC_ERR_ARG);
    assert_int_equal(musc_audio_normalize(&b, 5, -1, NULL, 0, NULL), MUSC_ERR_ARG);
    musc_audio_clear(&a);
    musc_audio_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sine_measures_as_expected),
        cmocka_unit_test(normalize_reaches_target),
        cmocka_unit_test(limiter_holds_true_peak_under_ceiling),
        cmocka_unit_test(normalized_stems_still_sum_to_mix),
        cmocka_unit_test(silent_audio_cannot_be_normalized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
