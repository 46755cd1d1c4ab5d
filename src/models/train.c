/*
 * Training an MMT model on memory-mapped shards (MMT's recipe: Adam,
 * warm-up then linear decay, gradient clipping, random 256-beat windows
 * with transposition), with validation, early stopping and checkpoints that
 * survive a kill at any moment.
 *
 * Determinism and resuming: the example in batch row b at step s comes
 * from a loader seeded by a hash of (seed, s, b), and dropout at step s is
 * seeded by a hash of (seed, s), so a run's data and noise depend only on
 * the step number. A resume therefore needs nothing but the parameters,
 * the AdamW moments, the step and the early-stopping state, all of which
 * go into one file (optim.ckpt) replaced atomically: continuing after an
 * interruption gives the same parameters as an uninterrupted run (same
 * thread count).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "musc/dataset.h"
#include "mmt_internal.h"

musc_mmt_train_options musc_mmt_train_options_default(void)
{
    musc_mmt_train_options o;
    memset(&o, 0, sizeof o);
    musc_mmt_config_preset("small", &o.config);
    o.steps = 1000;
    o.batch = 8;
    o.seq = 0;
    o.beats = 256;
    o.lr = 5e-4f;
    o.warmup = 5000;
    o.decay_steps = 100000;
    o.weight_decay = 0.0f;
    o.clip = 1.0f;
    o.valid_every = 1000;
    o.valid_batches = 10;
    o.ckpt_every = 100;
    o.patience = 20;
    o.seed = 1;
    o.transpose_min = -5;
    o.transpose_max = 6;
    return o;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t seed3(uint64_t seed, uint64_t a, uint64_t b)
{
    return mix(mix(mix(seed) ^ a) ^ (b * 0x632be59bd9b4e019ull));
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Write a text file atomically: temporary file, fsync, rename. */
static musc_status write_atomic(const char *path, const char *text, size_t len)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int ok = fd >= 0;
    size_t done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        unlink(tmp);
        free(tmp);
        return musc_error(MUSC_ERR_IO, "%s: cannot write (%s)", path, strerror(errno));
    }
    free(tmp);
    return MUSC_OK;
}

/* 1 if the folder holds anything, 0 if empty, -1 if it cannot be read. */
static int dir_nonempty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int any = 0;
    struct dirent *e;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

/* ---- config.json ------------------------------------------------------- */

static char *train_json(const musc_mmt_train_options *o)
{
    json_t *t = json_object();
    if (!t)
        return NULL;
    json_object_set_new(t, "data", json_string(o->data ? o->data : ""));
    json_object_set_new(t, "steps", json_integer(o->steps));
    json_object_set_new(t, "batch", json_integer(o->batch));
    json_object_set_new(t, "seq", json_integer(o->seq));
    json_object_set_new(t, "beats", json_integer(o->beats));
    json_object_set_new(t, "lr", json_real(o->lr));
    json_object_set_new(t, "warmup", json_integer(o->warmup));
    json_object_set_new(t, "decay_steps", json_integer(o->decay_steps));
    json_object_set_new(t, "weight_decay", json_real(o->weight_decay));
    json_object_set_new(t, "clip", json_real(o->clip));
    json_object_set_new(t, "valid_every", json_integer(o->valid_every));
    json_object_set_new(t, "valid_batches", json_integer(o->valid_batches));
    json_object_set_new(t, "ckpt_every", json_integer(o->ckpt_every));
    json_object_set_new(t, "patience", json_integer(o->patience));
    json_object_set_new(t, "threads", json_integer(o->threads));
    json_object_set_new(t, "seed", json_integer((json_int_t)o->seed));
    json_object_set_new(t, "transpose_min", json_integer(o->transpose_min));
    json_object_set_new(t, "transpose_max", json_integer(o->transpose_max));
    json_t *w = json_object();
    json_object_set_new(w, "train", t);
    char *s = json_dumps(w, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(w);
    return s;
}

musc_status musc_mmt_train_options_load(const char *out, musc_mmt_train_options *o,
                                        char **data_owned)
{
    *data_owned = NULL;
    char *path = join(out, "config.json");
    if (!path)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        struct stat sb;
        musc_status st = stat(path, &sb) == 0
                             ? musc_error(MUSC_ERR_FORMAT, "%s: %s (line %d)", path, err.text,
                                          err.line)
                             : musc_error(MUSC_ERR_NOTFOUND, "%s: no such file", path);
        free(path);
        return st;
    }
    char *text = json_dumps(root, JSON_COMPACT);
    musc_status st = text ? musc_mmt_config_from_json(text, &o->config, NULL)
                          : musc_error(MUSC_ERR_NOMEM, "out of memory");
    free(text);
    json_t *t = json_object_get(root, "train");
    if (st == MUSC_OK && !json_is_object(t))
        st = musc_error(MUSC_ERR_FORMAT, "%s: no \"train\" object", path);
    if (st != MUSC_OK) {
        st = musc_error(st, "%s: %s", path, musc_errmsg());
        json_decref(root);
        free(path);
        return st;
    }
#define GETI(key, field)                                                                     \
    do {                                                                                     \
        json_t *v_ = json_object_get(t, key);                                                \
        if (json_is_integer(v_))                                                             \
            o->field = (__typeof__(o->field))json_integer_value(v_);                         \
    } while (0)
#define GETF(key, field)                                                                     \
    do {                                                                                     \
        json_t *v_ = json_object_get(t, key);                                                \
        if (json_is_number(v_))                                                              \
            o->field = (float)json_number_value(v_);                                         \
    } while (0)
    GETI("steps", steps);
    GETI("batch", batch);
    GETI("seq", seq);
    GETI("beats", beats);
    GETF("lr", lr);
    GETI("warmup", warmup);
    GETI("decay_steps", decay_steps);
    GETF("weight_decay", weight_decay);
    GETF("clip", clip);
    GETI("valid_every", valid_every);
    GETI("valid_batches", valid_batches);
    GETI("ckpt_every", ckpt_every);
    GETI("patience", patience);
    GETI("threads", threads);
    GETI("seed", seed);
    GETI("transpose_min", transpose_min);
    GETI("transpose_max", transpose_max);
#undef GETI
#undef GETF
    json_t *d = json_object_get(t, "data");
    if (json_is_string(d) && json_string_length(d) > 0) {
        *data_owned = strdup(json_string_value(d));
        o->data = *data_owned;
    }
    json_decref(root);
    free(path);
    return MUSC_OK;
}

/* ---- optimizer state ------------------------------------------------------ */

typedef struct run_state {
    long step;
    double best_valid;   /* NAN before any validation */
    int bad;             /* validations without improvement */
    double elapsed;
} run_state;

static musc_status save_state(const char *path, const musc_mmt_model *m, const musc_nn_adamw *opt,
                              const run_state *rs)
{
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "{\"step\":%ld,\"size\":%zu,\"best_valid\":%.17g,\"bad\":%d,\"elapsed\":%.6f,"
             "\"beta1\":%.9g,\"beta2\":%.9g,\"eps\":%.9g,\"weight_decay\":%.9g}",
             rs->step, opt->size, isnan(rs->best_valid) ? -1.0 : rs->best_valid, rs->bad,
             rs->elapsed, (double)opt->cfg.beta1, (double)opt->cfg.beta2, (double)opt->cfg.eps,
             (double)opt->cfg.weight_decay);
    if (opt->size > INT32_MAX)
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: model too large", path);
    musc_nn_tensor t[3];
    memset(t, 0, sizeof t);
    strcpy(t[0].name, "m");
    strcpy(t[1].name, "v");
    strcpy(t[2].name, "params");
    for (int i = 0; i < 3; i++) {
        t[i].ndim = 1;
        t[i].shape[0] = (int)opt->size;
        t[i].size = opt->size;
    }
    t[0].data = opt->m;
    t[1].data = opt->v;
    t[2].data = m->p.data;
    return musc_nn_checkpoint_save(path, MUSC_NN_CKPT_OPTIMIZER, cfg, t, 3);
}

static musc_status load_state(const char *path, musc_mmt_model *m, musc_nn_adamw *opt,
                              run_state *rs)
{
    musc_nn_checkpoint *c;
    musc_status st = musc_nn_checkpoint_open(path, &c);
    if (st != MUSC_OK)
        return st;
    int im = musc_nn_checkpoint_find(c, "m"), iv = musc_nn_checkpoint_find(c, "v"),
        ip = musc_nn_checkpoint_find(c, "params");
    json_t *cfg = json_loads(musc_nn_checkpoint_config(c), 0, NULL);
    json_t *step = json_object_get(cfg, "step"), *best = json_object_get(cfg, "best_valid"),
           *bad = json_object_get(cfg, "bad"), *el = json_object_get(cfg, "elapsed");
    if (musc_nn_checkpoint_kind(c) != MUSC_NN_CKPT_OPTIMIZER || im < 0 || iv < 0 || ip < 0 ||
        !json_is_integer(step) || json_integer_value(step) < 0 || !json_is_number(best) ||
        !json_is_integer(bad) || !json_is_number(el)) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: not an MMT training state", path);
    } else {
        musc_nn_tensor tm = musc_nn_checkpoint_tensor(c, im), tv = musc_nn_checkpoint_tensor(c, iv),
                       tp = musc_nn_checkpoint_tensor(c, ip);
        if (tm.size != opt->size || tv.size != opt->size || tp.size != m->p.size) {
            st = musc_error(MUSC_ERR_INVALID, "%s: state for %zu parameters, the model has %zu",
                            path, tp.size, m->p.size);
        } else {
            memcpy(opt->m, tm.data, opt->size * sizeof(float));
            memcpy(opt->v, tv.data, opt->size * sizeof(float));
            memcpy(m->p.data, tp.data, m->p.size * sizeof(float));
            opt->step = rs->step = (long)json_integer_value(step);
            double b = json_number_value(best);
            rs->best_valid = b < 0 ? NAN : b;
            rs->bad = (int)json_integer_value(bad);
            rs->elapsed = json_number_value(el);
        }
    }
    json_decref(cfg);
    musc_nn_checkpoint_free(c);
    return st;
}

/* Keep the log's rows up to `step` (a resumed run rewrites what follows). */
static musc_status trim_log(const char *path, long step)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return MUSC_OK;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap), line[4096];
    if (!out) {
        fclose(f);
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        long s = strtol(line, NULL, 10);
        if (!first && s > step)
            break;
        first = 0;
        size_t n = strlen(line);
        if (len + n + 1 > cap) {
            char *p = realloc(out, cap = 2 * (len + n + 1));
            if (!p) {
                free(out);
                fclose(f);
                return musc_error(MUSC_ERR_NOMEM, "out of memory");
            }
            out = p;
        }
        memcpy(out + len, line, n);
        len += n;
    }
    fclose(f);
    musc_status st = write_atomic(path, out, len);
    free(out);
    return st;
}

/* ---- batches ------------------------------------------------------------- */

typedef struct batcher {
    const musc_shard *shard;
    musc_loader_options lo;
    int B, seq;
    int32_t *rows;   /* [B, seq, 6] */
    int *lengths;
} batcher;

/* Fill batch rows from loaders seeded by (seed, a, b); *T = rows per sequence. */
static musc_status next_batch(batcher *bt, uint64_t seed, uint64_t a, int *T)
{
    memset(bt->rows, 0, (size_t)bt->B * bt->seq * NF * sizeof(int32_t));
    for (int b = 0; b < bt->B; b++) {
        musc_loader_options lo = bt->lo;
        lo.seed = seed3(seed, a, (uint64_t)b);
        musc_loader *l;
        musc_status st = musc_loader_new(bt->shard, &lo, &l);
        if (st != MUSC_OK)
            return st;
        size_t n = 0;
        st = musc_loader_next(l, bt->rows + (size_t)b * bt->seq * NF, &n, NULL, NULL);
        musc_loader_free(l);
        if (st != MUSC_OK)
            return st;
        bt->lengths[b] = (int)n;
    }
    /* Every batch keeps the full window (padding ignored by the loss):
     * one shape for the whole run, so activations are allocated once. MMT
     * windows of 256 beats are nearly always full anyway. */
    *T = bt->seq;
    return MUSC_OK;
}

static double validate(musc_mmt_model *m, batcher *bt, int batches, uint64_t seed,
                       musc_status *st)
{
    double sum = 0.0;
    long count = 0;
    for (int i = 0; i < batches; i++) {
        int T;
        if ((*st = next_batch(bt, seed ^ 0x76616c6964ull, (uint64_t)i, &T)) != MUSC_OK)
            return NAN;
        double loss;
        long n;
        if ((*st = musc_mmt_model_loss(m, bt->rows, bt->lengths, bt->B, T, 0, 0, 0, NULL, &loss,
                                       &n)) != MUSC_OK)
            return NAN;
        sum += loss * (double)n;
        count += n;
    }
    *st = MUSC_OK;
    return count ? sum / (double)count : NAN;
}

/* ---- the loop -------------------------------------------------------------- */

static musc_status check_options(const musc_mmt_train_options *o)
{
    if (!o->data || !o->out)
        return musc_error(MUSC_ERR_ARG, "mmt train: needs a data folder and an output folder");
    if (o->steps < 0 || o->batch < 1 || o->batch > 4096 || o->seq < 0 || o->beats < 0 ||
        !(o->lr > 0.0f) || o->warmup < 0 || o->decay_steps < 0 || !(o->weight_decay >= 0.0f) ||
        !(o->clip >= 0.0f) || o->valid_every < 0 || o->valid_batches < 0 ||
        o->ckpt_every < 1 || o->patience < 0 || o->threads < 0 ||
        o->transpose_min > o->transpose_max)
        return musc_error(MUSC_ERR_ARG, "mmt train: bad training options");
    return MUSC_OK;
}

typedef struct trainer {
    const musc_mmt_train_options *o;
    char *dir_paths[6];
    musc_shard *train, *valid;
    musc_mmt_model *m;
    musc_nn_adamw opt;
    batcher bt, bv;
    FILE *log;
} trainer;

enum { P_CONFIG, P_MODEL, P_BEST, P_OPTIM, P_LOG, NPATH };

static void trainer_free(trainer *t)
{
    for (int i = 0; i < NPATH; i++)
        free(t->dir_paths[i]);
    if (t->log)
        fclose(t->log);
    musc_nn_adamw_free(&t->opt);
    musc_mmt_model_free(t->m);
    free(t->bt.rows);
    free(t->bt.lengths);
    free(t->bv.rows);
    free(t->bv.lengths);
    musc_shard_close(t->train);
    musc_shard_close(t->valid);
}

static musc_status open_shard(const char *dir, const char *name, musc_shard **out, int required)
{
    *out = NULL;
    char *p = join(dir, name);
    if (!p)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    struct stat sb;
    musc_status st = MUSC_OK;
    if (stat(p, &sb) != 0)
        st = required ? musc_error(MUSC_ERR_NOTFOUND, "%s: no such file (build the data with "
                                   "`musc dataset build --repr mmt`)", p)
                      : MUSC_OK;
    else
        st = musc_shard_open(p, out);
    if (st == MUSC_OK && *out && musc_shard_get_info(*out)->repr != MUSC_DATASET_MMT) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: a %s shard, not MMT", p,
                        musc_dataset_repr_name(musc_shard_get_info(*out)->repr));
        musc_shard_close(*out);
        *out = NULL;
    }
    free(p);
    return st;
}

static musc_status make_batcher(batcher *bt, const musc_shard *s, const musc_mmt_train_options *o,
                                int seq, int transpose)
{
    bt->shard = s;
    bt->lo = musc_loader_options_default();
    bt->lo.window = (size_t)seq;
    bt->lo.beats = o->beats;
    if (transpose) {
        bt->lo.transpose_min = o->transpose_min;
        bt->lo.transpose_max = o->transpose_max;
    }
    bt->B = o->batch;
    bt->seq = seq;
    bt->rows = malloc((size_t)o->batch * seq * NF * sizeof(int32_t));
    bt->lengths = malloc((size_t)o->batch * sizeof(int));
    if (!bt->rows || !bt->lengths)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    /* fail early on bad loader options or an empty shard */
    musc_loader *l;
    musc_status st = musc_loader_new(s, &bt->lo, &l);
    musc_loader_free(l);
    return st;
}

musc_status musc_mmt_train(const musc_mmt_train_options *options, musc_mmt_train_result *result)
{
    musc_status st = check_options(options);
    if (st != MUSC_OK)
        return st;
    musc_mmt_train_options o = *options;
    if (result)
        memset(result, 0, sizeof *result);
    trainer t;
    memset(&t, 0, sizeof t);
    t.o = &o;
    static const char *const names[NPATH] = {"config.json", "model.ckpt", "best.ckpt",
                                             "optim.ckpt", "log.csv"};
    for (int i = 0; i < NPATH; i++)
        if (!(t.dir_paths[i] = join(o.out, names[i]))) {
            trainer_free(&t);
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        }
    /* the output folder */
    struct stat sb;
    if (stat(o.out, &sb) != 0) {
        if (o.resume) {
            trainer_free(&t);
            return musc_error(MUSC_ERR_NOTFOUND, "%s: nothing to resume (no such folder)", o.out);
        }
        if (mkdir(o.out, 0755) != 0) {
            st = musc_error(MUSC_ERR_IO, "%s: cannot create (%s)", o.out, strerror(errno));
            trainer_free(&t);
            return st;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        trainer_free(&t);
        return musc_error(MUSC_ERR_EXISTS, "%s: exists and is not a folder", o.out);
    } else if (o.resume) {
        if (stat(t.dir_paths[P_OPTIM], &sb) != 0) {
            st = musc_error(MUSC_ERR_NOTFOUND, "%s: nothing to resume (no optim.ckpt)", o.out);
            trainer_free(&t);
            return st;
        }
    } else if (!o.force && dir_nonempty(o.out) != 0) {
        trainer_free(&t);
        return musc_error(MUSC_ERR_EXISTS, "%s: not empty (use resume to continue a run, or "
                          "force to start over)", o.out);
    }
    if (o.threads > 0)
        omp_set_num_threads(o.threads);

    /* data, tokenizer and model */
    if ((st = open_shard(o.data, "train.shard", &t.train, 1)) != MUSC_OK ||
        (st = open_shard(o.data, "valid.shard", &t.valid, 0)) != MUSC_OK) {
        trainer_free(&t);
        return st;
    }
    if (t.valid && musc_shard_get_info(t.valid)->n_pieces == 0) {
        /* a small dataset may leave the validation split empty */
        musc_shard_close(t.valid);
        t.valid = NULL;
    }
    musc_mmt_options tok;
    if ((st = musc_shard_mmt_options(t.train, &tok)) != MUSC_OK) {
        trainer_free(&t);
        return st;
    }
    if (o.beats > 0 && o.beats < tok.max_beat)
        tok.max_beat = o.beats;
    if (o.seq == 0)
        o.seq = o.config.max_seq_len + 1;
    tok.max_seq_len = (size_t)o.seq;
    int sizes[NF];
    musc_mmt_field_sizes(&tok, sizes);
    if (o.resume) {
        for (int f = 0; f < NF; f++)
            if (sizes[f] != o.config.field_sizes[f]) {
                trainer_free(&t);
                return musc_error(MUSC_ERR_INVALID, "mmt train: the data's %s field has %d codes, "
                                  "the model %d", musc_mmt_field_name(f), sizes[f],
                                  o.config.field_sizes[f]);
            }
    } else {
        memcpy(o.config.field_sizes, sizes, sizeof sizes);
    }
    if (o.seq < 4 || o.seq - 1 > o.config.max_seq_len) {
        trainer_free(&t);
        return musc_error(MUSC_ERR_ARG, "mmt train: %d rows per example; the model reads 3..%d "
                          "(max_seq_len + 1)", o.seq, o.config.max_seq_len + 1);
    }
    if ((st = musc_mmt_model_new(&o.config, &tok, 1, &t.m)) != MUSC_OK) {
        trainer_free(&t);
        return st;
    }
    musc_mmt_model_init(t.m, o.seed);
    musc_nn_adamw_config ac = musc_nn_adamw_default();
    ac.weight_decay = o.weight_decay;
    if ((st = musc_nn_adamw_init(&t.opt, &t.m->p, &ac)) != MUSC_OK ||
        (st = make_batcher(&t.bt, t.train, &o, o.seq, 1)) != MUSC_OK ||
        (t.valid && o.valid_batches > 0 && o.valid_every > 0 &&
         (st = make_batcher(&t.bv, t.valid, &o, o.seq, 0)) != MUSC_OK)) {
        trainer_free(&t);
        return st;
    }
    run_state rs = {0, NAN, 0, 0.0};
    if (o.resume) {
        if ((st = load_state(t.dir_paths[P_OPTIM], t.m, &t.opt, &rs)) != MUSC_OK ||
            (st = trim_log(t.dir_paths[P_LOG], rs.step)) != MUSC_OK) {
            trainer_free(&t);
            return st;
        }
    }
    {
        /* the options of this run (a resume records its own) */
        char *tj = train_json(&o);
        char *cj = tj ? musc_mmt_config_to_json(&o.config, &tok, tj) : NULL;
        free(tj);
        st = cj ? write_atomic(t.dir_paths[P_CONFIG], cj, strlen(cj))
                : musc_error(MUSC_ERR_NOMEM, "out of memory");
        free(cj);
        if (st != MUSC_OK) {
            trainer_free(&t);
            return st;
        }
    }
    if (!o.resume) {
        unlink(t.dir_paths[P_BEST]);
        FILE *lf = st == MUSC_OK ? fopen(t.dir_paths[P_LOG], "w") : NULL;
        if (st == MUSC_OK && !lf)
            st = musc_error(MUSC_ERR_IO, "%s: cannot write", t.dir_paths[P_LOG]);
        if (lf) {
            fprintf(lf, "step,loss");
            for (int f = 0; f < NF; f++)
                fprintf(lf, ",%s", musc_mmt_field_name(f));
            fprintf(lf, ",valid_loss,lr,tokens_per_s,elapsed_s\n");
            fclose(lf);
        }
        if (st != MUSC_OK) {
            trainer_free(&t);
            return st;
        }
    }
    if (!(t.log = fopen(t.dir_paths[P_LOG], "a"))) {
        st = musc_error(MUSC_ERR_IO, "%s: cannot append", t.dir_paths[P_LOG]);
        trainer_free(&t);
        return st;
    }

    musc_nn_schedule sched = {o.lr, o.warmup, o.decay_steps, 0.1f, MUSC_NN_DECAY_LINEAR};
    musc_mmt_train_progress pr;
    memset(&pr, 0, sizeof pr);
    pr.steps = o.steps;
    pr.valid_loss = NAN;
    pr.best_valid = rs.best_valid;
    double t0 = now(), rows_done = 0.0, elapsed0 = rs.elapsed;
    int stop = 0, early = 0, interrupted = 0;
    long last_saved = rs.step;
    char extra[256];
    while (rs.step < o.steps && !stop) {
        int T;
        if ((st = next_batch(&t.bt, o.seed, (uint64_t)rs.step, &T)) != MUSC_OK)
            break;
        musc_nn_params_zero_grad(&t.m->p);
        double loss, fl[NF];
        if ((st = musc_mmt_model_loss(t.m, t.bt.rows, t.bt.lengths, o.batch, T, 1,
                                      seed3(o.seed, 0x64726f70ull, (uint64_t)rs.step), 1, fl,
                                      &loss, NULL)) != MUSC_OK)
            break;
        musc_nn_clip_grad_norm(&t.m->p, o.clip);
        float lr = musc_nn_schedule_lr(&sched, rs.step);
        musc_nn_adamw_step(&t.opt, &t.m->p, lr);
        rs.step++;
        rows_done += (double)o.batch * (T - 1);
        double wall = now() - t0;
        rs.elapsed = elapsed0 + wall;
        pr.step = rs.step;
        pr.loss = loss;
        memcpy(pr.field_loss, fl, sizeof fl);
        pr.lr = lr;
        pr.tokens_per_s = wall > 0 ? rows_done / wall : 0.0;
        pr.elapsed = rs.elapsed;
        pr.validated = 0;
        if (!isfinite(loss)) {
            st = musc_error(MUSC_ERR_RANGE, "mmt train: the loss became %g at step %ld (lower "
                            "the learning rate?)", loss, rs.step);
            break;
        }
        double vloss = NAN;
        if (t.bv.rows && rs.step % o.valid_every == 0) {
            vloss = validate(t.m, &t.bv, o.valid_batches, o.seed, &st);
            if (st != MUSC_OK)
                break;
            pr.validated = 1;
            pr.valid_loss = vloss;
            if (isnan(rs.best_valid) || vloss < rs.best_valid) {
                rs.best_valid = vloss;
                rs.bad = 0;
                snprintf(extra, sizeof extra, "{\"step\":%ld,\"valid_loss\":%.9g}", rs.step, vloss);
                if ((st = musc_mmt_model_save(t.m, t.dir_paths[P_BEST], extra)) != MUSC_OK)
                    break;
            } else if (++rs.bad >= o.patience && o.patience > 0) {
                early = stop = 1;
            }
            pr.best_valid = rs.best_valid;
        }
        if (rs.step % 10 == 0 || pr.validated || rs.step == o.steps || rs.step == 1) {
            fprintf(t.log, "%ld,%.6f", rs.step, loss);
            for (int f = 0; f < NF; f++)
                fprintf(t.log, ",%.6f", fl[f]);
            if (isnan(vloss))
                fprintf(t.log, ",");
            else
                fprintf(t.log, ",%.6f", vloss);
            fprintf(t.log, ",%.6g,%.1f,%.1f\n", (double)lr, pr.tokens_per_s, rs.elapsed);
            fflush(t.log);
        }
        if (o.progress && o.progress(o.user, &pr))
            interrupted = stop = 1;
        if (rs.step % o.ckpt_every == 0 || stop || rs.step == o.steps) {
            snprintf(extra, sizeof extra, "{\"step\":%ld}", rs.step);
            if ((st = save_state(t.dir_paths[P_OPTIM], t.m, &t.opt, &rs)) != MUSC_OK ||
                (st = musc_mmt_model_save(t.m, t.dir_paths[P_MODEL], extra)) != MUSC_OK)
                break;
            last_saved = rs.step;
        }
    }
    if (st == MUSC_OK && last_saved != rs.step) {
        snprintf(extra, sizeof extra, "{\"step\":%ld}", rs.step);
        if ((st = save_state(t.dir_paths[P_OPTIM], t.m, &t.opt, &rs)) == MUSC_OK)
            st = musc_mmt_model_save(t.m, t.dir_paths[P_MODEL], extra);
    }
    if (st == MUSC_OK && rs.step == 0) {
        /* zero steps: still leave a loadable model */
        if ((st = save_state(t.dir_paths[P_OPTIM], t.m, &t.opt, &rs)) == MUSC_OK)
            st = musc_mmt_model_save(t.m, t.dir_paths[P_MODEL], "{\"step\":0}");
    }
    if (result) {
        result->steps = rs.step;
        result->last_loss = pr.loss;
        result->best_valid = rs.best_valid;
        result->stopped_early = early;
        result->interrupted = interrupted;
    }
    trainer_free(&t);
    return st;
}
