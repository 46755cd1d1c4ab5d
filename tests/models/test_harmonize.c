/*
 * The harmonizer: Viterbi on a tiny hand-worked HMM, POP909's chord and
 * beat files, the model file (round trip and every way it can be wrong),
 * frames and human chords of a small lead sheet, template matching and
 * the HMM on melodies whose answer is plain, the written score and its
 * voice leading, and the corpus split.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

#define EPS 1e-9

/* Seeds for fuzz_harmony_text: the first byte picks the parser. */
static void seed(char which, const char *name, const char *text)
{
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    buf[0] = which;
    memcpy(buf + 1, text, n);
    test_save_seed("harmony_text", name, buf, n + 1);
    free(buf);
}

/* Healthy/Fever: start .6/.4, stay .7/.6, emissions normal .5/.1,
 * cold .4/.3, dizzy .1/.6. Observed normal, cold, dizzy:
 *   t0  H .3      F .04
 *   t1  H .3*.7*.4 = .084 (from H)   F .3*.3*.3 = .027 (from H)
 *   t2  H .084*.7*.1 = .00588        F .084*.3*.6 = .01512 (from H)
 * best: H H F. */
static void viterbi_on_a_hand_model(void **state)
{
    (void)state;
    double init[2] = {log(.6), log(.4)};
    double trans[4] = {log(.7), log(.3), log(.4), log(.6)};
    double emit[6] = {log(.5), log(.1), log(.4), log(.3), log(.1), log(.6)};
    int path[3] = {-1, -1, -1};
    assert_int_equal(musc_viterbi(2, 3, init, trans, emit, path), MUSC_OK);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[1], 0);
    assert_int_equal(path[2], 1);
    /* a dizzy start flips the first step: F .4*.6=.24 beats H .6*.1=.06 */
    double emit2[6] = {log(.1), log(.6), log(.1), log(.6), log(.1), log(.6)};
    assert_int_equal(musc_viterbi(2, 3, init, trans, emit2, path), MUSC_OK);
    assert_int_equal(path[0], 1);
    assert_int_equal(path[1], 1);
    assert_int_equal(path[2], 1);
    assert_int_equal(musc_viterbi(0, 3, init, trans, emit, path), MUSC_ERR_ARG);
    assert_int_equal(musc_viterbi(2, 0, init, trans, NULL, NULL), MUSC_OK);
}

/* The same model observing normal, dizzy, cold. Summing the 8 paths:
 *   P(H at t0) .02613 vs F .005488; t1 H .008362 vs F .023256;
 *   t2 H .017272 vs F .014346 -> posterior path H F H,
 * while the single best path is H F F (.3 * .3*.6 * .6*.3 = .00972 against
 * H F H's .3 * .3*.6 * .4*.4 = .00864). */
static void posterior_decoding_differs_from_viterbi(void **state)
{
    (void)state;
    double init[2] = {log(.6), log(.4)};
    double trans[4] = {log(.7), log(.3), log(.4), log(.6)};
    double emit[6] = {log(.5), log(.1), log(.1), log(.6), log(.4), log(.3)};
    int path[3];
    assert_int_equal(musc_hmm_posterior(2, 3, init, trans, emit, path), MUSC_OK);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[1], 1);
    assert_int_equal(path[2], 0);
    assert_int_equal(musc_viterbi(2, 3, init, trans, emit, path), MUSC_OK);
    assert_int_equal(path[0], 0);
    assert_int_equal(path[1], 1);
    assert_int_equal(path[2], 1);
    assert_int_equal(musc_hmm_posterior(0, 3, init, trans, emit, path), MUSC_ERR_ARG);
}

static void pop909_chord_file_becomes_annotations(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(480);
    musc_music_add_tempo(m, 0, 120); /* 1 s = 960 ticks */
    const char *text = "0.0\t1.0\tN\n1.0\t2.5\tC#:maj7\r\n\n3.0\t4.0\tA:min/b3\n";
    seed('c', "unit", text);
    assert_int_equal(musc_harmony_read_chord_lab(text, strlen(text), m), MUSC_OK);
    /* N at 0, C#:maj7 at 960, N in the gap at 2400, A:min/b3 at 2880, N at 3840 */
    assert_int_equal(m->n_annotations, 5);
    assert_int_equal(m->annotations[1].time, 960);
    assert_string_equal(m->annotations[1].text, "C#:maj7");
    assert_int_equal(m->annotations[2].time, 2400);
    assert_string_equal(m->annotations[2].text, "N");
    assert_int_equal(m->annotations[3].kind, MUSC_ANN_CHORD);
    assert_int_equal(musc_triad_parse(m->annotations[3].text), 9 * 4 + 1);
    assert_int_equal(m->annotations[4].time, 3840);

    static const char *const bad[] = {"0.0 1.0\n", "x 1 C\n", "2 1 C\n", "-1 1 C\n",
                                      "0 nan C\n", "0 1e300 C\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        seed('c', i % 2 ? "bad1" : "bad0", bad[i]);
        assert_int_equal(musc_harmony_read_chord_lab(bad[i], strlen(bad[i]), m), MUSC_ERR_FORMAT);
        assert_non_null(strstr(musc_errmsg(), "line 1"));
        assert_int_equal(m->n_annotations, 5); /* unchanged */
    }
    /* a later bad line takes back what the good lines added */
    const char *late = "0 1 C\n1 2 G\noops\n";
    assert_int_equal(musc_harmony_read_chord_lab(late, strlen(late), m), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "line 3"));
    assert_int_equal(m->n_annotations, 5);
    musc_music_free(m);
}

static void pop909_beat_file_gives_beats_and_bars(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(480);
    musc_music_add_tempo(m, 0, 60); /* 1 s = 480 ticks */
    const char *text = "0.5 1.0 1.0\n1.5 0.0 0.0\n2.5 1.0 0.0\n3.5 0.0 0.0\n4.5 1.0 1.0\n";
    seed('b', "unit", text);
    int64_t *beats, *bars;
    size_t nb, nbar;
    assert_int_equal(musc_harmony_read_beat_lab(text, strlen(text), m, &beats, &nb, &bars, &nbar),
                     MUSC_OK);
    assert_int_equal(nb, 5);
    assert_int_equal(nbar, 2);
    assert_int_equal(beats[1], 720);
    assert_int_equal(bars[0], 240);
    assert_int_equal(bars[1], 2160);
    free(beats);
    free(bars);
    const char *bad = "0.5 1.0\n";
    assert_int_equal(musc_harmony_read_beat_lab(bad, strlen(bad), m, &beats, &nb, &bars, &nbar),
                     MUSC_ERR_FORMAT);
    assert_null(beats);
    musc_music_free(m);
}

/* Resolution 4, 4/4: bar = 16 ticks, half bar = 8. Melody C E G | G B D |
 * F A C | C E G, chord symbols C at 0, G7 at 16, F at 32, C at 48. */
static musc_music *lead_sheet(void)
{
    musc_music *m = musc_music_new(4);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0);
    musc_track *t = musc_music_add_track(m, 0, 0, "melody");
    static const int pitches[16] = {60, 64, 67, 64, 67, 71, 74, 71, 65, 69, 72, 69, 60, 64, 67, 72};
    for (int i = 0; i < 16; i++)
        musc_track_add_note(t, 4 * i, 4, pitches[i], 80);
    musc_track_add_annotation(t, 0, MUSC_ANN_CHORD, "C");
    musc_track_add_annotation(t, 16, MUSC_ANN_CHORD, "G7");
    musc_track_add_annotation(t, 32, MUSC_ANN_CHORD, "F");
    musc_track_add_annotation(t, 48, MUSC_ANN_CHORD, "C");
    return m;
}

static void piece_frames_and_human_chords(void **state)
{
    (void)state;
    musc_music *m = lead_sheet();
    musc_harmony_piece p;
    assert_int_equal(musc_harmony_piece_from_music(m, -1, MUSC_HARMONY_HALF_BAR, &p), MUSC_OK);
    assert_int_equal(p.n_notes, 16);
    assert_int_equal(p.n_frames, 8);
    for (size_t i = 0; i <= 8; i++)
        assert_int_equal(p.frames[i], 8 * (int64_t)i);
    static const int want[8] = {0, 0, 28, 28, 20, 20, 0, 0};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(p.chords[i], want[i]);
        assert_int_equal(p.bar_start[i], i % 2 == 0);
    }
    assert_int_equal(p.key_shift, 0);
    musc_harmony_piece_clear(&p);

    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BAR, &p), MUSC_OK);
    assert_int_equal(p.n_frames, 4);
    assert_int_equal(p.frames[4], 64);
    musc_harmony_piece_clear(&p);
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BEAT, &p), MUSC_OK);
    assert_int_equal(p.n_frames, 16);
    musc_harmony_piece_clear(&p);

    /* D major key signature: two sharps, shift 10 semitones up to C */
    m->key_signatures[0].fifths = 2;
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BAR, &p), MUSC_OK);
    assert_int_equal(p.key_shift, 10);
    musc_harmony_piece_clear(&p);
    musc_music_free(m);
}

static void melody_is_made_monophonic(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(4);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 8, 60, 80);
    musc_track_add_note(t, 0, 8, 72, 80); /* same onset, higher: kept */
    musc_track_add_note(t, 4, 4, 67, 80); /* cuts the 72 at 4 */
    musc_harmony_piece p;
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BAR, &p), MUSC_OK);
    assert_int_equal(p.n_notes, 2);
    assert_int_equal(p.melody[0].pitch, 72);
    assert_int_equal(p.melody[0].duration, 4);
    assert_int_equal(p.melody[1].pitch, 67);
    assert_null(p.chords); /* no chord symbols */
    musc_harmony_piece_clear(&p);
    musc_music_free(m);
}

static void no_melody_is_a_clear_error(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(4);
    musc_harmony_piece p;
    assert_int_equal(musc_harmony_piece_from_music(m, -1, MUSC_HARMONY_HALF_BAR, &p),
                     MUSC_ERR_NOTFOUND);
    assert_non_null(strstr(musc_errmsg(), "no melody"));
    musc_track *d = musc_music_add_track(m, 0, 1, "drums");
    musc_track_add_note(d, 0, 1, 36, 100);
    assert_int_equal(musc_harmony_piece_from_music(m, -1, MUSC_HARMONY_HALF_BAR, &p),
                     MUSC_ERR_NOTFOUND);
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_HALF_BAR, &p),
                     MUSC_ERR_ARG);
    assert_non_null(strstr(musc_errmsg(), "drum"));
    assert_int_equal(musc_harmony_piece_from_music(m, 3, MUSC_HARMONY_HALF_BAR, &p),
                     MUSC_ERR_ARG);
    musc_music *out = NULL;
    assert_int_equal(musc_harmonize_music(m, -1, MUSC_HARMONY_HALF_BAR, MUSC_HARMONIZE_TEMPLATE,
                                          NULL, MUSC_ACCOMP_BLOCK, &out),
                     MUSC_ERR_NOTFOUND);
    assert_null(out);
    musc_music_free(m);
}

static void template_finds_the_arpeggiated_triads(void **state)
{
    (void)state;
    musc_music *m = lead_sheet();
    musc_harmony_piece p;
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BAR, &p), MUSC_OK);
    int chords[4];
    assert_int_equal(musc_harmonize_piece(&p, MUSC_HARMONIZE_TEMPLATE, NULL, chords), MUSC_OK);
    /* C E G E | G B D B | F A C A | C E G C */
    assert_int_equal(chords[0], 0);
    assert_int_equal(chords[1], 28);
    assert_int_equal(chords[2], 20);
    assert_int_equal(chords[3], 0);
    /* the HMM needs a model */
    assert_int_equal(musc_harmonize_piece(&p, MUSC_HARMONIZE_HMM, NULL, chords), MUSC_ERR_ARG);
    /* transposed to D (key shift 10), the answer moves with it */
    musc_harmony_piece_clear(&p);
    for (size_t i = 0; i < m->tracks[0].n_notes; i++)
        m->tracks[0].notes[i].pitch += 2;
    m->key_signatures[0].fifths = 2;
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_BAR, &p), MUSC_OK);
    assert_int_equal(musc_harmonize_piece(&p, MUSC_HARMONIZE_TEMPLATE, NULL, chords), MUSC_OK);
    assert_int_equal(chords[0], 2 * 4);
    assert_int_equal(chords[1], 9 * 4);
    assert_int_equal(chords[2], 7 * 4);
    musc_harmony_piece_clear(&p);
    musc_music_free(m);
}

static void hmm_learns_and_round_trips(void **state)
{
    (void)state;
    musc_music *m = lead_sheet();
    musc_harmony_piece p[2];
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_HALF_BAR, &p[0]), MUSC_OK);
    for (size_t i = 0; i < m->tracks[0].n_notes; i++)
        m->tracks[0].notes[i].pitch += 7; /* the same in G */
    m->key_signatures[0].fifths = 1;
    for (size_t i = 0; i < m->tracks[0].n_annotations; i++) {
        const char *g[] = {"G", "D7", "C", "G"};
        musc_set_string(&m->tracks[0].annotations[i].text, g[i]);
    }
    assert_int_equal(musc_harmony_piece_from_music(m, 0, MUSC_HARMONY_HALF_BAR, &p[1]), MUSC_OK);
    musc_harmonizer *h = NULL;
    assert_int_equal(musc_harmonizer_train(p, 2, &h), MUSC_OK);
    assert_int_equal(musc_harmonizer_pieces(h), 2);
    int chords[8];
    assert_int_equal(musc_harmonize_piece(&p[0], MUSC_HARMONIZE_HMM, h, chords), MUSC_OK);
    for (int f = 0; f < 8; f++)
        assert_int_equal(chords[f], p[0].chords[f]); /* its own training data */
    assert_int_equal(musc_harmonize_piece(&p[0], MUSC_HARMONIZE_HMM_POSTERIOR, h, chords),
                     MUSC_OK);
    for (int f = 0; f < 8; f++)
        assert_int_equal(chords[f], p[0].chords[f]);
    double w = 0;
    assert_int_equal(musc_harmonizer_tune(h, p, 2, &w), MUSC_OK);
    assert_float_equal(w, musc_harmonizer_emission_weight(h), 0);

    char *path = test_tmp_path("harmonize-model.txt");
    remove(path);
    assert_int_equal(musc_harmonizer_write(h, path, 0), MUSC_OK);
    assert_int_equal(musc_harmonizer_write(h, path, 0), MUSC_ERR_EXISTS);
    musc_harmonizer *back = NULL;
    assert_int_equal(musc_harmonizer_read(path, &back), MUSC_OK);
    int again[8];
    assert_int_equal(musc_harmonize_piece(&p[1], MUSC_HARMONIZE_HMM, back, again), MUSC_OK);
    assert_int_equal(musc_harmonize_piece(&p[1], MUSC_HARMONIZE_HMM, h, chords), MUSC_OK);
    assert_memory_equal(again, chords, sizeof chords);
    assert_float_equal(musc_harmonizer_emission_weight(back), w, 0);
    size_t size;
    char *text = test_read_file(path, &size);
    assert_non_null(text);
    seed('m', "model", text);
    free(text);
    free(path);
    musc_harmonizer_free(back);
    musc_harmonizer_free(h);
    musc_harmony_piece_clear(&p[0]);
    musc_harmony_piece_clear(&p[1]);
    /* no piece with chords: nothing to learn */
    musc_harmony_piece none = {0};
    assert_int_equal(musc_harmonizer_train(&none, 1, &h), MUSC_ERR_ARG);
    musc_music_free(m);
}

static void bad_model_files_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "not a harmonization model"},
        {"MThd\x00\x00\x00\x06", "not a harmonization model"},
        {"{\"task\": \"instrument\"}\n", "not a harmonization model"},
        {"musc-harmony-hmm 1\n", "emission_weight is missing"},
        {"musc-harmony-hmm 1\nemission_weight -1\n", "line 2"},
        {"musc-harmony-hmm 1\nemission_weight 1\ninitial 1 2 3\n", "49 counts"},
        {"musc-harmony-hmm 1\ntransition bar 49 0\n", "0..48"},
        {"musc-harmony-hmm 1\ntransition 4 0\n", "bar|inside"},
        {"musc-harmony-hmm 1\nemission maj 1 2\n", "12 counts"},
        {"musc-harmony-hmm 1\nbogus 1\n", "unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        musc_harmonizer *h = (musc_harmonizer *)1;
        char name[16];
        snprintf(name, sizeof name, "bad%zu", i);
        seed('m', name, cases[i].text);
        assert_int_equal(musc_harmonizer_read_mem(cases[i].text, strlen(cases[i].text), &h),
                         MUSC_ERR_FORMAT);
        assert_null(h);
        if (!strstr(musc_errmsg(), cases[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, musc_errmsg(), cases[i].msg);
    }
}

static void harmonized_score_has_symbols_and_smooth_voicings(void **state)
{
    (void)state;
    musc_music *m = lead_sheet();
    musc_music *out = NULL;
    assert_int_equal(musc_harmonize_music(m, -1, MUSC_HARMONY_HALF_BAR, MUSC_HARMONIZE_TEMPLATE,
                                          NULL, MUSC_ACCOMP_BLOCK, &out),
                     MUSC_OK);
    assert_int_equal(out->n_tracks, 2);
    assert_int_equal(musc_music_validate(out), MUSC_OK);
    /* symbols where the chord changes: C G F C */
    const musc_track *mel = &out->tracks[0];
    assert_int_equal(mel->n_notes, 16);
    assert_int_equal(mel->n_annotations, 4);
    assert_string_equal(mel->annotations[0].text, "C");
    assert_string_equal(mel->annotations[1].text, "G");
    assert_int_equal(mel->annotations[1].time, 16);
    assert_string_equal(mel->annotations[2].text, "F");
    /* 8 frames x (bass + 3 voices); voices move little and stay in range */
    const musc_track *acc = &out->tracks[1];
    assert_string_equal(acc->name, "Accompaniment");
    assert_int_equal(acc->n_notes, 32);
    int prev[3] = {0}, have = 0, moved_max = 0;
    for (int f = 0; f < 8; f++) {
        int v[3], k = 0, bass = -1;
        for (size_t i = 0; i < acc->n_notes; i++)
            if (acc->notes[i].time == 8 * f) {
                if (acc->notes[i].pitch < 48)
                    bass = acc->notes[i].pitch;
                else if (k < 3)
                    v[k++] = acc->notes[i].pitch;
            }
        assert_int_equal(k, 3);
        assert_in_range(bass, 36, 47);
        for (int i = 0; i < 3; i++) {
            assert_in_range(v[i], 48, 72);
            if (have) {
                int d = abs(v[i] - prev[i]);
                moved_max = d > moved_max ? d : moved_max;
            }
        }
        memcpy(prev, v, sizeof prev);
        have = 1;
    }
    /* C -> G -> F -> C by nearest voicings: no voice leaps more than 5 */
    assert_in_range(moved_max, 0, 5);
    musc_music_free(out);

    assert_int_equal(musc_harmonize_music(m, 0, MUSC_HARMONY_BAR, MUSC_HARMONIZE_TEMPLATE, NULL,
                                          MUSC_ACCOMP_ARPEGGIO, &out),
                     MUSC_OK);
    /* 4 bars: a bass and 8 eighths each */
    assert_int_equal(out->tracks[1].n_notes, 4 * 9);
    musc_music_free(out);
    assert_int_equal(musc_harmonize_music(m, 0, MUSC_HARMONY_BAR, MUSC_HARMONIZE_TEMPLATE, NULL,
                                          MUSC_ACCOMP_NONE, &out),
                     MUSC_OK);
    assert_int_equal(out->n_tracks, 1);
    musc_music_free(out);
    musc_music_free(m);
}

static void splits_are_stable_and_roughly_8_1_1(void **state)
{
    (void)state;
    int count[3] = {0};
    char name[64];
    for (int i = 0; i < 10000; i++) {
        snprintf(name, sizeof name, "folder/piece%d.mxl", i);
        int s = musc_harmony_split_of(name);
        assert_in_range(s, 0, 2);
        assert_int_equal(s, musc_harmony_split_of(name));
        count[s]++;
    }
    assert_in_range(count[0], 7800, 8200);
    assert_in_range(count[1], 900, 1100);
    assert_in_range(count[2], 900, 1100);
}

/* An ABC tune that opens with a pickup (one eighth before the first full
 * bar, where the first chord symbol sits) gets the pickup as a frame of
 * its own and half bars from the first full bar on; a tune without one
 * keeps bars from its first note. */
static void abc_pickup_becomes_its_own_frame(void **state)
{
    (void)state;
    char *dir = test_tmp_path("harmonize-pickup");
    char path[1024];
    snprintf(path, sizeof path, "mkdir -p '%s'", dir);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/book.abc", dir);
    const char *book = "X:1\nT:pickup\nM:4/4\nL:1/8\nK:C\n"
                       "G|\"C\"c2e2 \"G\"d2B2|\"F\"A2c2 \"C\"G4|]\n\n"
                       "X:2\nT:none\nM:4/4\nL:1/8\nK:C\n"
                       "\"C\"c2e2 \"G\"d2B2|\"F\"A2c2 \"C\"G4|]\n";
    assert_int_equal(test_write_file(path, book, strlen(book)), 0);
    musc_harmony_corpus c;
    assert_int_equal(musc_harmony_corpus_load(dir, -1, MUSC_HARMONY_HALF_BAR, &c), MUSC_OK);
    assert_int_equal(c.n, 2);
    for (size_t i = 0; i < 2; i++) {
        const musc_harmony_piece *p = &c.pieces[i];
        int pickup = strstr(c.names[i], "#0") != NULL;
        int64_t eighth = p->resolution / 2, half = 2 * p->resolution;
        static const int want[4] = {0, 28, 20, 0}; /* C G F C */
        assert_int_equal(p->n_frames, 4 + pickup);
        if (pickup) {
            assert_int_equal(p->frames[1], eighth);
            assert_int_equal(p->chords[0], MUSC_TRIAD_NONE);
        }
        for (int f = 0; f < 4; f++) {
            assert_int_equal(p->frames[f + pickup], (pickup ? eighth : 0) + f * half);
            assert_int_equal(p->chords[f + pickup], want[f]);
            assert_int_equal(p->bar_start[f + pickup], f % 2 == 0);
        }
    }
    musc_harmony_corpus_free(&c);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(viterbi_on_a_hand_model),
        cmocka_unit_test(posterior_decoding_differs_from_viterbi),
        cmocka_unit_test(pop909_chord_file_becomes_annotations),
        cmocka_unit_test(pop909_beat_file_gives_beats_and_bars),
        cmocka_unit_test(piece_frames_and_human_chords),
        cmocka_unit_test(melody_is_made_monophonic),
        cmocka_unit_test(no_melody_is_a_clear_error),
        cmocka_unit_test(template_finds_the_arpeggiated_triads),
        cmocka_unit_test(hmm_learns_and_round_trips),
        cmocka_unit_test(bad_model_files_are_refused),
        cmocka_unit_test(harmonized_score_has_symbols_and_smooth_voicings),
        cmocka_unit_test(splits_are_stable_and_roughly_8_1_1),
        cmocka_unit_test(abc_pickup_becomes_its_own_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
