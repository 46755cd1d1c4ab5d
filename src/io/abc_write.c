/* placeholder: ABC writing lands in a later commit */
#include "musc/abc.h"
musc_status musc_abc_write_mem(const musc_music *music, char **text, size_t *size)
{ (void)music; *text = NULL; *size = 0; return musc_error(MUSC_ERR_UNSUPPORTED, "ABC writing is not built yet"); }
musc_status musc_abc_write(const musc_music *music, const char *path, const musc_write_options *options)
{ (void)music; (void)path; (void)options; return musc_error(MUSC_ERR_UNSUPPORTED, "ABC writing is not built yet"); }
