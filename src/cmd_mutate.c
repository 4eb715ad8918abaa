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
 * m_hi exchanged) for every block that sets both to different values.
 *
 * On a list key (`ref = a,b,c`, one value per depth) raise, lower and away
 * move one element at a time past the value the check recorded for that
 * instance (cp_run_item_value), so every instance of a claim over a list is
 * tested; a check that records no per-instance values cannot be mutated on
 * a list key (an error, never a silent pass).
 *
 * Accounting (issue 8): a mutant is caught only when the check ran on it and
 * did not certify it.  A mutant rejected as bad input (the swap, a moved
 * value the parser refuses) tests the parser, not the claim: it is counted
 * apart and arms nothing.  A certified claim none of whose mutants reached
 * its check is UNARMED, and fails the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/check.h"
#include "crossproof/claim.h"
#include "crossproof/cli.h"
#include "crossproof/output.h"
#include "crossproof/theorem.h"

typedef struct {
    int tried, caught, bad_input, skipped, unarmed;
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

/* Runs one mutant: 1 caught (the check ran and did not certify), 0
 * uncaught (certified), -1 rejected as bad input (reached no check). */
static int run_mutant(const cp_claim *cl, cp_kv *kv, const char *what, mutate_stats *st)
{
    cp_check_run run;
    double secs;
    cp_check_run_init(&run, cl->def, kv, st->max_prec);
    cp_verdict v = cp_check_execute(&run, &secs);
    int rc = run.bad_input ? -1 : v != CP_CERTIFIED;
    st->tried++;
    st->caught += rc == 1;
    st->bad_input += rc == -1;
    if (st->verbose || rc == 0)
        printf("%-36s %-34s %-13s %s\n", cl->id, what, rc == -1 ? "bad input" : cp_verdict_name(v),
               rc == 1 ? "caught" : rc == -1 ? "bad input: tests the parser, not the claim"
                                             : "UNCAUGHT: a false claim was certified");
    cp_check_run_clear(&run);
    return rc;
}

/* The list `text` with element i replaced by q; NULL when text has not n
 * elements.  The caller frees the result. */
static char *list_with(const char *text, slong n, slong i, const fmpq_t q)
{
    size_t cap = strlen(text) + 1;
    char *qs = fmpq_get_str(NULL, 10, q);
    char *out = malloc(cap + strlen(qs) + 1), *copy = strdup(text), *save = NULL;
    slong k = 0;
    if (out == NULL || copy == NULL) {
        free(out); free(copy); flint_free(qs);
        return NULL;
    }
    out[0] = '\0';
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
        if (k > 0)
            strcat(out, ",");
        strcat(out, k == i ? qs : tok);
    }
    free(copy);
    flint_free(qs);
    if (k != n) {
        free(out);
        return NULL;
    }
    return out;
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

/* The mutated value of one operator: raise -> upper(x) (1 + delta), lower ->
 * lower(x) (1 - delta) (moving by delta itself when that bound is 0), scale ->
 * key (1 + delta), away -> upper(x) + tol (1 + delta). */
static void moved_value(fmpq_t q, const char *name, const arb_t x, const fmpq_t key_value,
                        const fmpq_t tol, const fmpq_t d)
{
    fmpq_t t;
    arf_t b;
    fmpq_init(t);
    arf_init(b);
    if (!strcmp(name, "scale")) {
        fmpq_set(q, key_value);
    } else {
        if (!strcmp(name, "lower"))
            arb_get_lbound_arf(b, x, ARF_PREC_EXACT);
        else
            arb_get_ubound_arf(b, x, ARF_PREC_EXACT);
        arf_get_fmpq(q, b);
    }
    if (!strcmp(name, "away")) {
        fmpq_add_si(t, d, 1);
        fmpq_mul(t, t, tol);
        fmpq_add(q, q, t);
    } else {
        /* q (1 +- delta), moving away from zero in the claimed direction */
        fmpq_mul(t, q, d);
        fmpq_abs(t, t);
        if (fmpq_is_zero(t))
            fmpq_set(t, d);
        if (!strcmp(name, "lower"))
            fmpq_sub(q, q, t);
        else
            fmpq_add(q, q, t);
    }
    fmpq_clear(t);
    arf_clear(b);
}

/* Applies one operator of the claim's `mutate` line; returns the number of
 * its mutants that reached the check, or -1 with err set. */
static int apply_operator(const cp_claim *cl, const char *op, const cp_check_run *orig,
                          int fast, mutate_stats *st, char *err)
{
    char buf[256], *save = NULL;
    int reached = 0;
    snprintf(buf, sizeof buf, "%s", op);
    char *name = strtok_r(buf, ":", &save), *key = strtok_r(NULL, ":", &save), *tolkey = strtok_r(NULL, ":", &save);
    if (name == NULL || key == NULL) {
        cp_errf(err, "%s:%d: malformed mutate operator '%s'", cl->params.origin, cl->line_open, op);
        return -1;
    }
    if (!strcmp(name, "widen")) {
        /* widen:KEY:LO:HI -- the region KEY = [LO, HI] (a claim-language block) */
        char *hi = strtok_r(NULL, ":", &save);
        fmpq_t a, b;
        fmpq_init(a); fmpq_init(b);
        int ok = tolkey && hi && cp_parse_rat(a, tolkey) == 0 && cp_parse_rat(b, hi) == 0 && fmpq_cmp(a, b) <= 0;
        fmpq_clear(a); fmpq_clear(b);
        const cp_kv_entry *w = cp_kv_find(&cl->params, key);
        if (!ok || w == NULL || w->value[0] != '[') {
            cp_errf(err, "%s:%d: widen needs KEY:LO:HI with LO <= HI and an interval KEY = [a, b] in the block",
                    cl->params.origin, cl->line_open);
            return -1;
        }
        cp_kv kv;
        char v[160], what[200];
        kv_copy(&kv, &cl->params);
        snprintf(v, sizeof v, "[%s, %s]", tolkey, hi);
        cp_kv_set(&kv, key, v, w->line, 1);
        snprintf(what, sizeof what, "%s = %s", key, v);
        reached += run_mutant(cl, &kv, what, st) >= 0;
        cp_kv_clear(&kv);
        return reached;
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
    const cp_kv_entry *e = cp_kv_find(&cl->params, key);
    if (is_int) {
        slong t;
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
        reached += run_mutant(cl, &kv, what, st) >= 0;
        cp_kv_clear(&kv);
        return reached;
    }
    const cp_item_values *items = cp_run_items(orig, key);
    int is_list = items != NULL || (e != NULL && strchr(e->value, ',') != NULL);
    if (is_list && (items == NULL || e == NULL || strcmp(name, "scale") == 0)) {
        cp_errf(err, "%s:%d: '%s' on the list key '%s' needs per-instance values from check '%s' "
                 "(cp_run_item_value) and one of raise, lower, away", cl->params.origin, cl->line_open,
                 op, key, cl->def->name);
        return -1;
    }
    if (!is_list && !strcmp(name, "scale") == 0 && !orig->has_value) {
        cp_errf(err, "%s:%d: operator '%s' needs the check to report a value", cl->params.origin, cl->line_open, name);
        return -1;
    }
    fmpq_t d, q, keyq, tol;
    fmpq_init(d); fmpq_init(q); fmpq_init(keyq); fmpq_init(tol);
    if ((!strcmp(name, "scale") && cp_kv_get_rat(keyq, &cl->params, cl->def->keys, key, err) != 0)
        || (!strcmp(name, "away") && cp_kv_get_rat(tol, &cl->params, cl->def->keys, tolkey, err) != 0)) {
        fmpq_clear(d); fmpq_clear(q); fmpq_clear(keyq); fmpq_clear(tol);
        return -1;
    }
    static const int ks[2] = { 6, 20 };
    for (int j = 0; j < (fast ? 1 : 2); j++) {
        delta_q(d, ks[j]);
        for (slong i = 0; i < (is_list ? items->n : 1); i++) {
            cp_kv kv;
            char what[96];
            if (is_list && !items->set[i])
                continue;
            moved_value(q, name, is_list ? items->v + i : orig->value, keyq, tol, d);
            kv_copy(&kv, &cl->params);
            if (is_list) {
                char *text = list_with(e->value, items->n, i, q);
                if (text == NULL) {
                    cp_kv_clear(&kv);
                    continue;   /* list length differs from the items: the check rejects it */
                }
                cp_kv_set(&kv, key, text, e->line, 1);
                free(text);
                snprintf(what, sizeof what, "%s %s[%ld] (delta 1e-%d)", name, key, (long) i + 1, ks[j]);
            } else {
                set_fmpq(&kv, key, q);
                snprintf(what, sizeof what, "%s %s (delta 1e-%d)", name, key, ks[j]);
            }
            reached += run_mutant(cl, &kv, what, st) >= 0;
            cp_kv_clear(&kv);
        }
    }
    fmpq_clear(d); fmpq_clear(q); fmpq_clear(keyq); fmpq_clear(tol);
    return reached;
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
    int reached = 0, rc = 0;
    if (cl->def == &cp_claim_check) {
        /* mutants from the claim itself: its bound moved past the certified
         * extreme, its monotonicity flipped (claim.h) */
        static const int ks[2] = { 6, 20 };
        for (int j = 0; j < (fast ? 1 : 2) && rc == 0; j++) {
            char *texts[4];
            fmpq_t d;
            fmpq_init(d);
            delta_q(d, ks[j]);
            int n = cp_claim_mutants(texts, 4, &cl->params, &run, d, err);
            fmpq_clear(d);
            if (n < 0) {
                rc = -1;
                break;
            }
            for (int i = 0; i < n; i++) {
                cp_kv kv;
                char what[120];
                const cp_kv_entry *ce = cp_kv_find(&cl->params, "claim");
                kv_copy(&kv, &cl->params);
                cp_kv_set(&kv, "claim", texts[i], ce->line, 1);
                snprintf(what, sizeof what, "claim %.100s%s", texts[i], strlen(texts[i]) > 100 ? "..." : "");
                if (strstr(texts[i], "creasing") == NULL || j == 0)
                    reached += run_mutant(cl, &kv, what, st) >= 0;
                cp_kv_clear(&kv);
                free(texts[i]);
            }
        }
    }
    if (rc == 0 && cl->mutate[0]) {
        char ops[256], *save = NULL;
        snprintf(ops, sizeof ops, "%s", cl->mutate);
        for (char *op = strtok_r(ops, " ,", &save); op && rc == 0; op = strtok_r(NULL, " ,", &save)) {
            int r = apply_operator(cl, op, &run, fast, st, err);
            if (r < 0)
                rc = -1;
            else
                reached += r;
        }
    }
    const cp_kv_entry *lo = cp_kv_find(&cl->params, "m_lo"), *hi = cp_kv_find(&cl->params, "m_hi");
    if (rc == 0 && lo && hi && strcmp(lo->value, hi->value) != 0) {
        cp_kv kv;
        kv_copy(&kv, &cl->params);
        cp_kv_set(&kv, "m_lo", hi->value, lo->line, 1);
        cp_kv_set(&kv, "m_hi", lo->value, hi->line, 1);
        reached += run_mutant(cl, &kv, "swap m_lo, m_hi", st) >= 0;
        cp_kv_clear(&kv);
    }
    if (rc == 0 && reached == 0) {
        printf("%-36s %-34s %-13s UNARMED: no mutant reached the check (add a `mutate` line "
               "that moves a bound, reference or tolerance past the certified value)\n", cl->id, "-", "-");
        st->unarmed++;
    }
    cp_check_run_clear(&run);
    return rc;
}

int cp_cmd_mutate(int argc, char **argv)
{
    int fast = 0, nfiles = 0;
    mutate_stats st = { 0, 0, 0, 0, 0, 4096, 0 };
    char **files = calloc((size_t) argc + 1, sizeof *files), err[CP_ERRLEN] = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: crossproof mutate [FILE...] [--fast] [--verbose] [--max-prec BITS]\n\n"
                   "For every certified ball-arithmetic claim, runs variants moved in the unsound\n"
                   "direction (the block's `mutate` operators with delta 1e-6 and 1e-20, and m_lo,\n"
                   "m_hi swapped) and requires that none is CERTIFIED.  --fast uses delta 1e-6 only.\n"
                   "Operators: raise:KEY lower:KEY away:KEY:TOLKEY scale:KEY inc:KEY dec:KEY\n"
                   "widen:KEY:LO:HI (a region KEY = [LO, HI]).  A claim-language block (claim = ...)\n"
                   "also gets mutants from its claim: the bound moved past the certified extreme,\n"
                   "an interval's ends moved inside it, a monotonicity flipped.\n"
                   "On a list key the operator moves one element at a time past its instance's value.\n"
                   "A mutant is caught only when the check ran and did not certify it; mutants\n"
                   "rejected as bad input are counted apart, and a claim none of whose mutants\n"
                   "reached its check is UNARMED.\n"
                   "Exit codes: 0 no mutant certified and every claim armed; 1 otherwise; 2 bad input.\n");
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
        int uncaught = st.tried - st.caught - st.bad_input;
        printf("mutants: %d tried: %d caught (ran, not certified), %d uncaught (certified), "
               "%d rejected as bad input (counted apart: they test the parser, not the claim)\n"
               "claims: %d unarmed (no mutant reached the check), %d skipped (not certified)\n",
               st.tried, st.caught, uncaught, st.bad_input, st.unarmed, st.skipped);
        rc = (uncaught == 0 && st.unarmed == 0) ? 0 : 1;
    }
    cp_theorem_free_all(ths, nth);
    flint_cleanup();
    return rc;
}
