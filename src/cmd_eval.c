/* cmd_eval.c -- `crossproof eval QUANTITY key=value...`: one certified
 * enclosure, by the precision loop of docs/design.md ("Precision"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crossproof/cli.h"
#include "crossproof/kv.h"
#include "crossproof/output.h"
#include "crossproof/quantity.h"

static void eval_help(FILE *f)
{
    fprintf(f, "usage: crossproof eval QUANTITY [key=value...] [--json] [--digits N] [--max-prec BITS]\n\n"
               "Prints a certified enclosure of QUANTITY.  Numbers are exact: 0.1 is 1/10.\n"
               "Precision starts at 64 bits and doubles until N correct digits (default 30)\n"
               "or --max-prec (default 4096) is reached.  --json prints one object with\n"
               "quantity, params, lower, upper (outward-rounded decimals), prec, digits and\n"
               "ball (Arb's exact serialisation, arb_load_str reloads it bit for bit).\n\n"
               "quantities and their keys (default in brackets):\n");
    for (int i = 0; cp_quantity_tables[i] != NULL; i++)
        for (const cp_quantity_def *q = cp_quantity_tables[i]; q->name != NULL; q++) {
            fprintf(f, "  %-20s %s\n", q->name, q->summary);
            fprintf(f, "  %-20s   keys:", "");
            for (const cp_key_spec *k = q->keys; k->name; k++)
                fprintf(f, " %s[%s]", k->name, k->dflt ? k->dflt : "required");
            fprintf(f, "\n");
        }
    fprintf(f, "\nExit codes: 0 enclosure printed to the requested digits; 1 the digits were not\n"
               "reached at --max-prec (the printed enclosure is still valid); 2 bad input.\n");
}

/* Parses an integer flag value in [lo, hi]; exit code 2 on error. */
int cp_flag_int(slong *out, const char *cmd, const char *flag, const char *val, slong lo, slong hi)
{
    if (val == NULL || cp_parse_int(out, val) != 0 || *out < lo || *out > hi) {
        fprintf(stderr, "crossproof %s: %s expects an integer in [%ld, %ld]%s%s%s\n", cmd, flag,
                (long) lo, (long) hi, val ? ", got '" : "", val ? val : "", val ? "'" : "");
        return -1;
    }
    return 0;
}

/* A flag's value that looks like an option ("--report --quiet") is an
 * error, not a file named "--quiet"; "-" alone (standard output) is a value. */
int cp_flag_value_is_flag(const char *val)
{
    return val != NULL && val[0] == '-' && val[1] != '\0';
}

int cp_cmd_eval(int argc, char **argv)
{
    const char *name = NULL;
    int json = 0;
    slong digits = 30, max_prec = 4096;
    char err[CP_ERRLEN];
    cp_kv kv;
    cp_kv_init(&kv, "");

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            eval_help(stdout);
            cp_kv_clear(&kv);
            return 0;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--digits") == 0) {
            if (cp_flag_int(&digits, "eval", "--digits", i + 1 < argc ? argv[++i] : NULL, 1, 10000))
                goto bad;
        } else if (strcmp(a, "--max-prec") == 0) {
            if (cp_flag_int(&max_prec, "eval", "--max-prec", i + 1 < argc ? argv[++i] : NULL, 64, 1 << 20))
                goto bad;
        } else if (strncmp(a, "--", 2) == 0) {
            fprintf(stderr, "crossproof eval: unknown option '%s' (see crossproof eval --help)\n", a);
            goto bad;
        } else if (strchr(a, '=') != NULL) {
            if (cp_kv_add_arg(&kv, a, err) != 0) {
                fprintf(stderr, "crossproof eval: %s\n", err);
                goto bad;
            }
        } else if (name == NULL) {
            name = a;
        } else {
            fprintf(stderr, "crossproof eval: unexpected argument '%s'\n", a);
            goto bad;
        }
    }
    if (name == NULL) {
        fprintf(stderr, "crossproof eval: no quantity given (see crossproof eval --help)\n");
        goto bad;
    }
    const cp_quantity_def *q = cp_quantity_lookup(name);
    if (q == NULL) {
        fprintf(stderr, "crossproof eval: unknown quantity '%s' (see crossproof eval --help)\n", name);
        goto bad;
    }

    arb_t res;
    arb_init(res);
    slong prec, goal_bits = (slong) (digits * 3.3219280948873623) + 4;
    for (prec = 64; ; prec *= 2) {
        if (q->eval(res, &kv, prec, err) != 0) {
            fprintf(stderr, "crossproof eval: %s\n", err);
            arb_clear(res);
            goto bad;
        }
        if (arb_rel_accuracy_bits(res) >= goal_bits || prec * 2 > max_prec)
            break;
    }
    int reached = arb_rel_accuracy_bits(res) >= goal_bits;
    char lo[256], hi[256];
    slong shown = FLINT_MIN(FLINT_MAX(digits, 1) + 5, 200);
    cp_arb_bounds_str(lo, hi, sizeof lo, res, shown);
    int positive = arb_is_positive(res), zero = arb_is_zero(res);

    if (json) {
        char *ball = arb_dump_str(res);
        char *mid = arb_get_str(res, shown, ARB_STR_NO_RADIUS);
        printf("{\"quantity\": ");
        cp_json_string(stdout, q->name);
        printf(", \"params\": {");
        int first = 1;
        for (const cp_key_spec *k = q->keys; k->name; k++) {
            const cp_kv_entry *e = cp_kv_find(&kv, k->name);
            printf("%s\"%s\": ", first ? "" : ", ", k->name);
            cp_json_string(stdout, e ? e->value : (k->dflt ? k->dflt : ""));
            first = 0;
        }
        printf("}, \"lower\": \"%s\", \"upper\": \"%s\", \"mid\": \"%s\", \"prec\": %ld, "
               "\"digits\": %ld, \"digits_requested\": %ld, \"certified_positive\": %s, "
               "\"exact_zero\": %s, \"ball\": \"%s\"}\n",
               lo, hi, mid, (long) prec, (long) cp_arb_digits(res), (long) digits,
               positive ? "true" : "false", zero ? "true" : "false", ball);
        flint_free(ball);
        flint_free(mid);
    } else {
        char *h = cp_arb_human(res, FLINT_MIN(digits, 200));
        printf("%s = %s\n", q->name, h);
        printf("  enclosure  [%s, %s]\n", lo, hi);
        if (arb_is_exact(res))
            printf("  precision  %ld bits, exact (radius 0)\n", (long) prec);
        else
            printf("  precision  %ld bits, %ld correct digits%s\n", (long) prec, (long) cp_arb_digits(res),
                   reached ? "" : " (fewer than requested: raise --max-prec)");
        if (q->meaning != NULL) {
            if (positive)
                printf("  certified  %s > 0: it is at least %s\n", q->name, lo);
            else if (zero)
                printf("  certified  %s = 0 exactly: no positive bound\n", q->name);
            else
                printf("  not certified positive: no positive lower bound is claimed\n");
            printf("  meaning    %s\n", q->meaning);
        }
        flint_free(h);
    }
    arb_clear(res);
    cp_kv_clear(&kv);
    flint_cleanup();
    return reached ? 0 : 1;
bad:
    cp_kv_clear(&kv);
    return 2;
}
