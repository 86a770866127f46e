/* spawn_timer.c - run a command N times and report the median and p90 wall
 * time in microseconds, plus the peak RSS of the command's process and of the
 * largest process in its tree (ru_maxrss of the child and of its waited-for
 * descendants).
 *
 * usage: srt-bench-spawn N COMMAND [ARGS...]
 * prints: median_us=... p90_us=... rss_kib=... tree_max_rss_kib=... */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: srt-bench-spawn N COMMAND [ARGS...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 1)
        n = 1;
    long *us = calloc((size_t)n, sizeof *us);
    long rss = 0;
    if (!us)
        return 1;
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        pid_t pid;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ) != 0) {
            perror("posix_spawnp");
            return 1;
        }
        int st;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "command failed (status %d)\n", st);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        us[i] = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
        if (ru.ru_maxrss > rss)
            rss = ru.ru_maxrss;
    }
    struct rusage all;
    getrusage(RUSAGE_CHILDREN, &all);
    qsort(us, (size_t)n, sizeof *us, cmp_long);
    printf("median_us=%ld p90_us=%ld rss_kib=%ld tree_max_rss_kib=%ld\n", us[n / 2],
           us[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1], rss, all.ru_maxrss);
    free(us);
    return 0;
}
