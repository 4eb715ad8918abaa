/* general_engine.c -- the statistical check of theorems/general_model.md:
 * the double engine on the general latent factor model (docs/model.md
 * section 14) at large L against the certified population values of
 * general.c (section 11).  CP_CHECK_STAT: SUPPORTED or CONTRADICTED with
 * its interval, INCONCLUSIVE when the estimate is flagged heavy-tailed.
 * [derived for crossproof]
 *
 *   quantity = bayes: the Bayes predictor with a sampled query; its risk
 *              does not depend on L (w* is the task's), reference (G-4);
 *   quantity = lsa:   the gamma form w = gamma c_hat; excess, reference (G-5);
 *   quantity = ca:    tied CA (beta = -alpha) at depth T; excess, reference (G-6).
 *
 * Finite-L bias (section 14, (G-E4)): for the gamma form (and CA at T = 1,
 * the same predictor with gamma = alpha) the expected excess at L exceeds the
 * population one by exactly (gamma^2/L) E[E y^2 tr(Lambda^2) + c^T Lambda c]
 * >= 0, at most the bound b of (G-E4); the population value must then lie in
 * [lo - b, hi].  For CA at T >= 2 no bound is derived: the check relies on L
 * being large and says so.  The key engine_tau2_offset is the mutation hook:
 * the engine simulates tau2 + offset while the reference keeps tau2. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/engine.h"
#include "crossproof/general.h"
#include "crossproof/general_engine.h"
#include "crossproof/output.h"

static const cp_key_spec pop_keys[] = {
    CP_GENERAL_KEYS,
    { "quantity", CP_KEY_WORD, "lsa",     "bayes (risk, sampled query), lsa (gamma-form excess) or ca (tied CA excess)" },
    { "L",        CP_KEY_INT,  "1000000", "context length (Wishart sampler: cost independent of L)" },
    { "T",        CP_KEY_INT,  "1",       "CA depth (quantity = ca)" },
    { "alpha",    CP_KEY_RAT,  NULL,      "CA step (default alpha*_gen of (G-7))" },
    { "gamma",    CP_KEY_RAT,  NULL,      "LSA gamma (default the best gamma of (G-5))" },
    { "prompts",  CP_KEY_INT,  "200000",  "prompts" },
    { "seed",     CP_KEY_INT,  "1",       "random seed" },
    { "threads",  CP_KEY_INT,  "2",       "worker threads; results do not depend on it" },
    { "z",        CP_KEY_RAT,  "4",       "half-width of the interval in standard errors" },
    { "engine_tau2_offset", CP_KEY_INT, "0", "mutation hook: the engine simulates tau2 + offset, the reference keeps tau2" },
    CP_KEY_END
};

static double key_d(cp_check_run *run, const char *key, double dflt)
{
    if (!cp_kv_has(run->params, key))
        return dflt;
    fmpq_t q;
    fmpq_init(q);
    cp_run_get_rat(q, run, key);
    double v = fmpq_get_d(q);
    fmpq_clear(q);
    return v;
}

static cp_verdict check_population(cp_check_run *run)
{
    cp_general_t g;
    cp_general_approx ga;
    cp_verdict v = CP_INCONCLUSIVE;
    arb_t ref, a, b;
    const char *qname;
    slong L, T, prompts, seed, threads, off;
    cp_general_init(g);
    arb_init(ref); arb_init(a); arb_init(b);
    if (cp_general_engine_read(&ga, g, run->params, run->def->keys, run->error)) {
        run->bad_input = 1;
        goto done;
    }
    if (cp_run_get_word(&qname, run, "quantity") || cp_run_get_int(&L, run, "L") || cp_run_get_int(&T, run, "T")
        || cp_run_get_int(&prompts, run, "prompts") || cp_run_get_int(&seed, run, "seed")
        || cp_run_get_int(&threads, run, "threads") || cp_run_get_int(&off, run, "engine_tau2_offset"))
        goto done;
    int q_bayes = !strcmp(qname, "bayes"), q_lsa = !strcmp(qname, "lsa"), q_ca = !strcmp(qname, "ca");
    if (!q_bayes && !q_lsa && !q_ca) {
        cp_run_bad_input(run, "quantity", "quantity must be bayes, lsa or ca, got '%s'", qname);
        goto done;
    }
    double z = key_d(run, "z", 4.0);
    if (!(z > 0)) {
        cp_run_bad_input(run, "z", "z must be positive");
        goto done;
    }
    if (T < 1 || T > 1000) { cp_run_bad_input(run, "T", "T must lie in [1, 1000]"); goto done; }
    if (prompts < 100 || prompts > (slong) 1e9) { cp_run_bad_input(run, "prompts", "prompts must lie in [100, 10^9]"); goto done; }
    if (seed < 0) { cp_run_bad_input(run, "seed", "seed must be non-negative"); goto done; }
    if (threads < 1 || threads > 256) { cp_run_bad_input(run, "threads", "threads must lie in [1, 256]"); goto done; }
    if (off < 0 || off > 100) { cp_run_bad_input(run, "engine_tau2_offset", "engine_tau2_offset must lie in [0, 100]"); goto done; }
    cp_general_approx eng = ga;
    eng.tau2 += (double) off;
    cp_sim_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cp_model_get_approx(&cfg.model, g->base);
    long d = cfg.model.d1 + cfg.model.d2;
    if (L < cp_general_wishart_p(&eng, d, cfg.model.sigma) || L > (slong) 1e15) {
        cp_run_bad_input(run, "L", "L must lie in [k + d + 1, 10^15] (Wishart sampler)");
        goto done;
    }
    double alpha = key_d(run, "alpha", cp_general_engine_alpha_star(g));
    double gamma = key_d(run, "gamma", cp_general_engine_gamma(g));
    cfg.general = cp_general_approx_trivial(&eng) ? NULL : &eng;
    cfg.bayes_risk = cp_general_engine_bayes_risk(g);
    cfg.L = L;
    cfg.sampler = CP_SAMPLER_WISHART;
    cfg.query = q_bayes ? CP_QUERY_SAMPLED : CP_QUERY_EXACT;
    cfg.seed = (uint64_t) seed;
    cfg.prompts = prompts;
    cfg.threads = (int) threads;
    cfg.estimator = CP_EST_PLAIN;
    cp_predictor p = { .kind = q_bayes ? CP_PRED_BAYES : q_lsa ? CP_PRED_LSA : CP_PRED_CA, .d = d, .T = q_ca ? T : 1,
                       .alpha = alpha, .beta = -alpha, .gamma = gamma };
    /* the certified reference (Arb, 128 bits) */
    if (q_bayes) {
        cp_general_bayes_risk(ref, g, 128);
        cp_run_value_name(run, "certified Bayes risk k E[1/(1 + q s)] + sigma^2 (G-4)");
    } else if (q_lsa) {
        arb_set_d(a, gamma);
        cp_general_gamma_excess_avg(ref, g, a, 128);
        cp_run_value_name(run, "certified gamma-form LSA excess at L = infinity (G-5)");
    } else {
        arb_set_d(a, alpha);
        arb_neg(b, a);
        cp_general_ca_excess(ref, g, a, b, (ulong) T, 128);
        cp_run_value_name(run, "certified tied CA excess at L = infinity (G-6)");
    }
    arb_set(run->value, ref);
    run->has_value = 1;
    /* finite-L bias bound (G-E4): the gamma form and CA at T = 1 */
    double bias = 0.0;
    int bounded = q_bayes || q_lsa || (q_ca && T == 1);
    if (!q_bayes && bounded) {
        double gm = q_lsa ? gamma : alpha, tmax = fmax(eng.tau1, eng.tau2), lmax = tmax * tmax + cfg.model.m_hi;
        double kk = (double) eng.k, sg2 = cfg.model.sigma * cfg.model.sigma;
        bias = gm * gm / (double) L * ((kk + sg2) * (double) d * lmax * lmax + kk * cfg.model.m_hi * lmax);
    }
    cp_sim_result r;
    if (cp_engine_risk(&r, &cfg, &p) != 0) {
        snprintf(run->interval, sizeof run->interval, "run stopped: %.200s", r.error);
        cp_run_detail(run, "The simulation stopped: %s", r.error);
        goto done;
    }
    double est = q_bayes ? r.risk : r.excess, se = q_bayes ? r.risk_stderr : r.excess_stderr;
    double lo = est - z * se, hi = est + z * se;
    double rlo = arf_get_d(arb_midref(ref), ARF_RND_DOWN) - mag_get_d(arb_radref(ref));
    double rhi = arf_get_d(arb_midref(ref), ARF_RND_UP) + mag_get_d(arb_radref(ref));
    double plo = lo - bias;                /* the population value's interval: E excess(L) - bias <= pop <= E excess(L) */
    cp_run_stat(run, plo, hi, est, se, "%s at L = %ld: estimate +- %.3g stderr, lower end minus the finite-L bias bound %.3g",
                q_bayes ? "risk" : "excess", (long) L, z, bias);
    char refs[128];
    cp_arb_human_buf(refs, sizeof refs, ref, 12);
    cp_run_detail(run, "Engine: general model k = %ld, tau1 = %.6g, tau2 = %.6g, split = %.6g, d1 = %ld, d2 = %ld, "
                  "sampler wishart (p = k + d%s latent coordinates), plain estimator, %ld prompts, seed %ld, L = %ld; "
                  "%s; %s = %.8g +- %.3g (stderr). Interval for the population value: [estimate - %.3g stderr - b, "
                  "estimate + %.3g stderr] = [%.8g, %.8g], b = %s. Certified population value (general.c, Arb): %s.",
                  eng.k, eng.tau1, eng.tau2, eng.split, (long) cfg.model.d1, (long) cfg.model.d2,
                  cfg.model.sigma > 0 ? " + 1" : "", (long) prompts, (long) seed, (long) L,
                  q_bayes ? "Bayes predictor w* = Lambda^{-1} M zeta, sampled query (no L dependence)"
                  : q_lsa ? "gamma-form LSA" : "tied CA (beta = -alpha)",
                  q_bayes ? "risk" : "excess", est, se, z, z, plo, hi,
                  q_bayes ? "0 (the task-known predictor does not see the context)"
                  : bounded ? "the finite-L bias bound of (G-E4)" : "0: NOT BOUNDED for CA at T >= 2 (large L assumed)",
                  refs);
    if (q_lsa || q_ca)
        cp_run_detail_append(run, " Parameters: %s = %.12g%s.", q_lsa ? "gamma" : "alpha", q_lsa ? gamma : alpha,
                             q_ca ? ", beta = -alpha" : "");
    if (q_ca)
        cp_run_detail_append(run, " T = %ld.", (long) T);
    if (off)
        cp_run_detail_append(run, " MUTANT: the engine simulates tau2 + %ld = %.6g; the reference keeps tau2 = %.6g.",
                             (long) off, eng.tau2, ga.tau2);
    if (r.heavy_tail)
        cp_run_detail_append(run, " The estimate is flagged heavy-tailed (FC-9): INCONCLUSIVE.");
    snprintf(run->interval, sizeof run->interval, "[%.8g, %.8g] (estimate %.8g +- %.3g stderr, bias bound %.3g) vs "
             "certified %s", plo, hi, est, z, bias, refs);
    if (r.heavy_tail)
        v = CP_INCONCLUSIVE;
    else if (rlo >= plo && rhi <= hi)
        v = CP_SUPPORTED;
    else if (rhi < plo || rlo > hi)
        v = CP_CONTRADICTED;
done:
    cp_general_clear(g);
    arb_clear(ref); arb_clear(a); arb_clear(b);
    return v;
}

const cp_check_def cp_checks_general_engine[] = {
    { "general_engine_population", "the engine's mean risk/excess on the general model at large L matches the "
      "certified population value of general.c", CP_CHECK_STAT, pop_keys, check_population },
    { NULL, NULL, CP_CHECK_STAT, NULL, NULL }
};
