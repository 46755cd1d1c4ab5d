/*
 * libFuzzer target for the MusicXML reader (plain documents and .mxl zips).
 * Whatever reads must validate, write back, and read again: a failure in
 * that chain is a bug and traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_read_options o = musc_read_options_default();
    /* the last byte picks the reader flags, so every option gets fuzzed */
    if (size > 0)
        o.flags = data[size - 1] & (MUSC_MUSICXML_KEEP_GRACE | MUSC_MUSICXML_WRITTEN_ORDER |
                                     MUSC_MUSICXML_PLAY_ORNAMENTS);
    musc_music *m = NULL;
    musc_report rep = {0};
    if (musc_musicxml_read_mem(data, size, &o, &m, &rep) != MUSC_OK) {
        musc_report_clear(&rep);
        return 0;
    }
    musc_report_clear(&rep);
    if (musc_music_validate(m) != MUSC_OK)
        __builtin_trap();
    /* writing is linear in bars: a 200000-quarter note is legal but makes
     * the round trip take seconds, so only short pieces go round */
    if (musc_music_end_time(m) > (int64_t)4096 * m->resolution) {
        musc_music_free(m);
        return 0;
    }
    uint8_t *xml = NULL;
    size_t n = 0;
    musc_status st = musc_musicxml_write_mem(m, &xml, &n);
    if (st != MUSC_OK && st != MUSC_ERR_UNSUPPORTED)
        __builtin_trap();
    if (st == MUSC_OK) {
        musc_music *back = NULL;
        if (musc_musicxml_read_mem(xml, n, NULL, &back, NULL) != MUSC_OK)
            __builtin_trap();
        if (musc_music_note_count(back) != musc_music_note_count(m))
            __builtin_trap();
        musc_music_free(back);
    }
    free(xml);
    musc_music_free(m);
    return 0;
}
