/*
 * The musc subcommands, one file each (cli/<name>.c). Each takes the
 * arguments after its name (argv[0] is the command name) and returns the
 * process exit code: 0 ok, 1 bad input file or failed operation, 2 bad usage.
 * Messages go to stderr, data to stdout.
 */
#ifndef MUSC_CLI_COMMANDS_H
#define MUSC_CLI_COMMANDS_H

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2 };

typedef struct musc_command {
    const char *name;
    const char *summary; /* one line for `musc --help` */
    int (*run)(int argc, char **argv);
} musc_command;

/* Add a new subcommand: declare it here and list it in cli/main.c. */
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_example(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_perform(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_harmonize(int argc, char **argv);       /* also dispatches train / eval */
int cmd_harmonize_train(int argc, char **argv); /* for `musc train --task harmonize` */
int cmd_harmonize_eval(int argc, char **argv);  /* for `musc eval harmonize` */
int cmd_instrument(int argc, char **argv);
int cmd_instrument_train(int argc, char **argv); /* `musc train --task instrument` */
int cmd_instrument_eval(int argc, char **argv);  /* `musc eval instrument` */
int cmd_train_task(int argc, char **argv); /* musc train [--task T]: cli/tasks.c */
int cmd_eval(int argc, char **argv);       /* musc eval TASK: cli/tasks.c */

#endif
