/*
 * Option parsing and error reporting shared by the subcommands, so every
 * command words its messages and picks its exit codes the same way.
 */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "commands.h"

void cli_getopt_reset(void)
{
    optind = 0;
    opterr = 0;
}

int cli_bad_option(const char *cmd, char **argv, int c)
{
    /* optind has moved past the offending word; optopt names a short option. */
    const char *word = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':') {
        if (optopt && !(word[0] == '-' && word[1] == '-'))
            fprintf(stderr, "musc %s: option -%c needs a value\n", cmd, optopt);
        else
            fprintf(stderr, "musc %s: option %s needs a value\n", cmd, word);
    } else if (optopt && !(word[0] == '-' && word[1] == '-')) {
        fprintf(stderr, "musc %s: unknown option -%c\n", cmd, optopt);
    } else {
        fprintf(stderr, "musc %s: unknown option %s\n", cmd, word);
    }
    fprintf(stderr, "Try 'musc %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "musc %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'musc %s --help'.\n", cmd);
    return EXIT_USAGE;
}

int cli_parse_long(const char *cmd, const char *option, const char *text, long min, long max,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max) {
        fprintf(stderr, "musc %s: %s expects a whole number from %ld to %ld, got '%s'\n", cmd,
                option, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_overlap(const char *cmd, const char *text, musc_overlap *out)
{
    if (!strcmp(text, "fifo"))
        *out = MUSC_OVERLAP_FIFO;
    else if (!strcmp(text, "lifo"))
        *out = MUSC_OVERLAP_LIFO;
    else if (!strcmp(text, "close_all"))
        *out = MUSC_OVERLAP_CLOSE_ALL;
    else {
        fprintf(stderr, "musc %s: --overlap expects fifo, lifo or close_all, got '%s'\n", cmd,
                text);
        return -1;
    }
    return 0;
}

int cli_fail(const char *cmd, int status)
{
    const char *msg = musc_errmsg();
    if (!msg || !*msg)
        msg = musc_strerror(status);
    fprintf(stderr, "musc %s: %s\n", cmd, msg);
    return EXIT_INPUT;
}

const char *cli_offset_unit(const char *path)
{
    /* io.h: repair offsets are bytes in binary formats, lines in text ones */
    switch (musc_format_from_path(path)) {
    case MUSC_FORMAT_MIDI:
    case MUSC_FORMAT_MXL:
    case MUSC_FORMAT_NPZ:
    case MUSC_FORMAT_UNKNOWN: return "byte";
    default: return "line";
    }
}

void cli_print_repairs(FILE *f, const char *cmd, const char *path, const musc_report *report)
{
    const char *unit = cli_offset_unit(path);
    for (size_t i = 0; i < report->n_repairs; i++) {
        const musc_repair *r = &report->repairs[i];
        fprintf(f, "musc %s: %s: repaired at %s %lld (%s): %s\n", cmd, path, unit,
                (long long)r->offset, musc_repair_kind_name(r->kind),
                r->message ? r->message : "");
    }
}

json_t *cli_repairs_json(const musc_report *report)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < report->n_repairs; i++) {
        const musc_repair *r = &report->repairs[i];
        json_t *o = json_pack("{s:s, s:I, s:s}", "kind", musc_repair_kind_name(r->kind),
                              "offset", (json_int_t)r->offset, "message",
                              r->message ? r->message : "");
        if (!o || json_array_append_new(a, o)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int cli_print_json(json_t *value)
{
    if (!value)
        return -1;
    int rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(value);
    if (rc == 0 && fputc('\n', stdout) == EOF)
        rc = -1;
    return rc ? -1 : 0;
}

int cli_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

json_t *cli_json_string(const char *text)
{
    if (!text)
        return json_null();
    json_t *s = json_string(text);
    if (s)
        return s;
    /* Not UTF-8 (a Latin-1 track name, say): keep the ASCII, mark the rest. */
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        copy[i] = (unsigned char)text[i] < 0x80 ? text[i] : '?';
    s = json_string(copy);
    free(copy);
    return s;
}

/* --tune for piano-roll lists (rolls.h): N is the 1-based position in the
 * file, or TITLE a piece's title ("test 3"). */
static int select_rolls_piece(const char *cmd, const char *path, const char *tune,
                              musc_read_options *options)
{
    uint8_t *data;
    size_t size;
    int st = musc_file_read_all(path, 0, &data, &size);
    if (st) {
        cli_fail(cmd, st);
        return -1;
    }
    int is_rolls = musc_rolls_detect(data, size);
    free(data);
    if (!is_rolls) {
        fprintf(stderr, "musc %s: --tune applies to ABC tune books and piano-roll lists, not '%s'\n",
                cmd, path);
        return -1;
    }
    musc_music **list = NULL;
    size_t n = 0;
    if ((st = musc_rolls_read_book(path, NULL, &list, NULL, &n, NULL))) {
        cli_fail(cmd, st);
        return -1;
    }
    char *end = NULL;
    long number = strtol(tune, &end, 10);
    int found = -1;
    if (*tune && !*end) {
        if (number >= 1 && (size_t)number <= n)
            found = (int)(number - 1);
    } else {
        for (size_t i = 0; i < n && found < 0; i++)
            if (list[i]->metadata.title && !strcasecmp(list[i]->metadata.title, tune))
                found = (int)i;
    }
    musc_music_list_free(list, n);
    if (found < 0) {
        fprintf(stderr, "musc %s: %s: no piece %s (the file holds %zu)\n", cmd, path, tune, n);
        return -1;
    }
    options->index = found;
    return 0;
}

int cli_select_tune(const char *cmd, const char *path, const char *tune,
                    musc_read_options *options)
{
    if (musc_format_from_path(path) == MUSC_FORMAT_JSON)
        return select_rolls_piece(cmd, path, tune, options);
    if (musc_format_from_path(path) != MUSC_FORMAT_ABC) {
        fprintf(stderr, "musc %s: --tune applies to ABC tune books, not '%s'\n", cmd, path);
        return -1;
    }
    uint8_t *data;
    size_t size;
    int st = musc_file_read_all(path, 0, &data, &size);
    if (st) {
        cli_fail(cmd, st);
        return -1;
    }
    musc_abc_tune_info *tunes;
    size_t n;
    st = musc_abc_list((const char *)data, size, &tunes, &n);
    free(data);
    if (st) {
        cli_fail(cmd, st);
        return -1;
    }
    int digits = *tune != '\0';
    for (const char *c = tune; *c; c++)
        if (*c < '0' || *c > '9')
            digits = 0;
    long number = digits ? strtol(tune, NULL, 10) : -1;
    int found = -1;
    for (size_t i = 0; i < n && found < 0; i++) {
        if (digits ? tunes[i].number == number
                   : (tunes[i].title && !strcasecmp(tunes[i].title, tune)))
            found = (int)i;
    }
    musc_abc_tune_info_free(tunes, n);
    if (found < 0) {
        fprintf(stderr, "musc %s: %s: no tune %s%s (the book holds %zu tunes)\n", cmd, path,
                digits ? "X:" : "titled ", tune, n);
        return -1;
    }
    options->index = found;
    return 0;
}
