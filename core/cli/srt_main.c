/* srt_main.c - placeholder front end; replaced by the real CLI. */
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "srt: not built yet\n");
    return 125;
}
