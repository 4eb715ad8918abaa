/* test_engine_tridiag.c -- sampler=tridiag (docs/model.md section 12)
 * against independent oracles: LAPACK dsyev on the dense matrix (the QL
 * eigenvalues and first components), the Wishart moments E tr S = tr Lambda,
 * E S_11 = lambda and E tr S^2 = ((L+1) tr Lambda^2 + (tr Lambda)^2)/L
 * (computed here from the formula E[W A W] = L (L+1) A + L tr(A) I), the
 * Bartlett (wishart) and direct samplers (two-sample tests at fixed seeds),
 * and the exact finite-L excess of src/finite_exact.c (ball arithmetic, a
 * different algorithm).  Also: the SIMD lane path gives the scalar bits,
 * grids give the bits of separate runs, and the thread count changes
 * nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/engine.h"
#include "crossproof/finite.h"
#include "crossproof/lsa.h"
#include "crossproof/model.h"
#include "testutil.h"

extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info);

static cp_model_approx model(long d1, long d2, double sigma, double lo, double hi)
{
    return engine_model(d1, d2, sigma, lo, hi);
}

static cp_sim_config cfg_of(cp_model_approx m, long L, cp_sampler smp, uint64_t seed, long long n)
{
    return engine_cfg(m, L, smp, seed, n);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* The tridiagonal of a prompt rebuilt from the same draws (TR-2). */
static void rebuild(double *a, double *e, const cp_model_approx *m, long d, long L, uint64_t index)
{
    cp_rng r;
    cp_rng_init(&r, 5, index, 0);
    double s = cp_engine_draw_s(m, &r), prev = 0.0;
    cp_rng_init(&r, 5, index, 1);
    for (long k = 0; k < d; k++) {
        double b2 = cp_rng_chi2(&r, (double) (L - k)), c2 = k < d - 1 ? cp_rng_chi2(&r, (double) (d - 1 - k)) : 0.0;
        a[k] = (k == 0 ? (1.0 + s) * b2 : b2 + prev) / (double) L;
        e[k] = (k == 0 ? sqrt((1.0 + s) * b2 * c2) : sqrt(b2 * c2)) / (double) L;
        prev = c2;
    }
}

static void test_eigen_vs_lapack_and_lanes(void **state)
{
    (void) state;
    const long ds[] = { 1, 2, 3, 7, 20, 64 };
    for (int t = 0; t < 6; t++) {
        long d = ds[t], L = d + 3 + 2 * t;
        cp_model_approx m = model(d / 2, d - d / 2, 0.0, 0.5, 4.0);
        cp_engine_ws ws;
        cp_tridiag_block b;
        assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
        assert_int_equal(cp_tridiag_block_init(&b, d), 0);
        double *A = calloc((size_t) (d * d), sizeof(double)), *w = malloc((size_t) d * sizeof(double));
        double *a = malloc((size_t) d * sizeof(double)), *e = malloc((size_t) d * sizeof(double));
        double *l1 = malloc((size_t) d * sizeof(double)), *l2 = malloc((size_t) d * sizeof(double));
        int lwork = (int) (66 * d + 64), info, n = (int) d;
        double *work = malloc((size_t) lwork * sizeof(double));
        for (uint64_t idx = 0; idx < 24; idx++) {
            cp_prompt_draw_tridiag(&ws, &m, L, 5, 0, idx);
            rebuild(a, e, &m, d, L, idx);
            memset(A, 0, (size_t) (d * d) * sizeof(double));
            for (long i = 0; i < d; i++) {
                A[i * d + i] = a[i];
                if (i + 1 < d)
                    A[i * d + i + 1] = A[(i + 1) * d + i] = e[i];
            }
            dsyev_("V", "U", &n, A, &n, w, work, &lwork, &info);
            assert_int_equal(info, 0);
            double sq = 0.0, lmax = fabs(w[0]) > fabs(w[d - 1]) ? fabs(w[0]) : fabs(w[d - 1]);
            for (long i = 0; i < d; i++) {
                l1[i] = ws.eval[i];
                sq += ws.evec[i];
            }
            qsort(l1, (size_t) d, sizeof(double), cmp_d);
            assert_true(fabs(sq - 1.0) < 1e-12);
            for (long i = 0; i < d; i++) {
                if (!(fabs(l1[i] - w[i]) <= 1e-13 * lmax * (double) d))
                    fail_msg("d = %ld: eigenvalue %ld: QL %.17g, dsyev %.17g", d, i, l1[i], w[i]);
                /* first component of eigenvector i (column-major: A[i * d + 0]); find the QL one */
                long best = 0;
                for (long j = 1; j < d; j++)
                    if (fabs(ws.eval[j] - w[i]) < fabs(ws.eval[best] - w[i]))
                        best = j;
                double q = A[i * d] * A[i * d];
                if (!(fabs(ws.evec[best] - q) <= 1e-10))
                    fail_msg("d = %ld: q^2 of eigenvalue %ld: QL %.17g, dsyev %.17g", d, i, ws.evec[best], q);
            }
        }
        /* lanes: bits of the scalar path for every block fill */
        for (int cnt = 1; cnt <= CP_TRI_LANES; cnt++) {
            cp_tridiag_draw_block(&b, &m, L, 5, 0, 100, cnt);
            for (int k = 0; k < cnt; k++) {
                cp_prompt_draw_tridiag(&ws, &m, L, 5, 0, 100 + (uint64_t) k);
                for (long i = 0; i < d; i++) {
                    l2[i] = b.l[i * CP_TRI_LANES + k];
                    assert_memory_equal(&l2[i], &ws.eval[i], sizeof(double));
                    assert_memory_equal(&b.q2[i * CP_TRI_LANES + k], &ws.evec[i], sizeof(double));
                }
            }
        }
        free(A); free(w); free(a); free(e); free(l1); free(l2); free(work);
        cp_tridiag_block_clear(&b);
        cp_engine_ws_clear(&ws);
    }
}

/* Lanes that need very different work side by side: lane k of a block gets
 * kind (k + rot) % 8 (a random tridiagonal; a diagonal one, converged from
 * the start; one split by zero couplings; a graded one, entries from 1 to
 * 2^39; a Toeplitz one (2, 1); a random one whose second half is scaled by
 * 1e-180, so that f^2 + g^2 underflows and sweeps end at the r = 0 split;
 * one with a NaN, which never converges and fails after 60 iterations; the
 * Wilkinson matrix W+).  Every lane must give the bits of cp_tridiag_eigen
 * on its own matrix (a, e, z and the failure); skipped lanes keep their a
 * and e. */
static void kind_fill(int kind, long d, double *a, double *e, long st, uint64_t seed)
{
    cp_rng r;
    cp_rng_init(&r, 23, seed, 7);
    for (long i = 0; i < d; i++) {
        double u = cp_rng_uniform(&r), v = cp_rng_uniform(&r);
        double ai = 4.0 * u, ei = 0.1 + 2.0 * v;
        switch (kind) {
        case 1: ei = 0.0; break;
        case 2: if (i % 5 == 2) ei = 0.0; break;
        case 3: ai *= ldexp(1.0, (int) (i % 40)); ei *= ldexp(1.0, (int) (i % 40) / 2); break;
        case 4: ai = 2.0; ei = 1.0; break;
        case 5: if (2 * i >= d) { ai *= 1e-180; ei *= 1e-180; } break;
        case 6: if (i == d / 2) ai = NAN; break;
        case 7: ai = fabs((double) i - 0.5 * (double) (d - 1)); ei = 1.0; break;
        default: break;
        }
        a[i * st] = ai;
        e[i * st] = ei;
    }
}

/* The same bits, or both NaN (the sign and payload of a NaN are not
 * specified: the compiler may swap the operands of a commutative operation). */
static int same_bits(double x, double y)
{
    return memcmp(&x, &y, sizeof x) == 0 || (isnan(x) && isnan(y));
}

static void test_lanes_desync(void **state)
{
    (void) state;
    const long W = CP_TRI_LANES, ds[] = { 1, 2, 3, 7, 20, 128 };
    const int cnts[] = { 1, 3, CP_TRI_LANES - 1, CP_TRI_LANES };
    for (int t = 0; t < 6; t++) {
        long d = ds[t];
        double *a = malloc((size_t) (d * W) * sizeof(double)), *e = malloc((size_t) (d * W) * sizeof(double));
        double *z = malloc((size_t) (d * W) * sizeof(double)), *a0 = malloc((size_t) (d * W) * sizeof(double));
        double *e0 = malloc((size_t) (d * W) * sizeof(double));
        double *as = malloc((size_t) d * sizeof(double)), *es = malloc((size_t) d * sizeof(double));
        double *zs = malloc((size_t) d * sizeof(double));
        for (int rot = 0; rot < 8; rot++)
            for (int c = 0; c < 4; c++) {
                int cnt = cnts[c], fail[CP_TRI_LANES];
                for (long k = 0; k < W; k++) {
                    kind_fill((int) ((k + rot) % 8), d, a + k, e + k, W, (uint64_t) (100 * t + 10 * rot + k));
                    fail[k] = k >= cnt;
                }
                memcpy(a0, a, (size_t) (d * W) * sizeof(double));
                memcpy(e0, e, (size_t) (d * W) * sizeof(double));
                cp_tridiag_eigen_lanes(d, a, e, z, fail);
                for (long k = 0; k < W; k++) {
                    for (long i = 0; i < d; i++) {
                        as[i] = a0[i * W + k];
                        es[i] = e0[i * W + k];
                    }
                    if (k >= cnt) {
                        assert_int_equal(fail[k], 1);
                        for (long i = 0; i < d; i++) {
                            assert_memory_equal(&a[i * W + k], &as[i], sizeof(double));
                            if (i + 1 < d)   /* e[d - 1] is ignored (zeroed) */
                                assert_memory_equal(&e[i * W + k], &es[i], sizeof(double));
                        }
                        continue;
                    }
                    int rc = cp_tridiag_eigen(d, as, es, zs);
                    if (fail[k] != (rc != 0))
                        fail_msg("d = %ld, rot %d, count %d, lane %ld (kind %ld): lanes fail %d, scalar %d", d, rot,
                                 cnt, k, (k + rot) % 8, fail[k], rc);
                    for (long i = 0; i < d; i++)
                        if (!same_bits(a[i * W + k], as[i]) || !same_bits(z[i * W + k], zs[i])
                            || (i + 1 < d && !same_bits(e[i * W + k], es[i])))
                            fail_msg("d = %ld, rot %d, count %d, lane %ld (kind %ld), entry %ld: lanes a %.17g z %.17g,"
                                     " scalar a %.17g z %.17g", d, rot, cnt, k, (k + rot) % 8, i, a[i * W + k],
                                     z[i * W + k], as[i], zs[i]);
                }
            }
        free(a); free(e); free(z); free(a0); free(e0); free(as); free(es); free(zs);
    }
}

/* TR-1/TR-2 moments at fixed s: E tr S = d - 1 + lambda, E S_11 = lambda,
 * E tr S^2 = ((L+1)((d-1) + lambda^2) + (d - 1 + lambda)^2)/L, from the
 * eigenvalues and first components (tr S = sum l_i, S_11 = sum l_i q_i^2). */
static void test_moments(void **state)
{
    (void) state;
    const long ds[] = { 2, 5, 12 }, Ls[] = { 3, 8, 40 };
    for (int t = 0; t < 3; t++) {
        long d = ds[t], L = Ls[t], n = scaled(40000);
        cp_model_approx m = model(1, d - 1, 0.0, 2.0, 2.0);   /* s = 2 */
        double lam = 3.0, want[3] = { d - 1 + lam, lam, ((L + 1) * ((d - 1) + lam * lam) + (d - 1 + lam) * (d - 1 + lam)) / L };
        double sum[3] = { 0 }, sq[3] = { 0 };
        cp_engine_ws ws;
        assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
        for (long i = 0; i < n; i++) {
            cp_prompt_draw_tridiag(&ws, &m, L, 17, 0, (uint64_t) i);
            double v[3] = { 0, 0, 0 };
            for (long k = 0; k < d; k++) {
                v[0] += ws.eval[k];
                v[1] += ws.eval[k] * ws.evec[k];
                v[2] += ws.eval[k] * ws.eval[k];
            }
            for (int j = 0; j < 3; j++) {
                sum[j] += v[j];
                sq[j] += v[j] * v[j];
            }
        }
        for (int j = 0; j < 3; j++) {
            double mean = sum[j] / n, se = sqrt((sq[j] / n - mean * mean) / n);
            if (!(fabs(mean - want[j]) <= 4.5 * se))
                fail_msg("d = %ld, L = %ld, moment %d: %.6g +- %.3g, want %.6g", d, L, j, mean, se, want[j]);
        }
        cp_engine_ws_clear(&ws);
    }
}

static void assert_agree(const cp_sim_result *a, const cp_sim_result *b, double z, const char *what)
{
    double se = sqrt(a->excess_stderr * a->excess_stderr + b->excess_stderr * b->excess_stderr);
    if (!(fabs(a->excess - b->excess) <= z * se))
        fail_msg("%s: %.8g +- %.3g vs %.8g +- %.3g", what, a->excess, a->excess_stderr, b->excess, b->excess_stderr);
}

/* Two-sample tests against the Bartlett and direct samplers (same estimator,
 * different laws of Sigma_hat, independent prompts): every predictor family. */
static void test_against_wishart_direct(void **state)
{
    (void) state;
    double al[3] = { 0.2, 0.15, 0.1 }, be[3] = { -0.25, -0.1, -0.2 };
    cp_predictor ps[6] = {
        { .kind = CP_PRED_CA, .d = 6, .T = 4, .alpha = 0.15 },
        { .kind = CP_PRED_CA2, .d = 6, .T = 3, .alpha = 0.3, .beta = -0.2 },
        { .kind = CP_PRED_CA_UNTIED, .d = 6, .T = 3, .alphas = al, .betas = be },
        { .kind = CP_PRED_LSA, .d = 6, .gamma = 0.3 },
        { .kind = CP_PRED_OLS, .d = 6 },
        { .kind = CP_PRED_BAYES, .d = 6 },
    };
    const char *names[6] = { "ca", "ca2", "ca_untied", "lsa", "ols", "bayes" };
    long n = scaled(30000);
    for (int q = 0; q < 6; q++) {
        cp_model_approx m = model(3, 3, q % 2 ? 0.5 : 0.0, 0.5, 4.0);
        long L = 60;
        cp_sim_result rt, rw, rd;
        cp_sim_config c = cfg_of(m, L, CP_SAMPLER_TRIDIAG, 3, n);
        assert_int_equal(cp_engine_risk(&rt, &c, &ps[q]), 0);
        c = cfg_of(m, L, CP_SAMPLER_WISHART, 4, n);
        assert_int_equal(cp_engine_risk(&rw, &c, &ps[q]), 0);
        c = cfg_of(m, L, CP_SAMPLER_DIRECT, 5, n);
        assert_int_equal(cp_engine_risk(&rd, &c, &ps[q]), 0);
        printf("  %-9s tridiag %.6g +- %.2g  wishart %.6g +- %.2g  direct %.6g +- %.2g\n", names[q],
               rt.excess, rt.excess_stderr, rw.excess, rw.excess_stderr, rd.excess, rd.excess_stderr);
        if (ps[q].kind == CP_PRED_BAYES) {
            assert_true(rt.excess == 0.0);
            continue;
        }
        assert_true(rt.excess_stderr > 0 && rt.excess_stderr < 0.05 * rt.excess);
        assert_agree(&rt, &rw, 4.5, names[q]);
        if (ps[q].kind == CP_PRED_OLS) {     /* FC-4: E[1/(1+s)] d/(L - d - 1), sigma = 0 here */
            double want = log(5.0 / 1.5) / 3.5 * 6.0 / (60.0 - 7.0);
            if (!(fabs(rt.excess - want) <= 4.5 * rt.excess_stderr))
                fail_msg("ols: %.8g +- %.3g, exact %.8g", rt.excess, rt.excess_stderr, want);
        }
        assert_agree(&rt, &rd, 4.5, names[q]);
    }
    /* a test that can fail: the law at L is not that at L + 3 */
    cp_model_approx m = model(3, 3, 0.0, 0.5, 4.0);
    cp_sim_result a, b;
    cp_sim_config c = cfg_of(m, 60, CP_SAMPLER_TRIDIAG, 3, n);
    assert_int_equal(cp_engine_risk(&a, &c, &ps[0]), 0);
    c = cfg_of(m, 66, CP_SAMPLER_WISHART, 4, n);
    assert_int_equal(cp_engine_risk(&b, &c, &ps[0]), 0);
    double se = sqrt(a.excess_stderr * a.excess_stderr + b.excess_stderr * b.excess_stderr);
    assert_true(fabs(a.excess - b.excess) > 6 * se);
}

/* Against the exact finite-L excess (FE-9; ball arithmetic, another algorithm):
 * d = 4, L = 60 and d = 10, L = 100, tied CA at alpha* (and 1/5 at T = 5), uniform prior on [1/2, 4]. */
static void test_against_exact(void **state)
{
    (void) state;
    struct { long d1, d2, L, T; } pts[3] = { { 2, 2, 60, 3 }, { 2, 2, 60, 5 }, { 5, 5, 100, 3 } };
    for (int k = 0; k < 3; k++) {
        cp_model_t mt;
        arb_t ex;
        fmpq_t al, be;
        char err[256];
        cp_model_init(mt);
        arb_init(ex);
        fmpq_init(al);
        fmpq_init(be);
        fmpq_set_si(mt->m_lo, 1, 2);
        fmpq_set_si(mt->m_hi, 4, 1);
        fmpq_zero(mt->sigma);
        mt->prior = CP_PRIOR_UNIFORM;
        mt->d1 = pts[k].d1;
        mt->d2 = pts[k].d2;
        cp_alpha_star(al, mt);
        if (k == 1)
            fmpq_set_si(al, 1, 5);         /* T = 5: a step with a light tail at L = 60 */
        fmpq_neg(be, al);
        assert_int_equal(cp_ca_excess_finite(ex, mt, pts[k].L, pts[k].T, al, be, 128, err), 0);
        double exact = arf_get_d(arb_midref(ex), ARF_RND_NEAR);
        cp_model_approx m;
        cp_model_get_approx(&m, mt);
        cp_predictor p = { .kind = CP_PRED_CA, .d = pts[k].d1 + pts[k].d2, .T = pts[k].T, .alpha = fmpq_get_d(al) };
        cp_sim_result r;
        cp_sim_config c = cfg_of(m, pts[k].L, CP_SAMPLER_TRIDIAG, 21 + k, scaled(100000));
        assert_int_equal(cp_engine_risk(&r, &c, &p), 0);
        printf("  d = %ld, L = %ld, T = %ld: tridiag %.8g +- %.2g, exact %.10g\n", p.d, pts[k].L, p.T, r.excess,
               r.excess_stderr, exact);
        if (!(fabs(r.excess - exact) <= 4.5 * r.excess_stderr))
            fail_msg("tridiag %.8g +- %.3g vs exact %.10g", r.excess, r.excess_stderr, exact);
        assert_true(r.excess_stderr < 0.05 * exact);
        arb_clear(ex);
        fmpq_clear(al);
        fmpq_clear(be);
        cp_model_clear(mt);
    }
}

/* Grids (TR-5) give the bits of separate runs; threads change nothing; the
 * sampler refuses what it cannot do. */
static void test_bits_grid_threads_refusals(void **state)
{
    (void) state;
    cp_model_approx m = model(4, 4, 0.25, 0.5, 4.0);
    cp_predictor g[6];
    for (int q = 0; q < 6; q++) {
        cp_predictor p = { .kind = q < 4 ? CP_PRED_CA : CP_PRED_CA2, .d = 8, .T = 1 + q % 4, .alpha = q % 2 ? 0.2 : 0.25,
                           .beta = -0.15 };
        g[q] = p;
    }
    cp_sim_result multi[6], one, two;
    cp_sim_config c = cfg_of(m, 30, CP_SAMPLER_TRIDIAG, 9, 3001);
    assert_int_equal(cp_engine_risk_multi(multi, &c, g, 6), 0);
    for (int q = 0; q < 6; q++) {
        c.threads = 1 + q % 2;
        assert_int_equal(cp_engine_risk(&one, &c, &g[q]), 0);
        assert_memory_equal(&one.excess, &multi[q].excess, sizeof(double));
        assert_memory_equal(&one.excess_stderr, &multi[q].excess_stderr, sizeof(double));
    }
    c.threads = 1;
    assert_int_equal(cp_engine_risk(&one, &c, &g[0]), 0);
    c.threads = 3;
    assert_int_equal(cp_engine_risk(&two, &c, &g[0]), 0);
    assert_memory_equal(&one.excess, &two.excess, sizeof(double));
    assert_memory_equal(&one.max_share, &two.max_share, sizeof(double));
    /* refusals */
    c.estimator = CP_EST_PLAIN;
    assert_int_equal(cp_engine_risk(&one, &c, &g[0]), -1);
    assert_non_null(strstr(one.error, "tridiag"));
    c.estimator = CP_EST_CONDITIONAL;
    c.L = 7;
    assert_int_equal(cp_engine_risk(&one, &c, &g[0]), -1);
    c.L = 30;
    c.query = CP_QUERY_SAMPLED;
    assert_int_equal(cp_engine_risk(&one, &c, &g[0]), -1);
    c.query = CP_QUERY_EXACT;
    double grad[1], mex;
    char err[256];
    assert_int_equal(cp_engine_grad(grad, &mex, &c, &g[0], err), 0);   /* gradients: docs/model.md section 16 */
    assert_true(isfinite(grad[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eigen_vs_lapack_and_lanes),
        cmocka_unit_test(test_lanes_desync),
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_against_wishart_direct),
        cmocka_unit_test(test_against_exact),
        cmocka_unit_test(test_bits_grid_threads_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
