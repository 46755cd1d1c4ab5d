/*
 * The LSTM layer: backward against central finite differences in both
 * directions with unequal sequence lengths, and the padding rule (a padded
 * batch row gives the same outputs as the sequence run alone).
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

#define TOL 1e-2

static float *fa(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

typedef struct {
    int B, T, I, H, reverse;
    const int32_t *lens;
    float *x, *wx, *wh, *b, *h, *c, *g, *r;
} lstm_ctx;

static double lstm_loss(void *p)
{
    lstm_ctx *k = p;
    musc_nn_lstm_forward(k->h, k->c, k->g, k->x, k->wx, k->wh, k->b, k->lens, k->B, k->T, k->I,
                         k->H, k->reverse);
    return gc_dot(k->h, k->r, (size_t)k->B * k->T * k->H);
}

static void check_direction(int reverse, const int32_t *lens)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 7 + reverse);
    lstm_ctx k = {3, 5, 4, 3, reverse, lens, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t nx = (size_t)k.B * k.T * k.I, nh = (size_t)k.B * k.T * k.H, G = 4 * (size_t)k.H;
    k.x = fa(nx); k.wx = fa(G * k.I); k.wh = fa(G * k.H); k.b = fa(G);
    k.h = fa(nh); k.c = fa(nh); k.g = fa(nh * 4); k.r = fa(nh);
    gc_fill(k.x, nx, 1, &rng); gc_fill(k.wx, G * k.I, 0.8f, &rng);
    gc_fill(k.wh, G * k.H, 0.8f, &rng); gc_fill(k.b, G, 0.5f, &rng); gc_fill(k.r, nh, 1, &rng);
    float *dx = fa(nx), *dwx = fa(G * k.I), *dwh = fa(G * k.H), *db = fa(G);
    lstm_loss(&k);
    assert_int_equal(musc_nn_lstm_backward(dx, dwx, dwh, db, k.r, k.x, k.h, k.c, k.g, k.wx, k.wh,
                                           lens, k.B, k.T, k.I, k.H, reverse),
                     MUSC_OK);
    char what[64];
    const char *dir = reverse ? "reverse" : "forward";
    snprintf(what, sizeof what, "lstm %s d_in", dir);
    double e = gc_check(lstm_loss, &k, k.x, dx, nx, 1e-2f, 1e-2, 0);
    printf("gradcheck %-28s max rel err %.2e\n", what, e);
    assert_true(e < TOL);
    snprintf(what, sizeof what, "lstm %s d_wx", dir);
    e = gc_check(lstm_loss, &k, k.wx, dwx, G * k.I, 1e-2f, 1e-2, 0);
    printf("gradcheck %-28s max rel err %.2e\n", what, e);
    assert_true(e < TOL);
    snprintf(what, sizeof what, "lstm %s d_wh", dir);
    e = gc_check(lstm_loss, &k, k.wh, dwh, G * k.H, 1e-2f, 1e-2, 0);
    printf("gradcheck %-28s max rel err %.2e\n", what, e);
    assert_true(e < TOL);
    snprintf(what, sizeof what, "lstm %s d_b", dir);
    e = gc_check(lstm_loss, &k, k.b, db, G, 1e-2f, 1e-2, 0);
    printf("gradcheck %-28s max rel err %.2e\n", what, e);
    assert_true(e < TOL);
    /* the gradient is not trivially zero */
    double norm = 0;
    for (size_t i = 0; i < G * k.H; i++)
        norm += fabs(dwh[i]);
    assert_true(norm > 1e-3);
    /* padded inputs get no gradient */
    if (lens)
        for (int b = 0; b < k.B; b++)
            for (int t = lens[b]; t < k.T; t++)
                for (int i = 0; i < k.I; i++)
                    assert_float_equal(dx[((size_t)b * k.T + t) * k.I + i], 0.0f, 0.0f);
    free(k.x); free(k.wx); free(k.wh); free(k.b); free(k.h); free(k.c); free(k.g); free(k.r);
    free(dx); free(dwx); free(dwh); free(db);
}

static void test_forward_lstm_backward_matches_finite_differences(void **state)
{
    (void)state;
    check_direction(0, NULL);
}

static void test_reverse_lstm_backward_matches_finite_differences(void **state)
{
    (void)state;
    check_direction(1, NULL);
}

static void test_lstm_backward_with_unequal_lengths(void **state)
{
    (void)state;
    const int32_t lens[3] = {5, 2, 4};
    check_direction(0, lens);
    check_direction(1, lens);
}

/* A short sequence padded inside a batch equals the same sequence alone. */
static void test_padding_does_not_leak_into_real_steps(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 3);
    const int B = 2, T = 6, I = 3, H = 4, G = 16;
    const int32_t lens[2] = {6, 3};
    float x[2 * 6 * 3], wx[16 * 3], wh[16 * 4], b[16];
    gc_fill(x, sizeof x / 4, 1, &rng); gc_fill(wx, sizeof wx / 4, 1, &rng);
    gc_fill(wh, sizeof wh / 4, 1, &rng); gc_fill(b, 16, 1, &rng);
    for (int reverse = 0; reverse < 2; reverse++) {
        float h[2 * 6 * 4], c[2 * 6 * 4], g[2 * 6 * 16];
        float h1[3 * 4], c1[3 * 4], g1[3 * 16];
        musc_nn_lstm_forward(h, c, g, x, wx, wh, b, lens, B, T, I, H, reverse);
        musc_nn_lstm_forward(h1, c1, g1, x + T * I, wx, wh, b, NULL, 1, 3, I, H, reverse);
        for (int i = 0; i < 3 * H; i++)
            assert_float_equal(h[T * H + i], h1[i], 1e-6);
        for (int i = 3 * H; i < T * H; i++)
            assert_float_equal(h[T * H + i], 0.0f, 0.0f);
        /* direction matters */
        if (reverse) {
            float hf[2 * 6 * 4];
            musc_nn_lstm_forward(hf, c, g, x, wx, wh, b, lens, B, T, I, H, 0);
            assert_true(fabsf(hf[0] - h[0]) > 1e-6f);
        }
    }
    (void)G;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_lstm_backward_matches_finite_differences),
        cmocka_unit_test(test_reverse_lstm_backward_matches_finite_differences),
        cmocka_unit_test(test_lstm_backward_with_unequal_lengths),
        cmocka_unit_test(test_padding_does_not_leak_into_real_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
