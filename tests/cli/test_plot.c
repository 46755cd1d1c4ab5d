/* musc plot: writes PNG and SVG, refuses to overwrite without --force,
 * rejects bad options. */
#include "cli_test.h"

#include <cairo.h>

#define P "cli_plot"

static void writes_png_and_svg(void **state)
{
    (void)state;
    char *mid = scratch(P, "in.mid"), *png = scratch(P, "out.png"), *svg = scratch(P, "out.svg");
    char *out, *err;
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(&out, &err, "plot '%s' -o '%s' --width 500 --height 300", mid, png),
                     0);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "wrote"));
    free(out);
    free(err);
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 500);
    assert_int_equal(cairo_image_surface_get_height(s), 300);
    cairo_surface_destroy(s);
    /* exists: refused, kept; --force replaces */
    assert_int_equal(musc_run(NULL, &err, "plot '%s' -o '%s'", mid, png), 1);
    assert_non_null(strstr(err, "--force"));
    free(err);
    assert_int_equal(musc_run(NULL, NULL, "plot '%s' -o '%s' --force --beats 0:1", mid, png), 0);
    assert_int_equal(musc_run(&out, NULL, "plot '%s' -o '%s' --tracks 0 --json", mid, svg), 0);
    json_t *j = parse_json(out);
    assert_int_equal(json_int_field(j, "n_tracks"), 1);
    json_decref(j);
    free(out);
    char *text = test_read_file(svg, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    free(text);
    free(mid);
    free(png);
    free(svg);
}

static void bad_usage(void **state)
{
    (void)state;
    char *mid = scratch(P, "in2.mid"), *png = scratch(P, "bad.png");
    write_small_midi(mid, sizeof small_midi);
    assert_int_equal(musc_run(NULL, NULL, "plot '%s'", mid), 2);                 /* no -o */
    assert_int_equal(musc_run(NULL, NULL, "plot '%s' -o '%s' --beats 4:2", mid, png), 2);
    assert_int_equal(musc_run(NULL, NULL, "plot '%s' -o '%s' --tracks x", mid, png), 2);
    assert_int_equal(musc_run(NULL, NULL, "plot '%s' -o '%s' --tracks 9", mid, png), 2);
    assert_int_equal(musc_run(NULL, NULL, "plot '%s' -o out.jpg", mid), 2);
    assert_int_equal(musc_run(NULL, NULL, "plot /nonexistent.mid -o '%s'", png), 1);
    char *out;
    assert_int_equal(musc_run(&out, NULL, "plot --help"), 0);
    assert_non_null(strstr(out, "--beats"));
    free(out);
    free(mid);
    free(png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_png_and_svg),
        cmocka_unit_test(bad_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
