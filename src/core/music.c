/*
 * The object model's life cycle: creation, deep copy, freeing and appending.
 * Every list is a malloc'd array with a count and a capacity (see music.h);
 * growth goes through musc_grow so counts can never overflow.
 */
#include "musc/music.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static musc_status nomem(void) { return musc_error(MUSC_ERR_NOMEM, "out of memory"); }

musc_status musc_set_string(char **field, const char *value)
{
    char *d = NULL;
    if (value && !(d = dup_str(value)))
        return nomem();
    free(*field);
    *field = d;
    return MUSC_OK;
}

musc_music *musc_music_new(int resolution)
{
    musc_music *m = calloc(1, sizeof *m);
    if (!m) {
        nomem();
        return NULL;
    }
    m->resolution = resolution > 0 ? resolution : MUSC_DEFAULT_RESOLUTION;
    if (musc_set_string(&m->metadata.schema_version, "0.2")) {
        free(m);
        return NULL;
    }
    return m;
}

static void free_lyrics(musc_lyric *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i].text);
    free(l);
}

static void free_annotations(musc_annotation *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i].text);
    free(a);
}

void musc_track_clear(musc_track *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->instrument_name);
    free(t->notes);
    for (size_t i = 0; i < t->n_chords; i++)
        free(t->chords[i].pitches);
    free(t->chords);
    free_lyrics(t->lyrics, t->n_lyrics);
    free_annotations(t->annotations, t->n_annotations);
    free(t->controls);
    free(t->pitch_bends);
    free(t->pressures);
    free(t->hairpins);
    memset(t, 0, sizeof *t);
}

static void metadata_clear(musc_metadata *md)
{
    free(md->schema_version);
    free(md->title);
    for (size_t i = 0; i < md->n_creators; i++)
        free(md->creators[i]);
    free(md->creators);
    free(md->copyright);
    free(md->collection);
    free(md->source_filename);
    free(md->source_format);
    memset(md, 0, sizeof *md);
}

void musc_music_free(musc_music *m)
{
    if (!m)
        return;
    metadata_clear(&m->metadata);
    free(m->tempos);
    free(m->key_signatures);
    free(m->time_signatures);
    free_lyrics(m->lyrics, m->n_lyrics);
    free_annotations(m->annotations, m->n_annotations);
    for (size_t i = 0; i < m->n_raw_events; i++)
        free(m->raw_events[i].data);
    free(m->raw_events);
    for (size_t i = 0; i < m->n_tracks; i++)
        musc_track_clear(&m->tracks[i]);
    free(m->tracks);
    free(m);
}

/* Copy n elements of plain data; returns 0 or -1. *dst is NULL when n == 0. */
static int copy_plain(void **dst, size_t *cap, const void *src, size_t n, size_t elem)
{
    *dst = NULL;
    *cap = 0;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / elem || !(*dst = malloc(n * elem)))
        return -1;
    memcpy(*dst, src, n * elem);
    *cap = n;
    return 0;
}

#define COPY_PLAIN(d, s, field)                                                              \
    copy_plain((void **)&(d)->field, &(d)->cap_##field, (s)->field, (s)->n_##field,            \
               sizeof *(s)->field)

static int copy_lyrics(musc_lyric **dst, size_t *cap, const musc_lyric *src, size_t n)
{
    if (copy_plain((void **)dst, cap, src, n, sizeof *src))
        return -1;
    for (size_t i = 0; i < n; i++)
        (*dst)[i].text = NULL;
    for (size_t i = 0; i < n; i++)
        if (src[i].text && !((*dst)[i].text = dup_str(src[i].text)))
            return -1;
    return 0;
}

static int copy_annotations(musc_annotation **dst, size_t *cap, const musc_annotation *src,
                            size_t n)
{
    if (copy_plain((void **)dst, cap, src, n, sizeof *src))
        return -1;
    for (size_t i = 0; i < n; i++)
        (*dst)[i].text = NULL;
    for (size_t i = 0; i < n; i++)
        if (src[i].text && !((*dst)[i].text = dup_str(src[i].text)))
            return -1;
    return 0;
}

musc_status musc_track_copy(musc_track *d, const musc_track *s)
{
    memset(d, 0, sizeof *d);
    d->program = s->program;
    d->is_drum = s->is_drum;
    d->channel = s->channel;
    d->n_notes = s->n_notes;
    d->n_chords = s->n_chords;
    d->n_lyrics = s->n_lyrics;
    d->n_annotations = s->n_annotations;
    d->n_controls = s->n_controls;
    d->n_pitch_bends = s->n_pitch_bends;
    d->n_pressures = s->n_pressures;
    d->n_hairpins = s->n_hairpins;
    if ((s->name && !(d->name = dup_str(s->name))) ||
        (s->instrument_name && !(d->instrument_name = dup_str(s->instrument_name))) ||
        COPY_PLAIN(d, s, notes) || COPY_PLAIN(d, s, controls) || COPY_PLAIN(d, s, pitch_bends) ||
        COPY_PLAIN(d, s, pressures) || COPY_PLAIN(d, s, hairpins))
        goto fail;
    if (copy_plain((void **)&d->chords, &d->cap_chords, s->chords, s->n_chords, sizeof *s->chords))
        goto fail;
    for (size_t i = 0; i < s->n_chords; i++)
        d->chords[i].pitches = NULL;
    for (size_t i = 0; i < s->n_chords; i++) {
        size_t cap;
        if (copy_plain((void **)&d->chords[i].pitches, &cap, s->chords[i].pitches,
                       s->chords[i].n_pitches, sizeof(int16_t)))
            goto fail;
    }
    if (copy_lyrics(&d->lyrics, &d->cap_lyrics, s->lyrics, s->n_lyrics) ||
        copy_annotations(&d->annotations, &d->cap_annotations, s->annotations, s->n_annotations))
        goto fail;
    return MUSC_OK;
fail:
    /* counts were set up front; arrays not yet copied are NULL, so clearing
     * must not walk them: zero counts of NULL arrays first. */
    if (!d->chords) d->n_chords = 0;
    if (!d->lyrics) d->n_lyrics = 0;
    if (!d->annotations) d->n_annotations = 0;
    musc_track_clear(d);
    return nomem();
}

musc_music *musc_music_copy(const musc_music *s)
{
    musc_music *d = calloc(1, sizeof *d);
    if (!d) {
        nomem();
        return NULL;
    }
    d->resolution = s->resolution;
    const musc_metadata *sm = &s->metadata;
    musc_metadata *dm = &d->metadata;
    if ((sm->schema_version && !(dm->schema_version = dup_str(sm->schema_version))) ||
        (sm->title && !(dm->title = dup_str(sm->title))) ||
        (sm->copyright && !(dm->copyright = dup_str(sm->copyright))) ||
        (sm->collection && !(dm->collection = dup_str(sm->collection))) ||
        (sm->source_filename && !(dm->source_filename = dup_str(sm->source_filename))) ||
        (sm->source_format && !(dm->source_format = dup_str(sm->source_format))))
        goto fail;
    for (size_t i = 0; i < sm->n_creators; i++)
        if (musc_music_add_creator(d, sm->creators[i]))
            goto fail;
    d->n_tempos = s->n_tempos;
    d->n_key_signatures = s->n_key_signatures;
    d->n_time_signatures = s->n_time_signatures;
    if (COPY_PLAIN(d, s, tempos) || COPY_PLAIN(d, s, key_signatures) ||
        COPY_PLAIN(d, s, time_signatures))
        goto fail;
    if (copy_lyrics(&d->lyrics, &d->cap_lyrics, s->lyrics, s->n_lyrics))
        goto fail;
    d->n_lyrics = s->n_lyrics;
    if (copy_annotations(&d->annotations, &d->cap_annotations, s->annotations, s->n_annotations))
        goto fail;
    d->n_annotations = s->n_annotations;
    for (size_t i = 0; i < s->n_raw_events; i++) {
        const musc_raw_event *r = &s->raw_events[i];
        if (musc_music_add_raw_event(d, r->time, r->type, r->data, r->size, r->track))
            goto fail;
    }
    if (s->n_tracks) {
        if (!(d->tracks = calloc(s->n_tracks, sizeof *d->tracks)))
            goto fail;
        d->cap_tracks = s->n_tracks;
        for (size_t i = 0; i < s->n_tracks; i++) {
            if (musc_track_copy(&d->tracks[i], &s->tracks[i]))
                goto fail;
            d->n_tracks = i + 1;
        }
    }
    return d;
fail:
    /* a partially copied lyric/annotation array may hold NULL texts only */
    if (d->lyrics && !d->n_lyrics) d->n_lyrics = s->n_lyrics;
    if (d->annotations && !d->n_annotations) d->n_annotations = s->n_annotations;
    musc_music_free(d);
    nomem();
    return NULL;
}

musc_track *musc_music_add_track(musc_music *m, int program, int is_drum, const char *name)
{
    if (MUSC_GROW(m->tracks, m->cap_tracks, m->n_tracks + 1)) {
        nomem();
        return NULL;
    }
    musc_track *t = &m->tracks[m->n_tracks];
    memset(t, 0, sizeof *t);
    t->program = program;
    t->is_drum = is_drum;
    t->channel = -1;
    if (name && !(t->name = dup_str(name))) {
        nomem();
        return NULL;
    }
    m->n_tracks++;
    return t;
}

musc_status musc_music_remove_track(musc_music *m, size_t index)
{
    if (index >= m->n_tracks)
        return musc_error(MUSC_ERR_ARG, "track index %zu out of range (music has %zu tracks)",
                          index, m->n_tracks);
    musc_track_clear(&m->tracks[index]);
    memmove(&m->tracks[index], &m->tracks[index + 1],
            (m->n_tracks - index - 1) * sizeof *m->tracks);
    m->n_tracks--;
    return MUSC_OK;
}

#define APPEND(obj, field, ...)                                                      \
    do {                                                                            \
        if (MUSC_GROW((obj)->field, (obj)->cap_##field, (obj)->n_##field + 1))     \
            return nomem();                                                         \
        (obj)->field[(obj)->n_##field++] = (__typeof__(*(obj)->field)){__VA_ARGS__}; \
    } while (0)

musc_status musc_track_add_note(musc_track *t, int64_t time, int64_t duration, int pitch,
                                int velocity)
{
    APPEND(t, notes, .time = time, .duration = duration, .pitch = (int16_t)pitch,
           .velocity = (int16_t)velocity);
    return MUSC_OK;
}

musc_status musc_track_add_chord(musc_track *t, int64_t time, int64_t duration,
                                 const int16_t *pitches, size_t n, int velocity)
{
    int16_t *p = NULL;
    if (n && !pitches)
        return musc_error(MUSC_ERR_ARG, "chord pitches is NULL with %zu pitches", n);
    if (n) {
        if (n > SIZE_MAX / sizeof *p || !(p = malloc(n * sizeof *p)))
            return nomem();
        memcpy(p, pitches, n * sizeof *p);
    }
    if (MUSC_GROW(t->chords, t->cap_chords, t->n_chords + 1)) {
        free(p);
        return nomem();
    }
    t->chords[t->n_chords++] = (musc_chord){.time = time, .duration = duration, .pitches = p,
                                            .n_pitches = n, .velocity = (int16_t)velocity};
    return MUSC_OK;
}

static musc_status add_lyric(musc_lyric **arr, size_t *n, size_t *cap, int64_t time,
                             const char *text)
{
    char *d = NULL;
    if (text && !(d = dup_str(text)))
        return nomem();
    if (musc_grow((void **)arr, cap, *n + 1, sizeof **arr)) {
        free(d);
        return nomem();
    }
    (*arr)[(*n)++] = (musc_lyric){.time = time, .text = d};
    return MUSC_OK;
}

static musc_status add_annotation(musc_annotation **arr, size_t *n, size_t *cap, int64_t time,
                                  int kind, const char *text)
{
    char *d = NULL;
    if (text && !(d = dup_str(text)))
        return nomem();
    if (musc_grow((void **)arr, cap, *n + 1, sizeof **arr)) {
        free(d);
        return nomem();
    }
    (*arr)[(*n)++] = (musc_annotation){.time = time, .kind = kind, .text = d};
    return MUSC_OK;
}

musc_status musc_track_add_lyric(musc_track *t, int64_t time, const char *text)
{
    return add_lyric(&t->lyrics, &t->n_lyrics, &t->cap_lyrics, time, text);
}

musc_status musc_track_add_annotation(musc_track *t, int64_t time, int kind, const char *text)
{
    return add_annotation(&t->annotations, &t->n_annotations, &t->cap_annotations, time, kind,
                          text);
}

musc_status musc_track_add_control(musc_track *t, int64_t time, int number, int value)
{
    APPEND(t, controls, .time = time, .number = (uint8_t)number, .value = (uint8_t)value);
    return MUSC_OK;
}

musc_status musc_track_add_pitch_bend(musc_track *t, int64_t time, int value)
{
    APPEND(t, pitch_bends, .time = time, .value = (int16_t)value);
    return MUSC_OK;
}

musc_status musc_track_add_pressure(musc_track *t, int64_t time, int pitch, int value)
{
    APPEND(t, pressures, .time = time, .pitch = (int16_t)pitch, .value = (uint8_t)value);
    return MUSC_OK;
}

musc_status musc_track_add_hairpin(musc_track *t, int64_t time, int64_t duration, int kind)
{
    APPEND(t, hairpins, .time = time, .duration = duration, .kind = kind);
    return MUSC_OK;
}

musc_status musc_music_add_tempo(musc_music *m, int64_t time, double qpm)
{
    APPEND(m, tempos, .time = time, .qpm = qpm);
    return MUSC_OK;
}

musc_status musc_music_add_key_signature(musc_music *m, int64_t time, int fifths, int mode,
                                         int root)
{
    APPEND(m, key_signatures, .time = time, .fifths = fifths, .mode = mode, .root = root);
    return MUSC_OK;
}

musc_status musc_music_add_time_signature(musc_music *m, int64_t time, int numerator,
                                          int denominator)
{
    APPEND(m, time_signatures, .time = time, .numerator = numerator, .denominator = denominator);
    return MUSC_OK;
}

musc_status musc_music_add_lyric(musc_music *m, int64_t time, const char *text)
{
    return add_lyric(&m->lyrics, &m->n_lyrics, &m->cap_lyrics, time, text);
}

musc_status musc_music_add_annotation(musc_music *m, int64_t time, int kind, const char *text)
{
    return add_annotation(&m->annotations, &m->n_annotations, &m->cap_annotations, time, kind,
                          text);
}

musc_status musc_music_add_raw_event(musc_music *m, int64_t time, int type, const uint8_t *data,
                                     size_t size, int track)
{
    uint8_t *d = NULL;
    if (size && !data)
        return musc_error(MUSC_ERR_ARG, "raw event data is NULL with size %zu", size);
    if (size) {
        if (!(d = malloc(size)))
            return nomem();
        memcpy(d, data, size);
    }
    if (MUSC_GROW(m->raw_events, m->cap_raw_events, m->n_raw_events + 1)) {
        free(d);
        return nomem();
    }
    m->raw_events[m->n_raw_events++] =
        (musc_raw_event){.time = time, .type = type, .data = d, .size = size, .track = track};
    return MUSC_OK;
}

musc_status musc_music_add_creator(musc_music *m, const char *name)
{
    musc_metadata *md = &m->metadata;
    char *d = dup_str(name ? name : "");
    if (!d)
        return nomem();
    if (MUSC_GROW(md->creators, md->cap_creators, md->n_creators + 1)) {
        free(d);
        return nomem();
    }
    md->creators[md->n_creators++] = d;
    return MUSC_OK;
}
