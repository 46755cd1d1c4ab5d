/*
 * Instrumentation data: a piece's parts merged into one note stream with a
 * part label per note, and the folders of pieces split 8:1:1.
 *
 * Time features follow Arranger's finding that beat and position embeddings
 * beat raw time: each onset is placed on the piece's beat grid (from its
 * time signatures) as (beat within the bar, twelfths of the beat). Twelfths
 * hold both sixteenths and triplets.
 */
#include "musc/instrument.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/grow.h"
#include "../io/scan.h"
#include "musc/io.h"

static const char *const part_names[3][MUSC_INSTR_MAX_PARTS] = {
    {"soprano", "alto", "tenor", "bass"},
    {"melody", "bridge", "piano", NULL},
    {"violin1", "violin2", "viola", "cello"},
};
static const char *const ensemble_names[3] = {"bach", "pop909", "quartet"};

const char *musc_instrument_ensemble_name(musc_instrument_ensemble e)
{
    return (unsigned)e < 3 ? ensemble_names[e] : NULL;
}

int musc_instrument_ensemble_from_name(const char *name)
{
    for (int i = 0; name && i < 3; i++)
        if (!strcmp(name, ensemble_names[i]))
            return i;
    return -1;
}

int musc_instrument_part_count(musc_instrument_ensemble e)
{
    return e == MUSC_INSTR_POP909 ? 3 : (unsigned)e < 3 ? 4 : 0;
}

const char *musc_instrument_part_name(musc_instrument_ensemble e, int part)
{
    if (part < 0 || part >= musc_instrument_part_count(e))
        return NULL;
    return part_names[e][part];
}

int musc_instrument_duration_code(int64_t duration, int resolution)
{
    if (resolution < 1)
        resolution = 1;
    double q = (double)duration * 12.0 / resolution; /* twelfths of a quarter */
    if (!(q >= 0))
        return 0;
    if (q <= 24.0)
        return (int)lround(q);
    double c = 24.0 + 8.0 * log2(q / 24.0);
    return c >= MUSC_INSTR_DURATIONS - 1 ? MUSC_INSTR_DURATIONS - 1 : (int)lround(c);
}

void musc_instrument_piece_clear(musc_instrument_piece *piece)
{
    if (!piece)
        return;
    free(piece->name);
    free(piece->notes);
    memset(piece, 0, sizeof *piece);
}

static int note_order(const void *pa, const void *pb)
{
    const musc_instrument_note *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->pitch != b->pitch)
        return a->pitch - b->pitch;
    if (a->label != b->label)
        return a->label - b->label;
    return (a->duration > b->duration) - (a->duration < b->duration);
}

static musc_status push(musc_instrument_piece *p, size_t *cap, int64_t time, int64_t dur,
                        int pitch, int label)
{
    if (pitch < 0 || pitch > 127)
        return MUSC_OK; /* the model cannot place it; the object model forbids it anyway */
    if (MUSC_GROW(p->notes, *cap, p->n_notes + 1))
        return musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
    musc_instrument_note *n = &p->notes[p->n_notes++];
    memset(n, 0, sizeof *n);
    n->time = time < 0 ? 0 : time;
    n->duration = dur < 0 ? 0 : dur;
    n->pitch = pitch;
    n->label = label;
    return MUSC_OK;
}

static musc_status add_track(musc_instrument_piece *p, size_t *cap, const musc_track *t,
                             int label)
{
    for (size_t i = 0; i < t->n_notes; i++) {
        musc_status st = push(p, cap, t->notes[i].time, t->notes[i].duration, t->notes[i].pitch,
                              label);
        if (st)
            return st;
    }
    for (size_t i = 0; i < t->n_chords; i++)
        for (size_t k = 0; k < t->chords[i].n_pitches; k++) {
            musc_status st = push(p, cap, t->chords[i].time, t->chords[i].duration,
                                  t->chords[i].pitches[k], label);
            if (st)
                return st;
        }
    return MUSC_OK;
}

/* Index of the last element of sorted a[0..n) that is <= t, or -1. */
static long last_at_or_before(const int64_t *a, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* Sort, then fill the features (grid position, duration code) and hints. */
static musc_status finish(musc_instrument_piece *p, const musc_music *m)
{
    qsort(p->notes, p->n_notes, sizeof *p->notes, note_order);
    int64_t *beats = NULL, *bars = NULL;
    size_t nb = 0, nbar = 0;
    musc_status st = musc_music_beats(m, 0, &beats, &nb);
    if (!st)
        st = musc_music_beats(m, 1, &bars, &nbar);
    if (st) {
        free(beats);
        return st;
    }
    int64_t first[MUSC_INSTR_MAX_PARTS];
    double sum[MUSC_INSTR_MAX_PARTS] = {0};
    size_t cnt[MUSC_INSTR_MAX_PARTS] = {0};
    for (int k = 0; k < MUSC_INSTR_MAX_PARTS; k++)
        first[k] = -1;
    int64_t q = m->resolution; /* beat length past the grid's end */
    for (size_t i = 0; i < p->n_notes; i++) {
        musc_instrument_note *n = &p->notes[i];
        n->duration_code = musc_instrument_duration_code(n->duration, p->resolution);
        long b = last_at_or_before(beats, nb, n->time);
        int64_t bstart = b >= 0 ? beats[b] : 0;
        int64_t blen = (b >= 0 && (size_t)b + 1 < nb) ? beats[b + 1] - beats[b] : q;
        if (b >= 0 && (size_t)b + 1 >= nb && b > 0)
            blen = beats[b] - beats[b - 1];
        if (blen < 1)
            blen = 1;
        int64_t rel = n->time - bstart;
        if (b >= 0 && (size_t)b + 1 >= nb && rel >= blen) { /* past the grid's last beat */
            b += (long)(rel / blen);
            rel %= blen;
        }
        /* rel < blen here except before the first beat or with a hostile
         * grid; keep rel * 12 from overflowing */
        if (rel > INT64_MAX / (2 * MUSC_INSTR_POSITIONS) || rel < 0)
            rel = rel < 0 ? 0 : blen;
        long pos = (long)((rel * MUSC_INSTR_POSITIONS + blen / 2) / blen);
        n->position = pos >= MUSC_INSTR_POSITIONS ? MUSC_INSTR_POSITIONS - 1 : (int)pos;
        long bar = last_at_or_before(bars, nbar, n->time);
        long bar_beat = bar >= 0 ? last_at_or_before(beats, nb, bars[bar]) : 0;
        long in_bar = b - (bar_beat < 0 ? 0 : bar_beat);
        n->beat = in_bar < 0 ? 0 : in_bar >= MUSC_INSTR_BEATS ? MUSC_INSTR_BEATS - 1 : (int)in_bar;
        if (n->label >= 0 && n->label < MUSC_INSTR_MAX_PARTS) {
            if (first[n->label] < 0)
                first[n->label] = n->time;
            sum[n->label] += n->pitch;
            cnt[n->label]++;
        }
    }
    for (size_t i = 0; i < p->n_notes; i++) {
        int e = 0;
        for (int k = 0; k < p->n_parts; k++)
            if (first[k] == p->notes[i].time)
                e |= 1 << k;
        p->notes[i].entry = e;
    }
    for (int k = 0; k < MUSC_INSTR_MAX_PARTS; k++)
        p->mean_pitch[k] = cnt[k] ? (float)(sum[k] / cnt[k]) : 60.0f;
    free(beats);
    free(bars);
    return MUSC_OK;
}

static void lower(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = 0;
}

/* Part index of track `t` (its position `i` among n tracks), or -1. */
static int match_part(musc_instrument_ensemble e, const musc_track *t, size_t i)
{
    char name[128];
    lower(name, sizeof name, t->name ? t->name : t->instrument_name);
    switch (e) {
    case MUSC_INSTR_BACH:
        for (int k = 0; k < 4; k++)
            if (strstr(name, part_names[0][k]))
                return k;
        return -1;
    case MUSC_INSTR_POP909:
        for (int k = 0; k < 3; k++)
            if (strstr(name, part_names[1][k]))
                return k;
        return -1;
    case MUSC_INSTR_QUARTET:
        if (i < 2)
            return strstr(name, "violin") ? (int)i : -1;
        if (i == 2)
            return strstr(name, "viola") ? 2 : -1;
        return strstr(name, "cello") ? 3 : -1;
    }
    return -1;
}

static const char *const expected[3] = {
    "4 tracks named Soprano, Alto, Tenor, Bass",
    "3 tracks named MELODY, BRIDGE, PIANO",
    "4 tracks: violin I, violin II, viola, cello",
};

musc_status musc_instrument_extract(const musc_music *music, musc_instrument_ensemble e,
                                    musc_instrument_piece *out)
{
    memset(out, 0, sizeof *out);
    if (!music || (unsigned)e > 2)
        return musc_error(MUSC_ERR_ARG, "instrument: unknown ensemble %d", (int)e);
    int K = musc_instrument_part_count(e);
    int seen[MUSC_INSTR_MAX_PARTS] = {0};
    int label_of[64];
    if (music->n_tracks != (size_t)K)
        return musc_error(MUSC_ERR_NOTFOUND, "instrument: %zu tracks, expected %s",
                          music->n_tracks, expected[e]);
    for (size_t i = 0; i < music->n_tracks; i++) {
        int k = match_part(e, &music->tracks[i], i);
        if (k < 0 || seen[k] || music->tracks[i].is_drum)
            return musc_error(MUSC_ERR_NOTFOUND, "instrument: track %zu (%s) does not fit; expected %s",
                              i, music->tracks[i].name ? music->tracks[i].name : "unnamed",
                              expected[e]);
        seen[k] = 1;
        label_of[i] = k;
    }
    out->resolution = music->resolution;
    out->n_parts = K;
    size_t cap = 0;
    for (size_t i = 0; i < music->n_tracks; i++) {
        musc_status st = add_track(out, &cap, &music->tracks[i], label_of[i]);
        if (st) {
            musc_instrument_piece_clear(out);
            return st;
        }
    }
    for (int k = 0; k < K; k++) {
        int found = 0;
        for (size_t i = 0; i < out->n_notes && !found; i++)
            found = out->notes[i].label == k;
        if (!found) {
            musc_instrument_piece_clear(out);
            return musc_error(MUSC_ERR_NOTFOUND, "instrument: part %s has no notes",
                              part_names[e][k]);
        }
    }
    musc_status st = finish(out, music);
    if (st)
        musc_instrument_piece_clear(out);
    return st;
}

musc_status musc_instrument_mixture(const musc_music *music, musc_instrument_piece *out)
{
    memset(out, 0, sizeof *out);
    if (!music)
        return musc_error(MUSC_ERR_ARG, "instrument: no music");
    out->resolution = music->resolution;
    size_t cap = 0;
    int drums = 0;
    for (size_t i = 0; i < music->n_tracks; i++) {
        if (music->tracks[i].is_drum) {
            drums += music->tracks[i].n_notes > 0;
            continue;
        }
        musc_status st = add_track(out, &cap, &music->tracks[i], -1);
        if (st) {
            musc_instrument_piece_clear(out);
            return st;
        }
    }
    if (!out->n_notes) {
        musc_instrument_piece_clear(out);
        return musc_error(MUSC_ERR_NOTFOUND,
                          drums ? "instrument: only drum tracks; expected pitched notes to assign "
                                  "to parts"
                                : "instrument: no notes; expected pitched notes to assign to parts");
    }
    musc_status st = finish(out, music);
    if (st)
        musc_instrument_piece_clear(out);
    return st;
}

void musc_instrument_piece_transpose(musc_instrument_piece *piece, int semitones)
{
    for (size_t i = 0; i < piece->n_notes; i++) {
        int p = piece->notes[i].pitch + semitones;
        while (p < 0)
            p += 12;
        while (p > 127)
            p -= 12;
        piece->notes[i].pitch = p;
    }
    for (int k = 0; k < MUSC_INSTR_MAX_PARTS; k++)
        piece->mean_pitch[k] += (float)semitones;
}

int musc_instrument_split_of(const char *relpath)
{
    /* FNV-1a alone keeps the last byte's parity in its low bit (paths that
     * all end in ".mid" would never land in an odd bucket), so finish with
     * a murmur-style avalanche */
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *s = (const unsigned char *)relpath; *s; s++)
        h = (h ^ *s) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    unsigned r = (unsigned)(h % 10u);
    return r < 8 ? 0 : r == 8 ? 1 : 2;
}

/* ------------------------------------------------------------ folder scan */

static int wanted(const char *name)
{
    musc_format f = musc_format_from_path(name);
    return f == MUSC_FORMAT_MIDI || f == MUSC_FORMAT_MUSICXML || f == MUSC_FORMAT_MXL;
}

void musc_instrument_set_free(musc_instrument_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n_pieces; i++)
        musc_instrument_piece_clear(&set->pieces[i]);
    free(set->pieces);
    memset(set, 0, sizeof *set);
}

/* The last component of a folder path ("a/b/bach/" -> "bach"). */
static void base_name(char *dst, size_t cap, const char *dir, size_t len)
{
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t s = len;
    while (s > 0 && dir[s - 1] != '/')
        s--;
    size_t n = len - s < cap - 1 ? len - s : cap - 1;
    memcpy(dst, dir + s, n);
    dst[n] = 0;
}

musc_status musc_instrument_load(const char *dirs, musc_instrument_ensemble e, int split,
                                 musc_instrument_set *out)
{
    memset(out, 0, sizeof *out);
    if (!dirs || !*dirs || (unsigned)e > 2 || split < -1 || split > 2)
        return musc_error(MUSC_ERR_ARG, "instrument: bad folder, ensemble or split");
    struct {
        char **items;
        size_t n;
    } list = {0};
    musc_status st = MUSC_OK;
    size_t piece_cap = 0;
    const char *p = dirs;
    while (!st && *p) {
        size_t len = strcspn(p, ":");
        char *dir = strndup(p, len);
        char base[256];
        base_name(base, sizeof base, p, len);
        if (!dir) {
            st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
            break;
        }
        size_t first = list.n;
        char **found = NULL;
        size_t n_found = 0;
        st = musc_scan_files(dir, base, wanted, &found, &n_found);
        if (!st && n_found) {
            char **grown = realloc(list.items, (list.n + n_found) * sizeof *grown);
            if (!grown) {
                for (size_t i = 0; i < n_found; i++)
                    free(found[i]);
                st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
            } else {
                list.items = grown;
                memcpy(list.items + list.n, found, n_found * sizeof *found);
                list.n += n_found;
            }
        }
        free(found);
        /* read this folder's files (paths in the list are prefixed by base) */
        for (size_t i = first; !st && i < list.n; i++) {
            if (split >= 0 && musc_instrument_split_of(list.items[i]) != split)
                continue;
            out->n_files++;
            char *full = musc_path_join(dir, list.items[i] + strlen(base) + 1);
            if (!full) {
                st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
                break;
            }
            musc_music *m = NULL;
            musc_status rs = musc_read(full, NULL, &m, NULL);
            free(full);
            if (rs == MUSC_ERR_NOMEM) {
                st = rs;
                break;
            }
            if (rs) {
                out->n_failed++;
                continue;
            }
            musc_instrument_piece piece;
            rs = musc_instrument_extract(m, e, &piece);
            musc_music_free(m);
            if (rs == MUSC_ERR_NOMEM) {
                st = rs;
                break;
            }
            if (rs) {
                out->n_dropped++;
                continue;
            }
            piece.name = strdup(list.items[i]);
            if (!piece.name || MUSC_GROW(out->pieces, piece_cap, out->n_pieces + 1)) {
                musc_instrument_piece_clear(&piece);
                st = musc_error(MUSC_ERR_NOMEM, "instrument: out of memory");
                break;
            }
            out->pieces[out->n_pieces++] = piece;
        }
        free(dir);
        p += len;
        if (*p == ':')
            p++;
    }
    for (size_t i = 0; i < list.n; i++)
        free(list.items[i]);
    free(list.items);
    if (!st && !out->n_pieces)
        st = musc_error(MUSC_ERR_NOTFOUND,
                        "instrument: no %s piece in %s (%zu files looked at, %zu not the "
                        "ensemble, %zu unreadable)",
                        ensemble_names[e], dirs, out->n_files, out->n_dropped, out->n_failed);
    if (st)
        musc_instrument_set_free(out);
    return st;
}
