/*
 * Names for General MIDI programs, pitch classes and key signatures. The
 * program list is General MIDI Level 1's, in program order.
 */
#include "musc/names.h"

#include <stdio.h>

static const char *const gm_programs[128] = {
    /* Piano */
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano",
    "Honky-tonk Piano", "Electric Piano 1", "Electric Piano 2", "Harpsichord",
    "Clavinet",
    /* Chromatic Percussion */
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba", "Xylophone",
    "Tubular Bells", "Dulcimer",
    /* Organ */
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ", "Reed Organ",
    "Accordion", "Harmonica", "Tango Accordion",
    /* Guitar */
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics",
    /* Bass */
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    /* Strings */
    "Violin", "Viola", "Cello", "Contrabass", "Tremolo Strings", "Pizzicato Strings",
    "Orchestral Harp", "Timpani",
    /* Ensemble */
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    /* Brass */
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section",
    "Synth Brass 1", "Synth Brass 2",
    /* Reed */
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn",
    "Bassoon", "Clarinet",
    /* Pipe */
    "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi",
    "Whistle", "Ocarina",
    /* Synth Lead */
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    /* Synth Pad */
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    /* Synth Effects */
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    /* Ethnic */
    "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    /* Percussive */
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom",
    "Synth Drum", "Reverse Cymbal",
    /* Sound Effects */
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring",
    "Helicopter", "Applause", "Gunshot",
};

static const char *const gm_families[16] = {
    "Piano", "Chromatic Percussion", "Organ", "Guitar", "Bass", "Strings",
    "Ensemble", "Brass", "Reed", "Pipe", "Synth Lead", "Synth Pad",
    "Synth Effects", "Ethnic", "Percussive", "Sound Effects",
};

const char *musc_gm_program_name(int program)
{
    return program >= 0 && program < 128 ? gm_programs[program] : "Unknown";
}

const char *musc_gm_family_name(int program)
{
    return program >= 0 && program < 128 ? gm_families[program / 8] : "Unknown";
}

const char *musc_pitch_class_name(int pc, int prefer_flats)
{
    static const char *const sharps[12] = {"C", "C#", "D", "D#", "E", "F",
                                           "F#", "G", "G#", "A", "A#", "B"};
    static const char *const flats[12] = {"C", "Db", "D", "Eb", "E", "F",
                                          "Gb", "G", "Ab", "A", "Bb", "B"};
    if (pc < 0 || pc > 11)
        return "?";
    return prefer_flats ? flats[pc] : sharps[pc];
}

char *musc_key_signature_name(const musc_key_signature *key, char *buf, size_t size)
{
    /* Tonics along the circle of fifths, index fifths + 7 (-7 = 7 flats). */
    static const char *const major[15] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                          "G",  "D",  "A",  "E",  "B",  "F#", "C#"};
    static const char *const minor[15] = {"Ab", "Eb", "Bb", "F", "C",  "G",  "D", "A",
                                          "E",  "B",  "F#", "C#", "G#", "D#", "A#"};
    if (!buf || !size)
        return buf;
    int f = key->fifths;
    int in_range = f >= -7 && f <= 7;
    if (in_range && key->mode == MUSC_MODE_MAJOR)
        snprintf(buf, size, "%s major", major[f + 7]);
    else if (in_range && key->mode == MUSC_MODE_MINOR)
        snprintf(buf, size, "%s minor", minor[f + 7]);
    else if (key->root >= 0 && key->root <= 11)
        snprintf(buf, size, "%s", musc_pitch_class_name(key->root, f < 0));
    else if (f == 0)
        snprintf(buf, size, "no sharps or flats");
    else
        snprintf(buf, size, "%d %s%s", f < 0 ? -f : f, f < 0 ? "flat" : "sharp",
                 (f == 1 || f == -1) ? "" : "s");
    return buf;
}
