/* engine.h -- the fast double-precision simulation engine (issue 4).
 *
 * Everything here is approximate: plain IEEE doubles on CBLAS, no error
 * control.  Results feed statistical checks (SUPPORTED / CONTRADICTED /
 * INCONCLUSIVE), never certified ones.  Model and notation: docs/model.md,
 * sections 1-4 and "Finite context (issue 4)".
 *
 * A prompt: task (m, zeta) with s = |m|^2 drawn from the prior and the
 * direction of m uniform on the sphere of R^d, d = d1 + d2; context tokens
 * z_i = (x_i, y_i), x_i = u_i m + mu_i, y_i = zeta u_i + sigma xi_i,
 * i = 1..L; a query (x_q, y_q) drawn the same way.  Every predictor the
 * engine knows is linear in the query, yhat = w^T x_q, with w a function of
 * the scaled Gram matrix G_hat = (1/L) sum z_i z_i^T = [[Sigma_hat, c_hat],
 * [c_hat^T, yy_hat]] only.  So a prompt is reduced to (task, G_hat).
 *
 * Samplers of G_hat (both exact in distribution):
 *   direct:     draw the L tokens and form G_hat with dsyrk (cost ~ L d^2);
 *   wishart:    z = B w with w ~ N(0, I_p), B = [[m, I_d, 0], [zeta, 0, sigma]],
 *               so L G_hat = B W B^T with W ~ Wishart(L, I_p), drawn by the
 *               Bartlett decomposition W = C C^T (C lower triangular,
 *               C_jj^2 ~ chi2(L - j), C_jk ~ N(0,1) below the diagonal);
 *               cost ~ d^3, independent of L; needs L >= p
 *               (p = d + 1 when sigma = 0, d + 2 otherwise);
 *   population: G_hat replaced by its L = infinity limit (deterministic);
 *   tilted:     importance sampling of the spike chi-square (docs/model.md
 *               FC-8): m = sqrt(s) e1 (the excess is rotation invariant),
 *               L Sigma_hat = D C C^T D with D = Lambda^{1/2} and C the
 *               Bartlett factor of Wishart_d(L, I), so mu = e1^T Sigma_hat e1
 *               = (1+s) C_11^2 / L with C_11^2 ~ chi2_L; C_11^2 is drawn from
 *               the defensive mixture (1 - eps) chi2_L + eps c chi2_L and the
 *               prompt carries the exact weight dP/dQ; c_hat = Sigma_hat w*
 *               + (sqrt(v)/L) D C g (exact in law); yy_hat is not drawn (NaN).
 *
 *   tridiag:    (docs/model.md section 12) m = sqrt(s) e1 and Sigma_hat replaced
 *               by the tridiagonal S = D J D / L, J = B^T B, B bidiagonal with
 *               2d - 1 independent chi entries (exact for every quantity
 *               invariant under rotations fixing m: the conditional estimator
 *               of bayes, ols, lsa, ca, ca2, ca_untied); only the eigenvalues
 *               of S and the first components of its eigenvectors are kept;
 *               G_hat, c_hat are not drawn.  O(d) random numbers, O(d^2 + d T)
 *               work per prompt; needs L >= d and the conditional estimator.
 *
 * Query handling:
 *   exact:   the query is integrated out analytically (Rao-Blackwell):
 *            E[(y_q - w^T x_q)^2 | task, context] = zeta^2/(1+s) + sigma^2
 *            + (w - w*)^T Lambda (w - w*), w* = zeta m/(1+s); the engine
 *            averages the excess term and adds the prior's Bayes risk, whose
 *            value is known in closed form (a control variate);
 *   sampled: draw (x_q, y_q) and average the squared error.
 * Both estimate the same risk; "exact" has far smaller variance.  With
 * the exact query the estimator (cp_estimator below) is by default the
 * conditional one: the excess averaged over zeta and the label noise
 * given Sigma_hat (docs/model.md FC-7).  Every run also reports tail
 * diagnostics and a heavy_tail flag (FC-9).
 *
 * Reproducibility: prompt number i draws only from Philox stream i (rng.h)
 * and per-chunk sums are combined in chunk order, so a run gives the same
 * bits for any thread count.  OpenBLAS is set to one thread
 * (cp_engine_init) so that BLAS threading cannot reorder sums. */
#ifndef CROSSPROOF_ENGINE_H
#define CROSSPROOF_ENGINE_H

#include <stdint.h>
#include "crossproof/model.h"
#include "crossproof/rng.h"

typedef enum { CP_SAMPLER_DIRECT, CP_SAMPLER_WISHART, CP_SAMPLER_POPULATION, CP_SAMPLER_TILTED,
               CP_SAMPLER_TRIDIAG } cp_sampler;
/* Estimator of the expected excess (docs/model.md FC-7):
 *   plain:       the excess (w - w*)^T Lambda (w - w*) of the drawn prompt;
 *   conditional: its expectation given Sigma_hat and s (the label noise and
 *                zeta integrated out exactly): w1^T R Lambda R w1
 *                + (1/(1+s) + sigma^2)/L tr(P Lambda P Sigma_hat), w1 = m/(1+s),
 *                R = I - P Sigma_hat, for predictors w = P(Sigma_hat) c_hat;
 *   auto:        conditional where valid (query=exact; bayes, ols, lsa, ca,
 *                ca2, ca_untied; not the population sampler), else plain. */
typedef enum { CP_EST_AUTO, CP_EST_PLAIN, CP_EST_CONDITIONAL } cp_estimator;
typedef enum { CP_QUERY_EXACT, CP_QUERY_SAMPLED } cp_query_mode;

typedef enum {
    CP_PRED_BAYES,        /* task known: w = w* = zeta m/(1+s) */
    CP_PRED_OLS,          /* least squares from the context: Sigma_hat^{-1} c_hat */
    CP_PRED_LSA,          /* gamma form: w = gamma c_hat */
    CP_PRED_LSA_GENERAL,  /* w = A^T G_hat u: A = first d columns of W_KQ, u = last row of W_PV */
    CP_PRED_CA,           /* one parameter: tied alpha, beta = -alpha */
    CP_PRED_CA2,          /* tied alpha and beta */
    CP_PRED_CA_UNTIED     /* per-layer alpha_t, beta_t */
} cp_pred_kind;

/* A predictor.  For CA: v_0 = 0, v_{t+1} = (I + beta_t Sigma_hat) v_t + alpha_t c_hat,
 * w = v_T; this equals the paper-form recursion s_{t+1} = (I + beta Sigma_hat) s_t
 * + alpha x_q with readout c_hat^T s_T because the layer map is a symmetric
 * polynomial in Sigma_hat (docs/model.md, "Finite context"). */
typedef struct {
    cp_pred_kind kind;
    long d;               /* dimension of x */
    long T;               /* depth (CA) */
    double alpha, beta, gamma;
    double *alphas, *betas;   /* untied: length T (owned by the caller) */
    double *A;            /* general LSA: (d+1) x d row-major (owned by the caller) */
    double *u;            /* general LSA: d+1 */
} cp_predictor;

int cp_pred_kind_from_name(cp_pred_kind *out, const char *name);
const char *cp_pred_kind_name(cp_pred_kind k);
int cp_sampler_from_name(cp_sampler *out, const char *name);
const char *cp_sampler_name(cp_sampler s);
/* Number of trainable parameters and their packing:
 *   ca: [alpha]; ca2: [alpha, beta]; ca_untied: [alpha_0..alpha_{T-1}, beta_0..beta_{T-1}];
 *   lsa: [gamma]; lsa_general: [A row-major, u]; bayes, ols: none. */
long cp_predictor_nparams(const cp_predictor *p);
void cp_predictor_get_params(double *theta, const cp_predictor *p);
void cp_predictor_set_params(cp_predictor *p, const double *theta);

/* One prompt reduced to what the predictors see, plus the task. */
typedef struct {
    long d;
    double s, zeta;
    double *m;        /* d */
    double *G;        /* (d+1) x (d+1) row-major, symmetric, both triangles filled */
    double *c;        /* d: copy of c_hat (column d of G) */
    double *xq;       /* d, sampled query only */
    double yq;
    double weight;    /* importance weight dP/dQ (1 except for the tilted sampler) */
    /* general model (docs/model.md section 14; NULL on the k = 1 isotropic
     * path): Lambda = Psi + M M^T (d x d) and w* = Lambda^{-1} M zeta; when
     * set, the excess is (w - w*)^T Lambda (w - w*) and bayes predicts w* */
    double *Lam, *wstar;
} cp_prompt;

#define CP_TILT_NODES 64
/* Per-thread workspace (buffers sized for d, T, and the direct sampler's
 * row blocks).  Returns 0 or -1 (out of memory). */
typedef struct {
    long d, T, rows;
    cp_prompt pr;
    double *Z, *C, *M;        /* direct rows; Bartlett factor; B C */
    double *V;                /* (T+1) x d iterates (gradients) */
    double *w, *g, *tmp, *tmp2;
    double *chol;             /* d x d */
    double *eval, *evec;      /* d, d x d: eigen-decomposition of Sigma_hat (conditional estimator) */
    double *eigtmp;           /* LAPACK workspace, CP_EIG_LWORK(d) */
    /* general model (section 14), allocated by cp_engine_ws_general_init */
    long gk;
    double *gM, *gzeta, *gLam, *gwstar, *gchol, *gC, *gBC, *gtmp;
    /* tilted sampler (FC-8): the tilt c(s) at CP_TILT_NODES + 1 equally spaced
     * s of [m_lo, m_hi] for one (predictor, L), built on first use */
    int tilt_ready;
    cp_predictor tilt_for;
    long tilt_L;
    double tilt_s0, tilt_s1, tilt_c[CP_TILT_NODES + 1];
} cp_engine_ws;
#define CP_EIG_LWORK(d) (66 * (d) + 64)

int cp_engine_ws_init(cp_engine_ws *ws, long d, long T);
void cp_engine_ws_clear(cp_engine_ws *ws);

/* Sets OpenBLAS to one thread (the engine parallelises over prompts). */
void cp_engine_init(void);

/* Draws prompt number `index` of (seed, substream) into ws->pr.  The task
 * uses Philox substream 3*substream, the context 3*substream + 1 and the
 * query 3*substream + 2, so direct and wishart share tasks and queries. */
void cp_prompt_draw(cp_engine_ws *ws, const cp_model_approx *m, long L, cp_sampler smp,
                    int draw_query, uint64_t seed, uint32_t substream, uint64_t index);

/* Tilted draw (sampler tilted, docs/model.md FC-8) of prompt `index`: the
 * tilt c is chosen from the predictor (NULL: no tilt, c = 1) as the
 * maximiser of the integrand r(lambda x)^2 x^(L/2-1) e^(-L x/2), r(l) =
 * 1 - l p(l), interpolated in s (cp_tilt_factor_cached); share = eps in
 * (0, 1) (values outside: 1/2). */
void cp_prompt_draw_tilted(cp_engine_ws *ws, const cp_model_approx *m, long L, const cp_predictor *tilt,
                           double share, uint64_t seed, uint32_t substream, uint64_t index);
/* The tilt factor c of a task with s (exposed for tests), and the same
 * interpolated between CP_TILT_NODES + 1 values on [m_lo, m_hi] tabulated in
 * ws for (p, L) on first use (exact at the nodes). */
double cp_tilt_factor(const cp_predictor *p, double s, long L);
double cp_tilt_factor_cached(cp_engine_ws *ws, const cp_predictor *p, const cp_model_approx *m, double s, long L);
/* dP/dQ of (FC-8) (iii) for the spike chi-square q ~ chi2_L, tilt c, share eps. */
double cp_tilt_weight(double c, double eps, double q, long L);

/* Conditional estimator (docs/model.md FC-7).  cp_estimator_valid says
 * whether it applies to the predictor kind.  cp_prompt_eigen computes the
 * eigenvalues of Sigma_hat of the current prompt (and the eigenvectors
 * when `vectors`: needed by least squares only), by LAPACK dsyev on one
 * thread: same bits on any thread.  cp_prompt_conditional_excess then
 * returns E[excess | Sigma_hat, s, direction] averaged over zeta (E zeta^2
 * = 1) and the label noise.  p(l), the eigenvalue map of P: CA v_{t+1} =
 * (1 + beta_t l) v_t + alpha_t, v_0 = 0; lsa gamma; ols 1/l; bayes: 0. */
int cp_estimator_valid(cp_pred_kind k);
/* y = Sigma_hat x for the current prompt (the engine's fixed-order AVX2/fma symv). */
void cp_engine_sigma_apply(double *y, const cp_prompt *pr, const double *x);
double cp_predictor_poly(const cp_predictor *p, double l);
void cp_prompt_eigen(cp_engine_ws *ws, int vectors);
#define CP_COND_VEC_MAXD 8
int cp_conditional_needs_vectors(const cp_predictor *p);
double cp_prompt_conditional_excess(const cp_predictor *p, cp_engine_ws *ws, long L, double sigma);

/* w such that the prediction is w^T x_q.  Writes ws->w (and returns it). */
const double *cp_predictor_weight(const cp_predictor *p, cp_engine_ws *ws);
/* Solves R R^T w = b for R lower triangular d x d (row-major); b may alias w. */
void cp_engine_chol_solve(double *w, const double *R, const double *b, long d);
/* Excess (w - w*)^T Lambda (w - w*) of the current prompt. */
double cp_prompt_excess(const double *w, const cp_prompt *pr);
/* Excess and its gradient in the packed parameters (grad is overwritten). */
double cp_predictor_excess_grad(double *grad, const cp_predictor *p, cp_engine_ws *ws);

/* s drawn from the prior: the first draws of a task (shared by every sampler). */
double cp_engine_draw_s(const cp_model_approx *m, cp_rng *r);

/* sampler=tridiag (docs/model.md section 12, src/engine_tridiag.c).
 * cp_prompt_draw_tridiag draws prompt `index` (task s from Philox substream
 * 3 substream, the same s as the other samplers; the 2d - 1 chi variables
 * from 3 substream + 1), sets pr.s, pr.m = sqrt(s) e1, pr.weight = 1, and
 * leaves the eigenvalues of S in ws->eval and the squared first components
 * q_i^2 in ws->evec[0..d) (NaN eigenvalues when QL fails).
 * cp_tridiag_eigen: eigenvalues and first eigenvector components of the
 * symmetric tridiagonal (diag a, off e, e[d-1] ignored), overwritten: a <- l,
 * z <- q (implicit QL, TR-3); returns 0 or -1 (no convergence).
 * cp_tridiag_spectral_excess: f of (TR-3) from (l, q^2) and p_i = pv[i * stride].
 * cp_tridiag_conditional_excess: the same for the predictor (p_i by
 * cp_predictor_poly; ols: p = 1/l, NaN when S is singular). */
void cp_prompt_draw_tridiag(cp_engine_ws *ws, const cp_model_approx *m, long L, uint64_t seed,
                            uint32_t substream, uint64_t index);
int cp_tridiag_eigen(long d, double *a, double *e, double *z);
double cp_tridiag_spectral_excess(long d, const double *l, const double *q2, long lst, const double *pv, long pst,
                                  double s, double noise);
/* Blocks of CP_TRI_LANES consecutive prompts, lane-interleaved (entry i of
 * lane k at [i * CP_TRI_LANES + k]): the QL runs on all lanes at once (SIMD),
 * each prompt with the bits of cp_prompt_draw_tridiag + cp_tridiag_eigen. */
#define CP_TRI_LANES 8
typedef struct {
    long d;
    int count;                 /* lanes in use */
    double s[CP_TRI_LANES];
    double w[CP_TRI_LANES];    /* importance weights (1 unless tilted) */
    double *l, *q2;            /* eigenvalues and squared first components */
    double *e, *z, *pv;        /* scratch */
} cp_tridiag_block;
int cp_tridiag_block_init(cp_tridiag_block *b, long d);
void cp_tridiag_block_clear(cp_tridiag_block *b);
void cp_tridiag_draw_block(cp_tridiag_block *b, const cp_model_approx *m, long L, uint64_t seed,
                           uint32_t substream, uint64_t index0, int count);
/* The same with b_1^2 drawn from the tilted defensive mixture of (FC-8)
 * (sampler=tilted with the conditional estimator; docs/model.md TR-2): the
 * uniform deciding the mixture component is drawn first from the context
 * substream, c = cp_tilt_factor_cached(ws, tilt, ...), weights in b->w. */
void cp_tridiag_draw_block_tilted(cp_tridiag_block *b, cp_engine_ws *ws, const cp_model_approx *m, long L,
                                  const cp_predictor *tilt, double share, uint64_t seed, uint32_t substream,
                                  uint64_t index0, int count);
/* cp_tridiag_eigen on CP_TRI_LANES lane-interleaved tridiagonals (a, e, z
 * as in a block) at once, each lane with the bits of cp_tridiag_eigen;
 * lanes with fail[k] != 0 are skipped (a and e[0..d-2] kept; they must
 * hold numbers), the others get fail[k] = 1 when QL does not converge. */
void cp_tridiag_eigen_lanes(long d, double *a, double *e, double *z, int *fail);
double cp_tridiag_block_excess(const cp_predictor *p, cp_tridiag_block *b, int lane, long L, double sigma);
void cp_tridiag_block_excess_all(double *out, const cp_predictor *p, cp_tridiag_block *b, long L, double sigma);
double cp_tridiag_conditional_excess(const cp_predictor *p, cp_engine_ws *ws, long L, double sigma);
int cp_tridiag_valid(cp_pred_kind k);
/* Training gradients on the tridiagonal path (src/engine_tridiag_grad.c,
 * docs/model.md section 16).  cp_tridiag_spectral_grad: f of (TR-3) for the
 * predictor (p_i by the layer recursion) and its gradient in the packed
 * parameters (cp_predictor_nparams; grad overwritten), from (l, q^2) with
 * stride st, s and noise = (1/(1+s) + sigma^2)/L; kinds ca, ca2, ca_untied,
 * lsa (gamma form); work holds cp_tridiag_grad_work(p) doubles.
 * cp_tridiag_block_grad: the same for lane `lane` of a block (bayes, ols:
 * the excess only).  cp_tridiag_grad_valid: the kinds cp_engine_grad accepts
 * with sampler=tridiag (those of cp_tridiag_valid; not lsa_general). */
int cp_tridiag_grad_valid(cp_pred_kind k);
long cp_tridiag_grad_work(const cp_predictor *p);
double cp_tridiag_spectral_grad(double *grad, const cp_predictor *p, long d, const double *l, const double *q2,
                                long st, double s, double noise, double *work);
double cp_tridiag_block_grad(double *grad, const cp_predictor *p, cp_tridiag_block *b, int lane, long L,
                             double sigma, double *work);

/* --- the general latent factor model (docs/model.md sections 11 and 14) ----
 * k factors, noise standard deviations tau1 (the d1 coordinates of modality
 * 1) and tau2 (the d2 of modality 2), a fraction `split` of each loading's
 * |m|^2 in modality 1; column j of M is sqrt(s_j) (sqrt(split) a_j;
 * sqrt(1 - split) b_j) with s_j iid from the prior and a_1..a_k, b_1..b_k
 * Haar orthonormal frames of R^{d1}, R^{d2} (G-1); zeta iid N(0, 1) or
 * Rademacher.  Samplers: direct, wishart (Bartlett with p = k + d (+1 when
 * sigma > 0) latent coordinates), population; plain estimator only. */
typedef struct {
    long k;
    double tau1, tau2, split;
} cp_general_approx;
/* 1 when g is NULL or the k = 1 isotropic unit-noise model (the old path). */
int cp_general_approx_trivial(const cp_general_approx *g);
/* Latent dimension p of the general Wishart sampler (needs L >= p). */
long cp_general_wishart_p(const cp_general_approx *g, long d, double sigma);
int cp_engine_ws_general_init(cp_engine_ws *ws, long k);
/* Draws prompt `index` of the general model into ws->pr (same substreams as
 * cp_prompt_draw): task (M, zeta), G_hat by `smp` (direct, wishart or
 * population), the query when draw_query; sets pr.Lam and pr.wstar. */
void cp_prompt_draw_general(cp_engine_ws *ws, const cp_model_approx *m, const cp_general_approx *g, long L,
                            cp_sampler smp, int draw_query, uint64_t seed, uint32_t substream, uint64_t index);
/* Valid sampler for the general model (direct, wishart, population). */
int cp_general_sampler_valid(cp_sampler s);

/* --- batched runs -------------------------------------------------------- */
typedef struct {
    cp_model_approx model;
    double bayes_risk;       /* E[zeta^2/(1+s)] + sigma^2 of the prior (control variate) */
    long L;
    cp_sampler sampler;
    cp_query_mode query;
    uint64_t seed;
    uint32_t substream;      /* 0 for simulate; training uses others */
    uint64_t first;          /* index of the first prompt */
    long long prompts;
    int threads;
    cp_estimator estimator;  /* 0 = auto */
    double tilt_share;       /* sampler tilted: share eps of tilted draws (0: 1/2) */
    void (*progress)(double done_fraction, void *arg);
    void *progress_arg;
    /* the general model (section 14); NULL or trivial: the k = 1 isotropic path */
    const cp_general_approx *general;
} cp_sim_config;

/* Tail diagnostics (docs/model.md FC-9).  Per-prompt values f_i (the
 * excess, the squared error with query=sampled, times the importance
 * weight with sampler=tilted) are summarised per chunk and combined in
 * chunk order (bounded memory, same bits for any thread count): sum, sum
 * of squares, the largest value and the sums over CP_MOM_GROUPS
 * contiguous groups of prompt indices (median of means).  The rule:
 * heavy_tail when
 *   (a) max_share > max(CP_HEAVY_MAX_SHARE, CP_HEAVY_MAX_RATIO / n) (one prompt
 *       carries 1% of the sum, or more than 50 times the mean), or
 *   (b) ess / n < CP_HEAVY_ESS_FRAC, ess = (sum f)^2 / sum f^2, or
 *   (c) the median of means lies below the mean by more than both
 *       CP_HEAVY_MOM_REL of the mean excess and 3 standard errors, or
 *   (d) a known lower bound on the expected excess exceeds the upper end
 *       of the (unclipped) 95% interval. */
#define CP_MOM_GROUPS 16
#define CP_HEAVY_MAX_SHARE 0.01
#define CP_HEAVY_MAX_RATIO 50.0
#define CP_HEAVY_ESS_FRAC 0.01
#define CP_HEAVY_MOM_REL 0.5
enum { CP_HEAVY_SHARE = 1, CP_HEAVY_ESS = 2, CP_HEAVY_MOM = 4, CP_HEAVY_BOUND = 8 };

typedef struct {
    double sum, sumsq, max;
    double gsum[CP_MOM_GROUPS];
    long long gn[CP_MOM_GROUPS];
} cp_tailstat;
void cp_tailstat_add(cp_tailstat *t, double v, long long i, long long n);
void cp_tailstat_merge(cp_tailstat *t, const cp_tailstat *s);

typedef struct {
    double risk, risk_stderr;       /* estimate of the prediction risk and its standard error */
    double excess, excess_stderr;   /* risk minus the task-known Bayes risk */
    long long n;
    cp_estimator estimator;         /* the one used (plain or conditional) */
    double max_share;               /* largest single per-prompt value / sum of values */
    double ess;                     /* (sum f)^2 / sum f^2 */
    double excess_mom;              /* median-of-means estimate of the excess */
    double lower_bound;             /* known lower bound on the expected excess (NAN: none) */
    double ci_lo, ci_hi;            /* 95% interval of the excess, clipped below at max(0, lower_bound) */
    int clipped;                    /* ci_lo was raised to that floor */
    int heavy_tail;                 /* the rule above */
    unsigned heavy_reasons;         /* CP_HEAVY_* bits */
    char error[256];                /* set when a run stopped (non-finite value, memory) */
} cp_sim_result;

/* Fills the diagnostics of res from t (n = res->n, mean and stderr set)
 * and sets lower_bound = lb (NAN: none), clipping and heavy_tail. */
void cp_sim_result_finish(cp_sim_result *res, const cp_tailstat *t, int sampled, double bayes_risk, double lb);
/* Re-applies a known lower bound lb on the expected excess (the program
 * layer's hook, e.g. the certified ca-excess-lower): updates lower_bound,
 * the clipped interval and rule (d). */
void cp_sim_result_set_lower_bound(cp_sim_result *res, double lb);
/* The interval excess +- z stderr clipped below at max(0, lower_bound);
 * returns 1 when clipped. */
int cp_sim_interval(double *lo, double *hi, const cp_sim_result *res, double z);
/* Hook for a known lower bound on the expected excess of a predictor at
 * (model, L) -- NULL until the program layer installs one (the certified
 * ca-excess-lower of theorems/finite_size.md, wired at merge time).  It
 * returns NAN when it has no bound for these parameters. */
/* kappa*(alpha, m_hi) of docs/model.md (FC-10), double precision, not
 * certified (theorems/finite_size.md certifies it): along T = kappa L the
 * tied CA excess diverges for kappa > kappa*.  Used as an advisory. */
double cp_engine_kappa_star_approx(double alpha, double m_hi);
typedef double (*cp_excess_lower_fn)(const cp_model_approx *m, long L, const cp_predictor *p);
extern cp_excess_lower_fn cp_engine_excess_lower;

/* Prompts per chunk: the unit of work and of ordered reduction. */
#define CP_ENGINE_CHUNK 256

/* Streams cfg->prompts prompts through the predictor.  Returns 0, or -1
 * with res->error set (the run stops at the first NaN or Inf; nothing is
 * averaged over it). */
int cp_engine_risk(cp_sim_result *res, const cp_sim_config *cfg, const cp_predictor *pred);
/* Runs npred CA-family predictors (ca, ca2, ca_untied) on the same prompts
 * in one pass: res[k] is bit-identical to cp_engine_risk(&res[k], cfg,
 * &preds[k]).  Tied predictors with equal (alpha, beta) share one
 * recursion (every requested T is read off the iterates); the distinct
 * recursions advance together as the columns of a d x K matrix, so each
 * layer is a matrix-matrix product (cp_engine_symm_kernel).  Returns 0, or
 * -1 with res[0].error set. */
int cp_engine_risk_multi(cp_sim_result *res, const cp_sim_config *cfg, const cp_predictor *preds, int npred);

/* Y = S V for S symmetric d x d (leading dimension lds, both triangles
 * stored) and V, Y d x K row-major (leading dimension K).  Each Y[i][k] is
 * accumulated with fma in the order j = 0..d-1, the same order as the
 * single-vector layer, so results do not depend on K or on the clone. */
void cp_engine_symm_kernel(double *Y, const double *S, long d, long lds, const double *V, long K);

/* Mean excess and its gradient over the prompts of cfg (grad has
 * cp_predictor_nparams entries).  Wishart/direct: the plain excess of each
 * prompt and its gradient; tridiag (docs/model.md section 16): the
 * conditional excess f (TR-3) and its gradient, the same expectation with
 * smaller variance (kinds of cp_tridiag_grad_valid, L >= d, the k = 1
 * isotropic model).  Returns 0 or -1 with err set. */
int cp_engine_grad(double *grad, double *mean_excess, const cp_sim_config *cfg,
                   const cp_predictor *pred, char *err);

/* E_s[f(s)] under the prior by Gauss-Legendre quadrature (96 nodes; exact
 * for the two-point prior).  No error control; accurate for smooth f and
 * Beta shapes >= 1. */
double cp_prior_expect_approx(const cp_model_approx *m, double (*f)(double s, void *arg), void *arg);
/* E[1/(1+s)] + sigma^2 from the certified prior routine, rounded to double. */
double cp_engine_bayes_risk(const cp_model_t m);
/* Population CA excess E_s[s/(1+s)(1 - phi(1+s))^2], phi(lambda) = alpha lambda
 * sum_{t<T} (1 + beta lambda)^t (docs/model.md 4-5), by cp_prior_expect_approx. */
double cp_engine_ca_pop_excess(const cp_model_approx *m, double alpha, double beta, long T);
/* Minimiser of the population excess: one parameter (beta = -alpha), by golden
 * section on (0, 2/(1 + m_hi)); two parameters by alternating golden sections. */
double cp_engine_alpha_T(const cp_model_approx *m, long T);
void cp_engine_alpha_beta_T(double *alpha, double *beta, const cp_model_approx *m, long T);

/* Sets the current prompt to the task (m, zeta) at L = infinity: G_hat is
 * replaced by [[I + m m^T, zeta m], [zeta m^T, zeta^2 + sigma^2]]. */
void cp_prompt_set_population(cp_engine_ws *ws, const double *m, double zeta, double sigma);

/* --- training (engine_train.c) -------------------------------------------
 * Gradient descent on fresh prompts: step k draws prompts
 * [k B, (k+1) B) of Philox substream `cfg.substream` (B = cfg.prompts) and
 * moves theta <- theta - lr * grad of the mean excess (the query is
 * integrated out, so this is an unbiased gradient of the risk).  Iterate
 * averaging (Polyak-Ruppert) over steps >= avg_from.  Deterministic: the
 * same configuration gives the same bits for any thread count, and a run
 * resumed from the state after step k equals the uninterrupted run. */
typedef struct {
    cp_sim_config cfg;        /* model, L = L_train, sampler, seed, threads; prompts = batch size */
    long steps;               /* total steps */
    double lr;
    long avg_from;            /* first step included in the average */
    /* learning-rate schedule over the `steps` steps: CP_LR_CONSTANT (lr),
     * CP_LR_COSINE (lr (1 + cos(pi k/steps))/2 at step k), CP_LR_STEP (lr,
     * then lr/10 from step steps/2, lr/100 from 3 steps/4); optimizer
     * CP_OPT_GD (theta -= lr_k g) or CP_OPT_ADAM (Kingma-Ba, beta1 0.9, beta2
     * 0.999, eps 1e-8; its moments live in the state).  Zero = the defaults,
     * constant gradient descent, bit-identical to the plain update. */
    int schedule, optimizer;
    /* called after each step (may be NULL); returning nonzero stops the run */
    int (*on_step)(long step, const double *theta, double mean_excess, void *arg);
    void *arg;
} cp_train_config;

typedef struct {
    long step;                /* steps done */
    long np;
    double *theta;            /* current parameters */
    double *avg;              /* running average of theta over steps >= avg_from */
    long navg;
    double last_excess;
    double *adam_m, *adam_v;  /* Adam moments (NULL until an Adam step) */
} cp_train_state;
enum { CP_LR_CONSTANT = 0, CP_LR_COSINE = 1, CP_LR_STEP = 2 };
enum { CP_OPT_GD = 0, CP_OPT_ADAM = 1 };
/* The learning rate of step k (0-based) of the schedule. */
double cp_train_lr(const cp_train_config *tc, long k);

int cp_train_state_init(cp_train_state *st, const cp_predictor *pred);
void cp_train_state_clear(cp_train_state *st);
/* Runs steps st->step .. tc->steps - 1, updating st and the predictor's
 * parameters.  Returns 0, 1 when on_step asked to stop, or -1 with err. */
int cp_engine_train(cp_train_state *st, cp_predictor *pred, const cp_train_config *tc, char *err);

/* --- command helpers (engine_cli.c) -------------------------------------- */
#include <stdio.h>
/* Reads `key = value` lines ('#' comments) into kv, origin = path, each
 * entry remembering its line.  Returns 0 or -1 with a one-line err. */
int cp_engine_load_config(cp_kv *kv, const char *path, char *err);
/* Bytes the engine would allocate for dimension d, depth T, `threads`
 * workers, np trained parameters (0: none) and a grid of npts points, and
 * the check against CP_ENGINE_MAX_BYTES (or the physical memory, if less) made before allocating (-1 with a
 * one-line err naming the parameters: exit 2). */
#define CP_ENGINE_MAX_BYTES (16.0 * 1073741824.0)
double cp_engine_mem_estimate(long d, long T, long threads, long np, long npts);
int cp_engine_mem_check(long d, long T, long threads, long np, long npts, char *err);
/* Progress on stderr with rate and ETA, redrawn at most CP_PROGRESS_HZ
 * times a second.  Callers create it only when cp_engine_stderr_is_tty()
 * (never in files or pipes).  cp_progress_update takes the work done so far
 * (in `unit`s, out of `total`); cp_progress_done erases the line. */
#define CP_PROGRESS_HZ 4
typedef struct {
    char label[48];
    const char *unit;     /* "prompts", "steps", "tau" */
    double total, t0, last;
    int shown;
} cp_progress;
void cp_progress_start(cp_progress *p, const char *label, double total, const char *unit);
void cp_progress_update(cp_progress *p, double done);
void cp_progress_done(cp_progress *p);
/* Engine hook form (cp_sim_config.progress): arg is a cp_progress whose
 * total is the work of the pass; frac is the fraction done. */
void cp_engine_progress_bar(double frac, void *arg);
int cp_engine_stderr_is_tty(void);
/* Writes `"versions": {...}, "blas": "..."` (no braces around). */
void cp_engine_json_provenance(FILE *f);

#endif
