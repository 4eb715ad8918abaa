/* bench_box.c -- cost of the region forms (eval_box, docs/model.md section
 * 10) against the targets of issue 11:
 *   - lsa-gap enclosed over [1/10, 1] x [2, 10] split into 1000 sub-boxes
 *     (25 x 40), all at 64 bits: target < 2 s (the claim's whole budget);
 *   - alpha-opt enclosed over the box m_lo in [1/2, 51/100], m_hi in
 *     [4, 401/100] for every T = 1..10^4 (one box per T): target < 30 s.
 * In-process timing of the eval_box calls (no claim parsing). */
#include <stdio.h>
#include <string.h>
#include "crossproof/box.h"
#include "crossproof/quantity.h"
#include "benchutil.h"

static int box_call(const cp_quantity_def *q, cp_kv *kv, const fmpq_t l0, const fmpq_t l1,
                    const fmpq_t h0, const fmpq_t h1, slong prec, arb_t res)
{
    char err[CP_ERRLEN];
    cp_box b;
    int rc;
    cp_box_init(&b, kv);
    cp_box_add(&b, "m_lo", l0, l1);
    cp_box_add(&b, "m_hi", h0, h1);
    rc = q->eval_box(res, &b, prec, err);
    if (rc != 0)
        fprintf(stderr, "eval_box: %s\n", err);
    cp_box_clear(&b);
    return rc;
}

int main(void)
{
    const cp_quantity_def *gap = cp_quantity_lookup("lsa-gap"), *aopt = cp_quantity_lookup("alpha-opt");
    fmpq_t l0, l1, h0, h1;
    arb_t res;
    cp_kv kv;
    int ok = 1, positive = 1;
    double t0, dt, maxrad = 0;
    fmpq_init(l0); fmpq_init(l1); fmpq_init(h0); fmpq_init(h1);
    arb_init(res);
    cp_kv_init(&kv, "");

    t0 = bench_now();
    for (int i = 0; i < 25; i++)
        for (int j = 0; j < 40; j++) {
            /* m_lo in [1/10 + 9i/250, ...], m_hi in [2 + j/5, ...] */
            fmpq_set_si(l0, 25 + 9 * i, 250);
            fmpq_set_si(l1, 25 + 9 * (i + 1), 250);
            fmpq_set_si(h0, 10 + j, 5);
            fmpq_set_si(h1, 10 + j + 1, 5);
            if (box_call(gap, &kv, l0, l1, h0, h1, 64, res) != 0)
                return 2;
            positive &= arb_is_positive(res);
        }
    dt = bench_now() - t0;
    ok &= dt < 2.0 && positive;
    printf("%-4s %8.3f s (target < %5.1f s)  lsa-gap over [1/10,1]x[2,10], 1000 sub-boxes, all > 0: %s\n",
           dt < 2.0 && positive ? "PASS" : "FAIL", dt, 2.0, positive ? "yes" : "no");

    fmpq_set_si(l0, 1, 2);
    fmpq_set_si(l1, 51, 100);
    fmpq_set_si(h0, 4, 1);
    fmpq_set_si(h1, 401, 100);
    t0 = bench_now();
    for (int T = 1; T <= 10000; T++) {
        char v[16];
        snprintf(v, sizeof v, "%d", T);
        cp_kv_set(&kv, "T", v, 0, 1);
        if (box_call(aopt, &kv, l0, l1, h0, h1, 64, res) != 0)
            return 2;
        double r = mag_get_d(arb_radref(res));
        if (!arb_is_finite(res))
            r = 1e300;
        if (r > maxrad)
            maxrad = r;
    }
    dt = bench_now() - t0;
    ok &= dt < 30.0;
    printf("%-4s %8.3f s (target < %5.1f s)  alpha-opt over [1/2,51/100]x[4,401/100], T = 1..10^4; largest radius %.3g\n",
           dt < 30.0 ? "PASS" : "FAIL", dt, 30.0, maxrad);
    cp_kv_clear(&kv);
    fmpq_clear(l0); fmpq_clear(l1); fmpq_clear(h0); fmpq_clear(h1);
    arb_clear(res);
    flint_cleanup();
    return ok ? 0 : 1;
}
