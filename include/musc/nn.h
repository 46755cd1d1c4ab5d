/*
 * musc neural engine: float32 tensors in arenas, layers with explicit
 * forward and backward passes, AdamW, and checkpoints.
 *
 * The idea (after llm.c): a model is a set of named parameter tensors that
 * live in one allocation, with gradients mirroring them in a second one, and
 * activations carved from an arena sized for a (batch, time) shape. Every
 * op is a plain function over contiguous row-major float arrays, with its
 * backward written next to its forward. Backward functions ACCUMULATE (+=)
 * into gradient buffers, so shared inputs (residual streams, tied weights)
 * need no special handling; zero the gradients before each step.
 *
 * Matrix products go through OpenBLAS (cblas_sgemm), called single-threaded
 * on per-thread blocks: the engine sets OpenBLAS to one thread on first use
 * and parallelises with OpenMP itself (OMP_NUM_THREADS / omp_set_num_threads
 * choose the thread count), so one thread pool does all the work. The rest
 * is OpenMP over rows (or batch x heads) with explicitly vectorised loops. Results are
 * deterministic for a given seed and thread count: reductions run in a fixed
 * order inside each thread, and random numbers (init, dropout) come from a
 * seeded generator or a counter-based hash of (seed, element index).
 *
 * Ops never print or abort. Ops that can meet bad data (an embedding index
 * out of range) return a musc_status; pure arithmetic ops return void and
 * trust their sizes (the model code that calls them checks shapes once).
 */
#ifndef MUSC_NN_H
#define MUSC_NN_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- arenas */

/* A bump allocator over one 64-byte aligned block. A measuring arena
 * (base == NULL, from musc_nn_arena_measure) hands out NULL pointers and
 * only counts, so a model can lay itself out twice: once to measure, once
 * for real, with the same code. */
typedef struct musc_nn_arena {
    unsigned char *base; /* NULL while measuring */
    size_t cap;          /* bytes available */
    size_t used;         /* bytes carved so far (each carve rounded up to 64) */
    int failed;          /* a carve did not fit */
} musc_nn_arena;

/* A measuring arena: carves return NULL, `used` totals the request. */
musc_nn_arena musc_nn_arena_measure(void);

/* Allocate `bytes` (64-byte aligned, zero-filled). MUSC_ERR_NOMEM. */
musc_status musc_nn_arena_init(musc_nn_arena *arena, size_t bytes);

/* Carve `count` floats (64-byte aligned). Returns NULL when measuring or
 * when the arena is full (then arena->failed is set). */
float *musc_nn_arena_floats(musc_nn_arena *arena, size_t count);

/* Zero the used part (e.g. gradients before a step). */
void musc_nn_arena_zero(musc_nn_arena *arena);

/* Release the block; the arena becomes empty. Safe on a zeroed arena. */
void musc_nn_arena_free(musc_nn_arena *arena);

/* --------------------------------------------------------------- tensors */

#define MUSC_NN_MAX_DIMS 4
#define MUSC_NN_NAME_MAX 64

/* Per-tensor flags. */
#define MUSC_NN_NO_DECAY 1u /* AdamW applies no weight decay (biases, norms, embeddings if wanted) */

/* A view: a contiguous row-major float32 array with a shape; it owns
 * nothing. `grad` is the matching gradient view for parameters (or NULL). */
typedef struct musc_nn_tensor {
    char name[MUSC_NN_NAME_MAX];
    int ndim;
    int shape[MUSC_NN_MAX_DIMS];
    size_t size; /* product of the shape */
    unsigned flags;
    float *data;
    float *grad;
} musc_nn_tensor;

/* Number of elements of a shape; 0 for ndim outside 1..4 or a
 * non-positive dimension. */
size_t musc_nn_shape_size(int ndim, const int *shape);

/* A named parameter set: tensors are declared first (musc_nn_params_add),
 * then musc_nn_params_alloc carves all data from one allocation and all
 * gradients from a second, so the whole model is `data[0..size)` and the
 * optimizer can run over flat arrays. */
typedef struct musc_nn_params {
    musc_nn_tensor *tensors;
    int count, cap;
    size_t size;       /* total floats (each tensor padded to 16 floats) */
    float *data, *grad;/* flat blocks, NULL until allocated */
} musc_nn_params;

/* Declare a parameter; returns its index (>= 0) or a negative musc_status
 * (MUSC_ERR_ARG for a bad shape, a duplicate or too long name, or after
 * allocation; MUSC_ERR_NOMEM). */
int musc_nn_params_add(musc_nn_params *p, const char *name, int ndim, const int *shape,
                       unsigned flags);

/* Allocate data and gradients (zeroed; gradients skipped if !with_grad).
 * MUSC_ERR_NOMEM, MUSC_ERR_ARG (already allocated). */
musc_status musc_nn_params_alloc(musc_nn_params *p, int with_grad);

/* Index of the tensor named `name`, or -1. */
int musc_nn_params_find(const musc_nn_params *p, const char *name);

/* Zero all gradients. */
void musc_nn_params_zero_grad(musc_nn_params *p);

/* Free everything; safe on a zeroed struct. */
void musc_nn_params_free(musc_nn_params *p);

/* ------------------------------------------------------------------- rng */

/* xoshiro256** seeded through splitmix64: small, fast, reproducible. */
typedef struct musc_nn_rng {
    uint64_t s[4];
} musc_nn_rng;

void musc_nn_rng_seed(musc_nn_rng *rng, uint64_t seed);
uint64_t musc_nn_rng_next(musc_nn_rng *rng);
/* Uniform in [0, 1) with 24 random bits. */
float musc_nn_rng_uniform(musc_nn_rng *rng);
/* Standard normal (Box-Muller). */
float musc_nn_rng_normal(musc_nn_rng *rng);
/* Fill x[n] with N(0, std^2). */
void musc_nn_init_normal(float *x, size_t n, float std, musc_nn_rng *rng);
/* Counter-based uniform in [0, 1): a pure function of (seed, index), so
 * masks are the same whatever the thread count and can be regenerated in
 * backward instead of stored. */
float musc_nn_hash_uniform(uint64_t seed, uint64_t index);

/* ------------------------------------------------------------------- ops
 * Shapes: N = rows (batch x time), C = channels. All arrays are contiguous
 * row-major; "d" prefixes are gradients, accumulated with +=. */

/* Embedding: out[N,C] = table[idx[i]] (or += when `accumulate`), table is
 * [vocab,C]. MUSC_ERR_RANGE (naming the row) if an index is outside
 * [0, vocab). */
musc_status musc_nn_embedding_forward(float *out, const int32_t *idx, const float *table,
                                      int N, int vocab, int C, int accumulate);
/* dtable[idx[i]] += dout[i]. Rows are processed in order (deterministic). */
void musc_nn_embedding_backward(float *dtable, const int32_t *idx, const float *dout, int N,
                                int C);

/* Sum of field embeddings: out[N,C] = sum_f tables[f][idx[i*stride + f]]
 * for f < nfields, where idx rows are `stride` ints apart (MMT's six
 * fields: stride 6). MUSC_ERR_RANGE on a bad code. */
musc_status musc_nn_embedding_sum_forward(float *out, const int32_t *idx, int stride,
                                          const float *const *tables, const int *vocabs,
                                          int nfields, int N, int C);
void musc_nn_embedding_sum_backward(float *const *dtables, const int32_t *idx, int stride,
                                    int nfields, const float *dout, int N, int C);

/* Linear: out[N,Dout] = in[N,Din] w^T + b, with w [Dout,Din] (PyTorch
 * layout) and b [Dout] or NULL. */
void musc_nn_linear_forward(float *out, const float *in, const float *w, const float *b, int N,
                            int Din, int Dout);
/* din += dout w; dw += dout^T in; db += column sums of dout. Any of din,
 * dw, db may be NULL to skip it. */
void musc_nn_linear_backward(float *din, float *dw, float *db, const float *dout,
                             const float *in, const float *w, int N, int Din,
                             int Dout);

/* Layer norm over the last dimension (eps 1e-5): out = (x - mean) * rstd *
 * w + b. mean[N] and rstd[N] are saved for backward. */
void musc_nn_layernorm_forward(float *out, float *mean, float *rstd, const float *in,
                               const float *w, const float *b, int N, int C);
void musc_nn_layernorm_backward(float *din, float *dw, float *db, const float *dout,
                                const float *in, const float *w, const float *mean,
                                const float *rstd, int N, int C);

/* GELU, tanh approximation (as GPT-2). */
void musc_nn_gelu_forward(float *out, const float *in, size_t n);
void musc_nn_gelu_backward(float *din, const float *in, const float *dout, size_t n);

/* Residual: out = a + b (out may alias a or b). Backward: da += dout,
 * db += dout (callers usually just pass dout through). */
void musc_nn_residual_forward(float *out, const float *a, const float *b, size_t n);
void musc_nn_residual_backward(float *da, float *db, const float *dout, size_t n);

/* Inverted dropout with probability p: out = in * keep / (1 - p), where
 * keep = musc_nn_hash_uniform(seed, i) >= p. Backward regenerates the mask
 * from the same seed. p <= 0 copies. (out may alias in.) */
void musc_nn_dropout_forward(float *out, const float *in, size_t n, float p, uint64_t seed);
void musc_nn_dropout_backward(float *din, const float *dout, size_t n, float p, uint64_t seed);

/* Causal multi-head self-attention over packed qkv [B,T,3C] (q, k, v each
 * C = NH heads x hs wide, the GPT-2 layout): out [B,T,C]. The T x T matrix
 * is never stored: query rows are taken in tiles of 64; a tile's scores
 * against the keys it may see form a 64 x T strip (one sgemm), softmaxed
 * row by row and multiplied by V (a second sgemm), so scratch is O(64 T)
 * per thread. lse [B,NH,T] keeps each row's log-sum-exp of the scaled
 * scores; backward recomputes the probabilities strip by strip from it.
 * Scores are scaled by 1/sqrt(hs). OpenMP over batch x heads. With
 * dropout > 0 the probabilities are dropped (inverted dropout) by a mask
 * hashed from `seed` and the score's position, regenerated in backward;
 * pass the same dropout and seed to both.
 * Returns MUSC_ERR_NOMEM if per-thread scratch cannot be allocated. */
musc_status musc_nn_attention_forward(float *out, float *lse, const float *qkv, int B, int T,
                                      int C, int NH, float dropout, uint64_t seed);
/* dqkv += gradient w.r.t. qkv, given dout, and the forward's out and lse. */
musc_status musc_nn_attention_backward(float *dqkv, const float *dout, const float *qkv,
                                       const float *out, const float *lse, int B, int T, int C,
                                       int NH, float dropout, uint64_t seed);

/* One decoding step with a KV cache for one sequence: qkv [3C] is the new
 * position's projection; its k and v are stored at row `pos` of kcache and
 * vcache (each [max_T, C]), then out [C] = attention of q over rows
 * 0..pos. `scratch` holds pos+1 floats per head (NH * (pos+1)). Equal to
 * row `pos` of musc_nn_attention_forward on the same sequence. */
void musc_nn_attention_step(float *out, const float *qkv, float *kcache, float *vcache, int pos,
                            int C, int NH, float *scratch);

/* Softmax cross-entropy over logits [N,V] with targets [N]. Rows whose
 * target equals `ignore_index` (or is outside [0,V)) are skipped; weights
 * [N] (or NULL for 1) scale each row. lse [N] receives each row's
 * log-sum-exp for backward. Returns sum_i w_i * (-log p_i[target_i]) in
 * *loss_sum and sum_i w_i over counted rows in *weight_sum (so the mean
 * loss is loss_sum / weight_sum). Per-row losses go to `losses` if not
 * NULL (0 for skipped rows). Sums are in double precision. */
void musc_nn_xent_forward(double *loss_sum, double *weight_sum, float *losses, float *lse,
                          const float *logits, const int32_t *targets, const float *weights,
                          int ignore_index, int N, int V);
/* dlogits += scale * w_i * (softmax_i - onehot(target_i)) for counted
 * rows; pass scale = 1 / weight_sum for a mean loss. */
void musc_nn_xent_backward(float *dlogits, const float *logits, const float *lse,
                           const int32_t *targets, const float *weights, int ignore_index,
                           float scale, int N, int V);

/* ------------------------------------------------------ transformer stack
 * A pre-LayerNorm GPT decoder stack (the core of MMT and of the benchmark
 * model): for each layer, x += drop(proj(attn(ln1(x)))); x += drop(fc2(
 * gelu(fc1(ln2(x))))); then a final layer norm. Embeddings and output heads
 * belong to the model around it. Parameters are named "<prefix>h<l>.<...>"
 * and "<prefix>ln_f.{w,b}". */
typedef struct musc_nn_decoder_config {
    int n_layer, d_model, n_head, d_ff;
    float dropout;      /* residual-branch dropout while training */
    float attn_dropout; /* attention-probability dropout while training */
} musc_nn_decoder_config;

typedef struct musc_nn_decoder musc_nn_decoder;

/* Declare the stack's parameters in `params` (before musc_nn_params_alloc).
 * On success *out is a new decoder the caller frees. MUSC_ERR_ARG for a
 * bad config (d_model not divisible by n_head, ...), MUSC_ERR_NOMEM. */
musc_status musc_nn_decoder_new(const musc_nn_decoder_config *cfg, musc_nn_params *params,
                                const char *prefix, musc_nn_decoder **out);
void musc_nn_decoder_free(musc_nn_decoder *d);

/* GPT-2 style init after the params are allocated: weights N(0, 0.02), the
 * residual projections N(0, 0.02/sqrt(2 n_layer)), biases 0, norms 1. */
void musc_nn_decoder_init(musc_nn_decoder *d, musc_nn_params *params, musc_nn_rng *rng);

/* Bytes of activations the stack needs for B x T rows (for planning). */
size_t musc_nn_decoder_activation_bytes(const musc_nn_decoder *d, int B, int T);

/* Forward: x [B,T,C] is the input (embeddings) and is not modified; the
 * normed output [B,T,C] is returned through *out (it lives in the
 * decoder's activations). `train` enables dropout with `seed` (each layer
 * and branch derives its own stream). Activations are (re)allocated for
 * B x T as needed. MUSC_ERR_NOMEM, MUSC_ERR_ARG. */
musc_status musc_nn_decoder_forward(musc_nn_decoder *d, const musc_nn_params *params,
                                    const float *x, int B, int T, int train, uint64_t seed,
                                    const float **out);
/* Backward after forward with the same arguments: given dout [B,T,C]
 * (gradient of the normed output), accumulates parameter gradients into
 * params->grad and dx [B,T,C] (+=). */
musc_status musc_nn_decoder_backward(musc_nn_decoder *d, musc_nn_params *params,
                                     const float *x, const float *dout, float *dx);

/* Sampling with a KV cache (batch 1): allocate a cache for up to max_T
 * positions (reset discards it), then feed one embedded row x [C] per
 * position 0, 1, 2, ...; out [C] receives the normed output row, equal to
 * the full forward's row at that position. MUSC_ERR_RANGE past max_T. */
musc_status musc_nn_decoder_cache_reset(musc_nn_decoder *d, int max_T);
musc_status musc_nn_decoder_step(musc_nn_decoder *d, const musc_nn_params *params,
                                 const float *x, float *out);

/* --------------------------------------------------------------- AdamW */

typedef struct musc_nn_adamw_config {
    float beta1, beta2, eps, weight_decay;
} musc_nn_adamw_config;

/* PyTorch's AdamW defaults: 0.9, 0.999, 1e-8, 0.01. */
musc_nn_adamw_config musc_nn_adamw_default(void);

typedef struct musc_nn_adamw {
    musc_nn_adamw_config cfg;
    long step;      /* steps taken */
    size_t size;    /* floats in m and v (== params->size) */
    float *m, *v;   /* first and second moments, laid out like params->data */
} musc_nn_adamw;

/* Moments for a parameter set (zeroed). MUSC_ERR_NOMEM. */
musc_status musc_nn_adamw_init(musc_nn_adamw *opt, const musc_nn_params *params,
                               const musc_nn_adamw_config *cfg);
void musc_nn_adamw_free(musc_nn_adamw *opt);

/* One update with learning rate lr: bias-corrected Adam moments, then
 * decoupled weight decay (p -= lr * wd * p) except for tensors flagged
 * MUSC_NN_NO_DECAY. */
void musc_nn_adamw_step(musc_nn_adamw *opt, musc_nn_params *params, float lr);

/* Scale all gradients so their global L2 norm is at most max_norm (no
 * change if max_norm <= 0). Returns the norm before clipping. */
float musc_nn_clip_grad_norm(musc_nn_params *params, float max_norm);

typedef enum musc_nn_decay {
    MUSC_NN_DECAY_CONSTANT = 0,
    MUSC_NN_DECAY_LINEAR,
    MUSC_NN_DECAY_COSINE
} musc_nn_decay;

/* Learning-rate schedule: linear warm-up from 0 to lr over warmup_steps,
 * then decay (linear or cosine) to lr * min_ratio at decay_steps, constant
 * after (MMT: warm-up 5k, linear to 0.1x at 100k). */
typedef struct musc_nn_schedule {
    float lr;
    long warmup_steps, decay_steps;
    float min_ratio;
    musc_nn_decay decay;
} musc_nn_schedule;

/* Learning rate for `step` (0-based: the step about to be taken). */
float musc_nn_schedule_lr(const musc_nn_schedule *s, long step);

/* ----------------------------------------------------------- checkpoints
 * File format (version 1), all integers little-endian:
 *
 *   offset size
 *   0      8    magic "MUSCNNCK"
 *   8      4    version (1)
 *   12     4    kind: 0 model parameters, 1 optimizer state
 *   16     4    tensor count
 *   20     4    config size in bytes
 *   24     8    data offset (a multiple of 64; == size of everything before)
 *   32     8    data size in bytes
 *   40     4    CRC32 (zlib) of bytes [0,40) followed by [48, data offset)
 *   44     4    CRC32 of the data region
 *   48     .    config: UTF-8 text (JSON by convention: model and tokenizer
 *               config, or the optimizer's step and hyperparameters)
 *   .      .    tensor table, per tensor: u32 name length (1..63), name
 *               bytes, u32 ndim (1..4), ndim x u32 dims, u64 byte offset of
 *               its data from the data offset (a multiple of 64)
 *   .      .    zero padding to the data offset
 *   data   .    raw float32 arrays, each at its offset, zero padding between
 *
 * The file size must equal data offset + data size and every tensor must lie
 * inside the data region without overlapping another. Files are written
 * atomically (temporary file, fsync, rename) and read with mmap, so the
 * tensors can be used in place. Optimizer state is a separate kind-1 file
 * whose tensors are "m" and "v" (the flat moment arrays) and whose config
 * holds {"step":N,...}. */

#define MUSC_NN_CKPT_MODEL 0
#define MUSC_NN_CKPT_OPTIMIZER 1

typedef struct musc_nn_checkpoint musc_nn_checkpoint;

/* Write tensors (their data, shape and name) and a config text to `path`
 * atomically (overwriting). MUSC_ERR_IO, MUSC_ERR_NOMEM, MUSC_ERR_ARG. */
musc_status musc_nn_checkpoint_save(const char *path, int kind, const char *config,
                                    const musc_nn_tensor *tensors, int count);

/* Save a whole parameter set (kind 0). */
musc_status musc_nn_params_save(const char *path, const musc_nn_params *params,
                                const char *config);

/* Map a checkpoint file and validate it completely (magic, version, sizes,
 * table, both CRCs). *out is a new handle; free it with
 * musc_nn_checkpoint_free. Errors name the file and what is wrong:
 * MUSC_ERR_IO, MUSC_ERR_FORMAT (bad magic, truncated, CRC mismatch,
 * inconsistent table), MUSC_ERR_UNSUPPORTED (newer version, big-endian
 * host), MUSC_ERR_NOMEM. */
musc_status musc_nn_checkpoint_open(const char *path, musc_nn_checkpoint **out);

/* The same over bytes in memory (copied). For tests and fuzzing. */
musc_status musc_nn_checkpoint_open_mem(const void *data, size_t size,
                                        musc_nn_checkpoint **out);
void musc_nn_checkpoint_free(musc_nn_checkpoint *c);

int musc_nn_checkpoint_kind(const musc_nn_checkpoint *c);
/* The config text (NUL-terminated copy owned by the handle). */
const char *musc_nn_checkpoint_config(const musc_nn_checkpoint *c);
int musc_nn_checkpoint_count(const musc_nn_checkpoint *c);
/* Tensor i as a read-only view (data points into the mapping; grad NULL). */
musc_nn_tensor musc_nn_checkpoint_tensor(const musc_nn_checkpoint *c, int i);
/* Index of a named tensor or -1. */
int musc_nn_checkpoint_find(const musc_nn_checkpoint *c, const char *name);

/* Copy every tensor of `params` from the checkpoint. MUSC_ERR_NOTFOUND
 * (a tensor missing), MUSC_ERR_INVALID (shape mismatch, named), or
 * MUSC_ERR_ARG (wrong kind, params not allocated). Extra tensors in the
 * file are an error too (MUSC_ERR_INVALID), so a model never silently
 * loads another model's file. */
musc_status musc_nn_params_load(musc_nn_params *params, const musc_nn_checkpoint *c);

/* Optimizer state: save m, v and the step (kind 1); load checks that the
 * sizes match the optimizer. */
musc_status musc_nn_adamw_save(const char *path, const musc_nn_adamw *opt);
musc_status musc_nn_adamw_load(musc_nn_adamw *opt, const char *path);

/* ------------------------------------------------------------------ LSTM
 * One LSTM layer over x [B,T,I] -> h [B,T,H], zero initial state, gate
 * order i, f, g, o (PyTorch's): wx [4H,I], wh [4H,H], b [4H] (one bias; or
 * NULL). `reverse` runs from the last step to the first (the backward half
 * of a bidirectional layer). lens [B] (or NULL: all T) gives each
 * sequence's length; rows at or past it are zero in h, c and gates, and a
 * reverse layer starts at each sequence's own last row. Forward fills the
 * cache: c [B,T,H] cell states and gates [B,T,4H] activated gates. */
void musc_nn_lstm_forward(float *h, float *c, float *gates, const float *x, const float *wx,
                          const float *wh, const float *b, const int32_t *lens, int B, int T,
                          int Din, int H, int reverse);
/* Backpropagation through time after forward with the same arguments:
 * given dh [B,T,H], accumulates dx [B,T,I], dwx, dwh, db (each may be NULL
 * to skip). MUSC_ERR_NOMEM if its [B,T,4H] scratch cannot be allocated. */
musc_status musc_nn_lstm_backward(float *dx, float *dwx, float *dwh, float *db, const float *dh,
                                  const float *x, const float *h, const float *c,
                                  const float *gates, const float *wx, const float *wh,
                                  const int32_t *lens, int B, int T, int Din, int H, int reverse);

/* ------------------------------------------- masked (encoder) attention
 * Multi-head self-attention like musc_nn_attention_forward (same packed qkv
 * layout, tiling, lse and dropout) with a per-sequence key padding mask:
 * lens [B] (or NULL: all T) gives each sequence's length; its query rows
 * see keys 0 .. len-1 only, all of them when `causal` is 0 (a bidirectional
 * encoder) or those up to the row itself when `causal` is nonzero. Rows at
 * or past len are padding: their output and lse are 0 and backward gives
 * them no gradient, so what padded rows hold never changes the valid rows.
 * MUSC_ERR_NOMEM if per-thread scratch cannot be allocated. */
musc_status musc_nn_attention_masked_forward(float *out, float *lse, const float *qkv,
                                             const int32_t *lens, int B, int T, int C, int NH,
                                             int causal, float dropout, uint64_t seed);
/* dqkv += gradient w.r.t. qkv; same arguments as the forward plus dout. */
musc_status musc_nn_attention_masked_backward(float *dqkv, const float *dout, const float *qkv,
                                              const float *out, const float *lse,
                                              const int32_t *lens, int B, int T, int C, int NH,
                                              int causal, float dropout, uint64_t seed);

/* Turn a decoder stack into an encoder (or back): later forward and
 * backward calls use musc_nn_attention_masked_* with `causal` and `lens`
 * (lens [B], read at each forward and backward, so it must stay valid and
 * unchanged between them; NULL: all T). causal = 1 and lens = NULL is the
 * default behaviour. The KV-cache step is causal only: it returns
 * MUSC_ERR_ARG after a call with causal = 0. */
void musc_nn_decoder_set_mask(musc_nn_decoder *d, int causal, const int32_t *lens);

/* One step of a (forward) LSTM layer for one sequence, for running it live:
 * from the previous state hprev, cprev [H] (both NULL at the first step) and
 * the input x [Din], the new state h, c [H] and the activated gates [4H]
 * (scratch). Computes row t of musc_nn_lstm_forward given its rows t-1
 * (the same arithmetic, up to float rounding in the products). h and c
 * must not alias hprev and cprev. */
void musc_nn_lstm_step(float *h, float *c, float *gates, const float *x, const float *wx,
                       const float *wh, const float *b, const float *hprev, const float *cprev,
                       int Din, int H);

#ifdef __cplusplus
}
#endif
#endif
