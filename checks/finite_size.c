/* finite_size.c -- checks of theorems/finite_size.md: the certified lower
 * bound on the excess of the tied CA at finite context length L and depth T,
 * its divergence at fixed L, and the phase boundary kappa*.
 *
 * Derivations: docs/model.md, section 9, (FB-1)..(FB-10); library:
 * src/finite_bound.c (include/crossproof/finite.h, bound section).  Every
 * verdict rests on Arb enclosures of quantities computed from exact
 * rationals; witnesses (t, s1) are exact rationals found on a fixed grid. */
#include <stdio.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/finite.h"
#include "crossproof/lsa.h"
#include "crossproof/output.h"

/* alpha (default alpha*), required > 0 */
static int fs_alpha(fmpq_t a, const cp_model_t m, cp_check_run *run)
{
    if (cp_kv_has(run->params, "alpha")) {
        if (cp_run_get_rat(a, run, "alpha"))
            return -1;
    } else {
        cp_alpha_star(a, m);
    }
    if (fmpq_sgn(a) <= 0)
        return cp_run_bad_input(run, "alpha", "alpha must be positive");
    return 0;
}

static int fs_L(slong *L, cp_check_run *run, slong lo)
{
    if (cp_run_get_int(L, run, "L"))
        return -1;
    if (*L < lo || *L > CP_FB_MAX_L)
        return cp_run_bad_input(run, "L", "L must lie in [%ld, %d]", (long) lo, CP_FB_MAX_L);
    return 0;
}

/* ---- fs_fixed_L ------------------------------------------------------------
 * Claim: at context length L, for EVERY depth T >= T0 (and every d, sigma),
 * the expected excess of the tied CA is at least `level`.  Two certificates:
 *  (a) (FB-9a) B'_T = E_s[s/(1+s)^2 E Q^T] is log-convex in T,
 *      so B'_{T0} >= level and B'_{T0+1} >= B'_{T0} give B'_T >= level for all
 *      T >= T0;
 *  (b) (FB-9) a witness (t, s1), t > 2/alpha: E[excess] >= K (alpha t - 1)^(2T),
 *      increasing in T (weaker; used when (a) does not decide).
 * The claim speaks about the excess, so a certificate that falls short proves
 * nothing either way: INCONCLUSIVE, never REFUTED. */
static const cp_key_spec fixed_keys[] = {
    CP_MODEL_KEYS,
    { "L",     CP_KEY_INT, "200",    "context length" },
    { "alpha", CP_KEY_RAT, "alpha*", "tied step (beta = -alpha)" },
    { "level", CP_KEY_RAT, NULL,     "claimed level" },
    { "T0",    CP_KEY_INT, NULL,     "claimed: excess >= level for every T >= T0" },
    CP_KEY_END
};

static cp_verdict check_fixed_L(cp_check_run *run)
{
    cp_run_value_name(run, "lower bound (FB-9a form) on the expected excess at T0");
    cp_model_t m;
    fmpq_t a, level, t, s1, q;
    slong L = 0, T0 = 0;
    arb_t b, b1, w, lv;
    cp_verdict v = CP_INCONCLUSIVE;
    char buf[128], buf1[128];
    cp_model_init(m);
    fmpq_init(a); fmpq_init(level); fmpq_init(t); fmpq_init(s1); fmpq_init(q);
    arb_init(b); arb_init(b1); arb_init(w); arb_init(lv);
    if (cp_run_get_model(m, run) || fs_alpha(a, m, run) || fs_L(&L, run, 1)
        || cp_run_get_int(&T0, run, "T0") || cp_run_get_rat(level, run, "level"))
        goto done;
    if (T0 < 1 || T0 >= cp_fb_max_T(m)) {
        cp_run_bad_input(run, "T0", "T0 must lie in [1, %ld] for this model", (long) cp_fb_max_T(m) - 1);
        goto done;
    }
    arb_set_fmpq(lv, level, run->prec);
    /* (a) log-convexity */
    cp_fb_lower_form(b, m, a, (ulong) L, (ulong) T0, 0, run->prec);
    cp_fb_lower_form(b1, m, a, (ulong) L, (ulong) T0 + 1, 0, run->prec);
    int grows = arb_ge(b1, b);
    arb_set(run->value, b);
    run->has_value = 1;
    cp_arb_human_buf(buf, sizeof buf, b, 10);
    cp_arb_human_buf(buf1, sizeof buf1, b1, 10);
    if (grows && cp_decide_cmp(b, ">=", lv) == CP_CERTIFIED) {
        v = CP_CERTIFIED;
        cp_run_detail(run, "(FB-9a) %s prior, L = %ld: B'_T0 = %s >= level and B'_(T0+1) = %s >= B'_T0; "
                      "B' is log-convex in T, so every T >= T0 = %ld has excess >= B'_T >= level.",
                      cp_prior_name(m->prior), (long) L, buf, buf1, (long) T0);
        goto done;
    }
    cp_run_detail(run, "(FB-9a) B'_T0 = %s, B'_(T0+1) = %s: %s. ", buf, buf1,
                  grows ? "B'_T0 below the level or undecided" : "growth at T0 not certified");
    /* (b) witness */
    if (!cp_fb_fixed_L_witness(w, t, s1, m, a, (ulong) L, (ulong) T0, run->prec)) {
        cp_run_detail_append(run, "No witness (t, s1) with K > 0 on the grid.");
        goto done;
    }
    fmpq_mul(q, a, t);
    if (fmpq_cmp_si(q, 2) > 0 && cp_decide_cmp(w, ">=", lv) == CP_CERTIFIED)   /* (FB-9) needs alpha t > 2 */
        v = CP_CERTIFIED;
    cp_arb_human_buf(buf, sizeof buf, w, 10);
    {
        char *ts = fmpq_get_str(NULL, 10, t), *ss = fmpq_get_str(NULL, 10, s1);
        cp_run_detail_append(run, "(FB-9) witness t = %s, s1 = %s: E[excess] >= K (alpha t - 1)^(2T), increasing in T, "
                             "= %s at T = T0 = %ld%s.", ts, ss, buf, (long) T0,
                             v == CP_CERTIFIED ? " >= level, so every T >= T0 has excess >= level"
                                               : ": below the level or undecided (nothing is claimed)");
        flint_free(ts);
        flint_free(ss);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(level); fmpq_clear(t); fmpq_clear(s1); fmpq_clear(q);
    arb_clear(b); arb_clear(b1); arb_clear(w); arb_clear(lv);
    return v;
}

/* ---- fs_divergence -----------------------------------------------------------
 * Claim: for every L >= 2, every T >= kappa L, every d and sigma, the expected
 * excess of the tied CA is at least A L^(-1/2) exp(phi1 L) with A > 0 and
 * phi1 > 0 (FB-10).  The value shown is kappa*(alpha, m_hi): the claim needs
 * kappa > kappa* (mutate lower:kappa moves kappa just below it).  A witness
 * that fails proves nothing about the excess: INCONCLUSIVE. */
static const cp_key_spec div_keys[] = {
    CP_MODEL_KEYS,
    { "alpha", CP_KEY_RAT, "alpha*", "step, > 0" },
    { "kappa", CP_KEY_RAT, NULL,     "ratio: the claim covers every T >= kappa L" },
    CP_KEY_END
};

static cp_verdict check_divergence(cp_check_run *run)
{
    cp_run_value_name(run, "kappa*(alpha, m_hi), which kappa must exceed (FB-7)");
    cp_model_t m;
    fmpq_t a, kq, t, s1, q;
    arb_t rate, A, ks;
    cp_verdict v = CP_INCONCLUSIVE;
    char b1[128], b2[128], b3[128];
    cp_model_init(m);
    fmpq_init(a); fmpq_init(kq); fmpq_init(t); fmpq_init(s1); fmpq_init(q);
    arb_init(rate); arb_init(A); arb_init(ks);
    if (cp_run_get_model(m, run) || fs_alpha(a, m, run) || cp_run_get_rat(kq, run, "kappa"))
        goto done;
    if (fmpq_sgn(kq) <= 0) {
        cp_run_bad_input(run, "kappa", "kappa must be positive");
        goto done;
    }
    cp_fb_kappa_star(ks, a, m->m_hi, run->prec);
    arb_set(run->value, ks);
    run->has_value = 1;
    cp_arb_human_buf(b3, sizeof b3, ks, 12);
    if (!cp_fb_div_witness(rate, A, t, s1, m, a, kq, run->prec)) {
        cp_run_detail(run, "no witness (t, s1) with P(s >= s1) > 0; kappa* = %s", b3);
        goto done;
    }
    fmpq_mul(q, a, t);
    int t_ok = fmpq_cmp_si(q, 2) > 0;      /* (FB-10) needs alpha t > 2 */
    if (t_ok && arb_is_positive(rate) && arb_is_positive(A))
        v = CP_CERTIFIED;
    cp_arb_human_buf(b1, sizeof b1, rate, 10);
    cp_arb_human_buf(b2, sizeof b2, A, 10);
    {
        char *ts = fmpq_get_str(NULL, 10, t), *ss = fmpq_get_str(NULL, 10, s1);
        cp_run_detail(run, "(FB-10) witness t = %s, s1 = %s (%s prior): for all L >= 2, T >= kappa L, "
                      "E[excess] >= A L^(-1/2) exp(phi1 L) with A = %s, phi1 = g_{s1}(kappa, t) = %s%s; kappa* = %s.",
                      ts, ss, cp_prior_name(m->prior), b2, b1,
                      v == CP_CERTIFIED ? " > 0: the excess diverges exponentially along T >= kappa L"
                                        : ": not certified positive (nothing is claimed)", b3);
        flint_free(ts);
        flint_free(ss);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(kq); fmpq_clear(t); fmpq_clear(s1); fmpq_clear(q);
    arb_clear(rate); arb_clear(A); arb_clear(ks);
    return v;
}

/* ---- fs_proportional --------------------------------------------------------
 * Claim (FB-12): for every L >= 2, every d >= 1 + gamma L and every
 * T >= kappa L, the expected excess is at least A L^(-1/2) exp(rate L) with
 * A > 0, rate > 0.  The value shown is the least kappa the witness grid
 * certifies at this gamma (mutate lower:kappa moves kappa just below it).  A
 * witness that fails proves nothing about the excess: INCONCLUSIVE. */
static const cp_key_spec prop_keys[] = {
    CP_MODEL_KEYS,
    { "alpha", CP_KEY_RAT, "alpha*", "step, > 0" },
    { "kappa", CP_KEY_RAT, NULL,     "ratio: the claim covers every T >= kappa L" },
    { "gamma", CP_KEY_RAT, NULL,     "the claim covers every d >= 1 + gamma L, gamma > 0" },
    { "y",     CP_KEY_RAT, "1/2",    "witness level of Y/(d-1), 0 < y < 1" },
    CP_KEY_END
};

static cp_verdict check_proportional(cp_check_run *run)
{
    cp_run_value_name(run, "smallest kappa whose divergence the proportional witness proves (FB-12)");
    cp_model_t m;
    fmpq_t a, kq, g, y, t, s1, q;
    arb_t rate, A, kw, k, phi;
    cp_verdict v = CP_INCONCLUSIVE;
    char b1[128], b2[128], b3[128], b4[128];
    cp_model_init(m);
    fmpq_init(a); fmpq_init(kq); fmpq_init(g); fmpq_init(y); fmpq_init(t); fmpq_init(s1); fmpq_init(q);
    arb_init(rate); arb_init(A); arb_init(kw); arb_init(k); arb_init(phi);
    if (cp_run_get_model(m, run) || fs_alpha(a, m, run) || cp_run_get_rat(kq, run, "kappa")
        || cp_run_get_rat(g, run, "gamma") || cp_run_get_rat(y, run, "y"))
        goto done;
    if (fmpq_sgn(kq) <= 0) {
        cp_run_bad_input(run, "kappa", "kappa must be positive");
        goto done;
    }
    if (fmpq_sgn(g) <= 0) {
        cp_run_bad_input(run, "gamma", "gamma must be positive");
        goto done;
    }
    if (fmpq_sgn(y) <= 0 || fmpq_cmp_si(y, 1) >= 0) {
        cp_run_bad_input(run, "y", "y must lie in (0, 1)");
        goto done;
    }
    if (!cp_fb_prop_witness(rate, A, kw, t, s1, m, a, kq, g, y, run->prec)) {
        cp_run_detail(run, "no witness (t, s1) on the grid");
        goto done;
    }
    arb_set(run->value, kw);
    run->has_value = 1;
    fmpq_mul(q, a, t);
    if (fmpq_cmp_si(q, 1) > 0 && arb_is_positive(rate) && arb_is_positive(A))
        v = CP_CERTIFIED;
    arb_set_fmpq(k, kq, run->prec);
    cp_fb_rate(phi, a, m->m_hi, k, run->prec);
    cp_arb_human_buf(b1, sizeof b1, rate, 10);
    cp_arb_human_buf(b2, sizeof b2, A, 10);
    cp_arb_human_buf(b3, sizeof b3, kw, 10);
    cp_arb_human_buf(b4, sizeof b4, phi, 10);
    {
        char *ts = fmpq_get_str(NULL, 10, t), *ss = fmpq_get_str(NULL, 10, s1);
        cp_run_detail(run, "(FB-12) witness t = %s, s1 = %s (%s prior): for all L >= 2, d >= 1 + gamma L, T >= kappa L, "
                      "E[excess] >= A L^(-1/2) exp(rate L), A = %s, rate = kappa ln Q0 - I_{s1}(t) = %s%s.  "
                      "Least kappa on the witness grid at this gamma: %s; the fixed-d rate phi_{m_hi}(kappa) (FB-8) is %s.",
                      ts, ss, cp_prior_name(m->prior), b2, b1,
                      v == CP_CERTIFIED ? " > 0" : ": not certified positive (nothing is claimed)", b3, b4);
        flint_free(ts);
        flint_free(ss);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(kq); fmpq_clear(g); fmpq_clear(y); fmpq_clear(t); fmpq_clear(s1); fmpq_clear(q);
    arb_clear(rate); arb_clear(A); arb_clear(kw); arb_clear(k); arb_clear(phi);
    return v;
}

/* ---- the exact expected excess (docs/model.md section 8) ------------------
 * Reader: alpha (default alpha*), beta (default -alpha), L. */
static int fs_exact_params(fmpq_t a, fmpq_t b, slong *L, const cp_model_t m, cp_check_run *run)
{
    if (fs_alpha(a, m, run) || fs_L(L, run, 2))
        return -1;
    if (cp_kv_has(run->params, "beta"))
        return cp_run_get_rat(b, run, "beta");
    fmpq_neg(b, a);
    return 0;
}

/* Exact excess at one T into res; returns 0, or -1 with bad input set. */
static int fs_exact_at(arb_t res, const cp_model_t m, slong L, slong T, const fmpq_t a,
                       const fmpq_t b, cp_check_run *run)
{
    char err[CP_ERRLEN] = "";
    if (!cp_ca_excess_finite_supported(m->d1 + m->d2, T))
        return cp_run_bad_input(run, "T", "the exact excess is computed for d = 2 and T <= %d, "
                                "d > 2 and T <= %d", CP_FINITE_MAX_T, CP_FINITE_GENERAL_MAX_T);
    if (cp_ca_excess_finite(res, m, L, T, a, b, run->prec, err) != 0)
        return cp_run_bad_input(run, "T", "%s", err);
    return 0;
}

/* Claim: |E[excess] - value| < tol, E[excess] the exact expected excess of the
 * CA at (L, T, alpha, beta) under the model's prior, d and sigma (FE-4). */
static const cp_key_spec exact_min_keys[] = {
    CP_MODEL_KEYS,
    { "L",     CP_KEY_INT,     "200",    "context length" },
    { "T",     CP_KEY_INTLIST, NULL,     "depths compared" },
    { "T_min", CP_KEY_INT,     NULL,     "claimed: the listed depth with the smallest excess" },
    { "alpha", CP_KEY_RAT,     "alpha*", "CA step" },
    { "beta",  CP_KEY_RAT,     "-alpha", "CA layer coefficient (beta = -alpha: tied)" },
    CP_KEY_END
};

/* Claim: among the listed depths, T_min has strictly the smallest exact
 * expected excess.  With fs_fixed_L (the excess exceeds any level for large
 * T) this shows the dip-then-diverge shape at fixed L. */
static cp_verdict check_exact_minimum(cp_check_run *run)
{
    cp_run_value_name(run, "exact expected excess at T_min (section 8)");
    cp_model_t m;
    fmpq_t a, b;
    slong L = 0, Tmin = 0, *T = NULL, n = 0;
    arb_t x0, x;
    cp_verdict v = CP_CERTIFIED;
    char bx[96];
    cp_model_init(m);
    fmpq_init(a); fmpq_init(b);
    arb_init(x0); arb_init(x);
    if (cp_run_get_model(m, run) || fs_exact_params(a, b, &L, m, run)
        || cp_run_get_intlist(&T, &n, run, "T") || cp_run_get_int(&Tmin, run, "T_min"))
        goto done;
    if (Tmin < 1 || fs_exact_at(x0, m, L, Tmin, a, b, run) != 0)
        goto done;
    arb_set(run->value, x0);
    run->has_value = 1;
    cp_arb_human_buf(bx, sizeof bx, x0, 12);
    cp_run_detail(run, "exact expected excess (d = %ld, L = %ld) at T_min = %ld: %s; against the other depths:",
                  (long) (m->d1 + m->d2), (long) L, (long) Tmin, bx);
    cp_run_table_head(run, "| T | exact expected excess | compared with T_min |");
    for (slong i = 0; i < n; i++) {
        if (T[i] == Tmin)
            continue;
        if (T[i] < 1 || fs_exact_at(x, m, L, T[i], a, b, run) != 0)
            goto done;
        cp_verdict vi = cp_decide_cmp(x0, "<", x);
        cp_arb_human_buf(bx, sizeof bx, x, 12);
        cp_run_detail_append(run, "| %ld | %s | %s |\n", (long) T[i], bx,
                             vi == CP_CERTIFIED ? "larger" : vi == CP_REFUTED ? "NOT larger (proved)" : "undecided");
        v = cp_verdict_and(v, vi);
    }
done:
    if (run->bad_input)
        v = CP_INCONCLUSIVE;
    flint_free(T);
    cp_model_clear(m);
    fmpq_clear(a); fmpq_clear(b);
    arb_clear(x0); arb_clear(x);
    return v;
}

const cp_check_def cp_checks_finite_size[] = {
    { "fs_fixed_L", "at fixed L the tied-CA excess is >= level for every T >= T0 (FB-9)",
      CP_CHECK_BALL, fixed_keys, check_fixed_L },
    { "fs_divergence", "excess >= A L^(-1/2) exp(phi1 L), A, phi1 > 0, for all L >= 2 and T >= kappa L (FB-10)",
      CP_CHECK_BALL, div_keys, check_divergence },
    { "fs_proportional", "excess >= A L^(-1/2) exp(rate L), A, rate > 0, for all L >= 2, d >= 1 + gamma L, T >= kappa L (FB-12)",
      CP_CHECK_BALL, prop_keys, check_proportional },
    { "fs_exact_minimum", "among the listed T, T_min has the smallest exact expected excess",
      CP_CHECK_BALL, exact_min_keys, check_exact_minimum },
    { NULL, NULL, CP_CHECK_BALL, NULL, NULL }
};
