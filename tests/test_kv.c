/* test_kv.c -- exact parameter parsing (kv.h) and model validation
 * (cp_model_from_kv).  Oracles: rationals built by hand from integers
 * (fmpq_set_si, powers of ten), never the parser's own output.  The
 * randomized test is seeded from CP_SEED (default below) and prints the seed
 * and every input on failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "crossproof/kv.h"
#include "crossproof/model.h"

#define TESTUTIL_SEED 20260204 /* default seed; CP_SEED overrides it */
#include "testutil.h"

/* parse text and require it to equal num/den exactly */
static void expect_rat(const char *text, slong num, ulong den)
{
    fmpq_t got, want;
    fmpq_init(got);
    fmpq_init(want);
    fmpq_set_si(want, num, den);
    int r = cp_parse_rat(got, text);
    if (r != 0 || !fmpq_equal(got, want)) {
        char *g = fmpq_get_str(NULL, 10, got);
        print_error("cp_parse_rat(\"%s\"): rc %d, got %s, want %ld/%lu\n", text, r, g,
                    (long) num, (unsigned long) den);
        flint_free(g);
    }
    assert_int_equal(r, 0);
    assert_true(fmpq_equal(got, want));
    fmpq_clear(got);
    fmpq_clear(want);
}

static void expect_rat_reject(const char *text)
{
    fmpq_t q;
    fmpq_init(q);
    int r = cp_parse_rat(q, text);
    if (r == 0)
        print_error("cp_parse_rat(\"%s\") accepted malformed input\n", text);
    assert_int_not_equal(r, 0);
    fmpq_clear(q);
}

static void test_parse_rat_exact(void **state)
{
    (void) state;
    expect_rat("0.1", 1, 10);            /* not the double 0.1000000000000000055... */
    expect_rat("1e-3", 1, 1000);
    expect_rat("-2.5", -5, 2);
    expect_rat("1/3", 1, 3);
    expect_rat("  4 ", 4, 1);
    expect_rat("+7", 7, 1);
    expect_rat("2E2", 200, 1);
    expect_rat("1.25e+1", 25, 2);
    expect_rat(".5", 1, 2);
    expect_rat("3.", 3, 1);
    expect_rat("6/4", 3, 2);             /* canonicalised */
    expect_rat("-1/3", -1, 3);
    expect_rat("0.5/2", 1, 4);
    expect_rat("0", 0, 1);
    expect_rat("-0", 0, 1);

    /* 0.1 must differ from the nearest double: the exact difference of the
     * two rationals is nonzero */
    fmpq_t q, d;
    fmpq_init(q);
    fmpq_init(d);
    assert_int_equal(cp_parse_rat(q, "0.1"), 0);
    fmpz_t man;
    fmpz_init(man);
    /* 0.1 as a double is 3602879701896397 / 2^55 */
    fmpz_set_ui(man, 3602879701896397ULL);
    fmpz_one(fmpq_denref(d));
    fmpz_mul_2exp(fmpq_denref(d), fmpq_denref(d), 55);
    fmpz_set(fmpq_numref(d), man);
    fmpq_canonicalise(d);
    assert_false(fmpq_equal(q, d));
    fmpz_clear(man);
    fmpq_clear(q);
    fmpq_clear(d);

    /* a long decimal stays exact: 0.000...01 (40 zeros) = 10^-41 */
    char buf[64];
    strcpy(buf, "0.");
    for (int i = 0; i < 40; i++)
        strcat(buf, "0");
    strcat(buf, "1");
    fmpq_t got, want;
    fmpq_init(got);
    fmpq_init(want);
    assert_int_equal(cp_parse_rat(got, buf), 0);
    fmpz_set_ui(fmpq_numref(want), 1);
    fmpz_ui_pow_ui(fmpq_denref(want), 10, 41);
    assert_true(fmpq_equal(got, want));
    fmpq_clear(got);
    fmpq_clear(want);
}

static void test_parse_rat_reject(void **state)
{
    (void) state;
    static const char *bad[] = {
        "nan", "NaN", "inf", "-inf", "infinity", "", "   ", "1.2.3", "0x10", "1/0", "1/0.0",
        "1e99999", "1e-99999", "--1", "+-1", "- 1", "1,2", "1e", "1e+", ".", "e5", "1 2",
        "1/", "/2", "1/2/3", "1/-2", "abc", "1a", "1.5f", "\t", "1e5.5"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_rat_reject(bad[i]);
}

static void test_parse_int(void **state)
{
    (void) state;
    slong v = -1;
    assert_int_equal(cp_parse_int(&v, "1e5"), 0);
    assert_int_equal(v, 100000);
    assert_int_equal(cp_parse_int(&v, " -42 "), 0);
    assert_int_equal(v, -42);
    assert_int_equal(cp_parse_int(&v, "2.0"), 0);   /* an exact integer */
    assert_int_equal(v, 2);
    assert_int_equal(cp_parse_int(&v, "9223372036854775807"), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(cp_parse_int(&v, "-9223372036854775808"), 0);
    assert_true(v == INT64_MIN);

    static const char *bad[] = { "1.5", "1/2", "1e-1", "9223372036854775808",
                                 "-9223372036854775809", "1e19", "99999999999999999999999",
                                 "", "nan", "0x10", "1,2" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 12345;
        int r = cp_parse_int(&v, bad[i]);
        if (r == 0)
            print_error("cp_parse_int(\"%s\") accepted, gave %ld\n", bad[i], (long) v);
        assert_int_not_equal(r, 0);
    }
}

/* Random property: the text "[-]I.F" and "[-]N e-K" and "p/q", written by
 * the test from integers, parse to the rational built from the same
 * integers. */
static void test_parse_rat_random(void **state)
{
    (void) state;
    uint64_t st = g_seed;
    char text[128];
    fmpq_t got, want;
    fmpz_t t;
    fmpq_init(got);
    fmpq_init(want);
    fmpz_init(t);
    for (int it = 0; it < 2000; it++) {
        int64_t n = (int64_t) (splitmix(&st) % 2000001) - 1000000;
        unsigned k = (unsigned) (splitmix(&st) % 30);
        int form = (int) (splitmix(&st) % 3);
        if (form == 0) {
            /* n * 10^-k in scientific notation */
            snprintf(text, sizeof text, "%lde-%u", (long) n, k);
            fmpz_set_si(fmpq_numref(want), n);
            fmpz_ui_pow_ui(fmpq_denref(want), 10, k);
        } else if (form == 1) {
            /* |n| with a decimal point k digits from the right (padded) */
            uint64_t a = (uint64_t) (n < 0 ? -n : n);
            char digits[64];
            snprintf(digits, sizeof digits, "%0*llu", (int) k + 1, (unsigned long long) a);
            size_t L = strlen(digits);
            snprintf(text, sizeof text, "%s%.*s.%s", n < 0 ? "-" : "", (int) (L - k), digits,
                     digits + L - k);
            fmpz_set_si(fmpq_numref(want), n);
            fmpz_ui_pow_ui(fmpq_denref(want), 10, k);
        } else {
            uint64_t q = 1 + splitmix(&st) % 100000;
            snprintf(text, sizeof text, "%ld/%llu", (long) n, (unsigned long long) q);
            fmpz_set_si(fmpq_numref(want), n);
            fmpz_set_ui(fmpq_denref(want), q);
        }
        fmpq_canonicalise(want);
        int r = cp_parse_rat(got, text);
        if (r != 0 || !fmpq_equal(got, want)) {
            char *w = fmpq_get_str(NULL, 10, want);
            print_error("seed %llu iteration %d: cp_parse_rat(\"%s\") rc %d, want %s\n",
                        (unsigned long long) g_seed, it, text, r, w);
            flint_free(w);
        }
        assert_int_equal(r, 0);
        assert_true(fmpq_equal(got, want));
    }
    fmpq_clear(got);
    fmpq_clear(want);
    fmpz_clear(t);
}

/* --- cp_kv and validation --------------------------------------------- */

static const cp_key_spec test_keys[] = {
    { "x",    CP_KEY_RAT,     "1",  "a number" },
    { "n",    CP_KEY_INT,     "3",  "an integer" },
    { "w",    CP_KEY_WORD,    "ab", "a word" },
    { "xs",   CP_KEY_RATLIST, "1",  "numbers" },
    { "ns",   CP_KEY_INTLIST, "1",  "integers" },
    { "need", CP_KEY_RAT,     NULL, "required" },
    CP_KEY_END
};

static void assert_prefix(const char *err, const char *prefix)
{
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        print_error("error text \"%s\" does not start with \"%s\"\n", err, prefix);
    assert_int_equal(strncmp(err, prefix, strlen(prefix)), 0);
}

static void assert_contains(const char *err, const char *needle)
{
    if (strstr(err, needle) == NULL)
        print_error("error text \"%s\" does not mention \"%s\"\n", err, needle);
    assert_non_null(strstr(err, needle));
}

static void test_kv_validate_errors(void **state)
{
    (void) state;
    char err[CP_ERRLEN];
    cp_kv kv;

    cp_kv_init(&kv, "thm.md");
    assert_int_equal(cp_kv_set(&kv, "x", "0.5", 10, 0), 0);
    assert_int_equal(cp_kv_set(&kv, "n", "7", 11, 0), 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), 0);
    /* a duplicate key is an error unless replacing is allowed */
    assert_int_equal(cp_kv_set(&kv, "x", "0.25", 12, 0), -1);
    assert_int_equal(cp_kv_set(&kv, "bogus", "1", 13, 0), 0);
    err[0] = '\0';
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), -1);
    assert_prefix(err, "thm.md:13:");
    assert_contains(err, "bogus");
    cp_kv_clear(&kv);

    cp_kv_init(&kv, "thm.md");
    cp_kv_set(&kv, "x", "0.5", 20, 0);
    cp_kv_set(&kv, "n", "1.5", 21, 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), -1);
    assert_prefix(err, "thm.md:21:");
    assert_contains(err, "1.5");
    cp_kv_clear(&kv);

    cp_kv_init(&kv, "thm.md");
    cp_kv_set(&kv, "w", "two words", 5, 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), -1);
    assert_prefix(err, "thm.md:5:");
    cp_kv_clear(&kv);

    /* command line: no file, the message names the parameter */
    cp_kv_init(&kv, "");
    assert_int_equal(cp_kv_add_arg(&kv, "x=nan", err), 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), -1);
    assert_contains(err, "x");
    assert_contains(err, "nan");
    assert_int_not_equal(cp_kv_add_arg(&kv, "=3", err), 0);
    assert_int_not_equal(cp_kv_add_arg(&kv, "novalue", err), 0);
    cp_kv_clear(&kv);
}

static void test_kv_getters(void **state)
{
    (void) state;
    char err[CP_ERRLEN];
    cp_kv kv;
    fmpq_t q, w;
    slong n = 0;
    const char *word = NULL;
    fmpq_init(q);
    fmpq_init(w);
    cp_kv_init(&kv, "");
    cp_kv_set(&kv, "x", "2/6", 0, 0);
    cp_kv_set(&kv, "need", "1e-2", 0, 0);
    assert_int_equal(cp_kv_get_rat(q, &kv, test_keys, "x", err), 0);
    fmpq_set_si(w, 1, 3);
    assert_true(fmpq_equal(q, w));
    assert_int_equal(cp_kv_get_rat(q, &kv, test_keys, "need", err), 0);
    fmpq_set_si(w, 1, 100);
    assert_true(fmpq_equal(q, w));
    /* defaults */
    assert_int_equal(cp_kv_get_int(&n, &kv, test_keys, "n", err), 0);
    assert_int_equal(n, 3);
    assert_false(cp_kv_has(&kv, "n"));
    assert_int_equal(cp_kv_get_word(&word, &kv, test_keys, "w", err), 0);
    assert_string_equal(word, "ab");
    cp_kv_clear(&kv);
    /* a required key without default */
    cp_kv_init(&kv, "");
    err[0] = '\0';
    assert_int_equal(cp_kv_get_rat(q, &kv, test_keys, "need", err), -1);
    assert_contains(err, "need");
    cp_kv_clear(&kv);
    fmpq_clear(q);
    fmpq_clear(w);
}

static void test_kv_lists(void **state)
{
    (void) state;
    char err[CP_ERRLEN];
    cp_kv kv;
    fmpq *xs = NULL;
    slong *ns = NULL, n = 0;

    cp_kv_init(&kv, "f.md");
    cp_kv_set(&kv, "xs", "0.1, 1/3 ,-2", 4, 0);
    cp_kv_set(&kv, "ns", "1e2,5,-7", 5, 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), 0);
    assert_int_equal(cp_kv_get_ratlist(&xs, &n, &kv, test_keys, "xs", err), 0);
    assert_int_equal(n, 3);
    fmpq_t w;
    fmpq_init(w);
    fmpq_set_si(w, 1, 10);
    assert_true(fmpq_equal(xs + 0, w));
    fmpq_set_si(w, 1, 3);
    assert_true(fmpq_equal(xs + 1, w));
    fmpq_set_si(w, -2, 1);
    assert_true(fmpq_equal(xs + 2, w));
    fmpq_clear(w);
    _fmpq_vec_clear(xs, n);
    assert_int_equal(cp_kv_get_intlist(&ns, &n, &kv, test_keys, "ns", err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ns[0], 100);
    assert_int_equal(ns[1], 5);
    assert_int_equal(ns[2], -7);
    flint_free(ns);
    cp_kv_clear(&kv);

    static const char *bad[] = { "1,,2", "1,2,", ",1", ",", "", "1, ,2", "1;2", "1,nan" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cp_kv_init(&kv, "f.md");
        cp_kv_set(&kv, "xs", bad[i], 9, 0);
        err[0] = '\0';
        int r = cp_kv_validate(&kv, test_keys, err);
        if (r == 0)
            print_error("ratlist \"%s\" accepted\n", bad[i]);
        assert_int_equal(r, -1);
        assert_prefix(err, "f.md:9:");
        xs = NULL;
        assert_int_equal(cp_kv_get_ratlist(&xs, &n, &kv, test_keys, "xs", err), -1);
        assert_null(xs);
        cp_kv_clear(&kv);
    }
    /* an integer list rejects a non-integer item */
    cp_kv_init(&kv, "f.md");
    cp_kv_set(&kv, "ns", "1,2.5", 3, 0);
    assert_int_equal(cp_kv_validate(&kv, test_keys, err), -1);
    assert_prefix(err, "f.md:3:");
    cp_kv_clear(&kv);
}

/* --- cp_model_from_kv -------------------------------------------------- */

/* builds a model from "k=v" args; returns the rc and leaves err */
static int model_from(cp_model_t m, char *err, int nargs, ...)
{
    cp_kv kv;
    va_list ap;
    cp_kv_init(&kv, "");
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) {
        const char *a = va_arg(ap, const char *);
        assert_int_equal(cp_kv_add_arg(&kv, a, err), 0);
    }
    va_end(ap);
    err[0] = '\0';
    int r = cp_model_from_kv(m, &kv, err);
    cp_kv_clear(&kv);
    return r;
}

static void test_model_from_kv(void **state)
{
    (void) state;
    char err[CP_ERRLEN];
    cp_model_t m;
    fmpq_t w;
    cp_model_init(m);
    fmpq_init(w);

    /* defaults and exact values */
    assert_int_equal(model_from(m, err, 0), 0);
    fmpq_set_si(w, 1, 2);
    assert_true(fmpq_equal(m->m_lo, w));
    fmpq_set_si(w, 4, 1);
    assert_true(fmpq_equal(m->m_hi, w));
    assert_int_equal(m->prior, CP_PRIOR_UNIFORM);
    assert_int_equal(model_from(m, err, 4, "m_lo=0.1", "m_hi=1/3", "prior=beta", "sigma=0.3"), 0);
    fmpq_set_si(w, 1, 10);
    assert_true(fmpq_equal(m->m_lo, w));
    fmpq_set_si(w, 1, 3);
    assert_true(fmpq_equal(m->m_hi, w));
    fmpq_set_si(w, 3, 10);
    assert_true(fmpq_equal(m->sigma, w));
    assert_int_equal(m->prior, CP_PRIOR_BETA);
    /* m_lo = m_hi is allowed (the degenerate prior) */
    assert_int_equal(model_from(m, err, 2, "m_lo=2", "m_hi=2"), 0);

    /* rejections, each naming the offending parameter */
    struct { const char *a, *b, *name; } bad[] = {
        { "m_lo=5", "m_hi=4", "m_lo" },
        { "m_lo=-1", "m_hi=4", "m_lo" },
        { "sigma=-0.1", "m_hi=4", "sigma" },
        { "d1=0", "m_hi=4", "d1" },
        { "prior=cauchy", "m_hi=4", "prior" },
        { "zeta=laplace", "m_hi=4", "zeta" },
        { "m_lo=nan", "m_hi=4", "m_lo" },
        { "m_hi=inf", "m_lo=1", "m_hi" },
        { "d2=1.5", "m_hi=4", "d2" },
        { "beta_a=0", "prior=beta", "beta_a" },
        { "beta_b=-1", "prior=beta", "beta_b" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = model_from(m, err, 2, bad[i].a, bad[i].b);
        if (r == 0 || strstr(err, bad[i].name) == NULL)
            print_error("model %s %s: rc %d err \"%s\" (want it to name %s)\n", bad[i].a, bad[i].b,
                        r, err, bad[i].name);
        assert_int_equal(r, -1);
        assert_non_null(strstr(err, bad[i].name));
    }
    /* from a file the error names file:line of the offending key */
    cp_kv kv;
    cp_kv_init(&kv, "t.md");
    cp_kv_set(&kv, "m_lo", "1", 7, 0);
    cp_kv_set(&kv, "sigma", "-2", 8, 0);
    assert_int_equal(cp_model_from_kv(m, &kv, err), -1);
    assert_prefix(err, "t.md:8:");
    cp_kv_clear(&kv);

    fmpq_clear(w);
    cp_model_clear(m);
}

/* Integer ranges (issue 11): each value is produced independently here by
 * the arithmetic series the item denotes. */
static void test_intlist_ranges(void **state)
{
    (void) state;
    slong *v = NULL, n = 0;
    assert_int_equal(cp_parse_intlist(&v, &n, "1..50"), 0);
    assert_int_equal(n, 50);
    for (slong i = 0; i < n; i++)
        assert_int_equal(v[i], i + 1);
    flint_free(v);
    assert_int_equal(cp_parse_intlist(&v, &n, "10..1000 step 10"), 0);
    assert_int_equal(n, 100);
    for (slong i = 0; i < n; i++)
        assert_int_equal(v[i], 10 * (i + 1));
    flint_free(v);
    /* the last value is the largest a + k s <= b */
    assert_int_equal(cp_parse_intlist(&v, &n, "3..10 step 4,20, 7..7"), 0);
    assert_int_equal(n, 4);
    assert_int_equal(v[0], 3); assert_int_equal(v[1], 7);
    assert_int_equal(v[2], 20); assert_int_equal(v[3], 7);
    flint_free(v);
    const char *bad[] = { "5..1", "1..", "..3", "1...3", "1..3 step 0", "1..3 step -1",
                          "1..3 stp 2", "1..3 step", "1 ..3", "1.5..3", "1..3,", "a..b",
                          "1..3 step 1 step 2", "", NULL };
    for (int i = 0; bad[i]; i++)
        assert_int_equal(cp_parse_intlist(NULL, NULL, bad[i]), -1);
    assert_int_equal(cp_parse_intlist(NULL, NULL, "1..2000000"), -2);
    assert_int_equal(cp_parse_intlist(NULL, NULL, "1..1000000"), 0);
}

int main(void)
{
    init_seed();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_rat_exact),
        cmocka_unit_test(test_parse_rat_reject),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_parse_rat_random),
        cmocka_unit_test(test_kv_validate_errors),
        cmocka_unit_test(test_kv_getters),
        cmocka_unit_test(test_kv_lists),
        cmocka_unit_test(test_intlist_ranges),
        cmocka_unit_test(test_model_from_kv),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    flint_cleanup();
    return rc;
}
