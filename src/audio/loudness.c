/*
 * Loudness: measuring (EBU R128 through libebur128) and normalizing to a
 * target with a true-peak limiter.
 *
 * Normalizing is a gain curve g * r[n]: a static gain g and a limiter
 * envelope r[n] <= 1. The limiter estimates each frame's true peak by 4x
 * interpolation, takes the gain each frame needs to stay under the ceiling,
 * spreads it with a sliding minimum over +-L frames and smooths it with a
 * moving average of the same width. Every average then only covers minima of
 * windows that contain the frame itself, so the smoothed gain never exceeds
 * what any frame needs: the attack is a 2L-frame ramp ahead of the peak (look
 * ahead) and the release a short exponential. Limiting lowers the loudness,
 * so g is re-measured and raised a few times until the target is met.
 *
 * The curve is one gain per frame, shared by all channels, and can be
 * applied to stems as well: stems scaled by the same curve still sum to the
 * normalized mix.
 */
#include "musc/audio.h"

#include <ebur128.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOOKAHEAD_SECONDS 0.002
#define RELEASE_SECONDS 0.050
#define MAX_PASSES 12

static musc_status check_audio(const musc_audio *a)
{
    if (!a || a->channels < 1 || a->channels > 64)
        return musc_error(MUSC_ERR_ARG, "audio has %d channels, expected 1..64",
                          a ? a->channels : 0);
    if (a->sample_rate < 1000 || a->sample_rate > 768000)
        return musc_error(MUSC_ERR_ARG, "sample rate %d out of range", a->sample_rate);
    if (a->n_frames && !a->samples)
        return musc_error(MUSC_ERR_ARG, "audio has frames but no samples");
    return MUSC_OK;
}

/* Measure `x` scaled by gain * env[n] (env may be NULL). */
static musc_status measure(const musc_audio *a, double gain, const float *env, int mode,
                           musc_loudness *out)
{
    out->integrated = out->sample_peak = -HUGE_VAL;
    out->true_peak = NAN;
    out->range = 0;
    ebur128_state *st = ebur128_init((unsigned)a->channels, (unsigned long)a->sample_rate, mode);
    if (!st)
        return musc_error(MUSC_ERR_NOMEM, "cannot start a loudness meter");
    enum { BLOCK = 4096 };
    float *tmp = malloc((size_t)BLOCK * a->channels * sizeof *tmp);
    if (!tmp) {
        ebur128_destroy(&st);
        return musc_error(MUSC_ERR_NOMEM, "out of memory measuring loudness");
    }
    size_t ch = (size_t)a->channels;
    for (size_t f = 0; f < a->n_frames; f += BLOCK) {
        size_t n = a->n_frames - f < BLOCK ? a->n_frames - f : BLOCK;
        const float *x = a->samples + f * ch;
        for (size_t i = 0; i < n; i++) {
            float g = (float)(env ? gain * env[f + i] : gain);
            for (size_t c = 0; c < ch; c++)
                tmp[i * ch + c] = x[i * ch + c] * g;
        }
        ebur128_add_frames_float(st, tmp, n);
    }
    free(tmp);
    double v;
    if (ebur128_loudness_global(st, &v) == EBUR128_SUCCESS)
        out->integrated = v;
    if (mode & EBUR128_MODE_LRA && ebur128_loudness_range(st, &v) == EBUR128_SUCCESS)
        out->range = v;
    if ((mode & EBUR128_MODE_SAMPLE_PEAK) == EBUR128_MODE_SAMPLE_PEAK) {
        double peak = 0;
        for (unsigned c = 0; c < (unsigned)a->channels; c++)
            if (ebur128_sample_peak(st, c, &v) == EBUR128_SUCCESS && v > peak)
                peak = v;
        out->sample_peak = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
    }
    if ((mode & EBUR128_MODE_TRUE_PEAK) == EBUR128_MODE_TRUE_PEAK) {
        double peak = 0;
        for (unsigned c = 0; c < (unsigned)a->channels; c++)
            if (ebur128_true_peak(st, c, &v) == EBUR128_SUCCESS && v > peak)
                peak = v;
        out->true_peak = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
    }
    ebur128_destroy(&st);
    return MUSC_OK;
}

musc_status musc_audio_loudness(const musc_audio *a, int flags, musc_loudness *out)
{
    musc_status st = check_audio(a);
    if (st != MUSC_OK)
        return st;
    int mode = EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_SAMPLE_PEAK;
    if (flags & MUSC_LOUDNESS_TRUE_PEAK)
        mode |= EBUR128_MODE_TRUE_PEAK;
    return measure(a, 1.0, NULL, mode, out);
}

/* ---- true-peak envelope -------------------------------------------------- */

#define TAPS 8 /* per phase: samples n-3 .. n+4 around the gap n..n+1 */

static void interp_coefs(double h[3][TAPS])
{
    for (int p = 0; p < 3; p++) {
        double frac = (p + 1) / 4.0, sum = 0;
        for (int k = 0; k < TAPS; k++) {
            double x = (k - 3) - frac; /* distance from the interpolated point */
            double sinc = x == 0 ? 1 : sin(M_PI * x) / (M_PI * x);
            double w = 0.5 + 0.5 * cos(M_PI * x / 4.5); /* Hann over +-4.5 */
            h[p][k] = sinc * w;
            sum += h[p][k];
        }
        for (int k = 0; k < TAPS; k++)
            h[p][k] /= sum;
    }
}

/* peak[n] = the largest |value| of any channel at frame n or between n and
 * n+1, interpolated 4x. */
static void true_peak_per_frame(const musc_audio *a, float *peak)
{
    double h[3][TAPS];
    interp_coefs(h);
    size_t ch = (size_t)a->channels, N = a->n_frames;
    for (size_t n = 0; n < N; n++) {
        float m = 0;
        for (size_t c = 0; c < ch; c++) {
            float v = fabsf(a->samples[n * ch + c]);
            m = v > m ? v : m;
            for (int p = 0; p < 3; p++) {
                double s = 0;
                for (int k = 0; k < TAPS; k++) {
                    ptrdiff_t j = (ptrdiff_t)n + k - 3;
                    if (j >= 0 && (size_t)j < N)
                        s += h[p][k] * a->samples[(size_t)j * ch + c];
                }
                float u = (float)fabs(s);
                m = u > m ? u : m;
            }
        }
        peak[n] = m;
    }
}

/* env[n] = smoothed gain (<= 1) so that gain * env[n] * peak[n] <= ceiling. */
static musc_status limiter_envelope(const float *peak, size_t N, double gain, double ceiling,
                                    int sample_rate, float *env)
{
    size_t L = (size_t)(LOOKAHEAD_SECONDS * sample_rate);
    if (L < 1)
        L = 1;
    float *need = malloc(N * sizeof *need);
    size_t *dq = malloc(N * sizeof *dq);
    if (!need || !dq) {
        free(need);
        free(dq);
        return musc_error(MUSC_ERR_NOMEM, "out of memory for the limiter");
    }
    int any = 0;
    for (size_t n = 0; n < N; n++) {
        double p = gain * peak[n];
        need[n] = p > ceiling ? (float)(ceiling / p) : 1.0f;
        any |= p > ceiling;
    }
    if (!any) {
        for (size_t n = 0; n < N; n++)
            env[n] = 1;
        free(need);
        free(dq);
        return MUSC_OK;
    }
    /* Sliding minimum over [n-L, n+L] with a monotone deque. */
    size_t head = 0, tail = 0;
    for (size_t j = 0; j < N + L; j++) {
        if (j < N) {
            while (tail > head && need[dq[tail - 1]] >= need[j])
                tail--;
            dq[tail++] = j;
        }
        if (j >= L) {
            size_t n = j - L;
            while (dq[head] + L < n)
                head++;
            env[n] = need[dq[head]];
        }
    }
    /* Moving average over the same window (edges: the part inside). */
    double sum = 0;
    size_t lo = 0, hi = 0; /* the window [lo, hi) */
    for (size_t n = 0; n < N; n++) {
        size_t want_hi = n + L + 1 < N ? n + L + 1 : N;
        size_t want_lo = n > L ? n - L : 0;
        while (hi < want_hi)
            sum += env[hi++];
        while (lo < want_lo)
            sum -= env[lo++];
        need[n] = (float)(sum / (double)(hi - lo));
    }
    /* Release: rise back toward 1 no faster than the time constant. */
    double a = 1 - exp(-1.0 / (RELEASE_SECONDS * sample_rate));
    double r = 1;
    for (size_t n = 0; n < N; n++) {
        r += (1 - r) * a;
        if (need[n] < r)
            r = need[n];
        env[n] = (float)r;
    }
    free(need);
    free(dq);
    return MUSC_OK;
}

musc_status musc_audio_normalize(musc_audio *a, double target, double ceiling_db,
                                 musc_audio *also, size_t n_also, musc_normalize_report *rep)
{
    musc_status st = check_audio(a);
    if (st != MUSC_OK)
        return st;
    if (!(target > -70 && target <= 0))
        return musc_error(MUSC_ERR_ARG, "loudness target %g LUFS, expected -70..0", target);
    if (!(ceiling_db > -30 && ceiling_db <= 6))
        return musc_error(MUSC_ERR_ARG, "true-peak ceiling %g dBTP, expected -30..6", ceiling_db);
    for (size_t i = 0; i < n_also; i++)
        if (also[i].n_frames != a->n_frames || also[i].channels != a->channels)
            return musc_error(MUSC_ERR_ARG, "audio %zu to scale along has %zu frames x %d "
                              "channels, expected %zu x %d", i, also[i].n_frames,
                              also[i].channels, a->n_frames, a->channels);
    musc_normalize_report r;
    memset(&r, 0, sizeof r);
    const int full = EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK;
    if ((st = measure(a, 1.0, NULL, full, &r.before)) != MUSC_OK)
        return st;
    if (!isfinite(r.before.integrated))
        return musc_error(MUSC_ERR_RANGE, "cannot normalize silent audio (loudness below the "
                          "-70 LUFS gate, or shorter than 400 ms)");
    size_t N = a->n_frames;
    float *peak = malloc(N * sizeof *peak), *env = malloc(N * sizeof *env);
    if (!peak || !env) {
        free(peak);
        free(env);
        return musc_error(MUSC_ERR_NOMEM, "out of memory normalizing %zu frames", N);
    }
    true_peak_per_frame(a, peak);
    /* The envelope aims a little below the ceiling, and lower still if
     * libebur128's true-peak meter (a longer interpolator than the 8 taps
     * here) still reads over it: content near Nyquist fools short filters. */
    double aim_db = ceiling_db - 0.1;
    double gain = pow(10.0, (target - r.before.integrated) / 20.0);
    musc_loudness now;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
        double ceiling = pow(10.0, aim_db / 20.0);
        if ((st = limiter_envelope(peak, N, gain, ceiling, a->sample_rate, env)) != MUSC_OK ||
            (st = measure(a, gain, env, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK, &now)) != MUSC_OK)
            goto done;
        if (!isfinite(now.integrated))
            break;
        int loud_ok = fabs(now.integrated - target) < 0.05;
        int peak_ok = now.true_peak <= ceiling_db;
        if (loud_ok && peak_ok)
            break;
        if (!peak_ok)
            aim_db -= now.true_peak - ceiling_db + 0.05;
        if (!loud_ok)
            gain *= pow(10.0, (target - now.integrated) / 20.0);
    }
    r.gain_db = 20 * log10(gain);
    r.limiter_db = 0;
    for (size_t n = 0; n < N; n++) {
        double g = 20 * log10(env[n] > 1e-9f ? env[n] : 1e-9f);
        r.limiter_db = g < r.limiter_db ? g : r.limiter_db;
        float k = (float)(gain * env[n]);
        for (int c = 0; c < a->channels; c++) {
            a->samples[n * a->channels + c] *= k;
            for (size_t i = 0; i < n_also; i++)
                also[i].samples[n * a->channels + c] *= k;
        }
    }
    st = measure(a, 1.0, NULL, full, &r.after);
    if (rep && st == MUSC_OK)
        *rep = r;
done:
    free(peak);
    free(env);
    return st;
}
