/* model.c -- model parameters and certified prior expectations (model.h).
 * Derivations: docs/model.md, sections 1-2 and "Prior expectations". */
#include <string.h>
#include "crossproof/model.h"

const cp_key_spec cp_model_keys[] = { CP_MODEL_KEYS, CP_KEY_END };

/* Caps that turn an absurd request into an error before any work
 * (docs/design.md, "Limits"). */
#define CP_MAX_S    1000000
#define CP_MAX_DIM  100000

void cp_model_init(cp_model_t m)
{
    fmpq_init(m->m_lo);
    fmpq_init(m->m_hi);
    fmpq_init(m->sigma);
    fmpq_init(m->beta_a);
    fmpq_init(m->beta_b);
    m->d1 = m->d2 = 1;
    m->k = 1;
    m->prior = CP_PRIOR_UNIFORM;
    m->zeta = CP_ZETA_GAUSSIAN;
}

void cp_model_clear(cp_model_t m)
{
    fmpq_clear(m->m_lo);
    fmpq_clear(m->m_hi);
    fmpq_clear(m->sigma);
    fmpq_clear(m->beta_a);
    fmpq_clear(m->beta_b);
}

const char *cp_prior_name(cp_prior_kind p)
{
    switch (p) {
    case CP_PRIOR_UNIFORM: return "uniform";
    case CP_PRIOR_TWOPOINT: return "twopoint";
    case CP_PRIOR_BETA: return "beta";
    }
    return "?";
}

int cp_model_from_kv(cp_model_t m, const cp_kv *kv, char *err)
{
    const char *prior, *zeta;
    if (cp_kv_get_rat(m->m_lo, kv, cp_model_keys, "m_lo", err)
        || cp_kv_get_rat(m->m_hi, kv, cp_model_keys, "m_hi", err)
        || cp_kv_get_rat(m->sigma, kv, cp_model_keys, "sigma", err)
        || cp_kv_get_rat(m->beta_a, kv, cp_model_keys, "beta_a", err)
        || cp_kv_get_rat(m->beta_b, kv, cp_model_keys, "beta_b", err)
        || cp_kv_get_int(&m->d1, kv, cp_model_keys, "d1", err)
        || cp_kv_get_int(&m->d2, kv, cp_model_keys, "d2", err)
        || cp_kv_get_word(&prior, kv, cp_model_keys, "prior", err)
        || cp_kv_get_word(&zeta, kv, cp_model_keys, "zeta", err))
        return -1;

    if (strcmp(prior, "uniform") == 0) m->prior = CP_PRIOR_UNIFORM;
    else if (strcmp(prior, "twopoint") == 0) m->prior = CP_PRIOR_TWOPOINT;
    else if (strcmp(prior, "beta") == 0) m->prior = CP_PRIOR_BETA;
    else {
        cp_kv_error(err, kv, "prior", "unknown prior '%s' (uniform, twopoint, beta)", prior);
        return -1;
    }
    if (strcmp(zeta, "gaussian") == 0) m->zeta = CP_ZETA_GAUSSIAN;
    else if (strcmp(zeta, "rademacher") == 0) m->zeta = CP_ZETA_RADEMACHER;
    else {
        cp_kv_error(err, kv, "zeta", "unknown law of zeta '%s' (gaussian, rademacher)", zeta);
        return -1;
    }
    if (fmpq_sgn(m->m_lo) < 0) {
        cp_kv_error(err, kv, "m_lo", "m_lo must be >= 0 (it bounds s = |m|^2)");
        return -1;
    }
    if (fmpq_cmp(m->m_lo, m->m_hi) > 0) {
        char *a = fmpq_get_str(NULL, 10, m->m_lo), *b = fmpq_get_str(NULL, 10, m->m_hi);
        cp_kv_error(err, kv, cp_kv_has(kv, "m_lo") ? "m_lo" : "m_hi",
                    "m_lo = %s exceeds m_hi = %s (need m_lo <= m_hi)", a, b);
        flint_free(a);
        flint_free(b);
        return -1;
    }
    if (fmpq_cmp_si(m->m_hi, CP_MAX_S) > 0) {
        cp_kv_error(err, kv, "m_hi", "m_hi exceeds the cap %d", CP_MAX_S);
        return -1;
    }
    if (fmpq_sgn(m->sigma) < 0) {
        cp_kv_error(err, kv, "sigma", "sigma must be >= 0");
        return -1;
    }
    /* Lower cap 1/100: the rigorous integral cuts the singular end at
     * eps = 2^(-(prec + 8)/shape), and its cost grows like 1/shape (a shape of
     * 1/1000 took minutes; issue 8). */
    {
        fmpq_t lo;
        fmpq_init(lo);
        fmpq_set_si(lo, 1, 100);
        int bad_a = fmpq_cmp(m->beta_a, lo) < 0 || fmpq_cmp_si(m->beta_a, 10000) > 0;
        int bad_b = fmpq_cmp(m->beta_b, lo) < 0 || fmpq_cmp_si(m->beta_b, 10000) > 0;
        fmpq_clear(lo);
        if (bad_a || bad_b) {
            cp_kv_error(err, kv, bad_a ? "beta_a" : "beta_b", "Beta shapes must lie in [1/100, 10000]");
            return -1;
        }
    }
    if (m->d1 < 1 || m->d1 > CP_MAX_DIM) {
        cp_kv_error(err, kv, "d1", "d1 must lie in [1, %d]", CP_MAX_DIM);
        return -1;
    }
    if (m->d2 < 0 || m->d2 > CP_MAX_DIM) {
        cp_kv_error(err, kv, "d2", "d2 must lie in [0, %d]", CP_MAX_DIM);
        return -1;
    }
    m->k = 1;
    return 0;
}

void cp_model_get_approx(cp_model_approx *out, const cp_model_t m)
{
    out->m_lo = fmpq_get_d(m->m_lo);
    out->m_hi = fmpq_get_d(m->m_hi);
    out->sigma = fmpq_get_d(m->sigma);
    out->beta_a = fmpq_get_d(m->beta_a);
    out->beta_b = fmpq_get_d(m->beta_b);
    out->d1 = m->d1;
    out->d2 = m->d2;
    out->k = m->k;
    out->prior = m->prior;
    out->zeta = m->zeta;
}

/* --- exact moments ---------------------------------------------------- */

/* E[s^k] as an exact rational (docs/model.md, "Prior expectations"). */
static void prior_moment_fmpq(fmpq_t res, const cp_model_t m, ulong k)
{
    fmpq_t t, u, w;
    fmpq_init(t);
    fmpq_init(u);
    fmpq_init(w);
    switch (m->prior) {
    case CP_PRIOR_TWOPOINT:
        fmpq_pow_si(t, m->m_lo, (slong) k);
        fmpq_pow_si(u, m->m_hi, (slong) k);
        fmpq_add(res, t, u);
        fmpq_div_2exp(res, res, 1);
        break;
    case CP_PRIOR_UNIFORM:
        if (fmpq_equal(m->m_lo, m->m_hi)) {
            fmpq_pow_si(res, m->m_lo, (slong) k);
        } else {
            /* (hi^{k+1} - lo^{k+1}) / ((k+1)(hi - lo)) */
            fmpq_pow_si(t, m->m_hi, (slong) k + 1);
            fmpq_pow_si(u, m->m_lo, (slong) k + 1);
            fmpq_sub(t, t, u);
            fmpq_sub(w, m->m_hi, m->m_lo);
            fmpq_mul_ui(w, w, k + 1);
            fmpq_div(res, t, w);
        }
        break;
    case CP_PRIOR_BETA: {
        /* s = lo + w X, X ~ Beta(a, b), E X^j = prod_{i<j} (a+i)/(a+b+i) */
        fmpq_t ex, term, num, den;
        fmpz_t binom;
        fmpq_init(ex);
        fmpq_init(term);
        fmpq_init(num);
        fmpq_init(den);
        fmpz_init(binom);
        fmpq_sub(w, m->m_hi, m->m_lo);
        fmpq_zero(res);
        fmpq_one(ex);
        for (ulong j = 0; j <= k; j++) {
            if (j > 0) {
                fmpq_add_si(num, m->beta_a, (slong) j - 1);
                fmpq_add(den, m->beta_a, m->beta_b);
                fmpq_add_si(den, den, (slong) j - 1);
                fmpq_mul(ex, ex, num);
                fmpq_div(ex, ex, den);
            }
            fmpz_bin_uiui(binom, k, j);
            fmpq_pow_si(t, m->m_lo, (slong) (k - j));
            fmpq_pow_si(u, w, (slong) j);
            fmpq_mul(term, t, u);
            fmpq_mul(term, term, ex);
            fmpq_mul_fmpz(term, term, binom);
            fmpq_add(res, res, term);
        }
        fmpq_clear(ex);
        fmpq_clear(term);
        fmpq_clear(num);
        fmpq_clear(den);
        fmpz_clear(binom);
        break;
    }
    }
    fmpq_clear(t);
    fmpq_clear(u);
    fmpq_clear(w);
}

void cp_prior_moment(arb_t res, const cp_model_t m, ulong k, slong prec)
{
    fmpq_t q;
    fmpq_init(q);
    prior_moment_fmpq(q, m, k);
    arb_set_fmpq(res, q, prec);
    fmpq_clear(q);
}

void cp_prior_mean_inv1ps(arb_t res, const cp_model_t m, slong prec)
{
    fmpq_t q, one;
    arb_t t, u;
    fmpq_init(q);
    fmpq_init(one);
    arb_init(t);
    arb_init(u);
    fmpq_one(one);
    switch (m->prior) {
    case CP_PRIOR_TWOPOINT:
        fmpq_add(q, one, m->m_lo);
        fmpq_inv(q, q);
        arb_set_fmpq(t, q, prec);
        fmpq_add(q, one, m->m_hi);
        fmpq_inv(q, q);
        arb_set_fmpq(u, q, prec);
        arb_add(res, t, u, prec);
        arb_mul_2exp_si(res, res, -1);
        break;
    case CP_PRIOR_UNIFORM:
        if (fmpq_equal(m->m_lo, m->m_hi)) {
            fmpq_add(q, one, m->m_lo);
            fmpq_inv(q, q);
            arb_set_fmpq(res, q, prec);
        } else {
            /* log1p((hi - lo)/(1 + lo)) / (hi - lo) */
            fmpq_sub(q, m->m_hi, m->m_lo);
            arb_set_fmpq(u, q, prec);
            fmpq_add(one, one, m->m_lo);
            fmpq_div(q, q, one);
            arb_set_fmpq(t, q, prec);
            arb_log1p(t, t, prec);
            arb_div(res, t, u, prec);
        }
        break;
    case CP_PRIOR_BETA: {
        /* E[1/(1+s)] = 2F1(1, a; a+b; -z) / (1 + lo), z = (hi-lo)/(1+lo) */
        arb_t a, c, z, onearb;
        arb_init(a);
        arb_init(c);
        arb_init(z);
        arb_init(onearb);
        fmpq_add(one, one, m->m_lo);          /* 1 + lo */
        fmpq_sub(q, m->m_hi, m->m_lo);
        fmpq_div(q, q, one);
        fmpq_neg(q, q);
        arb_set_fmpq(z, q, prec);
        arb_set_fmpq(a, m->beta_a, prec);
        fmpq_set(q, m->beta_a);
        fmpq_add(q, q, m->beta_b);
        arb_set_fmpq(c, q, prec);
        arb_one(onearb);
        arb_hypgeom_2f1(t, onearb, a, c, z, 0, prec);
        arb_set_fmpq(u, one, prec);
        arb_div(res, t, u, prec);
        arb_clear(a);
        arb_clear(c);
        arb_clear(z);
        arb_clear(onearb);
        break;
    }
    }
    fmpq_clear(q);
    fmpq_clear(one);
    arb_clear(t);
    arb_clear(u);
}

void cp_prior_mean_s_over_1ps(arb_t res, const cp_model_t m, slong prec)
{
    cp_prior_mean_inv1ps(res, m, prec);
    arb_neg(res, res);
    arb_add_ui(res, res, 1, prec);
}

/* --- generic expectation by rigorous integration ------------------------ */

typedef struct {
    cp_sfunc f;
    void *param;
    arb_t lo, width;       /* s = lo + width x */
    arb_t am1, bm1;        /* Beta: a - 1, b - 1 */
    int beta;
    int reflect;           /* integrate in y = 1 - x (see cp_prior_expect) */
} expect_ctx;

/* Integrand in x in [0, 1]: f(lo + w x) for the uniform prior;
 * f(lo + w x) x^{a-1} (1-x)^{b-1} for the Beta prior. */
static int expect_integrand(acb_ptr res, const acb_t x, void *param, slong order, slong prec)
{
    expect_ctx *c = param;
    acb_t s, t, u;
    acb_init(s);
    acb_init(t);
    acb_init(u);
    /* reflected: the argument is y = 1 - x, and the (1-x) factor is taken
     * from y directly so that it keeps full relative accuracy near y = 0 */
    acb_t x0, x1;
    acb_init(x0);
    acb_init(x1);
    acb_sub_ui(x1, x, 1, prec);
    acb_neg(x1, x1);
    acb_set(x0, c->reflect ? x1 : x);
    acb_set(x1, c->reflect ? x : x1);
    acb_mul_arb(s, x0, c->width, prec);
    acb_add_arb(s, s, c->lo, prec);
    c->f(res, s, c->param, order, prec);
    if (c->beta) {
        /* acb_pow_analytic marks the branch cut (x <= 0) as non-holomorphic */
        acb_set_arb(u, c->am1);
        acb_pow_analytic(t, x0, u, order != 0, prec);
        acb_mul(res, res, t, prec);
        acb_set_arb(u, c->bm1);
        acb_pow_analytic(t, x1, u, order != 0, prec);
        acb_mul(res, res, t, prec);
    }
    acb_clear(x0);
    acb_clear(x1);
    acb_clear(s);
    acb_clear(t);
    acb_clear(u);
    return 0;
}

void cp_prior_expect(arb_t res, const cp_model_t m, cp_sfunc f, void *param, slong prec)
{
    acb_t v, a, b;
    acb_init(v);
    acb_init(a);
    acb_init(b);
    if (m->prior == CP_PRIOR_TWOPOINT || fmpq_equal(m->m_lo, m->m_hi)) {
        arb_t acc;
        arb_init(acc);
        acb_set_fmpq(a, m->m_lo, prec);
        f(v, a, param, 0, prec);
        arb_set(acc, acb_realref(v));
        if (m->prior == CP_PRIOR_TWOPOINT) {
            acb_set_fmpq(a, m->m_hi, prec);
            f(v, a, param, 0, prec);
            arb_add(acc, acc, acb_realref(v), prec);
            arb_mul_2exp_si(acc, acc, -1);
        }
        arb_swap(res, acc);
        arb_clear(acc);
    } else {
        expect_ctx c;
        fmpq_t w;
        mag_t tol;
        acb_calc_integrate_opt_t opt;
        fmpq_init(w);
        mag_init(tol);
        arb_init(c.lo);
        arb_init(c.width);
        arb_init(c.am1);
        arb_init(c.bm1);
        c.f = f;
        c.param = param;
        c.beta = (m->prior == CP_PRIOR_BETA);
        arb_set_fmpq(c.lo, m->m_lo, prec);
        fmpq_sub(w, m->m_hi, m->m_lo);
        arb_set_fmpq(c.width, w, prec);
        if (c.beta) {
            arb_set_fmpq(c.am1, m->beta_a, prec);
            arb_sub_ui(c.am1, c.am1, 1, prec);
            arb_set_fmpq(c.bm1, m->beta_b, prec);
            arb_sub_ui(c.bm1, c.bm1, 1, prec);
        }
        acb_calc_integrate_opt_init(opt);
        opt->eval_limit = 1000000 + 1000 * prec;
        opt->depth_limit = 4 * prec + 64;
        mag_set_ui_2exp_si(tol, 1, -prec);
        c.reflect = 0;
        acb_zero(a);
        acb_one(b);
        if (c.beta && !(fmpz_is_one(fmpq_denref(m->beta_a)) && fmpz_is_one(fmpq_denref(m->beta_b)))) {
            /* Bug fix (found by tests/test_lsa.c): a non-integer Beta shape
             * puts a branch point of the weight x^{a-1} or (1-x)^{b-1} at an
             * endpoint (unbounded when the shape is below 1); acb_calc_integrate
             * could not bound a segment touching it and the result was
             * [nan +/- inf] (e.g. Beta(1/2, 3/2), Beta(7/2, 5/3)).  Split at
             * 1/2, integrate the upper half in y = 1 - x (so each endpoint sits
             * at 0, where dyadic points resolve it), cut eps = 2^-k off a
             * non-integer end with eps^shape <= 2^-(prec+8), and enclose that
             * tail by the mean value theorem (the weight is positive):
             *   int_0^eps h(y) y^{shape-1} dy  in  hull h([0, eps]) * eps^shape / shape. */
            acb_t part, yb, sv, hv, ex;
            arb_t eps, sh, t;
            fmpz_t kz;
            acb_init(part); acb_init(yb); acb_init(sv); acb_init(hv); acb_init(ex);
            arb_init(eps); arb_init(sh); arb_init(t);
            fmpz_init(kz);
            acb_zero(v);
            for (int side = 0; side < 2; side++) {
                const fmpq *shape = side ? m->beta_b : m->beta_a;
                c.reflect = side;
                acb_zero(a);
                acb_one(b);
                acb_mul_2exp_si(b, b, -1);       /* [0, 1/2] in x or in y */
                if (!fmpz_is_one(fmpq_denref(shape))) {
                    fmpz_mul_ui(kz, fmpq_denref(shape), (ulong) prec + 8);
                    fmpz_cdiv_q(kz, kz, fmpq_numref(shape));
                    slong k = fmpz_get_si(kz);    /* ceil((prec + 8) / shape) */
                    arb_one(eps);
                    arb_mul_2exp_si(eps, eps, -k);
                    /* yb = [0, eps]; hv = integrand without the singular factor */
                    arb_mul_2exp_si(acb_realref(yb), eps, -1);
                    arb_add_error_2exp_si(acb_realref(yb), -k - 1);
                    arb_zero(acb_imagref(yb));
                    acb_sub_ui(sv, yb, 1, prec);
                    acb_neg(sv, sv);              /* 1 - y, the other factor's argument */
                    acb_mul_arb(hv, side ? sv : yb, c.width, prec);
                    acb_add_arb(hv, hv, c.lo, prec);
                    c.f(hv, hv, c.param, 0, prec);
                    acb_set_arb(ex, side ? c.am1 : c.bm1);
                    acb_pow(sv, sv, ex, prec);
                    acb_mul(hv, hv, sv, prec);
                    arb_set_fmpq(sh, shape, prec);
                    arb_pow(t, eps, sh, prec);
                    arb_div(t, t, sh, prec);
                    acb_mul_arb(hv, hv, t, prec);
                    acb_add(v, v, hv, prec);
                    acb_set_arb(a, eps);
                    opt->depth_limit = FLINT_MAX(opt->depth_limit, 2 * k + 64);
                }
                acb_calc_integrate(part, expect_integrand, &c, a, b, prec, tol, opt, prec);
                acb_add(v, v, part, prec);
            }
            acb_clear(part); acb_clear(yb); acb_clear(sv); acb_clear(hv); acb_clear(ex);
            arb_clear(eps); arb_clear(sh); arb_clear(t);
            fmpz_clear(kz);
        } else {
            acb_calc_integrate(v, expect_integrand, &c, a, b, prec, tol, opt, prec);
        }
        arb_set(res, acb_realref(v));
        if (c.beta) {
            /* divide by B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b) */
            arb_t ga, gb, gab;
            fmpq_t ab;
            arb_init(ga);
            arb_init(gb);
            arb_init(gab);
            fmpq_init(ab);
            arb_gamma_fmpq(ga, m->beta_a, prec);
            arb_gamma_fmpq(gb, m->beta_b, prec);
            fmpq_add(ab, m->beta_a, m->beta_b);
            arb_gamma_fmpq(gab, ab, prec);
            arb_mul(res, res, gab, prec);
            arb_div(res, res, ga, prec);
            arb_div(res, res, gb, prec);
            arb_clear(ga);
            arb_clear(gb);
            arb_clear(gab);
            fmpq_clear(ab);
        }
        fmpq_clear(w);
        mag_clear(tol);
        arb_clear(c.lo);
        arb_clear(c.width);
        arb_clear(c.am1);
        arb_clear(c.bm1);
    }
    acb_clear(v);
    acb_clear(a);
    acb_clear(b);
}
