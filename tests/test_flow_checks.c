/* test_flow_checks.c -- soundness of the checks of theorems/gradient_flow.md
 * and theorems/two_parameter.md through the real runner, and the exit codes
 * of `crossproof flow`.
 *
 * Every claim type has a true twin that must be CERTIFIED and a wrong twin
 * that must NOT be (alpha* with the 2 dropped from the denominator, a rate
 * bound that is too strong, a minimizer outside the stated interval, a
 * reference digit changed, ...).  The wrong twins are chosen from
 * independent facts, not from the code's output: e.g. alpha_1 = 27/100 and
 * the two-point excess at alpha* equals E[s/(1+s)] rho*^(2T) exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/check.h"
#include "crossproof/cli.h"
#include "testutil.h"

typedef struct {
    cp_verdict v;
    int bad_input;
} run_result;

static slong g_max_prec = 4096;

/* Runs check `name` with NULL-terminated key, value pairs (max 4096 bits). */
static run_result run_check(const char *name, ...)
{
    run_result r;
    cp_kv kv;
    cp_check_run run;
    va_list ap;
    char err[CP_ERRLEN];
    const cp_check_def *def = lookup_check(name);
    cp_kv_init(&kv, "");
    va_start(ap, name);
    kv_set_pairs(&kv, ap);
    va_end(ap);
    r.bad_input = cp_kv_validate(&kv, def->keys, err) != 0;
    if (r.bad_input) {
        r.v = CP_INCONCLUSIVE;
        printf("  %-16s -> invalid keys: %s\n", name, err);
    } else {
        cp_check_run_init(&run, def, &kv, g_max_prec);
        r.v = cp_check_execute(&run, NULL);
        r.bad_input = run.bad_input;
        printf("  %-16s -> %-12s prec %4ld %s\n     %s\n", name, cp_verdict_name(r.v), (long) run.prec,
               run.bad_input ? run.error : "", run.detail);
        cp_check_run_clear(&run);
    }
    print_kv(&kv);
    cp_kv_clear(&kv);
    return r;
}

static void expect(run_result r, cp_verdict want)
{
    if (r.v != want)
        print_error("verdict %s, want %s\n", cp_verdict_name(r.v), cp_verdict_name(want));
    assert_int_equal(r.v, want);
    assert_false(r.bad_input);
}

static void expect_not_certified(run_result r)
{
    if (r.v == CP_CERTIFIED)
        print_error("wrong twin CERTIFIED\n");
    assert_int_not_equal(r.v, CP_CERTIFIED);
}

static void test_convexity(void **state)
{
    (void) state;
    expect(run_check("gf_convexity", "T", "1,2,5,100", NULL), CP_CERTIFIED);
    /* wrong twin: alpha_T claimed below half of alpha* = 2/13 (alpha_1 = 27/100) */
    expect(run_check("gf_convexity", "T", "1,2,5,100", "alpha_hi", "2/13", NULL), CP_REFUTED);
    /* wrong twin: a prior whose minimizer lies OUTSIDE (0, 2/(1+m_hi)):
     * Beta(1/2, 20) on [0, 8] at T = 1 has alpha_1 = E[s]/E[s(1+s)] = 0.64... > 2/9 */
    expect_not_certified(run_check("gf_convexity", "prior", "beta", "beta_a", "1/2", "beta_b", "20",
                                   "m_lo", "0", "m_hi", "8", "T", "1", NULL));
    /* bad input names the parameter */
    run_result r = run_check("gf_convexity", "T", "0", NULL);
    assert_true(r.bad_input);
}

static void test_alpha_opt(void **state)
{
    (void) state;
    expect(run_check("gf_alpha_opt", "T", "1,100,100000", NULL), CP_CERTIFIED);
    expect(run_check("gf_alpha_opt", "prior", "twopoint", "T", "3,1000", NULL), CP_CERTIFIED);
    /* 1000 digits (3322 bits) are reached below a 4096-bit cap, not below 2048 */
    expect(run_check("gf_alpha_opt", "T", "10", "digits", "1000", NULL), CP_CERTIFIED);
    g_max_prec = 2048;
    expect_not_certified(run_check("gf_alpha_opt", "T", "10", "digits", "1000", NULL));
    g_max_prec = 4096;
}

static void test_minimax(void **state)
{
    (void) state;
    expect(run_check("gf_minimax", NULL), CP_CERTIFIED);
    expect(run_check("gf_minimax", "m_lo", "3/7", "m_hi", "11/2", NULL), CP_CERTIFIED);
    /* alpha* with the 2 dropped from the denominator: 2/(m_lo + m_hi) */
    expect(run_check("gf_minimax", "shift", "0", NULL), CP_REFUTED);
    expect(run_check("gf_minimax", "shift", "1", NULL), CP_REFUTED);
}

static void test_two_parameter(void **state)
{
    (void) state;
    expect(run_check("tp_opt", "T", "2,5,30", NULL), CP_CERTIFIED);
    expect(run_check("tp_opt", "T", "5,10", "beta_lo", "-0.4", "beta_hi", "-0.22", NULL), CP_CERTIFIED);
    /* a region that does not contain beta_2 = -0.2876 */
    expect_not_certified(run_check("tp_opt", "T", "2", "beta_lo", "-0.32", "beta_hi", "-0.29", NULL));
    run_result r = run_check("tp_opt", "T", "1", NULL);       /* beta not identified */
    assert_true(r.bad_input);
}

static void test_chebyshev(void **state)
{
    (void) state;
    expect(run_check("tp_chebyshev", "T", "3,5", NULL), CP_CERTIFIED);
    /* T = 1: the Chebyshev step is alpha*, which cannot beat alpha_1 */
    expect_not_certified(run_check("tp_chebyshev", "T", "1", NULL));
    /* at T = 3 the Chebyshev excess is 0.543 of the best tied one: a claimed
     * factor 1/2 is false, 3/5 is true */
    expect(run_check("tp_chebyshev", "T", "3", "bound", "1/2", NULL), CP_REFUTED);
    expect(run_check("tp_chebyshev", "T", "3", "bound", "3/5", NULL), CP_CERTIFIED);
    /* T = 2: false under the uniform prior on [1/2, 4] */
    expect_not_certified(run_check("tp_chebyshev", "T", "2", NULL));
}

static int run_cmd(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5)
{
    char *argv[8];
    int n = 0;
    argv[n++] = (char *) "flow";
    if (a1) argv[n++] = (char *) a1;
    if (a2) argv[n++] = (char *) a2;
    if (a3) argv[n++] = (char *) a3;
    if (a4) argv[n++] = (char *) a4;
    if (a5) argv[n++] = (char *) a5;
    argv[n] = NULL;
    return cp_cmd_flow(n, argv);
}

static void test_flow_command(void **state)
{
    (void) state;
    char path[64];
    snprintf(path, sizeof path, "out=/tmp/cp_test_flow_%d.csv", (int) getpid());
    assert_int_equal(run_cmd("T=5", "alpha0=0.1", path, NULL, NULL), 0);
    assert_int_equal(run_cmd("T=5", "alpha0=0.28", "beta0=-0.28", "tau=150", path), 0);
    /* not integrated long enough: the endpoint is far from the minimizer */
    assert_int_equal(run_cmd("T=5", "alpha0=0.1", "beta0=-0.2", "tau=1/100", path), 1);
    /* bad input: exit 2 */
    assert_int_equal(run_cmd("T=0", path, NULL, NULL, NULL), 2);
    assert_int_equal(run_cmd("T=1", "beta0=-0.2", path, NULL, NULL), 2);
    assert_int_equal(run_cmd("T=5", "beta0=0.2", path, NULL, NULL), 2);
    assert_int_equal(run_cmd("T=5", "tau=nan", path, NULL, NULL), 2);
    assert_int_equal(run_cmd("T=5", "bogus=1", path, NULL, NULL), 2);
    remove(path + 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convexity),
        cmocka_unit_test(test_alpha_opt),
        cmocka_unit_test(test_minimax),
        cmocka_unit_test(test_two_parameter),
        cmocka_unit_test(test_chebyshev),
        cmocka_unit_test(test_flow_command),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
