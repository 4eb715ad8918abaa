/* model.h -- the latent factor model of docs/model.md, section 1.
 *
 * A task is (m, zeta) with s = |m|^2 in [m_lo, m_hi]; only s and zeta^2
 * enter the population quantities (docs/model.md, "Reduction to s").
 * cp_model holds the exact parameters; cp_model_approx is its double twin
 * for the fast engine and never feeds a certified computation. */
#ifndef CROSSPROOF_MODEL_H
#define CROSSPROOF_MODEL_H

#include "crossproof/arbcompat.h"
#include "crossproof/kv.h"

typedef enum { CP_PRIOR_UNIFORM, CP_PRIOR_TWOPOINT, CP_PRIOR_BETA } cp_prior_kind;
typedef enum { CP_ZETA_GAUSSIAN, CP_ZETA_RADEMACHER } cp_zeta_law;

typedef struct {
    fmpq_t m_lo, m_hi;          /* support of s = |m|^2 */
    fmpq_t sigma;               /* label noise, >= 0 */
    fmpq_t beta_a, beta_b;      /* Beta(a, b) shape, prior = beta only */
    slong d1, d2;               /* modality dimensions, d = d1 + d2 */
    slong k;                    /* latent dimension; only k = 1 is implemented */
    cp_prior_kind prior;
    cp_zeta_law zeta;
} cp_model_struct;
typedef cp_model_struct cp_model_t[1];

/* The double twin (approximate; for sampling and simulation only). */
typedef struct {
    double m_lo, m_hi, sigma, beta_a, beta_b;
    slong d1, d2, k;
    cp_prior_kind prior;
    cp_zeta_law zeta;
} cp_model_approx;

/* The model's keys with their defaults, for inclusion in key tables:
 *   static const cp_key_spec keys[] = { CP_MODEL_KEYS, {"bound", ...}, CP_KEY_END }; */
#define CP_MODEL_KEYS \
    { "m_lo",   CP_KEY_RAT,  "1/2",     "lower end of the support of s = |m|^2" }, \
    { "m_hi",   CP_KEY_RAT,  "4",       "upper end of the support of s" }, \
    { "prior",  CP_KEY_WORD, "uniform", "law of s: uniform, twopoint (1/2 each end), beta" }, \
    { "beta_a", CP_KEY_RAT,  "2",       "Beta prior shape a (prior = beta)" }, \
    { "beta_b", CP_KEY_RAT,  "2",       "Beta prior shape b (prior = beta)" }, \
    { "zeta",   CP_KEY_WORD, "gaussian","law of zeta: gaussian or rademacher (E zeta^2 = 1)" }, \
    { "d1",     CP_KEY_INT,  "1",       "dimension of modality 1" }, \
    { "d2",     CP_KEY_INT,  "1",       "dimension of modality 2" }, \
    { "sigma",  CP_KEY_RAT,  "0",       "label noise standard deviation" }
extern const cp_key_spec cp_model_keys[];

void cp_model_init(cp_model_t m);
void cp_model_clear(cp_model_t m);
/* Reads and validates the model keys of kv (0 <= m_lo <= m_hi, sigma >= 0,
 * d1, d2 >= 1, Beta shapes > 0).  Returns 0, or -1 with a one-line err. */
int cp_model_from_kv(cp_model_t m, const cp_kv *kv, char *err);
void cp_model_get_approx(cp_model_approx *out, const cp_model_t m);
const char *cp_prior_name(cp_prior_kind p);

/* --- prior expectations over s (certified) ----------------------------
 * E_s[f(s)] under the task prior: exact for the two-point prior, rigorous
 * Gauss-Legendre integration with error bounds (acb_calc_integrate) for the
 * uniform and Beta priors.  f follows acb_calc_func_t: when order == 1 it
 * must return 0 (or set res indeterminate) where it is not holomorphic. */
typedef int (*cp_sfunc)(acb_ptr res, const acb_t s, void *param, slong order, slong prec);
void cp_prior_expect(arb_t res, const cp_model_t m, cp_sfunc f, void *param, slong prec);

/* E[s^k] exactly as far as the prior allows (rational for all three priors). */
void cp_prior_moment(arb_t res, const cp_model_t m, ulong k, slong prec);
/* E[1/(1+s)]: log form (uniform), 2F1 form (Beta), average (two-point). */
void cp_prior_mean_inv1ps(arb_t res, const cp_model_t m, slong prec);
/* E[s/(1+s)] = 1 - E[1/(1+s)]. */
void cp_prior_mean_s_over_1ps(arb_t res, const cp_model_t m, slong prec);


#endif
