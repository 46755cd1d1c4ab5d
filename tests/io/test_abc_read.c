/*
 * ABC reader: unit tests for each notation feature, error paths, and a
 * comparison with abc2midi over the Nottingham tune books.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/abc.h"
#include "musc/musc.h"
#include "test_support.h"

static musc_music *read_abc(const char *text)
{
    musc_music *m = NULL;
    int rc = musc_abc_read_mem(text, strlen(text), NULL, &m, NULL);
    if (rc)
        fail_msg("reading failed: %s", musc_errmsg());
    test_save_seed("abc", "unit", text, strlen(text));
    return m;
}

/* Note i of track 0 as (pitch, start, duration) in quarters * 48. */
static void expect_note(const musc_music *m, size_t track, size_t i, int pitch, int64_t start48,
                        int64_t dur48)
{
    assert_true(track < m->n_tracks);
    assert_true(i < m->tracks[track].n_notes);
    const musc_note *n = &m->tracks[track].notes[i];
    assert_int_equal(n->pitch, pitch);
    assert_int_equal(n->time * 48, start48 * m->resolution);
    assert_int_equal(n->duration * 48, dur48 * m->resolution);
}

static void pitches_octaves_and_lengths(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nT:t\nM:4/4\nL:1/8\nK:C\nC c c' C, D2 E/2 F/ G// A3/2 B|\n");
    assert_string_equal(m->metadata.title, "t");
    assert_int_equal(m->tracks[0].n_notes, 10);
    expect_note(m, 0, 0, 60, 0, 24);
    expect_note(m, 0, 1, 72, 24, 24);
    expect_note(m, 0, 2, 84, 48, 24);
    expect_note(m, 0, 3, 48, 72, 24);
    expect_note(m, 0, 4, 62, 96, 48);
    expect_note(m, 0, 5, 64, 144, 12);
    expect_note(m, 0, 6, 65, 156, 12);
    expect_note(m, 0, 7, 67, 168, 6);
    expect_note(m, 0, 8, 69, 174, 36);
    expect_note(m, 0, 9, 71, 210, 24);
    musc_music_free(m);
}

static void lyrics_align_and_verses_number(void **state)
{
    (void)state;
    /* quarter notes; the rest, "_" (hold) and "*" (skip) take no syllable;
     * "|" jumps to the next bar; the second w: line is verse 2 */
    musc_music *m = read_abc("X:1\nL:1/4\nM:4/4\nK:C\nC D z E F | G A B c- | c4 |\n"
                             "w: Hap-py birth_ * | to~you\\-all\n"
                             "w: Sec-ond\n"
                             "C D E F\n"
                             "w: new line\n");
    const musc_track *t = &m->tracks[0];
    struct { int64_t q; const char *text; int verse; } want[] = {
        {0, "Hap", 0},   {0, "Sec", 1}, {1, "py", 0}, {1, "ond", 1}, {3, "birth", 0},
        {9, "to you-all", 0}, {13, "new", 0}, {14, "line", 0}}; /* bar 1 holds 5 */
    size_t n = sizeof want / sizeof *want;
    assert_int_equal(t->n_lyrics, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t->lyrics[i].time, want[i].q * m->resolution);
        assert_string_equal(t->lyrics[i].text, want[i].text);
        assert_int_equal(t->lyrics[i].verse, want[i].verse);
    }
    musc_music_free(m);
}

static void key_and_bar_accidentals(void **state)
{
    (void)state;
    /* D major: F# and C#; =f cancels until the bar; ^g carries in the bar */
    musc_music *m = read_abc("X:1\nL:1/4\nK:D\nF =F F ^G G | F c _B B|\n");
    int want[] = {66, 65, 65, 68, 68, 66, 73, 70, 70};
    assert_int_equal(m->tracks[0].n_notes, 9);
    for (int i = 0; i < 9; i++)
        assert_int_equal(m->tracks[0].notes[i].pitch, want[i]);
    assert_int_equal(m->n_key_signatures, 1);
    assert_int_equal(m->key_signatures[0].fifths, 2);
    assert_int_equal(m->key_signatures[0].mode, MUSC_MODE_MAJOR);
    assert_int_equal(m->key_signatures[0].root, 2);
    musc_music_free(m);
}

static void key_modes(void **state)
{
    (void)state;
    struct { const char *k; int fifths, mode, root; } cases[] = {
        {"Am", 0, MUSC_MODE_MINOR, 9},   {"Edor", 2, MUSC_MODE_NONE, 4},
        {"G mix", 0, MUSC_MODE_NONE, 7}, {"F lyd", 0, MUSC_MODE_NONE, 5},
        {"E phr", 0, MUSC_MODE_NONE, 4}, {"B loc", 0, MUSC_MODE_NONE, 11},
        {"Bb", -2, MUSC_MODE_MAJOR, 10}, {"F#m", 3, MUSC_MODE_MINOR, 6},
        {"C minor", -3, MUSC_MODE_MINOR, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "X:1\nK:%s\nC|\n", cases[i].k);
        musc_music *m = read_abc(buf);
        assert_int_equal(m->key_signatures[0].fifths, cases[i].fifths);
        assert_int_equal(m->key_signatures[0].mode, cases[i].mode);
        assert_int_equal(m->key_signatures[0].root, cases[i].root);
        musc_music_free(m);
    }
    /* explicit accidentals in K: */
    musc_music *m = read_abc("X:1\nL:1/4\nK:C ^f _b\nF B c|\n");
    assert_int_equal(m->tracks[0].notes[0].pitch, 66);
    assert_int_equal(m->tracks[0].notes[1].pitch, 70);
    musc_music_free(m);
}

static void broken_rhythm_tuplets_chords_ties(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nM:4/4\nL:1/8\nK:C\nA>B C<D (3EFG [CEG]2 c2-|c2 z2 x2 A>>B|\n");
    const musc_track *t = &m->tracks[0];
    expect_note(m, 0, 0, 69, 0, 36);  /* A> */
    expect_note(m, 0, 1, 71, 36, 12); /* B */
    expect_note(m, 0, 2, 60, 48, 12); /* C< */
    expect_note(m, 0, 3, 62, 60, 36); /* D */
    expect_note(m, 0, 4, 64, 96, 16); /* triplet */
    expect_note(m, 0, 5, 65, 112, 16);
    expect_note(m, 0, 6, 67, 128, 16);
    /* chord at 144: three notes of 48 each */
    int chord = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].time * 48 == 144 * m->resolution)
            chord++;
    assert_int_equal(chord, 3);
    /* c2-|c2 tied into one note of 96 starting at 192 */
    int found = 0;
    for (size_t i = 0; i < t->n_notes; i++)
        if (t->notes[i].pitch == 72) {
            assert_int_equal(t->notes[i].time * 48, 192 * m->resolution);
            assert_int_equal(t->notes[i].duration * 48, 96 * m->resolution);
            found++;
        }
    assert_int_equal(found, 1);
    /* A>>B after two rests: 7/4 and 1/4 of an eighth */
    const musc_note *a = &t->notes[t->n_notes - 2], *b = &t->notes[t->n_notes - 1];
    assert_int_equal(a->duration * 48, 42 * m->resolution);
    assert_int_equal(b->duration * 48, 6 * m->resolution);
    assert_int_equal(b->time * 48, (288 + 192 - 96 + 42) * m->resolution);
    musc_music_free(m);
}

static void general_tuplet(void **state)
{
    (void)state;
    /* (3:2:2 : two notes in the time of... p=3 q=2 applies to 2 notes */
    musc_music *m = read_abc("X:1\nL:1/8\nK:C\n(3:2:2AB C|\n");
    expect_note(m, 0, 0, 69, 0, 16);
    expect_note(m, 0, 1, 71, 16, 16);
    expect_note(m, 0, 2, 60, 32, 24);
    musc_music_free(m);
    /* (5 in 4/4: five in the time of two (simple meter) */
    m = read_abc("X:1\nM:4/4\nL:1/8\nK:C\n(5CDEFG|\n");
    assert_int_equal(m->tracks[0].notes[1].time * 240, 48 * m->resolution);
    musc_music_free(m);
}

static int64_t quarters48(const musc_music *m, int64_t t) { return t * 48 / m->resolution; }

static void repeats_and_endings(void **state)
{
    (void)state;
    /* |: A :| B  -> A A B */
    musc_music *m = read_abc("X:1\nL:1/4\nK:C\n|:A:|B|\n");
    assert_int_equal(m->tracks[0].n_notes, 3);
    assert_int_equal(m->tracks[0].notes[1].pitch, 69);
    assert_int_equal(quarters48(m, m->tracks[0].notes[2].time), 96);
    musc_music_free(m);
    /* A |1 B :|2 C || D -> A B A C D */
    m = read_abc("X:1\nL:1/4\nK:C\n|:A|1B:|2c||d|\n");
    int want[] = {69, 71, 69, 72, 74};
    assert_int_equal(m->tracks[0].n_notes, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(m->tracks[0].notes[i].pitch, want[i]);
    musc_music_free(m);
    /* [1 [2 style and :: */
    m = read_abc("X:1\nL:1/4\nK:C\n|A:|B [1c:|[2d|]|:e::f:|\n");
    int want2[] = {69, 69, 71, 72, 71, 74, 76, 76, 77, 77};
    assert_int_equal(m->tracks[0].n_notes, 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(m->tracks[0].notes[i].pitch, want2[i]);
    musc_music_free(m);
}

static void parts_order(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nL:1/4\nP:A2B\nK:C\nP:A\nC|\nP:B\nD|\n");
    int want[] = {60, 60, 62};
    assert_int_equal(m->tracks[0].n_notes, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(m->tracks[0].notes[i].pitch, want[i]);
    musc_music_free(m);
}

static void voices_meter_tempo_chords(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nT:Two\nC:Someone\nM:3/4\nL:1/4\nQ:1/4=90\nK:G\n"
                             "V:1\n\"G\"B c d|[M:2/4]\"D7\"A2|\nV:2\nG,3|D,2|\n");
    assert_int_equal(m->n_tracks, 2);
    assert_string_equal(m->tracks[0].name, "1");
    assert_int_equal(m->tracks[0].n_notes, 4);
    assert_int_equal(m->tracks[1].n_notes, 2);
    assert_int_equal(m->n_tempos, 1);
    assert_true(m->tempos[0].qpm > 89.99 && m->tempos[0].qpm < 90.01);
    assert_int_equal(m->n_time_signatures, 2);
    assert_int_equal(m->time_signatures[1].numerator, 2);
    assert_int_equal(quarters48(m, m->time_signatures[1].time), 144);
    assert_int_equal(m->tracks[0].n_annotations, 2);
    assert_int_equal(m->tracks[0].annotations[0].kind, MUSC_ANN_CHORD);
    assert_string_equal(m->tracks[0].annotations[1].text, "D7");
    assert_string_equal(m->metadata.creators[0], "Someone");
    musc_music_free(m);
    /* tempo in unit lengths and 3/8 beats */
    m = read_abc("X:1\nL:1/8\nQ:3/8=60\nK:C\nC|\n");
    assert_true(m->tempos[0].qpm > 89.99 && m->tempos[0].qpm < 90.01);
    musc_music_free(m);
}

static void chord_track_option(void **state)
{
    (void)state;
    const char *t = "X:1\nL:1/4\nK:C\n\"C\"C D \"Am7\"E F|\n";
    musc_read_options o = musc_read_options_default();
    o.flags = MUSC_ABC_CHORD_TRACK;
    musc_music *m;
    assert_int_equal(musc_abc_read_mem(t, strlen(t), &o, &m, NULL), 0);
    assert_int_equal(m->n_tracks, 2);
    assert_string_equal(m->tracks[1].name, "Chords");
    assert_int_equal(m->tracks[1].n_notes, 3 + 4);
    assert_int_equal(m->tracks[1].notes[0].duration * 48, 96 * m->resolution);
    musc_music_free(m);
    /* several voices with chords: the chord track survives the tracks
     * array moving as later voices are added (a use-after-free once) */
    const char *many = "X:1\nL:1/4\nK:C\nV:1\n\"C\"C D|\nV:2\n\"G\"E F|\nV:3\nG A|\nV:4\n\"F\"B c|\n"
                       "V:5\nd e|\nV:6\n\"Am\"f g|\n";
    assert_int_equal(musc_abc_read_mem(many, strlen(many), &o, &m, NULL), 0);
    assert_int_equal(m->n_tracks, 7);
    assert_string_equal(m->tracks[1].name, "Chords");
    assert_int_equal(m->tracks[1].n_notes, 3 + 3 + 3 + 3);
    musc_music_free(m);
}

static void grace_decorations_comments(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nL:1/4\nK:C\n% comment\n{g}A !trill!B .c ~d (ef) \\\n"
                             "!f!g % tail\n|]\n");
    assert_int_equal(m->tracks[0].n_notes, 7);
    assert_int_equal(m->tracks[0].notes[6].velocity, 105);
    musc_music_free(m);
}

/* Decorations and texts on a chord's notes stay inside the chord: a dynamic
 * takes effect, the others are skipped, and the chord is not cut short. */
static void decorations_inside_chords(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nL:1/4\nK:C\n[!f!CEG]2 [C\"^x\"E!<(!G] A|]\n");
    assert_int_equal(m->tracks[0].n_notes, 7);
    for (size_t i = 0; i < 3; i++) {
        expect_note(m, 0, i, 60 + (int)(i == 1) * 4 + (int)(i == 2) * 7, 0, 96);
        assert_int_equal(m->tracks[0].notes[i].velocity, 105);
    }
    expect_note(m, 0, 3, 60, 96, 48);
    expect_note(m, 0, 5, 67, 96, 48);
    expect_note(m, 0, 6, 69, 144, 48);
    musc_music_free(m);

    /* strict reading accepts it: nothing to repair */
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    const char *text = "X:1\nL:1/4\nK:C\n[!p!CE\"_t\"G] C|]\n";
    assert_int_equal(musc_abc_read_mem(text, strlen(text), &o, &m, NULL), 0);
    assert_int_equal(m->tracks[0].n_notes, 4);
    expect_note(m, 0, 3, 60, 48, 48);
    musc_music_free(m);
}

/* A header P: order that names none of the body's parts plays the body as
 * written, as abc2midi does (Nottingham reelsh-l.abc, X:48). */
static void part_order_naming_no_part(void **state)
{
    (void)state;
    musc_music *m = read_abc("X:1\nP:B\\&B\nL:1/4\nK:C\nz z|\nP:ad lib\nC D|E F|\n");
    assert_int_equal(m->tracks[0].n_notes, 4);
    expect_note(m, 0, 0, 60, 96, 48);
    musc_music_free(m);
    m = read_abc("X:1\nP:BA\nL:1/4\nK:C\nP:A\nC D|\nP:B\nE F|\n");
    assert_int_equal(m->tracks[0].n_notes, 4);
    expect_note(m, 0, 0, 64, 0, 48);
    musc_music_free(m);
}

static void tune_book_and_selection(void **state)
{
    (void)state;
    const char *book = "% header\n\nX:3\nT:First\nK:C\nC|\n\nX:7\nT:Second\nK:C\nD E|\n";
    musc_abc_tune_info *ti;
    size_t n;
    assert_int_equal(musc_abc_list(book, strlen(book), &ti, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ti[1].number, 7);
    assert_string_equal(ti[1].title, "Second");
    musc_abc_tune_info_free(ti, n);
    musc_read_options o = musc_read_options_default();
    o.index = 1;
    musc_music *m;
    assert_int_equal(musc_abc_read_mem(book, strlen(book), &o, &m, NULL), 0);
    assert_int_equal(m->tracks[0].n_notes, 2);
    musc_music_free(m);
    o.index = 2;
    assert_int_equal(musc_abc_read_mem(book, strlen(book), &o, &m, NULL), MUSC_ERR_NOTFOUND);
    musc_music **all;
    assert_int_equal(musc_abc_read_book_mem(book, strlen(book), NULL, &all, &n, NULL), 0);
    assert_int_equal(n, 2);
    musc_music_list_free(all, n);
}

static void errors_and_repairs(void **state)
{
    (void)state;
    musc_music *m = NULL;
    const char *bad = "X:1\nK:C\nA B ? C|\n";
    musc_report rep = {0};
    assert_int_equal(musc_abc_read_mem(bad, strlen(bad), NULL, &m, &rep), 0);
    assert_int_equal(m->tracks[0].n_notes, 3);
    assert_int_equal(rep.n_repairs, 1);
    assert_non_null(strstr(rep.repairs[0].message, "line 3, column 5"));
    musc_report_clear(&rep);
    musc_music_free(m);
    musc_read_options o = musc_read_options_default();
    o.strict = 1;
    assert_int_equal(musc_abc_read_mem(bad, strlen(bad), &o, &m, NULL), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "line 3, column 5"));
    const char *cases[] = {"X:1\nK:C\n\"Am unterminated\n",
                           "X:1\nK:C\nA99999999999999/999999999|\n",
                           "", "X:1\nK:C\nA/999999/999999/999999/999999|\n"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        test_save_seed("abc", "bad", cases[i], strlen(cases[i]));
        int rc = musc_abc_read_mem(cases[i], strlen(cases[i]), NULL, &m, NULL);
        if (rc != MUSC_ERR_FORMAT)
            fail_msg("case %zu: rc %d", i, rc);
        assert_null(m);
        assert_true(strlen(musc_errmsg()) > 0);
    }
    /* an open chord is closed where it cannot go on (an error when strict) */
    const char *open_chord = "X:1\nL:1/4\nK:C\n[CE(3ABc|[CEG\n";
    assert_int_equal(musc_abc_read_mem(open_chord, strlen(open_chord), NULL, &m, &rep), 0);
    assert_int_equal(rep.n_repairs, 2);
    assert_int_equal(m->tracks[0].n_notes, 2 + 3 + 3);
    musc_report_clear(&rep);
    musc_music_free(m);
    assert_int_equal(musc_abc_read_mem(open_chord, strlen(open_chord), &o, &m, NULL), MUSC_ERR_FORMAT);
    /* an unknown key is repaired to C major (an error when strict) */
    const char *badkey = "X:1\nK:Q\nA|\n";
    assert_int_equal(musc_abc_read_mem(badkey, strlen(badkey), NULL, &m, &rep), 0);
    assert_int_equal(rep.n_repairs, 1);
    assert_int_equal(m->key_signatures[0].fifths, 0);
    musc_report_clear(&rep);
    musc_music_free(m);
    assert_int_equal(musc_abc_read_mem(badkey, strlen(badkey), &o, &m, NULL), MUSC_ERR_FORMAT);
    /* repeats cannot loop forever */
    const char *loops = "X:1\nL:1/4\nK:C\n|:A||B:|:|::|[1[2:|C\n";
    assert_int_equal(musc_abc_read_mem(loops, strlen(loops), NULL, &m, NULL), 0);
    musc_music_free(m);
}

/* ---- abc2midi comparison ---------------------------------------------------- */

typedef struct { int pitch; int64_t start, dur; } ref_note;

static int cmp_ref(const void *a, const void *b)
{
    const ref_note *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->pitch != y->pitch) return x->pitch - y->pitch;
    return (x->dur > y->dur) - (x->dur < y->dur);
}

static void nottingham_matches_abc2midi(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data (Nottingham ABC)\n");
        skip();
    }
    if (test_run("command -v abc2midi && /usr/bin/python3 -c 'import mido'", NULL, NULL) != 0) {
        printf("SKIP: needs abc2midi and /usr/bin/python3 with mido (scripts/deps.sh)\n");
        skip();
    }
    char *cmd = malloc(4096);
    const char *src = getenv("MUSC_SOURCE_DIR");
    snprintf(cmd, 4096, "/usr/bin/python3 %s/tests/io/abc2midi_notes.py %s/nottingham/ABC_cleaned/*.abc",
             src ? src : ".", data);
    char *out = NULL;
    assert_int_equal(test_run(cmd, &out, NULL), 0);
    free(cmd);
    size_t tunes = 0, pass = 0;
    char *line = out, *cur_file = NULL;
    char *book = NULL;
    size_t book_size = 0;
    musc_abc_tune_info *info = NULL;
    size_t n_info = 0;
    ref_note *ref = malloc(sizeof *ref * 100000);
    int64_t x = -1;
    size_t n_ref = 0;
    size_t mismatch_printed = 0;
    for (;;) {
        char *nl = line ? strchr(line, '\n') : NULL;
        int is_end = !line || !*line;
        if (is_end || line[0] == 'T') {
            if (x >= 0) {
                /* compare the previous tune */
                tunes++;
                int index = -1;
                for (size_t i = 0; i < n_info; i++)
                    if (info[i].number == x) { index = (int)i; break; }
                musc_read_options o = musc_read_options_default();
                o.index = index;
                musc_music *m = NULL;
                int ok = 0;
                if (index >= 0 && musc_abc_read_mem(book, book_size, &o, &m, NULL) == 0) {
                    size_t n = musc_music_note_count(m);
                    ok = n == n_ref;
                    if (ok) {
                        ref_note *mine = malloc(sizeof *mine * (n ? n : 1));
                        size_t k = 0;
                        for (size_t ti = 0; ti < m->n_tracks; ti++)
                            for (size_t j = 0; j < m->tracks[ti].n_notes; j++) {
                                const musc_note *q = &m->tracks[ti].notes[j];
                                mine[k].pitch = q->pitch;
                                mine[k].start = q->time * 480 / m->resolution;
                                mine[k].dur = q->duration * 480 / m->resolution;
                                if (q->time * 480 % m->resolution || q->duration * 480 % m->resolution)
                                    mine[k].dur = -1;
                                k++;
                            }
                        qsort(mine, n, sizeof *mine, cmp_ref);
                        qsort(ref, n_ref, sizeof *ref, cmp_ref);
                        size_t first_bad = n;
                        for (size_t j = 0; j < n && first_bad == n; j++)
                            if (cmp_ref(&mine[j], &ref[j]))
                                first_bad = j;
                        ok = first_bad == n;
                        if (!ok && mismatch_printed++ < 40)
                            printf("  mismatch %s X:%lld: note %zu musc (%d,%lld,%lld) abc2midi (%d,%lld,%lld)\n",
                                   cur_file, (long long)x, first_bad, mine[first_bad].pitch,
                                   (long long)mine[first_bad].start, (long long)mine[first_bad].dur,
                                   ref[first_bad].pitch, (long long)ref[first_bad].start,
                                   (long long)ref[first_bad].dur);
                        free(mine);
                    } else if (mismatch_printed++ < 40) {
                        printf("  mismatch %s X:%lld: %zu notes, abc2midi %zu\n", cur_file,
                               (long long)x, n, n_ref);
                    }
                } else if (mismatch_printed++ < 40) {
                    printf("  failed %s X:%lld: %s\n", cur_file, (long long)x, musc_errmsg());
                }
                musc_music_free(m);
                pass += ok;
            }
            if (is_end)
                break;
            char file[1024];
            long long num;
            if (sscanf(line, "T %1023s %lld", file, &num) == 2) {
                if (!cur_file || strcmp(cur_file, file)) {
                    free(cur_file);
                    cur_file = strdup(file);
                    free(book);
                    book = test_read_file(file, &book_size);
                    musc_abc_tune_info_free(info, n_info);
                    musc_abc_list(book, book_size, &info, &n_info);
                }
                x = num;
                n_ref = 0;
            }
        } else if (line[0] == 'N' && n_ref < 100000) {
            int p;
            long long s, d;
            if (sscanf(line, "N %d %lld %lld", &p, &s, &d) == 3)
                ref[n_ref++] = (ref_note){p, s, d};
        }
        line = nl ? nl + 1 : NULL;
    }
    double rate = tunes ? 100.0 * (double)pass / (double)tunes : 0;
    printf("ABC vs abc2midi (Nottingham): %zu of %zu tunes equal (%.2f %%)\n", pass, tunes, rate);
    musc_abc_tune_info_free(info, n_info);
    free(book);
    free(cur_file);
    free(ref);
    free(out);
    assert_true(tunes > 1000);
    /* The target is 99 %. Measured: 98.26 % (1016 of 1034; 1015
     * before ":||" kept the pass count for a following [2). The other 18
     * differ where abc2midi departs from the written form, by class (one
     * example each):
     *  - it does not restart the ending count at a double bar or new part,
     *    so a later section's [1 ... :| [2 plays once and its first ending
     *    is skipped (jigs X:1 "A and D": musc 171 notes, abc2midi 128);
     *  - a :| with no |: in its section jumps back past a || to an earlier
     *    |: or the tune start (ashover X:6 "Bonnie Kate", 125 vs 151);
     *  - a tie into a second ending is not continued: the tied note sounds
     *    again (reelsh-l X:53: one more G in abc2midi);
     *  - damaged input repaired differently: an unclosed chord bracket
     *    "[e2c2(3A/2B/2c/2|" (jigs X:153: musc holds the e longer).
     * This floor guards against regressions; it is not the target. */
    assert_true(rate >= 98.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pitches_octaves_and_lengths),
        cmocka_unit_test(lyrics_align_and_verses_number),
        cmocka_unit_test(key_and_bar_accidentals),
        cmocka_unit_test(key_modes),
        cmocka_unit_test(broken_rhythm_tuplets_chords_ties),
        cmocka_unit_test(general_tuplet),
        cmocka_unit_test(repeats_and_endings),
        cmocka_unit_test(parts_order),
        cmocka_unit_test(voices_meter_tempo_chords),
        cmocka_unit_test(chord_track_option),
        cmocka_unit_test(grace_decorations_comments),
        cmocka_unit_test(decorations_inside_chords),
        cmocka_unit_test(tune_book_and_selection),
        cmocka_unit_test(part_order_naming_no_part),
        cmocka_unit_test(errors_and_repairs),
        cmocka_unit_test(nottingham_matches_abc2midi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
