/*
 * musc's MusicXML reader against MuseScore 3: for the Bach chorales and the
 * string quartets of ../shared/data, musc's notes must equal those of
 * MuseScore's MIDI export of the same file, as (pitch, start, duration) in
 * quarter notes. MuseScore plays a note a little shorter than written (its
 * default gate) and articulations (staccato...) shorten it further, so a
 * duration agrees when MuseScore's is within [0.4, 1] of musc's, minus
 * 1/64 quarter; pitch and start must be equal (to 1/480 quarter).
 *
 * MIDI cannot sound one pitch twice at once on a channel, so on both sides
 * a note that starts while the same pitch sounds in the same part (musc
 * track, MIDI channel) is left out. musc reads with
 * MUSC_MUSICXML_PLAY_ORNAMENTS (ornaments and grace notes played as
 * MuseScore does). Files that still disagree are "explained" when they hold
 * ornaments or grace notes (trill-mark, mordent, turn, tremolo, grace);
 * the rest are listed as unexplained. Per-note agreement (same pitch and
 * start, each note used once) is printed per set.
 *
 * One MuseScore process converts every file (a job file), so the run takes
 * about a second per file on an idle machine. By default every 40th file is
 * compared; set MUSC_MUSESCORE_SAMPLE=1 for all of them (and
 * MUSC_MUSESCORE_CACHE=DIR to keep MuseScore's MIDI files between runs). Skips visibly
 * without mscore3, Debian's python3-mido or the shared data, and under the
 * sanitizers.
 *
 * Results, all 457 files (MUSC_MUSESCORE_SAMPLE=1
 * MUSC_MUSESCORE_CACHE=/tmp/msc-cache ctest -R io_test_musicxml_musescore -V),
 * 2026-11-25, files equal / notes at the same pitch and start:
 *                 first round        second round       third round
 *   Bach          406/410  99.98 %   407/410  99.99 %   408/410  99.99 %
 *   Beethoven       2/22   76.3 %      3/22   97.02 %     4/22   97.07 %
 *   Haydn           3/9    99.3 %      3/9    99.63 %     3/9    99.72 %
 *   Mozart         10/16   95.6 %     13/16   99.70 %    14/16   99.74 %
 * What closed the gap (each checked against mscore3 on small scores):
 * repeats (a second ending after a first that stops before its backward
 * repeat, a forward repeat on a second ending: op. 18 nos. 3 and 4; the
 * same group after a D.C.: op. 132), words that are jumps only as a whole
 * standard phrase (K. 80/4), graces after a note (Nachschlag; at a trill's
 * speed after a trill), appoggiaturas before dotted notes (2/3), per-mille
 * timing of ornament and grace notes rounded down on the 480 grid, trill
 * wavy lines (unstopped: plain; stopped: every note under it trills) and
 * ties out of underfilled measures (op. 18 no. 1/3). Third round: a drawn
 * tie (<tied type="start">) joins the next note of its voice at the same
 * pitch even without a tie stop (E flat tied to D sharp, Haydn op. 74
 * no. 1/4 m. 88); graces before an ornamented note are the ornament's
 * first notes at its speed, the trill's pairs filling the slots left (an
 * odd one lengthening the last note), and the ornament's neighbours ignore
 * the accidentals of the note's own graces (Beethoven op. 59 no. 3/1
 * m. 13 and 178-182: MuseScore's rules, measured on small scores).
 * What remains, one example each:
 *  - MuseScore drops the whole finale of beethoven/opus18no5 (a backward
 *    repeat at m. 584 with no forward repeat after m. 438; MuseScore's
 *    repeat list ends after replaying 438-444): MuseScore is wrong, the
 *    file is defective; musc replays 438-584 and plays the finale.
 *  - An overfull measure with 7:4 64ths and an untyped rest
 *    (beethoven/opus18no1/movement2, m. 96): MuseScore's rounding makes the
 *    bar 0.03 quarter longer, so every later note is shifted; musc keeps
 *    the exact divisions.
 *  - Grace notes without <type> (beethoven/opus18no4 m. 2, opus18no5
 *    m. 286): MuseScore places them in ways not reproduced; musc plays them
 *    as appoggiaturas.
 *  - Untyped notes of odd length: haydn/opus1no1/movement4 m. 7 writes a
 *    trill out in a hidden second voice whose first note (5/24 quarter)
 *    has no <type>; MuseScore sounds each untyped note a whole quarter
 *    (measured), so later notes of that pitch vanish in its MIDI (both
 *    violins also share channel 1). musc keeps <duration>.
 *  - A tie start with no stop, followed by another pitch (haydn/opus74no1/
 *    movement4 m. 223 and 273, mozart/k156/movement1 m. 40): MuseScore
 *    ties it to the next note of that pitch however far on, over the notes
 *    between, so that note is not struck again; musc ends the tie (a
 *    MuseScore artefact, not a MIDI or channel one). MuseScore also reads
 *    no tie from <tie> alone (without <tied>), where musc follows <tie>.
 *  - A trill under a wavy line that starts and only continues (never
 *    stops) after graces (mozart/k458/movement1 m. 26): MuseScore plays it
 *    (graces merged), musc plays it plain as for other unstopped lines.
 *  - Bach: bwv362 (two voices on one pitch), bwv183.5 (a trill on the
 *    second note of a tie).
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

typedef struct qnote {
    int pitch, group; /* group: musc track or MIDI channel */
    double start, dur;
} qnote;

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list;

static void add_path(file_list *l, const char *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->paths = realloc(l->paths, l->cap * sizeof *l->paths);
    }
    l->paths[l->n++] = strdup(p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan(const char *dir, file_list *l)
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
        if (S_ISDIR(st.st_mode))
            scan(path, l);
        else if (musc_format_from_path(path) == MUSC_FORMAT_MXL ||
                 musc_format_from_path(path) == MUSC_FORMAT_MUSICXML)
            add_path(l, path);
    }
    closedir(d);
}

static int cmp_group(const void *a, const void *b)
{
    const qnote *x = a, *y = b;
    if (x->group != y->group)
        return x->group - y->group;
    if (x->pitch != y->pitch)
        return x->pitch - y->pitch;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->dur > y->dur ? -1 : x->dur < y->dur; /* the longest note is kept */
}

/* Leave out notes that start while their pitch sounds in their group. */
static size_t drop_unisons(qnote *q, size_t n)
{
    qsort(q, n, sizeof *q, cmp_group);
    size_t k = 0;
    double end = 0;
    for (size_t i = 0; i < n; i++) {
        int same = k && q[k - 1].group == q[i].group && q[k - 1].pitch == q[i].pitch;
        if (same && q[i].start < end - 1.0 / 256)
            continue;
        if (!same || q[i].start + q[i].dur > end)
            end = q[i].start + q[i].dur;
        q[k++] = q[i];
    }
    return k;
}

static int cmp_qnote(const void *a, const void *b)
{
    const qnote *x = a, *y = b;
    if (x->pitch != y->pitch)
        return x->pitch - y->pitch;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->dur < y->dur ? -1 : x->dur > y->dur;
}

/* musc's notes in quarters, sorted; NULL with *n = 0 on a read error. */
static qnote *musc_notes(const char *path, size_t *n, char *why, size_t why_size)
{
    musc_music *m = NULL;
    *n = 0;
    musc_read_options o = musc_read_options_default();
    /* MUSC_MUSESCORE_WRITTEN=1: the written notes (the default read), for
     * comparison */
    o.flags = getenv("MUSC_MUSESCORE_WRITTEN") ? 0 : MUSC_MUSICXML_PLAY_ORNAMENTS;
    if (musc_read(path, &o, &m, NULL) != MUSC_OK) {
        snprintf(why, why_size, "musc cannot read it: %s", musc_errmsg());
        return NULL;
    }
    size_t total = musc_music_note_count(m), k = 0;
    qnote *q = malloc((total ? total : 1) * sizeof *q);
    for (size_t t = 0; t < m->n_tracks; t++)
        for (size_t i = 0; i < m->tracks[t].n_notes; i++) {
            const musc_note *x = &m->tracks[t].notes[i];
            if (x->duration == 0)
                continue; /* MuseScore writes nothing for these */
            /* parts sharing a <midi-channel> share it in MuseScore's MIDI */
            int group = m->tracks[t].channel >= 0 ? m->tracks[t].channel : 1000 + (int)t;
            q[k++] = (qnote){x->pitch, group, (double)x->time / m->resolution,
                             (double)x->duration / m->resolution};
        }
    musc_music_free(m);
    k = drop_unisons(q, k);
    qsort(q, k, sizeof *q, cmp_qnote);
    *n = k;
    return q;
}

/* Notes of a (musc) found in b (MuseScore) at the same pitch and start,
 * each used once; both sorted by pitch, then start. */
static size_t matched_notes(const qnote *a, size_t na, const qnote *b, size_t nb)
{
    size_t i = 0, j = 0, hits = 0;
    while (i < na && j < nb) {
        if (a[i].pitch != b[j].pitch) {
            if (a[i].pitch < b[j].pitch)
                i++;
            else
                j++;
        } else if (fabs(a[i].start - b[j].start) <= 1.0 / 480 + 1e-9) {
            hits++;
            i++;
            j++;
        } else if (a[i].start < b[j].start) {
            i++;
        } else {
            j++;
        }
    }
    return hits;
}

static int compare(const qnote *a, size_t na, const qnote *b, size_t nb, char *why, size_t ws)
{
    if (na != nb) {
        snprintf(why, ws, "%zu notes in musc, %zu in MuseScore", na, nb);
        return 0;
    }
    for (size_t i = 0; i < na; i++) {
        if (a[i].pitch != b[i].pitch || fabs(a[i].start - b[i].start) > 1.0 / 480 + 1e-9) {
            snprintf(why, ws, "note %zu: musc (%d at %.4f) vs MuseScore (%d at %.4f)", i,
                     a[i].pitch, a[i].start, b[i].pitch, b[i].start);
            return 0;
        }
        if (b[i].dur > a[i].dur + 1.0 / 480 + 1e-9 || b[i].dur < 0.4 * a[i].dur - 1.0 / 64) {
            snprintf(why, ws, "note %zu (%d at %.4f): duration %.4f in musc, %.4f in MuseScore",
                     i, a[i].pitch, a[i].start, a[i].dur, b[i].dur);
            return 0;
        }
    }
    return 1;
}

/* The score holds marks MuseScore plays as extra notes. UTF-16 files are
 * searched with their zero bytes dropped (the tags are ASCII). */
static int has_ornaments(const char *path)
{
    size_t size;
    char *raw = test_read_file(path, &size);
    if (!raw)
        return 0;
    uint8_t *xml = (uint8_t *)raw;
    size_t n = size;
    if (size > 2 && raw[0] == 'P' && raw[1] == 'K') {
        if (musc_mxl_extract((uint8_t *)raw, size, &xml, &n, NULL) != MUSC_OK) {
            free(raw);
            return 0;
        }
        free(raw);
        raw = NULL;
    }
    char *text = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (xml[i])
            text[k++] = (char)xml[i];
    text[k] = '\0';
    const char *marks[] = {"<trill-mark", "<mordent", "<inverted-mordent", "<turn",
                           "<inverted-turn", "<tremolo", "<grace"};
    int found = 0;
    for (size_t i = 0; i < sizeof marks / sizeof *marks && !found; i++)
        found = strstr(text, marks[i]) != NULL;
    free(text);
    if (raw)
        free(raw);
    else
        free(xml);
    return found;
}

static void musc_notes_equal_musescore_midi(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: musescore comparison needs ../shared/data\n");
        skip();
    }
    if (test_run("command -v mscore3", NULL, NULL) != 0) {
        printf("SKIP: musescore comparison needs mscore3 (apt-get install musescore3)\n");
        skip();
    }
    if (test_run("/usr/bin/python3 -c 'import mido'", NULL, NULL) != 0) {
        printf("SKIP: musescore comparison needs Debian's python3-mido\n");
        skip();
    }
#if defined(__SANITIZE_ADDRESS__)
    printf("SKIP: musescore comparison is not run under the sanitizers (MuseScore does the "
           "work)\n");
    skip();
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    printf("SKIP: musescore comparison is not run under the sanitizers (MuseScore does the "
           "work)\n");
    skip();
#endif
#endif
    size_t sample = 40;
    if (getenv("MUSC_MUSESCORE_SAMPLE"))
        sample = (size_t)strtoul(getenv("MUSC_MUSESCORE_SAMPLE"), NULL, 10);
    if (sample < 1)
        sample = 1;
    const char *sets[] = {"bach", "beethoven", "haydn", "mozart"};
    file_list all = {0};
    size_t set_of[4096];
    for (size_t s = 0; s < 4; s++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/music21_corpus/%s", data, sets[s]);
        file_list l = {0};
        scan(dir, &l);
        qsort(l.paths, l.n, sizeof *l.paths, cmp_str);
        for (size_t i = 0; i < l.n; i++) {
            if (i % sample == 0 && all.n < 4096) {
                set_of[all.n] = s;
                add_path(&all, l.paths[i]);
            }
            free(l.paths[i]);
        }
        free(l.paths);
    }
    /* one MuseScore run converts them all */
    char *job = test_tmp_path("musescore-job.json");
    FILE *f = fopen(job, "w");
    assert_non_null(f);
    fprintf(f, "[\n");
    /* MUSC_MUSESCORE_CACHE=DIR keeps MuseScore's MIDI files there (named by
     * the path under music21_corpus) and converts only the missing ones, so
     * a full run can be spread over several calls on a slow machine */
    const char *cache = getenv("MUSC_MUSESCORE_CACHE");
    char **mids = calloc(all.n ? all.n : 1, sizeof *mids);
    size_t to_convert = 0;
    for (size_t i = 0; i < all.n; i++) {
        char name[64];
        snprintf(name, sizeof name, "musescore-%04zu.mid", i);
        mids[i] = test_tmp_path(name);
        remove(mids[i]);
        char cached[4096] = "";
        if (cache) {
            const char *rel = strstr(all.paths[i], "music21_corpus/");
            rel = rel ? rel + strlen("music21_corpus/") : all.paths[i];
            int k = snprintf(cached, sizeof cached, "%s/", cache);
            for (; *rel && k < (int)sizeof cached - 5; rel++)
                cached[k++] = *rel == '/' ? '_' : *rel;
            snprintf(cached + k, sizeof cached - (size_t)k, ".mid");
            if (symlink(cached, mids[i]) != 0)
                cached[0] = '\0';
        }
        struct stat st;
        if (*cached && stat(cached, &st) == 0)
            continue;
        fprintf(f, "%s{\"in\": \"%s\", \"out\": \"%s\"}\n", to_convert++ ? "," : "",
                all.paths[i], *cached ? cached : mids[i]);
    }
    fprintf(f, "]\n");
    fclose(f);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "QT_QPA_PLATFORM=offscreen timeout 540 mscore3 -j '%s'", job);
    if (to_convert)
        test_run(cmd, NULL, NULL);
    /* MuseScore's notes through mido */
    char *list = test_tmp_path("musescore-notes.txt");
    snprintf(cmd, sizeof cmd, "cd '%s' && /usr/bin/python3 '%s/tests/io/midi_notes.py' "
                              "musescore-*.mid > '%s'",
             test_tmp_dir(), getenv("MUSC_SOURCE_DIR") ? getenv("MUSC_SOURCE_DIR") : ".", list);
    assert_int_equal(test_run(cmd, NULL, NULL), 0);
    size_t size;
    char *text = test_read_file(list, &size);
    assert_non_null(text);

    size_t passed[4] = {0}, count[4] = {0}, explained[4] = {0}, hits[4] = {0}, notes[4] = {0};
    char *cursor = text;
    for (size_t i = 0; i < all.n; i++) {
        count[set_of[i]]++;
        /* find this file's block: "# musescore-%04zu.mid" */
        char head[64];
        snprintf(head, sizeof head, "# musescore-%04zu.mid\n", i);
        char *block = strstr(cursor, head);
        char why[512] = "";
        qnote *ms = NULL;
        size_t nms = 0, cap = 0;
        if (!block) {
            snprintf(why, sizeof why, "MuseScore wrote no MIDI");
        } else {
            char *s = block + strlen(head);
            while (*s && *s != '#' && *s != '!') {
                qnote q;
                int used = 0;
                if (sscanf(s, "%d %lf %lf %d%n", &q.pitch, &q.start, &q.dur, &q.group, &used) !=
                    4)
                    break;
                if (nms == cap) {
                    cap = cap ? 2 * cap : 256;
                    ms = realloc(ms, cap * sizeof *ms);
                }
                ms[nms++] = q;
                s += used;
                while (*s == '\n')
                    s++;
            }
            if (*s == '!')
                snprintf(why, sizeof why, "MuseScore's MIDI is unreadable");
            cursor = s;
        }
        size_t nm = 0;
        qnote *mu = *why ? NULL : musc_notes(all.paths[i], &nm, why, sizeof why);
        if (!*why) {
            nms = drop_unisons(ms, nms);
            qsort(ms, nms, sizeof *ms, cmp_qnote);
            if (compare(mu, nm, ms, nms, why, sizeof why))
                passed[set_of[i]]++;
            hits[set_of[i]] += matched_notes(mu, nm, ms, nms);
            notes[set_of[i]] += nm > nms ? nm : nms;
        }
        if (*why && has_ornaments(all.paths[i])) {
            explained[set_of[i]]++;
        } else if (*why) {
            printf("musescore mismatch (unexplained) %s: %s\n", all.paths[i], why);
        }
        free(mu);
        free(ms);
    }
    size_t tp = 0, tc = 0, te = 0;
    for (size_t s = 0; s < 4; s++) {
        printf("musescore agreement %-10s %3zu / %3zu files equal (%.1f%%), %zu differ by "
               "ornaments or grace notes, %zu unexplained%s\n",
               sets[s], passed[s], count[s], count[s] ? 100.0 * passed[s] / count[s] : 0.0,
               explained[s], count[s] - passed[s] - explained[s],
               sample > 1 ? " (sampled)" : "");
        printf("musescore agreement %-10s %zu / %zu notes (%.2f%%) at the same pitch and start\n",
               sets[s], hits[s], notes[s], notes[s] ? 100.0 * hits[s] / notes[s] : 0.0);
        tp += passed[s];
        tc += count[s];
        te += explained[s];
    }
    printf("musescore agreement all        %3zu / %3zu files equal (%.1f%%), %.1f%% with the "
           "ornament/grace files set aside\n",
           tp, tc, tc ? 100.0 * tp / tc : 0.0, tc > te ? 100.0 * tp / (tc - te) : 0.0);
    assert_true(tc > 0);
    assert_true(tp * 1000 >= (tc - te) * 995); /* unexplained differences stay rare */
    for (size_t i = 0; i < all.n; i++) {
        remove(mids[i]);
        free(mids[i]);
        free(all.paths[i]);
    }
    remove(list);
    remove(job);
    free(mids);
    free(all.paths);
    free(text);
    free(list);
    free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(musc_notes_equal_musescore_midi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
