/*
 * The SQLite catalogue: one row per piece, written once by the build, and
 * read by queries and stats. The user's WHERE clause is SQL by design, so
 * it is compiled as a single statement under an authorizer that allows
 * reading only, and the catalogue is opened read-only for queries.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "dataset_internal.h"
#include "musc/musc.h"

static const char schema[] =
    "CREATE TABLE pieces(id INTEGER PRIMARY KEY, path TEXT NOT NULL, hash TEXT NOT NULL,"
    " format TEXT, title TEXT, split TEXT NOT NULL, in_shards INTEGER NOT NULL,"
    " resolution INTEGER, beats REAL, seconds REAL, n_tracks INTEGER, instruments TEXT,"
    " programs TEXT, has_drums INTEGER, tempo REAL, key TEXT, meter TEXT, n_notes INTEGER,"
    " pitch_min INTEGER, pitch_max INTEGER, n_rows INTEGER, polyphony REAL,"
    " pitch_class_entropy REAL, scale_consistency REAL, groove_consistency REAL,"
    " empty_beat_rate REAL);"
    "CREATE TABLE duplicates(path TEXT NOT NULL, hash TEXT NOT NULL, duplicate_of TEXT NOT NULL);"
    "CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT);";

static musc_status db_error(sqlite3 *db, const char *what)
{
    return musc_error(MUSC_ERR_IO, "catalogue: %s: %s", what, db ? sqlite3_errmsg(db) : "?");
}

/* Allow what a SELECT ... WHERE needs and nothing else. */
static int read_only_authorizer(void *user, int action, const char *a, const char *b,
                                const char *c, const char *d)
{
    (void)user, (void)a, (void)b, (void)c, (void)d;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    default:
        return SQLITE_DENY;
    }
}

/* Compile "SELECT <cols> FROM pieces WHERE (<where>) ORDER BY id" as one
 * read-only statement. */
static musc_status prepare_where(sqlite3 *db, const char *cols, const char *extra,
                                 const char *where, sqlite3_stmt **stmt)
{
    *stmt = NULL;
    int has_where = where && *where;
    size_t n = strlen(cols) + strlen(extra) + (has_where ? strlen(where) : 0) + 96;
    char *sql = malloc(n);
    if (!sql)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    snprintf(sql, n, "SELECT %s FROM pieces WHERE %s(%s\n) ORDER BY id", cols, extra,
             has_where ? where : "1");
    sqlite3_set_authorizer(db, read_only_authorizer, NULL);
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, stmt, &tail);
    sqlite3_set_authorizer(db, NULL, NULL);
    musc_status st = MUSC_OK;
    if (rc != SQLITE_OK)
        st = musc_error(MUSC_ERR_ARG, "where clause \"%s\": %s", has_where ? where : "",
                        sqlite3_errmsg(db));
    else if (tail && tail[strspn(tail, " \t\r\n;")] != '\0')
        st = musc_error(MUSC_ERR_ARG, "where clause \"%s\": one condition expected, not several statements",
                        where);
    if (st != MUSC_OK) {
        sqlite3_finalize(*stmt);
        *stmt = NULL;
    }
    free(sql);
    return st;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

musc_status musc_catalogue_write(const char *path, dataset_piece *pieces, size_t n,
                                 const musc_dataset_options *o)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *dup = NULL, *info = NULL, *sel = NULL;
    musc_status st = MUSC_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = db_error(db, path);
        goto done;
    }
    if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        st = db_error(db, "creating tables");
        goto done;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO pieces VALUES(?,?,?,?,?,?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO duplicates VALUES(?,?,?)", -1, &dup, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO info VALUES(?,?)", -1, &info, NULL) != SQLITE_OK) {
        st = db_error(db, "preparing");
        goto done;
    }
    char ratios[64];
    snprintf(ratios, sizeof ratios, "%u:%u:%u", o->split[0], o->split[1], o->split[2]);
    const char *kv[][2] = {{"musc_version", musc_version()},
                           {"repr", musc_dataset_repr_name(o->repr)},
                           {"split", ratios},
                           {"where", o->where ? o->where : ""}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
        bind_text(info, 1, kv[i][0]);
        bind_text(info, 2, kv[i][1]);
        if (sqlite3_step(info) != SQLITE_DONE) {
            st = db_error(db, "writing info");
            goto done;
        }
        sqlite3_reset(info);
    }
    for (size_t i = 0; i < n; i++) {
        dataset_piece *p = &pieces[i];
        if (p->error)
            continue;
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIx64, p->hash);
        if (p->dup_of != SIZE_MAX) {
            bind_text(dup, 1, p->path);
            bind_text(dup, 2, hex);
            bind_text(dup, 3, pieces[p->dup_of].path);
            if (sqlite3_step(dup) != SQLITE_DONE) {
                st = db_error(db, "writing duplicates");
                goto done;
            }
            sqlite3_reset(dup);
            continue;
        }
        int k = 1;
        sqlite3_bind_int64(ins, k++, p->id);
        bind_text(ins, k++, p->path);
        bind_text(ins, k++, hex);
        bind_text(ins, k++, p->format);
        bind_text(ins, k++, p->title);
        bind_text(ins, k++, musc_split_name(p->split));
        sqlite3_bind_int(ins, k++, p->resolution);
        sqlite3_bind_double(ins, k++, p->beats);
        sqlite3_bind_double(ins, k++, p->seconds);
        sqlite3_bind_int(ins, k++, p->n_tracks);
        bind_text(ins, k++, p->instruments);
        bind_text(ins, k++, p->programs);
        sqlite3_bind_int(ins, k++, p->has_drums);
        sqlite3_bind_double(ins, k++, p->tempo);
        bind_text(ins, k++, p->key);
        bind_text(ins, k++, p->meter);
        sqlite3_bind_int64(ins, k++, (sqlite3_int64)p->n_notes);
        sqlite3_bind_int(ins, k++, p->pitch_min);
        sqlite3_bind_int(ins, k++, p->pitch_max);
        sqlite3_bind_int64(ins, k++, (sqlite3_int64)p->n_rows);
        const double metric[] = {p->polyphony, p->pitch_class_entropy, p->scale_consistency,
                                 p->groove_consistency, p->empty_beat_rate};
        for (size_t q = 0; q < sizeof metric / sizeof *metric; q++, k++) {
            if (isnan(metric[q]))
                sqlite3_bind_null(ins, k); /* MusPy's NaN (no notes) */
            else
                sqlite3_bind_double(ins, k, metric[q]);
        }
        if (sqlite3_step(ins) != SQLITE_DONE) {
            st = db_error(db, "writing pieces");
            goto done;
        }
        sqlite3_reset(ins);
        p->selected = 1;
    }
    if (o->where && *o->where) {
        st = prepare_where(db, "id", "", o->where, &sel);
        if (st != MUSC_OK)
            goto done;
        for (size_t i = 0; i < n; i++)
            pieces[i].selected = 0;
        /* ids grow with the path index, so one merge pass maps them back */
        size_t i = 0;
        int rc;
        while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(sel, 0);
            while (i < n && pieces[i].id != id)
                i++;
            if (i < n)
                pieces[i].selected = 1;
        }
        if (rc != SQLITE_DONE) {
            st = musc_error(MUSC_ERR_ARG, "where clause \"%s\": %s", o->where, sqlite3_errmsg(db));
            goto done;
        }
        if (sqlite3_exec(db, "UPDATE pieces SET in_shards = 0", NULL, NULL, NULL) != SQLITE_OK) {
            st = db_error(db, "selecting");
            goto done;
        }
        sqlite3_stmt *up = NULL;
        if (sqlite3_prepare_v2(db, "UPDATE pieces SET in_shards = 1 WHERE id = ?", -1, &up,
                               NULL) != SQLITE_OK) {
            st = db_error(db, "selecting");
            goto done;
        }
        for (size_t j = 0; j < n; j++)
            if (pieces[j].id && pieces[j].selected) {
                sqlite3_bind_int64(up, 1, pieces[j].id);
                if (sqlite3_step(up) != SQLITE_DONE) {
                    st = db_error(db, "selecting");
                    break;
                }
                sqlite3_reset(up);
            }
        sqlite3_finalize(up);
        if (st != MUSC_OK)
            goto done;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        st = db_error(db, "commit");
done:
    sqlite3_finalize(ins);
    sqlite3_finalize(dup);
    sqlite3_finalize(info);
    sqlite3_finalize(sel);
    if (sqlite3_close(db) != SQLITE_OK && st == MUSC_OK)
        st = db_error(db, "closing");
    return st;
}

static musc_status open_catalogue(const char *out, sqlite3 **db)
{
    *db = NULL;
    size_t n = strlen(out) + 32;
    char *path = malloc(n);
    if (!path)
        return musc_error(MUSC_ERR_NOMEM, "out of memory");
    snprintf(path, n, "%s/catalogue.sqlite", out);
    musc_status st = MUSC_OK;
    if (access(path, R_OK) != 0)
        st = musc_error(MUSC_ERR_NOTFOUND, "%s: no catalogue (not a musc dataset folder?)", path);
    else if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        st = musc_error(MUSC_ERR_IO, "%s: %s", path, sqlite3_errmsg(*db));
    else if (sqlite3_exec(*db, "SELECT id, in_shards, split FROM pieces LIMIT 0", NULL, NULL,
                          NULL) != SQLITE_OK)
        st = musc_error(MUSC_ERR_FORMAT, "%s: not a musc catalogue: %s", path,
                        sqlite3_errmsg(*db));
    if (st != MUSC_OK && *db) {
        sqlite3_close(*db);
        *db = NULL;
    }
    free(path);
    return st;
}

musc_status musc_dataset_query(const char *out, const char *where, musc_row_fn fn, void *user)
{
    sqlite3 *db;
    musc_status st = open_catalogue(out, &db);
    if (st != MUSC_OK)
        return st;
    sqlite3_stmt *q;
    st = prepare_where(db, "*", "", where, &q);
    if (st != MUSC_OK) {
        sqlite3_close(db);
        return st;
    }
    int nc = sqlite3_column_count(q);
    const char **names = calloc((size_t)nc + 1, sizeof *names);
    const char **vals = calloc((size_t)nc + 1, sizeof *vals);
    if (!names || !vals)
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
    for (int i = 0; st == MUSC_OK && i < nc; i++)
        names[i] = sqlite3_column_name(q, i);
    int rc = SQLITE_DONE;
    while (st == MUSC_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; i < nc; i++)
            vals[i] = (const char *)sqlite3_column_text(q, i);
        if (fn(user, nc, names, vals))
            break;
    }
    if (st == MUSC_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = musc_error(MUSC_ERR_ARG, "where clause \"%s\": %s", where ? where : "",
                        sqlite3_errmsg(db));
    free(names);
    free(vals);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return st;
}

/* ---- stats -------------------------------------------------------------- */

typedef struct hist {
    char **names;
    size_t *counts;
    size_t n, cap;
} hist;

static int hist_add(hist *h, const char *name, size_t len)
{
    for (size_t i = 0; i < h->n; i++)
        if (strlen(h->names[i]) == len && !memcmp(h->names[i], name, len)) {
            h->counts[i]++;
            return 0;
        }
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 16;
        char **a = realloc(h->names, nc * sizeof *a);
        if (!a)
            return -1;
        h->names = a;
        size_t *b = realloc(h->counts, nc * sizeof *b);
        if (!b)
            return -1;
        h->counts = b;
        h->cap = nc;
    }
    char *s = malloc(len + 1);
    if (!s)
        return -1;
    memcpy(s, name, len);
    s[len] = '\0';
    h->names[h->n] = s;
    h->counts[h->n++] = 1;
    return 0;
}

void musc_dataset_stats_clear(musc_dataset_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_instruments; i++)
        free(s->names[i]);
    free(s->names);
    free(s->counts);
    memset(s, 0, sizeof *s);
}

static int count_of(sqlite3 *db, const char *sql, size_t *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return -1;
    int ok = sqlite3_step(q) == SQLITE_ROW;
    if (ok)
        *out = (size_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return ok ? 0 : -1;
}

musc_status musc_dataset_stats_read(const char *out, musc_dataset_stats *s)
{
    memset(s, 0, sizeof *s);
    sqlite3 *db;
    musc_status st = open_catalogue(out, &db);
    if (st != MUSC_OK)
        return st;
    sqlite3_stmt *q = NULL;
    hist h = {0};
    if (sqlite3_prepare_v2(db,
                           "SELECT split, seconds, n_notes, instruments FROM pieces"
                           " WHERE in_shards ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: not a musc catalogue: %s", out, sqlite3_errmsg(db));
        goto done;
    }
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *split = (const char *)sqlite3_column_text(q, 0);
        int k = 0;
        while (k < MUSC_N_SPLITS && (!split || strcmp(split, musc_split_name(k))))
            k++;
        if (k == MUSC_N_SPLITS)
            continue;
        s->pieces[k]++;
        s->seconds[k] += sqlite3_column_double(q, 1);
        s->notes[k] += (uint64_t)sqlite3_column_int64(q, 2);
        const char *inst = (const char *)sqlite3_column_text(q, 3);
        while (inst && *inst) {
            size_t len = strcspn(inst, ",");
            if (len && hist_add(&h, inst, len) != 0) {
                st = musc_error(MUSC_ERR_NOMEM, "out of memory");
                goto done;
            }
            inst += len + (inst[len] == ',');
        }
    }
    if (rc != SQLITE_DONE) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: reading the catalogue: %s", out, sqlite3_errmsg(db));
        goto done;
    }
    if (count_of(db, "SELECT count(*) FROM duplicates", &s->n_duplicates) != 0 ||
        count_of(db, "SELECT count(*) FROM pieces WHERE NOT in_shards", &s->n_left_out) != 0) {
        st = musc_error(MUSC_ERR_FORMAT, "%s: not a musc catalogue: %s", out, sqlite3_errmsg(db));
        goto done;
    }
    /* histogram: most frequent first, ties by name (insertion sort: few names) */
    for (size_t i = 1; i < h.n; i++)
        for (size_t j = i; j > 0; j--) {
            size_t a = j - 1;
            int before = h.counts[j] > h.counts[a] ||
                         (h.counts[j] == h.counts[a] && strcmp(h.names[j], h.names[a]) < 0);
            if (!before)
                break;
            char *tn = h.names[a];
            h.names[a] = h.names[j];
            h.names[j] = tn;
            size_t tc = h.counts[a];
            h.counts[a] = h.counts[j];
            h.counts[j] = tc;
        }
    s->names = h.names;
    s->counts = h.counts;
    s->n_instruments = h.n;
    h.names = NULL;
    h.counts = NULL;

    /* failures: lines of failures.tsv after its header */
    size_t n = strlen(out) + 32;
    char *path = malloc(n);
    if (!path) {
        st = musc_error(MUSC_ERR_NOMEM, "out of memory");
        goto done;
    }
    snprintf(path, n, "%s/failures.tsv", out);
    FILE *f = fopen(path, "rb");
    if (f) {
        int c, lines = 0;
        while ((c = fgetc(f)) != EOF)
            lines += c == '\n';
        fclose(f);
        s->n_failed = lines > 0 ? (size_t)lines - 1 : 0;
    }
    for (int k = 0; st == MUSC_OK && k < MUSC_N_SPLITS; k++) {
        snprintf(path, n, "%s/%s.shard", out, musc_split_name(k));
        musc_shard *sh;
        st = musc_shard_open(path, &sh);
        if (st != MUSC_OK)
            break;
        const musc_shard_info *in = musc_shard_get_info(sh);
        s->repr = in->repr;
        s->rows[k] = in->n_rows;
        s->codes[k] = in->n_rows * (uint64_t)in->fields;
        musc_shard_close(sh);
    }
    free(path);
done:
    for (size_t i = 0; i < h.n && h.names; i++)
        free(h.names[i]);
    free(h.names);
    free(h.counts);
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (st != MUSC_OK)
        musc_dataset_stats_clear(s);
    return st;
}
