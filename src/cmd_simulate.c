/* cmd_simulate.c -- `crossproof simulate key=value... [--json] [--csv FILE]
 * [--config FILE]`: Monte Carlo risk estimates from the double engine
 * (engine.h).  Estimates, never certificates. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "crossproof/cli.h"
#include "crossproof/engine.h"
#include "crossproof/finite.h"
#include "crossproof/general_engine.h"
#include "crossproof/lsa.h"
#include "crossproof/output.h"

static const cp_key_spec sim_keys[] = {
    CP_GENERAL_KEYS,      /* k, tau1, tau2, split: the general model (docs/model.md sections 11, 14) */
    { "model",   CP_KEY_WORD,    "ca",      "bayes, ols, lsa, ca (beta = -alpha), ca2 (alpha, beta), ca_untied" },
    { "L",       CP_KEY_INTLIST, "200",     "context length (list: sweep)" },
    { "T",       CP_KEY_INTLIST, "1",       "depth of CA (list: sweep)" },
    { "alpha",   CP_KEY_RATLIST, NULL,      "CA step; default alpha* = 2/(2 + m_lo + m_hi) (general model: alpha*_gen of (G-7)) (list: sweep)" },
    { "beta",    CP_KEY_RATLIST, NULL,      "CA feedback (ca2); default -alpha (list: sweep)" },
    { "gamma",   CP_KEY_RATLIST, NULL,      "LSA gamma; default the L = infinity optimum E[s]/E[s(1+s)] (general model: E s/(E s^2 + P E s) of (G-5)) (list: sweep)" },
    { "alphas",  CP_KEY_RATLIST, NULL,      "ca_untied: alpha_0..alpha_{T-1}" },
    { "betas",   CP_KEY_RATLIST, NULL,      "ca_untied: beta_0..beta_{T-1}" },
    { "prompts", CP_KEY_INT,     "100000",  "number of prompts per grid point" },
    { "seed",    CP_KEY_INTLIST, "1",       "random seed (Philox key); a list (seed=1..5) runs independent replicates: a row per seed and a row of their mean and standard error" },
    { "pair",    CP_KEY_TEXT,    NULL,      "list keys that vary together (pair=alpha,beta: the i-th alpha with the i-th beta) instead of the full grid" },
    { "threads", CP_KEY_INT,     "0",       "worker threads; 0 = number of online CPUs (results do not depend on it)" },
    { "sampler", CP_KEY_WORD,    "auto",    "tridiag (2d - 1 chi variables, docs/model.md section 12), direct, wishart, tilted (importance sampling of the spike, FC-8), or auto (tridiag where valid: query=exact, estimator not plain, L >= d; else wishart when L >= d + 2, else direct; the general model (k > 1 or tau1, tau2 != 1): wishart when L >= k + d + 1 (+1 if sigma > 0), else direct; tridiag and tilted refused)" },
    { "estimator", CP_KEY_WORD,  "auto",    "conditional (Rao-Blackwellised, FC-7), plain, or auto (conditional where valid; plain for the general model)" },
    { "tilt_share", CP_KEY_RAT,  "1/2",     "sampler=tilted: share of the tilted law in the defensive mixture, in (0, 1)" },
    { "query",   CP_KEY_WORD,    "exact",   "exact (query integrated out) or sampled (draw x_q, y_q)" },
    CP_KEY_END
};

static void sim_help(FILE *f)
{
    fprintf(f, "usage: crossproof simulate [key=value...] [--json] [--csv FILE] [--config FILE] [--quiet]\n\n"
               "Monte Carlo estimate of the prediction risk E(y_q - yhat)^2 of a predictor on\n"
               "prompts of the latent factor model (docs/model.md), with its standard error and a\n"
               "95%% interval.  Double precision: an estimate, never a certificate.  A list value\n"
               "(T=1,2,5,10) sweeps a grid over L, T, alpha, beta, gamma.  --config FILE reads\n"
               "key = value lines; command-line keys override them.  Every output records the\n"
               "resolved parameters, the seed and the versions.  With query=exact (default) the\n"
               "query is integrated out: the risk is the prior's Bayes risk (closed form) plus the\n"
               "Monte Carlo mean of the excess (w - w*)^T Lambda (w - w*) (docs/model.md, FC-2); by\n"
               "default each prompt contributes that excess averaged exactly over zeta and the label\n"
               "noise given Sigma_hat (estimator=conditional, FC-7; estimator=plain keeps the drawn one).\n"
               "Every result carries a tail diagnostic (FC-9): the largest single share of the sum, the\n"
               "effective sample size, a median-of-means estimate, and heavy_tail (text: HEAVY-TAIL)\n"
               "when the mean cannot be trusted; intervals never go below the Bayes risk (marked *).\n"
               "sampler=tilted draws the spike chi-square from a tilted defensive mixture with exact\n"
               "weights (FC-8): use it where the tail is heavy (T/L above kappa*, about 0.0855 at alpha*);\n"
               "with the conditional estimator it tilts b_1^2 of the tridiagonal reduction (TR-2), with\n"
               "estimator=plain or query=sampled the first Bartlett entry.\n"
               "sampler=tridiag (the default where valid) reduces a prompt to s and 2d - 1 chi variables\n"
               "(docs/model.md section 12: Sigma_hat is replaced by a tridiagonal matrix with the same\n"
               "conditional excess) and evaluates the predictor on its eigenvalues and first eigenvector\n"
               "components; in a T grid each further depth then costs O(d) per prompt (TR-5), an alpha\n"
               "grid O(d T) per point, with one draw and one eigen-decomposition per prompt for all.\n"
               "CA grids sharing L run in one pass over the prompts (same bits as separate runs).\n"
               "k, tau1, tau2, split select the general model x = M u + mu, u ~ N(0, I_k), mu ~ N(0,\n"
               "diag(tau1^2 I_d1, tau2^2 I_d2)), y = zeta^T u + sigma xi (docs/model.md sections 11, 14; the\n"
               "keys of crossproof eval's *-general quantities); k = 1, tau1 = tau2 = 1 is the model above,\n"
               "bit for bit.  It runs with sampler=wishart or direct and the plain estimator.\n"
               "A NaN or Inf stops the run with an error; nothing is averaged over it.\n\nkeys [default]:\n");
    for (const cp_key_spec *k = sim_keys; k->name; k++)
        fprintf(f, "  %-8s [%s] %s\n", k->name, k->dflt ? k->dflt : "see text", k->help);
    fprintf(f, "\nExit codes: 0 estimates printed; 1 the run stopped (NaN or Inf); 2 bad input.\n");
}

/* most grid points of one run (each costs 256 statistics slots in the
 * multi-predictor pass, engine_grid.c) */
#define CP_MAX_GRID 10000

typedef struct {
    long L, T, seed;
    double alpha, beta, gamma;
    cp_sampler sampler;
    cp_sim_result res;
    double seconds;
} grid_point;

static int get_list(double **out, slong *n, const cp_kv *kv, const char *key, double dflt, char *err)
{
    if (!cp_kv_has(kv, key)) {
        *out = malloc(sizeof(double));
        (*out)[0] = dflt;
        *n = 1;
        return 0;
    }
    fmpq *q;
    if (cp_kv_get_ratlist(&q, n, kv, sim_keys, key, err) != 0)
        return -1;
    *out = malloc((size_t) *n * sizeof(double));
    for (slong i = 0; i < *n; i++)
        (*out)[i] = fmpq_get_d(q + i);
    _fmpq_vec_clear(q, *n);
    return 0;
}

static const char *est_name(cp_estimator e)
{
    return e == CP_EST_CONDITIONAL ? "conditional" : "plain";
}

/* JSON list of the CP_HEAVY_* reasons (static buffer: one call per printf) */
static const char *heavy_list(unsigned r)
{
    static char buf[128];
    buf[0] = '\0';
    static const char *const names[] = { "max_share", "ess", "median_of_means", "lower_bound" };
    for (int i = 0; i < 4; i++)
        if (r & (1u << i)) {
            size_t l = strlen(buf);
            snprintf(buf + l, sizeof buf - l, "%s\"%s\"", l ? ", " : "", names[i]);
        }
    return buf;
}

/* Advisory (docs/model.md FC-10): tied CA with T/L above kappa*(alpha, m_hi)
 * and no tilt -- the prompts that carry the expectation may be too rare for
 * the sample to show any symptom (FC-9). */
static int beyond_kappa(const grid_point *p, cp_pred_kind kind, const cp_model_approx *ma)
{
    if (kind != CP_PRED_CA || p->sampler == CP_SAMPLER_TILTED)
        return 0;
    double k = cp_engine_kappa_star_approx(p->alpha, ma->m_hi);
    return (double) p->T > k * (double) p->L;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void print_params_json(FILE *f, const cp_kv *kv)
{
    int first = 1;
    for (const cp_key_spec *k = sim_keys; k->name; k++) {
        const cp_kv_entry *e = cp_kv_find(kv, k->name);
        if (!e && !k->dflt)
            continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", k->name);
        cp_json_string(f, e ? e->value : k->dflt);
        first = 0;
    }
}

/* Replicates over seeds (seed=1..5): each seed is its own Philox key, so the
 * per-seed estimates are independent; the aggregate of a grid point is their
 * mean, the standard error across seeds (sample standard deviation / sqrt n)
 * and the interval mean +- t(0.975, n - 1) stderr (Student's t: the spread
 * is estimated from n values). */
typedef struct {
    int n;
    double risk, risk_se, excess, excess_se, lo, hi, seconds, max_share, ess_frac;
    int heavy;
} seed_agg;

static double t975(int df)
{
    static const double t[30] = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    return df <= 30 ? t[df - 1] : 1.959964 + 2.372 / df;     /* Cornish-Fisher, |error| < 1e-3 */
}

static void aggregate(seed_agg *a, const grid_point *p, int n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->ess_frac = INFINITY;
    for (int s = 0; s < n; s++) {
        a->risk += p[s].res.risk / n;
        a->excess += p[s].res.excess / n;
        a->seconds += p[s].seconds;
        if (p[s].res.max_share > a->max_share) a->max_share = p[s].res.max_share;
        double f = p[s].res.n > 0 ? p[s].res.ess / (double) p[s].res.n : 0.0;
        if (f < a->ess_frac) a->ess_frac = f;
        a->heavy |= p[s].res.heavy_tail;
    }
    double vr = 0, ve = 0;
    for (int s = 0; s < n; s++) {
        vr += (p[s].res.risk - a->risk) * (p[s].res.risk - a->risk);
        ve += (p[s].res.excess - a->excess) * (p[s].res.excess - a->excess);
    }
    a->risk_se = sqrt(vr / (n - 1) / n);
    a->excess_se = sqrt(ve / (n - 1) / n);
    a->lo = a->risk - t975(n - 1) * a->risk_se;
    a->hi = a->risk + t975(n - 1) * a->risk_se;
}

/* pair=KEY,KEY...: the named sweep keys share one index of the grid.  Sets
 * dim[i] (the grid dimension of sweep key i: its own index, or the first
 * paired key's); returns 0, or -1 with err set. */
static const char *const sweep_names[5] = { "L", "T", "alpha", "beta", "gamma" };

static int parse_pair(int dim[5], const char *text, const slong len[5], char *err)
{
    for (int i = 0; i < 5; i++) dim[i] = i;
    if (text == NULL)
        return 0;
    int first = -1, count = 0, seen[5] = { 0 };
    const char *p = text;
    for (;;) {
        while (*p == ' ') p++;
        size_t l = strcspn(p, ", ");
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (strlen(sweep_names[i]) == l && !strncmp(p, sweep_names[i], l)) k = i;
        if (k < 0) {
            cp_errf(err, "parameter pair: '%.*s' is not a list key of simulate (L, T, alpha, beta, gamma)", (int) l, p);
            return -1;
        }
        if (seen[k]) {
            cp_errf(err, "parameter pair: %s named twice", sweep_names[k]);
            return -1;
        }
        seen[k] = 1;
        count++;
        if (first < 0) first = k;
        else if (len[k] != len[first]) {
            cp_errf(err, "parameter pair: %s has %ld values and %s has %ld; paired lists need equal lengths",
                    sweep_names[first], (long) len[first], sweep_names[k], (long) len[k]);
            return -1;
        }
        dim[k] = first;
        p += l;
        while (*p == ' ') p++;
        if (*p == '\0') break;
        if (*p != ',') {
            cp_errf(err, "parameter pair: expected KEY,KEY... (pair=alpha,beta)");
            return -1;
        }
        p++;
    }
    if (count < 2) {
        cp_errf(err, "parameter pair: name two or more list keys (pair=alpha,beta)");
        return -1;
    }
    return 0;
}

/* The certified lower bound on the expected excess of the tied CA
 * (ca-excess-lower, docs/model.md (FB-5)), as the engine's known-bound hook:
 * the lower end of the ball, rounded down, for the exact model of this run
 * and the exact double alpha the engine used; NAN where the bound does not
 * apply (other predictors, T beyond the bound's cap) so nothing is claimed. */
static cp_model_struct *sim_exact_model;

static double certified_excess_lower(const cp_model_approx *ma, long L, const cp_predictor *p)
{
    (void) ma;
    if (sim_exact_model == NULL || p->kind != CP_PRED_CA)
        return NAN;
    return cp_fb_lower_down(sim_exact_model, p->alpha, L, p->T);
}

int cp_cmd_simulate(int argc, char **argv)
{
    int json = 0, quiet = 0, rc = 2;
    const char *csv = NULL, *config = NULL;
    char err[CP_ERRLEN];
    cp_kv kv, args;
    cp_model_t model;
    cp_model_init(model);
    cp_general_t gen;
    cp_general_approx gen_a;
    cp_general_init(gen);
    cp_kv_init(&kv, "");
    cp_kv_init(&args, "");
    double *alist = NULL, *blist = NULL, *glist = NULL, *alphas = NULL, *betas = NULL;
    slong *Llist = NULL, *Tlist = NULL, *Slist = NULL, nA = 0, nB = 0, nG = 0, nL = 0, nT = 0, nS = 0;
    grid_point *pts = NULL;
    long npts = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            sim_help(stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--csv") || !strcmp(a, "--config")) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                fprintf(stderr, "crossproof simulate: %s needs a file name\n", a);
                goto out;
            }
            if (cp_flag_value_is_flag(argv[i + 1])) {
                fprintf(stderr, "crossproof simulate: %s needs a file name, got the option '%s' (write ./%s for a "
                                "file of that name)\n", a, argv[i + 1], argv[i + 1]);
                goto out;
            }
            if ((!strcmp(a, "--csv") && csv) || (!strcmp(a, "--config") && config)) {
                fprintf(stderr, "crossproof simulate: %s given twice\n", a);
                goto out;
            }
            if (!strcmp(a, "--csv")) csv = argv[++i]; else config = argv[++i];
        } else if (strchr(a, '=') && strncmp(a, "--", 2) != 0) {
            if (cp_kv_add_arg(&args, a, err) != 0) {
                fprintf(stderr, "crossproof simulate: %s\n", err);
                goto out;
            }
        } else {
            fprintf(stderr, "crossproof simulate: unknown argument '%s' (see crossproof simulate --help)\n", a);
            goto out;
        }
    }
    if (config && cp_engine_load_config(&kv, config, err) != 0) {
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
    if (cp_kv_validate(&args, sim_keys, err) != 0) {       /* command-line keys: errors name the parameter */
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
    for (int i = 0; i < args.n; i++)
        cp_kv_set(&kv, args.e[i].key, args.e[i].value, 0, 1);
    if (cp_kv_validate(&kv, sim_keys, err) != 0 || cp_model_from_kv(model, &kv, err) != 0) {
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
    if (cp_general_engine_read(&gen_a, gen, &kv, sim_keys, err) != 0) {
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
    const cp_general_approx *general = cp_general_approx_trivial(&gen_a) ? NULL : &gen_a;
    cp_model_approx ma;
    cp_model_get_approx(&ma, model);
    long d = ma.d1 + ma.d2;
    const char *mname, *sname, *qname;
    slong prompts, seed, threads;
    (void) seed;
    cp_pred_kind kind;
    cp_query_mode query;
    if (cp_kv_get_word(&mname, &kv, sim_keys, "model", err) || cp_kv_get_word(&sname, &kv, sim_keys, "sampler", err)
        || cp_kv_get_word(&qname, &kv, sim_keys, "query", err) || cp_kv_get_int(&prompts, &kv, sim_keys, "prompts", err)
        || cp_kv_get_intlist(&Slist, &nS, &kv, sim_keys, "seed", err) || cp_kv_get_int(&threads, &kv, sim_keys, "threads", err)
        || cp_kv_get_intlist(&Llist, &nL, &kv, sim_keys, "L", err)
        || cp_kv_get_intlist(&Tlist, &nT, &kv, sim_keys, "T", err)) {
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
#define BAD(key, ...) do { cp_kv_error(err, cp_kv_has(&args, key) ? &args : &kv, key, __VA_ARGS__); fprintf(stderr, "crossproof simulate: %s\n", err); goto out; } while (0)
    if (cp_pred_kind_from_name(&kind, mname) != 0 || kind == CP_PRED_LSA_GENERAL)
        BAD("model", "model must be bayes, ols, lsa, ca, ca2 or ca_untied, got '%s'", mname);
    if (!strcmp(qname, "exact")) query = CP_QUERY_EXACT;
    else if (!strcmp(qname, "sampled")) query = CP_QUERY_SAMPLED;
    else BAD("query", "query must be exact or sampled, got '%s'", qname);
    if (strcmp(sname, "auto") != 0) {
        cp_sampler s;
        if (cp_sampler_from_name(&s, sname) != 0 || s == CP_SAMPLER_POPULATION)
            BAD("sampler", "sampler must be tridiag, direct, wishart, tilted or auto, got '%s'", sname);
    }
    const char *ename;
    cp_estimator estimator;
    double tilt_share;
    if (cp_kv_get_word(&ename, &kv, sim_keys, "estimator", err)) {
        fprintf(stderr, "crossproof simulate: %s\n", err);
        goto out;
    }
    if (!strcmp(ename, "auto")) estimator = CP_EST_AUTO;
    else if (!strcmp(ename, "plain")) estimator = CP_EST_PLAIN;
    else if (!strcmp(ename, "conditional")) estimator = CP_EST_CONDITIONAL;
    else BAD("estimator", "estimator must be auto, plain or conditional, got '%s'", ename);
    if (estimator == CP_EST_CONDITIONAL && query != CP_QUERY_EXACT)
        BAD("estimator", "estimator=conditional needs query=exact");
    if (estimator == CP_EST_CONDITIONAL && general)
        BAD("estimator", "estimator=conditional assumes k = 1 and tau1 = tau2 = 1 (docs/model.md section 14); "
            "use plain or auto");
    if (general && strcmp(sname, "auto") != 0 && strcmp(sname, "wishart") != 0 && strcmp(sname, "direct") != 0)
        BAD("sampler", "sampler=%s assumes k = 1 and tau1 = tau2 = 1 (docs/model.md section 14); the general "
            "model needs wishart, direct or auto", sname);
    {
        fmpq_t q;
        fmpq_init(q);
        int bad = cp_kv_get_rat(q, &kv, sim_keys, "tilt_share", err);
        tilt_share = fmpq_get_d(q);
        fmpq_clear(q);
        if (bad) {
            fprintf(stderr, "crossproof simulate: %s\n", err);
            goto out;
        }
        if (!(tilt_share > 0 && tilt_share < 1))
            BAD("tilt_share", "tilt_share must lie strictly between 0 and 1");
    }
    /* cap: 10^10 prompts is about a day at this engine's speed; more is a typo */
    if (prompts < 2 || prompts > (slong) 1e10)
        BAD("prompts", "prompts must lie in [2, 10^10], got %ld", (long) prompts);
    for (slong i = 0; i < nS; i++) {
        if (Slist[i] < 0)
            BAD("seed", "seed must be a non-negative integer");
        for (slong j = 0; j < i; j++)
            if (Slist[j] == Slist[i])
                BAD("seed", "seed %ld appears twice (replicates need distinct seeds)", (long) Slist[i]);
    }
    if (nS > 1000)
        BAD("seed", "at most 1000 seeds, got %ld", (long) nS);
    seed = Slist[0];
    if (threads < 0 || threads > 256)
        BAD("threads", "threads must lie in [0, 256]");
    if (threads == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (nc > 256 ? 256 : nc) : 1;
    }
    for (slong i = 0; i < nL; i++)
        if (Llist[i] < 1 || Llist[i] > (slong) 1e12)
            BAD("L", "L must lie in [1, 10^12], got %ld", (long) Llist[i]);
    for (slong i = 0; i < nT; i++)
        if (Tlist[i] < 1 || Tlist[i] > 1000000)
            BAD("T", "T must lie in [1, 10^6], got %ld", (long) Tlist[i]);
    fmpq_t astar;
    fmpq_init(astar);
    cp_alpha_star(astar, model);
    double alpha_star = general ? cp_general_engine_alpha_star(gen) : fmpq_get_d(astar);
    fmpq_clear(astar);
    if (get_list(&alist, &nA, &kv, "alpha", alpha_star, err) != 0) BAD("alpha", "%s", err);
    if (get_list(&glist, &nG, &kv, "gamma", general ? cp_general_engine_gamma(gen) : cp_engine_alpha_T(&ma, 1), err) != 0)
        BAD("gamma", "%s", err);
    if (cp_kv_has(&kv, "beta")) {
        if (kind != CP_PRED_CA2) BAD("beta", "beta applies to model=ca2 only (ca ties beta = -alpha)");
        if (get_list(&blist, &nB, &kv, "beta", 0.0, err) != 0) BAD("beta", "%s", err);
    } else {
        nB = 1;
        blist = malloc(sizeof(double));
        blist[0] = NAN;           /* means -alpha */
    }
    if (kind == CP_PRED_CA_UNTIED) {
        slong na, nb;
        if (!cp_kv_has(&kv, "alphas") || !cp_kv_has(&kv, "betas"))
            BAD("alphas", "model=ca_untied needs alphas=... and betas=... (T values each)");
        if (get_list(&alphas, &na, &kv, "alphas", 0, err) || get_list(&betas, &nb, &kv, "betas", 0, err))
            BAD("alphas", "%s", err);
        if (nT != 1 || na != Tlist[0] || nb != Tlist[0])
            BAD("alphas", "model=ca_untied needs one T and exactly T alphas and T betas");
    }
    int is_ca = kind == CP_PRED_CA || kind == CP_PRED_CA2 || kind == CP_PRED_CA_UNTIED;
    if (!is_ca) { nT = 1; nA = 1; nB = 1; }
    if (kind != CP_PRED_LSA) nG = 1;
    int dim[5];
    const slong lens[5] = { nL, nT, nA, nB, nG };
    {
        const cp_kv_entry *pe = cp_kv_find(&kv, "pair");
        if (parse_pair(dim, pe ? pe->value : NULL, lens, err) != 0) {
            if (pe && pe->line > 0)
                fprintf(stderr, "crossproof simulate: %s:%d: %s\n", kv.origin, pe->line, err);
            else
                fprintf(stderr, "crossproof simulate: %s\n", err);
            goto out;
        }
    }
    /* number of grid points: the product over the distinct dimensions */
    double gsize = 1;
    for (int i = 0; i < 5; i++)
        if (dim[i] == i) gsize *= (double) lens[i];

    double bayes = general ? cp_general_engine_bayes_risk(gen) : cp_engine_bayes_risk(model);
    if (!isfinite(bayes))
        BAD("sigma", "the Bayes risk is not finite in double precision (sigma too large for the engine)");
    /* the grid is capped before anything is allocated; the product is formed
     * in doubles so that it cannot overflow */
    {
        double g = gsize;
        if (g * (double) nS > CP_MAX_GRID)
            BAD(nL > 1 ? "L" : nT > 1 ? "T" : nA > 1 ? "alpha" : nB > 1 ? "beta" : "gamma",
                "the grid has %.0f points (L x T x alpha x beta x gamma x seed), more than %d", g * (double) nS, CP_MAX_GRID);
        slong Tmax = 1;
        for (slong i = 0; i < nT; i++)
            if (Tlist[i] > Tmax) Tmax = Tlist[i];
        if (cp_engine_mem_check(d, Tmax, threads, 0, (long) g, err) != 0) {
            fprintf(stderr, "crossproof simulate: %s\n", err);
            goto out;
        }
    }
    if (csv && cp_output_check(csv, err) != 0) {      /* before the work starts */
        fprintf(stderr, "crossproof simulate: --csv: %s\n", err);
        goto out;
    }
    long ngrid = (long) gsize;
    npts = ngrid * nS;                  /* point k, seed s at index k * nS + s */
    pts = calloc((size_t) npts, sizeof *pts);
    if (pts == NULL) {
        fprintf(stderr, "crossproof simulate: out of memory\n");
        rc = 3;
        goto out;
    }
    long k = 0;
    /* odometer over the grid dimensions (the last key varies fastest; a
     * paired key follows the index of the first key of its pair) */
    slong idx[5] = { 0, 0, 0, 0, 0 };
    for (long kk = 0; kk < ngrid; kk++) {
        for (int sidx = 0; sidx < nS; sidx++, k++) {
            slong iL = idx[dim[0]], iT = idx[dim[1]], iA = idx[dim[2]], iB = idx[dim[3]], iG = idx[dim[4]];
            grid_point *p = &pts[k];
            p->L = Llist[iL];
            p->seed = Slist[sidx];
            p->T = is_ca ? Tlist[iT] : 1;
            p->alpha = alist[iA];
            p->beta = kind == CP_PRED_CA2 && !isnan(blist[iB]) ? blist[iB] : -alist[iA];
            p->gamma = glist[iG];
            long pdim = general ? cp_general_wishart_p(general, d, ma.sigma) : ma.sigma > 0 ? d + 2 : d + 1;
            int tri_ok = query == CP_QUERY_EXACT && estimator != CP_EST_PLAIN && cp_tridiag_valid(kind)
                         && p->L >= d && !general;
            if (!strcmp(sname, "auto"))
                p->sampler = tri_ok ? CP_SAMPLER_TRIDIAG : p->L >= pdim ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT;
            else {
                cp_sampler_from_name(&p->sampler, sname);
                if (p->sampler == CP_SAMPLER_TRIDIAG && !tri_ok)
                    BAD("sampler", "sampler=tridiag needs query=exact, the conditional estimator and L >= d = %ld "
                        "(docs/model.md section 12), got L = %ld", d, p->L);
                if (p->sampler == CP_SAMPLER_TILTED && p->L < d)
                    BAD("sampler", "sampler=tilted needs L >= d = %ld, got L = %ld", d, p->L);
                if (p->sampler == CP_SAMPLER_WISHART && p->L < pdim)
                    BAD("sampler", "sampler=wishart needs L >= %ld here (%sd + %d), got L = %ld; use direct",
                        pdim, general ? "k + " : "", general ? (ma.sigma > 0 ? 1 : 0) : (ma.sigma > 0 ? 2 : 1), p->L);
            }
            if (kind == CP_PRED_OLS && p->L < d)
                BAD("L", "model=ols needs L >= d = %ld", d);
        }
        for (int i = 4; i >= 0; i--) {
            if (dim[i] != i)
                continue;
            if (++idx[i] < lens[i])
                break;
            idx[i] = 0;
        }
    }
#undef BAD
    /* run.  Merge point for a known lower bound on the expected excess: the
     * engine applies cp_engine_excess_lower (engine.h) to every result when
     * it is set; the program installs there an adapter returning the lower
     * end, rounded down, of the certified ca-excess-lower (theorems/
     * finite_size.md), or NAN where that bound does not apply. */
    sim_exact_model = general ? NULL : model;     /* the FB bound is the isotropic k = 1 model's */
    cp_engine_excess_lower = certified_excess_lower;
    rc = 0;
    int tty = cp_engine_stderr_is_tty() && !quiet;
    /* CA-family grids: every point with the same L (same prompts) runs in one
     * pass of cp_engine_risk_multi, bit-identical to separate runs. */
    int *done = calloc((size_t) npts, sizeof(int));
    cp_predictor *gp = calloc((size_t) npts, sizeof *gp);
    cp_sim_result *gr = calloc((size_t) npts, sizeof *gr);
    long *gi = calloc((size_t) npts, sizeof(long));
    if (!done || !gp || !gr || !gi) {
        free(done); free(gp); free(gr); free(gi);
        fprintf(stderr, "crossproof simulate: out of memory\n");
        rc = 3;
        goto out;
    }
    long passes = 0, npasses = 0;
    for (k = 0; k < npts; k++)
        if (!done[k]) {
            npasses++;
            for (long j = k; j < npts; j++)
                if (is_ca && pts[j].L == pts[k].L && pts[j].sampler == pts[k].sampler && pts[j].seed == pts[k].seed)
                    done[j] = -1;
            done[k] = -1;
        }
    memset(done, 0, (size_t) npts * sizeof(int));
    for (k = 0; k < npts; k++) {
        if (done[k])
            continue;
        long ng = 0;
        for (long j = k; j < npts; j++)
            if (j == k || (is_ca && !done[j] && pts[j].L == pts[k].L && pts[j].sampler == pts[k].sampler
                           && pts[j].seed == pts[k].seed)) {
                grid_point *p = &pts[j];
                cp_predictor pred = { .kind = kind, .d = d, .T = p->T, .alpha = p->alpha, .beta = p->beta,
                                      .gamma = p->gamma, .alphas = alphas, .betas = betas };
                gp[ng] = pred;
                gi[ng++] = j;
                done[j] = 1;
            }
        grid_point *p = &pts[k];
        cp_sim_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.model = ma; cfg.bayes_risk = bayes; cfg.L = p->L; cfg.sampler = p->sampler;
        cfg.query = query; cfg.seed = (uint64_t) p->seed; cfg.prompts = prompts; cfg.threads = (int) threads;
        cfg.estimator = estimator; cfg.tilt_share = tilt_share; cfg.general = general;
        char label[64];
        cp_progress prog;
        snprintf(label, sizeof label, "simulate: pass %ld/%ld", ++passes, npasses);
        if (tty) {
            cp_progress_start(&prog, label, (double) prompts, "prompts");
            cfg.progress = cp_engine_progress_bar;
            cfg.progress_arg = &prog;
        }
        double t0 = now_s();
        int frc = (ng > 1 && query == CP_QUERY_EXACT) ? cp_engine_risk_multi(gr, &cfg, gp, (int) ng) : 0;
        if (ng == 1 || query != CP_QUERY_EXACT)
            for (long q = 0; q < ng && frc == 0; q++)
                frc = cp_engine_risk(&gr[q], &cfg, &gp[q]);
        if (tty) cp_progress_done(&prog);
        if (frc != 0) {
            fprintf(stderr, "crossproof simulate: error at L=%ld: %s\n", p->L, gr[0].error[0] ? gr[0].error : "run stopped");
            rc = strncmp(gr[0].error, "out of memory", 13) == 0 ? 3 : 1;
            free(done); free(gp); free(gr); free(gi);
            goto out;
        }
        double dt = now_s() - t0;
        for (long q = 0; q < ng; q++)
            if (!isfinite(gr[q].risk) || !isfinite(gr[q].risk_stderr) || !isfinite(gr[q].excess)
                || !isfinite(gr[q].excess_stderr)) {
                fprintf(stderr, "crossproof simulate: error at L=%ld: the estimate is not finite (risk %g, stderr %g); "
                                "nothing reported\n", p->L, gr[q].risk, gr[q].risk_stderr);
                rc = 1;
                free(done); free(gp); free(gr); free(gi);
                goto out;
            }
        for (long q = 0; q < ng; q++) {
            pts[gi[q]].res = gr[q];
            pts[gi[q]].seconds = dt;
        }
    }
    free(done); free(gp); free(gr); free(gi);
    /* CSV first (atomic), then stdout */
    if (csv) {
        cp_atomic_file af;
        if (cp_atomic_open(&af, csv, err) != 0) {
            fprintf(stderr, "crossproof simulate: --csv: %s\n", err);
            rc = 2;
            goto out;
        }
        fprintf(af.f, "# crossproof simulate; estimates in double precision (never certified)\n# ");
        cp_engine_json_provenance(af.f);
        fprintf(af.f, "\n# params: {");
        print_params_json(af.f, &kv);
        fprintf(af.f, "}\nmodel,d1,d2,m_lo,m_hi,prior,sigma,L,T,alpha,beta,gamma,sampler,query,prompts,seed,"
                      "risk,stderr,ci95_lo,ci95_hi,excess,excess_stderr,bayes_risk,seconds_of_pass,"
                      "estimator,excess_mom,max_share,ess,lower_bound,ci_clipped,heavy_tail%s\n",
                nS > 1 ? ",n_seeds" : "");
        if (nS > 1)
            fprintf(af.f, "# seeds are independent replicates (one Philox key each): after the %ld per-seed rows of a grid "
                          "point, the row with seed=mean holds the mean of their risk and excess, the standard error "
                          "across seeds in stderr and excess_stderr, mean +- t(0.975, n-1) stderr in ci95, and n_seeds\n",
                    (long) nS);
        for (k = 0; k < npts; k++) {
            grid_point *p = &pts[k];
            fprintf(af.f, "%s,%ld,%ld,%.17g,%.17g,%s,%.17g,%ld,%ld,%.17g,%.17g,%.17g,%s,%s,%ld,%ld,"
                          "%.10g,%.4g,%.10g,%.10g,%.10g,%.4g,%.17g,%.3f",
                    mname, (long) ma.d1, (long) ma.d2, ma.m_lo, ma.m_hi, cp_prior_name(ma.prior), ma.sigma,
                    p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), qname,
                    (long) prompts, p->seed, p->res.risk, p->res.risk_stderr,
                    bayes + p->res.ci_lo, bayes + p->res.ci_hi,
                    p->res.excess, p->res.excess_stderr, bayes, p->seconds);
            fprintf(af.f, ",%s,%.10g,%.4g,%.6g,", est_name(p->res.estimator), p->res.excess_mom,
                    p->res.max_share, p->res.ess);
            if (isfinite(p->res.lower_bound))          /* empty: no known lower bound */
                fprintf(af.f, "%.10g", p->res.lower_bound);
            fprintf(af.f, ",%s,%s%s\n", p->res.clipped ? "true" : "false", p->res.heavy_tail ? "true" : "false",
                    nS > 1 ? ",1" : "");
            if (nS > 1 && k % nS == nS - 1) {
                seed_agg a;
                aggregate(&a, p - (nS - 1), (int) nS);
                fprintf(af.f, "%s,%ld,%ld,%.17g,%.17g,%s,%.17g,%ld,%ld,%.17g,%.17g,%.17g,%s,%s,%ld,mean,"
                              "%.10g,%.4g,%.10g,%.10g,%.10g,%.4g,%.17g,%.3f,%s,,%.4g,,,false,%s,%ld\n",
                        mname, (long) ma.d1, (long) ma.d2, ma.m_lo, ma.m_hi, cp_prior_name(ma.prior), ma.sigma,
                        p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), qname,
                        (long) prompts, a.risk, a.risk_se, a.lo, a.hi, a.excess, a.excess_se, bayes, a.seconds,
                        est_name(p->res.estimator), a.max_share, a.heavy ? "true" : "false", (long) nS);
            }
        }
        if (cp_atomic_close(&af, err) != 0) {
            fprintf(stderr, "crossproof simulate: --csv: %s\n", err);
            rc = 2;
            goto out;
        }
    }
    if (json) {
        if (npts > 1) printf("[\n");
        for (k = 0; k < npts; k++) {
            grid_point *p = &pts[k];
            printf("{\"risk\": %.10g, \"stderr\": %.4g, \"ci95\": [%.10g, %.10g], \"excess\": %.10g, "
                   "\"excess_stderr\": %.4g, \"excess_ci95\": [%.10g, %.10g], \"ci_clipped\": %s, "
                   "\"heavy_tail\": %s, \"heavy_reasons\": [%s], \"estimator\": \"%s\", \"excess_mom\": %.10g, "
                   "\"max_share\": %.4g, \"ess\": %.6g, \"lower_bound\": ",
                   p->res.risk, p->res.risk_stderr, bayes + p->res.ci_lo, bayes + p->res.ci_hi, p->res.excess,
                   p->res.excess_stderr, p->res.ci_lo, p->res.ci_hi, p->res.clipped ? "true" : "false",
                   p->res.heavy_tail ? "true" : "false", heavy_list(p->res.heavy_reasons),
                   est_name(p->res.estimator), p->res.excess_mom, p->res.max_share, p->res.ess);
            if (isfinite(p->res.lower_bound)) printf("%.10g", p->res.lower_bound); else printf("null");
            printf(", \"beyond_kappa_star\": %s", beyond_kappa(p, kind, &ma) ? "true" : "false");
            printf(", \"bayes_risk\": %.17g, \"kind\": \"estimate (double precision, not certified)\", "
                   "\"resolved\": {\"model\": \"%s\", \"d\": %ld, \"L\": %ld, \"T\": %ld, \"alpha\": %.17g, "
                   "\"beta\": %.17g, \"gamma\": %.17g, \"sampler\": \"%s\", \"query\": \"%s\", \"prompts\": %ld, "
                   "\"seed\": %ld, \"threads\": %ld}, \"params\": {",
                   bayes, mname, d, p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), qname,
                   (long) prompts, p->seed, (long) threads);
            print_params_json(stdout, &kv);
            printf("}, \"seconds\": %.3f, ", p->seconds);
            cp_engine_json_provenance(stdout);
            printf("}%s\n", k + 1 < npts || nS > 1 ? "," : "");
            if (nS > 1 && k % nS == nS - 1) {
                seed_agg a;
                aggregate(&a, p - (nS - 1), (int) nS);
                printf("{\"aggregate\": \"mean over independent seeds (replicates)\", \"n_seeds\": %ld, \"seeds\": [",
                       (long) nS);
                for (slong i = 0; i < nS; i++) printf("%s%ld", i ? ", " : "", (long) Slist[i]);
                printf("], \"risk\": %.10g, \"stderr\": %.4g, \"ci95\": [%.10g, %.10g], \"ci95_rule\": "
                       "\"mean +- t(0.975, n-1) stderr\", \"excess\": %.10g, \"excess_stderr\": %.4g, "
                       "\"heavy_tail\": %s, \"max_share\": %.4g, \"bayes_risk\": %.17g, "
                       "\"kind\": \"estimate (double precision, not certified)\", \"resolved\": {\"model\": \"%s\", "
                       "\"d\": %ld, \"L\": %ld, \"T\": %ld, \"alpha\": %.17g, \"beta\": %.17g, \"gamma\": %.17g, "
                       "\"sampler\": \"%s\", \"query\": \"%s\", \"prompts\": %ld}, \"seconds\": %.3f}%s\n",
                       a.risk, a.risk_se, a.lo, a.hi, a.excess, a.excess_se, a.heavy ? "true" : "false", a.max_share,
                       bayes, mname, d, p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), qname,
                       (long) prompts, a.seconds, k + 1 < npts ? "," : "");
            }
        }
        if (npts > 1) printf("]\n");
    } else {
        char seedtxt[64];
        if (nS > 1) snprintf(seedtxt, sizeof seedtxt, "%.30s (%ld seeds)", cp_kv_find(&kv, "seed")->value, (long) nS);
        else snprintf(seedtxt, sizeof seedtxt, "%ld", (long) seed);
        printf("# crossproof simulate %s: model=%s d1=%ld d2=%ld m_lo=%g m_hi=%g prior=%s zeta=%s sigma=%g "
               "prompts=%ld seed=%s query=%s\n# estimates in double precision, never certified; "
               "Bayes risk (task known) %.10g\n",
               cp_version_string, mname, (long) ma.d1, (long) ma.d2, ma.m_lo, ma.m_hi, cp_prior_name(ma.prior),
               ma.zeta == CP_ZETA_RADEMACHER ? "rademacher" : "gaussian", ma.sigma, (long) prompts, seedtxt,
               qname, bayes);
        if (general)
            printf("# general model (docs/model.md section 14): k=%ld tau1=%g tau2=%g split=%g\n", gen_a.k, gen_a.tau1,
                   gen_a.tau2, gen_a.split);
        if (nS > 1)
            printf("# seeds are independent replicates (one Philox key each); after the per-seed rows of a grid point "
                   "the row seed=mean gives the mean, the standard error across the %ld seeds and mean +- t(0.975, n-1) "
                   "stderr\n", (long) nS);
        if (nS > 1) printf("%6s ", "seed");
        printf("%8s %6s %10s %10s %10s %8s  %-14s %-11s %-26s %-14s %-12s %-10s %-8s %-12s %s\n", "L", "T", "alpha", "beta",
               "gamma", "sampler", "risk", "stderr", "95% interval", "excess", "prompts/s", "max_share", "ESS/n",
               "excess(MoM)", "tail");
        int any_heavy = 0, any_clip = 0, any_beyond = 0;
        for (k = 0; k < npts; k++) {
            grid_point *p = &pts[k];
            char ci[64];
            snprintf(ci, sizeof ci, "[%.8f%s, %.8f]", bayes + p->res.ci_lo, p->res.clipped ? "*" : "",
                     bayes + p->res.ci_hi);
            if (nS > 1) printf("%6ld ", p->seed);
            printf("%8ld %6ld %10.6g %10.6g %10.6g %8s  %-14.10f %-11.3g %-26s %-14.6g %-12.4g %-10.4g %-8.3g %-12.6g %s\n",
                   p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), p->res.risk,
                   p->res.risk_stderr, ci, p->res.excess, (double) prompts / (p->seconds > 0 ? p->seconds : 1e-9),
                   p->res.max_share, p->res.n > 0 ? p->res.ess / (double) p->res.n : 0.0, p->res.excess_mom,
                   p->res.heavy_tail ? "HEAVY-TAIL" : beyond_kappa(p, kind, &ma) ? "T/L>kappa*" : "-");
            any_heavy |= p->res.heavy_tail;
            any_beyond |= beyond_kappa(p, kind, &ma);
            any_clip |= p->res.clipped;
            if (nS > 1 && k % nS == nS - 1) {
                seed_agg a;
                aggregate(&a, p - (nS - 1), (int) nS);
                snprintf(ci, sizeof ci, "[%.8f, %.8f]", a.lo, a.hi);
                char tail[32];
                snprintf(tail, sizeof tail, "%s (n=%ld)", a.heavy ? "HEAVY-TAIL" : "mean", (long) nS);
                printf("%6s %8ld %6ld %10.6g %10.6g %10.6g %8s  %-14.10f %-11.3g %-26s %-14.6g %-12.4g %-10.4g %-8.3g %-12s %s\n",
                       "mean", p->L, p->T, p->alpha, p->beta, p->gamma, cp_sampler_name(p->sampler), a.risk, a.risk_se, ci,
                       a.excess, (double) prompts * (double) nS / (a.seconds > 0 ? a.seconds : 1e-9), a.max_share,
                       a.ess_frac, "-", tail);
            }
        }
        if (any_clip)
            printf("# *: interval clipped at the Bayes risk (plus a known lower bound on the excess, when one is installed)\n");
        if (any_beyond)
            printf("# T/L>kappa*: T/L above kappa*(alpha, m_hi) (docs/model.md FC-10): there the expected excess "
                   "grows with T at fixed L through prompts so rare that a plain sample may show no symptom (the row "
                   "shows none); "
                   "sampler=tilted estimates it\n");
        if (any_heavy)
            printf("# HEAVY-TAIL: the mean is not trustworthy (one prompt carries > %g of the sum and > 50 means, effective sample size "
                   "below %g n, median of means far below the mean, or a known lower bound above the interval; "
                   "docs/model.md FC-9); try sampler=tilted\n", CP_HEAVY_MAX_SHARE, CP_HEAVY_ESS_FRAC);
    }
out:
    free(pts); free(alist); free(blist); free(glist); free(alphas); free(betas);
    if (Llist) flint_free(Llist);
    if (Tlist) flint_free(Tlist);
    if (Slist) flint_free(Slist);
    cp_kv_clear(&kv);
    cp_kv_clear(&args);
    cp_model_clear(model);
    cp_general_clear(gen);
    return rc;
}
