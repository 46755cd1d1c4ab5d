/*
 * Exact integer scaling with a chosen rounding: round(t * num / den).
 *
 * Ticks are int64 and resolutions int, so t * num can overflow int64 long
 * before the result does. Splitting t = q * den + r (floor division) keeps
 * every intermediate product below 2^62: t * num / den = q * num + r * num /
 * den with 0 <= r < den. The result is exact, unlike MusPy's float factor.
 */
#ifndef MUSC_PROCESS_SCALE_H
#define MUSC_PROCESS_SCALE_H

#include <stdint.h>

#include "musc/process.h"

/* Nonzero if `rounding` names one of the musc_rounding modes. */
int musc_rounding_ok(int rounding);

/* *out = round(t * num / den) with `rounding`; num >= 1 and den >= 1, both
 * at most INT32_MAX. Returns 0, or -1 when the result does not fit int64
 * (then *out is untouched). */
int musc_scale_time(int64_t t, int64_t num, int64_t den, musc_rounding rounding, int64_t *out);

#endif
