/* test_claim.c -- the claim language (claim.h): what it refuses to parse,
 * and verdicts on claims whose truth is known by hand.
 *
 * Expected truths come from closed forms worked out in the comments (alpha*
 * = 2/(2 + m_lo + m_hi), rho* = (m_hi - m_lo)/(2 + m_lo + m_hi), the LSA gap
 * vanishes at m_lo = m_hi), never from the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/claim.h"
#include "crossproof/theorem.h"

#define PATH "user.md"

/* A block holding `body` (lines after the opening fence), parsed as the
 * file user.md: the fence is line 1, so body line k is file line k + 1. */
static int parse(cp_theorem *th, const char *body, char *err)
{
    char text[4096];
    snprintf(text, sizeof text, "```check\nid = u.c\n%s```\n", body);
    return cp_theorem_parse(th, PATH, text, strlen(text), err);
}

/* Expects a parse error at file line `line` whose message contains needle. */
static void reject(const char *body, int line, const char *needle)
{
    cp_theorem th;
    char err[CP_ERRLEN] = "", prefix[64];
    int rc = parse(&th, body, err);
    snprintf(prefix, sizeof prefix, PATH ":%d:", line);
    if (rc == 0 || strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, needle) == NULL)
        print_error("block:\n%s\nrc %d, error \"%s\"; want \"%s\" and \"%s\"\n", body, rc, err, prefix, needle);
    if (rc == 0)
        cp_theorem_clear(&th);
    assert_int_equal(rc, -1);
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
    assert_non_null(strstr(err, needle));
}

static cp_verdict verdict_of(const char *body, char *detail, size_t n)
{
    cp_theorem th;
    char err[CP_ERRLEN] = "";
    int rc = parse(&th, body, err);
    if (rc != 0)
        print_error("unexpected parse error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_ptr_equal(th.claims[0].def, &cp_claim_check);
    cp_check_run run;
    cp_check_run_init(&run, th.claims[0].def, &th.claims[0].params, 4096);
    cp_verdict v = cp_check_execute(&run, NULL);
    assert_int_equal(run.bad_input, 0);
    if (detail)
        snprintf(detail, n, "%s", run.detail);
    cp_check_run_clear(&run);
    cp_theorem_clear(&th);
    return v;
}

/* Line numbers: line 1 is the fence, 2 the id, 3 the first body line. */
static void test_parse_errors(void **state)
{
    (void) state;
    /* typos and unknown words are errors, never ignored */
    reject("claim = lsa-gapp > 0\n", 3, "unknown word 'lsa-gapp'");
    reject("claim = lsa-gap > 0 foo\n", 3, "unexpected 'foo'");
    reject("claim = lsa-gap > 0 and alpha-star > 0\n", 3, "unexpected 'and'");
    reject("claim = lsa-gap => 0\n", 3, "'=' is not a relation");
    reject("claim = lsa-gap = 0\n", 3, "'=' is not a relation");
    reject("claim = lsa-gap\n", 3, "no relation");
    reject("claim = lsa-gap >\n", 3, "ends where a value was expected");
    reject("claim = (lsa-gap > 0\n", 3, "expected ')'");
    reject("claim = |lsa-gap > 0\n", 3, "expected '|'");
    reject("claim = lsa-gap > 1/0\n", 3, "division by zero");
    reject("claim = lsa-gap > 1.2.3\n", 3, "malformed number");
    reject("claim = lsa-gap > 2x\n", 3, "malformed number");
    reject("claim = 1 < 2\n", 3, "mentions no quantity");
    reject("claim = lsa-gap > 0 ; x\n", 3, "unexpected character ';'");
    reject("claim = alpha-star-rho-star > 0\n", 3, "write spaces around '-'");
    reject("claim = ca-excess(L=3) > 0\n", 3, "has no parameter 'L'");
    reject("claim = ca-excess(T=3, T=4) > 0\n", 3, "given twice");
    reject("claim = alpha-opt in [0.3, 0.4\n", 3, "expected ']'");
    reject("claim = alpha-opt increasing\n", 3, "expected 'in'");
    reject("claim = sqrt lsa-gap > 0\n", 3, "expected '('");
    /* parameters a claim does not use are errors: it cannot rest on them */
    reject("claim = lsa-gap > 0\nT = 5\n", 4, "used by no quantity");
    reject("claim = lsa-gap > 0\nm_lo = 0.5\nbogus = 1\n", 5, "used by no quantity");
    reject("claim = lsa-gap > x\n", 3, "unknown word 'x'");
    reject("claim = lsa-gap(m_lo) > 0\n", 3, "expected '='");
    /* quantifiers the check cannot honour */
    reject("claim = alpha-opt increasing in T\nT = 5\n", 4, "at least two values");
    reject("claim = alpha-opt increasing in T\n", 3, "not a parameter of this block");
    reject("claim = alpha-opt increasing in m_lo\nm_lo = [1/10, 1/5]\n", 4, "not an interval");
    reject("claim = alpha-opt > 0\nT = [1, 5]\n", 4, "cannot be an interval");
    reject("claim = ca-excess-finite > 0\nm_lo = [1/10, 1/5]\n", 4, "has no region form");
    reject("claim = lsa-gap > 0\nm_lo = [1, 0]\n", 4, "empty interval");
    reject("claim = lsa-gap > 0\nm_lo = [1, 2, 3]\n", 4, "malformed interval");
    reject("claim = lsa-gap > 0\nm_lo = [a, 2]\n", 4, "malformed interval");
    reject("claim = ca-excess < 1\nT = 1..\n", 4, "malformed list");
    reject("claim = ca-excess < 1\nT = 3..1\n", 4, "malformed list");
    reject("claim = ca-excess < 1\nT = 1.5, 2\n", 4, "malformed list");
    reject("claim = lsa-gap > 0\nboxes = 0\n", 4, "boxes must be");
    reject("check = lsa_gap_bound\nclaim = lsa-gap > 0\n", 4, "both 'check = ...' and 'claim = ...'");
}

static void test_point_verdicts(void **state)
{
    (void) state;
    char d[CP_TEXTLEN];
    /* alpha* = 2/(2 + 1/2 + 4) = 4/13 = 0.307692... */
    assert_int_equal(verdict_of("claim = alpha-star in [3/10, 1/3]\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = alpha-star in [1/3, 1/2]\n", d, sizeof d), CP_REFUTED);
    assert_int_equal(verdict_of("claim = alpha-star > 0.3076\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = alpha-star > 0.3077\n", d, sizeof d), CP_REFUTED);
    /* arithmetic: 13 alpha* = 4 and 2/alpha* = 13/2 */
    assert_int_equal(verdict_of("claim = |13 * alpha-star - 4| < 1e-30\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = 2 / alpha-star - 2^3 < -1.49\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = -alpha-star + 1 > 0.69\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = sqrt(alpha-star) * sqrt(alpha-star) in [0.307, 0.308]\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = log(exp(alpha-star)) in [0.307, 0.308]\n", d, sizeof d), CP_CERTIFIED);
    /* rho* = 7/2 / (13/2) = 7/13 = 0.538: rho*^2 = 49/169 = 0.2899 */
    assert_int_equal(verdict_of("claim = rho-star^2 in [0.2899, 0.29]\n", d, sizeof d), CP_CERTIFIED);
    /* the gap vanishes on the diagonal: lsa-gap > 0 is false at m_lo = m_hi */
    assert_int_equal(verdict_of("claim = lsa-gap > 0\nm_lo = 1\nm_hi = 1\n", d, sizeof d), CP_REFUTED);
    assert_non_null(strstr(d, "lsa-gap > 0"));
    /* a parameter as a variable: m_hi alpha* < 2 since alpha* = 2/(2.5 + m_hi) */
    assert_int_equal(verdict_of("claim = m_hi * alpha-star < 2\nm_hi = 1, 10, 1000\n", d, sizeof d), CP_CERTIFIED);
    /* call arguments override the block: ca-excess(T=1) > ca-excess(T=2) for rho* < 1 */
    assert_int_equal(verdict_of("claim = ca-excess(T=1) > ca-excess(T=2)\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = ca-excess(T=2) > ca-excess(T=1)\n", d, sizeof d), CP_REFUTED);
}

static void test_quantifiers(void **state)
{
    (void) state;
    char d[CP_TEXTLEN];
    /* universal over a list: rho*(1/2, m_hi) = (m_hi - 1/2)/(m_hi + 5/2) exceeds 1/2 at m_hi = 100 */
    assert_int_equal(verdict_of("claim = rho-star < 1/2\nm_hi = 1, 2\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = rho-star < 1/2\nm_hi = 1, 2, 100\n", d, sizeof d), CP_REFUTED);
    assert_non_null(strstr(d, "m_hi = 100"));
    /* the product of two lists: rho* < 1 everywhere */
    assert_int_equal(verdict_of("claim = rho-star < 1\nm_lo = 0, 1/2\nm_hi = 1, 2, 3\n", d, sizeof d), CP_CERTIFIED);
    assert_non_null(strstr(d, "6 evaluations"));
    /* ranges: T = 1..5 is five instances; the CA excess is below E[s/(1+s)] < 1 */
    assert_int_equal(verdict_of("claim = ca-excess < 1\nT = 1..5\n", d, sizeof d), CP_CERTIFIED);
    assert_non_null(strstr(d, "5 evaluations"));
    assert_int_equal(verdict_of("claim = ca-excess < 1\nT = 10..100 step 45\n", d, sizeof d), CP_CERTIFIED);
    assert_non_null(strstr(d, "3 evaluations"));
    /* monotonicity: alpha* = 2/(2.5 + m_hi) decreases in m_hi */
    assert_int_equal(verdict_of("claim = alpha-star decreasing in m_hi\nm_hi = 3, 1, 2\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = alpha-star increasing in m_hi\nm_hi = 1, 2, 3\n", d, sizeof d), CP_REFUTED);
    assert_int_equal(verdict_of("claim = alpha-star nonincreasing in m_hi\nm_hi = 1, 2\n", d, sizeof d), CP_CERTIFIED);
    /* the excess of the tied CA at alpha* decreases in T (rho* < 1) */
    assert_int_equal(verdict_of("claim = ca-excess decreasing in T\nT = 1..20\n", d, sizeof d), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = ca-excess nondecreasing in T\nT = 1..20\n", d, sizeof d), CP_REFUTED);
}

/* The boxes count N in "N boxes" of a region claim's detail. */
static long boxes_of(const char *d)
{
    const char *p = strstr(d, " boxes");
    if (!p)
        p = strstr(d, " box,");
    assert_non_null(p);
    while (p > d && (p[-1] == ',' || (p[-1] >= '0' && p[-1] <= '9')))
        p--;
    long n = 0;
    for (; *p == ',' || (*p >= '0' && *p <= '9'); p++)
        if (*p != ',')
            n = 10 * n + (*p - '0');
    return n;
}

/* A region claim over a list starts each instance from the previous
 * instance's certified leaves (claim.c, decide_sub).  By hand: on
 * m_lo in [0, 1], m_hi in [1, 3], rho* - alpha* = (m_hi - m_lo - 2)/(2 + m_lo
 * + m_hi) increases in m_hi and decreases in m_lo, so its largest value is
 * 1/5, at (0, 3): "rho-star - alpha-star < ref" holds on the whole box for
 * ref > 1/5 and fails near (0, 3) for ref < 1/5.  The ball of a difference
 * of two quantities loses their correlation, so the box must be cut.  The
 * list must give the verdicts of its instances run one by one, name the
 * false instance, and (warm starts) need fewer boxes than the instances
 * alone. */
static void test_region_lists_warm(void **state)
{
    (void) state;
    char d[CP_TEXTLEN];
    const char *refs[] = { "21/100", "22/100", "23/100" };
    long alone = 0;
    for (int i = 0; i < 3; i++) {
        char body[256];
        snprintf(body, sizeof body, "claim = rho-star - alpha-star < ref\nm_lo = [0, 1]\nm_hi = [1, 3]\nref = %s\n",
                 refs[i]);
        assert_int_equal(verdict_of(body, d, sizeof d), CP_CERTIFIED);
        alone += boxes_of(d);
    }
    assert_int_equal(verdict_of("claim = rho-star - alpha-star < ref\nm_lo = [0, 1]\nm_hi = [1, 3]\n"
                                "ref = 21/100, 22/100, 23/100\n", d, sizeof d), CP_CERTIFIED);
    long listed = boxes_of(d);
    if (!(listed < alone))
        fail_msg("the list took %ld boxes, its instances alone %ld", listed, alone);
    /* a false instance after true ones, whose leaves the warm start reuses */
    assert_int_equal(verdict_of("claim = rho-star - alpha-star < ref\nm_lo = [0, 1]\nm_hi = [1, 3]\n"
                                "ref = 9/10, 21/100, 19/100, 3/10\n", d, sizeof d), CP_REFUTED);
    assert_non_null(strstr(d, "ref = 19/100"));
    assert_int_equal(verdict_of("claim = rho-star - alpha-star < ref\nm_lo = [0, 1]\nm_hi = [1, 3]\nref = 19/100\n",
                                d, sizeof d), CP_REFUTED);
}

/* The mutants the claim generates are false, so none certifies. */
static void test_mutants_fail(void **state)
{
    (void) state;
    const char *bodies[] = {
        "claim = alpha-star > 0.3\n",
        "claim = alpha-star in [3/10, 1/3]\n",
        "claim = ca-excess < 1/10\nT = 2..6\n",
        "claim = ca-excess decreasing in T\nT = 1..6\n",
        NULL
    };
    for (int b = 0; bodies[b]; b++) {
        cp_theorem th;
        char err[CP_ERRLEN] = "";
        assert_int_equal(parse(&th, bodies[b], err), 0);
        cp_check_run run;
        cp_check_run_init(&run, th.claims[0].def, &th.claims[0].params, 4096);
        assert_int_equal(cp_check_execute(&run, NULL), CP_CERTIFIED);
        char *texts[4];
        fmpq_t delta;
        fmpq_init(delta);
        fmpq_set_si(delta, 1, 1000000);
        int n = cp_claim_mutants(texts, 4, &th.claims[0].params, &run, delta, err);
        fmpq_clear(delta);
        assert_true(n >= 1);
        for (int i = 0; i < n; i++) {
            cp_kv kv;
            cp_kv_init(&kv, PATH);
            for (int e = 0; e < th.claims[0].params.n; e++)
                cp_kv_set(&kv, th.claims[0].params.e[e].key, th.claims[0].params.e[e].value, 1, 1);
            cp_kv_set(&kv, "claim", texts[i], 1, 1);
            cp_check_run m;
            cp_check_run_init(&m, &cp_claim_check, &kv, 4096);
            cp_verdict v = cp_check_execute(&m, NULL);
            if (v == CP_CERTIFIED)
                print_error("mutant certified: %s\n", texts[i]);
            assert_int_not_equal(v, CP_CERTIFIED);
            cp_check_run_clear(&m);
            cp_kv_clear(&kv);
            free(texts[i]);
        }
        cp_check_run_clear(&run);
        cp_theorem_clear(&th);
    }
}

/* The reference numbers of theorems/lsa_impossibility.md, true and wrong
 * twins (the values are those of the model reference, section 3; the
 * twins move them by twice the tolerance). */
static void test_reference_numbers(void **state)
{
    (void) state;
    assert_int_equal(verdict_of("claim = |lsa-excess-avg - 0.0485| < 0.00005\n", NULL, 0), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |lsa-excess-avg - 0.0486| < 0.00005\n", NULL, 0), CP_REFUTED);
    /* E[s]/E[s(1+s)] = (9/4)/(9/4 + 7) ... = 27/100 exactly: any positive tolerance
     * certifies it, and |x - 27/100| < 0 never does */
    assert_int_equal(verdict_of("claim = |lsa-gamma-avg - 0.27| < 1e-30\n", NULL, 0), CP_CERTIFIED);
    assert_int_not_equal(verdict_of("claim = |lsa-gamma-avg - 0.27| < 0\n", NULL, 0), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |lsa-gamma-avg - 0.2701| < 0.00005\n", NULL, 0), CP_REFUTED);
    assert_int_equal(verdict_of("claim = |lsa-excess-minimax - 0.1167| < 0.00005\n", NULL, 0), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |lsa-excess-minimax - 0.1169| < 0.00005\n", NULL, 0), CP_REFUTED);
    /* invalid models are bad input, never a verdict */
    reject("claim = |lsa-excess-avg - 0.0485| < 0.00005\nm_lo = 4\nm_hi = 0.5\n", 4, "exceeds m_hi");
}

/* The rate and excess-bound claims of theorems/gradient_flow.md, with the
 * wrong twins the hand-written checks used to be tested with. */
static void test_flow_claims(void **state)
{
    (void) state;
    const char *rate = "claim = T * |rate - rate-limit| <= K\n";
    char b[512];
    snprintf(b, sizeof b, "%sT = 1,10,1000,100000\nK = 1/8\n", rate);
    assert_int_equal(verdict_of(b, NULL, 0), CP_CERTIFIED);
    /* a correction bound that is too strong (the true T |T delta - c| is about 0.105) */
    snprintf(b, sizeof b, "%sT = 1000\nK = 1/20\n", rate);
    assert_int_equal(verdict_of(b, NULL, 0), CP_REFUTED);
    /* the wrong limit (twice c_inf) */
    assert_int_equal(verdict_of("claim = T * |rate - 2 * rate-limit| <= 1/8\nT = 100000\n", NULL, 0), CP_REFUTED);
    /* no limit is derived for Beta(a, b), a != b: bad input when the file loads */
    reject("claim = T * |rate - rate-limit| <= 1/8\nprior = beta\nbeta_a = 1\nbeta_b = 3\nT = 10\n", 4,
           "derived only");
    /* E1(alpha*) <= rho*^(2T); for the two-point prior E1(alpha*) = E[s/(1+s)] rho*^(2T)
     * = (17/30) rho*^(2T) exactly ((1/2)(1/3) + (1/2)(4/5) = 17/30), so the factor 1/2 is
     * false, 17/30 is an equality (never certified by balls), and 17001/30000 holds */
    assert_int_equal(verdict_of("claim = excess <= rho-star^(2*T)\nT = 1,5,1000\n", NULL, 0), CP_CERTIFIED);
    const char *tp = "prior = twopoint\nT = 1,7\n";
    snprintf(b, sizeof b, "claim = excess <= 1/2 * rho-star^(2*T)\n%s", tp);
    assert_int_equal(verdict_of(b, NULL, 0), CP_REFUTED);
    snprintf(b, sizeof b, "claim = excess <= 17/30 * rho-star^(2*T)\n%s", tp);
    assert_int_not_equal(verdict_of(b, NULL, 0), CP_CERTIFIED);
    snprintf(b, sizeof b, "claim = excess <= 17001/30000 * rho-star^(2*T)\n%s", tp);
    assert_int_equal(verdict_of(b, NULL, 0), CP_CERTIFIED);
    snprintf(b, sizeof b, "claim = excess <= 16999/30000 * rho-star^(2*T)\n%s", tp);
    assert_int_equal(verdict_of(b, NULL, 0), CP_REFUTED);
}

/* Reference tables as paired lists (pair = T, ref), the claims that replaced
 * the hand-written gf_reference, tp_reference and tp_limits checks, with the
 * twins those were tested with: one digit moved in the last place. */
static void test_paired_lists(void **state)
{
    (void) state;
    const char *tab = "claim = |alpha-opt - ref| <= 0.000005\npair = T, ref\n";
    char b[512];
    snprintf(b, sizeof b, "%sT = 1,2,200\nref = 0.27,0.28136,0.30726\n", tab);
    assert_int_equal(verdict_of(b, NULL, 0), CP_CERTIFIED);
    /* without pair the lists multiply: T = 1 against 0.30726 is false */
    assert_int_equal(verdict_of("claim = |alpha-opt - ref| <= 0.000005\nT = 1,2,200\nref = 0.27,0.28136,0.30726\n",
                                NULL, 0), CP_REFUTED);
    /* 0.30364 -> 0.30365 at T = 20 (alpha_20 = 0.3036361...) */
    snprintf(b, sizeof b, "%sT = 10, 20\nref = 0.30003, 0.30365\n", tab);
    char d[CP_TEXTLEN];
    assert_int_equal(verdict_of(b, d, sizeof d), CP_REFUTED);
    assert_non_null(strstr(d, "(T = 20, ref = 0.30365)"));
    /* alpha_1 = E[s]/E[s(1+s)] with E[s] = 9/4, E[s^2] = 73/12 on [1/2, 4]: 27/100 exactly;
     * any tolerance certifies it, and a reference 1e-22 away is refuted at 1e-40 */
    assert_int_equal(verdict_of("claim = |alpha-opt - ref| <= 1e-40\nT = 1, 1\nref = 27/100, 0.27\npair = T, ref\n",
                                NULL, 0), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |alpha-opt - ref| <= 1e-40\nT = 1, 1\nref = 27/100, 0.2700000000000000000001\n"
                                "pair = T, ref\n", NULL, 0), CP_REFUTED);
    /* |beta_5/alpha_5 + 1| = 1.24e-3: 2e-3 holds, 1e-3 is too strong */
    assert_int_equal(verdict_of("claim = |ratio-opt + 1| < b\nT = 5, 10\nb = 2e-3, 2e-4\npair = T, b\n", NULL, 0),
                     CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |ratio-opt + 1| < b\nT = 5, 10\nb = 1e-3, 2e-4\npair = T, b\n", NULL, 0),
                     CP_REFUTED);
    assert_int_equal(verdict_of("claim = |ratio-opt - r| <= 0.000005\nT = 5, 10\nr = -0.99876, -0.99988\npair = T, r\n",
                                NULL, 0), CP_CERTIFIED);
    assert_int_equal(verdict_of("claim = |ratio-opt - r| <= 0.000005\nT = 5, 10\nr = -0.99877, -0.99988\npair = T, r\n",
                                NULL, 0), CP_REFUTED);
    /* what pair refuses, at pair's line (line 1 fence, 2 id, 3 claim) */
    reject("claim = |alpha-opt - ref| <= 1\nT = 1,2\nref = 1,2,3\npair = T, ref\n", 6, "T has 2 values and ref has 3");
    reject("claim = |alpha-opt - ref| <= 1\nT = 1,2\nref = 1\npair = T, ref\n", 6, "ref is not a list");
    reject("claim = |alpha-opt - ref| <= 1\nT = 1,2\nref = 1,2\npair = T, T\n", 6, "T named twice");
    reject("claim = |alpha-opt - ref| <= 1\nT = 1,2\nref = 1,2\npair = T\n", 6, "at least two");
    reject("claim = |alpha-opt - ref| <= 1\nT = 1,2\nref = 1,2\npair = T, m_lo\n", 6, "'m_lo' is not a parameter");
    reject("claim = alpha-opt increasing in T\nT = 1,2\nm_lo = 1/2, 1\npair = T, m_lo\n", 6, "monotonicity");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_point_verdicts),
        cmocka_unit_test(test_quantifiers),
        cmocka_unit_test(test_mutants_fail),
        cmocka_unit_test(test_reference_numbers),
        cmocka_unit_test(test_flow_claims),
        cmocka_unit_test(test_paired_lists),
        cmocka_unit_test(test_region_lists_warm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
