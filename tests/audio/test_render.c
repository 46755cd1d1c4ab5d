/*
 * Rendering scores to audio through FluidSynth: timing against the tempo map,
 * onsets heard where the score puts them, drums on channel 10, stems that sum
 * to the mix, more tracks than MIDI channels, controls, and clear errors.
 * Uses the small TimGM6mb SoundFont; skips visibly when it is not installed.
 */
#include "test_support.h"
#include "audio_analysis.h"
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int have_soundfont(void)
{
    if (access(TIMGM6MB, R_OK) == 0)
        return 1;
    printf("SKIP: needs %s (apt-get install timgm6mb-soundfont)\n", TIMGM6MB);
    return 0;
}

static musc_render_options test_options(void)
{
    musc_render_options o = musc_render_options_default();
    o.soundfont = TIMGM6MB;
    o.max_tail = 2.0;
    return o;
}

#define RES 480
/* Onsets in ticks of the melody; the tempo drops from 120 to 90 qpm at tick
 * 4*RES, so the second half runs on a different seconds-per-tick. */
static const int64_t melody_ticks[] = {RES / 2, RES, 2 * RES, 3 * RES, 4 * RES, 5 * RES,
                                       6 * RES, 6 * RES + RES / 2};
static const int melody_pitches[] = {60, 64, 67, 72, 71, 67, 62, 60};
#define N_MELODY (sizeof melody_ticks / sizeof *melody_ticks)

static musc_music *melody_score(int program, int is_drum)
{
    musc_music *m = musc_music_new(RES);
    assert_non_null(m);
    assert_int_equal(musc_music_add_tempo(m, 0, 120), MUSC_OK);
    assert_int_equal(musc_music_add_tempo(m, 4 * RES, 90), MUSC_OK);
    musc_track *t = musc_music_add_track(m, program, is_drum, "melody");
    assert_non_null(t);
    for (size_t i = 0; i < N_MELODY; i++) {
        int pitch = is_drum ? (i % 2 ? 38 : 36) : melody_pitches[i];
        assert_int_equal(musc_track_add_note(t, melody_ticks[i], RES / 3, pitch, 100), MUSC_OK);
    }
    return m;
}

/* Piano, bass and drums: three tracks, a pedal and a bend. */
static musc_music *band_score(void)
{
    musc_music *m = musc_music_new(RES);
    assert_non_null(m);
    assert_int_equal(musc_music_add_tempo(m, 0, 132), MUSC_OK);
    musc_track *piano = musc_music_add_track(m, 0, 0, "piano");
    for (int i = 0; i < 8; i++) {
        int16_t chord[3] = {60, 64, 67};
        for (int k = 0; k < 3; k++)
            assert_int_equal(musc_track_add_note(piano, i * RES, RES / 2, chord[k] + (i % 4) * 2, 80),
                             MUSC_OK);
    }
    assert_int_equal(musc_track_add_control(piano, 0, 64, 127), MUSC_OK);
    assert_int_equal(musc_track_add_control(piano, 4 * RES, 64, 0), MUSC_OK);
    musc_track *bass = musc_music_add_track(m, 33, 0, "bass");
    for (int i = 0; i < 4; i++)
        assert_int_equal(musc_track_add_note(bass, i * 2 * RES, 2 * RES - 10, 36 + i * 2, 100),
                         MUSC_OK);
    assert_int_equal(musc_track_add_pitch_bend(bass, 3 * RES, 4096), MUSC_OK);
    assert_int_equal(musc_track_add_pitch_bend(bass, 4 * RES, 0), MUSC_OK);
    musc_track *drums = musc_music_add_track(m, 0, 1, "drums");
    for (int i = 0; i < 16; i++)
        assert_int_equal(musc_track_add_note(drums, i * RES / 2, RES / 4, i % 4 == 2 ? 38 : 42 - (i % 2) * 6,
                                             90), MUSC_OK);
    return m;
}

static void duration_follows_tempo_map(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    musc_audio a;
    musc_render_info info;
    assert_int_equal(musc_render(m, &o, &a, &info), MUSC_OK);
    /* last note ends at 6.5*RES + RES/3: 4 beats at 120 + 2.5+1/3 at 90 */
    double expect = 4 * 0.5 + (2.5 + 1.0 / 3) * (60.0 / 90);
    assert_true(fabs(info.score_seconds - expect) < 1.0 / 44100 + 1e-9);
    assert_int_equal(info.score_frames, (size_t)llround(expect * 44100));
    assert_int_equal(a.channels, 2);
    assert_int_equal(a.sample_rate, 44100);
    assert_true(a.n_frames >= info.score_frames);
    assert_true(a.n_frames <= info.score_frames + (size_t)(o.max_tail * 44100) + 64);
    assert_int_equal(a.n_frames, info.score_frames + info.tail_frames);
    assert_int_equal(info.n_notes, N_MELODY);
    assert_int_equal(info.n_synths, 1);
    /* not silent, and the tail ends quiet */
    assert_true(audio_rms(&a, 0, info.score_frames) > 0.002);
    assert_true(audio_peak(&a, a.n_frames - 2205, a.n_frames) < 1e-3);
    musc_audio_clear(&a);
    musc_music_free(m);
}

static void many_tempo_changes_follow_the_map(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    /* an accelerando in 200 steps, notes between and on the changes */
    musc_music *m = musc_music_new(RES);
    for (int i = 0; i < 200; i++)
        assert_int_equal(musc_music_add_tempo(m, i * RES / 16, 60 + i), MUSC_OK);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    for (int i = 0; i < 10; i++)
        assert_int_equal(musc_track_add_note(t, i * RES + RES / 2 + (i % 3) * 7, RES / 2, 60 + i, 90),
                         MUSC_OK);
    musc_render_options o = test_options();
    musc_audio a;
    musc_render_info info;
    assert_int_equal(musc_render(m, &o, &a, &info), MUSC_OK);
    int64_t end = 10 * RES; /* the last note starts at 9.5 beats */
    assert_int_equal(info.score_frames,
                     (size_t)llround(musc_music_ticks_to_seconds(m, end) * 44100));
    /* and the notes sound where the map puts them */
    double found[32];
    size_t n = audio_onsets(&a, 0.2, found, 32);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(found[i] - musc_music_ticks_to_seconds(m, t->notes[i].time)) <= 0.015);
    o.start = 3 * RES;
    musc_audio_clear(&a);
    assert_int_equal(musc_render(m, &o, &a, &info), MUSC_OK);
    double expect = musc_music_ticks_to_seconds(m, end) - musc_music_ticks_to_seconds(m, 3 * RES);
    assert_int_equal(info.score_frames, (size_t)llround(expect * 44100));
    musc_audio_clear(&a);
    musc_music_free(m);
}

static void onsets_heard_within_15ms_of_score(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    o.reverb = 0;
    musc_audio a;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_OK);
    double found[64];
    size_t n = audio_onsets(&a, 0.2, found, 64);
    for (size_t i = 0; i < n; i++)
        printf("heard onset at %.4f s\n", found[i]);
    assert_int_equal(n, N_MELODY);
    double worst = 0;
    for (size_t i = 0; i < N_MELODY; i++) {
        double t = musc_music_ticks_to_seconds(m, melody_ticks[i]);
        double err = fabs(found[i] - t);
        worst = err > worst ? err : worst;
        printf("onset %zu: score %.4f s, heard %.4f s, error %.1f ms\n", i, t, found[i], err * 1000);
    }
    assert_true(worst <= 0.015);
    musc_audio_clear(&a);
    musc_music_free(m);
}

static void drum_track_sounds_on_channel_10(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *drums = melody_score(0, 1), *piano = melody_score(0, 0);
    /* the same drum pitches played as piano notes */
    for (size_t i = 0; i < piano->tracks[0].n_notes; i++)
        piano->tracks[0].notes[i].pitch = drums->tracks[0].notes[i].pitch;
    musc_render_options o = test_options();
    musc_audio a, b;
    assert_int_equal(musc_render(drums, &o, &a, NULL), MUSC_OK);
    assert_int_equal(musc_render(piano, &o, &b, NULL), MUSC_OK);
    assert_true(audio_rms(&a, 0, a.n_frames) > 0.002);
    /* the difference is as loud as the signals: different instruments */
    size_t n = a.n_frames < b.n_frames ? a.n_frames : b.n_frames;
    double d = 0, e = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        d += (a.samples[i] - b.samples[i]) * (double)(a.samples[i] - b.samples[i]);
        e += (double)a.samples[i] * a.samples[i];
    }
    assert_true(d > 0.5 * e);
    /* and the drum onsets are where the score has them */
    double found[64];
    size_t k = audio_onsets(&a, 0.2, found, 64);
    assert_int_equal(k, N_MELODY);
    for (size_t i = 0; i < k; i++)
        assert_true(fabs(found[i] - musc_music_ticks_to_seconds(drums, melody_ticks[i])) <= 0.015);
    musc_audio_clear(&a);
    musc_audio_clear(&b);
    musc_music_free(drums);
    musc_music_free(piano);
}

static void stems_sum_to_the_mix(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = band_score();
    musc_render_options o = test_options();
    o.threads = 2;
    musc_audio stems[3], mix, single;
    musc_render_info info;
    assert_int_equal(musc_render_stems(m, &o, stems, &mix, &info), MUSC_OK);
    assert_int_equal(info.n_synths, 3);
    for (int s = 0; s < 3; s++) {
        assert_int_equal(stems[s].n_frames, mix.n_frames);
        assert_true(audio_rms(&stems[s], 0, stems[s].n_frames) > 0.001);
    }
    double worst = 0;
    for (size_t i = 0; i < 2 * mix.n_frames; i++) {
        double sum = (double)stems[0].samples[i] + stems[1].samples[i] + stems[2].samples[i];
        worst = fmax(worst, fabs(sum - mix.samples[i]));
    }
    assert_true(worst < 1e-6);
    /* One synth with all tracks on their own channels sounds the same, up
     * to FluidSynth reusing voice state between notes (it does not reset
     * every voice's filter and amplitude ramp, so a note's first
     * milliseconds depend on what that voice played before). */
    o.threads = 1;
    assert_int_equal(musc_render(m, &o, &single, &info), MUSC_OK);
    assert_int_equal(info.n_synths, 1);
    size_t n = single.n_frames < mix.n_frames ? single.n_frames : mix.n_frames;
    double d2 = 0, e2 = 0;
    worst = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        double d = (double)single.samples[i] - mix.samples[i];
        worst = fmax(worst, fabs(d));
        d2 += d * d;
        e2 += (double)mix.samples[i] * mix.samples[i];
    }
    printf("single pass vs sum of stems: max difference %.3g (peak %.3g), difference "
           "%.1f dB below the mix\n", worst, audio_peak(&mix, 0, mix.n_frames),
           10 * log10(e2 / d2));
    assert_true(10 * log10(e2 / d2) > 30);
    assert_true(audio_peak(&single, n, single.n_frames) < 1e-3);
    assert_true(audio_peak(&mix, n, mix.n_frames) < 1e-3);
    for (int s = 0; s < 3; s++)
        musc_audio_clear(&stems[s]);
    musc_audio_clear(&mix);
    musc_audio_clear(&single);
    musc_music_free(m);
}

static void more_tracks_than_midi_channels(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    /* 300 one-note tracks, every 10th a drum: needs two 256-channel synths */
    musc_music *m = musc_music_new(RES);
    for (int i = 0; i < 300; i++) {
        musc_track *t = musc_music_add_track(m, i % 128, i % 10 == 9, NULL);
        assert_non_null(t);
        assert_int_equal(musc_track_add_note(t, (i % 30) * RES / 8, RES / 8, i % 10 == 9 ? 38 : 40 + i % 40,
                                             20), MUSC_OK);
    }
    musc_render_options o = test_options();
    o.threads = 1;
    musc_audio a, b;
    musc_render_info info;
    assert_int_equal(musc_render(m, &o, &a, &info), MUSC_OK);
    assert_int_equal(info.n_synths, 2);
    assert_int_equal(info.n_notes, 300);
    assert_true(audio_rms(&a, 0, a.n_frames) > 0.002);
    /* three threads: three synths, the same music */
    o.threads = 3;
    assert_int_equal(musc_render(m, &o, &b, &info), MUSC_OK);
    assert_int_equal(info.n_synths, 3);
    double d2 = 0, e2 = 0;
    for (size_t i = 0; i < 2 * a.n_frames && i < 2 * b.n_frames; i++) {
        d2 += (a.samples[i] - b.samples[i]) * (double)(a.samples[i] - b.samples[i]);
        e2 += (double)a.samples[i] * a.samples[i];
    }
    assert_true(10 * log10(e2 / d2) > 30);
    musc_audio_clear(&a);
    musc_audio_clear(&b);
    musc_music_free(m);
}

static void sustain_pedal_holds_notes(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = musc_music_new(RES);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    assert_int_equal(musc_track_add_note(t, 0, RES / 4, 60, 100), MUSC_OK);
    assert_int_equal(musc_track_add_note(t, 4 * RES, RES / 4, 72, 1), MUSC_OK);
    musc_render_options o = test_options();
    o.reverb = 0;
    musc_audio dry, held;
    assert_int_equal(musc_render(m, &o, &dry, NULL), MUSC_OK);
    assert_int_equal(musc_track_add_control(&m->tracks[0], 0, 64, 127), MUSC_OK);
    assert_int_equal(musc_track_add_control(&m->tracks[0], 3 * RES, 64, 0), MUSC_OK);
    assert_int_equal(musc_render(m, &o, &held, NULL), MUSC_OK);
    /* at 1 s (2 beats) the pedalled note still sounds, the dry one has gone */
    size_t at = 44100;
    double r_dry = audio_rms(&dry, at, at + 4410), r_held = audio_rms(&held, at, at + 4410);
    printf("rms at 1 s: dry %.2g, with pedal %.2g\n", r_dry, r_held);
    assert_true(r_held > 10 * r_dry);
    musc_audio_clear(&dry);
    musc_audio_clear(&held);
    musc_music_free(m);
}

static void pitch_bend_changes_the_sound(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = musc_music_new(RES);
    musc_track *t = musc_music_add_track(m, 73, 0, "flute");
    assert_int_equal(musc_track_add_note(t, 0, 2 * RES, 69, 100), MUSC_OK);
    musc_render_options o = test_options();
    o.reverb = 0;
    musc_audio a, b;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_OK);
    assert_int_equal(musc_track_add_pitch_bend(&m->tracks[0], RES, 8191), MUSC_OK);
    assert_int_equal(musc_render(m, &o, &b, NULL), MUSC_OK);
    /* identical before the bend, different after it */
    size_t beat = 22050;
    double d0 = 0, d1 = 0;
    for (size_t i = 0; i < 2 * (beat - 64); i++)
        d0 = fmax(d0, fabs(a.samples[i] - b.samples[i]));
    for (size_t i = 2 * (beat + 512); i < 2 * (2 * beat); i++)
        d1 = fmax(d1, fabs(a.samples[i] - b.samples[i]));
    assert_true(d0 == 0);
    assert_true(d1 > 0.01);
    musc_audio_clear(&a);
    musc_audio_clear(&b);
    musc_music_free(m);
}

static void start_and_end_select_a_window(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    o.start = 2 * RES;
    o.end = 4 * RES;
    musc_audio a;
    musc_render_info info;
    assert_int_equal(musc_render(m, &o, &a, &info), MUSC_OK);
    assert_int_equal(info.score_frames, 44100); /* two beats at 120 qpm */
    assert_int_equal(info.n_notes, 2);
    musc_audio_clear(&a);
    o.start = 7 * RES;
    o.end = 8 * RES;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "no notes"));
    musc_music_free(m);
}

static void missing_soundfont_is_a_clear_error(void **state)
{
    (void)state;
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    o.soundfont = "/nonexistent/none.sf2";
    musc_audio a;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "/nonexistent/none.sf2"));
    assert_null(a.samples);
    /* discovery: an unset explicit path falls to $MUSC_SOUNDFONT */
    setenv(MUSC_SOUNDFONT_ENV, "/nonexistent/env.sf2", 1);
    char *path = NULL;
    assert_int_equal(musc_soundfont_find(NULL, &path), MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "MUSC_SOUNDFONT"));
    unsetenv(MUSC_SOUNDFONT_ENV);
    if (access(TIMGM6MB, R_OK) == 0) {
        assert_int_equal(musc_soundfont_find(NULL, &path), MUSC_OK);
        assert_non_null(path);
        free(path);
    }
    musc_music_free(m);
}

static void corrupt_soundfont_is_a_clear_error(void **state)
{
    (void)state;
    char *sf = test_tmp_path("corrupt.sf2");
    const char junk[] = "RIFF\x10\x00\x00\x00sfbkLIST this is not a SoundFont";
    assert_int_equal(test_write_file(sf, junk, sizeof junk), 0);
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    o.soundfont = sf;
    musc_audio a;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "corrupt.sf2"));
    printf("message: %s\n", musc_errmsg());
    /* a real SoundFont cut in half */
    if (access(TIMGM6MB, R_OK) == 0) {
        size_t size;
        char *data = test_read_file(TIMGM6MB, &size);
        assert_non_null(data);
        assert_int_equal(test_write_file(sf, data, size / 2), 0);
        free(data);
        assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_FORMAT);
        assert_non_null(strstr(musc_errmsg(), "truncated"));
        assert_int_equal(musc_soundfont_check(TIMGM6MB), MUSC_OK);
    }
    if (access(MUSC_SOUNDFONT_FLUIDR3, R_OK) == 0)
        assert_int_equal(musc_soundfont_check(MUSC_SOUNDFONT_FLUIDR3), MUSC_OK);
    musc_music_free(m);
    free(sf);
}

static void empty_score_is_a_clear_error(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(RES);
    musc_render_options o = test_options();
    musc_audio a;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "no notes"));
    musc_music_add_track(m, 0, 0, "empty");
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_ARG);
    musc_audio stems[1];
    assert_int_equal(musc_render_stems(m, &o, stems, NULL, NULL), MUSC_ERR_ARG);
    musc_music_free(m);
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    musc_music *m = melody_score(0, 0);
    musc_render_options o = test_options();
    musc_audio a;
    o.sample_rate = 100;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_ARG);
    o = test_options();
    o.end = 0;
    o.start = 10;
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_ARG);
    m->tracks[0].notes[0].pitch = 200;
    o = test_options();
    assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_ERR_INVALID);
    assert_non_null(strstr(musc_errmsg(), "pitch"));
    musc_music_free(m);
}

static double rms_of(const musc_music *m, int stems)
{
    musc_render_options o = test_options();
    o.threads = 1;
    musc_audio a = {0}, st[4] = {{0}};
    if (stems)
        assert_int_equal(musc_render_stems(m, &o, st, &a, NULL), MUSC_OK);
    else
        assert_int_equal(musc_render(m, &o, &a, NULL), MUSC_OK);
    double r = audio_rms(&a, 0, a.n_frames);
    musc_audio_clear(&a);
    for (size_t i = 0; i < m->n_tracks; i++)
        musc_audio_clear(&st[i]);
    return r;
}

/* GM System On keeps the tracks' programs (FluidSynth resets channels to
 * program 0); a master volume of 8192/16383 halves the level, in the mix
 * and in stems; empty, short and malformed messages change nothing. */
static void sysex_gm_on_and_master_volume(void **state)
{
    (void)state;
    if (!have_soundfont())
        skip();
    static const uint8_t gm_on[] = {0x7E, 0x7F, 0x09, 0x01, 0xF7};
    static const uint8_t half[] = {0x7F, 0x7F, 0x04, 0x01, 0x00, 0x40, 0xF7};
    musc_music *flute = melody_score(73, 0), *piano = melody_score(0, 0);
    double base = rms_of(flute, 0), other = rms_of(piano, 0);
    assert_true(base > 1e-3);
    assert_true(fabs(other - base) > 0.05 * base); /* the program matters */

    musc_music *m = musc_music_copy(flute);
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, gm_on, sizeof gm_on, 0),
                     MUSC_OK);
    double on = rms_of(m, 0);
    printf("RMS: flute %.5f, piano %.5f, flute after GM on %.5f\n", base, other, on);
    assert_true(fabs(on - base) < 0.01 * base);

    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, half, sizeof half, 0),
                     MUSC_OK);
    double quiet = rms_of(m, 0), quiet_stems = rms_of(m, 1);
    printf("RMS with master volume 8192/16383: %.5f (mix), %.5f (stems)\n", quiet,
           quiet_stems);
    assert_true(fabs(quiet / base - 0.5) < 0.01);
    assert_true(fabs(quiet_stems / base - 0.5) < 0.01);
    musc_music_free(m);

    /* junk: nothing, only F7, a cut-off master volume, status bytes inside,
     * a master volume with bytes >= 0x80, an unknown manufacturer */
    m = musc_music_copy(flute);
    static const uint8_t f7[] = {0xF7}, cut[] = {0x7F, 0x7F, 0x04}, status[] = {0x80, 0x90, 0x40},
                         hi[] = {0x7F, 0x7F, 0x04, 0x01, 0xFF, 0xFF, 0xF7},
                         maker[] = {0x00, 0x20, 0x29, 0x01, 0x02, 0xF7};
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, NULL, 0, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 0, MUSC_RAW_SYSEX, f7, 1, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 10, MUSC_RAW_SYSEX, cut, 3, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 20, MUSC_RAW_SYSEX, status, 3, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 30, MUSC_RAW_SYSEX, hi, sizeof hi, 0), MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 40, MUSC_RAW_SYSEX, maker, sizeof maker, 0),
                     MUSC_OK);
    assert_int_equal(musc_music_add_raw_event(m, 50, MUSC_RAW_ESCAPE, half, sizeof half, 0),
                     MUSC_OK);
    assert_true(fabs(rms_of(m, 0) - base) < 1e-6 * base);
    musc_music_free(m);
    musc_music_free(flute);
    musc_music_free(piano);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(duration_follows_tempo_map),
        cmocka_unit_test(many_tempo_changes_follow_the_map),
        cmocka_unit_test(onsets_heard_within_15ms_of_score),
        cmocka_unit_test(drum_track_sounds_on_channel_10),
        cmocka_unit_test(stems_sum_to_the_mix),
        cmocka_unit_test(more_tracks_than_midi_channels),
        cmocka_unit_test(sustain_pedal_holds_notes),
        cmocka_unit_test(pitch_bend_changes_the_sound),
        cmocka_unit_test(start_and_end_select_a_window),
        cmocka_unit_test(missing_soundfont_is_a_clear_error),
        cmocka_unit_test(corrupt_soundfont_is_a_clear_error),
        cmocka_unit_test(empty_score_is_a_clear_error),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(sysex_gm_on_and_master_volume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
