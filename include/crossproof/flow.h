/* flow.h -- population (L = infinity) loss of linearized multi-layer
 * cross-attention and its gradient-flow fixed points (docs/model.md,
 * "Gradient flow (issue 3)"; theorems/gradient_flow.md, two_parameter.md).
 *
 * Notation: lambda = 1 + s, w = 1 + gamma lambda (gamma = -alpha in the
 * one-parameter model, gamma = beta in the two-parameter one), E zeta^2 = 1.
 * [reconstructed] one-parameter excess  E1(alpha) = E[(1 - 1/lambda) (1 - alpha lambda)^(2T)];
 * [reconstructed] two-parameter excess  E2(alpha, beta) = E[(1 - 1/lambda) (1 - r (1 - v^T))^2],
 *   r = -alpha/beta, v = 1 + beta lambda.
 *
 * Every function below writes a certified enclosure unless its name ends in
 * _approx.  Functions returning int return 1 only when the stated fact is
 * proved (0 = not proved at this precision, never "false"). */
#ifndef CROSSPROOF_FLOW_H
#define CROSSPROOF_FLOW_H

#include "crossproof/arbcompat.h"
#include "crossproof/model.h"

/* E_s[lambda^j w^k], j in {-1, 0, 1, 2}, w = 1 + gamma lambda.
 * Uniform prior: closed form (docs/model.md, (GF-1)); j = -1 needs gamma < 0
 * (else generic integration).  Two-point: exact.  Beta, j >= 0: for integer
 * shapes <= 256 the closed form (CS-1) of docs/model.md section 15 where its
 * cancellation estimate is the smaller, else the binomial expansion against
 * the exact Beta moments at raised working precision; j = -1 by rigorous
 * integration (cp_prior_expect). */
void cp_flow_moment(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec);
/* Tests and benches only (process-wide, not thread-safe): enable = 0 makes the
 * Beta moments use the binomial expansion always (the method before issue 14);
 * returns the previous setting (1 = closed form allowed, the default). */
int cp_flow_beta_closed_form(int enable);
/* C(j, k) = E_s[(1 - 1/lambda) lambda^j w^k] = E[lambda^j w^k] - E[lambda^(j-1) w^k]. */
void cp_flow_cmoment(arb_t res, const cp_model_t m, int j, ulong k, const arb_t gamma, slong prec);

/* One-parameter model (beta = -alpha).  excess = C(0, 2T);
 * d/dalpha = -2T C(1, 2T-1);  d2/dalpha2 = 2T(2T-1) C(2, 2T-2)  (gamma = -alpha). */
void cp_flow_excess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec);
void cp_flow_dexcess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec);
void cp_flow_d2excess1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec);
/* Loss_T(alpha) = R_bayes + excess. */
void cp_flow_loss1(arb_t res, const cp_model_t m, const arb_t alpha, ulong T, slong prec);

/* Encloses alpha_T, the unique minimizer of E1 (strictly convex in alpha,
 * docs/model.md (GF-2)): a Newton search on midpoints, then certified signs
 * of the derivative at both ends of the returned ball.  Returns 1 when the
 * ball is certified to contain the root, 0 otherwise. */
int cp_flow_alpha_opt(arb_t res, const cp_model_t m, ulong T, slong prec);

/* The derived limit c_inf = lim T (alpha* - alpha_T)
 *   = rho* ln(m_hi/m_lo) / (2 (2 + m_lo + m_hi))   (docs/model.md, (GF-4)).
 * Returns 1 when the derivation covers the model (m_lo > 0 and uniform,
 * two-point, or Beta with a = b), else 0 and res indeterminate. */
int cp_flow_rate_limit(arb_t res, const cp_model_t m, slong prec);

/* Two-parameter model.  Profile in beta: for fixed beta the excess is the
 * quadratic P - 2 r Q + r^2 S in r, minimized at r = Q/S, giving
 * h(beta) = P - Q^2/S.  Writes h, h', h'' and r(beta) (any may be NULL). */
void cp_flow_profile(arb_t h, arb_t h1, arb_t h2, arb_t r, const cp_model_t m,
                     const arb_t beta, ulong T, slong prec);
void cp_flow_excess2(arb_t res, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec);
/* Gradient (d/dalpha, d/dbeta) and Hessian (aa, ab, bb) of E2; beta != 0. */
void cp_flow_grad2(arb_t ga, arb_t gb, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec);
void cp_flow_hess2(arb_t haa, arb_t hab, arb_t hbb, const cp_model_t m, const arb_t alpha,
                   const arb_t beta, ulong T, slong prec);
/* Encloses the minimizer (alpha_T, beta_T) for T >= 2: certifies h'(b-) < 0
 * < h'(b+) and h'' > 0 on [b-, b+] (so exactly one critical point of E2 with
 * beta in that interval, a strict minimum), then encloses r and alpha.
 * Returns 1 when certified. */
int cp_flow_opt2(arb_t alpha, arb_t beta, arb_t r, const cp_model_t m, ulong T, slong prec);
/* Certifies h'' > 0 on [lo, hi] by adaptive bisection (at most max_pieces
 * ball evaluations).  Returns 1 when proved. */
int cp_flow_profile_convex_on(const cp_model_t m, const arb_t lo, const arb_t hi, ulong T,
                              slong max_pieces, slong prec);

/* Untied layers: s_{t+1} = (1 + beta_t lambda) s_t + alpha_t, phi = lambda s_T,
 * excess E[(1 - 1/lambda)(1 - phi)^2], by rigorous integration. */
void cp_flow_excess_untied(arb_t res, const cp_model_t m, arb_srcptr alpha, arb_srcptr beta,
                           slong T, slong prec);
/* Chebyshev steps alpha_t = 1/nu_t, nu_t the Chebyshev nodes of
 * [1 + m_lo, 1 + m_hi], t = 1..T (beta_t = -alpha_t). */
void cp_flow_chebyshev_steps(arb_ptr alpha, const cp_model_t m, slong T, slong prec);

/* --- the flow itself (src/flow_ode.c) -----------------------------------
 * APPROXIMATE: the trajectory of d theta/d tau = -grad Loss_T(theta) is
 * integrated in doubles by an embedded Dormand-Prince 5(4) pair with
 * step-size control on the local error estimate (tolerance tol, mixed
 * absolute/relative).  No global error bound: the trajectory is NOT certified.
 * dim = 1: theta = (alpha), beta = -alpha;  dim = 2: theta = (alpha, beta). */
typedef struct {
    double tau;
    double theta[2];
    double loss;       /* Loss_T at theta (approximate) */
    double gnorm;      /* |grad Loss_T| (approximate) */
} cp_flow_point_approx;
typedef void (*cp_flow_point_cb)(const cp_flow_point_approx *p, void *ctx);
/* Returns the number of accepted steps, or -1 when max_steps was exhausted or
 * the state left the domain (beta >= 0 in dim 2, non-finite values).
 * theta_end receives the last accepted state; cb (may be NULL) is called at
 * the start and after every accepted step. */
slong cp_flow_integrate_approx(double theta_end[2], const cp_model_t m, ulong T, int dim,
                               const double theta0[2], double tau_end, double tol, slong max_steps,
                               cp_flow_point_cb cb, void *ctx);

/* Certified endpoint checks (docs/model.md (GF-7)).  dim 1: with alpha_T
 * enclosed, radius >= |alpha_end - alpha_T| and mu <= min E1'' on the
 * interval [alpha_T - radius, alpha_T + radius]; that interval is forward
 * invariant and |alpha(tau) - alpha_T| <= radius e^(-mu tau) from alpha_end.
 * dim 2: radius >= |theta_end - theta_T| (Euclidean) and mu <= the smallest
 * Hessian eigenvalue of E2 on the box theta_T +- radius; the Euclidean ball of
 * that radius is then forward invariant and attracting at rate mu.
 * Return 1 only when mu > 0 is proved (and the minimizer was certified). */
int cp_flow_certify_endpoint1(arb_t radius, arb_t mu, arb_t alpha_T, const cp_model_t m, ulong T,
                              const arb_t alpha_end, slong prec);
int cp_flow_certify_endpoint2(arb_t radius, arb_t mu, arb_t alpha_T, arb_t beta_T, const cp_model_t m,
                              ulong T, const arb_t alpha_end, const arb_t beta_end, slong prec);

#endif
