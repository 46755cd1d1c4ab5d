/*
 * musc metrics FILE...|DIR: objective metrics of music files. One file gives
 * its values (and per-track ones); several give each metric's mean and
 * standard deviation over the files where it is defined (NaN values are
 * left out and counted); --compare A B sets two collections side by side
 * with the gap. Files are read and measured on --jobs threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "options.h"

static const char *const metrics_help =
    "usage: musc metrics FILE...|DIR... [--json] [--per-file] [--jobs N]\n"
    "       musc metrics --compare A B [--json]\n"
    "\n"
    "Objective metrics of music files: MusPy's 14 (pitch_range ...\n"
    "groove_consistency), time-signature-aware variants (*_ts), Pypianoroll's\n"
    "(qualified_note_rate, polyphonic_rate, in_scale_rate, tonal_distance) and\n"
    "MuseGAN's (empty_bar_rate, used_pitch_classes, drum_pattern_rate; QN and TD\n"
    "as above). A directory is searched recursively for files musc reads.\n"
    "One file: its values and a per-track table. Several: mean and standard\n"
    "deviation of each metric over the files where it is defined (n counts them).\n"
    "\n"
    "options:\n"
    "  --json               one JSON object (per-file values always included)\n"
    "  --per-file           with several files, also one tab-separated row per file\n"
    "  --compare A B        compare two collections (each a FILE or DIR):\n"
    "                       mean +- std of each and the gap B - A\n"
    "  --threshold N        polyphony_rate counts steps with more than N pitches (2)\n"
    "  --measure TICKS      measure length for empty_measure_rate and\n"
    "                       groove_consistency (default 4 beats: 4 * resolution)\n"
    "  --scale ROOT:MODE    pitch_in_scale_rate / in_scale_rate scale, e.g. 0:major,\n"
    "                       9:minor, or key (the first key signature); default 0:major\n"
    "  --meter duple|triple drum_in_pattern_rate's pattern (duple)\n"
    "  --qualified TICKS    qualified_note_rate's minimum length (resolution / 8)\n"
    "  -j, --jobs N         threads (default 1)\n"
    "  -q, --quiet          no progress or skip messages\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 ok, 1 a file could not be read (the others are still\n"
    "measured), 2 bad usage\n";

typedef struct entry {
    char *path;
    musc_metrics m;
    int ok;
    char err[256];
} entry;

typedef struct collection {
    entry *e;
    size_t n, cap;
} collection;

typedef struct job {
    collection *c;
    const musc_metrics_options *o;
    size_t next;
    pthread_mutex_t lock;
} job;

static int add_path(collection *c, const char *path)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 64;
        entry *e = realloc(c->e, nc * sizeof *e);
        if (!e)
            return -1;
        c->e = e;
        c->cap = nc;
    }
    memset(&c->e[c->n], 0, sizeof c->e[c->n]);
    c->e[c->n].path = strdup(path);
    if (!c->e[c->n].path)
        return -1;
    c->n++;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

/* Add every readable-format file under dir (sorted later). */
static int scan_dir(collection *c, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t n = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = -1;
            break;
        }
        snprintf(p, n, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                rc = scan_dir(c, p);
            else if (S_ISREG(st.st_mode) && musc_format_from_path(p) != MUSC_FORMAT_UNKNOWN)
                rc = add_path(c, p);
        }
        free(p);
    }
    closedir(d);
    return rc;
}

/* FILE or DIR into c; -1 with a message when it is neither. */
static int gather(collection *c, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        fprintf(stderr, "musc metrics: %s: no such file or directory\n", arg);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t before = c->n;
        if (scan_dir(c, arg)) {
            fprintf(stderr, "musc metrics: %s: cannot read the directory\n", arg);
            return -1;
        }
        qsort(c->e + before, c->n - before, sizeof *c->e, cmp_entry);
        return 0;
    }
    if (add_path(c, arg)) {
        fprintf(stderr, "musc metrics: out of memory\n");
        return -1;
    }
    return 0;
}

static void measure_one(entry *e, const musc_metrics_options *o)
{
    musc_music *music = NULL;
    int st = musc_read(e->path, NULL, &music, NULL);
    if (st == MUSC_OK)
        st = musc_metrics_compute(music, o, &e->m);
    if (st != MUSC_OK)
        snprintf(e->err, sizeof e->err, "%s", *musc_errmsg() ? musc_errmsg() : musc_strerror(st));
    e->ok = st == MUSC_OK;
    musc_music_free(music);
}

static void *worker(void *arg)
{
    job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->c->n)
            return NULL;
        measure_one(&j->c->e[i], j->o);
    }
}

static void measure_all(collection *c, const musc_metrics_options *o, long jobs)
{
    job j = {c, o, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[64];
    long started = 0;
    for (long i = 1; i < jobs && i < 64; i++)
        if (pthread_create(&th[started], NULL, worker, &j) == 0)
            started++;
    worker(&j);
    for (long i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

typedef struct stat_row {
    size_t n;
    double mean, std;
} stat_row;

/* mean and (population) standard deviation of one metric over the files
 * where it is defined */
static stat_row summarize(const collection *c, const musc_metric_info *info)
{
    stat_row r = {0, NAN, NAN};
    double sum = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->e[i].ok)
            continue;
        double v = musc_metric_value(&c->e[i].m, info);
        if (!isnan(v)) {
            sum += v;
            r.n++;
        }
    }
    if (!r.n)
        return r;
    r.mean = sum / (double)r.n;
    double ss = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->e[i].ok)
            continue;
        double v = musc_metric_value(&c->e[i].m, info);
        if (!isnan(v))
            ss += (v - r.mean) * (v - r.mean);
    }
    r.std = sqrt(ss / (double)r.n);
    return r;
}

static json_t *jnum(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *file_json(const entry *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", cli_json_string(e->path));
    if (!e->ok) {
        json_object_set_new(o, "error", cli_json_string(e->err));
        return o;
    }
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    json_t *vals = json_object();
    json_object_set_new(vals, "length", json_integer(e->m.length));
    json_object_set_new(vals, "n_notes", json_integer((json_int_t)e->m.n_notes));
    for (size_t i = 0; i < nt; i++)
        json_object_set_new(vals, t[i].name, jnum(musc_metric_value(&e->m, &t[i])));
    json_object_set_new(o, "metrics", vals);
    json_t *tracks = json_array();
    for (size_t k = 0; k < e->m.n_tracks; k++) {
        const musc_track_metrics *tm = &e->m.tracks[k];
        json_t *tj = json_pack("{s:I, s:i, s:b, s:I}", "index", (json_int_t)k, "program",
                               tm->program, "is_drum", tm->is_drum, "n_notes",
                               (json_int_t)tm->n_notes);
        json_object_set_new(tj, "empty_bar_rate", jnum(tm->empty_bar_rate));
        json_object_set_new(tj, "used_pitch_classes", jnum(tm->used_pitch_classes));
        json_object_set_new(tj, "qualified_note_rate", jnum(tm->qualified_note_rate));
        json_object_set_new(tj, "polyphonic_rate", jnum(tm->polyphonic_rate));
        json_object_set_new(tj, "in_scale_rate", jnum(tm->in_scale_rate));
        json_object_set_new(tj, "drum_pattern_rate", jnum(tm->drum_pattern_rate));
        json_t *td = json_array();
        for (size_t j = 0; j < e->m.n_tracks; j++)
            json_array_append_new(td, jnum(e->m.tonal_distances[k * e->m.n_tracks + j]));
        json_object_set_new(tj, "tonal_distance", td);
        json_array_append_new(tracks, tj);
    }
    json_object_set_new(o, "tracks", tracks);
    return o;
}

static json_t *summary_json(const collection *c)
{
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    json_t *o = json_object();
    for (size_t i = 0; i < nt; i++) {
        stat_row r = summarize(c, &t[i]);
        json_object_set_new(o, t[i].name,
                            json_pack("{s:I, s:o, s:o}", "n", (json_int_t)r.n, "mean",
                                      jnum(r.mean), "std", jnum(r.std)));
    }
    return o;
}

static size_t n_ok(const collection *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->e[i].ok;
    return k;
}

static void print_value(double v)
{
    if (isnan(v))
        printf("%12s", "nan");
    else
        printf("%12.6g", v);
}

static void print_one(const entry *e)
{
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    printf("%s\n", e->path);
    printf("  %-26s %12lld\n  %-26s %12zu\n", "length (ticks)", (long long)e->m.length,
           "notes", e->m.n_notes);
    const char *family = "";
    for (size_t i = 0; i < nt; i++) {
        if (strcmp(family, t[i].family))
            printf("  [%s]\n", family = t[i].family);
        printf("  %-26s ", t[i].name);
        print_value(musc_metric_value(&e->m, &t[i]));
        printf("\n");
    }
    printf("\n  %-5s %-28s %6s %8s %8s %8s %8s %8s %8s\n", "track", "instrument", "notes", "EB",
           "UPC", "QN", "PP", "inscale", "DP");
    for (size_t k = 0; k < e->m.n_tracks; k++) {
        const musc_track_metrics *tm = &e->m.tracks[k];
        printf("  %-5zu %-28.28s %6zu", k,
               tm->is_drum ? "Drums" : musc_gm_program_name(tm->program), tm->n_notes);
        const double v[6] = {tm->empty_bar_rate, tm->used_pitch_classes, tm->qualified_note_rate,
                             tm->polyphonic_rate, tm->in_scale_rate, tm->drum_pattern_rate};
        for (int i = 0; i < 6; i++) {
            if (isnan(v[i]))
                printf(" %8s", "-");
            else
                printf(" %8.4f", v[i]);
        }
        printf("\n");
    }
    if (e->m.n_tracks > 1) {
        printf("\n  tonal distance (TD) between tracks:\n  %5s", "");
        for (size_t j = 0; j < e->m.n_tracks; j++)
            printf(" %8zu", j);
        printf("\n");
        for (size_t k = 0; k < e->m.n_tracks; k++) {
            printf("  %5zu", k);
            for (size_t j = 0; j < e->m.n_tracks; j++) {
                double v = e->m.tonal_distances[k * e->m.n_tracks + j];
                if (isnan(v))
                    printf(" %8s", "-");
                else
                    printf(" %8.4f", v);
            }
            printf("\n");
        }
    }
}

static void print_summary(const collection *c)
{
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    printf("%zu files\n%-26s %6s %12s %12s\n", n_ok(c), "metric", "n", "mean", "std");
    for (size_t i = 0; i < nt; i++) {
        stat_row r = summarize(c, &t[i]);
        printf("%-26s %6zu ", t[i].name, r.n);
        print_value(r.mean);
        printf(" ");
        print_value(r.std);
        printf("\n");
    }
}

static void print_per_file(const collection *c)
{
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    printf("file");
    for (size_t i = 0; i < nt; i++)
        printf("\t%s", t[i].name);
    printf("\n");
    for (size_t k = 0; k < c->n; k++) {
        if (!c->e[k].ok)
            continue;
        printf("%s", c->e[k].path);
        for (size_t i = 0; i < nt; i++)
            printf("\t%.6g", musc_metric_value(&c->e[k].m, &t[i]));
        printf("\n");
    }
}

static void print_compare(const collection *a, const collection *b, const char *na,
                          const char *nb)
{
    size_t nt;
    const musc_metric_info *t = musc_metric_table(&nt);
    printf("A: %s (%zu files)\nB: %s (%zu files)\n", na, n_ok(a), nb, n_ok(b));
    printf("%-26s %25s %25s %12s\n", "metric", "A mean +- std", "B mean +- std", "gap B-A");
    for (size_t i = 0; i < nt; i++) {
        stat_row ra = summarize(a, &t[i]), rb = summarize(b, &t[i]);
        char sa[64], sb[64];
        snprintf(sa, sizeof sa, "%.4f +- %.4f", ra.mean, ra.std);
        snprintf(sb, sizeof sb, "%.4f +- %.4f", rb.mean, rb.std);
        printf("%-26s %25s %25s ", t[i].name, sa, sb);
        print_value(rb.mean - ra.mean);
        printf("\n");
    }
}

static void free_collection(collection *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].path);
        musc_metrics_clear(&c->e[i].m);
    }
    free(c->e);
}

static int report_failures(const collection *c, int quiet)
{
    int bad = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->e[i].ok)
            continue;
        bad = 1;
        if (!quiet)
            fprintf(stderr, "musc metrics: %s: %s (skipped)\n", c->e[i].path, c->e[i].err);
    }
    return bad;
}

int cmd_metrics(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'J'},      {"per-file", no_argument, NULL, 'P'},
        {"compare", no_argument, NULL, 'C'},   {"threshold", required_argument, NULL, 't'},
        {"measure", required_argument, NULL, 'm'}, {"scale", required_argument, NULL, 's'},
        {"meter", required_argument, NULL, 'M'}, {"qualified", required_argument, NULL, 'Q'},
        {"jobs", required_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    int json = 0, per_file = 0, compare = 0, quiet = 0;
    long jobs = 1, v;
    musc_metrics_options o = musc_metrics_options_default();
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'J': json = 1; break;
        case 'P': per_file = 1; break;
        case 'C': compare = 1; break;
        case 'q': quiet = 1; break;
        case 't':
            if (cli_parse_long("metrics", "--threshold", optarg, 0, 128, &v))
                return EXIT_USAGE;
            o.polyphony_threshold = (int)v;
            break;
        case 'm':
            if (cli_parse_long("metrics", "--measure", optarg, 1, 1L << 30, &v))
                return EXIT_USAGE;
            o.measure_resolution = v;
            break;
        case 'Q':
            if (cli_parse_long("metrics", "--qualified", optarg, 1, 1L << 30, &v))
                return EXIT_USAGE;
            o.qualified_ticks = v;
            break;
        case 'j':
            if (cli_parse_long("metrics", "--jobs", optarg, 1, 64, &jobs))
                return EXIT_USAGE;
            break;
        case 'M':
            if (!strcmp(optarg, "duple"))
                o.drum_meter = MUSC_METER_DUPLE;
            else if (!strcmp(optarg, "triple"))
                o.drum_meter = MUSC_METER_TRIPLE;
            else
                return cli_usage_error("metrics", "--meter expects duple or triple, not '%s'",
                                       optarg);
            break;
        case 's': {
            int root;
            char mode[16];
            if (!strcmp(optarg, "key")) {
                o.scale_root = -1;
            } else if (sscanf(optarg, "%d:%15s", &root, mode) == 2 && root >= 0 && root < 12 &&
                       (!strcmp(mode, "major") || !strcmp(mode, "minor"))) {
                o.scale_root = root;
                o.scale_mode = !strcmp(mode, "minor") ? MUSC_MODE_MINOR : MUSC_MODE_MAJOR;
            } else {
                return cli_usage_error("metrics", "--scale expects ROOT:major|minor (ROOT "
                                       "0-11, C = 0) or key, not '%s'", optarg);
            }
            break;
        }
        case 'h':
            fputs(metrics_help, stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("metrics", argv, c);
        }
    }
    int nargs = argc - optind;
    if (nargs < 1)
        return cli_usage_error("metrics", "expects FILE... or DIR (see musc metrics --help)");
    if (compare && nargs != 2)
        return cli_usage_error("metrics", "--compare expects exactly two arguments A B");

    collection sets[2] = {{0}, {0}};
    int rc = EXIT_OK;
    for (int i = 0; i < nargs; i++)
        if (gather(&sets[compare ? i : 0], argv[optind + i])) {
            free_collection(&sets[0]);
            free_collection(&sets[1]);
            return EXIT_INPUT;
        }
    for (int s = 0; s < 1 + compare; s++) {
        if (sets[s].n == 0) {
            fprintf(stderr, "musc metrics: no music files in %s\n",
                    compare ? argv[optind + s] : "the arguments");
            free_collection(&sets[0]);
            free_collection(&sets[1]);
            return EXIT_INPUT;
        }
        measure_all(&sets[s], &o, jobs);
        if (report_failures(&sets[s], quiet))
            rc = EXIT_INPUT;
    }

    if (json) {
        json_t *root = json_object();
        if (compare) {
            for (int s = 0; s < 2; s++) {
                json_t *side = json_object();
                json_object_set_new(side, "source", cli_json_string(argv[optind + s]));
                json_object_set_new(side, "n_files", json_integer((json_int_t)n_ok(&sets[s])));
                json_object_set_new(side, "summary", summary_json(&sets[s]));
                json_object_set_new(root, s ? "b" : "a", side);
            }
            size_t nt;
            const musc_metric_info *t = musc_metric_table(&nt);
            json_t *gap = json_object();
            for (size_t i = 0; i < nt; i++)
                json_object_set_new(gap, t[i].name,
                                    jnum(summarize(&sets[1], &t[i]).mean -
                                         summarize(&sets[0], &t[i]).mean));
            json_object_set_new(root, "gap", gap);
        } else {
            json_t *files = json_array();
            for (size_t i = 0; i < sets[0].n; i++)
                json_array_append_new(files, file_json(&sets[0].e[i]));
            json_object_set_new(root, "files", files);
            json_object_set_new(root, "n_files", json_integer((json_int_t)n_ok(&sets[0])));
            if (sets[0].n > 1)
                json_object_set_new(root, "summary", summary_json(&sets[0]));
        }
        if (cli_print_json(root))
            rc = EXIT_INPUT;
    } else if (compare) {
        print_compare(&sets[0], &sets[1], argv[optind], argv[optind + 1]);
    } else if (sets[0].n == 1) {
        if (sets[0].e[0].ok)
            print_one(&sets[0].e[0]);
    } else {
        if (per_file)
            print_per_file(&sets[0]);
        print_summary(&sets[0]);
    }
    free_collection(&sets[0]);
    free_collection(&sets[1]);
    return rc;
}
