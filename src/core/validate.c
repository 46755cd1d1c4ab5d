/*
 * Validation and comparison of the object model. Validation stops at the
 * first violation and names it with its path ("tracks[2].notes[17].pitch"),
 * so a user can find it without a debugger.
 */
#include "musc/music.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Nonzero if s is well-formed UTF-8 (no overlongs, no surrogates). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int n;
        unsigned min;
        if (c < 0x80) { p++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 1; c &= 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { n = 2; c &= 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { n = 3; c &= 0x07; min = 0x10000; }
        else return 0;
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (*p & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
    }
    return 1;
}

#define BAD(...) return musc_error(MUSC_ERR_INVALID, __VA_ARGS__)

static musc_status check_str(const char *s, const char *what, const char *prefix, size_t i)
{
    if (s && !utf8_ok(s))
        BAD("%s[%zu].%s is not valid UTF-8", prefix, i, what);
    return MUSC_OK;
}

/* A user may replace arrays by hand; a count without an array would crash
 * every reader, so it is an invariant like any other. */
#define CHECK_ARRAY(obj, field, prefix)                                              \
    if ((obj)->n_##field && !(obj)->field)                                                \
    BAD("%s" #field " is NULL with %zu elements", prefix, (obj)->n_##field)

static musc_status check_time(int64_t t, const char *prefix, size_t i)
{
    if (t < 0)
        BAD("%s[%zu].time = %" PRId64 ", expected >= 0", prefix, i, t);
    return MUSC_OK;
}

musc_status musc_music_validate(const musc_music *m)
{
    int rc;
    if (!m)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    if (m->resolution < 1)
        BAD("resolution = %d, expected >= 1", m->resolution);
    const musc_metadata *md = &m->metadata;
    const char *mstr[] = {md->schema_version, md->title, md->copyright, md->collection,
                          md->source_filename, md->source_format};
    static const char *const mname[] = {"schema_version", "title", "copyright", "collection",
                                        "source_filename", "source_format"};
    for (size_t i = 0; i < sizeof mstr / sizeof *mstr; i++)
        if (mstr[i] && !utf8_ok(mstr[i]))
            BAD("metadata.%s is not valid UTF-8", mname[i]);
    if (md->n_creators && !md->creators)
        BAD("metadata.creators is NULL with %zu creators", md->n_creators);
    for (size_t i = 0; i < md->n_creators; i++) {
        if (!md->creators[i])
            BAD("metadata.creators[%zu] is NULL, expected a string", i);
        if (!utf8_ok(md->creators[i]))
            BAD("metadata.creators[%zu] is not valid UTF-8", i);
    }
    CHECK_ARRAY(m, tempos, "");
    CHECK_ARRAY(m, key_signatures, "");
    CHECK_ARRAY(m, time_signatures, "");
    CHECK_ARRAY(m, lyrics, "");
    CHECK_ARRAY(m, annotations, "");
    CHECK_ARRAY(m, raw_events, "");
    CHECK_ARRAY(m, tracks, "");
    for (size_t i = 0; i < m->n_tempos; i++) {
        if ((rc = check_time(m->tempos[i].time, "tempos", i)))
            return rc;
        double q = m->tempos[i].qpm;
        if (!(q > 0) || !isfinite(q))
            BAD("tempos[%zu].qpm = %g, expected a finite value > 0", i, q);
    }
    for (size_t i = 0; i < m->n_key_signatures; i++) {
        const musc_key_signature *k = &m->key_signatures[i];
        if ((rc = check_time(k->time, "key_signatures", i)))
            return rc;
        if (k->fifths < -7 || k->fifths > 7)
            BAD("key_signatures[%zu].fifths = %d, expected -7..7", i, k->fifths);
        if (k->mode < -1 || k->mode > 1)
            BAD("key_signatures[%zu].mode = %d, expected -1 (none), 0 (major) or 1 (minor)", i,
                k->mode);
        if (k->root < -1 || k->root > 11)
            BAD("key_signatures[%zu].root = %d, expected -1..11", i, k->root);
    }
    for (size_t i = 0; i < m->n_time_signatures; i++) {
        const musc_time_signature *t = &m->time_signatures[i];
        if ((rc = check_time(t->time, "time_signatures", i)))
            return rc;
        if (t->numerator < 1 || t->numerator > 255)
            BAD("time_signatures[%zu].numerator = %d, expected 1..255", i, t->numerator);
        if (t->denominator < 1 || t->denominator > 1 << 30)
            BAD("time_signatures[%zu].denominator = %d, expected >= 1", i, t->denominator);
    }
    for (size_t i = 0; i < m->n_lyrics; i++)
        if ((rc = check_time(m->lyrics[i].time, "lyrics", i)) ||
            (rc = check_str(m->lyrics[i].text, "text", "lyrics", i)))
            return rc;
    for (size_t i = 0; i < m->n_annotations; i++)
        if ((rc = check_time(m->annotations[i].time, "annotations", i)) ||
            (rc = check_str(m->annotations[i].text, "text", "annotations", i)))
            return rc;
    for (size_t i = 0; i < m->n_raw_events; i++) {
        if ((rc = check_time(m->raw_events[i].time, "raw_events", i)))
            return rc;
        if (m->raw_events[i].size && !m->raw_events[i].data)
            BAD("raw_events[%zu].data is NULL with size %zu", i, m->raw_events[i].size);
        int ty = m->raw_events[i].type;
        if (!((ty >= 0 && ty <= 127) || ty == MUSC_RAW_SYSEX || ty == MUSC_RAW_ESCAPE))
            BAD("raw_events[%zu].type = %d, expected a meta type 0..127, 0xF0 or 0xF7", i, ty);
    }
    char p[64];
    for (size_t ti = 0; ti < m->n_tracks; ti++) {
        const musc_track *t = &m->tracks[ti];
        snprintf(p, sizeof p, "tracks[%zu].", ti);
        CHECK_ARRAY(t, notes, p);
        CHECK_ARRAY(t, chords, p);
        CHECK_ARRAY(t, lyrics, p);
        CHECK_ARRAY(t, annotations, p);
        CHECK_ARRAY(t, controls, p);
        CHECK_ARRAY(t, pitch_bends, p);
        CHECK_ARRAY(t, pressures, p);
        CHECK_ARRAY(t, hairpins, p);
        if (t->program < 0 || t->program > 127)
            BAD("tracks[%zu].program = %d, expected 0..127", ti, t->program);
        if (t->channel < -1 || t->channel > 15)
            BAD("tracks[%zu].channel = %d, expected -1..15", ti, t->channel);
        if (t->name && !utf8_ok(t->name))
            BAD("tracks[%zu].name is not valid UTF-8", ti);
        if (t->instrument_name && !utf8_ok(t->instrument_name))
            BAD("tracks[%zu].instrument_name is not valid UTF-8", ti);
        for (size_t i = 0; i < t->n_notes; i++) {
            const musc_note *n = &t->notes[i];
            if (n->time < 0 || n->duration < 0 || n->pitch < 0 || n->pitch > 127 ||
                n->velocity < 0 || n->velocity > 127) {
                const char *f = n->time < 0 ? "time" : n->duration < 0 ? "duration"
                                : (n->pitch < 0 || n->pitch > 127) ? "pitch" : "velocity";
                int64_t v = n->time < 0 ? n->time : n->duration < 0 ? n->duration
                            : (n->pitch < 0 || n->pitch > 127) ? n->pitch : n->velocity;
                BAD("tracks[%zu].notes[%zu].%s = %" PRId64 ", expected %s", ti, i, f, v,
                    (f[0] == 't' || f[0] == 'd') ? ">= 0" : "0..127");
            }
            if (n->duration > INT64_MAX - n->time)
                BAD("tracks[%zu].notes[%zu] ends past the largest tick", ti, i);
        }
        for (size_t i = 0; i < t->n_chords; i++) {
            const musc_chord *c = &t->chords[i];
            if (c->time < 0)
                BAD("tracks[%zu].chords[%zu].time = %" PRId64 ", expected >= 0", ti, i, c->time);
            if (c->duration < 0)
                BAD("tracks[%zu].chords[%zu].duration = %" PRId64 ", expected >= 0", ti, i,
                    c->duration);
            if (c->duration > INT64_MAX - c->time)
                BAD("tracks[%zu].chords[%zu] ends past the largest tick", ti, i);
            if (c->velocity < 0 || c->velocity > 127)
                BAD("tracks[%zu].chords[%zu].velocity = %d, expected 0..127", ti, i,
                    c->velocity);
            if (c->n_pitches && !c->pitches)
                BAD("tracks[%zu].chords[%zu].pitches is NULL", ti, i);
            for (size_t j = 0; j < c->n_pitches; j++)
                if (c->pitches[j] < 0 || c->pitches[j] > 127)
                    BAD("tracks[%zu].chords[%zu].pitches[%zu] = %d, expected 0..127", ti, i, j,
                        c->pitches[j]);
        }
        snprintf(p, sizeof p, "tracks[%zu].lyrics", ti);
        for (size_t i = 0; i < t->n_lyrics; i++)
            if ((rc = check_time(t->lyrics[i].time, p, i)) ||
                (rc = check_str(t->lyrics[i].text, "text", p, i)))
                return rc;
        snprintf(p, sizeof p, "tracks[%zu].annotations", ti);
        for (size_t i = 0; i < t->n_annotations; i++)
            if ((rc = check_time(t->annotations[i].time, p, i)) ||
                (rc = check_str(t->annotations[i].text, "text", p, i)))
                return rc;
        snprintf(p, sizeof p, "tracks[%zu].controls", ti);
        for (size_t i = 0; i < t->n_controls; i++) {
            const musc_control *c = &t->controls[i];
            if ((rc = check_time(c->time, p, i)))
                return rc;
            if (c->number > 127)
                BAD("%s[%zu].number = %d, expected 0..127", p, i, c->number);
            if (c->value > 127)
                BAD("%s[%zu].value = %d, expected 0..127", p, i, c->value);
        }
        snprintf(p, sizeof p, "tracks[%zu].pitch_bends", ti);
        for (size_t i = 0; i < t->n_pitch_bends; i++) {
            const musc_pitch_bend *b = &t->pitch_bends[i];
            if ((rc = check_time(b->time, p, i)))
                return rc;
            if (b->value < -8192 || b->value > 8191)
                BAD("%s[%zu].value = %d, expected -8192..8191", p, i, b->value);
        }
        snprintf(p, sizeof p, "tracks[%zu].pressures", ti);
        for (size_t i = 0; i < t->n_pressures; i++) {
            const musc_pressure *r = &t->pressures[i];
            if ((rc = check_time(r->time, p, i)))
                return rc;
            if (r->pitch < -1 || r->pitch > 127)
                BAD("%s[%zu].pitch = %d, expected -1 (channel) or 0..127", p, i, r->pitch);
            if (r->value > 127)
                BAD("%s[%zu].value = %d, expected 0..127", p, i, r->value);
        }
        for (size_t i = 0; i < t->n_hairpins; i++) {
            const musc_hairpin *h = &t->hairpins[i];
            if (h->time < 0 || h->duration < 0 || h->duration > INT64_MAX - h->time)
                BAD("tracks[%zu].hairpins[%zu]: time %" PRId64 ", duration %" PRId64
                    ", expected >= 0 and an end within range", ti, i, h->time, h->duration);
            if (h->kind != MUSC_HAIRPIN_CRESCENDO && h->kind != MUSC_HAIRPIN_DIMINUENDO)
                BAD("tracks[%zu].hairpins[%zu].kind = %d, expected 1 (crescendo) or -1 "
                    "(diminuendo)", ti, i, h->kind);
        }
    }
    return MUSC_OK;
}

/* ---- equality ------------------------------------------------------------ */

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

#define DIFF(...)                                  \
    do {                                           \
        if (buf && bufsize)                        \
            snprintf(buf, bufsize, __VA_ARGS__);   \
        return 0;                                  \
    } while (0)

#define CHECK_COUNT(a, b, field, prefix)                                                    \
    if ((a)->n_##field != (b)->n_##field)                                                   \
    DIFF("%s" #field ": %zu vs %zu elements", prefix, (a)->n_##field, (b)->n_##field)

static int lyrics_eq(const musc_lyric *a, const musc_lyric *b, size_t n, const char *prefix,
                     char *buf, size_t bufsize)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].time != b[i].time || !str_eq(a[i].text, b[i].text) || a[i].verse != b[i].verse)
            DIFF("%slyrics[%zu] differ", prefix, i);
    return 1;
}

static int ann_eq(const musc_annotation *a, const musc_annotation *b, size_t n,
                  const char *prefix, char *buf, size_t bufsize)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].time != b[i].time || a[i].kind != b[i].kind || !str_eq(a[i].text, b[i].text))
            DIFF("%sannotations[%zu] differ", prefix, i);
    return 1;
}

static int track_eq(const musc_track *a, const musc_track *b, size_t ti, char *buf,
                    size_t bufsize)
{
    char p[48];
    snprintf(p, sizeof p, "tracks[%zu].", ti);
    if (a->program != b->program || a->is_drum != b->is_drum)
        DIFF("%sprogram/is_drum: %d/%d vs %d/%d", p, a->program, a->is_drum, b->program,
             b->is_drum);
    if (!str_eq(a->name, b->name))
        DIFF("%sname: \"%s\" vs \"%s\"", p, a->name ? a->name : "(null)",
             b->name ? b->name : "(null)");
    if (!str_eq(a->instrument_name, b->instrument_name))
        DIFF("%sinstrument_name differs", p);
    CHECK_COUNT(a, b, notes, p);
    for (size_t i = 0; i < a->n_notes; i++) {
        const musc_note *x = &a->notes[i], *y = &b->notes[i];
        if (x->time != y->time || x->duration != y->duration || x->pitch != y->pitch ||
            x->velocity != y->velocity)
            DIFF("%snotes[%zu]: (time %" PRId64 ", dur %" PRId64 ", pitch %d, vel %d) vs "
                 "(time %" PRId64 ", dur %" PRId64 ", pitch %d, vel %d)",
                 p, i, x->time, x->duration, x->pitch, x->velocity, y->time, y->duration,
                 y->pitch, y->velocity);
    }
    CHECK_COUNT(a, b, chords, p);
    for (size_t i = 0; i < a->n_chords; i++) {
        const musc_chord *x = &a->chords[i], *y = &b->chords[i];
        if (x->time != y->time || x->duration != y->duration || x->velocity != y->velocity ||
            x->n_pitches != y->n_pitches ||
            (x->n_pitches && memcmp(x->pitches, y->pitches, x->n_pitches * sizeof(int16_t))))
            DIFF("%schords[%zu] differ", p, i);
    }
    CHECK_COUNT(a, b, lyrics, p);
    if (!lyrics_eq(a->lyrics, b->lyrics, a->n_lyrics, p, buf, bufsize))
        return 0;
    CHECK_COUNT(a, b, annotations, p);
    if (!ann_eq(a->annotations, b->annotations, a->n_annotations, p, buf, bufsize))
        return 0;
    CHECK_COUNT(a, b, controls, p);
    for (size_t i = 0; i < a->n_controls; i++)
        if (a->controls[i].time != b->controls[i].time ||
            a->controls[i].number != b->controls[i].number ||
            a->controls[i].value != b->controls[i].value)
            DIFF("%scontrols[%zu] differ", p, i);
    CHECK_COUNT(a, b, pitch_bends, p);
    for (size_t i = 0; i < a->n_pitch_bends; i++)
        if (a->pitch_bends[i].time != b->pitch_bends[i].time ||
            a->pitch_bends[i].value != b->pitch_bends[i].value)
            DIFF("%spitch_bends[%zu] differ", p, i);
    CHECK_COUNT(a, b, pressures, p);
    for (size_t i = 0; i < a->n_pressures; i++)
        if (a->pressures[i].time != b->pressures[i].time ||
            a->pressures[i].pitch != b->pressures[i].pitch ||
            a->pressures[i].value != b->pressures[i].value)
            DIFF("%spressures[%zu] differ", p, i);
    CHECK_COUNT(a, b, hairpins, p);
    for (size_t i = 0; i < a->n_hairpins; i++)
        if (a->hairpins[i].time != b->hairpins[i].time ||
            a->hairpins[i].duration != b->hairpins[i].duration ||
            a->hairpins[i].kind != b->hairpins[i].kind)
            DIFF("%shairpins[%zu] differ", p, i);
    return 1;
}

/* Tempos often come from microseconds per quarter, so compare with a
 * relative tolerance, symmetric in a and b; NaN equals nothing. */
static int qpm_eq(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

int musc_music_diff(const musc_music *a, const musc_music *b, char *buf, size_t bufsize)
{
    if (buf && bufsize)
        buf[0] = '\0';
    if (a->resolution != b->resolution)
        DIFF("resolution: %d vs %d", a->resolution, b->resolution);
    const musc_metadata *x = &a->metadata, *y = &b->metadata;
    if (!str_eq(x->title, y->title))
        DIFF("metadata.title: \"%s\" vs \"%s\"", x->title ? x->title : "(null)",
             y->title ? y->title : "(null)");
    if (!str_eq(x->copyright, y->copyright) || !str_eq(x->collection, y->collection))
        DIFF("metadata.copyright/collection differ");
    if (x->n_creators != y->n_creators)
        DIFF("metadata.creators: %zu vs %zu", x->n_creators, y->n_creators);
    for (size_t i = 0; i < x->n_creators; i++)
        if (!str_eq(x->creators[i], y->creators[i]))
            DIFF("metadata.creators[%zu] differ", i);
    CHECK_COUNT(a, b, tempos, "");
    for (size_t i = 0; i < a->n_tempos; i++)
        if (a->tempos[i].time != b->tempos[i].time ||
            !qpm_eq(a->tempos[i].qpm, b->tempos[i].qpm))
            DIFF("tempos[%zu]: (%" PRId64 ", %.9g qpm) vs (%" PRId64 ", %.9g qpm)", i,
                 a->tempos[i].time, a->tempos[i].qpm, b->tempos[i].time, b->tempos[i].qpm);
    CHECK_COUNT(a, b, key_signatures, "");
    for (size_t i = 0; i < a->n_key_signatures; i++) {
        const musc_key_signature *k = &a->key_signatures[i], *l = &b->key_signatures[i];
        if (k->time != l->time || k->fifths != l->fifths || k->mode != l->mode ||
            k->root != l->root)
            DIFF("key_signatures[%zu] differ", i);
    }
    CHECK_COUNT(a, b, time_signatures, "");
    for (size_t i = 0; i < a->n_time_signatures; i++) {
        const musc_time_signature *s = &a->time_signatures[i], *t = &b->time_signatures[i];
        if (s->time != t->time || s->numerator != t->numerator ||
            s->denominator != t->denominator)
            DIFF("time_signatures[%zu] differ", i);
    }
    CHECK_COUNT(a, b, lyrics, "");
    if (!lyrics_eq(a->lyrics, b->lyrics, a->n_lyrics, "", buf, bufsize))
        return 0;
    CHECK_COUNT(a, b, annotations, "");
    if (!ann_eq(a->annotations, b->annotations, a->n_annotations, "", buf, bufsize))
        return 0;
    CHECK_COUNT(a, b, raw_events, "");
    for (size_t i = 0; i < a->n_raw_events; i++) {
        const musc_raw_event *r = &a->raw_events[i], *s = &b->raw_events[i];
        if (r->time != s->time || r->type != s->type || r->size != s->size ||
            (r->size && memcmp(r->data, s->data, r->size)))
            DIFF("raw_events[%zu] differ", i);
    }
    CHECK_COUNT(a, b, tracks, "");
    for (size_t i = 0; i < a->n_tracks; i++)
        if (!track_eq(&a->tracks[i], &b->tracks[i], i, buf, bufsize))
            return 0;
    return 1;
}

int musc_music_equal(const musc_music *a, const musc_music *b)
{
    return musc_music_diff(a, b, NULL, 0);
}
