/* cmd_mutate.c -- `crossproof mutate`: try to trick the checks into
 * certifying false claims (docs/soundness.md, "Mutation suite").
 *
 * For every ball-arithmetic claim that certifies, build perturbed variants
 * in the unsound direction and require that none is CERTIFIED.  The
 * operators come from the block's reserved `mutate` line:
 *
 *   raise:KEY        KEY := upper(value) (1 + delta)   claims "value > KEY"
 *   lower:KEY        KEY := lower(value) (1 - delta)   claims "value < KEY"
 *   away:KEY:TOL     KEY := upper(value) + TOL (1 + delta)   claims |value - KEY| < TOL
 *   scale:KEY        KEY := KEY (1 + delta)             a wrong constant
 *   inc:KEY, dec:KEY integer KEY +- 1                   a depth off by one
 *
 * with delta in {1e-6, 1e-20} (--fast: 1e-6 only), where `value` is the
 * enclosure the original claim reported; and automatically `swap` (m_lo and
 * m_hi exchanged) for every block that sets both to different values.  A
 * mutant is caught when its verdict is anything but CERTIFIED (REFUTED,
 * INCONCLUSIVE, or rejected as bad input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/cli.h"
#include "crossproof/output.h"
#include "crossproof/theorem.h"

typedef struct {
    int tried, caught, skipped, unarmed;
    slong max_prec;
    int verbose;
} mutate_stats;

static void kv_copy(cp_kv *dst, const cp_kv *src)
{
    cp_kv_init(dst, src->origin);
    for (int i = 0; i < src->n; i++)
        cp_kv_set(dst, src->e[i].key, src->e[i].value, src->e[i].line, 1);
}

static void set_fmpq(cp_kv *kv, const char *key, const fmpq_t q)
{
    char *s = fmpq_get_str(NULL, 10, q);
    const cp_kv_entry *e = cp_kv_find(kv, key);
    cp_kv_set(kv, key, s, e ? e->line : 0, 1);
    flint_free(s);
}

/* Runs one mutant; returns 1 when caught. */
static int run_mutant(const cp_claim *cl, cp_kv *kv, const char *what, mutate_stats *st)
{
    cp_check_run run;
    double secs;
    cp_check_run_init(&run, cl->def, kv, st->max_prec);
    cp_verdict v = cp_check_execute(&run, &secs);
    int caught = (v != CP_CERTIFIED) || run.bad_input;
    st->tried++;
    st->caught += caught;
    if (st->verbose || !caught)
        printf("%-36s %-34s %-13s %s\n", cl->id, what, run.bad_input ? "bad input" : cp_verdict_name(v),
               caught ? "caught" : "UNCAUGHT: a false claim was certified");
    cp_check_run_clear(&run);
    return caught;
}

/* delta = 10^-k as an exact rational */
static void delta_q(fmpq_t d, int k)
{
    fmpz_t den;
    fmpz_init(den);
    fmpz_ui_pow_ui(den, 10, (ulong) k);
    fmpq_set_fmpz_frac(d, (fmpz[]){1}, den);   /* 1 / 10^k */
    fmpz_clear(den);
}

static int apply_operator(const cp_claim *cl, const char *op, const arb_t value, int have_value,
                          int fast, mutate_stats *st, char *err)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", op);
    char *name = strtok_r(buf, ":", &save), *key = strtok_r(NULL, ":", &save), *tolkey = strtok_r(NULL, ":", &save);
    if (name == NULL || key == NULL) {
        cp_errf(err, "%s:%d: malformed mutate operator '%s'", cl->params.origin, cl->line_open, op);
        return -1;
    }
    int is_rel = !strcmp(name, "raise") || !strcmp(name, "lower") || !strcmp(name, "away") || !strcmp(name, "scale");
    int is_int = !strcmp(name, "inc") || !strcmp(name, "dec");
    if (!is_rel && !is_int) {
        cp_errf(err, "%s:%d: unknown mutate operator '%s'", cl->params.origin, cl->line_open, name);
        return -1;
    }
    if (!strcmp(name, "away") && tolkey == NULL) {
        cp_errf(err, "%s:%d: away needs KEY:TOLKEY", cl->params.origin, cl->line_open);
        return -1;
    }
    if ((!strcmp(name, "raise") || !strcmp(name, "lower") || !strcmp(name, "away")) && !have_value) {
        cp_errf(err, "%s:%d: operator '%s' needs the check to report a value", cl->params.origin, cl->line_open, name);
        return -1;
    }
    if (is_int) {
        slong t;
        const cp_kv_entry *e = cp_kv_find(&cl->params, key);
        if (e == NULL || cp_parse_int(&t, e->value) != 0) {
            cp_errf(err, "%s:%d: '%s' needs an integer key '%s' in the block", cl->params.origin, cl->line_open, op, key);
            return -1;
        }
        cp_kv kv;
        char v[64], what[96];
        kv_copy(&kv, &cl->params);
        snprintf(v, sizeof v, "%ld", (long) (t + (name[0] == 'i' ? 1 : -1)));
        cp_kv_set(&kv, key, v, e->line, 1);
        snprintf(what, sizeof what, "%s = %s", key, v);
        run_mutant(cl, &kv, what, st);
        cp_kv_clear(&kv);
        return 0;
    }
    static const int ks[2] = { 6, 20 };
    for (int j = 0; j < (fast ? 1 : 2); j++) {
        fmpq_t d, q, t;
        arf_t b;
        fmpq_init(d); fmpq_init(q); fmpq_init(t);
        arf_init(b);
        delta_q(d, ks[j]);
        if (!strcmp(name, "raise") || !strcmp(name, "away")) {
            arb_get_ubound_arf(b, value, ARF_PREC_EXACT);
            arf_get_fmpq(q, b);
        } else if (!strcmp(name, "lower")) {
            arb_get_lbound_arf(b, value, ARF_PREC_EXACT);
            arf_get_fmpq(q, b);
        }
        if (!strcmp(name, "raise") || !strcmp(name, "lower") || !strcmp(name, "scale")) {
            if (!strcmp(name, "scale") && cp_kv_get_rat(q, &cl->params, cl->def->keys, key, err) != 0) {
                fmpq_clear(d); fmpq_clear(q); fmpq_clear(t); arf_clear(b);
                return -1;
            }
            /* q (1 +- delta), moving away from zero in the claimed direction */
            fmpq_mul(t, q, d);
            fmpq_abs(t, t);
            if (!strcmp(name, "lower"))
                fmpq_sub(q, q, t);
            else
                fmpq_add(q, q, t);
            if (fmpq_is_zero(t))   /* value 0: move by delta itself */
                (!strcmp(name, "lower") ? fmpq_sub : fmpq_add)(q, q, d);
        } else {   /* away: upper(value) + tol (1 + delta) */
            if (cp_kv_get_rat(t, &cl->params, cl->def->keys, tolkey, err) != 0) {
                fmpq_clear(d); fmpq_clear(q); fmpq_clear(t); arf_clear(b);
                return -1;
            }
            fmpq_add_si(d, d, 1);
            fmpq_mul(t, t, d);
            fmpq_add(q, q, t);
        }
        cp_kv kv;
        char what[96];
        kv_copy(&kv, &cl->params);
        set_fmpq(&kv, key, q);
        snprintf(what, sizeof what, "%s %s (delta 1e-%d)", name, key, ks[j]);
        run_mutant(cl, &kv, what, st);
        cp_kv_clear(&kv);
        fmpq_clear(d); fmpq_clear(q); fmpq_clear(t);
        arf_clear(b);
    }
    return 0;
}

static int mutate_claim(const cp_claim *cl, int fast, mutate_stats *st, char *err)
{
    if (cl->def->kind != CP_CHECK_BALL)
        return 0;   /* statistical checks cannot certify anything */
    cp_check_run run;
    double secs;
    cp_check_run_init(&run, cl->def, &cl->params, st->max_prec);
    cp_verdict v = cp_check_execute(&run, &secs);
    if (v != CP_CERTIFIED) {
        printf("%-36s %-34s %-13s skipped: the claim itself is not certified\n", cl->id, "(original)",
               cp_verdict_name(v));
        st->skipped++;
        cp_check_run_clear(&run);
        return 0;
    }
    int before = st->tried, rc = 0;
    if (cl->mutate[0]) {
        char ops[256], *save = NULL;
        snprintf(ops, sizeof ops, "%s", cl->mutate);
        for (char *op = strtok_r(ops, " ,", &save); op && rc == 0; op = strtok_r(NULL, " ,", &save))
            rc = apply_operator(cl, op, run.value, run.has_value, fast, st, err);
    }
    const cp_kv_entry *lo = cp_kv_find(&cl->params, "m_lo"), *hi = cp_kv_find(&cl->params, "m_hi");
    if (rc == 0 && lo && hi && strcmp(lo->value, hi->value) != 0) {
        cp_kv kv;
        kv_copy(&kv, &cl->params);
        cp_kv_set(&kv, "m_lo", hi->value, lo->line, 1);
        cp_kv_set(&kv, "m_hi", lo->value, hi->line, 1);
        run_mutant(cl, &kv, "swap m_lo, m_hi", st);
        cp_kv_clear(&kv);
    }
    if (rc == 0 && st->tried == before) {
        printf("%-36s %-34s %-13s UNARMED: no mutant applies (add a `mutate` line)\n", cl->id, "-", "-");
        st->unarmed++;
    }
    cp_check_run_clear(&run);
    return rc;
}

int cp_cmd_mutate(int argc, char **argv)
{
    int fast = 0, nfiles = 0;
    mutate_stats st = { 0, 0, 0, 0, 4096, 0 };
    char **files = calloc((size_t) argc + 1, sizeof *files), err[CP_ERRLEN] = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: crossproof mutate [FILE...] [--fast] [--verbose] [--max-prec BITS]\n\n"
                   "For every certified ball-arithmetic claim, runs variants moved in the unsound\n"
                   "direction (the block's `mutate` operators with delta 1e-6 and 1e-20, and m_lo,\n"
                   "m_hi swapped) and requires that none is CERTIFIED.  --fast uses delta 1e-6 only.\n"
                   "Operators: raise:KEY lower:KEY away:KEY:TOLKEY scale:KEY inc:KEY dec:KEY.\n"
                   "Exit codes: 0 every mutant caught and every claim armed; 1 otherwise; 2 bad input.\n");
            free(files);
            return 0;
        } else if (!strcmp(argv[i], "--fast")) {
            fast = 1;
        } else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
            st.verbose = 1;
        } else if (!strcmp(argv[i], "--max-prec")) {
            if (cp_flag_int(&st.max_prec, "mutate", "--max-prec", i + 1 < argc ? argv[++i] : NULL, 64, 1 << 20)) {
                cp_files_free(files, nfiles);
                return 2;
            }
        } else if (!strncmp(argv[i], "--", 2)) {
            fprintf(stderr, "crossproof mutate: unknown option '%s'\n", argv[i]);
            cp_files_free(files, nfiles);
            return 2;
        } else {
            files[nfiles++] = strdup(argv[i]);
        }
    }
    cp_theorem *ths;
    int nth, rc = 0;
    if (cp_theorem_open_args(&ths, &nth, files, nfiles, "mutate") != 0)
        return 2;
    for (int t = 0; t < nth && rc == 0; t++)
        for (int c = 0; c < ths[t].nclaims && rc == 0; c++)
            if (mutate_claim(&ths[t].claims[c], fast, &st, err) != 0) {
                fprintf(stderr, "crossproof: %s\n", err);
                rc = 2;
            }
    if (rc == 0) {
        printf("mutants: %d tried, %d caught, %d uncaught; %d claims skipped (not certified), "
               "%d claims unarmed\n", st.tried, st.caught, st.tried - st.caught, st.skipped, st.unarmed);
        rc = (st.caught == st.tried && st.unarmed == 0) ? 0 : 1;
    }
    cp_theorem_free_all(ths, nth);
    flint_cleanup();
    return rc;
}
