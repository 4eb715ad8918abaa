/* test_engine_checks.c -- the statistical checks of checks/risk_limits.c
 * must be able to fail: each is run on a setting where its claim is false
 * (or its reference is wrong) and must answer CONTRADICTED, and on a true
 * setting with small samples where it must not.  Statistical checks may
 * never answer CERTIFIED or REFUTED. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/check.h"
#include "testutil.h"


static void test_large_L_contradicted_at_small_L(void **state)
{
    (void) state;
    /* at L = 100 the finite-L term (about 0.007 at T = 20) dwarfs the population excess (about 1e-6);
     * alpha = 0.2 keeps every prompt convergent (at alpha* heavy tails would leave it undecided) */
    const char *bad[] = { "L=100", "T=20", "alpha=0.2", "prompts=20000", NULL };
    assert_int_equal(run_stat_check("ca_large_L_excess", bad), CP_CONTRADICTED);
    const char *good[] = { "L=1000000", "T=1,5", "prompts=50000", "tol_rel=0.1", NULL };
    assert_int_equal(run_stat_check("ca_large_L_excess", good), CP_SUPPORTED);
}

static void test_least_squares_contradicted_at_small_T(void **state)
{
    (void) state;
    /* T = 1 (one LSA layer) is far from the least-squares limit */
    const char *bad[] = { "d1=2", "d2=2", "L=40", "T=1", "prompts=20000", NULL };
    assert_int_equal(run_stat_check("ca_least_squares_limit", bad), CP_CONTRADICTED);
}

static void test_toward_bayes_contradicted_when_reversed(void **state)
{
    (void) state;
    const char *bad[] = { "T=10,1", "L=5000,50", "prompts=20000", NULL };
    assert_int_equal(run_stat_check("ca_toward_bayes", bad), CP_CONTRADICTED);
    const char *good[] = { "T=1,10", "L=50,5000", "prompts=20000", NULL };
    assert_int_equal(run_stat_check("ca_toward_bayes", good), CP_SUPPORTED);
}

static void test_training_contradicted_when_L_decreases(void **state)
{
    (void) state;
    const char *bad[] = { "model=ca", "T=3", "L_train=100000,200", "seeds=2", "steps=300", "lr=0.2",
                          "alpha0=0.2", NULL };
    assert_int_equal(run_stat_check("ca_trained_params", bad), CP_CONTRADICTED);
}

/* heavy tails make a check INCONCLUSIVE, never SUPPORTED (docs/model.md FC-9):
 * at L = 200, T = 20 > kappa* L the tied CA at alpha* has a tail-dominated excess */
static void test_heavy_tail_inconclusive(void **state)
{
    (void) state;
    const char *heavy[] = { "L=200", "T=20", "prompts=20000", "tol_rel=1000", NULL };
    assert_int_equal(run_stat_check("ca_large_L_excess", heavy), CP_INCONCLUSIVE);
    /* the same band with a light-tailed depth passes, so the verdict above comes from the flag */
    const char *light[] = { "L=200", "T=1", "prompts=20000", "tol_rel=1000", NULL };
    assert_int_equal(run_stat_check("ca_large_L_excess", light), CP_SUPPORTED);
    const char *path[] = { "T=1,10", "L=50,5000", "prompts=20000", "kappa_star=0.001", NULL };
    assert_int_equal(run_stat_check("ca_toward_bayes", path), CP_INCONCLUSIVE);
}

/* the mutants named in theorems/risk_limits.md are caught */
static void test_mutants_caught(void **state)
{
    (void) state;
    const char *large[] = { "T=1,2", "prompts=50000", "ref_T_offset=1", NULL };
    assert_int_equal(run_stat_check("ca_large_L_excess", large), CP_CONTRADICTED);
    /* d + 4 in the formula: 2% off at L = 200, twice the band */
    const char *ls[] = { "d1=2", "d2=2", "sigma=1/2", "L=200", "T=60", "prompts=20000", "ref_d_offset=4", NULL };
    assert_int_equal(run_stat_check("ca_least_squares_limit", ls), CP_CONTRADICTED);
    /* T = 1000 at L = 40 is far beyond kappa*(0.15, 4) = 0.576 L: the certified
     * lower bound (FB-5) exceeds the estimate, so the check may not decide */
    const char *beyond[] = { "d1=2", "d2=2", "sigma=1/2", "L=40", "T=1000", "prompts=20000", NULL };
    assert_int_equal(run_stat_check("ca_least_squares_limit", beyond), CP_INCONCLUSIVE);
    const char *rev[] = { "T=1,10", "L=50,5000", "prompts=20000", "reverse=1", NULL };
    assert_int_equal(run_stat_check("ca_toward_bayes", rev), CP_CONTRADICTED);
    /* kappa path: growth above kappa* is SUPPORTED forwards and CONTRADICTED backwards */
    const char *up[] = { "mode=above", "kappa=3/20", "L=100,150", "prompts=50000", NULL };
    assert_int_equal(run_stat_check("ca_kappa_path", up), CP_SUPPORTED);
    const char *down[] = { "mode=above", "kappa=3/20", "L=100,150", "prompts=50000", "reverse=1", NULL };
    assert_int_equal(run_stat_check("ca_kappa_path", down), CP_CONTRADICTED);
    /* settling needs the least-squares level: at L = 200 the ratio is about 1.13, outside a 5% band */
    const char *early[] = { "mode=below", "kappa=1/25", "L=100,200", "prompts=10000", NULL };
    assert_int_equal(run_stat_check("ca_kappa_path", early), CP_CONTRADICTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_L_contradicted_at_small_L),
        cmocka_unit_test(test_least_squares_contradicted_at_small_T),
        cmocka_unit_test(test_toward_bayes_contradicted_when_reversed),
        cmocka_unit_test(test_training_contradicted_when_L_decreases),
        cmocka_unit_test(test_heavy_tail_inconclusive),
        cmocka_unit_test(test_mutants_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
