/* engine_train.c -- gradient descent on fresh sampled prompts (engine.h). */
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
    memset(st, 0, sizeof *st);
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
        for (long k = 0; k < np; k++)
            st->theta[k] -= tc->lr * g[k];
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
