/*
 * Masked attention (musc_nn_attention_masked_*): bidirectional and causal
 * attention with a key padding mask, against a naive double-precision
 * reference over sizes that cross tile boundaries; finite differences with
 * and without dropout; the causal, unpadded case equal to the original op;
 * padded rows giving zero output and never changing the valid rows.
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

/* Naive reference for one mask: full scores per (b, h), in double. */
static void naive(const float *qkv, const float *dout, const int32_t *lens, int causal,
                  double *out, double *dqkv, int B, int T, int C, int NH)
{
    int hs = C / NH, ld = 3 * C;
    double sc = 1.0 / sqrt((double)hs);
    double *P = malloc(sizeof(double) * T * T), *dP = malloc(sizeof(double) * T * T);
    memset(dqkv, 0, sizeof(double) * B * T * ld);
    memset(out, 0, sizeof(double) * B * T * C);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            int len = lens ? lens[b] : T;
            const float *base = qkv + (size_t)b * T * ld + h * hs;
#define Q(i, d) base[(size_t)(i) * ld + (d)]
#define K(i, d) base[(size_t)(i) * ld + C + (d)]
#define V(i, d) base[(size_t)(i) * ld + 2 * C + (d)]
            for (int i = 0; i < len; i++) {
                int n = causal && i + 1 < len ? i + 1 : len;
                double m = -1e300, s = 0;
                for (int j = 0; j < n; j++) {
                    double v = 0;
                    for (int d = 0; d < hs; d++)
                        v += (double)Q(i, d) * K(j, d);
                    P[i * T + j] = v * sc;
                    m = fmax(m, P[i * T + j]);
                }
                for (int j = 0; j < n; j++)
                    s += (P[i * T + j] = exp(P[i * T + j] - m));
                for (int j = 0; j < T; j++)
                    P[i * T + j] = j < n ? P[i * T + j] / s : 0.0;
                for (int d = 0; d < hs; d++) {
                    double o = 0;
                    for (int j = 0; j < n; j++)
                        o += P[i * T + j] * V(j, d);
                    out[((size_t)b * T + i) * C + h * hs + d] = o;
                }
            }
            double *dq = dqkv + (size_t)b * T * ld + h * hs;
            for (int i = 0; i < len; i++) {
                int n = causal && i + 1 < len ? i + 1 : len;
                const float *g = dout + ((size_t)b * T + i) * C + h * hs;
                double rowsum = 0;
                for (int j = 0; j < n; j++) {
                    double v = 0;
                    for (int d = 0; d < hs; d++)
                        v += (double)g[d] * V(j, d);
                    dP[i * T + j] = v;
                    rowsum += v * P[i * T + j];
                    for (int d = 0; d < hs; d++)
                        dq[(size_t)j * ld + 2 * C + d] += P[i * T + j] * g[d];
                }
                for (int j = 0; j < n; j++) {
                    double ds = P[i * T + j] * (dP[i * T + j] - rowsum) * sc;
                    for (int d = 0; d < hs; d++) {
                        dq[(size_t)i * ld + d] += ds * K(j, d);
                        dq[(size_t)j * ld + C + d] += ds * Q(i, d);
                    }
                }
            }
#undef Q
#undef K
#undef V
        }
    free(P);
    free(dP);
}

static double max_err(const float *a, const double *b, size_t n)
{
    double worst = 0, scale = 1e-30;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]) / scale);
    return worst;
}

static void check_against_naive(int B, int T, int C, int NH, const int32_t *lens, int causal)
{
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, (uint64_t)(T * 31 + C + causal));
    size_t n3 = (size_t)B * T * 3 * C, n = (size_t)B * T * C;
    float *qkv = malloc(n3 * 4), *out = malloc(n * 4), *lse = malloc((size_t)B * NH * T * 4);
    float *dout = malloc(n * 4), *dqkv = calloc(n3, 4);
    double *rout = malloc(n * 8), *rdqkv = malloc(n3 * 8);
    gc_fill(qkv, n3, 2, &rng);
    gc_fill(dout, n, 1, &rng);
    assert_int_equal(musc_nn_attention_masked_forward(out, lse, qkv, lens, B, T, C, NH, causal,
                                                      0.0f, 0),
                     MUSC_OK);
    assert_int_equal(musc_nn_attention_masked_backward(dqkv, dout, qkv, out, lse, lens, B, T, C,
                                                       NH, causal, 0.0f, 0),
                     MUSC_OK);
    naive(qkv, dout, lens, causal, rout, rdqkv, B, T, C, NH);
    double ef = max_err(out, rout, n), eb = max_err(dqkv, rdqkv, n3);
    printf("masked attention vs naive B=%d T=%d C=%d NH=%d %s%s: forward %.2e, backward %.2e\n",
           B, T, C, NH, causal ? "causal" : "bidirectional", lens ? ", padded" : "", ef, eb);
    assert_true(ef < 1e-5);
    assert_true(eb < 1e-5);
    free(qkv); free(out); free(lse); free(dout); free(dqkv); free(rout); free(rdqkv);
}

static void test_masked_attention_equals_naive_reference(void **state)
{
    (void)state;
    const int32_t lens2[2] = {3, 5}, lens3[3] = {150, 64, 1}, lens1[2] = {64, 65};
    for (int causal = 0; causal < 2; causal++) {
        check_against_naive(2, 5, 8, 2, NULL, causal);
        check_against_naive(2, 5, 8, 2, lens2, causal);
        check_against_naive(2, 65, 16, 4, lens1, causal); /* a tile edge either side */
        check_against_naive(3, 150, 24, 3, lens3, causal); /* ragged tiles, a 1-note sequence */
    }
}

static void test_causal_unpadded_equals_original_op(void **state)
{
    (void)state;
    const int B = 2, T = 100, C = 16, NH = 2;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 3);
    size_t n3 = (size_t)B * T * 3 * C, n = (size_t)B * T * C;
    float *qkv = malloc(n3 * 4), *a = malloc(n * 4), *b = malloc(n * 4);
    float *la = malloc((size_t)B * NH * T * 4), *lb = malloc((size_t)B * NH * T * 4);
    float *dout = malloc(n * 4), *da = calloc(n3, 4), *db = calloc(n3, 4);
    gc_fill(qkv, n3, 2, &rng);
    gc_fill(dout, n, 1, &rng);
    musc_nn_attention_forward(a, la, qkv, B, T, C, NH, 0.2f, 5);
    musc_nn_attention_masked_forward(b, lb, qkv, NULL, B, T, C, NH, 1, 0.2f, 5);
    assert_memory_equal(a, b, n * 4);
    assert_memory_equal(la, lb, (size_t)B * NH * T * 4);
    musc_nn_attention_backward(da, dout, qkv, a, la, B, T, C, NH, 0.2f, 5);
    musc_nn_attention_masked_backward(db, dout, qkv, b, lb, NULL, B, T, C, NH, 1, 0.2f, 5);
    assert_memory_equal(da, db, n3 * 4);
    free(qkv); free(a); free(b); free(la); free(lb); free(dout); free(da); free(db);
}

static void test_padded_rows_do_not_change_valid_rows(void **state)
{
    (void)state;
    const int B = 2, T = 70, C = 16, NH = 4;
    const int32_t lens[2] = {70, 33};
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 4);
    size_t n3 = (size_t)B * T * 3 * C, n = (size_t)B * T * C;
    float *qkv = malloc(n3 * 4), *a = malloc(n * 4), *b = malloc(n * 4);
    float *lse = malloc((size_t)B * NH * T * 4);
    float *dout = malloc(n * 4), *da = calloc(n3, 4), *db = calloc(n3, 4);
    gc_fill(qkv, n3, 2, &rng);
    gc_fill(dout, n, 1, &rng);
    musc_nn_attention_masked_forward(a, lse, qkv, lens, B, T, C, NH, 0, 0.0f, 0);
    musc_nn_attention_masked_backward(da, dout, qkv, a, lse, lens, B, T, C, NH, 0, 0.0f, 0);
    /* scramble the padding of sequence 1 (rows 33..69: queries, keys, values, and their
     * output gradients) */
    for (int t = 33; t < T; t++) {
        gc_fill(qkv + ((size_t)T + t) * 3 * C, 3 * (size_t)C, 50, &rng);
        gc_fill(dout + ((size_t)T + t) * C, (size_t)C, 50, &rng);
    }
    musc_nn_attention_masked_forward(b, lse, qkv, lens, B, T, C, NH, 0, 0.0f, 0);
    musc_nn_attention_masked_backward(db, dout, qkv, b, lse, lens, B, T, C, NH, 0, 0.0f, 0);
    assert_memory_equal(a, b, n * 4); /* valid rows equal, padded rows zero in both */
    for (size_t i = (size_t)(T + 33) * C; i < n; i++)
        assert_true(b[i] == 0.0f);
    assert_memory_equal(da, db, n3 * 4); /* and padded rows get no gradient */
    for (size_t i = (size_t)(T + 33) * 3 * C; i < n3; i++)
        assert_true(db[i] == 0.0f);
    free(qkv); free(a); free(b); free(lse); free(dout); free(da); free(db);
}

typedef struct {
    int B, T, C, NH, causal;
    const int32_t *lens;
    float *qkv, *out, *lse, *r;
    float drop;
} at_ctx;

static double at_loss(void *p)
{
    at_ctx *c = p;
    musc_nn_attention_masked_forward(c->out, c->lse, c->qkv, c->lens, c->B, c->T, c->C, c->NH,
                                     c->causal, c->drop, 31);
    return gc_dot(c->out, c->r, (size_t)c->B * c->T * c->C);
}

static void test_masked_attention_backward_matches_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 9);
    const int32_t lens[2] = {6, 4};
    at_ctx c = {2, 6, 8, 2, 0, lens, NULL, NULL, NULL, NULL, 0.0f};
    size_t n3 = 2 * 6 * 24, n = 2 * 6 * 8;
    c.qkv = malloc(n3 * 4); c.out = malloc(n * 4); c.lse = malloc(2 * 2 * 6 * 4);
    c.r = malloc(n * 4);
    gc_fill(c.qkv, n3, 1.5f, &rng);
    gc_fill(c.r, n, 1, &rng);
    float *dqkv = calloc(n3, 4);
    for (int k = 0; k < 4; k++) {
        c.drop = k & 1 ? 0.3f : 0.0f;
        c.causal = k >> 1;
        memset(dqkv, 0, n3 * 4);
        at_loss(&c);
        musc_nn_attention_masked_backward(dqkv, c.r, c.qkv, c.out, c.lse, c.lens, c.B, c.T, c.C,
                                          c.NH, c.causal, c.drop, 31);
        double err = gc_check(at_loss, &c, c.qkv, dqkv, n3, 1e-2f, 1e-2, 0);
        printf("gradcheck masked attention d_qkv, %s, dropout %.1f: max rel err %.2e\n",
               c.causal ? "causal" : "bidirectional", (double)c.drop, err);
        assert_true(err < 1e-2);
    }
    free(c.qkv); free(c.out); free(c.lse); free(c.r); free(dqkv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masked_attention_equals_naive_reference),
        cmocka_unit_test(test_causal_unpadded_equals_original_op),
        cmocka_unit_test(test_padded_rows_do_not_change_valid_rows),
        cmocka_unit_test(test_masked_attention_backward_matches_finite_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
