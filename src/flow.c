/* flow.c -- the L = infinity cross-attention loss in ball arithmetic and its
 * minimizers (flow.h).  Derivations: docs/model.md, "Gradient flow (issue 3)",
 * formulas (GF-1) to (GF-6). */
#include <math.h>
#include <string.h>
#include "crossproof/boxq.h"
#include "crossproof/flow.h"
#include "crossproof/lsa.h"

/* --- generic integrand: lambda^j w^k (any prior, fallback) ------------ */

typedef struct { int j; ulong k; const arb_struct *gamma; } lw_param;

static int lw_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    const lw_param *p = param;
    acb_t lam, w;
    acb_init(lam);
    acb_init(w);
    (void) order;           /* entire in s except the pole lambda = 0, handled by acb_inv */
    acb_add_ui(lam, s, 1, prec);
    acb_mul_arb(w, lam, p->gamma, prec);
    acb_add_ui(w, w, 1, prec);
    acb_pow_ui(res, w, p->k, prec);
    if (p->j == -1) {
        acb_inv(lam, lam, prec);
        acb_mul(res, res, lam, prec);
    } else {
        for (int i = 0; i < p->j; i++)
            acb_mul(res, res, lam, prec);
    }
    acb_clear(lam);
    acb_clear(w);
    return 0;
}

static void moment_generic(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec)
{
    lw_param p = { j, k, gamma };
    cp_prior_expect(res, m, lw_integrand, &p, prec);
}

/* --- uniform prior, closed form (GF-1) --------------------------------- */

/* A_k = E[w^k] = (w_b^(k+1) - w_a^(k+1)) / (gamma (k+1) (m_hi - m_lo)). */
static void unif_A(arb_t res, const arb_t wa, const arb_t wb, ulong k, const arb_t gd, slong prec)
{
    arb_t t, u;
    arb_init(t);
    arb_init(u);
    arb_pow_ui(t, wb, k + 1, prec);
    arb_pow_ui(u, wa, k + 1, prec);
    arb_sub(t, t, u, prec);
    arb_div(t, t, gd, prec);
    arb_div_ui(res, t, k + 1, prec);
    arb_clear(t);
    arb_clear(u);
}

/* G_k(x) = int_0^x u^k/(1-u) du = x^(k+1)/(k+1) 2F1(1, k+1; k+2; x), x < 1. */
static void unif_G(arb_t res, const arb_t x, ulong k, slong prec)
{
    arb_t a, b, c, t;
    mag_t xm, tail, one;
    mag_init(xm);
    mag_init(tail);
    mag_init(one);
    arb_get_mag(xm, x);
    mag_one(one);
    if (mag_get_d(xm) <= 0.8) {
        /* |x| <= 0.8: G_k(x) = x^(k+1) sum_{j>=0} x^j/(k+1+j); the tail after J
         * terms is at most |x|^J / ((k+1+J)(1 - |x|)) (geometric majorant). */
        double xd = mag_get_d(xm);
        slong J = xd <= 0 ? 1 : (slong) ((double) (prec + 10) / -log2(xd)) + 2;
        arb_init(a);
        arb_init(t);
        arb_zero(res);
        arb_one(a);                              /* x^j */
        for (slong j = 0; j < J; j++) {
            arb_div_ui(t, a, k + 1 + (ulong) j, prec);
            arb_add(res, res, t, prec);
            arb_mul(a, a, x, prec);
        }
        /* tail bound */
        mag_pow_ui(tail, xm, (ulong) J);
        mag_one(one);
        {
            mag_t den;
            mag_init(den);
            mag_sub_lower(den, one, xm);         /* 1 - |x| (lower bound) */
            mag_mul_ui_lower(den, den, k + 1 + (ulong) J);
            mag_div(tail, tail, den);
            mag_clear(den);
        }
        arb_add_error_mag(res, tail);
        arb_pow_ui(a, x, k + 1, prec);
        arb_mul(res, res, a, prec);
        arb_clear(a);
        arb_clear(t);
        mag_clear(xm);
        mag_clear(tail);
        mag_clear(one);
        return;
    }
    mag_clear(xm);
    mag_clear(tail);
    mag_clear(one);
    arb_init(a);
    arb_init(b);
    arb_init(c);
    arb_init(t);
    arb_one(a);
    arb_set_ui(b, k + 1);
    arb_set_ui(c, k + 2);
    arb_hypgeom_2f1(t, a, b, c, x, 0, prec);
    arb_pow_ui(a, x, k + 1, prec);
    arb_mul(t, t, a, prec);
    arb_div_ui(res, t, k + 1, prec);
    arb_clear(a);
    arb_clear(b);
    arb_clear(c);
    arb_clear(t);
}

/* The closed forms of (GF-1) from balls la = 1 + m_lo, lb = 1 + m_hi and
 * dl = m_hi - m_lo (each may hold a whole range: the formulas are valid for
 * every value in the balls, docs/model.md (BX-8)).  gamma must not contain
 * 0, and j = -1 needs gamma < 0; returns 0, or -1 (res untouched) when not. */
static int moment_uniform_ball(arb_t res, const arb_t la, const arb_t lb, const arb_t dl, int j, ulong k,
                               const arb_t gamma, slong prec)
{
    arb_t wa, wb, gd, t, u, v;
    if (arb_contains_zero(gamma) || (j == -1 && !arb_is_negative(gamma)))
        return -1;
    arb_init(wa); arb_init(wb); arb_init(gd); arb_init(t); arb_init(u); arb_init(v);
    arb_mul(wa, gamma, la, prec);
    arb_add_ui(wa, wa, 1, prec);
    arb_mul(wb, gamma, lb, prec);
    arb_add_ui(wb, wb, 1, prec);
    arb_mul(gd, gamma, dl, prec);
    if (j == -1) {
        /* B_k = E[w^k / lambda] = (G_k(w_a) - G_k(w_b)) / (m_hi - m_lo) */
        unif_G(t, wa, k, prec);
        unif_G(u, wb, k, prec);
        arb_sub(t, t, u, prec);
        arb_div(res, t, dl, prec);
    } else if (j == 0) {
        unif_A(res, wa, wb, k, gd, prec);
    } else if (j == 1) {
        /* E[lambda w^k] = (A_{k+1} - A_k) / gamma */
        unif_A(t, wa, wb, k + 1, gd, prec);
        unif_A(u, wa, wb, k, gd, prec);
        arb_sub(t, t, u, prec);
        arb_div(res, t, gamma, prec);
    } else {
        /* E[lambda^2 w^k] = (A_{k+2} - 2 A_{k+1} + A_k) / gamma^2 */
        unif_A(t, wa, wb, k + 2, gd, prec);
        unif_A(u, wa, wb, k + 1, gd, prec);
        unif_A(v, wa, wb, k, gd, prec);
        arb_mul_2exp_si(u, u, 1);
        arb_sub(t, t, u, prec);
        arb_add(t, t, v, prec);
        arb_div(t, t, gamma, prec);
        arb_div(res, t, gamma, prec);
    }
    arb_clear(wa); arb_clear(wb); arb_clear(gd); arb_clear(t); arb_clear(u); arb_clear(v);
    return 0;
}

static void moment_uniform(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec)
{
    arb_t la, lb, dl;
    fmpq_t q;
    arb_init(la); arb_init(lb); arb_init(dl);
    fmpq_init(q);
    arb_set_fmpq(la, m->m_lo, prec);
    arb_add_ui(la, la, 1, prec);
    arb_set_fmpq(lb, m->m_hi, prec);
    arb_add_ui(lb, lb, 1, prec);
    fmpq_sub(q, m->m_hi, m->m_lo);
    arb_set_fmpq(dl, q, prec);
    if (moment_uniform_ball(res, la, lb, dl, j, k, gamma, prec) != 0)
        moment_generic(res, m, j, k, gamma, prec);
    arb_clear(la); arb_clear(lb); arb_clear(dl);
    fmpq_clear(q);
}

/* --- two-point prior: exact --------------------------------------------- */

/* lambda^j w^k at the ball lam = 1 + s (j in {-1, 0, 1, 2}) */
static void moment_point_ball(arb_t res, const arb_t lam, int j, ulong k, const arb_t gamma, slong prec)
{
    arb_t w;
    arb_init(w);
    arb_mul(w, gamma, lam, prec);
    arb_add_ui(w, w, 1, prec);
    arb_pow_ui(res, w, k, prec);
    if (j == -1)
        arb_div(res, res, lam, prec);
    for (int i = 0; i < j; i++)
        arb_mul(res, res, lam, prec);
    arb_clear(w);
}

static void moment_point(arb_t res, const fmpq_t s, int j, ulong k, const arb_t gamma, slong prec)
{
    arb_t lam;
    arb_init(lam);
    arb_set_fmpq(lam, s, prec);
    arb_add_ui(lam, lam, 1, prec);
    moment_point_ball(res, lam, j, k, gamma, prec);
    arb_clear(lam);
}

/* --- Beta prior, polynomial factors: binomial expansion against exact moments
 * s = m_lo + D x, x ~ Beta(a, b), E x^i = prod_{l<i} (a+l)/(a+b+l);
 * w = w_a + c x with c = gamma D.  Computes E[(e0 + e1 x + e2 x^2) w^k].
 * The alternating sum cancels: the working precision starts at
 * prec + k log2((|w_a| + |c|)/max(|w_a|, |w_b|)) + 64 (the size of the largest
 * term over the size of the integrand) and doubles until the result has
 * prec - 8 accurate bits. */
/* Absolute accuracy test: rad(res) <= 2^-prec M with M = max(|w_a|, |w_b|)^k
 * (|e0| + |e1| + |e2|), an upper bound for the integrand on the support.  Near
 * a root of the expectation the relative accuracy cannot reach prec, but the
 * absolute accuracy of the uniform closed form is all the signs need. */
static int beta_abs_ok(const arb_t res, const cp_model_t m, const arb_t e0, const arb_t e1,
                       const arb_t e2, ulong k, const arb_t gamma, slong prec)
{
    arb_t w, t;
    mag_t M, a, r;
    int ok;
    arb_init(w); arb_init(t);
    mag_init(M); mag_init(a); mag_init(r);
    arb_set_fmpq(t, m->m_lo, prec);
    arb_add_ui(t, t, 1, prec);
    arb_mul(w, gamma, t, prec);
    arb_add_ui(w, w, 1, prec);
    arb_get_mag(M, w);
    arb_set_fmpq(t, m->m_hi, prec);
    arb_add_ui(t, t, 1, prec);
    arb_mul(w, gamma, t, prec);
    arb_add_ui(w, w, 1, prec);
    arb_get_mag(a, w);
    mag_max(M, M, a);
    mag_pow_ui(M, M, k);
    arb_get_mag(a, e0);
    arb_get_mag(r, e1);
    mag_add(a, a, r);
    arb_get_mag(r, e2);
    mag_add(a, a, r);
    mag_mul(M, M, a);
    mag_mul_2exp_si(M, M, -prec);
    ok = mag_cmp(arb_radref(res), M) <= 0;
    arb_clear(w); arb_clear(t);
    mag_clear(M); mag_clear(a); mag_clear(r);
    return ok;
}

/* --- Beta prior with integer shapes: closed form (docs/model.md (CS-1)) ---
 * With w = w_a + c x (c = gamma D, w_b = w_a + c) the Beta(a, b) density is the
 * polynomial (w - w_a)^(a-1) (w_b - w)^(b-1) / (c^(a+b-2) B(a, b)) in w, so
 *   E[(e0 + e1 x + e2 x^2) w^k] = 1/(c B) sum_i P_i (w_b^(k+1+i) - w_a^(k+1+i)) / (k+1+i)
 * with P(w) = e(x(w)) x(w)^(a-1) (1 - x(w))^(b-1), x(w) = (w - w_a)/c: a + b + 1 terms
 * and two powers of degree k + 1, instead of the k + 1 terms of the expansion above at
 * the precision its alternation needs.  The sum cancels too (CS-2): the working
 * precision starts at prec + beta_closed_extra and doubles, with the same accuracy
 * test as the expansion. */
static int beta_closed_enabled = 1;

int cp_flow_beta_closed_form(int enable)
{
    int old = beta_closed_enabled;
    beta_closed_enabled = enable;
    return old;
}

/* Extra bits the closed form needs (CS-2), from doubles (a heuristic: the accuracy
 * is tested afterwards); negative when the closed form does not apply. */
static double beta_closed_extra(const cp_model_t m, ulong k, const arb_t gamma)
{
    double g, la, lb, wa, wb, c, mx, n;
    if (!beta_closed_enabled || !fmpz_is_one(fmpq_denref(m->beta_a)) || !fmpz_is_one(fmpq_denref(m->beta_b))
        || fmpz_cmp_ui(fmpq_numref(m->beta_a), 256) > 0 || fmpz_cmp_ui(fmpq_numref(m->beta_b), 256) > 0
        || arb_contains_zero(gamma))
        return -1;
    g = arf_get_d(arb_midref(gamma), ARF_RND_NEAR);
    la = fmpq_get_d(m->m_lo) + 1;
    lb = fmpq_get_d(m->m_hi) + 1;
    wa = fabs(1 + g * la);
    wb = fabs(1 + g * lb);
    c = fabs(g * (lb - la));
    mx = wa > wb ? wa : wb;
    if (!(c > 0) || !(mx > 0))
        return -1;
    n = fmpz_get_d(fmpq_numref(m->beta_a)) + fmpz_get_d(fmpq_numref(m->beta_b));
    return n * (log2((mx + c) / c + 1) + log2((double) k + n + 2)) + 32;
}

/* Returns 1 with res set when the closed form reached the accuracy test, else 0. */
static int beta_poly_closed(arb_t res, const cp_model_t m, const arb_t e0, const arb_t e1,
                            const arb_t e2, ulong k, const arb_t gamma, slong prec, double extra)
{
    ulong a = fmpz_get_ui(fmpq_numref(m->beta_a)), b = fmpz_get_ui(fmpq_numref(m->beta_b));
    slong wp = prec + 16 + (slong) extra, cap = 4 * prec + 4 * (slong) extra + 512;
    int ok = 0;
    fmpq_t q;
    fmpz_t ib;
    fmpq_init(q);
    fmpz_init(ib);
    fmpz_bin_uiui(ib, a + b - 2, a - 1);
    fmpz_mul_ui(ib, ib, a + b - 1);                 /* 1/B(a, b) for integer shapes */
    for (;;) {
        arb_t la, wa, wb, c, ic, pa, pb, t;
        arb_poly_t P, X, Y;
        arb_init(la); arb_init(wa); arb_init(wb); arb_init(c); arb_init(ic);
        arb_init(pa); arb_init(pb); arb_init(t);
        arb_poly_init(P); arb_poly_init(X); arb_poly_init(Y);
        arb_set_fmpq(la, m->m_lo, wp);
        arb_add_ui(la, la, 1, wp);
        arb_mul(wa, gamma, la, wp);
        arb_add_ui(wa, wa, 1, wp);
        fmpq_sub(q, m->m_hi, m->m_lo);
        arb_set_fmpq(t, q, wp);
        arb_mul(c, gamma, t, wp);
        arb_add(wb, wa, c, wp);
        arb_inv(ic, c, wp);
        /* X = x(w) = (w - w_a)/c, Y = 1 - x(w) = (w_b - w)/c */
        arb_mul(t, wa, ic, wp);
        arb_neg(t, t);
        arb_poly_set_coeff_arb(X, 0, t);
        arb_poly_set_coeff_arb(X, 1, ic);
        arb_mul(t, wb, ic, wp);
        arb_poly_set_coeff_arb(Y, 0, t);
        arb_neg(t, ic);
        arb_poly_set_coeff_arb(Y, 1, t);
        /* P = ((e2 X + e1) X + e0) X^(a-1) Y^(b-1) */
        arb_poly_scalar_mul(P, X, e2, wp);
        arb_poly_get_coeff_arb(t, P, 0);
        arb_add(t, t, e1, wp);
        arb_poly_set_coeff_arb(P, 0, t);
        arb_poly_mul(P, P, X, wp);
        arb_poly_get_coeff_arb(t, P, 0);
        arb_add(t, t, e0, wp);
        arb_poly_set_coeff_arb(P, 0, t);
        if (a > 1) {
            arb_poly_pow_ui(X, X, a - 1, wp);
            arb_poly_mul(P, P, X, wp);
        }
        if (b > 1) {
            arb_poly_pow_ui(Y, Y, b - 1, wp);
            arb_poly_mul(P, P, Y, wp);
        }
        /* sum_i P_i (w_b^(k+1+i) - w_a^(k+1+i)) / (k+1+i) */
        arb_pow_ui(pa, wa, k + 1, wp);
        arb_pow_ui(pb, wb, k + 1, wp);
        arb_zero(res);
        for (slong i = 0; i < arb_poly_length(P); i++) {
            arb_sub(t, pb, pa, wp);
            arb_mul(t, t, arb_poly_get_coeff_ptr(P, i), wp);
            arb_div_ui(t, t, k + 1 + (ulong) i, wp);
            arb_add(res, res, t, wp);
            arb_mul(pa, pa, wa, wp);
            arb_mul(pb, pb, wb, wp);
        }
        arb_mul_fmpz(res, res, ib, wp);
        arb_mul(res, res, ic, wp);
        arb_set_round(res, res, prec);
        arb_clear(la); arb_clear(wa); arb_clear(wb); arb_clear(c); arb_clear(ic);
        arb_clear(pa); arb_clear(pb); arb_clear(t);
        arb_poly_clear(P); arb_poly_clear(X); arb_poly_clear(Y);
        if (arb_rel_accuracy_bits(res) >= prec - 8 || beta_abs_ok(res, m, e0, e1, e2, k, gamma, prec)) {
            ok = 1;
            break;
        }
        if (wp >= cap)
            break;
        wp *= 2;
        if (wp > cap)
            wp = cap;
    }
    fmpq_clear(q);
    fmpz_clear(ib);
    return ok;
}

static void beta_poly_expect(arb_t res, const cp_model_t m, const arb_t e0, const arb_t e1,
                             const arb_t e2, ulong k, const arb_t gamma, slong prec)
{
    slong n = (slong) k + 3, wp, cap = 4 * prec + 4 * (slong) k + 256;
    fmpq_t q;
    arb_t closed;
    int have_closed = 0;
    fmpq_init(q);
    {
        /* initial working precision from a double estimate (only a heuristic) */
        double g = arf_get_d(arb_midref(gamma), ARF_RND_NEAR);
        double la = fmpq_get_d(m->m_lo) + 1, lb = fmpq_get_d(m->m_hi) + 1;
        double wa = fabs(1 + g * la), wb = fabs(1 + g * lb), c = fabs(g * (lb - la));
        double mx = wa > wb ? wa : wb, ratio = (wa + c) / (mx > 1e-300 ? mx : 1e-300);
        double extra = (double) k * log2(ratio > 1 ? ratio : 1);
        double extra_closed = beta_closed_extra(m, k, gamma);
        /* integer shapes: the closed form (CS-1) when its cancellation is the smaller */
        if (extra_closed >= 0 && extra_closed < extra + 64) {
            if (beta_poly_closed(res, m, e0, e1, e2, k, gamma, prec, extra_closed)) {
                fmpq_clear(q);
                return;
            }
            /* not accurate enough (a wide gamma): keep it, intersect with the expansion below */
            arb_init(closed);
            arb_swap(closed, res);
            have_closed = 1;
        }
        wp = prec + 64 + (extra < (double) cap ? (slong) extra : cap);
    }
    for (;;) {
        arb_ptr mu = _arb_vec_init(n);
        arb_ptr pwa = _arb_vec_init((slong) k + 1);
        arb_t la, dl, wa, c, binom, term, pj, t, acc, ab, aa;
        arb_init(la); arb_init(dl); arb_init(wa); arb_init(c); arb_init(binom);
        arb_init(term); arb_init(pj); arb_init(t); arb_init(acc); arb_init(ab); arb_init(aa);
        arb_set_fmpq(la, m->m_lo, wp);
        arb_add_ui(la, la, 1, wp);
        fmpq_sub(q, m->m_hi, m->m_lo);
        arb_set_fmpq(dl, q, wp);
        arb_mul(wa, gamma, la, wp);
        arb_add_ui(wa, wa, 1, wp);
        arb_mul(c, gamma, dl, wp);
        arb_set_fmpq(aa, m->beta_a, wp);
        fmpq_add(q, m->beta_a, m->beta_b);
        arb_set_fmpq(ab, q, wp);
        arb_one(mu + 0);
        for (slong i = 1; i < n; i++) {
            arb_add_si(t, aa, i - 1, wp);
            arb_mul(mu + i, mu + i - 1, t, wp);
            arb_add_si(t, ab, i - 1, wp);
            arb_div(mu + i, mu + i, t, wp);
        }
        arb_one(pwa + 0);
        for (slong i = 1; i <= (slong) k; i++)
            arb_mul(pwa + i, pwa + i - 1, wa, wp);
        arb_zero(acc);
        arb_one(binom);
        arb_one(t);                       /* c^i */
        for (slong i = 0; i <= (slong) k; i++) {
            /* pj = E[x^i (e0 + e1 x + e2 x^2)] */
            arb_mul(pj, e0, mu + i, wp);
            arb_addmul(pj, e1, mu + i + 1, wp);
            arb_addmul(pj, e2, mu + i + 2, wp);
            arb_mul(term, binom, pwa + (k - i), wp);
            arb_mul(term, term, t, wp);
            arb_addmul(acc, term, pj, wp);
            arb_mul(t, t, c, wp);
            arb_mul_ui(binom, binom, k - i, wp);
            arb_div_ui(binom, binom, i + 1, wp);
        }
        arb_set_round(res, acc, prec);
        _arb_vec_clear(mu, n);
        _arb_vec_clear(pwa, (slong) k + 1);
        arb_clear(la); arb_clear(dl); arb_clear(wa); arb_clear(c); arb_clear(binom);
        arb_clear(term); arb_clear(pj); arb_clear(t); arb_clear(acc); arb_clear(ab); arb_clear(aa);
        if (arb_rel_accuracy_bits(res) >= prec - 8 || wp >= cap || beta_abs_ok(res, m, e0, e1, e2, k, gamma, prec))
            break;
        wp *= 2;
        if (wp > cap)
            wp = cap;
    }
    if (have_closed) {
        /* both balls contain the expectation: their intersection does too */
        if (!arb_intersection(res, res, closed, prec))
            arb_indeterminate(res);    /* disjoint enclosures: cannot happen, never hide it */
        arb_clear(closed);
    }
    fmpq_clear(q);
}

/* E[p_j(lambda) w^k] for the Beta prior; sub = 1 gives
 * E[(lambda^j - lambda^(j-1)) w^k] = C(j, k) (j = 1, 2) in one pass. */
static void moment_beta(arb_t res, const cp_model_t m, int j, int sub, ulong k, const arb_t gamma, slong prec)
{
    arb_t e0, e1, e2, la, dl;
    fmpq_t q;
    slong wp = 2 * prec + 64;
    arb_init(e0); arb_init(e1); arb_init(e2); arb_init(la); arb_init(dl);
    fmpq_init(q);
    arb_set_fmpq(la, m->m_lo, wp);
    arb_add_ui(la, la, 1, wp);
    fmpq_sub(q, m->m_hi, m->m_lo);
    arb_set_fmpq(dl, q, wp);
    /* lambda = la + D x */
    if (j == 0) {
        arb_one(e0);
    } else if (j == 1) {
        arb_set(e0, la);
        arb_set(e1, dl);
    } else {
        arb_mul(e0, la, la, wp);
        arb_mul(e1, la, dl, wp);
        arb_mul_2exp_si(e1, e1, 1);
        arb_mul(e2, dl, dl, wp);
    }
    if (sub) {
        /* minus lambda^(j-1) */
        if (j == 1) {
            arb_sub_ui(e0, e0, 1, wp);
        } else if (j == 2) {
            arb_sub(e0, e0, la, wp);
            arb_sub(e1, e1, dl, wp);
        }
    }
    beta_poly_expect(res, m, e0, e1, e2, k, gamma, prec);
    arb_clear(e0); arb_clear(e1); arb_clear(e2); arb_clear(la); arb_clear(dl);
    fmpq_clear(q);
}

void cp_flow_moment(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec)
{
    if (m->prior == CP_PRIOR_TWOPOINT || fmpq_equal(m->m_lo, m->m_hi)) {
        arb_t t;
        arb_init(t);
        moment_point(res, m->m_lo, j, k, gamma, prec);
        if (m->prior == CP_PRIOR_TWOPOINT) {
            moment_point(t, m->m_hi, j, k, gamma, prec);
            arb_add(res, res, t, prec);
            arb_mul_2exp_si(res, res, -1);
        }
        arb_clear(t);
    } else if (m->prior == CP_PRIOR_UNIFORM) {
        moment_uniform(res, m, j, k, gamma, prec);
    } else if (j >= 0) {
        moment_beta(res, m, j, 0, k, gamma, prec);
    } else {
        moment_generic(res, m, j, k, gamma, prec);
    }
}

void cp_flow_cmoment(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec)
{
    arb_t t;
    if (m->prior == CP_PRIOR_BETA && j >= 1 && !fmpq_equal(m->m_lo, m->m_hi)) {
        moment_beta(res, m, j, 1, k, gamma, prec);
        return;
    }
    arb_init(t);
    cp_flow_moment(t, m, j - 1, k, gamma, prec);
    cp_flow_moment(res, m, j, k, gamma, prec);
    arb_sub(res, res, t, prec);
    arb_clear(t);
}

/* E[lambda^j w^k] for every model with 1 + m_lo in la, 1 + m_hi in lb,
 * m_hi - m_lo in dl (docs/model.md (BX-8)). */
static int moment_box(arb_t res, cp_prior_kind prior, const arb_t la, const arb_t lb, const arb_t dl,
                      int j, ulong k, const arb_t gamma, slong prec)
{
    if (prior == CP_PRIOR_TWOPOINT) {
        arb_t t;
        arb_init(t);
        moment_point_ball(res, la, j, k, gamma, prec);
        moment_point_ball(t, lb, j, k, gamma, prec);
        arb_add(res, res, t, prec);
        arb_mul_2exp_si(res, res, -1);
        arb_clear(t);
        return 0;
    }
    if (prior != CP_PRIOR_UNIFORM || !arb_is_positive(dl))
        return -1;
    return moment_uniform_ball(res, la, lb, dl, j, k, gamma, prec);
}

int cp_flow_cmoment_box(arb_t res, cp_prior_kind prior, const arb_t la, const arb_t lb, const arb_t dl,
                        int j, ulong k, const arb_t gamma, slong prec)
{
    arb_t t;
    int rc;
    arb_init(t);
    rc = moment_box(t, prior, la, lb, dl, j - 1, k, gamma, prec);
    if (rc == 0)
        rc = moment_box(res, prior, la, lb, dl, j, k, gamma, prec);
    if (rc == 0)
        arb_sub(res, res, t, prec);
    else
        arb_indeterminate(res);
    arb_clear(t);
    return rc;
}

/* --- one-parameter model (GF-2) ------------------------------------------ */

void cp_flow_excess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec)
{
    arb_t g;
    arb_init(g);
    arb_neg(g, alpha);
    cp_flow_cmoment(res, m, 0, 2 * T, g, prec);
    arb_clear(g);
}

void cp_flow_dexcess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec)
{
    arb_t g;
    arb_init(g);
    arb_neg(g, alpha);
    cp_flow_cmoment(res, m, 1, 2 * T - 1, g, prec);
    arb_mul_ui(res, res, 2 * T, prec);
    arb_neg(res, res);
    arb_clear(g);
}

void cp_flow_d2excess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec)
{
    arb_t g;
    arb_init(g);
    arb_neg(g, alpha);
    cp_flow_cmoment(res, m, 2, 2 * T - 2, g, prec);
    arb_mul_ui(res, res, 2 * T, prec);
    arb_mul_ui(res, res, 2 * T - 1, prec);
    arb_clear(g);
}

void cp_flow_loss1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec)
{
    arb_t b;
    arb_init(b);
    cp_bayes_risk(b, m, prec);
    cp_flow_excess1(res, m, alpha, T, prec);
    arb_add(res, res, b, prec);
    arb_clear(b);
}

/* Sets res to the exact point x + sgn * |x| 2^-shift (arf arithmetic is exact here). */
static void offset_point(arb_t res, const arf_t x, int sgn, slong shift)
{
    arf_t e;
    arf_init(e);
    arf_abs(e, x);
    arf_mul_2exp_si(e, e, -shift);
    if (sgn < 0)
        arf_neg(e, e);
    arf_add(e, e, x, ARF_PREC_EXACT, ARF_RND_DOWN);
    arb_set_arf(res, e);
    arf_clear(e);
}

/* Safeguarded Newton on E1' at precision wp (approximate: midpoints only);
 * [lo, hi] is updated from certified signs, x is the current iterate. */
static void newton1(arb_t x, arb_t lo, arb_t hi, const cp_model_t m, ulong T, slong wp)
{
    arb_t d1, d2, step, a, b;
    arb_init(d1); arb_init(d2); arb_init(step); arb_init(a); arb_init(b);
    for (int it = 0; it < 400; it++) {
        cp_flow_dexcess1(d1, m, x, T, wp);
        if (arb_is_negative(d1))
            arb_set(lo, x);
        else if (arb_is_positive(d1))
            arb_set(hi, x);
        else
            break;                           /* sign unknown: at the precision floor */
        cp_flow_d2excess1(d2, m, x, T, wp);
        arb_get_mid_arb(d1, d1);
        arb_get_mid_arb(d2, d2);
        arb_div(step, d1, d2, wp);
        arb_sub(a, x, step, wp);
        arb_get_mid_arb(a, a);
        /* converged to the working precision: a Newton step below a few ulps */
        arb_abs(b, step);
        arb_mul_2exp_si(d1, x, -(wp - 8));
        arb_abs(d1, d1);
        if (arb_is_positive(d2) && arb_le(b, d1)) {
            if (arb_gt(a, lo) && arb_lt(a, hi))
                arb_swap(x, a);
            break;
        }
        if (!arb_is_positive(d2) || !arb_gt(a, lo) || !arb_lt(a, hi)) {
            arb_add(a, lo, hi, wp);
            arb_mul_2exp_si(a, a, -1);
            arb_get_mid_arb(a, a);
        }
        arb_sub(step, a, x, wp);
        arb_abs(step, step);
        arb_swap(x, a);
        arb_mul_2exp_si(b, x, -(wp - 6));
        if (arb_le(step, b))
            break;
    }
    arb_clear(d1); arb_clear(d2); arb_clear(step); arb_clear(a); arb_clear(b);
}

int cp_flow_alpha_opt(arb_t res, const cp_model_t m, ulong T, slong prec)
{
    arb_t x, d1, d2, lo, hi, a, b;
    fmpq_t q;
    int ok = 0;
    if (fmpq_equal(m->m_lo, m->m_hi) && fmpq_sgn(m->m_hi) > 0) {
        /* a one-point support: E1 = (1 - 1/lambda)(1 - alpha lambda)^(2T) is
         * minimised exactly at alpha = 1/lambda = alpha* (docs/model.md (GF-2)) */
        fmpq_init(q);
        fmpq_add_si(q, m->m_lo, 1);
        fmpq_inv(q, q);
        arb_set_fmpq(res, q, prec);
        fmpq_clear(q);
        return 1;
    }
    arb_init(x); arb_init(d1); arb_init(d2);
    arb_init(lo); arb_init(hi); arb_init(a); arb_init(b);
    fmpq_init(q);
    /* Search bracket (0, 1/(1 + m_lo)): E1' < 0 at 0 and > 0 at 1/(1+m_lo)
     * (docs/model.md (GF-2)); used only to safeguard the search. */
    arb_zero(lo);
    arb_set_fmpq(hi, m->m_lo, prec);
    arb_add_ui(hi, hi, 1, prec);
    arb_inv(hi, hi, prec);
    arb_get_mid_arb(hi, hi);
    cp_alpha_star(q, m);
    arb_set_fmpq(x, q, prec);
    /* start at the asymptotic guess alpha* - c_inf/T (GF-4) when it applies */
    if (cp_flow_rate_limit(a, m, 64)) {
        arb_div_ui(a, a, T, 64);
        arb_sub(a, x, a, prec);
        arb_get_mid_arb(a, a);
        if (arb_gt(a, lo) && arb_lt(a, hi))
            arb_set(x, a);
    }
    arb_get_mid_arb(x, x);
    /* cheap search at 64 bits, then polish at the working precision */
    if (prec > 96)
        newton1(x, lo, hi, m, T, 64);
    newton1(x, lo, hi, m, T, prec);
    /* Certification: E1' < 0 at x - eps and E1' > 0 at x + eps, with E1'
     * strictly increasing (GF-2), bracket the unique root. */
    for (slong shift = prec - 20; shift >= prec / 2 && !ok; shift -= 12) {
        offset_point(a, arb_midref(x), -1, shift);
        offset_point(b, arb_midref(x), +1, shift);
        cp_flow_dexcess1(d1, m, a, T, prec);
        if (!arb_is_negative(d1))
            continue;
        cp_flow_dexcess1(d2, m, b, T, prec);
        if (!arb_is_positive(d2))
            continue;
        arb_union(res, a, b, prec + 16);
        ok = 1;
    }
    if (!ok)
        arb_indeterminate(res);
    arb_clear(x); arb_clear(d1); arb_clear(d2);
    arb_clear(lo); arb_clear(hi); arb_clear(a); arb_clear(b);
    fmpq_clear(q);
    return ok;
}

int cp_flow_rate_limit(arb_t res, const cp_model_t m, slong prec)
{
    fmpq_t q;
    arb_t t;
    int ok = fmpq_sgn(m->m_lo) > 0 && fmpq_cmp(m->m_lo, m->m_hi) < 0 &&
             (m->prior != CP_PRIOR_BETA || fmpq_equal(m->beta_a, m->beta_b));
    if (!ok) {
        arb_indeterminate(res);
        return 0;
    }
    fmpq_init(q);
    arb_init(t);
    /* rho* ln(m_hi/m_lo) / (2 (2 + m_lo + m_hi))  (GF-4) */
    fmpq_div(q, m->m_hi, m->m_lo);
    arb_set_fmpq(t, q, prec);
    arb_log(t, t, prec);
    cp_rho_star(q, m);
    arb_mul_fmpz(t, t, fmpq_numref(q), prec);
    arb_div_fmpz(t, t, fmpq_denref(q), prec);
    fmpq_add(q, m->m_lo, m->m_hi);
    fmpq_add_si(q, q, 2);
    fmpq_mul_2exp(q, q, 1);
    arb_div_fmpz(t, t, fmpq_numref(q), prec);
    arb_mul_fmpz(res, t, fmpq_denref(q), prec);
    fmpq_clear(q);
    arb_clear(t);
    return 1;
}

/* --- two-parameter model (GF-5) ------------------------------------------ */

typedef struct {
    arb_t P, D1, D2, D1p, D2p, D1pp, D2pp;     /* D1 = C(0,T), D2 = C(0,2T) and beta-derivatives */
    arb_t Q, S, Q1, S1, Q2, S2;                /* Q = P - D1, S = P - 2 D1 + D2 and derivatives */
} profile_parts;

static void parts_init(profile_parts *p)
{
    arb_init(p->P); arb_init(p->D1); arb_init(p->D2); arb_init(p->D1p); arb_init(p->D2p);
    arb_init(p->D1pp); arb_init(p->D2pp);
    arb_init(p->Q); arb_init(p->S); arb_init(p->Q1); arb_init(p->S1); arb_init(p->Q2); arb_init(p->S2);
}

static void parts_clear(profile_parts *p)
{
    arb_clear(p->P); arb_clear(p->D1); arb_clear(p->D2); arb_clear(p->D1p); arb_clear(p->D2p);
    arb_clear(p->D1pp); arb_clear(p->D2pp);
    arb_clear(p->Q); arb_clear(p->S); arb_clear(p->Q1); arb_clear(p->S1); arb_clear(p->Q2); arb_clear(p->S2);
}

/* P = C(0,0), D1 = C(0,T), D2 = C(0,2T) (GF-5), d/dbeta v^k = k lambda v^(k-1):
 * D1' = T C(1,T-1), D2' = 2T C(1,2T-1), D1'' = T(T-1) C(2,T-2), D2'' = 2T(2T-1) C(2,2T-2).
 * Q = P - D1, S = P - 2 D1 + D2. */
static void parts_eval(profile_parts *p, const cp_model_t m, const arb_t beta, ulong T, int order, slong prec)
{
    cp_prior_mean_s_over_1ps(p->P, m, prec);
    cp_flow_cmoment(p->D1, m, 0, T, beta, prec);
    cp_flow_cmoment(p->D2, m, 0, 2 * T, beta, prec);
    arb_sub(p->Q, p->P, p->D1, prec);
    arb_mul_2exp_si(p->S, p->D1, 1);
    arb_sub(p->S, p->P, p->S, prec);
    arb_add(p->S, p->S, p->D2, prec);
    if (order >= 1) {
        cp_flow_cmoment(p->D1p, m, 1, T - 1, beta, prec);
        arb_mul_ui(p->D1p, p->D1p, T, prec);
        cp_flow_cmoment(p->D2p, m, 1, 2 * T - 1, beta, prec);
        arb_mul_ui(p->D2p, p->D2p, 2 * T, prec);
        arb_neg(p->Q1, p->D1p);
        arb_mul_2exp_si(p->S1, p->D1p, 1);
        arb_sub(p->S1, p->D2p, p->S1, prec);
    }
    if (order >= 2) {
        if (T >= 2) {
            cp_flow_cmoment(p->D1pp, m, 2, T - 2, beta, prec);
            arb_mul_ui(p->D1pp, p->D1pp, T * (T - 1), prec);
        } else {
            arb_zero(p->D1pp);
        }
        cp_flow_cmoment(p->D2pp, m, 2, 2 * T - 2, beta, prec);
        arb_mul_ui(p->D2pp, p->D2pp, 2 * T, prec);
        arb_mul_ui(p->D2pp, p->D2pp, 2 * T - 1, prec);
        arb_neg(p->Q2, p->D1pp);
        arb_mul_2exp_si(p->S2, p->D1pp, 1);
        arb_sub(p->S2, p->D2pp, p->S2, prec);
    }
}

/* h = P - Q^2/S = N/S with the Cauchy-Schwarz gap N = P D2 - D1^2 >= 0, which
 * avoids the cancellation of P against Q^2/S (docs/model.md (GF-5)):
 * h' = (N' S - N S')/S^2,  h'' = (N'' S - N S'')/S^2 - 2 S' (N' S - N S')/S^3,
 * N' = P D2' - 2 D1 D1',  N'' = P D2'' - 2 D1'^2 - 2 D1 D1''. */
void cp_flow_profile(arb_t h, arb_t h1, arb_t h2, arb_t r, const cp_model_t m,
                     const arb_t beta, ulong T, slong prec)
{
    profile_parts p;
    arb_t N, N1, N2, t, u, G;
    int order = h2 ? 2 : h1 ? 1 : 0;
    parts_init(&p);
    arb_init(N); arb_init(N1); arb_init(N2); arb_init(t); arb_init(u); arb_init(G);
    parts_eval(&p, m, beta, T, order, prec);
    arb_mul(N, p.P, p.D2, prec);
    arb_submul(N, p.D1, p.D1, prec);
    if (r)
        arb_div(r, p.Q, p.S, prec);
    if (h)
        arb_div(h, N, p.S, prec);
    if (order >= 1) {
        arb_mul(N1, p.P, p.D2p, prec);
        arb_mul(t, p.D1, p.D1p, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_sub(N1, N1, t, prec);
        /* G = N' S - N S' */
        arb_mul(G, N1, p.S, prec);
        arb_submul(G, N, p.S1, prec);
        if (h1) {
            arb_mul(t, p.S, p.S, prec);
            arb_div(h1, G, t, prec);
        }
    }
    if (order >= 2) {
        arb_mul(N2, p.P, p.D2pp, prec);
        arb_mul(t, p.D1p, p.D1p, prec);
        arb_addmul(t, p.D1, p.D1pp, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_sub(N2, N2, t, prec);
        arb_mul(t, N2, p.S, prec);
        arb_submul(t, N, p.S2, prec);
        arb_mul(u, p.S, p.S, prec);
        arb_div(t, t, u, prec);
        arb_mul(u, u, p.S, prec);
        arb_mul(G, G, p.S1, prec);
        arb_mul_2exp_si(G, G, 1);
        arb_div(G, G, u, prec);
        arb_sub(h2, t, G, prec);
    }
    parts_clear(&p);
    arb_clear(N); arb_clear(N1); arb_clear(N2); arb_clear(t); arb_clear(u); arb_clear(G);
}

void cp_flow_excess2(arb_t res, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec)
{
    profile_parts p;
    arb_t r, q, t;
    parts_init(&p);
    arb_init(r);
    arb_init(q);
    arb_init(t);
    parts_eval(&p, m, beta, T, 0, prec);
    /* E[w (q + r v^T)^2] = q^2 P + 2 q r D1 + r^2 D2, r = -alpha/beta, q = 1 - r = (alpha + beta)/beta */
    arb_div(r, alpha, beta, prec);
    arb_neg(r, r);
    arb_add(q, alpha, beta, prec);
    arb_div(q, q, beta, prec);
    arb_mul(t, q, q, prec);
    arb_mul(res, t, p.P, prec);
    arb_mul(t, q, r, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_addmul(res, t, p.D1, prec);
    arb_mul(t, r, r, prec);
    arb_addmul(res, t, p.D2, prec);
    parts_clear(&p);
    arb_clear(r);
    arb_clear(q);
    arb_clear(t);
}

/* f(r, beta) = P - 2 r Q + r^2 S with r = -alpha/beta; chain rule to (alpha, beta). */
static void derivs2(arb_t ga, arb_t gb, arb_t haa, arb_t hab, arb_t hbb, const cp_model_t m,
                    const arb_t alpha, const arb_t beta, ulong T, int order, slong prec)
{
    profile_parts p;
    arb_t r, fr, fb, frr, frb, fbb, ra, rb, rab, rbb, t;
    parts_init(&p);
    arb_init(r); arb_init(fr); arb_init(fb); arb_init(frr); arb_init(frb); arb_init(fbb);
    arb_init(ra); arb_init(rb); arb_init(rab); arb_init(rbb); arb_init(t);
    parts_eval(&p, m, beta, T, order, prec);
    arb_div(r, alpha, beta, prec);
    arb_neg(r, r);
    /* f_r = 2 (r S - Q), f_beta = r^2 S' - 2 r Q' */
    arb_mul(fr, r, p.S, prec);
    arb_sub(fr, fr, p.Q, prec);
    arb_mul_2exp_si(fr, fr, 1);
    arb_mul(fb, r, p.S1, prec);
    arb_submul_ui(fb, p.Q1, 2, prec);
    arb_mul(fb, fb, r, prec);
    /* r_alpha = -1/beta, r_beta = alpha/beta^2, r_ab = 1/beta^2, r_bb = -2 alpha/beta^3 */
    arb_inv(ra, beta, prec);
    arb_mul(rab, ra, ra, prec);
    arb_neg(ra, ra);
    arb_mul(rb, alpha, rab, prec);
    arb_mul(rbb, rb, ra, prec);
    arb_mul_2exp_si(rbb, rbb, 1);
    if (ga) arb_mul(ga, fr, ra, prec);
    if (gb) {
        arb_mul(t, fr, rb, prec);
        arb_add(gb, t, fb, prec);
    }
    if (order >= 2) {
        arb_mul_2exp_si(frr, p.S, 1);
        arb_mul(frb, r, p.S1, prec);
        arb_sub(frb, frb, p.Q1, prec);
        arb_mul_2exp_si(frb, frb, 1);
        arb_mul(fbb, r, p.S2, prec);
        arb_submul_ui(fbb, p.Q2, 2, prec);
        arb_mul(fbb, fbb, r, prec);
        arb_mul(t, ra, ra, prec);
        arb_mul(haa, frr, t, prec);
        arb_mul(t, frr, ra, prec);
        arb_mul(hab, t, rb, prec);
        arb_addmul(hab, frb, ra, prec);
        arb_addmul(hab, fr, rab, prec);
        arb_mul(t, rb, rb, prec);
        arb_mul(hbb, frr, t, prec);
        arb_mul(t, frb, rb, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_add(hbb, hbb, t, prec);
        arb_add(hbb, hbb, fbb, prec);
        arb_addmul(hbb, fr, rbb, prec);
    }
    parts_clear(&p);
    arb_clear(r); arb_clear(fr); arb_clear(fb); arb_clear(frr); arb_clear(frb); arb_clear(fbb);
    arb_clear(ra); arb_clear(rb); arb_clear(rab); arb_clear(rbb); arb_clear(t);
}

void cp_flow_grad2(arb_t ga, arb_t gb, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec)
{
    derivs2(ga, gb, NULL, NULL, NULL, m, alpha, beta, T, 1, prec);
}

void cp_flow_hess2(arb_t haa, arb_t hab, arb_t hbb, const cp_model_t m, const arb_t alpha,
                   const arb_t beta, ulong T, slong prec)
{
    derivs2(NULL, NULL, haa, hab, hbb, m, alpha, beta, T, 2, prec);
}

int cp_flow_opt2(arb_t alpha, arb_t beta, arb_t r, const cp_model_t m, ulong T, slong prec)
{
    arb_t x, h1, h2, step, a, b, ball, t;
    int ok = 0;
    if (T < 2) {
        arb_indeterminate(alpha);
        arb_indeterminate(beta);
        arb_indeterminate(r);
        return 0;                  /* T = 1: beta is not identified */
    }
    if (T == 2 && m->prior == CP_PRIOR_TWOPOINT && fmpq_sgn(m->m_lo) > 0
        && fmpq_cmp(m->m_lo, m->m_hi) < 0) {
        /* Exact (docs/model.md (GF-5), two-point remark): at T = 2 the residual
         * 1 - alpha lambda (2 + beta lambda) is a quadratic with constant term
         * 1, so it vanishes at both support points exactly when it equals
         * (1 - lambda/la)(1 - lambda/lb): alpha = (la + lb)/(2 la lb) =
         * alpha* / (1 - rho*^2), beta = -2/(la + lb) = -alpha*.  There E2 = 0,
         * and nowhere else (both weights 1 - 1/lambda are positive), so this
         * is the unique minimizer. */
        fmpq_t la, lb, qa, qb;
        fmpq_init(la); fmpq_init(lb); fmpq_init(qa); fmpq_init(qb);
        fmpq_add_si(la, m->m_lo, 1);
        fmpq_add_si(lb, m->m_hi, 1);
        fmpq_add(qb, la, lb);
        fmpq_mul(qa, la, lb);
        fmpq_mul_2exp(qa, qa, 1);
        fmpq_div(qa, qb, qa);            /* alpha */
        fmpq_inv(qb, qb);
        fmpq_mul_2exp(qb, qb, 1);
        fmpq_neg(qb, qb);                /* beta */
        arb_set_fmpq(alpha, qa, prec);
        arb_set_fmpq(beta, qb, prec);
        fmpq_div(qa, qa, qb);
        fmpq_neg(qa, qa);
        arb_set_fmpq(r, qa, prec);       /* r = -alpha/beta */
        fmpq_clear(la); fmpq_clear(lb); fmpq_clear(qa); fmpq_clear(qb);
        return 1;
    }
    arb_init(x); arb_init(h1); arb_init(h2); arb_init(step);
    arb_init(a); arb_init(b); arb_init(ball); arb_init(t);
    /* start at -alpha_T of the one-parameter model (approximate) */
    if (!cp_flow_alpha_opt(x, m, T, FLINT_MIN(prec, 128))) {
        fmpq_t q;
        fmpq_init(q);
        cp_alpha_star(q, m);
        arb_set_fmpq(x, q, prec);
        fmpq_clear(q);
    }
    arb_get_mid_arb(x, x);
    arb_neg(x, x);
    for (int it = 0; it < 200; it++) {
        cp_flow_profile(NULL, h1, h2, NULL, m, x, T, prec);
        if (arb_contains_zero(h1) || !arb_is_positive(h2))
            break;
        arb_get_mid_arb(h1, h1);
        arb_get_mid_arb(h2, h2);
        arb_div(step, h1, h2, prec);
        /* damp: at most 10% of |beta| per step */
        arb_abs(t, x);
        arb_mul_2exp_si(t, t, -3);
        if (arb_gt(step, t)) arb_set(step, t);
        arb_neg(t, t);
        if (arb_lt(step, t)) arb_set(step, t);
        arb_sub(x, x, step, prec);
        arb_get_mid_arb(x, x);
        arb_abs(step, step);
        arb_abs(t, x);
        arb_mul_2exp_si(t, t, -(prec - 6));
        if (arb_le(step, t))
            break;
    }
    for (slong shift = prec - 20; shift >= prec / 2 && !ok; shift -= 12) {
        /* beta < 0, so x - eps|x| is the left end */
        offset_point(a, arb_midref(x), -1, shift);
        offset_point(b, arb_midref(x), +1, shift);
        cp_flow_profile(NULL, h1, NULL, NULL, m, a, T, prec);
        if (!arb_is_negative(h1))
            continue;
        cp_flow_profile(NULL, h1, NULL, NULL, m, b, T, prec);
        if (!arb_is_positive(h1))
            continue;
        arb_union(ball, a, b, prec + 16);
        if (!arb_is_negative(ball))
            continue;                    /* the reduction (GF-5) needs beta < 0 */
        cp_flow_profile(NULL, NULL, h2, r, m, ball, T, prec);
        if (!arb_is_positive(h2) || !arb_is_positive(r))
            continue;
        arb_set(beta, ball);
        arb_mul(alpha, r, ball, prec);
        arb_neg(alpha, alpha);
        ok = 1;
    }
    if (!ok) {
        arb_indeterminate(alpha);
        arb_indeterminate(beta);
        arb_indeterminate(r);
    }
    arb_clear(x); arb_clear(h1); arb_clear(h2); arb_clear(step);
    arb_clear(a); arb_clear(b); arb_clear(ball); arb_clear(t);
    return ok;
}

static int convex_rec(const cp_model_t m, const arb_t lo, const arb_t hi, ulong T,
                      slong *budget, slong prec)
{
    arb_t ball, h2, mid;
    int ok;
    if (*budget <= 0)
        return 0;
    (*budget)--;
    arb_init(ball);
    arb_init(h2);
    arb_init(mid);
    arb_union(ball, lo, hi, prec);
    cp_flow_profile(NULL, NULL, h2, NULL, m, ball, T, prec);
    ok = arb_is_positive(h2);
    if (!ok) {
        arb_add(mid, lo, hi, prec);
        arb_mul_2exp_si(mid, mid, -1);
        arb_get_mid_arb(mid, mid);
        ok = convex_rec(m, lo, mid, T, budget, prec) && convex_rec(m, mid, hi, T, budget, prec);
    }
    arb_clear(ball);
    arb_clear(h2);
    arb_clear(mid);
    return ok;
}

int cp_flow_profile_convex_on(const cp_model_t m, const arb_t lo, const arb_t hi, ulong T,
                              slong max_pieces, slong prec)
{
    slong budget = max_pieces;
    if (!arb_is_negative(hi))
        return 0;              /* the profile is defined for beta < 0 */
    return convex_rec(m, lo, hi, T, &budget, prec);
}

/* --- untied layers (GF-6) ------------------------------------------------ */

typedef struct { arb_srcptr alpha, beta; slong T; } untied_param;

static int untied_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    const untied_param *p = param;
    acb_t lam, st, t;
    (void) order;
    acb_init(lam);
    acb_init(st);
    acb_init(t);
    acb_add_ui(lam, s, 1, prec);
    acb_zero(st);
    for (slong i = 0; i < p->T; i++) {
        /* s_{t+1} = (1 + beta_t lambda) s_t + alpha_t */
        acb_mul_arb(t, lam, p->beta + i, prec);
        acb_add_ui(t, t, 1, prec);
        acb_mul(st, st, t, prec);
        acb_add_arb(st, st, p->alpha + i, prec);
    }
    /* (1 - 1/lambda)(1 - lambda s_T)^2 */
    acb_mul(st, st, lam, prec);
    acb_sub_ui(st, st, 1, prec);
    acb_mul(st, st, st, prec);
    acb_inv(t, lam, prec);
    acb_sub_ui(t, t, 1, prec);
    acb_neg(t, t);
    acb_mul(res, st, t, prec);
    acb_clear(lam);
    acb_clear(st);
    acb_clear(t);
    return 0;
}

void cp_flow_excess_untied(arb_t res, const cp_model_t m, arb_srcptr alpha, arb_srcptr beta,
                           slong T, slong prec)
{
    untied_param p = { alpha, beta, T };
    cp_prior_expect(res, m, untied_integrand, &p, prec);
}

void cp_flow_chebyshev_steps(arb_ptr alpha, const cp_model_t m, slong T, slong prec)
{
    arb_t mid, half, c;
    fmpq_t q;
    arb_init(mid);
    arb_init(half);
    arb_init(c);
    fmpq_init(q);
    /* nu_t = (la + lb)/2 + (lb - la)/2 cos(pi (2t - 1)/(2T)) */
    fmpq_add(q, m->m_lo, m->m_hi);
    fmpq_add_si(q, q, 2);
    fmpq_div_2exp(q, q, 1);
    arb_set_fmpq(mid, q, prec);
    fmpq_sub(q, m->m_hi, m->m_lo);
    fmpq_div_2exp(q, q, 1);
    arb_set_fmpq(half, q, prec);
    for (slong t = 1; t <= T; t++) {
        fmpq_set_si(q, 2 * t - 1, (ulong) (2 * T));
        arb_cos_pi_fmpq(c, q, prec);
        arb_mul(c, c, half, prec);
        arb_add(c, c, mid, prec);
        arb_inv(alpha + t - 1, c, prec);
    }
    arb_clear(mid);
    arb_clear(half);
    arb_clear(c);
    fmpq_clear(q);
}
