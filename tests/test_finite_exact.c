/* test_finite_exact.c -- the exact finite-(L, T) CA excess (src/finite_exact.c,
 * finite.h exact section; docs/model.md, section 8).
 *
 * Oracles, each independent of the code under test:
 *  - T = 1 by Isserlis' theorem (Wishart second moments), exact rationals;
 *    no Bartlett decomposition, no Laguerre basis;
 *  - Monte Carlo with the covariates drawn directly (x = u m + mu, random
 *    direction of m, label noise), the predictor by the layer recursion and
 *    the excess (w - w*)^T Lambda (w - w*) with c_hat from sampled labels:
 *    tests the reduction (FE-1, FE-2) itself; tied, two-parameter, untied,
 *    sigma > 0; parameters where the tail is light;
 *  - Gauss-Laguerre quadrature in (chi2_L, chi2_{L-1}, chi2_1) with enough
 *    nodes to be exact for the polynomial integrand, the integrand evaluated
 *    by 2x2 matrix arithmetic in long double from the conditional formula:
 *    the check value 370224.835... of ../shared/finite-size.md (d = 2,
 *    L = 200, T = 30, alpha = 4/13, s = 4) and T = 60;
 *  - L -> infinity: the L = infinity excess of lsa.c (rigorous integration);
 *  - priors: two-point = average of two point priors; uniform and Beta
 *    against rigorous integration over s (acb_calc, model.c) of the exact
 *    per-s value;
 *  - structure: the excess is affine in sigma^2; tied = untied with equal
 *    steps;
 *  - general d: at d = 2 the tridiagonal route (FE-9) against the fast route
 *    (two algorithms, exact equality); at d = 3, 4, 5 direct Monte Carlo in
 *    d dimensions, and the d = 4 value 0.0445849522... of finite-size.md.
 * The Monte Carlo seed comes from CP_SEED (printed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <flint/fmpq_poly.h>
#include "crossproof/finite.h"
#include "crossproof/lsa.h"
#include "crossproof/model.h"
#include "crossproof/quantity.h"

#define TESTUTIL_SEED 1002026ULL /* default seed; CP_SEED overrides it */
#define TESTUTIL_BALL_DIGITS 30
#include "testutil.h"

static void tied_poly(fmpq_poly_t p, slong T, slong an, ulong ad, slong bn, ulong bd)
{
    fmpq_t a, b;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_set_si(a, an, ad);
    fmpq_set_si(b, bn, bd);
    cp_ca_weight_poly(p, T, a, b, NULL, NULL);
    fmpq_clear(a);
    fmpq_clear(b);
}

static double excess_at(slong L, const fmpq_poly_t p, const fmpq_t sigma, const fmpq_t s)
{
    fmpq_t r;
    char err[CP_ERRLEN];
    double v;
    fmpq_init(r);
    assert_int_equal(cp_ca_excess_finite_at_s(r, 1, 1, L, p, sigma, s, err), 0);
    v = fmpq_get_d(r);
    fmpq_clear(r);
    return v;
}

/* --- T = 1 by Isserlis ------------------------------------------------------
 * Sigma_hat = (1/L) sum x_i x_i^T, x ~ N(0, Lambda).  Isserlis: for symmetric A,
 * E[Sigma_hat A Sigma_hat] = Lambda A Lambda + (Lambda A Lambda + tr(A Lambda) Lambda)/L.
 * With P = alpha I, w = m/lambda (E zeta^2 = 1), |m|^2 = s, d = 2:
 *   E[w^T (I - a S) Lambda (I - a S) w]
 *     = w'Lw - 2a w'L^2 w + a^2 [(1 + 1/L) w'L^3 w + tr(L^2) w'Lw / L]
 *     = s/l - 2 a s + a^2 [(1 + 1/L) s l + (l^2 + 1) s/(l L)],
 *   variance term (v/L) a^2 tr(Lambda E Sigma_hat) = (1/l + sigma^2) a^2 (l^2 + 1)/L. */
static void isserlis_T1(fmpq_t res, slong L, const fmpq_t a, const fmpq_t sigma, const fmpq_t s)
{
    fmpq_t l, t, u, a2, invL;
    fmpq_init(l); fmpq_init(t); fmpq_init(u); fmpq_init(a2); fmpq_init(invL);
    fmpq_add_si(l, s, 1);
    fmpq_mul(a2, a, a);
    fmpq_set_si(invL, 1, (ulong) L);
    fmpq_div(res, s, l);                      /* s/l */
    fmpq_mul(t, a, s);
    fmpq_mul_si(t, t, 2);
    fmpq_sub(res, res, t);                    /* - 2 a s */
    fmpq_add_si(t, invL, 1);
    fmpq_mul(t, t, s);
    fmpq_mul(t, t, l);                        /* (1 + 1/L) s l */
    fmpq_mul(u, l, l);
    fmpq_add_si(u, u, 1);
    fmpq_mul(u, u, s);
    fmpq_div(u, u, l);
    fmpq_mul(u, u, invL);                     /* (l^2 + 1) s/(l L) */
    fmpq_add(t, t, u);
    fmpq_mul(t, t, a2);
    fmpq_add(res, res, t);
    fmpq_inv(t, l);
    fmpq_mul(u, sigma, sigma);
    fmpq_add(t, t, u);                        /* 1/l + sigma^2 */
    fmpq_mul(u, l, l);
    fmpq_add_si(u, u, 1);
    fmpq_mul(t, t, u);
    fmpq_mul(t, t, a2);
    fmpq_mul(t, t, invL);
    fmpq_add(res, res, t);
    fmpq_clear(l); fmpq_clear(t); fmpq_clear(u); fmpq_clear(a2); fmpq_clear(invL);
}

static void test_T1_isserlis(void **state)
{
    (void) state;
    uint64_t st = 77;
    fmpq_t a, b, sg, s, got, want;
    fmpq_poly_t p;
    char err[CP_ERRLEN];
    fmpq_init(a); fmpq_init(b); fmpq_init(sg); fmpq_init(s); fmpq_init(got); fmpq_init(want);
    fmpq_poly_init(p);
    for (int it = 0; it < 40; it++) {
        slong L = 2 + (slong) (splitmix(&st) % 500);
        fmpq_set_si(a, (slong) (splitmix(&st) % 41) - 20, 1 + splitmix(&st) % 30);
        fmpq_set_si(b, (slong) (splitmix(&st) % 41) - 20, 1 + splitmix(&st) % 30);
        fmpq_set_si(sg, (slong) (splitmix(&st) % 5), 1 + splitmix(&st) % 3);
        fmpq_set_si(s, (slong) (splitmix(&st) % 60), 1 + splitmix(&st) % 7);
        cp_ca_weight_poly(p, 1, a, b, NULL, NULL);   /* T = 1: beta plays no role */
        assert_int_equal(cp_ca_excess_finite_at_s(got, 1, 1, L, p, sg, s, err), 0);
        isserlis_T1(want, L, a, sg, s);
        if (!fmpq_equal(got, want)) {
            print_error("L = %ld: ", (long) L);
            fmpq_print(got); print_error(" != "); fmpq_print(want); print_error("\n");
        }
        assert_true(fmpq_equal(got, want));
    }
    fmpq_clear(a); fmpq_clear(b); fmpq_clear(sg); fmpq_clear(s); fmpq_clear(got); fmpq_clear(want);
    fmpq_poly_clear(p);
}

/* --- Monte Carlo with direct sampling ----------------------------------------- */

static double unif(uint64_t *st) { return ((double) (splitmix(st) >> 11) + 0.5) / 9007199254740992.0; }
static double gauss(uint64_t *st)
{
    return sqrt(-2.0 * log(unif(st))) * cos(6.283185307179586 * unif(st));
}

/* mean and standard error of the excess at one s; steps al[t], be[t] */
static void mc_excess(double *mean, double *se, slong L, slong T, const double *al, const double *be,
                      double sigma, double s, long prompts, uint64_t *st)
{
    double sum = 0, sum2 = 0;
    for (long n = 0; n < prompts; n++) {
        double th = 6.283185307179586 * unif(st);
        double m0 = sqrt(s) * cos(th), m1 = sqrt(s) * sin(th);
        double zeta = gauss(st);
        double S00 = 0, S01 = 0, S11 = 0, c0 = 0, c1 = 0;
        for (slong i = 0; i < L; i++) {
            double u = gauss(st);
            double x0 = u * m0 + gauss(st), x1 = u * m1 + gauss(st);
            double y = zeta * u + sigma * gauss(st);
            S00 += x0 * x0; S01 += x0 * x1; S11 += x1 * x1;
            c0 += y * x0; c1 += y * x1;
        }
        S00 /= L; S01 /= L; S11 /= L; c0 /= L; c1 /= L;
        double v0 = 0, v1 = 0;                /* v_{t+1} = (I + beta_t S) v_t + alpha_t c */
        for (slong t = 0; t < T; t++) {
            double n0 = v0 + be[t] * (S00 * v0 + S01 * v1) + al[t] * c0;
            double n1 = v1 + be[t] * (S01 * v0 + S11 * v1) + al[t] * c1;
            v0 = n0; v1 = n1;
        }
        double d0 = v0 - zeta * m0 / (1 + s), d1 = v1 - zeta * m1 / (1 + s);
        double md = m0 * d0 + m1 * d1;
        double e = d0 * d0 + d1 * d1 + md * md;   /* delta^T (I + m m^T) delta */
        sum += e;
        sum2 += e * e;
    }
    *mean = sum / (double) prompts;
    *se = sqrt((sum2 / (double) prompts - *mean * *mean) / (double) (prompts - 1));
}

static void test_monte_carlo(void **state)
{
    (void) state;
    struct { slong L, T; double al[3], be[3]; double sigma, s; int untied; } cs[] = {
        { 12, 3, { 0.2, 0.2, 0.2 }, { -0.2, -0.2, -0.2 }, 0.0, 2.0, 0 },          /* tied */
        { 8, 2, { 0.15, 0.15 }, { -0.05, -0.05 }, 0.5, 1.0, 0 },                  /* two-parameter, sigma */
        { 10, 3, { 0.3, 0.1, 0.2 }, { -0.25, 0.1, -0.3 }, 1.0, 3.0, 1 },          /* untied */
        { 30, 2, { 0.25, 0.25 }, { -0.25, -0.25 }, 0.0, 0.5, 0 },
    };
    uint64_t st;
    init_seed();
    st = g_seed;
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        fmpq *al = _fmpq_vec_init(cs[c].T), *be = _fmpq_vec_init(cs[c].T);
        fmpq_t sg, s;
        fmpq_poly_t p, q;
        double mean, se, ex;
        fmpq_init(sg); fmpq_init(s);
        fmpq_poly_init(p); fmpq_poly_init(q);
        for (slong t = 0; t < cs[c].T; t++) {
            fmpq_set_si(al + t, (slong) llround(cs[c].al[t] * 100), 100);
            fmpq_set_si(be + t, (slong) llround(cs[c].be[t] * 100), 100);
        }
        fmpq_set_si(sg, (slong) llround(cs[c].sigma * 10), 10);
        fmpq_set_si(s, (slong) llround(cs[c].s * 10), 10);
        if (cs[c].untied)
            cp_ca_weight_poly(p, cs[c].T, NULL, NULL, al, be);
        else {
            cp_ca_weight_poly(p, cs[c].T, al, be, NULL, NULL);
            cp_ca_weight_poly(q, cs[c].T, NULL, NULL, al, be);   /* the same steps, untied form */
            assert_true(fmpq_poly_equal(p, q));
        }
        ex = excess_at(cs[c].L, p, sg, s);
        mc_excess(&mean, &se, cs[c].L, cs[c].T, cs[c].al, cs[c].be, cs[c].sigma, cs[c].s, 200000, &st);
        printf("  MC case %zu: exact %.6f, MC %.6f +- %.6f (%.2f se)\n", c, ex, mean, se,
               (mean - ex) / se);
        assert_true(fabs(mean - ex) < 5 * se);
        assert_true(se < 0.025 * ex);  /* the comparison has teeth */
        _fmpq_vec_clear(al, cs[c].T); _fmpq_vec_clear(be, cs[c].T);
        fmpq_clear(sg); fmpq_clear(s);
        fmpq_poly_clear(p); fmpq_poly_clear(q);
    }
}

/* --- Gauss-Laguerre quadrature oracle ------------------------------------------ */

/* Nodes and probability weights of the n-point Gauss rule for chi2_df
 * (Golub-Welsch on the Jacobi matrix of the Laguerre weight y^nu e^-y,
 * nu = df/2 - 1, x = 2y); exact for polynomials of degree <= 2n - 1. */
static void gauss_chi2(long double *x, long double *w, int n, double df)
{
    long double nu = (long double) df / 2 - 1;
    long double *d = malloc(sizeof(long double) * (size_t) n), *e = malloc(sizeof(long double) * (size_t) n);
    long double *z = malloc(sizeof(long double) * (size_t) n);
    for (int k = 0; k < n; k++) {
        d[k] = 2 * k + nu + 1;
        e[k] = k + 1 < n ? sqrtl((long double) (k + 1) * (k + 1 + nu)) : 0;
        z[k] = k == 0 ? 1 : 0;
    }
    /* implicit QL with shifts (tqli), tracking the first eigenvector row only */
    for (int l = 0; l < n; l++) {
        int iter = 0, m;
        do {
            for (m = l; m < n - 1; m++) {
                long double dd = fabsl(d[m]) + fabsl(d[m + 1]);
                if (fabsl(e[m]) <= 1e-19L * dd)
                    break;
            }
            if (m != l) {
                long double g = (d[l + 1] - d[l]) / (2 * e[l]);
                long double r = hypotl(g, 1);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? fabsl(r) : -fabsl(r)));
                long double s = 1, c = 1, p = 0;
                int i;
                for (i = m - 1; i >= l; i--) {
                    long double f = s * e[i], b = c * e[i];
                    r = hypotl(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    f = z[i + 1];
                    z[i + 1] = s * z[i] + c * f;
                    z[i] = c * z[i] - s * f;
                }
                if (r == 0 && i >= l)
                    continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        } while (m != l && ++iter < 200);
    }
    for (int k = 0; k < n; k++) {
        x[k] = 2 * d[k];
        w[k] = z[k] * z[k];
    }
    free(d); free(e); free(z);
}

/* E[excess | s] for the tied CA by quadrature over the Bartlett variables,
 * W = B^T B, B = [[sqrt a, sqrt c], [0, sqrt b]], L Sigma_hat = D W D (FE-2),
 * integrand from the conditional formula (FE-1) by 2x2 matrix arithmetic. */
static long double quad_excess(slong L, slong T, long double alpha, long double s, long double sigma)
{
    int n = (int) T + 2;
    long double *xa = malloc(sizeof(long double) * (size_t) n), *wa = malloc(sizeof(long double) * (size_t) n);
    long double *xb = malloc(sizeof(long double) * (size_t) n), *wb = malloc(sizeof(long double) * (size_t) n);
    long double *xc = malloc(sizeof(long double) * (size_t) n), *wc = malloc(sizeof(long double) * (size_t) n);
    long double lam = 1 + s, sl = sqrtl(lam), total = 0;
    gauss_chi2(xa, wa, n, (double) L);
    gauss_chi2(xb, wb, n, (double) (L - 1));
    gauss_chi2(xc, wc, n, 1.0);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) {
                long double B11 = sqrtl(xa[i]), B12 = sqrtl(xc[k]), B22 = sqrtl(xb[j]);
                long double W00 = B11 * B11, W01 = B11 * B12, W11 = B12 * B12 + B22 * B22;
                long double S00 = lam * W00 / L, S01 = sl * W01 / L, S11 = W11 / L;
                /* P = alpha sum_{r<T} (I - alpha S)^r; R = (I - alpha S)^T */
                long double Q00 = 1, Q01 = 0, Q11 = 1, P00 = 0, P01 = 0, P11 = 0;
                for (slong r = 0; r < T; r++) {
                    P00 += alpha * Q00; P01 += alpha * Q01; P11 += alpha * Q11;
                    long double M00 = 1 - alpha * S00, M01 = -alpha * S01, M11 = 1 - alpha * S11;
                    long double n00 = Q00 * M00 + Q01 * M01, n01 = Q00 * M01 + Q01 * M11;
                    long double n11 = Q01 * M01 + Q11 * M11;
                    Q00 = n00; Q01 = n01; Q11 = n11;
                }
                /* w = m/lambda, m = sqrt(s) e1: w^T R Lambda R w = (s/l^2)(l R00^2 + R01^2) */
                long double bias = s / (lam * lam) * (lam * Q00 * Q00 + Q01 * Q01);
                /* tr(P Lambda P S): X = P S P, lam X00 + X11 */
                long double A00 = P00 * S00 + P01 * S01, A01 = P00 * S01 + P01 * S11;
                long double A10 = P01 * S00 + P11 * S01, A11 = P01 * S01 + P11 * S11;
                long double X00 = A00 * P00 + A01 * P01, X11 = A10 * P01 + A11 * P11;
                long double var = (1 / lam + sigma * sigma) / L * (lam * X00 + X11);
                total += wa[i] * wb[j] * wc[k] * (bias + var);
            }
    free(xa); free(wa); free(xb); free(wb); free(xc); free(wc);
    return total;
}

static void test_quadrature_check_values(void **state)
{
    (void) state;
    struct { slong L, T; slong an; ulong ad; slong sn; ulong sd; slong gn; ulong gd; } cs[] = {
        { 200, 30, 4, 13, 4, 1, 0, 1 },     /* finite-size.md: 370224.835... */
        { 200, 60, 4, 13, 4, 1, 0, 1 },
        { 50, 7, 3, 10, 2, 1, 1, 2 },
        { 5, 4, 1, 5, 1, 2, 1, 1 },
    };
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        fmpq_poly_t p;
        fmpq_t s, sg;
        fmpq_poly_init(p);
        fmpq_init(s); fmpq_init(sg);
        tied_poly(p, cs[c].T, cs[c].an, cs[c].ad, -cs[c].an, cs[c].ad);
        fmpq_set_si(s, cs[c].sn, cs[c].sd);
        fmpq_set_si(sg, cs[c].gn, cs[c].gd);
        double ex = excess_at(cs[c].L, p, sg, s);
        long double q = quad_excess(cs[c].L, cs[c].T, (long double) cs[c].an / cs[c].ad,
                                    (long double) cs[c].sn / cs[c].sd,
                                    (long double) cs[c].gn / cs[c].gd);
        printf("  L = %ld, T = %ld: exact %.12g, quadrature %.12Lg\n", (long) cs[c].L,
               (long) cs[c].T, ex, q);
        assert_true(fabsl(q - ex) <= 1e-9L * fabsl(q));
        if (c == 0)
            assert_true(fabs(ex - 370224.835) < 1e-3);   /* the value quoted in finite-size.md */
        fmpq_poly_clear(p);
        fmpq_clear(s); fmpq_clear(sg);
    }
}

/* --- L -> infinity: the population excess of lsa.c ------------------------------ */

static void test_large_L_limit(void **state)
{
    (void) state;
    cp_model_t m;
    arb_t pop, fin, a, b, d;
    fmpq_t al, be;
    char err[CP_ERRLEN];
    double prev = 1e300;
    cp_model_init(m);
    arb_init(pop); arb_init(fin); arb_init(a); arb_init(b); arb_init(d);
    fmpq_init(al); fmpq_init(be);
    set_model(m, 1, 2, 4, 1, CP_PRIOR_UNIFORM);
    cp_alpha_star(al, m);
    fmpq_set_si(be, -1, 4);                       /* two-parameter form */
    arb_set_fmpq(a, al, 128);
    arb_set_fmpq(b, be, 128);
    cp_ca_excess(pop, m, a, b, 4, 128);
    for (slong L = 1000; L <= 1000000; L *= 10) {
        assert_int_equal(cp_ca_excess_finite(fin, m, L, 4, al, be, 128, err), 0);
        arb_sub(d, fin, pop, 128);
        double diff = arf_get_d(arb_midref(d), ARF_RND_NEAR);
        printf("  L = %ld: finite - population = %.6e (L * diff = %.6f)\n", (long) L, diff,
               diff * (double) L);
        assert_true(fabs(diff) * (double) L < 5.0);      /* O(1/L) */
        assert_true(fabs(diff) < prev);
        prev = fabs(diff);
    }
    cp_model_clear(m);
    arb_clear(pop); arb_clear(fin); arb_clear(a); arb_clear(b); arb_clear(d);
    fmpq_clear(al); fmpq_clear(be);
}

/* --- priors ---------------------------------------------------------------------- */

typedef struct { fmpq_poly_struct *num; } laurent_ctx;

/* num(1+s) / (1+s)^2, holomorphic everywhere near [m_lo, m_hi] (s > -1) */
static int laurent_f(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    laurent_ctx *c = param;
    acb_t l;
    (void) order;
    acb_init(l);
    acb_add_ui(l, s, 1, prec);
    acb_zero(res);
    for (slong k = fmpq_poly_degree(c->num); k >= 0; k--) {
        fmpq_t q;
        arb_t t;
        fmpq_init(q);
        arb_init(t);
        fmpq_poly_get_coeff_fmpq(q, c->num, k);
        arb_set_fmpq(t, q, prec);
        acb_mul(res, res, l, prec);
        acb_add_arb(res, res, t, prec);
        fmpq_clear(q);
        arb_clear(t);
    }
    acb_div(res, res, l, prec);
    acb_div(res, res, l, prec);
    acb_clear(l);
    return 0;
}

static void test_priors(void **state)
{
    (void) state;
    cp_model_t m, pt;
    fmpq_poly_t p, num;
    fmpq_t v1, v2, avg;
    arb_t got, want;
    char err[CP_ERRLEN];
    cp_model_init(m); cp_model_init(pt);
    fmpq_poly_init(p); fmpq_poly_init(num);
    fmpq_init(v1); fmpq_init(v2); fmpq_init(avg);
    arb_init(got); arb_init(want);
    tied_poly(p, 6, 2, 7, -1, 5);
    set_model(m, 1, 3, 5, 2, CP_PRIOR_TWOPOINT);
    fmpq_set_si(m->sigma, 1, 3);
    /* two-point = average of the two point values */
    assert_int_equal(cp_ca_excess_finite_at_s(v1, 1, 1, 17, p, m->sigma, m->m_lo, err), 0);
    assert_int_equal(cp_ca_excess_finite_at_s(v2, 1, 1, 17, p, m->sigma, m->m_hi, err), 0);
    fmpq_add(avg, v1, v2);
    fmpq_div_2exp(avg, avg, 1);
    assert_int_equal(cp_ca_excess_finite_poly(got, m, 17, p, 256, err), 0);
    arb_set_fmpq(want, avg, 256);
    assert_true(arb_overlaps(got, want));
    assert_true(arb_rel_accuracy_bits(got) > 200);
    /* a point prior (m_lo = m_hi) of any kind is the value at that s */
    set_model(pt, 5, 2, 5, 2, CP_PRIOR_UNIFORM);
    fmpq_set_si(pt->sigma, 1, 3);
    assert_int_equal(cp_ca_excess_finite_poly(got, pt, 17, p, 256, err), 0);
    arb_set_fmpq(want, v2, 256);
    assert_true(arb_overlaps(got, want));
    /* uniform and Beta priors against rigorous integration over s */
    assert_int_equal(cp_ca_excess_finite_laurent(num, 1, 1, 17, p, m->sigma, err), 0);
    for (int pr = 0; pr < 2; pr++) {
        laurent_ctx ctx = { num };
        m->prior = pr == 0 ? CP_PRIOR_UNIFORM : CP_PRIOR_BETA;
        fmpq_set_si(m->beta_a, 3, 2);
        fmpq_set_si(m->beta_b, 5, 1);
        assert_int_equal(cp_ca_excess_finite_poly(got, m, 17, p, 128, err), 0);
        cp_prior_expect(want, m, laurent_f, &ctx, 128);
        if (!arb_overlaps(got, want)) {
            print_ball("exact", got);
            print_ball("integral", want);
        }
        assert_true(arb_overlaps(got, want));
        assert_true(arb_rel_accuracy_bits(got) > 100);
        assert_true(arb_rel_accuracy_bits(want) > 60);
    }
    cp_model_clear(m); cp_model_clear(pt);
    fmpq_poly_clear(p); fmpq_poly_clear(num);
    fmpq_clear(v1); fmpq_clear(v2); fmpq_clear(avg);
    arb_clear(got); arb_clear(want);
}

/* the exact lambda moments against moments of s (model.c, another formula) */
static void test_lambda_moments(void **state)
{
    (void) state;
    cp_model_t m;
    fmpq_t q;
    arb_t a, b, t, sk;
    cp_model_init(m);
    fmpq_init(q);
    arb_init(a); arb_init(b); arb_init(t); arb_init(sk);
    for (int pr = 0; pr < 3; pr++) {
        set_model(m, 1, 2, 4, 1, (cp_prior_kind) pr);
        fmpq_set_si(m->beta_a, 2, 3);
        for (ulong k = 0; k <= 7; k++) {
            /* E[(1+s)^k] = sum_j C(k, j) E[s^j] */
            arb_zero(b);
            for (ulong j = 0; j <= k; j++) {
                cp_prior_moment(sk, m, j, 256);
                arb_bin_uiui(t, k, j, 256);
                arb_addmul(b, sk, t, 256);
            }
            cp_prior_lambda_moment(q, m, k);
            arb_set_fmpq(a, q, 256);
            assert_true(arb_overlaps(a, b));
        }
        /* E[1/lambda] and E[1/lambda^2] against integration */
        cp_prior_lambda_inv_moment(a, m, 1, 128);
        cp_prior_mean_inv1ps(b, m, 128);
        assert_true(arb_overlaps(a, b));
    }
    arb_clear(a); arb_clear(b); arb_clear(t); arb_clear(sk);
    fmpq_clear(q);
    cp_model_clear(m);
}

/* --- structure: affine in sigma^2 ------------------------------------------------ */

static void test_sigma_affine(void **state)
{
    (void) state;
    fmpq_poly_t p;
    fmpq_t s, sg, e0, e1, e2, t;
    char err[CP_ERRLEN];
    fmpq_poly_init(p);
    fmpq_init(s); fmpq_init(sg); fmpq_init(e0); fmpq_init(e1); fmpq_init(e2); fmpq_init(t);
    tied_poly(p, 9, 1, 4, -1, 3);
    fmpq_set_si(s, 7, 3);
    assert_int_equal(cp_ca_excess_finite_at_s(e0, 1, 1, 23, p, sg, s, err), 0);
    fmpq_set_si(sg, 1, 1);
    assert_int_equal(cp_ca_excess_finite_at_s(e1, 1, 1, 23, p, sg, s, err), 0);
    fmpq_set_si(sg, 3, 1);
    assert_int_equal(cp_ca_excess_finite_at_s(e2, 1, 1, 23, p, sg, s, err), 0);
    /* e(sigma) = e0 + sigma^2 V: e(3) - e0 = 9 (e(1) - e0), and V > 0 */
    fmpq_sub(e2, e2, e0);
    fmpq_sub(t, e1, e0);
    assert_true(fmpq_sgn(t) > 0);
    fmpq_mul_si(t, t, 9);
    assert_true(fmpq_equal(e2, t));
    fmpq_poly_clear(p);
    fmpq_clear(s); fmpq_clear(sg); fmpq_clear(e0); fmpq_clear(e1); fmpq_clear(e2); fmpq_clear(t);
}

/* --- the eval quantities: bad keys name the key ---------------------------------- */

static int eval_q(const char *name, arb_t res, char *err, ...)
{
    const cp_quantity_def *q = cp_quantity_lookup(name);
    cp_kv kv;
    va_list ap;
    int rc;
    assert_non_null(q);
    cp_kv_init(&kv, "");
    va_start(ap, err);
    kv_set_pairs(&kv, ap);
    va_end(ap);
    rc = q->eval(res, &kv, 128, err);
    cp_kv_clear(&kv);
    return rc;
}

static void test_quantity_keys(void **state)
{
    (void) state;
    arb_t r, w;
    char err[CP_ERRLEN];
    arb_init(r);
    arb_init(w);
    struct { const char *k, *v; } bad[] = {
        { "L", "3" }, { "L", "0" }, { "T", "0" }, { "T", "151" }, { "d1", "0" }, { "d2", "-1" },
        { "sigma", "-1" }, { "alphas", "" }, { "nokey", "1" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        assert_int_equal(eval_q("ca-excess-finite", r, err, bad[i].k, bad[i].v, NULL), -1);
        if (strstr(err, bad[i].k) == NULL)
            print_error("%s=%s: error '%s' does not name the key\n", bad[i].k, bad[i].v, err);
        assert_non_null(strstr(err, bad[i].k));
    }
    /* beyond the general-d frontier, static (T > 16) and by the term limit: the error names T */
    assert_int_equal(eval_q("ca-excess-finite", r, err, "d1", "10", "d2", "10", "T", "17", NULL), -1);
    assert_non_null(strstr(err, "T"));
    assert_int_equal(eval_q("ca-excess-finite", r, err, "d1", "10", "d2", "10", "T", "7", NULL), -1);
    assert_non_null(strstr(err, "parameter T"));
    assert_non_null(strstr(err, "frontier"));
    assert_int_equal(eval_q("ca-excess-finite", r, err, "d1", "3", "L", "4", "T", "1", NULL), -1);
    assert_non_null(strstr(err, "L"));
    assert_int_equal(eval_q("ca-excess-finite", r, err, "alphas", "1/5,1/5", "T", "3", NULL), -1);
    assert_non_null(strstr(err, "T"));
    assert_int_equal(eval_q("ca-excess-finite", r, err, "alphas", "1/5,1/5", "betas", "1", NULL), -1);
    assert_non_null(strstr(err, "betas"));
    /* the point prior through eval: the check value of finite-size.md */
    assert_int_equal(eval_q("ca-excess-finite", r, err, "L", "200", "T", "30", "alpha", "4/13",
                            "m_lo", "4", "m_hi", "4", NULL), 0);
    arb_set_d(w, 370224.835);
    arb_add_error_2exp_si(w, -9);
    assert_true(arb_overlaps(r, w));
    /* untied with equal steps = tied; risk = excess + Bayes risk */
    assert_int_equal(eval_q("ca-excess-finite", r, err, "L", "9", "alphas", "1/5,1/5,1/5", NULL), 0);
    assert_int_equal(eval_q("ca-excess-finite", w, err, "L", "9", "T", "3", "alpha", "1/5", NULL), 0);
    assert_true(arb_overlaps(r, w));
    {
        cp_model_t m;
        arb_t br;
        cp_model_init(m);
        arb_init(br);
        set_model(m, 1, 2, 4, 1, CP_PRIOR_UNIFORM);
        cp_bayes_risk(br, m, 128);
        assert_int_equal(eval_q("ca-risk-finite", r, err, "L", "9", "T", "3", "alpha", "1/5", NULL), 0);
        arb_add(w, w, br, 128);
        assert_true(arb_overlaps(r, w));
        arb_clear(br);
        cp_model_clear(m);
    }
    arb_clear(r);
    arb_clear(w);
}

/* --- general d: the tridiagonal route (FE-9) ------------------------------------ */

/* d = 2: the tridiagonal route (multivariate polynomials, Horner on vectors)
 * and the fast route (walks, Laguerre pairing) are different algorithms; they
 * must give the same exact Laurent polynomial. */
static void test_tri_equals_fast(void **state)
{
    (void) state;
    uint64_t st = 99;
    fmpq_poly_t p, n1, n2;
    fmpq_t a, b, sg;
    char err[CP_ERRLEN];
    fmpq_poly_init(p); fmpq_poly_init(n1); fmpq_poly_init(n2);
    fmpq_init(a); fmpq_init(b); fmpq_init(sg);
    for (int it = 0; it < 12; it++) {
        slong L = 2 + (slong) (splitmix(&st) % 60), T = 1 + (slong) (splitmix(&st) % 6);
        fmpq_set_si(a, 1 + (slong) (splitmix(&st) % 9), 1 + splitmix(&st) % 20);
        fmpq_set_si(b, -(slong) (splitmix(&st) % 9), 1 + splitmix(&st) % 20);
        fmpq_set_si(sg, (slong) (splitmix(&st) % 3), 1 + splitmix(&st) % 3);
        cp_ca_weight_poly(p, T, a, b, NULL, NULL);
        assert_int_equal(cp_ca_excess_finite_laurent(n1, 1, 1, L, p, sg, err), 0);
        assert_int_equal(cp_ca_excess_finite_laurent_tri(n2, 2, L, p, sg, err), 0);
        if (!fmpq_poly_equal(n1, n2))
            print_error("L = %ld, T = %ld: the two routes differ\n", (long) L, (long) T);
        assert_true(fmpq_poly_equal(n1, n2));
    }
    fmpq_poly_clear(p); fmpq_poly_clear(n1); fmpq_poly_clear(n2);
    fmpq_clear(a); fmpq_clear(b); fmpq_clear(sg);
}

#define MC_DMAX 6

/* direct Monte Carlo at any d <= MC_DMAX, tied steps (alpha, beta) */
static void mc_excess_d(double *mean, double *se, int d, slong L, slong T, double al, double be,
                        double sigma, double s, long prompts, uint64_t *st)
{
    double sum = 0, sum2 = 0;
    for (long n = 0; n < prompts; n++) {
        double m[MC_DMAX], S[MC_DMAX][MC_DMAX] = { { 0 } }, c[MC_DMAX] = { 0 }, v[MC_DMAX] = { 0 };
        double nm = 0;
        for (int i = 0; i < d; i++) {
            m[i] = gauss(st);
            nm += m[i] * m[i];
        }
        for (int i = 0; i < d; i++)
            m[i] *= sqrt(s / nm);                 /* uniform direction, |m|^2 = s */
        double zeta = gauss(st);
        for (slong k = 0; k < L; k++) {
            double x[MC_DMAX], u = gauss(st);
            double y = zeta * u + sigma * gauss(st);
            for (int i = 0; i < d; i++)
                x[i] = u * m[i] + gauss(st);
            for (int i = 0; i < d; i++) {
                c[i] += y * x[i] / (double) L;
                for (int j = 0; j < d; j++)
                    S[i][j] += x[i] * x[j] / (double) L;
            }
        }
        for (slong t = 0; t < T; t++) {
            double nv[MC_DMAX];
            for (int i = 0; i < d; i++) {
                double sv = 0;
                for (int j = 0; j < d; j++)
                    sv += S[i][j] * v[j];
                nv[i] = v[i] + be * sv + al * c[i];
            }
            for (int i = 0; i < d; i++)
                v[i] = nv[i];
        }
        double dd = 0, md = 0;
        for (int i = 0; i < d; i++) {
            double di = v[i] - zeta * m[i] / (1 + s);
            dd += di * di;
            md += m[i] * di;
        }
        double e = dd + md * md;
        sum += e;
        sum2 += e * e;
    }
    *mean = sum / (double) prompts;
    *se = sqrt((sum2 / (double) prompts - *mean * *mean) / (double) (prompts - 1));
}

static void test_general_d(void **state)
{
    (void) state;
    struct { int d; slong L, T; slong an; ulong ad; slong bn; ulong bd; slong gn; ulong gd; slong sn; ulong sd; } cs[] = {
        { 4, 20, 5, 3, 20, -3, 20, 0, 1, 2, 1 },   /* finite-size.md: 0.0445849522... */
        { 3, 12, 3, 1, 5, -1, 10, 1, 2, 3, 2 },
        { 5, 15, 2, 1, 4, -1, 4, 1, 1, 1, 1 },
    };
    uint64_t st;
    init_seed();
    st = g_seed ^ 0x5bd1e995ULL;
    for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
        fmpq_poly_t p, num;
        fmpq_t a, b, sg, lam, v;
        char err[CP_ERRLEN];
        double mean, se;
        fmpq_poly_init(p); fmpq_poly_init(num);
        fmpq_init(a); fmpq_init(b); fmpq_init(sg); fmpq_init(lam); fmpq_init(v);
        fmpq_set_si(a, cs[k].an, cs[k].ad);
        fmpq_set_si(b, cs[k].bn, cs[k].bd);
        fmpq_set_si(sg, cs[k].gn, cs[k].gd);
        cp_ca_weight_poly(p, cs[k].T, a, b, NULL, NULL);
        assert_int_equal(cp_ca_excess_finite_laurent(num, 1, cs[k].d - 1, cs[k].L, p, sg, err), 0);
        fmpq_set_si(lam, cs[k].sn + (slong) cs[k].sd, cs[k].sd);   /* 1 + s */
        fmpq_poly_evaluate_fmpq(v, num, lam);
        fmpq_div(v, v, lam);
        fmpq_div(v, v, lam);
        double ex = fmpq_get_d(v);
        mc_excess_d(&mean, &se, cs[k].d, cs[k].L, cs[k].T, (double) cs[k].an / cs[k].ad,
                    (double) cs[k].bn / cs[k].bd, (double) cs[k].gn / cs[k].gd,
                    (double) cs[k].sn / cs[k].sd, 100000, &st);
        printf("  d = %d, L = %ld, T = %ld: exact %.10f, MC %.6f +- %.6f (%.2f se)\n", cs[k].d,
               (long) cs[k].L, (long) cs[k].T, ex, mean, se, (mean - ex) / se);
        assert_true(fabs(mean - ex) < 5 * se);
        assert_true(se < 0.02 * ex);
        if (k == 0)
            assert_true(fabs(ex - 0.0445849522) < 1e-10);   /* the value quoted in finite-size.md */
        fmpq_poly_clear(p); fmpq_poly_clear(num);
        fmpq_clear(a); fmpq_clear(b); fmpq_clear(sg); fmpq_clear(lam); fmpq_clear(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_T1_isserlis),
        cmocka_unit_test(test_monte_carlo),
        cmocka_unit_test(test_quadrature_check_values),
        cmocka_unit_test(test_large_L_limit),
        cmocka_unit_test(test_priors),
        cmocka_unit_test(test_lambda_moments),
        cmocka_unit_test(test_sigma_affine),
        cmocka_unit_test(test_quantity_keys),
        cmocka_unit_test(test_tri_equals_fast),
        cmocka_unit_test(test_general_d),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
