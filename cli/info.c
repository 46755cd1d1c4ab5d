/* placeholder until the real command lands */
#include <stdio.h>
#include "commands.h"
int cmd_info(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "musc info: not built yet\n");
    return EXIT_INPUT;
}
