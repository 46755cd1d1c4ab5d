/*
 * Reading MusPy JSON (schema 0.2) into a musc_music.
 *
 * jansson parses the text into a tree; this file walks it with a running
 * "JSON path" (tracks[2].notes[5].pitch) so every type or range error names
 * the exact field, as MusPy's own messages do not. Missing or null fields
 * take MusPy's defaults, unknown keys are ignored (MusPy ignores them too,
 * which is what lets musc keep its extras under "musc_*" keys). The mapping
 * decisions (modes, annotation groups, extras) are documented in json.h.
 */
#include "musc/json.h"

#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/grow.h"
#include "json_gzip.h"

/* The walk's state: where we are (for messages) and what to do with damage. */
typedef struct reader {
    char path[256];
    size_t len;
    int strict;
    musc_report *report;
} reader;

/* Append ".key" (or "[i]") to the path; returns the old length to restore.
 * A path too long for the buffer is cut, which only shortens messages. */
static size_t push_key(reader *r, const char *key)
{
    size_t old = r->len;
    int n = snprintf(r->path + r->len, sizeof r->path - r->len, "%s%s", r->len ? "." : "", key);
    if (n > 0)
        r->len += (size_t)n < sizeof r->path - r->len ? (size_t)n : sizeof r->path - 1 - r->len;
    return old;
}

static size_t push_index(reader *r, size_t i)
{
    size_t old = r->len;
    int n = snprintf(r->path + r->len, sizeof r->path - r->len, "[%zu]", i);
    if (n > 0)
        r->len += (size_t)n < sizeof r->path - r->len ? (size_t)n : sizeof r->path - 1 - r->len;
    return old;
}

static void pop(reader *r, size_t old)
{
    r->len = old;
    r->path[old] = '\0';
}

/* Record a format error at the current path (plus `field` when given). */
static musc_status bad(const reader *r, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static musc_status bad(const reader *r, const char *field, const char *fmt, ...)
{
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *sep = (r->len && field) ? "." : "";
    if (!r->len && !field)
        return musc_error(MUSC_ERR_FORMAT, "top level: %s", what);
    return musc_error(MUSC_ERR_FORMAT, "%s%s%s: %s", r->path, sep, field ? field : "", what);
}

static musc_status nomem(void) { return musc_error(MUSC_ERR_NOMEM, "out of memory"); }

/* A short description of a JSON value for "got ..." in messages. */
static void describe(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER: snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: snprintf(buf, n, "%.17g", json_real_value(v)); break;
    case JSON_STRING: snprintf(buf, n, "a string"); break;
    case JSON_OBJECT: snprintf(buf, n, "an object"); break;
    case JSON_ARRAY: snprintf(buf, n, "an array"); break;
    case JSON_TRUE: snprintf(buf, n, "true"); break;
    case JSON_FALSE: snprintf(buf, n, "false"); break;
    default: snprintf(buf, n, "null"); break;
    }
}

static void range_text(int64_t min, int64_t max, char *buf, size_t n)
{
    if (max >= INT_MAX) /* "1..2147483647" says less than ">= 1" */
        snprintf(buf, n, ">= %" PRId64, min);
    else
        snprintf(buf, n, "%" PRId64 "..%" PRId64, min, max);
}

/* The value of key, or NULL when absent or null (MusPy treats both alike). */
static json_t *field(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return (v && !json_is_null(v)) ? v : NULL;
}

/* Convert v to an integer in min..max. Integral reals (12.0) are accepted
 * because some writers emit every number as a float. */
static musc_status as_int(const reader *r, const char *name, const json_t *v, int64_t min,
                          int64_t max, int64_t *out)
{
    int64_t x;
    char range[64], got[64];
    *out = 0;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
               json_real_value(v) >= -9.2e18 && json_real_value(v) <= 9.2e18) {
        x = (int64_t)json_real_value(v);
    } else {
        range_text(min, max, range, sizeof range);
        describe(v, got, sizeof got);
        return bad(r, name, "expected an integer %s, got %s", range, got);
    }
    if (x < min || x > max) {
        range_text(min, max, range, sizeof range);
        return bad(r, name, "expected an integer %s, got %" PRId64, range, x);
    }
    *out = x;
    return MUSC_OK;
}

/* obj[key] as an integer; absent: an error when required, else `def`. */
static musc_status get_int(const reader *r, const json_t *obj, const char *key, int required,
                           int64_t min, int64_t max, int64_t def, int64_t *out)
{
    const json_t *v = field(obj, key);
    *out = def;
    if (!v) {
        if (required)
            return bad(r, key, "missing (required)");
        return MUSC_OK;
    }
    return as_int(r, key, v, min, max, out);
}

static musc_status get_time(const reader *r, const json_t *obj, int64_t *out)
{
    return get_int(r, obj, "time", 1, 0, INT64_MAX, 0, out);
}

/* obj[key] as a string (borrowed from the tree), or NULL when absent. */
static musc_status get_str(const reader *r, const json_t *obj, const char *key, int required,
                           const char **out)
{
    const json_t *v = field(obj, key);
    *out = NULL;
    if (!v) {
        if (required)
            return bad(r, key, "missing (required)");
        return MUSC_OK;
    }
    if (!json_is_string(v)) {
        char got[64];
        describe(v, got, sizeof got);
        return bad(r, key, "expected a string, got %s", got);
    }
    *out = json_string_value(v);
    return MUSC_OK;
}

/* obj[key] as an array, or NULL when absent. */
static musc_status get_array(const reader *r, const json_t *obj, const char *key,
                             const json_t **out)
{
    const json_t *v = field(obj, key);
    *out = NULL;
    if (!v)
        return MUSC_OK;
    if (!json_is_array(v)) {
        char got[64];
        describe(v, got, sizeof got);
        return bad(r, key, "expected a list, got %s", got);
    }
    *out = v;
    return MUSC_OK;
}

/* Element i of a list must be an object; the path already names it. */
static musc_status need_object(const reader *r, const json_t *v)
{
    if (json_is_object(v))
        return MUSC_OK;
    char got[64];
    describe(v, got, sizeof got);
    return bad(r, NULL, "expected an object, got %s", got);
}

/* A repair in lenient mode, an error in strict mode. */
static musc_status repair(const reader *r, const char *field_name, const char *what)
{
    if (r->strict)
        return bad(r, field_name, "%s", what);
    char msg[400];
    snprintf(msg, sizeof msg, "%s%s%s: %s", r->path, field_name ? "." : "",
             field_name ? field_name : "", what);
    return musc_report_add(r->report, MUSC_REPAIR_OTHER, 0, "%s", msg);
}

/* Walk each object of obj[key]: calls fn(r, element, index, ctx) with the
 * path set to key[i]. */
typedef musc_status (*element_fn)(reader *r, const json_t *e, void *ctx);

static musc_status each(reader *r, const json_t *obj, const char *key, element_fn fn, void *ctx,
                        size_t *count)
{
    const json_t *arr;
    musc_status rc = get_array(r, obj, key, &arr);
    if (count)
        *count = arr ? json_array_size(arr) : 0;
    if (rc || !arr)
        return rc;
    size_t outer = push_key(r, key);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        size_t inner = push_index(r, i);
        const json_t *e = json_array_get(arr, i);
        if ((rc = need_object(r, e)) || (rc = fn(r, e, ctx)))
            return rc;
        pop(r, inner);
    }
    pop(r, outer);
    return MUSC_OK;
}

/* Reserve room for n more elements so a long list grows once. */
#define RESERVE(obj, field, n)                                                      \
    do {                                                                            \
        if ((n) && MUSC_GROW((obj)->field, (obj)->cap_##field, (obj)->n_##field + (n))) \
            return nomem();                                                         \
    } while (0)

/* Count of obj[key] when it is a list (0 otherwise; errors come later). */
static size_t list_size(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_array(v) ? json_array_size(v) : 0;
}

/* ---- metadata ----------------------------------------------------------- */

static musc_status read_metadata(reader *r, const json_t *root, musc_music *m)
{
    const json_t *md = field(root, "metadata");
    if (!md)
        return MUSC_OK;
    size_t old = push_key(r, "metadata");
    musc_status rc = need_object(r, md);
    if (rc)
        return rc;
    static const char *keys[] = {"schema_version", "title", "copyright", "collection",
                                 "source_filename", "source_format"};
    char **dst[] = {&m->metadata.schema_version, &m->metadata.title, &m->metadata.copyright,
                    &m->metadata.collection, &m->metadata.source_filename,
                    &m->metadata.source_format};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *s;
        if ((rc = get_str(r, md, keys[i], 0, &s)))
            return rc;
        /* a missing schema_version keeps the default "0.2" */
        if ((s || i > 0) && (rc = musc_set_string(dst[i], s)))
            return rc;
    }
    const json_t *creators;
    if ((rc = get_array(r, md, "creators", &creators)))
        return rc;
    if (creators) {
        size_t outer = push_key(r, "creators");
        for (size_t i = 0; i < json_array_size(creators); i++) {
            const json_t *c = json_array_get(creators, i);
            if (!json_is_string(c)) {
                size_t inner = push_index(r, i);
                char got[64];
                describe(c, got, sizeof got);
                rc = bad(r, NULL, "expected a string, got %s", got);
                pop(r, inner);
                return rc;
            }
            if ((rc = musc_music_add_creator(m, json_string_value(c))))
                return rc;
        }
        pop(r, outer);
    }
    pop(r, old);
    return MUSC_OK;
}

/* ---- music-level lists -------------------------------------------------- */

static musc_status read_tempo(reader *r, const json_t *e, void *ctx)
{
    musc_music *m = ctx;
    int64_t time;
    musc_status rc = get_time(r, e, &time);
    if (rc)
        return rc;
    const json_t *q = field(e, "qpm");
    if (!q)
        return bad(r, "qpm", "missing (required)");
    if (!json_is_number(q) || !(json_number_value(q) > 0) || !isfinite(json_number_value(q))) {
        char got[64];
        describe(q, got, sizeof got);
        return bad(r, "qpm", "expected a number > 0, got %s", got);
    }
    return musc_music_add_tempo(m, time, json_number_value(q));
}

/* Pitch class of a root spelled like "C#", "Bb", "F##", "B-" (music21's
 * flat) or with the Unicode sharp and flat signs; -1 if unreadable. */
static int parse_root_str(const char *s)
{
    static const int base[7] = {9, 11, 0, 2, 4, 5, 7}; /* A..G */
    char c = s[0];
    if (c >= 'a' && c <= 'g')
        c = (char)(c - 'a' + 'A');
    if (c < 'A' || c > 'G')
        return -1;
    int pc = base[c - 'A'];
    for (const char *p = s + 1; *p;) {
        if (*p == '#' || *p == 's') {
            pc++;
            p++;
        } else if (*p == 'b' || *p == '-') {
            pc--;
            p++;
        } else if (!strncmp(p, "\xe2\x99\xaf", 3)) { /* U+266F sharp */
            pc++;
            p += 3;
        } else if (!strncmp(p, "\xe2\x99\xad", 3)) { /* U+266D flat */
            pc--;
            p += 3;
        } else {
            return -1;
        }
        if (pc < -24 || pc > 36)
            return -1;
    }
    return ((pc % 12) + 12) % 12;
}

/* Sharps (+) or flats (-) of the key with this tonic, in -5..6. */
static int fifths_of(int root, int mode)
{
    int major_root = mode == MUSC_MODE_MINOR ? (root + 3) % 12 : root;
    int f = (major_root * 7) % 12; /* 7 fifths = 1 semitone, so 7 inverts it */
    return f > 6 ? f - 12 : f;
}

static musc_status read_key_signature(reader *r, const json_t *e, void *ctx)
{
    musc_music *m = ctx;
    int64_t time, root, fifths;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "root", 0, 0, 11, -1, &root)))
        return rc;
    const char *mode_s, *root_s;
    if ((rc = get_str(r, e, "mode", 0, &mode_s)) || (rc = get_str(r, e, "root_str", 0, &root_s)))
        return rc;
    int mode = MUSC_MODE_NONE;
    if (mode_s) {
        if (!strcasecmp(mode_s, "major"))
            mode = MUSC_MODE_MAJOR;
        else if (!strcasecmp(mode_s, "minor"))
            mode = MUSC_MODE_MINOR;
        else if ((rc = repair(r, "mode", "mode is neither \"major\" nor \"minor\"; stored as none")))
            return rc;
    }
    if (root < 0 && root_s)
        root = parse_root_str(root_s);
    if (!field(e, "fifths")) {
        if (root >= 0) {
            fifths = fifths_of((int)root, mode);
        } else {
            fifths = 0;
            if ((rc = repair(r, "fifths", "neither fifths nor root given; assumed 0 (no sharps "
                                          "or flats)")))
                return rc;
        }
    } else if ((rc = get_int(r, e, "fifths", 0, -7, 7, 0, &fifths))) {
        return rc;
    }
    return musc_music_add_key_signature(m, time, (int)fifths, mode, (int)root);
}

static musc_status read_time_signature(reader *r, const json_t *e, void *ctx)
{
    musc_music *m = ctx;
    int64_t time, num, den;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "numerator", 1, 1, 255, 0, &num)) ||
        (rc = get_int(r, e, "denominator", 1, 1, 1 << 30, 0, &den)))
        return rc;
    return musc_music_add_time_signature(m, time, (int)num, (int)den);
}

/* Lyrics and annotations live at both levels; these fill either list. */
typedef struct lyric_list {
    musc_lyric **arr;
    size_t *n, *cap;
} lyric_list;

typedef struct annotation_list {
    musc_annotation **arr;
    size_t *n, *cap;
} annotation_list;

static musc_status read_lyric(reader *r, const json_t *e, void *ctx)
{
    lyric_list *l = ctx;
    int64_t time;
    const char *text;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_str(r, e, "lyric", 1, &text)))
        return rc;
    char *d = strdup(text);
    if (!d || musc_grow((void **)l->arr, l->cap, *l->n + 1, sizeof **l->arr)) {
        free(d);
        return nomem();
    }
    (*l->arr)[(*l->n)++] = (musc_lyric){.time = time, .text = d};
    return MUSC_OK;
}

static int kind_of_group(const char *g)
{
    if (!g)
        return MUSC_ANN_OTHER;
    if (!strcmp(g, "text"))
        return MUSC_ANN_TEXT;
    if (!strcmp(g, "marker"))
        return MUSC_ANN_MARKER;
    if (!strcmp(g, "cue"))
        return MUSC_ANN_CUE;
    if (!strcmp(g, "chord") || !strcmp(g, "harmony"))
        return MUSC_ANN_CHORD;
    return MUSC_ANN_OTHER;
}

static musc_status read_annotation(reader *r, const json_t *e, void *ctx)
{
    annotation_list *l = ctx;
    int64_t time;
    const char *group;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_str(r, e, "group", 0, &group)))
        return rc;
    const json_t *v = field(e, "annotation");
    if (!v)
        return bad(r, "annotation", "missing (required)");
    char *text;
    int kind;
    if (json_is_string(v)) {
        text = strdup(json_string_value(v));
        kind = kind_of_group(group);
    } else {
        /* MusPy allows any value; keep its exact JSON text */
        text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        kind = MUSC_ANN_OTHER;
    }
    if (!text || musc_grow((void **)l->arr, l->cap, *l->n + 1, sizeof **l->arr)) {
        free(text);
        return nomem();
    }
    (*l->arr)[(*l->n)++] = (musc_annotation){.time = time, .kind = kind, .text = text};
    return MUSC_OK;
}

/* Decode a hex string ("f07e", either case) into a malloc'd buffer. */
static musc_status parse_hex(const reader *r, const char *s, uint8_t **out, size_t *size)
{
    size_t n = strlen(s);
    *out = NULL;
    *size = 0;
    if (n % 2)
        return bad(r, "data", "expected a hex string of even length, got %zu characters", n);
    if (!n)
        return MUSC_OK;
    uint8_t *d = malloc(n / 2);
    if (!d)
        return nomem();
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = (c >= '0' && c <= '9') ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) {
            free(d);
            return bad(r, "data", "expected hex digits, got a '%c' at character %zu",
                       (c > 32 && c < 127) ? c : '?', i);
        }
        if (i % 2)
            d[i / 2] = (uint8_t)(d[i / 2] | v);
        else
            d[i / 2] = (uint8_t)(v << 4);
    }
    *out = d;
    *size = n / 2;
    return MUSC_OK;
}

static musc_status read_raw_event(reader *r, const json_t *e, void *ctx)
{
    musc_music *m = ctx;
    int64_t time, type, track;
    const char *hex;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "type", 1, 0, 255, 0, &type)) ||
        (rc = get_int(r, e, "track", 0, 0, 65535, 0, &track)) ||
        (rc = get_str(r, e, "data", 0, &hex)))
        return rc;
    if (type > 127 && type != MUSC_RAW_SYSEX && type != MUSC_RAW_ESCAPE)
        return bad(r, "type", "expected a meta type 0..127, 240 (sysex) or 247 (escape), got %" PRId64,
                   type);
    uint8_t *data = NULL;
    size_t size = 0;
    if (hex && (rc = parse_hex(r, hex, &data, &size)))
        return rc;
    if (MUSC_GROW(m->raw_events, m->cap_raw_events, m->n_raw_events + 1)) {
        free(data);
        return nomem();
    }
    m->raw_events[m->n_raw_events++] = (musc_raw_event){
        .time = time, .type = (int)type, .data = data, .size = size, .track = (int)track};
    return MUSC_OK;
}

/* ---- tracks ------------------------------------------------------------- */

static musc_status read_note(reader *r, const json_t *e, void *ctx)
{
    musc_track *t = ctx;
    int64_t time, pitch, dur, vel;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "pitch", 1, 0, 127, 0, &pitch)) ||
        (rc = get_int(r, e, "duration", 1, 0, INT64_MAX, 0, &dur)) ||
        (rc = get_int(r, e, "velocity", 0, 0, 127, MUSC_DEFAULT_VELOCITY, &vel)))
        return rc;
    if (dur > INT64_MAX - time)
        return bad(r, "duration", "the note ends past the largest representable tick");
    return musc_track_add_note(t, time, dur, (int)pitch, (int)vel);
}

static musc_status read_chord(reader *r, const json_t *e, void *ctx)
{
    musc_track *t = ctx;
    int64_t time, dur, vel;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) ||
        (rc = get_int(r, e, "duration", 1, 0, INT64_MAX, 0, &dur)) ||
        (rc = get_int(r, e, "velocity", 0, 0, 127, MUSC_DEFAULT_VELOCITY, &vel)))
        return rc;
    /* MusPy's schema file names the list "pitch"; its class says "pitches" */
    const char *key = field(e, "pitches") ? "pitches" : "pitch";
    const json_t *arr;
    if ((rc = get_array(r, e, key, &arr)))
        return rc;
    if (!arr)
        return bad(r, "pitches", "missing (required)");
    size_t n = json_array_size(arr);
    int16_t *p = n ? malloc(n * sizeof *p) : NULL;
    if (n && !p)
        return nomem();
    size_t outer = push_key(r, key);
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        size_t inner = push_index(r, i);
        if ((rc = as_int(r, NULL, json_array_get(arr, i), 0, 127, &v))) {
            free(p);
            return rc;
        }
        pop(r, inner);
        p[i] = (int16_t)v;
    }
    pop(r, outer);
    rc = musc_track_add_chord(t, time, dur, p, n, (int)vel);
    free(p);
    return rc;
}

static musc_status read_control(reader *r, const json_t *e, void *ctx)
{
    musc_track *t = ctx;
    int64_t time, num, val;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "number", 1, 0, 127, 0, &num)) ||
        (rc = get_int(r, e, "value", 1, 0, 127, 0, &val)))
        return rc;
    return musc_track_add_control(t, time, (int)num, (int)val);
}

static musc_status read_pitch_bend(reader *r, const json_t *e, void *ctx)
{
    musc_track *t = ctx;
    int64_t time, val;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "value", 1, -8192, 8191, 0, &val)))
        return rc;
    return musc_track_add_pitch_bend(t, time, (int)val);
}

static musc_status read_pressure(reader *r, const json_t *e, void *ctx)
{
    musc_track *t = ctx;
    int64_t time, pitch, val;
    musc_status rc;
    if ((rc = get_time(r, e, &time)) || (rc = get_int(r, e, "pitch", 0, -1, 127, -1, &pitch)) ||
        (rc = get_int(r, e, "value", 1, 0, 127, 0, &val)))
        return rc;
    return musc_track_add_pressure(t, time, (int)pitch, (int)val);
}

static musc_status read_track(reader *r, const json_t *e, void *ctx)
{
    musc_music *m = ctx;
    int64_t program, channel;
    const char *name, *iname;
    musc_status rc;
    if ((rc = get_int(r, e, "program", 0, 0, 127, 0, &program)) ||
        (rc = get_int(r, e, "musc_channel", 0, -1, 15, -1, &channel)) ||
        (rc = get_str(r, e, "name", 0, &name)) ||
        (rc = get_str(r, e, "musc_instrument_name", 0, &iname)))
        return rc;
    int is_drum = 0;
    const json_t *d = field(e, "is_drum");
    if (d) {
        if (json_is_boolean(d))
            is_drum = json_is_true(d);
        else if (json_is_integer(d) && (json_integer_value(d) == 0 || json_integer_value(d) == 1))
            is_drum = (int)json_integer_value(d);
        else {
            char got[64];
            describe(d, got, sizeof got);
            return bad(r, "is_drum", "expected true or false, got %s", got);
        }
    }
    musc_track *t = musc_music_add_track(m, (int)program, is_drum, name);
    if (!t)
        return nomem();
    t->channel = (int)channel;
    if (iname && (rc = musc_set_string(&t->instrument_name, iname)))
        return rc;
    RESERVE(t, notes, list_size(e, "notes"));
    lyric_list ll = {&t->lyrics, &t->n_lyrics, &t->cap_lyrics};
    annotation_list al = {&t->annotations, &t->n_annotations, &t->cap_annotations};
    if ((rc = each(r, e, "notes", read_note, t, NULL)) ||
        (rc = each(r, e, "chords", read_chord, t, NULL)) ||
        (rc = each(r, e, "lyrics", read_lyric, &ll, NULL)) ||
        (rc = each(r, e, "annotations", read_annotation, &al, NULL)) ||
        (rc = each(r, e, "musc_controls", read_control, t, NULL)) ||
        (rc = each(r, e, "musc_pitch_bends", read_pitch_bend, t, NULL)) ||
        (rc = each(r, e, "musc_pressures", read_pressure, t, NULL)))
        return rc;
    return MUSC_OK;
}

/* ---- the whole document ------------------------------------------------- */

static musc_status read_root(reader *r, const json_t *root, musc_music *m)
{
    musc_status rc;
    if (!json_is_object(root))
        return bad(r, NULL, "expected an object (a MusPy music), got %s",
                   json_is_array(root) ? "a list" : "another value");
    int64_t res;
    if ((rc = read_metadata(r, root, m)) ||
        (rc = get_int(r, root, "resolution", 0, 1, INT_MAX, MUSC_DEFAULT_RESOLUTION, &res)))
        return rc;
    m->resolution = (int)res;
    lyric_list ll = {&m->lyrics, &m->n_lyrics, &m->cap_lyrics};
    annotation_list al = {&m->annotations, &m->n_annotations, &m->cap_annotations};
    if ((rc = each(r, root, "tempos", read_tempo, m, NULL)) ||
        (rc = each(r, root, "key_signatures", read_key_signature, m, NULL)) ||
        (rc = each(r, root, "time_signatures", read_time_signature, m, NULL)) ||
        (rc = each(r, root, "lyrics", read_lyric, &ll, NULL)) ||
        (rc = each(r, root, "annotations", read_annotation, &al, NULL)))
        return rc;
    RESERVE(m, tracks, list_size(root, "tracks"));
    if ((rc = each(r, root, "tracks", read_track, m, NULL)) ||
        (rc = each(r, root, "musc_raw_events", read_raw_event, m, NULL)))
        return rc;
    return MUSC_OK;
}

musc_status musc_json_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                               musc_music **out, musc_report *report)
{
    *out = NULL;
    if (!data && size)
        return musc_error(MUSC_ERR_ARG, "JSON: data is NULL");
    uint8_t *plain = NULL;
    musc_status rc;
    int gzipped = musc_gzip_detect(data, size);
    if (gzipped) {
        size_t plain_size;
        if ((rc = musc_gzip_decompress(data, size, MUSC_JSON_MAX_SIZE, &plain, &plain_size)))
            return rc;
        data = plain;
        size = plain_size;
    }
    json_error_t err;
    json_t *root = json_loadb((const char *)(data ? data : (const uint8_t *)""), size, 0, &err);
    free(plain);
    if (!root) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return nomem();
        return musc_error(MUSC_ERR_FORMAT, "JSON syntax error at line %d, column %d: %s%s",
                          err.line, err.column, err.text,
                          gzipped ? " (in the decompressed text)" : "");
    }
    reader r = {.path = "", .len = 0, .strict = options ? options->strict : 0,
                .report = report};
    musc_music *m = musc_music_new(MUSC_DEFAULT_RESOLUTION);
    if (!m) {
        json_decref(root);
        return nomem();
    }
    rc = read_root(&r, root, m);
    json_decref(root);
    if (!rc && (rc = musc_music_validate(m)) == MUSC_ERR_INVALID) {
        /* reading checks ranges itself; this catches what it cannot see */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        rc = musc_error(MUSC_ERR_FORMAT, "%s", msg);
    }
    if (rc) {
        musc_music_free(m);
        return rc;
    }
    *out = m;
    return MUSC_OK;
}

musc_status musc_json_read(const char *path, const musc_read_options *options, musc_music **out,
                           musc_report *report)
{
    *out = NULL;
    uint8_t *data;
    size_t size;
    musc_status rc = musc_file_read_all(path, 0, &data, &size);
    if (rc)
        return rc;
    rc = musc_json_read_mem(data, size, options, out, report);
    free(data);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        musc_error(rc, "%s: %s", path, msg);
    }
    return rc;
}
