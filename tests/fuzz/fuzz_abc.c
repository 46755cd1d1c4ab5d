/* libFuzzer target: the ABC reader (one tune, every tune, strict and repair). */
#include <stddef.h>
#include <stdint.h>

#include "musc/abc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_read_options o = musc_read_options_default();
    musc_music *m = NULL;
    musc_report r = {0};
    if (musc_abc_read_mem((const char *)data, size, &o, &m, &r) == MUSC_OK)
        musc_music_free(m);
    musc_report_clear(&r);
    o.strict = 1;
    o.flags = MUSC_ABC_CHORD_TRACK;
    if (musc_abc_read_mem((const char *)data, size, &o, &m, NULL) == MUSC_OK)
        musc_music_free(m);
    musc_music **all = NULL;
    size_t n = 0;
    o.strict = 0;
    if (musc_abc_read_book_mem((const char *)data, size, &o, &all, &n, NULL) == MUSC_OK)
        musc_music_list_free(all, n);
    musc_abc_tune_info *ti = NULL;
    if (musc_abc_list((const char *)data, size, &ti, &n) == MUSC_OK)
        musc_abc_tune_info_free(ti, n);
    return 0;
}
