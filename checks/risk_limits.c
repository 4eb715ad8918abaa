/* risk_limits.c -- statistical checks of theorems/risk_limits.md: the CA
 * risk at finite context length L and depth T, simulated by the double
 * engine (engine.h).  Every check here is CP_CHECK_STAT: it ends SUPPORTED
 * or CONTRADICTED with the interval it rests on, or INCONCLUSIVE; none can
 * certify.  Decision rules (docs/model.md, "Finite context (issue 4)"):
 *   - an estimate is summarised by the interval  mean +- z * stderr;
 *   - "matches" means that interval lies inside the tolerance band around
 *     the reference (SUPPORTED), or misses the band entirely (CONTRADICTED);
 *   - "decreases" means consecutive intervals are separated;
 *   - every risk estimate carries the engine's tail diagnostic
 *     (docs/model.md FC-9): a check whose estimates are flagged heavy_tail
 *     answers INCONCLUSIVE, never SUPPORTED (nor CONTRADICTED: its
 *     intervals cannot be trusted either way); intervals are clipped below
 *     at 0 (or a known lower bound) by cp_sim_interval.
 * Keys named ref_*_offset or reverse exist for the mutation suite: they
 * make the stated claim false (a reference at the wrong depth or
 * dimension, the path walked backwards) and must not be SUPPORTED. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/engine.h"
#include "crossproof/finite.h"
#include "crossproof/rng.h"
#include "crossproof/lsa.h"

#define COMMON_KEYS \
    { "seed",    CP_KEY_INT, "1",  "random seed" }, \
    { "threads", CP_KEY_INT, "0",  "worker threads (0 = online CPUs); results do not depend on it" }, \
    { "z",       CP_KEY_RAT, "4",  "half-width of the intervals in standard errors" }
/* risk estimates with the conditional estimator: the tridiagonal sampler of
 * docs/model.md section 12 (TR-2: same law of the estimate, 2d - 1 chi variables
 * per prompt), the Wishart sampler kept as an option */
#define SAMPLER_KEY \
    { "sampler", CP_KEY_WORD, "tridiag", "tridiag (docs/model.md section 12, the default) or wishart (Bartlett)" }

static const cp_key_spec large_L_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    SAMPLER_KEY,
    { "L",       CP_KEY_INT,     "1000000", "context length (both samplers: cost independent of L)" },
    { "T",       CP_KEY_INTLIST, "1,2,5", "depths" },
    { "alpha",   CP_KEY_RAT,     NULL,  "CA step (default alpha*)" },
    { "prompts", CP_KEY_INT,     "400000", "prompts per depth" },
    { "tol_rel", CP_KEY_RAT,     "0.05", "relative tolerance (the band is population * (1 +- tol_rel))" },
    { "tol_abs", CP_KEY_RAT,     "0", "absolute tolerance added to the band (default 0: a relative band only)" },
    { "ref_T_offset", CP_KEY_INT, "0", "mutation hook: the population reference is taken at depth T + offset" },
    CP_KEY_END
};

static const cp_key_spec ls_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    SAMPLER_KEY,
    { "L",       CP_KEY_INTLIST, "40,200", "context lengths (each > d + 1)" },
    { "T",       CP_KEY_INT,     "1000", "depth" },
    { "alpha",   CP_KEY_RAT,     "0.15", "CA step, below 2/lambda_max(Sigma_hat) on all but negligibly many prompts" },
    { "prompts", CP_KEY_INT,     "40000", "prompts per L" },
    { "tol_rel", CP_KEY_RAT,     "0.01", "relative tolerance on the risk" },
    { "ref_d_offset", CP_KEY_INT, "0", "mutation hook: the formula is evaluated with d + offset" },
    CP_KEY_END
};

static const cp_key_spec train_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    { "model",   CP_KEY_WORD,    "ca2", "ca (alpha, beta = -alpha) or ca2 (alpha, beta)" },
    { "sampler", CP_KEY_WORD,    "tridiag", "training prompts: tridiag (gradient of the conditional excess, docs/model.md section 16, the default) or wishart (plain per-prompt gradient)" },
    { "T",       CP_KEY_INT,     "5", "depth" },
    { "L_train", CP_KEY_INTLIST, "200,2000,20000,1000000", "training context lengths, increasing" },
    { "seeds",   CP_KEY_INT,     "3", "independent training runs per L_train" },
    { "steps",   CP_KEY_INT,     "2000", "gradient steps" },
    { "batch",   CP_KEY_INT,     "256", "fresh prompts per step" },
    { "lr",      CP_KEY_RAT,     "0.06", "learning rate (the L = inf Hessian at T = 5 has largest eigenvalue about 31)" },
    { "alpha0",  CP_KEY_RAT,     "0.25", "initial alpha" },
    { "beta0",   CP_KEY_RAT,     "-0.25", "initial beta (ca2)" },
    { "tol",     CP_KEY_RAT,     "0.001", "tolerance on |theta - theta_T| and on beta/alpha at the largest L_train" },
    { "ref_T_offset", CP_KEY_INT, "0", "mutation hook: the target is theta at depth T + offset" },
    CP_KEY_END
};

static const cp_key_spec lsa_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    { "L_train", CP_KEY_INTLIST, "100,10000", "training context lengths" },
    { "steps",   CP_KEY_INT,     "1500", "gradient steps" },
    { "batch",   CP_KEY_INT,     "256", "fresh prompts per step" },
    { "lr",      CP_KEY_RAT,     "0.05", "learning rate" },
    { "directions", CP_KEY_INT,  "8", "directions e tried for the four counterexample tasks" },
    CP_KEY_END
};

static const cp_key_spec bayes_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    SAMPLER_KEY,
    { "T",       CP_KEY_INTLIST, "1,3,10,30", "depths (paired with L)" },
    { "L",       CP_KEY_INTLIST, "50,200,2000,100000", "context lengths (paired with T)" },
    { "alpha",   CP_KEY_RAT,     NULL, "CA step (default alpha*)" },
    { "prompts", CP_KEY_INT,     "100000", "prompts per point" },
    { "tol",     CP_KEY_RAT,     "0.002", "the last excess over the Bayes risk must be below tol" },
    { "kappa_star", CP_KEY_RAT,  NULL, "critical T/L (default: kappa*(alpha, m_hi) by double-precision minimisation, "
                                       "docs/model.md FC-10; to be certified in theorems/finite_size.md)" },
    { "reverse", CP_KEY_INT,     "0", "mutation hook: 1 walks the path backwards" },
    CP_KEY_END
};

static const cp_key_spec kappa_keys[] = {
    CP_MODEL_KEYS, COMMON_KEYS,
    { "kappa",   CP_KEY_RAT,     "1/25", "T/L along the path: T = ceil(kappa L)" },
    { "mode",    CP_KEY_WORD,    "below", "below (kappa < kappa*: the excess settles at the least-squares level) or above (kappa > kappa*: it grows)" },
    { "L",       CP_KEY_INTLIST, "200,400,800", "context lengths, increasing" },
    { "alpha",   CP_KEY_RAT,     NULL, "CA step (default alpha*)" },
    { "prompts", CP_KEY_INT,     "50000", "prompts per point (sampler=tilted)" },
    { "tol_rel", CP_KEY_RAT,     "0.05", "mode=below: the last excess within this relative band of the least-squares level" },
    { "reverse", CP_KEY_INT,     "0", "mutation hook: 1 walks the path backwards" },
    CP_KEY_END
};

/* --- helpers -------------------------------------------------------------- */

/* A rational parameter, rounded to double (the engine's precision). */
static int get_d(double *out, cp_check_run *run, const char *key)
{
    fmpq_t q;
    fmpq_init(q);
    int rc = cp_run_get_rat(q, run, key);
    *out = fmpq_get_d(q);
    fmpq_clear(q);
    return rc;
}

/* An integer parameter in [lo, hi]. */
static int get_i(slong *out, cp_check_run *run, const char *key, slong lo, slong hi)
{
    if (cp_run_get_int(out, run, key))
        return -1;
    if (*out < lo || *out > hi)
        return cp_run_bad_input(run, key, "%s must lie in [%ld, %ld]", key, (long) lo, (long) hi);
    return 0;
}

/* Reads the model, seed, threads, z.  Fills cfg's model fields. */
static int read_common(cp_check_run *run, cp_model_t m, cp_sim_config *cfg, double *z)
{
    slong seed, threads;
    memset(cfg, 0, sizeof *cfg);
    if (cp_run_get_model(m, run))
        return -1;
    if (get_i(&seed, run, "seed", 0, (slong) 1 << 62) || get_i(&threads, run, "threads", 0, 256)
        || get_d(z, run, "z"))
        return -1;
    if (*z <= 0)
        return cp_run_bad_input(run, "z", "z must be positive");
    cp_model_get_approx(&cfg->model, m);
    cfg->bayes_risk = cp_engine_bayes_risk(m);
    cfg->seed = (uint64_t) seed;
    cfg->threads = threads ? (int) threads : 2;
    cfg->query = CP_QUERY_EXACT;
    return 0;
}

/* The sampler key of SAMPLER_KEY: tridiag or wishart. */
static int get_sampler(cp_sampler *out, cp_check_run *run)
{
    const char *w;
    if (cp_run_get_word(&w, run, "sampler"))
        return -1;
    if (strcmp(w, "tridiag") == 0)
        *out = CP_SAMPLER_TRIDIAG;
    else if (strcmp(w, "wishart") == 0)
        *out = CP_SAMPLER_WISHART;
    else
        return cp_run_bad_input(run, "sampler", "sampler must be tridiag or wishart, got '%s'", w);
    return 0;
}

static const char *sampler_name(cp_sampler s)
{
    return s == CP_SAMPLER_TRIDIAG ? "tridiagonal sampler (model.md section 12)" : "Wishart sampler";
}

static double alpha_param(cp_check_run *run, const cp_model_t m)
{
    fmpq_t q;
    fmpq_init(q);
    if (cp_kv_has(run->params, "alpha"))
        cp_parse_rat(q, cp_kv_find(run->params, "alpha")->value);   /* validated by the theorem loader */
    else
        cp_alpha_star(q, m);
    double a = fmpq_get_d(q);
    fmpq_clear(q);
    return a;
}

static int run_sim(cp_check_run *run, cp_sim_result *res, const cp_sim_config *cfg, const cp_predictor *p)
{
    if (cp_engine_risk(res, cfg, p) != 0) {
        snprintf(run->interval, sizeof run->interval, "run stopped: %.200s", res->error);
        cp_run_detail(run, "The simulation stopped: %s", res->error);
        return -1;
    }
    /* the certified lower bound of theorems/finite_size.md (FB-5) for the
     * tied CA: an estimate below it is flagged heavy_tail, and the interval
     * is clipped there (docs/model.md FC-9) */
    if (p->kind == CP_PRED_CA) {
        cp_model_t m;
        cp_model_init(m);
        if (cp_run_get_model(m, run) == 0)
            cp_sim_result_set_lower_bound(res, cp_fb_lower_down(m, p->alpha, cfg->L, p->T));
        cp_model_clear(m);
    }
    return 0;
}

/* The decision rule "matches" (header): clears *all_in unless [lo, hi] lies
 * inside the band centre +- tol, sets *any_out when it misses the band. */
static void compare_with_band(double lo, double hi, double centre, double tol, int *all_in, int *any_out)
{
    if (!(lo >= centre - tol && hi <= centre + tol))
        *all_in = 0;
    if (hi < centre - tol || lo > centre + tol)
        *any_out = 1;
}

/* A training run at context length L: cfg's sampling, `steps` steps of
 * gradient descent at rate lr, Polyak average over the second half. */
static cp_train_config train_config(const cp_sim_config *cfg, slong L, slong steps, double lr)
{
    cp_train_config tc;
    memset(&tc, 0, sizeof tc);
    tc.cfg = *cfg;
    tc.cfg.L = L;
    tc.steps = steps;
    tc.lr = lr;
    tc.avg_from = steps / 2;
    return tc;
}

/* --- 1. large L: simulated CA excess = population excess, each T ---------- */

/* A tail-diagnostic cell: "yes (share 0.61)" or "no". */
static const char *tail_cell(char *buf, size_t n, const cp_sim_result *r)
{
    if (r->heavy_tail)
        snprintf(buf, n, "**yes** (share %.2g, ESS/n %.2g)", r->max_share, r->ess / (double) r->n);
    else
        snprintf(buf, n, "no");
    return buf;
}

static cp_verdict check_large_L(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, tol_rel, tol_abs;
    slong L, prompts, Toff, *Ts = NULL, nT = 0;
    cp_sampler smp = CP_SAMPLER_TRIDIAG;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&L, run, "L", 2, (slong) 1e15)
        || get_i(&prompts, run, "prompts", 100, (slong) 1e10)
        || get_d(&tol_rel, run, "tol_rel") || get_d(&tol_abs, run, "tol_abs")
        || get_i(&Toff, run, "ref_T_offset", -100, 100) || get_sampler(&smp, run))
        goto done;
    if (cp_run_get_intlist(&Ts, &nT, run, "T"))
        goto done;
    if (tol_rel < 0 || tol_abs < 0) {
        cp_run_bad_input(run, "tol_rel", "tolerances must be non-negative");
        goto done;
    }
    double alpha = alpha_param(run, m);
    long d = cfg.model.d1 + cfg.model.d2;
    if (L < d + 2) {
        cp_run_bad_input(run, "L", "L must be at least d + 2");
        goto done;
    }
    for (slong i = 0; i < nT; i++)
        if (Ts[i] < 1 || Ts[i] > 100000 || Ts[i] + Toff < 1) {
            cp_run_bad_input(run, "T", "each T must lie in [1, 100000]");
            goto done;
        }
    cfg.L = L;
    cfg.sampler = smp;
    cfg.prompts = prompts;
    int all_in = 1, any_out = 0, heavy = 0;
    double worst = 0.0;
    long worstT = 0;
    cp_run_detail(run, "CA, beta = -alpha = -%.6g, L = %ld (%s, conditional estimator), %ld prompts "
                       "per depth; interval = estimate +- %.3g stderr (clipped at 0); band = population * (1 +- %.3g)%s. "
                       "Population excess E_s[s/(1+s)(1-alpha(1+s))^(2T)]: cp_ca_excess (Arb, 128 bits, rounded).",
                  alpha, (long) L, sampler_name(smp), (long) prompts, z, tol_rel, tol_abs > 0 ? " + absolute tol_abs" : "");
    if (Toff)
        cp_run_detail_append(run, " MUTANT: reference at depth T + %ld.", (long) Toff);
    cp_run_table_head(run, "| T | simulated interval | population | (end - pop)/band | heavy tail |");
    for (slong i = 0; i < nT; i++) {
        cp_predictor p = { .kind = CP_PRED_CA, .d = d, .T = Ts[i], .alpha = alpha };
        cp_sim_result r;
        if (run_sim(run, &r, &cfg, &p))
            goto done;
        arb_t a, b, res;
        arb_init(a); arb_init(b); arb_init(res);
        arb_set_d(a, alpha);
        arb_neg(b, a);
        cp_ca_excess(res, m, a, b, (ulong) (Ts[i] + Toff), 128);
        double pop = arf_get_d(arb_midref(res), ARF_RND_NEAR);
        arb_clear(a); arb_clear(b); arb_clear(res);
        double tol = tol_abs + tol_rel * pop, lo, hi;
        cp_sim_interval(&lo, &hi, &r, z);
        compare_with_band(lo, hi, pop, tol, &all_in, &any_out);
        double dev = tol > 0 ? fmax(fabs(hi - pop), fabs(lo - pop)) / tol : INFINITY;
        if (dev > worst || i == 0) {
            worst = dev;
            worstT = Ts[i];
            cp_run_stat(run, lo, hi, r.excess, r.excess_stderr, "excess interval at T = %ld (the point farthest "
                        "from the band), estimate +- %.3g stderr", (long) Ts[i], z);
        }
        heavy |= r.heavy_tail;
        char tc[64];
        cp_run_detail_append(run, "| %ld | [%.6g, %.6g] | %.6g | %.3g | %s |\n", (long) Ts[i], lo, hi, pop, dev,
                             tail_cell(tc, sizeof tc, &r));
    }
    snprintf(run->interval, sizeof run->interval,
             "max over T of |interval end - population| / (%.3g population) = %.3g at T = %ld (<= 1 needed)%s",
             tol_rel, worst, worstT, heavy ? "; heavy tails flagged" : "");
    v = heavy ? CP_INCONCLUSIVE : any_out ? CP_CONTRADICTED : all_in ? CP_SUPPORTED : CP_INCONCLUSIVE;
done:
    if (Ts) flint_free(Ts);
    cp_model_clear(m);
    return v;
}

/* --- 2. large T at finite L: least-squares risk E[Var(y|x)] (L-1)/(L-d-1) -- */

static cp_verdict check_least_squares(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, tol_rel, alpha;
    slong T, prompts, doff, *Ls = NULL, nL = 0;
    cp_sampler smp = CP_SAMPLER_TRIDIAG;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&T, run, "T", 1, 1000000)
        || get_i(&prompts, run, "prompts", 100, (slong) 1e10)
        || get_d(&tol_rel, run, "tol_rel") || get_d(&alpha, run, "alpha")
        || get_i(&doff, run, "ref_d_offset", -100, 100) || get_sampler(&smp, run))
        goto done;
    if (cp_run_get_intlist(&Ls, &nL, run, "L"))
        goto done;
    long d = cfg.model.d1 + cfg.model.d2, dref = d + doff;
    cfg.prompts = prompts;
    int all_in = 1, any_out = 0, heavy = 0;
    double worst = 0;
    cp_run_detail(run, "CA (beta = -alpha = -%.4g, T = %ld, %s, conditional estimator) against the exact "
                       "least-squares risk E[Var(y|x)] (L-1)/(L-d-1), d = %ld, E[Var(y|x)] = E[1/(1+s)] + sigma^2 = "
                       "%.9g; %ld prompts per L, intervals +- %.3g stderr, band +- %.3g relative.",
                  alpha, (long) T, sampler_name(smp), d, cfg.bayes_risk, (long) prompts, z, tol_rel);
    if (doff)
        cp_run_detail_append(run, " MUTANT: formula evaluated at d = %ld.", dref);
    cp_run_table_head(run, "| L | simulated risk interval | formula | heavy tail |");
    for (slong i = 0; i < nL; i++) {
        if (Ls[i] < d + 2 || Ls[i] > (slong) 1e12 || Ls[i] < dref + 2) {
            cp_run_bad_input(run, "L", "each L must exceed d + 1");
            goto done;
        }
        cfg.L = Ls[i];
        cfg.sampler = smp;
        cp_predictor p = { .kind = CP_PRED_CA, .d = d, .T = T, .alpha = alpha };
        cp_sim_result r;
        if (run_sim(run, &r, &cfg, &p))
            goto done;
        double f = cfg.bayes_risk * (double) (Ls[i] - 1) / (double) (Ls[i] - dref - 1), lo, hi;
        cp_sim_interval(&lo, &hi, &r, z);
        lo += cfg.bayes_risk;
        hi += cfg.bayes_risk;
        double tol = tol_rel * f;
        compare_with_band(lo, hi, f, tol, &all_in, &any_out);
        double wdev = fmax(fabs(hi - f), fabs(lo - f)) / f;
        if (wdev > worst || i == 0)
            cp_run_stat(run, lo, hi, r.risk, r.risk_stderr, "risk interval at L = %ld (the point farthest from the "
                        "formula), estimate +- %.3g stderr", (long) Ls[i], z);
        worst = fmax(worst, wdev);
        heavy |= r.heavy_tail;
        char tc[64];
        cp_run_detail_append(run, "| %ld | [%.6g, %.6g] | %.6g | %s |\n", (long) Ls[i], lo, hi, f,
                             tail_cell(tc, sizeof tc, &r));
    }
    snprintf(run->interval, sizeof run->interval,
             "simulated risk intervals within %.3g%% of the formula (band %.3g%%)%s", 100 * worst, 100 * tol_rel,
             heavy ? "; heavy tails flagged" : "");
    v = heavy ? CP_INCONCLUSIVE : any_out ? CP_CONTRADICTED : all_in ? CP_SUPPORTED : CP_INCONCLUSIVE;
done:
    if (Ls) flint_free(Ls);
    cp_model_clear(m);
    return v;
}

/* --- 3. trained CA parameters approach the population optimum --------------- */

static cp_verdict check_trained_ca(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, lr, a0, b0, tol;
    slong T, seeds, steps, batch, Toff, *Ls = NULL, nL = 0;
    const char *kname;
    double *dist = NULL, *ratio = NULL;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_sampler smp = CP_SAMPLER_TRIDIAG;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&T, run, "T", 1, 10000) || get_sampler(&smp, run)
        || get_i(&seeds, run, "seeds", 1, 100) || get_i(&steps, run, "steps", 1, 10000000)
        || get_i(&batch, run, "batch", 2, 10000000) || get_d(&lr, run, "lr")
        || get_d(&a0, run, "alpha0") || get_d(&b0, run, "beta0")
        || get_d(&tol, run, "tol") || get_i(&Toff, run, "ref_T_offset", -100, 100))
        goto done;
    if (T + Toff < 1) {
        cp_run_bad_input(run, "ref_T_offset", "T + ref_T_offset must be positive");
        goto done;
    }
    if (cp_run_get_word(&kname, run, "model")
        || cp_run_get_intlist(&Ls, &nL, run, "L_train"))
        goto done;
    int two = strcmp(kname, "ca2") == 0;
    if (!two && strcmp(kname, "ca") != 0) {
        cp_run_bad_input(run, "model", "model must be ca or ca2");
        goto done;
    }
    long d = cfg.model.d1 + cfg.model.d2;
    double as, bs;
    if (two)
        cp_engine_alpha_beta_T(&as, &bs, &cfg.model, T + Toff);
    else {
        as = cp_engine_alpha_T(&cfg.model, T + Toff);
        bs = -as;
    }
    dist = calloc((size_t) (nL * seeds), sizeof(double));
    ratio = calloc((size_t) (nL * seeds), sizeof(double));
    cfg.sampler = smp;
    cfg.prompts = batch;
    cfg.substream = 1;
    if (!cp_kv_has(run->params, "threads"))
        cfg.threads = 1;                       /* small batches: threads cost more than they save */
    cp_run_detail(run, "Gradient descent (%s, T = %ld, lr %.3g, %ld steps of %ld fresh prompts, %s, Polyak "
                       "average over the second half, start alpha %.3g beta %.3g) against the population "
                       "optimum (alpha_T, beta_T) = (%.6f, %.6f), beta_T/alpha_T = %.6f (double-precision "
                       "quadrature and golden section). Distances |theta - theta_T| per L_train over %ld seeds:",
                  kname, (long) T, lr, (long) steps, (long) batch,
                  smp == CP_SAMPLER_TRIDIAG ? "tridiagonal sampler, gradient of the conditional excess (model.md "
                  "section 16)" : "Wishart sampler, plain per-prompt gradient", a0, two ? b0 : -a0, as, bs, bs / as,
                  (long) seeds);
    cp_run_table_head(run, "| L_train | per seed: distance (beta/alpha) |");
    for (slong i = 0; i < nL; i++) {
        if (Ls[i] < d + 2) {
            cp_run_bad_input(run, "L_train", "each L_train must be at least d + 2");
            goto done;
        }
        cp_run_detail_append(run, "| %ld |", (long) Ls[i]);
        for (slong sd = 0; sd < seeds; sd++) {
            cp_predictor p = { .kind = two ? CP_PRED_CA2 : CP_PRED_CA, .d = d, .T = T, .alpha = a0, .beta = two ? b0 : -a0 };
            cp_train_config tc = train_config(&cfg, Ls[i], steps, lr);
            cp_train_state st;
            tc.cfg.seed = cfg.seed + (uint64_t) sd;
            cp_train_state_init(&st, &p);
            char err[256];
            int rc = cp_engine_train(&st, &p, &tc, err);
            double al = st.avg[0], be = two ? st.avg[1] : -st.avg[0];
            cp_train_state_clear(&st);
            if (rc != 0) {
                snprintf(run->interval, sizeof run->interval, "training stopped at L_train = %ld: %.150s", (long) Ls[i], err);
                cp_run_detail_append(run, " training stopped: %s", err);
                goto done;
            }
            dist[i * seeds + sd] = hypot(al - as, be - bs);
            ratio[i * seeds + sd] = be / al;
            cp_run_detail_append(run, " %.2e (b/a %.5f)", dist[i * seeds + sd], be / al);
        }
        cp_run_detail_append(run, " |\n");
    }
    cp_run_detail_append(run, "\n");          /* the table ends at a blank line */
    /* (i) ordering: every run at the larger L_train closer than every run at the smaller one */
    int ordered = 1, reversed = 0;
    for (slong i = 0; i + 1 < nL; i++) {
        double maxn = 0, minc = INFINITY, minn = INFINITY, maxc = 0;
        for (slong sd = 0; sd < seeds; sd++) {
            maxn = fmax(maxn, dist[(i + 1) * seeds + sd]);
            minn = fmin(minn, dist[(i + 1) * seeds + sd]);
            minc = fmin(minc, dist[i * seeds + sd]);
            maxc = fmax(maxc, dist[i * seeds + sd]);
        }
        if (!(maxn < minc)) ordered = 0;
        if (minn > maxc) reversed = 1;
    }
    /* (ii) at the largest L_train: within tol of theta_T and of beta_T/alpha_T */
    double dmax = 0, rdev = 0, rmin = INFINITY, rmax = -INFINITY;
    for (slong sd = 0; sd < seeds; sd++) {
        dmax = fmax(dmax, dist[(nL - 1) * seeds + sd]);
        rdev = fmax(rdev, fabs(ratio[(nL - 1) * seeds + sd] - bs / as));
        rmin = fmin(rmin, ratio[(nL - 1) * seeds + sd]);
        rmax = fmax(rmax, ratio[(nL - 1) * seeds + sd]);
    }
    double t_ratio = bs / as;
    {
        double mean = 0, var = 0, dmin = INFINITY;
        for (slong sd = 0; sd < seeds; sd++) {
            mean += dist[(nL - 1) * seeds + sd] / (double) seeds;
            dmin = fmin(dmin, dist[(nL - 1) * seeds + sd]);
        }
        for (slong sd = 0; sd < seeds; sd++)
            var += (dist[(nL - 1) * seeds + sd] - mean) * (dist[(nL - 1) * seeds + sd] - mean);
        cp_run_stat(run, dmin, dmax, mean, seeds > 1 ? sqrt(var / (double) (seeds - 1) / (double) seeds) : NAN,
                    "|theta - theta_T| at L_train = %ld: smallest and largest over %ld seeds, their mean and its "
                    "standard error across seeds", (long) Ls[nL - 1], (long) seeds);
    }
    snprintf(run->interval, sizeof run->interval,
             "at L_train = %ld over %ld seeds: |theta - theta_T| <= %.3g and beta/alpha - beta_T/alpha_T in "
             "[%.3g, %.3g], against the band (-%.3g, %.3g); distances %sordered in L_train", (long) Ls[nL - 1],
             (long) seeds, dmax, rmin - t_ratio, rmax - t_ratio, tol, tol, ordered ? "" : "not ");
    if (rmin - t_ratio > 0 || rmax - t_ratio < 0)
        cp_run_detail_append(run, " The spread over seeds of beta/alpha at the largest L_train, [%.6f, %.6f], "
                                  "does not contain beta_T/alpha_T = %.6f: the runs end with a systematic offset "
                                  "(finite steps and finite L_train) of at most %.2g, inside the tolerance; the "
                                  "evidence supports closeness within tol, not convergence to theta_T itself.",
                             rmin, rmax, t_ratio, fmax(fabs(rmin - t_ratio), fabs(rmax - t_ratio)));
    if (Toff)
        cp_run_detail_append(run, " MUTANT: target at depth T + %ld.", (long) Toff);
    cp_run_detail_append(run, " Decision: SUPPORTED when every run at each larger L_train is closer than every "
                              "run at the smaller one and, at the largest, the distance and |beta/alpha - "
                              "beta_T/alpha_T| are below tol = %.3g; CONTRADICTED when some larger L_train is "
                              "farther in every run.", tol);
    v = reversed ? CP_CONTRADICTED : (ordered && dmax < tol && rdev < tol) ? CP_SUPPORTED : CP_INCONCLUSIVE;
done:
    free(dist);
    free(ratio);
    if (Ls) flint_free(Ls);
    cp_model_clear(m);
    return v;
}

/* --- 4. trained LSA stays above the certified two-task gap ------------------ */

/* Worst excess over the four counterexample tasks m = sqrt(s) e, s in {m_lo, m_hi},
 * zeta = +-1, at L = infinity, maximised over `ndir` directions e. */
static double lsa_worst_case(const cp_predictor *p, const cp_model_approx *ma, long ndir, uint64_t seed)
{
    long d = p->d;
    cp_engine_ws ws;
    double worst = 0.0, *e = malloc((size_t) d * sizeof(double)), *mv = malloc((size_t) d * sizeof(double));
    cp_engine_ws_init(&ws, d, 1);
    for (long k = 0; k < ndir; k++) {
        /* directions: the basis vectors first, then random ones (own stream) */
        if (k < d) {
            for (long i = 0; i < d; i++) e[i] = i == k ? 1.0 : 0.0;
        } else {
            cp_prompt_draw(&ws, ma, 0, CP_SAMPLER_POPULATION, 0, seed, 7, (uint64_t) k);
            double nn = sqrt(ws.pr.s);
            for (long i = 0; i < d; i++) e[i] = ws.pr.m[i] / nn;
        }
        for (int a = 0; a < 2; a++)
            for (int sg = 0; sg < 2; sg++) {
                double s = a ? ma->m_hi : ma->m_lo;
                for (long i = 0; i < d; i++) mv[i] = sqrt(s) * e[i];
                cp_prompt_set_population(&ws, mv, sg ? 1.0 : -1.0, ma->sigma);
                worst = fmax(worst, cp_prompt_excess(cp_predictor_weight(p, &ws), &ws.pr));
            }
    }
    cp_engine_ws_clear(&ws);
    free(e);
    free(mv);
    return worst;
}

static cp_verdict check_trained_lsa(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, lr;
    slong steps, batch, ndir, *Ls = NULL, nL = 0;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&steps, run, "steps", 1, 10000000)
        || get_i(&batch, run, "batch", 2, 10000000) || get_d(&lr, run, "lr")
        || get_i(&ndir, run, "directions", 1, 10000))
        goto done;
    if (cp_run_get_intlist(&Ls, &nL, run, "L_train"))
        goto done;
    long d = cfg.model.d1 + cfg.model.d2, n = d + 1;
    double gap = cp_lsa_gap_approx(cfg.model.m_lo, cfg.model.m_hi).approx;
    double lo = INFINITY, hi = 0;
    cfg.prompts = batch;
    cfg.substream = 2;
    if (!cp_kv_has(run->params, "threads"))
        cfg.threads = 1;
    cp_run_detail(run, "General single-layer LSA (all %ld entries of the first d columns of W_KQ and the last "
                       "row of W_PV) trained by gradient descent (lr %.3g, %ld steps of %ld fresh prompts) from "
                       "the gamma form gamma = 0.2 plus a seeded perturbation; then its population excess on the "
                       "four counterexample tasks, worst over %ld directions, against the certified lsa-gap "
                       "c(m_lo, m_hi) = %.9g (cp_lsa_gap_approx). Per L_train (worst case, trained average "
                       "excess in the last step):",
                  n * d + n, lr, (long) steps, (long) batch, (long) ndir, gap);
    cp_run_table_head(run, "| L_train | worst-case excess of the trained LSA | training excess (last step) |");
    for (slong i = 0; i < nL; i++) {
        double *A = calloc((size_t) (n * d), sizeof(double)), *u = calloc((size_t) n, sizeof(double));
        cp_rng r;
        cp_rng_init(&r, cfg.seed, (uint64_t) i, 99);
        for (long k = 0; k < n * d; k++)
            A[k] = 0.01 * cp_rng_normal(&r);
        for (long k = 0; k < d; k++)
            A[k * d + k] += 0.2;
        for (long k = 0; k < n; k++)
            u[k] = (k == d ? 1.0 : 0.0) + 0.01 * cp_rng_normal(&r);
        cp_predictor p = { .kind = CP_PRED_LSA_GENERAL, .d = d, .A = A, .u = u };
        cp_train_config tc = train_config(&cfg, Ls[i], steps, lr);
        cp_train_state st;
        tc.cfg.sampler = Ls[i] >= d + 2 ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT;
        cp_train_state_init(&st, &p);
        char err[256];
        int rc = cp_engine_train(&st, &p, &tc, err);
        if (rc == 0) {
            cp_predictor_set_params(&p, st.avg);
            double w = lsa_worst_case(&p, &cfg.model, ndir > d ? ndir : d, cfg.seed);
            lo = fmin(lo, w);
            hi = fmax(hi, w);
            cp_run_detail_append(run, "| %ld | %.6g | %.6g |\n", (long) Ls[i], w, st.last_excess);
        }
        cp_train_state_clear(&st);
        free(A);
        free(u);
        if (rc != 0) {
            snprintf(run->interval, sizeof run->interval, "training stopped: %.200s", err);
            goto done;
        }
    }
    snprintf(run->interval, sizeof run->interval,
             "worst-case excess of the trained LSA in [%.6g, %.6g] vs lsa-gap %.6g", lo, hi, gap);
    cp_run_stat(run, lo, hi, NAN, NAN, "smallest and largest worst-case excess of the trained LSA over L_train "
                "(double precision; no standard error)");
    v = lo >= gap * (1 - 1e-9) ? CP_SUPPORTED : CP_CONTRADICTED;
done:
    if (Ls) flint_free(Ls);
    cp_model_clear(m);
    return v;
}

/* --- 5. risk decreases toward Bayes as T and L grow together, T/L < kappa* -- */

#define kappa_star_approx cp_engine_kappa_star_approx

static cp_verdict check_toward_bayes(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, tol, kstar;
    slong prompts, rev, *Ts = NULL, nT = 0, *Ls = NULL, nL = 0;
    cp_sampler smp = CP_SAMPLER_TRIDIAG;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&prompts, run, "prompts", 100, (slong) 1e10)
        || get_d(&tol, run, "tol") || get_i(&rev, run, "reverse", 0, 1) || get_sampler(&smp, run))
        goto done;
    if (cp_run_get_intlist(&Ts, &nT, run, "T")
        || cp_run_get_intlist(&Ls, &nL, run, "L"))
        goto done;
    if (nT != nL || nT < 2) {
        cp_run_bad_input(run, "T", "T and L must be lists of the same length (at least 2)");
        goto done;
    }
    double alpha = alpha_param(run, m);
    int kstar_given = cp_kv_has(run->params, "kappa_star");
    if (kstar_given) {
        if (get_d(&kstar, run, "kappa_star"))
            goto done;
    } else {
        kstar = alpha * (1.0 + cfg.model.m_hi) > 2.0 ? 0.0 : kappa_star_approx(alpha, cfg.model.m_hi);
    }
    long d = cfg.model.d1 + cfg.model.d2;
    double prev = 0, prev_se = 0, last_hi = 0;
    int decreasing = 1, increase = 0, heavy = 0, off_path = 0;
    cfg.prompts = prompts;
    cp_run_detail(run, "CA (beta = -alpha = -%.6g, %s where L >= d + 2, direct sampler below, conditional "
                       "estimator) excess over the task-known Bayes risk %.9g along (T, L) pairs, %ld prompts each, "
                       "intervals +- %.3g stderr clipped at 0. Path condition T/L < kappa* = %.6g (%s).%s",
                  alpha, sampler_name(smp), cfg.bayes_risk, (long) prompts, z, kstar,
                  kstar_given ? "given" : "double-precision minimisation of docs/model.md FC-10; certified "
                  "enclosure: theorems/finite_size.md", rev ? " MUTANT: path walked backwards." : "");
    cp_run_table_head(run, "| T | L | T/L | excess interval | heavy tail |");
    for (slong j = 0; j < nT; j++) {
        slong i = rev ? nT - 1 - j : j;
        if (Ts[i] < 1 || Ls[i] < 1) {
            cp_run_bad_input(run, "T", "T and L must be positive");
            goto done;
        }
        if (!((double) Ts[i] < kstar * (double) Ls[i]))
            off_path = 1;
        cfg.L = Ls[i];
        cfg.sampler = Ls[i] >= d + 2 ? smp : CP_SAMPLER_DIRECT;
        cp_predictor p = { .kind = CP_PRED_CA, .d = d, .T = Ts[i], .alpha = alpha };
        cp_sim_result r;
        if (run_sim(run, &r, &cfg, &p))
            goto done;
        double lo, hi;
        cp_sim_interval(&lo, &hi, &r, z);
        heavy |= r.heavy_tail;
        char tc[64];
        cp_run_detail_append(run, "| %ld | %ld | %.3g | [%.6g, %.6g] | %s |\n", (long) Ts[i], (long) Ls[i],
                             (double) Ts[i] / (double) Ls[i], lo, hi, tail_cell(tc, sizeof tc, &r));
        if (j > 0) {
            double sep = z * sqrt(prev_se * prev_se + r.excess_stderr * r.excess_stderr);
            if (!(r.excess < prev - sep)) decreasing = 0;
            if (r.excess > prev + sep) increase = 1;
        }
        prev = r.excess;
        prev_se = r.excess_stderr;
        last_hi = hi;
        cp_run_stat(run, lo, hi, r.excess, r.excess_stderr, "excess interval at the last point T = %ld, L = %ld, "
                    "estimate +- %.3g stderr", (long) Ts[i], (long) Ls[i], z);
    }
    slong last = rev ? 0 : nT - 1;
    snprintf(run->interval, sizeof run->interval,
             "excess %s; last excess <= %.3g (tol %.3g) at T = %ld, L = %ld; %s%s",
             decreasing ? "strictly decreasing (separated intervals)" : "not separated", last_hi, tol,
             (long) Ts[last], (long) Ls[last], off_path ? "path leaves T/L < kappa*" : "path inside T/L < kappa*",
             heavy ? "; heavy tails flagged" : "");
    if (off_path)
        cp_run_detail_append(run, "\nSome point has T/L >= kappa*: the claim does not cover it (there the excess "
                                  "at fixed T/L diverges as L grows), so the check cannot support it.");
    v = heavy ? CP_INCONCLUSIVE : increase ? CP_CONTRADICTED
      : (decreasing && last_hi < tol && !off_path) ? CP_SUPPORTED : CP_INCONCLUSIVE;
done:
    if (Ts) flint_free(Ts);
    if (Ls) flint_free(Ls);
    cp_model_clear(m);
    return v;
}

/* --- 6. along T = kappa L: settles below kappa*, grows above (tilted sampler) -- */

static cp_verdict check_kappa_path(cp_check_run *run)
{
    cp_model_t m;
    cp_sim_config cfg;
    double z, kappa, tol;
    slong prompts, rev, *Ls = NULL, nL = 0;
    const char *mode;
    cp_verdict v = CP_INCONCLUSIVE;
    cp_model_init(m);
    if (read_common(run, m, &cfg, &z) || get_i(&prompts, run, "prompts", 100, (slong) 1e10)
        || get_d(&kappa, run, "kappa") || get_d(&tol, run, "tol_rel") || get_i(&rev, run, "reverse", 0, 1)
        || cp_run_get_word(&mode, run, "mode"))
        goto done;
    if (cp_run_get_intlist(&Ls, &nL, run, "L"))
        goto done;
    int below = strcmp(mode, "below") == 0;
    if (!below && strcmp(mode, "above") != 0) {
        cp_run_bad_input(run, "mode", "mode must be below or above, got '%s'", mode);
        goto done;
    }
    if (nL < 2) {
        cp_run_bad_input(run, "L", "L must list at least two context lengths");
        goto done;
    }
    double alpha = alpha_param(run, m);
    long d = cfg.model.d1 + cfg.model.d2;
    double kstar = alpha * (1.0 + cfg.model.m_hi) > 2.0 ? 0.0 : kappa_star_approx(alpha, cfg.model.m_hi);
    if (!(kappa > 0) || (below && !(kappa < kstar)) || (!below && !(kappa > kstar))) {
        cp_run_bad_input(run, "kappa", "mode=%s needs kappa %s kappa* = %.6g (got %.6g)", mode,
                         below ? "<" : ">", kstar, kappa);
        goto done;
    }
    cfg.prompts = prompts;
    cfg.sampler = CP_SAMPLER_TILTED;
    cp_run_detail(run, "CA (beta = -alpha = -%.6g) along T = ceil(%.4g L), kappa* = %.6g (double precision, "
                       "docs/model.md FC-10); tilted sampler (FC-8) with the conditional estimator, %ld prompts "
                       "per point, intervals +- %.3g stderr clipped at 0. Least-squares level: E[Var(y|x)] d/(L-d-1) "
                       "(FC-4).%s",
                  alpha, kappa, kstar, (long) prompts, z, rev ? " MUTANT: path walked backwards." : "");
    cp_run_table_head(run, "| L | T | excess interval | least-squares level | ratio | heavy tail |");
    int heavy = 0, monotone = 1, against = 0;
    double prev = 0, prev_se = 0, rlo = 0, rhi = 0, last_lo = 0, ls_last = 0;
    for (slong j = 0; j < nL; j++) {
        slong i = rev ? nL - 1 - j : j;
        if (Ls[i] < d + 2 || Ls[i] > 100000000) {
            cp_run_bad_input(run, "L", "each L must lie in [d + 2, 10^8]");
            goto done;
        }
        long T = (long) ceil(kappa * (double) Ls[i]);
        cfg.L = Ls[i];
        cp_predictor p = { .kind = CP_PRED_CA, .d = d, .T = T, .alpha = alpha };
        cp_sim_result r;
        if (run_sim(run, &r, &cfg, &p))
            goto done;
        double lo, hi, ls = cfg.bayes_risk * (double) d / (double) (Ls[i] - d - 1);
        cp_sim_interval(&lo, &hi, &r, z);
        heavy |= r.heavy_tail;
        char tc[64];
        cp_run_detail_append(run, "| %ld | %ld | [%.6g, %.6g] | %.6g | [%.4g, %.4g] | %s |\n", (long) Ls[i], T,
                             lo, hi, ls, lo / ls, hi / ls, tail_cell(tc, sizeof tc, &r));
        /* compare ratios (below) or excesses (above) of consecutive points */
        double val = below ? r.excess / ls : r.excess, se = below ? r.excess_stderr / ls : r.excess_stderr;
        if (j > 0) {
            double sep = z * sqrt(prev_se * prev_se + se * se);
            if (below ? !(val < prev - sep) : !(val > prev + sep)) monotone = 0;
            if (below ? val > prev + sep : val < prev - sep) against = 1;
        }
        prev = val;
        prev_se = se;
        rlo = lo / ls;
        rhi = hi / ls;
        last_lo = lo;
        if (below)
            cp_run_stat(run, rlo, rhi, val, se, "excess / least-squares level at the last point L = %ld, T = %ld, "
                        "estimate +- %.3g stderr", (long) Ls[i], T, z);
        else
            cp_run_stat(run, lo, hi, r.excess, r.excess_stderr, "excess interval at the last point L = %ld, T = %ld, "
                        "estimate +- %.3g stderr", (long) Ls[i], T, z);
        ls_last = ls;
    }
    if (below) {
        snprintf(run->interval, sizeof run->interval, "excess / least-squares level: %s; last in [%.4g, %.4g] "
                 "(band 1 +- %.3g)%s", against ? "rises somewhere (separated)" : monotone ? "strictly decreasing"
                 : "never rises (separated)", rlo, rhi, tol,
                 heavy ? "; heavy tails flagged" : "");
        int in = rlo >= 1 - tol && rhi <= 1 + tol, out = rhi < 1 - tol || rlo > 1 + tol;
        v = heavy ? CP_INCONCLUSIVE : (against || out) ? CP_CONTRADICTED : in ? CP_SUPPORTED : CP_INCONCLUSIVE;
    } else {
        snprintf(run->interval, sizeof run->interval, "excess %s; last >= %.4g = %.3g times the least-squares "
                 "level%s", monotone ? "strictly increasing (separated intervals)" : "not separated", last_lo,
                 last_lo / ls_last, heavy ? "; heavy tails flagged" : "");
        v = heavy ? CP_INCONCLUSIVE : against ? CP_CONTRADICTED
          : (monotone && last_lo > 100 * ls_last) ? CP_SUPPORTED : CP_INCONCLUSIVE;
    }
done:
    if (Ls) flint_free(Ls);
    cp_model_clear(m);
    return v;
}

const cp_check_def cp_checks_risk_limits[] = {
    { "ca_large_L_excess", "at large L the simulated CA excess matches the population excess, each T",
      CP_CHECK_STAT, large_L_keys, check_large_L },
    { "ca_least_squares_limit", "at large T the finite-L CA risk matches E[Var(y|x)] (L-1)/(L-d-1)",
      CP_CHECK_STAT, ls_keys, check_least_squares },
    { "ca_trained_params", "trained CA parameters approach (alpha_T, beta_T) as L_train grows",
      CP_CHECK_STAT, train_keys, check_trained_ca },
    { "lsa_trained_gap", "a trained single-layer LSA never beats the certified two-task gap",
      CP_CHECK_STAT, lsa_keys, check_trained_lsa },
    { "ca_toward_bayes", "the CA excess decreases toward 0 along a (T, L) path with T/L < kappa*",
      CP_CHECK_STAT, bayes_keys, check_toward_bayes },
    { "ca_kappa_path", "along T = kappa L the CA excess settles at the least-squares level (kappa < kappa*) or grows",
      CP_CHECK_STAT, kappa_keys, check_kappa_path },
    { NULL, NULL, CP_CHECK_STAT, NULL, NULL }
};
