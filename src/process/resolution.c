/*
 * Changing the resolution (ticks per quarter). Every time t becomes
 * round(t * new / old), computed exactly (scale.c); note and chord ends are
 * mapped on their own, as MusPy does, so neighbouring notes stay adjacent.
 * Unlike MusPy, a note that had a length keeps at least one tick: a
 * zero-length note is a different thing (a grace or a marker) and would be
 * dropped by most consumers.
 */
#include "musc/process.h"

#include "scale.h"
#include "timemap.h"

static int scale_point(const struct musc_time_map *map, int64_t t, int64_t *out)
{
    return musc_scale_time(t, map->num, map->den, (musc_rounding)map->rounding, out);
}

musc_status musc_adjust_resolution(musc_music *music, int resolution, musc_rounding rounding)
{
    if (!music)
        return musc_error(MUSC_ERR_ARG, "music is NULL");
    if (resolution < 1)
        return musc_error(MUSC_ERR_ARG, "resolution = %d, expected >= 1", resolution);
    if (!musc_rounding_ok((int)rounding))
        return musc_error(MUSC_ERR_ARG, "rounding = %d, expected a musc_rounding value",
                          (int)rounding);
    if (music->resolution < 1)
        return musc_error(MUSC_ERR_INVALID, "resolution = %d, expected >= 1",
                          music->resolution);
    if (resolution == music->resolution)
        return MUSC_OK;
    struct musc_time_map map = {.point = scale_point,
                                .map_ends = 1,
                                .min_duration = 1,
                                .num = resolution,
                                .den = music->resolution,
                                .rounding = (int)rounding};
    musc_status rc = musc_map_times(music, &map);
    if (rc)
        return rc;
    music->resolution = resolution;
    return MUSC_OK;
}
