/* verdict.h -- what a check may conclude (docs/design.md, "Verdicts").
 *
 * Ball-arithmetic checks end CERTIFIED (the claim is proved by enclosures),
 * REFUTED (its negation is proved) or INCONCLUSIVE (undecided at the
 * precision cap).  Statistical and double-precision checks can never
 * certify: they end SUPPORTED or CONTRADICTED with the interval they rest
 * on, or INCONCLUSIVE.  Unknown is never turned into true or false. */
#ifndef CROSSPROOF_VERDICT_H
#define CROSSPROOF_VERDICT_H

typedef enum {
    CP_INCONCLUSIVE = 0,
    CP_CERTIFIED,
    CP_REFUTED,
    CP_SUPPORTED,
    CP_CONTRADICTED
} cp_verdict;

typedef enum {
    CP_CHECK_BALL,   /* decided by Arb enclosures; may certify */
    CP_CHECK_STAT    /* statistical or double precision; never certifies */
} cp_check_kind;

const char *cp_verdict_name(cp_verdict v);
/* 1 when the verdict is the best its kind can reach (CERTIFIED for ball
 * checks, SUPPORTED for statistical ones). */
int cp_verdict_is_pass(cp_verdict v);

#endif
