/* Datasets: building from a folder the test writes (formats, a duplicate, a
 * corrupt file, an empty piece), determinism across thread counts, split
 * ratios, shards and their checksums, the catalogue and its queries, stats,
 * and the training loader's windows and augmentation bounds. */
#include "test_support.h"
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[512]; /* the input folder */

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A piece whose notes depend on `seed`: n notes on one or two tracks. */
static musc_music *piece(unsigned seed, int n, int low, int high)
{
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, "piano");
    uint64_t s = seed * 2654435761u + 1;
    for (int i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        int pitch = low + (int)((s >> 33) % (unsigned)(high - low + 1));
        assert_int_equal(musc_track_add_note(t, 12 * i, 12 + 6 * (i % 3), pitch, 80), MUSC_OK);
    }
    if (seed % 2) {
        t = musc_music_add_track(m, 40, 0, "violin");
        musc_track_add_note(t, 0, 48, 72, 90);
    }
    musc_music_add_tempo(m, 0, 100 + seed % 40);
    musc_set_string(&m->metadata.title, "a title");
    return m;
}

/* MIDI writing lands on another branch; until then .mid fixtures come from
 * this small format-1 writer (one track per music track, channel = index,
 * drums on 9, tempo in the first track). */
typedef struct smf_ev {
    int64_t time;
    int order; /* note-offs before note-ons at one time */
    uint8_t b[3];
} smf_ev;

static int cmp_ev(const void *a, const void *b)
{
    const smf_ev *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->order - y->order;
}

static size_t put_vlq(uint8_t *p, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = v & 0x7f;
        v >>= 7;
    } while (v);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0);
    return n;
}

static void write_smf(const musc_music *m, const char *path)
{
    size_t cap = 64;
    for (size_t i = 0; i < m->n_tracks; i++)
        cap += 64 + 16 * m->tracks[i].n_notes;
    uint8_t *buf = malloc(cap), *p = buf;
    memcpy(p, "MThd\0\0\0\6\0\1", 10);
    p += 10;
    *p++ = 0;
    *p++ = (uint8_t)m->n_tracks;
    *p++ = (uint8_t)(m->resolution >> 8);
    *p++ = (uint8_t)m->resolution;
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        int ch = t->is_drum ? 9 : (int)i;
        smf_ev *ev = malloc((2 * t->n_notes + 1) * sizeof *ev);
        size_t n = 0;
        for (size_t j = 0; j < t->n_notes; j++) {
            const musc_note *nt = &t->notes[j];
            ev[n++] = (smf_ev){nt->time, 1, {(uint8_t)(0x90 | ch), (uint8_t)nt->pitch, (uint8_t)nt->velocity}};
            ev[n++] = (smf_ev){nt->time + nt->duration, 0, {(uint8_t)(0x80 | ch), (uint8_t)nt->pitch, 0}};
        }
        qsort(ev, n, sizeof *ev, cmp_ev);
        memcpy(p, "MTrk", 4);
        uint8_t *len = p + 4, *start = p + 8;
        p = start;
        if (i == 0 && m->n_tempos) {
            uint32_t us = (uint32_t)(60000000.0 / m->tempos[0].qpm);
            uint8_t tempo[] = {0, 0xff, 0x51, 3, (uint8_t)(us >> 16), (uint8_t)(us >> 8), (uint8_t)us};
            memcpy(p, tempo, sizeof tempo);
            p += sizeof tempo;
        }
        *p++ = 0;
        *p++ = (uint8_t)(0xc0 | ch);
        *p++ = (uint8_t)t->program;
        int64_t now = 0;
        for (size_t j = 0; j < n; j++) {
            p += put_vlq(p, (uint64_t)(ev[j].time - now));
            now = ev[j].time;
            memcpy(p, ev[j].b, 3);
            p += 3;
        }
        memcpy(p, "\0\xff\x2f\0", 4);
        p += 4;
        size_t l = (size_t)(p - start);
        len[0] = (uint8_t)(l >> 24), len[1] = (uint8_t)(l >> 16), len[2] = (uint8_t)(l >> 8),
        len[3] = (uint8_t)l;
        free(ev);
    }
    assert_int_equal(test_write_file(path, buf, (size_t)(p - buf)), 0);
    free(buf);
}

static void save(musc_music *m, const char *rel)
{
    char *p = path_in(root, rel);
    if (musc_format_from_path(p) == MUSC_FORMAT_MIDI) {
        write_smf(m, p);
        free(p);
        musc_music_free(m);
        return;
    }
    musc_write_options wo = musc_write_options_default();
    wo.overwrite = 1;
    if (musc_write(m, p, &wo) != MUSC_OK)
        fail_msg("%s: %s", p, musc_errmsg());
    free(p);
    musc_music_free(m);
}

/* The fixture: 3 named pieces in nested folders, a duplicate of one in
 * another format, a corrupt MIDI file, an empty piece, a text file that is
 * no music, and `extra` generated pieces. */
static void write_folder(const char *name, int extra)
{
    char *d = test_tmp_path(name);
    snprintf(root, sizeof root, "%s", d);
    free(d);
    rm_rf(root);
    char *sub = path_in(root, "sub"), *deep = path_in(root, "sub/deep");
    assert_int_equal(mkdir(root, 0777), 0);
    assert_int_equal(mkdir(sub, 0777), 0);
    assert_int_equal(mkdir(deep, 0777), 0);
    free(sub);
    free(deep);
    save(piece(1, 20, 50, 70), "a.mid");
    save(piece(1, 20, 50, 70), "sub/a-copy.json");
    save(piece(2, 30, 40, 80), "sub/b.json");
    save(piece(3, 12, 60, 125), "sub/deep/c.mid");
    save(musc_music_new(24), "empty.json");
    char *bad = path_in(root, "bad.mid");
    assert_int_equal(test_write_file(bad, "this is not a MIDI file", 23), 0);
    free(bad);
    char *txt = path_in(root, "notes.txt");
    assert_int_equal(test_write_file(txt, "hello", 5), 0);
    free(txt);
    for (int i = 0; i < extra; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "sub/gen%03d.json", i);
        save(piece(100 + (unsigned)i, 8 + i % 7, 36, 96), rel);
    }
}

static char *out_dir(const char *name)
{
    char *p = test_tmp_path(name);
    rm_rf(p);
    return p;
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = test_read_file(a, &na), *y = test_read_file(b, &nb);
    int same = x && y && na == nb && !memcmp(x, y, na);
    free(x);
    free(y);
    return same;
}

static musc_shard *open_split(const char *out, const char *split)
{
    char name[64];
    snprintf(name, sizeof name, "%s.shard", split);
    char *p = path_in(out, name);
    musc_shard *s = NULL;
    musc_status st = musc_shard_open(p, &s);
    if (st != MUSC_OK)
        fail_msg("%s: %s", p, musc_errmsg());
    free(p);
    return s;
}

static void build_finds_formats_drops_duplicates_and_lists_failures(void **state)
{
    (void)state;
    write_folder("ds-basic", 0);
    char *out = out_dir("ds-basic-out");
    musc_dataset_summary s;
    assert_int_equal(musc_dataset_build(root, out, NULL, &s), MUSC_OK);
    assert_int_equal(s.n_files, 6); /* the .txt is not music */
    assert_int_equal(s.n_failed, 2);
    assert_int_equal(s.n_duplicates, 1);
    assert_int_equal(s.n_pieces, 3);
    assert_int_equal(s.n_selected, 3);
    assert_int_equal(s.pieces[0] + s.pieces[1] + s.pieces[2], 3);

    char *fp = path_in(out, "failures.tsv");
    char *f = test_read_file(fp, NULL);
    assert_non_null(f);
    assert_non_null(strstr(f, "path\treason\n"));
    assert_non_null(strstr(f, "bad.mid\t"));
    assert_non_null(strstr(f, "empty.json\tno notes"));
    free(f);
    free(fp);

    /* every shard row equals MMT's encoding of the source */
    musc_dataset_options o = musc_dataset_options_default();
    size_t seen = 0;
    for (int k = 0; k < 3; k++) {
        musc_shard *sh = open_split(out, musc_split_name(k));
        const musc_shard_info *in = musc_shard_get_info(sh);
        assert_int_equal(in->repr, MUSC_DATASET_MMT);
        assert_int_equal(in->fields, 6);
        assert_int_equal(in->split, k);
        assert_int_equal(in->config[0], 1024);
        musc_mmt_options mo;
        assert_int_equal(musc_shard_mmt_options(sh, &mo), MUSC_OK);
        assert_int_equal(mo.max_beat, 1024);
        for (size_t i = 0; i < in->n_pieces; i++, seen++) {
            musc_shard_piece p;
            assert_int_equal(musc_shard_get_piece(sh, i, &p), MUSC_OK);
            assert_true(p.id >= 1 && p.id <= 3);
            const char *src = p.id == 1 ? "a.mid" : p.id == 2 ? "sub/b.json" : "sub/deep/c.mid";
            char *sp = path_in(root, src);
            musc_music *m;
            assert_int_equal(musc_read(sp, NULL, &m, NULL), MUSC_OK);
            int32_t *codes;
            size_t n;
            assert_int_equal(musc_mmt_encode(m, &o.mmt, &codes, &n), MUSC_OK);
            assert_int_equal(p.n_rows, n);
            assert_memory_equal(p.rows, codes, n * 6 * sizeof *codes);
            free(codes);
            musc_music_free(m);
            free(sp);
        }
        assert_int_equal(musc_shard_get_piece(sh, in->n_pieces, &(musc_shard_piece){0}),
                         MUSC_ERR_ARG);
        musc_shard_close(sh);
    }
    assert_int_equal(seen, 3);

    /* the output is refused a second time without overwrite */
    assert_int_equal(musc_dataset_build(root, out, NULL, NULL), MUSC_ERR_EXISTS);
    musc_dataset_options ow = musc_dataset_options_default();
    ow.overwrite = 1;
    assert_int_equal(musc_dataset_build(root, out, &ow, NULL), MUSC_OK);
    free(out);
}

static void shards_are_identical_for_one_and_two_threads(void **state)
{
    (void)state;
    write_folder("ds-jobs", 30);
    static const int reprs[] = {MUSC_DATASET_MMT, MUSC_DATASET_EVENT, MUSC_DATASET_REMI,
                                MUSC_DATASET_NOTE};
    for (size_t r = 0; r < 4; r++) {
        char *o1 = out_dir("ds-jobs-1"), *o2 = out_dir("ds-jobs-2");
        musc_dataset_options o = musc_dataset_options_default();
        o.repr = reprs[r];
        o.jobs = 1;
        musc_dataset_summary s1, s2;
        assert_int_equal(musc_dataset_build(root, o1, &o, &s1), MUSC_OK);
        o.jobs = 2;
        assert_int_equal(musc_dataset_build(root, o2, &o, &s2), MUSC_OK);
        assert_int_equal(s1.n_pieces, 33);
        assert_memory_equal(&s1, &s2, sizeof s1);
        for (int k = 0; k < 3; k++) {
            char name[32];
            snprintf(name, sizeof name, "%s.shard", musc_split_name(k));
            char *a = path_in(o1, name), *b = path_in(o2, name);
            if (!same_file(a, b))
                fail_msg("%s: %s differs between --jobs 1 and 2", musc_dataset_repr_name(reprs[r]),
                         name);
            free(a);
            free(b);
        }
        char *a = path_in(o1, "failures.tsv"), *b = path_in(o2, "failures.tsv");
        assert_true(same_file(a, b));
        free(a);
        free(b);
        free(o1);
        free(o2);
    }
}

static void split_follows_ratios_by_hash(void **state)
{
    (void)state;
    write_folder("ds-split", 200);
    char *out = out_dir("ds-split-out");
    musc_dataset_options o = musc_dataset_options_default();
    o.jobs = 2;
    musc_dataset_summary s;
    assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_OK);
    assert_int_equal(s.n_pieces, 203);
    /* 8:1:1 of 203: binomial, far within these bounds */
    assert_true(s.pieces[0] > 140 && s.pieces[0] < 185);
    assert_true(s.pieces[1] > 5 && s.pieces[1] < 40);
    assert_true(s.pieces[2] > 5 && s.pieces[2] < 40);

    /* a piece keeps its split when the ratios give the same boundaries */
    static const unsigned ratios[][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 3}};
    for (int r = 0; r < 3; r++) {
        o.overwrite = 1;
        memcpy(o.split, ratios[r], sizeof o.split);
        assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_OK);
        for (int k = 0; k < 3; k++)
            assert_int_equal(s.pieces[k], k == r ? 203 : 0);
        musc_shard *sh = open_split(out, musc_split_name((r + 1) % 3));
        assert_int_equal(musc_shard_get_info(sh)->n_pieces, 0);
        assert_int_equal(musc_shard_get_info(sh)->n_rows, 0);
        musc_shard_close(sh);
    }
    o.split[0] = o.split[1] = o.split[2] = 0;
    assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_ERR_ARG);
    free(out);
}

static void flip_byte(const char *src, const char *dst, long offset, size_t truncate_to)
{
    size_t n;
    char *d = test_read_file(src, &n);
    assert_non_null(d);
    if (offset >= 0)
        d[offset < (long)n ? offset : (long)n - 1] ^= 0x40;
    assert_int_equal(test_write_file(dst, d, truncate_to ? truncate_to : n), 0);
    free(d);
}

static void corrupt_shards_are_refused_with_a_clear_error(void **state)
{
    (void)state;
    write_folder("ds-corrupt", 3);
    char *out = out_dir("ds-corrupt-out");
    musc_dataset_options o = musc_dataset_options_default();
    o.split[1] = o.split[2] = 0;
    assert_int_equal(musc_dataset_build(root, out, &o, NULL), MUSC_OK);
    char *good = path_in(out, "train.shard"), *bad = path_in(out, "bad.shard");
    musc_shard *s;
    assert_int_equal(musc_shard_open(good, &s), MUSC_OK);
    musc_shard_close(s);

    struct { long offset; size_t truncate; const char *msg; int status; } cases[] = {
        {1000, 0, "body checksum mismatch", MUSC_ERR_FORMAT},
        {1L << 40, 0, "body checksum mismatch", MUSC_ERR_FORMAT}, /* the last byte */
        {20, 0, "header checksum mismatch", MUSC_ERR_FORMAT},
        {0, 0, "not a musc shard", MUSC_ERR_FORMAT},
        {-2, 300, "truncated", MUSC_ERR_FORMAT},
        {-2, 100, "too short", MUSC_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        flip_byte(good, bad, cases[i].offset, cases[i].truncate);
        s = (musc_shard *)1;
        assert_int_equal(musc_shard_open(bad, &s), cases[i].status);
        assert_null(s);
        if (!strstr(musc_errmsg(), cases[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, musc_errmsg(), cases[i].msg);
    }
    assert_int_equal(musc_shard_open("/nonexistent/x.shard", &s), MUSC_ERR_IO);
    unlink(bad);
    free(good);
    free(bad);
    free(out);
}

typedef struct rows_seen {
    int n;
    char paths[64][128];
} rows_seen;

static int collect(void *user, int n, const char *const *names, const char *const *values)
{
    rows_seen *r = user;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], "path") && r->n < 64)
            snprintf(r->paths[r->n], 128, "%s", values[i]);
    r->n++;
    return 0;
}

static void catalogue_rows_queries_and_where(void **state)
{
    (void)state;
    write_folder("ds-query", 0);
    char *out = out_dir("ds-query-out");
    assert_int_equal(musc_dataset_build(root, out, NULL, NULL), MUSC_OK);

    rows_seen r = {0};
    assert_int_equal(musc_dataset_query(out, NULL, collect, &r), MUSC_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.paths[0], "a.mid");
    assert_string_equal(r.paths[1], "sub/b.json");
    assert_string_equal(r.paths[2], "sub/deep/c.mid");

    memset(&r, 0, sizeof r);
    assert_int_equal(musc_dataset_query(out, "n_notes = 30 AND instruments = 'piano' "
                                             "AND programs = '0' AND pitch_min >= 40 "
                                             "AND tempo = 102 AND n_tracks = 1 AND title = 'a title'",
                                        collect, &r),
                     MUSC_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.paths[0], "sub/b.json");
    /* the catalogue's metric columns are musc_metrics_compute's values */
    {
        char *bj = path_in(root, "sub/b.json");
        musc_music *b = NULL;
        assert_int_equal(musc_read(bj, NULL, &b, NULL), MUSC_OK);
        musc_metrics mm;
        assert_int_equal(musc_metrics_compute(b, NULL, &mm), MUSC_OK);
        char where[512];
        snprintf(where, sizeof where,
                 "path = 'sub/b.json' AND abs(pitch_class_entropy - %.17g) < 1e-12 AND "
                 "abs(scale_consistency - %.17g) < 1e-12 AND abs(polyphony - %.17g) < 1e-12 AND "
                 "abs(groove_consistency - %.17g) < 1e-12 AND abs(empty_beat_rate - %.17g) < 1e-12",
                 mm.pitch_class_entropy, mm.scale_consistency, mm.polyphony,
                 mm.groove_consistency, mm.empty_beat_rate);
        musc_metrics_clear(&mm);
        musc_music_free(b);
        free(bj);
        memset(&r, 0, sizeof r);
        assert_int_equal(musc_dataset_query(out, where, collect, &r), MUSC_OK);
        assert_int_equal(r.n, 1);
    }
    memset(&r, 0, sizeof r);
    assert_int_equal(musc_dataset_query(out, "instruments = 'piano,violin' AND pitch_max <= 125 "
                                             "AND format = 'midi' AND beats > 5",
                                        collect, &r),
                     MUSC_OK);
    assert_int_equal(r.n, 2);

    /* the condition may only read */
    assert_int_equal(musc_dataset_query(out, "1; DROP TABLE pieces", collect, &r), MUSC_ERR_ARG);
    assert_int_equal(musc_dataset_query(out, "no_such_column = 1", collect, &r), MUSC_ERR_ARG);
    assert_int_equal(musc_dataset_query(out, "1) UNION SELECT * FROM pieces WHERE (1", collect, &r),
                     MUSC_OK); /* still only a read */
    memset(&r, 0, sizeof r);
    assert_int_equal(musc_dataset_query(out, "id IN (SELECT id FROM pieces WHERE n_notes > 20)",
                                        collect, &r),
                     MUSC_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(musc_dataset_query("/nonexistent", NULL, collect, &r), MUSC_ERR_NOTFOUND);

    /* --where builds shards for a subset; the catalogue keeps every piece */
    musc_dataset_options o = musc_dataset_options_default();
    o.overwrite = 1;
    o.where = "path LIKE 'sub/%'";
    musc_dataset_summary s;
    assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_OK);
    assert_int_equal(s.n_pieces, 3);
    assert_int_equal(s.n_selected, 2);
    memset(&r, 0, sizeof r);
    assert_int_equal(musc_dataset_query(out, "in_shards = 0", collect, &r), MUSC_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.paths[0], "a.mid");
    musc_dataset_stats st;
    assert_int_equal(musc_dataset_stats_read(out, &st), MUSC_OK);
    assert_int_equal(st.pieces[0] + st.pieces[1] + st.pieces[2], 2);
    assert_int_equal(st.n_left_out, 1);
    assert_int_equal(st.n_duplicates, 1);
    assert_int_equal(st.n_failed, 2);
    musc_dataset_stats_clear(&st);
    o.where = "nonsense ((";
    assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_ERR_ARG);
    o.where = "1; DELETE FROM pieces";
    assert_int_equal(musc_dataset_build(root, out, &o, &s), MUSC_ERR_ARG);
    free(out);
}

static void stats_count_pieces_notes_rows_and_instruments(void **state)
{
    (void)state;
    write_folder("ds-stats", 0);
    char *out = out_dir("ds-stats-out");
    musc_dataset_options o = musc_dataset_options_default();
    o.split[1] = o.split[2] = 0;
    musc_dataset_summary sum;
    assert_int_equal(musc_dataset_build(root, out, &o, &sum), MUSC_OK);
    musc_dataset_stats s;
    assert_int_equal(musc_dataset_stats_read(out, &s), MUSC_OK);
    assert_int_equal(s.repr, MUSC_DATASET_MMT);
    assert_int_equal(s.pieces[0], 3);
    assert_int_equal(s.notes[0], 21 + 30 + 13);
    assert_int_equal(s.rows[0], sum.rows[0]);
    assert_int_equal(s.codes[0], 6 * sum.rows[0]);
    assert_true(s.seconds[0] > 0);
    assert_int_equal(s.n_instruments, 2);
    assert_string_equal(s.names[0], "piano");
    assert_int_equal(s.counts[0], 3);
    assert_string_equal(s.names[1], "violin");
    assert_int_equal(s.counts[1], 2);
    musc_dataset_stats_clear(&s);
    free(out);
}

static void mmt_loader_windows_and_transposition_bounds(void **state)
{
    (void)state;
    write_folder("ds-loader", 10);
    /* one long piece: 600 beats, so windows of 64 beats move around */
    musc_music *m = musc_music_new(12);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    for (int i = 0; i < 1200; i++)
        musc_track_add_note(t, 6 * i, 6, 40 + i % 40, 80);
    save(m, "long.json");
    char *out = out_dir("ds-loader-out");
    musc_dataset_options o = musc_dataset_options_default();
    o.split[1] = o.split[2] = 0;
    assert_int_equal(musc_dataset_build(root, out, &o, NULL), MUSC_OK);
    musc_shard *sh = open_split(out, "train");

    musc_loader_options lo = musc_loader_options_default();
    lo.window = 64;
    lo.beats = 16;
    lo.seed = 7;
    lo.transpose_min = -5;
    lo.transpose_max = 6;
    musc_loader *a, *b;
    assert_int_equal(musc_loader_new(sh, &lo, &a), MUSC_OK);
    assert_int_equal(musc_loader_new(sh, &lo, &b), MUSC_OK);
    int32_t ra[64 * 6], rb[64 * 6];
    int shifts[12] = {0};
    for (int it = 0; it < 300; it++) {
        size_t na, nb, pa, pb;
        int sa, sb;
        assert_int_equal(musc_loader_next(a, ra, &na, &pa, &sa), MUSC_OK);
        assert_int_equal(musc_loader_next(b, rb, &nb, &pb, &sb), MUSC_OK);
        assert_int_equal(na, nb); /* one seed, one stream */
        assert_memory_equal(ra, rb, sizeof ra);
        assert_true(na >= 4 && na <= 64);
        assert_int_equal(ra[0], MUSC_MMT_START_OF_SONG);
        assert_int_equal(ra[6 * (na - 1)], MUSC_MMT_END_OF_SONG);
        assert_true(sa >= -5 && sa <= 6);
        shifts[sa + 5]++;
        int notes = 0;
        for (size_t i = 0; i < na; i++) {
            const int32_t *r = ra + 6 * i;
            if (r[0] != MUSC_MMT_NOTE)
                continue;
            notes++;
            assert_true(r[1] >= 1 && r[1] <= 16); /* beats re-zeroed, within the window */
            assert_true(r[2] >= 1 && r[2] <= 12);
            assert_true(r[3] >= 1 && r[3] <= 128);
            if (i + 1 < na && ra[6 * (i + 1)] == MUSC_MMT_NOTE)
                assert_true(ra[6 * (i + 1) + 1] >= r[1]); /* beats never go back */
        }
        assert_true(notes >= 1);
        for (size_t i = na * 6; i < 64 * 6; i++)
            assert_int_equal(ra[i], 0);
        /* c.mid reaches pitch 125: its shifts stay <= 2 */
        musc_shard_piece p;
        musc_shard_get_piece(sh, pa, &p);
        int top = 0;
        for (size_t i = 0; i < na; i++)
            if (ra[6 * i] == MUSC_MMT_NOTE && ra[6 * i + 3] - 1 > top)
                top = ra[6 * i + 3] - 1;
        assert_true(top <= 127);
    }
    for (int s = 0; s < 12; s++)
        assert_true(shifts[s] > 0); /* every shift in range happens */
    musc_loader_free(a);
    musc_loader_free(b);

    /* without augmentation a window of the long piece is its own rows */
    lo = musc_loader_options_default();
    lo.window = 2000;
    lo.beats = 1024;
    assert_int_equal(musc_loader_new(sh, &lo, &a), MUSC_OK);
    int32_t *big = malloc(2000 * 6 * sizeof *big);
    for (int it = 0; it < 20; it++) {
        size_t n, pi;
        int s;
        assert_int_equal(musc_loader_next(a, big, &n, &pi, &s), MUSC_OK);
        assert_int_equal(s, 0);
        musc_shard_piece p;
        musc_shard_get_piece(sh, pi, &p);
        assert_int_equal(n, p.n_rows);
        assert_memory_equal(big, p.rows, n * 6 * sizeof *big);
    }
    musc_loader_free(a);

    /* stretch by 2: the long piece's notes every 6 ticks land every 12 */
    lo.stretch_min = lo.stretch_max = 2.0;
    assert_int_equal(musc_loader_new(sh, &lo, &a), MUSC_OK);
    for (int it = 0; it < 20; it++) {
        size_t n, pi;
        assert_int_equal(musc_loader_next(a, big, &n, &pi, NULL), MUSC_OK);
        musc_shard_piece p;
        musc_shard_get_piece(sh, pi, &p);
        if (p.n_rows < 1000)
            continue;
        for (size_t i = 0; i < n; i++)
            if (big[6 * i] == MUSC_MMT_NOTE) {
                assert_int_equal(big[6 * i + 2], 1); /* position 0 */
                assert_int_equal(big[6 * i + 4], 12); /* 6 ticks * 2 */
            }
    }
    musc_loader_free(a);
    free(big);

    lo = musc_loader_options_default();
    lo.transpose_min = 3;
    lo.transpose_max = 1;
    assert_int_equal(musc_loader_new(sh, &lo, &a), MUSC_ERR_ARG);
    lo = musc_loader_options_default();
    lo.stretch_max = 3;
    assert_int_equal(musc_loader_new(sh, &lo, &a), MUSC_ERR_ARG);
    musc_shard_close(sh);
    free(out);
}

static void token_loaders_transpose_within_bounds(void **state)
{
    (void)state;
    write_folder("ds-loader-tok", 10);
    static const int reprs[] = {MUSC_DATASET_EVENT, MUSC_DATASET_REMI, MUSC_DATASET_NOTE};
    for (int r = 0; r < 3; r++) {
        char *out = out_dir("ds-loader-tok-out");
        musc_dataset_options o = musc_dataset_options_default();
        o.repr = reprs[r];
        o.split[1] = o.split[2] = 0;
        assert_int_equal(musc_dataset_build(root, out, &o, NULL), MUSC_OK);
        musc_shard *sh = open_split(out, "train");
        int fields = musc_shard_get_info(sh)->fields;
        musc_loader_options lo = musc_loader_options_default();
        lo.window = 32;
        lo.seed = 3;
        lo.transpose_min = -5;
        lo.transpose_max = 6;
        musc_loader *l;
        if (reprs[r] != MUSC_DATASET_NOTE) {
            lo.stretch_max = 1.5;
            assert_int_equal(musc_loader_new(sh, &lo, &l), MUSC_ERR_UNSUPPORTED);
            lo.stretch_max = 1.0;
        }
        assert_int_equal(musc_loader_new(sh, &lo, &l), MUSC_OK);
        musc_remi_vocab v;
        musc_remi_options ro = musc_remi_options_default();
        musc_remi_vocab_of(&ro, &v);
        int32_t rows[32 * 4];
        for (int it = 0; it < 200; it++) {
            size_t n, pi;
            int s;
            assert_int_equal(musc_loader_next(l, rows, &n, &pi, &s), MUSC_OK);
            assert_true(n >= 1 && n <= 32);
            assert_true(s >= -5 && s <= 6);
            musc_shard_piece p;
            musc_shard_get_piece(sh, pi, &p);
            /* the window is a run of the piece, pitches moved by s */
            size_t start = 0;
            for (; start + n <= p.n_rows; start++) {
                int match = 1;
                for (size_t i = 0; i < n * (size_t)fields && match; i++) {
                    int32_t want = p.rows[start * fields + i], got = rows[i];
                    if (reprs[r] == MUSC_DATASET_EVENT && want < 256)
                        want += s;
                    else if (reprs[r] == MUSC_DATASET_REMI && want >= v.pitch &&
                             want < v.pitch + 128)
                        want += s;
                    else if (reprs[r] == MUSC_DATASET_NOTE && i % (size_t)fields == 1)
                        want += s;
                    match = want == got;
                }
                if (match)
                    break;
            }
            if (start + n > p.n_rows)
                fail_msg("%s: window %d is no shifted run of its piece",
                         musc_dataset_repr_name(reprs[r]), it);
        }
        musc_loader_free(l);
        musc_shard_close(sh);
        free(out);
    }
}

static void abc_books_give_one_piece_per_tune(void **state)
{
    (void)state;
    char *d = test_tmp_path("ds-abc");
    snprintf(root, sizeof root, "%s", d);
    free(d);
    rm_rf(root);
    assert_int_equal(mkdir(root, 0777), 0);
    static const char book[] = "X:1\nT:One\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n\n"
                               "X:2\nT:Two\nM:3/4\nL:1/4\nK:G\nGAB|dBG|\n\n"
                               "X:3\nT:One again\nM:4/4\nL:1/4\nK:C\nCDEF|GABc|\n";
    char *bp = path_in(root, "book.abc");
    assert_int_equal(test_write_file(bp, book, sizeof book - 1), 0);
    free(bp);
    save(piece(4, 10, 50, 60), "other.json");
    char *out = out_dir("ds-abc-out");
    musc_dataset_summary s;
    assert_int_equal(musc_dataset_build(root, out, NULL, &s), MUSC_OK);
    assert_int_equal(s.n_files, 2);
    assert_int_equal(s.n_failed, 0);
    assert_int_equal(s.n_duplicates, 1);
    assert_int_equal(s.n_pieces, 3);
    rows_seen r = {0};
    assert_int_equal(musc_dataset_query(out, "format = 'abc'", collect, &r), MUSC_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.paths[0], "book.abc#1");
    assert_string_equal(r.paths[1], "book.abc#2");
    memset(&r, 0, sizeof r);
    assert_int_equal(musc_dataset_query(out, "meter = '3/4' AND key = 'G major' AND title = 'Two'",
                                        collect, &r),
                     MUSC_OK);
    assert_int_equal(r.n, 1);
    free(out);
}

static void pop909_builds_to_mmt_shards(void **state)
{
    (void)state;
    const char *shared = test_shared_data();
    if (!shared) {
        printf("SKIP: pop909_builds_to_mmt_shards needs ../shared/data\n");
        skip();
    }
    char *src = path_in(shared, "pop909");
    char *out = out_dir("ds-pop909");
    musc_dataset_options o = musc_dataset_options_default();
    o.jobs = 2;
    musc_dataset_summary s;
    assert_int_equal(musc_dataset_build(src, out, &o, &s), MUSC_OK);
    printf("POP909: %zu files, %zu failed, %zu duplicates, %zu/%zu/%zu pieces\n", s.n_files,
           s.n_failed, s.n_duplicates, s.pieces[0], s.pieces[1], s.pieces[2]);
    assert_int_equal(s.n_files, 909);
    assert_int_equal(s.n_failed, 0);
    assert_int_equal(s.n_pieces + s.n_duplicates, 909);
    assert_true(s.pieces[0] > s.pieces[1] && s.pieces[0] > s.pieces[2]);
    musc_dataset_stats st;
    assert_int_equal(musc_dataset_stats_read(out, &st), MUSC_OK);
    assert_true(st.seconds[0] + st.seconds[1] + st.seconds[2] > 40 * 3600.0);
    musc_dataset_stats_clear(&st);
    rm_rf(out);
    free(out);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_finds_formats_drops_duplicates_and_lists_failures),
        cmocka_unit_test(shards_are_identical_for_one_and_two_threads),
        cmocka_unit_test(split_follows_ratios_by_hash),
        cmocka_unit_test(corrupt_shards_are_refused_with_a_clear_error),
        cmocka_unit_test(catalogue_rows_queries_and_where),
        cmocka_unit_test(stats_count_pieces_notes_rows_and_instruments),
        cmocka_unit_test(mmt_loader_windows_and_transposition_bounds),
        cmocka_unit_test(token_loaders_transpose_within_bounds),
        cmocka_unit_test(abc_books_give_one_piece_per_tune),
        cmocka_unit_test(pop909_builds_to_mmt_shards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
