/* flow_ode.c -- the gradient flow of the CA loss: an approximate (double)
 * integrator and the certified endpoint test (flow.h; docs/model.md (GF-7)). */
#include <math.h>
#include "crossproof/flow.h"
#include "crossproof/lsa.h"

/* Approximate gradient and loss: Arb at 64 bits, rounded to doubles. */
static int grad_approx(double g[2], double *loss, const cp_model_t m, ulong T, int dim,
                       const double th[2], double bayes)
{
    arb_t a, b, ga, gb, e;
    int ok = 1;
    arb_init(a); arb_init(b); arb_init(ga); arb_init(gb); arb_init(e);
    arb_set_d(a, th[0]);
    if (dim == 1) {
        cp_flow_dexcess1(ga, m, a, T, 64);
        g[0] = arf_get_d(arb_midref(ga), ARF_RND_NEAR);
        g[1] = 0;
        if (loss) {
            cp_flow_excess1(e, m, a, T, 64);
            *loss = bayes + arf_get_d(arb_midref(e), ARF_RND_NEAR);
        }
    } else {
        if (!(th[1] < 0)) {
            ok = 0;
        } else {
            arb_set_d(b, th[1]);
            cp_flow_grad2(ga, gb, m, a, b, T, 64);
            g[0] = arf_get_d(arb_midref(ga), ARF_RND_NEAR);
            g[1] = arf_get_d(arb_midref(gb), ARF_RND_NEAR);
            if (loss) {
                cp_flow_excess2(e, m, a, b, T, 64);
                *loss = bayes + arf_get_d(arb_midref(e), ARF_RND_NEAR);
            }
        }
    }
    if (!isfinite(g[0]) || !isfinite(g[1]) || (loss && !isfinite(*loss)))
        ok = 0;
    arb_clear(a); arb_clear(b); arb_clear(ga); arb_clear(gb); arb_clear(e);
    return ok;
}

/* Dormand-Prince 5(4) tableau (Dormand and Prince, J. Comput. Appl. Math. 6, 1980);
 * the system is autonomous, so the nodes c_i are not needed. */
static const double DP_A[7][6] = {
    { 0 },
    { 1.0 / 5 },
    { 3.0 / 40, 9.0 / 40 },
    { 44.0 / 45, -56.0 / 15, 32.0 / 9 },
    { 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729 },
    { 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656 },
    { 35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84 }
};
static const double DP_B5[7] = { 35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0 };
static const double DP_B4[7] = { 5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40 };

slong cp_flow_integrate_approx(double theta_end[2], const cp_model_t m, ulong T, int dim,
                               const double theta0[2], double tau_end, double tol, slong max_steps,
                               cp_flow_point_cb cb, void *ctx)
{
    double th[2] = { theta0[0], dim == 2 ? theta0[1] : -theta0[0] }, k[7][2], tau = 0, h, bayes;
    slong steps = 0;
    cp_flow_point_approx pt;
    arb_t br;
    arb_init(br);
    cp_bayes_risk(br, m, 64);
    bayes = arf_get_d(arb_midref(br), ARF_RND_NEAR);
    arb_clear(br);
    theta_end[0] = th[0];
    theta_end[1] = th[1];
    if (!grad_approx(k[0], &pt.loss, m, T, dim, th, bayes))
        return -1;
    pt.tau = 0;
    pt.theta[0] = th[0];
    pt.theta[1] = th[1];
    pt.gnorm = hypot(k[0][0], k[0][1]);
    if (cb)
        cb(&pt, ctx);
    /* initial step: a small fraction of the time scale |theta| / |grad| */
    h = pt.gnorm > 0 ? 1e-3 * (fabs(th[0]) + 1e-3) / pt.gnorm : tau_end;
    if (h > tau_end) h = tau_end;
    while (tau < tau_end) {
        double y[2] = { 0, 0 }, y5[2] = { th[0], th[1] }, err = 0;
        int ok = 1;
        if (steps >= max_steps)
            return -1;
        if (tau + h > tau_end)
            h = tau_end - tau;
        for (int s = 1; s < 7 && ok; s++) {
            for (int d = 0; d < dim; d++) {
                y[d] = th[d];
                for (int j = 0; j < s; j++)
                    y[d] -= h * DP_A[s][j] * k[j][d];
            }
            if (dim == 1) y[1] = -y[0];
            ok = grad_approx(k[s], NULL, m, T, dim, y, bayes);
        }
        if (ok) {
            for (int d = 0; d < dim; d++) {
                double e5 = 0, e4 = 0, sc;
                for (int j = 0; j < 7; j++) {
                    e5 += DP_B5[j] * k[j][d];
                    e4 += DP_B4[j] * k[j][d];
                }
                y5[d] = th[d] - h * e5;
                sc = tol * (1 + fabs(th[d]));
                err = fmax(err, fabs(h * (e5 - e4)) / sc);
            }
            if (!isfinite(err))
                ok = 0;
        }
        if (!ok) {
            h *= 0.25;           /* left the domain: retry with a smaller step */
            if (h < 1e-300)
                return -1;
            continue;
        }
        if (err <= 1) {
            tau += h;
            th[0] = y5[0];
            th[1] = dim == 2 ? y5[1] : -y5[0];
            steps++;
            /* FSAL: k[6] is the gradient at the new point */
            k[0][0] = k[6][0];
            k[0][1] = k[6][1];
            if (cb) {
                double g[2];
                pt.tau = tau;
                pt.theta[0] = th[0];
                pt.theta[1] = th[1];
                grad_approx(g, &pt.loss, m, T, dim, th, bayes);
                pt.gnorm = hypot(g[0], g[1]);
                cb(&pt, ctx);
            }
        }
        h *= fmin(5.0, fmax(0.2, 0.9 * pow(err > 1e-300 ? err : 1e-300, -0.2)));
    }
    theta_end[0] = th[0];
    theta_end[1] = th[1];
    return steps;
}

/* Lower bound of E1'' on [lo, hi] by bisection into at most 2^depth pieces;
 * writes the bound into mu (min over pieces) and returns 1 when it is > 0. */
static int d2_lower(arb_t mu, const cp_model_t m, ulong T, const arb_t lo, const arb_t hi, int depth, slong prec)
{
    arb_t b, d, mid;
    int ok;
    arb_init(b); arb_init(d); arb_init(mid);
    arb_union(b, lo, hi, prec);
    cp_flow_d2excess1(d, m, b, T, prec);
    ok = arb_is_positive(d);
    if (ok) {
        arb_get_lbound_arf(arb_midref(mu), d, prec);
        mag_zero(arb_radref(mu));
    } else if (depth > 0) {
        arb_t m1, m2;
        arb_init(m1); arb_init(m2);
        arb_add(mid, lo, hi, prec);
        arb_mul_2exp_si(mid, mid, -1);
        arb_get_mid_arb(mid, mid);
        ok = d2_lower(m1, m, T, lo, mid, depth - 1, prec) && d2_lower(m2, m, T, mid, hi, depth - 1, prec);
        if (ok)
            arb_min(mu, m1, m2, prec);
        arb_clear(m1); arb_clear(m2);
    }
    arb_clear(b); arb_clear(d); arb_clear(mid);
    return ok;
}

/* upper bound of |x| as an exact arb (mag) */
static void abs_upper(arb_t res, const arb_t x)
{
    mag_t t;
    mag_init(t);
    arb_get_mag(t, x);
    arf_set_mag(arb_midref(res), t);
    mag_zero(arb_radref(res));
    mag_clear(t);
}

int cp_flow_certify_endpoint1(arb_t radius, arb_t mu, arb_t alpha_T, const cp_model_t m, ulong T,
                              const arb_t alpha_end, slong prec)
{
    arb_t d, lo, hi;
    int ok = 0;
    arb_init(d); arb_init(lo); arb_init(hi);
    if (cp_flow_alpha_opt(alpha_T, m, T, prec)) {
        arb_sub(d, alpha_end, alpha_T, prec);
        abs_upper(radius, d);
        arb_mul_2exp_si(d, radius, -20);
        arb_add(radius, radius, d, prec);           /* a little margin */
        abs_upper(radius, radius);
        /* [lo, hi] (exact ends) covers every point within radius of alpha_T */
        arb_set(d, alpha_T);
        arb_add_error(d, radius);
        arb_get_lbound_arf(arb_midref(lo), d, prec);
        arb_get_ubound_arf(arb_midref(hi), d, prec);
        mag_zero(arb_radref(lo));
        mag_zero(arb_radref(hi));
        ok = d2_lower(mu, m, T, lo, hi, 10, prec);
    }
    if (!ok)
        arb_indeterminate(mu);
    arb_clear(d); arb_clear(lo); arb_clear(hi);
    return ok;
}

/* Lower bound of the smallest Hessian eigenvalue on the box a x b:
 * (tr - sqrt((haa - hbb)^2 + 4 hab^2))/2, with haa > 0 and det > 0 proved. */
static int hess_lower(arb_t mu, const cp_model_t m, ulong T, const arb_t a, const arb_t b, slong prec)
{
    arb_t haa, hab, hbb, t, u;
    int ok;
    arb_init(haa); arb_init(hab); arb_init(hbb); arb_init(t); arb_init(u);
    cp_flow_hess2(haa, hab, hbb, m, a, b, T, prec);
    arb_mul(t, haa, hbb, prec);
    arb_submul(t, hab, hab, prec);
    ok = arb_is_positive(haa) && arb_is_positive(t);
    if (ok) {
        arb_sub(t, haa, hbb, prec);
        arb_mul(t, t, t, prec);
        arb_mul(u, hab, hab, prec);
        arb_mul_2exp_si(u, u, 2);
        arb_add(t, t, u, prec);
        arb_sqrt(t, t, prec);
        arb_add(u, haa, hbb, prec);
        arb_sub(u, u, t, prec);
        arb_mul_2exp_si(u, u, -1);
        ok = arb_is_positive(u);
        if (ok) {
            arb_get_lbound_arf(arb_midref(mu), u, prec);
            mag_zero(arb_radref(mu));
        }
    }
    arb_clear(haa); arb_clear(hab); arb_clear(hbb); arb_clear(t); arb_clear(u);
    return ok;
}

int cp_flow_certify_endpoint2(arb_t radius, arb_t mu, arb_t alpha_T, arb_t beta_T, const cp_model_t m,
                              ulong T, const arb_t alpha_end, const arb_t beta_end, slong prec)
{
    arb_t r, da, db, t, A, B, ca, cb, mm;
    int ok = 0;
    arb_init(r); arb_init(da); arb_init(db); arb_init(t); arb_init(A); arb_init(B);
    arb_init(ca); arb_init(cb); arb_init(mm);
    if (cp_flow_opt2(alpha_T, beta_T, r, m, T, prec)) {
        arb_sub(da, alpha_end, alpha_T, prec);
        arb_sub(db, beta_end, beta_T, prec);
        arb_mul(t, da, da, prec);
        arb_addmul(t, db, db, prec);
        arb_sqrt(t, t, prec);
        abs_upper(radius, t);
        arb_mul_2exp_si(t, radius, -20);
        arb_add(radius, radius, t, prec);
        abs_upper(radius, radius);
        /* box theta_T +- radius, split into n x n cells */
        for (slong n = 1; n <= 32 && !ok; n *= 2) {
            int all = 1;
            arb_pos_inf(mu);
            for (slong i = 0; i < n && all; i++)
                for (slong j = 0; j < n && all; j++) {
                    /* cell centre offset (2i + 1 - n)/n radius, half-width radius/n */
                    arb_set_si(t, 2 * i + 1 - n);
                    arb_mul(t, t, radius, prec);
                    arb_div_si(t, t, n, prec);
                    arb_add(A, alpha_T, t, prec);
                    arb_set_si(t, 2 * j + 1 - n);
                    arb_mul(t, t, radius, prec);
                    arb_div_si(t, t, n, prec);
                    arb_add(B, beta_T, t, prec);
                    arb_div_si(t, radius, n, prec);
                    arb_get_mag(arb_radref(ca), t);
                    arf_zero(arb_midref(ca));
                    arb_add(A, A, ca, prec);
                    arb_add(B, B, ca, prec);
                    if (!arb_is_negative(B) || !hess_lower(mm, m, T, A, B, prec))
                        all = 0;
                    else
                        arb_min(mu, mu, mm, prec);
                }
            ok = all;
        }
    }
    if (!ok)
        arb_indeterminate(mu);
    arb_clear(r); arb_clear(da); arb_clear(db); arb_clear(t); arb_clear(A); arb_clear(B);
    arb_clear(ca); arb_clear(cb); arb_clear(mm);
    return ok;
}
