/*
 * Objective metrics for symbolic music, as the literature uses them to judge
 * generated music against real music.
 *
 * Three families, each with its authors' definitions:
 *  - MusPy's 14 metrics (v0.5), with MusPy's defaults, log base 2 and NaN
 *    where MusPy gives NaN. Drum tracks are ignored by the pitch metrics and
 *    polyphony (as MusPy); empty_beat_rate, empty_measure_rate and
 *    groove_consistency count every track; the drum metrics count drum
 *    tracks only. Song length is MusPy's: the latest end over all tracks of
 *    notes, chords, lyrics, annotations and control changes (MusPy reads
 *    control changes as annotations). Chords are not notes here (MusPy's
 *    metrics read track.notes only).
 *  - Pypianoroll's metrics as defined in its documentation (not as its code
 *    computes them: its chroma groups ten neighbouring pitches, its
 *    empty_beat_rate returns the non-empty ratio, its qualified_note_rate
 *    pairs onsets of different pitches): qualified_note_rate,
 *    polyphonic_rate, in_scale_rate (cell-weighted, i.e. by sounding
 *    duration, over the binary roll) and tonal_distance between two tracks.
 *  - MuseGAN's EB (empty bars), UPC (used pitch classes per bar), QN
 *    (qualified notes), DP (drum pattern) and TD (tonal distance), per track
 *    and averaged over the tracks of a file.
 * Plus time-signature-aware variants of empty_beat_rate, empty_measure_rate
 * and groove_consistency, which take beats and bars from the time
 * signatures (4/4 when none, as musc_music_beats) where MusPy assumes a
 * quarter-note beat and one fixed measure length.
 *
 * Deviations from MusPy (each deliberate):
 *  - pitch_range of a piece whose only notes are drums is 0 (MusPy: -127,
 *    its initial highest 0 minus lowest 127); with no tracks every metric
 *    that needs a length is NaN (MusPy raises).
 *  - measure_resolution defaults to one 4/4 bar (4 * resolution), which is
 *    what MMT passes; MusPy has no default.
 *  - pitch_in_scale_rate's root and mode are options (default C major, or
 *    the first key signature with scale_root = -1); MusPy has no default.
 */
#ifndef MUSC_METRICS_H
#define MUSC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MUSC_METER_DUPLE = 0, MUSC_METER_TRIPLE = 1 };

typedef struct musc_metrics_options {
    int polyphony_threshold;    /* polyphony_rate / polyphonic_rate count steps with
                                   MORE than this many pitches; default 2 */
    int64_t measure_resolution; /* ticks per measure for empty_measure_rate and
                                   groove_consistency; 0 = 4 * resolution */
    int scale_root;             /* pitch_in_scale_rate / in_scale_rate: tonic pitch
                                   class (C = 0); -1 = first key signature (C if none) */
    int scale_mode;             /* MUSC_MODE_MAJOR or MUSC_MODE_MINOR */
    int drum_meter;             /* drum_in_pattern_rate: MUSC_METER_DUPLE or _TRIPLE */
    int64_t qualified_ticks;    /* QN: a note this long or longer is qualified;
                                   0 = resolution / 8 (MuseGAN: 3 steps at 24 per
                                   quarter, a 32nd note; Pypianoroll's default is
                                   2 steps, pass resolution / 12 for that) */
} musc_metrics_options;

/* Defaults: threshold 2, 4/4 measures, C major, duple, MuseGAN's 32nd note. */
musc_metrics_options musc_metrics_options_default(void);

/* Per-track values (MuseGAN's per-track metrics and Pypianoroll's per-roll
 * ones). Values that do not apply are NaN (pitch metrics of a drum track,
 * drum_pattern_rate of a pitched track, anything of a track without notes
 * except empty_bar_rate). */
typedef struct musc_track_metrics {
    size_t n_notes;
    int is_drum;
    int program;
    double empty_bar_rate;      /* EB: bars (from the time signatures) where the
                                   track sounds no note / bars */
    double used_pitch_classes;  /* UPC: mean over the track's non-empty bars of the
                                   number of pitch classes sounding in the bar */
    double qualified_note_rate; /* QN: notes lasting >= qualified_ticks / notes */
    double polyphonic_rate;     /* steps of the track's binary roll with more than
                                   polyphony_threshold pitches / song length */
    double in_scale_rate;       /* sounding ticks of in-scale pitches / sounding
                                   ticks (binary roll cells), Pypianoroll's */
    double drum_pattern_rate;   /* DP: drum onsets on the 16th-note grid / onsets */
} musc_track_metrics;

/* Every metric of one piece. Counts MusPy returns as integers are stored as
 * doubles so that one table holds everything. */
typedef struct musc_metrics {
    int64_t length;          /* song length in ticks (MusPy's, see above) */
    size_t n_notes;          /* all notes */
    size_t n_pitched_notes;  /* notes of non-drum tracks */
    size_t n_drum_notes;

    /* MusPy */
    double pitch_range;               /* max - min pitch; 0 if none */
    double n_pitches_used;            /* distinct pitches */
    double n_pitch_classes_used;      /* distinct pitch classes */
    double polyphony;                 /* mean #pitches over steps with >= 1; NaN if none */
    double polyphony_rate;            /* steps with > threshold pitches / steps */
    double pitch_in_scale_rate;       /* notes in the scale / notes */
    double scale_consistency;         /* max pitch_in_scale_rate over 24 scales */
    double pitch_entropy;             /* bits, 128-bin note histogram */
    double pitch_class_entropy;       /* bits, 12-bin note histogram */
    double empty_beat_rate;           /* quarter-note beats touched by no note / beats */
    double empty_measure_rate;        /* same with measure_resolution */
    double drum_in_pattern_rate;      /* drum onsets in the drum_meter pattern / onsets */
    double drum_pattern_consistency;  /* max over duple and triple */
    double groove_consistency;        /* 1 - mean Hamming distance of neighbouring
                                         measures' onset vectors / measure_resolution */

    /* time-signature-aware variants (beats and bars from the signatures) */
    double empty_beat_rate_ts;
    double empty_measure_rate_ts;
    double groove_consistency_ts;     /* Hamming over max(len_i, len_i+1) per pair */

    /* Pypianoroll (file level) */
    double qualified_note_rate;       /* over all pitched notes (also MuseGAN's QN) */
    double polyphonic_rate;           /* mean of the pitched tracks' polyphonic_rate */
    double in_scale_rate;             /* cell-weighted, all pitched tracks blended */
    double tonal_distance;            /* TD: mean over pairs of pitched tracks with a
                                         defined distance; NaN if none */
    /* MuseGAN (file level) */
    double empty_bar_rate;            /* EB: mean over all tracks */
    double used_pitch_classes;        /* UPC: mean over pitched tracks with notes */
    double drum_pattern_rate;         /* DP: over all drum onsets */

    size_t n_tracks;
    musc_track_metrics *tracks;       /* n_tracks, owned */
    /* n_tracks x n_tracks, row-major, symmetric: Harte tonal distance between
     * tracks i and j, the mean over quarter-note beats where both sound of the
     * Euclidean distance between their 6-D tonal centroids (duration-weighted
     * chroma, L1-normalised; radii 1, 1, 0.5). NaN on the diagonal, for drum
     * tracks and where the two never sound in the same beat. Owned. */
    double *tonal_distances;
} musc_metrics;

/* Compute every metric of `music` in one pass over its notes (sorted
 * internally; the music is not changed). `options` may be NULL (defaults).
 * On success *out is filled and owns its arrays: release them with
 * musc_metrics_clear(). Errors: MUSC_ERR_ARG (bad option), MUSC_ERR_NOMEM;
 * *out is then zeroed. */
musc_status musc_metrics_compute(const musc_music *music, const musc_metrics_options *options,
                                 musc_metrics *out);

/* Free the arrays of a result and zero it. NULL is a no-op. */
void musc_metrics_clear(musc_metrics *metrics);

/* ---- one metric at a time (MusPy's functions) ------------------------------
 * Each computes just its value, with MusPy's definition as above; NaN where
 * MusPy gives NaN (or where a needed allocation fails). Cheaper than
 * musc_metrics_compute when only one value is needed. */
int musc_pitch_range(const musc_music *music);
int musc_n_pitches_used(const musc_music *music);
int musc_n_pitch_classes_used(const musc_music *music);
double musc_pitch_in_scale_rate(const musc_music *music, int root, int mode);
double musc_scale_consistency(const musc_music *music);
double musc_pitch_entropy(const musc_music *music);
double musc_pitch_class_entropy(const musc_music *music);
double musc_polyphony(const musc_music *music);
double musc_polyphony_rate(const musc_music *music, int threshold);
double musc_empty_beat_rate(const musc_music *music);
double musc_empty_measure_rate(const musc_music *music, int64_t measure_resolution);
double musc_drum_in_pattern_rate(const musc_music *music, int meter);
double musc_drum_pattern_consistency(const musc_music *music);
double musc_groove_consistency(const musc_music *music, int64_t measure_resolution);

/* ---- the table of names ----------------------------------------------------
 * The file-level values as (name, offset) rows, in the order above, so that
 * tools print, average and compare them without listing fields by hand. */
typedef struct musc_metric_info {
    const char *name;   /* e.g. "pitch_class_entropy" */
    const char *family; /* "muspy", "muspy_ts", "pypianoroll", "musegan" */
    size_t offset;      /* offsetof(musc_metrics, field), a double */
} musc_metric_info;

/* The table and its length (*n). Never NULL. */
const musc_metric_info *musc_metric_table(size_t *n);

/* The value of row `info` in `metrics`. */
double musc_metric_value(const musc_metrics *metrics, const musc_metric_info *info);

/* ---- harmony: melody-harmonization metrics ---------------------------------
 * After Yeh et al., "Automatic melody harmonization with triad chords: a
 * comparative study" (JNMR 2021). Chords are the 48 triads (root * 4 +
 * quality) plus no-chord (MUSC_TRIAD_NONE), one label per frame (a half
 * bar, a beat or a bar). */
enum {
    MUSC_TRIAD_MAJOR = 0,
    MUSC_TRIAD_MINOR = 1,
    MUSC_TRIAD_DIM = 2,
    MUSC_TRIAD_AUG = 3,
    MUSC_TRIAD_NONE = 48, /* the no-chord class */
    MUSC_TRIAD_COUNT = 49
};

/* The pitch classes of triad class `cls` (root first) into pcs[0..2];
 * returns 3, or 0 for MUSC_TRIAD_NONE or a class out of range. */
int musc_triad_pitch_classes(int cls, int pcs[3]);

/* Reduce a chord symbol to its triad class. Accepts lead-sheet text ("Am7",
 * "F#m7b5/C#", "Bbmaj7", "Edim", "G+", "Dsus4"), Harte-style labels as in
 * POP909 ("C#:maj", "B:min7", "A:hdim7", "G:7/b7") and no-chord ("N",
 * "N.C.", "NC"). Sevenths and extensions reduce to their triad, half- and
 * fully diminished sevenths to diminished, sus2/sus4, power chords and
 * unknown qualities after a valid root to major; a slash bass is ignored.
 * Returns the class 0..48, or -1 when the text does not start with a note
 * name (nor is a no-chord mark). */
int musc_triad_parse(const char *symbol);

/* The symbol of a triad class ("C", "C#m", "Bdim", "Ebaug", "N.C.") into
 * buf (at least 8 bytes). Returns buf. Roots are spelled C C# D Eb E F F#
 * G Ab A Bb B. */
char *musc_triad_name(int cls, char *buf);

/* Harte et al. (2006) 6-D tonal centroid of a 12-bin chroma (normalised to
 * sum 1; radii 1, 1, 0.5 for fifths, minor thirds, major thirds). An empty
 * chroma gives the origin and returns 0; else returns 1. */
int musc_tonal_centroid(const double chroma[12], double out[6]);

/* One harmonized melody: the melody notes (any order; overlaps are
 * allowed), frames as n_frames + 1 increasing tick bounds (frame i is
 * [frames[i], frames[i+1])), one chord class per frame, and optionally the
 * reference (human) classes of the same frames. */
typedef struct musc_harmony_input {
    const musc_note *melody;
    size_t n_notes;
    const int64_t *frames;
    size_t n_frames;
    const int *chords;
    const int *reference; /* NULL: no accuracy */
    int resolution;       /* ticks per quarter; the PCS grid is a 16th note */
} musc_harmony_input;

/* The six metrics of Yeh et al. and accuracy. Values that cannot be
 * computed (e.g. no melody note under a chord) are NaN.
 *  - che: entropy (natural log) of the histogram of the frames' classes,
 *    no-chord counted as a class; cc: the number of distinct classes.
 *  - ctd: mean Euclidean distance between the tonal centroids of
 *    consecutive frames' chords (repeats count, distance 0); pairs with a
 *    no-chord frame are skipped.
 *  - ctnctr: (n_c + n_p) / (n_c + n_n) over melody-note segments (a note cut
 *    at chord-frame bounds, judged against the chord of its frame; segments
 *    under no-chord are skipped): n_c chord tones, n_n non-chord tones,
 *    n_p non-chord tones whose next melody note of another pitch lies 1 or
 *    2 semitones away and is a chord tone of the chord at its own onset.
 *  - pcs: over 16th-note steps where a melody note sounds (the note
 *    covering most of the step) under a chord, and each of the chord's
 *    three notes: +1 when (melody - chord note) mod 12 is 0, 3, 4, 7, 8 or
 *    9, 0 when it is 5, -1 otherwise; the mean.
 *  - mctd: the duration-weighted mean over melody-note segments under a
 *    chord of the distance between the segment's pitch-class centroid and
 *    the chord's centroid.
 *  - accuracy: frames whose class equals the reference's / frames.
 * Errors: MUSC_ERR_ARG (NULL arrays with nonzero counts, decreasing
 * frames, a class outside 0..48, resolution < 1), MUSC_ERR_RANGE (more
 * than 2^26 16th-note steps), MUSC_ERR_NOMEM. */
typedef struct musc_harmony_metrics {
    double che, cc, ctd, ctnctr, pcs, mctd, accuracy;
} musc_harmony_metrics;

musc_status musc_harmony_metrics_compute(const musc_harmony_input *input,
                                         musc_harmony_metrics *out);

#ifdef __cplusplus
}
#endif
#endif
