/* check.h -- named checks that theorem files invoke.
 *
 * A theorem file (theorems/X.md) holds fenced ```check blocks; each names a
 * check registered by checks/X.c and gives its parameters.  A ball check
 * is a function of the working precision; the runner (cp_check_execute)
 * starts at 64 bits and doubles until the check decides or the cap is hit,
 * recording the precision that decided (docs/design.md, "Precision"). */
#ifndef CROSSPROOF_CHECK_H
#define CROSSPROOF_CHECK_H

#include "crossproof/arbcompat.h"
#include "crossproof/kv.h"
#include "crossproof/model.h"
#include "crossproof/verdict.h"

#define CP_TEXTLEN 8192

typedef struct cp_check_def cp_check_def;

/* Per-instance values of a claim over a list parameter: item i is the
 * certified quantity that the claim compares with element i of the list
 * `key` (for example |beta_T/alpha_T + 1| for ratio_bound).  `crossproof
 * mutate` moves each element past its value in turn, so a claim over a list
 * is tested instance by instance (docs/soundness.md, "Mutation suite"). */
#define CP_MAX_ITEM_KEYS 4
typedef struct {
    char key[32];
    arb_ptr v;
    slong n;
    int *set;                /* set[i]: item i was recorded by this attempt */
} cp_item_values;

typedef struct {
    const cp_check_def *def;
    const cp_kv *params;     /* the block's key = value lines */
    slong prec;              /* working precision of this attempt */
    slong max_prec;
    /* Filled by the check (each attempt may overwrite): */
    arb_t value;             /* the enclosure shown in the table */
    char value_name[160];    /* what `value` encloses (cp_run_value_name) */
    int has_value;
    char detail[CP_TEXTLEN]; /* one paragraph: what was proved, with numbers */
    char interval[256];      /* statistical checks: the interval the verdict rests on */
    /* ... and as numbers (cp_run_stat): the deciding point's interval ends,
     * estimate and standard error (NAN where a check has none) and what
     * they are; has_stat 0 when the check set none */
    int has_stat;
    double stat_lower, stat_upper, stat_estimate, stat_stderr;
    char stat_what[160];
    char error[CP_ERRLEN];   /* set with CP_INCONCLUSIVE + run error, see below */
    int bad_input;           /* 1: parameters invalid (error names file:line) */
    int settled;             /* 1: INCONCLUSIVE, and more precision cannot help
                              * (a sufficient condition was proved to fail) */
    /* Claim-language runs (claim.h): what was proved, for the report and JSON. */
    int is_claim;
    char statement[1024];    /* "for all m_lo in [1/10, 1], ...: lsa-gap > 0" */
    long boxes;              /* boxes (region) or evaluations (points) */
    slong prec_lo, prec_hi;  /* the precisions the boxes used */
    char margin[64];         /* smallest certified margin, rounded down */
    char margin_at[512];     /* where it occurs */
    cp_item_values items[CP_MAX_ITEM_KEYS];   /* cp_run_item_value; reset per attempt */
    int nitem_keys;
} cp_check_run;

struct cp_check_def {
    const char *name;          /* used as `check = NAME` in theorem files */
    const char *summary;       /* one line */
    cp_check_kind kind;
    const cp_key_spec *keys;   /* accepted parameters besides id and check */
    /* Runs at run->prec.  Ball checks return CERTIFIED / REFUTED when
     * decided, INCONCLUSIVE to ask for more precision.  On invalid
     * parameters set run->bad_input = 1 and run->error. */
    cp_verdict (*run)(cp_check_run *run);
};

/* Registry: checks/registry.c lists every module's NULL-terminated table. */
/* Each entry is a module table ending with an entry whose name is NULL;
 * the list itself ends with NULL. */
extern const cp_check_def *const cp_check_tables[];
const cp_check_def *cp_check_lookup(const char *name);

/* Runs a check with the precision loop.  Returns the verdict; *seconds gets
 * wall time.  run must be initialised with cp_check_run_init. */
void cp_check_run_init(cp_check_run *run, const cp_check_def *def, const cp_kv *params, slong max_prec);
void cp_check_run_clear(cp_check_run *run);
cp_verdict cp_check_execute(cp_check_run *run, double *seconds);

/* Helpers for check modules. */
/* Parameter readers: each reads one parameter of the run (keys and defaults
 * from run->def->keys) and returns 0; on invalid input it leaves the
 * message in run->error, sets run->bad_input = 1 and returns -1. */
int cp_run_get_model(cp_model_t m, cp_check_run *run);
int cp_run_get_rat(fmpq_t out, cp_check_run *run, const char *key);
int cp_run_get_int(slong *out, cp_check_run *run, const char *key);
int cp_run_get_word(const char **out, cp_check_run *run, const char *key);
/* List readers: *out is allocated (flint_free / _fmpq_vec_clear) on success. */
int cp_run_get_intlist(slong **out, slong *n, cp_check_run *run, const char *key);
int cp_run_get_ratlist(fmpq **out, slong *n, cp_check_run *run, const char *key);
/* An integer list of depths, each in [lo, hi]; otherwise the error "each
 * depth must lie in [lo, hi]" at key, and *out is freed and set to NULL. */
int cp_run_get_depths(slong **out, slong *n, cp_check_run *run, const char *key, slong lo, slong hi);
void cp_run_detail(cp_check_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cp_run_detail_append(cp_check_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Starts a Markdown table in the detail: cols is its header row, for
 * example "| T | alpha_T |"; rows follow with cp_run_detail_append("| ... |\n"). */
void cp_run_table_head(cp_check_run *run, const char *cols);
/* Statistical checks: records the numbers behind run->interval. */
void cp_run_stat(cp_check_run *run, double lower, double upper, double estimate, double stderr_,
                 const char *what_fmt, ...) __attribute__((format(printf, 6, 7)));
/* Marks the run's parameters invalid: sets run->bad_input and, unless an
 * earlier reader already left one, the error (printf-style message at key,
 * as cp_kv_error).  Returns -1. */
int cp_run_bad_input(cp_check_run *run, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records x as the value shown in the table: the larger of x and the value
 * recorded so far, or x alone when first is set (the claim's first item, so
 * that a value left by a lower-precision attempt is replaced). */
void cp_run_value_max(cp_check_run *run, const arb_t x, int first);
/* Names the quantity that run->value encloses, for the report's table. */
void cp_run_value_name(cp_check_run *run, const char *name);
/* Records x as item i (of n) of the list key `key` (see cp_item_values). */
void cp_run_item_value(cp_check_run *run, const char *key, slong i, slong n, const arb_t x);
/* The recorded items of `key`, or NULL. */
const cp_item_values *cp_run_items(const cp_check_run *run, const char *key);
/* Compares x with the exact rational q: returns CP_CERTIFIED when the claim
 * `x OP q` is proved, CP_REFUTED when its negation is, else INCONCLUSIVE.
 * op is one of "<", "<=", ">", ">=". */
cp_verdict cp_decide_cmp(const arb_t x, const char *op, const arb_t q);
/* Certifies |x - ref| < tol, i.e. that `ref` reproduces x to the stated
 * tolerance; REFUTED when |x - ref| > tol is proved. */
cp_verdict cp_decide_near(const arb_t x, const arb_t ref, const arb_t tol);
/* Combines verdicts of sub-claims: CERTIFIED only if all are; REFUTED if
 * any is; else INCONCLUSIVE. */
cp_verdict cp_verdict_and(cp_verdict a, cp_verdict b);

#endif
