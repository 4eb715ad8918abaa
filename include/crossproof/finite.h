/* finite.h -- the CA at finite context length L and depth T (issue 10).
 *
 * Two sections, two owners:
 *  - exact expected excess (src/finite_exact.c; docs/model.md, section 8);
 *  - certified lower bound and kappa* (src/finite_bound.c; docs/model.md,
 *    section 9).
 * Conventions as in lsa.h: E zeta^2 = 1, lambda = 1 + s, sigma from the
 * model; every certified function writes an enclosure computed from exact
 * parameters. */
#ifndef CROSSPROOF_FINITE_H
#define CROSSPROOF_FINITE_H

#include <flint/fmpq_poly.h>
#include "crossproof/arbcompat.h"
#include "crossproof/model.h"

/* ===== exact section (src/finite_exact.c, docs/model.md section 8) ===== */

/* Largest depth the exact quantities accept (time grows like T^4, memory like T^3). */
#define CP_FINITE_MAX_T 150
/* Largest context length accepted (moments of chi2_L are exact integers). */
#define CP_FINITE_MAX_L 100000000
/* d > 2 (docs/model.md (FE-9)): depth at most CP_FINITE_GENERAL_MAX_T, and the
 * computation stops with an error when a polynomial of the Horner scheme has
 * more than CP_FINITE_GENERAL_MAX_TERMS terms or the one to be squared more
 * than CP_FINITE_GENERAL_MAX_SQ_TERMS (the cost is exponential in min(d, T)). */
#define CP_FINITE_GENERAL_MAX_T 16
#define CP_FINITE_GENERAL_MAX_TERMS 200000
#define CP_FINITE_GENERAL_MAX_SQ_TERMS 20000

/* The CA weight polynomial p, w = p(Sigma_hat) c_hat (docs/model.md (FC-1)):
 *   p(x) = sum_{t<T} alpha_t prod_{r>t} (1 + beta_r x).
 * Tied: pass alphas = betas = NULL and the single alpha, beta; untied: T
 * values each (betas may be NULL for beta_t = -alpha_t). */
void cp_ca_weight_poly(fmpq_poly_t p, slong T, const fmpq_t alpha, const fmpq_t beta,
                       const fmpq *alphas, const fmpq *betas);

/* E[excess | s] as a Laurent polynomial in lambda = 1 + s:
 *   E[excess | s] = sum_{k=0}^{len-1} num_k lambda^(k-2),
 * exact rationals (docs/model.md (FE-4)).  p is the weight polynomial,
 * L >= 2 (L >= d for d > 2), sigma >= 0.  d = d1 + d2 = 2: the O(T^4)
 * algorithm of (FE-5); d > 2: the tridiagonal model (FE-9), exponential in
 * min(d, T), stopped beyond the CP_FINITE_GENERAL_* limits.  Returns 0, or
 * -1 with a one-line err. */
int cp_ca_excess_finite_laurent(fmpq_poly_t num, slong d1, slong d2, slong L,
                                const fmpq_poly_t p, const fmpq_t sigma, char *err);

/* The tridiagonal route (FE-9) for any d >= 2 (d = 2 included: a cross-check of
 * the fast path). */
int cp_ca_excess_finite_laurent_tri(fmpq_poly_t num, slong d, slong L, const fmpq_poly_t p,
                                    const fmpq_t sigma, char *err);
/* 1 when (d, T) passes the static limits: d = 2 and T <= CP_FINITE_MAX_T, or
 * d > 2 and T <= CP_FINITE_GENERAL_MAX_T (the term limits are checked while
 * computing). */
int cp_ca_excess_finite_supported(slong d, slong T);

/* The same at one value of s >= 0: an exact rational. */
int cp_ca_excess_finite_at_s(fmpq_t res, slong d1, slong d2, slong L,
                             const fmpq_poly_t p, const fmpq_t sigma, const fmpq_t s,
                             char *err);

/* Exact prior moment E[lambda^k], k >= 0, lambda = 1 + s (all three priors). */
void cp_prior_lambda_moment(fmpq_t res, const cp_model_t m, ulong k);
/* E[lambda^-k] for k = 1, 2 as a ball (uniform: log for k = 1, rational for
 * k = 2; two-point: rational; Beta: 2F1). */
void cp_prior_lambda_inv_moment(arb_t res, const cp_model_t m, ulong k, slong prec);

/* Prior average of E[excess | s] for the weight polynomial p, with the
 * model's d1, d2, sigma and prior: res is a ball with about prec accurate
 * bits (exact rational where the prior allows).  Returns 0 or -1 with err. */
int cp_ca_excess_finite_poly(arb_t res, const cp_model_t m, slong L, const fmpq_poly_t p,
                             slong prec, char *err);
/* Tied / two-parameter form (beta = -alpha is the tied CA). */
int cp_ca_excess_finite(arb_t res, const cp_model_t m, slong L, slong T,
                        const fmpq_t alpha, const fmpq_t beta, slong prec, char *err);
/* Risk = excess + E[Var(y|x)] = excess + E[1/(1+s)] + sigma^2 (FC-2). */
int cp_ca_risk_finite(arb_t res, const cp_model_t m, slong L, slong T,
                      const fmpq_t alpha, const fmpq_t beta, slong prec, char *err);

/* ===== bound section (src/finite_bound.c, docs/model.md section 9) ===== */
/* The tied CA at beta = -alpha, any d, L >= 1, T >= 1, sigma >= 0, any law of
 * zeta with E zeta^2 = 1.  Lower bound (FB-3b), mu = lambda chi2_L/L and
 * Y ~ chi2_(d-1) independent, Q = (1 - alpha mu)^2 + alpha^2 mu Y/L:
 *   E[excess | s] >= c_T(s) E[Q^T],
 *   c_T(s) = s/(1+s) for every even T, s/(1+s)^2 for odd T >= 3, and at T = 1
 *   s/(1+s)^2 (E[Q] + s E[(1 - alpha mu)^2]).  (d = 1: Q = (1 - alpha mu)^2.) */
#define CP_FB_MAX_T 20000      /* d = 1, uniform or two-point prior: O(T) */
#define CP_FB_MAX_T_D 1000     /* d >= 2: (FB-4b) costs O(T^2) */
#define CP_FB_MAX_T_BETA 1000  /* the Beta prior's moments cost O(T^2) */
/* The largest T accepted for the model (the smallest applicable cap above). */
slong cp_fb_max_T(const cp_model_t m);
#define CP_FB_MAX_L 1000000000

/* 1 when c_T(s) = s/(1+s) (T = 1 or T even), 0 when c_T(s) = s/(1+s)^2. */
int cp_fb_even_constant(ulong T);
/* The chi-square moment polynomial (FB-4): c[k], k = 0..2T, exact, with
 *   E[(1 - alpha lambda chi2_L/L)^(2T)] = sum_k c[k] lambda^k.
 * c must hold 2T + 1 initialised fmpq. */
void cp_fb_chi_poly(fmpq *c, const fmpq_t alpha, ulong L, ulong T);
/* The bound at one s >= 0 (a point prior) and dimension d = d1 + d2, exact
 * rational (O(T^2) rational operations; for tests and small T). */
void cp_fb_lower_at_s(fmpq_t res, const fmpq_t s, const fmpq_t alpha, ulong L, ulong T, slong d);
/* The bound averaged over the model's prior on s (FB-5), with d = d1 + d2 of
 * the model: a ball with about prec accurate bits. */
void cp_fb_lower(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T, slong prec);
/* The bound of cp_fb_lower at the exact value of the double alpha, as a
 * double rounded down (so still a valid lower bound on the expected excess of
 * the tied CA with beta = -alpha), for the statistical engine's heavy-tail
 * diagnostic; NAN where the bound does not apply or is not positive
 * (alpha <= 0 or not finite, T or L out of range). */
double cp_fb_lower_down(const cp_model_t m, double alpha, long L, long T);
/* The same with the form chosen by the caller: even_form = 1 is the form of
 * cp_fb_lower (valid only when cp_fb_even_constant(T)); 0 is s/(1+s)^2 E[Q^T]
 * (valid for every T; log-convex in T, (FB-9a)). */
void cp_fb_lower_form(arb_t res, const cp_model_t m, const fmpq_t alpha, ulong L, ulong T,
                      int even_form, slong prec);

/* Large deviations of the spike (FB-6..FB-8), lambda = 1 + s, alpha > 0:
 *   I_s(t) = (t/lambda - 1 - ln(t/lambda))/2,
 *   g(kappa, t) = 2 kappa ln(alpha t - 1) - I_s(t),
 *   phi_s(kappa) = sup_{t > 2/alpha} g(kappa, t)   (closed form, FB-8),
 *   kappa*(alpha, s) = inf_{t > 2/alpha} I_s(t) / (2 ln(alpha t - 1)).
 * cp_fb_kappa_star: certified enclosure (0 exactly when alpha lambda >= 2),
 * indeterminate when the bracket could not be certified at prec. */
void cp_fb_rate_fn(arb_t res, const arb_t alpha, const arb_t lambda, const arb_t kappa,
                   const arb_t t, slong prec);
void cp_fb_rate(arb_t res, const fmpq_t alpha, const fmpq_t s, const arb_t kappa, slong prec);
void cp_fb_kappa_star(arb_t res, const fmpq_t alpha, const fmpq_t s, slong prec);

/* Prior mass P(s >= s1), s1 in [m_lo, m_hi] (exact for the uniform and
 * two-point priors, regularised incomplete Beta for the Beta prior). */
void cp_fb_prior_tail(arb_t res, const cp_model_t m, const fmpq_t s1, slong prec);
/* The tail constant of (FB-9), t > 2/alpha, m_lo <= s1 <= m_hi:
 *   K = P(s >= s1) min(c(s1), c(m_hi)) P(chi2_L >= L t/(1 + s1)),  c(s) = s/(1+s)^2,
 * so that E[excess] >= K (alpha t - 1)^(2T) for every T >= 1. */
void cp_fb_tail_const(arb_t res, const cp_model_t m, ulong L, const fmpq_t t,
                      const fmpq_t s1, slong prec);
/* The constant A of (FB-10) (L >= 2, T >= kappa L):
 *   E[excess] >= A L^(-1/2) exp(L g_{s1}(kappa, t)),
 *   A = P(s >= s1) min(c(s1), c(m_hi)) (1 + s1)/(t sqrt(pi)) e^(-1/12). */
void cp_fb_div_const(arb_t res, const cp_model_t m, const fmpq_t t, const fmpq_t s1, slong prec);

/* Witness searches (the witness is an exact rational pair (t, s1) found on a
 * fixed grid at 64 bits; only the final inequality is certified at prec).
 * Fixed L (FB-9): res = K(t, s1) (alpha t - 1)^(2 T0), the largest on the grid.
 * Returns 0 when no grid point has K > 0 (res is then indeterminate). */
int cp_fb_fixed_L_witness(arb_t res, fmpq_t t, fmpq_t s1, const cp_model_t m, const fmpq_t alpha,
                          ulong L, ulong T0, slong prec);
/* Along T >= kappa L (FB-10): rate = g_{s1}(kappa, t) and A, for the grid
 * witness with the largest rate among those with P(s >= s1) > 0.  Returns 0
 * when there is none. */
int cp_fb_div_witness(arb_t rate, arb_t A, fmpq_t t, fmpq_t s1, const cp_model_t m,
                      const fmpq_t alpha, const fmpq_t kappa, slong prec);
/* Proportional regime (FB-12): for every L >= 2, d >= 1 + gamma L and T >= kappa L,
 *   E[excess] >= A L^(-1/2) exp(L rate),  rate = kappa ln Q0 - I_{s1}(t),
 *   Q0 = (alpha t - 1)^2 + alpha^2 t gamma y,  0 < y < 1,
 *   A = (FB-10's constant) (1 - exp(-I(y))),  I(y) = (y - 1 - ln y)/2.
 * Grid witness (t, s1) with the largest rate; kw = the smallest ratio
 * I_{s1}(t)/ln Q0 on the same grid (the least kappa the grid certifies).
 * Returns 0 when no grid point has alpha t > 1, Q0 > 1 and P(s >= s1) > 0. */
int cp_fb_prop_witness(arb_t rate, arb_t A, arb_t kw, fmpq_t t, fmpq_t s1, const cp_model_t m,
                       const fmpq_t alpha, const fmpq_t kappa, const fmpq_t gamma, const fmpq_t y,
                       slong prec);

#endif
