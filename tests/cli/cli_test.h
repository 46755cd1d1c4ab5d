/*
 * Helpers for the end-to-end CLI tests: run the musc binary with printf-style
 * arguments, parse its JSON output, and write small MIDI files whose content
 * the tests know exactly.
 */
#ifndef MUSC_TESTS_CLI_TEST_H
#define MUSC_TESTS_CLI_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "test_support.h"

/* Run `musc ARGS` (ARGS printf-formatted, already shell-quoted where needed),
 * capturing stdout and stderr (either pointer may be NULL; the caller frees).
 * Returns the exit status. */
static inline int musc_run(char **out, char **err, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s", test_musc_bin(), args);
    return test_run(cmd, out, err);
}

/* A scratch path unique to this test program: <tmp>/<prefix>-<name>. The
 * file is removed first so each test starts clean. Caller frees. */
static inline char *scratch(const char *prefix, const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "%s-%s", prefix, name);
    char *p = test_tmp_path(rel);
    unlink(p);
    return p;
}

/* Parse JSON text; fails the test on a parse error. */
static inline json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *j = text ? json_loads(text, 0, &e) : NULL;
    if (!j)
        fail_msg("output is not JSON (%s at line %d): %s", text ? e.text : "no output",
                 text ? e.line : 0, text ? text : "");
    return j;
}

/* An integer member of a JSON object; fails the test when absent. */
static inline json_int_t json_int_field(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("JSON field '%s' missing or not an integer", key);
    return json_integer_value(v);
}

/*
 * A small format-1 MIDI file at 96 ticks per quarter: track 0 holds the
 * title "Test Song", 100 qpm, 3/4 and G major; track 1 ("Lead", channel 1,
 * program 24 = nylon guitar) plays C4 then E4, a quarter each.
 * 2 notes, end time 192 ticks = 2 beats = 1.2 s.
 */
static const unsigned char small_midi[] = {
    'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 2, 0, 96,
    'M', 'T', 'r', 'k', 0, 0, 0, 38,
    0x00, 0xFF, 0x03, 9, 'T', 'e', 's', 't', ' ', 'S', 'o', 'n', 'g',
    0x00, 0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0,
    0x00, 0xFF, 0x58, 0x04, 0x03, 0x02, 0x18, 0x08,
    0x00, 0xFF, 0x59, 0x02, 0x01, 0x00,
    0x00, 0xFF, 0x2F, 0x00,
    'M', 'T', 'r', 'k', 0, 0, 0, 31,
    0x00, 0xFF, 0x03, 4, 'L', 'e', 'a', 'd',
    0x00, 0xC0, 24,
    0x00, 0x90, 60, 100,
    0x60, 0x80, 60, 64,
    0x00, 0x90, 64, 100,
    0x60, 0x80, 64, 64,
    0x00, 0xFF, 0x2F, 0x00,
};

/* small_midi cut inside its last note-off: a reader in repair mode closes
 * the open E4 and reports the truncation; strict mode refuses it. */
#define SMALL_MIDI_TRUNCATED_SIZE (sizeof small_midi - 6)

static inline void write_small_midi(const char *path, size_t size)
{
    assert_int_equal(test_write_file(path, small_midi, size), 0);
}

#endif
