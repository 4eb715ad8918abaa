/* engine_tridiag_grad.c -- training gradients on the tridiagonal fast path
 * (engine.h; docs/model.md section 16, TG-1..TG-3).
 *
 * The conditional excess f of one prompt is the explicit function (TR-3) of
 * the d pairs (l_i, q_i^2), s and p_i = p(l_i; theta).  Its gradient in the
 * packed parameters theta (cp_predictor_nparams) is df/dp_i (TG-2) times
 * dp_i/dtheta: for a tied recursion by forward recursion of (P, dP/da,
 * dP/db) on each eigenvalue (TG-3a), for the untied one by reverse mode
 * over the layers with the iterates P_t kept (TG-3b).  Its mean over prompts
 * is an unbiased estimate of the gradient of the population excess at L
 * (TG-1).  Plain C in a fixed order: the bits do not depend on the thread. */
#include <math.h>
#include <string.h>
#include "crossproof/engine.h"

int cp_tridiag_grad_valid(cp_pred_kind k)
{
    return cp_tridiag_valid(k);
}

long cp_tridiag_grad_work(const cp_predictor *p)
{
    long T = p->T > 0 ? p->T : 1;
    return (p->kind == CP_PRED_CA_UNTIED ? T + 2 : 4) * (p->d > 0 ? p->d : 1);
}

/* Layer t's (a, b) as in poly_vec of engine_tridiag.c (FC-1). */
static void layer_ab(double *a, double *b, const cp_predictor *p, long t)
{
    *a = p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
    *b = p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
}

double cp_tridiag_spectral_grad(double *grad, const cp_predictor *p, long d, const double *l, const double *q2,
                                long st, double s, double noise, double *work)
{
    long np = cp_predictor_nparams(p), T = p->T;
    double *pv = work, *g = work + d, *da = work + 2 * d, *db = work + 3 * d;
    double *pt = work + 2 * d;                 /* untied: P_t of eigenvalue i at pt[t * d + i] */
    memset(grad, 0, (size_t) (np > 0 ? np : 1) * sizeof(double));
    /* p_i (and the tied derivatives, TG-3a): the recursion of poly_vec, same operations */
    for (long i = 0; i < d; i++) {
        double li = l[i * st], P = 0.0, Da = 0.0, Db = 0.0;
        if (p->kind == CP_PRED_LSA) {
            P = p->gamma;
        } else if (p->kind == CP_PRED_CA_UNTIED) {
            for (long t = 0; t < T; t++) {
                double a, b;
                layer_ab(&a, &b, p, t);
                pt[t * d + i] = P;
                P = (1.0 + b * li) * P + a;
            }
        } else {
            for (long t = 0; t < T; t++) {
                double a, b;
                layer_ab(&a, &b, p, t);
                double f = 1.0 + b * li;
                Db = f * Db + li * P;          /* dP/db <- (1 + b l) dP/db + l P (P before the update) */
                Da = f * Da + 1.0;             /* dP/da <- (1 + b l) dP/da + 1 */
                P = f * P + a;
            }
            da[i] = Da;
            db[i] = Db;
        }
        pv[i] = P;
    }
    double lam = 1.0 + s, c = s / (lam * lam), B2 = 0.0;
    for (long i = 0; i < d; i++)
        B2 += (1.0 - pv[i] * l[i * st]) * q2[i * st];
    /* TG-2: df/dp_i = -2 c l_i q_i^2 (r_i + s B2) + 2 noise p_i l_i (1 + s q_i^2) */
    for (long i = 0; i < d; i++) {
        double li = l[i * st], qi = q2[i * st], r = 1.0 - pv[i] * li;
        g[i] = -2.0 * c * li * qi * (r + s * B2) + 2.0 * noise * pv[i] * li * (1.0 + s * qi);
    }
    switch (p->kind) {
    case CP_PRED_LSA:
        for (long i = 0; i < d; i++)
            grad[0] += g[i];
        break;
    case CP_PRED_CA: case CP_PRED_CA2: {
        double ga = 0.0, gb = 0.0;
        for (long i = 0; i < d; i++) {
            ga += g[i] * da[i];
            gb += g[i] * db[i];
        }
        if (p->kind == CP_PRED_CA)
            grad[0] = ga - gb;                 /* a = alpha, b = -alpha */
        else {
            grad[0] = ga;
            grad[1] = gb;
        }
        break;
    }
    case CP_PRED_CA_UNTIED:                    /* TG-3b: reverse mode over the layers */
        for (long i = 0; i < d; i++) {
            double li = l[i * st], gi = g[i];
            for (long t = T - 1; t >= 0; t--) {
                grad[t] += gi;
                grad[T + t] += gi * li * pt[t * d + i];
                gi *= 1.0 + p->betas[t] * li;
            }
        }
        break;
    default:
        break;
    }
    return cp_tridiag_spectral_excess(d, l, q2, st, pv, 1, s, noise);
}

double cp_tridiag_block_grad(double *grad, const cp_predictor *p, cp_tridiag_block *b, int lane, long L,
                             double sigma, double *work)
{
    if (cp_predictor_nparams(p) == 0)          /* bayes, ols: nothing to differentiate */
        return cp_tridiag_block_excess(p, b, lane, L, sigma);
    double s = b->s[lane], noise = (1.0 / (1.0 + s) + sigma * sigma) / (double) L;
    return cp_tridiag_spectral_grad(grad, p, b->d, b->l + lane, b->q2 + lane, CP_TRI_LANES, s, noise, work);
}
