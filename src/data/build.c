/*
 * musc_dataset_build: scan a folder, convert every file on a pool of
 * threads, then (on the calling thread, in path order) drop duplicates,
 * split, write the catalogue, the shards and failures.tsv.
 *
 * Determinism comes from the shape of the work, not from locking: the file
 * list is sorted, each worker fills only the slot of the file it took, and
 * everything order-dependent happens after the workers are joined.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/grow.h"
#include "../io/scan.h"
#include "dataset_internal.h"
#include "musc/abc.h"
#include "musc/io.h"
#include "musc/metrics.h"
#include "musc/process.h"
#include "musc/rolls.h"

static const char *const repr_names[] = {NULL, "mmt", "event", "remi", "note"};
static const char *const split_names[] = {"train", "valid", "test"};

const char *musc_dataset_repr_name(int repr)
{
    return repr >= 1 && repr <= 4 ? repr_names[repr] : NULL;
}

int musc_dataset_repr_from_name(const char *name)
{
    for (int i = 1; i <= 4; i++)
        if (name && !strcmp(name, repr_names[i]))
            return i;
    return 0;
}

const char *musc_split_name(int split)
{
    return split >= 0 && split < MUSC_N_SPLITS ? split_names[split] : NULL;
}

musc_dataset_options musc_dataset_options_default(void)
{
    musc_dataset_options o;
    memset(&o, 0, sizeof o);
    o.repr = MUSC_DATASET_MMT;
    o.jobs = 1;
    o.split[0] = 8;
    o.split[1] = 1;
    o.split[2] = 1;
    o.resolution = MUSC_DEFAULT_RESOLUTION;
    o.mmt = musc_mmt_options_default();
    o.mmt.max_beat = 1024; /* room for the loader to pick windows of 256 */
    o.mmt.shift_to_first_beat = 1; /* as MMT's extract.py */
    o.event = musc_event_options_default();
    o.remi = musc_remi_options_default();
    o.note = musc_note_repr_options_default();
    return o;
}

/* ---- converting one file ------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int cmp_note5(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    for (int i = 0; i < 5; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

static int64_t to12(int64_t t, int res)
{
    /* nearest, halves up; t >= 0 in a valid music */
    return (t * 12 + res / 2) / res;
}

static musc_status content_hash(const musc_music *m, uint64_t *out)
{
    size_t n = musc_music_note_count(m);
    int64_t *v = malloc((n ? n : 1) * 5 * sizeof *v);
    if (!v)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        for (size_t j = 0; j < t->n_notes; j++, k++) {
            const musc_note *nt = &t->notes[j];
            int64_t on = to12(nt->time, m->resolution);
            v[5 * k] = on;
            v[5 * k + 1] = to12(nt->time + nt->duration, m->resolution) - on;
            v[5 * k + 2] = nt->pitch;
            v[5 * k + 3] = t->is_drum ? 0 : t->program;
            v[5 * k + 4] = t->is_drum != 0;
        }
    }
    qsort(v, n, 5 * sizeof *v, cmp_note5);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < 5 * n; i++)
        for (int b = 0; b < 8; b++) {
            h ^= (uint8_t)((uint64_t)v[i] >> (8 * b));
            h *= 0x100000001b3ull;
        }
    free(v);
    *out = h;
    return MUSC_OK;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Unique sorted items joined with commas. */
static char *join_unique(const char **items, size_t n)
{
    qsort(items, n, sizeof *items, cmp_cstr);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1]))
            continue;
        if (k)
            s[k++] = ',';
        size_t l = strlen(items[i]);
        memcpy(s + k, items[i], l + 1);
        k += l;
    }
    return s;
}

static musc_status describe(const musc_music *m, dataset_piece *p)
{
    static const char *const pc[12] = {"C", "C#", "D", "Eb", "E", "F",
                                       "F#", "G", "Ab", "A", "Bb", "B"};
    p->resolution = m->resolution;
    int64_t end = musc_music_end_time(m);
    p->beats = (double)end / m->resolution;
    p->seconds = musc_music_ticks_to_seconds(m, end);
    p->tempo = m->n_tempos ? m->tempos[0].qpm : MUSC_DEFAULT_QPM;
    p->n_notes = musc_music_note_count(m);
    musc_metrics mm;
    musc_status mst = musc_metrics_compute(m, NULL, &mm);
    if (mst == MUSC_ERR_NOMEM)
        return mst;
    p->polyphony = mst ? NAN : mm.polyphony;
    p->pitch_class_entropy = mst ? NAN : mm.pitch_class_entropy;
    p->scale_consistency = mst ? NAN : mm.scale_consistency;
    p->groove_consistency = mst ? NAN : mm.groove_consistency;
    p->empty_beat_rate = mst ? NAN : mm.empty_beat_rate;
    if (!mst)
        musc_metrics_clear(&mm);
    p->pitch_min = 127;
    p->pitch_max = 0;
    const char **inst = malloc((m->n_tracks + 1) * sizeof *inst);
    if (!inst)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    size_t ni = 0;
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        if (t->n_notes == 0)
            continue;
        p->n_tracks++;
        if (t->is_drum) {
            p->has_drums = 1;
            inst[ni++] = "drums";
            continue;
        }
        int prog = t->program & 127;
        const char *name = musc_mmt_instrument_name(musc_mmt_instrument_of_program(prog));
        inst[ni++] = name ? name : "other";
        for (size_t j = 0; j < t->n_notes; j++) {
            int q = t->notes[j].pitch;
            if (q < p->pitch_min)
                p->pitch_min = q;
            if (q > p->pitch_max)
                p->pitch_max = q;
        }
    }
    if (p->pitch_min > p->pitch_max)
        p->pitch_min = p->pitch_max = -1;
    p->instruments = join_unique(inst, ni);
    /* programs: numeric sort, unique */
    int seen[128] = {0};
    for (size_t i = 0; i < m->n_tracks; i++)
        if (!m->tracks[i].is_drum && m->tracks[i].n_notes)
            seen[m->tracks[i].program & 127] = 1;
    char buf[128 * 4 + 1];
    size_t k = 0;
    for (int q = 0; q < 128; q++)
        if (seen[q])
            k += (size_t)snprintf(buf + k, sizeof buf - k, k ? ",%d" : "%d", q);
    buf[k] = '\0';
    p->programs = strdup(buf);
    free(inst);
    if (m->n_key_signatures) {
        const musc_key_signature *ks = &m->key_signatures[0];
        int root = ks->root;
        if (root < 0 && ks->mode != MUSC_MODE_NONE)
            root = ((ks->fifths * 7) % 12 + 12 + (ks->mode == MUSC_MODE_MINOR ? 9 : 0)) % 12;
        if (root >= 0 && root < 12) {
            char kb[32];
            snprintf(kb, sizeof kb, "%s%s", pc[root],
                     ks->mode == MUSC_MODE_MAJOR   ? " major"
                     : ks->mode == MUSC_MODE_MINOR ? " minor"
                                                   : "");
            p->key = strdup(kb);
        }
    }
    if (m->n_time_signatures) {
        char mb[32];
        snprintf(mb, sizeof mb, "%d/%d", m->time_signatures[0].numerator,
                 m->time_signatures[0].denominator);
        p->meter = strdup(mb);
    }
    p->title = dup_or_null(m->metadata.title);
    if (!p->instruments || !p->programs)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    return MUSC_OK;
}

static musc_status encode(musc_music *m, const musc_dataset_options *o, dataset_piece *p)
{
    musc_status st;
    size_t n = 0;
    switch (o->repr) {
    case MUSC_DATASET_MMT:
        st = musc_mmt_encode(m, &o->mmt, &p->rows, &n);
        if (st == MUSC_OK && n <= 3)
            return musc_error(MUSC_ERR_UNSUPPORTED,
                              "no notes that MMT keeps (it drops drums and programs without a class)");
        break;
    case MUSC_DATASET_EVENT:
        st = musc_adjust_resolution(m, o->resolution, MUSC_ROUND_NEAREST_EVEN);
        if (st == MUSC_OK)
            st = musc_event_encode(m, &o->event, &p->rows, &n);
        break;
    case MUSC_DATASET_REMI:
        st = musc_remi_encode(m, &o->remi, &p->rows, &n);
        break;
    case MUSC_DATASET_NOTE: {
        st = musc_adjust_resolution(m, o->resolution, MUSC_ROUND_NEAREST_EVEN);
        int64_t *rows = NULL;
        if (st == MUSC_OK)
            st = musc_note_repr_encode(m, &o->note, &rows, &n);
        if (st != MUSC_OK)
            break;
        size_t cols = musc_note_repr_columns(&o->note), total = n * cols;
        p->rows = malloc((total ? total : 1) * sizeof *p->rows);
        if (!p->rows) {
            free(rows);
            return musc_error(MUSC_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < total; i++) {
            if (rows[i] > INT32_MAX || rows[i] < INT32_MIN) {
                free(rows);
                return musc_error(MUSC_ERR_RANGE, "a note time of %lld ticks does not fit 32 bits",
                                  (long long)rows[i]);
            }
            p->rows[i] = (int32_t)rows[i];
        }
        free(rows);
        break;
    }
    default:
        return musc_error(MUSC_ERR_ARG, "unknown representation %d", o->repr);
    }
    if (st != MUSC_OK)
        return st;
    p->n_rows = n;
    return MUSC_OK;
}

/* Hash, describe and encode a music just read (st: how reading went);
 * frees the music. A failure is recorded in p->error. */
static void convert_music(musc_status st, musc_music *m, const musc_dataset_options *o,
                          dataset_piece *p)
{
    if (st == MUSC_OK) {
        /* readers give sorted lists; the tempo map needs sorted tempos, so
         * sort only when a reader did not (saves a sort of every note list) */
        for (size_t i = 1; i < m->n_tempos; i++)
            if (m->tempos[i].time < m->tempos[i - 1].time) {
                musc_music_sort(m);
                break;
            }
        if (musc_music_note_count(m) == 0)
            st = musc_error(MUSC_ERR_UNSUPPORTED, "no notes");
    }
    if (st == MUSC_OK)
        st = content_hash(m, &p->hash);
    if (st == MUSC_OK)
        st = describe(m, p);
    if (st == MUSC_OK)
        st = encode(m, o, p);
    musc_music_free(m);
    if (st != MUSC_OK) {
        const char *msg = musc_errmsg();
        p->error = strdup(*msg ? msg : musc_strerror(st));
        if (!p->error)
            p->error = strdup("failed");
        free(p->rows);
        p->rows = NULL;
        p->n_rows = 0;
    }
}

/* An ABC book of several tunes gives one piece per tune, "book.abc#k" for
 * the k-th tune (1-based). Returns 0 when the file is no such book (read
 * it as one piece), 1 when it was handled here. */
static int convert_book(const char *full, const musc_dataset_options *o, dataset_piece *p)
{
    uint8_t *text = NULL;
    size_t size = 0, n = 0;
    musc_abc_tune_info *tunes = NULL;
    if (musc_file_read_all(full, 0, &text, &size) != MUSC_OK ||
        musc_abc_list((const char *)text, size, &tunes, &n) != MUSC_OK) {
        free(text);
        return 0; /* musc_read reports the error */
    }
    musc_abc_tune_info_free(tunes, n);
    if (n <= 1 || !(p->subs = calloc(n, sizeof *p->subs))) {
        free(text);
        return 0;
    }
    p->n_subs = n;
    size_t len = strlen(p->path) + 24;
    for (size_t i = 0; i < n; i++) {
        dataset_piece *sp = &p->subs[i];
        sp->format = p->format;
        sp->path = malloc(len);
        musc_music *m = NULL;
        musc_status st;
        if (!sp->path) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        } else {
            snprintf(sp->path, len, "%s#%zu", p->path, i + 1);
            musc_read_options ro = musc_read_options_default();
            ro.index = (int)i;
            st = musc_abc_read_mem((const char *)text, size, &ro, &m, NULL);
        }
        convert_music(st, m, o, sp);
    }
    free(text);
    return 1;
}

/* Piano-roll lists (the JSB chorales' JSON) give one piece per entry,
 * "file.json#k" (1-based, file order), each keeping the file's own split.
 * Returns 0 when the file is not such a list (read it as MusPy JSON). */
static int convert_rolls(const char *full, const musc_dataset_options *o, dataset_piece *p)
{
    uint8_t *text = NULL;
    size_t size = 0;
    if (musc_file_read_all(full, 0, &text, &size) != MUSC_OK)
        return 0; /* musc_read reports the error */
    int is_rolls = musc_rolls_detect(text, size);
    free(text);
    if (!is_rolls)
        return 0;
    musc_music **list = NULL;
    int *splits = NULL;
    size_t n = 0;
    musc_status st = musc_rolls_read_book(full, NULL, &list, &splits, &n, NULL);
    if (st != MUSC_OK) {
        convert_music(st, NULL, o, p);
        return 1;
    }
    if (n == 0 || !(p->subs = calloc(n, sizeof *p->subs))) {
        st = n ? musc_error(MUSC_ERR_NOMEM, "out of memory")
               : musc_error(MUSC_ERR_UNSUPPORTED, "no pieces");
        musc_music_list_free(list, n);
        free(splits);
        convert_music(st, NULL, o, p);
        return 1;
    }
    p->n_subs = n;
    size_t len = strlen(p->path) + 24;
    for (size_t i = 0; i < n; i++) {
        dataset_piece *sp = &p->subs[i];
        sp->format = p->format;
        sp->given_split = splits[i] >= 0 && splits[i] < MUSC_N_SPLITS ? splits[i] + 1 : 0;
        sp->path = malloc(len);
        st = MUSC_OK;
        if (!sp->path)
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        else
            snprintf(sp->path, len, "%s#%zu", p->path, i + 1);
        convert_music(st, list[i], o, sp); /* frees the music */
        list[i] = NULL;
    }
    free(list);
    free(splits);
    return 1;
}

static void convert_one(const char *root, const musc_dataset_options *o, dataset_piece *p)
{
    char *full = musc_path_join(root, p->path);
    if (full && musc_format_from_path(full) == MUSC_FORMAT_ABC && convert_book(full, o, p)) {
        free(full);
        return;
    }
    if (full && musc_format_from_path(full) == MUSC_FORMAT_JSON && convert_rolls(full, o, p)) {
        free(full);
        return;
    }
    musc_music *m = NULL;
    musc_status st = full ? musc_read(full, NULL, &m, NULL)
                          : musc_error(MUSC_ERR_NOMEM, "out of memory");
    free(full);
    convert_music(st, m, o, p);
}

/* ---- the worker pool ---------------------------------------------------- */

typedef struct pool {
    const char *root;
    const musc_dataset_options *o;
    dataset_piece *pieces;
    size_t n;
    pthread_mutex_t lock;
    pthread_cond_t progress;
    size_t next, done;
} pool;

static void *worker(void *arg)
{
    pool *pl = arg;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        size_t i = pl->next < pl->n ? pl->next++ : SIZE_MAX;
        pthread_mutex_unlock(&pl->lock);
        if (i == SIZE_MAX)
            break;
        convert_one(pl->root, pl->o, &pl->pieces[i]);
        pthread_mutex_lock(&pl->lock);
        pl->done++;
        pthread_cond_signal(&pl->progress);
        pthread_mutex_unlock(&pl->lock);
    }
    return NULL;
}

static void convert_all(const char *root, const musc_dataset_options *o, dataset_piece *pieces,
                        size_t n)
{
    pool pl = {.root = root, .o = o, .pieces = pieces, .n = n};
    pthread_mutex_init(&pl.lock, NULL);
    pthread_cond_init(&pl.progress, NULL);
    size_t want = (size_t)o->jobs < n ? (size_t)o->jobs : n;
    pthread_t *th = calloc(want ? want : 1, sizeof *th);
    size_t started = 0;
    if (th && want > 1)
        for (; started < want; started++)
            if (pthread_create(&th[started], NULL, worker, &pl) != 0)
                break;
    if (started == 0) {
        /* one job (or no thread could start): work here, report as we go */
        for (size_t i = 0; i < n; i++) {
            convert_one(root, o, &pieces[i]);
            if (o->progress)
                o->progress(o->progress_user, i + 1, n);
        }
    } else {
        size_t seen = 0;
        pthread_mutex_lock(&pl.lock);
        while (pl.done < n) {
            pthread_cond_wait(&pl.progress, &pl.lock);
            size_t d = pl.done;
            if (o->progress && d != seen) {
                pthread_mutex_unlock(&pl.lock);
                o->progress(o->progress_user, d, n);
                seen = d;
                pthread_mutex_lock(&pl.lock);
            }
        }
        pthread_mutex_unlock(&pl.lock);
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
    }
    free(th);
    pthread_cond_destroy(&pl.progress);
    pthread_mutex_destroy(&pl.lock);
}

/* ---- after conversion --------------------------------------------------- */

typedef struct hash_ix {
    uint64_t hash;
    size_t index;
} hash_ix;

static int cmp_hash_ix(const void *a, const void *b)
{
    const hash_ix *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Of each group of pieces with one hash, the first by path is kept. */
static musc_status mark_duplicates(dataset_piece *p, size_t n)
{
    hash_ix *ix = malloc((n ? n : 1) * sizeof *ix);
    if (!ix)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        p[i].dup_of = SIZE_MAX;
        if (!p[i].error)
            ix[k++] = (hash_ix){p[i].hash, i};
    }
    qsort(ix, k, sizeof *ix, cmp_hash_ix);
    for (size_t i = 1, first = 0; i < k; i++) {
        if (ix[i].hash == ix[first].hash)
            p[ix[i].index].dup_of = ix[first].index;
        else
            first = i;
    }
    free(ix);
    return MUSC_OK;
}

static int split_of(uint64_t hash, const unsigned r[3])
{
    uint64_t s = hash;
    double u = (double)(splitmix64(&s) >> 11) * 0x1.0p-53;
    double total = (double)r[0] + r[1] + r[2];
    if (u < r[0] / total)
        return MUSC_SPLIT_TRAIN;
    if (u < (r[0] + (double)r[1]) / total)
        return MUSC_SPLIT_VALID;
    return MUSC_SPLIT_TEST;
}

/* Reasons may hold tabs or newlines (messages naming lines); keep TSV. */
static void tsv_clean(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r')
            *s = ' ';
}

static musc_status write_failures(const char *path, dataset_piece *p, size_t n, int overwrite)
{
    size_t cap = 64, len;
    for (size_t i = 0; i < n; i++)
        if (p[i].error)
            cap += strlen(p[i].path) + strlen(p[i].error) + 2;
    char *buf = malloc(cap);
    if (!buf)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    len = (size_t)snprintf(buf, cap, "path\treason\n");
    for (size_t i = 0; i < n; i++)
        if (p[i].error) {
            char *q = buf + len;
            size_t lp = strlen(p[i].path);
            len += (size_t)snprintf(q, cap - len, "%s\t%s\n", p[i].path, p[i].error);
            q[lp] = '\0'; /* clean the two fields, not the separators */
            tsv_clean(q);
            tsv_clean(q + lp + 1);
            q[lp] = '\t';
            buf[len - 1] = '\n';
        }
    musc_status st = musc_file_write_atomic(path, buf, len, overwrite);
    free(buf);
    return st;
}

static void free_piece(dataset_piece *p)
{
    free(p->path);
    free(p->error);
    free(p->title);
    free(p->instruments);
    free(p->programs);
    free(p->key);
    free(p->meter);
    free(p->rows);
    for (size_t i = 0; p->subs && i < p->n_subs; i++)
        free_piece(&p->subs[i]);
    free(p->subs);
}

/* Replace each piece that holds sub-pieces (an ABC book) by them, in order. */
static musc_status flatten(dataset_piece **pieces, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < *n; i++)
        total += (*pieces)[i].subs ? (*pieces)[i].n_subs : 1;
    if (total == *n)
        return MUSC_OK;
    dataset_piece *flat = calloc(total, sizeof *flat);
    if (!flat)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        dataset_piece *p = &(*pieces)[i];
        if (!p->subs) {
            flat[k++] = *p;
            continue;
        }
        for (size_t j = 0; j < p->n_subs; j++)
            flat[k++] = p->subs[j];
        free(p->subs);
        p->subs = NULL;
        free_piece(p);
    }
    free(*pieces);
    *pieces = flat;
    *n = total;
    return MUSC_OK;
}

static int fields_of(const musc_dataset_options *o)
{
    switch (o->repr) {
    case MUSC_DATASET_MMT: return MUSC_MMT_FIELDS;
    case MUSC_DATASET_NOTE: return (int)musc_note_repr_columns(&o->note);
    default: return 1;
    }
}

static musc_status check_options(const musc_dataset_options *o)
{
    if (!musc_dataset_repr_name(o->repr))
        return musc_error(MUSC_ERR_ARG, "unknown representation %d", o->repr);
    if (o->jobs < 1 || o->jobs > 256)
        return musc_error(MUSC_ERR_ARG, "jobs = %d, expected 1..256", o->jobs);
    if ((uint64_t)o->split[0] + o->split[1] + o->split[2] == 0)
        return musc_error(MUSC_ERR_ARG, "split ratios are all 0");
    if (o->resolution < 1)
        return musc_error(MUSC_ERR_ARG, "resolution = %d, expected >= 1", o->resolution);
    return MUSC_OK;
}

musc_status musc_dataset_build(const char *dir, const char *out,
                               const musc_dataset_options *options,
                               musc_dataset_summary *summary)
{
    musc_dataset_options o = options ? *options : musc_dataset_options_default();
    musc_status st = check_options(&o);
    if (st != MUSC_OK)
        return st;
    if (summary)
        memset(summary, 0, sizeof *summary);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return musc_error(MUSC_ERR_IO, "%s: not a folder", dir);
    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        return musc_error(MUSC_ERR_IO, "%s: cannot create folder: %s", out, strerror(errno));
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return musc_error(MUSC_ERR_IO, "%s: not a folder", out);

    static const char *const outputs[] = {"catalogue.sqlite", "failures.tsv", "train.shard",
                                          "valid.shard", "test.shard"};
    char *paths[5] = {0};
    for (int i = 0; i < 5; i++)
        if (!(paths[i] = musc_path_join(out, outputs[i]))) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            goto done_paths;
        }
    if (!o.overwrite)
        for (int i = 0; i < 5; i++)
            if (access(paths[i], F_OK) == 0) {
                st = musc_error(MUSC_ERR_EXISTS, "%s exists (overwrite to replace the dataset)",
                                paths[i]);
                goto done_paths;
            }

    struct {
        char **items;
        size_t n;
    } list = {0};
    st = musc_scan_files(dir, "", NULL, &list.items, &list.n);
    if (st != MUSC_OK)
        goto done_list;
    dataset_piece *pieces = calloc(list.n ? list.n : 1, sizeof *pieces);
    if (!pieces) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done_list;
    }
    for (size_t i = 0; i < list.n; i++) {
        pieces[i].path = list.items[i];
        pieces[i].format = musc_format_name(musc_format_from_path(list.items[i]));
        list.items[i] = NULL;
    }
    convert_all(dir, &o, pieces, list.n);
    size_t n = list.n;
    st = flatten(&pieces, &n);

    if (st == MUSC_OK)
        st = mark_duplicates(pieces, n);
    int64_t id = 0;
    for (size_t i = 0; st == MUSC_OK && i < n; i++) {
        dataset_piece *p = &pieces[i];
        if (p->error || p->dup_of != SIZE_MAX)
            continue;
        p->id = ++id;
        p->split = p->given_split ? p->given_split - 1 : split_of(p->hash, o.split);
    }

    char *tmp = NULL;
    if (st == MUSC_OK) {
        tmp = musc_path_join(out, ".catalogue.sqlite.tmp");
        if (!tmp)
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
    }
    if (st == MUSC_OK) {
        unlink(tmp);
        st = musc_catalogue_write(tmp, pieces, n, &o);
    }
    for (int s = 0; st == MUSC_OK && s < MUSC_N_SPLITS; s++) {
        shard_piece_in *in = malloc((n ? n : 1) * sizeof *in);
        if (!in) {
            st = musc_error(MUSC_ERR_NOMEM, "out of memory");
            break;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            dataset_piece *p = &pieces[i];
            if (p->id && p->selected && p->split == s)
                in[k++] = (shard_piece_in){p->rows, p->n_rows, p->hash, p->id};
        }
        musc_shard_info info;
        memset(&info, 0, sizeof info);
        musc_shard_config_of(&o, fields_of(&o), &info);
        info.split = s;
        st = musc_shard_write(paths[2 + s], &info, in, k, o.overwrite);
        free(in);
    }
    if (st == MUSC_OK)
        st = write_failures(paths[1], pieces, n, o.overwrite);
    if (st == MUSC_OK && rename(tmp, paths[0]) != 0)
        st = musc_error(MUSC_ERR_IO, "%s: cannot rename into place: %s", paths[0],
                        strerror(errno));
    if (tmp && st != MUSC_OK)
        unlink(tmp);
    free(tmp);

    if (summary && st == MUSC_OK) {
        summary->n_files = list.n;
        for (size_t i = 0; i < n; i++) {
            const dataset_piece *p = &pieces[i];
            if (p->error)
                summary->n_failed++;
            else if (p->dup_of != SIZE_MAX)
                summary->n_duplicates++;
            else {
                summary->n_pieces++;
                if (p->selected) {
                    summary->n_selected++;
                    summary->pieces[p->split]++;
                    summary->rows[p->split] += p->n_rows;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        free_piece(&pieces[i]);
    free(pieces);
done_list:
    for (size_t i = 0; i < list.n; i++)
        free(list.items[i]);
    free(list.items);
done_paths:
    for (int i = 0; i < 5; i++)
        free(paths[i]);
    return st;
}
