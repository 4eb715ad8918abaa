/* lsa.h -- population (L = infinity) quantities of the Bayes predictor and
 * of single-layer linear self-attention (docs/model.md, sections 2-3).
 *
 * Conventions: E zeta^2 = 1; lambda = 1 + s; every certified function
 * writes an enclosure computed from the exact parameters; the *_approx
 * twins are plain doubles with no error control. */
#ifndef CROSSPROOF_LSA_H
#define CROSSPROOF_LSA_H

#include "crossproof/arbcompat.h"
#include "crossproof/model.h"

/* A double approximation.  Wrapped in a struct so that it cannot be passed
 * where a certified value (arb_t) is expected, nor silently mixed. */
typedef struct { double approx; } cp_approx;

/* alpha* = 2 / (2 + m_lo + m_hi) and rho* = (m_hi - m_lo)/(2 + m_lo + m_hi):
 * exact rationals (docs/model.md, section 5). */
void cp_alpha_star(fmpq_t res, const cp_model_t m);
void cp_rho_star(fmpq_t res, const cp_model_t m);

/* E_s[f(s)] in doubles by the composite Gauss-Legendre rule of the *_approx
 * twins below (no error control). */
double cp_lsa_prior_expect_approx(const cp_model_approx *m, double (*f)(double s, const void *param),
                                  const void *param);

/* Bayes risk with the task known: E[1/(1+s)] + sigma^2 (docs/model.md 2). */
void cp_bayes_risk(arb_t res, const cp_model_t m, slong prec);
cp_approx cp_bayes_risk_approx(const cp_model_approx *m);

/* Excess of the gamma-form LSA, c_hat^T (gamma I) x_q, at one task:
 * zeta^2 s/(1+s) (1 - gamma (1+s))^2 (docs/model.md, (LSA-1)). */
void cp_lsa_gamma_task_excess(arb_t res, const arb_t s, const arb_t gamma, slong prec);
/* Prior average of that excess: E[s(1+s)] g^2 - 2 g E[s] + E[s/(1+s)]. */
void cp_lsa_gamma_excess_avg(arb_t res, const cp_model_t m, const arb_t gamma, slong prec);
cp_approx cp_lsa_gamma_excess_avg_approx(const cp_model_approx *m, double gamma);
/* a2 gamma^2 - 2 gamma a1 + a0, the quadratic of (LSA-2) (also (G-5)). */
void cp_lsa_gamma_quadratic(arb_t res, const arb_t a2, const arb_t a1, const arb_t a0,
                            const arb_t gamma, slong prec);
/* Best average gamma E[s]/E[s(1+s)] and its excess. */
void cp_lsa_gamma_avg(arb_t res, const cp_model_t m, slong prec);
void cp_lsa_excess_avg(arb_t res, const cp_model_t m, slong prec);

/* Worst case over the support of the gamma-form excess,
 *   F(gamma) = max_{s in supp} s/(1+s) (1 - gamma(1+s))^2,
 * evaluated exactly through its critical points (docs/model.md, (LSA-3)).
 * The support is [m_lo, m_hi] for the uniform and Beta priors and
 * {m_lo, m_hi} for the two-point prior. */
void cp_lsa_gamma_worst(arb_t res, const cp_model_t m, const arb_t gamma, slong prec);
/* Certified ternary search for the minimiser of a convex F on [lo, hi]
 * (which must contain it): every step is a certified comparison of F at two
 * exact points, so [lo, hi] keeps the minimiser; stops when hi - lo < 2^(4-prec).
 * Returns 1, or 0 when two values could not be separated (the bracket is
 * still valid). */
typedef void (*cp_ball_fn)(arb_t res, const arb_t x, const void *param, slong prec);
int cp_convex_argmin_bracket(arf_t lo, arf_t hi, cp_ball_fn F, const void *param, slong prec);
/* Encloses the minimax gamma and the minimax value min_gamma F(gamma) by a
 * certified ternary search using the convexity of F.  Returns 1 when the
 * enclosures are certified (always, barring exhausted precision), 0 if the
 * search could not separate the values at this precision. */
int cp_lsa_gamma_minimax(arb_t gamma, arb_t value, const cp_model_t m, slong prec);

/* The two-task bound (docs/model.md, Lemma LSA-GAP): for tasks with one
 * direction, s in {s1, s2}, zeta = +-1, every single-layer LSA (any W_PV,
 * W_KQ) has worst-case excess at least
 *   c(s1, s2) = [ p r (s2 - s1) / (p (1 + s1) + r (1 + s2)) ]^2,
 *   p = sqrt(s1/(1+s1)), r = sqrt(s2/(1+s2)).
 * Also returns (if eta != NULL) the crossing point
 *   eta* = (p + r)/(p (1+s1) + r (1+s2)). */
void cp_lsa_pair_bound(arb_t res, arb_t eta, const arb_t s1, const arb_t s2, slong prec);
/* lsa-gap = c(m_lo, m_hi). */
void cp_lsa_gap(arb_t res, const cp_model_t m, slong prec);
cp_approx cp_lsa_gap_approx(double m_lo, double m_hi);

/* Population excess of a general single-layer LSA at one task with
 * loading m = sqrt(s) e (|e| = 1) and response scale zeta:
 *   v = A^T (Lambda p + q c) + b (p^T c + q E[y^2]),   excess = (v - w)^T Lambda (v - w),
 * where A (d x d) and b (d) are the first d columns of W_KQ (rows 1..d and
 * row d+1), (p, q) the last row of W_PV (docs/model.md, (LSA-4)). */
void cp_lsa_general_task_excess(arb_t res, const arb_mat_t A, const arb_struct *b,
                                const arb_struct *p, const arb_t q,
                                const arb_struct *e, const arb_t s, const arb_t zeta,
                                const arb_t sigma2, slong prec);
double cp_lsa_general_task_excess_approx(slong d, const double *A, const double *b,
                                         const double *p, double q, const double *e,
                                         double s, double zeta, double sigma2);

/* Cross-attention population excess at L = infinity for tied (alpha, beta)
 * and depth T >= 1 (docs/model.md, section 4):
 *   E_s[ s/(1+s) (1 - phi(lambda))^2 ],  phi = alpha lambda sum_{t<T} (1 + beta lambda)^t. */
void cp_ca_excess(arb_t res, const cp_model_t m, const arb_t alpha, const arb_t beta, ulong T, slong prec);
cp_approx cp_ca_excess_approx(const cp_model_approx *m, double alpha, double beta, ulong T);

/* Reads alpha (default alpha*), beta (default -alpha) and T (1 <= T <= 10^7)
 * from kv for quantities and checks.  Returns 0, or -1 with err. */
int cp_read_ca_params(arb_t alpha, arb_t beta, ulong *T, const cp_model_t m,
                      const cp_kv *kv, const cp_key_spec *keys, slong prec, char *err);
/* The same parameters as exact rationals (for callers that compare them). */
int cp_read_ca_rats(fmpq_t alpha, fmpq_t beta, slong *T, const cp_model_t m,
                    const cp_kv *kv, const cp_key_spec *keys, char *err);

#endif
