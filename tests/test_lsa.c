/* test_lsa.c -- certified model and LSA quantities (model.h, lsa.h) and the
 * soundness of the LSA checks (checks/lsa_impossibility.c) through the real
 * runner.
 *
 * Oracles, each independent of the code under test:
 *  - exact rationals derived by hand (alpha*, rho*, 27/100, 13/30, 1/144,
 *    1/225; derivations in the comments);
 *  - the same number by a different method: closed form (log, 2F1) against
 *    rigorous integration; moments against integration; the ternary-search
 *    minimax against the closed-form two-task bound; the full (d+1)x(d+1)
 *    matrix product with an exact linear solve against the reduced formula;
 *  - higher precision (64 bits must contain 1024 bits);
 *  - the double twins against the balls.
 * Soundness: every claim type has a wrong twin that must not be CERTIFIED,
 * and a true twin that must be, so each test can fail both ways.
 * Randomized tests take their seed from CP_SEED (default below), print it,
 * and print every input on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/check.h"
#include "crossproof/lsa.h"
#include "crossproof/model.h"

#define TESTUTIL_SEED 2602048720ULL /* default seed; CP_SEED overrides it */
#define TESTUTIL_BALL_DIGITS 25
#include "testutil.h"

static double unif01(uint64_t *st) { return (double) (splitmix(st) >> 11) / 9007199254740992.0; }

/* a random positive rational num/den, num in [1, 400], den in [1, 64] */
static void rand_rat(fmpq_t q, uint64_t *st)
{
    fmpq_set_si(q, 1 + (slong) (splitmix(st) % 400), 1 + splitmix(st) % 64);
}

/* random 0 < lo < hi */
static void rand_support(cp_model_t m, uint64_t *st)
{
    do {
        rand_rat(m->m_lo, st);
        rand_rat(m->m_hi, st);
    } while (fmpq_equal(m->m_lo, m->m_hi));
    if (fmpq_cmp(m->m_lo, m->m_hi) > 0)
        fmpq_swap(m->m_lo, m->m_hi);
}

/* --- exact rationals --------------------------------------------------- */

static void test_alpha_rho_exact(void **state)
{
    (void) state;
    cp_model_t m;
    fmpq_t r, w, t;
    cp_model_init(m);
    fmpq_init(r); fmpq_init(w); fmpq_init(t);
    /* m_lo = 1/2, m_hi = 4: 2 + 9/2 = 13/2, alpha* = 4/13, rho* = (7/2)/(13/2) = 7/13 */
    set_model(m, 1, 2, 4, 1, CP_PRIOR_UNIFORM);
    cp_alpha_star(r, m);
    fmpq_set_si(w, 4, 13);
    assert_true(fmpq_equal(r, w));
    cp_rho_star(r, m);
    fmpq_set_si(w, 7, 13);
    assert_true(fmpq_equal(r, w));
    /* m_lo = 1/10, m_hi = 1/3: 2 + 13/30 = 73/30, alpha* = 60/73, rho* = (7/30)/(73/30) = 7/73 */
    set_model(m, 1, 10, 1, 3, CP_PRIOR_UNIFORM);
    cp_alpha_star(r, m);
    fmpq_set_si(w, 60, 73);
    assert_true(fmpq_equal(r, w));
    cp_rho_star(r, m);
    fmpq_set_si(w, 7, 73);
    assert_true(fmpq_equal(r, w));
    /* m_lo = m_hi = 2: alpha* = 1/3, rho* = 0 */
    set_model(m, 2, 1, 2, 1, CP_PRIOR_UNIFORM);
    cp_alpha_star(r, m);
    fmpq_set_si(w, 1, 3);
    assert_true(fmpq_equal(r, w));
    cp_rho_star(r, m);
    assert_true(fmpq_is_zero(r));

    /* random: alpha* is the minimax Richardson step, so the contraction at
     * both ends of the spectrum [1 + m_lo, 1 + m_hi] is rho*:
     * 1 - alpha* (1 + m_lo) = rho* = alpha* (1 + m_hi) - 1 */
    uint64_t st = g_seed;
    for (int it = 0; it < 200; it++) {
        rand_support(m, &st);
        cp_alpha_star(r, m);
        cp_rho_star(w, m);
        fmpq_add_si(t, m->m_lo, 1);
        fmpq_mul(t, t, r);
        fmpq_sub_si(t, t, 1);
        fmpq_neg(t, t);
        int ok1 = fmpq_equal(t, w);
        fmpq_add_si(t, m->m_hi, 1);
        fmpq_mul(t, t, r);
        fmpq_sub_si(t, t, 1);
        int ok2 = fmpq_equal(t, w);
        if (!ok1 || !ok2)
            print_model("alpha*/rho* contraction identity", m);
        assert_true(ok1 && ok2);
    }
    fmpq_clear(r); fmpq_clear(w); fmpq_clear(t);
    cp_model_clear(m);
}

/* Uniform prior on [1/2, 4], by hand:
 *   E s = 9/4;  E s^2 = (4^3 - (1/2)^3)/(3 * 7/2) = (511/8)(2/21) = 73/12;
 *   E s(1+s) = 9/4 + 73/12 = 25/3;  gamma_avg = (9/4)/(25/3) = 27/100;
 *   E[1/(1+s)] = ln(5/(3/2))/(7/2) = (2/7) ln(10/3);
 *   excess_avg = 1 - (2/7) ln(10/3) - (9/4)^2/(25/3) = 1 - (2/7) ln(10/3) - 243/400. */
static void test_gamma_avg_exact(void **state)
{
    (void) state;
    cp_model_t m;
    arb_t x, o, t;
    fmpq_t q;
    cp_model_init(m);
    arb_init(x); arb_init(o); arb_init(t);
    fmpq_init(q);
    set_model(m, 1, 2, 4, 1, CP_PRIOR_UNIFORM);
    for (slong prec = 64; prec <= 1024; prec *= 4) {
        cp_lsa_gamma_avg(x, m, prec);
        fmpq_set_si(q, 27, 100);
        if (!arb_contains_fmpq(x, q))
            print_ball("gamma_avg", x);
        assert_true(arb_contains_fmpq(x, q));
        assert_true(arb_rel_accuracy_bits(x) > prec - 10);
        cp_prior_moment(x, m, 1, prec);
        fmpq_set_si(q, 9, 4);
        assert_true(arb_contains_fmpq(x, q));
        cp_prior_moment(x, m, 2, prec);
        fmpq_set_si(q, 73, 12);
        assert_true(arb_contains_fmpq(x, q));

        /* (2/7) ln(10/3) */
        fmpq_set_si(q, 10, 3);
        arb_set_fmpq(o, q, prec + 20);
        arb_log(o, o, prec + 20);
        arb_mul_ui(o, o, 2, prec + 20);
        arb_div_ui(o, o, 7, prec + 20);
        cp_bayes_risk(x, m, prec);
        if (!arb_overlaps(x, o)) {
            print_ball("bayes_risk", x);
            print_ball("oracle", o);
        }
        assert_true(arb_overlaps(x, o));
        /* excess_avg = 1 - (2/7) ln(10/3) - 243/400 */
        fmpq_set_si(q, 157, 400);
        arb_set_fmpq(t, q, prec + 20);
        arb_sub(o, t, o, prec + 20);
        cp_lsa_excess_avg(x, m, prec);
        if (!arb_overlaps(x, o)) {
            print_ball("excess_avg", x);
            print_ball("oracle", o);
        }
        assert_true(arb_overlaps(x, o));
        /* the excess at gamma = 27/100 through the quadratic is the same number */
        fmpq_set_si(q, 27, 100);
        arb_set_fmpq(t, q, prec);
        cp_lsa_gamma_excess_avg(x, m, t, prec);
        assert_true(arb_overlaps(x, o));
    }
    /* two-point prior on {1/2, 4}: E[1/(1+s)] = (2/3 + 1/5)/2 = 13/30 */
    m->prior = CP_PRIOR_TWOPOINT;
    cp_prior_mean_inv1ps(x, m, 64);
    fmpq_set_si(q, 13, 30);
    assert_true(arb_contains_fmpq(x, q));
    /* E s = 9/4, E s(1+s) = (3/4 + 20)/2 = 83/8, gamma_avg = (9/4)/(83/8) = 18/83 */
    cp_lsa_gamma_avg(x, m, 64);
    fmpq_set_si(q, 18, 83);
    assert_true(arb_contains_fmpq(x, q));
    fmpq_clear(q);
    arb_clear(x); arb_clear(o); arb_clear(t);
    cp_model_clear(m);
}

/* --- containment: 64 bits contains 1024 bits ---------------------------- */

typedef void (*qfun)(arb_t res, const cp_model_t m, slong prec);

static void q_bayes(arb_t r, const cp_model_t m, slong p) { cp_bayes_risk(r, m, p); }
static void q_gavg(arb_t r, const cp_model_t m, slong p) { cp_lsa_gamma_avg(r, m, p); }
static void q_eavg(arb_t r, const cp_model_t m, slong p) { cp_lsa_excess_avg(r, m, p); }
static void q_gap(arb_t r, const cp_model_t m, slong p) { cp_lsa_gap(r, m, p); }
static void q_inv(arb_t r, const cp_model_t m, slong p) { cp_prior_mean_inv1ps(r, m, p); }
static void q_mmg(arb_t r, const cp_model_t m, slong p)
{
    arb_t v;
    arb_init(v);
    cp_lsa_gamma_minimax(r, v, m, p);
    arb_clear(v);
}
static void q_mmv(arb_t r, const cp_model_t m, slong p)
{
    arb_t g;
    arb_init(g);
    cp_lsa_gamma_minimax(g, r, m, p);
    arb_clear(g);
}
static void q_worst(arb_t r, const cp_model_t m, slong p)
{
    arb_t g;
    arb_init(g);
    arb_set_ui(g, 1);
    arb_div_ui(g, g, 3, p);
    cp_lsa_gamma_worst(r, m, g, p);
    arb_clear(g);
}
static void q_ca(arb_t r, const cp_model_t m, slong p)
{
    fmpq_t a;
    arb_t al, be;
    fmpq_init(a);
    arb_init(al); arb_init(be);
    cp_alpha_star(a, m);
    arb_set_fmpq(al, a, p);
    arb_neg(be, al);
    cp_ca_excess(r, m, al, be, 5, p);
    fmpq_clear(a);
    arb_clear(al); arb_clear(be);
}

static void test_containment(void **state)
{
    (void) state;
    static const struct { const char *name; qfun f; } qs[] = {
        { "bayes-risk", q_bayes }, { "lsa-gamma-avg", q_gavg }, { "lsa-excess-avg", q_eavg },
        { "lsa-gap", q_gap }, { "mean-inv1ps", q_inv }, { "lsa-gamma-minimax", q_mmg },
        { "lsa-excess-minimax", q_mmv }, { "gamma-worst(1/3)", q_worst }, { "ca-excess(T=5)", q_ca },
    };
    cp_model_t m;
    arb_t lo, hi;
    uint64_t st = g_seed + 1;
    cp_model_init(m);
    arb_init(lo); arb_init(hi);
    for (int it = 0; it < 6; it++) {
        set_model(m, 1, 2, 4, 1, (cp_prior_kind) (it % 3));
        if (it > 0)
            rand_support(m, &st);
        if (it == 5) {          /* a Beta shape below 1 */
            fmpq_set_si(m->beta_a, 1, 2);
            fmpq_set_si(m->beta_b, 3, 2);
        }
        fmpq_set_si(m->sigma, 3, 10);
        for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
            /* integration against a Beta shape below 1 costs seconds at 1024
             * bits (the singular end needs ~2 prec/shape bisections): 320 there */
            slong hp = (it == 5 && qs[k].f == q_ca) ? 320 : 1024;
            qs[k].f(lo, m, 64);
            qs[k].f(hi, m, hp);
            int ok = arb_is_finite(lo) && arb_contains(lo, hi) && arb_rel_accuracy_bits(hi) > hp - 124;
            if (!ok) {
                print_model(qs[k].name, m);
                print_ball("64 bits", lo);
                print_ball("1024 bits", hi);
            }
            assert_true(ok);
        }
    }
    arb_clear(lo); arb_clear(hi);
    cp_model_clear(m);
}

/* --- E[1/(1+s)]: closed form against rigorous integration --------------- */

static int inv1ps_f(acb_ptr res, const acb_t s, void *param, slong order, slong prec)
{
    (void) param;
    (void) order;   /* meromorphic, pole at s = -1 only, outside the support */
    acb_add_ui(res, s, 1, prec);
    acb_inv(res, res, prec);
    return 0;
}

static void test_inv1ps_two_methods(void **state)
{
    (void) state;
    static const struct { cp_prior_kind p; slong an, ad, bn, bd; } cases[] = {
        { CP_PRIOR_UNIFORM, 2, 1, 2, 1 },  { CP_PRIOR_BETA, 2, 1, 3, 1 },
        { CP_PRIOR_BETA, 1, 2, 3, 2 },     { CP_PRIOR_TWOPOINT, 2, 1, 2, 1 },
        { CP_PRIOR_BETA, 1, 1, 1, 1 },     { CP_PRIOR_BETA, 3, 1, 1, 2 },
        { CP_PRIOR_BETA, 1, 3, 1, 4 },     { CP_PRIOR_BETA, 7, 2, 5, 3 },
    };
    cp_model_t m;
    arb_t a, b;
    uint64_t st = g_seed + 2;
    cp_model_init(m);
    arb_init(a); arb_init(b);
    for (int it = 0; it < 3; it++) {
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            set_model(m, 1, 2, 4, 1, cases[k].p);
            if (it > 0)
                rand_support(m, &st);
            fmpq_set_si(m->beta_a, cases[k].an, cases[k].ad);
            fmpq_set_si(m->beta_b, cases[k].bn, cases[k].bd);
            slong prec = it == 2 ? 128 : 64;
            cp_prior_mean_inv1ps(a, m, prec);
            cp_prior_expect(b, m, inv1ps_f, NULL, prec);
            /* both enclosures must be tight (finite, informative) and overlap */
            int ok = arb_overlaps(a, b) && arb_rel_accuracy_bits(a) > prec - 16
                     && arb_rel_accuracy_bits(b) > prec - 24;
            if (!ok) {
                print_model("E[1/(1+s)] closed form vs integration", m);
                print_ball("closed form", a);
                print_ball("integration", b);
            }
            assert_true(ok);
        }
    }
    /* Beta(1, 1) is the uniform prior: same moments (exact) and same mean */
    for (int it = 0; it < 10; it++) {
        rand_support(m, &st);
        fmpq_set_si(m->beta_a, 1, 1);
        fmpq_set_si(m->beta_b, 1, 1);
        for (ulong k = 1; k <= 4; k++) {
            m->prior = CP_PRIOR_BETA;
            cp_prior_moment(a, m, k, 128);
            m->prior = CP_PRIOR_UNIFORM;
            cp_prior_moment(b, m, k, 128);
            if (!arb_equal(a, b))
                print_model("Beta(1,1) moment", m);
            assert_true(arb_equal(a, b));
        }
        m->prior = CP_PRIOR_BETA;
        cp_prior_mean_inv1ps(a, m, 128);
        m->prior = CP_PRIOR_UNIFORM;
        cp_prior_mean_inv1ps(b, m, 128);
        if (!arb_overlaps(a, b))
            print_model("Beta(1,1) vs uniform mean", m);
        assert_true(arb_overlaps(a, b));
    }
    arb_clear(a); arb_clear(b);
    cp_model_clear(m);
}

/* --- lsa-gap ----------------------------------------------------------- */

/* Independent closed form of the two-task bound: with Q_i = sqrt(s_i (1+s_i)),
 *   c = s1 s2 (s2 - s1)^2 / ((1+s1)(1+s2)(Q1 + Q2)^2)
 * (multiply numerator and denominator of [p r (s2-s1)/(p l1 + r l2)]^2 by
 * l1 l2; p l1 = Q1, r l2 = Q2, p^2 r^2 l1 l2 = s1 s2). */
static void gap_oracle(arb_t res, const fmpq_t s1, const fmpq_t s2, slong prec)
{
    fmpq_t t;
    arb_t q1, q2, den;
    fmpq_init(t);
    arb_init(q1); arb_init(q2); arb_init(den);
    fmpq_add_si(t, s1, 1);
    fmpq_mul(t, t, s1);
    arb_set_fmpq(q1, t, prec);
    arb_sqrt(q1, q1, prec);
    fmpq_add_si(t, s2, 1);
    fmpq_mul(t, t, s2);
    arb_set_fmpq(q2, t, prec);
    arb_sqrt(q2, q2, prec);
    arb_add(den, q1, q2, prec);
    arb_sqr(den, den, prec);
    fmpq_add_si(t, s1, 1);
    arb_mul_fmpz(den, den, fmpq_numref(t), prec);
    arb_div_fmpz(den, den, fmpq_denref(t), prec);
    fmpq_add_si(t, s2, 1);
    arb_mul_fmpz(den, den, fmpq_numref(t), prec);
    arb_div_fmpz(den, den, fmpq_denref(t), prec);
    fmpq_sub(t, s2, s1);
    fmpq_mul(t, t, t);
    fmpq_mul(t, t, s1);
    fmpq_mul(t, t, s2);
    arb_set_fmpq(res, t, prec);
    arb_div(res, res, den, prec);
    fmpq_clear(t);
    arb_clear(q1); arb_clear(q2); arb_clear(den);
}

static void test_gap_exact(void **state)
{
    (void) state;
    cp_model_t m;
    arb_t x;
    fmpq_t q;
    cp_model_init(m);
    arb_init(x);
    fmpq_init(q);
    /* s(1+s) a square makes c rational:
     * s1 = 1/3 (Q1 = 2/3), s2 = 4/5 (Q2 = 6/5): c = (4/15)(49/225)/((12/5)(784/225)) = 1/144;
     * s1 = 1/8 (Q1 = 3/8), s2 = 9/16 (Q2 = 15/16): c = (9/128)(49/256)/((225/128)(441/256)) = 1/225. */
    set_model(m, 1, 3, 4, 5, CP_PRIOR_UNIFORM);
    cp_lsa_gap(x, m, 64);
    fmpq_set_si(q, 1, 144);
    if (!arb_contains_fmpq(x, q))
        print_ball("gap(1/3, 4/5)", x);
    assert_true(arb_contains_fmpq(x, q));
    set_model(m, 1, 8, 9, 16, CP_PRIOR_UNIFORM);
    cp_lsa_gap(x, m, 256);
    fmpq_set_si(q, 1, 225);
    assert_true(arb_contains_fmpq(x, q));
    assert_true(arb_rel_accuracy_bits(x) > 240);
    /* the gamma form at eta* attains c on both tasks: 1/144 again */
    {
        arb_t s1, s2, c, eta, g;
        arb_init(s1); arb_init(s2); arb_init(c); arb_init(eta); arb_init(g);
        arb_set_ui(s1, 1); arb_div_ui(s1, s1, 3, 128);
        arb_set_ui(s2, 4); arb_div_ui(s2, s2, 5, 128);
        cp_lsa_pair_bound(c, eta, s1, s2, 128);
        fmpq_set_si(q, 1, 144);
        cp_lsa_gamma_task_excess(g, s1, eta, 128);
        assert_true(arb_contains_fmpq(g, q));
        cp_lsa_gamma_task_excess(g, s2, eta, 128);
        assert_true(arb_contains_fmpq(g, q));
        /* eta* = (p + r)/(p l1 + r l2) with p = 1/2, r = 2/3: (7/6)/(2/3 + 6/5) = 5/8 */
        fmpq_set_si(q, 5, 8);
        assert_true(arb_contains_fmpq(eta, q));
        arb_clear(s1); arb_clear(s2); arb_clear(c); arb_clear(eta); arb_clear(g);
    }
    /* m_lo = m_hi: exactly zero, for every prior; m_lo = 0 too (p = 0) */
    for (int k = 0; k < 3; k++) {
        set_model(m, 2, 1, 2, 1, (cp_prior_kind) k);
        cp_lsa_gap(x, m, 64);
        assert_true(arb_is_zero(x));
        set_model(m, 7, 3, 7, 3, (cp_prior_kind) k);
        cp_lsa_gap(x, m, 64);
        assert_true(arb_is_zero(x));
        set_model(m, 0, 1, 5, 1, (cp_prior_kind) k);
        cp_lsa_gap(x, m, 64);
        assert_true(arb_is_zero(x));
    }
    fmpq_clear(q);
    arb_clear(x);
    cp_model_clear(m);
}

/* Property over random 0 < m_lo < m_hi:
 *  - lsa-gap is certified positive and overlaps the independent closed form;
 *  - it overlaps the two-point-prior gamma minimax value (ternary search);
 *  - it is not above the uniform-prior minimax value (a larger support);
 *  - the double twin agrees. */
static void test_gap_property(void **state)
{
    (void) state;
    cp_model_t m;
    arb_t c, o, g, v2, vu;
    uint64_t st = g_seed + 3;
    cp_model_init(m);
    arb_init(c); arb_init(o); arb_init(g); arb_init(v2); arb_init(vu);
    for (int it = 0; it < 40; it++) {
        set_model(m, 1, 2, 4, 1, CP_PRIOR_UNIFORM);
        if (it > 0)
            rand_support(m, &st);
        if (it == 1) {          /* a narrow interval */
            fmpq_set_si(m->m_lo, 1, 1);
            fmpq_set_si(m->m_hi, 101, 100);
        }
        slong prec = 128;
        cp_lsa_gap(c, m, prec);
        gap_oracle(o, m->m_lo, m->m_hi, prec);
        m->prior = CP_PRIOR_TWOPOINT;
        cp_lsa_gamma_minimax(g, v2, m, prec);
        m->prior = CP_PRIOR_UNIFORM;
        cp_lsa_gamma_minimax(g, vu, m, prec);
        double cd = cp_lsa_gap_approx(fmpq_get_d(m->m_lo), fmpq_get_d(m->m_hi)).approx;
        double cm = arf_get_d(arb_midref(c), ARF_RND_NEAR);
        int ok = arb_is_positive(c) && arb_overlaps(c, o) && arb_overlaps(c, v2)
                 && !arb_gt(c, vu) && fabs(cd - cm) <= 1e-10 * cm;
        if (!ok) {
            print_model("lsa-gap property", m);
            print_ball("lsa-gap", c);
            print_ball("closed-form oracle", o);
            print_ball("two-point minimax", v2);
            print_ball("uniform minimax", vu);
            print_error("  double twin = %.17g\n", cd);
        }
        assert_true(ok);
    }
    arb_clear(c); arb_clear(o); arb_clear(g); arb_clear(v2); arb_clear(vu);
    cp_model_clear(m);
}

/* --- general single-layer LSA ------------------------------------------ */

/* Exact oracle: the full (d+1)x(d+1) form of docs/model.md section 3,
 *   yhat = (p^T, q) G W_KQ (x_q; 0),  G = [[Lambda, c], [c^T, E y^2]],
 * v^T = (p^T, q) G [A; b^T], w = Lambda^{-1} c by an exact linear solve,
 * excess = (v - w)^T Lambda (v - w).  Inputs are rationals with sqrt(s)
 * rational and e a rational unit vector, so everything is exact. */
static void general_oracle(fmpq_t res, slong d, const fmpq_mat_t A, const fmpq_mat_t b,
                           const fmpq_mat_t p, const fmpq_t q, const fmpq_mat_t e,
                           const fmpq_t rs, const fmpq_t zeta, const fmpq_t sig2)
{
    fmpq_mat_t G, W, row, vt, Lam, c, w, dv, t1, t2;
    fmpq_t t;
    fmpq_mat_init(G, d + 1, d + 1);
    fmpq_mat_init(W, d + 1, d);
    fmpq_mat_init(row, 1, d + 1);
    fmpq_mat_init(vt, 1, d);
    fmpq_mat_init(Lam, d, d);
    fmpq_mat_init(c, d, 1);
    fmpq_mat_init(w, d, 1);
    fmpq_mat_init(dv, d, 1);
    fmpq_mat_init(t1, d, 1);
    fmpq_mat_init(t2, 1, 1);
    fmpq_init(t);
    for (slong i = 0; i < d; i++) {
        /* m = rs e, Lambda = I + m m^T, c = zeta m */
        for (slong j = 0; j < d; j++) {
            fmpq_mul(t, fmpq_mat_entry(e, i, 0), fmpq_mat_entry(e, j, 0));
            fmpq_mul(t, t, rs);
            fmpq_mul(t, t, rs);
            if (i == j)
                fmpq_add_si(t, t, 1);
            fmpq_set(fmpq_mat_entry(Lam, i, j), t);
            fmpq_set(fmpq_mat_entry(G, i, j), t);
            fmpq_set(fmpq_mat_entry(W, i, j), fmpq_mat_entry(A, i, j));
        }
        fmpq_mul(t, fmpq_mat_entry(e, i, 0), rs);
        fmpq_mul(t, t, zeta);
        fmpq_set(fmpq_mat_entry(c, i, 0), t);
        fmpq_set(fmpq_mat_entry(G, i, d), t);
        fmpq_set(fmpq_mat_entry(G, d, i), t);
        fmpq_set(fmpq_mat_entry(W, d, i), fmpq_mat_entry(b, i, 0));
        fmpq_set(fmpq_mat_entry(row, 0, i), fmpq_mat_entry(p, i, 0));
    }
    fmpq_mul(t, zeta, zeta);
    fmpq_add(fmpq_mat_entry(G, d, d), t, sig2);
    fmpq_set(fmpq_mat_entry(row, 0, d), q);
    {
        fmpq_mat_t rg;
        fmpq_mat_init(rg, 1, d + 1);
        fmpq_mat_mul(rg, row, G);
        fmpq_mat_mul(vt, rg, W);
        fmpq_mat_clear(rg);
    }
    assert_true(fmpq_mat_solve_fraction_free(w, Lam, c));
    for (slong i = 0; i < d; i++)
        fmpq_sub(fmpq_mat_entry(dv, i, 0), fmpq_mat_entry(vt, 0, i), fmpq_mat_entry(w, i, 0));
    fmpq_mat_mul(t1, Lam, dv);
    {
        fmpq_mat_t dvt;
        fmpq_mat_init(dvt, 1, d);
        fmpq_mat_transpose(dvt, dv);
        fmpq_mat_mul(t2, dvt, t1);
        fmpq_mat_clear(dvt);
    }
    fmpq_set(res, fmpq_mat_entry(t2, 0, 0));
    fmpq_mat_clear(G); fmpq_mat_clear(W); fmpq_mat_clear(row); fmpq_mat_clear(vt);
    fmpq_mat_clear(Lam); fmpq_mat_clear(c); fmpq_mat_clear(w); fmpq_mat_clear(dv);
    fmpq_mat_clear(t1); fmpq_mat_clear(t2);
    fmpq_clear(t);
}

static void test_general_excess_exact(void **state)
{
    (void) state;
    /* rational unit vectors: (3/5, 4/5), (2/7, 3/7, 6/7), (1/2, 1/2, 1/2, 1/2) */
    static const slong en[3][4] = { { 3, 4, 0, 0 }, { 2, 3, 6, 0 }, { 1, 1, 1, 1 } };
    static const ulong ed[3] = { 5, 7, 2 };
    /* sqrt(s) in {1/2, 2, 3/4} */
    static const slong rsn[3] = { 1, 2, 3 };
    static const ulong rsd[3] = { 2, 1, 4 };
    uint64_t st = g_seed + 4;
    fmpq_t rs, zeta, sig2, q, want;
    arb_t res, s, z, sg, qa;
    fmpq_init(rs); fmpq_init(zeta); fmpq_init(sig2); fmpq_init(q); fmpq_init(want);
    arb_init(res); arb_init(s); arb_init(z); arb_init(sg); arb_init(qa);
    for (int it = 0; it < 60; it++) {
        int di = it % 3;
        slong d = di + 2;
        fmpq_mat_t A, b, p, e;
        arb_mat_t Aa;
        arb_ptr ba = _arb_vec_init(d), pa = _arb_vec_init(d), ea = _arb_vec_init(d);
        fmpq_mat_init(A, d, d); fmpq_mat_init(b, d, 1); fmpq_mat_init(p, d, 1); fmpq_mat_init(e, d, 1);
        arb_mat_init(Aa, d, d);
        for (slong i = 0; i < d; i++) {
            fmpq_set_si(fmpq_mat_entry(e, i, 0), en[di][i], ed[di]);
            fmpq_set_si(fmpq_mat_entry(b, i, 0), (slong) (splitmix(&st) % 21) - 10, 1 + splitmix(&st) % 7);
            fmpq_set_si(fmpq_mat_entry(p, i, 0), (slong) (splitmix(&st) % 21) - 10, 1 + splitmix(&st) % 7);
            for (slong j = 0; j < d; j++)
                fmpq_set_si(fmpq_mat_entry(A, i, j), (slong) (splitmix(&st) % 21) - 10, 1 + splitmix(&st) % 9);
        }
        fmpq_set_si(q, (slong) (splitmix(&st) % 21) - 10, 1 + splitmix(&st) % 5);
        int k = (int) (splitmix(&st) % 3);
        fmpq_set_si(rs, rsn[k], rsd[k]);
        fmpq_set_si(zeta, (splitmix(&st) & 1) ? 1 : -1, 1);
        fmpq_set_si(sig2, (slong) (splitmix(&st) % 10), 100);
        general_oracle(want, d, A, b, p, q, e, rs, zeta, sig2);

        slong prec = 64 + 64 * (it % 2);
        for (slong i = 0; i < d; i++) {
            arb_set_fmpq(ba + i, fmpq_mat_entry(b, i, 0), prec);
            arb_set_fmpq(pa + i, fmpq_mat_entry(p, i, 0), prec);
            arb_set_fmpq(ea + i, fmpq_mat_entry(e, i, 0), prec);
            for (slong j = 0; j < d; j++)
                arb_set_fmpq(arb_mat_entry(Aa, i, j), fmpq_mat_entry(A, i, j), prec);
        }
        {
            fmpq_t s2;
            fmpq_init(s2);
            fmpq_mul(s2, rs, rs);
            arb_set_fmpq(s, s2, prec);
            fmpq_clear(s2);
        }
        arb_set_fmpq(z, zeta, prec);
        arb_set_fmpq(sg, sig2, prec);
        arb_set_fmpq(qa, q, prec);
        cp_lsa_general_task_excess(res, Aa, ba, pa, qa, ea, s, z, sg, prec);
        if (!arb_contains_fmpq(res, want)) {
            char *ws = fmpq_get_str(NULL, 10, want);
            print_error("seed %llu it %d: d = %ld, s = (%ld/%lu)^2, zeta = %ld, exact excess %s\n",
                        (unsigned long long) g_seed, it, (long) d, (long) rsn[k], (unsigned long) rsd[k],
                        (long) fmpz_get_si(fmpq_numref(zeta)), ws);
            print_ball("cp_lsa_general_task_excess", res);
            flint_printf("A =\n"); fmpq_mat_print(A);
            flint_printf("b =\n"); fmpq_mat_print(b);
            flint_printf("p =\n"); fmpq_mat_print(p);
            flint_printf("q = "); fmpq_print(q); flint_printf("\n");
            flint_free(ws);
        }
        assert_true(arb_contains_fmpq(res, want));
        fmpq_mat_clear(A); fmpq_mat_clear(b); fmpq_mat_clear(p); fmpq_mat_clear(e);
        arb_mat_clear(Aa);
        _arb_vec_clear(ba, d); _arb_vec_clear(pa, d); _arb_vec_clear(ea, d);
    }
    fmpq_clear(rs); fmpq_clear(zeta); fmpq_clear(sig2); fmpq_clear(q); fmpq_clear(want);
    arb_clear(res); arb_clear(s); arb_clear(z); arb_clear(sg); arb_clear(qa);
}

/* Random general LSA parameters: the worst case over the four
 * counterexample tasks is never proved below lsa-gap (half the draws are
 * small perturbations of the optimal gamma form eta* I, where the margin is
 * tiny), and the double twin agrees with the ball. */
static void test_general_vs_gap(void **state)
{
    (void) state;
    uint64_t st = g_seed + 5;
    cp_model_t m;
    arb_t c, eta, s1, s2, sg, q, z, x, worst;
    cp_model_init(m);
    arb_init(c); arb_init(eta); arb_init(s1); arb_init(s2); arb_init(sg);
    arb_init(q); arb_init(z); arb_init(x); arb_init(worst);
    const slong prec = 128;
    for (int it = 0; it < 300; it++) {
        slong d = 1 + (slong) (splitmix(&st) % 4);
        rand_support(m, &st);
        fmpq_set_si(m->sigma, (slong) (splitmix(&st) % 10), 10);
        int near = it % 2;
        double eps = near ? 1e-3 * unif01(&st) : 1.0;
        double *Ad = malloc((size_t) (d * d) * sizeof *Ad), *bd = malloc((size_t) d * sizeof *bd);
        double *pd = malloc((size_t) d * sizeof *pd), *ed = malloc((size_t) d * sizeof *ed);
        arb_mat_t A;
        arb_ptr b = _arb_vec_init(d), p = _arb_vec_init(d), e = _arb_vec_init(d);
        arb_mat_init(A, d, d);
        arb_set_fmpq(s1, m->m_lo, prec);
        arb_set_fmpq(s2, m->m_hi, prec);
        cp_lsa_gap(c, m, prec);
        cp_lsa_pair_bound(x, eta, s1, s2, prec);
        double etad = arf_get_d(arb_midref(eta), ARF_RND_NEAR);
        /* a random unit direction, exact in the ball: normalise in arb */
        double nrm = 0;
        for (slong i = 0; i < d; i++) {
            ed[i] = unif01(&st) - 0.5 + (i == 0 ? 1.0 : 0.0);
            nrm += ed[i] * ed[i];
        }
        arb_set_d(x, nrm);
        arb_rsqrt(x, x, prec);
        for (slong i = 0; i < d; i++) {
            arb_set_d(e + i, ed[i]);
            arb_mul(e + i, e + i, x, prec);
        }
        for (slong i = 0; i < d; i++) {
            for (slong j = 0; j < d; j++) {
                Ad[i * d + j] = (near ? (i == j ? etad : 0.0) : 0.0) + eps * (2 * unif01(&st) - 1);
                arb_set_d(arb_mat_entry(A, i, j), Ad[i * d + j]);
            }
            bd[i] = eps * (2 * unif01(&st) - 1);
            pd[i] = eps * (2 * unif01(&st) - 1);
            arb_set_d(b + i, bd[i]);
            arb_set_d(p + i, pd[i]);
        }
        double qd = (near ? 1.0 : 0.0) + eps * (2 * unif01(&st) - 1);
        arb_set_d(q, qd);
        {
            fmpq_t s2q;
            fmpq_init(s2q);
            fmpq_mul(s2q, m->sigma, m->sigma);
            arb_set_fmpq(sg, s2q, prec);
            fmpq_clear(s2q);
        }
        arb_zero(worst);
        for (int t = 0; t < 4; t++) {
            arb_set_si(z, (t & 1) ? -1 : 1);
            cp_lsa_general_task_excess(x, A, b, p, q, e, t < 2 ? s1 : s2, z, sg, prec);
            arb_max(worst, worst, x, prec);
        }
        int ok = !arb_lt(worst, c) && arb_is_finite(worst);
        /* the double twin, fed the same doubles (e normalised in double) */
        double en = 1.0 / sqrt(nrm), eu[4];
        for (slong i = 0; i < d; i++)
            eu[i] = ed[i] * en;
        arb_t sd, ball;
        arb_init(sd);
        arb_init(ball);
        double sdd = fmpq_get_d(m->m_hi), sig2d = fmpq_get_d(m->sigma);
        sig2d *= sig2d;
        arb_set_d(sd, sdd);
        arb_set_d(x, sig2d);
        for (slong i = 0; i < d; i++)
            arb_set_d(e + i, eu[i]);
        arb_set_si(z, -1);
        cp_lsa_general_task_excess(ball, A, b, p, q, e, sd, z, x, prec);
        double tw = cp_lsa_general_task_excess_approx(d, Ad, bd, pd, qd, eu, sdd, -1.0, sig2d);
        double bm = arf_get_d(arb_midref(ball), ARF_RND_NEAR);
        int ok2 = fabs(tw - bm) <= 1e-10 * fabs(bm) + 1e-300;
        if (!ok || !ok2) {
            print_model("general LSA vs lsa-gap", m);
            print_error("  d = %ld, near = %d, eps = %.17g, q = %.17g, sigma^2 = %.17g\n", (long) d,
                        near, eps, qd, sig2d);
            for (slong i = 0; i < d; i++) {
                print_error("  e[%ld] = %.17g b = %.17g p = %.17g A row:", (long) i, ed[i], bd[i], pd[i]);
                for (slong j = 0; j < d; j++)
                    print_error(" %.17g", Ad[i * d + j]);
                print_error("\n");
            }
            print_ball("worst over tasks", worst);
            print_ball("lsa-gap", c);
            print_error("  double twin %.17g vs ball midpoint %.17g\n", tw, bm);
        }
        assert_true(ok);
        assert_true(ok2);
        arb_clear(sd);
        arb_clear(ball);
        free(Ad); free(bd); free(pd); free(ed);
        arb_mat_clear(A);
        _arb_vec_clear(b, d); _arb_vec_clear(p, d); _arb_vec_clear(e, d);
    }
    arb_clear(c); arb_clear(eta); arb_clear(s1); arb_clear(s2); arb_clear(sg);
    arb_clear(q); arb_clear(z); arb_clear(x); arb_clear(worst);
    cp_model_clear(m);
}

/* --- cross-attention at T = 1 is the gamma form ------------------------- */

static void test_ca_vs_gamma(void **state)
{
    (void) state;
    uint64_t st = g_seed + 6;
    cp_model_t m;
    cp_model_approx ma;
    arb_t al, be, x, y;
    fmpq_t a;
    cp_model_init(m);
    arb_init(al); arb_init(be); arb_init(x); arb_init(y);
    fmpq_init(a);
    for (int it = 0; it < 24; it++) {
        set_model(m, 1, 2, 4, 1, (cp_prior_kind) (it % 3));
        if (it >= 3)
            rand_support(m, &st);
        fmpq_set_si(a, 1 + (slong) (splitmix(&st) % 99), 100);
        arb_set_fmpq(al, a, 64);
        /* T = 1: phi = alpha lambda for every beta; beta = -alpha is the
         * one-parameter model, beta = 0 takes the other branch */
        if (it % 4 == 3)
            arb_zero(be);
        else
            arb_neg(be, al);
        cp_ca_excess(x, m, al, be, 1, 64);                 /* integration */
        cp_lsa_gamma_excess_avg(y, m, al, 64);             /* moments */
        cp_model_get_approx(&ma, m);
        double tw = cp_ca_excess_approx(&ma, fmpq_get_d(a), -fmpq_get_d(a), 1).approx;
        double ym = arf_get_d(arb_midref(y), ARF_RND_NEAR);
        int ok = arb_overlaps(x, y) && arb_rel_accuracy_bits(x) > 40
                 && fabs(tw - ym) <= 1e-8 * fabs(ym) + 1e-14;
        if (!ok) {
            char *as = fmpq_get_str(NULL, 10, a);
            print_model("ca-excess(T=1) vs gamma excess", m);
            print_error("  alpha = %s, beta = %s\n", as, arb_is_zero(be) ? "0" : "-alpha");
            print_ball("ca-excess", x);
            print_ball("gamma excess", y);
            print_error("  double twin %.17g\n", tw);
            flint_free(as);
        }
        assert_true(ok);
    }
    fmpq_clear(a);
    arb_clear(al); arb_clear(be); arb_clear(x); arb_clear(y);
    cp_model_clear(m);
}

/* --- soundness through the real runner --------------------------------- */

typedef struct {
    cp_verdict v;
    slong prec;
    int bad_input;
    char error[CP_ERRLEN];
} run_result;

/* Runs check `name` with NULL-terminated key, value pairs. */
static run_result run_check(const char *name, slong max_prec, ...)
{
    run_result r;
    cp_kv kv;
    cp_check_run run;
    va_list ap;
    const cp_check_def *def = lookup_check(name);
    cp_kv_init(&kv, "");
    va_start(ap, max_prec);
    kv_set_pairs(&kv, ap);
    va_end(ap);
    cp_check_run_init(&run, def, &kv, max_prec);
    r.v = cp_check_execute(&run, NULL);
    r.prec = run.prec;
    r.bad_input = run.bad_input;
    snprintf(r.error, sizeof r.error, "%s", run.error);
    printf("  %-22s -> %-12s prec %4ld %s%s\n", name, cp_verdict_name(r.v), (long) r.prec,
           run.bad_input ? "bad input: " : "", run.bad_input ? run.error : "");
    print_kv(&kv);
    cp_check_run_clear(&run);
    cp_kv_clear(&kv);
    return r;
}

/* exact rational x * (1 + sign * 10^-k) as text (caller frees) */
static char *scaled(const fmpq_t x, int sign, ulong k)
{
    fmpq_t f;
    fmpz_t p;
    fmpq_init(f);
    fmpz_init(p);
    fmpz_ui_pow_ui(p, 10, k);
    fmpz_set_si(fmpq_numref(f), 1);
    fmpz_set(fmpq_denref(f), p);          /* 10^-k */
    if (sign < 0)
        fmpq_neg(f, f);
    fmpq_add_si(f, f, 1);
    fmpq_mul(f, f, x);
    char *s = fmpq_get_str(NULL, 10, f);
    fmpq_clear(f);
    fmpz_clear(p);
    return s;
}

static void expect_verdict(run_result r, cp_verdict want)
{
    if (r.v != want)
        print_error("verdict %s, want %s\n", cp_verdict_name(r.v), cp_verdict_name(want));
    assert_int_equal(r.v, want);
}

static void test_soundness_gap_bound(void **state)
{
    (void) state;
    /* the true c at (1/2, 4) from the independent closed form, as exact
     * rationals just above (upper end of a 512-bit enclosure) and below */
    fmpq_t lo, hi, cq;
    arb_t c;
    fmpq_init(lo); fmpq_init(hi); fmpq_init(cq);
    arb_init(c);
    fmpq_set_si(lo, 1, 2);
    fmpq_set_si(hi, 4, 1);
    gap_oracle(c, lo, hi, 512);
    assert_true(arb_rel_accuracy_bits(c) > 400);
    arf_t ub, lb;
    arf_init(ub); arf_init(lb);
    arb_get_ubound_arf(ub, c, 512);
    arb_get_lbound_arf(lb, c, 512);
    fmpq_t cu, cl;
    fmpq_init(cu); fmpq_init(cl);
    arf_get_fmpq(cu, ub);
    arf_get_fmpq(cl, lb);

    char *b;
    run_result r;
    b = scaled(cu, +1, 6);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_REFUTED);
    b = scaled(cu, +1, 20);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_REFUTED);
    assert_true(r.prec > 64);              /* 1e-20 is below 64-bit resolution */
    b = scaled(cl, -1, 6);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_CERTIFIED);
    b = scaled(cl, -1, 20);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_CERTIFIED);
    assert_true(r.prec > 64);
    /* the theorem file's own claim */
    expect_verdict(run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", "0.1146", NULL),
                   CP_CERTIFIED);
    expect_verdict(run_check("lsa_gap_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", "0.1147", NULL),
                   CP_REFUTED);

    /* exact c = 1/144 at (1/3, 4/5): a bound equal to c is a tie that balls
     * cannot decide (never CERTIFIED); just above is REFUTED, just below CERTIFIED */
    fmpq_set_si(cq, 1, 144);
    r = run_check("lsa_gap_bound", 512, "m_lo", "1/3", "m_hi", "4/5", "bound", "1/144", NULL);
    assert_int_not_equal(r.v, CP_CERTIFIED);
    assert_int_equal(r.v, CP_INCONCLUSIVE);
    assert_int_equal(r.prec, 512);
    b = scaled(cq, +1, 20);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "1/3", "m_hi", "4/5", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_REFUTED);
    assert_true(r.prec > 64);
    b = scaled(cq, -1, 20);
    r = run_check("lsa_gap_bound", 4096, "m_lo", "1/3", "m_hi", "4/5", "bound", b, NULL);
    flint_free(b);
    expect_verdict(r, CP_CERTIFIED);

    /* no positive gap at m_lo = m_hi, nor at m_lo = 0 */
    expect_verdict(run_check("lsa_gap_bound", 4096, "m_lo", "2", "m_hi", "2", "bound", "0", NULL),
                   CP_REFUTED);
    expect_verdict(run_check("lsa_gap_bound", 4096, "m_lo", "0", "m_hi", "2", "bound", "0", NULL),
                   CP_REFUTED);
    /* bad input is reported, not decided */
    r = run_check("lsa_gap_bound", 4096, "m_lo", "4", "m_hi", "0.5", NULL);
    assert_true(r.bad_input);
    assert_int_not_equal(r.v, CP_CERTIFIED);

    arf_clear(ub); arf_clear(lb);
    fmpq_clear(cu); fmpq_clear(cl);
    fmpq_clear(lo); fmpq_clear(hi); fmpq_clear(cq);
    arb_clear(c);
}

static void test_soundness_other_checks(void **state)
{
    (void) state;
    run_result r;
    /* vanishes: false at m_lo < m_hi, true at m_lo = m_hi */
    expect_verdict(run_check("lsa_gap_vanishes", 4096, "m_lo", "0.5", "m_hi", "4", NULL), CP_REFUTED);
    expect_verdict(run_check("lsa_gap_vanishes", 4096, "m_lo", "1", "m_hi", "1.0001", NULL), CP_REFUTED);
    expect_verdict(run_check("lsa_gap_vanishes", 4096, "m_lo", "2", "m_hi", "2", NULL), CP_CERTIFIED);

    /* samples: the default bound (the certified c) holds; a bound raised
     * above c (0.1147 > c = 0.11463...) must be refuted */
    expect_verdict(run_check("lsa_gap_samples", 4096, "m_lo", "0.5", "m_hi", "4", "d1", "2", "d2", "2",
                             "sigma", "0.3", "samples", "40", NULL), CP_CERTIFIED);
    expect_verdict(run_check("lsa_gap_samples", 4096, "m_lo", "0.5", "m_hi", "4", "d1", "2", "d2", "2",
                             "sigma", "0.3", "samples", "40", "bound", "0.1147", NULL), CP_REFUTED);
    expect_verdict(run_check("lsa_gap_samples", 4096, "m_lo", "0.5", "m_hi", "4", "samples", "40",
                             "bound", "1/2", NULL), CP_REFUTED);

    /* support bound: 0.1167 holds, 0.1168 does not */
    expect_verdict(run_check("lsa_support_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", "0.1167", NULL),
                   CP_CERTIFIED);
    expect_verdict(run_check("lsa_support_bound", 4096, "m_lo", "0.5", "m_hi", "4", "bound", "0.1168", NULL),
                   CP_REFUTED);

    /* Issue 8, finding 1: bounds just below and just above the exact minimax
     * value.  At (0.5, 4) the minimax gamma is (5 - sqrt 5)/10 and the value
     * is V = (14 - 6 sqrt 5)/5 = 0.11671842700025236430899... (by hand from
     * (LSA-3): the interior peak and the endpoint 1 + m_hi = 5 tie; an
     * independent mpmath computation agrees).  0.1167184270002523643 is below
     * V, a TRUE claim, which the old pair-bound check called REFUTED. */
    {
        arb_t V, b;
        arb_init(V); arb_init(b);
        arb_sqrt_ui(V, 5, 256);
        arb_mul_si(V, V, -6, 256);
        arb_add_ui(V, V, 14, 256);
        arb_div_ui(V, V, 5, 256);
        arb_set_str(b, "0.1167184270002523643", 256);
        assert_true(arb_lt(b, V));
        arb_set_str(b, "0.11671842700025236431", 256);
        assert_true(arb_gt(b, V));
        arb_clear(V); arb_clear(b);
    }
    expect_verdict(run_check("lsa_support_bound", 4096, "m_lo", "0.5", "m_hi", "4",
                             "bound", "0.1167184270002523643", NULL), CP_CERTIFIED);
    expect_verdict(run_check("lsa_support_bound", 4096, "m_lo", "0.5", "m_hi", "4",
                             "bound", "0.11671842700025236431", NULL), CP_REFUTED);

    /* a double-precision optimiser can support, never certify */
    r = run_check("lsa_optimize_general", 4096, "m_lo", "0.5", "m_hi", "4", "restarts", "1", NULL);
    assert_int_not_equal(r.v, CP_CERTIFIED);
    assert_int_not_equal(r.v, CP_REFUTED);
    expect_verdict(r, CP_SUPPORTED);
}

int main(void)
{
    init_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpha_rho_exact),
        cmocka_unit_test(test_gamma_avg_exact),
        cmocka_unit_test(test_containment),
        cmocka_unit_test(test_inv1ps_two_methods),
        cmocka_unit_test(test_gap_exact),
        cmocka_unit_test(test_gap_property),
        cmocka_unit_test(test_general_excess_exact),
        cmocka_unit_test(test_general_vs_gap),
        cmocka_unit_test(test_ca_vs_gamma),
        cmocka_unit_test(test_soundness_gap_bound),
        cmocka_unit_test(test_soundness_other_checks),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
