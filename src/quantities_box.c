/* quantities_box.c -- region forms (eval_box) of the core quantities of
 * quantities.c: each writes a ball holding the quantity at EVERY point of
 * the box (docs/model.md, section 10).  Most use the monotone coupling
 * (BX-1): s = (1 - X) m_lo + X m_hi, so a prior expectation of a monotone
 * function of s is monotone in m_lo and m_hi and its range over a box is
 * spanned by two corners, computed by the exact point functions of lsa.c
 * and model.c. */
#include <string.h>
#include "crossproof/boxq.h"
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"

#define QB_MAX_T 10000000
#define MODEL_RANGES "m_lo,m_hi,sigma"

typedef void (*pt_fn)(arb_t res, const cp_model_t m, slong prec);

/* res := [f(corner c0) lower, f(corner c1) upper] for f non-decreasing from
 * corner c0 to corner c1 (each corner: index of m_lo, m_hi, sigma). */
static void corner_span(arb_t res, cp_boxm *bm, pt_fn f, const int c0[3], const int c1[3], slong prec)
{
    arb_t a, b;
    arf_t l, u;
    arb_init(a);
    arb_init(b);
    arf_init(l);
    arf_init(u);
    f(a, cp_boxm_corner(bm, c0[0], c0[1], c0[2]), prec);
    f(b, cp_boxm_corner(bm, c1[0], c1[1], c1[2]), prec);
    arb_get_lbound_arf(l, a, prec);
    arb_get_ubound_arf(u, b, prec);
    if (arf_cmp(l, u) <= 0)
        arb_set_interval_arf(res, l, u, prec);
    else
        arb_union(res, a, b, prec);     /* cannot happen for a monotone f; stays valid */
    arb_clear(a);
    arb_clear(b);
    arf_clear(l);
    arf_clear(u);
}

static const int C_LL[3] = { 0, 0, 0 }, C_HH[3] = { 1, 1, 0 };
static const int C_HL[3] = { 1, 0, 0 }, C_LH[3] = { 0, 1, 0 };

static int load(cp_boxm *bm, const cp_box *b, const char *name, const char *allowed, char *err)
{
    const cp_quantity_def *q = cp_quantity_lookup(name);
    return cp_qbox_load(bm, b, q->keys, allowed, name, err);
}

#define WITH_BOX(name, allowed, ...)                          \
    cp_boxm bm;                                               \
    int rc;                                                   \
    cp_boxm_init(&bm);                                        \
    rc = load(&bm, box, name, allowed, err);                  \
    if (rc == 0) { __VA_ARGS__ }                              \
    cp_boxm_clear(&bm);                                       \
    return rc;

/* --- alpha*, rho* (exact rationals at the corners) ---------------------- */

static void pt_alpha_star(arb_t res, const cp_model_t m, slong prec)
{
    fmpq_t q;
    fmpq_init(q);
    cp_alpha_star(q, m);
    arb_set_fmpq(res, q, prec);
    fmpq_clear(q);
}

static void pt_rho_star(arb_t res, const cp_model_t m, slong prec)
{
    fmpq_t q;
    fmpq_init(q);
    cp_rho_star(q, m);
    arb_set_fmpq(res, q, prec);
    fmpq_clear(q);
}

/* alpha* = 2/(2 + m_lo + m_hi) decreases in both (BX-3). */
int cp_qbox_alpha_star(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("alpha-star", MODEL_RANGES, { corner_span(res, &bm, pt_alpha_star, C_HH, C_LL, prec); })
}

/* rho* = (m_hi - m_lo)/(2 + m_lo + m_hi): d/dm_lo = -2(1 + m_hi)/D^2 < 0,
 * d/dm_hi = 2(1 + m_lo)/D^2 > 0 (BX-3). */
int cp_qbox_rho_star(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("rho-star", MODEL_RANGES, { corner_span(res, &bm, pt_rho_star, C_HL, C_LH, prec); })
}

/* --- expectations of monotone functions (BX-1) --------------------------- */

/* E[1/(1+s)] + sigma^2: decreasing in m_lo, m_hi, increasing in sigma >= 0. */
int cp_qbox_bayes_risk(arb_t res, const cp_box *box, slong prec, char *err)
{
    static const int lo[3] = { 1, 1, 0 }, hi[3] = { 0, 0, 1 };
    WITH_BOX("bayes-risk", MODEL_RANGES, { corner_span(res, &bm, cp_bayes_risk, lo, hi, prec); })
}

static void pt_m1(arb_t res, const cp_model_t m, slong prec) { cp_prior_moment(res, m, 1, prec); }
static void pt_m2(arb_t res, const cp_model_t m, slong prec) { cp_prior_moment(res, m, 2, prec); }
static void pt_sl(arb_t res, const cp_model_t m, slong prec) { cp_prior_mean_s_over_1ps(res, m, prec); }

/* Balls of E[s], E[s^2], E[s/(1+s)] over the box: all three increase in
 * m_lo and m_hi (BX-1), so [value at (lo0, hi0), value at (lo1, hi1)]. */
static void box_moments(arb_t m1, arb_t m2, arb_t a0, cp_boxm *bm, slong prec)
{
    corner_span(m1, bm, pt_m1, C_LL, C_HH, prec);
    corner_span(m2, bm, pt_m2, C_LL, C_HH, prec);
    corner_span(a0, bm, pt_sl, C_LL, C_HH, prec);
}

/* gamma_avg = E[s]/E[s(1+s)] = 1/(1 + E[s^2]/E[s]) (one ball per moment). */
static void gamma_avg_of(arb_t res, const arb_t m1, const arb_t m2, slong prec)
{
    arb_div(res, m2, m1, prec);
    arb_add_ui(res, res, 1, prec);
    arb_inv(res, res, prec);
}

int cp_qbox_lsa_gamma_avg(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("lsa-gamma-avg", MODEL_RANGES, {
        arb_t m1, m2, a0;
        arb_init(m1); arb_init(m2); arb_init(a0);
        box_moments(m1, m2, a0, &bm, prec);
        gamma_avg_of(res, m1, m2, prec);
        arb_clear(m1); arb_clear(m2); arb_clear(a0);
    })
}

/* E[s/(1+s)] - E[s]^2/E[s(1+s)] = a0 - E[s] gamma_avg; with gamma:
 * a2 g^2 - 2 g a1 + a0, intersected with its completed square
 * (a0 - a1 gamma_avg) + a2 (g - gamma_avg)^2 (both hold at every point). */
int cp_qbox_lsa_excess_avg(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("lsa-excess-avg", MODEL_RANGES ",gamma", {
        arb_t m1, m2, a0, a2, ga, g, t, u;
        arb_init(m1); arb_init(m2); arb_init(a0); arb_init(a2);
        arb_init(ga); arb_init(g); arb_init(t); arb_init(u);
        box_moments(m1, m2, a0, &bm, prec);
        gamma_avg_of(ga, m1, m2, prec);
        arb_add(a2, m1, m2, prec);
        arb_mul(t, m1, ga, prec);
        arb_sub(t, a0, t, prec);                     /* the minimum over gamma */
        if (cp_box_find(box, "gamma") != NULL || cp_kv_has(box->kv, "gamma")) {
            const cp_quantity_def *q = cp_quantity_lookup("lsa-excess-avg");
            rc = cp_box_get_rat(g, box, q->keys, "gamma", prec, err);
            if (rc == 0) {
                arb_sub(u, g, ga, prec);
                arb_sqr(u, u, prec);
                arb_mul(u, u, a2, prec);
                arb_add(t, t, u, prec);              /* completed square */
                arb_sqr(u, g, prec);
                arb_mul(u, u, a2, prec);
                arb_submul(u, g, m1, prec);
                arb_submul(u, g, m1, prec);
                arb_add(u, u, a0, prec);             /* expanded form */
                if (!arb_intersection(res, t, u, prec))
                    arb_union(res, t, u, prec);      /* cannot happen; stays valid */
            }
        } else {
            arb_set(res, t);
        }
        arb_clear(m1); arb_clear(m2); arb_clear(a0); arb_clear(a2);
        arb_clear(ga); arb_clear(g); arb_clear(t); arb_clear(u);
    })
}

/* --- the two-task bound (BX-4) ------------------------------------------ */

/* c = (N/D)^2, N = s2 - s1, D = (1+s1) sqrt(1 + 1/s2) + (1+s2) sqrt(1 + 1/s1):
 * each term of D is monotone in each variable, so
 * c in [(N_min/D_max)^2, (N_max/D_min)^2]. */
static void d_term(arb_t res, const fmpq_t a, const fmpq_t b, slong prec)
{
    /* (1 + a) sqrt(1 + 1/b), b > 0 */
    arb_t t, u;
    arb_init(t);
    arb_init(u);
    arb_set_fmpq(t, b, prec);
    arb_inv(t, t, prec);
    arb_add_ui(t, t, 1, prec);
    arb_sqrt(t, t, prec);
    arb_set_fmpq(u, a, prec);
    arb_add_ui(u, u, 1, prec);
    arb_mul(res, t, u, prec);
    arb_clear(t);
    arb_clear(u);
}

int cp_qbox_lsa_gap(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("lsa-gap", MODEL_RANGES, {
        if (fmpq_is_zero(bm.lo[1])) {
            arb_zero(res);                        /* m_lo = 0 everywhere: p = 0 */
        } else {
            arb_t n, d, t, clo, chi;
            fmpq_t q;
            arf_t l, u;
            arb_init(n); arb_init(d); arb_init(t); arb_init(clo); arb_init(chi);
            fmpq_init(q);
            arf_init(l); arf_init(u);
            /* upper end: N_max = hi1 - lo0, D_min at (lo0, hi1) and (hi0, lo1) */
            fmpq_sub(q, bm.hi[1], bm.lo[0]);
            arb_set_fmpq(n, q, prec);
            d_term(d, bm.lo[0], bm.hi[1], prec);
            d_term(t, bm.hi[0], bm.lo[1], prec);
            arb_add(d, d, t, prec);
            arb_div(chi, n, d, prec);
            arb_sqr(chi, chi, prec);
            arb_get_ubound_arf(u, chi, prec);
            /* lower end: N_min = hi0 - lo1, D_max at (lo1, hi0) and (hi1, lo0) */
            arf_zero(l);
            if (fmpq_sgn(bm.lo[0]) > 0) {
                fmpq_sub(q, bm.hi[0], bm.lo[1]);
                arb_set_fmpq(n, q, prec);
                d_term(d, bm.lo[1], bm.hi[0], prec);
                d_term(t, bm.hi[1], bm.lo[0], prec);
                arb_add(d, d, t, prec);
                arb_div(clo, n, d, prec);
                arb_sqr(clo, clo, prec);
                arb_get_lbound_arf(l, clo, prec);
                if (arf_sgn(l) < 0)
                    arf_zero(l);
            }
            arb_set_interval_arf(res, l, u, prec);
            arb_clear(n); arb_clear(d); arb_clear(t); arb_clear(clo); arb_clear(chi);
            fmpq_clear(q);
            arf_clear(l); arf_clear(u);
        }
    })
}

/* --- minimax gamma (BX-5) ------------------------------------------------ */

/* A ball holding F_m(gamma) = max_{s in supp} s/(1+s)(1 - gamma(1+s))^2 for
 * every model m of the box.  Interval support: F grows with the support,
 * so [F at [lo1, hi0], F at [lo0, hi1]]; two-point: the task excess at the
 * balls of m_lo and m_hi. */
static void box_worst(arb_t res, cp_boxm *bm, const arb_t gamma, slong prec)
{
    if (bm->pt->prior == CP_PRIOR_TWOPOINT) {
        arb_t s, a, b;
        arb_init(s); arb_init(a); arb_init(b);
        cp_arb_set_fmpq_interval(s, bm->lo[0], bm->lo[1], prec);
        cp_lsa_gamma_task_excess(a, s, gamma, prec);
        cp_arb_set_fmpq_interval(s, bm->hi[0], bm->hi[1], prec);
        cp_lsa_gamma_task_excess(b, s, gamma, prec);
        arb_max(res, a, b, prec);
        arb_clear(s); arb_clear(a); arb_clear(b);
    } else {
        arb_t a, b;
        arb_init(a); arb_init(b);
        cp_lsa_gamma_worst(a, cp_boxm_corner(bm, 1, 0, 0), gamma, prec);
        cp_lsa_gamma_worst(b, cp_boxm_corner(bm, 0, 1, 0), gamma, prec);
        arb_union(res, a, b, prec);
        arb_clear(a); arb_clear(b);
    }
}

/* Ternary search valid for the whole box: F_m is convex with its minimizer
 * in [1/(1+m_hi), 1/(1+m_lo)]; sup_m F_m(x1) < inf_m F_m(x2) proves
 * argmin <= x2 for every m, and conversely. */
static void box_worst_fn(arb_t res, const arb_t gamma, const void *bm, slong prec)
{
    box_worst(res, (cp_boxm *) bm, gamma, prec);   /* bm is the caller's non-const box */
}

static void box_gamma_minimax(arb_t gamma, cp_boxm *bm, slong prec)
{
    arf_t lo, hi;
    arb_t t;
    fmpq_t q;
    arf_init(lo); arf_init(hi);
    arb_init(t);
    fmpq_init(q);
    fmpq_add_si(q, bm->hi[1], 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_lbound_arf(lo, t, prec);
    fmpq_add_si(q, bm->lo[0], 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_ubound_arf(hi, t, prec);
    /* the shared search of lsa.c; an undecided step leaves the bracket valid */
    cp_convex_argmin_bracket(lo, hi, box_worst_fn, bm, prec);
    arb_set_interval_arf(gamma, lo, hi, prec);
    arf_clear(lo); arf_clear(hi);
    arb_clear(t);
    fmpq_clear(q);
}

int cp_qbox_lsa_gamma_minimax(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("lsa-gamma-minimax", MODEL_RANGES, { box_gamma_minimax(res, &bm, prec); })
}

static void pt_minimax_value(arb_t res, const cp_model_t m, slong prec)
{
    arb_t g;
    arb_init(g);
    cp_lsa_gamma_minimax(g, res, m, prec);
    arb_clear(g);
}

/* Interval support: min_gamma F_m grows with the support (BX-5), so the
 * corners [lo1, hi0] and [lo0, hi1] span it.  Two-point: F over the box at
 * the box's minimax bracket. */
int cp_qbox_lsa_excess_minimax(arb_t res, const cp_box *box, slong prec, char *err)
{
    WITH_BOX("lsa-excess-minimax", MODEL_RANGES, {
        if (bm.pt->prior == CP_PRIOR_TWOPOINT) {
            arb_t g;
            arb_init(g);
            box_gamma_minimax(g, &bm, prec);
            box_worst(res, &bm, g, prec);
            arb_clear(g);
        } else {
            corner_span(res, &bm, pt_minimax_value, C_HL, C_LH, prec);
        }
    })
}

/* --- cross-attention excess (BX-2) --------------------------------------- */

typedef struct {
    arb_t alpha, beta;
    int tied;             /* beta = -alpha: 1 - phi = (1 - alpha lambda)^T */
    ulong T;
} bca_param;

/* s/(1+s) (1 - phi(lambda))^2 (docs/model.md (CA-1)), all parameters balls */
static int bca_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    const bca_param *c = param;
    acb_t lam, u, t;
    (void) order;
    acb_init(lam); acb_init(u); acb_init(t);
    acb_add_ui(lam, s, 1, prec);
    if (c->tied) {
        acb_mul_arb(u, lam, c->alpha, prec);
        acb_sub_ui(u, u, 1, prec);
        acb_pow_ui(u, u, 2 * c->T, prec);            /* (1 - alpha lambda)^(2T) */
    } else if (arb_is_zero(c->beta)) {
        acb_mul_arb(u, lam, c->alpha, prec);
        acb_mul_ui(u, u, c->T, prec);
        acb_sub_ui(u, u, 1, prec);
        acb_sqr(u, u, prec);
    } else {
        acb_mul_arb(t, lam, c->beta, prec);
        acb_add_ui(t, t, 1, prec);
        acb_pow_ui(t, t, c->T, prec);
        acb_sub_ui(t, t, 1, prec);
        acb_mul_arb(t, t, c->alpha, prec);
        acb_div_arb(u, t, c->beta, prec);
        acb_sub_ui(u, u, 1, prec);
        acb_sqr(u, u, prec);
    }
    acb_mul(u, u, s, prec);
    acb_div(res, u, lam, prec);
    acb_clear(lam); acb_clear(u); acb_clear(t);
    return 0;
}

/* Shared by ca-excess and excess (tied): alpha (default alpha* as a ball
 * over the box), beta (default -alpha, kept tied), T a point. */
static int box_ca(arb_t res, const cp_box *box, const char *name, char *err, slong prec)
{
    const cp_quantity_def *q = cp_quantity_lookup(name);
    WITH_BOX(name, MODEL_RANGES ",alpha,beta", {
        bca_param c;
        slong T = 1;
        arb_init(c.alpha);
        arb_init(c.beta);
        if (cp_box_find(box, "alpha") || cp_kv_has(box->kv, "alpha"))
            rc = cp_box_get_rat(c.alpha, box, q->keys, "alpha", prec, err);
        else
            corner_span(c.alpha, &bm, pt_alpha_star, C_HH, C_LL, prec);
        c.tied = !(cp_box_find(box, "beta") || cp_kv_has(box->kv, "beta"));
        if (rc == 0 && !c.tied)
            rc = cp_box_get_rat(c.beta, box, q->keys, "beta", prec, err);
        if (rc == 0)
            rc = cp_kv_get_int(&T, box->kv, q->keys, "T", err);
        if (rc == 0 && (T < 1 || T > QB_MAX_T)) {
            cp_kv_error(err, box->kv, "T", "T must lie in [1, %d]", QB_MAX_T);
            rc = -1;
        }
        if (rc == 0) {
            c.T = (ulong) T;
            if (cp_boxm_expect(res, &bm, bca_integrand, &c, prec) != 0) {
                cp_kv_error(err, box->kv, "prior", "%s: a Beta prior with non-integer shapes has no region form", name);
                rc = -1;
            }
        }
        arb_clear(c.alpha);
        arb_clear(c.beta);
    })
}

int cp_qbox_ca_excess(arb_t res, const cp_box *box, slong prec, char *err)
{
    return box_ca(res, box, "ca-excess", err, prec);
}

int cp_qbox_excess(arb_t res, const cp_box *box, slong prec, char *err)
{
    if (cp_kv_has(box->kv, "alphas") || cp_kv_has(box->kv, "betas")) {
        cp_kv_error(err, box->kv, cp_kv_has(box->kv, "alphas") ? "alphas" : "betas",
                    "untied alphas/betas lists have no region form for excess");
        return -1;
    }
    return box_ca(res, box, "excess", err, prec);
}
