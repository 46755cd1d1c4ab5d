/* placeholder until the real implementation lands */
#include "musc/midi.h"
#include "musc/json.h"
musc_status musc_json_read_mem(const uint8_t *data, size_t size, const musc_read_options *options, musc_music **out, musc_report *report)
{ (void)data; (void)size; (void)options; (void)report; *out = NULL; return musc_error(MUSC_ERR_UNSUPPORTED, "JSON is not built yet"); }
musc_status musc_json_read(const char *path, const musc_read_options *options, musc_music **out, musc_report *report)
{ (void)path; return musc_json_read_mem(NULL, 0, options, out, report); }
musc_status musc_json_write_mem(const musc_music *music, uint8_t **data, size_t *size)
{ (void)music; *data = NULL; *size = 0; return musc_error(MUSC_ERR_UNSUPPORTED, "JSON is not built yet"); }
musc_status musc_json_write(const musc_music *music, const char *path, const musc_write_options *options)
{ (void)music; (void)path; (void)options; return musc_error(MUSC_ERR_UNSUPPORTED, "JSON is not built yet"); }
