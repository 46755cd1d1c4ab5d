/*
 * musc dataset: build token shards and a catalogue from a folder, query the
 * catalogue, print a dataset's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "musc/musc.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: musc dataset build DIR -o OUT [--repr mmt|event|remi|note] [--jobs N]\n"
            "                          [--split A:B:C] [--where SQL] [--force] [--quiet] [--json]\n"
            "       musc dataset query OUT [\"SQL condition\"] [--json]\n"
            "       musc dataset stats OUT [--json]\n"
            "\n"
            "build   scan DIR for every music file musc reads, convert in N threads, drop\n"
            "        duplicates, split train/valid/test by content hash (default 8:1:1) and\n"
            "        write OUT/{train,valid,test}.shard, OUT/catalogue.sqlite, OUT/failures.tsv.\n"
            "        --where keeps only the catalogue rows matching the condition in the shards.\n"
            "        --force replaces an existing dataset in OUT.\n"
            "query   list the catalogue's pieces matching an SQL condition on the columns\n"
            "        id path hash format title split in_shards resolution beats seconds\n"
            "        n_tracks instruments programs has_drums tempo key meter n_notes\n"
            "        pitch_min pitch_max n_rows (tab-separated, or --json)\n"
            "stats   pieces, hours, notes and tokens per split, and the instruments\n");
}

static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

typedef struct progress_state {
    int on;
    int last; /* per mille drawn last, so a big folder redraws 1000 times at most */
} progress_state;

static void show_progress(void *user, size_t done, size_t total)
{
    progress_state *ps = user;
    int permille = total ? (int)(1000.0 * done / total) : 1000;
    if (!ps->on || (permille == ps->last && done != total))
        return;
    ps->last = permille;
    int width = 40, fill = total ? (int)((double)done / total * width) : width;
    fprintf(stderr, "\r  converting [%.*s%*s] %zu/%zu", fill,
            "########################################", width - fill, "", done, total);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int parse_split(const char *s, unsigned r[3])
{
    char *end;
    for (int i = 0; i < 3; i++) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 1000000 || (i < 2 && *end != ':') || (i == 2 && *end))
            return -1;
        r[i] = (unsigned)v;
        s = end + 1;
    }
    return r[0] + r[1] + r[2] > 0 ? 0 : -1;
}

static int cmd_build(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    int quiet = 0, json = 0;
    musc_dataset_options o = musc_dataset_options_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v)
                goto missing;
            out = v, i++;
        } else if (!strcmp(a, "--repr")) {
            if (!v)
                goto missing;
            if (!(o.repr = musc_dataset_repr_from_name(v))) {
                fprintf(stderr, "musc dataset: unknown representation '%s' (mmt, event, remi, note)\n", v);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
            if (!v)
                goto missing;
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 256) {
                fprintf(stderr, "musc dataset: --jobs %s: expected 1..256\n", v);
                return EXIT_USAGE;
            }
            o.jobs = (int)n, i++;
        } else if (!strcmp(a, "--split")) {
            if (!v)
                goto missing;
            if (parse_split(v, o.split) != 0) {
                fprintf(stderr, "musc dataset: --split %s: expected A:B:C, e.g. 8:1:1\n", v);
                return EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--where")) {
            if (!v)
                goto missing;
            o.where = v, i++;
        } else if (!strcmp(a, "--force") || !strcmp(a, "-f")) {
            o.overwrite = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "musc dataset build: unknown option '%s'\n", a);
            return EXIT_USAGE;
        } else if (!dir) {
            dir = a;
        } else {
            fprintf(stderr, "musc dataset build: one folder expected, got '%s' too\n", a);
            return EXIT_USAGE;
        }
        continue;
    missing:
        fprintf(stderr, "musc dataset build: %s needs a value\n", a);
        return EXIT_USAGE;
    }
    if (!dir || !out) {
        fprintf(stderr, "musc dataset build: DIR and -o OUT are required\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    progress_state ps = {.on = !quiet && isatty(2), .last = -1};
    o.progress = show_progress;
    o.progress_user = &ps;
    musc_dataset_summary s;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    musc_status st = musc_dataset_build(dir, out, &o, &s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st != MUSC_OK) {
        fprintf(stderr, "musc dataset build: %s\n", musc_errmsg());
        return st == MUSC_ERR_ARG ? EXIT_USAGE : EXIT_INPUT;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (json) {
        printf("{\"files\": %zu, \"failed\": %zu, \"duplicates\": %zu, \"pieces\": %zu, "
               "\"selected\": %zu, \"seconds\": %.3f, \"splits\": {",
               s.n_files, s.n_failed, s.n_duplicates, s.n_pieces, s.n_selected, secs);
        for (int k = 0; k < MUSC_N_SPLITS; k++)
            printf("%s\"%s\": {\"pieces\": %zu, \"rows\": %llu}", k ? ", " : "",
                   musc_split_name(k), s.pieces[k], (unsigned long long)s.rows[k]);
        printf("}}\n");
    } else if (!quiet) {
        printf("%zu files, %zu failed, %zu duplicates, %zu pieces (%zu in shards) in %.2f s\n",
               s.n_files, s.n_failed, s.n_duplicates, s.n_pieces, s.n_selected, secs);
        for (int k = 0; k < MUSC_N_SPLITS; k++)
            printf("  %-5s %6zu pieces %10llu rows\n", musc_split_name(k), s.pieces[k],
                   (unsigned long long)s.rows[k]);
        if (s.n_failed)
            fprintf(stderr, "musc dataset build: %zu files failed, see %s/failures.tsv\n",
                    s.n_failed, out);
    }
    return EXIT_OK;
}

typedef struct query_state {
    int json, rows;
} query_state;

static int print_row(void *user, int n, const char *const *names, const char *const *values)
{
    query_state *q = user;
    if (q->json) {
        printf("%s\n  {", q->rows ? "," : "[");
        for (int i = 0; i < n; i++) {
            printf("%s\"%s\": ", i ? ", " : "", names[i]);
            json_str(stdout, values[i]);
        }
        printf("}");
    } else {
        if (!q->rows)
            for (int i = 0; i < n; i++)
                printf("%s%s", names[i], i + 1 < n ? "\t" : "\n");
        for (int i = 0; i < n; i++) {
            for (const char *c = values[i] ? values[i] : ""; *c; c++)
                putchar(*c == '\t' || *c == '\n' ? ' ' : *c);
            putchar(i + 1 < n ? '\t' : '\n');
        }
    }
    q->rows++;
    return 0;
}

static int cmd_query(int argc, char **argv)
{
    const char *out = NULL, *where = NULL;
    query_state q = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            q.json = 1;
        } else if (!out) {
            out = argv[i];
        } else if (!where) {
            where = argv[i];
        } else {
            fprintf(stderr, "musc dataset query: one condition expected (quote it)\n");
            return EXIT_USAGE;
        }
    }
    if (!out) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (where) {
        where += strspn(where, " \t");
        if (!strncasecmp(where, "where", 5) && (where[5] == ' ' || where[5] == '\t'))
            where += 6;
    }
    musc_status st = musc_dataset_query(out, where, print_row, &q);
    if (st != MUSC_OK) {
        fprintf(stderr, "musc dataset query: %s\n", musc_errmsg());
        return st == MUSC_ERR_ARG ? EXIT_USAGE : EXIT_INPUT;
    }
    if (q.json)
        printf(q.rows ? "\n]\n" : "[]\n");
    return EXIT_OK;
}

static int cmd_stats(int argc, char **argv)
{
    const char *out = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!out && argv[i][0] != '-') {
            out = argv[i];
        } else {
            fprintf(stderr, "musc dataset stats: unexpected '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!out) {
        usage(stderr);
        return EXIT_USAGE;
    }
    musc_dataset_stats s;
    if (musc_dataset_stats_read(out, &s) != MUSC_OK) {
        fprintf(stderr, "musc dataset stats: %s\n", musc_errmsg());
        return EXIT_INPUT;
    }
    if (json) {
        printf("{\"repr\": \"%s\", \"failed\": %zu, \"duplicates\": %zu, \"left_out\": %zu, "
               "\"splits\": {",
               musc_dataset_repr_name(s.repr), s.n_failed, s.n_duplicates, s.n_left_out);
        for (int k = 0; k < MUSC_N_SPLITS; k++)
            printf("%s\"%s\": {\"pieces\": %zu, \"hours\": %.4f, \"notes\": %llu, "
                   "\"rows\": %llu, \"codes\": %llu}",
                   k ? ", " : "", musc_split_name(k), s.pieces[k], s.seconds[k] / 3600,
                   (unsigned long long)s.notes[k], (unsigned long long)s.rows[k],
                   (unsigned long long)s.codes[k]);
        printf("}, \"instruments\": {");
        for (size_t i = 0; i < s.n_instruments; i++) {
            printf("%s", i ? ", " : "");
            json_str(stdout, s.names[i]);
            printf(": %zu", s.counts[i]);
        }
        printf("}}\n");
    } else {
        printf("representation %s; %zu failed, %zu duplicates, %zu left out by --where\n",
               musc_dataset_repr_name(s.repr), s.n_failed, s.n_duplicates, s.n_left_out);
        printf("%-6s %8s %9s %11s %11s %12s\n", "split", "pieces", "hours", "notes", "rows",
               "codes");
        for (int k = 0; k < MUSC_N_SPLITS; k++)
            printf("%-6s %8zu %9.2f %11llu %11llu %12llu\n", musc_split_name(k), s.pieces[k],
                   s.seconds[k] / 3600, (unsigned long long)s.notes[k],
                   (unsigned long long)s.rows[k], (unsigned long long)s.codes[k]);
        printf("instruments (pieces):\n");
        for (size_t i = 0; i < s.n_instruments; i++)
            printf("  %-24s %zu\n", s.names[i], s.counts[i]);
    }
    musc_dataset_stats_clear(&s);
    return EXIT_OK;
}

int cmd_dataset(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "query"))
        return cmd_query(argc - 1, argv + 1);
    if (!strcmp(argv[1], "stats"))
        return cmd_stats(argc - 1, argv + 1);
    fprintf(stderr, "musc dataset: unknown subcommand '%s' (build, query, stats)\n", argv[1]);
    return EXIT_USAGE;
}
