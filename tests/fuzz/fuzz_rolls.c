/* libFuzzer target: piano-roll lists (JSB chorales JSON), every piece and
 * one piece, auto-detected and forced layouts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "musc/json.h"
#include "musc/rolls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_read_options o = musc_read_options_default();
    musc_music **list = NULL;
    int *splits = NULL;
    size_t n = 0;
    if (musc_rolls_read_book_mem(data, size, &o, &list, &splits, &n, NULL) == MUSC_OK) {
        musc_music_list_free(list, n);
        free(splits);
    }
    musc_music *m = NULL;
    o.flags = MUSC_ROLLS_VOICES | MUSC_ROLLS_STEPS_PER_QUARTER(4);
    o.index = 1;
    if (musc_rolls_read_mem(data, size, &o, &m, NULL) == MUSC_OK)
        musc_music_free(m);
    o = musc_read_options_default();
    if (musc_json_read_mem(data, size, &o, &m, NULL) == MUSC_OK)
        musc_music_free(m);
    return 0;
}
