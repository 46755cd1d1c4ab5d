/*
 * Short names of the General MIDI percussion keys (35-81), short enough to
 * label rows of a drum lane.
 */
#include <stdio.h>

#include "plot_internal.h"

static const char *const names[] = {
    "Kick 2",     "Kick",       "Side stick", "Snare",      "Clap",       "Snare 2",
    "Low tom 2",  "Hi-hat",     "Low tom",    "Pedal hat",  "Mid tom 2",  "Open hat",
    "Mid tom",    "High tom 2", "Crash",      "High tom",   "Ride",       "China",
    "Ride bell",  "Tambourine", "Splash",     "Cowbell",    "Crash 2",    "Vibraslap",
    "Ride 2",     "Bongo hi",   "Bongo lo",   "Conga mute", "Conga open", "Conga lo",
    "Timbale hi", "Timbale lo", "Agogo hi",   "Agogo lo",   "Cabasa",     "Maracas",
    "Whistle",    "Whistle 2",  "Guiro",      "Guiro 2",    "Claves",     "Woodblock",
    "Woodblk lo", "Cuica mute", "Cuica open", "Triangle m", "Triangle",
};

const char *plot_drum_name(int key, char *buf, size_t size)
{
    if (key >= 35 && key <= 81)
        return names[key - 35];
    snprintf(buf, size, "Key %d", key);
    return buf;
}
