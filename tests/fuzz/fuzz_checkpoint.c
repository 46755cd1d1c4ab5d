/* libFuzzer target: the checkpoint reader (include/musc/nn.h). Whatever the
 * bytes, opening must not crash, leak or read out of bounds; what opens must
 * expose tensors that lie inside the buffer, survive a save and re-open with
 * the same table, and load into a parameter set declared from its table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_nn_checkpoint *c = NULL;
    if (musc_nn_checkpoint_open_mem(data, size, &c) != MUSC_OK)
        return 0;
    int n = musc_nn_checkpoint_count(c);
    double sum = 0;
    musc_nn_params p = {0};
    int ok = 1;
    for (int i = 0; i < n; i++) {
        musc_nn_tensor t = musc_nn_checkpoint_tensor(c, i);
        sum += t.data[0] + t.data[t.size - 1]; /* in bounds under ASan */
        if (musc_nn_params_add(&p, t.name, t.ndim, t.shape, 0) < 0)
            ok = 0;
    }
    (void)sum;
    if (ok && musc_nn_checkpoint_kind(c) == MUSC_NN_CKPT_MODEL && p.size < (1u << 24) &&
        musc_nn_params_alloc(&p, 0) == MUSC_OK) {
        if (musc_nn_params_load(&p, c) != MUSC_OK)
            abort();
        char path[64];
        snprintf(path, sizeof path, "/tmp/fuzz_checkpoint_%d.bin", (int)getpid());
        if (musc_nn_params_save(path, &p, musc_nn_checkpoint_config(c)) == MUSC_OK) {
            musc_nn_checkpoint *again = NULL;
            if (musc_nn_checkpoint_open(path, &again) != MUSC_OK ||
                musc_nn_checkpoint_count(again) != n ||
                strcmp(musc_nn_checkpoint_config(again), musc_nn_checkpoint_config(c)) != 0)
                abort();
            musc_nn_checkpoint_free(again);
            unlink(path);
        }
    }
    musc_nn_params_free(&p);
    musc_nn_checkpoint_free(c);
    return 0;
}
