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

/* The CA weight polynomial p, w = p(Sigma_hat) c_hat (docs/model.md (FC-1)):
 *   p(x) = sum_{t<T} alpha_t prod_{r>t} (1 + beta_r x).
 * Tied: pass alphas = betas = NULL and the single alpha, beta; untied: T
 * values each (betas may be NULL for beta_t = -alpha_t). */
void cp_ca_weight_poly(fmpq_poly_t p, slong T, const fmpq_t alpha, const fmpq_t beta,
                       const fmpq *alphas, const fmpq *betas);

/* E[excess | s] for d1 = d2 = 1 as a Laurent polynomial in lambda = 1 + s:
 *   E[excess | s] = sum_{k=0}^{len-1} num_k lambda^(k-2),
 * exact rationals (docs/model.md (FE-4)).  p is the weight polynomial,
 * L >= 2, sigma >= 0.  Returns 0, or -1 with a one-line err. */
int cp_ca_excess_finite_laurent(fmpq_poly_t num, slong d1, slong d2, slong L,
                                const fmpq_poly_t p, const fmpq_t sigma, char *err);

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
/* (owned by the lower-bound / kappa* work; declarations go here) */

#endif
