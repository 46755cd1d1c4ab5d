/*
 * Metrics on small constructed pieces, each value worked out by hand in the
 * comment next to it (MusPy's definitions; Pypianoroll's and MuseGAN's from
 * their papers and documentation), plus the edge cases: no tracks, no
 * notes, drums only, one note.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

#define EPS 1e-9
#define assert_nan(x) assert_true(isnan(x))

/* Piece A, resolution 4, one piano track:
 *   (time, duration, pitch) = (0,4,60) (0,2,64) (2,2,67) (4,3,61) (12,2,72) (0,1,48)
 * Roll: step 0 sounds {48,60,64}; step 1 {60,64}; 2-3 {60,67}; 4-6 {61};
 * 7-11 nothing; 12-13 {72}. Length 14. */
static musc_music *piece_a(void)
{
    musc_music *m = musc_music_new(4);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    musc_track_add_note(t, 0, 4, 60, 64);
    musc_track_add_note(t, 0, 2, 64, 64);
    musc_track_add_note(t, 2, 2, 67, 64);
    musc_track_add_note(t, 4, 3, 61, 64);
    musc_track_add_note(t, 12, 2, 72, 64);
    musc_track_add_note(t, 0, 1, 48, 64);
    return m;
}

static void pitch_metrics_by_hand(void **state)
{
    (void)state;
    musc_music *m = piece_a();
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_int_equal(r.length, 14);
    assert_int_equal(r.n_notes, 6);
    assert_float_equal(r.pitch_range, 24, EPS);        /* 72 - 48 */
    assert_float_equal(r.n_pitches_used, 6, EPS);
    assert_float_equal(r.n_pitch_classes_used, 4, EPS); /* C, C#, E, G */
    assert_float_equal(r.pitch_entropy, log2(6.0), EPS); /* six pitches once each */
    /* pitch classes: C 3 times, C# E G once: -(1/2 log 1/2 + 3 * 1/6 log 1/6) */
    assert_float_equal(r.pitch_class_entropy, 0.5 + 0.5 * log2(6.0), EPS);
    assert_float_equal(r.pitch_in_scale_rate, 5.0 / 6.0, EPS); /* all but C# in C major */
    assert_float_equal(r.scale_consistency, 5.0 / 6.0, EPS);  /* no scale holds C, C#, E, G */
    /* single functions agree */
    assert_int_equal(musc_pitch_range(m), 24);
    assert_int_equal(musc_n_pitches_used(m), 6);
    assert_int_equal(musc_n_pitch_classes_used(m), 4);
    assert_float_equal(musc_pitch_entropy(m), log2(6.0), EPS);
    assert_float_equal(musc_pitch_class_entropy(m), 0.5 + 0.5 * log2(6.0), EPS);
    assert_float_equal(musc_scale_consistency(m), 5.0 / 6.0, EPS);
    /* C# major = {1,3,5,6,8,10,0}: the three Cs and the C# */
    assert_float_equal(musc_pitch_in_scale_rate(m, 1, MUSC_MODE_MAJOR), 4.0 / 6.0, EPS);
    /* A minor = C major */
    assert_float_equal(musc_pitch_in_scale_rate(m, 9, MUSC_MODE_MINOR), 5.0 / 6.0, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void polyphony_by_hand(void **state)
{
    (void)state;
    musc_music *m = piece_a();
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    /* cells 3+2+2+2+3+2 = 14 over 9 sounding steps (0-6, 12-13) */
    assert_float_equal(r.polyphony, 14.0 / 9.0, EPS);
    /* only step 0 has more than 2 pitches; 14 steps */
    assert_float_equal(r.polyphony_rate, 1.0 / 14.0, EPS);
    assert_float_equal(musc_polyphony(m), 14.0 / 9.0, EPS);
    assert_float_equal(musc_polyphony_rate(m, 2), 1.0 / 14.0, EPS);
    /* more than 1 pitch: steps 0-3 */
    assert_float_equal(musc_polyphony_rate(m, 1), 4.0 / 14.0, EPS);
    /* more than 0: every sounding step */
    assert_float_equal(musc_polyphony_rate(m, 0), 9.0 / 14.0, EPS);
    /* Pypianoroll: cells of C# (3 of 14) are out of C major */
    assert_float_equal(r.in_scale_rate, 11.0 / 14.0, EPS);
    assert_float_equal(r.polyphonic_rate, 1.0 / 14.0, EPS); /* the one track's */
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void overlapping_same_pitch_counts_once(void **state)
{
    (void)state;
    /* MusPy's roll is binary: (0,4,60) and (2,4,60) sound 60 over 0-5 */
    musc_music *m = musc_music_new(4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 4, 60, 64);
    musc_track_add_note(t, 2, 4, 60, 64);
    musc_track_add_note(t, 3, 0, 62, 64); /* zero length: no cell */
    assert_float_equal(musc_polyphony(m), 1.0, EPS);
    assert_float_equal(musc_polyphony_rate(m, 0), 1.0, EPS);
    musc_music_free(m);
}

static void rhythm_by_hand(void **state)
{
    (void)state;
    musc_music *m = piece_a();
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    /* beats of 4 ticks, 14 // 4 + 1 = 4 beats; a note touches beats
     * start//4 .. end//4: (0,4)->0-1 (4,7)->1 (12,14)->3: beat 2 empty */
    assert_float_equal(r.empty_beat_rate, 0.25, EPS);
    assert_float_equal(musc_empty_beat_rate(m), 0.25, EPS);
    /* default measure 16 ticks: one measure, touched */
    assert_float_equal(r.empty_measure_rate, 0.0, EPS);
    /* measures of 2 ticks: 8 units, touched 0-3 and 6-7 */
    assert_float_equal(musc_empty_measure_rate(m, 2), 0.25, EPS);
    /* one 16-tick measure: fewer than two, NaN */
    assert_nan(r.groove_consistency);
    /* measures of 4: onsets {0,2} {0} {} {0}: Hamming 1+1+1 over 4*3 */
    assert_float_equal(musc_groove_consistency(m, 4), 0.75, EPS);
    /* no time signature: the ts variants equal MusPy's with 4/4 */
    assert_float_equal(r.empty_beat_rate_ts, 0.25, EPS);
    assert_float_equal(r.empty_measure_rate_ts, 0.0, EPS);
    assert_nan(r.groove_consistency_ts);
    assert_nan(r.drum_in_pattern_rate);
    assert_nan(r.drum_pattern_consistency);
    assert_nan(r.drum_pattern_rate);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void three_four_time(void **state)
{
    (void)state;
    /* resolution 4, 3/4: bars of 12 ticks. Onsets 0, 12, 13, 24; length 25 */
    musc_music *m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 3, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 60, 64);
    musc_track_add_note(t, 12, 1, 60, 64);
    musc_track_add_note(t, 13, 1, 64, 64);
    musc_track_add_note(t, 24, 1, 62, 64);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    /* MusPy, 16-tick measures: {0,12,13} vs {8}: 4 differences over 16 */
    assert_float_equal(r.groove_consistency, 0.75, EPS);
    /* bars of 12: {0} {0,1} {0}: 1 + 1 over 12 + 12 */
    assert_float_equal(r.groove_consistency_ts, 1.0 - 2.0 / 24.0, EPS);
    /* quarter beats: 7 (0..24), touched 0, 3, 6 */
    assert_float_equal(r.empty_beat_rate, 1.0 - 3.0 / 7.0, EPS);
    assert_float_equal(r.empty_beat_rate_ts, 1.0 - 3.0 / 7.0, EPS);
    /* bars 0, 12, 24 all touched */
    assert_float_equal(r.empty_measure_rate_ts, 0.0, EPS);
    /* MuseGAN bars cover [0, 25): 3 bars, all sound; UPC: {C} {C,E} {D} */
    assert_float_equal(r.tracks[0].empty_bar_rate, 0.0, EPS);
    assert_float_equal(r.tracks[0].used_pitch_classes, 4.0 / 3.0, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void meter_change_and_six_eight(void **state)
{
    (void)state;
    /* 4/4 then 3/4 at tick 16 (resolution 4): bars [0,16) [16,28) [28,40);
     * one onset on each downbeat: identical onset vectors */
    musc_music *m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_time_signature(m, 16, 3, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 60, 64);
    musc_track_add_note(t, 16, 1, 60, 64);
    musc_track_add_note(t, 28, 1, 60, 64);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.groove_consistency_ts, 1.0, EPS);
    /* MusPy's fixed 16-tick measures, 29 // 16 + 1 = 2: {0} vs {0, 12} */
    assert_float_equal(r.groove_consistency, 1.0 - 1.0 / 16.0, EPS);
    /* MuseGAN: bar 3 [28,40) is the last (length 29); none empty */
    assert_float_equal(r.tracks[0].empty_bar_rate, 0.0, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);

    /* 6/8 at resolution 4: beats are eighths (2 ticks); a note (0,4) touches
     * eighths 0..2 (end inclusive, as MusPy); length 4: eighths 0, 2, 4 */
    m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 6, 8);
    t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 1, 60, 64);
    musc_track_add_note(t, 3, 1, 60, 64);
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    /* eighth beats at 0, 2, 4 (length 4): (0,1)->0 (3,4)->1..2 -> none empty */
    assert_float_equal(r.empty_beat_rate_ts, 0.0, EPS);
    /* quarter beats 0, 4 (MusPy): (0,1)->0, (3,4)->0..1 */
    assert_float_equal(r.empty_beat_rate, 0.0, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void drums_only(void **state)
{
    (void)state;
    /* resolution 12: duple grid {0,3,6,9}, triple {0,4,8}, sixteenths {0,3,6,9} */
    musc_music *m = musc_music_new(12);
    musc_track *t = musc_music_add_track(m, 0, 1, "drums");
    const int times[] = {0, 3, 4, 8, 13};
    for (int i = 0; i < 5; i++)
        musc_track_add_note(t, times[i], 1, 36, 100);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.drum_in_pattern_rate, 2.0 / 5.0, EPS);   /* 0, 3 */
    assert_float_equal(musc_drum_in_pattern_rate(m, MUSC_METER_TRIPLE), 3.0 / 5.0, EPS);
    assert_float_equal(r.drum_pattern_consistency, 3.0 / 5.0, EPS);
    assert_float_equal(r.drum_pattern_rate, 2.0 / 5.0, EPS);      /* MuseGAN DP */
    assert_float_equal(r.tracks[0].drum_pattern_rate, 2.0 / 5.0, EPS);
    /* pitch metrics ignore drums: MusPy's pitch_range would say -127 here */
    assert_float_equal(r.pitch_range, 0, EPS);
    assert_float_equal(r.n_pitches_used, 0, EPS);
    assert_nan(r.pitch_entropy);
    assert_nan(r.pitch_class_entropy);
    assert_nan(r.scale_consistency);
    assert_nan(r.pitch_in_scale_rate);
    assert_nan(r.polyphony);
    assert_nan(r.qualified_note_rate);
    /* the roll is empty but the song has length 14 */
    assert_float_equal(r.polyphony_rate, 0.0, EPS);
    /* drums count for empty beats: beats 0 and 1 (13//12) of 2 */
    assert_float_equal(r.empty_beat_rate, 0.0, EPS);
    /* groove counts drums too: 48-tick measures, 14 // 48 + 1 = 1 -> NaN */
    assert_nan(r.groove_consistency);
    assert_float_equal(musc_groove_consistency(m, 12), 1.0 - 5.0 / 12.0, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void no_notes_and_no_tracks(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_int_equal(r.n_tracks, 0);
    assert_float_equal(r.pitch_range, 0, EPS);
    assert_float_equal(r.n_pitches_used, 0, EPS);
    assert_float_equal(r.n_pitch_classes_used, 0, EPS);
    size_t n;
    const musc_metric_info *tab = musc_metric_table(&n);
    for (size_t i = 3; i < n; i++) /* everything after the counts */
        assert_true(isnan(musc_metric_value(&r, &tab[i])));
    musc_metrics_clear(&r);

    musc_music_add_track(m, 0, 0, "silent");
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_int_equal(r.length, 0);
    assert_nan(r.empty_beat_rate);  /* MusPy: length < 1 */
    assert_nan(r.polyphony_rate);
    assert_nan(r.groove_consistency);
    assert_nan(r.polyphony);
    assert_nan(r.empty_bar_rate);   /* no bar to be empty */
    assert_int_equal(r.tracks[0].n_notes, 0);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void one_note(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 24, 60, 64);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.pitch_range, 0, EPS);
    assert_float_equal(r.n_pitches_used, 1, EPS);
    assert_float_equal(r.pitch_entropy, 0, EPS);
    assert_float_equal(r.pitch_class_entropy, 0, EPS);
    assert_float_equal(r.polyphony, 1, EPS);
    assert_float_equal(r.polyphony_rate, 0, EPS);
    assert_float_equal(r.scale_consistency, 1, EPS);
    /* length 24: beats 0 and 1; the note ends on beat 1 and touches it */
    assert_float_equal(r.empty_beat_rate, 0, EPS);
    assert_nan(r.groove_consistency);
    assert_float_equal(r.qualified_note_rate, 1, EPS);
    assert_float_equal(r.empty_bar_rate, 0, EPS);
    assert_float_equal(r.used_pitch_classes, 1, EPS);
    assert_nan(r.tonal_distance); /* one track: no pair */
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void qualified_notes(void **state)
{
    (void)state;
    musc_music *m = piece_a();
    musc_metrics_options o = musc_metrics_options_default();
    o.qualified_ticks = 2; /* durations 4 2 2 3 2 1: five of six */
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, &o, &r), MUSC_OK);
    assert_float_equal(r.qualified_note_rate, 5.0 / 6.0, EPS);
    assert_float_equal(r.tracks[0].qualified_note_rate, 5.0 / 6.0, EPS);
    musc_metrics_clear(&r);
    /* default: resolution / 8 = 3 ticks at resolution 24 */
    musc_music_free(m);
    m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 2, 60, 64);
    musc_track_add_note(t, 0, 3, 62, 64);
    musc_track_add_note(t, 0, 30, 64, 64);
    musc_track_add_note(t, 0, 1, 65, 64);
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.qualified_note_rate, 0.5, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void tonal_distance_by_hand(void **state)
{
    (void)state;
    /* resolution 4. Beat 0: track 0 sounds C, track 1 G; beat 1: only track
     * 0 (skipped). Centroids C = (0,1,0,1,0,.5), G = (.5,.866,1,0,.433,-.25):
     * distance sqrt(3.0179) = 1.7372245659 */
    musc_music *m = musc_music_new(4);
    musc_track *a = musc_music_add_track(m, 0, 0, "a");
    musc_track_add_note(a, 0, 4, 60, 64);
    musc_track_add_note(a, 4, 4, 62, 64);
    musc_track *b = musc_music_add_track(m, 33, 0, "b");
    musc_track_add_note(b, 0, 4, 67, 64);
    musc_track *d = musc_music_add_track(m, 0, 1, "drums");
    musc_track_add_note(d, 0, 1, 36, 100);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_int_equal(r.n_tracks, 3);
    assert_float_equal(r.tonal_distances[0 * 3 + 1], 1.7372245659186154, 1e-12);
    assert_float_equal(r.tonal_distances[1 * 3 + 0], 1.7372245659186154, 1e-12);
    assert_nan(r.tonal_distances[0]);
    assert_nan(r.tonal_distances[0 * 3 + 2]); /* drums */
    assert_float_equal(r.tonal_distance, 1.7372245659186154, 1e-12);
    /* the drum track counts for EB (bar [0,8) sounds) but not for UPC */
    assert_float_equal(r.tracks[2].empty_bar_rate, 0, EPS);
    assert_nan(r.tracks[2].used_pitch_classes);
    assert_nan(r.tracks[2].qualified_note_rate);
    assert_float_equal(r.tracks[0].used_pitch_classes, 2, EPS);
    musc_metrics_clear(&r);

    /* C against a C major triad: 1.0293416658 */
    b->n_notes = 0;
    musc_track_add_note(b, 0, 4, 60, 64);
    musc_track_add_note(b, 0, 4, 64, 64);
    musc_track_add_note(b, 0, 4, 67, 64);
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.tonal_distance, 1.0293416658159198, 1e-12);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void empty_bars_per_track(void **state)
{
    (void)state;
    /* resolution 1, 4/4 bars of 4 ticks; length 12: 3 bars.
     * track 0 sounds in bars 0 and 2; track 1 only bar 1 (a note ending at 8
     * does not sound in bar 2) */
    musc_music *m = musc_music_new(1);
    musc_track *a = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(a, 0, 1, 60, 64);
    musc_track_add_note(a, 11, 1, 61, 64);
    musc_track *b = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(b, 4, 4, 60, 64);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_float_equal(r.tracks[0].empty_bar_rate, 1.0 / 3.0, EPS);
    assert_float_equal(r.tracks[1].empty_bar_rate, 2.0 / 3.0, EPS);
    assert_float_equal(r.empty_bar_rate, 0.5, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void key_signature_scale_and_bad_options(void **state)
{
    (void)state;
    musc_music *m = piece_a();
    musc_music_add_key_signature(m, 0, 7, MUSC_MODE_MAJOR, 1); /* C# major */
    musc_metrics_options o = musc_metrics_options_default();
    o.scale_root = -1;
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, &o, &r), MUSC_OK);
    assert_float_equal(r.pitch_in_scale_rate, 4.0 / 6.0, EPS);
    musc_metrics_clear(&r);
    o.scale_mode = 7;
    assert_int_equal(musc_metrics_compute(m, &o, &r), MUSC_ERR_ARG);
    assert_null(r.tracks);
    musc_music_free(m);
}

static void controls_extend_the_length(void **state)
{
    (void)state;
    /* MusPy reads control changes as annotations, which count for the end */
    musc_music *m = musc_music_new(4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 4, 60, 64);
    musc_track_add_control(t, 15, 64, 0);
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    assert_int_equal(r.length, 15);
    /* 4 beats (0..3), the note touches 0 and 1 */
    assert_float_equal(r.empty_beat_rate, 0.5, EPS);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

static void pop909_song(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: pop909_song needs ../shared/data\n");
        skip();
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/pop909/POP909/001/001.mid", data);
    musc_music *m = NULL;
    if (musc_read(path, NULL, &m, NULL) != MUSC_OK) {
        printf("SKIP: %s not readable: %s\n", path, musc_errmsg());
        skip();
    }
    musc_metrics r;
    assert_int_equal(musc_metrics_compute(m, NULL, &r), MUSC_OK);
    /* sanity: pop songs are tonal, mostly in one scale, and busy */
    assert_true(r.scale_consistency > 0.8 && r.scale_consistency <= 1.0);
    assert_true(r.pitch_class_entropy > 2.0 && r.pitch_class_entropy < log2(12.0));
    assert_true(r.groove_consistency > 0.5 && r.groove_consistency <= 1.0);
    assert_true(r.polyphony >= 1.0);
    assert_int_equal(r.n_tracks, m->n_tracks);
    /* the single-metric functions agree with the all-in-one pass */
    assert_float_equal(musc_polyphony(m), r.polyphony, 0);
    assert_float_equal(musc_empty_beat_rate(m), r.empty_beat_rate, 0);
    assert_float_equal(musc_scale_consistency(m), r.scale_consistency, 0);
    musc_metrics_clear(&r);
    musc_music_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pitch_metrics_by_hand),
        cmocka_unit_test(polyphony_by_hand),
        cmocka_unit_test(overlapping_same_pitch_counts_once),
        cmocka_unit_test(rhythm_by_hand),
        cmocka_unit_test(three_four_time),
        cmocka_unit_test(meter_change_and_six_eight),
        cmocka_unit_test(drums_only),
        cmocka_unit_test(no_notes_and_no_tracks),
        cmocka_unit_test(one_note),
        cmocka_unit_test(qualified_notes),
        cmocka_unit_test(tonal_distance_by_hand),
        cmocka_unit_test(empty_bars_per_track),
        cmocka_unit_test(key_signature_scale_and_bad_options),
        cmocka_unit_test(controls_extend_the_length),
        cmocka_unit_test(pop909_song),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
