/*
 * Humdrum **kern reader: one test per notation feature with exact notes,
 * error and repair paths, and the Haydn Op. 20 quartets (hand-checked
 * opening bars, and every movement read).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/kern.h"
#include "musc/musc.h"
#include "test_support.h"

/* Every input a test reads becomes a fuzzing seed of its own. */
static void save_seed(const char *text)
{
    static int count;
    char name[32];
    snprintf(name, sizeof name, "unit-%d", count++);
    test_save_seed("kern", name, text, strlen(text));
}

static musc_music *read_kern_flags(const char *text, int flags, musc_report *report)
{
    musc_music *m = NULL;
    musc_read_options o = musc_read_options_default();
    o.flags = flags;
    int rc = musc_kern_read_mem(text, strlen(text), &o, &m, report);
    if (rc)
        fail_msg("reading failed: %s", musc_errmsg());
    save_seed(text);
    return m;
}

static musc_music *read_kern(const char *text) { return read_kern_flags(text, 0, NULL); }

/* Expect a failure in strict mode whose message contains `needle`. */
static void expect_strict_error(const char *text, const char *needle)
{
    musc_music *m = NULL;
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    save_seed(text);
    int rc = musc_kern_read_mem(text, strlen(text), &o, &m, NULL);
    if (rc != MUSC_ERR_FORMAT)
        fail_msg("expected a format error containing \"%s\", got %d", needle, rc);
    if (!strstr(musc_errmsg(), needle))
        fail_msg("message \"%s\" lacks \"%s\"", musc_errmsg(), needle);
    assert_null(m);
}

/* Note i of a track as (pitch, start, duration) in quarters * 48. */
static void expect_note(const musc_music *m, size_t track, size_t i, int pitch, int64_t start48,
                        int64_t dur48)
{
    assert_true(track < m->n_tracks);
    if (i >= m->tracks[track].n_notes)
        fail_msg("track %zu has %zu notes, wanted note %zu", track, m->tracks[track].n_notes, i);
    const musc_note *n = &m->tracks[track].notes[i];
    if (n->pitch != pitch || n->time * 48 != start48 * m->resolution ||
        n->duration * 48 != dur48 * m->resolution)
        fail_msg("track %zu note %zu: pitch %d at %lld/48 for %lld/48 (res %d), wanted %d at %lld "
                 "for %lld",
                 track, i, n->pitch, (long long)(n->time * 48 / m->resolution),
                 (long long)(n->duration * 48 / m->resolution), m->resolution, pitch,
                 (long long)start48, (long long)dur48);
}

static void pitches_and_durations(void **state)
{
    (void)state;
    musc_music *m = read_kern("!!!OTL: Test piece\n!!!COM: Someone\n**kern\n"
                              "4c\n8cc\n8ccc\n4C\n4CC\n4c#\n4d-\n4e--\n4f##\n4gn\n"
                              "2.a\n4..b\n1B-\n0c\n*-\n");
    assert_string_equal(m->metadata.title, "Test piece");
    assert_int_equal(m->metadata.n_creators, 1);
    assert_string_equal(m->metadata.creators[0], "Someone");
    assert_string_equal(m->metadata.source_format, "kern");
    assert_int_equal(m->n_tracks, 1);
    assert_int_equal(m->tracks[0].n_notes, 14);
    int64_t t = 0;
    struct { int pitch; int64_t dur; } want[] = {
        {60, 48}, {72, 24}, {84, 24}, {48, 48}, {36, 48}, {61, 48}, {61, 48},
        {62, 48}, {67, 48}, {67, 48}, {69, 144}, {71, 84}, {58, 192}, {60, 384}};
    for (size_t i = 0; i < 14; i++) {
        expect_note(m, 0, i, want[i].pitch, t, want[i].dur);
        t += want[i].dur;
    }
    assert_int_equal(m->resolution, 24);
    musc_music_free(m);
}

static void tuplets_and_resolution(void **state)
{
    (void)state;
    /* 6 = triplet quarter (2/3), 12 = triplet eighth (1/3), 3%2 = 8/3,
     * 3.. = 7/3, 24 = 1/6, 5 = 4/5 (needs 5 in the resolution), 20 = 1/5 */
    musc_music *m = read_kern("**kern\n6c\n6d\n6e\n12f\n12g\n12a\n3%2b\n3..c\n24d\n5e\n20f\n*-\n");
    assert_int_equal(m->resolution, 120); /* lcm(24, 3, 6, 5) */
    int64_t starts[] = {0, 32, 64, 96, 112, 128, 144, 272, 384, 392, 432};
    int64_t durs[] = {32, 32, 32, 16, 16, 16, 128, 112, 8, 0, 0};
    for (size_t i = 0; i < 9; i++)
        expect_note(m, 0, i, m->tracks[0].notes[i].pitch, starts[i], durs[i]);
    /* quarters * 5: 4/5 and 1/5 of a quarter at 120 ticks */
    assert_int_equal(m->tracks[0].notes[9].duration, 96);
    assert_int_equal(m->tracks[0].notes[10].time, 392 * 120 / 48 + 96);
    assert_int_equal(m->tracks[0].notes[10].duration, 24);
    musc_music_free(m);
}

static void rests_ties_and_chords(void **state)
{
    (void)state;
    musc_music *m = read_kern("**kern\n4r\n[4c\n=2\n4c_\n4c]\n4e 2g 4c\n4e\n8ryy\n8cc\n*-\n");
    /* the tie chain is one note of three quarters; chord members keep their
     * own lengths and the line advances by the first (a quarter) */
    assert_int_equal(m->tracks[0].n_notes, 6);
    expect_note(m, 0, 0, 60, 48, 144);
    expect_note(m, 0, 1, 60, 192, 48);
    expect_note(m, 0, 2, 64, 192, 48);
    expect_note(m, 0, 3, 67, 192, 96);
    expect_note(m, 0, 4, 64, 240, 48);
    expect_note(m, 0, 5, 72, 312, 24);
    musc_music_free(m);
}

static void spines_align_in_time(void **state)
{
    (void)state;
    /* two parts, bar lines, comments and null tokens; the next line starts
     * when the earliest sounding note ends */
    musc_music *m = read_kern("!! a global comment\n"
                              "**kern\t**kern\n"
                              "*I\"Cello\t*Ivioln\n"
                              "*clefF4\t*clefG2\n"
                              "2C\t4g\n"
                              "!\t! local comments\n"
                              ".\t8a\n"
                              ".\t8b\n"
                              "=1\t=1\n"
                              "4D\t4.cc\n"
                              "4E\t.\n"
                              ".\t8dd\n"
                              "*-\t*-\n");
    assert_int_equal(m->n_tracks, 2);
    assert_string_equal(m->tracks[0].name, "Cello");
    assert_int_equal(m->tracks[0].program, 0);
    assert_string_equal(m->tracks[1].name, "Violin");
    assert_string_equal(m->tracks[1].instrument_name, "Violin");
    assert_int_equal(m->tracks[1].program, 40);
    expect_note(m, 0, 0, 48, 0, 96);
    expect_note(m, 0, 1, 50, 96, 48);
    expect_note(m, 0, 2, 52, 144, 48);
    expect_note(m, 1, 0, 67, 0, 48);
    expect_note(m, 1, 1, 69, 48, 24);
    expect_note(m, 1, 2, 71, 72, 24);
    expect_note(m, 1, 3, 72, 96, 72);
    expect_note(m, 1, 4, 74, 168, 24);
    musc_music_free(m);
}

static void split_and_join_are_voices_of_one_part(void **state)
{
    (void)state;
    musc_music *m = read_kern("**kern\t**kern\n"
                              "4C\t4c\n"
                              "*\t*^\n"
                              "4D\t4e\t8g\n"
                              ".\t.\t8a\n"
                              "4E\t2f\t4b\n"
                              "4F\t.\t4cc\n"
                              "*\t*v\t*v\n"
                              "4G\t4dd\n"
                              "*-\t*-\n");
    assert_int_equal(m->n_tracks, 2);
    assert_int_equal(m->tracks[0].n_notes, 5);
    assert_int_equal(m->tracks[1].n_notes, 8);
    /* sorted by time then pitch: both voices in track 1 */
    expect_note(m, 1, 0, 60, 0, 48);
    expect_note(m, 1, 1, 64, 48, 48);
    expect_note(m, 1, 2, 67, 48, 24);
    expect_note(m, 1, 3, 69, 72, 24);
    expect_note(m, 1, 4, 65, 96, 96);
    expect_note(m, 1, 5, 71, 96, 48);
    expect_note(m, 0, 4, 55, 192, 48);
    musc_music_free(m);
    m = read_kern("**kern\t**kern\n4C\t4c\n*\t*^\n4D\t4e\t8g\n.\t.\t8a\n*\t*v\t*v\n4dd\t4ee\n*-\t*-\n");
    expect_note(m, 1, 4, 76, 96, 48);
    musc_music_free(m);
}

static void exchange_add_and_other_spines(void **state)
{
    (void)state;
    /* **dynam is ignored; *x swaps two spines; *+ adds a **kern spine that
     * becomes a third track; **harm gives annotations */
    musc_music *m = read_kern("**kern\t**dynam\t**kern\t**harm\n"
                              "4c\tp\t4C\tI\n"
                              "*x\t*x\t*\t*\n"
                              "*\t*\t*+\t*\n"
                              "*\t*\t*\t**kern\t*\n"
                              "f\t4d\t4D\t4dd\tV7\n"
                              "*-\t*-\t*-\t*-\t*-\n");
    assert_int_equal(m->n_tracks, 3);
    expect_note(m, 0, 1, 62, 48, 48);
    expect_note(m, 1, 1, 50, 48, 48);
    expect_note(m, 2, 0, 74, 48, 48);
    assert_int_equal(m->n_annotations, 2);
    assert_string_equal(m->annotations[0].text, "I");
    assert_string_equal(m->annotations[1].text, "V7");
    assert_int_equal(m->annotations[1].time, m->resolution);
    assert_int_equal(m->annotations[1].kind, MUSC_ANN_OTHER);
    musc_music_free(m);
}

static void keys_meters_tempos(void **state)
{
    (void)state;
    musc_music *m = read_kern("**kern\t**kern\n"
                              "*k[b-e-a-]\t*k[b-e-a-]\n"
                              "*c:\t*c:\n"
                              "*M3/4\t*M3/4\n"
                              "*MM96\t*MM96\n"
                              "2.c\t2.C\n"
                              "*k[f#]\t*k[f#]\n"
                              "*M6/8\t*M6/8\n"
                              "*MM[Allegro]\t*\n"
                              "2.d\t2.D\n"
                              "*E:\t*E:\n"
                              "4e\t4E\n"
                              "*d:dor\t*\n"
                              "4f\t4F\n"
                              "*-\t*-\n");
    assert_int_equal(m->n_key_signatures, 4);
    assert_int_equal(m->key_signatures[0].fifths, -3);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_MINOR);
    assert_int_equal(m->key_signatures[0].root, 0);
    assert_int_equal(m->key_signatures[1].time, 3 * m->resolution);
    assert_int_equal(m->key_signatures[1].fifths, 1);
    assert_int_equal(m->key_signatures[1].mode, MUSC_MODE_NONE);
    /* *E: without a *k: fifths from the key */
    assert_int_equal(m->key_signatures[2].fifths, 4);
    assert_int_equal(m->key_signatures[2].mode, MUSC_MODE_MAJOR);
    assert_int_equal(m->key_signatures[2].root, 4);
    assert_int_equal(m->key_signatures[3].mode, MUSC_MODE_NONE);
    assert_int_equal(m->key_signatures[3].root, 2);
    assert_int_equal(m->n_time_signatures, 2);
    assert_int_equal(m->time_signatures[0].numerator, 3);
    assert_int_equal(m->time_signatures[1].numerator, 6);
    assert_int_equal(m->time_signatures[1].denominator, 8);
    assert_int_equal(m->n_tempos, 1);
    assert_true(m->tempos[0].qpm == 96.0);
    musc_music_free(m);
}

static void grace_notes_are_skipped(void **state)
{
    (void)state;
    musc_music *m = read_kern("**kern\n4c\nqd\n8qe\n4f\n*-\n");
    assert_int_equal(m->tracks[0].n_notes, 2);
    expect_note(m, 0, 0, 60, 0, 48);
    expect_note(m, 0, 1, 65, 48, 48);
    musc_music_free(m);
}

static void repeats_follow_the_expansion_list(void **state)
{
    (void)state;
    const char *text = "**kern\n*>[A,A,B]\n*>norep[A,B]\n*M2/4\n*>A\n=1\n4c\n4d\n=2:|!\n"
                       "*>B\n4e\n4f\n==\n*-\n";
    musc_music *m = read_kern(text);
    int want[] = {60, 62, 60, 62, 64, 65};
    assert_int_equal(m->tracks[0].n_notes, 6);
    for (size_t i = 0; i < 6; i++)
        expect_note(m, 0, i, want[i], 48 * (int64_t)i, 48);
    musc_music_free(m);
    m = read_kern_flags(text, MUSC_KERN_WRITTEN_ORDER, NULL);
    assert_int_equal(m->tracks[0].n_notes, 4);
    musc_music_free(m);
    /* an unknown label: error when strict, written order with a note else */
    const char *bad = "**kern\n*>[A,C]\n*>A\n4c\n*>B\n4d\n*-\n";
    expect_strict_error(bad, "line 2");
    musc_report rep = {0};
    m = read_kern_flags(bad, 0, &rep);
    assert_int_equal(m->tracks[0].n_notes, 2);
    assert_true(rep.n_repairs >= 1);
    assert_non_null(strstr(rep.repairs[0].message, "\"C\""));
    musc_report_clear(&rep);
    musc_music_free(m);
}

static void errors_and_repairs(void **state)
{
    (void)state;
    expect_strict_error("4c\n*-\n", "line 1");
    expect_strict_error("**kern\t**kern\n4c\t4d\n4e\n*-\t*-\n", "line 3: 1 fields, expected 2");
    expect_strict_error("**kern\n4x\n*-\n", "line 2");
    expect_strict_error("**kern\n4cccccccc\n*-\n", "line 2");
    expect_strict_error("**kern\n4c\n\n4d\n*-\n", "line 3: empty line");
    expect_strict_error("**text\nhello\n*-\n", "no **kern spine");
    expect_strict_error("**kern\n99999999c\n*-\n", "out of range");
    expect_strict_error("**kern\n4c#####\n*-\n", "out of range");
    expect_strict_error("**kern\ncc\n*-\n", "no duration");
    expect_strict_error("", "no spines");
    musc_music *m = NULL;
    assert_int_equal(musc_kern_read_mem("**kern\n4c\0\n", 11, NULL, &m, NULL), MUSC_ERR_FORMAT);
    /* repair mode pads a short line and reports it */
    musc_report rep = {0};
    m = read_kern_flags("**kern\t**kern\n4c\t4d\n4e\n4f\t4g\n*-\t*-\n", 0, &rep);
    assert_int_equal(rep.n_repairs, 1);
    assert_int_equal(rep.repairs[0].offset, 3);
    assert_int_equal(m->tracks[0].n_notes, 3);
    assert_int_equal(m->tracks[1].n_notes, 2);
    musc_report_clear(&rep);
    musc_music_free(m);
    /* a tie end with no start is a new note, reported */
    m = read_kern_flags("**kern\n4c]\n*-\n", 0, &rep);
    assert_int_equal(m->tracks[0].n_notes, 1);
    assert_int_equal(rep.n_repairs, 1);
    musc_report_clear(&rep);
    musc_music_free(m);
    /* tuplets of 7, 11, 13, 17 and 19 need more ticks than the cap:
     * rounded to 10080 per quarter, with a note */
    m = read_kern_flags("**kern\n7c\n11d\n13e\n17f\n19g\n4a\n*-\n", 0, &rep);
    assert_int_equal(m->resolution, 10080);
    assert_int_equal(rep.n_repairs, 1);
    assert_int_equal(m->tracks[0].notes[1].time, 5760); /* 4/7 quarter */
    assert_int_equal(musc_music_validate(m), MUSC_OK);
    musc_report_clear(&rep);
    musc_music_free(m);
    /* hostile: so many coprime tuplets that exact times overflow */
    char buf[4096];
    size_t k = (size_t)snprintf(buf, sizeof buf, "**kern\n");
    for (int d = 7; d < 300 && k < sizeof buf - 32; d += 2)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%dc\n", d);
    snprintf(buf + k, sizeof buf - k, "*-\n");
    expect_strict_error(buf, "too fine");
    /* hostile: a repeated section that splits a spine (padded lines) grows
     * the grid quadratically; the reader stops at its work limit */
    size_t cap = 4 * 4000 + 256;
    char *big = malloc(cap);
    assert_non_null(big);
    k = (size_t)snprintf(big, cap, "**kern\n*>[A");
    for (int i = 1; i < 4000; i++)
        k += (size_t)snprintf(big + k, cap - k, ",A");
    snprintf(big + k, cap - k, "]\n*>A\n*^\n4c\n4c\n4c\n4c\n4c\n4c\n4c\n4c\n4c\n4c\n*-\n");
    m = NULL;
    assert_int_equal(musc_kern_read_mem(big, strlen(big), NULL, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "2^26"));
    free(big);
}

/* Haydn Op. 20 No. 1, first movement, bars 1 and 4, checked by hand
 * against the file's text (cello, viola, violin 2, violin 1 from the left):
 *   bar 1  cello 8E- 8EE- 4r 8E- 8EE- 4r; viola 4g 8a- 8f 8e- 8B- 8c 8A-;
 *          violin 2 1r; violin 1 4b- 8cc 8a- 4g 8a- 8f
 *   bar 4  cello 3..r 24r 8EE- ...: a rest of 7/3 + 1/6 quarter, so the
 *          E-flat starts 2.5 quarters into the bar. */
static void haydn_opening_bars(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        skip();
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/haydn_op20/op20/1/i/op20n1-01.krn", data);
    musc_music *m = NULL;
    int rc = musc_kern_read(path, NULL, &m, NULL);
    if (rc)
        fail_msg("%s", musc_errmsg());
    char *text = test_read_file(path, NULL);
    if (text) { /* the opening as a seed: real headers and spines */
        text[strlen(text) > 3000 ? 3000 : strlen(text)] = '\0';
        save_seed(text);
        free(text);
    }
    assert_int_equal(m->n_tracks, 4);
    assert_string_equal(m->metadata.title, "String Quartet in E-flat Major");
    assert_int_equal(m->key_signatures[0].fifths, -3);
    assert_int_equal(m->key_signatures[0].root, 3);
    assert_int_equal(m->time_signatures[0].numerator, 4);
    expect_note(m, 0, 0, 51, 0, 24);
    expect_note(m, 0, 1, 39, 24, 24);
    int viola[] = {67, 68, 65, 63, 58, 60, 56};
    int64_t vstart[] = {0, 48, 72, 96, 120, 144, 168};
    for (size_t i = 0; i < 7; i++)
        expect_note(m, 1, i, viola[i], vstart[i], i ? 24 : 48);
    int v1[] = {70, 72, 68, 67, 68, 65};
    int64_t v1start[] = {0, 48, 72, 96, 144, 168}, v1dur[] = {48, 24, 24, 48, 24, 24};
    for (size_t i = 0; i < 6; i++)
        expect_note(m, 3, i, v1[i], v1start[i], v1dur[i]);
    /* violin 2 rests through bar 1: its first note comes later */
    assert_true(m->tracks[2].notes[0].time >= 4 * m->resolution);
    /* bar 4 starts at 12 quarters; the cello's E-flat at 14.5 */
    int found = 0;
    for (size_t i = 0; i < m->tracks[0].n_notes; i++)
        if (m->tracks[0].notes[i].time * 2 == 29 * (int64_t)m->resolution) {
            assert_int_equal(m->tracks[0].notes[i].pitch, 39);
            found = 1;
        }
    assert_true(found);
    musc_music_free(m);
}

/* Every movement: 4 tracks, every track with notes in a string quartet's
 * range, a plausible note count, and the _tsroot copy (extra analysis
 * spines) giving the same notes. */
static void haydn_all_movements(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        skip();
    }
    int movements = 0;
    size_t total = 0;
    for (int q = 1; q <= 6; q++) {
        static const char *const mv[] = {"i", "ii", "iii", "iv"};
        for (int k = 0; k < 4; k++) {
            char path[1024], path2[1024];
            snprintf(path, sizeof path, "%s/haydn_op20/op20/%d/%s/op20n%d-%02d.krn", data, q, mv[k],
                     q, k + 1);
            snprintf(path2, sizeof path2, "%s/haydn_op20/op20/%d/%s/op20n%d-%02d_tsroot.krn", data,
                     q, mv[k], q, k + 1);
            musc_music *m = NULL, *m2 = NULL;
            if (musc_kern_read(path, NULL, &m, NULL))
                fail_msg("%s", musc_errmsg());
            if (musc_kern_read(path2, NULL, &m2, NULL))
                fail_msg("%s", musc_errmsg());
            assert_true(m->n_tracks == 4 || m->n_tracks == 5); /* 6/i has a fifth staff */
            size_t n = musc_music_note_count(m);
            if (n < 300 || n > 5000)
                fail_msg("%s: %zu notes", path, n);
            total += n;
            for (size_t t = 0; t < m->n_tracks; t++) {
                assert_true(m->tracks[t].n_notes > 0);
                for (size_t i = 0; i < m->tracks[t].n_notes; i++) {
                    int p = m->tracks[t].notes[i].pitch;
                    if (p < 36 || p > 100)
                        fail_msg("%s: track %zu pitch %d", path, t, p);
                }
            }
            assert_int_equal(musc_music_validate(m), MUSC_OK);
            assert_int_equal(musc_music_note_count(m2), n);
            assert_int_equal(m2->n_tracks, m->n_tracks);
            for (size_t t = 0; t < m->n_tracks; t++)
                for (size_t i = 0; i < m->tracks[t].n_notes; i++) {
                    const musc_note *a = &m->tracks[t].notes[i], *b = &m2->tracks[t].notes[i];
                    assert_true(a->time == b->time && a->duration == b->duration &&
                                a->pitch == b->pitch);
                }
            musc_music_free(m);
            musc_music_free(m2);
            movements++;
        }
    }
    assert_int_equal(movements, 24);
    printf("haydn op20: 24 movements, %zu notes\n", total);
}

static int cmp_row(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    for (int i = 0; i < 4; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

/* The notes of every movement agree with tests/io/kern_notes.py, which
 * times each part on its own by adding up its durations (where musc times
 * the whole grid line by line): same tracks, onsets, lengths and pitches. */
static void haydn_matches_part_by_part_reading(void **state)
{
    (void)state;
    const char *data = test_shared_data(), *src = getenv("MUSC_SOURCE_DIR");
    if (!data || !src || test_run("python3 -c 'import fractions'", NULL, NULL) != 0) {
        printf("SKIP: needs ../shared/data and python3\n");
        skip();
    }
    size_t compared = 0;
    for (int q = 1; q <= 6; q++) {
        static const char *const mv[] = {"i", "ii", "iii", "iv"};
        for (int k = 0; k < 4; k++) {
            char path[1024], cmd[3072];
            snprintf(path, sizeof path, "%s/haydn_op20/op20/%d/%s/op20n%d-%02d.krn", data, q, mv[k],
                     q, k + 1);
            musc_music *m = NULL;
            if (musc_kern_read(path, NULL, &m, NULL))
                fail_msg("%s", musc_errmsg());
            size_t n = musc_music_note_count(m), j = 0;
            int64_t *rows = malloc(4 * n * sizeof *rows);
            assert_non_null(rows);
            for (size_t t = 0; t < m->n_tracks; t++)
                for (size_t i = 0; i < m->tracks[t].n_notes; i++, j++) {
                    const musc_note *nt = &m->tracks[t].notes[i];
                    rows[4 * j] = (int64_t)t;
                    rows[4 * j + 1] = nt->time;
                    rows[4 * j + 2] = nt->duration;
                    rows[4 * j + 3] = nt->pitch;
                }
            qsort(rows, n, 4 * sizeof *rows, cmp_row);
            size_t cap = 64 * n + 64, len = 0;
            char *mine = malloc(cap);
            assert_non_null(mine);
            mine[0] = '\0';
            for (j = 0; j < n; j++)
                len += (size_t)snprintf(mine + len, cap - len, "%lld %lld %lld %lld\n",
                                        (long long)rows[4 * j], (long long)rows[4 * j + 1],
                                        (long long)rows[4 * j + 2], (long long)rows[4 * j + 3]);
            snprintf(cmd, sizeof cmd, "python3 '%s/tests/io/kern_notes.py' '%s' %d", src, path,
                     m->resolution);
            char *theirs = NULL;
            int rc = test_run(cmd, &theirs, NULL);
            assert_int_equal(rc, 0);
            if (strcmp(mine, theirs)) {
                size_t at = 0;
                while (mine[at] && mine[at] == theirs[at])
                    at++;
                fail_msg("%s: musc and kern_notes.py differ at byte %zu:\n musc: %.60s\n them: %.60s",
                         path, at, mine + at, theirs + at);
            }
            compared += n;
            free(theirs);
            free(mine);
            free(rows);
            musc_music_free(m);
        }
    }
    printf("haydn op20: %zu notes agree with the part-by-part reading\n", compared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pitches_and_durations),
        cmocka_unit_test(tuplets_and_resolution),
        cmocka_unit_test(rests_ties_and_chords),
        cmocka_unit_test(spines_align_in_time),
        cmocka_unit_test(split_and_join_are_voices_of_one_part),
        cmocka_unit_test(exchange_add_and_other_spines),
        cmocka_unit_test(keys_meters_tempos),
        cmocka_unit_test(grace_notes_are_skipped),
        cmocka_unit_test(repeats_follow_the_expansion_list),
        cmocka_unit_test(errors_and_repairs),
        cmocka_unit_test(haydn_opening_bars),
        cmocka_unit_test(haydn_all_movements),
        cmocka_unit_test(haydn_matches_part_by_part_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
