/* flow_box.c -- region forms (eval_box) of the one-parameter gradient-flow
 * quantities alpha-opt, rate and rate-limit (docs/model.md, section 10,
 * (BX-6) and (BX-7)).
 *
 * alpha_T(m) is the unique root of F(a; m) = E[s u^k], u = 1 - a(1 + s),
 * k = 2T - 1 (E1' = -2T F; F strictly decreasing in a, (GF-2)).  A sign of
 * F(a; m) certified for EVERY model m of the box at a point a bounds alpha_T
 * on the whole box from one side; bisection on such signs gives the
 * enclosure.  The signs come from closed forms in which m_lo and m_hi enter
 * separately, with their monotone pieces (BX-6), so no power of degree 2T is
 * expanded and the cost does not grow with T beyond a few powers. */
#include <string.h>
#include "crossproof/boxq.h"
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"

#define FB_MAX_T 10000000

typedef struct {
    const fmpq *lo0, *lo1, *hi0, *hi1;
    cp_prior_kind prior;
    ulong k;              /* 2T - 1 */
    const cp_boxm *bm;    /* for the Beta prior (integration) */
} fb_ctx;

typedef struct {
    const arb_struct *a;
    ulong k;
} fb_su;

/* s u^k, u = 1 - a(1 + s): the integrand of F (Beta prior, (BX-6)) */
static int su_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    const fb_su *p = param;
    acb_t u;
    (void) order;
    acb_init(u);
    acb_add_ui(u, s, 1, prec);
    acb_mul_arb(u, u, p->a, prec);
    acb_sub_ui(u, u, 1, prec);
    acb_neg(u, u);
    acb_pow_ui(u, u, p->k, prec);
    acb_mul(res, u, s, prec);
    acb_clear(u);
    return 0;
}

/* Psi(s) = u^(k+1) ((1 - a) + a (k+1) s), u = 1 - a(1 + s)  (uniform prior) */
static void psi_uniform(arb_t res, const arb_t a, const fmpq_t s, ulong k, slong prec)
{
    arb_t u, t;
    arb_init(u);
    arb_init(t);
    arb_set_fmpq(t, s, prec);
    arb_add_ui(u, t, 1, prec);
    arb_mul(u, u, a, prec);
    arb_sub_ui(u, u, 1, prec);
    arb_neg(u, u);
    arb_pow_ui(u, u, k + 1, prec);
    arb_mul(t, t, a, prec);
    arb_mul_ui(t, t, k + 1, prec);
    arb_add_ui(t, t, 1, prec);
    arb_sub(t, t, a, prec);
    arb_mul(res, u, t, prec);
    arb_clear(u);
    arb_clear(t);
}

/* psi(s) = s u^k  (two-point prior) */
static void psi_two(arb_t res, const arb_t a, const arb_t s, ulong k, slong prec)
{
    arb_t u;
    arb_init(u);
    arb_add_ui(u, s, 1, prec);
    arb_mul(u, u, a, prec);
    arb_sub_ui(u, u, 1, prec);
    arb_neg(u, u);
    arb_pow_ui(u, u, k, prec);
    arb_mul(res, u, s, prec);
    arb_clear(u);
}

/* [l, h] := a ball holding Psi(s) for every s in [s0, s1].  Psi >= 0
 * (a < 1), decreasing where u > 0 (s < 1/a - 1), increasing beyond. */
static void range_uniform(arb_t res, const arb_t a, const fmpq_t s0, const fmpq_t s1, ulong k, slong prec)
{
    arb_t p0, p1, z, t;
    arb_init(p0); arb_init(p1); arb_init(z); arb_init(t);
    psi_uniform(p0, a, s0, k, prec);
    psi_uniform(p1, a, s1, k, prec);
    arb_inv(z, a, prec);
    arb_sub_ui(z, z, 1, prec);                 /* the zero of u */
    arb_set_fmpq(t, s1, prec);
    if (arb_ge(z, t)) {
        arb_union(res, p0, p1, prec);
    } else {
        arb_set_fmpq(t, s0, prec);
        if (arb_le(z, t)) {
            arb_union(res, p0, p1, prec);
        } else {
            arb_zero(t);
            arb_union(res, p0, p1, prec);
            arb_union(res, res, t, prec);
        }
    }
    arb_clear(p0); arb_clear(p1); arb_clear(z); arb_clear(t);
}

/* a ball holding psi(s) = s u^k for every s in [s0, s1]: psi increases
 * below s* = (1 - a)/(a (k+1)) and decreases above. */
static void range_two(arb_t res, const arb_t a, const fmpq_t s0, const fmpq_t s1, ulong k, slong prec)
{
    arb_t p0, p1, z, t, l, h;
    arb_init(p0); arb_init(p1); arb_init(z); arb_init(t); arb_init(l); arb_init(h);
    arb_set_fmpq(l, s0, prec);
    arb_set_fmpq(h, s1, prec);
    psi_two(p0, a, l, k, prec);
    psi_two(p1, a, h, k, prec);
    arb_union(res, p0, p1, prec);
    arb_sub_ui(z, a, 1, prec);
    arb_neg(z, z);
    arb_div(z, z, a, prec);
    arb_div_ui(z, z, k + 1, prec);             /* s* */
    if (!(arb_ge(z, h) || arb_le(z, l))) {
        arb_union(t, l, h, prec);
        if (!arb_intersection(z, z, t, prec))
            arb_set(z, t);
        psi_two(t, a, z, k, prec);
        arb_union(res, res, t, prec);
    }
    arb_clear(p0); arb_clear(p1); arb_clear(z); arb_clear(t); arb_clear(l); arb_clear(h);
}

/* +1 when F(a; m) > 0 for every model of the box, -1 when < 0, else 0. */
static int sign_alpha(const fb_ctx *c, const arb_t a, slong prec)
{
    arb_t t, r0, r1;
    int sg = 0;
    arb_init(t);
    arb_init(r0);
    arb_init(r1);
    /* a <= 1/(1 + m_hi) on the box: u >= 0 on every support, F > 0;
     * a >= 1/(1 + m_lo): u <= 0, F < 0 (GF-2) */
    arb_set_fmpq(t, c->hi1, prec);
    arb_add_ui(t, t, 1, prec);
    arb_mul(t, t, a, prec);
    arb_sub_ui(t, t, 1, prec);
    if (arb_is_negative(t)) {        /* strict: u > 0 at hi1 too */
        sg = 1;
        goto done;
    }
    arb_set_fmpq(t, c->lo0, prec);
    arb_add_ui(t, t, 1, prec);
    arb_mul(t, t, a, prec);
    arb_sub_ui(t, t, 1, prec);
    if (arb_is_positive(t)) {
        sg = -1;
        goto done;
    }
    if (c->prior == CP_PRIOR_BETA) {
        /* rigorous integration with the box's balls of m_lo, m_hi (BX-2) */
        fb_su p = { a, c->k };
        cp_boxm_expect(t, c->bm, su_integrand, &p, prec);
    } else if (c->prior == CP_PRIOR_TWOPOINT) {
        range_two(r0, a, c->lo0, c->lo1, c->k, prec);
        range_two(r1, a, c->hi0, c->hi1, c->k, prec);
        arb_add(t, r0, r1, prec);
    } else {
        /* sign F = sign(Psi(m_lo) - Psi(m_hi)) for m_lo < m_hi (BX-6) */
        range_uniform(r0, a, c->lo0, c->lo1, c->k, prec);
        range_uniform(r1, a, c->hi0, c->hi1, c->k, prec);
        arb_sub(t, r0, r1, prec);
    }
    sg = arb_is_positive(t) ? 1 : arb_is_negative(t) ? -1 : 0;
    if (sg != 0 && c->prior == CP_PRIOR_UNIFORM && fmpq_equal(c->lo1, c->hi0)) {
        /* the box holds the one-point model m_lo = m_hi = c: F = c u(c)^k */
        arb_set_fmpq(t, c->lo1, prec);
        arb_add_ui(t, t, 1, prec);
        arb_mul(t, t, a, prec);
        arb_sub_ui(t, t, 1, prec);
        arb_neg(t, t);
        if (!(sg > 0 ? arb_is_positive(t) : arb_is_negative(t)))
            sg = 0;
    }
done:
    arb_clear(t);
    arb_clear(r0);
    arb_clear(r1);
    return sg;
}

typedef struct {
    const fb_ctx *c;
    arb_t astar, rstar, la, lb, lo, hi, lnratio;
} fbd_ctx;

/* In delta = alpha* - a (BX-7): u(m_lo) = rho* + delta lambda_a,
 * |u(m_hi)| = rho* - delta lambda_b, so with x = delta lambda_a / rho*,
 * y = -delta lambda_b / rho*:
 *   uniform:   sign F = sign((k+1)(log1p x - log1p y) + ln W(m_lo) - ln W(m_hi)),
 *              W(s) = (1 - a) + a (k+1) s;
 *   two-point: sign F = sign(k (log1p x - log1p y) + ln(m_lo/m_hi)).
 * Returns +1 / -1 / 0 for the whole box. */
static int sign_delta(const fbd_ctx *d, const arb_t delta, slong prec)
{
    arb_t x, y, a, w0, w1;
    int sg;
    arb_init(x); arb_init(y); arb_init(a); arb_init(w0); arb_init(w1);
    arb_mul(x, delta, d->la, prec);
    arb_div(x, x, d->rstar, prec);
    arb_mul(y, delta, d->lb, prec);
    arb_div(y, y, d->rstar, prec);
    arb_neg(y, y);
    arb_log1p(x, x, prec);
    arb_log1p(y, y, prec);
    arb_sub(x, x, y, prec);
    if (d->c->prior == CP_PRIOR_TWOPOINT) {
        arb_mul_ui(x, x, d->c->k, prec);
        arb_add(x, x, d->lnratio, prec);
    } else {
        arb_mul_ui(x, x, d->c->k + 1, prec);
        arb_sub(a, d->astar, delta, prec);
        arb_mul_ui(w0, a, d->c->k + 1, prec);
        arb_mul(w1, w0, d->hi, prec);
        arb_mul(w0, w0, d->lo, prec);
        arb_add_ui(w0, w0, 1, prec);
        arb_sub(w0, w0, a, prec);
        arb_add_ui(w1, w1, 1, prec);
        arb_sub(w1, w1, a, prec);
        arb_log(w0, w0, prec);
        arb_log(w1, w1, prec);
        arb_add(x, x, w0, prec);
        arb_sub(x, x, w1, prec);
    }
    sg = arb_is_positive(x) ? 1 : arb_is_negative(x) ? -1 : 0;
    arb_clear(x); arb_clear(y); arb_clear(a); arb_clear(w0); arb_clear(w1);
    return sg;
}

typedef int (*sign_fn)(const void *ctx, const arb_t x, slong prec);
static int sign_alpha_v(const void *c, const arb_t x, slong prec) { return sign_alpha(c, x, prec); }
static int sign_delta_v(const void *c, const arb_t x, slong prec) { return sign_delta(c, x, prec); }

/* The bracket [A, B] has sign(A) = sa, sign(B) = -sa certified; moves A up
 * and B down by bisection while the signs stay certified (the root of every
 * model stays in (A, B)).  A side stops at relative width 2^-bits, at
 * absolute width floor0 (NULL: none), or (side B) at 2^-10 of the spread
 * B - A left by side A. */
static void bisect_bracket(arf_t A, arf_t B, int sa, sign_fn f, const void *ctx, slong bits,
                           const arf_t floor0, slong prec)
{
    arf_t lo, hi, mid, w, tol;
    arb_t x;
    arf_init(lo); arf_init(hi); arf_init(mid); arf_init(w); arf_init(tol);
    arb_init(x);
    for (int side = 0; side < 2; side++) {
        /* side 0: raise A (sign sa) against hi (not certified sa);
         * side 1: lower B (sign -sa) against lo (not certified -sa) */
        arf_set(lo, A);
        arf_set(hi, B);
        for (slong it = 0; it < 2 * prec; it++) {
            arf_sub(w, hi, lo, prec, ARF_RND_UP);
            arf_abs(tol, side ? hi : lo);
            arf_mul_2exp_si(tol, tol, -bits);
            if (arf_cmp(w, tol) <= 0 || (floor0 != NULL && arf_cmp(w, floor0) <= 0))
                break;
            if (side == 1) {
                arf_sub(tol, B, A, prec, ARF_RND_DOWN);
                arf_mul_2exp_si(tol, tol, -10);
                if (arf_cmp(w, tol) <= 0)
                    break;
            }
            arf_add(mid, lo, hi, prec, ARF_RND_DOWN);
            arf_mul_2exp_si(mid, mid, -1);
            arb_set_arf(x, mid);
            int s = f(ctx, x, prec);
            if (side == 0) {
                if (s == sa)
                    arf_set(lo, mid);
                else {
                    arf_set(hi, mid);
                    if (s == -sa)
                        arf_set(B, mid);
                }
            } else {
                if (s == -sa)
                    arf_set(hi, mid);
                else
                    arf_set(lo, mid);
            }
        }
        if (side == 0)
            arf_set(A, lo);
        else
            arf_set(B, hi);
    }
    arf_clear(lo); arf_clear(hi); arf_clear(mid); arf_clear(w); arf_clear(tol);
    arb_clear(x);
}

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

/* Reads the box of a flow quantity: m_hi > 0
 * on the box, T in [1, FB_MAX_T] (T = NULL: no T). */
static int fb_load(cp_boxm *bm, const cp_box *box, const char *name, slong *T, char *err)
{
    const cp_quantity_def *q = cp_quantity_lookup(name);
    if (cp_qbox_load(bm, box, q->keys, "m_lo,m_hi,sigma", name, err) != 0)
        return -1;
    if (fmpq_sgn(bm->hi[0]) <= 0) {
        if (cp_box_find(box, "m_hi"))
            cp_errf(err, "m_hi: the region holds points with m_hi = 0 (m_hi must be positive)");
        else
            cp_kv_error(err, box->kv, "m_hi", "m_hi must be positive");
        return -1;
    }
    if (T != NULL) {
        if (cp_kv_get_int(T, box->kv, q->keys, "T", err) != 0)
            return -1;
        if (*T < 1 || *T > FB_MAX_T) {
            cp_kv_error(err, box->kv, "T", "T must lie in [1, %d]", FB_MAX_T);
            return -1;
        }
    }
    return 0;
}

static int fb_prior_ok(const cp_boxm *bm, const cp_box *box, const char *name, char *err)
{
    if (bm->pt->prior == CP_PRIOR_BETA && !(fmpz_is_one(fmpq_denref(bm->pt->beta_a))
                                             && fmpz_is_one(fmpq_denref(bm->pt->beta_b)))) {
        cp_kv_error(err, box->kv, "prior", "%s: a Beta prior with non-integer shapes has no region form", name);
        return 0;
    }
    return 1;
}

/* The Beta prior integrates s u^(2T-1) (BX-6): cancellation limits it to small T. */
#define FB_BETA_MAX_T 32
static int fb_T_ok(const cp_boxm *bm, const cp_box *box, const char *name, slong T, char *err)
{
    if (bm->pt->prior == CP_PRIOR_BETA && T > FB_BETA_MAX_T) {
        cp_kv_error(err, box->kv, "T", "%s over a region with the Beta prior: T <= %d only", name, FB_BETA_MAX_T);
        return 0;
    }
    return 1;
}

/* alpha_T and delta_T = alpha* - alpha_T over the box (balls).  Returns 0. */
static void box_alpha_delta(arb_t alpha, arb_t delta, cp_boxm *bm, ulong T, slong prec)
{
    fb_ctx c = { bm->lo[0], bm->lo[1], bm->hi[0], bm->hi[1], bm->pt->prior, 2 * T - 1, bm };
    int point = fmpq_equal(bm->lo[0], bm->lo[1]) && fmpq_equal(bm->hi[0], bm->hi[1]);
    arf_t A, B;
    arb_t t;
    fmpq_t q, amin, amax;
    arf_init(A); arf_init(B);
    arb_init(t);
    fmpq_init(q); fmpq_init(amin); fmpq_init(amax);
    /* alpha* = 2/(2 + m_lo + m_hi) over the box: its corners (hi, hi) and (lo, lo) */
    cp_alpha_star(amin, cp_boxm_corner(bm, 1, 1, 0));
    cp_alpha_star(amax, cp_boxm_corner(bm, 0, 0, 0));
    /* (1/(1 + hi1), 1/(1 + lo0)) brackets every alpha_T (GF-2); sign_alpha
     * certifies both ends itself */
    fmpq_add_si(q, bm->hi[1], 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_lbound_arf(A, t, prec);
    arf_mul_2exp_si(B, A, -(prec - 4));
    arf_sub(A, A, B, prec, ARF_RND_DOWN);
    fmpq_add_si(q, bm->lo[0], 1);
    fmpq_inv(q, q);
    arb_set_fmpq(t, q, prec);
    arb_get_ubound_arf(B, t, prec);
    arf_mul_2exp_si(arb_midref(t), B, -(prec - 4));
    arf_add(B, B, arb_midref(t), prec, ARF_RND_UP);
    /* coarse in alpha: the delta pass below gives the precision.  On a box
     * (not a point) the delta pass starts from [alpha*_min - B, alpha*_max - A],
     * at least as wide as the spread of alpha* = 2/(2 + m_lo + m_hi) over the
     * box, so narrowing [A, B] below 1/16 of that spread narrows the delta
     * bracket by less than 1/16 more: both sides stop there. */
    {
        arf_t fl;
        arf_init(fl);
        if (!point) {
            fmpq_sub(q, amax, amin);
            arb_set_fmpq(t, q, prec);
            arf_mul_2exp_si(fl, arb_midref(t), -4);
        }
        bisect_bracket(A, B, 1, sign_alpha_v, &c, FLINT_MIN(24, prec - 8), point ? NULL : fl, prec);
        arf_clear(fl);
    }
    arb_set_interval_arf(alpha, A, B, prec);

    /* delta: the alpha bracket gives [alpha*_min - B, alpha*_max - A], with
     * signs -1 and +1 certified by construction; then refine in delta */
    {
        fbd_ctx d;
        static const int hl[3] = { 1, 0, 0 }, lh[3] = { 0, 1, 0 };
        arf_t D0, D1;
        arb_t a0, a1;
        arf_init(D0); arf_init(D1);
        arb_init(a0); arb_init(a1);
        arb_init(d.astar); arb_init(d.rstar); arb_init(d.la); arb_init(d.lb);
        arb_init(d.lo); arb_init(d.hi); arb_init(d.lnratio);
        d.c = &c;
        arb_set_fmpq(a0, amin, prec);
        arb_set_fmpq(a1, amax, prec);
        arb_union(d.astar, a0, a1, prec);
        pt_rho_star(a0, cp_boxm_corner(bm, hl[0], hl[1], 0), prec);
        pt_rho_star(a1, cp_boxm_corner(bm, lh[0], lh[1], 0), prec);
        arb_union(d.rstar, a0, a1, prec);
        cp_arb_set_fmpq_interval(d.lo, bm->lo[0], bm->lo[1], prec);
        cp_arb_set_fmpq_interval(d.hi, bm->hi[0], bm->hi[1], prec);
        arb_add_ui(d.la, d.lo, 1, prec);
        arb_add_ui(d.lb, d.hi, 1, prec);
        arb_log(d.lnratio, d.lo, prec);
        arb_log(t, d.hi, prec);
        arb_sub(d.lnratio, d.lnratio, t, prec);
        arb_sub(t, d.astar, alpha, prec);      /* alpha* - alpha_T, crude */
        arb_get_lbound_arf(D0, t, prec);
        arb_get_ubound_arf(D1, t, prec);
        if (bm->pt->prior != CP_PRIOR_BETA && arb_is_positive(d.rstar)
            && arf_is_finite(D0) && arf_is_finite(D1)) {
            arf_t fl;
            arf_init(fl);
            arf_sub(fl, D1, D0, prec, ARF_RND_DOWN);
            arf_mul_2exp_si(fl, fl, -24);
            bisect_bracket(D0, D1, -1, sign_delta_v, &d, prec - 8, point ? NULL : fl, prec);
            arf_clear(fl);
        } else {
            /* no delta form (Beta prior, or the box reaches m_lo = m_hi):
             * refine in alpha */
            arb_get_lbound_arf(A, alpha, prec);
            arb_get_ubound_arf(B, alpha, prec);
            bisect_bracket(A, B, 1, sign_alpha_v, &c, prec - 8, NULL, prec);
            arb_set_interval_arf(alpha, A, B, prec);
            arb_sub(t, d.astar, alpha, prec);
            arb_get_lbound_arf(D0, t, prec);
            arb_get_ubound_arf(D1, t, prec);
        }
        arb_set_interval_arf(delta, D0, D1, prec);
        /* alpha_T = alpha* - delta as well: keep the tighter */
        arb_sub(t, d.astar, delta, prec);
        if (arb_intersection(t, t, alpha, prec) && arb_is_finite(t))
            arb_set(alpha, t);
        arf_clear(D0); arf_clear(D1);
        arb_clear(a0); arb_clear(a1);
        arb_clear(d.astar); arb_clear(d.rstar); arb_clear(d.la); arb_clear(d.lb);
        arb_clear(d.lo); arb_clear(d.hi); arb_clear(d.lnratio);
    }
    arf_clear(A); arf_clear(B);
    arb_clear(t);
    fmpq_clear(q); fmpq_clear(amin); fmpq_clear(amax);
}

int cp_qbox_alpha_opt(arb_t res, const cp_box *box, slong prec, char *err)
{
    cp_boxm bm;
    slong T;
    int rc;
    cp_boxm_init(&bm);
    rc = fb_load(&bm, box, "alpha-opt", &T, err);
    if (rc == 0 && (!fb_prior_ok(&bm, box, "alpha-opt", err) || !fb_T_ok(&bm, box, "alpha-opt", T, err)))
        rc = -1;
    if (rc == 0) {
        arb_t d;
        arb_init(d);
        box_alpha_delta(res, d, &bm, (ulong) T, prec);
        arb_clear(d);
    }
    cp_boxm_clear(&bm);
    return rc;
}

/* T (alpha* - alpha_T); 0 exactly on the diagonal m_lo = m_hi (GF-2). */
int cp_qbox_rate(arb_t res, const cp_box *box, slong prec, char *err)
{
    cp_boxm bm;
    slong T;
    int rc;
    cp_boxm_init(&bm);
    rc = fb_load(&bm, box, "rate", &T, err);
    if (rc == 0 && (!fb_prior_ok(&bm, box, "rate", err) || !fb_T_ok(&bm, box, "rate", T, err)))
        rc = -1;
    if (rc == 0) {
        if (fmpq_equal(bm.lo[0], bm.hi[1])) {
            arb_zero(res);
        } else {
            arb_t a;
            arb_init(a);
            box_alpha_delta(a, res, &bm, (ulong) T, prec);
            arb_mul_ui(res, res, (ulong) T, prec);
            arb_clear(a);
        }
    }
    cp_boxm_clear(&bm);
    return rc;
}

/* c_inf = rho* ln(m_hi/m_lo) / (2 (2 + m_lo + m_hi)) in ball arithmetic,
 * rho* from its corners (BX-3). */
int cp_qbox_rate_limit(arb_t res, const cp_box *box, slong prec, char *err)
{
    cp_boxm bm;
    int rc;
    cp_boxm_init(&bm);
    rc = fb_load(&bm, box, "rate-limit", NULL, err);
    if (rc == 0 && (fmpq_sgn(bm.lo[0]) <= 0 || fmpq_cmp(bm.lo[1], bm.hi[0]) >= 0
                    || (bm.pt->prior == CP_PRIOR_BETA && !fmpq_equal(bm.pt->beta_a, bm.pt->beta_b)))) {
        cp_errf(err, "rate-limit: c_inf is derived only for m_lo > 0, m_lo < m_hi at every point of the region and the uniform, two-point or Beta(a, a) prior");
        rc = -1;
    }
    if (rc == 0) {
        arb_t r, lo, hi, t;
        arb_init(r); arb_init(lo); arb_init(hi); arb_init(t);
        pt_rho_star(r, cp_boxm_corner(&bm, 1, 0, 0), prec);
        pt_rho_star(t, cp_boxm_corner(&bm, 0, 1, 0), prec);
        arb_union(r, r, t, prec);
        cp_arb_set_fmpq_interval(lo, bm.lo[0], bm.lo[1], prec);
        cp_arb_set_fmpq_interval(hi, bm.hi[0], bm.hi[1], prec);
        arb_log(t, hi, prec);
        arb_log(res, lo, prec);
        arb_sub(t, t, res, prec);
        arb_mul(t, t, r, prec);
        arb_add(lo, lo, hi, prec);
        arb_add_ui(lo, lo, 2, prec);
        arb_mul_2exp_si(lo, lo, 1);
        arb_div(res, t, lo, prec);
        arb_clear(r); arb_clear(lo); arb_clear(hi); arb_clear(t);
    }
    cp_boxm_clear(&bm);
    return rc;
}

/* --- the two-parameter optimum over a box (docs/model.md (BX-8)) ------------
 *
 * With D1 = C(0,T), D2 = C(0,2T), A = C(1,T-1), B = C(1,2T-1), P = C(0,0),
 * Q = P - D1 (gamma = beta), the profile derivative of (GF-5) is
 *   h'(beta) = (2 T r / S) G,   G = (D2 - D1) A + Q B,   r = Q/S,
 * and Q, S > 0 on the strip where |v| < 1 on the support, so sign h' =
 * sign G.  Every moment comes from the closed forms with the balls of the
 * box (cp_flow_cmoment_box), one ball per end of the support. */

#define FB2_MAX_T 100000

typedef struct {
    cp_prior_kind prior;
    arb_t la, lb, dl, P;
    ulong T;
    /* two-point prior: the variable is delta = beta + alpha* (BX-9), with
     * the balls of rho*, w_a = 1 - 1/lambda_a, w_b = 1 - 1/lambda_b */
    int delta;
    arb_t rho, wa, wb;
} o2_ctx;

/* c(j, k) = C(j, k)/rho*^k = (w_a la^j (1+x)^k + (-1)^k w_b lb^j (1+y)^k)/2,
 * x = delta la/rho*, y = -delta lb/rho* (two-point prior, BX-9) */
static void o2_cd(arb_t res, const o2_ctx *c, const arb_t delta, int j, ulong k, slong prec)
{
    arb_t x, y;
    arb_init(x);
    arb_init(y);
    arb_mul(x, delta, c->la, prec);
    arb_div(x, x, c->rho, prec);
    arb_add_ui(x, x, 1, prec);
    arb_pow_ui(x, x, k, prec);
    arb_mul(x, x, c->wa, prec);
    arb_mul(y, delta, c->lb, prec);
    arb_div(y, y, c->rho, prec);
    arb_sub_ui(y, y, 1, prec);
    arb_neg(y, y);
    arb_pow_ui(y, y, k, prec);
    arb_mul(y, y, c->wb, prec);
    for (int i = 0; i < j; i++) {
        arb_mul(x, x, c->la, prec);
        arb_mul(y, y, c->lb, prec);
    }
    if (k & 1)
        arb_sub(res, x, y, prec);
    else
        arb_add(res, x, y, prec);
    arb_mul_2exp_si(res, res, -1);
    arb_clear(x);
    arb_clear(y);
}

/* P = E[1 - 1/lambda] over the box: uniform 1 - (ln lb - ln la)/dl,
 * two-point 1 - (1/la + 1/lb)/2 */
static void o2_P(arb_t P, const o2_ctx *c, slong prec)
{
    arb_t t;
    arb_init(t);
    if (c->prior == CP_PRIOR_TWOPOINT) {
        arb_inv(P, c->la, prec);
        arb_inv(t, c->lb, prec);
        arb_add(P, P, t, prec);
        arb_mul_2exp_si(P, P, -1);
    } else {
        arb_log(P, c->lb, prec);
        arb_log(t, c->la, prec);
        arb_sub(P, P, t, prec);
        arb_div(P, P, c->dl, prec);
    }
    arb_sub_ui(P, P, 1, prec);
    arb_neg(P, P);
    arb_clear(t);
}

/* D1, D2, A, B at beta (a ball) for every model of the box; 0 or -1 */
static int o2_parts(const o2_ctx *c, const arb_t beta, arb_t D1, arb_t D2, arb_t A, arb_t B, slong prec)
{
    ulong T = c->T;
    if (c->delta) {
        o2_cd(D1, c, beta, 0, T, prec);
        o2_cd(D2, c, beta, 0, 2 * T, prec);
        o2_cd(A, c, beta, 1, T - 1, prec);
        o2_cd(B, c, beta, 1, 2 * T - 1, prec);
        return 0;
    }
    if (cp_flow_cmoment_box(D1, c->prior, c->la, c->lb, c->dl, 0, T, beta, prec) != 0
        || cp_flow_cmoment_box(D2, c->prior, c->la, c->lb, c->dl, 0, 2 * T, beta, prec) != 0
        || cp_flow_cmoment_box(A, c->prior, c->la, c->lb, c->dl, 1, T - 1, beta, prec) != 0
        || cp_flow_cmoment_box(B, c->prior, c->la, c->lb, c->dl, 1, 2 * T - 1, beta, prec) != 0)
        return -1;
    return 0;
}

/* The parts at beta (or delta, BX-9) with A2 = C(2,T-2), B2 = C(2,2T-2)
 * when A2 != NULL, and rT = rho*^T in the delta form, 1 otherwise (the
 * formulas below then hold in both forms).  0 or -1. */
static int o2_parts2(const o2_ctx *c, const arb_t x, arb_t D1, arb_t D2, arb_t A, arb_t B, arb_t A2,
                     arb_t B2, arb_t rT, slong prec)
{
    ulong T = c->T;
    if (o2_parts(c, x, D1, D2, A, B, prec) != 0)
        return -1;
    if (c->delta) {
        arb_pow_ui(rT, c->rho, T, prec);
        if (A2 != NULL) {
            o2_cd(A2, c, x, 2, T - 2, prec);
            o2_cd(B2, c, x, 2, 2 * T - 2, prec);
        }
        return 0;
    }
    arb_one(rT);
    if (A2 != NULL
        && (cp_flow_cmoment_box(A2, c->prior, c->la, c->lb, c->dl, 2, T - 2, x, prec) != 0
            || cp_flow_cmoment_box(B2, c->prior, c->la, c->lb, c->dl, 2, 2 * T - 2, x, prec) != 0))
        return -1;
    return 0;
}

/* sign of G = (D2 - D1) A + (P - D1) B (delta form: G / rho*^(2T-1) =
 * (r_T d2 - d1) a + (P - r_T d1) b) for every model of the box and every
 * beta of the ball: +1, -1, or 0 (undecided) */
static int sign_G(const void *vc, const arb_t beta, slong prec)
{
    const o2_ctx *c = vc;
    arb_t D1, D2, A, B, g, t, rT;
    int sg = 0;
    arb_init(D1); arb_init(D2); arb_init(A); arb_init(B); arb_init(g); arb_init(t); arb_init(rT);
    if (o2_parts2(c, beta, D1, D2, A, B, NULL, NULL, rT, prec) == 0) {
        arb_mul(g, rT, D2, prec);
        arb_sub(g, g, D1, prec);
        arb_mul(g, g, A, prec);
        arb_mul(t, rT, D1, prec);
        arb_sub(t, c->P, t, prec);
        arb_addmul(g, t, B, prec);
        sg = arb_is_positive(g) ? 1 : arb_is_negative(g) ? -1 : 0;
    }
    arb_clear(D1); arb_clear(D2); arb_clear(A); arb_clear(B); arb_clear(g); arb_clear(t); arb_clear(rT);
    return sg;
}

/* sign of G' = T A (B - A) + (T-1)(D2 - D1) A2 + (2T-1) Q B2 (from D1' = T A,
 * D2' = 2T B, A' = (T-1) A2, B' = (2T-1) B2; delta form: G' / rho*^(2T-2) =
 * T a (r_T b - a) + (T-1)(r_T d2 - d1) a2 + (2T-1)(P - r_T d1) b2) */
static int sign_Gp(const void *vc, const arb_t beta, slong prec)
{
    const o2_ctx *c = vc;
    arb_t D1, D2, A, B, A2, B2, g, t, rT;
    ulong T = c->T;
    int sg = 0;
    arb_init(D1); arb_init(D2); arb_init(A); arb_init(B); arb_init(A2); arb_init(B2);
    arb_init(g); arb_init(t); arb_init(rT);
    if (o2_parts2(c, beta, D1, D2, A, B, A2, B2, rT, prec) == 0) {
        arb_mul(g, rT, B, prec);
        arb_sub(g, g, A, prec);
        arb_mul(g, g, A, prec);
        arb_mul_ui(g, g, T, prec);
        arb_mul(t, rT, D2, prec);
        arb_sub(t, t, D1, prec);
        arb_mul(t, t, A2, prec);
        arb_addmul_ui(g, t, T - 1, prec);
        arb_mul(t, rT, D1, prec);
        arb_sub(t, c->P, t, prec);
        arb_mul(t, t, B2, prec);
        arb_addmul_ui(g, t, 2 * T - 1, prec);
        sg = arb_is_positive(g) ? 1 : arb_is_negative(g) ? -1 : 0;
    }
    arb_clear(D1); arb_clear(D2); arb_clear(A); arb_clear(B); arb_clear(A2); arb_clear(B2);
    arb_clear(g); arb_clear(t); arb_clear(rT);
    return sg;
}

/* 1 when f = sg on all of [lo, hi] (ball evaluations, bisection, at most
 * *budget of them) */
static int cover_sign(sign_fn f, const o2_ctx *c, const arf_t lo, const arf_t hi, int sg, slong *budget, slong prec)
{
    arb_t x;
    arf_t mid;
    int ok;
    if (*budget <= 0)
        return 0;
    (*budget)--;
    arb_init(x);
    arf_init(mid);
    arb_set_interval_arf(x, lo, hi, prec);
    ok = f(c, x, prec) == sg;
    if (!ok) {
        arf_add(mid, lo, hi, prec, ARF_RND_DOWN);
        arf_mul_2exp_si(mid, mid, -1);
        ok = arf_cmp(lo, mid) < 0 && arf_cmp(mid, hi) < 0
             && cover_sign(f, c, lo, mid, sg, budget, prec) && cover_sign(f, c, mid, hi, sg, budget, prec);
    }
    arb_clear(x);
    arf_clear(mid);
    return ok;
}

typedef struct {
    arb_t beta, rp1, alpha;     /* beta_T, beta_T/alpha_T + 1, alpha_T */
} o2_result;

/* ratio + 1 = (D1 - D2)/Q, and = B/A at the critical point; alpha = -beta Q/S
 * (BX-8).  Delta form (BX-9): D1 = r_T d1, D2 = r_T^2 d2, B/A = r_T b/a. */
static int o2_finish(o2_result *res, const o2_ctx *c, const arb_t x, const arb_t astar, slong prec)
{
    arb_t D1, D2, A, B, rT, t, u, Q;
    int ok;
    arb_init(D1); arb_init(D2); arb_init(A); arb_init(B); arb_init(rT); arb_init(t); arb_init(u); arb_init(Q);
    ok = o2_parts(c, x, D1, D2, A, B, prec) == 0;
    if (ok) {
        if (c->delta) {
            arb_pow_ui(rT, c->rho, c->T, prec);
            arb_mul(D1, D1, rT, prec);
            arb_mul(D2, D2, rT, prec);
            arb_mul(D2, D2, rT, prec);
            arb_mul(B, B, rT, prec);       /* B/A below is then r_T b/a */
            arb_sub(res->beta, x, astar, prec);
        } else {
            arb_set(res->beta, x);
        }
        arb_sub(Q, c->P, D1, prec);
        arb_sub(t, D1, D2, prec);
        arb_div(t, t, Q, prec);
        arb_div(u, B, A, prec);
        if (arb_intersection(u, u, t, prec))
            arb_set(t, u);
        arb_set(res->rp1, t);
        arb_mul_2exp_si(u, D1, 1);
        arb_sub(u, c->P, u, prec);
        arb_add(u, u, D2, prec);          /* S */
        arb_div(t, Q, u, prec);
        arb_mul(res->alpha, t, res->beta, prec);
        arb_neg(res->alpha, res->alpha);
    }
    arb_clear(D1); arb_clear(D2); arb_clear(A); arb_clear(B); arb_clear(rT); arb_clear(t); arb_clear(u); arb_clear(Q);
    return ok;
}

/* Encloses beta_T(m) for every model m of the box (BX-8): returns 1 with
 * res->beta such that every critical point of the profile h(.; m) on the
 * strip [-(2/(1+h1))(1 - 2^-8), -1/(2(1+h0))] lies in it, and the parts
 * there; 0 when undecided (the caller returns an indeterminate ball). */
static int box_opt2(o2_result *res, cp_boxm *bm, ulong T, slong prec)
{
    o2_ctx c;
    arf_t b0, b1, A, B, w, b0w;
    arb_t t, astar;
    fmpq_t q;
    slong budget = 600;
    int ok = 0;
    c.prior = bm->pt->prior;
    c.T = T;
    c.delta = c.prior == CP_PRIOR_TWOPOINT;
    arb_init(c.la); arb_init(c.lb); arb_init(c.dl); arb_init(c.P);
    arb_init(c.rho); arb_init(c.wa); arb_init(c.wb); arb_init(astar);
    arf_init(b0); arf_init(b1); arf_init(A); arf_init(B); arf_init(w); arf_init(b0w);
    arb_init(t);
    fmpq_init(q);
    cp_arb_set_fmpq_interval(c.la, bm->lo[0], bm->lo[1], prec);
    arb_add_ui(c.la, c.la, 1, prec);
    cp_arb_set_fmpq_interval(c.lb, bm->hi[0], bm->hi[1], prec);
    arb_add_ui(c.lb, c.lb, 1, prec);
    {
        fmpq_t d0, d1;
        fmpq_init(d0); fmpq_init(d1);
        fmpq_sub(d0, bm->hi[0], bm->lo[1]);
        fmpq_sub(d1, bm->hi[1], bm->lo[0]);
        cp_arb_set_fmpq_interval(c.dl, d0, d1, prec);
        fmpq_clear(d0); fmpq_clear(d1);
    }
    if (c.prior == CP_PRIOR_UNIFORM && !arb_is_positive(c.dl))
        goto done;                 /* the closed forms divide by m_hi - m_lo */
    o2_P(c.P, &c, prec);
    /* alpha* and rho* over the box (BX-3) */
    pt_alpha_star(t, cp_boxm_corner(bm, 1, 1, 0), prec);
    pt_alpha_star(astar, cp_boxm_corner(bm, 0, 0, 0), prec);
    arb_union(astar, astar, t, prec);
    pt_rho_star(t, cp_boxm_corner(bm, 1, 0, 0), prec);
    pt_rho_star(c.rho, cp_boxm_corner(bm, 0, 1, 0), prec);
    arb_union(c.rho, c.rho, t, prec);
    arb_inv(c.wa, c.la, prec);
    arb_sub_ui(c.wa, c.wa, 1, prec);
    arb_neg(c.wa, c.wa);
    arb_inv(c.wb, c.lb, prec);
    arb_sub_ui(c.wb, c.wb, 1, prec);
    arb_neg(c.wb, c.wb);
    if (c.delta) {
        /* the strip in delta = beta + alpha*: d0 = -(255/256) 2 (1 + l0) /
         * ((2 + l0 + h1)(1 + h1)) (then v > -1 on every support), d1 =
         * 1/(2 + l1 + h1) = min alpha* / 2 (then beta < 0) (BX-9) */
        if (!arb_is_positive(c.rho))
            goto done;
        fmpq_add(q, bm->lo[0], bm->hi[1]);
        fmpq_add_si(q, q, 2);
        {
            fmpq_t r;
            fmpq_init(r);
            fmpq_add_si(r, bm->hi[1], 1);
            fmpq_mul(q, q, r);
            fmpq_add_si(r, bm->lo[0], 1);
            fmpq_div(q, r, q);
            fmpq_clear(r);
        }
        fmpq_mul_si(q, q, -2 * 255);
        fmpq_div_2exp(q, q, 8);
        arb_set_fmpq(t, q, prec);
        arb_get_ubound_arf(b0, t, prec);
        fmpq_add(q, bm->lo[1], bm->hi[1]);
        fmpq_add_si(q, q, 2);
        fmpq_inv(q, q);
        arb_set_fmpq(t, q, prec);
        arb_get_lbound_arf(b1, t, prec);
    } else {
        /* the strip: b0 = -(2/(1 + h1))(1 - 2^-8) (then v > -1 on every
         * support), b1 = -1/(2 (1 + h0)) (v > 0); rounded inwards */
        fmpq_add_si(q, bm->hi[1], 1);
        fmpq_inv(q, q);
        fmpq_mul_2exp(q, q, 1);
        fmpq_mul_si(q, q, -255);
        fmpq_div_2exp(q, q, 8);
        arb_set_fmpq(t, q, prec);
        arb_get_ubound_arf(b0, t, prec);
        fmpq_add_si(q, bm->hi[0], 1);
        fmpq_mul_2exp(q, q, 1);
        fmpq_inv(q, q);
        fmpq_neg(q, q);
        arb_set_fmpq(t, q, prec);
        arb_get_lbound_arf(b1, t, prec);
    }
    arb_set_arf(t, b0);
    if (sign_G(&c, t, prec) != -1)
        goto done;
    arb_set_arf(t, b1);
    if (sign_G(&c, t, prec) != 1)
        goto done;
    arf_set(A, b0);
    arf_set(B, b1);
    bisect_bracket(A, B, -1, sign_G, &c, FLINT_MIN(48, prec - 8), NULL, prec);
    if (!c.delta) {
        /* a bracket wider than |A|/16 (uniform prior, a box too wide for the
         * closed forms) never passed step (3) in our runs: give up before the
         * covers, the costly part (the claim language bisects the box) */
        arf_abs(w, A);
        arf_mul_2exp_si(w, w, -4);
        arf_sub(b0w, B, A, prec, ARF_RND_DOWN);
        if (arf_cmp(b0w, w) > 0)
            goto done;
    }
    /* uniqueness (BX-8): G' > 0 on [A - W, B + W] (so at most one zero
     * there, and it lies in (A, B)), and sign G = -1 on [b0, A - W], +1 on
     * [B + W, b1]; W from max((B - A)/4, 2^-24 |A|) up, quadrupling */
    arf_sub(w, B, A, prec, ARF_RND_UP);
    arf_mul_2exp_si(w, w, -2);
    arf_abs(b0w, A);
    arf_mul_2exp_si(b0w, b0w, -24);
    if (arf_cmp(w, b0w) < 0)
        arf_set(w, b0w);
    {
        arf_t lo, hi;
        int found = 0;
        arf_init(lo); arf_init(hi);
        for (int tries = 0; tries < 8 && !found && budget > 0; tries++, arf_mul_2exp_si(w, w, 2)) {
            arf_sub(lo, A, w, prec, ARF_RND_DOWN);
            arf_add(hi, B, w, prec, ARF_RND_UP);
            if (arf_cmp(lo, b0) < 0)
                arf_set(lo, b0);
            if (arf_cmp(hi, b1) > 0)
                arf_set(hi, b1);
            if (!cover_sign(sign_Gp, &c, lo, hi, 1, &budget, prec))
                continue;
            found = (arf_cmp(b0, lo) >= 0 || cover_sign(sign_G, &c, b0, lo, -1, &budget, prec))
                    && (arf_cmp(hi, b1) >= 0 || cover_sign(sign_G, &c, hi, b1, 1, &budget, prec));
        }
        arf_clear(lo); arf_clear(hi);
        if (!found)
            goto done;
    }
    arb_set_interval_arf(t, A, B, prec);
    ok = o2_finish(res, &c, t, astar, prec);
done:
    arb_clear(c.la); arb_clear(c.lb); arb_clear(c.dl); arb_clear(c.P);
    arb_clear(c.rho); arb_clear(c.wa); arb_clear(c.wb); arb_clear(astar);
    arf_clear(b0); arf_clear(b1); arf_clear(A); arf_clear(B); arf_clear(w); arf_clear(b0w);
    arb_clear(t);
    fmpq_clear(q);
    return ok;
}

/* which: 0 alpha_T, 1 beta_T, 2 beta_T/alpha_T */
static int qbox_opt2(arb_t res, const cp_box *box, slong prec, char *err, const char *name, int which)
{
    cp_boxm bm;
    slong T;
    int rc;
    cp_boxm_init(&bm);
    rc = fb_load(&bm, box, name, &T, err);
    if (rc == 0 && (T < 2 || T > FB2_MAX_T)) {
        cp_kv_error(err, box->kv, "T", "T must lie in [2, %d]", FB2_MAX_T);
        rc = -1;
    }
    if (rc == 0 && bm.pt->prior == CP_PRIOR_BETA) {
        cp_kv_error(err, box->kv, "prior", "%s over a region: uniform and two-point priors only", name);
        rc = -1;
    }
    if (rc == 0) {
        o2_result r;
        arb_init(r.beta); arb_init(r.rp1); arb_init(r.alpha);
        if (bm.pt->prior == CP_PRIOR_TWOPOINT && T % 2 == 0 && fmpq_sgn(bm.lo[0]) > 0
            && fmpq_cmp(bm.lo[1], bm.hi[0]) < 0) {
            /* exact (BX-10): beta_T = -alpha*, alpha_T = alpha* / (1 - rho*^T),
             * beta/alpha + 1 = rho*^T, with the balls of (BX-3) */
            arb_t a, rt;
            arb_init(a);
            arb_init(rt);
            pt_alpha_star(a, cp_boxm_corner(&bm, 1, 1, 0), prec);
            pt_alpha_star(r.beta, cp_boxm_corner(&bm, 0, 0, 0), prec);
            arb_union(a, a, r.beta, prec);
            pt_rho_star(rt, cp_boxm_corner(&bm, 1, 0, 0), prec);
            pt_rho_star(r.rp1, cp_boxm_corner(&bm, 0, 1, 0), prec);
            arb_union(rt, rt, r.rp1, prec);
            arb_pow_ui(r.rp1, rt, (ulong) T, prec);
            arb_neg(r.beta, a);
            arb_sub_ui(rt, r.rp1, 1, prec);
            arb_neg(rt, rt);
            arb_div(r.alpha, a, rt, prec);
            arb_clear(a);
            arb_clear(rt);
            rc = 1;
        } else {
            rc = box_opt2(&r, &bm, (ulong) T, prec);
        }
        if (!rc)
            arb_indeterminate(res);
        else if (which == 1)
            arb_set(res, r.beta);
        else if (which == 2)
            arb_sub_ui(res, r.rp1, 1, prec);
        else
            arb_set(res, r.alpha);
        arb_clear(r.beta); arb_clear(r.rp1); arb_clear(r.alpha);
        rc = 0;
    }
    cp_boxm_clear(&bm);
    return rc;
}

int cp_qbox_alpha_opt2(arb_t res, const cp_box *box, slong prec, char *err)
{
    return qbox_opt2(res, box, prec, err, "alpha-opt2", 0);
}

int cp_qbox_beta_opt(arb_t res, const cp_box *box, slong prec, char *err)
{
    return qbox_opt2(res, box, prec, err, "beta-opt", 1);
}

int cp_qbox_ratio_opt(arb_t res, const cp_box *box, slong prec, char *err)
{
    return qbox_opt2(res, box, prec, err, "ratio-opt", 2);
}
