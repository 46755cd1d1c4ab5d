/* libFuzzer target: the Humdrum **kern reader (repair, strict, written order). */
#include <stddef.h>
#include <stdint.h>

#include "musc/kern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_read_options o = musc_read_options_default();
    musc_music *m = NULL;
    musc_report r = {0};
    if (musc_kern_read_mem((const char *)data, size, &o, &m, &r) == MUSC_OK)
        musc_music_free(m);
    musc_report_clear(&r);
    o.strict = 1;
    if (musc_kern_read_mem((const char *)data, size, &o, &m, NULL) == MUSC_OK)
        musc_music_free(m);
    o.strict = 0;
    o.flags = MUSC_KERN_WRITTEN_ORDER;
    if (musc_kern_read_mem((const char *)data, size, &o, &m, NULL) == MUSC_OK)
        musc_music_free(m);
    return 0;
}
