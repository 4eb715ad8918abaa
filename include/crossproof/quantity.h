/* quantity.h -- named quantities for `crossproof eval`.
 *
 * Each quantity computes a certified enclosure from key = value parameters
 * at a given precision.  The eval command runs the precision loop until the
 * requested number of digits is reached or --max-prec is hit. */
#ifndef CROSSPROOF_QUANTITY_H
#define CROSSPROOF_QUANTITY_H

#include "crossproof/arbcompat.h"
#include "crossproof/kv.h"

typedef struct {
    const char *name;
    const char *summary;
    const cp_key_spec *keys;   /* CP_KEY_END-terminated; model keys included explicitly */
    /* Computes res at prec.  Returns 0, or -1 with a one-line err for bad
     * parameters (the caller exits with code 2). */
    int (*eval)(arb_t res, const cp_kv *params, slong prec, char *err);
    /* Optional: sign semantics for the printout, e.g. "lower bound on the
     * worst-case LSA excess"; NULL for none. */
    const char *meaning;
} cp_quantity_def;

/* Module tables, each ending with a NULL name; the list ends with NULL. */
extern const cp_quantity_def *const cp_quantity_tables[];
const cp_quantity_def *cp_quantity_lookup(const char *name);

#endif
