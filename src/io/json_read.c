/*
 * Reading MusPy JSON (schema 0.2) into a musc_music.
 *
 * The text is walked once with a pull parser (json_lex.h), filling the
 * model as it goes; no JSON tree is built, so a large file costs little
 * more memory than the music it holds. A running "JSON path"
 * (tracks[2].notes[5].pitch) makes every type or range error name the exact
 * field. Missing or null fields take MusPy's defaults, unknown keys are
 * skipped (MusPy ignores them too, which is what lets musc keep its extras
 * under "musc_*" keys). The mapping decisions (modes, annotation groups,
 * extras) are documented in json.h.
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
#include "json_lex.h"
#include "musc/rolls.h"
#include "rolls_internal.h"

/* The walk's state: the text, where we are (for messages) and what to do
 * with damage. */
typedef struct reader {
    json_lex lx;
    char path[256];
    size_t len;
    int strict;
    musc_report *report;
} reader;

/* Append ".key" (or "[i]") to the path; returns the old length to restore.
 * A path too long for the buffer is cut, which only shortens messages. */
static size_t push_text(reader *r, const char *sep, const char *text)
{
    size_t old = r->len;
    int n = snprintf(r->path + r->len, sizeof r->path - r->len, "%s%s", sep, text);
    if (n > 0)
        r->len += (size_t)n < sizeof r->path - r->len ? (size_t)n : sizeof r->path - 1 - r->len;
    return old;
}

static size_t push_key(reader *r, const char *key) { return push_text(r, r->len ? "." : "", key); }

static size_t push_index(reader *r, size_t i)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%zu]", i);
    return push_text(r, "", buf);
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

/* A short description of a value for "got ..." in messages. */
static void describe(const jl_value *v, char *buf, size_t n)
{
    switch (v->type) {
    case JT_INT: snprintf(buf, n, "%" PRId64, v->i); break;
    case JT_REAL: snprintf(buf, n, "%.17g", v->d); break;
    case JT_STRING: snprintf(buf, n, "a string"); break;
    case JT_OBJECT: snprintf(buf, n, "an object"); break;
    case JT_ARRAY: snprintf(buf, n, "a list"); break;
    case JT_TRUE: snprintf(buf, n, "true"); break;
    case JT_FALSE: snprintf(buf, n, "false"); break;
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

/* Absent and null are the same to MusPy. */
static int absent(const jl_value *v) { return v->type == JT_NONE || v->type == JT_NULL; }

/* Convert v to an integer in min..max. Integral reals (12.0) are accepted
 * because some writers emit every number as a float. */
static musc_status as_int(const reader *r, const char *name, const jl_value *v, int64_t min,
                          int64_t max, int64_t *out)
{
    int64_t x;
    char range[64], got[64];
    *out = 0;
    if (v->type == JT_INT) {
        x = v->i;
    } else if (v->type == JT_REAL && v->d == floor(v->d) && v->d >= -9.2e18 && v->d <= 9.2e18) {
        x = (int64_t)v->d;
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

/* A field as an integer; absent: an error when required, else `def`. */
static musc_status get_int(const reader *r, const char *name, const jl_value *v, int required,
                           int64_t min, int64_t max, int64_t def, int64_t *out)
{
    *out = def;
    if (absent(v))
        return required ? bad(r, name, "missing (required)") : MUSC_OK;
    return as_int(r, name, v, min, max, out);
}

static musc_status get_time(const reader *r, const jl_value *v, int64_t *out)
{
    return get_int(r, "time", v, 1, 0, INT64_MAX, 0, out);
}

/* A field as a string (still owned by v), or NULL when absent. */
static musc_status get_str(const reader *r, const char *name, const jl_value *v, int required,
                           const char **out)
{
    *out = NULL;
    if (absent(v))
        return required ? bad(r, name, "missing (required)") : MUSC_OK;
    if (v->type != JT_STRING) {
        char got[64];
        describe(v, got, sizeof got);
        return bad(r, name, "expected a string, got %s", got);
    }
    *out = v->s;
    return MUSC_OK;
}

/* A repair in lenient mode, an error in strict mode. */
static musc_status repair(const reader *r, const char *field_name, const char *what)
{
    if (r->strict)
        return bad(r, field_name, "%s", what);
    return musc_report_add(r->report, MUSC_REPAIR_OTHER, r->lx.line, "%s%s%s: %s", r->path,
                           field_name ? "." : "", field_name ? field_name : "", what);
}

/* ---- walking the text ----------------------------------------------------- */

/* Open the object (or list) that must come next; anything else is a type
 * error naming `field` (NULL: the current path). A null is reported as
 * *is_null (when the caller allows it) instead. */
static musc_status open_container(reader *r, char c, const char *field, int *is_null)
{
    int next = json_lex_peek(&r->lx);
    if (next == (unsigned char)c)
        return json_lex_open(&r->lx, c);
    jl_value v;
    musc_status rc = json_lex_value(&r->lx, &v);
    if (rc)
        return rc;
    char got[64];
    describe(&v, got, sizeof got);
    jl_value_clear(&v);
    if (is_null && !strcmp(got, "null")) {
        *is_null = 1;
        return MUSC_OK;
    }
    return bad(r, field, "expected %s, got %s", c == '{' ? "an object" : "a list", got);
}

/* Read an object whose fields are all values: names[i] goes to vals[i]
 * (the last wins if a key repeats); other keys are skipped. */
static musc_status read_fields(reader *r, const char *const *names, jl_value *vals, size_t n)
{
    musc_status rc = open_container(r, '{', NULL, NULL);
    if (rc)
        return rc;
    char key[32];
    int more;
    jl_value skip = {0};
    for (size_t k = 0;; k++) {
        if ((rc = json_lex_member(&r->lx, k, key, sizeof key, &more)) || !more)
            break;
        size_t i = 0;
        while (i < n && strcmp(key, names[i]))
            i++;
        jl_value *dst = i < n ? &vals[i] : &skip;
        jl_value_clear(dst);
        rc = json_lex_value(&r->lx, dst);
        if (dst == &skip)
            jl_value_clear(&skip);
        if (rc)
            break;
    }
    r->lx.depth--;
    return rc;
}

static void clear_fields(jl_value *vals, size_t n)
{
    for (size_t i = 0; i < n; i++)
        jl_value_clear(&vals[i]);
}

/* Each element of the list that is the value of member `key` goes to
 * fn(r, ctx) with the path set to key[i]; null means an empty list. */
typedef musc_status (*element_fn)(reader *r, void *ctx);

static musc_status each(reader *r, const char *key, element_fn fn, void *ctx)
{
    int is_null = 0;
    musc_status rc = open_container(r, '[', key, &is_null);
    if (rc || is_null)
        return rc;
    size_t outer = push_key(r, key);
    int more;
    for (size_t i = 0;; i++) {
        if ((rc = json_lex_item(&r->lx, i, &more)) || !more)
            break;
        size_t inner = push_index(r, i);
        if ((rc = fn(r, ctx)))
            return rc;
        pop(r, inner);
    }
    r->lx.depth--;
    if (!rc)
        pop(r, outer);
    return rc;
}

/* A list key seen twice would merge two lists (Python keeps the last one);
 * refuse it rather than guess. */
static musc_status once(const reader *r, unsigned *seen, unsigned bit, const char *key)
{
    if (*seen & bit)
        return bad(r, key, "appears twice in the same object");
    *seen |= bit;
    return MUSC_OK;
}

/* ---- metadata ----------------------------------------------------------- */

static musc_status read_creator(reader *r, void *ctx)
{
    musc_music *m = ctx;
    jl_value v;
    musc_status rc = json_lex_value(&r->lx, &v);
    if (rc)
        return rc;
    if (v.type != JT_STRING) {
        char got[64];
        describe(&v, got, sizeof got);
        jl_value_clear(&v);
        return bad(r, NULL, "expected a string, got %s", got);
    }
    rc = musc_music_add_creator(m, v.s);
    jl_value_clear(&v);
    return rc;
}

/* Read the value of member `key` into vals[i] when key is names[i] (a later
 * duplicate replaces an earlier one); a member with another name is parsed
 * and dropped, as MusPy ignores keys it does not know. */
static musc_status read_named_value(reader *r, const char *key, const char *const *names,
                                    size_t n, jl_value *vals)
{
    size_t i = 0;
    while (i < n && strcmp(key, names[i]))
        i++;
    jl_value skip = {0}, *v = i < n ? &vals[i] : &skip;
    jl_value_clear(v);
    musc_status rc = json_lex_value(&r->lx, v);
    if (v == &skip)
        jl_value_clear(&skip);
    return rc;
}

static musc_status read_metadata(reader *r, musc_music *m)
{
    static const char *const names[] = {"schema_version", "title", "copyright", "collection",
                                        "source_filename", "source_format"};
    enum { N = sizeof names / sizeof *names };
    char **dst[N] = {&m->metadata.schema_version, &m->metadata.title, &m->metadata.copyright,
                     &m->metadata.collection, &m->metadata.source_filename,
                     &m->metadata.source_format};
    jl_value vals[N] = {{0}};
    int is_null = 0;
    musc_status rc = open_container(r, '{', NULL, &is_null);
    if (rc || is_null)
        return rc;
    char key[32];
    int more;
    unsigned seen = 0;
    for (size_t k = 0;; k++) {
        if ((rc = json_lex_member(&r->lx, k, key, sizeof key, &more)) || !more)
            break;
        if (!strcmp(key, "creators")) {
            if ((rc = once(r, &seen, 1, key)) || (rc = each(r, key, read_creator, m)))
                break;
            continue;
        }
        if ((rc = read_named_value(r, key, names, N, vals)))
            break;
    }
    r->lx.depth--;
    for (size_t i = 0; !rc && i < N; i++) {
        const char *s;
        if ((rc = get_str(r, names[i], &vals[i], 0, &s)))
            break;
        /* a missing schema_version keeps the default "0.2" */
        if (s || i > 0) {
            free(*dst[i]);
            *dst[i] = vals[i].s;
            vals[i].s = NULL;
        }
    }
    clear_fields(vals, N);
    return rc;
}

/* ---- music-level lists -------------------------------------------------- */

static musc_status read_tempo(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "qpm"};
    jl_value f[2] = {{0}};
    int64_t time;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 2)) || (rc = get_time(r, &f[0], &time)))
        goto done;
    if (absent(&f[1])) {
        rc = bad(r, "qpm", "missing (required)");
        goto done;
    }
    double q = f[1].type == JT_INT ? (double)f[1].i : f[1].d;
    if ((f[1].type != JT_INT && f[1].type != JT_REAL) || !(q > 0) || !isfinite(q)) {
        char got[64];
        describe(&f[1], got, sizeof got);
        rc = bad(r, "qpm", "expected a number > 0, got %s", got);
        goto done;
    }
    rc = musc_music_add_tempo(ctx, time, q);
done:
    clear_fields(f, 2);
    return rc;
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

static musc_status read_key_signature(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "root", "mode", "fifths", "root_str"};
    jl_value f[5] = {{0}};
    int64_t time, root, fifths = 0;
    const char *mode_s, *root_s;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 5)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_int(r, "root", &f[1], 0, 0, 11, -1, &root)) ||
        (rc = get_str(r, "mode", &f[2], 0, &mode_s)) ||
        (rc = get_str(r, "root_str", &f[4], 0, &root_s)))
        goto done;
    int mode = MUSC_MODE_NONE;
    if (mode_s) {
        if (!strcasecmp(mode_s, "major"))
            mode = MUSC_MODE_MAJOR;
        else if (!strcasecmp(mode_s, "minor"))
            mode = MUSC_MODE_MINOR;
        else if ((rc = repair(r, "mode", "mode is neither \"major\" nor \"minor\"; stored as none")))
            goto done;
    }
    if (root < 0 && root_s)
        root = parse_root_str(root_s);
    if (!absent(&f[3])) {
        if ((rc = get_int(r, "fifths", &f[3], 0, -7, 7, 0, &fifths)))
            goto done;
    } else if (root >= 0) {
        fifths = fifths_of((int)root, mode);
    } else if ((rc = repair(r, "fifths",
                            "neither fifths nor root given; assumed 0 (no sharps or flats)"))) {
        goto done;
    }
    rc = musc_music_add_key_signature(ctx, time, (int)fifths, mode, (int)root);
done:
    clear_fields(f, 5);
    return rc;
}

static musc_status read_time_signature(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "numerator", "denominator"};
    jl_value f[3] = {{0}};
    int64_t time, num, den;
    musc_status rc;
    if (!(rc = read_fields(r, names, f, 3)) && !(rc = get_time(r, &f[0], &time)) &&
        !(rc = get_int(r, "numerator", &f[1], 1, 1, 255, 0, &num)) &&
        !(rc = get_int(r, "denominator", &f[2], 1, 1, 1 << 30, 0, &den)))
        rc = musc_music_add_time_signature(ctx, time, (int)num, (int)den);
    clear_fields(f, 3);
    return rc;
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

static musc_status read_lyric(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "lyric", "verse"};
    lyric_list *l = ctx;
    jl_value f[3] = {{0}};
    int64_t time, verse;
    const char *text;
    musc_status rc;
    if (!(rc = read_fields(r, names, f, 3)) && !(rc = get_time(r, &f[0], &time)) &&
        !(rc = get_str(r, "lyric", &f[1], 1, &text)) &&
        !(rc = get_int(r, "verse", &f[2], 0, 0, INT_MAX, 0, &verse))) {
        if (musc_grow((void **)l->arr, l->cap, *l->n + 1, sizeof **l->arr)) {
            rc = nomem();
        } else {
            (*l->arr)[(*l->n)++] = (musc_lyric){.time = time, .text = f[1].s, .verse = (int)verse};
            f[1].s = NULL;
        }
    }
    clear_fields(f, 3);
    return rc;
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

/* The compact JSON text of a value that is not a string (MusPy allows any
 * annotation), made by jansson so that it is canonical: the writer relies
 * on that to send it back out as the same value. */
static musc_status canonical_text(const reader *r, const jl_value *v, char **out)
{
    json_error_t err;
    json_t *j = json_loadb(v->raw, v->raw_len, JSON_DECODE_ANY, &err);
    *out = NULL;
    if (!j) /* the lexer accepted it, so only an odd number can get here */
        return bad(r, "annotation", "value not understood: %s", err.text);
    *out = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    return *out ? MUSC_OK : nomem();
}

static musc_status read_annotation(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "annotation", "group"};
    annotation_list *l = ctx;
    jl_value f[3] = {{0}};
    int64_t time;
    const char *group;
    char *text = NULL;
    int kind;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 3)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_str(r, "group", &f[2], 0, &group)))
        goto done;
    if (absent(&f[1])) {
        rc = bad(r, "annotation", "missing (required)");
        goto done;
    }
    if (f[1].type == JT_STRING) {
        text = f[1].s;
        f[1].s = NULL;
        kind = kind_of_group(group);
    } else {
        if ((rc = canonical_text(r, &f[1], &text)))
            goto done;
        kind = MUSC_ANN_OTHER;
    }
    if (musc_grow((void **)l->arr, l->cap, *l->n + 1, sizeof **l->arr)) {
        free(text);
        rc = nomem();
        goto done;
    }
    (*l->arr)[(*l->n)++] = (musc_annotation){.time = time, .kind = kind, .text = text};
done:
    clear_fields(f, 3);
    return rc;
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

static musc_status read_raw_event(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "type", "data", "track"};
    musc_music *m = ctx;
    jl_value f[4] = {{0}};
    int64_t time, type, track;
    const char *hex;
    uint8_t *data = NULL;
    size_t size = 0;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 4)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_int(r, "type", &f[1], 1, 0, 255, 0, &type)) ||
        (rc = get_str(r, "data", &f[2], 0, &hex)) ||
        (rc = get_int(r, "track", &f[3], 0, 0, 65535, 0, &track)))
        goto done;
    if (type > 127 && type != MUSC_RAW_SYSEX && type != MUSC_RAW_ESCAPE) {
        rc = bad(r, "type",
                 "expected a meta type 0..127, 240 (sysex) or 247 (escape), got %" PRId64, type);
        goto done;
    }
    if (hex && (rc = parse_hex(r, hex, &data, &size)))
        goto done;
    if (MUSC_GROW(m->raw_events, m->cap_raw_events, m->n_raw_events + 1)) {
        free(data);
        rc = nomem();
        goto done;
    }
    m->raw_events[m->n_raw_events++] = (musc_raw_event){
        .time = time, .type = (int)type, .data = data, .size = size, .track = (int)track};
done:
    clear_fields(f, 4);
    return rc;
}

/* ---- tracks ------------------------------------------------------------- */

/* Lists inside a track find it by index: the track array cannot move while
 * a track is read, but an index says so without needing the argument. */
typedef struct track_ref {
    musc_music *m;
    size_t index;
} track_ref;

static musc_track *track_of(void *ctx)
{
    track_ref *t = ctx;
    return &t->m->tracks[t->index];
}

static musc_status read_note(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "pitch", "duration", "velocity"};
    jl_value f[4] = {{0}};
    int64_t time, pitch, dur, vel;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 4)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_int(r, "pitch", &f[1], 1, 0, 127, 0, &pitch)) ||
        (rc = get_int(r, "duration", &f[2], 1, 0, INT64_MAX, 0, &dur)) ||
        (rc = get_int(r, "velocity", &f[3], 0, 0, 127, MUSC_DEFAULT_VELOCITY, &vel)))
        goto done;
    if (dur > INT64_MAX - time)
        rc = bad(r, "duration", "the note ends past the largest representable tick");
    else
        rc = musc_track_add_note(track_of(ctx), time, dur, (int)pitch, (int)vel);
done:
    clear_fields(f, 4);
    return rc;
}

/* The pitches of a chord: the list's text, parsed again element by element. */
static musc_status chord_pitches(reader *r, const char *key, const jl_value *v, int16_t **out,
                                 size_t *n)
{
    *out = NULL;
    *n = 0;
    if (v->type != JT_ARRAY) {
        char got[64];
        describe(v, got, sizeof got);
        return bad(r, key, "expected a list of pitches, got %s", got);
    }
    reader sub = *r; /* same path and options, its own lexer over the list */
    json_lex_init(&sub.lx, v->raw, v->raw_len);
    musc_status rc = json_lex_open(&sub.lx, '[');
    size_t cap = 0, outer = push_key(&sub, key);
    int more;
    for (size_t i = 0; !rc; i++) {
        if ((rc = json_lex_item(&sub.lx, i, &more)) || !more)
            break;
        jl_value e;
        int64_t p;
        size_t inner = push_index(&sub, i);
        if ((rc = json_lex_value(&sub.lx, &e)))
            break;
        rc = as_int(&sub, NULL, &e, 0, 127, &p);
        jl_value_clear(&e);
        if (rc)
            break;
        pop(&sub, inner);
        if (MUSC_GROW(*out, cap, i + 1)) {
            rc = nomem();
            break;
        }
        (*out)[i] = (int16_t)p;
        *n = i + 1;
    }
    pop(&sub, outer);
    json_lex_free(&sub.lx);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static musc_status read_chord(reader *r, void *ctx)
{
    /* MusPy's schema file names the list "pitch"; its class says "pitches" */
    static const char *const names[] = {"time", "pitches", "duration", "velocity", "pitch"};
    jl_value f[5] = {{0}};
    int64_t time, dur, vel;
    int16_t *p = NULL;
    size_t n = 0;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 5)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_int(r, "duration", &f[2], 1, 0, INT64_MAX, 0, &dur)) ||
        (rc = get_int(r, "velocity", &f[3], 0, 0, 127, MUSC_DEFAULT_VELOCITY, &vel)))
        goto done;
    int use_pitch = absent(&f[1]) && !absent(&f[4]);
    if (absent(&f[1]) && !use_pitch) {
        rc = bad(r, "pitches", "missing (required)");
        goto done;
    }
    if ((rc = chord_pitches(r, use_pitch ? "pitch" : "pitches", &f[use_pitch ? 4 : 1], &p, &n)))
        goto done;
    rc = musc_track_add_chord(track_of(ctx), time, dur, p, n, (int)vel);
    free(p);
done:
    clear_fields(f, 5);
    return rc;
}

static musc_status read_control(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "number", "value"};
    jl_value f[3] = {{0}};
    int64_t time, num, val;
    musc_status rc;
    if (!(rc = read_fields(r, names, f, 3)) && !(rc = get_time(r, &f[0], &time)) &&
        !(rc = get_int(r, "number", &f[1], 1, 0, 127, 0, &num)) &&
        !(rc = get_int(r, "value", &f[2], 1, 0, 127, 0, &val)))
        rc = musc_track_add_control(track_of(ctx), time, (int)num, (int)val);
    clear_fields(f, 3);
    return rc;
}

static musc_status read_pitch_bend(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "value"};
    jl_value f[2] = {{0}};
    int64_t time, val;
    musc_status rc;
    if (!(rc = read_fields(r, names, f, 2)) && !(rc = get_time(r, &f[0], &time)) &&
        !(rc = get_int(r, "value", &f[1], 1, -8192, 8191, 0, &val)))
        rc = musc_track_add_pitch_bend(track_of(ctx), time, (int)val);
    clear_fields(f, 2);
    return rc;
}

static musc_status read_pressure(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "pitch", "value"};
    jl_value f[3] = {{0}};
    int64_t time, pitch, val;
    musc_status rc;
    if (!(rc = read_fields(r, names, f, 3)) && !(rc = get_time(r, &f[0], &time)) &&
        !(rc = get_int(r, "pitch", &f[1], 0, -1, 127, -1, &pitch)) &&
        !(rc = get_int(r, "value", &f[2], 1, 0, 127, 0, &val)))
        rc = musc_track_add_pressure(track_of(ctx), time, (int)pitch, (int)val);
    clear_fields(f, 3);
    return rc;
}

/* A hairpin: {"time", "duration", "kind": "crescendo" | "diminuendo"}. */
static musc_status read_hairpin(reader *r, void *ctx)
{
    static const char *const names[] = {"time", "duration", "kind"};
    jl_value f[3] = {{0}};
    int64_t time, dur;
    const char *kind;
    musc_status rc;
    if ((rc = read_fields(r, names, f, 3)) || (rc = get_time(r, &f[0], &time)) ||
        (rc = get_int(r, "duration", &f[1], 1, 0, INT64_MAX, 0, &dur)) ||
        (rc = get_str(r, "kind", &f[2], 1, &kind)))
        goto done;
    int k = kind && !strcmp(kind, "crescendo")    ? MUSC_HAIRPIN_CRESCENDO
            : kind && !strcmp(kind, "diminuendo") ? MUSC_HAIRPIN_DIMINUENDO
                                                  : 0;
    if (!k)
        rc = bad(r, "kind", "expected \"crescendo\" or \"diminuendo\"");
    else if (dur > INT64_MAX - time)
        rc = bad(r, "duration", "the hairpin ends past the largest representable tick");
    else
        rc = musc_track_add_hairpin(track_of(ctx), time, dur, k);
done:
    clear_fields(f, 3);
    return rc;
}

static musc_status read_track_lyric(reader *r, void *ctx)
{
    musc_track *t = track_of(ctx);
    lyric_list l = {&t->lyrics, &t->n_lyrics, &t->cap_lyrics};
    return read_lyric(r, &l);
}

static musc_status read_track_annotation(reader *r, void *ctx)
{
    musc_track *t = track_of(ctx);
    annotation_list l = {&t->annotations, &t->n_annotations, &t->cap_annotations};
    return read_annotation(r, &l);
}

static musc_status read_track(reader *r, void *ctx)
{
    static const char *const names[] = {"program", "is_drum", "name", "musc_channel",
                                        "musc_instrument_name"};
    static const struct {
        const char *key;
        element_fn fn;
    } lists[] = {{"notes", read_note},
                 {"chords", read_chord},
                 {"lyrics", read_track_lyric},
                 {"annotations", read_track_annotation},
                 {"musc_controls", read_control},
                 {"musc_pitch_bends", read_pitch_bend},
                 {"musc_pressures", read_pressure},
                 {"musc_hairpins", read_hairpin}};
    enum { N = sizeof names / sizeof *names, L = sizeof lists / sizeof *lists };
    musc_music *m = ctx;
    musc_status rc = open_container(r, '{', NULL, NULL);
    if (rc)
        return rc;
    /* the track exists before its lists arrive; its scalar fields may come
     * after them, so they are applied at the end */
    if (!musc_music_add_track(m, 0, 0, NULL)) {
        r->lx.depth--;
        return nomem();
    }
    track_ref ref = {m, m->n_tracks - 1};
    jl_value f[N] = {{0}};
    char key[32];
    int more;
    unsigned seen = 0;
    for (size_t k = 0;; k++) {
        if ((rc = json_lex_member(&r->lx, k, key, sizeof key, &more)) || !more)
            break;
        size_t li = 0;
        while (li < L && strcmp(key, lists[li].key))
            li++;
        if (li < L) {
            if ((rc = once(r, &seen, 1u << li, key)) || (rc = each(r, key, lists[li].fn, &ref)))
                break;
            continue;
        }
        if ((rc = read_named_value(r, key, names, N, f)))
            break;
    }
    r->lx.depth--;
    int64_t program, channel;
    const char *name, *iname;
    if (rc || (rc = get_int(r, "program", &f[0], 0, 0, 127, 0, &program)) ||
        (rc = get_str(r, "name", &f[2], 0, &name)) ||
        (rc = get_int(r, "musc_channel", &f[3], 0, -1, 15, -1, &channel)) ||
        (rc = get_str(r, "musc_instrument_name", &f[4], 0, &iname)))
        goto done;
    musc_track *t = track_of(&ref);
    if (!absent(&f[1])) {
        if (f[1].type == JT_TRUE || f[1].type == JT_FALSE) {
            t->is_drum = f[1].type == JT_TRUE;
        } else if (f[1].type == JT_INT && (f[1].i == 0 || f[1].i == 1)) {
            t->is_drum = (int)f[1].i;
        } else {
            char got[64];
            describe(&f[1], got, sizeof got);
            rc = bad(r, "is_drum", "expected true or false, got %s", got);
            goto done;
        }
    }
    t->program = (int)program;
    t->channel = (int)channel;
    t->name = f[2].s;
    f[2].s = NULL;
    t->instrument_name = f[4].s;
    f[4].s = NULL;
done:
    clear_fields(f, N);
    return rc;
}

/* ---- the whole document ------------------------------------------------- */

static musc_status read_music_lyric(reader *r, void *ctx)
{
    musc_music *m = ctx;
    lyric_list l = {&m->lyrics, &m->n_lyrics, &m->cap_lyrics};
    return read_lyric(r, &l);
}

static musc_status read_music_annotation(reader *r, void *ctx)
{
    musc_music *m = ctx;
    annotation_list l = {&m->annotations, &m->n_annotations, &m->cap_annotations};
    return read_annotation(r, &l);
}

static musc_status read_root(reader *r, musc_music *m)
{
    static const struct {
        const char *key;
        element_fn fn;
    } lists[] = {{"tempos", read_tempo},
                 {"key_signatures", read_key_signature},
                 {"time_signatures", read_time_signature},
                 {"lyrics", read_music_lyric},
                 {"annotations", read_music_annotation},
                 {"tracks", read_track},
                 {"musc_raw_events", read_raw_event}};
    enum { L = sizeof lists / sizeof *lists };
    int next = json_lex_peek(&r->lx);
    if (next != '{') {
        jl_value v;
        musc_status rc = json_lex_value(&r->lx, &v);
        if (rc)
            return rc;
        char got[64];
        describe(&v, got, sizeof got);
        jl_value_clear(&v);
        if ((rc = json_lex_finish(&r->lx)))
            return rc;
        return bad(r, NULL, "expected an object (a MusPy music) or piano-roll lists (rolls.h), got %s", got);
    }
    musc_status rc = json_lex_open(&r->lx, '{');
    jl_value res = {0};
    char key[32];
    int more;
    unsigned seen = 0;
    for (size_t k = 0; !rc; k++) {
        if ((rc = json_lex_member(&r->lx, k, key, sizeof key, &more)) || !more)
            break;
        size_t li = 0;
        while (li < L && strcmp(key, lists[li].key))
            li++;
        if (li < L) {
            rc = once(r, &seen, 1u << li, key);
            if (!rc)
                rc = each(r, key, lists[li].fn, m);
        } else if (!strcmp(key, "metadata")) {
            size_t old = push_key(r, "metadata");
            if (!(rc = once(r, &seen, 1u << L, key)) && !(rc = read_metadata(r, m)))
                pop(r, old);
        } else if (!strcmp(key, "resolution")) {
            jl_value_clear(&res);
            rc = json_lex_value(&r->lx, &res);
        } else {
            jl_value skip; /* beats, barlines and anything unknown */
            rc = json_lex_value(&r->lx, &skip);
            jl_value_clear(&skip);
        }
    }
    r->lx.depth--;
    int64_t resolution;
    if (!rc && !(rc = json_lex_finish(&r->lx)) &&
        !(rc = get_int(r, "resolution", &res, 0, 1, INT_MAX, MUSC_DEFAULT_RESOLUTION,
                       &resolution)))
        m->resolution = (int)resolution;
    jl_value_clear(&res);
    return rc;
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
    if (musc_rolls_detect(data, size)) {
        /* the other JSON layout musc reads: piano-roll lists (rolls.h) */
        rc = musc_rolls_read_mem(data, size, options, out, report);
        free(plain);
        return rc;
    }
    reader r = {.strict = options ? options->strict : 0, .report = report};
    json_lex_init(&r.lx, data ? (const char *)data : "", size);
    musc_music *m = musc_music_new(MUSC_DEFAULT_RESOLUTION);
    if (!m) {
        rc = nomem();
    } else {
        rc = read_root(&r, m);
        if (rc == MUSC_ERR_FORMAT && gzipped && !strncmp(musc_errmsg(), "JSON syntax", 11)) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", musc_errmsg());
            musc_error(rc, "%s (in the decompressed text)", msg);
        }
    }
    json_lex_free(&r.lx);
    free(plain);
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
    if (musc_rolls_detect(data, size)) {
        /* piano-roll lists: their reader takes the grid from the file name */
        free(data);
        return musc_rolls_read(path, options, out, report);
    }
    /* gzip-compressed piano-roll lists are detected after decompression */
    musc_read_options o = options ? *options : musc_read_options_default();
    int grid = musc_rolls_grid_of_name(path);
    if (grid && !((o.flags >> 8) & 0xff))
        o.flags |= MUSC_ROLLS_STEPS_PER_QUARTER(grid);
    rc = musc_json_read_mem(data, size, &o, out, report);
    free(data);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        musc_error(rc, "%s: %s", path, msg);
    }
    return rc;
}
