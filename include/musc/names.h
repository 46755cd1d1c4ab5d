/*
 * Human-readable names for numbers the object model stores: General MIDI
 * program names, pitch names and key-signature names. Tools print these;
 * the library itself never needs them.
 */
#ifndef MUSC_NAMES_H
#define MUSC_NAMES_H

#include <stddef.h>

#include "musc/music.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The General MIDI Level 1 name of melodic program 0..127 ("Acoustic Grand
 * Piano", ...). Returns "Unknown" outside 0..127. Never NULL; the string is
 * static. Drum kits are not named: for a drum track print "Drums" instead. */
const char *musc_gm_program_name(int program);

/* The name of one of the 16 General MIDI instrument families ("Piano",
 * "Bass", ...) that `program` belongs to, or "Unknown" outside 0..127. */
const char *musc_gm_family_name(int program);

/* Name of pitch class 0..11 (C = 0) spelled with sharps (`prefer_flats` 0)
 * or flats: "C#" or "Db". Returns "?" outside 0..11. Static string. */
const char *musc_pitch_class_name(int pitch_class, int prefer_flats);

/* Write the name of a key signature into buf (always NUL-terminated when
 * size > 0): "G major", "F# minor", "Bb major"; the tonic comes from fifths
 * and mode, so the spelling follows the signature. When the mode is unknown
 * (MUSC_MODE_NONE) the root is used if known ("D"), else the accidentals
 * ("2 sharps"). Returns buf. */
char *musc_key_signature_name(const musc_key_signature *key, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
