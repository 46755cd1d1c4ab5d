/*
 * The format-neutral entry points: pick a reader or writer by extension.
 * A new format adds one case to each switch below.
 */
#include "musc/abc.h"
#include "musc/io.h"
#include "musc/json.h"
#include "musc/kern.h"
#include "musc/midi.h"
#include "musc/npz.h"
#include "musc/musicxml.h"

musc_status musc_read(const char *path, const musc_read_options *options, musc_music **out,
                      musc_report *report)
{
    *out = NULL;
    musc_format f = musc_format_from_path(path);
    switch (f) {
    case MUSC_FORMAT_MIDI: return musc_midi_read(path, options, out, report);
    case MUSC_FORMAT_JSON: return musc_json_read(path, options, out, report);
    case MUSC_FORMAT_ABC: return musc_abc_read(path, options, out, report);
    case MUSC_FORMAT_NPZ: return musc_npz_read(path, options, out, report);
    case MUSC_FORMAT_KERN: return musc_kern_read(path, options, out, report);
    case MUSC_FORMAT_MUSICXML:
    case MUSC_FORMAT_MXL: return musc_musicxml_read(path, options, out, report);
    case MUSC_FORMAT_UNKNOWN:
        return musc_error(MUSC_ERR_UNSUPPORTED,
                          "%s: unknown file extension (known: .mid .midi .rmi .json .json.gz .abc .npz .xml .musicxml .mxl .krn)",
                          path);
    default:
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: reading %s files is not supported yet", path,
                          musc_format_name(f));
    }
}

musc_status musc_write(const musc_music *music, const char *path,
                       const musc_write_options *options)
{
    musc_format f = musc_format_from_path(path);
    switch (f) {
    case MUSC_FORMAT_MIDI: return musc_midi_write(music, path, options);
    case MUSC_FORMAT_JSON: return musc_json_write(music, path, options);
    case MUSC_FORMAT_ABC: return musc_abc_write(music, path, options);
    case MUSC_FORMAT_NPZ: return musc_npz_write(music, path, options);
    case MUSC_FORMAT_MUSICXML:
    case MUSC_FORMAT_MXL: return musc_musicxml_write(music, path, options);
    case MUSC_FORMAT_UNKNOWN:
        return musc_error(MUSC_ERR_UNSUPPORTED,
                          "%s: unknown file extension (known: .mid .midi .json .json.gz .abc .npz .xml .musicxml .mxl)",
                          path);
    default:
        return musc_error(MUSC_ERR_UNSUPPORTED, "%s: writing %s files is not supported yet", path,
                          musc_format_name(f));
    }
}
