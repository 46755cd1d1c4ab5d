/*
 * Transposition by semitones. Drum tracks are left alone (their "pitches"
 * name instruments). Notes, chord pitches and polyphonic key pressures of
 * pitched tracks move; pitch bends are relative and stay.
 *
 * Range errors are found before anything changes, so an error leaves the
 * music as it was. With drop_out_of_range, notes and key pressures leaving
 * 0..127 are removed, and so are such pitches from a chord (a chord left with
 * no pitch is removed).
 *
 * Key signatures follow the music (MusPy leaves them): the root moves by the
 * interval and the key moves 7 * semitones steps around the circle of
 * fifths, spelled with the fewest accidentals (B rather than Cb, Db rather
 * than C#). For six sharps or flats the spelling keeps the side of the
 * original key, and a transposition by whole octaves keeps the key as it is.
 * Chord symbols (MUSC_ANN_CHORD annotations of the music and of pitched
 * tracks) follow as well, spelled with sharps or flats after the key then in
 * force. Their new texts are made before anything changes, so running out of
 * memory also leaves the music as it was.
 */
#include "musc/process.h"

#include <stdlib.h>

#include "chord_symbol.h"

static int in_range(int64_t p) { return p >= 0 && p <= 127; }

/* Check every pitch that would move; MUSC_ERR_RANGE names the first that
 * would leave 0..127. */
static musc_status check_range(const musc_music *m, int64_t s)
{
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        if (t->is_drum)
            continue;
        for (size_t i = 0; i < t->n_notes; i++)
            if (!in_range(t->notes[i].pitch + s))
                return musc_error(MUSC_ERR_RANGE,
                                  "tracks[%zu].notes[%zu].pitch %d %+lld leaves 0..127", ti, i,
                                  t->notes[i].pitch, (long long)s);
        for (size_t i = 0; i < t->n_chords; i++)
            for (size_t j = 0; j < t->chords[i].n_pitches; j++)
                if (!in_range(t->chords[i].pitches[j] + s))
                    return musc_error(MUSC_ERR_RANGE,
                                      "tracks[%zu].chords[%zu].pitches[%zu] %d %+lld leaves 0..127",
                                      ti, i, j, t->chords[i].pitches[j], (long long)s);
        for (size_t i = 0; i < t->n_pressures; i++)
            if (t->pressures[i].pitch >= 0 && !in_range(t->pressures[i].pitch + s))
                return musc_error(MUSC_ERR_RANGE,
                                  "tracks[%zu].pressures[%zu].pitch %d %+lld leaves 0..127", ti,
                                  i, t->pressures[i].pitch, (long long)s);
    }
    return MUSC_OK;
}

/* Move (or drop) the pitched content of one track; order is kept. */
static void transpose_track(musc_track *t, int64_t s)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n_notes; i++) {
        musc_note n = t->notes[i];
        if (!in_range(n.pitch + s))
            continue;
        n.pitch = (int16_t)(n.pitch + s);
        t->notes[k++] = n;
    }
    t->n_notes = k;

    k = 0;
    for (size_t i = 0; i < t->n_chords; i++) {
        musc_chord c = t->chords[i];
        size_t had = c.n_pitches, kept = 0;
        for (size_t j = 0; j < had; j++)
            if (in_range(c.pitches[j] + s))
                c.pitches[kept++] = (int16_t)(c.pitches[j] + s);
        c.n_pitches = kept;
        if (had > 0 && kept == 0) {
            free(c.pitches);
            continue;
        }
        t->chords[k++] = c;
    }
    t->n_chords = k;

    k = 0;
    for (size_t i = 0; i < t->n_pressures; i++) {
        musc_pressure p = t->pressures[i];
        if (p.pitch >= 0) {
            if (!in_range(p.pitch + s))
                continue;
            p.pitch = (int16_t)(p.pitch + s);
        }
        t->pressures[k++] = p;
    }
    t->n_pressures = k;
}

static int mod12(int64_t x)
{
    int r = (int)(x % 12);
    return r < 0 ? r + 12 : r;
}

/* The key `s` semitones away on the circle of fifths (see the top comment). */
static int transpose_fifths(int fifths, int64_t s)
{
    if (mod12(s) == 0)
        return fifths;
    int r = mod12(fifths + 7 * mod12(s)); /* a semitone is 7 fifths, mod 12 */
    if (r < 6)
        return r; /* 0..5 sharps */
    if (r > 6)
        return r - 12; /* 5..1 flats */
    return fifths < 0 ? -6 : 6;
}

static void transpose_key(musc_key_signature *k, int64_t s)
{
    k->fifths = transpose_fifths(k->fifths, s);
    if (k->root >= 0)
        k->root = mod12(k->root + s);
}

/* A chord-symbol annotation text and its transposed replacement. */
typedef struct new_text {
    char **slot;
    char *text;
} new_text;

/* Spelling for a chord symbol at time t: after the key in force there
 * (the latest at or before t, the last stored on ties), once transposed. */
static musc_spelling spelling_at(const musc_music *m, int64_t t, int64_t s)
{
    const musc_key_signature *k = NULL;
    for (size_t i = 0; i < m->n_key_signatures; i++)
        if (m->key_signatures[i].time <= t && (!k || m->key_signatures[i].time >= k->time))
            k = &m->key_signatures[i];
    if (!k)
        return MUSC_SPELL_USUAL;
    int f = transpose_fifths(k->fifths, s);
    return f > 0 ? MUSC_SPELL_SHARPS : f < 0 ? MUSC_SPELL_FLATS : MUSC_SPELL_USUAL;
}

static int add_new_text(const musc_music *m, musc_annotation *a, int64_t s, new_text *list,
                        size_t *n)
{
    if (a->kind != MUSC_ANN_CHORD || !a->text)
        return 0;
    char *t;
    if (musc_chord_symbol_transpose(a->text, s, spelling_at(m, a->time, s), &t))
        return -1;
    if (t)
        list[(*n)++] = (new_text){&a->text, t};
    return 0;
}

/* New texts for every chord symbol that moves; *out is NULL when none. */
static musc_status chord_symbol_texts(musc_music *m, int64_t s, new_text **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t total = m->n_annotations;
    for (size_t ti = 0; ti < m->n_tracks; ti++)
        if (!m->tracks[ti].is_drum)
            total += m->tracks[ti].n_annotations;
    if (!total)
        return MUSC_OK;
    new_text *list = malloc(total * sizeof *list);
    if (!list)
        goto nomem;
    for (size_t i = 0; i < m->n_annotations; i++)
        if (add_new_text(m, &m->annotations[i], s, list, n))
            goto nomem;
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        musc_track *t = &m->tracks[ti];
        for (size_t i = 0; !t->is_drum && i < t->n_annotations; i++)
            if (add_new_text(m, &t->annotations[i], s, list, n))
                goto nomem;
    }
    *out = list;
    return MUSC_OK;
nomem:
    for (size_t i = 0; list && i < *n; i++)
        free(list[i].text);
    free(list);
    *n = 0;
    return musc_error(MUSC_ERR_NOMEM, "out of memory transposing chord symbols");
}

musc_status musc_transpose(musc_music *music, int semitones, int drop_out_of_range)
{
    if (!music)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    if (semitones == 0)
        return MUSC_OK;
    int64_t s = semitones; /* pitch + s cannot overflow in 64 bits */
    musc_status rc;
    if (!drop_out_of_range && (rc = check_range(music, s)))
        return rc;
    new_text *texts = NULL;
    size_t n_texts = 0;
    if (mod12(s) != 0 && (rc = chord_symbol_texts(music, s, &texts, &n_texts)))
        return rc;
    /* nothing below can fail */
    for (size_t ti = 0; ti < music->n_tracks; ti++)
        if (!music->tracks[ti].is_drum)
            transpose_track(&music->tracks[ti], s);
    for (size_t i = 0; i < n_texts; i++) {
        free(*texts[i].slot);
        *texts[i].slot = texts[i].text;
    }
    free(texts);
    for (size_t i = 0; i < music->n_key_signatures; i++)
        transpose_key(&music->key_signatures[i], s);
    return MUSC_OK;
}
