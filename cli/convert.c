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
#include <string.h>

#include "commands.h"
#include "options.h"

static const char *const convert_help =
    "usage: musc convert IN OUT [--force] [--strict] [--overlap POLICY]\n"
    "                    [--resolution N] [--quantize GRID [--snap-ends]]\n"
    "                    [--transpose N] [--json] [--quiet]\n"
    "\n"
    "Convert a music file to another format; both formats follow the file\n"
    "extensions (.mid .midi .json .json.gz ...). Repairs made while reading\n"
    "a damaged IN are listed on stderr. Processing runs in the order\n"
    "resolution, quantize, transpose.\n"
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
    "  -f, --force       replace OUT if it exists\n"
    "  --strict          refuse a damaged IN instead of repairing it\n"
    "  --overlap POLICY  how a note-off pairs with overlapping note-ons of the\n"
    "                    same pitch: fifo (default), lifo or close_all\n"
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

int cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force", no_argument, NULL, 'f'},         {"strict", no_argument, NULL, 's'},
        {"overlap", required_argument, NULL, 'O'}, {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"resolution", required_argument, NULL, 'r'}, {"quantize", required_argument, NULL, 'Q'},
        {"snap-ends", no_argument, NULL, 'E'},     {"transpose", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0}};
    long resolution = 0, transpose = 0;
    const char *quantize = NULL;
    int snap_ends = 0;
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
        case 't':
            if (cli_parse_long("convert", "--transpose", optarg, -127, 127, &transpose))
                return EXIT_USAGE;
            break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(convert_help, stdout); return EXIT_OK;
        default: return cli_bad_option("convert", argv, c);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("convert", "expects IN and OUT, got %d argument%s", argc - optind,
                               argc - optind == 1 ? "" : "s");
    const char *in = argv[optind], *out = argv[optind + 1];
    long grid_ticks = 0, grid_division = 0;
    if (quantize && parse_grid(quantize, &grid_ticks, &grid_division))
        return EXIT_USAGE;
    if (snap_ends && !quantize)
        return cli_usage_error("convert", "--snap-ends only applies with --quantize");
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
