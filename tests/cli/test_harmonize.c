/*
 * musc harmonize end to end: MIDI, MusicXML and ABC in and out, training
 * and evaluation on a small ABC book (the HMM and the BiLSTM), and the
 * refusals (no melody, drums only, empty file, a model for another task,
 * an existing output).
 */
#include <sys/stat.h>

#include "cli_test.h"
#include "musc/musc.h"

/* Four bars in 4/4 at 96 per quarter, each half bar an arpeggio in eighths
 * of one triad (C C | G G | F F | C C), so that no two triads tie. */
static musc_music *tune(void)
{
    musc_music *m = musc_music_new(96);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0);
    musc_music_add_tempo(m, 0, 100);
    musc_track *t = musc_music_add_track(m, 73, 0, "flute");
    static const int arp[4][4] = {{60, 64, 67, 64}, {67, 71, 74, 71}, {65, 69, 72, 69},
                                  {60, 64, 67, 72}};
    for (int i = 0; i < 32; i++)
        musc_track_add_note(t, 48 * i, 48, arp[i / 8][i % 4], 80);
    return m;
}

static char *write_tune(const char *name)
{
    char *path = scratch("harmonize", name);
    musc_music *m = tune();
    assert_int_equal(musc_write(m, path, NULL), MUSC_OK);
    musc_music_free(m);
    return path;
}

static size_t chord_symbols(const musc_music *m, const char **first)
{
    size_t n = 0;
    *first = NULL;
    /* MIDI keeps them as text events, which read back at the music level */
    for (size_t i = 0; i < m->n_annotations; i++)
        if (m->annotations[i].text && musc_triad_parse(m->annotations[i].text) >= 0) {
            if (!*first)
                *first = m->annotations[i].text;
            n++;
        }
    for (size_t t = 0; t < m->n_tracks; t++)
        for (size_t i = 0; i < m->tracks[t].n_annotations; i++)
            if (m->tracks[t].annotations[i].text &&
                musc_triad_parse(m->tracks[t].annotations[i].text) >= 0) {
                if (!*first)
                    *first = m->tracks[t].annotations[i].text;
                n++;
            }
    return n;
}

static void harmonizes_midi_musicxml_and_abc(void **state)
{
    (void)state;
    static const char *const ext[] = {"mid", "musicxml", "abc"};
    for (int i = 0; i < 3; i++) {
        char in_name[32], out_name[32];
        snprintf(in_name, sizeof in_name, "in.%s", ext[i]);
        snprintf(out_name, sizeof out_name, "out.%s", ext[i]);
        char *in = write_tune(in_name), *out = scratch("harmonize", out_name);
        char *so = NULL, *se = NULL;
        int rc = musc_run(&so, &se, "harmonize '%s' -o '%s' --method template --json", in, out);
        if (rc != 0)
            fail_msg("%s: exit %d: %s", ext[i], rc, se ? se : "");
        json_t *j = parse_json(so);
        assert_int_equal(json_int_field(j, "melody_notes"), 32);
        /* half bars: C C G G F F C C -> 4 symbols; 8 x (bass + 3) notes */
        assert_int_equal(json_int_field(j, "chord_symbols"), 4);
        assert_int_equal(json_int_field(j, "accompaniment_notes"), 32);
        json_decref(j);
        musc_music *m = NULL;
        assert_int_equal(musc_read(out, NULL, &m, NULL), MUSC_OK);
        assert_int_equal(m->n_tracks, 2);
        const char *first;
        assert_int_equal(chord_symbols(m, &first), 4);
        assert_string_equal(first, "C");
        musc_music_free(m);
        free(so);
        free(se);
        free(in);
        free(out);
    }
}

static void refuses_to_overwrite_without_force(void **state)
{
    (void)state;
    char *in = write_tune("keep.mid"), *out = scratch("harmonize", "keep-out.mid");
    assert_int_equal(test_write_file(out, "old", 3), 0);
    char *se = NULL;
    assert_int_equal(musc_run(NULL, &se, "harmonize '%s' -o '%s' --method template", in, out), 1);
    assert_non_null(strstr(se, "--force"));
    size_t size;
    char *kept = test_read_file(out, &size);
    assert_int_equal(size, 3);
    free(kept);
    free(se);
    assert_int_equal(
        musc_run(NULL, NULL, "harmonize '%s' -o '%s' --method template --force -q", in, out), 0);
    free(in);
    free(out);
}

static void bad_inputs_fail_clearly(void **state)
{
    (void)state;
    char *out = scratch("harmonize", "never.mid"), *se = NULL;
    /* drums only */
    char *drums = scratch("harmonize", "drums.mid");
    musc_music *m = musc_music_new(96);
    musc_track *d = musc_music_add_track(m, 0, 1, "kit");
    musc_track_add_note(d, 0, 48, 36, 100);
    assert_int_equal(musc_write(m, drums, NULL), MUSC_OK);
    musc_music_free(m);
    assert_int_equal(musc_run(NULL, &se, "harmonize '%s' -o '%s' --method template", drums, out),
                     1);
    assert_non_null(strstr(se, "no melody"));
    free(se);
    /* --track pointing at the drums */
    assert_int_equal(
        musc_run(NULL, &se, "harmonize '%s' -o '%s' --method template --track 0", drums, out), 1);
    assert_non_null(strstr(se, "drum"));
    free(se);
    /* an empty file */
    char *empty = scratch("harmonize", "empty.mid");
    assert_int_equal(test_write_file(empty, "", 0), 0);
    assert_int_equal(musc_run(NULL, &se, "harmonize '%s' -o '%s' --method template", empty, out),
                     1);
    free(se);
    /* a model for another task */
    char *in = write_tune("task.mid"), *wrong = scratch("harmonize", "wrong.json");
    assert_int_equal(test_write_file(wrong, "{\"task\": \"instrument\"}\n", 23), 0);
    assert_int_equal(
        musc_run(NULL, &se, "harmonize '%s' -o '%s' --method hmm --model '%s'", in, out, wrong),
        1);
    assert_non_null(strstr(se, "not a harmonization model"));
    free(se);
    /* usage */
    assert_int_equal(musc_run(NULL, NULL, "harmonize '%s' -o '%s' --rate fortnight", in, out), 2);
    assert_int_equal(musc_run(NULL, NULL, "harmonize '%s'", in), 2);
    assert_int_equal(musc_run(NULL, NULL, "harmonize eval"), 2);
    assert_int_equal(musc_run(NULL, NULL, "harmonize train --data /nonexistent"), 2);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* nothing written */
    free(in);
    free(wrong);
    free(empty);
    free(drums);
    free(out);
}

/* An ABC book of 40 short tunes with guitar chords in C, G, D and F. */
static char *write_book(void)
{
    char *dir = scratch("harmonize", "corpus");
    mkdir(dir, 0755);
    char path[1024];
    snprintf(path, sizeof path, "%s/book.abc", dir);
    static const char *const keys[4] = {"C", "G", "D", "F"};
    static const char *const bodies[4] = {
        "\"C\"CEGE \"G\"GBdB|\"F\"FAcA \"C\"CEGc|\"Am\"ACEA \"G\"GBdB|\"C\"c4 C4|]",
        "\"G\"GBdB \"D\"DFAF|\"C\"CEGE \"G\"GBdB|\"Em\"EGBG \"D\"DFAF|\"G\"G4 G4|]",
        "\"D\"DFAF \"A\"Acec|\"G\"GBdB \"D\"DFAd|\"Bm\"BdfB \"A\"Acea|\"D\"d4 D4|]",
        "\"F\"FAcA \"C\"CEGE|\"Bb\"B,DFD \"F\"FAcA|\"Dm\"DFAF \"C\"CEGc|\"F\"F4 F4|]"};
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 40; i++)
        fprintf(f, "X:%d\nT:tune %d\nM:4/4\nL:1/8\nK:%s\n%s\n\n", i + 1, i + 1, keys[i % 4],
                bodies[i % 4]);
    fclose(f);
    return dir;
}

static void trains_and_evaluates(void **state)
{
    (void)state;
    char *dir = write_book(), *model = scratch("harmonize", "hmm.txt");
    char *so = NULL, *se = NULL;
    int rc = musc_run(&so, &se, "harmonize train --data '%s' -o '%s' --json", dir, model);
    if (rc)
        fail_msg("train: exit %d: %s", rc, se ? se : "");
    json_t *j = parse_json(so);
    assert_true(json_int_field(j, "train_pieces") > 20);
    json_decref(j);
    free(so);
    free(se);
    /* no overwrite without --force */
    assert_int_equal(musc_run(NULL, NULL, "harmonize train --data '%s' -o '%s' -q", dir, model),
                     1);

    rc = musc_run(&so, &se, "harmonize eval --data '%s' --model '%s' --split all --json", dir,
                  model);
    if (rc)
        fail_msg("eval: exit %d: %s", rc, se ? se : "");
    j = parse_json(so);
    json_t *d = json_array_get(json_object_get(j, "datasets"), 0);
    assert_int_equal(json_int_field(d, "pieces"), 40);
    json_t *methods = json_object_get(d, "methods");
    json_t *human = json_object_get(methods, "human");
    json_t *hmm = json_object_get(methods, "hmm");
    json_t *tmpl = json_object_get(methods, "template");
    assert_non_null(tmpl);
    assert_non_null(json_object_get(methods, "hmm-posterior"));
    assert_float_equal(json_real_value(json_object_get(human, "accuracy")), 1.0, 1e-12);
    /* the HMM has seen these progressions: it should find most of them */
    double acc = json_real_value(json_object_get(hmm, "accuracy"));
    assert_true(acc > 0.6);
    for (const char *k = "CHE"; k; k = NULL)
        assert_true(json_is_real(json_object_get(hmm, k)));
    json_decref(j);
    free(so);
    free(se);

    /* the text table names every metric */
    rc = musc_run(&so, NULL, "harmonize eval --data '%s' --model '%s' --split all", dir, model);
    assert_int_equal(rc, 0);
    static const char *const names[] = {"CHE", "CC", "CTD", "CTnCTR", "PCS", "MCTD", "accuracy"};
    for (int i = 0; i < 7; i++)
        assert_non_null(strstr(so, names[i]));
    free(so);

    /* harmonize with the trained HMM */
    char *in = write_tune("hmm-in.mid"), *out = scratch("harmonize", "hmm-out.musicxml");
    rc = musc_run(NULL, &se, "harmonize '%s' -o '%s' --model '%s' --accompaniment arpeggio -q",
                  in, out, model);
    if (rc)
        fail_msg("harmonize --method hmm: exit %d: %s", rc, se ? se : "");
    free(se);
    musc_music *m = NULL;
    assert_int_equal(musc_read(out, NULL, &m, NULL), MUSC_OK);
    const char *first;
    assert_true(chord_symbols(m, &first) >= 1);
    musc_music_free(m);
    free(in);
    free(out);
    free(dir);
    free(model);
}

static void trains_and_harmonizes_with_the_bilstm(void **state)
{
    (void)state;
    char *dir = write_book(), *model = scratch("harmonize", "bilstm.ck");
    char *hmm_model = scratch("harmonize", "bilstm-hmm.txt");
    assert_int_equal(
        musc_run(NULL, NULL, "harmonize train --data '%s' -o '%s' --force -q", dir, hmm_model), 0);
    char *log = scratch("harmonize", "bilstm-log.csv");
    char *so = NULL, *se = NULL;
    /* through the generic verb: musc train --task harmonize */
    int rc = musc_run(&so, &se,
                      "train --task harmonize --method bilstm --data '%s' -o '%s' --steps 40 "
                      "--layers 1 --hidden 16 --batch 8 --seq-len 16 --lr 0.01 --eval-every 20 "
                      "--seed 2 --log '%s' --force --json",
                      dir, model, log);
    if (rc)
        fail_msg("train --method bilstm: exit %d: %s", rc, se ? se : "");
    json_t *j = parse_json(so);
    assert_true(json_int_field(j, "train_pieces") > 20);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "bilstm");
    json_decref(j);
    free(so);
    free(se);
    size_t size;
    char *csv = test_read_file(log, &size);
    assert_non_null(csv);
    assert_true(!strncmp(csv, "step,loss,valid_accuracy,seconds\n20,", 36));
    assert_non_null(strstr(csv, "\n40,"));
    free(csv);

    /* harmonize an ABC tune and a MIDI file with it */
    const char *ins[2] = {"bilstm-in.abc", "bilstm-in.mid"};
    for (int i = 0; i < 2; i++) {
        char *in = write_tune(ins[i]), *out = scratch("harmonize", "bilstm-out.musicxml");
        rc = musc_run(&so, &se,
                      "harmonize '%s' -o '%s' --method bilstm --model '%s' --force --json", in,
                      out, model);
        if (rc)
            fail_msg("harmonize --method bilstm: exit %d: %s", rc, se ? se : "");
        j = parse_json(so);
        assert_string_equal(json_string_value(json_object_get(j, "method")), "bilstm");
        assert_true(json_int_field(j, "chord_symbols") >= 1);
        json_decref(j);
        free(so);
        free(se);
        musc_music *m = NULL;
        assert_int_equal(musc_read(out, NULL, &m, NULL), MUSC_OK);
        const char *first;
        assert_true(chord_symbols(m, &first) >= 1);
        musc_music_free(m);
        assert_int_equal(musc_run(NULL, &se,
                                  "harmonize '%s' -o '%s' --method bilstm-viterbi --model '%s' "
                                  "--force -q",
                                  in, out, model),
                         0);
        free(se);
        free(in);
        free(out);
    }

    /* eval through the generic verb, the BiLSTM beside the human chords */
    rc = musc_run(&so, &se,
                  "eval harmonize --data '%s' --model '%s' --method bilstm --split all --json",
                  dir, model);
    if (rc)
        fail_msg("eval --method bilstm: exit %d: %s", rc, se ? se : "");
    j = parse_json(so);
    json_t *methods =
        json_object_get(json_array_get(json_object_get(j, "datasets"), 0), "methods");
    json_t *b = json_object_get(methods, "bilstm");
    assert_non_null(b);
    assert_non_null(json_object_get(methods, "human"));
    assert_null(json_object_get(methods, "hmm"));
    /* four progressions seen 10 times each: well above chance */
    assert_true(json_real_value(json_object_get(b, "accuracy")) > 0.3);
    json_decref(j);
    free(so);
    free(se);
    /* all methods: the three BiLSTM decodings beside the HMM's */
    rc = musc_run(&so, &se,
                  "eval harmonize --data '%s' --model '%s' --model '%s' --split all "
                  "--prior-weight 0.3 --json",
                  dir, model, hmm_model);
    if (rc)
        fail_msg("eval --method all: exit %d: %s", rc, se ? se : "");
    j = parse_json(so);
    methods = json_object_get(json_array_get(json_object_get(j, "datasets"), 0), "methods");
    static const char *const all[] = {"template", "hmm", "hmm-posterior", "bilstm",
                                      "bilstm-viterbi", "bilstm-prior", "human"};
    for (int i = 0; i < 7; i++)
        assert_non_null(json_object_get(methods, all[i]));
    json_decref(j);
    free(so);
    free(se);

    /* a checkpoint of another task, and a checkpoint where HMM tables belong */
    char *wrong = scratch("harmonize", "instrument.ck"), *in = write_tune("bilstm-wrong.mid");
    char *out = scratch("harmonize", "bilstm-never.mid");
    float x[16] = {0};
    musc_nn_tensor t = {.name = "w", .ndim = 1, .shape = {16}, .size = 16, .data = x};
    assert_int_equal(musc_nn_checkpoint_save(wrong, MUSC_NN_CKPT_MODEL,
                                             "{\"task\":\"instrument\"}", &t, 1),
                     MUSC_OK);
    assert_int_equal(
        musc_run(NULL, &se, "harmonize '%s' -o '%s' --method bilstm --model '%s'", in, out, wrong),
        1);
    assert_non_null(strstr(se, "task 'instrument'"));
    free(se);
    assert_int_equal(
        musc_run(NULL, &se, "harmonize '%s' -o '%s' --method hmm --model '%s'", in, out, model),
        1);
    assert_non_null(strstr(se, "BiLSTM checkpoint"));
    free(se);
    assert_int_equal(musc_run(NULL, NULL, "harmonize train --data '%s' -o '%s' --method "
                                          "hmm-posterior",
                              dir, out),
                     2);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    free(wrong);
    free(in);
    free(out);
    free(log);
    free(dir);
    free(model);
    free(hmm_model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(harmonizes_midi_musicxml_and_abc),
        cmocka_unit_test(refuses_to_overwrite_without_force),
        cmocka_unit_test(bad_inputs_fail_clearly),
        cmocka_unit_test(trains_and_evaluates),
        cmocka_unit_test(trains_and_harmonizes_with_the_bilstm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
