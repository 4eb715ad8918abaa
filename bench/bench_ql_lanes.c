/* bench_ql_lanes.c -- the QL kernel of sampler=tridiag alone (docs/model.md
 * section 12, TR-3): microseconds per prompt of cp_tridiag_eigen_lanes
 * (CP_TRI_LANES prompts per call) next to the scalar cp_tridiag_eigen, on the
 * same TR-2 tridiagonals (d = d1 + d2, L = 200, s uniform on [0.5, 4]),
 * measured in the same run as process CPU time (the machine is shared: time
 * spent descheduled is not counted; still, read the ratio).
 *   build/bench/bench_ql_lanes [d ...]      (default: 20 128)
 * Environment: CP_BENCH_SECONDS (default 0.4) per measurement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"
#include "crossproof/rng.h"
#include "benchutil.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

#define NB 64                          /* blocks of CP_TRI_LANES matrices, reused */

static void fill(double *a, double *e, long st, long d, long L, uint64_t index)
{
    cp_rng r;
    cp_rng_init(&r, 7, index, 0);
    double s = 0.5 + 3.5 * cp_rng_uniform(&r), prev = 0.0;
    for (long k = 0; k < d; k++) {
        double b2 = cp_rng_chi2(&r, (double) (L - k)), c2 = k < d - 1 ? cp_rng_chi2(&r, (double) (d - 1 - k)) : 0.0;
        a[k * st] = (k == 0 ? (1.0 + s) * b2 : b2 + prev) / (double) L;
        e[k * st] = (k == 0 ? sqrt((1.0 + s) * b2 * c2) : sqrt(b2 * c2)) / (double) L;
        prev = c2;
    }
}

int main(int argc, char **argv)
{
    const char *env = getenv("CP_BENCH_SECONDS");
    double secs = env ? atof(env) : 0.4;
    long dl[16] = { 20, 128 };
    int nd = 2;
    if (argc > 1)
        for (nd = 0; nd + 1 < argc && nd < 16; nd++)
            dl[nd] = atol(argv[nd + 1]);
    const long W = CP_TRI_LANES, L = 200;
    printf("bench_ql_lanes: CP_TRI_LANES = %ld, L = %ld, ~%g s per measurement\n", W, L, secs);
    for (int t = 0; t < nd; t++) {
        long d = dl[t], n = d * W;
        if (d < 1 || d > 512)
            continue;
        double *A0 = malloc((size_t) (NB * n) * sizeof(double)), *E0 = malloc((size_t) (NB * n) * sizeof(double));
        double *a = malloc((size_t) n * sizeof(double)), *e = malloc((size_t) n * sizeof(double));
        double *z = malloc((size_t) n * sizeof(double));
        for (long bl = 0; bl < NB; bl++)
            for (long k = 0; k < W; k++)
                fill(A0 + bl * n + k, E0 + bl * n + k, W, d, L, (uint64_t) (bl * W + k));
        double us[2], chk[2] = { 0, 0 };
        for (int mode = 0; mode < 2; mode++) {
            long calls = 0;
            double t0 = cpu_now(), dt;
            do {
                for (long bl = 0; bl < NB; bl++) {
                    memcpy(a, A0 + bl * n, (size_t) n * sizeof(double));
                    memcpy(e, E0 + bl * n, (size_t) n * sizeof(double));
                    if (mode == 0) {
                        int fail[CP_TRI_LANES] = { 0 };
                        cp_tridiag_eigen_lanes(d, a, e, z, fail);
                    } else {
                        double as[512], es[512], zs[512];
                        for (long k = 0; k < W; k++) {
                            for (long i = 0; i < d; i++) {
                                as[i] = a[i * W + k];
                                es[i] = e[i * W + k];
                            }
                            cp_tridiag_eigen(d, as, es, zs);
                            for (long i = 0; i < d; i++)
                                a[i * W + k] = as[i];
                        }
                    }
                    chk[mode] += a[0];
                }
                calls += NB;
                dt = cpu_now() - t0;
            } while (dt < secs);
            us[mode] = 1e6 * dt / (double) (calls * W);
        }
        printf("d = %4ld: lanes %8.2f us/prompt  scalar %8.2f us/prompt  ratio %.2fx  (checksums %.6g %.6g)\n", d,
               us[0], us[1], us[1] / us[0], chk[0], chk[1]);
        free(A0); free(E0); free(a); free(e); free(z);
    }
    return 0;
}
