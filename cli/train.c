/*
 * musc train: train a Multitrack Music Transformer on MMT shards, with a
 * progress bar on a terminal, and resume after any interruption.
 */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "options.h"
#include "musc/musc.h"

static const char *const CMD = "train";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: musc train --data SHARD_DIR -o MODEL_DIR [--preset tiny|small|mmt]\n"
            "                  [--config FILE.json] [--conditioned-heads] [--steps N] [--batch B]\n"
            "                  [--seq T] [--beats N] [--lr LR] [--warmup N] [--decay-steps N]\n"
            "                  [--weight-decay W] [--clip C] [--valid-every N] [--valid-batches N]\n"
            "                  [--ckpt-every N] [--patience N] [--threads N] [--seed S]\n"
            "                  [--transpose MIN:MAX] [--resume] [--force] [--quiet]\n"
            "\n"
            "Train the Multitrack Music Transformer (Dong et al. 2023) on the shards that\n"
            "`musc dataset build --repr mmt` writes (train.shard, valid.shard). MODEL_DIR\n"
            "receives config.json, model.ckpt (latest), best.ckpt (best validation loss),\n"
            "optim.ckpt (everything a resume needs) and log.csv.\n"
            "\n"
            "  --preset NAME       model size: tiny (tests), small (default: 4 layers, 256 wide,\n"
            "                      8 heads, 512 rows), mmt (the paper: 6 x 512, 1024 rows)\n"
            "  --config FILE       JSON overriding preset keys: n_layer d_model n_head d_ff\n"
            "                      max_seq_len dropout conditioned_heads\n"
            "  --conditioned-heads each field's head sees the fields sampled before it\n"
            "  --steps N           total steps (default 1000; a resume counts from 0)\n"
            "  --batch B           sequences per step (default 8)\n"
            "  --seq T             rows per training window (default max_seq_len + 1)\n"
            "  --beats N           beats per training window (default 256, MMT)\n"
            "  --lr LR             peak learning rate (default 5e-4)\n"
            "  --warmup N          linear warm-up steps (default min(5000, steps/10))\n"
            "  --decay-steps N     linear decay to 0.1 x lr until step N (default\n"
            "                      min(100000, steps))\n"
            "  --weight-decay W    AdamW decay (default 0: MMT uses Adam)\n"
            "  --clip C            gradient-norm clip (default 1)\n"
            "  --valid-every N     validate every N steps (default 1000)\n"
            "  --valid-batches N   batches per validation (default 10)\n"
            "  --ckpt-every N      write model.ckpt and optim.ckpt every N steps (default 100)\n"
            "  --patience N        stop after N validations without improvement (default 20,\n"
            "                      0 = never)\n"
            "  --threads N         OpenMP threads (default: OMP_NUM_THREADS or all cores)\n"
            "  --seed S            data order, dropout and init (default 1)\n"
            "  --transpose MIN:MAX pitch-shift augmentation in semitones (default -5:6)\n"
            "  --resume            continue the run in MODEL_DIR with its stored options\n"
            "                      (options given again override them)\n"
            "  --force             start over in a non-empty MODEL_DIR\n"
            "  -q, --quiet         no progress bar\n");
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct bar_state {
    int on;
    double last_draw;
} bar_state;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fmt_time(char *buf, size_t n, double s)
{
    if (!(s >= 0) || s > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    long t = (long)s;
    if (t >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%02ld:%02ld", t / 60, t % 60);
}

typedef struct run_info {
    bar_state bar;
    double t0;
    long first_step;
} run_info;

static int progress(void *user, const musc_mmt_train_progress *p)
{
    run_info *ri = user;
    if (ri->first_step < 0)
        ri->first_step = p->step - 1, ri->t0 = wall_now();
    double t = wall_now();
    if (ri->bar.on && (t - ri->bar.last_draw > 0.2 || p->step == p->steps || p->validated)) {
        ri->bar.last_draw = t;
        double done = (double)(p->step - ri->first_step), rate = done / (t - ri->t0 + 1e-9);
        char eta[32];
        fmt_time(eta, sizeof eta, rate > 0 ? (double)(p->steps - p->step) / rate : -1);
        int width = 24, fill = p->steps ? (int)((double)p->step / p->steps * width) : width;
        fprintf(stderr, "\r  step %ld/%ld [%.*s%*s] loss %.3f", p->step, p->steps, fill,
                "########################", width - fill, "", p->loss);
        if (!isnan(p->valid_loss))
            fprintf(stderr, " valid %.3f", p->valid_loss);
        fprintf(stderr, " %.0f tok/s ETA %s  ", p->tokens_per_s, eta);
        fflush(stderr);
    }
    return stop_requested ? 1 : 0;
}

/* Override preset keys from a JSON file. */
static int apply_config_file(const char *path, musc_mmt_config *c)
{
    json_error_t err;
    json_t *o = json_load_file(path, 0, &err);
    if (!json_is_object(o)) {
        fprintf(stderr, "musc train: %s: %s\n", path, o ? "not a JSON object" : err.text);
        json_decref(o);
        return -1;
    }
    const char *key;
    json_t *v;
    int bad = 0;
    json_object_foreach(o, key, v)
    {
        int *ip = !strcmp(key, "n_layer")             ? &c->n_layer
                  : !strcmp(key, "d_model")           ? &c->d_model
                  : !strcmp(key, "n_head")            ? &c->n_head
                  : !strcmp(key, "d_ff")              ? &c->d_ff
                  : !strcmp(key, "max_seq_len")       ? &c->max_seq_len
                  : !strcmp(key, "conditioned_heads") ? &c->conditioned_heads
                                                      : NULL;
        if (ip && json_is_integer(v) && json_integer_value(v) >= 0 &&
            json_integer_value(v) <= 1 << 24)
            *ip = (int)json_integer_value(v);
        else if (!strcmp(key, "dropout") && json_is_number(v))
            c->dropout = (float)json_number_value(v);
        else {
            fprintf(stderr, "musc train: %s: unknown or bad key '%s'\n", path, key);
            bad = 1;
        }
    }
    json_decref(o);
    return bad ? -1 : 0;
}

static int parse_float(const char *opt, const char *v, double lo, double hi, float *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x >= lo && x <= hi)) {
        fprintf(stderr, "musc train: %s expects a number in [%g, %g], got '%s'\n", opt, lo, hi, v);
        return -1;
    }
    *out = (float)x;
    return 0;
}

enum {
    S_STEPS, S_BATCH, S_SEQ, S_BEATS, S_LR, S_WARMUP, S_DECAY, S_WD, S_CLIP, S_VEVERY, S_VBATCH,
    S_CKPT, S_PATIENCE, S_THREADS, S_SEED, S_TRANSPOSE, S_DATA, NSET
};

int cmd_train(int argc, char **argv)
{
    musc_mmt_train_options o = musc_mmt_train_options_default();
    musc_mmt_train_options given = o; /* values from the command line */
    int set[NSET] = {0};
    const char *preset = NULL, *config_file = NULL;
    int quiet = 0, cond = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--resume")) {
            given.resume = 1;
        } else if (!strcmp(a, "--force")) {
            given.force = 1;
        } else if (!strcmp(a, "--conditioned-heads")) {
            cond = 1;
        } else if (!v) {
            if (a[0] == '-')
                return cli_usage_error(CMD, "%s needs a value (or is unknown; see --help)", a);
            return cli_usage_error(CMD, "unexpected argument '%s'", a);
        } else if (!strcmp(a, "--data")) {
            given.data = v, set[S_DATA] = 1, i++;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            given.out = v, i++;
        } else if (!strcmp(a, "--preset")) {
            preset = v, i++;
        } else if (!strcmp(a, "--config")) {
            config_file = v, i++;
        } else if (!strcmp(a, "--steps")) {
            if (cli_parse_long(CMD, a, v, 0, 1000000000L, &n))
                return EXIT_USAGE;
            given.steps = n, set[S_STEPS] = 1, i++;
        } else if (!strcmp(a, "--batch")) {
            if (cli_parse_long(CMD, a, v, 1, 4096, &n))
                return EXIT_USAGE;
            given.batch = (int)n, set[S_BATCH] = 1, i++;
        } else if (!strcmp(a, "--seq")) {
            if (cli_parse_long(CMD, a, v, 4, 1 << 20, &n))
                return EXIT_USAGE;
            given.seq = (int)n, set[S_SEQ] = 1, i++;
        } else if (!strcmp(a, "--beats")) {
            if (cli_parse_long(CMD, a, v, 1, 1 << 20, &n))
                return EXIT_USAGE;
            given.beats = (int)n, set[S_BEATS] = 1, i++;
        } else if (!strcmp(a, "--lr")) {
            if (parse_float(a, v, 1e-9, 10, &given.lr))
                return EXIT_USAGE;
            set[S_LR] = 1, i++;
        } else if (!strcmp(a, "--warmup")) {
            if (cli_parse_long(CMD, a, v, 0, 1000000000L, &n))
                return EXIT_USAGE;
            given.warmup = n, set[S_WARMUP] = 1, i++;
        } else if (!strcmp(a, "--decay-steps")) {
            if (cli_parse_long(CMD, a, v, 0, 1000000000L, &n))
                return EXIT_USAGE;
            given.decay_steps = n, set[S_DECAY] = 1, i++;
        } else if (!strcmp(a, "--weight-decay")) {
            if (parse_float(a, v, 0, 10, &given.weight_decay))
                return EXIT_USAGE;
            set[S_WD] = 1, i++;
        } else if (!strcmp(a, "--clip")) {
            if (parse_float(a, v, 0, 1e9, &given.clip))
                return EXIT_USAGE;
            set[S_CLIP] = 1, i++;
        } else if (!strcmp(a, "--valid-every")) {
            if (cli_parse_long(CMD, a, v, 0, 1000000000L, &n))
                return EXIT_USAGE;
            given.valid_every = n, set[S_VEVERY] = 1, i++;
        } else if (!strcmp(a, "--valid-batches")) {
            if (cli_parse_long(CMD, a, v, 0, 100000, &n))
                return EXIT_USAGE;
            given.valid_batches = (int)n, set[S_VBATCH] = 1, i++;
        } else if (!strcmp(a, "--ckpt-every")) {
            if (cli_parse_long(CMD, a, v, 1, 1000000000L, &n))
                return EXIT_USAGE;
            given.ckpt_every = n, set[S_CKPT] = 1, i++;
        } else if (!strcmp(a, "--patience")) {
            if (cli_parse_long(CMD, a, v, 0, 1000000, &n))
                return EXIT_USAGE;
            given.patience = (int)n, set[S_PATIENCE] = 1, i++;
        } else if (!strcmp(a, "--threads")) {
            if (cli_parse_long(CMD, a, v, 1, 1024, &n))
                return EXIT_USAGE;
            given.threads = (int)n, set[S_THREADS] = 1, i++;
        } else if (!strcmp(a, "--seed")) {
            if (cli_parse_long(CMD, a, v, 0, 2147483647L, &n))
                return EXIT_USAGE;
            given.seed = (uint64_t)n, set[S_SEED] = 1, i++;
        } else if (!strcmp(a, "--transpose")) {
            int lo, hi;
            char tail;
            if (sscanf(v, "%d:%d%c", &lo, &hi, &tail) != 2 || lo > hi || lo < -127 || hi > 127)
                return cli_usage_error(CMD, "--transpose expects MIN:MAX semitones, got '%s'", v);
            given.transpose_min = lo, given.transpose_max = hi, set[S_TRANSPOSE] = 1, i++;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see --help)", a);
        }
    }
    if (!given.out)
        return cli_usage_error(CMD, "needs -o MODEL_DIR (see --help)");
    if (given.resume && given.force)
        return cli_usage_error(CMD, "--resume and --force exclude each other");
    char *data_owned = NULL;
    o.out = given.out;
    o.resume = given.resume;
    o.force = given.force;
    if (given.resume) {
        if (preset || config_file || cond)
            return cli_usage_error(CMD, "--resume keeps the stored model; drop --preset, "
                                   "--config and --conditioned-heads");
        musc_status st = musc_mmt_train_options_load(given.out, &o, &data_owned);
        if (st != MUSC_OK)
            return cli_fail(CMD, st);
    } else {
        if (musc_mmt_config_preset(preset ? preset : "small", &o.config) != MUSC_OK) {
            free(data_owned);
            return cli_usage_error(CMD, "unknown preset '%s' (tiny, small, mmt)", preset);
        }
        if (config_file && apply_config_file(config_file, &o.config))
            return EXIT_USAGE;
        if (cond)
            o.config.conditioned_heads = 1;
        /* schedules scaled to short runs unless given */
        long steps = set[S_STEPS] ? given.steps : o.steps;
        if (!set[S_WARMUP])
            o.warmup = steps / 10 < 5000 ? steps / 10 : 5000;
        if (!set[S_DECAY])
            o.decay_steps = steps < 100000 ? steps : 100000;
    }
#define TAKE(flag, field)                                                                     \
    if (set[flag])                                                                            \
        o.field = given.field;
    TAKE(S_STEPS, steps)
    TAKE(S_BATCH, batch)
    TAKE(S_SEQ, seq)
    TAKE(S_BEATS, beats)
    TAKE(S_LR, lr)
    TAKE(S_WARMUP, warmup)
    TAKE(S_DECAY, decay_steps)
    TAKE(S_WD, weight_decay)
    TAKE(S_CLIP, clip)
    TAKE(S_VEVERY, valid_every)
    TAKE(S_VBATCH, valid_batches)
    TAKE(S_CKPT, ckpt_every)
    TAKE(S_PATIENCE, patience)
    TAKE(S_THREADS, threads)
    TAKE(S_SEED, seed)
    TAKE(S_DATA, data)
    if (set[S_TRANSPOSE]) {
        o.transpose_min = given.transpose_min;
        o.transpose_max = given.transpose_max;
    }
#undef TAKE
    if (!o.data) {
        free(data_owned);
        return cli_usage_error(CMD, "needs --data SHARD_DIR (see --help)");
    }
    if (musc_mmt_config_check(&o.config) != MUSC_OK) {
        fprintf(stderr, "musc train: %s\n", musc_errmsg());
        free(data_owned);
        return EXIT_USAGE;
    }
    run_info ri = {{!quiet && isatty(STDERR_FILENO), 0.0}, 0.0, -1};
    o.progress = progress;
    o.user = &ri;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!quiet) {
        size_t np = musc_mmt_config_param_count(&o.config);
        fprintf(stderr, "musc train: %s%d layers, %d wide, %d heads, ffn %d, %d positions%s: "
                "%.2f M parameters\n", o.resume ? "resuming " : "", o.config.n_layer,
                o.config.d_model, o.config.n_head, o.config.d_ff, o.config.max_seq_len,
                o.config.conditioned_heads ? ", conditioned heads" : "", (double)np / 1e6);
    }
    musc_mmt_train_result res;
    musc_status st = musc_mmt_train(&o, &res);
    if (ri.bar.on)
        fputc('\n', stderr);
    free(data_owned);
    if (st != MUSC_OK)
        return cli_fail(CMD, st);
    if (!quiet) {
        fprintf(stderr, "musc train: %ld steps, last loss %.4f", res.steps, res.last_loss);
        if (!isnan(res.best_valid))
            fprintf(stderr, ", best valid loss %.4f", res.best_valid);
        fprintf(stderr, "%s%s\n", res.stopped_early ? " (stopped early: no improvement)" : "",
                res.interrupted ? " (interrupted; --resume continues)" : "");
    }
    return EXIT_OK;
}
