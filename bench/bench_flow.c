/* bench_flow.c -- performance targets of issue 3, measured as whole
 * processes of the crossproof binary (what a user waits for):
 *   alpha_T to 30 digits, uniform prior, T = 10^4 and T = 10^6: < 0.2 s each;
 *   Beta(2, 2) and two-point priors at T = 10^3: < 5 s each;
 *   audit of theorems/gradient_flow.md and theorems/two_parameter.md: < 60 s.
 * Each run must also succeed (exit code 0: digits reached / all claims
 * certified).  Prints one line per target; exits 1 if any target is missed. */
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
    printf("bench_flow: %s\n", prog);
    ok &= bench_run(prog, "eval alpha-opt m_lo=0.5 m_hi=4 T=10000 --digits 30", 0.2, 5);
    ok &= bench_run(prog, "eval alpha-opt m_lo=0.5 m_hi=4 T=1000000 --digits 30", 0.2, 5);
    ok &= bench_run(prog, "eval alpha-opt m_lo=0.5 m_hi=4 T=100 --digits 30 --json", 0.2, 5);
    ok &= bench_run(prog, "eval alpha-opt prior=beta beta_a=2 beta_b=2 m_lo=0.5 m_hi=4 T=1000 --digits 30", 5.0, 1);
    ok &= bench_run(prog, "eval alpha-opt prior=twopoint m_lo=0.5 m_hi=4 T=1000 --digits 30", 5.0, 3);
    ok &= bench_run(prog, "audit theorems/gradient_flow.md theorems/two_parameter.md --report /tmp/bench_flow_report.md",
              60.0, 1);
    printf("bench_flow: %s\n", ok ? "all targets met" : "TARGETS MISSED");
    return ok ? 0 : 1;
}
