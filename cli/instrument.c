/*
 * musc instrument: assign each note of a piece to a part of an ensemble
 * (automatic instrumentation), and train and evaluate the models that do it.
 *
 *   musc instrument IN -o OUT --model M [--online] [--parts P] [--voices V]
 *   musc instrument train --data DIR --dataset D --model KIND -o M [...]
 *   musc instrument eval --model M --data DIR [--json]
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "options.h"

static const char *const label_help =
    "usage: musc instrument IN -o OUT --model M [--online] [--parts satb|pop909|quartet]\n"
    "                       [--voices choir|strings] [--force] [--json]\n"
    "       musc instrument train --help\n"
    "       musc instrument eval --help\n"
    "\n"
    "Automatic instrumentation: all notes of IN (every non-drum track, merged\n"
    "into one stream as if played on one keyboard) are assigned to the parts\n"
    "of an ensemble by model M, and OUT gets one named track per part with a\n"
    "General MIDI program. Formats by extension (MIDI, MusicXML, ABC, JSON).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT   the score to write\n"
    "  -m, --model M      a model from `musc instrument train` (models/instrument/)\n"
    "  --online           insist on a model that uses only past notes (zone,\n"
    "                     closest, lstm): the labelling a live performance gets\n"
    "  --parts P          the ensemble expected of the model: satb (or bach),\n"
    "                     pop909, quartet; an error if the model is another\n"
    "  --voices V         SATB as choir (choir aahs, default) or strings\n"
    "  -f, --force        replace OUT if it exists\n"
    "  --json             print the notes per part as JSON\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 ok, 1 bad input or model, 2 bad usage\n";

static const char *const train_help =
    "usage: musc instrument train --data DIR --dataset bach|pop909|quartet\n"
    "                             --model zone|closest|lstm|bilstm|transformer -o M\n"
    "                             [options]\n"
    "\n"
    "Fit an instrumentation model on the training split (8:1:1 by a hash of\n"
    "each file's path) of the pieces under DIR (several folders: DIR1:DIR2).\n"
    "Pieces whose tracks are not exactly the ensemble's parts are dropped and\n"
    "counted. The network models keep the parameters that scored best on the\n"
    "validation split. Progress goes to stderr on a terminal (and to --log).\n"
    "\n"
    "options:\n"
    "  --steps N          optimizer steps (default 1500)\n"
    "  --batch N          sequences per step (default 16)\n"
    "  --seq-len N        training window in notes (default 256)\n"
    "  --lr X             peak learning rate (default 0.002; warm-up, cosine decay)\n"
    "  --layers N --hidden N --embed N   network size (default 3, 128 for lstm or\n"
    "                     64 per direction for bilstm or 96 for transformer, 128;\n"
    "                     a transformer's embeddings are --hidden wide)\n"
    "  --heads N          transformer attention heads (default 4); --seq-len is\n"
    "                     also its window when labelling longer pieces\n"
    "  --dropout X        between LSTM layers, on the transformer's residual\n"
    "                     branches (default 0.1)\n"
    "  --hints            entry and pitch hints as inputs\n"
    "  --transpose        random transposition -5..+6 semitones while training\n"
    "  --seed N           (default 1)\n"
    "  --log FILE         append progress lines to FILE\n"
    "  --eval-every N     validation every N steps (default 100)\n"
    "  -f, --force        replace M if it exists\n"
    "  -q, --quiet        no progress\n"
    "  -h, --help         show this help\n";

static const char *const eval_help =
    "usage: musc instrument eval --model M --data DIR [--split test|valid|train] [--json]\n"
    "\n"
    "Note-level accuracy of model M on a split (default test) of the pieces\n"
    "under DIR of the model's ensemble: per part (the share of the part's\n"
    "notes given to it), overall, and the confusion matrix (rows: true part,\n"
    "columns: predicted), with the throughput in notes per second (wall\n"
    "clock and CPU time; set OMP_NUM_THREADS=1 for one thread).\n";

static int ensemble_arg(const char *text)
{
    if (!strcmp(text, "satb"))
        return MUSC_INSTR_BACH;
    return musc_instrument_ensemble_from_name(text);
}

static int load_model(const char *cmd, const char *path, musc_instrument_model **m)
{
    musc_status st = musc_instrument_load_model(path, m);
    if (st)
        return cli_fail(cmd, st);
    return EXIT_OK;
}

/* ------------------------------------------------------------------ train */

typedef struct {
    FILE *log;
    int tty;
} progress_ctx;

static void on_progress(void *p, int step, double loss, double acc, double secs)
{
    progress_ctx *c = p;
    char line[160];
    if (acc >= 0)
        snprintf(line, sizeof line, "step %5d  loss %.4f  valid acc %6.2f %%  %.1f s\n", step,
                 loss, acc * 100.0, secs);
    else
        snprintf(line, sizeof line, "step %5d  loss %.4f  %.1f s\n", step, loss, secs);
    if (c->tty)
        fputs(line, stderr);
    if (c->log) {
        fputs(line, c->log);
        fflush(c->log);
    }
}

int cmd_instrument_train(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'd'},    {"dataset", required_argument, NULL, 'D'},
        {"model", required_argument, NULL, 'm'},   {"output", required_argument, NULL, 'o'},
        {"steps", required_argument, NULL, 's'},   {"batch", required_argument, NULL, 'b'},
        {"seq-len", required_argument, NULL, 'L'}, {"lr", required_argument, NULL, 'r'},
        {"layers", required_argument, NULL, 'l'},  {"hidden", required_argument, NULL, 'H'},
        {"embed", required_argument, NULL, 'E'},   {"dropout", required_argument, NULL, 'p'},
        {"hints", no_argument, NULL, 'i'},         {"transpose", no_argument, NULL, 't'},
        {"seed", required_argument, NULL, 'S'},    {"log", required_argument, NULL, 'g'},
        {"eval-every", required_argument, NULL, 'e'}, {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"heads", required_argument, NULL, 'N'},
        {NULL, 0, NULL, 0}};
    const char *data = NULL, *out = NULL, *logpath = NULL;
    int ens = -1, kind = -1, force = 0, quiet = 0;
    musc_instrument_train_options o = musc_instrument_train_defaults();
    long v;
    char *end;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":d:m:o:fqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'D':
            if ((ens = ensemble_arg(optarg)) < 0)
                return cli_usage_error("instrument train",
                                       "--dataset expects bach, pop909 or quartet, not '%s'",
                                       optarg);
            break;
        case 'm':
            if ((kind = musc_instrument_kind_from_name(optarg)) < 0)
                return cli_usage_error("instrument train",
                                       "--model expects zone, closest, lstm, bilstm or "
                                       "transformer, not '%s'",
                                       optarg);
            break;
        case 'o': out = optarg; break;
        case 's': case 'b': case 'L': case 'l': case 'H': case 'E': case 'e': case 'N':
            if (cli_parse_long("instrument train", "a size option", optarg, 1,
                               c == 's' ? 10000000 : 4096, &v))
                return EXIT_USAGE;
            if (c == 's') o.steps = (int)v;
            if (c == 'b') o.batch = (int)v;
            if (c == 'L') o.seq_len = (int)v;
            if (c == 'l') o.layers = (int)v;
            if (c == 'H') o.hidden = (int)v;
            if (c == 'E') o.embed = (int)v;
            if (c == 'e') o.log_every = (int)v;
            if (c == 'N') o.heads = (int)v;
            break;
        case 'S':
            if (cli_parse_long("instrument train", "--seed", optarg, 0, 2147483647L, &v))
                return EXIT_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'r':
        case 'p': {
            double x = strtod(optarg, &end);
            if (*end || end == optarg || !(x >= 0) || x > (c == 'p' ? 0.9 : 1.0))
                return cli_usage_error("instrument train", "%s expects a number, not '%s'",
                                       c == 'r' ? "--lr" : "--dropout", optarg);
            if (c == 'r') o.lr = (float)x;
            else o.dropout = (float)x;
            break;
        }
        case 'i': o.hints = 1; break;
        case 't': o.transpose = 1; break;
        case 'g': logpath = optarg; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(train_help, stdout); return EXIT_OK;
        default: return cli_bad_option("instrument train", argv, c);
        }
    }
    if (optind != argc || !data || ens < 0 || kind < 0 || !out)
        return cli_usage_error("instrument train",
                               "expects --data DIR --dataset D --model KIND -o M (see --help)");
    if (!force && cli_path_exists(out)) {
        fprintf(stderr, "musc instrument train: %s exists (use --force to replace it)\n", out);
        return EXIT_INPUT;
    }
    musc_instrument_set train, valid;
    musc_status st = musc_instrument_load(data, (musc_instrument_ensemble)ens, 0, &train);
    if (st)
        return cli_fail("instrument train", st);
    st = musc_instrument_load(data, (musc_instrument_ensemble)ens, 1, &valid);
    if (st) {
        musc_instrument_set_free(&train);
        return cli_fail("instrument train", st);
    }
    progress_ctx pc = {NULL, !quiet && isatty(2)};
    if (logpath && !(pc.log = fopen(logpath, "a"))) {
        musc_instrument_set_free(&train);
        musc_instrument_set_free(&valid);
        fprintf(stderr, "musc instrument train: cannot open %s\n", logpath);
        return EXIT_INPUT;
    }
    size_t notes = 0;
    for (size_t i = 0; i < train.n_pieces; i++)
        notes += train.pieces[i].n_notes;
    char head[256];
    snprintf(head, sizeof head,
             "train: %zu pieces, %zu notes (%zu files in the split, %zu not %s, %zu unreadable);"
             " valid: %zu pieces\n",
             train.n_pieces, notes, train.n_files, train.n_dropped,
             musc_instrument_ensemble_name((musc_instrument_ensemble)ens), train.n_failed,
             valid.n_pieces);
    if (!quiet)
        fputs(head, stderr);
    if (pc.log)
        fputs(head, pc.log);
    o.progress = on_progress;
    o.ctx = &pc;
    musc_instrument_model *m = NULL;
    st = musc_instrument_train((musc_instrument_kind)kind, (musc_instrument_ensemble)ens, &train,
                               &valid, &o, &m);
    int rc = EXIT_OK;
    if (st) {
        rc = cli_fail("instrument train", st);
    } else {
        musc_instrument_eval ev;
        st = musc_instrument_evaluate(m, &valid, &ev);
        if (!st)
            st = musc_instrument_save(m, out);
        if (st) {
            rc = cli_fail("instrument train", st);
        } else {
            char tail[160];
            snprintf(tail, sizeof tail, "saved %s: validation accuracy %.2f %% (%zu notes)\n",
                     out, ev.n_notes ? 100.0 * ev.n_correct / ev.n_notes : 0.0, ev.n_notes);
            if (!quiet)
                fputs(tail, stderr);
            if (pc.log)
                fputs(tail, pc.log);
        }
    }
    if (pc.log)
        fclose(pc.log);
    musc_instrument_model_free(m);
    musc_instrument_set_free(&train);
    musc_instrument_set_free(&valid);
    return rc;
}

/* ------------------------------------------------------------------- eval */

#include <time.h>

int cmd_instrument_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'}, {"data", required_argument, NULL, 'd'},
        {"split", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    const char *model = NULL, *data = NULL;
    int split = 2, json = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":m:d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'd': data = optarg; break;
        case 's':
            split = !strcmp(optarg, "train") ? 0 : !strcmp(optarg, "valid") ? 1
                    : !strcmp(optarg, "test") ? 2 : -2;
            if (split < 0)
                return cli_usage_error("instrument eval",
                                       "--split expects train, valid or test, not '%s'", optarg);
            break;
        case 'J': json = 1; break;
        case 'h': fputs(eval_help, stdout); return EXIT_OK;
        default: return cli_bad_option("instrument eval", argv, c);
        }
    }
    if (optind != argc || !model || !data)
        return cli_usage_error("instrument eval", "expects --model M --data DIR (see --help)");
    musc_instrument_model *m;
    int rc = load_model("instrument eval", model, &m);
    if (rc)
        return rc;
    musc_instrument_ensemble e = musc_instrument_model_ensemble(m);
    musc_instrument_set set;
    musc_status st = musc_instrument_load(data, e, split, &set);
    if (st) {
        musc_instrument_model_free(m);
        return cli_fail("instrument eval", st);
    }
    musc_instrument_eval ev;
    struct timespec t0, t1, c0, c1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    st = musc_instrument_evaluate(m, &set, &ev);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) * 1e-9;
    if (st) {
        musc_instrument_set_free(&set);
        musc_instrument_model_free(m);
        return cli_fail("instrument eval", st);
    }
    int K = ev.n_parts;
    const char *split_name = split == 0 ? "train" : split == 1 ? "valid" : "test";
    double overall = ev.n_notes ? 100.0 * ev.n_correct / ev.n_notes : 0.0;
    if (json) {
        json_t *o = json_object(), *parts = json_array(), *conf = json_array();
        for (int t = 0; t < K; t++) {
            size_t row = 0;
            json_t *r = json_array();
            for (int p = 0; p < K; p++) {
                row += ev.confusion[t * K + p];
                json_array_append_new(r, json_integer((json_int_t)ev.confusion[t * K + p]));
            }
            json_array_append_new(conf, r);
            json_t *po = json_object();
            json_object_set_new(po, "part", json_string(musc_instrument_part_name(e, t)));
            json_object_set_new(po, "notes", json_integer((json_int_t)row));
            json_object_set_new(po, "accuracy",
                                json_real(row ? 100.0 * ev.confusion[t * K + t] / row : 0.0));
            json_array_append_new(parts, po);
        }
        json_object_set_new(o, "model", json_string(musc_instrument_kind_name(
                                            musc_instrument_model_kind(m))));
        json_object_set_new(o, "dataset", json_string(musc_instrument_ensemble_name(e)));
        json_object_set_new(o, "split", json_string(split_name));
        json_object_set_new(o, "pieces", json_integer((json_int_t)set.n_pieces));
        json_object_set_new(o, "dropped", json_integer((json_int_t)set.n_dropped));
        json_object_set_new(o, "notes", json_integer((json_int_t)ev.n_notes));
        json_object_set_new(o, "accuracy", json_real(overall));
        json_object_set_new(o, "parts", parts);
        json_object_set_new(o, "confusion", conf);
        json_object_set_new(o, "notes_per_second", json_real(secs > 0 ? ev.n_notes / secs : 0));
        json_object_set_new(o, "notes_per_cpu_second", json_real(cpu > 0 ? ev.n_notes / cpu : 0));
        if (cli_print_json(o))
            rc = EXIT_INPUT;
    } else {
        printf("model %s (%s), %s split: %zu pieces (%zu dropped), %zu notes\n",
               musc_instrument_kind_name(musc_instrument_model_kind(m)),
               musc_instrument_ensemble_name(e), split_name, set.n_pieces, set.n_dropped,
               ev.n_notes);
        printf("%-10s %8s %9s\n", "part", "notes", "accuracy");
        for (int t = 0; t < K; t++) {
            size_t row = 0;
            for (int p = 0; p < K; p++)
                row += ev.confusion[t * K + p];
            printf("%-10s %8zu %8.2f %%\n", musc_instrument_part_name(e, t), row,
                   row ? 100.0 * ev.confusion[t * K + t] / row : 0.0);
        }
        printf("%-10s %8zu %8.2f %%\n", "overall", ev.n_notes, overall);
        printf("\nconfusion (rows: true part, columns: predicted)\n%-10s", "");
        for (int p = 0; p < K; p++)
            printf(" %8s", musc_instrument_part_name(e, p));
        printf("\n");
        for (int t = 0; t < K; t++) {
            printf("%-10s", musc_instrument_part_name(e, t));
            for (int p = 0; p < K; p++)
                printf(" %8zu", ev.confusion[t * K + p]);
            printf("\n");
        }
        printf("\n%.0f notes/s (wall clock), %.0f notes per CPU second\n",
               secs > 0 ? ev.n_notes / secs : 0.0, cpu > 0 ? ev.n_notes / cpu : 0.0);
    }
    musc_instrument_set_free(&set);
    musc_instrument_model_free(m);
    return rc;
}

/* ------------------------------------------------------------------ label */

int cmd_instrument(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "train"))
        return cmd_instrument_train(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "eval"))
        return cmd_instrument_eval(argc - 1, argv + 1);
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"model", required_argument, NULL, 'm'},
        {"online", no_argument, NULL, 'O'},       {"parts", required_argument, NULL, 'P'},
        {"voices", required_argument, NULL, 'V'}, {"force", no_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'J'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *out = NULL, *model = NULL;
    int online = 0, parts = -1, strings = 0, force = 0, json = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":o:m:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'm': model = optarg; break;
        case 'O': online = 1; break;
        case 'P':
            if ((parts = ensemble_arg(optarg)) < 0)
                return cli_usage_error("instrument",
                                       "--parts expects satb, pop909 or quartet, not '%s'",
                                       optarg);
            break;
        case 'V':
            if (strcmp(optarg, "choir") && strcmp(optarg, "strings"))
                return cli_usage_error("instrument", "--voices expects choir or strings, not '%s'",
                                       optarg);
            strings = !strcmp(optarg, "strings");
            break;
        case 'f': force = 1; break;
        case 'J': json = 1; break;
        case 'h': fputs(label_help, stdout); return EXIT_OK;
        default: return cli_bad_option("instrument", argv, c);
        }
    }
    if (argc - optind != 1 || !out || !model)
        return cli_usage_error("instrument", "expects IN -o OUT --model M (see --help)");
    const char *in = argv[optind];
    if (!force && cli_path_exists(out)) {
        fprintf(stderr, "musc instrument: %s exists (use --force to replace it)\n", out);
        return EXIT_INPUT;
    }
    musc_instrument_model *m;
    int rc = load_model("instrument", model, &m);
    if (rc)
        return rc;
    musc_instrument_ensemble e = musc_instrument_model_ensemble(m);
    if (parts >= 0 && parts != (int)e) {
        fprintf(stderr, "musc instrument: %s is a model for %s (%d parts), not for %s\n", model,
                musc_instrument_ensemble_name(e), musc_instrument_model_parts(m),
                musc_instrument_ensemble_name((musc_instrument_ensemble)parts));
        musc_instrument_model_free(m);
        return EXIT_INPUT;
    }
    if (online && !musc_instrument_model_online(m)) {
        fprintf(stderr,
                "musc instrument: --online needs a model that uses only past notes (zone, "
                "closest or lstm); %s is %s\n",
                model, musc_instrument_kind_name(musc_instrument_model_kind(m)));
        musc_instrument_model_free(m);
        return EXIT_INPUT;
    }
    musc_music *music = NULL;
    musc_status st = musc_read(in, NULL, &music, NULL);
    musc_instrument_piece piece;
    memset(&piece, 0, sizeof piece);
    int *labels = NULL;
    musc_music *arranged = NULL;
    if (!st)
        st = musc_instrument_mixture(music, &piece);
    if (!st && !(labels = malloc(piece.n_notes * sizeof *labels)))
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
    if (!st)
        st = musc_instrument_predict(m, &piece, labels);
    if (!st && !(arranged = musc_instrument_arrange(&piece, labels, e, strings, music)))
        st = MUSC_ERR_NOMEM;
    if (!st) {
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = force;
        st = musc_write(arranged, out, &wo);
    }
    if (st) {
        if (st == MUSC_ERR_NOTFOUND)
            fprintf(stderr, "musc instrument: %s: %s\n", in, musc_errmsg());
        else
            rc = cli_fail("instrument", st);
        rc = EXIT_INPUT;
    } else if (json) {
        json_t *o = json_object(), *pa = json_array();
        for (size_t k = 0; k < arranged->n_tracks; k++) {
            json_t *po = json_object();
            json_object_set_new(po, "name", json_string(arranged->tracks[k].name));
            json_object_set_new(po, "program", json_integer(arranged->tracks[k].program));
            json_object_set_new(po, "notes", json_integer((json_int_t)arranged->tracks[k].n_notes));
            json_array_append_new(pa, po);
        }
        json_object_set_new(o, "input", json_string(in));
        json_object_set_new(o, "output", json_string(out));
        json_object_set_new(o, "notes", json_integer((json_int_t)piece.n_notes));
        json_object_set_new(o, "parts", pa);
        cli_print_json(o);
    } else {
        fprintf(stderr, "musc instrument: %zu notes into %zu parts:", piece.n_notes,
                arranged->n_tracks);
        for (size_t k = 0; k < arranged->n_tracks; k++)
            fprintf(stderr, " %s %zu%s", arranged->tracks[k].name, arranged->tracks[k].n_notes,
                    k + 1 < arranged->n_tracks ? "," : "\n");
    }
    musc_music_free(arranged);
    free(labels);
    musc_instrument_piece_clear(&piece);
    musc_music_free(music);
    musc_instrument_model_free(m);
    return rc;
}
