/* test_engine.c -- the engine against independent oracles: closed forms at
 * L = infinity, a naive implementation of the paper-form CA recursion,
 * finite differences for gradients, the exact least-squares risk, Wishart
 * moments, a two-sample test between samplers, determinism across thread
 * counts and the NaN stop.  Fixed seeds; each test has a negative control
 * or an exact reference, so it can fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/engine.h"
#include "crossproof/rng.h"
#include "testutil.h"

static cp_model_approx default_model(long d1, long d2, double sigma)
{
    return engine_model(d1, d2, sigma, 0.5, 4.0);
}

static double inv1ps(double s, void *a) { (void) a; return 1.0 / (1.0 + s); }

static double bayes_of(const cp_model_approx *m)
{
    return cp_prior_expect_approx(m, inv1ps, NULL) + m->sigma * m->sigma;
}

/* L = infinity: CA excess per task is zeta^2 s/(1+s)(1 - phi(1+s))^2 (docs/model.md 5). */
static void test_population_closed_forms(void **state)
{
    (void) state;
    cp_model_approx m = default_model(3, 2, 0.0);
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, 5, 7), 0);
    cp_predictor ca = { .kind = CP_PRED_CA2, .d = 5, .T = 7, .alpha = 0.29, .beta = -0.31 };
    cp_predictor lsa = { .kind = CP_PRED_LSA, .d = 5, .gamma = 0.27 };
    cp_predictor bayes = { .kind = CP_PRED_BAYES, .d = 5 };
    for (uint64_t i = 0; i < 50; i++) {
        cp_prompt_draw(&ws, &m, 0, CP_SAMPLER_POPULATION, 0, 9, 0, i);
        double s = ws.pr.s, z = ws.pr.zeta, lam = 1.0 + s, phi = 0.0, pw = 1.0;
        for (int t = 0; t < 7; t++) { phi += pw; pw *= 1.0 + ca.beta * lam; }
        phi *= ca.alpha * lam;
        double want = z * z * s / lam * (1.0 - phi) * (1.0 - phi);
        double got = cp_prompt_excess(cp_predictor_weight(&ca, &ws), &ws.pr);
        assert_true(fabs(got - want) <= 1e-12 * (1.0 + want));
        want = z * z * s / lam * (1.0 - 0.27 * lam) * (1.0 - 0.27 * lam);
        got = cp_prompt_excess(cp_predictor_weight(&lsa, &ws), &ws.pr);
        assert_true(fabs(got - want) <= 1e-12 * (1.0 + want));
        assert_true(cp_prompt_excess(cp_predictor_weight(&bayes, &ws), &ws.pr) < 1e-28);
        /* |m|^2 = s */
        double nn = 0;
        for (int k = 0; k < 5; k++) nn += ws.pr.m[k] * ws.pr.m[k];
        assert_true(fabs(nn - s) < 1e-12 * s);
        assert_true(s >= 0.5 && s <= 4.0);
    }
    cp_engine_ws_clear(&ws);
}

/* The engine's w-recursion against the paper form s_{t+1} = (I + b Sigma) s_t + a x_q,
 * yhat = c^T s_T, written naively. */
static void test_ca_matches_paper_form(void **state)
{
    (void) state;
    const long d = 6, T = 9;
    cp_model_approx m = default_model(4, 2, 0.5);
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, T), 0);
    double al[9], be[9];
    for (int t = 0; t < T; t++) { al[t] = 0.2 + 0.01 * t; be[t] = -0.25 + 0.02 * t; }
    cp_predictor preds[3] = {
        { .kind = CP_PRED_CA, .d = d, .T = T, .alpha = 0.3 },
        { .kind = CP_PRED_CA2, .d = d, .T = T, .alpha = 0.3, .beta = -0.2 },
        { .kind = CP_PRED_CA_UNTIED, .d = d, .T = T, .alphas = al, .betas = be } };
    for (uint64_t i = 0; i < 20; i++) {
        cp_prompt_draw(&ws, &m, 40, CP_SAMPLER_DIRECT, 1, 5, 0, i);
        const double *G = ws.pr.G;
        for (int k = 0; k < 3; k++) {
            double s[6] = { 0 }, ns[6];
            for (int t = 0; t < T; t++) {
                double a = k == 2 ? al[t] : preds[k].alpha;
                double b = k == 2 ? be[t] : (k == 0 ? -preds[k].alpha : preds[k].beta);
                for (int r = 0; r < d; r++) {
                    double acc = s[r];
                    for (int q = 0; q < d; q++)
                        acc += b * G[r * (d + 1) + q] * s[q];
                    ns[r] = acc + a * ws.pr.xq[r];
                }
                memcpy(s, ns, sizeof s);
            }
            double want = 0, got = 0;
            for (int r = 0; r < d; r++) want += G[r * (d + 1) + d] * s[r];
            const double *w = cp_predictor_weight(&preds[k], &ws);
            for (int r = 0; r < d; r++) got += w[r] * ws.pr.xq[r];
            assert_true(fabs(got - want) <= 1e-11 * (1.0 + fabs(want)));
        }
    }
    cp_engine_ws_clear(&ws);
}

/* least squares: Sigma_hat w = c_hat, checked by the residual. */
static void test_ols_solves(void **state)
{
    (void) state;
    const long d = 8;
    cp_model_approx m = default_model(5, 3, 0.3);
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
    cp_predictor ols = { .kind = CP_PRED_OLS, .d = d };
    for (uint64_t i = 0; i < 10; i++) {
        cp_prompt_draw(&ws, &m, 30, CP_SAMPLER_WISHART, 0, 5, 0, i);
        const double *w = cp_predictor_weight(&ols, &ws);
        for (int r = 0; r < d; r++) {
            double acc = -ws.pr.c[r];
            for (int q = 0; q < d; q++) acc += ws.pr.G[r * (d + 1) + q] * w[q];
            assert_true(fabs(acc) < 1e-10);
        }
    }
    cp_engine_ws_clear(&ws);
}

/* Gradients against central differences of the excess. */
static void test_gradients(void **state)
{
    (void) state;
    const long d = 4, T = 5;
    cp_model_approx m = default_model(2, 2, 0.4);
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, T), 0);
    double al[5] = { 0.2, 0.25, 0.3, 0.22, 0.27 }, be[5] = { -0.2, -0.3, -0.25, -0.2, -0.28 };
    double A[20], u[5];
    for (int i = 0; i < 20; i++) A[i] = 0.1 * sin(1.0 + i);
    for (int i = 0; i < 5; i++) u[i] = 0.3 * cos(2.0 + i);
    cp_predictor preds[5] = {
        { .kind = CP_PRED_CA, .d = d, .T = T, .alpha = 0.3 },
        { .kind = CP_PRED_CA2, .d = d, .T = T, .alpha = 0.3, .beta = -0.25 },
        { .kind = CP_PRED_CA_UNTIED, .d = d, .T = T, .alphas = al, .betas = be },
        { .kind = CP_PRED_LSA, .d = d, .gamma = 0.3 },
        { .kind = CP_PRED_LSA_GENERAL, .d = d, .A = A, .u = u } };
    for (int k = 0; k < 5; k++) {
        cp_prompt_draw(&ws, &m, 25, CP_SAMPLER_DIRECT, 0, 11, 0, (uint64_t) k);
        long np = cp_predictor_nparams(&preds[k]);
        double th[32], g[32];
        assert_true(np <= 32);
        cp_predictor_get_params(th, &preds[k]);
        cp_predictor_excess_grad(g, &preds[k], &ws);
        for (long j = 0; j < np; j++) {
            const double h = 1e-6;
            double save = th[j], fp, fm;
            th[j] = save + h; cp_predictor_set_params(&preds[k], th);
            fp = cp_prompt_excess(cp_predictor_weight(&preds[k], &ws), &ws.pr);
            th[j] = save - h; cp_predictor_set_params(&preds[k], th);
            fm = cp_prompt_excess(cp_predictor_weight(&preds[k], &ws), &ws.pr);
            th[j] = save; cp_predictor_set_params(&preds[k], th);
            double fd = (fp - fm) / (2 * h);
            if (fabs(fd - g[j]) > 1e-6 * (1.0 + fabs(fd)))
                fail_msg("kind %d param %ld: grad %.12g vs finite difference %.12g", k, j, g[j], fd);
        }
    }
    cp_engine_ws_clear(&ws);
}

static cp_sim_config base_cfg(cp_model_approx m, long L, cp_sampler smp, uint64_t seed, long long n, int threads)
{
    cp_sim_config c;
    memset(&c, 0, sizeof c);
    c.model = m; c.bayes_risk = bayes_of(&m); c.L = L; c.sampler = smp;
    c.query = CP_QUERY_EXACT; c.seed = seed; c.prompts = n; c.threads = threads;
    return c;
}

static void test_determinism_across_threads(void **state)
{
    (void) state;
    cp_model_approx m = default_model(10, 10, 0.2);
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 20, .T = 20, .alpha = 0.25 };
    for (int smp = 0; smp < 2; smp++) {
        cp_sim_result r1, r2, r3;
        cp_sim_config c = base_cfg(m, 60, (cp_sampler) smp, 77, 3000, 1);
        assert_int_equal(cp_engine_risk(&r1, &c, &ca), 0);
        c.threads = 2;
        assert_int_equal(cp_engine_risk(&r2, &c, &ca), 0);
        c.threads = 5;
        assert_int_equal(cp_engine_risk(&r3, &c, &ca), 0);
        assert_memory_equal(&r1.excess, &r2.excess, sizeof(double));
        assert_memory_equal(&r1.excess_stderr, &r2.excess_stderr, sizeof(double));
        assert_memory_equal(&r1.excess, &r3.excess, sizeof(double));
        /* a different seed changes the result (the test is not vacuous) */
        c.seed = 78;
        assert_int_equal(cp_engine_risk(&r3, &c, &ca), 0);
        assert_true(r3.excess != r1.excess);
    }
    /* gradients too */
    cp_predictor ca2 = { .kind = CP_PRED_CA2, .d = 20, .T = 5, .alpha = 0.25, .beta = -0.2 };
    double g1[2], g2[2], e1, e2;
    char err[256];
    cp_sim_config c = base_cfg(m, 60, CP_SAMPLER_WISHART, 3, 2000, 1);
    c.substream = 1;
    assert_int_equal(cp_engine_grad(g1, &e1, &c, &ca2, err), 0);
    c.threads = 2;
    assert_int_equal(cp_engine_grad(g2, &e2, &c, &ca2, err), 0);
    assert_memory_equal(g1, g2, sizeof g1);
}

/* Exact finite-L least-squares risk: E[Var(y|x)] (L-1)/(L-d-1)
 * (docs/model.md, "Finite context"). */
static void test_least_squares_formula(void **state)
{
    (void) state;
    const long d = 3, L = 12;
    cp_model_approx m = default_model(2, 1, 0.3);
    cp_predictor ols = { .kind = CP_PRED_OLS, .d = d };
    double want = bayes_of(&m) * (double) (L - 1) / (double) (L - d - 1);
    double wrong = bayes_of(&m) * (double) (L + 4) / (double) (L + 4 - d);  /* L shifted: must be rejected */
    for (int smp = 0; smp < 2; smp++) {
        for (int q = 0; q < 2; q++) {
            cp_sim_result r;
            cp_sim_config c = base_cfg(m, L, (cp_sampler) smp, 100 + smp, scaled(q ? 400000 : 200000), 2);
            c.query = q ? CP_QUERY_SAMPLED : CP_QUERY_EXACT;
            assert_int_equal(cp_engine_risk(&r, &c, &ols), 0);
            if (fabs(r.risk - want) > 4.5 * r.risk_stderr)
                fail_msg("sampler %d query %d: risk %.6f +- %.6f, formula %.6f", smp, q, r.risk, r.risk_stderr, want);
            assert_true(fabs(r.risk - wrong) > 4.5 * r.risk_stderr);
        }
    }
}

/* E[G_hat | task] = Cov(task) and L Var(G_ij | task) = Cov_ii Cov_jj + Cov_ij^2
 * (Wishart moments), for both samplers, at fixed seeds. */
static void test_sampler_moments(void **state)
{
    (void) state;
    const long d = 2, n = 3, L = 15, N = scaled(60000);
    cp_model_approx m = default_model(1, 1, 0.7);
    cp_engine_ws ws, pop;
    assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
    assert_int_equal(cp_engine_ws_init(&pop, d, 1), 0);
    for (int smp = 0; smp < 2; smp++) {
        double s1[9] = { 0 }, s2[9] = { 0 }, v1[9] = { 0 }, v2[9] = { 0 };
        for (long i = 0; i < N; i++) {
            cp_prompt_draw(&ws, &m, L, (cp_sampler) smp, 0, 21, 0, (uint64_t) i);
            cp_prompt_draw(&pop, &m, 0, CP_SAMPLER_POPULATION, 0, 21, 0, (uint64_t) i);
            const double *G = ws.pr.G, *S = pop.pr.G;
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) {
                    int k = a * n + b;
                    double e1 = G[k] - S[k];
                    double e2 = L * e1 * e1 - (S[a * n + a] * S[b * n + b] + S[k] * S[k]);
                    s1[k] += e1; v1[k] += e1 * e1;
                    s2[k] += e2; v2[k] += e2 * e2;
                }
        }
        for (int k = 0; k < 9; k++) {
            double m1 = s1[k] / N, se1 = sqrt((v1[k] / N - m1 * m1) / N);
            double m2 = s2[k] / N, se2 = sqrt((v2[k] / N - m2 * m2) / N);
            if (fabs(m1) > 4.5 * se1 || fabs(m2) > 4.5 * se2)
                fail_msg("sampler %d entry %d: mean dev %.5g (se %.3g), var dev %.5g (se %.3g)", smp, k, m1, se1, m2, se2);
        }
    }
    cp_engine_ws_clear(&ws);
    cp_engine_ws_clear(&pop);
}

static int cmp_double(const void *p, const void *q)
{
    double a = *(const double *) p, b = *(const double *) q;
    return (a > b) - (a < b);
}

/* Two-sample Kolmogorov-Smirnov statistic sqrt(nm/(n+m)) D. */
static double ks2(double *x, double *y, long n)
{
    qsort(x, (size_t) n, sizeof(double), cmp_double);
    qsort(y, (size_t) n, sizeof(double), cmp_double);
    long i = 0, j = 0;
    double D = 0;
    while (i < n && j < n) {
        double v = x[i] < y[j] ? x[i] : y[j];
        while (i < n && x[i] <= v) i++;
        while (j < n && y[j] <= v) j++;
        D = fmax(D, fabs((double) (i - j) / n));
    }
    return sqrt(n / 2.0) * D;
}

/* The per-prompt CA excess and the smallest diagonal entry of Sigma_hat
 * have the same law under both samplers (independent seeds); the same test
 * tells L = 12 from L = 14 (negative control). */
static void test_samplers_two_sample(void **state)
{
    (void) state;
    const long d = 3, N = 20000;
    cp_model_approx m = default_model(2, 1, 0.5);
    cp_predictor ca = { .kind = CP_PRED_CA, .d = d, .T = 4, .alpha = 0.3 };
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, 4), 0);
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double)), *z = malloc(N * sizeof(double));
    double *gx = malloc(N * sizeof(double)), *gy = malloc(N * sizeof(double));
    for (long i = 0; i < N; i++) {
        cp_prompt_draw(&ws, &m, 12, CP_SAMPLER_DIRECT, 0, 31, 0, (uint64_t) i);
        x[i] = cp_prompt_excess(cp_predictor_weight(&ca, &ws), &ws.pr);
        gx[i] = ws.pr.G[0] + ws.pr.G[d + 1] * 0.5 - ws.pr.G[d];
        cp_prompt_draw(&ws, &m, 12, CP_SAMPLER_WISHART, 0, 32, 0, (uint64_t) i);
        y[i] = cp_prompt_excess(cp_predictor_weight(&ca, &ws), &ws.pr);
        gy[i] = ws.pr.G[0] + ws.pr.G[d + 1] * 0.5 - ws.pr.G[d];
        cp_prompt_draw(&ws, &m, 14, CP_SAMPLER_WISHART, 0, 33, 0, (uint64_t) i);
        z[i] = cp_prompt_excess(cp_predictor_weight(&ca, &ws), &ws.pr);
    }
    /* level 0.001: 1.95 */
    double k1 = ks2(gx, gy, N);
    if (k1 > 1.95) fail_msg("Gram statistic: KS %.3f", k1);
    memcpy(gx, x, N * sizeof(double));
    double k2 = ks2(x, y, N);
    if (k2 > 1.95) fail_msg("CA excess: KS %.3f", k2);
    double k3 = ks2(gx, z, N);
    if (k3 < 1.95) fail_msg("negative control L=12 vs 14 not detected: KS %.3f", k3);
    free(x); free(y); free(z); free(gx); free(gy);
    cp_engine_ws_clear(&ws);
}

/* The one-pass grid runner gives the same bits as separate runs, for a
 * grid over T and alpha (shared and separate recursions) and an untied
 * schedule, at d = 3 (remainder paths) and d = 21 (blocked paths). */
static void test_multi_matches_single(void **state)
{
    (void) state;
    static double al[4] = { 0.2, 0.25, 0.22, 0.3 }, be[4] = { -0.21, -0.2, -0.26, -0.3 };
    for (int dd = 0; dd < 2; dd++) {
        long d1 = dd ? 11 : 2, d2 = dd ? 10 : 1, d = d1 + d2;
        cp_model_approx m = default_model(d1, d2, 0.3);
        cp_predictor ps[7] = {
            { .kind = CP_PRED_CA, .d = d, .T = 1, .alpha = 0.2 },
            { .kind = CP_PRED_CA, .d = d, .T = 6, .alpha = 0.2 },
            { .kind = CP_PRED_CA, .d = d, .T = 3, .alpha = 0.2 },
            { .kind = CP_PRED_CA, .d = d, .T = 6, .alpha = 0.25 },
            { .kind = CP_PRED_CA2, .d = d, .T = 5, .alpha = 0.2, .beta = -0.15 },
            { .kind = CP_PRED_CA_UNTIED, .d = d, .T = 4, .alphas = al, .betas = be },
            { .kind = CP_PRED_CA2, .d = d, .T = 2, .alpha = 0.27, .beta = -0.3 } };
        cp_sim_result multi[7], one;
        cp_sim_config c = base_cfg(m, 80, CP_SAMPLER_WISHART, 5, 1500, 2);
        assert_int_equal(cp_engine_risk_multi(multi, &c, ps, 7), 0);
        for (int k = 0; k < 7; k++) {
            assert_int_equal(cp_engine_risk(&one, &c, &ps[k]), 0);
            if (memcmp(&one.excess, &multi[k].excess, sizeof(double)) != 0
                || memcmp(&one.excess_stderr, &multi[k].excess_stderr, sizeof(double)) != 0)
                fail_msg("d=%ld predictor %d: single %.17g, multi %.17g", d, k, one.excess, multi[k].excess);
        }
    }
    /* the matrix kernel against a plain triple loop */
    double S[7 * 8], V[7 * 5], Y[7 * 5];
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 7; j++)
            S[i * 8 + j] = S[j * 8 + i] = sin(1.0 + i + 3 * j + i * j);
    for (int i = 0; i < 35; i++) V[i] = cos(0.3 * i);
    cp_engine_symm_kernel(Y, S, 7, 8, V, 5);
    for (int i = 0; i < 7; i++)
        for (int k = 0; k < 5; k++) {
            double acc = 0;
            for (int j = 0; j < 7; j++) acc += S[j * 8 + i] * V[j * 5 + k];
            assert_true(fabs(acc - Y[i * 5 + k]) < 1e-13);
        }
}

static void test_nan_stops(void **state)
{
    (void) state;
    cp_model_approx m = default_model(1, 1, 0.0);
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 2, .T = 2000, .alpha = 3.0 };
    cp_sim_result r;
    cp_sim_config c = base_cfg(m, 50, CP_SAMPLER_WISHART, 1, 1000, 2);
    assert_int_equal(cp_engine_risk(&r, &c, &ca), -1);
    assert_non_null(strstr(r.error, "non-finite"));
    /* least squares with L < d: Sigma_hat singular */
    cp_model_approx m2 = default_model(4, 4, 0.0);
    cp_predictor ols = { .kind = CP_PRED_OLS, .d = 8 };
    c = base_cfg(m2, 5, CP_SAMPLER_DIRECT, 1, 100, 1);
    assert_int_equal(cp_engine_risk(&r, &c, &ols), -1);
}

/* population optimum reproduces the reference alpha_T of docs/model.md 5 */
static void test_population_optima(void **state)
{
    (void) state;
    cp_model_approx m = default_model(1, 1, 0.0);
    assert_true(fabs(cp_engine_alpha_T(&m, 1) - 0.27) < 5e-6);    /* E[s]/E[s(1+s)] */
    assert_true(fabs(cp_engine_alpha_T(&m, 10) - 0.30003) < 1e-5);
    double a, b;
    cp_engine_alpha_beta_T(&a, &b, &m, 5);
    assert_true(fabs(b / a + 0.99876) < 2e-5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_population_closed_forms),
        cmocka_unit_test(test_ca_matches_paper_form),
        cmocka_unit_test(test_ols_solves),
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_determinism_across_threads),
        cmocka_unit_test(test_least_squares_formula),
        cmocka_unit_test(test_sampler_moments),
        cmocka_unit_test(test_samplers_two_sample),
        cmocka_unit_test(test_multi_matches_single),
        cmocka_unit_test(test_nan_stops),
        cmocka_unit_test(test_population_optima),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
