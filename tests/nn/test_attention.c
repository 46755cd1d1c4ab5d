/*
 * Causal attention: the tiled implementation (which never forms T x T)
 * against a naive double-precision reference that does, forward and
 * backward, over sizes that cross tile boundaries; finite differences on a
 * small case; and the KV-cache step equal to the full forward row by row.
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

/* Naive reference: full T x T scores per (b, h), in double. */
static void naive(const float *qkv, const float *dout, double *out, double *dqkv, int B, int T,
                  int C, int NH)
{
    int hs = C / NH, ld = 3 * C;
    double sc = 1.0 / sqrt((double)hs);
    double *P = malloc(sizeof(double) * T * T), *dP = malloc(sizeof(double) * T * T);
    memset(dqkv, 0, sizeof(double) * B * T * ld);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            const float *base = qkv + (size_t)b * T * ld + h * hs;
#define Q(i, d) base[(size_t)(i) * ld + (d)]
#define K(i, d) base[(size_t)(i) * ld + C + (d)]
#define V(i, d) base[(size_t)(i) * ld + 2 * C + (d)]
            for (int i = 0; i < T; i++) {
                double m = -1e300, s = 0;
                for (int j = 0; j <= i; j++) {
                    double v = 0;
                    for (int d = 0; d < hs; d++)
                        v += (double)Q(i, d) * K(j, d);
                    P[i * T + j] = v * sc;
                    if (P[i * T + j] > m)
                        m = P[i * T + j];
                }
                for (int j = 0; j <= i; j++)
                    s += (P[i * T + j] = exp(P[i * T + j] - m));
                for (int j = 0; j < T; j++)
                    P[i * T + j] = j <= i ? P[i * T + j] / s : 0.0;
                for (int d = 0; d < hs; d++) {
                    double o = 0;
                    for (int j = 0; j <= i; j++)
                        o += P[i * T + j] * V(j, d);
                    out[((size_t)b * T + i) * C + h * hs + d] = o;
                }
            }
            if (!dout)
                continue;
            double *dq = dqkv + (size_t)b * T * ld + h * hs;
            for (int i = 0; i < T; i++) {
                const float *g = dout + ((size_t)b * T + i) * C + h * hs;
                double rowsum = 0;
                for (int j = 0; j <= i; j++) {
                    double v = 0;
                    for (int d = 0; d < hs; d++)
                        v += (double)g[d] * V(j, d);
                    dP[i * T + j] = v;
                    rowsum += v * P[i * T + j];
                    for (int d = 0; d < hs; d++)
                        dq[(size_t)j * ld + 2 * C + d] += P[i * T + j] * g[d];
                }
                for (int j = 0; j <= i; j++) {
                    double ds = P[i * T + j] * (dP[i * T + j] - rowsum) * sc;
                    for (int d = 0; d < hs; d++) {
                        dq[(size_t)i * ld + d] += ds * K(j, d);
                        dq[(size_t)j * ld + C + d] += ds * Q(i, d);
                    }
                }
            }
        }
    free(P);
    free(dP);
}

static double max_err(const float *a, const double *b, size_t n)
{
    double worst = 0, scale = 0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]) / scale);
    return worst;
}

static void check_against_naive(int B, int T, int C, int NH)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, (uint64_t)(T * 31 + C));
    size_t n3 = (size_t)B * T * 3 * C, n = (size_t)B * T * C;
    float *qkv = malloc(n3 * 4), *out = malloc(n * 4), *lse = malloc((size_t)B * NH * T * 4);
    float *dout = malloc(n * 4), *dqkv = calloc(n3, 4);
    double *rout = malloc(n * 8), *rdqkv = malloc(n3 * 8);
    gc_fill(qkv, n3, 2, &rng);
    gc_fill(dout, n, 1, &rng);
    assert_int_equal(musc_nn_attention_forward(out, lse, qkv, B, T, C, NH, 0.0f, 0), MUSC_OK);
    assert_int_equal(musc_nn_attention_backward(dqkv, dout, qkv, out, lse, B, T, C, NH, 0.0f, 0),
                     MUSC_OK);
    naive(qkv, dout, rout, rdqkv, B, T, C, NH);
    double ef = max_err(out, rout, n), eb = max_err(dqkv, rdqkv, n3);
    printf("attention vs naive B=%d T=%d C=%d NH=%d: forward %.2e, backward %.2e (max abs err / "
           "max |ref|)\n", B, T, C, NH, ef, eb);
    assert_true(ef < 1e-5);
    assert_true(eb < 1e-5);
    free(qkv); free(out); free(lse); free(dout); free(dqkv); free(rout); free(rdqkv);
}

static void test_attention_equals_naive_reference(void **state)
{
    (void)state;
    check_against_naive(2, 5, 8, 2);
    check_against_naive(2, 64, 16, 4);  /* exactly one tile */
    check_against_naive(1, 150, 24, 3); /* three tiles, ragged last */
}

typedef struct {
    int B, T, C, NH;
    float *qkv, *out, *lse, *r;
    float drop;
} at_ctx;

static double at_loss(void *p)
{
    at_ctx *c = p;
    musc_nn_attention_forward(c->out, c->lse, c->qkv, c->B, c->T, c->C, c->NH, c->drop, 31);
    return gc_dot(c->out, c->r, (size_t)c->B * c->T * c->C);
}

static void test_attention_backward_matches_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 9);
    at_ctx c = {2, 6, 8, 2, NULL, NULL, NULL, NULL, 0.0f};
    size_t n3 = 2 * 6 * 24, n = 2 * 6 * 8;
    c.qkv = malloc(n3 * 4); c.out = malloc(n * 4); c.lse = malloc(2 * 2 * 6 * 4);
    c.r = malloc(n * 4);
    gc_fill(c.qkv, n3, 1.5f, &rng);
    gc_fill(c.r, n, 1, &rng);
    float *dqkv = calloc(n3, 4), *plain = malloc(n * 4);
    for (int k = 0; k < 2; k++) {
        c.drop = k ? 0.3f : 0.0f;
        memset(dqkv, 0, n3 * 4);
        at_loss(&c);
        if (!k)
            memcpy(plain, c.out, n * 4);
        else
            assert_memory_not_equal(plain, c.out, n * 4); /* dropout did something */
        musc_nn_attention_backward(dqkv, c.r, c.qkv, c.out, c.lse, c.B, c.T, c.C, c.NH, c.drop,
                                   31);
        double err = gc_check(at_loss, &c, c.qkv, dqkv, n3, 1e-2f, 1e-2, 0);
        printf("gradcheck %-28s max rel err %.2e\n",
               k ? "attention d_qkv, dropout 0.3" : "attention d_qkv", err);
        assert_true(err < 1e-2);
    }
    free(c.qkv); free(c.out); free(c.lse); free(c.r); free(dqkv); free(plain);
}

static void test_kv_cache_step_equals_full_forward(void **state)
{
    (void)state;
    const int T = 70, C = 16, NH = 4;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 10);
    float *qkv = malloc((size_t)T * 3 * C * 4), *out = malloc((size_t)T * C * 4);
    float *lse = malloc((size_t)NH * T * 4);
    float *kc = malloc((size_t)T * C * 4), *vc = malloc((size_t)T * C * 4);
    float *scratch = malloc((size_t)NH * T * 4), row[16];
    gc_fill(qkv, (size_t)T * 3 * C, 2, &rng);
    musc_nn_attention_forward(out, lse, qkv, 1, T, C, NH, 0.0f, 0);
    double worst = 0;
    for (int t = 0; t < T; t++) {
        musc_nn_attention_step(row, qkv + (size_t)t * 3 * C, kc, vc, t, C, NH, scratch);
        for (int c = 0; c < C; c++)
            worst = fmax(worst, fabs(row[c] - out[(size_t)t * C + c]));
    }
    printf("attention KV-cache step vs full forward: max abs diff %.2e\n", worst);
    assert_true(worst < 1e-5);
    free(qkv); free(out); free(lse); free(kc); free(vc); free(scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attention_equals_naive_reference),
        cmocka_unit_test(test_attention_backward_matches_finite_differences),
        cmocka_unit_test(test_kv_cache_step_equals_full_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
