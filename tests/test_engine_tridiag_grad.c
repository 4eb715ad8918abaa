/* test_engine_tridiag_grad.c -- training gradients on the tridiagonal path
 * (docs/model.md section 16) against independent oracles: central finite
 * differences of cp_tridiag_spectral_excess with p_i from this file's own
 * layer recursion; the plain per-prompt gradient of the Wishart sampler (a
 * two-sample z test at fixed seeds, batch means for the standard errors); the
 * derivative of the exact finite-L excess of src/finite_exact.c (ball
 * arithmetic on rationals, central difference quotient); bit-identical
 * results for 1 and 2 threads; the refusals. */
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
#include "crossproof/model.h"
#include "testutil.h"

static cp_model_approx model(long d1, long d2, double sigma)
{
    return engine_model(d1, d2, sigma, 0.5, 4.0);
}

/* training runs use Philox substream 1 */
static cp_sim_config cfg_of(cp_model_approx m, long L, cp_sampler smp, uint64_t seed, long long n)
{
    cp_sim_config c = engine_cfg(m, L, smp, seed, n);
    c.substream = 1;
    return c;
}

/* p(l) by v <- (1 + b_t l) v + a_t from theta in the packing of
 * cp_predictor_nparams (written here, not taken from the engine). */
static double poly_of(const cp_predictor *p, const double *th, double l)
{
    if (p->kind == CP_PRED_LSA)
        return th[0];
    double v = 0.0;
    for (long t = 0; t < p->T; t++) {
        double a = p->kind == CP_PRED_CA_UNTIED ? th[t] : th[0];
        double b = p->kind == CP_PRED_CA_UNTIED ? th[p->T + t] : p->kind == CP_PRED_CA ? -th[0] : th[1];
        v = (1.0 + b * l) * v + a;
    }
    return v;
}

static double f_of(const cp_predictor *p, const double *th, long d, const double *l, const double *q2, double s,
                   double noise)
{
    double pv[16];
    for (long i = 0; i < d; i++)
        pv[i] = poly_of(p, th, l[i]);
    return cp_tridiag_spectral_excess(d, l, q2, 1, pv, 1, s, noise);
}

/* The gradient at fixed (l, q^2, s) against central differences (step h
 * relative to |theta_k|, error O(h^2)): a sign or factor-2 error is off by
 * 100% of the largest component, the bound is 1e-6 of it. */
static void test_against_finite_differences(void **state)
{
    (void) state;
    const double l[4] = { 0.31, 0.87, 1.9, 3.4 }, q2r[4] = { 0.4, 0.1, 0.3, 0.2 };
    double alphas[4] = { 0.21, 0.17, 0.26, 0.12 }, betas[4] = { -0.19, -0.23, -0.11, -0.3 };
    cp_predictor ps[5] = {
        { .kind = CP_PRED_CA, .d = 4, .T = 5, .alpha = 0.23, .beta = -0.23 },
        { .kind = CP_PRED_CA2, .d = 4, .T = 4, .alpha = 0.22, .beta = -0.18 },
        { .kind = CP_PRED_CA2, .d = 3, .T = 1, .alpha = 0.3, .beta = -0.1 },
        { .kind = CP_PRED_CA_UNTIED, .d = 4, .T = 4, .alphas = alphas, .betas = betas },
        { .kind = CP_PRED_LSA, .d = 4, .gamma = 0.27 },
    };
    const double svals[2] = { 0.7, 3.1 }, noises[2] = { 0.0, 0.013 };
    for (int k = 0; k < 5; k++)
        for (int j = 0; j < 2; j++) {
            const cp_predictor *p = &ps[k];
            long d = p->d, np = cp_predictor_nparams(p);
            double th[8], grad[8], work[64], q2[4], sum = 0.0;
            for (long i = 0; i < d; i++)
                sum += q2r[i];
            for (long i = 0; i < d; i++)
                q2[i] = q2r[i] / sum;
            assert_true(cp_tridiag_grad_work(p) <= 64);
            cp_predictor_get_params(th, p);
            double f = cp_tridiag_spectral_grad(grad, p, d, l, q2, 1, svals[j], noises[j], work);
            double f0 = f_of(p, th, d, l, q2, svals[j], noises[j]);
            assert_true(fabs(f - f0) <= 1e-14 * fabs(f0));
            double fd[8], big = 0.0;
            for (long q = 0; q < np; q++) {
                double h = 1e-5 * fabs(th[q]), t0 = th[q];
                th[q] = t0 + h;
                double fp = f_of(p, th, d, l, q2, svals[j], noises[j]);
                th[q] = t0 - h;
                double fm = f_of(p, th, d, l, q2, svals[j], noises[j]);
                th[q] = t0;
                fd[q] = (fp - fm) / (2 * h);
                big = fmax(big, fabs(fd[q]));
            }
            assert_true(big > 1e-3);
            for (long q = 0; q < np; q++)
                if (!(fabs(grad[q] - fd[q]) <= 1e-6 * big))
                    fail_msg("%s s = %g component %ld: gradient %.12g, central difference %.12g",
                             cp_pred_kind_name(p->kind), svals[j], q, grad[q], fd[q]);
        }
}

/* Mean gradient over nb batches of n prompts (cp_engine_grad on consecutive
 * prompt ranges) and the standard error of that mean from the batch means. */
static void batch_grad(double *mean, double *se, cp_sim_config c, const cp_predictor *p, int nb, long long n)
{
    long np = cp_predictor_nparams(p);
    double g[8], sq[8] = { 0 }, ex;
    char err[256];
    for (long q = 0; q < np; q++)
        mean[q] = 0.0;
    c.prompts = n;
    for (int b = 0; b < nb; b++) {
        c.first = (uint64_t) b * (uint64_t) n;
        if (cp_engine_grad(g, &ex, &c, p, err) != 0)
            fail_msg("cp_engine_grad: %s", err);
        for (long q = 0; q < np; q++) {
            mean[q] += g[q] / nb;
            sq[q] += g[q] * g[q];
        }
    }
    for (long q = 0; q < np; q++)
        se[q] = sqrt(fmax(sq[q] / nb - mean[q] * mean[q], 0.0) / (nb - 1));
}

/* TG-1: the tridiag gradient and the plain Wishart gradient estimate the same
 * thing (independent seeds; z test on each component). */
static void test_against_wishart(void **state)
{
    (void) state;
    struct { cp_pred_kind k; long d1, d2, L, T; double sigma; } pts[3] = {
        { CP_PRED_CA2, 1, 1, 40, 3, 0.0 }, { CP_PRED_CA, 3, 2, 60, 4, 0.3 }, { CP_PRED_CA_UNTIED, 2, 2, 50, 2, 0.0 } };
    double al[2] = { 0.24, 0.2 }, be[2] = { -0.22, -0.17 };
    for (int k = 0; k < 3; k++) {
        cp_predictor p = { .kind = pts[k].k, .d = pts[k].d1 + pts[k].d2, .T = pts[k].T, .alpha = 0.22, .beta = -0.2,
                           .alphas = al, .betas = be };
        if (p.kind == CP_PRED_CA)
            p.beta = -p.alpha;
        cp_model_approx m = model(pts[k].d1, pts[k].d2, pts[k].sigma);
        double mt[8], st[8], mw[8], sw[8];
        batch_grad(mt, st, cfg_of(m, pts[k].L, CP_SAMPLER_TRIDIAG, 11 + k, 0), &p, 40, scaled(2500));
        batch_grad(mw, sw, cfg_of(m, pts[k].L, CP_SAMPLER_WISHART, 31 + k, 0), &p, 40, scaled(2500));
        for (long q = 0; q < cp_predictor_nparams(&p); q++) {
            if (st[q] == 0.0 && sw[q] == 0.0) {   /* beta_0 acts on v_0 = 0: exactly zero in both */
                assert_true(mt[q] == 0.0 && mw[q] == 0.0);
                continue;
            }
            double z = (mt[q] - mw[q]) / sqrt(st[q] * st[q] + sw[q] * sw[q]);
            printf("  %s d = %ld L = %ld T = %ld component %ld: tridiag %.6g +- %.2g, wishart %.6g +- %.2g (z %.2f)\n",
                   cp_pred_kind_name(p.kind), p.d, pts[k].L, p.T, q, mt[q], st[q], mw[q], sw[q], z);
            if (!(fabs(z) <= 4.5))
                fail_msg("component %ld: z = %.3g", q, z);
            assert_true(st[q] <= sw[q]);          /* the conditional gradient is not noisier */
        }
    }
}

/* d/dtheta of the exact finite-L excess (d = 2), central difference quotient
 * of exact rationals at step 10^-6 (error O(10^-12) here), against the mean
 * tridiag gradient. */
static double exact_excess(cp_model_t mt, long L, long T, const fmpq_t a, const fmpq_t b)
{
    arb_t ex;
    char err[256];
    arb_init(ex);
    assert_int_equal(cp_ca_excess_finite(ex, mt, L, T, a, b, 128, err), 0);
    double v = arf_get_d(arb_midref(ex), ARF_RND_NEAR);
    arb_clear(ex);
    return v;
}

static void test_against_exact(void **state)
{
    (void) state;
    cp_model_t mt;
    cp_model_init(mt);
    fmpq_set_si(mt->m_lo, 1, 2);
    fmpq_set_si(mt->m_hi, 4, 1);
    fmpq_set_si(mt->sigma, 1, 4);
    mt->prior = CP_PRIOR_UNIFORM;
    mt->d1 = 1;
    mt->d2 = 1;
    cp_model_approx m;
    cp_model_get_approx(&m, mt);
    const long L = 60, T = 3;
    fmpq_t a, b, ap, am, bp, bm, h;
    fmpq_init(a); fmpq_init(b); fmpq_init(ap); fmpq_init(am); fmpq_init(bp); fmpq_init(bm); fmpq_init(h);
    fmpq_set_si(a, 6, 25);
    fmpq_set_si(b, -1, 5);
    fmpq_set_si(h, 1, 1000000);
    fmpq_add(ap, a, h); fmpq_sub(am, a, h); fmpq_add(bp, b, h); fmpq_sub(bm, b, h);
    double dA = (exact_excess(mt, L, T, ap, b) - exact_excess(mt, L, T, am, b)) / 2e-6;
    double dB = (exact_excess(mt, L, T, a, bp) - exact_excess(mt, L, T, a, bm)) / 2e-6;
    fmpq_neg(b, a);                           /* the one-parameter CA: b = -alpha */
    fmpq_neg(bp, ap);
    fmpq_neg(bm, am);
    double dC = (exact_excess(mt, L, T, ap, bp) - exact_excess(mt, L, T, am, bm)) / 2e-6;
    cp_predictor p2 = { .kind = CP_PRED_CA2, .d = 2, .T = T, .alpha = 0.24, .beta = -0.2 };
    cp_predictor p1 = { .kind = CP_PRED_CA, .d = 2, .T = T, .alpha = 0.24, .beta = -0.24 };
    double g2[2], s2[2], g1[1], s1[1];
    batch_grad(g2, s2, cfg_of(m, L, CP_SAMPLER_TRIDIAG, 5, 0), &p2, 40, scaled(5000));
    batch_grad(g1, s1, cfg_of(m, L, CP_SAMPLER_TRIDIAG, 6, 0), &p1, 40, scaled(5000));
    double ex[3] = { dA, dB, dC }, est[3] = { g2[0], g2[1], g1[0] }, se[3] = { s2[0], s2[1], s1[0] };
    for (int q = 0; q < 3; q++) {
        printf("  L = %ld T = %ld derivative %d: tridiag %.6g +- %.2g, exact %.8g\n", L, T, q, est[q], se[q], ex[q]);
        if (!(fabs(est[q] - ex[q]) <= 4.5 * se[q]))
            fail_msg("derivative %d: tridiag %.6g +- %.2g vs exact %.8g", q, est[q], se[q], ex[q]);
        /* the test has power (a sign error is 20 standard errors away; 5 under valgrind's tenth) */
        assert_true(se[q] < (scaled(10) == 10 ? 0.1 : 0.5) * fabs(ex[q]));
    }
    fmpq_clear(a); fmpq_clear(b); fmpq_clear(ap); fmpq_clear(am); fmpq_clear(bp); fmpq_clear(bm); fmpq_clear(h);
    cp_model_clear(mt);
}

/* Threads change no bit (several chunks); refusals name the sampler. */
static void test_threads_and_refusals(void **state)
{
    (void) state;
    double al[3] = { 0.2, 0.25, 0.15 }, be[3] = { -0.2, -0.1, -0.3 };
    cp_predictor ps[3] = {
        { .kind = CP_PRED_CA2, .d = 4, .T = 5, .alpha = 0.2, .beta = -0.18 },
        { .kind = CP_PRED_CA, .d = 4, .T = 5, .alpha = 0.2, .beta = -0.2 },
        { .kind = CP_PRED_CA_UNTIED, .d = 4, .T = 3, .alphas = al, .betas = be },
    };
    cp_model_approx m = model(2, 2, 0.2);
    char err[256];
    for (int k = 0; k < 3; k++) {
        double g1[8], g2[8], e1, e2;
        cp_sim_config c = cfg_of(m, 30, CP_SAMPLER_TRIDIAG, 3, 5 * CP_ENGINE_CHUNK + 13);
        c.threads = 1;
        assert_int_equal(cp_engine_grad(g1, &e1, &c, &ps[k], err), 0);
        c.threads = 2;
        assert_int_equal(cp_engine_grad(g2, &e2, &c, &ps[k], err), 0);
        assert_memory_equal(g1, g2, (size_t) cp_predictor_nparams(&ps[k]) * sizeof(double));
        assert_memory_equal(&e1, &e2, sizeof(double));
        /* the mean excess is that of cp_engine_risk on the same prompts */
        cp_sim_result r;
        c.estimator = CP_EST_CONDITIONAL;
        assert_int_equal(cp_engine_risk(&r, &c, &ps[k]), 0);
        assert_true(fabs(r.excess - e1) <= 1e-12 * fabs(e1));
    }
    double A[20] = { 0 }, u[5] = { 0 }, g[32], ex;
    cp_predictor lg = { .kind = CP_PRED_LSA_GENERAL, .d = 4, .A = A, .u = u };
    cp_sim_config c = cfg_of(m, 30, CP_SAMPLER_TRIDIAG, 3, 100);
    assert_int_equal(cp_engine_grad(g, &ex, &c, &lg, err), -1);
    assert_non_null(strstr(err, "sampler"));
    assert_null(strchr(err, '\n'));
    c.L = 3;
    assert_int_equal(cp_engine_grad(g, &ex, &c, &ps[0], err), -1);
    assert_non_null(strstr(err, "sampler=tridiag"));
    c.L = 30;
    cp_general_approx gen = { 2, 1.0, 1.0, 0.5 };
    c.general = &gen;
    assert_int_equal(cp_engine_grad(g, &ex, &c, &ps[0], err), -1);
    assert_non_null(strstr(err, "sampler=tridiag"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_finite_differences),
        cmocka_unit_test(test_against_wishart),
        cmocka_unit_test(test_against_exact),
        cmocka_unit_test(test_threads_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
