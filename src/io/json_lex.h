/*
 * A small pull parser for JSON text (RFC 8259), internal to musc's JSON
 * reader. The caller walks objects and arrays member by member and parses
 * each value as it comes, so reading a file never builds a tree: memory
 * stays near the size of the resulting music, not ten times the text, as a
 * general-purpose DOM parser needs.
 *
 * Strings are checked for valid UTF-8 and may not contain NUL (the model's
 * strings are C strings); numbers follow JSON's grammar, integers must fit
 * in 64 bits. Syntax errors are MUSC_ERR_FORMAT naming line and column.
 */
#ifndef MUSC_IO_JSON_LEX_H
#define MUSC_IO_JSON_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "musc/error.h"

/* Nesting deeper than this is refused (it is never music, and it bounds
 * the recursion that skipping a value needs). */
#define JSON_LEX_MAX_DEPTH 512

typedef struct json_lex {
    const char *p, *end;
    const char *line_start;
    int line;
    int depth;
    char *scratch; /* decoded text of the last string */
    size_t scratch_cap;
} json_lex;

typedef enum jl_type {
    JT_NONE = 0, /* the field was absent */
    JT_NULL,
    JT_FALSE,
    JT_TRUE,
    JT_INT,
    JT_REAL,
    JT_STRING,
    JT_OBJECT,
    JT_ARRAY
} jl_type;

/* A parsed value. Strings are malloc'd (s, owned); objects and arrays are
 * skipped and only their text span (raw, raw_len) is kept. */
typedef struct jl_value {
    jl_type type;
    int64_t i;
    double d;
    char *s;
    const char *raw;
    size_t raw_len;
} jl_value;

void json_lex_init(json_lex *lx, const char *text, size_t size);
void json_lex_free(json_lex *lx);

/* A syntax error at the current position. */
musc_status json_lex_error(const json_lex *lx, const char *what);

/* Skip spaces; returns the next byte or 0 at the end. */
int json_lex_peek(json_lex *lx);

/* Parse any value into *v (freeing nothing first). */
musc_status json_lex_value(json_lex *lx, jl_value *v);

/* Free a value's string and mark it absent. */
void jl_value_clear(jl_value *v);

/* Consume '{' (or '['), or fail with a syntax error. */
musc_status json_lex_open(json_lex *lx, char c);

/* The next member of an object already opened: copies its key into key
 * (keys longer than key_size-1 come back as "", which matches no field) and
 * consumes the ':'. *more is 0 when the object ended instead. `index`
 * counts members so far (0 for the first). */
musc_status json_lex_member(json_lex *lx, size_t index, char *key, size_t key_size, int *more);

/* Before the next element of an array already opened: *more is 0 when the
 * array ended. */
musc_status json_lex_item(json_lex *lx, size_t index, int *more);

/* After the top-level value: only whitespace may follow. */
musc_status json_lex_finish(json_lex *lx);

#endif
