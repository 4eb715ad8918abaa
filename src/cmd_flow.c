/* cmd_flow.c -- `crossproof flow key=value...`: integrate the gradient flow
 * of the L = infinity CA loss from a given start, print the (approximate)
 * trajectory as CSV, and certify that the endpoint lies in a ball around the
 * certified minimizer that is attracting (docs/model.md (GF-7)). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "crossproof/cli.h"
#include "crossproof/engine.h"
#include "crossproof/flow.h"
#include "crossproof/kv.h"
#include "crossproof/lsa.h"
#include "crossproof/model.h"
#include "crossproof/output.h"

static const cp_key_spec flow_keys[] = {
    CP_MODEL_KEYS,
    { "T",         CP_KEY_INT,  "5",     "depth, 1 <= T <= 10^5 (two parameters: T >= 2)" },
    { "alpha0",    CP_KEY_RAT,  "0.1",   "starting alpha" },
    { "beta0",     CP_KEY_RAT,  "none",  "starting beta; given = two-parameter flow (alpha, beta), else beta = -alpha" },
    { "tau",       CP_KEY_RAT,  "200",   "flow time to integrate to" },
    { "tol",       CP_KEY_RAT,  "1e-10", "local error tolerance of the Dormand-Prince 5(4) steps" },
    { "max_steps", CP_KEY_INT,  "1000000", "step budget" },
    { "every",     CP_KEY_INT,  "1",     "print every k-th accepted step (the last one is always printed)" },
    { "out",       CP_KEY_TEXT, "-",     "CSV file for the trajectory, - = standard output" },
    CP_KEY_END
};

static void flow_help(FILE *f)
{
    fprintf(f, "usage: crossproof flow [key=value...]\n\n"
               "Integrates d theta/d tau = -grad Loss_T(theta) of the population (L = infinity)\n"
               "cross-attention loss, theta = alpha (beta = -alpha) or (alpha, beta) when beta0 is\n"
               "given.  The trajectory is APPROXIMATE (doubles, adaptive Dormand-Prince 5(4));\n"
               "the endpoint test is certified: the minimizer is enclosed with Arb, and the\n"
               "endpoint is shown to lie in a ball around it on which the loss is strongly\n"
               "convex, so the exact flow from the endpoint stays in the ball and converges.\n\n"
               "CSV columns: tau, alpha, beta, loss, grad_norm.  The summary goes to standard\n"
               "error when the CSV goes to standard output.\n\nkeys (default in brackets):\n");
    for (const cp_key_spec *k = flow_keys; k->name; k++)
        fprintf(f, "  %-10s [%s] %s\n", k->name, k->dflt ? k->dflt : "required", k->help);
    fprintf(f, "\nExit codes: 0 endpoint certified in the attracting ball; 1 not established\n"
               "(not converged far enough, or the integration failed); 2 bad input.\n");
}

typedef struct { FILE *f; slong every, n; cp_flow_point_approx last; cp_progress *prog; } csv_ctx;

static void csv_point(const cp_flow_point_approx *p, void *ctx)
{
    csv_ctx *c = ctx;
    if (c->n % c->every == 0)
        fprintf(c->f, "%.10g,%.17g,%.17g,%.17g,%.6g\n", p->tau, p->theta[0], p->theta[1], p->loss, p->gnorm);
    c->last = *p;
    c->n++;
    if (c->prog)
        cp_progress_update(c->prog, p->tau);
}

static void print_arb(FILE *f, const char *name, const arb_t x, slong digits)
{
    char *s = arb_get_str(x, digits, 0);
    fprintf(f, "%s%s\n", name, s);
    flint_free(s);
}

int cp_cmd_flow(int argc, char **argv)
{
    char err[CP_ERRLEN];
    cp_kv kv;
    cp_model_t m;
    fmpq_t q;
    slong T = 5, max_steps = 1000000, every = 1, steps;
    double th0[2], th[2], tau, tol;
    int dim, rc = 2;
    const char *out = "-";
    FILE *f = stdout, *info = stderr;
    csv_ctx ctx;
    cp_atomic_file af;
    int af_open = 0;

    cp_kv_init(&kv, "");
    cp_model_init(m);
    fmpq_init(q);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            flow_help(stdout);
            rc = 0;
            goto done;
        }
        if (strchr(argv[i], '=') == NULL) {
            fprintf(stderr, "crossproof flow: unexpected argument '%s' (see crossproof flow --help)\n", argv[i]);
            goto done;
        }
        if (cp_kv_add_arg(&kv, argv[i], err) != 0) {
            fprintf(stderr, "crossproof flow: %s\n", err);
            goto done;
        }
    }
    if (cp_kv_validate(&kv, flow_keys, err) != 0 || cp_model_from_kv(m, &kv, err) != 0 ||
        cp_kv_get_int(&T, &kv, flow_keys, "T", err) != 0 ||
        cp_kv_get_int(&max_steps, &kv, flow_keys, "max_steps", err) != 0 ||
        cp_kv_get_int(&every, &kv, flow_keys, "every", err) != 0) {
        fprintf(stderr, "crossproof flow: %s\n", err);
        goto done;
    }
    dim = cp_kv_has(&kv, "beta0") ? 2 : 1;
    if (fmpq_sgn(m->m_hi) <= 0) {
        fprintf(stderr, "crossproof flow: m_hi must be positive\n");
        goto done;
    }
    if (T < dim || T > 100000) {
        fprintf(stderr, "crossproof flow: T must lie in [%d, 100000]%s\n", dim,
                dim == 2 ? " (beta is not identified at T = 1)" : "");
        goto done;
    }
    if (max_steps < 1 || every < 1) {
        fprintf(stderr, "crossproof flow: %s must be positive\n", max_steps < 1 ? "max_steps" : "every");
        goto done;
    }
    if (cp_kv_get_rat(q, &kv, flow_keys, "alpha0", err) != 0) {
        fprintf(stderr, "crossproof flow: %s\n", err);
        goto done;
    }
    th0[0] = fmpq_get_d(q);
    th0[1] = -th0[0];
    if (dim == 2) {
        if (cp_kv_get_rat(q, &kv, flow_keys, "beta0", err) != 0) {
            fprintf(stderr, "crossproof flow: %s\n", err);
            goto done;
        }
        if (fmpq_sgn(q) >= 0) {
            fprintf(stderr, "crossproof flow: beta0 must be negative\n");
            goto done;
        }
        th0[1] = fmpq_get_d(q);
    }
    if (cp_kv_get_rat(q, &kv, flow_keys, "tau", err) != 0 || fmpq_sgn(q) <= 0) {
        fprintf(stderr, "crossproof flow: %s\n", err[0] ? err : "tau must be positive");
        goto done;
    }
    tau = fmpq_get_d(q);
    err[0] = '\0';
    if (cp_kv_get_rat(q, &kv, flow_keys, "tol", err) != 0 || fmpq_sgn(q) <= 0) {
        fprintf(stderr, "crossproof flow: %s\n", err[0] ? err : "tol must be positive");
        goto done;
    }
    tol = fmpq_get_d(q);
    if (cp_kv_find(&kv, "out"))
        out = cp_kv_find(&kv, "out")->value;
    if (strcmp(out, "-") != 0) {
        /* atomic for a regular file, direct for a device or FIFO (output.h) */
        if (cp_atomic_open(&af, out, err) != 0) {
            fprintf(stderr, "crossproof flow: out: %s\n", err);
            goto done;
        }
        af_open = 1;
        f = af.f;
        info = stdout;
    }

    fprintf(f, "tau,alpha,beta,loss,grad_norm\n");
    ctx.f = f;
    ctx.every = every;
    ctx.n = 0;
    ctx.prog = NULL;
    /* progress on a terminal only (never in files or pipes), and not while
     * the trajectory itself is printed on that terminal */
    cp_progress prog;
    if (cp_engine_stderr_is_tty() && !(f == stdout && isatty(1))) {
        cp_progress_start(&prog, "flow", tau, "tau");
        ctx.prog = &prog;
    }
    steps = cp_flow_integrate_approx(th, m, (ulong) T, dim, th0, tau, tol, max_steps, csv_point, &ctx);
    if (ctx.prog) cp_progress_done(ctx.prog);
    if (ctx.n > 0 && (ctx.n - 1) % every != 0)
        fprintf(f, "%.10g,%.17g,%.17g,%.17g,%.6g\n", ctx.last.tau, ctx.last.theta[0], ctx.last.theta[1],
                ctx.last.loss, ctx.last.gnorm);
    if (af_open) {
        af_open = 0;
        if (cp_atomic_close(&af, err) != 0) {
            fprintf(stderr, "crossproof flow: out: %s\n", err);
            rc = 2;
            goto done;
        }
    }
    if (steps < 0) {
        fprintf(info, "flow: integration failed (step budget or domain) at tau = %.10g; nothing certified\n",
                ctx.last.tau);
        rc = 1;
        goto done;
    }
    fprintf(info, "flow: %ld accepted steps to tau = %.10g (approximate trajectory)\n", (long) steps, tau);
    {
        arb_t ae, be, radius, mu, aT, bT;
        int ok;
        slong prec = 128;
        arb_init(ae); arb_init(be); arb_init(radius); arb_init(mu); arb_init(aT); arb_init(bT);
        arb_set_d(ae, th[0]);
        arb_set_d(be, th[1]);
        for (ok = 0; !ok && prec <= 1024; prec *= 2)
            ok = dim == 1 ? cp_flow_certify_endpoint1(radius, mu, aT, m, (ulong) T, ae, prec)
                          : cp_flow_certify_endpoint2(radius, mu, aT, bT, m, (ulong) T, ae, be, prec);
        fprintf(info, "endpoint: alpha = %.17g%s", th[0], dim == 2 ? ", beta = " : "\n");
        if (dim == 2)
            fprintf(info, "%.17g\n", th[1]);
        print_arb(info, "minimizer alpha_T in ", aT, 30);
        if (dim == 2)
            print_arb(info, "minimizer beta_T in  ", bT, 30);
        if (ok) {
            print_arb(info, "CERTIFIED: endpoint within radius ", radius, 6);
            print_arb(info, "  of the minimizer; the loss is strongly convex on that ball with modulus >= ", mu, 6);
            fprintf(info, "  so the exact flow from the endpoint stays in the ball and converges at rate mu.\n");
            rc = 0;
        } else {
            fprintf(info, "NOT ESTABLISHED: strong convexity on the ball around the minimizer through the\n"
                          "  endpoint was not proved (integrate longer: tau=, or start closer).\n");
            rc = 1;
        }
        arb_clear(ae); arb_clear(be); arb_clear(radius); arb_clear(mu); arb_clear(aT); arb_clear(bT);
    }
done:
    if (af_open)
        cp_atomic_abort(&af);
    cp_kv_clear(&kv);
    cp_model_clear(m);
    fmpq_clear(q);
    return rc;
}
