/* bench_finite_exact.c -- performance target of issue 10, item 1, measured
 * as whole processes of the crossproof binary (what a user waits for):
 *   exact expected excess at d = 2 (docs/model.md, section 8), tied CA,
 *   L = 200, alpha = 4/13, uniform prior on [1/2, 4], 30 digits:
 *     T = 60: < 1 s (target of issue 10; a Python prototype took 100 s);
 *     T = 100: printed, with a loose ceiling of 30 s;
 *   and T = 30, 150 for the growth (cost O(T^4));
 *   general d (docs/model.md (FE-9)): d = 4 at T = 5 and 8, d = 20 at T = 2, 5, 6.
 * Each run must also succeed (exit code 0).  Prints one line per run;
 * exits 1 if a target is missed. */
#include <stdio.h>
#include "benchutil.h"
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char prog[1024];
    int ok = 1;
    (void) argc;
    bench_prog_path(prog, sizeof prog, argv[0]);
    printf("bench_finite_exact: %s\n", prog);
    ok &= bench_run(prog, "eval ca-excess-finite L=200 T=30 alpha=4/13 --digits 30", 1.0, 3);
    ok &= bench_run(prog, "eval ca-excess-finite L=200 T=60 alpha=4/13 --digits 30", 1.0, 3);
    ok &= bench_run(prog, "eval ca-excess-finite L=200 T=60 alpha=4/13 beta=-3/10 prior=beta sigma=1/2 --digits 30", 1.0, 3);
    ok &= bench_run(prog, "eval ca-excess-finite L=200 T=100 alpha=4/13 --digits 30", 30.0, 1);
    ok &= bench_run(prog, "eval ca-excess-finite L=200 T=150 alpha=4/13 --digits 30", 120.0, 1);
    /* general d (FE-9), exponential in min(d, T): printed, loose ceilings */
    ok &= bench_run(prog, "eval ca-excess-finite d1=3 d2=1 L=20 T=5 alpha=3/20 m_lo=2 m_hi=2 --digits 30", 5.0, 3);
    ok &= bench_run(prog, "eval ca-excess-finite d1=3 d2=1 L=200 T=8 --digits 30", 20.0, 1);
    ok &= bench_run(prog, "eval ca-excess-finite d1=10 d2=10 L=200 T=2 --digits 30", 5.0, 3);
    ok &= bench_run(prog, "eval ca-excess-finite d1=10 d2=10 L=200 T=5 --digits 30", 20.0, 1);
    ok &= bench_run(prog, "eval ca-excess-finite d1=10 d2=10 L=200 T=6 --digits 30", 60.0, 1);
    printf("bench_finite_exact: %s\n", ok ? "all targets met" : "TARGETS MISSED");
    return ok ? 0 : 1;
}
