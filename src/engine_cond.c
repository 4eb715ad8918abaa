/* engine_cond.c -- the conditional (Rao-Blackwellised) estimator of the
 * excess, the tilt of the spike chi-square, and the tail diagnostics of a
 * run (engine.h; derivations in docs/model.md, FC-7, FC-8, FC-9). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"

cp_excess_lower_fn cp_engine_excess_lower = NULL;

int cp_estimator_valid(cp_pred_kind k)
{
    return k == CP_PRED_BAYES || k == CP_PRED_OLS || k == CP_PRED_LSA || k == CP_PRED_CA
        || k == CP_PRED_CA2 || k == CP_PRED_CA_UNTIED;
}

/* p(l): the eigenvalue map of P(Sigma_hat) (FC-1, FC-7). */
double cp_predictor_poly(const cp_predictor *p, double l)
{
    switch (p->kind) {
    case CP_PRED_OLS: return 1.0 / l;
    case CP_PRED_LSA: return p->gamma;
    case CP_PRED_CA: case CP_PRED_CA2: case CP_PRED_CA_UNTIED: {
        double v = 0.0;
        for (long t = 0; t < p->T; t++) {
            double a = p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
            double b = p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
            v = (1.0 + b * l) * v + a;
        }
        return v;
    }
    default: return 0.0;
    }
}

/* LAPACK (shipped inside OpenBLAS, one thread: cp_engine_init). */
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info);

/* Eigenvalues (and with `vectors`, eigenvectors) of the top-left d x d
 * block of G by LAPACK dsyev: eval (d, ascending), evec column-major
 * (evec[i * d + k] = component k of eigenvector i).  The workspace size is
 * fixed by cp_engine_ws_init, so the call sequence, hence the bits, do not
 * depend on the thread running it.  A failed decomposition leaves NaN
 * eigenvalues, which stop the run. */
void cp_prompt_eigen(cp_engine_ws *ws, int vectors)
{
    int d = (int) ws->d, n = d + 1, lwork = (int) CP_EIG_LWORK(ws->d), info = 0;
    double *A = ws->evec, *work = ws->eigtmp;
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++)
            A[i * d + j] = ws->pr.G[i * n + j];
    dsyev_(vectors ? "V" : "N", "U", &d, A, &d, ws->eval, work, &lwork, &info);
    if (info != 0)
        for (int i = 0; i < d; i++)
            ws->eval[i] = NAN;
}

/* out = P x for the polynomial predictors (CA recursion of FC-1 with x in
 * place of c_hat; gamma x for LSA); tmp: 2 d doubles of scratch. */
static void poly_apply(double *out, const cp_predictor *p, const cp_engine_ws *ws, const double *x, double *tmp)
{
    long d = ws->d;
    if (p->kind == CP_PRED_LSA) {
        for (long i = 0; i < d; i++)
            out[i] = p->gamma * x[i];
        return;
    }
    double *v = out, *sv = tmp;
    for (long i = 0; i < d; i++)
        v[i] = 0.0;
    for (long t = 0; t < p->T; t++) {
        double a = p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
        double b = p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
        if (t > 0)
            cp_engine_sigma_apply(sv, &ws->pr, v);
        for (long i = 0; i < d; i++)
            v[i] = (v[i] + a * x[i]) + (t > 0 ? b * sv[i] : 0.0);
    }
}

/* FC-7: E[excess | Sigma_hat, s, direction], zeta and the label noise
 * integrated out (E zeta^2 = 1):
 *   w1^T R Lambda R w1 = |R w1|^2 + (m^T R w1)^2,  w1 = m/(1+s), R w1 = w1 - P Sigma w1,
 *   tr(P Lambda P Sigma_hat) = sum p(l_i)^2 l_i + (P m)^T Sigma_hat (P m).
 * For d > CP_COND_VEC_MAXD polynomial predictors need only the eigenvalues
 * and 2T + 2 products with Sigma_hat; for small d (where eigenvectors cost
 * little) and for least squares (R = 0, tr = sum (1 + b_i^2)/l_i) the
 * eigenvectors are used, b = U^T m.  cp_conditional_needs_vectors says
 * which cp_prompt_eigen the caller must run. */
int cp_conditional_needs_vectors(const cp_predictor *p)
{
    return p->kind == CP_PRED_OLS || p->d <= CP_COND_VEC_MAXD;
}

double cp_prompt_conditional_excess(const cp_predictor *p, cp_engine_ws *ws, long L, double sigma)
{
    long d = ws->d;
    const cp_prompt *pr = &ws->pr;
    if (p->kind == CP_PRED_BAYES)
        return 0.0;
    double lmax = 0.0, f = 1.0 / (1.0 + pr->s), noise = (f + sigma * sigma) / (double) L;
    for (long i = 0; i < d; i++)
        lmax = fmax(lmax, fabs(ws->eval[i]));
    if (p->kind != CP_PRED_OLS && ws->d <= CP_COND_VEC_MAXD) {
        /* eigenvector form: a = U^T w1, b = U^T m, r_i = 1 - p_i l_i:
         * |R w1|^2 + (m^T R w1)^2 = sum (r_i a_i)^2 + (sum b_i r_i a_i)^2,
         * tr(P Lambda P Sigma_hat) = sum p_i^2 l_i (1 + b_i^2). */
        double bias1 = 0.0, bias2 = 0.0, tr = 0.0;
        for (long i = 0; i < d; i++) {
            double l = ws->eval[i], b = 0.0;
            for (long k = 0; k < d; k++)
                b += ws->evec[i * d + k] * pr->m[k];
            double pv = cp_predictor_poly(p, l), r = 1.0 - pv * l, a = f * b;
            bias1 += (r * a) * (r * a);
            bias2 += b * r * a;
            tr += pv * pv * l * (1.0 + b * b);
        }
        return bias1 + bias2 * bias2 + noise * tr;
    }
    if (p->kind == CP_PRED_OLS) {
        double tr = 0.0;
        for (long i = 0; i < d; i++) {
            double l = ws->eval[i], b = 0.0;
            if (!(l > 1e-13 * (double) d * lmax))
                return NAN;                          /* Sigma_hat singular: least squares undefined */
            for (long k = 0; k < d; k++)
                b += ws->evec[i * d + k] * pr->m[k];
            tr += (1.0 + b * b) / l;
        }
        return noise * tr;
    }
    double tr = 0.0;
    for (long i = 0; i < d; i++) {
        double l = ws->eval[i], pv = cp_predictor_poly(p, l);
        tr += pv * pv * l;
    }
    double *w1 = ws->eigtmp, *sw = w1 + d, *rw = sw + d, *pm = rw + d, *tmp = pm + d;   /* 6 d <= CP_EIG_LWORK */
    for (long i = 0; i < d; i++)
        w1[i] = f * pr->m[i];
    cp_engine_sigma_apply(sw, pr, w1);
    poly_apply(rw, p, ws, sw, tmp);
    double n2 = 0.0, mr = 0.0;
    for (long i = 0; i < d; i++) {
        rw[i] = w1[i] - rw[i];
        n2 += rw[i] * rw[i];
        mr += pr->m[i] * rw[i];
    }
    poly_apply(pm, p, ws, pr->m, tmp);
    cp_engine_sigma_apply(sw, pr, pm);
    double q = 0.0;
    for (long i = 0; i < d; i++)
        q += pm[i] * sw[i];
    return n2 + mr * mr + noise * (tr + q);
}

/* r(l)^2 with r(l) = 1 - l p(l) */
static double log_r2(const cp_predictor *p, double l)
{
    double r = 1.0 - l * cp_predictor_poly(p, l);
    return r == 0.0 ? -1e300 : 2.0 * log(fabs(r));
}

/* FC-8: the tilt c >= 1 is the maximiser over x >= 1 of
 * h(x) = log r((1+s) x)^2 + (L/2 - 1) log x - L x/2 (the log of the
 * integrand of the bias term along the spike, chi2_L/L = x): the best of
 * 97 grid points, refined by golden section between its neighbours.  Any
 * c >= 1 gives an unbiased estimator (the weights are exact); this choice
 * only sets the variance. */
static double tilt_h(const cp_predictor *p, double lam, long L, double x)
{
    return log_r2(p, lam * x) + (0.5 * (double) L - 1.0) * log(x) - 0.5 * (double) L * x;
}

double cp_tilt_factor(const cp_predictor *p, double s, long L)
{
    if (p == NULL || p->kind == CP_PRED_BAYES || p->kind == CP_PRED_OLS)
        return 1.0;
    double lam = 1.0 + s, xmax = 1.0 + 60.0 / sqrt((double) L) + 8.0 * (double) (p->T > 0 ? p->T : 1) / (double) L;
    const int N = 96;
    double best = -INFINITY, h = (xmax - 1.0) / N;
    int bk = 0;
    for (int k = 0; k <= N; k++) {
        double v = tilt_h(p, lam, L, 1.0 + h * k);
        if (v > best) {
            best = v;
            bk = k;
        }
    }
    double lo = 1.0 + h * (bk > 0 ? bk - 1 : 0), hi = 1.0 + h * (bk < N ? bk + 1 : N);
    for (int it = 0; it < 40; it++) {
        double a = lo + 0.381966011250105 * (hi - lo), b = lo + 0.618033988749895 * (hi - lo);
        if (tilt_h(p, lam, L, a) > tilt_h(p, lam, L, b))
            hi = b;
        else
            lo = a;
    }
    double x = 0.5 * (lo + hi);
    return tilt_h(p, lam, L, x) >= best ? x : 1.0 + h * bk;
}

double cp_tilt_weight(double c, double eps, double q, long L)
{
    if (c == 1.0)
        return 1.0;
    double e = -0.5 * (double) L * log(c) + 0.5 * q * (1.0 - 1.0 / c);
    return e > 0 ? exp(-e) / ((1.0 - eps) * exp(-e) + eps) : 1.0 / ((1.0 - eps) + eps * exp(e));
}

static int same_predictor(const cp_predictor *a, const cp_predictor *b)
{
    return a->kind == b->kind && a->d == b->d && a->T == b->T && a->alpha == b->alpha && a->beta == b->beta
           && a->gamma == b->gamma && a->alphas == b->alphas && a->betas == b->betas && a->A == b->A && a->u == b->u;
}

/* FC-8 (iii): any c > 0 that is a function of s keeps the weights exact, so
 * the sampler interpolates cp_tilt_factor linearly in s between
 * CP_TILT_NODES + 1 equally spaced values on [m_lo, m_hi] (exact at the
 * nodes, hence exact for the two-point prior), computed once per workspace,
 * predictor and L: 65 searches instead of one per prompt. */
double cp_tilt_factor_cached(cp_engine_ws *ws, const cp_predictor *p, const cp_model_approx *m, double s, long L)
{
    if (p == NULL)
        return 1.0;
    const int N = CP_TILT_NODES;
    if (!ws->tilt_ready || ws->tilt_L != L || ws->tilt_s0 != m->m_lo || ws->tilt_s1 != m->m_hi
        || !same_predictor(&ws->tilt_for, p)) {
        for (int k = 0; k <= N; k++) {
            double sk = k == N ? m->m_hi : m->m_lo + (m->m_hi - m->m_lo) * ((double) k / N);
            ws->tilt_c[k] = cp_tilt_factor(p, sk, L);
        }
        ws->tilt_for = *p;
        ws->tilt_L = L;
        ws->tilt_s0 = m->m_lo;
        ws->tilt_s1 = m->m_hi;
        ws->tilt_ready = 1;
    }
    if (!(m->m_hi > m->m_lo))
        return ws->tilt_c[0];
    double x = (s - m->m_lo) / (m->m_hi - m->m_lo) * N;
    x = x < 0.0 ? 0.0 : x > N ? N : x;
    int k = (int) x < N ? (int) x : N - 1;
    double f = x - k;
    return fmax(1.0, (1.0 - f) * ws->tilt_c[k] + f * ws->tilt_c[k + 1]);
}

/* kappa*(alpha, m_hi) = inf over t > 2/alpha of I(t) / (2 ln(alpha t - 1)),
 * I(t) = (t/(1+m_hi) - 1 - ln(t/(1+m_hi)))/2 (docs/model.md FC-10): a
 * double-precision grid and golden-section search.  Not certified.  0 when
 * alpha (1 + m_hi) >= 2 (the population iteration itself diverges). */
double cp_engine_kappa_star_approx(double alpha, double m_hi)
{
    if (!(alpha > 0) || alpha * (1.0 + m_hi) >= 2.0)
        return 0.0;
    double lam = 1.0 + m_hi, t0 = 2.0 / alpha;
    double best = INFINITY, bt = 0;
    for (int k = 1; k <= 4000; k++) {          /* t = t0 (1 + u), u up to 40 */
        double t = t0 * (1.0 + 0.01 * k), x = t / lam;
        double f = x > 1 ? 0.5 * (x - 1 - log(x)) / (2 * log(alpha * t - 1)) : 0.0;
        if (x > 1 && f < best) { best = f; bt = t; }
    }
    double lo = fmax(bt - 0.01 * t0, t0 * 1.000001), hi = bt + 0.01 * t0;
    for (int it = 0; it < 100; it++) {
        double a1 = lo + 0.381966 * (hi - lo), a2 = lo + 0.618034 * (hi - lo);
        double f1 = a1 / lam > 1 ? 0.5 * (a1 / lam - 1 - log(a1 / lam)) / (2 * log(alpha * a1 - 1)) : 0.0;
        double f2 = a2 / lam > 1 ? 0.5 * (a2 / lam - 1 - log(a2 / lam)) / (2 * log(alpha * a2 - 1)) : 0.0;
        if (f1 < f2) hi = a2; else lo = a1;
    }
    double t = 0.5 * (lo + hi), x = t / lam;
    double f = x > 1 ? 0.5 * (x - 1 - log(x)) / (2 * log(alpha * t - 1)) : 0.0;
    return fmin(best, f);
}

/* --- tail statistics (FC-9) ---------------------------------------------- */

void cp_tailstat_add(cp_tailstat *t, double v, long long i, long long n)
{
    long long g = n > 0 ? i * CP_MOM_GROUPS / n : 0;  /* group of prompt i: floor(i K / n) */
    if (g >= CP_MOM_GROUPS)
        g = CP_MOM_GROUPS - 1;
    t->sum += v;
    t->sumsq += v * v;
    if (v > t->max)
        t->max = v;
    t->gsum[g] += v;
    t->gn[g]++;
}

void cp_tailstat_merge(cp_tailstat *t, const cp_tailstat *s)
{
    t->sum += s->sum;
    t->sumsq += s->sumsq;
    if (s->max > t->max)
        t->max = s->max;
    for (int g = 0; g < CP_MOM_GROUPS; g++) {
        t->gsum[g] += s->gsum[g];
        t->gn[g] += s->gn[g];
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

void cp_sim_result_finish(cp_sim_result *res, const cp_tailstat *t, int sampled, double bayes_risk, double lb)
{
    double means[CP_MOM_GROUPS];
    int k = 0;
    for (int g = 0; g < CP_MOM_GROUPS; g++)
        if (t->gn[g] > 0)
            means[k++] = t->gsum[g] / (double) t->gn[g];
    qsort(means, (size_t) k, sizeof means[0], cmp_d);
    double mom = k == 0 ? NAN : k % 2 ? means[k / 2] : 0.5 * (means[k / 2 - 1] + means[k / 2]);
    res->excess_mom = sampled ? mom - bayes_risk : mom;
    res->max_share = t->sum > 0 ? t->max / t->sum : 0.0;
    res->ess = t->sumsq > 0 ? t->sum * t->sum / t->sumsq : 0.0;
    res->heavy_reasons = 0;
    if (res->max_share > fmax(CP_HEAVY_MAX_SHARE, CP_HEAVY_MAX_RATIO / (double) (res->n > 0 ? res->n : 1)))
        res->heavy_reasons |= CP_HEAVY_SHARE;
    if (res->n > 0 && res->ess < CP_HEAVY_ESS_FRAC * (double) res->n)
        res->heavy_reasons |= CP_HEAVY_ESS;
    if (res->excess - res->excess_mom > fmax(CP_HEAVY_MOM_REL * fabs(res->excess), 3.0 * res->excess_stderr))
        res->heavy_reasons |= CP_HEAVY_MOM;
    cp_sim_result_set_lower_bound(res, lb);
}

int cp_sim_interval(double *lo, double *hi, const cp_sim_result *res, double z)
{
    double floor = isfinite(res->lower_bound) && res->lower_bound > 0 ? res->lower_bound : 0.0;
    *lo = res->excess - z * res->excess_stderr;
    *hi = res->excess + z * res->excess_stderr;
    int clipped = 0;
    if (*lo < floor) {
        *lo = floor;
        clipped = 1;
    }
    if (*hi < *lo)
        *hi = *lo;
    return clipped;
}

void cp_sim_result_set_lower_bound(cp_sim_result *res, double lb)
{
    res->lower_bound = lb;
    res->heavy_reasons &= ~(unsigned) CP_HEAVY_BOUND;
    if (isfinite(lb) && lb > res->excess + 1.96 * res->excess_stderr)
        res->heavy_reasons |= CP_HEAVY_BOUND;
    res->clipped = cp_sim_interval(&res->ci_lo, &res->ci_hi, res, 1.96);
    res->heavy_tail = res->heavy_reasons != 0;
}
