/* engine.c -- prompts, predictors, excess and gradients for one prompt
 * (engine.h).  Batched, threaded runs are in engine_run.c; prior
 * quadrature and population optima in engine_pop.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include "crossproof/engine.h"
#include "crossproof/rng.h"

#define DIRECT_ROWS 512    /* rows of context drawn per dsyrk block */
#define CP_WISHART_MAXN 256 /* n = d + 1 up to which sample_wishart uses its own Gram kernel */

static double *alloc_doubles(long n)
{
    size_t bytes = (size_t) (n > 0 ? n : 1) * sizeof(double);
    bytes = (bytes + 63) / 64 * 64;
    double *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void cp_engine_init(void)
{
    openblas_set_num_threads(1);
}

static const char *const kind_names[] = { "bayes", "ols", "lsa", "lsa_general", "ca", "ca2", "ca_untied" };

int cp_pred_kind_from_name(cp_pred_kind *out, const char *name)
{
    for (int i = 0; i < (int) (sizeof kind_names / sizeof kind_names[0]); i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (cp_pred_kind) i;
            return 0;
        }
    return -1;
}

const char *cp_pred_kind_name(cp_pred_kind k)
{
    return kind_names[k];
}

static const char *const sampler_names[] = { "direct", "wishart", "population", "tilted", "tridiag" };

int cp_sampler_from_name(cp_sampler *out, const char *name)
{
    for (int i = 0; i < (int) (sizeof sampler_names / sizeof sampler_names[0]); i++)
        if (strcmp(name, sampler_names[i]) == 0) {
            *out = (cp_sampler) i;
            return 0;
        }
    return -1;
}

const char *cp_sampler_name(cp_sampler s)
{
    return sampler_names[s];
}

long cp_predictor_nparams(const cp_predictor *p)
{
    switch (p->kind) {
    case CP_PRED_CA: case CP_PRED_LSA: return 1;
    case CP_PRED_CA2: return 2;
    case CP_PRED_CA_UNTIED: return 2 * p->T;
    case CP_PRED_LSA_GENERAL: return (p->d + 1) * p->d + p->d + 1;
    default: return 0;
    }
}

void cp_predictor_get_params(double *th, const cp_predictor *p)
{
    long d = p->d;
    switch (p->kind) {
    case CP_PRED_CA: th[0] = p->alpha; break;
    case CP_PRED_LSA: th[0] = p->gamma; break;
    case CP_PRED_CA2: th[0] = p->alpha; th[1] = p->beta; break;
    case CP_PRED_CA_UNTIED:
        memcpy(th, p->alphas, (size_t) p->T * sizeof(double));
        memcpy(th + p->T, p->betas, (size_t) p->T * sizeof(double));
        break;
    case CP_PRED_LSA_GENERAL:
        memcpy(th, p->A, (size_t) ((d + 1) * d) * sizeof(double));
        memcpy(th + (d + 1) * d, p->u, (size_t) (d + 1) * sizeof(double));
        break;
    default: break;
    }
}

void cp_predictor_set_params(cp_predictor *p, const double *th)
{
    long d = p->d;
    switch (p->kind) {
    case CP_PRED_CA: p->alpha = th[0]; p->beta = -th[0]; break;
    case CP_PRED_LSA: p->gamma = th[0]; break;
    case CP_PRED_CA2: p->alpha = th[0]; p->beta = th[1]; break;
    case CP_PRED_CA_UNTIED:
        memcpy(p->alphas, th, (size_t) p->T * sizeof(double));
        memcpy(p->betas, th + p->T, (size_t) p->T * sizeof(double));
        break;
    case CP_PRED_LSA_GENERAL:
        memcpy(p->A, th, (size_t) ((d + 1) * d) * sizeof(double));
        memcpy(p->u, th + (d + 1) * d, (size_t) (d + 1) * sizeof(double));
        break;
    default: break;
    }
}

int cp_engine_ws_init(cp_engine_ws *ws, long d, long T)
{
    long n = d + 1, p = d + 2;
    memset(ws, 0, sizeof *ws);
    ws->d = d;
    ws->T = T < 1 ? 1 : T;
    ws->rows = DIRECT_ROWS;
    ws->pr.d = d;
    ws->pr.m = alloc_doubles(d);
    ws->pr.G = alloc_doubles(n * n);
    ws->pr.c = alloc_doubles(d);
    ws->pr.xq = alloc_doubles(d);
    ws->Z = alloc_doubles(DIRECT_ROWS * n);
    ws->C = alloc_doubles(p * p);
    ws->M = alloc_doubles(p * ((n + 3) / 4 * 4));   /* Mt, padded rows (sample_wishart) */
    ws->V = alloc_doubles((ws->T + 1) * d);
    ws->w = alloc_doubles(n);
    ws->g = alloc_doubles(n);
    ws->tmp = alloc_doubles(n);
    ws->tmp2 = alloc_doubles(n);
    ws->chol = alloc_doubles(d * d);
    ws->eval = alloc_doubles(d);
    ws->evec = alloc_doubles(d * d);
    ws->eigtmp = alloc_doubles(CP_EIG_LWORK(d));
    if (!ws->eval || !ws->evec || !ws->eigtmp) {
        cp_engine_ws_clear(ws);
        return -1;
    }
    if (!ws->pr.m || !ws->pr.G || !ws->pr.c || !ws->pr.xq || !ws->Z || !ws->C || !ws->M
        || !ws->V || !ws->w || !ws->g || !ws->tmp || !ws->tmp2 || !ws->chol) {
        cp_engine_ws_clear(ws);
        return -1;
    }
    return 0;
}

void cp_engine_ws_clear(cp_engine_ws *ws)
{
    free(ws->pr.m); free(ws->pr.G); free(ws->pr.c); free(ws->pr.xq);
    free(ws->Z); free(ws->C); free(ws->M); free(ws->V);
    free(ws->w); free(ws->g); free(ws->tmp); free(ws->tmp2); free(ws->chol);
    free(ws->eval); free(ws->evec); free(ws->eigtmp);
    free(ws->gM); free(ws->gzeta); free(ws->gLam); free(ws->gwstar); free(ws->gchol);
    free(ws->gC); free(ws->gBC); free(ws->gtmp);
    memset(ws, 0, sizeof *ws);
}

/* --- sampling ------------------------------------------------------------ */

double cp_engine_draw_s(const cp_model_approx *m, cp_rng *r)
{
    switch (m->prior) {
    case CP_PRIOR_TWOPOINT:
        return (cp_rng_u32(r) & 1u) ? m->m_hi : m->m_lo;
    case CP_PRIOR_BETA:
        return m->m_lo + (m->m_hi - m->m_lo) * cp_rng_beta(r, m->beta_a, m->beta_b);
    default:
        return m->m_lo + (m->m_hi - m->m_lo) * cp_rng_uniform(r);
    }
}

static void draw_task(cp_prompt *pr, const cp_model_approx *m, cp_rng *r)
{
    long d = pr->d;
    double s = cp_engine_draw_s(m, r);
    /* direction uniform on the sphere: a normalised Gaussian vector */
    double nrm2;
    do {
        cp_rng_normal_vec(r, pr->m, d);
        nrm2 = 0.0;
        for (long i = 0; i < d; i++)
            nrm2 += pr->m[i] * pr->m[i];
    } while (nrm2 == 0.0);
    double scale = sqrt(s / nrm2);
    for (long i = 0; i < d; i++)
        pr->m[i] *= scale;
    pr->s = s;
    if (m->zeta == CP_ZETA_RADEMACHER)
        pr->zeta = (cp_rng_u32(r) & 1u) ? 1.0 : -1.0;
    else
        pr->zeta = cp_rng_normal(r);
}

static void sample_direct(cp_engine_ws *ws, const cp_model_approx *m, long L, cp_rng *r)
{
    long d = ws->d, n = d + 1;
    cp_prompt *pr = &ws->pr;
    memset(pr->G, 0, (size_t) (n * n) * sizeof(double));
    for (long done = 0; done < L; ) {
        long k = L - done < ws->rows ? L - done : ws->rows;
        for (long i = 0; i < k; i++) {
            double *z = ws->Z + i * n;
            double u = cp_rng_normal(r);
            cp_rng_normal_vec(r, z, d);
            for (long j = 0; j < d; j++)
                z[j] += u * pr->m[j];
            z[d] = pr->zeta * u;
            if (m->sigma > 0.0)
                z[d] += m->sigma * cp_rng_normal(r);
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int) n, (int) k,
                    1.0, ws->Z, (int) n, 1.0, pr->G, (int) n);
        done += k;
    }
}

static int have_avx2_fma(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* G = invL * Mt^T Mt, the n x n Gram matrix, both triangles written.  Mt is
 * p x n with leading dimension ld (a multiple of 4, columns n..ld-1 zero);
 * row i of M (column i of Mt) is zero past its first len[i] entries, and
 * len[] is nondecreasing up to i = d - 1.  G_ij (j >= i) is summed over
 * k = 0, 1, ..., K-1 with fma() for any K >= len[i]: the terms past len[i]
 * are exact zeros, which leave an fma sum unchanged.  fma() is correctly
 * rounded, so the AVX2 path and the generic path give the same bits. */
static void gram_generic(double *restrict G, const double *restrict Mt, long n, long ld,
                         const long *restrict len, double invL, long i0)
{
    for (long i = i0; i < n; i++)
        for (long j = i; j < n; j++) {
            double acc = 0.0;
            for (long k = 0; k < len[i]; k++)
                acc = fma(Mt[k * ld + i], Mt[k * ld + j], acc);
            G[i * n + j] = G[j * n + i] = acc * invL;
        }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* Rows i, i+1 at a time, 12 columns per register block (6 accumulators). */
__attribute__((target("avx2,fma")))
static long gram_avx2(double *restrict G, const double *restrict Mt, long n, long ld,
                      const long *restrict len, double invL)
{
    long i = 0;
    const __m256d sc = _mm256_set1_pd(invL);
    for (; i + 1 < n - 1; i += 2) {              /* rows i, i + 1 < d */
        long K = len[i + 1] > len[i] ? len[i + 1] : len[i];
        for (long jb = i / 4 * 4; jb < n; jb += 12) {
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
            long nb = (n - jb + 3) / 4;             /* vectors in this block */
            if (nb >= 3) {
                for (long k = 0; k < K; k++) {
                    const double *row = Mt + k * ld;
                    __m256d x = _mm256_broadcast_sd(row + i), y = _mm256_broadcast_sd(row + i + 1);
                    __m256d r0 = _mm256_loadu_pd(row + jb), r1 = _mm256_loadu_pd(row + jb + 4);
                    __m256d r2 = _mm256_loadu_pd(row + jb + 8);
                    a0 = _mm256_fmadd_pd(x, r0, a0); a1 = _mm256_fmadd_pd(x, r1, a1);
                    a2 = _mm256_fmadd_pd(x, r2, a2);
                    b0 = _mm256_fmadd_pd(y, r0, b0); b1 = _mm256_fmadd_pd(y, r1, b1);
                    b2 = _mm256_fmadd_pd(y, r2, b2);
                }
                nb = 3;
            } else if (nb == 2) {
                for (long k = 0; k < K; k++) {
                    const double *row = Mt + k * ld;
                    __m256d x = _mm256_broadcast_sd(row + i), y = _mm256_broadcast_sd(row + i + 1);
                    __m256d r0 = _mm256_loadu_pd(row + jb), r1 = _mm256_loadu_pd(row + jb + 4);
                    a0 = _mm256_fmadd_pd(x, r0, a0); a1 = _mm256_fmadd_pd(x, r1, a1);
                    b0 = _mm256_fmadd_pd(y, r0, b0); b1 = _mm256_fmadd_pd(y, r1, b1);
                }
            } else {
                for (long k = 0; k < K; k++) {
                    const double *row = Mt + k * ld;
                    __m256d x = _mm256_broadcast_sd(row + i), y = _mm256_broadcast_sd(row + i + 1);
                    __m256d r0 = _mm256_loadu_pd(row + jb);
                    a0 = _mm256_fmadd_pd(x, r0, a0);
                    b0 = _mm256_fmadd_pd(y, r0, b0);
                }
            }
            double t[2][12];
            _mm256_storeu_pd(t[0], _mm256_mul_pd(a0, sc)); _mm256_storeu_pd(t[0] + 4, _mm256_mul_pd(a1, sc));
            _mm256_storeu_pd(t[0] + 8, _mm256_mul_pd(a2, sc));
            _mm256_storeu_pd(t[1], _mm256_mul_pd(b0, sc)); _mm256_storeu_pd(t[1] + 4, _mm256_mul_pd(b1, sc));
            _mm256_storeu_pd(t[1] + 8, _mm256_mul_pd(b2, sc));
            long je = jb + 4 * nb < n ? jb + 4 * nb : n;
            for (long j = jb > i ? jb : i; j < je; j++)
                G[i * n + j] = G[j * n + i] = t[0][j - jb];
            for (long j = jb > i + 1 ? jb : i + 1; j < je; j++)
                G[(i + 1) * n + j] = G[j * n + i + 1] = t[1][j - jb];
        }
    }
    return i;
}
#endif

static void wishart_gram(double *restrict G, const double *restrict Mt, long n, long ld,
                         const long *restrict len, double invL)
{
    long i0 = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_avx2_fma())
        i0 = gram_avx2(G, Mt, n, ld, len, invL);
#endif
    gram_generic(G, Mt, n, ld, len, invL, i0);
}

/* Bartlett sampling of the Gram matrix; writes pr->G = (1/L) M M^T, both
 * triangles.  Uses the generic (BLAS) path when n is above the kernel's
 * stack buffer. */
static void sample_wishart(cp_engine_ws *ws, const cp_model_approx *m, long L, cp_rng *r)
{
    long d = ws->d, n = d + 1;
    long p = m->sigma > 0.0 ? d + 2 : d + 1;
    cp_prompt *pr = &ws->pr;
    double *C = ws->C, *M = ws->M;
    /* Bartlett: C lower triangular p x p, C_jj = sqrt(chi2(L - j)), j = 0..p-1. */
    for (long j = 0; j < p; j++) {
        double *row = C + j * p;
        cp_rng_normal_vec(r, row, j);
        row[j] = sqrt(cp_rng_chi2(r, (double) (L - j)));
        for (long k = j + 1; k < p; k++)
            row[k] = 0.0;
    }
    /* M = B C with B = [[m, I_d, 0], [zeta, 0, sigma]]; coordinates of w are
     * (u, mu_1..mu_d, xi).  Stored transposed: Mt[k][i] = M[i][k], p x n with
     * leading dimension ld (padding columns stay zero).  For k > 0,
     * M[i][k] = m_i C[0][k] + C[i+1][k] = C[i+1][k] exactly (C[0][k] = 0). */
    long ld = (n + 3) / 4 * 4;
    for (long i = 0; i < d; i++) {
        const double *ci = C + (i + 1) * p;
        M[i] = pr->m[i] * C[0] + ci[0];
        for (long k = 1; k < p; k++)
            M[k * ld + i] = ci[k];
    }
    for (long k = 0; k < p; k++) {
        double v = pr->zeta * C[k];
        if (p == d + 2)
            v += m->sigma * C[(d + 1) * p + k];
        M[k * ld + d] = v;
    }
    double invL = 1.0 / (double) L;
    long len[CP_WISHART_MAXN];
    if (n <= CP_WISHART_MAXN) {
        /* row i < d of M is zero past column i + 1; row d past column 0
         * when sigma = 0 (zeta C[0][k] = 0 for k > 0), else it is full. */
        for (long i = 0; i < d; i++)
            len[i] = i + 2 < p ? i + 2 : p;
        len[d] = p == d + 2 ? p : 1;
        wishart_gram(pr->G, M, n, ld, len, invL);
    } else {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int) n, (int) p,
                    1.0, M, (int) ld, 0.0, pr->G, (int) n);
        for (long i = 0; i < n; i++)
            for (long j = i; j < n; j++)
                pr->G[j * n + i] = pr->G[i * n + j] *= invL;
    }
}

static void fill_population(cp_engine_ws *ws, const cp_model_approx *m)
{
    long d = ws->d, n = d + 1;
    cp_prompt *pr = &ws->pr;
    for (long i = 0; i < d; i++) {
        for (long j = 0; j < d; j++)
            pr->G[i * n + j] = pr->m[i] * pr->m[j] + (i == j ? 1.0 : 0.0);
        pr->G[i * n + d] = pr->zeta * pr->m[i];
    }
    pr->G[d * n + d] = pr->zeta * pr->zeta + m->sigma * m->sigma;
}

void cp_prompt_draw(cp_engine_ws *ws, const cp_model_approx *m, long L, cp_sampler smp,
                    int draw_query, uint64_t seed, uint32_t substream, uint64_t index)
{
    long d = ws->d, n = d + 1;
    cp_prompt *pr = &ws->pr;
    cp_rng r;
    if (smp == CP_SAMPLER_TILTED) {
        cp_prompt_draw_tilted(ws, m, L, NULL, 0.5, seed, substream, index);
        if (draw_query) {
            cp_rng_init(&r, seed, index, 3u * substream + 2u);
            double u = cp_rng_normal(&r);
            cp_rng_normal_vec(&r, pr->xq, d);
            for (long j = 0; j < d; j++)
                pr->xq[j] += u * pr->m[j];
            pr->yq = pr->zeta * u;
            if (m->sigma > 0.0)
                pr->yq += m->sigma * cp_rng_normal(&r);
        }
        return;
    }
    pr->weight = 1.0;
    cp_rng_init(&r, seed, index, 3u * substream);
    draw_task(pr, m, &r);
    cp_rng_init(&r, seed, index, 3u * substream + 1u);
    if (smp == CP_SAMPLER_POPULATION) {
        fill_population(ws, m);
    } else {
        if (smp == CP_SAMPLER_WISHART) {
            sample_wishart(ws, m, L, &r);        /* scaled, both triangles */
        } else {
            sample_direct(ws, m, L, &r);
            /* scale by 1/L and mirror the upper triangle */
            double invL = 1.0 / (double) L;
            for (long i = 0; i < n; i++)
                for (long j = i; j < n; j++)
                    pr->G[i * n + j] *= invL;
            for (long i = 0; i < n; i++)
                for (long j = 0; j < i; j++)
                    pr->G[i * n + j] = pr->G[j * n + i];
        }
    }
    if (smp == CP_SAMPLER_POPULATION)
        for (long i = 0; i < n; i++)
            for (long j = 0; j < i; j++)
                pr->G[i * n + j] = pr->G[j * n + i];
    for (long i = 0; i < d; i++)
        pr->c[i] = pr->G[i * n + d];
    if (draw_query) {
        cp_rng_init(&r, seed, index, 3u * substream + 2u);
        double u = cp_rng_normal(&r);
        cp_rng_normal_vec(&r, pr->xq, d);
        for (long j = 0; j < d; j++)
            pr->xq[j] += u * pr->m[j];
        pr->yq = pr->zeta * u;
        if (m->sigma > 0.0)
            pr->yq += m->sigma * cp_rng_normal(&r);
    }
}

/* FC-8: the tilted sampler.  The excess of every predictor w = P(Sigma_hat)
 * c_hat is invariant under a rotation of (m, Sigma_hat, c_hat), so m is
 * put along e1; then x = D g, D = diag(sqrt(1+s), 1, ..., 1), and
 * L Sigma_hat = D W D, W = C C^T ~ Wishart_d(L, I) by Bartlett (C_jj^2 ~
 * chi2(L - j), C_jk ~ N(0, 1) for j > k).  C_00^2 = L mu/(1+s) is drawn
 * from the mixture (1 - eps) chi2_L + eps (c chi2_L) and weighted by
 * dP/dQ = 1/((1 - eps) + eps c^(-L/2) exp(q (1 - 1/c)/2)).  Given X,
 * c_hat = Sigma_hat w* + eta with eta ~ N(0, (v/L) Sigma_hat), drawn as
 * (sqrt(v)/L) (D C) g, g ~ N(0, I_d). */
void cp_prompt_draw_tilted(cp_engine_ws *ws, const cp_model_approx *m, long L, const cp_predictor *tilt,
                           double share, uint64_t seed, uint32_t substream, uint64_t index)
{
    long d = ws->d, n = d + 1;
    cp_prompt *pr = &ws->pr;
    cp_rng r;
    double eps = share > 0.0 && share < 1.0 ? share : 0.5;
    cp_rng_init(&r, seed, index, 3u * substream);
    draw_task(pr, m, &r);
    for (long i = 0; i < d; i++)
        pr->m[i] = 0.0;
    pr->m[0] = sqrt(pr->s);
    double c = cp_tilt_factor_cached(ws, tilt, m, pr->s, L);
    cp_rng_init(&r, seed, index, 3u * substream + 1u);
    int tilted = cp_rng_uniform(&r) < eps;
    double *C = ws->C;                /* d x d lower triangular, then scaled rows: M = D C */
    for (long j = 0; j < d; j++) {
        double *row = C + j * d;
        cp_rng_normal_vec(&r, row, j);
        double q = cp_rng_chi2(&r, (double) (L - j));
        if (j == 0 && tilted)
            q *= c;
        if (j == 0)
            pr->weight = cp_tilt_weight(c, eps, q, L);
        row[j] = sqrt(q);
        for (long k = j + 1; k < d; k++)
            row[k] = 0.0;
    }
    double ds = sqrt(1.0 + pr->s);
    for (long k = 0; k < d; k++)
        C[k] *= ds;                   /* row 0 of D C */
    double invL = 1.0 / (double) L;
    for (long i = 0; i < d; i++)
        for (long j = i; j < d; j++) {
            double acc = 0.0;
            for (long k = 0; k <= i; k++)
                acc += C[i * d + k] * C[j * d + k];
            pr->G[i * n + j] = pr->G[j * n + i] = acc * invL;
        }
    double v = pr->zeta * pr->zeta / (1.0 + pr->s) + m->sigma * m->sigma, f = pr->zeta * pr->m[0] / (1.0 + pr->s);
    double *g = ws->tmp;
    cp_rng_normal_vec(&r, g, d);
    for (long i = 0; i < d; i++) {
        double eta = 0.0;
        for (long k = 0; k <= i; k++)
            eta += C[i * d + k] * g[k];
        pr->c[i] = f * pr->G[i * n] + sqrt(v) * invL * eta;
        pr->G[i * n + d] = pr->G[d * n + i] = pr->c[i];
    }
    pr->G[d * n + d] = NAN;
}

/* --- predictors ---------------------------------------------------------- */

/* y = S x for the full symmetric d x d block S (leading dimension n).  Each
 * y[i] is summed in the fixed order j = 0..d-1 with one fused multiply-add
 * per step (fma() is correctly rounded, so the AVX2 path and the generic
 * path give the same bits).  Measured faster than cblas_dsymv for every d
 * of the benchmark (bench/bench_engine.c): these are small in-cache
 * products where a BLAS call's overhead dominates. */
static void symv_generic(double *restrict y, const double *restrict S, long d, long n,
                         const double *restrict x, long i0)
{
    for (long i = i0; i < d; i++) {
        double a = 0.0;
        for (long j = 0; j < d; j++)
            a = fma(S[j * n + i], x[j], a);
        y[i] = a;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* NV vectors of 4 outputs per pass: NV independent fma chains in flight. */
#define SYMV_PASS(NV)                                                              \
    do {                                                                           \
        __m256d acc[NV];                                                           \
        for (int v = 0; v < NV; v++)                                               \
            acc[v] = _mm256_setzero_pd();                                          \
        for (long j = 0; j < d; j++) {                                             \
            const double *row = S + j * n + ib;                                    \
            __m256d xj = _mm256_broadcast_sd(x + j);                               \
            for (int v = 0; v < NV; v++)                                           \
                acc[v] = _mm256_fmadd_pd(_mm256_loadu_pd(row + 4 * v), xj, acc[v]); \
        }                                                                          \
        for (int v = 0; v < NV; v++)                                               \
            _mm256_storeu_pd(y + ib + 4 * v, acc[v]);                              \
        ib += 4 * NV;                                                              \
    } while (0)

__attribute__((target("avx2,fma"), optimize("O3")))
static long symv_avx2(double *restrict y, const double *restrict S, long d, long n,
                      const double *restrict x)
{
    long ib = 0;
    while (d - ib >= 24)
        SYMV_PASS(6);
    switch ((d - ib) / 4) {
    case 5: {                      /* d = 20: written out (GCC spills the array form) */
        __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, a4 = a0;
        for (long j = 0; j < d; j++) {
            const double *row = S + j * n + ib;
            __m256d xj = _mm256_broadcast_sd(x + j);
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(row), xj, a0);
            a1 = _mm256_fmadd_pd(_mm256_loadu_pd(row + 4), xj, a1);
            a2 = _mm256_fmadd_pd(_mm256_loadu_pd(row + 8), xj, a2);
            a3 = _mm256_fmadd_pd(_mm256_loadu_pd(row + 12), xj, a3);
            a4 = _mm256_fmadd_pd(_mm256_loadu_pd(row + 16), xj, a4);
        }
        _mm256_storeu_pd(y + ib, a0); _mm256_storeu_pd(y + ib + 4, a1);
        _mm256_storeu_pd(y + ib + 8, a2); _mm256_storeu_pd(y + ib + 12, a3);
        _mm256_storeu_pd(y + ib + 16, a4);
        ib += 20;
        break;
    }
    case 4: SYMV_PASS(4); break;
    case 3: SYMV_PASS(3); break;
    case 2: SYMV_PASS(2); break;
    case 1: SYMV_PASS(1); break;
    default: break;
    }
    return ib;
}
#undef SYMV_PASS
#endif

static void symv_kernel(double *restrict y, const double *restrict S, long d, long n,
                        const double *restrict x)
{
    long i0 = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_avx2_fma())
        i0 = symv_avx2(y, S, d, n, x);
#endif
    symv_generic(y, S, d, n, x, i0);
}

/* y <- b y + a Sigma_hat x (Sigma_hat: top-left d x d block of G, both
 * triangles filled, leading dimension d + 1). */
static void sigma_mul(double *y, const cp_prompt *pr, double a, const double *x, double b)
{
    long d = pr->d, n = d + 1;
    double stack[256], *acc = d <= 256 ? stack : malloc((size_t) d * sizeof(double));
    symv_kernel(acc, pr->G, d, n, x);
    if (b == 0.0)
        for (long i = 0; i < d; i++)
            y[i] = a * acc[i];
    else
        for (long i = 0; i < d; i++)
            y[i] = b * y[i] + a * acc[i];
    if (acc != stack)
        free(acc);
}

void cp_engine_sigma_apply(double *y, const cp_prompt *pr, const double *x)
{
    symv_kernel(y, pr->G, pr->d, pr->d + 1, x);
}

/* Cholesky solve of Sigma_hat w = c_hat (plain C; NaN when not positive definite). */
static void ols_weight(cp_engine_ws *ws)
{
    long d = ws->d, n = d + 1;
    const cp_prompt *pr = &ws->pr;
    double *R = ws->chol, *w = ws->w;
    for (long j = 0; j < d; j++) {
        for (long i = j; i < d; i++) {
            double acc = pr->G[i * n + j];
            for (long k = 0; k < j; k++)
                acc -= R[i * d + k] * R[j * d + k];
            if (i == j)
                R[j * d + j] = acc > 0.0 ? sqrt(acc) : NAN;
            else
                R[i * d + j] = acc / R[j * d + j];
        }
    }
    cp_engine_chol_solve(w, R, pr->c, d);
}

void cp_engine_chol_solve(double *w, const double *R, const double *b, long d)
{
    for (long i = 0; i < d; i++) {
        double acc = b[i];
        for (long k = 0; k < i; k++)
            acc -= R[i * d + k] * w[k];
        w[i] = acc / R[i * d + i];
    }
    for (long i = d - 1; i >= 0; i--) {
        double acc = w[i];
        for (long k = i + 1; k < d; k++)
            acc -= R[k * d + i] * w[k];
        w[i] = acc / R[i * d + i];
    }
}

static double layer_alpha(const cp_predictor *p, long t)
{
    return p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
}

static double layer_beta(const cp_predictor *p, long t)
{
    switch (p->kind) {
    case CP_PRED_CA_UNTIED: return p->betas[t];
    case CP_PRED_CA: return -p->alpha;
    default: return p->beta;
    }
}

/* CA forward pass; keeps the iterates v_0..v_T in ws->V when keep != 0. */
static void ca_forward(const cp_predictor *p, cp_engine_ws *ws, int keep)
{
    long d = ws->d, T = p->T;
    const cp_prompt *pr = &ws->pr;
    double *v = keep ? ws->V : ws->tmp2, *nv = ws->tmp;
    memset(v, 0, (size_t) d * sizeof(double));
    for (long t = 0; t < T; t++) {
        double a = layer_alpha(p, t), b = layer_beta(p, t);
        double *out = keep ? ws->V + (t + 1) * d : nv;
        for (long i = 0; i < d; i++)
            out[i] = v[i] + a * pr->c[i];
        if (t > 0)                /* v_0 = 0 */
            sigma_mul(out, pr, b, v, 1.0);
        if (!keep) {
            double *sw = v; v = out; nv = sw;
        } else {
            v = out;
        }
    }
    memcpy(ws->w, v, (size_t) d * sizeof(double));
}

const double *cp_predictor_weight(const cp_predictor *p, cp_engine_ws *ws)
{
    long d = ws->d, n = d + 1;
    const cp_prompt *pr = &ws->pr;
    double *w = ws->w;
    switch (p->kind) {
    case CP_PRED_BAYES: {
        if (pr->wstar) {          /* general model (section 14): w* = Lambda^{-1} M zeta */
            memcpy(w, pr->wstar, (size_t) d * sizeof(double));
            break;
        }
        double f = pr->zeta / (1.0 + pr->s);
        for (long i = 0; i < d; i++)
            w[i] = f * pr->m[i];
        break;
    }
    case CP_PRED_OLS:
        ols_weight(ws);
        break;
    case CP_PRED_LSA:
        for (long i = 0; i < d; i++)
            w[i] = p->gamma * pr->c[i];
        break;
    case CP_PRED_LSA_GENERAL:
        /* r = G_hat u, w = A^T r */
        cblas_dsymv(CblasRowMajor, CblasUpper, (int) n, 1.0, pr->G, (int) n, p->u, 1, 0.0, ws->tmp, 1);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int) n, (int) d, 1.0, p->A, (int) d, ws->tmp, 1, 0.0, w, 1);
        break;
    default:
        ca_forward(p, ws, 0);
        break;
    }
    return w;
}

/* delta = w - w*, excess = |delta|^2 + (m . delta)^2 since Lambda = I + m m^T. */
/* General model (docs/model.md section 14): delta^T Lambda delta with the
 * stored Lambda = Psi + M M^T and w*. */
static double general_excess(const double *w, const cp_prompt *pr, double *g)
{
    long d = pr->d;
    double ex = 0.0;
    for (long i = 0; i < d; i++) {
        double a = 0.0;
        for (long j = 0; j < d; j++)
            a += pr->Lam[i * d + j] * (w[j] - pr->wstar[j]);
        ex += (w[i] - pr->wstar[i]) * a;
        if (g)
            g[i] = 2.0 * a;
    }
    return ex;
}

double cp_prompt_excess(const double *w, const cp_prompt *pr)
{
    if (pr->Lam)
        return general_excess(w, pr, NULL);
    double f = pr->zeta / (1.0 + pr->s), nn = 0.0, md = 0.0;
    for (long i = 0; i < pr->d; i++) {
        double del = w[i] - f * pr->m[i];
        nn += del * del;
        md += pr->m[i] * del;
    }
    return nn + md * md;
}

/* g = 2 Lambda (w - w*): gradient of the excess in w. */
static void excess_dw(double *g, const double *w, const cp_prompt *pr)
{
    if (pr->Lam) {
        general_excess(w, pr, g);
        return;
    }
    double f = pr->zeta / (1.0 + pr->s), md = 0.0;
    for (long i = 0; i < pr->d; i++)
        md += pr->m[i] * (w[i] - f * pr->m[i]);
    for (long i = 0; i < pr->d; i++)
        g[i] = 2.0 * ((w[i] - f * pr->m[i]) + pr->m[i] * md);
}

static double dot(const double *a, const double *b, long n)
{
    double acc = 0.0;
    for (long i = 0; i < n; i++)
        acc += a[i] * b[i];
    return acc;
}

double cp_predictor_excess_grad(double *grad, const cp_predictor *p, cp_engine_ws *ws)
{
    long d = ws->d, n = d + 1, np = cp_predictor_nparams(p);
    const cp_prompt *pr = &ws->pr;
    double ex;
    memset(grad, 0, (size_t) (np > 0 ? np : 1) * sizeof(double));
    switch (p->kind) {
    case CP_PRED_LSA:
        cp_predictor_weight(p, ws);
        ex = cp_prompt_excess(ws->w, pr);
        excess_dw(ws->g, ws->w, pr);
        grad[0] = dot(ws->g, pr->c, d);
        return ex;
    case CP_PRED_LSA_GENERAL: {
        cp_predictor_weight(p, ws);           /* leaves r = G u in ws->tmp */
        ex = cp_prompt_excess(ws->w, pr);
        excess_dw(ws->g, ws->w, pr);
        /* d/dA[i][j] = r_i g_j ; d/du = G (A g) */
        for (long i = 0; i < n; i++)
            for (long j = 0; j < d; j++)
                grad[i * d + j] = ws->tmp[i] * ws->g[j];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int) n, (int) d, 1.0, p->A, (int) d, ws->g, 1, 0.0, ws->tmp2, 1);
        cblas_dsymv(CblasRowMajor, CblasUpper, (int) n, 1.0, pr->G, (int) n, ws->tmp2, 1, 0.0, grad + n * d, 1);
        return ex;
    }
    case CP_PRED_CA: case CP_PRED_CA2: case CP_PRED_CA_UNTIED: {
        long T = p->T;
        ca_forward(p, ws, 1);
        ex = cp_prompt_excess(ws->w, pr);
        double *g = ws->g, *sv = ws->tmp, *ng = ws->tmp2;
        excess_dw(g, ws->w, pr);              /* g = d ex / d v_T */
        for (long t = T - 1; t >= 0; t--) {
            const double *v = ws->V + t * d;
            double b = layer_beta(p, t);
            double da = dot(g, pr->c, d), db = 0.0;
            if (t > 0) {
                sigma_mul(sv, pr, 1.0, v, 0.0);
                db = dot(g, sv, d);
            }
            switch (p->kind) {
            case CP_PRED_CA: grad[0] += da - db; break;
            case CP_PRED_CA2: grad[0] += da; grad[1] += db; break;
            default: grad[t] = da; grad[T + t] = db; break;
            }
            if (t > 0) {                      /* g <- (I + b Sigma_hat) g */
                memcpy(ng, g, (size_t) d * sizeof(double));
                sigma_mul(ng, pr, b, g, 1.0);
                memcpy(g, ng, (size_t) d * sizeof(double));
            }
        }
        return ex;
    }
    default:
        cp_predictor_weight(p, ws);
        return cp_prompt_excess(ws->w, pr);
    }
}

void cp_prompt_set_population(cp_engine_ws *ws, const double *m, double zeta, double sigma)
{
    cp_model_approx ma;
    long d = ws->d, n = d + 1;
    double s = 0.0;
    memset(&ma, 0, sizeof ma);
    ma.sigma = sigma;
    for (long i = 0; i < d; i++) {
        ws->pr.m[i] = m[i];
        s += m[i] * m[i];
    }
    ws->pr.s = s;
    ws->pr.zeta = zeta;
    fill_population(ws, &ma);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < i; j++)
            ws->pr.G[i * n + j] = ws->pr.G[j * n + i];
    for (long i = 0; i < d; i++)
        ws->pr.c[i] = ws->pr.G[i * n + d];
}
