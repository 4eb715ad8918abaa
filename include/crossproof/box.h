/* box.h -- parameter boxes: a quantity enclosed for EVERY parameter value
 * in a region (region claims, docs/model.md section 10).
 *
 * A box gives some rational keys an interval [lo, hi] (exact rationals) and
 * every other key a point (its text in kv, or the key spec's default).  A
 * quantity's eval_box (quantity.h) writes a ball that contains the
 * quantity's value at every point of the box; the claim language bisects a
 * box until the enclosures decide (src/claim.c). */
#ifndef CROSSPROOF_BOX_H
#define CROSSPROOF_BOX_H

#include "crossproof/arbcompat.h"
#include "crossproof/kv.h"
#include "crossproof/model.h"

#define CP_MAX_BOX_KEYS 8

typedef struct {
    char key[32];
    fmpq_t lo, hi;            /* lo <= hi */
} cp_box_range;

typedef struct {
    const cp_kv *kv;          /* the point keys (the boxed keys are absent) */
    int n;
    cp_box_range r[CP_MAX_BOX_KEYS];
} cp_box;

void cp_box_init(cp_box *b, const cp_kv *kv);
void cp_box_clear(cp_box *b);
/* Adds key in [lo, hi].  Returns 0, -1 when full or already present. */
int cp_box_add(cp_box *b, const char *key, const fmpq_t lo, const fmpq_t hi);
/* The range of key, or NULL when key is a point. */
const cp_box_range *cp_box_find(const cp_box *b, const char *key);
/* Replaces the ranges of dst (an initialised box) by those of src (same kv). */
void cp_box_copy(cp_box *dst, const cp_box *src);

/* Sets out to a ball containing every value of key in the box: [lo, hi]
 * when boxed, else the exact point (kv or the spec's default).  Returns 0,
 * or -1 with err (missing or malformed value). */
int cp_box_get_rat(arb_t out, const cp_box *b, const cp_key_spec *keys, const char *key,
                   slong prec, char *err);
/* 0 when every boxed key is named in the comma-separated list `allowed`;
 * else -1 with "KEY cannot be an interval for QUANTITY" in err. */
int cp_box_allow(const cp_box *b, const char *allowed, const char *quantity, char *err);

/* The model with ball-valued m_lo, m_hi and sigma. */
typedef struct {
    arb_t m_lo, m_hi, sigma;
    fmpq_t beta_a, beta_b;
    slong d1, d2, k;
    cp_prior_kind prior;
    cp_zeta_law zeta;
} cp_bmodel_struct;
typedef cp_bmodel_struct cp_bmodel_t[1];

void cp_bmodel_init(cp_bmodel_t m);
void cp_bmodel_clear(cp_bmodel_t m);
/* Reads the model keys of the box; every point of the box must be a valid
 * model (0 <= m_lo <= m_hi <= 10^6 at every point, sigma >= 0, ...), else
 * -1 with a one-line err naming the key. */
int cp_bmodel_from_box(cp_bmodel_t m, const cp_box *b, slong prec, char *err);

#endif
