/*
 * Instrumentation models: the zone and closest-pitch baselines on hand
 * examples, the LSTM and BiLSTM learning a task the zone model cannot
 * solve, save/load giving identical predictions, and model files for the
 * wrong task or ensemble refused with a message naming what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instrument_test.h"
#include "test_support.h"

/* A set of `n` constructed chorales. */
static musc_instrument_set satb_set(int n, int beats, unsigned seed)
{
    musc_instrument_set s;
    memset(&s, 0, sizeof s);
    s.pieces = calloc((size_t)n, sizeof *s.pieces);
    for (int i = 0; i < n; i++) {
        musc_music *m = make_satb(beats, seed + (unsigned)i);
        assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &s.pieces[i]), MUSC_OK);
        musc_music_free(m);
    }
    s.n_pieces = (size_t)n;
    return s;
}

static double acc(musc_instrument_model *m, const musc_instrument_set *s)
{
    musc_instrument_eval ev;
    assert_int_equal(musc_instrument_evaluate(m, s, &ev), MUSC_OK);
    size_t rows = 0;
    for (int i = 0; i < 16; i++)
        rows += ev.confusion[i];
    assert_int_equal(rows, ev.n_notes);
    return (double)ev.n_correct / ev.n_notes;
}

static void test_zone_baseline_separates_disjoint_ranges(void **state)
{
    (void)state;
    musc_instrument_set s = satb_set(6, 32, 10); /* voices never overlap */
    musc_instrument_model *m;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_ZONE, MUSC_INSTR_BACH, &s, NULL, NULL, &m),
                     MUSC_OK);
    assert_float_equal(acc(m, &s), 1.0, 1e-12);
    assert_int_equal(musc_instrument_model_online(m), 1);
    /* extremes go to the outer voices */
    musc_instrument_note n[2] = {{0, 24, 10, 12, 0, 0, 0, -1}, {0, 24, 120, 12, 0, 0, 0, -1}};
    musc_instrument_piece p = {NULL, 24, 0, {0}, n, 2};
    int labels[2];
    assert_int_equal(musc_instrument_predict(m, &p, labels), MUSC_OK);
    assert_int_equal(labels[0], 3);
    assert_int_equal(labels[1], 0);
    musc_instrument_model_free(m);
    musc_instrument_set_free(&s);
}

static void test_closest_pitch_follows_voices_across_zone_boundaries(void **state)
{
    (void)state;
    musc_instrument_set s = satb_set(4, 16, 20);
    musc_instrument_model *z, *c;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_ZONE, MUSC_INSTR_BACH, &s, NULL, NULL, &z),
                     MUSC_OK);
    assert_int_equal(
        musc_instrument_train(MUSC_INSTR_CLOSEST, MUSC_INSTR_BACH, &s, NULL, NULL, &c), MUSC_OK);
    /* A duet: soprano and alto climb together, one semitone per beat, a
     * fifth apart, so the alto rises into the soprano's zone; then the
     * soprano rests and a lone note just above the alto's last pitch
     * follows. The zones cannot follow the climb; closest pitch can
     * (distinct voices per onset). */
    musc_instrument_note n[40];
    int truth[40], k = 0;
    for (int b = 0; b < 12; b++) {
        int sop = 74 + b, alt = 67 + b;
        n[k] = (musc_instrument_note){b * 24, 24, alt, 12, 0, 0, 0, 1};
        truth[k++] = 1;
        n[k] = (musc_instrument_note){b * 24, 24, sop, 12, 0, 0, 0, 0};
        truth[k++] = 0;
    }
    n[k] = (musc_instrument_note){12 * 24, 24, 79, 12, 0, 0, 0, 1}; /* alto alone, one step */
    truth[k++] = 1;
    musc_instrument_piece p = {NULL, 24, 4, {0}, n, (size_t)k};
    int lz[40], lc[40], right_z = 0, right_c = 0;
    assert_int_equal(musc_instrument_predict(z, &p, lz), MUSC_OK);
    assert_int_equal(musc_instrument_predict(c, &p, lc), MUSC_OK);
    for (int i = 0; i < k; i++) {
        right_z += lz[i] == truth[i];
        right_c += lc[i] == truth[i];
        if (i % 2 == 1 && i < 24) /* never one voice for both notes of an onset */
            assert_int_not_equal(lc[i], lc[i - 1]);
    }
    printf("duet: zone %d / %d, closest %d / %d\n", right_z, k, right_c, k);
    assert_int_equal(right_c, k);
    assert_true(right_z < k - 4);
    musc_instrument_model_free(z);
    musc_instrument_model_free(c);
    musc_instrument_set_free(&s);
}

/* Label depends on the beat position, not the pitch: part = beat % 4 with
 * pitches drawn from one register. The zone model can do no better than
 * about chance; the networks must learn it from the beat embedding and
 * context. */
static musc_instrument_set beat_task(int n, unsigned seed)
{
    musc_instrument_set s;
    memset(&s, 0, sizeof s);
    s.pieces = calloc((size_t)n, sizeof *s.pieces);
    for (int i = 0; i < n; i++) {
        musc_music *m = musc_music_new(24);
        musc_music_add_time_signature(m, 0, 4, 4);
        const char *names[4] = {"Soprano", "Alto", "Tenor", "Bass"};
        musc_track *t[4];
        for (int v = 0; v < 4; v++)
            t[v] = musc_music_add_track(m, 0, 0, names[v]);
        unsigned r = seed + (unsigned)i * 7919u;
        for (int b = 0; b < 48; b++) {
            r = r * 1103515245u + 12345u;
            musc_track_add_note(m->tracks + (b % 4), (int64_t)b * 24, 24,
                                60 + (int)((r >> 16) % 12), 80);
        }
        (void)t;
        assert_int_equal(musc_instrument_extract(m, MUSC_INSTR_BACH, &s.pieces[i]), MUSC_OK);
        musc_music_free(m);
    }
    s.n_pieces = (size_t)n;
    return s;
}

static void check_network(musc_instrument_kind kind)
{
    musc_instrument_set s = beat_task(12, 5);
    musc_instrument_train_options o = musc_instrument_train_defaults();
    o.steps = 150;
    o.batch = 4;
    o.seq_len = 32;
    o.layers = 1;
    o.hidden = 16;
    o.embed = 16;
    o.lr = 0.02f;
    o.dropout = 0.0f;
    o.log_every = 50;
    musc_instrument_model *m, *z, *back;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_ZONE, MUSC_INSTR_BACH, &s, NULL, NULL, &z),
                     MUSC_OK);
    assert_int_equal(musc_instrument_train(kind, MUSC_INSTR_BACH, &s, &s, &o, &m), MUSC_OK);
    double az = acc(z, &s), an = acc(m, &s);
    printf("%s on the beat task: %.3f (zone %.3f)\n", musc_instrument_kind_name(kind), an, az);
    assert_true(az < 0.5);
    assert_true(an > 0.95);
    assert_int_equal(musc_instrument_model_online(m), kind == MUSC_INSTR_LSTM);
    /* save, load: identical predictions */
    char *path = test_tmp_path(kind == MUSC_INSTR_LSTM ? "instr_lstm.ck" : "instr_bilstm.ck");
    assert_int_equal(musc_instrument_save(m, path), MUSC_OK);
    assert_int_equal(musc_instrument_load_model(path, &back), MUSC_OK);
    assert_int_equal(musc_instrument_model_kind(back), kind);
    assert_int_equal(musc_instrument_model_parts(back), 4);
    /* pieces of unequal length, so evaluation batches them with padding */
    s.pieces[1].n_notes = 30;
    s.pieces[2].n_notes = 7;
    size_t correct = 0, total = 0;
    for (size_t i = 0; i < s.n_pieces; i++) {
        const musc_instrument_piece *p = &s.pieces[i];
        int *a = malloc(p->n_notes * sizeof *a), *b = malloc(p->n_notes * sizeof *b);
        assert_int_equal(musc_instrument_predict(m, p, a), MUSC_OK);
        assert_int_equal(musc_instrument_predict(back, p, b), MUSC_OK);
        assert_memory_equal(a, b, p->n_notes * sizeof *a);
        for (size_t q = 0; q < p->n_notes; q++)
            correct += a[q] == p->notes[q].label;
        total += p->n_notes;
        free(a);
        free(b);
    }
    /* batched evaluation equals labelling the pieces one by one */
    musc_instrument_eval ev;
    assert_int_equal(musc_instrument_evaluate(back, &s, &ev), MUSC_OK);
    assert_int_equal(ev.n_notes, total);
    assert_int_equal(ev.n_correct, correct);
    s.pieces[1].n_notes = 48;
    s.pieces[2].n_notes = 48;
    /* the causal model's label of a note does not depend on later notes */
    if (kind == MUSC_INSTR_LSTM) {
        musc_instrument_piece cut = s.pieces[0];
        int full[48], part[48];
        assert_int_equal(musc_instrument_predict(m, &s.pieces[0], full), MUSC_OK);
        cut.n_notes = 20;
        assert_int_equal(musc_instrument_predict(m, &cut, part), MUSC_OK);
        assert_memory_equal(full, part, 20 * sizeof *full);
    }
    free(path);
    musc_instrument_model_free(back);
    musc_instrument_model_free(m);
    musc_instrument_model_free(z);
    musc_instrument_set_free(&s);
}

static void test_online_lstm_learns_and_round_trips(void **state)
{
    (void)state;
    check_network(MUSC_INSTR_LSTM);
}

static void test_offline_bilstm_learns_and_round_trips(void **state)
{
    (void)state;
    check_network(MUSC_INSTR_BILSTM);
}

static void test_baseline_round_trip_and_wrong_models_refused(void **state)
{
    (void)state;
    musc_instrument_set s = satb_set(3, 16, 30);
    musc_instrument_model *m, *back;
    char *path = test_tmp_path("instr_closest.ck");
    assert_int_equal(
        musc_instrument_train(MUSC_INSTR_CLOSEST, MUSC_INSTR_BACH, &s, NULL, NULL, &m), MUSC_OK);
    assert_int_equal(musc_instrument_save(m, path), MUSC_OK);
    assert_int_equal(musc_instrument_load_model(path, &back), MUSC_OK);
    assert_float_equal(acc(m, &s), acc(back, &s), 0);
    musc_instrument_model_free(back);
    musc_instrument_model_free(m);
    /* another task's checkpoint */
    musc_nn_params p;
    memset(&p, 0, sizeof p);
    int shape[1] = {4};
    musc_nn_params_add(&p, "stats.mean", 1, shape, 0);
    musc_nn_params_alloc(&p, 0);
    for (int k = 0; k < 4; k++)
        p.data[k] = 60;
    char *bad = test_tmp_path("instr_bad.ck");
    assert_int_equal(musc_nn_params_save(bad, &p, "{\"task\":\"mmt\"}"), MUSC_OK);
    assert_int_equal(musc_instrument_load_model(bad, &m), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "expected an instrument model"));
    /* unknown ensemble, wrong part count, unknown kind */
    assert_int_equal(musc_nn_params_save(bad, &p,
                                         "{\"task\":\"instrument\",\"model\":\"closest\","
                                         "\"dataset\":\"orchestra\",\"parts\":[]}"),
                     MUSC_OK);
    assert_int_equal(musc_instrument_load_model(bad, &m), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "expected bach, pop909 or quartet"));
    assert_int_equal(musc_nn_params_save(bad, &p,
                                         "{\"task\":\"instrument\",\"model\":\"closest\","
                                         "\"dataset\":\"bach\",\"parts\":[\"a\",\"b\"]}"),
                     MUSC_OK);
    assert_int_equal(musc_instrument_load_model(bad, &m), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "expected 4"));
    assert_int_equal(musc_nn_params_save(bad, &p,
                                         "{\"task\":\"instrument\",\"model\":\"gru\","
                                         "\"dataset\":\"bach\",\"parts\":[1,2,3,4]}"),
                     MUSC_OK);
    assert_int_equal(musc_instrument_load_model(bad, &m), MUSC_ERR_FORMAT);
    assert_non_null(strstr(musc_errmsg(), "expected zone, closest, lstm, bilstm or transformer"));
    /* the right config with a tensor missing */
    assert_int_equal(musc_nn_params_save(bad, &p,
                                         "{\"task\":\"instrument\",\"model\":\"closest\","
                                         "\"dataset\":\"bach\",\"parts\":[1,2,3,4]}"),
                     MUSC_OK);
    assert_int_not_equal(musc_instrument_load_model(bad, &m), MUSC_OK);
    /* a piece with another part count */
    musc_instrument_note n = {0, 24, 60, 12, 0, 0, 0, 0};
    musc_instrument_piece three = {NULL, 24, 3, {0}, &n, 1};
    int label;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_ZONE, MUSC_INSTR_BACH, &s, NULL, NULL, &m),
                     MUSC_OK);
    assert_int_equal(musc_instrument_predict(m, &three, &label), MUSC_ERR_ARG);
    musc_instrument_model_free(m);
    musc_nn_params_free(&p);
    free(bad);
    free(path);
    musc_instrument_set_free(&s);
}

/* Seeds for tests/fuzz/fuzz_instrument.c: a leading even byte then a MIDI
 * file, or an odd byte then a model config. */
static void save_fuzz_seeds(const musc_music *src)
{
    char *path = test_tmp_path("instr_seed.mid");
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    assert_int_equal(musc_write(src, path, &wo), MUSC_OK);
    size_t n;
    char *bytes = test_read_file(path, &n);
    assert_non_null(bytes);
    unsigned char *seed = malloc(n + 1);
    seed[0] = 0;
    memcpy(seed + 1, bytes, n);
    test_save_seed("instrument", "satb_mid", seed, n + 1);
    static const char cfg[] = "\001{\"task\":\"instrument\",\"model\":\"zone\","
                              "\"dataset\":\"bach\",\"parts\":[1,2,3,4]}";
    test_save_seed("instrument", "zone_config", cfg, sizeof cfg - 1);
    free(seed);
    free(bytes);
    free(path);
}

static void test_arrange_writes_named_parts_with_programs(void **state)
{
    (void)state;
    musc_music *src = make_satb(8, 3);
    save_fuzz_seeds(src);
    musc_instrument_piece p;
    assert_int_equal(musc_instrument_extract(src, MUSC_INSTR_BACH, &p), MUSC_OK);
    int labels[32];
    for (size_t i = 0; i < p.n_notes; i++)
        labels[i] = p.notes[i].label;
    musc_music *choir = musc_instrument_arrange(&p, labels, MUSC_INSTR_BACH, 0, src);
    musc_music *strings = musc_instrument_arrange(&p, labels, MUSC_INSTR_BACH, 1, src);
    assert_non_null(choir);
    assert_int_equal(choir->n_tracks, 4);
    assert_string_equal(choir->tracks[0].name, "Soprano");
    assert_int_equal(choir->tracks[0].program, 52);
    assert_int_equal(strings->tracks[3].program, 42);
    assert_int_equal(choir->n_tempos, 1);
    assert_int_equal(choir->n_time_signatures, 1);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(choir->tracks[k].n_notes, 8);
        assert_int_equal(choir->tracks[k].notes[0].pitch, src->tracks[k].notes[0].pitch);
    }
    assert_int_equal(musc_music_validate(choir), MUSC_OK);
    musc_music_free(choir);
    musc_music_free(strings);
    musc_instrument_piece_clear(&p);
    musc_music_free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_baseline_separates_disjoint_ranges),
        cmocka_unit_test(test_closest_pitch_follows_voices_across_zone_boundaries),
        cmocka_unit_test(test_online_lstm_learns_and_round_trips),
        cmocka_unit_test(test_offline_bilstm_learns_and_round_trips),
        cmocka_unit_test(test_baseline_round_trip_and_wrong_models_refused),
        cmocka_unit_test(test_arrange_writes_named_parts_with_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
