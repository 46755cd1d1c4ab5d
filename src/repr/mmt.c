/*
 * The Multitrack Music Transformer's representation (Dong et al., ICASSP
 * 2023): a song as rows of (type, beat, position, pitch, duration,
 * instrument). The tables below are MMT's: 32 known durations in 1/12
 * quarter notes and the fold of 128 General MIDI programs onto 64
 * instrument classes, numbered in MMT's order. The encoder reproduces the
 * whole MMT data pipeline (rescale to 12 ticks per quarter, drop drums and
 * unmapped programs, de-duplicate and sort note tuples, trim to max_beat)
 * so its output matches what MMT's model was trained on, bit for bit.
 */
#include "musc/repr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int known_durations[MUSC_MMT_N_DURATIONS] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10,  11,  12,  15,  16,  18,  20,
    21, 24, 30, 36, 40, 42, 48, 60, 72, 84, 96, 120, 144, 168, 192, 384};

/* Instrument classes in MMT's code order (code = index + 1) with the
 * program each decodes to. */
static const struct {
    const char *name;
    int program;
} instruments[MUSC_MMT_N_INSTRUMENTS] = {
    {"piano", 0},
    {"electric-piano", 4},
    {"harpsichord", 6},
    {"clavinet", 7},
    {"celesta", 8},
    {"glockenspiel", 9},
    {"music-box", 10},
    {"vibraphone", 11},
    {"marimba", 12},
    {"xylophone", 13},
    {"tubular-bells", 14},
    {"dulcimer", 15},
    {"organ", 16},
    {"church-organ", 19},
    {"accordion", 21},
    {"harmonica", 22},
    {"bandoneon", 23},
    {"nylon-string-guitar", 24},
    {"steel-string-guitar", 25},
    {"electric-guitar", 26},
    {"bass", 32},
    {"electric-bass", 33},
    {"slap-bass", 36},
    {"synth-bass", 38},
    {"violin", 40},
    {"viola", 41},
    {"cello", 42},
    {"contrabass", 43},
    {"harp", 46},
    {"timpani", 47},
    {"strings", 49},
    {"synth-strings", 50},
    {"voices", 52},
    {"orchestra-hit", 55},
    {"trumpet", 56},
    {"trombone", 57},
    {"tuba", 58},
    {"horn", 60},
    {"brasses", 61},
    {"synth-brasses", 62},
    {"soprano-saxophone", 64},
    {"alto-saxophone", 65},
    {"tenor-saxophone", 66},
    {"baritone-saxophone", 67},
    {"oboe", 68},
    {"english-horn", 69},
    {"bassoon", 70},
    {"clarinet", 71},
    {"piccolo", 72},
    {"flute", 73},
    {"recorder", 74},
    {"pan-flute", 75},
    {"ocarina", 79},
    {"lead", 80},
    {"pad", 88},
    {"sitar", 104},
    {"banjo", 105},
    {"shamisen", 106},
    {"koto", 107},
    {"kalimba", 108},
    {"bag-pipe", 109},
    {"shehnai", 111},
    {"melodic-tom", 117},
    {"synth-drums", 118},
};

/* Instrument code of each GM program; 0 = no class (notes dropped). */
static const uint8_t program_class[128] = {
    /* 0-7 pianos */ 1, 1, 1, 1, 2, 2, 3, 4,
    /* 8-15 chromatic percussion */ 5, 6, 7, 8, 9, 10, 11, 12,
    /* 16-23 organs */ 13, 13, 13, 14, 13, 15, 16, 17,
    /* 24-31 guitars */ 18, 19, 20, 20, 20, 20, 20, 20,
    /* 32-39 basses */ 21, 22, 22, 22, 23, 23, 24, 24,
    /* 40-47 strings */ 25, 26, 27, 28, 31, 31, 29, 30,
    /* 48-55 ensemble */ 31, 31, 32, 32, 33, 33, 33, 34,
    /* 56-63 brass */ 35, 36, 37, 35, 38, 39, 40, 40,
    /* 64-71 reed */ 41, 42, 43, 44, 45, 46, 47, 48,
    /* 72-79 pipe */ 49, 50, 51, 52, 0, 0, 0, 53,
    /* 80-87 synth lead */ 54, 54, 54, 54, 54, 54, 54, 54,
    /* 88-95 synth pad */ 55, 55, 55, 55, 55, 55, 55, 55,
    /* 96-103 synth effects */ 0, 0, 0, 0, 0, 0, 0, 0,
    /* 104-111 ethnic */ 56, 57, 58, 59, 60, 61, 25, 62,
    /* 112-119 percussive */ 0, 0, 0, 0, 0, 63, 64, 64,
    /* 120-127 sound effects */ 0, 0, 0, 0, 0, 0, 0, 0};

#define DRUM_PROGRAM MUSC_MMT_DRUM_PROGRAM /* sorts after every GM program */

musc_mmt_options musc_mmt_options_default(void)
{
    musc_mmt_options o;
    memset(&o, 0, sizeof o);
    o.max_beat = 256;
    o.keep_drums = 0;
    o.shift_to_first_beat = 0;
    o.max_seq_len = 0;
    o.qpm = 100.0;
    return o;
}

void musc_mmt_field_sizes(const musc_mmt_options *options, int sizes[MUSC_MMT_FIELDS])
{
    musc_mmt_options o = options ? *options : musc_mmt_options_default();
    sizes[0] = 5;
    sizes[1] = o.max_beat + 1;
    sizes[2] = MUSC_MMT_RESOLUTION + 1;
    sizes[3] = 129;
    sizes[4] = MUSC_MMT_N_DURATIONS + 1;
    sizes[5] = MUSC_MMT_N_INSTRUMENTS + 1 + (o.keep_drums ? 1 : 0);
}

int musc_mmt_instrument_of_program(int program)
{
    return program >= 0 && program < 128 ? program_class[program] : 0;
}

int musc_mmt_program_of_instrument(int code)
{
    return code >= 1 && code <= MUSC_MMT_N_INSTRUMENTS ? instruments[code - 1].program : -1;
}

const char *musc_mmt_instrument_name(int code)
{
    if (code == MUSC_MMT_DRUMS)
        return "drums";
    return code >= 1 && code <= MUSC_MMT_N_INSTRUMENTS ? instruments[code - 1].name : NULL;
}

int musc_mmt_duration_code(int64_t duration)
{
    if (duration > known_durations[MUSC_MMT_N_DURATIONS - 1])
        duration = known_durations[MUSC_MMT_N_DURATIONS - 1];
    /* first index of the smallest distance, as numpy's argmin */
    int best = 0;
    int64_t best_d = llabs((long long)(duration - known_durations[0]));
    for (int i = 1; i < MUSC_MMT_N_DURATIONS; i++) {
        int64_t d = llabs((long long)(duration - known_durations[i]));
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best + 1;
}

int musc_mmt_duration_of_code(int code)
{
    return code >= 1 && code <= MUSC_MMT_N_DURATIONS ? known_durations[code - 1] : 0;
}

/* Python's round(t * factor): the product in double precision, halves to
 * even. This is what MusPy's adjust_resolution computes. */
static int64_t rescale(int64_t t, double factor)
{
    double x = (double)t * factor;
    double r = floor(x);
    double diff = x - r;
    if (diff > 0.5 || (diff == 0.5 && fmod(r, 2.0) != 0.0))
        r += 1.0;
    return (int64_t)r;
}

typedef musc_mmt_note mmt_note;

static int cmp_mmt_note(const void *pa, const void *pb)
{
    const int64_t *a = pa, *b = pb;
    for (int i = 0; i < 5; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int instrument_of(int64_t program)
{
    return program == DRUM_PROGRAM ? MUSC_MMT_DRUMS : program_class[program];
}

static void put_row(int32_t *row, int type, int beat, int position, int pitch, int duration,
                    int instrument)
{
    row[0] = type;
    row[1] = beat;
    row[2] = position;
    row[3] = pitch;
    row[4] = duration;
    row[5] = instrument;
}

musc_status musc_mmt_extract(const musc_music *music, const musc_mmt_options *options,
                             musc_mmt_note **out, size_t *n_out)
{
    musc_mmt_options o = options ? *options : musc_mmt_options_default();
    *out = NULL;
    *n_out = 0;
    if (!music)
        return musc_error(MUSC_ERR_ARG, "mmt encode: music is NULL");
    if (music->resolution < 1)
        return musc_error(MUSC_ERR_ARG, "mmt encode: resolution = %d, expected >= 1",
                          music->resolution);
    size_t total = 0;
    for (size_t i = 0; i < music->n_tracks; i++)
        total += music->tracks[i].n_notes;
    mmt_note *notes = NULL;
    if (total && (total > SIZE_MAX / sizeof *notes || !(notes = malloc(total * sizeof *notes))))
        return musc_error(MUSC_ERR_NOMEM, "mmt encode: out of memory for %zu notes", total);

    double factor = (double)MUSC_MMT_RESOLUTION / music->resolution;
    size_t nn = 0;
    for (size_t i = 0; i < music->n_tracks; i++) {
        const musc_track *t = &music->tracks[i];
        int64_t program;
        if (t->is_drum) {
            if (!o.keep_drums)
                continue;
            program = DRUM_PROGRAM;
        } else {
            if (musc_mmt_instrument_of_program(t->program) == 0)
                continue;
            program = t->program;
        }
        for (size_t j = 0; j < t->n_notes; j++) {
            const musc_note *src = &t->notes[j];
            if (src->time < 0 || src->duration < 0 || src->duration > INT64_MAX - src->time ||
                src->pitch < 0 || src->pitch > 127) {
                free(notes);
                return musc_error(MUSC_ERR_RANGE,
                                  "mmt encode: tracks[%zu].notes[%zu] is invalid (time %lld, "
                                  "duration %lld, pitch %d)",
                                  i, j, (long long)src->time, (long long)src->duration,
                                  src->pitch);
            }
            int64_t start = src->time, end = src->time + src->duration;
            if (music->resolution != MUSC_MMT_RESOLUTION) {
                start = rescale(start, factor);
                end = rescale(end, factor);
            }
            int64_t duration = end - start;
            if (duration <= 0)
                duration = 1; /* MMT's convert step: no zero-length notes */
            mmt_note *d = &notes[nn++];
            d->beat = start / MUSC_MMT_RESOLUTION;
            d->position = start % MUSC_MMT_RESOLUTION;
            d->pitch = src->pitch;
            d->duration = duration;
            d->program = program;
        }
    }
    if (nn > 1)
        qsort(notes, nn, sizeof *notes, cmp_mmt_note);
    /* drop exact duplicates (Python's set) */
    size_t kept = 0;
    for (size_t i = 0; i < nn; i++)
        if (kept == 0 || cmp_mmt_note(&notes[kept - 1], &notes[i]) != 0)
            notes[kept++] = notes[i];
    nn = kept;
    if (o.shift_to_first_beat && nn) {
        int64_t first = notes[0].beat;
        for (size_t i = 0; i < nn; i++)
            notes[i].beat -= first;
    }
    if (!nn) {
        free(notes);
        notes = NULL;
    }
    *out = notes;
    *n_out = nn;
    return MUSC_OK;
}

musc_status musc_mmt_encode_notes(const musc_mmt_note *notes, size_t nn,
                                  const musc_mmt_options *options, int32_t **codes,
                                  size_t *n_rows)
{
    musc_mmt_options o = options ? *options : musc_mmt_options_default();
    *codes = NULL;
    *n_rows = 0;
    if (o.max_beat < 1 || o.max_beat > (1 << 24))
        return musc_error(MUSC_ERR_ARG, "mmt encode: max_beat = %d, expected 1..%d", o.max_beat,
                          1 << 24);
    if (o.max_seq_len == 1 || o.max_seq_len == 2)
        return musc_error(MUSC_ERR_ARG,
                          "mmt encode: max_seq_len = %zu, expected 0 (no limit) or >= 3",
                          o.max_seq_len);
    if (nn && !notes)
        return musc_error(MUSC_ERR_ARG, "mmt encode: notes is NULL");
    int used[MUSC_MMT_DRUMS + 1] = {0};
    size_t n_instruments = 0, n_kept = 0;
    for (size_t i = 0; i < nn; i++) {
        const mmt_note *nt = &notes[i];
        if (nt->beat < 0 || nt->position < 0 || nt->position >= MUSC_MMT_RESOLUTION ||
            nt->pitch < 0 || nt->pitch > 127 || nt->program < 0 || nt->program > DRUM_PROGRAM ||
            (nt->program < DRUM_PROGRAM && !program_class[nt->program]))
            return musc_error(MUSC_ERR_RANGE,
                              "mmt encode: note %zu (beat %lld, position %lld, pitch %lld, "
                              "program %lld) cannot be encoded",
                              i, (long long)nt->beat, (long long)nt->position,
                              (long long)nt->pitch, (long long)nt->program);
        if (nt->beat >= o.max_beat) /* dataset.py's trim */
            continue;
        n_kept++;
        int c = instrument_of(nt->program);
        if (!used[c]) {
            used[c] = 1;
            n_instruments++;
        }
    }
    size_t rows = 3 + n_instruments + n_kept;
    if (rows > SIZE_MAX / (MUSC_MMT_FIELDS * sizeof(int32_t)))
        return musc_error(MUSC_ERR_NOMEM, "mmt encode: too many rows");
    int32_t *out = malloc(rows * MUSC_MMT_FIELDS * sizeof *out);
    if (!out)
        return musc_error(MUSC_ERR_NOMEM, "mmt encode: out of memory for %zu rows", rows);
    size_t r = 0;
    put_row(out + MUSC_MMT_FIELDS * r++, MUSC_MMT_START_OF_SONG, 0, 0, 0, 0, 0);
    for (int c = 1; c <= MUSC_MMT_DRUMS; c++)
        if (used[c])
            put_row(out + MUSC_MMT_FIELDS * r++, MUSC_MMT_INSTRUMENT, 0, 0, 0, 0, c);
    put_row(out + MUSC_MMT_FIELDS * r++, MUSC_MMT_START_OF_NOTES, 0, 0, 0, 0, 0);
    for (size_t i = 0; i < nn; i++) {
        const mmt_note *nt = &notes[i];
        if (nt->beat >= o.max_beat)
            continue;
        put_row(out + MUSC_MMT_FIELDS * r++, MUSC_MMT_NOTE, (int)nt->beat + 1,
                (int)nt->position + 1, (int)nt->pitch + 1, musc_mmt_duration_code(nt->duration),
                instrument_of(nt->program));
    }
    put_row(out + MUSC_MMT_FIELDS * r++, MUSC_MMT_END_OF_SONG, 0, 0, 0, 0, 0);
    if (o.max_seq_len && r > o.max_seq_len) {
        memcpy(out + MUSC_MMT_FIELDS * (o.max_seq_len - 1), out + MUSC_MMT_FIELDS * (r - 1),
               MUSC_MMT_FIELDS * sizeof *out);
        r = o.max_seq_len;
    }
    *codes = out;
    *n_rows = r;
    return MUSC_OK;
}

musc_status musc_mmt_encode(const musc_music *music, const musc_mmt_options *options,
                            int32_t **codes, size_t *n_rows)
{
    musc_mmt_options o = options ? *options : musc_mmt_options_default();
    *codes = NULL;
    *n_rows = 0;
    if (o.max_beat < 1 || o.max_beat > (1 << 24))
        return musc_error(MUSC_ERR_ARG, "mmt encode: max_beat = %d, expected 1..%d", o.max_beat,
                          1 << 24);
    if (o.max_seq_len == 1 || o.max_seq_len == 2)
        return musc_error(MUSC_ERR_ARG,
                          "mmt encode: max_seq_len = %zu, expected 0 (no limit) or >= 3",
                          o.max_seq_len);
    musc_mmt_note *notes;
    size_t nn;
    musc_status st = musc_mmt_extract(music, &o, &notes, &nn);
    if (st)
        return st;
    st = musc_mmt_encode_notes(notes, nn, &o, codes, n_rows);
    free(notes);
    return st;
}

musc_status musc_mmt_decode(const int32_t *codes, size_t n_rows, const musc_mmt_options *options,
                            musc_music **out)
{
    musc_mmt_options o = options ? *options : musc_mmt_options_default();
    *out = NULL;
    if (o.max_beat < 1 || o.max_beat > (1 << 24))
        return musc_error(MUSC_ERR_ARG, "mmt decode: max_beat = %d, expected 1..%d", o.max_beat,
                          1 << 24);
    if (!(o.qpm > 0) || !isfinite(o.qpm))
        return musc_error(MUSC_ERR_ARG, "mmt decode: qpm = %g, expected > 0", o.qpm);
    if (n_rows && !codes)
        return musc_error(MUSC_ERR_ARG, "mmt decode: codes is NULL");
    int sizes[MUSC_MMT_FIELDS];
    musc_mmt_field_sizes(&o, sizes);

    /* first pass: which programs appear, and where the song ends */
    int present[DRUM_PROGRAM + 1] = {0};
    size_t end = n_rows;
    for (size_t i = 0; i < n_rows; i++) {
        const int32_t *row = codes + MUSC_MMT_FIELDS * i;
        if (row[0] < 0 || row[0] > MUSC_MMT_END_OF_SONG)
            return musc_error(MUSC_ERR_FORMAT, "mmt decode: row %zu has type %d, expected 0..4",
                              i, row[0]);
        if (row[0] == MUSC_MMT_END_OF_SONG) {
            end = i;
            break;
        }
    }
    musc_music *m = musc_music_new(MUSC_MMT_RESOLUTION);
    if (!m)
        return MUSC_ERR_NOMEM;
    if (musc_music_add_tempo(m, 0, o.qpm)) {
        musc_music_free(m);
        return musc_error(MUSC_ERR_NOMEM, "mmt decode: out of memory");
    }
    for (int pass = 0; pass < 2; pass++) {
        int track_of[DRUM_PROGRAM + 1];
        if (pass == 1) {
            /* one track per program, by program; drums last */
            for (int p = 0; p <= DRUM_PROGRAM; p++) {
                track_of[p] = -1;
                if (!present[p])
                    continue;
                int drum = p == DRUM_PROGRAM;
                if (!musc_music_add_track(m, drum ? 0 : p, drum, NULL)) {
                    musc_music_free(m);
                    return musc_error(MUSC_ERR_NOMEM, "mmt decode: out of memory");
                }
                track_of[p] = (int)m->n_tracks - 1;
            }
        }
        for (size_t i = 0; i < end; i++) {
            const int32_t *row = codes + MUSC_MMT_FIELDS * i;
            if (row[0] != MUSC_MMT_NOTE)
                continue;
            int valid_fields = 1;
            for (int f = 1; f < MUSC_MMT_FIELDS; f++)
                if (row[f] < 1 || row[f] >= sizes[f])
                    valid_fields = 0;
            if (!valid_fields)
                continue;
            int program = row[5] == MUSC_MMT_DRUMS ? DRUM_PROGRAM
                                                     : musc_mmt_program_of_instrument(row[5]);
            if (pass == 0) {
                present[program] = 1;
                continue;
            }
            int64_t time = (int64_t)(row[1] - 1) * MUSC_MMT_RESOLUTION + (row[2] - 1);
            if (musc_track_add_note(&m->tracks[track_of[program]], time,
                                    musc_mmt_duration_of_code(row[4]), row[3] - 1,
                                    MUSC_DEFAULT_VELOCITY)) {
                musc_music_free(m);
                return musc_error(MUSC_ERR_NOMEM, "mmt decode: out of memory");
            }
        }
    }
    *out = m;
    return MUSC_OK;
}
