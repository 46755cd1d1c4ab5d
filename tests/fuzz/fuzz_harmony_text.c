/* libFuzzer target: the harmonizer's text readers. The first byte picks
 * one: 'c' POP909 chord file, 'b' POP909 beat file, 'm' HMM model file,
 * anything else the chord-symbol reduction. A chord file that reads is
 * then harmonized against a short melody, a model that reads decodes it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "musc/harmonize.h"

static musc_music *melody(void)
{
    musc_music *m = musc_music_new(480);
    musc_music_add_tempo(m, 0, 100);
    musc_track *t = musc_music_add_track(m, 0, 0, "MELODY");
    for (int i = 0; i < 16; i++)
        musc_track_add_note(t, 480 * i, 480, 60 + (i * 5) % 12, 80);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    musc_music *m = melody();
    musc_harmony_piece p;
    if (data[0] == 'c') {
        if (musc_harmony_read_chord_lab(text, n, m) == MUSC_OK &&
            musc_harmony_piece_from_music(m, -1, MUSC_HARMONY_HALF_BAR, &p) == MUSC_OK) {
            int *c = malloc((p.n_frames ? p.n_frames : 1) * sizeof *c);
            if (c && musc_harmonize_piece(&p, MUSC_HARMONIZE_TEMPLATE, NULL, c) == MUSC_OK &&
                p.chords) {
                musc_harmony_input in = {p.melody, p.n_notes, p.frames, p.n_frames,
                                         c,        p.chords,  p.resolution};
                musc_harmony_metrics r;
                musc_harmony_metrics_compute(&in, &r);
            }
            free(c);
            musc_harmony_piece_clear(&p);
        }
    } else if (data[0] == 'b') {
        int64_t *beats, *bars;
        size_t nb, nbar;
        if (musc_harmony_read_beat_lab(text, n, m, &beats, &nb, &bars, &nbar) == MUSC_OK) {
            if (musc_harmony_piece_from_grid(m, 0, MUSC_HARMONY_HALF_BAR, beats, nb, bars, nbar,
                                             &p) == MUSC_OK)
                musc_harmony_piece_clear(&p);
            free(beats);
            free(bars);
        }
    } else if (data[0] == 'm') {
        musc_harmonizer *h = NULL;
        if (musc_harmonizer_read_mem(text, n, &h) == MUSC_OK) {
            musc_music *out = NULL;
            if (musc_harmonize_music(m, -1, MUSC_HARMONY_BEAT, MUSC_HARMONIZE_HMM, h,
                                     MUSC_ACCOMP_ARPEGGIO, &out) == MUSC_OK)
                musc_music_free(out);
            musc_harmonizer_free(h);
        }
    } else {
        char *s = malloc(n + 1);
        if (s) {
            memcpy(s, text, n);
            s[n] = 0;
            int cls = musc_triad_parse(s);
            char name[8];
            int pcs[3];
            musc_triad_name(cls, name);
            musc_triad_pitch_classes(cls, pcs);
            free(s);
        }
    }
    musc_music_free(m);
    return 0;
}
