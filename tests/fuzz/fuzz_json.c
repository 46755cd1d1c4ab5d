/*
 * libFuzzer target for the JSON reader: any bytes (plain or gzip) must give
 * either a valid music or an error, never a crash or a leak. A music that
 * reads must also validate, write and read back to an equal model, which
 * checks the writer on every shape the reader accepts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    musc_report report = {0};
    musc_read_options options = musc_read_options_default();
    options.strict = size > 0 && (data[size - 1] & 1); /* exercise both modes */
    musc_music *music = NULL;
    if (musc_json_read_mem(data, size, &options, &music, &report) == MUSC_OK) {
        if (musc_music_validate(music) != MUSC_OK)
            __builtin_trap();
        uint8_t *text = NULL;
        size_t text_size = 0;
        if (musc_json_write_mem(music, &text, &text_size) == MUSC_OK) {
            musc_music *back = NULL;
            if (musc_json_read_mem(text, text_size, NULL, &back, NULL) != MUSC_OK ||
                !musc_music_equal(music, back))
                __builtin_trap();
            musc_music_free(back);
            free(text);
        }
        musc_music_free(music);
    }
    musc_report_clear(&report);
    return 0;
}
