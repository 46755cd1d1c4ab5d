/*
 * The expressive performance model: amount 0 is the exact score, a seed
 * reproduces a performance, velocities stay 1..127 and onsets >= 0, and each
 * rule does what it says (accents, rubato, chord roll, legato, staccato).
 */
#include "test_support.h"
#include "musc/musc.h"

#include <math.h>
#include <stdio.h>

/* Two tracks, 8 bars of 4/4 at resolution 24: a melody of legato quarters
 * and staccato eighths-in-quarters, and block chords on each beat. */
static musc_music *score(void)
{
    musc_music *m = musc_music_new(24);
    assert_int_equal(musc_music_add_tempo(m, 0, 100), MUSC_OK);
    assert_int_equal(musc_music_add_time_signature(m, 0, 4, 4), MUSC_OK);
    musc_track *mel = musc_music_add_track(m, 73, 0, "melody");
    for (int i = 0; i < 32; i++) {
        int staccato = (i / 4) % 2; /* alternate bars */
        assert_int_equal(musc_track_add_note(mel, i * 24, staccato ? 8 : 24, 60 + i % 12, 64), MUSC_OK);
    }
    musc_track *acc = musc_music_add_track(m, 0, 0, "chords");
    for (int i = 0; i < 32; i++)
        for (int k = 0; k < 3; k++)
            assert_int_equal(musc_track_add_note(acc, i * 24, 20, 48 + 4 * k, 64), MUSC_OK);
    musc_track *dr = musc_music_add_track(m, 0, 1, "drums");
    for (int i = 0; i < 64; i++)
        assert_int_equal(musc_track_add_note(dr, i * 12, 6, 42, i % 2 ? 1 : 127), MUSC_OK);
    return m;
}

static void amount_zero_is_the_exact_score(void **state)
{
    (void)state;
    musc_music *m = score(), *orig = musc_music_copy(m);
    musc_perform_options o = musc_perform_options_default();
    o.amount = 0;
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    char diff[256];
    assert_true(musc_music_diff(orig, m, diff, sizeof diff));
    musc_music_free(m);
    musc_music_free(orig);
}

static void a_seed_reproduces_a_performance(void **state)
{
    (void)state;
    musc_music *a = score(), *b = score(), *c = score();
    musc_perform_options o = musc_perform_options_default();
    o.seed = 42;
    assert_int_equal(musc_perform(a, &o), MUSC_OK);
    assert_int_equal(musc_perform(b, &o), MUSC_OK);
    o.seed = 43;
    assert_int_equal(musc_perform(c, &o), MUSC_OK);
    char diff[256];
    assert_true(musc_music_diff(a, b, diff, sizeof diff));
    assert_false(musc_music_equal(a, c));
    musc_music_free(a);
    musc_music_free(b);
    musc_music_free(c);
}

static void velocities_and_onsets_stay_in_range(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        musc_music *m = score();
        musc_perform_options o = musc_perform_options_default();
        o.amount = 2;
        o.dynamics = 4;
        o.timing = 4;
        o.seed = seed;
        assert_int_equal(musc_perform(m, &o), MUSC_OK);
        assert_int_equal(musc_music_validate(m), MUSC_OK);
        for (size_t k = 0; k < m->n_tracks; k++)
            for (size_t i = 0; i < m->tracks[k].n_notes; i++) {
                const musc_note *n = &m->tracks[k].notes[i];
                assert_in_range(n->velocity, 1, 127);
                assert_true(n->time >= 0);
                assert_true(n->duration >= 0);
                if (i > 0)
                    assert_true(n->time >= m->tracks[k].notes[i - 1].time); /* sorted */
            }
        assert_int_equal(musc_music_note_count(m), 32 + 96 + 64);
        musc_music_free(m);
    }
}

static double mean_velocity(const musc_track *t, int resolution, int downbeats)
{
    double s = 0;
    int n = 0;
    for (size_t i = 0; i < t->n_notes; i++) {
        int64_t bar = 4 * (int64_t)resolution;
        int on_downbeat = t->notes[i].time % bar == 0;
        if (on_downbeat == downbeats) {
            s += t->notes[i].velocity;
            n++;
        }
    }
    return n ? s / n : 0;
}

static void downbeats_are_accented(void **state)
{
    (void)state;
    musc_music *m = score();
    musc_perform_options o = musc_perform_options_default();
    o.timing = 0; /* keep onsets on the grid so bars are easy to find */
    o.articulation = 0;
    o.chord_spread = 0;
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    assert_true(m->resolution >= 480);
    double down = mean_velocity(&m->tracks[1], m->resolution, 1);
    double other = mean_velocity(&m->tracks[1], m->resolution, 0);
    printf("chords: downbeats %.1f, other beats %.1f\n", down, other);
    assert_true(down > other + 3);
    /* dynamics alone move no time: onsets in seconds are the score's */
    musc_music *orig = score();
    for (size_t i = 0; i < 32; i++) {
        double s0 = musc_music_ticks_to_seconds(orig, orig->tracks[0].notes[i].time);
        double s1 = musc_music_ticks_to_seconds(m, m->tracks[0].notes[i].time);
        assert_true(fabs(s0 - s1) < 1e-9);
    }
    musc_music_free(orig);
    musc_music_free(m);
}

static void timing_rolls_chords_and_slows_phrase_ends(void **state)
{
    (void)state;
    musc_music *m = score(), *orig = score();
    musc_perform_options o = musc_perform_options_default();
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    /* rubato: two 4-bar phrases end later than written */
    double end0 = musc_music_ticks_to_seconds(orig, musc_music_end_time(orig));
    double end1 = musc_music_ticks_to_seconds(m, musc_music_end_time(m));
    printf("end: score %.3f s, performed %.3f s\n", end0, end1);
    assert_true(end1 > end0 + 0.05);
    assert_true(end1 < end0 + 1.0);
    /* chord roll: in each chord the lowest note comes first, all within
     * 40 ms */
    const musc_track *acc = &m->tracks[1];
    assert_int_equal(acc->n_notes, 96);
    size_t rolled = 0;
    for (size_t i = 0; i + 2 < acc->n_notes; i += 3) {
        double t0 = musc_music_ticks_to_seconds(m, acc->notes[i].time);
        double t2 = musc_music_ticks_to_seconds(m, acc->notes[i + 2].time);
        assert_true(acc->notes[i].pitch < acc->notes[i + 2].pitch);
        assert_true(t2 - t0 >= 0 && t2 - t0 < 0.040);
        rolled += t2 > t0;
    }
    assert_true(rolled > 24);
    musc_music_free(m);
    musc_music_free(orig);
}

static void legato_overlaps_and_staccato_shortens(void **state)
{
    (void)state;
    musc_music *m = score();
    musc_perform_options o = musc_perform_options_default();
    o.timing = 0;
    o.chord_spread = 0;
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    const musc_track *mel = &m->tracks[0];
    int64_t q = m->resolution;
    /* bar 1 (legato quarters): each note reaches past the next onset */
    for (size_t i = 0; i < 3; i++)
        assert_true(mel->notes[i].time + mel->notes[i].duration > mel->notes[i + 1].time);
    /* bar 2 (staccato, a third of a beat): shorter than written */
    for (size_t i = 4; i < 8; i++)
        assert_true(mel->notes[i].duration < q / 3);
    musc_music_free(m);
}

static void repeated_pitches_never_overlap(void **state)
{
    (void)state;
    /* legato repeated notes: each ends exactly where the next begins */
    for (uint64_t seed = 1; seed <= 10; seed++) {
        musc_music *m = musc_music_new(480);
        musc_track *t = musc_music_add_track(m, 0, 0, NULL);
        for (int i = 0; i < 32; i++) {
            assert_int_equal(musc_track_add_note(t, i * 240, 240, 60, 80), MUSC_OK);
            assert_int_equal(musc_track_add_note(t, i * 240, 240, 64 + (i % 2), 80), MUSC_OK);
        }
        musc_perform_options o = musc_perform_options_default();
        o.amount = 2;
        o.timing = 4;
        o.seed = seed;
        assert_int_equal(musc_perform(m, &o), MUSC_OK);
        for (size_t i = 0; i < t->n_notes; i++)
            for (size_t j = 0; j < t->n_notes; j++) {
                const musc_note *a = &m->tracks[0].notes[i], *b = &m->tracks[0].notes[j];
                if (i != j && a->pitch == b->pitch && a->time <= b->time)
                    assert_true(a->time + a->duration <= b->time);
            }
        musc_music_free(m);
    }
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    musc_music *m = score(), *orig = musc_music_copy(m);
    musc_perform_options o = musc_perform_options_default();
    o.amount = 3;
    assert_int_equal(musc_perform(m, &o), MUSC_ERR_ARG);
    o = musc_perform_options_default();
    o.phrase_bars = 0;
    assert_int_equal(musc_perform(m, &o), MUSC_ERR_ARG);
    assert_true(musc_music_equal(orig, m));
    assert_int_equal(musc_perform(NULL, NULL), MUSC_ERR_ARG);
    /* a hairpin far out of range is refused before anything moves */
    assert_int_equal(musc_track_add_hairpin(&m->tracks[0], (int64_t)1 << 62, 10,
                                            MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    musc_music *with = musc_music_copy(m);
    assert_int_equal(musc_perform(m, NULL), MUSC_ERR_INVALID);
    assert_true(musc_music_equal(with, m));
    musc_music_free(with);
    musc_music_free(m);
    musc_music_free(orig);
}

/* One bar of p (49) quarters, a crescendo over bars 2-3, then f (96): the
 * hairpin alone (other rules off) ramps the notes under it upward, never
 * down, from p toward f; at amount 0 nothing changes. */
static musc_music *crescendo_score(int target)
{
    musc_music *m = musc_music_new(480);
    assert_int_equal(musc_music_add_time_signature(m, 0, 4, 4), MUSC_OK);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    for (int i = 0; i < 16; i++)
        assert_int_equal(musc_track_add_note(t, i * 480, 480, 60 + i % 5, i < 12 ? 49 : target),
                         MUSC_OK);
    assert_int_equal(musc_track_add_hairpin(t, 4 * 480, 8 * 480, MUSC_HAIRPIN_CRESCENDO), MUSC_OK);
    return m;
}

static void crescendo_ramps_toward_the_next_mark(void **state)
{
    (void)state;
    musc_perform_options o = musc_perform_options_default();
    o.dynamics = o.timing = o.articulation = o.chord_spread = 0;
    musc_music *m = crescendo_score(96);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    const musc_track *t = &m->tracks[0];
    assert_int_equal(t->n_notes, 16);
    for (int i = 0; i < 4; i++)
        assert_int_equal(t->notes[i].velocity, 49); /* before it: as written */
    for (int i = 5; i < 12; i++)
        assert_true(t->notes[i].velocity >= t->notes[i - 1].velocity);
    assert_int_equal(t->notes[4].velocity, 49);            /* starts from p */
    assert_true(t->notes[11].velocity >= 49 + (96 - 49) * 6 / 8); /* nearly f */
    assert_true(t->notes[11].velocity < 96);
    for (int i = 12; i < 16; i++)
        assert_int_equal(t->notes[i].velocity, 96); /* the mark after it, as written */
    musc_music_free(m);

    /* no louder mark after it: one dynamic level up, held after it */
    m = crescendo_score(49);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    t = &m->tracks[0];
    for (int i = 5; i < 12; i++)
        assert_true(t->notes[i].velocity >= t->notes[i - 1].velocity);
    assert_true(t->notes[11].velocity > 49 && t->notes[11].velocity < 49 + 16);
    for (int i = 12; i < 16; i++)
        assert_int_equal(t->notes[i].velocity, 49 + 16);
    musc_music_free(m);

    /* a swell with no marks: the crescendo's level holds and the
     * diminuendo after it comes back from there to the written p */
    m = crescendo_score(49);
    assert_int_equal(musc_track_add_hairpin(&m->tracks[0], 13 * 480, 2 * 480,
                                            MUSC_HAIRPIN_DIMINUENDO), MUSC_OK);
    assert_int_equal(musc_track_add_note(&m->tracks[0], 16 * 480, 480, 60, 49), MUSC_OK);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    t = &m->tracks[0];
    assert_int_equal(t->notes[12].velocity, 49 + 16);     /* held */
    assert_int_equal(t->notes[13].velocity, 49 + 16);     /* the diminuendo's start */
    assert_true(t->notes[14].velocity < 49 + 16 && t->notes[14].velocity > 49);
    assert_int_equal(t->notes[15].velocity, 49);          /* after it: p again */
    musc_music_free(m);

    /* a diminuendo goes down; amount 0 leaves all as written */
    m = crescendo_score(20);
    m->tracks[0].hairpins[0].kind = MUSC_HAIRPIN_DIMINUENDO;
    musc_music *orig = musc_music_copy(m);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    for (int i = 5; i < 12; i++)
        assert_true(m->tracks[0].notes[i].velocity <= m->tracks[0].notes[i - 1].velocity);
    assert_true(m->tracks[0].notes[11].velocity < 30);
    musc_music_free(m);
    m = musc_music_copy(orig);
    o = musc_perform_options_default();
    o.amount = 0;
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    assert_true(musc_music_equal(m, orig));
    /* with every rule on, the crescendo still shows: louder at its end */
    o = musc_perform_options_default();
    musc_music_free(m);
    m = crescendo_score(96);
    assert_int_equal(musc_perform(m, &o), MUSC_OK);
    int first = 0, last = 0;
    for (int i = 4; i < 6; i++)
        first += m->tracks[0].notes[i].velocity;
    for (int i = 10; i < 12; i++)
        last += m->tracks[0].notes[i].velocity;
    assert_true(last > first + 40);
    musc_music_free(m);
    musc_music_free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amount_zero_is_the_exact_score),
        cmocka_unit_test(a_seed_reproduces_a_performance),
        cmocka_unit_test(velocities_and_onsets_stay_in_range),
        cmocka_unit_test(downbeats_are_accented),
        cmocka_unit_test(timing_rolls_chords_and_slows_phrase_ends),
        cmocka_unit_test(legato_overlaps_and_staccato_shortens),
        cmocka_unit_test(repeated_pitches_never_overlap),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(crescendo_ramps_toward_the_next_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
