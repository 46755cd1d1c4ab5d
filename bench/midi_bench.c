/*
 * MIDI speed of musc, for bench/midi.sh (not a test).
 *
 * Usage: midi_bench [-r REPEATS] FILE...
 *
 * Three measurements over the same files, each the best of REPEATS passes
 * (the best pass is the least disturbed one on a shared machine):
 *   read_file  musc_midi_read: open, read and parse each file;
 *   parse_mem  musc_midi_read_mem on files already in memory;
 *   write_mem  musc_midi_write_mem of each parsed music.
 * One line per measurement: "NAME files=N bytes=B seconds=S cpu_seconds=C",
 * where bytes are the bytes parsed (input) or produced (output) per pass.
 */
#define _POSIX_C_SOURCE 200809L
#include "musc/musc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

static void report(const char *name, size_t files, size_t bytes, bench_timing t)
{
    printf("%s files=%zu bytes=%zu seconds=%.6f cpu_seconds=%.6f\n", name, files, bytes, t.wall,
           t.cpu);
}

static int die(const char *what, const char *path)
{
    fprintf(stderr, "midi_bench: %s %s: %s\n", what, path, musc_errmsg());
    return 1;
}

int main(int argc, char **argv)
{
    int repeats = 5, first = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        repeats = atoi(argv[2]);
        first = 3;
    }
    size_t n = (size_t)(argc - first);
    if (n == 0 || repeats < 1) {
        fprintf(stderr, "usage: midi_bench [-r REPEATS] FILE...\n");
        return 2;
    }
    char **paths = argv + first;
    uint8_t **data = calloc(n, sizeof *data);
    size_t *size = calloc(n, sizeof *size);
    musc_music **music = calloc(n, sizeof *music);
    if (!data || !size || !music)
        return die("out of memory", "");
    size_t in_bytes = 0, out_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (musc_file_read_all(paths[i], 0, &data[i], &size[i]))
            return die("cannot read", paths[i]);
        in_bytes += size[i];
    }

    bench_timing best = {0, 0};
    for (int r = 0; r < repeats; r++) {
        double w = bench_now(), c = bench_cpu_now();
        for (size_t i = 0; i < n; i++) {
            musc_music *m;
            if (musc_midi_read(paths[i], NULL, &m, NULL))
                return die("cannot parse", paths[i]);
            musc_music_free(m);
        }
        bench_keep_best(&best, w, c);
    }
    report("read_file", n, in_bytes, best);

    best = (bench_timing){0, 0};
    for (int r = 0; r < repeats; r++) {
        double w = bench_now(), c = bench_cpu_now();
        for (size_t i = 0; i < n; i++) {
            musc_music *m;
            if (musc_midi_read_mem(data[i], size[i], NULL, &m, NULL))
                return die("cannot parse", paths[i]);
            musc_music_free(m);
        }
        bench_keep_best(&best, w, c);
    }
    report("parse_mem", n, in_bytes, best);

    for (size_t i = 0; i < n; i++)
        if (musc_midi_read_mem(data[i], size[i], NULL, &music[i], NULL))
            return die("cannot parse", paths[i]);
    best = (bench_timing){0, 0};
    for (int r = 0; r < repeats; r++) {
        out_bytes = 0;
        double w = bench_now(), c = bench_cpu_now();
        for (size_t i = 0; i < n; i++) {
            uint8_t *out;
            size_t out_size;
            if (musc_midi_write_mem(music[i], &out, &out_size))
                return die("cannot write", paths[i]);
            out_bytes += out_size;
            free(out);
        }
        bench_keep_best(&best, w, c);
    }
    report("write_mem", n, out_bytes, best);

    for (size_t i = 0; i < n; i++) {
        musc_music_free(music[i]);
        free(data[i]);
    }
    free(music);
    free(data);
    free(size);
    return 0;
}
