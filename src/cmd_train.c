/* cmd_train.c -- `crossproof train key=value...`: gradient descent of CA or
 * LSA parameters on fresh sampled prompts (engine.h, engine_train.c), with
 * a CSV trajectory and checkpoint/resume.  Double precision: the learned
 * parameters are estimates; their distance to the certified optimum
 * (flow.h, lsa.h) is reported, never certified. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crossproof/cli.h"
#include "crossproof/engine.h"
#include "crossproof/finite.h"
#include "crossproof/flow.h"
#include "crossproof/general_engine.h"
#include "crossproof/lsa.h"
#include "crossproof/output.h"

static const cp_key_spec train_keys[] = {
    CP_GENERAL_KEYS,      /* k, tau1, tau2, split: the general model (docs/model.md sections 11, 14) */
    { "model",   CP_KEY_WORD, "ca",     "ca (alpha; beta = -alpha), ca2 (alpha, beta), ca_untied, lsa (gamma), lsa_general" },
    { "T",       CP_KEY_INT,  "5",      "depth (CA)" },
    { "L_train", CP_KEY_INT,  "200",    "context length of the training prompts" },
    { "L_test",  CP_KEY_INT,  "0",      "context length for the test risk (0 = L_train)" },
    { "steps",   CP_KEY_INT,  "1000",   "gradient steps" },
    { "batch",   CP_KEY_INT,  "512",    "fresh prompts per step" },
    { "lr",      CP_KEY_RAT,  "1/20",   "learning rate" },
    { "alpha0",  CP_KEY_RAT,  "1/5",    "initial alpha (every layer when untied)" },
    { "beta0",   CP_KEY_RAT,  "-1/5",   "initial beta (ca2, ca_untied)" },
    { "gamma0",  CP_KEY_RAT,  "1/5",    "initial gamma (lsa; lsa_general starts at the gamma form)" },
    { "lr_schedule", CP_KEY_WORD, "constant", "constant, cosine (lr (1 + cos(pi k/steps))/2) or step (lr/10 from steps/2, lr/100 from 3 steps/4)" },
    { "optimizer", CP_KEY_WORD, "gd",   "gd (gradient descent) or adam (beta1 0.9, beta2 0.999, eps 1e-8; lr is its step size)" },
    { "finite_opt", CP_KEY_INT, "0",    "1: also the distance to the finite-L optimum alpha*_L of the exact finite-L excess (model=ca, d = 2, T <= 150; APPROXIMATE: golden section in doubles; slow for large T)" },
    { "sampler", CP_KEY_WORD, "auto",   "training prompts: auto (tridiag for ca and ca2 when L_train >= d + 2 on the k = 1 model, else wishart when L_train >= d + 1 (+1 if sigma > 0), else direct), tridiag (the conditional excess's gradient, docs/model.md section 16; ca, ca2, ca_untied, lsa; L_train >= d), wishart or direct (the plain per-prompt gradient)" },
    { "average", CP_KEY_INT,  "1",      "1: report the average of the iterates of the second half (Polyak); 0: the last" },
    { "seed",    CP_KEY_INTLIST, "1",   "random seed; training uses Philox substream 1, the test risk substream 0; a list (seed=1..5) trains independent replicates: a row per seed and their mean and standard error" },
    { "threads", CP_KEY_INT,  "1",      "worker threads (results do not depend on it)" },
    { "test_prompts", CP_KEY_INT, "100000", "prompts for the test risk" },
    { "checkpoint_every", CP_KEY_INT, "100", "steps between checkpoints (with --checkpoint)" },
    { "stop_after", CP_KEY_INT, "0",    "stop as on SIGINT after this many steps of this invocation (0 = never; tests resume)" },
    CP_KEY_END
};

static void train_help(FILE *f)
{
    fprintf(f, "usage: crossproof train [key=value...] [--csv FILE] [--checkpoint FILE] [--resume FILE]\n"
               "                       [--config FILE] [--json]\n\n"
               "Gradient descent on fresh prompts at context length L_train (docs/model.md, \"Finite\n"
               "context\"): each step draws `batch` new prompts, integrates the query out and moves the\n"
               "parameters against the gradient of the mean excess.  Prints the learned parameters,\n"
               "their distance to the certified L = infinity optimum (alpha_T, (alpha_T, beta_T) or the\n"
               "best gamma), and the test risk.  --csv logs the trajectory; --checkpoint FILE saves the\n"
               "state every checkpoint_every steps and on SIGINT/SIGTERM; --resume FILE continues a\n"
               "run (same parameters; steps may be raised) and gives the same bits as an uninterrupted\n"
               "run.  k, tau1, tau2, split select the general latent factor model (docs/model.md sections\n"
               "11, 14; crossproof eval's *-general keys); k = 1, tau1 = tau2 = 1 is the default model bit\n"
               "for bit.  The general model trains on wishart (L_train >= k + d + 1, +1 if sigma > 0) or\n"
               "direct prompts; its reported optimum is the certified best gamma of (G-5) for lsa, none for CA.\n"
               "Training prompts (sampler): by default ca and ca2 train on the tridiagonal sampler with the\n"
               "gradient of the conditional excess (docs/model.md section 16: the same expected gradient,\n"
               "smaller variance) when L_train >= d + 2 on the k = 1 model; otherwise, and for the other\n"
               "models, on wishart (direct when L_train < d + 1, d + 2 if sigma > 0).  sampler=wishart or\n"
               "direct keeps the plain per-prompt gradient.  The test risk always uses the wishart (or\n"
               "direct) sampler with the conditional estimator.\n"
               "\nkeys [default]:\n");
    for (const cp_key_spec *k = train_keys; k->name; k++)
        fprintf(f, "  %-16s [%s] %s\n", k->name, k->dflt, k->help);
    fprintf(f, "\nExit codes: 0 trained; 1 stopped (NaN/Inf, or interrupted: checkpoint written); 2 bad input.\n");
}

static volatile sig_atomic_t interrupted = 0;
static void on_signal(int sig) { (void) sig; interrupted = 1; }

typedef struct {
    cp_train_state *st;
    const cp_kv *kv;
    const char *ckpt;
    long every, log_every;
    FILE *csv;
    char err[CP_ERRLEN];
    int ckpt_failed;
    long stop_at;              /* absolute step at which to stop (0 = never) */
    cp_progress *prog;         /* progress on a terminal, or NULL */
    long step0;                /* the step this invocation started from */
} step_ctx;

/* Checkpoint: the resolved parameters (key = value) and the state in hex
 * floats, so that resuming is bit-exact. */
static int write_checkpoint(const char *path, const cp_kv *kv, const cp_train_state *st, char *err)
{
    cp_atomic_file af;
    if (cp_atomic_open(&af, path, err) != 0)
        return -1;
    fprintf(af.f, "# crossproof train checkpoint (%s)\n", cp_version_string);
    for (const cp_key_spec *k = train_keys; k->name; k++) {
        const cp_kv_entry *e = cp_kv_find(kv, k->name);
        if (strcmp(k->name, "steps") && strcmp(k->name, "threads") && strcmp(k->name, "checkpoint_every")
            && strcmp(k->name, "stop_after") && strcmp(k->name, "lr_schedule") && strcmp(k->name, "optimizer")
            && strcmp(k->name, "finite_opt"))
            fprintf(af.f, "config %s = %s\n", k->name, e ? e->value : k->dflt);
    }
    fprintf(af.f, "step %ld\nnavg %ld\nlast %a\ntheta", st->step, st->navg, st->last_excess);
    for (long i = 0; i < st->np; i++) fprintf(af.f, " %a", st->theta[i]);
    fprintf(af.f, "\navg");
    for (long i = 0; i < st->np; i++) fprintf(af.f, " %a", st->avg[i]);
    fprintf(af.f, "\n");
    return cp_atomic_close(&af, err);
}

static int on_step(long step, const double *theta, double ex, void *arg)
{
    step_ctx *c = arg;
    if (c->prog)
        cp_progress_update(c->prog, (double) (step - c->step0));
    if (c->csv && (step % c->log_every == 0 || step == 1)) {
        fprintf(c->csv, "%ld,%.10g", step, ex);
        for (long i = 0; i < c->st->np; i++) fprintf(c->csv, ",%.17g", theta[i]);
        fprintf(c->csv, "\n");
    }
    if (c->ckpt && c->every > 0 && step % c->every == 0) {
        c->st->step = step;        /* engine increments before calling */
        if (write_checkpoint(c->ckpt, c->kv, c->st, c->err) != 0) {
            c->ckpt_failed = 1;
            return 1;
        }
    }
    return interrupted || (c->stop_at > 0 && step >= c->stop_at) ? 1 : 0;
}

/* Checkpoints are read whole (cp_read_regular: a regular file of at most
 * CP_MAX_CKPT_BYTES, no device, FIFO, directory or NUL byte) and parsed
 * strictly: every line is a comment, "config KEY = VALUE", "step N",
 * "navg N", "last X", "theta X..." or "avg X..."; anything else, a
 * malformed or non-finite number, a negative or absurd count or a wrong
 * number of values is refused with file:line (docs/soundness.md). */
#define CP_MAX_CKPT_BYTES ((size_t) 1 << 30)

static char *read_ckpt(const char *path, char *err)
{
    size_t len;
    char e2[CP_ERRLEN];
    char *t = cp_read_regular(path, CP_MAX_CKPT_BYTES, "checkpoint", &len, e2);
    if (t == NULL)
        cp_errf(err, "--resume: %s", e2);
    return t;
}

#define CKPT_BAD(...) do { char m_[256]; snprintf(m_, sizeof m_, __VA_ARGS__); \
        cp_errf(err, "--resume: %.300s:%d: %s", path, ln, m_); goto bad; } while (0)

static int read_checkpoint_config(cp_kv *kv, const char *path, char *err)
{
    if (strlen(path) >= sizeof kv->origin) {
        snprintf(err, CP_ERRLEN, "--resume: file name longer than %zu bytes", sizeof kv->origin - 1);
        return -1;
    }
    char *text = read_ckpt(path, err);
    int ln = 0;
    if (text == NULL)
        return -1;
    snprintf(kv->origin, sizeof kv->origin, "%s", path);
    for (char *line = text, *next; line && *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl) *nl = '\0';
        ln++;
        if (strncmp(line, "config ", 7) != 0)
            continue;
        char *k = line + 7, *eq = strstr(k, " = ");
        if (eq == NULL || eq == k || (size_t) (eq - k) >= 128)
            CKPT_BAD("malformed config line");
        *eq = '\0';
        char *v = eq + 3, *end = v + strlen(v);
        while (*v == ' ' || *v == '\t') v++;
        while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
        if (*v == '\0' || strchr(k, ' '))
            CKPT_BAD("malformed config line");
        int r = cp_kv_set(kv, k, v, ln, 0);
        if (r == -2) CKPT_BAD("too many config lines");
        if (r != 0) CKPT_BAD("config %s given twice", k);
    }
    free(text);
    return 0;
bad:
    free(text);
    return -1;
}

/* A finite double in C syntax (decimal or hex float) spanning the whole word. */
static int parse_double_word(double *out, char **p)
{
    char *s = *p, *end;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '\0') return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\r') || !isfinite(v))
        return -1;
    *out = v;
    *p = end;
    return 0;
}

static int parse_count_word(long *out, char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\r') end++;
    if (end == p || *end != '\0' || errno != 0)
        return -1;
    *out = v;
    return 0;
}

static int read_checkpoint_state(cp_train_state *st, const char *path, long max_steps, char *err)
{
    char *text = read_ckpt(path, err);
    int ln = 0, ok = 0;
    if (text == NULL)
        return -1;
    for (char *line = text, *next; line && *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl) *nl = '\0';
        ln++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0' || *p == '#' || strncmp(p, "config ", 7) == 0)
            continue;
        char *w = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        size_t wl = (size_t) (p - w);
#define IS(x) (wl == strlen(x) && strncmp(w, x, wl) == 0)
        int bit = IS("step") ? 1 : IS("navg") ? 2 : IS("theta") ? 4 : IS("avg") ? 8 : IS("last") ? 16 : 0;
        if (bit == 0)
            CKPT_BAD("unexpected line '%.40s'", w);
        if (ok & bit)
            CKPT_BAD("'%.*s' given twice", (int) wl, w);
        ok |= bit;
        if (bit == 1 || bit == 2) {
            long v;
            if (parse_count_word(&v, p) != 0)
                CKPT_BAD("malformed %s count", bit == 1 ? "step" : "navg");
            if (v < 0 || v > max_steps || (bit == 2 && (ok & 1) && v > st->step))
                CKPT_BAD("%s = %ld out of range [0, %s]", bit == 1 ? "step" : "navg", v,
                         bit == 1 ? "steps" : "step");
            if (bit == 1) st->step = v; else st->navg = v;
        } else if (bit == 16) {
            if (parse_double_word(&st->last_excess, &p) != 0)
                CKPT_BAD("malformed number after 'last'");
        } else {
            double *dst = bit == 4 ? st->theta : st->avg;
            for (long i = 0; i < st->np; i++)
                if (parse_double_word(&dst[i], &p) != 0)
                    CKPT_BAD("value %ld of '%s' missing or malformed (finite numbers, %ld of them)", i + 1,
                             bit == 4 ? "theta" : "avg", st->np);
            while (*p == ' ' || *p == '\t' || *p == '\r') p++;
            if (*p != '\0')
                CKPT_BAD("more than %ld values in '%s'", st->np, bit == 4 ? "theta" : "avg");
        }
#undef IS
    }
    if ((ok & 15) != 15) {
        snprintf(err, CP_ERRLEN, "--resume: %.400s is not a complete checkpoint (step, navg, theta and avg lines)", path);
        free(text);
        return -1;
    }
    if (st->navg > st->step) {
        snprintf(err, CP_ERRLEN, "--resume: %.400s: navg = %ld exceeds step = %ld", path, st->navg, st->step);
        free(text);
        return -1;
    }
    free(text);
    return 0;
bad:
    free(text);
    return -1;
}
#undef CKPT_BAD

/* The exact finite-L excess of the tied CA (ca-excess-finite, docs/model.md
 * section 8) at a double alpha, as a double (midpoint of the ball; NAN on
 * failure). */
static double finite_excess_d(const cp_model_t m, long L, long T, double alpha)
{
    arf_t a;
    fmpq_t qa, qb;
    arb_t r;
    arf_init(a); fmpq_init(qa); fmpq_init(qb); arb_init(r);
    arf_set_d(a, alpha);
    arf_get_fmpq(qa, a);
    fmpq_neg(qb, qa);
    char err[CP_ERRLEN];
    double v = cp_ca_excess_finite(r, m, L, T, qa, qb, 64, err) == 0 ? arf_get_d(arb_midref(r), ARF_RND_NEAR) : NAN;
    arf_clear(a); fmpq_clear(qa); fmpq_clear(qb); arb_clear(r);
    return v;
}

/* APPROXIMATE minimizer over alpha of the exact finite-L excess: golden
 * section on [0, 1.25 a_inf] (a_inf the L = infinity optimum alpha_T),
 * CP_GOLDEN_STEPS steps in double precision on the exact values; *width
 * gets the final bracket's width.  Not certified: unimodality on the
 * bracket is assumed, not proved. */
#define CP_GOLDEN_STEPS 26
static double finite_opt_alpha(const cp_model_t m, long L, long T, double a_inf, double *width)
{
    const double g = 0.6180339887498949;
    double lo = 0.0, hi = 1.25 * a_inf;
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    double f1 = finite_excess_d(m, L, T, x1), f2 = finite_excess_d(m, L, T, x2);
    for (int i = 0; i < CP_GOLDEN_STEPS; i++) {
        if (!(f1 <= f2) && !(f2 < f1)) { *width = NAN; return NAN; }     /* a NaN */
        if (f1 <= f2) { hi = x2; x2 = x1; f2 = f1; x1 = hi - g * (hi - lo); f1 = finite_excess_d(m, L, T, x1); }
        else { lo = x1; x1 = x2; f1 = f2; x2 = lo + g * (hi - lo); f2 = finite_excess_d(m, L, T, x2); }
    }
    *width = hi - lo;
    return 0.5 * (lo + hi);
}

/* one replicate of a multi-seed run (seed=1..5) */
typedef struct { long seed; double th0, th1, dist, risk, stderr_, excess; } replicate;

static double getd(const cp_kv *kv, const char *key, char *err, int *bad)
{
    fmpq_t q;
    fmpq_init(q);
    if (cp_kv_get_rat(q, kv, train_keys, key, err)) *bad = 1;
    double v = fmpq_get_d(q);
    fmpq_clear(q);
    return v;
}

int cp_cmd_train(int argc, char **argv)
{
    const char *csv = NULL, *ckpt = NULL, *resume = NULL, *config = NULL;
    int json = 0, rc = 2, bad = 0;
    char err[CP_ERRLEN] = "";
    cp_kv kv, args;
    cp_model_t model;
    cp_general_t gen;
    cp_general_approx gen_a;
    cp_train_state st;
    double *alphas = NULL, *betas = NULL, *A = NULL, *u = NULL;
    slong *Slist = NULL, nS = 0;            /* the seeds */
    replicate *rep = NULL;                  /* their results (several seeds) */
    cp_atomic_file csvf;
    int csv_open = 0;
    memset(&st, 0, sizeof st);
    cp_model_init(model);
    cp_general_init(gen);
    cp_kv_init(&kv, "");
    cp_kv_init(&args, "");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { train_help(stdout); rc = 0; goto out; }
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--csv") || !strcmp(a, "--checkpoint") || !strcmp(a, "--resume") || !strcmp(a, "--config")) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') { fprintf(stderr, "crossproof train: %s needs a file name\n", a); goto out; }
            if (cp_flag_value_is_flag(argv[i + 1])) {
                fprintf(stderr, "crossproof train: %s needs a file name, got the option '%s' (write ./%s for a file "
                                "of that name)\n", a, argv[i + 1], argv[i + 1]);
                goto out;
            }
            const char **slot = !strcmp(a, "--csv") ? &csv : !strcmp(a, "--checkpoint") ? &ckpt
                              : !strcmp(a, "--resume") ? &resume : &config;
            if (*slot) { fprintf(stderr, "crossproof train: %s given twice\n", a); goto out; }
            const char *v = argv[++i];
            if (!strcmp(a, "--csv")) csv = v; else if (!strcmp(a, "--checkpoint")) ckpt = v;
            else if (!strcmp(a, "--resume")) resume = v; else config = v;
        } else if (strchr(a, '=') && strncmp(a, "--", 2) != 0) {
            if (cp_kv_add_arg(&args, a, err) != 0) { fprintf(stderr, "crossproof train: %s\n", err); goto out; }
        } else {
            fprintf(stderr, "crossproof train: unknown argument '%s' (see crossproof train --help)\n", a);
            goto out;
        }
    }
    if (resume && config) { fprintf(stderr, "crossproof train: --resume and --config exclude each other\n"); goto out; }
    int legacy_sampler = 0;                 /* a checkpoint from before the sampler key: its old rule */
    if (resume) {
        if (read_checkpoint_config(&kv, resume, err)) { fprintf(stderr, "crossproof train: %s\n", err); goto out; }
        legacy_sampler = !cp_kv_has(&kv, "sampler");
        for (int i = 0; i < args.n; i++) {
            const cp_kv_entry *e = cp_kv_find(&kv, args.e[i].key);
            const char *k = args.e[i].key;
            if (strcmp(k, "steps") && strcmp(k, "threads") && strcmp(k, "checkpoint_every") && strcmp(k, "stop_after")
                && e && strcmp(e->value, args.e[i].value)) {
                fprintf(stderr, "crossproof train: parameter %s: differs from the checkpoint (%s); only steps, threads "
                                "and checkpoint_every may change on --resume\n", k, e->value);
                goto out;
            }
        }
    } else if (config && cp_engine_load_config(&kv, config, err)) {
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    if (cp_kv_validate(&args, train_keys, err) != 0) {       /* command-line keys: errors name the parameter */
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    for (int i = 0; i < args.n; i++)
        cp_kv_set(&kv, args.e[i].key, args.e[i].value, 0, 1);
    if (cp_kv_validate(&kv, train_keys, err) || cp_model_from_kv(model, &kv, err)) {
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    if (cp_general_engine_read(&gen_a, gen, &kv, train_keys, err) != 0) {
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    const cp_general_approx *general = cp_general_approx_trivial(&gen_a) ? NULL : &gen_a;
    cp_model_approx ma;
    cp_model_get_approx(&ma, model);
    long d = ma.d1 + ma.d2;
    const char *mname;
    slong T, Ltr, Lte, steps, batch, avg, seed, threads, ntest, every, stop_after;
    if (cp_kv_get_word(&mname, &kv, train_keys, "model", err) || cp_kv_get_int(&T, &kv, train_keys, "T", err)
        || cp_kv_get_int(&Ltr, &kv, train_keys, "L_train", err) || cp_kv_get_int(&Lte, &kv, train_keys, "L_test", err)
        || cp_kv_get_int(&steps, &kv, train_keys, "steps", err) || cp_kv_get_int(&batch, &kv, train_keys, "batch", err)
        || cp_kv_get_int(&avg, &kv, train_keys, "average", err) || cp_kv_get_intlist(&Slist, &nS, &kv, train_keys, "seed", err)
        || cp_kv_get_int(&threads, &kv, train_keys, "threads", err)
        || cp_kv_get_int(&ntest, &kv, train_keys, "test_prompts", err)
        || cp_kv_get_int(&every, &kv, train_keys, "checkpoint_every", err)
        || cp_kv_get_int(&stop_after, &kv, train_keys, "stop_after", err)) {
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    double lr = getd(&kv, "lr", err, &bad), a0 = getd(&kv, "alpha0", err, &bad);
    double b0 = getd(&kv, "beta0", err, &bad), g0 = getd(&kv, "gamma0", err, &bad);
    if (bad) { fprintf(stderr, "crossproof train: %s\n", err); goto out; }
#define BAD(key, ...) do { cp_kv_error(err, cp_kv_has(&args, key) ? &args : &kv, key, __VA_ARGS__); fprintf(stderr, "crossproof train: %s\n", err); goto out; } while (0)
    cp_pred_kind kind;
    if (cp_pred_kind_from_name(&kind, mname) || kind == CP_PRED_BAYES || kind == CP_PRED_OLS)
        BAD("model", "model must be ca, ca2, ca_untied, lsa or lsa_general, got '%s'", mname);
    if (T < 1 || T > 100000) BAD("T", "T must lie in [1, 100000]");
    if (Lte == 0) Lte = Ltr;
    if (Ltr < 1 || Ltr > (slong) 1e15) BAD("L_train", "L_train must be a positive integer");
    if (Lte < 1 || Lte > (slong) 1e15) BAD("L_test", "L_test must be a positive integer");
    if (steps < 1 || steps > (slong) 1e9) BAD("steps", "steps must lie in [1, 10^9]");
    if (batch < 2 || batch > (slong) 1e8) BAD("batch", "batch must lie in [2, 10^8]");
    if (!(lr > 0)) BAD("lr", "lr must be positive");
    if (avg != 0 && avg != 1) BAD("average", "average must be 0 or 1");
    for (slong i = 0; i < nS; i++) {
        if (Slist[i] < 0) BAD("seed", "seed must be non-negative");
        for (slong j = 0; j < i; j++)
            if (Slist[j] == Slist[i]) BAD("seed", "seed %ld appears twice (replicates need distinct seeds)", (long) Slist[i]);
    }
    if (nS > 1000) BAD("seed", "at most 1000 seeds, got %ld", (long) nS);
    const char *sched_name, *opt_name, *smp_name;
    slong finite_opt;
    int schedule = CP_LR_CONSTANT, optimizer = CP_OPT_GD;
    if (cp_kv_get_word(&sched_name, &kv, train_keys, "lr_schedule", err)
        || cp_kv_get_word(&opt_name, &kv, train_keys, "optimizer", err)
        || cp_kv_get_int(&finite_opt, &kv, train_keys, "finite_opt", err)
        || cp_kv_get_word(&smp_name, &kv, train_keys, "sampler", err)) {
        fprintf(stderr, "crossproof train: %s\n", err);
        goto out;
    }
    if (!strcmp(sched_name, "cosine")) schedule = CP_LR_COSINE;
    else if (!strcmp(sched_name, "step")) schedule = CP_LR_STEP;
    else if (strcmp(sched_name, "constant")) BAD("lr_schedule", "lr_schedule must be constant, cosine or step, got '%s'", sched_name);
    if (!strcmp(opt_name, "adam")) optimizer = CP_OPT_ADAM;
    else if (strcmp(opt_name, "gd")) BAD("optimizer", "optimizer must be gd or adam, got '%s'", opt_name);
    if ((schedule != CP_LR_CONSTANT || optimizer != CP_OPT_GD) && (ckpt || resume))
        BAD(schedule != CP_LR_CONSTANT ? "lr_schedule" : "optimizer",
            "--checkpoint and --resume need lr_schedule=constant and optimizer=gd (the schedule and the Adam moments "
            "are not checkpointed)");
    if (finite_opt != 0 && finite_opt != 1) BAD("finite_opt", "finite_opt must be 0 or 1");
    /* training sampler (docs/model.md section 16); pdim: the Wishart sampler's latent dimension */
    long pdim = general ? cp_general_wishart_p(general, d, ma.sigma) : ma.sigma > 0 ? d + 2 : d + 1;
    cp_sampler train_smp;
    if (!strcmp(smp_name, "auto"))
        train_smp = (kind == CP_PRED_CA || kind == CP_PRED_CA2) && !general && Ltr >= d + 2 && !legacy_sampler
                    ? CP_SAMPLER_TRIDIAG : Ltr >= pdim ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT;
    else if (!strcmp(smp_name, "tridiag")) {
        if (general) BAD("sampler", "sampler=tridiag assumes k = 1 and unit isotropic noise (docs/model.md section 14): use wishart or direct");
        if (!cp_tridiag_grad_valid(kind)) BAD("sampler", "sampler=tridiag has no gradient for model=%s (docs/model.md section 16): use wishart or direct", mname);
        if (Ltr < d) BAD("sampler", "sampler=tridiag needs L_train >= d = %ld", d);
        train_smp = CP_SAMPLER_TRIDIAG;
    } else if (!strcmp(smp_name, "wishart")) {
        if (Ltr < pdim) BAD("sampler", "sampler=wishart needs L_train >= %ld here (use direct)", pdim);
        train_smp = CP_SAMPLER_WISHART;
    } else if (!strcmp(smp_name, "direct"))
        train_smp = CP_SAMPLER_DIRECT;
    else
        BAD("sampler", "sampler must be auto, tridiag, wishart or direct, got '%s'", smp_name);
    if (legacy_sampler)                     /* the next checkpoint names it */
        cp_kv_set(&kv, "sampler", cp_sampler_name(train_smp), 0, 1);
    if (finite_opt && nS > 1)
        BAD("finite_opt", "finite_opt=1 takes one seed (the finite-L optimum does not depend on it)");
    if (finite_opt && general)
        BAD("finite_opt", "finite_opt=1 is the k = 1 isotropic model's exact finite-L excess (not the general model)");
    if (finite_opt && (kind != CP_PRED_CA || d != 2 || T > 150))
        BAD("finite_opt", "finite_opt=1 needs model=ca, d = 2 (d1 = d2 = 1) and T <= 150");
    if (nS > 1 && (ckpt || resume))
        BAD("seed", "several seeds exclude --checkpoint and --resume (train one seed per checkpoint)");
    seed = Slist[0];
    if (threads < 1 || threads > 256) BAD("threads", "threads must lie in [1, 256]");
    if (ntest < 2 || ntest > (slong) 1e10) BAD("test_prompts", "test_prompts must lie in [2, 10^10]");
    if (every < 1) BAD("checkpoint_every", "checkpoint_every must be positive");
    if (stop_after < 0) BAD("stop_after", "stop_after must be non-negative");
    if (ckpt && !strcmp(ckpt, resume ? resume : "")) { /* resuming into the same file is fine */ }

    if (!isfinite(cp_engine_bayes_risk(model)))
        BAD("sigma", "the Bayes risk is not finite in double precision (sigma too large for the engine)");
    {   /* every allocation size is known here: check it before allocating */
        cp_predictor probe = { .kind = kind, .d = d, .T = T };
        long np = cp_predictor_nparams(&probe);
        if (cp_engine_mem_check(d, T, threads, np, 1, err) != 0) {
            fprintf(stderr, "crossproof train: %s\n", err);
            goto out;
        }
    }
    /* output paths are checked before the work starts */
    if ((csv && cp_output_check(csv, err) != 0) || (ckpt && cp_output_check(ckpt, err) != 0)) {
        fprintf(stderr, "crossproof train: %s: %s\n", csv && cp_output_check(csv, err) == 0 ? "--checkpoint" : "--csv", err);
        goto out;
    }
    long n = d + 1;
    /* several seeds: independent replicates, one training run each; their
     * results are collected in rep[] and printed together at the end */
    if (nS > 1 && !(rep = calloc((size_t) nS, sizeof *rep))) { fprintf(stderr, "crossproof train: out of memory\n"); rc = 3; goto out; }
    if (nS > 1 && json) printf("[\n");
    for (slong si = 0; si < nS; si++) {
    seed = Slist[si];
    if (si > 0) {                      /* a fresh state for the next replicate */
        cp_train_state_clear(&st);
        memset(&st, 0, sizeof st);
        free(alphas); free(betas); free(A); free(u);
        alphas = betas = A = u = NULL;
    }
    cp_predictor pred = { .kind = kind, .d = d, .T = T, .alpha = a0, .beta = kind == CP_PRED_CA ? -a0 : b0, .gamma = g0 };
    if (kind == CP_PRED_CA_UNTIED) {
        alphas = malloc((size_t) T * sizeof(double));
        betas = malloc((size_t) T * sizeof(double));
        if (!alphas || !betas) { fprintf(stderr, "crossproof train: out of memory\n"); rc = 3; goto out; }
        for (long t = 0; t < T; t++) { alphas[t] = a0; betas[t] = b0; }
        pred.alphas = alphas;
        pred.betas = betas;
    }
    if (kind == CP_PRED_LSA_GENERAL) {
        A = calloc((size_t) (n * d), sizeof(double));
        u = calloc((size_t) n, sizeof(double));
        if (!A || !u) { fprintf(stderr, "crossproof train: out of memory\n"); rc = 3; goto out; }
        for (long k = 0; k < d; k++) A[k * d + k] = g0;
        u[d] = 1.0;
        pred.A = A;
        pred.u = u;
    }
    if (cp_train_state_init(&st, &pred)) { fprintf(stderr, "crossproof train: out of memory\n"); rc = 3; goto out; }
    if (resume) {
        if (read_checkpoint_state(&st, resume, (long) 1e9, err))    /* the steps cap; "beyond steps" below */ { fprintf(stderr, "crossproof train: %s\n", err); goto out; }
        if (st.step > steps) BAD("steps", "the checkpoint is at step %ld, beyond steps = %ld", st.step, (long) steps);
    }
    cp_train_config tc;
    memset(&tc, 0, sizeof tc);
    tc.cfg.model = ma;
    tc.cfg.general = general;
    tc.cfg.bayes_risk = general ? cp_general_engine_bayes_risk(gen) : cp_engine_bayes_risk(model);
    tc.cfg.L = Ltr;
    tc.cfg.sampler = train_smp;
    tc.cfg.query = CP_QUERY_EXACT;
    tc.cfg.seed = (uint64_t) seed;
    tc.cfg.substream = 1;
    tc.cfg.prompts = batch;
    tc.cfg.threads = (int) threads;
    tc.steps = steps;
    tc.lr = lr;
    tc.avg_from = avg ? steps / 2 : steps - 1;
    tc.schedule = schedule;
    tc.optimizer = optimizer;
#undef BAD
    step_ctx sc = { &st, &kv, ckpt, every, steps / 1000 > 1 ? steps / 1000 : 1, NULL, "", 0,
                    stop_after > 0 ? st.step + stop_after : 0, NULL, 0 };
    if (csv && nS == 1) {
        if (cp_atomic_open(&csvf, csv, err)) { fprintf(stderr, "crossproof train: --csv: %s\n", err); goto out; }
        csv_open = 1;
        char *old = NULL;
        size_t oldlen = 0;
        if (resume && !csvf.direct) {            /* continue the earlier trajectory (a regular file) */
            char e2[CP_ERRLEN];
            old = cp_read_regular(csvf.target, (size_t) 1 << 32, "--csv file", &oldlen, e2);
        }
        if (old) {
            for (char *line = old, *next; line && *line; line = next) {
                char *nl = strchr(line, '\n');
                next = nl ? nl + 1 : NULL;
                long s;
                if (line[0] != '#' && line[0] != 's' && sscanf(line, "%ld,", &s) == 1 && s > st.step) break;
                fwrite(line, 1, nl ? (size_t) (nl - line + 1) : strlen(line), csvf.f);
            }
            free(old);
        } else {
            fprintf(csvf.f, "# crossproof train %s: model=%s d=%ld T=%ld L_train=%ld batch=%ld lr=%g seed=%ld sampler=%s\n# ",
                    cp_version_string, mname, d, (long) T, (long) Ltr, (long) batch, lr, (long) seed,
                    cp_sampler_name(train_smp));
            cp_engine_json_provenance(csvf.f);
            if (general)
                fprintf(csvf.f, "\n# general model (docs/model.md section 14): k=%ld tau1=%.17g tau2=%.17g split=%.17g",
                        gen_a.k, gen_a.tau1, gen_a.tau2, gen_a.split);
            fprintf(csvf.f, "\nstep,batch_excess");
            for (long i = 0; i < st.np; i++) fprintf(csvf.f, ",theta%ld", i);
            fprintf(csvf.f, "\n");
        }
        sc.csv = csvf.f;
    }
    tc.on_step = on_step;
    tc.arg = &sc;
    cp_progress prog;
    if (cp_engine_stderr_is_tty()) {          /* a terminal only: never in files or pipes */
        char label[64];
        if (nS > 1) snprintf(label, sizeof label, "train: seed %d/%d", (int) si + 1, (int) nS);
        else snprintf(label, sizeof label, "train");
        cp_progress_start(&prog, label, (double) (steps - st.step), "steps");
        sc.prog = &prog;
        sc.step0 = st.step;
    }
    void (*old_int)(int) = signal(SIGINT, on_signal);       /* checkpoint on interrupt, then */
    void (*old_term)(int) = signal(SIGTERM, on_signal);     /* restore whatever was installed */
    int trc = cp_engine_train(&st, &pred, &tc, err);
    if (sc.prog) cp_progress_done(sc.prog);
    signal(SIGINT, old_int == SIG_ERR ? SIG_DFL : old_int);
    signal(SIGTERM, old_term == SIG_ERR ? SIG_DFL : old_term);
    if (csv_open && trc != 0 && !ckpt && !csvf.direct) {
        /* an interrupted or stopped run without a checkpoint cannot be
         * resumed: its partial trajectory must not replace a complete CSV */
        csv_open = 0;
        cp_atomic_abort(&csvf);
        fprintf(stderr, "crossproof train: --csv %s not written (the run did not finish and has no --checkpoint)\n", csv);
    }
    if (csv_open) {
        csv_open = 0;
        if (cp_atomic_close(&csvf, err)) { fprintf(stderr, "crossproof train: --csv: %s\n", err); rc = 2; goto out; }
    }
    if (sc.ckpt_failed) { fprintf(stderr, "crossproof train: --checkpoint: %s\n", sc.err); rc = 2; goto out; }
    if (trc < 0) {
        fprintf(stderr, "crossproof train: stopped at step %ld: %s\n", st.step, err);
        rc = strncmp(err, "out of memory", 13) == 0 ? 3 : 1;
        goto out;
    }
    if (ckpt && write_checkpoint(ckpt, &kv, &st, err)) { fprintf(stderr, "crossproof train: --checkpoint: %s\n", err); rc = 2; goto out; }
    if (trc == 1) {
        fprintf(stderr, "crossproof train: interrupted at step %ld%s%s\n", st.step,
                ckpt ? "; resume with --resume " : " (no --checkpoint given)", ckpt ? ckpt : "");
        rc = 1;
        goto out;
    }
    /* result: averaged or last iterate */
    const double *th = avg && st.navg > 0 ? st.avg : st.theta;
    cp_predictor_set_params(&pred, th);
    /* distance to the certified optimum */
    double opt[2] = { NAN, NAN }, dist = NAN;
    int certified = 0;
    const char *optname = "none";
    {
        arb_t x, y, r;
        arb_init(x); arb_init(y); arb_init(r);
        if (general) {
            if (kind == CP_PRED_LSA) {     /* (G-5): the gamma form's best gamma under the general model */
                cp_general_gamma_avg(x, gen, 128);
                certified = arb_rel_accuracy_bits(x) > 40;
                opt[0] = arf_get_d(arb_midref(x), ARF_RND_NEAR);
                dist = fabs(th[0] - opt[0]);
                optname = "gamma = E s/(E s^2 + P E s) (G-5)";
            }
        } else if (kind == CP_PRED_CA) {
            certified = cp_flow_alpha_opt(x, model, (ulong) T, 128);
            opt[0] = arf_get_d(arb_midref(x), ARF_RND_NEAR);
            dist = fabs(th[0] - opt[0]);
            optname = "alpha_T";
        } else if (kind == CP_PRED_CA2 && T >= 2) {
            certified = cp_flow_opt2(x, y, r, model, (ulong) T, 128);
            opt[0] = arf_get_d(arb_midref(x), ARF_RND_NEAR);
            opt[1] = arf_get_d(arb_midref(y), ARF_RND_NEAR);
            dist = hypot(th[0] - opt[0], th[1] - opt[1]);
            optname = "(alpha_T, beta_T)";
        } else if (kind == CP_PRED_LSA) {
            cp_lsa_gamma_avg(x, model, 128);
            certified = arb_rel_accuracy_bits(x) > 40;
            opt[0] = arf_get_d(arb_midref(x), ARF_RND_NEAR);
            dist = fabs(th[0] - opt[0]);
            optname = "gamma = E[s]/E[s(1+s)]";
        }
        arb_clear(x); arb_clear(y); arb_clear(r);
    }
    /* the finite-L optimum (finite_opt=1): APPROXIMATE */
    double fopt = NAN, fwidth = NAN, fdist = NAN;
    if (finite_opt) {
        fopt = finite_opt_alpha(model, Ltr, T, opt[0], &fwidth);
        fdist = fabs(th[0] - fopt);
    }
    /* test risk on fresh prompts (substream 0) */
    cp_sim_config tcfg = tc.cfg;
    tcfg.L = Lte;
    tcfg.sampler = Lte >= pdim ? CP_SAMPLER_WISHART : CP_SAMPLER_DIRECT;
    tcfg.substream = 0;
    tcfg.first = 0;
    tcfg.prompts = ntest;
    cp_sim_result res;
    if (cp_engine_risk(&res, &tcfg, &pred)) {
        fprintf(stderr, "crossproof train: test risk: %s\n", res.error);
        rc = strncmp(res.error, "out of memory", 13) == 0 ? 3 : 1;
        goto out;
    }
    if (!isfinite(res.risk) || !isfinite(res.risk_stderr) || !isfinite(res.excess)) {
        fprintf(stderr, "crossproof train: test risk is not finite (risk %g, stderr %g); nothing reported\n",
                res.risk, res.risk_stderr);
        rc = 1;
        goto out;
    }
    if (nS > 1) {
        replicate *r = &rep[si];
        r->seed = (long) seed;
        r->th0 = th[0];
        r->th1 = st.np > 1 ? th[1] : NAN;
        r->dist = dist;
        r->risk = res.risk;
        r->stderr_ = res.risk_stderr;
        r->excess = res.excess;
    }
    if (json) {
        printf("{\"model\": \"%s\", \"d\": %ld, \"T\": %ld, \"L_train\": %ld, \"L_test\": %ld, \"steps\": %ld, \"batch\": %ld, "
               "\"lr\": %.17g, \"seed\": %ld, \"sampler\": \"%s\", \"theta\": [", mname, d, (long) T, (long) Ltr, (long) Lte,
               (long) steps, (long) batch, lr, (long) seed, cp_sampler_name(train_smp));
        for (long i = 0; i < st.np; i++) printf("%s%.17g", i ? ", " : "", th[i]);
        printf("], \"optimum\": \"%s\", \"optimum_value\": [", optname);
        for (int k = 0; k < 2; k++) {
            if (isnan(opt[k])) printf("%snull", k ? ", " : ""); else printf("%s%.17g", k ? ", " : "", opt[k]);
        }
        printf("], \"optimum_certified\": %s, \"distance\": ", certified ? "true" : "false");
        if (isnan(dist)) printf("null"); else printf("%.6g", dist);
        if (finite_opt) {
            printf(", \"finite_optimum\": {\"L\": %ld, \"alpha\": ", (long) Ltr);
            if (isnan(fopt)) printf("null"); else printf("%.12g", fopt);
            printf(", \"bracket_width\": ");
            if (isnan(fwidth)) printf("null"); else printf("%.3g", fwidth);
            printf(", \"distance\": ");
            if (isnan(fdist)) printf("null"); else printf("%.6g", fdist);
            printf(", \"kind\": \"APPROXIMATE: golden section in double precision on exact ca-excess-finite values\"}");
        }
        if (general)
            printf(", \"general\": {\"k\": %ld, \"tau1\": %.17g, \"tau2\": %.17g, \"split\": %.17g}",
                   gen_a.k, gen_a.tau1, gen_a.tau2, gen_a.split);
        printf(", \"risk\": %.10g, \"stderr\": %.4g, \"excess\": %.10g, \"bayes_risk\": %.17g, ",
               res.risk, res.risk_stderr, res.excess, tc.cfg.bayes_risk);
        cp_engine_json_provenance(stdout);
        printf("}%s\n", nS > 1 ? "," : "");
    } else if (nS == 1) {
        printf("# crossproof train %s: model=%s d=%ld T=%ld L_train=%ld steps=%ld batch=%ld lr=%g seed=%ld sampler=%s "
               "(%s iterate)\n", cp_version_string, mname, d, (long) T, (long) Ltr, (long) steps, (long) batch, lr,
               (long) seed, cp_sampler_name(train_smp), avg ? "averaged" : "last");
        if (general)
            printf("# general model (docs/model.md section 14): k=%ld tau1=%g tau2=%g split=%g\n", gen_a.k, gen_a.tau1,
                   gen_a.tau2, gen_a.split);
        if (kind == CP_PRED_CA || kind == CP_PRED_CA2 || kind == CP_PRED_LSA) {
            printf("learned:  %s = %.8f", kind == CP_PRED_LSA ? "gamma" : "alpha", th[0]);
            if (kind == CP_PRED_CA2) printf("  beta = %.8f  beta/alpha = %.6f", th[1], th[1] / th[0]);
            printf("\n");
        } else if (kind == CP_PRED_CA_UNTIED) {
            for (long t = 0; t < T; t++) printf("layer %3ld: alpha = %.8f  beta = %.8f\n", t, th[t], th[T + t]);
        } else {
            double acc = 0;
            for (long k = 0; k < d; k++) acc += A[k * d + k];
            printf("learned:  %ld parameters of W_KQ (first d columns) and W_PV (last row); effective gamma "
                   "(mean diagonal of A, times q) = %.6f\n", st.np, acc / (double) d * u[d]);
        }
        if (!isnan(dist)) {
            char second[64] = "";
            if (!isnan(opt[1]))
                snprintf(second, sizeof second, ", %.8f", opt[1]);
            printf("optimum:  %s = %.8f%s (L = infinity, %s); distance %.3g\n", optname, opt[0], second,
                   certified ? "certified enclosure, midpoint" : "NOT certified", dist);
        }
        if (finite_opt) {
            if (isnan(fopt))
                printf("finite-L optimum: not found (the exact excess was not finite on the bracket)\n");
            else
                printf("finite-L optimum: alpha*_L = %.8f at L = %ld (APPROXIMATE: %d golden-section steps in double "
                       "precision on exact ca-excess-finite values, bracket width %.2g); distance %.3g\n", fopt,
                       (long) Ltr, CP_GOLDEN_STEPS, fwidth, fdist);
        }
        printf("test risk at L = %ld: %.8f +- %.2g (excess over Bayes %.6g; %ld prompts; estimate, not certified)\n",
               (long) Lte, res.risk, res.risk_stderr, res.excess, (long) ntest);
    }
    }   /* seeds */
    if (nS > 1) {
        /* the aggregate: mean over the replicates and the standard error
         * across them (sample standard deviation / sqrt n) */
        double m[5] = { 0 }, v[5] = { 0 };
        for (slong i = 0; i < nS; i++) {
            double x[5] = { rep[i].th0, rep[i].th1, rep[i].dist, rep[i].risk, rep[i].excess };
            for (int j = 0; j < 5; j++) m[j] += x[j] / (double) nS;
        }
        for (slong i = 0; i < nS; i++) {
            double x[5] = { rep[i].th0, rep[i].th1, rep[i].dist, rep[i].risk, rep[i].excess };
            for (int j = 0; j < 5; j++) v[j] += (x[j] - m[j]) * (x[j] - m[j]);
        }
        double se[5];
        for (int j = 0; j < 5; j++) se[j] = sqrt(v[j] / (double) (nS - 1) / (double) nS);
        if (json) {
            printf("{\"aggregate\": \"mean over independent seeds (replicates)\", \"n_seeds\": %ld, \"seeds\": [",
                   (long) nS);
            for (slong i = 0; i < nS; i++) printf("%s%ld", i ? ", " : "", rep[i].seed);
            printf("], \"theta0\": %.17g, \"theta0_stderr\": %.4g, ", m[0], se[0]);
            if (isfinite(m[1])) printf("\"theta1\": %.17g, \"theta1_stderr\": %.4g, ", m[1], se[1]);
            if (isfinite(m[2])) printf("\"distance\": %.6g, \"distance_stderr\": %.4g, ", m[2], se[2]);
            else printf("\"distance\": null, ");
            printf("\"risk\": %.10g, \"stderr\": %.4g, \"excess\": %.10g, \"excess_stderr\": %.4g}\n]\n",
                   m[3], se[3], m[4], se[4]);
        } else {
            const char *p0 = kind == CP_PRED_LSA ? "gamma" : kind == CP_PRED_CA || kind == CP_PRED_CA2 ? "alpha" : "theta0";
            printf("# crossproof train %s: model=%s d=%ld T=%ld L_train=%ld steps=%ld batch=%ld lr=%g seed=%s sampler=%s "
                   "(%ld seeds; %s iterate)\n", cp_version_string, mname, d, (long) T, (long) Ltr, (long) steps,
                   (long) batch, lr, cp_kv_find(&kv, "seed")->value, cp_sampler_name(train_smp), (long) nS,
                   avg ? "averaged" : "last");
            printf("# seeds are independent replicates (one Philox key each); the row seed=mean gives the mean and the "
                   "standard error across the %ld seeds; test risk at L = %ld on %ld prompts; estimates, not certified\n",
                   (long) nS, (long) Lte, (long) ntest);
            printf("%6s %-14s %-14s %-12s %-14s %-11s %s\n", "seed", p0, kind == CP_PRED_CA2 ? "beta" : "theta1",
                   "distance", "test_risk", "stderr", "excess");
            char b1[32], b2[32];
            for (slong i = 0; i < nS; i++) {
                snprintf(b1, sizeof b1, isnan(rep[i].th1) ? "-" : "%.8g", rep[i].th1);
                snprintf(b2, sizeof b2, isnan(rep[i].dist) ? "-" : "%.4g", rep[i].dist);
                printf("%6ld %-14.8f %-14s %-12s %-14.10f %-11.3g %.6g\n", rep[i].seed, rep[i].th0, b1, b2,
                       rep[i].risk, rep[i].stderr_, rep[i].excess);
            }
            snprintf(b1, sizeof b1, isnan(m[1]) ? "-" : "%.8g", m[1]);
            snprintf(b2, sizeof b2, isnan(m[2]) ? "-" : "%.4g", m[2]);
            printf("%6s %-14.8f %-14s %-12s %-14.10f %-11.3g %.6g\n", "mean", m[0], b1, b2, m[3], se[3], m[4]);
            snprintf(b1, sizeof b1, isnan(se[1]) ? "-" : "%.3g", se[1]);
            snprintf(b2, sizeof b2, isnan(se[2]) ? "-" : "%.3g", se[2]);
            printf("%6s %-14.3g %-14s %-12s %-14.3g %-11s %.3g\n", "stderr", se[0], b1, b2, se[3], "", se[4]);
        }
        if (csv) {
            cp_atomic_file af;
            if (cp_atomic_open(&af, csv, err)) { fprintf(stderr, "crossproof train: --csv: %s\n", err); rc = 2; goto out; }
            fprintf(af.f, "# crossproof train %s: model=%s d=%ld T=%ld L_train=%ld steps=%ld batch=%ld lr=%g seeds=%s\n# ",
                    cp_version_string, mname, d, (long) T, (long) Ltr, (long) steps, (long) batch, lr,
                    cp_kv_find(&kv, "seed")->value);
            cp_engine_json_provenance(af.f);
            fprintf(af.f, "\n# seeds are independent replicates: one row per seed, then seed=mean (the mean) and "
                          "seed=stderr (the standard error across the %ld seeds)\nseed,theta0,theta1,distance,test_risk,"
                          "test_stderr,excess,n_seeds\n", (long) nS);
            for (slong i = 0; i < nS; i++)
                fprintf(af.f, "%ld,%.17g,%.17g,%.10g,%.10g,%.4g,%.10g,1\n", rep[i].seed, rep[i].th0, rep[i].th1,
                        rep[i].dist, rep[i].risk, rep[i].stderr_, rep[i].excess);
            fprintf(af.f, "mean,%.17g,%.17g,%.10g,%.10g,%.4g,%.10g,%ld\n", m[0], m[1], m[2], m[3], se[3], m[4], (long) nS);
            fprintf(af.f, "stderr,%.4g,%.4g,%.4g,%.4g,,%.4g,%ld\n", se[0], se[1], se[2], se[3], se[4], (long) nS);
            if (cp_atomic_close(&af, err)) { fprintf(stderr, "crossproof train: --csv: %s\n", err); rc = 2; goto out; }
        }
    }
    rc = 0;
out:
    free(rep);
    if (csv_open) cp_atomic_abort(&csvf);
    cp_train_state_clear(&st);
    free(alphas); free(betas); free(A); free(u);
    if (Slist) flint_free(Slist);
    cp_kv_clear(&kv);
    cp_kv_clear(&args);
    cp_model_clear(model);
    cp_general_clear(gen);
    return rc;
}
