/*
 * Representations: turning a music into arrays a model reads, and back.
 *
 * MusPy's four (pitch-based, event-based, note-based, piano-roll) follow
 * MusPy 0.5 with its defaults, so token streams are comparable: every note
 * of every track (drums included) is merged into one stream sorted by (time,
 * pitch, duration, velocity), and decoding gives a music with one track.
 * No resolution change happens: times are the music's ticks (MusPy's
 * default resolution is 24). MMT's representation (below) is bit-exact with
 * the Multitrack Music Transformer's data pipeline.
 *
 * Each representation has an options struct with a _default() constructor
 * that holds both the encoding choices and what a decoder needs (resolution,
 * program, drum flag, default velocity). Encoders write a malloc'd array the
 * caller frees with free(); decoders return a new music the caller frees
 * with musc_music_free(). On error nothing is returned (outputs are NULL
 * and counts 0) and musc_errmsg() says why.
 *
 * Deviations from MusPy, each deliberate (MusPy's behaviour in brackets):
 *  - Empty music encodes to an empty array (length 0, or only the
 *    end-of-sequence event when it is on) [RuntimeError "No notes found"].
 *  - Pitch-based without hold state fills rests with 128, as documented
 *    [the array starts at 0, so rests read back as pitch 0].
 *  - Pitch-based with hold state decodes every pitch token as a new onset,
 *    so repeated notes of one pitch survive a round trip [a run of equal
 *    pitch tokens is one note].
 *  - Pitch-based skips zero-length notes (they occupy no step) [writes the
 *    pitch at the onset with hold state, and fails with an IndexError when
 *    such a note sits at the end]. Decoders treat out-of-range tokens as
 *    rests [they become invalid notes].
 *  - Event-based encoding refuses invalid notes (pitch or velocity out of
 *    range, negative time or duration) with MUSC_ERR_RANGE [MusPy emits
 *    codes of other event kinds]. Otherwise it is MusPy code for code: a
 *    transcription of MusPy 0.5's encoder and decoder agreed with musc on
 *    300 random polyphonic pieces under random option sets.
 *  - Note-based decoding rejects rows that make an invalid note (pitch or
 *    velocity out of range, negative time or duration) with MUSC_ERR_RANGE
 *    [MusPy builds the invalid note].
 */
#ifndef MUSC_REPR_H
#define MUSC_REPR_H

#include <stddef.h>
#include <stdint.h>

#include "musc/io.h"
#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits that keep a hostile or absurd music (a note at tick 10^12) from
 * exhausting memory: the pitch-based and piano-roll encoders refuse more
 * than MUSC_REPR_MAX_STEPS time steps, the event-based and REMI encoders
 * more than MUSC_REPR_MAX_TOKENS tokens (MUSC_ERR_RANGE). */
#define MUSC_REPR_MAX_STEPS ((int64_t)1 << 23)
#define MUSC_REPR_MAX_TOKENS ((size_t)1 << 26)

/* ---- pitch-based (MusPy to_pitch_representation) ---------------------------
 * One token per time step, for monophonic music: 0..127 a sounding pitch,
 * 128 a rest, 129 a hold (only with use_hold_state: the onset step holds the
 * pitch and the following steps of the note hold 129). Length = latest note
 * end. Polyphony is not refused: a later note (in sorted order) overwrites
 * the steps of an earlier one, as in MusPy. Without hold state, consecutive
 * notes of one pitch merge into one note when decoded. */
#define MUSC_PITCH_REST 128
#define MUSC_PITCH_HOLD 129

typedef struct musc_pitch_options {
    int use_hold_state;   /* default 0 */
    /* decoding */
    int resolution;       /* default 24 */
    int program;          /* default 0 */
    int is_drum;          /* default 0 */
    int default_velocity; /* default 64 */
} musc_pitch_options;

musc_pitch_options musc_pitch_options_default(void);

/* Encode into *tokens (malloc'd, *n entries). options may be NULL
 * (defaults). Errors: MUSC_ERR_ARG, MUSC_ERR_RANGE (an invalid note, or
 * more than MUSC_REPR_MAX_STEPS steps), MUSC_ERR_NOMEM. */
musc_status musc_pitch_encode(const musc_music *music, const musc_pitch_options *options,
                              int32_t **tokens, size_t *n);

/* Decode tokens into a new one-track music (velocity default_velocity).
 * Errors: MUSC_ERR_ARG (bad options), MUSC_ERR_NOMEM. */
musc_status musc_pitch_decode(const int32_t *tokens, size_t n,
                              const musc_pitch_options *options, musc_music **out);

/* ---- event-based (MusPy to_event_representation) ---------------------------
 * Codes, in MusPy's default layout: note-on 0..127, note-off 128..255 (or
 * one code 128 that closes every sounding note with
 * use_single_note_off_event), time-shift k ticks (1..max_time_shift) at
 * off+k-1 where off = 256 (129 with the single note-off), velocity bin b at
 * off+max_time_shift+b, then the end-of-sequence code after the velocity
 * bins when it is on. Defaults give 388 codes: shifts 256..355, velocities
 * 356..387. A velocity v falls in bin floor(v*bins/128) and decodes to
 * floor(bin*128/bins). Gaps longer than max_time_shift become several
 * shifts. Events at one time keep the order in which they were generated:
 * note by note (velocity, note-on at the start, note-off at the end), then
 * a stable sort on time. Decoding skips unknown codes and note-offs with no
 * sounding note, and drops notes still sounding at the end (MusPy). */
typedef struct musc_event_options {
    int use_single_note_off_event; /* default 0 */
    int use_end_of_sequence_event; /* default 0 */
    int encode_velocity;           /* default 0 (MusPy's encoder default) */
    int force_velocity_event;      /* default 1: a velocity before every note-on;
                                      0: only when the bin changes */
    int max_time_shift;            /* default 100, >= 1 */
    int velocity_bins;             /* default 32, 1..128 */
    /* decoding */
    int resolution;                /* default 24 */
    int program;                   /* default 0 */
    int is_drum;                   /* default 0 */
    int default_velocity;          /* default 64: before any velocity event */
    int duplicate_note_mode;       /* musc_overlap, default MUSC_OVERLAP_FIFO */
} musc_event_options;

musc_event_options musc_event_options_default(void);

/* Number of codes the options give (388 by default). */
size_t musc_event_vocab_size(const musc_event_options *options);

/* Encode into *tokens (malloc'd, *n codes). Errors: MUSC_ERR_ARG,
 * MUSC_ERR_RANGE (an invalid note, or more than MUSC_REPR_MAX_TOKENS
 * codes), MUSC_ERR_NOMEM. */
musc_status musc_event_encode(const musc_music *music, const musc_event_options *options,
                              int32_t **tokens, size_t *n);

/* Decode codes into a new one-track music. Stops at the end-of-sequence
 * code when it is on. Errors: MUSC_ERR_ARG, MUSC_ERR_NOMEM. */
musc_status musc_event_decode(const int32_t *tokens, size_t n,
                              const musc_event_options *options, musc_music **out);

/* ---- note-based (MusPy to_note_representation) -----------------------------
 * One row per note, sorted: (time, pitch, duration, velocity), or (time,
 * pitch, end, velocity) with use_start_end; without encode_velocity the
 * velocity column is absent (3 columns) and decoding uses
 * default_velocity. */
typedef struct musc_note_repr_options {
    int use_start_end;    /* default 0 */
    int encode_velocity;  /* default 1 */
    /* decoding */
    int resolution;       /* default 24 */
    int program;          /* default 0 */
    int is_drum;          /* default 0 */
    int default_velocity; /* default 64 */
} musc_note_repr_options;

musc_note_repr_options musc_note_repr_options_default(void);

/* Columns per row the options give (3 or 4). */
size_t musc_note_repr_columns(const musc_note_repr_options *options);

/* Encode into *rows (malloc'd, row-major, *n_rows x columns). Errors:
 * MUSC_ERR_ARG, MUSC_ERR_NOMEM. */
musc_status musc_note_repr_encode(const musc_music *music,
                                  const musc_note_repr_options *options, int64_t **rows,
                                  size_t *n_rows);

/* Decode n_rows rows (row-major, columns per the options) into a new
 * one-track music with notes sorted. Errors: MUSC_ERR_ARG, MUSC_ERR_RANGE
 * (a row makes an invalid note; the message names the row), MUSC_ERR_NOMEM. */
musc_status musc_note_repr_decode(const int64_t *rows, size_t n_rows,
                                  const musc_note_repr_options *options, musc_music **out);

/* ---- piano-roll (MusPy to_pianoroll_representation) ------------------------
 * A T x 128 array, row-major (time, pitch): T = latest note end + 1 (MusPy's
 * length). With encode_velocity a cell holds the velocity of the note
 * sounding there (a later note in sorted order overwrites an earlier one),
 * else 1 where a note with velocity > 0 sounds. Decoding makes one note
 * per run of nonzero cells of a pitch: velocity = the run's first cell with
 * encode_velocity, else default_velocity. Notes of one pitch that touch
 * merge, and zero-length notes vanish (as in MusPy). */
typedef struct musc_pianoroll_options {
    int encode_velocity;  /* default 1 */
    /* decoding */
    int resolution;       /* default 24 */
    int program;          /* default 0 */
    int is_drum;          /* default 0 */
    int default_velocity; /* default 64 */
} musc_pianoroll_options;

musc_pianoroll_options musc_pianoroll_options_default(void);

/* Encode into *roll (malloc'd, *n_steps x 128 bytes). Errors: MUSC_ERR_ARG,
 * MUSC_ERR_RANGE (an invalid note, or more than MUSC_REPR_MAX_STEPS steps),
 * MUSC_ERR_NOMEM. */
musc_status musc_pianoroll_encode(const musc_music *music,
                                  const musc_pianoroll_options *options, uint8_t **roll,
                                  size_t *n_steps);

/* Decode a n_steps x 128 roll into a new one-track music. Velocities above
 * 127 are clipped to 127. Errors: MUSC_ERR_ARG, MUSC_ERR_NOMEM. */
musc_status musc_pianoroll_decode(const uint8_t *roll, size_t n_steps,
                                  const musc_pianoroll_options *options, musc_music **out);

/* Paint one list of notes onto a zeroed n_steps x 128 roll as the encoder
 * does (notes in the given order; later ones overwrite). Cells at or past
 * n_steps are skipped. Exposed for the .npz writer and for plotting. */
void musc_pianoroll_paint(const musc_note *notes, size_t n, int encode_velocity,
                          uint8_t *roll, size_t n_steps);

/* ---- MMT (Multitrack Music Transformer, Dong et al. 2023) -------------------
 * A song is a sequence of rows of six codes (type, beat, position, pitch,
 * duration, instrument), 0 meaning "none" in every field:
 *   type        0 start-of-song, 1 instrument, 2 start-of-notes, 3 note,
 *               4 end-of-song                                 (5 codes)
 *   beat        beat + 1, beats of one quarter note           (max_beat + 1)
 *   position    tick within the beat + 1, 12 ticks per beat   (13)
 *   pitch       pitch + 1                                     (129)
 *   duration    index + 1 of the nearest of 32 known lengths  (33)
 *   instrument  one of 64 classes, + 1                        (65, or 66
 *               with keep_drums)
 * Layout: start-of-song, one instrument row per instrument used (sorted by
 * code), start-of-notes, the notes, end-of-song.
 *
 * Encoding reproduces MMT's pipeline bit for bit (convert_*.py, extract.py,
 * representation.py, dataset.py without augmentation):
 *  1. the music is rescaled to 12 ticks per quarter like MusPy's
 *     adjust_resolution (start and end mapped with round-half-even in
 *     double precision, duration = end - start) and a duration that
 *     became 0 is set to 1;
 *  2. drum tracks and tracks whose program has no MMT class (76-78, 96-103,
 *     112-116, 120-127) are dropped, unless keep_drums;
 *  3. notes become tuples (beat, position, pitch, duration, program), beat
 *     = time / 12, position = time % 12; exact duplicates are removed and
 *     the tuples sorted, which orders notes by (beat, position, pitch, raw
 *     duration, GM program), not by the snapped duration or the class;
 *  4. with shift_to_first_beat the first note's beat becomes beat 0
 *     (extract.py does this for every training piece);
 *  5. notes at beat >= max_beat are dropped (dataset.py's trim; MMT trains
 *     with max_beat 256, so beat codes run 1..256 and the field has 257);
 *  6. durations snap to the nearest known length (ties to the shorter;
 *     longer than 384 becomes 384; 0 becomes 1) and programs fold to
 *     their class; instrument rows list the classes of the kept notes;
 *  7. with max_seq_len > 0 a longer sequence keeps its first
 *     max_seq_len - 1 rows and the end-of-song row (dataset.py).
 * Note that distinct notes can encode to identical rows (two programs of
 * one class, or two raw durations that snap alike); MMT keeps both, and
 * so does musc. Velocity, tempo, key and meter are not encoded.
 *
 * Drums: MMT drops every drum track. With keep_drums, drum notes are kept
 * as instrument class 65 (MUSC_MMT_DRUMS), sorted after every GM program;
 * such sequences are not MMT-compatible (the instrument field has 66
 * codes).
 *
 * Decoding follows MMT's decode(): a music at resolution 12 with one tempo
 * (qpm, 100 by default), one track per program present, sorted by
 * program, each class mapped back to one canonical program (e.g. strings
 * -> 49), notes in sequence order with velocity 64; the drum class gives
 * a drum track, placed last. Rows of type 0-2 are skipped and the first
 * end-of-song row ends decoding. Deviations: a note row with a field of 0
 * or out of range is skipped [MMT fails]; a type code outside 0..4 is
 * MUSC_ERR_FORMAT [ValueError]. */
#define MUSC_MMT_RESOLUTION 12
#define MUSC_MMT_FIELDS 6
#define MUSC_MMT_N_DURATIONS 32
#define MUSC_MMT_N_INSTRUMENTS 64
#define MUSC_MMT_DRUMS 65 /* instrument code of drums under keep_drums */

enum {
    MUSC_MMT_START_OF_SONG = 0,
    MUSC_MMT_INSTRUMENT = 1,
    MUSC_MMT_START_OF_NOTES = 2,
    MUSC_MMT_NOTE = 3,
    MUSC_MMT_END_OF_SONG = 4
};

typedef struct musc_mmt_options {
    int max_beat;            /* default 256; notes at beat >= max_beat are dropped */
    int keep_drums;          /* default 0 (MMT drops drums) */
    int shift_to_first_beat; /* default 0; 1 = start at the first note's beat */
    size_t max_seq_len;      /* default 0 = no limit; MMT trains with 1024 */
    double qpm;              /* decoding: tempo of the result, default 100 */
} musc_mmt_options;

musc_mmt_options musc_mmt_options_default(void);

/* A note as MMT's pipeline keeps it between extraction and encoding
 * (MMT's extract_notes rows): 12 ticks per beat, raw duration in ticks,
 * GM program, or MUSC_MMT_DRUM_PROGRAM for drums under keep_drums. */
typedef struct musc_mmt_note {
    int64_t beat, position, pitch, duration, program;
} musc_mmt_note;

#define MUSC_MMT_DRUM_PROGRAM 128

/* Steps 1-4 above: rescale, drop, de-duplicate, sort and (optionally)
 * shift. *notes is malloc'd (NULL when empty); the caller frees it. Useful
 * for MMT's load-time augmentation (pitch shift, random beat window)
 * before musc_mmt_encode_notes. Errors: MUSC_ERR_ARG, MUSC_ERR_RANGE (an
 * invalid note), MUSC_ERR_NOMEM. */
musc_status musc_mmt_extract(const musc_music *music, const musc_mmt_options *options,
                             musc_mmt_note **notes, size_t *n);

/* Steps 5-7 above on notes in MMT's order (musc_mmt_extract's output,
 * possibly edited; the order given is kept). Errors: MUSC_ERR_ARG,
 * MUSC_ERR_RANGE (a note with a field out of range or a program without
 * a class), MUSC_ERR_NOMEM. */
musc_status musc_mmt_encode_notes(const musc_mmt_note *notes, size_t n,
                                  const musc_mmt_options *options, int32_t **codes,
                                  size_t *n_rows);

/* Vocabulary size of each field under the options: {5, max_beat + 1, 13,
 * 129, 33, 65 (66 with keep_drums)}. */
void musc_mmt_field_sizes(const musc_mmt_options *options, int sizes[MUSC_MMT_FIELDS]);

/* Encode into *codes: malloc'd, row-major, *n_rows x MUSC_MMT_FIELDS. A
 * music without encodable notes gives 3 rows (start-of-song,
 * start-of-notes, end-of-song). Errors: MUSC_ERR_ARG (max_beat < 1,
 * max_seq_len in 1..2), MUSC_ERR_NOMEM. */
musc_status musc_mmt_encode(const musc_music *music, const musc_mmt_options *options,
                            int32_t **codes, size_t *n_rows);

/* Decode n_rows rows into a new music (see above). Errors: MUSC_ERR_ARG,
 * MUSC_ERR_FORMAT (unknown type code, naming the row), MUSC_ERR_NOMEM. */
musc_status musc_mmt_decode(const int32_t *codes, size_t n_rows,
                            const musc_mmt_options *options, musc_music **out);

/* The instrument code (1..64) of a GM program, 0 if MMT has no class for it
 * (or the program is out of range). */
int musc_mmt_instrument_of_program(int program);

/* The canonical GM program of an instrument code 1..64, -1 otherwise. */
int musc_mmt_program_of_instrument(int code);

/* MMT's name of an instrument code ("piano", ...; "drums" for
 * MUSC_MMT_DRUMS), NULL for other codes. */
const char *musc_mmt_instrument_name(int code);

/* The duration code (1..32) of a length in 1/12-quarter ticks: nearest
 * known length, ties to the shorter, <= 0 -> 1, > 384 -> 32. */
int musc_mmt_duration_code(int64_t duration);

/* The length in ticks of a duration code 1..32, 0 otherwise. */
int musc_mmt_duration_of_code(int code);

/* ---- REMI (Huang & Yang 2020), with REMI+'s program tokens -----------------
 * Music on a grid of `ppq` positions per quarter note, bar by bar:
 *   Bar [TimeSig] { Position [Tempo] [Chord] { [Program] Pitch Velocity
 *   Duration } }
 * A Bar token opens every bar, empty ones included. Bars follow the time
 * signatures (4/4 when there are none); a signature change that does not
 * fall on a barline takes effect at the next barline. Notes at one
 * position are ordered by (program, pitch, duration, velocity); drums use
 * program token 128.
 *
 * Vocabulary (token ids, in this order; sizes with the defaults):
 *   0 PAD, 1 BOS, 2 EOS, 3 Bar
 *   Position_p       p = 0 .. 16*ppq - 1 (bars up to 16 quarters)      64
 *   TimeSig_n/d      d in {2, 4, 8, 16} (outer), n = 1..16 (inner)     64
 *   Tempo_i          n_tempos values evenly spaced in [tempo_min,
 *                    tempo_max]; a tempo takes the nearest              32
 *   Chord_r:q        root r = 0..11 (C = 0, outer), quality q in
 *                    maj, min, dim, aug, dom7 (inner)                   60
 *   Program_p        p = 0..127, 128 = drums                           129
 *   Pitch_p          p = 0..127                                        128
 *   Velocity_b       b = floor(v * n_velocities / 128); decodes to the
 *                    middle of the bin                                  32
 *   Duration_k       k = 1..max_duration positions (longer notes are
 *                    clipped, shorter than one position become 1)       64
 * Default total 577; musc_remi_vocab() gives every offset for other
 * options and musc_remi_token_name() names any token.
 *
 * Times are rounded to the grid (halves up); tempos at one position keep
 * the last. Chords come from the music's annotations of kind
 * MUSC_ANN_CHORD whose text parses as a chord symbol: root A-G with # or
 * b, then "", "maj", "M", "maj7", "M7", "6" (major), "m", "min", "-",
 * "m7", "min7", "m6" (minor), "dim", "o", "dim7", "m7b5" (diminished),
 * "aug", "+" (augmented), "7", "9", "dom7" (dominant), optionally after
 * a colon ("C:maj"); other texts are skipped. Decoding writes them back as
 * "C:maj", "A:min", ... annotations.
 *
 * Decoding gives a music at resolution ppq: one track per program (sorted
 * by program, drums last) or, without use_programs, one track with
 * `program`; a Pitch starts a note, Velocity sets its velocity
 * (default_velocity when absent) and Duration ends it; tokens out of place
 * are skipped, so any token sequence decodes. */
typedef struct musc_remi_options {
    int ppq;                 /* positions per quarter note, default 4 (16 per 4/4 bar), 1..96 */
    int max_duration;        /* longest Duration token in positions, default 64 */
    int n_velocities;        /* velocity bins, default 32, 1..128 */
    int n_tempos;            /* tempo values, default 32, >= 1 */
    double tempo_min;        /* default 40 qpm */
    double tempo_max;        /* default 250 qpm */
    int use_programs;        /* default 1: Program tokens, one track per program */
    int use_tempos;          /* default 1 */
    int use_chords;          /* default 0 */
    int use_time_signatures; /* default 1 */
    int use_bos_eos;         /* default 0: BOS first and EOS last */
    /* decoding */
    int program;             /* track program without use_programs, default 0 */
    int default_velocity;    /* default 64 */
} musc_remi_options;

/* Token id offsets and counts of one configuration. */
typedef struct musc_remi_vocab {
    int32_t bar, position, time_sig, tempo, chord, program, pitch, velocity, duration;
    int32_t n_positions, n_time_sigs, n_tempos, n_chords, n_programs, n_velocities,
        n_durations;
    int32_t size;
} musc_remi_vocab;

#define MUSC_REMI_PAD 0
#define MUSC_REMI_BOS 1
#define MUSC_REMI_EOS 2

musc_remi_options musc_remi_options_default(void);

/* Fill *vocab for the options. MUSC_ERR_ARG for invalid options. */
musc_status musc_remi_vocab_of(const musc_remi_options *options, musc_remi_vocab *vocab);

/* Name of a token ("Bar", "Position_3", "TimeSig_3/4", "Tempo_120.3",
 * "Chord_A:min", "Program_128", "Pitch_60", "Velocity_16", "Duration_4")
 * written into buf (always NUL-terminated); "Unknown" for ids outside the
 * vocabulary. Returns buf. */
const char *musc_remi_token_name(const musc_remi_options *options, int32_t token, char *buf,
                                 size_t size);

/* Encode into *tokens (malloc'd, *n tokens). Errors: MUSC_ERR_ARG (bad
 * options), MUSC_ERR_RANGE (an invalid note, or more than
 * MUSC_REPR_MAX_TOKENS tokens), MUSC_ERR_UNSUPPORTED (a bar longer than 16
 * quarters or a time signature without a token), MUSC_ERR_NOMEM. */
musc_status musc_remi_encode(const musc_music *music, const musc_remi_options *options,
                             int32_t **tokens, size_t *n);

/* Decode tokens into a new music (see above). Stops at EOS. Errors:
 * MUSC_ERR_ARG, MUSC_ERR_NOMEM. */
musc_status musc_remi_decode(const int32_t *tokens, size_t n, const musc_remi_options *options,
                             musc_music **out);

#ifdef __cplusplus
}
#endif
#endif
