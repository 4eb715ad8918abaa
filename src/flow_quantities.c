/* flow_quantities.c -- `crossproof eval` quantities of the gradient-flow
 * module (flow.h; docs/model.md, "Gradient flow (issue 3)"). */
#include <string.h>
#include "crossproof/boxq.h"
#include "crossproof/flow.h"
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"

#define FQ_MAX_T 10000000

static const cp_key_spec fq_T_keys[] = {
    CP_MODEL_KEYS,
    { "T", CP_KEY_INT, "1", "depth (number of layers), 1 <= T <= 10^7" },
    CP_KEY_END
};
static const cp_key_spec fq_T2_keys[] = {
    CP_MODEL_KEYS,
    { "T", CP_KEY_INT, "2", "depth, 2 <= T <= 10^5 (beta is not identified at T = 1)" },
    CP_KEY_END
};
static const cp_key_spec fq_model_keys[] = { CP_MODEL_KEYS, CP_KEY_END };
static const cp_key_spec fq_excess_keys[] = {
    CP_MODEL_KEYS,
    { "alpha",  CP_KEY_RAT, "alpha*", "tied step (default alpha* = 2/(2+m_lo+m_hi))" },
    { "beta",   CP_KEY_RAT, "-alpha", "tied layer coefficient (default -alpha)" },
    { "T",      CP_KEY_INT, "1", "depth" },
    { "alphas", CP_KEY_RATLIST, "none", "untied steps alpha_1..alpha_T (overrides alpha, T)" },
    { "betas",  CP_KEY_RATLIST, "-alphas", "untied coefficients beta_1..beta_T" },
    CP_KEY_END
};

static int fq_load(cp_model_t m, slong *T, const cp_kv *kv, const cp_key_spec *keys,
                   slong tmin, slong tmax, char *err)
{
    if (cp_kv_validate(kv, keys, err) != 0 || cp_model_from_kv(m, kv, err) != 0)
        return -1;
    if (fmpq_sgn(m->m_hi) <= 0) {
        cp_kv_error(err, kv, "m_hi", "m_hi must be positive");
        return -1;
    }
    if (T) {
        if (cp_kv_get_int(T, kv, keys, "T", err) != 0)
            return -1;
        if (*T < tmin || *T > tmax) {
            cp_kv_error(err, kv, "T", "T must lie in [%ld, %ld]", (long) tmin, (long) tmax);
            return -1;
        }
    }
    return 0;
}

static int q_alpha_opt(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    slong T;
    int rc;
    cp_model_init(m);
    rc = fq_load(m, &T, kv, fq_T_keys, 1, FQ_MAX_T, err);
    if (rc == 0 && !cp_flow_alpha_opt(res, m, (ulong) T, prec))
        arb_indeterminate(res);
    cp_model_clear(m);
    return rc;
}

static int q_rate(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    slong T;
    int rc;
    cp_model_init(m);
    rc = fq_load(m, &T, kv, fq_T_keys, 1, FQ_MAX_T, err);
    if (rc == 0) {
        if (fmpq_equal(m->m_lo, m->m_hi) && fmpq_sgn(m->m_hi) > 0) {
            arb_zero(res);   /* one support point: alpha_T = alpha* exactly (GF-2) */
        } else if (cp_flow_alpha_opt(res, m, (ulong) T, prec + 32)) {
            fmpq_t q;
            arb_t a;
            fmpq_init(q);
            arb_init(a);
            cp_alpha_star(q, m);
            arb_set_fmpq(a, q, prec + 32);
            arb_sub(res, a, res, prec + 32);
            arb_mul_ui(res, res, (ulong) T, prec);
            fmpq_clear(q);
            arb_clear(a);
        } else {
            arb_indeterminate(res);
        }
    }
    cp_model_clear(m);
    return rc;
}

static int q_rate_limit(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    int rc;
    cp_model_init(m);
    rc = fq_load(m, NULL, kv, fq_model_keys, 1, 1, err);
    if (rc == 0 && !cp_flow_rate_limit(res, m, prec)) {
        cp_kv_error(err, kv, "prior", "c_inf is derived only for m_lo > 0 and the uniform, two-point or Beta(a, a) prior");
        rc = -1;
    }
    cp_model_clear(m);
    return rc;
}

/* which: 0 alpha, 1 beta, 2 beta/alpha */
static int q_opt2(arb_t res, const cp_kv *kv, slong prec, char *err, int which)
{
    cp_model_t m;
    slong T;
    int rc;
    cp_model_init(m);
    rc = fq_load(m, &T, kv, fq_T2_keys, 2, 100000, err);
    if (rc == 0) {
        arb_t al, be, r;
        arb_init(al); arb_init(be); arb_init(r);
        if (!cp_flow_opt2(al, be, r, m, (ulong) T, prec))
            arb_indeterminate(res);
        else if (which == 0)
            arb_set(res, al);
        else if (which == 1)
            arb_set(res, be);
        else
            arb_div(res, be, al, prec);
        arb_clear(al); arb_clear(be); arb_clear(r);
    }
    cp_model_clear(m);
    return rc;
}

static int q_alpha_opt2(arb_t res, const cp_kv *kv, slong prec, char *err) { return q_opt2(res, kv, prec, err, 0); }
static int q_beta_opt(arb_t res, const cp_kv *kv, slong prec, char *err) { return q_opt2(res, kv, prec, err, 1); }
static int q_ratio_opt(arb_t res, const cp_kv *kv, slong prec, char *err) { return q_opt2(res, kv, prec, err, 2); }

static int q_excess(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    cp_model_t m;
    slong T = 1;
    int rc;
    cp_model_init(m);
    rc = fq_load(m, NULL, kv, fq_excess_keys, 1, 1, err);
    if (rc == 0 && cp_kv_has(kv, "alphas")) {
        fmpq *a = NULL, *b = NULL;
        slong na = 0, nb = 0;
        if (cp_kv_has(kv, "alpha") || cp_kv_has(kv, "beta") || cp_kv_has(kv, "T")) {
            cp_kv_error(err, kv, "alphas", "alphas (untied) excludes alpha, beta and T");
            rc = -1;
        } else if (cp_kv_get_ratlist(&a, &na, kv, fq_excess_keys, "alphas", err) != 0) {
            rc = -1;
        } else if (cp_kv_has(kv, "betas") && cp_kv_get_ratlist(&b, &nb, kv, fq_excess_keys, "betas", err) != 0) {
            rc = -1;
        } else if (b && nb != na) {
            cp_kv_error(err, kv, "betas", "betas has %ld values but alphas has %ld", (long) nb, (long) na);
            rc = -1;
        } else if (na < 1 || na > 1000) {
            cp_kv_error(err, kv, "alphas", "between 1 and 1000 layers");
            rc = -1;
        } else {
            arb_ptr av = _arb_vec_init(na), bv = _arb_vec_init(na);
            for (slong i = 0; i < na; i++) {
                arb_set_fmpq(av + i, a + i, prec);
                if (b)
                    arb_set_fmpq(bv + i, b + i, prec);
                else
                    arb_neg(bv + i, av + i);
            }
            cp_flow_excess_untied(res, m, av, bv, na, prec);
            _arb_vec_clear(av, na);
            _arb_vec_clear(bv, na);
        }
        if (a) _fmpq_vec_clear(a, na);
        if (b) _fmpq_vec_clear(b, nb);
    } else if (rc == 0) {
        fmpq_t a, b;
        fmpq_init(a);
        fmpq_init(b);
        rc = cp_read_ca_rats(a, b, &T, m, kv, fq_excess_keys, err);
        if (rc == 0) {
            arb_t aa, bb;
            fmpq_t mb;
            arb_init(aa);
            arb_init(bb);
            fmpq_init(mb);
            arb_set_fmpq(aa, a, prec);
            arb_set_fmpq(bb, b, prec);
            fmpq_neg(mb, a);
            if (fmpq_equal(mb, b))
                cp_flow_excess1(res, m, aa, (ulong) T, prec);
            else if (fmpq_is_zero(b))
                cp_ca_excess(res, m, aa, bb, (ulong) T, prec);   /* beta = 0: phi = alpha lambda T */
            else
                cp_flow_excess2(res, m, aa, bb, (ulong) T, prec);
            arb_clear(aa);
            arb_clear(bb);
            fmpq_clear(mb);
        }
        fmpq_clear(a);
        fmpq_clear(b);
    }
    cp_model_clear(m);
    return rc;
}

const cp_quantity_def cp_quantities_flow[] = {
    { "alpha-opt", "alpha_T, the minimizer of the one-parameter CA loss Loss_T (beta = -alpha)", fq_T_keys, q_alpha_opt, NULL, cp_qbox_alpha_opt },
    { "alpha-opt2", "alpha_T of the two-parameter minimizer (alpha_T, beta_T), T >= 2", fq_T2_keys, q_alpha_opt2, NULL, cp_qbox_alpha_opt2 },
    { "beta-opt", "beta_T of the two-parameter minimizer, T >= 2", fq_T2_keys, q_beta_opt, NULL, cp_qbox_beta_opt },
    { "ratio-opt", "beta_T/alpha_T of the two-parameter minimizer (tends to -1)", fq_T2_keys, q_ratio_opt, NULL, cp_qbox_ratio_opt },
    { "excess", "CA excess at (alpha, beta, T), or untied alphas=/betas= lists, L = inf", fq_excess_keys, q_excess, NULL, cp_qbox_excess },
    { "rate", "T (alpha* - alpha_T), one-parameter model", fq_T_keys, q_rate, NULL, cp_qbox_rate },
    { "rate-limit", "c_inf = rho* ln(m_hi/m_lo)/(2(2+m_lo+m_hi)) = lim T (alpha* - alpha_T) (derived)", fq_model_keys, q_rate_limit, NULL, cp_qbox_rate_limit },
    { NULL, NULL, NULL, NULL, NULL, NULL }
};
