/*
 * musc harmonize IN -o OUT: chords for a melody (template matching or the
 * HMM), written as chord symbols with a voiced accompaniment.
 * musc harmonize train --data DIR... -o FILE: the HMM's tables.
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
    "usage: musc harmonize IN -o OUT [--method template|hmm|hmm-posterior] [--model FILE]\n"
    "                      [--rate half-bar|beat|bar] [--accompaniment block|arpeggio|none]\n"
    "                      [--track N] [--tune N|TITLE] [--force] [--json] [--quiet]\n"
    "       musc harmonize train --data DIR [--data DIR...] -o FILE [--rate R] [--force]\n"
    "       musc harmonize eval --data DIR [--data DIR...] [--method M|all]\n"
    "                      [--model FILE] [--rate R] [--split test|valid|train|all] [--json]\n"
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
    "\n"
    "train reads every .abc/.mxl/.musicxml/.xml/.mid under each DIR (POP909's\n"
    "chord_midi.txt and beat_midi.txt beside a MIDI file are used), counts the\n"
    "HMM's statistics on the train split (8 of 10 by a hash of each path),\n"
    "chooses the emission weight on the valid split and writes FILE.\n"
    "eval prints CHE, CC, CTD, CTnCTR, PCS, MCTD and chord accuracy (each the\n"
    "mean over pieces) of each method and of the human chords on the test split.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  where to write\n"
    "  --method M         template, hmm (default), hmm-posterior; eval: all (default)\n"
    "  --model FILE       HMM tables (musc harmonize train)\n"
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

enum { METHOD_ALL = 3, HUMAN = 3 }; /* after the musc_harmonize_method values */
enum { OPT_METHOD = 256, OPT_MODEL, OPT_RATE, OPT_ACCOMP, OPT_TRACK, OPT_TUNE, OPT_DATA,
       OPT_SPLIT, OPT_JSON };

typedef struct hopts {
    const char *out, *model, *tune, *in;
    const char *data[16];
    int n_data;
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
        {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, OPT_JSON},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->method = -1;
    o->track = -1;
    o->split = 2;
    *done = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'f': o->force = 1; break;
        case 'q': o->quiet = 1; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_MODEL: o->model = optarg; break;
        case OPT_TUNE: o->tune = optarg; break;
        case OPT_METHOD:
            if (!strcmp(optarg, "template"))
                o->method = 0;
            else if (!strcmp(optarg, "hmm"))
                o->method = 1;
            else if (!strcmp(optarg, "hmm-posterior"))
                o->method = 2;
            else if (!strcmp(optarg, "all"))
                o->method = METHOD_ALL;
            else
                return cli_usage_error(
                    cmd, "--method expects template, hmm, hmm-posterior or all, not '%s'", optarg);
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

/* --model, else $MUSC_HARMONIZE_MODEL, else models/harmonize/hmm.txt
 * beside the source tree the binary was built in (or installed under
 * share/musc). NULL when none exists. */
static const char *default_model(char *buf, size_t cap)
{
    const char *env = getenv("MUSC_HARMONIZE_MODEL");
    if (env && *env)
        return env;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    const char *dir = dirname(exe);
    static const char *const rel[] = {"/../models/harmonize/hmm.txt",
                                      "/../share/musc/models/harmonize/hmm.txt"};
    for (size_t i = 0; i < 2; i++) {
        int k = snprintf(buf, cap, "%s%s", dir, rel[i]);
        if (k > 0 && (size_t)k < cap && cli_path_exists(buf))
            return buf;
    }
    return NULL;
}

static int load_model(const char *cmd, const hopts *o, int required, musc_harmonizer **h)
{
    char buf[4200];
    *h = NULL;
    const char *path = o->model ? o->model : default_model(buf, sizeof buf);
    if (!path) {
        if (!required)
            return EXIT_OK;
        fprintf(stderr,
                "musc %s: no HMM model: pass --model FILE (from musc harmonize train), set "
                "MUSC_HARMONIZE_MODEL, or use --method template\n",
                cmd);
        return EXIT_INPUT;
    }
    musc_status st = musc_harmonizer_read(path, h);
    return st ? cli_fail(cmd, st) : EXIT_OK;
}

static const char *method_name(int m)
{
    return m == 0 ? "template" : m == 1 ? "hmm" : m == 2 ? "hmm-posterior" : "human";
}

static int harmonize_file(hopts *o)
{
    const char *cmd = "harmonize";
    if (!o->in)
        return cli_usage_error(cmd, "expected an input file (see --help)");
    if (!o->out)
        return cli_usage_error(cmd, "expected -o OUT");
    if (o->method == METHOD_ALL)
        return cli_usage_error(cmd, "--method all is for eval; use template, hmm or "
                                    "hmm-posterior");
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
    int rc = load_model(cmd, o, method != 0, &h);
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
    if ((rc = load_model(cmd, &o, method != 0, &h)))
        return rc;
    int methods[4], nm = 0;
    for (int k = 0; k < 3; k++)
        if (method == k || method == METHOD_ALL)
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
        msum sums[4];
        memset(sums, 0, sizeof sums);
        size_t frames = 0, notes = 0;
        struct timespec t0, t1;
        double secs[4] = {0};
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
                printf(" %13s", method_name(methods[k]));
            printf("\n");
            for (int q = 0; q < 7; q++) {
                printf("%-10s", METRIC_NAMES[q]);
                for (int k = 0; k < nm; k++)
                    printf(" %13.4f", msum_mean(&sums[k], q));
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
