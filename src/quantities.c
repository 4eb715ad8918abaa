/* quantities.c -- the core quantities of `crossproof eval` (quantity.h).
 * Each wraps a certified function of lsa.h; docs/model.md has the formulas. */
#include <string.h>
#include "crossproof/boxq.h"
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"

#define CP_MAX_T 10000000

const cp_quantity_def *cp_quantity_lookup(const char *name)
{
    for (int i = 0; cp_quantity_tables[i] != NULL; i++)
        for (const cp_quantity_def *q = cp_quantity_tables[i]; q->name != NULL; q++)
            if (strcmp(q->name, name) == 0)
                return q;
    return NULL;
}

static const cp_key_spec model_keys[] = { CP_MODEL_KEYS, CP_KEY_END };
static const cp_key_spec gamma_keys[] = {
    CP_MODEL_KEYS,
    { "gamma", CP_KEY_RAT, "best average gamma", "LSA scalar, Gamma = gamma I" },
    CP_KEY_END
};
static const cp_key_spec ca_keys[] = {
    CP_MODEL_KEYS,
    { "alpha", CP_KEY_RAT, "alpha*", "CA step (default alpha* = 2/(2+m_lo+m_hi))" },
    { "beta",  CP_KEY_RAT, "-alpha", "CA layer coefficient (default -alpha)" },
    { "T",     CP_KEY_INT, "1",      "depth (number of layers), 1 <= T <= 10^7" },
    CP_KEY_END
};

/* Reads the model; returns 0 or -1 with err. */
static int load_model(cp_model_t m, const cp_kv *kv, const cp_key_spec *keys, char *err)
{
    if (cp_kv_validate(kv, keys, err) != 0)
        return -1;
    return cp_model_from_kv(m, kv, err);
}

#define WITH_MODEL(keys, ...)                           \
    cp_model_t m;                                       \
    int rc;                                             \
    cp_model_init(m);                                   \
    rc = load_model(m, kv, keys, err);                  \
    if (rc == 0) { __VA_ARGS__ }                            \
    cp_model_clear(m);                                  \
    return rc;

static int q_alpha_star(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, {
        fmpq_t q; fmpq_init(q); cp_alpha_star(q, m); arb_set_fmpq(res, q, prec); fmpq_clear(q);
    })
}

static int q_rho_star(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, {
        fmpq_t q; fmpq_init(q); cp_rho_star(q, m); arb_set_fmpq(res, q, prec); fmpq_clear(q);
    })
}

static int q_bayes_risk(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, { cp_bayes_risk(res, m, prec); })
}

static int q_lsa_gamma_avg(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, { cp_lsa_gamma_avg(res, m, prec); })
}

static int q_lsa_excess_avg(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(gamma_keys, {
        if (cp_kv_has(kv, "gamma")) {
            fmpq_t g; arb_t ga;
            fmpq_init(g); arb_init(ga);
            rc = cp_kv_get_rat(g, kv, gamma_keys, "gamma", err);
            if (rc == 0) {
                arb_set_fmpq(ga, g, prec);
                cp_lsa_gamma_excess_avg(res, m, ga, prec);
            }
            fmpq_clear(g); arb_clear(ga);
        } else {
            cp_lsa_excess_avg(res, m, prec);
        }
    })
}

static int q_lsa_gamma_minimax(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, {
        arb_t v; arb_init(v); cp_lsa_gamma_minimax(res, v, m, prec); arb_clear(v);
    })
}

static int q_lsa_excess_minimax(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, {
        arb_t g; arb_init(g); cp_lsa_gamma_minimax(g, res, m, prec); arb_clear(g);
    })
}

static int q_lsa_gap(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(model_keys, { cp_lsa_gap(res, m, prec); })
}

/* Reads alpha (default alpha*), beta (default -alpha) and T, exactly. */
int cp_read_ca_rats(fmpq_t a, fmpq_t b, slong *t, const cp_model_t m,
                    const cp_kv *kv, const cp_key_spec *keys, char *err)
{
    int rc = 0;
    if (cp_kv_has(kv, "alpha"))
        rc = cp_kv_get_rat(a, kv, keys, "alpha", err);
    else
        cp_alpha_star(a, m);
    if (rc == 0 && cp_kv_has(kv, "beta"))
        rc = cp_kv_get_rat(b, kv, keys, "beta", err);
    else
        fmpq_neg(b, a);
    if (rc == 0)
        rc = cp_kv_get_int(t, kv, keys, "T", err);
    if (rc == 0 && (*t < 1 || *t > CP_MAX_T)) {
        cp_kv_error(err, kv, "T", "T must lie in [1, %d]", CP_MAX_T);
        rc = -1;
    }
    return rc;
}

/* The same, as balls at prec. */
int cp_read_ca_params(arb_t alpha, arb_t beta, ulong *T, const cp_model_t m,
                      const cp_kv *kv, const cp_key_spec *keys, slong prec, char *err)
{
    fmpq_t a, b;
    slong t = 1;
    int rc;
    fmpq_init(a);
    fmpq_init(b);
    rc = cp_read_ca_rats(a, b, &t, m, kv, keys, err);
    if (rc == 0) {
        arb_set_fmpq(alpha, a, prec);
        arb_set_fmpq(beta, b, prec);
        *T = (ulong) t;
    }
    fmpq_clear(a);
    fmpq_clear(b);
    return rc;
}

static int q_ca_excess(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_MODEL(ca_keys, {
        arb_t a, b; ulong T;
        arb_init(a); arb_init(b);
        rc = cp_read_ca_params(a, b, &T, m, kv, ca_keys, prec, err);
        if (rc == 0)
            cp_ca_excess(res, m, a, b, T, prec);
        arb_clear(a); arb_clear(b);
    })
}

const cp_quantity_def cp_quantities_core[] = {
    { "alpha-star", "alpha* = 2/(2 + m_lo + m_hi), the limiting CA step", model_keys, q_alpha_star, NULL, cp_qbox_alpha_star },
    { "rho-star", "rho* = (m_hi - m_lo)/(2 + m_lo + m_hi), the contraction factor at alpha*", model_keys, q_rho_star, NULL, cp_qbox_rho_star },
    { "bayes-risk", "task-known Bayes risk E[1/(1+s)] + sigma^2", model_keys, q_bayes_risk, NULL, cp_qbox_bayes_risk },
    { "lsa-gamma-avg", "best average gamma E[s]/E[s(1+s)] (gamma-form LSA, L = inf)", model_keys, q_lsa_gamma_avg, NULL, cp_qbox_lsa_gamma_avg },
    { "lsa-excess-avg", "average excess of gamma-form LSA at the best gamma (or at gamma=)", gamma_keys, q_lsa_excess_avg, NULL, cp_qbox_lsa_excess_avg },
    { "lsa-gamma-minimax", "gamma minimising the worst-case excess over the support", model_keys, q_lsa_gamma_minimax, NULL, cp_qbox_lsa_gamma_minimax },
    { "lsa-excess-minimax", "minimax worst-case excess of gamma-form LSA over the support", model_keys, q_lsa_excess_minimax, NULL, cp_qbox_lsa_excess_minimax },
    { "lsa-gap", "lower bound on the worst-case excess of EVERY single-layer LSA over the counterexample tasks", model_keys, q_lsa_gap,
      "lower bound on the worst-case population excess of every single-layer LSA", cp_qbox_lsa_gap },
    { "ca-excess", "population excess of tied CA (alpha, beta, T) at L = inf", ca_keys, q_ca_excess, NULL, cp_qbox_ca_excess },
    { NULL, NULL, NULL, NULL, NULL, NULL }
};
