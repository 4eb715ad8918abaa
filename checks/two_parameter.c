/* two_parameter.c -- checks of theorems/two_parameter.md: the tied
 * two-parameter cross-attention (alpha, beta) and untied layer schedules,
 * L = infinity.  Derivations: docs/model.md, "Gradient flow (issue 3)",
 * (GF-5) and (GF-6). */
#include <stdio.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/flow.h"
#include "crossproof/lsa.h"
#include "crossproof/output.h"

#define TP_MAX_T 100000

static int tp_model(cp_model_t m, cp_check_run *run)
{
    if (cp_run_get_model(m, run))
        return -1;
    if (fmpq_sgn(m->m_hi) <= 0)
        return cp_run_bad_input(run, "m_hi", "m_hi must be positive");
    return 0;
}

/* ---- tp_opt ---------------------------------------------------------------
 * Claim: for each T >= 2 the two-parameter excess has exactly one critical
 * point with beta in the certified interval, a strict minimum, enclosed in the
 * reported box.  With beta_lo < beta_hi given: the profile h is strictly
 * convex on [beta_lo, beta_hi] and h'(beta_lo) < 0 < h'(beta_hi), so E2 has a
 * unique minimizer over the whole strip beta in [beta_lo, beta_hi] (GF-5).
 * With beta_max given: also beta_T < beta_max for every listed T.  The value
 * shown is the largest beta_T.  When a sufficient condition fails (the sign
 * of h' at an end of the strip) nothing is proved either way: INCONCLUSIVE,
 * never REFUTED (a minimiser may still lie in the strip). */
static const cp_key_spec opt_keys[] = {
    CP_MODEL_KEYS,
    { "T",          CP_KEY_INTLIST, "2,5,10,20,50,100", "depths (>= 2)" },
    { "beta_max",   CP_KEY_RAT, "none", "claimed strict upper bound on every beta_T" },
    { "beta_lo",    CP_KEY_RAT, "none", "left end of the claimed region of uniqueness" },
    { "beta_hi",    CP_KEY_RAT, "none", "right end of the region (< 0)" },
    { "max_pieces", CP_KEY_INT, "4096", "budget of ball evaluations for the convexity proof" },
    CP_KEY_END
};

static cp_verdict check_opt(cp_check_run *run)
{
    cp_run_value_name(run, "largest beta_T over the listed T");
    slong prec = run->prec, *T = NULL, n = 0, pieces = 4096;
    fmpq_t blo, bhi, bmax;
    int has_max = cp_kv_has(run->params, "beta_max");
    fmpq_init(bmax);
    cp_model_t m;
    arb_t al, be, r, lo, hi, h1, t;
    int region;
    cp_verdict v = CP_CERTIFIED;
    char b1[96], b2[96];
    cp_model_init(m);
    fmpq_init(blo); fmpq_init(bhi);
    arb_init(al); arb_init(be); arb_init(r); arb_init(lo); arb_init(hi); arb_init(h1); arb_init(t);
    if (tp_model(m, run) || cp_run_get_depths(&T, &n, run, "T", 2, TP_MAX_T))
        goto done;
    if (has_max && cp_run_get_rat(bmax, run, "beta_max"))
        goto done;
    region = cp_kv_has(run->params, "beta_lo") || cp_kv_has(run->params, "beta_hi");
    if (region) {
        if (cp_run_get_rat(blo, run, "beta_lo") || cp_run_get_rat(bhi, run, "beta_hi"))
            goto done;
        if (fmpq_cmp(blo, bhi) >= 0 || fmpq_sgn(bhi) >= 0) {
            cp_run_bad_input(run, "beta_hi", "need beta_lo < beta_hi < 0");
            goto done;
        }
    }
    if (cp_run_get_int(&pieces, run, "max_pieces") || pieces < 1) {
        cp_run_bad_input(run, "max_pieces", "max_pieces must be positive");
        goto done;
    }
    cp_run_detail(run, "Minimizer boxes:");
    cp_run_table_head(run, "| T | alpha_T in | beta_T in | note |");
    for (slong i = 0; i < n && v != CP_REFUTED; i++) {
        cp_verdict vi = CP_CERTIFIED;
        if (region) {
            arb_set_fmpq(lo, blo, prec);
            arb_set_fmpq(hi, bhi, prec);
            cp_flow_profile(NULL, h1, NULL, NULL, m, lo, (ulong) T[i], prec);
            vi = cp_verdict_and(vi, arb_is_negative(h1) ? CP_CERTIFIED : CP_INCONCLUSIVE);
            run->settled |= arb_is_nonnegative(h1);
            cp_flow_profile(NULL, h1, NULL, NULL, m, hi, (ulong) T[i], prec);
            vi = cp_verdict_and(vi, arb_is_positive(h1) ? CP_CERTIFIED : CP_INCONCLUSIVE);
            run->settled |= arb_is_nonpositive(h1);
            if (run->settled) {
                cp_run_detail_append(run, "| %ld | | | the sign of h' at an end of the strip is proved "
                                          "wrong, so this argument cannot show a minimizer in the strip "
                                          "(nor exclude one) |\n", (long) T[i]);
                v = CP_INCONCLUSIVE;
                break;
            }
            if (vi == CP_CERTIFIED && !cp_flow_profile_convex_on(m, lo, hi, (ulong) T[i], pieces, prec))
                vi = CP_INCONCLUSIVE;
        }
        if (vi == CP_CERTIFIED) {
            if (!cp_flow_opt2(al, be, r, m, (ulong) T[i], prec))
                vi = CP_INCONCLUSIVE;
            else if (region) {
                arb_union(t, lo, hi, prec);
                if (!arb_contains(t, be))
                    vi = CP_INCONCLUSIVE;
            }
        }
        if (vi == CP_CERTIFIED) {
            cp_arb_human_buf(b1, sizeof b1, al, 20);
            cp_arb_human_buf(b2, sizeof b2, be, 20);
            cp_run_value_max(run, be, i == 0);
            if (has_max) {
                arb_set_fmpq(t, bmax, prec);
                vi = cp_decide_cmp(be, "<", t);
            }
            cp_run_detail_append(run, "| %ld | %s | %s | %s |\n", (long) T[i], b1, b2,
                                 vi == CP_REFUTED ? "beta_T >= beta_max (proved)" : "");
        } else {
            cp_run_detail_append(run, "| %ld | | | undecided (%s) |\n", (long) T[i],
                                 region ? "h' at the strip ends or convexity not proved at this precision"
                                        : "minimizer not isolated at this precision");
        }
        v = cp_verdict_and(v, vi);
    }
    if (region && v == CP_CERTIFIED)
        cp_run_detail_append(run, "\nUnique minimizer over the strip beta in [beta_lo, beta_hi] for every listed T.");
done:
    fmpq_clear(bmax);
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    flint_free(T);
    cp_model_clear(m);
    fmpq_clear(blo); fmpq_clear(bhi);
    arb_clear(al); arb_clear(be); arb_clear(r); arb_clear(lo); arb_clear(hi); arb_clear(h1); arb_clear(t);
    return v;
}

/* ---- tp_chebyshev ---------------------------------------------------------------
 * Claim: untied layers with Chebyshev steps alpha_t = 1/nu_t (beta_t = -alpha_t)
 * have smaller excess than the optimal tied one-parameter model, E1(alpha_T),
 * and (T >= 2) than the certified two-parameter minimizer (GF-6). */
static const cp_key_spec cheb_keys[] = {
    CP_MODEL_KEYS,
    { "T", CP_KEY_INTLIST, "2,3,5,10", "depths" },
    { "bound", CP_KEY_RAT, "1", "claimed: Chebyshev excess < bound * optimal tied excess" },
    CP_KEY_END
};

static cp_verdict check_chebyshev(cp_check_run *run)
{
    cp_run_value_name(run, "largest ratio of the Chebyshev excess to the best tied excess over the listed T");
    slong prec = run->prec, *T = NULL, n = 0;
    cp_model_t m;
    arb_t a, b, e1, e2, ec, al, be, r, b3ball;
    fmpq_t bound;
    cp_verdict v = CP_CERTIFIED;
    char b1[96], b2[96], b3[96];
    cp_model_init(m);
    fmpq_init(bound);
    arb_init(a); arb_init(b); arb_init(b3ball); arb_init(e1); arb_init(e2); arb_init(ec); arb_init(al); arb_init(be); arb_init(r);
    if (tp_model(m, run) || cp_run_get_depths(&T, &n, run, "T", 1, TP_MAX_T))
        goto done;
    if (cp_run_get_rat(bound, run, "bound") || fmpq_sgn(bound) <= 0) {
        cp_run_bad_input(run, "bound", "bound must be positive");
        goto done;
    }
    if (fmpq_cmp(m->m_lo, m->m_hi) >= 0) {
        cp_run_bad_input(run, "m_hi", "need m_lo < m_hi");
        goto done;
    }
    for (slong i = 0; i < n; i++)
        if (T[i] > 200) {
            cp_run_bad_input(run, "T", "tp_chebyshev integrates a degree-2T polynomial; T <= 200");
            goto done;
        }
    cp_run_detail(run, "Chebyshev untied vs optimal tied excess:");
    cp_run_table_head(run, "| T | Chebyshev (untied) | best tied, beta = -alpha | best two-parameter |");
    for (slong i = 0; i < n; i++) {
        arb_ptr alpha = _arb_vec_init(T[i]), beta = _arb_vec_init(T[i]);
        cp_verdict vi = CP_INCONCLUSIVE;
        cp_flow_chebyshev_steps(alpha, m, T[i], prec);
        for (slong t = 0; t < T[i]; t++)
            arb_neg(beta + t, alpha + t);
        cp_flow_excess_untied(ec, m, alpha, beta, T[i], prec);
        if (cp_flow_alpha_opt(a, m, (ulong) T[i], prec)) {
            cp_flow_excess1(e1, m, a, (ulong) T[i], prec);
            arb_mul_fmpz(b, e1, fmpq_numref(bound), prec);
            arb_div_fmpz(b, b, fmpq_denref(bound), prec);
            vi = cp_decide_cmp(ec, "<", b);
        }
        cp_arb_human_buf(b1, sizeof b1, ec, 8);
        cp_arb_human_buf(b2, sizeof b2, e1, 8);
        arb_set(b3ball, e1);
        if (T[i] >= 2 && vi == CP_CERTIFIED) {
            if (cp_flow_opt2(al, be, r, m, (ulong) T[i], prec)) {
                /* min over the strip = h(beta_T), beta_T in the certified ball */
                cp_flow_profile(e2, NULL, NULL, NULL, m, be, (ulong) T[i], prec);
                arb_mul_fmpz(b, e2, fmpq_numref(bound), prec);
                arb_div_fmpz(b, b, fmpq_denref(bound), prec);
                vi = cp_decide_cmp(ec, "<", b);
                arb_min(b3ball, e1, e2, prec);
            } else {
                vi = CP_INCONCLUSIVE;
            }
            cp_arb_human_buf(b3, sizeof b3, e2, 8);
        } else {
            snprintf(b3, sizeof b3, "-");
        }
        cp_run_detail_append(run, "| %ld | %s | %s | %s |\n", (long) T[i], b1, b2, b3);
        /* shown value: the largest ratio Chebyshev / best tied over the listed T
         * (the weakest margin; the claim is ratio < bound) */
        arb_div(e1, ec, b3ball, prec);
        cp_run_value_max(run, e1, i == 0);
        v = cp_verdict_and(v, vi);
        _arb_vec_clear(alpha, T[i]);
        _arb_vec_clear(beta, T[i]);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    flint_free(T);
    cp_model_clear(m);
    fmpq_clear(bound);
    arb_clear(a); arb_clear(b); arb_clear(b3ball); arb_clear(e1); arb_clear(e2); arb_clear(ec); arb_clear(al); arb_clear(be); arb_clear(r);
    return v;
}

const cp_check_def cp_checks_two_parameter[] = {
    { "tp_opt", "two-parameter minimizer boxes; unique over a beta strip when given",
      CP_CHECK_BALL, opt_keys, check_opt },
    { "tp_chebyshev", "untied Chebyshev steps beat the optimal tied parameters",
      CP_CHECK_BALL, cheb_keys, check_chebyshev },
    { NULL, NULL, CP_CHECK_BALL, NULL, NULL }
};
