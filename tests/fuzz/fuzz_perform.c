/*
 * libFuzzer target for the performance model: bytes become a score (tempos,
 * time signatures, tracks of notes, controls, hairpins), which is performed with
 * options also taken from the bytes. A performance that succeeds must
 * validate, keep every note, keep velocities in 1..127 and onsets >= 0, and
 * be reproducible from its seed; anything else traps.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "musc/musc.h"

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned byte(reader *r)
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static unsigned u16(reader *r)
{
    return byte(r) | byte(r) << 8;
}

static musc_music *build(reader *r)
{
    musc_music *m = musc_music_new((int)(u16(r) % 2000) + 1);
    if (!m)
        return NULL;
    unsigned n_tempos = byte(r) % 4, n_ts = byte(r) % 4, n_tracks = byte(r) % 4 + 1;
    for (unsigned i = 0; i < n_tempos; i++)
        musc_music_add_tempo(m, u16(r) * 7, 20 + byte(r) * 2);
    for (unsigned i = 0; i < n_ts; i++)
        musc_music_add_time_signature(m, u16(r) * 5, byte(r) % 13 + 1, 1 << (byte(r) % 5));
    for (unsigned k = 0; k < n_tracks; k++) {
        musc_track *t = musc_music_add_track(m, byte(r) % 128, byte(r) % 4 == 0, NULL);
        if (!t)
            break;
        unsigned n_notes = byte(r) % 64;
        for (unsigned i = 0; i < n_notes; i++)
            musc_track_add_note(t, u16(r), u16(r) % 4000, byte(r) % 128, byte(r) % 127 + 1);
        unsigned n_cc = byte(r) % 4;
        for (unsigned i = 0; i < n_cc; i++)
            musc_track_add_control(t, u16(r), 64, byte(r) % 128);
        unsigned n_hairpins = byte(r) % 4;
        for (unsigned i = 0; i < n_hairpins; i++)
            musc_track_add_hairpin(t, u16(r), u16(r) % 8000,
                                   byte(r) % 2 ? MUSC_HAIRPIN_CRESCENDO : MUSC_HAIRPIN_DIMINUENDO);
    }
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    musc_perform_options o = musc_perform_options_default();
    o.amount = byte(&r) / 127.5;
    o.dynamics = byte(&r) / 64.0;
    o.timing = byte(&r) / 64.0;
    o.articulation = byte(&r) / 64.0;
    o.chord_spread = byte(&r) / 64.0;
    o.phrase_bars = (int)(byte(&r) % 16) + 1;
    o.seed = u16(&r);
    musc_music *m = build(&r);
    o.hairpins = byte(&r) / 64.0;
    if (!m)
        return 0;
    musc_music_sort(m);
    musc_music *again = musc_music_copy(m);
    size_t notes = musc_music_note_count(m);
    musc_status st = musc_perform(m, &o);
    if (st == MUSC_OK) {
        if (musc_music_validate(m) != MUSC_OK || musc_music_note_count(m) != notes)
            __builtin_trap();
        for (size_t k = 0; k < m->n_tracks; k++)
            for (size_t i = 0; i < m->tracks[k].n_notes; i++) {
                const musc_note *n = &m->tracks[k].notes[i];
                if (n->time < 0 || n->duration < 0 || (o.amount > 0 && (n->velocity < 1 || n->velocity > 127)))
                    __builtin_trap();
            }
        if (again && (musc_perform(again, &o) != MUSC_OK || !musc_music_equal(m, again)))
            __builtin_trap();
    }
    musc_music_free(again);
    musc_music_free(m);
    return 0;
}
