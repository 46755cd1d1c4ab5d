/* musc command-line tool: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "musc/musc.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("musc %s\n", musc_version());
        return 0;
    }
    fprintf(stderr, "usage: musc COMMAND [ARGS]\n");
    return 2;
}
