/*
 * Fuzz target for the MIDI writer: whatever the reader (repair mode) makes
 * of arbitrary bytes, the writer must encode (or refuse with MUSC_ERR_RANGE,
 * for gaps SMF cannot store), the strict reader must accept the result, and
 * reading it back must give the same music, except where midi.h documents a
 * loss: raw track and instrument names may come back as names, and raw
 * tempos and signatures are not written.
 */
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>

static int has_lossy_raw_events(const musc_music *m)
{
    for (size_t i = 0; i < m->n_raw_events; i++) {
        int t = m->raw_events[i].type;
        if (t == 0x03 || t == 0x04 || t == 0x51 || t == 0x58 || t == 0x59)
            return 1;
    }
    return 0;
}

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_midi_write: %s: %s\n", what, detail);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_music *a = NULL, *b = NULL;
    if (musc_midi_read_mem(data, size, NULL, &a, NULL))
        return 0;
    uint8_t *out = NULL;
    size_t n = 0;
    musc_status rc = musc_midi_write_mem(a, &out, &n);
    if (rc == MUSC_ERR_RANGE) {
        musc_music_free(a);
        return 0;
    }
    if (rc)
        fail("write failed", musc_errmsg());
    musc_read_options strict = musc_read_options_default();
    strict.strict = 1;
    if (musc_midi_read_mem(out, n, &strict, &b, NULL))
        fail("the strict reader refuses the written file", musc_errmsg());
    char diff[512];
    if (musc_music_note_count(a) != musc_music_note_count(b))
        fail("note count changed", "");
    if (!has_lossy_raw_events(a) && !musc_music_diff(a, b, diff, sizeof diff))
        fail("read -> write -> read differs", diff);
    musc_music_free(a);
    musc_music_free(b);
    free(out);
    return 0;
}
