/* test_rng.c -- Philox4x32-10 known answers, stream independence, and the
 * laws of the derived distributions against exact moments and the normal
 * CDF (Kolmogorov-Smirnov).  Seeds are fixed; every test can fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>
#include "crossproof/rng.h"

static void test_philox_kat(void **state)
{
    (void) state;
    /* Random123 tests/kat_vectors, philox4x32 10 rounds */
    static const uint32_t ctr[3][4] = {
        { 0, 0, 0, 0 },
        { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu },
        { 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u } };
    static const uint32_t key[3][2] = { { 0, 0 }, { 0xffffffffu, 0xffffffffu }, { 0xa4093822u, 0x299f31d0u } };
    static const uint32_t want[3][4] = {
        { 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u },
        { 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu },
        { 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u } };
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        cp_philox4x32_10(out, ctr[i], key[i]);
        for (int j = 0; j < 4; j++)
            assert_int_equal(out[j], want[i][j]);
    }
}

/* The buffered generator emits exactly the words of blocks 0, 1, 2, ...
 * of cp_philox4x32_10 with ctr = (block, substream, stream lo, stream hi)
 * and key = (seed lo, seed hi). */
static void test_stream_layout(void **state)
{
    (void) state;
    cp_rng r;
    uint64_t seed = 0x123456789abcdefULL, stream = 0xfedcba987654321ULL;
    cp_rng_init(&r, seed, stream, 5);
    uint32_t key[2] = { (uint32_t) seed, (uint32_t) (seed >> 32) };
    for (uint32_t blk = 0; blk < 37; blk++) {
        uint32_t ctr[4] = { blk, 5, (uint32_t) stream, (uint32_t) (stream >> 32) }, want[4];
        cp_philox4x32_10(want, ctr, key);
        for (int j = 0; j < 4; j++)
            assert_int_equal(cp_rng_u32(&r), want[j]);
    }
}

static void test_streams(void **state)
{
    (void) state;
    cp_rng a, b, c;
    cp_rng_init(&a, 42, 7, 1);
    cp_rng_init(&b, 42, 7, 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cp_rng_u32(&a), cp_rng_u32(&b));
    /* neighbouring streams, substreams and seeds: sample correlation of
     * normals must be O(1/sqrt(n)) */
    const int n = 200000;
    uint64_t seeds[3] = { 42, 42, 43 }, streams[3] = { 8, 7, 7 };
    uint32_t subs[3] = { 1, 2, 1 };
    for (int k = 0; k < 3; k++) {
        cp_rng_init(&a, 42, 7, 1);
        cp_rng_init(&c, seeds[k], streams[k], subs[k]);
        double sxy = 0.0;
        for (int i = 0; i < n; i++)
            sxy += cp_rng_normal(&a) * cp_rng_normal(&c);
        assert_true(fabs(sxy / n) < 5.0 / sqrt((double) n));
    }
}

/* Kolmogorov-Smirnov distance of sorted x against cdf. */
static int cmp_double(const void *p, const void *q)
{
    double a = *(const double *) p, b = *(const double *) q;
    return (a > b) - (a < b);
}

static double ks_stat(double *x, int n, double (*cdf)(double))
{
    qsort(x, (size_t) n, sizeof(double), cmp_double);
    double D = 0.0;
    for (int i = 0; i < n; i++) {
        double F = cdf(x[i]);
        double d1 = fabs(F - (double) i / n), d2 = fabs((double) (i + 1) / n - F);
        D = fmax(D, fmax(d1, d2));
    }
    return D;
}

static double phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }
static double unif(double x) { return x; }

static void test_normal_and_uniform_laws(void **state)
{
    (void) state;
    const int n = 100000;
    double *x = malloc(n * sizeof(double));
    cp_rng r;
    cp_rng_init(&r, 1, 0, 0);
    double s1 = 0, s2 = 0, s4 = 0;
    for (int i = 0; i < n; i++) {
        x[i] = cp_rng_normal(&r);
        s1 += x[i]; s2 += x[i] * x[i]; s4 += x[i] * x[i] * x[i] * x[i];
    }
    /* exact moments 0, 1, 3; standard errors 1, sqrt(2), sqrt(96) over sqrt(n) */
    assert_true(fabs(s1 / n) < 5.0 / sqrt(n));
    assert_true(fabs(s2 / n - 1.0) < 5.0 * sqrt(2.0 / n));
    assert_true(fabs(s4 / n - 3.0) < 5.0 * sqrt(96.0 / n));
    /* KS at level 0.001: sqrt(n) D < 1.95 */
    assert_true(sqrt(n) * ks_stat(x, n, phi) < 1.95);
    /* negative control: the same test rejects a shift of 0.03 */
    cp_rng_init(&r, 1, 0, 0);
    for (int i = 0; i < n; i++)
        x[i] = cp_rng_normal(&r) + 0.03;
    assert_true(sqrt(n) * ks_stat(x, n, phi) > 1.95);
    cp_rng_init(&r, 2, 0, 0);
    for (int i = 0; i < n; i++) {
        x[i] = cp_rng_uniform(&r);
        assert_true(x[i] > 0.0 && x[i] < 1.0);
    }
    assert_true(sqrt(n) * ks_stat(x, n, unif) < 1.95);
    free(x);
}

/* Tail masses P(|z| > a) = erfc(a/sqrt 2) for the ziggurat (whose tail
 * starts at 3.44) and for the Box-Muller reference. */
static void test_normal_tails(void **state)
{
    (void) state;
    const long n = 2000000;
    const double as[] = { 1.0, 3.0, 3.6, 4.2 };
    for (int method = 0; method < 2; method++) {
        cp_rng r;
        cp_rng_init(&r, 5 + method, 0, 0);
        long cnt[4] = { 0 };
        for (long i = 0; i < n; i++) {
            double z = fabs(method ? cp_rng_normal_bm(&r) : cp_rng_normal(&r));
            for (int k = 0; k < 4; k++)
                cnt[k] += z > as[k];
        }
        for (int k = 0; k < 4; k++) {
            double p = erfc(as[k] / sqrt(2.0)), want = n * p, sd = sqrt(n * p * (1 - p));
            if (fabs(cnt[k] - want) > 5.0 * sd)
                fail_msg("method %d: P(|z| > %.1f): %ld draws, expected %.1f +- %.1f", method, as[k], cnt[k], want, sd);
        }
    }
}

static void test_gamma_chi2_beta(void **state)
{
    (void) state;
    const int n = 200000;
    const double ks[] = { 1.0, 2.5, 7.0, 1000.0 };
    cp_rng r;
    for (int j = 0; j < 4; j++) {
        cp_rng_init(&r, 3, (uint64_t) j, 0);
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double v = cp_rng_chi2(&r, ks[j]);
            assert_true(v >= 0.0);
            s1 += v; s2 += v * v;
        }
        double mean = s1 / n, var = s2 / n - mean * mean, k = ks[j];
        /* chi2(k): mean k, variance 2k, Var(X^2)-based se of the variance ~ sqrt(8k(k+6)/n)... */
        assert_true(fabs(mean - k) < 5.0 * sqrt(2.0 * k / n));
        assert_true(fabs(var - 2.0 * k) < 5.0 * sqrt((8.0 * k * (k + 6.0) + 8.0 * k * k) / n));
    }
    cp_rng_init(&r, 4, 0, 0);
    double s1 = 0;
    for (int i = 0; i < n; i++)
        s1 += cp_rng_beta(&r, 2.0, 3.0);
    /* Beta(2,3): mean 2/5, variance 1/25 */
    assert_true(fabs(s1 / n - 0.4) < 5.0 * sqrt(0.04 / n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_kat),
        cmocka_unit_test(test_stream_layout),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_normal_and_uniform_laws),
        cmocka_unit_test(test_normal_tails),
        cmocka_unit_test(test_gamma_chi2_beta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
