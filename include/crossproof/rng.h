/* rng.h -- counter-based random numbers (Philox4x32-10) with independent
 * streams, for the double-precision engine.
 *
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC 2011) maps a 128-bit counter and a 64-bit key to 128
 * random bits.  crossproof uses the key for the user's seed and splits the
 * counter as
 *     ctr[0]       block index inside the stream (2^32 blocks of 4 words),
 *     ctr[1]       substream (what the numbers are for: context, query, ...),
 *     ctr[2..3]    stream (the prompt's index, 64 bits),
 * so every prompt owns its random numbers no matter which thread draws it.
 * That is what makes simulation results bit-identical for any thread count.
 *
 * These are statistical tools with no error control; nothing drawn here
 * ever feeds a certified computation. */
#ifndef CROSSPROOF_RNG_H
#define CROSSPROOF_RNG_H

#include <stdint.h>

/* One Philox4x32-10 block: out = philox(ctr, key).  Known-answer vectors of
 * Random123 are checked in tests/test_rng.c. */
void cp_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]);

#define CP_RNG_BLOCKS 8  /* Philox blocks per refill: two AVX2 vectors of four 64-bit lanes (rng.c assumes 8) */

typedef struct {
    uint32_t key[2];
    uint32_t ctr[4];
    uint32_t buf[4 * CP_RNG_BLOCKS];
    int pos;            /* next unused word of buf; 4 * CP_RNG_BLOCKS = empty */
    int has_spare;      /* Box-Muller keeps the second normal */
    double spare;
} cp_rng;

/* Positions the generator at block 0 of (seed, stream, substream). */
void cp_rng_init(cp_rng *r, uint64_t seed, uint64_t stream, uint32_t substream);

/* Next 32 random bits (inline fast path).  The words are those of blocks
 * ctr[0] = 0, 1, 2, ... in order; a refill computes CP_RNG_BLOCKS
 * consecutive blocks at once, which changes speed, not the stream. */
void cp_rng_refill(cp_rng *r);
static inline uint32_t cp_rng_u32(cp_rng *r)
{
    if (r->pos == 4 * CP_RNG_BLOCKS)
        cp_rng_refill(r);
    return r->buf[r->pos++];
}
/* Uniform on the open interval (0, 1), 53 random bits. */
double cp_rng_uniform(cp_rng *r);
/* Standard normal: the ziggurat of Marsaglia and Tsang (J. Stat. Softw. 5,
 * 2000) with 128 layers, one 32-bit word per draw on the fast path and
 * the exact tail algorithm beyond r = 3.4426. */
double cp_rng_normal(cp_rng *r);
/* Standard normal by Box-Muller (slower; kept as an independent reference
 * for the tests). */
double cp_rng_normal_bm(cp_rng *r);
/* Fills v[0..n) with standard normals. */
void cp_rng_normal_vec(cp_rng *r, double *v, long n);
/* Gamma(shape a, scale 1), a > 0: Marsaglia and Tsang (ACM TOMS 26, 2000),
 * with the U^(1/a) boost for a < 1. */
double cp_rng_gamma(cp_rng *r, double a);
/* Chi-square with k > 0 degrees of freedom: 2 Gamma(k/2). */
double cp_rng_chi2(cp_rng *r, double k);
/* Beta(a, b) from two gammas. */
double cp_rng_beta(cp_rng *r, double a, double b);

#endif
