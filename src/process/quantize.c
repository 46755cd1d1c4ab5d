/*
 * Quantization: snapping times to a grid of `grid` ticks. A time t becomes
 * round(t / grid) * grid. Note starts always snap; ends snap only on request,
 * since snapping ends can merge or shorten notes that were played legato.
 * When ends are not snapped a note keeps its duration (it moves as a whole),
 * which is what a performer's timing correction wants.
 */
#include "musc/process.h"

#include <inttypes.h>

#include "scale.h"
#include "timemap.h"

static int snap_point(const struct musc_time_map *map, int64_t t, int64_t *out)
{
    int64_t k;
    if (musc_scale_time(t, 1, map->den, (musc_rounding)map->rounding, &k))
        return -1;
    if (k > INT64_MAX / map->den || k < INT64_MIN / map->den)
        return -1;
    *out = k * map->den;
    return 0;
}

musc_status musc_quantize(musc_music *music, int64_t grid, int snap_ends, musc_rounding rounding)
{
    if (!music)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    /* scale.c needs den <= INT32_MAX so its remainders stay small */
    if (grid < 1 || grid > INT32_MAX)
        return musc_error(MUSC_ERR_ARG, "grid = %" PRId64 " ticks, expected 1..%d", grid,
                          INT32_MAX);
    if (!musc_rounding_ok((int)rounding))
        return musc_error(MUSC_ERR_ARG, "rounding = %d, expected a musc_rounding value",
                          (int)rounding);
    if (grid == 1)
        return MUSC_OK;
    struct musc_time_map map = {.point = snap_point,
                                .map_ends = snap_ends != 0,
                                .min_duration = grid,
                                .num = 1,
                                .den = grid,
                                .rounding = (int)rounding};
    return musc_map_times(music, &map);
}
