/*
 * Writing Pypianoroll's .npz files: each track painted onto a T x 128 roll
 * (as MusPy's to_pypianoroll does), split into scipy's CSC parts and
 * stored as .npy members beside tempo/beat/downbeat arrays and info.json,
 * in a zip built in memory (deflate unless asked not to compress).
 */
#include "musc/npz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "musc/repr.h"

typedef struct writer {
    zip_t *zip;
    int compress;
} writer;

/* Add `buf` (malloc'd; ownership passes to the zip) as member `name`. */
static musc_status add_member(writer *w, const char *name, uint8_t *buf, size_t size)
{
    zip_source_t *s = zip_source_buffer(w->zip, buf, size, 1);
    if (!s) {
        free(buf);
        return musc_error(MUSC_ERR_NOMEM, "npz write: %s", zip_strerror(w->zip));
    }
    zip_int64_t idx = zip_file_add(w->zip, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (idx < 0) {
        zip_source_free(s);
        return musc_error(MUSC_ERR_NOMEM, "npz write: cannot add %s: %s", name,
                          zip_strerror(w->zip));
    }
    if (zip_set_file_compression(w->zip, (zip_uint64_t)idx,
                                 w->compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0)
        return musc_error(MUSC_ERR_INTERNAL, "npz write: %s", zip_strerror(w->zip));
    return MUSC_OK;
}

static musc_status add_array(writer *w, const char *key, musc_npy_dtype dtype, int ndim,
                             const int64_t *shape, const void *data)
{
    uint8_t *buf;
    size_t size;
    musc_status st = musc_npy_write(dtype, ndim, shape, data, &buf, &size);
    if (st)
        return st;
    char name[96];
    snprintf(name, sizeof name, "%s.npy", key);
    return add_member(w, name, buf, size);
}

typedef struct tempo_ref {
    int64_t time;
    size_t index;
} tempo_ref;

static int cmp_tempo_ref(const void *pa, const void *pb)
{
    const tempo_ref *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* qpm at every step: the last tempo at or before it, 120 before the first. */
static musc_status add_tempo(writer *w, const musc_music *m, int64_t steps)
{
    double *q = malloc((size_t)(steps ? steps : 1) * sizeof *q);
    if (!q)
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    for (int64_t t = 0; t < steps; t++)
        q[t] = MUSC_DEFAULT_QPM;
    /* a stable order by time, without modifying the music */
    tempo_ref *order = malloc((m->n_tempos ? m->n_tempos : 1) * sizeof *order);
    if (!order) {
        free(q);
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    }
    for (size_t i = 0; i < m->n_tempos; i++)
        order[i] = (tempo_ref){m->tempos[i].time < 0 ? 0 : m->tempos[i].time, i};
    qsort(order, m->n_tempos, sizeof *order, cmp_tempo_ref);
    for (size_t k = 0; k < m->n_tempos; k++) {
        int64_t from = order[k].time;
        int64_t to = k + 1 < m->n_tempos ? order[k + 1].time : steps;
        if (to > steps)
            to = steps;
        for (int64_t t = from; t < to; t++)
            q[t] = m->tempos[order[k].index].qpm;
    }
    free(order);
    int64_t shape[1] = {steps};
    musc_status st = add_array(w, "tempo", MUSC_NPY_F64, 1, shape, q);
    free(q);
    return st;
}

static musc_status add_beats(writer *w, const musc_music *m, int64_t steps, int downbeats,
                             const char *key)
{
    int64_t *times;
    size_t n;
    musc_status st = musc_music_beats(m, downbeats, &times, &n);
    if (st)
        return st;
    uint8_t *flags = calloc((size_t)(steps ? steps : 1), 1);
    if (!flags) {
        free(times);
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        if (times[i] >= 0 && times[i] < steps)
            flags[times[i]] = 1;
    free(times);
    int64_t shape[1] = {steps};
    st = add_array(w, key, MUSC_NPY_BOOL, 1, shape, flags);
    free(flags);
    return st;
}

static musc_status add_roll(writer *w, const musc_track *t, size_t index, int64_t steps,
                            int binary)
{
    uint8_t *roll = calloc((size_t)(steps ? steps : 1), 128);
    if (!roll)
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory for %lld steps",
                          (long long)steps);
    musc_pianoroll_paint(t->notes, t->n_notes, !binary, roll, (size_t)steps);
    size_t nnz = 0;
    for (size_t i = 0; i < (size_t)steps * 128; i++)
        nnz += roll[i] != 0;
    uint8_t *data = malloc(nnz ? nnz : 1);
    int32_t *indices = malloc((nnz ? nnz : 1) * sizeof *indices);
    int32_t indptr[129];
    musc_status st = MUSC_OK;
    if (!data || !indices) {
        st = musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
        goto done;
    }
    size_t k = 0;
    indptr[0] = 0;
    for (int p = 0; p < 128; p++) {
        for (int64_t s = 0; s < steps; s++) {
            uint8_t v = roll[(size_t)s * 128 + (size_t)p];
            if (v) {
                data[k] = v;
                indices[k] = (int32_t)s; /* steps <= MUSC_NPZ_MAX_STEPS fits */
                k++;
            }
        }
        indptr[p + 1] = (int32_t)k;
    }
    char key[64];
    int64_t n1[1] = {(int64_t)nnz}, n129[1] = {129}, n2[1] = {2};
    int64_t shape[2] = {steps, 128};
    snprintf(key, sizeof key, "pianoroll_%zu_csc_data", index);
    st = add_array(w, key, binary ? MUSC_NPY_BOOL : MUSC_NPY_U8, 1, n1, data);
    if (!st) {
        snprintf(key, sizeof key, "pianoroll_%zu_csc_indices", index);
        st = add_array(w, key, MUSC_NPY_I32, 1, n1, indices);
    }
    if (!st) {
        snprintf(key, sizeof key, "pianoroll_%zu_csc_indptr", index);
        st = add_array(w, key, MUSC_NPY_I32, 1, n129, indptr);
    }
    if (!st) {
        snprintf(key, sizeof key, "pianoroll_%zu_csc_shape", index);
        st = add_array(w, key, MUSC_NPY_I64, 1, n2, shape);
    }
done:
    free(roll);
    free(data);
    free(indices);
    return st;
}

static musc_status add_info(writer *w, const musc_music *m)
{
    json_t *root = json_object();
    musc_status st = MUSC_OK;
    if (!root)
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    int bad = json_object_set_new(root, "resolution", json_integer(m->resolution));
    bad |= json_object_set_new(root, "name", m->metadata.title ? json_string(m->metadata.title)
                                                               : json_null());
    for (size_t i = 0; i < m->n_tracks && !bad; i++) {
        const musc_track *t = &m->tracks[i];
        json_t *tj = json_object();
        if (!tj) {
            bad = 1;
            break;
        }
        bad |= json_object_set_new(tj, "program", json_integer(t->program));
        bad |= json_object_set_new(tj, "is_drum", json_boolean(t->is_drum));
        bad |= json_object_set_new(tj, "name", json_string(t->name ? t->name : ""));
        char key[32];
        snprintf(key, sizeof key, "%zu", i);
        bad |= json_object_set_new(root, key, tj);
    }
    char *text = bad ? NULL : json_dumps(root, JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return musc_error(MUSC_ERR_NOMEM, "npz write: cannot build info.json");
    size_t len = strlen(text);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        free(text);
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    }
    memcpy(buf, text, len);
    free(text);
    st = add_member(w, "info.json", buf, len);
    return st;
}

/* Copy the finished archive out of its in-memory source. */
static musc_status take_buffer(zip_source_t *src, uint8_t **data, size_t *size)
{
    if (zip_source_open(src) < 0)
        return musc_error(MUSC_ERR_INTERNAL, "npz write: cannot reopen the archive");
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t n = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (n <= 0 || !buf || zip_source_read(src, buf, (zip_uint64_t)n) != n) {
        free(buf);
        zip_source_close(src);
        return musc_error(n > 0 ? MUSC_ERR_NOMEM : MUSC_ERR_INTERNAL,
                          "npz write: cannot read back the archive");
    }
    zip_source_close(src);
    *data = buf;
    *size = (size_t)n;
    return MUSC_OK;
}

musc_status musc_npz_write_mem(const musc_music *music, const musc_write_options *options,
                               uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    musc_write_options o = options ? *options : musc_write_options_default();
    musc_status st = musc_music_validate(music);
    if (st)
        return st;
    int64_t steps = musc_music_end_time(music);
    if (steps > MUSC_NPZ_MAX_STEPS)
        return musc_error(MUSC_ERR_RANGE,
                          "npz write: the music lasts %lld steps, over musc's limit of %lld",
                          (long long)steps, (long long)MUSC_NPZ_MAX_STEPS);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return musc_error(MUSC_ERR_NOMEM, "npz write: out of memory");
    }
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE | ZIP_CREATE, &ze);
    zip_error_fini(&ze);
    if (!z) {
        zip_source_free(src);
        return musc_error(MUSC_ERR_INTERNAL, "npz write: cannot create an archive");
    }
    zip_source_keep(src);
    writer w = {z, o.compress != 0};
    if (music->n_tempos)
        st = add_tempo(&w, music, steps);
    if (!st && music->n_time_signatures) {
        st = add_beats(&w, music, steps, 1, "downbeat");
        if (!st)
            st = add_beats(&w, music, steps, 0, "beat");
    }
    for (size_t i = 0; i < music->n_tracks && !st; i++)
        st = add_roll(&w, &music->tracks[i], i, steps, (o.flags & MUSC_NPZ_BINARY) != 0);
    if (!st)
        st = add_info(&w, music);
    if (st) {
        zip_discard(z);
        zip_source_free(src);
        return st;
    }
    if (zip_close(z) != 0) {
        st = musc_error(MUSC_ERR_INTERNAL, "npz write: %s", zip_strerror(z));
        zip_discard(z);
        zip_source_free(src);
        return st;
    }
    st = take_buffer(src, data, size);
    zip_source_free(src);
    return st;
}

musc_status musc_npz_write(const musc_music *music, const char *path,
                           const musc_write_options *options)
{
    musc_write_options o = options ? *options : musc_write_options_default();
    uint8_t *data;
    size_t size;
    musc_status st = musc_npz_write_mem(music, &o, &data, &size);
    if (st)
        return st;
    st = musc_file_write_atomic(path, data, size, o.overwrite);
    free(data);
    return st;
}
