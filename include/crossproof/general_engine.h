/* general_engine.h -- the general latent factor model of general.h handed to
 * the double engine (engine.h), for simulate, train and the statistical
 * checks (docs/model.md section 14).  Program layer: it reads the keys and
 * rounds the certified population values to doubles. */
#ifndef CROSSPROOF_GENERAL_ENGINE_H
#define CROSSPROOF_GENERAL_ENGINE_H

#include "crossproof/engine.h"
#include "crossproof/general.h"

/* Reads the model keys and k, tau1, tau2, split from kv (keys must contain
 * CP_GENERAL_KEYS) into g and its double twin ga.  Returns 0, or -1 with a
 * one-line err naming the parameter (general.c's validation). */
int cp_general_engine_read(cp_general_approx *ga, cp_general_t g, const cp_kv *kv, const cp_key_spec *keys,
                           char *err);
/* Midpoints (rounded to double) of the certified population values: the
 * Bayes risk k E[1/(1 + q s)] + sigma^2 (G-4), the minimax tied-CA step
 * alpha*_gen (G-7), the best gamma of the gamma form (G-5). */
double cp_general_engine_bayes_risk(const cp_general_t g);
double cp_general_engine_alpha_star(const cp_general_t g);
double cp_general_engine_gamma(const cp_general_t g);

#endif
