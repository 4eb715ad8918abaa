/* engine_pop.c -- prior quadrature and L = infinity optima in double
 * precision (engine.h).  Approximate; the certified twins live in lsa.c
 * and the gradient-flow module. */
#include <math.h>
#include "crossproof/engine.h"

#define GL_N 96

/* Gauss-Legendre nodes and weights on [-1, 1] by Newton on P_n. */
static void gauss_legendre(double *x, double *w, int n)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5)), pp = 0.0;
        for (int it = 0; it < 100; it++) {
            double p1 = 1.0, p2 = 0.0;
            for (int j = 1; j <= n; j++) {
                double p3 = p2;
                p2 = p1;
                p1 = ((2.0 * j - 1.0) * z * p2 - (j - 1.0) * p3) / j;
            }
            pp = n * (z * p1 - p2) / (z * z - 1.0);
            double z1 = z;
            z = z1 - p1 / pp;
            if (fabs(z - z1) < 1e-15)
                break;
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = w[n - 1 - i] = 2.0 / ((1.0 - z * z) * pp * pp);
    }
}

double cp_prior_expect_approx(const cp_model_approx *m, double (*f)(double, void *), void *arg)
{
    if (m->prior == CP_PRIOR_TWOPOINT || m->m_hi == m->m_lo)
        return 0.5 * (f(m->m_lo, arg) + f(m->m_hi, arg));
    double x[GL_N], w[GL_N];
    gauss_legendre(x, w, GL_N);
    double acc = 0.0, norm = 0.0;
    for (int i = 0; i < GL_N; i++) {
        double b = 0.5 * (x[i] + 1.0);       /* in (0, 1) */
        double dens = 1.0;
        if (m->prior == CP_PRIOR_BETA)
            dens = pow(b, m->beta_a - 1.0) * pow(1.0 - b, m->beta_b - 1.0);
        acc += w[i] * dens * f(m->m_lo + (m->m_hi - m->m_lo) * b, arg);
        norm += w[i] * dens;
    }
    return acc / norm;
}

typedef struct { double alpha, beta; long T; } ca_arg;

/* s/(1+s) (1 - phi(1+s))^2, phi(lambda) = alpha lambda sum_{t<T} (1 + beta lambda)^t */
static double ca_integrand(double s, void *p)
{
    const ca_arg *a = p;
    double lam = 1.0 + s, q = 1.0 + a->beta * lam, acc = 0.0, pw = 1.0;
    for (long t = 0; t < a->T; t++) {
        acc += pw;
        pw *= q;
    }
    double r = 1.0 - a->alpha * lam * acc;
    return s / (1.0 + s) * r * r;
}

double cp_engine_ca_pop_excess(const cp_model_approx *m, double alpha, double beta, long T)
{
    ca_arg a = { alpha, beta, T };
    return cp_prior_expect_approx(m, ca_integrand, &a);
}

static double golden(double (*f)(double, void *), void *arg, double lo, double hi)
{
    const double g = 0.6180339887498949;
    double a = lo, b = hi, c = b - g * (b - a), d = a + g * (b - a);
    double fc = f(c, arg), fd = f(d, arg);
    for (int it = 0; it < 200 && b - a > 1e-13 * (1.0 + fabs(a)); it++) {
        if (fc < fd) {
            b = d; d = c; fd = fc; c = b - g * (b - a); fc = f(c, arg);
        } else {
            a = c; c = d; fc = fd; d = a + g * (b - a); fd = f(d, arg);
        }
    }
    return 0.5 * (a + b);
}

typedef struct { const cp_model_approx *m; long T; } opt_arg;

static double one_param(double alpha, void *p)
{
    const opt_arg *o = p;
    return cp_engine_ca_pop_excess(o->m, alpha, -alpha, o->T);
}

double cp_engine_alpha_T(const cp_model_approx *m, long T)
{
    opt_arg o = { m, T };
    /* convex in alpha (an even power of an affine function, averaged) */
    return golden(one_param, &o, 0.0, 2.0 / (1.0 + m->m_lo));
}

/* Two parameters: for fixed beta the excess is quadratic in r = -alpha/beta,
 * E[w (1 - r a)^2] with w = s/(1+s), a = 1 - (1 + beta lambda)^T, so
 * r(beta) = E[w a]/E[w a^2]; golden section over beta on the profile. */
typedef struct { double beta; long T; int which; } prof_arg;

static double prof_integrand(double s, void *p)
{
    const prof_arg *a = p;
    double lam = 1.0 + s, ww = s / (1.0 + s);
    double aa = 1.0 - pow(1.0 + a->beta * lam, (double) a->T);
    return a->which == 1 ? ww * aa : ww * aa * aa;
}

static double profile_r(const cp_model_approx *m, double beta, long T)
{
    prof_arg a1 = { beta, T, 1 }, a2 = { beta, T, 2 };
    return cp_prior_expect_approx(m, prof_integrand, &a1) / cp_prior_expect_approx(m, prof_integrand, &a2);
}

static double two_param(double beta, void *p)
{
    const opt_arg *o = p;
    double r = profile_r(o->m, beta, o->T);
    return cp_engine_ca_pop_excess(o->m, -r * beta, beta, o->T);
}

void cp_engine_alpha_beta_T(double *alpha, double *beta, const cp_model_approx *m, long T)
{
    opt_arg o = { m, T };
    double b = golden(two_param, &o, -2.0 / (1.0 + m->m_hi), -1e-9);
    *beta = b;
    *alpha = -profile_r(m, b, T) * b;
}

double cp_engine_bayes_risk(const cp_model_t m)
{
    arb_t r;
    arb_init(r);
    cp_prior_mean_inv1ps(r, m, 128);
    double v = arf_get_d(arb_midref(r), ARF_RND_NEAR);
    double sg = fmpq_get_d(m->sigma);
    arb_clear(r);
    return v + sg * sg;
}
