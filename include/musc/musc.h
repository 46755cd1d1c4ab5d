/*
 * musc: AI-assisted multitrack music creation. Include this header for the
 * whole public API.
 */
#ifndef MUSC_MUSC_H
#define MUSC_MUSC_H

#define MUSC_VERSION_MAJOR 0
#define MUSC_VERSION_MINOR 1
#define MUSC_VERSION_PATCH 0
#define MUSC_VERSION_STRING "0.1.0"

#include "musc/error.h"
#include "musc/music.h"
#include "musc/io.h"
#include "musc/midi.h"
#include "musc/json.h"
#include "musc/musicxml.h"
#include "musc/process.h"
#include "musc/abc.h"
#include "musc/repr.h"
#include "musc/npz.h"
#include "musc/metrics.h"
#include "musc/plot.h"
#include "musc/names.h"
#include "musc/audio.h"
#include "musc/dataset.h"
#include "musc/nn.h"
#include "musc/mmt.h"
#include "musc/kern.h"
#include "musc/harmonize.h"
#include "musc/instrument.h"
#include "musc/rolls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "0.1.0". */
const char *musc_version(void);

#ifdef __cplusplus
}
#endif
#endif
