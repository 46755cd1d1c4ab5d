/* libFuzzer target: Pypianoroll .npz images (and, through them, .npy
 * headers). Whatever the bytes, reading must not crash, leak or overrun;
 * what reads successfully must validate and survive a write and re-read. */
#include <stdint.h>
#include <stdlib.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_npy arr;
    if (musc_npy_parse(data, size, &arr) == MUSC_OK && arr.count)
        (void)musc_npy_get_f64(&arr, arr.count - 1);

    musc_music *m = NULL;
    musc_report rep = {0};
    if (musc_npz_read_mem(data, size, NULL, &m, &rep) == MUSC_OK) {
        if (musc_music_validate(m) != MUSC_OK)
            abort();
        uint8_t *out;
        size_t out_size;
        if (musc_npz_write_mem(m, NULL, &out, &out_size) == MUSC_OK) {
            musc_music *again = NULL;
            if (musc_npz_read_mem(out, out_size, NULL, &again, NULL) != MUSC_OK)
                abort();
            musc_music_free(again);
            free(out);
        }
        musc_music_free(m);
    }
    musc_report_clear(&rep);
    return 0;
}
