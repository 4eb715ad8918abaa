/* boxq.h -- helpers of the region forms (eval_box) of the quantities
 * (docs/model.md, section 10).  Internal to the core: src/box.c,
 * src/quantities_box.c, src/flow_box.c. */
#ifndef CROSSPROOF_BOXQ_H
#define CROSSPROOF_BOXQ_H

#include "crossproof/box.h"

/* The range [lo, hi] of a rational key: the box's range, or the point
 * (kv or the spec's default) twice.  Returns 0 or -1 with err. */
int cp_box_get_range(fmpq_t lo, fmpq_t hi, const cp_box *b, const cp_key_spec *keys,
                     const char *key, char *err);
/* 1 when every range of the box is a single point. */
int cp_box_is_point(const cp_box *b);

/* The model keys of a box as exact ranges: index 0 the smallest value, 1
 * the largest.  pt holds the point keys (prior, shapes, dimensions, zeta);
 * cp_boxm_corner sets its m_lo, m_hi, sigma to a corner of the box. */
typedef struct {
    fmpq_t lo[2], hi[2], sg[2];
    cp_model_t pt;
} cp_boxm;

void cp_boxm_init(cp_boxm *bm);
void cp_boxm_clear(cp_boxm *bm);
/* Reads and validates (every point of the box a valid model, as
 * cp_bmodel_from_box).  Returns 0 or -1 with err. */
int cp_boxm_from_box(cp_boxm *bm, const cp_box *b, char *err);
/* pt := the corner (m_lo = lo[ilo], m_hi = hi[ihi], sigma = sg[isg]). */
const cp_model_struct *cp_boxm_corner(cp_boxm *bm, int ilo, int ihi, int isg);
/* The ball [v0, v1] of two exact ends. */
void cp_arb_set_fmpq_interval(arb_t res, const fmpq_t v0, const fmpq_t v1, slong prec);
/* res := a ball holding every value of x and of y. */
void cp_arb_hull(arb_t res, const arb_t x, const arb_t y, slong prec);

/* E_s[f(s)] for every model of the box: s = lo + (hi - lo) x with ball
 * lo, hi (docs/model.md (BX-2)).  Returns 0, or -1 for a Beta prior with a
 * non-integer shape (not implemented). */
int cp_boxm_expect(arb_t res, const cp_boxm *bm, cp_sfunc f, void *param, slong prec);

/* C(j, k) = E[(1 - 1/lambda) lambda^j w^k], w = 1 + gamma lambda (GF-1),
 * for EVERY model with 1 + m_lo in la, 1 + m_hi in lb and m_hi - m_lo in
 * dl (docs/model.md (BX-8); src/flow.c).  Uniform (dl > 0, gamma != 0, and
 * gamma < 0 for the 1/lambda moment) and two-point priors; returns 0, or -1
 * with res indeterminate otherwise. */
int cp_flow_cmoment_box(arb_t res, cp_prior_kind prior, const arb_t la, const arb_t lb, const arb_t dl,
                        int j, ulong k, const arb_t gamma, slong prec);

/* The region forms of the quantities (wired into the tables). */
int cp_qbox_alpha_star(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_rho_star(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_bayes_risk(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_lsa_gamma_avg(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_lsa_excess_avg(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_lsa_gamma_minimax(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_lsa_excess_minimax(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_lsa_gap(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_ca_excess(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_excess(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_alpha_opt(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_rate(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_rate_limit(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_alpha_opt2(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_beta_opt(arb_t res, const cp_box *box, slong prec, char *err);
int cp_qbox_ratio_opt(arb_t res, const cp_box *box, slong prec, char *err);

/* Shared by the quantity tables: validates the point keys against keys,
 * the boxed keys against `allowed`, and reads the model of the box. */
int cp_qbox_load(cp_boxm *bm, const cp_box *b, const cp_key_spec *keys, const char *allowed,
                 const char *name, char *err);

#endif
