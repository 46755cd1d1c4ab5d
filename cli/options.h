/*
 * What the subcommands share: resetting getopt between commands, parsing
 * numbers and the --overlap policy with messages that name the command, and
 * reporting library errors and read repairs the same way everywhere.
 */
#ifndef MUSC_CLI_OPTIONS_H
#define MUSC_CLI_OPTIONS_H

#include <stdio.h>

#include <jansson.h>

#include "musc/musc.h"

/* Prepare getopt_long for a subcommand's argv: glibc reinitialises fully when
 * optind is 0, and opterr = 0 lets cli_bad_option word the message. */
void cli_getopt_reset(void);

/* Print the message for a getopt_long failure (`c` is '?' or ':') naming the
 * offending option, plus a pointer to --help. Returns EXIT_USAGE. */
int cli_bad_option(const char *cmd, char **argv, int c);

/* Print "musc CMD: message" to stderr and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse a whole decimal integer in [min, max] into *out. On failure print
 * "musc CMD: OPTION expects ..." and return -1, else 0. */
int cli_parse_long(const char *cmd, const char *option, const char *text, long min, long max,
                   long *out);

/* Parse "fifo", "lifo" or "close_all". On failure print a message; -1. */
int cli_parse_overlap(const char *cmd, const char *text, musc_overlap *out);

/* Report a failed library call: "musc CMD: <message>" on stderr, using
 * musc_errmsg() and falling back to musc_strerror(status). Returns the exit
 * code for it (EXIT_INPUT). */
int cli_fail(const char *cmd, int status);

/* "byte" or "line": what a repair offset counts in the file at `path`
 * (bytes for binary formats such as MIDI, lines for text formats). */
const char *cli_offset_unit(const char *path);

/* Print each repair of `report` to `f` as "musc CMD: PATH: repaired at
 * byte N (kind): message" ("line N" for text formats). */
void cli_print_repairs(FILE *f, const char *cmd, const char *path, const musc_report *report);

/* The repairs as a JSON array of {kind, offset, message}; NULL on OOM. */
json_t *cli_repairs_json(const musc_report *report);

/* Print a JSON value to stdout with a trailing newline (2-space indent,
 * keys in insertion order) and release it. Returns 0, or -1 if it failed. */
int cli_print_json(json_t *value);

/* Nonzero when `path` exists (any kind of file). */
int cli_path_exists(const char *path);

/* A JSON string for `text`: null when text is NULL, and bytes that are not
 * valid UTF-8 replaced by '?' (jansson refuses them). NULL only on OOM. */
json_t *cli_json_string(const char *text);

/* --tune N|TITLE for an ABC tune book at `path`: set options->index to the
 * tune with reference number X:N (when TUNE is all digits) or the first
 * whose title equals TUNE (case-insensitive). For piano-roll lists (.json,
 * rolls.h) N is the piece's 1-based position and TITLE its title ("test 3").
 * Prints a message and returns -1 when the file is neither or has no such
 * tune. */
int cli_select_tune(const char *cmd, const char *path, const char *tune,
                    musc_read_options *options);

/* --tune N|TITLE for an ABC tune book at `path`: set options->index to the
 * tune with reference number X:N (when TUNE is all digits) or the first
 * whose title equals TUNE (case-insensitive). For piano-roll lists (.json,
 * rolls.h) N is the piece's 1-based position and TITLE its title ("test 3").
 * Prints a message and returns -1 when the file is neither or has no such
 * tune. */
int cli_select_tune(const char *cmd, const char *path, const char *tune,
                    musc_read_options *options);

#endif
