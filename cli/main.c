/*
 * musc command-line tool: parses the global options and hands the rest to
 * one subcommand (one file per subcommand, see commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "musc/musc.h"

static const musc_command commands[] = {
    {"info", "show what a music file holds (tracks, notes, tempos, repairs)", cmd_info},
    {"convert", "convert between formats, chosen by file extension", cmd_convert},
    {"example", "write a short multitrack piece composed by musc", cmd_example},
    {"render", "render a score to audio (WAV, FLAC, OGG) with a SoundFont", cmd_render},
    {"perform", "write an expressive performance of a score (dynamics, timing)", cmd_perform},
    {"dataset", "build token shards and a catalogue from a folder; query; stats", cmd_dataset},
    {"metrics", "objective metrics of music files (MusPy, Pypianoroll, MuseGAN)", cmd_metrics},
    {"plot", "draw a multitrack piano roll (PNG or SVG)", cmd_plot},
    {"train", "train a model: MMT (default), --task harmonize|instrument", cmd_train_task},
    {"generate", "compose with a trained MMT model (MIDI or any format)", cmd_generate},
    {"harmonize", "write chords and an accompaniment under a melody; train; eval", cmd_harmonize},
    {"instrument", "assign the notes of a piece to the parts of an ensemble; train, eval", cmd_instrument},
    {"eval", "evaluate a trained tool on a test split: harmonize, instrument", cmd_eval},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: musc COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nmusc COMMAND --help shows a command's options.\n"
               "musc --version prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("musc %s\n", musc_version());
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "musc: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
