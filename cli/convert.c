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
    "usage: musc convert IN OUT [--force] [--strict] [--overlap POLICY] [--json] [--quiet]\n"
    "\n"
    "Convert a music file to another format; both formats follow the file\n"
    "extensions (.mid .midi .json .json.gz ...). Repairs made while reading\n"
    "a damaged IN are listed on stderr.\n"
    "\n"
    "options:\n"
    "  -f, --force       replace OUT if it exists\n"
    "  --strict          refuse a damaged IN instead of repairing it\n"
    "  --overlap POLICY  how a note-off pairs with overlapping note-ons of the\n"
    "                    same pitch: fifo (default), lifo or close_all\n"
    "  --json            print a JSON summary (input, output, counts, repairs)\n"
    "  -q, --quiet       print nothing but errors (repairs are not listed)\n"
    "  -h, --help        show this help\n"
    "\n"
    "exit status: 0 ok, 1 unreadable IN or OUT not written, 2 bad usage\n";

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
        {NULL, 0, NULL, 0}};
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
