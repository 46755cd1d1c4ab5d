/*
 * Helpers shared by the benchmark programs under bench/ (not part of the
 * library, not a test). Header-only so that each script in bench/ can keep
 * compiling its program from one .c file.
 *
 *   bench_now()       wall-clock seconds (CLOCK_MONOTONIC)
 *   bench_cpu_now()   CPU seconds used by this process, all threads
 *   bench_keep_best() keeps the fastest of several passes: on a shared
 *                     machine the least disturbed pass is the fairest one
 *
 * Define BENCH_WITH_SGEMM before including it (with OpenMP and cblas.h
 * available) to get bench_sgemm_gflops().
 */
#ifndef MUSC_BENCH_COMMON_H
#define MUSC_BENCH_COMMON_H

#include <stdlib.h>
#include <time.h>

static inline double bench_clock(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double bench_now(void)
{
    return bench_clock(CLOCK_MONOTONIC);
}

static inline double bench_cpu_now(void)
{
    return bench_clock(CLOCK_PROCESS_CPUTIME_ID);
}

/* Wall and CPU seconds of one pass. */
typedef struct bench_timing {
    double wall, cpu;
} bench_timing;

/* Ends a pass that began at (wall0, cpu0) and keeps it in *best when it is
 * the fastest so far by wall clock. */
static inline void bench_keep_best(bench_timing *best, double wall0, double cpu0)
{
    double wall = bench_now() - wall0;
    double cpu = bench_cpu_now() - cpu0;
    if (best->wall == 0 || wall < best->wall)
        *best = (bench_timing){wall, cpu};
}

#ifdef BENCH_WITH_SGEMM
/* sgemm throughput with the engine's scheme: each OpenMP thread multiplies
 * its block of rows with single-threaded OpenBLAS. Best of 5 runs, GFLOP/s. */
static inline double bench_sgemm_gflops(int threads, int M, int N, int K)
{
    float *a = calloc((size_t)M * K, 4), *b = calloc((size_t)N * K, 4), *c = calloc((size_t)M * N, 4);
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        return 0;
    }
    for (size_t i = 0; i < (size_t)M * K; i++)
        a[i] = 0.001f * (float)(i % 97);
    for (size_t i = 0; i < (size_t)N * K; i++)
        b[i] = 0.001f * (float)(i % 89);
    omp_set_num_threads(threads);
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = bench_now();
#pragma omp parallel
        {
            int nt = omp_get_num_threads(), id = omp_get_thread_num();
            int lo = M * id / nt, hi = M * (id + 1) / nt;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, hi - lo, N, K, 1.0f,
                        a + (size_t)lo * K, K, b, K, 0.0f, c + (size_t)lo * N, N);
        }
        double t = bench_now() - t0;
        if (t < best)
            best = t;
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * M * N * K / best / 1e9;
}
#endif

#endif
