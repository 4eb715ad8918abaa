/* finite_exact.c -- exact expected excess of the CA at finite context length
 * L and depth T, d = 2 (finite.h, exact section).
 *
 * Derivation and proofs: docs/model.md, section 8 ((FE-1) .. (FE-6)).  In
 * short: with m along e1, L Sigma_hat = N = [[z, t], [t, b + c]] exactly,
 * z = lambda a, t^2 = z c, a ~ chi2_L, b ~ chi2_{L-1}, c ~ chi2_1
 * independent (FE-2).  Every entry of N^k is a homogeneous polynomial of
 * degree k in (z, b, c) (times t off the diagonal) with integer
 * coefficients that do not depend on any parameter (FE-3).  The expected
 * excess given s needs the diagonal of two matrix polynomials (linear in
 * the powers: expectations by the walk formula (FE-3b)) and one square,
 * E[(R_11)^2], paired in the orthogonal (Laguerre) bases of chi2_{L-1} and
 * chi2_1 (FE-5).  All of it is exact integer arithmetic with one common
 * denominator per polynomial.  Cost O(T^4) coefficient operations (the two
 * basis changes), memory O(T^3) integers.
 *
 * d > 2 (FE-9): the Dumitriu-Edelman tridiagonal model, diagonal entries of
 * polynomials in a tridiagonal matrix as exact multivariate polynomials in
 * the 2d - 1 chi-square variables and lambda; exponential in min(d, T), so
 * only small T (cp_ca_excess_finite_supported). */
#include <string.h>
#include <flint/fmpz_poly.h>
#include <flint/fmpq_poly.h>
#include <flint/fmpq_mpoly.h>
#include "crossproof/finite.h"
#include "crossproof/lsa.h"
#include "crossproof/quantity.h"

/* --- the weight polynomial (FC-1) ----------------------------------------- */

void cp_ca_weight_poly(fmpq_poly_t p, slong T, const fmpq_t alpha, const fmpq_t beta,
                       const fmpq *alphas, const fmpq *betas)
{
    /* v_{t+1} = (1 + beta_t x) v_t + alpha_t, v_0 = 0; p = v_T */
    fmpq_poly_t lin;
    fmpq_t b;
    fmpq_poly_init(lin);
    fmpq_init(b);
    fmpq_poly_zero(p);
    for (slong t = 0; t < T; t++) {
        const fmpq *at = alphas ? alphas + t : alpha;
        if (alphas == NULL)
            fmpq_set(b, beta);
        else if (betas != NULL)
            fmpq_set(b, betas + t);
        else
            fmpq_neg(b, alphas + t);
        fmpq_poly_zero(lin);
        fmpq_poly_set_coeff_si(lin, 0, 1);
        fmpq_poly_set_coeff_fmpq(lin, 1, b);
        fmpq_poly_mul(p, p, lin);
        fmpq_poly_add_fmpq(p, p, at);
    }
    fmpq_poly_clear(lin);
    fmpq_clear(b);
}

/* --- chi-square moments and the Laguerre data (FE-5) ---------------------- */

/* mu[k] = E[chi2_n^k] = n (n+2) ... (n+2k-2), k = 0..K */
static void chi2_moments(fmpz *mu, slong n, slong K)
{
    fmpz_one(mu + 0);
    for (slong k = 1; k <= K; k++)
        fmpz_mul_si(mu + k, mu + k - 1, n + 2 * (k - 1));
}

/* C[i*(K+1) + k] = binom(i, k) prod_{j=k}^{i-1} (n + 2j): x^i = sum_k C p_k(x)
 * with p_k the monic orthogonal polynomials of chi2_n (FE-5). */
static void laguerre_change(fmpz *C, slong n, slong K)
{
    fmpz_t pr, bn;
    fmpz_init(pr);
    fmpz_init(bn);
    for (slong k = 0; k <= K; k++) {
        fmpz_one(pr);
        for (slong i = k; i <= K; i++) {
            if (i > k)
                fmpz_mul_si(pr, pr, n + 2 * (i - 1));
            fmpz_bin_uiui(bn, (ulong) i, (ulong) k);
            fmpz_mul(C + i * (K + 1) + k, bn, pr);
        }
    }
    fmpz_clear(pr);
    fmpz_clear(bn);
}

/* h[k] = E[p_k^2] = 2^k k! E[chi2_n^k] */
static void laguerre_norms(fmpz *h, const fmpz *mu, slong K)
{
    fmpz_t f;
    fmpz_init(f);
    fmpz_one(f);
    for (slong k = 0; k <= K; k++) {
        if (k > 0)
            fmpz_mul_si(f, f, 2 * k);
        fmpz_mul(h + k, f, mu + k);
    }
    fmpz_clear(f);
}

/* --- the Laurent polynomial (FE-4) --------------------------------------- */

/* numerator and denominator of q(x/L), q a rational polynomial */
static void rescaled(fmpz_poly_t num, fmpz_t den, const fmpq_poly_t q, slong L)
{
    fmpq_poly_t t;
    fmpq_t s;
    fmpq_poly_init(t);
    fmpq_init(s);
    fmpq_set_si(s, 1, (ulong) L);
    fmpq_poly_rescale(t, q, s);
    fmpq_poly_get_numerator(num, t);
    fmpz_set(den, fmpq_poly_denref(t));
    fmpq_poly_clear(t);
    fmpq_clear(s);
}

/* out = (sum_i A_i mu_i x^i) / den */
static void moments_apply(fmpq_poly_t out, const fmpz_poly_t A, const fmpz *mu, const fmpz_t den)
{
    fmpz_poly_t B;
    fmpz_t c;
    fmpz_poly_init(B);
    fmpz_init(c);
    for (slong i = 0; i < fmpz_poly_length(A); i++) {
        fmpz_poly_get_coeff_fmpz(c, A, i);
        fmpz_mul(c, c, mu + i);
        fmpz_poly_set_coeff_fmpz(B, i, c);
    }
    fmpq_poly_set_fmpz_poly(out, B);
    fmpq_poly_scalar_div_fmpz(out, out, den);
    fmpz_poly_clear(B);
    fmpz_clear(c);
}

/* Linear parts of (FE-4) by the walk formula (FE-3b): for q1, q2 integer
 * polynomials (numerators of q(x/L)) of degree <= n,
 *   A1[alpha]  = sum_k q1_k e11_k[alpha],  A11[alpha] = sum_k q2_k e11_k[alpha],
 *   A22[alpha] = sum_k q2_k e22_k[alpha],
 * where E[(N^k)_ii] = sum_alpha lambda^alpha mu_L(alpha) e_ii,k[alpha] / D,
 * D = mu_L(n/2) (returned in den). */
static void linear_parts(fmpz_poly_t A1, fmpz_poly_t A11, fmpz_poly_t A22, fmpz_t den,
                         const fmpz_poly_t q1, const fmpz_poly_t q2, const fmpz *mua, slong L, slong n)
{
    const slong Mx = n / 2, B = n + 1;
    fmpz *bin = _fmpz_vec_init(B * B), *rho = _fmpz_vec_init(Mx + 1);
    fmpz_t X, Y, t, c;
    fmpz_init(X); fmpz_init(Y); fmpz_init(t); fmpz_init(c);
    for (slong i = 0; i <= n; i++) {          /* Pascal: bin[i][j] = C(i, j) */
        fmpz_one(bin + i * B);
        for (slong j = 1; j <= i; j++)
            fmpz_add(bin + i * B + j, bin + (i - 1) * B + j - 1, bin + (i - 1) * B + j);
    }
    /* rho[m] = D E[beta^m], beta ~ Beta(1/2, (L-1)/2): mu_1(m) prod_{i=m}^{Mx-1} (L + 2i) */
    for (slong m = 0; m <= Mx; m++) {
        fmpz_one(rho + m);
        for (slong i = 0; i < m; i++)
            fmpz_mul_si(rho + m, rho + m, 1 + 2 * i);
        for (slong i = m; i < Mx; i++)
            fmpz_mul_si(rho + m, rho + m, L + 2 * i);
    }
    fmpz_set(den, mua + Mx);
    fmpz_poly_zero(A1); fmpz_poly_zero(A11); fmpz_poly_zero(A22);
    for (slong al = 0; al <= n; al++)
        for (slong be = 0; al + be <= n; be++) {
            const slong k = al + be, mm = al < be ? al : be;
            const fmpz *c1 = k < fmpz_poly_length(q1) ? q1->coeffs + k : NULL;
            const fmpz *c2 = k < fmpz_poly_length(q2) ? q2->coeffs + k : NULL;
            if ((c1 == NULL || fmpz_is_zero(c1)) && (c2 == NULL || fmpz_is_zero(c2)))
                continue;
            /* X = D sum_m C(al, m) C(be-1, m-1) E beta^m (11 entry; m = 0 only if be = 0),
             * Y = D sum_m C(al-1, m-1) C(be, m) E beta^m (22 entry; m = 0 only if al = 0) */
            fmpz_zero(X);
            fmpz_zero(Y);
            if (be == 0)
                fmpz_set(X, den);
            if (al == 0)
                fmpz_set(Y, den);
            for (slong m = 1; m <= mm; m++) {
                fmpz_mul(t, bin + al * B + m, bin + (be - 1) * B + m - 1);
                fmpz_addmul(X, t, rho + m);
                fmpz_mul(t, bin + (al - 1) * B + m - 1, bin + be * B + m);
                fmpz_addmul(Y, t, rho + m);
            }
            fmpz_mul(X, X, mua + be);          /* E[(b + c)^q c^m] = mu_L(q + m) E beta^m */
            fmpz_mul(Y, Y, mua + be);
            if (c1 != NULL && !fmpz_is_zero(c1)) {
                fmpz_poly_get_coeff_fmpz(c, A1, al);
                fmpz_addmul(c, c1, X);
                fmpz_poly_set_coeff_fmpz(A1, al, c);
            }
            if (c2 != NULL && !fmpz_is_zero(c2)) {
                fmpz_poly_get_coeff_fmpz(c, A11, al);
                fmpz_addmul(c, c2, X);
                fmpz_poly_set_coeff_fmpz(A11, al, c);
                fmpz_poly_get_coeff_fmpz(c, A22, al);
                fmpz_addmul(c, c2, Y);
                fmpz_poly_set_coeff_fmpz(A22, al, c);
            }
        }
    _fmpz_vec_clear(bin, B * B);
    _fmpz_vec_clear(rho, Mx + 1);
    fmpz_clear(X); fmpz_clear(Y); fmpz_clear(t); fmpz_clear(c);
}

/* num = (lambda - 1)(Q1 + (lambda - 1) Q2) + (lambda + sigma^2 lambda^2) Q3 / L  (FE-4) */
static void assemble(fmpq_poly_t num, const fmpq_poly_t Q1, const fmpq_poly_t Q2,
                     const fmpq_poly_t Q3, const fmpq_t sigma, slong L)
{
    fmpq_poly_t lm1, t1, t2;
    fmpq_t sg2;
    fmpz_t tmp;
    fmpq_poly_init(lm1); fmpq_poly_init(t1); fmpq_poly_init(t2);
    fmpq_init(sg2);
    fmpz_init(tmp);
    fmpq_poly_zero(lm1);
    fmpq_poly_set_coeff_si(lm1, 1, 1);
    fmpq_poly_set_coeff_si(lm1, 0, -1);
    fmpq_poly_mul(t1, lm1, Q2);
    fmpq_poly_add(t1, t1, Q1);
    fmpq_poly_mul(t1, t1, lm1);
    fmpq_mul(sg2, sigma, sigma);
    fmpq_poly_zero(t2);
    fmpq_poly_set_coeff_si(t2, 1, 1);
    fmpq_poly_set_coeff_fmpq(t2, 2, sg2);
    fmpq_poly_mul(t2, t2, Q3);
    fmpz_set_si(tmp, L);
    fmpq_poly_scalar_div_fmpz(t2, t2, tmp);
    fmpq_poly_add(num, t1, t2);
    fmpq_poly_clear(lm1); fmpq_poly_clear(t1); fmpq_poly_clear(t2);
    fmpq_clear(sg2);
    fmpz_clear(tmp);
}

/* --- general d, small T: the tridiagonal model (FE-9) ---------------------- */

/* Variables: 0 = lambda, 1..d = a_k = B_kk^2, d+1..2d-1 = c_k = B_{k,k+1}^2. */
typedef struct {
    slong d, L;
    fmpq_mpoly_ctx_t ctx;
    fmpq_mpoly_struct *diag, *low;    /* N'_kk and N'_{k+1,k} (N'_{k,k+1} = 1) */
    fmpz **mom;                       /* mom[v][e]: moment of variable v (v >= 1) */
    slong maxdeg;
    int overflow;                     /* a polynomial exceeded CP_FINITE_GENERAL_MAX_TERMS */
} tri_ctx;

/* v <- N' v (tridiagonal, super-diagonal 1) */
static void tri_apply(fmpq_mpoly_struct *out, const fmpq_mpoly_struct *v, tri_ctx *c)
{
    fmpq_mpoly_t t;
    fmpq_mpoly_init(t, c->ctx);
    for (slong i = 0; i < c->d; i++) {
        fmpq_mpoly_mul(out + i, c->diag + i, v + i, c->ctx);
        if (i > 0) {
            fmpq_mpoly_mul(t, c->low + i - 1, v + i - 1, c->ctx);
            fmpq_mpoly_add(out + i, out + i, t, c->ctx);
        }
        if (i + 1 < c->d)
            fmpq_mpoly_add(out + i, out + i, v + i + 1, c->ctx);
        if (fmpq_mpoly_length(out + i, c->ctx) > CP_FINITE_GENERAL_MAX_TERMS)
            c->overflow = 1;
    }
    fmpq_mpoly_clear(t, c->ctx);
}

/* out = (q(N') e_k)_k for q with coefficients qc[0..n] (already scaled by L^-j) */
static void tri_diag(fmpq_mpoly_t out, const fmpq_poly_t q, slong k, tri_ctx *c)
{
    slong n = fmpq_poly_degree(q);
    fmpq_mpoly_struct *v = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) c->d);
    fmpq_mpoly_struct *w = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) c->d);
    fmpq_t qj;
    fmpq_init(qj);
    for (slong i = 0; i < c->d; i++) {
        fmpq_mpoly_init(v + i, c->ctx);
        fmpq_mpoly_init(w + i, c->ctx);
    }
    for (slong j = n; j >= 0 && !c->overflow; j--) {   /* Horner: v <- N' v + q_j e_k */
        if (j < n) {
            tri_apply(w, v, c);
            for (slong i = 0; i < c->d; i++)
                fmpq_mpoly_swap(v + i, w + i, c->ctx);
        }
        fmpq_poly_get_coeff_fmpq(qj, q, j);
        fmpq_mpoly_add_fmpq(v + k, v + k, qj, c->ctx);
    }
    fmpq_mpoly_set(out, v + k, c->ctx);
    for (slong i = 0; i < c->d; i++) {
        fmpq_mpoly_clear(v + i, c->ctx);
        fmpq_mpoly_clear(w + i, c->ctx);
    }
    flint_free(v);
    flint_free(w);
    fmpq_clear(qj);
}

/* res += E over the chi-square variables of A, as a polynomial in lambda */
static void tri_expect(fmpq_poly_t res, const fmpq_mpoly_t A, tri_ctx *c)
{
    ulong *e = flint_malloc(sizeof(ulong) * (size_t) (2 * c->d));
    fmpq_t q, old;
    fmpq_init(q);
    fmpq_init(old);
    for (slong i = 0; i < fmpq_mpoly_length(A, c->ctx); i++) {
        fmpq_mpoly_get_term_coeff_fmpq(q, A, i, c->ctx);
        fmpq_mpoly_get_term_exp_ui(e, A, i, c->ctx);
        for (slong v = 1; v < 2 * c->d; v++)
            fmpq_mul_fmpz(q, q, c->mom[v] + e[v]);
        fmpq_poly_get_coeff_fmpq(old, res, (slong) e[0]);
        fmpq_add(q, q, old);
        fmpq_poly_set_coeff_fmpq(res, (slong) e[0], q);
    }
    fmpq_clear(q);
    fmpq_clear(old);
    flint_free(e);
}

int cp_ca_excess_finite_supported(slong d, slong T)
{
    if (d < 2 || T < 1 || T > CP_FINITE_MAX_T)
        return 0;
    return d == 2 || T <= CP_FINITE_GENERAL_MAX_T;
}

static int laurent_general(fmpq_poly_t num, slong d, slong L, const fmpq_poly_t r,
                           const fmpq_poly_t r2, const fmpq_poly_t u, const fmpq_t sigma, char *err)
{
    tri_ctx c;
    fmpq_poly_t rs, r2s, us, Q1, Q2, Q3;
    fmpq_mpoly_t A, B;
    fmpq_t sc;
    slong T = fmpq_poly_degree(r);
    if (T < 1)
        T = 1;
    /* cost guard: the monomials of degree <= 2T in 2d variables */
    if (d > 2 && !cp_ca_excess_finite_supported(d, T)) {
        cp_errf(err, "d = %ld, T = %ld: beyond the general-d exact frontier (T <= %d)",
                (long) d, (long) T, CP_FINITE_GENERAL_MAX_T);
        return -1;
    }
    if (L < d) {
        cp_errf(err, "L = %ld: the exact finite-L excess needs L >= d = %ld", (long) L, (long) d);
        return -1;
    }
    c.d = d;
    c.L = L;
    c.maxdeg = 2 * T + 2;
    fmpq_mpoly_ctx_init(c.ctx, 2 * d, ORD_LEX);
    c.diag = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) d);
    c.low = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) d);
    c.mom = flint_malloc(sizeof(fmpz *) * (size_t) (2 * d));
    c.mom[0] = NULL;
    for (slong v = 1; v < 2 * d; v++) {
        /* a_k ~ chi2_{L-k+1} (v = k), c_k ~ chi2_{d-k} (v = d + k) */
        slong df = v <= d ? L - v + 1 : d - (v - d);
        c.mom[v] = _fmpz_vec_init(c.maxdeg + 1);
        chi2_moments(c.mom[v], df, c.maxdeg);
    }
    fmpq_mpoly_init(A, c.ctx);
    fmpq_mpoly_init(B, c.ctx);
    for (slong k = 0; k < d; k++) {
        fmpq_mpoly_init(c.diag + k, c.ctx);
        fmpq_mpoly_init(c.low + k, c.ctx);
        fmpq_mpoly_gen(c.diag + k, 1 + k, c.ctx);                 /* a_k */
        if (k > 0) {
            fmpq_mpoly_gen(A, d + k, c.ctx);                       /* + c_{k-1} */
            fmpq_mpoly_add(c.diag + k, c.diag + k, A, c.ctx);
        } else {
            fmpq_mpoly_gen(A, 0, c.ctx);                           /* lambda a_1 */
            fmpq_mpoly_mul(c.diag + k, c.diag + k, A, c.ctx);
        }
        if (k + 1 < d) {                                           /* N'_{k+1,k} = N_{k,k+1}^2 */
            fmpq_mpoly_gen(c.low + k, 1 + k, c.ctx);
            fmpq_mpoly_gen(A, d + 1 + k, c.ctx);
            fmpq_mpoly_mul(c.low + k, c.low + k, A, c.ctx);
            if (k == 0) {
                fmpq_mpoly_gen(A, 0, c.ctx);
                fmpq_mpoly_mul(c.low + k, c.low + k, A, c.ctx);
            }
        }
    }
    fmpq_poly_init(rs); fmpq_poly_init(r2s); fmpq_poly_init(us);
    fmpq_poly_init(Q1); fmpq_poly_init(Q2); fmpq_poly_init(Q3);
    fmpq_init(sc);
    fmpq_set_si(sc, 1, (ulong) L);
    fmpq_poly_rescale(rs, r, sc);
    fmpq_poly_rescale(r2s, r2, sc);
    fmpq_poly_rescale(us, u, sc);
    c.overflow = 0;
    tri_diag(A, rs, 0, &c);                  /* Q2 = E[(r(M)_11)^2] */
    if (fmpq_mpoly_length(A, c.ctx) > CP_FINITE_GENERAL_MAX_SQ_TERMS)
        c.overflow = 1;
    if (!c.overflow) {
        fmpq_mpoly_mul(B, A, A, c.ctx);
        tri_expect(Q2, B, &c);
        tri_diag(A, r2s, 0, &c);             /* Q1 = E[(r^2)(M)_11] */
        tri_expect(Q1, A, &c);
    }
    for (slong k = 0; k < d && !c.overflow; k++) {   /* Q3 = E[tr u(M) + s u(M)_11] */
        tri_diag(A, us, k, &c);
        if (k == 0) {
            fmpq_mpoly_gen(B, 0, c.ctx);     /* lambda u_11 = u_11 + s u_11 */
            fmpq_mpoly_mul(A, A, B, c.ctx);
        }
        tri_expect(Q3, A, &c);
    }
    if (!c.overflow)
        assemble(num, Q1, Q2, Q3, sigma, L);
    else
        cp_errf(err, "d = %ld, T = %ld: beyond the general-d exact frontier (more than %d terms; "
                "exponential in min(d, T))", (long) d, (long) T, CP_FINITE_GENERAL_MAX_TERMS);
    for (slong k = 0; k < d; k++) {
        fmpq_mpoly_clear(c.diag + k, c.ctx);
        fmpq_mpoly_clear(c.low + k, c.ctx);
    }
    for (slong v = 1; v < 2 * d; v++)
        _fmpz_vec_clear(c.mom[v], c.maxdeg + 1);
    flint_free(c.mom);
    flint_free(c.diag);
    flint_free(c.low);
    fmpq_mpoly_clear(A, c.ctx);
    fmpq_mpoly_clear(B, c.ctx);
    fmpq_mpoly_ctx_clear(c.ctx);
    fmpq_poly_clear(rs); fmpq_poly_clear(r2s); fmpq_poly_clear(us);
    fmpq_poly_clear(Q1); fmpq_poly_clear(Q2); fmpq_poly_clear(Q3);
    fmpq_clear(sc);
    return c.overflow ? -1 : 0;
}

static int laurent_any(fmpq_poly_t num, slong d1, slong d2, slong L, const fmpq_poly_t p,
                       const fmpq_t sigma, int force_tri, char *err);

int cp_ca_excess_finite_laurent(fmpq_poly_t num, slong d1, slong d2, slong L,
                                const fmpq_poly_t p, const fmpq_t sigma, char *err)
{
    return laurent_any(num, d1, d2, L, p, sigma, 0, err);
}

int cp_ca_excess_finite_laurent_tri(fmpq_poly_t num, slong d, slong L, const fmpq_poly_t p,
                                    const fmpq_t sigma, char *err)
{
    if (d < 2) {
        cp_errf(err, "d = %ld: need d >= 2", (long) d);
        return -1;
    }
    return laurent_any(num, 1, d - 1, L, p, sigma, 1, err);
}

static int laurent_any(fmpq_poly_t num, slong d1, slong d2, slong L, const fmpq_poly_t p,
                       const fmpq_t sigma, int force_tri, char *err)
{
    if (d1 < 1 || d2 < 1) {
        cp_errf(err, "d1 = %ld, d2 = %ld: need d1, d2 >= 1", (long) d1, (long) d2);
        return -1;
    }
    if (L < 2 || L > CP_FINITE_MAX_L) {
        cp_errf(err, "L = %ld: the exact finite-L excess needs 2 <= L <= %ld", (long) L,
                (long) CP_FINITE_MAX_L);
        return -1;
    }
    if (fmpq_sgn(sigma) < 0) {
        cp_errf(err, "sigma must be >= 0");
        return -1;
    }
    slong T = fmpq_poly_degree(p) + 1;   /* deg r = deg p + 1 */
    if (T < 1)
        T = 1;
    if (T > CP_FINITE_MAX_T) {
        cp_errf(err, "weight polynomial of degree %ld: the exact finite-L excess accepts T <= %d",
                (long) (T - 1), CP_FINITE_MAX_T);
        return -1;
    }
    if (d1 + d2 > 2 || force_tri) {
        fmpq_poly_t r, r2, u, x;
        int rc;
        fmpq_poly_init(r); fmpq_poly_init(r2); fmpq_poly_init(u); fmpq_poly_init(x);
        fmpq_poly_zero(x);
        fmpq_poly_set_coeff_si(x, 1, 1);
        fmpq_poly_mul(r, x, p);
        fmpq_poly_neg(r, r);
        fmpq_poly_add_si(r, r, 1);
        fmpq_poly_mul(r2, r, r);
        fmpq_poly_mul(u, p, p);
        fmpq_poly_mul(u, u, x);
        rc = laurent_general(num, d1 + d2, L, r, r2, u, sigma, err);
        fmpq_poly_clear(r); fmpq_poly_clear(r2); fmpq_poly_clear(u); fmpq_poly_clear(x);
        return rc;
    }

    const slong n = 2 * T;          /* highest power of N needed */
    const slong W = T + 2;          /* row stride of the (j, l) tables */
    fmpq_poly_t r, r2, u, x;
    fmpz_poly_t Rn, R2n, Un, A1, A11, A22, S, G;
    fmpz_t Rd, R2d, Ud, Dl, tmp;
    fmpz *mua, *mub, *muc, *f, *g, *f2, *g2, *Cb, *Cc, *hb, *hc;
    fmpz_poly_struct *P;

    fmpq_poly_init(r); fmpq_poly_init(r2); fmpq_poly_init(u); fmpq_poly_init(x);
    fmpz_poly_init(Rn); fmpz_poly_init(R2n); fmpz_poly_init(Un);
    fmpz_poly_init(A1); fmpz_poly_init(A11); fmpz_poly_init(A22);
    fmpz_poly_init(S); fmpz_poly_init(G);
    fmpz_init(Rd); fmpz_init(R2d); fmpz_init(Ud); fmpz_init(Dl); fmpz_init(tmp);

    /* r(x) = 1 - x p(x); r^2; u(x) = x p(x)^2 (FE-4) */
    fmpq_poly_zero(x);
    fmpq_poly_set_coeff_si(x, 1, 1);
    fmpq_poly_mul(r, x, p);
    fmpq_poly_neg(r, r);
    fmpq_poly_add_si(r, r, 1);
    fmpq_poly_mul(r2, r, r);
    fmpq_poly_mul(u, p, p);
    fmpq_poly_mul(u, u, x);
    rescaled(Rn, Rd, r, L);
    rescaled(R2n, R2d, r2, L);
    rescaled(Un, Ud, u, L);

    mua = _fmpz_vec_init(n + 1);
    mub = _fmpz_vec_init(n + 1);
    muc = _fmpz_vec_init(n + 1);
    chi2_moments(mua, L, n);
    chi2_moments(mub, L - 1, n);
    chi2_moments(muc, 1, n);

    /* powers N^k = [[f, t g], [t g, h]] (FE-3), double-buffered; h is not needed */
    f = _fmpz_vec_init(W * W); g = _fmpz_vec_init(W * W);
    f2 = _fmpz_vec_init(W * W); g2 = _fmpz_vec_init(W * W);
    fmpz_one(f + 0);

    /* P[j][l](z) = sum_i F[i][j][l] z^i, the (1,1) entry of r(N/L) times Rd */
    P = flint_malloc(sizeof(fmpz_poly_struct) * (size_t) ((T + 1) * (T + 1)));
    for (slong i = 0; i < (T + 1) * (T + 1); i++)
        fmpz_poly_init(P + i);

    /* linear parts by the walk formula (FE-3b) */
    linear_parts(A1, A11, A22, Dl, R2n, Un, mua, L, n);

    /* (1,1) entries of N^k, k <= T, by the recurrence (FE-3) */
    for (slong k = 0; k <= T; k++) {
        /* square part: store R_k f_k[j][l] at z^(k - j - l) */
        if (k <= T && k < fmpz_poly_length(Rn) && !fmpz_is_zero(Rn->coeffs + k)) {
            for (slong j = 0; j <= k; j++)
                for (slong l = 0; j + l <= k; l++) {
                    if (fmpz_is_zero(f + j * W + l))
                        continue;
                    fmpz_mul(tmp, Rn->coeffs + k, f + j * W + l);
                    fmpz_poly_set_coeff_fmpz(P + j * (T + 1) + l, k - j - l, tmp);
                }
        }
        if (k == T)
            break;
        /* N^(k+1) = N^k N:  f' = f + g[j][l-1],  g' = f + g[j-1][l] + g[j][l-1]  (FE-3) */
        for (slong j = 0; j <= k + 1; j++)
            for (slong l = 0; j + l <= k + 1; l++) {
                fmpz *F = f2 + j * W + l, *Gq = g2 + j * W + l;
                const fmpz *gl = l > 0 ? g + j * W + l - 1 : NULL;
                const fmpz *gj = j > 0 ? g + (j - 1) * W + l : NULL;
                const fmpz *fo = f + j * W + l;
                if (gl) fmpz_add(F, fo, gl); else fmpz_set(F, fo);
                if (gj) fmpz_add(Gq, F, gj); else fmpz_set(Gq, F);   /* f + g[j][l-1] + g[j-1][l] */
            }
        fmpz *sw;
        sw = f; f = f2; f2 = sw;
        sw = g; g = g2; g2 = sw;
    }

    /* E[(R_11)^2]: orthogonal bases in b (chi2_{L-1}) and c (chi2_1) (FE-5) */
    const slong K = T;
    Cb = _fmpz_vec_init((K + 1) * (K + 1));
    Cc = _fmpz_vec_init((K + 1) * (K + 1));
    hb = _fmpz_vec_init(K + 1);
    hc = _fmpz_vec_init(K + 1);
    laguerre_change(Cb, L - 1, K);
    laguerre_change(Cc, 1, K);
    laguerre_norms(hb, mub, K);
    laguerre_norms(hc, muc, K);
    /* basis changes of (FE-5): along j for each l, ascending j' so that P[j]
     * for j > j' is still the original; then along l for each j' */
    for (slong l = 0; l <= K; l++)
        for (slong jp = 0; jp + l <= K; jp++) {
            fmpz_poly_zero(G);
            for (slong j = jp; j + l <= K; j++)
                fmpz_poly_scalar_addmul_fmpz(G, P + j * (K + 1) + l, Cb + j * (K + 1) + jp);
            fmpz_poly_swap(G, P + jp * (K + 1) + l);
        }
    for (slong jp = 0; jp <= K; jp++)
        for (slong lp = 0; jp + lp <= K; lp++) {
            fmpz_poly_zero(G);
            for (slong l = lp; jp + l <= K; l++)
                fmpz_poly_scalar_addmul_fmpz(G, P + jp * (K + 1) + l, Cc + l * (K + 1) + lp);
            fmpz_poly_swap(G, P + jp * (K + 1) + lp);
        }
    fmpz_poly_zero(S);
    for (slong jp = 0; jp <= K; jp++)
        for (slong lp = 0; jp + lp <= K; lp++) {
            fmpz_poly_struct *Q = P + jp * (K + 1) + lp;
            if (fmpz_poly_is_zero(Q))
                continue;
            fmpz_poly_sqr(G, Q);
            fmpz_mul(tmp, hb + jp, hc + lp);
            fmpz_poly_scalar_addmul_fmpz(S, G, tmp);
        }

    /* assemble (FE-4) */
    {
        fmpq_poly_t Q1, Q2, Q3, t2;
        fmpz_t d2q;
        fmpq_poly_init(Q1); fmpq_poly_init(Q2); fmpq_poly_init(Q3); fmpq_poly_init(t2);
        fmpz_init(d2q);
        fmpz_mul(R2d, R2d, Dl);                   /* the walk formula's denominator */
        fmpz_mul(Ud, Ud, Dl);
        moments_apply(Q1, A1, mua, R2d);
        fmpz_mul(d2q, Rd, Rd);
        moments_apply(Q2, S, mua, d2q);
        moments_apply(Q3, A11, mua, Ud);          /* lambda E[(u(M))_11] + E[(u(M))_22] */
        fmpq_poly_shift_left(Q3, Q3, 1);
        moments_apply(t2, A22, mua, Ud);
        fmpq_poly_add(Q3, Q3, t2);
        assemble(num, Q1, Q2, Q3, sigma, L);
        fmpq_poly_clear(Q1); fmpq_poly_clear(Q2); fmpq_poly_clear(Q3); fmpq_poly_clear(t2);
        fmpz_clear(d2q);
    }

    for (slong i = 0; i < (T + 1) * (T + 1); i++)
        fmpz_poly_clear(P + i);
    flint_free(P);
    _fmpz_vec_clear(Cb, (K + 1) * (K + 1));
    _fmpz_vec_clear(Cc, (K + 1) * (K + 1));
    _fmpz_vec_clear(hb, K + 1);
    _fmpz_vec_clear(hc, K + 1);
    _fmpz_vec_clear(f, W * W); _fmpz_vec_clear(g, W * W);
    _fmpz_vec_clear(f2, W * W); _fmpz_vec_clear(g2, W * W);
    _fmpz_vec_clear(mua, n + 1);
    _fmpz_vec_clear(mub, n + 1);
    _fmpz_vec_clear(muc, n + 1);
    fmpq_poly_clear(r); fmpq_poly_clear(r2); fmpq_poly_clear(u); fmpq_poly_clear(x);
    fmpz_poly_clear(Rn); fmpz_poly_clear(R2n); fmpz_poly_clear(Un);
    fmpz_poly_clear(A1); fmpz_poly_clear(A11); fmpz_poly_clear(A22);
    fmpz_poly_clear(S); fmpz_poly_clear(G);
    fmpz_clear(Rd); fmpz_clear(R2d); fmpz_clear(Ud); fmpz_clear(Dl); fmpz_clear(tmp);
    return 0;
}

int cp_ca_excess_finite_at_s(fmpq_t res, slong d1, slong d2, slong L,
                             const fmpq_poly_t p, const fmpq_t sigma, const fmpq_t s,
                             char *err)
{
    fmpq_poly_t num;
    fmpq_t lam;
    int rc;
    if (fmpq_sgn(s) < 0) {
        cp_errf(err, "s must be >= 0");
        return -1;
    }
    fmpq_poly_init(num);
    fmpq_init(lam);
    rc = cp_ca_excess_finite_laurent(num, d1, d2, L, p, sigma, err);
    if (rc == 0) {
        fmpq_add_si(lam, s, 1);
        fmpq_poly_evaluate_fmpq(res, num, lam);
        fmpq_div(res, res, lam);
        fmpq_div(res, res, lam);
    }
    fmpq_poly_clear(num);
    fmpq_clear(lam);
    return rc;
}

/* --- prior moments of lambda (FE-6) --------------------------------------- */

/* mom[k] = E[lambda^k], k = 0..K, exactly */
static void lambda_moments(fmpq *mom, const cp_model_t m, slong K)
{
    fmpq_t la, lb, del, pa, pb, t;
    fmpq_init(la); fmpq_init(lb); fmpq_init(del);
    fmpq_init(pa); fmpq_init(pb); fmpq_init(t);
    fmpq_add_si(la, m->m_lo, 1);
    fmpq_add_si(lb, m->m_hi, 1);
    fmpq_sub(del, m->m_hi, m->m_lo);
    if (fmpq_is_zero(del)) {
        fmpq_one(pa);
        for (slong k = 0; k <= K; k++) {
            fmpq_set(mom + k, pa);
            fmpq_mul(pa, pa, la);
        }
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        fmpq_one(pa);
        fmpq_one(pb);
        for (slong k = 0; k <= K; k++) {
            fmpq_add(mom + k, pa, pb);
            fmpq_div_2exp(mom + k, mom + k, 1);
            fmpq_mul(pa, pa, la);
            fmpq_mul(pb, pb, lb);
        }
    } else if (m->prior == CP_PRIOR_UNIFORM) {
        /* (lb^(k+1) - la^(k+1)) / ((k+1) del) */
        fmpq_set(pa, la);
        fmpq_set(pb, lb);
        for (slong k = 0; k <= K; k++) {
            fmpq_sub(t, pb, pa);
            fmpq_div(t, t, del);
            fmpq_set(mom + k, t);
            {
                fmpz_t kk;
                fmpz_init_set_si(kk, k + 1);
                fmpq_div_fmpz(mom + k, mom + k, kk);
                fmpz_clear(kk);
            }
            fmpq_mul(pa, pa, la);
            fmpq_mul(pb, pb, lb);
        }
    } else {
        /* Beta: lambda = la + del X, E X^j = prod_{i<j} (a+i)/(a+b+i) */
        fmpq *ex = _fmpq_vec_init(K + 1);
        fmpq *dp = _fmpq_vec_init(K + 1);
        fmpq *lp = _fmpq_vec_init(K + 1);
        fmpq_t ab, num, den;
        fmpz_t bn;
        fmpq_init(ab); fmpq_init(num); fmpq_init(den);
        fmpz_init(bn);
        fmpq_add(ab, m->beta_a, m->beta_b);
        fmpq_one(ex + 0);
        fmpq_one(dp + 0);
        fmpq_one(lp + 0);
        for (slong j = 1; j <= K; j++) {
            fmpq_add_si(num, m->beta_a, j - 1);
            fmpq_add_si(den, ab, j - 1);
            fmpq_mul(ex + j, ex + j - 1, num);
            fmpq_div(ex + j, ex + j, den);
            fmpq_mul(dp + j, dp + j - 1, del);
            fmpq_mul(lp + j, lp + j - 1, la);
        }
        for (slong k = 0; k <= K; k++) {
            fmpq_zero(mom + k);
            for (slong j = 0; j <= k; j++) {
                fmpz_bin_uiui(bn, (ulong) k, (ulong) j);
                fmpq_mul(t, lp + k - j, dp + j);
                fmpq_mul(t, t, ex + j);
                fmpq_mul_fmpz(t, t, bn);
                fmpq_add(mom + k, mom + k, t);
            }
        }
        _fmpq_vec_clear(ex, K + 1);
        _fmpq_vec_clear(dp, K + 1);
        _fmpq_vec_clear(lp, K + 1);
        fmpq_clear(ab); fmpq_clear(num); fmpq_clear(den);
        fmpz_clear(bn);
    }
    fmpq_clear(la); fmpq_clear(lb); fmpq_clear(del);
    fmpq_clear(pa); fmpq_clear(pb); fmpq_clear(t);
}

void cp_prior_lambda_moment(fmpq_t res, const cp_model_t m, ulong k)
{
    fmpq *mom = _fmpq_vec_init((slong) k + 1);
    lambda_moments(mom, m, (slong) k);
    fmpq_set(res, mom + k);
    _fmpq_vec_clear(mom, (slong) k + 1);
}

/* E[lambda^-2] exactly when the prior allows it (returns 1), else 0 */
static int inv2_exact(fmpq_t res, const cp_model_t m)
{
    fmpq_t la, lb;
    int ok = 1;
    fmpq_init(la);
    fmpq_init(lb);
    fmpq_add_si(la, m->m_lo, 1);
    fmpq_add_si(lb, m->m_hi, 1);
    if (fmpq_equal(la, lb)) {
        fmpq_mul(res, la, la);
        fmpq_inv(res, res);
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        fmpq_mul(la, la, la);
        fmpq_mul(lb, lb, lb);
        fmpq_inv(la, la);
        fmpq_inv(lb, lb);
        fmpq_add(res, la, lb);
        fmpq_div_2exp(res, res, 1);
    } else if (m->prior == CP_PRIOR_UNIFORM) {
        /* (1/la - 1/lb)/(lb - la) = 1/(la lb) */
        fmpq_mul(res, la, lb);
        fmpq_inv(res, res);
    } else {
        ok = 0;
    }
    fmpq_clear(la);
    fmpq_clear(lb);
    return ok;
}

/* E[lambda^-1] exactly when the prior allows it (returns 1), else 0 */
static int inv1_exact(fmpq_t res, const cp_model_t m)
{
    fmpq_t la, lb;
    int ok = 1;
    fmpq_init(la);
    fmpq_init(lb);
    fmpq_add_si(la, m->m_lo, 1);
    fmpq_add_si(lb, m->m_hi, 1);
    if (fmpq_equal(la, lb)) {
        fmpq_inv(res, la);
    } else if (m->prior == CP_PRIOR_TWOPOINT) {
        fmpq_inv(la, la);
        fmpq_inv(lb, lb);
        fmpq_add(res, la, lb);
        fmpq_div_2exp(res, res, 1);
    } else {
        ok = 0;
    }
    fmpq_clear(la);
    fmpq_clear(lb);
    return ok;
}

void cp_prior_lambda_inv_moment(arb_t res, const cp_model_t m, ulong k, slong prec)
{
    fmpq_t q;
    fmpq_init(q);
    if (k == 1) {
        if (inv1_exact(q, m))
            arb_set_fmpq(res, q, prec);
        else
            cp_prior_mean_inv1ps(res, m, prec);
    } else if (k == 2) {
        if (inv2_exact(q, m)) {
            arb_set_fmpq(res, q, prec);
        } else {
            /* Beta: E[(la + del X)^-2] = 2F1(2, a; a+b; -del/la) / la^2 (Euler) */
            arb_t two, a, c, z, la;
            fmpq_t t;
            arb_init(two); arb_init(a); arb_init(c); arb_init(z); arb_init(la);
            fmpq_init(t);
            arb_set_ui(two, 2);
            arb_set_fmpq(a, m->beta_a, prec);
            fmpq_add(t, m->beta_a, m->beta_b);
            arb_set_fmpq(c, t, prec);
            fmpq_add_si(t, m->m_lo, 1);
            arb_set_fmpq(la, t, prec);
            fmpq_sub(t, m->m_lo, m->m_hi);
            arb_set_fmpq(z, t, prec);
            arb_div(z, z, la, prec);
            arb_hypgeom_2f1(res, two, a, c, z, 0, prec);
            arb_div(res, res, la, prec);
            arb_div(res, res, la, prec);
            arb_clear(two); arb_clear(a); arb_clear(c); arb_clear(z); arb_clear(la);
            fmpq_clear(t);
        }
    } else {
        arb_indeterminate(res);
    }
    fmpq_clear(q);
}

/* --- prior average (FE-6) -------------------------------------------------- */

int cp_ca_excess_finite_poly(arb_t res, const cp_model_t m, slong L, const fmpq_poly_t p,
                             slong prec, char *err)
{
    fmpq_poly_t num;
    fmpq_t rat, t, c0, c1;
    int rc;
    fmpq_poly_init(num);
    fmpq_init(rat); fmpq_init(t); fmpq_init(c0); fmpq_init(c1);
    rc = cp_ca_excess_finite_laurent(num, m->d1, m->d2, L, p, m->sigma, err);
    if (rc == 0) {
        slong len = fmpq_poly_length(num);
        fmpq *mom = _fmpq_vec_init(len + 1);
        lambda_moments(mom, m, len);
        /* sum_{k >= 2} num_k E[lambda^(k-2)] */
        fmpq_zero(rat);
        for (slong k = 2; k < len; k++) {
            fmpq_poly_get_coeff_fmpq(t, num, k);
            fmpq_mul(t, t, mom + k - 2);
            fmpq_add(rat, rat, t);
        }
        fmpq_poly_get_coeff_fmpq(c0, num, 0);   /* times E[lambda^-2] */
        fmpq_poly_get_coeff_fmpq(c1, num, 1);   /* times E[lambda^-1] */
        if (inv2_exact(t, m)) {
            fmpq_mul(t, t, c0);
            fmpq_add(rat, rat, t);
            fmpq_zero(c0);
        }
        if (inv1_exact(t, m)) {
            fmpq_mul(t, t, c1);
            fmpq_add(rat, rat, t);
            fmpq_zero(c1);
        }
        if (fmpq_is_zero(c0) && fmpq_is_zero(c1)) {
            arb_set_fmpq(res, rat, prec + 64);
        } else {
            /* the inverse moments multiply coefficients that may cancel
             * against the rational part: raise the working precision until
             * the sum has the requested relative accuracy */
            slong extra = fmpz_bits(fmpq_numref(c0)) + fmpz_bits(fmpq_numref(c1)) + 64;
            arb_t a, b;
            arb_init(a);
            arb_init(b);
            for (int it = 0; it < 8; it++) {
                slong wp = prec + extra + 64;
                arb_set_fmpq(res, rat, wp);
                if (!fmpq_is_zero(c1)) {
                    cp_prior_lambda_inv_moment(a, m, 1, wp);
                    arb_set_fmpq(b, c1, wp);
                    arb_addmul(res, a, b, wp);
                }
                if (!fmpq_is_zero(c0)) {
                    cp_prior_lambda_inv_moment(a, m, 2, wp);
                    arb_set_fmpq(b, c0, wp);
                    arb_addmul(res, a, b, wp);
                }
                if (arb_rel_accuracy_bits(res) >= prec + 32)
                    break;
                extra *= 2;
            }
            arb_clear(a);
            arb_clear(b);
        }
        _fmpq_vec_clear(mom, len + 1);
    }
    fmpq_poly_clear(num);
    fmpq_clear(rat); fmpq_clear(t); fmpq_clear(c0); fmpq_clear(c1);
    return rc;
}

int cp_ca_excess_finite(arb_t res, const cp_model_t m, slong L, slong T,
                        const fmpq_t alpha, const fmpq_t beta, slong prec, char *err)
{
    fmpq_poly_t p;
    int rc;
    if (T < 1 || T > CP_FINITE_MAX_T) {
        cp_errf(err, "T = %ld: the exact finite-L excess accepts 1 <= T <= %d", (long) T,
                CP_FINITE_MAX_T);
        return -1;
    }
    fmpq_poly_init(p);
    cp_ca_weight_poly(p, T, alpha, beta, NULL, NULL);
    rc = cp_ca_excess_finite_poly(res, m, L, p, prec, err);
    fmpq_poly_clear(p);
    return rc;
}

int cp_ca_risk_finite(arb_t res, const cp_model_t m, slong L, slong T,
                      const fmpq_t alpha, const fmpq_t beta, slong prec, char *err)
{
    int rc = cp_ca_excess_finite(res, m, L, T, alpha, beta, prec, err);
    if (rc == 0) {
        arb_t v;
        arb_init(v);
        cp_bayes_risk(v, m, prec + 64);   /* E[1/(1+s)] + sigma^2 = E[Var(y|x)] */
        arb_add(res, res, v, prec + 64);
        arb_clear(v);
    }
    return rc;
}

/* --- `crossproof eval` quantities ------------------------------------------ */

static const cp_key_spec fe_keys[] = {
    CP_MODEL_KEYS,
    { "L",      CP_KEY_INT,     "200",     "context length, d + 1 < L <= 10^8" },
    { "T",      CP_KEY_INT,     "1",       "depth: d = 2, 1 <= T <= 150 (cost ~T^4); d > 2, small T only (docs/model.md (FE-9))" },
    { "alpha",  CP_KEY_RAT,     "alpha*",  "CA step (default alpha* = 2/(2+m_lo+m_hi))" },
    { "beta",   CP_KEY_RAT,     "-alpha",  "CA feedback (default -alpha: the tied CA)" },
    { "alphas", CP_KEY_RATLIST, "none",    "untied steps alpha_0..alpha_{T-1} (overrides alpha; T = their number)" },
    { "betas",  CP_KEY_RATLIST, "-alphas", "untied feedbacks beta_0..beta_{T-1}" },
    CP_KEY_END
};

/* Reads the model, L and the weight polynomial.  Returns 0 or -1 with err. */
static int fe_load(cp_model_t m, slong *L, fmpq_poly_t p, const cp_kv *kv, char *err)
{
    slong T = 1;
    if (cp_kv_validate(kv, fe_keys, err) != 0 || cp_model_from_kv(m, kv, err) != 0)
        return -1;
    if (cp_kv_get_int(L, kv, fe_keys, "L", err) != 0)
        return -1;
    if (*L <= m->d1 + m->d2 + 1 || *L > CP_FINITE_MAX_L) {
        cp_kv_error(err, kv, "L", "L = %ld: need d + 1 < L <= %ld (d = %ld)", (long) *L,
                    (long) CP_FINITE_MAX_L, (long) (m->d1 + m->d2));
        return -1;
    }
    if (cp_kv_get_int(&T, kv, fe_keys, "T", err) != 0)
        return -1;
    if (cp_kv_has(kv, "alphas")) {
        slong na = 0;
        fmpq *al = NULL;
        if (cp_kv_get_ratlist(&al, &na, kv, fe_keys, "alphas", err) != 0)
            return -1;
        _fmpq_vec_clear(al, na);
        if (na >= 1 && !cp_ca_excess_finite_supported(m->d1 + m->d2, na)) {
            cp_kv_error(err, kv, "alphas", "d = %ld, T = %ld: beyond the exact frontier (d = 2: T <= %d; "
                        "d > 2: T <= %d)", (long) (m->d1 + m->d2), (long) na,
                        CP_FINITE_MAX_T, CP_FINITE_GENERAL_MAX_T);
            return -1;
        }
    } else if (T >= 1 && T <= CP_FINITE_MAX_T && !cp_ca_excess_finite_supported(m->d1 + m->d2, T)) {
        cp_kv_error(err, kv, "T", "d = %ld, T = %ld: beyond the exact frontier (d > 2: T <= %d; "
                    "use ca-excess-lower)", (long) (m->d1 + m->d2), (long) T, CP_FINITE_GENERAL_MAX_T);
        return -1;
    }
    if (cp_kv_has(kv, "alphas")) {
        fmpq *al = NULL, *be = NULL;
        slong na = 0, nb = 0;
        int rc = 0;
        if (cp_kv_has(kv, "alpha") || cp_kv_has(kv, "beta")) {
            cp_kv_error(err, kv, cp_kv_has(kv, "alpha") ? "alpha" : "beta",
                        "give either alpha/beta (tied) or alphas/betas (untied), not both");
            return -1;
        }
        if (cp_kv_get_ratlist(&al, &na, kv, fe_keys, "alphas", err) != 0)
            return -1;
        if (cp_kv_has(kv, "T") && T != na) {
            cp_kv_error(err, kv, "T", "T = %ld but alphas has %ld values", (long) T, (long) na);
            rc = -1;
        } else if (na < 1 || na > CP_FINITE_MAX_T) {
            cp_kv_error(err, kv, "alphas", "alphas has %ld values: need 1 to %d", (long) na,
                        CP_FINITE_MAX_T);
            rc = -1;
        } else if (cp_kv_has(kv, "betas")) {
            if (cp_kv_get_ratlist(&be, &nb, kv, fe_keys, "betas", err) != 0)
                rc = -1;
            else if (nb != na) {
                cp_kv_error(err, kv, "betas", "betas has %ld values, alphas %ld", (long) nb, (long) na);
                rc = -1;
            }
        }
        if (rc == 0)
            cp_ca_weight_poly(p, na, NULL, NULL, al, be);
        if (al) _fmpq_vec_clear(al, na);
        if (be) _fmpq_vec_clear(be, nb);
        return rc;
    }
    if (cp_kv_has(kv, "betas")) {
        cp_kv_error(err, kv, "betas", "betas needs alphas");
        return -1;
    }
    if (T < 1 || T > CP_FINITE_MAX_T) {
        cp_kv_error(err, kv, "T", "T = %ld: the exact finite-L excess accepts 1 <= T <= %d", (long) T,
                    CP_FINITE_MAX_T);
        return -1;
    }
    {
        fmpq_t a, b;
        int rc = 0;
        fmpq_init(a);
        fmpq_init(b);
        if (cp_kv_has(kv, "alpha"))
            rc = cp_kv_get_rat(a, kv, fe_keys, "alpha", err);
        else
            cp_alpha_star(a, m);
        if (rc == 0 && cp_kv_has(kv, "beta"))
            rc = cp_kv_get_rat(b, kv, fe_keys, "beta", err);
        else
            fmpq_neg(b, a);
        if (rc == 0)
            cp_ca_weight_poly(p, T, a, b, NULL, NULL);
        fmpq_clear(a);
        fmpq_clear(b);
        return rc;
    }
}

static int q_fe(arb_t res, const cp_kv *kv, slong prec, char *err, int risk)
{
    cp_model_t m;
    fmpq_poly_t p;
    slong L = 0;
    int rc;
    cp_model_init(m);
    fmpq_poly_init(p);
    rc = fe_load(m, &L, p, kv, err);
    if (rc == 0) {
        char inner[CP_ERRLEN];
        rc = cp_ca_excess_finite_poly(res, m, L, p, prec, inner);
        if (rc != 0)   /* the term limit of (FE-9): depth too large for this d */
            cp_kv_error(err, kv, cp_kv_has(kv, "alphas") ? "alphas" : "T", "%s", inner);
    }
    if (rc == 0 && risk) {
        arb_t v;
        arb_init(v);
        cp_bayes_risk(v, m, prec + 64);   /* E[Var(y|x)] = E[1/(1+s)] + sigma^2 (FC-2) */
        arb_add(res, res, v, prec + 64);
        arb_clear(v);
    }
    fmpq_poly_clear(p);
    cp_model_clear(m);
    return rc;
}

static int q_ca_excess_finite(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    return q_fe(res, kv, prec, err, 0);
}

static int q_ca_risk_finite(arb_t res, const cp_kv *kv, slong prec, char *err)
{
    return q_fe(res, kv, prec, err, 1);
}

const cp_quantity_def cp_quantities_finite_exact[] = {
    { "ca-excess-finite", "exact expected excess of the CA at finite L and T (d = 2: T <= 150; d > 2: small T; tied, (alpha, beta) or untied)",
      fe_keys, q_ca_excess_finite, NULL, NULL },
    { "ca-risk-finite", "exact expected risk of the CA at finite L and T: ca-excess-finite + E[1/(1+s)] + sigma^2",
      fe_keys, q_ca_risk_finite, NULL, NULL },
    { NULL, NULL, NULL, NULL, NULL, NULL }
};
