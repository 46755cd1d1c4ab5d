/*
 * Piano-roll lists (the JSB chorales' JSON layout) into musics.
 *
 * The file is parsed once with the JSON pull parser into flat arrays (every
 * step's entries one after another, with offsets), since whether steps are
 * voices or chords is decided from the whole file; each piece then becomes
 * a music by merging held steps into notes. The rules are in rolls.h.
 */
#include "musc/rolls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/grow.h"
#include "json_gzip.h"
#include "json_lex.h"
#include "rolls_internal.h"
#include "musc/abc.h"
#include "musc/json.h"

#define MAX_STEPS ((size_t)1 << 24)
#define MAX_ENTRIES 1024
#define MAX_PIECES ((size_t)1 << 20)

typedef struct rpiece {
    int split;
    size_t index_in_split;
    size_t first_step, n_steps;
} rpiece;

typedef struct rbook {
    json_lex lx;
    char where[96]; /* "train[3][17][2]" for messages */
    rpiece *pieces;
    size_t n_pieces, cap_pieces;
    size_t *step_start; /* entries of step s: values[step_start[s] .. step_start[s+1]) */
    size_t n_steps, cap_steps;
    int16_t *values;
    size_t n_values, cap_values;
    int has_silent; /* some entry is -1 */
    size_t step_len; /* common length of every step, or SIZE_MAX when they differ */
} rbook;

static musc_status nomem(void) { return musc_error(MUSC_ERR_NOMEM, "out of memory"); }

static int split_of_key(const char *key)
{
    return !strcmp(key, "train")   ? MUSC_ROLLS_TRAIN
           : !strcmp(key, "valid") ? MUSC_ROLLS_VALID
           : !strcmp(key, "test")  ? MUSC_ROLLS_TEST
                                   : MUSC_ROLLS_NO_SPLIT;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

int musc_rolls_detect(const uint8_t *data, size_t size)
{
    if (!data)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    if (size >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    p = skip_space(p, end);
    if (p < end && *p == '[') {
        p = skip_space(p + 1, end);
        if (p >= end || *p != '[')
            return 0;
        p = skip_space(p + 1, end);
        return p < end && *p == '[';
    }
    if (p >= end || *p != '{')
        return 0;
    p = skip_space(p + 1, end);
    static const char *const keys[] = {"\"train\"", "\"valid\"", "\"test\""};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(keys[i]);
        if ((size_t)(end - p) >= n && !memcmp(p, keys[i], n)) {
            const char *q = skip_space(p + n, end);
            if (q < end && *q == ':') {
                q = skip_space(q + 1, end);
                return q < end && *q == '[';
            }
        }
    }
    return 0;
}

static musc_status bad(const rbook *b, const char *what)
{
    return musc_error(MUSC_ERR_FORMAT, "piano-roll lists: %s: %s", b->where, what);
}

static musc_status read_step(rbook *b, size_t plen)
{
    musc_status rc = json_lex_open(&b->lx, '[');
    if (rc) {
        if (rc == MUSC_ERR_FORMAT && json_lex_peek(&b->lx) != 0)
            return bad(b, "expected a list of pitches (a time step)");
        return rc;
    }
    if (b->n_steps >= MAX_STEPS)
        return bad(b, "more than 2^24 time steps");
    if (MUSC_GROW(b->step_start, b->cap_steps, b->n_steps + 2))
        return nomem();
    b->step_start[b->n_steps] = b->n_values;
    int more;
    size_t k = 0;
    for (;; k++) {
        if ((rc = json_lex_item(&b->lx, k, &more)) || !more)
            break;
        snprintf(b->where + plen, sizeof b->where - plen, "[%zu]", k);
        if (k >= MAX_ENTRIES)
            return bad(b, "more than 1024 entries in one time step");
        jl_value v;
        if ((rc = json_lex_value(&b->lx, &v)))
            return rc;
        int64_t pitch;
        int ok = 1;
        if (v.type == JT_INT)
            pitch = v.i;
        else if (v.type == JT_REAL && v.d >= -1 && v.d <= 127 && v.d == (double)(int64_t)v.d)
            pitch = (int64_t)v.d;
        else
            ok = 0, pitch = 0;
        jl_value_clear(&v);
        if (!ok || pitch < -1 || pitch > 127)
            return bad(b, "expected a MIDI pitch 0..127 (or -1 for a silent voice)");
        if (pitch == -1)
            b->has_silent = 1;
        if (MUSC_GROW(b->values, b->cap_values, b->n_values + 1))
            return nomem();
        b->values[b->n_values++] = (int16_t)pitch;
    }
    if (rc)
        return rc;
    b->lx.depth--;
    if (b->n_steps == 0)
        b->step_len = k;
    else if (b->step_len != k)
        b->step_len = SIZE_MAX;
    b->n_steps++;
    b->step_start[b->n_steps] = b->n_values;
    return MUSC_OK;
}

static musc_status read_piece(rbook *b, int split, size_t index_in_split)
{
    size_t plen = strlen(b->where);
    musc_status rc = json_lex_open(&b->lx, '[');
    if (rc) {
        if (rc == MUSC_ERR_FORMAT && json_lex_peek(&b->lx) != 0)
            return bad(b, "expected a list of time steps (a piece)");
        return rc;
    }
    if (b->n_pieces >= MAX_PIECES)
        return bad(b, "more than 2^20 pieces");
    if (MUSC_GROW(b->pieces, b->cap_pieces, b->n_pieces + 1))
        return nomem();
    rpiece *p = &b->pieces[b->n_pieces++];
    *p = (rpiece){split, index_in_split, b->n_steps, 0};
    int more;
    for (size_t s = 0;; s++) {
        if ((rc = json_lex_item(&b->lx, s, &more)) || !more)
            break;
        snprintf(b->where + plen, sizeof b->where - plen, "[%zu]", s);
        if ((rc = read_step(b, strlen(b->where))))
            return rc;
        b->pieces[b->n_pieces - 1].n_steps++;
    }
    if (rc)
        return rc;
    b->lx.depth--;
    b->where[plen] = '\0';
    return MUSC_OK;
}

static musc_status read_piece_list(rbook *b, int split)
{
    size_t plen = strlen(b->where);
    musc_status rc = json_lex_open(&b->lx, '[');
    if (rc) {
        if (rc == MUSC_ERR_FORMAT && json_lex_peek(&b->lx) != 0)
            return bad(b, "expected a list of pieces");
        return rc;
    }
    int more;
    for (size_t i = 0;; i++) {
        if ((rc = json_lex_item(&b->lx, i, &more)) || !more)
            break;
        snprintf(b->where + plen, sizeof b->where - plen, "[%zu]", i);
        if ((rc = read_piece(b, split, i)))
            return rc;
    }
    if (rc)
        return rc;
    b->lx.depth--;
    b->where[plen] = '\0';
    return MUSC_OK;
}

static musc_status parse_book(rbook *b, const uint8_t *data, size_t size)
{
    json_lex_init(&b->lx, data ? (const char *)data : "", size);
    b->step_len = SIZE_MAX;
    b->where[0] = '\0';
    musc_status rc;
    int c = json_lex_peek(&b->lx);
    if (c == '[') {
        snprintf(b->where, sizeof b->where, "pieces");
        rc = read_piece_list(b, MUSC_ROLLS_NO_SPLIT);
    } else if (c == '{') {
        rc = json_lex_open(&b->lx, '{');
        int more;
        char key[32];
        for (size_t k = 0; !rc; k++) {
            if ((rc = json_lex_member(&b->lx, k, key, sizeof key, &more)) || !more)
                break;
            snprintf(b->where, sizeof b->where, "%s", *key ? key : "(a long key)");
            rc = read_piece_list(b, split_of_key(key));
        }
        if (!rc)
            b->lx.depth--;
    } else {
        return musc_error(MUSC_ERR_FORMAT, "piano-roll lists: expected an object of splits "
                                           "({\"train\": [...], ...}) or a list of pieces");
    }
    if (!rc)
        rc = json_lex_finish(&b->lx);
    return rc;
}

static void book_free(rbook *b)
{
    json_lex_free(&b->lx);
    free(b->pieces);
    free(b->step_start);
    free(b->values);
}

static int grid_of(const musc_read_options *o)
{
    return o ? (o->flags >> 8) & 0xff : 0;
}

static int voices_mode(const rbook *b, const musc_read_options *o)
{
    int flags = o ? o->flags : 0;
    if (flags & MUSC_ROLLS_VOICES)
        return 1;
    if (flags & MUSC_ROLLS_CHORDS)
        return 0;
    return b->has_silent && b->step_len != SIZE_MAX && b->step_len >= 2;
}

static musc_status build_piece(const rbook *b, size_t index, int voices, int grid,
                               musc_music **out)
{
    static const char *const split_names[] = {"train", "valid", "test"};
    static const char *const satb[] = {"Soprano", "Alto", "Tenor", "Bass"};
    const rpiece *p = &b->pieces[index];
    musc_music *m = musc_music_new(grid);
    if (!m)
        return nomem();
    char title[64];
    snprintf(title, sizeof title, "%s %zu",
             p->split >= 0 ? split_names[p->split] : "piece", p->index_in_split + 1);
    musc_status st = musc_set_string(&m->metadata.title, title);
    if (!st)
        st = musc_set_string(&m->metadata.source_format, "rolls");
    /* the widest step decides how many voices; a step of another length
     * in voice mode is an error */
    size_t n_voices = 0;
    for (size_t s = p->first_step; s < p->first_step + p->n_steps; s++) {
        size_t len = b->step_start[s + 1] - b->step_start[s];
        if (len > n_voices)
            n_voices = len;
    }
    size_t n_tracks = voices ? n_voices : 1;
    for (size_t t = 0; !st && t < n_tracks; t++) {
        const char *name = voices && n_voices == 4 ? satb[t] : NULL;
        if (!musc_music_add_track(m, 0, 0, name))
            st = nomem();
    }
    if (!st && voices) {
        int cur[MAX_ENTRIES];
        int64_t since[MAX_ENTRIES];
        for (size_t v = 0; v < n_voices; v++)
            cur[v] = -1, since[v] = 0;
        for (size_t s = 0; !st && s <= p->n_steps; s++) {
            size_t at = p->first_step + s;
            size_t len = s < p->n_steps ? b->step_start[at + 1] - b->step_start[at] : n_voices;
            if (len != n_voices) {
                st = musc_error(MUSC_ERR_FORMAT,
                                "piano-roll lists: %s piece %zu, step %zu: %zu entries where the "
                                "other steps have %zu voices",
                                p->split >= 0 ? split_names[p->split] : "list", p->index_in_split,
                                s, len, n_voices);
                break;
            }
            for (size_t v = 0; !st && v < n_voices; v++) {
                int pitch = s < p->n_steps ? b->values[b->step_start[at] + v] : -1;
                if (pitch == cur[v])
                    continue;
                if (cur[v] >= 0)
                    st = musc_track_add_note(&m->tracks[v], since[v], (int64_t)s - since[v],
                                             cur[v], MUSC_DEFAULT_VELOCITY);
                cur[v] = pitch;
                since[v] = (int64_t)s;
            }
        }
    } else if (!st) {
        int64_t since[128];
        unsigned char on[128] = {0}, now[128];
        for (size_t s = 0; !st && s <= p->n_steps; s++) {
            size_t at = p->first_step + s;
            memset(now, 0, sizeof now);
            if (s < p->n_steps)
                for (size_t k = b->step_start[at]; k < b->step_start[at + 1]; k++)
                    if (b->values[k] >= 0)
                        now[b->values[k]] = 1;
            for (int q = 0; !st && q < 128; q++) {
                if (on[q] && !now[q])
                    st = musc_track_add_note(&m->tracks[0], since[q], (int64_t)s - since[q], q,
                                             MUSC_DEFAULT_VELOCITY);
                else if (!on[q] && now[q])
                    since[q] = (int64_t)s;
                on[q] = now[q];
            }
        }
    }
    if (st) {
        musc_music_free(m);
        return st;
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}

static musc_status read_book(const uint8_t *data, size_t size, const musc_read_options *options,
                             int default_grid, int only, musc_music ***pieces, int **splits,
                             size_t *n, musc_report *report)
{
    (void)report; /* the layout has nothing to repair */
    *pieces = NULL;
    if (splits)
        *splits = NULL;
    *n = 0;
    uint8_t *plain = NULL;
    musc_status rc;
    if (musc_gzip_detect(data, size)) {
        size_t plain_size;
        if ((rc = musc_gzip_decompress(data, size, MUSC_JSON_MAX_SIZE, &plain, &plain_size)))
            return rc;
        data = plain;
        size = plain_size;
    }
    rbook b;
    memset(&b, 0, sizeof b);
    rc = parse_book(&b, data, size);
    int grid = grid_of(options) ? grid_of(options) : default_grid ? default_grid : 1;
    int voices = voices_mode(&b, options);
    size_t first = 0, count = b.n_pieces;
    if (!rc && only >= 0) {
        if ((size_t)only >= b.n_pieces)
            rc = musc_error(MUSC_ERR_NOTFOUND, "piano-roll lists: no piece %d (the file has %zu)",
                            only, b.n_pieces);
        first = (size_t)only;
        count = 1;
    }
    musc_music **list = NULL;
    int *sp = NULL;
    if (!rc && (!(list = calloc(count ? count : 1, sizeof *list)) ||
                !(sp = malloc((count ? count : 1) * sizeof *sp))))
        rc = nomem();
    size_t made = 0;
    for (; !rc && made < count; made++) {
        sp[made] = b.pieces[first + made].split;
        rc = build_piece(&b, first + made, voices, grid, &list[made]);
    }
    book_free(&b);
    free(plain);
    if (rc) {
        if (list)
            musc_music_list_free(list, made);
        free(sp);
        return rc;
    }
    *pieces = list;
    *n = count;
    if (splits)
        *splits = sp;
    else
        free(sp);
    return MUSC_OK;
}

musc_status musc_rolls_read_book_mem(const uint8_t *data, size_t size,
                                     const musc_read_options *options, musc_music ***pieces,
                                     int **splits, size_t *n, musc_report *report)
{
    return read_book(data, size, options, 0, -1, pieces, splits, n, report);
}

musc_status musc_rolls_read_mem(const uint8_t *data, size_t size, const musc_read_options *options,
                                musc_music **out, musc_report *report)
{
    *out = NULL;
    musc_music **list;
    size_t n;
    int index = options && options->index > 0 ? options->index : 0;
    musc_status rc = read_book(data, size, options, 0, index, &list, NULL, &n, report);
    if (rc)
        return rc;
    *out = list[0];
    free(list);
    return MUSC_OK;
}

int musc_rolls_grid_of_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strcasestr(base, "16th"))
        return 4;
    if (strcasestr(base, "8th"))
        return 2;
    if (strcasestr(base, "quarter"))
        return 1;
    return 0;
}

static musc_status read_path(const char *path, const musc_read_options *options, int only,
                             musc_music ***pieces, int **splits, size_t *n, musc_report *report)
{
    uint8_t *data;
    size_t size;
    musc_status rc = musc_file_read_all(path, 0, &data, &size);
    if (rc)
        return rc;
    rc = read_book(data, size, options, musc_rolls_grid_of_name(path), only, pieces, splits, n, report);
    free(data);
    if (rc) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        return musc_error(rc, "%s: %s", path, msg);
    }
    const char *base = strrchr(path, '/');
    for (size_t i = 0; i < *n; i++)
        if (musc_set_string(&(*pieces)[i]->metadata.source_filename, base ? base + 1 : path)) {
            musc_music_list_free(*pieces, *n);
            if (splits) {
                free(*splits);
                *splits = NULL;
            }
            *pieces = NULL;
            *n = 0;
            return nomem();
        }
    return MUSC_OK;
}

musc_status musc_rolls_read_book(const char *path, const musc_read_options *options,
                                 musc_music ***pieces, int **splits, size_t *n,
                                 musc_report *report)
{
    return read_path(path, options, -1, pieces, splits, n, report);
}

musc_status musc_rolls_read(const char *path, const musc_read_options *options, musc_music **out,
                            musc_report *report)
{
    *out = NULL;
    musc_music **list;
    size_t n;
    int index = options && options->index > 0 ? options->index : 0;
    musc_status rc = read_path(path, options, index, &list, NULL, &n, report);
    if (rc)
        return rc;
    *out = list[0];
    free(list);
    return MUSC_OK;
}
