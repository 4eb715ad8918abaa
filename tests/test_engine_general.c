/* test_engine_general.c -- the engine's general latent factor model
 * (docs/model.md sections 11 and 14) against independent oracles: closed
 * forms at L = infinity in the 1-D case, the structure of M and Lambda, the
 * sample covariance of the drawn tokens against Psi + M M^T, the prior
 * average of Lambda (which checks the law of the frames and the split), the
 * Bayes risk by Monte Carlo against its closed form, finite-difference
 * gradients, the k = 1 isotropic identity with the old path, and the
 * refused samplers.  Fixed seeds; every tolerance is in standard errors or
 * rounding, so each test can fail. */
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
#include "crossproof/check.h"
#include "testutil.h"

static cp_model_approx model(long d1, long d2, double sigma)
{
    return engine_model(d1, d2, sigma, 0.5, 4.0);
}

static cp_sim_config config(cp_model_approx m, const cp_general_approx *g, long L, cp_sampler smp, long long n)
{
    cp_sim_config c;
    memset(&c, 0, sizeof c);
    c.model = m; c.L = L; c.sampler = smp; c.query = CP_QUERY_EXACT; c.seed = 3; c.prompts = n; c.threads = 2;
    c.general = g;
    c.estimator = CP_EST_AUTO;
    return c;
}

/* 1-D case (tau1 = tau2 = tau, k = 1): u = m/|m| is an eigenvector of
 * Lambda with eigenvalue t + s, t = tau^2, so at L = infinity the tied CA
 * excess is zeta^2 s/(t + s) (1 - alpha (t + s))^(2T) (G-2, G-6). */
static void test_population_1d(void **state)
{
    (void) state;
    cp_model_approx m = model(3, 2, 0.0);
    cp_general_approx g = { 1, 2.0, 2.0, 0.3 };
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, 5, 4), 0);
    assert_int_equal(cp_engine_ws_general_init(&ws, 1), 0);
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 5, .T = 4, .alpha = 0.11 };
    cp_predictor bayes = { .kind = CP_PRED_BAYES, .d = 5 };
    for (uint64_t i = 0; i < 40; i++) {
        cp_prompt_draw_general(&ws, &m, &g, 0, CP_SAMPLER_POPULATION, 0, 9, 0, i);
        double s = ws.pr.s, z = ws.pr.zeta, lam = 4.0 + s;
        double want = z * z * s / lam * pow(1.0 - 0.11 * lam, 8);
        double got = cp_prompt_excess(cp_predictor_weight(&ca, &ws), &ws.pr);
        assert_true(fabs(got - want) <= 1e-12 * (1.0 + want));
        assert_true(cp_prompt_excess(cp_predictor_weight(&bayes, &ws), &ws.pr) < 1e-26);
        assert_true(s >= 0.5 && s <= 4.0);
    }
    cp_engine_ws_clear(&ws);
}

/* M^T M = diag(s_j) with s_j in the support (block-orthogonal loadings,
 * G-1), a fraction split of each |m_j|^2 in modality 1, Lambda - M M^T =
 * Psi, and Lambda w* = M zeta. */
static void test_structure(void **state)
{
    (void) state;
    const long d1 = 4, d2 = 3, d = 7, k = 3;
    cp_model_approx m = model(d1, d2, 0.5);
    cp_general_approx g = { k, 0.5, 2.0, 0.3 };
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
    assert_int_equal(cp_engine_ws_general_init(&ws, k), 0);
    for (uint64_t i = 0; i < 30; i++) {
        cp_prompt_draw_general(&ws, &m, &g, 0, CP_SAMPLER_POPULATION, 0, 4, 0, i);
        const double *M = ws.gM, *Lam = ws.pr.Lam;
        double ssum = 0.0;
        for (long a = 0; a < k; a++)
            for (long b = 0; b < k; b++) {
                double top = 0.0, bot = 0.0;
                for (long r = 0; r < d; r++) {
                    if (r < d1)
                        top += M[r * k + a] * M[r * k + b];
                    else
                        bot += M[r * k + a] * M[r * k + b];
                }
                if (a == b) {
                    double s = top + bot;
                    ssum += s;
                    assert_true(s >= 0.5 - 1e-12 && s <= 4.0 + 1e-12);
                    assert_true(fabs(top - 0.3 * s) < 1e-12);
                } else {
                    assert_true(fabs(top) < 1e-12 && fabs(bot) < 1e-12);   /* both blocks orthogonal */
                }
            }
        assert_true(fabs(ssum - ws.pr.s) < 1e-12);
        for (long r = 0; r < d; r++)
            for (long c = 0; c < d; c++) {
                double mm = 0.0;
                for (long j = 0; j < k; j++)
                    mm += M[r * k + j] * M[c * k + j];
                double psi = r != c ? 0.0 : r < d1 ? 0.25 : 4.0;
                assert_true(fabs(Lam[r * d + c] - mm - psi) < 1e-12);
            }
        for (long r = 0; r < d; r++) {
            double lw = 0.0, mz = 0.0;
            for (long c = 0; c < d; c++)
                lw += Lam[r * d + c] * ws.pr.wstar[c];
            for (long j = 0; j < k; j++)
                mz += M[r * k + j] * ws.gzeta[j];
            assert_true(fabs(lw - mz) < 1e-11);
        }
    }
    cp_engine_ws_clear(&ws);
}

/* The sample covariance of the drawn context against the population Gram
 * matrix [[Psi + M M^T, M zeta], [., |zeta|^2 + sigma^2]] of the task: each
 * entry of G_hat is a mean of L iid products with variance
 * G_ab^2 + G_aa G_bb (Gaussian fourth moments), so within 5 standard errors.
 * Direct (the tokens themselves) and Wishart (the Bartlett reduction). */
static void test_sample_covariance(void **state)
{
    (void) state;
    const long d1 = 3, d2 = 2, d = 5, n = 6, k = 2, L = 40000;
    cp_model_approx m = model(d1, d2, 0.7);
    cp_general_approx g = { k, 0.6, 1.8, 0.4 };
    cp_engine_ws ws, pop;
    assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
    assert_int_equal(cp_engine_ws_general_init(&ws, k), 0);
    assert_int_equal(cp_engine_ws_init(&pop, d, 1), 0);
    assert_int_equal(cp_engine_ws_general_init(&pop, k), 0);
    int worst_direct = 0, worst_wishart = 0;
    double maxz[2] = { 0, 0 };
    for (int smp = 0; smp < 2; smp++)
        for (uint64_t i = 0; i < 6; i++) {
            cp_prompt_draw_general(&ws, &m, &g, L, smp ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT, 0, 11, 0, i);
            cp_prompt_draw_general(&pop, &m, &g, L, CP_SAMPLER_POPULATION, 0, 11, 0, i);   /* same task */
            for (long a = 0; a < n; a++)
                for (long b = a; b < n; b++) {
                    double P = pop.pr.G[a * n + b];
                    double se = sqrt((P * P + pop.pr.G[a * n + a] * pop.pr.G[b * n + b]) / (double) L);
                    double zz = fabs(ws.pr.G[a * n + b] - P) / se;
                    if (zz > maxz[smp])
                        maxz[smp] = zz;
                }
        }
    if (maxz[0] > 5.0) worst_direct = 1;
    if (maxz[1] > 5.0) worst_wishart = 1;
    if (worst_direct || worst_wishart)
        fail_msg("sample covariance off by %.2f (direct) / %.2f (wishart) standard errors", maxz[0], maxz[1]);
    /* negative control: the same comparison against tau2 replaced by 2 tau2
     * must fail somewhere on the modality-2 diagonal */
    cp_prompt_draw_general(&ws, &m, &g, L, CP_SAMPLER_DIRECT, 0, 11, 0, 0);
    cp_prompt_draw_general(&pop, &m, &g, L, CP_SAMPLER_POPULATION, 0, 11, 0, 0);
    double wrong = pop.pr.G[d1 * n + d1] + 3.0 * 1.8 * 1.8;
    assert_true(fabs(ws.pr.G[d1 * n + d1] - wrong) / sqrt(2.0 * wrong * wrong / (double) L) > 5.0);
    cp_engine_ws_clear(&ws);
    cp_engine_ws_clear(&pop);
}

/* Prior average of Lambda: E[M M^T] = k E[s] diag(split/d1 I_d1, (1 - split)/d2 I_d2)
 * for Haar frames (E a a^T = I/d1), zero across the blocks; the diagonal of
 * the Monte Carlo mean within 5 standard errors. */
static void test_prior_average(void **state)
{
    (void) state;
    const long d1 = 3, d2 = 4, d = 7, k = 2, N = 20000;
    cp_model_approx m = model(d1, d2, 0.0);
    cp_general_approx g = { k, 1.5, 0.5, 0.25 };
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, 1), 0);
    assert_int_equal(cp_engine_ws_general_init(&ws, k), 0);
    double sum[7] = { 0 }, sq[7] = { 0 }, cross = 0, crosssq = 0;
    for (long i = 0; i < N; i++) {
        cp_prompt_draw_general(&ws, &m, &g, 0, CP_SAMPLER_POPULATION, 0, 17, 0, (uint64_t) i);
        for (long r = 0; r < d; r++) {
            double v = ws.pr.Lam[r * d + r];
            sum[r] += v; sq[r] += v * v;
        }
        double c = ws.pr.Lam[0 * d + d1];
        cross += c; crosssq += c * c;
    }
    double Es = 2.25;
    for (long r = 0; r < d; r++) {
        double want = r < d1 ? 1.5 * 1.5 + k * Es * 0.25 / d1 : 0.25 + k * Es * 0.75 / d2;
        double mean = sum[r] / N, se = sqrt((sq[r] / N - mean * mean) / N);
        if (fabs(mean - want) > 5 * se)
            fail_msg("E Lambda_%ld%ld = %.6g +- %.2g, want %.6g", r, r, mean, se, want);
    }
    double mc = cross / N, sc = sqrt((crosssq / N - mc * mc) / N);
    assert_true(fabs(mc) < 5 * sc);
    cp_engine_ws_clear(&ws);
}

/* The Bayes predictor with a sampled query: its risk is
 * k E[1/(1 + q s)] + sigma^2, q = split/tau1^2 + (1 - split)/tau2^2 (G-4),
 * which for the uniform prior is k ln((1 + q m_hi)/(1 + q m_lo))/(q (m_hi - m_lo)) + sigma^2. */
static void test_bayes_risk(void **state)
{
    (void) state;
    cp_model_approx m = model(2, 2, 0.5);
    cp_general_approx g = { 2, 1.0, 2.0, 0.5 };
    double q = 0.5 + 0.5 / 4.0;
    double want = 2.0 * log((1 + q * 4.0) / (1 + q * 0.5)) / (q * 3.5) + 0.25;
    cp_sim_config c = config(m, &g, 50, CP_SAMPLER_WISHART, 400000);
    c.query = CP_QUERY_SAMPLED;
    c.bayes_risk = want;
    cp_predictor bayes = { .kind = CP_PRED_BAYES, .d = 4 };
    cp_sim_result r;
    assert_int_equal(cp_engine_risk(&r, &c, &bayes), 0);
    if (fabs(r.risk - want) > 4 * r.risk_stderr)
        fail_msg("Bayes risk %.6g +- %.2g, closed form %.6g", r.risk, r.risk_stderr, want);
    /* and the isotropic formula (q = 1) is far outside: the noise levels matter */
    double iso = 2.0 * log(5.0 / 1.5) / 3.5 + 0.25;
    assert_true(fabs(r.risk - iso) > 10 * r.risk_stderr);
}

/* Gradients of the excess (general Lambda) against central differences. */
static void test_gradient(void **state)
{
    (void) state;
    const long d = 5, k = 2;
    cp_model_approx m = model(3, 2, 0.3);
    cp_general_approx g = { k, 0.7, 1.6, 0.6 };
    cp_engine_ws ws;
    assert_int_equal(cp_engine_ws_init(&ws, d, 3), 0);
    assert_int_equal(cp_engine_ws_general_init(&ws, k), 0);
    cp_predictor p = { .kind = CP_PRED_CA2, .d = d, .T = 3, .alpha = 0.2, .beta = -0.15 };
    double grad[2], th[2];
    for (uint64_t i = 0; i < 5; i++) {
        cp_prompt_draw_general(&ws, &m, &g, 30, CP_SAMPLER_WISHART, 0, 2, 0, i);
        cp_predictor_excess_grad(grad, &p, &ws);
        for (int j = 0; j < 2; j++) {
            const double h = 1e-6;
            cp_predictor q = p;
            cp_predictor_get_params(th, &q);
            th[j] += h;
            cp_predictor_set_params(&q, th);
            double up = cp_prompt_excess(cp_predictor_weight(&q, &ws), &ws.pr);
            th[j] -= 2 * h;
            cp_predictor_set_params(&q, th);
            double dn = cp_prompt_excess(cp_predictor_weight(&q, &ws), &ws.pr);
            double fd = (up - dn) / (2 * h);
            assert_true(fabs(fd - grad[j]) <= 1e-6 * (1.0 + fabs(fd)));
        }
    }
    cp_engine_ws_clear(&ws);
}

/* k = 1, tau1 = tau2 = 1 (any split) is the old path, bit for bit; any other
 * general model changes the numbers. */
static void test_trivial_identity(void **state)
{
    (void) state;
    cp_model_approx m = model(2, 2, 0.2);
    cp_general_approx triv = { 1, 1.0, 1.0, 0.3 }, other = { 1, 1.0, 1.25, 0.5 };
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 4, .T = 3, .alpha = 0.25 };
    for (int smp = 0; smp < 3; smp++) {
        cp_sampler s = smp == 0 ? CP_SAMPLER_WISHART : smp == 1 ? CP_SAMPLER_DIRECT : CP_SAMPLER_TRIDIAG;
        cp_sim_config a = config(m, NULL, 60, s, 3000), b = config(m, &triv, 60, s, 3000);
        cp_sim_result ra, rb;
        assert_int_equal(cp_engine_risk(&ra, &a, &ca), 0);
        assert_int_equal(cp_engine_risk(&rb, &b, &ca), 0);
        assert_memory_equal(&ra.excess, &rb.excess, sizeof(double));
        assert_memory_equal(&ra.excess_stderr, &rb.excess_stderr, sizeof(double));
    }
    cp_sim_config a = config(m, NULL, 60, CP_SAMPLER_WISHART, 3000), b = config(m, &other, 60, CP_SAMPLER_WISHART, 3000);
    a.estimator = b.estimator = CP_EST_PLAIN;
    cp_sim_result ra, rb;
    assert_int_equal(cp_engine_risk(&ra, &a, &ca), 0);
    assert_int_equal(cp_engine_risk(&rb, &b, &ca), 0);
    assert_true(ra.excess != rb.excess);
}

/* The same bits for any thread count (prompt i draws from its own streams). */
static void test_threads(void **state)
{
    (void) state;
    cp_model_approx m = model(2, 3, 0.4);
    cp_general_approx g = { 2, 0.5, 1.5, 0.25 };
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 5, .T = 3, .alpha = 0.2 };
    cp_sim_result r[3];
    for (int t = 0; t < 3; t++) {
        cp_sim_config c = config(m, &g, 100, t == 2 ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT, 2000);
        c.threads = t == 1 ? 3 : 1;
        assert_int_equal(cp_engine_risk(&r[t], &c, &ca), 0);
    }
    assert_memory_equal(&r[0].excess, &r[1].excess, sizeof(double));
    assert_memory_equal(&r[0].excess_stderr, &r[1].excess_stderr, sizeof(double));
    assert_true(r[0].excess != r[2].excess);       /* another sampler, other draws (same law) */
    assert_true(fabs(r[0].excess - r[2].excess) < 5 * hypot(r[0].excess_stderr, r[2].excess_stderr));
}

/* The samplers and the estimator that assume the isotropic k = 1 model are
 * refused for the general one; wishart needs L >= k + d (+1). */
static void test_refused(void **state)
{
    (void) state;
    cp_model_approx m = model(2, 2, 0.2);
    cp_general_approx g = { 2, 1.0, 2.0, 0.5 };
    cp_predictor ca = { .kind = CP_PRED_CA, .d = 4, .T = 2, .alpha = 0.2 };
    cp_sim_result r;
    cp_sim_config c = config(m, &g, 60, CP_SAMPLER_TRIDIAG, 100);
    assert_int_equal(cp_engine_risk(&r, &c, &ca), -1);
    assert_non_null(strstr(r.error, "sampler=tridiag"));
    c.sampler = CP_SAMPLER_TILTED;
    assert_int_equal(cp_engine_risk(&r, &c, &ca), -1);
    c.sampler = CP_SAMPLER_WISHART;
    c.estimator = CP_EST_CONDITIONAL;
    assert_int_equal(cp_engine_risk(&r, &c, &ca), -1);
    c.estimator = CP_EST_AUTO;
    assert_int_equal(cp_engine_risk(&r, &c, &ca), 0);
    assert_int_equal(r.estimator, CP_EST_PLAIN);
    c.L = 6;                                   /* p = k + d + 1 = 7 */
    assert_int_equal(cp_engine_risk(&r, &c, &ca), -1);
    c.L = 7;
    assert_int_equal(cp_engine_risk(&r, &c, &ca), 0);
    char err[256];
    double grad[1], ex;
    c.sampler = CP_SAMPLER_TRIDIAG;
    assert_int_equal(cp_engine_grad(grad, &ex, &c, &ca, err), -1);
}

/* The statistical check of theorems/general_model.md (checks/general_engine.c):
 * the true setting is SUPPORTED, the mutant of its `mutate` line (the engine
 * simulates tau2 + 1) is CONTRADICTED, for each quantity. */
static void test_population_check(void **state)
{
    (void) state;
    const char *qs[3] = { "quantity=bayes", "quantity=lsa", "quantity=ca" };
    for (int i = 0; i < 3; i++) {
        const char *good[] = { qs[i], "T=2", "k=2", "d1=2", "d2=2", "tau2=2", "prompts=100000", NULL };
        const char *mut[] = { qs[i], "T=2", "k=2", "d1=2", "d2=2", "tau2=2", "prompts=100000",
                              "engine_tau2_offset=1", NULL };
        assert_int_equal(run_stat_check("general_engine_population", good), CP_SUPPORTED);
        assert_int_equal(run_stat_check("general_engine_population", mut), CP_CONTRADICTED);
    }
    /* at small L the finite-L excess exceeds the population value: CA at T = 2 (no bias
     * allowance) is CONTRADICTED; the gamma form's bias bound b (G-E4) covers its
     * excess, so there the population value stays inside [lo - b, hi] */
    const char *small_ca[] = { "quantity=ca", "T=2", "k=2", "d1=2", "d2=2", "tau2=2", "L=10", "prompts=100000", NULL };
    assert_int_equal(run_stat_check("general_engine_population", small_ca), CP_CONTRADICTED);
    const char *small_lsa[] = { "quantity=lsa", "k=2", "d1=2", "d2=2", "tau2=2", "L=8", "prompts=100000", NULL };
    assert_int_equal(run_stat_check("general_engine_population", small_lsa), CP_SUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_population_1d),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_sample_covariance),
        cmocka_unit_test(test_prior_average),
        cmocka_unit_test(test_bayes_risk),
        cmocka_unit_test(test_gradient),
        cmocka_unit_test(test_trivial_identity),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_population_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
