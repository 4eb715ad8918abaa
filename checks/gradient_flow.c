/* gradient_flow.c -- checks of theorems/gradient_flow.md (one-parameter
 * cross-attention, beta = -alpha, L = infinity).
 *
 * Derivations: docs/model.md, "Gradient flow (issue 3)", (GF-1)..(GF-4).
 * Every verdict rests on Arb enclosures or exact rationals; no double
 * enters a decision. */
#include <stdio.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/flow.h"
#include "crossproof/lsa.h"
#include "crossproof/output.h"

#define GF_MAX_T 10000000

static int gf_model(cp_model_t m, cp_check_run *run)
{
    if (cp_run_get_model(m, run))
        return -1;
    if (fmpq_sgn(m->m_hi) <= 0)
        return cp_run_bad_input(run, "m_hi", "m_hi must be positive (else the excess is identically 0)");
    return 0;
}

/* ---- gf_convexity ------------------------------------------------------
 * Claim: for each T, E1 has a unique minimizer alpha_T, it lies in
 * (0, alpha_hi) (default alpha_hi = 2/(1 + m_hi)), and gradient flow from any
 * alpha_0 converges to it.  The symbolic part (E1'' >= 0, vanishing at most at
 * one alpha, (GF-2)) needs m_hi > 0, checked exactly; the check certifies
 * E1'(0) < 0 and E1'(alpha_hi) > 0. */
static const cp_key_spec convexity_keys[] = {
    CP_MODEL_KEYS,
    { "T",        CP_KEY_INTLIST, "1,2,5,10,100,1000,100000", "depths" },
    { "alpha_hi", CP_KEY_RAT, "2/(1+m_hi)", "claimed upper end of the interval holding alpha_T" },
    CP_KEY_END
};

static cp_verdict check_convexity(cp_check_run *run)
{
    cp_run_value_name(run, "largest alpha_T over the listed T");
    slong prec = run->prec, *T = NULL, n = 0;
    cp_model_t m;
    fmpq_t hi;
    arb_t a, d;
    cp_verdict v = CP_CERTIFIED;
    char b1[96], b2[96];
    cp_model_init(m);
    fmpq_init(hi);
    arb_init(a);
    arb_init(d);
    if (gf_model(m, run) || cp_run_get_depths(&T, &n, run, "T", 1, GF_MAX_T))
        goto done;
    if (cp_kv_has(run->params, "alpha_hi")) {
        if (cp_run_get_rat(hi, run, "alpha_hi"))
            goto done;
    } else {
        fmpq_add_si(hi, m->m_hi, 1);
        fmpq_inv(hi, hi);
        fmpq_mul_2exp(hi, hi, 1);
    }
    if (fmpq_sgn(hi) <= 0) {
        cp_run_bad_input(run, "alpha_hi", "alpha_hi must be positive");
        goto done;
    }
    cp_run_detail(run, "m_hi > 0 (exact), so E1 is strictly convex on R (GF-2).");
    cp_run_table_head(run, "| T | E1'(0) (< 0) | E1'(alpha_hi) (> 0) |");
    for (slong i = 0; i < n; i++) {
        cp_verdict vi;
        arb_zero(a);
        cp_flow_dexcess1(d, m, a, (ulong) T[i], prec);
        vi = arb_is_negative(d) ? CP_CERTIFIED : arb_is_nonnegative(d) ? CP_REFUTED : CP_INCONCLUSIVE;
        cp_arb_human_buf(b1, sizeof b1, d, 6);
        arb_set_fmpq(a, hi, prec);
        cp_flow_dexcess1(d, m, a, (ulong) T[i], prec);
        vi = cp_verdict_and(vi, arb_is_positive(d) ? CP_CERTIFIED : arb_is_nonpositive(d) ? CP_REFUTED : CP_INCONCLUSIVE);
        cp_arb_human_buf(b2, sizeof b2, d, 6);
        cp_run_detail_append(run, "| %ld | %s | %s |\n", (long) T[i], b1, b2);
        /* shown value: the largest alpha_T (the claim is alpha_T < alpha_hi) */
        if (cp_flow_alpha_opt(a, m, (ulong) T[i], prec)) {
            cp_run_value_max(run, a, i == 0);
        }
        v = cp_verdict_and(v, vi);
    }
    if (v == CP_CERTIFIED)
        cp_run_detail_append(run, "\nHence alpha_T is unique and lies in (0, alpha_hi); the flow from any start converges to it.");
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    flint_free(T);
    cp_model_clear(m);
    fmpq_clear(hi);
    arb_clear(a);
    arb_clear(d);
    return v;
}

/* ---- gf_alpha_opt ------------------------------------------------------
 * Claim: for every listed T, alpha_T is enclosed to at least `digits`
 * significant digits (certified root isolation of E1', (GF-3)) and
 * alpha_T < alpha_hi (default alpha*: the minimiser stays below the limit). */
static const cp_key_spec alpha_opt_keys[] = {
    CP_MODEL_KEYS,
    { "T",      CP_KEY_INTLIST, "1,2,5,10,20,50,100,200,1000,10000,100000", "depths" },
    { "digits", CP_KEY_INT, "30", "required correct significant digits" },
    { "alpha_hi", CP_KEY_RAT, "alpha*", "claimed strict upper bound on every alpha_T" },
    CP_KEY_END
};

static cp_verdict check_alpha_opt(cp_check_run *run)
{
    cp_run_value_name(run, "largest alpha_T over the listed T");
    slong prec = run->prec, *T = NULL, n = 0, digits = 30;
    cp_model_t m;
    arb_t a, hb;
    fmpq_t hi;
    cp_verdict v = CP_CERTIFIED;
    char b[96];
    cp_model_init(m);
    arb_init(a); arb_init(hb);
    fmpq_init(hi);
    if (gf_model(m, run) || cp_run_get_depths(&T, &n, run, "T", 1, GF_MAX_T))
        goto done;
    if (cp_kv_has(run->params, "alpha_hi")) {
        if (cp_run_get_rat(hi, run, "alpha_hi"))
            goto done;
    } else {
        cp_alpha_star(hi, m);
    }
    if (cp_run_get_int(&digits, run, "digits") || digits < 1 || digits > 1000) {
        cp_run_bad_input(run, "digits", "digits must lie in [1, 1000]");
        goto done;
    }
    /* the ball of cp_flow_alpha_opt has about prec - 20 bits: skip hopeless attempts */
    if ((double) prec < 3.3219280948873623 * (double) digits + 24) {
        cp_run_detail(run, "precision %ld too low for %ld digits", (long) prec, (long) digits);
        v = CP_INCONCLUSIVE;
        goto done;
    }
    cp_run_detail(run, "alpha_T by certified root isolation of E1' (%s prior):", cp_prior_name(m->prior));
    cp_run_table_head(run, "| T | alpha_T |");
    for (slong i = 0; i < n && v == CP_CERTIFIED; i++) {
        if (!cp_flow_alpha_opt(a, m, (ulong) T[i], prec) ||
            (double) arb_rel_accuracy_bits(a) < 3.3219280948873623 * (double) digits + 1) {
            v = CP_INCONCLUSIVE;
            break;
        }
        cp_arb_human_buf(b, sizeof b, a, (slong) digits + 2);
        cp_run_detail_append(run, "| %ld | %s |\n", (long) T[i], b);
        /* shown value: the largest alpha_T (the claim is alpha_T < alpha_hi) */
        cp_run_value_max(run, a, i == 0);
        arb_set_fmpq(hb, hi, prec);
        v = cp_verdict_and(v, cp_decide_cmp(a, "<", hb));
    }
    if (v != CP_INCONCLUSIVE) {
        char *hs = fmpq_get_str(NULL, 10, hi);
        cp_run_detail_append(run, "\nEvery alpha_T < alpha_hi = %s: %s.", hs,
                             v == CP_CERTIFIED ? "proved" : "false (proved)");
        flint_free(hs);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    flint_free(T);
    cp_model_clear(m);
    arb_clear(a); arb_clear(hb);
    fmpq_clear(hi);
    return v;
}

/* ---- gf_minimax ----------------------------------------------------------
 * Claim: alpha_c = 2/(shift + m_lo + m_hi) uniquely minimizes
 * g(alpha) = max_{lambda in [1+m_lo, 1+m_hi]} |1 - alpha lambda|, with value
 * (m_hi - m_lo)/(shift + m_lo + m_hi) = rho* for shift = 2.  Exact rationals:
 * g(alpha) = max(1 - alpha la, alpha lb - 1) (GF-3), the two branches cross
 * exactly once, so alpha_c is the unique minimizer iff they agree there. */
static const cp_key_spec minimax_keys[] = {
    CP_MODEL_KEYS,
    { "shift", CP_KEY_RAT, "2", "claimed formula alpha = 2/(shift + m_lo + m_hi)" },
    CP_KEY_END
};

static cp_verdict check_minimax(cp_check_run *run)
{
    cp_run_value_name(run, "1 - alpha_c (1 + m_lo), the worst contraction at the claimed alpha (exact)");
    cp_model_t m;
    fmpq_t shift, ac, la, lb, ea, eb, rho;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    fmpq_init(shift); fmpq_init(ac); fmpq_init(la); fmpq_init(lb);
    fmpq_init(ea); fmpq_init(eb); fmpq_init(rho);
    if (gf_model(m, run) || cp_run_get_rat(shift, run, "shift"))
        goto done;
    fmpq_add(ac, m->m_lo, m->m_hi);
    fmpq_add(ac, ac, shift);
    if (fmpq_sgn(ac) <= 0) {
        cp_run_bad_input(run, "shift", "shift + m_lo + m_hi must be positive");
        goto done;
    }
    fmpq_inv(ac, ac);
    fmpq_mul_2exp(ac, ac, 1);
    fmpq_add_si(la, m->m_lo, 1);
    fmpq_add_si(lb, m->m_hi, 1);
    fmpq_mul(ea, ac, la);
    fmpq_sub_si(ea, ea, 1);
    fmpq_neg(ea, ea);                   /* 1 - alpha la */
    fmpq_mul(eb, ac, lb);
    fmpq_sub_si(eb, eb, 1);             /* alpha lb - 1 */
    cp_rho_star(rho, m);
    arb_set_fmpq(run->value, ea, run->prec);
    run->has_value = 1;
    {
        char *s1 = fmpq_get_str(NULL, 10, ac), *s2 = fmpq_get_str(NULL, 10, ea), *s3 = fmpq_get_str(NULL, 10, eb);
        cp_run_detail(run, "alpha_c = %s: 1 - alpha_c (1+m_lo) = %s, alpha_c (1+m_hi) - 1 = %s (exact). ", s1, s2, s3);
        flint_free(s1); flint_free(s2); flint_free(s3);
    }
    if (fmpq_equal(ea, eb) && fmpq_equal(ea, rho)) {
        cp_run_detail_append(run, "The branches cross at alpha_c with value rho*: unique minimizer, minimax value rho*.");
        v = CP_CERTIFIED;
    } else {
        cp_run_detail_append(run, "The branches differ at alpha_c, so g(alpha_c) > min g: not the minimizer.");
        v = CP_REFUTED;
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    cp_model_clear(m);
    fmpq_clear(shift); fmpq_clear(ac); fmpq_clear(la); fmpq_clear(lb);
    fmpq_clear(ea); fmpq_clear(eb); fmpq_clear(rho);
    return v;
}

const cp_check_def cp_checks_gradient_flow[] = {
    { "gf_convexity", "E1 strictly convex, unique minimizer alpha_T in (0, alpha_hi), flow converges",
      CP_CHECK_BALL, convexity_keys, check_convexity },
    { "gf_alpha_opt", "alpha_T enclosed to the requested digits for each depth",
      CP_CHECK_BALL, alpha_opt_keys, check_alpha_opt },
    { "gf_minimax", "alpha* uniquely minimizes the worst contraction, value rho* (exact)",
      CP_CHECK_BALL, minimax_keys, check_minimax },
    { NULL, NULL, CP_CHECK_BALL, NULL, NULL }
};
