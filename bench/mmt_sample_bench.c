/*
 * Sampling speed of the MMT model: notes per second of musc_mmt_generate
 * (grammar-constrained, MMT's top-k filtering, batch 1) for a preset with
 * random weights, with the KV cache or recomputing the whole sequence per
 * row (as MMT's reference code does). End-of-song is masked until NOTES
 * notes, so every run samples exactly NOTES notes.
 *
 * usage: mmt_sample_bench PRESET NOTES THREADS CACHE(0|1) [REPEATS]
 * prints: RESULT preset=.. threads=.. cache=.. notes=.. rows=.. seconds=.. notes_per_s=..
 * cpu_seconds=.. notes_per_cpu_s=.. (CPU time of the process: on a shared
 * machine, notes per CPU-second x threads estimates the unloaded speed)
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "musc/musc.h"
#include "bench_common.h"

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s PRESET NOTES THREADS CACHE [REPEATS]\n", argv[0]);
        return 2;
    }
    const char *preset = argv[1];
    int notes = atoi(argv[2]), threads = atoi(argv[3]), cache = atoi(argv[4]);
    int repeats = argc > 5 ? atoi(argv[5]) : 1;
    musc_mmt_config cfg;
    musc_mmt_model *m;
    if (musc_mmt_config_preset(preset, &cfg) || musc_mmt_model_new(&cfg, NULL, 0, &m)) {
        fprintf(stderr, "%s\n", musc_errmsg());
        return 1;
    }
    musc_mmt_model_init(m, 1);
    omp_set_num_threads(threads);
    musc_mmt_sample_options o = musc_mmt_sample_options_default();
    o.min_notes = o.max_notes = notes;
    o.use_cache = cache;
    double best = 1e30, best_cpu = 1e30;
    size_t rows = 0, got = 0;
    for (int r = 0; r < repeats; r++) {
        o.seed = (uint64_t)r + 1;
        int32_t *codes;
        double t0 = bench_now(), c0 = bench_cpu_now();
        if (musc_mmt_generate(m, NULL, 0, &o, &codes, &rows, &got)) {
            fprintf(stderr, "%s\n", musc_errmsg());
            return 1;
        }
        double dt = bench_now() - t0, dc = bench_cpu_now() - c0;
        best = dt < best ? dt : best;
        best_cpu = dc < best_cpu ? dc : best_cpu;
        free(codes);
    }
    printf("RESULT preset=%s threads=%d cache=%d notes=%zu rows=%zu seconds=%.3f "
           "notes_per_s=%.1f cpu_seconds=%.3f notes_per_cpu_s=%.1f params=%zu\n",
           preset, threads, cache, got, rows, best, (double)got / best, best_cpu,
           (double)got / best_cpu,
           musc_mmt_config_param_count(&cfg));
    musc_mmt_model_free(m);
    return 0;
}
