/*
 * musc plot FILE -o OUT.png|svg: a multitrack piano roll of a music file.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"

static const char *const plot_help =
    "usage: musc plot FILE -o OUT.png|OUT.svg [--tracks 0,2] [--beats A:B]\n"
    "                 [--width W] [--height H] [--title TEXT] [--force]\n"
    "\n"
    "Draw FILE as a multitrack piano roll: one colour per track with a legend\n"
    "(General MIDI instrument and track name), pitch axis with note names,\n"
    "beat and bar lines from the time signatures with bar numbers, drums as\n"
    "onset marks in a lane of their own. PNG or SVG by the extension of OUT.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT   the picture to write (.png or .svg)\n"
    "  --tracks LIST      draw only these tracks (0-based, comma-separated)\n"
    "  --beats A:B        quarter-note beats A (included) to B (excluded);\n"
    "                     either may be left out: 32: or :64\n"
    "  --width W          width in pixels (default 1600)\n"
    "  --height H         height in pixels (default 900)\n"
    "  --title TEXT       title (default: the file's title, else its name)\n"
    "  -f, --force        replace OUT if it exists\n"
    "  --json             print what was drawn as JSON\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 ok, 1 unreadable input or unwritable output, 2 bad usage\n";

static int parse_tracks(const char *text, int **out, size_t *n)
{
    size_t cap = 8, k = 0;
    int *v = malloc(cap * sizeof *v);
    const char *p = text;
    while (v && *p) {
        char *end;
        long x = strtol(p, &end, 10);
        if (end == p || x < 0 || x > 1000000 || (*end && *end != ',')) {
            free(v);
            return -1;
        }
        if (k == cap) {
            int *nv = realloc(v, 2 * cap * sizeof *v);
            if (!nv) {
                free(v);
                return -1;
            }
            v = nv;
            cap *= 2;
        }
        v[k++] = (int)x;
        p = *end ? end + 1 : end;
    }
    if (!v || k == 0) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

static int parse_beats(const char *text, double *a, double *b)
{
    const char *colon = strchr(text, ':');
    if (!colon)
        return -1;
    char *end;
    *a = 0;
    *b = 0;
    if (colon != text) {
        *a = strtod(text, &end);
        if (end != colon || !(*a >= 0))
            return -1;
    }
    if (colon[1]) {
        *b = strtod(colon + 1, &end);
        if (*end || !(*b > *a))
            return -1;
    }
    return 0;
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"tracks", required_argument, NULL, 'T'},
        {"beats", required_argument, NULL, 'B'},  {"width", required_argument, NULL, 'W'},
        {"height", required_argument, NULL, 'H'}, {"title", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},        {"json", no_argument, NULL, 'J'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    musc_plot_options o = musc_plot_options_default();
    const char *out = NULL;
    int *tracks = NULL, json = 0;
    size_t n_tracks = 0;
    long v;
    cli_getopt_reset();
    int c, rc = EXIT_OK;
    while ((c = getopt_long(argc, argv, ":o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': o.overwrite = 1; break;
        case 'J': json = 1; break;
        case 't': o.title = optarg; break;
        case 'T':
            free(tracks);
            tracks = NULL;
            if (parse_tracks(optarg, &tracks, &n_tracks))
                return cli_usage_error("plot", "--tracks expects indices like 0,2, not '%s'",
                                       optarg);
            break;
        case 'B':
            if (parse_beats(optarg, &o.beat_start, &o.beat_end)) {
                free(tracks);
                return cli_usage_error("plot", "--beats expects A:B with 0 <= A < B, not '%s'",
                                       optarg);
            }
            break;
        case 'W':
        case 'H':
            if (cli_parse_long("plot", c == 'W' ? "--width" : "--height", optarg,
                               c == 'W' ? 200 : 120, 20000, &v)) {
                free(tracks);
                return EXIT_USAGE;
            }
            if (c == 'W')
                o.width = (int)v;
            else
                o.height = (int)v;
            break;
        case 'h':
            free(tracks);
            fputs(plot_help, stdout);
            return EXIT_OK;
        default:
            free(tracks);
            return cli_bad_option("plot", argv, c);
        }
    }
    if (argc - optind != 1 || !out) {
        free(tracks);
        return cli_usage_error("plot", "expects FILE and -o OUT.png|OUT.svg (see --help)");
    }
    const char *in = argv[optind];
    if (!o.overwrite && cli_path_exists(out)) {
        free(tracks);
        fprintf(stderr, "musc plot: %s exists; pass --force to replace it\n", out);
        return EXIT_INPUT;
    }
    musc_music *m = NULL;
    int st = musc_read(in, NULL, &m, NULL);
    if (st) {
        free(tracks);
        return cli_fail("plot", st);
    }
    if (!o.title && !m->metadata.title) {
        const char *slash = strrchr(in, '/');
        o.title = slash ? slash + 1 : in;
    }
    o.tracks = tracks;
    o.n_tracks = n_tracks;
    st = musc_plot_pianoroll(m, &o, out);
    if (st) {
        rc = st == MUSC_ERR_ARG ? (fprintf(stderr, "musc plot: %s\n", musc_errmsg()), EXIT_USAGE)
                                : cli_fail("plot", st);
    } else if (json) {
        json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:I}", "input", in, "output", out, "width",
                              o.width, "height", o.height, "n_tracks",
                              (json_int_t)(tracks ? n_tracks : m->n_tracks));
        if (cli_print_json(j))
            rc = EXIT_INPUT;
    } else {
        fprintf(stderr, "musc plot: wrote %s (%d x %d)\n", out, o.width, o.height);
    }
    musc_music_free(m);
    free(tracks);
    return rc;
}
