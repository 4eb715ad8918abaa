/* claim.h -- the claim language of theorem files (README, "The claim
 * language"; docs/design.md, "Claims").
 *
 * A check block may state its claim instead of naming a C check:
 *
 *     ```check
 *     id    = lsa.gap.box
 *     claim = lsa-gap > 0
 *     m_lo  = [1/10, 1]
 *     m_hi  = [2, 10]
 *     ```
 *
 * Grammar (whitespace separates tokens; '#' starts a comment):
 *
 *     claim   := expr REL expr
 *              | expr "in" "[" expr "," expr "]"
 *              | expr MONO "in" KEY
 *     REL     := "<" | "<=" | ">" | ">="
 *     MONO    := "increasing" | "decreasing" | "nondecreasing" | "nonincreasing"
 *     expr    := term { ("+" | "-") term }
 *     term    := unary { ("*" | "/") unary }
 *     unary   := "-" unary | power
 *     power   := atom [ "^" unary ]
 *     atom    := NUMBER | "(" expr ")" | "|" expr "|"
 *              | FUNC "(" expr ")"                       FUNC: sqrt log exp
 *              | QUANTITY [ "(" KEY "=" VALUE { "," KEY "=" VALUE } ")" ]
 *              | KEY                                     a parameter of the block
 *
 * QUANTITY is any `crossproof eval` quantity.  The block's other lines are
 * parameters: a point (`m_lo = 0.5`), a list (`T = 1..50`, `alpha = 1/4, 1/3`)
 * over which the claim is universally quantified, or an interval
 * (`m_lo = [1/10, 1]`) over which it is certified for every value, by
 * bisection (`boxes = N` bounds the boxes of each instance; default 20000).
 * `pair = T, ref` makes lists of one length vary together (the i-th T with
 * the i-th ref) instead of over their product.  Every
 * parameter must be used by a quantity or by the expression; every word
 * must be known: an unknown word is a parse error, never ignored. */
#ifndef CROSSPROOF_CLAIM_H
#define CROSSPROOF_CLAIM_H

#include "crossproof/check.h"

/* The check that runs claim-language blocks (`claim = ...`, no `check`). */
extern const cp_check_def cp_claim_check;

/* Parses and validates the block's claim and parameters.  Returns 0, or -1
 * with a one-line "file:line: message" in err. */
int cp_claim_validate(const cp_kv *params, char *err);

/* The claim's mutants (`crossproof mutate`): from a certified run of the
 * block, the claim texts that move its bound past the certified extreme or
 * flip its monotonicity.  delta is the relative move.  Returns the number
 * of texts written to out[0..max) (each malloc'ed), or -1 with err. */
int cp_claim_mutants(char **out, int max, const cp_kv *params, const cp_check_run *orig,
                     const fmpq_t delta, char *err);

#endif
