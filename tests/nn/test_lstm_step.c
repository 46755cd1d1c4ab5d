/*
 * musc_nn_lstm_step: stepping an LSTM layer one input at a time, carrying
 * the state, gives the rows of the whole-sequence forward.
 */
#include <string.h>

#include "gradcheck.h"
#include "test_support.h"

static void test_lstm_step_equals_full_forward(void **state)
{
    (void)state;
    enum { T = 50, I = 12, H = 20, G = 4 * H };
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 12);
    float *x = malloc(T * I * 4), *wx = malloc(G * I * 4), *wh = malloc(G * H * 4),
          *b = malloc(G * 4), *h = malloc(T * H * 4), *c = malloc(T * H * 4),
          *gates = malloc(T * G * 4);
    gc_fill(x, T * I, 1.5f, &rng);
    gc_fill(wx, G * I, 0.5f, &rng);
    gc_fill(wh, G * H, 0.5f, &rng);
    gc_fill(b, G, 0.5f, &rng);
    musc_nn_lstm_forward(h, c, gates, x, wx, wh, b, NULL, 1, T, I, H, 0);
    float hs[2][H], cs[2][H], g[G];
    double worst = 0;
    for (int t = 0; t < T; t++) {
        int cur = t & 1, prev = cur ^ 1;
        musc_nn_lstm_step(hs[cur], cs[cur], g, x + t * I, wx, wh, b, t ? hs[prev] : NULL,
                          t ? cs[prev] : NULL, I, H);
        for (int k = 0; k < H; k++) {
            worst = fmax(worst, fabs(hs[cur][k] - h[t * H + k]));
            worst = fmax(worst, fabs(cs[cur][k] - c[t * H + k]));
        }
    }
    printf("LSTM step vs full forward, %d steps: max abs diff %.2e\n", T, worst);
    assert_true(worst < 1e-5);
    free(x); free(wx); free(wh); free(b); free(h); free(c); free(gates);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lstm_step_equals_full_forward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
