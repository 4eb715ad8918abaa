/* general_engine.c -- general.h's model handed to the double engine
 * (general_engine.h; docs/model.md section 14). */
#include "crossproof/general_engine.h"

int cp_general_engine_read(cp_general_approx *ga, cp_general_t g, const cp_kv *kv, const cp_key_spec *keys,
                           char *err)
{
    if (cp_general_from_kv(g, kv, keys, err) != 0)
        return -1;
    ga->k = (long) g->k;
    ga->tau1 = fmpq_get_d(g->tau1);
    ga->tau2 = fmpq_get_d(g->tau2);
    ga->split = fmpq_get_d(g->split);
    return 0;
}

/* the midpoint of r rounded to double; clears r */
static double take_mid(arb_t r)
{
    double v = arf_get_d(arb_midref(r), ARF_RND_NEAR);
    arb_clear(r);
    return v;
}

double cp_general_engine_bayes_risk(const cp_general_t g)
{
    arb_t r;
    arb_init(r);
    cp_general_bayes_risk(r, g, 128);
    return take_mid(r);
}

double cp_general_engine_alpha_star(const cp_general_t g)
{
    arb_t r;
    arb_init(r);
    cp_general_alpha_star(r, NULL, NULL, NULL, NULL, NULL, NULL, g, 128);
    return take_mid(r);
}

double cp_general_engine_gamma(const cp_general_t g)
{
    arb_t r;
    arb_init(r);
    cp_general_gamma_avg(r, g, 128);
    return take_mid(r);
}
