/*
 * The musc object model: one set of plain structs for multitrack music.
 *
 * The model follows MusPy's (Music, Track, Note, Chord, Tempo, KeySignature,
 * TimeSignature, Lyric, Annotation) and adds what a MIDI file carries so a
 * round trip loses nothing: control changes, pitch bends, channel and key
 * pressure, system-exclusive messages and other meta events.
 *
 * Time is integer ticks at music->resolution ticks per quarter note. Seconds
 * come from the tempo map (120 qpm before the first tempo, as MusPy).
 *
 * Every array is a pointer, a count n_X and a capacity cap_X. Users may read
 * and edit elements in place, change counts downward, or replace an array by
 * one from malloc() (then set cap_X to its element capacity, or to n_X).
 * Append with the musc_*_add_* functions, which grow the capacity. Strings
 * are UTF-8, owned by their struct, allocated with malloc(); NULL means
 * absent. musc_music_free() releases everything reachable from the music.
 */
#ifndef MUSC_MUSIC_H
#define MUSC_MUSIC_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_DEFAULT_RESOLUTION 24 /* MusPy's default ticks per quarter */
#define MUSC_DEFAULT_QPM 120.0     /* tempo assumed before the first one */
#define MUSC_DEFAULT_VELOCITY 64

typedef struct musc_note {
    int64_t time;     /* onset in ticks, >= 0 */
    int64_t duration; /* length in ticks, >= 0 */
    int16_t pitch;    /* MIDI pitch 0..127 */
    int16_t velocity; /* 0..127 */
} musc_note;

typedef struct musc_chord {
    int64_t time;
    int64_t duration;
    int16_t *pitches; /* n_pitches pitches 0..127, owned */
    size_t n_pitches;
    int16_t velocity;
} musc_chord;

typedef struct musc_tempo {
    int64_t time;
    double qpm; /* quarter notes per minute, > 0 */
} musc_tempo;

enum { MUSC_MODE_NONE = -1, MUSC_MODE_MAJOR = 0, MUSC_MODE_MINOR = 1 };

typedef struct musc_key_signature {
    int64_t time;
    int fifths; /* -7..7 sharps (+) or flats (-) */
    int mode;   /* MUSC_MODE_MAJOR, MUSC_MODE_MINOR or MUSC_MODE_NONE */
    int root;   /* tonic pitch class 0..11 (C=0), or -1 if unknown */
} musc_key_signature;

typedef struct musc_time_signature {
    int64_t time;
    int numerator;   /* >= 1 */
    int denominator; /* >= 1, normally a power of two */
} musc_time_signature;

typedef struct musc_lyric {
    int64_t time;
    char *text;
    int verse; /* 0 = the first (or only) verse, 1 the second, ... */
} musc_lyric;

/* What an annotation holds. MIDI text-like meta events map to the first
 * kinds; chord symbols (from MusicXML <harmony> or ABC "Am7") to CHORD. */
typedef enum musc_annotation_kind {
    MUSC_ANN_TEXT = 0,   /* MIDI meta 0x01, free text */
    MUSC_ANN_MARKER = 1, /* MIDI meta 0x06 */
    MUSC_ANN_CUE = 2,    /* MIDI meta 0x07 */
    MUSC_ANN_CHORD = 3,  /* chord symbol text such as "Am7" */
    MUSC_ANN_OTHER = 4   /* anything else, described by text */
} musc_annotation_kind;

typedef struct musc_annotation {
    int64_t time;
    int kind; /* musc_annotation_kind */
    char *text;
} musc_annotation;

typedef struct musc_control {
    int64_t time;
    uint8_t number; /* controller 0..127 (64 = sustain pedal) */
    uint8_t value;  /* 0..127 */
} musc_control;

typedef struct musc_pitch_bend {
    int64_t time;
    int16_t value; /* -8192..8191, 0 = centre */
} musc_pitch_bend;

typedef struct musc_pressure {
    int64_t time;
    int16_t pitch; /* -1 for channel pressure, else the key (poly pressure) */
    uint8_t value; /* 0..127 */
} musc_pressure;

/* A sustain-pedal interval derived from control 64 (>= 64 down, < 64 up). */
typedef struct musc_pedal {
    int64_t time;
    int64_t duration;
} musc_pedal;

/* Raw bytes with a time: system-exclusive messages and meta events that have
 * no field of their own (sequence number, SMPTE offset, sequencer-specific,
 * unknown meta types). */
typedef struct musc_raw_event {
    int64_t time;
    int type;      /* MIDI meta type 0..127, or MUSC_RAW_SYSEX / MUSC_RAW_ESCAPE */
    uint8_t *data; /* owned, `size` bytes (sysex: without the F0/F7 status) */
    size_t size;
    int track; /* MIDI track it came from (0-based), for writing it back */
} musc_raw_event;

#define MUSC_RAW_SYSEX 0xF0  /* data after an F0 status, ends with F7 normally */
#define MUSC_RAW_ESCAPE 0xF7 /* an F7 "escape" packet of arbitrary bytes */

/* A hairpin (MusicXML <wedge>, ABC !<(! !>(!): a gradual change of loudness over
 * [time, time + duration). The notes keep their written velocities; the
 * performance model (musc_perform) plays the ramp. */
typedef struct musc_hairpin {
    int64_t time;
    int64_t duration; /* ticks, >= 0 */
    int kind;         /* MUSC_HAIRPIN_CRESCENDO or MUSC_HAIRPIN_DIMINUENDO */
} musc_hairpin;

#define MUSC_HAIRPIN_CRESCENDO 1
#define MUSC_HAIRPIN_DIMINUENDO (-1)

typedef struct musc_track {
    int program;  /* General MIDI program 0..127 */
    int is_drum;  /* nonzero for a percussion track (MIDI channel 10) */
    int channel;  /* MIDI channel 0..15 this came from, or -1 = choose on write */
    char *name;   /* track name, NULL if none */
    char *instrument_name; /* MIDI meta 0x04, NULL if none */

    musc_note *notes;             size_t n_notes, cap_notes;
    musc_chord *chords;           size_t n_chords, cap_chords;
    musc_lyric *lyrics;           size_t n_lyrics, cap_lyrics;
    musc_annotation *annotations; size_t n_annotations, cap_annotations;
    musc_control *controls;       size_t n_controls, cap_controls;
    musc_pitch_bend *pitch_bends; size_t n_pitch_bends, cap_pitch_bends;
    musc_pressure *pressures;     size_t n_pressures, cap_pressures;
    musc_hairpin *hairpins;       size_t n_hairpins, cap_hairpins; /* sorted like chords */
} musc_track;

typedef struct musc_metadata {
    char *schema_version;  /* MusPy schema version, "0.2" */
    char *title;
    char **creators;       size_t n_creators, cap_creators;
    char *copyright;
    char *collection;
    char *source_filename;
    char *source_format;   /* "midi", "json", "musicxml", "abc", ... */
} musc_metadata;

typedef struct musc_music {
    musc_metadata metadata;
    int resolution; /* ticks per quarter note, >= 1 */

    musc_tempo *tempos;                   size_t n_tempos, cap_tempos;
    musc_key_signature *key_signatures;   size_t n_key_signatures, cap_key_signatures;
    musc_time_signature *time_signatures; size_t n_time_signatures, cap_time_signatures;
    musc_lyric *lyrics;                   size_t n_lyrics, cap_lyrics;
    musc_annotation *annotations;         size_t n_annotations, cap_annotations;
    musc_raw_event *raw_events;           size_t n_raw_events, cap_raw_events;
    musc_track *tracks;                   size_t n_tracks, cap_tracks;
} musc_music;

/* ---- life cycle ---------------------------------------------------------- */

/* Allocate an empty music at `resolution` ticks per quarter (<= 0 selects
 * MUSC_DEFAULT_RESOLUTION). Returns NULL when out of memory (with the thread's
 * error message set). Free with musc_music_free(). */
musc_music *musc_music_new(int resolution);

/* Free a music and everything it owns. NULL is a no-op. */
void musc_music_free(musc_music *music);

/* Deep copy. Returns NULL when out of memory. The caller frees the result. */
musc_music *musc_music_copy(const musc_music *music);

/* Release everything a track owns and zero it (the track struct itself is
 * not freed: it lives in music->tracks). */
void musc_track_clear(musc_track *track);

/* Deep-copy `src` into `dst` (dst is overwritten, not freed first).
 * Returns MUSC_OK or MUSC_ERR_NOMEM (dst then left empty). */
musc_status musc_track_copy(musc_track *dst, const musc_track *src);

/* ---- building ------------------------------------------------------------ */

/* Append an empty track (program, is_drum, name copied; name may be NULL)
 * and return a pointer to it, valid until the next track is added; NULL when
 * out of memory. */
musc_track *musc_music_add_track(musc_music *music, int program, int is_drum,
                                 const char *name);

/* Remove track `index`, freeing its contents. MUSC_ERR_ARG if out of range. */
musc_status musc_music_remove_track(musc_music *music, size_t index);

/* Append one element; each returns MUSC_OK or MUSC_ERR_NOMEM (MUSC_ERR_ARG
 * for a NULL chord pitch array or raw-event buffer with a nonzero count).
 * Strings and byte buffers are copied. Values are stored as given (a pitch
 * is cast to int16_t, a control number to uint8_t); musc_music_validate()
 * checks the ranges. */
musc_status musc_track_add_note(musc_track *t, int64_t time, int64_t duration,
                                int pitch, int velocity);
musc_status musc_track_add_chord(musc_track *t, int64_t time, int64_t duration,
                                 const int16_t *pitches, size_t n, int velocity);
musc_status musc_track_add_lyric(musc_track *t, int64_t time, const char *text);
musc_status musc_track_add_annotation(musc_track *t, int64_t time, int kind,
                                      const char *text);
musc_status musc_track_add_control(musc_track *t, int64_t time, int number, int value);
musc_status musc_track_add_pitch_bend(musc_track *t, int64_t time, int value);
musc_status musc_track_add_pressure(musc_track *t, int64_t time, int pitch, int value);
musc_status musc_track_add_hairpin(musc_track *t, int64_t time, int64_t duration, int kind);
musc_status musc_music_add_tempo(musc_music *m, int64_t time, double qpm);
musc_status musc_music_add_key_signature(musc_music *m, int64_t time, int fifths,
                                         int mode, int root);
musc_status musc_music_add_time_signature(musc_music *m, int64_t time,
                                          int numerator, int denominator);
musc_status musc_music_add_lyric(musc_music *m, int64_t time, const char *text);
musc_status musc_music_add_annotation(musc_music *m, int64_t time, int kind,
                                      const char *text);
musc_status musc_music_add_raw_event(musc_music *m, int64_t time, int type,
                                     const uint8_t *data, size_t size, int track);
musc_status musc_music_add_creator(musc_music *m, const char *name);

/* Replace a string field (e.g. &music->metadata.title) by a copy of `value`
 * (NULL clears it). MUSC_ERR_NOMEM on failure (the old value is kept). */
musc_status musc_set_string(char **field, const char *value);

/* ---- queries and checks -------------------------------------------------- */

/* Sort every timed list by time (stable). Notes sort by (time, pitch,
 * duration, velocity), as MusPy's sort does for notes. */
void musc_music_sort(musc_music *music);

/* Sort one track's timed lists the same way (stable). */
void musc_track_sort(musc_track *track);

/* Check every invariant (resolution >= 1, times and durations >= 0, pitches
 * and velocities 0..127, programs 0..127, qpm > 0, signature fields in
 * range, key fifths -7..7, strings valid UTF-8). Returns MUSC_OK or
 * MUSC_ERR_INVALID with a message naming the first violation, e.g.
 * "tracks[2].notes[17].pitch = 130, expected 0..127". */
musc_status musc_music_validate(const musc_music *music);

/* Nonzero when a and b hold the same musical content: resolution, metadata
 * (title, creators, copyright, collection), every list element by element
 * (in stored order) and every track. Track channel hints, raw-event track
 * indices and where the music came from (schema_version, source_filename,
 * source_format) are ignored. */
int musc_music_equal(const musc_music *a, const musc_music *b);

/* Like musc_music_equal but writes a description of the first difference
 * into buf (if not NULL) and returns 0 on a difference. */
int musc_music_diff(const musc_music *a, const musc_music *b, char *buf, size_t bufsize);

/* Latest time of any timed object (raw events included), note and chord
 * ends included (0 if empty). */
int64_t musc_music_end_time(const musc_music *music);

/* Total number of notes over all tracks. */
size_t musc_music_note_count(const musc_music *music);

/* Convert ticks to seconds through the tempo map (tempos must be sorted by
 * time; 120 qpm before the first tempo; of several tempos at one time the
 * last stored wins). Negative ticks extrapolate with the tempo in force at
 * time 0. */
double musc_music_ticks_to_seconds(const musc_music *music, int64_t ticks);

/* Inverse of musc_music_ticks_to_seconds, rounded to the nearest tick;
 * saturates at INT64_MIN / INT64_MAX, and NaN gives 0. */
int64_t musc_music_seconds_to_ticks(const musc_music *music, double seconds);

/* Beats and downbeats inferred from the time signatures (4/4 if none, as
 * MusPy, and 4/4 before the first one): a beat lasts 4*resolution/denominator
 * ticks (so 6/8 counts eighths, as MusPy), a bar `numerator` beats, and each
 * time-signature change starts a new bar. Beat j of a segment lies at
 * round(j * 4*resolution/denominator) ticks from its start (halves to even,
 * as MusPy), so fractional beat lengths do not drift; a beat shorter than
 * one tick is stretched to one tick. Times in [0, end) where end is
 * musc_music_end_time(). On success *out is a malloc'd array of *n times
 * that the caller frees. `downbeats_only` nonzero gives bar starts
 * (barlines) only. MUSC_ERR_NOMEM on failure, MUSC_ERR_RANGE for more than
 * 2^28 beats. */
musc_status musc_music_beats(const musc_music *music, int downbeats_only,
                             int64_t **out, size_t *n);

/* Sustain-pedal intervals of a track from its control-64 events (value >= 64
 * down, < 64 up; a pedal still down at the end closes at the track's end
 * time). *out is malloc'd (caller frees); MUSC_ERR_NOMEM on failure. */
musc_status musc_track_pedals(const musc_track *track, musc_pedal **out, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
