/*
 * Hairpins in ABC: !<(! !<)! !>(! !>)! (and !crescendo(! ... !diminuendo)!)
 * become musc_hairpins at the times where the marks stand, in playing
 * order; unended starts run to the end of the tune, ends with no start are
 * ignored; the writer writes them back so a round trip keeps them, and a
 * performance ramps the velocities under them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

static musc_music *read_abc(const char *abc, const char *seed, int strict)
{
    test_save_seed("abc", seed, abc, strlen(abc));
    musc_read_options o = musc_read_options_default();
    o.strict = strict;
    musc_music *m = NULL;
    musc_status st = musc_abc_read_mem(abc, strlen(abc), &o, &m, NULL);
    if (st)
        fprintf(stderr, "unexpected error: %s\n", musc_errmsg());
    assert_int_equal(st, MUSC_OK);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

static void assert_hairpin(const musc_track *t, size_t i, int64_t time, int64_t dur, int kind)
{
    assert_true(i < t->n_hairpins);
    if (t->hairpins[i].time != time || t->hairpins[i].duration != dur ||
        t->hairpins[i].kind != kind)
        fprintf(stderr, "hairpin %zu is (%lld, %lld, %d), expected (%lld, %lld, %d)\n", i,
                (long long)t->hairpins[i].time, (long long)t->hairpins[i].duration,
                t->hairpins[i].kind, (long long)time, (long long)dur, kind);
    assert_int_equal(t->hairpins[i].time, time);
    assert_int_equal(t->hairpins[i].duration, dur);
    assert_int_equal(t->hairpins[i].kind, kind);
}

/* p, a crescendo over bar 1 and the first note of bar 2 (its end mark
 * stands after G, before A), f; then a diminuendo over three notes. */
static const char swell[] = "X:1\nT:Swell\nM:4/4\nL:1/4\nK:C\n"
                            "!p! !<(!C D E F | G !<)! A !f! B c |\n"
                            "!diminuendo(! c B A !diminuendo)! G | F E D C |]\n";

static void crescendo_and_diminuendo(void **state)
{
    (void)state;
    musc_music *m = read_abc(swell, "hairpins-1.abc", 1);
    const musc_track *t = &m->tracks[0];
    int64_t q = m->resolution;
    assert_int_equal(t->n_notes, 16);
    assert_int_equal(t->n_hairpins, 2);
    assert_hairpin(t, 0, 0, 5 * q, MUSC_HAIRPIN_CRESCENDO);
    assert_hairpin(t, 1, 8 * q, 3 * q, MUSC_HAIRPIN_DIMINUENDO);
    /* the dynamics still set the written velocities */
    assert_int_equal(t->notes[0].velocity, 60);
    assert_int_equal(t->notes[6].velocity, 105);
    musc_music_free(m);
}

static void repeats_unended_and_orphans(void **state)
{
    (void)state;
    /* an end with no start is ignored; a crescendo inside a repeat is played
     * on both passes; a diminuendo never ended runs to the end of the tune,
     * which the second voice makes longer than the first; the short names
     * and the long ones pair with each other */
    musc_music *m = read_abc("X:1\nT:Pins\nM:2/4\nL:1/4\nK:C\n"
                             "V:1\n!>)! C D |: !<(! E !crescendo)! F :| G !>(! A |]\n"
                             "V:2\nC8 z2 |]\n",
                             "hairpins-2.abc", 0);
    assert_int_equal(m->n_tracks, 2);
    const musc_track *t = &m->tracks[0];
    int64_t q = m->resolution;
    assert_int_equal(t->n_notes, 8);
    assert_int_equal(t->n_hairpins, 3);
    assert_hairpin(t, 0, 2 * q, q, MUSC_HAIRPIN_CRESCENDO);
    assert_hairpin(t, 1, 4 * q, q, MUSC_HAIRPIN_CRESCENDO);
    assert_hairpin(t, 2, 7 * q, 3 * q, MUSC_HAIRPIN_DIMINUENDO);
    assert_int_equal(m->tracks[1].n_hairpins, 0);
    musc_music_free(m);

    /* a start while one of its kind is open ends it there; a crescendo and
     * a diminuendo may overlap */
    m = read_abc("X:1\nT:Overlap\nM:4/4\nL:1/4\nK:C\n"
                 "!<(! C !>(! D !<(! E F !>)! G !<)! A |]\n",
                 "hairpins-3.abc", 1);
    t = &m->tracks[0];
    q = m->resolution;
    assert_int_equal(t->n_hairpins, 3);
    assert_hairpin(t, 0, 0, 2 * q, MUSC_HAIRPIN_CRESCENDO);
    assert_hairpin(t, 1, q, 3 * q, MUSC_HAIRPIN_DIMINUENDO);
    assert_hairpin(t, 2, 2 * q, 3 * q, MUSC_HAIRPIN_CRESCENDO);
    musc_music_free(m);
}

/* Hairpins that overlap, one of no length, one that ends inside a note,
 * and one that ends after the last note. */
static musc_music *hairpin_score(void)
{
    musc_music *m = musc_music_new(4);
    assert_int_equal(musc_music_add_time_signature(m, 0, 4, 4), MUSC_OK);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    for (int i = 0; i < 12; i++)
        assert_int_equal(musc_track_add_note(t, 4 * i, 4, 60 + i, 64), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 0, 20, MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 8, 6, MUSC_HAIRPIN_DIMINUENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 20, 0, MUSC_HAIRPIN_DIMINUENDO), MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 20, 36, MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    return m;
}

static void abc_round_trip_keeps_hairpins(void **state)
{
    (void)state;
    musc_music *m = hairpin_score();
    char *abc = NULL;
    size_t n = 0;
    assert_int_equal(musc_abc_write_mem(m, &abc, &n), MUSC_OK);
    assert_non_null(strstr(abc, "!<(!"));
    assert_non_null(strstr(abc, "!>(!!>)!")); /* the one of no length */
    assert_non_null(strstr(abc, "!<)!|]"));   /* the one that ends after the notes */
    test_save_seed("abc", "hairpins-4.abc", abc, n);
    musc_music *back = NULL;
    assert_int_equal(musc_abc_read_mem(abc, n, NULL, &back, NULL), MUSC_OK);
    free(abc);
    assert_int_equal(back->resolution % m->resolution, 0);
    int64_t scale = back->resolution / m->resolution;
    const musc_track *a = &m->tracks[0], *b = &back->tracks[0];
    assert_int_equal(b->n_hairpins, a->n_hairpins);
    for (size_t i = 0; i < a->n_hairpins; i++)
        assert_hairpin(b, i, a->hairpins[i].time * scale, a->hairpins[i].duration * scale,
                       a->hairpins[i].kind);
    /* the note split where the diminuendo ends is tied back together */
    assert_int_equal(b->n_notes, a->n_notes);
    for (size_t i = 0; i < a->n_notes; i++) {
        assert_int_equal(b->notes[i].time, a->notes[i].time * scale);
        assert_int_equal(b->notes[i].duration, a->notes[i].duration * scale);
        assert_int_equal(b->notes[i].pitch, a->notes[i].pitch);
    }
    musc_music_free(back);
    musc_music_free(m);

    /* and the text read from ABC writes back to the same hairpins */
    m = read_abc(swell, "hairpins-1.abc", 1);
    assert_int_equal(musc_abc_write_mem(m, &abc, &n), MUSC_OK);
    assert_int_equal(musc_abc_read_mem(abc, n, NULL, &back, NULL), MUSC_OK);
    free(abc);
    assert_int_equal(back->tracks[0].n_hairpins, 2);
    scale = back->resolution / m->resolution;
    for (size_t i = 0; i < 2; i++)
        assert_hairpin(&back->tracks[0], i, m->tracks[0].hairpins[i].time * scale,
                       m->tracks[0].hairpins[i].duration * scale, m->tracks[0].hairpins[i].kind);
    musc_music_free(back);
    musc_music_free(m);
}

static void performance_ramps_under_the_crescendo(void **state)
{
    (void)state;
    musc_perform_options o = musc_perform_options_default();
    o.amount = 1;
    o.dynamics = o.timing = o.articulation = o.chord_spread = 0;
    musc_music *m = read_abc(swell, "hairpins-1.abc", 1);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 16);
    /* C D E F G under the crescendo: p rising, never falling, toward f */
    assert_int_equal(t->notes[0].velocity, 60);
    for (int i = 1; i < 5; i++)
        assert_true(t->notes[i].velocity >= t->notes[i - 1].velocity);
    assert_true(t->notes[4].velocity > 60);
    assert_true(t->notes[4].velocity < 105);
    /* under the diminuendo (c B A from f): never rising */
    for (int i = 9; i < 11; i++)
        assert_true(t->notes[i].velocity <= t->notes[i - 1].velocity);
    assert_true(t->notes[10].velocity < 105);
    musc_music_free(m);

    /* without the hairpins the written velocities stay */
    o.hairpins = 0;
    m = read_abc(swell, "hairpins-1.abc", 1);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(m->tracks[0].notes[i].velocity, 60);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crescendo_and_diminuendo),
        cmocka_unit_test(repeats_unended_and_orphans),
        cmocka_unit_test(abc_round_trip_keeps_hairpins),
        cmocka_unit_test(performance_ramps_under_the_crescendo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
