/*
 * The Multitrack Music Transformer (MMT, Dong et al., ICASSP 2023) on the
 * musc neural engine: training, checkpoints and grammar-constrained
 * sampling.
 *
 * Model (as published): each row of MMT codes (type, beat, position, pitch,
 * duration, instrument; see musc/repr.h) is embedded as the sum of six
 * field embeddings plus a learned positional embedding, run through a
 * pre-LayerNorm decoder stack (musc_nn_decoder) and read out by six linear
 * heads, one per field. The loss is the sum over the six fields of the mean
 * cross-entropy over the target rows (inputs = rows 0..T-2, targets = rows
 * 1..T-1), padding rows ignored.
 *
 * With `conditioned_heads` the head of field f also sees the fields fixed
 * before it in the target row (type -> beat -> position -> pitch ->
 * duration -> instrument): its input is h + sum_{g<f} c_{f,g}[code_g], with
 * one learned table per (field, earlier field) pair, so that (for example)
 * the instrument's distribution can depend on the pitch just sampled. In
 * training the earlier fields come from the ground-truth row (teacher
 * forcing), in sampling from the values just sampled.
 *
 * Parameter names (stable; checkpoints depend on them):
 *   emb.<field> [V_f, C], pos [max_seq_len, C], dec.h<l>.* and dec.ln_f.*
 *   (the decoder stack), head.<field>.w [V_f, C], head.<field>.b [V_f],
 *   and with conditioned heads cond.<field>.<earlier field> [V_g, C],
 * where <field> is type, beat, position, pitch, duration or instrument.
 *
 * Checkpoints are musc_nn checkpoints (nn.h) whose config text is a JSON
 * object: {"model":"mmt", "n_layer":..., "d_model":..., "n_head":...,
 * "d_ff":..., "max_seq_len":..., "dropout":..., "field_sizes":[6 ints],
 * "conditioned_heads":0|1, "tokenizer":{"max_beat":..., "keep_drums":...,
 * "shift_to_first_beat":..., "max_seq_len":..., "qpm":...}} plus whatever
 * else the trainer records (ignored when loading), so a model file alone
 * is enough to generate.
 */
#ifndef MUSC_MMT_H
#define MUSC_MMT_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"
#include "musc/music.h"
#include "musc/nn.h"
#include "musc/repr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct musc_mmt_config {
    int n_layer, d_model, n_head, d_ff;
    int max_seq_len;       /* positions of the positional embedding (input rows) */
    float dropout;         /* embedding, residual and attention dropout in training */
    int field_sizes[MUSC_MMT_FIELDS];
    int conditioned_heads; /* 0 = MMT's independent heads */
} musc_mmt_config;

/* Names of the six fields ("type", "beat", "position", "pitch",
 * "duration", "instrument"); NULL outside 0..5. */
const char *musc_mmt_field_name(int field);

/* A preset by name: "tiny" (2 layers, 32 wide, 2 heads, d_ff 64, 64 rows;
 * for tests), "small" (4 layers, 256 wide, 8 heads, d_ff 1024, 512 rows),
 * "mmt" (the paper: 6 layers, 512 wide, 8 heads, d_ff 2048, 1024 rows,
 * dropout 0.2). Field sizes are MMT's (5, 257, 13, 129, 33, 65); the
 * trainer replaces them with the data's. MUSC_ERR_ARG for an unknown
 * name. */
musc_status musc_mmt_config_preset(const char *name, musc_mmt_config *cfg);

/* Check a config: positive sizes, d_model a multiple of n_head, dropout in
 * [0,1), field sizes >= 2. MUSC_ERR_ARG naming the bad value. */
musc_status musc_mmt_config_check(const musc_mmt_config *cfg);

/* Number of parameters (floats) of a model with this config; 0 for a bad
 * config. */
size_t musc_mmt_config_param_count(const musc_mmt_config *cfg);

/* The config and tokenizer options as the checkpoint's JSON text
 * (malloc'd; NULL on OOM). `extra` (may be NULL) is a JSON object text
 * whose members are appended (the trainer's records). */
char *musc_mmt_config_to_json(const musc_mmt_config *cfg, const musc_mmt_options *tokenizer,
                              const char *extra);

/* Parse what musc_mmt_config_to_json wrote (other members ignored).
 * `tokenizer` may be NULL. MUSC_ERR_FORMAT naming the missing or bad key,
 * then the config check's errors. */
musc_status musc_mmt_config_from_json(const char *json, musc_mmt_config *cfg,
                                      musc_mmt_options *tokenizer);

typedef struct musc_mmt_model musc_mmt_model;

/* A model with parameters zeroed (call musc_mmt_model_init or load a
 * checkpoint). `tokenizer` (may be NULL: MMT's defaults with max_beat =
 * field_sizes[1] - 1) is kept for decoding. With `with_grad` gradients are
 * allocated for training. Errors: MUSC_ERR_ARG (bad config), MUSC_ERR_NOMEM. */
musc_status musc_mmt_model_new(const musc_mmt_config *cfg, const musc_mmt_options *tokenizer,
                               int with_grad, musc_mmt_model **out);
void musc_mmt_model_free(musc_mmt_model *m);

/* Random init from `seed`: embeddings and heads N(0, 0.02), head biases
 * 0, the decoder as musc_nn_decoder_init. */
void musc_mmt_model_init(musc_mmt_model *m, uint64_t seed);

const musc_mmt_config *musc_mmt_model_config(const musc_mmt_model *m);
const musc_mmt_options *musc_mmt_model_tokenizer(const musc_mmt_model *m);
/* The parameter set (data, and gradients when allocated). */
musc_nn_params *musc_mmt_model_params(musc_mmt_model *m);

/* Save the parameters to `path` (kind 0, atomically) with the config JSON
 * (and `extra` members, may be NULL). MUSC_ERR_IO, MUSC_ERR_NOMEM. */
musc_status musc_mmt_model_save(const musc_mmt_model *m, const char *path, const char *extra);

/* Load a model from a checkpoint file, or from a folder holding
 * best.ckpt (preferred) or model.ckpt. Errors name the file:
 * MUSC_ERR_NOTFOUND (no such file or no checkpoint in the folder),
 * MUSC_ERR_FORMAT (corrupt file, not an MMT model), the checkpoint
 * reader's errors, MUSC_ERR_INVALID (tensors that do not match the
 * config). `with_grad` as musc_mmt_model_new. */
musc_status musc_mmt_model_load(const char *path, int with_grad, musc_mmt_model **out);

/* Loss and (with `backward`) gradients over a batch: codes [B, T, 6]
 * (row-major; B sequences of T rows), lengths[b] = the rows of sequence b
 * that are real (the rest are padding; NULL = all T). Inputs are rows
 * 0..T-2, targets rows 1..T-1; a target row at or past lengths[b] is
 * ignored. T - 1 must not exceed max_seq_len. `train` enables dropout
 * seeded by `seed`. Gradients ACCUMULATE into the parameter gradients
 * (zero them first). field_loss[6] (may be NULL) receives each field's
 * mean loss, *loss their sum, *n_targets (may be NULL) the rows counted.
 * Errors: MUSC_ERR_ARG (shapes, no gradients for backward), MUSC_ERR_RANGE
 * (a code outside its field's vocabulary, naming the row), MUSC_ERR_NOMEM. */
musc_status musc_mmt_model_loss(musc_mmt_model *m, const int32_t *codes, const int *lengths,
                                int B, int T, int train, uint64_t seed, int backward,
                                double *field_loss, double *loss, long *n_targets);

/* Inference forward over codes [B, T, 6]: logits[f] receives a pointer to
 * [B*T, V_f] logits predicting row t+1 from rows 0..t (valid until the
 * next call on the model). `cond` [B, T, 6] gives, for conditioned heads,
 * the rows being predicted (row t of cond conditions position t; NULL =
 * rows 1..T-1 of codes, the last row conditioned on zeros). T <=
 * max_seq_len. Errors as musc_mmt_model_loss. */
musc_status musc_mmt_model_forward(musc_mmt_model *m, const int32_t *codes, const int32_t *cond,
                                   int B, int T, const float **logits);

/* ---- step-by-step inference with the KV cache (batch 1) ----------------
 * musc_mmt_model_begin resets the cache; each musc_mmt_model_step feeds
 * the next row (position 0, 1, ...) and leaves its hidden state in the
 * model; musc_mmt_model_head then gives field f's logits [V_f] for the
 * next row, given the fields already chosen for it (row[g] for g < f; only
 * read with conditioned heads). Equal to musc_mmt_model_forward's logits. */
musc_status musc_mmt_model_begin(musc_mmt_model *m);
musc_status musc_mmt_model_step(musc_mmt_model *m, const int32_t row[MUSC_MMT_FIELDS]);
musc_status musc_mmt_model_head(musc_mmt_model *m, int field,
                                const int32_t row[MUSC_MMT_FIELDS], float *logits);

/* ---- sampling ----------------------------------------------------------- */

typedef struct musc_mmt_sample_options {
    float temperature;     /* default 1 */
    int top_k;             /* 0 = MMT's default: keep ceil(0.1 V_f) per field */
    float top_p;           /* > 0: nucleus sampling instead of top-k */
    uint64_t seed;
    int max_beats;         /* > 0: stop before the first note at beat >= max_beats */
    int max_notes;         /* > 0: stop after this many notes (prompt notes count) */
    int max_rows;          /* > 0: at most this many rows (else max_seq_len + 1) */
    const int *instruments;/* allowed instrument codes, NULL = any */
    int n_instruments;
    int use_cache;         /* default 1; 0 recomputes the whole forward per row
                              (for benchmarks) */
    int min_notes;         /* > 0: no end-of-song before this many notes (a
                              context that fills up still ends the song) */
} musc_mmt_sample_options;

musc_mmt_sample_options musc_mmt_sample_options_default(void);

/* Generate a sequence: the prompt's rows (NULL/0 = one start-of-song row)
 * are fed, then rows are sampled under MMT's grammar until end-of-song or
 * a limit: type never decreases in the order start-of-song -> instrument
 * rows (increasing instrument codes, from `instruments` when given) ->
 * start-of-notes -> notes -> end-of-song; a note's beat never decreases
 * (nor its position within a beat), its fields are valid codes, and its
 * instrument is one declared by an instrument row. The result always ends
 * with end-of-song. *codes is malloc'd (n_rows x 6); the caller frees it.
 * *n_notes (may be NULL) receives the number of note rows. Errors:
 * MUSC_ERR_ARG (bad options, a prompt that breaks the grammar or is longer
 * than the model's context), MUSC_ERR_NOMEM. */
musc_status musc_mmt_generate(musc_mmt_model *m, const int32_t *prompt, size_t n_prompt,
                              const musc_mmt_sample_options *options, int32_t **codes,
                              size_t *n_rows, size_t *n_notes);

/* Check that codes follow the grammar above (for tests and prompts): 0 if
 * valid, else MUSC_ERR_FORMAT naming the first bad row. `complete`
 * requires start-of-song first and end-of-song last. */
musc_status musc_mmt_check_grammar(const int32_t *codes, size_t n_rows,
                                   const int field_sizes[MUSC_MMT_FIELDS], int complete);

/* Rows of an encoded song that form an n-beat continuation prompt (MMT):
 * everything before the first note at beat >= beats, and before
 * end-of-song. */
size_t musc_mmt_prompt_rows(const int32_t *codes, size_t n_rows, int beats);

/* ---- training ----------------------------------------------------------- */

typedef struct musc_mmt_train_progress {
    long step, steps;        /* steps done, steps wanted */
    double loss;             /* this step's training loss (sum of fields) */
    double field_loss[MUSC_MMT_FIELDS];
    double valid_loss;       /* the latest validation loss, NAN before any */
    double best_valid;       /* best so far, NAN before any */
    int validated;           /* 1 if this step ran a validation */
    float lr;
    double tokens_per_s;     /* input rows per second over this run */
    double elapsed;          /* seconds of training, resumed runs included */
} musc_mmt_train_progress;

/* Called after every step; return nonzero to stop (a checkpoint is
 * written first). */
typedef int (*musc_mmt_train_fn)(void *user, const musc_mmt_train_progress *p);

typedef struct musc_mmt_train_options {
    const char *data;        /* folder with train.shard and valid.shard */
    const char *out;         /* model folder */
    musc_mmt_config config;  /* field sizes are taken from the data */
    long steps;              /* total steps (resumed runs count from 0), default 1000 */
    int batch;               /* default 8 */
    int seq;                 /* rows per example (window), default max_seq_len + 1 */
    int beats;               /* beats per window, default 256 */
    float lr;                /* peak, default 5e-4 */
    long warmup;             /* default 5000 (capped at steps / 10 when steps is smaller) */
    long decay_steps;        /* linear decay to 0.1 lr, default 100000 */
    float weight_decay;      /* default 0 (MMT uses Adam) */
    float clip;              /* gradient norm clip, default 1 */
    long valid_every;        /* default 1000 (0 = never) */
    int valid_batches;       /* default 10 */
    long ckpt_every;         /* default 100 */
    int patience;            /* validations without improvement, default 20 (0 = off) */
    int threads;             /* 0 = leave OpenMP's default */
    uint64_t seed;           /* default 1 */
    int transpose_min, transpose_max; /* default -5..6 */
    int resume;              /* continue from out/optim.ckpt */
    int force;               /* allow a non-empty out without resume */
    musc_mmt_train_fn progress;
    void *user;
} musc_mmt_train_options;

/* Defaults above with the "small" preset. */
musc_mmt_train_options musc_mmt_train_options_default(void);

typedef struct musc_mmt_train_result {
    long steps;              /* steps done in total */
    double last_loss, best_valid;
    int stopped_early;       /* patience ran out */
    int interrupted;         /* the callback asked to stop */
} musc_mmt_train_result;

/* Train (or with `resume`, continue) a model; writes into `out`:
 * config.json (the model config, tokenizer and training options),
 * model.ckpt (latest parameters), best.ckpt (best validation loss),
 * optim.ckpt (parameters, AdamW moments, step and the early-stopping state:
 * everything a resume needs) and log.csv. Every file is replaced
 * atomically, so a kill at any moment loses at most ckpt_every steps.
 * Results depend only on the seed, the options and the thread count.
 * Errors: MUSC_ERR_EXISTS (out not empty without resume/force),
 * MUSC_ERR_NOTFOUND (nothing to resume), MUSC_ERR_ARG, MUSC_ERR_IO, the
 * shard and model errors. `result` may be NULL. */
musc_status musc_mmt_train(const musc_mmt_train_options *options,
                           musc_mmt_train_result *result);

/* Read the training options stored in `out`/config.json into *options
 * (model config included; members absent from the file keep their
 * values), for resuming with the original settings. options->data points
 * to a copy returned in *data_owned (the caller frees it; NULL when the
 * file names no data). Errors: MUSC_ERR_NOTFOUND, MUSC_ERR_FORMAT. */
musc_status musc_mmt_train_options_load(const char *out, musc_mmt_train_options *options,
                                        char **data_owned);

#ifdef __cplusplus
}
#endif
#endif
