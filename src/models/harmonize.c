/*
 * The harmonizer's two methods, template matching and an HMM, and the HMM's
 * tables on disk. Both work in the key of C: a piece's melody and chords
 * are moved by its key_shift first and the chords moved back at the end,
 * so statistics from pieces in every key pool together.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harmonize_internal.h"
#include "musc/harmonize.h"
#include "musc/io.h"

#define NC MUSC_TRIAD_COUNT /* 49 states */
#define NQ 5                /* emission rows: 4 qualities + no-chord */

struct musc_harmonizer {
    double initial[NC];
    double trans[2][NC][NC]; /* [0] into a frame that starts a bar, [1] inside one */
    double emit[NQ][12];
    double weight;
    size_t pieces;
    /* derived on load / after training (add-one smoothing) */
    double log_init[NC];
    double log_trans[2][NC * NC];
    double log_emit[NQ][12];
    double log_prior[NC];
    musc_harmony_net *net; /* the BiLSTM (musc_harmonizer_with_net), or NULL */
};

static const char *const QUALITY_KEYS[NQ] = {"maj", "min", "dim", "aug", "none"};

static void derive(musc_harmonizer *h)
{
    double total = 0, uni[NC] = {0}, all = 0;
    for (int c = 0; c < NC; c++)
        total += h->initial[c];
    for (int c = 0; c < NC; c++)
        h->log_init[c] = log((h->initial[c] + 1) / (total + NC));
    for (int b = 0; b < 2; b++)
        for (int c = 0; c < NC; c++) {
            double row = 0;
            for (int d = 0; d < NC; d++)
                row += h->trans[b][c][d];
            for (int d = 0; d < NC; d++) {
                h->log_trans[b][c * NC + d] = log((h->trans[b][c][d] + 1) / (row + NC));
                uni[d] += h->trans[b][c][d];
            }
        }
    for (int c = 0; c < NC; c++)
        uni[c] += h->initial[c], all += uni[c];
    for (int c = 0; c < NC; c++)
        h->log_prior[c] = log((uni[c] + 1) / (all + NC));
    for (int q = 0; q < NQ; q++) {
        double row = 0;
        for (int k = 0; k < 12; k++)
            row += h->emit[q][k];
        for (int k = 0; k < 12; k++)
            h->log_emit[q][k] = log((h->emit[q][k] + 1) / (row + 12));
    }
}

static int shift_chord(int c, int shift)
{
    if (c < 0 || c >= MUSC_TRIAD_NONE)
        return MUSC_TRIAD_NONE;
    return ((c / 4 + shift) % 12) * 4 + c % 4;
}

/* Duration (quarter notes) of each pitch class of the melody moved by
 * `shift`, per frame: hist[f * 12 + pc]. */
static double *frame_histograms(const musc_harmony_piece *p, int shift)
{
    double *hist = calloc(p->n_frames ? p->n_frames * 12 : 1, sizeof *hist);
    if (!hist)
        return NULL;
    const int64_t *fr = p->frames;
    size_t nf = p->n_frames, f = 0;
    double res = p->resolution > 0 ? p->resolution : 1;
    for (size_t i = 0; i < p->n_notes && nf; i++) {
        int64_t s = p->melody[i].time, e = s + p->melody[i].duration;
        int pc = ((p->melody[i].pitch + shift) % 12 + 12) % 12;
        while (f > 0 && fr[f] > s) /* notes come in onset order; be safe anyway */
            f--;
        while (f < nf && fr[f + 1] <= s)
            f++;
        for (size_t g = f; g < nf && fr[g] < e; g++) {
            int64_t a = s > fr[g] ? s : fr[g], b = e < fr[g + 1] ? e : fr[g + 1];
            if (b > a)
                hist[g * 12 + pc] += (double)(b - a) / res;
        }
    }
    return hist;
}

musc_status musc_harmonizer_train(const musc_harmony_piece *pieces, size_t n,
                                  musc_harmonizer **out)
{
    *out = NULL;
    musc_harmonizer *h = calloc(1, sizeof *h);
    if (!h)
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    h->weight = 1;
    for (size_t i = 0; i < n; i++) {
        const musc_harmony_piece *p = &pieces[i];
        if (!p->chords || p->n_frames == 0)
            continue;
        double *hist = frame_histograms(p, p->key_shift);
        if (!hist) {
            free(h);
            return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
        }
        int prev = -1;
        for (size_t f = 0; f < p->n_frames; f++) {
            int c = shift_chord(p->chords[f], p->key_shift);
            if (prev < 0)
                h->initial[c]++;
            else
                h->trans[p->bar_start && !p->bar_start[f]][prev][c]++;
            prev = c;
            for (int k = 0; k < 12; k++) {
                if (c == MUSC_TRIAD_NONE)
                    h->emit[NQ - 1][k] += hist[f * 12 + k];
                else
                    h->emit[c % 4][(k - c / 4 + 12) % 12] += hist[f * 12 + k];
            }
        }
        free(hist);
        h->pieces++;
    }
    if (h->pieces == 0) {
        free(h);
        return musc_error(MUSC_ERR_ARG, "harmonizer: no training piece has chord symbols");
    }
    derive(h);
    *out = h;
    return MUSC_OK;
}

double musc_harmonizer_emission_weight(const musc_harmonizer *h)
{
    return h ? h->weight : NAN;
}

size_t musc_harmonizer_pieces(const musc_harmonizer *h)
{
    return h ? h->pieces : 0;
}

void musc_harmonizer_free(musc_harmonizer *h)
{
    if (h)
        musc_harmony_net_free(h->net);
    free(h);
}

/* ---- decoding ---------------------------------------------------------------- */

/* Viterbi with the transition table of each step: trans[t] leads into
 * step t (trans[0] is unused). */
static musc_status viterbi_steps(int ns, size_t nt, const double *log_init,
                                 const double *const *trans, const double *log_emit, int *path)
{
    if (nt == 0)
        return MUSC_OK;
    if (nt > SIZE_MAX / (size_t)ns / sizeof(int))
        return musc_error(MUSC_ERR_NOMEM, "viterbi: too many steps");
    double *score = malloc(2 * (size_t)ns * sizeof *score);
    int *back = malloc(nt * (size_t)ns * sizeof *back);
    if (!score || !back) {
        free(score);
        free(back);
        return musc_error(MUSC_ERR_NOMEM, "viterbi: out of memory");
    }
    double *cur = score, *next = score + ns;
    for (int s = 0; s < ns; s++)
        cur[s] = log_init[s] + log_emit[s];
    for (size_t t = 1; t < nt; t++) {
        const double *log_trans = trans[t];
        for (int s = 0; s < ns; s++) {
            int arg = 0;
            double best = cur[0] + log_trans[s];
            for (int r = 1; r < ns; r++) {
                double v = cur[r] + log_trans[(size_t)r * ns + s];
                if (v > best)
                    best = v, arg = r;
            }
            next[s] = best + log_emit[t * ns + s];
            back[t * ns + s] = arg;
        }
        double *tmp = cur;
        cur = next, next = tmp;
    }
    int last = 0;
    for (int s = 1; s < ns; s++)
        if (cur[s] > cur[last])
            last = s;
    for (size_t t = nt; t-- > 0;) {
        path[t] = last;
        if (t)
            last = back[t * ns + last];
    }
    free(score);
    free(back);
    return MUSC_OK;
}

musc_status musc_viterbi(int ns, size_t nt, const double *log_init, const double *log_trans,
                         const double *log_emit, int *path)
{
    if (ns < 1 || !log_init || !log_trans || (nt && (!log_emit || !path)))
        return musc_error(MUSC_ERR_ARG, "viterbi: expected at least one state and all tables");
    const double **trans = malloc((nt ? nt : 1) * sizeof *trans);
    if (!trans)
        return musc_error(MUSC_ERR_NOMEM, "viterbi: out of memory");
    for (size_t t = 0; t < nt; t++)
        trans[t] = log_trans;
    musc_status st = viterbi_steps(ns, nt, log_init, trans, log_emit, path);
    free(trans);
    return st;
}

/* Posterior decoding: each step's most probable state given all steps.
 * Forward-backward in probabilities with each step rescaled (no exp in
 * the inner loops); the transition tables are exponentiated once each (a
 * few distinct tables serve all steps). */
static musc_status posterior_steps(int ns, size_t nt, const double *log_init,
                                   const double *const *trans, const double *log_emit, int *path)
{
    size_t nn = (size_t)ns * ns;
    double *fw = malloc(nt * (size_t)ns * sizeof *fw), *bw = malloc(nt * (size_t)ns * sizeof *bw);
    double *em = malloc(nt * (size_t)ns * sizeof *em);
    enum { CACHE = 4 };
    const double *key[CACHE] = {0};
    double *table = malloc(CACHE * nn * sizeof *table);
    const double **tp = malloc(nt * sizeof *tp);
    musc_status st = MUSC_OK;
    if (!fw || !bw || !em || !table || !tp) {
        st = musc_error(MUSC_ERR_NOMEM, "posterior: out of memory");
        goto done;
    }
    for (size_t t = 1; t < nt; t++) {
        int k = 0;
        while (k < CACHE && key[k] && key[k] != trans[t])
            k++;
        if (k == CACHE) { /* more tables than the cache holds: reuse the last slot */
            k = CACHE - 1;
            key[k] = NULL;
        }
        if (!key[k]) {
            key[k] = trans[t];
            for (size_t i = 0; i < nn; i++)
                table[k * nn + i] = exp(trans[t][i]);
        }
        tp[t] = table + k * nn;
    }
    for (size_t t = 0; t < nt; t++) {
        const double *le = log_emit + t * ns;
        double m = le[0];
        for (int s = 1; s < ns; s++)
            m = le[s] > m ? le[s] : m;
        for (int s = 0; s < ns; s++)
            em[t * ns + s] = isfinite(m) ? exp(le[s] - m) : 1;
    }
    double z = 0;
    for (int s = 0; s < ns; s++)
        z += fw[s] = exp(log_init[s]) * em[s];
    for (int s = 0; s < ns; s++)
        fw[s] = z > 0 ? fw[s] / z : 1.0 / ns;
    for (size_t t = 1; t < nt; t++) {
        double *cur = fw + t * ns;
        const double *prev = fw + (t - 1) * ns, *T = tp[t];
        for (int s = 0; s < ns; s++)
            cur[s] = 0;
        for (int r = 0; r < ns; r++) {
            double a = prev[r];
            if (a == 0)
                continue;
            for (int s = 0; s < ns; s++)
                cur[s] += a * T[(size_t)r * ns + s];
        }
        z = 0;
        for (int s = 0; s < ns; s++)
            z += cur[s] *= em[t * ns + s];
        for (int s = 0; s < ns; s++)
            cur[s] = z > 0 ? cur[s] / z : 1.0 / ns;
    }
    for (int s = 0; s < ns; s++)
        bw[(nt - 1) * ns + s] = 1;
    for (size_t t = nt - 1; t-- > 0;) {
        double *cur = bw + t * ns;
        const double *next = bw + (t + 1) * ns, *T = tp[t + 1], *e = em + (t + 1) * ns;
        z = 0;
        for (int s = 0; s < ns; s++) {
            double v = 0;
            for (int r = 0; r < ns; r++)
                v += T[(size_t)s * ns + r] * e[r] * next[r];
            cur[s] = v;
            z += v;
        }
        for (int s = 0; s < ns; s++)
            cur[s] = z > 0 ? cur[s] / z : 1.0 / ns;
    }
    for (size_t t = 0; t < nt; t++) {
        int best = 0;
        for (int s = 1; s < ns; s++)
            if (fw[t * ns + s] * bw[t * ns + s] > fw[t * ns + best] * bw[t * ns + best])
                best = s;
        path[t] = best;
    }
done:
    free(fw), free(bw), free(em), free(table), free(tp);
    return st;
}

musc_status musc_hmm_posterior(int ns, size_t nt, const double *log_init,
                               const double *log_trans, const double *log_emit, int *path)
{
    if (ns < 1 || !log_init || !log_trans || (nt && (!log_emit || !path)))
        return musc_error(MUSC_ERR_ARG, "posterior: expected at least one state and all tables");
    if (nt == 0)
        return MUSC_OK;
    if (nt > SIZE_MAX / (size_t)ns / sizeof(double))
        return musc_error(MUSC_ERR_NOMEM, "posterior: too many steps");
    const double **trans = malloc(nt * sizeof *trans);
    if (!trans)
        return musc_error(MUSC_ERR_NOMEM, "posterior: out of memory");
    for (size_t t = 0; t < nt; t++)
        trans[t] = log_trans;
    musc_status st = posterior_steps(ns, nt, log_init, trans, log_emit, path);
    free(trans);
    return st;
}

/* A fixed prior in the key of C when no model is given: the diatonic triads
 * by how often tonal music uses them, then E major (V of vi). */
static void builtin_prior(double prior[NC])
{
    for (int c = 0; c < NC; c++)
        prior[c] = c % 4 == MUSC_TRIAD_AUG ? -2 : -1;
    prior[0 * 4 + 0] = 6;  /* C */
    prior[7 * 4 + 0] = 5;  /* G */
    prior[5 * 4 + 0] = 4;  /* F */
    prior[9 * 4 + 1] = 3.5; /* Am */
    prior[2 * 4 + 1] = 3;  /* Dm */
    prior[4 * 4 + 1] = 2.5; /* Em */
    prior[4 * 4 + 0] = 2;  /* E */
    prior[11 * 4 + 2] = 1; /* Bdim */
    prior[MUSC_TRIAD_NONE] = -3;
}

static void template_decode(const double *hist, size_t nf, const double prior[NC], int *out)
{
    int prev = -1;
    int top = 0;
    for (int c = 1; c < MUSC_TRIAD_NONE; c++)
        if (prior[c] > prior[top])
            top = c;
    for (size_t f = 0; f < nf; f++) {
        const double *d = hist + f * 12;
        double total = 0;
        for (int k = 0; k < 12; k++)
            total += d[k];
        if (total <= 0) {
            out[f] = prev >= 0 ? prev : top;
            continue;
        }
        int best = -1;
        double best_score = -1;
        for (int c = 0; c < MUSC_TRIAD_NONE; c++) {
            int pcs[3];
            musc_triad_pitch_classes(c, pcs);
            double s = d[pcs[0]] + d[pcs[1]] + d[pcs[2]];
            if (best < 0 || s > best_score + 1e-9 ||
                (s > best_score - 1e-9 && prior[c] > prior[best]))
                best = c, best_score = s;
        }
        out[f] = prev = best;
    }
}

static void hmm_emissions(const musc_harmonizer *h, const double *hist, size_t nf, double w,
                          double *le)
{
    for (size_t f = 0; f < nf; f++) {
        const double *d = hist + f * 12;
        for (int c = 0; c < NC; c++) {
            double s = 0;
            for (int k = 0; k < 12; k++) {
                if (d[k] == 0)
                    continue;
                s += d[k] * (c == MUSC_TRIAD_NONE ? h->log_emit[NQ - 1][k]
                                                  : h->log_emit[c % 4][(k - c / 4 + 12) % 12]);
            }
            le[f * NC + c] = w * s;
        }
        /* no-chord only where the melody rests: a harmonizer that leaves a
         * sounding tune unaccompanied has not done its job */
        double total = 0;
        for (int k = 0; k < 12; k++)
            total += d[k];
        if (total > 0)
            le[f * NC + MUSC_TRIAD_NONE] = -INFINITY;
    }
}

/* The BiLSTM's chords: each frame's most probable class (tw 0), or Viterbi
 * over its log probabilities plus tw times the HMM's log transitions; pw > 0
 * divides the probabilities by the chord prior to the power pw first (the
 * hybrid network/HMM "scaled likelihood"). As for the HMM, no-chord only
 * where the melody rests. */
static musc_status net_decode(const musc_harmony_piece *p, const musc_harmonizer *h,
                              const double *hist, double tw, double pw, int *chords)
{
    size_t nf = p->n_frames;
    float *lp = malloc(nf * NC * sizeof *lp);
    double *le = malloc(nf * NC * sizeof *le);
    const double **trans = malloc(nf * sizeof *trans);
    double *scaled = malloc((2 * NC * NC + NC) * sizeof *scaled);
    musc_status st = MUSC_OK;
    if (!lp || !le || !trans || !scaled)
        st = musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    if (!st)
        st = musc_harmony_net_log_probs(h->net, p, lp);
    for (size_t f = 0; !st && f < nf; f++) {
        double total = 0;
        for (int k = 0; k < 12; k++)
            total += hist[f * 12 + k];
        for (int c = 0; c < NC; c++)
            le[f * NC + c] = lp[f * NC + c] - pw * h->log_prior[c];
        if (total > 0)
            le[f * NC + MUSC_TRIAD_NONE] = -INFINITY;
    }
    if (!st && tw <= 0) {
        for (size_t f = 0; f < nf; f++) {
            int best = 0;
            for (int c = 1; c < NC; c++)
                if (le[f * NC + c] > le[f * NC + best])
                    best = c;
            chords[f] = best;
        }
    } else if (!st) {
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < NC * NC; i++)
                scaled[b * NC * NC + i] = tw * h->log_trans[b][i];
        for (int c = 0; c < NC; c++)
            scaled[2 * NC * NC + c] = tw * h->log_init[c];
        for (size_t f = 0; f < nf; f++)
            trans[f] = scaled + (p->bar_start && !p->bar_start[f] ? NC * NC : 0);
        st = viterbi_steps(NC, nf, scaled + 2 * NC * NC, trans, le, chords);
    }
    free(lp);
    free(le);
    free(trans);
    free(scaled);
    return st;
}

static musc_status decode(const musc_harmony_piece *p, musc_harmonize_method method,
                          const musc_harmonizer *h, double weight, int *chords)
{
    if (p->n_frames == 0)
        return MUSC_OK;
    double *hist = frame_histograms(p, p->key_shift);
    if (!hist)
        return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
    musc_status st = MUSC_OK;
    if (method == MUSC_HARMONIZE_BILSTM || method == MUSC_HARMONIZE_BILSTM_VITERBI ||
        method == MUSC_HARMONIZE_BILSTM_PRIOR) {
        st = net_decode(p, h, hist, method == MUSC_HARMONIZE_BILSTM_VITERBI ? weight : 0,
                        method == MUSC_HARMONIZE_BILSTM_PRIOR ? weight : 0, chords);
    } else if (method == MUSC_HARMONIZE_TEMPLATE) {
        double prior[NC];
        if (h)
            memcpy(prior, h->log_prior, sizeof prior);
        else
            builtin_prior(prior);
        template_decode(hist, p->n_frames, prior, chords);
    } else {
        double *le = malloc(p->n_frames * NC * sizeof *le);
        if (!le) {
            free(hist);
            return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
        }
        const double **trans = malloc(p->n_frames * sizeof *trans);
        if (!trans) {
            free(le);
            free(hist);
            return musc_error(MUSC_ERR_NOMEM, "harmonize: out of memory");
        }
        for (size_t f = 0; f < p->n_frames; f++)
            trans[f] = h->log_trans[p->bar_start && !p->bar_start[f]];
        hmm_emissions(h, hist, p->n_frames, weight, le);
        st = method == MUSC_HARMONIZE_HMM_POSTERIOR
                 ? posterior_steps(NC, p->n_frames, h->log_init, trans, le, chords)
                 : viterbi_steps(NC, p->n_frames, h->log_init, trans, le, chords);
        free(trans);
        free(le);
    }
    free(hist);
    for (size_t f = 0; !st && f < p->n_frames; f++)
        chords[f] = shift_chord(chords[f], (12 - p->key_shift % 12) % 12);
    return st;
}

musc_status musc_harmonize_piece(const musc_harmony_piece *piece, musc_harmonize_method method,
                                 const musc_harmonizer *model, int *chords)
{
    if (!piece || (piece->n_frames && !chords) ||
        (method != MUSC_HARMONIZE_TEMPLATE && method != MUSC_HARMONIZE_HMM &&
         method != MUSC_HARMONIZE_HMM_POSTERIOR && method != MUSC_HARMONIZE_BILSTM &&
         method != MUSC_HARMONIZE_BILSTM_VITERBI && method != MUSC_HARMONIZE_BILSTM_PRIOR))
        return musc_error(MUSC_ERR_ARG, "harmonize: bad arguments");
    int bilstm = method == MUSC_HARMONIZE_BILSTM || method == MUSC_HARMONIZE_BILSTM_VITERBI ||
                 method == MUSC_HARMONIZE_BILSTM_PRIOR;
    if (bilstm && (!model || !model->net))
        return musc_error(MUSC_ERR_ARG, "harmonize: the BiLSTM method needs a network "
                                        "(musc_harmonizer_with_net)");
    if (method != MUSC_HARMONIZE_TEMPLATE && !model)
        return musc_error(MUSC_ERR_ARG, "harmonize: the HMM method needs a model");
    double w = method == MUSC_HARMONIZE_BILSTM_PRIOR ? musc_harmony_net_prior_weight(model->net)
               : bilstm                              ? musc_harmony_net_transition_weight(model->net)
               : model                               ? model->weight
                                                     : 1;
    return decode(piece, method, model, w, chords);
}

/* The weight of grid[] (in order, the first on ties) whose decoding by
 * `method` matches the most chord frames of the labelled pieces; *best is
 * left as it is when no piece has chords. */
static musc_status best_weight(const musc_harmonizer *h, musc_harmonize_method method,
                               const musc_harmony_piece *pieces, size_t n, const double *grid,
                               size_t n_grid, double *best)
{
    double best_acc = -1;
    for (size_t g = 0; g < n_grid; g++) {
        size_t same = 0, total = 0;
        for (size_t i = 0; i < n; i++) {
            const musc_harmony_piece *p = &pieces[i];
            if (!p->chords || !p->n_frames)
                continue;
            int *c = malloc(p->n_frames * sizeof *c);
            musc_status st = c ? decode(p, method, h, grid[g], c)
                               : musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
            if (st) {
                free(c);
                return st;
            }
            for (size_t f = 0; f < p->n_frames; f++)
                same += c[f] == p->chords[f];
            total += p->n_frames;
            free(c);
        }
        if (total == 0)
            break;
        double acc = (double)same / (double)total;
        if (acc > best_acc)
            best_acc = acc, *best = grid[g];
    }
    return MUSC_OK;
}

musc_status musc_harmonizer_tune(musc_harmonizer *h, const musc_harmony_piece *pieces, size_t n,
                                 double *weight)
{
    static const double grid[] = {1, 0.5, 2, 0.25, 4};
    double best_w = h->weight;
    musc_status st =
        best_weight(h, MUSC_HARMONIZE_HMM, pieces, n, grid, sizeof grid / sizeof *grid, &best_w);
    if (st)
        return st;
    h->weight = best_w;
    if (weight)
        *weight = best_w;
    return MUSC_OK;
}

musc_status musc_harmonizer_with_net(musc_harmony_net *net, const musc_harmonizer *hmm,
                                     musc_harmonizer **out)
{
    *out = NULL;
    if (!net)
        return musc_error(MUSC_ERR_ARG, "harmonizer: no network");
    musc_harmonizer *h = malloc(sizeof *h);
    if (!h) {
        musc_harmony_net_free(net);
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    }
    if (hmm) {
        *h = *hmm;
    } else {
        memset(h, 0, sizeof *h);
        h->weight = 1;
        derive(h); /* all counts 0: uniform after smoothing */
    }
    h->net = net;
    *out = h;
    return MUSC_OK;
}

musc_status musc_harmonizer_tune_net(musc_harmonizer *h, const musc_harmony_piece *pieces,
                                     size_t n, double *weight)
{
    static const double grid[] = {0, 0.25, 0.5, 1, 2};
    if (!h || !h->net)
        return musc_error(MUSC_ERR_ARG, "harmonizer: no network to tune");
    double best_w = musc_harmony_net_transition_weight(h->net);
    musc_status st = best_weight(h, MUSC_HARMONIZE_BILSTM_VITERBI, pieces, n, grid,
                                 sizeof grid / sizeof *grid, &best_w);
    if (st)
        return st;
    harmony_net_set_transition_weight(h->net, best_w);
    if (weight)
        *weight = best_w;
    return MUSC_OK;
}

/* ---- the model file ---------------------------------------------------------- */

musc_status musc_harmonizer_write(const musc_harmonizer *h, const char *path, int overwrite)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    fprintf(f, "musc-harmony-hmm 1\n"
               "# musc melody-harmonization HMM: raw counts in the key of C (see "
               "include/musc/harmonize.h)\n"
               "# states: 48 triads (root * 4 + maj/min/dim/aug, C = 0) and no-chord (48)\n");
    fprintf(f, "emission_weight %.17g\npieces %zu\ninitial", h->weight, h->pieces);
    for (int c = 0; c < NC; c++)
        fprintf(f, " %.17g", h->initial[c]);
    fputc('\n', f);
    for (int b = 0; b < 2; b++)
        for (int c = 0; c < NC; c++) {
            fprintf(f, "transition %s %d", b ? "inside" : "bar", c);
            for (int d = 0; d < NC; d++)
                fprintf(f, " %.17g", h->trans[b][c][d]);
            fputc('\n', f);
        }
    for (int q = 0; q < NQ; q++) {
        fprintf(f, "emission %s", QUALITY_KEYS[q]);
        for (int k = 0; k < 12; k++)
            fprintf(f, " %.17g", h->emit[q][k]);
        fputc('\n', f);
    }
    if (fclose(f)) {
        free(buf);
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    }
    musc_status st = musc_file_write_atomic(path, buf, size, overwrite);
    free(buf);
    return st;
}

/* Read `n` counts (finite, >= 0) from *p. */
static int read_counts(char **p, double *v, int n)
{
    for (int i = 0; i < n; i++) {
        char *end;
        double x = strtod(*p, &end);
        if (end == *p || !isfinite(x) || x < 0 || x > 1e15)
            return -1;
        v[i] = x;
        *p = end;
    }
    while (**p == ' ' || **p == '\t')
        (*p)++;
    return **p ? -1 : 0;
}

musc_status musc_harmonizer_read_mem(const char *text, size_t size, musc_harmonizer **out)
{
    *out = NULL;
    if (size && !text)
        return musc_error(MUSC_ERR_ARG, "harmonizer: no text");
    musc_harmonizer *h = calloc(1, sizeof *h);
    if (!h)
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    char *buf = malloc(16384);
    if (!buf) {
        free(h);
        return musc_error(MUSC_ERR_NOMEM, "harmonizer: out of memory");
    }
    size_t pos = 0, line = 0;
    int r, header = 0, have_w = 0, have_init = 0, have_trans[2][NC] = {0}, have_emit[NQ] = {0};
    musc_status st = MUSC_OK;
    while (!st && (r = harmony_next_line(text, size, &pos, buf, 16384)) == 1) {
        line++;
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (!header) {
            if (strcmp(p, "musc-harmony-hmm 1") != 0)
                st = musc_error(MUSC_ERR_FORMAT,
                                "not a harmonization model: line %zu is '%.40s', expected "
                                "'musc-harmony-hmm 1'",
                                line, p);
            header = 1;
            continue;
        }
        char key[16];
        size_t k = 0;
        while (*p && *p != ' ' && *p != '\t' && k + 1 < sizeof key)
            key[k++] = *p++;
        key[k] = 0;
        if (!strcmp(key, "emission_weight")) {
            char *end;
            double w = strtod(p, &end);
            if (end == p || !isfinite(w) || w <= 0 || w > 1e6 || *end)
                st = musc_error(MUSC_ERR_FORMAT,
                                "harmonization model line %zu: expected a positive weight", line);
            h->weight = w, have_w = 1;
        } else if (!strcmp(key, "pieces")) {
            char *end;
            double x = strtod(p, &end);
            if (end == p || !(x >= 0 && x < 1e15) || *end)
                st = musc_error(MUSC_ERR_FORMAT,
                                "harmonization model line %zu: expected a piece count", line);
            else
                h->pieces = (size_t)x;
        } else if (!strcmp(key, "initial")) {
            if (read_counts(&p, h->initial, NC))
                st = musc_error(MUSC_ERR_FORMAT,
                                "harmonization model line %zu: expected 49 counts >= 0", line);
            have_init = 1;
        } else if (!strcmp(key, "transition")) {
            while (*p == ' ' || *p == '\t')
                p++;
            int b = !strncmp(p, "bar ", 4) ? 0 : !strncmp(p, "inside ", 7) ? 1 : -1;
            char *end = p;
            long i = b < 0 ? -1 : strtol(p + (b ? 7 : 4), &end, 10);
            if (b < 0 || end == p || i < 0 || i >= NC || read_counts(&end, h->trans[b][i], NC))
                st = musc_error(MUSC_ERR_FORMAT,
                                "harmonization model line %zu: expected 'transition bar|inside "
                                "I' with I in 0..48 and 49 counts >= 0",
                                line);
            else
                have_trans[b][i] = 1;
        } else if (!strcmp(key, "emission")) {
            while (*p == ' ' || *p == '\t')
                p++;
            int q = -1;
            for (int j = 0; j < NQ; j++) {
                size_t n = strlen(QUALITY_KEYS[j]);
                if (!strncmp(p, QUALITY_KEYS[j], n) && (p[n] == ' ' || p[n] == '\t'))
                    q = j, p += n;
            }
            if (q < 0 || read_counts(&p, h->emit[q], 12))
                st = musc_error(MUSC_ERR_FORMAT,
                                "harmonization model line %zu: expected 'emission maj|min|dim|"
                                "aug|none' and 12 counts >= 0",
                                line);
            else
                have_emit[q] = 1;
        } else {
            st = musc_error(MUSC_ERR_FORMAT, "harmonization model line %zu: unknown key '%s'",
                            line, key);
        }
    }
    free(buf);
    if (!st && r < 0)
        st = musc_error(MUSC_ERR_FORMAT, "harmonization model line %zu: line too long",
                        line + 1);
    if (!st && !header)
        st = musc_error(MUSC_ERR_FORMAT,
                        "not a harmonization model: empty, expected 'musc-harmony-hmm 1'");
    const char *missing = !have_w ? "emission_weight" : !have_init ? "initial" : NULL;
    for (int i = 0; !missing && i < 2 * NC; i++)
        if (!have_trans[i / NC][i % NC])
            missing = "a transition row";
    for (int q = 0; !missing && q < NQ; q++)
        if (!have_emit[q])
            missing = "an emission row";
    if (!st && missing)
        st = musc_error(MUSC_ERR_FORMAT, "harmonization model: %s is missing", missing);
    if (st) {
        free(h);
        return st;
    }
    derive(h);
    *out = h;
    return MUSC_OK;
}

musc_status musc_harmonizer_read(const char *path, musc_harmonizer **out)
{
    *out = NULL;
    uint8_t *data = NULL;
    size_t size = 0;
    musc_status st = musc_file_read_all(path, 64u << 20, &data, &size);
    if (st)
        return st;
    st = musc_harmonizer_read_mem((const char *)data, size, out);
    if (st) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", musc_errmsg());
        musc_error(st, "%s: %s", path, msg);
    }
    free(data);
    return st;
}
