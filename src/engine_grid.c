/* engine_grid.c -- several CA predictors on the same prompts in one pass,
 * with a register-blocked matrix-matrix layer kernel (engine.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"

/* Portable reference: each Y[i][k] = fma-accumulated over j = 0..d-1. */
static void symm_generic(double *restrict Y, const double *restrict S, long d, long lds,
                         const double *restrict V, long K, long ib0, long kb0)
{
    for (long ib = 0; ib < d; ib++)
        for (long k = 0; k < K; k++) {
            if (ib < ib0 && k < kb0)
                continue;                       /* done by the vector path */
            double a = 0.0;
            for (long j = 0; j < d; j++)
                a = fma(S[j * lds + ib], V[j * K + k], a);
            Y[ib * K + k] = a;
        }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* AVX2/FMA path: 8 rows x 4 columns of Y per register block (8 accumulators),
 * per j two loads of S, four broadcasts of V, eight fused multiply-adds.
 * Fused multiply-add rounds once, exactly like fma(), so this path and the
 * generic one give the same bits. */
__attribute__((target("avx2,fma")))
static void symm_avx2(double *restrict Y, const double *restrict S, long d, long lds,
                      const double *restrict V, long K)
{
    long ib_end = d / 8 * 8, kb_end = K / 4 * 4;
    for (long ib = 0; ib < ib_end; ib += 8)
        for (long kb = 0; kb < kb_end; kb += 4) {
            __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (long j = 0; j < d; j++) {
                const double *sr = S + j * lds + ib, *vr = V + j * K + kb;
                __m256d s0 = _mm256_loadu_pd(sr), s1 = _mm256_loadu_pd(sr + 4);
                __m256d v0 = _mm256_broadcast_sd(vr), v1 = _mm256_broadcast_sd(vr + 1);
                __m256d v2 = _mm256_broadcast_sd(vr + 2), v3 = _mm256_broadcast_sd(vr + 3);
                a0 = _mm256_fmadd_pd(s0, v0, a0); a1 = _mm256_fmadd_pd(s1, v0, a1);
                a2 = _mm256_fmadd_pd(s0, v1, a2); a3 = _mm256_fmadd_pd(s1, v1, a3);
                a4 = _mm256_fmadd_pd(s0, v2, a4); a5 = _mm256_fmadd_pd(s1, v2, a5);
                a6 = _mm256_fmadd_pd(s0, v3, a6); a7 = _mm256_fmadd_pd(s1, v3, a7);
            }
            double t[4][8];
            _mm256_storeu_pd(t[0], a0); _mm256_storeu_pd(t[0] + 4, a1);
            _mm256_storeu_pd(t[1], a2); _mm256_storeu_pd(t[1] + 4, a3);
            _mm256_storeu_pd(t[2], a4); _mm256_storeu_pd(t[2] + 4, a5);
            _mm256_storeu_pd(t[3], a6); _mm256_storeu_pd(t[3] + 4, a7);
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 4; c++)
                    Y[(ib + r) * K + kb + c] = t[c][r];
        }
    symm_generic(Y, S, d, lds, V, K, ib_end, kb_end);
}
#endif

static void symm_kernel(double *restrict Y, const double *restrict S, long d, long lds,
                        const double *restrict V, long K)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        symm_avx2(Y, S, d, lds, V, K);
        return;
    }
#endif
    symm_generic(Y, S, d, lds, V, K, 0, 0);
}

void cp_engine_symm_kernel(double *Y, const double *S, long d, long lds, const double *V, long K)
{
    symm_kernel(Y, S, d, lds, V, K);
}

/* A distinct recursion (column) and the predictors read off it. */
typedef struct {
    const cp_predictor *p;     /* schedule source */
    long T;                    /* layers to run */
} column;

typedef struct {
    long long n;
    double mean, m2;
    cp_tailstat tail;
} stat;

typedef struct {
    const cp_sim_config *cfg;
    const cp_predictor *preds;
    int npred, K;
    column *cols;
    int *col_of;               /* predictor -> column */
    long Tmax, d;
    stat *slots;               /* ROUND x npred */
    long long chunk0, nchunks, total;
    pthread_mutex_t lock;
    long long next, bad_index;
    int bad_pred, oom;
    int conditional;
} mjob;

#define ROUND 256

static double sched_alpha(const cp_predictor *p, long t)
{
    return p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
}

static double sched_beta(const cp_predictor *p, long t)
{
    return p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
}

/* Welford update and tail statistics of one prompt's value. */
static void mstat_add(stat *s, double val, long long i, long long total)
{
    s->n++;
    double delta = val - s->mean;
    s->mean += delta / (double) s->n;
    s->m2 += delta * (val - s->mean);
    cp_tailstat_add(&s->tail, val, i, total);
}

/* Records the smallest prompt index with a non-finite value (and its predictor). */
static void mark_bad(mjob *jb, long long index, int q)
{
    pthread_mutex_lock(&jb->lock);
    if (jb->bad_index < 0 || index < jb->bad_index) {
        jb->bad_index = index;
        jb->bad_pred = q;
    }
    pthread_mutex_unlock(&jb->lock);
}

static void *mworker(void *arg)
{
    mjob *jb = arg;
    const cp_sim_config *cfg = jb->cfg;
    long d = jb->d, K = jb->K;
    cp_engine_ws ws;
    cp_tridiag_block tb;
    double *V = NULL, *Y = NULL, *w = NULL;
    memset(&tb, 0, sizeof tb);
    if (cp_engine_ws_init(&ws, d, 1) != 0 || !(V = malloc((size_t) (d * K) * sizeof(double)))
        || (cfg->sampler == CP_SAMPLER_TRIDIAG && cp_tridiag_block_init(&tb, d) != 0)
        || !(Y = malloc((size_t) (d * K) * sizeof(double))) || !(w = malloc((size_t) d * sizeof(double)))) {
        pthread_mutex_lock(&jb->lock);
        jb->oom = 1;
        pthread_mutex_unlock(&jb->lock);
        free(V); free(Y); free(w);
        if (ws.d) cp_engine_ws_clear(&ws);
        if (tb.d) cp_tridiag_block_clear(&tb);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        long long c = jb->next++;
        int stop = jb->bad_index >= 0 || jb->oom;
        pthread_mutex_unlock(&jb->lock);
        if (stop || c >= jb->nchunks)
            break;
        stat *st = jb->slots + c * jb->npred;
        memset(st, 0, (size_t) jb->npred * sizeof *st);
        long long lo = (jb->chunk0 + c) * CP_ENGINE_CHUNK;
        long long hi = lo + CP_ENGINE_CHUNK < jb->total ? lo + CP_ENGINE_CHUNK : jb->total;
        for (long long i = lo; i < hi; i++) {
            uint64_t index = cfg->first + (uint64_t) i;
            int bad = -1;
            if (cfg->sampler == CP_SAMPLER_TRIDIAG) {
                /* docs/model.md TR-5: one draw and one QL (a block of CP_TRI_LANES
                 * prompts at a time) for every predictor; each column's recursion
                 * runs on the eigenvalues (V[r K + k] = p_r of column k after t + 1
                 * layers, the operations of cp_predictor_poly), and each requested
                 * depth reads f off at O(d). */
                const long W = CP_TRI_LANES;
                if ((i - lo) % W == 0) {
                    int cnt = hi - i < W ? (int) (hi - i) : (int) W;
                    cp_tridiag_draw_block(&tb, &cfg->model, cfg->L, cfg->seed, cfg->substream, index, cnt);
                }
                int lane = (int) ((i - lo) % W);
                const double *lv = tb.l + lane, *q2 = tb.q2 + lane;
                double s = tb.s[lane], noise = (1.0 / (1.0 + s) + cfg->model.sigma * cfg->model.sigma) / (double) cfg->L;
                for (long t = 0; t < jb->Tmax && bad < 0; t++) {
                    for (long k = 0; k < K; k++) {
                        const column *cl = &jb->cols[k];
                        if (t >= cl->T)
                            continue;
                        double a = sched_alpha(cl->p, t), b = sched_beta(cl->p, t);
                        for (long r = 0; r < d; r++) {
                            double v = t == 0 ? 0.0 : V[r * K + k];
                            V[r * K + k] = (1.0 + b * lv[r * W]) * v + a;
                        }
                    }
                    for (int q = 0; q < jb->npred && bad < 0; q++) {
                        if (jb->preds[q].T != t + 1)
                            continue;
                        double val = cp_tridiag_spectral_excess(d, lv, q2, W, V + jb->col_of[q], K, s, noise);
                        if (!isfinite(val)) {
                            bad = q;
                            break;
                        }
                        mstat_add(&st[q], val, i, jb->total);
                    }
                }
                if (bad >= 0) {
                    mark_bad(jb, (long long) index, bad);
                    break;
                }
                continue;
            }
            cp_prompt_draw(&ws, &cfg->model, cfg->L, cfg->sampler, 0, cfg->seed, cfg->substream, index);
            const double *c_hat = ws.pr.c;
            if (jb->conditional) {               /* FC-7: one eigen-decomposition for every predictor */
                cp_prompt_eigen(&ws, cp_conditional_needs_vectors(&jb->preds[0]));
                for (int q = 0; q < jb->npred; q++) {
                    double val = cp_prompt_conditional_excess(&jb->preds[q], &ws, cfg->L, cfg->model.sigma);
                    if (!isfinite(val)) {
                        bad = q;
                        break;
                    }
                    mstat_add(&st[q], val, i, jb->total);
                }
            }
            for (long t = 0; t < jb->Tmax && bad < 0 && !jb->conditional; t++) {
                if (t > 0)
                    symm_kernel(Y, ws.pr.G, d, d + 1, V, K);
                for (long k = 0; k < K; k++) {
                    const column *cl = &jb->cols[k];
                    if (t >= cl->T)
                        continue;
                    double a = sched_alpha(cl->p, t), b = sched_beta(cl->p, t);
                    /* same operations as the single-vector layer: (v + a c) + b (S v) */
                    if (t == 0)
                        for (long r = 0; r < d; r++)
                            V[r * K + k] = 0.0 + a * c_hat[r];
                    else
                        for (long r = 0; r < d; r++)
                            V[r * K + k] = 1.0 * (V[r * K + k] + a * c_hat[r]) + b * Y[r * K + k];
                }
                /* record predictors whose depth is t + 1 */
                for (int q = 0; q < jb->npred; q++) {
                    if (jb->preds[q].T != t + 1)
                        continue;
                    long k = jb->col_of[q];
                    for (long r = 0; r < d; r++)
                        w[r] = V[r * K + k];
                    double val = cp_prompt_excess(w, &ws.pr);
                    if (!isfinite(val)) {
                        bad = q;
                        break;
                    }
                    mstat_add(&st[q], val, i, jb->total);
                }
            }
            if (bad >= 0) {
                mark_bad(jb, (long long) index, bad);
                break;
            }
        }
    }
    free(V); free(Y); free(w);
    if (tb.d)
        cp_tridiag_block_clear(&tb);
    cp_engine_ws_clear(&ws);
    return NULL;
}

int cp_engine_risk_multi(cp_sim_result *res, const cp_sim_config *cfg, const cp_predictor *preds, int npred)
{
    memset(res, 0, (size_t) npred * sizeof *res);
    if (npred < 1 || cfg->prompts < 2) {
        snprintf(res[0].error, sizeof res[0].error, "need at least one predictor and two prompts");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TILTED || !cp_general_approx_trivial(cfg->general)) {
        /* the tilt depends on the predictor; the general model (section 14) has no shared pass: one run each */
        for (int q = 0; q < npred; q++)
            if (cp_engine_risk(&res[q], cfg, &preds[q]) != 0) {
                if (q > 0)
                    memcpy(res[0].error, res[q].error, sizeof res[0].error);
                return -1;
            }
        return 0;
    }
    if (cfg->query != CP_QUERY_EXACT) {
        snprintf(res[0].error, sizeof res[0].error, "cp_engine_risk_multi needs query=exact");
        return -1;
    }
    int conditional = cfg->estimator == CP_EST_CONDITIONAL
                      || (cfg->estimator == CP_EST_AUTO && cfg->sampler != CP_SAMPLER_POPULATION);
    if (conditional && cfg->sampler == CP_SAMPLER_POPULATION) {
        snprintf(res[0].error, sizeof res[0].error, "the conditional estimator needs a sampled Gram matrix");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TRIDIAG && (!conditional || cfg->L < preds[0].d)) {
        snprintf(res[0].error, sizeof res[0].error, "sampler=tridiag needs the conditional estimator and L >= d "
                 "(docs/model.md section 12)");
        return -1;
    }
    long d = preds[0].d, Tmax = 0;
    column *cols = calloc((size_t) npred, sizeof *cols);
    int *col_of = calloc((size_t) npred, sizeof *col_of), K = 0, rc = 0;
    stat *slots = calloc((size_t) ROUND * (size_t) npred, sizeof *slots);
    stat *tot = calloc((size_t) npred, sizeof *tot);
    if (!cols || !col_of || !slots || !tot) {
        snprintf(res[0].error, sizeof res[0].error, "out of memory");
        rc = -1;
        goto done;
    }
    for (int q = 0; q < npred; q++) {
        const cp_predictor *p = &preds[q];
        if ((p->kind != CP_PRED_CA && p->kind != CP_PRED_CA2 && p->kind != CP_PRED_CA_UNTIED) || p->d != d || p->T < 1) {
            snprintf(res[0].error, sizeof res[0].error, "cp_engine_risk_multi takes CA predictors of one dimension");
            rc = -1;
            goto done;
        }
        int found = -1;
        if (p->kind != CP_PRED_CA_UNTIED)
            for (int k = 0; k < K; k++) {
                const cp_predictor *o = cols[k].p;
                if (o->kind != CP_PRED_CA_UNTIED && sched_alpha(o, 0) == sched_alpha(p, 0)
                    && sched_beta(o, 0) == sched_beta(p, 0)) { found = k; break; }
            }
        if (found < 0) {
            found = K++;
            cols[found].p = p;
        }
        if (p->T > cols[found].T) cols[found].T = p->T;
        col_of[q] = found;
        if (p->T > Tmax) Tmax = p->T;
    }
    cp_engine_init();
    long long nchunks = (cfg->prompts + CP_ENGINE_CHUNK - 1) / CP_ENGINE_CHUNK;
    int threads = cfg->threads < 1 ? 1 : cfg->threads > 256 ? 256 : cfg->threads;
    for (long long c0 = 0; c0 < nchunks; c0 += ROUND) {
        mjob jb;
        memset(&jb, 0, sizeof jb);
        jb.cfg = cfg; jb.preds = preds; jb.npred = npred; jb.K = K; jb.cols = cols; jb.col_of = col_of;
        jb.Tmax = Tmax; jb.d = d; jb.slots = slots; jb.chunk0 = c0;
        jb.nchunks = nchunks - c0 < ROUND ? nchunks - c0 : ROUND;
        jb.total = cfg->prompts; jb.bad_index = -1; jb.conditional = conditional;
        pthread_mutex_init(&jb.lock, NULL);
        pthread_t tid[256];
        int started = 0, nt = threads < jb.nchunks ? threads : (int) jb.nchunks;
        for (int t = 1; t < nt; t++)
            if (pthread_create(&tid[t], NULL, mworker, &jb) == 0) started = t; else break;
        mworker(&jb);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&jb.lock);
        if (jb.oom) {
            snprintf(res[0].error, sizeof res[0].error, "out of memory in a worker");
            rc = -1;
            goto done;
        }
        if (jb.bad_index >= 0) {
            const cp_predictor *p = &preds[jb.bad_pred];
            snprintf(res[0].error, sizeof res[0].error, "non-finite value (NaN or Inf) at prompt %lld (seed %llu) "
                     "for T = %ld, alpha = %.6g: the run stopped; a CA step alpha above 2/lambda_max(Sigma_hat) "
                     "diverges", jb.bad_index, (unsigned long long) cfg->seed, p->T, sched_alpha(p, 0));
            rc = -1;
            goto done;
        }
        for (long long c = 0; c < jb.nchunks; c++)
            for (int q = 0; q < npred; q++) {
                const stat *s = &slots[c * npred + q];
                stat *t = &tot[q];
                if (s->n == 0) continue;
                cp_tailstat_merge(&t->tail, &s->tail);
                long long nn = t->n + s->n;
                double delta = s->mean - t->mean;
                t->mean += delta * (double) s->n / (double) nn;
                t->m2 += s->m2 + delta * delta * (double) t->n * (double) s->n / (double) nn;
                t->n = nn;
            }
        if (cfg->progress)
            cfg->progress((double) (c0 + jb.nchunks) / (double) nchunks, cfg->progress_arg);
    }
    for (int q = 0; q < npred; q++) {
        double se = sqrt(tot[q].m2 / (double) (tot[q].n - 1) / (double) tot[q].n);
        res[q].n = tot[q].n;
        res[q].excess = tot[q].mean;
        res[q].excess_stderr = se;
        res[q].risk = cfg->bayes_risk + tot[q].mean;
        res[q].risk_stderr = se;
        res[q].estimator = conditional ? CP_EST_CONDITIONAL : CP_EST_PLAIN;
        double lb = cp_engine_excess_lower ? cp_engine_excess_lower(&cfg->model, cfg->L, &preds[q]) : NAN;
        cp_sim_result_finish(&res[q], &tot[q].tail, 0, cfg->bayes_risk, lb);
    }
done:
    free(cols); free(col_of); free(slots); free(tot);
    return rc;
}
