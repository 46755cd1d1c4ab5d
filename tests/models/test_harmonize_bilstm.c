/*
 * The BiLSTM harmonizer: a tiny training run on made-up melodies (each
 * frame arpeggiates its chord, so the answer is learnable) lowers the loss
 * and beats chance, is deterministic for a seed, survives a save/load
 * round trip bit for bit, and refuses a checkpoint of another task.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/musc.h"

#define RES 4   /* ticks per quarter */
#define FRAME 8 /* a half bar of 4/4 */

/* Chords C F G Am (classes 0, 20, 28, 37) in a random order; each frame
 * four eighth notes, three of them chord tones and one random. */
static void make_piece(musc_harmony_piece *p, size_t frames, uint64_t *rng)
{
    static const int classes[4] = {0, 20, 28, 37};
    memset(p, 0, sizeof *p);
    p->resolution = RES;
    p->n_frames = frames;
    p->n_notes = frames * 4;
    p->melody = calloc(p->n_notes, sizeof *p->melody);
    p->frames = malloc((frames + 1) * sizeof *p->frames);
    p->chords = malloc(frames * sizeof *p->chords);
    p->bar_start = malloc(frames);
    for (size_t f = 0; f <= frames; f++)
        p->frames[f] = (int64_t)f * FRAME;
    for (size_t f = 0; f < frames; f++) {
        *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
        int c = classes[(*rng >> 33) % 4], pcs[3];
        musc_triad_pitch_classes(c, pcs);
        p->chords[f] = c;
        p->bar_start[f] = f % 2 == 0;
        for (int k = 0; k < 4; k++) {
            *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
            int pc = k == 3 ? (int)((*rng >> 33) % 12) : pcs[(*rng >> 33) % 3];
            musc_note *n = &p->melody[f * 4 + k];
            n->time = (int64_t)f * FRAME + 2 * k;
            n->duration = 2;
            n->pitch = 60 + pc;
            n->velocity = 80;
        }
    }
}

typedef struct run_log {
    double first, last, acc;
    int calls;
} run_log;

static void record(void *ctx, int step, double loss, double acc, double secs)
{
    (void)step;
    (void)secs;
    run_log *r = ctx;
    if (r->calls++ == 0)
        r->first = loss;
    r->last = loss;
    r->acc = acc;
}

static musc_harmony_net_options tiny(run_log *log)
{
    musc_harmony_net_options o = musc_harmony_net_defaults();
    o.layers = 1;
    o.hidden = 16;
    o.steps = 160;
    o.batch = 8;
    o.seq_len = 16;
    o.lr = 1e-2f;
    o.eval_every = 20;
    o.seed = 3;
    o.progress = record;
    o.ctx = log;
    return o;
}

typedef struct data {
    musc_harmony_piece train[8], valid[2];
} data;

static void make_data(data *d)
{
    uint64_t rng = 12345;
    for (int i = 0; i < 8; i++)
        make_piece(&d->train[i], 40, &rng);
    for (int i = 0; i < 2; i++)
        make_piece(&d->valid[i], 40, &rng);
}

static void free_data(data *d)
{
    for (int i = 0; i < 8; i++)
        musc_harmony_piece_clear(&d->train[i]);
    for (int i = 0; i < 2; i++)
        musc_harmony_piece_clear(&d->valid[i]);
}

static double accuracy(const musc_harmonizer *h, musc_harmonize_method m,
                       const musc_harmony_piece *p)
{
    int *c = malloc(p->n_frames * sizeof *c);
    assert_int_equal(musc_harmonize_piece(p, m, h, c), MUSC_OK);
    size_t right = 0;
    for (size_t f = 0; f < p->n_frames; f++)
        right += c[f] == p->chords[f];
    free(c);
    return (double)right / (double)p->n_frames;
}

static void tiny_training_lowers_loss_and_beats_chance(void **state)
{
    (void)state;
    data d;
    make_data(&d);
    run_log log = {0};
    musc_harmony_net_options o = tiny(&log);
    musc_harmony_net *net = NULL;
    assert_int_equal(musc_harmony_net_train(d.train, 8, d.valid, 2, &o, &net), MUSC_OK);
    assert_int_equal(log.calls, 8);
    assert_true(log.last < log.first * 0.7);
    /* four chords equally likely: chance is 0.25 */
    assert_true(log.acc > 0.6);
    assert_int_equal(musc_harmony_net_layers(net), 1);
    assert_int_equal(musc_harmony_net_hidden(net), 16);
    /* the same through musc_harmonize_piece, both decodings */
    musc_harmonizer *h = NULL;
    assert_int_equal(musc_harmonizer_with_net(net, NULL, &h), MUSC_OK);
    assert_true(accuracy(h, MUSC_HARMONIZE_BILSTM, &d.valid[0]) > 0.6);
    double w = -1;
    assert_int_equal(musc_harmonizer_tune_net(h, d.valid, 2, &w), MUSC_OK);
    assert_true(w >= 0 && w <= 2);
    assert_true(accuracy(h, MUSC_HARMONIZE_BILSTM_VITERBI, &d.valid[0]) > 0.6);
    musc_harmonizer_free(h);

    /* deterministic for a seed */
    run_log l2 = {0}, l3 = {0};
    musc_harmony_net_options o2 = tiny(&l2);
    o2.steps = 40;
    musc_harmony_net *a = NULL, *b = NULL;
    assert_int_equal(musc_harmony_net_train(d.train, 8, d.valid, 2, &o2, &a), MUSC_OK);
    o2.ctx = &l3;
    assert_int_equal(musc_harmony_net_train(d.train, 8, d.valid, 2, &o2, &b), MUSC_OK);
    assert_float_equal(l2.last, l3.last, 0);
    size_t n = d.valid[1].n_frames * MUSC_TRIAD_COUNT;
    float *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    assert_int_equal(musc_harmony_net_log_probs(a, &d.valid[1], pa), MUSC_OK);
    assert_int_equal(musc_harmony_net_log_probs(b, &d.valid[1], pb), MUSC_OK);
    assert_memory_equal(pa, pb, n * sizeof *pa);
    free(pa);
    free(pb);
    musc_harmony_net_free(a);
    musc_harmony_net_free(b);

    /* bad options and no chords are refused */
    o2.hidden = 0;
    assert_int_equal(musc_harmony_net_train(d.train, 8, NULL, 0, &o2, &a), MUSC_ERR_ARG);
    o2 = tiny(&l2);
    musc_harmony_piece none = {0};
    assert_int_equal(musc_harmony_net_train(&none, 1, NULL, 0, &o2, &a), MUSC_ERR_ARG);
    assert_null(a);
    free_data(&d);
}

static void auxiliary_head_trains_and_round_trips(void **state)
{
    (void)state;
    data d;
    make_data(&d);
    run_log log = {0};
    musc_harmony_net_options o = tiny(&log);
    o.aux_weight = 0.5f;
    musc_harmony_net *net = NULL;
    assert_int_equal(musc_harmony_net_train(d.train, 8, d.valid, 2, &o, &net), MUSC_OK);
    assert_true(log.last < log.first);
    assert_true(log.acc > 0.6);
    char *path = test_tmp_path("harmonize-bilstm-aux.ck");
    assert_int_equal(musc_harmony_net_save(net, path), MUSC_OK);
    musc_harmony_net *back = NULL;
    assert_int_equal(musc_harmony_net_load(path, &back), MUSC_OK);
    assert_int_equal(musc_harmony_net_parameters(back), musc_harmony_net_parameters(net));
    free(path);
    musc_harmony_net_free(back);
    musc_harmony_net_free(net);
    free_data(&d);
}

static void save_and_load_give_identical_predictions(void **state)
{
    (void)state;
    data d;
    make_data(&d);
    run_log log = {0};
    musc_harmony_net_options o = tiny(&log);
    o.steps = 40;
    musc_harmony_net *net = NULL;
    assert_int_equal(musc_harmony_net_train(d.train, 8, d.valid, 2, &o, &net), MUSC_OK);
    musc_harmonizer *h = NULL, *h2 = NULL;
    assert_int_equal(musc_harmonizer_with_net(net, NULL, &h), MUSC_OK);
    double w;
    assert_int_equal(musc_harmonizer_tune_net(h, d.valid, 2, &w), MUSC_OK);
    char *path = test_tmp_path("harmonize-bilstm.ck");
    assert_int_equal(musc_harmony_net_save(net, path), MUSC_OK);
    musc_harmony_net *back = NULL;
    assert_int_equal(musc_harmony_net_load(path, &back), MUSC_OK);
    assert_float_equal(musc_harmony_net_transition_weight(back), w, 1e-12);
    size_t n = d.valid[0].n_frames * MUSC_TRIAD_COUNT;
    float *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    assert_int_equal(musc_harmony_net_log_probs(net, &d.valid[0], pa), MUSC_OK);
    assert_int_equal(musc_harmony_net_log_probs(back, &d.valid[0], pb), MUSC_OK);
    assert_memory_equal(pa, pb, n * sizeof *pa);
    assert_int_equal(musc_harmonizer_with_net(back, NULL, &h2), MUSC_OK);
    int ca[40], cb[40];
    musc_harmony_net_set_prior_weight(net, 0.75);
    assert_int_equal(musc_harmony_net_save(net, path), MUSC_OK);
    musc_harmony_net *again = NULL;
    assert_int_equal(musc_harmony_net_load(path, &again), MUSC_OK);
    assert_float_equal(musc_harmony_net_prior_weight(again), 0.75, 0);
    musc_harmony_net_set_prior_weight(again, 9);
    assert_float_equal(musc_harmony_net_prior_weight(again), 2, 0);
    musc_harmony_net_free(again);
    musc_harmony_net_set_prior_weight(back, 0.75);
    for (int m = MUSC_HARMONIZE_BILSTM; m <= MUSC_HARMONIZE_BILSTM_PRIOR; m++) {
        assert_int_equal(musc_harmonize_piece(&d.valid[0], m, h, ca), MUSC_OK);
        assert_int_equal(musc_harmonize_piece(&d.valid[0], m, h2, cb), MUSC_OK);
        assert_memory_equal(ca, cb, sizeof ca);
    }
    free(pa);
    free(pb);
    free(path);
    musc_harmonizer_free(h);
    musc_harmonizer_free(h2);
    free_data(&d);
}

static void wrong_task_model_is_a_clear_error(void **state)
{
    (void)state;
    float x[16] = {0};
    musc_nn_tensor t = {.name = "w", .ndim = 1, .shape = {16}, .size = 16, .data = x};
    char *path = test_tmp_path("harmonize-wrong-task.ck");
    assert_int_equal(musc_nn_checkpoint_save(path, MUSC_NN_CKPT_MODEL,
                                             "{\"task\":\"instrument\",\"model\":\"bilstm\"}",
                                             &t, 1),
                     MUSC_OK);
    musc_harmony_net *net = (musc_harmony_net *)&t;
    assert_int_equal(musc_harmony_net_load(path, &net), MUSC_ERR_FORMAT);
    assert_null(net);
    assert_non_null(strstr(musc_errmsg(), "task 'instrument'"));
    assert_non_null(strstr(musc_errmsg(), "expected a harmonization model"));
    /* a harmonize checkpoint whose tensors do not match its config */
    assert_int_equal(musc_nn_checkpoint_save(path, MUSC_NN_CKPT_MODEL,
                                             "{\"task\":\"harmonize\",\"model\":\"bilstm\","
                                             "\"features\":29,\"classes\":49,\"layers\":1,"
                                             "\"hidden\":4}",
                                             &t, 1),
                     MUSC_OK);
    assert_int_not_equal(musc_harmony_net_load(path, &net), MUSC_OK);
    assert_null(net);
    /* not a checkpoint at all */
    assert_int_equal(test_write_file(path, "musc-harmony-hmm 1\n", 19), 0);
    assert_int_not_equal(musc_harmony_net_load(path, &net), MUSC_OK);
    free(path);
    /* the BiLSTM methods need a network */
    data d;
    make_data(&d);
    int c[40];
    assert_int_equal(musc_harmonize_piece(&d.valid[0], MUSC_HARMONIZE_BILSTM, NULL, c),
                     MUSC_ERR_ARG);
    free_data(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_training_lowers_loss_and_beats_chance),
        cmocka_unit_test(auxiliary_head_trains_and_round_trips),
        cmocka_unit_test(save_and_load_give_identical_predictions),
        cmocka_unit_test(wrong_task_model_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
