/*
 * Audio files: WAV, FLAC and OGG by extension, read back; existing files are
 * kept unless overwriting is asked for; unwritable paths and unknown
 * extensions are clear errors; no temporary file is left behind.
 */
#include "test_support.h"
#include "audio_analysis.h"
#include "musc/musc.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static musc_audio tone(void)
{
    musc_audio a = {0};
    a.n_frames = 22050;
    a.channels = 2;
    a.sample_rate = 44100;
    a.samples = malloc(a.n_frames * 2 * sizeof *a.samples);
    for (size_t i = 0; i < a.n_frames; i++) {
        a.samples[2 * i] = (float)(0.5 * sin(2 * M_PI * 440 * i / 44100.0));
        a.samples[2 * i + 1] = (float)(0.25 * sin(2 * M_PI * 660 * i / 44100.0));
    }
    return a;
}

static void formats_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"rt.wav", "rt.flac", "rt.ogg", "rt.f32.wav"};
    const double tolerance[] = {1.0 / 32768 + 1e-6, 1.0 / 32768 + 1e-6, 0.05, 1e-7};
    musc_audio a = tone();
    for (size_t k = 0; k < 4; k++) {
        char *path = test_tmp_path(names[k]);
        unlink(path);
        assert_int_equal(musc_audio_write(&a, path, 0), MUSC_OK);
        musc_audio b;
        assert_int_equal(musc_audio_read(path, &b), MUSC_OK);
        assert_int_equal(b.channels, 2);
        assert_int_equal(b.sample_rate, 44100);
        assert_int_equal(b.n_frames, a.n_frames);
        double worst = 0;
        for (size_t i = 0; i < 2 * a.n_frames; i++)
            worst = fmax(worst, fabs((double)a.samples[i] - b.samples[i]));
        printf("%s: max error %.2g\n", names[k], worst);
        assert_true(worst <= tolerance[k]);
        musc_audio_clear(&b);
        free(path);
    }
    musc_audio_clear(&a);
}

static void existing_file_is_kept_unless_asked(void **state)
{
    (void)state;
    char *path = test_tmp_path("exists.wav");
    assert_int_equal(test_write_file(path, "keep me", 7), 0);
    musc_audio a = tone();
    assert_int_equal(musc_audio_write(&a, path, 0), MUSC_ERR_EXISTS);
    assert_non_null(strstr(musc_errmsg(), "exists.wav"));
    size_t size;
    char *data = test_read_file(path, &size);
    assert_int_equal(size, 7);
    free(data);
    assert_int_equal(musc_audio_write(&a, path, 1), MUSC_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 80000);
    musc_audio_clear(&a);
    free(path);
}

static void unwritable_and_unknown_paths_are_errors(void **state)
{
    (void)state;
    musc_audio a = tone();
    /* a directory of its own, so other tests' files in flight don't count */
    char *dir = test_tmp_path("audio-file-test");
    mkdir(dir, 0777);
    assert_int_equal(musc_audio_write(&a, "/nonexistent-dir/out.wav", 1), MUSC_ERR_IO);
    assert_non_null(strstr(musc_errmsg(), "/nonexistent-dir/out.wav"));
    char path[1024];
    snprintf(path, sizeof path, "%s/out.mp4", dir);
    assert_int_equal(musc_audio_write(&a, path, 1), MUSC_ERR_UNSUPPORTED);
    musc_audio empty = {0};
    snprintf(path, sizeof path, "%s/empty.wav", dir);
    assert_int_equal(musc_audio_write(&empty, path, 1), MUSC_ERR_ARG);
    assert_int_equal(musc_audio_read("/nonexistent-dir/in.wav", &empty), MUSC_ERR_IO);
    snprintf(path, sizeof path, "%s/fine.flac", dir);
    unlink(path);
    assert_int_equal(musc_audio_write(&a, path, 0), MUSC_OK);
    /* no temporary files left behind */
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_null(strstr(e->d_name, ".tmp-"));
    closedir(d);
    free(dir);
    musc_audio_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_round_trip),
        cmocka_unit_test(existing_file_is_kept_unless_asked),
        cmocka_unit_test(unwritable_and_unknown_paths_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
