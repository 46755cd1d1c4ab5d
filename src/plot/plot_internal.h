#ifndef MUSC_PLOT_INTERNAL_H
#define MUSC_PLOT_INTERNAL_H

#include <stddef.h>

/* Short name of a GM percussion key ("Snare", "Hi-hat"); keys without one
 * are written into buf as "Key N". */
const char *plot_drum_name(int key, char *buf, size_t size);

#endif
