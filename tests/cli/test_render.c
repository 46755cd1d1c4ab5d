/*
 * musc render and musc perform end to end: a small MIDI file (written byte
 * by byte here) rendered to WAV, FLAC and OGG; stems that sum to the mix;
 * normalization; JSON output; and the errors a user meets first (missing
 * SoundFont, existing output, unwritable path, empty score, bad usage).
 */
#include "test_support.h"
#include "musc/musc.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define SF "/usr/share/sounds/sf2/TimGM6mb.sf2"

static int run(char **out, char **err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int run(char **out, char **err, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s", test_musc_bin(), args);
    return test_run(cmd, out, err);
}

static char *scratch(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "render-%s", name);
    char *p = test_tmp_path(rel);
    unlink(p);
    return p;
}

/* A format-1 MIDI file: tempo 120, a piano track (channel 1) with four
 * notes and a drum track (channel 10) with four hits; `empty` leaves the
 * tracks without notes. */
static char *write_midi(const char *name, int empty)
{
    static const unsigned char head[] = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 3, 0x01, 0xE0};
    static const unsigned char tempo[] = {'M', 'T', 'r', 'k', 0, 0, 0, 11, 0, 0xFF, 0x51, 3,
                                          0x07, 0xA1, 0x20, 0, 0xFF, 0x2F, 0};
    unsigned char buf[512];
    size_t n = 0;
    memcpy(buf + n, head, sizeof head);
    n += sizeof head;
    memcpy(buf + n, tempo, sizeof tempo);
    n += sizeof tempo;
    for (int track = 0; track < 2; track++) {
        int ch = track ? 9 : 0;
        unsigned char body[128];
        size_t b = 0;
        body[b++] = 0; body[b++] = 0xC0 | ch; body[b++] = 0; /* program 0 */
        for (int i = 0; i < 4 && !empty; i++) {
            int pitch = track ? (i % 2 ? 38 : 36) : 60 + 4 * i;
            /* on at delta 0 (first) or after the previous off, off 240 later */
            body[b++] = i == 0 ? 0 : 0x81; if (i) body[b++] = 0x70; /* 240 ticks */
            body[b++] = 0x90 | ch; body[b++] = (unsigned char)pitch; body[b++] = 100;
            body[b++] = 0x81; body[b++] = 0x70;
            body[b++] = 0x80 | ch; body[b++] = (unsigned char)pitch; body[b++] = 0;
        }
        body[b++] = 0; body[b++] = 0xFF; body[b++] = 0x2F; body[b++] = 0;
        unsigned char th[8] = {'M', 'T', 'r', 'k', 0, 0, 0, (unsigned char)b};
        memcpy(buf + n, th, 8);
        n += 8;
        memcpy(buf + n, body, b);
        n += b;
    }
    char *path = scratch(name);
    assert_int_equal(test_write_file(path, buf, n), 0);
    return path;
}

/* Skip unless musc can read MIDI here and the test SoundFont exists. */
static int ready(void)
{
    if (access(SF, R_OK) != 0) {
        printf("SKIP: needs %s (apt-get install timgm6mb-soundfont)\n", SF);
        return 0;
    }
    char *mid = write_midi("probe.mid", 0);
    musc_music *m = NULL;
    musc_status st = musc_read(mid, NULL, &m, NULL);
    free(mid);
    if (st != MUSC_OK) {
        printf("SKIP: this build cannot read MIDI yet (%s)\n", musc_errmsg());
        return 0;
    }
    assert_int_equal(m->n_tracks, 2);
    musc_music_free(m);
    return 1;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text ? text : "", 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, text ? text : "");
    return j;
}

static void help_and_usage(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(run(&out, NULL, "render --help"), 0);
    assert_non_null(strstr(out, "--soundfont"));
    assert_non_null(strstr(out, "--stems"));
    free(out);
    assert_int_equal(run(NULL, &err, "render in.mid"), 2);
    assert_non_null(strstr(err, "-o"));
    free(err);
    assert_int_equal(run(NULL, &err, "render in.mid -o x.wav --reverb maybe"), 2);
    free(err);
    assert_int_equal(run(NULL, &err, "render in.mid -o x.wav --bogus"), 2);
    assert_non_null(strstr(err, "--bogus"));
    free(err);
    assert_int_equal(run(&out, NULL, "perform --help"), 0);
    assert_non_null(strstr(out, "--seed"));
    free(out);
    assert_int_equal(run(NULL, &err, "perform in.mid -o x.mid --amount 5"), 2);
    free(err);
}

static void renders_midi_to_audio_files(void **state)
{
    (void)state;
    if (!ready())
        skip();
    char *mid = write_midi("song.mid", 0);
    const char *names[] = {"song.wav", "song.flac", "song.ogg"};
    for (int k = 0; k < 3; k++) {
        char *wav = scratch(names[k]), *out = NULL, *err = NULL;
        int rc = run(&out, &err, "render '%s' -o '%s' --soundfont %s --json", mid, wav, SF);
        if (rc != 0)
            fail_msg("exit %d: %s", rc, err);
        json_t *j = parse(out);
        double seconds = json_real_value(json_object_get(j, "seconds"));
        double score = json_real_value(json_object_get(j, "score_seconds"));
        /* notes every 480 ticks, 240 long, at 480/quarter and 120 qpm: the
         * last ends at 1680 ticks = 1.75 s */
        assert_true(fabs(score - 1.75) < 1e-3);
        assert_true(seconds >= score && seconds < score + 8.1);
        assert_int_equal(json_integer_value(json_object_get(j, "notes")), 8);
        json_t *l = json_object_get(j, "loudness");
        assert_true(json_is_real(json_object_get(l, "integrated_lufs")));
        musc_audio a;
        assert_int_equal(musc_audio_read(wav, &a), MUSC_OK);
        assert_int_equal(a.sample_rate, 44100);
        assert_true(fabs((double)a.n_frames / 44100 - seconds) < 0.01);
        double e = 0;
        for (size_t i = 0; i < 2 * a.n_frames; i++)
            e += (double)a.samples[i] * a.samples[i];
        assert_true(e > 1); /* not silent */
        musc_audio_clear(&a);
        json_decref(j);
        free(out);
        free(err);
        free(wav);
    }
    free(mid);
}

static void stems_sum_to_the_written_mix(void **state)
{
    (void)state;
    if (!ready())
        skip();
    char *mid = write_midi("band.mid", 0), *mix = scratch("band.f32.wav"), *dir = scratch("stems");
    char *err = NULL;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    int rc = run(NULL, &err, "render '%s' -o '%s' --soundfont %s --stems '%s' --normalize -16 --quiet",
                 mid, mix, SF, dir);
    if (rc != 0)
        fail_msg("exit %d: %s", rc, err);
    free(err);
    musc_audio m, s[2];
    char path[1024];
    assert_int_equal(musc_audio_read(mix, &m), MUSC_OK);
    /* one stem per track, named NN-name: the drum track's and the unnamed
     * piano track's, in whichever order the reader gives the tracks */
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0, saw_drums = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        assert_true(n < 2);
        saw_drums |= strstr(e->d_name, "-drums.f32.wav") != NULL;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_int_equal(musc_audio_read(path, &s[n++]), MUSC_OK);
    }
    closedir(d);
    assert_int_equal(n, 2);
    assert_true(saw_drums);
    assert_int_equal(s[0].n_frames, m.n_frames);
    assert_int_equal(s[1].n_frames, m.n_frames);
    double worst = 0;
    for (size_t i = 0; i < 2 * m.n_frames; i++)
        worst = fmax(worst, fabs((double)s[0].samples[i] + s[1].samples[i] - m.samples[i]));
    assert_true(worst < 1e-6);
    musc_loudness l;
    assert_int_equal(musc_audio_loudness(&m, MUSC_LOUDNESS_TRUE_PEAK, &l), MUSC_OK);
    printf("normalized mix: %.2f LUFS, %.2f dBTP\n", l.integrated, l.true_peak);
    assert_true(fabs(l.integrated - -16) <= 0.5);
    assert_true(l.true_peak <= -1 + 0.05);
    musc_audio_clear(&m);
    musc_audio_clear(&s[0]);
    musc_audio_clear(&s[1]);
    free(mid);
    free(mix);
    free(dir);
}

static void errors_are_clear(void **state)
{
    (void)state;
    if (!ready())
        skip();
    char *mid = write_midi("err.mid", 0), *wav = scratch("err.wav"), *err = NULL;
    /* missing SoundFont */
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s' --soundfont /nonexistent/x.sf2", mid, wav), 1);
    assert_non_null(strstr(err, "/nonexistent/x.sf2"));
    free(err);
    /* existing output kept without --force */
    assert_int_equal(test_write_file(wav, "keep", 4), 0);
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s' --soundfont %s", mid, wav, SF), 1);
    assert_non_null(strstr(err, "exists"));
    free(err);
    size_t size;
    free(test_read_file(wav, &size));
    assert_int_equal(size, 4);
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s' --soundfont %s --force -q", mid, wav, SF), 0);
    free(err);
    /* unwritable output */
    assert_int_equal(run(NULL, &err, "render '%s' -o /nonexistent-dir/x.wav --soundfont %s", mid, SF), 1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.wav"));
    free(err);
    /* unknown extension */
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s.mp9' --soundfont %s", mid, wav, SF), 1);
    free(err);
    /* empty score */
    char *empty = write_midi("empty.mid", 1), *ewav = scratch("empty.wav");
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s' --soundfont %s", empty, ewav, SF), 1);
    assert_non_null(strstr(err, "no notes"));
    assert_int_equal(access(ewav, F_OK), -1);
    free(err);
    free(empty);
    free(ewav);
    free(mid);
    free(wav);
}

/* 20 ms log-energy envelope of channel 0 from frame `from`, `lag` frames
 * later in b: correlation and mean absolute level difference in dB. */
static void envelope_match(const musc_audio *a, const musc_audio *b, long lag, double *corr,
                           double *mean_db)
{
    size_t w = 882, n = a->n_frames < b->n_frames ? a->n_frames : b->n_frames;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, ad = 0;
    int k = 0;
    for (size_t f = w; f + w + (size_t)labs(lag) < n; f += w) {
        double ea = 0, eb = 0;
        for (size_t i = f; i < f + w; i++) {
            ea += (double)a->samples[2 * i] * a->samples[2 * i];
            size_t j = (size_t)((long)i + lag);
            eb += (double)b->samples[2 * j] * b->samples[2 * j];
        }
        double x = 10 * log10(ea / w + 1e-12), y = 10 * log10(eb / w + 1e-12);
        if (x < -80)
            continue;
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; ad += fabs(x - y);
        k++;
    }
    *corr = (k * sxy - sx * sy) / sqrt((k * sxx - sx * sx) * (k * syy - sy * sy));
    *mean_db = ad / k;
}

static void sounds_like_the_fluidsynth_cli(void **state)
{
    (void)state;
    if (!ready())
        skip();
    if (test_run("command -v fluidsynth >/dev/null", NULL, NULL) != 0) {
        printf("SKIP: needs the fluidsynth CLI (apt-get install fluidsynth)\n");
        skip();
    }
    char *mid = write_midi("peer.mid", 0), *ours = scratch("peer-musc.f32.wav"),
         *theirs = scratch("peer-fs.wav"), *err = NULL;
    assert_int_equal(run(NULL, &err, "render '%s' -o '%s' --soundfont %s -q", mid, ours, SF), 0);
    free(err);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "fluidsynth -ni -R 1 -C 0 -g 0.2 -r 44100 -F '%s' %s '%s' >/dev/null 2>&1",
             theirs, SF, mid);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    musc_audio a, b;
    assert_int_equal(musc_audio_read(ours, &a), MUSC_OK);
    assert_int_equal(musc_audio_read(theirs, &b), MUSC_OK);
    /* the CLI's player starts notes one 64-frame block later */
    double corr, mean_db;
    envelope_match(&a, &b, 64, &corr, &mean_db);
    printf("musc vs fluidsynth CLI: envelope correlation %.4f, mean level difference %.2f dB\n",
           corr, mean_db);
    assert_true(corr > 0.98);
    assert_true(mean_db < 1.0);
    musc_audio_clear(&a);
    musc_audio_clear(&b);
    free(mid);
    free(ours);
    free(theirs);
}

static void perform_writes_a_reproducible_performance(void **state)
{
    (void)state;
    if (!ready())
        skip();
    uint8_t *data = NULL;
    size_t size = 0;
    musc_music *probe = musc_music_new(0);
    musc_status st = musc_midi_write_mem(probe, &data, &size);
    musc_music_free(probe);
    free(data);
    if (st != MUSC_OK) {
        printf("SKIP: this build cannot write MIDI yet (%s)\n", musc_errmsg());
        skip();
    }
    char *mid = write_midi("perf.mid", 0), *a = scratch("perf-a.mid"), *b = scratch("perf-b.mid"),
         *z = scratch("perf-0.mid"), *err = NULL;
    assert_int_equal(run(NULL, &err, "perform '%s' -o '%s' --seed 7 -q", mid, a), 0);
    free(err);
    assert_int_equal(run(NULL, &err, "perform '%s' -o '%s' --seed 7 -q", mid, b), 0);
    free(err);
    assert_int_equal(run(NULL, &err, "perform '%s' -o '%s' --amount 0 -q", mid, z), 0);
    free(err);
    musc_music *ma, *mb, *mz, *orig;
    assert_int_equal(musc_read(a, NULL, &ma, NULL), MUSC_OK);
    assert_int_equal(musc_read(b, NULL, &mb, NULL), MUSC_OK);
    assert_int_equal(musc_read(z, NULL, &mz, NULL), MUSC_OK);
    assert_int_equal(musc_read(mid, NULL, &orig, NULL), MUSC_OK);
    assert_true(musc_music_equal(ma, mb));
    assert_false(musc_music_equal(ma, orig));
    assert_int_equal(musc_music_note_count(mz), musc_music_note_count(orig));
    for (size_t k = 0; k < orig->n_tracks; k++)
        for (size_t i = 0; i < orig->tracks[k].n_notes; i++) {
            assert_int_equal(mz->tracks[k].notes[i].time, orig->tracks[k].notes[i].time);
            assert_int_equal(mz->tracks[k].notes[i].velocity, orig->tracks[k].notes[i].velocity);
        }
    musc_music_free(ma);
    musc_music_free(mb);
    musc_music_free(mz);
    musc_music_free(orig);
    free(mid);
    free(a);
    free(b);
    free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_and_usage),
        cmocka_unit_test(renders_midi_to_audio_files),
        cmocka_unit_test(stems_sum_to_the_written_mix),
        cmocka_unit_test(errors_are_clear),
        cmocka_unit_test(sounds_like_the_fluidsynth_cli),
        cmocka_unit_test(perform_writes_a_reproducible_performance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
