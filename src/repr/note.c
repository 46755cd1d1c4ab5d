/*
 * MusPy's note-based representation: one row per note, (time, pitch,
 * duration[, velocity]) or (time, pitch, end[, velocity]). It is lossless
 * for notes, so it is the plainest way to hand a piece to a model.
 */
#include "musc/repr.h"

#include <stdlib.h>

#include "collect.h"

musc_note_repr_options musc_note_repr_options_default(void)
{
    musc_note_repr_options o = {0};
    o.use_start_end = 0;
    o.encode_velocity = 1;
    o.resolution = MUSC_DEFAULT_RESOLUTION;
    o.program = 0;
    o.is_drum = 0;
    o.default_velocity = MUSC_DEFAULT_VELOCITY;
    return o;
}

size_t musc_note_repr_columns(const musc_note_repr_options *options)
{
    return options && !options->encode_velocity ? 3 : 4;
}

musc_status musc_note_repr_encode(const musc_music *music,
                                  const musc_note_repr_options *options, int64_t **rows,
                                  size_t *n_rows)
{
    musc_note_repr_options o = options ? *options : musc_note_repr_options_default();
    *rows = NULL;
    *n_rows = 0;
    if (!music)
        return musc_error(MUSC_ERR_ARG, "note encode: music is NULL");
    size_t cols = musc_note_repr_columns(&o);
    musc_note *notes;
    size_t nn;
    musc_status st = musc_repr_collect_notes(music, &notes, &nn);
    if (st || !nn)
        return st;
    if (nn > SIZE_MAX / (cols * sizeof(int64_t))) {
        free(notes);
        return musc_error(MUSC_ERR_NOMEM, "note encode: too many notes (%zu)", nn);
    }
    int64_t *a = malloc(nn * cols * sizeof *a);
    if (!a) {
        free(notes);
        return musc_error(MUSC_ERR_NOMEM, "note encode: out of memory for %zu notes", nn);
    }
    for (size_t i = 0; i < nn; i++) {
        int64_t *r = a + i * cols;
        r[0] = notes[i].time;
        r[1] = notes[i].pitch;
        r[2] = o.use_start_end ? notes[i].time + notes[i].duration : notes[i].duration;
        if (cols == 4)
            r[3] = notes[i].velocity;
    }
    free(notes);
    *rows = a;
    *n_rows = nn;
    return MUSC_OK;
}

musc_status musc_note_repr_decode(const int64_t *rows, size_t n_rows,
                                  const musc_note_repr_options *options, musc_music **out)
{
    musc_note_repr_options o = options ? *options : musc_note_repr_options_default();
    *out = NULL;
    musc_status st = musc_repr_check_decode("note decode", o.resolution, o.program,
                                            o.default_velocity);
    if (st)
        return st;
    if (n_rows && !rows)
        return musc_error(MUSC_ERR_ARG, "note decode: rows is NULL");
    size_t cols = musc_note_repr_columns(&o);
    musc_track *track;
    musc_music *m = musc_repr_new_single_track(o.resolution, o.program, o.is_drum, &track);
    if (!m)
        return MUSC_ERR_NOMEM;
    for (size_t i = 0; i < n_rows; i++) {
        const int64_t *r = rows + i * cols;
        int64_t time = r[0], pitch = r[1];
        int64_t velocity = cols == 4 ? r[3] : o.default_velocity;
        int64_t duration = r[2];
        if (o.use_start_end) {
            /* end - time; when that would overflow the note is invalid anyway */
            if ((r[0] < 0 && r[2] > INT64_MAX + r[0]) || (r[0] > 0 && r[2] < INT64_MIN + r[0]))
                duration = -1;
            else
                duration = r[2] - r[0];
        }
        if (time < 0 || duration < 0 || pitch < 0 || pitch > 127 || velocity < 0 || velocity > 127) {
            musc_music_free(m);
            return musc_error(MUSC_ERR_RANGE,
                              "note decode: row %zu (time %lld, pitch %lld, %s %lld, velocity "
                              "%lld) is not a valid note",
                              i, (long long)time, (long long)pitch,
                              o.use_start_end ? "end" : "duration", (long long)r[2],
                              (long long)velocity);
        }
        if (musc_track_add_note(track, time, duration, (int)pitch, (int)velocity)) {
            musc_music_free(m);
            return musc_error(MUSC_ERR_NOMEM, "note decode: out of memory");
        }
    }
    musc_music_sort(m);
    *out = m;
    return MUSC_OK;
}
