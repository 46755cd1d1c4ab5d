/*
 * Training-throughput benchmark of the musc neural engine: a GPT-style
 * decoder (token + position embeddings, n pre-LN blocks, LN, linear head,
 * softmax cross-entropy) trained with AdamW on random tokens, timed per
 * step (forward + backward + clip + AdamW) on 1 and 2 threads. Reports
 * tokens/s, model FLOP/s, and the fraction of this machine's sgemm peak
 * (measured here with the same single-threaded-sgemm-per-OpenMP-thread
 * scheme the engine uses). Also checks that 1- and 2-thread gradients agree.
 *
 * usage: nn_bench [layers width heads T B vocab steps]   (defaults 4 256 8 512 8 512 4)
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "musc/nn.h"
#define BENCH_WITH_SGEMM
#include "bench_common.h"

typedef struct {
    int L, C, NH, T, B, V;
    musc_nn_params p;
    musc_nn_decoder *dec;
    int tok, pos, headw, headb;
    int32_t *in, *tgt, *posidx;
    float *x, *dx, *dh, *logits, *dlogits, *lse;
    const float *h;
    musc_nn_adamw opt;
} model;

#define D(m, i) ((m)->p.tensors[i].data)
#define G(m, i) ((m)->p.tensors[i].grad)

static int model_new(model *m)
{
    int sv[2] = {m->V, m->C}, sp[2] = {m->T, m->C}, sb[1] = {m->V};
    m->tok = musc_nn_params_add(&m->p, "wte", 2, sv, MUSC_NN_NO_DECAY);
    m->pos = musc_nn_params_add(&m->p, "wpe", 2, sp, MUSC_NN_NO_DECAY);
    /* residual dropout 0.1 as bench/nn_torch.py; no attention dropout there */
    musc_nn_decoder_config cfg = {m->L, m->C, m->NH, 4 * m->C, 0.1f, 0.0f};
    if (musc_nn_decoder_new(&cfg, &m->p, "", &m->dec) != MUSC_OK)
        return -1;
    m->headw = musc_nn_params_add(&m->p, "head.w", 2, sv, 0);
    m->headb = musc_nn_params_add(&m->p, "head.b", 1, sb, MUSC_NN_NO_DECAY);
    if (musc_nn_params_alloc(&m->p, 1) != MUSC_OK)
        return -1;
    musc_nn_rng rng;
    musc_nn_rng_seed(&rng, 1234);
    musc_nn_decoder_init(m->dec, &m->p, &rng);
    musc_nn_init_normal(D(m, m->tok), m->p.tensors[m->tok].size, 0.02f, &rng);
    musc_nn_init_normal(D(m, m->pos), m->p.tensors[m->pos].size, 0.01f, &rng);
    musc_nn_init_normal(D(m, m->headw), m->p.tensors[m->headw].size, 0.02f, &rng);
    size_t N = (size_t)m->B * m->T;
    m->in = malloc(N * 4);
    m->tgt = malloc(N * 4);
    m->posidx = malloc(N * 4);
    m->x = malloc(N * m->C * 4);
    m->dx = malloc(N * m->C * 4);
    m->dh = malloc(N * m->C * 4);
    m->logits = malloc(N * m->V * 4);
    m->dlogits = malloc(N * m->V * 4);
    m->lse = malloc(N * 4);
    for (size_t i = 0; i < N; i++) {
        m->in[i] = (int32_t)(musc_nn_rng_next(&rng) % (uint64_t)m->V);
        m->tgt[i] = (int32_t)(musc_nn_rng_next(&rng) % (uint64_t)m->V);
        m->posidx[i] = (int32_t)(i % (size_t)m->T);
    }
    return musc_nn_adamw_init(&m->opt, &m->p, NULL) == MUSC_OK ? 0 : -1;
}

static double phase[3]; /* seconds in forward, backward, optimizer */

/* forward + backward; returns the mean loss */
static double fwd_bwd(model *m, uint64_t seed)
{
    double t0 = bench_now();
    int N = m->B * m->T, C = m->C, V = m->V;
    musc_nn_params_zero_grad(&m->p);
    musc_nn_embedding_forward(m->x, m->in, D(m, m->tok), N, V, C, 0);
    musc_nn_embedding_forward(m->x, m->posidx, D(m, m->pos), N, m->T, C, 1);
    musc_nn_decoder_forward(m->dec, &m->p, m->x, m->B, m->T, 1, seed, &m->h);
    musc_nn_linear_forward(m->logits, m->h, D(m, m->headw), D(m, m->headb), N, C, V);
    double ls, ws;
    musc_nn_xent_forward(&ls, &ws, NULL, m->lse, m->logits, m->tgt, NULL, -1, N, V);
    double t1 = bench_now();
    phase[0] += t1 - t0;
    memset(m->dlogits, 0, (size_t)N * V * 4);
    musc_nn_xent_backward(m->dlogits, m->logits, m->lse, m->tgt, NULL, -1, (float)(1 / ws), N, V);
    memset(m->dh, 0, (size_t)N * C * 4);
    musc_nn_linear_backward(m->dh, G(m, m->headw), G(m, m->headb), m->dlogits, m->h,
                            D(m, m->headw), N, C, V);
    memset(m->dx, 0, (size_t)N * C * 4);
    musc_nn_decoder_backward(m->dec, &m->p, m->x, m->dh, m->dx);
    musc_nn_embedding_backward(G(m, m->tok), m->in, m->dx, N, C);
    musc_nn_embedding_backward(G(m, m->pos), m->posidx, m->dx, N, C);
    phase[1] += bench_now() - t1;
    return ls / ws;
}

static double train_step(model *m, long step)
{
    double loss = fwd_bwd(m, (uint64_t)step);
    double t0 = bench_now();
    musc_nn_clip_grad_norm(&m->p, 1.0f);
    musc_nn_adamw_step(&m->opt, &m->p, 3e-4f);
    phase[2] += bench_now() - t0;
    return loss;
}

int main(int argc, char **argv)
{
    int L = 4, C = 256, NH = 8, T = 512, B = 8, V = 512, steps = 4;
    int *args[] = {&L, &C, &NH, &T, &B, &V, &steps};
    for (int i = 1; i < argc && i <= 7; i++)
        *args[i - 1] = atoi(argv[i]);
    openblas_set_num_threads(1);

    double nonemb = 12.0 * L * C * C + (double)C * V; /* matmul weights per token */
    double hs = C / NH;
    double fwd_flops = 2.0 * nonemb * B * T + 2.0 * L * B * NH * (double)T * T * hs;
    double step_flops = 3.0 * fwd_flops; /* backward ~ 2x forward */
    printf("OpenBLAS core: %s (OPENBLAS_CORETYPE=%s)\n", openblas_get_corename(),
           getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset");
    printf("model: %d layers, width %d, %d heads, FFN %d, vocab %d; batch %d x %d tokens\n", L, C,
           NH, 4 * C, V, B, T);
    printf("model FLOPs per step (fwd+bwd, causal attention counted at T^2/2): %.1f GFLOP\n",
           step_flops / 1e9);

    double tps[3] = {0}, peak[3] = {0}, cpu_tps[3] = {0};
    float *grad1 = NULL;
    size_t gsize = 0;
    double graddiff = -1;
    for (int threads = 1; threads <= 2; threads++) {
        peak[threads] = bench_sgemm_gflops(threads, B * T, 4 * C, C);
        omp_set_num_threads(threads);
        model m;
        memset(&m, 0, sizeof m);
        m.L = L; m.C = C; m.NH = NH; m.T = T; m.B = B; m.V = V;
        if (model_new(&m) != 0) {
            fprintf(stderr, "nn_bench: %s\n", musc_errmsg());
            return 1;
        }
        /* gradient agreement between thread counts (same seed, same data) */
        fwd_bwd(&m, 99);
        if (threads == 1) {
            gsize = m.p.size;
            grad1 = malloc(gsize * 4);
            memcpy(grad1, m.p.grad, gsize * 4);
        } else {
            double worst = 0, scale = 0;
            for (size_t i = 0; i < gsize; i++) {
                worst = fmax(worst, fabs(grad1[i] - m.p.grad[i]));
                scale = fmax(scale, fabs(grad1[i]));
            }
            graddiff = worst / scale;
        }
        train_step(&m, 0); /* warm-up */
        memset(phase, 0, sizeof phase);
        double t0 = bench_now(), c0 = bench_cpu_now(), loss = 0;
        for (int s = 1; s <= steps; s++)
            loss = train_step(&m, s);
        double dt = (bench_now() - t0) / steps, dc = (bench_cpu_now() - c0) / steps;
        tps[threads] = B * T / dt;
        printf("threads %d: %.3f s/step, %.0f tokens/s, %.1f GFLOP/s model = %.0f%% of sgemm "
               "peak %.1f GFLOP/s (loss %.3f, params %.2f M, activations %.0f MB)\n",
               threads, dt, tps[threads], step_flops / dt / 1e9,
               100.0 * step_flops / dt / 1e9 / peak[threads], peak[threads], loss,
               (double)m.p.size / 1e6,
               (double)musc_nn_decoder_activation_bytes(m.dec, B, T) / 1e6);
        printf("  per step: forward %.3f s, backward %.3f s, clip+AdamW %.3f s; CPU time %.3f s "
               "(%.0f tokens per CPU-second x %d threads = %.0f tokens/s if the cores were "
               "not shared; spin-waits count as CPU time)\n",
               phase[0] / steps, phase[1] / steps, phase[2] / steps, dc, B * T / dc, threads,
               B * T / dc * threads);
        cpu_tps[threads] = B * T / dc * threads;
        musc_nn_adamw_free(&m.opt);
        musc_nn_decoder_free(m.dec);
        musc_nn_params_free(&m.p);
        free(m.in); free(m.tgt); free(m.posidx); free(m.x); free(m.dx); free(m.dh);
        free(m.logits); free(m.dlogits); free(m.lse);
    }
    printf("gradients, 1 vs 2 threads: max abs diff / max |grad| = %.1e\n", graddiff);

    /* Sampling: KV-cache decoder steps for MMT's published size (6 layers,
     * 512 wide, 8 heads, FFN 2048), batch 1, positions 0..255; the stack
     * only (embeddings and heads are the model's). */
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        musc_nn_params sp = {0};
        musc_nn_decoder *sd = NULL;
        musc_nn_decoder_config scfg = {6, 512, 8, 2048, 0.0f, 0.0f};
        if (musc_nn_decoder_new(&scfg, &sp, "", &sd) != MUSC_OK ||
            musc_nn_params_alloc(&sp, 0) != MUSC_OK || musc_nn_decoder_cache_reset(sd, 256))
            return 1;
        musc_nn_rng rng;
        musc_nn_rng_seed(&rng, 5);
        musc_nn_decoder_init(sd, &sp, &rng);
        float xin[512], xout[512];
        for (int c = 0; c < 512; c++)
            xin[c] = musc_nn_rng_normal(&rng);
        double t0 = bench_now();
        for (int t = 0; t < 256; t++)
            musc_nn_decoder_step(sd, &sp, xin, xout);
        double dt = bench_now() - t0;
        printf("sampling, 6x512 decoder stack with KV cache, %d thread%s: %.0f steps/s "
               "(positions 0-255)\n", threads, threads > 1 ? "s" : "", 256 / dt);
        musc_nn_decoder_free(sd);
        musc_nn_params_free(&sp);
    }
    printf("RESULT musc_tokens_per_s_1t=%.0f musc_tokens_per_s_2t=%.0f "
           "cpu_time_estimate_1t=%.0f cpu_time_estimate_2t=%.0f\n",
           tps[1], tps[2], cpu_tps[1], cpu_tps[2]);
    free(grad1);
    return 0;
}
