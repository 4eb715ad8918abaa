/* bench_train.c -- training gradients (docs/model.md section 16), `make bench`:
 *   the audit's training claims (risk.train.ca*, one job): < 6 s as a whole
 *     process (about 7.5 s on the Wishart path before section 16);
 *   per gradient component, the cost of a given precision: seconds per prompt
 *     times the per-prompt gradient variance, sampler=tridiag against
 *     sampler=wishart (cp_engine_grad, one thread): tridiag must be cheaper
 *     (ratio < 1) at every point.
 * The machine is shared: read the ratios, not the absolute numbers.  Prints
 * one line per target; exits 1 if any target is missed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"
#include "benchutil.h"

typedef struct { double sec_per_prompt, var[2]; } gmeas;

/* nb batches of n prompts: time per prompt and per-prompt variance of each
 * gradient component (n times the variance of the batch means). */
static gmeas measure(const cp_predictor *p, long d, long L, cp_sampler smp, int nb, long long n)
{
    gmeas r;
    memset(&r, 0, sizeof r);
    cp_sim_config c;
    memset(&c, 0, sizeof c);
    c.model.m_lo = 0.5; c.model.m_hi = 4; c.model.d1 = d / 2; c.model.d2 = d - d / 2; c.model.k = 1;
    c.model.beta_a = c.model.beta_b = 2;
    c.L = L; c.sampler = smp; c.query = CP_QUERY_EXACT; c.seed = 7; c.substream = 1; c.threads = 1;
    c.prompts = n;
    double s1[2] = { 0, 0 }, s2[2] = { 0, 0 }, g[2], ex;
    char err[256];
    long np = cp_predictor_nparams(p);
    double t0 = bench_now();
    for (int b = 0; b < nb; b++) {
        c.first = (uint64_t) b * (uint64_t) n;
        if (cp_engine_grad(g, &ex, &c, p, err) != 0) {
            fprintf(stderr, "bench_train: %s\n", err);
            exit(1);
        }
        for (long q = 0; q < np; q++) {
            s1[q] += g[q];
            s2[q] += g[q] * g[q];
        }
    }
    r.sec_per_prompt = (bench_now() - t0) / ((double) nb * (double) n);
    for (long q = 0; q < np; q++) {
        double m = s1[q] / nb;
        r.var[q] = (double) n * (s2[q] / nb - m * m) * nb / (nb - 1);
    }
    return r;
}

int main(int argc, char **argv)
{
    char prog[1024];
    int ok = 1;
    (void) argc;
    bench_prog_path(prog, sizeof prog, argv[0]);
    printf("bench_train: %s\n", prog);
    ok &= bench_run(prog, "audit theorems/risk_limits.md --only risk.train.ca --jobs 1 --report /tmp/bench_train_report.md",
                    6.0, 1);
    struct { cp_pred_kind k; long d, L, T; } pts[3] = {
        { CP_PRED_CA2, 2, 2000, 5 }, { CP_PRED_CA, 2, 200, 3 }, { CP_PRED_CA2, 10, 200, 20 } };
    for (int i = 0; i < 3; i++) {
        cp_predictor p = { .kind = pts[i].k, .d = pts[i].d, .T = pts[i].T, .alpha = 0.25, .beta = -0.25 };
        if (pts[i].d > 2)
            p.alpha = 0.1, p.beta = -0.1;
        gmeas t = measure(&p, pts[i].d, pts[i].L, CP_SAMPLER_TRIDIAG, 30, 4096);
        gmeas w = measure(&p, pts[i].d, pts[i].L, CP_SAMPLER_WISHART, 30, 4096);
        for (long q = 0; q < cp_predictor_nparams(&p); q++) {
            double ratio = (t.sec_per_prompt * t.var[q]) / (w.sec_per_prompt * w.var[q]);
            int good = ratio < 1.0;
            ok &= good;
            printf("%-4s %s d = %ld L = %ld T = %ld component %ld: tridiag %.3g us/prompt, variance %.3g; wishart "
                   "%.3g us/prompt, variance %.3g; cost of a given precision tridiag/wishart %.3f (target < 1)\n",
                   good ? "PASS" : "FAIL", cp_pred_kind_name(p.kind), pts[i].d, pts[i].L, pts[i].T, q,
                   1e6 * t.sec_per_prompt, t.var[q], 1e6 * w.sec_per_prompt, w.var[q], ratio);
        }
    }
    printf("bench_train: %s\n", ok ? "all targets met" : "TARGETS MISSED");
    return ok ? 0 : 1;
}
