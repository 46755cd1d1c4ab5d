/* placeholder until the real implementation lands */
#include "musc/midi.h"
#include "musc/json.h"
musc_status musc_midi_read_mem(const uint8_t *data, size_t size, const musc_read_options *options, musc_music **out, musc_report *report)
{ (void)data; (void)size; (void)options; (void)report; *out = NULL; return musc_error(MUSC_ERR_UNSUPPORTED, "MIDI reading is not built yet"); }
musc_status musc_midi_read(const char *path, const musc_read_options *options, musc_music **out, musc_report *report)
{ (void)path; return musc_midi_read_mem(NULL, 0, options, out, report); }
