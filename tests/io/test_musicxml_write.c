/*
 * MusicXML writer: what it writes reads back equal (notes, meters, keys,
 * tempos, chord symbols, lyrics), from hand-built music and from every file
 * of the shared sets; .mxl output; MuseScore 3 opens it (when installed).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "musc/musc.h"
#include "test_support.h"

static size_t sample_counter;

/* Describe the first difference in what MusicXML keeps; "" when equal. */
static const char *content_diff(const musc_music *a, const musc_music *b, int64_t scale)
{
    static char why[512];
    why[0] = '\0';
#define DIFF(...) return snprintf(why, sizeof why, __VA_ARGS__), why
    if ((int64_t)a->resolution * scale != b->resolution)
        DIFF("resolution %d vs %d", a->resolution, b->resolution);
    if (a->n_tracks != b->n_tracks)
        DIFF("%zu tracks vs %zu", a->n_tracks, b->n_tracks);
    for (size_t t = 0; t < a->n_tracks; t++) {
        const musc_track *x = &a->tracks[t], *y = &b->tracks[t];
        if (x->program != y->program || !x->is_drum != !y->is_drum)
            DIFF("track %zu program/drum %d/%d vs %d/%d", t, x->program, x->is_drum, y->program,
                 y->is_drum);
        if ((x->name || y->name) && (!x->name || !y->name || strcmp(x->name, y->name)))
            DIFF("track %zu name differs", t);
        size_t nx = x->n_notes;
        if (nx != y->n_notes)
            DIFF("track %zu: %zu notes vs %zu", t, nx, y->n_notes);
        for (size_t i = 0; i < nx; i++) {
            const musc_note *p = &x->notes[i], *q = &y->notes[i];
            if (p->time * scale != q->time || p->duration * scale != q->duration ||
                p->pitch != q->pitch || p->velocity != q->velocity)
                DIFF("track %zu note %zu: (%lld %lld %d %d) vs (%lld %lld %d %d)", t, i,
                     (long long)p->time, (long long)p->duration, p->pitch, p->velocity,
                     (long long)q->time, (long long)q->duration, q->pitch, q->velocity);
        }
        if (x->n_lyrics != y->n_lyrics)
            DIFF("track %zu: %zu lyrics vs %zu", t, x->n_lyrics, y->n_lyrics);
        for (size_t i = 0; i < x->n_lyrics; i++)
            if (x->lyrics[i].time * scale != y->lyrics[i].time ||
                strcmp(x->lyrics[i].text, y->lyrics[i].text) ||
                x->lyrics[i].verse != y->lyrics[i].verse)
                DIFF("track %zu lyric %zu: %s vs %s", t, i, x->lyrics[i].text, y->lyrics[i].text);
        size_t nc = 0;
        for (size_t i = 0; i < x->n_annotations; i++)
            if (x->annotations[i].kind == MUSC_ANN_CHORD) {
                if (nc >= y->n_annotations)
                    DIFF("track %zu: chord symbols missing", t);
                const musc_annotation *p = &x->annotations[i], *q = &y->annotations[nc++];
                if (p->time * scale != q->time || q->kind != MUSC_ANN_CHORD ||
                    strcmp(p->text, q->text))
                    DIFF("track %zu chord %zu: %s@%lld vs %s@%lld", t, i, p->text,
                         (long long)p->time, q->text, (long long)q->time);
            }
        if (nc != y->n_annotations)
            DIFF("track %zu: %zu chord symbols vs %zu", t, nc, y->n_annotations);
    }
    if (a->n_tempos != b->n_tempos)
        DIFF("%zu tempos vs %zu", a->n_tempos, b->n_tempos);
    for (size_t i = 0; i < a->n_tempos; i++)
        if (a->tempos[i].time * scale != b->tempos[i].time || a->tempos[i].qpm != b->tempos[i].qpm)
            DIFF("tempo %zu: %g vs %g", i, a->tempos[i].qpm, b->tempos[i].qpm);
    if (a->n_key_signatures != b->n_key_signatures)
        DIFF("%zu keys vs %zu", a->n_key_signatures, b->n_key_signatures);
    for (size_t i = 0; i < a->n_key_signatures; i++) {
        const musc_key_signature *p = &a->key_signatures[i], *q = &b->key_signatures[i];
        if (p->time * scale != q->time || p->fifths != q->fifths || p->mode != q->mode ||
            p->root != q->root)
            DIFF("key %zu: %d/%d/%d vs %d/%d/%d", i, p->fifths, p->mode, p->root, q->fifths,
                 q->mode, q->root);
    }
    if (a->n_time_signatures != b->n_time_signatures)
        DIFF("%zu meters vs %zu", a->n_time_signatures, b->n_time_signatures);
    for (size_t i = 0; i < a->n_time_signatures; i++) {
        const musc_time_signature *p = &a->time_signatures[i], *q = &b->time_signatures[i];
        if (p->time * scale != q->time || p->numerator != q->numerator ||
            p->denominator != q->denominator)
            DIFF("meter %zu: %d/%d vs %d/%d", i, p->numerator, p->denominator, q->numerator,
                 q->denominator);
    }
#undef DIFF
    return why;
}

static musc_music *round_trip(const musc_music *m, const char *seed)
{
    uint8_t *xml = NULL;
    size_t n = 0;
    musc_status st = musc_musicxml_write_mem(m, &xml, &n);
    if (st)
        fprintf(stderr, "write failed: %s\n", musc_errmsg());
    assert_int_equal(st, MUSC_OK);
    if (seed)
        test_save_seed("musicxml", seed, xml, n);
    musc_music *back = NULL;
    st = musc_musicxml_read_mem(xml, n, NULL, &back, NULL);
    if (st)
        fprintf(stderr, "read back failed: %s\n", musc_errmsg());
    assert_int_equal(st, MUSC_OK);
    free(xml);
    return back;
}

static void assert_same(const musc_music *a, const musc_music *b, int64_t scale)
{
    const char *why = content_diff(a, b, scale);
    if (*why)
        fprintf(stderr, "round trip differs: %s\n", why);
    assert_string_equal(why, "");
}

/* A piece that exercises what the writer must handle. */
static musc_music *sample_music(void)
{
    musc_music *m = musc_music_new(24);
    musc_set_string(&m->metadata.title, "Round & <trip>");
    musc_music_add_creator(m, "Anon");
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_music_add_time_signature(m, 192, 3, 4); /* after two bars */
    musc_music_add_time_signature(m, 300, 6, 8); /* inside a 3/4 bar */
    musc_music_add_time_signature(m, 1000, 2, 4); /* after the last note */
    musc_music_add_key_signature(m, 0, 0, MUSC_MODE_MAJOR, 0);
    musc_music_add_key_signature(m, 60, -2, MUSC_MODE_MINOR, 7); /* mid-bar */
    musc_music_add_key_signature(m, 192, 1, MUSC_MODE_NONE, 9);  /* A dorian */
    musc_music_add_tempo(m, 0, 120);
    musc_music_add_tempo(m, 30, 96.25);
    musc_track *p = musc_music_add_track(m, 0, 0, "Piano");
    musc_track_add_note(p, 0, 24, 60, 64);
    musc_track_add_note(p, 0, 24, 64, 70);
    musc_track_add_note(p, 0, 48, 48, 50);  /* overlaps: second voice */
    musc_track_add_note(p, 10, 7, 72, 90);  /* odd length */
    musc_track_add_note(p, 90, 20, 61, 64); /* across the first barline */
    musc_track_add_note(p, 90, 20, 61, 64); /* doubled */
    musc_track_add_note(p, 150, 200, 67, 127); /* across several bars and meters */
    musc_track_add_note(p, 200, 0, 70, 64);    /* zero length */
    musc_track_add_note(p, 400, 3, 0, 1);
    musc_track_add_note(p, 401, 5, 127, 0);
    musc_track_add_lyric(p, 0, "Hel");
    musc_track_add_lyric(p, 34, "lo"); /* on a rest */
    musc_track_add_lyric(p, 160, "in a tie & note");
    musc_track_add_lyric(p, 0, "Good"); /* a second verse on the same note */
    p->lyrics[p->n_lyrics - 1].verse = 1;
    musc_track_add_annotation(p, 0, MUSC_ANN_CHORD, "Am7");
    musc_track_add_annotation(p, 13, MUSC_ANN_CHORD, "C/E");
    musc_track_add_annotation(p, 96, MUSC_ANN_CHORD, "Bb7(b9)");
    musc_track_add_annotation(p, 97, MUSC_ANN_CHORD, "F#m7b5");
    musc_track_add_annotation(p, 150, MUSC_ANN_CHORD, "N.C.");
    musc_track_add_annotation(p, 151, MUSC_ANN_CHORD, "?weird");
    musc_track *s = musc_music_add_track(m, 42, 0, NULL);
    musc_track_add_note(s, 24, 144, 36, 80);
    musc_track *d = musc_music_add_track(m, 0, 1, "Drums");
    for (int i = 0; i < 8; i++) {
        musc_track_add_note(d, 12 * i, 6, i % 2 ? 38 : 36, 100);
        musc_track_add_note(d, 12 * i, 3, 42, 60);
    }
    musc_music_sort(m);
    return m;
}

static void written_music_reads_back_equal(void **state)
{
    (void)state;
    musc_music *m = sample_music();
    musc_music *back = round_trip(m, "sample.musicxml");
    assert_same(m, back, 1);
    assert_string_equal(back->metadata.title, "Round & <trip>");
    assert_string_equal(back->metadata.creators[0], "Anon");
    musc_music_free(back);
    musc_music_free(m);
}

static void empty_and_odd_meters(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(5);
    musc_music_add_track(m, 0, 0, "Empty");
    musc_music *back = round_trip(m, NULL);
    assert_same(m, back, 1);
    assert_int_equal(back->n_tracks, 1);
    musc_music_free(back);
    /* 7/16 at resolution 5 is 8.75 ticks: divisions get multiplied by 4 */
    musc_music_add_time_signature(m, 0, 7, 16);
    musc_track *t = musc_music_add_track(m, 73, 0, "Flute");
    for (int i = 0; i < 10; i++)
        musc_track_add_note(t, 3 * i, 3, 70 + i, 64);
    back = round_trip(m, "odd-meter.musicxml");
    assert_same(m, back, 4);
    musc_music_free(back);
    musc_music_free(m);
}

static void files_by_extension_and_overwrite(void **state)
{
    (void)state;
    musc_music *m = sample_music();
    const char *names[] = {"written.musicxml", "written.xml", "written.mxl"};
    for (size_t i = 0; i < 3; i++) {
        char *path = test_tmp_path(names[i]);
        remove(path);
        musc_write_options o = musc_write_options_default();
        assert_int_equal(musc_write(m, path, &o), MUSC_OK);
        assert_int_equal(musc_write(m, path, &o), MUSC_ERR_EXISTS);
        o.overwrite = 1;
        assert_int_equal(musc_write(m, path, &o), MUSC_OK);
        size_t size;
        char *bytes = test_read_file(path, &size);
        assert_non_null(bytes);
        assert_int_equal(memcmp(bytes, i == 2 ? "PK" : "<?xml", i == 2 ? 2 : 5), 0);
        if (i == 2)
            test_save_seed("musicxml", "written.mxl", bytes, size);
        free(bytes);
        musc_music *back = NULL;
        assert_int_equal(musc_read(path, NULL, &back, NULL), MUSC_OK);
        assert_same(m, back, 1);
        musc_music_free(back);
        remove(path);
        free(path);
    }
    musc_music_free(m);
}

static void invalid_music_is_refused(void **state)
{
    (void)state;
    musc_music *m = musc_music_new(24);
    musc_track *t = musc_music_add_track(m, 0, 0, NULL);
    musc_track_add_note(t, 0, 10, 60, 64);
    t->notes[0].pitch = 200;
    uint8_t *xml = NULL;
    size_t n;
    assert_int_equal(musc_musicxml_write_mem(m, &xml, &n), MUSC_ERR_INVALID);
    assert_null(xml);
    musc_music_free(m);
}

/* ---- the shared datasets round trip --------------------------------------- */

typedef struct tally {
    size_t files, failed, notes;
} tally;

static void round_trip_tree(const char *dir, tally *t)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            round_trip_tree(path, t);
            continue;
        }
        musc_format f = musc_format_from_path(path);
        if (f != MUSC_FORMAT_MUSICXML && f != MUSC_FORMAT_MXL)
            continue;
        if (sample_counter++ % SAMPLE)
            continue;
        musc_music *m = NULL, *back = NULL;
        if (musc_read(path, NULL, &m, NULL) != MUSC_OK)
            continue; /* the reader test reports these */
        t->files++;
        uint8_t *xml = NULL;
        size_t n = 0;
        const char *why = "";
        if (musc_musicxml_write_mem(m, &xml, &n) != MUSC_OK ||
            musc_musicxml_read_mem(xml, n, NULL, &back, NULL) != MUSC_OK)
            why = musc_errmsg();
        else
            why = content_diff(m, back, 1);
        if (*why) {
            fprintf(stderr, "ROUND TRIP %s: %s\n", path, why);
            t->failed++;
        } else {
            t->notes += musc_music_note_count(m);
        }
        free(xml);
        musc_music_free(back);
        musc_music_free(m);
    }
    closedir(d);
}

static void shared_files_round_trip(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: shared_files_round_trip needs ../shared/data\n");
        skip();
    }
    const char *sets[] = {"music21_corpus/bach", "openewld", "music21_corpus/beethoven",
                          "music21_corpus/haydn", "music21_corpus/mozart"};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", data, sets[i]);
        tally t = {0};
        round_trip_tree(dir, &t);
        printf("musicxml round trip %-26s files %4zu lossless %4zu notes %7zu\n", sets[i],
               t.files, t.files - t.failed, t.notes);
        assert_int_equal(t.failed, 0);
    }
}

/* ---- MuseScore 3 opens what musc writes -------------------------------- */

/* Triplet eighths, quintuplet 16ths and triplet quarters in one 4/4 bar at
 * 60 ticks a quarter. */
static musc_music *tuplet_music(void)
{
    musc_music *m = musc_music_new(60);
    musc_music_add_time_signature(m, 0, 4, 4);
    musc_track *t = musc_music_add_track(m, 0, 0, "Tuplets");
    static const int white[] = {60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77}; /* no <accidental> */
    for (int i = 0; i < 3; i++)
        musc_track_add_note(t, 20 * i, 20, white[i], 80);
    for (int i = 0; i < 5; i++)
        musc_track_add_note(t, 60 + 12 * i, 12, white[3 + i], 80);
    for (int i = 0; i < 3; i++)
        musc_track_add_note(t, 120 + 40 * i, 40, white[8 + i], 80);
    return m;
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *s = text; (s = strstr(s, what)); s++)
        n++;
    return n;
}

static void tuplets_are_written_with_time_modification(void **state)
{
    (void)state;
    musc_music *m = tuplet_music();
    uint8_t *xml = NULL;
    size_t n = 0;
    assert_int_equal(musc_musicxml_write_mem(m, &xml, &n), MUSC_OK);
    char *text = malloc(n + 1);
    memcpy(text, xml, n);
    text[n] = '\0';
    const char *three = "<type>eighth</type><time-modification><actual-notes>3</actual-notes>"
                        "<normal-notes>2</normal-notes></time-modification>";
    const char *five = "<type>16th</type><time-modification><actual-notes>5</actual-notes>"
                       "<normal-notes>4</normal-notes></time-modification>";
    const char *three_q = "<type>quarter</type><time-modification><actual-notes>3"
                          "</actual-notes><normal-notes>2</normal-notes></time-modification>";
    assert_int_equal(count_of(text, three), 3);
    assert_int_equal(count_of(text, five), 5);
    assert_int_equal(count_of(text, three_q), 3);
    /* one bracket per group */
    assert_int_equal(count_of(text, "<tuplet type=\"start\"/>"), 3);
    assert_int_equal(count_of(text, "<tuplet type=\"stop\"/>"), 3);
    free(text);
    free(xml);
    musc_music *back = round_trip(m, "write-tuplets.musicxml");
    assert_same(m, back, back->resolution / m->resolution);
    musc_music_free(back);
    musc_music_free(m);
}

static void musescore_opens_written_files(void **state)
{
    (void)state;
    if (test_run("command -v mscore3", NULL, NULL) != 0) {
        printf("SKIP: musescore_opens_written_files needs mscore3 (apt-get install "
               "musescore3)\n");
        skip();
    }
    musc_music *m = sample_music();
    char *xml = test_tmp_path("for-musescore.musicxml");
    char *mid = test_tmp_path("for-musescore.mid");
    remove(mid);
    musc_write_options o = musc_write_options_default();
    o.overwrite = 1;
    assert_int_equal(musc_write(m, xml, &o), MUSC_OK);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "QT_QPA_PLATFORM=offscreen timeout 120 mscore3 -o '%s' '%s'", mid,
             xml);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    /* MuseScore's notes: pitch and onset must match musc's (zero-length
     * notes excepted: MuseScore drops them) */
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/io/midi_notes.py' '%s'",
             getenv("MUSC_SOURCE_DIR") ? getenv("MUSC_SOURCE_DIR") : ".", mid);
    char *out = NULL;
    if (test_run(cmd, &out, NULL) == 0 && out) {
        size_t lines = 0, expected = 0;
        for (char *s = out; *s; s++)
            lines += *s == '\n';
        for (size_t t = 0; t < m->n_tracks; t++)
            for (size_t i = 0; i < m->tracks[t].n_notes; i++)
                expected += m->tracks[t].notes[i].duration > 0;
        printf("musescore read %zu notes of %zu written\n", lines - 1, expected);
        assert_int_equal(lines - 1, expected);
    }
    free(out);
    musc_music_free(m);
    /* tuplets: MuseScore must place every note where musc wrote it */
    m = tuplet_music();
    remove(mid);
    assert_int_equal(musc_write(m, xml, &o), MUSC_OK);
    snprintf(cmd, sizeof cmd, "QT_QPA_PLATFORM=offscreen timeout 120 mscore3 -o '%s' '%s'", mid,
             xml);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/io/midi_notes.py' '%s'",
             getenv("MUSC_SOURCE_DIR") ? getenv("MUSC_SOURCE_DIR") : ".", mid);
    out = NULL;
    assert_int_equal(test_run(cmd, &out, NULL), 0);
    size_t found = 0;
    const char *line = strchr(out, '\n');
    while (line && line[1]) {
        int pitch, ch;
        double start, dur;
        if (sscanf(line + 1, "%d %lf %lf %d", &pitch, &start, &dur, &ch) == 4)
            for (size_t i = 0; i < m->tracks[0].n_notes; i++) {
                const musc_note *x = &m->tracks[0].notes[i];
                if (x->pitch == pitch && fabs((double)x->time / 60 - start) < 1.0 / 480)
                    found++;
            }
        line = strchr(line + 1, '\n');
    }
    printf("musescore placed %zu of %zu tuplet notes\n", found, m->tracks[0].n_notes);
    assert_int_equal(found, m->tracks[0].n_notes);
    free(out);
    musc_music_free(m);
    remove(xml);
    remove(mid);
    free(xml);
    free(mid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_music_reads_back_equal),
        cmocka_unit_test(empty_and_odd_meters),
        cmocka_unit_test(files_by_extension_and_overwrite),
        cmocka_unit_test(invalid_music_is_refused),
        cmocka_unit_test(shared_files_round_trip),
        cmocka_unit_test(tuplets_are_written_with_time_modification),
        cmocka_unit_test(musescore_opens_written_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
