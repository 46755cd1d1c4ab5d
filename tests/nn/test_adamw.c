/*
 * AdamW against values worked out by hand, weight-decay exclusion, the
 * learning-rate schedule's shape, and global-norm clipping.
 */
#include <stdlib.h>
#include <string.h>

#include "test_support.h"
#include "musc/nn.h"
#include <math.h>

static void test_adamw_steps_match_hand_computed_values(void **state)
{
    (void)state;
    musc_nn_params p = {0};
    int one[1] = {1};
    int a = musc_nn_params_add(&p, "a", 1, one, 0);
    int b = musc_nn_params_add(&p, "b", 1, one, MUSC_NN_NO_DECAY);
    assert_int_equal(musc_nn_params_add(&p, "a", 1, one, 0), MUSC_ERR_ARG); /* duplicate */
    assert_int_equal(musc_nn_params_alloc(&p, 1), MUSC_OK);
    p.tensors[a].data[0] = 1.0f;
    p.tensors[b].data[0] = -2.0f;
    musc_nn_adamw_config cfg = {0.9f, 0.999f, 1e-8f, 0.01f};
    musc_nn_adamw opt;
    assert_int_equal(musc_nn_adamw_init(&opt, &p, &cfg), MUSC_OK);
    /* Step 1, g = (0.5, 0.1): m = 0.1 g, v = 0.001 g^2, so mhat/sqrt(vhat) = 1
     * (up to eps): a = 1 - 0.1 (1 + 0.01 * 1) = 0.899; b (no decay) = -2.1. */
    p.tensors[a].grad[0] = 0.5f;
    p.tensors[b].grad[0] = 0.1f;
    musc_nn_adamw_step(&opt, &p, 0.1f);
    assert_float_equal(p.tensors[a].data[0], 0.899f, 1e-6);
    assert_float_equal(p.tensors[b].data[0], -2.1f, 1e-6);
    /* Step 2, g_a = -0.25: m = 0.9*0.05 - 0.025 = 0.02, v = 0.999*0.00025 +
     * 0.0000625 = 0.00031225; mhat = 0.02/0.19 = 0.1052632, vhat =
     * 0.00031225/0.001999 = 0.1562031, sqrt = 0.3952254; update = 0.2663353;
     * a = 0.899 - 0.1 (0.2663353 + 0.00899) = 0.8714665. */
    p.tensors[a].grad[0] = -0.25f;
    musc_nn_adamw_step(&opt, &p, 0.1f);
    assert_float_equal(p.tensors[a].data[0], 0.8714665f, 2e-6);
    assert_int_equal(opt.step, 2);
    musc_nn_adamw_free(&opt);
    musc_nn_params_free(&p);
}

static void test_schedule_warms_up_then_decays(void **state)
{
    (void)state;
    musc_nn_schedule s = {1.0f, 10, 110, 0.1f, MUSC_NN_DECAY_LINEAR};
    assert_float_equal(musc_nn_schedule_lr(&s, 0), 0.1f, 1e-7);
    assert_float_equal(musc_nn_schedule_lr(&s, 4), 0.5f, 1e-7);
    assert_float_equal(musc_nn_schedule_lr(&s, 9), 1.0f, 1e-7);
    assert_float_equal(musc_nn_schedule_lr(&s, 10), 1.0f, 1e-7);
    assert_float_equal(musc_nn_schedule_lr(&s, 60), 0.55f, 1e-6);
    assert_float_equal(musc_nn_schedule_lr(&s, 110), 0.1f, 1e-7);
    assert_float_equal(musc_nn_schedule_lr(&s, 100000), 0.1f, 1e-7);
    s.decay = MUSC_NN_DECAY_COSINE;
    assert_float_equal(musc_nn_schedule_lr(&s, 60), 0.55f, 1e-6);
    assert_float_equal(musc_nn_schedule_lr(&s, 35), 0.1f + 0.9f * 0.5f * (1 + cosf(0.7853982f)),
                       1e-6);
    s.decay = MUSC_NN_DECAY_CONSTANT;
    assert_float_equal(musc_nn_schedule_lr(&s, 500), 1.0f, 0);
}

static void test_clip_scales_to_global_norm(void **state)
{
    (void)state;
    musc_nn_params p = {0};
    int one[1] = {1};
    musc_nn_params_add(&p, "x", 1, one, 0);
    musc_nn_params_add(&p, "y", 1, one, 0);
    assert_int_equal(musc_nn_params_alloc(&p, 1), MUSC_OK);
    p.tensors[0].grad[0] = 3.0f;
    p.tensors[1].grad[0] = 4.0f;
    assert_float_equal(musc_nn_clip_grad_norm(&p, 10.0f), 5.0f, 1e-6);
    assert_float_equal(p.tensors[0].grad[0], 3.0f, 0); /* under the limit: unchanged */
    assert_float_equal(musc_nn_clip_grad_norm(&p, 1.0f), 5.0f, 1e-6);
    assert_float_equal(p.tensors[0].grad[0], 0.6f, 1e-6);
    assert_float_equal(p.tensors[1].grad[0], 0.8f, 1e-6);
    musc_nn_params_free(&p);
}

static void test_arena_measures_then_carves_aligned(void **state)
{
    (void)state;
    musc_nn_arena m = musc_nn_arena_measure();
    assert_null(musc_nn_arena_floats(&m, 3));
    assert_null(musc_nn_arena_floats(&m, 17));
    assert_int_equal(m.used, 64 + 128);
    musc_nn_arena a;
    assert_int_equal(musc_nn_arena_init(&a, m.used), MUSC_OK);
    float *x = musc_nn_arena_floats(&a, 3), *y = musc_nn_arena_floats(&a, 17);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal((uintptr_t)x % 64, 0);
    assert_int_equal((uintptr_t)y % 64, 0);
    assert_null(musc_nn_arena_floats(&a, 1));
    assert_true(a.failed);
    musc_nn_arena_free(&a);
    /* the RNG is reproducible */
    musc_nn_rng r1, r2;
    musc_nn_rng_seed(&r1, 99);
    musc_nn_rng_seed(&r2, 99);
    for (int i = 0; i < 10; i++)
        assert_true(musc_nn_rng_next(&r1) == musc_nn_rng_next(&r2));
    double s = 0, s2 = 0;
    for (int i = 0; i < 20000; i++) {
        float z = musc_nn_rng_normal(&r1);
        s += z;
        s2 += z * z;
    }
    assert_true(fabs(s / 20000) < 0.03 && fabs(s2 / 20000 - 1) < 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adamw_steps_match_hand_computed_values),
        cmocka_unit_test(test_schedule_warms_up_then_decays),
        cmocka_unit_test(test_clip_scales_to_global_norm),
        cmocka_unit_test(test_arena_measures_then_carves_aligned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
