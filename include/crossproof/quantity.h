/* quantity.h -- named quantities for `crossproof eval`.
 *
 * Each quantity computes a certified enclosure from key = value parameters
 * at a given precision.  The eval command runs the precision loop until the
 * requested number of digits is reached or --max-prec is hit. */
#ifndef CROSSPROOF_QUANTITY_H
#define CROSSPROOF_QUANTITY_H

#include "crossproof/arbcompat.h"
#include "crossproof/kv.h"
#include "crossproof/box.h"

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
    /* Optional (NULL: the quantity has no region form): writes a ball that
     * contains the quantity at EVERY point of the box (box.h).  Returns 0,
     * or -1 with err when the box holds invalid points or boxes a key the
     * quantity cannot take as an interval (cp_box_allow).  A ball that is
     * too wide or indeterminate asks the caller to bisect the box. */
    int (*eval_box)(arb_t res, const cp_box *box, slong prec, char *err);
} cp_quantity_def;

/* Module tables, each ending with a NULL name; the list ends with NULL. */
extern const cp_quantity_def *const cp_quantity_tables[];
const cp_quantity_def *cp_quantity_lookup(const char *name);

#endif
