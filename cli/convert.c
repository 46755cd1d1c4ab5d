/*
 * musc convert IN OUT: read any supported format and write another, chosen
 * by the file extensions. Reading repairs damaged input unless --strict,
 * and each repair is reported on stderr (so a conversion never hides that
 * the input was broken). OUT is written atomically and never replaced
 * without --force.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"

static const char *const convert_help =
    "usage: musc convert IN OUT [--force] [--strict] [--overlap POLICY]\n"
    "                    [--resolution N] [--quantize GRID [--snap-ends]]\n"
    "                    [--transpose N] [--trim A:B] [--json] [--quiet]\n"
    "                    [--tune N|TITLE] [--ornaments]\n"
    "       musc convert BOOK.abc OUTDIR --all [--to EXT] [options]\n"
    "\n"
    "Convert a music file to another format; both formats follow the file\n"
    "extensions (.mid .midi .json .json.gz ...). Repairs made while reading\n"
    "a damaged IN are listed on stderr. Processing runs in the order\n"
    "resolution, quantize, transpose, trim.\n"
    "\n"
    "options:\n"
    "  --resolution N    rescale every time to N ticks per quarter (halves\n"
    "                    round to even, as MusPy; notes never shrink to 0)\n"
    "  --quantize GRID   snap note starts (and other events) to a grid: GRID is\n"
    "                    ticks (\"120\") or a note value (\"1/16\": a sixteenth\n"
    "                    at the output resolution); notes keep their lengths\n"
    "  --snap-ends       with --quantize, snap note ends too\n"
    "  --transpose N     shift pitched tracks by N semitones (-127..127; drums\n"
    "                    stay; a note pushed outside 0..127 is an error)\n"
    "  --trim A:B        keep beats [A, B) (quarter notes from the start; B may\n"
    "                    be empty for no end): notes crossing B are cut there,\n"
    "                    notes crossing A dropped, times shift by -A\n"
    "  -f, --force       replace OUT if it exists\n"
    "  --strict          refuse a damaged IN instead of repairing it\n"
    "  --overlap POLICY  how a note-off pairs with overlapping note-ons of the\n"
    "                    same pitch: fifo (default), lifo or close_all\n"
    "  --tune N|TITLE    an ABC tune book: read the tune with reference number\n"
    "                    X:N, or the first whose title is TITLE (default: the\n"
    "                    first tune)\n"
    "  --ornaments       MusicXML: play trills, mordents, turns and grace notes\n"
    "                    as MuseScore 3 does (default: the written notes, grace\n"
    "                    notes left out, as MusPy reads them)\n"
    "  --all             an ABC tune book: write every tune into OUTDIR as\n"
    "                    <book>-<X>.<EXT>; a tune that fails is reported and\n"
    "                    skipped (exit 1 at the end if any failed)\n"
    "  --to EXT          with --all, the output format: mid (default), json,\n"
    "                    abc, npz, ...\n"
    "  --json            print a JSON summary (input, output, counts, repairs)\n"
    "  -q, --quiet       print nothing but errors (repairs are not listed)\n"
    "  -h, --help        show this help\n"
    "\n"
    "exit status: 0 ok, 1 unreadable IN or OUT not written, 2 bad usage\n";

/* GRID is either ticks ("120") or a note value ("1/16"), whose length in
 * ticks depends on the resolution after any --resolution. */
static int parse_grid(const char *text, long *ticks, long *division)
{
    if (!strncmp(text, "1/", 2)) {
        if (cli_parse_long("convert", "--quantize 1/D", text + 2, 1, 1024, division))
            return -1;
        return 0;
    }
    if (cli_parse_long("convert", "--quantize", text, 1, 1L << 30, ticks))
        return -1;
    return 0;
}

static json_t *summary_json(const char *in, const char *out, const musc_music *m,
                            const musc_report *report)
{
    return json_pack("{s:o, s:s, s:o, s:s, s:i, s:I, s:I, s:I, s:o}", "input", cli_json_string(in),
                     "input_format", musc_format_name(musc_format_from_path(in)), "output",
                     cli_json_string(out), "output_format",
                     musc_format_name(musc_format_from_path(out)), "resolution", m->resolution,
                     "n_tracks", (json_int_t)m->n_tracks, "n_notes",
                     (json_int_t)musc_music_note_count(m), "end_time",
                     (json_int_t)musc_music_end_time(m), "repairs", cli_repairs_json(report));
}

/* --trim A:B in beats, A >= 0, B > A or empty (no end). */
static int parse_trim(const char *text, double *start, double *end)
{
    char *colon = strchr(text, ':'), *rest;
    if (!colon)
        return cli_usage_error("convert", "--trim expects A:B in beats, e.g. 0:64, not '%s'", text);
    *start = strtod(text, &rest);
    if (rest != colon || !(*start >= 0) || *start > 1e9)
        return cli_usage_error("convert", "--trim %s: A must be a number of beats >= 0", text);
    *end = -1;
    if (colon[1]) {
        *end = strtod(colon + 1, &rest);
        if (*rest || !(*end > *start) || *end > 1e9)
            return cli_usage_error("convert", "--trim %s: B must be a number of beats > A", text);
    }
    return 0;
}

typedef struct process_opts {
    long resolution, transpose, grid_ticks, grid_division;
    double trim_start, trim_end; /* beats; trim_end < 0: no end; both < 0: no trim */
    const char *quantize;
    int snap_ends;
} process_opts;

/* Resolution, quantize, transpose, in that order. */
static int process(musc_music *m, const process_opts *po)
{
    int st = MUSC_OK;
    long resolution = po->resolution, transpose = po->transpose;
    long grid_ticks = po->grid_ticks, grid_division = po->grid_division;
    const char *quantize = po->quantize;
    int snap_ends = po->snap_ends;
    if (st == MUSC_OK && resolution)
        st = musc_adjust_resolution(m, (int)resolution, MUSC_ROUND_NEAREST_EVEN);
    if (st == MUSC_OK && quantize) {
        int64_t grid = grid_ticks;
        if (grid_division) {
            /* a 1/D note lasts 4 * resolution / D ticks, which must be whole */
            if ((4 * (int64_t)m->resolution) % grid_division) {
                st = musc_error(MUSC_ERR_ARG,
                                "--quantize 1/%ld is not a whole number of ticks at resolution "
                                "%d; give the grid in ticks or change --resolution",
                                grid_division, m->resolution);
            }
            grid = 4 * (int64_t)m->resolution / grid_division;
        }
        if (st == MUSC_OK)
            st = musc_quantize(m, grid, snap_ends, MUSC_ROUND_NEAREST_EVEN);
    }
    if (st == MUSC_OK && transpose)
        st = musc_transpose(m, (int)transpose, 0);
    if (st == MUSC_OK && po->trim_start >= 0) {
        int64_t a = (int64_t)(po->trim_start * m->resolution + 0.5);
        int64_t b = po->trim_end < 0 ? -1 : (int64_t)(po->trim_end * m->resolution + 0.5);
        st = musc_trim(m, a, b);
    }
    return st;
}

/* --all: every tune of an ABC book into OUTDIR as <book>-<X>.<ext>. */
static int convert_all(const char *in, const char *outdir, const char *ext,
                       musc_read_options ropt, const musc_write_options *wopt,
                       const process_opts *po, int quiet)
{
    if (musc_format_from_path(in) != MUSC_FORMAT_ABC)
        return cli_usage_error("convert", "--all needs an ABC tune book (.abc), not '%s'", in);
    uint8_t *data;
    size_t size;
    int st = musc_file_read_all(in, 0, &data, &size);
    if (st)
        return cli_fail("convert", st);
    musc_abc_tune_info *tunes;
    size_t n;
    if ((st = musc_abc_list((const char *)data, size, &tunes, &n))) {
        free(data);
        return cli_fail("convert", st);
    }
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    size_t stem = strlen(base);
    if (stem > 4 && !strcmp(base + stem - 4, ".abc"))
        stem -= 4;
    size_t failed = 0, written = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (tunes[i].number >= 0)
            snprintf(path, sizeof path, "%s/%.*s-%d.%s", outdir, (int)stem, base, tunes[i].number, ext);
        else
            snprintf(path, sizeof path, "%s/%.*s-tune%zu.%s", outdir, (int)stem, base, i + 1, ext);
        musc_music *m = NULL;
        musc_report report = {0};
        ropt.index = (int)i;
        st = musc_abc_read_mem((const char *)data, size, &ropt, &m, &report);
        if (!quiet)
            cli_print_repairs(stderr, "convert", in, &report);
        if (st == MUSC_OK)
            st = process(m, po);
        if (st == MUSC_OK)
            st = musc_write(m, path, wopt);
        if (st) {
            fprintf(stderr, "musc convert: %s tune %zu (X:%d): %s\n", in, i + 1, tunes[i].number,
                    musc_errmsg()[0] ? musc_errmsg() : musc_strerror(st));
            failed++;
        } else {
            written++;
        }
        musc_music_free(m);
        musc_report_clear(&report);
    }
    if (!quiet)
        fprintf(stderr, "musc convert: wrote %zu of %zu tunes into %s\n", written, n, outdir);
    musc_abc_tune_info_free(tunes, n);
    free(data);
    return failed ? EXIT_INPUT : EXIT_OK;
}

int cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},         {"strict", no_argument, NULL, 's'},
        {"overlap", required_argument, NULL, 'O'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"resolution", required_argument, NULL, 'r'}, {"quantize", required_argument, NULL, 'Q'},
        {"snap-ends", no_argument, NULL, 'E'},     {"transpose", required_argument, NULL, 't'},
        {"tune", required_argument, NULL, 'T'},    {"all", no_argument, NULL, 'A'},
        {"to", required_argument, NULL, 'o'},      {"trim", required_argument, NULL, 'R'},
        {"ornaments", no_argument, NULL, 'N'},
        {NULL, 0, NULL, 0}};
    const char *tune = NULL, *to = "mid";
    int all = 0, ornaments = 0;
    long resolution = 0, transpose = 0;
    const char *quantize = NULL;
    int snap_ends = 0;
    double trim_start = -1, trim_end = -1;
    musc_read_options ropt = musc_read_options_default();
    musc_write_options wopt = musc_write_options_default();
    int json = 0, quiet = 0;
    cli_getopt_reset();
    for (int c; (c = getopt_long(argc, argv, ":fqh", longopts, NULL)) != -1;) {
        switch (c) {
        case 'f': wopt.overwrite = 1; break;
        case 's': ropt.strict = 1; break;
        case 'O':
            if (cli_parse_overlap("convert", optarg, &ropt.overlap))
                return EXIT_USAGE;
            break;
        case 'r':
            if (cli_parse_long("convert", "--resolution", optarg, 1, 1L << 30, &resolution))
                return EXIT_USAGE;
            break;
        case 'Q': quantize = optarg; break;
        case 'E': snap_ends = 1; break;
        case 'R':
            if (parse_trim(optarg, &trim_start, &trim_end))
                return EXIT_USAGE;
            break;
        case 't':
            if (cli_parse_long("convert", "--transpose", optarg, -127, 127, &transpose))
                return EXIT_USAGE;
            break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'T': tune = optarg; break;
        case 'A': all = 1; break;
        case 'o': to = optarg; break;
        case 'N': ornaments = 1; break;
        case 'h': fputs(convert_help, stdout); return EXIT_OK;
        default: return cli_bad_option("convert", argv, c);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("convert", "expects IN and OUT, got %d argument%s", argc - optind,
                               argc - optind == 1 ? "" : "s");
    const char *in = argv[optind], *out = argv[optind + 1];
    if (ornaments) {
        musc_format f = musc_format_from_path(in);
        if (f != MUSC_FORMAT_MUSICXML && f != MUSC_FORMAT_MXL)
            return cli_usage_error("convert", "--ornaments applies to MusicXML input only");
        ropt.flags |= MUSC_MUSICXML_PLAY_ORNAMENTS;
    }
    long grid_ticks = 0, grid_division = 0;
    if (quantize && parse_grid(quantize, &grid_ticks, &grid_division))
        return EXIT_USAGE;
    if (snap_ends && !quantize)
        return cli_usage_error("convert", "--snap-ends only applies with --quantize");
    process_opts po = {resolution, transpose,  grid_ticks, grid_division,
                       trim_start, trim_end, quantize,   snap_ends};
    if (all) {
        char probe[64];
        snprintf(probe, sizeof probe, "x.%s", to);
        if (tune)
            return cli_usage_error("convert", "--all and --tune exclude each other");
        if (musc_format_from_path(probe) == MUSC_FORMAT_UNKNOWN || strchr(to, '/'))
            return cli_usage_error("convert", "--to %s: not a format musc writes", to);
        return convert_all(in, out, to, ropt, &wopt, &po, quiet);
    }
    if (tune && cli_select_tune("convert", in, tune, &ropt))
        return EXIT_INPUT;
    if (musc_format_from_path(out) == MUSC_FORMAT_UNKNOWN)
        return cli_usage_error("convert", "cannot tell the format of '%s' from its extension "
                                          "(use .mid, .json, ...)", out);
    /* Fail before the (possibly long) read; musc_write checks again. */
    if (!wopt.overwrite && cli_path_exists(out)) {
        fprintf(stderr, "musc convert: %s exists (pass --force to replace it)\n", out);
        return EXIT_INPUT;
    }

    musc_music *m = NULL;
    musc_report report = {0};
    int st = musc_read(in, &ropt, &m, &report);
    if (!quiet)
        cli_print_repairs(stderr, "convert", in, &report);
    if (st == MUSC_OK)
        st = process(m, &po);
    if (st == MUSC_OK)
        st = musc_write(m, out, &wopt);
    int rc = EXIT_OK;
    if (st) {
        rc = cli_fail("convert", st);
    } else if (json) {
        if (cli_print_json(summary_json(in, out, m, &report))) {
            fprintf(stderr, "musc convert: cannot print the JSON summary\n");
            rc = EXIT_INPUT;
        }
    } else if (!quiet) {
        fprintf(stderr, "musc convert: wrote %s (%zu tracks, %zu notes%s)\n", out, m->n_tracks,
                musc_music_note_count(m), report.n_repairs ? ", input repaired" : "");
    }
    musc_music_free(m);
    musc_report_clear(&report);
    return rc;
}
