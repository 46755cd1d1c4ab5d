/* libFuzzer target: the MMT model's config parser (include/musc/mmt.h) and
 * its grammar checker. Whatever the bytes, parsing must not crash; a config
 * that parses must pass the config check and survive a write and re-parse
 * unchanged; the grammar checker must accept or reject any rows safely. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "musc/musc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    musc_mmt_config c, d;
    musc_mmt_options t, u;
    if (musc_mmt_config_from_json(text, &c, &t) == MUSC_OK) {
        if (musc_mmt_config_check(&c) != MUSC_OK)
            abort();
        char *again = musc_mmt_config_to_json(&c, &t, NULL);
        if (again) {
            if (musc_mmt_config_from_json(again, &d, &u) != MUSC_OK ||
                memcmp(&c, &d, sizeof c) != 0)
                abort();
            free(again);
        }
    }
    free(text);
    /* the same bytes as rows of codes */
    size_t rows = size / (4 * MUSC_MMT_FIELDS);
    if (rows) {
        int32_t *codes = malloc(rows * MUSC_MMT_FIELDS * sizeof *codes);
        if (codes) {
            memcpy(codes, data, rows * MUSC_MMT_FIELDS * sizeof *codes);
            static const int V[MUSC_MMT_FIELDS] = {5, 257, 13, 129, 33, 65};
            (void)musc_mmt_check_grammar(codes, rows, V, (int)(size & 1));
            (void)musc_mmt_prompt_rows(codes, rows, 4);
            free(codes);
        }
    }
    return 0;
}
