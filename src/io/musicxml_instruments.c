/*
 * General MIDI programs guessed from MusicXML instrument and part names,
 * for scores whose part-list has no <midi-program>. Matching is by
 * case-insensitive substring, most specific names first ("alto sax" before
 * "alto", "contrabass" before "bass"), in English, German, Italian and
 * French spellings common in scores.
 */
#include <ctype.h>
#include <string.h>

#include "musicxml_internal.h"

static const struct {
    const char *word;
    int program;
} NAMES[] = {
    {"soprano sax", 64}, {"alto sax", 65}, {"tenor sax", 66}, {"baritone sax", 67},
    {"saxophone", 65}, {"sax", 65},
    {"electric piano", 4}, {"harpsichord", 6}, {"cembalo", 6}, {"clavichord", 7},
    {"celesta", 8}, {"glockenspiel", 9}, {"music box", 10}, {"vibraphone", 11},
    {"marimba", 12}, {"xylophone", 13}, {"tubular bell", 14}, {"dulcimer", 15},
    {"accordion", 21}, {"harmonica", 22}, {"organ", 19}, {"orgel", 19},
    {"acoustic bass", 32}, {"electric bass", 33}, {"bass guitar", 33},
    {"electric guitar", 27}, {"guitar", 24}, {"gitarre", 24}, {"banjo", 105},
    {"mandolin", 25}, {"violoncello", 42}, {"cello", 42}, {"contrabass", 43},
    {"double bass", 43}, {"kontrabass", 43}, {"viola", 41}, {"bratsche", 41},
    {"violin", 40}, {"violino", 40}, {"violine", 40}, {"geige", 40}, {"fiddle", 110},
    {"harp", 46}, {"harfe", 46}, {"timpani", 47}, {"pauken", 47},
    {"strings", 48}, {"string ensemble", 48}, {"pizzicato", 45},
    {"choir", 52}, {"chorus", 52}, {"soprano", 52}, {"mezzo", 52}, {"alto", 52},
    {"contralto", 52}, {"tenor", 52}, {"baritone", 52}, {"voice", 52}, {"vocal", 52},
    {"cantus", 52}, {"canto", 52}, {"stimme", 52},
    {"piccolo trumpet", 56}, {"trumpet", 56}, {"tromba", 56}, {"trompete", 56},
    {"cornet", 56}, {"flugelhorn", 56}, {"trombone", 57}, {"posaune", 57},
    {"tuba", 58}, {"english horn", 69}, {"cor anglais", 69}, {"french horn", 60},
    {"horn", 60}, {"corno", 60}, {"oboe", 68}, {"hautbois", 68}, {"bassoon", 70},
    {"fagott", 70}, {"clarinet", 71}, {"klarinette", 71}, {"clarinetto", 71},
    {"piccolo", 72}, {"flute", 73}, {"flauto", 73}, {"flöte", 73}, {"recorder", 74},
    {"pan flute", 75}, {"whistle", 78}, {"ocarina", 79}, {"bagpipe", 109},
    {"sitar", 104}, {"shamisen", 106}, {"koto", 107}, {"kalimba", 108},
    {"steel drum", 114}, {"synth", 80}, {"piano", 0}, {"klavier", 0}, {"keyboard", 0},
};

static int contains_ci(const char *hay, const char *needle)
{
    size_t k = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < k && p[i] && tolower((unsigned char)p[i]) == (unsigned char)needle[i])
            i++;
        if (i == k)
            return 1;
    }
    return 0;
}

int mx_program_from_name(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
        if (contains_ci(name, NAMES[i].word))
            return NAMES[i].program;
    return -1;
}
