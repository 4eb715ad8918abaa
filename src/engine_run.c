/* engine_run.c -- batched, threaded runs over prompts (engine.h).
 *
 * Work is cut into chunks of CP_ENGINE_CHUNK consecutive prompt indices.
 * Threads take chunks from a shared counter, each chunk's statistics go to
 * its own slot, and the slots are combined in chunk order.  Since prompt i
 * draws only from its own Philox stream, the result does not depend on the
 * number of threads nor on which thread ran which chunk.  Runs proceed in
 * rounds of a bounded number of chunks, so memory does not grow with the
 * number of prompts. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"
#include "crossproof/rng.h"

#define ROUND_CHUNKS 512

typedef struct {
    long long n;
    double mean, m2;       /* Welford */
    double *grad;          /* gradient sum (grad runs) */
    cp_tailstat tail;      /* tail diagnostics (FC-9) */
} chunk_stat;

typedef struct {
    const cp_sim_config *cfg;
    const cp_predictor *pred;
    chunk_stat *slots;
    long long chunk0, nchunks;      /* chunks of this round */
    long long total;                /* prompts of the run */
    int want_grad;
    int conditional;                /* estimator (FC-7) */
    long np;
    pthread_mutex_t lock;
    long long next;                 /* next chunk to hand out (relative) */
    long long bad_index;            /* smallest prompt index with a non-finite value */
    int oom;
} job;

/* Welford update and tail statistics of one prompt's value. */
static void stat_add(chunk_stat *st, double val, long long i, long long total)
{
    st->n++;
    double delta = val - st->mean;
    st->mean += delta / (double) st->n;
    st->m2 += delta * (val - st->mean);
    cp_tailstat_add(&st->tail, val, i, total);
}

/* Records the smallest prompt index with a non-finite value. */
static void mark_bad(job *jb, long long index)
{
    pthread_mutex_lock(&jb->lock);
    if (jb->bad_index < 0 || index < jb->bad_index)
        jb->bad_index = index;
    pthread_mutex_unlock(&jb->lock);
}

static void *worker(void *arg)
{
    job *jb = arg;
    const cp_sim_config *cfg = jb->cfg;
    cp_engine_ws ws;
    long T = jb->pred->T > 0 ? jb->pred->T : 1;
    double *g = NULL;
    if (cp_engine_ws_init(&ws, jb->pred->d, T) != 0
        || (jb->want_grad && !(g = malloc((size_t) (jb->np > 0 ? jb->np : 1) * sizeof(double))))) {
        pthread_mutex_lock(&jb->lock);
        jb->oom = 1;
        pthread_mutex_unlock(&jb->lock);
        if (ws.d)
            cp_engine_ws_clear(&ws);
        return NULL;
    }
    const cp_general_approx *gen = cp_general_approx_trivial(cfg->general) ? NULL : cfg->general;
    if (gen && cp_engine_ws_general_init(&ws, gen->k) != 0) {
        pthread_mutex_lock(&jb->lock);
        jb->oom = 1;
        pthread_mutex_unlock(&jb->lock);
    }
    cp_tridiag_block tb;
    double *gwork = NULL;                      /* tridiag gradients (docs/model.md section 16) */
    memset(&tb, 0, sizeof tb);
    /* the tridiagonal blocks: sampler=tridiag, and sampler=tilted with the
     * conditional estimator (the tilt acts on b_1^2, docs/model.md TR-2) */
    int tilted_tri = cfg->sampler == CP_SAMPLER_TILTED && jb->conditional && !jb->want_grad && !gen;
    if ((cfg->sampler == CP_SAMPLER_TRIDIAG || tilted_tri)
        && (cp_tridiag_block_init(&tb, jb->pred->d) != 0
            || (jb->want_grad && !(gwork = malloc((size_t) cp_tridiag_grad_work(jb->pred) * sizeof(double)))))) {
        pthread_mutex_lock(&jb->lock);
        jb->oom = 1;
        pthread_mutex_unlock(&jb->lock);
    }
    int sampled = cfg->query == CP_QUERY_SAMPLED && !jb->want_grad;
    for (;;) {
        pthread_mutex_lock(&jb->lock);
        long long c = jb->next++;
        int stop = jb->bad_index >= 0 || jb->oom;
        pthread_mutex_unlock(&jb->lock);
        if (stop || c >= jb->nchunks)
            break;
        chunk_stat *st = &jb->slots[c];
        long long lo = (jb->chunk0 + c) * CP_ENGINE_CHUNK;
        long long hi = lo + CP_ENGINE_CHUNK < jb->total ? lo + CP_ENGINE_CHUNK : jb->total;
        st->n = 0;
        st->mean = st->m2 = 0.0;
        memset(&st->tail, 0, sizeof st->tail);
        if (st->grad)
            memset(st->grad, 0, (size_t) jb->np * sizeof(double));
        if (cfg->sampler == CP_SAMPLER_TRIDIAG || tilted_tri) {   /* docs/model.md section 12: blocks of lanes */
            for (long long i0 = lo; i0 < hi && tb.d; i0 += CP_TRI_LANES) {
                int cnt = hi - i0 < CP_TRI_LANES ? (int) (hi - i0) : CP_TRI_LANES;
                double vals[CP_TRI_LANES];
                if (tilted_tri)
                    cp_tridiag_draw_block_tilted(&tb, &ws, &cfg->model, cfg->L, jb->pred, cfg->tilt_share, cfg->seed,
                                                 cfg->substream, cfg->first + (uint64_t) i0, cnt);
                else
                    cp_tridiag_draw_block(&tb, &cfg->model, cfg->L, cfg->seed, cfg->substream,
                                          cfg->first + (uint64_t) i0, cnt);
                if (!jb->want_grad)
                    cp_tridiag_block_excess_all(vals, jb->pred, &tb, cfg->L, cfg->model.sigma);
                for (int k = 0; k < cnt; k++) {
                    long long i = i0 + k;
                    double val;
                    int ok = 1;
                    if (!jb->want_grad)
                        val = tilted_tri ? vals[k] * tb.w[k] : vals[k];
                    else {                             /* lanes in prompt order: fixed summation order */
                        val = cp_tridiag_block_grad(g, jb->pred, &tb, k, cfg->L, cfg->model.sigma, gwork);
                        for (long q = 0; q < jb->np; q++) {
                            ok &= isfinite(g[q]);
                            st->grad[q] += g[q];
                        }
                    }
                    if (!ok || !isfinite(val)) {
                        mark_bad(jb, (long long) (cfg->first + (uint64_t) i));
                        i0 = hi;
                        break;
                    }
                    stat_add(st, val, i, jb->total);
                }
            }
            continue;
        }
        /* one prompt at a time: every sampler but the tridiagonal blocks above */
        for (long long i = lo; i < hi; i++) {
            uint64_t index = cfg->first + (uint64_t) i;
            if (gen) {                                  /* docs/model.md section 14 */
                cp_prompt_draw_general(&ws, &cfg->model, gen, cfg->L, cfg->sampler, sampled, cfg->seed,
                                       cfg->substream, index);
            } else if (cfg->sampler == CP_SAMPLER_TILTED && !jb->want_grad) {
                cp_prompt_draw_tilted(&ws, &cfg->model, cfg->L, jb->pred, cfg->tilt_share, cfg->seed,
                                      cfg->substream, index);
                if (sampled) {   /* the query: same stream and law as cp_prompt_draw */
                    cp_rng r;
                    cp_rng_init(&r, cfg->seed, index, 3u * cfg->substream + 2u);
                    double u = cp_rng_normal(&r);
                    cp_rng_normal_vec(&r, ws.pr.xq, ws.d);
                    for (long j = 0; j < ws.d; j++)
                        ws.pr.xq[j] += u * ws.pr.m[j];
                    ws.pr.yq = ws.pr.zeta * u;
                    if (cfg->model.sigma > 0.0)
                        ws.pr.yq += cfg->model.sigma * cp_rng_normal(&r);
                }
            } else {
                cp_prompt_draw(&ws, &cfg->model, cfg->L, cfg->sampler, sampled, cfg->seed,
                               cfg->substream, index);
            }
            double val;
            int ok = 1;
            if (jb->want_grad) {
                val = cp_predictor_excess_grad(g, jb->pred, &ws);
                for (long k = 0; k < jb->np; k++) {
                    ok &= isfinite(g[k]);
                    st->grad[k] += g[k];
                }
            } else if (jb->conditional) {
                cp_prompt_eigen(&ws, cp_conditional_needs_vectors(jb->pred));
                val = cp_prompt_conditional_excess(jb->pred, &ws, cfg->L, cfg->model.sigma) * ws.pr.weight;
            } else {
                const double *w = cp_predictor_weight(jb->pred, &ws);
                if (sampled) {
                    double e = ws.pr.yq;
                    for (long k = 0; k < ws.d; k++)
                        e -= w[k] * ws.pr.xq[k];
                    val = e * e;
                } else {
                    val = cp_prompt_excess(w, &ws.pr);
                }
                val *= ws.pr.weight;
            }
            if (!ok || !isfinite(val)) {
                mark_bad(jb, (long long) index);
                break;
            }
            stat_add(st, val, i, jb->total);
        }
    }
    free(g);
    free(gwork);
    if (tb.d)
        cp_tridiag_block_clear(&tb);
    cp_engine_ws_clear(&ws);
    return NULL;
}

/* Runs cfg over all its prompts; combines per-chunk statistics in order.
 * grad (np entries) receives the gradient sum when non-NULL. */
static int run_all(long long *n_out, double *mean_out, double *m2_out, double *grad,
                   const cp_sim_config *cfg, const cp_predictor *pred, char *err,
                   int conditional, cp_tailstat *tail)
{
    if (tail)
        memset(tail, 0, sizeof *tail);
    long np = cp_predictor_nparams(pred);
    long long total = cfg->prompts;
    long long nchunks_total = (total + CP_ENGINE_CHUNK - 1) / CP_ENGINE_CHUNK;
    int threads = cfg->threads < 1 ? 1 : cfg->threads;
    /* slots for one round: no more than the run has chunks (a training step
     * of one chunk allocates one, not ROUND_CHUNKS; the rounds are unchanged) */
    int nslots = nchunks_total < ROUND_CHUNKS ? (int) (nchunks_total > 0 ? nchunks_total : 1) : ROUND_CHUNKS;
    chunk_stat *slots = calloc((size_t) nslots, sizeof *slots);
    long long n = 0;
    double mean = 0.0, m2 = 0.0;
    int rc = 0;
    if (!slots) {
        snprintf(err, 256, "out of memory");
        return -1;
    }
    if (grad) {
        memset(grad, 0, (size_t) (np > 0 ? np : 1) * sizeof(double));
        for (int c = 0; c < nslots; c++)
            if (!(slots[c].grad = malloc((size_t) (np > 0 ? np : 1) * sizeof(double)))) {
                snprintf(err, 256, "out of memory");
                rc = -1;
                goto done;
            }
    }
    cp_engine_init();
    for (long long c0 = 0; c0 < nchunks_total; c0 += ROUND_CHUNKS) {
        job jb;
        memset(&jb, 0, sizeof jb);
        jb.cfg = cfg;
        jb.pred = pred;
        jb.slots = slots;
        jb.chunk0 = c0;
        jb.nchunks = nchunks_total - c0 < ROUND_CHUNKS ? nchunks_total - c0 : ROUND_CHUNKS;
        jb.total = total;
        jb.want_grad = grad != NULL;
        jb.conditional = conditional && grad == NULL;
        jb.np = np;
        jb.bad_index = -1;
        pthread_mutex_init(&jb.lock, NULL);
        int nt = threads < jb.nchunks ? threads : (int) jb.nchunks;
        pthread_t tid[256];
        int started = 0;
        if (nt > 256)
            nt = 256;
        for (int t = 1; t < nt; t++)
            if (pthread_create(&tid[t], NULL, worker, &jb) == 0)
                started = t;
            else
                break;
        worker(&jb);
        for (int t = 1; t <= started; t++)
            pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&jb.lock);
        if (jb.oom) {
            snprintf(err, 256, "out of memory in a worker");
            rc = -1;
            goto done;
        }
        if (jb.bad_index >= 0) {
            snprintf(err, 256, "non-finite value (NaN or Inf) at prompt %lld (seed %llu): the run "
                     "stopped; a CA step alpha above 2/lambda_max(Sigma_hat) diverges, and least "
                     "squares needs L >= d", jb.bad_index, (unsigned long long) cfg->seed);
            rc = -1;
            goto done;
        }
        for (long long c = 0; c < jb.nchunks; c++) {     /* ordered combination (Chan et al.) */
            const chunk_stat *st = &slots[c];
            if (st->n == 0)
                continue;
            long long nn = n + st->n;
            double delta = st->mean - mean;
            mean += delta * (double) st->n / (double) nn;
            m2 += st->m2 + delta * delta * (double) n * (double) st->n / (double) nn;
            n = nn;
            if (tail)
                cp_tailstat_merge(tail, &st->tail);
            if (grad)
                for (long k = 0; k < np; k++)
                    grad[k] += st->grad[k];
        }
        if (cfg->progress)
            cfg->progress((double) (c0 + jb.nchunks) / (double) nchunks_total, cfg->progress_arg);
    }
done:
    if (grad)
        for (int c = 0; c < nslots; c++)
            free(slots[c].grad);
    free(slots);
    *n_out = n;
    *mean_out = mean;
    *m2_out = m2;
    return rc;
}

/* The general model (docs/model.md section 14): the samplers and estimator
 * that are valid for it; 0 when cfg is the k = 1 isotropic model. */
static int general_invalid(char *err, const cp_sim_config *cfg, const cp_predictor *pred, cp_estimator est)
{
    const cp_general_approx *g = cfg->general;
    if (cp_general_approx_trivial(g))
        return 0;
    long d = pred->d;
    if (!cp_general_sampler_valid(cfg->sampler)) {
        snprintf(err, 256, "sampler=%s assumes k = 1 and unit isotropic noise (docs/model.md section 14): "
                 "use wishart, direct or population", cp_sampler_name(cfg->sampler));
        return -1;
    }
    if (est == CP_EST_CONDITIONAL) {
        snprintf(err, 256, "the conditional estimator assumes k = 1 and unit isotropic noise (docs/model.md "
                 "section 14): use estimator=plain");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_WISHART && cfg->L < cp_general_wishart_p(g, d, cfg->model.sigma)) {
        snprintf(err, 256, "sampler=wishart needs L >= k + d%s = %ld here", cfg->model.sigma > 0 ? " + 1" : "",
                 cp_general_wishart_p(g, d, cfg->model.sigma));
        return -1;
    }
    if (g->k < 1 || d != cfg->model.d1 + cfg->model.d2) {
        snprintf(err, 256, "general model: k must be >= 1 and the predictor's d must be d1 + d2");
        return -1;
    }
    return 0;
}

int cp_engine_risk(cp_sim_result *res, const cp_sim_config *cfg, const cp_predictor *pred)
{
    long long n;
    double mean, m2;
    memset(res, 0, sizeof *res);
    if (cfg->prompts < 2) {
        snprintf(res->error, sizeof res->error, "prompts must be at least 2");
        return -1;
    }
    int valid = cp_estimator_valid(pred->kind) && cfg->query == CP_QUERY_EXACT
                && cfg->sampler != CP_SAMPLER_POPULATION && cp_general_approx_trivial(cfg->general);
    cp_estimator est = cfg->estimator == CP_EST_AUTO ? (valid ? CP_EST_CONDITIONAL : CP_EST_PLAIN) : cfg->estimator;
    if (est == CP_EST_CONDITIONAL && !valid) {
        snprintf(res->error, sizeof res->error, "the conditional estimator needs query=exact, a sampled Gram "
                 "matrix and a predictor w = P(Sigma_hat) c_hat (bayes, ols, lsa, ca, ca2, ca_untied)");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TRIDIAG && (est != CP_EST_CONDITIONAL || cfg->L < pred->d)) {
        snprintf(res->error, sizeof res->error, "sampler=tridiag draws only the spectrum of Sigma_hat "
                 "(docs/model.md section 12): it needs the conditional estimator (query=exact; bayes, ols, "
                 "lsa, ca, ca2, ca_untied) and L >= d");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TILTED && pred->kind == CP_PRED_LSA_GENERAL) {
        snprintf(res->error, sizeof res->error, "sampler=tilted does not draw yy_hat: not for lsa_general");
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TILTED && cfg->L < pred->d) {
        snprintf(res->error, sizeof res->error, "sampler=tilted needs L >= d");
        return -1;
    }
    if (general_invalid(res->error, cfg, pred, est) != 0)
        return -1;
    cp_tailstat tail;
    if (run_all(&n, &mean, &m2, NULL, cfg, pred, res->error, est == CP_EST_CONDITIONAL, &tail) != 0)
        return -1;
    double se = sqrt(m2 / (double) (n - 1) / (double) n);
    res->n = n;
    res->estimator = est;
    if (cfg->query == CP_QUERY_SAMPLED) {
        res->risk = mean;
        res->risk_stderr = se;
        res->excess = mean - cfg->bayes_risk;
        res->excess_stderr = se;
    } else {
        res->excess = mean;
        res->excess_stderr = se;
        res->risk = cfg->bayes_risk + mean;
        res->risk_stderr = se;
    }
    double lb = cp_engine_excess_lower ? cp_engine_excess_lower(&cfg->model, cfg->L, pred) : NAN;
    cp_sim_result_finish(res, &tail, cfg->query == CP_QUERY_SAMPLED, cfg->bayes_risk, lb);
    return 0;
}

int cp_engine_grad(double *grad, double *mean_excess, const cp_sim_config *cfg,
                   const cp_predictor *pred, char *err)
{
    long long n;
    double mean, m2;
    long np = cp_predictor_nparams(pred);
    if (cfg->sampler == CP_SAMPLER_TRIDIAG && !cp_tridiag_grad_valid(pred->kind)) {
        snprintf(err, 256, "sampler=tridiag has no gradient for model=%s (docs/model.md section 16: a predictor "
                 "w = p(Sigma_hat) c_hat only): use sampler=wishart or direct", cp_pred_kind_name(pred->kind));
        return -1;
    }
    if (cfg->sampler == CP_SAMPLER_TRIDIAG && cfg->L < pred->d) {
        snprintf(err, 256, "sampler=tridiag needs L >= d (docs/model.md section 12)");
        return -1;
    }
    if (general_invalid(err, cfg, pred, CP_EST_PLAIN) != 0)
        return -1;
    if (run_all(&n, &mean, &m2, grad, cfg, pred, err, 0, NULL) != 0)
        return -1;
    for (long k = 0; k < np; k++)
        grad[k] /= (double) n;
    *mean_excess = mean;
    return 0;
}
