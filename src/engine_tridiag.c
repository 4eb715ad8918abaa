/* engine_tridiag.c -- sampler=tridiag: the tridiagonal reduction of the
 * conditional estimator (engine.h; docs/model.md section 12, TR-1..TR-5).
 *
 * A prompt is s plus 2d - 1 chi variables: L Sigma_hat = V (D J D) V^T with
 * V fixing m = sqrt(s) e1 (TR-1, TR-2), so every rotation-invariant quantity
 * of (Sigma_hat, m) equals that of the tridiagonal S = D J D / L.  The
 * conditional estimator f (FC-7) needs only the eigenvalues l_i of S and the
 * first components q_i of its eigenvectors (TR-3), computed by an implicit
 * QL iteration that keeps only the first row of the rotations: plain C in
 * a fixed order, so the bits do not depend on the thread. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/engine.h"
#include "crossproof/rng.h"
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

int cp_tridiag_valid(cp_pred_kind k)
{
    return cp_estimator_valid(k);
}

/* TR-3: implicit QL with Wilkinson shifts (EISPACK tql2, in the form of
 * Numerical Recipes' tqli) on the tridiagonal (a, e), e[i] coupling i and
 * i + 1.  Only row 0 of the accumulated rotation matrix is kept (z): row 0
 * of Z G depends only on row 0 of Z.  On return a holds the eigenvalues and
 * z[i] the first component of eigenvector i (unsorted).  sqrt(f^2 + g^2)
 * instead of hypot: the entries here are of order 1 to 1e4. */
static int eigen_strided(long n, double *a, double *e, double *z, long st)
{
    for (long i = 0; i < n; i++)
        z[i * st] = i == 0 ? 1.0 : 0.0;
    if (n < 1)
        return 0;
    e[(n - 1) * st] = 0.0;
    for (long l = 0; l < n; l++) {
        int iter = 0;
        for (;;) {
            long m;
            for (m = l; m < n - 1; m++) {
                double dd = fabs(a[m * st]) + fabs(a[(m + 1) * st]);
                if (fabs(e[m * st]) <= DBL_EPSILON * dd)
                    break;
            }
            if (m == l)
                break;
            if (iter++ == 60)
                return -1;
            double g = (a[(l + 1) * st] - a[l * st]) / (2.0 * e[l * st]), r = sqrt(g * g + 1.0);
            g = a[m * st] - a[l * st] + e[l * st] / (g + (g >= 0.0 ? r : -r));
            double s = 1.0, c = 1.0, p = 0.0;
            int early = 0;
            for (long i = m - 1; i >= l; i--) {
                double f = s * e[i * st], b = c * e[i * st];
                r = sqrt(f * f + g * g);
                e[(i + 1) * st] = r;
                if (r == 0.0) {          /* split: restart on the smaller block */
                    a[(i + 1) * st] -= p;
                    e[m * st] = 0.0;
                    early = 1;
                    break;
                }
                double ir = 1.0 / r;
                s = f * ir;
                c = g * ir;
                g = a[(i + 1) * st] - p;
                r = (a[i * st] - g) * s + 2.0 * c * b;
                p = s * r;
                a[(i + 1) * st] = g + p;
                g = c * r - b;
                double zf = z[(i + 1) * st];
                z[(i + 1) * st] = s * z[i * st] + c * zf;
                z[i * st] = c * z[i * st] - s * zf;
            }
            if (early)
                continue;
            a[l * st] -= p;
            e[l * st] = g;
            e[m * st] = 0.0;
        }
    }
    return 0;
}

int cp_tridiag_eigen(long n, double *a, double *e, double *z)
{
    return eigen_strided(n, a, e, z, 1);
}

/* The tridiagonal of prompt `index` into a[i * st], e[i * st] (see below).
 * tilt_c > 0: b_1^2 from the tilted mixture of (FC-8) (a uniform drawn
 * first decides the component, as in cp_prompt_draw_tilted), its weight
 * into *weight; tilt_c = 0: the plain law, nothing more drawn. */
static void fill_tridiag(double *a, double *e, long st, long d, long L, double s, uint64_t seed,
                         uint32_t substream, uint64_t index, double tilt_c, double eps, double *weight)
{
    cp_rng r;
    double lam = 1.0 + s, invL = 1.0 / (double) L, cprev2 = 0.0;
    cp_rng_init(&r, seed, index, 3u * substream + 1u);
    int tilted = tilt_c > 0 && cp_rng_uniform(&r) < eps;
    for (long k = 0; k < d; k++) {
        double b2 = cp_rng_chi2(&r, (double) (L - k));
        if (k == 0 && tilt_c > 0) {
            if (tilted)
                b2 *= tilt_c;
            *weight = cp_tilt_weight(tilt_c, eps, b2, L);
        }
        double c2 = k < d - 1 ? cp_rng_chi2(&r, (double) (d - 1 - k)) : 0.0;
        if (k == 0) {
            a[0] = lam * b2 * invL;
            e[0] = sqrt(lam * b2 * c2) * invL;
        } else {
            a[k * st] = (b2 + cprev2) * invL;
            e[k * st] = sqrt(b2 * c2) * invL;
        }
        cprev2 = c2;
    }
}

/* TR-2: L S_11 = lambda b_1^2, L S_12 = sqrt(lambda) b_1 c_1, L S_kk = b_k^2 + c_{k-1}^2,
 * L S_{k,k+1} = b_k c_k, with b_k^2 ~ chi2(L - k + 1), c_k^2 ~ chi2(d - k), drawn in
 * the order b_1^2, c_1^2, b_2^2, c_2^2, ..., b_d^2 from the context substream. */
void cp_prompt_draw_tridiag(cp_engine_ws *ws, const cp_model_approx *m, long L, uint64_t seed,
                            uint32_t substream, uint64_t index)
{
    long d = ws->d;
    cp_prompt *pr = &ws->pr;
    cp_rng r;
    cp_rng_init(&r, seed, index, 3u * substream);
    double s = cp_engine_draw_s(m, &r);
    pr->s = s;
    pr->zeta = NAN;                   /* integrated out (FC-7) */
    pr->weight = 1.0;
    pr->yq = NAN;
    for (long i = 0; i < d; i++)
        pr->m[i] = 0.0;
    pr->m[0] = sqrt(s);
    double *a = ws->eval, *e = ws->eigtmp, *z = ws->eigtmp + d, *q2 = ws->evec;
    fill_tridiag(a, e, 1, d, L, s, seed, substream, index, 0.0, 0.0, NULL);
    if (cp_tridiag_eigen(d, a, e, z) != 0)
        for (long i = 0; i < d; i++)
            a[i] = NAN;
    for (long i = 0; i < d; i++)
        q2[i] = z[i] * z[i];
}

/* TR-3: f = (s/lambda^2) (sum r_i^2 q_i^2 + s (sum r_i q_i^2)^2)
 *         + noise (sum p_i^2 l_i + s sum p_i^2 l_i q_i^2),   r_i = 1 - p_i l_i. */
double cp_tridiag_spectral_excess(long d, const double *l, const double *q2, long lst, const double *pv, long pst,
                                  double s, double noise)
{
    double b1 = 0.0, b2 = 0.0, t1 = 0.0, t2 = 0.0, lam = 1.0 + s;
    for (long i = 0; i < d; i++) {
        double p = pv[i * pst], li = l[i * lst], qi = q2[i * lst], r = 1.0 - p * li, u = p * p * li;
        b1 += r * r * qi;
        b2 += r * qi;
        t1 += u;
        t2 += u * qi;
    }
    return s / (lam * lam) * (b1 + s * b2 * b2) + noise * (t1 + s * t2);
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The recursion of poly_vec on a contiguous vector, four entries per AVX
 * operation: the same multiply and add per entry (no fused multiply-add), so
 * the same bits. */
__attribute__((target("avx")))
static void poly_contig_avx(double *out, const cp_predictor *p, const double *l, long n)
{
    long n4 = n / 4 * 4;
    for (long t = 0; t < p->T; t++) {
        double a = p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
        double b = p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
        __m256d av = _mm256_set1_pd(a), bv = _mm256_set1_pd(b), one = _mm256_set1_pd(1.0);
        for (long i = 0; i < n4; i += 4) {
            __m256d f = _mm256_add_pd(one, _mm256_mul_pd(bv, _mm256_loadu_pd(l + i)));
            _mm256_storeu_pd(out + i, _mm256_add_pd(_mm256_mul_pd(f, _mm256_loadu_pd(out + i)), av));
        }
        for (long i = n4; i < n; i++)
            out[i] = (1.0 + b * l[i]) * out[i] + a;
    }
}
#endif

/* p_i = p(l_i) for n eigenvalues l[i * st] into out[i * st]: the recursion of
 * cp_predictor_poly, layer by layer over all eigenvalues (independent chains,
 * same operations, so the same bits). */
static void poly_vec(double *out, const cp_predictor *p, const double *l, long st, long n)
{
    if (p->kind == CP_PRED_LSA) {
        for (long i = 0; i < n; i++)
            out[i * st] = p->gamma;
        return;
    }
    for (long i = 0; i < n; i++)
        out[i * st] = 0.0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (st == 1 && __builtin_cpu_supports("avx")) {
        poly_contig_avx(out, p, l, n);
        return;
    }
#endif
    for (long t = 0; t < p->T; t++) {
        double a = p->kind == CP_PRED_CA_UNTIED ? p->alphas[t] : p->alpha;
        double b = p->kind == CP_PRED_CA_UNTIED ? p->betas[t] : p->kind == CP_PRED_CA ? -p->alpha : p->beta;
        for (long i = 0; i < n; i++)
            out[i * st] = (1.0 + b * l[i * st]) * out[i * st] + a;
    }
}

/* f of one prompt from its spectrum (l, q2 with stride st; pv: scratch, same stride). */
static double spectral_f(const cp_predictor *p, long d, const double *l, const double *q2, long st, double *pv,
                         double s, long L, double sigma)
{
    double noise = (1.0 / (1.0 + s) + sigma * sigma) / (double) L;
    if (p->kind == CP_PRED_BAYES)
        return 0.0;
    if (p->kind == CP_PRED_OLS) {
        double lmax = 0.0, tr = 0.0;
        for (long i = 0; i < d; i++)
            lmax = fmax(lmax, fabs(l[i * st]));
        for (long i = 0; i < d; i++) {
            double li = l[i * st];
            if (!(li > 1e-13 * (double) d * lmax))
                return NAN;           /* S singular: least squares undefined */
            tr += (1.0 + s * q2[i * st]) / li;
        }
        return noise * tr;
    }
    poly_vec(pv, p, l, st, d);
    return cp_tridiag_spectral_excess(d, l, q2, st, pv, st, s, noise);
}

double cp_tridiag_conditional_excess(const cp_predictor *p, cp_engine_ws *ws, long L, double sigma)
{
    return spectral_f(p, ws->d, ws->eval, ws->evec, 1, ws->tmp, ws->pr.s, L, sigma);
}

/* --- blocks of CP_TRI_LANES prompts ---------------------------------------
 * The QL iteration is a chain of dependent square roots and divisions; its
 * speed is set by their latency.  ql_lanes runs the iteration of
 * cp_tridiag_eigen on CP_TRI_LANES independent matrices at once, one per
 * SIMD lane, each lane doing exactly the scalar operations in the scalar
 * order (IEEE sqrt, division, no fused multiply-add), masked where a lane is
 * done or its block is shorter: so each prompt gets the bits of
 * cp_tridiag_eigen whatever its neighbours (tests/test_engine_tridiag.c). */
int cp_tridiag_block_init(cp_tridiag_block *b, long d)
{
    memset(b, 0, sizeof *b);
    b->d = d;
    size_t n = (size_t) (d > 0 ? d : 1) * CP_TRI_LANES;
    b->l = malloc(n * sizeof(double));
    b->q2 = malloc(n * sizeof(double));
    b->e = malloc(n * sizeof(double));
    b->z = malloc(n * sizeof(double));
    b->pv = malloc(n * sizeof(double));
    if (!b->l || !b->q2 || !b->e || !b->z || !b->pv) {
        cp_tridiag_block_clear(b);
        return -1;
    }
    return 0;
}

void cp_tridiag_block_clear(cp_tridiag_block *b)
{
    free(b->l); free(b->q2); free(b->e); free(b->z); free(b->pv);
    memset(b, 0, sizeof *b);
}

#if defined(__x86_64__) && defined(__GNUC__) && CP_TRI_LANES % 4 == 0
/* NG groups of four lanes (NG AVX vectors) advance together: their chains
 * are independent, so the core overlaps the latency of one with the others.
 * The lanes are not in lockstep: each lane k has its own current eigenvalue
 * l_k, iteration count and m_k, and one round does one sweep (or the part of
 * a sweep up to a split) of every live lane, the rotation index i running
 * from the largest m_k - 1 down to the smallest l_k with lane k masked to
 * l_k <= i < m_k.  A lane whose eigenvalue converged moves on to l_k + 1 in
 * the next round's scan, whatever the others do. */
#define NG (CP_TRI_LANES / 4)
/* The rest of one rotation of the scalar sweep, after r = sqrt(f^2 + g^2)
 * (r != 0), on the four lanes of a group at row i: every lane when full (the
 * common case: no blends), else only the lanes of the mask pm. */
__attribute__((target("avx"), always_inline))
static inline void rot_update(double *Ah, double *Zh, long W, long i, __m256d f, __m256d b, __m256d r, __m256d *s,
                              __m256d *c, __m256d *p, __m256d *g, __m256d pm, int full)
{
#define SEL(old, new) (full ? (new) : _mm256_blendv_pd((old), (new), pm))
    const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
    __m256d ir = _mm256_div_pd(one, r);
    __m256d sn = _mm256_mul_pd(f, ir), cn = _mm256_mul_pd(*g, ir);
    __m256d ai1 = _mm256_loadu_pd(Ah + W * (i + 1)), ai = _mm256_loadu_pd(Ah + W * i);
    __m256d gn = _mm256_sub_pd(ai1, *p);
    __m256d rn = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(ai, gn), sn), _mm256_mul_pd(_mm256_mul_pd(two, cn), b));
    __m256d pn = _mm256_mul_pd(sn, rn);
    _mm256_storeu_pd(Ah + W * (i + 1), SEL(ai1, _mm256_add_pd(gn, pn)));
    __m256d g2 = _mm256_sub_pd(_mm256_mul_pd(cn, rn), b);
    __m256d zf = _mm256_loadu_pd(Zh + W * (i + 1)), zi = _mm256_loadu_pd(Zh + W * i);
    _mm256_storeu_pd(Zh + W * (i + 1), SEL(zf, _mm256_add_pd(_mm256_mul_pd(sn, zi), _mm256_mul_pd(cn, zf))));
    _mm256_storeu_pd(Zh + W * i, SEL(zi, _mm256_sub_pd(_mm256_mul_pd(cn, zi), _mm256_mul_pd(sn, zf))));
    *s = SEL(*s, sn);
    *c = SEL(*c, cn);
    *p = SEL(*p, pn);
    *g = SEL(*g, g2);
#undef SEL
}

__attribute__((target("avx"), optimize("O3")))
static void ql_lanes(long n, double *A, double *E, double *Z, int *fail)
{
    const long W = 4 * NG;
    const __m256d eps = _mm256_set1_pd(DBL_EPSILON), one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
    const __m256d zero = _mm256_setzero_pd(), absm = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    long lk[4 * NG], mk[4 * NG];
    int iter[4 * NG], act = 0;
    double lf[4 * NG], mf[4 * NG];     /* l_k, m_k as doubles, for the lane masks */
    for (long i = 0; i < n; i++)
        for (int h = 0; h < NG; h++)
            _mm256_storeu_pd(Z + W * i + 4 * h, i == 0 ? one : zero);
    for (int h = 0; h < NG; h++)
        _mm256_storeu_pd(E + W * (n - 1) + 4 * h, zero);
    for (int k = 0; k < W; k++) {
        lk[k] = 0; mk[k] = 1; iter[k] = 0; lf[k] = 0.0; mf[k] = 1.0;
        if (!fail[k])
            act |= 1 << k;
    }
    while (act) {
        /* the scan for m of every live lane, from its own l_k; a lane with
         * m = l_k has converged there and scans on from l_k + 1 (a new
         * eigenvalue: iteration count 0), as the scalar loop over l does */
        int srch = act;
        long lo = n;
        for (int k = 0; k < W; k++)
            if ((act >> k & 1) && lk[k] < lo)
                lo = lk[k];
        for (long m = lo; m < n - 1 && srch; m++) {
            int bits = 0, started = 0;
            for (int h = 0; h < NG; h++) {
                __m256d am = _mm256_loadu_pd(A + W * m + 4 * h), am1 = _mm256_loadu_pd(A + W * (m + 1) + 4 * h);
                __m256d em = _mm256_loadu_pd(E + W * m + 4 * h);
                __m256d dd = _mm256_add_pd(_mm256_and_pd(am, absm), _mm256_and_pd(am1, absm));
                bits |= _mm256_movemask_pd(_mm256_cmp_pd(_mm256_and_pd(em, absm), _mm256_mul_pd(eps, dd), _CMP_LE_OQ))
                        << (4 * h);
            }
            if (!(bits & srch))
                continue;
            __m256d mv = _mm256_set1_pd((double) m);
            for (int h = 0; h < NG; h++)
                started |= _mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(lf + 4 * h), mv, _CMP_LE_OQ)) << (4 * h);
            int hit = bits & srch & started;
            while (hit) {
                int k = __builtin_ctz((unsigned) hit);
                hit &= hit - 1;
                if (lk[k] == m) {
                    lk[k] = m + 1;
                    lf[k] = (double) (m + 1);
                    iter[k] = 0;
                } else {
                    mk[k] = m;
                    srch &= ~(1 << k);
                }
            }
        }
        for (int k = 0; k < W; k++)
            if (srch >> k & 1) {
                mk[k] = n - 1;
                if (lk[k] == n - 1)  /* the last eigenvalue: lane done */
                    act &= ~(1 << k);
            }
        int part = 0;
        long mmax = 0, lmin = n;
        for (int k = 0; k < W; k++)
            if (act >> k & 1) {
                if (iter[k]++ == 60) {
                    fail[k] = 1;
                    act &= ~(1 << k);
                    continue;
                }
                part |= 1 << k;
                mf[k] = (double) mk[k];
                if (mk[k] > mmax)
                    mmax = mk[k];
                if (lk[k] < lmin)
                    lmin = lk[k];
            }
        if (!part)
            break;
        __m256d lv[NG], mv[NG], s[NG], c[NG], p[NG], g[NG];
        for (int h = 0; h < NG; h++) {
            long li[4], mi[4];
            for (int k = 0; k < 4; k++) {  /* dead lanes: any entries (masked) */
                int on = part >> (4 * h + k) & 1;
                li[k] = on ? lk[4 * h + k] : 0;
                mi[k] = on ? mk[4 * h + k] : 1;
            }
            const double *Ah = A + 4 * h, *Eh = E + 4 * h;
            lv[h] = _mm256_loadu_pd(lf + 4 * h);
            mv[h] = _mm256_loadu_pd(mf + 4 * h);
            __m256d al = _mm256_set_pd(Ah[W * li[3] + 3], Ah[W * li[2] + 2], Ah[W * li[1] + 1], Ah[W * li[0]]);
            __m256d al1 = _mm256_set_pd(Ah[W * (li[3] + 1) + 3], Ah[W * (li[2] + 1) + 2], Ah[W * (li[1] + 1) + 1],
                                        Ah[W * (li[0] + 1)]);
            __m256d el = _mm256_set_pd(Eh[W * li[3] + 3], Eh[W * li[2] + 2], Eh[W * li[1] + 1], Eh[W * li[0]]);
            __m256d amk = _mm256_set_pd(Ah[W * mi[3] + 3], Ah[W * mi[2] + 2], Ah[W * mi[1] + 1], Ah[W * mi[0]]);
            __m256d gg = _mm256_div_pd(_mm256_sub_pd(al1, al), _mm256_mul_pd(two, el));
            __m256d r = _mm256_sqrt_pd(_mm256_add_pd(_mm256_mul_pd(gg, gg), one));
            __m256d sr = _mm256_blendv_pd(_mm256_sub_pd(zero, r), r, _mm256_cmp_pd(gg, zero, _CMP_GE_OQ));
            g[h] = _mm256_add_pd(_mm256_sub_pd(amk, al), _mm256_div_pd(el, _mm256_add_pd(gg, sr)));
            s[h] = one; c[h] = one; p[h] = zero;
        }
        int left = part;                /* lanes not stopped by a split */
        __m256d leftv[NG];
        for (int h = 0; h < NG; h++)
            leftv[h] = _mm256_castsi256_pd(_mm256_set_epi64x(part >> (4 * h + 3) & 1 ? -1 : 0, part >> (4 * h + 2) & 1 ? -1 : 0,
                                                             part >> (4 * h + 1) & 1 ? -1 : 0, part >> (4 * h) & 1 ? -1 : 0));
        for (long i = mmax - 1; i >= lmin; i--) {
            __m256d iv = _mm256_set1_pd((double) i);
#pragma GCC unroll 4
            for (int h = 0; h < NG; h++) {
                __m256d pm = _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(iv, mv[h], _CMP_LT_OQ),
                                                         _mm256_cmp_pd(iv, lv[h], _CMP_GE_OQ)), leftv[h]);
                int pbits = _mm256_movemask_pd(pm);
                if (!pbits)
                    continue;
                double *Ah = A + 4 * h, *Eh = E + 4 * h, *Zh = Z + 4 * h;
                __m256d ei = _mm256_loadu_pd(Eh + W * i);
                __m256d f = _mm256_mul_pd(s[h], ei), b = _mm256_mul_pd(c[h], ei);
                __m256d r = _mm256_sqrt_pd(_mm256_add_pd(_mm256_mul_pd(f, f), _mm256_mul_pd(g[h], g[h])));
                __m256d rz = _mm256_and_pd(_mm256_cmp_pd(r, zero, _CMP_EQ_OQ), pm);
                int zbits = _mm256_movemask_pd(rz);
                if (pbits == 15 && !zbits) {   /* all four lanes rotate */
                    _mm256_storeu_pd(Eh + W * (i + 1), r);
                    rot_update(Ah, Zh, W, i, f, b, r, &s[h], &c[h], &p[h], &g[h], pm, 1);
                    continue;
                }
                _mm256_storeu_pd(Eh + W * (i + 1), _mm256_blendv_pd(_mm256_loadu_pd(Eh + W * (i + 1)), r, pm));
                if (zbits) {             /* split (scalar: early exit of the lane) */
                    double pb[4];
                    _mm256_storeu_pd(pb, p[h]);
                    for (int k = 0; k < 4; k++)
                        if (zbits >> k & 1) {
                            Ah[W * (i + 1) + k] -= pb[k];
                            Eh[W * mk[4 * h + k] + k] = 0.0;
                        }
                    left &= ~(zbits << (4 * h));
                    leftv[h] = _mm256_andnot_pd(rz, leftv[h]);
                    pm = _mm256_andnot_pd(rz, pm);
                    if (!(pbits & ~zbits))
                        continue;
                }
                rot_update(Ah, Zh, W, i, f, b, r, &s[h], &c[h], &p[h], &g[h], pm, 0);
            }
        }
        for (int h = 0; h < NG; h++) {
            double pb[4], gb[4];
            _mm256_storeu_pd(pb, p[h]);
            _mm256_storeu_pd(gb, g[h]);
            for (int k = 0; k < 4; k++)
                if (left >> (4 * h + k) & 1) {
                    long kk = 4 * h + k;
                    A[W * lk[kk] + kk] -= pb[k];
                    E[W * lk[kk] + kk] = gb[k];
                    E[W * mk[kk] + kk] = 0.0;
                }
        }
    }
}
#undef NG
#endif

void cp_tridiag_eigen_lanes(long d, double *a, double *e, double *z, int *fail)
{
    const long W = CP_TRI_LANES;
#if defined(__x86_64__) && defined(__GNUC__) && CP_TRI_LANES % 4 == 0
    if (__builtin_cpu_supports("avx") && d >= 2) {
        ql_lanes(d, a, e, z, fail);
        return;
    }
#endif
    for (int k = 0; k < W; k++)       /* scalar path, same bits */
        if (!fail[k])
            fail[k] = eigen_strided(d, a + k, e + k, z + k, W) != 0;
}

/* Both block draws; ws == NULL: untilted. */
static void draw_block(cp_tridiag_block *b, cp_engine_ws *ws, const cp_model_approx *m, long L,
                       const cp_predictor *tilt, double share, uint64_t seed, uint32_t substream,
                       uint64_t index0, int count)
{
    long d = b->d;
    const long W = CP_TRI_LANES;
    int fail[CP_TRI_LANES];
    double eps = share > 0.0 && share < 1.0 ? share : 0.5;
    b->count = count;
    for (int k = 0; k < W; k++) {
        fail[k] = k >= count;
        double s = 0.0;
        b->w[k] = 1.0;
        if (k < count) {
            cp_rng r;
            cp_rng_init(&r, seed, index0 + (uint64_t) k, 3u * substream);
            s = cp_engine_draw_s(m, &r);
            double c = ws ? cp_tilt_factor_cached(ws, tilt, m, s, L) : 0.0;
            fill_tridiag(b->l + k, b->e + k, W, d, L, s, seed, substream, index0 + (uint64_t) k, c, eps, &b->w[k]);
        } else {                      /* idle lane: a harmless diagonal matrix */
            for (long i = 0; i < d; i++) {
                b->l[i * W + k] = 1.0;
                b->e[i * W + k] = 0.0;
            }
        }
        b->s[k] = s;
    }
    cp_tridiag_eigen_lanes(d, b->l, b->e, b->z, fail);
    for (int k = 0; k < count; k++)
        for (long i = 0; i < d; i++) {
            if (fail[k])
                b->l[i * W + k] = NAN;
            double z = b->z[i * W + k];
            b->q2[i * W + k] = z * z;
        }
}

void cp_tridiag_draw_block(cp_tridiag_block *b, const cp_model_approx *m, long L, uint64_t seed,
                           uint32_t substream, uint64_t index0, int count)
{
    draw_block(b, NULL, m, L, NULL, 0.0, seed, substream, index0, count);
}

void cp_tridiag_draw_block_tilted(cp_tridiag_block *b, cp_engine_ws *ws, const cp_model_approx *m, long L,
                                  const cp_predictor *tilt, double share, uint64_t seed, uint32_t substream,
                                  uint64_t index0, int count)
{
    draw_block(b, ws, m, L, tilt, share, seed, substream, index0, count);
}

double cp_tridiag_block_excess(const cp_predictor *p, cp_tridiag_block *b, int lane, long L, double sigma)
{
    return spectral_f(p, b->d, b->l + lane, b->q2 + lane, CP_TRI_LANES, b->pv + lane, b->s[lane], L, sigma);
}

/* All lanes at once: the layer recursion runs over the d x CP_TRI_LANES
 * eigenvalues as one contiguous vector (same operations per entry as
 * poly_vec, so the bits of cp_tridiag_block_excess). */
void cp_tridiag_block_excess_all(double *out, const cp_predictor *p, cp_tridiag_block *b, long L, double sigma)
{
    const long W = CP_TRI_LANES;
    if (p->kind != CP_PRED_CA && p->kind != CP_PRED_CA2 && p->kind != CP_PRED_CA_UNTIED) {
        for (int k = 0; k < b->count; k++)
            out[k] = cp_tridiag_block_excess(p, b, k, L, sigma);
        return;
    }
    poly_vec(b->pv, p, b->l, 1, b->d * W);
    for (int k = 0; k < b->count; k++) {
        double s = b->s[k], noise = (1.0 / (1.0 + s) + sigma * sigma) / (double) L;
        out[k] = cp_tridiag_spectral_excess(b->d, b->l + k, b->q2 + k, W, b->pv + k, W, s, noise);
    }
}
