/*
 * Training throughput of the MMT model in musc: forward + backward + clip +
 * Adam steps on a batch of random (valid) MMT codes, on 1 and 2 OpenMP
 * threads, with the fraction of this machine's sgemm peak reached (measured
 * in the same run with the engine's scheme: one single-threaded OpenBLAS
 * sgemm per OpenMP thread, FFN-shaped). bench/mmt_torch.py trains the
 * identical model on the identical batch shape in PyTorch.
 *
 * usage: mmt_train_bench [PRESET B T STEPS]   (defaults small 8 512 4; T = input rows)
 * prints RESULT musc_tokens_per_s_1t=.. musc_tokens_per_s_2t=.. cpu_time_estimate_1t=..
 *        cpu_time_estimate_2t=..
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "musc/musc.h"
#define BENCH_WITH_SGEMM
#include "bench_common.h"

int main(int argc, char **argv)
{
    const char *preset = argc > 1 ? argv[1] : "small";
    int B = argc > 2 ? atoi(argv[2]) : 8, T = argc > 3 ? atoi(argv[3]) : 512;
    int steps = argc > 4 ? atoi(argv[4]) : 4;
    openblas_set_num_threads(1);
    musc_mmt_config cfg;
    if (musc_mmt_config_preset(preset, &cfg)) {
        fprintf(stderr, "%s\n", musc_errmsg());
        return 2;
    }
    cfg.max_seq_len = T;
    const int L = cfg.n_layer, C = cfg.d_model, F = cfg.d_ff;
    double sumv = 0;
    for (int f = 0; f < MUSC_MMT_FIELDS; f++)
        sumv += cfg.field_sizes[f];
    double matmul = (double)L * (4.0 * C * C + 2.0 * C * F) + C * sumv; /* weights per token */
    double fwd = 2.0 * matmul * B * T + 2.0 * L * B * (double)T * T * C; /* causal: T^2/2 x 2 */
    double step_flops = 3.0 * fwd;
    printf("OpenBLAS core: %s (OPENBLAS_CORETYPE=%s)\n", openblas_get_corename(),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset");
    printf("MMT %s: %d layers, width %d, %d heads, FFN %d, dropout %.1f, %.2f M parameters; batch "
           "%d x %d rows; %.1f GFLOP per step\n", preset, L, C, cfg.n_head, F, (double)cfg.dropout,
           musc_mmt_config_param_count(&cfg) / 1e6, B, T, step_flops / 1e9);
    int32_t *codes = malloc((size_t)B * (T + 1) * MUSC_MMT_FIELDS * sizeof *codes);
    srand(7);
    for (int i = 0; i < B * (T + 1); i++)
        for (int f = 0; f < MUSC_MMT_FIELDS; f++)
            codes[i * MUSC_MMT_FIELDS + f] = rand() % cfg.field_sizes[f];
    double tps[3] = {0}, cpu[3] = {0};
    for (int threads = 1; threads <= 2; threads++) {
        double peak = bench_sgemm_gflops(threads, B * T, F, C);
        omp_set_num_threads(threads);
        musc_mmt_model *m;
        musc_nn_adamw opt;
        musc_nn_adamw_config ac = musc_nn_adamw_default();
        ac.weight_decay = 0;
        if (musc_mmt_model_new(&cfg, NULL, 1, &m) ||
            musc_nn_adamw_init(&opt, musc_mmt_model_params(m), &ac)) {
            fprintf(stderr, "%s\n", musc_errmsg());
            return 1;
        }
        musc_mmt_model_init(m, 1);
        double loss = 0, t0 = 0, c0 = 0;
        for (int s = 0; s <= steps; s++) {
            if (s == 1)
                t0 = bench_now(), c0 = bench_cpu_now(); /* step 0 warms up */
            musc_nn_params_zero_grad(musc_mmt_model_params(m));
            if (musc_mmt_model_loss(m, codes, NULL, B, T + 1, 1, (uint64_t)s, 1, NULL, &loss,
                                    NULL)) {
                fprintf(stderr, "%s\n", musc_errmsg());
                return 1;
            }
            musc_nn_clip_grad_norm(musc_mmt_model_params(m), 1.0f);
            musc_nn_adamw_step(&opt, musc_mmt_model_params(m), 5e-4f);
        }
        double dt = (bench_now() - t0) / steps, dc = (bench_cpu_now() - c0) / steps;
        tps[threads] = B * T / dt;
        cpu[threads] = B * T / dc * threads;
        printf("threads %d: %.3f s/step, %.0f tokens/s, %.1f GFLOP/s = %.0f%% of sgemm peak %.1f "
               "GFLOP/s; CPU %.3f s/step (%.0f tokens/s if the cores were not shared); loss %.3f\n",
               threads, dt, tps[threads], step_flops / dt / 1e9,
               100.0 * step_flops / dt / 1e9 / peak, peak, dc, cpu[threads], loss);
        musc_nn_adamw_free(&opt);
        musc_mmt_model_free(m);
    }
    printf("RESULT musc_tokens_per_s_1t=%.0f musc_tokens_per_s_2t=%.0f cpu_time_estimate_1t=%.0f "
           "cpu_time_estimate_2t=%.0f\n", tps[1], tps[2], cpu[1], cpu[2]);
    free(codes);
    return 0;
}
