/*
 * MIDI -> model -> JSON -> model: every POP909 and Nottingham MIDI file reads
 * back from musc's JSON equal to what the MIDI reader made (all fields the
 * object model holds, extras included), and the JSON converts back to MIDI
 * that reads equal again.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"
#include "test_support.h"

static void round_trip_dir(const char *pattern, size_t *files, size_t *equal)
{
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        musc_music *a = NULL, *b = NULL, *c = NULL;
        uint8_t *json = NULL, *mid = NULL;
        size_t json_size = 0, mid_size = 0;
        char why[256] = "";
        int ok = musc_midi_read(g.gl_pathv[i], NULL, &a, NULL) == MUSC_OK &&
                 musc_json_write_mem(a, &json, &json_size) == MUSC_OK &&
                 musc_json_read_mem(json, json_size, NULL, &b, NULL) == MUSC_OK &&
                 musc_music_diff(a, b, why, sizeof why) &&
                 musc_midi_write_mem(b, &mid, &mid_size) == MUSC_OK &&
                 musc_midi_read_mem(mid, mid_size, NULL, &c, NULL) == MUSC_OK &&
                 musc_music_diff(b, c, why, sizeof why);
        if (!ok && *files - *equal < 5)
            printf("  %s: %s\n", g.gl_pathv[i], why[0] ? why : musc_errmsg());
        (*files)++;
        *equal += ok;
        free(json);
        free(mid);
        musc_music_free(a);
        musc_music_free(b);
        musc_music_free(c);
    }
    globfree(&g);
}

static void datasets_survive_midi_json_midi(void **state)
{
    (void)state;
    const char *data = test_shared_data();
    if (!data) {
        printf("SKIP: needs ../shared/data (POP909, Nottingham MIDI)\n");
        skip();
    }
    char pattern[4096];
    size_t files = 0, equal = 0;
    snprintf(pattern, sizeof pattern, "%s/pop909/POP909/*/[0-9][0-9][0-9].mid", data);
    round_trip_dir(pattern, &files, &equal);
    snprintf(pattern, sizeof pattern, "%s/nottingham/MIDI/*.mid", data);
    round_trip_dir(pattern, &files, &equal);
    printf("MIDI -> JSON -> MIDI: %zu of %zu files equal\n", equal, files);
    assert_true(files > 1900);
    assert_int_equal(equal, files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(datasets_survive_midi_json_midi)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
