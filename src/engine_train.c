/* engine_train.c -- gradient descent on fresh sampled prompts (engine.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"

int cp_train_state_init(cp_train_state *st, const cp_predictor *pred)
{
    memset(st, 0, sizeof *st);
    st->np = cp_predictor_nparams(pred);
    st->theta = calloc((size_t) (st->np > 0 ? st->np : 1), sizeof(double));
    st->avg = calloc((size_t) (st->np > 0 ? st->np : 1), sizeof(double));
    if (!st->theta || !st->avg) {
        cp_train_state_clear(st);
        return -1;
    }
    cp_predictor_get_params(st->theta, pred);
    return 0;
}

void cp_train_state_clear(cp_train_state *st)
{
    free(st->theta);
    free(st->avg);
    free(st->adam_m);
    free(st->adam_v);
    memset(st, 0, sizeof *st);
}

double cp_train_lr(const cp_train_config *tc, long k)
{
    if (tc->schedule == CP_LR_COSINE)
        return tc->lr * 0.5 * (1.0 + cos(M_PI * (double) k / (double) tc->steps));
    if (tc->schedule == CP_LR_STEP)
        return 4 * k >= 3 * tc->steps ? tc->lr / 100 : 2 * k >= tc->steps ? tc->lr / 10 : tc->lr;
    return tc->lr;
}

int cp_engine_train(cp_train_state *st, cp_predictor *pred, const cp_train_config *tc, char *err)
{
    long np = st->np;
    double *g = calloc((size_t) (np > 0 ? np : 1), sizeof(double));
    if (!g) {
        snprintf(err, 256, "out of memory");
        return -1;
    }
    cp_sim_config cfg = tc->cfg;
    int rc = 0;
    cp_predictor_set_params(pred, st->theta);
    for (; st->step < tc->steps; ) {
        double ex;
        cfg.first = (uint64_t) st->step * (uint64_t) tc->cfg.prompts;
        if (cp_engine_grad(g, &ex, &cfg, pred, err) != 0) {
            rc = -1;
            break;
        }
        if (tc->schedule == CP_LR_CONSTANT && tc->optimizer == CP_OPT_GD)
            for (long k = 0; k < np; k++)          /* the default: the plain update, bit for bit */
                st->theta[k] -= tc->lr * g[k];
        else if (tc->optimizer == CP_OPT_GD) {
            double lr = cp_train_lr(tc, st->step);
            for (long k = 0; k < np; k++)
                st->theta[k] -= lr * g[k];
        } else {
            if (!st->adam_m) {
                st->adam_m = calloc((size_t) (np > 0 ? np : 1), sizeof(double));
                st->adam_v = calloc((size_t) (np > 0 ? np : 1), sizeof(double));
                if (!st->adam_m || !st->adam_v) {
                    snprintf(err, 256, "out of memory");
                    rc = -1;
                    break;
                }
            }
            double lr = cp_train_lr(tc, st->step), t = (double) (st->step + 1);
            double c1 = 1.0 - pow(0.9, t), c2 = 1.0 - pow(0.999, t);
            for (long k = 0; k < np; k++) {
                st->adam_m[k] = 0.9 * st->adam_m[k] + 0.1 * g[k];
                st->adam_v[k] = 0.999 * st->adam_v[k] + 0.001 * g[k] * g[k];
                st->theta[k] -= lr * (st->adam_m[k] / c1) / (sqrt(st->adam_v[k] / c2) + 1e-8);
            }
        }
        cp_predictor_set_params(pred, st->theta);
        st->last_excess = ex;
        if (st->step >= tc->avg_from) {
            st->navg++;
            for (long k = 0; k < np; k++)
                st->avg[k] += (st->theta[k] - st->avg[k]) / (double) st->navg;
        }
        st->step++;
        if (tc->on_step && tc->on_step(st->step, st->theta, ex, tc->arg)) {
            rc = 1;
            break;
        }
    }
    free(g);
    return rc;
}
