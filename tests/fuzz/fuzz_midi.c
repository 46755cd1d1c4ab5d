/*
 * libFuzzer target for the MIDI reader: every input is read in repair mode
 * (with a report, each overlap policy in turn) and in strict mode. A repaired
 * result must pass validation, since the reader promises a valid model from
 * any input; everything is freed so leaks show up too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned calls;
    musc_read_options o = musc_read_options_default();
    o.overlap = (musc_overlap)(calls++ % 3);
    o.flags = (calls & 4) ? MUSC_MIDI_READ_DROP_NOTELESS : 0;
    musc_report rep = {0};
    musc_music *m = NULL;
    if (musc_midi_read_mem(data, size, &o, &m, &rep) == MUSC_OK) {
        if (musc_music_validate(m) != MUSC_OK)
            abort(); /* a repaired read must give a valid music */
        musc_music_free(m);
    } else if (m) {
        abort(); /* failure must leave *out NULL */
    }
    musc_report_clear(&rep);

    o.strict = 1;
    m = NULL;
    if (musc_midi_read_mem(data, size, &o, &m, NULL) == MUSC_OK) {
        if (musc_music_validate(m) != MUSC_OK)
            abort();
        musc_music_free(m);
    }
    return 0;
}
