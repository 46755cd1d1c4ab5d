/*
 * Melody harmonization: one triad (or no-chord) per frame of a melody,
 * after Yeh et al. (JNMR 2021).
 *
 * A melody becomes a musc_harmony_piece: its notes made monophonic, frames
 * (half bars by default, or beats, or bars, from the time signatures) and,
 * when the file has chord symbols, the human chord of each frame (the
 * symbol sounding longest in it, reduced to the 48 triads of
 * musc_triad_parse; no-chord before the first symbol).
 *
 * Three methods (the BiLSTM is described further down, beside its
 * functions), all key-transposition-aware: each piece is moved by its
 * key_shift to the key signature without sharps or flats (C major / A
 * minor and their modes), decoded there, and moved back.
 *  - template matching: per frame the triad whose three pitch classes cover
 *    the most melody duration; ties go to the chord with the higher prior
 *    (the model's chord frequencies when a model is given, else a fixed
 *    diatonic ranking I V IV vi ii iii III); a frame without melody keeps
 *    the previous chord.
 *  - HMM: hidden chords with initial and transition counts from training
 *    data (one table into frames that start a bar, one into frames inside
 *    a bar, since chords change mostly at bar lines), and emissions that score the frame's duration-weighted melody
 *    pitch-class histogram d (in quarter notes) as
 *    w * sum_k d_k log E_q((k - root) mod 12), E_q one distribution per
 *    triad quality (plus one, key-relative, for no-chord); add-one
 *    smoothing everywhere; Viterbi decoding. The weight w is chosen on
 *    held-out pieces (musc_harmonizer_tune). Decoding is Viterbi's (the
 *    best sequence) or, as MUSC_HARMONIZE_HMM_POSTERIOR, each frame's
 *    most probable chord (more frames right, more chord changes).
 *
 * Model file (text, UTF-8, '#' starts a comment line):
 *   musc-harmony-hmm 1
 *   emission_weight W
 *   pieces N
 *   initial c_0 ... c_48                 (49 counts)
 *   transition bar i c_0 ... c_48        (from chord i into a frame that
 *                                         starts a bar; one line per i)
 *   transition inside i c_0 ... c_48     (the same into other frames)
 *   emission q e_0 ... e_11              (q = maj min dim aug none;
 *                                         quarter notes of melody at each
 *                                         interval above the root, or at
 *                                         each pitch class for none)
 * Counts are raw (smoothing happens on load), in the key of C.
 */
#ifndef MUSC_HARMONIZE_H
#define MUSC_HARMONIZE_H

#include <stddef.h>
#include <stdint.h>

#include "musc/metrics.h"
#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum musc_harmony_rate {
    MUSC_HARMONY_HALF_BAR = 0,
    MUSC_HARMONY_BEAT = 1,
    MUSC_HARMONY_BAR = 2
} musc_harmony_rate;

typedef enum musc_harmonize_method {
    MUSC_HARMONIZE_TEMPLATE = 0,
    MUSC_HARMONIZE_HMM = 1,          /* Viterbi: the most likely chord sequence */
    MUSC_HARMONIZE_HMM_POSTERIOR = 2, /* per frame the chord of highest posterior
                                        probability (forward-backward) */
    MUSC_HARMONIZE_BILSTM = 3,        /* the BiLSTM's most probable chord per frame */
    MUSC_HARMONIZE_BILSTM_VITERBI = 4, /* Viterbi over the BiLSTM's log probabilities
                                         plus the HMM's weighted transitions */
    MUSC_HARMONIZE_BILSTM_PRIOR = 5   /* per frame the chord maximizing log p(c | melody)
                                         - w log p(c), p(c) the HMM's chord frequencies:
                                         rarer chords get a chance (more variety, CHE
                                         and CC nearer the human values) */
} musc_harmonize_method;

typedef enum musc_accompaniment {
    MUSC_ACCOMP_BLOCK = 0,    /* bass root + a three-note chord held per frame */
    MUSC_ACCOMP_ARPEGGIO = 1, /* bass root, then the chord broken in eighths */
    MUSC_ACCOMP_NONE = 2
} musc_accompaniment;

typedef struct musc_harmony_piece {
    musc_note *melody; /* n_notes, onset order, monophonic; owned */
    size_t n_notes;
    int64_t *frames;   /* n_frames + 1 increasing bounds; owned */
    size_t n_frames;
    int *chords;       /* n_frames human classes, or NULL without chord symbols; owned */
    int resolution;
    int key_shift;     /* 0..11: semitones up that move the piece to no sharps or flats */
    unsigned char *bar_start; /* n_frames: 1 where a frame starts a bar; owned */
} musc_harmony_piece;

/* The melody track: the non-drum track with the most notes (the first of
 * equals). MUSC_ERR_NOTFOUND with a message when there is none (no tracks,
 * only drums, no notes). */
musc_status musc_harmony_melody_track(const musc_music *music, int *track);

/* Build a piece from track `track` of `music` (-1: musc_harmony_melody_track).
 * Notes at one onset keep the highest; each note is cut at the next onset.
 * key_shift comes from the first key signature, else from the best of the
 * 24 Krumhansl-Kessler key profiles against the melody. Errors:
 * MUSC_ERR_NOTFOUND (no melody), MUSC_ERR_ARG (bad track index or a drum
 * track), MUSC_ERR_RANGE (more than 2^24 frames), MUSC_ERR_NOMEM. *out is
 * zeroed on error; release it with musc_harmony_piece_clear(). */
musc_status musc_harmony_piece_from_music(const musc_music *music, int track,
                                          musc_harmony_rate rate, musc_harmony_piece *out);

/* The same with the beats and bar starts given (sorted ticks), as POP909's
 * beat files give them, instead of from the time signatures. Time before
 * the first bar start is one frame of its own (a pickup). */
musc_status musc_harmony_piece_from_grid(const musc_music *music, int track,
                                         musc_harmony_rate rate, const int64_t *beats,
                                         size_t n_beats, const int64_t *downbeats,
                                         size_t n_downbeats, musc_harmony_piece *out);

void musc_harmony_piece_clear(musc_harmony_piece *piece);

/* POP909's chord files (chord_midi.txt, chord_audio.txt): lines of
 * "START END LABEL" (seconds, whitespace-separated; labels like "C#:maj",
 * "N"). Adds each label as a music-level MUSC_ANN_CHORD annotation at START
 * (through the music's tempo map), and "N" where a gap separates a chord's
 * END from the next START. Blank lines are skipped. Errors: MUSC_ERR_FORMAT
 * naming the line (a missing field, a time that is not a finite number >= 0,
 * END before START), MUSC_ERR_NOMEM; the music is then unchanged. */
musc_status musc_harmony_read_chord_lab(const char *text, size_t size, musc_music *music);

/* POP909's beat files (beat_midi.txt): lines of "TIME A B" (seconds, then
 * two flags; B = 1 marks a bar start). *beats and *downbeats receive the
 * times in ticks through the music's tempo map (malloc'd; the caller frees
 * both). Errors: MUSC_ERR_FORMAT naming the line, MUSC_ERR_NOMEM. */
musc_status musc_harmony_read_beat_lab(const char *text, size_t size, const musc_music *music,
                                       int64_t **beats, size_t *n_beats, int64_t **downbeats,
                                       size_t *n_downbeats);

/* ---- the HMM -------------------------------------------------------------- */

typedef struct musc_harmonizer musc_harmonizer; /* opaque */

/* Count the statistics of `n` pieces (pieces without human chords are
 * skipped). On success *out is a new model (emission weight 1); free with
 * musc_harmonizer_free(). MUSC_ERR_ARG when no piece has chords,
 * MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_train(const musc_harmony_piece *pieces, size_t n,
                                  musc_harmonizer **out);

/* Choose the emission weight among 0.25, 0.5, 1, 2, 4 that gives the best
 * frame accuracy of HMM decoding on `pieces` (held-out data with human
 * chords), keep it in the model and return it in *weight (may be NULL).
 * With no usable piece the weight is left as it is. MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_tune(musc_harmonizer *model, const musc_harmony_piece *pieces,
                                 size_t n, double *weight);

double musc_harmonizer_emission_weight(const musc_harmonizer *model);
size_t musc_harmonizer_pieces(const musc_harmonizer *model);

/* Read a model from text in memory or a file. Errors: MUSC_ERR_FORMAT
 * naming the line and what was expected (a file that does not start with
 * "musc-harmony-hmm 1" is "not a harmonization model"), MUSC_ERR_IO,
 * MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_read_mem(const char *text, size_t size, musc_harmonizer **out);
musc_status musc_harmonizer_read(const char *path, musc_harmonizer **out);

/* Write a model (atomically; MUSC_ERR_EXISTS if `path` exists and
 * !overwrite). MUSC_ERR_IO, MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_write(const musc_harmonizer *model, const char *path, int overwrite);

void musc_harmonizer_free(musc_harmonizer *model);

/* ---- decoding ------------------------------------------------------------- */

/* Harmonize a piece: chords[0..n_frames) receives one class per frame.
 * `model` is required for the HMM methods and optional for the template
 * (its prior). Errors: MUSC_ERR_ARG (no model for the HMM, NULL arguments),
 * MUSC_ERR_NOMEM. */
musc_status musc_harmonize_piece(const musc_harmony_piece *piece, musc_harmonize_method method,
                                 const musc_harmonizer *model, int *chords);

/* Viterbi: the most likely state path of an HMM with n_states states over
 * n_steps steps, from log probabilities log_init[s], log_trans[s*n + t]
 * (from s to t) and log_emit[step*n + s]. path[0..n_steps) receives the
 * states; ties go to the lower state. MUSC_ERR_ARG (n_states < 1, NULL
 * arrays), MUSC_ERR_NOMEM. */
musc_status musc_viterbi(int n_states, size_t n_steps, const double *log_init,
                         const double *log_trans, const double *log_emit, int *path);

/* Posterior decoding of the same HMM: path[t] is the state of highest
 * posterior probability at step t given every step (forward-backward in
 * log space), which maximizes the expected number of right steps rather
 * than the probability of the whole path. Same arguments and errors as
 * musc_viterbi. */
musc_status musc_hmm_posterior(int n_states, size_t n_steps, const double *log_init,
                               const double *log_trans, const double *log_emit, int *path);

/* Harmonize track `track` (-1: the melody track) of `music` and build a new
 * music: the melody track (chord symbols of other origins removed) with the
 * chosen chords as MUSC_ANN_CHORD annotations where the chord changes,
 * the tempos, key and time signatures, and unless accompaniment is
 * MUSC_ACCOMP_NONE an "Accompaniment" piano track: a bass root in 36..47
 * (C2..B2) and a three-note voicing in 48..72 chosen for the
 * least total movement from the previous one, kept below the frame's
 * lowest melody note where it can be. *out is new (the caller frees).
 * Errors as musc_harmony_piece_from_music and musc_harmonize_piece. */
musc_status musc_harmonize_music(const musc_music *music, int track, musc_harmony_rate rate,
                                 musc_harmonize_method method, const musc_harmonizer *model,
                                 musc_accompaniment accompaniment, musc_music **out);

/* ---- corpora -------------------------------------------------------------- */

/* The pieces of a folder, for training and evaluation: every .abc tune
 * (all tunes of a book), .mxl/.musicxml/.xml and .mid/.midi file under
 * `dir` (recursively, in name order). A MIDI file with a chord_midi.txt
 * beside it (POP909) takes its chords from there, its bars from
 * beat_midi.txt (POP909's MIDI time signatures are not the music's) and
 * its melody from the track named MELODY. Pieces without chord symbols or without a melody are
 * skipped and counted. Splits: 64-bit FNV-1a of the path relative to `dir`
 * ("#N" appended for tune N of a book), mixed by splitmix64, as u in [0,1):
 * train below 0.8, valid below 0.9, test above. `split` -1 keeps all. */
typedef struct musc_harmony_corpus {
    musc_harmony_piece *pieces; /* n, owned */
    char **names;               /* n relative paths ("#N" for a tune), owned */
    int *splits;                /* n: 0 train, 1 valid, 2 test */
    size_t n, cap;
    size_t n_skipped;           /* files or tunes without chords or melody */
    size_t n_failed;            /* files that could not be read */
} musc_harmony_corpus;

musc_status musc_harmony_corpus_load(const char *dir, int split, musc_harmony_rate rate,
                                     musc_harmony_corpus *out);
void musc_harmony_corpus_free(musc_harmony_corpus *corpus);

/* The split (0 train, 1 valid, 2 test) of a relative name, as above. */
int musc_harmony_split_of(const char *name);

/* ---- the BiLSTM ------------------------------------------------------------
 * A bidirectional LSTM over the frames of a piece (in the key of C), after
 * Yeh et al.'s BiLSTM harmonizer: per frame 29 melody features (the
 * share of the frame each pitch class sounds, the pitch class sounding at
 * the frame's start, the share without melody, whether the frame starts a
 * bar, whether the melody rests throughout, the frame's length and its
 * number of onsets), `layers` BiLSTM layers of `hidden` units each way,
 * and a softmax over the 49 chord classes. Optionally, as in MTHarmonizer,
 * an auxiliary head predicts each frame's chord function in C major / A
 * minor (tonic: C Am Em; subdominant: F Dm; dominant: G Bdim E G#dim;
 * other; no-chord), its loss weighted by aux_weight. Trained with Adam on
 * windows of frames, masked cross-entropy over frames with a human chord;
 * the parameters with the best validation frame accuracy are kept.
 * Checkpoints are the engine's (musc_nn_checkpoint) with the config
 * {"task":"harmonize","model":"bilstm",...}; a checkpoint of another task
 * is refused with a message naming it. */

typedef struct musc_harmony_net musc_harmony_net; /* opaque */

typedef struct musc_harmony_net_options {
    int layers;       /* BiLSTM layers (default 2) */
    int hidden;       /* units per direction (default 64) */
    float dropout;    /* between layers and before the heads (default 0.2) */
    float aux_weight; /* chord-function loss weight; 0 = no auxiliary head (default 0) */
    int steps;        /* optimizer steps (default 3000) */
    int batch;        /* windows per step (default 16) */
    int seq_len;      /* frames per window (default 64) */
    float lr;         /* peak learning rate, warm-up then cosine decay (default 2e-3) */
    int eval_every;   /* steps between validations (default 200) */
    uint64_t seed;    /* initialization and sampling (default 1) */
    /* called after each validation (valid_acc -1 without valid pieces) */
    void (*progress)(void *ctx, int step, double loss, double valid_acc, double secs);
    void *ctx;
} musc_harmony_net_options;

musc_harmony_net_options musc_harmony_net_defaults(void);

/* Train a network on the pieces with human chords among train[0..nt),
 * keeping the parameters with the best frame accuracy (argmax decoding)
 * on valid[0..nv) (the last ones when nv is 0). Deterministic for a seed
 * on one thread. *out is new (musc_harmony_net_free). MUSC_ERR_ARG (no
 * training piece with chords, bad options), MUSC_ERR_NOMEM. */
musc_status musc_harmony_net_train(const musc_harmony_piece *train, size_t nt,
                                   const musc_harmony_piece *valid, size_t nv,
                                   const musc_harmony_net_options *opt, musc_harmony_net **out);

/* Log probabilities of the 49 classes (in the key of C, i.e. of the piece
 * moved by its key_shift) for every frame: logp[f * 49 + c]. MUSC_ERR_NOMEM. */
musc_status musc_harmony_net_log_probs(const musc_harmony_net *net, const musc_harmony_piece *p,
                                       float *logp);

/* The weight of the HMM's transitions in MUSC_HARMONIZE_BILSTM_VITERBI
 * decoding (kept in the checkpoint; 1 for a new network). */
double musc_harmony_net_transition_weight(const musc_harmony_net *net);
/* The prior weight w of MUSC_HARMONIZE_BILSTM_PRIOR decoding (kept in the
 * checkpoint; 0.4, chosen on the valid splits, for a new network or a
 * checkpoint without it), and a way to change it (clamped to
 * 0..2). */
double musc_harmony_net_prior_weight(const musc_harmony_net *net);
void musc_harmony_net_set_prior_weight(musc_harmony_net *net, double weight);
int musc_harmony_net_layers(const musc_harmony_net *net);
int musc_harmony_net_hidden(const musc_harmony_net *net);
size_t musc_harmony_net_parameters(const musc_harmony_net *net);

/* Save as an engine checkpoint (atomically, overwriting). MUSC_ERR_IO,
 * MUSC_ERR_NOMEM. */
musc_status musc_harmony_net_save(const musc_harmony_net *net, const char *path);

/* Load a checkpoint written by musc_harmony_net_save. Errors: those of
 * musc_nn_checkpoint_open, MUSC_ERR_FORMAT for a model of another task
 * ("a model for task 'instrument', expected a harmonization model") or a
 * bad config, MUSC_ERR_INVALID / MUSC_ERR_NOTFOUND for tensors that do not
 * match the config. */
musc_status musc_harmony_net_load(const char *path, musc_harmony_net **out);

void musc_harmony_net_free(musc_harmony_net *net);

/* A harmonizer that decodes with `net` (which it takes over, even on
 * error): the BiLSTM methods of musc_harmonize_piece and
 * musc_harmonize_music use it. The HMM tables (transitions for
 * MUSC_HARMONIZE_BILSTM_VITERBI, and the HMM methods) are copied from
 * `hmm`, or uniform when hmm is NULL. MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_with_net(musc_harmony_net *net, const musc_harmonizer *hmm,
                                     musc_harmonizer **out);

/* Choose the transition weight among 0.25, 0.5, 1, 2 (and 0: plain
 * argmax) with the best frame accuracy of MUSC_HARMONIZE_BILSTM_VITERBI on
 * `pieces` (held-out data with human chords); stored in the network and
 * returned in *weight (may be NULL). MUSC_ERR_ARG without a network,
 * MUSC_ERR_NOMEM. */
musc_status musc_harmonizer_tune_net(musc_harmonizer *h, const musc_harmony_piece *pieces,
                                     size_t n, double *weight);

#ifdef __cplusplus
}
#endif
#endif
