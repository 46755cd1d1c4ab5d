/*
 * The transformer instrumentation model: a tiny one lowers its training
 * loss and learns a task the zone model cannot (part = beat in the bar,
 * pitches from one register); pieces longer than its window are labelled
 * window by window and stitched, giving the same labels through a saved
 * and reloaded model and through batched evaluation; and the config's
 * transformer fields are checked on load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

/* part = beat % 4, pitch random in one octave: `n` pieces of `len` notes. */
static musc_instrument_set beat_task(int n, int len, unsigned seed)
{
    musc_instrument_set s;
    memset(&s, 0, sizeof s);
    s.pieces = calloc((size_t)n, sizeof *s.pieces);
    for (int i = 0; i < n; i++) {
        musc_music *m = musc_music_new(24);
        musc_music_add_time_signature(m, 0, 4, 4);
        const char *names[4] = {"Soprano", "Alto", "Tenor", "Bass"};
        for (int v = 0; v < 4; v++)
            musc_music_add_track(m, 0, 0, names[v]);
        unsigned r = seed + (unsigned)i * 7919u;
        for (int b = 0; b < len; b++) {
            r = r * 1103515245u + 12345u;
            musc_track_add_note(m->tracks + (b % 4), (int64_t)b * 24, 24,
                                60 + (int)((r >> 16) % 12), 80);
        }
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
    return (double)ev.n_correct / ev.n_notes;
}

typedef struct {
    double first, last;
    int calls;
} losses;

static void on_progress(void *ctx, int step, double loss, double val, double secs)
{
    losses *l = ctx;
    (void)step, (void)val, (void)secs;
    if (!l->calls++)
        l->first = loss;
    l->last = loss;
}

static void test_tiny_transformer_learns_beat_task_and_round_trips(void **state)
{
    (void)state;
    musc_instrument_set s = beat_task(12, 48, 5);
    musc_instrument_train_options o = musc_instrument_train_defaults();
    o.steps = 120;
    o.batch = 4;
    o.seq_len = 16; /* pieces of 48 notes: predictions need 5 stitched windows */
    o.layers = 1;
    o.hidden = 16;
    o.heads = 2;
    o.lr = 0.01f;
    o.dropout = 0.0f;
    o.log_every = 20;
    losses l = {0, 0, 0};
    o.progress = on_progress;
    o.ctx = &l;
    musc_instrument_model *m, *z, *back;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_ZONE, MUSC_INSTR_BACH, &s, NULL, NULL, &z),
                     MUSC_OK);
    assert_int_equal(musc_instrument_train(MUSC_INSTR_TRANSFORMER, MUSC_INSTR_BACH, &s, &s, &o, &m),
                     MUSC_OK);
    double az = acc(z, &s), at = acc(m, &s);
    printf("transformer on the beat task: loss %.3f -> %.3f, accuracy %.3f (zone %.3f, chance "
           "0.25)\n", l.first, l.last, at, az);
    assert_true(l.last < 0.5 * l.first);
    assert_true(az < 0.5);
    assert_true(at > 0.95);
    assert_int_equal(musc_instrument_model_online(m), 0);
    assert_int_equal(musc_instrument_model_kind(m), MUSC_INSTR_TRANSFORMER);
    char *path = test_tmp_path("instr_transformer.ck");
    assert_int_equal(musc_instrument_save(m, path), MUSC_OK);
    assert_int_equal(musc_instrument_load_model(path, &back), MUSC_OK);
    assert_int_equal(musc_instrument_model_kind(back), MUSC_INSTR_TRANSFORMER);
    /* lengths: shorter than the window, exactly one, a ragged last window */
    s.pieces[1].n_notes = 7;
    s.pieces[2].n_notes = 16;
    s.pieces[3].n_notes = 41;
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
    musc_instrument_eval ev;
    assert_int_equal(musc_instrument_evaluate(back, &s, &ev), MUSC_OK);
    assert_int_equal(ev.n_notes, total);
    assert_int_equal(ev.n_correct, correct);
    for (int i = 1; i < 4; i++)
        s.pieces[i].n_notes = 48;
    free(path);
    musc_instrument_model_free(back);
    musc_instrument_model_free(m);
    musc_instrument_model_free(z);
    musc_instrument_set_free(&s);
}

static void test_bad_transformer_shapes_refused(void **state)
{
    (void)state;
    musc_instrument_set s = beat_task(2, 8, 1);
    musc_instrument_train_options o = musc_instrument_train_defaults();
    o.steps = 1;
    o.hidden = 10;
    o.heads = 4; /* 10 is not a multiple of 4 */
    musc_instrument_model *m = NULL;
    assert_int_equal(musc_instrument_train(MUSC_INSTR_TRANSFORMER, MUSC_INSTR_BACH, &s, NULL, &o, &m),
                     MUSC_ERR_ARG);
    assert_null(m);
    assert_non_null(strstr(musc_errmsg(), "divisible by its heads"));
    musc_instrument_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_transformer_learns_beat_task_and_round_trips),
        cmocka_unit_test(test_bad_transformer_shapes_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
