/* engine_general.c -- prompts of the general latent factor model in the
 * double engine (engine.h; docs/model.md sections 11 (G-1) and 14).
 *
 *   x = M u + mu,  u ~ N(0, I_k),  mu ~ N(0, Psi),  y = zeta^T u + sigma xi,
 *   Psi = diag(tau1^2 I_{d1}, tau2^2 I_{d2}),
 *   column j of M: sqrt(s_j) (sqrt(split) a_j; sqrt(1 - split) b_j),
 *
 * with s_j iid from the prior, (a_j), (b_j) Haar orthonormal frames of R^{d1}
 * and R^{d2} (Gram-Schmidt of a Gaussian matrix) and zeta iid N(0, 1) or
 * Rademacher.  The k = 1 isotropic model never comes here (engine_run.c keeps
 * the old path for it, bit for bit). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "crossproof/engine.h"
#include "crossproof/rng.h"

int cp_general_approx_trivial(const cp_general_approx *g)
{
    return g == NULL || (g->k == 1 && g->tau1 == 1.0 && g->tau2 == 1.0);
}

long cp_general_wishart_p(const cp_general_approx *g, long d, double sigma)
{
    return g->k + d + (sigma > 0.0 ? 1 : 0);
}

int cp_general_sampler_valid(cp_sampler s)
{
    return s == CP_SAMPLER_DIRECT || s == CP_SAMPLER_WISHART || s == CP_SAMPLER_POPULATION;
}

static double *zalloc(long n)
{
    return calloc((size_t) (n > 0 ? n : 1), sizeof(double));
}

int cp_engine_ws_general_init(cp_engine_ws *ws, long k)
{
    long d = ws->d, n = d + 1, p = k + d + 1;
    ws->gk = k;
    ws->gM = zalloc(d * k);
    ws->gzeta = zalloc(k);
    ws->gLam = zalloc(d * d);
    ws->gwstar = zalloc(d);
    ws->gchol = zalloc(d * d);
    ws->gC = zalloc(p * p);
    ws->gBC = zalloc(n * p);
    ws->gtmp = zalloc(d * k + d + k);
    if (!ws->gM || !ws->gzeta || !ws->gLam || !ws->gwstar || !ws->gchol || !ws->gC || !ws->gBC || !ws->gtmp)
        return -1;
    return 0;
}

/* k orthonormal columns of R^r (r x k row-major, column j at F[i * k + j]):
 * Gram-Schmidt of iid N(0, 1) columns, a column redrawn if it degenerates. */
static void haar_frame(double *F, long r, long k, cp_rng *rng, double *col)
{
    for (long j = 0; j < k; j++) {
        double nrm;
        do {
            cp_rng_normal_vec(rng, col, r);
            for (int pass = 0; pass < 2; pass++)          /* re-orthogonalised once */
                for (long l = 0; l < j; l++) {
                    double dt = 0.0;
                    for (long i = 0; i < r; i++)
                        dt += F[i * k + l] * col[i];
                    for (long i = 0; i < r; i++)
                        col[i] -= dt * F[i * k + l];
                }
            nrm = 0.0;
            for (long i = 0; i < r; i++)
                nrm += col[i] * col[i];
            nrm = sqrt(nrm);
        } while (!(nrm > 1e-8));
        for (long i = 0; i < r; i++)
            F[i * k + j] = col[i] / nrm;
    }
}

static double noise_sd(const cp_model_approx *m, const cp_general_approx *g, long i)
{
    return i < m->d1 ? g->tau1 : g->tau2;
}

/* Task (M, zeta), Lambda = Psi + M M^T and w* = Lambda^{-1} M zeta (Cholesky). */
static void draw_general_task(cp_engine_ws *ws, const cp_model_approx *m, const cp_general_approx *g, cp_rng *r)
{
    long d = ws->d, k = g->k, d1 = m->d1, d2 = m->d2;
    cp_prompt *pr = &ws->pr;
    double *M = ws->gM, *s = ws->gtmp, *A = ws->gtmp + k, *col = ws->gchol;
    /* A: d1 x k frame, then (in place of the same buffer, after use) d2 x k */
    pr->s = 0.0;
    for (long j = 0; j < k; j++) {
        s[j] = cp_engine_draw_s(m, r);
        pr->s += s[j];
    }
    memset(M, 0, (size_t) (d * k) * sizeof(double));
    if (g->split > 0.0) {
        haar_frame(A, d1, k, r, col);
        for (long i = 0; i < d1; i++)
            for (long j = 0; j < k; j++)
                M[i * k + j] = sqrt(s[j] * g->split) * A[i * k + j];
    }
    if (g->split < 1.0) {
        haar_frame(A, d2, k, r, col);
        for (long i = 0; i < d2; i++)
            for (long j = 0; j < k; j++)
                M[(d1 + i) * k + j] = sqrt(s[j] * (1.0 - g->split)) * A[i * k + j];
    }
    for (long j = 0; j < k; j++)
        ws->gzeta[j] = m->zeta == CP_ZETA_RADEMACHER ? ((cp_rng_u32(r) & 1u) ? 1.0 : -1.0) : cp_rng_normal(r);
    pr->zeta = ws->gzeta[0];
    for (long i = 0; i < d; i++)
        pr->m[i] = M[i * k];                       /* first loading (informational) */
    double *L = ws->gLam, *R = ws->gchol, *w = ws->gwstar;
    for (long i = 0; i < d; i++)
        for (long l = 0; l < d; l++) {
            double a = 0.0;
            for (long j = 0; j < k; j++)
                a += M[i * k + j] * M[l * k + j];
            if (i == l)
                a += noise_sd(m, g, i) * noise_sd(m, g, i);
            L[i * d + l] = a;
        }
    for (long i = 0; i < d; i++) {                 /* c = M zeta */
        double a = 0.0;
        for (long j = 0; j < k; j++)
            a += M[i * k + j] * ws->gzeta[j];
        w[i] = a;
    }
    for (long j = 0; j < d; j++)                   /* Lambda = R R^T, R lower */
        for (long i = j; i < d; i++) {
            double a = L[i * d + j];
            for (long l = 0; l < j; l++)
                a -= R[i * d + l] * R[j * d + l];
            R[i * d + j] = i == j ? sqrt(a) : a / R[j * d + j];
        }
    cp_engine_chol_solve(w, R, w, d);
    pr->Lam = L;
    pr->wstar = w;
}

/* One draw of (x, y) into z[0..d]: u (k normals), the d noise normals, xi. */
static void draw_token(double *z, const cp_engine_ws *ws, const cp_model_approx *m, const cp_general_approx *g,
                       cp_rng *r, double *u)
{
    long d = ws->d, k = g->k;
    cp_rng_normal_vec(r, u, k);
    cp_rng_normal_vec(r, z, d);
    double y = 0.0;
    for (long i = 0; i < d; i++) {
        double a = noise_sd(m, g, i) * z[i];
        for (long j = 0; j < k; j++)
            a += ws->gM[i * k + j] * u[j];
        z[i] = a;
    }
    for (long j = 0; j < k; j++)
        y += ws->gzeta[j] * u[j];
    if (m->sigma > 0.0)
        y += m->sigma * cp_rng_normal(r);
    z[d] = y;
}

void cp_prompt_draw_general(cp_engine_ws *ws, const cp_model_approx *m, const cp_general_approx *g, long L,
                            cp_sampler smp, int draw_query, uint64_t seed, uint32_t substream, uint64_t index)
{
    long d = ws->d, n = d + 1, k = g->k;
    cp_prompt *pr = &ws->pr;
    double *G = pr->G, *u = ws->gtmp;              /* u: k entries (the task's scratch is free again) */
    cp_rng r;
    pr->weight = 1.0;
    cp_rng_init(&r, seed, index, 3u * substream);
    draw_general_task(ws, m, g, &r);
    cp_rng_init(&r, seed, index, 3u * substream + 1u);
    if (smp == CP_SAMPLER_POPULATION) {
        for (long i = 0; i < d; i++) {
            for (long l = 0; l < d; l++)
                G[i * n + l] = pr->Lam[i * d + l];
            double c = 0.0;
            for (long j = 0; j < k; j++)
                c += ws->gM[i * k + j] * ws->gzeta[j];
            G[i * n + d] = G[d * n + i] = c;
        }
        double zz = m->sigma * m->sigma;
        for (long j = 0; j < k; j++)
            zz += ws->gzeta[j] * ws->gzeta[j];
        G[d * n + d] = zz;
    } else if (smp == CP_SAMPLER_WISHART) {
        /* L G_hat = (B C)(B C)^T: B = [[M, Psi^{1/2}, 0], [zeta^T, 0, sigma]] (n x p),
         * C the Bartlett factor of Wishart_p(L, I) (docs/model.md (G-E2)) */
        long p = cp_general_wishart_p(g, d, m->sigma);
        double *C = ws->gC, *BC = ws->gBC;
        for (long j = 0; j < p; j++) {
            double *row = C + j * p;
            cp_rng_normal_vec(&r, row, j);
            row[j] = sqrt(cp_rng_chi2(&r, (double) (L - j)));
            for (long l = j + 1; l < p; l++)
                row[l] = 0.0;
        }
        for (long l = 0; l < p; l++) {
            for (long i = 0; i < d; i++) {
                double a = noise_sd(m, g, i) * C[(k + i) * p + l];
                for (long j = 0; j < k; j++)
                    a += ws->gM[i * k + j] * C[j * p + l];
                BC[i * p + l] = a;
            }
            double a = p > k + d ? m->sigma * C[(k + d) * p + l] : 0.0;
            for (long j = 0; j < k; j++)
                a += ws->gzeta[j] * C[j * p + l];
            BC[d * p + l] = a;
        }
        double invL = 1.0 / (double) L;
        for (long i = 0; i < n; i++)
            for (long l = i; l < n; l++) {
                double a = 0.0;
                for (long q = 0; q < p; q++)
                    a += BC[i * p + q] * BC[l * p + q];
                G[i * n + l] = G[l * n + i] = a * invL;
            }
    } else {                                       /* direct */
        memset(G, 0, (size_t) (n * n) * sizeof(double));
        for (long done = 0; done < L; ) {
            long rows = L - done < ws->rows ? L - done : ws->rows;
            for (long i = 0; i < rows; i++)
                draw_token(ws->Z + i * n, ws, m, g, &r, u);
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int) n, (int) rows,
                        1.0, ws->Z, (int) n, 1.0, G, (int) n);
            done += rows;
        }
        double invL = 1.0 / (double) L;
        for (long i = 0; i < n; i++)
            for (long l = i; l < n; l++)
                G[l * n + i] = G[i * n + l] *= invL;
    }
    for (long i = 0; i < d; i++)
        pr->c[i] = G[i * n + d];
    if (draw_query) {
        double *z = ws->tmp2;                      /* n entries */
        cp_rng_init(&r, seed, index, 3u * substream + 2u);
        draw_token(z, ws, m, g, &r, u);
        memcpy(pr->xq, z, (size_t) d * sizeof(double));
        pr->yq = z[d];
    }
}
