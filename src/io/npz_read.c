/*
 * Reading Pypianoroll's .npz files: a zip of .npy arrays (each track's
 * piano roll in scipy's CSC parts) plus info.json. The rolls are turned
 * into notes straight from the sparse parts, column by column, so a file
 * that claims millions of steps costs only what it actually stores.
 */
#include "musc/npz.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "musc/music.h"

typedef struct reader {
    zip_t *zip;
    size_t budget; /* bytes of uncompressed members still allowed */
    const musc_read_options *options;
    musc_report *report;
} reader;

/* One loaded member: the bytes and, for .npy members, the parsed array. */
typedef struct member {
    uint8_t *buf;
    size_t size;
    musc_npy arr;
} member;

static void member_free(member *m)
{
    free(m->buf);
    memset(m, 0, sizeof *m);
}

/* Load zip member `name`; *found = 0 (and MUSC_OK) when it is absent. */
static musc_status load_member(reader *r, const char *name, member *m, int *found)
{
    memset(m, 0, sizeof *m);
    *found = 0;
    zip_int64_t idx = zip_name_locate(r->zip, name, 0);
    if (idx < 0)
        return MUSC_OK;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(r->zip, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return musc_error(MUSC_ERR_FORMAT, "npz: cannot stat member %s", name);
    if (st.size > MUSC_NPZ_MAX_MEMBER || st.size > r->budget)
        return musc_error(MUSC_ERR_NOMEM,
                          "npz: member %s is %llu bytes uncompressed, over musc's limit", name,
                          (unsigned long long)st.size);
    size_t size = (size_t)st.size;
    uint8_t *buf = malloc(size + 1);
    if (!buf)
        return musc_error(MUSC_ERR_NOMEM, "npz: out of memory for member %s", name);
    zip_file_t *zf = zip_fopen_index(r->zip, (zip_uint64_t)idx, 0);
    if (!zf) {
        free(buf);
        return musc_error(MUSC_ERR_FORMAT, "npz: cannot open member %s: %s", name,
                          zip_strerror(r->zip));
    }
    zip_int64_t got = size ? zip_fread(zf, buf, size) : 0;
    uint8_t extra;
    zip_int64_t more = got == (zip_int64_t)size ? zip_fread(zf, &extra, 1) : 0;
    int close_err = zip_fclose(zf);
    if (got != (zip_int64_t)size || more != 0 || close_err != 0) {
        free(buf);
        return musc_error(MUSC_ERR_FORMAT, "npz: member %s is truncated or corrupt", name);
    }
    r->budget -= size;
    m->buf = buf;
    m->size = size;
    *found = 1;
    return MUSC_OK;
}

/* Load and parse array `key` (member key + ".npy"). */
static musc_status load_array(reader *r, const char *key, member *m, int *found)
{
    char name[96];
    snprintf(name, sizeof name, "%s.npy", key);
    musc_status st = load_member(r, name, m, found);
    if (st || !*found)
        return st;
    st = musc_npy_parse(m->buf, m->size, &m->arr);
    if (st) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        member_free(m);
        return musc_error(st, "npz: member %s: %s", name, msg);
    }
    return MUSC_OK;
}

static musc_status require_array(reader *r, const char *key, member *m)
{
    int found;
    musc_status st = load_array(r, key, m, &found);
    if (!st && !found)
        st = musc_error(MUSC_ERR_FORMAT, "npz: member %s.npy is missing", key);
    return st;
}

/* A per-step array: (T,) or (T, 1). */
static int is_step_array(const musc_npy *a)
{
    return a->ndim == 1 || (a->ndim == 2 && a->shape[1] == 1);
}

static musc_status read_tempo(reader *r, musc_music *music)
{
    member m;
    int found;
    musc_status st = load_array(r, "tempo", &m, &found);
    if (st || !found)
        return st;
    if (!is_step_array(&m.arr)) {
        member_free(&m);
        return musc_error(MUSC_ERR_FORMAT, "npz: tempo has %d dimensions, expected (T,)",
                          m.arr.ndim);
    }
    double last = NAN;
    for (size_t i = 0; i < m.arr.count && !st; i++) {
        double q = musc_npy_get_f64(&m.arr, i);
        if (!(q > 0) || !isfinite(q)) {
            if (r->options && r->options->strict)
                st = musc_error(MUSC_ERR_FORMAT, "npz: tempo[%zu] = %g, expected > 0", i, q);
            else
                st = musc_report_add(r->report, MUSC_REPAIR_BAD_DATA, (int64_t)i,
                                     "tempo[%zu] = %g is not a tempo; skipped", i, q);
            continue;
        }
        if (q != last) /* a change (MusPy: diff with the value before) */
            st = musc_music_add_tempo(music, (int64_t)i, q);
        last = q;
    }
    member_free(&m);
    return st;
}

static musc_status check_flag_array(reader *r, const char *key)
{
    member m;
    int found;
    musc_status st = load_array(r, key, &m, &found);
    if (st || !found)
        return st;
    if (!is_step_array(&m.arr))
        st = musc_error(MUSC_ERR_FORMAT, "npz: %s has %d dimensions, expected (T,)", key,
                        m.arr.ndim);
    member_free(&m);
    return st;
}

typedef struct cell {
    int64_t time;
    double value;
} cell;

static int cmp_cell(const void *pa, const void *pb)
{
    const cell *a = pa, *b = pb;
    return (a->time > b->time) - (a->time < b->time);
}

/* Turn track i's CSC parts into notes of `track`. */
static musc_status read_roll(reader *r, size_t i, musc_track *track)
{
    char key[64];
    member data = {0}, indices = {0}, indptr = {0}, shape = {0};
    cell *cells = NULL;
    musc_status st;
    snprintf(key, sizeof key, "pianoroll_%zu_csc_shape", i);
    if ((st = require_array(r, key, &shape)))
        goto done;
    snprintf(key, sizeof key, "pianoroll_%zu_csc_indptr", i);
    if ((st = require_array(r, key, &indptr)))
        goto done;
    snprintf(key, sizeof key, "pianoroll_%zu_csc_indices", i);
    if ((st = require_array(r, key, &indices)))
        goto done;
    snprintf(key, sizeof key, "pianoroll_%zu_csc_data", i);
    if ((st = require_array(r, key, &data)))
        goto done;
    if (shape.arr.ndim != 1 || shape.arr.count != 2) {
        st = musc_error(MUSC_ERR_FORMAT, "npz: pianoroll_%zu_csc_shape is not a pair", i);
        goto done;
    }
    int64_t steps = musc_npy_get_i64(&shape.arr, 0), pitches = musc_npy_get_i64(&shape.arr, 1);
    if (steps < 0 || pitches < 0 || pitches > 128) {
        st = musc_error(MUSC_ERR_FORMAT, "npz: track %zu has shape (%lld, %lld), expected (T, 128)",
                        i, (long long)steps, (long long)pitches);
        goto done;
    }
    if (indptr.arr.ndim != 1 || indptr.arr.count != (size_t)pitches + 1) {
        st = musc_error(MUSC_ERR_FORMAT, "npz: pianoroll_%zu_csc_indptr has %zu entries, expected %lld",
                        i, indptr.arr.count, (long long)pitches + 1);
        goto done;
    }
    if (indices.arr.ndim != 1 || data.arr.ndim != 1) {
        st = musc_error(MUSC_ERR_FORMAT, "npz: track %zu: CSC parts must be 1-D", i);
        goto done;
    }
    int binary = data.arr.dtype == MUSC_NPY_BOOL;
    size_t nnz = indices.arr.count < data.arr.count ? indices.arr.count : data.arr.count;
    if (nnz && !(cells = malloc(nnz * sizeof *cells))) {
        st = musc_error(MUSC_ERR_NOMEM, "npz: out of memory for %zu cells", nnz);
        goto done;
    }
    int64_t prev = 0;
    for (int64_t p = 0; p < pitches; p++) {
        int64_t lo = musc_npy_get_i64(&indptr.arr, (size_t)p);
        int64_t hi = musc_npy_get_i64(&indptr.arr, (size_t)p + 1);
        if (p == 0 && lo != 0) {
            st = musc_error(MUSC_ERR_FORMAT, "npz: track %zu: indptr[0] = %lld, expected 0", i,
                            (long long)lo);
            goto done;
        }
        if (lo < prev || hi < lo || (uint64_t)hi > nnz) {
            st = musc_error(MUSC_ERR_FORMAT,
                            "npz: track %zu: indptr[%lld..%lld] = %lld..%lld is not a valid "
                            "range of %zu entries",
                            i, (long long)p, (long long)p + 1, (long long)lo, (long long)hi, nnz);
            goto done;
        }
        prev = hi;
        size_t n = 0;
        for (int64_t k = lo; k < hi; k++) {
            int64_t t = musc_npy_get_i64(&indices.arr, (size_t)k);
            if (t < 0 || t >= steps) {
                st = musc_error(MUSC_ERR_FORMAT,
                                "npz: track %zu: indices[%lld] = %lld, outside 0..%lld", i,
                                (long long)k, (long long)t, (long long)steps - 1);
                goto done;
            }
            cells[n].time = t;
            cells[n].value = musc_npy_get_f64(&data.arr, (size_t)k);
            n++;
        }
        if (n > 1)
            qsort(cells, n, sizeof *cells, cmp_cell);
        /* duplicate entries add up, as scipy's toarray() does */
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            if (m && cells[m - 1].time == cells[k].time)
                cells[m - 1].value += cells[k].value;
            else
                cells[m++] = cells[k];
        }
        size_t k = 0;
        while (k < m) {
            if (!(cells[k].value > 0)) {
                k++;
                continue;
            }
            size_t j = k + 1;
            while (j < m && cells[j].time == cells[j - 1].time + 1 && cells[j].value > 0)
                j++;
            int velocity = MUSC_DEFAULT_VELOCITY;
            if (!binary) {
                double v = cells[k].value;
                velocity = v >= 127 ? 127 : v < 1 ? 1 : (int)v;
            }
            int64_t dur = cells[j - 1].time + 1 - cells[k].time;
            if (musc_track_add_note(track, cells[k].time, dur, (int)p, velocity)) {
                st = musc_error(MUSC_ERR_NOMEM, "npz: out of memory");
                goto done;
            }
            k = j;
        }
    }
    st = MUSC_OK;
done:
    free(cells);
    member_free(&data);
    member_free(&indices);
    member_free(&indptr);
    member_free(&shape);
    return st;
}

static const char *json_nonempty_string(json_t *v)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    return s && *s ? s : NULL;
}

static musc_status read_archive(reader *r, musc_music **out)
{
    member info;
    int found;
    musc_status st = load_member(r, "info.json", &info, &found);
    if (st)
        return st;
    if (!found)
        return musc_error(MUSC_ERR_FORMAT, "npz: info.json is missing (not a Pypianoroll file)");
    json_error_t jerr;
    json_t *root = json_loadb((const char *)info.buf, info.size, JSON_REJECT_DUPLICATES, &jerr);
    member_free(&info);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return musc_error(MUSC_ERR_FORMAT, "npz: info.json: %s (line %d)",
                          root ? "not an object" : jerr.text, root ? 0 : jerr.line);
    }
    json_t *res = json_object_get(root, "resolution");
    if (!res)
        res = json_object_get(root, "beat_resolution");
    if (!json_is_integer(res) || json_integer_value(res) < 1 ||
        json_integer_value(res) > 1000000) {
        json_decref(root);
        return musc_error(MUSC_ERR_FORMAT, "npz: info.json: resolution missing or not 1..1000000");
    }
    musc_music *m = musc_music_new((int)json_integer_value(res));
    if (!m) {
        json_decref(root);
        return MUSC_ERR_NOMEM;
    }
    st = musc_set_string(&m->metadata.title, json_nonempty_string(json_object_get(root, "name")));
    if (!st)
        st = musc_set_string(&m->metadata.source_format, "npz");
    if (!st)
        st = read_tempo(r, m);
    if (!st)
        st = check_flag_array(r, "downbeat");
    if (!st)
        st = check_flag_array(r, "beat");
    for (size_t i = 0; !st; i++) {
        char key[32];
        snprintf(key, sizeof key, "%zu", i);
        json_t *t = json_object_get(root, key);
        if (!t)
            break;
        if (!json_is_object(t)) {
            st = musc_error(MUSC_ERR_FORMAT, "npz: info.json: track \"%zu\" is not an object", i);
            break;
        }
        json_t *prog = json_object_get(t, "program");
        json_int_t program = prog ? (json_is_integer(prog) ? json_integer_value(prog) : -1) : 0;
        if (program < 0 || program > 127) {
            st = musc_error(MUSC_ERR_FORMAT, "npz: info.json: track %zu has program outside 0..127",
                            i);
            break;
        }
        json_t *drum = json_object_get(t, "is_drum");
        int is_drum = json_is_true(drum) || (json_is_integer(drum) && json_integer_value(drum));
        musc_track *track = musc_music_add_track(m, (int)program, is_drum,
                                                 json_nonempty_string(json_object_get(t, "name")));
        if (!track) {
            st = musc_error(MUSC_ERR_NOMEM, "npz: out of memory");
            break;
        }
        st = read_roll(r, i, track);
    }
    json_decref(root);
    if (st) {
        musc_music_free(m);
        return st;
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}

musc_status musc_npz_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                              musc_music **out, musc_report *report)
{
    *out = NULL;
    if (!data && size)
        return musc_error(MUSC_ERR_ARG, "npz read: data is NULL");
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(size ? (const void *)data : (const void *)"", size, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return musc_error(MUSC_ERR_NOMEM, "npz: out of memory");
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) {
        musc_status st = musc_error(MUSC_ERR_FORMAT, "npz: not a readable zip archive: %s",
                                    zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    reader r = {z, MUSC_NPZ_MAX_TOTAL, options, report};
    musc_status st = read_archive(&r, out);
    zip_discard(z);
    return st;
}

musc_status musc_npz_read(const char *path, const musc_read_options *options, musc_music **out,
                          musc_report *report)
{
    *out = NULL;
    uint8_t *data;
    size_t size;
    musc_status st = musc_file_read_all(path, 0, &data, &size);
    if (st)
        return st;
    st = musc_npz_read_mem(data, size, options, out, report);
    free(data);
    if (st) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        return musc_error(st, "%s: %s", path, msg);
    }
    if (!(*out)->metadata.source_filename) {
        const char *base = strrchr(path, '/');
        if (musc_set_string(&(*out)->metadata.source_filename, base ? base + 1 : path)) {
            musc_music_free(*out);
            *out = NULL;
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        }
    }
    return MUSC_OK;
}
