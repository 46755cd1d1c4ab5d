/*
 * Small audio analyses for the audio tests: RMS, peak, and onset detection
 * by spectral flux (a 512-point FFT every 64 frames, log-compressed
 * magnitudes, half-wave rectified differences, peak picking). Header-only so
 * each test program includes what it uses.
 */
#ifndef MUSC_TEST_AUDIO_ANALYSIS_H
#define MUSC_TEST_AUDIO_ANALYSIS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "musc/audio.h"

#define TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

static inline double audio_rms(const musc_audio *a, size_t from, size_t to)
{
    if (to > a->n_frames)
        to = a->n_frames;
    double s = 0;
    size_t n = 0;
    for (size_t f = from; f < to; f++)
        for (int c = 0; c < a->channels; c++, n++)
            s += (double)a->samples[f * a->channels + c] * a->samples[f * a->channels + c];
    return n ? sqrt(s / n) : 0;
}

static inline double audio_peak(const musc_audio *a, size_t from, size_t to)
{
    if (to > a->n_frames)
        to = a->n_frames;
    double p = 0;
    for (size_t i = from * a->channels; i < to * a->channels; i++)
        p = fabs(a->samples[i]) > p ? fabs(a->samples[i]) : p;
    return p;
}

/* In-place radix-2 complex FFT, n a power of two. */
static inline void fft(double *re, double *im, size_t n)
{
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        double ang = -2 * M_PI / len;
        for (size_t i = 0; i < n; i += len)
            for (size_t k = 0; k < len / 2; k++) {
                double wr = cos(ang * k), wi = sin(ang * k);
                double xr = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
                double xi = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
                re[i + k + len / 2] = re[i + k] - xr;
                im[i + k + len / 2] = im[i + k] - xi;
                re[i + k] += xr;
                im[i + k] += xi;
            }
    }
}

#define FLUX_N 512
#define FLUX_HOP 64

/* Detect onsets; writes up to `max` onset times (seconds) and returns how
 * many were found. A peak must be a local maximum within +-50 ms and exceed
 * `rel` times the largest flux. The time reported is the frame where the
 * window's centre sits. */
static inline size_t audio_onsets(const musc_audio *a, double rel, double *onsets, size_t max)
{
    size_t nf = a->n_frames > FLUX_N ? (a->n_frames - FLUX_N) / FLUX_HOP + 1 : 0;
    double *flux = calloc(nf + 1, sizeof *flux);
    double *prev = calloc(FLUX_N / 2 + 1, sizeof *prev);
    double re[FLUX_N], im[FLUX_N];
    double fmax = 0;
    for (size_t t = 0; t < nf; t++) {
        for (size_t i = 0; i < FLUX_N; i++) {
            size_t f = t * FLUX_HOP + i;
            double x = 0;
            for (int c = 0; c < a->channels; c++)
                x += a->samples[f * a->channels + c];
            re[i] = x * (0.5 - 0.5 * cos(2 * M_PI * i / FLUX_N));
            im[i] = 0;
        }
        fft(re, im, FLUX_N);
        double s = 0;
        for (size_t k = 1; k <= FLUX_N / 2; k++) {
            double m = log1p(1000 * sqrt(re[k] * re[k] + im[k] * im[k]));
            if (t > 0 && m > prev[k])
                s += m - prev[k];
            prev[k] = m;
        }
        flux[t] = s;
        fmax = s > fmax ? s : fmax;
    }
    size_t n = 0, w = (size_t)(0.05 * a->sample_rate / FLUX_HOP);
    for (size_t t = 1; t < nf && n < max; t++) {
        if (flux[t] < rel * fmax)
            continue;
        int is_max = 1;
        for (size_t k = t > w ? t - w : 0; k <= t + w && k < nf; k++)
            if (flux[k] > flux[t] || (flux[k] == flux[t] && k < t))
                is_max = 0;
        if (is_max)
            onsets[n++] = (t * FLUX_HOP + FLUX_N / 2.0) / a->sample_rate;
    }
    free(flux);
    free(prev);
    return n;
}

#endif
