/*
 * musc perform IN -o OUT: write an expressive performance of a score
 * (accents, phrase arcs, micro-timing, rubato, articulation, chord roll; see
 * musc_perform in musc/audio.h) to any format musc writes, so what
 * `musc render --perform` plays can be inspected. A seed reproduces it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "musc/musc.h"

static const char *const perform_help =
    "usage: musc perform IN -o OUT [--amount A] [--seed N] [--dynamics X]\n"
    "                    [--timing X] [--articulation X] [--spread X]\n"
    "                    [--phrase-bars N] [--hairpins X] [--force] [--quiet] [--json]\n"
    "\n"
    "Write a performance of a score: velocities from metrical accents and\n"
    "phrase arcs, onsets moved by a few milliseconds, a slower close to each\n"
    "phrase, legato and staccato, and chords rolled upward. OUT's format\n"
    "follows its extension (.mid, .json, ...).\n"
    "\n"
    "options:\n"
    "  -o, --output OUT     file to write (required)\n"
    "  --amount A           overall amount, 0 = the exact score, 1 = natural, up to 2 (1)\n"
    "  --seed N             random seed; the same seed gives the same performance (1)\n"
    "  --dynamics X         factor for accents, arcs and velocity noise (1)\n"
    "  --timing X           factor for micro-timing and rubato (1)\n"
    "  --articulation X     factor for legato and staccato (1)\n"
    "  --spread X           factor for the chord roll (1)\n"
    "  --phrase-bars N      bars per phrase (4)\n"
    "  --hairpins X         factor for velocity ramps across hairpins (MusicXML\n"
    "                       wedges), toward the next dynamic mark (1)\n"
    "  -f, --force          replace OUT if it exists\n"
    "  -q, --quiet          print nothing but errors\n"
    "  --json               print a JSON summary on stdout\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 ok, 1 failed, 2 bad usage\n";

static int usage_error(const char *what, const char *text)
{
    fprintf(stderr, "musc perform: %s%s%s\n(musc perform --help shows the options)\n", what,
            text ? " " : "", text ? text : "");
    return EXIT_USAGE;
}

static int number(const char *option, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(stderr, "musc perform: %s expects a number in %g..%g, got '%s'\n", option, lo, hi,
                text);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_perform(int argc, char **argv)
{
    enum { O_AMOUNT = 1000, O_SEED, O_DYN, O_TIME, O_ART, O_SPREAD, O_PHRASE, O_JSON, O_HAIRPINS };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},   {"amount", required_argument, NULL, O_AMOUNT},
        {"seed", required_argument, NULL, O_SEED},  {"dynamics", required_argument, NULL, O_DYN},
        {"timing", required_argument, NULL, O_TIME}, {"articulation", required_argument, NULL, O_ART},
        {"spread", required_argument, NULL, O_SPREAD}, {"phrase-bars", required_argument, NULL, O_PHRASE},
        {"hairpins", required_argument, NULL, O_HAIRPINS},
        {"force", no_argument, NULL, 'f'},          {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, O_JSON},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    musc_perform_options po = musc_perform_options_default();
    musc_write_options wo = musc_write_options_default();
    const char *out = NULL;
    int quiet = 0, json = 0;
    double v;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":o:fqh", longopts, NULL)) != -1;) {
        switch (c) {
        case 'o': out = optarg; break;
        case O_AMOUNT: if (number("--amount", optarg, 0, 2, &po.amount)) return EXIT_USAGE; break;
        case O_SEED:
            if (number("--seed", optarg, 0, 18446744073709549568.0, &v)) return EXIT_USAGE;
            po.seed = (uint64_t)v;
            break;
        case O_DYN: if (number("--dynamics", optarg, 0, 4, &po.dynamics)) return EXIT_USAGE; break;
        case O_TIME: if (number("--timing", optarg, 0, 4, &po.timing)) return EXIT_USAGE; break;
        case O_ART: if (number("--articulation", optarg, 0, 4, &po.articulation)) return EXIT_USAGE; break;
        case O_SPREAD: if (number("--spread", optarg, 0, 4, &po.chord_spread)) return EXIT_USAGE; break;
        case O_HAIRPINS: if (number("--hairpins", optarg, 0, 4, &po.hairpins)) return EXIT_USAGE; break;
        case O_PHRASE:
            if (number("--phrase-bars", optarg, 1, 64, &v)) return EXIT_USAGE;
            po.phrase_bars = (int)v;
            break;
        case 'f': wo.overwrite = 1; break;
        case 'q': quiet = 1; break;
        case O_JSON: json = 1; break;
        case 'h': fputs(perform_help, stdout); return EXIT_OK;
        case ':': return usage_error("needs a value:", argv[optind - 1]);
        default: return usage_error("unknown option", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return usage_error("expects one input file", NULL);
    if (!out)
        return usage_error("needs -o OUT", NULL);
    const char *in = argv[optind];
    if (!wo.overwrite && access(out, F_OK) == 0) {
        fprintf(stderr, "musc perform: '%s' exists; not overwriting it (use --force)\n", out);
        return EXIT_INPUT;
    }
    musc_music *m = NULL;
    musc_status st = musc_read(in, NULL, &m, NULL);
    if (st == MUSC_OK)
        st = musc_perform(m, &po);
    if (st == MUSC_OK)
        st = musc_write(m, out, &wo);
    if (st != MUSC_OK) {
        fprintf(stderr, "musc perform: %s\n", *musc_errmsg() ? musc_errmsg() : musc_strerror(st));
        musc_music_free(m);
        return EXIT_INPUT;
    }
    if (json) {
        json_t *o = json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:f}", "input", in, "output", out,
                              "amount", po.amount, "seed", (json_int_t)po.seed, "notes",
                              (json_int_t)musc_music_note_count(m), "resolution",
                              (json_int_t)m->resolution, "seconds",
                              musc_music_ticks_to_seconds(m, musc_music_end_time(m)));
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text)
            puts(text);
        free(text);
        json_decref(o);
    } else if (!quiet) {
        printf("wrote %s: a performance of %s (amount %g, seed %llu), %zu notes\n", out, in,
               po.amount, (unsigned long long)po.seed, musc_music_note_count(m));
    }
    musc_music_free(m);
    return EXIT_OK;
}
