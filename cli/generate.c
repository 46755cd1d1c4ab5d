/*
 * musc generate: compose with a trained Multitrack Music Transformer:
 * unconditionally, from a list of instruments, or continuing the first
 * beats of a file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <omp.h>

#include "commands.h"
#include "options.h"
#include "musc/musc.h"

static const char *const CMD = "generate";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: musc generate --model MODEL_DIR|FILE.ckpt -o OUT.mid\n"
            "                     [--instruments piano,violin,...] [--prompt FILE [--prompt-beats N]]\n"
            "                     [--beats N | --notes N] [--temperature T] [--top-k K | --top-p P]\n"
            "                     [--seed S] [--count N] [--threads N] [--no-cache] [--force] [--quiet]\n"
            "\n"
            "Sample music from an MMT model (a folder from `musc train`, which uses its best.ckpt,\n"
            "or a checkpoint file) and write it in any format musc writes (by extension).\n"
            "Modes (as the MMT paper): unconditional; instrument-informed (--instruments);\n"
            "n-beat continuation (--prompt FILE --prompt-beats N, default 4).\n"
            "\n"
            "  --instruments LIST  MMT instrument names, comma-separated (e.g. piano,violin,\n"
            "                      cello); only these are used\n"
            "  --beats N           stop before beat N; --notes N: stop after N notes\n"
            "                      (default: until end-of-song or the model's context is full)\n"
            "  --temperature T     default 1\n"
            "  --top-k K           keep the K most likely codes of each field (default: MMT's\n"
            "                      10%% of each field's codes)\n"
            "  --top-p P           nucleus sampling instead of top-k\n"
            "  --seed S            default 1; sample i of --count uses S + i - 1\n"
            "  --count N           write N samples: OUT-1.mid ... OUT-N.mid\n"
            "  --threads N         OpenMP threads\n"
            "  --no-cache          recompute the whole sequence per row (slow; for benchmarks)\n"
            "  --force             overwrite existing output files\n"
            "  -q, --quiet         no summary lines\n");
}

static int instrument_code(const char *name, int max_code)
{
    for (int c = 1; c <= max_code; c++) {
        const char *n = musc_mmt_instrument_name(c);
        if (n && !strcasecmp(n, name))
            return c;
    }
    return 0;
}

static int parse_instruments(const char *list, int max_code, int **codes, int *n)
{
    *codes = NULL;
    *n = 0;
    char *copy = strdup(list);
    int *out = calloc(strlen(list) + 1, sizeof *out);
    if (!copy || !out) {
        free(copy);
        free(out);
        fprintf(stderr, "musc generate: out of memory\n");
        return -1;
    }
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        int c = instrument_code(tok, max_code);
        if (!c) {
            fprintf(stderr, "musc generate: unknown instrument '%s'; MMT's names are:", tok);
            for (int k = 1; k <= max_code; k++)
                if (musc_mmt_instrument_name(k))
                    fprintf(stderr, "%s%s", k > 1 ? ", " : " ", musc_mmt_instrument_name(k));
            fputc('\n', stderr);
            free(copy);
            free(out);
            return -1;
        }
        out[(*n)++] = c;
    }
    free(copy);
    if (*n == 0) {
        free(out);
        fprintf(stderr, "musc generate: --instruments lists no instrument\n");
        return -1;
    }
    *codes = out;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Output path of sample i (1-based) of count. */
static char *out_path(const char *out, int i, int count)
{
    size_t n = strlen(out) + 24;
    char *p = malloc(n);
    if (!p)
        return NULL;
    if (count == 1) {
        snprintf(p, n, "%s", out);
        return p;
    }
    const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    if (!dot || (slash && dot < slash))
        dot = out + strlen(out);
    snprintf(p, n, "%.*s-%d%s", (int)(dot - out), out, i, dot);
    return p;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_generate(int argc, char **argv)
{
    const char *model_path = NULL, *out = NULL, *instruments = NULL, *prompt_path = NULL;
    long prompt_beats = 4, count = 1, threads = 0, seed = 1, n;
    int force = 0, quiet = 0, have_topk = 0, have_topp = 0;
    musc_mmt_sample_options so = musc_mmt_sample_options_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--force")) {
            force = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--no-cache")) {
            so.use_cache = 0;
        } else if (!v) {
            if (a[0] == '-')
                return cli_usage_error(CMD, "%s needs a value (or is unknown; see --help)", a);
            return cli_usage_error(CMD, "unexpected argument '%s'", a);
        } else if (!strcmp(a, "--model") || !strcmp(a, "-m")) {
            model_path = v, i++;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = v, i++;
        } else if (!strcmp(a, "--instruments")) {
            instruments = v, i++;
        } else if (!strcmp(a, "--prompt")) {
            prompt_path = v, i++;
        } else if (!strcmp(a, "--prompt-beats")) {
            if (cli_parse_long(CMD, a, v, 0, 1 << 20, &prompt_beats))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--beats")) {
            if (cli_parse_long(CMD, a, v, 1, 1 << 20, &n))
                return EXIT_USAGE;
            so.max_beats = (int)n, i++;
        } else if (!strcmp(a, "--notes")) {
            if (cli_parse_long(CMD, a, v, 1, 1 << 20, &n))
                return EXIT_USAGE;
            so.max_notes = (int)n, i++;
        } else if (!strcmp(a, "--temperature")) {
            char *end;
            double t = strtod(v, &end);
            if (end == v || *end || !(t >= 0 && t <= 100))
                return cli_usage_error(CMD, "--temperature expects a number in [0, 100], got '%s'", v);
            so.temperature = (float)t, i++;
        } else if (!strcmp(a, "--top-k")) {
            if (cli_parse_long(CMD, a, v, 1, 1 << 20, &n))
                return EXIT_USAGE;
            so.top_k = (int)n, have_topk = 1, i++;
        } else if (!strcmp(a, "--top-p")) {
            char *end;
            double p = strtod(v, &end);
            if (end == v || *end || !(p > 0 && p <= 1))
                return cli_usage_error(CMD, "--top-p expects a number in (0, 1], got '%s'", v);
            so.top_p = (float)p, have_topp = 1, i++;
        } else if (!strcmp(a, "--seed")) {
            if (cli_parse_long(CMD, a, v, 0, 2147483647L, &seed))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--count")) {
            if (cli_parse_long(CMD, a, v, 1, 100000, &count))
                return EXIT_USAGE;
            i++;
        } else if (!strcmp(a, "--threads")) {
            if (cli_parse_long(CMD, a, v, 1, 1024, &threads))
                return EXIT_USAGE;
            i++;
        } else {
            return cli_usage_error(CMD, "unknown option '%s' (see --help)", a);
        }
    }
    if (!model_path || !out)
        return cli_usage_error(CMD, "needs --model MODEL and -o OUT (see --help)");
    if (have_topk && have_topp)
        return cli_usage_error(CMD, "--top-k and --top-p exclude each other");
    if (so.max_beats && so.max_notes)
        return cli_usage_error(CMD, "--beats and --notes exclude each other");
    if (musc_format_from_path(out) == MUSC_FORMAT_UNKNOWN)
        return cli_usage_error(CMD, "%s: unknown output format (use .mid, .json, .musicxml, "
                               "...)", out);
    /* refuse before any work when an output exists */
    for (long i = 1; i <= count && !force; i++) {
        char *p = out_path(out, (int)i, (int)count);
        int exists = p && cli_path_exists(p);
        if (exists)
            fprintf(stderr, "musc generate: %s exists (use --force to overwrite)\n", p);
        free(p);
        if (exists)
            return EXIT_INPUT;
    }
    if (threads > 0)
        omp_set_num_threads((int)threads);

    musc_mmt_model *m;
    musc_status st = musc_mmt_model_load(model_path, 0, &m);
    if (st != MUSC_OK)
        return cli_fail(CMD, st);
    const musc_mmt_config *cfg = musc_mmt_model_config(m);
    musc_mmt_options tok = *musc_mmt_model_tokenizer(m);
    int *codes_in = NULL, n_in = 0, rc = EXIT_OK;
    int32_t *prompt = NULL;
    size_t n_prompt = 0;
    if (instruments) {
        if (parse_instruments(instruments, cfg->field_sizes[5] - 1, &codes_in, &n_in)) {
            musc_mmt_model_free(m);
            return EXIT_USAGE;
        }
        qsort(codes_in, (size_t)n_in, sizeof *codes_in, cmp_int);
        int k = 0;
        for (int i = 0; i < n_in; i++)
            if (!k || codes_in[k - 1] != codes_in[i])
                codes_in[k++] = codes_in[i];
        n_in = k;
        so.instruments = codes_in;
        so.n_instruments = n_in;
    }
    if (prompt_path) {
        musc_music *pm;
        if ((st = musc_read(prompt_path, NULL, &pm, NULL)) != MUSC_OK) {
            rc = cli_fail(CMD, st);
            goto done;
        }
        musc_mmt_options po = tok;
        po.max_seq_len = 0;
        int32_t *all;
        size_t n_all;
        st = musc_mmt_encode(pm, &po, &all, &n_all);
        musc_music_free(pm);
        if (st != MUSC_OK) {
            rc = cli_fail(CMD, st);
            goto done;
        }
        n_prompt = musc_mmt_prompt_rows(all, n_all, (int)prompt_beats);
        if (instruments) {
            /* instrument-informed continuation: the requested instruments
             * replace the prompt's instrument rows; its notes of other
             * instruments are dropped */
            size_t k = 0, cap = n_prompt + (size_t)n_in + 2;
            prompt = malloc(cap * MUSC_MMT_FIELDS * sizeof *prompt);
            if (!prompt) {
                free(all);
                rc = cli_fail(CMD, MUSC_ERR_NOMEM);
                goto done;
            }
            memset(prompt, 0, cap * MUSC_MMT_FIELDS * sizeof *prompt);
            k = 1; /* start-of-song */
            for (int i = 0; i < n_in; i++, k++) {
                prompt[k * MUSC_MMT_FIELDS] = MUSC_MMT_INSTRUMENT;
                prompt[k * MUSC_MMT_FIELDS + 5] = codes_in[i];
            }
            prompt[k++ * MUSC_MMT_FIELDS] = MUSC_MMT_START_OF_NOTES;
            for (size_t r = 0; r < n_prompt; r++) {
                const int32_t *row = all + r * MUSC_MMT_FIELDS;
                if (row[0] != MUSC_MMT_NOTE)
                    continue;
                int keep = 0;
                for (int i = 0; i < n_in; i++)
                    keep |= row[5] == codes_in[i];
                if (keep)
                    memcpy(prompt + k++ * MUSC_MMT_FIELDS, row, MUSC_MMT_FIELDS * sizeof *row);
            }
            n_prompt = k;
            free(all);
        } else {
            prompt = all;
        }
        if (n_prompt + 1 > (size_t)cfg->max_seq_len) {
            fprintf(stderr, "musc generate: the prompt's first %ld beats take %zu rows; the model "
                    "reads %d (use fewer --prompt-beats)\n", prompt_beats, n_prompt,
                    cfg->max_seq_len);
            rc = EXIT_INPUT;
            goto done;
        }
    } else if (instruments) {
        size_t k = 0;
        prompt = calloc((size_t)n_in + 2, MUSC_MMT_FIELDS * sizeof *prompt);
        if (!prompt) {
            rc = cli_fail(CMD, MUSC_ERR_NOMEM);
            goto done;
        }
        k = 1;
        for (int i = 0; i < n_in; i++, k++) {
            prompt[k * MUSC_MMT_FIELDS] = MUSC_MMT_INSTRUMENT;
            prompt[k * MUSC_MMT_FIELDS + 5] = codes_in[i];
        }
        prompt[k++ * MUSC_MMT_FIELDS] = MUSC_MMT_START_OF_NOTES;
        n_prompt = k;
    }
    for (long i = 1; i <= count; i++) {
        so.seed = (uint64_t)(seed + i - 1);
        int32_t *codes;
        size_t n_rows, n_notes;
        double t0 = wall_now();
        if ((st = musc_mmt_generate(m, prompt, n_prompt, &so, &codes, &n_rows, &n_notes)) !=
            MUSC_OK) {
            rc = cli_fail(CMD, st);
            goto done;
        }
        double dt = wall_now() - t0;
        musc_music *music;
        st = musc_mmt_decode(codes, n_rows, &tok, &music);
        int last_beat = 0;
        for (size_t r = 0; r < n_rows; r++)
            if (codes[r * MUSC_MMT_FIELDS] == MUSC_MMT_NOTE)
                last_beat = codes[r * MUSC_MMT_FIELDS + 1];
        free(codes);
        if (st != MUSC_OK) {
            rc = cli_fail(CMD, st);
            goto done;
        }
        char *path = out_path(out, (int)i, (int)count);
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = force;
        st = path ? musc_write(music, path, &wo) : MUSC_ERR_NOMEM;
        size_t tracks = music->n_tracks;
        musc_music_free(music);
        if (st != MUSC_OK) {
            free(path);
            rc = cli_fail(CMD, st);
            goto done;
        }
        if (!quiet)
            printf("%s: %zu notes, %d beats, %zu tracks (%zu rows in %.2f s, %.1f notes/s)\n",
                   path, n_notes, last_beat, tracks, n_rows, dt, dt > 0 ? n_notes / dt : 0.0);
        free(path);
    }
done:
    free(prompt);
    free(codes_in);
    musc_mmt_model_free(m);
    return rc;
}
