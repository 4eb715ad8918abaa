/* general.h -- the general latent factor model of docs/model.md, section 11
 * (issue 13): k >= 1 factors and modality-specific noise levels.
 *
 *   x = M u + mu,  u ~ N(0, I_k),  mu ~ N(0, Psi),  y = zeta^T u + sigma xi,
 *   Psi = diag(tau1^2 I_{d1}, tau2^2 I_{d2}).
 *
 * crossproof's parametrisation (section 11, (G-1)): factor j has loading
 * norm s_j = |m^(j)|^2, drawn independently from the k = 1 prior on
 * [m_lo, m_hi], a fraction `split` of it in modality 1, and the factors'
 * modality blocks are mutually orthogonal (M^T M = diag(s_j)).  Every
 * population quantity is then k times a k = 1 quantity whose task reduces to
 * a 2 x 2 problem (G-2).  With tau1 = tau2 = 1 and k = 1 each function
 * returns bit for bit what its lsa.h counterpart returns (tests/test_general.c).
 *
 * Certified functions write enclosures from the exact parameters; the
 * *_approx twins are doubles without error control. */
#ifndef CROSSPROOF_GENERAL_H
#define CROSSPROOF_GENERAL_H

#include "crossproof/arbcompat.h"
#include "crossproof/model.h"
#include "crossproof/lsa.h"

typedef struct {
    cp_model_t base;        /* prior of each s_j, sigma, d1, d2 (base->k = 1) */
    fmpq_t tau1, tau2;      /* noise standard deviations per modality, > 0 */
    fmpq_t t1, t2;          /* their squares */
    fmpq_t split;           /* theta = |m_1|^2 / |m|^2 in [0, 1] */
    slong k;                /* number of factors */
} cp_general_struct;
typedef cp_general_struct cp_general_t[1];

#define CP_GENERAL_KEYS \
    CP_MODEL_KEYS, \
    { "k",     CP_KEY_INT, "1",   "number of latent factors (each with s_j ~ prior, block-orthogonal)" }, \
    { "tau1",  CP_KEY_RAT, "1",   "noise standard deviation of modality 1" }, \
    { "tau2",  CP_KEY_RAT, "1",   "noise standard deviation of modality 2" }, \
    { "split", CP_KEY_RAT, "1/2", "fraction of each loading's |m|^2 in modality 1 (s1 = split s)" }
extern const cp_key_spec cp_general_keys[];

void cp_general_init(cp_general_t g);
void cp_general_clear(cp_general_t g);
/* Reads the model keys and k, tau1, tau2, split from kv (keys: the table the
 * caller validated against, which must contain CP_GENERAL_KEYS).  Returns 0,
 * or -1 with a one-line err naming the parameter. */
int cp_general_from_kv(cp_general_t g, const cp_kv *kv, const cp_key_spec *keys, char *err);
/* NULL when g is valid, else a one-line message and (in *key) the key it
 * concerns; call after setting the fields directly. */
const char *cp_general_invalid(const cp_general_t g, const char **key);
/* Sets tau1, tau2 and their squares. */
void cp_general_set_noise(cp_general_t g, const fmpq_t tau1, const fmpq_t tau2);
/* The 1-D reduction: 1 when the relevant spectrum of every task is the single
 * eigenvalue t + s (tau1 = tau2, or split in {0, 1}); *t gets that t. */
int cp_general_is_1d(fmpq_t t, const cp_general_t g);
/* q = split/tau1^2 + (1 - split)/tau2^2: |Psi^{-1/2} m|^2 = q s (G-3). */
void cp_general_q(fmpq_t q, const cp_general_t g);
/* The base model with the support scaled by f (same prior shape). */
void cp_general_scaled_model(cp_model_t out, const cp_general_t g, const fmpq_t f);

/* One task (per unit zeta^2), (G-2): eigenvalues lam_minus <= lam_plus of
 * Lambda on the task's 2-D invariant subspace and the weights
 * omega_pm = (e_pm^T c)^2 / lam_pm (in the 1-D case one weight is 0). */
void cp_general_task_spectrum(arb_t lam_minus, arb_t lam_plus, arb_t om_minus, arb_t om_plus,
                              const cp_general_t g, const arb_t s, slong prec);

/* Task-known Bayes risk k E[1/(1 + q s)] + sigma^2 (G-4). */
void cp_general_bayes_risk(arb_t res, const cp_general_t g, slong prec);
cp_approx cp_general_bayes_risk_approx(const cp_general_t g);

/* Gamma-form LSA, prior average (G-5):
 *   k [ gamma^2 (E s^2 + p E s) - 2 gamma E s + E[q s/(1 + q s)] ],  p = split t1 + (1-split) t2;
 * the best gamma E s/(E s^2 + p E s) and the excess there. */
void cp_general_gamma_excess_avg(arb_t res, const cp_general_t g, const arb_t gamma, slong prec);
void cp_general_gamma_avg(arb_t res, const cp_general_t g, slong prec);
void cp_general_gamma_excess_best(arb_t res, const cp_general_t g, slong prec);

/* Tied CA at L = infinity (G-6):
 *   k E_s[ sum_pm omega_pm (1 - phi(lam_pm))^2 ],  phi = (alpha/beta)((1 + beta lam)^T - 1). */
void cp_general_ca_excess(arb_t res, const cp_general_t g, const arb_t alpha, const arb_t beta,
                          ulong T, slong prec);
/* The same with beta = -alpha by construction: (I - alpha Lambda)^T is formed
 * directly (cp_general_ca_excess does so only for exact alpha, beta with
 * alpha + beta = 0), which keeps full relative accuracy at large T. */
void cp_general_richardson_excess(arb_t res, const cp_general_t g, const arb_t alpha, ulong T, slong prec);
cp_approx cp_general_ca_excess_approx(const cp_general_t g, double alpha, double beta, ulong T);

/* The minimax Richardson step over the hull [lam_min, lam_max] of the relevant
 * spectrum (G-7): alpha = 2/(lam_min + lam_max), rho = (lam_max - lam_min)/(lam_max + lam_min).
 * In the 1-D case both are exact rationals and *exact is set to 1, with the
 * values in qa, qr (if not NULL).  lam_min/lam_max may be NULL. */
void cp_general_alpha_star(arb_t alpha, arb_t rho, arb_t lam_min, arb_t lam_max,
                           fmpq_t qa, fmpq_t qr, int *exact, const cp_general_t g, slong prec);
/* Worst-case contraction max over the hull of |1 - alpha lam|. */
void cp_general_contraction(arb_t res, const cp_general_t g, const arb_t alpha, slong prec);

/* The two-task bound for every single-layer LSA (G-8): c(q m_lo, q m_hi). */
void cp_general_lsa_gap(arb_t res, const cp_general_t g, slong prec);
cp_approx cp_general_lsa_gap_approx(const cp_general_t g);
/* The same value, bracketed from the 2 x 2 matrices without the whitening
 * identity (G-9): lower = D(w), the dual function at weight w in [0, 1] on
 * the task s1 (valid lower bound for every w, weak duality); upper = the
 * worst case over the four tasks of the explicit LSA whose odd part is
 * h(w) = argmin of the w-weighted problem.  lower <= gap <= upper. */
void cp_general_lsa_pair_dual(arb_t lower, arb_t upper, const cp_general_t g,
                              const arb_t s1, const arb_t s2, const arb_t w, slong prec);
/* A good dual weight in doubles (golden section), as an exact dyadic. */
void cp_general_lsa_dual_weight(fmpq_t w, const cp_general_t g, double s1, double s2);

#endif
