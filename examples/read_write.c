/*
 * The musc C API in one page: read a file (any supported format, damaged
 * MIDI repaired), look at what it holds, edit it, write it in another format.
 *
 *   cc read_write.c $(pkg-config --cflags --libs musc) -o read_write
 *   ./read_write song.mid song-up-a-fifth.json
 */
#include <stdio.h>

#include <musc/musc.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
        return 2;
    }

    /* Read: the format follows the extension; repairs are listed in `report`. */
    musc_read_options options = musc_read_options_default();
    musc_report report = {0};
    musc_music *music = NULL;
    if (musc_read(argv[1], &options, &music, &report) != MUSC_OK) {
        fprintf(stderr, "%s\n", musc_errmsg());
        return 1;
    }
    for (size_t i = 0; i < report.n_repairs; i++)
        printf("repaired: %s\n", report.repairs[i].message);
    musc_report_clear(&report);

    /* Look: plain structs with arrays and counts. */
    int64_t end = musc_music_end_time(music);
    printf("%zu tracks, %zu notes, %.2f s\n", music->n_tracks, musc_music_note_count(music),
           musc_music_ticks_to_seconds(music, end));
    for (size_t i = 0; i < music->n_tracks; i++) {
        const musc_track *t = &music->tracks[i];
        printf("  %-8s %-24s %5zu notes\n", t->name ? t->name : "-",
               t->is_drum ? "Drums" : musc_gm_program_name(t->program), t->n_notes);
    }

    /* Edit: in place, through the process functions or by hand. */
    if (musc_transpose(music, 7, /*drop_out_of_range=*/1) != MUSC_OK ||
        musc_track_add_note(&music->tracks[0], end, music->resolution, 60, 80) != MUSC_OK) {
        fprintf(stderr, "%s\n", musc_errmsg());
        musc_music_free(music);
        return 1;
    }
    musc_music_sort(music);

    /* Write: atomic, and it refuses to replace a file unless told to. */
    musc_write_options wopt = musc_write_options_default();
    wopt.overwrite = 1;
    int status = musc_write(music, argv[2], &wopt);
    if (status != MUSC_OK)
        fprintf(stderr, "%s\n", musc_errmsg());
    musc_music_free(music);
    return status == MUSC_OK ? 0 : 1;
}
