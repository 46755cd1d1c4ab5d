/*
 * Automatic instrumentation by part separation (after Arranger, Dong et al.,
 * ISMIR 2021): the notes of all parts of a piece are merged into one stream
 * (the "mixture", as if played on one keyboard) and a model labels each note
 * with the part it belongs to.
 *
 * Data: a piece becomes a sequence of notes sorted by onset, then pitch, then
 * part, each with integer features for embedding (pitch, quantized duration,
 * beat in the bar, position in the beat) and a label (part index). Three
 * ensembles are known: Bach chorales (soprano, alto, tenor, bass), POP909
 * (melody, bridge, piano) and string quartets (violin 1, violin 2, viola,
 * cello). Pieces whose tracks do not match the ensemble exactly are dropped
 * (and counted). Splits are 8:1:1 by a hash of each file's path relative to
 * the folder scanned (prefixed by that folder's name), so they never depend
 * on the machine or the order files are listed.
 *
 * Models: a zone baseline (one fixed pitch range per part, the boundaries
 * that maximise training accuracy), a closest-pitch baseline (each note goes
 * to the part whose previous note is nearest in pitch), an online LSTM
 * (causal, usable note by note), an offline BiLSTM and an offline transformer
 * encoder (bidirectional self-attention over windows of the training
 * length, see musc_instrument_predict). Every model is saved
 * in the neural engine's checkpoint format with a JSON config whose "task"
 * is "instrument", so one loader serves all of them.
 */
#ifndef MUSC_INSTRUMENT_H
#define MUSC_INSTRUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"
#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MUSC_INSTR_MAX_PARTS 4

/* Feature vocabularies (codes are 0 .. size-1). */
#define MUSC_INSTR_PITCHES 128
#define MUSC_INSTR_DURATIONS 64  /* quantized duration, see musc_instrument_duration_code */
#define MUSC_INSTR_BEATS 16      /* beat index within the bar, clamped */
#define MUSC_INSTR_POSITIONS 12  /* position within the beat in twelfths */
#define MUSC_INSTR_HINT_RANGE 24 /* pitch hints: part mean - note pitch, clamped to +-24 */

typedef enum musc_instrument_ensemble {
    MUSC_INSTR_BACH = 0,  /* soprano, alto, tenor, bass */
    MUSC_INSTR_POP909 = 1,/* melody, bridge, piano */
    MUSC_INSTR_QUARTET = 2/* violin 1, violin 2, viola, cello */
} musc_instrument_ensemble;

/* Name used on the command line and in model configs ("bach", "pop909",
 * "quartet"), and the reverse (-1 if unknown). */
const char *musc_instrument_ensemble_name(musc_instrument_ensemble e);
int musc_instrument_ensemble_from_name(const char *name);
/* Number of parts and part i's name ("soprano", ...); NULL out of range. */
int musc_instrument_part_count(musc_instrument_ensemble e);
const char *musc_instrument_part_name(musc_instrument_ensemble e, int part);

typedef struct musc_instrument_note {
    int64_t time;     /* onset in ticks of the source */
    int64_t duration; /* ticks */
    int pitch;        /* 0..127 */
    int duration_code;/* 0..MUSC_INSTR_DURATIONS-1 */
    int beat;         /* beat within the bar, 0..MUSC_INSTR_BEATS-1 */
    int position;     /* 0..MUSC_INSTR_POSITIONS-1 */
    int entry;        /* entry hint: bit k set if part k's first onset is this note's onset */
    int label;        /* part index, or -1 when unknown (a mixture to label) */
} musc_instrument_note;

typedef struct musc_instrument_piece {
    char *name;  /* relative path it came from (owned), or NULL */
    int resolution;
    int n_parts; /* parts of the labelling (0 when unknown) */
    float mean_pitch[MUSC_INSTR_MAX_PARTS]; /* pitch hints: each part's mean pitch */
    musc_instrument_note *notes;
    size_t n_notes;
} musc_instrument_piece;

/* Quantized duration code of `duration` ticks at `resolution`: twelfths of a
 * quarter, exact up to two quarters, then 8 codes per doubling. */
int musc_instrument_duration_code(int64_t duration, int resolution);

/* The labelled sequence of a piece of the given ensemble: the tracks are
 * matched to the parts by name (Soprano/Alto/Tenor/Bass; MELODY/BRIDGE/PIANO;
 * violin I, violin II, viola, cello in that order), chords of a track count
 * as notes. On success *out is filled (free with musc_instrument_piece_clear).
 * MUSC_ERR_NOTFOUND when the tracks are not exactly the ensemble's parts
 * (the message says what was expected), MUSC_ERR_NOMEM. */
musc_status musc_instrument_extract(const musc_music *music, musc_instrument_ensemble e,
                                    musc_instrument_piece *out);

/* The mixture of all pitched notes (and chord notes) of all non-drum tracks,
 * unlabelled (label -1, no hints). MUSC_ERR_NOTFOUND when there is no
 * pitched note (an empty or drum-only piece), MUSC_ERR_NOMEM. */
musc_status musc_instrument_mixture(const musc_music *music, musc_instrument_piece *out);

void musc_instrument_piece_clear(musc_instrument_piece *piece);

/* Transpose a piece by `semitones`; notes leaving 0..127 are moved by
 * octaves back into range. Pitch hints move too. */
void musc_instrument_piece_transpose(musc_instrument_piece *piece, int semitones);

/* 0 train, 1 validation, 2 test for a relative path (8:1:1 by FNV-1a with a final avalanche). */
int musc_instrument_split_of(const char *relpath);

typedef struct musc_instrument_set {
    musc_instrument_piece *pieces;
    size_t n_pieces;
    size_t n_files;   /* files looked at in the split */
    size_t n_dropped; /* not the ensemble's parts */
    size_t n_failed;  /* could not be read */
} musc_instrument_set;

/* Load the pieces of one split (0, 1, 2; -1 = all) of the ensemble from
 * `dirs`: one folder or several separated by ':' (e.g. the four composer
 * folders of the quartets), scanned recursively for MIDI and MusicXML files
 * in sorted order. Unreadable files and files that are not the ensemble are
 * counted, not fatal. MUSC_ERR_IO (a folder cannot be read),
 * MUSC_ERR_NOTFOUND (no usable piece), MUSC_ERR_NOMEM. */
musc_status musc_instrument_load(const char *dirs, musc_instrument_ensemble e, int split,
                                 musc_instrument_set *out);
void musc_instrument_set_free(musc_instrument_set *set);

/* ------------------------------------------------------------------ models */

typedef enum musc_instrument_kind {
    MUSC_INSTR_ZONE = 0,
    MUSC_INSTR_CLOSEST = 1,
    MUSC_INSTR_LSTM = 2,  /* online: causal, 3 x 128 by default */
    MUSC_INSTR_BILSTM = 3, /* offline: 3 x 64 per direction by default */
    MUSC_INSTR_TRANSFORMER = 4 /* offline: pre-LN encoder, 3 layers x 96 wide, 4 heads */
} musc_instrument_kind;

const char *musc_instrument_kind_name(musc_instrument_kind k);
int musc_instrument_kind_from_name(const char *name);

typedef struct musc_instrument_model musc_instrument_model;

typedef struct musc_instrument_train_options {
    int steps;          /* optimizer steps (LSTM models); <= 0: 1500 */
    int batch;          /* sequences per step; <= 0: 16 */
    int seq_len;        /* training window in notes; <= 0: 256 */
    float lr;           /* peak learning rate; <= 0: 2e-3 */
    int layers, hidden; /* <= 0: 3 and 128 (LSTM) or 64 (BiLSTM, per direction) */
    int embed;          /* embedding width; <= 0: 128 */
    int hints;          /* nonzero: entry and pitch hints as inputs */
    int transpose;      /* nonzero: random transposition -5..+6 while training */
    float dropout;      /* between LSTM layers; < 0: 0.1 */
    uint64_t seed;
    /* Progress: called every `log_every` steps (if set) with the step,
     * training loss, and validation accuracy (< 0 when not measured). */
    int log_every;
    void (*progress)(void *ctx, int step, double loss, double val_acc, double seconds);
    void *ctx;
    /* Transformer only: attention heads (<= 0: 4). Its width is `hidden`
     * (<= 0: 96; the embeddings take the same width, `embed` is ignored),
     * its feed-forward width 4 x hidden, and seq_len is also its window at
     * inference. */
    int heads;
} musc_instrument_train_options;

musc_instrument_train_options musc_instrument_train_defaults(void);

/* Fit a model of `kind` for ensemble `e` on `train` (and, for the LSTM
 * models, report validation accuracy on `valid`, which may be NULL).
 * MUSC_ERR_ARG (no notes, a piece with another part count), MUSC_ERR_NOMEM. */
musc_status musc_instrument_train(musc_instrument_kind kind, musc_instrument_ensemble e,
                                  const musc_instrument_set *train,
                                  const musc_instrument_set *valid,
                                  const musc_instrument_train_options *opt,
                                  musc_instrument_model **out);

/* Save to a checkpoint file (overwriting) / load one. Loading checks that the
 * config's task is "instrument" and that the ensemble, part count and model
 * kind are known: otherwise MUSC_ERR_FORMAT naming what was expected. */
musc_status musc_instrument_save(const musc_instrument_model *m, const char *path);
musc_status musc_instrument_load_model(const char *path, musc_instrument_model **out);
void musc_instrument_model_free(musc_instrument_model *m);

musc_instrument_kind musc_instrument_model_kind(const musc_instrument_model *m);
musc_instrument_ensemble musc_instrument_model_ensemble(const musc_instrument_model *m);
int musc_instrument_model_parts(const musc_instrument_model *m);
/* Nonzero when the model uses only past notes (zone, closest, LSTM; not
 * the BiLSTM or the transformer). */
int musc_instrument_model_online(const musc_instrument_model *m);
/* Nonzero when the model wants hints (then the piece must carry them). */
int musc_instrument_model_hints(const musc_instrument_model *m);

/* Label every note of `piece`: labels[i] receives a part index. For a
 * piece without hints (a mixture), a model that wants hints uses the
 * training means. The transformer sees at most its training window W of
 * notes at once: a longer piece is cut into windows of W notes starting
 * every W/2 notes (the last one ending at the last note), and each note
 * takes its label from the window whose centre is nearest to it, so every
 * note has at least W/4 notes of context on each side except near the
 * piece's ends. MUSC_ERR_NOMEM, MUSC_ERR_ARG. */
musc_status musc_instrument_predict(musc_instrument_model *m, const musc_instrument_piece *piece,
                                    int *labels);

/* Note-level evaluation. confusion[t * n_parts + p] counts notes of true
 * part t predicted as p. */
typedef struct musc_instrument_eval {
    int n_parts;
    size_t n_notes, n_correct;
    size_t confusion[MUSC_INSTR_MAX_PARTS * MUSC_INSTR_MAX_PARTS];
} musc_instrument_eval;

musc_status musc_instrument_evaluate(musc_instrument_model *m, const musc_instrument_set *set,
                                     musc_instrument_eval *out);

/* A multitrack score from a piece and its labels: one named track per part
 * with a General MIDI program (Bach: choir aahs, or strings when `strings`
 * is nonzero), tempos, key and time signatures copied from `source` (may be
 * NULL). NULL when out of memory (message set). */
musc_music *musc_instrument_arrange(const musc_instrument_piece *piece, const int *labels,
                                    musc_instrument_ensemble e, int strings,
                                    const musc_music *source);

/* ------------------------------------------------------------ live use
 * Label a performance note by note with an online model (the LSTM, or the
 * zone baseline): create a stream from a model, push each note as it
 * arrives (in the order musc_instrument_extract / _mixture sort them: by
 * onset, then pitch) and get its part at once; the network's state is
 * carried inside the stream. The labels equal musc_instrument_predict's on
 * the same notes treated as a mixture (for a model with hints: no entry
 * hints and the training mean pitches). The model must outlive the stream
 * and is only read, so one model can serve several streams (one per
 * thread). A note needs pitch, duration_code, beat and position (see
 * musc_instrument_duration_code); time, duration and label are ignored. */
typedef struct musc_instrument_stream musc_instrument_stream;

/* A new stream at the start of a piece. MUSC_ERR_ARG for a model that is
 * not online-capable note by note (closest pitch assigns an onset's notes
 * jointly; the BiLSTM and transformer need the future), MUSC_ERR_NOMEM. */
musc_status musc_instrument_stream_new(const musc_instrument_model *m,
                                       musc_instrument_stream **out);
/* Label the next note: *part receives its part index. MUSC_ERR_RANGE for a
 * feature code out of range (the stream is unchanged), MUSC_ERR_ARG. */
musc_status musc_instrument_stream_push(musc_instrument_stream *s,
                                        const musc_instrument_note *note, int *part);
/* Forget the notes pushed so far (a new piece). */
void musc_instrument_stream_reset(musc_instrument_stream *s);
void musc_instrument_stream_free(musc_instrument_stream *s);

#ifdef __cplusplus
}
#endif
#endif
