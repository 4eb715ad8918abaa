/* general.c -- the general latent factor model (general.h): k factors,
 * modality-specific noise.  Every formula cites docs/model.md, section 11.
 *
 * Where a quantity is a k = 1 isotropic quantity of a rescaled model
 * ((G-4), (G-5), (G-6) in the 1-D case, (G-8)), the rescaled model is built
 * exactly (rational support times a rational factor) and handed to the
 * lsa.h function: at tau1 = tau2 = 1 the factor is exactly 1 and the result
 * is that function's, bit for bit. */
#include <math.h>
#include <string.h>
#include "crossproof/general.h"
#include "crossproof/quantity.h"

const cp_key_spec cp_general_keys[] = { CP_GENERAL_KEYS, CP_KEY_END };

#define CP_GEN_MAX_K 10000

void cp_general_init(cp_general_t g)
{
    cp_model_init(g->base);
    fmpq_init(g->tau1);
    fmpq_init(g->tau2);
    fmpq_init(g->t1);
    fmpq_init(g->t2);
    fmpq_init(g->split);
    fmpq_one(g->tau1);
    fmpq_one(g->tau2);
    fmpq_one(g->t1);
    fmpq_one(g->t2);
    fmpq_set_si(g->split, 1, 2);
    g->k = 1;
}

void cp_general_clear(cp_general_t g)
{
    cp_model_clear(g->base);
    fmpq_clear(g->tau1);
    fmpq_clear(g->tau2);
    fmpq_clear(g->t1);
    fmpq_clear(g->t2);
    fmpq_clear(g->split);
}

static int tau_ok(const fmpq_t t)
{
    fmpq_t lo;
    int ok;
    fmpq_init(lo);
    fmpq_set_si(lo, 1, 1000);
    ok = fmpq_cmp(t, lo) >= 0 && fmpq_cmp_si(t, 1000) <= 0;
    fmpq_clear(lo);
    return ok;
}

const char *cp_general_invalid(const cp_general_t g, const char **key)
{
    if (!tau_ok(g->tau1) || !tau_ok(g->tau2)) {
        *key = tau_ok(g->tau1) ? "tau2" : "tau1";
        return "noise levels must lie in [1/1000, 1000]";
    }
    if (fmpq_sgn(g->split) < 0 || fmpq_cmp_si(g->split, 1) > 0) {
        *key = "split";
        return "split must lie in [0, 1] (the fraction of |m|^2 in modality 1)";
    }
    if (g->k < 1 || g->k > CP_GEN_MAX_K) {
        *key = "k";
        return "k must lie in [1, 10000]";
    }
    /* block-orthogonal factors (G-1): k orthonormal directions per loaded modality */
    if (fmpq_sgn(g->split) > 0 && g->k > g->base->d1) {
        *key = "k";
        return "k factors need d1 >= k (block-orthogonal loadings, docs/model.md (G-1))";
    }
    if (fmpq_cmp_si(g->split, 1) < 0 && g->k > g->base->d2) {
        *key = g->base->d2 == 0 ? "split" : "k";
        return "split < 1 loads modality 2, which needs d2 >= k (docs/model.md (G-1))";
    }
    return NULL;
}

void cp_general_set_noise(cp_general_t g, const fmpq_t tau1, const fmpq_t tau2)
{
    fmpq_set(g->tau1, tau1);
    fmpq_set(g->tau2, tau2);
    fmpq_mul(g->t1, tau1, tau1);
    fmpq_mul(g->t2, tau2, tau2);
}

int cp_general_from_kv(cp_general_t g, const cp_kv *kv, const cp_key_spec *keys, char *err)
{
    const char *key = NULL, *msg;
    if (cp_model_from_kv(g->base, kv, err)
        || cp_kv_get_int(&g->k, kv, keys, "k", err)
        || cp_kv_get_rat(g->tau1, kv, keys, "tau1", err)
        || cp_kv_get_rat(g->tau2, kv, keys, "tau2", err)
        || cp_kv_get_rat(g->split, kv, keys, "split", err))
        return -1;
    if ((msg = cp_general_invalid(g, &key)) != NULL) {
        cp_kv_error(err, kv, key, "%s", msg);
        return -1;
    }
    cp_general_set_noise(g, g->tau1, g->tau2);
    return 0;
}

int cp_general_is_1d(fmpq_t t, const cp_general_t g)
{
    if (fmpq_equal(g->t1, g->t2) || fmpq_is_one(g->split)) {
        fmpq_set(t, g->t1);
        return 1;
    }
    if (fmpq_is_zero(g->split)) {
        fmpq_set(t, g->t2);
        return 1;
    }
    return 0;
}

void cp_general_q(fmpq_t q, const cp_general_t g)
{
    /* (G-3): q = theta/t1 + (1 - theta)/t2 */
    fmpq_t a;
    fmpq_init(a);
    fmpq_div(q, g->split, g->t1);
    fmpq_sub_si(a, g->split, 1);
    fmpq_neg(a, a);
    fmpq_div(a, a, g->t2);
    fmpq_add(q, q, a);
    fmpq_clear(a);
}

void cp_general_scaled_model(cp_model_t out, const cp_general_t g, const fmpq_t f)
{
    const cp_model_struct *b = g->base;
    fmpq_mul(out->m_lo, b->m_lo, f);
    fmpq_mul(out->m_hi, b->m_hi, f);
    fmpq_set(out->sigma, b->sigma);
    fmpq_set(out->beta_a, b->beta_a);
    fmpq_set(out->beta_b, b->beta_b);
    out->d1 = b->d1;
    out->d2 = b->d2;
    out->k = 1;
    out->prior = b->prior;
    out->zeta = b->zeta;
}

/* x * k as a ball (k = 1 leaves x untouched) */
static void times_k(arb_t x, const cp_general_t g, slong prec)
{
    if (g->k != 1)
        arb_mul_si(x, x, g->k, prec);
}

/* --- one task: the 2 x 2 problem (G-2) ---------------------------------- */

/* the task's constants as balls: theta, 1 - theta, r = sqrt(theta (1 - theta)),
 * u = (sqrt theta, sqrt(1 - theta)), t1, t2 */
typedef struct {
    arb_t th, th1, r, u1, u2, t1, t2;
} task_consts;

static void consts_init(task_consts *c, const cp_general_t g, slong prec)
{
    fmpq_t a;
    fmpq_init(a);
    arb_init(c->th); arb_init(c->th1); arb_init(c->r); arb_init(c->u1); arb_init(c->u2);
    arb_init(c->t1); arb_init(c->t2);
    arb_set_fmpq(c->th, g->split, prec);
    fmpq_sub_si(a, g->split, 1);
    fmpq_neg(a, a);
    arb_set_fmpq(c->th1, a, prec);
    fmpq_mul(a, a, g->split);
    arb_set_fmpq(c->r, a, prec);
    arb_sqrt(c->r, c->r, prec);
    arb_sqrt(c->u1, c->th, prec);
    arb_sqrt(c->u2, c->th1, prec);
    arb_set_fmpq(c->t1, g->t1, prec);
    arb_set_fmpq(c->t2, g->t2, prec);
    fmpq_clear(a);
}

static void consts_clear(task_consts *c)
{
    arb_clear(c->th); arb_clear(c->th1); arb_clear(c->r); arb_clear(c->u1); arb_clear(c->u2);
    arb_clear(c->t1); arb_clear(c->t2);
}

/* Lambda = diag(t1, t2) + s u u^T: entries l11, l12, l22 */
static void task_lambda(arb_t l11, arb_t l12, arb_t l22, const task_consts *c, const arb_t s, slong prec)
{
    arb_mul(l11, c->th, s, prec);
    arb_add(l11, l11, c->t1, prec);
    arb_mul(l22, c->th1, s, prec);
    arb_add(l22, l22, c->t2, prec);
    arb_mul(l12, c->r, s, prec);
}

void cp_general_task_spectrum(arb_t lam_minus, arb_t lam_plus, arb_t om_minus, arb_t om_plus,
                              const cp_general_t g, const arb_t s, slong prec)
{
    fmpq_t t;
    fmpq_init(t);
    if (cp_general_is_1d(t, g)) {
        /* lambda = t + s carries c, weight s/(t + s); the other eigenvalue
         * (the other modality's t, or t itself) carries none */
        arb_set_fmpq(lam_plus, t, prec);
        arb_add(lam_plus, lam_plus, s, prec);
        arb_div(om_plus, s, lam_plus, prec);
        if (fmpq_is_one(g->split))
            arb_set_fmpq(lam_minus, g->t2, prec);
        else if (fmpq_is_zero(g->split))
            arb_set_fmpq(lam_minus, g->t1, prec);
        else
            arb_set_fmpq(lam_minus, t, prec);
        arb_zero(om_minus);
        /* order the pair */
        if (arb_gt(lam_minus, lam_plus)) {
            arb_swap(lam_minus, lam_plus);
            arb_swap(om_minus, om_plus);
        }
    } else {
        task_consts c;
        arb_t l11, l12, l22, tr, disc, sq, p, x;
        consts_init(&c, g, prec);
        arb_init(l11); arb_init(l12); arb_init(l22); arb_init(tr); arb_init(disc);
        arb_init(sq); arb_init(p); arb_init(x);
        task_lambda(l11, l12, l22, &c, s, prec);
        arb_add(tr, l11, l22, prec);
        arb_sub(disc, l11, l22, prec);
        arb_sqr(disc, disc, prec);
        arb_sqr(x, l12, prec);
        arb_addmul_ui(disc, x, 4, prec);
        arb_sqrtpos(sq, disc, prec);
        arb_add(lam_plus, tr, sq, prec);
        arb_mul_2exp_si(lam_plus, lam_plus, -1);
        arb_sub(lam_minus, tr, sq, prec);
        arb_mul_2exp_si(lam_minus, lam_minus, -1);
        /* c_+^2 = s (p + s - lam_-)/(lam_+ - lam_-), p = theta t1 + (1-theta) t2;
         * c_-^2 = s - c_+^2; omega = c^2/lambda */
        arb_mul(p, c.th, c.t1, prec);
        arb_addmul(p, c.th1, c.t2, prec);
        arb_add(x, p, s, prec);
        arb_sub(x, x, lam_minus, prec);
        arb_mul(x, x, s, prec);
        arb_div(x, x, sq, prec);                 /* c_+^2 */
        arb_sub(om_minus, s, x, prec);
        arb_div(om_minus, om_minus, lam_minus, prec);
        arb_div(om_plus, x, lam_plus, prec);
        consts_clear(&c);
        arb_clear(l11); arb_clear(l12); arb_clear(l22); arb_clear(tr); arb_clear(disc);
        arb_clear(sq); arb_clear(p); arb_clear(x);
    }
    fmpq_clear(t);
}

/* --- Bayes risk (G-4) ----------------------------------------------------- */

void cp_general_bayes_risk(arb_t res, const cp_general_t g, slong prec)
{
    /* k E[1/(1 + q s)] + sigma^2: E[1/(1+s')] of the model with support q [m_lo, m_hi] */
    cp_model_t sm;
    fmpq_t q;
    cp_model_init(sm);
    fmpq_init(q);
    cp_general_q(q, g);
    cp_general_scaled_model(sm, g, q);
    if (g->k == 1) {
        cp_bayes_risk(res, sm, prec);
    } else {
        fmpq_t s2;
        arb_t t;
        fmpq_init(s2);
        arb_init(t);
        cp_prior_mean_inv1ps(res, sm, prec);
        times_k(res, g, prec);
        fmpq_mul(s2, g->base->sigma, g->base->sigma);
        arb_set_fmpq(t, s2, prec);
        arb_add(res, res, t, prec);
        fmpq_clear(s2);
        arb_clear(t);
    }
    cp_model_clear(sm);
    fmpq_clear(q);
}

cp_approx cp_general_bayes_risk_approx(const cp_general_t g)
{
    cp_model_t sm;
    cp_model_approx a;
    fmpq_t q;
    cp_model_init(sm);
    fmpq_init(q);
    cp_general_q(q, g);
    cp_general_scaled_model(sm, g, q);
    cp_model_get_approx(&a, sm);
    cp_approx r = cp_bayes_risk_approx(&a);
    r.approx = (double) g->k * (r.approx - a.sigma * a.sigma) + a.sigma * a.sigma;
    cp_model_clear(sm);
    fmpq_clear(q);
    return r;
}

/* --- gamma-form LSA (G-5) -------------------------------------------------- */

/* a2 = E s^2 + p E s, a1 = E s, a0 = E[q s/(1 + q s)] */
static void gen_gamma_moments(arb_t a2, arb_t a1, arb_t a0, const cp_general_t g, slong prec)
{
    cp_model_t sm;
    fmpq_t q, p, a;
    arb_t t;
    cp_model_init(sm);
    fmpq_init(q); fmpq_init(p); fmpq_init(a);
    arb_init(t);
    /* p = theta t1 + (1 - theta) t2 = u^T Psi u */
    fmpq_mul(p, g->split, g->t1);
    fmpq_sub_si(a, g->split, 1);
    fmpq_neg(a, a);
    fmpq_mul(a, a, g->t2);
    fmpq_add(p, p, a);
    cp_prior_moment(a1, g->base, 1, prec);
    cp_prior_moment(t, g->base, 2, prec);
    if (fmpq_is_one(p)) {
        arb_add(a2, a1, t, prec);
    } else {
        arb_set_fmpq(a2, p, prec);
        arb_mul(a2, a2, a1, prec);
        arb_add(a2, a2, t, prec);
    }
    cp_general_q(q, g);
    cp_general_scaled_model(sm, g, q);
    cp_prior_mean_s_over_1ps(a0, sm, prec);
    cp_model_clear(sm);
    fmpq_clear(q); fmpq_clear(p); fmpq_clear(a);
    arb_clear(t);
}

void cp_general_gamma_excess_avg(arb_t res, const cp_general_t g, const arb_t gamma, slong prec)
{
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gen_gamma_moments(a2, a1, a0, g, prec);
    cp_lsa_gamma_quadratic(res, a2, a1, a0, gamma, prec);
    times_k(res, g, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

void cp_general_gamma_avg(arb_t res, const cp_general_t g, slong prec)
{
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gen_gamma_moments(a2, a1, a0, g, prec);
    arb_div(res, a1, a2, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

void cp_general_gamma_excess_best(arb_t res, const cp_general_t g, slong prec)
{
    arb_t a2, a1, a0;
    arb_init(a2); arb_init(a1); arb_init(a0);
    gen_gamma_moments(a2, a1, a0, g, prec);
    arb_sqr(a1, a1, prec);
    arb_div(a1, a1, a2, prec);
    arb_sub(res, a0, a1, prec);
    times_k(res, g, prec);
    arb_clear(a2); arb_clear(a1); arb_clear(a0);
}

/* --- tied CA (G-6) --------------------------------------------------------- */

typedef struct {
    task_consts c;
    const arb_struct *alpha, *beta;
    arb_t ab;     /* alpha / beta */
    int richardson;   /* beta = -alpha exactly */
    ulong T;
} gca_param;

/* 2 x 2 complex matrices as a[0..3] = (11, 12, 21, 22) */
static void mat2_mul(acb_ptr r, acb_srcptr a, acb_srcptr b, slong prec)
{
    acb_t x, y;
    acb_ptr t = _acb_vec_init(4);
    acb_init(x); acb_init(y);
    acb_mul(x, a + 0, b + 0, prec); acb_addmul(x, a + 1, b + 2, prec); acb_set(t + 0, x);
    acb_mul(x, a + 0, b + 1, prec); acb_addmul(x, a + 1, b + 3, prec); acb_set(t + 1, x);
    acb_mul(y, a + 2, b + 0, prec); acb_addmul(y, a + 3, b + 2, prec); acb_set(t + 2, y);
    acb_mul(y, a + 2, b + 1, prec); acb_addmul(y, a + 3, b + 3, prec); acb_set(t + 3, y);
    _acb_vec_set(r, t, 4);
    _acb_vec_clear(t, 4);
    acb_clear(x); acb_clear(y);
}

/* s u^T Lambda^{-1} F(Lambda)^2 u, F = I - phi(Lambda) (G-6); meromorphic in
 * s, its only pole where det Lambda = 0, at s < 0. */
static int gca_integrand(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    gca_param *p = param;
    acb_ptr L = _acb_vec_init(4), F = _acb_vec_init(4), P = _acb_vec_init(4);
    acb_t y1, y2, num, det, t;
    (void) order;
    acb_init(y1); acb_init(y2); acb_init(num); acb_init(det); acb_init(t);
    acb_mul_arb(L + 0, s, p->c.th, prec);
    acb_add_arb(L + 0, L + 0, p->c.t1, prec);
    acb_mul_arb(L + 3, s, p->c.th1, prec);
    acb_add_arb(L + 3, L + 3, p->c.t2, prec);
    acb_mul_arb(L + 1, s, p->c.r, prec);
    acb_set(L + 2, L + 1);
    if (arb_is_zero(p->beta)) {
        /* F = I - alpha T Lambda */
        for (int i = 0; i < 4; i++) {
            acb_mul_arb(F + i, L + i, p->alpha, prec);
            acb_mul_ui(F + i, F + i, p->T, prec);
            acb_neg(F + i, F + i);
        }
    } else {
        /* R = I + beta Lambda, P = R^T by squaring; F = I - (alpha/beta)(P - I),
         * which is P itself when beta = -alpha (taken directly: no cancellation
         * of I against P - I when P is tiny) */
        acb_ptr R = _acb_vec_init(4);
        for (int i = 0; i < 4; i++)
            acb_mul_arb(R + i, L + i, p->beta, prec);
        acb_add_ui(R + 0, R + 0, 1, prec);
        acb_add_ui(R + 3, R + 3, 1, prec);
        acb_one(P + 0); acb_zero(P + 1); acb_zero(P + 2); acb_one(P + 3);
        for (ulong e = p->T; e != 0; e >>= 1) {
            if (e & 1)
                mat2_mul(P, P, R, prec);
            if (e > 1)
                mat2_mul(R, R, R, prec);
        }
        _acb_vec_clear(R, 4);
        if (p->richardson) {
            _acb_vec_set(F, P, 4);
        } else {
            acb_sub_ui(P + 0, P + 0, 1, prec);
            acb_sub_ui(P + 3, P + 3, 1, prec);
            for (int i = 0; i < 4; i++) {
                acb_mul_arb(F + i, P + i, p->ab, prec);
                acb_neg(F + i, F + i);
            }
            acb_add_ui(F + 0, F + 0, 1, prec);
            acb_add_ui(F + 3, F + 3, 1, prec);
        }
    }
    if (arb_is_zero(p->beta)) {
        acb_add_ui(F + 0, F + 0, 1, prec);
        acb_add_ui(F + 3, F + 3, 1, prec);
    }
    /* y = F u */
    acb_mul_arb(y1, F + 0, p->c.u1, prec);
    acb_mul_arb(t, F + 1, p->c.u2, prec);
    acb_add(y1, y1, t, prec);
    acb_mul_arb(y2, F + 2, p->c.u1, prec);
    acb_mul_arb(t, F + 3, p->c.u2, prec);
    acb_add(y2, y2, t, prec);
    /* y^T adj(Lambda) y / det Lambda */
    acb_sqr(num, y1, prec);
    acb_mul(num, num, L + 3, prec);
    acb_sqr(t, y2, prec);
    acb_addmul(num, t, L + 0, prec);
    acb_mul(t, y1, y2, prec);
    acb_mul(t, t, L + 1, prec);
    acb_mul_2exp_si(t, t, 1);
    acb_sub(num, num, t, prec);
    acb_mul(det, L + 0, L + 3, prec);
    acb_sqr(t, L + 1, prec);
    acb_sub(det, det, t, prec);
    acb_mul(num, num, s, prec);
    acb_div(res, num, det, prec);
    _acb_vec_clear(L, 4); _acb_vec_clear(F, 4); _acb_vec_clear(P, 4);
    acb_clear(y1); acb_clear(y2); acb_clear(num); acb_clear(det); acb_clear(t);
    return 0;
}

/* x t for an exact rational t (t = 1 leaves x untouched) */
static void mul_rat(arb_t res, const arb_t x, const fmpq_t t, slong prec)
{
    if (fmpq_is_one(t)) {
        arb_set(res, x);
    } else {
        arb_t u;
        arb_init(u);
        arb_set_fmpq(u, t, prec);
        arb_mul(res, x, u, prec);
        arb_clear(u);
    }
}

static void ca_excess_impl(arb_t res, const cp_general_t g, const arb_t alpha, const arb_t beta,
                           ulong T, int richardson, slong prec)
{
    fmpq_t t;
    fmpq_init(t);
    if (cp_general_is_1d(t, g)) {
        /* lambda = t (1 + s/t): the isotropic excess of the model with support
         * [m_lo, m_hi]/t at (alpha t, beta t) (G-6, 1-D case) */
        cp_model_t sm;
        fmpq_t it;
        arb_t a, b;
        cp_model_init(sm);
        fmpq_init(it);
        arb_init(a); arb_init(b);
        fmpq_inv(it, t);
        cp_general_scaled_model(sm, g, it);
        mul_rat(a, alpha, t, prec);
        mul_rat(b, beta, t, prec);
        cp_ca_excess(res, sm, a, b, T, prec);
        cp_model_clear(sm);
        fmpq_clear(it);
        arb_clear(a); arb_clear(b);
    } else {
        gca_param p;
        consts_init(&p.c, g, prec);
        arb_init(p.ab);
        p.alpha = alpha;
        p.beta = beta;
        p.T = T;
        if (!arb_is_zero(beta))
            arb_div(p.ab, alpha, beta, prec);
        p.richardson = richardson;
        cp_prior_expect(res, g->base, gca_integrand, &p, prec);
        consts_clear(&p.c);
        arb_clear(p.ab);
    }
    times_k(res, g, prec);
    fmpq_clear(t);
}

void cp_general_ca_excess(arb_t res, const cp_general_t g, const arb_t alpha, const arb_t beta,
                          ulong T, slong prec)
{
    /* beta = -alpha is used as such only when both are exact and sum to 0 */
    arb_t z;
    arb_init(z);
    arb_add(z, alpha, beta, prec);
    ca_excess_impl(res, g, alpha, beta, T, arb_is_exact(alpha) && arb_is_exact(beta) && arb_is_zero(z), prec);
    arb_clear(z);
}

void cp_general_richardson_excess(arb_t res, const cp_general_t g, const arb_t alpha, ulong T, slong prec)
{
    arb_t beta;
    arb_init(beta);
    arb_neg(beta, alpha);
    ca_excess_impl(res, g, alpha, beta, T, 1, prec);
    arb_clear(beta);
}

/* doubles: the eigen form sum_pm omega_pm (1 - phi(lam_pm))^2 */
typedef struct { double t1, t2, th, alpha, beta; ulong T; } gca_param_d;

static double phi_d(double lam, const gca_param_d *c)
{
    if (c->beta == 0)
        return c->alpha * lam * (double) c->T;
    return c->alpha / c->beta * (pow(1 + c->beta * lam, (double) c->T) - 1);
}

static double gca_excess_d(double s, const void *param)
{
    const gca_param_d *c = param;
    double l11 = c->t1 + c->th * s, l22 = c->t2 + (1 - c->th) * s, l12 = sqrt(c->th * (1 - c->th)) * s;
    double tr = l11 + l22, sq = sqrt((l11 - l22) * (l11 - l22) + 4 * l12 * l12);
    double lp = 0.5 * (tr + sq), lm = 0.5 * (tr - sq);
    double p = c->th * c->t1 + (1 - c->th) * c->t2;
    double cp2 = s * (p + s - lm) / sq, cm2 = s - cp2;
    double fp = 1 - phi_d(lp, c), fm = 1 - phi_d(lm, c);
    return cp2 / lp * fp * fp + cm2 / lm * fm * fm;
}

cp_approx cp_general_ca_excess_approx(const cp_general_t g, double alpha, double beta, ulong T)
{
    fmpq_t t;
    cp_approx r;
    fmpq_init(t);
    if (cp_general_is_1d(t, g)) {
        cp_model_t sm;
        cp_model_approx a;
        fmpq_t it;
        cp_model_init(sm);
        fmpq_init(it);
        fmpq_inv(it, t);
        cp_general_scaled_model(sm, g, it);
        cp_model_get_approx(&a, sm);
        double td = fmpq_get_d(t);
        r = cp_ca_excess_approx(&a, alpha * td, beta * td, T);
        cp_model_clear(sm);
        fmpq_clear(it);
    } else {
        cp_model_approx a;
        cp_model_get_approx(&a, g->base);
        gca_param_d c = { fmpq_get_d(g->t1), fmpq_get_d(g->t2), fmpq_get_d(g->split), alpha, beta, T };
        r.approx = cp_lsa_prior_expect_approx(&a, gca_excess_d, &c);
    }
    r.approx *= (double) g->k;
    fmpq_clear(t);
    return r;
}

/* --- the minimax step (G-7) ------------------------------------------------ */

void cp_general_alpha_star(arb_t alpha, arb_t rho, arb_t lam_min, arb_t lam_max,
                           fmpq_t qa, fmpq_t qr, int *exact, const cp_general_t g, slong prec)
{
    fmpq_t t, lo, hi, sum;
    arb_t a, b, w1, w2, x;
    fmpq_init(t); fmpq_init(lo); fmpq_init(hi); fmpq_init(sum);
    arb_init(a); arb_init(b); arb_init(w1); arb_init(w2); arb_init(x);
    if (cp_general_is_1d(t, g)) {
        /* hull [t + m_lo, t + m_hi]: exact rationals */
        fmpq_add(lo, t, g->base->m_lo);
        fmpq_add(hi, t, g->base->m_hi);
        fmpq_add(sum, lo, hi);
        arb_set_fmpq(a, lo, prec);
        arb_set_fmpq(b, hi, prec);
        fmpq_inv(lo, sum);
        fmpq_mul_2exp(lo, lo, 1);                       /* 2/(lo + hi) */
        fmpq_sub(hi, g->base->m_hi, g->base->m_lo);
        fmpq_div(hi, hi, sum);                          /* (hi - lo)/(lo + hi) */
        if (alpha != NULL) arb_set_fmpq(alpha, lo, prec);
        if (rho != NULL) arb_set_fmpq(rho, hi, prec);
        if (qa != NULL) fmpq_set(qa, lo);
        if (qr != NULL) fmpq_set(qr, hi);
        if (exact != NULL) *exact = 1;
    } else {
        /* lam_min = lam_-(m_lo), lam_max = lam_+(m_hi): both branches are
         * non-decreasing in s (a PSD rank-one update) */
        arb_set_fmpq(x, g->base->m_lo, prec);
        cp_general_task_spectrum(a, w1, w2, w2, g, x, prec);
        arb_set_fmpq(x, g->base->m_hi, prec);
        cp_general_task_spectrum(w1, b, w2, w2, g, x, prec);
        arb_add(x, a, b, prec);
        if (alpha != NULL) {
            arb_ui_div(alpha, 2, x, prec);
        }
        if (rho != NULL) {
            arb_sub(w1, b, a, prec);
            arb_div(rho, w1, x, prec);
        }
        if (exact != NULL) *exact = 0;
    }
    if (lam_min != NULL) arb_set(lam_min, a);
    if (lam_max != NULL) arb_set(lam_max, b);
    fmpq_clear(t); fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(sum);
    arb_clear(a); arb_clear(b); arb_clear(w1); arb_clear(w2); arb_clear(x);
}

void cp_general_contraction(arb_t res, const cp_general_t g, const arb_t alpha, slong prec)
{
    /* |1 - alpha lam| is convex in lam: its maximum over the hull is at an end */
    arb_t a, b, x;
    arb_init(a); arb_init(b); arb_init(x);
    cp_general_alpha_star(NULL, NULL, a, b, NULL, NULL, NULL, g, prec);
    arb_mul(x, alpha, a, prec);
    arb_sub_ui(x, x, 1, prec);
    arb_abs(res, x);
    arb_mul(x, alpha, b, prec);
    arb_sub_ui(x, x, 1, prec);
    arb_abs(x, x);
    arb_max(res, res, x, prec);
    arb_clear(a); arb_clear(b); arb_clear(x);
}

/* --- the LSA gap (G-8, G-9) ------------------------------------------------ */

void cp_general_lsa_gap(arb_t res, const cp_general_t g, slong prec)
{
    /* k c(q m_lo, q m_hi): the isotropic bound of the whitened model */
    cp_model_t sm;
    fmpq_t q;
    cp_model_init(sm);
    fmpq_init(q);
    cp_general_q(q, g);
    cp_general_scaled_model(sm, g, q);
    cp_lsa_gap(res, sm, prec);
    times_k(res, g, prec);
    cp_model_clear(sm);
    fmpq_clear(q);
}

cp_approx cp_general_lsa_gap_approx(const cp_general_t g)
{
    fmpq_t q;
    fmpq_init(q);
    cp_general_q(q, g);
    double qd = fmpq_get_d(q);
    cp_approx r = cp_lsa_gap_approx(qd * fmpq_get_d(g->base->m_lo), qd * fmpq_get_d(g->base->m_hi));
    r.approx *= (double) g->k;
    fmpq_clear(q);
    return r;
}

/* solve [[a, b], [b, d]] x = (y1, y2) */
static void solve2(arb_t x1, arb_t x2, const arb_t a, const arb_t b, const arb_t d,
                   const arb_t y1, const arb_t y2, slong prec)
{
    arb_t det, t, r1;
    arb_init(det); arb_init(t); arb_init(r1);
    arb_mul(det, a, d, prec);
    arb_submul(det, b, b, prec);
    arb_mul(r1, d, y1, prec);
    arb_submul(r1, b, y2, prec);
    arb_mul(t, a, y2, prec);
    arb_submul(t, b, y1, prec);
    arb_div(x1, r1, det, prec);
    arb_div(x2, t, det, prec);
    arb_clear(det); arb_clear(t); arb_clear(r1);
}

/* z^T [[a, b], [b, d]] z */
static void quad2(arb_t res, const arb_t a, const arb_t b, const arb_t d,
                  const arb_t z1, const arb_t z2, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_mul(res, z1, z1, prec);
    arb_mul(res, res, a, prec);
    arb_mul(t, z2, z2, prec);
    arb_addmul(res, t, d, prec);
    arb_mul(t, z1, z2, prec);
    arb_mul(t, t, b, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_add(res, res, t, prec);
    arb_clear(t);
}

void cp_general_lsa_pair_dual(arb_t lower, arb_t upper, const cp_general_t g,
                              const arb_t s1, const arb_t s2, const arb_t w, slong prec)
{
    /* (G-9): G_i(h) = s_i (h - w_i)^T Lambda_i (h - w_i), w_i = Lambda_i^{-1} u.
     * D(w) = sum_i w_i s_i u^T w_i - b^T B^{-1} b, B = sum_i w_i s_i Lambda_i,
     * b = (sum_i w_i s_i) u; h* = B^{-1} b; upper = max_i G_i(h*). */
    task_consts c;
    arb_t L[2][3], W[2][2], wt[2], B[3], bb, h1, h2, e, z1, z2, x, sarr[2];
    consts_init(&c, g, prec);
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 3; j++) arb_init(L[i][j]);
        arb_init(W[i][0]); arb_init(W[i][1]); arb_init(wt[i]); arb_init(sarr[i]);
    }
    for (int j = 0; j < 3; j++) arb_init(B[j]);
    arb_init(bb); arb_init(h1); arb_init(h2); arb_init(e); arb_init(z1); arb_init(z2); arb_init(x);
    arb_set(sarr[0], s1);
    arb_set(sarr[1], s2);
    arb_set(wt[0], w);
    arb_sub_ui(wt[1], w, 1, prec);
    arb_neg(wt[1], wt[1]);
    arb_zero(lower);
    arb_zero(bb);
    for (int i = 0; i < 2; i++) {
        task_lambda(L[i][0], L[i][1], L[i][2], &c, sarr[i], prec);
        solve2(W[i][0], W[i][1], L[i][0], L[i][1], L[i][2], c.u1, c.u2, prec);
        /* w_i s_i u^T w_i */
        arb_mul(e, c.u1, W[i][0], prec);
        arb_addmul(e, c.u2, W[i][1], prec);
        arb_mul(x, wt[i], sarr[i], prec);
        arb_addmul(lower, e, x, prec);
        arb_add(bb, bb, x, prec);
        for (int j = 0; j < 3; j++)
            arb_addmul(B[j], x, L[i][j], prec);
    }
    /* h* = B^{-1} (bb u);  D = ... - bb u^T h* */
    arb_mul(z1, bb, c.u1, prec);
    arb_mul(z2, bb, c.u2, prec);
    solve2(h1, h2, B[0], B[1], B[2], z1, z2, prec);
    arb_mul(e, z1, h1, prec);
    arb_addmul(e, z2, h2, prec);
    arb_sub(lower, lower, e, prec);
    arb_zero(upper);
    for (int i = 0; i < 2; i++) {
        arb_sub(z1, h1, W[i][0], prec);
        arb_sub(z2, h2, W[i][1], prec);
        quad2(e, L[i][0], L[i][1], L[i][2], z1, z2, prec);
        arb_mul(e, e, sarr[i], prec);
        arb_max(upper, upper, e, prec);
    }
    times_k(lower, g, prec);
    times_k(upper, g, prec);
    consts_clear(&c);
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 3; j++) arb_clear(L[i][j]);
        arb_clear(W[i][0]); arb_clear(W[i][1]); arb_clear(wt[i]); arb_clear(sarr[i]);
    }
    for (int j = 0; j < 3; j++) arb_clear(B[j]);
    arb_clear(bb); arb_clear(h1); arb_clear(h2); arb_clear(e); arb_clear(z1); arb_clear(z2); arb_clear(x);
}

/* D(w) in doubles, the same algebra; *gdiff = G_1(h(w)) - G_2(h(w)) */
static double dual_d(double w, double t1, double t2, double th, double s1, double s2, double *gdiff)
{
    double u1 = sqrt(th), u2 = sqrt(1 - th), r = sqrt(th * (1 - th));
    double s[2] = { s1, s2 }, wt[2] = { w, 1 - w }, acc = 0, bb = 0, B0 = 0, B1 = 0, B2 = 0;
    double L[2][3], W[2][2];
    for (int i = 0; i < 2; i++) {
        double a = t1 + th * s[i], b = r * s[i], d = t2 + (1 - th) * s[i], det = a * d - b * b;
        L[i][0] = a; L[i][1] = b; L[i][2] = d;
        W[i][0] = (d * u1 - b * u2) / det;
        W[i][1] = (a * u2 - b * u1) / det;
        acc += wt[i] * s[i] * (u1 * W[i][0] + u2 * W[i][1]);
        bb += wt[i] * s[i];
        B0 += wt[i] * s[i] * a; B1 += wt[i] * s[i] * b; B2 += wt[i] * s[i] * d;
    }
    double det = B0 * B2 - B1 * B1;
    *gdiff = 0;
    if (!(det > 0))
        return 0;
    double y1 = bb * u1, y2 = bb * u2;
    double h1 = (B2 * y1 - B1 * y2) / det, h2 = (B0 * y2 - B1 * y1) / det;
    double G[2];
    for (int i = 0; i < 2; i++) {
        double z1 = h1 - W[i][0], z2 = h2 - W[i][1];
        G[i] = s[i] * (L[i][0] * z1 * z1 + 2 * L[i][1] * z1 * z2 + L[i][2] * z2 * z2);
    }
    *gdiff = G[0] - G[1];
    return acc - (y1 * h1 + y2 * h2);
}

void cp_general_lsa_dual_weight(fmpq_t w, const cp_general_t g, double s1, double s2)
{
    /* At the saddle point both tasks are active: G_1(h(w)) = G_2(h(w)).  That
     * crossing is found by bisection (accurate to rounding, where the flat
     * maximum of D is not); without a sign change, golden section on D
     * (concave in w: a minimum of affine functions).  Any w keeps D(w) a
     * valid lower bound (G-9); only the tightness depends on it. */
    double t1 = fmpq_get_d(g->t1), t2 = fmpq_get_d(g->t2), th = fmpq_get_d(g->split);
    double a = 0, b = 1, fa, fb, fm, x;
    dual_d(a, t1, t2, th, s1, s2, &fa);
    dual_d(b, t1, t2, th, s1, s2, &fb);
    if (fa * fb < 0) {
        for (int it = 0; it < 200 && b - a > 0; it++) {
            double m = 0.5 * (a + b);
            if (m <= a || m >= b)
                break;
            dual_d(m, t1, t2, th, s1, s2, &fm);
            if ((fm < 0) == (fa < 0)) { a = m; fa = fm; } else b = m;
        }
    } else {
        double gr = 0.6180339887498949;
        for (int it = 0; it < 120; it++) {
            double x1 = b - gr * (b - a), x2 = a + gr * (b - a);
            if (dual_d(x1, t1, t2, th, s1, s2, &x) < dual_d(x2, t1, t2, th, s1, s2, &x))
                a = x1;
            else
                b = x2;
        }
    }
    fmpz_t num, den;
    fmpz_init(num);
    fmpz_init_set_ui(den, 1);
    fmpz_mul_2exp(den, den, 60);
    fmpz_set_d(num, floor(0.5 * (a + b) * 1152921504606846976.0 + 0.5));
    fmpq_set_fmpz_frac(w, num, den);
    fmpz_clear(num);
    fmpz_clear(den);
}

/* --- quantities for `crossproof eval` -------------------------------------- */

static const cp_key_spec gq_keys[] = { CP_GENERAL_KEYS, CP_KEY_END };
static const cp_key_spec gq_gamma_keys[] = {
    CP_GENERAL_KEYS,
    { "gamma", CP_KEY_RAT, "best average gamma", "LSA scalar, Gamma = gamma I" },
    CP_KEY_END
};
static const cp_key_spec gq_ca_keys[] = {
    CP_GENERAL_KEYS,
    { "alpha", CP_KEY_RAT, "alpha*-general", "CA step (default the minimax step of (G-7))" },
    { "beta",  CP_KEY_RAT, "-alpha", "CA layer coefficient (default -alpha)" },
    { "T",     CP_KEY_INT, "1",      "depth (number of layers), 1 <= T <= 10^7" },
    CP_KEY_END
};

static int load_general(cp_general_t g, const cp_kv *kv, const cp_key_spec *keys, char *err)
{
    if (cp_kv_validate(kv, keys, err) != 0)
        return -1;
    return cp_general_from_kv(g, kv, keys, err);
}

#define WITH_GENERAL(keys, ...)                         \
    cp_general_t g;                                     \
    int rc;                                             \
    cp_general_init(g);                                 \
    rc = load_general(g, kv, keys, err);                \
    if (rc == 0) { __VA_ARGS__ }                        \
    cp_general_clear(g);                                \
    return rc;

static int q_bayes(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_keys, { cp_general_bayes_risk(res, g, prec); })
}

static int q_lsa_excess(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_gamma_keys, {
        if (cp_kv_has(kv, "gamma")) {
            fmpq_t q; arb_t ga;
            fmpq_init(q); arb_init(ga);
            rc = cp_kv_get_rat(q, kv, gq_gamma_keys, "gamma", err);
            if (rc == 0) {
                arb_set_fmpq(ga, q, prec);
                cp_general_gamma_excess_avg(res, g, ga, prec);
            }
            fmpq_clear(q); arb_clear(ga);
        } else {
            cp_general_gamma_excess_best(res, g, prec);
        }
    })
}

static int q_alpha(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_keys, { cp_general_alpha_star(res, NULL, NULL, NULL, NULL, NULL, NULL, g, prec); })
}

static int q_rho(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_keys, { cp_general_alpha_star(NULL, res, NULL, NULL, NULL, NULL, NULL, g, prec); })
}

static int q_gap(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_keys, { cp_general_lsa_gap(res, g, prec); })
}

#define CP_GEN_MAX_T 10000000

static int q_ca(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    WITH_GENERAL(gq_ca_keys, {
        fmpq_t q; arb_t a, b; slong T = 1;
        fmpq_init(q); arb_init(a); arb_init(b);
        if (cp_kv_has(kv, "alpha")) {
            rc = cp_kv_get_rat(q, kv, gq_ca_keys, "alpha", err);
            arb_set_fmpq(a, q, prec);
        } else {
            cp_general_alpha_star(a, NULL, NULL, NULL, NULL, NULL, NULL, g, prec);
        }
        int has_beta = cp_kv_has(kv, "beta");
        if (rc == 0 && has_beta) {
            rc = cp_kv_get_rat(q, kv, gq_ca_keys, "beta", err);
            arb_set_fmpq(b, q, prec);
        }
        if (rc == 0)
            rc = cp_kv_get_int(&T, kv, gq_ca_keys, "T", err);
        if (rc == 0 && (T < 1 || T > CP_GEN_MAX_T)) {
            cp_kv_error(err, kv, "T", "T must lie in [1, %d]", CP_GEN_MAX_T);
            rc = -1;
        }
        if (rc == 0 && has_beta)
            cp_general_ca_excess(res, g, a, b, (ulong) T, prec);
        else if (rc == 0)
            cp_general_richardson_excess(res, g, a, (ulong) T, prec);
        fmpq_clear(q); arb_clear(a); arb_clear(b);
    })
}

const cp_quantity_def cp_quantities_general[] = {
    { "bayes-risk-general", "task-known Bayes risk k E[1/(1 + q s)] + sigma^2 of the general model (docs/model.md (G-4))",
      gq_keys, q_bayes, NULL, NULL },
    { "lsa-excess-general", "average excess of gamma-form LSA at the best gamma (or at gamma=), general model (G-5)",
      gq_gamma_keys, q_lsa_excess, NULL, NULL },
    { "ca-excess-general", "population excess of tied CA (alpha, beta, T) at L = inf, general model (G-6)",
      gq_ca_keys, q_ca, NULL, NULL },
    { "alpha-star-general", "minimax Richardson step 2/(lam_min + lam_max) over the relevant spectrum of Lambda (G-7)",
      gq_keys, q_alpha, NULL, NULL },
    { "rho-star-general", "worst-case contraction (lam_max - lam_min)/(lam_max + lam_min) at that step (G-7)",
      gq_keys, q_rho, NULL, NULL },
    { "lsa-gap-general", "k c(q m_lo, q m_hi): lower bound on the worst case of EVERY single-layer LSA, general model (G-8)",
      gq_keys, q_gap, "lower bound on the worst-case population excess of every single-layer LSA", NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL }
};
