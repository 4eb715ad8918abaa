/* box.c -- parameter boxes and the model of a box (box.h, boxq.h;
 * docs/model.md, section 10). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "crossproof/boxq.h"

#define BOX_MAX_S 1000000     /* the cap of cp_model_from_kv (src/model.c) */

void cp_box_init(cp_box *b, const cp_kv *kv)
{
    b->kv = kv;
    b->n = 0;
}

void cp_box_clear(cp_box *b)
{
    for (int i = 0; i < b->n; i++) {
        fmpq_clear(b->r[i].lo);
        fmpq_clear(b->r[i].hi);
    }
    b->n = 0;
}

const cp_box_range *cp_box_find(const cp_box *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->r[i].key, key) == 0)
            return &b->r[i];
    return NULL;
}

int cp_box_add(cp_box *b, const char *key, const fmpq_t lo, const fmpq_t hi)
{
    if (b->n >= CP_MAX_BOX_KEYS || cp_box_find(b, key) != NULL
        || strlen(key) >= sizeof b->r[0].key || fmpq_cmp(lo, hi) > 0)
        return -1;
    cp_box_range *r = &b->r[b->n++];
    strcpy(r->key, key);
    fmpq_init(r->lo);
    fmpq_init(r->hi);
    fmpq_set(r->lo, lo);
    fmpq_set(r->hi, hi);
    return 0;
}

void cp_box_copy(cp_box *dst, const cp_box *src)
{
    if (dst == src)
        return;
    cp_box_clear(dst);
    dst->kv = src->kv;
    for (int i = 0; i < src->n; i++)
        cp_box_add(dst, src->r[i].key, src->r[i].lo, src->r[i].hi);
}

int cp_box_is_point(const cp_box *b)
{
    for (int i = 0; i < b->n; i++)
        if (!fmpq_equal(b->r[i].lo, b->r[i].hi))
            return 0;
    return 1;
}

void cp_arb_set_fmpq_interval(arb_t res, const fmpq_t v0, const fmpq_t v1, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(res, v0, prec);
    if (!fmpq_equal(v0, v1)) {
        arb_set_fmpq(t, v1, prec);
        arb_union(res, res, t, prec);
    }
    arb_clear(t);
}

void cp_arb_hull(arb_t res, const arb_t x, const arb_t y, slong prec)
{
    arb_union(res, x, y, prec);
}

int cp_box_get_range(fmpq_t lo, fmpq_t hi, const cp_box *b, const cp_key_spec *keys,
                     const char *key, char *err)
{
    const cp_box_range *r = cp_box_find(b, key);
    if (r != NULL) {
        fmpq_set(lo, r->lo);
        fmpq_set(hi, r->hi);
        return 0;
    }
    if (cp_kv_get_rat(lo, b->kv, keys, key, err) != 0)
        return -1;
    fmpq_set(hi, lo);
    return 0;
}

int cp_box_get_rat(arb_t out, const cp_box *b, const cp_key_spec *keys, const char *key,
                   slong prec, char *err)
{
    fmpq_t lo, hi;
    int rc;
    fmpq_init(lo);
    fmpq_init(hi);
    rc = cp_box_get_range(lo, hi, b, keys, key, err);
    if (rc == 0)
        cp_arb_set_fmpq_interval(out, lo, hi, prec);
    fmpq_clear(lo);
    fmpq_clear(hi);
    return rc;
}

int cp_box_allow(const cp_box *b, const char *allowed, const char *quantity, char *err)
{
    size_t al = strlen(allowed);
    for (int i = 0; i < b->n; i++) {
        const char *k = b->r[i].key;
        size_t kl = strlen(k);
        int ok = 0;
        for (const char *p = allowed; p < allowed + al; ) {
            const char *q = strchr(p, ',');
            size_t n = q ? (size_t) (q - p) : strlen(p);
            if (n == kl && strncmp(p, k, n) == 0) {
                ok = 1;
                break;
            }
            p += n + (q != NULL);
        }
        if (!ok) {
            cp_errf(err, "%s cannot be an interval for %s", k, quantity);
            return -1;
        }
    }
    return 0;
}

/* --- the model of a box ------------------------------------------------ */

void cp_boxm_init(cp_boxm *bm)
{
    for (int i = 0; i < 2; i++) {
        fmpq_init(bm->lo[i]);
        fmpq_init(bm->hi[i]);
        fmpq_init(bm->sg[i]);
    }
    cp_model_init(bm->pt);
}

void cp_boxm_clear(cp_boxm *bm)
{
    for (int i = 0; i < 2; i++) {
        fmpq_clear(bm->lo[i]);
        fmpq_clear(bm->hi[i]);
        fmpq_clear(bm->sg[i]);
    }
    cp_model_clear(bm->pt);
}

const cp_model_struct *cp_boxm_corner(cp_boxm *bm, int ilo, int ihi, int isg)
{
    fmpq_set(bm->pt->m_lo, bm->lo[ilo]);
    fmpq_set(bm->pt->m_hi, bm->hi[ihi]);
    fmpq_set(bm->pt->sigma, bm->sg[isg]);
    return bm->pt;
}

/* An error on key: "KEY: msg" for a boxed key (its line is the caller's),
 * cp_kv_error's "origin:line: msg" for a point key. */
static void box_error(char *err, const cp_box *b, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void box_error(char *err, const cp_box *b, const char *key, const char *fmt, ...)
{
    char msg[CP_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cp_box_find(b, key) != NULL)
        cp_errf(err, "%s: %s", key, msg);
    else
        cp_kv_error(err, b->kv, key, "%s", msg);
}

int cp_boxm_from_box(cp_boxm *bm, const cp_box *b, char *err)
{
    static const char *const rkeys[3] = { "m_lo", "m_hi", "sigma" };
    cp_kv tmp;
    int rc = 0;
    for (int i = 0; i < b->n; i++)
        if (cp_kv_find(b->kv, b->r[i].key) != NULL) {
            box_error(err, b, b->r[i].key, "given both as a point and as an interval");
            return -1;
        }
    if (cp_box_get_range(bm->lo[0], bm->lo[1], b, cp_model_keys, rkeys[0], err)
        || cp_box_get_range(bm->hi[0], bm->hi[1], b, cp_model_keys, rkeys[1], err)
        || cp_box_get_range(bm->sg[0], bm->sg[1], b, cp_model_keys, rkeys[2], err))
        return -1;
    if (fmpq_sgn(bm->lo[0]) < 0) {
        box_error(err, b, "m_lo", "the region holds points with m_lo < 0 (m_lo bounds s = |m|^2)");
        return -1;
    }
    if (fmpq_cmp(bm->lo[1], bm->hi[0]) > 0) {
        const char *k = (cp_box_find(b, "m_lo") || cp_kv_has(b->kv, "m_lo")) ? "m_lo" : "m_hi";
        box_error(err, b, k, "the region holds points with m_lo > m_hi (need max m_lo <= min m_hi)");
        return -1;
    }
    if (fmpq_cmp_si(bm->hi[1], BOX_MAX_S) > 0) {
        box_error(err, b, "m_hi", "the region holds points with m_hi above the cap %d", BOX_MAX_S);
        return -1;
    }
    if (fmpq_sgn(bm->sg[0]) < 0) {
        box_error(err, b, "sigma", "the region holds points with sigma < 0");
        return -1;
    }
    /* the point keys: validated by cp_model_from_kv on a valid corner */
    cp_kv_init(&tmp, b->kv->origin);
    for (int i = 0; rc == 0 && i < b->kv->n; i++)
        if (cp_kv_set(&tmp, b->kv->e[i].key, b->kv->e[i].value, b->kv->e[i].line, 0) != 0) {
            cp_errf(err, "too many keys");
            rc = -1;
        }
    for (int j = 0; rc == 0 && j < 3; j++) {
        if (cp_box_find(b, rkeys[j]) == NULL)
            continue;
        const fmpq *v = j == 0 ? bm->lo[0] : j == 1 ? bm->hi[1] : bm->sg[0];
        char *s = fmpq_get_str(NULL, 10, v);
        if (cp_kv_set(&tmp, rkeys[j], s, 0, 1) != 0) {
            cp_errf(err, "too many keys");
            rc = -1;
        }
        flint_free(s);
    }
    if (rc == 0)
        rc = cp_model_from_kv(bm->pt, &tmp, err);
    cp_kv_clear(&tmp);
    return rc;
}

void cp_bmodel_init(cp_bmodel_t m)
{
    arb_init(m->m_lo);
    arb_init(m->m_hi);
    arb_init(m->sigma);
    fmpq_init(m->beta_a);
    fmpq_init(m->beta_b);
    m->d1 = m->d2 = 1;
    m->k = 1;
    m->prior = CP_PRIOR_UNIFORM;
    m->zeta = CP_ZETA_GAUSSIAN;
}

void cp_bmodel_clear(cp_bmodel_t m)
{
    arb_clear(m->m_lo);
    arb_clear(m->m_hi);
    arb_clear(m->sigma);
    fmpq_clear(m->beta_a);
    fmpq_clear(m->beta_b);
}

int cp_bmodel_from_box(cp_bmodel_t m, const cp_box *b, slong prec, char *err)
{
    cp_boxm bm;
    int rc;
    cp_boxm_init(&bm);
    rc = cp_boxm_from_box(&bm, b, err);
    if (rc == 0) {
        cp_arb_set_fmpq_interval(m->m_lo, bm.lo[0], bm.lo[1], prec);
        cp_arb_set_fmpq_interval(m->m_hi, bm.hi[0], bm.hi[1], prec);
        cp_arb_set_fmpq_interval(m->sigma, bm.sg[0], bm.sg[1], prec);
        fmpq_set(m->beta_a, bm.pt->beta_a);
        fmpq_set(m->beta_b, bm.pt->beta_b);
        m->d1 = bm.pt->d1;
        m->d2 = bm.pt->d2;
        m->k = bm.pt->k;
        m->prior = bm.pt->prior;
        m->zeta = bm.pt->zeta;
    }
    cp_boxm_clear(&bm);
    return rc;
}

int cp_qbox_load(cp_boxm *bm, const cp_box *b, const cp_key_spec *keys, const char *allowed,
                 const char *name, char *err)
{
    if (cp_kv_validate(b->kv, keys, err) != 0 || cp_box_allow(b, allowed, name, err) != 0)
        return -1;
    return cp_boxm_from_box(bm, b, err);
}

/* --- prior expectations over a box (docs/model.md (BX-2)) --------------- */

typedef struct {
    cp_sfunc f;
    void *param;
    arb_t lo, hi;          /* balls: every m_lo, m_hi of the box */
    slong am1, bm1;        /* integer Beta shapes minus one; -1: uniform */
} bexpect_ctx;

/* f((1 - x) lo + x hi) [x^(a-1) (1-x)^(b-1)]: with lo and hi entering once
 * each, the ball of s holds every s of every model of the box. */
static int bexpect_integrand(acb_ptr res, const acb_t x, void *param, slong order, slong prec)
{
    bexpect_ctx *c = param;
    acb_t s, y, t;
    acb_init(s);
    acb_init(y);
    acb_init(t);
    acb_sub_ui(y, x, 1, prec);
    acb_neg(y, y);
    acb_mul_arb(s, y, c->lo, prec);
    acb_mul_arb(t, x, c->hi, prec);
    acb_add(s, s, t, prec);
    c->f(res, s, c->param, order, prec);
    if (c->am1 >= 0) {
        acb_pow_ui(t, x, (ulong) c->am1, prec);
        acb_mul(res, res, t, prec);
        acb_pow_ui(t, y, (ulong) c->bm1, prec);
        acb_mul(res, res, t, prec);
    }
    acb_clear(s);
    acb_clear(y);
    acb_clear(t);
    return 0;
}

int cp_boxm_expect(arb_t res, const cp_boxm *bm, cp_sfunc f, void *param, slong prec)
{
    const cp_model_struct *m = bm->pt;
    bexpect_ctx c;
    acb_t v, a, b;
    int rc = 0;
    if (m->prior == CP_PRIOR_BETA && !(fmpz_is_one(fmpq_denref(m->beta_a))
                                       && fmpz_is_one(fmpq_denref(m->beta_b))))
        return -1;
    acb_init(v);
    acb_init(a);
    acb_init(b);
    arb_init(c.lo);
    arb_init(c.hi);
    c.f = f;
    c.param = param;
    cp_arb_set_fmpq_interval(c.lo, bm->lo[0], bm->lo[1], prec);
    cp_arb_set_fmpq_interval(c.hi, bm->hi[0], bm->hi[1], prec);
    if (m->prior == CP_PRIOR_TWOPOINT) {
        arb_t acc;
        arb_init(acc);
        acb_set_arb(a, c.lo);
        f(v, a, param, 0, prec);
        arb_set(acc, acb_realref(v));
        acb_set_arb(a, c.hi);
        f(v, a, param, 0, prec);
        arb_add(acc, acc, acb_realref(v), prec);
        arb_mul_2exp_si(res, acc, -1);
        arb_clear(acc);
    } else {
        mag_t tol;
        acb_calc_integrate_opt_t opt;
        mag_init(tol);
        c.am1 = c.bm1 = -1;
        if (m->prior == CP_PRIOR_BETA) {
            c.am1 = fmpz_get_si(fmpq_numref(m->beta_a)) - 1;
            c.bm1 = fmpz_get_si(fmpq_numref(m->beta_b)) - 1;
        }
        acb_calc_integrate_opt_init(opt);
        /* a wide box gives wide integrand balls that no subdivision makes
         * narrow: a small budget there returns early (the caller bisects) */
        int point = fmpq_equal(bm->lo[0], bm->lo[1]) && fmpq_equal(bm->hi[0], bm->hi[1]);
        opt->eval_limit = point ? 100000 + 100 * prec : 10000 + 10 * prec;
        opt->depth_limit = 2 * prec + 64;
        mag_set_ui_2exp_si(tol, 1, -prec);
        acb_zero(a);
        acb_one(b);
        acb_calc_integrate(v, bexpect_integrand, &c, a, b, prec, tol, opt, prec);
        arb_set(res, acb_realref(v));
        if (m->prior == CP_PRIOR_BETA) {
            /* divide by B(a, b) = (a-1)! (b-1)! / (a+b-1)! */
            fmpz_t num, den;
            fmpz_init(num);
            fmpz_init(den);
            fmpz_fac_ui(num, (ulong) (c.am1 + c.bm1 + 1));
            fmpz_fac_ui(den, (ulong) c.am1);
            arb_mul_fmpz(res, res, num, prec);
            arb_div_fmpz(res, res, den, prec);
            fmpz_fac_ui(den, (ulong) c.bm1);
            arb_div_fmpz(res, res, den, prec);
            fmpz_clear(num);
            fmpz_clear(den);
        }
        mag_clear(tol);
    }
    arb_clear(c.lo);
    arb_clear(c.hi);
    acb_clear(v);
    acb_clear(a);
    acb_clear(b);
    return rc;
}
