/*
 * Cross-check of the MIDI reader against mido, the Python MIDI peer: for
 * every POP909 and Nottingham MIDI file, the multiset of notes (channel,
 * pitch, start tick, end tick, velocity) musc reads must equal the one
 * built from mido's messages with the same pairing rule (FIFO per channel
 * and pitch within a MIDI track, note-on velocity 0 = off, unmatched offs
 * ignored, open notes closed at the track's last event). The Python side,
 * tests/io/mido_notes.py, handles every file in one process. Every tenth
 * file is also written by musc and read by mido, which must find the same
 * notes again: an independent reader's check of the writer. Skips visibly
 * without Debian's python3-mido or the shared data.
 */
#include "test_support.h"
#include "musc/musc.h"


#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PYTHON "/usr/bin/python3" /* Debian's modules belong to this one */
#define WRITTEN_EVERY 10                /* how often a file is also checked as musc writes it */

typedef struct note5 {
    int64_t start, end;
    int channel, pitch, velocity;
} note5;

static int cmp_note5(const void *pa, const void *pb)
{
    const note5 *a = pa, *b = pb;
#define C(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    C(channel); C(pitch); C(start); C(end); C(velocity);
#undef C
    return 0;
}

/* The notes musc reads from `path`, sorted; NULL on a read error. */
static note5 *musc_notes(const char *path, size_t *n)
{
    musc_music *m = NULL;
    if (musc_midi_read(path, NULL, &m, NULL))
        return NULL;
    size_t total = musc_music_note_count(m), k = 0;
    note5 *v = malloc((total ? total : 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < m->n_tracks; i++) {
        const musc_track *t = &m->tracks[i];
        for (size_t j = 0; j < t->n_notes; j++)
            v[k++] = (note5){t->notes[j].time, t->notes[j].time + t->notes[j].duration,
                             t->channel, t->notes[j].pitch, t->notes[j].velocity};
    }
    musc_music_free(m);
    qsort(v, k, sizeof *v, cmp_note5);
    *n = k;
    return v;
}

/* Field by field: the struct has padding, so no memcmp. */
static int same_notes(const note5 *a, const note5 *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cmp_note5(&a[i], &b[i]))
            return 0;
    return 1;
}

static void print_note(const char *who, const note5 *x)
{
    print_error("  %s: channel %d pitch %d start %" PRId64 " end %" PRId64 " velocity %d\n", who,
                x->channel, x->pitch, x->start, x->end, x->velocity);
}

static void notes_equal_mido_notes(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        print_message("SKIP: the mido cross-check needs ../shared/data\n");
        skip();
    }
    if (test_run(PYTHON " -c 'import mido' 2>/dev/null", NULL, NULL) != 0) {
        print_message("SKIP: the mido cross-check needs python3-mido for " PYTHON "\n");
        skip();
    }
    const char *src = getenv("MUSC_SOURCE_DIR");
    if (!src || !*src)
        src = ".";

    glob_t g = {0};
    char pat[1024];
    const char *patterns[] = {"pop909/POP909/*/[0-9][0-9][0-9].mid", "nottingham/MIDI/*.mid",
                              "nottingham/MIDI/*/*.mid"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(pat, sizeof pat, "%s/%s", data, patterns[i]);
        glob(pat, i ? GLOB_APPEND : 0, NULL, &g);
    }
    if (!g.gl_pathc) {
        print_message("SKIP: no POP909 or Nottingham MIDI files under %s\n", data);
        globfree(&g);
        skip();
    }

    /* mido reads every dataset file and also every WRITTEN_EVERY-th one as
     * musc wrote it; both must give the notes musc reads from the original.
     * origin[k] is the original behind the k-th listed file. */
    char *list = test_tmp_path("mido_notes.list"), *out = test_tmp_path("mido_notes.out");
    FILE *f = fopen(list, "w");
    assert_non_null(f);
    size_t listed = 0, failures = 0;
    const char **origin = malloc(2 * g.gl_pathc * sizeof *origin);
    assert_non_null(origin);
    for (size_t i = 0; i < g.gl_pathc; i += SAMPLE) {
        fprintf(f, "%s\n", g.gl_pathv[i]);
        origin[listed++] = g.gl_pathv[i];
        if ((i / SAMPLE) % WRITTEN_EVERY)
            continue;
        char name[64];
        snprintf(name, sizeof name, "mido_written_%zu.mid", i);
        char *written = test_tmp_path(name);
        musc_music *m = NULL;
        musc_write_options wo = musc_write_options_default();
        wo.overwrite = 1;
        if (musc_midi_read(g.gl_pathv[i], NULL, &m, NULL) || musc_midi_write(m, written, &wo)) {
            print_error("%s: cannot read and write it: %s\n", g.gl_pathv[i], musc_errmsg());
            failures++;
        } else {
            fprintf(f, "%s\n", written);
            origin[listed++] = g.gl_pathv[i];
        }
        musc_music_free(m);
        free(written);
    }
    assert_int_equal(fclose(f), 0);
    size_t cmd_size = strlen(src) + strlen(list) + strlen(out) + 64;
    char *cmd = malloc(cmd_size);
    snprintf(cmd, cmd_size, PYTHON " '%s/tests/io/mido_notes.py' '%s' '%s'", src, list, out);
    char *err = NULL;
    int rc = test_run(cmd, NULL, &err);
    if (rc != 0)
        fail_msg("%s failed (%d): %s", cmd, rc, err ? err : "");
    free(err);
    free(cmd);

    f = fopen(out, "r");
    assert_non_null(f);
    size_t files = 0, notes = 0, written_files = 0;
    size_t cap = 1024;
    note5 *theirs = malloc(cap * sizeof *theirs);
    char *line = NULL;
    size_t line_cap = 0;
    while (getline(&line, &line_cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == 'E') {
            print_error("mido cannot read it: %s\n", line + 2);
            failures++;
            files++;
            continue;
        }
        size_t n;
        int off;
        if (sscanf(line, "F %zu %n", &n, &off) != 1)
            fail_msg("bad line from mido_notes.py: %s", line);
        char *path = strdup(line + off);
        if (n > cap) {
            cap = n;
            theirs = realloc(theirs, cap * sizeof *theirs);
        }
        for (size_t i = 0; i < n; i++) {
            note5 *x = &theirs[i];
            if (getline(&line, &line_cap, f) <= 0 ||
                sscanf(line, "%d %d %" SCNd64 " %" SCNd64 " %d", &x->channel, &x->pitch,
                       &x->start, &x->end, &x->velocity) != 5)
                fail_msg("truncated output from mido_notes.py at %s", path);
        }
        /* Python sorts tuples in the same field order */
        if (files >= listed)
            fail_msg("mido_notes.py reported more files than it was given");
        const char *original = origin[files++];
        written_files += strcmp(original, path) != 0;
        size_t mine_n = 0;
        note5 *mine = musc_notes(original, &mine_n);
        if (!mine) {
            if (failures++ < 10)
                print_error("%s: musc cannot read it: %s\n", original, musc_errmsg());
        } else if (mine_n != n || !same_notes(mine, theirs, n)) {
            if (failures++ < 10) {
                print_error("%s: musc reads %zu notes from %s, mido %zu\n", path, mine_n,
                            original, n);
                size_t i = 0;
                while (i < n && i < mine_n && cmp_note5(&mine[i], &theirs[i]) == 0)
                    i++;
                if (i < mine_n)
                    print_note("musc", &mine[i]);
                if (i < n)
                    print_note("mido", &theirs[i]);
            }
        } else {
            notes += n;
        }
        free(mine);
        if (strcmp(original, path) != 0)
            remove(path); /* a file musc wrote for this check */
        free(path);
    }
    free(line);
    fclose(f);
    free(theirs);
    print_message("mido cross-check: %zu files (%zu of them written by musc), %zu notes agree, "
                  "%zu failures\n", files, written_files, notes, failures);
    assert_int_equal(files, listed);
    assert_int_equal(failures, 0);
    free(origin);
    globfree(&g);
    free(list);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(notes_equal_mido_notes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
