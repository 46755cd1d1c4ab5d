/*
 * MusicXML and ABC reading speed of musc, for bench/notation.sh (not a test).
 *
 * Usage: notation_bench [-r REPEATS] [-o DIR] LISTFILE
 *
 * LISTFILE names one input per line (.mxl/.xml/.musicxml scores or .abc tune
 * books). Two measurements, each the best of REPEATS passes:
 *   read     open, read and parse each file into musc_music objects (an ABC
 *            book: every tune of it, musc_abc_read_book_mem);
 *   convert  the same, then write every music as a MIDI file into DIR with
 *            plain stdio (what the peers, MuseScore's and abc2midi's
 *            conversions, do; no fsync).
 * One line per measurement: "NAME files=N bytes=B tunes=T seconds=S
 * cpu_seconds=C", where bytes are the input bytes of a pass and tunes the
 * musics produced.
 */
#define _POSIX_C_SOURCE 200809L
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Read one input into *list (one music for a score, every tune of a book). */
static int read_input(const char *path, musc_music ***list, size_t *n)
{
    if (ends_with(path, ".abc")) {
        uint8_t *text;
        size_t size;
        if (musc_file_read_all(path, 0, &text, &size))
            return -1;
        musc_status st = musc_abc_read_book_mem((const char *)text, size, NULL, list, n, NULL);
        free(text);
        return st ? -1 : 0;
    }
    *list = malloc(sizeof **list);
    if (!*list)
        return -1;
    *n = 1;
    if (musc_read(path, NULL, &(*list)[0], NULL)) {
        free(*list);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = 3, a = 1;
    const char *outdir = "/tmp";
    while (a + 1 < argc && argv[a][0] == '-') {
        if (strcmp(argv[a], "-r") == 0)
            repeats = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "-o") == 0)
            outdir = argv[a + 1];
        a += 2;
    }
    if (a != argc - 1 || repeats < 1) {
        fprintf(stderr, "usage: notation_bench [-r REPEATS] [-o DIR] LISTFILE\n");
        return 2;
    }
    FILE *lf = fopen(argv[a], "r");
    if (!lf) {
        perror(argv[a]);
        return 1;
    }
    char **paths = NULL;
    size_t n = 0, cap = 0, bytes = 0;
    char line[4096];
    while (fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            paths = realloc(paths, cap * sizeof *paths);
            if (!paths)
                return 1;
        }
        paths[n++] = strdup(line);
        FILE *f = fopen(line, "rb");
        if (!f) {
            perror(line);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        bytes += (size_t)ftell(f);
        fclose(f);
    }
    fclose(lf);

    for (int task = 0; task < 2; task++) {
        bench_timing best = {0, 0};
        size_t tunes = 0;
        for (int r = 0; r < repeats; r++) {
            tunes = 0;
            double w = bench_now(), c = bench_cpu_now();
            for (size_t i = 0; i < n; i++) {
                musc_music **list;
                size_t k;
                if (read_input(paths[i], &list, &k)) {
                    fprintf(stderr, "notation_bench: %s: %s\n", paths[i], musc_errmsg());
                    return 1;
                }
                for (size_t t = 0; t < k; t++) {
                    if (task == 1) {
                        char out[4200];
                        snprintf(out, sizeof out, "%s/bench-%zu-%zu.mid", outdir, i, t);
                        uint8_t *mid;
                        size_t mid_size;
                        FILE *f = NULL;
                        if (musc_midi_write_mem(list[t], &mid, &mid_size) ||
                            !(f = fopen(out, "wb")) || fwrite(mid, 1, mid_size, f) != mid_size ||
                            fclose(f) != 0) {
                            fprintf(stderr, "notation_bench: cannot write %s\n", out);
                            return 1;
                        }
                        free(mid);
                    }
                }
                tunes += k;
                musc_music_list_free(list, k);
            }
            bench_keep_best(&best, w, c);
        }
        printf("%s files=%zu bytes=%zu tunes=%zu seconds=%.6f cpu_seconds=%.6f\n",
               task ? "convert" : "read", n, bytes, tunes, best.wall, best.cpu);
    }
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return 0;
}
