/* main.c - entry of srt-linux-launch: picks the stage from argv[1].
 *
 *   srt-linux-launch --outer --ctl-fd N [--userns] -- BWRAP_ARGV...
 *   srt-linux-launch --inner [--allow-unix] [--allow-nested-userns]
 *                    [--ll-write PATH]... [--keep-fd N]... -- CMD ARGV...
 *   srt-linux-launch --weak [--allow-unix] [--ll-read PATH]... [--ll-write PATH]...
 *                    [--connect-port N]... [--keep-fd N]... -- CMD ARGV...
 *
 * Anything else is a usage error, reported like every other setup failure
 * (exit 125) so that a wrong plan can never end up running the command. */
#include <stdio.h>
#include <string.h>

#include "launch_int.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--outer") == 0)
        return launch_outer_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--inner") == 0)
        return launch_inner_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "--weak") == 0)
        return launch_weak_main(argc - 2, argv + 2);
    fprintf(stderr, "srt-linux-launch: usage: srt-linux-launch --outer|--inner|--weak [options] -- argv...\n");
    return LAUNCH_EXIT_SETUP;
}
