/*
 * Melody-harmonization metrics after Yeh et al. (JNMR 2021): how varied a
 * chord sequence is (CHE, CC), how smoothly it moves (CTD), and how well it
 * fits its melody (CTnCTR, PCS, MCTD), plus frame accuracy against human
 * chords. The chord vocabulary is the 48 triads plus no-chord; chord
 * symbols of any common spelling reduce to it here, so the readers, the
 * harmonizer and the metrics agree on one reduction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "musc/metrics.h"

static const int QUALITY_STEPS[4][3] = {{0, 4, 7}, {0, 3, 7}, {0, 3, 6}, {0, 4, 8}};
static const char *const ROOT_NAMES[12] = {"C",  "C#", "D",  "Eb", "E",  "F",
                                           "F#", "G",  "Ab", "A",  "Bb", "B"};
static const char *const QUALITY_SUFFIX[4] = {"", "m", "dim", "aug"};

int musc_triad_pitch_classes(int cls, int pcs[3])
{
    if (cls < 0 || cls >= MUSC_TRIAD_NONE)
        return 0;
    for (int k = 0; k < 3; k++)
        pcs[k] = (cls / 4 + QUALITY_STEPS[cls % 4][k]) % 12;
    return 3;
}

char *musc_triad_name(int cls, char *buf)
{
    if (cls < 0 || cls >= MUSC_TRIAD_NONE)
        strcpy(buf, "N.C.");
    else {
        strcpy(buf, ROOT_NAMES[cls / 4]);
        strcat(buf, QUALITY_SUFFIX[cls % 4]);
    }
    return buf;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int quality_of(const char *q)
{
    if (starts(q, "hdim") || starts(q, "dim") || starts(q, "o") ||
        starts(q, "\xc2\xb0") /* degree sign */ || starts(q, "\xc3\xb8") /* o slash */)
        return MUSC_TRIAD_DIM;
    if (starts(q, "aug") || starts(q, "+"))
        return MUSC_TRIAD_AUG;
    if (starts(q, "maj") || starts(q, "M") || starts(q, "sus"))
        return MUSC_TRIAD_MAJOR;
    if (starts(q, "min") || starts(q, "mi") || starts(q, "m") || starts(q, "-")) {
        /* m7b5, min7b5, m7(b5): half-diminished */
        const char *end = strchr(q, '/');
        size_t n = end ? (size_t)(end - q) : strlen(q);
        for (size_t i = 0; i + 1 < n; i++)
            if (q[i] == 'b' && q[i + 1] == '5')
                return MUSC_TRIAD_DIM;
        return MUSC_TRIAD_MINOR;
    }
    return MUSC_TRIAD_MAJOR; /* "", 7, 9, 6, 5 (power), sus-less extensions */
}

int musc_triad_parse(const char *symbol)
{
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    if (!symbol)
        return -1;
    const char *s = symbol;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!strcmp(s, "N") || starts(s, "N.C") || !strcmp(s, "NC") || !strcmp(s, "none"))
        return MUSC_TRIAD_NONE;
    if (*s < 'A' || *s > 'G')
        return -1;
    int root = letter_pc[*s++ - 'A'];
    for (;;) {
        if (*s == '#')
            root++, s++;
        else if (*s == 'b')
            root--, s++;
        else if (starts(s, "\xe2\x99\xaf"))
            root++, s += 3;
        else if (starts(s, "\xe2\x99\xad"))
            root--, s += 3;
        else
            break;
    }
    root = ((root % 12) + 12) % 12;
    if (*s == ':')
        s++;
    return root * 4 + quality_of(s);
}

int musc_tonal_centroid(const double chroma[12], double out[6])
{
    double total = 0;
    for (int k = 0; k < 12; k++)
        total += chroma[k];
    memset(out, 0, 6 * sizeof *out);
    if (!(total > 0))
        return 0;
    for (int k = 0; k < 12; k++) {
        if (chroma[k] == 0)
            continue;
        double w = chroma[k] / total;
        out[0] += w * sin(k * 7 * M_PI / 6);
        out[1] += w * cos(k * 7 * M_PI / 6);
        out[2] += w * sin(k * 3 * M_PI / 2);
        out[3] += w * cos(k * 3 * M_PI / 2);
        out[4] += w * 0.5 * sin(k * 2 * M_PI / 3);
        out[5] += w * 0.5 * cos(k * 2 * M_PI / 3);
    }
    return 1;
}

static double distance6(const double a[6], const double b[6])
{
    double s = 0;
    for (int k = 0; k < 6; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return sqrt(s);
}

static void chord_centroid(int cls, double out[6])
{
    double chroma[12] = {0};
    int pcs[3];
    int n = musc_triad_pitch_classes(cls, pcs);
    for (int k = 0; k < n; k++)
        chroma[pcs[k]] = 1;
    musc_tonal_centroid(chroma, out);
}

static int pc_of(int pitch)
{
    return ((pitch % 12) + 12) % 12;
}

static int is_chord_tone(int cls, int pitch)
{
    int pcs[3];
    int n = musc_triad_pitch_classes(cls, pcs);
    for (int k = 0; k < n; k++)
        if (pcs[k] == pc_of(pitch))
            return 1;
    return 0;
}

/* Notes whose end fits in int64 (others are skipped, not overflowed). */
static int usable(const musc_note *n)
{
    return n->time >= 0 && n->duration >= 0 && n->time <= ((int64_t)1 << 60) &&
           n->duration <= ((int64_t)1 << 60);
}

/* The frame holding tick t, or -1 outside [frames[0], frames[n]). */
static long frame_of(const int64_t *frames, size_t n, int64_t t)
{
    if (n == 0 || t < frames[0] || t >= frames[n])
        return -1;
    size_t lo = 0, hi = n; /* largest i < n with frames[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (frames[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return (long)lo;
}

static int cmp_note_onset(const void *a, const void *b)
{
    const musc_note *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->pitch > y->pitch) - (x->pitch < y->pitch);
}

static musc_status check_input(const musc_harmony_input *in)
{
    if (!in || (in->n_notes && !in->melody) || !in->frames || !in->chords ||
        in->resolution < 1)
        return musc_error(MUSC_ERR_ARG, "harmony metrics: missing melody, frames or chords, "
                                        "or resolution < 1");
    for (size_t i = 0; i < in->n_frames; i++) {
        if (in->frames[i + 1] <= in->frames[i])
            return musc_error(MUSC_ERR_ARG,
                              "harmony metrics: frame %zu is empty or reversed "
                              "([%lld, %lld)), expected increasing bounds",
                              i, (long long)in->frames[i], (long long)in->frames[i + 1]);
        if (in->chords[i] < 0 || in->chords[i] >= MUSC_TRIAD_COUNT ||
            (in->reference && (in->reference[i] < 0 || in->reference[i] >= MUSC_TRIAD_COUNT)))
            return musc_error(MUSC_ERR_ARG,
                              "harmony metrics: frame %zu has a chord class outside 0..48", i);
    }
    return MUSC_OK;
}

static void histogram_metrics(const musc_harmony_input *in, musc_harmony_metrics *out)
{
    size_t count[MUSC_TRIAD_COUNT] = {0};
    for (size_t i = 0; i < in->n_frames; i++)
        count[in->chords[i]]++;
    double h = 0, cc = 0;
    for (int c = 0; c < MUSC_TRIAD_COUNT; c++)
        if (count[c]) {
            double p = (double)count[c] / (double)in->n_frames;
            h -= p * log(p);
            cc++;
        }
    out->che = in->n_frames ? h : NAN;
    out->cc = in->n_frames ? cc : NAN;

    double sum = 0;
    size_t pairs = 0;
    for (size_t i = 0; i + 1 < in->n_frames; i++) {
        int a = in->chords[i], b = in->chords[i + 1];
        if (a == MUSC_TRIAD_NONE || b == MUSC_TRIAD_NONE)
            continue;
        double ca[6], cb[6];
        chord_centroid(a, ca);
        chord_centroid(b, cb);
        sum += distance6(ca, cb);
        pairs++;
    }
    out->ctd = pairs ? sum / (double)pairs : NAN;

    if (in->reference && in->n_frames) {
        size_t same = 0;
        for (size_t i = 0; i < in->n_frames; i++)
            same += in->chords[i] == in->reference[i];
        out->accuracy = (double)same / (double)in->n_frames;
    } else {
        out->accuracy = NAN;
    }
}

/* CTnCTR and MCTD over note segments; notes sorted by onset. */
static void segment_metrics(const musc_harmony_input *in, const musc_note *notes,
                            musc_harmony_metrics *out)
{
    const int64_t *fr = in->frames;
    size_t nf = in->n_frames;
    double nc = 0, nn = 0, np = 0, mctd = 0, weight = 0;
    for (size_t i = 0; i < in->n_notes; i++) {
        if (!usable(&notes[i]))
            continue;
        int64_t start = notes[i].time, end = start + notes[i].duration;
        if (notes[i].duration <= 0 || nf == 0 || end <= fr[0] || start >= fr[nf])
            continue;
        long f = start < fr[0] ? 0 : frame_of(fr, nf, start);
        /* the resolution of a non-chord tone: the next note of another pitch */
        const musc_note *next = NULL;
        for (size_t j = i + 1; j < in->n_notes && !next; j++)
            if (notes[j].pitch != notes[i].pitch && notes[j].time > start)
                next = &notes[j];
        for (; f >= 0 && (size_t)f < nf && fr[f] < end; f++) {
            int c = in->chords[f];
            if (c == MUSC_TRIAD_NONE)
                continue;
            int64_t a = start > fr[f] ? start : fr[f];
            int64_t b = end < fr[f + 1] ? end : fr[f + 1];
            if (is_chord_tone(c, notes[i].pitch)) {
                nc++;
            } else {
                nn++;
                if (next && abs(next->pitch - notes[i].pitch) <= 2) {
                    long g = frame_of(fr, nf, next->time);
                    if (g >= 0 && is_chord_tone(in->chords[g], next->pitch))
                        np++;
                }
            }
            double chroma[12] = {0}, cm[6], cc[6];
            chroma[pc_of(notes[i].pitch)] = 1;
            musc_tonal_centroid(chroma, cm);
            chord_centroid(c, cc);
            mctd += (double)(b - a) * distance6(cm, cc);
            weight += (double)(b - a);
        }
    }
    out->ctnctr = nc + nn > 0 ? (nc + np) / (nc + nn) : NAN;
    out->mctd = weight > 0 ? mctd / weight : NAN;
}

static double interval_score(int d)
{
    d = ((d % 12) + 12) % 12;
    if (d == 0 || d == 3 || d == 4 || d == 7 || d == 8 || d == 9)
        return 1;
    return d == 5 ? 0 : -1;
}

/* PCS over 16th-note steps: step j covers [j*res/4, (j+1)*res/4). */
static musc_status consonance(const musc_harmony_input *in, const musc_note *notes,
                              musc_harmony_metrics *out)
{
    out->pcs = NAN;
    size_t nf = in->n_frames;
    if (nf == 0 || in->n_notes == 0)
        return MUSC_OK;
    int64_t res = in->resolution, t0 = in->frames[0], t1 = in->frames[nf];
    if (t0 < 0)
        t0 = 0;
    if (t1 <= t0)
        return MUSC_OK;
    if ((double)t1 * 4.0 / (double)res > (double)(1 << 26))
        return musc_error(MUSC_ERR_RANGE, "harmony metrics: more than 2^26 16th-note steps");
    size_t j0 = (size_t)(t0 * 4 / res), j1 = (size_t)((t1 * 4 + res - 1) / res);
    size_t n = j1 - j0;
    int64_t *best = calloc(n, sizeof *best);
    int16_t *pitch = malloc(n * sizeof *pitch);
    if (!best || !pitch) {
        free(best);
        free(pitch);
        return musc_error(MUSC_ERR_NOMEM, "harmony metrics: out of memory");
    }
#define STEP_START(j) ((int64_t)(j) * res / 4)
    for (size_t i = 0; i < in->n_notes; i++) {
        if (!usable(&notes[i]))
            continue;
        int64_t s = notes[i].time, e = s + notes[i].duration;
        if (e <= t0 || s >= t1 || e <= s)
            continue;
        size_t j = s <= t0 ? j0 : (size_t)(s * 4 / res);
        for (; j < j1 && STEP_START(j) < e; j++) {
            int64_t a = s > STEP_START(j) ? s : STEP_START(j);
            int64_t b = e < STEP_START(j + 1) ? e : STEP_START(j + 1);
            if (b - a > best[j - j0]) {
                best[j - j0] = b - a;
                pitch[j - j0] = notes[i].pitch;
            }
        }
    }
    double score = 0, count = 0;
    for (size_t j = j0; j < j1; j++) {
        if (!best[j - j0])
            continue;
        long f = frame_of(in->frames, nf, STEP_START(j) < t0 ? t0 : STEP_START(j));
        int pcs[3];
        int k = f >= 0 ? musc_triad_pitch_classes(in->chords[f], pcs) : 0;
        for (int q = 0; q < k; q++) {
            score += interval_score(pitch[j - j0] - pcs[q]);
            count++;
        }
    }
#undef STEP_START
    free(best);
    free(pitch);
    out->pcs = count > 0 ? score / count : NAN;
    return MUSC_OK;
}

musc_status musc_harmony_metrics_compute(const musc_harmony_input *in, musc_harmony_metrics *out)
{
    musc_harmony_metrics r = {NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    if (out)
        *out = r;
    musc_status st = out ? check_input(in) : musc_error(MUSC_ERR_ARG, "harmony metrics: no output");
    if (st)
        return st;
    musc_note *notes = NULL;
    if (in->n_notes) {
        notes = malloc(in->n_notes * sizeof *notes);
        if (!notes)
            return musc_error(MUSC_ERR_NOMEM, "harmony metrics: out of memory");
        memcpy(notes, in->melody, in->n_notes * sizeof *notes);
        qsort(notes, in->n_notes, sizeof *notes, cmp_note_onset);
    }
    histogram_metrics(in, &r);
    segment_metrics(in, notes, &r);
    st = consonance(in, notes, &r);
    free(notes);
    if (!st)
        *out = r;
    return st;
}
