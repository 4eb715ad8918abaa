/* testutil.h -- support code shared by the unit tests tests/test_*.c (each
 * its own cmocka binary; this header is included, it is not a test).
 *
 *  - splitmix(): the splitmix64 generator of the randomized tests;
 *  - the seed: a file that defines TESTUTIL_SEED (its default seed) before
 *    including this header gets `static uint64_t g_seed`, read_seed_env()
 *    (CP_SEED overrides the default) and init_seed() (that, then the line
 *    "seed = N"), and print_model(), which names the seed;
 *  - print_ball(): a ball on failure, TESTUTIL_BALL_DIGITS digits (default 25);
 *  - set_model(): a model with support [lo, hi], sigma = 0 and beta(2, 2);
 *  - engine tests (crossproof/engine.h included before this header): scaled() (a tenth of the samples under valgrind),
 *    engine_model() (the double model: uniform prior on [lo, hi], Gaussian
 *    zeta, k = 1) and engine_cfg() (an exact-query run, conditional
 *    estimator, two threads);
 *  - running a registered check through the real runner: lookup_check(),
 *    kv_set_pairs() (NULL-terminated key, value varargs), print_kv(),
 *    run_stat_check() (a statistical check on key=value strings).
 *
 * Everything is static inline, so a test that uses only part of it gets no
 * unused-function warnings. */
#ifndef CP_TESTUTIL_H
#define CP_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/check.h"
#include "crossproof/model.h"

#ifndef TESTUTIL_BALL_DIGITS
#define TESTUTIL_BALL_DIGITS 25
#endif

/* splitmix64 */
static inline uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#ifdef TESTUTIL_SEED
static uint64_t g_seed = TESTUTIL_SEED;

/* CP_SEED, when set and non-empty, overrides the default seed */
static inline void read_seed_env(void)
{
    const char *s = getenv("CP_SEED");
    if (s != NULL && *s)
        g_seed = strtoull(s, NULL, 10);
}

/* read_seed_env(), then print the seed in use */
static inline void init_seed(void)
{
    read_seed_env();
    printf("seed = %llu\n", (unsigned long long) g_seed);
}

static inline void print_model(const char *what, const cp_model_t m)
{
    char *lo = fmpq_get_str(NULL, 10, m->m_lo), *hi = fmpq_get_str(NULL, 10, m->m_hi);
    char *a = fmpq_get_str(NULL, 10, m->beta_a), *b = fmpq_get_str(NULL, 10, m->beta_b);
    print_error("seed %llu, %s: prior %s, m_lo = %s, m_hi = %s, beta_a = %s, beta_b = %s\n",
                (unsigned long long) g_seed, what, cp_prior_name(m->prior), lo, hi, a, b);
    flint_free(lo); flint_free(hi); flint_free(a); flint_free(b);
}
#endif

static inline void print_ball(const char *name, const arb_t x)
{
    char *s = arb_get_str(x, TESTUTIL_BALL_DIGITS, 0);
    print_error("  %s = %s\n", name, s);
    flint_free(s);
}

static inline void set_model(cp_model_t m, slong lo_n, ulong lo_d, slong hi_n, ulong hi_d, cp_prior_kind prior)
{
    fmpq_set_si(m->m_lo, lo_n, lo_d);
    fmpq_set_si(m->m_hi, hi_n, hi_d);
    fmpq_zero(m->sigma);
    fmpq_set_si(m->beta_a, 2, 1);
    fmpq_set_si(m->beta_b, 2, 1);
    m->prior = prior;
}

/* the registered check `name`; fails the test if there is none */
static inline const cp_check_def *lookup_check(const char *name)
{
    const cp_check_def *def = cp_check_lookup(name);
    if (def == NULL)
        print_error("check %s not registered\n", name);
    assert_non_null(def);
    return def;
}

/* Runs the registered statistical check `name` on the key=value strings kvs
 * (NULL-terminated) through the real runner; asserts that the parameters are
 * valid, that the verdict is not a certificate and that an interval is
 * reported; returns the verdict. */
static inline cp_verdict run_stat_check(const char *name, const char *const *kvs)
{
    const cp_check_def *def = lookup_check(name);
    cp_kv kv;
    cp_check_run run;
    char err[CP_ERRLEN];
    assert_int_equal(def->kind, CP_CHECK_STAT);
    cp_kv_init(&kv, "");
    for (int i = 0; kvs[i]; i++)
        assert_int_equal(cp_kv_add_arg(&kv, kvs[i], err), 0);
    assert_int_equal(cp_kv_validate(&kv, def->keys, err), 0);
    cp_check_run_init(&run, def, &kv, 256);
    cp_verdict v = cp_check_execute(&run, NULL);
    assert_false(run.bad_input);
    assert_true(v != CP_CERTIFIED && v != CP_REFUTED);
    assert_true(run.interval[0] != '\0');
    cp_check_run_clear(&run);
    cp_kv_clear(&kv);
    return v;
}

/* sets the NULL-terminated key, value pairs of `ap` in kv */
static inline void kv_set_pairs(cp_kv *kv, va_list ap)
{
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (k == NULL)
            break;
        const char *v = va_arg(ap, const char *);
        assert_int_equal(cp_kv_set(kv, k, v, 0, 0), 0);
    }
}

/* the parameters of a run, one "key = value" line each */
static inline void print_kv(const cp_kv *kv)
{
    for (int i = 0; i < kv->n; i++)
        printf("      %s = %s\n", kv->e[i].key, kv->e[i].value);
}


#ifdef CROSSPROOF_ENGINE_H   /* engine tests (crossproof/engine.h included first) */
/* Under valgrind (make memcheck sets CP_VALGRIND=1) the heaviest
 * statistical tests run with a tenth of the samples; their tolerances are
 * in standard errors, so they stay valid (with less power). */
static inline long scaled(long n)
{
    const char *v = getenv("CP_VALGRIND");
    return v && *v && *v != '0' ? n / 10 : n;
}

static inline cp_model_approx engine_model(long d1, long d2, double sigma, double lo, double hi)
{
    cp_model_approx m;
    memset(&m, 0, sizeof m);
    m.m_lo = lo; m.m_hi = hi; m.sigma = sigma; m.beta_a = 2; m.beta_b = 2;
    m.d1 = d1; m.d2 = d2; m.k = 1;
    m.prior = CP_PRIOR_UNIFORM; m.zeta = CP_ZETA_GAUSSIAN;
    return m;
}

static inline cp_sim_config engine_cfg(cp_model_approx m, long L, cp_sampler smp, uint64_t seed, long long n)
{
    cp_sim_config c;
    memset(&c, 0, sizeof c);
    c.model = m; c.L = L; c.sampler = smp; c.estimator = CP_EST_CONDITIONAL;
    c.query = CP_QUERY_EXACT; c.seed = seed; c.prompts = n; c.threads = 2;
    return c;
}
#endif

#endif
