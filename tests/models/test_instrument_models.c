/*
 * The shipped instrumentation models (models/instrument/) still load and
 * still reach their recorded test accuracy on the Bach chorales: a change
 * to the features or the network code that breaks them fails here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

static double test_accuracy(const char *model, const musc_instrument_set *set)
{
    const char *src = getenv("MUSC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/models/instrument/%s", src ? src : ".", model);
    musc_instrument_model *m;
    assert_int_equal(musc_instrument_load_model(path, &m), MUSC_OK);
    assert_int_equal(musc_instrument_model_ensemble(m), MUSC_INSTR_BACH);
    musc_instrument_eval ev;
    assert_int_equal(musc_instrument_evaluate(m, set, &ev), MUSC_OK);
    musc_instrument_model_free(m);
    double acc = 100.0 * ev.n_correct / ev.n_notes;
    printf("%-16s %zu notes  %.2f %%\n", model, ev.n_notes, acc);
    return acc;
}

static void test_shipped_bach_models_keep_their_accuracy(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data\n");
        skip();
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/music21_corpus/bach", data);
    musc_instrument_set test;
    assert_int_equal(musc_instrument_load(dir, MUSC_INSTR_BACH, 2, &test), MUSC_OK);
    /* recorded in models/instrument/EVAL.md: 71.72, 92.00, 95.50, 97.98;
     * 0.1 % (8 of 8363 notes) of slack for float differences between builds */
    assert_float_equal(test_accuracy("bach-zone.ck", &test), 71.72, 0.1);
    assert_float_equal(test_accuracy("bach-closest.ck", &test), 92.00, 0.1);
    assert_float_equal(test_accuracy("bach-lstm.ck", &test), 95.50, 0.1);
    assert_float_equal(test_accuracy("bach-bilstm.ck", &test), 97.98, 0.1);
    /* and the transformer encoder, recorded 96.71 */
    assert_float_equal(test_accuracy("bach-transformer.ck", &test), 96.71, 0.1);
    musc_instrument_set_free(&test);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_bach_models_keep_their_accuracy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
