/* general_model.c -- checks of theorems/general_model.md (issue 13).
 *
 * The general latent factor model of docs/model.md, section 11: the minimax
 * Richardson step over the relevant spectrum of Lambda (G-7), and the
 * two-task LSA bound under modality-specific noise and a loading split
 * (G-8, G-9).  Every verdict rests on Arb enclosures or exact rationals; the
 * doubles only choose a dual weight, which any value keeps valid. */
#include <stdio.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/general.h"
#include "crossproof/output.h"

/* reads the general model of the run (keys from run->def->keys) */
static int run_general(cp_general_t g, cp_check_run *run)
{
    if (cp_general_from_kv(g, run->params, run->def->keys, run->error)) {
        run->bad_input = 1;
        return -1;
    }
    return 0;
}

/* ---- general_alpha_minimax ----------------------------------------------
 * Claim: the step minimising the worst-case contraction of tied Richardson
 * CA, W(alpha) = max over the relevant spectrum of |1 - alpha lambda|, lies
 * within tol of `alpha`.  The argmin is enclosed by a ternary search whose
 * every step is a certified comparison of W (convex: a maximum of convex
 * functions), independently of the closed form 2/(lam_min + lam_max) of
 * (G-7), which is shown beside it as a guard. */
static const cp_key_spec amin_keys[] = {
    CP_GENERAL_KEYS,
    { "alpha", CP_KEY_RAT, NULL, "claimed minimiser of the worst-case contraction" },
    { "tol",   CP_KEY_RAT, NULL, "claimed accuracy: |argmin - alpha| < tol" },
    CP_KEY_END
};

static void contraction_fn(arb_t res, const arb_t alpha, const void *param, slong prec)
{
    const cp_general_struct *g = param;
    cp_general_contraction(res, g, alpha, prec);
}

static cp_verdict check_alpha_minimax(cp_check_run *run)
{
    cp_run_value_name(run, "argmin of the worst-case contraction W (ternary-search enclosure)");
    slong prec = run->prec;
    cp_general_t g;
    fmpq_t ca, tol;
    arb_t lmin, lmax, cf, rho, t, br, wmin;
    arf_t lo, hi;
    cp_verdict v = CP_INCONCLUSIVE;
    int exact = 0, separated;
    cp_general_init(g);
    fmpq_init(ca); fmpq_init(tol);
    arb_init(lmin); arb_init(lmax); arb_init(cf); arb_init(rho);
    arb_init(t); arb_init(br); arb_init(wmin);
    arf_init(lo); arf_init(hi);
    if (run_general(g, run) || cp_run_get_rat(ca, run, "alpha") || cp_run_get_rat(tol, run, "tol"))
        goto done;
    if (fmpq_sgn(tol) <= 0) {
        cp_run_bad_input(run, "tol", "tol must be positive");
        goto done;
    }
    if (fmpq_cmp(g->base->m_lo, g->base->m_hi) == 0 && fmpq_sgn(g->base->m_hi) == 0) {
        cp_run_bad_input(run, "m_hi", "m_hi must be positive (else the excess is identically 0)");
        goto done;
    }
    cp_general_alpha_star(cf, rho, lmin, lmax, NULL, NULL, &exact, g, prec);
    /* W decreases for alpha < 1/lam_max and increases for alpha > 1/lam_min */
    arb_inv(t, lmax, prec);
    arb_get_lbound_arf(lo, t, prec);
    arb_inv(t, lmin, prec);
    arb_get_ubound_arf(hi, t, prec);
    separated = cp_convex_argmin_bracket(lo, hi, contraction_fn, g, prec);
    arb_set_interval_arf(br, lo, hi, prec);
    arb_set(run->value, br);
    run->has_value = 1;
    cp_general_contraction(wmin, g, cf, prec);
    int consistent = arb_overlaps(br, cf) && arb_overlaps(wmin, rho);
    /* the claim |argmin - alpha| < tol */
    arb_t a, tl;
    arb_init(a); arb_init(tl);
    arb_set_fmpq(a, ca, prec);
    arb_set_fmpq(tl, tol, prec);
    cp_verdict claim = cp_decide_near(br, a, tl);
    arb_clear(a); arb_clear(tl);
    char bb[128], bc[128], bl[128], bu[128], brh[128];
    cp_arb_human_buf(bb, sizeof bb, br, 15);
    cp_arb_human_buf(bc, sizeof bc, cf, 15);
    cp_arb_human_buf(bl, sizeof bl, lmin, 12);
    cp_arb_human_buf(bu, sizeof bu, lmax, 12);
    cp_arb_human_buf(brh, sizeof brh, rho, 12);
    char *as = fmpq_get_str(NULL, 10, ca), *ts = fmpq_get_str(NULL, 10, tol);
    cp_run_detail(run, "relevant spectrum hull [%s, %s]%s; the certified ternary search on W encloses "
                       "argmin W in %s%s; closed form 2/(lam_min + lam_max) = %s, W there = rho = %s [%s]; "
                       "claim |argmin - %s| < %s is %s.", bl, bu, exact ? " (exact rationals)" : "",
                  bb, separated ? "" : " (search stopped early)", bc, brh,
                  consistent ? "consistent" : "INCONSISTENT", as, ts,
                  claim == CP_CERTIFIED ? "proved" : claim == CP_REFUTED ? "false (proved)" : "undecided");
    flint_free(as);
    flint_free(ts);
    v = consistent ? claim : CP_INCONCLUSIVE;
done:
    cp_general_clear(g);
    fmpq_clear(ca); fmpq_clear(tol);
    arb_clear(lmin); arb_clear(lmax); arb_clear(cf); arb_clear(rho);
    arb_clear(t); arb_clear(br); arb_clear(wmin);
    arf_clear(lo); arf_clear(hi);
    return v;
}

/* ---- the LSA gap at one point: bracket and closed form ------------------ */

typedef struct {
    arb_t lower, upper, closed;
    int consistent;
} gap_point;

/* lower = D(w*) <= gap <= upper (explicit LSA), closed = k c(q m_lo, q m_hi) */
static void gap_at(gap_point *p, const cp_general_t g, slong prec)
{
    fmpq_t w;
    arb_t s1, s2, wa;
    fmpq_init(w);
    arb_init(s1); arb_init(s2); arb_init(wa);
    arb_set_fmpq(s1, g->base->m_lo, prec);
    arb_set_fmpq(s2, g->base->m_hi, prec);
    cp_general_lsa_dual_weight(w, g, fmpq_get_d(g->base->m_lo), fmpq_get_d(g->base->m_hi));
    arb_set_fmpq(wa, w, prec);
    cp_general_lsa_pair_dual(p->lower, p->upper, g, s1, s2, wa, prec);
    cp_general_lsa_gap(p->closed, g, prec);
    /* the closed form must lie in [lower, upper]: a proof of the contrary
     * would expose an error in (G-8) or (G-9) */
    p->consistent = !arb_lt(p->closed, p->lower) && !arb_gt(p->closed, p->upper);
    fmpq_clear(w);
    arb_clear(s1); arb_clear(s2); arb_clear(wa);
}

static void gap_point_init(gap_point *p) { arb_init(p->lower); arb_init(p->upper); arb_init(p->closed); }
static void gap_point_clear(gap_point *p) { arb_clear(p->lower); arb_clear(p->upper); arb_clear(p->closed); }

/* ---- general_lsa_gap_grid -------------------------------------------------
 * Claim: at every (tau2, split) of the grid (tau1 and the rest fixed), every
 * single-layer LSA has worst case over the four tasks of (G-8) above
 * `bound`.  Certified at each point from the dual lower bound D(w*) (weak
 * duality, (G-9)); REFUTED when at some point the explicit LSA h(w*) has
 * worst case <= bound (proved). */
static const cp_key_spec grid_keys[] = {
    CP_MODEL_KEYS,
    { "k",     CP_KEY_INT,     "1",   "number of latent factors" },
    { "tau1",  CP_KEY_RAT,     "1",   "noise standard deviation of modality 1" },
    { "tau2",  CP_KEY_RATLIST, "1",   "noise standard deviations of modality 2 (grid)" },
    { "split", CP_KEY_RATLIST, "1/2", "loading fractions in modality 1 (grid)" },
    { "bound", CP_KEY_RAT,     "0",   "claimed lower bound at every grid point" },
    CP_KEY_END
};

static cp_verdict check_gap_grid(cp_check_run *run)
{
    cp_run_value_name(run, "smallest closed-form gap k c(q m_lo, q m_hi) over the grid");
    slong prec = run->prec, n2 = 0, ns = 0;
    fmpq *tau2 = NULL, *split = NULL;
    cp_general_t g;
    fmpq_t tau1, bound;
    arb_t bb;
    gap_point p;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_general_init(g);
    fmpq_init(tau1); fmpq_init(bound);
    arb_init(bb);
    gap_point_init(&p);
    if (cp_run_get_model(g->base, run) || cp_run_get_int(&g->k, run, "k")
        || cp_run_get_rat(tau1, run, "tau1") || cp_run_get_rat(bound, run, "bound")
        || cp_run_get_ratlist(&tau2, &n2, run, "tau2") || cp_run_get_ratlist(&split, &ns, run, "split"))
        goto done;
    if (n2 * ns > 10000) {
        cp_run_bad_input(run, "tau2", "the grid holds %ld points; at most 10000", (long) (n2 * ns));
        goto done;
    }
    if (fmpq_sgn(g->base->m_lo) <= 0 || fmpq_cmp(g->base->m_lo, g->base->m_hi) >= 0) {
        cp_run_bad_input(run, "m_lo", "this claim needs 0 < m_lo < m_hi (else the gap is 0, (G-8))");
        goto done;
    }
    arb_set_fmpq(bb, bound, prec);
    {
        int all = 1, refuted = 0, consistent = 1;
        slong imin = 0, jmin = 0;
        arb_t minc;
        arb_init(minc);
        arb_pos_inf(minc);
        for (slong i = 0; i < n2 && !refuted; i++)
            for (slong j = 0; j < ns && !refuted; j++) {
                const char *key = NULL, *msg;
                cp_general_set_noise(g, tau1, tau2 + i);
                fmpq_set(g->split, split + j);
                if ((msg = cp_general_invalid(g, &key)) != NULL) {
                    cp_run_bad_input(run, key, "%s", msg);
                    arb_clear(minc);
                    goto done;
                }
                gap_at(&p, g, prec);
                consistent &= p.consistent;
                if (arb_lt(p.closed, minc) || (i == 0 && j == 0)) {
                    imin = i;
                    jmin = j;
                }
                arb_min(minc, minc, p.closed, prec);
                if (arb_le(p.upper, bb))
                    refuted = 1;
                else if (!arb_gt(p.lower, bb))
                    all = 0;
            }
        arb_set(run->value, minc);
        run->has_value = 1;
        char bm[128], *bs = fmpq_get_str(NULL, 10, bound);
        cp_arb_human_buf(bm, sizeof bm, minc, 12);
        cp_run_detail(run, "%ld x %ld grid (tau2 x split), tau1 fixed: the smallest gap is %s, at tau2 = %.6g, "
                           "split = %.6g; at every point the dual bound D(w*) and an explicit LSA bracket the "
                           "closed form [%s]; %s %s.", (long) n2, (long) ns, bm,
                      fmpq_get_d(tau2 + imin), fmpq_get_d(split + jmin),
                      consistent ? "consistent" : "INCONSISTENT",
                      refuted ? "an explicit LSA has worst case <= the bound at some point: the claim is false; bound"
                              : all ? "every point is proved above the bound" : "some points undecided against the bound",
                      bs);
        flint_free(bs);
        v = !consistent ? CP_INCONCLUSIVE : refuted ? CP_REFUTED : all ? CP_CERTIFIED : CP_INCONCLUSIVE;
        arb_clear(minc);
    }
done:
    if (tau2 != NULL) _fmpq_vec_clear(tau2, n2);
    if (split != NULL) _fmpq_vec_clear(split, ns);
    cp_general_clear(g);
    fmpq_clear(tau1); fmpq_clear(bound);
    arb_clear(bb);
    gap_point_clear(&p);
    return v;
}

/* ---- general_lsa_gap_below ------------------------------------------------
 * Claim: some single-layer LSA has worst case over the four tasks of (G-8)
 * below `bound` (the gap is < bound).  Certified from the explicit LSA h(w*)
 * (upper < bound); REFUTED when the dual bound proves gap >= bound. */
static const cp_key_spec below_keys[] = {
    CP_GENERAL_KEYS,
    { "bound", CP_KEY_RAT, NULL, "claimed upper bound on the gap" },
    CP_KEY_END
};

static cp_verdict check_gap_below(cp_check_run *run)
{
    cp_run_value_name(run, "closed-form gap k c(q m_lo, q m_hi)");
    slong prec = run->prec;
    cp_general_t g;
    fmpq_t bound, q;
    arb_t bb;
    gap_point p;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_general_init(g);
    fmpq_init(bound); fmpq_init(q);
    arb_init(bb);
    gap_point_init(&p);
    if (run_general(g, run) || cp_run_get_rat(bound, run, "bound"))
        goto done;
    gap_at(&p, g, prec);
    arb_set(run->value, p.closed);
    run->has_value = 1;
    arb_set_fmpq(bb, bound, prec);
    cp_verdict claim = arb_lt(p.upper, bb) ? CP_CERTIFIED : arb_ge(p.lower, bb) ? CP_REFUTED : CP_INCONCLUSIVE;
    cp_general_q(q, g);
    char bc[128], bu[128], *bs = fmpq_get_str(NULL, 10, bound);
    cp_arb_human_buf(bc, sizeof bc, p.closed, 12);
    cp_arb_human_buf(bu, sizeof bu, p.upper, 12);
    cp_run_detail(run, "q = %.10g; gap = k c(q m_lo, q m_hi) = %s; an explicit LSA (odd part h(w*)) has worst "
                       "case %s over the four tasks [%s]; claim gap < %s is %s.", fmpq_get_d(q), bc, bu,
                  p.consistent ? "consistent" : "INCONSISTENT", bs,
                  claim == CP_CERTIFIED ? "proved" : claim == CP_REFUTED ? "false (proved)" : "undecided");
    flint_free(bs);
    v = p.consistent ? claim : CP_INCONCLUSIVE;
done:
    cp_general_clear(g);
    fmpq_clear(bound); fmpq_clear(q);
    arb_clear(bb);
    gap_point_clear(&p);
    return v;
}

/* ---- general_lsa_gap_region ------------------------------------------------
 * Claim: for EVERY k in [k, k_hi], tau1 in [tau1_lo, tau1_hi], tau2 in
 * [tau2_lo, tau2_hi] and split in [split_lo, split_hi], every single-layer LSA has worst case over
 * the four tasks of (G-8) above `bound`.  By (G-8) the gap at a point is
 * k c(q m_lo, q m_hi), and c(q m_lo, q m_hi) is strictly increasing in q
 * (Lemma GAP-MONO, docs/model.md (G-8)); q = split/tau1^2 + (1-split)/tau2^2
 * decreases in tau1 and tau2 and is affine in split, so the smallest gap over
 * the box is at the corner (tau1_hi, tau2_hi, split_lo or split_hi) with the
 * smaller q, an exact rational.  The check certifies the dual bound there. */
static const cp_key_spec region_keys[] = {
    CP_MODEL_KEYS,
    { "k",        CP_KEY_INT, "1",   "number of latent factors (the smallest, with k_hi)" },
    { "k_hi",     CP_KEY_INT, "k",   "largest number of factors of the family (the gap k c grows with k)" },
    { "tau1_lo",  CP_KEY_RAT, "1",   "smallest noise level of modality 1" },
    { "tau1_hi",  CP_KEY_RAT, "1",   "largest noise level of modality 1" },
    { "tau2_lo",  CP_KEY_RAT, NULL,  "smallest noise level of modality 2" },
    { "tau2_hi",  CP_KEY_RAT, NULL,  "largest noise level of modality 2" },
    { "split_lo", CP_KEY_RAT, "0",   "smallest loading fraction in modality 1" },
    { "split_hi", CP_KEY_RAT, "1",   "largest loading fraction in modality 1" },
    { "bound",    CP_KEY_RAT, "0",   "claimed lower bound on the gap over the whole box" },
    CP_KEY_END
};

static cp_verdict check_gap_region(cp_check_run *run)
{
    cp_run_value_name(run, "smallest gap over the box, k c(q_min m_lo, q_min m_hi), at the corner of smallest q");
    slong prec = run->prec;
    cp_general_t g;
    fmpq_t t1lo, t1hi, t2lo, t2hi, slo, shi, bound, q1, q2;
    arb_t bb;
    gap_point p;
    cp_verdict v = CP_INCONCLUSIVE;
    const char *key = NULL, *msg;
    cp_general_init(g);
    fmpq_init(t1lo); fmpq_init(t1hi); fmpq_init(t2lo); fmpq_init(t2hi);
    fmpq_init(slo); fmpq_init(shi); fmpq_init(bound); fmpq_init(q1); fmpq_init(q2);
    arb_init(bb);
    gap_point_init(&p);
    slong k_hi = 0;
    if (cp_run_get_model(g->base, run) || cp_run_get_int(&g->k, run, "k")
        || (cp_kv_has(run->params, "k_hi") && cp_run_get_int(&k_hi, run, "k_hi"))
        || cp_run_get_rat(t1lo, run, "tau1_lo") || cp_run_get_rat(t1hi, run, "tau1_hi")
        || cp_run_get_rat(t2lo, run, "tau2_lo") || cp_run_get_rat(t2hi, run, "tau2_hi")
        || cp_run_get_rat(slo, run, "split_lo") || cp_run_get_rat(shi, run, "split_hi")
        || cp_run_get_rat(bound, run, "bound"))
        goto done;
    if (fmpq_cmp(t1lo, t1hi) > 0 || fmpq_cmp(t2lo, t2hi) > 0 || fmpq_cmp(slo, shi) > 0) {
        cp_run_bad_input(run, fmpq_cmp(t1lo, t1hi) > 0 ? "tau1_lo" : fmpq_cmp(t2lo, t2hi) > 0 ? "tau2_lo" : "split_lo",
                         "each interval needs lo <= hi");
        goto done;
    }
    if (fmpq_sgn(g->base->m_lo) <= 0 || fmpq_cmp(g->base->m_lo, g->base->m_hi) >= 0) {
        cp_run_bad_input(run, "m_lo", "this claim needs 0 < m_lo < m_hi (else the gap is 0, (G-8))");
        goto done;
    }
    if (!cp_kv_has(run->params, "k_hi"))
        k_hi = g->k;
    if (k_hi < g->k) {
        cp_run_bad_input(run, "k_hi", "k_hi must be >= k");
        goto done;
    }
    /* every corner must be a valid model (then so is the box: the
     * constraints are intervals; the dimension constraint is tightest at k_hi) */
    slong k_lo = g->k;
    g->k = k_hi;
    for (int c = 0; c < 8; c++) {
        cp_general_set_noise(g, (c & 1) ? t1hi : t1lo, (c & 2) ? t2hi : t2lo);
        fmpq_set(g->split, (c & 4) ? shi : slo);
        if ((msg = cp_general_invalid(g, &key)) != NULL) {
            cp_run_bad_input(run, !strcmp(key, "tau1") ? "tau1_lo" : !strcmp(key, "tau2") ? "tau2_lo"
                             : !strcmp(key, "split") ? "split_lo" : key, "%s", msg);
            goto done;
        }
    }
    g->k = k_lo;   /* the gap k c(q m_lo, q m_hi) is smallest at the smallest k */
    /* the corner of smallest q: tau1_hi, tau2_hi, and split_lo or split_hi */
    cp_general_set_noise(g, t1hi, t2hi);
    fmpq_set(g->split, slo);
    cp_general_q(q1, g);
    fmpq_set(g->split, shi);
    cp_general_q(q2, g);
    if (fmpq_cmp(q1, q2) < 0)
        fmpq_set(g->split, slo);
    gap_at(&p, g, prec);
    arb_set(run->value, p.closed);
    run->has_value = 1;
    arb_set_fmpq(bb, bound, prec);
    cp_verdict claim = arb_gt(p.lower, bb) ? CP_CERTIFIED : arb_le(p.upper, bb) ? CP_REFUTED : CP_INCONCLUSIVE;
    {
        char bc[128], *bs = fmpq_get_str(NULL, 10, bound);
        fmpq_t q;
        fmpq_init(q);
        cp_general_q(q, g);
        cp_arb_human_buf(bc, sizeof bc, p.closed, 12);
        cp_run_detail(run, "box k in [%ld, %ld], tau1 in [%.6g, %.6g], tau2 in [%.6g, %.6g], split in [%.6g, %.6g]: the smallest "
                           "q = %.10g is at tau1 = %.6g, tau2 = %.6g, split = %.6g; by (G-8) and the monotonicity "
                           "in q the smallest gap over the box is %s there (dual bound and explicit LSA bracket it "
                           "[%s]); gap > %s on the whole box is %s.",
                      (long) k_lo, (long) k_hi, fmpq_get_d(t1lo), fmpq_get_d(t1hi), fmpq_get_d(t2lo), fmpq_get_d(t2hi), fmpq_get_d(slo),
                      fmpq_get_d(shi), fmpq_get_d(q), fmpq_get_d(t1hi), fmpq_get_d(t2hi), fmpq_get_d(g->split), bc,
                      p.consistent ? "consistent" : "INCONSISTENT", bs,
                      claim == CP_CERTIFIED ? "proved" : claim == CP_REFUTED ? "false (proved at that corner)" : "undecided");
        flint_free(bs);
        fmpq_clear(q);
    }
    v = p.consistent ? claim : CP_INCONCLUSIVE;
done:
    cp_general_clear(g);
    fmpq_clear(t1lo); fmpq_clear(t1hi); fmpq_clear(t2lo); fmpq_clear(t2hi);
    fmpq_clear(slo); fmpq_clear(shi); fmpq_clear(bound); fmpq_clear(q1); fmpq_clear(q2);
    arb_clear(bb);
    gap_point_clear(&p);
    return v;
}

/* ---- general_step_ratio ----------------------------------------------------
 * Claim: at depth T, the tied Richardson CA excess (beta = -alpha) at the
 * step `alpha` divided by the excess at the minimax step alpha*_gen of (G-7)
 * is above or below `ratio` (key op).  Both excesses are enclosures of (G-6). */
static const cp_key_spec ratio_keys[] = {
    CP_GENERAL_KEYS,
    { "alpha", CP_KEY_RAT,  NULL, "the step compared with alpha*_gen (e.g. the isotropic alpha* = 2/(2 + m_lo + m_hi))" },
    { "T",     CP_KEY_INT,  "1",  "depth, 1 <= T <= 10^6" },
    { "op",    CP_KEY_WORD, "above", "above (ratio > bound) or below (ratio < bound)" },
    { "ratio", CP_KEY_RAT,  NULL, "claimed bound on excess(alpha)/excess(alpha*_gen)" },
    CP_KEY_END
};

static cp_verdict check_step_ratio(cp_check_run *run)
{
    cp_run_value_name(run, "excess(alpha)/excess(alpha*_gen), tied Richardson CA");
    slong prec = run->prec, T = 1;
    cp_general_t g;
    fmpq_t a, r;
    arb_t al, ea, eg, q, rr;
    const char *op = NULL;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_general_init(g);
    fmpq_init(a); fmpq_init(r);
    arb_init(al); arb_init(ea); arb_init(eg); arb_init(q); arb_init(rr);
    if (run_general(g, run) || cp_run_get_rat(a, run, "alpha") || cp_run_get_rat(r, run, "ratio")
        || cp_run_get_int(&T, run, "T") || cp_run_get_word(&op, run, "op"))
        goto done;
    if (T < 1 || T > 1000000) {
        cp_run_bad_input(run, "T", "T must lie in [1, 10^6]");
        goto done;
    }
    if (strcmp(op, "above") != 0 && strcmp(op, "below") != 0) {
        cp_run_bad_input(run, "op", "op must be above or below");
        goto done;
    }
    const char *cmp = strcmp(op, "above") == 0 ? ">" : "<";
    if (fmpq_sgn(g->base->m_hi) <= 0) {
        cp_run_bad_input(run, "m_hi", "m_hi must be positive (else the excess is identically 0)");
        goto done;
    }
    arb_set_fmpq(al, a, prec);
    cp_general_richardson_excess(ea, g, al, (ulong) T, prec);
    cp_general_alpha_star(al, NULL, NULL, NULL, NULL, NULL, NULL, g, prec);
    cp_general_richardson_excess(eg, g, al, (ulong) T, prec);
    arb_div(q, ea, eg, prec);
    arb_set(run->value, q);
    run->has_value = 1;
    arb_set_fmpq(rr, r, prec);
    v = cp_decide_cmp(q, cmp, rr);
    char b1[128], b2[128], b3[128], *as = fmpq_get_str(NULL, 10, a), *rs = fmpq_get_str(NULL, 10, r);
    cp_arb_human_buf(b1, sizeof b1, ea, 12);
    cp_arb_human_buf(b2, sizeof b2, eg, 12);
    cp_arb_human_buf(b3, sizeof b3, q, 12);
    cp_run_detail(run, "T = %ld, beta = -alpha: excess at alpha = %s is %s, at alpha*_gen it is %s; ratio %s %s %s [%s].",
                  (long) T, as, b1, b2, b3, cmp, rs,
                  v == CP_CERTIFIED ? "proved" : v == CP_REFUTED ? "false (proved)" : "undecided");
    flint_free(as);
    flint_free(rs);
done:
    cp_general_clear(g);
    fmpq_clear(a); fmpq_clear(r);
    arb_clear(al); arb_clear(ea); arb_clear(eg); arb_clear(q); arb_clear(rr);
    return v;
}

const cp_check_def cp_checks_general_model[] = {
    { "general_alpha_minimax", "the minimax tied-CA step over the relevant spectrum of Lambda lies within tol of alpha",
      CP_CHECK_BALL, amin_keys, check_alpha_minimax },
    { "general_step_ratio", "tied CA excess at a given step over the excess at the minimax step of (G-7), at depth T",
      CP_CHECK_BALL, ratio_keys, check_step_ratio },
    { "general_lsa_gap_grid", "every single-layer LSA has worst case > bound at every (tau2, split) of a grid",
      CP_CHECK_BALL, grid_keys, check_gap_grid },
    { "general_lsa_gap_region", "every single-layer LSA has worst case > bound for every noise level and split in a box",
      CP_CHECK_BALL, region_keys, check_gap_region },
    { "general_lsa_gap_below", "some single-layer LSA has worst case < bound over the four tasks (the gap is small)",
      CP_CHECK_BALL, below_keys, check_gap_below },
    { NULL, NULL, CP_CHECK_BALL, NULL, NULL }
};
