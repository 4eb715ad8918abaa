/* test_box.c -- region forms of the quantities (box.h, eval_box of
 * quantity.h; docs/model.md, section 10).
 *
 * Oracles, independent of the region code:
 *  - the point evaluations (the exact point code of lsa.c, model.c, flow.c,
 *    at 256 bits) at corners and at random rational points of a box must
 *    lie in the box's enclosure (computed at 128 bits): a region form that
 *    misses part of its box fails here;
 *  - a degenerate box [p, p] must contain the point value;
 *  - bisection must shrink the enclosures (a region form that returned a
 *    huge valid ball everywhere would pass containment and fail here);
 *  - invalid regions and intervals on keys a quantity cannot take are
 *    errors naming the key.
 * Random points take their seed from CP_SEED (default below). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/box.h"
#include "crossproof/quantity.h"

#define TESTUTIL_SEED 1100202611ULL
#define TESTUTIL_BALL_DIGITS 20
#include "testutil.h"

typedef struct { const char *key, *lo, *hi; } rng;

#define PREC_BOX 128
#define PREC_PT 256

static const cp_quantity_def *q_of(const char *name)
{
    const cp_quantity_def *q = cp_quantity_lookup(name);
    if (q == NULL || q->eval_box == NULL)
        print_error("quantity %s has no eval_box\n", name);
    assert_non_null(q);
    assert_non_null(q->eval_box);
    return q;
}

/* kv from a NULL-terminated list of key, value pairs */
static void kv_from(cp_kv *kv, const char *const *pairs)
{
    cp_kv_init(kv, "");
    for (int i = 0; pairs && pairs[i]; i += 2)
        assert_int_equal(cp_kv_set(kv, pairs[i], pairs[i + 1], 0, 0), 0);
}

static int box_eval(arb_t res, const char *name, const char *const *pairs, const rng *r, int nr,
                    slong prec, char *err)
{
    cp_kv kv;
    cp_box b;
    fmpq_t lo, hi;
    int rc;
    kv_from(&kv, pairs);
    cp_box_init(&b, &kv);
    fmpq_init(lo);
    fmpq_init(hi);
    for (int i = 0; i < nr; i++) {
        assert_int_equal(cp_parse_rat(lo, r[i].lo), 0);
        assert_int_equal(cp_parse_rat(hi, r[i].hi), 0);
        assert_int_equal(cp_box_add(&b, r[i].key, lo, hi), 0);
    }
    err[0] = '\0';
    rc = q_of(name)->eval_box(res, &b, prec, err);
    fmpq_clear(lo);
    fmpq_clear(hi);
    cp_box_clear(&b);
    cp_kv_clear(&kv);
    return rc;
}

/* the point value with key r[i] = vals[i] */
static int point_eval(arb_t res, const char *name, const char *const *pairs, const rng *r, int nr,
                      fmpq *vals, char *err)
{
    cp_kv kv;
    int rc;
    kv_from(&kv, pairs);
    for (int i = 0; i < nr; i++) {
        char *s = fmpq_get_str(NULL, 10, vals + i);
        assert_int_equal(cp_kv_set(&kv, r[i].key, s, 0, 0), 0);
        flint_free(s);
    }
    rc = q_of(name)->eval(res, &kv, PREC_PT, err);
    cp_kv_clear(&kv);
    return rc;
}

static void print_case(const char *name, const char *const *pairs, const rng *r, int nr)
{
    print_error("  quantity %s", name);
    for (int i = 0; pairs && pairs[i]; i += 2)
        print_error(" %s=%s", pairs[i], pairs[i + 1]);
    for (int i = 0; i < nr; i++)
        print_error(" %s=[%s, %s]", r[i].key, r[i].lo, r[i].hi);
    print_error("\n");
}

/* The enclosure of the box must hold the point values at every corner and
 * at `interior` random rational points; returns the enclosure's radius. */
static double check_contains(const char *name, const char *const *pairs, const rng *r, int nr,
                             int interior)
{
    char err[CP_ERRLEN];
    arb_t e, p;
    fmpq *vals = _fmpq_vec_init(nr);
    fmpq_t lo, hi, t;
    double rad;
    arb_init(e);
    arb_init(p);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(t);
    int rc = box_eval(e, name, pairs, r, nr, PREC_BOX, err);
    if (rc != 0 || !arb_is_finite(e)) {
        print_case(name, pairs, r, nr);
        print_error("  box: rc %d, %s\n", rc, err);
        print_ball("enclosure", e);
    }
    assert_int_equal(rc, 0);
    assert_true(arb_is_finite(e));
    int npts = (1 << nr) + interior;
    for (int k = 0; k < npts; k++) {
        for (int i = 0; i < nr; i++) {
            cp_parse_rat(lo, r[i].lo);
            cp_parse_rat(hi, r[i].hi);
            if (k < (1 << nr))
                fmpq_set_si(t, (k >> i) & 1, 1);               /* a corner */
            else
                fmpq_set_si(t, (slong) (splitmix(&g_seed) % 97), 97);
            fmpq_sub(hi, hi, lo);
            fmpq_mul(hi, hi, t);
            fmpq_add(vals + i, lo, hi);
        }
        rc = point_eval(p, name, pairs, r, nr, vals, err);
        assert_int_equal(rc, 0);
        if (!arb_is_finite(p))
            continue;            /* the point code did not decide: no oracle here */
        if (!arb_contains_arf(e, arb_midref(p)) || !arb_overlaps(e, p)) {
            print_case(name, pairs, r, nr);
            for (int i = 0; i < nr; i++) {
                char *s = fmpq_get_str(NULL, 10, vals + i);
                print_error("  point %s = %s\n", r[i].key, s);
                flint_free(s);
            }
            print_ball("enclosure", e);
            print_ball("point value", p);
            fail();
        }
    }
    rad = mag_get_d(arb_radref(e));
    _fmpq_vec_clear(vals, nr);
    arb_clear(e);
    arb_clear(p);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(t);
    return rad;
}

static const char *const PRIORS[][5] = {
    { "prior", "uniform", NULL },
    { "prior", "twopoint", NULL },
    { "prior", "beta", "beta_a", "2", NULL },
};
#define NPRIORS 3

/* the quantities whose only interval keys are the model's */
static const char *const MODEL_Q[] = {
    "alpha-star", "rho-star", "bayes-risk", "lsa-gap", "lsa-gamma-avg", "lsa-excess-avg",
    "lsa-gamma-minimax", "lsa-excess-minimax", "ca-excess", "excess", NULL
};
/* the region forms restricted to the uniform and two-point priors */
static const char *const FLOW_Q[] = { "alpha-opt", "rate", NULL };

static const rng BOX_WIDE[] = { { "m_lo", "1/10", "1/2" }, { "m_hi", "2", "3" } };
static const rng BOX_SMALL[] = { { "m_lo", "1/2", "13/25" }, { "m_hi", "4", "41/10" } };
static const rng BOX_ZERO[] = { { "m_lo", "0", "1/5" }, { "m_hi", "1", "5/4" } };
static const rng BOX_DIAG[] = { { "m_lo", "1", "2" }, { "m_hi", "2", "3" } };

static void test_model_quantities_contain_points(void **state)
{
    (void) state;
    init_seed();
    for (int q = 0; MODEL_Q[q]; q++)
        for (int p = 0; p < NPRIORS; p++) {
            check_contains(MODEL_Q[q], PRIORS[p], BOX_WIDE, 2, 3);
            check_contains(MODEL_Q[q], PRIORS[p], BOX_SMALL, 2, 2);
            check_contains(MODEL_Q[q], PRIORS[p], BOX_ZERO, 2, 2);
            check_contains(MODEL_Q[q], PRIORS[p], BOX_DIAG, 2, 2);
        }
}

/* a degenerate box [p, p] holds the point value (the corner loop of
 * check_contains evaluates exactly p) */
static void test_degenerate_boxes(void **state)
{
    static const rng pt1[] = { { "m_lo", "1/2", "1/2" }, { "m_hi", "4", "4" } };
    static const rng pt2[] = { { "m_lo", "3/7", "3/7" }, { "m_hi", "3/7", "3/7" } };
    static const rng pt3[] = { { "m_lo", "0", "0" }, { "m_hi", "9", "9" } };
    (void) state;
    for (int q = 0; MODEL_Q[q]; q++)
        for (int p = 0; p < NPRIORS; p++) {
            check_contains(MODEL_Q[q], PRIORS[p], pt1, 2, 0);
            check_contains(MODEL_Q[q], PRIORS[p], pt2, 2, 0);
            if (strcmp(MODEL_Q[q], "lsa-gamma-avg") != 0)
                check_contains(MODEL_Q[q], PRIORS[p], pt3, 2, 0);
        }
}

/* non-model interval keys: sigma, gamma, alpha, beta, and point keys T */
static void test_other_interval_keys(void **state)
{
    static const rng sig[] = { { "m_lo", "1/4", "1/2" }, { "m_hi", "3", "4" }, { "sigma", "0", "1/2" } };
    static const rng gam[] = { { "m_lo", "1/4", "1/2" }, { "m_hi", "3", "4" }, { "gamma", "1/5", "3/10" } };
    static const rng alp[] = { { "m_lo", "1/4", "1/2" }, { "m_hi", "3", "4" }, { "alpha", "1/4", "3/10" } };
    static const rng alb[] = { { "m_lo", "1/4", "1/2" }, { "m_hi", "3", "4" },
                               { "alpha", "1/4", "3/10" }, { "beta", "-3/10", "-1/5" } };
    static const char *const t3[] = { "T", "3", NULL };
    static const char *const t12[] = { "T", "12", "prior", "twopoint", NULL };
    static const char *const b0[] = { "T", "4", "beta", "0", NULL };
    (void) state;
    g_seed = TESTUTIL_SEED;
    init_seed();
    check_contains("bayes-risk", NULL, sig, 3, 3);
    check_contains("lsa-excess-avg", NULL, gam, 3, 3);
    check_contains("lsa-excess-avg", PRIORS[2], gam, 3, 3);
    check_contains("ca-excess", t3, alp, 3, 3);
    check_contains("ca-excess", t12, alp, 3, 3);
    check_contains("ca-excess", t3, alb, 4, 3);
    check_contains("excess", t3, alb, 4, 3);
    check_contains("excess", b0, alp, 3, 3);
    check_contains("ca-excess", t12, BOX_WIDE, 2, 3);
}

/* alpha_T over a box: the point minimizers (certified by the point code's
 * own sign test) at corners and random rational points lie in the box's
 * enclosure; likewise T (alpha* - alpha_T) and c_inf. */
static void test_flow_minimizer_boxes(void **state)
{
    static const char *const Ts[] = { "1", "2", "7", "100", "1000", "10000" };
    static const char *const pri[] = { "uniform", "twopoint" };
    static const rng near[] = { { "m_lo", "1/2", "51/100" }, { "m_hi", "4", "401/100" } };
    static const rng sharp[] = { { "m_lo", "1/10", "1/10" }, { "m_hi", "9", "9" } };
    (void) state;
    g_seed = TESTUTIL_SEED + 1;
    init_seed();
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < 6; i++) {
            const char *const pairs[] = { "T", Ts[i], "prior", pri[p], NULL };
            int interior = i < 4 ? 6 : 2;
            check_contains("alpha-opt", pairs, BOX_WIDE, 2, interior);
            check_contains("alpha-opt", pairs, near, 2, 2);
            check_contains("alpha-opt", pairs, sharp, 2, 0);
            check_contains("rate", pairs, near, 2, 2);
            check_contains("rate", pairs, BOX_WIDE, 2, 2);
            if (i < 4) {
                static const rng ndiag[] = { { "m_lo", "1", "2" }, { "m_hi", "2", "21/10" } };
                static const rng ndiag2[] = { { "m_lo", "1/2", "3" }, { "m_hi", "3", "5" } };
                check_contains("alpha-opt", pairs, ndiag, 2, 8);
                check_contains("alpha-opt", pairs, ndiag2, 2, 8);
                check_contains("alpha-opt", pairs, BOX_DIAG, 2, 2);
                check_contains("alpha-opt", pairs, BOX_ZERO, 2, 2);
                check_contains("rate", pairs, BOX_DIAG, 2, 2);
            }
        }
    for (int i = 0; i < 3; i++) {
        static const char *const bT[] = { "1", "5", "20" };
        const char *const pairs[] = { "T", bT[i], "prior", "beta", "beta_a", "3", NULL };
        check_contains("alpha-opt", pairs, BOX_WIDE, 2, 2);
        check_contains("alpha-opt", pairs, near, 2, 2);
        check_contains("rate", pairs, near, 2, 1);
    }
    for (int p = 0; p < 2; p++) {
        const char *const pairs[] = { "prior", pri[p], NULL };
        check_contains("rate-limit", pairs, BOX_WIDE, 2, 3);
        check_contains("rate-limit", pairs, near, 2, 2);
    }
    {
        static const char *const beq[] = { "prior", "beta", "beta_a", "3", "beta_b", "3", NULL };
        check_contains("rate-limit", beq, BOX_WIDE, 2, 3);
    }
}

/* The two-parameter optimum (docs/model.md, section 13): on a degenerate box
 * and on a tiny box near (1/2, 4), at T = 5 and 10, both priors, the box
 * form decides (finite ball) and holds the point minimizers of cp_flow_opt2
 * (its own certificate, at 256 bits) at the corners and a random rational
 * point; the ratio enclosure is tight enough to tell |ratio + 1| from 1e-3
 * there (the point values are 1.2e-3 and 1.2e-4, docs/model.md (GF-5)). */
static void test_opt2_boxes(void **state)
{
    static const rng pt[] = { { "m_lo", "1/2", "1/2" }, { "m_hi", "4", "4" } };
    static const rng tiny[] = { { "m_lo", "1/2", "501/1000" }, { "m_hi", "4", "4001/1000" } };
    static const char *const qs[] = { "beta-opt", "ratio-opt", "alpha-opt2" };
    static const char *const Ts[] = { "5", "10" };
    static const char *const pri[] = { "uniform", "twopoint" };
    (void) state;
    g_seed = TESTUTIL_SEED + 7;
    init_seed();
    for (int q = 0; q < 3; q++)
        for (int i = 0; i < 2; i++)
            for (int p = 0; p < 2; p++) {
                const char *const pairs[] = { "T", Ts[i], "prior", pri[p], NULL };
                check_contains(qs[q], pairs, tiny, 2, 1);
                if (p == 0 || i == 0)
                    check_contains(qs[q], pairs, pt, 2, 0);
            }
    /* (BX-10): two-point, even T, exact formulas on a wide box against the
     * iterative point search (T > 2) */
    for (int q = 0; q < 3; q++)
        for (int i = 0; i < 3; i++) {
            static const char *const eT[] = { "4", "10", "20" };
            static const rng wide[] = { { "m_lo", "1/4", "1" }, { "m_hi", "3", "5" } };
            const char *const pairs[] = { "T", eT[i], "prior", "twopoint", NULL };
            check_contains(qs[q], pairs, wide, 2, 3);
        }
    /* (BX-9): two-point, odd T = 11 */
    for (int q = 0; q < 3; q++) {
        static const rng small[] = { { "m_lo", "1/2", "51/100" }, { "m_hi", "4", "401/100" } };
        static const char *const p11[] = { "T", "11", "prior", "twopoint", NULL };
        check_contains(qs[q], p11, small, 2, 2);
    }
    {
        static const char *const u10[] = { "T", "10", "prior", "uniform", NULL };
        char err[CP_ERRLEN];
        arb_t e, t;
        arb_init(e);
        arb_init(t);
        assert_int_equal(box_eval(e, "ratio-opt", u10, tiny, 2, PREC_BOX, err), 0);
        arb_add_ui(t, e, 1, PREC_BOX);
        arb_abs(t, t);
        arb_set_d(e, 1e-3);
        assert_true(arb_lt(t, e));           /* |ratio + 1| < 1e-3 on the box */
        arb_set_d(e, 1e-4);
        assert_false(arb_lt(t, e));          /* and not < 1e-4 (1.2e-4 at (1/2, 4)) */
        arb_clear(e);
        arb_clear(t);
    }
}

/* refusals: Beta prior, T < 2 */
static void test_opt2_refusals(void **state)
{
    static const char *const beta[] = { "T", "5", "prior", "beta", NULL };
    static const char *const t1[] = { "T", "1", NULL };
    static const rng tiny[] = { { "m_lo", "1/2", "501/1000" }, { "m_hi", "4", "4001/1000" } };
    char err[CP_ERRLEN];
    arb_t e;
    (void) state;
    arb_init(e);
    assert_int_equal(box_eval(e, "beta-opt", beta, tiny, 2, PREC_BOX, err), -1);
    assert_non_null(strstr(err, "prior"));
    assert_int_equal(box_eval(e, "ratio-opt", t1, tiny, 2, PREC_BOX, err), -1);
    assert_non_null(strstr(err, "T"));
    arb_clear(e);
}

/* the enclosure of T (alpha* - alpha_T) does not grow with T (it is
 * computed in delta = alpha* - a, not as a difference of two balls) */
static void test_rate_width_in_T(void **state)
{
    static const rng near[] = { { "m_lo", "1/2", "51/100" }, { "m_hi", "4", "401/100" } };
    char err[CP_ERRLEN];
    arb_t e1, e2;
    (void) state;
    arb_init(e1);
    arb_init(e2);
    static const char *const t10[] = { "T", "10", NULL };
    static const char *const t10k[] = { "T", "10000", NULL };
    assert_int_equal(box_eval(e1, "rate", t10, near, 2, PREC_BOX, err), 0);
    assert_int_equal(box_eval(e2, "rate", t10k, near, 2, PREC_BOX, err), 0);
    /* the naive ball alpha* - alpha_T would be about T * 0.01 * (d alpha* by d m), ~5 at T = 10^4 */
    if (!(arb_is_finite(e2) && mag_get_d(arb_radref(e2)) <= 2 * mag_get_d(arb_radref(e1)))) {
        print_ball("rate T=10", e1);
        print_ball("rate T=10^4", e2);
        fail();
    }
    /* and useful: radius below 10% of the value (the box's own spread is a few %) */
    assert_true(mag_get_d(arb_radref(e2)) < 0.1 * arf_get_d(arb_midref(e2), ARF_RND_NEAR));
    arb_clear(e1);
    arb_clear(e2);
}

/* radius of the enclosure over [lo0 + (lo1-lo0) k/2^j ...]: the sub-box of
 * BOX_WIDE at level j containing its centre-left corner */
static double sub_radius(const char *name, const char *const *pairs, int level)
{
    char err[CP_ERRLEN], l0[64], l1[64], h0[64], h1[64];
    arb_t e;
    /* m_lo in [1/10, 1/10 + 2/5 / 2^level], m_hi in [2, 2 + 1/2^level] */
    snprintf(l0, sizeof l0, "1/10");
    snprintf(l1, sizeof l1, "%ld/%ld", 5L * (1L << level) + 20, 50L * (1L << level));
    snprintf(h0, sizeof h0, "2");
    snprintf(h1, sizeof h1, "%ld/%ld", 2L * (1L << level) + 1, 1L << level);
    rng r[2] = { { "m_lo", l0, l1 }, { "m_hi", h0, h1 } };
    arb_init(e);
    assert_int_equal(box_eval(e, name, pairs, r, 2, PREC_BOX, err), 0);
    double rad = arb_is_finite(e) ? mag_get_d(arb_radref(e)) : 1e300;
    arb_clear(e);
    return rad;
}

static void test_bisection_shrinks(void **state)
{
    static const char *const t5[] = { "T", "5", NULL };
    static const char *const *const cases[] = { NULL, t5 };
    (void) state;
    for (int q = 0; MODEL_Q[q]; q++)
        for (int c = 0; c < 2; c++) {
            if (c == 1 && strncmp(MODEL_Q[q], "ca", 2) != 0 && strcmp(MODEL_Q[q], "excess") != 0)
                continue;
            double r0 = sub_radius(MODEL_Q[q], cases[c], 0);

            double r1 = sub_radius(MODEL_Q[q], cases[c], 1);
            double r4 = sub_radius(MODEL_Q[q], cases[c], 4);
            if (!(r1 <= r0 && r4 <= r0 / 4) || r4 <= 0) {
                print_error("  %s: radii %g (box), %g (half), %g (1/16)\n", MODEL_Q[q], r0, r1, r4);
                fail();
            }
        }
}

static void test_flow_bisection_shrinks(void **state)
{
    static const char *const pairs[][5] = { { "T", "5", NULL }, { "T", "300", "prior", "twopoint", NULL } };
    (void) state;
    for (int q = 0; FLOW_Q[q]; q++)
        for (int c = 0; c < 2; c++) {
            double r0 = sub_radius(FLOW_Q[q], pairs[c], 0);
            double r1 = sub_radius(FLOW_Q[q], pairs[c], 1);
            double r4 = sub_radius(FLOW_Q[q], pairs[c], 4);
            if (!(r1 <= r0 && r4 <= r0 / 4) || r4 <= 0) {
                print_error("  %s: radii %g (box), %g (half), %g (1/16)\n", FLOW_Q[q], r0, r1, r4);
                fail();
            }
        }
}

static void expect_error(const char *name, const char *const *pairs, const rng *r, int nr,
                         const char *needle)
{
    char err[CP_ERRLEN];
    arb_t e;
    arb_init(e);
    int rc = box_eval(e, name, pairs, r, nr, PREC_BOX, err);
    if (rc != -1 || strstr(err, needle) == NULL) {
        print_case(name, pairs, r, nr);
        print_error("  expected an error with '%s', got rc %d: %s\n", needle, rc, err);
        fail();
    }
    arb_clear(e);
}

static void test_invalid_boxes(void **state)
{
    static const rng cross[] = { { "m_lo", "1", "3" }, { "m_hi", "2", "5" } };
    static const rng neg[] = { { "m_lo", "-1/10", "1" }, { "m_hi", "2", "5" } };
    static const rng big[] = { { "m_lo", "1", "2" }, { "m_hi", "2", "1000001" } };
    static const rng sig[] = { { "m_lo", "1", "2" }, { "sigma", "-1", "1" } };
    static const rng lo_only[] = { { "m_lo", "1", "5" } };     /* m_hi = 4 (default) */
    static const rng gam[] = { { "gamma", "1/5", "3/10" } };
    static const rng alp[] = { { "alpha", "1/5", "3/10" } };
    static const rng tt[] = { { "T", "1", "3" } };
    static const char *const pt_lo[] = { "m_lo", "1/2", NULL };
    static const rng lo_dup[] = { { "m_lo", "1/4", "1/3" } };
    static const char *const badkey[] = { "m_low", "1", NULL };
    (void) state;
    for (int q = 0; MODEL_Q[q]; q++) {
        expect_error(MODEL_Q[q], NULL, cross, 2, "m_lo");
        expect_error(MODEL_Q[q], NULL, cross, 2, "m_lo > m_hi");
        expect_error(MODEL_Q[q], NULL, neg, 2, "m_lo");
        expect_error(MODEL_Q[q], NULL, big, 2, "m_hi");
        expect_error(MODEL_Q[q], NULL, sig, 2, "sigma");
        expect_error(MODEL_Q[q], NULL, lo_only, 1, "m_lo");
        expect_error(MODEL_Q[q], NULL, tt, 1, "T cannot be an interval");
        expect_error(MODEL_Q[q], pt_lo, lo_dup, 1, "m_lo");
        expect_error(MODEL_Q[q], badkey, BOX_WIDE, 2, "m_low");
        if (strcmp(MODEL_Q[q], "lsa-excess-avg") != 0)
            expect_error(MODEL_Q[q], NULL, gam, 1, "gamma cannot be an interval for");
        if (strstr(MODEL_Q[q], "excess") == NULL || strncmp(MODEL_Q[q], "lsa", 3) == 0)
            expect_error(MODEL_Q[q], NULL, alp, 1, "alpha cannot be an interval for");
    }
    for (int q = 0; FLOW_Q[q]; q++) {
        static const char *const beta[] = { "prior", "beta", "beta_b", "3/2", NULL };
        static const char *const beta33[] = { "prior", "beta", "T", "33", NULL };
        expect_error(FLOW_Q[q], beta33, BOX_WIDE, 2, "T <= 32");
        static const rng hi0[] = { { "m_lo", "0", "0" }, { "m_hi", "0", "1" } };
        expect_error(FLOW_Q[q], NULL, cross, 2, "m_lo > m_hi");
        expect_error(FLOW_Q[q], NULL, neg, 2, "m_lo");
        expect_error(FLOW_Q[q], NULL, tt, 1, "T cannot be an interval");
        expect_error(FLOW_Q[q], NULL, alp, 1, "alpha cannot be an interval");
        expect_error(FLOW_Q[q], beta, BOX_WIDE, 2, "prior");
        expect_error(FLOW_Q[q], NULL, hi0, 2, "m_hi");
    }
    expect_error("rate-limit", NULL, BOX_DIAG, 2, "m_lo < m_hi");
    expect_error("rate-limit", NULL, BOX_ZERO, 2, "m_lo > 0");
    {
        static const char *const untied[] = { "alphas", "1/4,1/3", NULL };
        expect_error("excess", untied, BOX_WIDE, 2, "alphas");
        static const char *const frac[] = { "prior", "beta", "beta_a", "1/2", NULL };
        expect_error("ca-excess", frac, BOX_WIDE, 2, "prior");
    }
}

/* box.c itself */
static void test_box_api(void **state)
{
    cp_kv kv;
    cp_box b, c;
    fmpq_t lo, hi;
    arb_t x;
    char err[CP_ERRLEN];
    static const cp_key_spec keys[] = {
        { "m_lo", CP_KEY_RAT, "1/2", "" }, { "alpha", CP_KEY_RAT, "alpha*", "" },
        { "beta", CP_KEY_RAT, "-1/3", "" }, CP_KEY_END
    };
    (void) state;
    cp_kv_init(&kv, "f.md");
    cp_kv_set(&kv, "m_lo", "1/4", 7, 0);
    cp_box_init(&b, &kv);
    cp_box_init(&c, &kv);
    fmpq_init(lo);
    fmpq_init(hi);
    arb_init(x);
    fmpq_set_si(lo, 1, 3);
    fmpq_set_si(hi, 1, 2);
    assert_int_equal(cp_box_add(&b, "gamma", lo, hi), 0);
    assert_int_equal(cp_box_add(&b, "gamma", lo, hi), -1);        /* already present */
    assert_int_equal(cp_box_add(&b, "delta", hi, lo), -1);        /* lo > hi */
    assert_non_null(cp_box_find(&b, "gamma"));
    assert_null(cp_box_find(&b, "m_lo"));
    /* boxed: a ball holding both ends, exactly */
    assert_int_equal(cp_box_get_rat(x, &b, keys, "gamma", 64, err), 0);
    {
        arb_t e, t;
        arb_init(e);
        arb_init(t);
        cp_box_get_rat(e, &b, keys, "gamma", 64, err);
        arb_set_fmpq(t, lo, 200);
        assert_true(arb_contains(e, t));
        arb_set_fmpq(t, hi, 200);
        assert_true(arb_contains(e, t));
        /* a point key from kv, a default number, a default word (error) */
        assert_int_equal(cp_box_get_rat(e, &b, keys, "m_lo", 64, err), 0);
        fmpq_set_si(lo, 1, 4);
        arb_set_fmpq(t, lo, 200);
        assert_true(arb_contains(e, t));
        assert_int_equal(cp_box_get_rat(e, &b, keys, "beta", 64, err), 0);
        fmpq_set_si(lo, -1, 3);
        arb_set_fmpq(t, lo, 200);
        assert_true(arb_contains(e, t));
        assert_int_equal(cp_box_get_rat(e, &b, keys, "alpha", 64, err), -1);
        arb_clear(e);
        arb_clear(t);
    }
    assert_int_equal(cp_box_allow(&b, "m_lo,gamma", "q", err), 0);
    assert_int_equal(cp_box_allow(&b, "m_lo,gam", "q", err), -1);
    assert_string_equal(err, "gamma cannot be an interval for q");
    assert_int_equal(cp_box_allow(&b, "gammas", "q", err), -1);
    cp_box_copy(&c, &b);
    assert_int_equal(c.n, 1);
    assert_true(fmpq_equal(c.r[0].hi, b.r[0].hi));
    for (int i = 0; i < CP_MAX_BOX_KEYS - 1; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(cp_box_add(&b, k, lo, lo), 0);
    }
    assert_int_equal(cp_box_add(&b, "full", lo, lo), -1);
    cp_box_clear(&b);
    cp_box_clear(&c);
    /* a point key's error names its line */
    {
        cp_bmodel_t m;
        cp_bmodel_init(m);
        cp_kv_set(&kv, "sigma", "-1", 9, 0);
        cp_box_init(&b, &kv);
        assert_int_equal(cp_bmodel_from_box(m, &b, 64, err), -1);
        assert_string_equal(err, "f.md:9: the region holds points with sigma < 0");
        fmpq_set_si(lo, 0, 1);
        fmpq_set_si(hi, 1, 1);
        cp_kv_set(&kv, "sigma", "1", 9, 1);
        assert_int_equal(cp_box_add(&b, "m_hi", lo, hi), 0);
        assert_int_equal(cp_bmodel_from_box(m, &b, 64, err), -1);  /* m_lo = 1/4 > 0 */
        assert_true(strstr(err, "m_lo") != NULL);
        cp_box_clear(&b);
        fmpq_set_si(lo, 1, 1);
        fmpq_set_si(hi, 2, 1);
        assert_int_equal(cp_box_add(&b, "m_hi", lo, hi), 0);
        assert_int_equal(cp_bmodel_from_box(m, &b, 64, err), 0);
        fmpq_set_si(lo, 3, 2);
        arb_set_fmpq(x, lo, 64);
        assert_true(arb_contains(m->m_hi, x));
        assert_false(arb_contains(m->m_lo, x));
        cp_box_clear(&b);
        cp_bmodel_clear(m);
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    arb_clear(x);
    cp_kv_clear(&kv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_box_api),
        cmocka_unit_test(test_model_quantities_contain_points),
        cmocka_unit_test(test_degenerate_boxes),
        cmocka_unit_test(test_other_interval_keys),
        cmocka_unit_test(test_bisection_shrinks),
        cmocka_unit_test(test_flow_minimizer_boxes),
        cmocka_unit_test(test_rate_width_in_T),
        cmocka_unit_test(test_flow_bisection_shrinks),
        cmocka_unit_test(test_invalid_boxes),
        cmocka_unit_test(test_opt2_boxes),
        cmocka_unit_test(test_opt2_refusals),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
