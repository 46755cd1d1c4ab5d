/*
 * ABC writer: hand-made scores and every Nottingham tune read back equal
 * (notes, as a multiset per track name), chord symbols, meters and keys kept;
 * abc2midi reads what musc writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/abc.h"
#include "musc/musc.h"
#include "test_support.h"

typedef struct { int64_t t, d; int p; } qnote; /* times in 1/5040 quarters */

static int cmp_q(const void *a, const void *b)
{
    const qnote *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->p != y->p) return x->p - y->p;
    return (x->d > y->d) - (x->d < y->d);
}

/* All notes with positive length, on a common time base, sorted. */
static qnote *collect(const musc_music *m, size_t *n)
{
    size_t total = musc_music_note_count(m), k = 0;
    qnote *q = malloc(sizeof *q * (total ? total : 1));
    for (size_t i = 0; i < m->n_tracks; i++)
        for (size_t j = 0; j < m->tracks[i].n_notes; j++) {
            const musc_note *x = &m->tracks[i].notes[j];
            if (x->duration <= 0)
                continue;
            q[k].t = x->time * 5040 / m->resolution;
            q[k].d = x->duration * 5040 / m->resolution;
            q[k].p = x->pitch;
            k++;
        }
    qsort(q, k, sizeof *q, cmp_q);
    *n = k;
    return q;
}

static int same_notes(const musc_music *a, const musc_music *b, char *why, size_t whylen)
{
    size_t na, nb;
    qnote *x = collect(a, &na), *y = collect(b, &nb);
    int ok = na == nb;
    if (!ok)
        snprintf(why, whylen, "%zu notes vs %zu", na, nb);
    for (size_t i = 0; ok && i < na; i++)
        if (cmp_q(&x[i], &y[i])) {
            snprintf(why, whylen, "note %zu: (%lld,%lld,%d) vs (%lld,%lld,%d)", i,
                     (long long)x[i].t, (long long)x[i].d, x[i].p, (long long)y[i].t,
                     (long long)y[i].d, y[i].p);
            ok = 0;
        }
    free(x);
    free(y);
    return ok;
}

static musc_music *round_trip(const musc_music *m, char **text_out)
{
    char *text;
    size_t size;
    assert_int_equal(musc_abc_write_mem(m, &text, &size), 0);
    assert_int_equal(strlen(text), size);
    musc_music *back = NULL;
    if (musc_abc_read_mem(text, size, NULL, &back, NULL))
        fail_msg("written ABC does not read back: %s\n%s", musc_errmsg(), text);
    if (text_out)
        *text_out = text;
    else
        free(text);
    return back;
}

static void hand_made_score_reads_back(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_set_string(&m->metadata.title, "Round \"trip\"");
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_time_signature(m, 96 * 2, 3, 4);
    musc_music_add_key_signature(m, 0, 2, MUSC_MODE_MAJOR, 2);
    musc_music_add_tempo(m, 0, 96);
    musc_track *t = musc_music_add_track(m, 40, 0, "Fiddle");
    musc_track_add_note(t, 0, 24, 66, 80);    /* F# (in the key) */
    musc_track_add_note(t, 24, 24, 65, 80);   /* F natural */
    musc_track_add_note(t, 48, 12, 78, 80);   /* f# an octave up in the same bar */
    musc_track_add_note(t, 60, 12, 77, 80);   /* f natural */
    musc_track_add_note(t, 72, 48, 62, 80);   /* D tied over the bar line */
    musc_track_add_note(t, 120, 24, 62, 80);  /* chord D F# A */
    musc_track_add_note(t, 120, 24, 66, 80);
    musc_track_add_note(t, 120, 24, 69, 80);
    musc_track_add_note(t, 144, 48, 50, 80);  /* overlapping notes of other lengths */
    musc_track_add_note(t, 144, 8, 74, 80);   /* triplet eighths */
    musc_track_add_note(t, 152, 8, 76, 80);
    musc_track_add_note(t, 160, 8, 78, 80);
    musc_track_add_note(t, 192, 72, 57, 80);  /* a full 3/4 bar */
    musc_track_add_note(t, 264, 3, 108, 80);  /* very high, very short */
    musc_track_add_note(t, 267, 21, 21, 80);  /* very low */
    musc_track_add_annotation(t, 0, MUSC_ANN_CHORD, "D");
    musc_track_add_annotation(t, 192, MUSC_ANN_CHORD, "A7");
    musc_track *d = musc_music_add_track(m, 0, 1, "Drums");
    musc_track_add_note(d, 0, 12, 36, 100);
    musc_track_add_note(d, 48, 12, 38, 100);
    char *text;
    musc_music *back = round_trip(m, &text);
    char why[200];
    if (!same_notes(m, back, why, sizeof why))
        fail_msg("%s\n%s", why, text);
    assert_string_equal(back->metadata.title, "Round 'trip'");
    assert_int_equal(back->n_time_signatures, 2);
    assert_int_equal(back->time_signatures[1].time * 24, 192 * back->resolution);
    assert_int_equal(back->key_signatures[0].fifths, 2);
    assert_true(back->tempos[0].qpm > 95.9 && back->tempos[0].qpm < 96.1);
    /* the fiddle's lanes keep its name and program; drums stay drums */
    int fiddles = 0, drums = 0;
    for (size_t i = 0; i < back->n_tracks; i++) {
        if (back->tracks[i].name && !strcmp(back->tracks[i].name, "Fiddle")) {
            fiddles++;
            assert_int_equal(back->tracks[i].program, 40);
        }
        if (back->tracks[i].is_drum)
            drums++;
    }
    assert_true(fiddles >= 2);
    assert_int_equal(drums, 1);
    assert_int_equal(back->tracks[0].n_annotations, 2);
    assert_string_equal(back->tracks[0].annotations[1].text, "A7");
    assert_int_equal(back->tracks[0].annotations[1].time * 24, 192 * back->resolution);
    test_save_seed("abc", "written", text, strlen(text));
    free(text);
    musc_music_free(back);
    musc_music_free(m);
}

static void invalid_music_and_overwrite(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 24, 200, 80);
    char *text;
    size_t size;
    assert_int_equal(musc_abc_write_mem(m, &text, &size), MUSC_ERR_INVALID);
    t->notes[0].pitch = 60;
    char *path = test_tmp_path("abc_write_overwrite.abc");
    remove(path);
    assert_int_equal(musc_abc_write(m, path, NULL), 0);
    assert_int_equal(musc_abc_write(m, path, NULL), MUSC_ERR_EXISTS);
    musc_write_options o = musc_write_options_default();
    o.overwrite = 1;
    assert_int_equal(musc_abc_write(m, path, &o), 0);
    musc_music *back;
    assert_int_equal(musc_read(path, NULL, &back, NULL), 0);
    assert_int_equal(back->tracks[0].n_notes, 1);
    musc_music_free(back);
    free(path);
    musc_music_free(m);
}

static void nottingham_round_trip_and_abc2midi(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data (Nottingham ABC)\n");
        skip();
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/nottingham/ABC_cleaned", data);
    const char *books[] = {"ashover.abc", "hpps.abc", "jigs.abc", "morris.abc", "playford.abc",
                           "reelsa-c.abc", "reelsd-g.abc", "reelsh-l.abc", "reelsm-q.abc",
                           "reelsr-t.abc", "reelsu-z.abc", "slip.abc", "waltzes.abc", "xmas.abc"};
    size_t tunes = 0, equal = 0, written = 0;
    char *outdir = test_tmp_path("abc_written");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", outdir, outdir);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    for (size_t bi = 0; bi < sizeof books / sizeof *books; bi++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, books[bi]);
        size_t size;
        char *book = test_read_file(path, &size);
        assert_non_null(book);
        musc_music **all;
        size_t n;
        assert_int_equal(musc_abc_read_book_mem(book, size, NULL, &all, &n, NULL), 0);
        for (size_t i = 0; i < n; i++) {
            tunes++;
            char *text;
            musc_music *back = round_trip(all[i], &text);
            char why[200];
            if (same_notes(all[i], back, why, sizeof why))
                equal++;
            else if (tunes - equal <= 5)
                printf("  round trip differs: %s tune %zu: %s\n", books[bi], i, why);
            /* every 10th tune also goes to abc2midi below */
            if (i % 10 == 0) {
                char out[4300];
                snprintf(out, sizeof out, "%s/%s-%03zu.abc", outdir, books[bi], i);
                test_write_file(out, text, strlen(text));
                written++;
            }
            free(text);
            musc_music_free(back);
        }
        musc_music_list_free(all, n);
        free(book);
    }
    printf("ABC write->read (Nottingham): %zu of %zu tunes note-equal\n", equal, tunes);
    assert_int_equal(equal, tunes);

    /* abc2midi reads what musc writes, with the same notes */
    if (test_run("command -v abc2midi && /usr/bin/python3 -c 'import mido'", NULL, NULL) != 0) {
        printf("SKIP: abc2midi check needs abc2midi and python3-mido\n");
        free(outdir);
        return;
    }
    const char *src = getenv("MUSC_SOURCE_DIR");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/io/abc2midi_notes.py '%s'/*.abc",
             src ? src : ".", outdir);
    char *ref = NULL;
    assert_int_equal(test_run(cmd, &ref, NULL), 0);
    size_t files = 0, agree = 0;
    char *line = ref;
    musc_music *cur = NULL;
    qnote *mine = NULL, *theirs = malloc(sizeof *theirs * 200000);
    char cur_file[4096] = "";
    size_t n_mine = 0, n_theirs = 0;
    for (;;) {
        char *nl = line ? strchr(line, '\n') : NULL;
        int end = !line || !*line;
        if (end || line[0] == 'T') {
            if (cur) {
                files++;
                qsort(theirs, n_theirs, sizeof *theirs, cmp_q);
                int ok = n_mine == n_theirs;
                for (size_t i = 0; ok && i < n_mine; i++)
                    ok = !cmp_q(&mine[i], &theirs[i]);
                agree += ok;
                if (!ok && files - agree <= 5)
                    printf("  abc2midi differs on %s: %zu notes vs %zu\n", cur_file, n_mine, n_theirs);
                musc_music_free(cur);
                free(mine);
                cur = NULL;
            }
            if (end)
                break;
            char file[4096];
            if (sscanf(line, "T %4095s", file) == 1 && musc_read(file, NULL, &cur, NULL) == 0) {
                mine = collect(cur, &n_mine);
                snprintf(cur_file, sizeof cur_file, "%s", file);
            }
            n_theirs = 0;
        } else if (line[0] == 'N' && n_theirs < 200000) {
            int p;
            long long s, d;
            if (sscanf(line, "N %d %lld %lld", &p, &s, &d) == 3)
                theirs[n_theirs++] = (qnote){s * 5040 / 480, d * 5040 / 480, p};
        }
        line = nl ? nl + 1 : NULL;
    }
    printf("abc2midi reads musc's ABC (%zu files): %zu note-equal\n", files, agree);
    free(theirs);
    free(ref);
    free(outdir);
    assert_int_equal(files, written);
    assert_int_equal(agree, files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_made_score_reads_back),
        cmocka_unit_test(invalid_music_and_overwrite),
        cmocka_unit_test(nottingham_round_trip_and_abc2midi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
