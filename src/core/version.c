#include "musc/musc.h"

const char *musc_version(void) { return MUSC_VERSION_STRING; }
