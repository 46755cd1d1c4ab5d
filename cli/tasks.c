/*
 * `musc train --task T` and `musc eval T`: one verb for every trained tool.
 * The tasks' own commands (musc harmonize train|eval, musc instrument
 * train|eval) do the work; this file only routes to them, so each task
 * keeps its options in one place.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"

typedef struct task {
    const char *name;
    int (*train)(int argc, char **argv);
    int (*eval)(int argc, char **argv);
} task;

static const task tasks[] = {
    {"mmt", cmd_train, NULL},
    {"harmonize", cmd_harmonize_train, cmd_harmonize_eval},
    {"instrument", cmd_instrument_train, cmd_instrument_eval},
};

static const task *find_task(const char *name)
{
    for (size_t i = 0; i < sizeof tasks / sizeof *tasks; i++)
        if (!strcmp(tasks[i].name, name))
            return &tasks[i];
    return NULL;
}

/* musc train [--task T] ...: --task (default mmt) may appear anywhere; it
 * is taken out and the rest goes to the task's trainer. */
int cmd_train_task(int argc, char **argv)
{
    const char *name = "mmt";
    int at = -1, width = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--task")) {
            if (i + 1 >= argc)
                return cli_usage_error("train", "--task needs a value: mmt, harmonize or instrument");
            name = argv[i + 1];
            at = i;
            width = 2;
            break;
        }
        if (!strncmp(argv[i], "--task=", 7)) {
            name = argv[i] + 7;
            at = i;
            width = 1;
            break;
        }
    }
    const task *t = find_task(name);
    if (!t || !t->train)
        return cli_usage_error("train", "--task %s: expected mmt, harmonize or instrument", name);
    if (at >= 0) {
        memmove(argv + at, argv + at + width, (size_t)(argc - at - width + 1) * sizeof *argv);
        argc -= width;
    }
    return t->train(argc, argv);
}

static const char *const eval_help =
    "usage: musc eval TASK [OPTIONS]\n"
    "\n"
    "Evaluate a trained tool on the test split of a dataset; TASK is\n"
    "  harmonize    melody harmonization (same as musc harmonize eval)\n"
    "  instrument   automatic instrumentation (same as musc instrument eval)\n"
    "musc eval TASK --help shows the task's options.\n";

int cmd_eval(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("eval", "expects a task: harmonize or instrument");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(eval_help, stdout);
        return EXIT_OK;
    }
    const task *t = find_task(argv[1]);
    if (!t || !t->eval)
        return cli_usage_error("eval", "unknown task '%s': expected harmonize or instrument",
                               argv[1]);
    return t->eval(argc - 1, argv + 1);
}
