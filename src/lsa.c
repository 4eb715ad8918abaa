/* lsa.c -- Bayes, LSA and CA population quantities (lsa.h).
 * Every formula cites its derivation in docs/model.md. */
#include <math.h>
#include "crossproof/lsa.h"

void cp_alpha_star(fmpq_t res, const cp_model_t m)
{
    /* alpha* = 2 / (2 + m_lo + m_hi)   (docs/model.md, (CA-3)) */
    fmpq_add(res, m->m_lo, m->m_hi);
    fmpq_add_si(res, res, 2);
    fmpq_inv(res, res);
    fmpq_mul_2exp(res, res, 1);
}

void cp_rho_star(fmpq_t res, const cp_model_t m)
{
    /* rho* = (m_hi - m_lo) / (2 + m_lo + m_hi) */
    fmpq_t t;
    fmpq_init(t);
    fmpq_add(t, m->m_lo, m->m_hi);
    fmpq_add_si(t, t, 2);
    fmpq_sub(res, m->m_hi, m->m_lo);
    fmpq_div(res, res, t);
    fmpq_clear(t);
}

void cp_bayes_risk(arb_t res, const cp_model_t m, slong prec)
{
    /* E[zeta^2/(1+s)] + sigma^2 with E zeta^2 = 1   (docs/model.md, (B-2)) */
    fmpq_t s2;
    arb_t t;
    fmpq_init(s2);
    arb_init(t);
    fmpq_mul(s2, m->sigma, m->sigma);
    arb_set_fmpq(t, s2, prec);
    cp_prior_mean_inv1ps(res, m, prec);
    arb_add(res, res, t, prec);
    fmpq_clear(s2);
    arb_clear(t);
}

/* --- double twins: composite Gauss-Legendre, no error control ---------- */

typedef double (*sfun_d)(double s, const void *param);

static double prior_expect_approx(const cp_model_approx *m, sfun_d f, const void *param)
{
    static const double x5[5] = { -0.9061798459386640, -0.5384693101056831, 0.0,
                                  0.5384693101056831, 0.9061798459386640 };
    static const double w5[5] = { 0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                                  0.4786286704993665, 0.2369268850561891 };
    if (m->prior == CP_PRIOR_TWOPOINT)
        return 0.5 * (f(m->m_lo, param) + f(m->m_hi, param));
    if (m->m_hi == m->m_lo)
        return f(m->m_lo, param);
    const int panels = 400;
    double h = 1.0 / panels, acc = 0.0, norm = 0.0;
    for (int i = 0; i < panels; i++)
        for (int j = 0; j < 5; j++) {
            double x = h * (i + 0.5 + 0.5 * x5[j]);
            double wgt = 0.5 * h * w5[j];
            if (m->prior == CP_PRIOR_BETA)
                wgt *= pow(x, m->beta_a - 1) * pow(1 - x, m->beta_b - 1);
            acc += wgt * f(m->m_lo + (m->m_hi - m->m_lo) * x, param);
            norm += wgt;
        }
    return acc / norm;
}

/* The same quadrature for other modules' double twins (general.c). */
double cp_lsa_prior_expect_approx(const cp_model_approx *m, double (*f)(double s, const void *param),
                                  const void *param)
{
    return prior_expect_approx(m, f, param);
}

static double inv1ps_d(double s, const void *p) { (void) p; return 1.0 / (1.0 + s); }

cp_approx cp_bayes_risk_approx(const cp_model_approx *m)
{
    cp_approx r = { prior_expect_approx(m, inv1ps_d, NULL) + m->sigma * m->sigma };
    return r;
}

/* --- gamma-form LSA ---------------------------------------------------- */

void cp_lsa_gamma_task_excess(arb_t res, const arb_t s, const arb_t gamma, slong prec)
{
    /* s/(1+s) (1 - gamma (1+s))^2   (docs/model.md, (LSA-1)) */
    arb_t lam, t;
    arb_init(lam);
    arb_init(t);
    arb_add_ui(lam, s, 1, prec);
    arb_mul(t, gamma, lam, prec);
    arb_sub_ui(t, t, 1, prec);
    arb_sqr(t, t, prec);
    arb_mul(t, t, s, prec);
    arb_div(res, t, lam, prec);
    arb_clear(lam);
    arb_clear(t);
}

/* E[s(1+s)], E[s], E[s/(1+s)] */
static void gamma_moments(arb_t a2, arb_t a1, arb_t a0, const cp_model_t m, slong prec)
{
    arb_t t;
    arb_init(t);
    cp_prior_moment(a1, m, 1, prec);
    cp_prior_moment(t, m, 2, prec);
    arb_add(a2, a1, t, prec);
    cp_prior_mean_s_over_1ps(a0, m, prec);
    arb_clear(t);
}

void cp_lsa_gamma_quadratic(arb_t res, const arb_t a2, const arb_t a1, const arb_t a0,
                            const arb_t gamma, slong prec)
{
    /* a2 g^2 - 2 g a1 + a0 */
    arb_t t;
    arb_init(t);
    arb_sqr(t, gamma, prec);
    arb_mul(res, a2, t, prec);
    arb_mul(t, a1, gamma, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_sub(res, res, t, prec);
    arb_add(res, res, a0, prec);
    arb_clear(t);
}

void cp_lsa_gamma_excess_avg(arb_t res, const cp_model_t m, const arb_t gamma, slong prec)
{
    /* E[s(1+s)] g^2 - 2 g E[s] + E[s/(1+s)]   (docs/model.md, (LSA-2)) */
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gamma_moments(a2, a1, a0, m, prec);
    cp_lsa_gamma_quadratic(res, a2, a1, a0, gamma, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

static double gamma_excess_d(double s, const void *p)
{
    double g = *(const double *) p, e = 1.0 - g * (1.0 + s);
    return s / (1.0 + s) * e * e;
}

cp_approx cp_lsa_gamma_excess_avg_approx(const cp_model_approx *m, double gamma)
{
    cp_approx r = { prior_expect_approx(m, gamma_excess_d, &gamma) };
    return r;
}

void cp_lsa_gamma_avg(arb_t res, const cp_model_t m, slong prec)
{
    /* argmin of a quadratic: E[s] / E[s(1+s)] */
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gamma_moments(a2, a1, a0, m, prec);
    arb_div(res, a1, a2, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

void cp_lsa_excess_avg(arb_t res, const cp_model_t m, slong prec)
{
    /* E[s/(1+s)] - E[s]^2 / E[s(1+s)] */
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gamma_moments(a2, a1, a0, m, prec);
    arb_sqr(a1, a1, prec);
    arb_div(a1, a1, a2, prec);
    arb_sub(res, a0, a1, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

/* g(lambda) = (1 - 1/lambda)(gamma lambda - 1)^2 on lambda = 1 + s. */
static void g_of_lambda(arb_t res, const arb_t lam, const arb_t gamma, slong prec)
{
    arb_t s;
    arb_init(s);
    arb_sub_ui(s, lam, 1, prec);
    cp_lsa_gamma_task_excess(res, s, gamma, prec);
    arb_clear(s);
}

void cp_lsa_gamma_worst(arb_t res, const cp_model_t m, const arb_t gamma, slong prec)
{
    /* max over the support of g; on an interval the only interior critical
     * point that can be a maximum is lambda_c = (g + sqrt(g^2 + 8g)) / (4g)
     * (docs/model.md, (LSA-3)). */
    arb_t a, b, ga, gb, lc, gc, t, hull;
    fmpq_t q;
    arb_init(a); arb_init(b); arb_init(ga); arb_init(gb);
    arb_init(lc); arb_init(gc); arb_init(t); arb_init(hull);
    fmpq_init(q);
    fmpq_add_si(q, m->m_lo, 1);
    arb_set_fmpq(a, q, prec);
    fmpq_add_si(q, m->m_hi, 1);
    arb_set_fmpq(b, q, prec);
    g_of_lambda(ga, a, gamma, prec);
    g_of_lambda(gb, b, gamma, prec);
    arb_max(res, ga, gb, prec);
    if (m->prior != CP_PRIOR_TWOPOINT && arb_is_positive(gamma)) {
        arb_sqr(t, gamma, prec);
        arb_addmul_ui(t, gamma, 8, prec);
        arb_sqrt(t, t, prec);
        arb_add(lc, gamma, t, prec);
        arb_div(lc, lc, gamma, prec);
        arb_mul_2exp_si(lc, lc, -2);
        if (arb_gt(lc, a) && arb_lt(lc, b)) {
            g_of_lambda(gc, lc, gamma, prec);
            arb_max(res, res, gc, prec);
        } else if (!(arb_le(lc, a) || arb_ge(lc, b))) {
            /* undecided membership: enclose both cases */
            g_of_lambda(gc, lc, gamma, prec);
            arb_max(t, res, gc, prec);
            arb_union(res, res, t, prec);
        }
    } else if (m->prior != CP_PRIOR_TWOPOINT) {
        /* gamma <= 0 or undecided sign: g is then decreasing-then-... use a
         * crude but valid bound: enclose g over the whole interval. */
        arb_union(hull, a, b, prec);
        g_of_lambda(gc, hull, gamma, prec);
        arb_union(res, res, gc, prec);
        arb_max(res, res, gc, prec);
    }
    arb_clear(a); arb_clear(b); arb_clear(ga); arb_clear(gb);
    arb_clear(lc); arb_clear(gc); arb_clear(t); arb_clear(hull);
    fmpq_clear(q);
}

int cp_convex_argmin_bracket(arf_t lo, arf_t hi, cp_ball_fn F, const void *param, slong prec)
{
    /* F(x1) < F(x2) proves argmin <= x2; F(x1) > F(x2) proves argmin >= x1
     * (F convex); each step keeps the argmin in [lo, hi] */
    arf_t w;
    arb_t x1, x2, f1, f2;
    int ok = 1;
    arf_init(w);
    arb_init(x1); arb_init(x2); arb_init(f1); arb_init(f2);
    for (slong iter = 0; iter < 6 * prec; iter++) {
        arf_sub(w, hi, lo, prec, ARF_RND_UP);
        if (arf_cmpabs_2exp_si(w, -prec + 4) < 0)
            break;
        arf_div_ui(w, w, 3, prec, ARF_RND_DOWN);
        arf_add(arb_midref(x1), lo, w, prec, ARF_RND_DOWN);
        mag_zero(arb_radref(x1));
        arf_sub(arb_midref(x2), hi, w, prec, ARF_RND_UP);
        mag_zero(arb_radref(x2));
        F(f1, x1, param, prec);
        F(f2, x2, param, prec);
        if (arb_lt(f1, f2))
            arf_set(hi, arb_midref(x2));
        else if (arb_gt(f1, f2))
            arf_set(lo, arb_midref(x1));
        else {
            ok = 0;  /* cannot separate at this precision: bracket stays valid */
            break;
        }
    }
    arf_clear(w);
    arb_clear(x1); arb_clear(x2); arb_clear(f1); arb_clear(f2);
    return ok;
}

static void gamma_worst_fn(arb_t res, const arb_t gamma, const void *param, slong prec)
{
    const cp_model_struct *m = param;
    cp_lsa_gamma_worst(res, m, gamma, prec);
}

int cp_lsa_gamma_minimax(arb_t gamma, arb_t value, const cp_model_t m, slong prec)
{
    /* F is a maximum of convex quadratics in gamma, hence convex, and it is
     * decreasing left of 1/(1+m_hi) and increasing right of 1/(1+m_lo).
     * Ternary search: F(m1) < F(m2) proves argmin <= m2; F(m1) > F(m2)
     * proves argmin >= m1 (docs/model.md, (LSA-3)). */
    arf_t lo, hi;
    arb_t t;
    fmpq_t q;
    int ok;
    if (fmpq_equal(m->m_lo, m->m_hi)) {
        /* one support point: F = g(1 + m_lo) vanishes at gamma = 1/(1 + m_lo),
         * exactly (docs/model.md (LSA-3)) */
        fmpq_init(q);
        fmpq_add_si(q, m->m_lo, 1);
        fmpq_inv(q, q);
        arb_set_fmpq(gamma, q, prec);
        arb_zero(value);
        fmpq_clear(q);
        return 1;
    }
    arf_init(lo); arf_init(hi);
    arb_init(t);
    fmpq_init(q);

    fmpq_add_si(q, m->m_hi, 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_lbound_arf(lo, t, prec);
    fmpq_add_si(q, m->m_lo, 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_ubound_arf(hi, t, prec);

    ok = cp_convex_argmin_bracket(lo, hi, gamma_worst_fn, m, prec);
    arb_set_interval_arf(gamma, lo, hi, prec);
    cp_lsa_gamma_worst(value, m, gamma, prec);

    arf_clear(lo); arf_clear(hi);
    arb_clear(t);
    fmpq_clear(q);
    return ok;
}

/* --- the two-task bound for every LSA ---------------------------------- */

void cp_lsa_pair_bound(arb_t res, arb_t eta, const arb_t s1, const arb_t s2, slong prec)
{
    /* (docs/model.md, Lemma LSA-GAP)
     * c = [p r (s2 - s1) / (p (1+s1) + r (1+s2))]^2, p = sqrt(s1/(1+s1)),
     * r = sqrt(s2/(1+s2)); eta* = (p + r) / (p (1+s1) + r (1+s2)). */
    arb_t p, r, l1, l2, den, t;
    arb_init(p); arb_init(r); arb_init(l1); arb_init(l2); arb_init(den); arb_init(t);
    arb_add_ui(l1, s1, 1, prec);
    arb_add_ui(l2, s2, 1, prec);
    arb_div(p, s1, l1, prec);
    arb_sqrt(p, p, prec);
    arb_div(r, s2, l2, prec);
    arb_sqrt(r, r, prec);
    arb_mul(den, p, l1, prec);
    arb_addmul(den, r, l2, prec);
    if (eta != NULL) {
        arb_add(t, p, r, prec);
        arb_div(eta, t, den, prec);
    }
    arb_sub(t, s2, s1, prec);
    arb_mul(t, t, p, prec);
    arb_mul(t, t, r, prec);
    arb_div(t, t, den, prec);
    arb_sqr(res, t, prec);
    arb_clear(p); arb_clear(r); arb_clear(l1); arb_clear(l2); arb_clear(den); arb_clear(t);
}

void cp_lsa_gap(arb_t res, const cp_model_t m, slong prec)
{
    arb_t s1, s2;
    arb_init(s1);
    arb_init(s2);
    arb_set_fmpq(s1, m->m_lo, prec);
    arb_set_fmpq(s2, m->m_hi, prec);
    if (fmpq_equal(m->m_lo, m->m_hi) || fmpq_is_zero(m->m_lo))
        arb_zero(res);   /* exact: the factor (s2 - s1) or p vanishes */
    else
        cp_lsa_pair_bound(res, NULL, s1, s2, prec);
    arb_clear(s1);
    arb_clear(s2);
}

cp_approx cp_lsa_gap_approx(double m_lo, double m_hi)
{
    double p = sqrt(m_lo / (1 + m_lo)), r = sqrt(m_hi / (1 + m_hi));
    double c = p * r * (m_hi - m_lo) / (p * (1 + m_lo) + r * (1 + m_hi));
    cp_approx a = { c * c };
    return a;
}

/* --- general single-layer LSA at one task ------------------------------ */

void cp_lsa_general_task_excess(arb_t res, const arb_mat_t A, const arb_struct *b,
                                const arb_struct *p, const arb_t q,
                                const arb_struct *e, const arb_t s, const arb_t zeta,
                                const arb_t sigma2, slong prec)
{
    /* (docs/model.md, (LSA-4)):  Lambda = I + s e e^T,  c = zeta sqrt(s) e,
     * E y^2 = zeta^2 + sigma^2,  v = A^T (Lambda p + q c) + b (p^T c + q E y^2),
     * w = c / (1 + s),  excess = |v - w|^2 + s (e^T (v - w))^2. */
    slong d = arb_mat_nrows(A);
    arb_ptr h = _arb_vec_init(d), v = _arb_vec_init(d);
    arb_t rs, ep, pc, ey2, coef, t;
    arb_init(rs); arb_init(ep); arb_init(pc); arb_init(ey2); arb_init(coef); arb_init(t);

    arb_sqrt(rs, s, prec);
    arb_dot(ep, NULL, 0, e, 1, p, 1, d, prec);          /* e^T p */
    arb_mul(coef, zeta, rs, prec);                       /* zeta sqrt(s) */
    /* h = Lambda p + q c = p + (s e^T p + q zeta sqrt(s)) e */
    arb_mul(t, s, ep, prec);
    arb_addmul(t, q, coef, prec);
    for (slong i = 0; i < d; i++) {
        arb_mul(h + i, t, e + i, prec);
        arb_add(h + i, h + i, p + i, prec);
    }
    /* p^T c + q E y^2 */
    arb_mul(pc, coef, ep, prec);
    arb_sqr(ey2, zeta, prec);
    arb_add(ey2, ey2, sigma2, prec);
    arb_addmul(pc, q, ey2, prec);
    /* v = A^T h + pc b - w */
    arb_add_ui(t, s, 1, prec);
    arb_div(t, coef, t, prec);                           /* zeta sqrt(s)/(1+s) */
    for (slong j = 0; j < d; j++) {
        arb_zero(v + j);
        for (slong i = 0; i < d; i++)
            arb_addmul(v + j, arb_mat_entry(A, i, j), h + i, prec);
        arb_addmul(v + j, pc, b + j, prec);
        arb_submul(v + j, t, e + j, prec);
    }
    arb_dot(res, NULL, 0, v, 1, v, 1, d, prec);
    arb_dot(t, NULL, 0, e, 1, v, 1, d, prec);
    arb_sqr(t, t, prec);
    arb_addmul(res, s, t, prec);

    _arb_vec_clear(h, d);
    _arb_vec_clear(v, d);
    arb_clear(rs); arb_clear(ep); arb_clear(pc); arb_clear(ey2); arb_clear(coef); arb_clear(t);
}

double cp_lsa_general_task_excess_approx(slong d, const double *A, const double *b,
                                         const double *p, double q, const double *e,
                                         double s, double zeta, double sigma2)
{
    /* the same formula in doubles; A is row-major d x d */
    double ep = 0, rs = sqrt(s), coef = zeta * rs;
    for (slong i = 0; i < d; i++)
        ep += e[i] * p[i];
    double tt = s * ep + q * coef, pc = coef * ep + q * (zeta * zeta + sigma2);
    double wcoef = coef / (1 + s), vv = 0, ev = 0;
    for (slong j = 0; j < d; j++) {
        double vj = 0;
        for (slong i = 0; i < d; i++)
            vj += A[i * d + j] * (p[i] + tt * e[i]);
        vj += pc * b[j] - wcoef * e[j];
        vv += vj * vj;
        ev += e[j] * vj;
    }
    return vv + s * ev * ev;
}

/* --- cross-attention at L = infinity ------------------------------------ */

typedef struct {
    const arb_struct *alpha, *beta;
    ulong T;
} ca_param;

/* s/(1+s) (1 - phi(lambda))^2 with phi = alpha lambda sum_{t<T} (1+beta lambda)^t
 * (docs/model.md, (CA-1)); meromorphic in s, pole at s = -1 only. */
static int ca_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    const ca_param *c = param;
    acb_t lam, phi, t;
    (void) order;
    acb_init(lam); acb_init(phi); acb_init(t);
    acb_add_ui(lam, s, 1, prec);
    if (arb_is_zero(c->beta)) {
        acb_mul_arb(phi, lam, c->alpha, prec);
        acb_mul_ui(phi, phi, c->T, prec);
    } else {
        /* alpha/beta ((1 + beta lambda)^T - 1) */
        acb_mul_arb(t, lam, c->beta, prec);
        acb_add_ui(t, t, 1, prec);
        acb_pow_ui(t, t, c->T, prec);
        acb_sub_ui(t, t, 1, prec);
        acb_mul_arb(t, t, c->alpha, prec);
        acb_div_arb(phi, t, c->beta, prec);
    }
    acb_sub_ui(phi, phi, 1, prec);
    acb_sqr(phi, phi, prec);
    acb_mul(phi, phi, s, prec);
    acb_div(res, phi, lam, prec);
    acb_clear(lam); acb_clear(phi); acb_clear(t);
    return 0;
}

void cp_ca_excess(arb_t res, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec)
{
    ca_param c = { alpha, beta, T };
    cp_prior_expect(res, m, ca_integrand, &c, prec);
}

typedef struct { double alpha, beta; ulong T; } ca_param_d;

static double ca_excess_d(double s, const void *param)
{
    const ca_param_d *c = param;
    double lam = 1 + s, phi;
    if (c->beta == 0)
        phi = c->alpha * lam * (double) c->T;
    else
        phi = c->alpha / c->beta * (pow(1 + c->beta * lam, (double) c->T) - 1);
    return s / lam * (1 - phi) * (1 - phi);
}

cp_approx cp_ca_excess_approx(const cp_model_approx *m, double alpha, double beta, ulong T)
{
    ca_param_d c = { alpha, beta, T };
    cp_approx r = { prior_expect_approx(m, ca_excess_d, &c) };
    return r;
}
