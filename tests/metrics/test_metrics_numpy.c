/*
 * musc's metrics against a literal numpy transcription of MusPy's
 * definitions (tests/metrics/muspy_literal.py: a dense piano roll, per-beat
 * arrays), value for value, on constructed pieces with drums, overlaps and
 * zero-length notes, and on POP909 songs when the shared data is present.
 * Skips when Debian's python3 lacks numpy.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

static const char *script(void)
{
    static char path[1024];
    const char *src = getenv("MUSC_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/metrics/muspy_literal.py", src ? src : ".");
    return path;
}

static int have_numpy(void)
{
    return test_run("/usr/bin/python3 -c 'import numpy'", NULL, NULL) == 0;
}

/* compare every value the script prints with musc's */
static void check(const musc_music *m, const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "numpy-%s.json", name);
    char *path = test_tmp_path(file);
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    assert_int_equal(musc_write(m, path, &wo), MUSC_OK);
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s'", script(), path);
    assert_int_equal(test_run(cmd, &out, NULL), 0);
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    assert_non_null(j);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    size_t n;
    const musc_metric_info *tab = musc_metric_table(&n);
    int compared = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(j, tab[i].name);
        if (!v)
            continue; /* not a MusPy metric */
        double mine = musc_metric_value(&r, &tab[i]);
        compared++;
        if (json_is_null(v)) {
            if (!isnan(mine))
                fail_msg("%s: %s = %g, numpy NaN", name, tab[i].name, mine);
        } else if (!(fabs(json_number_value(v) - mine) <= 1e-12 * fmax(1, fabs(mine)))) {
            fail_msg("%s: %s = %.17g, numpy %.17g", name, tab[i].name, mine,
                     json_number_value(v));
        }
    }
    assert_int_equal(compared, 14);
    musc_metrics_clear(&r);
    json_decref(j);
    free(out);
    free(path);
}

static void constructed_pieces(void **state)
{
    (void)state;
    if (!have_numpy()) {
        printf("SKIP: needs numpy in /usr/bin/python3\n");
        skip();
    }
    musc_music *m = musc_music_new(12);
    musc_track *t = musc_music_add_track(m, 0, 0, "a");
    const int notes[][3] = {{0, 12, 60}, {0, 6, 64}, {6, 18, 67}, {3, 0, 70}, {10, 8, 60},
                            {30, 5, 48}, {47, 1, 49}, {60, 24, 72}, {61, 2, 73}};
    for (size_t i = 0; i < sizeof notes / sizeof *notes; i++)
        musc_track_add_note(t, notes[i][0], notes[i][1], notes[i][2], 80);
    t = musc_music_add_track(m, 0, 1, "drums");
    for (int i = 0; i < 20; i++)
        musc_track_add_note(t, i * 5, 1, 36 + i % 3, 100);
    t = musc_music_add_track(m, 40, 0, "b");
    musc_track_add_note(t, 90, 30, 55, 70);
    musc_track_add_control(t, 130, 64, 0);
    check(m, "mixed");
    musc_music_free(m);

    m = musc_music_new(24); /* one note ending exactly on a measure */
    t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 96, 62, 80);
    check(m, "one");
    musc_music_free(m);
}

static void pop909_songs(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data || !have_numpy()) {
        printf("SKIP: needs ../shared/data and numpy\n");
        skip();
    }
    const char *ids[] = {"001", "050", "333", "909"};
    for (size_t i = 0; i < 4; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/pop909/POP909/%s/%s.mid", data, ids[i], ids[i]);
        musc_music *m = NULL;
        assert_int_equal(musc_read(path, NULL, &m, NULL), MUSC_OK);
        check(m, ids[i]);
        musc_music_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(constructed_pieces),
        cmocka_unit_test(pop909_songs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
