/* check.c -- the check runner and its precision loop (check.h).
 * Policy: docs/design.md, "Precision": start at 64 bits, double while the
 * check is undecided, stop at max_prec; record the precision that decided. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "crossproof/check.h"

const char *cp_verdict_name(cp_verdict v)
{
    switch (v) {
    case CP_CERTIFIED: return "CERTIFIED";
    case CP_REFUTED: return "REFUTED";
    case CP_SUPPORTED: return "SUPPORTED";
    case CP_CONTRADICTED: return "CONTRADICTED";
    default: return "INCONCLUSIVE";
    }
}

int cp_verdict_is_pass(cp_verdict v)
{
    return v == CP_CERTIFIED || v == CP_SUPPORTED;
}

cp_verdict cp_verdict_and(cp_verdict a, cp_verdict b)
{
    if (a == CP_REFUTED || b == CP_REFUTED)
        return CP_REFUTED;
    if (a == CP_CERTIFIED && b == CP_CERTIFIED)
        return CP_CERTIFIED;
    return CP_INCONCLUSIVE;
}

const cp_check_def *cp_check_lookup(const char *name)
{
    for (int i = 0; cp_check_tables[i] != NULL; i++)
        for (const cp_check_def *d = cp_check_tables[i]; d->name != NULL; d++)
            if (strcmp(d->name, name) == 0)
                return d;
    return NULL;
}

void cp_check_run_init(cp_check_run *run, const cp_check_def *def, const cp_kv *params, slong max_prec)
{
    memset(run, 0, sizeof *run);
    run->def = def;
    run->params = params;
    run->max_prec = max_prec;
    run->prec = 64;
    arb_init(run->value);
}

static void items_clear(cp_check_run *run)
{
    for (int k = 0; k < run->nitem_keys; k++) {
        _arb_vec_clear(run->items[k].v, run->items[k].n);
        flint_free(run->items[k].set);
    }
    memset(run->items, 0, sizeof run->items);
    run->nitem_keys = 0;
}

void cp_check_run_clear(cp_check_run *run)
{
    arb_clear(run->value);
    items_clear(run);
}

void cp_run_item_value(cp_check_run *run, const char *key, slong i, slong n, const arb_t x)
{
    cp_item_values *it = (cp_item_values *) cp_run_items(run, key);
    if (it == NULL) {
        if (run->nitem_keys == CP_MAX_ITEM_KEYS || n <= 0 || strlen(key) >= sizeof it->key)
            return;   /* a programming error; mutate then reports the key as unarmed */
        it = &run->items[run->nitem_keys++];
        snprintf(it->key, sizeof it->key, "%s", key);
        it->n = n;
        it->v = _arb_vec_init(n);
        it->set = flint_calloc((size_t) n, sizeof *it->set);
    }
    if (i < 0 || i >= it->n)
        return;
    arb_set(it->v + i, x);
    it->set[i] = 1;
}

void cp_run_value_name(cp_check_run *run, const char *name)
{
    snprintf(run->value_name, sizeof run->value_name, "%s", name);
}

const cp_item_values *cp_run_items(const cp_check_run *run, const char *key)
{
    for (int k = 0; k < run->nitem_keys; k++)
        if (strcmp(run->items[k].key, key) == 0)
            return &run->items[k];
    return NULL;
}

void cp_run_detail(cp_check_run *run, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->detail, sizeof run->detail, fmt, ap);
    va_end(ap);
}

void cp_run_detail_append(cp_check_run *run, const char *fmt, ...)
{
    size_t n = strlen(run->detail);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(run->detail + n, sizeof run->detail - n, fmt, ap);
    va_end(ap);
}

void cp_run_stat(cp_check_run *run, double lower, double upper, double estimate, double stderr_,
                 const char *what_fmt, ...)
{
    run->has_stat = 1;
    run->stat_lower = lower;
    run->stat_upper = upper;
    run->stat_estimate = estimate;
    run->stat_stderr = stderr_;
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(run->stat_what, sizeof run->stat_what, what_fmt, ap);
    va_end(ap);
}

void cp_run_table_head(cp_check_run *run, const char *cols)
{
    int n = 0;
    cp_run_detail_append(run, "\n\n%s\n", cols);
    for (const char *c = cols; *c; c++)
        n += *c == '|';
    for (int i = 0; i + 1 < n; i++)
        cp_run_detail_append(run, "|---");
    cp_run_detail_append(run, "|\n");
}

/* The parameter readers: the same error convention for every check. */
static int run_failed(cp_check_run *run, int rc)
{
    if (rc != 0) {
        run->bad_input = 1;
        return -1;
    }
    return 0;
}

int cp_run_bad_input(cp_check_run *run, const char *key, const char *fmt, ...)
{
    if (!run->error[0]) {
        char msg[CP_ERRLEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        cp_kv_error(run->error, run->params, key, "%s", msg);
    }
    run->bad_input = 1;
    return -1;
}

int cp_run_get_model(cp_model_t m, cp_check_run *run)
{
    return run_failed(run, cp_model_from_kv(m, run->params, run->error));
}

int cp_run_get_rat(fmpq_t out, cp_check_run *run, const char *key)
{
    return run_failed(run, cp_kv_get_rat(out, run->params, run->def->keys, key, run->error));
}

int cp_run_get_int(slong *out, cp_check_run *run, const char *key)
{
    return run_failed(run, cp_kv_get_int(out, run->params, run->def->keys, key, run->error));
}

int cp_run_get_word(const char **out, cp_check_run *run, const char *key)
{
    return run_failed(run, cp_kv_get_word(out, run->params, run->def->keys, key, run->error));
}

int cp_run_get_intlist(slong **out, slong *n, cp_check_run *run, const char *key)
{
    return run_failed(run, cp_kv_get_intlist(out, n, run->params, run->def->keys, key, run->error));
}

int cp_run_get_ratlist(fmpq **out, slong *n, cp_check_run *run, const char *key)
{
    return run_failed(run, cp_kv_get_ratlist(out, n, run->params, run->def->keys, key, run->error));
}

int cp_run_get_depths(slong **out, slong *n, cp_check_run *run, const char *key, slong lo, slong hi)
{
    if (cp_run_get_intlist(out, n, run, key))
        return -1;
    for (slong i = 0; i < *n; i++)
        if ((*out)[i] < lo || (*out)[i] > hi) {
            flint_free(*out);
            *out = NULL;
            return cp_run_bad_input(run, key, "each depth must lie in [%ld, %ld]", (long) lo, (long) hi);
        }
    return 0;
}

void cp_run_value_max(cp_check_run *run, const arb_t x, int first)
{
    if (!first && run->has_value)
        arb_max(run->value, run->value, x, run->prec);
    else
        arb_set(run->value, x);
    run->has_value = 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

cp_verdict cp_check_execute(cp_check_run *run, double *seconds)
{
    double t0 = now_seconds();
    cp_verdict v = CP_INCONCLUSIVE;
    if (run->def->kind == CP_CHECK_STAT) {
        /* statistical checks run once; they may never certify */
        run->prec = 0;
        v = run->def->run(run);
        if (v == CP_CERTIFIED || v == CP_REFUTED)
            v = CP_INCONCLUSIVE;
    } else {
        for (run->prec = 64; ; run->prec *= 2) {
            run->detail[0] = '\0';
            items_clear(run);
            v = run->def->run(run);
            if (run->bad_input || run->settled || v != CP_INCONCLUSIVE || run->prec * 2 > run->max_prec)
                break;
        }
        /* a ball check may not claim statistical support */
        if (v == CP_SUPPORTED || v == CP_CONTRADICTED)
            v = CP_INCONCLUSIVE;
    }
    if (seconds)
        *seconds = now_seconds() - t0;
    return v;
}

cp_verdict cp_decide_cmp(const arb_t x, const char *op, const arb_t q)
{
    int lt = arb_lt(x, q), le = arb_le(x, q), gt = arb_gt(x, q), ge = arb_ge(x, q);
    if (strcmp(op, "<") == 0)
        return lt ? CP_CERTIFIED : ge ? CP_REFUTED : CP_INCONCLUSIVE;
    if (strcmp(op, "<=") == 0)
        return le ? CP_CERTIFIED : gt ? CP_REFUTED : CP_INCONCLUSIVE;
    if (strcmp(op, ">") == 0)
        return gt ? CP_CERTIFIED : le ? CP_REFUTED : CP_INCONCLUSIVE;
    if (strcmp(op, ">=") == 0)
        return ge ? CP_CERTIFIED : lt ? CP_REFUTED : CP_INCONCLUSIVE;
    return CP_INCONCLUSIVE;
}

cp_verdict cp_decide_near(const arb_t x, const arb_t ref, const arb_t tol)
{
    arb_t d;
    cp_verdict v;
    arb_init(d);
    arb_sub(d, x, ref, FLINT_MAX(arb_bits(x), arb_bits(ref)) + 64);
    arb_abs(d, d);
    v = cp_decide_cmp(d, "<", tol);
    arb_clear(d);
    return v;
}
