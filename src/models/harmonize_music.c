/*
 * From a harmonized melody to a score: the melody with chord symbols and
 * an accompaniment whose chord voicings move as little as possible. Each
 * frame's three upper voices are chosen among every spacing of the triad
 * within 48..72 (C3..C5, at most an octave wide) for the least total
 * movement from the previous voicing, with a heavy cost for reaching the
 * melody's lowest note in that frame, so the accompaniment stays under the
 * tune when it can.
 */
#include <stdlib.h>
#include <string.h>

#include "musc/harmonize.h"

#define LOW 48
#define HIGH 72
#define BASS_LOW 36

static int absi(int x)
{
    return x < 0 ? -x : x;
}

/* The voicing of `cls` nearest `prev` (NULL: nearest to a mid-range C
 * position), below `ceiling` where possible. */
static void voice(int cls, const int *prev, int ceiling, int v[3])
{
    int pcs[3];
    musc_triad_pitch_classes(cls, pcs);
    int best = -1;
    for (int a = LOW; a <= HIGH; a++)
        for (int b = a + 1; b <= HIGH && b - a <= 12; b++)
            for (int c = b + 1; c <= HIGH && c - a <= 12; c++) {
                int pa = a % 12, pb = b % 12, pc = c % 12;
                int has[3] = {0};
                for (int k = 0; k < 3; k++)
                    has[k] = (pa == pcs[k]) + (pb == pcs[k]) + (pc == pcs[k]);
                if (has[0] != 1 || has[1] != 1 || has[2] != 1)
                    continue;
                int cost = prev ? absi(a - prev[0]) + absi(b - prev[1]) + absi(c - prev[2])
                                : absi(a - 55) + absi(b - 60) + absi(c - 64);
                if (c >= ceiling)
                    cost += 100;
                if (best < 0 || cost < best) {
                    best = cost;
                    v[0] = a, v[1] = b, v[2] = c;
                }
            }
}

static musc_status accompany(musc_track *t, const musc_harmony_piece *p, const int *chords,
                             musc_accompaniment style)
{
    int prev[3], have_prev = 0;
    size_t ni = 0;
    for (size_t f = 0; f < p->n_frames; f++) {
        int c = chords[f];
        int64_t a = p->frames[f], b = p->frames[f + 1];
        /* the lowest melody note sounding in this frame */
        int ceiling = 128;
        while (ni < p->n_notes && p->melody[ni].time + p->melody[ni].duration <= a)
            ni++;
        for (size_t i = ni; i < p->n_notes && p->melody[i].time < b; i++)
            if (p->melody[i].pitch < ceiling)
                ceiling = p->melody[i].pitch;
        if (c < 0 || c >= MUSC_TRIAD_NONE)
            continue;
        int v[3];
        voice(c, have_prev ? prev : NULL, ceiling, v);
        memcpy(prev, v, sizeof prev);
        have_prev = 1;
        musc_status st = musc_track_add_note(t, a, b - a, BASS_LOW + c / 4, 70);
        if (style == MUSC_ACCOMP_BLOCK) {
            for (int k = 0; k < 3 && !st; k++)
                st = musc_track_add_note(t, a, b - a, v[k], 60);
        } else {
            static const int order[4] = {0, 1, 2, 1};
            int64_t step = p->resolution / 2 > 0 ? p->resolution / 2 : 1;
            int k = 0;
            for (int64_t x = a; x < b && !st; x += step, k++) {
                int64_t d = x + step <= b ? step : b - x;
                st = musc_track_add_note(t, x, d, v[order[k % 4]], 60);
            }
        }
        if (st)
            return st;
    }
    return MUSC_OK;
}

static void drop_chord_symbols(musc_annotation *a, size_t *n)
{
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (a[i].kind == MUSC_ANN_CHORD)
            free(a[i].text);
        else
            a[k++] = a[i];
    }
    *n = k;
}

musc_status musc_harmonize_music(const musc_music *music, int track, musc_harmony_rate rate,
                                 musc_harmonize_method method, const musc_harmonizer *model,
                                 musc_accompaniment accompaniment, musc_music **out)
{
    if (!out)
        return musc_error(MUSC_ERR_ARG, "harmonize: no output");
    *out = NULL;
    if (!music || accompaniment < MUSC_ACCOMP_BLOCK || accompaniment > MUSC_ACCOMP_NONE)
        return musc_error(MUSC_ERR_ARG, "harmonize: bad arguments");
    musc_status st;
    if (track < 0 && (st = musc_harmony_melody_track(music, &track)))
        return st;
    musc_harmony_piece p;
    if ((st = musc_harmony_piece_from_music(music, track, rate, &p)))
        return st;
    int *chords = malloc((p.n_frames ? p.n_frames : 1) * sizeof *chords);
    if (!chords) {
        musc_harmony_piece_clear(&p);
        return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    }
    musc_music *m = NULL;
    st = musc_harmonize_piece(&p, method, model, chords);
    if (!st && !(m = musc_music_copy(music)))
        st = musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    for (size_t i = m ? m->n_tracks : 0; !st && i-- > 0;)
        if (i != (size_t)track)
            st = musc_music_remove_track(m, i);
    if (!st) {
        drop_chord_symbols(m->annotations, &m->n_annotations);
        drop_chord_symbols(m->tracks[0].annotations, &m->tracks[0].n_annotations);
        char name[8];
        for (size_t f = 0; f < p.n_frames && !st; f++)
            if (f == 0 || chords[f] != chords[f - 1])
                st = musc_track_add_annotation(&m->tracks[0], p.frames[f], MUSC_ANN_CHORD,
                                               musc_triad_name(chords[f], name));
    }
    if (!st && accompaniment != MUSC_ACCOMP_NONE) {
        musc_track *t = musc_music_add_track(m, 0, 0, "Accompaniment");
        st = t ? accompany(t, &p, chords, accompaniment)
               : musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    }
    if (!st)
        musc_music_sort(m);
    free(chords);
    musc_harmony_piece_clear(&p);
    if (st) {
        musc_music_free(m);
        return st;
    }
    *out = m;
    return MUSC_OK;
}
