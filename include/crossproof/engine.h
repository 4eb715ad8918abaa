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
 *   population: G_hat replaced by its L = infinity limit (deterministic).
 *
 * Query handling:
 *   exact:   the query is integrated out analytically (Rao-Blackwell):
 *            E[(y_q - w^T x_q)^2 | task, context] = zeta^2/(1+s) + sigma^2
 *            + (w - w*)^T Lambda (w - w*), w* = zeta m/(1+s); the engine
 *            averages the excess term and adds the prior's Bayes risk, whose
 *            value is known in closed form (a control variate);
 *   sampled: draw (x_q, y_q) and average the squared error.
 * Both estimate the same risk; "exact" has far smaller variance.
 *
 * Reproducibility: prompt number i draws only from Philox stream i (rng.h)
 * and per-chunk sums are combined in chunk order, so a run gives the same
 * bits for any thread count.  OpenBLAS is set to one thread
 * (cp_engine_init) so that BLAS threading cannot reorder sums. */
#ifndef CROSSPROOF_ENGINE_H
#define CROSSPROOF_ENGINE_H

#include <stdint.h>
#include "crossproof/model.h"

typedef enum { CP_SAMPLER_DIRECT, CP_SAMPLER_WISHART, CP_SAMPLER_POPULATION } cp_sampler;
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
} cp_prompt;

/* Per-thread workspace (buffers sized for d, T, and the direct sampler's
 * row blocks).  Returns 0 or -1 (out of memory). */
typedef struct {
    long d, T, rows;
    cp_prompt pr;
    double *Z, *C, *M;        /* direct rows; Bartlett factor; B C */
    double *V;                /* (T+1) x d iterates (gradients) */
    double *w, *g, *tmp, *tmp2;
    double *chol;             /* d x d */
} cp_engine_ws;

int cp_engine_ws_init(cp_engine_ws *ws, long d, long T);
void cp_engine_ws_clear(cp_engine_ws *ws);

/* Sets OpenBLAS to one thread (the engine parallelises over prompts). */
void cp_engine_init(void);

/* Draws prompt number `index` of (seed, substream) into ws->pr.  The task
 * uses Philox substream 3*substream, the context 3*substream + 1 and the
 * query 3*substream + 2, so direct and wishart share tasks and queries. */
void cp_prompt_draw(cp_engine_ws *ws, const cp_model_approx *m, long L, cp_sampler smp,
                    int draw_query, uint64_t seed, uint32_t substream, uint64_t index);

/* w such that the prediction is w^T x_q.  Writes ws->w (and returns it). */
const double *cp_predictor_weight(const cp_predictor *p, cp_engine_ws *ws);
/* Excess (w - w*)^T Lambda (w - w*) of the current prompt. */
double cp_prompt_excess(const double *w, const cp_prompt *pr);
/* Excess and its gradient in the packed parameters (grad is overwritten). */
double cp_predictor_excess_grad(double *grad, const cp_predictor *p, cp_engine_ws *ws);

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
    void (*progress)(double done_fraction, void *arg);
    void *progress_arg;
} cp_sim_config;

typedef struct {
    double risk, risk_stderr;       /* estimate of the prediction risk and its standard error */
    double excess, excess_stderr;   /* risk minus the task-known Bayes risk */
    long long n;
    char error[256];                /* set when a run stopped (non-finite value, memory) */
} cp_sim_result;

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
 * cp_predictor_nparams entries).  Returns 0 or -1 with err set. */
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
} cp_train_state;

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
/* Progress bar on stderr; arg is a label (const char *).  Callers install
 * it only when cp_engine_stderr_is_tty(). */
void cp_engine_progress_bar(double frac, void *arg);
int cp_engine_stderr_is_tty(void);
/* Writes `"versions": {...}, "blas": "..."` (no braces around). */
void cp_engine_json_provenance(FILE *f);

#endif
