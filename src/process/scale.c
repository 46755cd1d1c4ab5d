/*
 * Exact integer scaling with rounding (see scale.h for the idea). Rounding
 * modes decide only what happens to the fractional part r2 / den of the exact
 * quotient, so all of them share one division.
 */
#include "scale.h"

int musc_rounding_ok(int rounding)
{
    return rounding == MUSC_ROUND_NEAREST_EVEN || rounding == MUSC_ROUND_NEAREST_UP ||
           rounding == MUSC_ROUND_FLOOR || rounding == MUSC_ROUND_CEIL;
}

/* Floor division and its non-negative remainder; C's / truncates toward 0. */
static void floor_divmod(int64_t a, int64_t b, int64_t *q, int64_t *r)
{
    *q = a / b;
    *r = a % b;
    if (*r < 0) {
        *r += b;
        *q -= 1;
    }
}

int musc_scale_time(int64_t t, int64_t num, int64_t den, musc_rounding rounding, int64_t *out)
{
    int64_t q, r, q2, r2;
    floor_divmod(t, den, &q, &r);
    /* r < den <= 2^31 and num <= 2^31, so r * num < 2^62 */
    floor_divmod(r * num, den, &q2, &r2);
    if (q > 0 ? q > (INT64_MAX - q2) / num : q < INT64_MIN / num)
        return -1;
    /* the exact value is base + r2 / den with 0 <= r2 < den */
    int64_t base = q * num + q2;
    int up = 0;
    switch (rounding) {
    case MUSC_ROUND_FLOOR:
        break;
    case MUSC_ROUND_CEIL:
        up = r2 > 0;
        break;
    case MUSC_ROUND_NEAREST_UP:
        /* a half goes away from zero: up unless the value is negative */
        up = 2 * r2 > den || (2 * r2 == den && base >= 0);
        break;
    case MUSC_ROUND_NEAREST_EVEN:
    default:
        up = 2 * r2 > den || (2 * r2 == den && (base & 1));
        break;
    }
    if (up && base == INT64_MAX)
        return -1;
    *out = base + up;
    return 0;
}
