/* rng.c -- Philox4x32-10 and the distributions the engine needs (rng.h). */
#include <math.h>
#include <pthread.h>
#include "crossproof/rng.h"

#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)

void cp_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t) PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t) PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t) (p0 >> 32), lo0 = (uint32_t) p0;
        uint32_t hi1 = (uint32_t) (p1 >> 32), lo1 = (uint32_t) p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

static void zig_setup(void);
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

void cp_rng_init(cp_rng *r, uint64_t seed, uint64_t stream, uint32_t substream)
{
    pthread_once(&zig_once, zig_setup);     /* ziggurat tables, once per process */
    r->key[0] = (uint32_t) seed;
    r->key[1] = (uint32_t) (seed >> 32);
    r->ctr[0] = 0;
    r->ctr[1] = substream;
    r->ctr[2] = (uint32_t) stream;
    r->ctr[3] = (uint32_t) (stream >> 32);
    r->pos = 4 * CP_RNG_BLOCKS;
    r->has_spare = 0;
    r->spare = 0.0;
}

/* CP_RNG_BLOCKS (= 8) Philox blocks at counters ctr[0] + b, b = 0..7.
 * Portable path: the block function eight times.  AVX2 path: two vectors
 * of four blocks each (blocks 0..3 and 4..7), their rounds interleaved so
 * that the two dependency chains overlap; every word is kept in the low
 * 32 bits of a 64-bit lane, and _mm256_mul_epu32 gives the full
 * 32 x 32 -> 64 products.  tests/test_rng.c checks the stream against
 * cp_philox4x32_10. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2")))
static void philox8_avx2(uint32_t *out, const uint32_t ctr[4], const uint32_t key[2])
{
    const __m256i mask = _mm256_set1_epi64x(0xffffffffLL);
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
    __m256i c0 = _mm256_set_epi64x((uint32_t) (ctr[0] + 3u), (uint32_t) (ctr[0] + 2u),
                                   (uint32_t) (ctr[0] + 1u), ctr[0]);
    __m256i e0 = _mm256_set_epi64x((uint32_t) (ctr[0] + 7u), (uint32_t) (ctr[0] + 6u),
                                   (uint32_t) (ctr[0] + 5u), (uint32_t) (ctr[0] + 4u));
    __m256i c1 = _mm256_set1_epi64x(ctr[1]), c2 = _mm256_set1_epi64x(ctr[2]), c3 = _mm256_set1_epi64x(ctr[3]);
    __m256i e1 = c1, e2 = c2, e3 = c3;
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        __m256i kk0 = _mm256_set1_epi64x(k0), kk1 = _mm256_set1_epi64x(k1);
        __m256i p0 = _mm256_mul_epu32(c0, m0), p1 = _mm256_mul_epu32(c2, m1);
        __m256i q0 = _mm256_mul_epu32(e0, m0), q1 = _mm256_mul_epu32(e2, m1);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), kk0);
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), kk1);
        __m256i o0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(q1, 32), e1), kk0);
        __m256i o2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(q0, 32), e3), kk1);
        c1 = _mm256_and_si256(p1, mask);
        c3 = _mm256_and_si256(p0, mask);
        e1 = _mm256_and_si256(q1, mask);
        e3 = _mm256_and_si256(q0, mask);
        c0 = n0; c2 = n2;
        e0 = o0; e2 = o2;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    uint64_t w[8][4];
    _mm256_storeu_si256((__m256i *) w[0], c0);
    _mm256_storeu_si256((__m256i *) w[1], c1);
    _mm256_storeu_si256((__m256i *) w[2], c2);
    _mm256_storeu_si256((__m256i *) w[3], c3);
    _mm256_storeu_si256((__m256i *) w[4], e0);
    _mm256_storeu_si256((__m256i *) w[5], e1);
    _mm256_storeu_si256((__m256i *) w[6], e2);
    _mm256_storeu_si256((__m256i *) w[7], e3);
    for (int b = 0; b < 4; b++)
        for (int q = 0; q < 4; q++) {
            out[4 * b + q] = (uint32_t) w[q][b];
            out[16 + 4 * b + q] = (uint32_t) w[4 + q][b];
        }
}
#endif

static void philox_blocks(uint32_t *out, const uint32_t ctr[4], const uint32_t key[2])
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2")) {
        philox8_avx2(out, ctr, key);
        return;
    }
#endif
    for (int b = 0; b < CP_RNG_BLOCKS; b++) {
        uint32_t c[4] = { ctr[0] + (uint32_t) b, ctr[1], ctr[2], ctr[3] };
        cp_philox4x32_10(out + 4 * b, c, key);
    }
}

void cp_rng_refill(cp_rng *r)
{
    philox_blocks(r->buf, r->ctr, r->key);
    r->ctr[0] += CP_RNG_BLOCKS;    /* 2^32 blocks per substream: far beyond any prompt */
    r->pos = 0;
}

double cp_rng_uniform(cp_rng *r)
{
    uint64_t hi = cp_rng_u32(r), lo = cp_rng_u32(r);
    uint64_t bits = ((hi << 32) | lo) >> 11;            /* 53 bits */
    return ((double) bits + 0.5) * 0x1.0p-53;           /* in (0, 1) */
}

double cp_rng_normal_bm(cp_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = cp_rng_uniform(r), u2 = cp_rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1));
    double th = 6.283185307179586476925 * u2;
    r->spare = rad * sin(th);
    r->has_spare = 1;
    return rad * cos(th);
}

/* --- ziggurat tables (Marsaglia and Tsang 2000, "zigset" with 128 layers) */
static uint32_t zig_k[128];
static double zig_w[128], zig_f[128];

static void zig_setup(void)
{
    const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
    double dn = 3.442619855899, tn = dn;
    double q = vn / exp(-0.5 * dn * dn);
    zig_k[0] = (uint32_t) ((dn / q) * m1);
    zig_k[1] = 0;
    zig_w[0] = q / m1;
    zig_w[127] = dn / m1;
    zig_f[0] = 1.0;
    zig_f[127] = exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2.0 * log(vn / dn + exp(-0.5 * dn * dn)));
        zig_k[i + 1] = (uint32_t) ((dn / tn) * m1);
        tn = dn;
        zig_f[i] = exp(-0.5 * dn * dn);
        zig_w[i] = dn / m1;
    }
}

static double zig_fix(cp_rng *r, int32_t hz, uint32_t iz)
{
    const double rr = 3.442619855899;
    for (;;) {
        double x = hz * zig_w[iz];
        if (iz == 0) {                       /* tail beyond rr (Marsaglia 1964) */
            double y;
            do {
                x = -log(cp_rng_uniform(r)) / rr;
                y = -log(cp_rng_uniform(r));
            } while (y + y < x * x);
            return hz > 0 ? rr + x : -rr - x;
        }
        if (zig_f[iz] + cp_rng_uniform(r) * (zig_f[iz - 1] - zig_f[iz]) < exp(-0.5 * x * x))
            return x;
        hz = (int32_t) cp_rng_u32(r);
        iz = (uint32_t) hz & 127u;
        if ((uint32_t) (hz < 0 ? -(int64_t) hz : hz) < zig_k[iz])
            return hz * zig_w[iz];
    }
}

/* The ziggurat's fast path, inlined into every caller in this file. */
static inline double normal_inline(cp_rng *r)
{
    int32_t hz = (int32_t) cp_rng_u32(r);
    uint32_t iz = (uint32_t) hz & 127u;
    if (__builtin_expect((uint32_t) (hz < 0 ? -(int64_t) hz : hz) < zig_k[iz], 1))
        return hz * zig_w[iz];
    return zig_fix(r, hz, iz);
}

double cp_rng_normal(cp_rng *r)
{
    return normal_inline(r);
}

/* Same words in the same order as n calls of cp_rng_normal. */
void cp_rng_normal_vec(cp_rng *r, double *v, long n)
{
    long i = 0;
    while (i < n) {
        if (r->pos == 4 * CP_RNG_BLOCKS)
            cp_rng_refill(r);
        /* words left in the buffer: draw that many fast-path normals
         * without re-checking the buffer; zig_fix reads on by itself */
        long avail = 4 * CP_RNG_BLOCKS - r->pos;
        long end = n - i < avail ? n : i + avail;
        for (; i < end; i++) {
            int32_t hz = (int32_t) r->buf[r->pos++];
            uint32_t iz = (uint32_t) hz & 127u;
            if (__builtin_expect((uint32_t) (hz < 0 ? -(int64_t) hz : hz) < zig_k[iz], 1)) {
                v[i] = hz * zig_w[iz];
            } else {
                v[i] = zig_fix(r, hz, iz);
                i++;
                break;             /* zig_fix may have moved pos: recompute */
            }
        }
    }
}

double cp_rng_gamma(cp_rng *r, double a)
{
    if (a < 1.0) {
        /* Gamma(a) = Gamma(a + 1) U^(1/a) */
        double g = cp_rng_gamma(r, a + 1.0);
        return g * pow(cp_rng_uniform(r), 1.0 / a);
    }
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = normal_inline(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = cp_rng_uniform(r);
        if (u < 1.0 - 0.0331 * (x * x) * (x * x))
            return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

double cp_rng_chi2(cp_rng *r, double k)
{
    return 2.0 * cp_rng_gamma(r, 0.5 * k);
}

double cp_rng_beta(cp_rng *r, double a, double b)
{
    double x = cp_rng_gamma(r, a), y = cp_rng_gamma(r, b);
    return x / (x + y);
}
