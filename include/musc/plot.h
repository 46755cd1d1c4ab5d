/* placeholder, filled below */
#ifndef MUSC_PLOT_H
#define MUSC_PLOT_H
#endif
