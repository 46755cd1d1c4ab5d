/*
 * Writing a musc_music as MusPy JSON (schema 0.2).
 *
 * The text is produced directly into a growing buffer rather than through a
 * jansson tree: a million notes would otherwise cost a million small
 * objects, and writing by hand fixes the key order (MusPy's attribute
 * order), integer formatting and the optional layout. jansson is still used
 * where it is the authority: printing a qpm as a locale-independent real,
 * and checking that an annotation's text is canonical JSON. What is written
 * and why is documented in json.h.
 */
#include "musc/json.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_gzip.h"

#define MAX_DEPTH 8

/* Output buffer plus layout state: per open container, whether it has
 * children yet and whether its children go on lines of their own. */
typedef struct writer {
    char *p;
    size_t n, cap;
    int failed; /* an allocation failed; everything after is dropped */
    int indent; /* MUSC_JSON_INDENT */
    int depth;
    unsigned char first[MAX_DEPTH];
    unsigned char broken[MAX_DEPTH];
} writer;

static void put(writer *w, const char *s, size_t len)
{
    if (w->failed)
        return;
    if (len > w->cap - w->n) {
        size_t ncap = w->cap ? w->cap : 4096;
        while (len > ncap - w->n) {
            if (ncap > SIZE_MAX / 2) {
                w->failed = 1;
                return;
            }
            ncap *= 2;
        }
        char *np = realloc(w->p, ncap);
        if (!np) {
            w->failed = 1;
            return;
        }
        w->p = np;
        w->cap = ncap;
    }
    memcpy(w->p + w->n, s, len);
    w->n += len;
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_i64(writer *w, int64_t v)
{
    char buf[24], *e = buf + sizeof buf, *s = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--s = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--s = '-';
    put(w, s, (size_t)(e - s));
}

/* A JSON string. Text is valid UTF-8 (validated before writing), so only
 * the quote, the backslash and control characters need escapes. */
static void put_str(writer *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(w, esc, 6);
            continue;
        }
        put(w, esc, 2);
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

/* The shortest form of a real that reads back as the same double, always
 * with a decimal point or exponent so readers keep it a float (MusPy's qpm
 * is a float). jansson does the printing because it is locale-independent. */
static void put_real(writer *w, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        json_t *j = json_real(v);
        char *s = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(prec)) : NULL;
        json_decref(j);
        if (!s) {
            w->failed = 1;
            return;
        }
        json_t *back = json_loads(s, JSON_DECODE_ANY, NULL);
        int exact = back && json_is_real(back) && json_real_value(back) == v;
        json_decref(back);
        if (exact || prec == 17) {
            puts_(w, s);
            free(s);
            return;
        }
        free(s);
    }
}

static void newline(writer *w, int depth)
{
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    put(w, spaces, (size_t)(2 * depth) < sizeof spaces - 1 ? (size_t)(2 * depth) : sizeof spaces - 1);
}

/* Separator before a child of the innermost open container. */
static void next_child(writer *w)
{
    int d = w->depth - 1;
    if (!w->first[d])
        put(w, w->indent && !w->broken[d] ? ", " : ",", w->indent && !w->broken[d] ? 2 : 1);
    w->first[d] = 0;
    if (w->indent && w->broken[d])
        newline(w, w->depth);
}

/* Open '{' or '['; `broken`: children on lines of their own (indent mode). */
static void open_(writer *w, char c, int broken)
{
    put(w, &c, 1);
    if (w->depth >= MAX_DEPTH) { /* cannot happen: the schema is shallow */
        w->failed = 1;
        return;
    }
    w->first[w->depth] = 1;
    w->broken[w->depth] = (unsigned char)broken;
    w->depth++;
}

static void close_(writer *w, char c)
{
    w->depth--;
    if (w->indent && w->broken[w->depth] && !w->first[w->depth])
        newline(w, w->depth);
    put(w, &c, 1);
}

static void key(writer *w, const char *k)
{
    next_child(w);
    put_str(w, k);
    put(w, w->indent ? ": " : ":", w->indent ? 2 : 1);
}

static void key_i64(writer *w, const char *k, int64_t v)
{
    key(w, k);
    put_i64(w, v);
}

static void key_str(writer *w, const char *k, const char *v)
{
    key(w, k);
    put_str(w, v);
}

/* An element of a list that is itself an object on one line. */
static void item_object(writer *w)
{
    next_child(w);
    open_(w, '{', 0);
}

/* ---- parts of the document ------------------------------------------------ */

static void write_metadata(writer *w, const musc_metadata *md)
{
    key(w, "metadata");
    open_(w, '{', 0);
    key_str(w, "schema_version", md->schema_version ? md->schema_version : "0.2");
    if (md->title)
        key_str(w, "title", md->title);
    if (md->n_creators) {
        key(w, "creators");
        open_(w, '[', 0);
        for (size_t i = 0; i < md->n_creators; i++) {
            next_child(w);
            put_str(w, md->creators[i] ? md->creators[i] : "");
        }
        close_(w, ']');
    }
    const char *keys[] = {"copyright", "collection", "source_filename", "source_format"};
    const char *vals[] = {md->copyright, md->collection, md->source_filename, md->source_format};
    for (size_t i = 0; i < 4; i++)
        if (vals[i])
            key_str(w, keys[i], vals[i]);
    close_(w, '}');
}

static const char *root_name(int root, int fifths)
{
    static const char *sharp[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    static const char *flat[12] = {"C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"};
    if (root == 11 && fifths <= -7)
        return "Cb";
    return fifths < 0 ? flat[root] : sharp[root];
}

static void write_lyrics(writer *w, const musc_lyric *l, size_t n)
{
    if (!n)
        return;
    key(w, "lyrics");
    open_(w, '[', 1);
    for (size_t i = 0; i < n; i++) {
        item_object(w);
        key_i64(w, "time", l[i].time);
        key_str(w, "lyric", l[i].text ? l[i].text : "");
        if (l[i].verse) /* only when there are several verses (MusPy has none) */
            key_i64(w, "verse", l[i].verse);
        close_(w, '}');
    }
    close_(w, ']');
}

static const char *group_of_kind(int kind)
{
    switch (kind) {
    case MUSC_ANN_TEXT: return "text";
    case MUSC_ANN_MARKER: return "marker";
    case MUSC_ANN_CUE: return "cue";
    case MUSC_ANN_CHORD: return "chord";
    default: return NULL;
    }
}

/* Nonzero if s is exactly the compact JSON text of a non-string value,
 * i.e. what the reader stored for a MusPy annotation that was not a string;
 * then it goes back out as that value. */
static int is_canonical_json_value(const char *s)
{
    char c = s[0];
    if (!(c == '{' || c == '[' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f'))
        return 0;
    json_t *v = json_loads(s, JSON_DECODE_ANY, NULL);
    if (!v)
        return 0;
    char *d = json_is_string(v) || json_is_null(v)
                  ? NULL
                  : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    int same = d && strcmp(d, s) == 0;
    free(d);
    json_decref(v);
    return same;
}

static void write_annotations(writer *w, const musc_annotation *a, size_t n)
{
    if (!n)
        return;
    key(w, "annotations");
    open_(w, '[', 1);
    for (size_t i = 0; i < n; i++) {
        item_object(w);
        key_i64(w, "time", a[i].time);
        const char *text = a[i].text ? a[i].text : "";
        const char *group = group_of_kind(a[i].kind);
        key(w, "annotation");
        if (!group && is_canonical_json_value(text))
            puts_(w, text);
        else
            put_str(w, text);
        if (group)
            key_str(w, "group", group);
        close_(w, '}');
    }
    close_(w, ']');
}

static void write_track(writer *w, const musc_track *t)
{
    next_child(w);
    open_(w, '{', 1);
    key_i64(w, "program", t->program);
    key(w, "is_drum");
    puts_(w, t->is_drum ? "true" : "false");
    if (t->name)
        key_str(w, "name", t->name);
    if (t->n_notes) {
        key(w, "notes");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_notes; i++) {
            const musc_note *x = &t->notes[i];
            item_object(w);
            key_i64(w, "time", x->time);
            key_i64(w, "pitch", x->pitch);
            key_i64(w, "duration", x->duration);
            key_i64(w, "velocity", x->velocity);
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (t->n_chords) {
        key(w, "chords");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_chords; i++) {
            const musc_chord *c = &t->chords[i];
            item_object(w);
            key_i64(w, "time", c->time);
            key(w, "pitches");
            open_(w, '[', 0);
            for (size_t j = 0; j < c->n_pitches; j++) {
                next_child(w);
                put_i64(w, c->pitches[j]);
            }
            close_(w, ']');
            key_i64(w, "duration", c->duration);
            key_i64(w, "velocity", c->velocity);
            close_(w, '}');
        }
        close_(w, ']');
    }
    write_lyrics(w, t->lyrics, t->n_lyrics);
    write_annotations(w, t->annotations, t->n_annotations);
    if (t->channel >= 0)
        key_i64(w, "musc_channel", t->channel);
    if (t->instrument_name)
        key_str(w, "musc_instrument_name", t->instrument_name);
    if (t->n_controls) {
        key(w, "musc_controls");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_controls; i++) {
            item_object(w);
            key_i64(w, "time", t->controls[i].time);
            key_i64(w, "number", t->controls[i].number);
            key_i64(w, "value", t->controls[i].value);
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (t->n_pitch_bends) {
        key(w, "musc_pitch_bends");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_pitch_bends; i++) {
            item_object(w);
            key_i64(w, "time", t->pitch_bends[i].time);
            key_i64(w, "value", t->pitch_bends[i].value);
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (t->n_pressures) {
        key(w, "musc_pressures");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_pressures; i++) {
            item_object(w);
            key_i64(w, "time", t->pressures[i].time);
            if (t->pressures[i].pitch >= 0)
                key_i64(w, "pitch", t->pressures[i].pitch);
            key_i64(w, "value", t->pressures[i].value);
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (t->n_hairpins) {
        key(w, "musc_hairpins");
        open_(w, '[', 1);
        for (size_t i = 0; i < t->n_hairpins; i++) {
            item_object(w);
            key_i64(w, "time", t->hairpins[i].time);
            key_i64(w, "duration", t->hairpins[i].duration);
            key_str(w, "kind", t->hairpins[i].kind == MUSC_HAIRPIN_DIMINUENDO ? "diminuendo"
                                                                               : "crescendo");
            close_(w, '}');
        }
        close_(w, ']');
    }
    close_(w, '}');
}

static void write_raw_events(writer *w, const musc_raw_event *r, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!n)
        return;
    key(w, "musc_raw_events");
    open_(w, '[', 1);
    for (size_t i = 0; i < n; i++) {
        item_object(w);
        key_i64(w, "time", r[i].time);
        key_i64(w, "type", r[i].type);
        key(w, "data");
        put(w, "\"", 1);
        for (size_t j = 0; j < r[i].size; j++) {
            char b[2] = {hex[r[i].data[j] >> 4], hex[r[i].data[j] & 15]};
            put(w, b, 2);
        }
        put(w, "\"", 1);
        key_i64(w, "track", r[i].track);
        close_(w, '}');
    }
    close_(w, ']');
}

static void write_music(writer *w, const musc_music *m)
{
    open_(w, '{', 1);
    write_metadata(w, &m->metadata);
    key_i64(w, "resolution", m->resolution);
    if (m->n_tempos) {
        key(w, "tempos");
        open_(w, '[', 1);
        for (size_t i = 0; i < m->n_tempos; i++) {
            item_object(w);
            key_i64(w, "time", m->tempos[i].time);
            key(w, "qpm");
            put_real(w, m->tempos[i].qpm);
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (m->n_key_signatures) {
        key(w, "key_signatures");
        open_(w, '[', 1);
        for (size_t i = 0; i < m->n_key_signatures; i++) {
            const musc_key_signature *k = &m->key_signatures[i];
            item_object(w);
            key_i64(w, "time", k->time);
            if (k->root >= 0)
                key_i64(w, "root", k->root);
            if (k->mode == MUSC_MODE_MAJOR || k->mode == MUSC_MODE_MINOR)
                key_str(w, "mode", k->mode == MUSC_MODE_MAJOR ? "major" : "minor");
            key_i64(w, "fifths", k->fifths);
            if (k->root >= 0)
                key_str(w, "root_str", root_name(k->root, k->fifths));
            close_(w, '}');
        }
        close_(w, ']');
    }
    if (m->n_time_signatures) {
        key(w, "time_signatures");
        open_(w, '[', 1);
        for (size_t i = 0; i < m->n_time_signatures; i++) {
            item_object(w);
            key_i64(w, "time", m->time_signatures[i].time);
            key_i64(w, "numerator", m->time_signatures[i].numerator);
            key_i64(w, "denominator", m->time_signatures[i].denominator);
            close_(w, '}');
        }
        close_(w, ']');
    }
    write_lyrics(w, m->lyrics, m->n_lyrics);
    write_annotations(w, m->annotations, m->n_annotations);
    if (m->n_tracks) {
        key(w, "tracks");
        open_(w, '[', 1);
        for (size_t i = 0; i < m->n_tracks; i++)
            write_track(w, &m->tracks[i]);
        close_(w, ']');
    }
    write_raw_events(w, m->raw_events, m->n_raw_events);
    close_(w, '}');
    if (w->indent)
        put(w, "\n", 1);
}

musc_status musc_json_write_mem_flags(const musc_music *music, int flags, uint8_t **data,
                                      size_t *size)
{
    *data = NULL;
    *size = 0;
    musc_status rc = musc_music_validate(music);
    if (rc)
        return rc;
    writer w = {.indent = (flags & MUSC_JSON_INDENT) != 0};
    write_music(&w, music);
    put(&w, "", 1); /* the NUL after the text */
    if (w.failed) {
        free(w.p);
        return musc_error(MUSC_ERR_NOMEM, "JSON: out of memory while writing");
    }
    *data = (uint8_t *)w.p;
    *size = w.n - 1;
    return MUSC_OK;
}

musc_status musc_json_write_mem(const musc_music *music, uint8_t **data, size_t *size)
{
    return musc_json_write_mem_flags(music, 0, data, size);
}

static int ends_with_gz(const char *path)
{
    size_t n = strlen(path);
    return n >= 3 && strcasecmp(path + n - 3, ".gz") == 0;
}

musc_status musc_json_write(const musc_music *music, const char *path,
                            const musc_write_options *options)
{
    musc_write_options o = options ? *options : musc_write_options_default();
    if (!path)
        return musc_error(MUSC_ERR_ARG, "JSON: path is NULL");
    uint8_t *text;
    size_t size;
    musc_status rc = musc_json_write_mem_flags(music, o.flags, &text, &size);
    if (rc)
        return rc;
    int compress = o.compress < 0 ? ends_with_gz(path) : o.compress != 0;
    if (compress) {
        uint8_t *gz;
        size_t gz_size;
        rc = musc_gzip_compress(text, size, &gz, &gz_size);
        free(text);
        if (rc)
            return rc;
        text = gz;
        size = gz_size;
    }
    rc = musc_file_write_atomic(path, text, size, o.overwrite);
    free(text);
    return rc;
}
