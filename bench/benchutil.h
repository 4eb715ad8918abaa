/* benchutil.h -- what the process benchmarks share: a monotonic clock, the
 * path of build/crossproof next to the bench binary, and best-of-N timing of
 * one crossproof command as a whole process. */
#ifndef CROSSPROOF_BENCHUTIL_H
#define CROSSPROOF_BENCHUTIL_H

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* prog := the crossproof binary beside argv0's directory (build/bench/..). */
static inline void bench_prog_path(char *prog, size_t n, const char *argv0)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", argv0);
    snprintf(prog, n, "%s/../crossproof", dirname(dir));
}

/* Best wall time of reps runs of `prog args`; *rc gets the last exit status
 * (-1 when the process did not exit normally). */
static inline double bench_process(const char *prog, const char *args, int reps, int *rc)
{
    char cmd[2048];
    double best = 1e300;
    snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2>&1", prog, args);
    for (int i = 0; i < reps; i++) {
        double t0 = bench_now();
        int st = system(cmd);
        double dt = bench_now() - t0;
        *rc = (st == -1 || !WIFEXITED(st)) ? -1 : WEXITSTATUS(st);
        if (dt < best)
            best = dt;
    }
    return best;
}

/* Times `prog args` (best of reps) against a ceiling; prints PASS or FAIL. */
static inline int bench_run(const char *prog, const char *args, double limit, int reps)
{
    int rc = 0;
    double best = bench_process(prog, args, reps, &rc);
    int ok = rc == 0 && best < limit;
    printf("%-4s %8.3f s (target < %5.1f s, best of %d, exit %d)  crossproof %s\n",
           ok ? "PASS" : "FAIL", best, limit, reps, rc, args);
    return ok;
}

#endif
