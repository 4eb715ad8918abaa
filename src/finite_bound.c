/* finite_bound.c -- the certified lower bound on the finite-(L, T) excess of
 * the tied CA and the phase boundary kappa* (finite.h, bound section).
 * Derivations: docs/model.md, section 9, (FB-1)..(FB-10).  Everything is
 * computed from exact rationals; no double enters. */
#include "crossproof/finite.h"
#include <math.h>
#include "crossproof/lsa.h"

slong cp_fb_max_T(const cp_model_t m)
{
    if (m->prior == CP_PRIOR_BETA)
        return CP_FB_MAX_T_BETA;
    return m->d1 + m->d2 >= 2 ? CP_FB_MAX_T_D : CP_FB_MAX_T;
}

int cp_fb_even_constant(ulong T)
{
    return T == 1 || T % 2 == 0;   /* (FB-3): Jensen on (1 - alpha x)^T needs T even, T = 1 is linear */
}

/* (FB-4): c_k = C(2T, k) (-alpha/L)^k E[chi2_L^k], E chi2_L^k = prod_{i<k} (L + 2i). */
void cp_fb_chi_poly(fmpq *c, const fmpq_t alpha, ulong L, ulong T)
{
    fmpq_t f;
    fmpz_t lz;
    fmpq_init(f);
    fmpz_init_set_ui(lz, L);
    fmpq_div_fmpz(f, alpha, lz);   /* alpha / L */
    fmpz_clear(lz);
    fmpq_neg(f, f);
    fmpq_one(c + 0);
    for (ulong k = 1; k <= 2 * T; k++) {
        fmpq_mul(c + k, c + k - 1, f);
        fmpz_mul_ui(fmpq_numref(c + k), fmpq_numref(c + k), (2 * T - k + 1));
        fmpz_mul_ui(fmpq_numref(c + k), fmpq_numref(c + k), L + 2 * (k - 1));
        fmpz_mul_ui(fmpq_denref(c + k), fmpq_denref(c + k), k);
        fmpq_canonicalise(c + k);
    }
    fmpq_clear(f);
}

/* The constant's three forms (FB-3b): odd T >= 3 and the all-T form
 * s/(1+s)^2 E[Q^T]; even T: s/(1+s) E[Q^T]; T = 1:
 * s/(1+s)^2 (E[Q] + s E[(1 - alpha mu)^2]). */
enum { FB_ODD = 0, FB_EVEN = 1, FB_T1 = 2 };

static int fb_mode(ulong T, int even_form)
{
    if (!even_form)
        return FB_ODD;
    return T == 1 ? FB_T1 : (T % 2 == 0 ? FB_EVEN : FB_ODD);
}

/* (FB-4b): A_n, n = 0..2T, with E[Q^T | lambda] = sum_n A_n lambda^n,
 * Q = (1 - alpha mu)^2 + alpha^2 mu Y/L, mu = lambda chi2_L/L, Y ~ chi2_(d-1):
 *   A_n = (E chi2_L^n / L^n) sum_{j+k=n} C(T,j) (alpha^2/L)^j E[Y^j] C(2T-2j,k) (-alpha)^k.
 * For d = 1 (Y = 0) only j = 0 survives and A = cp_fb_chi_poly. */
static void q_poly_fmpq(fmpq *A, const fmpq_t alpha, ulong L, ulong T, slong d)
{
    slong n = 2 * (slong) T + 1;
    fmpq_t tj, t, a2;
    fmpq_init(tj); fmpq_init(t); fmpq_init(a2);
    for (slong i = 0; i < n; i++)
        fmpq_zero(A + i);
    fmpq_mul(a2, alpha, alpha);
    fmpq_div_fmpz(a2, a2, (fmpz[]){ (slong) L });
    fmpq_one(tj);                                   /* C(T,j) (alpha^2/L)^j E[Y^j] */
    for (slong j = 0; j <= (slong) T; j++) {
        if (j > 0) {
            fmpq_mul(tj, tj, a2);
            fmpq_mul_si(tj, tj, (slong) T - j + 1);
            fmpq_div_fmpz(tj, tj, (fmpz[]){ j });
            fmpq_mul_si(tj, tj, d - 1 + 2 * (j - 1));
        }
        if (fmpq_is_zero(tj))
            break;
        fmpq_set(t, tj);
        for (slong k = 0; k <= 2 * ((slong) T - j); k++) {
            if (k > 0) {
                fmpq_mul(t, t, alpha);
                fmpq_neg(t, t);
                fmpq_mul_si(t, t, 2 * ((slong) T - j) - k + 1);
                fmpq_div_fmpz(t, t, (fmpz[]){ k });
            }
            fmpq_add(A + j + k, A + j + k, t);
        }
    }
    fmpq_one(t);                                    /* E chi2_L^n / L^n */
    for (slong i = 0; i < n; i++) {
        if (i > 0) {
            fmpq_mul_si(t, t, (slong) L + 2 * (i - 1));
            fmpq_div_fmpz(t, t, (fmpz[]){ (slong) L });
        }
        fmpq_mul(A + i, A + i, t);
    }
    fmpq_clear(tj); fmpq_clear(t); fmpq_clear(a2);
}

static void horner_fmpq(fmpq_t res, const fmpq *c, slong n, const fmpq_t x)
{
    fmpq_zero(res);
    for (slong k = n - 1; k >= 0; k--) {
        fmpq_mul(res, res, x);
        fmpq_add(res, res, c + k);
    }
}

void cp_fb_lower_at_s(fmpq_t res, const fmpq_t s, const fmpq_t alpha, ulong L, ulong T, slong d)
{
    slong n = 2 * (slong) T + 1;
    int mode = fb_mode(T, 1);
    fmpq *A = _fmpq_vec_init(n);
    fmpq_t lam, a, c;
    fmpq_init(lam); fmpq_init(a); fmpq_init(c);
    q_poly_fmpq(A, alpha, L, T, d);
    fmpq_add_si(lam, s, 1);
    horner_fmpq(a, A, n, lam);                      /* E[Q^T | s] */
    fmpq_div(c, s, lam);                            /* s/(1+s) */
    if (mode == FB_EVEN) {
        fmpq_mul(res, c, a);
    } else {
        fmpq_div(c, c, lam);                        /* s/(1+s)^2 */
        if (mode == FB_T1) {
            fmpq *B = _fmpq_vec_init(3);
            fmpq_t b;
            fmpq_init(b);
            cp_fb_chi_poly(B, alpha, L, 1);
            horner_fmpq(b, B, 3, lam);
            fmpq_mul(b, b, s);
            fmpq_add(a, a, b);
            fmpq_clear(b);
            _fmpq_vec_clear(B, 3);
        }
        fmpq_mul(res, c, a);
    }
    _fmpq_vec_clear(A, n);
    fmpq_clear(lam); fmpq_clear(a); fmpq_clear(c);
}

static int inv2_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    (void) param;
    (void) order;        /* meromorphic; the pole s = -1 lies outside [m_lo, m_hi] */
    acb_add_ui(res, s, 1, prec);
    acb_mul(res, res, res, prec);
    acb_inv(res, res, prec);
    return 0;
}

/* E[1/lambda^2]: rational except for the Beta prior (rigorous integration, (M-3)). */
static void lambda_inv2(arb_t res, const cp_model_t m, slong prec)
{
    fmpq_t a, b, q;
    fmpq_init(a); fmpq_init(b); fmpq_init(q);
    fmpq_add_si(a, m->m_lo, 1);
    fmpq_add_si(b, m->m_hi, 1);
    if (fmpq_equal(a, b)) {
        fmpq_mul(q, a, a);
        fmpq_inv(q, q);
        arb_set_fmpq(res, q, prec);
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        fmpq_t u;
        fmpq_init(u);
        fmpq_mul(q, a, a);
        fmpq_inv(q, q);
        fmpq_mul(u, b, b);
        fmpq_inv(u, u);
        fmpq_add(q, q, u);
        fmpq_div_2exp(q, q, 1);
        arb_set_fmpq(res, q, prec);
        fmpq_clear(u);
    } else if (m->prior == CP_PRIOR_UNIFORM) {
        /* (1/a - 1/b)/(b - a) = 1/(a b) */
        fmpq_mul(q, a, b);
        fmpq_inv(q, q);
        arb_set_fmpq(res, q, prec);
    } else {
        cp_prior_expect(res, m, inv2_integrand, NULL, prec);
    }
    fmpq_clear(a); fmpq_clear(b); fmpq_clear(q);
}

void cp_fb_lower(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T, slong prec)
{
    cp_fb_lower_form(res, m, alpha, L, T, cp_fb_even_constant(T), prec);
}

/* E[lambda^j], j = 0..n-1, in ball arithmetic at wp (the same formulas as
 * the moments of (M-3) shifted to lambda = 1 + s; (FB-5)). */
static void lambda_moments_arb(arb_ptr mom, const cp_model_t m, slong n, slong wp)
{
    fmpq_t q;
    arb_t a, b, w, t, u;
    fmpq_init(q);
    arb_init(a); arb_init(b); arb_init(w); arb_init(t); arb_init(u);
    fmpq_add_si(q, m->m_lo, 1);
    arb_set_fmpq(a, q, wp);
    fmpq_add_si(q, m->m_hi, 1);
    arb_set_fmpq(b, q, wp);
    fmpq_sub(q, m->m_hi, m->m_lo);
    arb_set_fmpq(w, q, wp);
    if (fmpq_is_zero(q)) {
        arb_one(t);
        for (slong j = 0; j < n; j++) {
            arb_set(mom + j, t);
            arb_mul(t, t, a, wp);
        }
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        arb_one(t);
        arb_one(u);
        for (slong j = 0; j < n; j++) {
            arb_add(mom + j, t, u, wp);
            arb_mul_2exp_si(mom + j, mom + j, -1);
            arb_mul(t, t, a, wp);
            arb_mul(u, u, b, wp);
        }
    } else if (m->prior == CP_PRIOR_UNIFORM) {
        arb_set(t, a);
        arb_set(u, b);
        for (slong j = 0; j < n; j++) {
            arb_sub(mom + j, u, t, wp);
            arb_div(mom + j, mom + j, w, wp);
            arb_div_ui(mom + j, mom + j, (ulong) j + 1, wp);
            arb_mul(t, t, a, wp);
            arb_mul(u, u, b, wp);
        }
    } else {
        /* lambda = a + w X, X ~ Beta(p, q): sum_i C(j,i) a^(j-i) w^i E X^i, O(n^2) */
        arb_ptr ex = _arb_vec_init(n), apow = _arb_vec_init(n), row = _arb_vec_init(n);
        arb_t pa, pq;
        arb_init(pa); arb_init(pq);
        arb_set_fmpq(pa, m->beta_a, wp);
        fmpq_add(q, m->beta_a, m->beta_b);
        arb_set_fmpq(pq, q, wp);
        arb_one(ex + 0);
        arb_one(apow + 0);
        arb_one(t);                          /* w^i E X^i accumulated into ex */
        for (slong i = 1; i < n; i++) {
            arb_add_si(u, pa, i - 1, wp);
            arb_mul(ex + i, ex + i - 1, u, wp);
            arb_add_si(u, pq, i - 1, wp);
            arb_div(ex + i, ex + i, u, wp);
            arb_mul(apow + i, apow + i - 1, a, wp);
        }
        arb_one(t);
        for (slong i = 0; i < n; i++) {      /* ex[i] := w^i E X^i */
            arb_mul(ex + i, ex + i, t, wp);
            arb_mul(t, t, w, wp);
        }
        /* row[i] = C(j, i), updated in place (Pascal) */
        for (slong j = 0; j < n; j++) {
            arb_one(row + j);
            for (slong i = j - 1; i >= 1; i--)
                arb_add(row + i, row + i, row + i - 1, wp);
            arb_zero(mom + j);
            for (slong i = 0; i <= j; i++) {
                arb_mul(u, apow + j - i, ex + i, wp);
                arb_addmul(mom + j, u, row + i, wp);
            }
        }
        _arb_vec_clear(ex, n);
        _arb_vec_clear(apow, n);
        _arb_vec_clear(row, n);
        arb_clear(pa); arb_clear(pq);
    }
    fmpq_clear(q);
    arb_clear(a); arb_clear(b); arb_clear(w); arb_clear(t); arb_clear(u);
}

/* (FB-4b) in ball arithmetic at wp: A_n as in q_poly_fmpq. */
static void q_poly_arb(arb_ptr A, const fmpq_t alpha, ulong L, ulong T, slong d, slong wp)
{
    slong n = 2 * (slong) T + 1;
    arb_t tj, t, a, a2;
    arb_init(tj); arb_init(t); arb_init(a); arb_init(a2);
    _arb_vec_zero(A, n);
    arb_set_fmpq(a, alpha, wp);
    arb_mul(a2, a, a, wp);
    arb_div_ui(a2, a2, L, wp);
    arb_neg(a, a);                                  /* -alpha */
    arb_one(tj);
    for (slong j = 0; j <= (slong) T; j++) {
        if (j > 0) {
            if (d <= 1)
                break;                              /* Y = 0: E[Y^j] = 0 for j >= 1 */
            arb_mul(tj, tj, a2, wp);
            arb_mul_ui(tj, tj, (ulong) ((slong) T - j + 1), wp);
            arb_div_ui(tj, tj, (ulong) j, wp);
            arb_mul_ui(tj, tj, (ulong) (d - 1 + 2 * (j - 1)), wp);
        }
        arb_set(t, tj);
        for (slong k = 0; k <= 2 * ((slong) T - j); k++) {
            if (k > 0) {
                arb_mul(t, t, a, wp);
                arb_mul_ui(t, t, (ulong) (2 * ((slong) T - j) - k + 1), wp);
                arb_div_ui(t, t, (ulong) k, wp);
            }
            arb_add(A + j + k, A + j + k, t, wp);
        }
    }
    arb_one(t);
    for (slong i = 0; i < n; i++) {
        if (i > 0) {
            arb_mul_ui(t, t, L + 2 * (ulong) (i - 1), wp);
            arb_div_ui(t, t, L, wp);
        }
        arb_mul(A + i, A + i, t, wp);
    }
    arb_clear(tj); arb_clear(t); arb_clear(a); arb_clear(a2);
}

/* One evaluation of (FB-5) at working precision wp: the Laurent polynomial
 * sum_{j=-2}^{2T} e_j lambda^j of the chosen form (FB-3b) with s = lambda - 1,
 * then sum_j e_j E[lambda^j].  The alternating sum loses bits, which the
 * caller recovers by raising wp. */
static void lower_at_wp(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T,
                        int mode, const arb_t inv1, const arb_t inv2, slong wp)
{
    slong n = 2 * (slong) T + 1;
    arb_ptr A = _arb_vec_init(n), e = _arb_vec_init(n + 2), mom = _arb_vec_init(n);
    q_poly_arb(A, alpha, L, T, m->d1 + m->d2, wp);
    for (slong k = 0; k < n; k++) {                 /* e[j + 2] holds e_j */
        if (mode == FB_EVEN) {                      /* (1 - 1/lambda) A */
            arb_add(e + k + 2, e + k + 2, A + k, wp);
            arb_sub(e + k + 1, e + k + 1, A + k, wp);
        } else {                                    /* (1/lambda - 1/lambda^2) A */
            arb_add(e + k + 1, e + k + 1, A + k, wp);
            arb_sub(e + k, e + k, A + k, wp);
        }
    }
    if (mode == FB_T1) {                            /* + (1 - 2/lambda + 1/lambda^2) E[(1 - alpha mu)^2] */
        fmpq *B = _fmpq_vec_init(3);
        arb_t b;
        arb_init(b);
        cp_fb_chi_poly(B, alpha, L, 1);
        for (slong k = 0; k < 3; k++) {
            arb_set_fmpq(b, B + k, wp);
            arb_add(e + k + 2, e + k + 2, b, wp);
            arb_submul_ui(e + k + 1, b, 2, wp);
            arb_add(e + k, e + k, b, wp);
        }
        arb_clear(b);
        _fmpq_vec_clear(B, 3);
    }
    lambda_moments_arb(mom, m, n, wp);
    arb_zero(res);
    for (slong j = 0; j < n; j++)                   /* powers lambda^0 .. lambda^(2T) */
        arb_addmul(res, e + j + 2, mom + j, wp);
    /* e_{-1}, e_{-2} combine A_0 = 1, A_1 and B_0, B_1: no cancellation */
    arb_addmul(res, inv1, e + 1, wp);
    arb_addmul(res, inv2, e + 0, wp);
    _arb_vec_clear(A, n);
    _arb_vec_clear(e, n + 2);
    _arb_vec_clear(mom, n);
}

void cp_fb_lower_form(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T,
                      int even_form, slong prec)
{
    /* the double below only chooses the first working precision; it never
     * enters a value.  Start with the cancellation estimate log2(E(1 + alpha lambda_hi chi2/L)^(2T)),
     * about 2T log2(1 + alpha (1 + m_hi)); double wp until prec bits are reached */
    double ah = fabs(fmpq_get_d(alpha)) * (1.0 + fmpq_get_d(m->m_hi));
    slong wp = prec + 32 + (slong) (2.0 * (double) T * log2(1.0 + ah)) / 2;
    arb_t inv1, inv2;
    arb_init(inv1);
    arb_init(inv2);
    cp_prior_mean_inv1ps(inv1, m, prec + 32);     /* E[1/lambda] (M-3) */
    int mode = fb_mode(T, even_form);
    if (mode != FB_EVEN)
        lambda_inv2(inv2, m, prec + 32);          /* E[1/lambda^2] */
    if (fmpq_is_zero(m->m_hi)) {                  /* s = 0 a.s.: c_T(0) = 0 */
        arb_zero(res);
        arb_clear(inv1);
        arb_clear(inv2);
        return;
    }
    for (int it = 0; it < 4; it++, wp *= 2) {
        lower_at_wp(res, m, alpha, L, T, mode, inv1, inv2, wp);
        if (arb_rel_accuracy_bits(res) >= prec || arb_is_zero(res))
            break;
    }
    arb_set_round(res, res, prec);
    arb_clear(inv1);
    arb_clear(inv2);
}

/* ---- large deviations of the spike (FB-6..FB-8) ------------------------- */

/* I(t) = (x - 1 - ln x)/2, x = t/lambda */
static void rate_I(arb_t res, const arb_t lambda, const arb_t t, slong prec)
{
    arb_t x, l;
    arb_init(x); arb_init(l);
    arb_div(x, t, lambda, prec);
    arb_log(l, x, prec);
    arb_sub_ui(res, x, 1, prec);
    arb_sub(res, res, l, prec);
    arb_mul_2exp_si(res, res, -1);
    arb_clear(x); arb_clear(l);
}

void cp_fb_rate_fn(arb_t res, const arb_t alpha, const arb_t lambda, const arb_t kappa,
                   const arb_t t, slong prec)
{
    arb_t u, i;
    arb_init(u); arb_init(i);
    arb_mul(u, alpha, t, prec);
    arb_sub_ui(u, u, 1, prec);
    arb_log(u, u, prec);
    arb_mul(u, u, kappa, prec);
    arb_mul_2exp_si(u, u, 1);
    rate_I(i, lambda, t, prec);
    arb_sub(res, u, i, prec);
    arb_clear(u); arb_clear(i);
}

/* t+(kappa), the maximiser of the concave g(kappa, .) on (1/alpha, inf) (FB-8):
 * the larger root of alpha t^2 - B t + lambda, B = alpha lambda (1 + 4 kappa) + 1. */
static void t_plus(arb_t res, const arb_t alpha, const arb_t lambda, const arb_t kappa, slong prec)
{
    arb_t B, D, al;
    arb_init(B); arb_init(D); arb_init(al);
    arb_mul(al, alpha, lambda, prec);
    arb_mul_2exp_si(B, kappa, 2);
    arb_add_ui(B, B, 1, prec);
    arb_mul(B, B, al, prec);
    arb_add_ui(B, B, 1, prec);
    arb_mul(D, B, B, prec);
    arb_mul_2exp_si(al, al, 2);
    arb_sub(D, D, al, prec);
    arb_sqrtpos(D, D, prec);      /* D >= (alpha lambda - 1)^2 >= 0 */
    arb_add(res, B, D, prec);
    arb_div(res, res, alpha, prec);
    arb_mul_2exp_si(res, res, -1);
    arb_clear(B); arb_clear(D); arb_clear(al);
}

/* phi at ball parameters: sup over t > 2/alpha of g (FB-8). */
static void rate_ball(arb_t res, const arb_t alpha, const arb_t lambda, const arb_t kappa, slong prec)
{
    arb_t tp, two, v, w;
    arb_init(tp); arb_init(two); arb_init(v); arb_init(w);
    t_plus(tp, alpha, lambda, kappa, prec);
    arb_set_ui(two, 2);
    arb_div(two, two, alpha, prec);
    if (arb_gt(tp, two)) {
        cp_fb_rate_fn(res, alpha, lambda, kappa, tp, prec);
    } else {
        /* the sup over t > 2/alpha is the limit at 2/alpha: -I(2/alpha) */
        rate_I(w, lambda, two, prec);
        arb_neg(w, w);
        if (arb_lt(tp, two)) {
            arb_swap(res, w);
        } else {
            cp_fb_rate_fn(v, alpha, lambda, kappa, tp, prec);
            arb_union(res, v, w, prec);
        }
    }
    arb_clear(tp); arb_clear(two); arb_clear(v); arb_clear(w);
}

void cp_fb_rate(arb_t res, const fmpq_t alpha, const fmpq_t s, const arb_t kappa, slong prec)
{
    arb_t a, l;
    fmpq_t q;
    arb_init(a); arb_init(l);
    fmpq_init(q);
    arb_set_fmpq(a, alpha, prec);
    fmpq_add_si(q, s, 1);
    arb_set_fmpq(l, q, prec);
    rate_ball(res, a, l, kappa, prec);
    arb_clear(a); arb_clear(l);
    fmpq_clear(q);
}

/* max over t > 1/alpha of g(kappa, t) = g(kappa, t+(kappa)) (concavity, FB-8) */
static void gmax(arb_t res, const arb_t alpha, const arb_t lambda, const arb_t kappa, slong prec)
{
    arb_t tp;
    arb_init(tp);
    t_plus(tp, alpha, lambda, kappa, prec);
    cp_fb_rate_fn(res, alpha, lambda, kappa, tp, prec);
    arb_clear(tp);
}

void cp_fb_kappa_star(arb_t res, const fmpq_t alpha, const fmpq_t s, slong prec)
{
    fmpq_t q;
    arb_t a, l, k, g, d, tp, klo, khi;
    arf_t step;
    fmpq_init(q);
    fmpq_add_si(q, s, 1);
    fmpq_mul(q, q, alpha);
    if (fmpq_cmp_si(q, 2) >= 0) {      /* alpha lambda >= 2: t = lambda gives ratio 0 (FB-7) */
        arb_zero(res);
        fmpq_clear(q);
        return;
    }
    arb_init(a); arb_init(l); arb_init(k); arb_init(g); arb_init(d); arb_init(tp);
    arb_init(klo); arb_init(khi);
    arf_init(step);
    slong wp = prec + 32;
    arb_set_fmpq(a, alpha, wp);
    fmpq_add_si(q, s, 1);
    arb_set_fmpq(l, q, wp);
    /* start to the right of kappa*: kappa_0 = I(4/alpha)/(2 ln 3) = ratio at t = 4/alpha */
    arb_set_ui(tp, 4);
    arb_div(tp, tp, a, wp);
    rate_I(k, l, tp, wp);
    arb_set_ui(g, 3);
    arb_log(g, g, wp);
    arb_mul_2exp_si(g, g, 1);
    arb_div(k, k, g, wp);
    arb_set_round(k, k, wp);
    arf_set(arb_midref(k), arb_midref(k));
    mag_zero(arb_radref(k));
    /* Newton on phi (convex, increasing; phi' = 2 ln(alpha t+ - 1)); from the
     * right it decreases monotonically to kappa*.  Iterates are midpoints:
     * only the final bracket below is certified. */
    for (int it = 0; it < 200; it++) {
        gmax(g, a, l, k, wp);
        t_plus(tp, a, l, k, wp);
        arb_mul(d, a, tp, wp);
        arb_sub_ui(d, d, 1, wp);
        arb_log(d, d, wp);
        arb_mul_2exp_si(d, d, 1);
        arb_div(g, g, d, wp);
        arf_set(step, arb_midref(g));
        if (!arf_is_finite(step))
            break;
        arf_sub(arb_midref(k), arb_midref(k), step, wp, ARF_RND_NEAR);
        if (arf_is_zero(step) || arf_cmpabs_2exp_si(step, arf_abs_bound_lt_2exp_si(arb_midref(k)) - wp + 4) < 0)
            break;
    }
    /* certified bracket: phi(klo) < 0 < phi(khi) (FB-7) */
    arb_indeterminate(res);
    for (int j = 0; j < 8; j++) {
        arb_t del;
        arb_init(del);
        arb_one(del);
        arb_mul_2exp_si(del, del, -(prec - 8 * j));
        arb_mul(del, del, k, wp);
        arb_sub(klo, k, del, wp);
        arb_add(khi, k, del, wp);
        if (arb_is_positive(klo)) {
            gmax(g, a, l, klo, wp);
            int lo_ok = arb_is_negative(g);
            gmax(g, a, l, khi, wp);
            int hi_ok = arb_is_positive(g);
            if (lo_ok && hi_ok) {
                arb_union(res, klo, khi, prec);
                arb_clear(del);
                break;
            }
        }
        arb_clear(del);
    }
    arb_clear(a); arb_clear(l); arb_clear(k); arb_clear(g); arb_clear(d); arb_clear(tp);
    arb_clear(klo); arb_clear(khi);
    arf_clear(step);
    fmpq_clear(q);
}

/* ---- prior tail and the constants of (FB-9), (FB-10) --------------------- */

void cp_fb_prior_tail(arb_t res, const cp_model_t m, const fmpq_t s1, slong prec)
{
    fmpq_t w, x;
    fmpq_init(w); fmpq_init(x);
    fmpq_sub(w, m->m_hi, m->m_lo);
    if (fmpq_cmp(s1, m->m_lo) <= 0) {
        arb_one(res);
    } else if (fmpq_cmp(s1, m->m_hi) > 0) {
        arb_zero(res);
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        arb_one(res);
        arb_mul_2exp_si(res, res, -1);
    } else {
        fmpq_sub(x, m->m_hi, s1);
        fmpq_div(x, x, w);                  /* 1 - x1, x1 = (s1 - lo)/w */
        if (m->prior == CP_PRIOR_UNIFORM) {
            arb_set_fmpq(res, x, prec);
        } else {
            /* P(X >= x1) = P(1 - X <= 1 - x1) = I_{1-x1}(b, a) */
            arb_t a, b, z;
            arb_init(a); arb_init(b); arb_init(z);
            arb_set_fmpq(a, m->beta_a, prec);
            arb_set_fmpq(b, m->beta_b, prec);
            arb_set_fmpq(z, x, prec);
            arb_hypgeom_beta_lower(res, b, a, z, 1, prec);
            arb_clear(a); arb_clear(b); arb_clear(z);
        }
    }
    fmpq_clear(w); fmpq_clear(x);
}

/* min(c(s1), c(m_hi)), c(s) = s/(1+s)^2 (unimodal: its minimum over
 * [s1, m_hi] is at an end) */
static void cmin(fmpq_t res, const fmpq_t s1, const fmpq_t hi)
{
    fmpq_t u;
    fmpq_init(u);
    fmpq_add_si(res, s1, 1);
    fmpq_mul(res, res, res);
    fmpq_div(res, s1, res);
    fmpq_add_si(u, hi, 1);
    fmpq_mul(u, u, u);
    fmpq_div(u, hi, u);
    if (fmpq_cmp(u, res) < 0)
        fmpq_set(res, u);
    fmpq_clear(u);
}

void cp_fb_tail_const(arb_t res, const cp_model_t m, ulong L, const fmpq_t t,
                      const fmpq_t s1, slong prec)
{
    fmpq_t c, z;
    arb_t p, n, zz;
    fmpq_init(c); fmpq_init(z);
    arb_init(p); arb_init(n); arb_init(zz);
    cp_fb_prior_tail(p, m, s1, prec);
    cmin(c, s1, m->m_hi);
    arb_mul_fmpz(p, p, fmpq_numref(c), prec);
    arb_div_fmpz(p, p, fmpq_denref(c), prec);
    /* P(chi2_L >= L t/(1+s1)) = Q(L/2, L t/(2(1+s1))) */
    fmpq_add_si(z, s1, 1);
    fmpq_div(z, t, z);
    fmpq_mul_ui(z, z, L);
    fmpq_div_2exp(z, z, 1);
    arb_set_fmpq(zz, z, prec);
    arb_set_ui(n, L);
    arb_mul_2exp_si(n, n, -1);
    arb_hypgeom_gamma_upper(n, n, zz, 1, prec);
    arb_mul(res, p, n, prec);
    fmpq_clear(c); fmpq_clear(z);
    arb_clear(p); arb_clear(n); arb_clear(zz);
}

void cp_fb_div_const(arb_t res, const cp_model_t m, const fmpq_t t, const fmpq_t s1, slong prec)
{
    fmpq_t c;
    arb_t p, u;
    fmpq_init(c);
    arb_init(p); arb_init(u);
    cp_fb_prior_tail(p, m, s1, prec);
    cmin(c, s1, m->m_hi);
    fmpq_t r;
    fmpq_init(r);
    fmpq_add_si(r, s1, 1);
    fmpq_div(r, r, t);
    fmpq_mul(c, c, r);                 /* min c * (1 + s1)/t */
    arb_set_fmpq(u, c, prec);
    arb_mul(p, p, u, prec);
    arb_const_sqrt_pi(u, prec);
    arb_div(p, p, u, prec);
    arb_set_si(u, -1);
    arb_div_ui(u, u, 12, prec);
    arb_exp(u, u, prec);
    arb_mul(res, p, u, prec);
    fmpq_clear(c); fmpq_clear(r);
    arb_clear(p); arb_clear(u);
}

/* ---- witness searches ----------------------------------------------------- */

/* Candidates for s1 with P(s >= s1) > 0: lo + w (1 - 2^-j), j = 0..16, and
 * hi itself when it carries mass (two-point or point prior). */
static slong s1_candidates(fmpq *out, const cp_model_t m)
{
    slong n = 0;
    fmpq_t w, u;
    fmpq_init(w); fmpq_init(u);
    fmpq_sub(w, m->m_hi, m->m_lo);
    if (fmpq_is_zero(w)) {
        fmpq_set(out + n++, m->m_lo);
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        fmpq_set(out + n++, m->m_lo);
        fmpq_set(out + n++, m->m_hi);
    } else {
        for (slong j = 0; j <= 16; j++) {
            fmpq_one(u);
            fmpq_div_2exp(u, u, (ulong) j);
            fmpq_sub_si(u, u, 1);
            fmpq_neg(u, u);                    /* 1 - 2^-j */
            fmpq_mul(u, u, w);
            fmpq_add(out + n++, m->m_lo, u);
        }
    }
    fmpq_clear(w); fmpq_clear(u);
    return n;
}

#define FB_NS1 18

/* t = (2/alpha)(1 + i/32) */
static void t_grid(fmpq_t t, const fmpq_t alpha, slong i)
{
    fmpq_inv(t, alpha);
    fmpq_mul_2exp(t, t, 1);
    fmpq_mul_si(t, t, 32 + i);
    fmpq_div_2exp(t, t, 5);
}

static void fixed_L_value(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T0,
                          const fmpq_t t, const fmpq_t s1, slong prec)
{
    fmpq_t q;
    arb_t u;
    fmpq_init(q);
    arb_init(u);
    cp_fb_tail_const(res, m, L, t, s1, prec);
    fmpq_mul(q, alpha, t);
    fmpq_sub_si(q, q, 1);
    arb_set_fmpq(u, q, prec);
    arb_pow_ui(u, u, 2 * T0, prec);
    arb_mul(res, res, u, prec);
    fmpq_clear(q);
    arb_clear(u);
}

int cp_fb_fixed_L_witness(arb_t res, fmpq_t t, fmpq_t s1, const cp_model_t m, const fmpq_t alpha,
                          ulong L, ulong T0, slong prec)
{
    fmpq *cand = _fmpq_vec_init(FB_NS1);
    slong n = s1_candidates(cand, m);
    fmpq_t tt;
    arb_t v, best;
    int found = 0;
    fmpq_init(tt);
    arb_init(v); arb_init(best);
    for (slong j = 0; j < n; j++)
        for (slong i = 1; i <= 96; i++) {
            t_grid(tt, alpha, i);
            fixed_L_value(v, m, alpha, L, T0, tt, cand + j, 64);
            if (arb_is_positive(v) && (!found || arf_cmp(arb_midref(v), arb_midref(best)) > 0)) {
                arb_set(best, v);
                fmpq_set(t, tt);
                fmpq_set(s1, cand + j);
                found = 1;
            }
        }
    if (found)
        fixed_L_value(res, m, alpha, L, T0, t, s1, prec);
    else
        arb_indeterminate(res);
    _fmpq_vec_clear(cand, FB_NS1);
    fmpq_clear(tt);
    arb_clear(v); arb_clear(best);
    return found;
}

int cp_fb_div_witness(arb_t rate, arb_t A, fmpq_t t, fmpq_t s1, const cp_model_t m,
                      const fmpq_t alpha, const fmpq_t kappa, slong prec)
{
    fmpq *cand = _fmpq_vec_init(FB_NS1);
    slong n = s1_candidates(cand, m);
    fmpq_t tt, q;
    arb_t a, l, k, tp, v, best, p;
    int found = 0;
    fmpq_init(tt); fmpq_init(q);
    arb_init(a); arb_init(l); arb_init(k); arb_init(tp); arb_init(v); arb_init(best); arb_init(p);
    arb_set_fmpq(a, alpha, 64);
    arb_set_fmpq(k, kappa, 64);
    for (slong j = 0; j < n; j++) {
        cp_fb_prior_tail(p, m, cand + j, 64);
        if (!arb_is_positive(p))
            continue;
        fmpq_add_si(q, cand + j, 1);
        arb_set_fmpq(l, q, 64);
        t_plus(tp, a, l, k, 64);
        if (!arf_is_finite(arb_midref(tp)))
            continue;
        arf_get_fmpq(tt, arb_midref(tp));
        /* keep the witness short: 2^-40 relative is plenty */
        fmpz_t den;
        fmpz_init(den);
        fmpz_one(den);
        fmpz_mul_2exp(den, den, 40);
        fmpz_mul(fmpq_numref(tt), fmpq_numref(tt), den);
        fmpz_fdiv_q(fmpq_numref(tt), fmpq_numref(tt), fmpq_denref(tt));
        fmpz_set(fmpq_denref(tt), den);
        fmpq_canonicalise(tt);
        fmpz_clear(den);
        arb_set_fmpq(tp, tt, 64);
        cp_fb_rate_fn(v, a, l, k, tp, 64);
        if (arf_is_finite(arb_midref(v)) && (!found || arf_cmp(arb_midref(v), arb_midref(best)) > 0)) {
            arb_set(best, v);
            fmpq_set(t, tt);
            fmpq_set(s1, cand + j);
            found = 1;
        }
    }
    if (found) {
        arb_set_fmpq(a, alpha, prec);
        arb_set_fmpq(k, kappa, prec);
        fmpq_add_si(q, s1, 1);
        arb_set_fmpq(l, q, prec);
        arb_set_fmpq(tp, t, prec);
        cp_fb_rate_fn(rate, a, l, k, tp, prec);
        cp_fb_div_const(A, m, t, s1, prec);
    } else {
        arb_indeterminate(rate);
        arb_indeterminate(A);
    }
    _fmpq_vec_clear(cand, FB_NS1);
    fmpq_clear(tt); fmpq_clear(q);
    arb_clear(a); arb_clear(l); arb_clear(k); arb_clear(tp); arb_clear(v); arb_clear(best); arb_clear(p);
    return found;
}

/* ---- proportional regime (FB-12) ------------------------------------------ */

/* Q0 = (alpha t - 1)^2 + alpha^2 t gamma y and the ratio / rate at (t, s1) */
static void prop_eval(arb_t lnq, arb_t I, const arb_t a, const arb_t t, const arb_t gy,
                      const arb_t lam1, slong prec)
{
    arb_t u, v;
    arb_init(u); arb_init(v);
    arb_mul(u, a, t, prec);
    arb_sub_ui(u, u, 1, prec);
    arb_mul(u, u, u, prec);
    arb_mul(v, a, a, prec);
    arb_mul(v, v, t, prec);
    arb_mul(v, v, gy, prec);
    arb_add(u, u, v, prec);
    arb_log(lnq, u, prec);
    rate_I(I, lam1, t, prec);
    arb_clear(u); arb_clear(v);
}

int cp_fb_prop_witness(arb_t rate, arb_t A, arb_t kw, fmpq_t t, fmpq_t s1, const cp_model_t m,
                       const fmpq_t alpha, const fmpq_t kappa, const fmpq_t gamma, const fmpq_t y,
                       slong prec)
{
    fmpq *cand = _fmpq_vec_init(FB_NS1);
    slong n = s1_candidates(cand, m);
    fmpq_t tt, q, tk, sk;
    arb_t a, k, gy, lam1, tb, lnq, I, v, best, p, r;
    int found = 0, have_kw = 0;
    fmpq_init(tt); fmpq_init(q); fmpq_init(tk); fmpq_init(sk);
    arb_init(a); arb_init(k); arb_init(gy); arb_init(lam1); arb_init(tb); arb_init(lnq); arb_init(I);
    arb_init(v); arb_init(best); arb_init(p); arb_init(r);
    arb_set_fmpq(a, alpha, 64);
    arb_set_fmpq(k, kappa, 64);
    fmpq_mul(q, gamma, y);
    arb_set_fmpq(gy, q, 64);
    arb_indeterminate(kw);
    for (slong j = 0; j < n; j++) {
        cp_fb_prior_tail(p, m, cand + j, 64);
        if (!arb_is_positive(p) || fmpq_sgn(cand + j) <= 0)
            continue;
        fmpq_add_si(q, cand + j, 1);
        arb_set_fmpq(lam1, q, 64);
        for (slong i = 1; i <= 512; i++) {
            /* t = (1/alpha)(1 + i/128) */
            fmpq_inv(tt, alpha);
            fmpq_mul_si(tt, tt, 128 + i);
            fmpq_div_2exp(tt, tt, 7);
            arb_set_fmpq(tb, tt, 64);
            prop_eval(lnq, I, a, tb, gy, lam1, 64);
            if (!arb_is_positive(lnq))
                continue;
            arb_div(r, I, lnq, 64);
            if (!have_kw || arf_cmp(arb_midref(r), arb_midref(kw)) < 0) {
                arb_set(kw, r);
                fmpq_set(tk, tt);
                fmpq_set(sk, cand + j);
                have_kw = 1;
            }
            arb_mul(v, k, lnq, 64);
            arb_sub(v, v, I, 64);
            if (!found || arf_cmp(arb_midref(v), arb_midref(best)) > 0) {
                arb_set(best, v);
                fmpq_set(t, tt);
                fmpq_set(s1, cand + j);
                found = 1;
            }
        }
    }
    if (found) {
        /* the certified values at prec */
        arb_set_fmpq(a, alpha, prec);
        arb_set_fmpq(k, kappa, prec);
        fmpq_mul(q, gamma, y);
        arb_set_fmpq(gy, q, prec);
        fmpq_add_si(q, s1, 1);
        arb_set_fmpq(lam1, q, prec);
        arb_set_fmpq(tb, t, prec);
        prop_eval(lnq, I, a, tb, gy, lam1, prec);
        arb_mul(rate, k, lnq, prec);
        arb_sub(rate, rate, I, prec);
        if (!arb_is_positive(lnq))
            arb_indeterminate(rate);               /* Q0 > 1 not proved */
        cp_fb_div_const(A, m, t, s1, prec);
        /* times 1 - exp(-I(y)) */
        arb_one(v);
        arb_set_fmpq(tb, y, prec);
        rate_I(I, v, tb, prec);
        arb_neg(I, I);
        arb_expm1(I, I, prec);
        arb_neg(I, I);
        arb_mul(A, A, I, prec);
        if (have_kw) {
            /* kw = I_{s1}(t)/ln Q0 at its grid point, recomputed at prec */
            fmpq_add_si(q, sk, 1);
            arb_set_fmpq(lam1, q, prec);
            arb_set_fmpq(tb, tk, prec);
            prop_eval(lnq, I, a, tb, gy, lam1, prec);
            arb_div(kw, I, lnq, prec);
        }
    } else {
        arb_indeterminate(rate);
        arb_indeterminate(A);
    }
    _fmpq_vec_clear(cand, FB_NS1);
    fmpq_clear(tt); fmpq_clear(q); fmpq_clear(tk); fmpq_clear(sk);
    arb_clear(a); arb_clear(k); arb_clear(gy); arb_clear(lam1); arb_clear(tb); arb_clear(lnq); arb_clear(I);
    arb_clear(v); arb_clear(best); arb_clear(p); arb_clear(r);
    return found;
}

/* ---- `crossproof eval` quantities ------------------------------------------ */
#include "crossproof/quantity.h"

static const cp_key_spec fbq_lower_keys[] = {
    CP_MODEL_KEYS,
    { "L",     CP_KEY_INT, "200",    "context length, 1 <= L <= 10^9" },
    { "T",     CP_KEY_INT, "1",      "depth, 1 <= T <= 1000 (20000 for d = 1 and no Beta prior)" },
    { "alpha", CP_KEY_RAT, "alpha*", "CA step (default alpha* = 2/(2+m_lo+m_hi))" },
    { "beta",  CP_KEY_RAT, "-alpha", "must equal -alpha: the bound is proved for the tied CA only" },
    CP_KEY_END
};
static const cp_key_spec fbq_kappa_keys[] = {
    { "m_lo",  CP_KEY_RAT, "1/2",    "lower end of the support of s (sets alpha*)" },
    { "m_hi",  CP_KEY_RAT, "4",      "upper end of the support of s" },
    { "alpha", CP_KEY_RAT, "alpha*", "CA step, > 0 (default alpha* = 2/(2+m_lo+m_hi))" },
    CP_KEY_END
};
static const cp_key_spec fbq_rate_keys[] = {
    { "m_lo",  CP_KEY_RAT, "1/2",    "lower end of the support of s (sets alpha*)" },
    { "m_hi",  CP_KEY_RAT, "4",      "upper end of the support of s" },
    { "alpha", CP_KEY_RAT, "alpha*", "CA step, > 0 (default alpha* = 2/(2+m_lo+m_hi))" },
    { "kappa", CP_KEY_RAT, NULL,     "ratio T/L, > 0" },
    CP_KEY_END
};

/* alpha from kv (default alpha*), required > 0; returns 0 or -1 with err */
static int fbq_alpha(fmpq_t a, const cp_model_t m, const cp_kv *kv, const cp_key_spec *keys, char *err)
{
    if (cp_kv_has(kv, "alpha")) {
        if (cp_kv_get_rat(a, kv, keys, "alpha", err) != 0)
            return -1;
    } else {
        cp_alpha_star(a, m);
    }
    if (fmpq_sgn(a) <= 0) {
        cp_kv_error(err, kv, "alpha", "alpha must be positive");
        return -1;
    }
    return 0;
}

static int q_ca_excess_lower(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    fmpq_t a, b, mb;
    slong T = 1, L = 200;
    int rc = -1;
    cp_model_init(m);
    fmpq_init(a); fmpq_init(b); fmpq_init(mb);
    if (cp_kv_validate(kv, fbq_lower_keys, err) != 0 || cp_model_from_kv(m, kv, err) != 0)
        goto done;
    if (cp_read_ca_rats(a, b, &T, m, kv, fbq_lower_keys, err) != 0)
        goto done;
    fmpq_neg(mb, a);
    if (!fmpq_equal(b, mb)) {
        cp_kv_error(err, kv, "beta", "ca-excess-lower is proved for the tied CA only: beta must equal -alpha");
        goto done;
    }
    if (T > cp_fb_max_T(m)) {
        cp_kv_error(err, kv, "T", "T must lie in [1, %ld] for ca-excess-lower here (%d for d = 1, "
                    "%d for d >= 2, %d for the Beta prior)", (long) cp_fb_max_T(m), CP_FB_MAX_T,
                    CP_FB_MAX_T_D, CP_FB_MAX_T_BETA);
        goto done;
    }
    if (cp_kv_get_int(&L, kv, fbq_lower_keys, "L", err) != 0)
        goto done;
    if (L < 1 || L > CP_FB_MAX_L) {
        cp_kv_error(err, kv, "L", "L must lie in [1, %d]", CP_FB_MAX_L);
        goto done;
    }
    cp_fb_lower(res, m, a, (ulong) L, (ulong) T, prec);
    rc = 0;
done:
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(b); fmpq_clear(mb);
    return rc;
}

static int q_kappa_common(arb_t res, const cp_kv *kv, slong prec, char *err, int rate)
{
    const cp_key_spec *keys = rate ? fbq_rate_keys : fbq_kappa_keys;
    cp_model_t m;
    fmpq_t a, k;
    int rc = -1;
    cp_model_init(m);
    fmpq_init(a); fmpq_init(k);
    if (cp_kv_validate(kv, keys, err) != 0 || cp_model_from_kv(m, kv, err) != 0
        || fbq_alpha(a, m, kv, keys, err) != 0)
        goto done;
    if (rate) {
        if (cp_kv_get_rat(k, kv, keys, "kappa", err) != 0)
            goto done;
        if (fmpq_sgn(k) <= 0) {
            cp_kv_error(err, kv, "kappa", "kappa must be positive");
            goto done;
        }
        arb_t kk;
        arb_init(kk);
        arb_set_fmpq(kk, k, prec + 16);
        cp_fb_rate(res, a, m->m_hi, kk, prec);
        arb_clear(kk);
    } else {
        cp_fb_kappa_star(res, a, m->m_hi, prec);
    }
    rc = 0;
done:
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(k);
    return rc;
}

static const cp_key_spec fbq_prop_keys[] = {
    CP_MODEL_KEYS,
    { "alpha", CP_KEY_RAT, "alpha*", "CA step, > 0 (default alpha* = 2/(2+m_lo+m_hi))" },
    { "gamma", CP_KEY_RAT, "1/10",   "proportional regime: d >= 1 + gamma L, gamma > 0" },
    { "y",     CP_KEY_RAT, "9/10",   "witness level of Y/(d-1), 0 < y < 1" },
    CP_KEY_END
};

/* (FB-12): a certified kappa_w such that for every kappa > kappa_w, every L >= 2,
 * d >= 1 + gamma L and T >= kappa L the excess diverges exponentially */
static int q_kappa_prop(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    fmpq_t a, g, y, t, s1, one;
    arb_t rate, A;
    int rc = -1;
    cp_model_init(m);
    fmpq_init(a); fmpq_init(g); fmpq_init(y); fmpq_init(t); fmpq_init(s1); fmpq_init(one);
    arb_init(rate); arb_init(A);
    if (cp_kv_validate(kv, fbq_prop_keys, err) != 0 || cp_model_from_kv(m, kv, err) != 0
        || fbq_alpha(a, m, kv, fbq_prop_keys, err) != 0
        || cp_kv_get_rat(g, kv, fbq_prop_keys, "gamma", err) != 0
        || cp_kv_get_rat(y, kv, fbq_prop_keys, "y", err) != 0)
        goto done;
    if (fmpq_sgn(g) <= 0) {
        cp_kv_error(err, kv, "gamma", "gamma must be positive");
        goto done;
    }
    if (fmpq_sgn(y) <= 0 || fmpq_cmp_si(y, 1) >= 0) {
        cp_kv_error(err, kv, "y", "y must lie in (0, 1)");
        goto done;
    }
    fmpq_one(one);
    if (!cp_fb_prop_witness(rate, A, res, t, s1, m, a, one, g, y, prec))
        arb_indeterminate(res);
    rc = 0;
done:
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(g); fmpq_clear(y); fmpq_clear(t); fmpq_clear(s1); fmpq_clear(one);
    arb_clear(rate); arb_clear(A);
    return rc;
}

static int q_kappa_star(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    return q_kappa_common(res, kv, prec, err, 0);
}

static int q_kappa_rate(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    return q_kappa_common(res, kv, prec, err, 1);
}

const cp_quantity_def cp_quantities_finite_bound[] = {
    { "ca-excess-lower", "certified lower bound on the expected excess of the tied CA at finite L, T (any d, sigma; (FB-5))",
      fbq_lower_keys, q_ca_excess_lower,
      "lower bound on the expected excess of the tied CA (beta = -alpha) at context length L and depth T", NULL },
    { "kappa-star", "kappa*(alpha, m_hi) = inf_{t > 2/alpha} I_{m_hi}(t)/(2 ln(alpha t - 1)), the critical T/L (FB-7)",
      fbq_kappa_keys, q_kappa_star, NULL, NULL },
    { "kappa-rate", "phi(kappa) = sup_{t > 2/alpha} 2 kappa ln(alpha t - 1) - I_{m_hi}(t): growth rate in L of the bound along T = kappa L (FB-8)",
      fbq_rate_keys, q_kappa_rate, NULL, NULL },
    { "kappa-prop", "kappa_w(gamma): for d >= 1 + gamma L the excess diverges along every T >= kappa L, kappa > kappa_w (FB-12; grid witness, an upper bound on the proportional boundary)",
      fbq_prop_keys, q_kappa_prop, NULL, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL }
};

double cp_fb_lower_down(const cp_model_t m, double alpha, long L, long T)
{
    if (T < 1 || L < 1 || T > cp_fb_max_T(m) || !(alpha > 0) || !isfinite(alpha))
        return NAN;
    fmpq_t a;
    arf_t x;
    arb_t b;
    fmpq_init(a); arf_init(x); arb_init(b);
    arf_set_d(x, alpha);
    arf_get_fmpq(a, x);                 /* the double's exact value */
    cp_fb_lower(b, m, a, (ulong) L, (ulong) T, 64);
    double lb = NAN;
    if (arb_is_finite(b)) {
        arb_get_lbound_arf(x, b, 64);
        lb = arf_get_d(x, ARF_RND_DOWN);
        if (!(lb > 0))
            lb = NAN;
    }
    fmpq_clear(a); arf_clear(x); arb_clear(b);
    return lb;
}
