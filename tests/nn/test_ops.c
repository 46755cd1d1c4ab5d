/*
 * Every op's backward against central finite differences (float32 forward,
 * double loss). Sizes are tiny so each check runs in milliseconds. The
 * largest relative error of each check is printed for the record.
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

#define TOL 1e-2

static float *fa(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

static void report(const char *what, double err)
{
    printf("gradcheck %-28s max rel err %.2e\n", what, err);
    assert_true(err < TOL);
}

/* ---- linear ---- */
typedef struct {
    int N, I, O;
    float *in, *w, *b, *out, *r;
} lin_ctx;

static double lin_loss(void *p)
{
    lin_ctx *c = p;
    musc_nn_linear_forward(c->out, c->in, c->w, c->b, c->N, c->I, c->O);
    return gc_dot(c->out, c->r, (size_t)c->N * c->O);
}

static void test_linear_backward_matches_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 1);
    lin_ctx c = {5, 7, 3, NULL, NULL, NULL, NULL, NULL};
    c.in = fa(35); c.w = fa(21); c.b = fa(3); c.out = fa(15); c.r = fa(15);
    gc_fill(c.in, 35, 1, &rng); gc_fill(c.w, 21, 1, &rng); gc_fill(c.b, 3, 1, &rng);
    gc_fill(c.r, 15, 1, &rng);
    float *din = fa(35), *dw = fa(21), *db = fa(3);
    musc_nn_linear_backward(din, dw, db, c.r, c.in, c.w, c.N, c.I, c.O);
    report("linear d_in", gc_check(lin_loss, &c, c.in, din, 35, 1e-2f, 1e-2, 0));
    report("linear d_weight", gc_check(lin_loss, &c, c.w, dw, 21, 1e-2f, 1e-2, 0));
    report("linear d_bias", gc_check(lin_loss, &c, c.b, db, 3, 1e-2f, 1e-2, 0));
    /* backward accumulates */
    float before = dw[0];
    musc_nn_linear_backward(NULL, dw, NULL, c.r, c.in, c.w, c.N, c.I, c.O);
    assert_float_equal(dw[0], 2 * before, 1e-5);
    /* one row (sampling path) equals the batched result */
    float one[3];
    musc_nn_linear_forward(c.out, c.in, c.w, c.b, c.N, c.I, c.O);
    musc_nn_linear_forward(one, c.in + 4 * 7, c.w, c.b, 1, c.I, c.O);
    for (int k = 0; k < 3; k++)
        assert_float_equal(one[k], c.out[4 * 3 + k], 1e-5);
    free(c.in); free(c.w); free(c.b); free(c.out); free(c.r); free(din); free(dw); free(db);
}

/* ---- layer norm ---- */
typedef struct {
    int N, C;
    float *in, *w, *b, *out, *mean, *rstd, *r;
} ln_ctx;

static double ln_loss(void *p)
{
    ln_ctx *c = p;
    musc_nn_layernorm_forward(c->out, c->mean, c->rstd, c->in, c->w, c->b, c->N, c->C);
    return gc_dot(c->out, c->r, (size_t)c->N * c->C);
}

static void test_layernorm_backward_matches_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 2);
    ln_ctx c = {4, 9, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    size_t n = 36;
    c.in = fa(n); c.w = fa(9); c.b = fa(9); c.out = fa(n); c.mean = fa(4); c.rstd = fa(4);
    c.r = fa(n);
    gc_fill(c.in, n, 2, &rng); gc_fill(c.w, 9, 1, &rng); gc_fill(c.b, 9, 1, &rng);
    gc_fill(c.r, n, 1, &rng);
    ln_loss(&c);
    /* normalised rows: mean 0, variance 1 before the affine part */
    double m = 0;
    for (int i = 0; i < 9; i++)
        m += (c.in[i] - c.mean[0]) * c.rstd[0];
    assert_true(fabs(m) < 1e-5);
    float *din = fa(n), *dw = fa(9), *db = fa(9);
    musc_nn_layernorm_backward(din, dw, db, c.r, c.in, c.w, c.mean, c.rstd, c.N, c.C);
    report("layernorm d_in", gc_check(ln_loss, &c, c.in, din, n, 1e-2f, 1e-2, 0));
    report("layernorm d_weight", gc_check(ln_loss, &c, c.w, dw, 9, 1e-2f, 1e-2, 0));
    report("layernorm d_bias", gc_check(ln_loss, &c, c.b, db, 9, 1e-2f, 1e-2, 0));
    free(c.in); free(c.w); free(c.b); free(c.out); free(c.mean); free(c.rstd); free(c.r);
    free(din); free(dw); free(db);
}

/* ---- GELU, residual, dropout: elementwise ---- */
typedef struct {
    size_t n;
    int op; /* 0 gelu, 1 dropout */
    float p;
    float *in, *out, *r;
} ew_ctx;

static double ew_loss(void *p)
{
    ew_ctx *c = p;
    if (c->op == 0)
        musc_nn_gelu_forward(c->out, c->in, c->n);
    else
        musc_nn_dropout_forward(c->out, c->in, c->n, c->p, 77);
    return gc_dot(c->out, c->r, c->n);
}

static void test_gelu_matches_reference_and_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 3);
    ew_ctx c = {64, 0, 0, fa(64), fa(64), fa(64)};
    gc_fill(c.in, 64, 4, &rng);
    gc_fill(c.r, 64, 1, &rng);
    c.in[0] = 0.0f; c.in[1] = -30.0f; c.in[2] = 30.0f;
    ew_loss(&c);
    for (size_t i = 0; i < 64; i++) {
        double x = c.in[i];
        double ref = 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
        assert_true(fabs(c.out[i] - ref) < 1e-6 + 1e-6 * fabs(ref));
    }
    float *din = fa(64);
    musc_nn_gelu_backward(din, c.in, c.r, 64);
    report("gelu d_in", gc_check(ew_loss, &c, c.in, din, 64, 1e-2f, 1e-2, 0));
    free(c.in); free(c.out); free(c.r); free(din);
}

static void test_dropout_is_seeded_scaled_and_differentiable(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 4);
    size_t n = 4000;
    ew_ctx c = {n, 1, 0.25f, fa(n), fa(n), fa(n)};
    for (size_t i = 0; i < n; i++)
        c.in[i] = 1.0f;
    gc_fill(c.r, n, 1, &rng);
    ew_loss(&c);
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++) {
        if (c.out[i] == 0.0f)
            zeros++;
        else
            assert_float_equal(c.out[i], 1.0f / 0.75f, 1e-6);
    }
    assert_true(zeros > 900 && zeros < 1100); /* ~25 % */
    float *again = fa(n);
    musc_nn_dropout_forward(again, c.in, n, 0.25f, 77);
    assert_memory_equal(again, c.out, n * sizeof(float));
    float *din = fa(n);
    musc_nn_dropout_backward(din, c.r, n, 0.25f, 77);
    report("dropout d_in", gc_check(ew_loss, &c, c.in, din, n, 1e-2f, 1e-2, 200));
    /* residual */
    float a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, o[3], da[3] = {0}, dbb[3] = {0}, g[3] = {1, -1, 2};
    musc_nn_residual_forward(o, a, b, 3);
    assert_float_equal(o[2], 9, 0);
    musc_nn_residual_backward(da, dbb, g, 3);
    assert_float_equal(da[1], -1, 0);
    assert_float_equal(dbb[2], 2, 0);
    free(c.in); free(c.out); free(c.r); free(din); free(again);
}

/* ---- embeddings ---- */
typedef struct {
    int N, C, V0, V1;
    int32_t *idx;
    float *t0, *t1, *out, *r;
} emb_ctx;

static double emb_loss(void *p)
{
    emb_ctx *c = p;
    const float *tables[2] = {c->t0, c->t1};
    int vocabs[2] = {c->V0, c->V1};
    assert_int_equal(musc_nn_embedding_sum_forward(c->out, c->idx, 2, tables, vocabs, 2, c->N,
                                                   c->C),
                     MUSC_OK);
    return gc_dot(c->out, c->r, (size_t)c->N * c->C);
}

static void test_embedding_sum_backward_and_range_errors(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 5);
    int32_t idx[12] = {0, 1, 2, 0, 0, 3, 4, 2, 2, 2, 0, 1}; /* repeats on purpose */
    emb_ctx c = {6, 4, 5, 4, idx, fa(20), fa(16), fa(24), fa(24)};
    gc_fill(c.t0, 20, 1, &rng); gc_fill(c.t1, 16, 1, &rng); gc_fill(c.r, 24, 1, &rng);
    float *d0 = fa(20), *d1 = fa(16);
    float *dt[2] = {d0, d1};
    musc_nn_embedding_sum_backward(dt, idx, 2, 2, c.r, c.N, c.C);
    report("embedding sum d_table0", gc_check(emb_loss, &c, c.t0, d0, 20, 1e-2f, 1e-2, 0));
    report("embedding sum d_table1", gc_check(emb_loss, &c, c.t1, d1, 16, 1e-2f, 1e-2, 0));
    /* single table = the sum with one field */
    int32_t one[6] = {0, 2, 4, 4, 1, 0};
    float *o1 = fa(24);
    assert_int_equal(musc_nn_embedding_forward(o1, one, c.t0, 6, 5, 4, 0), MUSC_OK);
    assert_memory_equal(o1 + 4, c.t0 + 8, 4 * sizeof(float));
    float *dd = fa(20);
    musc_nn_embedding_backward(dd, one, c.r, 6, 4);
    assert_float_equal(dd[16], c.r[8] + c.r[12], 1e-6);
    one[3] = 5;
    assert_int_equal(musc_nn_embedding_forward(o1, one, c.t0, 6, 5, 4, 0), MUSC_ERR_RANGE);
    assert_non_null(strstr(musc_errmsg(), "row 3"));
    idx[5] = -1;
    const float *tables[2] = {c.t0, c.t1};
    int vocabs[2] = {5, 4};
    assert_int_equal(musc_nn_embedding_sum_forward(c.out, idx, 2, tables, vocabs, 2, 6, 4),
                     MUSC_ERR_RANGE);
    free(c.t0); free(c.t1); free(c.out); free(c.r); free(d0); free(d1); free(o1); free(dd);
}

/* ---- softmax cross-entropy ---- */
typedef struct {
    int N, V;
    float *logits, *lse, *w;
    int32_t *tgt;
} xe_ctx;

static double xe_loss(void *p)
{
    xe_ctx *c = p;
    double ls, ws;
    musc_nn_xent_forward(&ls, &ws, NULL, c->lse, c->logits, c->tgt, c->w, -1, c->N, c->V);
    return ls / ws;
}

static void test_xent_masks_weights_and_matches_finite_differences(void **state)
{
    (void)state;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 6);
    int32_t tgt[5] = {2, -1, 0, 6, 3};
    float w[5] = {1.0f, 1.0f, 0.5f, 2.0f, 1.0f};
    xe_ctx c = {5, 7, fa(35), fa(5), w, tgt};
    gc_fill(c.logits, 35, 3, &rng);
    double ls, ws;
    float losses[5];
    musc_nn_xent_forward(&ls, &ws, losses, c.lse, c.logits, tgt, w, -1, 5, 7);
    assert_float_equal(ws, 4.5, 1e-9);
    assert_float_equal(losses[1], 0.0f, 0);
    /* row 0 by hand */
    double s = 0;
    for (int j = 0; j < 7; j++)
        s += exp(c.logits[j]);
    assert_true(fabs(losses[0] - (log(s) - c.logits[2])) < 1e-5);
    float *dl = fa(35);
    musc_nn_xent_backward(dl, c.logits, c.lse, tgt, w, -1, (float)(1.0 / ws), 5, 7);
    for (int j = 0; j < 7; j++)
        assert_float_equal(dl[7 + j], 0.0f, 0); /* ignored row gets no gradient */
    report("xent d_logits", gc_check(xe_loss, &c, c.logits, dl, 35, 1e-2f, 1e-2, 0));
    /* large logits stay finite */
    for (int j = 0; j < 7; j++)
        c.logits[j] = 1000.0f * (float)j;
    musc_nn_xent_forward(&ls, &ws, losses, c.lse, c.logits, tgt, NULL, -1, 1, 7);
    assert_true(isfinite(ls) && fabs(ls - 4000.0) < 1e-2);
    free(c.logits); free(c.lse); free(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_backward_matches_finite_differences),
        cmocka_unit_test(test_layernorm_backward_matches_finite_differences),
        cmocka_unit_test(test_gelu_matches_reference_and_finite_differences),
        cmocka_unit_test(test_dropout_is_seeded_scaled_and_differentiable),
        cmocka_unit_test(test_embedding_sum_backward_and_range_errors),
        cmocka_unit_test(test_xent_masks_weights_and_matches_finite_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
