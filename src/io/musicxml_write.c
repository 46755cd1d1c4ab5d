#include "musc/musicxml.h"
musc_status musc_musicxml_write_mem(const musc_music *music, uint8_t **data, size_t *size)
{ (void)music; *data = NULL; *size = 0; return musc_error(MUSC_ERR_UNSUPPORTED, "todo"); }
musc_status musc_musicxml_write(const musc_music *music, const char *path, const musc_write_options *options)
{ (void)music; (void)path; (void)options; return musc_error(MUSC_ERR_UNSUPPORTED, "todo"); }
