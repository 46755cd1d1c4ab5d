/*
 * musc info FILE: what a music file holds. Reads in repair mode unless
 * --strict, so it also answers "what was wrong with this file?". The text
 * form is for people (channels 1-16, long lists shortened); --json gives
 * every item with the object model's numbers (channels 0-15).
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

/* Text mode shows this many tempos / signatures and counts the rest. */
#define TEXT_LIST_LIMIT 12

static const char *const info_help =
    "usage: musc info FILE [--json] [--strict] [--overlap POLICY] [--quiet]\n"
    "\n"
    "Show what a music file holds: tracks (program, name, channel, notes),\n"
    "resolution, duration in ticks, beats and seconds, tempos, time and key\n"
    "signatures, and the repairs made while reading a damaged file.\n"
    "The format is chosen by extension (.mid .midi .json .json.gz ...).\n"
    "\n"
    "options:\n"
    "  --json            print one JSON object instead of text (channels 0-15)\n"
    "  --strict          refuse a damaged file instead of repairing it\n"
    "  --overlap POLICY  how a note-off pairs with overlapping note-ons of the\n"
    "                    same pitch: fifo (default), lifo or close_all\n"
    "  -q, --quiet       print nothing but errors (check that FILE reads)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Text output numbers MIDI channels 1-16 (drums on 10).\n"
    "exit status: 0 ok, 1 unreadable or malformed file, 2 bad usage\n";

static const char *mode_name(int mode)
{
    return mode == MUSC_MODE_MAJOR ? "major" : mode == MUSC_MODE_MINOR ? "minor" : NULL;
}

static json_t *info_json(const char *path, const musc_music *m, const musc_report *report)
{
    int64_t end = musc_music_end_time(m);
    json_t *o = json_object();
    json_t *tracks = json_array(), *tempos = json_array(), *times = json_array(),
           *keys = json_array(), *repairs = cli_repairs_json(report);
    if (!o || !tracks || !tempos || !times || !keys || !repairs)
        goto oom;
    int fail = 0;
    fail |= json_object_set_new(o, "file", cli_json_string(path));
    fail |= json_object_set_new(o, "format",
                                json_string(musc_format_name(musc_format_from_path(path))));
    fail |= json_object_set_new(o, "title", cli_json_string(m->metadata.title));
    fail |= json_object_set_new(o, "resolution", json_integer(m->resolution));
    fail |= json_object_set_new(o, "n_tracks", json_integer((json_int_t)m->n_tracks));
    fail |= json_object_set_new(o, "n_notes", json_integer((json_int_t)musc_music_note_count(m)));
    fail |= json_object_set_new(o, "end_time", json_integer(end));
    fail |= json_object_set_new(o, "duration_beats", json_real((double)end / m->resolution));
    fail |= json_object_set_new(o, "duration_seconds",
                                json_real(musc_music_ticks_to_seconds(m, end)));
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        json_t *tj = json_object();
        if (!tj)
            goto oom;
        fail |= json_array_append_new(tracks, tj);
        fail |= json_object_set_new(tj, "index", json_integer((json_int_t)i));
        fail |= json_object_set_new(tj, "program", json_integer(t->program));
        fail |= json_object_set_new(tj, "program_name",
                                    json_string(t->is_drum ? "Drums"
                                                           : musc_gm_program_name(t->program)));
        fail |= json_object_set_new(tj, "is_drum", json_boolean(t->is_drum));
        fail |= json_object_set_new(tj, "name", cli_json_string(t->name));
        fail |= json_object_set_new(tj, "channel",
                                    t->channel >= 0 ? json_integer(t->channel) : json_null());
        fail |= json_object_set_new(tj, "n_notes", json_integer((json_int_t)t->n_notes));
    }
    for (size_t i = 0; i < m->n_tempos; i++)
        fail |= json_array_append_new(tempos, json_pack("{s:I, s:f}", "time",
                                                        (json_int_t)m->tempos[i].time, "qpm",
                                                        m->tempos[i].qpm));
    for (size_t i = 0; i < m->n_time_signatures; i++) {
        const musc_time_signature *ts = &m->time_signatures[i];
        fail |= json_array_append_new(times, json_pack("{s:I, s:i, s:i}", "time",
                                                       (json_int_t)ts->time, "numerator",
                                                       ts->numerator, "denominator",
                                                       ts->denominator));
    }
    for (size_t i = 0; i < m->n_key_signatures; i++) {
        const musc_key_signature *k = &m->key_signatures[i];
        char name[64];
        const char *mode = mode_name(k->mode);
        fail |= json_array_append_new(
            keys, json_pack("{s:I, s:i, s:o, s:o, s:s}", "time", (json_int_t)k->time, "fifths",
                            k->fifths, "mode", mode ? json_string(mode) : json_null(), "root",
                            k->root >= 0 ? json_integer(k->root) : json_null(), "name",
                            musc_key_signature_name(k, name, sizeof name)));
    }
    fail |= json_object_set_new(o, "tracks", tracks);
    fail |= json_object_set_new(o, "tempos", tempos);
    fail |= json_object_set_new(o, "time_signatures", times);
    fail |= json_object_set_new(o, "key_signatures", keys);
    fail |= json_object_set_new(o, "repairs", repairs);
    if (fail) {
        json_decref(o);
        return NULL;
    }
    return o;
oom:
    json_decref(o);
    json_decref(tracks);
    json_decref(tempos);
    json_decref(times);
    json_decref(keys);
    json_decref(repairs);
    return NULL;
}

/* "... and 40 more" after a shortened list. */
static void more(size_t n)
{
    if (n > TEXT_LIST_LIMIT)
        printf("  ... and %zu more (see --json)\n", n - TEXT_LIST_LIMIT);
}

static void info_text(const char *path, const musc_music *m, const musc_report *report)
{
    int64_t end = musc_music_end_time(m);
    printf("file:        %s (%s)\n", path, musc_format_name(musc_format_from_path(path)));
    if (m->metadata.title)
        printf("title:       %s\n", m->metadata.title);
    printf("resolution:  %d ticks per quarter\n", m->resolution);
    printf("duration:    %lld ticks = %.2f beats = %.2f s\n", (long long)end,
           (double)end / m->resolution, musc_music_ticks_to_seconds(m, end));
    printf("tracks:      %zu\n", m->n_tracks);
    printf("notes:       %zu\n", musc_music_note_count(m));
    if (m->n_tracks) {
        printf("\n  %3s  %-28s %-20s %7s %5s\n", "#", "program", "name", "channel", "notes");
        for (size_t i = 0; i < m->n_tracks; i++) {
            const musc_track *t = &m->tracks[i];
            char prog[48], ch[16];
            if (t->is_drum)
                snprintf(prog, sizeof prog, "  - Drums");
            else
                snprintf(prog, sizeof prog, "%3d %s", t->program,
                         musc_gm_program_name(t->program));
            if (t->channel >= 0)
                snprintf(ch, sizeof ch, "%d", t->channel + 1);
            else
                snprintf(ch, sizeof ch, "-");
            const char *name = t->name && *t->name ? t->name : "-";
            printf("  %3zu  %-28s %-20s %7s %5zu\n", i, prog, name, ch, t->n_notes);
        }
    }
    printf("\ntempos:%s\n", m->n_tempos ? "" : " none (120 qpm assumed)");
    for (size_t i = 0; i < m->n_tempos && i < TEXT_LIST_LIMIT; i++)
        printf("  at %lld: %g qpm\n", (long long)m->tempos[i].time, m->tempos[i].qpm);
    more(m->n_tempos);
    printf("time signatures:%s\n", m->n_time_signatures ? "" : " none (4/4 assumed)");
    for (size_t i = 0; i < m->n_time_signatures && i < TEXT_LIST_LIMIT; i++)
        printf("  at %lld: %d/%d\n", (long long)m->time_signatures[i].time,
               m->time_signatures[i].numerator, m->time_signatures[i].denominator);
    more(m->n_time_signatures);
    printf("key signatures:%s\n", m->n_key_signatures ? "" : " none");
    for (size_t i = 0; i < m->n_key_signatures && i < TEXT_LIST_LIMIT; i++) {
        char name[64];
        printf("  at %lld: %s\n", (long long)m->key_signatures[i].time,
               musc_key_signature_name(&m->key_signatures[i], name, sizeof name));
    }
    more(m->n_key_signatures);
    printf("repairs:%s\n", report->n_repairs ? "" : " none");
    for (size_t i = 0; i < report->n_repairs; i++) {
        const musc_repair *r = &report->repairs[i];
        printf("  at %s %lld (%s): %s\n", cli_offset_unit(path), (long long)r->offset,
               musc_repair_kind_name(r->kind), r->message ? r->message : "");
    }
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},     {"strict", no_argument, NULL, 's'},
        {"overlap", required_argument, NULL, 'O'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0}};
    musc_read_options ropt = musc_read_options_default();
    int json = 0, quiet = 0;
    cli_getopt_reset();
    for (int c; (c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1;) {
        switch (c) {
        case 'j': json = 1; break;
        case 's': ropt.strict = 1; break;
        case 'q': quiet = 1; break;
        case 'O':
            if (cli_parse_overlap("info", optarg, &ropt.overlap))
                return EXIT_USAGE;
            break;
        case 'h': fputs(info_help, stdout); return EXIT_OK;
        default: return cli_bad_option("info", argv, c);
        }
    }
    if (argc - optind == 0)
        return cli_usage_error("info", "expects a FILE");
    if (argc - optind > 1)
        return cli_usage_error("info", "expects one FILE, got %d", argc - optind);
    const char *path = argv[optind];

    musc_music *m = NULL;
    musc_report report = {0};
    int st = musc_read(path, &ropt, &m, &report);
    if (st) {
        int rc = cli_fail("info", st);
        musc_report_clear(&report);
        return rc;
    }
    musc_music_sort(m); /* the tempo map needs tempos in time order */
    int rc = EXIT_OK;
    if (quiet) {
        /* only the exit status: a quick "does this file read?" check */
    } else if (json) {
        if (cli_print_json(info_json(path, m, &report))) {
            fprintf(stderr, "musc info: out of memory building the JSON output\n");
            rc = EXIT_INPUT;
        }
    } else {
        info_text(path, m, &report);
    }
    if (fflush(stdout)) {
        fprintf(stderr, "musc info: cannot write to standard output\n");
        rc = EXIT_INPUT;
    }
    musc_music_free(m);
    musc_report_clear(&report);
    return rc;
}
