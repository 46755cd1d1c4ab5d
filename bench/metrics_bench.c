/*
 * Metrics speed of musc, for bench/metrics.sh (not a test).
 *
 * Usage: metrics_bench [-r REPEATS] FILE...
 *
 * Each measurement is the best of REPEATS passes over all files:
 *   read_metrics    musc_read + musc_metrics_compute (every metric), 1 thread
 *   metrics_only    musc_metrics_compute on music already in memory, 1 thread
 *   read_metrics_2t read + compute on 2 threads (files split between them)
 * One line each: "NAME files=N seconds=S cpu_seconds=C". Then one line
 * "means pitch_class_entropy=.. scale_consistency=.. groove_consistency=.."
 * (over the files where each is defined) for the cross-check with the
 * Python peer.
 */
#define _POSIX_C_SOURCE 200809L
#include "musc/musc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"

typedef struct work {
    char **paths;
    size_t begin, end, step;
    int failed;
} work;

static void *run(void *arg)
{
    work *w = arg;
    for (size_t i = w->begin; i < w->end; i += w->step) {
        musc_music *m = NULL;
        musc_metrics r;
        if (musc_read(w->paths[i], NULL, &m, NULL) || musc_metrics_compute(m, NULL, &r)) {
            w->failed = 1;
            musc_music_free(m);
            continue;
        }
        musc_metrics_clear(&r);
        musc_music_free(m);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int repeats = 5, first = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        repeats = atoi(argv[2]);
        first = 3;
    }
    size_t n = (size_t)(argc - first);
    char **paths = argv + first;
    musc_music **music = calloc(n, sizeof *music);
    for (size_t i = 0; i < n; i++)
        if (musc_read(paths[i], NULL, &music[i], NULL)) {
            fprintf(stderr, "metrics_bench: %s: %s\n", paths[i], musc_errmsg());
            return 1;
        }
    bench_timing t1 = {0}, t0 = {0}, t2 = {0};
    for (int r = 0; r < repeats; r++) {
        double w = bench_now(), c = bench_cpu_now();
        work one = {paths, 0, n, 1, 0};
        run(&one);
        bench_keep_best(&t1, w, c);
        if (one.failed)
            return 1;
        w = bench_now();
        c = bench_cpu_now();
        for (size_t i = 0; i < n; i++) {
            musc_metrics m;
            musc_metrics_compute(music[i], NULL, &m);
            musc_metrics_clear(&m);
        }
        bench_keep_best(&t0, w, c);
        w = bench_now();
        c = bench_cpu_now();
        work a = {paths, 0, n, 2, 0}, b = {paths, 1, n, 2, 0};
        pthread_t th;
        pthread_create(&th, NULL, run, &b);
        run(&a);
        pthread_join(th, NULL);
        bench_keep_best(&t2, w, c);
    }
    printf("read_metrics files=%zu seconds=%.6f cpu_seconds=%.6f\n", n, t1.wall, t1.cpu);
    printf("metrics_only files=%zu seconds=%.6f cpu_seconds=%.6f\n", n, t0.wall, t0.cpu);
    printf("read_metrics_2t files=%zu seconds=%.6f cpu_seconds=%.6f\n", n, t2.wall, t2.cpu);
    double s[3] = {0};
    size_t k[3] = {0};
    for (size_t i = 0; i < n; i++) {
        musc_metrics m;
        musc_metrics_compute(music[i], NULL, &m);
        double v[3] = {m.pitch_class_entropy, m.scale_consistency, m.groove_consistency};
        for (int j = 0; j < 3; j++)
            if (!isnan(v[j])) {
                s[j] += v[j];
                k[j]++;
            }
        musc_metrics_clear(&m);
        musc_music_free(music[i]);
    }
    free(music);
    printf("means pitch_class_entropy=%.12f scale_consistency=%.12f groove_consistency=%.12f\n",
           s[0] / (double)k[0], s[1] / (double)k[1], s[2] / (double)k[2]);
    return 0;
}
