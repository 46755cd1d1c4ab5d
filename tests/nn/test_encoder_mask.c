/*
 * The decoder stack run as an encoder (musc_nn_decoder_set_mask with
 * causal = 0 and per-sequence lengths): gradients of the input and of every
 * parameter match finite differences; what padded rows hold never changes
 * the valid rows' outputs or any gradient; a padded sequence gives the same
 * outputs as the same sequence alone; and a bidirectional encoder refuses
 * the causal KV-cache step.
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

enum { B = 2, T = 7, C = 8, NH = 2, F = 16 };

typedef struct {
    musc_nn_params p;
    musc_nn_decoder *enc;
    int32_t lens[B];
    float x[B * T * C], dx[B * T * C], r[B * T * C];
    const float *out;
    float dropout;
} enc;

static void enc_new(enc *e, float dropout)
{
    memset(e, 0, sizeof *e);
    musc_nn_decoder_config cfg = {2, C, NH, F, dropout, dropout};
    assert_int_equal(musc_nn_decoder_new(&cfg, &e->p, "enc.", &e->enc), MUSC_OK);
    assert_int_equal(musc_nn_params_alloc(&e->p, 1), MUSC_OK);
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 3);
    /* larger than GPT-2 init so every path carries a visible gradient */
    for (int i = 0; i < e->p.count; i++)
        gc_fill(e->p.tensors[i].data, e->p.tensors[i].size, 0.5f, &rng);
    gc_fill(e->x, B * T * C, 1.0f, &rng);
    gc_fill(e->r, B * T * C, 1.0f, &rng);
    e->lens[0] = T;
    e->lens[1] = 4;
    /* the loss counts valid rows only, as a model's masked loss does */
    for (int t = 4; t < T; t++)
        memset(e->r + ((size_t)T + t) * C, 0, C * sizeof(float));
    e->dropout = dropout;
    musc_nn_decoder_set_mask(e->enc, 0, e->lens);
}

static double enc_loss(void *ctx)
{
    enc *e = ctx;
    assert_int_equal(musc_nn_decoder_forward(e->enc, &e->p, e->x, B, T, e->dropout > 0, 77,
                                             &e->out),
                     MUSC_OK);
    return gc_dot(e->out, e->r, B * T * C);
}

static void enc_backward(enc *e)
{
    musc_nn_params_zero_grad(&e->p);
    memset(e->dx, 0, sizeof e->dx);
    enc_loss(e);
    assert_int_equal(musc_nn_decoder_backward(e->enc, &e->p, e->x, e->r, e->dx), MUSC_OK);
}

static void test_encoder_gradients_match_finite_differences(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        enc e;
        enc_new(&e, k ? 0.2f : 0.0f);
        enc_backward(&e);
        double worst = gc_check(enc_loss, &e, e.x, e.dx, B * T * C, 1e-2f, 1e-2, 0);
        for (int i = 0; i < e.p.count; i++) {
            musc_nn_tensor *t = &e.p.tensors[i];
            double err = gc_check(enc_loss, &e, t->data, t->grad, t->size, 1e-2f, 1e-2, 0);
            worst = err > worst ? err : worst;
        }
        printf("gradcheck encoder (bidirectional, padded%s): max rel err %.2e\n",
               k ? ", dropout 0.2" : "", worst);
        assert_true(worst < 2e-2);
        musc_nn_decoder_free(e.enc);
        musc_nn_params_free(&e.p);
    }
}

static void test_padding_never_changes_valid_rows(void **state)
{
    (void)state;
    enc e;
    enc_new(&e, 0.0f);
    enc_backward(&e);
    float out[B * T * C], dx[B * T * C];
    memcpy(out, e.out, sizeof out);
    memcpy(dx, e.dx, sizeof dx);
    float *g = malloc(e.p.size * sizeof *g);
    memcpy(g, e.p.grad, e.p.size * sizeof *g);
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 8);
    gc_fill(e.x + ((size_t)T + 4) * C, (size_t)(T - 4) * C, 30.0f, &rng);
    enc_backward(&e);
    assert_memory_equal(out, e.out, (size_t)(T + 4) * C * sizeof(float));
    assert_memory_equal(dx, e.dx, (size_t)(T + 4) * C * sizeof(float));
    for (size_t i = ((size_t)T + 4) * C; i < (size_t)B * T * C; i++)
        assert_true(e.dx[i] == 0.0f);
    assert_memory_equal(g, e.p.grad, e.p.size * sizeof *g);
    /* the padded sequence alone, unpadded: the same outputs */
    int32_t four = 4;
    const float *alone;
    musc_nn_decoder_set_mask(e.enc, 0, &four);
    assert_int_equal(musc_nn_decoder_forward(e.enc, &e.p, e.x + (size_t)T * C, 1, 4, 0, 0, &alone),
                     MUSC_OK);
    double worst = 0;
    for (int i = 0; i < 4 * C; i++)
        worst = fmax(worst, fabs(alone[i] - out[(size_t)T * C + i]));
    printf("encoder: padded vs alone max abs diff %.2e\n", worst);
    assert_true(worst < 1e-5);
    /* bidirectional: no causal cache step */
    float row[C];
    assert_int_equal(musc_nn_decoder_cache_reset(e.enc, 4), MUSC_OK);
    assert_int_equal(musc_nn_decoder_step(e.enc, &e.p, e.x, row), MUSC_ERR_ARG);
    free(g);
    musc_nn_decoder_free(e.enc);
    musc_nn_params_free(&e.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encoder_gradients_match_finite_differences),
        cmocka_unit_test(test_padding_never_changes_valid_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
