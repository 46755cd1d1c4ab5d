/*
 * musc harmonize IN -o OUT: chords for a melody (template matching, the
 * HMM or the BiLSTM), written as chord symbols with a voiced accompaniment.
 * musc harmonize train --data DIR... -o FILE: the HMM's tables, or with
 * --method bilstm the network's checkpoint.
 * musc harmonize eval --data DIR...: Yeh et al.'s six metrics and accuracy
 * for each method beside the human chords of the same split.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "options.h"

static const char *const harmonize_help =
    "usage: musc harmonize IN -o OUT [--method M] [--model FILE]...\n"
    "                      [--rate half-bar|beat|bar] [--accompaniment block|arpeggio|none]\n"
    "                      [--track N] [--tune N|TITLE] [--force] [--json] [--quiet]\n"
    "       musc harmonize train --data DIR [--data DIR...] -o FILE [--rate R] [--force]\n"
    "                      [--method hmm|bilstm] [--steps N] [--layers N] [--hidden N]\n"
    "                      [--aux W] [--dropout P] [--lr X] [--batch N] [--seq-len N]\n"
    "                      [--eval-every N] [--seed N] [--log FILE.csv] [--prior-weight W]\n"
    "       musc harmonize eval --data DIR [--data DIR...] [--method M|all]\n"
    "                      [--model FILE]... [--prior-weight W] [--rate R]\n"
    "                      [--split test|valid|train|all] [--json]\n"
    "\n"
    "Write chords under a melody: one of the 48 triads (or no chord) per half\n"
    "bar (or beat, or bar). The melody is the non-drum track with the most\n"
    "notes unless --track says. OUT holds the melody with the chords as chord\n"
    "symbols (shown in MusicXML and ABC output) and, unless --accompaniment\n"
    "none, an accompaniment track: bass root plus a three-note voicing chosen\n"
    "for smooth voice leading, kept under the melody.\n"
    "\n"
    "methods:\n"
    "  template   per frame the triad covering the most melody duration, ties\n"
    "             broken by chord frequency (the model's, or a diatonic default)\n"
    "  hmm        hidden Markov model decoded with Viterbi (default); tables from\n"
    "             --model, else $MUSC_HARMONIZE_MODEL, else the shipped\n"
    "             models/harmonize/hmm.txt\n"
    "  hmm-posterior  the same HMM, each frame's most probable chord (forward-\n"
    "             backward): more frames right than Viterbi's best sequence\n"
    "  bilstm     a bidirectional LSTM over the frames' melody features, each\n"
    "             frame's most probable chord; network from --model FILE.ck,\n"
    "             else $MUSC_HARMONIZE_BILSTM, else models/harmonize/bilstm.ck\n"
    "  bilstm-viterbi  Viterbi over the BiLSTM's log probabilities plus the\n"
    "             HMM's transitions times the weight chosen in training\n"
    "  bilstm-prior  the BiLSTM's probabilities divided by the chord frequencies\n"
    "             to the power --prior-weight (from the checkpoint, 0.4 by\n"
    "             default): more varied chords, a little less accuracy\n"
    "\n"
    "train reads every .abc/.mxl/.musicxml/.xml/.mid under each DIR (POP909's\n"
    "chord_midi.txt and beat_midi.txt beside a MIDI file are used), counts the\n"
    "HMM's statistics on the train split (8 of 10 by a hash of each path),\n"
    "chooses the emission weight on the valid split and writes FILE.\n"
    "With --method bilstm, train fits the BiLSTM on the train split instead,\n"
    "keeps the parameters with the best valid-split accuracy, chooses the\n"
    "bilstm-viterbi transition weight on the valid split (with an HMM counted\n"
    "on the train split) and writes an engine checkpoint (FILE.ck).\n"
    "eval prints CHE, CC, CTD, CTnCTR, PCS, MCTD and chord accuracy (each the\n"
    "mean over pieces) of each method and of the human chords on the test split.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  where to write\n"
    "  --method M         template, hmm (default), hmm-posterior, bilstm,\n"
    "                     bilstm-viterbi, bilstm-prior; eval: all (default); train:\n"
    "                     hmm or bilstm\n"
    "  --model FILE       HMM tables or a BiLSTM checkpoint (told apart by content;\n"
    "                     give both as two --model options)\n"
    "  --steps N, --layers N, --hidden N, --aux W, --dropout P, --lr X, --batch N,\n"
    "  --seq-len N, --eval-every N, --seed N\n"
    "                     BiLSTM training (defaults 3000, 2, 64, 0, 0.2, 0.002, 16,\n"
    "                     64, 200, 1); --aux W > 0 adds the chord-function head\n"
    "  --log FILE         BiLSTM training: write step,loss,valid_accuracy,seconds\n"
    "  --prior-weight W   bilstm-prior's weight (0..2): train stores it, harmonize\n"
    "                     and eval override the checkpoint's\n"
    "  --rate R           half-bar (default), beat or bar\n"
    "  --accompaniment A  block (default), arpeggio or none\n"
    "  --track N          the melody track (0-based)\n"
    "  --tune N|TITLE     the tune of an ABC book (X: number or title)\n"
    "  --data DIR         a corpus folder (train, eval; repeatable)\n"
    "  --split S          eval: test (default), valid, train or all\n"
    "  -f, --force        replace an existing output file\n"
    "  --json             machine-readable output\n"
    "  -q, --quiet        print only errors\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 ok, 1 bad input or model, 2 bad usage\n";

enum { NMETHODS = 6, METHOD_ALL = 6, HUMAN = 6 }; /* after the musc_harmonize_method values */
enum { OPT_METHOD = 256, OPT_MODEL, OPT_RATE, OPT_ACCOMP, OPT_TRACK, OPT_TUNE, OPT_DATA,
       OPT_SPLIT, OPT_JSON, OPT_STEPS, OPT_LAYERS, OPT_HIDDEN, OPT_AUX, OPT_DROPOUT, OPT_LR,
       OPT_BATCH, OPT_SEQ_LEN, OPT_EVAL_EVERY, OPT_SEED, OPT_LOG, OPT_PRIOR };

typedef struct hopts {
    const char *out, *model, *tune, *in, *log;
    const char *models[2];
    int n_models;
    const char *data[16];
    int n_data;
    musc_harmony_net_options net;
    double prior_weight; /* -1: the checkpoint's */
    int method; /* -1 unset, a musc_harmonize_method, or METHOD_ALL */
    musc_harmony_rate rate;
    musc_accompaniment accomp;
    long track;
    int split; /* -1 all */
    int force, json, quiet;
} hopts;

static int parse_args(const char *cmd, int argc, char **argv, hopts *o, int *done)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"method", required_argument, NULL, OPT_METHOD},
        {"model", required_argument, NULL, OPT_MODEL},
        {"rate", required_argument, NULL, OPT_RATE},
        {"accompaniment", required_argument, NULL, OPT_ACCOMP},
        {"track", required_argument, NULL, OPT_TRACK},
        {"tune", required_argument, NULL, OPT_TUNE},
        {"data", required_argument, NULL, OPT_DATA},
        {"split", required_argument, NULL, OPT_SPLIT},
        {"steps", required_argument, NULL, OPT_STEPS},
        {"layers", required_argument, NULL, OPT_LAYERS},
        {"hidden", required_argument, NULL, OPT_HIDDEN},
        {"aux", required_argument, NULL, OPT_AUX},
        {"dropout", required_argument, NULL, OPT_DROPOUT},
        {"lr", required_argument, NULL, OPT_LR},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"seq-len", required_argument, NULL, OPT_SEQ_LEN},
        {"eval-every", required_argument, NULL, OPT_EVAL_EVERY},
        {"seed", required_argument, NULL, OPT_SEED},
        {"log", required_argument, NULL, OPT_LOG},
        {"prior-weight", required_argument, NULL, OPT_PRIOR},
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->method = -1;
    o->track = -1;
    o->split = 2;
    o->net = musc_harmony_net_defaults();
    o->prior_weight = -1;
    *done = 0;
    long v;
    double x;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'f': o->force = 1; break;
        case 'q': o->quiet = 1; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_MODEL:
            if (o->n_models == 2)
                return cli_usage_error(cmd, "at most two --model files (HMM and BiLSTM)");
            o->models[o->n_models++] = optarg;
            o->model = optarg;
            break;
        case OPT_LOG: o->log = optarg; break;
        case OPT_STEPS:
        case OPT_LAYERS:
        case OPT_HIDDEN:
        case OPT_BATCH:
        case OPT_SEQ_LEN:
        case OPT_EVAL_EVERY:
        case OPT_SEED: {
            const char *nm = c == OPT_STEPS      ? "--steps"
                             : c == OPT_LAYERS   ? "--layers"
                             : c == OPT_HIDDEN   ? "--hidden"
                             : c == OPT_BATCH    ? "--batch"
                             : c == OPT_SEQ_LEN  ? "--seq-len"
                             : c == OPT_EVAL_EVERY ? "--eval-every"
                                                 : "--seed";
            long hi = c == OPT_LAYERS ? 4 : c == OPT_HIDDEN ? 512 : c == OPT_SEED ? 2147483647L
                                                                                  : 10000000L;
            if (cli_parse_long(cmd, nm, optarg, c == OPT_SEED ? 0 : 1, hi, &v))
                return EXIT_USAGE;
            if (c == OPT_STEPS) o->net.steps = (int)v;
            else if (c == OPT_LAYERS) o->net.layers = (int)v;
            else if (c == OPT_HIDDEN) o->net.hidden = (int)v;
            else if (c == OPT_BATCH) o->net.batch = (int)v;
            else if (c == OPT_SEQ_LEN) o->net.seq_len = (int)v;
            else if (c == OPT_EVAL_EVERY) o->net.eval_every = (int)v;
            else o->net.seed = (uint64_t)v;
            break;
        }
        case OPT_PRIOR: {
            char *end;
            x = strtod(optarg, &end);
            if (end == optarg || *end || !(x >= 0 && x <= 2))
                return cli_usage_error(cmd, "--prior-weight expects a number in 0..2, not '%s'",
                                       optarg);
            o->prior_weight = x;
            break;
        }
        case OPT_AUX:
        case OPT_DROPOUT:
        case OPT_LR: {
            char *end;
            x = strtod(optarg, &end);
            double hi = c == OPT_DROPOUT ? 0.9 : c == OPT_LR ? 1 : 100;
            if (end == optarg || *end || !(x >= 0 && x <= hi) || (c == OPT_LR && x <= 0))
                return cli_usage_error(cmd, "%s expects a number in %s, not '%s'",
                                       c == OPT_AUX ? "--aux" : c == OPT_DROPOUT ? "--dropout"
                                                                                 : "--lr",
                                       c == OPT_AUX ? "0..100" : c == OPT_DROPOUT ? "0..0.9"
                                                                                  : "(0, 1]",
                                       optarg);
            if (c == OPT_AUX) o->net.aux_weight = (float)x;
            else if (c == OPT_DROPOUT) o->net.dropout = (float)x;
            else o->net.lr = (float)x;
            break;
        }
        case OPT_TUNE: o->tune = optarg; break;
        case OPT_METHOD:
            if (!strcmp(optarg, "template"))
                o->method = 0;
            else if (!strcmp(optarg, "hmm"))
                o->method = 1;
            else if (!strcmp(optarg, "hmm-posterior"))
                o->method = 2;
            else if (!strcmp(optarg, "bilstm"))
                o->method = MUSC_HARMONIZE_BILSTM;
            else if (!strcmp(optarg, "bilstm-viterbi"))
                o->method = MUSC_HARMONIZE_BILSTM_VITERBI;
            else if (!strcmp(optarg, "bilstm-prior"))
                o->method = MUSC_HARMONIZE_BILSTM_PRIOR;
            else if (!strcmp(optarg, "all"))
                o->method = METHOD_ALL;
            else
                return cli_usage_error(cmd,
                                       "--method expects template, hmm, hmm-posterior, bilstm, "
                                       "bilstm-viterbi, bilstm-prior or all, not '%s'",
                                       optarg);
            break;
        case OPT_RATE:
            if (!strcmp(optarg, "half-bar"))
                o->rate = MUSC_HARMONY_HALF_BAR;
            else if (!strcmp(optarg, "beat"))
                o->rate = MUSC_HARMONY_BEAT;
            else if (!strcmp(optarg, "bar"))
                o->rate = MUSC_HARMONY_BAR;
            else
                return cli_usage_error(cmd, "--rate expects half-bar, beat or bar, not '%s'",
                                       optarg);
            break;
        case OPT_ACCOMP:
            if (!strcmp(optarg, "block"))
                o->accomp = MUSC_ACCOMP_BLOCK;
            else if (!strcmp(optarg, "arpeggio"))
                o->accomp = MUSC_ACCOMP_ARPEGGIO;
            else if (!strcmp(optarg, "none"))
                o->accomp = MUSC_ACCOMP_NONE;
            else
                return cli_usage_error(
                    cmd, "--accompaniment expects block, arpeggio or none, not '%s'", optarg);
            break;
        case OPT_TRACK:
            if (cli_parse_long(cmd, "--track", optarg, 0, 1000000, &o->track))
                return EXIT_USAGE;
            break;
        case OPT_DATA:
            if (o->n_data == 16)
                return cli_usage_error(cmd, "at most 16 --data folders");
            o->data[o->n_data++] = optarg;
            break;
        case OPT_SPLIT:
            if (!strcmp(optarg, "train"))
                o->split = 0;
            else if (!strcmp(optarg, "valid"))
                o->split = 1;
            else if (!strcmp(optarg, "test"))
                o->split = 2;
            else if (!strcmp(optarg, "all"))
                o->split = -1;
            else
                return cli_usage_error(cmd, "--split expects test, valid, train or all");
            break;
        case 'h':
            fputs(harmonize_help, stdout);
            *done = 1;
            return EXIT_OK;
        default: return cli_bad_option(cmd, argv, c);
        }
    }
    if (optind < argc)
        o->in = argv[optind++];
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return EXIT_OK;
}

static const char *method_name(int m)
{
    return m == 0   ? "template"
           : m == 1 ? "hmm"
           : m == 2 ? "hmm-posterior"
           : m == 3 ? "bilstm"
           : m == 4 ? "bilstm-viterbi"
           : m == 5 ? "bilstm-prior"
                    : "human";
}

/* $env, else models/harmonize/FILE beside the source tree the binary was
 * built in (or installed under share/musc). NULL when none exists. */
static const char *default_model(const char *env_name, const char *file, char *buf, size_t cap)
{
    const char *env = getenv(env_name);
    if (env && *env)
        return env;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    const char *dir = dirname(exe);
    static const char *const rel[] = {"/../models/harmonize/", "/../share/musc/models/harmonize/"};
    for (size_t i = 0; i < 2; i++) {
        int k = snprintf(buf, cap, "%s%s%s", dir, rel[i], file);
        if (k > 0 && (size_t)k < cap && cli_path_exists(buf))
            return buf;
    }
    return NULL;
}

/* Whether a file starts like an engine checkpoint (the BiLSTM). */
static int is_checkpoint(const char *path)
{
    FILE *f = fopen(path, "rb");
    char magic[8] = {0};
    int yes = f && fread(magic, 1, 8, f) == 8 && !memcmp(magic, "MUSCNNCK", 8);
    if (f)
        fclose(f);
    return yes;
}

/* The models a method needs: the HMM tables (from a --model that is not a
 * checkpoint, else the default; required by hmm, hmm-posterior and all)
 * and the BiLSTM (from a --model checkpoint, else the default; required by
 * the bilstm methods, used by all when found). *have_net says whether *h
 * holds a network. */
static int load_model(const char *cmd, const hopts *o, int method, musc_harmonizer **h,
                      int *have_net)
{
    char buf[4200], nbuf[4200];
    *h = NULL;
    if (have_net)
        *have_net = 0;
    const char *hmm_path = NULL, *net_path = NULL;
    for (int i = 0; i < o->n_models; i++) {
        const char **slot = is_checkpoint(o->models[i]) ? &net_path : &hmm_path;
        if (*slot)
            return cli_usage_error(cmd, "two %s models given ('%s', '%s')",
                                   slot == &net_path ? "BiLSTM" : "HMM", *slot, o->models[i]);
        *slot = o->models[i];
    }
    int bilstm = method == MUSC_HARMONIZE_BILSTM || method == MUSC_HARMONIZE_BILSTM_VITERBI ||
                 method == MUSC_HARMONIZE_BILSTM_PRIOR;
    if (net_path && !bilstm && method != METHOD_ALL) {
        fprintf(stderr,
                "musc %s: %s is a BiLSTM checkpoint; --method %s needs HMM tables (use --method "
                "bilstm or bilstm-viterbi)\n",
                cmd, net_path, method_name(method));
        return EXIT_INPUT;
    }
    int need_hmm = method == MUSC_HARMONIZE_HMM || method == MUSC_HARMONIZE_HMM_POSTERIOR ||
                   method == METHOD_ALL;
    if (!hmm_path)
        hmm_path = default_model("MUSC_HARMONIZE_MODEL", "hmm.txt", buf, sizeof buf);
    if (!net_path && (bilstm || method == METHOD_ALL))
        net_path = default_model("MUSC_HARMONIZE_BILSTM", "bilstm.ck", nbuf, sizeof nbuf);
    if (!hmm_path && need_hmm) {
        fprintf(stderr,
                "musc %s: no HMM model: pass --model FILE (from musc harmonize train), set "
                "MUSC_HARMONIZE_MODEL, or use --method template\n",
                cmd);
        return EXIT_INPUT;
    }
    if (!net_path && bilstm) {
        fprintf(stderr,
                "musc %s: no BiLSTM model: pass --model FILE.ck (from musc harmonize train "
                "--method bilstm) or set MUSC_HARMONIZE_BILSTM\n",
                cmd);
        return EXIT_INPUT;
    }
    musc_status st = MUSC_OK;
    if (hmm_path && (need_hmm || bilstm || method == MUSC_HARMONIZE_TEMPLATE))
        st = musc_harmonizer_read(hmm_path, h);
    if (st)
        return cli_fail(cmd, st);
    if (net_path && (bilstm || method == METHOD_ALL)) {
        musc_harmony_net *net = NULL;
        musc_harmonizer *with = NULL;
        st = musc_harmony_net_load(net_path, &net);
        if (!st && o->prior_weight >= 0)
            musc_harmony_net_set_prior_weight(net, o->prior_weight);
        if (!st)
            st = musc_harmonizer_with_net(net, *h, &with);
        if (st) {
            musc_harmonizer_free(*h);
            *h = NULL;
            return cli_fail(cmd, st);
        }
        musc_harmonizer_free(*h);
        *h = with;
        if (have_net)
            *have_net = 1;
    }
    return EXIT_OK;
}


static int harmonize_file(hopts *o)
{
    const char *cmd = "harmonize";
    if (!o->in)
        return cli_usage_error(cmd, "expected an input file (see --help)");
    if (!o->out)
        return cli_usage_error(cmd, "expected -o OUT");
    if (o->method == METHOD_ALL)
        return cli_usage_error(cmd, "--method all is for eval; use template, hmm, "
                                    "hmm-posterior, bilstm or bilstm-viterbi");
    if (o->n_data)
        return cli_usage_error(cmd, "--data is for train and eval");
    if (musc_format_from_path(o->out) == MUSC_FORMAT_UNKNOWN)
        return cli_usage_error(cmd, "cannot tell the format of '%s' from its extension", o->out);
    if (!o->force && cli_path_exists(o->out)) {
        fprintf(stderr, "musc harmonize: %s exists; pass --force to replace it\n", o->out);
        return EXIT_INPUT;
    }
    int method = o->method < 0 ? 1 : o->method;
    musc_harmonizer *h = NULL;
    int rc = load_model(cmd, o, method, &h, NULL);
    if (rc)
        return rc;
    musc_read_options ro = musc_read_options_default();
    if (o->tune && cli_select_tune(cmd, o->in, o->tune, &ro)) {
        musc_harmonizer_free(h);
        return EXIT_INPUT;
    }
    musc_music *in = NULL, *out = NULL;
    musc_status st = musc_read(o->in, &ro, &in, NULL);
    if (st) {
        musc_harmonizer_free(h);
        return cli_fail(cmd, st);
    }
    if (o->track >= 0 && (size_t)o->track >= in->n_tracks) {
        fprintf(stderr, "musc harmonize: --track %ld, but %s has %zu track%s\n", o->track, o->in,
                in->n_tracks, in->n_tracks == 1 ? "" : "s");
        musc_music_free(in);
        musc_harmonizer_free(h);
        return EXIT_INPUT;
    }
    st = musc_harmonize_music(in, (int)o->track, o->rate, method, h, o->accomp, &out);
    if (!st) {
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = o->force;
        st = musc_write(out, o->out, &wo);
    }
    if (st) {
        rc = cli_fail(cmd, st);
    } else if (!o->quiet) {
        size_t changes = out->tracks[0].n_annotations, nacc = 0;
        size_t k = 0;
        for (size_t i = 0; i < out->tracks[0].n_annotations; i++)
            k += out->tracks[0].annotations[i].kind == MUSC_ANN_CHORD;
        changes = k;
        if (out->n_tracks > 1)
            nacc = out->tracks[1].n_notes;
        if (o->json) {
            json_t *j = json_object();
            json_object_set_new(j, "output", json_string(o->out));
            json_object_set_new(j, "method", json_string(method_name(method)));
            json_object_set_new(j, "melody_notes", json_integer((json_int_t)out->tracks[0].n_notes));
            json_object_set_new(j, "chord_symbols", json_integer((json_int_t)changes));
            json_object_set_new(j, "accompaniment_notes", json_integer((json_int_t)nacc));
            cli_print_json(j);
        } else {
            printf("wrote %s: %zu melody notes, %zu chord symbols (%s), %zu accompaniment "
                   "notes\n",
                   o->out, out->tracks[0].n_notes, changes, method_name(method), nacc);
        }
    }
    musc_music_free(in);
    musc_music_free(out);
    musc_harmonizer_free(h);
    return rc;
}

static size_t corpus_frames(const musc_harmony_corpus *c, int split)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (split < 0 || c->splits[i] == split)
            n += c->pieces[i].n_frames;
    return n;
}

typedef struct train_log {
    FILE *csv;
    int tty, quiet;
} train_log;

static void on_progress(void *ctx, int step, double loss, double acc, double secs)
{
    train_log *t = ctx;
    if (t->csv) {
        fprintf(t->csv, "%d,%.6f,%.6f,%.2f\n", step, loss, acc, secs);
        fflush(t->csv);
    }
    if (!t->quiet)
        fprintf(stderr, "musc harmonize train: step %d  loss %.4f  valid accuracy %.4f  %.0f s\n",
                step, loss, acc, secs);
}

/* The BiLSTM on the train split, the kept parameters chosen on the valid
 * split, the Viterbi transition weight tuned there with an HMM counted on
 * the train split. */
static int train_bilstm(const char *cmd, const hopts *o, const musc_harmony_piece *train,
                        size_t nt, const musc_harmony_piece *valid, size_t nv, size_t frames,
                        double t_start)
{
    double prior_override = -1;
    train_log tl = {NULL, isatty(2), o->quiet};
    if (o->log && !(tl.csv = fopen(o->log, "w"))) {
        fprintf(stderr, "musc %s: cannot write %s\n", cmd, o->log);
        return EXIT_INPUT;
    }
    if (tl.csv)
        fprintf(tl.csv, "step,loss,valid_accuracy,seconds\n");
    musc_harmony_net_options no = o->net;
    if (o->prior_weight >= 0)
        prior_override = o->prior_weight;
    no.progress = on_progress;
    no.ctx = &tl;
    clock_t c0 = clock();
    musc_harmony_net *net = NULL;
    musc_harmonizer *hmm = NULL, *h = NULL;
    double w = 1;
    musc_status st = musc_harmony_net_train(train, nt, valid, nv, &no, &net);
    if (!st)
        st = musc_harmonizer_train(train, nt, &hmm);
    if (!st)
        st = musc_harmonizer_with_net(net, hmm, &h);
    else
        musc_harmony_net_free(net);
    if (!st)
        st = musc_harmonizer_tune_net(h, valid, nv, &w);
    if (tl.csv)
        fclose(tl.csv);
    int rc = EXIT_OK;
    if (!st && prior_override >= 0)
        musc_harmony_net_set_prior_weight(net, prior_override);
    if (!st) /* net belongs to h now, and lives as long as it */
        st = musc_harmony_net_save(net, o->out);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)t1.tv_sec + 1e-9 * (double)t1.tv_nsec - t_start;
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    if (st) {
        rc = cli_fail(cmd, st);
    } else if (!o->quiet) {
        if (o->json) {
            json_t *j = json_object();
            json_object_set_new(j, "output", json_string(o->out));
            json_object_set_new(j, "method", json_string("bilstm"));
            json_object_set_new(j, "train_pieces", json_integer((json_int_t)nt));
            json_object_set_new(j, "train_frames", json_integer((json_int_t)frames));
            json_object_set_new(j, "valid_pieces", json_integer((json_int_t)nv));
            json_object_set_new(j, "transition_weight", json_real(w));
            json_object_set_new(j, "seconds", json_real(secs));
            json_object_set_new(j, "cpu_seconds", json_real(cpu));
            cli_print_json(j);
        } else {
            printf("wrote %s: BiLSTM %d x %d from %zu pieces (%zu frames), %d steps, "
                   "bilstm-viterbi transition weight %g chosen on %zu valid pieces, %.1f s "
                   "(%.1f s CPU)\n",
                   o->out, o->net.layers, o->net.hidden, nt, frames, o->net.steps, w, nv, secs,
                   cpu);
        }
    }
    musc_harmonizer_free(h);
    musc_harmonizer_free(hmm);
    return rc;
}

int cmd_harmonize_train(int argc, char **argv)
{
    const char *cmd = "harmonize train";
    hopts o;
    int done, rc = parse_args(cmd, argc, argv, &o, &done);
    if (rc || done)
        return rc;
    if (!o.n_data)
        return cli_usage_error(cmd, "expected --data DIR");
    if (!o.out)
        return cli_usage_error(cmd, "expected -o FILE");
    if (o.method >= 0 && o.method != MUSC_HARMONIZE_HMM && o.method != MUSC_HARMONIZE_BILSTM)
        return cli_usage_error(cmd, "--method for train is hmm or bilstm");
    if (o.in)
        return cli_usage_error(cmd, "unexpected argument '%s'", o.in);
    if (!o.force && cli_path_exists(o.out)) {
        fprintf(stderr, "musc %s: %s exists; pass --force to replace it\n", cmd, o.out);
        return EXIT_INPUT;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    musc_harmony_corpus all = {0};
    musc_status st = MUSC_OK;
    for (int d = 0; d < o.n_data && !st; d++) {
        musc_harmony_corpus c;
        st = musc_harmony_corpus_load(o.data[d], -1, o.rate, &c);
        if (st)
            break;
        if (!o.quiet)
            fprintf(stderr, "musc %s: %s: %zu pieces with chords (%zu skipped, %zu unreadable)\n",
                    cmd, o.data[d], c.n, c.n_skipped, c.n_failed);
        /* move the pieces over */
        for (size_t i = 0; i < c.n && !st; i++) {
            if (all.n == all.cap) {
                size_t cap = all.cap ? 2 * all.cap : 256;
                musc_harmony_piece *p = realloc(all.pieces, cap * sizeof *p);
                int *s = p ? realloc(all.splits, cap * sizeof *s) : NULL;
                if (p)
                    all.pieces = p;
                if (!s) {
                    st = MUSC_ERR_NOMEM;
                    break;
                }
                all.splits = s;
                all.cap = cap;
            }
            all.pieces[all.n] = c.pieces[i];
            all.splits[all.n++] = c.splits[i];
            memset(&c.pieces[i], 0, sizeof c.pieces[i]);
        }
        musc_harmony_corpus_free(&c);
    }
    if (st) {
        for (size_t i = 0; i < all.n; i++)
            musc_harmony_piece_clear(&all.pieces[i]);
        free(all.pieces);
        free(all.splits);
        return cli_fail(cmd, st);
    }
    if (o.method == MUSC_HARMONIZE_BILSTM) {
        musc_harmony_piece *tr = malloc((all.n ? all.n : 1) * sizeof *tr);
        musc_harmony_piece *va = malloc((all.n ? all.n : 1) * sizeof *va);
        size_t ntr = 0, nva = 0;
        for (size_t i = 0; tr && va && i < all.n; i++) {
            if (all.splits[i] == 0)
                tr[ntr++] = all.pieces[i];
            else if (all.splits[i] == 1)
                va[nva++] = all.pieces[i];
        }
        rc = !tr || !va ? cli_fail(cmd, MUSC_ERR_NOMEM)
                        : train_bilstm(cmd, &o, tr, ntr, va, nva, corpus_frames(&all, 0),
                                       (double)t0.tv_sec + 1e-9 * (double)t0.tv_nsec);
        free(tr);
        free(va);
        for (size_t i = 0; i < all.n; i++)
            musc_harmony_piece_clear(&all.pieces[i]);
        free(all.pieces);
        free(all.splits);
        return rc;
    }
    /* train on the train split, tune on the valid split */
    musc_harmony_piece *train = malloc((all.n ? all.n : 1) * sizeof *train);
    musc_harmony_piece *valid = malloc((all.n ? all.n : 1) * sizeof *valid);
    size_t nt = 0, nv = 0;
    for (size_t i = 0; train && valid && i < all.n; i++) {
        if (all.splits[i] == 0)
            train[nt++] = all.pieces[i];
        else if (all.splits[i] == 1)
            valid[nv++] = all.pieces[i];
    }
    musc_harmonizer *h = NULL;
    double w = 1;
    st = !train || !valid ? MUSC_ERR_NOMEM : musc_harmonizer_train(train, nt, &h);
    if (!st)
        st = musc_harmonizer_tune(h, valid, nv, &w);
    if (!st)
        st = musc_harmonizer_write(h, o.out, o.force);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (st) {
        rc = cli_fail(cmd, st);
    } else if (!o.quiet) {
        if (o.json) {
            json_t *j = json_object();
            json_object_set_new(j, "output", json_string(o.out));
            json_object_set_new(j, "train_pieces", json_integer((json_int_t)nt));
            json_object_set_new(j, "train_frames", json_integer((json_int_t)corpus_frames(&all, 0)));
            json_object_set_new(j, "valid_pieces", json_integer((json_int_t)nv));
            json_object_set_new(j, "emission_weight", json_real(w));
            json_object_set_new(j, "seconds", json_real(secs));
            cli_print_json(j);
        } else {
            printf("wrote %s: HMM from %zu pieces (%zu frames), emission weight %g chosen on %zu "
                   "valid pieces, %.2f s\n",
                   o.out, nt, corpus_frames(&all, 0), w, nv, secs);
        }
    }
    musc_harmonizer_free(h);
    free(train);
    free(valid);
    for (size_t i = 0; i < all.n; i++)
        musc_harmony_piece_clear(&all.pieces[i]);
    free(all.pieces);
    free(all.splits);
    return rc;
}

/* Sums of per-piece metrics, NaNs left out, for a mean over pieces. */
typedef struct msum {
    double v[7];
    size_t n[7];
} msum;

static void msum_add(msum *s, const musc_harmony_metrics *m)
{
    const double x[7] = {m->che, m->cc, m->ctd, m->ctnctr, m->pcs, m->mctd, m->accuracy};
    for (int k = 0; k < 7; k++)
        if (!isnan(x[k]))
            s->v[k] += x[k], s->n[k]++;
}

static double msum_mean(const msum *s, int k)
{
    return s->n[k] ? s->v[k] / (double)s->n[k] : NAN;
}

static const char *const METRIC_NAMES[7] = {"CHE", "CC", "CTD", "CTnCTR", "PCS", "MCTD",
                                            "accuracy"};

static json_t *jnum(double x)
{
    return isnan(x) ? json_null() : json_real(x);
}

int cmd_harmonize_eval(int argc, char **argv)
{
    const char *cmd = "harmonize eval";
    hopts o;
    int done, rc = parse_args(cmd, argc, argv, &o, &done);
    if (rc || done)
        return rc;
    if (!o.n_data)
        return cli_usage_error(cmd, "expected --data DIR");
    if (o.in)
        return cli_usage_error(cmd, "unexpected argument '%s'", o.in);
    int method = o.method < 0 ? METHOD_ALL : o.method;
    musc_harmonizer *h = NULL;
    int have_net = 0;
    if ((rc = load_model(cmd, &o, method, &h, &have_net)))
        return rc;
    int methods[NMETHODS + 1], nm = 0;
    for (int k = 0; k < NMETHODS; k++)
        if (method == k || (method == METHOD_ALL && (k < MUSC_HARMONIZE_BILSTM || have_net)))
            methods[nm++] = k;
    methods[nm++] = HUMAN;
    json_t *jall = o.json ? json_array() : NULL;
    for (int d = 0; d < o.n_data && !rc; d++) {
        musc_harmony_corpus c;
        musc_status st = musc_harmony_corpus_load(o.data[d], o.split, o.rate, &c);
        if (st) {
            rc = cli_fail(cmd, st);
            break;
        }
        msum sums[NMETHODS + 1];
        memset(sums, 0, sizeof sums);
        size_t frames = 0, notes = 0;
        struct timespec t0, t1;
        double secs[NMETHODS + 1] = {0};
        for (size_t i = 0; i < c.n && !st; i++) {
            const musc_harmony_piece *p = &c.pieces[i];
            int *chords = malloc((p->n_frames ? p->n_frames : 1) * sizeof *chords);
            if (!chords) {
                st = MUSC_ERR_NOMEM;
                break;
            }
            frames += p->n_frames;
            notes += p->n_notes;
            for (int k = 0; k < nm && !st; k++) {
                clock_gettime(CLOCK_MONOTONIC, &t0);
                if (methods[k] == HUMAN)
                    memcpy(chords, p->chords, p->n_frames * sizeof *chords);
                else
                    st = musc_harmonize_piece(p, methods[k], h, chords);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                secs[k] += (double)(t1.tv_sec - t0.tv_sec) +
                           1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
                musc_harmony_input in = {p->melody, p->n_notes, p->frames, p->n_frames,
                                         chords,    p->chords,  p->resolution};
                musc_harmony_metrics m;
                if (!st)
                    st = musc_harmony_metrics_compute(&in, &m);
                if (!st)
                    msum_add(&sums[k], &m);
            }
            free(chords);
        }
        if (st) {
            musc_harmony_corpus_free(&c);
            rc = cli_fail(cmd, st);
            break;
        }
        const char *split = o.split < 0 ? "all" : musc_split_name(o.split);
        if (o.json) {
            json_t *j = json_object();
            json_object_set_new(j, "data", json_string(o.data[d]));
            json_object_set_new(j, "split", json_string(split));
            json_object_set_new(j, "pieces", json_integer((json_int_t)c.n));
            json_object_set_new(j, "skipped", json_integer((json_int_t)c.n_skipped));
            json_object_set_new(j, "unreadable", json_integer((json_int_t)c.n_failed));
            json_object_set_new(j, "frames", json_integer((json_int_t)frames));
            json_object_set_new(j, "notes", json_integer((json_int_t)notes));
            json_t *jm = json_object();
            for (int k = 0; k < nm; k++) {
                json_t *row = json_object();
                for (int q = 0; q < 7; q++)
                    json_object_set_new(row, METRIC_NAMES[q], jnum(msum_mean(&sums[k], q)));
                if (methods[k] != HUMAN)
                    json_object_set_new(row, "notes_per_second",
                                        jnum(secs[k] > 0 ? (double)notes / secs[k] : NAN));
                json_object_set_new(jm, method_name(methods[k]), row);
            }
            json_object_set_new(j, "methods", jm);
            json_array_append_new(jall, j);
        } else {
            printf("%s: %s split, %zu pieces (%zu skipped without chords or melody, %zu "
                   "unreadable), %zu frames, %zu notes\n",
                   o.data[d], split, c.n, c.n_skipped, c.n_failed, frames, notes);
            printf("%-10s", "metric");
            for (int k = 0; k < nm; k++)
                printf(" %14s", method_name(methods[k]));
            printf("\n");
            for (int q = 0; q < 7; q++) {
                printf("%-10s", METRIC_NAMES[q]);
                for (int k = 0; k < nm; k++)
                    printf(" %14.4f", msum_mean(&sums[k], q));
                printf("\n");
            }
        }
        musc_harmony_corpus_free(&c);
    }
    if (jall) {
        if (!rc)
            cli_print_json(json_pack("{s:o}", "datasets", jall));
        else
            json_decref(jall);
    }
    musc_harmonizer_free(h);
    return rc;
}

int cmd_harmonize(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "train"))
        return cmd_harmonize_train(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "eval"))
        return cmd_harmonize_eval(argc - 1, argv + 1);
    hopts o;
    int done, rc = parse_args("harmonize", argc, argv, &o, &done);
    if (rc || done)
        return rc;
    return harmonize_file(&o);
}
