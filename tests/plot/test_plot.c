/*
 * musc_plot_pianoroll: a small piece rendered to PNG has the requested size,
 * and each track's colour lies where musc_plot_locate says its notes are
 * (read back with cairo); SVG output is an SVG document; existing files are
 * kept unless overwrite; bad arguments are refused.
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_support.h"
#include "musc/musc.h"

/* resolution 4, 4/4: piano C4-E4-G4 chord for a bar, bass C2 in bar 2,
 * drums: kick on beats, hi-hat on eighths (velocity 127 = opaque colour) */
static musc_music *piece(void)
{
    musc_music *m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    musc_track_add_note(t, 0, 16, 60, 127);
    musc_track_add_note(t, 0, 16, 64, 127);
    musc_track_add_note(t, 0, 16, 67, 127);
    t = musc_music_add_track(m, 33, 0, "bass");
    musc_track_add_note(t, 16, 16, 36, 127);
    t = musc_music_add_track(m, 0, 1, "drums");
    for (int i = 0; i < 8; i++)
        musc_track_add_note(t, i * 4, 1, 36, 127);
    for (int i = 0; i < 16; i++)
        musc_track_add_note(t, i * 2, 1, 42, 127);
    return m;
}

/* is the pixel at (x, y) the colour rgb (within 3/255)? */
static int pixel_is(cairo_surface_t *s, double x, double y, const double rgb[3])
{
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    const uint32_t px = *(const uint32_t *)(d + (int)y * stride + 4 * (int)x);
    int r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;
    return abs(r - (int)lround(rgb[0] * 255)) <= 3 && abs(g - (int)lround(rgb[1] * 255)) <= 3 &&
           abs(b - (int)lround(rgb[2] * 255)) <= 3;
}

static void png_has_size_and_colours_where_notes_are(void **state)
{
    (void)state;
    musc_music *m = piece();
    char *path = test_tmp_path("plot-small.png");
    unlink(path);
    musc_plot_options o = musc_plot_options_default();
    o.width = 640;
    o.height = 400;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_OK);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 640);
    assert_int_equal(cairo_image_surface_get_height(s), 400);
    cairo_surface_flush(s);
    double c0[3], c1[3], c2[3], x, y;
    musc_plot_track_color(0, c0);
    musc_plot_track_color(1, c1);
    musc_plot_track_color(2, c2);
    /* piano notes, middle of the bar: piano colour, not bass colour */
    const int piano[] = {60, 64, 67};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(musc_plot_locate(m, &o, 8, piano[i], 0, &x, &y), MUSC_OK);
        assert_true(pixel_is(s, x, y, c0));
        assert_false(pixel_is(s, x, y, c1));
    }
    /* the same rows in bar 2 are not piano-coloured */
    assert_int_equal(musc_plot_locate(m, &o, 24, 64, 0, &x, &y), MUSC_OK);
    assert_false(pixel_is(s, x, y, c0));
    /* bass note in bar 2, and nothing there in bar 1 */
    assert_int_equal(musc_plot_locate(m, &o, 24, 36, 0, &x, &y), MUSC_OK);
    assert_true(pixel_is(s, x, y, c1));
    assert_int_equal(musc_plot_locate(m, &o, 8, 36, 0, &x, &y), MUSC_OK);
    assert_false(pixel_is(s, x, y, c1));
    /* drum hits sit just right of their onsets, in the drum lane */
    assert_int_equal(musc_plot_locate(m, &o, 4, 36, 1, &x, &y), MUSC_OK);
    assert_true(pixel_is(s, x + 1, y, c2));
    assert_int_equal(musc_plot_locate(m, &o, 2, 42, 1, &x, &y), MUSC_OK);
    assert_true(pixel_is(s, x + 1, y, c2));
    /* between two kicks (an eighth after one) the kick row is empty */
    assert_int_equal(musc_plot_locate(m, &o, 6, 36, 1, &x, &y), MUSC_OK);
    assert_false(pixel_is(s, x + 1, y, c2));
    /* a key no drum plays has no row */
    assert_int_equal(musc_plot_locate(m, &o, 0, 38, 1, &x, &y), MUSC_ERR_NOTFOUND);
    cairo_surface_destroy(s);
    musc_music_free(m);
    free(path);
}

static void track_selection_and_beat_range(void **state)
{
    (void)state;
    musc_music *m = piece();
    char *path = test_tmp_path("plot-bass.png");
    unlink(path);
    const int only_bass[] = {1};
    musc_plot_options o = musc_plot_options_default();
    o.width = 400;
    o.height = 300;
    o.tracks = only_bass;
    o.n_tracks = 1;
    o.beat_start = 4; /* bar 2 only */
    o.beat_end = 8;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_OK);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    double c0[3], x, y;
    musc_plot_track_color(0, c0); /* the first drawn track gets the first colour */
    assert_int_equal(musc_plot_locate(m, &o, 24, 36, 0, &x, &y), MUSC_OK);
    assert_true(x > 100 && x < 300);
    assert_true(pixel_is(s, x, y, c0));
    /* piano pitches are outside the rows drawn for the bass alone */
    assert_int_equal(musc_plot_locate(m, &o, 24, 67, 0, &x, &y), MUSC_ERR_NOTFOUND);
    cairo_surface_destroy(s);
    const int bad[] = {7};
    o.tracks = bad;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_ERR_ARG);
    musc_music_free(m);
    free(path);
}

static void svg_output_and_overwrite(void **state)
{
    (void)state;
    musc_music *m = piece();
    char *path = test_tmp_path("plot-small.svg");
    unlink(path);
    assert_int_equal(musc_plot_pianoroll(m, NULL, path), MUSC_OK);
    size_t n;
    char *text = test_read_file(path, &n);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "viewBox=\"0 0 1600 900\""));
    free(text);
    /* refuses to replace it, unless told to */
    assert_int_equal(musc_plot_pianoroll(m, NULL, path), MUSC_ERR_EXISTS);
    musc_plot_options o = musc_plot_options_default();
    o.overwrite = 1;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_OK);
    /* unknown extension, absurd size */
    char *bad = test_tmp_path("plot.jpg");
    assert_int_equal(musc_plot_pianoroll(m, NULL, bad), MUSC_ERR_ARG);
    o.width = 10;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_ERR_ARG);
    free(bad);
    free(path);
    musc_music_free(m);
}

static void empty_music_still_draws(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    char *path = test_tmp_path("plot-empty.png");
    unlink(path);
    assert_int_equal(musc_plot_pianoroll(m, NULL, path), MUSC_OK);
    musc_music_add_track(m, 0, 0, NULL);
    musc_plot_options o = musc_plot_options_default();
    o.overwrite = 1;
    assert_int_equal(musc_plot_pianoroll(m, &o, path), MUSC_OK);
    free(path);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_has_size_and_colours_where_notes_are),
        cmocka_unit_test(track_selection_and_beat_range),
        cmocka_unit_test(svg_output_and_overwrite),
        cmocka_unit_test(empty_music_still_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
